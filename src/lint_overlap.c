/*
 * lint_overlap.c - duplicate and shadowed patterns after normalisation,
 * found by scanning each literal with its own database.
 */
#include "lint.h"
#include "util/grow.h"

/* ------------------------------------------------------------------------ */
/* Duplicate and shadowed patterns                                           */

/* Pattern broad matches wherever pattern narrow does. */
struct cover {
    uint32_t narrow;
    uint32_t broad;
};

struct cover_scan {
    const struct quell_rules *rules;
    uint32_t narrow;
    struct cover *covers;
    size_t count;
    size_t cap;
    bool is_out_of_memory;
};

/*
 * Whether literal q, found at byte start of literal p's view text, matches
 * wherever p does: its word edges hold inside p (or at p's own edges, when p
 * is a word too), it asks for no longer letter runs than p, and it is no
 * stricter about case.
 */
static bool is_covered(const struct quell_rules *rules, uint32_t pi, uint32_t qi, size_t start)
{
    const struct pattern *p = &rules->table->patterns[pi];
    const struct pattern *q = &rules->table->patterns[qi];
    const struct pattern_info *pin = &rules->patterns[pi];
    const struct pattern_info *qin = &rules->patterns[qi];
    size_t end = start + qin->len;
    if (end > pin->len)
        return false;
    if (p->view == VIEW_RAW && p->is_caseless && !q->is_caseless)
        return false;
    if (q->kind == PAT_WORD && (qin->edges & EDGE_LEFT)) {
        if (start == 0 ? p->kind != PAT_WORD
                       : utf8_is_word_char(utf8_decode_before(pin->text, start)))
            return false;
    }
    if (q->kind == PAT_WORD && (qin->edges & EDGE_RIGHT)) {
        size_t next;
        if (end == pin->len ? p->kind != PAT_WORD
                            : utf8_is_word_char(utf8_decode_at(pin->text, pin->len, end, &next)))
            return false;
    }
    for (size_t k = 0; qin->runs && k < qin->len; k++) {
        unsigned p_run = pin->runs ? pin->runs[start + k] : 1;
        if (qin->runs[k] > p_run)
            return false;
    }
    return true;
}

/* Hyperscan's callback while scanning one literal's own text: every other
 * literal found in it is a candidate. */
static int on_cover(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    struct cover_scan *cs = ctx;
    const struct rule_table *t = cs->rules->table;
    if (id >= t->pattern_count || id == cs->narrow || hsdb_is_regex(&t->patterns[id]))
        return 0;
    size_t len = cs->rules->patterns[id].len;
    if (to < len || !is_covered(cs->rules, cs->narrow, id, (size_t)to - len))
        return 0;
    struct cover *p =
        grow_array(cs->covers, &cs->cap, cs->count + 1, sizeof *p, 64, GROW_UNCAPPED);
    if (!p) {
        cs->is_out_of_memory = true;
        return 1;
    }
    cs->covers = p;
    cs->covers[cs->count++] = (struct cover){cs->narrow, id};
    return 0;
}

static int cmp_cover(const void *a, const void *b)
{
    const struct cover *x = a, *y = b;
    if (x->narrow != y->narrow)
        return x->narrow < y->narrow ? -1 : 1;
    return x->broad < y->broad ? -1 : x->broad > y->broad;
}

/* Whether pattern a comes before pattern b in the rule files. */
static bool is_before(const struct rule_table *t, uint32_t a, uint32_t b)
{
    const struct pattern *x = &t->patterns[a], *y = &t->patterns[b];
    if (x->rule != y->rule)
        return x->rule < y->rule;
    if (x->file != y->file)
        return x->file < y->file;
    if (x->line != y->line)
        return x->line < y->line;
    return a < b;
}

/* Warn about pattern pi against pattern qi, which matches wherever it does
 * (and, when is_duplicate, the other way round too). */
