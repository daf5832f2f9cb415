/*
 * check_disguise.c - disguised abuse found through the normalised views,
 * with exact spans in the original text; allowed words passing clean; and
 * properties on random text: spans on character boundaries, censoring
 * keeping the length in characters. Through the shipped rules: the words
 * that are also names (dick, cock, prick) caught disguised and passed as
 * names, and minced oaths counted when aimed and passed when innocent.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "quell.h"

/* Words and substrings scan the skeleton view by default. */
static const char disguise_cfg[] =
    "version = 1;\n"
    "actions = { flag = 1.0; hold = 50.0; reject = 100.0; };\n"
    "categories = ( { name = \"p\"; } );\n"
    "rules = (\n"
    "  { id = \"en.f\"; category = \"p\"; weight = 1.0; words = [ \"fuck\" ]; },\n"
    "  { id = \"en.shit\"; category = \"p\"; weight = 1.0; words = [ \"shit\" ]; },\n"
    "  { id = \"en.ass\"; category = \"p\"; weight = 1.0; words = [ \"ass\" ]; },\n"
    "  { id = \"en.lil\"; category = \"p\"; weight = 1.0; words = [ \"lil\" ]; },\n"
    "  { id = \"en.cunt\"; category = \"p\"; weight = 1.0; words = [ \"cunt\" ]; },\n"
    "  { id = \"en.idiot\"; category = \"p\"; weight = 1.0; words = [ \"idiot\" ]; },\n"
    /* كلب */
    "  { id = \"ar.kalb\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"\xd9\x83\xd9\x84\xd8\xa8\" ]; },\n"
    /* حمار */
    "  { id = \"ar.hmar\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\" ]; },\n"
    /* شرموطة */
    "  { id = \"ar.sharmouta\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"\xd8\xb4\xd8\xb1\xd9\x85\xd9\x88\xd8\xb7\xd8\xa9\" ]; },\n"
    /* يلعن ابوك */
    "  { id = \"ar.yalan\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"\xd9\x8a\xd9\x84\xd8\xb9\xd9\x86 \xd8\xa7\xd8\xa8\xd9\x88\xd9\x83\" ]; },\n"
    /* مسؤول */
    "  { id = \"ar.masool\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"\xd9\x85\xd8\xb3\xd8\xa4\xd9\x88\xd9\x84\" ]; },\n"
    /* على, with alef maqsura */
    "  { id = \"ar.ala\"; category = \"p\"; weight = 1.0; words = [ \"\xd8\xb9\xd9\x84\xd9\x89\" "
    "]; },\n"
    /* Arabizi keeps its digits: the folded view, not the skeleton. */
    "  { id = \"arabizi\"; category = \"p\"; weight = 1.0; views = [ \"folded\" ];\n"
    "    words = [ \"7mar\", \"3ars\" ]; },\n"
    "  { id = \"digits\"; category = \"p\"; weight = 1.0; views = \"folded\";\n"
    "    words = [ \"500 dollars\" ]; }\n"
    ");\n";

/* Input, the rule that must hit (NULL: nothing may hit) and the exact span
 * of its first hit in the input's bytes, worked out from the UTF-8 lengths
 * of the characters (Cyrillic, Greek, Arabic letters and marks 2 bytes;
 * fullwidth, circled, ZWJ, ZWNJ, bidi controls, Arabic presentation forms
 * 3; mathematical bold letters 4). */
