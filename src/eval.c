/*
 * eval.c - rules measured against labelled comments: verdicts counted into
 * confusion matrices (overall, per rule, per category, per category's own
 * labels), a table of scores for the threshold sweep, and thresholds
 * proposed for a false-positive budget.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "quell.h"
#include "error.h"
#include "util/grow.h"

#define ACTION_COUNT (QUELL_REJECT + 1)
/* Smallest score table: grows only when compacting leaves it over half full. */
#define SCORES_MIN_CAP 256

/* A label the category map sends to a category. */
struct eval_map {
    char *label; /* NUL-terminated copy, label_len bytes */
    size_t label_len;
    size_t category;
};

/* Comments at one score: the sweep needs only how many of each kind. */
struct eval_score {
    double score;
    uint64_t count[2]; /* [is_positive] */
};

/* What one category did, each count split by [is_positive] or by whether
 * the label maps to the category. */
struct eval_category {
    uint64_t scored[2];            /* [is_positive]: scored in it */
    uint64_t own[ACTION_COUNT][2]; /* [action][is_wanted]: got action with its score */
    uint64_t wanted;               /* labels mapped to it */
};

struct quell_eval {
    const quell_rules *rules; /* held */
    size_t rule_count;
    size_t category_count;
    double threshold[ACTION_COUNT];
    struct eval_map *map;
    size_t map_count;
    uint64_t actions[ACTION_COUNT][2]; /* [action][is_positive] */
    uint64_t (*fired)[2];              /* [rule][is_positive] */
    struct eval_category *categories;  /* [category_count] */
    /* Scores above 0, appended; sorted by falling score and merged when the
     * table fills, so that it holds about as many rows as distinct scores. */
    struct eval_score *scores;
    size_t score_count, score_cap;
};

struct quell_eval_sweep {
    size_t count;
    double *threshold;        /* [count], falling */
    uint64_t (*predicted)[2]; /* [count][is_positive]: scoring at least threshold */
    uint64_t total[2];        /* [is_positive] */
};

/* ---------------------------------------------------------------------- */
/* Ratios                                                                  */

static double ratio(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : QUELL_EVAL_UNDEFINED;
}

double quell_eval_precision(const quell_eval_counts *counts)
{
    return ratio(counts->tp, counts->tp + counts->fp);
}

double quell_eval_recall(const quell_eval_counts *counts)
{
    return ratio(counts->tp, counts->tp + counts->fn);
}

double quell_eval_f1(const quell_eval_counts *counts)
{
    /* 2PR / (P + R), written so that it needs no undefined P or R. */
    return ratio(2 * counts->tp, 2 * counts->tp + counts->fp + counts->fn);
}

double quell_eval_fpr(const quell_eval_counts *counts)
{
    return ratio(counts->fp, counts->fp + counts->tn);
}

/* The matrix of predicted[is_positive] against totals[is_positive]. */
static quell_eval_counts counts_of(const uint64_t predicted[2], uint64_t positives,
                                   uint64_t negatives)
{
    return (quell_eval_counts){predicted[1], predicted[0], positives - predicted[1],
                               negatives - predicted[0]};
}

/* ---------------------------------------------------------------------- */
/* The accumulator                                                         */

static void map_free(struct eval_map *map, size_t count)
{
    for (size_t i = 0; map && i < count; i++)
        free(map[i].label);
    free(map);
}

