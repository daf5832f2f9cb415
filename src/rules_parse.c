/*
 * rules_parse.c - the sections of a configuration file: actions, categories
 * with their allow lists, and rules with their patterns, list files,
 * examples, views and Arabizi forms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "rules_loader.h"
#include "utf8.h"
#include "util/grow.h"
#include "validate.h"
#include "views.h"

static const char *const kind_names[] = {"word", "substring", "regex", "arabizi"};

/* A rule id ([A-Za-z0-9_.:-]+) or category name ([a-z0-9_]+). */
static int check_name(struct loader *ld, const struct where *at, const char *what, const char *name,
                      bool is_rule_id)
{
    char q[QUOTE_BUF_BYTES];
    size_t len = strlen(name);
    if (len == 0)
        return fail(ld, at, "%s is empty", what);
    if (len > RULES_MAX_NAME_BYTES)
        return fail(ld, at, "%s \"%s\" is longer than %d bytes", what,
                    rules_quote(q, sizeof q, name, len), RULES_MAX_NAME_BYTES);
    for (size_t i = 0; i < len; i++) {
        if (!loader_is_name_char(name[i], is_rule_id))
            return fail(ld, at, "%s \"%s\" may only use %s", what,
                        rules_quote(q, sizeof q, name, len),
                        is_rule_id ? "A-Z a-z 0-9 _ . : -" : "a-z 0-9 _");
    }
    return QUELL_OK;
}

/* Text for a pattern or example: bounded, no NUL, valid UTF-8. */
static int check_text(struct loader *ld, const struct where *at, const char *what, const char *text,
                      size_t len, bool is_empty_ok)
{
    char q[QUOTE_BUF_BYTES];
    size_t bad_off;
    if (len == 0 && !is_empty_ok)
        return fail(ld, at, "empty %s \"\"", what);
    if (len > RULES_MAX_TEXT_BYTES)
        return fail(ld, at, "%s \"%s\" is longer than %zu bytes", what,
                    rules_quote(q, sizeof q, text, len), RULES_MAX_TEXT_BYTES);
    if (memchr(text, '\0', len))
        return fail(ld, at, "%s \"%s\" contains a NUL byte", what,
                    rules_quote(q, sizeof q, text, len));
    if (!utf8_valid(text, len, &bad_off))
        return fail(ld, at, "%s \"%s\" is not valid UTF-8 (byte %zu)", what,
                    rules_quote(q, sizeof q, text, len), bad_off);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Top-level sections                                                        */

/* "actions", or "thresholds" overriding them: the same three keys. */
static int parse_thresholds(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    static const char *const keys[] = {"flag", "hold", "reject"};
    const char *name = config_setting_name(group);
    struct where at = {file, config_setting_source_line(group), NULL};
    struct where key_at[4] = {at, at, at, at};
    bool is_set[4] = {false, false, false, false};

    if (!config_setting_is_group(group))
        return fail(ld, &at, "\"%s\" must be a group, like { flag = 3.0; ... }", name);
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        int rc = loader_member_where(ld, s, file, NULL, &s_at);
        if (rc)
            return rc;
        int action = 0;
        for (int k = 0; k < 3; k++) {
            if (strcmp(config_setting_name(s), keys[k]) == 0)
                action = QUELL_FLAG + k;
        }
        if (action == 0)
            return fail(ld, &s_at, "unknown key \"%s\" in %s (expected flag, hold, reject)",
                        config_setting_name(s), name);
        if ((rc = loader_get_points(ld, s, &s_at, true, RULES_MAX_POINTS, &ld->threshold[action])))
            return rc;
        is_set[action] = true;
        key_at[action] = s_at;
    }
    for (int action = QUELL_FLAG; action <= QUELL_REJECT; action++) {
        if (!is_set[action])
            return fail(ld, &at, "%s has no \"%s\" threshold", name, keys[action - QUELL_FLAG]);
    }
    /* Compared after scaling: the table's values are what must be ordered. */
    for (int action = QUELL_FLAG; action <= QUELL_REJECT; action++) {
        if (ld->threshold[action] <= ld->threshold[action - 1])
            return fail(ld, &key_at[action],
                        "thresholds must satisfy 0 < flag < hold < reject "
                        "(flag %.3f, hold %.3f, reject %.3f)",
                        (double)ld->threshold[QUELL_FLAG] / SCORE_UNIT,
                        (double)ld->threshold[QUELL_HOLD] / SCORE_UNIT,
                        (double)ld->threshold[QUELL_REJECT] / SCORE_UNIT);
    }
    return QUELL_OK;
}

