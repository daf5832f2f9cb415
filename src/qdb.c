/*
 * qdb.c - the compiled rules file (.qdb): a checked header, the rule table,
 * and each view's serialized Hyperscan database.
 *
 * Layout, little-endian:
 *   header   magic "QUELLQDB", u32 format version, u32 header bytes,
 *            u64 payload bytes, u64 checksum, char[64] hs_version() of the
 *            writer (NUL-padded)
 *   payload  the rule set's content id (u64, see qdb_content_id), the rule
 *            table (see put_table), each derived pattern's view text (see
 *            put_derived), then per database a u64 length and
 *            hs_serialize_database's bytes (length 0: no database): first
 *            the databases of every pattern, then the regexes' start-
 *            tracking ones (hsdb.h), each for each field, then each view
 *            within it
 * The checksum covers the whole file, its own 8 bytes read as zeros, so a
 * damaged header is told from a foreign one: XXH3 64 of the bytes after the
 * first 32, seeded with XXH3 64 of those 32 (a seed rather than one pass
 * over a copy, because the loader reads the file where it is mapped, read
 * only). From format version 5 on, the first 32 bytes keep this layout and
 * meaning: a reader can always tell a newer file from a damaged one.
 * (Versions 1 to 4 checksummed the payload only, with FNV-1a 64; versions 5
 * to 7 the whole file with FNV-1a 64, a byte at a time, which took a third
 * of the load.)
 * Every count and index read back is bounds-checked before use, so a file
 * that passes the checksum but lies still cannot crash the loader.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "error.h"
#include "lint.h"
#include "pool.h"
#include "ruleset.h"
#include "validate.h"
#include "util/grow.h"

#define QDB_MAGIC            "QUELLQDB"
/* 7: proximity operators in combinations (near, before), the not_name
 * validator and each rule's lint_ignore. 8: the XXH3 checksum, and the
 * patterns' view texts stored rather than normalised again at load. 9: the
 * Arabizi view's databases (one slot more per field). 10: that view's own
 * text, consonant outlines, and its regexes written for it (a format-9
 * file's Arabizi regexes expect the folded text); a som database per rule
 * and slot rather than per slot. 11: context rules (a fact and its
 * at_least) and common phrases. */
#define QDB_FORMAT_VERSION   11
/* The last version whose checksum covered the payload only. */
#define QDB_PAYLOAD_SUM_VERSION 4
/* The last version whose checksum was FNV-1a 64 of the whole file. */
#define QDB_FNV_SUM_VERSION     7
#define QDB_HS_VERSION_BYTES    64
#define QDB_SUM_OFFSET          24
#define QDB_HEADER_BYTES        (8 + 4 + 4 + 8 + 8 + QDB_HS_VERSION_BYTES)
/* The largest .qdb read: far beyond any rule set, and a bound on memory. */
#define QDB_MAX_BYTES ((size_t)1 << 34)
/* A pipe's first read; the buffer doubles from there. */
#define QDB_FIRST_READ_BYTES ((size_t)64 * 1024)

#define FNV_OFFSET_BASIS 0xcbf29ce484222325ULL

