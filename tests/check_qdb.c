/*
 * check_qdb.c - compiled rules files: a round trip gives the same verdicts,
 * and truncated, corrupt or forged files are refused without crashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xxhash.h>

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

/* FNV-1a 64, the checksum of format versions 1 to 7. */
static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void put_le64(char *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[b] = (char)(v >> (8 * b));
}

/* Give a file the checksum the format documents, to forge valid ones: the
 * 8 checksum bytes (offset 24) count as zeros, XXH3 64 of the first 32
 * bytes seeds XXH3 64 of the rest. */
static void seal(char *data, size_t len)
{
    put_le64(data + 24, 0);
    uint64_t seed = XXH3_64bits(data, 32);
    put_le64(data + 24, XXH3_64bits_withSeed(data + 32, len - 32, seed));
}

/* The checksum of format versions 5 to 7: FNV-1a 64 of every byte, the
 * checksum's own as zeros. */
static void seal_fnv(char *data, size_t len)
{
    put_le64(data + 24, 0);
    put_le64(data + 24, fnv1a64((unsigned char *)data, len));
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
        seal(copy, blob_len);
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
    copy[8] = 12; /* a later format, written by a later quell */
    seal(copy, blob_len);
    quell_rules *r;
    quell_error err;
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "format version 12") != NULL, "%s", err.message);

    /* Older formats, each sealed as it was, told to recompile rather than
     * called corrupt: 6 (before proximity operators) and 7 (before the
     * XXH3 checksum) with FNV-1a; 8 (before the Arabizi view's databases)
     * 9 (Arabizi regexes for the folded text) and 10 (before context
     * rules) with XXH3. */
    for (unsigned char version = 6; version <= 10; version++) {
        memcpy(copy, blob, blob_len);
        copy[8] = version;
        if (version < 8)
            seal_fnv(copy, blob_len);
        else
            seal(copy, blob_len);
        char want[64];
        snprintf(want, sizeof want, "format version %u; this quell reads 11: recompile",
                 (unsigned)version);
        ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
        ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
    }
    /* ... but a version-11 file with the old checksum is damage. */
    memcpy(copy, blob, blob_len);
    seal_fnv(copy, blob_len);
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "checksum mismatch") != NULL, "%s", err.message);
    /* And so is an old version whose FNV-1a checksum does not hold. */
    copy[8] = 7;
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "corrupt .qdb header: checksum mismatch") != NULL, "%s",
                  err.message);

    /* Format 4 checksummed its payload only: still told as an old format. */
    memcpy(copy, blob, blob_len);
    copy[8] = 4;
    put_le64(copy + 24, fnv1a64((unsigned char *)copy + 96, blob_len - 96));
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "format version 4") != NULL, "%s", err.message);

    memcpy(copy, blob, blob_len);
    memcpy(copy + 32, "9.9.9 other build", 18); /* another Hyperscan */
    seal(copy, blob_len);
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EPLATFORM);
    ck_assert_ptr_nonnull(strstr(err.message, "9.9.9"));
    free(copy);
}
END_TEST

/* Every single-bit flip in the header is damage, named as such: not a
 * truncation (the length), not another format (the version) and not
 * another Hyperscan (the version string's padding). */
START_TEST(test_header_flips_named_corrupt)
{
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    for (size_t bit = 0; bit < 96 * 8; bit++) {
        memcpy(copy, blob, blob_len);
        copy[bit / 8] ^= (char)(1 << (bit % 8));
        quell_rules *r;
        quell_error err;
        int rc = quell_rules_deserialize(&r, copy, blob_len, &err);
        ck_assert_msg(rc == QUELL_EFORMAT, "bit %zu: rc %d: %s", bit, rc, err.message);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(err.message, "corrupt") != NULL, "bit %zu: %s", bit, err.message);
        ck_assert_msg(strstr(err.message, "truncated") == NULL, "bit %zu: %s", bit, err.message);
        ck_assert_msg(strstr(err.message, "format version") == NULL, "bit %zu: %s", bit,
                      err.message);
        ck_assert_msg(strstr(err.message, "Hyperscan") == NULL, "bit %zu: %s", bit, err.message);
        /* The fields before the checksum and the version string are header. */
        if (bit / 8 < 24 || bit / 8 >= 32)
            ck_assert_msg(strstr(err.message, "header") != NULL, "bit %zu: %s", bit, err.message);
    }
    free(copy);
}
END_TEST

