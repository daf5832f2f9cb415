#!/usr/bin/env python3
"""worker_soak.py - `make soak-worker`: quell worker on a long stream, with
the failures the short test (tests/worker/test_worker.py) has, at scale.

COUNT mixed records (the test's make_records: clean, abusive, malformed,
without a body, without a record field) go into the input stream of a
private redis-server (a unix socket in a temporary folder, append-only
file on) in batches while workers score them: two workers of -j 2 from the
start; one is killed with SIGKILL a third of the way in; the server is
restarted two thirds of the way in; a third worker with a short
--claim-idle joins at the end to claim what the dead one held. Then every
input entry must have exactly one verdict, equal to `quell filter -f
jsonl`'s line for its record alone, and nothing may be left pending.

Usage: tools/soak/worker_soak.py [COUNT] (default 1000000)
Environment: QUELL_BIN (default build/quell), QUELL_SRCDIR (default .).
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "worker"))
import test_worker as tw  # noqa: E402  (the tests' Redis client, server and worker)

CHUNK = 5000


class SoakRedis(tw.RedisServer):
    """The tests' server, its append-only file synced every second rather
    than on every write: a million writes each synced would measure the
    disk. A restart is a clean SIGTERM, which syncs it whole."""

    def start(self):
        self.log = open(os.path.join(self.dir, "redis.log"), "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
             "--dir", self.dir],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                c = tw.Client(self.sock)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, ConnectionError, tw.RedisError):
                pass
            time.sleep(0.05)
        raise SystemExit("soak-worker: redis-server did not start")


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    start = time.monotonic()
    redis = SoakRedis()
    rules = os.path.join(redis.dir, "rules.cfg")
    tw.write_rules(rules, "soak", ["idiot", "crétin"])
    workers = []
    try:
        records = tw.make_records(count)
        c = redis.client()
        c.call("XGROUP", "CREATE", "quell:in", "quell", "$", "MKSTREAM")
        workers.append(tw.Worker(redis, rules, "a", "-j", "2", "--batch", "200"))
        workers.append(tw.Worker(redis, rules, "b", "-j", "2", "--batch", "50"))
        ids = []
        for k in range(0, count, CHUNK):
            ids += tw.xadd(c, "quell:in", records[k:k + CHUNK])
            if k // CHUNK == (count // CHUNK) // 3:
                workers[0].stop(signal.SIGKILL)
                print("soak-worker: worker a killed after %d entries" % len(ids), flush=True)
            if k // CHUNK == 2 * (count // CHUNK) // 3:
                c.close()
                redis.restart()
                c = redis.client()
                print("soak-worker: redis-server restarted after %d entries" % len(ids),
                      flush=True)
        workers.append(tw.Worker(redis, rules, "c", "--claim-idle", "500", "--batch", "100"))
        deadline = time.monotonic() + 3600
        while not (c.call("XLEN", "quell:out") >= len(ids) and tw.pending_count(c) == 0):
            if time.monotonic() > deadline:
                raise SystemExit("soak-worker: FAIL: not every entry written within an hour")
            time.sleep(0.5)
        scored_at = time.monotonic()
        for w in workers[1:]:
            rc = w.stop()
            if rc != 0:
                raise SystemExit("soak-worker: FAIL: a worker exited %s:\n%s" % (rc, w.stderr()))

        want = tw.expected_verdicts(rules, records)
        seen = {}
        twice = 0
        for entry_id, verdict in tw.output_entries(c):
            if entry_id in seen:
                twice += 1
            seen.setdefault(entry_id, verdict)
        missing = sum(1 for i in ids if i not in seen)
        unknown = len(set(seen) - set(ids))
        wrong = sum(1 for i, line in zip(ids, want) if seen.get(i) != line)
        c.close()
    finally:
        for w in workers:
            w.stop(signal.SIGKILL)
        redis.close()
    print("soak-worker: %d entries, %d verdicts; missing %d, twice %d, unknown %d, "
          "different from quell filter %d" % (len(ids), len(seen) + twice, missing, twice,
                                              unknown, wrong))
    print("soak-worker: scored in %.0f s; %.0f s in all" % (scored_at - start,
                                                           time.monotonic() - start))
    if missing or twice or unknown or wrong:
        raise SystemExit("soak-worker: FAIL")
    print("soak-worker: ok")


if __name__ == "__main__":
    main()