static uint64_t fnv1a64(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void store_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The first 32 bytes as the checksum reads them: its own 8 as zeros, and
 * payload_field, when not NULL, in place of the payload length. */
static void checksummed_head(unsigned char head[QDB_SUM_OFFSET + 8], const unsigned char *p,
                             const uint64_t *payload_field)
{
    memcpy(head, p, QDB_SUM_OFFSET);
    if (payload_field)
        store_u64(head + 16, *payload_field);
    memset(head + QDB_SUM_OFFSET, 0, 8);
}

/*
 * The checksum of a whole file (len >= QDB_HEADER_BYTES): every byte but the
 * checksum's own, which count as zeros. When payload_field is not NULL, it
 * stands in for the header's payload length, to test whether a damaged
 * length field is all that is wrong.
 */
static uint64_t file_checksum(const unsigned char *p, size_t len, const uint64_t *payload_field)
{
    unsigned char head[QDB_SUM_OFFSET + 8];
    checksummed_head(head, p, payload_field);
    XXH64_hash_t seed = XXH3_64bits(head, sizeof head);
    return XXH3_64bits_withSeed(p + sizeof head, len - sizeof head, seed);
}

/* Versions 5 to 7's checksum: FNV-1a 64 of the whole file, the checksum's
 * own 8 bytes as zeros. Only to tell such a file from a damaged one. */
static uint64_t fnv_file_checksum(const unsigned char *p, size_t len)
{
    unsigned char head[QDB_SUM_OFFSET + 8];
    checksummed_head(head, p, NULL);
    uint64_t h = fnv1a64(FNV_OFFSET_BASIS, head, sizeof head);
    return fnv1a64(h, p + sizeof head, len - sizeof head);
}

void qdb_seal(char *data, size_t len)
{
    unsigned char *p = (unsigned char *)data;
    if (len < QDB_HEADER_BYTES)
        return;
    store_u64(p + 16, len - QDB_HEADER_BYTES);
    store_u64(p + QDB_SUM_OFFSET, file_checksum(p, len, NULL));
}

/* ---- writing ---- */

struct wbuf {
    unsigned char *p;
    size_t len;
    size_t cap;
    bool is_oom;
    /* A writer that only hashes what it is given (for the content id)
     * keeps no bytes: is_hash_only, and the running FNV-1a in hash. */
    bool is_hash_only;
    uint64_t hash;
};

static void put_bytes(struct wbuf *w, const void *src, size_t n)
{
    if (w->is_oom)
        return;
    if (w->is_hash_only) {
        const unsigned char *b = src;
        for (size_t i = 0; i < n; i++) {
            w->hash ^= b[i];
            w->hash *= 0x100000001b3ULL;
        }
        w->len += n;
        return;
    }
    if (w->cap - w->len < n) {
        size_t need;
        unsigned char *np = NULL;
        /* Catch size_t overflow. */
        if (!__builtin_add_overflow(w->len, n, &need))
            np = grow_array(w->p, &w->cap, need, 1, 4096, GROW_UNCAPPED);
        if (!np) {
            w->is_oom = true;
            return;
        }
        w->p = np;
    }
    if (n)
        memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void put_u64(struct wbuf *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(w, b, 8);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(w, b, 4);
}

static void put_str(struct wbuf *w, const char *s, size_t len)
{
    put_u32(w, (uint32_t)len);
    put_bytes(w, s, len);
}

static void put_cstr(struct wbuf *w, const char *s)
{
    put_str(w, s ? s : "", s ? strlen(s) : 0);
}

/* The table; with_paths false leaves out the rule files' paths, which say
 * where the rules were read from, not what they do (the content id). */
static void put_table(struct wbuf *w, const struct rule_table *t, bool with_paths)
{
    for (int a = 0; a < 4; a++)
        put_u64(w, (uint64_t)t->threshold[a]);
    put_cstr(w, t->label);
    put_u32(w, (uint32_t)t->file_count);
    for (size_t i = 0; i < t->file_count && with_paths; i++)
        put_cstr(w, t->files[i]);
    put_u32(w, (uint32_t)t->category_count);
    for (size_t i = 0; i < t->category_count; i++) {
        put_cstr(w, t->categories[i].name);
        put_u64(w, (uint64_t)t->categories[i].cap);
        put_u32(w, t->categories[i].is_separate ? 1 : 0);
        put_u32(w, t->categories[i].file);
        put_u32(w, t->categories[i].line);
    }
    put_u32(w, (uint32_t)t->rule_count);
    for (size_t i = 0; i < t->rule_count; i++) {
        const struct rule *r = &t->rules[i];
        put_cstr(w, r->id);
        put_u32(w, r->category);
        put_u64(w, (uint64_t)r->weight);
        put_u32(w, r->max_hits);
        put_u32(w, r->min_count);
        put_u32(w, r->field);
        put_u32(w, r->is_caseless);
        put_u32(w, r->validator);
        put_u32(w, r->context);
        put_u32(w, r->at_least);
        put_u32(w, r->lint_quiet);
        put_cstr(w, r->expr_text);
        put_u32(w, r->expr_start);
        put_u32(w, r->expr_len);
        put_u32(w, r->example_start);
        put_u32(w, r->example_count);
        put_u32(w, r->file);
        put_u32(w, r->line);
    }
    put_u32(w, (uint32_t)t->pattern_count);
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        put_str(w, p->text, p->text_len);
        put_u32(w, p->kind);
        put_u32(w, p->view);
        put_u32(w, p->is_caseless);
        put_u32(w, p->rule);
        put_u32(w, p->file);
        put_u32(w, p->line);
    }
    put_u32(w, (uint32_t)t->step_count);
    for (size_t i = 0; i < t->step_count; i++) {
        put_u32(w, t->steps[i].op);
        put_u32(w, t->steps[i].arg);
    }
    put_u32(w, (uint32_t)t->example_count);
    for (size_t i = 0; i < t->example_count; i++) {
        const struct example *e = &t->examples[i];
        put_str(w, e->text, e->text_len);
        put_u32(w, e->should_match);
        put_u32(w, e->line);
    }
    put_u32(w, (uint32_t)t->combo_count);
    for (size_t i = 0; i < t->combo_count; i++)
        put_u32(w, t->combo_order[i]);
    put_u32(w, (uint32_t)t->allow_count);
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_word *a = &t->allows[i];
        put_str(w, a->text, a->text_len);
        put_u32(w, a->category);
        put_u32(w, a->file);
        put_u32(w, a->line);
    }
    put_u32(w, (uint32_t)t->common_count);
    for (size_t i = 0; i < t->common_count; i++) {
        const struct common_phrase *c = &t->commons[i];
        put_str(w, c->text, c->text_len);
        put_u32(w, c->file);
        put_u32(w, c->line);
    }
}

/* After the table, each derived pattern's view text (ruleset_is_derived),
 * in pattern order: the text as a string, then a u32 that is 0 when it has
 * no letter runs (pattern_info.runs NULL), else the text's length, and that
 * many run bytes. The loader would otherwise normalise every pattern again:
 * for the shipped rules, 15 ms of the load. Not part of the content id: it
 * follows from the table. */
