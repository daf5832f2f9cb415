/*
 * eval_text.c - the `quell eval` report as text for a terminal or a pager:
 * one section per corpus, then the total, the proposed thresholds and the
 * wrong comments with their hits marked (in colour on a terminal, between
 * [[ and ]] otherwise).
 */
#include <string.h>

#include "eval.h"

/* Sweep rows shown in text; the JSON and HTML reports have every point. */
#define TEXT_SWEEP_ROWS 12

static void put_ratio(FILE *f, const char *label, double x)
{
    if (x < 0)
        fprintf(f, "%s-\n", label);
    else
        fprintf(f, "%s%.3f\n", label, x);
}

/* A ratio in a table column of the given width. */
static void put_cell(FILE *f, int width, double x)
{
    if (x < 0)
        fprintf(f, "  %*s", width, "-");
    else
        fprintf(f, "  %*.3f", width, x);
}

static void write_labels(FILE *f, const struct eval_report *r)
{
    fputs(r->is_negative ? "Should pass (any other label should be flagged): "
                         : "Should be flagged: ",
          f);
    for (size_t i = 0; i < r->label_count; i++)
        fprintf(f, "%s%s", i ? ", " : "", r->labels[i]);
    fputc('\n', f);
    fprintf(f, "Thresholds: flag %g, hold %g, reject %g\n",
            quell_rules_threshold(r->rules, QUELL_FLAG), quell_rules_threshold(r->rules, QUELL_HOLD),
            quell_rules_threshold(r->rules, QUELL_REJECT));
}

static void write_actions(FILE *f, const struct eval_corpus *c)
{
    fprintf(f, "\nBy action:        pass     flag     hold   reject\n");
    static const char *const rows[2] = {"  should pass ", "  should flag "};
    for (int is_pos = 1; is_pos >= 0; is_pos--) {
        fputs(rows[is_pos], f);
        for (int a = 0; a < EVAL_ACTION_COUNT; a++)
            fprintf(f, " %8llu", c->actions[a][is_pos]);
        fputc('\n', f);
    }
}

static const char *category_of_rule(const struct eval_report *r, size_t i)
{
    const char *name = quell_rules_category_name(r->rules, quell_rules_rule_category(r->rules, i));
    return name ? name : "-";
}

static void write_rules(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    int width = 4, cat_width = 8;
    for (size_t i = 0; i < r->rule_count; i++) {
        if (c->rules[i].hits == 0)
            continue;
        int len = (int)strlen(quell_rules_rule_id(r->rules, i));
        int cat_len = (int)strlen(category_of_rule(r, i));
        width = len > width ? len : width;
        cat_width = cat_len > cat_width ? cat_len : cat_width;
    }
    fprintf(f, "\nRules that fired:\n");
    fprintf(f, "  %-*s  %-*s  %7s  %7s  %7s  %9s\n", width, "rule", cat_width, "category", "hits",
            "TP", "FP", "precision");
    int has_any = 0;
    for (size_t i = 0; i < r->rule_count; i++) {
        const struct eval_rule *rule = &c->rules[i];
        if (rule->hits == 0)
            continue;
        has_any = 1;
        fprintf(f, "  %-*s  %-*s  %7llu  %7llu  %7llu", width, quell_rules_rule_id(r->rules, i),
                cat_width, category_of_rule(r, i), rule->hits, rule->tp, rule->hits - rule->tp);
        put_cell(f, 9, eval_ratio(rule->tp, rule->hits));
        fputc('\n', f);
    }
    if (!has_any)
        fprintf(f, "  none\n");
}

/* With --context: every context rule, fired or not, with its recall (of
 * the positives, the share it fired on). */
