/*
 * ruleset.c - deriving, once per rule set, what the scanner needs of each
 * pattern: its text as its view sees it, its word edges and letter runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arabizi.h"
#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "utf8.h"
#include "validate.h"
#include "views.h"

static uint8_t word_edges(const char *text, size_t len)
{
    if (len == 0)
        return 0;
    uint8_t edges = 0;
    size_t next;
    if (utf8_is_word_char(utf8_decode_at(text, len, 0, &next)))
        edges |= EDGE_LEFT;
    if (utf8_is_word_char(utf8_decode_before(text, len)))
        edges |= EDGE_RIGHT;
    return edges;
}

/* Put a literal through the views up to the one it scans, as the comments
 * will be (views holds the buffers, by enum view). */
static int normalise_literal(struct quell_rules *rules, const struct pattern *pat,
                             struct pattern_info *info, struct norm_view views[VIEW_COUNT],
                             quell_error *err)
{
    struct view_text vt;
    int rc = views_build(rules->norm, pat->text, pat->text_len, VIEW_RAW, (enum view)pat->view,
                         views, &vt);
    if (rc != QUELL_OK)
        return err_set(err, rc, NULL, 0, NULL, "out of memory normalising patterns");
    const struct norm_view *v = vt.map;
    const struct rule_table *t = rules->table;
    size_t from, to;
    norm_trim(v, &from, &to);
    if (from == to)
        return err_set(err, QUELL_ECONFIG, t->files[pat->file], (int)pat->line,
                       t->rules[pat->rule].id,
                       "pattern \"%s\" is empty in the %s view (only marks, spaces or "
                       "format characters)",
                       pat->text, rules_view_name(pat->view));
    char *text = pool_strndup(rules->pool, v->text + from, to - from);
    if (!text)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    info->text = text;
    info->len = (uint32_t)(to - from);
    if (pat->view != VIEW_SKELETON)
        return QUELL_OK;
    /* Keep the letter runs only when one is longer than 1: the other
     * patterns skip the check. */
    uint8_t *runs = pool_alloc(rules->pool, to - from);
    if (!runs)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    bool has_long_run = false;
    for (size_t k = from; k < to; k++) {
        runs[k - from] =
            (uint8_t)norm_skeleton_run(rules->norm, &views[VIEW_FOLDED], &views[VIEW_SKELETON], k);
        has_long_run |= runs[k - from] > 1;
    }
    info->runs = has_long_run ? runs : NULL;
    return QUELL_OK;
}