static void put_derived(struct wbuf *w, const struct quell_rules *rules)
{
    const struct rule_table *t = rules->table;
    for (size_t i = 0; i < t->pattern_count; i++) {
        if (!ruleset_is_derived(&t->patterns[i]))
            continue;
        const struct pattern_info *info = &rules->patterns[i];
        put_str(w, info->text, info->len);
        put_u32(w, info->runs ? info->len : 0);
        if (info->runs)
            put_bytes(w, info->runs, info->len);
    }
}

/* Each database after the table, the slots' then the som ones in
 * hsdb_som_layout's order: a u64 length and hs_serialize_database's bytes,
 * length 0 for none. Returns QUELL_OK or QUELL_ENOMEM. */
static int put_databases(struct wbuf *w, const struct quell_rules *rules, quell_error *err)
{
    for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
        const hs_database_t *db = hsdb_nth(&rules->hs, k);
        char *bytes = NULL;
        size_t len = 0;
        if (db && hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL,
                           "Hyperscan could not serialize a database");
        put_u64(w, len);
        put_bytes(w, bytes, len);
        free(bytes);
    }
    return QUELL_OK;
}

int qdb_write(const struct quell_rules *rules, char **out, size_t *out_len, quell_error *err)
{
    *out = NULL;
    *out_len = 0;
    struct wbuf w = {0};
    /* Header first with a zero checksum, patched once the payload is known. */
    put_bytes(&w, QDB_MAGIC, 8);
    put_u32(&w, QDB_FORMAT_VERSION);
    put_u32(&w, QDB_HEADER_BYTES);
    put_u64(&w, 0);
    put_u64(&w, 0);
    char hsver[QDB_HS_VERSION_BYTES] = {0};
    strncpy(hsver, hs_version(), sizeof hsver - 1);
    put_bytes(&w, hsver, sizeof hsver);

    put_u64(&w, rules->content_id);
    put_table(&w, rules->table, true);
    put_derived(&w, rules);
    if (put_databases(&w, rules, err) != QUELL_OK) {
        free(w.p);
        return QUELL_ENOMEM;
    }
    if (w.is_oom) {
        free(w.p);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory serializing rules");
    }
    qdb_seal((char *)w.p, w.len);
    *out = (char *)w.p;
    *out_len = w.len;
    return QUELL_OK;
}

int qdb_content_id(const struct quell_rules *rules, uint64_t *out, quell_error *err)
{
    *out = 0;
    struct wbuf w = {.is_hash_only = true, .hash = 0xcbf29ce484222325ULL};
    put_table(&w, rules->table, false);
    int rc = put_databases(&w, rules, err);
    free(w.p); /* NULL: a hashing writer keeps no bytes */
    if (rc == QUELL_OK)
        *out = w.hash;
    return rc;
}

/* ---- reading ---- */

struct rbuf {
    const unsigned char *p;
    size_t len;
    size_t off;
    bool is_bad;
};

static bool take(struct rbuf *r, size_t n)
{
    if (r->is_bad || r->len - r->off < n) {
        r->is_bad = true;
        return false;
    }
    return true;
}

static uint64_t get_u64(struct rbuf *r)
{
    if (!take(r, 8))
        return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[r->off + i] << (8 * i);
    r->off += 8;
    return v;
}

static uint32_t get_u32(struct rbuf *r)
{
    if (!take(r, 4))
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)r->p[r->off + i] << (8 * i);
    r->off += 4;
    return v;
}

/* A string copied into the pool; NULL (and r marked bad) on any problem. */
static const char *get_str(struct rbuf *r, struct pool *pool, uint32_t *len_out)
{
    uint32_t len = get_u32(r);
    if (!take(r, len))
        return NULL;
    char *s = pool_strndup(pool, (const char *)r->p + r->off, len);
    if (!s) {
        r->is_bad = true;
        return NULL;
    }
    r->off += len;
    if (len_out)
        *len_out = len;
    return s;
}

/* Allocate count items of size from the pool, refusing counts the
 * remaining bytes could not possibly describe (min_bytes each). */
static void *get_array(struct rbuf *r, struct pool *pool, size_t count, size_t size,
                       size_t min_bytes)
{
    size_t total;
    if (r->is_bad || (count && (r->len - r->off) / count < min_bytes) ||
        __builtin_mul_overflow(count, size, &total)) {
        r->is_bad = true;
        return NULL;
    }
    void *p = pool_alloc(pool, total ? total : 1);
    if (!p)
        r->is_bad = true;
    return p;
}

