/*
 * score.c - turning a comment's merged matches into its verdict: which rules
 * fired, their combinations, category scores and caps, and the action.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ruleset.h"
#include "score.h"
#include "utf8.h"
#include "util/grow.h"

/* A word of a field's original text: a run of word characters (utf8.h), the
 * unit near() and before() count. */
struct word {
    size_t start;
    size_t end;
};

/* The words of one field, found when a near() first needs them. */
struct word_index {
    struct word *words;
    size_t count;
    size_t cap;
    bool is_built;
};

struct scorer {
    const struct rule_table *table;
    const uint32_t *combo_users_first; /* the rules' users (ruleset.h) */
    const uint32_t *combo_users;
    /* A bit per position in combo_order: the combinations to evaluate in
     * this comment, those with an operand that fired. All clear between
     * comments. */
    uint64_t *due;
    size_t due_words;
    const quell_comment *comment; /* the one being scored */
    uint8_t *fired;               /* per rule */
    uint32_t *fired_rules;        /* rule indexes that fired, for the result list */
    /* Per rule that fired: its hits are hits[hit_first .. + hit_len), sorted
     * by field and start until the final sort (a combination's are the
     * spans its near() terms found). */
    uint32_t *hit_first;
    uint32_t *hit_len;
    struct word_index words[QUELL_FIELD_COUNT];
    uint8_t *marks; /* near(): which operand hits have a partner */
    size_t mark_cap;
    size_t *max_end; /* near(): running maximum of the second operand's ends */
    size_t max_end_cap;
    uint32_t *pending; /* hit indexes a combination records if it holds */
    size_t pending_count;
    size_t pending_cap;
    uint8_t *stack;                /* combination evaluation */
    const uint32_t *context_rules; /* the rules' (ruleset.h) */
    size_t context_rule_count;
    quell_context_facts facts; /* the verdict's context, a copy */
    int64_t *category_milli;
    double *category_scores;
    const char **category_names;
    quell_rule_result *results;
    quell_hit *hits;
    size_t hit_cap;
    quell_verdict verdict;
};

