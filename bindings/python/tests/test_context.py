"""The Python binding's context (issue 16) against `quell filter -f jsonl
--context` of the build tree: the same records, scanned in order into one
quell.Context, give the same lines; a saved context resumes; the structs
the binding lays out match include/quell.h."""

import ctypes
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

import quell
from quell import _lib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
CONTEXT_RULES = os.path.join(REPO, "tests", "fixtures", "context", "context.cfg")
HEADER_DIR = os.path.join(REPO, "include")

T0 = 1765062000  # 2025-12-06T23:00:00Z
# An id of over QUELL_CONTEXT_ID_MAX - 1 bytes of JSON: a campaign that
# starts with it has no first id to report.
LONG_ID = "L" * 140


def make_stream(seed=16):
    """Records as `quell filter -f jsonl` reads them, in time order but for
    one that comes late: 120 comments of readers, with in between a campaign
    with a link (6 copies, 5 authors, disguised), one without (4 authors,
    Arabic, its first id too long to report), a flood (7 comments in 48 s),
    a repeat (one text 4 times), an author held twice, a common phrase from
    4 readers, and comments without an author. Times are seconds, some with
    a fraction (some of them halves of a millisecond), some RFC 3339."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "vo", "ni", "pe", "da", "zu", "ri",
                 "mo", "ha", "gi", "be", "fa", "ye", "qo", "wu", "sha", "tho", "ang", "el"]
    vocab = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
             for _ in range(500)]

    def chatter():
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(6, 14)))

    events = [("reader", None) for _ in range(120)]
    link = ["Earn 500 dollars a day from home, visit https://cash.example/%s now" % c
            for c in ("a1", "b2", "c3", "d4", "e5", "f6")]
    link[2] = link[2].replace("Earn", "E4rn").replace("home", "h0me")
    link[4] = link[4] + " 💰💰"
    link[5] = link[5].replace(" now", " today")
    link_authors = ["pa", "pb", "pc", "pd", "pa", "pe"]
    events += [("campaign", (b, a)) for b, a in zip(link, link_authors)]
    slogan = "قاطعوا منتجات هذه الشركة الآن وانشروا الرسالة في كل مكان"
    events += [("slogan", (slogan + tail, a)) for tail, a in
               zip(["", "!!", " 🔥", "!"], ["sa", "sb", "sc", "sd"])]
    events += [("repeat", None) for _ in range(4)]
    events += [("rude", "you idiot, " + chatter()) for _ in range(2)]
    events += [("rude", "and again " + chatter())]
    events += [("common", a) for a in ("ca", "cb", "cc", "cd")]
    events += [("anon", None) for _ in range(6)]
    # Readers first, the rest where chance puts it, but each kind in its
    # own order (the rude author's idiots before their third comment), and
    # the flood in one piece.
    head, rest = events[:40], events[40:]
    queues = {}
    for kind, what in rest:
        queues.setdefault(kind, []).append(what)
    rng.shuffle(rest)
    events = head + [(kind, queues[kind].pop(0)) for kind, _ in rest]
    at = rng.randrange(60, len(events) - 20)
    events[at:at] = [("flood", "flood %d %s" % (k, chatter())) for k in range(7)]

    records = []
    t = T0
    repeat_text = "same words again, " + chatter()
    for n, (kind, what) in enumerate(events, 1):
        rec = {"id": n if n % 3 else "c-%d" % n}
        # The whole stream within the hour that repeats and campaigns count.
        t += 8 if kind == "flood" else rng.randint(2, 20)
        if kind == "flood":
            rec.update(author="flooder", body=what)
        elif kind == "reader":
            rec.update(author="reader-%d" % rng.randrange(50), body=chatter())
        elif kind in ("campaign", "slogan"):
            rec.update(body=what[0], author=what[1])
            if kind == "slogan" and what[0] == slogan:
                rec["id"] = LONG_ID
        elif kind == "repeat":
            rec.update(author="repeater", body=repeat_text)
        elif kind == "rude":
            rec.update(author="rude", body=what)
        elif kind == "common":
            rec.update(author=what, body="May God have mercy on their souls")
        elif kind == "anon":
            rec.update(body=chatter())
        rec["time"] = t + rng.choice([0, 0, 0.5, 0.0005, 0.0015, 0.123])
        records.append(rec)
    # One late comment: it counts as posted at the latest time seen.
    records[70]["time"] = T0 + 5
    # RFC 3339 dates for a few, as records may carry them.
    for k in (10, 11, 90):
        when = datetime.fromtimestamp(int(records[k]["time"]), timezone.utc)
        records[k]["time"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return records


def record_time(rec):
    """A record's time as the binding takes it: seconds, or a datetime."""
    t = rec["time"]
    if isinstance(t, str):
        return datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return t