static bool table_is_consistent(const struct rule_table *t)
{
    if (t->threshold[QUELL_PASS] != 0 || t->threshold[QUELL_FLAG] <= 0 ||
        t->threshold[QUELL_HOLD] <= t->threshold[QUELL_FLAG] ||
        t->threshold[QUELL_REJECT] <= t->threshold[QUELL_HOLD])
        return false;
    if (t->rule_count > RULES_MAX)
        return false;
    for (size_t i = 0; i < t->rule_count; i++) {
        const struct rule *r = &t->rules[i];
        if (r->category >= t->category_count || r->field >= QUELL_FIELD_COUNT ||
            r->weight > WEIGHT_MAX || r->weight < -WEIGHT_MAX || r->max_hits == 0 ||
            r->min_count == 0 || r->validator >= VALIDATE_COUNT ||
            r->context >= CONTEXT_FACT_COUNT || (r->context != CONTEXT_NONE) != (r->at_least > 0) ||
            (r->context != CONTEXT_NONE && r->expr_len > 0) ||
            (r->lint_quiet >> LINT_CODE_COUNT) != 0 || r->file >= t->file_count ||
            r->expr_start > t->step_count || r->expr_len > t->step_count - r->expr_start ||
            r->example_start > t->example_count ||
            r->example_count > t->example_count - r->example_start)
            return false;
        /* Reverse Polish steps must leave exactly one value, never underflow. */
        size_t depth = 0;
        for (uint32_t k = 0; k < r->expr_len; k++) {
            const struct expr_step *s = &t->steps[r->expr_start + k];
            switch (s->op) {
            case EXPR_RULE:
            case EXPR_SPAN:
                if (s->arg >= t->rule_count)
                    return false;
                depth++;
                break;
            case EXPR_NEAR:
            case EXPR_BEFORE:
                /* Its operands are the two SPAN steps just before it. */
                if (k < 2 || s[-1].op != EXPR_SPAN || s[-2].op != EXPR_SPAN ||
                    (s->arg & ~EXPR_NEGATED) > EXPR_MAX_WORDS)
                    return false;
                depth--;
                break;
            case EXPR_NOT:
                if (depth < 1)
                    return false;
                break;
            case EXPR_AND:
            case EXPR_OR:
                if (depth < 2)
                    return false;
                depth--;
                break;
            default:
                return false;
            }
        }
        if (r->expr_len && depth != 1)
            return false;
    }
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        /* Arabizi patterns, and they alone, live in the Arabizi view. */
        if (p->kind > PAT_ARABIZI || p->view >= VIEW_COUNT ||
            (p->kind == PAT_ARABIZI) != (p->view == VIEW_ARABIZI) || p->rule >= t->rule_count ||
            p->file >= t->file_count || t->rules[p->rule].expr_len != 0 ||
            t->rules[p->rule].context != CONTEXT_NONE)
            return false;
    }
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_word *a = &t->allows[i];
        if ((a->category >= t->category_count && a->category != ALLOW_ALL_CATEGORIES) ||
            a->file >= t->file_count || a->text_len == 0)
            return false;
    }
    for (size_t i = 0; i < t->common_count; i++) {
        if (t->commons[i].file >= t->file_count || t->commons[i].text_len == 0)
            return false;
    }
    /* Combinations must come after their operands, as the loader ordered them. */
    for (size_t i = 0; i < t->combo_count; i++) {
        uint32_t ri = t->combo_order[i];
        if (ri >= t->rule_count || t->rules[ri].expr_len == 0)
            return false;
    }
    return true;
}

