/*
 * helpers.c - what the suites that scan with a rule set share: open the
 * rules and a scanner, scan a body, read a category's score. Each fails the
 * running test on an error instead of returning it.
 */
#include <string.h>

#include "suites.h"

void test_open_rules(const char *path, quell_rules **rules, quell_scanner **scanner)
{
    quell_error err;
    int rc = quell_rules_load(rules, path, &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    rc = quell_scanner_new(scanner, *rules, &err);
    ck_assert_msg(rc == QUELL_OK, "scanner: %s", err.message);
}

quell_rules *test_compile_text(const char *name, const char *text)
{
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp(name, text), &err);
    ck_assert_msg(rc == QUELL_OK, "%s: %s", name, err.message);
    return rules;
}

quell_rules *test_shipped_rules;
quell_scanner *test_shipped_scanner;

void test_shipped_setup(void)
{
    test_open_rules(test_default_rules(), &test_shipped_rules, &test_shipped_scanner);
}

void test_shipped_teardown(void)
{
    test_close_rules(test_shipped_rules, test_shipped_scanner);
    test_shipped_rules = NULL;
    test_shipped_scanner = NULL;
}

void test_close_rules(quell_rules *rules, quell_scanner *scanner)
{
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}

const quell_verdict *test_scan_body(quell_scanner *scanner, const char *body)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    const quell_verdict *v;
    quell_error err;
    int rc = quell_scan(scanner, &c, &v, &err);
    ck_assert_msg(rc == QUELL_OK, "\"%s\": %s", body, err.message);
    return v;
}

double test_category_score(const quell_verdict *v, const char *category)
{
    for (size_t i = 0; i < v->category_count; i++) {
        if (strcmp(v->category_names[i], category) == 0)
            return v->category_scores[i];
    }
    ck_abort_msg("the rules have no category %s", category);
    return 0;
}
