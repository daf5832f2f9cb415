#!/usr/bin/env python3
"""Tests of `quell worker` against a real redis-server: several workers on one
consumer group, one killed with SIGKILL, a dead consumer's entries claimed,
the server restarted with its append-only file, and in the end exactly one
verdict per input entry, each the line `quell filter -f jsonl` writes for the
same record with the same rules. Then SIGTERM, SIGHUP, and the idempotence of
the write script. Then `quell backfill` and `quell collect` around two
workers: the collected verdicts are `quell filter -f jsonl`'s on the same
corpus, line for line, through a restart of the server during a backfill.
Each test runs its own redis-server on a unix socket in a temporary folder,
and stops it.

Environment: QUELL_BIN (the quell binary), QUELL_SRCDIR (the source tree,
for the write script's text in src/cli/cmd_worker.c).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("QUELL_BIN", "build/quell")
SRCDIR = os.environ.get("QUELL_SRCDIR", ".")
# Generous: the machine is shared and busy.
WAIT_SECONDS = 120

RULES = """version = 1;
label = "%s";
actions = { flag = 1; hold = 5; reject = 10; };
categories = ( { name = "insult"; } );
rules = (
  { id = "insult.word"; category = "insult"; weight = %d; words = [ %s ]; }
);
"""


class RedisError(Exception):
    pass


class Client:
    """A minimal RESP2 client over a unix socket: enough for these tests,
    without a Python package to install."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(WAIT_SECONDS)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.file = self.sock.makefile("rb")

    def close(self):
        self.file.close()
        self.sock.close()

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def read(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError("bad reply %r" % line)

    def call(self, *args):
        self.sock.sendall(self.encode(args))
        r = self.read()
        if isinstance(r, RedisError):
            raise r
        return r

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(c) for c in commands))
        return [self.read() for _ in commands]


class RedisServer:
    """redis-server on a unix socket in a folder of its own, with an
    append-only file fsynced on every write, so a restart keeps everything."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="quell-worker-")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.dir, "redis.log"), "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--dir", self.dir],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                c = Client(self.sock)
                try:
                    if c.call("PING") == "PONG":
                        return
                finally:
                    c.close()
            except (OSError, ConnectionError, RedisError):
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        """SIGTERM: redis-server flushes its append-only file and exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=WAIT_SECONDS)
        self.log.close()

    def restart(self):
        self.stop()
        self.start()

    def url(self):
        return "unix://" + self.sock

    def client(self):
        return Client(self.sock)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Worker:
    def __init__(self, redis, rules, consumer, *args):
        self.err_path = os.path.join(redis.dir, "worker-%s.err" % consumer)
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(
            [BIN, "worker", "--redis", redis.url(), "--consumer", consumer, *args, rules],
            stdout=subprocess.DEVNULL, stderr=self.err)

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        return self.proc.returncode


def write_rules(path, label, words, weight=2):
    with open(path, "w", encoding="utf-8") as f:
        f.write(RULES % (label, weight, ", ".join('"%s"' % w for w in words)))