static int get_table(struct rbuf *r, struct rule_table **out, quell_error *err)
{
    *out = NULL;
    /* The table lives in its own pool, as rules_free expects. */
    struct pool *pool = pool_new();
    struct rule_table *t = pool ? pool_alloc(pool, sizeof *t) : NULL;
    if (!t) {
        pool_free(pool);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading rules");
    }
    t->pool = pool;

    for (int a = 0; a < 4; a++)
        t->threshold[a] = (int64_t)get_u64(r);
    uint32_t label_len = 0;
    t->label = get_str(r, pool, &label_len);
    if (t->label && label_len == 0)
        t->label = NULL; /* written as "" when there is none */
    t->file_count = get_u32(r);
    t->files = get_array(r, pool, t->file_count, sizeof *t->files, 4);
    for (size_t i = 0; i < t->file_count && !r->is_bad; i++)
        t->files[i] = get_str(r, pool, NULL);
    t->category_count = get_u32(r);
    t->categories = get_array(r, pool, t->category_count, sizeof *t->categories, 16);
    for (size_t i = 0; i < t->category_count && !r->is_bad; i++) {
        t->categories[i].name = get_str(r, pool, NULL);
        t->categories[i].cap = (int64_t)get_u64(r);
        uint32_t is_separate = get_u32(r);
        if (is_separate > 1)
            r->is_bad = true;
        t->categories[i].is_separate = is_separate == 1;
        t->categories[i].file = get_u32(r);
        t->categories[i].line = get_u32(r);
        if (t->categories[i].file >= t->file_count)
            r->is_bad = true;
    }
    t->rule_count = get_u32(r);
    t->rules = get_array(r, pool, t->rule_count, sizeof *t->rules, 64);
    for (size_t i = 0; i < t->rule_count && !r->is_bad; i++) {
        struct rule *ru = &t->rules[i];
        ru->id = get_str(r, pool, NULL);
        ru->category = get_u32(r);
        ru->weight = (int64_t)get_u64(r);
        ru->max_hits = get_u32(r);
        ru->min_count = get_u32(r);
        ru->field = (uint8_t)get_u32(r);
        ru->is_caseless = (uint8_t)get_u32(r);
        ru->validator = (uint8_t)get_u32(r);
        uint32_t context = get_u32(r);
        ru->context = context < CONTEXT_FACT_COUNT ? (uint8_t)context : CONTEXT_FACT_COUNT;
        ru->at_least = get_u32(r);
        ru->lint_quiet = get_u32(r);
        ru->expr_text = get_str(r, pool, NULL);
        ru->expr_start = get_u32(r);
        ru->expr_len = get_u32(r);
        ru->example_start = get_u32(r);
        ru->example_count = get_u32(r);
        ru->file = get_u32(r);
        ru->line = get_u32(r);
    }
    t->pattern_count = get_u32(r);
    t->patterns = get_array(r, pool, t->pattern_count, sizeof *t->patterns, 28);
    for (size_t i = 0; i < t->pattern_count && !r->is_bad; i++) {
        struct pattern *p = &t->patterns[i];
        p->text = get_str(r, pool, &p->text_len);
        p->kind = (uint8_t)get_u32(r);
        p->view = (uint8_t)get_u32(r);
        p->is_caseless = (uint8_t)get_u32(r);
        p->rule = get_u32(r);
        p->file = get_u32(r);
        p->line = get_u32(r);
    }
    t->step_count = get_u32(r);
    t->steps = get_array(r, pool, t->step_count, sizeof *t->steps, 8);
    for (size_t i = 0; i < t->step_count && !r->is_bad; i++) {
        t->steps[i].op = get_u32(r);
        t->steps[i].arg = get_u32(r);
    }
    t->example_count = get_u32(r);
    t->examples = get_array(r, pool, t->example_count, sizeof *t->examples, 12);
    for (size_t i = 0; i < t->example_count && !r->is_bad; i++) {
        struct example *e = &t->examples[i];
        e->text = get_str(r, pool, &e->text_len);
        e->should_match = (uint8_t)get_u32(r);
        e->line = get_u32(r);
    }
    t->combo_count = get_u32(r);
    t->combo_order = get_array(r, pool, t->combo_count, sizeof *t->combo_order, 4);
    for (size_t i = 0; i < t->combo_count && !r->is_bad; i++)
        t->combo_order[i] = get_u32(r);
    t->allow_count = get_u32(r);
    t->allows = get_array(r, pool, t->allow_count, sizeof *t->allows, 16);
    for (size_t i = 0; i < t->allow_count && !r->is_bad; i++) {
        struct allow_word *a = &t->allows[i];
        a->text = get_str(r, pool, &a->text_len);
        a->category = get_u32(r);
        a->file = get_u32(r);
        a->line = get_u32(r);
    }
    t->common_count = get_u32(r);
    t->commons = get_array(r, pool, t->common_count, sizeof *t->commons, 12);
    for (size_t i = 0; i < t->common_count && !r->is_bad; i++) {
        struct common_phrase *c = &t->commons[i];
        c->text = get_str(r, pool, &c->text_len);
        c->file = get_u32(r);
        c->line = get_u32(r);
    }

    if (r->is_bad || !table_is_consistent(t)) {
        rules_free(t);
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file is corrupt: its rule table does not hold together");
    }
    *out = t;
    return QUELL_OK;
}

/* Bits in which the first bytes of data differ from the magic (at most 8
 * bytes compared). */
static unsigned int magic_distance(const char *data, size_t len)
{
    unsigned int bits = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        bits += (unsigned int)__builtin_popcount((unsigned char)data[i] ^ (unsigned char)QDB_MAGIC[i]);
    return bits;
}

/*
 * A configuration is text that starts with a setting name, a comment or
 * space, and no valid one contains a NUL byte (libconfig would stop there);
 * every .qdb has NULs in its first 16 bytes (the header size field). So
 * a file is taken for a .qdb when it starts with the magic, with something
 * within 4 bits of it (no setting libconfig accepts is named like that,
 * and quell refuses unknown keys anyway), or holds a NUL in its head.
 */
enum qdb_kind qdb_sniff(const char *head, size_t len)
{
    if (len == 0)
        return QDB_KIND_EMPTY;
    if (len >= 8 && memcmp(head, QDB_MAGIC, 8) == 0)
        return QDB_KIND_QDB;
    if ((len >= 4 && magic_distance(head, len) <= 4) || memchr(head, '\0', len))
        return QDB_KIND_DAMAGED;
    return QDB_KIND_TEXT;
}

/*
 * The derived patterns' view texts (put_derived), into a malloc'd array by
 * pattern index whose texts and runs point into r's bytes: ruleset_new_derived
 * copies them before the file goes. Each must be what the normaliser could
 * have made: not empty (a span ends at its last byte), runs only in the
 * skeleton view, each run at least 1. *out NULL when no pattern is derived.
 */