/* An Arabizi pattern: its word folded, then spelled out as a regex. */
static int arabizi_pattern(struct quell_rules *rules, const struct pattern *pat,
                           struct pattern_info *info, struct norm_view *folded, quell_error *err)
{
    if (norm_fold(rules->norm, pat->text, pat->text_len, folded) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    size_t from, to;
    norm_trim(folded, &from, &to);
    const char *regex;
    int rc = arabizi_regex(rules->pool, folded->text + from, to - from, &regex);
    if (rc < 0)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    if (rc > 0) {
        const struct rule_table *t = rules->table;
        return err_set(err, QUELL_ECONFIG, t->files[pat->file], (int)pat->line,
                       t->rules[pat->rule].id, "word \"%s\" has no letter Arabizi can spell",
                       pat->text);
    }
    info->text = regex;
    info->len = (uint32_t)strlen(regex);
    return QUELL_OK;
}

/* A pattern's view text as a .qdb stored it (qdb.c checked its shape):
 * copied, since the file's bytes go once it is loaded. */
static int copy_derived(struct quell_rules *rules, const struct pattern_info *from,
                        struct pattern_info *info, quell_error *err)
{
    char *text = pool_strndup(rules->pool, from->text, from->len);
    uint8_t *runs = from->runs ? pool_alloc(rules->pool, from->len) : NULL;
    if (!text || (from->runs && !runs))
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading patterns");
    if (runs)
        memcpy(runs, from->runs, from->len);
    info->text = text;
    info->len = from->len;
    info->runs = runs;
    return QUELL_OK;
}

static int cmp_allow(const void *a, const void *b)
{
    const struct allow_entry *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->category < y->category ? -1 : x->category > y->category;
}

bool ruleset_is_allowed(const struct quell_rules *rules, uint32_t category, const char *text,
                        size_t len)
{
    /* Entries with this text sit together; look at each one's category. */
    struct allow_entry key = {text, (uint32_t)len, 0};
    size_t lo = 0, hi = rules->allow_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_allow(&rules->allows[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < rules->allow_count; i++) {
        const struct allow_entry *a = &rules->allows[i];
        if (a->len != len || memcmp(a->text, text, len) != 0)
            break;
        if (a->category == category || a->category == ALLOW_ALL_CATEGORIES)
            return true;
    }
    return false;
}

/* Fold the allowed words as comments are folded, sorted for lookup. */
static int derive_allows(struct quell_rules *rules, struct norm_view *folded, quell_error *err)
{
    const struct rule_table *t = rules->table;
    rules->has_allow = pool_alloc(rules->pool, t->category_count ? t->category_count : 1);
    rules->allows =
        pool_alloc(rules->pool, (t->allow_count ? t->allow_count : 1) * sizeof *rules->allows);
    if (!rules->has_allow || !rules->allows)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_word *a = &t->allows[i];
        if (norm_fold(rules->norm, a->text, a->text_len, folded) != QUELL_OK)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
        size_t from, to;
        norm_trim(folded, &from, &to);
        if (from == to || memchr(folded->text + from, ' ', to - from))
            return err_set(err, QUELL_ECONFIG, t->files[a->file], (int)a->line, NULL,
                           "allowed word \"%s\" must be one word", a->text);
        char *text = pool_strndup(rules->pool, folded->text + from, to - from);
        if (!text)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
        rules->allows[i] = (struct allow_entry){text, (uint32_t)(to - from), a->category};
        if (a->category == ALLOW_ALL_CATEGORIES)
            memset(rules->has_allow, 1, t->category_count);
        else
            rules->has_allow[a->category] = 1;
    }
    rules->allow_count = t->allow_count;
    qsort(rules->allows, rules->allow_count, sizeof *rules->allows, cmp_allow);
    return QUELL_OK;
}

static bool needs_normaliser(const struct rule_table *t)
{
    if (t->allow_count)
        return true;
    for (size_t i = 0; i < t->pattern_count; i++) {
        if (t->patterns[i].view != VIEW_RAW)
            return true;
    }
    return false;
}

int ruleset_new(struct quell_rules **out, struct rule_table *table, quell_error *err)
{
    return ruleset_new_derived(out, table, NULL, err);
}

int ruleset_new_derived(struct quell_rules **out, struct rule_table *table,
                        const struct pattern_info *derived, quell_error *err)
{
    *out = NULL;
    struct norm_view views[VIEW_COUNT] = {{0}};
    struct quell_rules *rules = calloc(1, sizeof *rules);
    if (!rules) {
        rules_free(table);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
    }
    atomic_init(&rules->refs, 1);
    rules->table = table;
    int rc = QUELL_ENOMEM;
    rules->pool = pool_new();
    if (!rules->pool)
        goto fail_nomem;
    rules->patterns = pool_alloc(rules->pool, (table->pattern_count ? table->pattern_count : 1) *
                                                  sizeof *rules->patterns);
    if (!rules->patterns)
        goto fail_nomem;
    if (needs_normaliser(table) && norm_tables_new(&rules->norm) != QUELL_OK)
        goto fail_nomem;

    for (size_t i = 0; i < table->pattern_count; i++) {
        const struct pattern *pat = &table->patterns[i];
        struct pattern_info *info = &rules->patterns[i];
        if (derived && ruleset_is_derived(pat)) {
            rc = copy_derived(rules, &derived[i], info, err);
            if (rc != QUELL_OK)
                goto fail;
        } else if (pat->kind == PAT_ARABIZI) {
            rc = arabizi_pattern(rules, pat, info, &views[VIEW_FOLDED], err);
            if (rc != QUELL_OK)
                goto fail;
        } else if (pat->view != VIEW_RAW && pat->kind != PAT_REGEX) {
            rc = normalise_literal(rules, pat, info, views, err);
            if (rc != QUELL_OK)
                goto fail;
        } else {
            /* Raw literals and every regex are matched as written. */
            info->text = pat->text;
            info->len = pat->text_len;
        }
        if (pat->kind == PAT_WORD)
            info->edges = word_edges(info->text, info->len);
    }
    rc = derive_allows(rules, &views[VIEW_FOLDED], err);
    if (rc != QUELL_OK)
        goto fail;
    for (size_t i = 0; i < table->rule_count; i++)
        rules->has_validator |= table->rules[i].validator != VALIDATE_NONE;
    views_free(views);
    *out = rules;
    return QUELL_OK;

fail_nomem:
    rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
fail:
    views_free(views);
    ruleset_free(rules);
    return rc;
}

int ruleset_finish(struct quell_rules *rules, quell_error *err)
{
    for (unsigned int f = 0; f < QUELL_FIELD_COUNT; f++) {
        rules->views[f] = 0;
        for (unsigned int v = 0; v < VIEW_COUNT; v++) {
            if (rules->hs.db[hsdb_slot(f, v)])
                rules->views[f] |= (uint8_t)(1u << v);
        }
    }
    /* One scratch grown to fit every database, plain and start-tracking. */
    for (unsigned int k = 0; k < 2 * HSDB_COUNT; k++) {
        const hs_database_t *db = k < HSDB_COUNT ? rules->hs.db[k] : rules->hs.som[k - HSDB_COUNT];
        hs_error_t hrc = db ? hs_alloc_scratch(db, &rules->proto_scratch) : HS_SUCCESS;
        if (hrc == HS_NOMEM)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making scratch space");
        if (hrc != HS_SUCCESS)
            return err_set(err, QUELL_ESCAN, NULL, 0, NULL,
                           "Hyperscan could not allocate scratch space (code %d)", hrc);
    }
    snprintf(rules->id, sizeof rules->id, "%016llx", (unsigned long long)rules->content_id);
    return QUELL_OK;
}

void ruleset_free(struct quell_rules *rules)
{
    if (!rules)
        return;
    hs_free_scratch(rules->proto_scratch);
    hsdb_free(&rules->hs);
    norm_tables_free(rules->norm);
    pool_free(rules->pool);
    rules_free(rules->table);
    free(rules);
}

quell_rules *quell_rules_hold(const quell_rules *rules)
{
    /* The rules are immutable but for their count: holding one through a
     * const pointer is sharing it, not changing it. */
    struct quell_rules *r = (struct quell_rules *)rules;
    /* Relaxed is enough: the holder already sees the rules (it has a
     * reference), so no other memory needs ordering. */
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void quell_rules_release(const quell_rules *rules)
{
    if (!rules)
        return;
    struct quell_rules *r = (struct quell_rules *)rules;
    /* acq_rel: every release's earlier reads of the rules happen before
     * the last one frees them (the release half), and the freeing thread
     * sees all of them (the acquire half). */
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
        ruleset_free(r);
}

const char *quell_rules_id(const quell_rules *rules)
{
    return rules->id;
}

const char *quell_rules_label(const quell_rules *rules)
{
    return rules->table->label ? rules->table->label : "";
}

void quell_rules_free(quell_rules *rules)
{
    quell_rules_release(rules);
}

size_t quell_rules_rule_count(const quell_rules *rules)
{
    return rules->table->rule_count;
}

const char *quell_rules_rule_id(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->rule_count)
        return NULL;
    return rules->table->rules[i].id;
}

size_t quell_rules_rule_category(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->rule_count)
        return (size_t)-1;
    return rules->table->rules[i].category;
}

size_t quell_rules_category_count(const quell_rules *rules)
{
    return rules->table->category_count;
}

const char *quell_rules_category_name(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->category_count)
        return NULL;
    return rules->table->categories[i].name;
}

int quell_rules_category_is_separate(const quell_rules *rules, size_t i)
{
    return i < rules->table->category_count && rules->table->categories[i].is_separate;
}

double quell_rules_rule_weight(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->rule_count)
        return 0;
    return (double)rules->table->rules[i].weight / SCORE_UNIT;
}

size_t quell_rules_rule_max_hits(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->rule_count)
        return 0;
    return rules->table->rules[i].max_hits;
}

double quell_rules_category_cap(const quell_rules *rules, size_t i)
{
    if (i >= rules->table->category_count || rules->table->categories[i].cap < 0)
        return -1;
    return (double)rules->table->categories[i].cap / SCORE_UNIT;
}

double quell_rules_threshold(const quell_rules *rules, quell_action action)
{
    if ((int)action < QUELL_PASS || action > QUELL_REJECT)
        return 0;
    return (double)rules->table->threshold[action] / SCORE_UNIT;
}
