/*
 * eval_json.c - the `quell eval` report as one JSON object, for scripts:
 * everything the text report has, with the whole threshold sweep.
 */
#include <string.h>

#include "eval.h"

void eval_put_json_string(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '\t')
            fputs("\\t", f);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void put_cstring(FILE *f, const char *s)
{
    eval_put_json_string(f, s, strlen(s));
}

/* ,"name":x with x a number, or null when undefined (< 0). */
static void put_ratio(FILE *f, const char *name, double x)
{
    fprintf(f, ",\"%s\":", name);
    if (x < 0)
        fputs("null", f);
    else
        fprintf(f, "%.6g", x);
}

/* The matrix and its ratios as members of an object already opened. */
static void put_counts(FILE *f, const struct eval_counts *c)
{
    struct eval_figures g = eval_figures_of(c);
    fprintf(f, ",\"tp\":%llu,\"fp\":%llu,\"fn\":%llu,\"tn\":%llu", c->tp, c->fp, c->fn, c->tn);
    put_ratio(f, "precision", g.precision);
    put_ratio(f, "recall", g.recall);
    put_ratio(f, "f1", g.f1);
    put_ratio(f, "fpr", g.fpr);
}

static void put_corpus(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    fputs("{\"corpus\":", f);
    put_cstring(f, c->name);
    fprintf(f, ",\"rows\":%llu,\"malformed\":%llu,\"evaluated\":%llu", c->rows, c->malformed,
            c->rows - c->malformed);
    put_counts(f, &c->counts);

    fputs(",\"actions\":{", f);
    for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
        fprintf(f, "%s\"%s\":{\"positive\":%llu,\"negative\":%llu}", a ? "," : "",
                quell_action_name((quell_action)a), c->actions[a][1], c->actions[a][0]);
    }
    fputc('}', f);

    fputs(",\"rules\":[", f);
    int is_first = 1;
    for (size_t i = 0; i < r->rule_count; i++) {
        const struct eval_rule *rule = &c->rules[i];
        if (rule->hits == 0)
            continue;
        fputs(is_first ? "{\"id\":" : ",{\"id\":", f);
        is_first = 0;
        put_cstring(f, quell_rules_rule_id(r->rules, i));
        fputs(",\"category\":", f);
        put_cstring(f, quell_rules_category_name(r->rules, quell_rules_rule_category(r->rules, i)));
        fprintf(f, ",\"hits\":%llu,\"tp\":%llu,\"fp\":%llu", rule->hits, rule->tp,
                rule->hits - rule->tp);
        put_ratio(f, "precision", eval_ratio(rule->tp, rule->hits));
        fputc('}', f);
    }

    if (r->has_context) {
        /* Every context rule, fired or not, with its recall. */
        unsigned long long positives = c->counts.tp + c->counts.fn;
        fputs("],\"context_rules\":[", f);
        is_first = 1;
        for (size_t i = 0; i < r->rule_count; i++) {
            size_t at_least;
            const char *fact = quell_rules_rule_context(r->rules, i, &at_least);
            if (!fact)
                continue;
            const struct eval_rule *rule = &c->rules[i];
            fputs(is_first ? "{\"id\":" : ",{\"id\":", f);
            is_first = 0;
            put_cstring(f, quell_rules_rule_id(r->rules, i));
            fputs(",\"fact\":", f);
            put_cstring(f, fact);
            fprintf(f, ",\"at_least\":%zu,\"hits\":%llu,\"tp\":%llu,\"fp\":%llu", at_least,
                    rule->hits, rule->tp, rule->hits - rule->tp);
            put_ratio(f, "precision", eval_ratio(rule->tp, rule->hits));
            put_ratio(f, "recall", eval_ratio(rule->tp, positives));
            fputc('}', f);
        }
    }
    fputs("],\"categories\":[", f);
    for (size_t i = 0; i < r->category_count; i++) {
        const struct eval_category *cat = &c->categories[i];
        fputs(i ? ",{\"name\":" : "{\"name\":", f);
        put_cstring(f, quell_rules_category_name(r->rules, i));
        fprintf(f, ",\"hits\":%llu,\"tp\":%llu,\"fp\":%llu", cat->hits, cat->tp,
                cat->hits - cat->tp);
        put_ratio(f, "precision", eval_ratio(cat->tp, cat->hits));
        if (r->has_category_map) {
            fputs(",\"own\":{\"category\":", f);
            put_cstring(f, quell_rules_category_name(r->rules, i));
            put_counts(f, &cat->counts);
            fprintf(f, ",\"rejected\":%llu,\"rejected_tp\":%llu", cat->rejected,
                    cat->rejected_tp);
            put_ratio(f, "reject_precision", eval_ratio(cat->rejected_tp, cat->rejected));
            fputc('}', f);
        }
        fputc('}', f);
    }

    unsigned long long pos = c->counts.tp + c->counts.fn, neg = c->counts.fp + c->counts.tn;
    fputs("],\"sweep\":[", f);
    for (size_t i = 0; i < c->sweep_count; i++) {
        const struct eval_point *p = &c->sweep[i];
        fprintf(f, "%s{\"threshold\":%.6g,\"tp\":%llu,\"fp\":%llu", i ? "," : "", p->threshold,
                p->tp, p->fp);
        put_ratio(f, "precision", eval_ratio(p->tp, p->tp + p->fp));
        put_ratio(f, "recall", eval_ratio(p->tp, pos));
        put_ratio(f, "fpr", eval_ratio(p->fp, neg));
        fputc('}', f);
    }

    fputs("],\"samples\":[", f);
    for (size_t i = 0; i < c->sample_count; i++) {
        const struct eval_sample *s = &c->samples[i];
        fprintf(f, "%s{\"row\":%llu,\"kind\":\"%s\",\"label\":", i ? "," : "", s->row_no,
                s->is_positive ? "false_negative" : "false_positive");
        put_cstring(f, s->label);
        fprintf(f, ",\"action\":\"%s\",\"score\":%.6g,\"text\":", quell_action_name(s->action),
                s->score);
        eval_put_json_string(f, s->text, s->text_len);
        fputs(",\"hits\":[", f);
        for (size_t k = 0; k < s->span_count; k++) {
            fprintf(f, "%s{\"start\":%zu,\"end\":%zu,\"rule\":", k ? "," : "", s->spans[k].start,
                    s->spans[k].end);
            put_cstring(f, s->spans[k].rule_id);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]}", f);
}

