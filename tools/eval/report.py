#!/usr/bin/env python3
"""Measure quell's rules and the npm baselines on each corpus's report part.

Run split.py first (tools/eval/run.sh does both). For every corpus of
tools/eval/corpora.tsv whose parts exist, runs

    $QUELL eval --json (-p POS | -n NEG) --text-column T --label-column L $RULES PART
    node tools/baselines/run.js (-p POS | -n NEG) --format F --text-column T --label-column L PART

prints one Markdown table (precision, recall, F1 and false-positive rate of
quell and of each baseline, per corpus) and writes every figure, with the
versions and settings that produced it, to OUT/results.json (OUT: build/eval
or $QUELL_EVAL_OUT). Nothing is hard-coded: every number comes from the runs.

Environment: QUELL (default build/quell), RULES (default rules/default.cfg),
NODE (default node), QUELL_DATA, QUELL_EVAL_OUT. Paths are taken from the
repo root.

Usage: report.py [--part report|tune] [--no-baselines[=REASON]] [NAME...]
Python 3 standard library only.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpora as C  # noqa: E402

RUNJS = os.path.join(C.REPO, "tools", "baselines", "run.js")
# quell eval -p needs at least one label. When a corpus names its negative
# labels and this quell has no -n, the positive list is computed from the
# labels in the part; when every row is negative (news-clean) there is none,
# and this value, which no row has, stands in: every row then counts as
# negative, exactly as -n would count it.
NO_LABEL = "\x1fquell-eval-no-positive-label"


def die(msg):
    print(f"report: {msg}", file=sys.stderr)
    sys.exit(2)


def run(cmd, ok=(0,)):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=C.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    secs = time.monotonic() - t0
    if p.returncode not in ok:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        die(f"{' '.join(cmd[:3])} ... exited {p.returncode}: {' / '.join(err[-5:])}")
    return p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace"), secs


def tree_digest(rules):
    """sha256 over every regular file in the rules file's folder (lists
    included); over the file alone for a compiled .qdb, which holds all."""
    if rules.endswith(".qdb"):
        with open(rules, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    base = os.path.dirname(os.path.abspath(rules))
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full):
                continue  # a FIFO or socket would block or fail
            h.update(os.path.relpath(full, base).encode() + b"\0")
            with open(full, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def reject_cell(r):
    if not r.get("reject_rows"):
        return "– (0)"
    return f"{fmt(r['reject_precision'])} ({r['reject_rows']})"


def fmt(x):
    return "–" if x is None else f"{x:.3f}"


def main(argv):
    part = "report"
    baselines = True
    no_baselines_reason = None
    names = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--part":
            i += 1
            part = argv[i] if i < len(argv) else die("--part needs report or tune")
        elif a.startswith("--part="):
            part = a.split("=", 1)[1]
        elif a == "--no-baselines" or a.startswith("--no-baselines="):
            baselines = False
            no_baselines_reason = a.split("=", 1)[1] if "=" in a else "--no-baselines"
        elif a.startswith("-"):
            die(f"unknown option {a}")
        else:
            names.append(a)
        i += 1
    if part not in ("report", "tune"):
        die("--part must be report or tune")

    quell = os.environ.get("QUELL", "build/quell")
    rules = os.environ.get("RULES", "rules/default.cfg")
    node = os.environ.get("NODE", "node")
    os.chdir(C.REPO)
    if not os.access(quell, os.X_OK):
        die(f"no quell binary at {quell} (build it, or set QUELL)")
    if not os.path.isfile(rules):
        die(f"no rules file {rules} (set RULES)")
    if baselines and not shutil.which(node):
        baselines, no_baselines_reason = False, f"{node} not found"

    split_json = os.path.join(C.out_dir(), "split.json")
    if not os.path.isfile(split_json):
        die(f"no {split_json}: run tools/eval/split.py first")
    with open(split_json, encoding="utf-8") as f:
        split = {c["name"]: c for c in json.load(f)["corpora"]}

    # Compile once: every corpus then loads the .qdb in milliseconds.
    compiled = rules
    if not rules.endswith(".qdb"):
        compiled = os.path.join(C.out_dir(), "rules.qdb")
        run([quell, "compile", rules, "-o", compiled])
    qversion = run([quell, "--version"])[0].strip()
    qhelp = run([quell, "eval", "--help"])[0]
    has_negative = "--negative" in qhelp
    node_version = run([node, "--version"])[0].strip() if baselines else None
    packages = json.loads(run([node, RUNJS, "--list"])[0]) if baselines else {}

    table = C.load()
    if names:
        unknown = set(names) - {c["name"] for c in table}
        if unknown:
            die(f"unknown corpus {', '.join(sorted(unknown))}")
        table = [c for c in table if c["name"] in names]

    results, skipped, warnings = [], [], []
    t_start = time.monotonic()
    for corpus in table:
        name = corpus["name"]
        s = split.get(name)
        if s is None:
            skipped.append({"name": name, "reason": "not in split.json: run split.py"})
            continue
        if "skipped" in s:
            skipped.append({"name": name, "reason": s["skipped"]})
            continue
        path = C.part_path(corpus, part)
        if not os.path.isfile(path):
            skipped.append({"name": name, "reason": f"missing {path}: run split.py"})
            continue
        rel = os.path.relpath(path, C.REPO)
        cols = ["--text-column", corpus["text"], "--label-column", corpus["label"]]

        if corpus["positive"]:
            qsel = ["-p", ",".join(corpus["positive"])]
        elif has_negative:
            qsel = ["-n", ",".join(corpus["negative"])]
        else:
            pos = sorted(l for l in s[part]["labels"] if l and l not in corpus["negative"])
            qsel = ["-p", ",".join(pos) if pos else NO_LABEL]
        cat = []
        if corpus["category"]:
            cat = [f"--category={l}={corpus['category']}" for l in corpus["positive"]]
        qcmd = [quell, "eval", "--json", *qsel, *cat, *cols, compiled, rel]
        out, err, qsecs = run(qcmd, ok=(0, 1))
        q = json.loads(out)["corpora"][0]
        q["seconds"] = round(qsecs, 3)
        acts = q["actions"]["reject"]
        q["reject_rows"] = acts["positive"] + acts["negative"]
        q["reject_precision"] = (acts["positive"] / q["reject_rows"]) if q["reject_rows"] else None
        if corpus["category"]:
            # The row measures the category's own matrix: flagged with a score
            # in that category (a separate category: flagged by its own score),
            # against the labels mapped to it; likewise its rejects.
            own = next(c["own"] for c in q["categories"] if c["name"] == corpus["category"])
            q["all_categories"] = {k: q[k] for k in ("tp", "fp", "fn", "tn", "precision",
                                                     "recall", "f1", "fpr", "reject_rows",
                                                     "reject_precision")}
            q.update({k: own[k] for k in ("tp", "fp", "fn", "tn", "precision", "recall", "f1",
                                          "fpr")})
            q["reject_rows"] = own["rejected"]
            q["reject_precision"] = own["reject_precision"]

        entry = {"name": name, "note": corpus["note"], "file": rel,
                 "category": corpus["category"],
                 "where": "=".join(corpus["where"]) if corpus["where"] else None,
                 "positive_labels": corpus["positive"], "negative_labels": corpus["negative"],
                 "labels": s[part]["labels"], "positive_rows": s[part]["positive"],
                 "rows": q["rows"], "malformed": q["malformed"], "evaluated": q["evaluated"],
                 "quell": q, "quell_command": qcmd, "baselines": []}
        if baselines:
            bsel = (["-p", ",".join(corpus["positive"])] if corpus["positive"]
                    else ["-n", ",".join(corpus["negative"])])
            bcmd = [node, RUNJS, *bsel, "--format", corpus["format"], *cols, rel]
            out, err, _ = run(bcmd)
            b = json.loads(out)
            entry["baselines"] = b["filters"]
            for fl in b["filters"]:
                if "error" in fl:
                    warnings.append(f"{name}: baseline {fl['name']} not run: {fl['error']}")
            entry["baseline_command"] = bcmd
            if (b["rows"], b["evaluated"]) != (q["rows"], q["evaluated"]):
                warnings.append(f"{name}: quell read {q['rows']} rows ({q['evaluated']} "
                                f"evaluated), the baselines {b['rows']} ({b['evaluated']})")
        if q["malformed"]:
            warnings.append(f"{name}: {q['malformed']} malformed rows left out")
        if q["tp"] + q["fn"] != s[part]["positive"] and not q["malformed"]:
            warnings.append(f"{name}: quell counted {q['tp'] + q['fn']} positive rows, "
                            f"split.py {s[part]['positive']}")
        results.append(entry)

    now = datetime.datetime.now(datetime.timezone.utc)
    doc = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "part": part,
        "split": "fnv1a64(id as UTF-8) % 5 < 2 -> report (40%), else tune (60%)",
        "quell": {"binary": quell, "version": qversion, "rules": rules,
                  "rules_dir_sha256": tree_digest(rules), "negative_option": has_negative},
        "node": node_version,
        "baselines": packages if baselines else None,
        "baselines_skipped": None if baselines else no_baselines_reason,
        "data_dir": C.data_dir(),
        "corpora": results,
        "skipped": skipped,
        "warnings": warnings,
        "seconds": round(time.monotonic() - t_start, 1),
    }
    os.makedirs(C.out_dir(), exist_ok=True)
    out_path = os.path.join(C.out_dir(), "results.json" if part == "report"
                            else f"results.{part}.json")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")

    # ---- the table
    print(f"## quell eval, {part} part — {doc['date'][:10]} "
          f"({now.strftime('%H:%M')} UTC)\n")
    print(f"{qversion}, rules `{rules}` (folder sha256 {doc['quell']['rules_dir_sha256'][:12]}); "
          f"split: {doc['split']}.")
    if baselines:
        vers = ", ".join(f"{k} {v['version']}" for k, v in packages.items() if v["package"])
        print(f"Baselines (node {node_version}): {vers}; naive = LDNOOBW word lists "
              "(see tools/eval/README.md).")
    else:
        print(f"Baselines not run: {no_baselines_reason}.")
    print()
    print("| corpus | rows | flag | filter | P | R | F1 | FPR | reject P |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for e in results:
        qlabel = "**quell**"
        if e.get("category"):
            qlabel = f"**quell** ({e['category']} only)"
        runs = [(qlabel, e["quell"])] + [(b["name"], b) for b in e["baselines"]
                                         if "error" not in b]
        f1s = [r["f1"] for _, r in runs if r["f1"] is not None]
        best = max(f1s) if f1s else None
        for k, (label, r) in enumerate(runs):
            first = k == 0
            f1 = fmt(r["f1"])
            if best is not None and r["f1"] == best and best > 0 and len(runs) > 1:
                f1 = f"**{f1}**"
            print(f"| {e['name'] if first else ''} "
                  f"| {e['evaluated'] if first else ''} "
                  f"| {r['tp'] + r['fn'] if first else ''} "
                  f"| {label} | {fmt(r['precision'])} | {fmt(r['recall'])} | {f1} "
                  f"| {fmt(r['fpr'])} | {reject_cell(r) if first else ''} |")
    print()
    print("rows: rows evaluated; flag: of those, rows labelled as should-be-flagged; "
          "P precision, R recall, F1 (best per corpus in bold), FPR false-positive rate; "
          "– where undefined (no positive rows, or nothing flagged); reject P: precision of "
          "quell's reject action alone (rejected rows in brackets; on a '(category only)' row, "
          "the rejects that category made: spam and pii are separate categories, which hold "
          "but never reject).")
    for sk in skipped:
        print(f"skipped {sk['name']}: {sk['reason']}")
    for w in warnings:
        print(f"warning: {w}")
    rel_out = os.path.relpath(out_path, C.REPO)
    print(f"figures: {out_path if rel_out.startswith('..') else rel_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
