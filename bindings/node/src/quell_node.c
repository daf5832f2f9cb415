/*
 * quell_node.c - the Node-API addon over libquell: load rules, scan a
 * comment on the calling thread or on libuv's worker pool, and hand back
 * the verdict as `quell filter` writes it (the library's own JSON, parsed),
 * so the two shapes cannot drift.
 *
 * Threads: a Rules object owns one quell_rules (shareable) and a pool of
 * scanners (one thread each at a time). A scan takes an idle scanner from
 * the pool, or makes one, and gives it back: the pool never holds more
 * scanners than scans ran at once, which is at most the worker pool's size
 * plus the main thread.
 *
 * Contexts: a Context object owns one quell_context, which the library
 * locks itself; the addon adds only the order. Every scan in a context
 * takes its turn when it is called (scan() and scanAsync() alike, on the
 * main thread): scans run at once on the worker pool, but each is decided
 * in its context only when every scan called before it has been, so the
 * verdicts are those of the same comments scanned one by one in call order
 * (quell_context_note_make, quell_context_decide, quell_context_settle, as
 * `quell filter -j` does).
 */
/* Node-API 8 (Node 12.22, 14.17, 16 and later): instance data, and an ABI
 * that one build serves every later Node with. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quell.h"

/* A Rules object's native half. Reference-counted: the JS object holds
 * one reference and every scan in flight another, so an async scan still
 * running when the object is collected (or the environment torn down at
 * exit) keeps its rules and scanners alive. */
struct rules_box {
    atomic_uint refs;
    quell_rules *rules;
    pthread_mutex_t lock; /* guards idle and idle_count */
    quell_scanner **idle;
    size_t idle_count;
    size_t idle_cap;
};

/* A place in a context's call order: a scan, or a save, waiting for the
 * ones called before it. */
struct ctx_turn {
    struct ctx_turn *prev, *next;
    bool is_waiting;      /* in the context's line */
    pthread_cond_t ready; /* signalled when it comes first; while is_waiting */
};

/* A Context object's native half, reference-counted like rules_box: every
 * scan in flight holds it. */
struct ctx_box {
    atomic_uint refs;
    quell_context *ctx;
    pthread_mutex_t lock;         /* guards the line */
    struct ctx_turn *head, *tail; /* the line: turns not yet taken, in call order */
};

/* A comment copied out of JS values, owned by the scan that uses it. */
struct comment_copy {
    char *text[QUELL_FIELD_COUNT];
    size_t text_len[QUELL_FIELD_COUNT];
    char *id_json; /* NULL: the verdict's id is null */
    size_t id_len;
    int64_t time_ms; /* read only for a scan in a context */
};

/* One scanAsync call, from the main thread to a worker and back. */
struct scan_job {
    napi_async_work work;
    napi_deferred deferred;
    struct rules_box *box;
    struct ctx_box *ctx; /* NULL: a scan without context */
    struct ctx_turn turn;
    struct comment_copy comment;
    char *json; /* the verdict's JSON, or NULL on failure */
    size_t json_len;
    int code;
    quell_error err;
};

/* Marks the external that load() hands the Rules constructor, so that
 * `new Rules()` from JS is refused rather than left without rules. */
static const char rules_tag = 'q';

/* Marks Context objects: a scan's context argument may be any object, and
 * only a Context's native half is a ctx_box. (A method's receiver is
 * checked by V8 already: "Illegal invocation".) */
static const napi_type_tag context_type_tag = {0x7175656c6c637478ULL, 0x6e6f64652d637478ULL};

static void box_release(struct rules_box *box)
{
    if (!box || atomic_fetch_sub(&box->refs, 1) != 1)
        return;
    for (size_t i = 0; i < box->idle_count; i++)
        quell_scanner_free(box->idle[i]);
    free(box->idle);
    pthread_mutex_destroy(&box->lock);
    quell_rules_free(box->rules);
    free(box);
}

static void box_hold(struct rules_box *box)
{
    atomic_fetch_add(&box->refs, 1);
}

/* An idle scanner, or a new one when every scanner is busy. Any thread. */
static int box_take_scanner(struct rules_box *box, quell_scanner **out, quell_error *err)
{
    pthread_mutex_lock(&box->lock);
    quell_scanner *s = box->idle_count ? box->idle[--box->idle_count] : NULL;
    pthread_mutex_unlock(&box->lock);
    if (s) {
        *out = s;
        return QUELL_OK;
    }
    return quell_scanner_new(out, box->rules, err);
}

/* Back to the pool; freed instead if the pool cannot grow. Any thread. */
static void box_give_scanner(struct rules_box *box, quell_scanner *s)
{
    pthread_mutex_lock(&box->lock);
    if (box->idle_count == box->idle_cap) {
        size_t cap = box->idle_cap ? box->idle_cap * 2 : 4;
        size_t bytes = 0;
        quell_scanner **grown = NULL;
        /* Catch size_t overflow (never near: the pool is as big as the
         * number of scans that ran at once). */
        if (!__builtin_mul_overflow(cap, sizeof(quell_scanner *), &bytes))
            grown = realloc(box->idle, bytes);
        if (!grown) {
            pthread_mutex_unlock(&box->lock);
            quell_scanner_free(s);
            return;
        }
        box->idle = grown;
        box->idle_cap = cap;
    }
    box->idle[box->idle_count++] = s;
    pthread_mutex_unlock(&box->lock);
}

static void ctx_release(struct ctx_box *box)
{
    if (!box || atomic_fetch_sub(&box->refs, 1) != 1)
        return;
    quell_context_free(box->ctx);
    pthread_mutex_destroy(&box->lock);
    free(box);
}

static void ctx_hold(struct ctx_box *box)
{
    atomic_fetch_add(&box->refs, 1);
}

/* Join the end of the line: on the main thread, when the scan or save is
 * called, which makes its place the call order. */
static void turn_join(struct ctx_box *box, struct ctx_turn *t)
{
    pthread_cond_init(&t->ready, NULL);
    pthread_mutex_lock(&box->lock);
    t->next = NULL;
    t->prev = box->tail;
    if (box->tail)
        box->tail->next = t;
    else
        box->head = t;
    box->tail = t;
    t->is_waiting = true;
    pthread_mutex_unlock(&box->lock);
}

