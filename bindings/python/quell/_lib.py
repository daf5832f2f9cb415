"""The ctypes declarations of the part of include/quell.h the binding uses.

Only the structs quell.h declares frozen (quell_error, quell_hit,
quell_rule_result) or versioned by the caller (quell_comment,
quell_engine_stats, quell_context_options, quell_context_meta,
quell_context_facts) are laid out here; quell_verdict may grow at its end,
which is safe because it is only ever read through the library's pointer,
never allocated or copied here. tests/test_context.py checks these layouts
against the header's offsetof and sizeof.
"""

import ctypes
import ctypes.util
import os

SOVERSION = 2
# quell_verdict's context member and quell_context_* are from 0.6.0: an
# older library has neither, and reading the member would read past its
# verdict. Refuse it.
MIN_VERSION_NUMBER = 600

QUELL_FIELD_BODY = 0
QUELL_FIELD_AUTHOR = 1
QUELL_COMMENT_VERSION = 1
QUELL_ENGINE_STATS_VERSION = 1
QUELL_CONTEXT_OPTIONS_VERSION = 1
QUELL_CONTEXT_META_VERSION = 1
QUELL_CONTEXT_FACTS_VERSION = 1
QUELL_CONTEXT_ID_MAX = 128
# INT64_MIN: the library reads the clock when the comment is decided.
QUELL_CONTEXT_NOW = -(2 ** 63)


class Error(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_int),
        ("message", ctypes.c_char * 512),
        ("file", ctypes.c_char * 256),
        ("line", ctypes.c_int),
        ("rule_id", ctypes.c_char * 128),
    ]


class Comment(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("text", ctypes.c_char_p * 2),
        ("text_len", ctypes.c_size_t * 2),
    ]


class Hit(ctypes.Structure):
    _fields_ = [
        ("rule_id", ctypes.c_char_p),
        ("category", ctypes.c_char_p),
        ("field", ctypes.c_int),
        ("start", ctypes.c_size_t),
        ("end", ctypes.c_size_t),
        # Points into the caller's comment; the offsets are what matter.
        ("text", ctypes.c_void_p),
        ("view", ctypes.c_char_p),
        ("pattern", ctypes.c_char_p),
    ]


class RuleResult(ctypes.Structure):
    _fields_ = [
        ("rule_id", ctypes.c_char_p),
        ("category", ctypes.c_char_p),
        ("count", ctypes.c_size_t),
        ("score", ctypes.c_double),
        ("index", ctypes.c_size_t),
    ]


class ContextFacts(ctypes.Structure):
    """quell_context_facts, member for member (5 four-byte members, the
    128-byte id, 4 more: no padding, 164 bytes)."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("is_fingerprinted", ctypes.c_int),
        ("is_common", ctypes.c_int),
        ("campaign_copies", ctypes.c_uint32),
        ("campaign_authors", ctypes.c_uint32),
        # JSON text, NUL-terminated: c_char would stop at the NUL anyway,
        # but the array keeps the member's size exact.
        ("campaign_first", ctypes.c_char * QUELL_CONTEXT_ID_MAX),
        ("has_author", ctypes.c_int),
        ("author_rate", ctypes.c_uint32),
        ("author_repeats", ctypes.c_uint32),
        ("author_held", ctypes.c_uint32),
    ]


class ContextOptions(ctypes.Structure):
    """quell_context_options: a 0 member takes the library's default."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("window_comments", ctypes.c_size_t),
        ("window_seconds", ctypes.c_double),
        ("max_authors", ctypes.c_size_t),
        ("author_seconds", ctypes.c_double),
        ("rate_seconds", ctypes.c_double),
        ("similarity", ctypes.c_double),
        ("min_chars", ctypes.c_size_t),
    ]


class ContextMeta(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        # Borrowed bytes of the id's JSON text, not NUL-terminated.
        ("id_json", ctypes.c_char_p),
        ("id_len", ctypes.c_size_t),
        ("time_ms", ctypes.c_int64),
    ]


class Verdict(ctypes.Structure):
    """The members of quell_verdict up to 0.6's context, the only ones read."""

    _fields_ = [
        ("action", ctypes.c_int),
        ("score", ctypes.c_double),
        ("category_scores", ctypes.POINTER(ctypes.c_double)),
        ("category_names", ctypes.POINTER(ctypes.c_char_p)),
        ("category_count", ctypes.c_size_t),
        ("rules", ctypes.POINTER(RuleResult)),
        ("rule_count", ctypes.c_size_t),
        ("hits", ctypes.POINTER(Hit)),
        ("hit_count", ctypes.c_size_t),
        ("is_truncated", ctypes.c_int),
        ("excused", ctypes.c_void_p),
        ("excused_count", ctypes.c_size_t),
        ("rules_used", ctypes.c_void_p),
        ("rules_id", ctypes.c_char_p),
        # Since 0.6; NULL for a plain quell_scan.
        ("context", ctypes.POINTER(ContextFacts)),
    ]


