/*
 * cmd_fit.c - `quell fit`: scan labelled corpora once, fit rule weights and
 * thresholds to a false-positive budget with k-fold cross-validation
 * (fit.c), write them as a rules file to include, and report before and
 * after on the held-out folds.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "corpus.h"
#include "fit.h"

#define MAX_ROW_MESSAGES 10
#define MAX_FOLDS        20

/* One corpus and the label options in force where it was named. */
struct fit_corpus {
    const char *path;
    struct corpus_options copt;
    char **labels;
    size_t label_count;
    int is_negative;
    double max_flag_fpr; /* FIT_KEEP or a rate */
    double min_reject_precision;
    unsigned long long rows, malformed, positives;
};

/* Flag and reject counts of one corpus under one set of weights. */
struct fit_counts {
    unsigned long long tp, fp, tn, fn, reject_tp, reject_fp;
};

struct reader {
    struct fit_corpus *corpus;
    uint32_t corpus_index;
    quell_scanner *scanner;
    const quell_rules *rules;
    struct fit_data *data;
    struct fit_entry *entries; /* room for every rule */
    unsigned folds;
    unsigned long long mismatches; /* rows the model scores unlike the library */
    const struct fit_model *model;
    int64_t *scratch;
};

static void print_help(void)
{
    printf(
        "Usage: quell fit [OPTIONS] RULES [CORPUS-OPTIONS] CORPUS [[CORPUS-OPTIONS] CORPUS...]\n"
        "\n"
        "Fit the weights of RULES and the flag, hold and reject thresholds to\n"
        "labelled comments, under a false-positive budget on every corpus, and\n"
        "report before and after on held-out folds. Each comment is scanned once;\n"
        "the fit is an L2-regularised logistic regression on the score (pulled\n"
        "towards the rules' own weights), then the lowest thresholds within the\n"
        "budget. A weight never changes sign; rules of separate categories (spam,\n"
        "pii) and weight-0 signals are left alone; a weight the fit would push\n"
        "past its bounds is held there and named in the report.\n"
        "\n"
        "Corpora are read as by quell eval (CSV, TSV, JSON Lines). Corpus options\n"
        "apply to the corpora named after them, until given again:\n"
        "  -p, --positive=LABELS     labels that should be flagged\n"
        "  -n, --negative=LABELS     labels that should pass; any other is positive\n"
        "      --text-column=NAME    (default text)\n"
        "      --label-column=NAME   (default label)\n"
        "      --id-column=NAME      ids for the fold split (default id; the text's\n"
        "                            hash when the corpus has none)\n"
        "      --format=FORMAT       csv, tsv or jsonl (default: from the name)\n"
        "  -d, --delimiter=CHAR      CSV field separator\n"
        "      --max-flag-fpr=RATE   flag false-positive rate allowed on the corpus\n"
        "                            (0.02, 2%% or 1/50), or 'keep' (the default): no\n"
        "                            more false positives than RULES give it now\n"
        "      --min-reject-precision=RATE  precision of rejects on the corpus\n"
        "                            (default 0.95)\n"
        "\n"
        "Options:\n"
        "  -o, --output=FILE         write the fitted weights and thresholds to FILE,\n"
        "                            a rules file to include after the rules it changes\n"
        "      --folds=K             cross-validation folds, by a hash of the id\n"
        "                            (default 5, 2 to %d)\n"
        "      --l2=LAMBDA           pull towards the rules' own weights (default 0.001)\n"
        "      --max-factor=F        a weight stays within [w/F, w*F] (default 4)\n"
        "      --top=N               rules listed among those that moved most (default 20)\n"
        "      --json                print the report as one JSON object\n"
        "  -h, --help                display this help and exit\n"
        "\n",
        MAX_FOLDS);
    cli_print_exit_help("some rows were malformed (named on standard error)");
}

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int read_row(void *arg, const struct corpus_row *row, const struct corpus_progress *progress)
{
    struct reader *rd = arg;
    struct fit_corpus *fc = rd->corpus;
    (void)progress;
    fc->rows++;
    const char *why = row->error;
    if (!why && row->text_len == 0)
        why = "empty text";
    if (!why && row->label_len == 0)
        why = "empty label";
    quell_comment c = QUELL_COMMENT_INIT;
    const quell_verdict *v = NULL;
    quell_error err;
    err.message[0] = '\0';
    if (!why) {
        c.text[QUELL_FIELD_BODY] = row->text;
        c.text_len[QUELL_FIELD_BODY] = row->text_len;
        int rc = quell_scan(rd->scanner, &c, &v, &err);
        if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG) {
            why = err.message[0] ? err.message : quell_strerror(rc);
        } else if (rc != QUELL_OK) {
            cli_error("%s: row %llu: %s", fc->path, row->row_no,
                      err.message[0] ? err.message : quell_strerror(rc));
            return CLI_EIO;
        }
    }
    if (why) {
        if (fc->malformed++ < MAX_ROW_MESSAGES)
            fprintf(stderr, "quell: %s: row %llu: %s\n", fc->path, row->row_no, why);
        return CLI_OK;
    }
    int is_listed = cli_is_listed(fc->labels, fc->label_count, row->label, row->label_len);
    int is_positive = fc->is_negative ? !is_listed : is_listed;
    fc->positives += (unsigned long long)is_positive;
    for (size_t k = 0; k < v->rule_count; k++) {
        const quell_rule_result *res = &v->rules[k];
        size_t max_hits = quell_rules_rule_max_hits(rd->rules, res->index);
        rd->entries[k].rule = (uint32_t)res->index;
        rd->entries[k].counted = (uint32_t)(res->count < max_hits ? res->count : max_hits);
    }
    uint64_t h = row->id && row->id_len ? hash_bytes(row->id, row->id_len)
                                        : hash_bytes(row->text, row->text_len);
    if (fit_data_add(rd->data, rd->entries, v->rule_count, rd->corpus_index, is_positive,
                     (unsigned)(h % rd->folds)) != 0) {
        cli_error("out of memory");
        return CLI_EIO;
    }
    /* The model must score as the library does, or the fit means nothing. */
    int64_t mine = fit_score(rd->model, rd->data, rd->data->row_count - 1, rd->model->weight0,
                             rd->scratch);
    rd->mismatches += mine != (int64_t)llround(v->score * FIT_UNIT);
    return CLI_OK;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    errno = 0;
    double num = strtod(s, &end);
    if (end == s || errno != 0)
        return -1;
    if (*end == '%') {
        num /= 100;
        end++;
    } else if (*end == '/') {
        const char *d = end + 1;
        double den = strtod(d, &end);
        if (end == d || !(den > 0))
            return -1;
        num /= den;
    }
    if (*end != '\0' || !(num >= 0 && num <= 1))
        return -1;
    *out = num;
    return 0;
}

