/*
 * suites.h - the suites of the quell test runner, one per stage, and the
 * helpers they share.
 */
#ifndef QUELL_TEST_SUITES_H
#define QUELL_TEST_SUITES_H

#include <check.h>
#include <stdint.h>

#include "quell.h"

Suite *utf8_suite(void);
Suite *normalise_suite(void);
Suite *rules_suite(void);
Suite *api_suite(void);
Suite *disguise_suite(void);
Suite *qdb_suite(void);
Suite *record_suite(void);
Suite *output_suite(void);
Suite *cli_suite(void);
Suite *eval_html_suite(void);
Suite *eval_suite(void);
Suite *lint_suite(void);
Suite *validate_suite(void);
Suite *masks_suite(void);
Suite *arabizi_suite(void);
Suite *packs_suite(void);
Suite *arabic_suite(void);
Suite *engine_suite(void);
Suite *hostile_suite(void);
Suite *comment_spam_suite(void);
Suite *fit_suite(void);
Suite *threats_suite(void);
Suite *score_suite(void);
Suite *context_suite(void);

/*
 * Check's timeouts, in seconds, for every test of a TCase, its checked
 * fixture included (Check's default is 4). Every TCase sets one: on a
 * loaded 2-core machine under AddressSanitizer, which slows Hyperscan's
 * compiler tenfold, tests that take a second idle took over four. Each is
 * about 20 times the slowest test of its kind under ASan with the other core
 * busy, so that make check passes on a busy machine and a hang still fails
 * within minutes. CK_TIMEOUT_MULTIPLIER scales them all for slower machines.
 */
/* Pure functions over tables and random data (slowest: 3 s under ASan). */
#define TEST_TIMEOUT_UNIT 60
/* Compiles a small rule set, or loads the shipped .qdb, per test (1 s). */
#define TEST_TIMEOUT_RULES 60
/* Runs the quell command, some tests several times, each compiling its
 * fixture rules (3.5 s). */
#define TEST_TIMEOUT_COMMAND 120

/* xorshift64*: the same pseudo-random sequence on every platform. */
uint64_t test_rng(uint64_t *state);

/* Write text to a file called name in a temporary folder made once per
 * process; returns its path, in a static buffer the next call overwrites. */
const char *test_write_temp(const char *name, const char *text);

/* The shipped rules to test with: $QUELL_DEFAULT_RULES (make check points it
 * at a .qdb compiled once, since compiling them under AddressSanitizer takes
 * a minute), else rules/default.cfg in the source tree. */
const char *test_default_rules(void);

/* Path of a file in the source tree ($QUELL_SRCDIR, default "."), in a
 * static buffer that the next call overwrites. */
const char *test_path(const char *rel);

/* Load the rules at path (a .cfg or a .qdb) and a scanner for them
 * (tests/helpers.c); test_close_rules frees both. */
void test_open_rules(const char *path, quell_rules **rules, quell_scanner **scanner);
void test_close_rules(quell_rules *rules, quell_scanner *scanner);

/* Compile the rule text written to a temporary file called name. */
quell_rules *test_compile_text(const char *name, const char *text);

/* The shipped rules and a scanner, for a TCase's unchecked fixture
 * (tcase_add_unchecked_fixture(tc, test_shipped_setup, test_shipped_teardown)). */
extern quell_rules *test_shipped_rules;
extern quell_scanner *test_shipped_scanner;
void test_shipped_setup(void);
void test_shipped_teardown(void);

/* The verdict of a comment whose body is the string body; valid until the
 * scanner's next scan. */
const quell_verdict *test_scan_body(quell_scanner *scanner, const char *body);

/* The score of category in v; a category the rules lack fails the test. */
double test_category_score(const quell_verdict *v, const char *category);

#endif /* QUELL_TEST_SUITES_H */
