/*
 * check_masks.c - self-censored spellings (f*ck, c***, a**hole) through the
 * generated list of the profanity pack: hits and their spans in the
 * original bytes, and the symbols in math, ratings, markdown and
 * footnotes that must not read as masks.
 */
#include <string.h>

#include "suites.h"
#include "quell.h"

struct mask_case {
    const char *input;
    int start; /* -1: no hit */
    int end;
};

static const struct mask_case mask_cases[] = {
    {"f*ck you", 0, 4},
    {"oh f**k off", 3, 7},
    {"F#@K this", 0, 4},
    {"what a b*tch", 7, 12},
    {"you c***", 4, 8},
    {"you c***, really", 4, 9}, /* the character after a mask stays in the hit */
    {"a**hole", 0, 7},
    {"bulls**t", 0, 8},
    {"sh** happens", 0, 4}, /* white space after it is trimmed */
    {"f*cking idiots", 0, 7},
    {"f\xef\xbc\x8a" "ck", 0, 6},  /* fullwidth asterisk, folded to '*' */
    {"f\xe2\x80\xa2" "ck", 0, 6},  /* bullet */
    {"f%$#k you", 0, 5},           /* mixed symbol runs */
    {"fu\xc2\xa9k you", 0, 5},      /* copyright sign, 2 bytes */
    {"sick f*cks", 5, 10},         /* a plural s */
    {"m0therf*cker", 0, 12},       /* a compound, leet in its first part */
    {"mother****er", 0, 12},
    {"another c*cksucker", 8, 18},
    {"@sshole", 0, 7},             /* @ for a first a */
    {"sc*mbag politicians", 0, 7},
    {"me@ss.com", -1, 0},          /* "@" inside an address */
    {"@someone thanks", -1, 0},
    {"email @ssociates", -1, 0},
    {"a+b = c", -1, 0},
    {"fuck", -1, 0},               /* the plain word is other rules' job */
    {"5*3 = 15", -1, 0},
    {"rated ***", -1, 0},
    {"**bold** text", -1, 0},
    {"see note*", -1, 0},
    {"such as*", -1, 0},
    {"it was a...", -1, 0},
    {"so??", -1, 0},
    {"the f-16 jets", -1, 0},
    {"a-ha", -1, 0},
    {"the $5 fee", -1, 0},
    {"x*y + c*d", -1, 0},
};

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    quell_error err;
    int rc = quell_rules_compile(&rules, test_path("tests/fixtures/masks/masks.cfg"), &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, &err), QUELL_OK);
}

static void teardown(void)
{
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}

START_TEST(test_mask)
{
    const struct mask_case *m = &mask_cases[_i];
    quell_comment c = {QUELL_COMMENT_VERSION, {m->input, NULL}, {strlen(m->input), 0}};
    const quell_verdict *v;
    quell_error err;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_OK);
    if (m->start < 0) {
        ck_assert_msg(v->hit_count == 0, "\"%s\" should not hit, hit [%zu,%zu)", m->input,
                      v->hit_count ? v->hits[0].start : 0, v->hit_count ? v->hits[0].end : 0);
        return;
    }
    ck_assert_msg(v->hit_count == 1, "\"%s\": %zu hits", m->input, v->hit_count);
    ck_assert_msg(v->hits[0].start == (size_t)m->start && v->hits[0].end == (size_t)m->end,
                  "\"%s\": hit [%zu,%zu), expected [%d,%d)", m->input, v->hits[0].start,
                  v->hits[0].end, m->start, m->end);
}
END_TEST

/* c*** stands for cunt and cock: one occurrence, scored once. */
START_TEST(test_ambiguous_mask_counts_once)
{
    quell_comment c = {QUELL_COMMENT_VERSION, {"you c***", NULL}, {8, 0}};
    const quell_verdict *v;
    quell_error err;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_OK);
    ck_assert_uint_eq(v->rule_count, 1);
    ck_assert_uint_eq(v->rules[0].count, 1);
    ck_assert_int_eq(v->action, QUELL_FLAG);
}
END_TEST

Suite *masks_suite(void)
{
    Suite *s = suite_create("masks");
    TCase *tc = tcase_create("masks");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_mask, 0, sizeof mask_cases / sizeof mask_cases[0]);
    tcase_add_test(tc, test_ambiguous_mask_counts_once);
    suite_add_tcase(s, tc);
    return s;
}
