/*
 * scan.c - the scanner: one block-mode Hyperscan scan per field and view,
 * with a per-thread scratch; matches become original-text spans, checked for
 * word edges and merged, then handed to the scorer.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "scan.h"
#include "score.h"
#include "utf8.h"

struct quell_scanner {
    const struct quell_rules *rules;
    hs_scratch_t *scratch;
    struct scorer *scorer;

    struct match *matches;
    size_t match_count;
    size_t match_cap;
    /* Per pattern: 1 + index in matches of its latest match, 0 for none.
     * Only the patterns in `touched` are non-zero between scans. */
    uint32_t *last_match;
    uint32_t *touched;
    size_t touched_count;

    /* The field being scanned, for the callback. */
    const char *text;
    size_t text_len;
    uint32_t field;
    bool is_truncated;
};

uint8_t *scan_pattern_edges(const struct rule_table *table)
{
    uint8_t *edges = calloc(table->pattern_count ? table->pattern_count : 1, 1);
    if (!edges)
        return NULL;
    for (size_t i = 0; i < table->pattern_count; i++) {
        const struct pattern *pat = &table->patterns[i];
        if (pat->kind != PAT_WORD || pat->text_len == 0)
            continue;
        size_t next;
        if (utf8_is_word_char(utf8_decode_at(pat->text, pat->text_len, 0, &next)))
            edges[i] |= EDGE_LEFT;
        if (utf8_is_word_char(utf8_decode_before(pat->text, pat->text_len)))
            edges[i] |= EDGE_RIGHT;
    }
    return edges;
}

static bool grow_matches(struct quell_scanner *s)
{
    size_t cap = s->match_cap ? s->match_cap * 2 : 64;
    if (cap > SCAN_MAX_MATCHES)
        cap = SCAN_MAX_MATCHES;
    struct match *m = realloc(s->matches, cap * sizeof *m);
    if (!m)
        return false;
    s->matches = m;
    s->match_cap = cap;
    return true;
}

/* Hyperscan's callback: keep it short, never touch the scratch. */
static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)flags;
    struct quell_scanner *s = ctx;
    const struct rule_table *t = s->rules->table;
    /* Ids come from our own databases, but a loaded file is outside data. */
    if (id >= t->pattern_count)
        return 0;
    const struct pattern *pat = &t->patterns[id];
    size_t end = (size_t)to;
    size_t start;
    if (pat->kind == PAT_REGEX)
        start = from == HS_OFFSET_PAST_HORIZON ? 0 : (size_t)from;
    else
        start = end - pat->text_len;
    if (end > s->text_len || start > end)
        return 0;

    /* Whole words: Hyperscan's \b is ASCII-only, so edges are judged here
     * with Unicode word characters, in any script. */
    uint8_t edges = s->rules->edges[id];
    if ((edges & EDGE_LEFT) && start > 0 &&
        utf8_is_word_char(utf8_decode_before(s->text, start)))
        return 0;
    if ((edges & EDGE_RIGHT) && end < s->text_len) {
        size_t next;
        if (utf8_is_word_char(utf8_decode_at(s->text, s->text_len, end, &next)))
            return 0;
    }

    /* A pattern reports every end offset of an occurrence; fold overlapping
     * reports into one span so counts are occurrences, not offsets. */
    uint32_t last = s->last_match[id];
    if (last) {
        struct match *m = &s->matches[last - 1];
        if (m->field == s->field && start < m->end) {
            if (start < m->start)
                m->start = start;
            if (end > m->end)
                m->end = end;
            return 0;
        }
    } else {
        s->touched[s->touched_count++] = id;
    }
    if (s->match_count == s->match_cap && (s->match_cap == SCAN_MAX_MATCHES || !grow_matches(s))) {
        s->is_truncated = true;
        return 1; /* stop: the verdict says it is partial */
    }
    struct match *m = &s->matches[s->match_count++];
    m->rule = pat->rule;
    m->pattern = id;
    m->field = s->field;
    m->start = start;
    m->end = end;
    s->last_match[id] = (uint32_t)s->match_count;
    return 0;
}