def scan_records(f, ctx, records):
    return [f.scan(r["body"], author=r.get("author"), id=r["id"], time=record_time(r),
                   context=ctx) for r in records]


def run_filter(quell_bin, rules, records, *options):
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    out = subprocess.run([quell_bin, "filter", "-f", "jsonl", "--context", *options, rules],
                         check=True, input=stdin, stdout=subprocess.PIPE).stdout
    return [json.loads(line) for line in out.decode().splitlines()]


def comparable(v):
    """What the binding decodes from the structs, in the command's shape."""
    d = {"action": v.action, "score": v.score, "rules_id": v.rules_id}
    if v.categories:
        d["categories"] = v.categories
    if v.rules:
        d["rules"] = [r.as_dict() for r in v.rules]
    if v.hits:
        d["hits"] = [h.as_dict() for h in v.hits]
    d["context"] = v.context.as_dict()
    return d


@pytest.fixture(scope="module")
def ctx_filter():
    return quell.Filter(CONTEXT_RULES)


@pytest.fixture(scope="module")
def stream():
    return make_stream()


@pytest.fixture(scope="module")
def expected(quell_bin, stream):
    return run_filter(quell_bin, CONTEXT_RULES, stream)


def test_verdicts_equal_the_command(ctx_filter, stream, expected):
    got = scan_records(ctx_filter, quell.Context(), stream)
    assert len(expected) == len(stream) == len(got)
    for rec, v, want in zip(stream, got, expected):
        assert v.as_dict() == want, rec
        assert comparable(v) == {k: w for k, w in want.items() if k != "id"}, rec
    # The stream is worth comparing: every context rule fires, and every
    # shape of the facts occurs.
    fired = {r.id for v in got for r in v.rules}
    assert {"campaign.authors", "campaign.copies", "campaign.link", "author.repeats",
            "author.rate", "author.held"} <= fired
    assert {v.action for v in got} >= {"pass", "hold", "reject"}
    facts = [v.context for v in got]
    assert any(c.is_common and c.campaign is None for c in facts)
    assert any(c.author is None for c in facts)
    by_author = {}
    for rec, c in zip(stream, facts):
        by_author.setdefault(rec.get("author", "")[:1], []).append(c)
    link = by_author["p"][-1].campaign
    assert (link.copies, link.authors, type(link.first)) == (6, 5, int)
    slogan = by_author["s"][-1].campaign
    assert (slogan.copies, slogan.authors, slogan.first) == (4, 4, None)
    assert max(c.author.rate for c in facts if c.author) == 7
    assert max(c.author.repeats for c in facts if c.author) == 4
    assert max(c.author.held for c in facts if c.author) == 2


def test_plain_scan_has_no_context(ctx_filter):
    v = ctx_filter.scan("you idiot", author="x")
    assert v.context is None and "context" not in v.as_dict()


