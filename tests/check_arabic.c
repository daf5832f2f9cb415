/*
 * check_arabic.c - Arabic-script dialect abuse in the shipped packs (issue 13
 * item 8): the Levantine, Gulf, Egyptian, Iraqi and Maghrebi insults and
 * curses, with their joined prefixes and possessive suffixes, score; the
 * animals meant as animals (the farm, a pet, the wild boar, livestock), a
 * verse quoted, a blessing that looks like a curse, a slur mentioned as a
 * word, an ellipsis and the news pass; masked "son of" scores; hits
 * lie on the original bytes, harakat and tatweel included. Expected values
 * are by hand from the scale in rules/default.cfg.
 */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "quell.h"

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    test_open_rules(test_default_rules(), &rules, &scanner);
}

static void teardown(void)
{
    test_close_rules(rules, scanner);
}

static const quell_verdict *scan(const char *body)
{
    return test_scan_body(scanner, body);
}


static const struct {
    const char *text;
    const char *category;
    double min_score;
} flagged[] = {
    {"\xd9\x88\xd9\x84\xd8\xaf \xd8\xa7\xd9\x84\xd8\xad\xd8\xb1\xd8\xa7"
     "\xd9\x85 \xd8\xb3\xd8\xb1\xd9\x82 \xd8\xa7\xd9\x84\xd8\xa8\xd9\x84"
     "\xd8\xaf",
     "profanity", 4}, /* ولد الحرام سرق البلد: Levantine and Iraqi "son of the forbidden" */
    {"\xd9\x87\xd8\xa7\xd8\xaf \xd9\x81\xd8\xb1\xd8\xae \xd8\xad\xd8\xb1"
     "\xd8\xa7\xd9\x85",
     "profanity", 4}, /* هاد فرخ حرام: Tunisian فرخ "bastard" */
    {"\xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd9\x8a\xd8\xae\xd8\xb2\xd9\x8a"
     "\xd9\x83 \xd8\xb9\xd9\x84\xd9\x89 \xd9\x87\xd8\xa7\xd9\x84\xd8\xad"
     "\xd9\x83\xd9\x8a",
     "profanity", 3}, /* الله يخزيك على هالحكي: a curse: "may God shame you" */
    {"\xd8\xaa\xd9\x81\xd9\x87 \xd8\xb9\xd9\x84\xd9\x8a\xd9\x83\xd9\x85 "
     "\xd9\x88\xd8\xb9\xd9\x84\xd9\x89 \xd8\xa7\xd8\xb4\xd9\x83\xd8\xa7"
     "\xd9\x84\xd9\x83\xd9\x85",
     "profanity", 3}, /* تفه عليكم وعلى اشكالكم: Levantine spitting */
    {"\xd9\x8a\xd8\xa7 \xd9\x82\xd9\x84\xd9\x8a\xd9\x84 \xd8\xa7\xd9\x84"
     "\xd8\xa7\xd8\xb5\xd9\x84",
     "insult", 6}, /* يا قليل الاصل: aimed: "you lowborn" */
    {"\xd9\x8a\xd8\xa7 \xd8\xb4\xd9\x85\xd9\x83\xd8\xa7\xd8\xb1", "insult",
     6}, /* يا شمكار: Maghrebi "street junkie", aimed */
    {"\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x84\xd9\x88\xd9\x81\xd8\xa9", "insult",
     6}, /* يا حلوفة: Maghrebi "sow", aimed */
    {"\xd9\x88\xd8\xa7\xd8\xad\xd8\xaf \xd9\x87\xd8\xaa\xd9\x84\xd9\x8a", "insult",
     4.5}, /* واحد هتلي: Iraqi "thug" after "someone" */
    {"\xd9\x83\xd9\x84\xd8\xa7\xd8\xa8\xd9\x83\xd9\x85 \xd8\xb9\xd9\x85 "
     "\xd8\xaa\xd8\xb9\xd9\x88\xd9\x8a",
     "insult", 3}, /* كلابكم عم تعوي: an animal with the suffix "your" */
    {"\xd9\x88\xd8\xad\xd9\x85\xd9\x8a\xd8\xb1\xd9\x87\xd9\x85 \xd9\x85"
     "\xd8\xa7 \xd8\xa8\xd9\x8a\xd9\x81\xd9\x87\xd9\x85\xd9\x88\xd8\xa7 "
     "\xd8\xb4\xd9\x8a",
     "insult", 3}, /* وحميرهم ما بيفهموا شي: prefix and suffix: "and their donkeys" */
    {"\xd9\x8a\xd8\xa7 \xd8\xa8\xd8\xa7\xd9\x8a\xd8\xb1\xd8\xa9", "insult",
     3}, /* يا بايرة: "spinster", aimed */
    {"\xd9\x8a\xd8\xa7 \xd8\xa7\xd8\xa8\xd9\x86 \xd8\xa7\xd9\x84\xd9\x80*** "
     "\xd8\xa7\xd8\xb3\xd9\x83\xd8\xaa",
     "profanity", 4}, /* يا ابن الـ*** اسكت: a masked "son of" */
    {"\xd9\x88\xd9\x84\xd8\xa7\xd8\xaf \xd8\xa7\xd9\x84\xd8\xb4\xd8\xb1....\xd8\xa9 "
     "\xd8\xaf\xd9\x88\xd9\x84",
     "profanity", 4}, /* ولاد الشر....ة دول: dots inside the masked word */
    {"\xd8\xa7\xd9\x86\xd8\xaa \xd9\x85\xd8\xb4 \xd9\x85\xd8\xaa\xd8\xb1\xd8\xa8\xd9\x8a", "insult",
     6}, /* انت مش متربي: Egyptian "you were badly raised", aimed */
};

