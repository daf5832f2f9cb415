/*
 * lint_allow.c - allowed words that repeat one another or never apply.
 */
#include "lint.h"

/* ------------------------------------------------------------------------ */
/* Allowed words                                                             */

struct allow_key {
    const char *text; /* folded, in the linter's pool */
    uint32_t len;
    uint32_t category;
    uint32_t index;
};

static int cmp_allow_key(const void *a, const void *b)
{
    const struct allow_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Whether entry f makes entry e redundant: f allows the same word for e's
 * category or for all, and comes first (or covers more). */
static bool allow_covers(const struct allow_key *f, const struct allow_key *e)
{
    if (f->category == ALLOW_ALL_CATEGORIES)
        return e->category != ALLOW_ALL_CATEGORIES || f->index < e->index;
    return f->category == e->category && f->index < e->index;
}

static int check_allow_duplicates(struct linter *lt, const struct allow_key *keys, size_t n)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], fq[QUOTE_BUF_BYTES], where[300];
    for (size_t g = 0; g < n;) {
        size_t end = g + 1;
        while (end < n && keys[end].len == keys[g].len &&
               memcmp(keys[end].text, keys[g].text, keys[g].len) == 0)
            end++;
        for (size_t e = g; e < end; e++) {
            const struct allow_key *cover = NULL;
            for (size_t f = g; f < end && !cover; f++) {
                if (f != e && allow_covers(&keys[f], &keys[e]))
                    cover = &keys[f];
            }
            if (!cover)
                continue;
            const struct allow_word *a = &t->allows[keys[e].index];
            const struct allow_word *c = &t->allows[cover->index];
            struct finding f = {.code = LINT_DUPLICATE_ALLOW,
                                .rule = NO_RULE,
                                .file = a->file,
                                .line = a->line,
                                .pattern = a->text,
                                .related_file = c->file,
                                .related_line = c->line};
            rules_quote(q, sizeof q, a->text, a->text_len);
            rules_quote(fq, sizeof fq, c->text, c->text_len);
            lint_place(where, sizeof where, t, a->file, c->file, c->line);
            int rc;
            if (c->category == ALLOW_ALL_CATEGORIES && a->category != ALLOW_ALL_CATEGORIES)
                rc = lint_note(lt, &f,
                               "allowed word \"%s\" of category %s is already allowed for every "
                               "category by \"%s\" (%s)",
                               q, t->categories[a->category].name, fq, where);
            else
                rc = lint_note(lt, &f,
                               "allowed word \"%s\" repeats \"%s\" (%s): both fold to the same "
                               "word",
                               q, fq, where);
            if (rc)
                return rc;
        }
        g = end;
    }
    return QUELL_OK;
}

/*
 * Scan each allowed word on its own with the rules as they match before
 * allow lists and min_count: a scanner over a copy of the rules with no
 * allowed words and every min_count 1. The copy shares everything else
 * (databases, normaliser, pattern texts) and is read-only like the original.
 */