/*
 * Wait until every turn called before t has left. Cannot deadlock: the
 * first in line never waits, and the ones before t were called before it,
 * so they run on the main thread (already done) or were queued to the
 * worker pool ahead of it, which starts its work in queue order.
 */
static void turn_wait(struct ctx_box *box, struct ctx_turn *t)
{
    pthread_mutex_lock(&box->lock);
    while (box->head != t)
        pthread_cond_wait(&t->ready, &box->lock);
    pthread_mutex_unlock(&box->lock);
}

/* Leave the line, from wherever t is in it (a scan that failed leaves
 * without waiting: it adds nothing to the context), and wake the next in
 * line alone when t was first: waking every waiter at each turn cost a
 * worker pool of four on two cores more than the scans. Twice is harmless. */
static void turn_leave(struct ctx_box *box, struct ctx_turn *t)
{
    pthread_mutex_lock(&box->lock);
    if (!t->is_waiting) {
        pthread_mutex_unlock(&box->lock);
        return;
    }
    if (t->prev)
        t->prev->next = t->next;
    else
        box->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        box->tail = t->prev;
    t->is_waiting = false;
    if (box->head && !t->prev)
        pthread_cond_signal(&box->head->ready);
    pthread_mutex_unlock(&box->lock);
    pthread_cond_destroy(&t->ready); /* only t's owner waits on it, and not now */
}

static void comment_free(struct comment_copy *c)
{
    for (int f = 0; f < QUELL_FIELD_COUNT; f++)
        free(c->text[f]);
    free(c->id_json);
    memset(c, 0, sizeof *c);
}

/*
 * Decide a scanned comment in its context once its turn comes, and score
 * it again with its facts: quell_scan_context split in two, so that the
 * scan before it runs alongside other scans. *verdict becomes the verdict
 * with the facts (the JSON's "context" member). Leaves the line.
 */
static int decide_in_turn(quell_scanner *scanner, struct ctx_box *box, struct ctx_turn *turn,
                          const quell_comment *comment, const struct comment_copy *c,
                          const quell_verdict **verdict, quell_error *err)
{
    quell_context_note note;
    int rc = quell_context_note_make(scanner, comment, &note, err);
    if (rc < 0)
        goto out_leave;
    quell_context_meta meta = QUELL_CONTEXT_META_INIT;
    meta.id_json = c->id_json;
    meta.id_len = c->id_len;
    meta.time_ms = c->time_ms;
    quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket = 0;
    quell_action before = (*verdict)->action;

    turn_wait(box, turn);
    rc = quell_context_decide(box->ctx, &note, &meta, before, &facts, &ticket, err);
    if (rc < 0)
        goto out_leave;
    rc = quell_scanner_apply_context(scanner, comment, &facts, verdict, err);
    /* The next comment of the author must see the action this one ends with. */
    if (rc == QUELL_OK && (*verdict)->action != before)
        quell_context_settle(box->ctx, &note, ticket, (*verdict)->action);

out_leave:
    turn_leave(box, turn);
    return rc;
}

/*
 * Scan one comment (in ctx's context when ctx is not NULL, at turn, which
 * it leaves) and write its verdict as JSON without the trailing newline
 * into a malloc'd *out. Touches no JS value: it runs on the main thread
 * for scan() and on a worker for scanAsync().
 */
static int scan_to_json(struct rules_box *box, struct ctx_box *ctx, struct ctx_turn *turn,
                        const struct comment_copy *c, char **out, size_t *out_len, quell_error *err)
{
    quell_scanner *scanner = NULL;
    int rc = box_take_scanner(box, &scanner, err);
    if (rc < 0) {
        if (ctx)
            turn_leave(ctx, turn);
        return rc;
    }

    quell_comment comment = QUELL_COMMENT_INIT;
    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        comment.text[f] = c->text[f];
        comment.text_len[f] = c->text_len[f];
    }
    const quell_verdict *verdict = NULL;
    rc = quell_scan(scanner, &comment, &verdict, err);
    if (ctx && rc < 0)
        turn_leave(ctx, turn); /* a comment quell_scan refuses is not in the context */
    else if (ctx)
        rc = decide_in_turn(scanner, ctx, turn, &comment, c, &verdict, err);
    if (rc < 0)
        goto out_give_scanner;

    size_t needed = quell_verdict_to_json(verdict, c->id_json, c->id_len, NULL, 0);
    char *buf = malloc(needed + 1);
    if (!buf) {
        rc = QUELL_ENOMEM;
        if (err) {
            memset(err, 0, sizeof *err);
            err->code = rc;
            strcpy(err->message, "out of memory writing the verdict");
        }
        goto out_give_scanner;
    }
    quell_verdict_to_json(verdict, c->id_json, c->id_len, buf, needed + 1);
    /* The line ends in "\n": JSON.parse does not need it. */
    *out_len = needed > 0 && buf[needed - 1] == '\n' ? needed - 1 : needed;
    *out = buf;

out_give_scanner:
    box_give_scanner(box, scanner);
    return rc;
}

/* ---- JS values ---------------------------------------------------------- */

