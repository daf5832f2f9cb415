/*
 * routes.c - the handlers of the JSON routes and the page: each reads the
 * request whole and answers it, through the library's public API only, as
 * any backend would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "serve/assets.h"
#include "serve/frame.h"
#include "serve/http.h"
#include "serve/sbuf.h"

/* Whether query parameter name is given as 1, true or yes. */
static int query_flag(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

/* Whether the client sent JSON Lines (application/x-ndjson and kin). */
static int is_lines_body(struct MHD_Connection *c)
{
    const char *type =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type)
        return 0;
    static const char *const lines_types[] = {"application/x-ndjson", "application/ndjson",
                                              "application/jsonl", "application/x-jsonlines",
                                              "application/jsonlines"};
    for (size_t i = 0; i < sizeof lines_types / sizeof lines_types[0]; i++) {
        size_t n = strlen(lines_types[i]);
        if (strncmp(type, lines_types[i], n) == 0 && (type[n] == '\0' || type[n] == ';'))
            return 1;
    }
    return 0;
}

/* Comments per category in one request, handed to the metrics once. The
 * tally holds the rules whose categories it counts: a scanner that moves
 * to new rules frees its verdict's arrays, not the rules' names. */
struct tally {
    const quell_rules *rules;
    size_t count;
    uint64_t comments[METRICS_MAX_CATEGORIES];
};

static void tally_flush(struct server *srv, struct tally *t)
{
    if (t->rules) {
        const char *names[METRICS_MAX_CATEGORIES];
        for (size_t i = 0; i < t->count; i++)
            names[i] = quell_rules_category_name(t->rules, i);
        metrics_categories(&srv->metrics, names, t->comments, t->count);
        quell_rules_release(t->rules);
    }
    memset(t, 0, sizeof *t);
}

static void tally_add(struct server *srv, struct tally *t, const quell_verdict *v)
{
    metrics_verdict(&srv->metrics, v);
    if (!v)
        return;
    if (t->rules != v->rules_used) {
        tally_flush(srv, t);
        t->rules = quell_rules_hold(v->rules_used);
        t->count =
            v->category_count < METRICS_MAX_CATEGORIES ? v->category_count : METRICS_MAX_CATEGORIES;
    }
    for (size_t i = 0; i < t->count; i++) {
        if (v->category_scores[i] != 0)
            t->comments[i]++;
    }
}

/* One comment parsed and scanned: its verdict, or why there is none, and
 * the id to answer with. */
struct checked {
    const quell_record *record;
    const quell_verdict *verdict; /* NULL: the comment could not be checked */
    char id[24];                  /* the place in the batch, when it has no id */
    const char *id_json;
    size_t id_len;
    quell_error err;
};

/* Parse and scan one comment, the place-th of its request. */
static void check_one(struct worker *w, const char *data, size_t len, size_t place,
                      struct checked *out)
{
    out->verdict = NULL;
    out->err.message[0] = '\0';
    int rc = quell_record_parse(w->parser, data, len, &out->record, &out->err);
    /* The record's own id, even when it was refused; else its place. */
    out->id_json = out->record ? out->record->id_json : NULL;
    out->id_len = out->record ? out->record->id_json_len : 0;
    if (!out->id_json) {
        out->id_len = (size_t)snprintf(out->id, sizeof out->id, "%zu", place);
        out->id_json = out->id;
    }
    if (rc == QUELL_OK && w->srv->ctx) {
        /* In the order comments arrive, across requests and threads. */
        quell_context_meta meta = QUELL_CONTEXT_META_INIT;
        meta.id_json = out->record->id_json;
        meta.id_len = out->record->id_json_len;
        meta.time_ms = out->record->has_time ? out->record->time_ms : QUELL_CONTEXT_NOW;
        rc = quell_scan_context(w->scanner, w->srv->ctx, &out->record->comment, &meta,
                                &out->verdict, &out->err);
    } else if (rc == QUELL_OK) {
        rc = quell_scan(w->scanner, &out->record->comment, &out->verdict, &out->err);
    }
    if (rc != QUELL_OK) {
        out->verdict = NULL;
        if (!out->err.message[0])
            snprintf(out->err.message, sizeof out->err.message, "%s", quell_strerror(rc));
    }
}

/* Append the checked comment's line to out, as `quell filter` writes it. */
static void append_line(struct sbuf *out, const struct checked *k, int is_censored)
{
    for (size_t room = 512;;) {
        if (sbuf_reserve(out, room) != 0)
            return;
        char *dst = out->p + out->len;
        size_t cap = out->cap - out->len;
        size_t need;
        if (!k->verdict) {
            need = quell_error_to_json(k->id_json, k->id_len, k->err.message, dst, cap);
        } else if (is_censored) {
            const quell_comment *c = &k->record->comment;
            need = quell_verdict_to_json_censored(k->verdict, k->id_json, k->id_len,
                                                  c->text[QUELL_FIELD_BODY],
                                                  c->text_len[QUELL_FIELD_BODY], '*', dst, cap);
        } else {
            need = quell_verdict_to_json(k->verdict, k->id_json, k->id_len, dst, cap);
        }
        if (need < cap) {
            out->len += need;
            return;
        }
        room = need + 1;
    }
}

