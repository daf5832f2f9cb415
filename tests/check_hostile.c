/*
 * check_hostile.c - what fuzzing and hostile callers found: the library's
 * messages stay one line of valid UTF-8 whatever the input quotes, and its
 * numbers read the same under any locale.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Found by fuzz_config: libconfig's @include of a folder ("" or ".") made
 * its scanner exit the process ("input in flex scanner failed"). */
static const char *const folder_includes[] = {"@include \"\"\n", "version = 1;\n  @include \".\"\n",
                                              "\t@include \"..\" # up\n"};

START_TEST(test_at_include_of_a_folder_refused)
{
    quell_rules *rules;
    quell_error err;
    ck_assert_int_eq(
        quell_rules_compile(&rules, test_write_temp("inc.cfg", folder_includes[_i]), &err),
        QUELL_ECONFIG);
    ck_assert_msg(strstr(err.message, "is not supported; use include = [") != NULL, "%s",
                  err.message);
}
END_TEST

/*
 * Switch LC_NUMERIC to a locale whose decimal point is a comma: de_DE.UTF-8
 * (tools/deps.sh makes it), another if present, else one made here with
 * localedef into a temporary folder (LOCPATH). Each test runs in its own
 * process (Check's fork mode), so the switch ends with it. Returns 0 when
 * no such locale can be had: the caller then says it skips.
 */
static int use_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                        "nl_NL.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8"};
    for (int attempt = 0; attempt < 2; attempt++) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (setlocale(LC_NUMERIC, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
                return 1;
        }
        if (attempt == 0) {
            char dir[] = "/tmp/quell-locale-XXXXXX";
            char cmd[256];
            if (!mkdtemp(dir))
                return 0;
            snprintf(cmd, sizeof cmd,
                     "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
            if (system(cmd) != 0)
                return 0;
            setenv("LOCPATH", dir, 1);
        }
    }
    return 0;
}

#define REQUIRE_COMMA_LOCALE()                                                                     \
    do {                                                                                           \
        if (!use_comma_locale()) {                                                                 \
            fprintf(stderr, "%s: SKIPPED: no locale with a decimal comma could be made\n",        \
                    __func__);                                                                     \
            return;                                                                                \
        }                                                                                          \
        char probe[16];                                                                            \
        snprintf(probe, sizeof probe, "%.1f", 1.5);                                                \
        ck_assert_str_eq(probe, "1,5");                                                            \
    } while (0)

static const char locale_cfg[] =
    "version = 1;\n"
    "actions = { flag = 1.5; hold = 4.25; reject = 8.0; };\n"
    "categories = ( { name = \"insult\"; } );\n"
    "rules = (\n"
    "  { id = \"w\"; category = \"insult\"; weight = 1.5; words = [ \"idiot\" ]; },\n"
    "  { id = \"big\"; category = \"insult\"; weight = 8.5; words = [ \"scum\" ]; }\n"
    ");\n";

/* Under a comma locale, every number the library writes into JSON keeps its
 * dot: the verdict's scores, and a record's numeric id and label as echoed. */
START_TEST(test_json_numbers_ignore_locale)
{
    REQUIRE_COMMA_LOCALE();
    quell_rules *rules;
    quell_error err;
    ck_assert_msg(quell_rules_compile(&rules, test_write_temp("l.cfg", locale_cfg), &err) ==
                      QUELL_OK,
                  "%s", err.message);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_HOLD), 4.25);
    quell_record_parser *parser;
    quell_record_fields fields = {.label = "label"};
    ck_assert_int_eq(quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, &fields, NULL),
                     QUELL_OK);
    static const char line[] = "{\"id\":0.1,\"body\":\"you idiot\",\"label\":2.5}";
    const quell_record *rec;
    ck_assert_int_eq(quell_record_parse(parser, line, sizeof line - 1, &rec, &err), QUELL_OK);
    ck_assert_uint_eq(rec->id_json_len, 3);
    ck_assert_mem_eq(rec->id_json, "0.1", 3);
    ck_assert_uint_eq(rec->label_len, 3);
    ck_assert_mem_eq(rec->label, "2.5", 3);

    quell_scanner *scanner;
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, NULL), QUELL_OK);
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(scanner, &rec->comment, &v, NULL), QUELL_OK);
    char json[1024];
    ck_assert_uint_lt(quell_verdict_to_json(v, rec->id_json, rec->id_json_len, json, sizeof json),
                      sizeof json);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"id\":0.1,\"action\":\"flag\",\"score\":1.5,\"rules_id\":\"%s\",\"categories\":"
             "{\"insult\":1.5},\"rules\":[{\"id\":\"w\",\"category\":\"insult\",\"count\":1,"
             "\"score\":1.5}],\"hits\":[{\"rule\":\"w\",\"category\":\"insult\","
             "\"field\":\"body\",\"start\":4,\"end\":9,\"text\":\"idiot\"}]}\n",
             quell_rules_id(rules));
    ck_assert_str_eq(json, want);
    quell_scanner_free(scanner);
    quell_record_parser_free(parser);
    quell_rules_free(rules);
}
END_TEST

/* Keep the warning about the reject threshold. */
static int reject_message(void *ctx, const quell_lint_warning *w)
{
    if (strstr(w->message, "reject threshold"))
        snprintf(ctx, 512, "%s", w->message);
    return 0;
}

/* Messages with numbers in them, from the config loader, err_set and lint,
 * write them the same way under a comma locale. */
START_TEST(test_messages_ignore_locale)
{
    REQUIRE_COMMA_LOCALE();
    quell_rules *rules;
    quell_error err;
    static const char bad_weight[] =
        "version = 1;\n"
        "actions = { flag = 1.5; hold = 4.25; reject = 8.0; };\n"
        "categories = ( { name = \"insult\"; } );\n"
        "rules = ( { id = \"w\"; category = \"insult\"; weight = 20000.5; words = [ \"x\" ]; } );\n";
    ck_assert_int_eq(quell_rules_compile(&rules, test_write_temp("w.cfg", bad_weight), &err),
                     QUELL_ECONFIG);
    ck_assert_msg(strstr(err.message, "20000.5") != NULL, "%s", err.message);

    ck_assert_int_eq(quell_rules_compile(&rules, test_write_temp("l.cfg", locale_cfg), &err),
                     QUELL_OK);
    char msg[512] = "";
    ck_assert_int_eq(quell_rules_lint(rules, reject_message, msg, NULL, NULL), QUELL_OK);
    quell_lint_clean *clean;
    ck_assert_int_eq(quell_lint_clean_new(&clean, rules, NULL), QUELL_OK);
    ck_assert_int_eq(quell_lint_clean_report(clean, 1.5, NULL, NULL, NULL, &err), QUELL_EINVAL);
    ck_assert_msg(strstr(err.message, "not 1.5") != NULL, "%s", err.message);
    quell_lint_clean_free(clean);
    quell_rules_free(rules);
    /* Rule "big" rejects alone. */
    ck_assert_msg(strstr(msg, "weight 8.5 alone reaches the reject threshold 8:") != NULL, "%s",
                  msg);
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("Core");
    tcase_add_loop_test(tc, test_config_messages_stay_utf8, 0,
                        (int)(sizeof bad_names / sizeof bad_names[0]));
    tcase_add_loop_test(tc, test_at_include_of_a_folder_refused, 0,
                        (int)(sizeof folder_includes / sizeof folder_includes[0]));
    tcase_add_test(tc, test_json_numbers_ignore_locale);
    tcase_add_test(tc, test_messages_ignore_locale);
    suite_add_tcase(s, tc);
    return s;
}