void eval_write_json(FILE *f, const struct eval_report *r)
{
    fputs("{\"rules\":", f);
    put_cstring(f, r->rules_path);
    fputs(",\"date\":", f);
    put_cstring(f, r->date);
    fprintf(f, ",\"%s\":[", r->is_negative ? "negative" : "positive");
    for (size_t i = 0; i < r->label_count; i++) {
        if (i > 0)
            fputc(',', f);
        put_cstring(f, r->labels[i]);
    }
    fprintf(f, "],\"thresholds\":{\"flag\":%.6g,\"hold\":%.6g,\"reject\":%.6g}",
            quell_rules_threshold(r->rules, QUELL_FLAG), quell_rules_threshold(r->rules, QUELL_HOLD),
            quell_rules_threshold(r->rules, QUELL_REJECT));
    fputs(",\"corpora\":[", f);
    for (size_t i = 0; i < r->corpus_count; i++) {
        if (i > 0)
            fputc(',', f);
        put_corpus(f, r, &r->corpora[i]);
    }
    /* With one corpus the total is that corpus: scripts find it in one place. */
    fputs("],\"total\":", f);
    if (r->total || r->corpus_count == 0) {
        if (r->total)
            put_corpus(f, r, r->total);
        else
            fputs("null", f);
    } else {
        put_corpus(f, r, &r->corpora[0]);
    }

    fputs(",\"proposals\":[", f);
    for (size_t k = 0; k < r->proposal_count; k++) {
        const struct eval_proposal *p = &r->proposals[k];
        fprintf(f, "%s{\"action\":\"%s\",\"budget\":%.6g,\"current\":%.6g,\"threshold\":",
                k ? "," : "", quell_action_name(p->action), p->budget,
                quell_rules_threshold(r->rules, p->action));
        if (p->is_found) {
            fprintf(f, "%.6g", p->threshold);
            put_counts(f, &p->counts);
        } else {
            fputs("null", f);
        }
        fputc('}', f);
    }
    fputs("]}\n", f);
}
