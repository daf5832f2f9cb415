#!/usr/bin/env python3
"""
mock_server.py - a stand-in for `quell serve` while the page is developed:
serves src/serve/ui/ and answers /v1/explain, /v1/eval and /v1/rules with
the JSON shapes of docs/serve.md, computed by the real library
(build/libquell.so through ctypes), so the browser test can run before the
C service exists. Not the service: no batches, limits, reload or metrics.

    tests/browser/mock_server.py [--rules rules/default.cfg] [--port 0]

Prints "listening on http://127.0.0.1:PORT/" once ready.
"""
import argparse
import csv
import ctypes as C
import datetime
import io
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UI_DIR = os.path.join(ROOT, "src", "serve", "ui")
ASSETS = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/ui/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/ui/style.css": ("style.css", "text/css; charset=utf-8"),
}
FIELDS = ("body", "author")
VIEWS = ("raw", "folded", "skeleton")
ACTIONS = ("pass", "flag", "hold", "reject")
DEFAULT_POSITIVE = "1,true,yes,toxic,abusive"
# The headers quell serve should send with the page: it needs nothing but
# its own origin, so the policy can be this strict.
PAGE_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
     "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
     "frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
)


class Error(C.Structure):
    _fields_ = [("code", C.c_int), ("message", C.c_char * 512), ("file", C.c_char * 256),
                ("line", C.c_int), ("rule_id", C.c_char * 128)]


class Comment(C.Structure):
    _fields_ = [("version", C.c_uint), ("text", C.c_char_p * 2), ("text_len", C.c_size_t * 2)]


class Hit(C.Structure):
    _fields_ = [("rule_id", C.c_char_p), ("category", C.c_char_p), ("field", C.c_int),
                ("start", C.c_size_t), ("end", C.c_size_t), ("text", C.c_void_p),
                ("view", C.c_char_p), ("pattern", C.c_char_p)]


class RuleResult(C.Structure):
    _fields_ = [("rule_id", C.c_char_p), ("category", C.c_char_p), ("count", C.c_size_t),
                ("score", C.c_double), ("index", C.c_size_t)]


class Excused(C.Structure):
    _fields_ = [("hit", Hit), ("reason", C.c_int)]


class Verdict(C.Structure):
    _fields_ = [("action", C.c_int), ("score", C.c_double),
                ("category_scores", C.POINTER(C.c_double)),
                ("category_names", C.POINTER(C.c_char_p)), ("category_count", C.c_size_t),
                ("rules", C.POINTER(RuleResult)), ("rule_count", C.c_size_t),
                ("hits", C.POINTER(Hit)), ("hit_count", C.c_size_t),
                ("is_truncated", C.c_int),
                ("excused", C.POINTER(Excused)), ("excused_count", C.c_size_t),
                ("rules_used", C.c_void_p), ("rules_id", C.c_char_p)]


def num(x):
    """A score as JSON writes it: 7, not 7.0."""
    return int(x) if float(x).is_integer() else round(x, 6)


def ratio(a, b):
    return None if b == 0 else round(a / b, 3)


