/*
 * cmd_eval.c - `quell eval`: run rules over labelled corpora on every core
 * and measure them against the labels. The library's quell_eval does the
 * measuring (the confusion matrix and its ratios, each rule's and category's
 * share, the sweep of the flag threshold, thresholds for a false-positive
 * budget); the command reads the corpora, decides which labels are
 * positive, keeps a sample of the comments the rules got wrong and hands
 * the report to eval_text.c, eval_json.c and eval_html.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "context_opt.h"
#include "eval.h"
#include "util/grow.h"

/* Malformed rows reported one by one per corpus; the rest are only counted. */
#define MAX_ROW_MESSAGES 10
#define DEFAULT_SAMPLES  10
#define MAX_SAMPLES      10000

/* The run's settings, shared read-only by the workers. */
struct eval {
    const quell_rules *rules;
    char **labels; /* --positive or --negative */
    size_t label_count;
    int is_negative;
    /* --category LABEL=CATEGORY, for quell_eval_options */
    char **map_labels;
    const char **map_categories; /* owned by the rules */
    size_t map_count;
    size_t map_labels_cap, map_categories_cap;
    size_t sample_limit;
    /* --context: each corpus is decided in a context of its own, in row
     * order (one job). */
    const struct cli_context *context;
};

/* A candidate for the sample of wrong comments: the ones with the smallest
 * text hash win, so the choice is the same for any number of threads. */
struct pick {
    uint64_t hash;
    unsigned long long row_no;
    char *text;
    size_t text_len;
    char *label;
};

struct picks {
    struct pick *items; /* [sample_limit] */
    size_t count;
};

struct row_message {
    unsigned long long row_no;
    char *text;
};

/* One thread's tally of the corpus being read: the figures in a quell_eval
 * of its own (merged on the calling thread), the rows and samples here. */
struct worker {
    const struct eval *ev;
    quell_scanner *scanner;
    quell_context *ctx; /* with --context: the corpus's */
    quell_eval *tally;
    unsigned long long rows;      /* rows read */
    unsigned long long malformed; /* of those, left out */
    struct picks wrong[2];        /* [is_positive]: false positives, false negatives */
    struct row_message messages[MAX_ROW_MESSAGES];
    size_t message_count;
};

double eval_ratio(unsigned long long num, unsigned long long den)
{
    return den ? (double)num / (double)den : QUELL_EVAL_UNDEFINED;
}

struct eval_figures eval_figures_of(const struct eval_counts *c)
{
    quell_eval_counts k = {c->tp, c->fp, c->fn, c->tn};
    struct eval_figures g;
    g.precision = quell_eval_precision(&k);
    g.recall = quell_eval_recall(&k);
    g.f1 = quell_eval_f1(&k);
    g.fpr = quell_eval_fpr(&k);
    return g;
}

