/*
 * ruleset.c - deriving, once per rule set, what the scanner needs of each
 * pattern: its text as its view sees it, its word edges and letter runs;
 * and of each rule, the combinations it is an operand of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arabizi.h"
#include "context.h"
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

/*
 * An Arabizi pattern: its word folded once, then spelled out as the regex
 * for the Arabizi view (unless a .qdb held it already: has_regex) and as
 * the check a hit's folded text must pass.
 */
static int arabizi_pattern(struct quell_rules *rules, const struct pattern *pat,
                           struct pattern_info *info, struct norm_view *folded, bool has_regex,
                           quell_error *err)
{
    if (norm_fold(rules->norm, pat->text, pat->text_len, folded) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    size_t from, to;
    norm_trim(folded, &from, &to);
    const char *word = folded->text + from;
    int rc = 0;
    if (!has_regex) {
        const char *regex;
        rc = arabizi_regex(rules->pool, word, to - from, &regex);
        if (rc == 0) {
            info->text = regex;
            info->len = (uint32_t)strlen(regex);
        }
    }
    if (rc == 0)
        rc = arabizi_check_regex(rules->pool, word, to - from, &info->check);
    if (rc < 0)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising patterns");
    if (rc > 0 && has_regex)
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "corrupt .qdb: an Arabizi word with no letter to write");
    if (rc > 0) {
        const struct rule_table *t = rules->table;
        return err_set(err, QUELL_ECONFIG, t->files[pat->file], (int)pat->line,
                       t->rules[pat->rule].id, "word \"%s\" has no letter Arabizi can spell",
                       pat->text);
    }
    info->check_index = rules->check_count++;
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
    if (t->allow_count || t->common_count)
        return true;
    for (size_t i = 0; i < t->pattern_count; i++) {
        if (t->patterns[i].view != VIEW_RAW)
            return true;
    }
    return false;
}

/* Whether combination r holds when no rule fired: its steps with every
 * operand false (stack holds expr_len bytes). Steps that would under- or
 * overflow the stack count as holding, so that they are refused too. */
static bool holds_when_empty(const struct rule_table *t, const struct rule *r, uint8_t *stack)
{
    const struct expr_step *step = &t->steps[r->expr_start];
    size_t top = 0;
    for (uint32_t i = 0; i < r->expr_len; i++) {
        switch (step[i].op) {
        case EXPR_RULE:
        case EXPR_SPAN:
            stack[top++] = 0;
            break;
        case EXPR_NOT:
            if (top < 1)
                return true;
            stack[top - 1] = !stack[top - 1];
            break;
        case EXPR_AND:
        case EXPR_OR:
        case EXPR_NEAR:
        case EXPR_BEFORE:
            if (top < 2)
                return true;
            top--;
            /* near() and before() need both operands' hits: false here. */
            if (step[i].op == EXPR_OR)
                stack[top - 1] = stack[top - 1] || stack[top];
            else
                stack[top - 1] = step[i].op == EXPR_AND && stack[top - 1] && stack[top];
            break;
        default:
            return true;
        }
    }
    return top != 1 || stack[0];
}

/*
 * Index each rule's users: the combinations that name it, by position in
 * combo_order. The scorer then evaluates only the combinations with an
 * operand that fired, which is exact because none holds with all its
 * operands false, and in combo_order, which must therefore list every
 * combination once, after the combinations it names. The loader never
 * breaks these rules; a .qdb that does is refused here.
 */
