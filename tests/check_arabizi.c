/*
 * check_arabizi.c - rules with arabizi = true: Arabic words also match their
 * Arabizi spellings (digits for letters, variants, doubled letters, vowels
 * written or not), with spans in the original text, and nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "arabizi.h"
#include "pool.h"
#include "quell.h"

static const char az_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; } );\n"
    "rules = (\n"
    "  { id = \"az\"; category = \"insult\"; weight = 6.0; arabizi = true;\n"
    /* يا حمار, كلب, شرموطة, عرص, الكلب (article), with a harakah on كلب's lam */
    "    words = [ \"\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\", "
    "\"\xd9\x83\xd9\x84\xd9\x8e\xd8\xa8\", "
    "\"\xd8\xb4\xd8\xb1\xd9\x85\xd9\x88\xd8\xb7\xd8\xa9\", \"\xd8\xb9\xd8\xb1\xd8\xb5\", "
    "\"\xd8\xa7\xd9\x84\xd8\xad\xd9\x82\xd9\x8a\xd8\xb1\" ];\n"
    "    must_match = [ \"ya 7mar\" ]; must_not_match = [ \"hammer\" ]; }\n"
    ");\n";

struct az_case {
    const char *text;
    size_t start, end; /* the hit; start == end: no hit */
};

static const struct az_case az_cases[] = {
    {"ya 7mar", 0, 7},
    {"ya7maaar!", 0, 8},        /* joined, a stretched vowel */
    {"YA HMAR", 0, 7},          /* h for 7; the folded view is lower case */
    {"shut up ya 7amar", 8, 16}, /* a short vowel written */
    {"enta kalb", 5, 9},
    {"inta kelb", 5, 9},
    {"klb", 0, 3},              /* no vowel at all */
    {"kallb", 0, 5},            /* a doubled letter */
    {"sharmoota", 0, 9},
    {"charmouta", 0, 9},        /* ch for sh, ou for the waw */
    {"sharmo6a", 0, 8},         /* 6 for tah, the final teh marbuta as a */
    {"3ars", 0, 4},
    {"ars", 0, 3},              /* ain written as its vowel */
    {"el 7a2eer", 0, 9},        /* the article, 2 for qaf */
    {"l7a2ir", 0, 6},
    {"7aqeer", 0, 6},           /* article left out, q for qaf */
    {"\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1", 0, 13}, /* the Arabic itself */
    {"enta k*lb", 5, 9},        /* the first vowel masked */
    {"sh*rmoota", 0, 9},
    {"ya 7*mar", 0, 8},
    {"k4lb", 0, 4},             /* leet digits for a vowel */
    {"sharmo0ta", 0, 9},
    {"*kalb*", 1, 5},           /* emphasis around the word */
    /* Not Arabizi of these words: */
    {"hammer", 0, 0},
    {"club", 0, 0},
    {"7mar", 0, 0},            /* the rule wants the vocative ya */
    {"kalbi", 0, 0},           /* a longer word: the edges hold */
    {"the bar sharp", 0, 0},
    {"2024 3 7", 0, 0},
    {"e7mar", 0, 0},           /* a word-initial yeh is "y", not a bare "e" */
    {"3ar*s", 0, 0},           /* a mask only for the first vowel: later */
    {"sharmo*ta", 0, 0},       /* asterisks are emphasis or actions */
    {"k*", 0, 0},
};

static quell_rules *compile(const char *name, const char *cfg, quell_error *err)
{
    quell_rules *rules = NULL;
    quell_rules_compile(&rules, test_write_temp(name, cfg), err);
    return rules;
}

/* Scan c's text with the rules of cfg: the one hit c expects, at its span
 * and in the Arabizi view (the skeleton for Arabic script), or none. */