static int get_derived(struct rbuf *r, const struct rule_table *t, struct pattern_info **out,
                       quell_error *err)
{
    *out = NULL;
    size_t count = 0;
    for (size_t i = 0; i < t->pattern_count; i++)
        count += ruleset_is_derived(&t->patterns[i]);
    if (count == 0)
        return QUELL_OK;
    /* Each takes 8 bytes at least. */
    if ((r->len - r->off) / 8 < count)
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file is corrupt: its patterns' view texts are cut short");
    struct pattern_info *infos = calloc(t->pattern_count, sizeof *infos);
    if (!infos)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading patterns");
    for (size_t i = 0; i < t->pattern_count && !r->is_bad; i++) {
        const struct pattern *pat = &t->patterns[i];
        if (!ruleset_is_derived(pat))
            continue;
        uint32_t len = get_u32(r);
        if (len == 0 || !take(r, len)) {
            r->is_bad = true;
            break;
        }
        infos[i].text = (const char *)r->p + r->off;
        infos[i].len = len;
        r->off += len;
        uint32_t runs_len = get_u32(r);
        if (runs_len == 0)
            continue;
        if (runs_len != len || pat->view != VIEW_SKELETON || pat->kind == PAT_ARABIZI ||
            !take(r, len) || memchr(r->p + r->off, 0, len)) {
            r->is_bad = true;
            break;
        }
        infos[i].runs = r->p + r->off;
        r->off += len;
    }
    if (r->is_bad) {
        free(infos);
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file is corrupt: its patterns' view texts do not hold "
                       "together");
    }
    *out = infos;
    return QUELL_OK;
}

/* Hyperscan's refusal of a serialized database, as quell's error. */
static int database_error(hs_error_t hrc, const char *bytes, size_t len, quell_error *err)
{
    if (hrc == HS_DB_VERSION_ERROR)
        return err_set(err, QUELL_EPLATFORM, NULL, 0, NULL,
                       "compiled rules were built by another Hyperscan version; recompile them");
    if (hrc == HS_DB_PLATFORM_ERROR) {
        /* Name the CPU features the database wants, when Hyperscan can say. */
        char *info = NULL;
        if (hs_serialized_database_info(bytes, len, &info) != HS_SUCCESS)
            info = NULL;
        err_set(err, QUELL_EPLATFORM, NULL, 0, NULL,
                "compiled rules were built for another CPU platform (%s), not this one; "
                "recompile them on this machine",
                info ? info : "unknown");
        free(info);
        return QUELL_EPLATFORM;
    }
    if (hrc == HS_NOMEM)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading a database");
    return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                   "compiled rules file holds an invalid Hyperscan database (code %d)", hrc);
}

/* Where each database goes in the arena: Hyperscan asks for 8-byte
 * alignment, and aligns the bytecode inside to 64 itself. */
#define QDB_DB_ALIGN 64

/*
 * Read the databases after the table into one anonymous mapping, out->arena
 * (hs_deserialize_database_at), rather than one malloc each: the mapping is
 * asked for transparent huge pages, so tens of megabytes of databases cost a
 * few dozen page faults rather than thousands (for the shipped rules, about
 * half of Hyperscan's share of the load). The databases are made read-only
 * once in place. On failure nothing is kept.
 */
static int get_databases(struct rbuf *r, const struct rule_table *table, struct hsdb *out,
                         quell_error *err)
{
    memset(out, 0, sizeof *out);
    if (hsdb_som_layout(out, table) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading the databases");
    size_t count = hsdb_count(out);
    const char **bytes = calloc(count, sizeof *bytes);
    size_t *lens = calloc(count, sizeof *lens), *offs = calloc(count, sizeof *offs), total = 0;
    int rc = QUELL_OK;
    if (!bytes || !lens || !offs) {
        rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading the databases");
        goto out;
    }
    /* First their lengths and sizes, all checked before any memory. */
    for (size_t k = 0; k < count; k++) {
        uint64_t len = get_u64(r);
        if (r->is_bad || len > r->len - r->off) {
            rc = err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                         "compiled rules file is truncated inside a database");
            goto out;
        }
        bytes[k] = (const char *)r->p + r->off;
        lens[k] = (size_t)len;
        r->off += len;
        offs[k] = total;
        if (len == 0)
            continue;
        size_t size;
        hs_error_t hrc = hs_serialized_database_size(bytes[k], lens[k], &size);
        if (hrc != HS_SUCCESS) {
            rc = database_error(hrc, bytes[k], lens[k], err);
            goto out;
        }
        /* Catch size_t overflow. */
        if (__builtin_add_overflow(total, size, &total) ||
            __builtin_add_overflow(total, QDB_DB_ALIGN - 1, &total)) {
            rc = err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                         "compiled rules file holds an invalid Hyperscan database");
            goto out;
        }
        total &= ~(size_t)(QDB_DB_ALIGN - 1);
    }
    if (total == 0)
        goto out;
    char *arena = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED) {
        rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading the databases");
        goto out;
    }
    /* Advice only: without huge pages or MADV_POPULATE_WRITE (Linux 5.14)
     * the pages fault in one by one as Hyperscan writes them. */