static const struct {
    const char *input;
    const char *rule;
    size_t start, end;
} disguises[] = {
    /* a one-letter word before or after spaced-out letters: both readings */
    {"he is a c u n t", "en.cunt", 8, 15},
    {"A c u n t", "en.cunt", 2, 9},
    {"i d i o t", "en.idiot", 0, 9},
    {"you i d i o t", "en.idiot", 4, 13},
    {"f u c k u", "en.f", 0, 7},
    {"a s s", "en.ass", 0, 5},
    {"\xd9\x88 \xd9\x83 \xd9\x84 \xd8\xa8", "ar.kalb", 3, 11}, /* و ك ل ب */
    {"a.c.u.n.t", NULL, 0, 0},
    {"f.u.c.k you", "en.f", 0, 7},    /* f.u.c.k you */
    {"f u c k", "en.f", 0, 7},        /* f u c k */
    {"f-u-c-k", "en.f", 0, 7},        /* f-u-c-k */
    {"f_u_c_k", "en.f", 0, 7},        /* f_u_c_k */
    {"f*u*c*k", "en.f", 0, 7},        /* f*u*c*k */
    {"F.U.C.K", "en.f", 0, 7},        /* F.U.C.K */
    {"you f.u.c.k!", "en.f", 4, 11},  /* you f.u.c.k! */
    {"fuuuuck", "en.f", 0, 7},        /* fuuuuck */
    {"Fuuuuuuuck!!!", "en.f", 0, 10}, /* Fuuuuuuuck!!! */
    {"FUCK", "en.f", 0, 4},           /* FUCK */
    {"FuCk off", "en.f", 0, 4},       /* FuCk off */
    {"f\xc3\xbc"
     "ck",
     "en.f", 0, 5}, /* f\xfcck */
    {"F\xc3\x9c"
     "CK",
     "en.f", 0, 5}, /* F\xdcCK */
    {"fu\xcc\x88"
     "ck",
     "en.f", 0, 6}, /* fu\u0308ck */
    {"\xef\xbd\x86\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b", "en.f", 0,
     12},                          /* \uff46\uff55\uff43\uff4b */
    {"fu\xd1\x81k", "en.f", 0, 5}, /* fu\u0441k */
    {"f\xcf\x85"
     "ck",
     "en.f", 0, 5}, /* f\u03c5ck */
    {"fu\xe2\x80\x8d"
     "ck",
     "en.f", 0, 7}, /* fu\u200dck */
    {"fu\xe2\x80\x8c"
     "ck",
     "en.f", 0, 7}, /* fu\u200cck */
    {"fu\xc2\xad"
     "ck",
     "en.f", 0, 6}, /* fu\xadck */
    {"\xe2\x80\xae"
     "fuck",
     "en.f", 3, 7}, /* \u202efuck */
    {"\xf0\x9d\x90\x9f\xf0\x9d\x90\xae\xf0\x9d\x90\x9c\xf0\x9d\x90\xa4", "en.f", 0,
     16}, /* \U0001d41f\U0001d42e\U0001d41c\U0001d424 */
    {"\xe2\x93\x95\xe2\x93\xa4\xe2\x93\x92\xe2\x93\x9a", "en.f", 0,
     12},                                   /* \u24d5\u24e4\u24d2\u24da */
    {"$h1t", "en.shit", 0, 4},              /* $h1t */
    {"sh1t", "en.shit", 0, 4},              /* sh1t */
    {"5hit", "en.shit", 0, 4},              /* 5hit */
    {"sh!t", "en.shit", 0, 4},              /* sh!t */
    {"shiiiit", "en.shit", 0, 7},           /* shiiiit */
    {"what a $hit show", "en.shit", 7, 11}, /* what a $hit show */
    {"\xef\xbc\xb3\xef\xbc\xa8\xef\xbc\xa9\xef\xbc\xb4", "en.shit", 0,
     12},                                           /* \uff33\uff28\uff29\uff34 */
    {"\xd1\x95\xd2\xbb\xd1\x96t", "en.shit", 0, 7}, /* \u0455\u04bb\u0456t */
    {"sh\xc4\xb1t", "en.shit", 0, 5},               /* sh\u0131t */
    {"a$$", "en.ass", 0, 3},                        /* a$$ */
    {"asssss", "en.ass", 0, 6},                     /* asssss */
    {"\xef\xbc\xa1$$", "en.ass", 0, 5},             /* \uff21$$ */
    {"as", NULL, 0, 0},
    {"class", NULL, 0, 0},
    {"bullshit", NULL, 0, 0},
    {"sh1tty", NULL, 0, 0},
    {"2023 was 1337", NULL, 0, 0},
    {"\xd9\x8a\xd8\xa7 \xd9\x83\xd9\x84\xd8\xa8", "ar.kalb", 5,
     11}, /* \u064a\u0627 \u0643\u0644\u0628 */
    {"\xd9\x83\xd9\x8e\xd9\x84\xd9\x92\xd8\xa8", "ar.kalb", 0,
     10}, /* \u0643\u064e\u0644\u0652\u0628 */
    {"\xd9\x83\xd9\x80\xd9\x80\xd9\x80\xd9\x84\xd8\xa8", "ar.kalb", 0,
     12}, /* \u0643\u0640\u0640\u0640\u0644\u0628 */
    {"\xd9\x83\xe2\x80\x8c\xd9\x84\xd8\xa8", "ar.kalb", 0, 9}, /* \u0643\u200c\u0644\u0628 */
    {"\xef\xbb\x9b\xef\xbb\xa0\xef\xba\x90", "ar.kalb", 0, 9}, /* presentation forms ﻛﻠﺐ */
    {"\xd9\x83\xd9\x84\xd9\x84\xd9\x84\xd8\xa8", "ar.kalb", 0,
     10}, /* \u0643\u0644\u0644\u0644\u0628 */
    {"\xd8\xa7\xd9\x84\xd9\x83\xd9\x84\xd8\xa8", NULL, 0, 0},
    {"\xd8\xad\xd9\x85\xd8\xa7\xd8\xa7\xd8\xa7\xd8\xb1", "ar.hmar", 0,
     12}, /* \u062d\u0645\u0627\u0627\u0627\u0631 */
    {"\xd8\xad\xd9\x90\xd9\x85\xd8\xa7\xd8\xb1", "ar.hmar", 0,
     10}, /* \u062d\u0650\u0645\u0627\u0631 */
    {"\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd9\x80\xd8\xa7\xd8\xb1!", "ar.hmar", 5,
     15}, /* \u064a\u0627 \u062d\u0645\u0640\u0627\u0 */
    {"\xd8\xb4\xd8\xb1\xd9\x85\xd9\x88\xd8\xb7\xd9\x87", "ar.sharmouta", 0,
     12}, /* \u0634\u0631\u0645\u0648\u0637\u0647 */
    {"\xd8\xb4\xd8\xb1\xd9\x85\xd9\x88\xd8\xb7\xd8\xa9", "ar.sharmouta", 0,
     12}, /* \u0634\u0631\u0645\u0648\u0637\u0629 */
    {"\xd8\xb4\xd9\x80\xd8\xb1\xd9\x85\xd9\x80\xd9\x88\xd8\xb7\xd9\x80\xd8\xa9", "ar.sharmouta", 0,
     18}, /* \u0634\u0640\u0631\u0645\u0640\u0648\u06 */
    {"\xd9\x8a\xd9\x84\xd8\xb9\xd9\x86 \xd8\xa3\xd8\xa8\xd9\x88\xd9\x83", "ar.yalan", 0,
     17}, /* \u064a\u0644\u0639\u0646 \u0623\u0628\u0 */
    {"\xd9\x8a\xd9\x84\xd8\xb9\xd9\x86 \xd8\xa5\xd8\xa8\xd9\x88\xd9\x83", "ar.yalan", 0,
     17}, /* \u064a\u0644\u0639\u0646 \u0625\u0628\u0 */
    {"\xd9\x8a\xd9\x84\xd8\xb9\xd9\x86 \xd8\xa2\xd8\xa8\xd9\x88\xd9\x83", "ar.yalan", 0,
     17}, /* \u064a\u0644\u0639\u0646 \u0622\u0628\u0 */
    {"\xd9\x8a\xd9\x84\xd8\xb9\xd9\x86  \xd8\xa7\xd8\xa8\xd9\x88\xd9\x83", "ar.yalan", 0,
     18}, /* \u064a\u0644\u0639\u0646  \u0627\u0628\u */
    {"\xdb\x8c\xd9\x84\xd8\xb9\xd9\x86 \xd8\xa7\xd8\xa8\xd9\x88\xd9\x83", "ar.yalan", 0,
     17}, /* \u06cc\u0644\u0639\u0646 \u0627\u0628\u0 */
    {"\xd9\x8a\xd9\x8e\xd9\x84\xd9\x92\xd8\xb9\xd9\x8e\xd9\x86 "
     "\xd8\xa3\xd9\x8e\xd8\xa8\xd9\x8f\xd9\x88\xd9\x83",
     "ar.yalan", 0, 27}, /* \u064a\u064e\u0644\u0652\u0639\u064e\u06 */
    {"\xd9\x85\xd8\xb3\xd8\xa4\xd9\x88\xd9\x84", "ar.masool", 0,
     10}, /* \u0645\u0633\u0624\u0648\u0644 */
    {"\xd9\x85\xd8\xb3\xd8\xa6\xd9\x88\xd9\x84", NULL, 0, 0},
    {"\xd8\xb9\xd9\x84\xd9\x89", "ar.ala", 0, 6},          /* \u0639\u0644\u0649 */
    {"\xd8\xb9\xd9\x84\xd9\x8a", "ar.ala", 0, 6},          /* \u0639\u0644\u064a */
    {"\xda\xa9\xd9\x84\xd8\xa8", "ar.kalb", 0, 6},         /* \u06a9\u0644\u0628 */
    {"ya 7mar", "arabizi", 3, 7},                          /* ya 7mar */
    {"ya 7MAR", "arabizi", 3, 7},                          /* ya 7MAR */
    {"3ars", "arabizi", 0, 4},                             /* 3ars */
    {"\xd9\xa5\xd9\xa0\xd9\xa0 dollars", "digits", 0, 14}, /* \u0665\u0660\u0660 dollars */
    {"\xdb\xb5\xdb\xb0\xdb\xb0 dollars", "digits", 0, 14}, /* \u06f5\u06f0\u06f0 dollars */
    {"500 dollars", "digits", 0, 11},                      /* 500 dollars */
    {"\xd8\xa7\xd9\xa1\xd8\xa7", NULL, 0, 0},
    {"l1l", "en.lil", 0, 3}, /* l1l */
};

