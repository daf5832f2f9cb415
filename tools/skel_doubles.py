#!/usr/bin/env python3
"""Count the skeleton view's doubled-letter hits in the output of
build/view_hits (bench/view_hits.c): hits whose text has two of a letter
where the pattern has one ("loot" hit by "lot"), or more.

    make build/view_hits
    build/view_hits rules/default.cfg \
        < ../shared/data/wordlist-en/american-english-large.txt > hits.tsv
    python3 tools/skel_doubles.py hits.tsv

Prints the number of lines with such a hit, split by the longest run the
pattern shortens (2: a doubled letter, 3+: a stretched one), and lists the
doubled ones; hits an allow list set aside count too (marked "excused"),
since an allow list is what patches them today.
"""
import itertools
import sys


def runs(word):
    """[(letter, run length)] of the ASCII letters of word, lower-cased."""
    letters = [c for c in word.lower() if "a" <= c <= "z"]
    return [(c, len(list(g))) for c, g in itertools.groupby(letters)]


def shortened(text, pattern):
    """The longest run of text that pattern has as a shorter run (0: none)."""
    t, p = runs(text), runs(pattern)
    if [c for c, _ in t] != [c for c, _ in p]:
        return 0  # leetspeak, look-alikes: not compared
    return max((tn for (_, tn), (_, pn) in zip(t, p) if tn > pn), default=0)


def main():
    doubled, stretched = {}, set()
    for line in open(sys.argv[1], encoding="utf-8"):
        view, rule, word, text, pattern = line.rstrip("\n").split("\t")
        if view not in ("skeleton", "skeleton/excused"):
            continue
        n = shortened(text, pattern)
        if n == 2:
            excused = " excused" if view.endswith("/excused") else ""
            doubled.setdefault(word, []).append(f"{text}~{pattern} [{rule}{excused}]")
        elif n > 2:
            stretched.add(word)
    for word in sorted(doubled):
        print(word, "; ".join(doubled[word]), sep="\t")
    print(f"lines with a doubled letter read as one: {len(doubled)}, "
          f"with a longer run read as one: {len(stretched)}", file=sys.stderr)


if __name__ == "__main__":
    main()
