"""Read tools/eval/corpora.tsv, the list of labelled corpora for `make eval`.

Shared by split.py and report.py; Python 3 standard library only.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TABLE = os.environ.get("QUELL_EVAL_CORPORA") or os.path.join(HERE, "corpora.tsv")
COLUMNS = ["name", "root", "path", "format", "id", "text", "label",
           "positive", "negative", "where", "category", "note"]
FORMATS = {"csv": "csv", "tsv": "tsv", "jsonl": "jsonl"}


def data_dir():
    """The labelled-data folder: $QUELL_DATA, else ../shared/data beside the repo."""
    d = os.environ.get("QUELL_DATA")
    if d:
        return os.path.abspath(d)
    return os.path.normpath(os.path.join(REPO, "..", "shared", "data"))


def out_dir():
    """Where the parts and results go: $QUELL_EVAL_OUT, else build/eval in the repo."""
    d = os.environ.get("QUELL_EVAL_OUT")
    return os.path.abspath(d) if d else os.path.join(REPO, "build", "eval")


def _list(value):
    if value in ("", "-"):
        return []
    return [v for v in value.split(",") if v != ""]


def load(table=TABLE):
    """Return the corpora as a list of dicts, checked; exit on a bad table."""
    corpora = []
    header = None
    names = set()
    with open(table, encoding="utf-8", newline="") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if header is None:
                header = fields
                if header != COLUMNS:
                    sys.exit(f"{table}:{lineno}: header must be: {' '.join(COLUMNS)}")
                continue
            if len(fields) != len(COLUMNS):
                sys.exit(f"{table}:{lineno}: {len(fields)} fields, expected {len(COLUMNS)}")
            c = dict(zip(COLUMNS, fields))
            c["lineno"] = lineno
            if c["name"] in names:
                sys.exit(f"{table}:{lineno}: duplicate corpus name {c['name']}")
            names.add(c["name"])
            if c["root"] not in ("data", "repo"):
                sys.exit(f"{table}:{lineno}: root must be 'data' or 'repo'")
            if c["format"] not in FORMATS:
                sys.exit(f"{table}:{lineno}: format must be csv, tsv or jsonl")
            c["category"] = None if c["category"] == "-" else c["category"]
            c["positive"] = _list(c["positive"])
            c["negative"] = _list(c["negative"])
            if bool(c["positive"]) == bool(c["negative"]):
                sys.exit(f"{table}:{lineno}: give exactly one of positive and negative labels")
            if c["where"] in ("", "-"):
                c["where"] = None
            else:
                col, sep, val = c["where"].partition("=")
                if not sep or not col:
                    sys.exit(f"{table}:{lineno}: where must be '-' or COLUMN=VALUE")
                c["where"] = (col, val)
            base = data_dir() if c["root"] == "data" else REPO
            c["source"] = os.path.join(base, c["path"])
            c["ext"] = c["format"]
            corpora.append(c)
    if header is None:
        sys.exit(f"{table}: no header")
    return corpora


def is_positive(corpus, label):
    """Whether a row with this label should be flagged, by the corpus's rule."""
    if corpus["positive"]:
        return label in corpus["positive"]
    return label not in corpus["negative"]


def part_path(corpus, part):
    return os.path.join(out_dir(), f"{corpus['name']}.{part}.{corpus['ext']}")
