#!/bin/sh
# screenshot.sh - write the `quell eval --html` report of the default rules on
# the Davidson corpus and photograph it in headless Chromium, for
# docs/img/eval-report.png. Installs Debian's chromium when missing (sudo
# when not root), like deps.sh.
#
# Usage: tools/screenshot.sh [OUT.png]
# Variables: QUELL (build/quell, built with make when missing), RULES
# (rules/default.cfg), QUELL_DATA (../shared/data beside the repository),
# SIZE (1200,2400: the window, and so the picture, in pixels).
set -eu
cd "$(dirname "$0")/.."

QUELL=${QUELL:-build/quell}
RULES=${RULES:-rules/default.cfg}
DATA=${QUELL_DATA:-../shared/data}
SIZE=${SIZE:-1200,2400}
OUT=${1:-docs/img/eval-report.png}
CORPUS=$DATA/davidson-hate-offensive/davidson-hate-offensive.csv

if [ ! -x "$QUELL" ]; then
    make --no-print-directory O="$(dirname "$QUELL")" "$QUELL"
fi

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$b
        break
    fi
done
if [ -z "$browser" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "screenshot.sh: installing chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-core
    browser=chromium
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The text report is not wanted here; exit status 1 (malformed rows) is fine.
status=0
"$QUELL" eval -p offensive_language,hate_speech --html "$tmp/report.html" "$RULES" "$CORPUS" \
    >/dev/null || status=$?
if [ "$status" -gt 1 ]; then
    echo "screenshot.sh: quell eval failed with status $status" >&2
    exit "$status"
fi

mkdir -p "$(dirname "$OUT")"
# A fresh profile in $tmp, so no user's settings or extensions change the picture.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --hide-scrollbars --user-data-dir="$tmp/profile" --window-size="$SIZE" \
    --screenshot="$tmp/shot.png" "file://$(realpath "$tmp/report.html")" 2>/dev/null
mv "$tmp/shot.png" "$OUT"
echo "screenshot.sh: wrote $OUT" >&2