class Quell:
    """The library, one scanner behind a lock (a mock needs no speed)."""

    def __init__(self, rules_path):
        lib = C.CDLL(os.path.join(ROOT, "build", "libquell.so"))
        lib.quell_rules_load.argtypes = [C.POINTER(C.c_void_p), C.c_char_p, C.POINTER(Error)]
        lib.quell_scanner_new.argtypes = [C.POINTER(C.c_void_p), C.c_void_p, C.POINTER(Error)]
        lib.quell_scan.argtypes = [C.c_void_p, C.POINTER(Comment), C.POINTER(C.POINTER(Verdict)),
                                   C.POINTER(Error)]
        lib.quell_scanner_view.argtypes = [C.c_void_p, C.c_int, C.c_char_p, C.c_size_t,
                                           C.POINTER(C.c_void_p), C.POINTER(C.c_size_t),
                                           C.POINTER(Error)]
        lib.quell_censor.argtypes = [C.POINTER(Verdict), C.c_int, C.c_char_p, C.c_size_t, C.c_char,
                                     C.c_char_p, C.c_size_t]
        lib.quell_censor.restype = C.c_size_t
        for name in ("quell_rules_id", "quell_rules_label", "quell_rules_category_name"):
            getattr(lib, name).restype = C.c_char_p
        lib.quell_rules_id.argtypes = [C.c_void_p]
        lib.quell_rules_label.argtypes = [C.c_void_p]
        lib.quell_rules_category_name.argtypes = [C.c_void_p, C.c_size_t]
        lib.quell_rules_category_is_separate.argtypes = [C.c_void_p, C.c_size_t]
        lib.quell_rules_category_count.argtypes = [C.c_void_p]
        lib.quell_rules_category_count.restype = C.c_size_t
        lib.quell_rules_rule_count.argtypes = [C.c_void_p]
        lib.quell_rules_rule_count.restype = C.c_size_t
        lib.quell_rules_threshold.argtypes = [C.c_void_p, C.c_int]
        lib.quell_rules_threshold.restype = C.c_double
        self.lib = lib
        self.lock = threading.Lock()
        err = Error()
        self.rules = C.c_void_p()
        if lib.quell_rules_load(C.byref(self.rules), rules_path.encode(), C.byref(err)) != 0:
            raise SystemExit("mock_server: %s" % err.message.decode())
        self.scanner = C.c_void_p()
        if lib.quell_scanner_new(C.byref(self.scanner), self.rules, C.byref(err)) != 0:
            raise SystemExit("mock_server: %s" % err.message.decode())
        self.path = rules_path
        self.loaded_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def rules_id(self):
        return self.lib.quell_rules_id(self.rules).decode()

    def thresholds(self):
        t = self.lib.quell_rules_threshold
        return {a: num(t(self.rules, i)) for i, a in enumerate(ACTIONS) if i > 0}

    def categories(self):
        lib = self.lib
        return [{"name": lib.quell_rules_category_name(self.rules, i).decode(),
                 "separate": bool(lib.quell_rules_category_is_separate(self.rules, i))}
                for i in range(lib.quell_rules_category_count(self.rules))]

    def rules_json(self):
        return {"rules_id": self.rules_id(),
                "label": self.lib.quell_rules_label(self.rules).decode(),
                "path": self.path, "loaded_at": self.loaded_at,
                "rule_count": self.lib.quell_rules_rule_count(self.rules),
                "categories": self.categories(), "thresholds": self.thresholds(),
                "generation": 1, "reloads_ok": 0, "reloads_failed": 0}

    def _view(self, view, data):
        out, out_len, err = C.c_void_p(), C.c_size_t(), Error()
        if self.lib.quell_scanner_view(self.scanner, view, data, len(data), C.byref(out),
                                       C.byref(out_len), C.byref(err)) != 0:
            raise ValueError(err.message.decode())
        return C.string_at(out, out_len.value).decode()

    def _scan(self, texts):
        """texts: {field index: bytes}. Returns the verdict pointer (under the lock)."""
        comment = Comment(1)
        for i, data in texts.items():
            comment.text[i] = data
            comment.text_len[i] = len(data)
        verdict, err = C.POINTER(Verdict)(), Error()
        if self.lib.quell_scan(self.scanner, C.byref(comment), C.byref(verdict), C.byref(err)):
            raise ValueError(err.message.decode())
        return verdict.contents

    @staticmethod
    def _hit(h, texts, full):
        data = texts[h.field]
        d = {"rule": h.rule_id.decode(), "category": h.category.decode(),
             "field": FIELDS[h.field], "view": h.view.decode(), "pattern": h.pattern.decode(),
             "start": h.start, "end": h.end, "text": data[h.start:h.end].decode()}
        if not full:
            d = {k: d[k] for k in ("rule", "start", "end", "text")}
        return d

    def explain(self, body, author):
        texts = {0: body.encode()}
        if author is not None:
            texts[1] = author.encode()
        with self.lock:
            views = {i: {VIEWS[v]: self._view(v, data) for v in range(3)}
                     for i, data in texts.items()}
            v = self._scan(texts)
            fields = []
            for i, data in texts.items():
                buf = C.create_string_buffer(len(data) * 4 + 1)
                self.lib.quell_censor(C.byref(v), i, data, len(data), b"*", buf, len(buf))
                fields.append({"field": FIELDS[i], "text": data.decode(), "views": views[i],
                               "censored": buf.value.decode()})
            cats = self.categories()
            return {
                "id": None, "rules_id": v.rules_id.decode(),
                "rules_label": self.lib.quell_rules_label(self.rules).decode(),
                "action": ACTIONS[v.action], "score": num(v.score),
                "thresholds": self.thresholds(), "fields": fields,
                "hits": [self._hit(v.hits[k], texts, True) for k in range(v.hit_count)],
                "excused": [dict(self._hit(v.excused[k].hit, texts, True),
                                 reason="allowed" if v.excused[k].reason == 1 else "invalid")
                            for k in range(v.excused_count)],
                "rules": [{"id": r.rule_id.decode(), "category": r.category.decode(),
                           "count": r.count, "score": num(r.score)}
                          for r in (v.rules[k] for k in range(v.rule_count))],
                "categories": [{"name": c["name"], "score": num(v.category_scores[k]),
                                "separate": c["separate"]} for k, c in enumerate(cats)],
                "is_truncated": bool(v.is_truncated),
            }

    def eval(self, rows, positive, negative):
        counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        wrong, errors, comments = [], [], 0
        for row_no, rid, text, label in rows:
            if text is None:
                errors.append({"row": row_no, "error": "missing text"})
                continue
            comments += 1
            with self.lock:
                data = text.encode()
                v = self._scan({0: data})
                action = v.action
                score = num(v.score)
                hits = [self._hit(v.hits[k], {0: data}, False) for k in range(v.hit_count)]
            should = label in positive if positive is not None else label not in negative
            flagged = action >= 1
            key = ("t" if should == flagged else "f") + ("p" if flagged else "n")
            counts[key] += 1
            if should != flagged and len(wrong) < 200:
                w = {"row": row_no}
                if rid is not None:
                    w["id"] = rid
                w.update({"text": text, "label": label,
                          "expected": "flag" if should else "pass",
                          "action": ACTIONS[action], "score": score, "hits": hits})
                wrong.append(w)
        tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
        p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
        return {"rules_id": self.rules_id(), "comments": comments, "malformed": len(errors),
                "counts": counts, "precision": p, "recall": r,
                "f1": ratio(2 * tp, 2 * tp + fp + fn), "fpr": ratio(fp, fp + tn),
                "wrong": wrong, "wrong_truncated": sum(counts[k] for k in ("fp", "fn")) > 200,
                "errors": errors}