static quell_rules *rules;
static quell_scanner *scanner;

static void setup_cfg(const char *cfg)
{
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("r.cfg", cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, &err), QUELL_OK);
}

static void setup_disguise(void)
{
    setup_cfg(disguise_cfg);
}

static void teardown(void)
{
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}

static const quell_verdict *scan(const char *body, size_t len)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = len;
    const quell_verdict *v;
    quell_error err;
    ck_assert_msg(quell_scan(scanner, &c, &v, &err) == QUELL_OK, "%s", err.message);
    return v;
}

START_TEST(test_disguise)
{
    const char *in = disguises[_i].input;
    const quell_verdict *v = scan(in, strlen(in));
    if (!disguises[_i].rule) {
        ck_assert_msg(v->hit_count == 0, "case %d: %s hit [%zu,%zu)", _i,
                      v->hit_count ? v->hits[0].rule_id : "", v->hit_count ? v->hits[0].start : 0,
                      v->hit_count ? v->hits[0].end : 0);
        return;
    }
    const quell_hit *hit = NULL;
    for (size_t i = 0; i < v->hit_count && !hit; i++) {
        if (strcmp(v->hits[i].rule_id, disguises[_i].rule) == 0)
            hit = &v->hits[i];
    }
    ck_assert_msg(hit != NULL, "case %d: %s did not hit", _i, disguises[_i].rule);
    ck_assert_msg(hit->start == disguises[_i].start && hit->end == disguises[_i].end,
                  "case %d: span [%zu,%zu), expected [%zu,%zu)", _i, hit->start, hit->end,
                  disguises[_i].start, disguises[_i].end);
    ck_assert_ptr_eq(hit->text, in + hit->start);
}
END_TEST