static void expect_case(const char *name, const char *cfg, const struct az_case *c)
{
    quell_error err;
    quell_rules *rules = compile(name, cfg, &err);
    ck_assert_msg(rules, "%s:%d: %s", err.file, err.line, err.message);
    quell_scanner *s = NULL;
    ck_assert_int_eq(quell_scanner_new(&s, rules, &err), QUELL_OK);
    quell_comment com = {QUELL_COMMENT_VERSION, {c->text, NULL}, {strlen(c->text), 0}};
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &com, &v, &err), QUELL_OK);
    if (c->start == c->end) {
        ck_assert_msg(v->hit_count == 0, "\"%s\" should not match", c->text);
    } else {
        ck_assert_msg(v->hit_count == 1, "\"%s\": %zu hits", c->text, v->hit_count);
        ck_assert_msg(v->hits[0].start == c->start && v->hits[0].end == c->end,
                      "\"%s\": hit %zu-%zu, expected %zu-%zu", c->text, v->hits[0].start,
                      v->hits[0].end, c->start, c->end);
        ck_assert_str_eq(v->hits[0].view, c->text[0] & 0x80 ? "skeleton" : "arabizi");
    }
    quell_scanner_free(s);
    quell_rules_free(rules);
}

START_TEST(test_spellings)
{
    expect_case("az.cfg", az_cfg, &az_cases[_i]);
}
END_TEST

/* Words whose outlines English words share: a hit holds only if the
 * comment spells the word letter for letter, vowels and all, as one word. */
static const char check_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; } );\n"
    "rules = (\n"
    "  { id = \"az\"; category = \"insult\"; weight = 6.0; arabizi = true;\n"
    /* ملاعين, انيكك, انتا عاهرة, بعلقك, كفار */
    "    words = [ \"\xd9\x85\xd9\x84\xd8\xa7\xd8\xb9\xd9\x8a\xd9\x86\", "
    "\"\xd8\xa7\xd9\x86\xd9\x8a\xd9\x83\xd9\x83\", "
    "\"\xd8\xa7\xd9\x86\xd8\xaa\xd8\xa7 \xd8\xb9\xd8\xa7\xd9\x87\xd8\xb1\xd8\xa9\", "
    "\"\xd8\xa8\xd8\xb9\xd9\x84\xd9\x82\xd9\x83\", \"\xd9\x83\xd9\x81\xd8\xa7\xd8\xb1\" ]; }\n"
    ");\n";

static const struct az_case check_cases[] = {
    {"mala3een", 0, 8},
    {"million", 0, 0},          /* "mln": the ain is "a" or "e" or 3, never "io" */
    {"aneekak", 0, 7},
    {"ink", 0, 0},              /* one k for two kafs */
    {"enta 3ahra", 0, 10},
    {"another", 0, 0},          /* "anthr": no ain at all */
    {"b3alle2ak", 0, 9},
    {"bulk", 0, 0},
    {"kuffar", 0, 6},
    {"@kieffer_jason", 0, 0},   /* one name: "_" joins words as in \b */
    {"ya kieffer!", 3, 10},
};

START_TEST(test_checked)
{
    expect_case("check.cfg", check_cfg, &check_cases[_i]);
}
END_TEST

/* The expression itself: the outlines of the spelling table's
 * alternatives in the Arabizi view, no vowel between letters, word
 * boundaries. */