/* Throw (and return NULL) when a N-API call failed without a JS exception. */
#define NAPI_CALL(env, call)                                                                       \
    do {                                                                                           \
        if ((call) != napi_ok) {                                                                   \
            throw_napi_failure(env);                                                               \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

static void throw_napi_failure(napi_env env)
{
    bool is_pending = false;
    napi_is_exception_pending(env, &is_pending);
    if (is_pending)
        return;
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, NULL,
                     info && info->error_message ? info->error_message : "Node-API call failed");
}

/* The JS name of a quell_code: "QUELL_ECONFIG", as in quell.h. */
static const char *code_name(int code)
{
    switch (code) {
    case QUELL_ENOMEM:
        return "QUELL_ENOMEM";
    case QUELL_EIO:
        return "QUELL_EIO";
    case QUELL_ECONFIG:
        return "QUELL_ECONFIG";
    case QUELL_ECOMPILE:
        return "QUELL_ECOMPILE";
    case QUELL_EFORMAT:
        return "QUELL_EFORMAT";
    case QUELL_EPLATFORM:
        return "QUELL_EPLATFORM";
    case QUELL_EINPUT:
        return "QUELL_EINPUT";
    case QUELL_ETOOBIG:
        return "QUELL_ETOOBIG";
    case QUELL_ESCAN:
        return "QUELL_ESCAN";
    case QUELL_EINVAL:
        return "QUELL_EINVAL";
    default:
        return "QUELL_EUNKNOWN";
    }
}

static napi_status set_string(napi_env env, napi_value obj, const char *name, const char *s)
{
    napi_value v;
    napi_status st = napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
    return st == napi_ok ? napi_set_named_property(env, obj, name, v) : st;
}

static napi_status set_int(napi_env env, napi_value obj, const char *name, int n)
{
    napi_value v;
    napi_status st = napi_create_int32(env, n, &v);
    return st == napi_ok ? napi_set_named_property(env, obj, name, v) : st;
}

/*
 * An Error for a failed quell call: message "file:line: text" when the
 * error has a place, and the members code ("QUELL_E..."), errno (the
 * negative quell_code), and file, line and ruleId when it has them. A
 * RangeError when is_range (an option the library found out of range).
 */
static napi_value make_quell_error_kind(napi_env env, int code, const quell_error *err,
                                        bool is_range)
{
    char text[sizeof err->message + sizeof err->file + 32];
    const char *what = err->message[0] ? err->message : quell_strerror(code);
    if (err->file[0] && err->line > 0)
        snprintf(text, sizeof text, "%s:%d: %s", err->file, err->line, what);
    else if (err->file[0])
        snprintf(text, sizeof text, "%s: %s", err->file, what);
    else
        snprintf(text, sizeof text, "%s", what);

    napi_value msg, code_v, error;
    if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
        napi_create_string_utf8(env, code_name(code), NAPI_AUTO_LENGTH, &code_v) != napi_ok ||
        (is_range ? napi_create_range_error(env, code_v, msg, &error)
                  : napi_create_error(env, code_v, msg, &error)) != napi_ok)
        return NULL;
    if (set_int(env, error, "errno", code) != napi_ok)
        return NULL;
    if (err->file[0] && set_string(env, error, "file", err->file) != napi_ok)
        return NULL;
    if (err->line > 0 && set_int(env, error, "line", err->line) != napi_ok)
        return NULL;
    if (err->rule_id[0] && set_string(env, error, "ruleId", err->rule_id) != napi_ok)
        return NULL;
    return error;
}

static napi_value make_quell_error(napi_env env, int code, const quell_error *err)
{
    return make_quell_error_kind(env, code, err, false);
}

static void throw_quell_error(napi_env env, int code, const quell_error *err)
{
    napi_value error = make_quell_error(env, code, err);
    if (error)
        napi_throw(env, error);
    else
        throw_napi_failure(env);
}

/* A string's UTF-8 (lone surrogates become U+FFFD) or a Buffer's bytes,
 * copied into a malloc'd *out. Throws a TypeError for anything else. */
static napi_status copy_text(napi_env env, napi_value v, const char *what, char **out,
                             size_t *out_len)
{
    napi_valuetype type;
    napi_status st = napi_typeof(env, v, &type);
    if (st != napi_ok)
        return st;
    if (type == napi_string) {
        size_t len = 0;
        if ((st = napi_get_value_string_utf8(env, v, NULL, 0, &len)) != napi_ok)
            return st;
        char *buf = malloc(len + 1);
        if (!buf) {
            napi_throw_error(env, "QUELL_ENOMEM", "out of memory copying a comment");
            return napi_pending_exception;
        }
        if ((st = napi_get_value_string_utf8(env, v, buf, len + 1, &len)) != napi_ok) {
            free(buf);
            return st;
        }
        *out = buf;
        *out_len = len;
        return napi_ok;
    }
    bool is_buffer = false;
    if ((st = napi_is_buffer(env, v, &is_buffer)) != napi_ok)
        return st;
    if (!is_buffer) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s must be a string or a Buffer", what);
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
        return napi_pending_exception;
    }
    void *data = NULL;
    size_t len = 0;
    if ((st = napi_get_buffer_info(env, v, &data, &len)) != napi_ok)
        return st;
    char *buf = malloc(len ? len : 1);
    if (!buf) {
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory copying a comment");
        return napi_pending_exception;
    }
    if (len)
        memcpy(buf, data, len);
    *out = buf;
    *out_len = len;
    return napi_ok;
}

/* A string or number id as JSON text (JSON.stringify); undefined or null
 * leave it NULL, anything else is a TypeError. */
static napi_status copy_id(napi_env env, napi_value v, struct comment_copy *c)
{
    napi_valuetype type;
    napi_status st = napi_typeof(env, v, &type);
    if (st != napi_ok || type == napi_undefined || type == napi_null)
        return st;
    if (type != napi_string && type != napi_number) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                              "comment.id must be a string, a number, null or undefined");
        return napi_pending_exception;
    }
    napi_value global, json, stringify, text;
    if ((st = napi_get_global(env, &global)) != napi_ok ||
        (st = napi_get_named_property(env, global, "JSON", &json)) != napi_ok ||
        (st = napi_get_named_property(env, json, "stringify", &stringify)) != napi_ok ||
        (st = napi_call_function(env, json, stringify, 1, &v, &text)) != napi_ok)
        return st;
    return copy_text(env, text, "comment.id", &c->id_json, &c->id_len);
}

/* ms rounded to a whole number, halves away from zero (llround without
 * libm); |ms| is within Date's range, so the conversions are exact. */
static int64_t round_ms(double ms)
{
    int64_t whole = (int64_t)ms;
    double frac = ms - (double)whole;
    return whole + (frac >= 0.5) - (frac <= -0.5);
}

/* comment.time: a Date, or milliseconds since 1970 (Date.now()); undefined
 * or null leave the clock's time when the comment is decided. */