static void print_help(void)
{
    printf("Usage: quell eval [OPTIONS] (--positive=LABELS | --negative=LABELS) RULES CORPUS...\n"
           "\n"
           "Run RULES (a .cfg or .qdb file) over labelled comments and report how\n"
           "well they agree with the labels. A comment counts as flagged when its\n"
           "action is flag, hold or reject. CORPUS '-' reads stdin.\n"
           "\n"
           "CORPUS is CSV with a header row (quoted fields may span lines; a UTF-8\n"
           "BOM and CRLF line ends are accepted), TSV when its name ends in .tsv,\n"
           "or JSON Lines when it ends in .jsonl (the text member must be a string,\n"
           "the label a string or a number); --format overrides the guess. Malformed\n"
           "rows (missing columns, empty text or label, invalid UTF-8, bad JSON) are\n"
           "counted, the first ones named on stderr, and left out of the figures.\n"
           "\n"
           "The report gives, per corpus and in total when there are several: rows,\n"
           "malformed rows, the confusion matrix, precision, recall, F1 and false-\n"
           "positive rate; comments by action and label; for each rule and category\n"
           "that fired, its hits, true and false positives and precision; a sweep of\n"
           "the flag threshold (precision and recall if the threshold were each\n"
           "score seen); and a sample of the comments the rules got wrong, with the\n"
           "hits marked. A ratio with a zero denominator is '-' (null in JSON).\n"
           "\n"
           "Options:\n"
           "  -p, --positive=LABELS     comma-separated labels that mean \"should be\n"
           "                            flagged\"; any other label means \"should pass\"\n"
           "  -n, --negative=LABELS     the other way round: these labels should pass,\n"
           "                            any other should be flagged\n"
           "  -c, --category=LABEL=CAT  comments labelled LABEL should be flagged for\n"
           "                            category CAT: adds each category's own matrix\n"
           "                            (repeatable; LABEL must also be positive)\n"
           "      --fp-budget=BUDGET    propose the lowest thresholds whose false-positive\n"
           "                            rate over all corpora stays within a budget:\n"
           "                            RATE for flag, or ACTION=RATE,... for several;\n"
           "                            RATE is 0.004, 0.4%% or 1/250\n"
           "      --samples=N           wrong comments shown per kind and corpus (default\n"
           "                            %d; 0 for none)\n"
           "      --text-column=NAME    column or member holding the comment (default text)\n"
           "      --label-column=NAME   column or member holding the label (default label)\n"
           "      --format=FORMAT       csv, tsv or jsonl (default: from the name; csv)\n"
           "  -d, --delimiter=CHAR      CSV field separator: one character, or 'tab'\n"
           "  -j, --jobs=N              scan on N threads, at most 64 (default: one per\n"
           "                            online CPU)\n"
           "      --json                print the report as one JSON object\n"
           "      --html=FILE           also write the report as a web page to FILE\n"
           "      --context             decide each corpus's comments in their context,\n"
           "                            row after row on one thread (see quell filter\n"
           "                            --context), and report each context rule's\n"
           "                            precision and recall\n"
           "      --author-column=NAME  with --context: column or member holding the\n"
           "                            author (default author)\n"
           "      --time-field=NAME     with --context: column or member holding the\n"
           "                            time, seconds since 1970 (in JSON Lines also an\n"
           "                            RFC 3339 date; default time); without one, row N\n"
           "                            is at second N\n"
           "      --context-window=N    comments the campaign window holds (default 20000)\n"
           "      --context-seconds=S   and how far back it reaches (default 3600)\n"
           "      --context-authors=N   authors remembered (default 50000)\n"
           "  -h, --help                display this help and exit\n"
           "\n",
           DEFAULT_SAMPLES);
    cli_print_exit_help("some rows were malformed (named on standard error)");
}

static int is_positive(const struct eval *ev, const char *label, size_t len)
{
    return cli_is_listed(ev->labels, ev->label_count, label, len) != ev->is_negative;
}

static int is_mapped(const struct eval *ev, const char *label, size_t len)
{
    return cli_is_listed(ev->map_labels, ev->map_count, label, len);
}

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

/* Does a come before b in the sample's choice? */
static int pick_before(uint64_t hash_a, unsigned long long row_a, uint64_t hash_b,
                       unsigned long long row_b)
{
    return hash_a != hash_b ? hash_a < hash_b : row_a < row_b;
}

static void pick_free(struct pick *p)
{
    free(p->text);
    free(p->label);
}

/* Offer a wrong comment to a sample of at most limit: it replaces the
 * latest-chosen one when it comes before it. Returns -1 out of memory. */
static int picks_offer(struct picks *ps, size_t limit, uint64_t hash, unsigned long long row_no,
                       const char *text, size_t text_len, const char *label, size_t label_len)
{
    if (limit == 0)
        return 0;
    size_t slot = ps->count;
    if (ps->count == limit) {
        slot = 0;
        for (size_t i = 1; i < ps->count; i++) {
            if (pick_before(ps->items[slot].hash, ps->items[slot].row_no, ps->items[i].hash,
                            ps->items[i].row_no))
                slot = i;
        }
        if (!pick_before(hash, row_no, ps->items[slot].hash, ps->items[slot].row_no))
            return 0;
    }
    struct pick p = {hash, row_no, strndup(text, text_len), text_len, strndup(label, label_len)};
    if (!p.text || !p.label) {
        pick_free(&p);
        return -1;
    }
    if (slot < ps->count)
        pick_free(&ps->items[slot]);
    else
        ps->count++;
    ps->items[slot] = p;
    return 0;
}

/* Make t's arrays for rule_count rules and category_count categories. */
static int tally_init(struct eval_corpus *t, size_t rule_count, size_t category_count)
{
    memset(t, 0, sizeof *t);
    t->rules = calloc(rule_count + 1, sizeof *t->rules);
    t->categories = calloc(category_count + 1, sizeof *t->categories);
    return t->rules && t->categories ? 0 : -1;
}

static void tally_free(struct eval_corpus *t)
{
    free(t->name);
    free(t->rules);
    free(t->categories);
    free(t->sweep);
    for (size_t i = 0; i < t->sample_count; i++) {
        free(t->samples[i].text);
        free(t->samples[i].label);
        free(t->samples[i].spans);
    }
    free(t->samples);
}

static struct eval_counts counts_of(const quell_eval_counts *k)
{
    return (struct eval_counts){k->tp, k->fp, k->fn, k->tn};
}