def filter_lines(rules, records):
    """What `quell filter -f jsonl` writes for these records, one line each."""
    out = subprocess.run([BIN, "filter", "-f", "jsonl", rules],
                         input="".join(r + "\n" for r in records).encode(),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    return out.stdout.decode().splitlines()


def expected_verdicts(rules, records):
    """The verdict of each record (None: an entry without a record field):
    `quell filter -f jsonl` on all of them, in one run. A record whose id
    cannot be read is numbered by its line there, and 1 by a worker, which
    sees it alone (without a `line` field); the rest of its line is the
    same."""
    present = [r for r in records if r is not None]
    lines = iter(filter_lines(rules, present))
    out = []
    for r in records:
        if r is None:
            out.append('{"id":1,"action":"error","error":"entry has no record field"}')
            continue
        line = next(lines)
        try:
            has_id = "id" in json.loads(r)
        except ValueError:
            has_id = False
        # A worker sees the record alone: filter would number it 1 there.
        out.append(line if has_id else re.sub(r'^\{"id":\d+,', '{"id":1,', line))
    return out


def make_records(count, first=0):
    """Mixed records: clean, abusive, malformed JSON, without a body, string
    ids, non-ASCII text; None stands for an entry without a record field."""
    records = []
    for i in range(first, first + count):
        if i % 97 == 3:
            records.append(None)
        elif i % 37 == 5:
            records.append('{"id":%d,"body":"unterminated' % i)
        elif i % 41 == 7:
            records.append(json.dumps({"id": i, "author": "no body"}))
        elif i % 10 == 1:
            records.append(json.dumps({"id": "c-%d" % i, "body": "what an idiot, %d" % i,
                                       "author": "troll"}))
        elif i % 13 == 2:
            records.append(json.dumps({"id": i, "body": "Ça va, crétin ? %d" % i},
                                      ensure_ascii=False))
        else:
            records.append(json.dumps({"id": i, "body": "a fine comment number %d" % i,
                                       "author": "reader%d" % (i % 50)}))
    return records


def xadd(client, stream, records):
    """Add records to the stream; returns their entry ids."""
    cmds = [("XADD", stream, "*", "record", r) if r is not None
            else ("XADD", stream, "*", "other", "no record here") for r in records]
    ids = client.pipeline(cmds)
    for i in ids:
        if isinstance(i, RedisError):
            raise i
    return [i.decode() for i in ids]


def output_entries(client, stream="quell:out"):
    """(in, verdict) of every output entry, in order."""
    out = []
    for _, fields in client.call("XRANGE", stream, "-", "+"):
        d = dict(zip(fields[::2], fields[1::2]))
        out.append((d[b"in"].decode(), d[b"verdict"].decode()))
    return out


def pending_count(client, stream="quell:in", group="quell"):
    return client.call("XPENDING", stream, group)[0]


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, ConnectionError):
            pass
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def write_script():
    """The worker's write script, from its source: the test runs the very text."""
    with open(os.path.join(SRCDIR, "src", "cli", "cmd_worker.c"), encoding="utf-8") as f:
        src = f.read()
    body = re.search(r"WRITE_SCRIPT\[\] =(.*?);\n", src, re.S).group(1)
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
    return "".join(p.encode().decode("unicode_escape") for p in parts)


class WorkerTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer()
        self.rules = os.path.join(self.redis.dir, "rules.cfg")
        write_rules(self.rules, "one", ["idiot", "crétin"])
        self.workers = []

    def tearDown(self):
        for w in self.workers:
            w.stop(signal.SIGKILL)
        self.redis.close()

    def start(self, consumer, *args):
        w = Worker(self.redis, self.rules, consumer, *args)
        self.workers.append(w)
        return w

    def check_one_verdict_each(self, client, ids, expected):
        """Every input id has exactly one verdict, equal to the expected line."""
        out = output_entries(client)
        seen = {}
        for entry_id, verdict in out:
            self.assertNotIn(entry_id, seen, "two verdicts for %s" % entry_id)
            seen[entry_id] = verdict
        self.assertEqual(sorted(seen), sorted(ids), "verdicts missing or for unknown entries")
        for entry_id, want in zip(ids, expected):
            self.assertEqual(seen[entry_id], want, "entry %s" % entry_id)

    def test_kill_claim_restart_exactly_once(self):
        c = self.redis.client()
        records = make_records(3000)
        ids = xadd(c, "quell:in", records[:1000])
        c.call("XGROUP", "CREATE", "quell:in", "quell", "0")
        # A consumer that read entries and died before writing them: only
        # a claim after --claim-idle can get them written.
        ghost = c.call("XREADGROUP", "GROUP", "quell", "ghost", "COUNT", "40",
                       "STREAMS", "quell:in", ">")
        ghost_ids = [e[0].decode() for e in ghost[0][1]]
        self.assertEqual(len(ghost_ids), 40)

        a = self.start("a", "--batch", "7")
        wait_for(lambda: c.call("XLEN", "quell:out") == 960, "worker a's verdicts")
        # Worker a dies with a batch in hand: stopped while blocked in
        # XREADGROUP, it is handed new entries it never writes, then killed.
        def a_holds():
            rows = c.call("XPENDING", "quell:in", "quell")[3] or []
            return any(row[0] == b"a" for row in rows)
        for k in range(1000, 1020):
            a.proc.send_signal(signal.SIGSTOP)
            ids += xadd(c, "quell:in", records[k:k + 1])
            time.sleep(0.05)
            if a_holds():
                break
            a.proc.send_signal(signal.SIGCONT)
            time.sleep(0.1)
        self.assertTrue(a_holds(), "worker a took no entry while stopped")
        b = self.start("b", "--batch", "13", "-j", "2")
        for k in range(len(ids), 2000, 100):
            ids += xadd(c, "quell:in", records[k:min(k + 100, 2000)])
            time.sleep(0.02)
        a.stop(signal.SIGKILL)
        held = {row[0].decode(): int(row[1]) for row in c.call("XPENDING", "quell:in", "quell")[3]}
        self.assertGreater(held.get("a", 0), 0)
        c.close()
        self.redis.restart()
        c = self.redis.client()
        for k in range(2000, 3000, 100):
            ids += xadd(c, "quell:in", records[k:k + 100])
            time.sleep(0.02)
        claimer = self.start("c", "--claim-idle", "300", "--batch", "50")

        wait_for(lambda: c.call("XLEN", "quell:out") >= len(ids) and pending_count(c) == 0,
                 "a verdict for every entry")
        self.assertEqual(b.stop(), 0, b.stderr())
        self.assertEqual(claimer.stop(), 0, claimer.stderr())
        self.check_one_verdict_each(c, ids, expected_verdicts(self.rules, records))
        # The ghost's entries (and any the killed worker held) were claimed
        # and written by c, the one with a short --claim-idle.
        written = int(re.search(r"(\d+) verdicts written", claimer.stderr()).group(1))
        self.assertGreaterEqual(written, held["ghost"] + held.get("a", 0), claimer.stderr())
        if os.environ.get("QUELL_WORKER_VERBOSE"):
            print("\npending at the kill:", held, "\n" + a.stderr() + b.stderr() +
                  claimer.stderr())
        self.assertIn("redis %s: " % self.redis.url(), b.stderr())
        # One line for the outage, however many retries, and one when back.
        self.assertEqual(b.stderr().count("; retrying"), 1, b.stderr())
        self.assertEqual(b.stderr().count("connected again"), 1, b.stderr())
        c.close()

    def test_sigterm_finishes_and_leaves_nothing_pending(self):
        c = self.redis.client()
        records = make_records(2100)
        w = self.start("t", "--from-start", "--batch", "25", "-j", "2")
        ids = []
        for k in range(0, 2000, 200):
            ids += xadd(c, "quell:in", records[k:k + 200])
        wait_for(lambda: c.call("XLEN", "quell:out") == 2000, "the first verdicts")

        def held():
            """The entries its consumers, t and t/1, hold."""
            rows = c.call("XPENDING", "quell:in", "quell", "-", "+", 1000)
            return [r[0].decode() for r in rows if r[1].split(b"/")[0] == b"t"]
        # A batch in hand at SIGTERM: stopped while blocked in XREADGROUP,
        # it is handed entries, then gets SIGTERM and SIGCONT.
        for k in range(2000, 2100, 20):
            w.proc.send_signal(signal.SIGSTOP)
            ids += xadd(c, "quell:in", records[k:k + 20])
            time.sleep(0.05)
            in_hand = held()
            if in_hand:
                break
            w.proc.send_signal(signal.SIGCONT)
            time.sleep(0.1)
        self.assertTrue(in_hand, "the worker took no entry while stopped")
        w.proc.send_signal(signal.SIGTERM)
        w.proc.send_signal(signal.SIGCONT)
        self.assertEqual(w.stop(), 0, w.stderr())
        self.assertEqual(held(), [])
        written = {i for i, _ in output_entries(c)}
        self.assertTrue(set(in_hand) <= written, "the batch in hand was not written")

        # What it did not get to is still there for the next worker.
        w2 = self.start("u")
        wait_for(lambda: c.call("XLEN", "quell:out") >= len(ids) and pending_count(c) == 0,
                 "the rest of the entries")
        self.assertEqual(w2.stop(signal.SIGINT), 0, w2.stderr())
        self.check_one_verdict_each(c, ids, expected_verdicts(self.rules, records[:len(ids)]))
        c.close()

    def test_sighup_reloads_rules(self):
        c = self.redis.client()
        w = self.start("h", "--block", "200", "--hash", "quell:verdicts", "--max-len", "1000")
        wait_for(lambda: c.call("EXISTS", "quell:in") == 1, "the group")
        first = xadd(c, "quell:in", ['{"id":1,"body":"you nitwit"}'])
        wait_for(lambda: c.call("XLEN", "quell:out") == 1, "the first verdict")
        old = json.loads(output_entries(c)[0][1])
        self.assertEqual(old["action"], "pass")

        write_rules(self.rules, "two", ["nitwit"], weight=6)
        new_id = json.loads(filter_lines(self.rules, ['{"id":1,"body":"x"}'])[0])["rules_id"]
        self.assertNotEqual(new_id, old["rules_id"])
        w.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reloaded" in w.stderr(), "the reload")
        # The reload is handed over within a tick: add entries until one
        # is scored by the new rules, and check that all after it are too.
        ids = list(first)
        records = ['{"id":1,"body":"you nitwit"}']
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            ids += xadd(c, "quell:in", ['{"id":2,"body":"you nitwit"}'])
            records.append('{"id":2,"body":"you nitwit"}')
            wait_for(lambda: c.call("XLEN", "quell:out") == len(ids), "a verdict")
            if json.loads(output_entries(c)[-1][1])["rules_id"] == new_id:
                break
        ids += xadd(c, "quell:in", ['{"id":3,"body":"nitwit again"}'])
        records.append('{"id":3,"body":"nitwit again"}')
        wait_for(lambda: c.call("XLEN", "quell:out") == len(ids), "the last verdict")
        self.assertEqual(w.stop(), 0, w.stderr())
        out = output_entries(c)
        last = json.loads(out[-1][1])
        self.assertEqual(last["rules_id"], new_id)
        self.assertEqual(last["action"], "hold")
        self.assertEqual(out[-1][1], filter_lines(self.rules, [records[-1]])[0])
        # --hash holds the same verdicts, keyed by entry id.
        for entry_id, verdict in out:
            self.assertEqual(c.call("HGET", "quell:verdicts", entry_id).decode(), verdict)
        c.close()

    def test_write_is_idempotent(self):
        """A reclaimed entry whose first consumer's write lands late: one verdict."""
        c = self.redis.client()
        script = write_script()
        ids = xadd(c, "quell:in", ['{"id":1,"body":"hello"}', '{"id":2,"body":"idiot"}'])
        c.call("XGROUP", "CREATE", "quell:in", "quell", "0")
        c.call("XREADGROUP", "GROUP", "quell", "slow", "COUNT", "2", "STREAMS", "quell:in", ">")

        # Entry 1, straight: the script twice for one entry writes once.
        args = ("EVAL", script, 2, "quell:in", "quell:out", "quell", ids[0])
        self.assertEqual(c.call(*args, "first", ""), 1)
        self.assertEqual(c.call(*args, "second", ""), 0)
        self.assertEqual(output_entries(c), [(ids[0], "first")])

        # Entry 2 through a worker: "slow" still holds it; a worker with a
        # short --claim-idle claims and writes it; then slow's write lands.
        time.sleep(0.3)
        w = self.start("claimer", "--claim-idle", "200", "--block", "200")
        wait_for(lambda: pending_count(c) == 0, "the claim")
        self.assertEqual(w.stop(), 0, w.stderr())
        self.assertEqual(c.call("EVAL", script, 2, "quell:in", "quell:out", "quell", ids[1],
                                "late", ""), 0)
        out = output_entries(c)
        self.assertEqual([i for i, _ in out], ids)
        self.assertEqual(out[1][1], filter_lines(self.rules, ['{"id":2,"body":"idiot"}'])[0])
        c.close()

    def test_failed_write_leaves_the_entry_pending(self):
        """Redis does not roll back a script that fails half-way: one whose
        XADD fails (the output key is not a stream) must not have acked."""
        c = self.redis.client()
        script = write_script()
        ids = xadd(c, "quell:in", ['{"id":1,"body":"hello"}'])
        c.call("XGROUP", "CREATE", "quell:in", "quell", "0")
        c.call("XREADGROUP", "GROUP", "quell", "w", "COUNT", "1", "STREAMS", "quell:in", ">")
        c.call("SET", "quell:out", "not a stream")
        args = ("EVAL", script, 3, "quell:in", "quell:out", "quell:h", "quell", ids[0], "v", "")
        with self.assertRaises(RedisError):
            c.call(*args)
        self.assertEqual(pending_count(c), 1)
        c.call("DEL", "quell:out")
        self.assertEqual(c.call(*args), 1)
        self.assertEqual(c.call(*args), 0)
        self.assertEqual(output_entries(c), [(ids[0], "v")])
        self.assertEqual(c.call("HGETALL", "quell:h"), [ids[0].encode(), b"v"])
        self.assertEqual(pending_count(c), 0)

        # A worker meeting such an error keeps the entry, says so once, and
        # writes it when the output key is fixed.
        ids += xadd(c, "quell:in", ['{"id":2,"body":"idiot"}'])
        c.call("SET", "quell:out", "not a stream")
        w = self.start("w", "--block", "200")
        wait_for(lambda: "WRONGTYPE" in w.stderr(), "the error")
        self.assertEqual(pending_count(c), 1)
        c.call("DEL", "quell:out")
        wait_for(lambda: pending_count(c) == 0, "the write")
        self.assertEqual(w.stop(), 0, w.stderr())
        self.assertEqual(output_entries(c),
                         [(ids[1], filter_lines(self.rules, ['{"id":2,"body":"idiot"}'])[0])])
        self.assertEqual(w.stderr().count("; retrying"), 1, w.stderr())
        c.close()


