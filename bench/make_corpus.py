#!/usr/bin/env python3
"""Build the benchmark corpus: real reader comments and tweets in English and
Arabic from the labelled corpora in ../shared/data (see each SOURCE.txt),
cycled in a fixed shuffled order to N JSON Lines records:
{"id": n, "body": text, "author": "reader<k>"}, and the same bodies as
plain text, one per line (line breaks inside a comment become spaces).

Usage: make_corpus.py DATA_DIR N OUT.jsonl OUT.txt
"""
import csv
import json
import os
import random
import sys

CORPORA = [
    "davidson-hate-offensive/davidson-hate-offensive.csv",
    "mpold-ar-comments/mpold-ar-comments.csv",
    "osact4-offenseval2020-ar/osact4-offenseval2020-ar.csv",
    "mlma-hate-speech/mlma-hate-speech.csv",
]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    data_dir, count = sys.argv[1], int(sys.argv[2])
    texts = []
    for rel in CORPORA:
        path = os.path.join(data_dir, rel)
        with open(path, newline="", encoding="utf-8") as f:
            texts.extend(row["text"] for row in csv.DictReader(f) if row["text"])
    if not texts:
        sys.exit("make_corpus.py: no comments found under " + data_dir)
    random.Random(20261125).shuffle(texts)
    flat = str.maketrans({"\n": " ", "\r": " ", "\0": " "})
    with open(sys.argv[3], "w", encoding="utf-8") as jsonl, \
            open(sys.argv[4], "w", encoding="utf-8") as text:
        for n in range(count):
            body = texts[n % len(texts)]
            rec = {"id": n + 1, "body": body, "author": "reader%d" % (n % 997)}
            jsonl.write(json.dumps(rec, ensure_ascii=False) + "\n")
            text.write(body.translate(flat) + "\n")


if __name__ == "__main__":
    main()