/* Copy the library's figures of e into the report's t (all but the rows
 * and the samples, which are the command's). */
static int report_figures(struct eval_corpus *t, const quell_eval *e, const struct eval_report *r)
{
    quell_eval_counts k;
    quell_eval_counts_get(e, QUELL_FLAG, &k);
    t->counts = counts_of(&k);
    for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
        for (int is_pos = 0; is_pos < 2; is_pos++)
            t->actions[a][is_pos] = quell_eval_action_count(e, (quell_action)a, is_pos);
    }
    for (size_t i = 0; i < r->rule_count; i++) {
        quell_eval_rule_counts(e, i, &k);
        t->rules[i] = (struct eval_rule){k.tp + k.fp, k.tp};
    }
    for (size_t i = 0; i < r->category_count; i++) {
        struct eval_category *cat = &t->categories[i];
        quell_eval_category_counts(e, i, &k);
        cat->hits = k.tp + k.fp;
        cat->tp = k.tp;
        if (r->has_category_map) {
            quell_eval_category_own_counts(e, i, QUELL_FLAG, &k);
            cat->counts = counts_of(&k);
            quell_eval_category_own_counts(e, i, QUELL_REJECT, &k);
            cat->rejected = k.tp + k.fp;
            cat->rejected_tp = k.tp;
        }
    }
    quell_eval_sweep *sweep;
    if (quell_eval_sweep_new(&sweep, e, NULL) != QUELL_OK)
        return -1;
    size_t n = quell_eval_sweep_count(sweep);
    t->sweep = calloc(n ? n : 1, sizeof *t->sweep);
    if (!t->sweep) {
        quell_eval_sweep_free(sweep);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        quell_eval_sweep_counts(sweep, i, &k);
        t->sweep[i] = (struct eval_point){quell_eval_sweep_threshold(sweep, i), k.tp, k.fp};
    }
    t->sweep_count = n;
    quell_eval_sweep_free(sweep);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Scanning, on the workers                                                */

static int row_malformed(struct worker *w, const struct corpus_row *row, const char *reason)
{
    w->malformed++;
    if (w->message_count < MAX_ROW_MESSAGES) {
        struct row_message *m = &w->messages[w->message_count];
        m->row_no = row->row_no;
        m->text = strdup(reason);
        if (!m->text)
            return CLI_EIO;
        w->message_count++;
    }
    return CLI_OK;
}

static int eval_row(void *arg, const struct corpus_row *row)
{
    struct worker *w = arg;
    const struct eval *ev = w->ev;
    w->rows++;
    if (row->error)
        return row_malformed(w, row, row->error);
    if (row->text_len == 0)
        return row_malformed(w, row, "empty text");
    if (row->label_len == 0)
        return row_malformed(w, row, "empty label");

    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = row->text;
    c.text_len[QUELL_FIELD_BODY] = row->text_len;
    c.text[QUELL_FIELD_AUTHOR] = row->author;
    c.text_len[QUELL_FIELD_AUTHOR] = row->author_len;
    const quell_verdict *v;
    quell_error err;
    err.message[0] = '\0';
    int rc;
    if (w->ctx) {
        quell_context_meta meta = QUELL_CONTEXT_META_INIT;
        meta.id_json = row->id;
        meta.id_len = row->id_len;
        /* Without a time, the row's number as seconds: rows in order, one
         * a second, so that a run is the same whenever it is made. */
        meta.time_ms = row->has_time ? row->time_ms : (int64_t)row->row_no * 1000;
        rc = quell_scan_context(w->scanner, w->ctx, &c, &meta, &v, &err);
    } else {
        rc = quell_scan(w->scanner, &c, &v, &err);
    }
    if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG)
        return row_malformed(w, row, err.message[0] ? err.message : quell_strerror(rc));
    if (rc == QUELL_OK) {
        int is_pos = is_positive(ev, row->label, row->label_len);
        rc = quell_eval_add(w->tally, v, is_pos, row->label, row->label_len, &err);
        if (rc == QUELL_OK && (v->action >= QUELL_FLAG) != is_pos &&
            picks_offer(&w->wrong[is_pos], ev->sample_limit, hash_bytes(row->text, row->text_len),
                        row->row_no, row->text, row->text_len, row->label, row->label_len) != 0)
            return CLI_EIO;
    }
    if (rc != QUELL_OK) {
        cli_error("row %llu: %s", row->row_no, err.message[0] ? err.message : quell_strerror(rc));
        return CLI_EIO;
    }
    return CLI_OK;
}

