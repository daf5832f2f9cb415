/*
 * fit.h - `quell fit`'s arithmetic: rule weights and action thresholds fitted
 * to labelled comments under a false-positive budget, on a feature matrix of
 * each comment's fired rules and counts. No I/O: cmd_fit.c reads and reports.
 */
#ifndef QUELL_CLI_FIT_H
#define QUELL_CLI_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "quell.h"

/* Points are kept as the rules keep them: thousandths, so that a fitted
 * score is exactly what the library computes with the written weights. */
#define FIT_UNIT 1000

/* How the rules score, read through quell.h. */
struct fit_model {
    size_t rule_count;
    size_t category_count;
    uint32_t *category;   /* per rule */
    int64_t *weight0;     /* per rule, thousandths: the rules' own weights */
    uint8_t *is_free;     /* per rule: the fit may change its weight */
    int64_t *cap;         /* per category, thousandths; < 0: none */
    uint8_t *is_separate; /* per category */
    int64_t threshold0[4];
};

/* One fired rule of a comment: counted = min(count, max_hits). */
struct fit_entry {
    uint32_t rule;
    uint32_t counted;
};

struct fit_row {
    size_t entry_start;
    uint32_t entry_count;
    uint32_t corpus;
    uint8_t is_positive;
    uint8_t fold;
};

struct fit_data {
    struct fit_row *rows;
    size_t row_count, row_cap;
    struct fit_entry *entries;
    size_t entry_count, entry_cap;
    size_t corpus_count;
};

struct fit_params {
    double l2;            /* pull towards the rules' own weights, per point squared */
    double max_factor;    /* a weight stays within [w0 / f, w0 * f] */
    unsigned sweeps;      /* coordinate-descent passes */
    /* Per corpus (d->corpus_count items): the flag false-positive rate
     * allowed (FIT_KEEP: no more false positives than the rules' own
     * thresholds give on its training rows) and the reject precision. */
    const double *max_flag_fpr;
    const double *min_reject_precision;
};

#define FIT_KEEP (-1.0)

enum fit_clamp {
    FIT_CLAMP_NONE = 0,
    FIT_CLAMP_LOW = 1,  /* held at w0 / f: the data want it lower, towards 0 or the other sign */
    FIT_CLAMP_HIGH = 2, /* held at w0 * f */
};

struct fit_result {
    int64_t *weight; /* per rule, thousandths */
    uint8_t *clamp;  /* per rule, enum fit_clamp */
    int64_t threshold[4];
    int is_reject_found; /* 0: no reject threshold met the precision; nothing rejected */
    int is_flag_empty;   /* 1: only flagging nothing met the FPR budget */
};

/* Append one comment's fired rules; 0 or -1 when out of memory. */
int fit_data_add(struct fit_data *d, const struct fit_entry *entries, size_t count, uint32_t corpus,
                 int is_positive, unsigned fold);
void fit_data_free(struct fit_data *d);

/* The comment's score as the library computes it (caps, separate
 * categories), with weights in thousandths; scratch has category_count
 * items. */
int64_t fit_score(const struct fit_model *m, const struct fit_data *d, size_t row,
                  const int64_t *weight, int64_t *scratch);

/* The action a score gets under thresholds. */
quell_action fit_action(int64_t score, const int64_t threshold[4]);

/*
 * Fit weights and thresholds on every row whose fold is not held_out (-1:
 * every row): L2-regularised logistic regression on the score, by projected
 * coordinate descent (deterministic), then the lowest thresholds that meet
 * the budget on every corpus. out's arrays are allocated (fit_result_free).
 * @return 0, or -1 when out of memory.
 */
int fit_run(const struct fit_model *m, const struct fit_data *d, int held_out,
            const struct fit_params *p, struct fit_result *out);
void fit_result_free(struct fit_result *r);

#endif /* QUELL_CLI_FIT_H */
