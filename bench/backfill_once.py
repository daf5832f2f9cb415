#!/usr/bin/env python3
"""Three runs each of `quell backfill` (N synthetic records into the input
stream, no --rate) and `quell collect --count N` (the verdicts two workers
wrote for them) against a private redis-server (unix socket, no
persistence): wall time, CPU time (user + system) and peak RSS of each
run, from /usr/bin/time, and the medians.

Usage: bench/backfill_once.py QUELL RULES [N]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "worker"))
from test_worker import Client, wait_for  # noqa: E402  (the tests' RESP client)


def timed(quell, args):
    """(wall s, cpu s, max RSS MB) of one run of quell ARGS."""
    t = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", quell] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    wall, user, system, rss = map(float, t.stderr.decode().strip().splitlines()[-1].split())
    return wall, user + system, rss / 1024


def report(name, n, runs):
    wall = statistics.median(r[0] for r in runs)
    print("%s, %d lines: wall %s s, cpu %s s, max RSS %s MB; median wall %.2f s "
          "(%.0f lines/s), median cpu %.2f s"
          % (name, n, [r[0] for r in runs], [round(r[1], 2) for r in runs],
             [round(r[2]) for r in runs], wall, n / wall,
             statistics.median(r[1] for r in runs)))


def main():
    quell, rules = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200000
    folder = tempfile.mkdtemp(prefix="quell-backfill-bench-")
    sock = os.path.join(folder, "redis.sock")
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock,
                               "--save", "", "--appendonly", "no", "--dir", folder],
                              stdout=subprocess.DEVNULL)
    url = "unix://" + sock
    try:
        wait_for(lambda: os.path.exists(sock), "redis-server")
        time.sleep(0.2)
        corpus = os.path.join(folder, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps({"id": i, "body": "a fine comment number %d, or an idiot's" % i,
                                    "author": "reader%d" % (i % 50)}) + "\n")
        c = Client(sock)
        runs = []
        for _ in range(3):
            c.call("FLUSHALL")
            runs.append(timed(quell, ["backfill", "--redis", url, corpus]))
        report("backfill", n, runs)
        workers = [subprocess.Popen([quell, "worker", "--redis", url, "--from-start",
                                     "--consumer", name, "--batch", "500", rules],
                                    stderr=subprocess.DEVNULL) for name in ("a", "b")]
        wait_for(lambda: c.call("XLEN", "quell:out") == n, "the verdicts")
        for w in workers:
            w.terminate()
            w.wait()
        runs = [timed(quell, ["collect", "--redis", url, "--count", str(n)]) for _ in range(3)]
        report("collect", n, runs)
        c.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