static int derive_combo_users(struct quell_rules *rules, quell_error *err)
{
    const struct rule_table *t = rules->table;
    size_t n = t->rule_count;
    size_t depth = 1;
    size_t combos = 0;
    for (size_t i = 0; i < n; i++) {
        if (t->rules[i].expr_len > depth)
            depth = t->rules[i].expr_len;
        combos += t->rules[i].expr_len > 0;
    }
    if (combos != t->combo_count)
        return err_set(err, QUELL_ECONFIG, NULL, 0, NULL,
                       "%zu combinations but %zu in the evaluation order", combos, t->combo_count);
    int rc = QUELL_OK;
    uint32_t *first = pool_alloc(rules->pool, (n + 1) * sizeof *first);
    uint32_t *pos = malloc((n ? n : 1) * sizeof *pos);   /* in combo_order, or UINT32_MAX */
    uint32_t *seen = calloc(n ? n : 1, sizeof *seen);    /* last user counted, + 1 */
    uint32_t *next = malloc((n ? n : 1) * sizeof *next); /* where its next user goes */
    uint8_t *stack = malloc(depth);
    if (!first || !pos || !seen || !next || !stack) {
        rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
        goto out_free;
    }
    memset(first, 0, (n + 1) * sizeof *first);
    memset(pos, 0xff, (n ? n : 1) * sizeof *pos);
    for (size_t p = 0; p < t->combo_count; p++) {
        uint32_t ri = t->combo_order[p];
        if (ri >= n || t->rules[ri].expr_len == 0 || pos[ri] != UINT32_MAX) {
            rc = err_set(
                err, QUELL_ECONFIG, NULL, 0, NULL,
                "entry %zu of the combinations' order is not a combination, or repeats one", p);
            goto out_free;
        }
        pos[ri] = (uint32_t)p;
    }
    /* Count each rule's users, each once however often it names the rule. */
    for (size_t p = 0; p < t->combo_count; p++) {
        const struct rule *r = &t->rules[t->combo_order[p]];
        const char *file = r->file < t->file_count ? t->files[r->file] : NULL;
        if (holds_when_empty(t, r, stack)) {
            rc = err_set(err, QUELL_ECONFIG, file, (int)r->line, r->id,
                         "combination \"%s\" holds for an empty comment", r->id);
            goto out_free;
        }
        for (uint32_t k = 0; k < r->expr_len; k++) {
            const struct expr_step *st = &t->steps[r->expr_start + k];
            if (st->op != EXPR_RULE && st->op != EXPR_SPAN)
                continue;
            uint32_t a = st->arg;
            if (a >= n || (t->rules[a].expr_len && pos[a] >= p)) {
                rc = err_set(err, QUELL_ECONFIG, file, (int)r->line, r->id,
                             "combination \"%s\" is evaluated before its operand \"%s\"", r->id,
                             a < n ? t->rules[a].id : "?");
                goto out_free;
            }
            if (seen[a] == p + 1)
                continue;
            seen[a] = (uint32_t)p + 1;
            first[a + 1]++;
        }
    }
    for (size_t a = 0; a < n; a++) {
        first[a + 1] += first[a];
        next[a] = first[a];
    }
    uint32_t *users = pool_alloc(rules->pool, (first[n] ? first[n] : 1) * sizeof *users);
    if (!users) {
        rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
        goto out_free;
    }
    memset(seen, 0, (n ? n : 1) * sizeof *seen);
    for (size_t p = 0; p < t->combo_count; p++) {
        const struct rule *r = &t->rules[t->combo_order[p]];
        for (uint32_t k = 0; k < r->expr_len; k++) {
            const struct expr_step *st = &t->steps[r->expr_start + k];
            if ((st->op != EXPR_RULE && st->op != EXPR_SPAN) || seen[st->arg] == p + 1)
                continue;
            seen[st->arg] = (uint32_t)p + 1;
            users[next[st->arg]++] = (uint32_t)p;
        }
    }
    rules->combo_users_first = first;
    rules->combo_users = users;
out_free:
    free(stack);
    free(next);
    free(seen);
    free(pos);
    return rc;
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
        *info = (struct pattern_info){0};
        bool is_loaded = derived && ruleset_is_derived(pat);
        if (pat->kind == PAT_ARABIZI) {
            rc = is_loaded ? copy_derived(rules, &derived[i], info, err) : QUELL_OK;
            if (rc == QUELL_OK)
                rc = arabizi_pattern(rules, pat, info, &views[VIEW_FOLDED], is_loaded, err);
        } else if (is_loaded) {
            rc = copy_derived(rules, &derived[i], info, err);
        } else if (pat->view != VIEW_RAW && pat->kind != PAT_REGEX) {
            rc = normalise_literal(rules, pat, info, views, err);
        } else {
            /* Raw literals and every regex are matched as written. */
            info->text = pat->text;
            info->len = pat->text_len;
            rc = QUELL_OK;
        }
        if (rc != QUELL_OK)
            goto fail;
        if (pat->kind == PAT_WORD)
            info->edges = word_edges(info->text, info->len);
    }
    rc = derive_allows(rules, &views[VIEW_FOLDED], err);
    if (rc != QUELL_OK)
        goto fail;
    for (size_t i = 0; i < table->rule_count; i++) {
        rules->has_validator |= table->rules[i].validator != VALIDATE_NONE;
        rules->context_rule_count += table->rules[i].context != CONTEXT_NONE;
    }
    rules->context_rules =
        pool_alloc(rules->pool, (rules->context_rule_count + 1) * sizeof *rules->context_rules);
    if (!rules->context_rules)
        goto fail_nomem;
    for (size_t i = 0, k = 0; i < table->rule_count; i++) {
        if (table->rules[i].context != CONTEXT_NONE)
            rules->context_rules[k++] = (uint32_t)i;
    }
    rc = derive_combo_users(rules, err);
    if (rc == QUELL_OK)
        rc = context_commons_derive(rules, views, err);
    if (rc != QUELL_OK)
        goto fail;
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
    for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
        const hs_database_t *db = hsdb_nth(&rules->hs, k);
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

const char *quell_rules_rule_context(const quell_rules *rules, size_t i, size_t *at_least)
{
    if (at_least)
        *at_least = 0;
    if (i >= rules->table->rule_count || rules->table->rules[i].context == CONTEXT_NONE)
        return NULL;
    if (at_least)
        *at_least = rules->table->rules[i].at_least;
    return rules_context_fact_name(rules->table->rules[i].context);
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