int loader_parse_actions(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    /* Thresholds given before the actions they override would be lost. */
    if (ld->has_thresholds) {
        struct where at = {file, config_setting_source_line(group), NULL};
        return fail(ld, &at, "\"actions\" must come before \"thresholds\", which override them");
    }
    int rc = parse_thresholds(ld, group, file);
    if (!rc)
        ld->has_actions = true;
    return rc;
}

int loader_parse_thresholds(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    struct where at = {file, config_setting_source_line(group), NULL};
    if (!ld->has_actions)
        return fail(ld, &at, "\"thresholds\" override \"actions\": give the actions first");
    if (ld->has_thresholds)
        return fail(ld, &at, "\"thresholds\" are given twice");
    int rc = parse_thresholds(ld, group, file);
    if (!rc)
        ld->has_thresholds = true;
    return rc;
}

/* One { id = "..."; weight = ...; } of a weights list. The new weight keeps
 * the rule's sign: a fitted file may tune how much a rule counts, never turn
 * a signal into a scorer or a counter-signal into evidence. */
static int parse_weight(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    struct where at = {file, config_setting_source_line(group), NULL};
    if (!config_setting_is_group(group))
        return fail(ld, &at, "each weight must be a group, like { id = \"rule.id\"; weight = 2.5; }");
    const config_setting_t *id_s = NULL, *weight_s = NULL;
    struct where id_at = at, weight_at = at;
    int rc;
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        if ((rc = loader_member_where(ld, s, file, NULL, &s_at)))
            return rc;
        const char *key = config_setting_name(s);
        if (strcmp(key, "id") == 0) {
            id_s = s;
            id_at = s_at;
        } else if (strcmp(key, "weight") == 0) {
            weight_s = s;
            weight_at = s_at;
        } else {
            return fail(ld, &s_at, "unknown key \"%s\" in weights (expected id, weight)", key);
        }
    }
    if (!id_s)
        return fail(ld, &at, "weight has no \"id\"");
    const char *id;
    if ((rc = loader_get_string(ld, id_s, &id_at, &id)))
        return rc;
    uint32_t ri;
    if (!loader_map_get(&ld->rule_ids, id, strlen(id), &ri)) {
        char q[QUOTE_BUF_BYTES];
        id_at.rule_id = NULL;
        return fail(ld, &id_at,
                    "weights: unknown rule id \"%s\" (a weight must come after the rule it "
                    "changes)",
                    rules_quote(q, sizeof q, id, strlen(id)));
    }
    struct rule *rule = (struct rule *)ld->rules.data + ri;
    weight_at.rule_id = rule->id;
    id_at.rule_id = rule->id;
    if (!weight_s)
        return fail(ld, &id_at, "weight for rule %s has no \"weight\"", rule->id);
    /* weight_first[rule] is 1 + the index of its override: no quadratic
     * search through a long weights list. */
    uint32_t *first = grow_array(ld->weight_first.data, &ld->weight_first.cap, ld->rules.count,
                                 sizeof *first, 64, RULES_MAX_RULES);
    if (!first)
        return loader_fail_nomem(ld);
    memset(first + ld->weight_first.count, 0,
           (ld->rules.count - ld->weight_first.count) * sizeof *first);
    ld->weight_first.data = first;
    ld->weight_first.count = ld->rules.count;
    if (first[ri]) {
        const struct weight_override *seen =
            (const struct weight_override *)ld->weight_overrides.data + first[ri] - 1;
        return fail(ld, &id_at, "weights: the rule is given a weight twice (first at %s:%u)",
                    loader_file_name(ld, seen->at.file), (unsigned)seen->at.line);
    }
    int64_t weight;
    if ((rc = loader_get_points(ld, weight_s, &weight_at, true, (double)WEIGHT_MAX / SCORE_UNIT,
                                &weight)))
        return rc;
    if ((weight > 0) != (rule->weight > 0) || (weight < 0) != (rule->weight < 0))
        return fail(ld, &weight_at,
                    "weights: the rule's weight is %.3f (%s:%u); %.3f would change its sign",
                    (double)rule->weight / SCORE_UNIT, loader_file_name(ld, rule->file),
                    (unsigned)rule->line, (double)weight / SCORE_UNIT);
    struct weight_override *o;
    if ((rc = loader_push(ld, &ld->weight_overrides, sizeof *o, RULES_MAX_RULES, "weights",
                          &weight_at, (void **)&o)))
        return rc;
    o->rule = ri;
    o->at = weight_at;
    first[ri] = (uint32_t)ld->weight_overrides.count;
    rule->weight = weight;
    return QUELL_OK;
}