/* ---------------------------------------------------------------------- */
/* Gathering, on the calling thread                                        */

static int compare_pick_row(const void *a, const void *b)
{
    unsigned long long x = ((const struct pick *)a)->row_no, y = ((const struct pick *)b)->row_no;
    return (x > y) - (x < y);
}

static int compare_span(const void *a, const void *b)
{
    const struct eval_span *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end < y->end) - (x->end > y->end);
}

int eval_spans_of(const quell_verdict *v, struct eval_span **out, size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    if (v->hit_count == 0)
        return 0;
    struct eval_span *spans = calloc(v->hit_count, sizeof *spans);
    if (!spans)
        return -1;
    size_t count = 0;
    for (size_t i = 0; i < v->hit_count; i++) {
        if (v->hits[i].field == QUELL_FIELD_BODY)
            spans[count++] =
                (struct eval_span){v->hits[i].start, v->hits[i].end, v->hits[i].rule_id};
    }
    qsort(spans, count, sizeof *spans, compare_span);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (n > 0 && spans[i].start < spans[n - 1].end) {
            if (spans[i].end > spans[n - 1].end)
                spans[n - 1].end = spans[i].end;
        } else {
            spans[n++] = spans[i];
        }
    }
    *out = spans;
    *out_count = n;
    return 0;
}

/* Rescan a sampled comment for its action, score and spans. */
static int sample_spans(quell_scanner *scanner, struct eval_sample *s)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = s->text;
    c.text_len[QUELL_FIELD_BODY] = s->text_len;
    const quell_verdict *v;
    quell_error err;
    if (quell_scan(scanner, &c, &v, &err) != QUELL_OK)
        return 0; /* it scanned once: it will again; if not, it is shown unmarked */
    s->action = v->action;
    s->score = v->score;
    return eval_spans_of(v, &s->spans, &s->span_count);
}

/* Gather the workers' tallies of one corpus into e (the figures) and t (the
 * rows and samples), and reset them. */
static int gather(struct worker *const *workers, size_t worker_count, const struct eval *ev,
                  quell_eval *e, struct eval_corpus *t, const char *path)
{
    for (size_t k = 0; k < worker_count; k++) {
        quell_error err;
        if (quell_eval_merge(e, workers[k]->tally, &err) != QUELL_OK)
            return -1; /* out of memory: the tallies are alike */
        t->rows += workers[k]->rows;
        t->malformed += workers[k]->malformed;
    }

    /* Malformed rows: the first few by row number. */
    const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
    for (size_t shown = 0; shown < MAX_ROW_MESSAGES; shown++) {
        struct row_message *first = NULL;
        for (size_t k = 0; k < worker_count; k++) {
            for (size_t i = 0; i < workers[k]->message_count; i++) {
                struct row_message *m = &workers[k]->messages[i];
                if (m->text && (!first || m->row_no < first->row_no))
                    first = m;
            }
        }
        if (!first)
            break;
        cli_error("%s: row %llu: %s", name, first->row_no, first->text);
        free(first->text);
        first->text = NULL;
    }
    if (t->malformed > MAX_ROW_MESSAGES)
        cli_error("%s: %llu more malformed rows not shown", name, t->malformed - MAX_ROW_MESSAGES);

    /* The samples: the first sample_limit of each kind by hash, then shown
     * in row order. */
    t->samples = calloc(2 * ev->sample_limit + 1, sizeof *t->samples);
    if (!t->samples)
        return -1;
    for (int kind = 0; kind < 2; kind++) {
        struct picks chosen = {calloc(ev->sample_limit + 1, sizeof(struct pick)), 0};
        if (!chosen.items)
            return -1;
        for (size_t k = 0; k < worker_count; k++) {
            struct picks *ps = &workers[k]->wrong[kind];
            for (size_t i = 0; i < ps->count; i++) {
                struct pick *p = &ps->items[i];
                if (picks_offer(&chosen, ev->sample_limit, p->hash, p->row_no, p->text, p->text_len,
                                p->label, strlen(p->label)) != 0) {
                    free(chosen.items);
                    return -1;
                }
            }
        }
        qsort(chosen.items, chosen.count, sizeof *chosen.items, compare_pick_row);
        for (size_t i = 0; i < chosen.count; i++) {
            struct eval_sample *s = &t->samples[t->sample_count++];
            s->row_no = chosen.items[i].row_no;
            s->text = chosen.items[i].text; /* ownership moves to the sample */
            s->text_len = chosen.items[i].text_len;
            s->label = chosen.items[i].label;
            s->is_positive = kind;
            if (sample_spans(workers[0]->scanner, s) != 0) {
                for (size_t j = i + 1; j < chosen.count; j++)
                    pick_free(&chosen.items[j]);
                free(chosen.items);
                return -1;
            }
        }
        free(chosen.items);
    }

    /* Reset the workers for the next corpus. */
    for (size_t k = 0; k < worker_count; k++) {
        struct worker *w = workers[k];
        quell_eval_reset(w->tally);
        w->rows = 0;
        w->malformed = 0;
        for (int kind = 0; kind < 2; kind++) {
            for (size_t i = 0; i < w->wrong[kind].count; i++)
                pick_free(&w->wrong[kind].items[i]);
            w->wrong[kind].count = 0;
        }
        for (size_t i = 0; i < w->message_count; i++)
            free(w->messages[i].text);
        w->message_count = 0;
    }
    return 0;
}