/* A flag budget: a rate, or "keep". */
static int parse_budget(const char *s, double *out)
{
    if (strcmp(s, "keep") == 0) {
        *out = FIT_KEEP;
        return 0;
    }
    return parse_rate(s, out);
}

static int parse_number(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

static double ratio(unsigned long long num, unsigned long long den)
{
    return den ? (double)num / (double)den : QUELL_EVAL_UNDEFINED;
}

static void count_row(struct fit_counts *c, int is_positive, quell_action a)
{
    if (a >= QUELL_FLAG) {
        c->tp += (unsigned long long)is_positive;
        c->fp += (unsigned long long)!is_positive;
    } else {
        c->fn += (unsigned long long)is_positive;
        c->tn += (unsigned long long)!is_positive;
    }
    if (a == QUELL_REJECT) {
        c->reject_tp += (unsigned long long)is_positive;
        c->reject_fp += (unsigned long long)!is_positive;
    }
}

static void add_counts(struct fit_counts *to, const struct fit_counts *c)
{
    to->tp += c->tp;
    to->fp += c->fp;
    to->tn += c->tn;
    to->fn += c->fn;
    to->reject_tp += c->reject_tp;
    to->reject_fp += c->reject_fp;
}

/* The five figures of a report line. */
static void figures(const struct fit_counts *c, double out[5])
{
    double p = ratio(c->tp, c->tp + c->fp), r = ratio(c->tp, c->tp + c->fn);
    out[0] = p;
    out[1] = r;
    out[2] = p < 0 || r < 0 || p + r == 0 ? (p + r == 0 ? 0 : QUELL_EVAL_UNDEFINED)
                                          : 2 * p * r / (p + r);
    out[3] = ratio(c->fp, c->fp + c->tn);
    out[4] = ratio(c->reject_tp, c->reject_tp + c->reject_fp);
}

static void print_figure(FILE *f, double x, int is_json)
{
    if (x < 0)
        fputs(is_json ? "null" : "     -", f);
    else
        fprintf(f, is_json ? "%.4f" : "%6.3f", x);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static double points(int64_t milli)
{
    return (double)milli / FIT_UNIT;
}

/* Rules by how far their weight moved, most first; ties by rule order. */
struct moved {
    size_t rule;
    int64_t delta;
};

static int compare_moved(const void *a, const void *b)
{
    const struct moved *x = a, *y = b;
    int64_t dx = llabs(x->delta), dy = llabs(y->delta);
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

struct report {
    const char *rules_path;
    const quell_rules *rules;
    const struct fit_model *model;
    const struct fit_params *params;
    struct fit_corpus *corpora;
    size_t corpus_count;
    unsigned folds;
    struct fit_counts *before, *after;       /* held out, per corpus + total */
    struct fit_counts *fit_before, *fit_after; /* final weights on every row */
    const struct fit_result *final;
    unsigned folds_flag_empty, folds_no_reject;
    size_t top;
    const char *output;
};

static void write_text(FILE *f, const struct report *r)
{
    static const char *const names[5] = {"precision", "recall", "F1", "flag FPR",
                                         "reject prec"};
    const struct fit_model *m = r->model;
    fprintf(f, "quell fit: %s, %u folds, l2 %g, factor %g\n\n", r->rules_path, r->folds,
            r->params->l2, r->params->max_factor);
    fprintf(f, "Held-out folds, before -> after (each row judged by weights fitted without its fold):\n");
    for (size_t i = 0; i <= r->corpus_count; i++) {
        if (i == r->corpus_count && r->corpus_count == 1)
            break;
        const char *name = i < r->corpus_count ? r->corpora[i].path : "total";
        if (i < r->corpus_count) {
            const struct fit_corpus *fc = &r->corpora[i];
            fprintf(f, "\n  %s: %llu rows, %llu positive%s; budget: flag FPR ", name,
                    fc->rows - fc->malformed, fc->positives,
                    fc->malformed ? " (malformed rows left out)" : "");
            if (fc->max_flag_fpr < 0)
                fputs("kept", f);
            else
                fprintf(f, "<= %g", fc->max_flag_fpr);
            fprintf(f, ", reject precision >= %g\n", fc->min_reject_precision);
        } else {
            fprintf(f, "\n  total (pooled):\n");
        }
        double b[5], a[5];
        figures(&r->before[i], b);
        figures(&r->after[i], a);
        for (int k = 0; k < 5; k++) {
            fprintf(f, "    %-12s", names[k]);
            print_figure(f, b[k], 0);
            fputs(" ->", f);
            print_figure(f, a[k], 0);
            if (k == 3 && i < r->corpus_count && a[3] >= 0 &&
                a[3] > (r->corpora[i].max_flag_fpr < 0 ? b[3] : r->corpora[i].max_flag_fpr))
                fputs("   over budget", f);
            if (k == 4 && i < r->corpus_count && a[4] >= 0 &&
                a[4] < r->corpora[i].min_reject_precision)
                fputs("   under budget", f);
            fputc('\n', f);
        }
    }
    if (r->folds_flag_empty)
        fprintf(f, "\nInfeasible: in %u of %u folds only flagging nothing kept the flag FPR "
                   "within budget.\n", r->folds_flag_empty, r->folds);
    if (r->folds_no_reject)
        fprintf(f, "\nInfeasible: in %u of %u folds no reject threshold kept the reject "
                   "precision on every corpus; those folds reject nothing.\n",
                r->folds_no_reject, r->folds);

    const struct fit_result *fr = r->final;
    fprintf(f, "\nFitted on every row: thresholds flag %g -> %g, hold %g -> %g, reject %g -> %g%s\n",
            points(m->threshold0[QUELL_FLAG]), points(fr->threshold[QUELL_FLAG]),
            points(m->threshold0[QUELL_HOLD]), points(fr->threshold[QUELL_HOLD]),
            points(m->threshold0[QUELL_REJECT]), points(fr->threshold[QUELL_REJECT]),
            fr->is_reject_found ? "" : " (no threshold met the reject precision: rejects nothing)");
    double b[5], a[5];
    figures(&r->fit_before[r->corpus_count], b);
    figures(&r->fit_after[r->corpus_count], a);
    fprintf(f, "  on the rows it was fitted on (pooled): F1 %.3f -> %.3f, flag FPR %.4f -> %.4f\n",
            b[2] < 0 ? 0 : b[2], a[2] < 0 ? 0 : a[2], b[3] < 0 ? 0 : b[3], a[3] < 0 ? 0 : a[3]);

    size_t free_count = 0, moved_count = 0, clamped = 0, frozen = 0;
    for (size_t i = 0; i < m->rule_count; i++) {
        free_count += m->is_free[i];
        moved_count += fr->weight[i] != m->weight0[i];
        clamped += fr->clamp[i] != FIT_CLAMP_NONE;
        frozen += !m->is_free[i];
    }
    fprintf(f, "\nWeights: %zu rules fitted, %zu moved; %zu left alone (separate categories and "
               "weight-0 signals).\n",
            free_count, moved_count, frozen);
    struct moved *mv = calloc(m->rule_count ? m->rule_count : 1, sizeof *mv);
    if (mv) {
        for (size_t i = 0; i < m->rule_count; i++) {
            mv[i].rule = i;
            mv[i].delta = fr->weight[i] - m->weight0[i];
        }
        qsort(mv, m->rule_count, sizeof *mv, compare_moved);
        size_t shown = 0;
        for (size_t i = 0; i < m->rule_count && shown < r->top && mv[i].delta != 0; i++, shown++) {
            size_t ri = mv[i].rule;
            fprintf(f, "  %-40s %8.3f -> %8.3f%s\n", quell_rules_rule_id(r->rules, ri),
                    points(m->weight0[ri]), points(fr->weight[ri]),
                    fr->clamp[ri] == FIT_CLAMP_LOW    ? "  (held at its floor)"
                    : fr->clamp[ri] == FIT_CLAMP_HIGH ? "  (held at its ceiling)"
                                                      : "");
        }
        free(mv);
    }
    if (clamped) {
        fprintf(f, "\nClamped: the fit would have moved these past their bounds (factor %g)%s:\n",
                r->params->max_factor, "; at the floor means it wanted the weight lower, "
                                       "towards 0 or the other sign, which a fit never gives");
        for (size_t i = 0; i < m->rule_count; i++) {
            if (fr->clamp[i])
                fprintf(f, "  %-40s %8.3f (%s)\n", quell_rules_rule_id(r->rules, i),
                        points(fr->weight[i]), fr->clamp[i] == FIT_CLAMP_LOW ? "floor" : "ceiling");
        }
    }
    if (r->output)
        fprintf(f, "\nWrote %s: include it after the rules it changes.\n", r->output);
}

static void json_counts(FILE *f, const struct fit_counts *c)
{
    static const char *const names[5] = {"precision", "recall", "f1", "flag_fpr",
                                         "reject_precision"};
    double x[5];
    figures(c, x);
    fprintf(f, "{\"tp\":%llu,\"fp\":%llu,\"tn\":%llu,\"fn\":%llu,\"reject_tp\":%llu,"
               "\"reject_fp\":%llu",
            c->tp, c->fp, c->tn, c->fn, c->reject_tp, c->reject_fp);
    for (int k = 0; k < 5; k++) {
        fprintf(f, ",\"%s\":", names[k]);
        print_figure(f, x[k], 1);
    }
    fputc('}', f);
}

static void write_json(FILE *f, const struct report *r)
{
    const struct fit_model *m = r->model;
    const struct fit_result *fr = r->final;
    fputs("{\"rules\":", f);
    json_string(f, r->rules_path);
    fprintf(f, ",\"folds\":%u,\"l2\":%g,\"max_factor\":%g,\"corpora\":[", r->folds,
            r->params->l2, r->params->max_factor);
    for (size_t i = 0; i <= r->corpus_count; i++) {
        if (i)
            fputc(',', f);
        fputs("{\"name\":", f);
        json_string(f, i < r->corpus_count ? r->corpora[i].path : "total");
        if (i < r->corpus_count)
        {
            const struct fit_corpus *fc = &r->corpora[i];
            fprintf(f, ",\"rows\":%llu,\"malformed\":%llu,\"positives\":%llu", fc->rows,
                    fc->malformed, fc->positives);
            if (fc->max_flag_fpr < 0)
                fputs(",\"max_flag_fpr\":\"keep\"", f);
            else
                fprintf(f, ",\"max_flag_fpr\":%g", fc->max_flag_fpr);
            fprintf(f, ",\"min_reject_precision\":%g", fc->min_reject_precision);
        }
        fputs(",\"before\":", f);
        json_counts(f, &r->before[i]);
        fputs(",\"after\":", f);
        json_counts(f, &r->after[i]);
        fputc('}', f);
    }
    fprintf(f, "],\"infeasible\":{\"folds_flag_empty\":%u,\"folds_no_reject\":%u},",
            r->folds_flag_empty, r->folds_no_reject);
    fprintf(f, "\"thresholds\":{\"before\":{\"flag\":%g,\"hold\":%g,\"reject\":%g},"
               "\"after\":{\"flag\":%g,\"hold\":%g,\"reject\":%g},\"reject_found\":%s},",
            points(m->threshold0[1]), points(m->threshold0[2]), points(m->threshold0[3]),
            points(fr->threshold[1]), points(fr->threshold[2]), points(fr->threshold[3]),
            fr->is_reject_found ? "true" : "false");
    fputs("\"fitted_rows\":{\"before\":", f);
    json_counts(f, &r->fit_before[r->corpus_count]);
    fputs(",\"after\":", f);
    json_counts(f, &r->fit_after[r->corpus_count]);
    fputs("},\"weights\":[", f);
    int first = 1;
    for (size_t i = 0; i < m->rule_count; i++) {
        if (!m->is_free[i])
            continue;
        fputs(first ? "" : ",", f);
        first = 0;
        fputs("{\"id\":", f);
        json_string(f, quell_rules_rule_id(r->rules, i));
        fprintf(f, ",\"before\":%g,\"after\":%g,\"clamped\":%s}", points(m->weight0[i]),
                points(fr->weight[i]),
                fr->clamp[i] == FIT_CLAMP_LOW    ? "\"floor\""
                : fr->clamp[i] == FIT_CLAMP_HIGH ? "\"ceiling\""
                                                 : "null");
    }
    fputs("]}\n", f);
}

static int write_weights(const struct report *r, const char *path)
{
    const struct fit_model *m = r->model;
    const struct fit_result *fr = r->final;
    FILE *f = fopen(path, "w");
    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    char date[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    fprintf(f, "# Weights and thresholds fitted by quell fit %s on %s to rules %s (%s).\n",
            quell_version(), date, quell_rules_id(r->rules), r->rules_path);
    fprintf(f, "# %u folds, l2 %g, factor %g. Corpora, with their flag FPR and reject precision "
               "budgets:\n",
            r->folds, r->params->l2, r->params->max_factor);
    for (size_t i = 0; i < r->corpus_count; i++) {
        const struct fit_corpus *fc = &r->corpora[i];
        if (fc->max_flag_fpr < 0)
            fprintf(f, "#   %s: kept, %g\n", fc->path, fc->min_reject_precision);
        else
            fprintf(f, "#   %s: %g, %g\n", fc->path, fc->max_flag_fpr, fc->min_reject_precision);
    }
    fprintf(f, "\n# Include it after the rules it changes, e.g. as the last entry of\n"
               "# include = [ ... ] in the top rules file (docs/fit.md).\n\n");
    fprintf(f, "thresholds = { flag = %.3f; hold = %.3f; reject = %.3f; };\n\n",
            points(fr->threshold[QUELL_FLAG]), points(fr->threshold[QUELL_HOLD]),
            points(fr->threshold[QUELL_REJECT]));
    fputs("weights = (", f);
    int first = 1;
    for (size_t i = 0; i < m->rule_count; i++) {
        if (!m->is_free[i] || fr->weight[i] == m->weight0[i])
            continue;
        fprintf(f, "%s\n  { id = \"%s\"; weight = %.3f; }", first ? "" : ",",
                quell_rules_rule_id(r->rules, i), points(fr->weight[i]));
        first = 0;
    }
    fputs(first ? ");\n" : "\n);\n", f);
    if (ferror(f) | fclose(f)) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    return CLI_OK;
}

static int build_model(struct fit_model *m, const quell_rules *rules)
{
    m->rule_count = quell_rules_rule_count(rules);
    m->category_count = quell_rules_category_count(rules);
    size_t nr = m->rule_count ? m->rule_count : 1, nc = m->category_count ? m->category_count : 1;
    m->category = calloc(nr, sizeof *m->category);
    m->weight0 = calloc(nr, sizeof *m->weight0);
    m->is_free = calloc(nr, sizeof *m->is_free);
    m->cap = calloc(nc, sizeof *m->cap);
    m->is_separate = calloc(nc, sizeof *m->is_separate);
    if (!m->category || !m->weight0 || !m->is_free || !m->cap || !m->is_separate)
        return -1;
    for (size_t c = 0; c < m->category_count; c++) {
        double cap = quell_rules_category_cap(rules, c);
        m->cap[c] = cap < 0 ? -1 : (int64_t)llround(cap * FIT_UNIT);
        m->is_separate[c] = quell_rules_category_is_separate(rules, c) != 0;
    }
    for (size_t i = 0; i < m->rule_count; i++) {
        m->category[i] = (uint32_t)quell_rules_rule_category(rules, i);
        m->weight0[i] = (int64_t)llround(quell_rules_rule_weight(rules, i) * FIT_UNIT);
        m->is_free[i] = m->weight0[i] != 0 && !m->is_separate[m->category[i]];
    }
    for (int a = QUELL_PASS; a <= QUELL_REJECT; a++)
        m->threshold0[a] = (int64_t)llround(quell_rules_threshold(rules, (quell_action)a) * FIT_UNIT);
    return 0;
}

static void free_model(struct fit_model *m)
{
    free(m->category);
    free(m->weight0);
    free(m->is_free);
    free(m->cap);
    free(m->is_separate);
}

int cmd_fit(int argc, char **argv)
{
    enum {
        OPT_FPR = 256,
        OPT_PRECISION,
        OPT_FOLDS,
        OPT_L2,
        OPT_FACTOR,
        OPT_TOP,
        OPT_JSON,
    };
    static const struct option options[] = {
        {"positive", required_argument, NULL, 'p'},
        {"negative", required_argument, NULL, 'n'},
        CORPUS_OPTION_TEXT_COLUMN,
        CORPUS_OPTION_LABEL_COLUMN,
        CORPUS_OPTION_ID_COLUMN,
        CORPUS_OPTION_FORMAT,
        CORPUS_OPTION_DELIMITER,
        {"output", required_argument, NULL, 'o'},
        {"max-flag-fpr", required_argument, NULL, OPT_FPR},
        {"min-reject-precision", required_argument, NULL, OPT_PRECISION},
        {"folds", required_argument, NULL, OPT_FOLDS},
        {"l2", required_argument, NULL, OPT_L2},
        {"max-factor", required_argument, NULL, OPT_FACTOR},
        {"top", required_argument, NULL, OPT_TOP},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct fit_params params = {0.001, 4.0, 30, NULL, NULL};
    double max_flag_fpr = FIT_KEEP, min_reject_precision = 0.95;
    double *budgets = NULL;
    struct corpus_options copt = {
        .format = CORPUS_GUESS, .text_col = "text", .label_col = "label", .id_col = "id", .delimiter = -1};
    const char *labels = NULL, *output = NULL, *rules_path = NULL;
    int is_negative = 0, is_json = 0;
    double number;
    unsigned folds = 5;
    size_t top = 20;
    struct fit_corpus *corpora = calloc((size_t)argc + 1, sizeof *corpora);
    size_t corpus_count = 0;
    int rc = CLI_EUSAGE;
    if (!corpora) {
        cli_error("out of memory");
        return CLI_EIO;
    }

    /* '+': stop at each operand, so that corpus options apply to the
     * corpora named after them. */
    opterr = 0;
    optind = 1;
    while (optind < argc) {
        int ch = getopt_long(argc, argv, "+:p:n:d:o:h", options, NULL);
        if (ch == -1) {
            if (optind >= argc)
                break;
            const char *operand = argv[optind++];
            if (!rules_path) {
                rules_path = operand;
                continue;
            }
            struct fit_corpus *fc = &corpora[corpus_count++];
            fc->path = operand;
            fc->copt = copt;
            fc->is_negative = is_negative;
            fc->max_flag_fpr = max_flag_fpr;
            fc->min_reject_precision = min_reject_precision;
            if (!labels) {
                rc = cli_usage_error("fit", "%s: no --positive or --negative LABELS before it",
                                     operand);
                goto out_free;
            }
            if (corpus_format_of(operand, copt.format) == CORPUS_TEXT) {
                rc = cli_usage_error("fit", "%s: plain text has no labels (use --format)", operand);
                goto out_free;
            }
            if (cli_split_list(labels, &fc->labels, &fc->label_count) != 0) {
                cli_error("out of memory");
                rc = CLI_EIO;
                goto out_free;
            }
            if (fc->label_count == 0) {
                rc = cli_usage_error("fit", "--%s names no label",
                                     is_negative ? "negative" : "positive");
                goto out_free;
            }
            continue;
        }
        if (corpus_is_option(ch)) {
            if (corpus_parse_option("fit", ch, optarg, &copt, 1) != CLI_OK)
                goto out_free; /* rc is CLI_EUSAGE */
            continue;
        }
        switch (ch) {
        case 'p':
        case 'n':
            labels = optarg;
            is_negative = ch == 'n';
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_FPR:
        case OPT_PRECISION:
            if ((ch == OPT_FPR ? parse_budget(optarg, &number) : parse_rate(optarg, &number)) !=
                0) {
                rc = cli_usage_error("fit", "invalid --%s '%s' (a rate: 0.02, 2%% or 1/50%s)",
                                     ch == OPT_FPR ? "max-flag-fpr" : "min-reject-precision",
                                     optarg, ch == OPT_FPR ? "; or keep" : "");
                goto out_free;
            }
            if (ch == OPT_FPR)
                max_flag_fpr = number;
            else
                min_reject_precision = number;
            break;
        case OPT_FOLDS:
            if (parse_number(optarg, 2, MAX_FOLDS, &number) != 0 || number != floor(number)) {
                rc = cli_usage_error("fit", "invalid --folds '%s' (2 to %d)", optarg, MAX_FOLDS);
                goto out_free;
            }
            folds = (unsigned)number;
            break;
        case OPT_L2:
            if (parse_number(optarg, 0, 1e6, &number) != 0) {
                rc = cli_usage_error("fit", "invalid --l2 '%s' (a number >= 0)", optarg);
                goto out_free;
            }
            params.l2 = number;
            break;
        case OPT_FACTOR:
            if (parse_number(optarg, 1, 1000, &number) != 0) {
                rc = cli_usage_error("fit", "invalid --max-factor '%s' (1 to 1000)", optarg);
                goto out_free;
            }
            params.max_factor = number;
            break;
        case OPT_TOP:
            if (parse_number(optarg, 0, 100000, &number) != 0 || number != floor(number)) {
                rc = cli_usage_error("fit", "invalid --top '%s'", optarg);
                goto out_free;
            }
            top = (size_t)number;
            break;
        case OPT_JSON:
            is_json = 1;
            break;
        case 'h':
            print_help();
            rc = cli_finish_stdout(CLI_OK);
            goto out_free;
        default:
            rc = cli_bad_option("fit", ch, argv);
            goto out_free;
        }
    }
    if (!rules_path || corpus_count == 0) {
        rc = cli_usage_error("fit", rules_path ? "missing CORPUS" : "missing RULES and CORPUS");
        goto out_free;
    }
    size_t stdin_count = 0;
    for (size_t i = 0; i < corpus_count; i++)
        stdin_count += strcmp(corpora[i].path, "-") == 0;
    if (stdin_count > 1) {
        rc = cli_usage_error("fit", "stdin can be read only once");
        goto out_free;
    }

    quell_rules *rules = NULL;
    rc = cli_load_rules(&rules, rules_path);
    if (rc != CLI_OK)
        goto out_free;
    struct fit_model model = {0};
    struct fit_data data = {0};
    struct fit_result fold_result = {0}, final = {0};
    quell_scanner *scanner = NULL;
    struct fit_entry *entries = NULL;
    int64_t *scratch = NULL;
    size_t slots = corpus_count + 1;
    struct fit_counts *counts = calloc(4 * slots, sizeof *counts);
    quell_error err;
    rc = CLI_EIO;
    budgets = calloc(2 * corpus_count, sizeof *budgets);
    if (budgets) {
        for (size_t i = 0; i < corpus_count; i++) {
            budgets[i] = corpora[i].max_flag_fpr;
            budgets[corpus_count + i] = corpora[i].min_reject_precision;
        }
        params.max_flag_fpr = budgets;
        params.min_reject_precision = budgets + corpus_count;
    }
    if (!counts || !budgets || build_model(&model, rules) != 0 ||
        !(entries = calloc(model.rule_count + 1, sizeof *entries)) ||
        !(scratch = calloc(model.category_count + 1, sizeof *scratch))) {
        cli_error("out of memory");
        goto out_free_run;
    }
    if (quell_scanner_new(&scanner, rules, &err) != QUELL_OK) {
        cli_print_error(&err, NULL);
        rc = cli_exit_for(err.code);
        goto out_free_run;
    }

    /* Scan every comment once: the rest works on the feature matrix. */
    struct reader rd = {NULL, 0, scanner, rules, &data, entries, folds, 0, &model, scratch};
    unsigned long long malformed = 0;
    for (size_t i = 0; i < corpus_count; i++) {
        rd.corpus = &corpora[i];
        rd.corpus_index = (uint32_t)i;
        rc = corpus_read(corpora[i].path, &corpora[i].copt, read_row, &rd);
        if (rc != CLI_OK)
            goto out_free_run;
        malformed += corpora[i].malformed;
        if (corpora[i].malformed > MAX_ROW_MESSAGES)
            cli_error("%s: %llu malformed rows in all", corpora[i].path, corpora[i].malformed);
    }
    if (rd.mismatches)
        cli_error("warning: on %llu rows the fit's model scores unlike the library", rd.mismatches);
    data.corpus_count = corpus_count;
    if (data.row_count == 0) {
        cli_error("no rows to fit on");
        rc = CLI_EDATA;
        goto out_free_run;
    }

    struct fit_counts *before = counts, *after = counts + slots;
    struct fit_counts *fit_before = counts + 2 * slots, *fit_after = counts + 3 * slots;
    unsigned folds_flag_empty = 0, folds_no_reject = 0;
    for (unsigned k = 0; k < folds; k++) {
        if (fit_run(&model, &data, (int)k, &params, &fold_result) != 0) {
            cli_error("out of memory");
            goto out_free_run;
        }
        folds_flag_empty += (unsigned)fold_result.is_flag_empty;
        folds_no_reject += (unsigned)!fold_result.is_reject_found;
        for (size_t i = 0; i < data.row_count; i++) {
            const struct fit_row *row = &data.rows[i];
            if (row->fold != k)
                continue;
            int64_t s0 = fit_score(&model, &data, i, model.weight0, scratch);
            int64_t s1 = fit_score(&model, &data, i, fold_result.weight, scratch);
            count_row(&before[row->corpus], row->is_positive, fit_action(s0, model.threshold0));
            count_row(&after[row->corpus], row->is_positive,
                      fit_action(s1, fold_result.threshold));
        }
        fit_result_free(&fold_result);
    }
    if (fit_run(&model, &data, -1, &params, &final) != 0) {
        cli_error("out of memory");
        goto out_free_run;
    }
    for (size_t i = 0; i < data.row_count; i++) {
        const struct fit_row *row = &data.rows[i];
        int64_t s0 = fit_score(&model, &data, i, model.weight0, scratch);
        int64_t s1 = fit_score(&model, &data, i, final.weight, scratch);
        count_row(&fit_before[row->corpus], row->is_positive, fit_action(s0, model.threshold0));
        count_row(&fit_after[row->corpus], row->is_positive, fit_action(s1, final.threshold));
    }
    for (size_t i = 0; i < corpus_count; i++) {
        add_counts(&before[corpus_count], &before[i]);
        add_counts(&after[corpus_count], &after[i]);
        add_counts(&fit_before[corpus_count], &fit_before[i]);
        add_counts(&fit_after[corpus_count], &fit_after[i]);
    }

    struct report report = {rules_path, rules, &model, &params, corpora, corpus_count, folds,
                            before, after, fit_before, fit_after, &final, folds_flag_empty,
                            folds_no_reject, top, output};
    rc = output ? write_weights(&report, output) : CLI_OK;
    if (rc != CLI_OK)
        goto out_free_run;
    if (is_json)
        write_json(stdout, &report);
    else
        write_text(stdout, &report);
    rc = cli_finish_stdout(malformed > 0 ? CLI_EDATA : CLI_OK);

out_free_run:
    fit_result_free(&fold_result);
    fit_result_free(&final);
    fit_data_free(&data);
    free_model(&model);
    free(entries);
    free(scratch);
    free(counts);
    free(budgets);
    quell_scanner_free(scanner);
    quell_rules_free(rules);
out_free:
    for (size_t i = 0; i < corpus_count; i++) {
        for (size_t k = 0; k < corpora[i].label_count; k++)
            free(corpora[i].labels[k]);
        free(corpora[i].labels);
    }
    free(corpora);
    return rc;
}