int loader_parse_weights(struct loader *ld, const config_setting_t *list, uint32_t file)
{
    struct where at = {file, config_setting_source_line(list), NULL};
    if (!config_setting_is_list(list))
        return fail(ld, &at,
                    "\"weights\" must be a list of groups, like ( { id = \"rule.id\"; "
                    "weight = 2.5; } )");
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        int rc = parse_weight(ld, config_setting_get_elem(list, (unsigned int)i), file);
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

int loader_check_weights(struct loader *ld)
{
    const struct weight_override *o = ld->weight_overrides.data;
    const struct rule *rules = ld->rules.data;
    const struct category *cats = ld->categories.data;
    for (size_t i = 0; i < ld->weight_overrides.count; i++) {
        const struct rule *r = &rules[o[i].rule];
        if (cats[r->category].is_separate)
            return fail(ld, &o[i].at,
                        "weights: the rule is in the separate category \"%s\", whose rules a "
                        "weights file does not change",
                        cats[r->category].name);
    }
    return QUELL_OK;
}

/* One entry of common_phrases. */
int loader_add_common(struct loader *ld, const char *text, const struct where *at, void *ctx)
{
    (void)ctx;
    size_t len = strlen(text);
    int rc = check_text(ld, at, "common phrase", text, len, false);
    if (rc)
        return rc;
    struct common_phrase *c;
    if ((rc = loader_push(ld, &ld->commons, sizeof *c, RULES_MAX_PATTERNS, "common phrases", at,
                          (void **)&c)))
        return rc;
    c->text = pool_strndup(ld->pool, text, len);
    if (!c->text)
        return loader_fail_nomem(ld);
    c->text_len = (uint32_t)len;
    c->file = at->file;
    c->line = at->line;
    return QUELL_OK;
}

/* One entry of an allow list; ctx is the category index (or all). */
int loader_add_allow(struct loader *ld, const char *text, const struct where *at, void *ctx)
{
    size_t len = strlen(text);
    int rc = check_text(ld, at, "allowed word", text, len, false);
    if (rc)
        return rc;
    struct allow_word *a;
    if ((rc = loader_push(ld, &ld->allows, sizeof *a, RULES_MAX_PATTERNS, "allowed words", at,
                          (void **)&a)))
        return rc;
    a->text = pool_strndup(ld->pool, text, len);
    if (!a->text)
        return loader_fail_nomem(ld);
    a->text_len = (uint32_t)len;
    a->category = *(const uint32_t *)ctx;
    a->file = at->file;
    a->line = at->line;
    return QUELL_OK;
}

int loader_parse_category(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    struct where at = {file, config_setting_source_line(group), NULL};
    struct where name_at = at;
    const char *name = NULL;
    int64_t cap = -1;
    bool is_separate = false;
    const config_setting_t *allow = NULL;
    struct where allow_at = at;
    int rc;

    if (!config_setting_is_group(group))
        return fail(ld, &at, "each category must be a group, like { name = \"spam\"; }");
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        if ((rc = loader_member_where(ld, s, file, NULL, &s_at)))
            return rc;
        const char *key = config_setting_name(s);
        if (strcmp(key, "name") == 0) {
            if ((rc = loader_get_string(ld, s, &s_at, &name)))
                return rc;
            if ((rc = check_name(ld, &s_at, "category name", name, false)))
                return rc;
            name_at = s_at;
        } else if (strcmp(key, "cap") == 0) {
            if ((rc = loader_get_points(ld, s, &s_at, false, RULES_MAX_POINTS, &cap)))
                return rc;
        } else if (strcmp(key, "separate") == 0) {
            if ((rc = loader_get_bool(ld, s, &s_at, &is_separate)))
                return rc;
        } else if (strcmp(key, "allow") == 0) {
            /* Read once the category has its index, below. */
            allow = s;
            allow_at = s_at;
        } else {
            return fail(ld, &s_at,
                        "unknown key \"%s\" in category (expected name, cap, separate, allow)",
                        key);
        }
    }
    if (!name)
        return fail(ld, &at, "category has no \"name\"");

    uint32_t first;
    if (loader_map_get(&ld->category_names, name, strlen(name), &first)) {
        const struct where *w = (const struct where *)ld->category_where.data + first;
        return fail(ld, &name_at, "duplicate category \"%s\" (first declared at %s:%u)", name,
                    loader_file_name(ld, w->file), (unsigned)w->line);
    }
    struct category *cat;
    struct where *cat_where;
    if ((rc = loader_push(ld, &ld->categories, sizeof *cat, RULES_MAX_CATEGORIES, "categories",
                          &name_at, (void **)&cat)))
        return rc;
    if ((rc = loader_push(ld, &ld->category_where, sizeof *cat_where, RULES_MAX_CATEGORIES,
                          "categories", &name_at, (void **)&cat_where)))
        return rc;
    cat->name = pool_strndup(ld->pool, name, strlen(name));
    if (!cat->name)
        return loader_fail_nomem(ld);
    cat->cap = cap;
    cat->is_separate = is_separate;
    cat->file = name_at.file;
    cat->line = name_at.line;
    *cat_where = name_at;
    uint32_t index = (uint32_t)(ld->categories.count - 1);
    if (loader_map_put(&ld->category_names, cat->name, index))
        return loader_fail_nomem(ld);
    if (allow)
        return loader_for_each_string(ld, allow, &allow_at, false, loader_add_allow, &index);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Rules                                                                     */

static int add_pattern(struct loader *ld, const struct where *at, uint8_t kind, uint32_t rule,
                       const char *text, size_t len)
{
    char what[32];
    snprintf(what, sizeof what, "%s pattern", kind_names[kind]);
    int rc = check_text(ld, at, what, text, len, false);
    if (rc)
        return rc;
    struct pattern *p;
    if ((rc = loader_push(ld, &ld->patterns, sizeof *p, RULES_MAX_PATTERNS, "patterns", at,
                          (void **)&p)))
        return rc;
    p->text = pool_strndup(ld->pool, text, len);
    if (!p->text)
        return loader_fail_nomem(ld);
    p->text_len = (uint32_t)len;
    p->kind = kind;
    p->view = VIEW_RAW;
    p->rule = rule;
    p->file = at->file;
    p->line = at->line;
    return QUELL_OK;
}

static bool is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Add the patterns of a list file: one per line, trimmed, blank lines and
 * #-comments skipped; each pattern is located by its own line. */
static int read_list(struct loader *ld, const char *path, const struct where *ref, uint8_t kind,
                     uint32_t rule)
{
    uint32_t file;
    char *buf = NULL;
    size_t len = 0;
    int rc = loader_add_file(ld, path, true, ref, &file);
    if (rc)
        return rc;
    rc = loader_read_whole_file(path, RULES_MAX_LIST_BYTES, &buf, &len);
    if (rc == EFBIG) {
        struct where list_at = {file, 0, ref->rule_id};
        return fail(ld, &list_at, "list file is larger than %zu bytes", RULES_MAX_LIST_BYTES);
    }
    if (rc)
        return loader_fail_io(ld, ref, "list file", path, rc);

    size_t pos = 0;
    /* A byte order mark is not part of the first pattern. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    struct where at = {file, 0, ref->rule_id};
    while (pos < len) {
        const char *start = buf + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        at.line++;
        while (n > 0 && is_trim_space(start[0])) {
            start++;
            n--;
        }
        while (n > 0 && is_trim_space(start[n - 1]))
            n--;
        if (n == 0 || start[0] == '#')
            continue;
        if ((rc = add_pattern(ld, &at, kind, rule, start, n)))
            break;
    }
    free(buf);
    return rc;
}

/* Where a rule's patterns go. */
struct pattern_ctx {
    uint8_t kind;
    uint32_t rule;
    const char *key;
};

/* words / substrings / regexes: one inline pattern. */
static int add_inline_pattern(struct loader *ld, const char *text, const struct where *at,
                              void *ctx)
{
    const struct pattern_ctx *pc = ctx;
    return add_pattern(ld, at, pc->kind, pc->rule, text, strlen(text));
}

/* words_file / substrings_file / regexes_file: one list file, relative to
 * the configuration file. */
static int add_list_file(struct loader *ld, const char *rel, const struct where *at, void *ctx)
{
    const struct pattern_ctx *pc = ctx;
    if (rel[0] == '\0')
        return fail(ld, at, "empty path in \"%s\"", pc->key);
    char *path = loader_join_path(loader_file_name(ld, at->file), rel);
    if (!path)
        return loader_fail_nomem(ld);
    int rc = read_list(ld, path, at, pc->kind, pc->rule);
    free(path);
    return rc;
}

/* must_match / must_not_match: one example. */
static int add_example(struct loader *ld, const char *text, const struct where *at, void *ctx)
{
    bool should_match = *(const bool *)ctx;
    size_t len = strlen(text);
    int rc = check_text(ld, at, should_match ? "must_match example" : "must_not_match example",
                        text, len, true);
    if (rc)
        return rc;
    struct example *ex;
    if ((rc = loader_push(ld, &ld->examples, sizeof *ex, RULES_MAX_EXAMPLES, "examples", at,
                          (void **)&ex)))
        return rc;
    ex->text = pool_strndup(ld->pool, text, len);
    if (!ex->text)
        return loader_fail_nomem(ld);
    ex->text_len = (uint32_t)len;
    ex->should_match = should_match;
    ex->line = at->line;
    return QUELL_OK;
}

static const char *const context_fact_names[CONTEXT_FACT_COUNT] = {
    [CONTEXT_CAMPAIGN_COPIES] = "campaign_copies", [CONTEXT_CAMPAIGN_AUTHORS] = "campaign_authors",
    [CONTEXT_AUTHOR_RATE] = "author_rate",         [CONTEXT_AUTHOR_REPEATS] = "author_repeats",
    [CONTEXT_AUTHOR_HELD] = "author_held",
};

const char *rules_context_fact_name(unsigned int fact)
{
    return fact < CONTEXT_FACT_COUNT ? context_fact_names[fact] : NULL;
}

const char *rules_view_name(unsigned int view)
{
    return view < VIEW_COUNT ? views_chain[view].name : NULL;
}

/* One code or name of "lint_ignore": a warning the rule's author accepts. */
static int add_lint_quiet(struct loader *ld, const char *name, const struct where *at, void *ctx)
{
    uint32_t *quiet = ctx;
    int code = lint_code_by_name(name);
    if (code < 0)
        return fail(ld, at,
                    "unknown lint warning \"%s\" in lint_ignore (a code like \"QL303\" or a "
                    "name like \"rejects-alone\", docs/lint.md)",
                    name);
    *quiet |= 1u << code;
    return QUELL_OK;
}

/* One entry of views = [...]: adds its bit to the mask in ctx. */
static int add_view(struct loader *ld, const char *name, const struct where *at, void *ctx)
{
    uint8_t *mask = ctx;
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        if (views_chain[v].is_named && strcmp(name, rules_view_name(v)) == 0) {
            *mask |= (uint8_t)(1u << v);
            return QUELL_OK;
        }
    }
    return fail(ld, at, "unknown view \"%s\" (expected \"raw\", \"folded\" or \"skeleton\")", name);
}

/*
 * Give each of a rule's patterns its views: the ones the rule names, else
 * skeleton for words and substrings (they are literals, so the compiler puts
 * them through the same normalisation) and raw for regexes and for anything
 * case-sensitive. A pattern in several views is entered once per view.
 */
static int assign_views(struct loader *ld, size_t pattern_start, uint8_t mask,
                        bool is_case_sensitive, const struct where *views_at)
{
    if (views_at->line && !mask)
        return fail(ld, views_at, "\"views\" names no view");
    if (mask && is_case_sensitive && (mask & ~(1u << VIEW_RAW)))
        return fail(ld, views_at,
                    "a case-sensitive rule can only scan the raw view: "
                    "the folded and skeleton views are case folded");
    size_t end = ld->patterns.count;
    for (size_t i = pattern_start; i < end; i++) {
        struct pattern *p = (struct pattern *)ld->patterns.data + i;
        uint8_t views = mask;
        if (!views)
            views = (uint8_t)(1u << (p->kind == PAT_REGEX || is_case_sensitive ? VIEW_RAW
                                                                               : VIEW_SKELETON));
        bool is_first = true;
        for (unsigned int v = 0; v < VIEW_COUNT; v++) {
            if (!(views & (1u << v)))
                continue;
            if (is_first) {
                p->view = (uint8_t)v;
                is_first = false;
                continue;
            }
            struct pattern *copy;
            struct where at = {p->file, p->line, NULL};
            int rc = loader_push(ld, &ld->patterns, sizeof *copy, RULES_MAX_PATTERNS, "patterns",
                                 &at, (void **)&copy);
            if (rc)
                return rc;
            /* loader_push may have moved the array. */
            p = (struct pattern *)ld->patterns.data + i;
            *copy = *p;
            copy->view = (uint8_t)v;
        }
    }
    return QUELL_OK;
}

/* Whether text holds a letter of the Arabic block (U+0600..U+06FF). */
static bool has_arabic(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0xD8 && c <= 0xDB)
            return true;
    }
    return false;
}