/* Allowed words: the Scunthorpe problem, with substring rules that do hit
 * inside these words. */
static const char allow_cfg[] =
    "version = 1;\n"
    "actions = { flag = 1.0; hold = 50.0; reject = 100.0; };\n"
    "allow = [ \"Scunthorpe\" ];\n"
    "categories = (\n"
    "  { name = \"p\"; allow = [ \"assassin\", \"class\", \"classic\", \"cocktail\",\n"
    "      \"peacock\", \"Hancock\", \"cockpit\", \"Essex\", \"Sussex\", \"Middlesex\",\n"
    "      \"therapist\", \"grape\", \"Dickens\", \"shitake\", \"document\",\n"
    "      \"circumstance\", \"Cumbria\", \"passage\", \"embassy\", \"bass\",\n"
    "      \"compass\" ]; },\n"
    "  { name = \"q\"; }\n"
    ");\n"
    "rules = (\n"
    "  { id = \"s.cunt\"; category = \"p\"; weight = 1.0; substrings = [ \"cunt\" ]; },\n"
    "  { id = \"s.ass\"; category = \"p\"; weight = 1.0; substrings = [ \"ass\" ]; },\n"
    "  { id = \"s.cock\"; category = \"p\"; weight = 1.0; substrings = [ \"cock\" ]; },\n"
    "  { id = \"s.sex\"; category = \"p\"; weight = 1.0; substrings = [ \"sex\" ]; },\n"
    "  { id = \"s.rape\"; category = \"p\"; weight = 1.0; substrings = [ \"rape\", \"rapist\" ]; "
    "},\n"
    "  { id = \"s.dick\"; category = \"p\"; weight = 1.0; substrings = [ \"dick\" ]; },\n"
    "  { id = \"s.shit\"; category = \"p\"; weight = 1.0; substrings = [ \"shit\" ]; },\n"
    "  { id = \"s.cum\"; category = \"p\"; weight = 1.0; substrings = [ \"cum\" ]; },\n"
    "  { id = \"q.cunt\"; category = \"q\"; weight = 1.0; substrings = [ \"cunt\" ]; },\n"
    "  { id = \"q.ass\"; category = \"q\"; weight = 1.0; substrings = [ \"ass\" ]; }\n"
    ");\n";

