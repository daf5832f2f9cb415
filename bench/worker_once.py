#!/usr/bin/env python3
"""One measurement of `quell worker` against `quell filter` on the same
comments, until `make bench-worker` exists: JSON Lines records are loaded
into a stream of a private redis-server (unix socket, no persistence),
WORKERS worker processes of -j 1 score them all, and the wall and CPU time
they took is printed beside `quell filter -f jsonl -j 1` on the same file.
Every verdict is also compared with filter's line for its record.

Usage: bench/worker_once.py QUELL RULES RECORDS.jsonl [WORKERS [BATCH]]
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


def main():
    quell, rules, path = sys.argv[1:4]
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    batch = sys.argv[5] if len(sys.argv) > 5 else "100"
    with open(path, encoding="utf-8") as f:
        records = [line.rstrip("\n") for line in f if line.strip()]

    cpu0, t0 = children_cpu(), time.monotonic()
    out = subprocess.run([quell, "filter", "-f", "jsonl", "-j", "1", rules],
                         input="".join(r + "\n" for r in records).encode(),
                         stdout=subprocess.PIPE, check=False).stdout.decode().splitlines()
    filter_wall, filter_cpu = time.monotonic() - t0, children_cpu() - cpu0

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
        redis_cpu0 = sum(float(v) for k, v in info_cpu(c).items())

        cpu0, t0 = children_cpu(), time.monotonic()
        procs = [subprocess.Popen([quell, "worker", "--redis", "unix://" + sock, "--consumer",
                                   "w%d" % i, "--batch", batch, "--block", "100", rules],
                                  stderr=subprocess.DEVNULL) for i in range(workers)]
        while c.call("XLEN", "quell:out") < len(records):
            time.sleep(0.01)
        worker_wall = time.monotonic() - t0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait()
        worker_cpu = children_cpu() - cpu0
        redis_cpu = sum(float(v) for k, v in info_cpu(c).items()) - redis_cpu0

        verdicts = {}
        for _, fields in c.call("XRANGE", "quell:out", "-", "+"):
            d = dict(zip(fields[::2], fields[1::2]))
            verdicts[d[b"in"].decode()] = d[b"verdict"].decode()
        same = sum(verdicts.get(i) == want for i, want in zip(ids, out))
        c.close()
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(records)
    print("records %d, verdicts equal to filter's: %d" % (n, same))
    print("filter -j 1:     wall %.2f s (%.0f/s), cpu %.2f s" %
          (filter_wall, n / filter_wall, filter_cpu))
    print("worker x%d (-j 1, batch %s): wall %.2f s (%.0f/s), worker cpu %.2f s, "
          "redis-server cpu %.2f s" % (workers, batch, worker_wall, n / worker_wall, worker_cpu,
                                       redis_cpu))


def info_cpu(c):
    """used_cpu_sys and used_cpu_user of the server, in seconds."""
    text = c.call("INFO", "cpu").decode()
    return {k: v for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)
            if k in ("used_cpu_sys", "used_cpu_user")}


if __name__ == "__main__":
    main()
