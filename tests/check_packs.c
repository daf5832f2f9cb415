/*
 * check_packs.c - the shipped packs on real-shaped data. Threats, targeted
 * insults and sectarian polemic: each kind scores in its category, and the
 * news, reported speech and Arabic endearments beside them do not. The pii
 * pack: every region's
 * example phone numbers (libphonenumber's, tests/fixtures/phones) in the
 * three ways people write them, also with Arabic-Indic digits, must be
 * held; the numbers news comments are full of (years, dates, casualty
 * counts, prices, resolutions, coordinates) must pass; card numbers are
 * held only when their Luhn check digit is right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    test_open_rules(test_path("tests/fixtures/phones/pii-top.cfg"), &rules, &scanner);
}

static void teardown(void)
{
    test_close_rules(rules, scanner);
}

static const quell_verdict *scan(const char *body)
{
    return test_scan_body(scanner, body);
}

/* Write the digits of s as Arabic-Indic digits into out. */
static void arabic_digits(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 3 < cap; s++) {
        if (*s >= '0' && *s <= '9') {
            out[n++] = '\xd9';
            out[n++] = (char)(0xa0 + (*s - '0'));
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

/* Check that body is held for personal data and that number is in a hit. */
static void check_held(const char *body, const char *number)
{
    const quell_verdict *v = scan(body);
    ck_assert_msg(v->action == QUELL_HOLD, "\"%s\" gets %s, not hold", body,
                  quell_action_name(v->action));
    const char *at = strstr(body, number);
    ck_assert_ptr_nonnull(at);
    size_t start = (size_t)(at - body), end = start + strlen(number);
    int is_covered = 0;
    for (size_t i = 0; i < v->hit_count; i++)
        is_covered |= v->hits[i].start <= start + 1 && v->hits[i].end >= end;
    ck_assert_msg(is_covered, "\"%s\": no hit covers \"%s\"", body, number);
}

START_TEST(test_region_numbers)
{
    FILE *f = fopen(test_path("tests/fixtures/phones/region.csv"), "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        /* region,country_code,type,e164,international,national */
        char *fields[6];
        char *p = line;
        for (int k = 0; k < 6; k++) {
            fields[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
            else
                ck_assert_int_eq(k, 5);
        }
        char body[256], digits[256];
        snprintf(body, sizeof body, "call me on %.200s", fields[4]);
        check_held(body, fields[4]);
        snprintf(body, sizeof body, "whatsapp %.200s for details", fields[3]);
        check_held(body, fields[3]);
        snprintf(body, sizeof body, "my number is %.200s", fields[5]);
        check_held(body, fields[5]);
        arabic_digits(fields[4], digits, sizeof digits);
        snprintf(body, sizeof body, "\xd8\xb1\xd9\x82\xd9\x85\xd9\x8a %.200s", digits); /* رقمي */
        check_held(body, digits);
        count++;
    }
    fclose(f);
    ck_assert_int_eq(count, 30); /* 15 regions, fixed line and mobile */
}
END_TEST

static const char *const near_misses[] = {
    "1,200 killed in 2024",
    "the 2024-10-07 attack",
    "resolution 2334 of the security council",
    "$3.5 billion in aid",
    "+972 Magazine reported it",
    "coordinates 33.8938, 35.5018",
    "casualties rose to 41,909 on 2024/10/14",
    "between 1948 and 1967",
    "at 3:45 pm on 12/10/2023",
    "ISBN 978-3-16-148410-0",
    "\xd9\x82\xd8\xaa\xd9\x84 \xd9\xa1\xd9\xa2\xd9\xa0\xd9\xa0 \xd8\xb4\xd8\xae\xd8\xb5 "
    "\xd8\xb9\xd8\xa7\xd9\x85 \xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa4", /* قتل ١٢٠٠ شخص عام ٢٠٢٤ */
    "population 83,000,000",
    "the 2006 war lasted 34 days",
    "order no. 4111 1111 1111 1112",
    "flight EK 2024 at 10:30",
};

START_TEST(test_near_misses_pass)
{
    const quell_verdict *v = scan(near_misses[_i]);
    ck_assert_msg(v->action == QUELL_PASS && v->hit_count == 0, "\"%s\" gets %s", near_misses[_i],
                  quell_action_name(v->action));
}
END_TEST

START_TEST(test_cards)
{
    check_held("my card is 4111 1111 1111 1111, help", "4111 1111 1111 1111");
    check_held("amex 3782-822463-10005 exp 09/27", "3782-822463-10005");
    ck_assert_int_eq(scan("my card is 4111 1111 1111 1112")->action, QUELL_PASS);
    ck_assert_int_eq(scan("my card is 5500 0000 0000 0005")->action, QUELL_PASS);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Threats, targeted insults and polemic, with the shipped default rules    */

/* The score body gets in category, and its action. */
static double category_score(const char *body, const char *category, quell_action *action)
{
    const quell_verdict *v = test_scan_body(test_shipped_scanner, body);
    *action = v->action;
    return test_category_score(v, category);
}

static const struct {
    const char *text;
    const char *category;
    double min_score; /* 0: the category must not score at all */
} aimed_cases[] = {
    /* Threats without a listed verb of killing, EN, AR, Arabizi. */
    {"a bullet for you, traitor", "threat", 6},
    {"there's a bullet with your name on it", "threat", 6},
    {"somebody needs to put a bullet in that guy", "threat", 6},
    {"nuke them all", "threat", 6},
    {"just nuke them", "threat", 6},
    {"I hope someone kills you", "threat", 6},
    {"you will pay for this", "threat", 4},
    {"we know where you live", "threat", 6},
    {"watch your back", "threat", 4},
    {"i will unalive you", "threat", 8},
    {"\xd9\x88\xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd8\xb1\xd8\xad \xd8\xaa\xd8\xaf\xd9\x81\xd8\xb9 "
     "\xd8\xa7\xd9\x84\xd8\xab\xd9\x85\xd9\x86", /* والله رح تدفع الثمن */
     "threat", 6},
    {"\xd8\xa8\xd9\x86\xd8\xb9\xd8\xb1\xd9\x81 \xd9\x88\xd9\x8a\xd9\x86 "
     "\xd8\xb3\xd8\xa7\xd9\x83\xd9\x86",
     "threat", 6}, /* بنعرف وين ساكن */
    {"\xd8\xa7\xd9\x86 \xd8\xb4\xd8\xa7\xd8\xa1 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 "
     "\xd8\xaa\xd9\x85\xd9\x88\xd8\xaa",
     "threat", 6}, /* ان شاء الله تموت */
    {"inshallah tmoot", "threat", 6},
    {"ra7 tedfa3 el taman", "threat", 6},
    /* News and reported speech. */
    {"the army threatened to strike", "threat", 0},
    {"a bomb killed 12", "threat", 0},
    {"he was shot dead in Aleppo", "threat", 0},
    {"Israel vowed they will pay a heavy price", "threat", 0},
    {"the militia threatened: we know where you live, the statement read", "threat", 0},
    {"Trump threatened to nuke Iran", "threat", 0},
    {"found with a bullet in his head", "threat", 0},
    {"you will pay less tax", "threat", 0},
    /* Endearments and jokes built on dying and killing (issue 13 item 9). */
    {"\xd9\x8a\xd9\x82\xd8\xa8\xd8\xb1\xd9\x86\xd9\x8a \xd8\xb4\xd9\x88 \xd8\xad\xd9\x84\xd9\x88",
     "threat", 0}, /* يقبرني شو حلو */
    {"\xd8\xaa\xd9\x82\xd8\xa8\xd8\xb1\xd9\x86\xd9\x8a \xd9\x8a\xd8\xa7 "
     "\xd9\x82\xd9\x84\xd8\xa8\xd9\x8a",
     "threat", 0}, /* تقبرني يا قلبي */
    {"\xd8\xa7\xd9\x85\xd9\x88\xd8\xaa \xd9\x81\xd9\x8a\xd9\x83", "threat", 0}, /* اموت فيك */
    {"\xd8\xa7\xd9\x85\xd9\x88\xd8\xaa \xd8\xb9\xd9\x84\xd9\x8a\xd9\x83 \xd9\x8a\xd8\xa7 "
     "\xd8\xb9\xd9\x85\xd8\xb1\xd9\x8a",
     "threat", 0}, /* اموت عليك يا عمري */
    {"\xd9\x81\xd8\xaf\xd8\xa7\xd9\x83 \xd8\xb1\xd9\x88\xd8\xad\xd9\x8a", "threat",
     0}, /* فداك روحي */
    {"\xd9\x82\xd8\xaa\xd9\x84\xd8\xaa\xd9\x86\xd9\x8a "
     "\xd8\xa8\xd8\xb9\xd9\x8a\xd9\x88\xd9\x86\xd9\x83",
     "threat", 0}, /* قتلتني بعيونك */
    {"\xd8\xb1\xd8\xa7\xd8\xad \xd8\xa7\xd9\x85\xd9\x88\xd8\xaa\xd9\x83 \xd8\xb6\xd8\xad\xd9\x83",
     "threat", 0}, /* راح اموتك ضحك: without the laugh, a threat to kill */
    {"ya 3omri bmoot fik", "threat", 0},
    /* Targeted insults without a profane word. */
    {"you people are vermin", "insult", 3},
    {"go back to your cave", "insult", 3},
    {"nobody asked you, clown", "insult", 3},
    {"shut up you troll", "insult", 3},
    {"did you see the rats in the streets", "insult", 0},
    {"trolls everywhere on this site", "insult", 0},
    /* Religious and ideological hostility aimed at a group; names alone pass. */
    {"the Shia are apostates", "identity_hate", 3},
    {"Christians are infidels", "identity_hate", 3},
    {"\xd8\xa7\xd9\x84\xd8\xb4\xd9\x8a\xd8\xb9\xd8\xa9 \xd9\x83\xd9\x81\xd8\xa7\xd8\xb1",
     "identity_hate", 3}, /* الشيعة كفار */
    {"\xd8\xa7\xd9\x84\xd9\x8a\xd9\x87\xd9\x88\xd8\xaf \xd8\xa3\xd8\xb9\xd8\xaf\xd8\xa7\xd8\xa1 "
     "\xd8\xa7\xd9\x84\xd9\x84\xd9\x87",
     "identity_hate", 3}, /* اليهود أعداء الله */
    {"Shia and Sunni leaders met in Najaf", "identity_hate", 0},
    {"Jews, Hezbollah and the Houthis were named in the report", "identity_hate", 0},
    {"the ministry accused X of treason", "identity_hate", 0},
    {"The ministry accused Shia clerics of being Iranian agents", "identity_hate", 0},
    {"\xd8\xa7\xd9\x84\xd8\xb4\xd9\x8a\xd8\xb9\xd8\xa9 "
     "\xd9\x88\xd8\xa7\xd9\x84\xd9\x8a\xd9\x87\xd9\x88\xd8\xaf "
     "\xd9\x81\xd9\x8a \xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa7\xd9\x82",
     "identity_hate", 0}, /* الشيعة واليهود في العراق */
};

START_TEST(test_aimed)
{
    quell_action action;
    const char *text = aimed_cases[_i].text;
    double score = category_score(text, aimed_cases[_i].category, &action);
    if (aimed_cases[_i].min_score == 0)
        ck_assert_msg(score == 0, "\"%s\": %s scores %g", text, aimed_cases[_i].category, score);
    else
        ck_assert_msg(score >= aimed_cases[_i].min_score && action >= QUELL_FLAG,
                      "\"%s\": %s scores %g (%s), want at least %g", text, aimed_cases[_i].category,
                      score, quell_action_name(action), aimed_cases[_i].min_score);
}
END_TEST

/* A real threat beside an endearment still counts: the endearment excuses
 * only a threat within three words of it. */
START_TEST(test_endearment_far_from_threat)
{
    quell_action action;
    /* اموت فيك يا حبيبي بس اذا بتخوني مرة ثانية والله سأقتلك */
    const char *text =
        "\xd8\xa7\xd9\x85\xd9\x88\xd8\xaa \xd9\x81\xd9\x8a\xd9\x83 \xd9\x8a\xd8\xa7 "
        "\xd8\xad\xd8\xa8\xd9\x8a\xd8\xa8\xd9\x8a \xd8\xa8\xd8\xb3 \xd8\xa7\xd8\xb0\xd8\xa7 "
        "\xd8\xa8\xd8\xaa\xd8\xae\xd9\x88\xd9\x86\xd9\x8a \xd9\x85\xd8\xb1\xd8\xa9 "
        "\xd8\xab\xd8\xa7\xd9\x86\xd9\x8a\xd8\xa9 \xd9\x88\xd8\xa7\xd9\x84\xd9\x84\xd9\x87 "
        "\xd8\xb3\xd8\xa3\xd9\x82\xd8\xaa\xd9\x84\xd9\x83";
    ck_assert_double_ge(category_score(text, "threat", &action), 8);
    ck_assert_int_ge(action, QUELL_HOLD);
}
END_TEST

/* Underscores separate a hashtag's or a handle's words: each word counts,
 * and its span is the word alone. */
START_TEST(test_hashtag_words)
{
    static const char *const tags[] = {"#you_idiot", "#kill_the_idiot_now", "so_stupid_idiot",
                                       "#\xd9\x8a\xd8\xa7_\xd8\xba\xd8\xa8\xd9\x8a"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        const quell_verdict *v = test_scan_body(test_shipped_scanner, tags[i]);
        ck_assert_msg(v->action >= QUELL_FLAG, "\"%s\": %s", tags[i],
                      quell_action_name(v->action));
        for (size_t h = 0; h < v->hit_count; h++) {
            const char *word = tags[i] + v->hits[h].start;
            size_t len = v->hits[h].end - v->hits[h].start;
            ck_assert_msg(memchr(word, '_', len) == NULL, "\"%s\": hit %.*s", tags[i], (int)len,
                          word);
        }
    }
    /* A word is still whole: "ass" inside "mass" is not one. */
    ck_assert_int_eq(test_scan_body(test_shipped_scanner, "#mass_grave_found")->action, QUELL_PASS);
}
END_TEST

Suite *packs_suite(void)
{
    Suite *s = suite_create("packs");
    TCase *tc = tcase_create("pii");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_region_numbers);
    tcase_add_loop_test(tc, test_near_misses_pass, 0, sizeof near_misses / sizeof near_misses[0]);
    tcase_add_test(tc, test_cards);
    suite_add_tcase(s, tc);

    TCase *aimed = tcase_create("aimed");
    tcase_set_timeout(aimed, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(aimed, test_shipped_setup, test_shipped_teardown);
    tcase_add_loop_test(aimed, test_aimed, 0, sizeof aimed_cases / sizeof aimed_cases[0]);
    tcase_add_test(aimed, test_endearment_far_from_threat);
    tcase_add_test(aimed, test_hashtag_words);
    suite_add_tcase(s, aimed);
    return s;
}
