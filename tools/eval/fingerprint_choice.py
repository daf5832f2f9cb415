#!/usr/bin/env python3
"""fingerprint_choice.py - MinHash against SimHash for the campaign window
(issue 16: "choose by measurement"), on a labelled context stream.

Both fingerprint the same features: each comment's skeleton view (from
libquell, quell_scanner_view) generalised as src/context.c does it (links,
@mentions and runs of digits one placeholder each; punctuation, emoji and
spaces dropped), cut into 4-character shingles; comments under 20
characters once generalised are left out, as the context leaves them out.
Then, for every pair of comments at most an hour apart, each scheme says
"copies" or not, and the pairs are scored against the labels: a pair of
copies of one campaign is positive, any other pair negative.

  minhash   32 bins of one-permutation MinHash with densification, as
            src/context.c; copies when at least T of 32 minimums agree
  simhash   64-bit SimHash of the same shingles (each shingle's 64-bit
            hash votes on every bit); copies when at most K bits differ

Usage: tools/eval/fingerprint_choice.py [CORPUS] [LIB] [RULES]
  defaults: eval/context/context-tune.jsonl, build/libquell.so,
  build/default.qdb

It prints each scheme's pairwise precision and recall at several
thresholds, and the cost of fingerprinting in Python (for the ratio only:
the library's own cost is bench_context's).
"""
import ctypes
import hashlib
import json
import sys
import time
import unicodedata

CORPUS = sys.argv[1] if len(sys.argv) > 1 else "eval/context/context-tune.jsonl"
LIB = sys.argv[2] if len(sys.argv) > 2 else "build/libquell.so"
RULES = sys.argv[3] if len(sys.argv) > 3 else "build/default.qdb"
WINDOW_S = 3600
MIN_CHARS = 20
M64 = (1 << 64) - 1

lib = ctypes.CDLL(LIB)
lib.quell_rules_load.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_void_p]
lib.quell_scanner_new.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_void_p]
lib.quell_scanner_view.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                                   ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                                   ctypes.c_void_p]
rules, scanner = ctypes.c_void_p(), ctypes.c_void_p()
assert lib.quell_rules_load(ctypes.byref(rules), RULES.encode(), None) == 0, "cannot load rules"
assert lib.quell_scanner_new(ctypes.byref(scanner), rules, None) == 0


def skeleton(text):
    raw = text.encode()
    out, n = ctypes.c_char_p(), ctypes.c_size_t()
    # Copy at once: the view is the scanner's until its next call.
    if lib.quell_scanner_view(scanner, 2, raw, len(raw), ctypes.byref(out), ctypes.byref(n), None):
        return ""
    return ctypes.string_at(out, n.value).decode("utf-8", "replace")


def is_link(tok):
    if "://" in tok:
        return True
    end = tok.find("/")
    end = len(tok) if end < 0 else end
    dot = tok.rfind(".", 0, end)
    if dot < 1 or not tok[dot - 1].isascii() or not tok[dot - 1].isalnum():
        return False
    tld = tok[dot + 1:end]
    return 2 <= len(tld) <= 6 and tld.isascii() and tld.isalpha()


def generalise(view):
    """The characters context.c fingerprints, placeholders as \\ue001-3."""
    chars, last = [], None
    def add(c):
        nonlocal last
        if c == last and c in "\ue001\ue002\ue003":
            return
        last = c
        chars.append(c)
    for tok in view.split():
        if tok.startswith("@") and len(tok) > 1:
            add("\ue002")
        elif is_link(tok):
            add("\ue001")
        else:
            for c in tok:
                cat = unicodedata.category(c)
                if cat == "Nd":
                    add("\ue003")
                elif cat in ("Lu", "Ll", "Lt", "Lm", "Lo"):
                    add(c)
    return "".join(chars)


def shingle_hashes(g):
    return {int.from_bytes(hashlib.blake2b(g[i:i + 4].encode(), digest_size=8).digest(), "little")
            for i in range(len(g) - 3)}


def minhash(hashes):
    sig = [None] * 32
    for h in hashes:
        b, v = h >> 59, h & 0xFFFFFFFF
        if sig[b] is None or v < sig[b]:
            sig[b] = v
    for i in range(32):  # densify: the next filled bin to the right, mixed with the distance
        if sig[i] is None:
            for d in range(1, 32):
                j = sig[(i + d) % 32]
                if j is not None and not isinstance(j, tuple):
                    sig[i] = ("borrowed", j, d)
                    break
    return sig


def simhash(hashes):
    votes = [0] * 64
    for h in hashes:
        for b in range(64):
            votes[b] += 1 if (h >> b) & 1 else -1
    return sum(1 << b for b in range(64) if votes[b] > 0)


def main():
    rows = []
    t_min = t_sim = 0.0
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            g = generalise(skeleton(rec["body"]))
            if len(g) < MIN_CHARS:
                continue
            hashes = shingle_hashes(g)
            t0 = time.process_time()
            mh = minhash(hashes)
            t1 = time.process_time()
            sh = simhash(hashes)
            t_min += t1 - t0
            t_sim += time.process_time() - t1
            camp = rec.get("campaign") if rec["label"] == "campaign" else None
            rows.append((rec["time"], camp, mh, sh))
    min_thresholds = [12, 14, 16, 18, 20, 24]
    sim_thresholds = [3, 6, 9, 12, 15, 18]
    counts = {("minhash", t): [0, 0, 0] for t in min_thresholds}
    counts.update({("simhash", k): [0, 0, 0] for k in sim_thresholds})  # tp, fp, fn
    start = 0
    for i, (t, camp, mh, sh) in enumerate(rows):
        while rows[start][0] < t - WINDOW_S:
            start += 1
        for j in range(start, i):
            tj, campj, mhj, shj = rows[j]
            positive = camp is not None and camp == campj
            equal = sum(1 for a, b in zip(mh, mhj) if a == b)
            dist = bin(sh ^ shj).count("1")
            for th in min_thresholds:
                c = counts[("minhash", th)]
                hit = equal >= th
                c[0 if hit and positive else 1 if hit else 2] += hit or positive
            for k in sim_thresholds:
                c = counts[("simhash", k)]
                hit = dist <= k
                c[0 if hit and positive else 1 if hit else 2] += hit or positive
    print("pairs of comments at most an hour apart in %s (%d fingerprinted comments)"
          % (CORPUS, len(rows)))
    print()
    print("| scheme | copies when | TP pairs | FP pairs | FN pairs | precision | recall |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (scheme, th), (tp, fp, fn) in counts.items():
        when = ">= %d of 32 minimums agree" % th if scheme == "minhash" else "<= %d bits differ" % th
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        print("| %s | %s | %d | %d | %d | %.4f | %.4f |" % (scheme, when, tp, fp, fn, prec, rec))
    print()
    print("fingerprinting in Python, CPU: minhash %.1f us, simhash %.1f us a comment"
          % (t_min * 1e6 / len(rows), t_sim * 1e6 / len(rows)))


main()