/* The offset of the first serialized Hyperscan database in the file: its
 * magic 0xdbdbdbdb, after the u64 length the format puts before it. */
static size_t first_database(const char *data, size_t len)
{
    for (size_t i = 96 + 8; i + 24 <= len; i++) {
        if (memcmp(data + i, "\xdb\xdb\xdb\xdb", 4) == 0)
            return i;
    }
    return 0;
}

/* A database built for another CPU (Hyperscan's platform word, bytes 12 to
 * 19 of a serialized database, set to one no machine has) is refused as
 * such, not as a corrupt file. */
START_TEST(test_other_platform_refused)
{
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, blob, blob_len);
    size_t db = first_database(copy, blob_len);
    ck_assert_uint_gt(db, 0);
    memset(copy + db + 12, 0xff, 8);
    seal(copy, blob_len);
    quell_rules *r;
    quell_error err;
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EPLATFORM);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, "another CPU platform") != NULL, "%s", err.message);
    /* Unsealed, the same bytes are damage. */
    copy[24] ^= 1;
    ck_assert_int_eq(quell_rules_deserialize(&r, copy, blob_len, &err), QUELL_EFORMAT);
    free(copy);
}
END_TEST

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* What quell_rules_load takes for a damaged .qdb rather than a config. */
START_TEST(test_load_tells_damaged_qdb_from_config)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cfg_path[128], qdb_path[128];
    snprintf(cfg_path, sizeof cfg_path, "%s/r.cfg", dir);
    snprintf(qdb_path, sizeof qdb_path, "%s/r.qdb", dir);
    quell_rules *r;
    quell_error err;

    /* Empty, under either name. */
    const char *const paths[] = {cfg_path, qdb_path};
    for (size_t i = 0; i < 2; i++) {
        write_bytes(paths[i], "", 0);
        ck_assert_int_eq(quell_rules_load(&r, paths[i], &err), QUELL_EFORMAT);
        ck_assert_ptr_null(r);
        ck_assert_msg(strstr(err.message, "empty") != NULL, "%s", err.message);
        ck_assert_str_eq(err.file, paths[i]);
    }

    /* Each single-bit flip of the magic, even in a file called .cfg. */
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    for (size_t bit = 0; bit < 64; bit++) {
        memcpy(copy, blob, blob_len);
        copy[bit / 8] ^= (char)(1 << (bit % 8));
        write_bytes(cfg_path, copy, blob_len);
        ck_assert_int_eq(quell_rules_load(&r, cfg_path, &err), QUELL_EFORMAT);
        ck_assert_msg(strstr(err.message, "corrupt .qdb header") != NULL, "bit %zu: %s", bit,
                      err.message);
    }
    /* A magic wiped out: still binary, never a config. */
    memcpy(copy, blob, blob_len);
    memset(copy, 'x', 8);
    write_bytes(cfg_path, copy, blob_len);
    ck_assert_int_eq(quell_rules_load(&r, cfg_path, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "corrupt .qdb") != NULL, "%s", err.message);
    free(copy);

    /* Text called .qdb is a damaged .qdb; the same text called .cfg is a
     * config, and a real config loads. */
    write_bytes(qdb_path, cfg, sizeof cfg - 1);
    ck_assert_int_eq(quell_rules_load(&r, qdb_path, &err), QUELL_EFORMAT);
    ck_assert_msg(strstr(err.message, "corrupt .qdb") != NULL, "%s", err.message);
    write_bytes(cfg_path, cfg, sizeof cfg - 1);
    ck_assert_msg(quell_rules_load(&r, cfg_path, &err) == QUELL_OK, "%s", err.message);
    quell_rules_free(r);
    /* A broken config is still a config error. */
    write_bytes(cfg_path, "version = 1;\nQUELL = \"x\"\n", 25);
    ck_assert_int_eq(quell_rules_load(&r, cfg_path, &err), QUELL_ECONFIG);
    unlink(cfg_path);
    unlink(qdb_path);
    rmdir(dir);
}
END_TEST

/* How many of this process's mappings are of the file at path, or all of
 * them when path is "". */
static int maps_of(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    char line[1024];
    int count = 0;
    size_t len = strlen(path);
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        if (n >= len && memcmp(line + n - len, path, len) == 0)
            count++;
    }
    fclose(f);
    return count;
}

