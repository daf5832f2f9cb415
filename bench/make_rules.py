#!/usr/bin/env python3
"""Build a benchmark rule set of about 1,000 whole-word patterns (the size
the project's measurements use) from LDNOOBW V2 (CC0-1.0, see
../shared/data/ldnoobw-v2/SOURCE.txt): English and Arabic entries, plus two
link regexes. Not a moderation policy: only a realistic load for Hyperscan.

Usage: make_rules.py DATA_DIR > words.cfg
"""
import os
import sys


def entries(path, limit):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            # Keep plain words: the format's strings must not need escapes.
            if w and not w.startswith("#") and '"' not in w and "\\" not in w:
                out.append(w)
            if len(out) == limit:
                break
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = os.path.join(sys.argv[1], "ldnoobw-v2")
    en = entries(os.path.join(data, "en.txt"), 800)
    ar = entries(os.path.join(data, "ar.txt"), 200)
    q = lambda ws: ", ".join('"%s"' % w for w in ws)
    print("version = 1;")
    print("actions = { flag = 3.0; hold = 6.0; reject = 10.0; };")
    print('categories = ( { name = "words"; }, { name = "spam"; } );')
    print("rules = (")
    print('  { id = "bench.en"; category = "words"; weight = 2.0; max_hits = 3; words = [ %s ]; },' % q(en))
    print('  { id = "bench.ar"; category = "words"; weight = 2.0; max_hits = 3; words = [ %s ]; },' % q(ar))
    print('  { id = "bench.link"; category = "spam"; weight = 1.0; max_hits = 5;')
    print('    regexes = [ "https?://[^\\\\s]+", "www\\\\.[a-z0-9-]+\\\\.[a-z]{2,}" ]; }')
    print(");")


if __name__ == "__main__":
    main()