START_TEST(test_regex_text)
{
    struct pool *pool = pool_new();
    ck_assert_ptr_nonnull(pool);
    const char *re = NULL;
    static const char kalb[] = "\xd9\x83\xd9\x84\xd8\xa8"; /* كلب */
    ck_assert_int_eq(arabizi_regex(pool, kalb, sizeof kalb - 1, &re), 0);
    ck_assert_str_eq(re, "\\b(?:k|ch)l[bp]\\b");
    /* A letter that may be left out is optional; the alef's outline inside
     * a word is nothing, or the 2 of a hamza seat: حمار. */
    static const char himar[] = "\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1";
    ck_assert_int_eq(arabizi_regex(pool, himar, sizeof himar - 1, &re), 0);
    ck_assert_str_eq(re, "\\b[7h]m2?r\\b");
    /* A word's first alef is written, never left out: انت is "enta", not
     * "nt" glued to the next word; first in a word, its vowel stays. */
    static const char enta[] = "\xd8\xa7\xd9\x86\xd8\xaa";
    ck_assert_int_eq(arabizi_regex(pool, enta, sizeof enta - 1, &re), 0);
    ck_assert_str_eq(re, "\\b[ae2iou]nt\\b");
    /* Two words, apart or joined: apart, the first one's last vowel stays
     * (يا is "ya"); joined, it goes ("ya7mar" is "y7mr"). */
    static const char ya_himar[] = "\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1";
    ck_assert_int_eq(arabizi_regex(pool, ya_himar, sizeof ya_himar - 1, &re), 0);
    ck_assert_str_eq(re, "\\by(?:(?:a|e|2a|2e|2i|i|o|u) [7h]|2?[7h])m2?r\\b");
    /* The article, apart or joined; a lam after the article's may be the
     * same letter written once ("allah"): الله. */
    static const char allah[] = "\xd8\xa7\xd9\x84\xd9\x84\xd9\x87";
    ck_assert_int_eq(arabizi_regex(pool, allah, sizeof allah - 1, &re), 0);
    ck_assert_str_eq(re, "\\b(?:(?:[aei]?l )?l[ahet]?|(?:(?:al|el|il|l)l?)[ahet]?)\\b");
    /* Only a letter after one that ends the same may lose it: in هعلقك a
     * qaf written "k" and the kaf make one "k", but a qaf written "2" keeps
     * the kaf ("hala2" is not "I will hang you"). */
    static const char hang[] = "\xd9\x87\xd8\xb9\xd9\x84\xd9\x82\xd9\x83";
    ck_assert_int_eq(arabizi_regex(pool, hang, sizeof hang - 1, &re), 0);
    ck_assert_str_eq(re, "\\bh[3']?l(?:[q29g8](?:k|ch)|k(?:k|ch)?)\\b");
    /* A word of long vowels only has nothing that must be written. */
    static const char alef[] = "\xd8\xa7"; /* ا */
    ck_assert_int_eq(arabizi_regex(pool, alef, sizeof alef - 1, &re), 1);
    /* Nor has Latin text. */
    ck_assert_int_eq(arabizi_regex(pool, "abc", 3, &re), 1);
    pool_free(pool);
}
END_TEST