static napi_status copy_time(napi_env env, napi_value v, struct comment_copy *c)
{
    napi_valuetype type;
    napi_status st = napi_typeof(env, v, &type);
    if (st != napi_ok || type == napi_undefined || type == napi_null)
        return st;
    bool is_date = false;
    double ms = 0;
    if ((st = napi_is_date(env, v, &is_date)) != napi_ok)
        return st;
    if (is_date) {
        st = napi_get_date_value(env, v, &ms);
    } else if (type == napi_number) {
        st = napi_get_value_double(env, v, &ms);
    } else {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                              "comment.time must be a Date, milliseconds since 1970 (a number), "
                              "null or undefined");
        return napi_pending_exception;
    }
    if (st != napi_ok)
        return st;
    /* Date's own range, 10^8 days either side of 1970 (NaN, an invalid
     * Date, fails too). */
    if (!(ms >= -8.64e15 && ms <= 8.64e15)) {
        napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                               "comment.time is not a time (a valid Date, or milliseconds since "
                               "1970 within a Date's range)");
        return napi_pending_exception;
    }
    c->time_ms = round_ms(ms);
    return napi_ok;
}

/* A comment is a string (its body) or {body, author?, id?, time?}; time is
 * read only when has_time (a scan in a context). */
static napi_status copy_comment(napi_env env, napi_value v, bool has_time, struct comment_copy *c)
{
    memset(c, 0, sizeof *c);
    c->time_ms = QUELL_CONTEXT_NOW;
    napi_valuetype type;
    napi_status st = napi_typeof(env, v, &type);
    if (st != napi_ok)
        return st;
    if (type == napi_string)
        return copy_text(env, v, "comment", &c->text[QUELL_FIELD_BODY],
                         &c->text_len[QUELL_FIELD_BODY]);
    bool is_buffer = false;
    if ((st = napi_is_buffer(env, v, &is_buffer)) != napi_ok)
        return st;
    if (type != napi_object || is_buffer) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                              "comment must be a string or an object {body, author, id, time}");
        return napi_pending_exception;
    }

    napi_value body, author, id;
    napi_valuetype author_type;
    if ((st = napi_get_named_property(env, v, "body", &body)) != napi_ok ||
        (st = copy_text(env, body, "comment.body", &c->text[QUELL_FIELD_BODY],
                        &c->text_len[QUELL_FIELD_BODY])) != napi_ok ||
        (st = napi_get_named_property(env, v, "author", &author)) != napi_ok ||
        (st = napi_typeof(env, author, &author_type)) != napi_ok)
        goto fail;
    if (author_type != napi_undefined && author_type != napi_null &&
        (st = copy_text(env, author, "comment.author", &c->text[QUELL_FIELD_AUTHOR],
                        &c->text_len[QUELL_FIELD_AUTHOR])) != napi_ok)
        goto fail;
    if ((st = napi_get_named_property(env, v, "id", &id)) != napi_ok ||
        (st = copy_id(env, id, c)) != napi_ok)
        goto fail;
    napi_value time;
    if (has_time && ((st = napi_get_named_property(env, v, "time", &time)) != napi_ok ||
                     (st = copy_time(env, time, c)) != napi_ok))
        goto fail;
    return napi_ok;

fail:
    comment_free(c);
    return st;
}

/* JSON.parse(text): the verdict object. */
static napi_value parse_json(napi_env env, const char *text, size_t len)
{
    napi_value global, json, parse, str, result;
    NAPI_CALL(env, napi_get_global(env, &global));
    NAPI_CALL(env, napi_get_named_property(env, global, "JSON", &json));
    NAPI_CALL(env, napi_get_named_property(env, json, "parse", &parse));
    NAPI_CALL(env, napi_create_string_utf8(env, text, len, &str));
    NAPI_CALL(env, napi_call_function(env, json, parse, 1, &str, &result));
    return result;
}

/* The context argument of scan() or scanAsync(): *out NULL for undefined
 * or null (a scan without context), else a Context's box (not held). */
static napi_status get_context(napi_env env, napi_value v, struct ctx_box **out)
{
    *out = NULL;
    napi_valuetype type;
    napi_status st = napi_typeof(env, v, &type);
    if (st != napi_ok || type == napi_undefined || type == napi_null)
        return st;
    bool is_context = false;
    if (type == napi_object &&
        (st = napi_check_object_type_tag(env, v, &context_type_tag, &is_context)) != napi_ok)
        return st;
    void *box = NULL;
    if (is_context && (st = napi_unwrap(env, v, &box)) != napi_ok)
        return st;
    if (!box) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                              "the context must be a quell.Context, null or undefined");
        return napi_pending_exception;
    }
    *out = box;
    return napi_ok;
}

/* ---- the Rules class ---------------------------------------------------- */

static void rules_finalize(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    box_release(data);
}

/* new Rules(external): only load() makes one. */
static napi_value rules_construct(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2], self;
    NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
    napi_valuetype type = napi_undefined;
    if (argc == 2)
        NAPI_CALL(env, napi_typeof(env, argv[1], &type));
    void *tag = NULL, *box = NULL;
    if (type == napi_external) {
        NAPI_CALL(env, napi_get_value_external(env, argv[1], &tag));
        NAPI_CALL(env, napi_get_value_external(env, argv[0], &box));
    }
    if (tag != &rules_tag || !box) {
        napi_throw_type_error(env, "ERR_ILLEGAL_CONSTRUCTOR", "use quell.load(path) to make Rules");
        return NULL;
    }
    NAPI_CALL(env, napi_wrap(env, self, box, rules_finalize, NULL, NULL));
    return self;
}

static struct rules_box *unwrap_this(napi_env env, napi_callback_info info, size_t *argc,
                                     napi_value *argv)
{
    napi_value self;
    void *box = NULL;
    NAPI_CALL(env, napi_get_cb_info(env, info, argc, argv, &self, NULL));
    NAPI_CALL(env, napi_unwrap(env, self, &box));
    return box;
}

/* rules.scan(comment, context?): the verdict, scanned on this thread (in
 * the context, after the scans called before it). */
