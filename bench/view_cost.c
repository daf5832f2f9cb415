/*
 * view_cost.c - what building a comment's views costs beside the Hyperscan
 * scans they feed, on English comments and on Arabic comments apart: a
 * comment is English or Arabic by the script of most of its letters (Latin
 * letters against Arabic-script ones), "other" when it has neither.
 *
 * For each class: the folded view (norm_fold), the skeleton built from it
 * (norm_skeleton, timed as both minus the fold, with the folded text in
 * cache as a scanner has it) and both, in ns per comment; then, for each
 * rule set given, raw hs_scan of the body with the raw view's database, and
 * hs_scan of every view's database on its own view (the Hyperscan work a
 * scan does), and the views' cost as a share of each. Medians of REPEATS
 * passes that take turns, wall and CPU time (the machine is shared).
 *
 * Usage: bench_views CORPUS.jsonl RULES...  (RULES: a .cfg or a .qdb)
 *   e.g. make build/bench_views && build/bench_views build/bench/corpus.jsonl \
 *            build/bench/words1000.cfg build/default.qdb
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "quell.h"
#include "ruleset.h" /* raw Hyperscan needs the databases */
#include "normalise.h"
#include "utf8.h"

#include "bench_util.h"

#define REPEATS 7

enum script { SCRIPT_EN, SCRIPT_AR, SCRIPT_OTHER, SCRIPT_COUNT };
static const char *const script_names[SCRIPT_COUNT] = {"English", "Arabic", "other"};

/* The valid bodies of one class, and their views built once. */
struct class_set {
    char **body;
    size_t *len;
    size_t count;
    size_t cap;
    size_t bytes;
    /* views[v]: the bodies' view v back to back, body i at off[v][i] */
    char *view_text[VIEW_COUNT];
    size_t *view_off[VIEW_COUNT];
};

/* A wall and a CPU time. */
struct times {
    double wall;
    double cpu;
};

static void die(const char *what)
{
    fprintf(stderr, "bench_views: %s\n", what);
    exit(1);
}

static struct times now(void)
{
    return (struct times){bench_wall_s(), bench_cpu_s()};
}

static struct times since(struct times t0)
{
    struct times t = now();
    return (struct times){t.wall - t0.wall, t.cpu - t0.cpu};
}

static bool is_arabic_cp(uint32_t cp)
{
    return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
           (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFF);
}

/* The script of most of the letters of s (valid UTF-8). */
static enum script classify(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t latin = 0, arabic = 0;
    for (size_t i = 0; i < len;) {
        unsigned b = p[i];
        if (b < 0x80) {
            latin += (unsigned)((b | 0x20) - 'a') < 26u;
            i++;
            continue;
        }
        size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
        uint32_t cp = b & (0x7Fu >> n);
        for (size_t k = 1; k < n && i + k < len; k++)
            cp = cp << 6 | (p[i + k] & 0x3Fu);
        arabic += is_arabic_cp(cp);
        i += n;
    }
    if (!latin && !arabic)
        return SCRIPT_OTHER;
    return arabic > latin ? SCRIPT_AR : SCRIPT_EN;
}

static void class_add(struct class_set *c, const char *body)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        char **grown_body = realloc(c->body, cap * sizeof *grown_body);
        if (!grown_body)
            die("out of memory");
        c->body = grown_body;
        size_t *grown_len = realloc(c->len, cap * sizeof *grown_len);
        if (!grown_len)
            die("out of memory");
        c->len = grown_len;
        c->cap = cap;
    }
    c->body[c->count] = strdup(body);
    if (!c->body[c->count])
        die("out of memory");
    c->len[c->count] = strlen(body);
    c->bytes += c->len[c->count];
    c->count++;
}

/* The valid bodies of the corpus, by class (quell_scan rejects the others
 * before normalising). */
static void load_corpus(const char *path, struct class_set classes[SCRIPT_COUNT])
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
        size_t bad;
        if (cJSON_IsString(body) &&
            utf8_valid(body->valuestring, strlen(body->valuestring), &bad)) {
            const char *s = body->valuestring;
            class_add(&classes[classify(s, strlen(s))], s);
        }
        cJSON_Delete(rec);
    }
    free(line);
    fclose(f);
}

static void append(char **text, size_t *len, size_t *cap, const char *bytes, size_t n)
{
    if (*len + n > *cap) {
        size_t grown_cap = (*len + n) * 2;
        char *grown = realloc(*text, grown_cap);
        if (!grown)
            die("out of memory");
        *text = grown;
        *cap = grown_cap;
    }
    if (n)
        memcpy(*text + *len, bytes, n);
    *len += n;
}

