#!/usr/bin/env python3
"""
test_page.py - the moderator's page of `quell serve`, tested in a real browser:
headless Chromium driven through the Chrome DevTools Protocol over
--remote-debugging-pipe (NUL-terminated JSON on the child's fds 3 and 4), with
real input events: text typed with Input.insertText, the Check button clicked
with mouse events at its coordinates, Ctrl+Enter pressed as key events.

    tests/browser/test_page.py --url http://127.0.0.1:PORT/ [--screenshot out.png]

It needs a running `quell serve` (tests/browser/run.sh starts one) serving the
shipped rules. Exits 0 when every check passes, 1 naming the first that
failed, 2 when the browser or the service cannot be used at all.
"""
import argparse
import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT_S = 20  # any one wait: a command's answer, a page load, a result
WIDTH, HEIGHT = 1200, 900
NARROW = 360

ENGLISH = "you are an idiot"
# "the article is good but you donkey": unmarked Arabic before the marks, so
# offsets taken as UTF-16 units instead of bytes would mark the wrong letters
ARABIC = "\u0627\u0644\u0645\u0642\u0627\u0644 \u062c\u064a\u062f \u0628\u0633 \u0627\u0646\u062a \u062d\u0645\u0627\u0631"
ARABIC_INSULT = "\u062d\u0645\u0627\u0631"  # "donkey"
HOSTILE = ('<script>window.__quell_xss = 1</script><img src=x onerror="window.__quell_xss = 2">'
           ' <b>bold</b> \U0001F644 you idiot')  # and a 4-byte character, 2 UTF-16 units
MIXED = ("you are an idiot. \u0627\u0646\u062a \u062d\u0645\u0627\u0631!"
         " we assess the news differently")
SAMPLE = ("text,label\n"
          "you are an idiot,1\n"
          "have a nice day,0\n"
          # missed, so shown with no mark: markup in it must stay text too
          "\"<img src=x onerror=\"\"window.__quell_xss = 3\"\"> what a lovely photo\",1\n"
          "\u0627\u0646\u062a \u062d\u0645\u0627\u0631,0\n")  # "you donkey"


class Failed(Exception):
    """A check on the page did not hold."""


class Broken(Exception):
    """The browser or the service could not be used."""