static napi_value rules_scan(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL};
    struct rules_box *box = unwrap_this(env, info, &argc, argv);
    if (!box)
        return NULL;
    if (argc < 1) {
        napi_throw_type_error(env, "ERR_MISSING_ARGS", "scan(comment) needs a comment");
        return NULL;
    }
    struct ctx_box *ctx = NULL;
    struct comment_copy c;
    if ((argc >= 2 && get_context(env, argv[1], &ctx) != napi_ok) ||
        copy_comment(env, argv[0], ctx != NULL, &c) != napi_ok) {
        throw_napi_failure(env);
        return NULL;
    }
    struct ctx_turn turn = {.is_waiting = false};
    if (ctx)
        turn_join(ctx, &turn);
    quell_error err;
    char *json = NULL;
    size_t json_len = 0;
    int rc = scan_to_json(box, ctx, &turn, &c, &json, &json_len, &err);
    comment_free(&c);
    if (rc < 0) {
        throw_quell_error(env, rc, &err);
        return NULL;
    }
    napi_value verdict = parse_json(env, json, json_len);
    free(json);
    return verdict;
}

static void scan_job_free(struct scan_job *job)
{
    if (job->ctx) {
        turn_leave(job->ctx, &job->turn); /* a scan that never ran */
        ctx_release(job->ctx);
    }
    comment_free(&job->comment);
    free(job->json);
    box_release(job->box);
    free(job);
}

/* On a worker thread: no JS here. */
static void scan_job_execute(napi_env env, void *data)
{
    (void)env;
    struct scan_job *job = data;
    job->code = scan_to_json(job->box, job->ctx, &job->turn, &job->comment, &job->json,
                             &job->json_len, &job->err);
}

/* Back on the main thread: settle the promise. */
static void scan_job_complete(napi_env env, napi_status status, void *data)
{
    struct scan_job *job = data;
    napi_value outcome = NULL;
    bool is_ok = false;
    if (status != napi_ok) {
        quell_error err = {.code = QUELL_ESCAN};
        snprintf(err.message, sizeof err.message, "the scan did not run (cancelled)");
        outcome = make_quell_error(env, QUELL_ESCAN, &err);
    } else if (job->code < 0) {
        outcome = make_quell_error(env, job->code, &job->err);
    } else {
        outcome = parse_json(env, job->json, job->json_len);
        is_ok = outcome != NULL;
        if (!is_ok) /* JSON.parse threw: reject with what it threw */
            napi_get_and_clear_last_exception(env, &outcome);
    }
    if (outcome && is_ok)
        napi_resolve_deferred(env, job->deferred, outcome);
    else if (outcome)
        napi_reject_deferred(env, job->deferred, outcome);
    napi_delete_async_work(env, job->work);
    scan_job_free(job);
}

/* rules.scanAsync(comment, context?): a Promise of the verdict, scanned on
 * libuv's worker pool so the event loop runs on meanwhile; in the context,
 * it is decided after the scans called before it. */
static napi_value rules_scan_async(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL};
    struct rules_box *box = unwrap_this(env, info, &argc, argv);
    if (!box)
        return NULL;
    if (argc < 1) {
        napi_throw_type_error(env, "ERR_MISSING_ARGS", "scanAsync(comment) needs a comment");
        return NULL;
    }
    struct ctx_box *ctx = NULL;
    if (argc >= 2 && get_context(env, argv[1], &ctx) != napi_ok) {
        throw_napi_failure(env);
        return NULL;
    }
    struct scan_job *job = calloc(1, sizeof *job);
    if (!job) {
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory starting a scan");
        return NULL;
    }
    if (copy_comment(env, argv[0], ctx != NULL, &job->comment) != napi_ok) {
        free(job);
        throw_napi_failure(env);
        return NULL;
    }
    box_hold(box);
    job->box = box;
    if (ctx) {
        ctx_hold(ctx);
        job->ctx = ctx;
        turn_join(ctx, &job->turn); /* its place is now, the call's */
    }

    napi_value promise, name;
    if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
        napi_create_string_utf8(env, "quell.scanAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, NULL, name, scan_job_execute, scan_job_complete, job,
                               &job->work) != napi_ok)
        goto fail;
    if (napi_queue_async_work(env, job->work) != napi_ok) {
        napi_delete_async_work(env, job->work);
        goto fail;
    }
    return promise;

fail:
    /* A deferred once made must be settled; it is dropped with the promise
     * nobody saw, since the call throws instead of returning it. */
    scan_job_free(job);
    throw_napi_failure(env);
    return NULL;
}

static napi_value rules_string_getter(napi_env env, napi_callback_info info,
                                      const char *(*get)(const quell_rules *))
{
    size_t argc = 0;
    struct rules_box *box = unwrap_this(env, info, &argc, NULL);
    if (!box)
        return NULL;
    napi_value v;
    NAPI_CALL(env, napi_create_string_utf8(env, get(box->rules), NAPI_AUTO_LENGTH, &v));
    return v;
}

static napi_value rules_get_id(napi_env env, napi_callback_info info)
{
    return rules_string_getter(env, info, quell_rules_id);
}

static napi_value rules_get_label(napi_env env, napi_callback_info info)
{
    return rules_string_getter(env, info, quell_rules_label);
}

static napi_value rules_get_rule_count(napi_env env, napi_callback_info info)
{
    size_t argc = 0;
    struct rules_box *box = unwrap_this(env, info, &argc, NULL);
    if (!box)
        return NULL;
    napi_value v;
    NAPI_CALL(env, napi_create_double(env, (double)quell_rules_rule_count(box->rules), &v));
    return v;
}

/* ---- the module --------------------------------------------------------- */

/* The constructors, kept per environment (a worker_thread has its own). */
struct addon_data {
    napi_ref rules_ctor;
    napi_ref context_ctor;
};

static void addon_data_free(napi_env env, void *data, void *hint)
{
    (void)hint;
    struct addon_data *d = data;
    if (d->rules_ctor)
        napi_delete_reference(env, d->rules_ctor);
    if (d->context_ctor)
        napi_delete_reference(env, d->context_ctor);
    free(d);
}

/* The constructor in slot (rules_ctor or context_ctor); NULL on failure. */
static napi_status get_ctor(napi_env env, size_t slot, napi_value *out)
{
    struct addon_data *d = NULL;
    napi_status st = napi_get_instance_data(env, (void **)&d);
    if (st != napi_ok)
        return st;
    if (!d)
        return napi_generic_failure;
    napi_ref ref =
        slot == offsetof(struct addon_data, rules_ctor) ? d->rules_ctor : d->context_ctor;
    return napi_get_reference_value(env, ref, out);
}