/* The calling thread's worker and the body cut into comments, or the
 * request answered with why not; 0 when both are ready. */
static int begin_comments(struct server *srv, struct MHD_Connection *c, struct request *rq,
                          int is_lines_asked, struct worker **w, struct frame *f)
{
    quell_error err = {0};
    *w = http_worker(srv, &err);
    if (!*w) {
        http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "no scanner: %s", err.message);
        return -1;
    }
    const char *why;
    int rc = frame_cut(rq->body ? rq->body : "", rq->body_len, is_lines_asked, srv->opt->max_batch,
                       f, &why);
    if (rc == -1)
        http_error(srv, c, rq, MHD_HTTP_BAD_REQUEST, "%s", why);
    else if (rc == -2)
        http_error(srv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "more than %zu comments in one request",
                   srv->opt->max_batch);
    else if (rc != 0)
        http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return rc;
}

enum MHD_Result route_check(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct worker *w;
    struct frame f;
    if (begin_comments(srv, c, rq, is_lines_body(c), &w, &f) != 0)
        return MHD_YES;

    int is_censored = query_flag(c, "censor");
    struct sbuf out = {0};
    struct tally tally = {0};
    int is_all_good = 1;
    if (f.kind == FRAME_ARRAY)
        sbuf_puts(&out, "[");
    for (size_t i = 0; i < f.count; i++) {
        struct checked k;
        check_one(w, rq->body + f.spans[i].start, f.spans[i].len, i + 1, &k);
        tally_add(srv, &tally, k.verdict);
        is_all_good &= k.verdict != NULL;
        if (f.kind == FRAME_ARRAY && i > 0)
            sbuf_puts(&out, ",");
        size_t at = out.len;
        append_line(&out, &k, is_censored);
        if (f.kind == FRAME_ARRAY && !out.is_failed && out.len > at)
            out.len--; /* the line's newline: elements are joined by commas */
    }
    if (f.kind == FRAME_ARRAY)
        sbuf_puts(&out, "]\n");
    tally_flush(srv, &tally);
    rq->comments = f.count;
    enum frame_kind kind = f.kind;
    frame_free(&f);
    if (out.is_failed) {
        sbuf_free(&out);
        return http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    size_t len;
    char *body = sbuf_take(&out, &len);
    /* One comment that cannot be checked is a bad request; in a batch it is
     * one error record among the answers. */
    unsigned int status = kind == FRAME_SINGLE && !is_all_good ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK;
    return http_respond(srv, c, rq, status,
                        kind == FRAME_LINES ? "application/x-ndjson" : "application/json", body,
                        len);
}

enum MHD_Result route_explain(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    struct worker *w;
    struct frame f;
    if (begin_comments(srv, c, rq, 0, &w, &f) != 0)
        return MHD_YES;
    if (f.kind != FRAME_SINGLE || f.count != 1) {
        frame_free(&f);
        return http_error(srv, c, rq, MHD_HTTP_BAD_REQUEST,
                          "/v1/explain takes one comment, a JSON object");
    }
    struct frame_span span = f.spans[0];
    frame_free(&f);

    struct checked k;
    check_one(w, rq->body + span.start, span.len, 1, &k);
    struct tally tally = {0};
    tally_add(srv, &tally, k.verdict);
    tally_flush(srv, &tally);
    rq->comments = 1;
    struct sbuf out = {0};
    if (!k.verdict) {
        append_line(&out, &k, 0);
        size_t len;
        char *body = sbuf_take(&out, &len);
        return http_respond(srv, c, rq, MHD_HTTP_BAD_REQUEST, "application/json", body, len);
    }
    quell_error err = {0};
    for (size_t room = 4096;;) {
        if (sbuf_reserve(&out, room) != 0)
            break;
        size_t need;
        int rc = quell_explain_to_json(w->scanner, k.verdict, &k.record->comment, k.id_json,
                                       k.id_len, out.p, out.cap, &need, &err);
        if (rc != QUELL_OK) {
            sbuf_free(&out);
            return http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err.message);
        }
        if (need < out.cap) {
            out.len = need;
            break;
        }
        room = need + 1;
    }
    if (out.is_failed) {
        sbuf_free(&out);
        return http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    size_t len;
    char *body = sbuf_take(&out, &len);
    return http_respond(srv, c, rq, MHD_HTTP_OK, "application/json", body, len);
}

/* The rules being served, as GET /v1/rules shows them. */
static cJSON *rules_tree(struct server *srv)
{
    quell_rules *rules = quell_engine_rules(srv->engine);
    quell_engine_stats stats = QUELL_ENGINE_STATS_INIT;
    quell_engine_stats_get(srv->engine, &stats);
    cJSON *o = cJSON_CreateObject();
    cJSON *cats = cJSON_CreateArray();
    cJSON *thresholds = cJSON_CreateObject();
    if (!o || !cats || !thresholds) {
        cJSON_Delete(o);
        cJSON_Delete(cats);
        cJSON_Delete(thresholds);
        quell_rules_release(rules);
        return NULL;
    }
    int64_t ms = atomic_load(&srv->loaded_at_ms);
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

    cJSON_AddStringToObject(o, "rules_id", quell_rules_id(rules));
    cJSON_AddStringToObject(o, "label", quell_rules_label(rules));
    cJSON_AddStringToObject(o, "path", srv->opt->rules_path);
    cJSON_AddStringToObject(o, "loaded_at", when);
    cJSON_AddNumberToObject(o, "rule_count", (double)quell_rules_rule_count(rules));
    for (size_t i = 0; i < quell_rules_category_count(rules); i++) {
        cJSON *cat = cJSON_CreateObject();
        if (!cat)
            continue;
        cJSON_AddStringToObject(cat, "name", quell_rules_category_name(rules, i));
        cJSON_AddBoolToObject(cat, "separate", quell_rules_category_is_separate(rules, i));
        cJSON_AddItemToArray(cats, cat);
    }
    cJSON_AddItemToObject(o, "categories", cats);
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++)
        cJSON_AddNumberToObject(thresholds, quell_action_name((quell_action)a),
                                quell_rules_threshold(rules, (quell_action)a));
    cJSON_AddItemToObject(o, "thresholds", thresholds);
    cJSON_AddNumberToObject(o, "generation", (double)stats.generation);
    cJSON_AddNumberToObject(o, "reloads_ok", (double)stats.reloads_ok);
    cJSON_AddNumberToObject(o, "reloads_failed", (double)stats.reloads_failed);
    quell_rules_release(rules);
    return o;
}

