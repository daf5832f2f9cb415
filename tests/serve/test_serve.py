#!/usr/bin/env python3
"""Tests of `quell serve` over real HTTP: every route with good and bad input,
verdicts equal to `quell filter`'s, limits, admin tokens, reloads, metrics
and the drain on SIGTERM. Each server runs on an ephemeral loopback port in
a temporary folder of its own, and is stopped at the end.

Environment: QUELL_BIN (the quell binary), QUELL_DEFAULT_RULES (the shipped
rules compiled, a .qdb), QUELL_SRCDIR (the source tree).
"""
import http.client
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
DEFAULT_RULES = os.environ.get("QUELL_DEFAULT_RULES", "build/default.qdb")
SRCDIR = os.environ.get("QUELL_SRCDIR", ".")
# Generous: the sanitizer build on a busy 2-core machine is slow.
START_SECONDS = 120
REQUEST_SECONDS = 60

SMALL_RULES = """version = 1;
label = "%s";
actions = { flag = 1; hold = 5; reject = 10; };
categories = ( { name = "insult"; } );
rules = (
  { id = "insult.word"; category = "insult"; weight = 2; words = [ "%s" ]; }
);
"""


class Server:
    """One `quell serve` process on an ephemeral port."""

    def __init__(self, rules, *args, env=None):
        self.dir = tempfile.mkdtemp(prefix="quell-serve-")
        self.err_path = os.path.join(self.dir, "stderr")
        self.err = open(self.err_path, "wb")
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", *args, rules]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.err,
                                     env=env)
        self.port = None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.stderr())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise AssertionError("quell serve did not start:\n" + self.stderr())

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_SECONDS)
        try:
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def json(self, method, path, body=None, headers=None):
        status, hdrs, data = self.request(method, path, body, headers)
        return status, json.loads(data)

    def metrics(self):
        status, _, data = self.request("GET", "/metrics")
        assert status == 200
        values = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=REQUEST_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        return self.proc.returncode

    def close(self):
        """Stop it with SIGTERM; it must exit 0 (under the sanitizers, a
        leak or a bad access at any point makes it fail here)."""
        rc = self.stop()
        err = self.stderr()
        shutil.rmtree(self.dir, ignore_errors=True)
        if rc != 0:
            raise AssertionError("quell serve exited %s:\n%s" % (rc, err[-4000:]))


def filter_lines(lines, *args):
    """What `quell filter --format jsonl` writes for these JSON lines."""
    out = subprocess.run([BIN, "filter", "--format", "jsonl", *args, DEFAULT_RULES],
                         input="".join(l + "\n" for l in lines).encode(),
                         stdout=subprocess.PIPE, check=False)
    return out.stdout.decode().splitlines()


