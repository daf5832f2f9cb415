"""quell for Python: rule-based moderation of reader comments over libquell.

    import quell
    f = quell.Filter("/usr/local/share/quell/rules/default.qdb")
    v = f.scan("What an idiot.")
    v.action, v.score, v.categories     # 'flag', 3.0, {'insult': 3.0}
    v.hits[0].char_start                # offsets in the str, as well as bytes

A Filter may be shared by any number of threads: each thread scans with a
scanner of its own (threading.local), and every scanner follows the filter's
rules, so reload() swaps them for all threads between two comments.

A Context remembers the stream (campaigns of copies across authors, each
author's rate, repeats and held comments) for the context rules:

    ctx = quell.Context()
    v = f.scan(body, author="sam", id="c-42", time=1765062000, context=ctx)
    v.context.campaign.authors, v.context.author.rate
"""

import ctypes
import functools
import json
import math
import numbers
import operator
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Union

from . import _lib

__all__ = ["Filter", "load", "Verdict", "Hit", "RuleResult", "Context", "ContextFacts",
           "Campaign", "AuthorFacts", "QuellError", "version"]

_LIB = _lib.load()

Text = Union[str, bytes]

# The quell_code names, for messages and for callers who match on them.
CODES = {
    -1: "ENOMEM", -2: "EIO", -3: "ECONFIG", -4: "ECOMPILE", -5: "EFORMAT",
    -6: "EPLATFORM", -7: "EINPUT", -8: "ETOOBIG", -9: "ESCAN", -10: "EINVAL",
}
EINPUT = -7
EINVAL = -10


def version() -> str:
    """The version of the libquell actually loaded, e.g. "0.5.0"."""
    return _LIB.quell_version().decode()


class QuellError(Exception):
    """A failure reported by libquell: code (a negative quell_code, its
    name in code_name), message, and where: file and line (1-based) in the
    rules, and the rule id at fault ("" and 0 when the error has none)."""

    def __init__(self, code: int, message: str, file: str = "", line: int = 0,
                 rule_id: str = ""):
        self.code = code
        self.code_name = CODES.get(code, str(code))
        self.message = message
        self.file = file
        self.line = line
        self.rule_id = rule_id
        where = "%s:%d: " % (file, line) if file and line else (file + ": " if file else "")
        super().__init__(where + message)

    @classmethod
    def _from(cls, code: int, err: _lib.Error) -> "QuellError":
        message = err.message.decode("utf-8", "replace")
        if not message:
            message = _LIB.quell_strerror(code).decode()
        return cls(code, message, err.file.decode("utf-8", "replace"), err.line,
                   err.rule_id.decode("utf-8", "replace"))


def _check(code: int, err: _lib.Error) -> None:
    if code != 0:
        raise QuellError._from(code, err)


