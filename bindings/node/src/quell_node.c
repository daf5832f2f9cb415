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
 */
/* Node-API 8 (Node 12.22, 14.17, 16 and later): instance data, and an ABI
 * that one build serves every later Node with. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* A comment copied out of JS values, owned by the scan that uses it. */
struct comment_copy {
    char *text[QUELL_FIELD_COUNT];
    size_t text_len[QUELL_FIELD_COUNT];
    char *id_json; /* NULL: the verdict's id is null */
    size_t id_len;
};

/* One scanAsync call, from the main thread to a worker and back. */
struct scan_job {
    napi_async_work work;
    napi_deferred deferred;
    struct rules_box *box;
    struct comment_copy comment;
    char *json; /* the verdict's JSON, or NULL on failure */
    size_t json_len;
    int code;
    quell_error err;
};

/* Marks the external that load() hands the Rules constructor, so that
 * `new Rules()` from JS is refused rather than left without rules. */
static const char rules_tag = 'q';

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

static void comment_free(struct comment_copy *c)
{
    for (int f = 0; f < QUELL_FIELD_COUNT; f++)
        free(c->text[f]);
    free(c->id_json);
    memset(c, 0, sizeof *c);
}

/*
 * Scan one comment and write its verdict as JSON without the trailing
 * newline into a malloc'd *out. Touches no JS value: it runs on the main
 * thread for scan() and on a worker for scanAsync().
 */
static int scan_to_json(struct rules_box *box, const struct comment_copy *c, char **out,
                        size_t *out_len, quell_error *err)
{
    quell_scanner *scanner = NULL;
    int rc = box_take_scanner(box, &scanner, err);
    if (rc < 0)
        return rc;

    quell_comment comment = QUELL_COMMENT_INIT;
    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        comment.text[f] = c->text[f];
        comment.text_len[f] = c->text_len[f];
    }
    const quell_verdict *verdict = NULL;
    rc = quell_scan(scanner, &comment, &verdict, err);
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
 * negative quell_code), and file, line and ruleId when it has them.
 */
static napi_value make_quell_error(napi_env env, int code, const quell_error *err)
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
        napi_create_error(env, code_v, msg, &error) != napi_ok)
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

/* A comment is a string (its body) or {body, author?, id?}. */
static napi_status copy_comment(napi_env env, napi_value v, struct comment_copy *c)
{
    memset(c, 0, sizeof *c);
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
                              "comment must be a string or an object {body, author, id}");
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

/* rules.scan(comment): the verdict, scanned on this thread. */
static napi_value rules_scan(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value comment_v = NULL;
    struct rules_box *box = unwrap_this(env, info, &argc, &comment_v);
    if (!box)
        return NULL;
    if (argc < 1) {
        napi_throw_type_error(env, "ERR_MISSING_ARGS", "scan(comment) needs a comment");
        return NULL;
    }
    struct comment_copy c;
    if (copy_comment(env, comment_v, &c) != napi_ok) {
        throw_napi_failure(env);
        return NULL;
    }
    quell_error err;
    char *json = NULL;
    size_t json_len = 0;
    int rc = scan_to_json(box, &c, &json, &json_len, &err);
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
    job->code = scan_to_json(job->box, &job->comment, &job->json, &job->json_len, &job->err);
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

/* rules.scanAsync(comment): a Promise of the verdict, scanned on libuv's
 * worker pool so the event loop runs on meanwhile. */
static napi_value rules_scan_async(napi_env env, napi_callback_info info)
{
    size_t argc = 1;
    napi_value comment_v = NULL;
    struct rules_box *box = unwrap_this(env, info, &argc, &comment_v);
    if (!box)
        return NULL;
    if (argc < 1) {
        napi_throw_type_error(env, "ERR_MISSING_ARGS", "scanAsync(comment) needs a comment");
        return NULL;
    }
    struct scan_job *job = calloc(1, sizeof *job);
    if (!job) {
        napi_throw_error(env, "QUELL_ENOMEM", "out of memory starting a scan");
        return NULL;
    }
    if (copy_comment(env, comment_v, &job->comment) != napi_ok) {
        free(job);
        throw_napi_failure(env);
        return NULL;
    }
    box_hold(box);
    job->box = box;

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

/* The Rules constructor, kept per environment (a worker_thread has its own). */
static void constructor_ref_free(napi_env env, void *data, void *hint)
{
    (void)hint;
    napi_delete_reference(env, data);
}

/* The path argument of load() or loadAsync(), malloc'd; NULL having thrown. */
static char *copy_path(napi_env env, napi_callback_info info, const char *fn)
{
    size_t argc = 1;
    napi_value path_v = NULL;
    NAPI_CALL(env, napi_get_cb_info(env, info, &argc, &path_v, NULL, NULL));
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

    napi_ref ctor_ref = NULL;
    napi_value ctor, args[2], instance = NULL;
    if (napi_get_instance_data(env, (void **)&ctor_ref) != napi_ok || !ctor_ref ||
        napi_get_reference_value(env, ctor_ref, &ctor) != napi_ok ||
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

NAPI_MODULE_INIT()
{
    napi_property_descriptor rules_props[] = {
        {"scan", NULL, rules_scan, NULL, NULL, NULL, napi_default_method, NULL},
        {"scanAsync", NULL, rules_scan_async, NULL, NULL, NULL, napi_default_method, NULL},
        {"id", NULL, NULL, rules_get_id, NULL, NULL, napi_enumerable, NULL},
        {"label", NULL, NULL, rules_get_label, NULL, NULL, napi_enumerable, NULL},
        {"ruleCount", NULL, NULL, rules_get_rule_count, NULL, NULL, napi_enumerable, NULL},
    };
    napi_value ctor, load_fn, load_async_fn, version;
    napi_ref ctor_ref;
    NAPI_CALL(env,
              napi_define_class(env, "Rules", NAPI_AUTO_LENGTH, rules_construct, NULL,
                                sizeof rules_props / sizeof rules_props[0], rules_props, &ctor));
    NAPI_CALL(env, napi_create_reference(env, ctor, 1, &ctor_ref));
    NAPI_CALL(env, napi_set_instance_data(env, ctor_ref, constructor_ref_free, NULL));
    NAPI_CALL(env, napi_create_function(env, "load", NAPI_AUTO_LENGTH, load, NULL, &load_fn));
    NAPI_CALL(env, napi_create_function(env, "loadAsync", NAPI_AUTO_LENGTH, load_async, NULL,
                                        &load_async_fn));
    NAPI_CALL(env, napi_create_string_utf8(env, quell_version(), NAPI_AUTO_LENGTH, &version));
    NAPI_CALL(env, napi_set_named_property(env, exports, "Rules", ctor));
    NAPI_CALL(env, napi_set_named_property(env, exports, "load", load_fn));
    NAPI_CALL(env, napi_set_named_property(env, exports, "loadAsync", load_async_fn));
    NAPI_CALL(env, napi_set_named_property(env, exports, "version", version));
    return exports;
}