static void setup_allow(void)
{
    setup_cfg(allow_cfg);
}

/* Each passes clean: no rule of category p may hit. */
static const char *const allowed[] = {
    "Scunthorpe United won",
    "SCUNTHORPE",
    "Sc\xc3\xbcnthorpe", /* folded: accents do not matter */
    "The assassin fled",
    "a classic film",
    "a class act",
    "a cocktail bar",
    "the peacock",
    "Hancock said",
    "in the cockpit",
    "Essex police",
    "ESSEX",
    "Sussex",
    "Middlesex",
    "my therapist",
    "a grape",
    "Dickens wrote",
    "shitake soup",
    "the document",
    "under the circumstance",
    "Cumbria",
    "a passage",
    "the embassy",
    "bass guitar",
    "a compass",
};

START_TEST(test_allowed_words_pass)
{
    const char *in = allowed[_i];
    const quell_verdict *v = scan(in, strlen(in));
    for (size_t i = 0; i < v->hit_count; i++)
        ck_assert_msg(strcmp(v->hits[i].category, "p") != 0, "\"%s\": %s hit [%zu,%zu)", in,
                      v->hits[i].rule_id, v->hits[i].start, v->hits[i].end);
}
END_TEST

static int has_hit(const quell_verdict *v, const char *rule, size_t start, size_t end)
{
    for (size_t i = 0; i < v->hit_count; i++) {
        if (strcmp(v->hits[i].rule_id, rule) == 0 && v->hits[i].start == start &&
            v->hits[i].end == end)
            return 1;
    }
    return 0;
}

