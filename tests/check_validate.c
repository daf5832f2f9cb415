/*
 * check_validate.c - post-match validators: the Luhn check on real-shaped
 * card numbers and near misses, and a rule that uses it end to end (also
 * through a .qdb round trip, and a bad validator name in a config).
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"
#include "validate.h"

struct luhn_case {
    const char *text;
    bool is_valid;
};

static const struct luhn_case luhn_cases[] = {
    {"4111 1111 1111 1111", true},  /* Visa test number */
    {"4111-1111-1111-1111", true},  /* grouped by dashes */
    {"4111111111111111", true},     /* ungrouped */
    {"5500 0000 0000 0004", true},  /* Mastercard test number */
    {"3782 822463 10005", true},    /* American Express, 15 digits */
    {"6011 1111 1111 1117", true},  /* Discover */
    {"4222222222222", true},        /* 13 digits, the shortest */
    {"4111 1111 1111 1112", false}, /* check digit off by one */
    {"4111 1111 1111 1121", false}, /* two digits swapped: Luhn sees it */
    {"1234 5678 9012 3456", false},
    {"411111111111", false},          /* 12 digits: too short for a card */
    {"41111111111111111111", false},  /* 20 digits: too long */
    {"0000 0000 0000", false},        /* sums to 0, but 12 digits */
    {"", false},
    /* Arabic-Indic and Extended Arabic-Indic digits count as digits. */
    {"\xd9\xa4\xd9\xa1\xd9\xa1\xd9\xa1 \xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1 "
     "\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1 \xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1",
     true},
    {"\xdb\xb4\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1"
     "\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb1\xdb\xb2",
     false},
};

START_TEST(test_luhn)
{
    const struct luhn_case *c = &luhn_cases[_i];
    ck_assert_msg(validate_hit(VALIDATE_LUHN, c->text, strlen(c->text)) == c->is_valid,
                  "\"%s\" should %s", c->text, c->is_valid ? "pass" : "fail");
    /* No validator: anything passes. */
    ck_assert(validate_hit(VALIDATE_NONE, c->text, strlen(c->text)));
}
END_TEST

/* The hit is the first occurrence of word in text. */
struct name_case {
    const char *text;
    const char *word;
    bool is_valid; /* true: not a name, the hit stays */
};

static const struct name_case name_cases[] = {
    {"Dick Cheney said so", "Dick", false},    /* before a capitalised word */
    {"Cock Robin", "Cock", false},
    {"by Philip K. Dick", "Dick", false},      /* after an initial */
    {"ask Mr. Dick", "Dick", false},           /* after a title */
    {"he read Moby Dick twice", "Dick", false}, /* inside a sentence */
    {"Moby Dick", "Dick", false},
    {"Dick Haddad and Dick Nasser", "Dick", false},
    {"what a dick", "dick", true},             /* lower case */
    {"what a DICK", "DICK", true},             /* capitals */
    {"D.I.C.K. of a minister", "D.I.C.K", true},
    {"Dick move by him", "Dick", true},        /* opens a sentence alone */
    {"Nice. Dick move.", "Dick", true},
    {"You Dick!", "Dick", true},               /* after a function word */
    {"What A Dick", "Dick", true},
    {"Dick", "Dick", true},
    {"so. K. Dick", "Dick", false},
    {"\xd0\x94ick Smith", "\xd0\x94ick", false}, /* Cyrillic capital De */
};

START_TEST(test_not_name)
{
    const struct name_case *c = &name_cases[_i];
    const char *at = strstr(c->text, c->word);
    ck_assert_ptr_nonnull(at);
    size_t start = (size_t)(at - c->text);
    ck_assert_msg(validate_hit_in(VALIDATE_NOT_NAME, c->text, strlen(c->text), start,
                                  start + strlen(c->word)) == c->is_valid,
                  "\"%s\" in \"%s\" should %s", c->word, c->text, c->is_valid ? "pass" : "fail");
    /* Luhn reads the hit alone, wherever it lies in the field. */
    ck_assert(!validate_hit_in(VALIDATE_LUHN, c->text, strlen(c->text), start,
                               start + strlen(c->word)));
}
END_TEST

START_TEST(test_names)
{
    ck_assert_int_eq(validate_by_name("luhn"), VALIDATE_LUHN);
    ck_assert_int_eq(validate_by_name("not_name"), VALIDATE_NOT_NAME);
    ck_assert_str_eq(validate_name(VALIDATE_NOT_NAME), "not_name");
    ck_assert_int_eq(validate_by_name("Luhn"), VALIDATE_NONE);
    ck_assert_int_eq(validate_by_name(""), VALIDATE_NONE);
    ck_assert_str_eq(validate_name(VALIDATE_LUHN), "luhn");
    ck_assert_ptr_null(validate_name(VALIDATE_NONE));
    ck_assert_ptr_null(validate_name(VALIDATE_COUNT));
}
END_TEST

static const char card_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"pii\"; } );\n"
    "rules = (\n"
    "  { id = \"card\"; category = \"pii\"; weight = 6.0; views = \"folded\";\n"
    "    regexes = [ \"\\\\b[0-9](?:[ -]?[0-9]){12,18}\\\\b\" ];\n"
    "    validate = \"luhn\";\n"
    "    must_match = [ \"card 4111 1111 1111 1111 exp 12/27\" ];\n"
    "    must_not_match = [ \"card 4111 1111 1111 1112\", \"call 0096 1712 3456 7\" ]; }\n"
    ");\n";

