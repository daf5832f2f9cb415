/*
 * fit.c - rule weights and thresholds fitted to labelled comments, as
 * SpamAssassin's and Rspamd's rescorers do: a logistic regression on each
 * comment's score, pulled towards the rules' own weights, that never changes
 * a weight's sign nor touches a separate category; then the lowest
 * thresholds within a false-positive budget on every corpus.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "util/grow.h"

/* A Newton step moves one weight by at most this many points, so that a
 * rule seen on a handful of comments cannot jump. */
#define FIT_MAX_STEP 2.0

int fit_data_add(struct fit_data *d, const struct fit_entry *entries, size_t count, uint32_t corpus,
                 int is_positive, unsigned fold)
{
    struct fit_row *rows =
        grow_array(d->rows, &d->row_cap, d->row_count + 1, sizeof *rows, 1024, GROW_UNCAPPED);
    if (!rows)
        return -1;
    d->rows = rows;
    size_t need;
    if (__builtin_add_overflow(d->entry_count, count, &need))
        return -1;
    struct fit_entry *e =
        grow_array(d->entries, &d->entry_cap, need, sizeof *e, 1024, GROW_UNCAPPED);
    if (!e)
        return -1;
    d->entries = e;
    if (count)
        memcpy(e + d->entry_count, entries, count * sizeof *e);
    struct fit_row *row = &d->rows[d->row_count++];
    row->entry_start = d->entry_count;
    row->entry_count = (uint32_t)count;
    row->corpus = corpus;
    row->is_positive = is_positive != 0;
    row->fold = (uint8_t)fold;
    d->entry_count = need;
    if (corpus + 1 > d->corpus_count)
        d->corpus_count = corpus + 1;
    return 0;
}

void fit_data_free(struct fit_data *d)
{
    free(d->rows);
    free(d->entries);
    memset(d, 0, sizeof *d);
}

void fit_result_free(struct fit_result *r)
{
    free(r->weight);
    free(r->clamp);
    r->weight = NULL;
    r->clamp = NULL;
}

/* The same sums, caps and separate categories as score.c's score_run. */
int64_t fit_score(const struct fit_model *m, const struct fit_data *d, size_t row,
                  const int64_t *weight, int64_t *scratch)
{
    const struct fit_row *r = &d->rows[row];
    memset(scratch, 0, m->category_count * sizeof *scratch);
    for (uint32_t k = 0; k < r->entry_count; k++) {
        const struct fit_entry *e = &d->entries[r->entry_start + k];
        scratch[m->category[e->rule]] += weight[e->rule] * (int64_t)e->counted;
    }
    int64_t total = 0, separate_max = INT64_MIN;
    for (size_t c = 0; c < m->category_count; c++) {
        if (m->cap[c] >= 0 && scratch[c] > m->cap[c])
            scratch[c] = m->cap[c];
        if (!m->is_separate[c])
            total += scratch[c];
        else if (scratch[c] != 0 && scratch[c] > separate_max)
            separate_max = scratch[c];
    }
    return separate_max > total ? separate_max : total;
}

quell_action fit_action(int64_t score, const int64_t threshold[4])
{
    for (int a = QUELL_REJECT; a > QUELL_PASS; a--) {
        if (score >= threshold[a])
            return (quell_action)a;
    }
    return QUELL_PASS;
}

/* The score in points with weights w (points), and how it moves with rule
 * `rule`'s weight: 0 where a cap holds the category or a separate category
 * decides the score. */
static double row_score(const struct fit_model *m, const struct fit_data *d, size_t row,
                        const double *w, double *scratch, uint32_t rule, double *deriv)
{
    const struct fit_row *r = &d->rows[row];
    double counted = 0;
    memset(scratch, 0, m->category_count * sizeof *scratch);
    for (uint32_t k = 0; k < r->entry_count; k++) {
        const struct fit_entry *e = &d->entries[r->entry_start + k];
        scratch[m->category[e->rule]] += w[e->rule] * e->counted;
        if (e->rule == rule)
            counted += e->counted;
    }
    double total = 0, separate_max = -HUGE_VAL;
    int is_capped = 0;
    for (size_t c = 0; c < m->category_count; c++) {
        double cap = (double)m->cap[c] / FIT_UNIT;
        if (m->cap[c] >= 0 && scratch[c] > cap) {
            scratch[c] = cap;
            is_capped |= rule < m->rule_count && m->category[rule] == c;
        }
        if (!m->is_separate[c])
            total += scratch[c];
        else if (scratch[c] != 0 && scratch[c] > separate_max)
            separate_max = scratch[c];
    }
    if (deriv)
        *deriv = is_capped || separate_max > total ? 0 : counted;
    return separate_max > total ? separate_max : total;
}