static int note_overlap(struct linter *lt, uint32_t pi, uint32_t qi, bool is_duplicate)
{
    const struct rule_table *t = lt->t;
    const struct pattern *p = &t->patterns[pi], *q = &t->patterns[qi];
    const struct rule *qr = &t->rules[q->rule];
    bool is_same_rule = p->rule == q->rule;
    uint32_t code = is_duplicate ? (is_same_rule ? LINT_DUPLICATE : LINT_DUPLICATE_ACROSS)
                                 : (is_same_rule ? LINT_REDUNDANT : LINT_SHADOWED);
    struct finding f = lint_at_pattern(lt, code, pi);
    f.related_file = q->file;
    f.related_line = q->line;
    f.related_rule_id = qr->id;
    char pq[QUOTE_BUF_BYTES], qq[QUOTE_BUF_BYTES], vq[QUOTE_BUF_BYTES], where[300];
    const struct pattern_info *info = &lt->rules->patterns[pi];
    rules_quote(pq, sizeof pq, p->text, p->text_len);
    rules_quote(qq, sizeof qq, q->text, q->text_len);
    rules_quote(vq, sizeof vq, info->text, info->len);
    lint_place(where, sizeof where, t, p->file, q->file, q->line);
    const char *view = rules_view_name(p->view);
    const char *pk = lint_kind_names[p->kind], *qk = lint_kind_names[q->kind];
    switch (code) {
    case LINT_DUPLICATE:
        return lint_note(lt, &f,
                         "%s \"%s\" repeats %s \"%s\" (%s) of the same rule: both read \"%s\" in "
                         "the %s view",
                         pk, pq, qk, qq, where, vq, view);
    case LINT_DUPLICATE_ACROSS:
        return lint_note(
            lt, &f,
            "%s \"%s\" duplicates %s \"%s\" of rule %s (%s): both read \"%s\" in the %s "
            "view, so every match scores in both rules",
            pk, pq, qk, qq, qr->id, where, vq, view);
    case LINT_SHADOWED:
        return lint_note(lt, &f,
                         "%s \"%s\" is shadowed by %s \"%s\" of rule %s (%s): in the %s view every "
                         "match of it is a match of that, so it scores in both rules",
                         pk, pq, qk, qq, qr->id, where, view);
    default:
        return lint_note(
            lt, &f,
            "%s \"%s\" is redundant: %s \"%s\" (%s) of the same rule matches wherever it "
            "does in the %s view",
            pk, pq, qk, qq, where, view);
    }
}

/* Whether broad also matches wherever narrow does (found in the covers). */
static bool is_mutual(const struct cover *covers, size_t count, uint32_t narrow, uint32_t broad)
{
    struct cover back = {broad, narrow};
    return bsearch(&back, covers, count, sizeof back, cmp_cover) != NULL;
}

/* Across rules the harm is scoring one text twice; a weight-0 signal scores
 * nothing, so sharing patterns with one is how signals are meant to work. */
static bool is_comparable(const struct rule_table *t, uint32_t pi, uint32_t qi)
{
    const struct pattern *p = &t->patterns[pi], *q = &t->patterns[qi];
    return p->rule == q->rule || (t->rules[p->rule].weight != 0 && t->rules[q->rule].weight != 0);
}

/*
 * The warnings for one narrow pattern, from its covers [from, to): a
 * duplicate of the first pattern it repeats; else, once per broader rule,
 * its first pattern that shadows this one. A later duplicate is reported
 * there, and whatever shadows a duplicate shadows its first copy too.
 */