def sample_comments():
    with open(os.path.join(SRCDIR, "examples", "comments.txt"), encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    lines = [json.dumps({"id": i, "body": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    # Ids as written: a 64-bit number past 2^53 and a string; one with no id.
    lines.append('{"id":1234567890123456789,"body":"you idiot"}')
    lines.append('{"id":"c-7","body":"f.u.c.k you","author":"x"}')
    lines.append('{"body":"Death to all Jews"}')
    return lines


class ServeDefaultRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(DEFAULT_RULES, "-j", "2", "--max-body", "64K", "--max-batch", "50",
                         "--timeout", "3")

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def test_single_comment_equals_filter(self):
        line = '{"id":7,"body":"you are an idiot"}'
        status, headers, body = self.srv.request("POST", "/v1/check", line)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(body.decode().rstrip("\n"), filter_lines([line])[0])
        verdict = json.loads(body)
        self.assertEqual(verdict["id"], 7)
        self.assertIn("idiot", [h["text"] for h in verdict["hits"]])

    def test_pretty_printed_single_comment(self):
        status, verdict = self.srv.json("POST", "/v1/check",
                                        '{\n  "id": 3,\n  "body": "what an idiot"\n}\n')
        self.assertEqual(status, 200)
        self.assertEqual(verdict["id"], 3)
        self.assertNotEqual(verdict["action"], "pass")

    def test_batches_equal_filter(self):
        lines = sample_comments()
        want = filter_lines(lines)
        self.assertEqual(len(want), len(lines))
        # JSON Lines in, JSON Lines out.
        status, headers, body = self.srv.request(
            "POST", "/v1/check", "\n".join(lines) + "\n",
            {"Content-Type": "application/x-ndjson"})
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/x-ndjson"))
        self.assertEqual(body.decode().splitlines(), want)
        # An array in, an array out, element for element.
        status, headers, body = self.srv.request("POST", "/v1/check",
                                                 "[" + ",\n ".join(lines) + "]")
        self.assertEqual(status, 200)
        got = json.loads(body)
        self.assertEqual([json.dumps(v, ensure_ascii=False) for v in got],
                         [json.dumps(json.loads(w), ensure_ascii=False) for w in want])
        # The id past 2^53 comes back exactly, as text.
        self.assertIn(b'"id":1234567890123456789,', body)
        # A comment without an id is named by its place in the batch.
        self.assertEqual(got[-1]["id"], len(lines))

    def test_censor(self):
        line = '{"id":1,"body":"f.u.c.k you idiot"}'
        status, _, body = self.srv.request("POST", "/v1/check?censor=1", line)
        self.assertEqual(status, 200)
        self.assertEqual(body.decode().rstrip("\n"), filter_lines([line], "--censor")[0])
        self.assertIn("*******", json.loads(body)["censored"])

    def test_bad_single_comments_are_400_error_records(self):
        for body, why in [('{"body":', "invalid JSON"), ('{"id":1}', "body"),
                          ('{"id":1,"body":"a","body":"b"}', "duplicate"), ("42", "object")]:
            status, record = self.srv.json("POST", "/v1/check", body)
            self.assertEqual(status, 400, body)
            self.assertEqual(record["action"], "error", body)
            self.assertIn(why, record["error"], body)

    def test_invalid_utf8(self):
        status, record = self.srv.json("POST", "/v1/check", b'{"id":1,"body":"ab\xff"}')
        self.assertEqual(status, 400)
        self.assertEqual(record["action"], "error")
        self.assertIn("UTF-8", record["error"])
        # In a batch: an error record in its place, the others scanned.
        status, got = self.srv.json("POST", "/v1/check",
                                    b'[{"id":1,"body":"ok"},{"id":2,"body":"\xc3"},'
                                    b'{"id":3,"body":"idiot"}]')
        self.assertEqual(status, 200)
        self.assertEqual([v["id"] for v in got], [1, 2, 3])
        self.assertEqual([v["action"] for v in got], ["pass", "error", "flag"])

    def test_bad_framing(self):
        for body in ["", "   \n", '[{"body":"x"}', '[{"body":"x"} {"body":"y"}]',
                     '[{"body":"x"}] trailing']:
            status, err = self.srv.json("POST", "/v1/check", body)
            self.assertEqual(status, 400, repr(body))
            self.assertEqual(err["status"], 400)
            self.assertTrue(err["error"])
        status, got = self.srv.json("POST", "/v1/check", "[]")
        self.assertEqual((status, got), (200, []))

    def test_limits(self):
        status, err = self.srv.json("POST", "/v1/check",
                                    '{"body":"' + "a" * (64 * 1024) + '"}')
        self.assertEqual(status, 413)
        self.assertIn("65536", err["error"])
        batch = "[" + ",".join('{"body":"x"}' for _ in range(51)) + "]"
        status, err = self.srv.json("POST", "/v1/check", batch)
        self.assertEqual(status, 413)
        self.assertIn("50", err["error"])
        # A body with no length, sent in chunks, is cut off at the limit too.
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=REQUEST_SECONDS)
        chunks = (b'{"body":"' + b"a" * 8192 for _ in range(10))
        conn.request("POST", "/v1/check", body=chunks, encode_chunked=True)
        r = conn.getresponse()
        self.assertEqual(r.status, 413)
        conn.close()

    def test_huge_header(self):
        try:
            status, _, _ = self.srv.request("GET", "/healthz", headers={"X-Big": "a" * 65536})
            self.assertIn(status, (413, 431))
        except (ConnectionError, http.client.RemoteDisconnected):
            pass  # closed without an answer: also refused
        self.assertEqual(self.srv.request("GET", "/healthz")[0], 200)

    def test_slow_client_gets_408_or_is_closed(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=REQUEST_SECONDS)
        s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"bo")
        time.sleep(4.5)  # over --timeout 3
        try:
            s.sendall(b"dy")
            data = s.recv(4096)
        except (ConnectionError, socket.timeout):
            data = b""
        s.close()
        self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 408"), data[:80])
        self.assertEqual(self.srv.request("GET", "/healthz")[0], 200)

    def test_wrong_method_and_unknown_route(self):
        status, headers, body = self.srv.request("GET", "/v1/check")
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "POST")
        self.assertEqual(json.loads(body)["status"], 405)
        status, headers, _ = self.srv.request("POST", "/metrics", "x")
        self.assertEqual((status, headers["Allow"]), (405, "GET, HEAD"))
        status, err = self.srv.json("GET", "/v2/nothing")
        self.assertEqual((status, err["status"]), (404, 404))
        self.assertEqual(self.srv.request("HEAD", "/healthz")[0], 200)

    def test_explain(self):
        body = '{"id":"e1","body":"You are an IDIOT","author":"Mod"}'
        status, e = self.srv.json("POST", "/v1/explain", body)
        self.assertEqual(status, 200)
        _, v = self.srv.json("POST", "/v1/check", body)
        for key in ("id", "action", "score", "rules_id"):
            self.assertEqual(e[key], v[key], key)
        self.assertEqual(set(e["thresholds"]), {"flag", "hold", "reject"})
        self.assertEqual([f["field"] for f in e["fields"]], ["body", "author"])
        views = e["fields"][0]["views"]
        self.assertEqual(views["raw"], "You are an IDIOT")
        self.assertEqual(views["folded"], "you are an idiot")
        hit = [h for h in e["hits"] if h["rule"] == "insult.en"][0]
        self.assertEqual((hit["start"], hit["end"], hit["text"]), (11, 16, "IDIOT"))
        self.assertIn(hit["view"], ("raw", "folded", "skeleton"))
        self.assertTrue(hit["pattern"])
        self.assertEqual(sum(c["score"] for c in e["categories"] if not c["separate"]),
                         e["score"])
        for body in ('[{"body":"a"},{"body":"b"}]', "[]", '[{"body":"a"}]', ""):
            status, err = self.srv.json("POST", "/v1/explain", body)
            self.assertEqual((status, err["status"]), (400, 400), body)

    def test_explain_excused_hits(self):
        # A card number failing the Luhn check is matched, then set aside.
        _, e = self.srv.json("POST", "/v1/explain", '{"body":"card 4111 1111 1111 1112"}')
        self.assertTrue(any(x["reason"] == "invalid" for x in e["excused"]), e["excused"])

    def test_eval(self):
        sample = ("\ufefftext,label,id\n"
                  "you are an idiot,1,a\n"
                  "have a nice day,0,b\n"
                  "\"what a lovely photo, thanks\",1,c\n"
                  "انت حمار,0,d\n"
                  ",1,e\n")
        status, r = self.srv.json("POST", "/v1/eval?positive=1", sample.encode(),
                                  {"Content-Type": "text/csv"})
        self.assertEqual(status, 200, r)
        self.assertEqual(r["counts"], {"tp": 1, "fp": 1, "fn": 1, "tn": 1})
        self.assertEqual((r["comments"], r["malformed"]), (4, 1))
        self.assertEqual((r["precision"], r["recall"]), (0.5, 0.5))
        self.assertEqual([(w["row"], w["id"], w["expected"]) for w in r["wrong"]],
                         [(3, "c", "flag"), (4, "d", "pass")])
        self.assertEqual(r["wrong"][1]["hits"][-1]["text"], "حمار")
        self.assertEqual(r["errors"][0]["row"], 5)
        # The same as TSV and as JSON Lines; negative= turns the labels round.
        tsv = "text\tlabel\nidiot\tclean\nhello\tclean\n"
        status, r = self.srv.json("POST", "/v1/eval?negative=clean", tsv,
                                  {"Content-Type": "text/tab-separated-values"})
        self.assertEqual((status, r["counts"]["fp"], r["counts"]["tn"]), (200, 1, 1))
        self.assertIsNone(r["recall"])  # no positive comment: undefined, not NaN
        jsonl = '{"text":"idiot","label":"1"}\n{"text":"hi","label":"0"}\n'
        status, r = self.srv.json("POST", "/v1/eval", jsonl,
                                  {"Content-Type": "application/x-ndjson"})
        self.assertEqual((status, r["counts"]["tp"], r["counts"]["tn"]), (200, 1, 1))
        # Samples it cannot use.
        status, err = self.srv.json("POST", "/v1/eval", "body,label\nx,1\n")
        self.assertEqual(status, 400)
        self.assertIn("no column 'text'", err["error"])
        status, err = self.srv.json("POST", "/v1/eval", "")
        self.assertEqual(status, 400)
        rows = "text,label\n" + "hello,0\n" * 51
        self.assertEqual(self.srv.json("POST", "/v1/eval", rows)[0], 413)
        self.assertEqual(self.srv.json("POST", "/v1/eval?positive=1&negative=0", rows)[0], 400)
        self.assertEqual(self.srv.json("POST", "/v1/eval?format=xml", rows)[0], 400)

    def test_rules_health_ready(self):
        status, r = self.srv.json("GET", "/v1/rules")
        self.assertEqual(status, 200)
        self.assertRegex(r["rules_id"], "^[0-9a-f]{16}$")
        self.assertGreater(r["rule_count"], 100)
        self.assertIn("insult", [c["name"] for c in r["categories"]])
        self.assertEqual(r["thresholds"], {"flag": 3, "hold": 6, "reject": 10})
        self.assertEqual(self.srv.json("GET", "/healthz"), (200, {"status": "ok"}))
        status, ready = self.srv.json("GET", "/readyz")
        self.assertEqual((status, ready["rules_id"]), (200, r["rules_id"]))

    def test_page(self):
        status, headers, body = self.srv.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn("script-src 'self'", headers["Content-Security-Policy"])
        self.assertEqual(self.srv.request("GET", "/", headers={"If-None-Match":
                                                               headers["ETag"]})[0], 304)
        self.assertEqual(self.srv.request("GET", "/ui/nothing.js")[0], 404)

    def test_metrics_count(self):
        before = self.srv.metrics()
        key = 'quell_comments_total{action="flag"}'
        routes = 'quell_http_requests_total{route="/v1/check",status="200"}'
        self.srv.request("POST", "/v1/check", '[{"body":"idiot"},{"body":"moron"},{"body":"hi"}]')
        # A request is counted when libmicrohttpd reports it complete, on
        # its worker thread, which may be just after the client has read the
        # answer: wait (at most 5 s) for the count, then check it exactly.
        deadline = time.monotonic() + 5
        while True:
            after = self.srv.metrics()
            if after.get(routes, 0) > before.get(routes, 0) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        self.assertEqual(after[key] - before.get(key, 0), 2)
        self.assertEqual(after[routes] - before.get(routes, 0), 1)
        cat = 'quell_comment_categories_total{category="insult"}'
        self.assertEqual(after[cat] - before.get(cat, 0), 2)
        self.assertEqual(after["quell_scanner_threads"] >= 1, True)
        self.assertTrue(any(k.startswith("quell_rules_info{rules_id=") for k in after))
        count = 'quell_http_request_duration_seconds_count{route="/v1/check"}'
        inf = 'quell_http_request_duration_seconds_bucket{route="/v1/check",le="+Inf"}'
        self.assertEqual(after[count], after[inf])


class ServeReload(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="quell-reload-")
        self.rules = os.path.join(self.dir, "rules.cfg")
        self.write_rules("first", "idiot")
        self.srv = None

    def tearDown(self):
        if self.srv:
            self.srv.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_rules(self, label, word):
        with open(self.rules + ".tmp", "w") as f:
            f.write(SMALL_RULES % (label, word))
        os.replace(self.rules + ".tmp", self.rules)

    def action(self, text):
        _, v = self.srv.json("POST", "/v1/check", json.dumps({"body": text}))
        return v["action"], v["rules_id"]

    def test_reload_route_good_and_bad(self):
        self.srv = Server(self.rules, "-j", "2")
        self.assertEqual(self.action("idiot")[0], "flag")
        first_id = self.action("x")[1]
        # Bad rules: 422 with file:line, old rules kept.
        with open(self.rules, "w") as f:
            f.write("version = 1;\nrules = ( { id = \"broken\"; category = nope; } );\n")
        status, err = self.srv.json("POST", "/v1/reload")
        self.assertEqual(status, 422)
        self.assertRegex(err["error"], r"rules\.cfg:\d+: ")
        self.assertEqual(err["rules_id"], first_id)
        self.assertEqual(self.action("idiot"), ("flag", first_id))
        self.assertIn("keeping rules " + first_id, self.srv.stderr())
        # Good rules: swapped in.
        self.write_rules("second", "moron")
        status, r = self.srv.json("POST", "/v1/reload")
        self.assertEqual((status, r["label"]), (200, "second"))
        self.assertNotEqual(r["rules_id"], first_id)
        self.assertEqual(self.action("moron"), ("flag", r["rules_id"]))
        self.assertEqual(self.action("idiot")[0], "pass")
        m = self.srv.metrics()
        self.assertEqual(m['quell_reloads_total{result="ok"}'], 1)
        self.assertEqual(m['quell_reloads_total{result="failed"}'], 1)
        self.assertEqual(m["quell_rules_generation"], 2)

    def test_sighup(self):
        self.srv = Server(self.rules, "-j", "2")
        self.write_rules("hup", "moron")
        self.srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + START_SECONDS
        while self.action("moron")[0] != "flag":
            self.assertLess(time.monotonic(), deadline, self.srv.stderr())
            time.sleep(0.05)
        self.assertIn("reloaded " + self.rules, self.srv.stderr())

    def test_reloads_under_load(self):
        # Batches on two connections while the rules change five times:
        # every request answered whole, each verdict by one rule set.
        import threading
        self.srv = Server(self.rules, "-j", "2")
        batch = "[" + ",".join('{"id":%d,"body":"idiot moron %d"}' % (i, i)
                               for i in range(50)) + "]"
        failures = []
        ids = set()

        def client():
            for _ in range(40):
                status, got = self.srv.json("POST", "/v1/check", batch)
                if status != 200 or [v["id"] for v in got] != list(range(50)):
                    failures.append((status, got))
                ids.update(v["rules_id"] for v in got)

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        for n in range(5):
            self.write_rules("load%d" % n, "idiot" if n % 2 else "moron")
            self.srv.json("POST", "/v1/reload")
            time.sleep(0.05)
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertGreaterEqual(len(ids), 1)

    def test_access_log(self):
        self.srv = Server(self.rules, "-j", "2", "--access-log")
        self.srv.request("POST", "/v1/check", '[{"body":"idiot"},{"body":"hi"}]')
        self.srv.request("GET", "/nowhere")
        deadline = time.monotonic() + REQUEST_SECONDS
        while True:
            lines = [json.loads(l) for l in self.srv.stderr().splitlines()
                     if l.startswith("{")]
            if len(lines) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # A line is written when its request completes, after the answer is
        # sent: two connections' lines may come in either order.
        lines.sort(key=lambda l: l["method"], reverse=True)
        self.assertEqual([(l["method"], l["route"], l["status"], l["comments"]) for l in lines],
                         [("POST", "/v1/check", 200, 2), ("GET", "other", 404, 0)])
        self.assertEqual(lines[1]["path"], "/nowhere")
        self.assertEqual(lines[0]["remote"], "127.0.0.1")
        self.assertGreater(lines[0]["bytes_out"], 0)

    def test_admin_token(self):
        env = dict(os.environ, QUELL_ADMIN_TOKEN="s3cret-token")
        self.srv = Server(self.rules, "-j", "2", env=env)
        for headers in ({}, {"Authorization": "Bearer wrong"},
                        {"Authorization": "Bearer s3cret-token-and-more"},
                        {"Authorization": "s3cret-token"}):
            status, err = self.srv.json("POST", "/v1/reload", "", headers)
            self.assertEqual(status, 403, headers)
            self.assertIn("token", err["error"])
        status, _ = self.srv.json("POST", "/v1/reload", "",
                                  {"Authorization": "Bearer s3cret-token"})
        self.assertEqual(status, 200)

    def test_sigterm_drains_a_request_in_flight(self):
        self.srv = Server(self.rules, "-j", "2")
        body = b'{"id":9,"body":"you idiot"}'
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=REQUEST_SECONDS)
        s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                  % len(body) + body[:10])
        # The server has the request once its first bytes are read.
        time.sleep(0.5)
        self.srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        s.sendall(body[10:])
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:200])
        self.assertIn(b'"id":9,"action":"flag"', data)
        self.assertEqual(self.srv.proc.wait(timeout=REQUEST_SECONDS), 0)
        # Nothing listens any more.
        with self.assertRaises(ConnectionError):
            socket.create_connection(("127.0.0.1", self.srv.port), timeout=5).close()


