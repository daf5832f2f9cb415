/*
 * check_utf8.c - UTF-8 validation and the Unicode word-character test.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "utf8.h"

#include <utf8proc.h>

static const struct {
    const char *bytes;
    size_t len;
    int is_valid;
    size_t bad_off; /* when invalid */
} validity[] = {
    {"", 0, 1, 0},
    {"plain ascii, longer than eight bytes", 36, 1, 0},
    {"caf\xc3\xa9", 5, 1, 0},
    {"\xd9\x82\xd8\xaa\xd9\x84", 6, 1, 0}, /* قتل */
    {"\xf0\x9f\x90\x96 pig", 8, 1, 0},     /* U+1F416 */
    {"\xef\xbf\xbf", 3, 1, 0},             /* U+FFFF */
    {"\xf4\x8f\xbf\xbf", 4, 1, 0},         /* U+10FFFF */
    {"abc\x00"
     "def",
     7, 1, 0},                     /* NUL is a character */
    {"abc\x80", 4, 0, 3},          /* stray continuation */
    {"\xc0\xaf", 2, 0, 0},         /* overlong '/' */
    {"\xc1\xbf", 2, 0, 0},         /* overlong */
    {"\xe0\x80\xaf", 3, 0, 0},     /* overlong 3-byte */
    {"\xf0\x80\x80\xaf", 4, 0, 0}, /* overlong 4-byte */
    {"ok \xed\xa0\x80", 6, 0, 3},  /* lone surrogate U+D800 */
    {"\xed\xbf\xbf", 3, 0, 0},     /* surrogate U+DFFF */
    {"\xf4\x90\x80\x80", 4, 0, 0}, /* above U+10FFFF */
    {"\xf5\x80\x80\x80", 4, 0, 0}, /* invalid lead */
    {"\xff", 1, 0, 0},
    {"abcdefgh\xc3", 9, 0, 8},               /* truncated at end */
    {"abcdefghijklmnop\xe2\x82", 18, 0, 16}, /* truncated 3-byte */
    {"\xe2\x28\xa1", 3, 0, 0},               /* bad second byte */
    {"12345678\xc3\xa9\xc3", 11, 0, 10},
};

START_TEST(test_validity)
{
    size_t bad = 999;
    bool ok = utf8_valid(validity[_i].bytes, validity[_i].len, &bad);
    ck_assert_int_eq(ok, validity[_i].is_valid);
    if (!validity[_i].is_valid)
        ck_assert_uint_eq(bad, validity[_i].bad_off);
}
END_TEST

static const struct {
    int32_t cp;
    int is_word;
} word_chars[] = {
    {'a', 1},     {'Z', 1},
    {'0', 1},     {'_', 0}, /* separates a hashtag's words */
    {' ', 0},     {'-', 0},
    {'.', 0},     {'\'', 0},
    {0xE9, 1},                                            /* é */
    {0x0642, 1},  /* ق */ {0x064E, 1},                    /* fatha, a mark */
    {0x0660, 1},  /* Arabic-Indic zero */ {0x060C, 0},    /* Arabic comma */
    {0x061F, 0},  /* Arabic question mark */ {0x0640, 1}, /* tatweel is Lm */
    {0x0441, 1},  /* Cyrillic es */ {0x200D, 0},          /* ZWJ is Cf */
    {0x1F416, 0}, /* emoji */ {0x3000, 0},                /* ideographic space */
    {0x203F, 0},                                          /* undertie, Pc */
};

START_TEST(test_word_chars)
{
    ck_assert_int_eq(utf8_is_word_char(word_chars[_i].cp), word_chars[_i].is_word);
}
END_TEST

START_TEST(test_decode)
{
    const char *s = "a\xc3\xa9\xd9\x82\xf0\x9f\x90\x96";
    size_t len = strlen(s), next;
    ck_assert_int_eq(utf8_decode_at(s, len, 0, &next), 'a');
    ck_assert_uint_eq(next, 1);
    ck_assert_int_eq(utf8_decode_at(s, len, 1, &next), 0xE9);
    ck_assert_uint_eq(next, 3);
    ck_assert_int_eq(utf8_decode_at(s, len, 3, &next), 0x0642);
    ck_assert_uint_eq(next, 5);
    ck_assert_int_eq(utf8_decode_at(s, len, 5, &next), 0x1F416);
    ck_assert_uint_eq(next, 9);
    ck_assert_int_eq(utf8_decode_before(s, 9), 0x1F416);
    ck_assert_int_eq(utf8_decode_before(s, 5), 0x0642);
    ck_assert_int_eq(utf8_decode_before(s, 3), 0xE9);
    ck_assert_int_eq(utf8_decode_before(s, 1), 'a');
}
END_TEST

/* Random bytes: the validator must agree with utf8proc, an independent
 * decoder, on whether a string is valid and on where the first bad
 * sequence starts. */
START_TEST(test_random_agrees_with_utf8proc)
{
    unsigned int seed = 12345;
    unsigned char buf[64];
    int valid_seen = 0, invalid_seen = 0;
    for (int round = 0; round < 200000; round++) {
        size_t len = (size_t)(rand_r(&seed) % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            /* Bias towards bytes that form multibyte sequences, and the
             * edges of the valid ranges. */
            static const unsigned char edges[] = {0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC1,
                                                  0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5};
            int r = rand_r(&seed);
            if (r % 4 == 0)
                buf[i] = (unsigned char)(r >> 8);
            else if (r % 4 == 1)
                buf[i] = edges[(r >> 8) % sizeof edges];
            else
                buf[i] = (unsigned char)(0x80 | ((r >> 8) & 0x3F));
        }
        size_t off = 0, expected_bad = len;
        while (off < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate(buf + off, (utf8proc_ssize_t)(len - off), &cp);
            if (n <= 0) {
                expected_bad = off;
                break;
            }
            off += (size_t)n;
        }
        size_t bad = 999;
        bool ok = utf8_valid((const char *)buf, len, &bad);
        ck_assert_msg(ok == (expected_bad == len), "round %d: validity differs", round);
        if (!ok) {
            ck_assert_uint_eq(bad, expected_bad);
            invalid_seen++;
        } else {
            valid_seen++;
        }
    }
    /* The generator must exercise both outcomes for the test to mean much. */
    ck_assert_int_gt(valid_seen, 1000);
    ck_assert_int_gt(invalid_seen, 1000);
}
END_TEST

Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(tc, test_validity, 0, sizeof validity / sizeof validity[0]);
    tcase_add_loop_test(tc, test_word_chars, 0, sizeof word_chars / sizeof word_chars[0]);
    tcase_add_test(tc, test_decode);
    tcase_add_test(tc, test_random_agrees_with_utf8proc);
    suite_add_tcase(s, tc);
    return s;
}
