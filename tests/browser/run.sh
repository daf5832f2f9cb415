#!/bin/sh
# run.sh BIN RULES [SCREENSHOT] - start `quell serve` on an ephemeral
# loopback port in a temporary folder, run the browser test of its page
# (test_page.py, headless Chromium) against it, and stop it. Fails when the
# test fails or the service does not exit 0 on SIGTERM.
set -eu
bin=$1
rules=$2
shot=${3:-}
tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$bin" serve --listen 127.0.0.1:0 -j 2 "$rules" 2> "$tmp/serve.err" &
pid=$!
port=""
for _ in $(seq 1200); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    cat "$tmp/serve.err" >&2
    echo "browser test: quell serve did not start" >&2
    exit 1
fi
status=0
python3 tests/browser/test_page.py --url "http://127.0.0.1:$port/" \
    ${shot:+--screenshot "$shot"} || status=$?
kill -TERM "$pid"
serve_status=0
wait "$pid" || serve_status=$?
pid=""
if [ "$serve_status" -ne 0 ]; then
    cat "$tmp/serve.err" >&2
    echo "browser test: quell serve exited $serve_status" >&2
    exit 1
fi
exit "$status"
