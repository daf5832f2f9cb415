#!/bin/sh
# score_share.sh - how much of `quell filter` scoring takes: one run of
# QUELL_BIN filter -j1 over CORPUS.jsonl under perf record (999 Hz, so a
# sample is about 1 ms of CPU), then the samples in score_run and in
# quell_scan, each with what it calls. Compare two builds on one corpus:
#   bench/score_share.sh OLD/quell build/default.qdb build/bench/corpus.jsonl
#   bench/score_share.sh build/quell build/default.qdb build/bench/corpus.jsonl
# (build/bench/corpus.jsonl is make bench's.) Needs perf.
set -eu
if [ $# -ne 3 ]; then
    echo "usage: $0 QUELL_BIN RULES CORPUS.jsonl" >&2
    exit 2
fi
data=$(mktemp)
trap 'rm -f "$data"' EXIT
perf record -q -o "$data" -F 999 -g "$1" filter -j1 -f jsonl "$2" < "$3" > /dev/null
total=$(perf report -i "$data" --stdio -n --sort comm -g none 2>/dev/null |
    awk '$1 ~ /%$/ {s += $3} END {print s}')
perf report -i "$data" --children --stdio --sort symbol -g none 2>/dev/null |
    awk -v total="$total" '($4 == "score_run" || $4 == "quell_scan") && !seen[$4]++ {
        sub(/%/, "", $1)
        printf "%-10s %6.2f%% of samples, %6.0f of %d\n", $4, $1, $1 * total / 100, total }'
