/*
 * lint_clean.c - the clean-corpus check (QL501): how often each rule fires
 * on comments known to be clean.
 */
#include "lint.h"

/* ------------------------------------------------------------------------ */
/* Known-clean comments                                                      */

struct quell_lint_clean {
    const struct quell_rules *rules;
    quell_scanner *scanner;
    size_t *fired; /* by rule: the comments it fired on */
    size_t comment_count;
};

int quell_lint_clean_new(quell_lint_clean **out, const quell_rules *rules, quell_error *err)
{
    *out = NULL;
    struct quell_lint_clean *c = calloc(1, sizeof *c);
    size_t n = rules->table->rule_count ? rules->table->rule_count : 1;
    if (!c || !(c->fired = calloc(n, sizeof *c->fired))) {
        free(c);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a clean check");
    }
    c->rules = rules;
    int rc = quell_scanner_new(&c->scanner, rules, err);
    if (rc != QUELL_OK) {
        quell_lint_clean_free(c);
        return rc;
    }
    *out = c;
    return QUELL_OK;
}

void quell_lint_clean_free(quell_lint_clean *clean)
{
    if (!clean)
        return;
    quell_scanner_free(clean->scanner);
    free(clean->fired);
    free(clean);
}

int quell_lint_clean_add(quell_lint_clean *clean, const quell_comment *comment, quell_error *err)
{
    const quell_verdict *v;
    int rc = quell_scan(clean->scanner, comment, &v, err);
    if (rc != QUELL_OK)
        return rc;
    for (size_t i = 0; i < v->rule_count; i++)
        clean->fired[v->rules[i].index]++;
    clean->comment_count++;
    return QUELL_OK;
}

size_t quell_lint_clean_comment_count(const quell_lint_clean *clean)
{
    return clean->comment_count;
}

/* A share as a short percentage: 1.5%, 0.25%, 100%. */
static const char *percent(char *buf, size_t size, double share)
{
    snprintf(buf, size, "%.3g%%", share * 100);
    return buf;
}

int quell_lint_clean_report(const quell_lint_clean *clean, double max_share, quell_lint_cb cb,
                            void *ctx, size_t *warning_count, quell_error *err)
{
    if (warning_count)
        *warning_count = 0;
    /* Written so that NaN fails too. */
    if (!(max_share >= 0 && max_share <= 1))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "the clean share must be from 0 to 1, not %g", max_share);
    const struct rule_table *t = clean->rules->table;
    struct linter lt = {.rules = clean->rules, .t = t, .err = err};
    lt.pool = pool_new();
    if (!lt.pool)
        return lint_fail_nomem(&lt);
    int rc = QUELL_OK;
    size_t n = clean->comment_count;
    char a[32], b[32];
    for (size_t ri = 0; ri < t->rule_count && n > 0 && !rc; ri++) {
        /* Signals (weight 0) and counter-signals (negative) are meant to
         * fire on ordinary text. */
        if (t->rules[ri].weight <= 0)
            continue;
        double share = (double)clean->fired[ri] / (double)n;
        if (share <= max_share)
            continue;
        struct finding f = lint_at_rule(&lt, LINT_FIRES_ON_CLEAN, ri);
        rc = lint_note(&lt, &f,
                       "fires on %zu of %zu known-clean comments (%s), more than the %s allowed: "
                       "every one of them is a false positive",
                       clean->fired[ri], n, percent(a, sizeof a, share),
                       percent(b, sizeof b, max_share));
    }
    if (!rc)
        lint_emit(&lt, cb, ctx, warning_count);
    lint_free(&lt);
    return rc;
}