static size_t category_named(const quell_rules *rules, const char *name)
{
    for (size_t i = 0; i < quell_rules_category_count(rules); i++) {
        if (strcmp(quell_rules_category_name(rules, i), name) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* The category label maps to, or SIZE_MAX. */
static size_t category_of_label(const quell_eval *eval, const char *label, size_t len)
{
    for (size_t i = 0; label && i < eval->map_count; i++) {
        if (eval->map[i].label_len == len && memcmp(eval->map[i].label, label, len) == 0)
            return eval->map[i].category;
    }
    return SIZE_MAX;
}

/* Copy the options' category map into eval. */
static int map_init(quell_eval *eval, const quell_eval_options *options, quell_error *err)
{
    if (!options || options->map_count == 0)
        return QUELL_OK;
    assert(options->map_labels && options->map_categories);
    eval->map = calloc(options->map_count, sizeof *eval->map);
    if (!eval->map)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making an evaluation");
    for (size_t i = 0; i < options->map_count; i++) {
        const char *label = options->map_labels[i], *name = options->map_categories[i];
        assert(label && name);
        size_t category = category_named(eval->rules, name);
        if (category == SIZE_MAX)
            return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                           "category map: the rules have no category '%s'", name);
        size_t len = strlen(label);
        if (category_of_label(eval, label, len) != SIZE_MAX)
            return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                           "category map: label '%s' is mapped twice", label);
        eval->map[i].label = strdup(label);
        if (!eval->map[i].label)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making an evaluation");
        eval->map[i].label_len = len;
        eval->map[i].category = category;
        eval->map_count++;
    }
    return QUELL_OK;
}

int quell_eval_new(quell_eval **out, const quell_rules *rules, const quell_eval_options *options,
                   quell_error *err)
{
    assert(out && rules);
    *out = NULL;
    if (options && options->version > QUELL_EVAL_OPTIONS_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL, "unknown quell_eval_options version %u",
                       options->version);
    quell_eval *eval = calloc(1, sizeof *eval);
    if (!eval)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making an evaluation");
    eval->rules = quell_rules_hold(rules);
    eval->rule_count = quell_rules_rule_count(rules);
    eval->category_count = quell_rules_category_count(rules);
    for (int a = QUELL_FLAG; a < ACTION_COUNT; a++)
        eval->threshold[a] = quell_rules_threshold(rules, (quell_action)a);
    /* One more than needed, so that an empty rule set allocates too. */
    eval->fired = calloc(eval->rule_count + 1, sizeof *eval->fired);
    eval->categories = calloc(eval->category_count + 1, sizeof *eval->categories);
    if (!eval->fired || !eval->categories) {
        quell_eval_free(eval);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making an evaluation");
    }
    int rc = map_init(eval, options, err);
    if (rc != QUELL_OK) {
        quell_eval_free(eval);
        return rc;
    }
    *out = eval;
    return QUELL_OK;
}

void quell_eval_free(quell_eval *eval)
{
    if (!eval)
        return;
    quell_rules_release(eval->rules);
    map_free(eval->map, eval->map_count);
    free(eval->fired);
    free(eval->categories);
    free(eval->scores);
    free(eval);
}

void quell_eval_reset(quell_eval *eval)
{
    memset(eval->actions, 0, sizeof eval->actions);
    memset(eval->fired, 0, (eval->rule_count + 1) * sizeof *eval->fired);
    memset(eval->categories, 0, (eval->category_count + 1) * sizeof *eval->categories);
    eval->score_count = 0;
}

static int compare_score_desc(const void *a, const void *b)
{
    double x = ((const struct eval_score *)a)->score, y = ((const struct eval_score *)b)->score;
    return (x < y) - (x > y);
}

/* Sort scores by falling score and merge equal ones; returns the new count. */
static size_t scores_compact(struct eval_score *scores, size_t count)
{
    if (count == 0)
        return 0; /* scores may be NULL, which qsort must not see */
    qsort(scores, count, sizeof *scores, compare_score_desc);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (n > 0 && scores[n - 1].score == scores[i].score) {
            scores[n - 1].count[0] += scores[i].count[0];
            scores[n - 1].count[1] += scores[i].count[1];
        } else {
            scores[n++] = scores[i];
        }
    }
    return n;
}

/* Make room for extra more rows in eval's score table: compact it first,
 * and grow it when that is not enough or leaves it over half full (so that
 * compacting stays rare: amortised O(log n) a row). Returns -1 out of memory. */
static int scores_reserve(quell_eval *eval, size_t extra)
{
    size_t need;
    /* Catch size_t overflow. */
    if (__builtin_add_overflow(eval->score_count, extra, &need))
        return -1;
    if (need <= eval->score_cap)
        return 0;
    eval->score_count = scores_compact(eval->scores, eval->score_count);
    size_t half_full_cap;
    if (__builtin_add_overflow(eval->score_count, extra, &need) ||
        __builtin_mul_overflow(eval->score_count, 2, &half_full_cap))
        return -1;
    struct eval_score *scores =
        grow_array(eval->scores, &eval->score_cap, need > half_full_cap ? need : half_full_cap,
                   sizeof *scores, SCORES_MIN_CAP, GROW_UNCAPPED);
    if (!scores)
        return -1;
    eval->scores = scores;
    return 0;
}