#ifdef MADV_HUGEPAGE
    (void)madvise(arena, total, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
    (void)madvise(arena, total, MADV_POPULATE_WRITE);
#endif
    for (size_t k = 0; k < count; k++) {
        if (lens[k] == 0)
            continue;
        hs_error_t hrc =
            hs_deserialize_database_at(bytes[k], lens[k], (hs_database_t *)(void *)(arena + offs[k]));
        if (hrc != HS_SUCCESS) {
            munmap(arena, total);
            rc = database_error(hrc, bytes[k], lens[k], err);
            goto out;
        }
    }
    /* Nothing writes a database after this (hs_scan takes it const): a
     * stray write faults rather than changes the rules. */
    if (mprotect(arena, total, PROT_READ) != 0) {
        munmap(arena, total);
        rc = err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory loading the databases");
        goto out;
    }
    /* Only now: out points into the arena once nothing can unmap it. */
    for (size_t k = 0; k < count; k++) {
        hs_database_t *db = lens[k] ? (hs_database_t *)(void *)(arena + offs[k]) : NULL;
        if (k < HSDB_COUNT)
            out->db[k] = db;
        else
            out->som[k - HSDB_COUNT] = db;
    }
    out->arena = arena;
    out->arena_bytes = total;
out:
    free(bytes);
    free(lens);
    free(offs);
    if (rc != QUELL_OK)
        hsdb_free(out);
    return rc;
}

/* Whether the writer's Hyperscan version, all 64 bytes with the padding
 * (the writer zero-fills it), is ours. */
static bool is_our_hs_version(const char *data)
{
    char ours[QDB_HS_VERSION_BYTES] = {0};
    strncpy(ours, hs_version(), sizeof ours - 1);
    return memcmp(data + QDB_HEADER_BYTES - QDB_HS_VERSION_BYTES, ours, sizeof ours) == 0;
}

/*
 * Check everything the header says before any of it is trusted: the
 * checksum first, then the format and Hyperscan versions. A checksum that
 * fails is explained as well as the bytes allow: an older format (whose
 * checksum covered the payload only), a damaged length field, a truncated
 * file, a damaged header or damaged contents.
 */
static int check_header(const char *data, size_t len, quell_error *err)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len < 8 || memcmp(data, QDB_MAGIC, 8) != 0) {
        if (len >= 4 && magic_distance(data, len) <= 4)
            return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                           "corrupt .qdb header: damaged magic (not \"" QDB_MAGIC "\")");
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "not a compiled quell rules file (bad magic or too short)");
    }
    if (len < QDB_HEADER_BYTES)
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file is truncated: too short for its header (%zu of %d "
                       "bytes)",
                       len, QDB_HEADER_BYTES);
    struct rbuf hdr = {.p = p, .len = len, .off = 8};
    uint32_t version = get_u32(&hdr);
    uint32_t header_bytes = get_u32(&hdr);
    uint64_t payload = get_u64(&hdr);
    uint64_t sum = get_u64(&hdr);
    size_t actual = len - QDB_HEADER_BYTES;

    if (file_checksum(p, len, NULL) != sum) {
        /* An older format, whose checksum this one's cannot match: told
         * to recompile, not called corrupt, when the old checksum holds. */
        bool is_old = header_bytes == QDB_HEADER_BYTES && payload == actual &&
                      ((version >= 1 && version <= QDB_PAYLOAD_SUM_VERSION &&
                        fnv1a64(FNV_OFFSET_BASIS, p + QDB_HEADER_BYTES, actual) == sum) ||
                       (version > QDB_PAYLOAD_SUM_VERSION && version <= QDB_FNV_SUM_VERSION &&
                        fnv_file_checksum(p, len) == sum));
        if (is_old)
            return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                           "compiled rules file has format version %u; this quell reads %d: "
                           "recompile it",
                           (unsigned)version, QDB_FORMAT_VERSION);
        if (payload != actual) {
            uint64_t fixed = actual;
            if (file_checksum(p, len, &fixed) == sum)
                return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                               "corrupt .qdb header: checksum mismatch (its payload length is "
                               "damaged)");
            if (payload > actual)
                return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                               "compiled rules file is truncated: %zu payload bytes, header says "
                               "%llu",
                               actual, (unsigned long long)payload);
            return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                           "corrupt .qdb: checksum mismatch, and %llu bytes more than its header "
                           "says",
                           (unsigned long long)(actual - payload));
        }
        if (version != QDB_FORMAT_VERSION || header_bytes != QDB_HEADER_BYTES ||
            !is_our_hs_version(data))
            return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                           "corrupt .qdb header: checksum mismatch");
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL, "corrupt .qdb: checksum mismatch");
    }
    /* The header is as written: its fields can be believed. */
    if (version != QDB_FORMAT_VERSION)
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file has format version %u; this quell reads %d: "
                       "recompile it",
                       (unsigned)version, QDB_FORMAT_VERSION);
    if (header_bytes != QDB_HEADER_BYTES || payload != actual)
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "corrupt .qdb header: sizes that do not match the file");
    if (!is_our_hs_version(data)) {
        char hsver[QDB_HS_VERSION_BYTES + 1] = {0};
        memcpy(hsver, data + QDB_HEADER_BYTES - QDB_HS_VERSION_BYTES, QDB_HS_VERSION_BYTES);
        char quoted[QUOTE_BUF_BYTES];
        return err_set(err, QUELL_EPLATFORM, NULL, 0, NULL,
                       "compiled rules were built with Hyperscan %s, this is %s; recompile them",
                       rules_quote(quoted, sizeof quoted, hsver, strlen(hsver)), hs_version());
    }
    return QUELL_OK;
}

