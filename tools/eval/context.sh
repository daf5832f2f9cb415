#!/bin/sh
# context.sh - `make eval-context`: the context rules measured on a labelled
# stream (eval/context, tools/gen_context_corpus.py): each of the rules'
# context rules, with its precision and recall for the label it is meant
# for (campaign for the campaign rules, flood for author_rate, repeat for
# author_repeats), from `quell eval --context --json`; then how many copies
# of a campaign could be caught at all (a campaign's first copies cannot be
# known as copies when they arrive).
#
#   tools/eval/context.sh [PART]     PART: report (default) or tune
#
# Environment: QUELL (default build/quell), RULES (default
# build/default.qdb, else rules/default.cfg).
set -eu
cd "$(dirname "$0")/../.."
QUELL=${QUELL:-build/quell}
RULES=${RULES:-build/default.qdb}
[ -f "$RULES" ] || RULES=rules/default.cfg
PART=${1:-report}
CORPUS=eval/context/context-$PART.jsonl
[ -f "$CORPUS" ] || { echo "eval-context: no $CORPUS" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for label in campaign flood repeat; do
    # Exit 1 means malformed rows, which the report counts; anything else stops.
    rc=0
    "$QUELL" eval --context --json --samples 0 --text-column body -p "$label" "$RULES" \
        "$CORPUS" > "$out/$label.json" || rc=$?
    [ "$rc" -le 1 ] || exit "$rc"
done

"$QUELL" filter --format jsonl --context "$RULES" < "$CORPUS" > "$out/verdicts.jsonl" || true

python3 - "$out" "$CORPUS" "$RULES" <<'EOF'
import json, sys
out, corpus, rules = sys.argv[1:]
# Which label each fact is measured against.
meant = {"campaign_copies": "campaign", "campaign_authors": "campaign",
         "author_rate": "flood", "author_repeats": "repeat"}
print("quell eval --context on %s, rules %s" % (corpus, rules))
print()
print("| rule | fires when | label | fired | TP | FP | precision | recall |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
for label in ("campaign", "flood", "repeat"):
    with open("%s/%s.json" % (out, label)) as f:
        report = json.load(f)
    corpus_report = report["corpora"][0]
    for r in corpus_report.get("context_rules", []):
        if meant.get(r["fact"]) != label:
            continue
        fmt = lambda x: "-" if x is None else "%.3f" % x
        print("| %s | %s >= %d | %s | %d | %d | %d | %s | %s |" % (
            r["id"], r["fact"], r["at_least"], label, r["hits"], r["tp"], r["fp"],
            fmt(r["precision"]), fmt(r["recall"])))
print()
# The ceiling: copies after the first two of each campaign (a campaign of
# three authors is known at its third copy at the earliest).
ranks = [json.loads(l).get("rank") for l in open(corpus, encoding="utf-8")
         if '"label": "campaign"' in l or '"label":"campaign"' in l]
late = sum(1 for r in ranks if r and r > 2)
print("campaign copies: %d; after the first two of their campaign: %d (%.3f, the most a"
      " rule needing three authors can catch)" % (len(ranks), late, late / len(ranks)))
print()
# By how the copy was varied: of the copies after the first two of their
# campaign, the share the campaign fact (three authors) caught, from quell
# filter --context's verdicts of the same stream.
caught, total = {}, {}
with open(corpus, encoding="utf-8") as src, open(out + "/verdicts.jsonl", encoding="utf-8") as ver:
    for line, verdict in zip(src, ver):
        rec, v = json.loads(line), json.loads(verdict)
        if rec["label"] != "campaign" or rec.get("rank", 0) <= 2:
            continue
        kind = rec["kind"].split(":", 1)[1]
        total[kind] = total.get(kind, 0) + 1
        camp = v.get("context", {}).get("campaign", {})
        caught[kind] = caught.get(kind, 0) + (camp.get("authors", 0) >= 3)
print("| copy (after the first two) | copies | in a campaign of 3+ authors | share |")
print("| --- | ---: | ---: | ---: |")
for kind in sorted(total):
    print("| %s | %d | %d | %.3f |" % (kind, total[kind], caught[kind], caught[kind] / total[kind]))
EOF