/* The offset of the last serialized Hyperscan database in the file. */
static size_t last_database(const char *data, size_t len)
{
    for (size_t i = len - 24; i > 96 + 8; i--) {
        if (memcmp(data + i, "\xdb\xdb\xdb\xdb", 4) == 0)
            return i;
    }
    return 0;
}

/* A .qdb is read where it is mapped; once loaded, or refused at any stage
 * (checksum, rule table, databases), the map is gone. */
START_TEST(test_load_leaves_no_map)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/r.qdb", dir);
    char *copy = malloc(blob_len);
    ck_assert_ptr_nonnull(copy);
    quell_rules *r;
    quell_error err;

    write_bytes(path, blob, blob_len);
    ck_assert_msg(quell_rules_load(&r, path, &err) == QUELL_OK, "%s", err.message);
    ck_assert_int_eq(maps_of(path), 0);
    char a[512], b[512];
    summarise(compiled, "you idiot", NULL, a, sizeof a);
    summarise(r, "you idiot", NULL, b, sizeof b);
    ck_assert_str_eq(a, b);
    quell_rules_free(r);

    /* Damage found by the checksum, behind it in the table (a count), and
     * in a database (its magic). */
    const size_t at[] = {200, 96 + 8 + 32, first_database(blob, blob_len)};
    const int is_sealed[] = {0, 1, 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        memcpy(copy, blob, blob_len);
        copy[at[i]] ^= 0x40;
        if (is_sealed[i])
            seal(copy, blob_len);
        write_bytes(path, copy, blob_len);
        ck_assert_int_eq(quell_rules_load(&r, path, &err), QUELL_EFORMAT);
        ck_assert_ptr_null(r);
        ck_assert_str_eq(err.file, path);
        ck_assert_int_eq(maps_of(path), 0);
    }

    /* The last database for another CPU: refused once the others are in
     * place, and the memory that held them goes too (no new mapping). */
    memcpy(copy, blob, blob_len);
    size_t db = last_database(copy, blob_len);
    ck_assert_uint_gt(db, first_database(copy, blob_len));
    memset(copy + db + 12, 0xff, 8);
    seal(copy, blob_len);
    write_bytes(path, copy, blob_len);
    int before = maps_of("");
    ck_assert_int_eq(quell_rules_load(&r, path, &err), QUELL_EPLATFORM);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(maps_of(""), before);
    free(copy);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A pipe cannot be mapped: it is read, after the bytes taken to sniff it. */
START_TEST(test_load_through_pipe)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/r.qdb", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    /* The whole file, then one cut short. */
    const size_t lens[] = {blob_len, blob_len - 1000};
    for (size_t i = 0; i < 2; i++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            FILE *f = fopen(path, "wb");
            size_t n = f ? fwrite(blob, 1, lens[i], f) : 0;
            _exit(f && n == lens[i] && fclose(f) == 0 ? 0 : 1);
        }
        quell_rules *r;
        quell_error err;
        int rc = quell_rules_load(&r, path, &err);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (i == 0) {
            ck_assert_msg(rc == QUELL_OK, "%s", err.message);
            ck_assert_uint_eq(quell_rules_rule_count(r), 5);
            char a[512], b[512];
            summarise(compiled, "you idiot", "casino", a, sizeof a);
            summarise(r, "you idiot", "casino", b, sizeof b);
            ck_assert_str_eq(a, b);
            quell_rules_free(r);
        } else {
            ck_assert_int_eq(rc, QUELL_EFORMAT);
            ck_assert_ptr_null(r);
            ck_assert_msg(strstr(err.message, "truncated") != NULL, "%s", err.message);
            ck_assert_str_eq(err.file, path);
        }
    }
    unlink(path);
    rmdir(dir);
}
END_TEST

/* Patterns whose view text the file stores rather than the loader derives:
 * skeleton literals with letter runs ("ass" is "as" with a run of 2),
 * folded ones, and an Arabizi word spelled out as a regex. The loaded rules
 * judge every comment as the compiled ones, and write the same file. */