/*
 * arabizi = true: each Arabic-script word of the rule is entered once more,
 * as PAT_ARABIZI in the Arabizi view (the folded text: digits stay digits); the derived
 * rules write its regex. Each word once, whatever views the rule names.
 */
static int add_arabizi(struct loader *ld, size_t pattern_start, const struct where *at)
{
    size_t end = ld->patterns.count;
    bool has_any = false;
    for (size_t i = pattern_start; i < end; i++) {
        const struct pattern *p = (const struct pattern *)ld->patterns.data + i;
        if (p->kind != PAT_WORD || !has_arabic(p->text, p->text_len))
            continue;
        bool is_dup = false;
        for (size_t j = pattern_start; j < i && !is_dup; j++) {
            const struct pattern *q = (const struct pattern *)ld->patterns.data + j;
            is_dup = q->kind == PAT_WORD && q->text == p->text;
        }
        if (is_dup)
            continue;
        struct pattern *copy;
        struct where p_at = {p->file, p->line, at->rule_id};
        int rc = loader_push(ld, &ld->patterns, sizeof *copy, RULES_MAX_PATTERNS, "patterns", &p_at,
                             (void **)&copy);
        if (rc)
            return rc;
        p = (const struct pattern *)ld->patterns.data + i; /* loader_push may move the array */
        *copy = *p;
        copy->kind = PAT_ARABIZI;
        copy->view = VIEW_ARABIZI;
        has_any = true;
    }
    if (!has_any)
        return fail(ld, at, "\"arabizi\" is set but no word is in Arabic script");
    return QUELL_OK;
}

