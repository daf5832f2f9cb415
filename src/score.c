/*
 * score.c - turning a comment's merged matches into its verdict: which rules
 * fired, their combinations, category scores and caps, and the action.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "score.h"
#include "util/grow.h"

struct scorer {
    const struct rule_table *table;
    uint8_t *fired;        /* per rule */
    uint32_t *fired_rules; /* rule indexes that fired, for the result list */
    uint8_t *stack;        /* combination evaluation */
    int64_t *category_milli;
    double *category_scores;
    const char **category_names;
    quell_rule_result *results;
    quell_hit *hits;
    size_t hit_cap;
    quell_verdict verdict;
};

int score_new(struct scorer **out, const struct rule_table *table)
{
    *out = NULL;
    struct scorer *sc = calloc(1, sizeof *sc);
    if (!sc)
        return QUELL_ENOMEM;
    sc->table = table;
    size_t rules = table->rule_count ? table->rule_count : 1;
    size_t cats = table->category_count ? table->category_count : 1;
    size_t depth = 1;
    for (size_t i = 0; i < table->rule_count; i++) {
        if (table->rules[i].expr_len > depth)
            depth = table->rules[i].expr_len;
    }
    sc->fired = calloc(rules, sizeof *sc->fired);
    sc->fired_rules = calloc(rules, sizeof *sc->fired_rules);
    sc->stack = calloc(depth, sizeof *sc->stack);
    sc->category_milli = calloc(cats, sizeof *sc->category_milli);
    sc->category_scores = calloc(cats, sizeof *sc->category_scores);
    sc->category_names = calloc(cats, sizeof *sc->category_names);
    sc->results = calloc(rules, sizeof *sc->results);
    if (!sc->fired || !sc->fired_rules || !sc->stack || !sc->category_milli ||
        !sc->category_scores || !sc->category_names || !sc->results) {
        score_free(sc);
        return QUELL_ENOMEM;
    }
    for (size_t i = 0; i < table->category_count; i++)
        sc->category_names[i] = table->categories[i].name;
    *out = sc;
    return QUELL_OK;
}

void score_free(struct scorer *sc)
{
    if (!sc)
        return;
    free(sc->fired);
    free(sc->fired_rules);
    free(sc->stack);
    free(sc->category_milli);
    free(sc->category_scores);
    free(sc->category_names);
    free(sc->results);
    free(sc->hits);
    free(sc);
}

bool score_rule_fired(const struct scorer *sc, uint32_t rule)
{
    return rule < sc->table->rule_count && sc->fired[rule];
}

/* Evaluate a combination's reverse Polish steps over the fired flags.
 * The steps were checked at load time, so the stack neither under- nor
 * overflows. */
static bool eval_combination(struct scorer *sc, const struct rule *r)
{
    const struct expr_step *step = &sc->table->steps[r->expr_start];
    size_t top = 0;
    for (uint32_t i = 0; i < r->expr_len; i++) {
        switch (step[i].op) {
        case EXPR_RULE:
            sc->stack[top++] = sc->fired[step[i].arg];
            break;
        case EXPR_NOT:
            sc->stack[top - 1] = !sc->stack[top - 1];
            break;
        case EXPR_AND:
            top--;
            sc->stack[top - 1] = sc->stack[top - 1] && sc->stack[top];
            break;
        case EXPR_OR:
            top--;
            sc->stack[top - 1] = sc->stack[top - 1] || sc->stack[top];
            break;
        default:
            return false;
        }
    }
    return top == 1 && sc->stack[0];
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_hit(const void *a, const void *b)
{
    const quell_hit *x = a, *y = b;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->rule_id, y->rule_id);
}

static bool reserve_hits(struct scorer *sc, size_t need)
{
    quell_hit *h = grow_array(sc->hits, &sc->hit_cap, need, sizeof *h, 16, GROW_UNCAPPED);
    if (!h)
        return false;
    sc->hits = h;
    return true;
}