/* A path argument (path_v, the first of argc), malloc'd; NULL having thrown. */
static char *copy_path_value(napi_env env, size_t argc, napi_value path_v, const char *fn)
{
    napi_valuetype type = napi_undefined;
    if (argc >= 1)
        NAPI_CALL(env, napi_typeof(env, path_v, &type));
    char msg[64];
    if (type != napi_string) {
        snprintf(msg, sizeof msg, "%s(path): path must be a string", fn);
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
        return NULL;
    }
    char *path = NULL;
    size_t path_len = 0;
    if (copy_text(env, path_v, "path", &path, &path_len) != napi_ok) {
        throw_napi_failure(env);
        return NULL;
    }
    if (strlen(path) != path_len) {
        free(path);
        snprintf(msg, sizeof msg, "%s(path): path holds a NUL byte", fn);
        napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", msg);
        return NULL;
    }
    return path;
}

/* The path argument of load() or loadAsync(). */
static char *copy_path(napi_env env, napi_callback_info info, const char *fn)
{
    size_t argc = 1;
    napi_value path_v = NULL;
    NAPI_CALL(env, napi_get_cb_info(env, info, &argc, &path_v, NULL, NULL));
    return copy_path_value(env, argc, path_v, fn);
}

/* A Rules object owning rules (taken over, released on failure); NULL
 * having thrown. */
static napi_value make_rules_object(napi_env env, quell_rules *rules)
{
    struct rules_box *box = calloc(1, sizeof *box);
    if (!box) {
        quell_rules_free(rules);
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory loading rules");
        return NULL;
    }
    box->rules = rules;
    atomic_init(&box->refs, 1);
    pthread_mutex_init(&box->lock, NULL);

    napi_value ctor, args[2], instance = NULL;
    if (get_ctor(env, offsetof(struct addon_data, rules_ctor), &ctor) != napi_ok ||
        napi_create_external(env, box, NULL, NULL, &args[0]) != napi_ok ||
        napi_create_external(env, (void *)&rules_tag, NULL, NULL, &args[1]) != napi_ok ||
        napi_new_instance(env, ctor, 2, args, &instance) != napi_ok) {
        /* The constructor wraps box last: if it did not, box is still ours. */
        void *wrapped = NULL;
        if (!instance || napi_unwrap(env, instance, &wrapped) != napi_ok || wrapped != box)
            box_release(box);
        throw_napi_failure(env);
        return NULL;
    }
    return instance;
}

/* load(path): Rules from a .cfg (compiled now, on this thread) or a .qdb. */
static napi_value load(napi_env env, napi_callback_info info)
{
    char *path = copy_path(env, info, "load");
    if (!path)
        return NULL;
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_load(&rules, path, &err);
    free(path);
    if (rc < 0) {
        throw_quell_error(env, rc, &err);
        return NULL;
    }
    return make_rules_object(env, rules);
}

/* One loadAsync call. */
struct load_job {
    napi_async_work work;
    napi_deferred deferred;
    char *path;
    quell_rules *rules; /* NULL on failure */
    int code;
    quell_error err;
};

static void load_job_execute(napi_env env, void *data)
{
    (void)env;
    struct load_job *job = data;
    job->code = quell_rules_load(&job->rules, job->path, &job->err);
}

static void load_job_complete(napi_env env, napi_status status, void *data)
{
    struct load_job *job = data;
    napi_value outcome = NULL;
    if (status != napi_ok) {
        quell_error err = {.code = QUELL_EIO};
        snprintf(err.message, sizeof err.message, "the load did not run (cancelled)");
        outcome = make_quell_error(env, QUELL_EIO, &err);
    } else if (job->code < 0) {
        outcome = make_quell_error(env, job->code, &job->err);
    } else {
        outcome = make_rules_object(env, job->rules); /* takes the rules over */
        job->rules = NULL;
        if (outcome) {
            napi_resolve_deferred(env, job->deferred, outcome);
            outcome = NULL;
        } else {
            napi_get_and_clear_last_exception(env, &outcome);
        }
    }
    if (outcome)
        napi_reject_deferred(env, job->deferred, outcome);
    napi_delete_async_work(env, job->work);
    quell_rules_free(job->rules);
    free(job->path);
    free(job);
}

/* loadAsync(path): a Promise of Rules, loaded (a .cfg compiled) on libuv's
 * worker pool: a server reloads its rules without stopping. */
static napi_value load_async(napi_env env, napi_callback_info info)
{
    char *path = copy_path(env, info, "loadAsync");
    if (!path)
        return NULL;
    struct load_job *job = calloc(1, sizeof *job);
    if (!job) {
        free(path);
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory starting a load");
        return NULL;
    }
    job->path = path;
    napi_value promise, name;
    if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
        napi_create_string_utf8(env, "quell.loadAsync", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, NULL, name, load_job_execute, load_job_complete, job,
                               &job->work) != napi_ok)
        goto fail;
    if (napi_queue_async_work(env, job->work) != napi_ok) {
        napi_delete_async_work(env, job->work);
        goto fail;
    }
    return promise;

fail:
    free(job->path);
    free(job);
    throw_napi_failure(env);
    return NULL;
}

/* ---- the Context class -------------------------------------------------- */

/* Marks the external that loadContext() hands the Context constructor. */
static const char context_tag = 'c';

static void context_finalize(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    ctx_release(data);
}

/* The JS names of quell_context_options' members. A count is a whole
 * number from 1; a time or the similarity is above 0. The library checks
 * the upper bounds. 0 is not let through: in C it means the default. */
static const struct {
    const char *name;
    bool is_count;
    size_t offset;
} context_option_specs[] = {
    {"windowComments", true, offsetof(quell_context_options, window_comments)},
    {"windowSeconds", false, offsetof(quell_context_options, window_seconds)},
    {"maxAuthors", true, offsetof(quell_context_options, max_authors)},
    {"authorSeconds", false, offsetof(quell_context_options, author_seconds)},
    {"rateSeconds", false, offsetof(quell_context_options, rate_seconds)},
    {"similarity", false, offsetof(quell_context_options, similarity)},
    {"minChars", true, offsetof(quell_context_options, min_chars)},
};
#define CONTEXT_OPTION_COUNT (sizeof context_option_specs / sizeof context_option_specs[0])

