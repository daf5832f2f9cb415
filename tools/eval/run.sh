#!/bin/sh
# The `make eval` pipeline: split every labelled corpus into tune and report
# parts, run quell's rules and the npm baselines on the report parts, print
# one Markdown table and write build/eval/results.json.
#
#   tools/eval/run.sh [--part report|tune] [--no-baselines] [CORPUS...]
#
# Environment: QUELL (default build/quell), RULES (default rules/default.cfg),
# QUELL_DATA (default ../shared/data beside the repo), QUELL_EVAL_OUT
# (default build/eval), NODE and NPM (default node and npm).
# See tools/eval/README.md.
set -eu

cd "$(dirname "$0")/../.."
start=$(date +%s)

QUELL=${QUELL:-build/quell}
RULES=${RULES:-rules/default.cfg}
NODE=${NODE:-node}
NPM=${NPM:-npm}
export QUELL RULES NODE

if [ ! -x "$QUELL" ]; then
    echo "eval: no quell binary at $QUELL: build it first (make), or set QUELL" >&2
    exit 2
fi

# The baselines' npm packages, exactly as package-lock.json pins them;
# installed only when missing or older than the lock file.
baselines=yes
for arg in "$@"; do
    [ "$arg" = --no-baselines ] && baselines=no
done
extra=
if [ "$baselines" = yes ]; then
    if ! command -v "$NODE" >/dev/null 2>&1 || ! command -v "$NPM" >/dev/null 2>&1; then
        echo "eval: node or npm not found: running quell without the baselines" >&2
        extra="--no-baselines=node or npm not found"
    elif [ ! -f tools/baselines/node_modules/.package-lock.json ] ||
        [ -n "$(find tools/baselines/package-lock.json \
            -newer tools/baselines/node_modules/.package-lock.json)" ]; then
        echo "eval: installing the baselines' npm packages (npm ci in tools/baselines)" >&2
        if ! (cd tools/baselines && "$NPM" ci --prefer-offline --no-audit --no-fund \
            --loglevel=error >&2); then
            echo "eval: npm ci failed: running quell without the baselines" >&2
            extra="--no-baselines=npm ci failed"
        fi
    fi
fi

python3 tools/eval/split.py
echo
if [ -n "$extra" ]; then
    python3 tools/eval/report.py "$extra" "$@"
else
    python3 tools/eval/report.py "$@"
fi
echo "run time: $(($(date +%s) - start)) s"
