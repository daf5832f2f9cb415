/*
 * check_main.c - runs every suite; the exit status is the verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "suites.h"

const char *test_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("QUELL_SRCDIR");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : ".", rel);
    return buf;
}

const char *test_default_rules(void)
{
    static char buf[4096];
    const char *qdb = getenv("QUELL_DEFAULT_RULES");
    if (qdb && qdb[0]) {
        snprintf(buf, sizeof buf, "%s", qdb);
        return buf;
    }
    return test_path("rules/default.cfg");
}

uint64_t test_rng(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

const char *test_write_temp(const char *name, const char *text)
{
    static char dir[64], path[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/quell-test-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

int main(void)
{
    SRunner *sr = srunner_create(utf8_suite());
    srunner_add_suite(sr, normalise_suite());
    srunner_add_suite(sr, rules_suite());
    srunner_add_suite(sr, api_suite());
    srunner_add_suite(sr, disguise_suite());
    srunner_add_suite(sr, qdb_suite());
    srunner_add_suite(sr, record_suite());
    srunner_add_suite(sr, output_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, eval_html_suite());
    srunner_add_suite(sr, eval_suite());
    srunner_add_suite(sr, lint_suite());
    srunner_add_suite(sr, validate_suite());
    srunner_add_suite(sr, masks_suite());
    srunner_add_suite(sr, arabizi_suite());
    srunner_add_suite(sr, packs_suite());
    srunner_add_suite(sr, arabic_suite());
    srunner_add_suite(sr, engine_suite());
    srunner_add_suite(sr, hostile_suite());
    srunner_add_suite(sr, comment_spam_suite());
    srunner_add_suite(sr, fit_suite());
    srunner_add_suite(sr, threats_suite());
    srunner_add_suite(sr, score_suite());
    srunner_add_suite(sr, context_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