/* Refuse a member of options that is not one of the specs: a misspelt
 * option would otherwise be a silent default. */
static napi_status check_option_names(napi_env env, napi_value options)
{
    napi_value names;
    uint32_t count = 0;
    napi_status st = napi_get_property_names(env, options, &names);
    if (st != napi_ok || (st = napi_get_array_length(env, names, &count)) != napi_ok)
        return st;
    for (uint32_t i = 0; i < count; i++) {
        napi_value name_v;
        char name[64] = "";
        size_t len = 0;
        if ((st = napi_get_element(env, names, i, &name_v)) != napi_ok ||
            (st = napi_get_value_string_utf8(env, name_v, name, sizeof name, &len)) != napi_ok)
            return st;
        bool is_known = false;
        for (size_t k = 0; k < CONTEXT_OPTION_COUNT; k++)
            is_known = is_known || strcmp(name, context_option_specs[k].name) == 0;
        if (!is_known) {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown context option '%s'", name);
            napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", msg);
            return napi_pending_exception;
        }
    }
    return napi_ok;
}

/* The options object (undefined or null: every default) as
 * quell_context_options. Throws a TypeError or a RangeError. */
static napi_status copy_context_options(napi_env env, napi_value v, quell_context_options *o)
{
    quell_context_options defaults = QUELL_CONTEXT_OPTIONS_INIT;
    *o = defaults;
    napi_valuetype type = napi_undefined;
    napi_status st = v ? napi_typeof(env, v, &type) : napi_ok;
    if (st != napi_ok || type == napi_undefined || type == napi_null)
        return st;
    if (type != napi_object) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "context options must be an object");
        return napi_pending_exception;
    }
    if ((st = check_option_names(env, v)) != napi_ok)
        return st;
    for (size_t k = 0; k < CONTEXT_OPTION_COUNT; k++) {
        const char *name = context_option_specs[k].name;
        napi_value x;
        napi_valuetype xt;
        double d = 0;
        if ((st = napi_get_named_property(env, v, name, &x)) != napi_ok ||
            (st = napi_typeof(env, x, &xt)) != napi_ok)
            return st;
        if (xt == napi_undefined)
            continue;
        char msg[128];
        if (xt != napi_number) {
            snprintf(msg, sizeof msg, "options.%s must be a number", name);
            napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
            return napi_pending_exception;
        }
        if ((st = napi_get_value_double(env, x, &d)) != napi_ok)
            return st;
        char *at = (char *)o + context_option_specs[k].offset;
        if (context_option_specs[k].is_count) {
            /* 2^53: past it a double is not a whole count; the library
             * refuses far less (2^24). */
            if (!(d >= 1 && d <= 9007199254740992.0 && d == (double)(int64_t)d)) {
                snprintf(msg, sizeof msg, "options.%s must be a whole number from 1", name);
                napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
                return napi_pending_exception;
            }
            size_t n = (size_t)d;
            memcpy(at, &n, sizeof n);
        } else {
            if (!(d > 0)) {
                snprintf(msg, sizeof msg, "options.%s must be above 0", name);
                napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
                return napi_pending_exception;
            }
            memcpy(at, &d, sizeof d);
        }
    }
    return napi_ok;
}

/* Throw what quell_context_new or _load returned: an option out of range
 * (QUELL_EINVAL) as a RangeError, the rest as Errors. */
static void throw_context_error(napi_env env, int code, const quell_error *err)
{
    napi_value error = make_quell_error_kind(env, code, err, code == QUELL_EINVAL);
    if (error)
        napi_throw(env, error);
    else
        throw_napi_failure(env);
}

/* A box owning ctx (taken over: freed on failure); NULL having thrown. */
static struct ctx_box *make_ctx_box(napi_env env, quell_context *ctx)
{
    struct ctx_box *box = calloc(1, sizeof *box);
    if (!box) {
        quell_context_free(ctx);
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory making a context");
        return NULL;
    }
    box->ctx = ctx;
    atomic_init(&box->refs, 1);
    pthread_mutex_init(&box->lock, NULL);
    return box;
}

/* new Context(options?): an empty context; loadContext() passes a loaded
 * one instead, with the tag. */
static napi_value context_construct(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL}, self;
    NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
    napi_valuetype type = napi_undefined;
    if (argc == 2)
        NAPI_CALL(env, napi_typeof(env, argv[1], &type));
    struct ctx_box *box = NULL;
    void *tag = NULL;
    if (type == napi_external) {
        NAPI_CALL(env, napi_get_value_external(env, argv[1], &tag));
        if (tag == &context_tag)
            NAPI_CALL(env, napi_get_value_external(env, argv[0], (void **)&box));
    }
    if (!box) {
        quell_context_options options;
        if (copy_context_options(env, argc >= 1 ? argv[0] : NULL, &options) != napi_ok) {
            throw_napi_failure(env);
            return NULL;
        }
        quell_context *ctx = NULL;
        quell_error err;
        int rc = quell_context_new(&ctx, &options, &err);
        if (rc < 0) {
            throw_context_error(env, rc, &err);
            return NULL;
        }
        if (!(box = make_ctx_box(env, ctx)))
            return NULL;
    }
    if (napi_wrap(env, self, box, context_finalize, NULL, NULL) != napi_ok) {
        if (tag != &context_tag) /* a loaded box is still its loader's */
            ctx_release(box);
        throw_napi_failure(env);
        return NULL;
    }
    NAPI_CALL(env, napi_type_tag_object(env, self, &context_type_tag));
    return self;
}

static struct ctx_box *unwrap_context(napi_env env, napi_callback_info info, size_t *argc,
                                      napi_value *argv)
{
    napi_value self;
    void *box = NULL;
    NAPI_CALL(env, napi_get_cb_info(env, info, argc, argv, &self, NULL));
    NAPI_CALL(env, napi_unwrap(env, self, &box));
    return box;
}