START_TEST(test_dialect_abuse_scores)
{
    const quell_verdict *v = scan(flagged[_i].text);
    double score = test_category_score(v, flagged[_i].category);
    ck_assert_msg(score >= flagged[_i].min_score && v->action >= QUELL_FLAG,
                  "\"%s\": %s scores %g (%s), want at least %g", flagged[_i].text,
                  flagged[_i].category, score, quell_action_name(v->action), flagged[_i].min_score);
}
END_TEST

static const char *const passing[] = {
    "\xd8\xa7\xd9\x84\xd9\x81\xd9\x84\xd8\xa7\xd8\xad \xd8\xa8\xd8\xa7"
    "\xd8\xb9 \xd8\xa7\xd9\x84\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1 \xd8\xa8"
    "\xd8\xa7\xd9\x84\xd8\xb3\xd9\x88\xd9\x82", /* الفلاح باع الحمار بالسوق: a farmer's donkey */
    "\xd8\xb9\xd9\x86\xd8\xaf\xd9\x8a \xd9\x83\xd9\x84\xd8\xa8 \xd8\xa7"
    "\xd8\xb3\xd9\x85\xd9\x87 \xd9\x85\xd8\xa7\xd9\x83\xd8\xb3", /* عندي كلب اسمه ماكس: a pet */
    "\xd8\xb5\xd9\x8a\xd8\xaf \xd8\xa7\xd9\x84\xd8\xae\xd9\x86\xd8\xb2"
    "\xd9\x8a\xd8\xb1 \xd8\xa7\xd9\x84\xd8\xa8\xd8\xb1\xd9\x8a \xd9\x85"
    "\xd9\x85\xd9\x86\xd9\x88\xd8\xb9 \xd8\xa8\xd8\xa7\xd9\x84\xd9\x85"
    "\xd8\xad\xd9\x85\xd9\x8a\xd8\xa9", /* صيد الخنزير البري ممنوع بالمحمية: the wild boar */
    "\xd9\x82\xd8\xa7\xd9\x84 \xd8\xaa\xd8\xb9\xd8\xa7\xd9\x84\xd9\x89 "
    "\xef\xb4\xbf \xd9\x88\xd8\xac\xd8\xb9\xd9\x84 \xd9\x85\xd9\x86"
    "\xd9\x87\xd9\x85 \xd8\xa7\xd9\x84\xd9\x82\xd8\xb1\xd8\xaf\xd8\xa9 "
    "\xd9\x88\xd8\xa7\xd9\x84\xd8\xae\xd9\x86\xd8\xa7\xd8\xb2\xd9\x8a"
    "\xd8\xb1 \xef\xb4\xbe", /* قال تعالى ﴿ وجعل منهم القردة والخنازير ﴾: a verse quoted */
    "\xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd9\x84\xd8\xa7 \xd9\x8a\xd8\xae"
    "\xd8\xb2\xd9\x8a\xd9\x83 \xd9\x8a\xd8\xa7 \xd8\xae\xd8\xa7\xd9\x84"
    "\xd9\x8a", /* الله لا يخزيك يا خالي: the blessing "may God not shame you" */
    "\xd8\xa8\xd8\xb6\xd8\xa7\xd8\xb9\xd8\xa9 \xd8\xa8\xd8\xa7\xd9\x8a"
    "\xd8\xb1\xd8\xa9 \xd8\xa8\xd8\xa7\xd9\x84\xd8\xb3\xd9\x88\xd9\x82", /* بضاعة بايرة بالسوق:
                                                                            "unsold goods" */
    "\xd8\xad\xd9\x8a\xd9\x88\xd8\xa7\xd9\x86\xd8\xa7\xd8\xaa\xd9\x87"
    "\xd9\x85 \xd9\x86\xd9\x81\xd9\x82\xd8\xaa \xd8\xa8\xd8\xa7\xd9\x84"
    "\xd8\xa8\xd8\xb1\xd8\xaf", /* حيواناتهم نفقت بالبرد: livestock: "their animals died" */
    "\xd9\x82\xd8\xaa\xd9\x84 \xd8\xab\xd9\x84\xd8\xa7\xd8\xab\xd8\xa9 "
    "\xd9\x81\xd9\x8a \xd8\xba\xd8\xa7\xd8\xb1\xd8\xa9 \xd8\xb9\xd9\x84"
    "\xd9\x89 \xd8\xa7\xd9\x84\xd8\xb6\xd8\xa7\xd8\xad\xd9\x8a\xd8\xa9 "
    "\xd9\x88\xd8\xa7\xd8\xb3\xd8\xaa\xd8\xb4\xd9\x87\xd8\xaf \xd8\xb9"
    "\xd9\x86\xd8\xb5\xd8\xb1 \xd9\x85\xd9\x86 \xd8\xad\xd8\xb2\xd8\xa8 "
    "\xd8\xa7\xd9\x84\xd9\x84\xd9\x87\xd8\x8c \xd9\x88\xd8\xb4\xd9\x8a"
    "\xd8\xb9\xd9\x87 \xd8\xa7\xd9\x84\xd8\xb4\xd9\x8a\xd8\xb9\xd8\xa9 "
    "\xd9\x81\xd9\x8a \xd8\xa7\xd9\x84\xd8\xa8\xd9\x84\xd8\xaf\xd8\xa9", /* قتل ثلاثة في غارة على
                                                                            الضاحية واستشهد عنصر من
                                                                            حزب الله، وشيعه الشيعة
                                                                            في البلدة: news */
    "\xd9\x85\xd8\xb5\xd8\xb7\xd9\x84\xd8\xad "
    "\xd8\xa7\xd9\x84\xd9\x86\xd9\x88\xd8\xa7\xd8\xb5\xd8\xa8 \xd9\x8a\xd9\x81\xd8\xb1\xd9\x82 "
    "\xd8\xa8\xd9\x8a\xd9\x86 \xd8\xa7\xd9\x84\xd9\x86\xd8\xa7\xd8\xb3", /* مصطلح النواصب يفرق بين
                                                                            الناس: a slur mentioned
                                                                            as a word */
    "\xd9\x8a\xd8\xa7 \xd8\xa8\xd9\x86\xd8\xaa "
    "\xd8\xa7\xd9\x84\xd8\xa7\xd9\x83\xd8\xa7\xd8\xa8\xd8\xb1...\xd9\x84\xd9\x88 "
    "\xd8\xaa\xd8\xb9\xd8\xb1\xd9\x81\xd9\x8a", /* يا بنت الاكابر...لو تعرفي: an ellipsis after a
                                                   whole word */
    "\xd9\x88\xd8\xb2\xd8\xa7\xd8\xb1\xd8\xa9 "
    "\xd8\xa7\xd9\x84\xd8\xaa\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 "
    "\xd9\x88\xd8\xa7\xd9\x84\xd8\xaa\xd8\xb9\xd9\x84\xd9\x8a\xd9\x85", /* وزارة التربية والتعليم:
                                                                           the ministry of education
                                                                         */
};