class EngineStats(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("generation", ctypes.c_uint64),
        ("reloads_ok", ctypes.c_uint64),
        ("reloads_failed", ctypes.c_uint64),
    ]


_P = ctypes.c_void_p
_ERR = ctypes.POINTER(Error)
_SZ = ctypes.c_size_t
_PROTOTYPES = {
    "quell_version": (ctypes.c_char_p, []),
    "quell_version_number": (ctypes.c_int, []),
    "quell_strerror": (ctypes.c_char_p, [ctypes.c_int]),
    "quell_action_name": (ctypes.c_char_p, [ctypes.c_int]),
    "quell_rules_load": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.c_char_p, _ERR]),
    "quell_rules_release": (None, [_P]),
    "quell_rules_id": (ctypes.c_char_p, [_P]),
    "quell_rules_label": (ctypes.c_char_p, [_P]),
    "quell_rules_rule_count": (_SZ, [_P]),
    "quell_rules_rule_id": (ctypes.c_char_p, [_P, _SZ]),
    "quell_rules_category_count": (_SZ, [_P]),
    "quell_rules_category_name": (ctypes.c_char_p, [_P, _SZ]),
    "quell_rules_threshold": (ctypes.c_double, [_P, ctypes.c_int]),
    "quell_engine_new": (ctypes.c_int, [ctypes.POINTER(_P), _P, _ERR]),
    "quell_engine_free": (None, [_P]),
    "quell_engine_swap": (None, [_P, _P]),
    "quell_engine_reload": (ctypes.c_int, [_P, ctypes.c_char_p, _ERR]),
    "quell_engine_rules": (_P, [_P]),
    "quell_engine_stats_get": (ctypes.c_int, [_P, ctypes.POINTER(EngineStats)]),
    "quell_scanner_new_for_engine": (ctypes.c_int, [ctypes.POINTER(_P), _P, _ERR]),
    "quell_scanner_free": (None, [_P]),
    "quell_scan": (
        ctypes.c_int,
        [_P, ctypes.POINTER(Comment), ctypes.POINTER(ctypes.POINTER(Verdict)), _ERR],
    ),
    "quell_verdict_to_json": (
        _SZ,
        [ctypes.POINTER(Verdict), ctypes.c_char_p, _SZ, ctypes.c_char_p, _SZ],
    ),
    "quell_censor": (
        _SZ,
        [ctypes.POINTER(Verdict), ctypes.c_int, ctypes.c_char_p, _SZ, ctypes.c_char,
         ctypes.c_char_p, _SZ],
    ),
    "quell_explain_to_json": (
        ctypes.c_int,
        [_P, ctypes.POINTER(Verdict), ctypes.POINTER(Comment), ctypes.c_char_p, _SZ,
         ctypes.c_char_p, _SZ, ctypes.POINTER(_SZ), _ERR],
    ),
    "quell_context_new": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.POINTER(ContextOptions),
                                         _ERR]),
    "quell_context_load": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.c_char_p,
                                          ctypes.POINTER(ContextOptions), _ERR]),
    "quell_context_save": (ctypes.c_int, [_P, ctypes.c_char_p, _ERR]),
    "quell_context_free": (None, [_P]),
    "quell_context_memory": (_SZ, [_P]),
    "quell_context_memory_limit": (_SZ, [_P]),
    "quell_scan_context": (
        ctypes.c_int,
        [_P, _P, ctypes.POINTER(Comment), ctypes.POINTER(ContextMeta),
         ctypes.POINTER(ctypes.POINTER(Verdict)), _ERR],
    ),
    "quell_context_facts_to_json": (_SZ, [ctypes.POINTER(ContextFacts), ctypes.c_char_p, _SZ]),
}


def _candidates():
    """Where to look for the library, in order: QUELL_LIB (a build tree's
    build/libquell.so.2), the loader's own search by soname (an installed
    libquell after ldconfig), then the usual install folders, which a fresh
    `make install` into /usr/local reaches before ldconfig has run."""
    env = os.environ.get("QUELL_LIB")
    if env:
        return [env]
    soname = "libquell.so.%d" % SOVERSION
    found = [soname]
    for folder in ("/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        found.append(os.path.join(folder, soname))
    return found


def load():
    """Open libquell and declare its functions; raise OSError when no
    library with the right soname and version can be found."""
    tried = []
    lib = None
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as exc:
            tried.append("%s (%s)" % (path, exc))
    if lib is None:
        raise OSError(
            "libquell.so.%d not found; install libquell (make install) or set "
            "QUELL_LIB to its path. Tried: %s" % (SOVERSION, "; ".join(tried))
        )
    # The version first: an older library lacks some of the functions.
    for name in ("quell_version", "quell_version_number"):
        _declare(lib, name)
    if lib.quell_version_number() < MIN_VERSION_NUMBER:
        raise OSError(
            "libquell %s is too old: the binding needs 0.6.0 or later"
            % lib.quell_version().decode()
        )
    for name in _PROTOTYPES:
        _declare(lib, name)
    return lib


def _declare(lib, name):
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = _PROTOTYPES[name]