/* The rule's id, checked and not yet taken; the id's position becomes the
 * rule's position. */
static int parse_rule_id(struct loader *ld, const config_setting_t *group, uint32_t file,
                         const char **id, struct where *at)
{
    const config_setting_t *s = config_setting_get_member(group, "id");
    const char *text;
    int rc;
    if (!s) {
        struct where group_at = {file, config_setting_source_line(group), NULL};
        return fail(ld, &group_at, "rule has no \"id\"");
    }
    if ((rc = loader_member_where(ld, s, file, NULL, at)))
        return rc;
    if ((rc = loader_get_string(ld, s, at, &text)))
        return rc;
    if ((rc = check_name(ld, at, "rule id", text, true)))
        return rc;
    uint32_t first;
    if (loader_map_get(&ld->rule_ids, text, strlen(text), &first)) {
        const struct rule *r = (const struct rule *)ld->rules.data + first;
        at->rule_id = text;
        return fail(ld, at, "duplicate rule id \"%s\" (first defined at %s:%u)", text,
                    loader_file_name(ld, r->file), (unsigned)r->line);
    }
    *id = pool_strndup(ld->pool, text, strlen(text));
    if (!*id)
        return loader_fail_nomem(ld);
    at->rule_id = *id;
    return QUELL_OK;
}