static void worker_free(struct worker *w)
{
    if (!w)
        return;
    quell_scanner_free(w->scanner);
    quell_context_free(w->ctx);
    quell_eval_free(w->tally);
    for (int kind = 0; kind < 2; kind++) {
        struct pick *items = w->wrong[kind].items;
        for (size_t i = 0; items && i < w->wrong[kind].count; i++)
            pick_free(&items[i]);
        free(items);
    }
    for (size_t i = 0; i < w->message_count; i++)
        free(w->messages[i].text);
    free(w);
}

/* The evaluation options of the run: its category map. */
static quell_eval_options eval_options(const struct eval *ev)
{
    quell_eval_options o = QUELL_EVAL_OPTIONS_INIT;
    o.map_labels = (const char *const *)ev->map_labels;
    o.map_categories = ev->map_categories;
    o.map_count = ev->map_count;
    return o;
}

static struct worker *worker_new(const struct eval *ev)
{
    struct worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ev = ev;
    quell_error err;
    quell_eval_options opt = eval_options(ev);
    if (quell_scanner_new(&w->scanner, ev->rules, &err) != QUELL_OK ||
        quell_eval_new(&w->tally, ev->rules, &opt, &err) != QUELL_OK)
        goto fail;
    for (int kind = 0; kind < 2; kind++) {
        w->wrong[kind].items = calloc(ev->sample_limit + 1, sizeof(struct pick));
        if (!w->wrong[kind].items)
            goto fail;
    }
    return w;

fail:
    worker_free(w);
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                 */

/* Parse a rate: "0.004", "0.4%" or "1/250", within [0, 1]. */
static int parse_rate(const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || errno != 0)
        return -1;
    if (*end == '%') {
        x /= 100;
        end++;
    } else if (*end == '/') {
        const char *d = end + 1;
        double den = strtod(d, &end);
        if (end == d || !(den > 0))
            return -1;
        x /= den;
    }
    if (*end != '\0' || !(x >= 0 && x <= 1))
        return -1;
    *out = x;
    return 0;
}

/* Parse --fp-budget: RATE (for flag) or ACTION=RATE,... */
static int parse_budget(const char *s, struct eval_report *r)
{
    char **items;
    size_t count;
    if (cli_split_list(s, &items, &count) != 0)
        return -2;
    int rc = count > 0 ? 0 : -1;
    for (size_t i = 0; i < count && rc == 0; i++) {
        quell_action action = QUELL_FLAG;
        const char *rate = items[i];
        char *eq = strchr(items[i], '=');
        if (eq) {
            *eq = '\0';
            rate = eq + 1;
            action = QUELL_PASS;
            for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++) {
                if (strcmp(items[i], quell_action_name((quell_action)a)) == 0)
                    action = (quell_action)a;
            }
        }
        double budget;
        if (action == QUELL_PASS || parse_rate(rate, &budget) != 0) {
            rc = -1;
            break;
        }
        size_t k = 0;
        while (k < r->proposal_count && r->proposals[k].action != action)
            k++;
        if (k == r->proposal_count)
            r->proposal_count++;
        r->proposals[k] = (struct eval_proposal){.action = action, .budget = budget};
    }
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
    return rc;
}

/* Find each proposal's lowest threshold within its budget on e's sweep.
 * Returns -1 out of memory. */
static int propose(struct eval_report *r, const quell_eval *e)
{
    quell_eval_sweep *sweep;
    if (quell_eval_sweep_new(&sweep, e, NULL) != QUELL_OK)
        return -1;
    for (size_t k = 0; k < r->proposal_count; k++) {
        struct eval_proposal *p = &r->proposals[k];
        size_t at = QUELL_EVAL_NONE;
        quell_eval_sweep_propose(sweep, p->budget, &at); /* the budget was checked */
        p->is_found = at != QUELL_EVAL_NONE;
        if (p->is_found) {
            quell_eval_counts counts;
            quell_eval_sweep_counts(sweep, at, &counts);
            p->threshold = quell_eval_sweep_threshold(sweep, at);
            p->counts = counts_of(&counts);
        }
    }
    quell_eval_sweep_free(sweep);
    return 0;
}

