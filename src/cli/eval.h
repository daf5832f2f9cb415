/*
 * eval.h - the report of `quell eval`, laid out for its three writers
 * (eval_text.c, eval_json.c, eval_html.c). The figures are the library's
 * (quell_eval in quell.h): cmd_eval.c copies them here through the public
 * accessors, beside what only the command knows (paths, rows read, labels,
 * samples); the writers read nothing else, and tests can hand them a report
 * made by hand.
 *
 * A comment is "flagged" when its action is flag or worse, and "positive"
 * when its label says it should be flagged.
 */
#ifndef QUELL_CLI_EVAL_H
#define QUELL_CLI_EVAL_H

#include <stddef.h>
#include <stdio.h>

#include "quell.h"

#define EVAL_ACTION_COUNT 4 /* pass, flag, hold, reject: indexes quell_action */

/* A confusion matrix of flagged against positive. */
struct eval_counts {
    unsigned long long tp, fp, fn, tn;
};

/* What one rule did over a corpus. */
struct eval_rule {
    unsigned long long hits; /* comments it fired on */
    unsigned long long tp;   /* of those, positive */
};

/*
 * What one category did: the comments it scored in (score > 0), and of those
 * the positives. With a label-to-category map (eval_report.has_category_map),
 * counts is the category's own matrix: predicted = flagged with a score in
 * this category (a separate category: its own score reaches flag), actual =
 * the label maps to this category; rejected and rejected_tp count the
 * comments it rejected in the same sense, and of those the ones labelled
 * for it.
 */
struct eval_category {
    unsigned long long hits;
    unsigned long long tp;
    struct eval_counts counts;
    unsigned long long rejected, rejected_tp;
};

/* One point of the threshold sweep: comments scoring >= threshold flagged. */
struct eval_point {
    double threshold;
    unsigned long long tp, fp;
};

/* A hit in a sampled comment: bytes [start, end) of its text. */
struct eval_span {
    size_t start, end;
    const char *rule_id; /* owned by the rules */
};

/* A comment the rules got wrong, with where they fired. */
struct eval_sample {
    unsigned long long row_no; /* as in corpus_row */
    char *text;                /* NUL-terminated, valid UTF-8 */
    size_t text_len;
    char *label;
    int is_positive; /* 1: a false negative (missed); 0: a false positive */
    quell_action action;
    double score;
    struct eval_span *spans; /* ordered by start, disjoint */
    size_t span_count;
};

/* The figures of one corpus, or of all of them together. */
struct eval_corpus {
    char *name; /* the path as given, or "total" */
    unsigned long long rows;      /* rows read */
    unsigned long long malformed; /* of those, left out of every figure */
    struct eval_counts counts;
    /* Comments by action and label: actions[a][1] are positives given a. */
    unsigned long long actions[EVAL_ACTION_COUNT][2];
    struct eval_rule *rules;          /* [eval_report.rule_count] */
    struct eval_category *categories; /* [eval_report.category_count] */
    /* By falling threshold, one point per distinct score > 0; the number of
     * positives is counts.tp + counts.fn, of negatives counts.fp + counts.tn. */
    struct eval_point *sweep;
    size_t sweep_count;
    /* Up to sample_limit false positives, then false negatives, each in
     * row order; chosen by a hash of the text, so the same for any -j.
     * Always empty in the total: a sample belongs to its corpus. */
    struct eval_sample *samples;
    size_t sample_count;
};

/* A threshold proposed by --fp-budget for one action. */
struct eval_proposal {
    quell_action action;
    double budget;   /* the false-positive rate allowed */
    int is_found;    /* 0: no threshold > 0 keeps within the budget */
    double threshold;
    struct eval_counts counts; /* what the total would be with it */
};

struct eval_report {
    const char *rules_path;
    const quell_rules *rules; /* rule ids, categories and thresholds */
    size_t rule_count;
    size_t category_count;
    /* The labels named by --positive (is_negative 0) or --negative (1). */
    char **labels;
    size_t label_count;
    int is_negative;
    int has_category_map;
    size_t sample_limit;
    int has_context; /* decided in context (--context): the context rules' recall */
    struct eval_corpus *corpora;
    size_t corpus_count;
    struct eval_corpus *total; /* NULL when there is only one corpus */
    /* Proposed on the total when there is one, else on corpora[0]. */
    struct eval_proposal proposals[EVAL_ACTION_COUNT];
    size_t proposal_count;
    char date[32]; /* when it was measured, "2026-11-25 11:30 UTC" */
};

/* num / den, or QUELL_EVAL_UNDEFINED (-1) when den is 0: a share shown
 * beside its counts (a rule's true hits, a sweep point's recall). */
double eval_ratio(unsigned long long num, unsigned long long den);

struct eval_figures {
    double precision, recall, f1, fpr; /* each QUELL_EVAL_UNDEFINED (-1) when undefined */
};

/* The library's ratios of c (quell_eval_precision and the rest). */
struct eval_figures eval_figures_of(const struct eval_counts *c);

/* The body's hits of v as spans, sorted, overlaps merged (the first
 * rule's id kept). *out is the caller's to free. Returns -1 out of memory. */
int eval_spans_of(const quell_verdict *v, struct eval_span **out, size_t *out_count);

/* Write a comment's bytes on one line: a line break shows as a return
 * symbol, other control characters as '?', so that neither the layout nor
 * the terminal (escape sequences) is at the comment's mercy. */
void eval_put_text(FILE *f, const char *s, size_t len);

/* Write text as eval_put_text does, with the spans (ordered, disjoint)
 * marked: in bold red when is_tty, else between [[ and ]]. */
void eval_put_marked(FILE *f, const char *text, size_t len, const struct eval_span *spans,
                     size_t span_count, int is_tty);

/* Write len bytes of s (valid UTF-8) as a JSON string. */
void eval_put_json_string(FILE *f, const char *s, size_t len);

/* Write the report as text for a terminal (is_tty: highlight with colour). */
void eval_write_text(FILE *f, const struct eval_report *r, int is_tty);

/* Write the report as one JSON object and a newline. */
void eval_write_json(FILE *f, const struct eval_report *r);

/* Write the report as one self-contained HTML page. */
void eval_write_html(FILE *f, const struct eval_report *r);

#endif /* QUELL_CLI_EVAL_H */
