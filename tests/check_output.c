/*
 * check_output.c - the JSON writer: the string escaper and score printer
 * against hand-written tables, verdicts and error records written and read
 * back with cJSON, and escaped random bytes that must always parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <utf8proc.h>

#include "suites.h"
#include "output.h"
#include "quell.h"

#define GUARD 0x5A

/* ---------------------------------------------------------------------- */
/* The escaper                                                             */

struct escape_case {
    const char *in;
    size_t in_len;
    const char *want;
};

#define S(lit) lit, sizeof lit - 1

static const struct escape_case escape_cases[] = {
    {S(""), "\"\""},
    {S("hello"), "\"hello\""},
    {S("say \"hi\""), "\"say \\\"hi\\\"\""},
    {S("a\\b"), "\"a\\\\b\""},
    {S("/ and '"), "\"/ and '\""},
    {S("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\""},
    {S("\x01\x07\x0b\x0e\x1b\x1f"), "\"\\u0001\\u0007\\u000b\\u000e\\u001b\\u001f\""},
    {S("a\0b"), "\"a\\u0000b\""},
    {S("\0"), "\"\\u0000\""},
    {S("\x20\x7e\x7f"), "\" ~\x7f\""},
    /* multibyte UTF-8 is kept: é, the Arabic meem, the euro sign, an emoji */
    {S("\xc3\xa9 \xd9\x85 \xe2\x82\xac \xf0\x9f\x98\x80"),
     "\"\xc3\xa9 \xd9\x85 \xe2\x82\xac \xf0\x9f\x98\x80\""},
    /* the largest code point, and the characters around U+2028/U+2029 */
    {S("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""},
    {S("a\xe2\x80\xa8"
       "b\xe2\x80\xa9"
       "c"),
     "\"a\\u2028b\\u2029c\""},
    {S("\xe2\x80\xa7\xe2\x80\xaa"), "\"\xe2\x80\xa7\xe2\x80\xaa\""},
    /* invalid bytes each become U+FFFD */
    {S("\xff"), "\"\\ufffd\""},
    {S("\x80"), "\"\\ufffd\""},
    {S("a\xc3"), "\"a\\ufffd\""},
    {S("\xc3("), "\"\\ufffd(\""},
    {S("\xe2\x82"), "\"\\ufffd\\ufffd\""},
    {S("\xc0\xaf"), "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
    {S("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\""},            /* overlong, 3 bytes */
    {S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""},            /* surrogate U+D800 */
    {S("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
    {S("\xf5\x80"), "\"\\ufffd\\ufffd\""},
    {S("\xf0\x9f\x98"), "\"\\ufffd\\ufffd\\ufffd\""}, /* cut short */
    {S("\xf0\x9f\x98x"), "\"\\ufffd\\ufffd\\ufffdx\""},
};

#define ESCAPE_CASE_COUNT (sizeof escape_cases / sizeof escape_cases[0])

START_TEST(test_escape_table)
{
    const struct escape_case *c = &escape_cases[_i];
    char buf[256];
    size_t want_len = strlen(c->want);

    size_t n = out_json_string(buf, sizeof buf, c->in, c->in_len);
    ck_assert_uint_eq(n, want_len);
    ck_assert_mem_eq(buf, c->want, want_len + 1);
    /* measuring alone */
    ck_assert_uint_eq(out_json_string(NULL, 0, c->in, c->in_len), want_len);
}
END_TEST

/* Every buffer size from 0 up: the right length back, a NUL-terminated
 * prefix, and not one byte written past cap. */
START_TEST(test_escape_small_buffer)
{
    const struct escape_case *c = &escape_cases[_i];
    size_t want_len = strlen(c->want);
    char buf[256];

    for (size_t cap = 0; cap <= want_len + 1; cap++) {
        memset(buf, GUARD, sizeof buf);
        size_t n = out_json_string(cap ? buf : NULL, cap, c->in, c->in_len);
        ck_assert_uint_eq(n, want_len);
        for (size_t i = cap; i < sizeof buf; i++)
            ck_assert_int_eq((unsigned char)buf[i], GUARD);
        if (cap == 0)
            continue;
        size_t kept = want_len < cap ? want_len : cap - 1;
        ck_assert_mem_eq(buf, c->want, kept);
        ck_assert_int_eq(buf[kept], '\0');
    }
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Scores                                                                  */

struct score_case {
    int64_t milli;
    const char *want;
};

static const struct score_case score_cases[] = {
    {0, "0"},
    {4000, "4"},
    {4500, "4.5"},
    {-250, "-0.25"},
    {1, "0.001"},
    {-1, "-0.001"},
    {10, "0.01"},
    {100, "0.1"},
    {1010, "1.01"},
    {-4000, "-4"},
    {1234567, "1234.567"},
    {100000, "100"},
    {INT64_MAX, "9223372036854775.807"},
    {INT64_MIN, "-9223372036854775.808"},
};

#define SCORE_CASE_COUNT (sizeof score_cases / sizeof score_cases[0])

START_TEST(test_score_table)
{
    const struct score_case *c = &score_cases[_i];
    size_t want_len = strlen(c->want);
    char buf[64];

    for (size_t cap = 0; cap <= want_len + 1; cap++) {
        memset(buf, GUARD, sizeof buf);
        ck_assert_uint_eq(out_score(cap ? buf : NULL, cap, c->milli), want_len);
        for (size_t i = cap; i < sizeof buf; i++)
            ck_assert_int_eq((unsigned char)buf[i], GUARD);
        if (cap > want_len)
            ck_assert_str_eq(buf, c->want);
    }
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Verdicts and error records                                              */

static const char example_text[] = "you idiot";
static const double example_category_scores[] = {4.5};
static const char *const example_category_names[] = {"insult"};
static const quell_rule_result example_rules[] = {{"r1", "insult", 1, 4.5, 0}};
static const quell_hit example_hits[] = {
    {"r1", "insult", QUELL_FIELD_BODY, 4, 9, example_text + 4, "skeleton", "idiot"},
};
static const quell_verdict example_verdict = {
    .action = QUELL_FLAG,
    .score = 4.5,
    .category_scores = example_category_scores,
    .category_names = example_category_names,
    .category_count = 1,
    .rules = example_rules,
    .rule_count = 1,
    .hits = example_hits,
    .hit_count = 1,
};
static const char example_json[] =
    "{\"id\":7,\"action\":\"flag\",\"score\":4.5,\"categories\":{\"insult\":4.5},"
    "\"rules\":[{\"id\":\"r1\",\"category\":\"insult\",\"count\":1,\"score\":4.5}],"
    "\"hits\":[{\"rule\":\"r1\",\"category\":\"insult\",\"field\":\"body\",\"start\":4,"
    "\"end\":9,\"text\":\"idiot\"}]}\n";

START_TEST(test_verdict_documented_shape)
{
    char buf[1024];
    size_t n = quell_verdict_to_json(&example_verdict, "7", 1, buf, sizeof buf);
    ck_assert_uint_eq(n, sizeof example_json - 1);
    ck_assert_str_eq(buf, example_json);
}
END_TEST

START_TEST(test_verdict_pass)
{
    static const double scores[] = {0, 0};
    static const char *const names[] = {"insult", "spam"};
    const quell_verdict v = {
        .action = QUELL_PASS,
        .score = 0,
        .category_scores = scores,
        .category_names = names,
        .category_count = 2,
    };
    char buf[256];

    quell_verdict_to_json(&v, "1", 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "{\"id\":1,\"action\":\"pass\",\"score\":0}\n");
    quell_verdict_to_json(&v, NULL, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "{\"id\":null,\"action\":\"pass\",\"score\":0}\n");
    quell_verdict_to_json(&v, "\"a\\\"b\"", 6, buf, sizeof buf);
    ck_assert_str_eq(buf, "{\"id\":\"a\\\"b\",\"action\":\"pass\",\"score\":0}\n");
}
END_TEST

/* Each action's name, written whole; an action out of range as "error". */
static const struct {
    quell_action action;
    const char *want;
} action_cases[] = {
    {QUELL_PASS, "{\"id\":3,\"action\":\"pass\",\"score\":1.25}\n"},
    {QUELL_FLAG, "{\"id\":3,\"action\":\"flag\",\"score\":1.25}\n"},
    {QUELL_HOLD, "{\"id\":3,\"action\":\"hold\",\"score\":1.25}\n"},
    {QUELL_REJECT, "{\"id\":3,\"action\":\"reject\",\"score\":1.25}\n"},
    {(quell_action)99, "{\"id\":3,\"action\":\"error\",\"score\":1.25}\n"},
};

START_TEST(test_verdict_actions)
{
    const quell_verdict v = {.action = action_cases[_i].action, .score = 1.25};
    const char *want = action_cases[_i].want;
    char buf[128];
    ck_assert_uint_eq(quell_verdict_to_json(&v, "3", 1, buf, sizeof buf), strlen(want));
    ck_assert_str_eq(buf, want);
    /* Cut short anywhere, the line is a prefix and the length still whole. */
    for (size_t cap = 1; cap <= strlen(want); cap++) {
        memset(buf, GUARD, sizeof buf);
        ck_assert_uint_eq(quell_verdict_to_json(&v, "3", 1, buf, cap), strlen(want));
        ck_assert_mem_eq(buf, want, cap - 1);
        ck_assert_int_eq(buf[cap - 1], '\0');
        ck_assert_int_eq((unsigned char)buf[cap], GUARD);
    }
}
END_TEST

START_TEST(test_verdict_small_buffer)
{
    size_t want_len = sizeof example_json - 1;
    char buf[1024];

    for (size_t cap = 0; cap <= want_len + 1; cap++) {
        memset(buf, GUARD, sizeof buf);
        size_t n = quell_verdict_to_json(&example_verdict, "7", 1, cap ? buf : NULL, cap);
        ck_assert_uint_eq(n, want_len);
        for (size_t i = cap; i < sizeof buf; i++)
            ck_assert_int_eq((unsigned char)buf[i], GUARD);
        if (cap > 0) {
            size_t kept = want_len < cap ? want_len : cap - 1;
            ck_assert_mem_eq(buf, example_json, kept);
            ck_assert_int_eq(buf[kept], '\0');
        }
    }
}
END_TEST

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(m != NULL, "member \"%s\" missing", name);
    return m;
}

static void assert_string_member(const cJSON *obj, const char *name, const char *want)
{
    const cJSON *m = member(obj, name);
    ck_assert(cJSON_IsString(m));
    ck_assert_str_eq(m->valuestring, want);
}

static void assert_number_member(const cJSON *obj, const char *name, double want)
{
    const cJSON *m = member(obj, name);
    ck_assert(cJSON_IsNumber(m));
    ck_assert_double_eq(m->valuedouble, want);
}

/* Everything a verdict can hold, with text that needs escaping, read back. */
START_TEST(test_verdict_round_trip)
{
    static const char body[] =
        "say \"no\"\nto \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 a\xe2\x80\xa8z";
    static const char author[] = "spam\\bot";
    static const double scores[] = {2.5, 0, -0.25, 12.095};
    static const char *const names[] = {"insult", "unused", "praise", "sp\"am"};
    static const quell_rule_result rules[] = {
        {"insult.quote", "insult", 2, 2.5, 0},
        {"praise.ar", "praise", 1, -0.25, 1},
        {"spam.\"bot\"", "sp\"am", 3, 12.095, 2},
    };
    const quell_hit hits[] = {
        {"insult.quote", "insult", QUELL_FIELD_BODY, 4, 8, body + 4, "raw", "x"},
        {"praise.ar", "praise", QUELL_FIELD_BODY, 12, 22, body + 12, "raw", "x"},
        {"insult.quote", "insult", QUELL_FIELD_BODY, 22, 27, body + 22, "raw", "x"},
        {"spam.\"bot\"", "sp\"am", QUELL_FIELD_AUTHOR, 0, 8, author, "raw", "x"},
    };
    const quell_verdict v = {
        .action = QUELL_REJECT,
        .score = 14.345,
        .category_scores = scores,
        .category_names = names,
        .category_count = 4,
        .rules = rules,
        .rule_count = 3,
        .hits = hits,
        .hit_count = 4,
        .is_truncated = 1,
    };
    static const char id[] = "\"c\\u2028\\\"1\"";
    char buf[2048];

    size_t n = quell_verdict_to_json(&v, id, sizeof id - 1, buf, sizeof buf);
    ck_assert_uint_lt(n, sizeof buf);
    ck_assert_uint_eq(strlen(buf), n);
    ck_assert_int_eq(buf[n - 1], '\n');
    ck_assert_ptr_null(memchr(buf, '\n', n - 1));

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, n, &end, 0);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_eq(end, buf + n - 1); /* all of it but the newline */

    assert_string_member(root, "id", "c\xe2\x80\xa8\"1");
    assert_string_member(root, "action", "reject");
    assert_number_member(root, "score", 14.345);
    ck_assert(cJSON_IsTrue(member(root, "truncated")));

    const cJSON *cats = member(root, "categories");
    ck_assert_int_eq(cJSON_GetArraySize(cats), 3);
    ck_assert_str_eq(cats->child->string, "insult");
    ck_assert_str_eq(cats->child->next->string, "praise");
    ck_assert_str_eq(cats->child->next->next->string, "sp\"am");
    assert_number_member(cats, "insult", 2.5);
    assert_number_member(cats, "praise", -0.25);
    assert_number_member(cats, "sp\"am", 12.095);

    const cJSON *rl = member(root, "rules");
    ck_assert_int_eq(cJSON_GetArraySize(rl), 3);
    for (int i = 0; i < 3; i++) {
        const cJSON *r = cJSON_GetArrayItem(rl, i);
        ck_assert_int_eq(cJSON_GetArraySize(r), 4);
        assert_string_member(r, "id", rules[i].rule_id);
        assert_string_member(r, "category", rules[i].category);
        assert_number_member(r, "count", (double)rules[i].count);
        assert_number_member(r, "score", rules[i].score);
    }

    static const char *const hit_text[] = {"\"no\"", "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
                                           " a\xe2\x80\xa8", "spam\\bot"};
    const cJSON *hl = member(root, "hits");
    ck_assert_int_eq(cJSON_GetArraySize(hl), 4);
    for (int i = 0; i < 4; i++) {
        const cJSON *h = cJSON_GetArrayItem(hl, i);
        ck_assert_int_eq(cJSON_GetArraySize(h), 6);
        assert_string_member(h, "rule", hits[i].rule_id);
        assert_string_member(h, "category", hits[i].category);
        assert_string_member(h, "field", i == 3 ? "author" : "body");
        assert_number_member(h, "start", (double)hits[i].start);
        assert_number_member(h, "end", (double)hits[i].end);
        assert_string_member(h, "text", hit_text[i]);
    }
    ck_assert_int_eq(cJSON_GetArraySize(root), 7);
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_error_record)
{
    char buf[256];
    size_t n = quell_error_to_json("\"x\"", 3, "bad \"json\"\n", buf, sizeof buf);
    static const char want[] =
        "{\"id\":\"x\",\"action\":\"error\",\"error\":\"bad \\\"json\\\"\\n\"}\n";
    ck_assert_uint_eq(n, sizeof want - 1);
    ck_assert_str_eq(buf, want);

    quell_error_to_json(NULL, 0, "empty record", buf, sizeof buf);
    ck_assert_str_eq(buf, "{\"id\":null,\"action\":\"error\",\"error\":\"empty record\"}\n");

    memset(buf, GUARD, sizeof buf);
    static const char want_short[] = "{\"id\":12,\"action\":\"error\",\"error\":\"x\"}\n";
    ck_assert_uint_eq(quell_error_to_json("12", 2, "x", buf, 10), sizeof want_short - 1);
    ck_assert_mem_eq(buf, want_short, 9);
    ck_assert_int_eq(buf[9], '\0');
    ck_assert_int_eq((unsigned char)buf[10], GUARD);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Random bytes                                                            */

/* Append one random piece: ASCII, a control, a quote, an encoded code point
 * (valid UTF-8, sometimes U+2028/9) or a stray high byte. */
static size_t random_piece(uint64_t *rng, unsigned char *dst)
{
    uint64_t r = test_rng(rng);
    unsigned kind = (unsigned)(r % 10);
    r >>= 8;
    if (kind < 4) {
        dst[0] = (unsigned char)(0x20 + r % 95);
        return 1;
    }
    if (kind == 4) {
        dst[0] = (unsigned char)(r % 0x20);
        return 1;
    }
    if (kind == 5) {
        dst[0] = r & 1 ? '"' : '\\';
        return 1;
    }
    if (kind == 6) {
        dst[0] = (unsigned char)(0x80 + r % 0x80);
        return 1;
    }
    utf8proc_int32_t cp;
    switch (r % 5) {
    case 0:
        cp = 0x2028 + (utf8proc_int32_t)(r >> 8) % 2;
        break;
    case 1:
        cp = 0x80 + (utf8proc_int32_t)((r >> 8) % 0x780);
        break;
    case 2:
        cp = 0x800 + (utf8proc_int32_t)((r >> 8) % 0xF800);
        break;
    default:
        cp = 0x10000 + (utf8proc_int32_t)((r >> 8) % 0x100000);
        break;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        cp = 0xFFFD;
    return (size_t)utf8proc_encode_char(cp, dst);
}

/* What the escaper promises, computed independently with utf8proc: each
 * well-formed sequence kept, each other byte replaced by U+FFFD. */
static size_t expected_decoding(const unsigned char *in, size_t len, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(in + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k > 0) {
            memcpy(out + o, in + i, (size_t)k);
            o += (size_t)k;
            i += (size_t)k;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    return o;
}

static int is_valid_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

START_TEST(test_escape_random)
{
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    unsigned char in[256], want[1024];
    char out[2048];

    for (int round = 0; round < 2000; round++) {
        size_t len = 0, pieces = (size_t)(test_rng(&rng) % 48);
        for (size_t p = 0; p < pieces; p++)
            len += random_piece(&rng, in + len);

        size_t n = out_json_string(out, sizeof out, (const char *)in, len);
        ck_assert_uint_lt(n, sizeof out);
        ck_assert(is_valid_utf8((const unsigned char *)out, n));
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_ge((unsigned char)out[i], 0x20);

        cJSON *s = cJSON_ParseWithLength(out, n);
        ck_assert_msg(s != NULL, "round %d: escaped string does not parse", round);
        ck_assert(cJSON_IsString(s));
        /* cJSON's strings end at the first NUL: compare up to there. */
        size_t want_len = expected_decoding(in, len, want);
        const unsigned char *nul = memchr(want, '\0', want_len);
        if (nul)
            want_len = (size_t)(nul - want);
        if (is_valid_utf8(in, len) && !nul)
            ck_assert_uint_eq(want_len, len);
        ck_assert_uint_eq(strlen(s->valuestring), want_len);
        ck_assert_mem_eq(s->valuestring, want, want_len);
        cJSON_Delete(s);
    }
}
END_TEST

/* The censored body rides along: hit characters masked one for one. */
START_TEST(test_verdict_censored)
{
    char buf[1024];
    size_t n = quell_verdict_to_json_censored(&example_verdict, "7", 1, example_text,
                                              strlen(example_text), '*', buf, sizeof buf);
    ck_assert_uint_lt(n, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, ",\"censored\":\"you *****\"}\n"));
    cJSON *doc = cJSON_Parse(buf);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(cJSON_GetObjectItem(doc, "censored")->valuestring, "you *****");
    ck_assert_str_eq(cJSON_GetObjectItem(doc, "action")->valuestring, "flag");
    cJSON_Delete(doc);
    /* A mask that JSON must escape is escaped. */
    n = quell_verdict_to_json_censored(&example_verdict, "7", 1, example_text, strlen(example_text),
                                       '"', buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "\"censored\":\"you \\\"\\\"\\\"\\\"\\\"\""));
    /* No body: null. */
    quell_verdict_to_json_censored(&example_verdict, "7", 1, NULL, 0, '*', buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, ",\"censored\":null}"));
}
END_TEST

Suite *output_suite(void)
{
    Suite *s = suite_create("output");

    TCase *tc = tcase_create("escape");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(tc, test_escape_table, 0, ESCAPE_CASE_COUNT);
    tcase_add_loop_test(tc, test_escape_small_buffer, 0, ESCAPE_CASE_COUNT);
    tcase_add_test(tc, test_escape_random);
    tcase_add_test(tc, test_verdict_censored);
    suite_add_tcase(s, tc);

    tc = tcase_create("score");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(tc, test_score_table, 0, SCORE_CASE_COUNT);
    suite_add_tcase(s, tc);

    tc = tcase_create("verdict");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_test(tc, test_verdict_documented_shape);
    tcase_add_test(tc, test_verdict_pass);
    tcase_add_loop_test(tc, test_verdict_actions, 0,
                        (int)(sizeof action_cases / sizeof action_cases[0]));
    tcase_add_test(tc, test_verdict_small_buffer);
    tcase_add_test(tc, test_verdict_round_trip);
    tcase_add_test(tc, test_error_record);
    suite_add_tcase(s, tc);
    return s;
}
