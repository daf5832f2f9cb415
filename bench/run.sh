#!/bin/sh
# run.sh - `make bench`, the whole story in one run: build the corpus and
# the word-list rule sets from the labelled data beside the repo (QUELL_DATA,
# default ../shared/data); compile the shipped rules and 1,000, 10,000 and
# 100,000-word sets once each (compile time, .qdb size, load time); measure
# raw Hyperscan, the library and `quell filter` at -j1 and -jN in text and
# JSON Lines, with the cost per comment split by stage, on the shipped rules
# and on the 1,000 words, from the .qdb files just compiled; then time the
# npm filters of `make eval` on the same comments.
# Usage: run.sh BUILD_DIR
# Environment: QUELL_DATA; BENCH_COMMENTS (default 200000); BENCH_REPEATS
# (passes per figure, default 3, medians reported); BENCH_JOBS (the -jN,
# default the online CPUs); BENCH_BASELINE_BIN (another build's quell, timed
# in the same passes); NODE, NPM (default node, npm).
# The views' cost by script (bench_views) sits beside the Hyperscan scans
# they feed, on English and on Arabic comments apart. bench_context gives
# the cost of deciding in context and the context's memory at 1M and 10M
# comments (BENCH_CONTEXT_STREAM, default 10000000).
set -eu
O=${1:-build}
DATA=${QUELL_DATA:-../shared/data}
COUNT=${BENCH_COMMENTS:-200000}
NODE=${NODE:-node}
NPM=${NPM:-npm}
out=$O/bench
mkdir -p "$out"
start=$(date +%s)

if [ ! -d "$DATA" ]; then
    echo "bench: no data folder $DATA (set QUELL_DATA to the shared data)" >&2
    exit 1
fi
if [ ! -s "$out/corpus.txt" ] || [ "$(wc -l < "$out/corpus.jsonl")" -ne "$COUNT" ]; then
    python3 bench/make_corpus.py "$DATA" "$COUNT" "$out/corpus.jsonl" "$out/corpus.txt"
    for _ in 1 2 3 4; do cat "$out/corpus.jsonl"; done > "$out/corpus-x4.jsonl"
fi

# The machine's load beside the figures: on a shared machine, -jN's wall
# time gains only what the other processes leave, and the CPU times show it.
echo "make bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(getconf _NPROCESSORS_ONLN) CPUs," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "== rule sets: compile (quell compile), .qdb size, load (quell_rules_load in process; quell filter on no input), medians of 5 =="
"$O/bench_quell" --ruleset-header
"$O/bench_quell" --ruleset "shipped (default.cfg)" rules/default.cfg "$out/default.qdb" "$O/quell"
for n in 1000 10000 100000; do
    python3 bench/make_rules.py "$DATA" "$n" > "$out/words$n.cfg"
    "$O/bench_quell" --ruleset "$n words" "$out/words$n.cfg" "$out/words$n.qdb" "$O/quell"
done
echo "(words: LDNOOBW V2 entries, then SCOWL dictionary words past 14,000; bench/make_rules.py)"
echo

echo "== shipped rules (rules/default.cfg) =="
"$O/bench_quell" "$out/default.qdb" "$out/corpus.jsonl" "$out/corpus.txt" "$O/quell"
echo
echo "== 1,000 words (LDNOOBW V2 entries, bench/make_rules.py) =="
"$O/bench_quell" "$out/words1000.qdb" "$out/corpus.jsonl" "$out/corpus.txt" "$O/quell" \
    "$out/corpus-x4.jsonl"
echo

echo "== views by script (bench/view_cost.c) =="
"$O/bench_views" "$out/corpus.jsonl" "$out/words1000.qdb" "$out/default.qdb"
echo

echo "== context (bench/context_cost.c): quell_scan against quell_scan_context, shipped rules, CPU time =="
"$O/bench_context" "$out/default.qdb" "$out/corpus.jsonl" "${BENCH_CONTEXT_STREAM:-10000000}"
echo

echo "== npm filters of make eval (tools/baselines/run.js's settings) on the same comments =="
if ! command -v "$NODE" >/dev/null 2>&1 || ! command -v "$NPM" >/dev/null 2>&1; then
    echo "(skipped: node or npm not found; make eval's tools/deps.sh eval installs them)"
else
    if [ ! -f tools/baselines/node_modules/.package-lock.json ] ||
        [ -n "$(find tools/baselines/package-lock.json \
            -newer tools/baselines/node_modules/.package-lock.json)" ]; then
        (cd tools/baselines && "$NPM" ci --prefer-offline --no-audit --no-fund \
            --loglevel=error >&2)
    fi
    "$NODE" bench/npm_filters.js "$out/corpus.txt" obscenity leo-profanity
fi
echo
echo "make bench took $(($(date +%s) - start)) s; load average at the end" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