/* Build each class's folded and skeleton views once, for the scans. */
static void build_views(const struct norm_tables *t, struct class_set *c)
{
    struct norm_view folded = {0}, skeleton = {0};
    size_t len[VIEW_COUNT] = {0}, cap[VIEW_COUNT] = {0};
    for (unsigned v = VIEW_FOLDED; v <= VIEW_SKELETON; v++) {
        c->view_off[v] = malloc((c->count + 1) * sizeof *c->view_off[v]);
        if (!c->view_off[v])
            die("out of memory");
    }
    for (size_t i = 0; i < c->count; i++) {
        if (norm_fold(t, c->body[i], c->len[i], &folded) != QUELL_OK ||
            norm_skeleton(t, &folded, &skeleton) != QUELL_OK)
            die("out of memory normalising");
        c->view_off[VIEW_FOLDED][i] = len[VIEW_FOLDED];
        append(&c->view_text[VIEW_FOLDED], &len[VIEW_FOLDED], &cap[VIEW_FOLDED], folded.text,
               folded.len);
        c->view_off[VIEW_SKELETON][i] = len[VIEW_SKELETON];
        append(&c->view_text[VIEW_SKELETON], &len[VIEW_SKELETON], &cap[VIEW_SKELETON],
               skeleton.text, skeleton.len);
    }
    c->view_off[VIEW_FOLDED][c->count] = len[VIEW_FOLDED];
    c->view_off[VIEW_SKELETON][c->count] = len[VIEW_SKELETON];
    norm_view_free(&folded);
    norm_view_free(&skeleton);
}

/* One pass of the folded view over a class. */
static struct times time_fold(const struct norm_tables *t, struct norm_view *folded,
                              const struct class_set *c)
{
    struct times t0 = now();
    for (size_t i = 0; i < c->count; i++)
        if (norm_fold(t, c->body[i], c->len[i], folded) != QUELL_OK)
            die("out of memory normalising");
    return since(t0);
}

/* One pass of both views, fold then skeleton per body, as a scanner builds
 * them. */
static struct times time_both(const struct norm_tables *t, struct norm_view *folded,
                              struct norm_view *skeleton, const struct class_set *c)
{
    struct times t0 = now();
    for (size_t i = 0; i < c->count; i++)
        if (norm_fold(t, c->body[i], c->len[i], folded) != QUELL_OK ||
            norm_skeleton(t, folded, skeleton) != QUELL_OK)
            die("out of memory normalising");
    return since(t0);
}

/* One pass of raw hs_scan of the bodies with the raw view's database. */
static struct times time_raw(const hs_database_t *db, hs_scratch_t *scratch,
                             const struct class_set *c)
{
    size_t matches = 0;
    struct times t0 = now();
    for (size_t i = 0; db && i < c->count; i++)
        hs_scan(db, c->body[i], (unsigned int)c->len[i], 0, scratch, bench_count_match, &matches);
    return since(t0);
}

/* One pass of hs_scan of every view's database on its view of each body. */
static struct times time_scan_views(const hs_database_t *const db[VIEW_COUNT],
                                    hs_scratch_t *scratch, const struct class_set *c)
{
    size_t matches = 0;
    struct times t0 = now();
    for (size_t i = 0; i < c->count; i++) {
        if (db[VIEW_RAW])
            hs_scan(db[VIEW_RAW], c->body[i], (unsigned int)c->len[i], 0, scratch,
                    bench_count_match, &matches);
        for (unsigned v = VIEW_FOLDED; v <= VIEW_SKELETON; v++)
            if (db[v])
                hs_scan(db[v], c->view_text[v] + c->view_off[v][i],
                        (unsigned int)(c->view_off[v][i + 1] - c->view_off[v][i]), 0, scratch,
                        bench_count_match, &matches);
    }
    return since(t0);
}

/* The median of REPEATS passes, wall and CPU apart. */
static struct times median(const struct times t[REPEATS])
{
    double w[REPEATS], c[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        w[r] = t[r].wall;
        c[r] = t[r].cpu;
    }
    return (struct times){bench_median(w, REPEATS), bench_median(c, REPEATS)};
}

/* One rule set's body databases and a scratch for them all. */
struct rule_set {
    const char *path;
    quell_rules *rules;
    const hs_database_t *db[VIEW_COUNT];
    hs_scratch_t *scratch;
};