/* Parse --category LABEL=CATEGORY. */
static int add_category(struct eval *ev, const quell_rules *rules, const char *s)
{
    const char *eq = strrchr(s, '=');
    if (!eq || eq == s || eq[1] == '\0')
        return cli_usage_error("eval", "invalid --category '%s' (expected LABEL=CATEGORY)", s);
    const char *category = NULL;
    for (size_t i = 0; i < quell_rules_category_count(rules); i++) {
        if (strcmp(quell_rules_category_name(rules, i), eq + 1) == 0)
            category = quell_rules_category_name(rules, i);
    }
    if (!category)
        return cli_usage_error("eval", "--category '%s': the rules have no category '%s'", s,
                               eq + 1);
    size_t label_len = (size_t)(eq - s);
    if (!is_positive(ev, s, label_len))
        return cli_usage_error("eval", "--category '%s': label '%.*s' is not a positive label", s,
                               (int)label_len, s);
    if (is_mapped(ev, s, label_len))
        return cli_usage_error("eval", "--category '%s': label '%.*s' is mapped twice", s,
                               (int)label_len, s);
    size_t n = ev->map_count + 1;
    char **labels =
        grow_array(ev->map_labels, &ev->map_labels_cap, n, sizeof *labels, 8, GROW_UNCAPPED);
    if (!labels)
        goto fail_nomem;
    ev->map_labels = labels;
    const char **categories = grow_array(ev->map_categories, &ev->map_categories_cap, n,
                                         sizeof *categories, 8, GROW_UNCAPPED);
    if (!categories)
        goto fail_nomem;
    ev->map_categories = categories;
    labels[ev->map_count] = strndup(s, label_len);
    if (!labels[ev->map_count])
        goto fail_nomem;
    categories[ev->map_count++] = category;
    return CLI_OK;

fail_nomem:
    cli_error("out of memory");
    return CLI_EIO;
}

static int write_html(const struct eval_report *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    eval_write_html(f, r);
    int is_bad = ferror(f);
    if (fclose(f) != 0 || is_bad) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    return CLI_OK;
}