def corpus_lines(count):
    """A corpus as `quell backfill` reads it: mostly records, and lines
    without a readable id (malformed JSON, not JSON, empty, no id)."""
    lines = []
    for i, r in enumerate(make_records(count)):
        if i % 89 == 11:
            lines.append("")
        elif i % 83 == 13:
            lines.append("not json at all %d" % i)
        elif i % 79 == 17:
            lines.append(json.dumps({"body": "no id, idiot %d" % i}))
        else:
            lines.append(r if r is not None else '{"id":%d,"body":"x' % i)
    return lines


def run_quell(*args, **kwargs):
    return subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=WAIT_SECONDS, check=False, **kwargs)


class BackfillTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer()
        self.rules = os.path.join(self.redis.dir, "rules.cfg")
        write_rules(self.rules, "one", ["idiot", "crétin"])
        self.corpus = os.path.join(self.redis.dir, "corpus.jsonl")
        self.workers = []

    def tearDown(self):
        for w in self.workers:
            w.stop(signal.SIGKILL)
        self.redis.close()

    def write_corpus(self, lines):
        with open(self.corpus, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))

    def backfill(self, *args):
        return subprocess.Popen([BIN, "backfill", "--redis", self.redis.url(), *args, self.corpus],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def input_entries(self, client):
        """(id, line field, record field) of every input entry, in order."""
        out = []
        for entry_id, fields in client.call("XRANGE", "quell:in", "-", "+"):
            d = dict(zip(fields[::2], fields[1::2]))
            out.append((entry_id.decode(), d[b"line"].decode(), d[b"record"].decode()))
        return out

    def test_backfill_workers_collect_equals_filter(self):
        lines = corpus_lines(3000)
        self.write_corpus(lines)
        for name in ("a", "b"):
            self.workers.append(Worker(self.redis, self.rules, name, "--from-start",
                                       "--batch", "50"))
        rate = 6000
        start = time.monotonic()
        bf = self.backfill("--rate", str(rate))
        _, err = bf.communicate(timeout=WAIT_SECONDS)
        elapsed = time.monotonic() - start
        self.assertEqual(bf.returncode, 0, err)
        # A lower bound only: the rate holds the sending back.
        self.assertGreaterEqual(elapsed, len(lines) / rate * 0.95, err)
        self.assertIn(b"3000 lines sent to quell:in", err)

        out = run_quell("collect", "--redis", self.redis.url(), "--count", str(len(lines)),
                        "--timeout", str(WAIT_SECONDS))
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(self.corpus, "rb") as f:
            want = subprocess.run([BIN, "filter", "-f", "jsonl", self.rules], stdin=f,
                                  stdout=subprocess.PIPE, check=False).stdout.decode().splitlines()
        got = out.stdout.decode().splitlines()
        self.assertEqual(len(got), len(lines))
        self.assertEqual(got, want)
        for w in self.workers:
            self.assertEqual(w.stop(), 0, w.stderr())
        # Both workers took a share.
        for w in self.workers:
            written = int(re.search(r"(\d+) verdicts written", w.stderr()).group(1))
            self.assertGreater(written, 0, w.stderr())

    def test_redis_restart_during_backfill(self):
        lines = corpus_lines(3000)
        self.write_corpus(lines)
        bf = self.backfill("--rate", "3000")
        c = self.redis.client()
        wait_for(lambda: c.call("EXISTS", "quell:in") == 1 and c.call("XLEN", "quell:in") > 300,
                 "the first lines")
        c.close()
        self.redis.restart()
        _, err = bf.communicate(timeout=WAIT_SECONDS)
        self.assertEqual(bf.returncode, 0, err)
        err = err.decode()
        self.assertEqual(err.count("; retrying"), 1, err)
        self.assertEqual(err.count("connected again"), 1, err)
        base = re.search(r"base time (\d+)", err).group(1)
        if os.environ.get("QUELL_WORKER_VERBOSE"):
            print("\n" + err)

        c = self.redis.client()
        entries = self.input_entries(c)
        self.assertEqual([e[0] for e in entries],
                         ["%s-%d" % (base, n) for n in range(len(lines))])
        self.assertEqual([e[1] for e in entries], [str(n + 1) for n in range(len(lines))])
        self.assertEqual([e[2] for e in entries], lines)

        # Run again with the same base: every line is found there, none added.
        again = run_quell("backfill", "--redis", self.redis.url(), "--base", base, self.corpus)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn(b"(3000 there already)", again.stderr)
        self.assertEqual(c.call("XLEN", "quell:in"), len(lines))
        # A base below the stream's last id: a line refused and not there
        # (another producer went ahead) stops it.
        late = run_quell("backfill", "--redis", self.redis.url(), "--base", str(int(base) - 1),
                         "-", input=b'{"id":1,"body":"x"}\n{"id":2,"body":"y"}\n')
        self.assertEqual(late.returncode, 4, late.stderr)
        self.assertIn(b"another producer", late.stderr)
        # A new backfill picks a base above the stream's last id.
        more = run_quell("backfill", "--redis", self.redis.url(), "-", input=b"{}\n")
        self.assertEqual(more.returncode, 0, more.stderr)
        new_base = int(re.search(rb"base time (\d+)", more.stderr).group(1))
        self.assertGreater(new_base, int(base))
        c.close()

    def test_redis_restart_mid_pipeline(self):
        """Unbounded, a backfill has a window in flight when the server
        stops: the lines Redis ran without the reply coming back are sent
        again, refused, found there, and not added twice."""
        n = 200000
        lines = [json.dumps({"id": i, "body": "comment %d" % i}) for i in range(n)]
        self.write_corpus(lines)
        bf = self.backfill()
        c = self.redis.client()
        wait_for(lambda: c.call("EXISTS", "quell:in") == 1 and c.call("XLEN", "quell:in") > 30000,
                 "the first lines")
        c.close()
        self.redis.restart()
        _, err = bf.communicate(timeout=WAIT_SECONDS)
        self.assertEqual(bf.returncode, 0, err)
        err = err.decode()
        if os.environ.get("QUELL_WORKER_VERBOSE"):
            print("\n" + err)
        base = re.search(r"base time (\d+)", err).group(1)
        self.assertIn("%d lines sent" % n, err)
        c = self.redis.client()
        self.assertEqual(c.call("XLEN", "quell:in"), n)
        got = []
        start = "-"
        while len(got) < n:
            chunk = c.call("XRANGE", "quell:in", start, "+", "COUNT", 20000)
            got += [(e[0].decode(), e[1][3].decode()) for e in chunk]
            start = "(" + chunk[-1][0].decode()
        self.assertEqual(got, [("%s-%d" % (base, i), lines[i]) for i in range(n)])
        c.close()

    def test_usage_errors(self):
        for args in (["backfill"], ["backfill", "--rate", "0", "-"], ["backfill", "a", "b"],
                     ["backfill", "--redis", "http://x", "-"], ["backfill", "--max-len", "x", "-"],
                     ["collect", "--timeout", "1"], ["collect", "--count", "0"],
                     ["collect", "--after", "x"], ["collect", "extra"]):
            out = run_quell(*args)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn(b"Try 'quell %s --help'" % args[0].encode(), out.stderr)
        self.assertEqual(run_quell("backfill", "--redis", self.redis.url(),
                                   os.path.join(self.redis.dir, "missing")).returncode, 4)
        # An empty corpus adds nothing; an empty stream collects nothing.
        empty = run_quell("backfill", "--redis", self.redis.url(), "-", input=b"")
        self.assertEqual(empty.returncode, 0, empty.stderr)
        self.assertIn(b"0 lines sent", empty.stderr)
        out = run_quell("collect", "--redis", self.redis.url())
        self.assertEqual((out.returncode, out.stdout), (0, b""), out.stderr)

    def test_collect_timeout_and_duplicates(self):
        c = self.redis.client()
        c.call("XADD", "quell:out", "*", "in", "5-2", "verdict", '{"id":2}')
        c.call("XADD", "quell:out", "*", "in", "5-1", "verdict", '{"id":1}')
        c.call("XADD", "quell:out", "*", "in", "5-2", "verdict", '{"id":"again"}')
        c.call("XADD", "quell:out", "*", "in", "10-0", "verdict", '{"id":3}')
        out = run_quell("collect", "--redis", self.redis.url())
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, b'{"id":1}\n{"id":2}\n{"id":3}\n')
        self.assertIn(b"1 duplicate verdicts skipped", out.stderr)

        out = run_quell("collect", "--redis", self.redis.url(), "--count", "5", "--timeout", "0.5")
        self.assertEqual(out.returncode, 4, out.stderr)
        self.assertIn(b"2 of 5 verdicts missing", out.stderr)
        self.assertEqual(out.stdout, b'{"id":1}\n{"id":2}\n{"id":3}\n')

        # --count waits for verdicts still to come, and reads no further.
        last = re.search(rb"last output entry read: (\S+)", out.stderr).group(1).decode()
        waiter = subprocess.Popen([BIN, "collect", "--redis", self.redis.url(), "--after", last,
                                   "--count", "1", "--timeout", str(WAIT_SECONDS)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.3)
        c.call("XADD", "quell:out", "*", "in", "11-0", "verdict", '{"id":4}')
        c.call("XADD", "quell:out", "*", "in", "12-0", "verdict", '{"id":5}')
        got, err = waiter.communicate(timeout=WAIT_SECONDS)
        self.assertEqual(waiter.returncode, 0, err)
        self.assertEqual(got, b'{"id":4}\n')
        c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