class Handler(BaseHTTPRequestHandler):
    server_version = "quell-mock"
    quell = None

    def log_message(self, fmt, *args):
        if os.environ.get("MOCK_LOG"):
            sys.stderr.write("mock: " + fmt % args + "\n")

    def send(self, status, body, ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fail(self, status, message, **extra):
        self.send(status, dict({"error": message, "status": status}, **extra))

    def do_GET(self):
        path = urlsplit(self.path).path
        if path in ASSETS:
            name, ctype = ASSETS[path]
            with open(os.path.join(UI_DIR, name), "rb") as f:
                return self.send(200, f.read(), ctype, PAGE_HEADERS)
        if path == "/v1/rules":
            return self.send(200, self.quell.rules_json())
        if path in ("/v1/explain", "/v1/eval", "/v1/check"):
            return self.fail(405, "method not allowed")
        return self.fail(404, "no such path: " + path)

    def do_POST(self):
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/v1/explain":
            return self.explain(body)
        if url.path == "/v1/eval":
            return self.eval(body, parse_qs(url.query))
        return self.fail(404 if url.path not in ASSETS else 405, "no such path: " + url.path)

    def explain(self, body):
        try:
            obj = json.loads(body.decode())
        except (UnicodeDecodeError, ValueError) as e:
            return self.send(400, {"id": None, "action": "error", "error": "bad JSON: %s" % e})
        if not isinstance(obj, dict) or not isinstance(obj.get("body"), str):
            return self.send(400, {"id": obj.get("id") if isinstance(obj, dict) else None,
                                   "action": "error", "error": "no body"})
        author = obj.get("author")
        try:
            out = self.quell.explain(obj["body"], author if isinstance(author, str) else None)
        except ValueError as e:
            return self.send(400, {"id": obj.get("id"), "action": "error", "error": str(e)})
        if "id" in obj:
            out["id"] = obj["id"]
        else:
            del out["id"]
        self.send(200, out)

    def eval(self, body, query):
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return self.fail(400, "the sample is not UTF-8")
        ctype = (self.headers.get("Content-Type") or "text/csv").split(";")[0].strip()
        if ctype not in ("text/csv", "text/tab-separated-values"):
            return self.fail(415, "unsupported content type " + ctype)
        reader = csv.reader(io.StringIO(text), delimiter="\t" if "tab" in ctype else ",")
        header = next(reader, None)
        q = {k: v[-1] for k, v in query.items()}
        tcol, lcol, icol = (q.get("text_column", "text"), q.get("label_column", "label"),
                            q.get("id_column", "id"))
        if not header or tcol not in header or lcol not in header:
            return self.fail(400, "the header names no '%s' and '%s' columns" % (tcol, lcol))
        ti, li = header.index(tcol), header.index(lcol)
        ii = header.index(icol) if icol in header else None
        rows = []
        for n, rec in enumerate(reader, 1):
            get = lambda i: rec[i] if i is not None and i < len(rec) else None
            rows.append((n, get(ii), get(ti), get(li) or ""))
        positive = negative = None
        if "negative" in q:
            negative = set(q["negative"].split(","))
        else:
            positive = set(q.get("positive", DEFAULT_POSITIVE).split(","))
        self.send(200, self.quell.eval(rows, positive, negative))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules", "default.cfg"))
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    Handler.quell = Quell(args.rules)
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening on http://127.0.0.1:%d/" % httpd.server_address[1], flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