int cmd_eval(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_HTML, OPT_BUDGET, OPT_SAMPLES, OPT_AUTHOR };
    static const struct option options[] = {
        {"positive", required_argument, NULL, 'p'},
        {"negative", required_argument, NULL, 'n'},
        {"category", required_argument, NULL, 'c'},
        {"fp-budget", required_argument, NULL, OPT_BUDGET},
        {"samples", required_argument, NULL, OPT_SAMPLES},
        CORPUS_OPTION_TEXT_COLUMN,
        CORPUS_OPTION_LABEL_COLUMN,
        CORPUS_OPTION_FORMAT,
        CORPUS_OPTION_DELIMITER,
        {"jobs", required_argument, NULL, 'j'},
        {"json", no_argument, NULL, OPT_JSON},
        {"html", required_argument, NULL, OPT_HTML},
        {"context", no_argument, NULL, CLI_OPT_CONTEXT},
        {"time-field", required_argument, NULL, CLI_OPT_TIME_FIELD},
        {"context-window", required_argument, NULL, CLI_OPT_CONTEXT_WINDOW},
        {"context-seconds", required_argument, NULL, CLI_OPT_CONTEXT_SECONDS},
        {"context-authors", required_argument, NULL, CLI_OPT_CONTEXT_AUTHORS},
        {"author-column", required_argument, NULL, OPT_AUTHOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eval ev = {.sample_limit = DEFAULT_SAMPLES};
    struct eval_report report = {0};
    struct corpus_options copt = {
        .format = CORPUS_GUESS, .text_col = "text", .label_col = "label", .delimiter = -1};
    const char *labels = NULL, *html_path = NULL;
    const char **categories = NULL;
    size_t category_arg_count = 0;
    size_t job_count = cli_default_jobs();
    int is_json = 0;
    const char *author_col = "author";
    struct cli_context context;
    int ch;

    cli_context_init(&context);
    categories = calloc((size_t)argc + 1, sizeof *categories);
    if (!categories) {
        cli_error("out of memory");
        return CLI_EIO;
    }
    int rc = CLI_EUSAGE;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":p:n:c:d:j:h", options, NULL)) != -1) {
        if (corpus_is_option(ch)) {
            if (corpus_parse_option("eval", ch, optarg, &copt, 1) != CLI_OK)
                goto out_free_args; /* rc is CLI_EUSAGE */
            continue;
        }
        switch (ch) {
        case 'p':
        case 'n':
            if (labels) {
                rc = cli_usage_error("eval", "give one --positive or --negative list");
                goto out_free_args;
            }
            labels = optarg;
            ev.is_negative = ch == 'n';
            break;
        case 'c':
            categories[category_arg_count++] = optarg;
            break;
        case OPT_BUDGET: {
            int b = parse_budget(optarg, &report);
            if (b != 0) {
                rc = b == -2 ? (cli_error("out of memory"), CLI_EIO)
                             : cli_usage_error("eval", "invalid --fp-budget '%s'", optarg);
                goto out_free_args;
            }
            break;
        }
        case OPT_SAMPLES: {
            const char *arg = optarg ? optarg : "";
            char *end = NULL;
            unsigned long n = 0;
            errno = 0;
            if (arg[0] >= '0' && arg[0] <= '9')
                n = strtoul(arg, &end, 10);
            if (!end || *end != '\0' || errno != 0 || n > MAX_SAMPLES) {
                rc = cli_usage_error("eval", "invalid --samples '%s' (0 to %d)", optarg,
                                     MAX_SAMPLES);
                goto out_free_args;
            }
            ev.sample_limit = n;
            break;
        }
        case 'j':
            if (cli_parse_jobs(optarg, &job_count) != 0) {
                rc = cli_usage_error("eval", "invalid --jobs '%s' (expected 1 to %d)", optarg,
                                     CLI_MAX_JOBS);
                goto out_free_args;
            }
            break;
        case OPT_JSON:
            is_json = 1;
            break;
        case OPT_HTML:
            html_path = optarg;
            break;
        case OPT_AUTHOR:
            author_col = optarg;
            break;
        case CLI_OPT_CONTEXT:
        case CLI_OPT_TIME_FIELD:
        case CLI_OPT_CONTEXT_WINDOW:
        case CLI_OPT_CONTEXT_SECONDS:
        case CLI_OPT_CONTEXT_AUTHORS:
            if (cli_context_option(&context, "eval", ch, optarg) != 0)
                goto out_free_args; /* rc is CLI_EUSAGE */
            break;
        case 'h':
            print_help();
            rc = cli_finish_stdout(CLI_OK);
            goto out_free_args;
        default:
            rc = cli_bad_option("eval", ch, argv);
            goto out_free_args;
        }
    }
    if (!labels) {
        rc = cli_usage_error("eval", "missing --positive or --negative LABELS");
        goto out_free_args;
    }
    if (argc - optind < 2) {
        rc = cli_usage_error("eval",
                             argc - optind < 1 ? "missing RULES and CORPUS" : "missing CORPUS");
        goto out_free_args;
    }
    if (copt.text_col[0] == '\0' || copt.label_col[0] == '\0') {
        rc = cli_usage_error("eval", "empty column name");
        goto out_free_args;
    }
    if (context.is_on) {
        /* A comment's context is every row before it: one job, in order. */
        job_count = 1;
        copt.author_col = author_col;
        copt.time_col = context.time_field;
        ev.context = &context;
    }
    const char *rules_path = argv[optind];
    char **corpora = argv + optind + 1;
    size_t corpus_count = (size_t)(argc - optind - 1);
    size_t stdin_count = 0;
    for (size_t i = 0; i < corpus_count; i++) {
        stdin_count += strcmp(corpora[i], "-") == 0;
        if (stdin_count > 1) {
            rc = cli_usage_error("eval", "stdin can be read only once");
            goto out_free_args;
        }
        if (corpus_format_of(corpora[i], copt.format) == CORPUS_TEXT) {
            rc = cli_usage_error("eval", "%s: plain text has no labels (use --format)", corpora[i]);
            goto out_free_args;
        }
    }

    if (cli_split_list(labels, &ev.labels, &ev.label_count) != 0) {
        cli_error("out of memory");
        rc = CLI_EIO;
        goto out_free_args;
    }
    if (ev.label_count == 0) {
        rc = cli_usage_error("eval", "--%s names no label",
                             ev.is_negative ? "negative" : "positive");
        goto out_free_labels;
    }

    quell_rules *rules = NULL;
    rc = cli_load_rules(&rules, rules_path);
    if (rc != CLI_OK)
        goto out_free_labels;
    ev.rules = rules;
    for (size_t i = 0; i < category_arg_count; i++) {
        rc = add_category(&ev, rules, categories[i]);
        if (rc != CLI_OK)
            goto out_free_rules;
    }

    size_t rule_count = quell_rules_rule_count(rules);
    size_t category_count = quell_rules_category_count(rules);
    report.rules_path = rules_path;
    report.rules = rules;
    report.rule_count = rule_count;
    report.category_count = category_count;
    report.labels = ev.labels;
    report.label_count = ev.label_count;
    report.is_negative = ev.is_negative;
    report.has_category_map = ev.map_count > 0;
    report.sample_limit = ev.sample_limit;
    report.has_context = context.is_on;
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(report.date, sizeof report.date, "%Y-%m-%d %H:%M UTC", &tm);

    rc = CLI_EIO;
    struct worker **workers = calloc(job_count, sizeof(struct worker *));
    /* The figures of the corpus being gathered, and of all of them. */
    quell_eval *corpus_eval = NULL, *total_eval = NULL;
    quell_eval_options eopt = eval_options(&ev);
    quell_error err;
    report.corpora = calloc(corpus_count + 1, sizeof *report.corpora);
    if (!workers || !report.corpora) {
        cli_error("out of memory");
        goto out_free_run;
    }
    if (quell_eval_new(&corpus_eval, rules, &eopt, &err) != QUELL_OK ||
        quell_eval_new(&total_eval, rules, &eopt, &err) != QUELL_OK) {
        cli_error("%s", err.message);
        goto out_free_run;
    }
    for (size_t k = 0; k < job_count; k++) {
        workers[k] = worker_new(&ev);
        if (!workers[k]) {
            cli_error("out of memory");
            goto out_free_run;
        }
    }
    for (size_t i = 0; i <= corpus_count; i++) {
        if (tally_init(&report.corpora[i], rule_count, category_count) != 0 ||
            !(report.corpora[i].name = strdup(i < corpus_count ? corpora[i] : "total"))) {
            cli_error("out of memory");
            goto out_free_run;
        }
    }
    report.corpus_count = corpus_count;
    struct eval_corpus *total = &report.corpora[corpus_count];

    struct batch_options bopt = {(void *const *)workers, job_count, eval_row, NULL, "eval"};
    for (size_t i = 0; i < corpus_count; i++) {
        if (context.is_on) {
            quell_context_free(workers[0]->ctx);
            workers[0]->ctx = NULL;
            if (cli_context_open(&context, &workers[0]->ctx) != CLI_OK)
                goto out_free_run;
        }
        rc = batch_run(corpora[i], &copt, &bopt);
        if (rc != CLI_OK)
            goto out_free_run;
        quell_eval_reset(corpus_eval);
        struct eval_corpus *c = &report.corpora[i];
        if (gather(workers, job_count, &ev, corpus_eval, c, corpora[i]) != 0 ||
            report_figures(c, corpus_eval, &report) != 0 ||
            quell_eval_merge(total_eval, corpus_eval, &err) != QUELL_OK) {
            cli_error("out of memory");
            rc = CLI_EIO;
            goto out_free_run;
        }
        total->rows += c->rows;
        total->malformed += c->malformed;
    }
    /* With one corpus the total is that corpus, and not shown twice. */
    if (corpus_count > 1) {
        report.total = total;
        if (report_figures(total, total_eval, &report) != 0) {
            cli_error("out of memory");
            rc = CLI_EIO;
            goto out_free_run;
        }
    }
    if (propose(&report, total_eval) != 0) {
        cli_error("out of memory");
        rc = CLI_EIO;
        goto out_free_run;
    }

    if (is_json)
        eval_write_json(stdout, &report);
    else
        eval_write_text(stdout, &report, isatty(STDOUT_FILENO));
    rc = html_path ? write_html(&report, html_path) : CLI_OK;
    if (rc == CLI_OK)
        rc = total->malformed > 0 ? CLI_EDATA : CLI_OK;
    rc = cli_finish_stdout(rc);

out_free_run:
    if (report.corpora) {
        for (size_t i = 0; i <= corpus_count; i++)
            tally_free(&report.corpora[i]);
    }
    free(report.corpora);
    quell_eval_free(corpus_eval);
    quell_eval_free(total_eval);
    if (workers) {
        for (size_t k = 0; k < job_count; k++)
            worker_free(workers[k]);
    }
    free(workers);
out_free_rules:
    for (size_t i = 0; i < ev.map_count; i++)
        free(ev.map_labels[i]);
    free(ev.map_labels);
    free(ev.map_categories);
    quell_rules_free(rules);
out_free_labels:
    for (size_t i = 0; i < ev.label_count; i++)
        free(ev.labels[i]);
    free(ev.labels);
out_free_args:
    free(categories);
    return rc;
}