/*
 * A context rule fires on a fact of the comment's context, not on its text:
 * it has "context" and "at_least" and nothing that reads text. An author
 * fact counts only the author's CONTEXT_AUTHOR_RECENT latest comments, so
 * a higher at_least could never be met.
 */
static int check_context_rule(struct loader *ld, struct rule *rule, uint32_t pattern_key_line,
                              const char *combo_only_key, uint32_t combo_only_line,
                              struct where *context_at, struct where *at_least_at,
                              long long at_least, bool has_examples)
{
    context_at->rule_id = at_least_at->rule_id = rule->id;
    if (rule->context == CONTEXT_NONE)
        return fail(ld, at_least_at, "\"at_least\" applies only to a context rule");
    if (!at_least_at->line)
        return fail(ld, context_at, "a context rule needs \"at_least\" (the least %s that fires it)",
                    context_fact_names[rule->context]);
    if (pattern_key_line)
        return fail(ld, context_at, "rule has both patterns (line %u) and context; use one or the other",
                    (unsigned)pattern_key_line);
    if (rule->expr_text)
        return fail(ld, context_at, "rule has both combine and context; use one or the other");
    if (combo_only_key) {
        struct where key_at = {context_at->file, combo_only_line, rule->id};
        return fail(ld, &key_at, "\"%s\" does not apply to a context rule", combo_only_key);
    }
    /* Examples are checked by scanning text alone, which no context fires. */
    if (has_examples)
        return fail(ld, context_at, "a context rule cannot have must_match or must_not_match "
                                    "examples: text alone never fires it");
    bool is_author = rule->context >= CONTEXT_AUTHOR_RATE;
    if (is_author && at_least > CONTEXT_AUTHOR_RECENT)
        return fail(ld, at_least_at,
                    "at_least %lld is more than an author fact counts (%d: an author's latest "
                    "comments are kept)",
                    at_least, CONTEXT_AUTHOR_RECENT);
    rule->at_least = (uint32_t)at_least;
    return QUELL_OK;
}