int qdb_read(struct quell_rules **out, const char *data, size_t len, quell_error *err)
{
    *out = NULL;
    int rc = check_header(data, len, err);
    if (rc != QUELL_OK)
        return rc;

    struct rbuf r = {.p = (const unsigned char *)data, .len = len, .off = QDB_HEADER_BYTES};
    uint64_t content_id = get_u64(&r);
    struct rule_table *table = NULL;
    rc = get_table(&r, &table, err);
    if (rc != QUELL_OK)
        return rc;
    assert(table);
    struct pattern_info *derived;
    rc = get_derived(&r, table, &derived, err);
    if (rc != QUELL_OK) {
        rules_free(table);
        return rc;
    }
    /* The databases before the derived tables: a damaged file fails
     * before the normaliser's tables are built for nothing. */
    struct hsdb hs;
    rc = get_databases(&r, table, &hs, err);
    if (rc != QUELL_OK)
        goto fail_free_dbs;
    /* A database exactly where some pattern needs one, and every som
     * database (each has a regex by its layout). */
    bool has_patterns[HSDB_COUNT] = {false}, is_whole = true;
    for (size_t i = 0; i < table->pattern_count; i++)
        has_patterns[hsdb_pattern_slot(table, &table->patterns[i])] = true;
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++)
        is_whole &= has_patterns[slot] == (hs.db[slot] != NULL);
    for (size_t g = 0; g < hs.som_count; g++)
        is_whole &= hs.som[g] != NULL;
    if (!is_whole) {
        rc = err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                     "compiled rules file is corrupt: databases do not match the rules");
        goto fail_free_dbs;
    }
    if (r.off != r.len) {
        rc = err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                     "compiled rules file has %zu bytes of trailing data", r.len - r.off);
        goto fail_free_dbs;
    }
    struct quell_rules *rules;
    rc = ruleset_new_derived(&rules, table, derived, err);
    free(derived);
    if (rc != QUELL_OK) {
        hsdb_free(&hs);
        if (rc != QUELL_ECONFIG)
            return rc;
        /* Patterns a compiler accepted cannot fail to normalise: the file
         * lies. */
        char msg[sizeof err->message] = "";
        if (err)
            memcpy(msg, err->message, sizeof msg);
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL, "compiled rules file is corrupt: %.400s",
                       msg);
    }
    rules->hs = hs;
    rules->content_id = content_id;
    rc = ruleset_finish(rules, err);
    if (rc != QUELL_OK) {
        ruleset_free(rules);
        return rc;
    }
    *out = rules;
    return QUELL_OK;

fail_free_dbs:
    hsdb_free(&hs);
    free(derived);
    rules_free(table);
    return rc;
}

/* Read the rest of fd after the head bytes already taken from it, into a
 * malloc'd buffer that starts with them: for what cannot be mapped (a
 * pipe). */
static int read_rest(int fd, const char *head, size_t head_len, char **out, size_t *out_len,
                     quell_error *err)
{
    *out = NULL;
    *out_len = 0;
    size_t len = head_len, cap = 0;
    char *buf =
        grow_array(NULL, &cap, head_len ? head_len : 1, 1, QDB_FIRST_READ_BYTES, QDB_MAX_BYTES + 1);
    if (!buf)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory reading");
    if (head_len)
        memcpy(buf, head, head_len);
    for (;;) {
        if (len == cap) {
            /* One byte past the limit tells "exactly the limit" from "more". */
            char *p = grow_array(buf, &cap, len + 1, 1, QDB_FIRST_READ_BYTES, QDB_MAX_BYTES + 1);
            if (!p) {
                free(buf);
                if (len > QDB_MAX_BYTES)
                    return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                                   "compiled rules file is larger than %zu bytes", QDB_MAX_BYTES);
                return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory reading");
            }
            buf = p;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return err_set(err, QUELL_EIO, NULL, 0, NULL, "read error: %s", strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > QDB_MAX_BYTES) {
        free(buf);
        return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                       "compiled rules file is larger than %zu bytes", QDB_MAX_BYTES);
    }
    *out = buf;
    *out_len = len;
    return QUELL_OK;
}

int qdb_load_fd(struct quell_rules **out, int fd, const char *head, size_t head_len,
                quell_error *err)
{
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return err_set(err, QUELL_EIO, NULL, 0, NULL, "cannot stat: %s", strerror(errno));
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size > QDB_MAX_BYTES)
            return err_set(err, QUELL_EFORMAT, NULL, 0, NULL,
                           "compiled rules file is larger than %zu bytes", QDB_MAX_BYTES);
        size_t len = (size_t)st.st_size;
        /* MAP_POPULATE: one pass of the kernel's over the page cache rather
         * than a fault per page as the checksum reads on. */
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (map != MAP_FAILED) {
            int rc = qdb_read(out, map, len, err);
            munmap(map, len);
            return rc;
        }
        /* Some file systems cannot map: read it instead, from the start. */
        if (lseek(fd, 0, SEEK_SET) != 0)
            return err_set(err, QUELL_EIO, NULL, 0, NULL, "cannot seek: %s", strerror(errno));
        head_len = 0;
    }
    char *data;
    size_t len;
    int rc = read_rest(fd, head, head_len, &data, &len, err);
    if (rc != QUELL_OK)
        return rc;
    assert(data);
    rc = qdb_read(out, data, len, err);
    free(data);
    return rc;
}