int quell_eval_add(quell_eval *eval, const quell_verdict *verdict, int is_positive,
                   const char *label, size_t label_len, quell_error *err)
{
    assert(eval && verdict);
    if (verdict->rules_used != eval->rules &&
        (!verdict->rules_id || strcmp(verdict->rules_id, quell_rules_id(eval->rules)) != 0))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "the verdict comes from rules %s, the evaluation has %s",
                       verdict->rules_id ? verdict->rules_id : "(none)",
                       quell_rules_id(eval->rules));
    if ((unsigned)verdict->action >= ACTION_COUNT ||
        verdict->category_count != eval->category_count)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL, "the verdict does not fit its rules");
    /* Room for the score first: past this point nothing can fail, so a
     * failure counts nothing. */
    int has_score = verdict->score > 0;
    if (has_score && scores_reserve(eval, 1) != 0)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory counting a verdict");

    int pos = is_positive != 0;
    eval->actions[verdict->action][pos]++;
    for (size_t i = 0; i < verdict->rule_count; i++) {
        size_t rule = verdict->rules[i].index;
        if (rule < eval->rule_count)
            eval->fired[rule][pos]++;
    }
    size_t wanted = category_of_label(eval, label, label_len);
    for (size_t k = 0; k < eval->category_count; k++) {
        struct eval_category *cat = &eval->categories[k];
        double score = verdict->category_scores[k];
        int is_scored = score > 0;
        int is_wanted = wanted == k;
        cat->scored[pos] += is_scored;
        cat->wanted += is_wanted;
        int is_separate = quell_rules_category_is_separate(eval->rules, k);
        for (int a = QUELL_FLAG; a < ACTION_COUNT; a++) {
            /* A separate category's score chooses its action alone. */
            int is_own =
                is_separate ? score >= eval->threshold[a] : (int)verdict->action >= a && is_scored;
            cat->own[a][is_wanted] += is_own;
        }
    }
    if (has_score) {
        struct eval_score *s = &eval->scores[eval->score_count++];
        s->score = verdict->score;
        s->count[pos] = 1;
        s->count[!pos] = 0;
    }
    return QUELL_OK;
}

static int is_same_map(const quell_eval *a, const quell_eval *b)
{
    if (a->map_count != b->map_count)
        return 0;
    for (size_t i = 0; i < a->map_count; i++) {
        if (a->map[i].category != b->map[i].category ||
            category_of_label(b, a->map[i].label, a->map[i].label_len) != a->map[i].category)
            return 0;
    }
    return 1;
}

int quell_eval_merge(quell_eval *dst, const quell_eval *src, quell_error *err)
{
    assert(dst && src && dst != src);
    if (strcmp(quell_rules_id(dst->rules), quell_rules_id(src->rules)) != 0)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "cannot merge evaluations of different rules (%s, %s)",
                       quell_rules_id(dst->rules), quell_rules_id(src->rules));
    if (!is_same_map(dst, src))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "cannot merge evaluations with different category maps");
    if (scores_reserve(dst, src->score_count) != 0)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory merging evaluations");

    for (int a = 0; a < ACTION_COUNT; a++) {
        dst->actions[a][0] += src->actions[a][0];
        dst->actions[a][1] += src->actions[a][1];
    }
    for (size_t i = 0; i < dst->rule_count; i++) {
        dst->fired[i][0] += src->fired[i][0];
        dst->fired[i][1] += src->fired[i][1];
    }
    for (size_t k = 0; k < dst->category_count; k++) {
        struct eval_category *d = &dst->categories[k];
        const struct eval_category *s = &src->categories[k];
        for (int pos = 0; pos < 2; pos++) {
            d->scored[pos] += s->scored[pos];
            for (int a = 0; a < ACTION_COUNT; a++)
                d->own[a][pos] += s->own[a][pos];
        }
        d->wanted += s->wanted;
    }
    if (src->score_count > 0)
        memcpy(dst->scores + dst->score_count, src->scores, src->score_count * sizeof *src->scores);
    dst->score_count += src->score_count;
    return QUELL_OK;
}

/* ---------------------------------------------------------------------- */
/* Figures                                                                 */

static uint64_t positives(const quell_eval *eval, int pos)
{
    uint64_t n = 0;
    for (int a = 0; a < ACTION_COUNT; a++)
        n += eval->actions[a][pos];
    return n;
}

static int is_graded(quell_action action)
{
    return action >= QUELL_FLAG && action <= QUELL_REJECT;
}

uint64_t quell_eval_comment_count(const quell_eval *eval)
{
    return positives(eval, 0) + positives(eval, 1);
}

int quell_eval_counts_get(const quell_eval *eval, quell_action action, quell_eval_counts *out)
{
    memset(out, 0, sizeof *out);
    if (!is_graded(action))
        return QUELL_EINVAL;
    uint64_t predicted[2] = {0, 0};
    for (int a = (int)action; a < ACTION_COUNT; a++) {
        predicted[0] += eval->actions[a][0];
        predicted[1] += eval->actions[a][1];
    }
    *out = counts_of(predicted, positives(eval, 1), positives(eval, 0));
    return QUELL_OK;
}