START_TEST(test_derived_patterns_round_trip)
{
    static const char cfg2[] =
        "version = 1;\n"
        "actions = { flag = 1.0; hold = 4.0; reject = 8.0; };\n"
        "categories = ( { name = \"insult\"; } );\n"
        "rules = (\n"
        "  { id = \"s\"; category = \"insult\"; weight = 1.0; substrings = [ \"ass\" ]; },\n"
        "  { id = \"w\"; category = \"insult\"; weight = 1.0; words = [ \"Moron\", \"fool\" ]; },\n"
        "  { id = \"f\"; category = \"insult\"; weight = 1.0; views = \"folded\";\n"
        "    words = [ \"\xef\xbc\xa4umb\" ]; },\n"
        "  { id = \"a\"; category = \"insult\"; weight = 1.0; arabizi = true;\n"
        "    words = [ \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\" ]; }\n"
        ");\n";
    static const char *const texts[] = {
        "as", "ass", "a s s", "class", "aaassss", "pass the salt", "f00l", "fol", "MORON",
        "dumb", "DUMB", "7mar", "hmar", "ya 7maaar", "m0r0n!",
    };
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/d.cfg", dir);
    write_bytes(path, cfg2, sizeof cfg2 - 1);
    quell_rules *made, *loaded;
    quell_error err;
    ck_assert_msg(quell_rules_compile(&made, path, &err) == QUELL_OK, "%s", err.message);
    char *data, *again;
    size_t len, again_len;
    ck_assert_int_eq(quell_rules_serialize(made, &data, &len, NULL), QUELL_OK);
    ck_assert_msg(quell_rules_deserialize(&loaded, data, len, &err) == QUELL_OK, "%s", err.message);
    int hits = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char a[512], b[512];
        summarise(made, texts[i], NULL, a, sizeof a);
        summarise(loaded, texts[i], NULL, b, sizeof b);
        ck_assert_str_eq(a, b);
        hits += strncmp(a, "pass", 4) != 0;
    }
    /* By hand: "as", "fol", "dumb" (folded, not DUMB's skeleton) and
     * "hmar" (no 7) pass; "class" and "pass the salt" hold "ass". */
    char s[512];
    summarise(loaded, "as", NULL, s, sizeof s);
    ck_assert_str_eq(s, "pass 0.000");
    summarise(loaded, "ass", NULL, s, sizeof s);
    ck_assert_str_eq(s, "flag 1.000 s:1 [0,3)");
    ck_assert_int_gt(hits, 5);
    ck_assert_int_eq(quell_rules_serialize(loaded, &again, &again_len, NULL), QUELL_OK);
    ck_assert_uint_eq(again_len, len);
    ck_assert_int_eq(memcmp(again, data, len), 0);
    free(again);
    free(data);
    quell_rules_free(loaded);
    quell_rules_free(made);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* The names in a folder, sorted and joined with spaces. */
static void list_dir(const char *dir, char *out, size_t size)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | tr '\\n' ' '", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
}

/* Saving goes through a unique temporary file: a folder squatting on the
 * name "X.tmp" does not stop it, it leaves nothing behind, on success or
 * failure, and the file is readable (mkstemp's 0600 is not kept). */
START_TEST(test_save_through_unique_temp)
{
    char dir[] = "/tmp/quell-qdb-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128], squat[128], names[512];
    snprintf(path, sizeof path, "%s/r.qdb", dir);
    snprintf(squat, sizeof squat, "%s/r.qdb.tmp", dir);
    ck_assert_int_eq(mkdir(squat, 0700), 0);
    quell_error err;
    ck_assert_msg(quell_rules_save(compiled, path, &err) == QUELL_OK, "%s", err.message);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "r.qdb r.qdb.tmp ");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    ck_assert_uint_eq((size_t)st.st_size, blob_len);
    /* Saving again keeps the file's mode. */
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_int_eq(quell_rules_save(compiled, path, &err), QUELL_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640);

    /* The target is a folder: the rename fails, and the temporary goes. */
    ck_assert_int_eq(quell_rules_save(compiled, squat, &err), QUELL_EIO);
    ck_assert_str_eq(err.file, squat);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "r.qdb r.qdb.tmp ");
    list_dir(squat, names, sizeof names);
    ck_assert_str_eq(names, "");

    unlink(path);
    rmdir(squat);
    rmdir(dir);
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
    tcase_add_test(tc, test_header_flips_named_corrupt);
    tcase_add_test(tc, test_other_platform_refused);
    tcase_add_test(tc, test_load_tells_damaged_qdb_from_config);
    tcase_add_test(tc, test_save_through_unique_temp);
    tcase_add_test(tc, test_load_leaves_no_map);
    tcase_add_test(tc, test_load_through_pipe);
    tcase_add_test(tc, test_derived_patterns_round_trip);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
