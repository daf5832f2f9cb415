/*
 * eval_route.c - POST /v1/eval: a small labelled sample measured as
 * `quell eval` measures a corpus, for the moderator's page. The sample is
 * read by the command's corpus reader (CSV, TSV or JSON Lines) and counted
 * by the library's quell_eval, with a scanner of its own bound to the rules
 * of the moment, so that a reload midway cannot mix two rule sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli/cli.h"
#include "cli/corpus.h"
#include "serve/http.h"

/* Comments the rules got wrong, and rows refused, listed in the answer. */
#define EVAL_MAX_WRONG  200
#define EVAL_MAX_ERRORS 50

static const char default_positive[] = "1,true,yes,toxic,abusive";

struct eval_run {
    quell_scanner *scanner;
    quell_eval *eval;
    char **labels; /* the positive (or, is_negative, negative) labels */
    size_t label_count;
    int is_negative;
    uint64_t malformed;
    cJSON *wrong;
    cJSON *errors;
    int is_wrong_truncated;
    size_t max_rows; /* --max-batch */
    int is_too_many;
    int failed; /* out of memory or a scan error: stop */
    char why[sizeof(quell_error){0}.message];
};

static void note_error(struct eval_run *run, unsigned long long row, const char *message)
{
    run->malformed++;
    if (cJSON_GetArraySize(run->errors) >= EVAL_MAX_ERRORS)
        return;
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return;
    cJSON_AddNumberToObject(e, "row", (double)row);
    cJSON_AddStringToObject(e, "error", message);
    cJSON_AddItemToArray(run->errors, e);
}

/* A string of len bytes as a cJSON string (cJSON wants it NUL-terminated). */
static cJSON *add_text(cJSON *o, const char *name, const char *s, size_t len)
{
    char *copy = strndup(s, len);
    cJSON *item = copy ? cJSON_AddStringToObject(o, name, copy) : NULL;
    free(copy);
    return item;
}

static void note_wrong(struct eval_run *run, const struct corpus_row *row, const quell_verdict *v,
                       int is_positive)
{
    if (cJSON_GetArraySize(run->wrong) >= EVAL_MAX_WRONG) {
        run->is_wrong_truncated = 1;
        return;
    }
    cJSON *w = cJSON_CreateObject();
    cJSON *hits = cJSON_CreateArray();
    if (!w || !hits) {
        cJSON_Delete(w);
        cJSON_Delete(hits);
        return;
    }
    cJSON_AddNumberToObject(w, "row", (double)row->row_no);
    if (row->id)
        add_text(w, "id", row->id, row->id_len);
    add_text(w, "text", row->text, row->text_len);
    add_text(w, "label", row->label, row->label_len);
    cJSON_AddStringToObject(w, "expected", is_positive ? "flag" : "pass");
    cJSON_AddStringToObject(w, "action", quell_action_name(v->action));
    cJSON_AddNumberToObject(w, "score", v->score);
    for (size_t i = 0; i < v->hit_count; i++) {
        const quell_hit *h = &v->hits[i];
        cJSON *hit = cJSON_CreateObject();
        if (!hit)
            continue;
        cJSON_AddStringToObject(hit, "rule", h->rule_id);
        cJSON_AddStringToObject(hit, "category", h->category);
        cJSON_AddNumberToObject(hit, "start", (double)h->start);
        cJSON_AddNumberToObject(hit, "end", (double)h->end);
        add_text(hit, "text", h->text, h->end - h->start);
        cJSON_AddItemToArray(hits, hit);
    }
    cJSON_AddItemToObject(w, "hits", hits);
    cJSON_AddItemToArray(run->wrong, w);
}

static int on_row(void *ctx, const struct corpus_row *row, const struct corpus_progress *progress)
{
    struct eval_run *run = ctx;
    (void)progress;
    if (quell_eval_comment_count(run->eval) + run->malformed >= run->max_rows) {
        snprintf(run->why, sizeof run->why, "more than %zu rows in one sample", run->max_rows);
        run->is_too_many = 1;
        return 1;
    }
    /* Malformed as `quell eval` has it: the row is counted, not measured. */
    const char *malformed = row->error                           ? row->error
                            : !row->text || row->text_len == 0   ? "empty text"
                            : !row->label || row->label_len == 0 ? "empty label"
                                                                 : NULL;
    if (malformed) {
        note_error(run, row->row_no, malformed);
        return 0;
    }
    quell_comment comment = QUELL_COMMENT_INIT;
    comment.text[QUELL_FIELD_BODY] = row->text;
    comment.text_len[QUELL_FIELD_BODY] = row->text_len;
    const quell_verdict *v;
    quell_error err = {0};
    int rc = quell_scan(run->scanner, &comment, &v, &err);
    if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG) {
        note_error(run, row->row_no, err.message);
        return 0;
    }
    int is_positive = cli_is_listed(run->labels, run->label_count, row->label, row->label_len) !=
                      run->is_negative;
    if (rc == QUELL_OK)
        rc = quell_eval_add(run->eval, v, is_positive, row->label, row->label_len, &err);
    if (rc != QUELL_OK) {
        snprintf(run->why, sizeof run->why, "%s", err.message);
        run->failed = 1;
        return 1;
    }
    if ((v->action >= QUELL_FLAG) != is_positive)
        note_wrong(run, row, v, is_positive);
    return 0;
}

