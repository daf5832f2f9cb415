/*
 * check_main.c - runs every suite; the exit status is the verdict.
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

const char *test_path(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("QUELL_SRCDIR");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : ".", rel);
    return buf;
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
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
