"""Scan a few comments with the shipped rules and print what quell decided.

    QUELL_LIB=build/libquell.so.2 python3 bindings/python/example.py build/default.qdb

tests/test_quell.py runs it, so it is known to work.
"""

import sys

import quell


def main(rules_path: str) -> int:
    f = quell.Filter(rules_path)
    print("rules", f.rules_id)
    for body in ["Great reporting, thanks.", "What an idiot.", "انت غبي 🙄"]:
        v = f.scan(body, censor="*")
        print(v.action, v.score, v.categories, repr(v.censored))
        for hit in v.hits:
            # char offsets index the str; start/end are UTF-8 bytes.
            assert body[hit.char_start:hit.char_end] == hit.text
            print("  ", hit.rule, hit.char_start, hit.char_end, hit.text)
    try:
        quell.Filter("/nonexistent/rules.cfg")
    except quell.QuellError as err:
        print("error", err.code_name, err)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/usr/local/share/quell/rules/default.cfg"))