/* The lists excuse exactly their words, for their categories. */
START_TEST(test_allow_scope)
{
    const quell_verdict *v = scan("cunt", 4);
    ck_assert(has_hit(v, "s.cunt", 0, 4));
    v = scan("Scunthorpe cunt", 15);
    ck_assert(has_hit(v, "s.cunt", 11, 15));
    ck_assert(!has_hit(v, "s.cunt", 1, 5));
    /* The top-level list covers every category. */
    ck_assert(!has_hit(v, "q.cunt", 1, 5));
    ck_assert(has_hit(v, "q.cunt", 11, 15));
    /* A plural is another word: not on the list. */
    v = scan("cocktails", 9);
    ck_assert(has_hit(v, "s.cock", 0, 4));
    /* Category p's list does not excuse category q. */
    v = scan("the assassin", 12);
    ck_assert(!has_hit(v, "s.ass", 4, 7));
    ck_assert(has_hit(v, "q.ass", 4, 7));
    ck_assert(has_hit(v, "q.ass", 7, 10));
}
END_TEST

/* Random text from characters that normalisation rewrites: every hit lies
 * inside the input on character boundaries, and censoring keeps the
 * length in characters and every unmasked byte. */
static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static int is_boundary(const char *s, size_t len, size_t off)
{
    return off == len || ((unsigned char)s[off] & 0xC0) != 0x80;
}

START_TEST(test_random_spans_and_censor)
{
    static const char *const pieces[] = {
        "fuck ",
        "f.u.c.k ",
        "sh1t ",
        "\xd9\x83\xd9\x84\xd8\xa8 ",
        "fu\xcc\x88"
        "ck ",
        "a$$ ",
        "f",
        "u",
        "c",
        "k",
        "s",
        "h",
        "i",
        "t",
        "a",
        "$",
        "1",
        "0",
        " ",
        ".",
        "-",
        "*",
        "_",
        "!",
        "F",
        "U",
        "\xc3\xbc",
        "\xd1\x81",
        "\xcc\x88",
        "\xe2\x80\x8d",
        "\xc2\xad",
        "\xef\xbd\x86",
        "\xf0\x9d\x90\x9f",
        "\xd9\x83",
        "\xd9\x84",
        "\xd8\xa8",
        "\xd9\x8e",
        "\xd9\x80",
        "\xd8\xad",
        "\xd9\x85",
        "\xd8\xa7",
        "\xd8\xb1",
        "\xd9\xa5",
        "\xd8\xa9",
        "\xd9\x89",
        "\xe2\x80\xae",
        "7",
        "3",
        "\t",
        "\n",
        "\xef\xbb\x8b",
        "\xc3\x9f",
        "\xef\xac\x81",
    };
    unsigned int seed = 4242;
    char text[256], censored[512];
    int hits_seen = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        int n = rand_r(&seed) % 24;
        for (int k = 0; k < n; k++) {
            const char *p = pieces[(size_t)rand_r(&seed) % (sizeof pieces / sizeof pieces[0])];
            size_t pl = strlen(p);
            memcpy(text + len, p, pl);
            len += pl;
        }
        const quell_verdict *v = scan(text, len);
        for (size_t i = 0; i < v->hit_count; i++) {
            const quell_hit *h = &v->hits[i];
            hits_seen++;
            ck_assert_uint_le(h->start, h->end);
            ck_assert_uint_le(h->end, len);
            ck_assert(h->start < h->end);
            ck_assert(is_boundary(text, len, h->start));
            ck_assert(is_boundary(text, len, h->end));
        }
        size_t need = quell_censor(v, QUELL_FIELD_BODY, text, len, '*', censored, sizeof censored);
        ck_assert_uint_lt(need, sizeof censored);
        ck_assert_uint_eq(count_chars(censored, need), count_chars(text, len));
        if (v->hit_count == 0)
            ck_assert_mem_eq(censored, text, len);
    }
    ck_assert_int_gt(hits_seen, 100);
}
END_TEST

/* Random bytes, valid or not: the scanner answers or refuses, never crashes. */
START_TEST(test_random_bytes_never_crash)
{
    unsigned int seed = 99;
    unsigned char text[128];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)rand_r(&seed) % sizeof text;
        for (size_t i = 0; i < len; i++)
            text[i] = (unsigned char)rand_r(&seed);
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = (const char *)text;
        c.text_len[QUELL_FIELD_BODY] = len;
        const quell_verdict *v;
        int rc = quell_scan(scanner, &c, &v, NULL);
        ck_assert(rc == QUELL_OK || rc == QUELL_EINPUT);
        if (rc == QUELL_OK) {
            for (size_t i = 0; i < v->hit_count; i++)
                ck_assert_uint_le(v->hits[i].end, len);
        }
    }
}
END_TEST

