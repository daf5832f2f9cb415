/*
 * suites.h - the suites of the quell test runner, one per stage, and the
 * helpers they share.
 */
#ifndef QUELL_TEST_SUITES_H
#define QUELL_TEST_SUITES_H

#include <check.h>

Suite *utf8_suite(void);
Suite *normalise_suite(void);
Suite *rules_suite(void);
Suite *api_suite(void);
Suite *disguise_suite(void);
Suite *qdb_suite(void);
Suite *record_suite(void);
Suite *output_suite(void);
Suite *cli_suite(void);

/* Path of a file in the source tree ($QUELL_SRCDIR, default "."), in a
 * static buffer that the next call overwrites. */
const char *test_path(const char *rel);

#endif /* QUELL_TEST_SUITES_H */