static double sigmoid(double z)
{
    return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

struct scored {
    int64_t score;
    size_t row;
};

static int compare_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/*
 * The scale's floors: a rule whose weight alone (after its category's cap)
 * did not hold or reject under the rules' own thresholds must not under the
 * fitted ones either. The budget places flag (its false-positive rate) and
 * reject (its precision), but a corpus whose positives all score one plain
 * word pulls hold and reject down onto flag, and then one word (or a
 * separate category such as spam, which holds but never rejects) rejects a
 * comment alone: what the folds allow, a moderator would not. Flag has no
 * floor: that a weak rule should flag alone is what the fit may learn.
 * floor[a] is one more than the highest such lone weight, or 0.
 */
static void scale_floors(const struct fit_model *m, const int64_t *weight, int64_t floor_[4])
{
    for (int a = 0; a < 4; a++)
        floor_[a] = 0;
    for (size_t r = 0; r < m->rule_count; r++) {
        int64_t cap = m->cap[m->category[r]];
        int64_t was = m->weight0[r], now = weight[r];
        if (cap >= 0) {
            was = was < cap ? was : cap;
            now = now < cap ? now : cap;
        }
        for (int a = QUELL_HOLD; a <= QUELL_REJECT; a++) {
            if (was > 0 && was < m->threshold0[a] && now + 1 > floor_[a])
                floor_[a] = now + 1;
        }
    }
}

/* The lowest flag threshold whose false-positive rate is within budget on
 * every corpus, and the lowest reject threshold above which precision stays
 * at least min_precision on every corpus that rejects anything; none below
 * the scale's floors. */
static int choose_thresholds(const struct fit_model *m, const struct fit_data *d, int held_out,
                             const int64_t *score, const struct fit_params *p,
                             struct fit_result *out)
{
    size_t n = d->row_count, nc = d->corpus_count;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *neg = calloc(nc ? nc : 1, sizeof *neg);
    size_t *seen = calloc(nc ? nc : 1, sizeof *seen);
    size_t *tp = calloc(nc ? nc : 1, sizeof *tp);
    size_t *fp = calloc(nc ? nc : 1, sizeof *fp);
    size_t *keep = calloc(nc ? nc : 1, sizeof *keep);
    int64_t *scratch = calloc(m->category_count ? m->category_count : 1, sizeof *scratch);
    int rc = -1;
    if (!idx || !neg || !seen || !tp || !fp || !keep || !scratch)
        goto out_free;
    size_t count = 0;
    int64_t max_score = 0;
    for (size_t i = 0; i < n; i++) {
        if ((int)d->rows[i].fold == held_out)
            continue;
        idx[count++] = i;
        neg[d->rows[i].corpus] += !d->rows[i].is_positive;
        /* FIT_KEEP: the rules' own false positives are the allowance. */
        if (!d->rows[i].is_positive &&
            fit_score(m, d, i, m->weight0, scratch) >= m->threshold0[QUELL_FLAG])
            keep[d->rows[i].corpus]++;
        if (score[i] > max_score)
            max_score = score[i];
    }
    /* Highest score first; ties by row, so the order is fixed. */
    struct scored *pairs = malloc((count ? count : 1) * sizeof *pairs);
    if (!pairs)
        goto out_free;
    for (size_t i = 0; i < count; i++) {
        pairs[i].score = score[idx[i]];
        pairs[i].row = idx[i];
    }
    qsort(pairs, count, sizeof *pairs, compare_scored);
    for (size_t i = 0; i < count; i++)
        idx[i] = pairs[i].row;
    free(pairs);

    /* Flag: walking down, the threshold must stay above the (k+1)-th
     * negative of each corpus, k = budget * negatives. */
    int64_t flag = 1;
    for (size_t i = 0; i < count; i++) {
        const struct fit_row *r = &d->rows[idx[i]];
        if (r->is_positive || score[idx[i]] <= 0)
            continue;
        double budget = p->max_flag_fpr[r->corpus];
        size_t allowed = budget < 0 ? keep[r->corpus]
                                    : (size_t)floor(budget * (double)neg[r->corpus] + 1e-9);
        if (++seen[r->corpus] > allowed && score[idx[i]] + 1 > flag)
            flag = score[idx[i]] + 1;
    }
    int64_t floor_[4];
    scale_floors(m, out->weight, floor_);
    out->is_flag_empty = flag > max_score;

    /* Reject: the lowest score s such that every threshold from the top
     * down to s keeps each corpus's precision. */
    int64_t reject = -1;
    size_t bad = 0; /* corpora below the precision now */
    for (size_t i = 0; i < count;) {
        int64_t s = score[idx[i]];
        if (s < flag + 2 || s < floor_[QUELL_REJECT])
            break;
        size_t j = i;
        for (; j < count && score[idx[j]] == s; j++) {
            const struct fit_row *r = &d->rows[idx[j]];
            size_t c = r->corpus;
            double need = p->min_reject_precision[c];
            int was_bad = (double)tp[c] < need * (double)(tp[c] + fp[c]);
            tp[c] += r->is_positive;
            fp[c] += !r->is_positive;
            int is_bad = (double)tp[c] < need * (double)(tp[c] + fp[c]);
            bad += (size_t)is_bad - (size_t)was_bad;
        }
        if (bad > 0)
            break;
        reject = s;
        i = j;
    }
    out->is_reject_found = reject >= 0;
    if (reject < 0) {
        reject = (max_score > flag ? max_score : flag) + 2;
        if (reject < floor_[QUELL_REJECT])
            reject = floor_[QUELL_REJECT];
    }

    /* Hold keeps its place between flag and reject. */
    const int64_t *t0 = m->threshold0;
    double share = (double)(t0[QUELL_HOLD] - t0[QUELL_FLAG]) /
                   (double)(t0[QUELL_REJECT] - t0[QUELL_FLAG]);
    int64_t hold = flag + (int64_t)llround(share * (double)(reject - flag));
    if (hold < floor_[QUELL_HOLD])
        hold = floor_[QUELL_HOLD];
    if (hold <= flag)
        hold = flag + 1;
    if (hold >= reject)
        hold = reject - 1;
    out->threshold[QUELL_PASS] = 0;
    out->threshold[QUELL_FLAG] = flag;
    out->threshold[QUELL_HOLD] = hold;
    out->threshold[QUELL_REJECT] = reject;
    rc = 0;
out_free:
    free(idx);
    free(neg);
    free(seen);
    free(tp);
    free(fp);
    free(keep);
    free(scratch);
    return rc;
}

/* One Newton step on the bias, over the training rows. */
static void step_bias(const struct fit_data *d, const uint8_t *is_train, const double *v,
                      const double *s, double *bias)
{
    double g = 0, h = 1e-9;
    for (size_t i = 0; i < d->row_count; i++) {
        if (!is_train[i])
            continue;
        double pr = sigmoid(s[i] - *bias);
        g -= v[i] * (pr - d->rows[i].is_positive);
        h += v[i] * pr * (1 - pr);
    }
    double step = -g / h;
    if (step > FIT_MAX_STEP)
        step = FIT_MAX_STEP;
    if (step < -FIT_MAX_STEP)
        step = -FIT_MAX_STEP;
    *bias += step;
}

int fit_run(const struct fit_model *m, const struct fit_data *d, int held_out,
            const struct fit_params *p, struct fit_result *out)
{
    size_t nr = m->rule_count, n = d->row_count;
    memset(out, 0, sizeof *out);
    out->weight = calloc(nr ? nr : 1, sizeof *out->weight);
    out->clamp = calloc(nr ? nr : 1, sizeof *out->clamp);
    double *w = calloc(nr ? nr : 1, sizeof *w);
    double *lo = calloc(nr ? nr : 1, sizeof *lo);
    double *hi = calloc(nr ? nr : 1, sizeof *hi);
    double *grad = calloc(nr ? nr : 1, sizeof *grad);
    size_t *col_start = calloc(nr + 1, sizeof *col_start);
    double *s = calloc(n ? n : 1, sizeof *s);
    double *v = calloc(n ? n : 1, sizeof *v);
    uint8_t *is_train = calloc(n ? n : 1, 1);
    double *scratch = calloc(m->category_count ? m->category_count : 1, sizeof *scratch);
    int64_t *iscratch = calloc(m->category_count ? m->category_count : 1, sizeof *iscratch);
    int64_t *iscore = calloc(n ? n : 1, sizeof *iscore);
    size_t *train_count = calloc(d->corpus_count ? d->corpus_count : 1, sizeof *train_count);
    size_t *col_rows = NULL;
    int rc = -1;
    if (!out->weight || !out->clamp || !w || !lo || !hi || !grad || !col_start || !s || !v ||
        !is_train || !scratch || !iscratch || !iscore || !train_count)
        goto out_free;

    /* Each corpus weighs the same, whatever its size. */
    size_t corpora = 0;
    for (size_t i = 0; i < n; i++) {
        is_train[i] = (int)d->rows[i].fold != held_out;
        train_count[d->rows[i].corpus] += is_train[i];
    }
    for (size_t c = 0; c < d->corpus_count; c++)
        corpora += train_count[c] > 0;
    for (size_t i = 0; i < n; i++) {
        if (is_train[i])
            v[i] = 1.0 / ((double)train_count[d->rows[i].corpus] * (double)corpora);
    }
    for (size_t r = 0; r < nr; r++) {
        double w0 = (double)m->weight0[r] / FIT_UNIT;
        w[r] = w0;
        lo[r] = hi[r] = w0;
        if (m->is_free[r]) {
            lo[r] = w0 > 0 ? w0 / p->max_factor : w0 * p->max_factor;
            hi[r] = w0 > 0 ? w0 * p->max_factor : w0 / p->max_factor;
        }
    }

    /* Columns: the training rows each free rule fired on. */
    for (size_t i = 0; i < n; i++) {
        const struct fit_row *row = &d->rows[i];
        for (uint32_t k = 0; is_train[i] && k < row->entry_count; k++) {
            uint32_t r = d->entries[row->entry_start + k].rule;
            col_start[r + 1] += m->is_free[r];
        }
    }
    for (size_t r = 0; r < nr; r++)
        col_start[r + 1] += col_start[r];
    col_rows = malloc((col_start[nr] ? col_start[nr] : 1) * sizeof *col_rows);
    size_t *fill = calloc(nr ? nr : 1, sizeof *fill);
    if (!col_rows || !fill) {
        free(fill);
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        const struct fit_row *row = &d->rows[i];
        for (uint32_t k = 0; is_train[i] && k < row->entry_count; k++) {
            uint32_t r = d->entries[row->entry_start + k].rule;
            if (m->is_free[r])
                col_rows[col_start[r] + fill[r]++] = i;
        }
    }
    free(fill);

    for (size_t i = 0; i < n; i++)
        s[i] = is_train[i] ? row_score(m, d, i, w, scratch, UINT32_MAX, NULL) : 0;
    double bias = (double)m->threshold0[QUELL_FLAG] / FIT_UNIT;
    for (unsigned sweep = 0; sweep < p->sweeps; sweep++) {
        for (int k = 0; k < 3; k++)
            step_bias(d, is_train, v, s, &bias);
        for (size_t r = 0; r < nr; r++) {
            if (col_start[r] == col_start[r + 1])
                continue;
            double g = 2 * p->l2 * (w[r] - (double)m->weight0[r] / FIT_UNIT);
            double h = 2 * p->l2 + 1e-12;
            for (size_t c = col_start[r]; c < col_start[r + 1]; c++) {
                size_t i = col_rows[c];
                double deriv;
                row_score(m, d, i, w, scratch, (uint32_t)r, &deriv);
                double pr = sigmoid(s[i] - bias);
                g += v[i] * (pr - d->rows[i].is_positive) * deriv;
                h += v[i] * pr * (1 - pr) * deriv * deriv;
            }
            grad[r] = g;
            double step = -g / h;
            if (step > FIT_MAX_STEP)
                step = FIT_MAX_STEP;
            if (step < -FIT_MAX_STEP)
                step = -FIT_MAX_STEP;
            double nw = w[r] + step;
            w[r] = nw < lo[r] ? lo[r] : nw > hi[r] ? hi[r] : nw;
            for (size_t c = col_start[r]; c < col_start[r + 1]; c++)
                s[col_rows[c]] = row_score(m, d, col_rows[c], w, scratch, UINT32_MAX, NULL);
        }
    }

    /* Thousandths, as the rules keep them; a weight never rounds to 0. */
    for (size_t r = 0; r < nr; r++) {
        int64_t q = (int64_t)llround(w[r] * FIT_UNIT);
        if (m->weight0[r] > 0 && q < 1)
            q = 1;
        if (m->weight0[r] < 0 && q > -1)
            q = -1;
        out->weight[r] = m->is_free[r] ? q : m->weight0[r];
        if (!m->is_free[r] || lo[r] == hi[r])
            continue;
        /* At a bound with the gradient pushing past it: the fit wanted more. */
        double near_zero = m->weight0[r] > 0 ? lo[r] : hi[r];
        double far = m->weight0[r] > 0 ? hi[r] : lo[r];
        int wants_down = grad[r] > 1e-12, wants_up = grad[r] < -1e-12;
        if (w[r] == near_zero && (m->weight0[r] > 0 ? wants_down : wants_up))
            out->clamp[r] = FIT_CLAMP_LOW;
        else if (w[r] == far && (m->weight0[r] > 0 ? wants_up : wants_down))
            out->clamp[r] = FIT_CLAMP_HIGH;
    }
    for (size_t i = 0; i < n; i++)
        iscore[i] = is_train[i] ? fit_score(m, d, i, out->weight, iscratch) : 0;
    rc = choose_thresholds(m, d, held_out, iscore, p, out);

out_free:
    free(w);
    free(lo);
    free(hi);
    free(grad);
    free(col_start);
    free(col_rows);
    free(s);
    free(v);
    free(is_train);
    free(scratch);
    free(iscratch);
    free(iscore);
    free(train_count);
    if (rc != 0)
        fit_result_free(out);
    return rc;
}
