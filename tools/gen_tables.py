#!/usr/bin/python3
"""gen_tables.py - write src/norm_data.c, the data normalise.c builds its
per-code-point tables from:

  - the Arabic unification map (tools/data/arabic.txt),
  - the leetspeak map (tools/data/leet.txt),
  - the Arabizi spelling table (tools/data/arabizi.txt), from which the rule
    compiler writes each Arabic word's Arabizi regex,
  - the confusables map: Unicode TR39 confusable prototypes from ICU's spoof
    checker (Debian python3-icu over libicu72), kept for Latin, Cyrillic,
    Greek and Common characters whose prototype is plain ASCII letters or
    one letter read as ASCII (a Latin small capital, by its name, or one of
    tools/data/lookalikes.txt),
  - the code point ranges of the Arabic script (ICU's Script_Extensions),
    which the skeleton never maps and does not count as letters for leet.

Run with Debian's python3 (the one python3-icu installs into):
    /usr/bin/python3 tools/gen_tables.py -o src/norm_data.c
The output depends only on the data files and the installed ICU: the same
inputs give the same bytes. See tools/data/SOURCE.txt for provenance.
"""

import argparse
import os
import subprocess
import sys

try:
    import icu
except ImportError:
    sys.exit("gen_tables.py: needs PyICU: apt-get install python3-icu, "
             "and run it with /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

LEET_WHERE = {"start": 1, "inner": 2, "end": 4, "any": 7}
KEPT_SCRIPTS = {"Latn", "Cyrl", "Grek", "Zyyy"}
MARK_TYPES = {
    icu.UCharCategory.NON_SPACING_MARK,
    icu.UCharCategory.ENCLOSING_MARK,
    icu.UCharCategory.COMBINING_SPACING_MARK,
}
MAX_BYTES = 8  # struct norm_map_entry's utf8[]


def fail(path, line_no, msg):
    sys.exit("%s:%d: %s" % (os.path.relpath(path), line_no, msg))


def data_lines(path):
    """(line number, fields) of each non-comment line of a data file."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                yield n, line.split()


def parse_cp(path, n, text):
    if not text.startswith("U+"):
        fail(path, n, "expected U+XXXX, got %r" % text)
    try:
        cp = int(text[2:], 16)
    except ValueError:
        fail(path, n, "bad code point %r" % text)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        fail(path, n, "not a scalar value: %r" % text)
    return cp


def read_arabic():
    path = os.path.join(DATA, "arabic.txt")
    out = {}
    for n, fields in data_lines(path):
        if len(fields) < 2:
            fail(path, n, "expected KEY REPLACEMENT...")
        key = parse_cp(path, n, fields[0])
        if fields[1:] == ["-"]:
            repl = ""
        else:
            repl = "".join(chr(parse_cp(path, n, f)) for f in fields[1:])
        if key in out:
            fail(path, n, "U+%04X listed twice" % key)
        if not icu.Script.hasScript(key, icu.UScriptCode.ARABIC):
            fail(path, n, "U+%04X is not Arabic script" % key)
        out[key] = (repl, 0)
    # One pass must be enough: no replacement may contain a key.
    for key, (repl, _) in out.items():
        for ch in repl:
            if ord(ch) in out:
                sys.exit("arabic.txt: U+%04X maps to U+%04X, itself a key" % (key, ord(ch)))
    return out


def read_leet():
    path = os.path.join(DATA, "leet.txt")
    out = {}
    for n, fields in data_lines(path):
        if len(fields) != 3:
            fail(path, n, "expected KEY LETTER WHERE")
        key, letter, where = fields
        if len(key) != 1 or not (0x21 <= ord(key) < 0x7F) or key.isalpha():
            fail(path, n, "key %r is not a printable ASCII digit or symbol" % key)
        if len(letter) != 1 or not ("a" <= letter <= "z"):
            fail(path, n, "letter %r is not one ASCII lowercase letter" % letter)
        mask = 0
        for w in where.split(","):
            if w not in LEET_WHERE:
                fail(path, n, "unknown position %r" % w)
            mask |= LEET_WHERE[w]
        if ord(key) in out:
            fail(path, n, "%r listed twice" % key)
        out[ord(key)] = (letter, mask)
    return out


ARABIZI_KINDS = {"c": "NORM_ARABIZI_CONSONANT", "v": "NORM_ARABIZI_VOWEL",
                 "g": "NORM_ARABIZI_GLIDE"}


def read_arabizi(arabic):
    """{cp: (kind, spellings, final or None)}; final keeps its leading '?'."""
    path = os.path.join(DATA, "arabizi.txt")
    out = {}
    for n, fields in data_lines(path):
        if len(fields) not in (3, 4):
            fail(path, n, "expected LETTER KIND SPELLINGS [FINAL]")
        cp = parse_cp(path, n, fields[0])
        if not is_arabic(cp) or cp in arabic:
            fail(path, n, "U+%04X is not an Arabic letter of the folded view" % cp)
        if fields[1] not in ARABIZI_KINDS:
            fail(path, n, "unknown kind %r (c, v or g)" % fields[1])
        final = fields[3] if len(fields) == 4 else None
        for i, text in enumerate([fields[2]] + ([final] if final else [])):
            body = text[1:] if i == 1 and text.startswith("?") else text
            for alt in body.split("|"):
                if not alt or any(not (c.islower() and c.isascii() or c.isdigit() or c == "'")
                                  for c in alt):
                    fail(path, n, "spelling %r is not lower-case ASCII letters, digits or '"
                         % alt)
        if cp in out:
            fail(path, n, "U+%04X listed twice" % cp)
        out[cp] = (fields[1], fields[2], final)
    return out


def c_arabizi(table):
    lines = ["const struct norm_arabizi_entry norm_arabizi_map[] = {"]
    for cp in sorted(table):
        kind, spellings, final = table[cp]
        final_c = '"%s"' % final if final else "NULL"
        lines.append('    {0x%04X, %s, "%s", %s}, /* %s */'
                     % (cp, ARABIZI_KINDS[kind], spellings, final_c, icu.Char.charName(cp)))
    lines.append("};")
    lines.append("const size_t norm_arabizi_map_count = %d;" % len(table))
    return lines


def is_arabic(cp):
    return icu.Script.hasScript(cp, icu.UScriptCode.ARABIC)


def assigned(cp):
    return icu.Char.charType(cp) != icu.UCharCategory.UNASSIGNED


def read_lookalikes():
    """{prototype cp: ASCII letter} from tools/data/lookalikes.txt."""
    path = os.path.join(DATA, "lookalikes.txt")
    out = {}
    for n, fields in data_lines(path):
        if len(fields) != 2:
            fail(path, n, "expected U+XXXX LETTER")
        cp = parse_cp(path, n, fields[0])
        if len(fields[1]) != 1 or not ("a" <= fields[1] <= "z"):
            fail(path, n, "letter %r is not one ASCII lowercase letter" % fields[1])
        out[cp] = fields[1]
    return out


LOOKALIKES = None


def readable(ch):
    """A non-ASCII prototype as the ASCII letter readers take it for: a Latin
    small capital by its name (LATIN LETTER SMALL CAPITAL T is t), else
    tools/data/lookalikes.txt; None when neither says."""
    name = icu.Char.charName(ord(ch))
    small_cap = "LATIN LETTER SMALL CAPITAL "
    if name.startswith(small_cap) and len(name) == len(small_cap) + 1:
        return name[-1].lower()
    return LOOKALIKES.get(ord(ch))


def prototype(checker, text):
    """The TR39 skeleton of text, marks stripped and case folded; None when
    the skeleton, marks stripped, is not ASCII before folding. A one-letter
    skeleton that is not ASCII but reads as an ASCII letter (readable()) is
    that letter."""
    skel = checker.getSkeleton(0, text)
    bare = "".join(ch for ch in skel if icu.Char.charType(ord(ch)) not in MARK_TYPES)
    if len(bare) == 1 and not bare.isascii() and readable(bare):
        return readable(bare)
    if not bare.isascii():
        return None
    return str(icu.UnicodeString(bare).foldCase())


def read_confusables():
    """{cp: (ASCII letters, 0)} from ICU's confusable skeletons.

    Kept: non-ASCII code points of the Latin, Cyrillic, Greek and Common
    scripts, none with Arabic among its script extensions, whose skeleton
    (combining marks removed, case folded) is plain ASCII letters. Marks go
    because the folded view drops them too (so "ø" is "o" like "ö"). The
    skeleton must be ASCII before folding: β's prototype ß folds to "ss",
    but nobody reads β as "ss".
    ICU maps some ASCII letters themselves to prototypes ("m" to "rn"); the
    skeleton view keeps ASCII letters, so a prototype equal to such a letter's
    is written as that letter ("ɱ" is "m", not "rn").
    """
    checker = icu.SpoofChecker()
    ascii_of = {}
    for c in "abcdefghijklmnopqrstuvwxyz":
        p = prototype(checker, c)
        if p is not None and p != c:
            ascii_of.setdefault(p, c)
    out = {}
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF or not assigned(cp):
            continue
        if icu.Script.getScript(cp).getShortName() not in KEPT_SCRIPTS or is_arabic(cp):
            continue
        ch = chr(cp)
        if checker.getSkeleton(0, ch) == ch and not readable(ch):
            continue
        p = prototype(checker, ch)
        p = ascii_of.get(p, p)
        if p and p.isalpha():
            if len(p) > MAX_BYTES:
                sys.exit("prototype of U+%04X is longer than %d bytes" % (cp, MAX_BYTES))
            out[cp] = (p, 0)
    return out


def arabic_ranges():
    """Ranges of assigned code points with Arabic in their script extensions."""
    ranges = []
    for cp in range(0, 0x110000):
        if 0xD800 <= cp <= 0xDFFF or not assigned(cp) or not is_arabic(cp):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return ranges


def deb_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def c_entries(name, table):
    lines = ["const struct norm_map_entry %s[] = {" % name]
    for cp in sorted(table):
        repl, where = table[cp]
        b = repl.encode("utf-8")
        if len(b) > MAX_BYTES:
            sys.exit("replacement of U+%04X is longer than %d bytes" % (cp, MAX_BYTES))
        bytes_c = ", ".join("0x%02X" % x for x in b) if b else "0"
        comment = ""
        if 0x20 < cp < 0x7F and chr(cp) not in "\\*/":
            comment = " /* %s */" % chr(cp)
        elif cp >= 0x80:
            comment = " /* %s */" % icu.Char.charName(cp)
        lines.append("    {0x%04X, %d, %d, {%s}},%s" % (cp, len(b), where, bytes_c, comment))
    lines.append("};")
    lines.append("const size_t %s_count = %d;" % (name, len(table)))
    return lines


def generate():
    global LOOKALIKES
    LOOKALIKES = read_lookalikes()
    arabic = read_arabic()
    leet = read_leet()
    arabizi = read_arabizi(arabic)
    confusables = read_confusables()
    ranges = arabic_ranges()
    out = [
        "/*",
        " * norm_data.c - generated by tools/gen_tables.py from tools/data/arabic.txt,",
        " * leet.txt, arabizi.txt, lookalikes.txt and the Unicode TR39 confusables of ICU"
        " %s (Unicode %s),"
        % (icu.ICU_VERSION, icu.UNICODE_VERSION),
        " * read through Debian's python3-icu %s over libicu72 %s; do not edit."
        % (deb_version("python3-icu"), deb_version("libicu72")),
        " * Regenerate with `make tables`. ICU data: Copyright (c) 1991-2022 Unicode, Inc.,",
        " * MIT licence (tools/data/SOURCE.txt has the notice).",
        " */",
        "/* clang-format off */",
        '#include "norm_data.h"',
        "",
        "/* Arabic letter unification, applied after utf8proc's fold. */",
    ]
    out += c_entries("norm_arabic_map", arabic)
    out += ["", "/* Leetspeak: where is a mask of NORM_LEET_START/INNER/END. */"]
    out += c_entries("norm_leet_map", leet)
    out += ["", "/* Arabizi spellings of the folded view's Arabic letters. */"]
    out += c_arabizi(arabizi)
    out += ["", "/* TR39 confusable prototypes, as folded ASCII letters. */"]
    out += c_entries("norm_confusable_map", confusables)
    out += ["", "/* Code points with Arabic among their script extensions. */",
            "const struct norm_range norm_arabic_ranges[] = {"]
    out += ["    {0x%04X, 0x%04X}," % (a, b) for a, b in ranges]
    out += ["};", "const size_t norm_arabic_ranges_count = %d;" % len(ranges), ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    args = ap.parse_args()
    text = generate()
    if args.output == "-":
        sys.stdout.write(text)
        return
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
