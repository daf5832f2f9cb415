#!/usr/bin/env python3
"""Build a benchmark rule set of N whole-word patterns (default 1,000, the
size the project's measurements use) from packaged word lists, plus two
link regexes. Not a moderation policy: only a realistic load for Hyperscan.

The words come from LDNOOBW V2 (CC0-1.0, see
../shared/data/ldnoobw-v2/SOURCE.txt), English and Arabic in the ratio 4:1
(800 and 200 for N = 1,000), each list in file order; past what V2 holds
(about 14,000 entries), from the SCOWL word list of Debian's
wamerican-large (../shared/data/wordlist-en/SOURCE.txt), spread evenly over
the alphabet.

Usage: make_rules.py DATA_DIR [N] > words.cfg
"""
import os
import sys


def plain(w):
    # The format's strings must not need escapes.
    return w and not w.startswith("#") and '"' not in w and "\\" not in w


def entries(path, limit=None):
    out = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if plain(w) and w.lower() not in seen:
                seen.add(w.lower())
                out.append(w)
            if len(out) == limit:
                break
    return out


def dictionary_words(path, count, taken):
    """count words of the SCOWL list, lower case letters only (no
    possessives, no proper nouns), not already taken, evenly spaced."""
    with open(path, encoding="utf-8") as f:
        cands = [w for w in (line.strip() for line in f)
                 if w.isalpha() and w.isascii() and w.islower() and w not in taken]
    if count > len(cands):
        sys.exit("make_rules.py: the word list has only %d usable words" % len(cands))
    step = len(cands) / count
    return [cands[int(i * step)] for i in range(count)]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
    data = os.path.join(sys.argv[1], "ldnoobw-v2")
    ar = entries(os.path.join(data, "ar.txt"), n // 5)
    en = entries(os.path.join(data, "en.txt"), n - len(ar))
    extra = []
    if len(en) + len(ar) < n:
        taken = {w.lower() for w in en + ar}
        extra = dictionary_words(os.path.join(sys.argv[1], "wordlist-en",
                                              "american-english-large.txt"),
                                 n - len(en) - len(ar), taken)
    q = lambda ws: ", ".join('"%s"' % w for w in ws)
    print("version = 1;")
    print("actions = { flag = 3.0; hold = 6.0; reject = 10.0; };")
    print('categories = ( { name = "words"; }, { name = "spam"; } );')
    print("rules = (")
    print('  { id = "bench.en"; category = "words"; weight = 2.0; max_hits = 3; words = [ %s ]; },' % q(en))
    print('  { id = "bench.ar"; category = "words"; weight = 2.0; max_hits = 3; words = [ %s ]; },' % q(ar))
    if extra:
        print('  { id = "bench.dict"; category = "words"; weight = 2.0; max_hits = 3; words = [ %s ]; },' % q(extra))
    print('  { id = "bench.link"; category = "spam"; weight = 1.0; max_hits = 5;')
    print('    regexes = [ "https?://[^\\\\s]+", "www\\\\.[a-z0-9-]+\\\\.[a-z]{2,}" ]; }')
    print(");")


if __name__ == "__main__":
    main()