int score_new(struct scorer **out, const struct quell_rules *rules)
{
    *out = NULL;
    const struct rule_table *table = rules->table;
    struct scorer *sc = calloc(1, sizeof *sc);
    if (!sc)
        return QUELL_ENOMEM;
    sc->table = table;
    sc->combo_users_first = rules->combo_users_first;
    sc->combo_users = rules->combo_users;
    sc->due_words = (table->combo_count + 63) / 64;
    size_t rule_slots = table->rule_count ? table->rule_count : 1;
    size_t cats = table->category_count ? table->category_count : 1;
    size_t depth = 1;
    for (size_t i = 0; i < table->rule_count; i++) {
        if (table->rules[i].expr_len > depth)
            depth = table->rules[i].expr_len;
    }
    sc->fired = calloc(rule_slots, sizeof *sc->fired);
    sc->fired_rules = calloc(rule_slots, sizeof *sc->fired_rules);
    sc->stack = calloc(depth, sizeof *sc->stack);
    sc->category_milli = calloc(cats, sizeof *sc->category_milli);
    sc->category_scores = calloc(cats, sizeof *sc->category_scores);
    sc->category_names = calloc(cats, sizeof *sc->category_names);
    sc->results = calloc(rule_slots, sizeof *sc->results);
    sc->hit_first = calloc(rule_slots, sizeof *sc->hit_first);
    sc->hit_len = calloc(rule_slots, sizeof *sc->hit_len);
    sc->due = calloc(sc->due_words ? sc->due_words : 1, sizeof *sc->due);
    sc->context_rules = rules->context_rules;
    sc->context_rule_count = rules->context_rule_count;
    if (!sc->fired || !sc->fired_rules || !sc->stack || !sc->category_milli ||
        !sc->category_scores || !sc->category_names || !sc->results || !sc->hit_first ||
        !sc->hit_len || !sc->due) {
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
    free(sc->hit_first);
    free(sc->hit_len);
    free(sc->due);
    for (int f = 0; f < QUELL_FIELD_COUNT; f++)
        free(sc->words[f].words);
    free(sc->marks);
    free(sc->max_end);
    free(sc->pending);
    free(sc->hits);
    free(sc);
}

bool score_rule_fired(const struct scorer *sc, uint32_t rule)
{
    return rule < sc->table->rule_count && sc->fired[rule];
}

/* Find the words of field f once per comment: a word ends where a
 * non-word character or the text's end follows a word character. */
static int build_words(struct scorer *sc, quell_field f)
{
    struct word_index *wi = &sc->words[f];
    if (wi->is_built)
        return QUELL_OK;
    const char *text = sc->comment->text[f];
    size_t len = text ? sc->comment->text_len[f] : 0;
    wi->count = 0;
    size_t off = 0, start = 0;
    bool in_word = false;
    while (off <= len) {
        size_t next = len + 1;
        bool is_word = off < len && utf8_is_word_char(utf8_decode_at(text, len, off, &next));
        if (is_word && !in_word)
            start = off;
        if (!is_word && in_word) {
            struct word *w =
                grow_array(wi->words, &wi->cap, wi->count + 1, sizeof *w, 64, GROW_UNCAPPED);
            if (!w)
                return QUELL_ENOMEM;
            wi->words = w;
            wi->words[wi->count++] = (struct word){start, off};
        }
        in_word = is_word;
        off = next;
    }
    wi->is_built = true;
    return QUELL_OK;
}

/* The words that lie wholly in [from, to) of a field. Words are disjoint
 * and in order, so both their starts and their ends ascend. */
static size_t words_between(const struct word_index *wi, size_t from, size_t to)
{
    size_t lo = 0, hi = wi->count;
    while (lo < hi) { /* first word starting at or after from */
        size_t mid = lo + (hi - lo) / 2;
        if (wi->words[mid].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    hi = wi->count;
    while (lo < hi) { /* first word ending after to */
        size_t mid = lo + (hi - lo) / 2;
        if (wi->words[mid].end <= to)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - first;
}

static bool reserve_hits(struct scorer *sc, size_t need);
static int cmp_hit(const void *a, const void *b);

/* Queue hit index h for the combination being evaluated. */
static bool push_pending(struct scorer *sc, uint32_t h)
{
    uint32_t *p = grow_array(sc->pending, &sc->pending_cap, sc->pending_count + 1, sizeof *p, 16,
                             GROW_UNCAPPED);
    if (!p)
        return false;
    sc->pending = p;
    sc->pending[sc->pending_count++] = h;
    return true;
}

/*
 * near(ra, rb, words) or, when is_ordered, before(ra, rb, words): whether a
 * hit of ra and one of rb in the same field have at most `words` words
 * between them (overlapping hits have none; before() wants the first to end
 * where or before the second starts). Both rules fired, so both have hits
 * sorted by field and start. With is_recorded, every hit that has a partner
 * is queued for the combination's own hits; otherwise the first pair found
 * decides.
 */
static int eval_near(struct scorer *sc, uint32_t ra, uint32_t rb, uint32_t words, bool is_ordered,
                     bool is_recorded, bool *out)
{
    *out = false;
    size_t a0 = sc->hit_first[ra], na = sc->hit_len[ra];
    size_t b0 = sc->hit_first[rb], nb = sc->hit_len[rb];
    uint8_t *m = grow_array(sc->marks, &sc->mark_cap, na + nb, 1, 64, GROW_UNCAPPED);
    if (!m)
        return QUELL_ENOMEM;
    sc->marks = m;
    memset(m, 0, na + nb);
    size_t *me = grow_array(sc->max_end, &sc->max_end_cap, nb, sizeof *me, 64, GROW_UNCAPPED);
    if (!me)
        return QUELL_ENOMEM;
    sc->max_end = me;
    const quell_hit *A = sc->hits + a0, *B = sc->hits + b0;
    /* The furthest any of B[0..j] reaches, so a walk back from x can stop
     * once even that is too far. */
    for (size_t j = 0; j < nb; j++)
        me[j] = j && me[j - 1] > B[j].end && B[j - 1].field == B[j].field ? me[j - 1] : B[j].end;
    for (size_t i = 0; i < na && (is_recorded || !*out); i++) {
        const quell_hit *x = &A[i];
        int rc = build_words(sc, x->field);
        if (rc)
            return rc;
        const struct word_index *wi = &sc->words[x->field];
        size_t lo = 0, hi = nb; /* first y at or after x */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (B[mid].field < x->field || (B[mid].field == x->field && B[mid].start < x->start))
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t j = lo; j < nb && B[j].field == x->field; j++) {
            const quell_hit *y = &B[j];
            if (ra == rb && i == j)
                continue;
            if (y->start < x->end) {
                if (is_ordered)
                    continue;
            } else if (words_between(wi, x->end, y->start) > words) {
                break;
            }
            m[i] = m[na + j] = 1;
            *out = true;
            if (!is_recorded)
                break;
        }
        for (size_t j = lo; !is_ordered && j-- > 0 && B[j].field == x->field;) {
            const quell_hit *y = &B[j];
            if (me[j] <= x->start && words_between(wi, me[j], x->start) > words)
                break;
            if (ra == rb && i == j)
                continue;
            if (y->end > x->start || words_between(wi, y->end, x->start) <= words) {
                m[i] = m[na + j] = 1;
                *out = true;
                if (!is_recorded)
                    break;
            }
        }
    }
    for (size_t k = 0; is_recorded && k < na + nb; k++) {
        if (m[k] && !push_pending(sc, (uint32_t)(k < na ? a0 + k : b0 + (k - na))))
            return QUELL_ENOMEM;
    }
    return QUELL_OK;
}

/* Evaluate a combination's reverse Polish steps over the fired flags and,
 * for near() and before(), the fired rules' hits. The steps were checked at
 * load time, so the stack neither under- nor overflows. */
static int eval_combination(struct scorer *sc, const struct rule *r, bool *out)
{
    const struct expr_step *step = &sc->table->steps[r->expr_start];
    size_t top = 0;
    *out = false;
    sc->pending_count = 0;
    for (uint32_t i = 0; i < r->expr_len; i++) {
        switch (step[i].op) {
        case EXPR_RULE:
        case EXPR_SPAN:
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
        case EXPR_NEAR:
        case EXPR_BEFORE: {
            top--;
            bool held = false;
            if (sc->stack[top - 1] && sc->stack[top]) {
                int rc =
                    eval_near(sc, step[i - 2].arg, step[i - 1].arg, step[i].arg & ~EXPR_NEGATED,
                              step[i].op == EXPR_BEFORE, !(step[i].arg & EXPR_NEGATED), &held);
                if (rc)
                    return rc;
            }
            sc->stack[top - 1] = held;
            break;
        }
        default:
            return QUELL_OK;
        }
    }
    *out = top == 1 && sc->stack[0];
    return QUELL_OK;
}

/* Give combination ri, which held, the hits its near() terms queued: copies
 * of the operands' hits under its own id, sorted, each span once. */
static int record_combination_hits(struct scorer *sc, uint32_t ri, size_t *hit_count)
{
    const struct rule *r = &sc->table->rules[ri];
    size_t first = *hit_count;
    if (!reserve_hits(sc, first + sc->pending_count))
        return QUELL_ENOMEM;
    for (size_t k = 0; k < sc->pending_count; k++) {
        quell_hit *h = &sc->hits[first + k];
        *h = sc->hits[sc->pending[k]];
        h->rule_id = r->id;
        h->category = sc->table->categories[r->category].name;
        h->pattern = r->expr_text;
    }
    size_t n = sc->pending_count;
    if (n > 1)
        qsort(sc->hits + first, n, sizeof *sc->hits, cmp_hit);
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        const quell_hit *h = &sc->hits[first + k];
        if (kept > 0) {
            const quell_hit *last = &sc->hits[first + kept - 1];
            if (last->field == h->field && last->start == h->start && last->end == h->end)
                continue;
        }
        sc->hits[first + kept++] = *h;
    }
    sc->hit_first[ri] = (uint32_t)first;
    sc->hit_len[ri] = (uint32_t)kept;
    *hit_count = first + kept;
    return QUELL_OK;
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

/* Make due the combinations that name rule ri, which fired. */
static void mark_users(struct scorer *sc, uint32_t ri)
{
    for (uint32_t k = sc->combo_users_first[ri]; k < sc->combo_users_first[ri + 1]; k++) {
        uint32_t p = sc->combo_users[k];
        sc->due[p / 64] |= (uint64_t)1 << (p % 64);
    }
}

uint32_t score_fact(const quell_context_facts *facts, unsigned int fact)
{
    switch (fact) {
    case CONTEXT_CAMPAIGN_COPIES:
        return facts->campaign_copies;
    case CONTEXT_CAMPAIGN_AUTHORS:
        return facts->campaign_authors;
    case CONTEXT_AUTHOR_RATE:
        return facts->author_rate;
    case CONTEXT_AUTHOR_REPEATS:
        return facts->author_repeats;
    case CONTEXT_AUTHOR_HELD:
        return facts->author_held;
    default:
        return 0;
    }
}

/* Rule ri fired and scores its weight once: a combination that held, a
 * context rule whose fact was met. */
static void fire_once(struct scorer *sc, uint32_t ri)
{
    const struct rule_table *t = sc->table;
    const struct rule *r = &t->rules[ri];
    sc->fired[ri] = 1;
    sc->category_milli[r->category] += r->weight;
    quell_rule_result *res = &sc->results[ri];
    res->rule_id = r->id;
    res->category = t->categories[r->category].name;
    res->index = ri;
    res->count = 1;
    res->score = (double)r->weight / SCORE_UNIT;
}

/* Fire the context rules that facts meet: each scores its weight once and
 * has no hits, like a combination without near(). */
static void fire_context_rules(struct scorer *sc, const quell_context_facts *facts,
                               size_t *fired_count, size_t hit_count)
{
    const struct rule_table *t = sc->table;
    for (size_t k = 0; k < sc->context_rule_count; k++) {
        uint32_t ri = sc->context_rules[k];
        const struct rule *r = &t->rules[ri];
        if (score_fact(facts, r->context) < r->at_least)
            continue;
        fire_once(sc, ri);
        sc->hit_first[ri] = (uint32_t)hit_count;
        sc->hit_len[ri] = 0;
        sc->fired_rules[(*fired_count)++] = ri;
    }
}

int score_run(struct scorer *sc, const struct match *matches, size_t match_count,
              const quell_comment *comment, bool is_truncated, const quell_context_facts *facts,
              const quell_verdict **out)
{
    const struct rule_table *t = sc->table;
    sc->comment = comment;
    for (int f = 0; f < QUELL_FIELD_COUNT; f++)
        sc->words[f].is_built = false;
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
            sc->hit_first[ri] = (uint32_t)hit_count;
            sc->hit_len[ri] = (uint32_t)count;
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

    if (facts)
        fire_context_rules(sc, facts, &fired_count, hit_count);

    /* Combinations, operands first, but only those with an operand that
     * fired: none holds with all its operands false (ruleset.c refuses one
     * that would), and most comments fire nothing. A combination that holds
     * makes its own users due; they come after it in combo_order. */
    for (size_t i = 0; i < fired_count; i++)
        mark_users(sc, sc->fired_rules[i]);
    for (size_t w = 0; fired_count > 0 && w < sc->due_words; w++) {
        while (sc->due[w]) {
            size_t i = w * 64 + (size_t)__builtin_ctzll(sc->due[w]);
            sc->due[w] &= sc->due[w] - 1;
            uint32_t ri = t->combo_order[i];
            const struct rule *r = &t->rules[ri];
            bool holds = false;
            int rc = eval_combination(sc, r, &holds);
            if (!rc && holds)
                rc = record_combination_hits(sc, ri, &hit_count);
            if (rc) {
                memset(sc->due, 0, sc->due_words * sizeof *sc->due);
                return rc;
            }
            if (!holds)
                continue;
            fire_once(sc, ri);
            sc->fired_rules[fired_count++] = ri;
            mark_users(sc, ri);
        }
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
    v->context = NULL;
    if (facts) {
        /* All of version 1, the only one; a later version copies what the
         * caller's version has. */
        sc->facts = *facts;
        v->context = &sc->facts;
    }
    *out = v;
    return QUELL_OK;
}

const quell_verdict *score_set_context(struct scorer *sc, const quell_context_facts *facts)
{
    sc->facts = *facts;
    sc->verdict.context = &sc->facts;
    return &sc->verdict;
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