/* Scan body and return the number of hits, checking the first's span. */
static size_t card_hits(quell_scanner *s, const char *body, size_t start, size_t end)
{
    quell_comment c = {QUELL_COMMENT_VERSION, {body, NULL}, {strlen(body), 0}};
    const quell_verdict *v;
    quell_error err;
    ck_assert_int_eq(quell_scan(s, &c, &v, &err), QUELL_OK);
    if (v->hit_count > 0) {
        ck_assert_uint_eq(v->hits[0].start, start);
        ck_assert_uint_eq(v->hits[0].end, end);
        ck_assert_int_eq(v->action, QUELL_HOLD);
    } else {
        ck_assert_int_eq(v->action, QUELL_PASS);
    }
    return v->hit_count;
}

static void check_cards(const quell_rules *rules)
{
    quell_scanner *s = NULL;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, rules, &err), QUELL_OK);
    ck_assert_uint_eq(card_hits(s, "pay 4111 1111 1111 1111 now", 4, 23), 1);
    ck_assert_uint_eq(card_hits(s, "pay 4111 1111 1111 1112 now", 0, 0), 0);
    /* The hit that failed is set aside, not lost: explain shows it. */
    quell_comment bad = {QUELL_COMMENT_VERSION, {"pay 4111 1111 1111 1112 now", NULL}, {27, 0}};
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &bad, &v, &err), QUELL_OK);
    ck_assert_uint_eq(v->excused_count, 1);
    ck_assert_int_eq(v->excused[0].reason, QUELL_EXCUSE_INVALID);
    ck_assert_uint_eq(v->excused[0].hit.start, 4);
    ck_assert_uint_eq(v->excused[0].hit.end, 23);
    ck_assert_str_eq(v->excused[0].hit.rule_id, "card");
    /* Arabic-Indic digits: the folded view reads them as ASCII, the
     * validator as digits, and the span is in the original bytes. */
    ck_assert_uint_eq(card_hits(s,
                                "\xd8\xa7\xd9\x84\xd8\xb1\xd9\x82\xd9\x85 "
                                "\xd9\xa4\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1"
                                "\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1\xd9\xa1",
                                11, 43),
                      1);
    /* Casualty counts and years are not 13 digits in a row. */
    ck_assert_uint_eq(card_hits(s, "1,200 killed in 2024 and 2025", 0, 0), 0);
    quell_scanner_free(s);

    size_t failed = 99, total = 0;
    ck_assert_int_eq(quell_rules_test(rules, NULL, NULL, &failed, &total, &err), QUELL_OK);
    ck_assert_uint_eq(failed, 0);
    ck_assert_uint_eq(total, 3);
}

START_TEST(test_rule_validates)
{
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("card.cfg", card_cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    check_cards(rules);

    /* The validator survives a .qdb round trip. */
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    quell_rules *copy = NULL;
    ck_assert_int_eq(quell_rules_deserialize(&copy, data, len, &err), QUELL_OK);
    check_cards(copy);
    quell_rules_free(copy);
    free(data);
    quell_rules_free(rules);
}
END_TEST

/* Allow lists set hits aside too, and say so. */
START_TEST(test_allowed_hits_set_aside)
{
    static const char cfg[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"profanity\"; allow = [ \"Scunthorpe\" ]; } );\n"
        "rules = (\n"
        "  { id = \"p\"; category = \"profanity\"; weight = 3.0; substrings = [ \"cunt\" ]; }\n"
        ");\n";
    quell_rules *rules = NULL;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&rules, test_write_temp("allow.cfg", cfg), &err),
                     QUELL_OK);
    quell_scanner *s = NULL;
    ck_assert_int_eq(quell_scanner_new(&s, rules, &err), QUELL_OK);
    quell_comment c = {QUELL_COMMENT_VERSION, {"Scunthorpe and a cunt", NULL}, {21, 0}};
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &c, &v, &err), QUELL_OK);
    ck_assert_uint_eq(v->hit_count, 1);
    ck_assert_uint_eq(v->hits[0].start, 17);
    ck_assert_uint_eq(v->excused_count, 1);
    ck_assert_int_eq(v->excused[0].reason, QUELL_EXCUSE_ALLOWED);
    ck_assert_uint_eq(v->excused[0].hit.start, 1);
    ck_assert_uint_eq(v->excused[0].hit.end, 5);
    ck_assert_mem_eq(v->excused[0].hit.text, "cunt", 4);
    /* Each scan starts afresh. */
    quell_comment clean = {QUELL_COMMENT_VERSION, {"hello", NULL}, {5, 0}};
    ck_assert_int_eq(quell_scan(s, &clean, &v, &err), QUELL_OK);
    ck_assert_uint_eq(v->excused_count, 0);
    quell_scanner_free(s);
    quell_rules_free(rules);
}
END_TEST

START_TEST(test_bad_validator)
{
    static const char cfg[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"pii\"; } );\n"
        "rules = (\n"
        "  { id = \"card\"; category = \"pii\"; weight = 6.0;\n"
        "    regexes = [ \"[0-9]{16}\" ];\n"
        "    validate = \"iban\"; }\n"
        ");\n";
    quell_rules *rules = NULL;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&rules, test_write_temp("bad.cfg", cfg), &err),
                     QUELL_ECONFIG);
    ck_assert_ptr_null(rules);
    ck_assert_int_eq(err.line, 7);
    ck_assert_str_eq(err.rule_id, "card");
    ck_assert_str_eq(err.message,
                     "unknown validator \"iban\" (expected \"luhn\" or \"not_name\")");
}
END_TEST

Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_loop_test(tc, test_luhn, 0, sizeof luhn_cases / sizeof luhn_cases[0]);
    tcase_add_loop_test(tc, test_not_name, 0, sizeof name_cases / sizeof name_cases[0]);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_rule_validates);
    tcase_add_test(tc, test_allowed_hits_set_aside);
    tcase_add_test(tc, test_bad_validator);
    suite_add_tcase(s, tc);
    return s;
}
