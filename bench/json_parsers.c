/*
 * json_parsers.c - the ways to read a JSON Lines record, timed on the same
 * records: cJSON's tree with malloc (what record.c used), cJSON's tree in a
 * bump arena reset per record, jsmn's tokens alone, a hand-written floor
 * (every string skipped with memchr, nothing checked or decoded), and
 * quell_record_parse as built; and the verdict writer. Best of REPEATS
 * passes, in CPU ns per record.
 *
 * Usage: bench_json CORPUS.jsonl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "quell.h"

#define REPEATS 7

struct records {
    char **line;
    size_t *len;
    size_t count;
};

static double now_s(void)
{
    struct timespec ts;
    /* CPU time: the machine is shared, and waiting is not parsing. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "bench_json: out of memory\n");
        exit(1);
    }
    return q;
}

static int load(const char *path, struct records *r)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t n;
    memset(r, 0, sizeof *r);
    while ((n = getline(&line, &cap, f)) > 0) {
        if (r->count == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            r->line = xrealloc(r->line, alloc * sizeof *r->line);
            r->len = xrealloc(r->len, alloc * sizeof *r->len);
        }
        r->len[r->count] = (size_t)n - (line[n - 1] == '\n');
        r->line[r->count] = xrealloc(NULL, r->len[r->count] + 1);
        memcpy(r->line[r->count], line, r->len[r->count] + 1);
        r->count++;
    }
    free(line);
    fclose(f);
    return r->count ? 0 : -1;
}

/* The arena behind cJSON's hooks: process-wide, which is why the library
 * cannot use it (cJSON_InitHooks is global state). */
static char *arena;
static size_t arena_used, arena_cap;

static void *arena_malloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (arena_used + n > arena_cap)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static void arena_free(void *p)
{
    (void)p;
}

static volatile size_t sink;

static double time_cjson(const struct records *r)
{
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++) {
        cJSON *tree = cJSON_ParseWithLengthOpts(r->line[i], r->len[i], NULL, 0);
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(tree, "body");
        sink += cJSON_IsString(body);
        cJSON_Delete(tree);
    }
    return now_s() - t0;
}

static double time_cjson_arena(const struct records *r)
{
    cJSON_Hooks hooks = {arena_malloc, arena_free};
    cJSON_InitHooks(&hooks);
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++) {
        arena_used = 0;
        const cJSON *tree = cJSON_ParseWithLengthOpts(r->line[i], r->len[i], NULL, 0);
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(tree, "body");
        sink += cJSON_IsString(body);
    }
    double t = now_s() - t0;
    cJSON_InitHooks(NULL);
    return t;
}

static double time_jsmn(const struct records *r, jsmntok_t *toks, unsigned int tok_cap)
{
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++) {
        jsmn_parser jp;
        jsmn_init(&jp);
        sink += (size_t)jsmn_parse(&jp, r->line[i], r->len[i], toks, tok_cap);
    }
    return now_s() - t0;
}

/* The least a hand-written reader does: find each string's end with memchr
 * (an escaped quote goes on), count the strings. No checking, no decoding. */
static double time_hand_floor(const struct records *r)
{
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++) {
        const char *s = r->line[i], *end = s + r->len[i];
        size_t strings = 0;
        const char *q = memchr(s, '"', (size_t)(end - s));
        while (q) {
            const char *close = q + 1;
            for (;;) {
                close = memchr(close, '"', (size_t)(end - close));
                if (!close || close[-1] != '\\')
                    break;
                close++;
            }
            if (!close)
                break;
            strings++;
            q = close + 1 < end ? memchr(close + 1, '"', (size_t)(end - close - 1)) : NULL;
        }
        sink += strings;
    }
    return now_s() - t0;
}

static double time_quell(const struct records *r, quell_record_parser *p)
{
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++) {
        const quell_record *rec;
        sink += (size_t)quell_record_parse(p, r->line[i], r->len[i], &rec, NULL);
    }
    return now_s() - t0;
}

/* The writer's side: a pass verdict and a flag verdict with one rule and
 * one hit, as `quell filter` writes them per comment. */
