/*
 * check_threats.c - the shipped threat pack on the kinds of threat it is
 * built from: an agent before a verb of harm before a target, an
 * imperative, an obligation with a passive, the reader's future, a wish
 * and a menace, in English, Arabic and Arabizi. Each holds or flags; the
 * news, reported speech, idioms and Arabic endearments written with the
 * same words pass; a direct threat to kill holds and no longer rejects
 * alone; and the spans of a threat found through near()/before() point at
 * the words of the original comment.
 */
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


/* Threats written for these tests, not taken from any corpus: each must
 * reach at least its action on the threat category alone. */
static const struct {
    const char *text;
    quell_action min_action;
} threats[] = {
    /* agent + verb of harm + target */
    {"we are going to butcher every one of those traitors", QUELL_HOLD},
    {"I'd happily strangle the columnist who wrote this", QUELL_HOLD},
    {"somebody ought to torch their houses", QUELL_HOLD},
    {"imma drown u in the river", QUELL_HOLD},
    /* imperative at the start of a sentence */
    {"Enough talk. Behead them.", QUELL_HOLD},
    /* obligation with a passive, any subject */
    {"that columnist should be strung up", QUELL_FLAG},
    /* the reader's future, a wish, a menace */
    {"you won't live to see Ramadan", QUELL_HOLD},
    {"I pray your car crashes on the way home", QUELL_HOLD},
    {"we know who you are. accidents happen.", QUELL_FLAG},
    /* a person-only harm, a place, a weapon with no verb, the reader's
     * last day, a hanging with no hangman */
    {"I'll rip you apart", QUELL_HOLD},
    {"someone should shoot this clown", QUELL_HOLD},
    {"Blow up their mosque.", QUELL_HOLD},
    {"your kids won't be safe", QUELL_HOLD},
    {"a few bullets would fix that columnist", QUELL_HOLD},
    {"traitors like him will hang.", QUELL_FLAG},
    /* a court named earlier excuses only what it is said to rule */
    {"he was sentenced to five years only. that traitor should be hanged", QUELL_FLAG},
    /* Arabizi: the Maghreb's future, a thing of the reader's joined with l */
    {"ghadi nqtlek", QUELL_HOLD},
    {"ra7 7arri2lak sayyartak", QUELL_HOLD},
    /* حسابك عندي: a reckoning with the reader */
    {"\xd8\xad\xd8\xb3\xd8\xa7\xd8\xa8\xd9\x83 \xd8\xb9\xd9\x86\xd8\xaf\xd9\x8a", QUELL_HOLD},
    /* Arabic: verb with a prepositional object, verb + the reader's thing,
     * a passive aimed at the reader, a wish */
    {"\xd8\xb1\xd8\xad \xd9\x86\xd9\x83\xd8\xb3\xd8\xb1\xd9\x84\xd9\x83 "
     "\xd8\xb1\xd9\x82\xd8\xa8\xd8\xaa\xd9\x83",
     QUELL_HOLD}, /* رح نكسرلك رقبتك */
    {"\xd9\x88\xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd9\x84\xd8\xa3\xd8\xad\xd8\xb1\xd9\x82 "
     "\xd8\xb3\xd9\x8a\xd8\xa7\xd8\xb1\xd8\xaa\xd9\x83",
     QUELL_HOLD}, /* والله لأحرق سيارتك */
    {"\xd8\xb1\xd8\xa7\xd8\xad \xd8\xaa\xd9\x86\xd8\xb4\xd9\x86\xd9\x82 "
     "\xd9\x8a\xd8\xa7 \xd8\xae\xd8\xa7\xd9\x8a\xd9\x86",
     QUELL_HOLD}, /* راح تنشنق يا خاين */
    {"\xd9\x8a\xd8\xa7 \xd8\xb1\xd8\xa8 \xd8\xb3\xd8\xb1\xd8\xb7\xd8\xa7\xd9\x86 "
     "\xd9\x8a\xd8\xa7\xd9\x83\xd9\x84\xd9\x83",
     QUELL_FLAG}, /* يا رب سرطان ياكلك: a wish, a flag */
    /* Arabizi */
    {"dammak mahdour", QUELL_HOLD},
    {"ayamkom ma3doude", QUELL_HOLD},
};

START_TEST(test_threat_scores)
{
    const char *text = threats[_i].text;
    const quell_verdict *v = scan(text);
    double score = test_category_score(v, "threat");
    quell_action want = threats[_i].min_action;
    double need = want == QUELL_HOLD ? 6 : 3;
    ck_assert_msg(score >= need, "\"%s\": threat scores %g, want at least %g", text, score, need);
}
END_TEST