class Browser:
    """Chromium over --remote-debugging-pipe: one page, one CDP session."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="quell-browser-")
        cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
        res_r, res_w = os.pipe()  # Chromium writes answers on fd 4, we read
        # os.pipe takes the lowest free fds, so once the first pipe exists fds
        # 3 and 4 are both open here (pipe ends or older files): pass_fds can
        # name them, and the child keeps them through close_fds. The child's
        # ends are lifted to fds >= 10 first, so that placing them on 3 and 4
        # (in the child, after fork) cannot overwrite one with the other.
        child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 10)

        def place_fds():
            os.dup2(child_in, 3)  # dup2 leaves 3 and 4 open across exec
            os.dup2(child_out, 4)

        args = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--mute-audio",
                "--hide-scrollbars", "--window-size=%d,%d" % (WIDTH, HEIGHT),
                "--lang=en-US", "--force-color-profile=srgb", "about:blank"]
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         preexec_fn=place_fds, pass_fds=(3, 4))
        except OSError as e:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise Broken("cannot start %s: %s" % (CHROMIUM, e))
        finally:
            for fd in (child_in, child_out, cmd_r, res_w):
                os.close(fd)
        self.out = os.fdopen(cmd_w, "wb", buffering=0)
        self.inp = os.fdopen(res_r, "rb", buffering=0)
        self.next_id = 0
        self.answers = {}
        self.events = queue.Queue()
        self.cond = threading.Condition()
        self.closed = False
        self.stderr_tail = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.session = None

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_tail = (self.stderr_tail + [line.decode(errors="replace").rstrip()])[-20:]

    def _read(self):
        buf = b""
        while True:
            chunk = self.inp.read(65536)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self.cond:
                        self.answers[msg["id"]] = msg
                        self.cond.notify_all()
                else:
                    self.events.put(msg)
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def send(self, method, params=None, session=True, timeout=TIMEOUT_S):
        """Send one command and wait for its answer; a CDP error is Broken."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        try:
            self.out.write(json.dumps(msg).encode() + b"\0")
        except BrokenPipeError:
            raise Broken("Chromium has gone: " + " / ".join(self.stderr_tail[-3:]))
        deadline = time.monotonic() + timeout
        with self.cond:
            while msg["id"] not in self.answers:
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    raise Broken("no answer to %s within %ds%s" % (
                        method, timeout, " (Chromium closed the pipe)" if self.closed else ""))
                self.cond.wait(left)
            answer = self.answers.pop(msg["id"])
        if "error" in answer:
            raise Broken("%s: %s" % (method, answer["error"].get("message")))
        return answer.get("result", {})

    def wait_event(self, method, timeout=TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Broken("no %s within %ds" % (method, timeout))
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.note_event(ev)
            if ev.get("method") == method:
                return ev

    def note_event(self, ev):
        """Keep what the page should never do: throw, or log an error other
        than an HTTP status (a refused sample is one, on purpose); a
        Content-Security-Policy violation is logged as such an error."""
        if ev.get("method") == "Runtime.exceptionThrown":
            d = ev["params"]["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            self.exceptions.append(text)
        elif ev.get("method") == "Log.entryAdded":
            entry = ev["params"]["entry"]
            if entry.get("level") == "error" and entry.get("source") != "network":
                self.exceptions.append("%s: %s" % (entry.get("source"), entry.get("text")))
        elif ev.get("method") == "Runtime.consoleAPICalled":
            if ev["params"].get("type") == "error":
                self.exceptions.append("console.error: %s" % ev["params"].get("args"))

    def drain_events(self):
        while True:
            try:
                self.note_event(self.events.get_nowait())
            except queue.Empty:
                return

    def open_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self.exceptions = []
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Log.enable")
        self.set_width(WIDTH)

    def set_width(self, width):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        while not self.events.empty():
            self.drain_events()
        # A URL that differs from the current one only in its #fragment would
        # not load the page again: leave it first.
        self.send("Page.navigate", {"url": "about:blank"})
        self.wait_event("Page.loadEventFired")
        answer = self.send("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise Broken("cannot open %s: %s" % (url, answer["errorText"]))
        self.wait_event("Page.loadEventFired")

    def js(self, expression):
        """The value of a JavaScript expression (awaited), as JSON."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise Broken("script failed: %s" % (d.get("exception", {}).get("description")
                                                or d.get("text")))
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=TIMEOUT_S):
        """Poll until expression is truthy; Failed naming what otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise Failed("timed out after %ds waiting for %s" % (timeout, what))
            time.sleep(0.05)

    def center(self, selector):
        """The viewport coordinates of an element's middle, scrolled into view."""
        rect = self.js("""(() => {
            const e = document.querySelector(%s);
            if (!e) return null;
            e.scrollIntoView({block: "center"});
            const r = e.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height};
        })()""" % json.dumps(selector))
        if not rect or rect["w"] == 0 or rect["h"] == 0:
            raise Failed("%s is not on the page, or not visible" % selector)
        return rect["x"], rect["y"]

    def click(self, selector):
        x, y = self.center(selector)
        hit = self.js("(() => { const e = document.elementFromPoint(%r, %r);"
                      " const t = document.querySelector(%s);"
                      " return !!e && (e === t || t.contains(e)); })()"
                      % (x, y, json.dumps(selector)))
        if not hit:
            raise Failed("something covers %s where a click would land" % selector)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1})

    def type_into(self, selector, text):
        """Click into a text box, select what it holds, type text over it."""
        self.click(selector)
        focused = self.js("document.activeElement === document.querySelector(%s)"
                          % json.dumps(selector))
        if not focused:
            raise Failed("clicking %s did not focus it" % selector)
        self.js("document.activeElement.select()")
        self.send("Input.insertText", {"text": text})

    def press_tab(self):
        base = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9,
                "nativeVirtualKeyCode": 9}
        self.send("Input.dispatchKeyEvent", dict(base, type="rawKeyDown"))
        self.send("Input.dispatchKeyEvent", dict(base, type="keyUp"))

    def ctrl_enter(self):
        base = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                "nativeVirtualKeyCode": 13, "modifiers": 2}  # 2: Ctrl
        self.send("Input.dispatchKeyEvent", dict(base, type="rawKeyDown"))
        self.send("Input.dispatchKeyEvent", dict(base, type="keyUp"))

    def screenshot(self, path):
        """The whole page, as PNG."""
        size = self.js("({w: document.documentElement.scrollWidth,"
                       " h: document.documentElement.scrollHeight})")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": min(size["h"], 6000), "deviceScaleFactor": 1,
                   "mobile": False})
        self.js("window.scrollTo(0, 0)")
        time.sleep(0.2)
        shot = self.send("Page.captureScreenshot", {"format": "png"})
        self.set_width(WIDTH)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        try:
            if self.proc.poll() is None:
                self.send("Browser.close", session=False, timeout=5)
        except Broken:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for f in (self.out, self.inp):
            try:
                f.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