class ServeContext(unittest.TestCase):
    """--context: comments decided in arrival order, across requests; the
    context saved on SIGTERM and resumed on the next start."""

    RULES = os.path.join(SRCDIR, "tests", "fixtures", "context", "context.cfg")
    PASTED = [
        "Earn 500 dollars a day from home, message me on telegram now",
        "EARN 900 dollars a day from home!!! message me on telegram now",
        "Eаrn 500 dоllars a day frоm home, message me on telegram now https://bit.ly/x",
        "earn 500 dollars a day from home message me on telegram NOW",
    ]

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="quell-context-")
        self.state = os.path.join(self.dir, "state.ctx")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check(self, srv, i, author):
        line = json.dumps({"id": "p%d" % i, "author": author, "time": 1000 + i,
                           "body": self.PASTED[i]})
        status, v = srv.json("POST", "/v1/check", line)
        self.assertEqual(status, 200)
        return v

    def test_campaign_across_requests_and_restart(self):
        srv = Server(self.RULES, "--context-file", self.state, "-j", "2")
        try:
            first = self.check(srv, 0, "a")
            self.assertEqual(first["context"]["campaign"], {"copies": 1, "authors": 1, "first": "p0"})
            self.check(srv, 1, "b")
            third = self.check(srv, 2, "c")
            self.assertEqual(third["context"]["campaign"]["authors"], 3)
            self.assertIn("campaign.authors", [r["id"] for r in third["rules"]])
            self.assertEqual(third["action"], "reject")
        finally:
            srv.close()
        self.assertTrue(os.path.getsize(self.state) > 32)
        srv = Server(self.RULES, "--context-file", self.state)
        try:
            fourth = self.check(srv, 3, "d")
            self.assertEqual(fourth["context"]["campaign"], {"copies": 4, "authors": 4, "first": "p0"})
        finally:
            srv.close()

    def test_without_context_no_member(self):
        srv = Server(self.RULES)
        try:
            v = self.check(srv, 0, "a")
            self.assertNotIn("context", v)
        finally:
            srv.close()

    def test_damaged_file_refused(self):
        with open(self.state, "wb") as f:
            f.write(b"this is not a context file, but it is long enough\n")
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", "--context-file", self.state, self.RULES]
        out = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=START_SECONDS, check=False)
        self.assertEqual(out.returncode, 4)
        self.assertIn(b"not a saved quell context", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
