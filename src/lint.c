/*
 * lint.c - warnings about rule sets that compile but are slow, redundant,
 * untested or wrong (docs/lint.md lists every code): the findings, the
 * checks of rules and categories, and quell_rules_lint, which runs them all.
 */
#include "lint.h"
#include "util/grow.h"

/* Stable codes: tools and people filter on them, so never renumber. */
const struct lint_code_name lint_codes[LINT_CODE_COUNT] = {
    [LINT_DUPLICATE] = {"QL101", "duplicate-pattern"},
    [LINT_DUPLICATE_ACROSS] = {"QL102", "duplicate-across-rules"},
    [LINT_SHADOWED] = {"QL103", "shadowed-pattern"},
    [LINT_REDUNDANT] = {"QL104", "redundant-pattern"},
    [LINT_LARGE_REPEAT] = {"QL201", "large-repeat"},
    [LINT_LEADING_WILDCARD] = {"QL202", "leading-wildcard"},
    [LINT_UNBOUNDED_WILDCARD] = {"QL203", "unbounded-wildcard"},
    [LINT_SHORT_MATCH] = {"QL204", "short-match"},
    [LINT_NO_EXAMPLES] = {"QL301", "no-examples"},
    [LINT_ONE_SIDED_EXAMPLES] = {"QL302", "one-sided-examples"},
    [LINT_REJECTS_ALONE] = {"QL303", "rejects-alone"},
    [LINT_UNUSED_SIGNAL] = {"QL304", "unused-signal"},
    [LINT_UNUSED_CATEGORY] = {"QL305", "unused-category"},
    [LINT_ALLOW_NEVER_APPLIES] = {"QL401", "allow-never-applies"},
    [LINT_DUPLICATE_ALLOW] = {"QL402", "duplicate-allow"},
    [LINT_FIRES_ON_CLEAN] = {"QL501", "fires-on-clean"},
};

int lint_code_by_name(const char *s)
{
    for (int c = 0; c < LINT_CODE_COUNT; c++) {
        if (strcmp(s, lint_codes[c].code) == 0 || strcmp(s, lint_codes[c].name) == 0)
            return c;
    }
    return -1;
}

const char *const lint_kind_names[3] = {"word", "substring", "regex"};

/* ------------------------------------------------------------------------ */
/* Findings                                                                  */

