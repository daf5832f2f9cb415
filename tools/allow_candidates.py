#!/usr/bin/env python3
"""List the dictionary words that a rule set's rules hit: the candidates for
the allow lists (docs/rules.md, "Allowed words"), found by machine.

Run from the repository root after `make`:

    python3 tools/allow_candidates.py [RULES] > candidates.tsv

RULES defaults to rules/default.cfg. Options: --data DIR (the shared data,
default $QUELL_DATA or ../shared/data), --quell BIN (default build/quell).
Each line is `word<TAB>rule ids<TAB>dictionary`, sorted and deduplicated;
a summary per dictionary goes to stderr. Rerun it whenever the rules
change: words already allowed no longer appear, so a new line is a word to
review, into an allow list (an innocent word) or not (a real hit).

The words are scanned by `quell filter` itself, not by a re-implementation
of the rules here, so the views (the skeleton's side effects included),
word boundaries and allow lists are exactly the ones comments get.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

# The country list's name columns; the codes (alpha_2, alpha_3) are not words.
COUNTRY_COLUMNS = ("name_en", "official_name_en", "common_name_en",
                   "name_ar", "official_name_ar", "common_name_ar")


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.strip()


def countries(path):
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for col in COUNTRY_COLUMNS:
                yield row[col].strip()


def dictionaries(data):
    """(dictionary name, entries) for each dictionary; see each SOURCE.txt."""
    j = os.path.join
    return [
        ("wordlist-en", lines(j(data, "wordlist-en", "american-english-large.txt"))),
        # The headwords, flags stripped: ar.dic itself needs libhunspell.
        ("hunspell-ar", lines(j(data, "hunspell-ar", "ar-stems.txt"))),
        ("arabic-names-latin", lines(j(data, "arabic-names-latin", "firstnames.txt"))),
        ("arabic-names-latin", lines(j(data, "arabic-names-latin", "lastnames.txt"))),
        ("country-names-ar-en", countries(j(data, "country-names-ar-en", "countries.csv"))),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rules", nargs="?", default="rules/default.cfg")
    ap.add_argument("--data", default=os.environ.get("QUELL_DATA", "../shared/data"))
    ap.add_argument("--quell", default="build/quell")
    args = ap.parse_args()

    # One record per (entry, dictionary); the text format numbers records
    # from 1, which is how verdicts are matched back to entries. Entries
    # cannot hold a newline (they come from lines or trimmed CSV fields),
    # and blank ones are dropped so they cannot shift the numbering.
    entries = []
    seen = set()
    total = {}
    for name, words in dictionaries(args.data):
        for w in words:
            if w and (w, name) not in seen:
                seen.add((w, name))
                entries.append((w, name))
                total[name] = total.get(name, 0) + 1

    # Compile once, so a rules error is reported once and the run scans
    # compiled rules, as an operator's would.
    with tempfile.TemporaryDirectory() as tmp:
        qdb = os.path.join(tmp, "rules.qdb")
        subprocess.run([args.quell, "compile", args.rules, "-o", qdb], check=True)
        text = "".join(w + "\n" for w, _ in entries).encode("utf-8")
        proc = subprocess.run([args.quell, "filter", "--format", "text", qdb],
                              input=text, stdout=subprocess.PIPE, check=False)
    # Status 1 only means some records were malformed; they are reported below.
    if proc.returncode not in (0, 1):
        sys.exit("allow_candidates: quell filter failed with status %d" % proc.returncode)

    rows = set()
    verdicts = 0
    for line in proc.stdout.decode("utf-8").splitlines():
        v = json.loads(line)
        verdicts += 1
        word, name = entries[v["id"] - 1]
        if v["action"] == "error":
            print("allow_candidates: %s (%s): %s" % (word, name, v["error"]), file=sys.stderr)
            continue
        # The verdict does not carry weights, but a fired rule scores
        # weight * min(count, max_hits) with count >= 1, so its score is
        # zero exactly when its weight is: signal-only rules such as
        # target.you ("you") are not candidates. Only fired rules' hits are
        # reported, so a rule needing min_count > 1 cannot show up on one word.
        scoring = {r["id"] for r in v.get("rules", []) if r["score"] != 0}
        ids = sorted({h["rule"] for h in v.get("hits", []) if h["rule"] in scoring})
        if ids:
            rows.add((word, ",".join(ids), name))
    if verdicts != len(entries):
        sys.exit("allow_candidates: %d entries but %d verdicts" % (len(entries), verdicts))

    found = {}
    for word, ids, name in sorted(rows):
        print("%s\t%s\t%s" % (word, ids, name))
        found[name] = found.get(name, 0) + 1
    for name in total:
        print("%s: %d candidates in %d entries" % (name, found.get(name, 0), total[name]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