def test_save_then_load_resumes(tmp_path, ctx_filter, stream, expected):
    for cut in (1, len(stream) // 3, len(stream) - 1):
        first = quell.Context()
        lines = [v.json for v in scan_records(ctx_filter, first, stream[:cut])]
        path = tmp_path / ("cut-%d.ctx" % cut)
        first.save(path)
        resumed = quell.Context.load(str(path))
        assert resumed.memory > 0
        lines += [v.json for v in scan_records(ctx_filter, resumed, stream[cut:])]
        assert [json.loads(line) for line in lines] == expected, cut


def test_command_and_binding_resume_each_other(tmp_path, quell_bin, ctx_filter, stream,
                                               expected):
    """The file is the library's: the command resumes what the binding
    saved, and the binding what the command saved."""
    cut = len(stream) // 2
    ctx = quell.Context()
    scan_records(ctx_filter, ctx, stream[:cut])
    saved = tmp_path / "binding.ctx"
    ctx.save(saved)
    assert run_filter(quell_bin, CONTEXT_RULES, stream[cut:],
                      "--context-file", str(saved)) == expected[cut:]

    by_command = tmp_path / "command.ctx"
    run_filter(quell_bin, CONTEXT_RULES, stream[:cut], "--context-file", str(by_command))
    resumed = quell.Context.load(by_command)
    assert [v.as_dict() for v in scan_records(ctx_filter, resumed, stream[cut:])] == \
        expected[cut:]


def test_damaged_file_raises(tmp_path, ctx_filter, stream, default_rules):
    ctx = quell.Context()
    scan_records(ctx_filter, ctx, stream[:50])
    good = tmp_path / "good.ctx"
    ctx.save(good)
    data = good.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    damaged = {"flipped": bytes(flipped), "truncated": data[:len(data) // 2],
               "header only": data[:32], "empty": b"", "not a context": b"QUELLCTX" + b"\0" * 8}
    for name, content in damaged.items():
        path = tmp_path / (name.replace(" ", "-") + ".ctx")
        path.write_bytes(content)
        with pytest.raises(quell.QuellError) as info:
            quell.Context.load(path)
        assert info.value.code_name == "EFORMAT", name
    with pytest.raises(quell.QuellError) as info:
        quell.Context.load(default_rules)
    assert info.value.code_name == "EFORMAT"
    with pytest.raises(quell.QuellError) as info:
        quell.Context.load(tmp_path / "none.ctx")
    assert info.value.code_name == "EIO"
    with pytest.raises(quell.QuellError) as info:
        ctx.save(tmp_path / "no" / "such" / "folder.ctx")
    assert info.value.code_name == "EIO"
    # The good file still loads, and the damaged ones left nothing behind.
    assert quell.Context.load(good).memory > 0


@pytest.mark.parametrize("options", [
    {"similarity": 1.5}, {"similarity": -0.1}, {"similarity": 0}, {"similarity": float("nan")},
    {"window_comments": 2 ** 24 + 1}, {"window_comments": 0}, {"window_comments": -1},
    {"max_authors": 2 ** 24 + 1}, {"max_authors": -5}, {"min_chars": 0},
    {"window_seconds": -1}, {"window_seconds": 0}, {"window_seconds": float("inf")},
    {"window_seconds": 1e12}, {"author_seconds": float("nan")}, {"rate_seconds": -60},
])
def test_options_out_of_range_raise(tmp_path, options):
    with pytest.raises(quell.QuellError) as info:
        quell.Context(**options)
    assert info.value.code_name == "EINVAL"
    path = tmp_path / "c.ctx"
    quell.Context().save(path)
    with pytest.raises(quell.QuellError) as info:
        quell.Context.load(path, **options)
    assert info.value.code_name == "EINVAL"


@pytest.mark.parametrize("options", [
    {"window_comments": 1.5}, {"window_comments": "10"}, {"max_authors": True},
    {"similarity": "high"}, {"window": 10},
])
def test_options_of_the_wrong_type_raise(tmp_path, options):
    with pytest.raises(TypeError):
        quell.Context(**options)
    path = tmp_path / "c.ctx"
    quell.Context().save(path)
    with pytest.raises(TypeError):
        quell.Context.load(path, **options)


def test_options_reach_the_library(quell_bin, ctx_filter, stream):
    """Each option changes what it should: a mistake in the options
    struct's layout would move a value into another member."""
    for options, flags in [({"window_comments": 2}, ["--context-window", "2"]),
                           ({"window_seconds": 60}, ["--context-seconds", "60"]),
                           ({"max_authors": 3}, ["--context-authors", "3"])]:
        got = [v.as_dict() for v in scan_records(ctx_filter, quell.Context(**options), stream)]
        assert got == run_filter(quell_bin, CONTEXT_RULES, stream, *flags), options

    def facts(**options):
        return [v.context for v in scan_records(ctx_filter, quell.Context(**options), stream)]

    def most(seq, key):
        return max(key(c) for c in seq if key(c) is not None)

    campaign_copies = lambda c: c.campaign.copies if c.campaign else None  # noqa: E731
    assert most(facts(window_comments=2), campaign_copies) < 6
    assert most(facts(rate_seconds=1), lambda c: c.author and c.author.rate) == 1
    assert most(facts(author_seconds=1), lambda c: c.author and c.author.repeats) == 1
    # is_common is the rules' (the note's), not the options': it stays.
    assert all(c.campaign is None for c in facts(min_chars=1000))
    # Only the undisguised copies stay alike at 1.0.
    assert most(facts(similarity=1.0), campaign_copies) < 6
    assert quell.Context(window_comments=100, max_authors=100).memory_limit < \
        quell.Context().memory_limit


def test_facts_struct_layout_through_the_library():
    """Distinct values in every member of quell_context_facts, written by
    the binding and read back by the library's own writer of its JSON."""
    c = _lib.ContextFacts(version=_lib.QUELL_CONTEXT_FACTS_VERSION, is_fingerprinted=1,
                          is_common=0, campaign_copies=101, campaign_authors=102,
                          campaign_first=b'"first-103"', has_author=1, author_rate=104,
                          author_repeats=105, author_held=106)
    want = {"campaign": {"copies": 101, "authors": 102, "first": "first-103"},
            "author": {"rate": 104, "repeats": 105, "held": 106}}
    assert json.loads(to_json(c)) == want
    assert quell._facts(c).as_dict() == want
    common = _lib.ContextFacts(version=1, is_common=1, has_author=0, author_rate=7)
    assert json.loads(to_json(common)) == {"campaign": {"common": True}}
    assert quell._facts(common).as_dict() == {"campaign": {"common": True}}


def to_json(c):
    buf = ctypes.create_string_buffer(1024)
    n = quell._LIB.quell_context_facts_to_json(ctypes.byref(c), buf, len(buf))
    return buf.raw[:n].decode()


LAYOUT_PROGRAM = r"""
#include <stddef.h>
#include <stdio.h>
#include "quell.h"
#define AT(type, member) printf("%s.%s %zu\n", #type, #member, offsetof(type, member))
#define SIZE(type) printf("%s %zu\n", #type, sizeof(type))
int main(void)
{
    SIZE(quell_context_facts);
    AT(quell_context_facts, version); AT(quell_context_facts, is_fingerprinted);
    AT(quell_context_facts, is_common); AT(quell_context_facts, campaign_copies);
    AT(quell_context_facts, campaign_authors); AT(quell_context_facts, campaign_first);
    AT(quell_context_facts, has_author); AT(quell_context_facts, author_rate);
    AT(quell_context_facts, author_repeats); AT(quell_context_facts, author_held);
    SIZE(quell_context_options);
    AT(quell_context_options, version); AT(quell_context_options, window_comments);
    AT(quell_context_options, window_seconds); AT(quell_context_options, max_authors);
    AT(quell_context_options, author_seconds); AT(quell_context_options, rate_seconds);
    AT(quell_context_options, similarity); AT(quell_context_options, min_chars);
    SIZE(quell_context_meta);
    AT(quell_context_meta, version); AT(quell_context_meta, id_json);
    AT(quell_context_meta, id_len); AT(quell_context_meta, time_ms);
    AT(quell_verdict, rules_id); AT(quell_verdict, context);
    return 0;
}
"""


def test_struct_layouts_match_the_header(tmp_path):
    """offsetof and sizeof from include/quell.h, compiled, against ctypes'."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("cc")
    if not cc or not os.path.exists(os.path.join(HEADER_DIR, "quell.h")):
        pytest.skip("needs a C compiler and include/quell.h")
    src = tmp_path / "layout.c"
    src.write_text(LAYOUT_PROGRAM)
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", "-I", HEADER_DIR, str(src), "-o", str(exe)], check=True)
    c_says = dict(line.rsplit(" ", 1) for line in
                  subprocess.run([str(exe)], check=True, stdout=subprocess.PIPE)
                  .stdout.decode().splitlines())
    ours = {}
    for c_name, struct in [("quell_context_facts", _lib.ContextFacts),
                           ("quell_context_options", _lib.ContextOptions),
                           ("quell_context_meta", _lib.ContextMeta)]:
        ours[c_name] = ctypes.sizeof(struct)
        for name, _ in struct._fields_:
            ours["%s.%s" % (c_name, name)] = getattr(struct, name).offset
    for name in ("rules_id", "context"):
        ours["quell_verdict.%s" % name] = getattr(_lib.Verdict, name).offset
    assert {k: int(v) for k, v in c_says.items()} == ours


def test_time_forms(ctx_filter):
    """Seconds (int or float) and aware datetimes name the same instant;
    a naive datetime, a time without a context and one out of range are
    refused before anything is scanned."""
    # The context counts whole seconds: a rate window of 1 s is the second
    # the comment is in.
    ctx = quell.Context(rate_seconds=1)
    when = datetime(2026, 12, 6, 23, 0, 0, tzinfo=timezone.utc)
    seconds = int(when.timestamp())
    times = [when, seconds + 0.999, seconds + 1,
             when.astimezone(timezone(timedelta(hours=3))) + timedelta(milliseconds=1999)]
    rates = [ctx_filter.scan("comment %d" % k, author="t", time=t, context=ctx)
             .context.author.rate for k, t in enumerate(times)]
    assert rates == [1, 2, 1, 2]
    with pytest.raises(ValueError):
        ctx_filter.scan("x", time=datetime(2026, 12, 6), context=ctx)
    with pytest.raises(ValueError):
        ctx_filter.scan("x", time=T0)
    with pytest.raises(TypeError):
        ctx_filter.scan("x", time="2026-12-06T23:00:00Z", context=ctx)
    with pytest.raises(TypeError):
        ctx_filter.scan("x", context="not a context")
    for bad in (float("nan"), 1e12, -1e12):
        with pytest.raises(quell.QuellError) as info:
            ctx_filter.scan("x", time=bad, context=ctx)
        assert info.value.code_name == "EINVAL"
    # llround's halves, away from zero, as `quell filter` reads a time.
    assert [quell._round_half_away(x) for x in (2.5, -2.5, 0.49999999999999994, 1e3)] == \
        [3, -3, 0, 1000]
    # No time: the clock, and the comment still counts.
    assert ctx_filter.scan("four", author="t", context=ctx).context.author is not None


def test_invalid_comment_is_not_added(ctx_filter):
    ctx = quell.Context()
    with pytest.raises(quell.QuellError) as info:
        ctx_filter.scan(b"bad \xff byte", author="u", time=T0, context=ctx)
    assert info.value.code_name == "EINPUT"
    assert ctx_filter.scan("good", author="u", time=T0, context=ctx).context.author.rate == 1


def test_threads_share_one_context(ctx_filter):
    """Four threads, each with its own scanner, scan copies into one
    context: the library's lock puts the twenty decisions in one order, so
    they see 1 to 20 copies and authors, each once, and one first id."""
    ctx = quell.Context()
    body = "Join the giveaway today and win a brand new phone for free"
    barrier = threading.Barrier(4)
    seen, errors = [], []
    lock = threading.Lock()

    def work(n):
        try:
            barrier.wait()
            for k in range(5):
                v = ctx_filter.scan(body, author="t%d-%d" % (n, k), id="t%d-%d" % (n, k),
                                    time=T0, context=ctx)
                with lock:
                    seen.append(v.context.campaign)
        except Exception as exc:  # reported below: a thread cannot fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(c.copies for c in seen) == list(range(1, 21))
    assert sorted(c.authors for c in seen) == list(range(1, 21))
    firsts = {c.first for c in seen}
    assert len(firsts) == 1 and firsts <= {"t%d-0" % n for n in range(4)}


def test_readme_context_example_runs(tmp_path, pkg_root, default_rules):
    """The README's context example, run as written but for the rules'
    path; what it says it prints, it prints, and its file resumes."""
    with open(os.path.join(pkg_root, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("\n## Context\n", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace('"build/default.qdb"', repr(os.path.abspath(default_rules)))
    # It writes its file where it runs: in tmp_path, so the library's path
    # must not be relative.
    env = dict(os.environ, PYTHONPATH=pkg_root, QUELL_LIB=os.path.abspath(os.environ["QUELL_LIB"]))
    out = subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=str(tmp_path),
                         stdout=subprocess.PIPE).stdout.decode().splitlines()
    facts = {"campaign": {"copies": 3, "authors": 3, "first": "c-0"},
             "author": {"rate": 1, "repeats": 1, "held": 0}}
    assert out == ["pass []", "pass []", "flag ['campaign.pasted']",
                   "Campaign(copies=3, authors=3, first='c-0')",
                   "AuthorFacts(rate=1, repeats=1, held=0)", repr(facts)]
    assert "prints `pass []` twice, then `flag ['campaign.pasted']`" in " ".join(
        section.split())
    resumed = quell.Context.load(tmp_path / "stream.ctx")
    f = quell.Filter(default_rules)
    v = f.scan(code.split('text = "', 1)[1].split('"', 1)[0], author="dee", id="c-3",
               time=1765062000 + 180, context=resumed)
    assert (v.context.campaign.copies, v.context.campaign.first) == (4, "c-0")