/* Censoring by hand-worked examples: one mask per character. */
START_TEST(test_censor)
{
    const char *in = "you f.u.c.k, \xd9\x8a\xd8\xa7 \xd9\x83\xd9\x8e\xd9\x84\xd8\xa8!";
    const quell_verdict *v = scan(in, strlen(in));
    char out[128];
    size_t n = quell_censor(v, QUELL_FIELD_BODY, in, strlen(in), '*', out, sizeof out);
    /* f.u.c.k (7 characters) and the 4 characters of the marked word. */
    ck_assert_str_eq(out, "you *******, \xd9\x8a\xd8\xa7 ****!");
    ck_assert_uint_eq(n, strlen(out));
    /* Too small a buffer: cut, terminated, and the full length returned. */
    char small[6];
    ck_assert_uint_eq(quell_censor(v, QUELL_FIELD_BODY, in, strlen(in), '#', small, sizeof small),
                      n);
    ck_assert_str_eq(small, "you #");
}
END_TEST

static void setup_shipped(void)
{
    test_open_rules(test_default_rules(), &rules, &scanner);
}

/* The hit of rule id in v, or NULL. */
static const quell_hit *hit_of(const quell_verdict *v, const char *id)
{
    for (size_t i = 0; i < v->hit_count; i++) {
        if (strcmp(v->hits[i].rule_id, id) == 0)
            return &v->hits[i];
    }
    return NULL;
}

/* Words also used as names read the skeleton: each disguise is caught,
 * with its span on the original bytes. */
static const struct {
    const char *input;
    size_t start, end;
} name_words[] = {
    {"what a d1ck", 7, 11},
    {"D.I.C.K. of a prime minister", 0, 7},
    {"DICK", 0, 4},
    {"what a c0ck", 7, 11},
    {"he is a pr!ck", 8, 13},
    {"what a d\xd1\x96" "ck", 7, 12}, /* Cyrillic i, 2 bytes */
    {"you are a p*r*i*c*k", 10, 19},
    {"Dick move by the minister", 0, 4}, /* opens a sentence alone: slang */
    {"You Dick!", 4, 8},                 /* after "you": slang */
};

START_TEST(test_name_word_disguised)
{
    const char *in = name_words[_i].input;
    const quell_verdict *v = scan(in, strlen(in));
    const quell_hit *hit = hit_of(v, "profanity.en.dick.word");
    ck_assert_msg(hit != NULL, "\"%s\" did not hit", in);
    ck_assert_msg(hit->start == name_words[_i].start && hit->end == name_words[_i].end,
                  "\"%s\": span [%zu,%zu), expected [%zu,%zu)", in, hit->start, hit->end,
                  name_words[_i].start, name_words[_i].end);
    ck_assert_int_ge(v->action, QUELL_FLAG);
}
END_TEST

/* Names (English, and Arabic names written in Latin letters) and innocent
 * senses pass; a name's hit is set aside by the validator, not lost. */
static const struct {
    const char *input;
    bool is_validated; /* the not_name validator refused the word's hit; else the
                          phrase list or word edges let it pass */
} name_passes[] = {
    {"Dick Haddad spoke for the ministry", true},
    {"Philip K. Dick wrote it", true},
    {"Mr. Dick Abbas replied", true},
    {"the novel Tricky Dick Nasser", true},
    {"Dick Cheney said the war would be short", true},
    {"Cock Robin", true},
    {"dick cheney lied about Iraq", false}, /* lower case: the phrase list */
    {"a cock and bull story", false},
    {"felt a prick of conscience", false},
    {"a cocktail in the cockpit", false},
    {"prickly pear and peacocks", false},
    {"Dickens and Hancock", false},
};