enum MHD_Result route_rules(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    return http_respond_tree(srv, c, rq, MHD_HTTP_OK, rules_tree(srv));
}

enum MHD_Result route_healthz(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    static const char ok[] = "{\"status\":\"ok\"}\n";
    char *body = strdup(ok);
    if (!body)
        return MHD_NO;
    return http_respond(srv, c, rq, MHD_HTTP_OK, "application/json", body, sizeof ok - 1);
}

enum MHD_Result route_readyz(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    /* Rules are loaded before the listener opens, and a reload never
     * leaves the engine without rules: serving means ready. */
    quell_rules *rules = quell_engine_rules(srv->engine);
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "status", atomic_load(&srv->is_draining) ? "draining" : "ready");
        cJSON_AddStringToObject(o, "rules_id", quell_rules_id(rules));
    }
    quell_rules_release(rules);
    return http_respond_tree(
        srv, c, rq, atomic_load(&srv->is_draining) ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, o);
}

enum MHD_Result route_metrics(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    quell_rules *rules = quell_engine_rules(srv->engine);
    quell_engine_stats stats = QUELL_ENGINE_STATS_INIT;
    quell_engine_stats_get(srv->engine, &stats);
    struct metrics_rules r = {
        quell_rules_id(rules), quell_rules_label(rules),
        stats.generation,      stats.reloads_ok,
        stats.reloads_failed,  (double)atomic_load(&srv->loaded_at_ms) / 1000.0};
    char *text;
    size_t len;
    int rc = metrics_render(&srv->metrics, &r, &text, &len);
    quell_rules_release(rules);
    if (rc != 0)
        return http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return http_respond(srv, c, rq, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text,
                        len);
}

enum MHD_Result route_reload(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    char msg[1024];
    int rc = http_reload(srv, msg, sizeof msg);
    if (rc == QUELL_OK)
        return http_respond_tree(srv, c, rq, MHD_HTTP_OK, rules_tree(srv));
    quell_rules *rules = quell_engine_rules(srv->engine);
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddStringToObject(o, "error", msg);
        cJSON_AddNumberToObject(o, "status", MHD_HTTP_UNPROCESSABLE_CONTENT);
        cJSON_AddStringToObject(o, "rules_id", quell_rules_id(rules));
    }
    quell_rules_release(rules);
    return http_respond_tree(srv, c, rq, MHD_HTTP_UNPROCESSABLE_CONTENT, o);
}

enum MHD_Result route_page(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const struct serve_asset *a = serve_asset_find(rq->path);
    if (!a)
        return http_error(srv, c, rq, MHD_HTTP_NOT_FOUND, "no such page: %s", rq->path);
    const char *match =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    struct MHD_Response *r;
    unsigned int status = MHD_HTTP_OK;
    if (match && strcmp(match, a->etag) == 0) {
        status = MHD_HTTP_NOT_MODIFIED;
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, a->etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* The page's own files only: no inline script, nothing from elsewhere. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; "
                            "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    rq->is_answered = 1;
    rq->status = status;
    rq->bytes_out = status == MHD_HTTP_OK ? a->len : 0;
    return ok;
}
