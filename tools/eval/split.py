#!/usr/bin/env python3
"""Split each labelled corpus of tools/eval/corpora.tsv into a tune and a report part.

A row goes to the report part when FNV-1a 64 of its id (the id column's
text, UTF-8) modulo 5 is 0 or 1 (40%), else to the tune part (60%). Rules are
tuned on the tune part only; `make eval` reports on the report part. The
split depends on nothing but the ids, so it is the same on every machine and
every run, and a row keeps its side when rows are added to or removed from
a corpus.

Writes OUT/<name>.tune.<ext> and OUT/<name>.report.<ext> (OUT is build/eval,
or $QUELL_EVAL_OUT) in the source's own format with its header, so quell and
the baselines read them as they read the source: CSV and TSV rows are
rewritten with Python's csv module (minimal quoting, LF line ends), JSON
Lines records are copied byte for byte. Also writes OUT/split.json with the
counts. A corpus whose file is missing is skipped with a message.

Python 3 standard library only. Usage: split.py [--quiet] [NAME...]
"""

import csv
import json
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpora as C  # noqa: E402

REPORT_SHARE = 2  # of 5
FNV_OFFSET = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
MASK64 = (1 << 64) - 1

csv.field_size_limit(1 << 30)


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET
    for byte in data:
        h ^= byte
        h = (h * FNV_PRIME) & MASK64
    return h


def part_of(ident: str) -> str:
    h = fnv1a64(ident.encode("utf-8", "surrogateescape"))
    return "report" if h % 5 < REPORT_SHARE else "tune"


class Part:
    def __init__(self, corpus, name):
        self.path = C.part_path(corpus, name)
        self.tmp = self.path + ".tmp"
        self.rows = 0
        self.positive = 0
        self.labels = Counter()


def read_csv(corpus, stats):
    """Yield (id, label, text, row) for each data row; the header is in stats."""
    delim = "\t" if corpus["format"] == "tsv" else ","
    with open(corpus["source"], encoding="utf-8-sig", errors="surrogateescape",
              newline="") as f:
        reader = csv.reader(f, delimiter=delim)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError("empty file, no header")
        stats["header"] = header
        cols = {}
        for key in ("id", "text", "label"):
            if corpus[key] not in header:
                raise ValueError(f"no column '{corpus[key]}' in the header")
            cols[key] = header.index(corpus[key])
        where = None
        if corpus["where"]:
            wcol, wval = corpus["where"]
            if wcol not in header:
                raise ValueError(f"no column '{wcol}' (where) in the header")
            where = (header.index(wcol), wval)
        for row in reader:
            if not row or row == [""]:
                continue
            if where and (len(row) <= where[0] or row[where[0]] != where[1]):
                continue

            def get(key):
                i = cols[key]
                return row[i] if i < len(row) else None
            yield get("id"), get("label"), get("text"), row


