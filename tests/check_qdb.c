/*
 * check_qdb.c - compiled rules files: a round trip gives the same verdicts,
 * and truncated, corrupt or forged files are refused without crashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "quell.h"

static const char cfg[] =
    "version = 1;\n"
    "actions = { flag = 2.0; hold = 4.0; reject = 8.0; };\n"
    "categories = ( { name = \"insult\"; cap = 6.0; }, { name = \"spam\"; } );\n"
    "rules = (\n"
    "  { id = \"w\"; category = \"insult\"; weight = 2.0; max_hits = 3;\n"
    "    words = [ \"idiot\", \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\" ];\n"
    "    must_match = [ \"idiot\" ]; must_not_match = [ \"idiots\" ]; },\n"
    "  { id = \"you\"; category = \"insult\"; weight = 0.0; words = [ \"you\" ]; },\n"
    "  { id = \"aimed\"; category = \"insult\"; weight = 1.5; combine = \"you & !link | w & you\"; "
    "},\n"
    "  { id = \"link\"; category = \"spam\"; weight = 1.0; min_count = 2;\n"
    "    regexes = [ \"https?://\\\\S+\" ]; },\n"
    "  { id = \"nick\"; category = \"spam\"; weight = 3.0; field = \"author\";\n"
    "    substrings = [ \"casino\" ]; }\n"
    ");\n";

static const char *bodies[] = {
    "hello there",
    "you idiot",
    "idiot idiot idiot idiot",
    "you: http://a.b http://c.d",
    "\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1",
    "you",
};

static quell_rules *compiled;
static char *blob;
static size_t blob_len;

static void setup(void)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/r.cfg", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(cfg, f);
    fclose(f);
    quell_error err;
    ck_assert_msg(quell_rules_compile(&compiled, path, &err) == QUELL_OK, "%s", err.message);
    ck_assert_int_eq(quell_rules_serialize(compiled, &blob, &blob_len, &err), QUELL_OK);
    ck_assert_uint_gt(blob_len, 96);
}

static void teardown(void)
{
    quell_rules_free(compiled);
    free(blob);
}

/* A compact, comparable summary of a verdict. */
static void summarise(const quell_rules *rules, const char *body, const char *author, char *out,
                      size_t size)
{
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new(&s, rules, NULL), QUELL_OK);
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    if (author) {
        c.text[QUELL_FIELD_AUTHOR] = author;
        c.text_len[QUELL_FIELD_AUTHOR] = strlen(author);
    }
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &c, &v, NULL), QUELL_OK);
    int n = snprintf(out, size, "%s %.3f", quell_action_name(v->action), v->score);
    for (size_t i = 0; i < v->rule_count; i++)
        n += snprintf(out + n, size - (size_t)n, " %s:%zu", v->rules[i].rule_id, v->rules[i].count);
    for (size_t i = 0; i < v->hit_count; i++)
        n += snprintf(out + n, size - (size_t)n, " [%zu,%zu)", v->hits[i].start, v->hits[i].end);
    quell_scanner_free(s);
}

START_TEST(test_round_trip_same_verdicts)
{
    quell_rules *loaded;
    quell_error err;
    ck_assert_int_eq(quell_rules_deserialize(&loaded, blob, blob_len, &err), QUELL_OK);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char a[512], b[512];
        summarise(compiled, bodies[i], "casino king", a, sizeof a);
        summarise(loaded, bodies[i], "casino king", b, sizeof b);
        ck_assert_str_eq(a, b);
    }
    /* By hand: "you idiot" = w 2 + aimed 1.5 + nick 3 = 6.5, hold from 4;
     * hits by field (body first), then start. */
    char s[512];
    summarise(loaded, "you idiot", "casino king", s, sizeof s);
    ck_assert_str_eq(s, "hold 6.500 w:1 you:1 aimed:1 nick:1 [0,3) [4,9) [0,6)");
    ck_assert_uint_eq(quell_rules_rule_count(loaded), 5);
    ck_assert_str_eq(quell_rules_category_name(loaded, 1), "spam");
    ck_assert_double_eq(quell_rules_threshold(loaded, QUELL_REJECT), 8);
    size_t failed = 9, total = 9;
    ck_assert_int_eq(quell_rules_test(loaded, NULL, NULL, &failed, &total, NULL), QUELL_OK);
    ck_assert_uint_eq(total, 2);
    ck_assert_uint_eq(failed, 0);
    /* Serializing again gives the same bytes. */
    char *again;
    size_t again_len;
    ck_assert_int_eq(quell_rules_serialize(loaded, &again, &again_len, NULL), QUELL_OK);
    ck_assert_uint_eq(again_len, blob_len);
    ck_assert_int_eq(memcmp(again, blob, blob_len), 0);
    free(again);
    quell_rules_free(loaded);
}
END_TEST