static void write_context_rules(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    int width = 4;
    for (size_t i = 0; i < r->rule_count; i++) {
        int len = (int)strlen(quell_rules_rule_id(r->rules, i));
        if (quell_rules_rule_context(r->rules, i, NULL) && len > width)
            width = len;
    }
    unsigned long long positives = c->counts.tp + c->counts.fn;
    fprintf(f, "\nContext rules (recall: the share of the positives each fired on):\n");
    fprintf(f, "  %-*s  %-22s  %7s  %7s  %7s  %9s  %7s\n", width, "rule", "fires when", "hits",
            "TP", "FP", "precision", "recall");
    int has_any = 0;
    for (size_t i = 0; i < r->rule_count; i++) {
        size_t at_least;
        const char *fact = quell_rules_rule_context(r->rules, i, &at_least);
        if (!fact)
            continue;
        has_any = 1;
        char when[48];
        snprintf(when, sizeof when, "%s >= %zu", fact, at_least);
        const struct eval_rule *rule = &c->rules[i];
        fprintf(f, "  %-*s  %-22s  %7llu  %7llu  %7llu", width, quell_rules_rule_id(r->rules, i),
                when, rule->hits, rule->tp, rule->hits - rule->tp);
        put_cell(f, 9, eval_ratio(rule->tp, rule->hits));
        put_cell(f, 7, eval_ratio(rule->tp, positives));
        fputc('\n', f);
    }
    if (!has_any)
        fprintf(f, "  none: the rules have no context rule\n");
}

static void write_categories(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    int width = 8;
    for (size_t i = 0; i < r->category_count; i++) {
        int len = (int)strlen(quell_rules_category_name(r->rules, i));
        width = len > width ? len : width;
    }
    fprintf(f, "\nCategories (comments scored in each):\n");
    fprintf(f, "  %-*s  %7s  %7s  %7s  %9s", width, "category", "hits", "TP", "FP", "precision");
    if (r->has_category_map)
        fprintf(f, "  |  own: %5s %5s %5s %5s %10s", "P", "R", "F1", "FPR", "reject P");
    fputc('\n', f);
    for (size_t i = 0; i < r->category_count; i++) {
        const struct eval_category *cat = &c->categories[i];
        fprintf(f, "  %-*s  %7llu  %7llu  %7llu", width, quell_rules_category_name(r->rules, i),
                cat->hits, cat->tp, cat->hits - cat->tp);
        put_cell(f, 9, eval_ratio(cat->tp, cat->hits));
        if (r->has_category_map) {
            struct eval_figures g = eval_figures_of(&cat->counts);
            fputs("  |      ", f);
            put_cell(f, 4, g.precision);
            put_cell(f, 4, g.recall);
            put_cell(f, 4, g.f1);
            put_cell(f, 4, g.fpr);
            put_cell(f, 9, eval_ratio(cat->rejected_tp, cat->rejected));
        }
        fputc('\n', f);
    }
}

/* The point whose threshold is the lowest at or above t; -1 if none. */
static long point_at(const struct eval_corpus *c, double t)
{
    long found = -1;
    for (size_t i = 0; i < c->sweep_count && c->sweep[i].threshold >= t; i++)
        found = (long)i;
    return found;
}

static void write_sweep(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    unsigned long long pos = c->counts.tp + c->counts.fn, neg = c->counts.fp + c->counts.tn;
    fprintf(f, "\nThreshold sweep (flagged: comments scoring at least the threshold):\n");
    if (c->sweep_count == 0) {
        fprintf(f, "  no comment scored above 0\n");
        return;
    }
    fprintf(f, "  %9s  %7s  %9s  %7s  %7s\n", "threshold", "flagged", "precision", "recall",
            "FPR");
    /* Every point when few; else evenly spread ones and those at the
     * thresholds in force. */
    long marks[EVAL_ACTION_COUNT] = {-1, -1, -1, -1};
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++)
        marks[a] = point_at(c, quell_rules_threshold(r->rules, (quell_action)a));
    for (size_t i = 0; i < c->sweep_count; i++) {
        int mark = 0;
        for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++)
            mark = marks[a] == (long)i ? a : mark;
        size_t step = c->sweep_count / TEXT_SWEEP_ROWS + 1;
        if (c->sweep_count > TEXT_SWEEP_ROWS && !mark && i % step != 0 &&
            i + 1 != c->sweep_count)
            continue;
        const struct eval_point *p = &c->sweep[i];
        fprintf(f, "  %9.3f  %7llu", p->threshold, p->tp + p->fp);
        put_cell(f, 9, eval_ratio(p->tp, p->tp + p->fp));
        put_cell(f, 7, eval_ratio(p->tp, pos));
        put_cell(f, 7, eval_ratio(p->fp, neg));
        if (mark)
            fprintf(f, "  <- %s", quell_action_name((quell_action)mark));
        fputc('\n', f);
    }
}

void eval_put_text(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            fputs("\xe2\x8f\x8e ", f); /* U+23CE */
        else if (ch == '\t')
            fputc(' ', f);
        else if (ch < 0x20 || ch == 0x7f)
            fputc('?', f);
        else
            fputc(ch, f);
    }
}