@dataclass(frozen=True)
class Hit:
    """One occurrence of a rule's patterns in a field ("body" or "author").
    start and end are byte offsets in the field's UTF-8, as the JSON output
    gives them; char_start and char_end index the Python str:
    body[char_start:char_end] == text."""

    rule: str
    category: str
    field: str
    start: int
    end: int
    char_start: int
    char_end: int
    text: str
    view: str
    pattern: str

    def as_dict(self) -> dict:
        """The hit as `quell filter` writes it."""
        return {"rule": self.rule, "category": self.category, "field": self.field,
                "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class RuleResult:
    """A rule that fired: how often and the points it earned."""

    id: str
    category: str
    count: int
    score: float

    def as_dict(self) -> dict:
        return {"id": self.id, "category": self.category, "count": self.count,
                "score": self.score}


@dataclass(frozen=True)
class Campaign:
    """The comment's cluster of near-copies in the context's window: its
    comments (this one included; 1 is no copy), their distinct authors, and
    the id of its first comment (None when it had none, or one over 127
    bytes of JSON)."""

    copies: int
    authors: int
    first: Optional[Union[int, str]]


@dataclass(frozen=True)
class AuthorFacts:
    """The author's comments within the rate window (a minute by default),
    those with this text within author_seconds (an hour), and their earlier
    comments in that hour that were held or rejected; this one is counted
    in rate and repeats. The context keeps an author's latest 16 comments,
    so none exceeds 16."""

    rate: int
    repeats: int
    held: int


@dataclass(frozen=True)
class ContextFacts:
    """What the context knew of one comment when it was decided, as the
    "context" member of its JSON line gives it. campaign is None when the
    comment was not fingerprinted: too short, or (is_common) alike to one of
    the rules' common phrases; author is None when it has no author."""

    campaign: Optional[Campaign]
    is_common: bool
    author: Optional[AuthorFacts]

    def as_dict(self) -> dict:
        """The facts in the shape of the JSON line's "context" member."""
        d = {}
        if self.campaign is not None:
            d["campaign"] = {"copies": self.campaign.copies, "authors": self.campaign.authors,
                             "first": self.campaign.first}
        if self.is_common:
            d["campaign"] = {"common": True}
        if self.author is not None:
            d["author"] = {"rate": self.author.rate, "repeats": self.author.repeats,
                           "held": self.author.held}
        return d


@functools.lru_cache(maxsize=1024)
def _first_id(text: bytes) -> Optional[Union[int, str]]:
    """A campaign's first id, from its JSON text (b"": none). Cached: the
    copies of a campaign all name the same one."""
    return json.loads(text) if text else None


def _facts(c: _lib.ContextFacts) -> ContextFacts:
    campaign = None
    if c.is_fingerprinted:
        campaign = Campaign(c.campaign_copies, c.campaign_authors, _first_id(c.campaign_first))
    author = None
    if c.has_author:
        author = AuthorFacts(c.author_rate, c.author_repeats, c.author_held)
    return ContextFacts(campaign, bool(c.is_common), author)


@dataclass(frozen=True)
class Verdict:
    """The outcome for one comment, copied out of the library: it stays
    valid whatever is scanned next. Scores are in points, rounded to 0.001
    as the JSON output writes them; categories holds those that scored."""

    action: str
    score: float
    categories: Dict[str, float]
    rules: List[RuleResult]
    hits: List[Hit]
    rules_id: str
    id: Optional[Union[int, str]] = None
    is_truncated: bool = False
    censored: Optional[str] = None
    json: str = field(default="", repr=False)
    # Given only when the comment was scanned in a Context.
    context: Optional[ContextFacts] = None

    def as_dict(self) -> dict:
        """The verdict in the shape of one line of `quell filter`'s output."""
        return json.loads(self.json)


def _points(score: float) -> float:
    return round(score, 3)


def _as_bytes(text: Optional[Text], what: str) -> Optional[bytes]:
    if text is None or isinstance(text, bytes):
        return text
    if isinstance(text, str):
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as exc:
            # A lone surrogate has no UTF-8: the library would refuse it too.
            raise QuellError(EINPUT, "%s is not valid UTF-8: %s" % (what, exc)) from None
    raise TypeError("%s must be str or bytes, not %s" % (what, type(text).__name__))


def _char_offsets(data: bytes, offsets) -> Dict[int, int]:
    """Map byte offsets (on character boundaries) of UTF-8 data to str
    offsets, decoding each stretch between them once."""
    out = {}
    chars = 0
    prev = 0
    for off in sorted(set(offsets)):
        chars += len(data[prev:off].decode("utf-8"))
        out[off] = chars
        prev = off
    return out


def _id_json(record_id) -> bytes:
    if record_id is None:
        return b"null"
    if isinstance(record_id, bool) or not isinstance(record_id, (int, str)):
        raise TypeError("id must be an int or a str")
    return json.dumps(record_id, ensure_ascii=False).encode("utf-8")


# The range of a record's "time" that `quell filter` accepts: years 0 to 9999.
_MIN_SECONDS = -62167219200.0
_MAX_SECONDS = 253402300800.0
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _round_half_away(value: float) -> int:
    """As C's llround, which `quell filter` rounds a record's time with:
    Python's round() goes to even on a half."""
    whole = math.floor(abs(value))
    if abs(value) - whole >= 0.5:
        whole += 1
    return int(whole) if value >= 0 else -int(whole)


def _time_ms(time) -> int:
    """A comment's time, in the milliseconds quell_context_meta takes:
    seconds since the epoch (a fraction allowed, as a record's "time"), an
    aware datetime, or None for the library's clock."""
    if time is None:
        return _lib.QUELL_CONTEXT_NOW
    if type(time) in (int, float):  # the usual case, without the ABC's checks
        seconds = float(time)
    elif isinstance(time, datetime):
        if time.utcoffset() is None:
            # Local or UTC? A guess would shift every window by hours.
            raise ValueError("time must be an aware datetime (with a tzinfo)")
        micros = (time - _EPOCH) // timedelta(microseconds=1)
        seconds = micros / 1e6
    elif isinstance(time, numbers.Real) and not isinstance(time, bool):
        seconds = float(time)
    else:
        raise TypeError("time must be seconds since the epoch or a datetime, not %s"
                        % type(time).__name__)
    if not _MIN_SECONDS < seconds < _MAX_SECONDS:  # NaN too
        raise QuellError(EINVAL, "time %r is not within the years 0 to 9999" % (time,))
    if isinstance(time, datetime):
        # Whole microseconds: exact, where a float would not be.
        ms, rest = divmod(abs(micros), 1000)
        ms += rest >= 500
        return ms if micros >= 0 else -ms
    return _round_half_away(seconds * 1000.0)


def _render(fn, *args) -> bytes:
    """Call a snprintf-like writer, once more with the size it asked for."""
    size = 4096
    while True:
        buf = ctypes.create_string_buffer(size)
        needed = fn(*args, buf, size)
        if needed < size:
            return buf.raw[:needed]
        size = needed + 1


class _Scanner:
    """One thread's quell_scanner, freed with the thread's local data."""

    def __init__(self, engine: ctypes.c_void_p):
        self.ptr = ctypes.c_void_p()
        err = _lib.Error()
        _check(_LIB.quell_scanner_new_for_engine(ctypes.byref(self.ptr), engine,
                                                 ctypes.byref(err)), err)

    def __del__(self):
        if _LIB is not None and self.ptr:
            _LIB.quell_scanner_free(self.ptr)
            self.ptr = None


# Options that count (comments, authors, characters) and options that are
# seconds or a share; a 0 would silently mean the default in the C struct,
# so None does that here and 0 is refused.
_COUNT_OPTIONS = ("window_comments", "max_authors", "min_chars")
_REAL_OPTIONS = ("window_seconds", "author_seconds", "rate_seconds", "similarity")


def _context_options(given: dict) -> _lib.ContextOptions:
    """quell_context_options from keyword arguments; the library checks the
    upper bounds (2^24 comments or authors, a century, similarity <= 1)."""
    options = _lib.ContextOptions(version=_lib.QUELL_CONTEXT_OPTIONS_VERSION)
    for name, value in given.items():
        if name not in _COUNT_OPTIONS + _REAL_OPTIONS:
            raise TypeError("%r is not a context option" % name)
        if value is None:
            continue
        if isinstance(value, bool):
            raise TypeError("context option %s must be a number, not bool" % name)
        if name in _COUNT_OPTIONS:
            value = operator.index(value)  # TypeError for a float or a str
            if not 1 <= value < 2 ** 64:
                raise QuellError(EINVAL, "context option %s must be a whole number of 1 or "
                                 "more, not %d" % (name, value))
        else:
            if not isinstance(value, numbers.Real):
                raise TypeError("context option %s must be a number, not %s"
                                % (name, type(value).__name__))
            value = float(value)
            if not value > 0:  # NaN too
                raise QuellError(EINVAL, "context option %s must be more than 0, not %r"
                                 % (name, value))
        setattr(options, name, value)
    return options


class Context:
    """What one comment cannot show alone: a window of recent comments in
    which copies pasted by many authors gather into campaigns, and each
    author's latest comments (rate, repeats, held). Pass it to Filter.scan
    (context=ctx) with each comment's id, author and time, in the stream's
    order; the context rules of the filter's rules fire on its facts.

    Options (keyword only; None takes the library's default, given in
    brackets): window_comments (20000) and window_seconds (3600) bound the
    campaign window; max_authors (50000) the authors remembered;
    author_seconds (3600) how long repeats and held comments count;
    rate_seconds (60) the window of an author's rate; similarity (0.5) how
    alike copies are, in (0, 1]; min_chars (20) the fewest characters a
    comment needs to be fingerprinted. An option out of range raises
    QuellError (code EINVAL), one of the wrong type TypeError.

    Thread-safe: one lock in the library orders the decisions, so any
    number of threads may scan into one context (each with its own
    scanner, as Filter gives them). The stream's order is then the order in
    which the calls reach that lock: the call order within one thread, and
    no particular order between calls made at the same time on different
    threads. For verdicts that do not depend on timing, scan from one
    thread in the stream's order."""

    def __init__(self, *, window_comments: Optional[int] = None,
                 window_seconds: Optional[float] = None, max_authors: Optional[int] = None,
                 author_seconds: Optional[float] = None, rate_seconds: Optional[float] = None,
                 similarity: Optional[float] = None, min_chars: Optional[int] = None):
        self._ptr = ctypes.c_void_p()
        options = _context_options(dict(
            window_comments=window_comments, window_seconds=window_seconds,
            max_authors=max_authors, author_seconds=author_seconds,
            rate_seconds=rate_seconds, similarity=similarity, min_chars=min_chars))
        err = _lib.Error()
        _check(_LIB.quell_context_new(ctypes.byref(self._ptr), ctypes.byref(options),
                                      ctypes.byref(err)), err)

    @classmethod
    def load(cls, path: "Union[str, os.PathLike]", **options) -> "Context":
        """A context resumed from a file that save() wrote, with options
        (as Context()'s; they need not be the saver's: what no longer fits
        them is forgotten, oldest first). Raises QuellError: EIO when the
        file cannot be read, EFORMAT when it is damaged, truncated or not a
        context."""
        c_options = _context_options(options)
        ctx = cls.__new__(cls)
        ctx._ptr = ctypes.c_void_p()
        err = _lib.Error()
        _check(_LIB.quell_context_load(ctypes.byref(ctx._ptr), os.fsencode(path),
                                       ctypes.byref(c_options), ctypes.byref(err)), err)
        return ctx

    def save(self, path: "Union[str, os.PathLike]") -> None:
        """Write the context to path, so that Context.load resumes it: into
        a new file beside path, then renamed over it. Safe while other
        threads scan into it. Raises QuellError (EIO) on failure."""
        err = _lib.Error()
        _check(_LIB.quell_context_save(self._ptr, os.fsencode(path), ctypes.byref(err)), err)

    @property
    def memory(self) -> int:
        """The bytes the context holds now."""
        return _LIB.quell_context_memory(self._ptr)

    @property
    def memory_limit(self) -> int:
        """The most bytes it can ever hold, with its options."""
        return _LIB.quell_context_memory_limit(self._ptr)

    def __del__(self):
        ptr = getattr(self, "_ptr", None)
        if _LIB is not None and ptr:
            _LIB.quell_context_free(ptr)
            self._ptr = None


class Filter:
    """Rules loaded from a .cfg (compiled now) or a .qdb, ready to scan.

    Thread-safe: every thread that scans gets a scanner of its own, made on
    its first scan. The library releases the GIL while it scans, so threads
    scan side by side."""

    def __init__(self, path: "Union[str, os.PathLike]"):
        rules = ctypes.c_void_p()
        err = _lib.Error()
        _check(_LIB.quell_rules_load(ctypes.byref(rules), os.fsencode(path),
                                     ctypes.byref(err)), err)
        self._engine = ctypes.c_void_p()
        code = _LIB.quell_engine_new(ctypes.byref(self._engine), rules, ctypes.byref(err))
        # The engine holds its own reference: ours goes either way.
        _LIB.quell_rules_release(rules)
        _check(code, err)
        self._local = threading.local()

    def __del__(self):
        engine = getattr(self, "_engine", None)
        if _LIB is not None and engine:
            # Scanners still alive on other threads hold the engine: it is
            # freed with the last of them.
            _LIB.quell_engine_free(engine)
            self._engine = None

    def _scanner(self) -> ctypes.c_void_p:
        scanner = getattr(self._local, "scanner", None)
        if scanner is None:
            scanner = self._local.scanner = _Scanner(self._engine)
        return scanner.ptr

    def _with_rules(self, read):
        rules = _LIB.quell_engine_rules(self._engine)
        try:
            return read(rules)
        finally:
            _LIB.quell_rules_release(rules)

    @property
    def rules_id(self) -> str:
        """The current rule set's id: 16 hex digits, as every verdict carries."""
        return self._with_rules(lambda r: _LIB.quell_rules_id(r).decode())

    @property
    def label(self) -> str:
        """The rule set's "label" (a date, a revision), or ""."""
        return self._with_rules(lambda r: _LIB.quell_rules_label(r).decode())

    @property
    def rule_ids(self) -> List[str]:
        """Every rule's id, in rule-file order."""
        return self._with_rules(lambda r: [
            _LIB.quell_rules_rule_id(r, i).decode()
            for i in range(_LIB.quell_rules_rule_count(r))])

    @property
    def thresholds(self) -> Dict[str, float]:
        """The score at which flag, hold and reject start."""
        return self._with_rules(lambda r: {
            _LIB.quell_action_name(a).decode(): _LIB.quell_rules_threshold(r, a)
            for a in (1, 2, 3)})

    @property
    def generation(self) -> int:
        """Rule sets served so far: 1 plus the successful reloads."""
        stats = _lib.EngineStats(version=_lib.QUELL_ENGINE_STATS_VERSION)
        _LIB.quell_engine_stats_get(self._engine, ctypes.byref(stats))
        return stats.generation

    def reload(self, path: "Union[str, os.PathLike]") -> str:
        """Load rules from path and swap them in for every thread, from its
        next comment; return the new rules' id. On failure QuellError says
        why and the old rules stay."""
        err = _lib.Error()
        _check(_LIB.quell_engine_reload(self._engine, os.fsencode(path), ctypes.byref(err)), err)
        return self.rules_id

    def _scan(self, body: Text, author: Optional[Text], context: Optional[Context] = None,
              id_json: Optional[bytes] = None, time=None):
        if context is not None and not isinstance(context, Context):
            raise TypeError("context must be a quell.Context, not %s" % type(context).__name__)
        if context is None and time is not None:
            raise ValueError("time is read only with a context")
        time_ms = _time_ms(time) if context is not None else None
        body_b = _as_bytes(body, "body")
        author_b = _as_bytes(author, "author")
        comment = _lib.Comment(version=_lib.QUELL_COMMENT_VERSION)
        comment.text[_lib.QUELL_FIELD_BODY] = body_b
        comment.text_len[_lib.QUELL_FIELD_BODY] = len(body_b)
        if author_b is not None:
            comment.text[_lib.QUELL_FIELD_AUTHOR] = author_b
            comment.text_len[_lib.QUELL_FIELD_AUTHOR] = len(author_b)
        scanner = self._scanner()
        out = ctypes.POINTER(_lib.Verdict)()
        err = _lib.Error()
        if context is None:
            rc = _LIB.quell_scan(scanner, ctypes.byref(comment), ctypes.byref(out),
                                 ctypes.byref(err))
        else:
            meta = _lib.ContextMeta(version=_lib.QUELL_CONTEXT_META_VERSION, time_ms=time_ms)
            if id_json is not None:
                meta.id_json, meta.id_len = id_json, len(id_json)
            rc = _LIB.quell_scan_context(scanner, context._ptr, ctypes.byref(comment),
                                         ctypes.byref(meta), ctypes.byref(out),
                                         ctypes.byref(err))
        _check(rc, err)
        # comment and the bytes it points to must outlive every use of out.
        return scanner, comment, out, (body_b, author_b)

    def scan(self, body: Text, author: Optional[Text] = None,
             id: Optional[Union[int, str]] = None, censor: Optional[str] = None,
             context: Optional[Context] = None,
             time: "Optional[Union[float, datetime]]" = None) -> Verdict:
        """Scan one comment (str, or bytes of UTF-8) and return its Verdict.
        id is echoed in the verdict and its JSON; censor, a mask character
        such as "*", also fills Verdict.censored with the body's hits masked.
        Raises QuellError (code EINPUT) for text that is not UTF-8.

        With context, the comment is decided in it, after every comment
        scanned into it before (see Context), and then joins it: its
        context rules fire, and Verdict.context holds the facts. The author
        is the one scanned; id names a campaign's first comment; time, when
        it was posted, is seconds since the epoch (a fraction allowed, as
        the "time" of `quell filter`'s records) or an aware datetime, and
        None reads the clock. A time earlier than one decided before it
        counts as that one's: the context's windows only move forward."""
        id_json = _id_json(id)
        # A comment without an id gives a campaign no first id, not "null".
        _, _, out, texts = self._scan(body, author, context,
                                      id_json if id is not None else None, time)
        return self._verdict(out.contents, out, texts, id, id_json, censor)

    def censor(self, body: Text, mask: str = "*", author: Optional[Text] = None) -> str:
        """The body with every character of its hits replaced by mask: one
        mask per character, so the length in characters stays."""
        return self.scan(body, author, censor=mask).censored

    def explain(self, body: Text, author: Optional[Text] = None,
                id: Optional[Union[int, str]] = None) -> dict:
        """Why the comment gets its verdict, as `quell explain` and `quell
        serve` give it: the views of each field, every hit with its view and
        pattern, excused hits, rules, categories and thresholds."""
        scanner, comment, out, _ = self._scan(body, author)
        id_json = _id_json(id)
        size = 16384
        err = _lib.Error()
        needed = ctypes.c_size_t()
        while True:
            buf = ctypes.create_string_buffer(size)
            _check(_LIB.quell_explain_to_json(scanner, out, ctypes.byref(comment), id_json,
                                              len(id_json), buf, size, ctypes.byref(needed),
                                              ctypes.byref(err)), err)
            if needed.value < size:
                return json.loads(buf.raw[:needed.value])
            size = needed.value + 1

    def _verdict(self, v: _lib.Verdict, ptr, texts, record_id, id_json: bytes,
                 censor) -> Verdict:
        fields = [_lib.QUELL_FIELD_BODY, _lib.QUELL_FIELD_AUTHOR]
        raw_hits = [v.hits[i] for i in range(v.hit_count)]
        maps = {}
        for f, data in zip(fields, texts):
            if data is not None:
                offs = [o for h in raw_hits if h.field == f for o in (h.start, h.end)]
                maps[f] = _char_offsets(data, offs)
        hits = []
        for h in raw_hits:
            data = texts[h.field]
            hits.append(Hit(
                rule=h.rule_id.decode(), category=h.category.decode(),
                field="author" if h.field == _lib.QUELL_FIELD_AUTHOR else "body",
                start=h.start, end=h.end,
                char_start=maps[h.field][h.start], char_end=maps[h.field][h.end],
                text=data[h.start:h.end].decode("utf-8"),
                view=(h.view or b"").decode(), pattern=(h.pattern or b"").decode("utf-8",
                                                                                  "replace")))
        rules = [RuleResult(r.rule_id.decode(), r.category.decode(), r.count, _points(r.score))
                 for r in (v.rules[i] for i in range(v.rule_count))]
        categories = {v.category_names[i].decode(): _points(v.category_scores[i])
                      for i in range(v.category_count) if v.category_scores[i] != 0}
        censored = None
        if censor is not None:
            mask = censor.encode("ascii")
            if len(mask) != 1:
                raise ValueError("censor must be one ASCII character")
            body_b = texts[0]
            censored = _render(_LIB.quell_censor, ptr, _lib.QUELL_FIELD_BODY, body_b,
                               len(body_b), mask).decode("utf-8")
        line = _render(_LIB.quell_verdict_to_json, ptr, id_json, len(id_json))
        return Verdict(action=_LIB.quell_action_name(v.action).decode(), score=_points(v.score),
                       categories=categories, rules=rules, hits=hits,
                       rules_id=v.rules_id.decode(), id=record_id,
                       is_truncated=bool(v.is_truncated), censored=censored,
                       json=line.decode("utf-8").rstrip("\n"),
                       context=_facts(v.context.contents) if v.context else None)


def load(path: "Union[str, os.PathLike]") -> Filter:
    """Load rules from a .cfg or .qdb file: the same as Filter(path)."""
    return Filter(path)