START_TEST(test_errors)
{
    quell_error err;
    static const char no_arabic[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"insult\"; } );\n"
        "rules = (\n"
        "  { id = \"az\"; category = \"insult\"; weight = 6.0;\n"
        "    arabizi = true;\n"
        "    words = [ \"idiot\" ]; }\n"
        ");\n";
    ck_assert_ptr_null(compile("a.cfg", no_arabic, &err));
    ck_assert_int_eq(err.code, QUELL_ECONFIG);
    ck_assert_int_eq(err.line, 6);
    ck_assert_str_eq(err.rule_id, "az");
    ck_assert_str_eq(err.message, "\"arabizi\" is set but no word is in Arabic script");

    static const char vowel_only[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"insult\"; } );\n"
        "rules = (\n"
        "  { id = \"az\"; category = \"insult\"; weight = 6.0; arabizi = true;\n"
        "    words = [ \"\xd9\x83\xd9\x84\xd8\xa8\",\n"
        "              \"\xd8\xa2\" ]; }\n"
        ");\n";
    ck_assert_ptr_null(compile("b.cfg", vowel_only, &err));
    ck_assert_int_eq(err.line, 7);
    ck_assert_str_eq(err.rule_id, "az");
    ck_assert_ptr_nonnull(strstr(err.message, "has no letter Arabizi can spell"));

    static const char with_case[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"insult\"; } );\n"
        "rules = (\n"
        "  { id = \"az\"; category = \"insult\"; weight = 6.0; case_sensitive = true;\n"
        "    arabizi = true; words = [ \"\xd9\x83\xd9\x84\xd8\xa8\" ]; }\n"
        ");\n";
    ck_assert_ptr_null(compile("c.cfg", with_case, &err));
    ck_assert_str_eq(err.message, "an arabizi rule cannot be case-sensitive");
}
END_TEST

/* A .qdb keeps the Arabic words and writes the same expressions again. */
START_TEST(test_qdb_round_trip)
{
    quell_error err;
    quell_rules *rules = compile("az.cfg", az_cfg, &err);
    ck_assert_ptr_nonnull(rules);
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    quell_rules *copy = NULL;
    ck_assert_int_eq(quell_rules_deserialize(&copy, data, len, &err), QUELL_OK);
    size_t failed = 99, total = 0;
    ck_assert_int_eq(quell_rules_test(copy, NULL, NULL, &failed, &total, &err), QUELL_OK);
    ck_assert_uint_eq(failed, 0);
    ck_assert_uint_eq(total, 2);
    quell_scanner *s = NULL;
    ck_assert_int_eq(quell_scanner_new(&s, copy, &err), QUELL_OK);
    quell_comment com = {QUELL_COMMENT_VERSION, {"inta kelb", NULL}, {9, 0}};
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &com, &v, &err), QUELL_OK);
    ck_assert_int_eq(v->action, QUELL_HOLD);
    quell_scanner_free(s);
    quell_rules_free(copy);
    free(data);
    quell_rules_free(rules);
}
END_TEST

/* The shipped rules on Arabizi and Arabic: digitless and dialect spellings
 * caught, English words and names not, animals and scripture named as such
 * passing, and one severity scale for English and Arabic. */
struct pack_case {
    const char *text;
    quell_action action;
};

static const struct pack_case pack_cases[] = {
    {"ya charmouta", QUELL_FLAG},  /* digitless, ch for sh */
    {"enta 7mar", QUELL_HOLD},  /* the pronoun aims, as ya does */
    {"inti kalbe", QUELL_HOLD},
    {"kol khara", QUELL_FLAG},  /* digitless kh */
    {"ibn el kalb", QUELL_FLAG},  /* a plain insult flags in any script */
    {"ayre fik", QUELL_FLAG},  /* listed as written: ايري would read "are" */
    {"shut up ya sharmouta you idiot", QUELL_REJECT},  /* Arabizi beside English */
    {"Nathan was here", QUELL_PASS},  /* انت + حيوان no longer reads "nt" + "han" */
    {"ya ghabi", QUELL_HOLD},  /* قحبة is not written -i: stupid, not vulgar */
    {"a zebra in the zone, a monk in Munich", QUELL_PASS},
    {"Zubair and Hana went to Mars", QUELL_PASS},  /* names */
    {"\xd8\xb2\xd8\xb1\xd9\x86\xd8\xa7 \xd8\xad\xd8\xaf\xd9\x8a\xd9\x82\xd8\xa9 \xd8\xa7\xd9\x84\xd8\xad\xd9\x8a\xd9\x88\xd8\xa7\xd9\x86\xd8\xa7\xd8\xaa \xd9\x88\xd8\xb1\xd8\xa3\xd9\x8a\xd9\x86\xd8\xa7 \xd8\xa7\xd9\x84\xd8\xa3\xd8\xb3\xd8\xaf \xd9\x88\xd8\xa7\xd9\x84\xd9\x82\xd8\xb1\xd8\xaf \xd9\x88\xd8\xa7\xd9\x84\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1 \xd9\x88\xd8\xa7\xd9\x84\xd8\xae\xd9\x86\xd8\xb2\xd9\x8a\xd8\xb1 \xd9\x88\xd8\xa7\xd9\x84\xd9\x83\xd9\x84\xd8\xa8", QUELL_PASS},  /* a zoo */
    {"\xd9\x84\xd8\xad\xd9\x85 \xd8\xa7\xd9\x84\xd8\xae\xd9\x86\xd8\xb2\xd9\x8a\xd8\xb1 \xd8\xad\xd8\xb1\xd8\xa7\xd9\x85 \xd9\x81\xd9\x8a \xd8\xa7\xd9\x84\xd8\xa5\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xd9\x88\xd9\x84\xd8\xa7 \xd9\x8a\xd8\xac\xd9\x88\xd8\xb2 \xd8\xa3\xd9\x83\xd9\x84 \xd8\xa7\xd9\x84\xd8\xae\xd9\x86\xd8\xb2\xd9\x8a\xd8\xb1", QUELL_PASS},  /* pork in a ruling */
    {"\xd9\x82\xd8\xa7\xd9\x84 \xd8\xb1\xd8\xb3\xd9\x88\xd9\x84 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd8\xb5\xd9\x84\xd9\x89 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd8\xb9\xd9\x84\xd9\x8a\xd9\x87 \xd9\x88\xd8\xb3\xd9\x84\xd9\x85: \xd9\x84\xd8\xb9\xd9\x86 \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd8\xa7\xd9\x84\xd9\x83\xd8\xa7\xd8\xb0\xd8\xa8 \xd8\xa7\xd9\x84\xd9\x85\xd9\x86\xd8\xa7\xd9\x81\xd9\x82", QUELL_PASS},  /* a hadith quoted */
    {"\xd9\x82\xd8\xa7\xd9\x84 \xd8\xaa\xd8\xb9\xd8\xa7\xd9\x84\xd9\x89 \xef\xb4\xbf \xd9\x85\xd8\xab\xd9\x84\xd9\x87\xd9\x85 \xd9\x83\xd9\x85\xd8\xab\xd9\x84 \xd8\xa7\xd9\x84\xd9\x83\xd9\x84\xd8\xa8 \xef\xb4\xbe", QUELL_PASS},  /* a verse quoted */
    {"liar", QUELL_PASS},  /* one scale: liar and كذاب alike */
    {"\xd9\x83\xd8\xb0\xd8\xa7\xd8\xa8", QUELL_PASS},
    {"you are a liar", QUELL_FLAG},
    {"\xd8\xa7\xd9\x86\xd8\xaa \xd9\x83\xd8\xb0\xd8\xa7\xd8\xa8", QUELL_FLAG},
    {"you idiot", QUELL_HOLD},
    {"\xd9\x8a\xd8\xa7 \xd8\xba\xd8\xa8\xd9\x8a", QUELL_HOLD},
    /* Son of an animal, in the dialects' spellings, flags. */
    {"yabn el kalb", QUELL_FLAG},  /* the alef of ibn elided */
    {"the Oppenheimer film, a bent hammer", QUELL_PASS},
    {"weld l7mar", QUELL_FLAG},
    {"bent el kalbe", QUELL_FLAG},
    {"ebn el 5anzeer", QUELL_FLAG},
    /* Masked and leet Arabizi, aimed. */
    {"ya k*lb", QUELL_HOLD},
    {"ya k4lb", QUELL_HOLD},
    {"Zijn zegje is wet en*kuch**kuch*", QUELL_PASS},  /* not انيكك */
    /* A people insulted: a plural insult near a group word. */
    {"sahayneh kilab", QUELL_FLAG},
    {"el masriyeen kellon 7ameer", QUELL_FLAG},
    {"el lebnaniyeen a7qar sha3b", QUELL_FLAG},
    {"el kilab bel share3 kteer", QUELL_PASS},  /* dogs in the street */
    {"el 5anazeer el barriye 3am ta3mel mashakel bel mazare3", QUELL_PASS},  /* wild boars */
    {"the Shia club won, Lebanese humor", QUELL_PASS},
    /* Words no English spelling reaches: listed as written. */
    {"yel3an rab el jarida", QUELL_FLAG},
    {"bro ur such a 5awal lol", QUELL_FLAG},  /* Arabizi beside English */
    {"el moze3a 3ahra", QUELL_FLAG},
    {"Janet Yellen spoke on Monday", QUELL_PASS},
    {"ya mal3oun el waldein", QUELL_FLAG},  /* listed as written: ملعون reads "Milan" */
    {"they flew into Japan and Milan", QUELL_PASS},
    /* A word named, not used. */
    {"el kelme '3ars' ma lazem nesta3mela", QUELL_PASS},
    /* News and names. */
    {"Nasrallah w Hezbollah w Hamas, el shi3a bel jnoub", QUELL_PASS},
    {"Bashar al-Assad met Ali Kalb and Ibn Khaldun", QUELL_PASS},
    {"she checked into hotel rooms with kids", QUELL_PASS},
};

START_TEST(test_default_pack)
{
    const struct pack_case *c = &pack_cases[_i];
    const quell_verdict *v = test_scan_body(test_shipped_scanner, c->text);
    ck_assert_msg(v->action == c->action, "\"%s\": action %d, expected %d (score %g)",
                  c->text, (int)v->action, (int)c->action, v->score);
}
END_TEST

Suite *arabizi_suite(void)
{
    Suite *s = suite_create("arabizi");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_loop_test(tc, test_spellings, 0, sizeof az_cases / sizeof az_cases[0]);
    tcase_add_loop_test(tc, test_checked, 0, sizeof check_cases / sizeof check_cases[0]);
    tcase_add_test(tc, test_regex_text);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_qdb_round_trip);
    suite_add_tcase(s, tc);

    TCase *pack = tcase_create("shipped");
    tcase_set_timeout(pack, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(pack, test_shipped_setup, test_shipped_teardown);
    tcase_add_loop_test(pack, test_default_pack, 0, sizeof pack_cases / sizeof pack_cases[0]);
    suite_add_tcase(s, pack);
    return s;
}