static int cmp_match(const void *a, const void *b)
{
    const struct match *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

/* Sort and merge overlapping occurrences of the same rule: two patterns of
 * one rule matching the same words count once. */
static size_t merge_matches(struct match *m, size_t n)
{
    if (n < 2)
        return n;
    qsort(m, n, sizeof *m, cmp_match);
    size_t out = 0;
    for (size_t i = 1; i < n; i++) {
        struct match *cur = &m[out];
        if (m[i].rule == cur->rule && m[i].field == cur->field && m[i].start < cur->end) {
            if (m[i].end > cur->end)
                cur->end = m[i].end;
            continue;
        }
        m[++out] = m[i];
    }
    return out + 1;
}

int quell_scanner_new(quell_scanner **out, const quell_rules *rules, quell_error *err)
{
    *out = NULL;
    struct quell_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a scanner");
    s->rules = rules;
    size_t n = rules->table->pattern_count ? rules->table->pattern_count : 1;
    s->last_match = calloc(n, sizeof *s->last_match);
    s->touched = calloc(n, sizeof *s->touched);
    if (!s->last_match || !s->touched) {
        err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a scanner");
        goto fail_free_scanner;
    }
    int rc = score_new(&s->scorer, rules->table);
    if (rc != QUELL_OK) {
        err_set(err, rc, NULL, 0, NULL, "out of memory making a scanner");
        goto fail_free_scanner;
    }
    /* One scratch serves every database; each scanner owns its own. */
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++) {
        if (!rules->hs.db[slot])
            continue;
        if (hs_alloc_scratch(rules->hs.db[slot], &s->scratch) != HS_SUCCESS) {
            err_set(err, QUELL_ESCAN, NULL, 0, NULL, "Hyperscan could not allocate scratch space");
            goto fail_free_scanner;
        }
    }
    *out = s;
    return QUELL_OK;

fail_free_scanner:
    quell_scanner_free(s);
    return err ? err->code : QUELL_ENOMEM;
}

void quell_scanner_free(quell_scanner *scanner)
{
    if (!scanner)
        return;
    hs_free_scratch(scanner->scratch);
    score_free(scanner->scorer);
    free(scanner->matches);
    free(scanner->last_match);
    free(scanner->touched);
    free(scanner);
}

/* Scan one field through every view that has a database. */
static int scan_field(struct quell_scanner *s, uint32_t field, const char *text, size_t len,
                      quell_error *err)
{
    size_t bad;
    if (!utf8_valid(text, len, &bad))
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid UTF-8 at byte %zu of %s", bad,
                       quell_field_name((quell_field)field));
    if (len > UINT32_MAX)
        return err_set(err, QUELL_ETOOBIG, NULL, 0, NULL, "%s is longer than 4 GiB",
                       quell_field_name((quell_field)field));
    s->text = text;
    s->text_len = len;
    s->field = field;
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        const hs_database_t *db = s->rules->hs.db[hsdb_slot(field, v)];
        if (!db)
            continue;
        hs_error_t hrc = hs_scan(db, text, (unsigned int)len, 0, s->scratch, on_match, s);
        if (hrc == HS_SCAN_TERMINATED && s->is_truncated)
            return QUELL_OK;
        if (hrc != HS_SUCCESS)
            return err_set(err, QUELL_ESCAN, NULL, 0, NULL, "hs_scan failed with code %d", hrc);
    }
    return QUELL_OK;
}

static void reset_matches(struct quell_scanner *s)
{
    for (size_t i = 0; i < s->touched_count; i++)
        s->last_match[s->touched[i]] = 0;
    s->touched_count = 0;
    s->match_count = 0;
    s->is_truncated = false;
}

int quell_scan(quell_scanner *scanner, const quell_comment *comment, const quell_verdict **out,
               quell_error *err)
{
    struct quell_scanner *s = scanner;
    *out = NULL;
    reset_matches(s);
    for (uint32_t f = 0; f < QUELL_FIELD_COUNT && !s->is_truncated; f++) {
        if (!comment->text[f])
            continue;
        int rc = scan_field(s, f, comment->text[f], comment->text_len[f], err);
        if (rc != QUELL_OK)
            return rc;
    }
    size_t n = merge_matches(s->matches, s->match_count);
    return score_run(s->scorer, s->matches, n, comment, s->is_truncated, out);
}

bool scan_rule_fired(const quell_scanner *scanner, uint32_t rule)
{
    return score_rule_fired(scanner->scorer, rule);
}