int loader_parse_rule(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    static const struct {
        const char *key;
        uint8_t kind;
        bool is_list_file;
    } pattern_keys[] = {
        {"words", PAT_WORD, false},
        {"substrings", PAT_SUBSTRING, false},
        {"regexes", PAT_REGEX, false},
        {"words_file", PAT_WORD, true},
        {"substrings_file", PAT_SUBSTRING, true},
        {"regexes_file", PAT_REGEX, true},
    };
    struct where group_at = {file, config_setting_source_line(group), NULL};
    struct where at;
    const char *id = NULL;
    bool has_weight = false;
    bool is_case_sensitive = false;
    bool is_arabizi = false;
    struct where arabizi_at = {file, 0, NULL};
    uint8_t view_mask = 0; /* views = [...], by bit; 0: the defaults */
    struct where views_at = {file, 0, NULL};
    uint32_t pattern_key_line = 0;
    uint32_t combo_only_line = 0; /* a key that means nothing for a combination */
    const char *combo_only_key = NULL;
    long long at_least = 0; /* "at_least", for a context rule; 0: not given */
    struct where context_at = {file, 0, NULL}, at_least_at = {file, 0, NULL};
    int rc;

    if (!config_setting_is_group(group))
        return fail(ld, &group_at, "each rule must be a group, like { id = \"...\"; ... }");
    if ((rc = parse_rule_id(ld, group, file, &id, &at)))
        return rc;

    struct rule *rule;
    struct rule_info *info;
    if ((rc = loader_push(ld, &ld->rules, sizeof *rule, RULES_MAX_RULES, "rules", &at,
                          (void **)&rule)))
        return rc;
    if ((rc = loader_push(ld, &ld->rule_info, sizeof *info, RULES_MAX_RULES, "rules", &at,
                          (void **)&info)))
        return rc;
    uint32_t index = (uint32_t)(ld->rules.count - 1);
    if (loader_map_put(&ld->rule_ids, id, index))
        return loader_fail_nomem(ld);
    size_t pattern_start = ld->patterns.count;
    size_t example_start = ld->examples.count;
    rule->id = id;
    rule->field = QUELL_FIELD_BODY;
    rule->max_hits = 1;
    rule->min_count = 1;
    rule->file = file;
    rule->line = at.line;

    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        if ((rc = loader_member_where(ld, s, file, id, &s_at)))
            return rc;
        const char *key = config_setting_name(s);
        size_t k = 0;
        while (k < sizeof pattern_keys / sizeof pattern_keys[0] &&
               strcmp(key, pattern_keys[k].key) != 0)
            k++;
        long long count;
        const char *text;

        if (k < sizeof pattern_keys / sizeof pattern_keys[0]) {
            struct pattern_ctx pc = {pattern_keys[k].kind, index, key};
            if (pattern_key_line == 0)
                pattern_key_line = s_at.line;
            /* An empty list beside other patterns would be silently nothing:
             * most likely patterns lost in an edit. */
            if (config_setting_type(s) == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)
                rc = fail(ld, &s_at, "\"%s\" is an empty list: give it patterns or remove it", key);
            else if (pattern_keys[k].is_list_file)
                rc = loader_for_each_string(ld, s, &s_at, true, add_list_file, &pc);
            else
                rc = loader_for_each_string(ld, s, &s_at, false, add_inline_pattern, &pc);
        } else if (strcmp(key, "id") == 0) {
            rc = QUELL_OK;
        } else if (strcmp(key, "category") == 0) {
            if (!(rc = loader_get_string(ld, s, &s_at, &text))) {
                info->category = pool_strndup(ld->pool, text, strlen(text));
                info->category_line = s_at.line;
                if (!info->category)
                    rc = loader_fail_nomem(ld);
            }
        } else if (strcmp(key, "weight") == 0) {
            rc = loader_get_points(ld, s, &s_at, true, (double)WEIGHT_MAX / SCORE_UNIT,
                                   &rule->weight);
            has_weight = true;
        } else if (strcmp(key, "field") == 0) {
            if (!(rc = loader_get_string(ld, s, &s_at, &text))) {
                if (strcmp(text, "body") == 0)
                    rule->field = QUELL_FIELD_BODY;
                else if (strcmp(text, "author") == 0)
                    rule->field = QUELL_FIELD_AUTHOR;
                else
                    rc = fail(ld, &s_at, "unknown field \"%s\" (expected \"body\" or \"author\")",
                              text);
            }
        } else if (strcmp(key, "case_sensitive") == 0) {
            rc = loader_get_bool(ld, s, &s_at, &is_case_sensitive);
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "views") == 0) {
            rc = loader_for_each_string(ld, s, &s_at, true, add_view, &view_mask);
            views_at = s_at;
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "max_hits") == 0 || strcmp(key, "min_count") == 0) {
            if (!(rc = loader_get_int(ld, s, &s_at, 1, RULES_MAX_COUNT, &count))) {
                if (strcmp(key, "max_hits") == 0)
                    rule->max_hits = (uint32_t)count;
                else
                    rule->min_count = (uint32_t)count;
            }
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "arabizi") == 0) {
            rc = loader_get_bool(ld, s, &s_at, &is_arabizi);
            arabizi_at = s_at;
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "validate") == 0) {
            if (!(rc = loader_get_string(ld, s, &s_at, &text))) {
                rule->validator = (uint8_t)validate_by_name(text);
                if (rule->validator == VALIDATE_NONE)
                    rc = fail(ld, &s_at, "unknown validator \"%s\" (expected \"luhn\" or \"not_name\")", text);
            }
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "combine") == 0) {
            if (!(rc = loader_get_string(ld, s, &s_at, &text))) {
                size_t len = strlen(text);
                info->combine_line = s_at.line;
                if (len > RULES_MAX_TEXT_BYTES) {
                    char q[QUOTE_BUF_BYTES];
                    rc = fail(ld, &s_at, "combine \"%s\" is longer than %zu bytes",
                              rules_quote(q, sizeof q, text, len), RULES_MAX_TEXT_BYTES);
                } else if (!(rule->expr_text = pool_strndup(ld->pool, text, len))) {
                    rc = loader_fail_nomem(ld);
                }
            }
        } else if (strcmp(key, "context") == 0) {
            context_at = s_at;
            if (!(rc = loader_get_string(ld, s, &s_at, &text))) {
                unsigned int f = 1;
                while (f < CONTEXT_FACT_COUNT && strcmp(text, context_fact_names[f]) != 0)
                    f++;
                if (f == CONTEXT_FACT_COUNT)
                    rc = fail(ld, &s_at,
                              "unknown context fact \"%s\" (expected \"campaign_copies\", "
                              "\"campaign_authors\", \"author_rate\", \"author_repeats\" or "
                              "\"author_held\")",
                              text);
                rule->context = (uint8_t)f;
            }
        } else if (strcmp(key, "at_least") == 0) {
            at_least_at = s_at;
            rc = loader_get_int(ld, s, &s_at, 1, RULES_MAX_COUNT, &at_least);
        } else if (strcmp(key, "lint_ignore") == 0) {
            rc = loader_for_each_string(ld, s, &s_at, true, add_lint_quiet, &rule->lint_quiet);
        } else if (strcmp(key, "must_match") == 0 || strcmp(key, "must_not_match") == 0) {
            bool should_match = strcmp(key, "must_match") == 0;
            rc = loader_for_each_string(ld, s, &s_at, false, add_example, &should_match);
        } else {
            rc = fail(ld, &s_at, "unknown key \"%s\" in rule", key);
        }
        if (rc)
            return rc;
    }

    if (!info->category)
        return fail(ld, &at, "rule has no \"category\"");
    if (!has_weight)
        return fail(ld, &at, "rule has no \"weight\"");
    if (rule->context != CONTEXT_NONE || at_least_at.line) {
        if ((rc = check_context_rule(ld, rule, pattern_key_line, combo_only_key, combo_only_line,
                                     &context_at, &at_least_at, at_least,
                                     ld->examples.count > example_start)))
            return rc;
    } else if (rule->expr_text) {
        struct where combine_at = {file, info->combine_line, id};
        if (pattern_key_line)
            return fail(ld, &combine_at,
                        "rule has both patterns (line %u) and combine; use one or the other",
                        (unsigned)pattern_key_line);
        if (combo_only_key) {
            combine_at.line = combo_only_line;
            return fail(ld, &combine_at, "\"%s\" does not apply to a combination", combo_only_key);
        }
    } else if (ld->patterns.count == pattern_start) {
        return fail(ld, &at, "rule has no patterns, no combine and no context");
    }

    rule->is_caseless = !is_case_sensitive;
    struct pattern *patterns = ld->patterns.data;
    for (size_t i = pattern_start; i < ld->patterns.count; i++)
        patterns[i].is_caseless = rule->is_caseless;
    views_at.rule_id = id;
    if ((rc = assign_views(ld, pattern_start, view_mask, is_case_sensitive, &views_at)))
        return rc;
    if (is_arabizi) {
        arabizi_at.rule_id = id;
        if (is_case_sensitive)
            return fail(ld, &arabizi_at, "an arabizi rule cannot be case-sensitive");
        if ((rc = add_arabizi(ld, pattern_start, &arabizi_at)))
            return rc;
    }
    rule->example_start = (uint32_t)example_start;
    rule->example_count = (uint32_t)(ld->examples.count - example_start);
    return QUELL_OK;
}