START_TEST(test_every_truncation_refused)
{
    for (size_t len = 0; len < blob_len; len++) {
        quell_rules *r = (quell_rules *)blob;
        quell_error err;
        int rc = quell_rules_deserialize(&r, blob, len, &err);
        ck_assert_msg(rc == QUELL_EFORMAT, "length %zu: rc %d", len, rc);
        ck_assert_ptr_null(r);
    }
}
END_TEST

START_TEST(test_bit_flips_refused)
{
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    /* Every byte of the header, then a stride through the payload. */
    for (size_t i = 0; i < blob_len; i += i < 96 ? 1 : 7) {
        memcpy(copy, blob, blob_len);
        copy[i] ^= 0x10;
        quell_rules *r;
        quell_error err;
        int rc = quell_rules_deserialize(&r, copy, blob_len, &err);
        ck_assert_msg(rc == QUELL_EFORMAT || rc == QUELL_EPLATFORM, "byte %zu: rc %d", i, rc);
        ck_assert_ptr_null(r);
        ck_assert_int_eq(err.code, rc);
        ck_assert_int_gt(strlen(err.message), 10);
    }
    free(copy);
}
END_TEST

/* The same FNV-1a the file format documents, to forge valid checksums. */
static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* A file that lies but carries a correct checksum: it may load (a flipped
 * byte inside a string is harmless) but must never crash, and whatever loads
 * must scan. ASan and UBSan watch this test. */
START_TEST(test_forged_checksums_never_crash)
{
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    unsigned int seed = 7;
    int loaded = 0, refused = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, blob, blob_len);
        int flips = 1 + rand_r(&seed) % 3;
        for (int k = 0; k < flips; k++) {
            size_t at = 96 + (size_t)rand_r(&seed) % (blob_len - 96);
            copy[at] = (char)rand_r(&seed);
        }
        uint64_t sum = fnv1a64((unsigned char *)copy + 96, blob_len - 96);
        for (int b = 0; b < 8; b++)
            copy[24 + b] = (char)(sum >> (8 * b));
        quell_rules *r;
        int rc = quell_rules_deserialize(&r, copy, blob_len, NULL);
        if (rc != QUELL_OK) {
            ck_assert_ptr_null(r);
            refused++;
            continue;
        }
        loaded++;
        for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
            quell_scanner *s;
            if (quell_scanner_new(&s, r, NULL) != QUELL_OK)
                break;
            quell_comment c = QUELL_COMMENT_INIT;
            c.text[0] = bodies[i];
            c.text_len[0] = strlen(bodies[i]);
            const quell_verdict *v;
            (void)quell_scan(s, &c, &v, NULL);
            quell_scanner_free(s);
        }
        quell_rules_free(r);
    }
    free(copy);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_eq(loaded + refused, 3000);
}
END_TEST

START_TEST(test_save_and_load_file)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/r.qdb", dir);
    quell_error err;
    ck_assert_int_eq(quell_rules_save(compiled, path, &err), QUELL_OK);
    quell_rules *r;
    ck_assert_int_eq(quell_rules_load(&r, path, &err), QUELL_OK);
    char a[512], b[512];
    summarise(compiled, "you idiot", NULL, a, sizeof a);
    summarise(r, "you idiot", NULL, b, sizeof b);
    ck_assert_str_eq(a, b);
    quell_rules_free(r);

    /* Starts like a .qdb but is not one: refused, naming the file. */
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(blob, 1, 40, f);
    fclose(f);
    ck_assert_int_eq(quell_rules_load(&r, path, &err), QUELL_EFORMAT);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err.file, path);
    ck_assert_ptr_nonnull(strstr(err.message, "too short"));

    /* A file that does not exist. */
    snprintf(path, sizeof path, "%s/missing.qdb", dir);
    ck_assert_int_eq(quell_rules_load(&r, path, &err), QUELL_EIO);
    ck_assert_str_eq(err.file, path);
}
END_TEST

START_TEST(test_foreign_version_refused)
{
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, blob, blob_len);
    copy[8] = 1; /* format version 1: written before validators */
    quell_rules *r;
    quell_error err;
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, "format version 1"));
    memcpy(copy, blob, blob_len);
    memcpy(copy + 32, "9.9.9 other build", 18); /* another Hyperscan */
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EPLATFORM);
    ck_assert_ptr_nonnull(strstr(err.message, "9.9.9"));
    free(copy);
}
END_TEST

Suite *qdb_suite(void)
{
    Suite *s = suite_create("qdb");
    TCase *tc = tcase_create("Core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip_same_verdicts);
    tcase_add_test(tc, test_every_truncation_refused);
    tcase_add_test(tc, test_bit_flips_refused);
    tcase_add_test(tc, test_forged_checksums_never_crash);
    tcase_add_test(tc, test_save_and_load_file);
    tcase_add_test(tc, test_foreign_version_refused);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
