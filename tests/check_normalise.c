/*
 * check_normalise.c - the folded and skeleton views, their maps back to the
 * original bytes, and the chain that builds them (views.c). Expected views
 * are written from Unicode facts (NFKC, case folding, TR39 prototypes) and
 * the maps in tools/data, by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"
#include "normalise.h"
#include "utf8.h"
#include "views.h"

static struct norm_tables *tables;

/* Built once per TCase, in the runner, before the tests fork. */
static void setup_tables(void)
{
    ck_assert_int_eq(norm_tables_new(&tables), QUELL_OK);
}

static void teardown_tables(void)
{
    norm_tables_free(tables);
    tables = NULL;
}

/* An input and the view expected; in_len 0 means strlen(in). */
struct view_case {
    const char *in;
    size_t in_len;
    const char *want;
    size_t want_len;
};

#define CASE(in, want)                                                                             \
    {                                                                                              \
        in, 0, want, 0                                                                             \
    }

static const struct view_case fold_cases[] = {
    CASE("Hello World", "hello world"),
    CASE("", ""),
    /* Latin accents, precomposed and combining */
    CASE("caf\xc3\xa9", "cafe"),
    CASE("cafe\xcc\x81", "cafe"),
    CASE("A\xcc\x81", "a"),
    CASE("ÀÉÎÕÜ àéîõü", "aeiou aeiou"),
    /* Æ and Ø have no decomposition; Å is A + ring above */
    CASE("ÆØÅ", "æøa"),
    /* İ folds to i + combining dot above, and the dot goes */
    CASE("İstanbul", "istanbul"),
    /* fullwidth, ligatures, math alphanumerics, enclosed, super/roman */
    CASE("ＦＵＣＫ", "fuck"),
    CASE("\xef\xac\x81nd \xef\xac\x82y", "find fly"), /* U+FB01 U+FB02 */
    CASE("𝐟𝐮𝐜𝐤", "fuck"),
    CASE("ⓕⓤⓒⓚ", "fuck"),
    CASE("x² Ⅻ", "x2 xii"),
    /* full case folding */
    CASE("Straße", "strasse"),
    CASE("\xe1\xba\x9e", "ss"), /* U+1E9E capital sharp s */
    CASE("ΟΔΥΣΣΕΥΣ ς", "οδυσσευσ σ"),
    /* ZWJ, ZWNJ, soft hyphen */
    CASE("f\xe2\x80\x8du\xe2\x80\x8c"
         "c\xc2\xad"
         "k",
         "fuck"),
    /* RLO, LRM, RLM, LRI, PDI, PDF */
    CASE("\xe2\x80\xae"
         "f\xe2\x80\x8eu\xe2\x80\x8f"
         "c\xe2\x81\xa6k\xe2\x81\xa9\xe2\x80\xac",
         "fuck"),
    CASE("\xef\xbb\xbf"
         "a\xe2\x80\x8b"
         "b",
         "ab"),                   /* BOM, ZWSP */
    CASE("f\xc2\xb4uck", "fuck"), /* U+00B4, a spacing accent, goes like the mark */
    /* harakat (fatha, damma, shadda, tanween) and tatweel */
    CASE("\xd9\x85\xd9\x8f\xd8\xad\xd9\x8e\xd9\x85\xd9\x91\xd9\x8e\xd8\xaf", "محمد"),
    CASE("كتابٌ", "كتاب"),
    CASE("حمـــار", "حمار"),
    /* every alef form, hamza seats, hamza on its own */
    CASE("أ إ آ ٱ ا", "ا ا ا ا ا"),
    CASE("\xd9\xb2\xd9\xb3", "اا"), /* alef with wavy hamza above, below */
    CASE("سؤال مسئول", "سوال مسيول"),
    CASE("ماء", "ماء"),
    CASE("\xd9\xb5", "ا"), /* U+0675 high hamza alef: alef + high hamza, dropped */
    /* taa marbuta, alef maqsura */
    CASE("مدرسة", "مدرسه"),
    CASE("على", "علي"),
    /* Persian and Urdu forms */
    CASE("کتاب", "كتاب"),
    CASE("یا", "يا"),
    CASE("ہ ھ ۀ ۃ ە", "ه ه ه ه ه"),
    /* Arabic-Indic and extended Arabic-Indic digits */
    CASE("٠١٢٣٤٥٦٧٨٩", "0123456789"),
    CASE("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    /* presentation forms: lam-alef, Allah, teh marbuta, alef maksura, alef hamza */
    CASE("\xef\xbb\xbb \xef\xb7\xb2 \xef\xba\x93 \xef\xbb\xaf \xef\xba\x83", "لا الله ه ي ا"),
    CASE("\xd9\x83\xef\xb9\xb0", "ك"), /* U+FE70 fathatan isolated form */
    /* white space runs */
    CASE("a \t\r\n b", "a b"),
    CASE("a\xc2\xa0\xe2\x80\x83"
         "b",
         "a b"), /* NBSP, EM SPACE */
    CASE("a\xe3\x80\x80"
         "b\xe2\x80\xa8"
         "c\xc2\x85"
         "d",
         "a b c d"), /* ideographic space, line separator, NEL */
    CASE("a \xe2\x80\x8b b", "a b"),
    CASE("  lead", " lead"),
    CASE("trail  ", "trail "),
    /* longer than a vector, with a run across its boundary */
    CASE("THE QUICK BROWN FOX JUMPS  OVER THE LAZY DOG",
         "the quick brown fox jumps over the lazy dog"),
    CASE("0123456789abcdef  GHIJ", "0123456789abcdef ghij"),
    CASE("0123456789abcdeF\xc3\x89XYZ", "0123456789abcdefexyz"),
    /* NUL passes through */
    {"a\0b", 3, "a\0b", 3},
    {"ABCDEFGHIJKLMNO\0PQRS\0", 21, "abcdefghijklmno\0pqrs\0", 21},
    /* bad input: each byte that starts no character becomes U+FFFD */
    CASE("a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"),
    CASE("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), /* lone surrogate */
    CASE("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"),                 /* overlong '/' */
    CASE("ab\xe2\x82", "ab\xef\xbf\xbd\xef\xbf\xbd"),             /* truncated */
    /* The vectors' edges (16 bytes at a time; fold_ascii16, fold_mixed16):
     * upper case across a chunk, */
    CASE("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghij", "abcdefghijklmnopqrstuvwxyz abcdefghij"),
    /* a two-byte character astride the 16th byte, ASCII and Arabic, */
    CASE("xxxxxxxxxxxxxxx\xd8\xa3\xd9\x87\xd9\x84\xd8\xa7",
         "xxxxxxxxxxxxxxx\xd8\xa7\xd9\x87\xd9\x84\xd8\xa7"), /* أهلا */
    CASE("\xd8\xb3 \xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd8\xa9 \xd8\xa3\xd8\xa5\xd8\xa2 "
         "\xd8\xb9\xd9\x84\xd9\x89 \xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd8\xa9",
         "\xd8\xb3 \xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87 \xd8\xa7\xd8\xa7\xd8\xa7 "
         "\xd8\xb9\xd9\x84\xd9\x8a \xd9\x85\xd8\xaf\xd8\xb1\xd8\xb3\xd9\x87"),
    /* Arabic letters unified, a mark and tatweel dropped, spaces run
     * together, in and across chunks; Cyrillic upper case lowered */
    CASE("مدرسة جميلة جدًا  جدا   على حمـــار", "مدرسه جميله جدا جدا علي حمار"),
    CASE("ПРИВЕТ МИР привет", "привет мир привет"),
    /* accents that fold to one byte stop a chunk */
    CASE("ÀÉÎÕÜ àéîõü ÀÉÎÕÜ àéîõü", "aeiou aeiou aeiou aeiou"),
    /* text cut inside a character, at a chunk's edge and inside a run */
    {"xxxxxxxxxxxxxxx\xd9", 16, "xxxxxxxxxxxxxxx\xef\xbf\xbd", 0},
    {"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8", 9, "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xef\xbf\xbd", 0},
    {"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8 x", 19,
     "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xef\xbf\xbd x", 0},
};

static const struct view_case skeleton_cases[] = {
    /* Cyrillic and Greek look-alikes (с U+0441, ѕ U+0455, і U+0456, ρ U+03C1, ο U+03BF) */
    CASE("fu\xd1\x81k", "fuck"),
    CASE("\xd1\x95h\xd1\x96t", "shit"),
    CASE("\xcf\x81\xce\xbfrn", "porn"),
    CASE("\xce\xa1\xce\x9fRN", "porn"), /* capital Ρ Ο fold to ρ ο */
    CASE("f\xcf\x85\xcf\x85"
         "ck",
         "fuck"),                           /* υ U+03C5 twice: u, repeated */
    CASE("\xc9\x91\xd1\x95\xd1\x95", "as"), /* ɑ ѕ ѕ */
    CASE("\xc4\xb1"
         "diot",
         "idiot"), /* dotless ı */
    /* Prototypes that are not ASCII but read as one letter: small capitals
     * by name (τ and т go to ᴛ), and tools/data/lookalikes.txt (к and κ go
     * to kra, μ stays μ). */
    CASE("d\xd1\x96\xd1\x81\xd0\xba", "dick"),         /* і с к (Cyrillic) */
    CASE("f\xcf\x85"
         "c\xce\xba",
         "fuck"),                   /* υ κ (Greek) */
    CASE("f\xce\xbc"
         "ck",
         "fuck"),                                               /* μ */
    CASE("idio\xcf\x84", "idiot"),                           /* τ */
    CASE("\xd1\x82\xd0\xb2", "tb"),                        /* т в (Cyrillic) */
    /* fullwidth, math bold, enclosed */
    CASE("ｆｕｃｋ", "fuck"),
    CASE("𝐛𝐢𝐭𝐜𝐡", "bitch"),
    CASE("ⓢⓗⓘⓣ", "shit"),
    /* leetspeak inside words, not in numbers */
    CASE("sh1t", "shit"),
    CASE("$hit", "shit"),
    CASE("b00bs", "bobs"),
    CASE("a$$", "as"),
    CASE("l33t", "let"),
    CASE("2023", "2023"),
    CASE("$500", "$500"),
    CASE("call 911 now", "cal 911 now"),
    CASE("sh!t", "shit"),
    CASE("!diot", "idiot"),
    CASE("hello!", "helo!"),
    CASE("@john", "@john"),
    CASE("b@stard", "bastard"),
    CASE("c++", "c++"),
    CASE("bi+ch", "bitch"),
    CASE("|oser", "loser"),
    /* spaced-out letters */
    CASE("f u c k", "fuck"),
    CASE("f.u.c.k", "fuck"),
    CASE("f-u-c-k", "fuck"),
    CASE("f_u_c_k", "fuck"),
    CASE("f*u*c*k", "fuck"),
    CASE("F . U . C . K", "fuck"),
    CASE("f.u.c.k!", "fuck!"),
    CASE("f u c k you", "fuck you"),
    CASE("a b", "a b"),
    CASE("a.m.", "a.m."),
    CASE("U.S.A.", "usa."),
    CASE("I am a b c", "i am abc"),
    CASE("hello world this is a test of the spaced f u c k words",
         "helo world this is a test of the spaced fuck words"),
    /* repeated letters, in any script */
    CASE("fuuuuck", "fuck"),
    CASE("FUUUCK", "fuck"),
    CASE("looser", "loser"),
    CASE("heeey!!!", "hey!!!"),
    CASE("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "ab"),
    CASE("xxxxxxxxxxxxxxx a b c d", "x abcd"),
    CASE("the quick brown fox jumps over the lazy dog 1234",
         "the quick brown fox jumps over the lazy dog 1234"),
    CASE("حماااار", "حمار"),
    CASE("ممكن", "مكن"),
    CASE("ك ل ب", "كلب"),
    /* Arabic script is never mapped: ICU's skeleton would make ا and ١ "l" */
    CASE("ا", "ا"),
    CASE("١", "1"),
    CASE("كلب", "كلب"),
    CASE("حمار3", "حمار3"),
    CASE("3حمار", "3حمار"),
    CASE("يا 7مار", "يا 7مار"),
    /* the folded view first */
    CASE("Ｆ\xe2\x80\x8dＵＣＫ", "fuck"),
    CASE("F.U.C.K", "fuck"),
    /* The vectors' edges (skel_ascii16, skel_mixed16): a repeat across
     * chunks, one- and two-byte; */
    CASE("حححححححححححححححححححححححححح!", "ح!"),
    CASE("الللللللللللللله واللللللله", "اله واله"),
    CASE("ooooooooooooooooooooooooooooooh", "oh"),
    /* letters spaced out after a chunk of words, both scripts; */
    CASE("هذا الكلب الكلب ك ل ب", "هذا الكلب الكلب كلب"),
    CASE("you are such a f u c k i n g idiot", "you are such afucking idiot"),
    /* Latin look-alikes inside Arabic text, and leetspeak after it */
    CASE("مرحبا مرحبا fu\xd1\x81\xd1\x81k", "مرحبا مرحبا fuck"),
    CASE("مرحبا مرحبا sh1t", "مرحبا مرحبا shit"),
};

/* Run one case through fold (and skeleton); check the text. */
static void check_case(const struct view_case *c, int is_skeleton)
{
    size_t in_len = c->in_len ? c->in_len : strlen(c->in);
    size_t want_len = c->want_len ? c->want_len : strlen(c->want);
    struct norm_view folded = {0}, skel = {0};
    ck_assert_int_eq(norm_fold(tables, c->in, in_len, &folded), QUELL_OK);
    const struct norm_view *v = &folded;
    if (is_skeleton) {
        ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
        v = &skel;
    }
    ck_assert_msg(v->len == want_len && memcmp(v->text, c->want, want_len) == 0,
                  "\"%s\": got \"%.*s\", want \"%s\"", c->in, (int)v->len, v->text, c->want);
    ck_assert_uint_eq(v->src[v->len], in_len);
    norm_view_free(&folded);
    norm_view_free(&skel);
}

/* The skeleton's soft word edges: a one-letter word joined onto spaced-out
 * letters is read both with them and apart (issue 13, item 1). */
static const struct {
    const char *in;
    const char *want;
    size_t edge_count;
    uint32_t edges[3];
} soft_edge_cases[] = {
    {"he is a c u n t", "he is acunt", 1, {7}},
    {"I d i o t", "idiot", 1, {1}},
    {"f u c k u", "fucku", 1, {4}},
    {"a c u n t o", "acunto", 2, {1, 5}},
    /* a sentence spelled out: an edge after each leading one-letter word */
    {"U R A C U N T", "uracunt", 3, {1, 2, 3}},
    {"u r a l o s e r", "uraloser", 3, {1, 2, 3}},
    /* و ك ل ب: waw, "and", before a spaced-out kalb */
    {"\xd9\x88 \xd9\x83 \xd9\x84 \xd8\xa8", "\xd9\x88\xd9\x83\xd9\x84\xd8\xa8", 1, {2}},
    {"f u c k", "fuck", 0, {0}},
    {"b i t c h", "bitch", 0, {0}},
    /* dots, dashes: one word, never two */
    {"a.c.u.n.t", "acunt", 0, {0}},
    {"i-d-i-o-t", "idiot", 0, {0}},
    /* fewer than three letters after the one-letter word */
    {"a s s", "as", 0, {0}},
    {"I am a b c", "i am abc", 0, {0}},
};

START_TEST(test_soft_edges)
{
    const char *in = soft_edge_cases[_i].in;
    struct norm_view folded = {0}, skel = {0};
    ck_assert_int_eq(norm_fold(tables, in, strlen(in), &folded), QUELL_OK);
    /* Twice into the same view: the edges of one text never linger. */
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    const char *want = soft_edge_cases[_i].want;
    ck_assert_msg(skel.len == strlen(want) && memcmp(skel.text, want, skel.len) == 0,
                  "\"%s\": got \"%.*s\"", in, (int)skel.len, skel.text);
    ck_assert_uint_eq(skel.soft_edge_count, soft_edge_cases[_i].edge_count);
    for (size_t k = 0; k < skel.soft_edge_count; k++) {
        ck_assert_uint_eq(skel.soft_edges[k], soft_edge_cases[_i].edges[k]);
        ck_assert(norm_is_soft_edge(&skel, soft_edge_cases[_i].edges[k]));
    }
    /* No offset but the listed ones is an edge. */
    for (uint32_t off = 0; off <= skel.len; off++) {
        bool listed = false;
        for (size_t k = 0; k < soft_edge_cases[_i].edge_count; k++)
            listed |= soft_edge_cases[_i].edges[k] == off;
        ck_assert_msg(norm_is_soft_edge(&skel, off) == listed, "\"%s\": offset %u", in, off);
    }
    norm_view_free(&folded);
    norm_view_free(&skel);
}
END_TEST

START_TEST(test_fold)
{
    check_case(&fold_cases[_i], 0);
}
END_TEST

START_TEST(test_skeleton)
{
    check_case(&skeleton_cases[_i], 1);
}
END_TEST

/* A match in a view and the original bytes it must report. */
static const struct {
    int is_skeleton;
    const char *in;
    const char *match; /* found in the view */
    size_t orig_start, orig_end;
} span_cases[] = {
    {1, "f.u.c.k!", "fuck", 0, 7},
    {1, "f.u.c.k!", "!", 7, 8},
    {1, "fuuuuck you", "fuck", 0, 7},
    {1, "you fuuuuck", "fuck", 4, 11},
    {1, "you fuuuuck", "fu", 4, 9}, /* the repeats belong to the first u */
    {1, "a fu\xd1\x81k", "fuck", 2, 7},
    {1, "sh1t", "shit", 0, 4},
    {1, "$hit", "shit", 0, 4},
    {1, "\xd8\xad\xd9\x85\xd9\x80\xd9\x80\xd9\x80\xd8\xa7\xd8\xb1", "حمار", 0, 14},
    {1, "ك ل ب!", "كلب", 0, 8},
    {0, "FUCK", "fuck", 0, 4},
    {0, "ｆｕｃｋ!", "fuck", 0, 12},
    {0,
     "f\xe2\x80\x8du\xe2\x80\x8d"
     "ck",
     "fuck", 0, 10},
    {0, "caf\xc3\xa9!", "e", 3, 5},
    {0, "cafe\xcc\x81!", "cafe", 0, 6}, /* the accent belongs to its e */
    {0, "Straße", "ss", 4, 6},
    {0, "Straße", "e", 6, 7},
    {0, "\xd9\x85\xd9\x8f\xd8\xad\xd9\x8e\xd9\x85\xd9\x91\xd9\x8e\xd8\xaf", "محمد", 0, 16},
    {0, "a   b", "b", 4, 5},
    {0, "a   b", " ", 1, 4},
    {0, "\xef\xac\x81nd", "i", 0, 3}, /* half of a ligature is the whole ligature */
    {0, "\xef\xac\x81nd", "f", 0, 3},
    {0, "Straße", "stras", 0, 6}, /* ending inside ß's "ss" */
};

static size_t find(const struct norm_view *v, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= v->len; i++) {
        if (memcmp(v->text + i, needle, n) == 0)
            return i;
    }
    ck_abort_msg("\"%s\" not in \"%.*s\"", needle, (int)v->len, v->text);
    return 0;
}

START_TEST(test_span)
{
    struct norm_view folded = {0}, skel = {0};
    const char *in = span_cases[_i].in;
    ck_assert_int_eq(norm_fold(tables, in, strlen(in), &folded), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    const struct norm_view *v = span_cases[_i].is_skeleton ? &skel : &folded;
    size_t at = find(v, span_cases[_i].match), start = 99, end = 99;
    norm_span(v, at, at + strlen(span_cases[_i].match), &start, &end);
    ck_assert_uint_eq(start, span_cases[_i].orig_start);
    ck_assert_uint_eq(end, span_cases[_i].orig_end);
    /* An empty span sits where its byte came from. */
    norm_span(v, at, at, &start, &end);
    ck_assert_uint_eq(start, span_cases[_i].orig_start);
    ck_assert_uint_eq(end, start);
    norm_view_free(&folded);
    norm_view_free(&skel);
}
END_TEST

/* Doubled letters (issue 13, item 11): a run of two in a dictionary word
 * is the word's own spelling, not emphasis; a run of three or more, or two
 * in a word the dictionary lacks, is. Probed at the first byte of "at" in
 * the skeleton. */
static const struct {
    const char *in;
    const char *at;
    bool want;
} dict_double_cases[] = {
    {"loot", "o", true},
    {"doom", "o", true},
    {"litter", "t", true},
    {"good", "o", true},
    {"pool", "o", true},
    {"bitter", "t", true},
    {"LOOT", "o", true},   /* folded first */
    {"l o o t", "o", true}, /* spaced out: still the word "loot" */
    {"the pool, then", "o", true},
    {"caf\xc3\xa9 loot", "o", true}, /* after multi-byte text */
    {"loot", "l", false},            /* a run of one */
    {"looot", "o", false},           /* stretched */
    {"fuuuck", "u", false},
    {"shiiiit", "i", false},
    {"idiiiot", "i", false},
    {"fuuck", "u", false}, /* two, but no dictionary word */
    {"cuunt", "u", false},
    {"shiit", "i", false},
    {"f.u.c.k", "u", false},
    {"looooser", "s", false}, /* a stretched run elsewhere: no word as written */
    {"faggot", "g", false},   /* Strong or Severe profanity is left out */
    {"wahhabi", "h", false},  /* proper nouns are left out */
    {"loot\xd8\xad", "o", false}, /* joined onto Arabic: no English word */
    {"\xd8\xad\xd9\x85\xd8\xa7\xd8\xa7\xd8\xb1", "\xd8\xa7", false}, /* حماار */
};

START_TEST(test_dict_double)
{
    const char *in = dict_double_cases[_i].in;
    struct norm_view folded = {0}, skel = {0};
    ck_assert_int_eq(norm_fold(tables, in, strlen(in), &folded), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    size_t at = find(&skel, dict_double_cases[_i].at);
    ck_assert_msg(norm_is_dict_double(tables, &folded, &skel, at) == dict_double_cases[_i].want,
                  "\"%s\" at \"%s\": want %d", in, dict_double_cases[_i].at,
                  dict_double_cases[_i].want);
    /* Out of range, and on the last byte: never true, never a crash. */
    ck_assert(!norm_is_dict_double(tables, &folded, &skel, skel.len));
    norm_view_free(&folded);
    norm_view_free(&skel);
}
END_TEST

/* The same through a scan: skeleton words whose single letters meet the
 * comment's doubled ones, with the span of the hit in the original bytes
 * (rule NULL: nothing may hit). */
static const char doubles_cfg[] =
    "version = 1;\n"
    "actions = { flag = 1.0; hold = 50.0; reject = 100.0; };\n"
    "categories = ( { name = \"p\"; } );\n"
    "rules = (\n"
    "  { id = \"plain\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"lot\", \"dom\", \"liter\", \"god\", \"pol\", \"biter\" ]; },\n"
    "  { id = \"abuse\"; category = \"p\"; weight = 1.0;\n"
    "    words = [ \"fuck\", \"shit\", \"idiot\", \"cunt\", \"fagot\" ]; },\n"
    /* حمار */
    "  { id = \"ar\"; category = \"p\"; weight = 1.0; words = [ \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\" "
    "]; }\n"
    ");\n";

static const struct {
    const char *in;
    const char *rule;
    size_t start, end;
} doubles_scans[] = {
    {"loot", NULL, 0, 0},
    {"doom and gloom", NULL, 0, 0},
    {"litter", NULL, 0, 0},
    {"good", NULL, 0, 0},
    {"the pool", NULL, 0, 0},
    {"Bitter", NULL, 0, 0},
    {"a lot", "plain", 2, 5},
    {"a looot", "plain", 2, 7}, /* stretched: still read as one */
    {"fuuuck", "abuse", 0, 6},
    {"shiiiit", "abuse", 0, 7},
    {"idiiiot", "abuse", 0, 7},
    {"you f.u.c.k", "abuse", 4, 11},
    {"fuuck", "abuse", 0, 5},
    {"cuunt", "abuse", 0, 5},
    {"faggot", "abuse", 0, 6},
    {"caf\xc3\xa9 fuuck", "abuse", 6, 11},      /* é is 2 bytes */
    {"\xc3\xa9t\xc3\xa9 loot fuuck", "abuse", 11, 16},
    /* حماار: Arabic is never looked up, and its span is its 10 bytes */
    {"\xd8\xad\xd9\x85\xd8\xa7\xd8\xa7\xd8\xb1", "ar", 0, 10},
    {"loot \xd8\xad\xd9\x85\xd8\xa7\xd8\xa7\xd8\xb1", "ar", 5, 15},
};

START_TEST(test_dict_double_scan)
{
    quell_error err;
    quell_rules *rules = NULL;
    quell_scanner *scanner = NULL;
    int rc = quell_rules_compile(&rules, test_write_temp("doubles.cfg", doubles_cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, &err), QUELL_OK);
    for (size_t i = 0; i < sizeof doubles_scans / sizeof doubles_scans[0]; i++) {
        const char *in = doubles_scans[i].in;
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = in;
        c.text_len[QUELL_FIELD_BODY] = strlen(in);
        const quell_verdict *v;
        ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_OK);
        if (!doubles_scans[i].rule) {
            ck_assert_msg(v->hit_count == 0, "\"%s\": %s hit", in,
                          v->hit_count ? v->hits[0].rule_id : "");
            continue;
        }
        ck_assert_msg(v->hit_count == 1, "\"%s\": %zu hits", in, v->hit_count);
        ck_assert_str_eq(v->hits[0].rule_id, doubles_scans[i].rule);
        ck_assert_msg(v->hits[0].start == doubles_scans[i].start &&
                          v->hits[0].end == doubles_scans[i].end,
                      "\"%s\": span [%zu,%zu), want [%zu,%zu)", in, v->hits[0].start,
                      v->hits[0].end, doubles_scans[i].start, doubles_scans[i].end);
    }
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}
END_TEST

START_TEST(test_views_reused)
{
    /* One pair of views for texts of growing, then shrinking, size. */
    struct norm_view folded = {0}, skel = {0};
    char big[5000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = "Ab 1."[i % 5];
    const char *texts[] = {"x", "ﷺ ﷺ ﷺ ﷺ ﷺ ﷺ ﷺ ﷺ ﷺ ﷺ", big, "F.U.C.K"};
    const size_t lens[] = {1, strlen(texts[1]), sizeof big, 7};
    for (size_t k = 0; k < 4; k++) {
        ck_assert_int_eq(norm_fold(tables, texts[k], lens[k], &folded), QUELL_OK);
        ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
        ck_assert_uint_eq(folded.src[folded.len], lens[k]);
        ck_assert_uint_eq(skel.src[skel.len], lens[k]);
    }
    ck_assert_uint_eq(skel.len, 4);
    ck_assert_int_eq(memcmp(skel.text, "fuck", 4), 0);
    /* U+FDFA is 18 letters and 3 spaces: ten of them outgrow the input. */
    ck_assert_int_eq(norm_fold(tables, texts[1], lens[1], &folded), QUELL_OK);
    ck_assert_uint_gt(folded.len, lens[1]);
    norm_view_free(&folded);
    norm_view_free(&skel);
    norm_view_free(&skel); /* freed views are empty: freeing again is harmless */
    norm_view_free(NULL);
    norm_tables_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Properties                                                                */

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Code point ranges that exercise every path: a random one of them, then a
 * random code point in it. */
static const uint32_t ranges[][2] = {
    {0x20, 0x7E},       {0x20, 0x20},       {0x30, 0x39},     {0x61, 0x7A},     {0x00, 0x1F},
    {0xA0, 0x24F},      {0x300, 0x36F},     {0x370, 0x4FF},   {0x600, 0x6FF},   {0x750, 0x77F},
    {0x2000, 0x206F},   {0x2100, 0x24FF},   {0x3000, 0x303F}, {0x4E00, 0x4E20}, {0xAC00, 0xAC40},
    {0xFB00, 0xFB4F},   {0xFB50, 0xFDFF},   {0xFE70, 0xFEFF}, {0xFF00, 0xFFEF}, {0x1D400, 0x1D7FF},
    {0x1F300, 0x1FAFF}, {0xE0000, 0xE01EF}, {0x0, 0x10FFFF},  {0x627, 0x627},
};

static size_t random_text(uint64_t *rng, char *out, size_t max_cps)
{
    size_t n = 0, count = test_rng(rng) % max_cps;
    for (size_t k = 0; k < count; k++) {
        const uint32_t *r = ranges[test_rng(rng) % (sizeof ranges / sizeof ranges[0])];
        uint32_t cp = r[0] + (uint32_t)(test_rng(rng) % (r[1] - r[0] + 1));
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        /* Runs of one character, as commenters type them. */
        size_t repeat = test_rng(rng) % 8 == 0 ? 1 + test_rng(rng) % 5 : 1;
        for (size_t j = 0; j < repeat; j++)
            n += encode(cp, out + n);
    }
    return n;
}

static int is_boundary(const char *s, size_t len, size_t off)
{
    return off == len || ((unsigned char)s[off] & 0xC0) != 0x80;
}

/*
 * The map's promises, for a view of orig. (Each ck_assert is a message to
 * the runner, so the loops look for a failure first and assert once.)
 */
static void check_view(const struct norm_view *v, const char *orig, size_t len, int is_valid,
                       uint64_t *rng)
{
    ck_assert_msg(utf8_valid(v->text, v->len, NULL), "view of \"%.*s\" is not UTF-8", (int)len,
                  orig);
    ck_assert_uint_eq(v->src[v->len], len);
    size_t bad = v->len;
    for (size_t i = 0; i < v->len && bad == v->len; i++) {
        if (v->src[i] > v->src[i + 1] || v->src[i] >= len ||
            (is_valid && !is_boundary(orig, len, v->src[i])))
            bad = i;
    }
    ck_assert_msg(bad == v->len,
                  "view of \"%.*s\": src[%zu] = %u is out of order or inside a character", (int)len,
                  orig, bad, bad < v->len ? v->src[bad] : 0);
    int spans_ok = 1;
    for (int k = 0; k < 8 && v->len > 0; k++) {
        size_t a = test_rng(rng) % (v->len + 1), b = test_rng(rng) % (v->len + 1);
        size_t start, end;
        norm_span(v, a < b ? a : b, a < b ? b : a, &start, &end);
        if (start > end || end > len ||
            (is_valid && (!is_boundary(orig, len, start) || !is_boundary(orig, len, end))))
            spans_ok = 0;
    }
    ck_assert_msg(spans_ok, "a span of the view of \"%.*s\" is not whole characters", (int)len,
                  orig);
}

/* The Arabizi view's promises besides the map's: ASCII words of letters,
 * digits and apostrophes between single spaces, never longer than the
 * folded view, and no vowel inside a word, only at its ends. */
static void check_arabizi(const struct norm_view *folded, const char *orig, size_t len,
                          int is_valid, uint64_t *rng)
{
    struct norm_view az = {0};
    ck_assert_int_eq(norm_arabizi(folded, &az), QUELL_OK);
    check_view(&az, orig, len, is_valid, rng);
    ck_assert_uint_le(az.len, folded->len);
    size_t bad = az.len;
    for (size_t i = 0; i < az.len && bad == az.len; i++) {
        unsigned char c = (unsigned char)az.text[i];
        bool is_word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'';
        bool is_inner = i > 0 && i + 1 < az.len && az.text[i - 1] != ' ' && az.text[i + 1] != ' ';
        if ((!is_word && c != ' ') || (c == ' ' && i > 0 && az.text[i - 1] == ' ') ||
            (is_inner && norm_arabizi_is_vowel(c)))
            bad = i;
    }
    ck_assert_msg(bad == az.len, "Arabizi view of \"%.*s\": \"%.*s\" at %zu", (int)len, orig,
                  (int)az.len, az.text, bad);
    norm_view_free(&az);
}

static void check_text(const char *orig, size_t len, int is_valid, uint64_t *rng)
{
    struct norm_view folded = {0}, again = {0}, skel = {0};
    ck_assert_int_eq(norm_fold(tables, orig, len, &folded), QUELL_OK);
    check_view(&folded, orig, len, is_valid, rng);
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    check_view(&skel, orig, len, is_valid, rng);
    check_arabizi(&folded, orig, len, is_valid, rng);
    /* Folding is idempotent: NFKC, case folding and the maps all are. */
    ck_assert_int_eq(norm_fold(tables, folded.text, folded.len, &again), QUELL_OK);
    ck_assert_msg(again.len == folded.len && memcmp(again.text, folded.text, again.len) == 0,
                  "fold of \"%.*s\" is not stable", (int)folded.len, folded.text);
    norm_view_free(&folded);
    norm_view_free(&again);
    norm_view_free(&skel);
}

#define PROPERTY_ROUNDS 60

START_TEST(test_random_valid)
{
    uint64_t rng = 0x9E3779B97F4A7C15ULL + (uint64_t)_i;
    char buf[64 * 4 * 5];
    for (int round = 0; round < PROPERTY_ROUNDS; round++) {
        size_t len = random_text(&rng, buf, 64);
        ck_assert(utf8_valid(buf, len, NULL));
        check_text(buf, len, 1, &rng);
    }
}
END_TEST

START_TEST(test_random_bytes)
{
    /* Not UTF-8 at all: the scanner refuses it, but nothing may break. */
    uint64_t rng = 0xD1B54A32D192ED03ULL + (uint64_t)_i;
    char buf[200];
    for (int round = 0; round < PROPERTY_ROUNDS; round++) {
        size_t len = test_rng(&rng) % sizeof buf;
        for (size_t k = 0; k < len; k++) {
            uint64_t r = test_rng(&rng);
            /* Mostly ASCII and UTF-8 lead/continuation bytes. */
            buf[k] = (char)(r % 3 == 0 ? 0x80 + (r >> 8) % 0x80 : (r >> 8) % 0x100);
        }
        struct norm_view folded = {0}, skel = {0};
        ck_assert_int_eq(norm_fold(tables, buf, len, &folded), QUELL_OK);
        check_view(&folded, buf, len, 0, &rng);
        ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
        check_view(&skel, buf, len, 0, &rng);
        check_arabizi(&folded, buf, len, 0, &rng);
        norm_view_free(&folded);
        norm_view_free(&skel);
    }
}
END_TEST

static const char *const real_texts[] = {
    "RT @someone: That's my friend man I swear 😂😂",
    "@JacobB you don't know sh1t about me, y0u f.u.c.k.i.n.g idiot!!!",
    "Derek Jeter's final game at Yankee Stadium will be 1st he's ever played &#8230;",
    "اللهم يا مجير المستضعفين و يا غافر للتائبين ..\nاللهم أجرنا من نيرانك",
    "رحل صالح آخر الصالحين، رحمة الله عليه ١٤٤٥ هـ",
    "يا حمااااار 😡 انت ما تفهم؟؟ ك ل ب",
    "Ｗｈａｔ ａｎ ｉｄｉｏｔ — ｓｅｒｉｏｕｓｌｙ…",
    "ṫḧïṡ ïṡ ḅüḷḷṡḧïẗ",
    "Ça suffit, espèce d'imbécile ! Straße ﬁnal",
    "\xe2\x80\xaetcejbo\xe2\x80\xac hidden bidi and a\xe2\x80\x8dzero\xe2\x80\x8cwidth",
    "مُحَمَّدٌ رَسُولُ اللَّهِ ﷺ",
    "kill   yourself\t\tnow\r\n",
};

/* Texts whose characters the vectors' chunks cut everywhere, behind the
 * prefixes of test_chunk_offsets. */
static const char *const offset_texts[] = {
    "اللهم يا مجير المستضعفين و يا غافر للتائبين اللهم أجرنا من نيرانك",
    "مدرسة جميلة جدًا  جدا   على حمـــار حماااار ك ل ب و ك ل ب",
    "ÀÉÎÕÜ àéîõü ПРИВЕТ мир \xd1\x81\xd0\xbe\xd0\xbe\xd0\xbb f u c k i n g sh1t",
    "THE QUICK  BROWN FOX JUMPS over the laaaazy dog a b c d @ss 4ss $h1t",
    "xxxxxxxxxxxxxxx\xd9\x85 \xf0\x9f\x98\x82\xf0\x9f\x98\x82 \xef\xb7\xba ok",
    "سلام عليكم\xd8",
};

/* The views of text, with its prefix of plen bytes. */
static void check_shifted(const char *text, size_t len, size_t plen, const struct norm_view *fp,
                          const struct norm_view *sp, const struct norm_view *ft,
                          const struct norm_view *st)
{
    char buf[512];
    struct norm_view f = {0}, s = {0};
    ck_assert_uint_le(plen + len, sizeof buf);
    memcpy(buf, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", plen - 1);
    buf[plen - 1] = '?';
    memcpy(buf + plen, text, len);
    ck_assert_int_eq(norm_fold(tables, buf, plen + len, &f), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &f, &s), QUELL_OK);
    const struct norm_view *views[2] = {&f, &s}, *heads[2] = {fp, sp}, *tails[2] = {ft, st};
    for (int v = 0; v < 2; v++) {
        const struct norm_view *w = views[v], *h = heads[v], *t = tails[v];
        ck_assert_msg(w->len == h->len + t->len && memcmp(w->text, h->text, h->len) == 0 &&
                          memcmp(w->text + h->len, t->text, t->len) == 0,
                      "view %d of \"%s\" behind %zu bytes: \"%.*s\"", v, text, plen, (int)w->len,
                      w->text);
        size_t bad = w->len + 1;
        for (size_t k = 0; k <= t->len && bad > w->len; k++)
            if (w->src[h->len + k] != t->src[k] + plen)
                bad = k;
        ck_assert_msg(bad > w->len, "view %d of \"%s\" behind %zu bytes: src[%zu]", v, text, plen,
                      bad);
        ck_assert_uint_eq(w->soft_edge_count, h->soft_edge_count + t->soft_edge_count);
        for (size_t k = 0; k < t->soft_edge_count; k++)
            ck_assert_uint_eq(w->soft_edges[h->soft_edge_count + k], t->soft_edges[k] + h->len);
    }
    norm_view_free(&f);
    norm_view_free(&s);
}

/*
 * The views of a text behind a prefix of 0 to 40 letters and '?' (which
 * ends a word and leaves no state behind) are the prefix's views then the
 * text's, their maps shifted: whichever byte of the text a 16-byte chunk
 * starts or stops at, the vectors read it as the scalar path does.
 */
START_TEST(test_chunk_offsets)
{
    const char *text = _i < (int)(sizeof offset_texts / sizeof offset_texts[0])
                           ? offset_texts[_i]
                           : real_texts[_i - (int)(sizeof offset_texts / sizeof offset_texts[0])];
    size_t len = strlen(text);
    struct norm_view ft = {0}, st = {0};
    ck_assert_int_eq(norm_fold(tables, text, len, &ft), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &ft, &st), QUELL_OK);
    for (size_t k = 0; k <= 40; k++) {
        char prefix[64];
        memcpy(prefix, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k);
        prefix[k] = '?';
        struct norm_view fp = {0}, sp = {0};
        ck_assert_int_eq(norm_fold(tables, prefix, k + 1, &fp), QUELL_OK);
        ck_assert_int_eq(norm_skeleton(tables, &fp, &sp), QUELL_OK);
        check_shifted(text, len, k + 1, &fp, &sp, &ft, &st);
        norm_view_free(&fp);
        norm_view_free(&sp);
    }
    norm_view_free(&ft);
    norm_view_free(&st);
}
END_TEST

START_TEST(test_real_texts)
{
    uint64_t rng = 42;
    for (size_t k = 0; k < sizeof real_texts / sizeof real_texts[0]; k++)
        check_text(real_texts[k], strlen(real_texts[k]), 1, &rng);
    /* The first 40 lines of the example comments. */
    FILE *f = fopen(test_path("examples/comments.txt"), "r");
    ck_assert_ptr_nonnull(f);
    char line[4096];
    for (int n = 0; n < 40 && fgets(line, sizeof line, f); n++)
        check_text(line, strlen(line), 1, &rng);
    fclose(f);
}
END_TEST

START_TEST(test_chain_table)
{
    /* The chain in order, as docs/rules.md names the views. */
    static const char *const names[] = {"raw", "folded", "skeleton", "arabizi"};
    ck_assert_uint_eq(VIEW_COUNT, sizeof names / sizeof names[0]);
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        ck_assert_uint_eq(views_chain[v].id, v);
        ck_assert_str_eq(views_chain[v].name, names[v]);
        ck_assert_str_eq(rules_view_name(v), names[v]);
        ck_assert(!views_chain[v].step == (v == VIEW_RAW));
        /* A view reads one built before it; rules name all but Arabizi's. */
        ck_assert(views_chain[v].base < v || v == VIEW_RAW);
        ck_assert(views_chain[v].is_named == (v != VIEW_ARABIZI));
    }
    ck_assert_ptr_null(rules_view_name(VIEW_COUNT));
}
END_TEST

/* An input and its text in each view, in chain order. */
static const struct {
    const char *in;
    const char *want[VIEW_COUNT];
} chain_cases[] = {
    {"F.U.C.K", {"F.U.C.K", "f.u.c.k", "fuck", "f u c k"}}, /* spaced out: skeleton only */
    {"ＦＵＣＫ", {"ＦＵＣＫ", "fuck", "fuck", "fck"}},     /* fullwidth: folded already */
    {"Straße", {"Straße", "strasse", "strase", "strse"}},   /* a last vowel stays */
    {"sh1t", {"sh1t", "sh1t", "shit", "sh1t"}},             /* leetspeak: a digit is a letter */
    {"حمـــار", {"حمـــار", "حمار", "حمار", " "}},          /* other scripts: a space */
    {"Ya 7amaaar!!", {"Ya 7amaaar!!", "ya 7amaaar!!", "ya tamar!!", "ya 7mr "}},
    /* A masked first vowel is a vowel; asterisks around a word separate. */
    {"k*lb **wow**", {"k*lb **wow**", "k*lb **wow**", "k*lb **wow**", "klb ww "}},
    {"3ar*s", {"3ar*s", "3ar*s", "ear*s", "3r s"}},         /* a later one too */
    {"user@mail.com", {"user@mail.com", "user@mail.com", "useramail.com", "usrml cm"}},
    {"inta kalbi", {"inta kalbi", "inta kalbi", "inta kalbi", "inta klbi"}},
    {"en*kuch* sh*t", {"en*kuch* sh*t", "en*kuch* sh*t", "en*kuch* sh*t", "en kch sht"}},
    {"", {"", "", "", ""}},
};

START_TEST(test_views_build)
{
    const char *in = chain_cases[_i].in;
    const size_t len = strlen(in);
    struct norm_view views[VIEW_COUNT] = {{0}}, folded = {0}, skel = {0}, az = {0};
    struct view_text vt;
    /* Each view from the text alone; the raw one needs no tables. */
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        const struct norm_tables *t = v == VIEW_RAW ? NULL : tables;
        ck_assert_int_eq(views_build(t, in, len, VIEW_RAW, (enum view)v, views, &vt), QUELL_OK);
        const char *want = chain_cases[_i].want[v];
        ck_assert_msg(vt.len == strlen(want) && memcmp(vt.text, want, vt.len) == 0,
                      "view %u of \"%s\": \"%.*s\"", v, in, (int)vt.len, vt.text);
        ck_assert_ptr_eq(vt.map, v == VIEW_RAW ? NULL : &views[v]);
        if (vt.map)
            ck_assert_uint_eq(vt.map->src[vt.len], len);
    }
    /* The maps are the steps' own, the skeleton's into the original. */
    ck_assert_int_eq(norm_fold(tables, in, len, &folded), QUELL_OK);
    ck_assert_int_eq(norm_skeleton(tables, &folded, &skel), QUELL_OK);
    ck_assert_int_eq(memcmp(views[VIEW_FOLDED].src, folded.src, (folded.len + 1) * 4), 0);
    ck_assert_int_eq(memcmp(views[VIEW_SKELETON].src, skel.src, (skel.len + 1) * 4), 0);
    ck_assert_int_eq(norm_arabizi(&folded, &az), QUELL_OK);
    ck_assert_int_eq(memcmp(views[VIEW_ARABIZI].src, az.src, (az.len + 1) * 4), 0);
    ck_assert_uint_eq(views[VIEW_ARABIZI].soft_edge_count, 0);
    /* The Arabizi view from the skeleton's chain reads the folded view,
     * not the skeleton built just before it. */
    ck_assert_int_eq(views_build(tables, in, len, VIEW_SKELETON, VIEW_ARABIZI, views, &vt),
                     QUELL_OK);
    ck_assert_uint_eq(vt.len, az.len);
    ck_assert_int_eq(memcmp(vt.text, az.text, az.len), 0);
    /* A view at a time, from the one built before, gives the same. */
    ck_assert_int_eq(views_build(tables, "zzz", 3, VIEW_RAW, VIEW_SKELETON, views, &vt), QUELL_OK);
    ck_assert_int_eq(views_build(tables, in, len, VIEW_RAW, VIEW_FOLDED, views, &vt), QUELL_OK);
    ck_assert_int_eq(views_build(tables, in, len, VIEW_FOLDED, VIEW_SKELETON, views, &vt),
                     QUELL_OK);
    ck_assert_uint_eq(vt.len, skel.len);
    ck_assert_int_eq(memcmp(vt.text, skel.text, skel.len), 0);
    ck_assert_int_eq(memcmp(vt.map->src, skel.src, (skel.len + 1) * 4), 0);
    /* from == to hands back the view already built. */
    ck_assert_int_eq(views_build(NULL, in, len, VIEW_SKELETON, VIEW_SKELETON, views, &vt),
                     QUELL_OK);
    ck_assert_ptr_eq(vt.map, &views[VIEW_SKELETON]);
    views_free(views);
    norm_view_free(&folded);
    norm_view_free(&skel);
    norm_view_free(&az);
}
END_TEST

/* The tables norm_tables_new builds without looking at the planes it holds
 * blank are the ones a look at every code point gives. */
START_TEST(test_tables_blank_planes)
{
    struct norm_tables *full = NULL;
    ck_assert_int_eq(norm_tables_new_full(&full), QUELL_OK);
    ck_assert(norm_tables_same(tables, full));
    ck_assert(norm_tables_same(full, tables));
    norm_tables_free(full);
}
END_TEST

/* Where the Arabizi view's bytes come from: each from the first character
 * of what it stands for, so a span covers the whole written word. */
START_TEST(test_arabizi_map)
{
    static const char in[] = "Ya 7amaaar!!";
    static const uint32_t want[] = {0, 1, 2, 3, 5, 9, 10, 12};
    struct norm_view folded = {0}, az = {0};
    ck_assert_int_eq(norm_fold(tables, in, sizeof in - 1, &folded), QUELL_OK);
    ck_assert_int_eq(norm_arabizi(&folded, &az), QUELL_OK);
    ck_assert_uint_eq(az.len + 1, sizeof want / sizeof want[0]);
    for (size_t i = 0; i <= az.len; i++)
        ck_assert_uint_eq(az.src[i], want[i]);
    /* "7mr" is "7amaaar" in the original. */
    size_t start, end;
    norm_span(&az, 3, 6, &start, &end);
    ck_assert_uint_eq(start, 3);
    ck_assert_uint_eq(end, 10);
    norm_view_free(&folded);
    norm_view_free(&az);
}
END_TEST

Suite *normalise_suite(void)
{
    Suite *s = suite_create("normalise");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_unchecked_fixture(tc, setup_tables, teardown_tables);
    tcase_add_loop_test(tc, test_fold, 0, sizeof fold_cases / sizeof fold_cases[0]);
    tcase_add_loop_test(tc, test_skeleton, 0, sizeof skeleton_cases / sizeof skeleton_cases[0]);
    tcase_add_loop_test(tc, test_span, 0, sizeof span_cases / sizeof span_cases[0]);
    tcase_add_loop_test(tc, test_soft_edges, 0, sizeof soft_edge_cases / sizeof soft_edge_cases[0]);
    tcase_add_loop_test(tc, test_dict_double, 0,
                        sizeof dict_double_cases / sizeof dict_double_cases[0]);
    tcase_add_test(tc, test_views_reused);
    tcase_add_test(tc, test_chain_table);
    tcase_add_loop_test(tc, test_views_build, 0, sizeof chain_cases / sizeof chain_cases[0]);
    tcase_add_test(tc, test_arabizi_map);
    tcase_add_test(tc, test_tables_blank_planes);
    suite_add_tcase(s, tc);

    TCase *scans = tcase_create("Scans");
    tcase_set_timeout(scans, TEST_TIMEOUT_RULES);
    tcase_add_test(scans, test_dict_double_scan);
    suite_add_tcase(s, scans);

    TCase *props = tcase_create("Properties");
    tcase_set_timeout(props, TEST_TIMEOUT_UNIT);
    tcase_add_unchecked_fixture(props, setup_tables, teardown_tables);
    tcase_add_loop_test(props, test_random_valid, 0, 8);
    tcase_add_loop_test(props, test_random_bytes, 0, 4);
    tcase_add_test(props, test_real_texts);
    tcase_add_loop_test(props, test_chunk_offsets, 0,
                        (int)(sizeof offset_texts / sizeof offset_texts[0] +
                              sizeof real_texts / sizeof real_texts[0]));
    suite_add_tcase(s, props);
    return s;
}