/* News, reported speech, idioms and endearments with the same words. */
static const char *const clean[] = {
    "Israel will strike Iran if the talks fail, the minister said",
    "the army threatened to strike the port",
    "they killed 20 people in the raid",
    "Hamas vowed: we will kill the occupiers, the statement said",
    "we should kill the bill before the vote",
    "I'd kill for a shawarma right now",
    "I hope the journalist who was shot recovers soon",
    "the film should be shot in Beirut next spring",
    "you will end up paying more for bread",
    "I hope the bombing stops",
    "Hang on, the article says otherwise",
    "\xd9\x82\xd8\xaa\xd9\x84 20 \xd8\xb4\xd8\xae\xd8\xb5\xd8\xa7", /* قتل 20 شخصا */
    "\xd8\xb3\xd9\x8a\xd9\x82\xd8\xb5\xd9\x81 \xd8\xa7\xd9\x84\xd8\xac\xd9\x8a\xd8\xb4 "
    "\xd8\xa7\xd9\x84\xd9\x85\xd9\x88\xd8\xa7\xd9\x82\xd8\xb9", /* سيقصف الجيش المواقع */
    "\xd8\xa7\xd9\x84\xd8\xb4\xd9\x87\xd9\x8a\xd8\xaf \xd8\xaa\xd8\xb1\xd9\x83 "
    "\xd8\xab\xd9\x84\xd8\xa7\xd8\xab\xd8\xa9 \xd8\xa7\xd8\xb7\xd9\x81\xd8\xa7\xd9\x84", /* الشهيد ترك ثلاثة اطفال */
    "\xd9\x8a\xd9\x82\xd8\xa8\xd8\xb1\xd9\x86\xd9\x8a \xd8\xb4\xd9\x88 "
    "\xd8\xad\xd9\x84\xd9\x88", /* يقبرني شو حلو */
    "\xd8\xa7\xd9\x85\xd9\x88\xd8\xaa \xd9\x81\xd9\x8a\xd9\x83 \xd9\x8a\xd8\xa7 "
    "\xd8\xb9\xd9\x85\xd8\xb1\xd9\x8a", /* اموت فيك يا عمري */
    "\xd8\xa7\xd9\x84\xd8\xad\xd9\x83\xd9\x88\xd9\x85\xd8\xa9 \xd8\xb1\xd8\xad "
    "\xd8\xaa\xd8\xaf\xd9\x81\xd8\xb9 \xd8\xa7\xd9\x84\xd8\xab\xd9\x85\xd9\x86",
    /* الحكومة رح تدفع الثمن: the third person */
    "\xd8\xa7\xd9\x84\xd9\x83\xd9\x87\xd8\xb1\xd8\xa8\xd8\xa7\xd8\xa1 "
    "\xd9\x87\xd8\xaa\xd8\xaa\xd9\x82\xd8\xb7\xd8\xb9 \xd8\xa8\xd9\x83\xd8\xb1\xd8\xa9",
    /* الكهرباء هتتقطع بكرة: things are cut, not people */
    "el 7okoume ra7 tedfa3 el taman",
    /* the same verbs and phrases in their ordinary senses */
    "I'll beat you at chess next time",
    "we will bury them tomorrow in the village",
    "we will make you pay less tax",
    "you're next in line at the counter",
    "I hope you die laughing at this",
    "the court ruled the men should be executed",
    "the picture will hang in the hall",
    "they bought bullets for the army",
    "you'll see tomorrow",
};

START_TEST(test_clean_passes)
{
    const quell_verdict *v = scan(clean[_i]);
    ck_assert_msg(test_category_score(v, "threat") == 0, "\"%s\": threat scores %g", clean[_i], test_category_score(v, "threat"));
}
END_TEST

/* A direct threat to kill the reader holds on its own (8: lint QL303 wants
 * no single rule to reject), and rejects with an insult beside it. */
START_TEST(test_kill_holds_then_rejects)
{
    const quell_verdict *v = scan("I will kill you");
    ck_assert_double_eq_tol(test_category_score(v, "threat"), 8, 1e-9);
    ck_assert_int_eq(v->action, QUELL_HOLD);
    v = scan("I will kill you, you idiot");
    ck_assert_int_eq(v->action, QUELL_REJECT);
}
END_TEST

/* The hits of a threat found on spans are the words of the original
 * comment, disguised or not: "KiLL" stays as typed. */
START_TEST(test_spans_in_original)
{
    const char *text = "Honestly, I'm gonna KiLL   you tomorrow";
    const quell_verdict *v = scan(text);
    int found_verb = 0, found_target = 0;
    for (size_t i = 0; i < v->hit_count; i++) {
        const quell_hit *h = &v->hits[i];
        if (strcmp(h->rule_id, "threat.en") != 0)
            continue;
        ck_assert_ptr_eq(h->text, text + h->start);
        if (h->end - h->start == 4 && memcmp(text + h->start, "KiLL", 4) == 0)
            found_verb = 1;
        if (h->end - h->start == 3 && memcmp(text + h->start, "you", 3) == 0)
            found_target = 1;
    }
    ck_assert_msg(found_verb && found_target, "threat.en does not show \"KiLL\" and \"you\"");
}
END_TEST

Suite *threats_suite(void)
{
    Suite *s = suite_create("threats");
    TCase *tc = tcase_create("threats");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_threat_scores, 0, sizeof threats / sizeof threats[0]);
    tcase_add_loop_test(tc, test_clean_passes, 0, sizeof clean / sizeof clean[0]);
    tcase_add_test(tc, test_kill_holds_then_rejects);
    tcase_add_test(tc, test_spans_in_original);
    suite_add_tcase(s, tc);
    return s;
}