int score_run(struct scorer *sc, const struct match *matches, size_t match_count,
              const quell_comment *comment, bool is_truncated, const quell_verdict **out)
{
    const struct rule_table *t = sc->table;
    memset(sc->fired, 0, t->rule_count);
    memset(sc->category_milli, 0, t->category_count * sizeof *sc->category_milli);
    size_t fired_count = 0;
    size_t hit_count = 0;
    if (!reserve_hits(sc, match_count))
        return QUELL_ENOMEM;

    /* Pattern rules: matches arrive grouped by rule. */
    for (size_t i = 0; i < match_count;) {
        uint32_t ri = matches[i].rule;
        size_t j = i;
        while (j < match_count && matches[j].rule == ri)
            j++;
        const struct rule *r = &t->rules[ri];
        size_t count = j - i;
        if (count >= r->min_count) {
            size_t counted = count < r->max_hits ? count : r->max_hits;
            int64_t score = r->weight * (int64_t)counted;
            sc->fired[ri] = 1;
            sc->category_milli[r->category] += score;
            quell_rule_result *res = &sc->results[ri];
            res->rule_id = r->id;
            res->category = t->categories[r->category].name;
            res->index = ri;
            res->count = count;
            res->score = (double)score / SCORE_UNIT;
            sc->fired_rules[fired_count++] = ri;
            for (size_t k = i; k < j; k++) {
                quell_hit *h = &sc->hits[hit_count++];
                h->rule_id = r->id;
                h->category = res->category;
                h->field = (quell_field)matches[k].field;
                h->start = matches[k].start;
                h->end = matches[k].end;
                h->text = comment->text[matches[k].field] + matches[k].start;
                const struct pattern *pat = &t->patterns[matches[k].pattern];
                h->view = rules_view_name(pat->view);
                h->pattern = pat->text;
            }
        }
        i = j;
    }

    /* Combinations, operands first. None holds where no rule fired (the
     * compiler refuses one that would), and most comments fire nothing. */
    for (size_t i = 0; fired_count > 0 && i < t->combo_count; i++) {
        uint32_t ri = t->combo_order[i];
        const struct rule *r = &t->rules[ri];
        if (!eval_combination(sc, r))
            continue;
        sc->fired[ri] = 1;
        sc->category_milli[r->category] += r->weight;
        quell_rule_result *res = &sc->results[ri];
        res->rule_id = r->id;
        res->category = t->categories[r->category].name;
        res->index = ri;
        res->count = 1;
        res->score = (double)r->weight / SCORE_UNIT;
        sc->fired_rules[fired_count++] = ri;
    }

    /* A separate category (personal data, spam) is a different question from
     * abuse: its score chooses an action by itself and never adds to the
     * others', so an e-mail address beside a rude word is held, not
     * rejected. The comment's score is the highest of the sum of the other
     * categories and each separate category's own score, when it has one. */
    int64_t total = 0, separate_max = INT64_MIN;
    for (size_t c = 0; c < t->category_count; c++) {
        int64_t cap = t->categories[c].cap;
        if (cap >= 0 && sc->category_milli[c] > cap)
            sc->category_milli[c] = cap;
        if (!t->categories[c].is_separate)
            total += sc->category_milli[c];
        else if (sc->category_milli[c] != 0 && sc->category_milli[c] > separate_max)
            separate_max = sc->category_milli[c];
        sc->category_scores[c] = (double)sc->category_milli[c] / SCORE_UNIT;
    }
    if (separate_max > total)
        total = separate_max;

    /* Results in rule-file order; the array is reused, so compact it. */
    qsort(sc->fired_rules, fired_count, sizeof *sc->fired_rules, cmp_u32);
    for (size_t i = 0; i < fired_count; i++) {
        uint32_t ri = sc->fired_rules[i];
        if (i != ri)
            sc->results[i] = sc->results[ri];
    }
    if (hit_count > 1)
        qsort(sc->hits, hit_count, sizeof *sc->hits, cmp_hit);

    quell_action action = QUELL_PASS;
    for (int a = QUELL_REJECT; a > QUELL_PASS; a--) {
        if (total >= t->threshold[a]) {
            action = (quell_action)a;
            break;
        }
    }
    quell_verdict *v = &sc->verdict;
    v->action = action;
    v->score = (double)total / SCORE_UNIT;
    v->category_scores = sc->category_scores;
    v->category_names = sc->category_names;
    v->category_count = t->category_count;
    v->rules = sc->results;
    v->rule_count = fired_count;
    v->hits = sc->hits;
    v->hit_count = hit_count;
    v->is_truncated = is_truncated;
    *out = v;
    return QUELL_OK;
}

void score_set_excused(struct scorer *sc, const quell_excused_hit *excused, size_t count)
{
    sc->verdict.excused = excused;
    sc->verdict.excused_count = count;
}

void score_set_rules(struct scorer *sc, const struct quell_rules *rules)
{
    sc->verdict.rules_used = rules;
    sc->verdict.rules_id = rules->id;
}
