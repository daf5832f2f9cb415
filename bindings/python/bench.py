"""What a context costs a Python caller: the same comments scanned alone
(Filter.scan) and in one quell.Context, with the wall and CPU time of each
run and their medians.

    QUELL_LIB=build/libquell.so.2 python3 bindings/python/bench.py \\
        tests/fixtures/context/context.cfg [comments] [runs]

The comments are tests/test_context.py's stream (readers, campaigns, a
flood, repeats), repeated with fresh ids and times one second apart.
"""

import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tests"))

import quell  # noqa: E402
from test_context import make_stream  # noqa: E402


def comments(count):
    base = make_stream()
    out = []
    for n in range(count):
        rec = base[n % len(base)]
        out.append((rec["body"], rec.get("author"), n, 1765062000 + n))
    return out


def run(f, records, with_context):
    # Made before the clock starts: its tables are allocated up front.
    ctx = quell.Context() if with_context else None
    wall, cpu = time.perf_counter(), time.process_time()
    if ctx is None:
        for body, author, n, _ in records:
            f.scan(body, author=author, id=n)
    else:
        for body, author, n, t in records:
            f.scan(body, author=author, id=n, time=t, context=ctx)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(rules, count=20000, runs=5):
    f = quell.Filter(rules)
    records = comments(count)
    run(f, records[:1000], True)  # warm up
    for name, with_context in (("plain", False), ("context", True)):
        walls, cpus = [], []
        for _ in range(runs):
            wall, cpu = run(f, records, with_context)
            walls.append(wall)
            cpus.append(cpu)
        print("%-8s %d comments x %d runs: wall median %.3f s (%.1f us/comment), "
              "cpu median %.3f s; walls %s" % (
                  name, count, runs, statistics.median(walls),
                  statistics.median(walls) / count * 1e6, statistics.median(cpus),
                  " ".join("%.3f" % w for w in walls)))
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    sys.exit(main(args[0], *(int(a) for a in args[1:3])))