START_TEST(test_name_word_passes)
{
    const char *in = name_passes[_i].input;
    const quell_verdict *v = scan(in, strlen(in));
    ck_assert_msg(hit_of(v, "profanity.en.dick") == NULL && v->action == QUELL_PASS,
                  "\"%s\" should pass, got %s", in, quell_action_name(v->action));
    if (name_passes[_i].is_validated)
        ck_assert_ptr_null(hit_of(v, "profanity.en.dick.word"));
    bool is_validated = false;
    for (size_t i = 0; i < v->excused_count; i++) {
        is_validated |= v->excused[i].reason == QUELL_EXCUSE_INVALID &&
                        strcmp(v->excused[i].hit.rule_id, "profanity.en.dick.word") == 0;
    }
    ck_assert_msg(is_validated == name_passes[_i].is_validated, "\"%s\": validator %s", in,
                  is_validated ? "refused a hit" : "refused nothing");
}
END_TEST

/* Minced oaths and "the f-word" count when aimed at someone, not on their
 * own innocent use. */
static const struct {
    const char *input;
    const char *rule; /* NULL: must pass */
} minced[] = {
    {"eff off, nobody wants your opinion", "profanity.en.minced"},
    {"go eff yourself", "profanity.en.minced"},
    {"go f yourself", "profanity.en.minced"},
    {"fudge you and your paper", "profanity.en.minced"},
    {"you mother effer", "profanity.en.minced"},
    {"you're such a b-word", "profanity.en.xword"},
    {"I'd call him the c-word but that's too kind", "profanity.en.xword"},
    {"you son of a b", "profanity.en.xword"},
    {"fudge brownies for dessert", NULL},
    {"frick, I missed the bus", NULL},
    {"the F-word is banned on TV", NULL},
    {"he was fined for saying the f-word on air", NULL},
    {"the F-16 took off", NULL},
    {"an effort to cut the fees", NULL},
};

START_TEST(test_minced_oaths)
{
    const char *in = minced[_i].input;
    const quell_verdict *v = scan(in, strlen(in));
    if (!minced[_i].rule) {
        ck_assert_msg(v->action == QUELL_PASS, "\"%s\" should pass, got %s", in,
                      quell_action_name(v->action));
        return;
    }
    ck_assert_msg(hit_of(v, minced[_i].rule) != NULL, "\"%s\": %s did not hit", in, minced[_i].rule);
    ck_assert_int_ge(v->action, QUELL_FLAG);
}
END_TEST

Suite *disguise_suite(void)
{
    Suite *s = suite_create("disguise");
    TCase *tc = tcase_create("Disguises");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_checked_fixture(tc, setup_disguise, teardown);
    tcase_add_loop_test(tc, test_disguise, 0, sizeof disguises / sizeof disguises[0]);
    tcase_add_test(tc, test_random_spans_and_censor);
    tcase_add_test(tc, test_random_bytes_never_crash);
    tcase_add_test(tc, test_censor);
    suite_add_tcase(s, tc);

    TCase *tc_allow = tcase_create("Allow");
    tcase_set_timeout(tc_allow, TEST_TIMEOUT_RULES);
    tcase_add_checked_fixture(tc_allow, setup_allow, teardown);
    tcase_add_loop_test(tc_allow, test_allowed_words_pass, 0, sizeof allowed / sizeof allowed[0]);
    tcase_add_test(tc_allow, test_allow_scope);
    suite_add_tcase(s, tc_allow);

    TCase *tc_shipped = tcase_create("Shipped");
    tcase_set_timeout(tc_shipped, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc_shipped, setup_shipped, teardown);
    tcase_add_loop_test(tc_shipped, test_name_word_disguised, 0,
                        sizeof name_words / sizeof name_words[0]);
    tcase_add_loop_test(tc_shipped, test_name_word_passes, 0,
                        sizeof name_passes / sizeof name_passes[0]);
    tcase_add_loop_test(tc_shipped, test_minced_oaths, 0, sizeof minced / sizeof minced[0]);
    suite_add_tcase(s, tc_shipped);
    return s;
}