# --------------------------------------------------------------------------
# What the page should show, worked out here from the service's own answer

def service(url, path, body=None, ctype="application/json"):
    req = urllib.request.Request(url.rstrip("/") + path, data=body,
                                 headers={"Content-Type": ctype} if body is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as res:
            return json.loads(res.read())
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Broken("%s%s: %s" % (url.rstrip("/"), path, e))


def service_status(url, path, body, ctype):
    """The status and JSON body of a request the service may refuse."""
    req = urllib.request.Request(url.rstrip("/") + path, data=body,
                                 headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read())
        except ValueError:
            raise Broken("%s: a %d whose body is not JSON" % (path, e.code))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise Broken("%s%s: %s" % (url.rstrip("/"), path, e))


def expected_marks(text, hits):
    """The texts of the marked ranges: hits' byte spans in the UTF-8 of text,
    overlapping ones merged, in order. Done on bytes, as the service counts,
    independently of the page's UTF-16 conversion."""
    data = text.encode()
    spans = sorted((h["start"], h["end"]) for h in hits)
    merged = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [data[s:e].decode() for s, e in merged]


def check_equal(what, got, want):
    if got != want:
        raise Failed("%s: the page shows %r, expected %r" % (what, got, want))


class Run:
    def __init__(self, browser, url):
        self.b = browser
        self.url = url
        self.passed = 0

    def ok(self, what):
        self.passed += 1
        print("ok %d - %s" % (self.passed, what), flush=True)

    def explain(self, text, submit):
        """Type text into the comment box, submit it as told, wait for the
        result; returns the page's result state."""
        b = self.b
        before = b.js("document.getElementById('result').dataset.seq || '0'")
        b.type_into("#comment", text)
        check_equal("the comment box after typing", b.js("document.getElementById('comment').value"),
                    text)
        if submit == "click":
            b.click("#check")
        else:
            b.ctrl_enter()
        b.wait_for("(() => { const r = document.getElementById('result');"
                   " return (r.dataset.seq || '0') !== %s && r.dataset.state !== 'busy'; })()"
                   % json.dumps(before), "the result of checking %r" % text)
        state = b.js("document.getElementById('result').dataset.state")
        if state != "done":
            raise Failed("checking %r showed an error: %s" % (
                text, b.js("document.getElementById('check-error').textContent")))
        return self.shown()

    def shown(self):
        return self.b.js("""(() => {
            const r = document.getElementById('result');
            const body = r.querySelector('.field-body p.original');
            return {
                badge: (r.querySelector('#action-badge') || {}).textContent,
                score: (r.querySelector('#score') || {}).textContent,
                marks: Array.from(body.querySelectorAll('mark'), m => m.textContent),
                titles: Array.from(body.querySelectorAll('mark'), m => m.title),
                text: body.textContent,
                children: Array.from(body.childNodes, n => n.nodeType === 3 ? '#text'
                                                             : n.nodeName.toLowerCase()),
                dir: body.getAttribute('dir'),
                hitRows: r.querySelectorAll('table.hits tbody tr').length,
                ruleRows: r.querySelectorAll('.row table')[0].querySelectorAll('tbody tr').length,
            };
        })()""")

    def verify_explained(self, text, shown, author=None):
        """The page's verdict against the service's own answer for text."""
        body = {"body": text}
        if author:
            body["author"] = author
        d = service(self.url, "/v1/explain", json.dumps(body).encode())
        check_equal("the action badge", shown["badge"], d["action"])
        check_equal("the original text", shown["text"], text)
        check_equal("the original text's direction", shown["dir"], "auto")
        body_hits = [h for h in d["hits"] if h["field"] == "body"]
        check_equal("the marked substrings", shown["marks"], expected_marks(text, body_hits))
        if any(c not in ("#text", "mark") for c in shown["children"]):
            raise Failed("the original text holds elements other than <mark>: %r"
                         % shown["children"])
        for title in shown["titles"]:
            if not title or "view" not in title:
                raise Failed("a mark's tooltip names no rule and view: %r" % title)
        check_equal("the rows of the hits table", shown["hitRows"], len(d["hits"]))
        check_equal("the rules that fired", shown["ruleRows"], max(1, len(d["rules"])))
        return d


def run(args):
    rules = service(args.url, "/v1/rules")
    for key in ("rules_id", "label", "thresholds"):
        if key not in rules:
            raise Broken("/v1/rules has no %r: is this quell serve?" % key)
    b = Browser()
    try:
        b.open_page()
        t = Run(b, args.url)

        # Loaded: the header names the rules being served.
        b.navigate(args.url)
        b.wait_for("document.documentElement.dataset.ready === '1'", "the page to load its rules")
        check_equal("the rules id in the header", b.js(
            "(document.getElementById('rules-id') || {}).textContent"), rules["rules_id"])
        check_equal("the rules label in the header",
                    b.js("document.getElementById('rules-label').textContent"),
                    rules["label"] or "no label")
        t.ok("page loaded; header shows rules %s" % rules["rules_id"])

        # Keyboard: the comment box, the author, then Check, with a visible focus.
        b.click("#comment")
        order = []
        for _ in range(2):
            b.press_tab()
            order.append(b.js("document.activeElement.id"))
        check_equal("the focus order after the comment box", order, ["author", "check"])
        outline = b.js("getComputedStyle(document.activeElement).outlineStyle")
        if outline in (None, "none"):
            raise Failed("the focused Check button shows no outline")
        t.ok("Tab goes comment, author, Check; the focus is outlined")

        # English, by the Check button.
        shown = t.explain(ENGLISH, "click")
        d = t.verify_explained(ENGLISH, shown)
        if d["action"] == "pass":
            raise Failed("the shipped rules should not pass %r" % ENGLISH)
        if not any("idiot" in m for m in shown["marks"]):
            raise Failed("no mark covers 'idiot': marks %r" % shown["marks"])
        t.ok("English comment: badge %r, marks %r" % (shown["badge"], shown["marks"]))

        # Arabic, by Ctrl+Enter: byte offsets of two-byte letters.
        shown = t.explain(ARABIC, "keys")
        d = t.verify_explained(ARABIC, shown)
        if not any(ARABIC_INSULT in m for m in shown["marks"]):
            raise Failed("no mark covers %r: marks %r" % (ARABIC_INSULT, shown["marks"]))
        t.ok("Arabic comment by Ctrl+Enter: badge %r, marks %r" % (shown["badge"], shown["marks"]))

        # Markup in a comment is text: nothing injected, nothing run.
        counts = "[document.querySelectorAll('script').length, document.querySelectorAll('img').length," \
                 " document.querySelectorAll('b').length]"
        before = b.js(counts)
        shown = t.explain(HOSTILE, "click")
        t.verify_explained(HOSTILE, shown)
        time.sleep(0.3)  # an onerror would have fired by now
        check_equal("script, img and b elements after showing markup", b.js(counts), before)
        check_equal("window.__quell_xss", b.js("typeof window.__quell_xss"), "undefined")
        if "<script>" not in b.js("document.getElementById('result').textContent"):
            raise Failed("the markup is not shown as text")
        t.ok("markup in a comment shown as text, no element injected")

        # The shareable link: #text= fills the box and does not submit.
        hash_text = b.js("new URLSearchParams(location.hash.slice(1)).get('text')")
        check_equal("the page address's #text after a check", hash_text, HOSTILE)
        b.navigate(args.url.split("#")[0] + "#text=" + urllib.parse.quote(ENGLISH, safe=""))
        b.wait_for("document.documentElement.dataset.ready === '1'", "the page to load again")
        check_equal("the box filled from #text", b.js("document.getElementById('comment').value"),
                    ENGLISH)
        check_equal("the result after opening a #text link",
                    b.js("document.getElementById('result').hidden"), True)
        t.ok("#text= link fills the comment box without checking it")

        # The eval panel: a 4-row sample, typed.
        want = service(args.url, "/v1/eval?positive=1", SAMPLE.encode(), "text/csv")
        check_equal("the positive labels' default", b.js("document.getElementById('positive').value"),
                    "1")
        b.type_into("#sample", SAMPLE)
        before = b.js("document.getElementById('eval-result').dataset.seq || '0'")
        b.click("#measure")
        b.wait_for("(() => { const r = document.getElementById('eval-result');"
                   " return (r.dataset.seq || '0') !== %s && r.dataset.state !== 'busy'; })()"
                   % json.dumps(before), "the sample's figures")
        if b.js("document.getElementById('eval-result').dataset.state") != "done":
            raise Failed("measuring showed an error: %s"
                         % b.js("document.getElementById('eval-error').textContent"))
        got = b.js("""(() => {
            const f = k => document.getElementById('fig-' + k).textContent;
            const rows = Array.from(document.querySelectorAll('#eval-result table.wrong tbody tr'));
            return {precision: f('precision'), recall: f('recall'), f1: f('f1'), fpr: f('fpr'),
                    rows: rows.map(r => ({
                        row: r.cells[0].textContent,
                        text: r.querySelector('p.sample').textContent,
                        marks: Array.from(r.querySelectorAll('mark'), m => m.textContent)}))};
        })()""")
        fmt = lambda x: "\u2013" if x is None else "%.3f" % x
        for k in ("precision", "recall", "f1", "fpr"):
            check_equal("the sample's %s" % k, got[k], fmt(want[k]))
        check_equal("the wrong comments' rows", [r["row"] for r in got["rows"]],
                    [str(w["row"]) for w in want["wrong"]])
        for r, w in zip(got["rows"], want["wrong"]):
            check_equal("row %s's text" % w["row"], r["text"], w["text"])
            check_equal("row %s's marks" % w["row"], r["marks"], expected_marks(w["text"], w["hits"]))
        check_equal("img elements in the figures", b.js(
            "document.querySelectorAll('#eval-result img').length"), 0)
        check_equal("window.__quell_xss after the figures", b.js("typeof window.__quell_xss"),
                    "undefined")
        t.ok("eval: precision %s, recall %s, %d wrong comments with their marks"
             % (got["precision"], got["recall"], len(got["rows"])))

        # A file chosen with the file input is read into the box.
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
            f.write(SAMPLE)
        try:
            doc = b.send("DOM.getDocument")
            node = b.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"],
                                                "selector": "#sample-file"})
            b.js("document.getElementById('sample').value = ''")
            b.send("DOM.setFileInputFiles", {"files": [f.name], "nodeId": node["nodeId"]})
            b.wait_for("document.getElementById('sample').value === %s" % json.dumps(SAMPLE),
                       "the chosen file to fill the sample box")
        finally:
            os.unlink(f.name)
        t.ok("a chosen CSV file is read into the sample box")

        # An error from the service is shown, readably: a sample without the
        # text and label columns, if the service refuses it.
        bad = "words,more\nhello,1\n"
        status, refusal = service_status(args.url, "/v1/eval?positive=1", bad.encode(), "text/csv")
        if status >= 400:
            b.type_into("#sample", bad)
            b.click("#measure")
            b.wait_for("!document.getElementById('eval-error').hidden", "an error to be shown")
            message = b.js("document.getElementById('eval-error').textContent")
            if "HTTP %d" % status not in message or str(refusal.get("error")) not in message:
                raise Failed("the service answered %d %r; the page says %r"
                             % (status, refusal.get("error"), message))
            if not b.js("document.getElementById('eval-result').hidden"):
                raise Failed("the last figures stay shown beside the error")
            t.ok("a service error is shown: %r" % message)
        else:
            t.ok("# SKIP the service measures a sample without text and label columns")

        # Narrow: the result fits a phone's width without scrolling sideways.
        shown = t.explain(MIXED, "keys")
        t.verify_explained(MIXED, shown)
        b.set_width(NARROW)
        time.sleep(0.2)
        width = b.js("document.documentElement.scrollWidth")
        if width > NARROW:
            raise Failed("at %dpx wide the page is %dpx wide" % (NARROW, width))
        b.set_width(WIDTH)
        t.ok("Arabic and English comment explained; fits %dpx" % NARROW)

        if args.screenshot:
            # The page's own example, by its button, and no file chosen.
            b.js("document.getElementById('sample-file').value = ''")
            b.click("#sample-example")
            b.click("#measure")
            b.wait_for("document.getElementById('eval-result').dataset.state === 'done'"
                       " && !document.getElementById('eval-result').hidden", "the figures again")
            b.js("document.activeElement.blur()")
            b.screenshot(args.screenshot)
            t.ok("screenshot written to %s" % args.screenshot)

        b.drain_events()
        if b.exceptions:
            raise Failed("the page threw or logged an error: %s" % b.exceptions[0])
        t.ok("no script error, nor one logged (such as a refused policy)")
        print("%d passed, 0 failed" % t.passed)
    finally:
        b.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the page, e.g. http://127.0.0.1:8080/")
    ap.add_argument("--screenshot", help="write a PNG of the explained page here")
    args = ap.parse_args()
    try:
        run(args)
    except Failed as e:
        print("not ok - %s" % e, flush=True)
        print("0 passed, 1 failed")
        return 1
    except Broken as e:
        print("test_page.py: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
