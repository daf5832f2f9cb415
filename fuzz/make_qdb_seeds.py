#!/usr/bin/env python3
"""make_qdb_seeds.py - write the qdb fuzz target's seeds (fuzz/corpus/qdb)
and its regression input (fuzz/regressions/qdb) from a small rule set
compiled by the quell command: a file that loads, and the same file damaged
in each way the loader names. Run again whenever the .qdb format changes:
seeds of an older format stop at the version check.

Usage: python3 fuzz/make_qdb_seeds.py [QUELL_BIN]   (default build/quell)

Each seed's first byte is the target's flag: 1 reseals the rest (qdb_seal).
The checksum is the format's (src/qdb.c): XXH3 64 of the bytes after the
first 32, seeded with XXH3 64 of those 32, the checksum's own 8 as zeros;
formats 5 to 7 used FNV-1a 64 of the whole file, 1 to 4 of the payload.
"""
import ctypes
import os
import struct
import subprocess
import sys
import tempfile

TINY_CFG = r"""version = 1;
actions = { flag = 2.0; hold = 4.0; reject = 8.0; };
categories = ( { name = "insult"; cap = 6.0; }, { name = "spam"; } );
rules = (
  { id = "w"; category = "insult"; weight = 2.0; words = [ "idiot" ];
    must_match = [ "idiot" ]; must_not_match = [ "idiotic" ]; },
  { id = "you"; category = "insult"; weight = 0.0; words = [ "you" ]; },
  { id = "aimed"; category = "insult"; weight = 1.5; combine = "you & w"; },
  { id = "link"; category = "spam"; weight = 1.0; regexes = [ "https?://\\S+" ]; },
  { id = "pasted"; category = "spam"; weight = 2.0; context = "campaign_authors"; at_least = 3; },
  { id = "nick"; category = "spam"; weight = 3.0; field = "author"; substrings = [ "casino" ]; }
);
"""

HEADER = 96
SUM_AT = 24

xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
xxh.XXH3_64bits_withSeed.restype = ctypes.c_uint64
xxh.XXH3_64bits_withSeed.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def with_sum(data, value):
    return data[:SUM_AT] + struct.pack("<Q", value) + data[SUM_AT + 8:]


def seal(data):
    """The current format's checksum, with the payload length made right."""
    data = bytearray(data)
    data[16:24] = struct.pack("<Q", len(data) - HEADER)
    data = with_sum(bytes(data), 0)
    seed = xxh.XXH3_64bits(data[:32], 32)
    rest = data[32:]
    return with_sum(data, xxh.XXH3_64bits_withSeed(rest, len(rest), seed))


def set_version(data, version):
    return data[:8] + struct.pack("<I", version) + data[12:]


def main():
    quell = sys.argv[1] if len(sys.argv) > 1 else "build/quell"
    quell = os.path.abspath(quell)
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "tiny.cfg"), "w") as f:
            f.write(TINY_CFG)
        # A relative path: the file keeps it, so the seeds do not name tmp.
        subprocess.run([quell, "compile", "tiny.cfg", "-o", "tiny.qdb"], cwd=tmp, check=True)
        with open(os.path.join(tmp, "tiny.qdb"), "rb") as f:
            tiny = f.read()

    def flip(data, at, value):
        return data[:at] + bytes([value]) + data[at + 1:]

    old_payload = set_version(tiny, 4)
    old_payload = with_sum(old_payload, fnv1a64(old_payload[HEADER:]))
    old_whole = with_sum(set_version(tiny, 7), 0)
    old_whole = with_sum(old_whole, fnv1a64(old_whole))
    seeds = {
        "tiny.bin": b"\0" + tiny,
        "tiny-sealed.bin": b"\1" + tiny,
        "header-only.bin": b"\1" + tiny[:HEADER],
        "truncated.bin": b"\0" + tiny[: len(tiny) // 2],
        "magic-flip.bin": b"\0" + flip(tiny, 3, ord("H")),
        "length-flip.bin": b"\0" + flip(tiny, 20, 0x40),
        # A digit of the Hyperscan version's date: another build.
        "hsver-flip.bin": b"\0" + flip(tiny, 32 + 8, tiny[32 + 8] ^ 1),
        "version-4.bin": b"\0" + old_payload,
        "version-7.bin": b"\0" + old_whole,
        "version-9.bin": b"\0" + seal(set_version(tiny, 9)),
    }
    # The regression: a byte 69 from the end of the last database, which
    # Hyperscan ignores and writes back as zero, set and the file resealed.
    last_db = tiny.rfind(b"\xdb\xdb\xdb\xdb")
    last_end = last_db + struct.unpack("<Q", tiny[last_db - 8 : last_db])[0]
    regressions = {"resealed-reserved-byte.bin": b"\1" + flip(tiny, last_end - 69, 0x20)}
    for folder, files in (("corpus/qdb", seeds), ("regressions/qdb", regressions)):
        os.makedirs(os.path.join(here, folder), exist_ok=True)
        for name, data in files.items():
            with open(os.path.join(here, folder, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