int lint_fail_nomem(struct linter *lt)
{
    return err_set(lt->err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory linting rules");
}

/* Keep a finding with its message. */
int lint_note(struct linter *lt, const struct finding *f, const char *fmt, ...)
{
    if (f->rule < lt->t->rule_count && (lt->t->rules[f->rule].lint_quiet >> f->code & 1u))
        return QUELL_OK;
    char msg[MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct finding *p =
        grow_array(lt->findings, &lt->cap, lt->count + 1, sizeof *p, 64, GROW_UNCAPPED);
    if (!p)
        return lint_fail_nomem(lt);
    lt->findings = p;
    struct finding *slot = &lt->findings[lt->count];
    *slot = *f;
    slot->seq = lt->count;
    slot->message = pool_strndup(lt->pool, msg, strlen(msg));
    if (!slot->message)
        return lint_fail_nomem(lt);
    lt->count++;
    return QUELL_OK;
}

/* A finding about pattern pi. */
struct finding lint_at_pattern(const struct linter *lt, uint32_t code, size_t pi)
{
    const struct pattern *p = &lt->t->patterns[pi];
    return (struct finding){.code = code,
                            .file = p->file,
                            .line = p->line,
                            .rule_id = lt->t->rules[p->rule].id,
                            .rule = p->rule,
                            .pattern = p->text,
                            .related_file = NO_FILE};
}

/* A finding about rule ri. */
struct finding lint_at_rule(const struct linter *lt, uint32_t code, size_t ri)
{
    const struct rule *r = &lt->t->rules[ri];
    return (struct finding){.code = code,
                            .file = r->file,
                            .line = r->line,
                            .rule_id = r->id,
                            .rule = (uint32_t)ri,
                            .related_file = NO_FILE};
}

/* "line N" when file is the one a message is about, else "FILE:N". */
const char *lint_place(char *buf, size_t size, const struct rule_table *t, uint32_t from_file,
                       uint32_t file, uint32_t line)
{
    if (file == from_file)
        snprintf(buf, size, "line %u", (unsigned)line);
    else
        snprintf(buf, size, "%s:%u", t->files[file], (unsigned)line);
    return buf;
}

/* Points (thousandths) as a short decimal: 10, 2.5, 0.125. */
const char *lint_points(char *buf, size_t size, int64_t milli)
{
    clocale_snprintf(buf, size, "%.3f", (double)milli / SCORE_UNIT);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        end[-1] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Rules: examples, weights, signals, categories                             */

static int check_rule(struct linter *lt, size_t ri, const uint8_t *is_operand)
{
    const struct rule_table *t = lt->t;
    const struct rule *r = &t->rules[ri];
    int rc;

    size_t must = 0, must_not = 0;
    for (uint32_t k = 0; k < r->example_count; k++) {
        if (t->examples[r->example_start + k].should_match)
            must++;
        else
            must_not++;
    }
    struct finding f = lint_at_rule(lt, LINT_NO_EXAMPLES, ri);
    /* No text fires a context rule: quell test has nothing to show. */
    bool is_text_rule = r->context == CONTEXT_NONE;
    if (is_text_rule && must + must_not == 0) {
        rc = lint_note(lt, &f,
                       "rule has no must_match or must_not_match examples: 'quell test' cannot "
                       "tell when a change breaks it");
    } else if (is_text_rule && (must == 0 || must_not == 0)) {
        f.code = LINT_ONE_SIDED_EXAMPLES;
        rc = lint_note(lt, &f,
                       must == 0
                           ? "rule has must_not_match examples but no must_match: nothing shows "
                             "that it fires"
                           : "rule has must_match examples but no must_not_match: nothing shows "
                             "what it must leave alone");
    } else {
        rc = QUELL_OK;
    }
    if (rc)
        return rc;

    /* What the rule scores the first time it fires, after its category's
     * cap: a combination scores its weight once, a pattern rule needs
     * min_count occurrences. */
    int64_t first = r->weight;
    if (r->expr_len == 0 && r->context == CONTEXT_NONE) {
        uint32_t count = r->min_count < r->max_hits ? r->min_count : r->max_hits;
        first = r->weight * (int64_t)count;
    }
    int64_t cap = t->categories[r->category].cap;
    if (cap >= 0 && first > cap)
        first = cap;
    int64_t reject = t->threshold[QUELL_REJECT];
    if (first > 0 && first >= reject) {
        f = lint_at_rule(lt, LINT_REJECTS_ALONE, ri);
        char a[32], b[32], c[32];
        if (r->context != CONTEXT_NONE)
            rc = lint_note(lt, &f,
                           "weight %s alone reaches the reject threshold %s: the context rule "
                           "rejects every comment it fires on, whatever its text",
                           lint_points(a, sizeof a, first), lint_points(b, sizeof b, reject));
        else if (r->expr_len)
            rc = lint_note(
                lt, &f,
                "weight %s alone reaches the reject threshold %s: the combination rejects "
                "every comment it holds for",
                lint_points(a, sizeof a, first), lint_points(b, sizeof b, reject));
        else if (r->min_count <= 1)
            rc = lint_note(lt, &f,
                           "weight %s alone reaches the reject threshold %s: a single occurrence "
                           "rejects the comment",
                           lint_points(a, sizeof a, first), lint_points(b, sizeof b, reject));
        else
            rc = lint_note(
                lt, &f,
                "its first firing (min_count %u, weight %s) scores %s, the reject threshold "
                "%s: it rejects a comment alone",
                (unsigned)r->min_count, lint_points(c, sizeof c, r->weight),
                lint_points(a, sizeof a, first), lint_points(b, sizeof b, reject));
        if (rc)
            return rc;
    }

    if (r->weight == 0 && !is_operand[ri]) {
        f = lint_at_rule(lt, LINT_UNUSED_SIGNAL, ri);
        return lint_note(
            lt, &f, "weight is 0 and no combination uses the rule: it can never change a verdict");
    }
    return QUELL_OK;
}

static int check_rules(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    uint8_t *is_operand = calloc(t->rule_count ? t->rule_count : 1, 1);
    if (!is_operand)
        return lint_fail_nomem(lt);
    for (size_t i = 0; i < t->step_count; i++) {
        if ((t->steps[i].op == EXPR_RULE || t->steps[i].op == EXPR_SPAN) &&
            t->steps[i].arg < t->rule_count)
            is_operand[t->steps[i].arg] = 1;
    }
    int rc = QUELL_OK;
    for (size_t ri = 0; ri < t->rule_count && !rc; ri++)
        rc = check_rule(lt, ri, is_operand);
    free(is_operand);
    return rc;
}

static int check_categories(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    size_t count = t->category_count;
    size_t n = count ? count : 1;
    uint8_t *is_used = calloc(n, 1);
    uint8_t *has_allow = calloc(n, 1);
    int rc = QUELL_OK;
    if (!is_used || !has_allow) {
        rc = lint_fail_nomem(lt);
        goto out_free;
    }
    for (size_t i = 0; i < t->rule_count; i++)
        is_used[t->rules[i].category] = 1;
    for (size_t i = 0; i < t->allow_count; i++) {
        if (t->allows[i].category != ALLOW_ALL_CATEGORIES)
            has_allow[t->allows[i].category] = 1;
    }
    /* Where each category is declared comes from the load, kept in the
     * table (and the .qdb), so the configuration is never read again. */
    for (size_t c = 0; c < count && !rc; c++) {
        if (is_used[c])
            continue;
        struct finding f = {.code = LINT_UNUSED_CATEGORY,
                            .rule = NO_RULE,
                            .file = t->categories[c].file,
                            .line = t->categories[c].line,
                            .related_file = NO_FILE};
        rc = lint_note(lt, &f, "category \"%s\" is declared but no rule uses it%s",
                       t->categories[c].name,
                       has_allow[c] ? ", so its allow list has no effect" : "");
    }
out_free:
    free(is_used);
    free(has_allow);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Handing the warnings over                                                 */

static int cmp_finding(const void *a, const void *b)
{
    const struct finding *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool is_same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same warning found again through another view's copy of a pattern
 * (copies may or may not share their text: compare it). */
static bool is_same_finding(const struct finding *x, const struct finding *y)
{
    return x->code == y->code && x->file == y->file && x->line == y->line &&
           is_same_text(x->rule_id, y->rule_id) && is_same_text(x->pattern, y->pattern) &&
           x->related_file == y->related_file && x->related_line == y->related_line &&
           is_same_text(x->related_rule_id, y->related_rule_id);
}

void lint_emit(struct linter *lt, quell_lint_cb cb, void *ctx, size_t *warning_count)
{
    const struct rule_table *t = lt->t;
    if (lt->count > 1)
        qsort(lt->findings, lt->count, sizeof *lt->findings, cmp_finding);
    size_t n = 0;
    size_t group = 0; /* first finding with this file, line and code */
    for (size_t i = 0; i < lt->count; i++) {
        const struct finding *f = &lt->findings[i];
        const struct finding *g = &lt->findings[group];
        if (f->file != g->file || f->line != g->line || f->code != g->code)
            group = i;
        bool is_repeat = false;
        for (size_t k = group; k < i && !is_repeat; k++)
            is_repeat = is_same_finding(&lt->findings[k], f);
        if (is_repeat)
            continue;
        quell_lint_warning w = {
            .code = lint_codes[f->code].code,
            .name = lint_codes[f->code].name,
            .file = f->file < t->file_count ? t->files[f->file] : "",
            .line = (int)f->line,
            .rule_id = f->rule_id,
            .pattern = f->pattern,
            .message = f->message,
            .related_file = f->related_file < t->file_count ? t->files[f->related_file] : NULL,
            .related_line = f->related_file < t->file_count ? (int)f->related_line : 0,
            .related_rule_id = f->related_rule_id,
        };
        n++;
        if (cb && cb(ctx, &w) != 0)
            break;
    }
    if (warning_count)
        *warning_count = n;
}

void lint_free(struct linter *lt)
{
    free(lt->findings);
    pool_free(lt->pool);
}

int quell_rules_lint(const quell_rules *rules, quell_lint_cb cb, void *ctx, size_t *warning_count,
                     quell_error *err)
{
    struct linter lt = {.rules = rules, .t = rules->table, .err = err};
    if (warning_count)
        *warning_count = 0;
    lt.pool = pool_new();
    if (!lt.pool)
        return lint_fail_nomem(&lt);
    int rc;
    if ((rc = check_rules(&lt)) || (rc = check_categories(&lt)) ||
        (rc = lint_check_patterns(&lt)) || (rc = lint_check_literal_overlaps(&lt)) ||
        (rc = lint_check_regex_duplicates(&lt)) || (rc = lint_check_allows(&lt)))
        goto out_free;
    lint_emit(&lt, cb, ctx, warning_count);
out_free:
    lint_free(&lt);
    return rc;
}