START_TEST(test_literal_and_news_pass)
{
    const quell_verdict *v = scan(passing[_i]);
    ck_assert_msg(v->action == QUELL_PASS, "\"%s\" gets %s (score %g)", passing[_i],
                  quell_action_name(v->action), v->score);
}
END_TEST

static const struct {
    const char *text;
    const char *rule;
    const char *hit; /* the bytes of text the rule's hit must cover exactly */
} spans[] = {
    {"\xd8\xb4\xd9\x88 \xd9\x87\xd8\xa7\xd8\xaf\xd8\x9f \xd9\x8a\xd8\xa7 "
     "\xd9\x82\xd9\x84\xd9\x8a\xd9\x84\xd9\x8e \xd8\xa7\xd9\x84\xd8\xa3"
     "\xd8\xb5\xd9\x84!",
     "insult.ar.aimed.phrase",
     "\xd9\x8a\xd8\xa7 \xd9\x82\xd9\x84\xd9\x8a\xd9\x84\xd9\x8e \xd8\xa7"
     "\xd9\x84\xd8\xa3\xd8\xb5\xd9\x84"}, /* harakat and hamza kept in the span */
    {"\xd9\x8a\xd8\xa7 \xd8\xb4\xd9\x85\xd9\x80\xd9\x80\xd9\x80\xd9\x83"
     "\xd8\xa7\xd8\xb1",
     "insult.ar",
     "\xd8\xb4\xd9\x85\xd9\x80\xd9\x80\xd9\x80\xd9\x83\xd8\xa7\xd8\xb1"}, /* tatweel inside the word
                                                                           */
    {"\xd8\xae\xd9\x84\xd9\x8a \xd9\x83\xd9\x84\xd8\xa7\xd8\xa8\xd9\x83"
     "\xd9\x85 \xd8\xaa\xd8\xb3\xd9\x83\xd8\xaa",
     "insult.ar.animal",
     "\xd9\x83\xd9\x84\xd8\xa7\xd8\xa8\xd9\x83\xd9\x85"}, /* the suffixed form */
};