def read_jsonl(corpus, stats):
    stats["header"] = None
    with open(corpus["source"], "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError as e:
                stats["bad_json"] += 1
                print(f"split: {corpus['name']}: line {lineno}: bad JSON ({e}); dropped",
                      file=sys.stderr)
                continue
            if not isinstance(obj, dict):
                stats["bad_json"] += 1
                continue
            if corpus["where"]:
                wcol, wval = corpus["where"]
                if str(obj.get(wcol)) != wval:
                    continue

            def get(key):
                v = obj.get(corpus[key])
                if v is None:
                    return None
                if isinstance(v, bool) or not isinstance(v, (str, int)):
                    return json.dumps(v, ensure_ascii=False)
                return str(v)
            if not raw.endswith(b"\n"):
                raw += b"\n"
            yield get("id"), get("label"), get("text"), raw


def split_corpus(corpus):
    stats = {"name": corpus["name"], "source": corpus["source"], "rows": 0,
             "no_id": 0, "duplicate_ids": 0, "bad_json": 0,
             "no_text_or_label": 0}
    if not os.path.isfile(corpus["source"]):
        stats["skipped"] = f"missing file {corpus['source']}"
        return stats
    parts = {p: Part(corpus, p) for p in ("tune", "report")}
    os.makedirs(C.out_dir(), exist_ok=True)
    jsonl = corpus["format"] == "jsonl"
    reader = read_jsonl if jsonl else read_csv
    seen = set()
    files = {}
    writers = {}
    try:
        for p in parts.values():
            if jsonl:
                files[p] = open(p.tmp, "wb")
            else:
                files[p] = open(p.tmp, "w", encoding="utf-8", errors="surrogateescape",
                                newline="")
        for ident, label, text, row in reader(corpus, stats):
            if not writers and not jsonl:
                delim = "\t" if corpus["format"] == "tsv" else ","
                for p in parts.values():
                    writers[p] = csv.writer(files[p], delimiter=delim, lineterminator="\n")
                    writers[p].writerow(stats["header"])
            if ident is None or ident == "":
                stats["no_id"] += 1
                print(f"split: {corpus['name']}: a row without an id is dropped",
                      file=sys.stderr)
                continue
            if ident in seen:
                stats["duplicate_ids"] += 1
            seen.add(ident)
            stats["rows"] += 1
            p = parts[part_of(ident)]
            p.rows += 1
            if not text or not label:
                # Kept: quell and the baselines count such rows as malformed.
                stats["no_text_or_label"] += 1
            if label is not None:
                p.labels[label] += 1
                if C.is_positive(corpus, label):
                    p.positive += 1
            if jsonl:
                files[p].write(row)
            else:
                writers[p].writerow(row)
        if not writers and not jsonl:
            # No data rows: still write the header so the parts are valid files.
            delim = "\t" if corpus["format"] == "tsv" else ","
            for p in parts.values():
                csv.writer(files[p], delimiter=delim,
                           lineterminator="\n").writerow(stats["header"])
    except (OSError, ValueError, csv.Error) as e:
        for f in files.values():
            f.close()
        for p in parts.values():
            if os.path.exists(p.tmp):
                os.unlink(p.tmp)
        stats["skipped"] = f"cannot read {corpus['source']}: {e}"
        return stats
    for p in parts.values():
        files[p].close()
        os.replace(p.tmp, p.path)
    for name, p in parts.items():
        stats[name] = {"file": p.path, "rows": p.rows, "positive": p.positive,
                       "labels": dict(sorted(p.labels.items()))}
    return stats


def main(argv):
    quiet = "--quiet" in argv
    names = [a for a in argv if not a.startswith("-")]
    table = C.load()
    if names:
        unknown = set(names) - {c["name"] for c in table}
        if unknown:
            sys.exit(f"split: unknown corpus {', '.join(sorted(unknown))}")
        table = [c for c in table if c["name"] in names]
    results = []
    for corpus in table:
        s = split_corpus(corpus)
        s.update({k: corpus[k] for k in ("format", "id", "text", "label",
                                         "positive", "negative", "note")})
        s["where"] = "=".join(corpus["where"]) if corpus["where"] else None
        results.append(s)
    os.makedirs(C.out_dir(), exist_ok=True)
    summary = {"split": "fnv1a64(id, UTF-8) % 5 < 2 -> report, else tune",
               "data_dir": C.data_dir(), "corpora": results}
    with open(os.path.join(C.out_dir(), "split.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
        f.write("\n")
    if not quiet:
        print(f"{'corpus':<14} {'rows':>7} {'tune':>7} {'pos':>6} {'report':>7} {'pos':>6}")
    for s in results:
        if "skipped" in s:
            print(f"{s['name']:<14} skipped: {s['skipped']}")
            continue
        if not quiet:
            t, r = s["tune"], s["report"]
            print(f"{s['name']:<14} {s['rows']:>7} {t['rows']:>7} {t['positive']:>6} "
                  f"{r['rows']:>7} {r['positive']:>6}")
        for key, what in (("no_id", "rows without an id, dropped"),
                          ("duplicate_ids", "repeated ids (kept, on one side)"),
                          ("bad_json", "lines that are not a JSON object, dropped"),
                          ("no_text_or_label", "rows with no text or label (kept)")):
            if s[key]:
                print(f"  {s['name']}: {s[key]} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