static void load_rules(const char *path, struct rule_set *rs)
{
    quell_error err = {0};
    rs->path = path;
    if (quell_rules_load(&rs->rules, path, &err) != QUELL_OK) {
        fprintf(stderr, "%s:%d: %s\n", err.file[0] ? err.file : path, err.line, err.message);
        exit(3);
    }
    for (unsigned v = 0; v < VIEW_COUNT; v++) {
        rs->db[v] = rs->rules->hs.db[hsdb_slot(QUELL_FIELD_BODY, v)];
        if (rs->db[v] && hs_alloc_scratch(rs->db[v], &rs->scratch) != HS_SUCCESS)
            die("no scratch");
    }
}

static void print_ns(const char *what, struct times t, size_t count)
{
    printf("  %-44s %9.0f ns %9.0f ns\n", what, t.wall / (double)count * 1e9,
           t.cpu / (double)count * 1e9);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS.jsonl RULES...\n", argv[0]);
        return 2;
    }
    size_t set_count = (size_t)argc - 2;
    struct rule_set *sets = calloc(set_count, sizeof *sets);
    if (!sets)
        die("out of memory");
    for (size_t k = 0; k < set_count; k++)
        load_rules(argv[k + 2], &sets[k]);
    struct class_set classes[SCRIPT_COUNT] = {0};
    load_corpus(argv[1], classes);
    struct norm_tables *norm;
    if (norm_tables_new(&norm) != QUELL_OK)
        die("out of memory for the normaliser's tables");
    for (int s = 0; s < SCRIPT_COUNT; s++)
        build_views(norm, &classes[s]);

    struct norm_view folded = {0}, skeleton = {0};
    struct times fold[SCRIPT_COUNT][REPEATS], both[SCRIPT_COUNT][REPEATS];
    struct times(*raw)[SCRIPT_COUNT][REPEATS] = calloc(set_count, sizeof *raw);
    struct times(*scan)[SCRIPT_COUNT][REPEATS] = calloc(set_count, sizeof *scan);
    if (!raw || !scan)
        die("out of memory");
    /* The stages take turns, so that a machine whose speed drifts slows
     * them all alike. */
    for (int r = 0; r < REPEATS; r++) {
        for (int s = 0; s < SCRIPT_COUNT; s++) {
            const struct class_set *c = &classes[s];
            fold[s][r] = time_fold(norm, &folded, c);
            both[s][r] = time_both(norm, &folded, &skeleton, c);
            for (size_t k = 0; k < set_count; k++) {
                raw[k][s][r] = time_raw(sets[k].db[VIEW_RAW], sets[k].scratch, c);
                scan[k][s][r] = time_scan_views(sets[k].db, sets[k].scratch, c);
            }
        }
    }

    printf("views beside Hyperscan, by script (median of %d passes; ns per comment, wall and "
           "CPU)\n",
           REPEATS);
    for (int s = 0; s < SCRIPT_COUNT; s++) {
        const struct class_set *c = &classes[s];
        if (!c->count)
            continue;
        printf("%s: %zu comments, %.0f bytes per comment\n", script_names[s], c->count,
               (double)c->bytes / (double)c->count);
        printf("  %-44s %12s %12s\n", "", "wall", "CPU");
        struct times f = median(fold[s]), b = median(both[s]);
        print_ns("folded view (norm_fold)", f, c->count);
        print_ns("skeleton view (norm_skeleton)", (struct times){b.wall - f.wall, b.cpu - f.cpu},
                 c->count);
        print_ns("both views", b, c->count);
        for (size_t k = 0; k < set_count; k++) {
            struct times rw = median(raw[k][s]), sc = median(scan[k][s]);
            printf("  %s\n", sets[k].path);
            print_ns("raw hs_scan (the raw view's database)", rw, c->count);
            print_ns("hs_scan of every view's database", sc, c->count);
            printf("  %-44s %11.2f x %11.2f x\n", "both views / raw hs_scan", b.wall / rw.wall,
                   b.cpu / rw.cpu);
            printf("  %-44s %11.2f x %11.2f x\n", "both views / hs_scan of every view",
                   b.wall / sc.wall, b.cpu / sc.cpu);
        }
    }

    norm_view_free(&folded);
    norm_view_free(&skeleton);
    norm_tables_free(norm);
    for (size_t k = 0; k < set_count; k++) {
        hs_free_scratch(sets[k].scratch);
        quell_rules_free(sets[k].rules);
    }
    for (int s = 0; s < SCRIPT_COUNT; s++) {
        for (size_t i = 0; i < classes[s].count; i++)
            free(classes[s].body[i]);
        free(classes[s].body);
        free(classes[s].len);
        for (unsigned v = 0; v < VIEW_COUNT; v++) {
            free(classes[s].view_text[v]);
            free(classes[s].view_off[v]);
        }
    }
    free(raw);
    free(scan);
    free(sets);
    return 0;
}