/* context.save(path): write the context, once every scan called before
 * has been decided in it, so that loadContext(path) resumes after them.
 * On this thread: the file is synced before it replaces path. */
static napi_value context_save(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value path_v = NULL;
    struct ctx_box *box = unwrap_context(env, info, &argc, &path_v);
    if (!box)
        return NULL;
    char *path = copy_path_value(env, argc, path_v, "save");
    if (!path)
        return NULL;
    struct ctx_turn turn;
    turn_join(box, &turn);
    turn_wait(box, &turn);
    quell_error err;
    int rc = quell_context_save(box->ctx, path, &err);
    turn_leave(box, &turn);
    free(path);
    if (rc < 0) {
        throw_quell_error(env, rc, &err);
        return NULL;
    }
    return NULL;
}

static napi_value context_size_getter(napi_env env, napi_callback_info info,
                                      size_t (*get)(const quell_context *))
{
    size_t argc = 0;
    struct ctx_box *box = unwrap_context(env, info, &argc, NULL);
    if (!box)
        return NULL;
    napi_value v;
    NAPI_CALL(env, napi_create_double(env, (double)get(box->ctx), &v));
    return v;
}

static napi_value context_get_memory(napi_env env, napi_callback_info info)
{
    return context_size_getter(env, info, quell_context_memory);
}

static napi_value context_get_memory_limit(napi_env env, napi_callback_info info)
{
    return context_size_getter(env, info, quell_context_memory_limit);
}

/* loadContext(path, options?): a Context resuming what save() wrote. */
static napi_value load_context(napi_env env, napi_callback_info info)
{
    size_t argc = 2;
    napi_value argv[2] = {NULL, NULL};
    NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
    quell_context_options options;
    if (copy_context_options(env, argc >= 2 ? argv[1] : NULL, &options) != napi_ok) {
        throw_napi_failure(env);
        return NULL;
    }
    char *path = copy_path_value(env, argc, argv[0], "loadContext");
    if (!path)
        return NULL;
    quell_context *ctx = NULL;
    quell_error err;
    int rc = quell_context_load(&ctx, path, &options, &err);
    free(path);
    if (rc < 0) {
        throw_context_error(env, rc, &err);
        return NULL;
    }
    struct ctx_box *box = make_ctx_box(env, ctx);
    if (!box)
        return NULL;
    napi_value ctor, args[2], instance = NULL;
    if (get_ctor(env, offsetof(struct addon_data, context_ctor), &ctor) != napi_ok ||
        napi_create_external(env, box, NULL, NULL, &args[0]) != napi_ok ||
        napi_create_external(env, (void *)&context_tag, NULL, NULL, &args[1]) != napi_ok ||
        napi_new_instance(env, ctor, 2, args, &instance) != napi_ok) {
        /* The constructor wraps box last: if it did not, box is still ours. */
        void *wrapped = NULL;
        if (!instance || napi_unwrap(env, instance, &wrapped) != napi_ok || wrapped != box)
            ctx_release(box);
        throw_napi_failure(env);
        return NULL;
    }
    return instance;
}

NAPI_MODULE_INIT()
{
    napi_property_descriptor rules_props[] = {
        {"scan", NULL, rules_scan, NULL, NULL, NULL, napi_default_method, NULL},
        {"scanAsync", NULL, rules_scan_async, NULL, NULL, NULL, napi_default_method, NULL},
        {"id", NULL, NULL, rules_get_id, NULL, NULL, napi_enumerable, NULL},
        {"label", NULL, NULL, rules_get_label, NULL, NULL, napi_enumerable, NULL},
        {"ruleCount", NULL, NULL, rules_get_rule_count, NULL, NULL, napi_enumerable, NULL},
    };
    napi_property_descriptor context_props[] = {
        {"save", NULL, context_save, NULL, NULL, NULL, napi_default_method, NULL},
        {"memory", NULL, NULL, context_get_memory, NULL, NULL, napi_enumerable, NULL},
        {"memoryLimit", NULL, NULL, context_get_memory_limit, NULL, NULL, napi_enumerable, NULL},
    };
    napi_value ctor, context_ctor, load_fn, load_async_fn, load_context_fn, version;
    struct addon_data *data = calloc(1, sizeof *data);
    if (!data) {
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory loading the addon");
        return NULL;
    }
    if (napi_set_instance_data(env, data, addon_data_free, NULL) != napi_ok) {
        free(data);
        throw_napi_failure(env);
        return NULL;
    }
    NAPI_CALL(env,
              napi_define_class(env, "Rules", NAPI_AUTO_LENGTH, rules_construct, NULL,
                                sizeof rules_props / sizeof rules_props[0], rules_props, &ctor));
    NAPI_CALL(env, napi_create_reference(env, ctor, 1, &data->rules_ctor));
    NAPI_CALL(env, napi_define_class(env, "Context", NAPI_AUTO_LENGTH, context_construct, NULL,
                                     sizeof context_props / sizeof context_props[0], context_props,
                                     &context_ctor));
    NAPI_CALL(env, napi_create_reference(env, context_ctor, 1, &data->context_ctor));
    NAPI_CALL(env, napi_create_function(env, "loadContext", NAPI_AUTO_LENGTH, load_context, NULL,
                                        &load_context_fn));
    NAPI_CALL(env, napi_create_function(env, "load", NAPI_AUTO_LENGTH, load, NULL, &load_fn));
    NAPI_CALL(env, napi_create_function(env, "loadAsync", NAPI_AUTO_LENGTH, load_async, NULL,
                                        &load_async_fn));
    NAPI_CALL(env, napi_create_string_utf8(env, quell_version(), NAPI_AUTO_LENGTH, &version));
    NAPI_CALL(env, napi_set_named_property(env, exports, "Rules", ctor));
    NAPI_CALL(env, napi_set_named_property(env, exports, "load", load_fn));
    NAPI_CALL(env, napi_set_named_property(env, exports, "loadAsync", load_async_fn));
    NAPI_CALL(env, napi_set_named_property(env, exports, "version", version));
    NAPI_CALL(env, napi_set_named_property(env, exports, "Context", context_ctor));
    NAPI_CALL(env, napi_set_named_property(env, exports, "loadContext", load_context_fn));
    return exports;
}