static int note_covers(struct linter *lt, const struct cover *covers, size_t count, size_t from,
                       size_t to)
{
    const struct rule_table *t = lt->t;
    uint32_t pi = covers[from].narrow;
    uint32_t first = UINT32_MAX;
    for (size_t i = from; i < to; i++) {
        uint32_t qi = covers[i].broad;
        if (is_before(t, qi, pi) && is_comparable(t, pi, qi) && is_mutual(covers, count, pi, qi) &&
            (first == UINT32_MAX || is_before(t, qi, first)))
            first = qi;
    }
    if (first != UINT32_MAX)
        return note_overlap(lt, pi, first, true);
    for (size_t i = from; i < to; i++) {
        uint32_t qi = covers[i].broad;
        if ((i > from && covers[i - 1].broad == qi) || !is_comparable(t, pi, qi) ||
            is_mutual(covers, count, pi, qi))
            continue;
        bool is_first = true;
        for (size_t k = from; k < to && is_first; k++) {
            uint32_t ki = covers[k].broad;
            is_first = !(t->patterns[ki].rule == t->patterns[qi].rule && is_before(t, ki, qi) &&
                         !is_mutual(covers, count, pi, ki));
        }
        if (!is_first)
            continue;
        int rc = note_overlap(lt, pi, qi, false);
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

/*
 * Literals: scan each one's view text with its own database (every pattern
 * of its field and view), so a literal that matches inside another is found
 * by the matcher the comments meet, in one pass per literal.
 */
int lint_check_literal_overlaps(struct linter *lt)
{
    const struct quell_rules *rules = lt->rules;
    const struct rule_table *t = lt->t;
    struct cover_scan cs = {.rules = rules};
    hs_scratch_t *scratch = NULL;
    int rc = QUELL_OK;
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++) {
        if (rules->hs.db[slot] && hs_alloc_scratch(rules->hs.db[slot], &scratch) != HS_SUCCESS) {
            rc = err_set(lt->err, QUELL_ESCAN, NULL, 0, NULL,
                         "Hyperscan could not allocate scratch space");
            goto out_free;
        }
    }
    for (size_t pi = 0; pi < t->pattern_count; pi++) {
        const struct pattern *p = &t->patterns[pi];
        const hs_database_t *db = rules->hs.db[hsdb_pattern_slot(t, p)];
        if (hsdb_is_regex(p) || !db)
            continue;
        cs.narrow = (uint32_t)pi;
        const struct pattern_info *info = &rules->patterns[pi];
        hs_error_t hrc = hs_scan(db, info->text, info->len, 0, scratch, on_cover, &cs);
        if (cs.is_out_of_memory) {
            rc = lint_fail_nomem(lt);
            goto out_free;
        }
        if (hrc != HS_SUCCESS) {
            rc = err_set(lt->err, QUELL_ESCAN, NULL, 0, NULL, "hs_scan failed with code %d", hrc);
            goto out_free;
        }
    }
    if (cs.count > 1)
        qsort(cs.covers, cs.count, sizeof *cs.covers, cmp_cover);
    for (size_t from = 0; from < cs.count && !rc;) {
        size_t to = from;
        while (to < cs.count && cs.covers[to].narrow == cs.covers[from].narrow)
            to++;
        rc = note_covers(lt, cs.covers, cs.count, from, to);
        from = to;
    }
out_free:
    hs_free_scratch(scratch);
    free(cs.covers);
    return rc;
}

/* A regex in sort order: equal ones, the same in the same database, end up
 * side by side, the first in the rule files first. */
struct regex_key {
    unsigned int slot;
    bool is_caseless;
    uint32_t index;
};

static int cmp_regex_key(const void *a, const void *b, const struct rule_table *t)
{
    const struct regex_key *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->is_caseless != y->is_caseless)
        return x->is_caseless ? 1 : -1;
    int c = strcmp(t->patterns[x->index].text, t->patterns[y->index].text);
    if (c)
        return c;
    if (x->index == y->index)
        return 0;
    return is_before(t, x->index, y->index) ? -1 : 1;
}

/* Insertion sort with a context (qsort has none, and the library keeps no
 * globals); merged runs keep it O(n log n). */
static void sort_regex_keys(struct regex_key *keys, struct regex_key *tmp, size_t n,
                            const struct rule_table *t)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            struct regex_key k = keys[i];
            size_t j = i;
            while (j > 0 && cmp_regex_key(&keys[j - 1], &k, t) > 0) {
                keys[j] = keys[j - 1];
                j--;
            }
            keys[j] = k;
        }
        return;
    }
    size_t half = n / 2;
    sort_regex_keys(keys, tmp, half, t);
    sort_regex_keys(keys + half, tmp, n - half, t);
    size_t i = 0, j = half, o = 0;
    while (i < half && j < n)
        tmp[o++] = cmp_regex_key(&keys[j], &keys[i], t) < 0 ? keys[j++] : keys[i++];
    while (i < half)
        tmp[o++] = keys[i++];
    while (j < n)
        tmp[o++] = keys[j++];
    memcpy(keys, tmp, n * sizeof *keys);
}

/* Regexes are matched as written, so equal text (and case rule) is a
 * duplicate; what two different regexes share is beyond a lint. */
int lint_check_regex_duplicates(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    size_t n = 0;
    for (size_t i = 0; i < t->pattern_count; i++)
        n += t->patterns[i].kind == PAT_REGEX;
    if (n < 2)
        return QUELL_OK;
    struct regex_key *keys = malloc(n * sizeof *keys);
    struct regex_key *tmp = malloc(n * sizeof *tmp);
    int rc = QUELL_OK;
    if (!keys || !tmp) {
        rc = lint_fail_nomem(lt);
        goto out_free;
    }
    size_t key_count = 0;
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        if (p->kind != PAT_REGEX)
            continue;
        keys[key_count++] = (struct regex_key){hsdb_pattern_slot(t, p),
                                               p->view == VIEW_RAW && p->is_caseless, (uint32_t)i};
    }
    sort_regex_keys(keys, tmp, n, t);
    size_t first = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        const struct regex_key *a = &keys[first], *b = &keys[i];
        if (a->slot != b->slot || a->is_caseless != b->is_caseless ||
            strcmp(t->patterns[a->index].text, t->patterns[b->index].text) != 0) {
            first = i;
            continue;
        }
        /* Equal regexes: b repeats the first comparable one before it. */
        for (size_t k = first; k < i; k++) {
            if (is_comparable(t, b->index, keys[k].index)) {
                rc = note_overlap(lt, b->index, keys[k].index, true);
                break;
            }
        }
    }
out_free:
    free(keys);
    free(tmp);
    return rc;
}