static double time_writer(const struct records *r, const quell_verdict *v)
{
    char buf[512];
    double t0 = now_s();
    for (size_t i = 0; i < r->count; i++)
        sink += quell_verdict_to_json(v, "123456", 6, buf, sizeof buf);
    return now_s() - t0;
}

static void keep_min(double *best, double t)
{
    if (t < *best)
        *best = t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS.jsonl\n", argv[0]);
        return 2;
    }
    struct records r;
    if (load(argv[1], &r) != 0) {
        fprintf(stderr, "bench_json: no records in %s\n", argv[1]);
        return 1;
    }
    size_t longest = 0, bytes = 0;
    for (size_t i = 0; i < r.count; i++) {
        bytes += r.len[i];
        if (r.len[i] > longest)
            longest = r.len[i];
    }
    /* cJSON needs a few items per byte at most: room for the longest. */
    arena_cap = 64 * longest + 4096;
    arena = xrealloc(NULL, arena_cap);
    quell_record_parser *p;
    if (quell_record_parser_new(&p, QUELL_FORMAT_JSONL, NULL, NULL) != QUELL_OK) {
        fprintf(stderr, "bench_json: no parser\n");
        exit(1);
    }
    unsigned int tok_cap = (unsigned int)longest + 1;
    jsmntok_t *toks = xrealloc(NULL, tok_cap * sizeof *toks);

    static const double category_scores[] = {0, 4.5};
    static const char *const category_names[] = {"spam", "insult"};
    static const quell_rule_result rules[] = {{"r1", "insult", 1, 4.5, 0}};
    static const quell_hit hits[] = {
        {"r1", "insult", QUELL_FIELD_BODY, 4, 9, "idiot", "skeleton", "idiot"},
    };
    const quell_verdict pass = {.action = QUELL_PASS,
                                .category_scores = category_scores,
                                .category_names = category_names,
                                .category_count = 1};
    const quell_verdict flag = {.action = QUELL_FLAG,
                                .score = 4.5,
                                .category_scores = category_scores,
                                .category_names = category_names,
                                .category_count = 2,
                                .rules = rules,
                                .rule_count = 1,
                                .hits = hits,
                                .hit_count = 1};
    double cjson = 1e30, cjson_arena = 1e30, jsmn = 1e30, hand = 1e30, quell = 1e30;
    double write_pass = 1e30, write_flag = 1e30;
    for (int k = 0; k < REPEATS; k++) {
        keep_min(&cjson, time_cjson(&r));
        keep_min(&cjson_arena, time_cjson_arena(&r));
        keep_min(&jsmn, time_jsmn(&r, toks, tok_cap));
        keep_min(&hand, time_hand_floor(&r));
        keep_min(&quell, time_quell(&r, p));
        keep_min(&write_pass, time_writer(&r, &pass));
        keep_min(&write_flag, time_writer(&r, &flag));
    }
    double n = (double)r.count;
    printf("%zu records, %.0f bytes each on average; ns per record, best of %d:\n", r.count,
           (double)bytes / n, REPEATS);
    printf("  cJSON tree, malloc (record.c before)      %6.0f\n", cjson / n * 1e9);
    printf("  cJSON tree, bump arena via InitHooks      %6.0f\n", cjson_arena / n * 1e9);
    printf("  jsmn tokens alone (strict, parent links)  %6.0f\n", jsmn / n * 1e9);
    printf("  hand-written floor (memchr over strings)  %6.0f\n", hand / n * 1e9);
    printf("  quell_record_parse as built               %6.0f\n", quell / n * 1e9);
    printf("quell_verdict_to_json as built, ns per verdict: pass %.0f, flag with a rule and a hit "
           "%.0f\n",
           write_pass / n * 1e9, write_flag / n * 1e9);

    quell_record_parser_free(p);
    free(toks);
    free(arena);
    for (size_t i = 0; i < r.count; i++)
        free(r.line[i]);
    free(r.line);
    free(r.len);
    return (int)(sink & 0);
}
