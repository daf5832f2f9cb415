#!/usr/bin/env python3
"""`make bench-worker`: `quell worker` against `quell filter` on the same
comments. JSON Lines records are loaded into a stream of a private
redis-server (unix socket, no persistence); 1, then 2, worker processes of
-j 1 score them all; the wall and CPU time they took is printed beside
`quell filter -f jsonl -j 1` on the same records, medians of PASSES passes.
Every verdict is compared with filter's line for its record.

The share of a worker's time in Redis round trips is estimated as what
its wall time has beyond filter's CPU time for the same comments (the
scoring and JSON both do): (worker wall - filter CPU) / worker wall, with
one worker. redis-server's own CPU a comment is read from INFO cpu.

Usage: bench/worker.py QUELL RULES RECORDS.jsonl [COUNT [BATCH [PASSES]]]
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "worker"))
from test_worker import Client  # noqa: E402  (the tests' RESP client)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def run_filter(quell, rules, records):
    cpu0, t0 = children_cpu(), time.monotonic()
    out = subprocess.run([quell, "filter", "-f", "jsonl", "-j", "1", rules],
                         input="".join(r + "\n" for r in records).encode(),
                         stdout=subprocess.PIPE, check=False).stdout.decode().splitlines()
    return out, time.monotonic() - t0, children_cpu() - cpu0


def run_workers(quell, rules, records, want, workers, batch):
    """One pass: a fresh server, the records loaded, WORKERS workers until
    every verdict is out. Returns wall, workers' CPU, server CPU, equal."""
    tmp = tempfile.mkdtemp(prefix="quell-bench-worker-")
    sock = os.path.join(tmp, "redis.sock")
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
                              "--appendonly", "no", "--dir", tmp], stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                c = Client(sock)
                break
            except OSError:
                time.sleep(0.05)
        for k in range(0, len(records), 1000):
            c.pipeline([("XADD", "quell:in", "*", "record", r) for r in records[k:k + 1000]])
        ids = [e[0].decode() for e in c.call("XRANGE", "quell:in", "-", "+")]
        c.call("XGROUP", "CREATE", "quell:in", "quell", "0")
        redis_cpu0 = sum(float(v) for v in info_cpu(c).values())

        cpu0, t0 = children_cpu(), time.monotonic()
        procs = [subprocess.Popen([quell, "worker", "--redis", "unix://" + sock, "--consumer",
                                   "w%d" % i, "--batch", batch, "--block", "100", rules],
                                  stderr=subprocess.DEVNULL) for i in range(workers)]
        while c.call("XLEN", "quell:out") < len(records):
            time.sleep(0.01)
        wall = time.monotonic() - t0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait()
        cpu = children_cpu() - cpu0
        redis_cpu = sum(float(v) for v in info_cpu(c).values()) - redis_cpu0
        verdicts = {}
        for _, fields in c.call("XRANGE", "quell:out", "-", "+"):
            d = dict(zip(fields[::2], fields[1::2]))
            verdicts[d[b"in"].decode()] = d[b"verdict"].decode()
        same = sum(verdicts.get(i) == w for i, w in zip(ids, want))
        c.close()
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return wall, cpu, redis_cpu, same


def main():
    quell, rules, path = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    batch = sys.argv[5] if len(sys.argv) > 5 else "100"
    passes = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    with open(path, encoding="utf-8") as f:
        records = [line.rstrip("\n") for line in f if line.strip()][:count]
    n = len(records)
    print("make bench-worker, %s, %d CPUs, load average %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(),
        " ".join(open("/proc/loadavg").read().split()[:3])))
    print("%d records from %s; rules %s; worker batch %s; medians of %d passes" % (
        n, path, rules, batch, passes))
    print()
    runs = [run_filter(quell, rules, records) for _ in range(passes)]
    want = runs[0][0]
    f_wall = median([r[1] for r in runs])
    f_cpu = median([r[2] for r in runs])
    print("| run | comments/s | wall s | quell CPU s | redis-server CPU s | verdicts equal to filter's |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print("| quell filter -j 1 | %.0f | %.2f | %.2f | - | - |" % (n / f_wall, f_wall, f_cpu))
    one_wall = None
    for workers in (1, 2):
        res = [run_workers(quell, rules, records, want, workers, batch) for _ in range(passes)]
        wall = median([r[0] for r in res])
        cpu = median([r[1] for r in res])
        rcpu = median([r[2] for r in res])
        same = min(r[3] for r in res)
        if workers == 1:
            one_wall = wall
        print("| %d worker%s (-j 1) | %.0f | %.2f | %.2f | %.2f | %d of %d |" % (
            workers, "" if workers == 1 else "s", n / wall, wall, cpu, rcpu, same, n))
        if workers == 1:
            redis_us = rcpu * 1e6 / n
    print()
    print("one worker: %.0f%% of its wall time beyond filter's CPU for the same comments "
          "(Redis round trips, reading and writing); redis-server %.1f us of CPU a comment, "
          "so one server tops out near %.0f comments/s" % (
              100 * max(0.0, one_wall - f_cpu) / one_wall, redis_us, 1e6 / redis_us))


def info_cpu(c):
    """used_cpu_sys and used_cpu_user of the server, in seconds."""
    text = c.call("INFO", "cpu").decode()
    return {k: v for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)
            if k in ("used_cpu_sys", "used_cpu_user")}


if __name__ == "__main__":
    main()