static int check_allow_hits(struct linter *lt, const uint8_t *is_reported)
{
    const struct quell_rules *rules = lt->rules;
    const struct rule_table *t = lt->t;
    struct rule *plain_rules = malloc((t->rule_count ? t->rule_count : 1) * sizeof *plain_rules);
    if (!plain_rules)
        return lint_fail_nomem(lt);
    memcpy(plain_rules, t->rules, t->rule_count * sizeof *plain_rules);
    for (size_t i = 0; i < t->rule_count; i++)
        plain_rules[i].min_count = 1;
    struct rule_table plain_table = *t;
    plain_table.rules = plain_rules;
    struct quell_rules plain = *rules;
    plain.table = &plain_table;
    plain.allow_count = 0;

    quell_scanner *scanner = NULL;
    int rc = quell_scanner_new(&scanner, &plain, lt->err);
    char q[QUOTE_BUF_BYTES];
    for (size_t i = 0; i < t->allow_count && !rc; i++) {
        if (is_reported[i])
            continue;
        const struct allow_word *a = &t->allows[i];
        quell_comment c = QUELL_COMMENT_INIT;
        for (unsigned int field = 0; field < QUELL_FIELD_COUNT; field++) {
            c.text[field] = a->text;
            c.text_len[field] = a->text_len;
        }
        const quell_verdict *v;
        rc = quell_scan(scanner, &c, &v, lt->err);
        if (rc)
            break;
        const char *category =
            a->category == ALLOW_ALL_CATEGORIES ? NULL : t->categories[a->category].name;
        bool is_hit = false;
        for (size_t h = 0; h < v->hit_count && !is_hit; h++)
            is_hit = !category || strcmp(v->hits[h].category, category) == 0;
        if (is_hit)
            continue;
        struct finding f = {.code = LINT_ALLOW_NEVER_APPLIES,
                            .rule = NO_RULE,
                            .file = a->file,
                            .line = a->line,
                            .pattern = a->text,
                            .related_file = NO_FILE};
        rules_quote(q, sizeof q, a->text, a->text_len);
        if (category)
            rc = lint_note(lt, &f,
                           "allowed word \"%s\" never applies: no pattern of category %s matches "
                           "inside it",
                           q, category);
        else
            rc = lint_note(lt, &f,
                           "allowed word \"%s\" never applies: no pattern matches inside it", q);
    }
    quell_scanner_free(scanner);
    free(plain_rules);
    return rc;
}

/*
 * A hit is excused when the whole run of word characters around it folds
 * to an allowed word; an entry holding a character that ends such a run
 * ("o'clock", "e-mail") can never be all of one.
 */
static int check_allow_words(struct linter *lt, const struct allow_key *keys, uint8_t *is_reported)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], cq[16];
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_key *k = &keys[i];
        size_t off = 0, next = 0;
        bool is_word = true;
        while (off < k->len && is_word) {
            is_word = utf8_is_word_char(utf8_decode_at(k->text, k->len, off, &next));
            if (is_word)
                off = next;
        }
        if (is_word)
            continue;
        const struct allow_word *a = &t->allows[k->index];
        is_reported[k->index] = 1;
        struct finding f = {.code = LINT_ALLOW_NEVER_APPLIES,
                            .rule = NO_RULE,
                            .file = a->file,
                            .line = a->line,
                            .pattern = a->text,
                            .related_file = NO_FILE};
        int rc = lint_note(lt, &f,
                           "allowed word \"%s\" never applies: \"%s\" ends a word, so no word of a "
                           "comment can be all of it",
                           rules_quote(q, sizeof q, a->text, a->text_len),
                           rules_quote(cq, sizeof cq, k->text + off, next - off));
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

int lint_check_allows(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    /* Rules with allowed words always have the normaliser (ruleset.c). */
    if (t->allow_count == 0 || !lt->rules->norm)
        return QUELL_OK;
    struct allow_key *keys = malloc(t->allow_count * sizeof *keys);
    uint8_t *is_reported = calloc(t->allow_count, 1);
    struct norm_view folded = {0};
    int rc = QUELL_OK;
    if (!keys || !is_reported) {
        rc = lint_fail_nomem(lt);
        goto out_free;
    }
    /* Folded as the scanner folds them (ruleset.c), with the entries'
     * positions kept. */
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_word *a = &t->allows[i];
        if (norm_fold(lt->rules->norm, a->text, a->text_len, &folded) != QUELL_OK) {
            rc = lint_fail_nomem(lt);
            goto out_free;
        }
        size_t from, to;
        norm_trim(&folded, &from, &to);
        char *text = pool_strndup(lt->pool, folded.text + from, to - from);
        if (!text) {
            rc = lint_fail_nomem(lt);
            goto out_free;
        }
        keys[i] = (struct allow_key){text, (uint32_t)(to - from), a->category, (uint32_t)i};
    }
    if ((rc = check_allow_words(lt, keys, is_reported)) || (rc = check_allow_hits(lt, is_reported)))
        goto out_free;
    qsort(keys, t->allow_count, sizeof *keys, cmp_allow_key);
    rc = check_allow_duplicates(lt, keys, t->allow_count);
out_free:
    norm_view_free(&folded);
    free(keys);
    free(is_reported);
    return rc;
}