void eval_put_marked(FILE *f, const char *text, size_t len, const struct eval_span *spans,
                     size_t span_count, int is_tty)
{
    const char *open = is_tty ? "\033[1;31m" : "[[";
    const char *close = is_tty ? "\033[0m" : "]]";
    size_t at = 0;
    for (size_t i = 0; i < span_count; i++) {
        const struct eval_span *sp = &spans[i];
        eval_put_text(f, text + at, sp->start - at);
        fputs(open, f);
        eval_put_text(f, text + sp->start, sp->end - sp->start);
        fputs(close, f);
        at = sp->end;
    }
    eval_put_text(f, text + at, len - at);
}

static void write_samples(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                          int is_tty)
{
    if (r->sample_limit == 0)
        return;
    for (int kind = 0; kind < 2; kind++) {
        fprintf(f, "\n%s (up to %zu):\n",
                kind ? "Missed: should be flagged, passed" : "False positives: flagged, should pass",
                r->sample_limit);
        int has_any = 0;
        for (size_t i = 0; i < c->sample_count; i++) {
            const struct eval_sample *s = &c->samples[i];
            if (s->is_positive != kind)
                continue;
            has_any = 1;
            fprintf(f, "  row %llu, label ", s->row_no);
            eval_put_text(f, s->label, strlen(s->label));
            fprintf(f, ", %s, score %g: ", quell_action_name(s->action), s->score);
            eval_put_marked(f, s->text, s->text_len, s->spans, s->span_count, is_tty);
            fputc('\n', f);
        }
        if (!has_any)
            fprintf(f, "  none\n");
    }
}

static void write_corpus(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                         int is_tty, int is_total)
{
    struct eval_figures g = eval_figures_of(&c->counts);
    fprintf(f, "\nCorpus: %s\n", c->name);
    fprintf(f, "Rows read:       %llu\n", c->rows);
    fprintf(f, "Malformed rows:  %llu\n", c->malformed);
    fprintf(f, "Evaluated:       %llu\n", c->rows - c->malformed);
    fprintf(f, "\nConfusion matrix (flagged: action flag or worse):\n");
    fprintf(f, "                   flagged  passed\n");
    fprintf(f, "  should flag   TP %7llu  FN %7llu\n", c->counts.tp, c->counts.fn);
    fprintf(f, "  should pass   FP %7llu  TN %7llu\n", c->counts.fp, c->counts.tn);
    fputc('\n', f);
    put_ratio(f, "Precision:            ", g.precision);
    put_ratio(f, "Recall:               ", g.recall);
    put_ratio(f, "F1:                   ", g.f1);
    put_ratio(f, "False-positive rate:  ", g.fpr);
    write_actions(f, c);
    write_rules(f, r, c);
    if (r->has_context)
        write_context_rules(f, r, c);
    write_categories(f, r, c);
    write_sweep(f, r, c);
    if (!is_total)
        write_samples(f, r, c, is_tty);
}

static void write_proposals(FILE *f, const struct eval_report *r)
{
    if (r->proposal_count == 0)
        return;
    fprintf(f, "\nThresholds for the false-positive budget (%s):\n",
            r->total ? "all corpora" : r->corpora[0].name);
    for (size_t k = 0; k < r->proposal_count; k++) {
        const struct eval_proposal *p = &r->proposals[k];
        fprintf(f, "  %-6s budget %.4g: ", quell_action_name(p->action), p->budget);
        if (!p->is_found) {
            fprintf(f, "no threshold keeps within it (now %g)\n",
                    quell_rules_threshold(r->rules, p->action));
            continue;
        }
        struct eval_figures g = eval_figures_of(&p->counts);
        fprintf(f, "threshold %g (now %g): FPR %.4f, precision %.3f, recall %.3f\n", p->threshold,
                quell_rules_threshold(r->rules, p->action), g.fpr, g.precision, g.recall);
    }
}

void eval_write_text(FILE *f, const struct eval_report *r, int is_tty)
{
    fprintf(f, "Rules: %s\n", r->rules_path);
    write_labels(f, r);
    for (size_t i = 0; i < r->corpus_count; i++)
        write_corpus(f, r, &r->corpora[i], is_tty, 0);
    if (r->total)
        write_corpus(f, r, r->total, is_tty, 1);
    write_proposals(f, r);
}