/* A ratio, or null when it is undefined. */
static void add_ratio(cJSON *o, const char *name, double value)
{
    if (value == QUELL_EVAL_UNDEFINED)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, value);
}

static cJSON *result_tree(struct eval_run *run, const quell_rules *rules)
{
    quell_eval_counts n;
    quell_eval_counts_get(run->eval, QUELL_FLAG, &n);
    cJSON *o = cJSON_CreateObject();
    cJSON *counts = cJSON_CreateObject();
    if (!o || !counts) {
        cJSON_Delete(o);
        cJSON_Delete(counts);
        return NULL;
    }
    cJSON_AddStringToObject(o, "rules_id", quell_rules_id(rules));
    cJSON_AddNumberToObject(o, "comments", (double)quell_eval_comment_count(run->eval));
    cJSON_AddNumberToObject(o, "malformed", (double)run->malformed);
    cJSON_AddNumberToObject(counts, "tp", (double)n.tp);
    cJSON_AddNumberToObject(counts, "fp", (double)n.fp);
    cJSON_AddNumberToObject(counts, "fn", (double)n.fn);
    cJSON_AddNumberToObject(counts, "tn", (double)n.tn);
    cJSON_AddItemToObject(o, "counts", counts);
    add_ratio(o, "precision", quell_eval_precision(&n));
    add_ratio(o, "recall", quell_eval_recall(&n));
    add_ratio(o, "f1", quell_eval_f1(&n));
    add_ratio(o, "fpr", quell_eval_fpr(&n));
    cJSON_AddItemToObject(o, "wrong", run->wrong);
    cJSON_AddBoolToObject(o, "wrong_truncated", run->is_wrong_truncated);
    cJSON_AddItemToObject(o, "errors", run->errors);
    run->wrong = run->errors = NULL;
    return o;
}

/* The sample's format, from ?format= or the Content-Type; -1 when unknown. */
static int sample_format(struct MHD_Connection *c)
{
    const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    if (name)
        return corpus_parse_format(name);
    const char *type =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type)
        return CORPUS_CSV;
    if (strncmp(type, "text/tab-separated-values", 25) == 0)
        return CORPUS_TSV;
    if (strstr(type, "ndjson") || strstr(type, "jsonl") || strstr(type, "jsonlines"))
        return CORPUS_JSONL;
    return CORPUS_CSV;
}

static void run_free(struct eval_run *run)
{
    quell_scanner_free(run->scanner);
    quell_eval_free(run->eval);
    for (size_t i = 0; i < run->label_count; i++)
        free(run->labels[i]);
    free(run->labels);
    cJSON_Delete(run->wrong);
    cJSON_Delete(run->errors);
}

enum MHD_Result route_eval(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *positive = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "positive");
    const char *negative = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "negative");
    if (positive && negative)
        return http_error(srv, c, rq, MHD_HTTP_BAD_REQUEST,
                          "give positive= or negative=, not both");
    int format = sample_format(c);
    if (format < 0)
        return http_error(srv, c, rq, MHD_HTTP_BAD_REQUEST, "format: expected csv, tsv or jsonl");
    struct corpus_options opt = {
        .format = (enum corpus_format)format,
        .text_col = "text",
        .label_col = "label",
        .id_col = "id",
        .delimiter = -1,
    };
    const char *col;
    if ((col = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "text_column")))
        opt.text_col = col;
    if ((col = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "label_column")))
        opt.label_col = col;
    if ((col = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id_column")))
        opt.id_col = col;

    struct eval_run run = {0};
    run.is_negative = negative != NULL;
    run.max_rows = srv->opt->max_batch;
    quell_error err = {0};
    quell_rules *rules = quell_engine_rules(srv->engine);
    enum MHD_Result result;
    run.wrong = cJSON_CreateArray();
    run.errors = cJSON_CreateArray();
    if (!run.wrong || !run.errors ||
        cli_split_list(negative   ? negative
                       : positive ? positive
                                  : default_positive,
                       &run.labels, &run.label_count) != 0 ||
        quell_scanner_new(&run.scanner, rules, &err) != QUELL_OK ||
        quell_eval_new(&run.eval, rules, NULL, &err) != QUELL_OK) {
        result = http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot evaluate: %s",
                            err.message[0] ? err.message : "out of memory");
        goto done;
    }
    char why[512] = "";
    int rc = corpus_read_buffer(rq->body ? rq->body : "", rq->body_len, &opt, on_row, &run, why,
                                sizeof why);
    rq->comments = (size_t)quell_eval_comment_count(run.eval) + (size_t)run.malformed;
    if (run.is_too_many)
        result = http_error(srv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "%s", run.why);
    else if (run.failed)
        result = http_error(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", run.why);
    else if (rc != 0)
        result = http_error(srv, c, rq, MHD_HTTP_BAD_REQUEST, "%s", why);
    else
        result = http_respond_tree(srv, c, rq, MHD_HTTP_OK, result_tree(&run, rules));
done:
    run_free(&run);
    quell_rules_release(rules);
    return result;
}