START_TEST(test_spans_on_original_bytes)
{
    const quell_verdict *v = scan(spans[_i].text);
    const char *at = strstr(spans[_i].text, spans[_i].hit);
    ck_assert_ptr_nonnull(at);
    size_t start = (size_t)(at - spans[_i].text), end = start + strlen(spans[_i].hit);
    int is_found = 0;
    for (size_t i = 0; i < v->hit_count; i++) {
        if (strcmp(v->hits[i].rule_id, spans[_i].rule) == 0)
            is_found |= v->hits[i].start == start && v->hits[i].end == end;
    }
    ck_assert_msg(is_found, "\"%s\": no hit of %s at bytes %zu-%zu", spans[_i].text, spans[_i].rule,
                  start, end);
}
END_TEST

Suite *arabic_suite(void)
{
    Suite *s = suite_create("arabic");
    TCase *tc = tcase_create("dialects");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_dialect_abuse_scores, 0, sizeof flagged / sizeof flagged[0]);
    tcase_add_loop_test(tc, test_literal_and_news_pass, 0, sizeof passing / sizeof passing[0]);
    tcase_add_loop_test(tc, test_spans_on_original_bytes, 0, sizeof spans / sizeof spans[0]);
    suite_add_tcase(s, tc);
    return s;
}
