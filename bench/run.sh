#!/bin/sh
# run.sh - `make bench`: build the corpus and the 1,000-word rule set from
# the labelled data beside the repo (QUELL_DATA, default ../shared/data),
# then measure quell against raw Hyperscan on the shipped default rules and
# on the 1,000-word set; then the views' cost beside the Hyperscan scans
# they feed, on English and on Arabic comments apart (bench_views, on the
# 1,000-word set and on the default rules). Usage: run.sh BUILD_DIR
set -eu
O=${1:-build}
DATA=${QUELL_DATA:-../shared/data}
COUNT=${BENCH_COMMENTS:-200000}
out=$O/bench
mkdir -p "$out"

if [ ! -d "$DATA" ]; then
    echo "bench: no data folder $DATA (set QUELL_DATA to the shared data)" >&2
    exit 1
fi
if [ ! -s "$out/corpus.txt" ] || [ "$(wc -l < "$out/corpus.jsonl")" -ne "$COUNT" ]; then
    python3 bench/make_corpus.py "$DATA" "$COUNT" "$out/corpus.jsonl" "$out/corpus.txt"
    for _ in 1 2 3 4; do cat "$out/corpus.jsonl"; done > "$out/corpus-x4.jsonl"
fi
python3 bench/make_rules.py "$DATA" > "$out/words1000.cfg"

echo "== default rules (rules/default.cfg) =="
"$O/bench_quell" rules/default.cfg "$out/corpus.jsonl" "$out/corpus.txt" "$O/quell"
# bench_quell compiled the default rules beside the corpus: keep them for
# bench_views, before the next run compiles the 1,000 words there.
cp "$out/corpus.jsonl.qdb" "$out/default.qdb"
echo
echo "== 1,000 words (LDNOOBW V2 entries, built by bench/make_rules.py) =="
"$O/bench_quell" "$out/words1000.cfg" "$out/corpus.jsonl" "$out/corpus.txt" "$O/quell" \
    "$out/corpus-x4.jsonl"
echo
echo "== views by script (bench/view_cost.c) =="
"$O/bench_views" "$out/corpus.jsonl" "$out/words1000.cfg" "$out/default.qdb"