uint64_t quell_eval_action_count(const quell_eval *eval, quell_action action, int is_positive)
{
    if ((unsigned)action >= ACTION_COUNT)
        return 0;
    return eval->actions[action][is_positive != 0];
}

int quell_eval_rule_counts(const quell_eval *eval, size_t rule, quell_eval_counts *out)
{
    memset(out, 0, sizeof *out);
    if (rule >= eval->rule_count)
        return QUELL_EINVAL;
    *out = counts_of(eval->fired[rule], positives(eval, 1), positives(eval, 0));
    return QUELL_OK;
}

int quell_eval_category_counts(const quell_eval *eval, size_t category, quell_eval_counts *out)
{
    memset(out, 0, sizeof *out);
    if (category >= eval->category_count)
        return QUELL_EINVAL;
    *out = counts_of(eval->categories[category].scored, positives(eval, 1), positives(eval, 0));
    return QUELL_OK;
}

int quell_eval_category_own_counts(const quell_eval *eval, size_t category, quell_action action,
                                   quell_eval_counts *out)
{
    memset(out, 0, sizeof *out);
    if (category >= eval->category_count || !is_graded(action))
        return QUELL_EINVAL;
    const struct eval_category *cat = &eval->categories[category];
    *out = counts_of(cat->own[action], cat->wanted, quell_eval_comment_count(eval) - cat->wanted);
    return QUELL_OK;
}

/* ---------------------------------------------------------------------- */
/* The sweep                                                               */

int quell_eval_sweep_new(quell_eval_sweep **out, const quell_eval *eval, quell_error *err)
{
    assert(out && eval);
    *out = NULL;
    size_t n = eval->score_count;
    struct eval_score *scores = malloc((n ? n : 1) * sizeof *scores);
    quell_eval_sweep *sweep = calloc(1, sizeof *sweep);
    if (!scores || !sweep)
        goto fail_nomem;
    if (n > 0)
        memcpy(scores, eval->scores, n * sizeof *scores);
    n = scores_compact(scores, n);
    sweep->threshold = calloc(n ? n : 1, sizeof *sweep->threshold);
    sweep->predicted = calloc(n ? n : 1, sizeof *sweep->predicted);
    if (!sweep->threshold || !sweep->predicted)
        goto fail_nomem;
    uint64_t sum[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        sum[0] += scores[i].count[0];
        sum[1] += scores[i].count[1];
        sweep->threshold[i] = scores[i].score;
        sweep->predicted[i][0] = sum[0];
        sweep->predicted[i][1] = sum[1];
    }
    sweep->count = n;
    sweep->total[0] = positives(eval, 0);
    sweep->total[1] = positives(eval, 1);
    free(scores);
    *out = sweep;
    return QUELL_OK;

fail_nomem:
    free(scores);
    quell_eval_sweep_free(sweep);
    return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a threshold sweep");
}

void quell_eval_sweep_free(quell_eval_sweep *sweep)
{
    if (!sweep)
        return;
    free(sweep->threshold);
    free(sweep->predicted);
    free(sweep);
}

size_t quell_eval_sweep_count(const quell_eval_sweep *sweep)
{
    return sweep->count;
}

double quell_eval_sweep_threshold(const quell_eval_sweep *sweep, size_t i)
{
    return i < sweep->count ? sweep->threshold[i] : 0;
}

int quell_eval_sweep_counts(const quell_eval_sweep *sweep, size_t i, quell_eval_counts *out)
{
    memset(out, 0, sizeof *out);
    if (i >= sweep->count)
        return QUELL_EINVAL;
    *out = counts_of(sweep->predicted[i], sweep->total[1], sweep->total[0]);
    return QUELL_OK;
}

int quell_eval_sweep_propose(const quell_eval_sweep *sweep, double max_fpr, size_t *out)
{
    *out = QUELL_EVAL_NONE;
    /* Written so that NaN fails too. */
    if (!(max_fpr >= 0 && max_fpr <= 1))
        return QUELL_EINVAL;
    uint64_t negatives = sweep->total[0];
    /* False positives only grow as the threshold falls: the last point
     * within the budget is the lowest threshold. */
    for (size_t i = 0; i < sweep->count; i++) {
        uint64_t fp = sweep->predicted[i][0];
        if (negatives > 0 ? (double)fp / (double)negatives > max_fpr : fp > 0)
            break;
        *out = i;
    }
    return QUELL_OK;
}
