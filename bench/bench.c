/*
 * bench.c - quell's throughput beside raw Hyperscan on the same database and
 * the same comments: raw hs_scan (one call per comment), quell_scan through
 * the library, and `quell filter` end to end (JSON in, JSON out), with the
 * ratios and the command's peak RSS; and the normaliser's cost per view
 * beside the Hyperscan scans it feeds.
 *
 * Usage: bench_quell RULES CORPUS.jsonl CORPUS.txt QUELL_BIN [BIG_CORPUS.jsonl]
 * CORPUS.txt holds the same bodies one per line, for the text format.
 * BIG_CORPUS, if given, is the same comments several times over: its peak
 * RSS beside CORPUS's shows whether memory grows with the input.
 * BENCH_BASELINE_BIN, if set, names another build's quell, whose filter is
 * timed in the same passes: a before and after from one run.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "quell.h"
#include "ruleset.h" /* the bench alone reaches inside: raw Hyperscan needs the database */
/* and timing the views on their own needs the normaliser */
#include "normalise.h"
#include "utf8.h"

#define REPEATS 5

extern char **environ;

struct corpus {
    char **body; /* the comments' bodies */
    size_t *len;
    char **record; /* the JSON Lines records they came from, without newline */
    size_t *record_len;
    size_t count;
    size_t bytes;
    /* Whether each body is valid UTF-8: quell_scan rejects the others
     * before normalising, so the views are timed on these alone. */
    bool *is_valid;
    size_t valid_count;
};

/* One view of every valid body, built once, so that Hyperscan can be timed
 * on the views without the cost of building them. */
struct view_texts {
    char *text;  /* the bodies' views back to back */
    size_t *off; /* body i's view is text[off[i]..off[i + 1]) */
    size_t len;
    size_t cap;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load_corpus(const char *path, struct corpus *c)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t alloc = 0;
    memset(c, 0, sizeof *c);
    while ((n = getline(&line, &cap, f)) > 0) {
        cJSON *rec = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
        if (cJSON_IsString(body)) {
            if (c->count == alloc) {
                alloc = alloc ? alloc * 2 : 1024;
                c->body = realloc(c->body, alloc * sizeof *c->body);
                c->len = realloc(c->len, alloc * sizeof *c->len);
                c->record = realloc(c->record, alloc * sizeof *c->record);
                c->record_len = realloc(c->record_len, alloc * sizeof *c->record_len);
                if (!c->body || !c->len || !c->record || !c->record_len) {
                    fprintf(stderr, "bench: out of memory\n");
                    exit(1);
                }
            }
            c->record_len[c->count] = (size_t)n - (line[n - 1] == '\n');
            c->record[c->count] = strndup(line, c->record_len[c->count]);
            c->body[c->count] = strdup(body->valuestring);
            c->len[c->count] = strlen(body->valuestring);
            c->bytes += c->len[c->count];
            c->count++;
        }
        cJSON_Delete(rec);
    }
    free(line);
    fclose(f);
    if (!c->count)
        return -1;
    c->is_valid = malloc(c->count * sizeof *c->is_valid);
    if (!c->is_valid) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < c->count; i++) {
        size_t bad;
        c->is_valid[i] = utf8_valid(c->body[i], c->len[i], &bad);
        c->valid_count += c->is_valid[i];
    }
    return 0;
}

static int count_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(size_t *)ctx;
    return 0;
}

/* One pass of raw hs_scan over every body, one call per comment. */
static double time_raw(const hs_database_t *db, hs_scratch_t *scratch, const struct corpus *c,
                       size_t *matches)
{
    *matches = 0;
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++)
        hs_scan(db, c->body[i], (unsigned int)c->len[i], 0, scratch, count_match, matches);
    return now_s() - t0;
}

/* One pass of quell_scan through the library, no JSON either side. */
static double time_library(quell_scanner *s, const struct corpus *c, size_t *flagged)
{
    *flagged = 0;
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++) {
        quell_comment cm = QUELL_COMMENT_INIT;
        cm.text[QUELL_FIELD_BODY] = c->body[i];
        cm.text_len[QUELL_FIELD_BODY] = c->len[i];
        const quell_verdict *v;
        if (quell_scan(s, &cm, &v, NULL) == QUELL_OK && v->action != QUELL_PASS)
            ++*flagged;
    }
    return now_s() - t0;
}

/* One pass of the folded view over every valid body. */
static double time_fold(const struct norm_tables *t, struct norm_view *folded,
                        const struct corpus *c)
{
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++)
        if (c->is_valid[i] && norm_fold(t, c->body[i], c->len[i], folded) != QUELL_OK) {
            fprintf(stderr, "bench: out of memory normalising\n");
            exit(1);
        }
    return now_s() - t0;
}

/* One pass of both views, fold then skeleton per body, as a scanner builds
 * them: the skeleton's own cost is this minus time_fold, measured with the
 * folded text still in cache, as it is when scanning. */
static double time_views(const struct norm_tables *t, struct norm_view *folded,
                         struct norm_view *skeleton, const struct corpus *c)
{
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++)
        if (c->is_valid[i] && (norm_fold(t, c->body[i], c->len[i], folded) != QUELL_OK ||
                               norm_skeleton(t, folded, skeleton) != QUELL_OK)) {
            fprintf(stderr, "bench: out of memory normalising\n");
            exit(1);
        }
    return now_s() - t0;
}

static void append_view(struct view_texts *v, const struct norm_view *view)
{
    if (view->len == 0)
        return; /* nothing to copy, and either buffer may still be NULL */
    if (v->len + view->len > v->cap) {
        /* Catch size_t overflow */
        if (__builtin_mul_overflow(v->cap + view->len, 2, &v->cap)) {
            fprintf(stderr, "bench: views too large\n");
            exit(1);
        }
        v->text = realloc(v->text, v->cap);
        if (!v->text) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    memcpy(v->text + v->len, view->text, view->len);
    v->len += view->len;
}

/* Build the folded and skeleton views of every valid body once (an invalid
 * one gets an empty view, and is not scanned). */
static void build_views(const struct norm_tables *t, const struct corpus *c,
                        struct view_texts *folded_all, struct view_texts *skeleton_all)
{
    struct norm_view folded = {0}, skeleton = {0};
    folded_all->off = malloc((c->count + 1) * sizeof *folded_all->off);
    skeleton_all->off = malloc((c->count + 1) * sizeof *skeleton_all->off);
    if (!folded_all->off || !skeleton_all->off) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < c->count; i++) {
        folded_all->off[i] = folded_all->len;
        skeleton_all->off[i] = skeleton_all->len;
        if (!c->is_valid[i])
            continue;
        if (norm_fold(t, c->body[i], c->len[i], &folded) != QUELL_OK ||
            norm_skeleton(t, &folded, &skeleton) != QUELL_OK) {
            fprintf(stderr, "bench: out of memory normalising\n");
            exit(1);
        }
        append_view(folded_all, &folded);
        append_view(skeleton_all, &skeleton);
    }
    folded_all->off[c->count] = folded_all->len;
    skeleton_all->off[c->count] = skeleton_all->len;
    norm_view_free(&folded);
    norm_view_free(&skeleton);
}

/* One pass of raw hs_scan with every body database on its own view of each
 * valid body: the Hyperscan work quell_scan does with views on. */
static double time_scan_views(const hs_database_t *const db[VIEW_COUNT], hs_scratch_t *scratch,
                              const struct corpus *c, const struct view_texts *folded_all,
                              const struct view_texts *skeleton_all, size_t *matches)
{
    *matches = 0;
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++) {
        if (!c->is_valid[i])
            continue;
        if (db[VIEW_RAW])
            hs_scan(db[VIEW_RAW], c->body[i], (unsigned int)c->len[i], 0, scratch, count_match,
                    matches);
        if (db[VIEW_FOLDED])
            hs_scan(db[VIEW_FOLDED], folded_all->text + folded_all->off[i],
                    (unsigned int)(folded_all->off[i + 1] - folded_all->off[i]), 0, scratch,
                    count_match, matches);
        if (db[VIEW_SKELETON])
            hs_scan(db[VIEW_SKELETON], skeleton_all->text + skeleton_all->off[i],
                    (unsigned int)(skeleton_all->off[i + 1] - skeleton_all->off[i]), 0, scratch,
                    count_match, matches);
    }
    return now_s() - t0;
}

/* One pass of the JSON Lines record parser (cJSON underneath) alone. */
static double time_parse(quell_record_parser *p, const struct corpus *c)
{
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++) {
        const quell_record *rec;
        quell_record_parse(p, c->record[i], c->record_len[i], &rec, NULL);
    }
    return now_s() - t0;
}

/* Seconds per quell_scanner_new + quell_scanner_free: what a new thread
 * pays for its scanner (a clone of the rules' prototype scratch). */
static double time_scanner_new(const quell_rules *rules, int count)
{
    double t0 = now_s();
    for (int i = 0; i < count; i++) {
        quell_scanner *s;
        if (quell_scanner_new(&s, rules, NULL) != QUELL_OK) {
            fprintf(stderr, "bench: cannot make a scanner\n");
            exit(1);
        }
        quell_scanner_free(s);
    }
    return (now_s() - t0) / count;
}

/* The same without the prototype: a scratch sized afresh for every
 * database, as each scanner did before it cloned one. */
static double time_scratch_sized(const quell_rules *rules, int count)
{
    double t0 = now_s();
    for (int i = 0; i < count; i++) {
        hs_scratch_t *scratch = NULL;
        for (unsigned int k = 0; k < 2 * HSDB_COUNT; k++) {
            const hs_database_t *db =
                k < HSDB_COUNT ? rules->hs.db[k] : rules->hs.som[k - HSDB_COUNT];
            if (db && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
                fprintf(stderr, "bench: no scratch\n");
                exit(1);
            }
        }
        hs_free_scratch(scratch);
    }
    return (now_s() - t0) / count;
}

/* Seconds per swap of an engine's rules followed by the first scan of a
 * scanner that follows it, which moves it to the new rules: two copies of
 * the rules take turns. */
static double time_swap(const quell_rules *rules, int count)
{
    quell_engine *engine;
    quell_scanner *s;
    quell_rules *copy;
    char *data;
    size_t len;
    if (quell_rules_serialize(rules, &data, &len, NULL) != QUELL_OK ||
        quell_rules_deserialize(&copy, data, len, NULL) != QUELL_OK) {
        fprintf(stderr, "bench: cannot copy the rules\n");
        exit(1);
    }
    free(data);
    if (quell_engine_new(&engine, rules, NULL) != QUELL_OK ||
        quell_scanner_new_for_engine(&s, engine, NULL) != QUELL_OK) {
        fprintf(stderr, "bench: cannot make an engine\n");
        exit(1);
    }
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "a comment";
    c.text_len[QUELL_FIELD_BODY] = 9;
    const quell_verdict *v;
    double t0 = now_s();
    for (int i = 0; i < count; i++) {
        quell_engine_swap(engine, i % 2 ? rules : copy);
        if (quell_scan(s, &c, &v, NULL) != QUELL_OK) {
            fprintf(stderr, "bench: scan failed\n");
            exit(1);
        }
    }
    double t = (now_s() - t0) / count;
    quell_scanner_free(s);
    quell_engine_free(engine);
    quell_rules_release(copy);
    return t;
}

static void keep_min(double *best, double t)
{
    if (t < *best)
        *best = t;
}

/* Run argv with stdin from in_path and stdout to /dev/null; wall time, the
 * child's CPU time (user + system, all threads) in *cpu_s when not NULL,
 * and its peak RSS in KiB. CPU time is what a loaded, shared machine leaves
 * least disturbed. posix_spawn rather than fork: a forked child would count
 * the bench's own pages (the corpus) until its exec. */
static double run(char *const argv[], const char *in_path, long *maxrss_kib, double *cpu_s)
{
    const char *bin = argv[0];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double t0 = now_s();
    pid_t pid;
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench: cannot run %s: %s\n", bin, strerror(rc));
        exit(1);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
        fprintf(stderr, "bench: %s %s failed\n", bin, argv[1]);
        exit(1);
    }
    *maxrss_kib = ru.ru_maxrss;
    if (cpu_s)
        *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return now_s() - t0;
}

/* `quell filter --format FORMAT RULES < corpus > /dev/null`. */
static double run_filter(const char *bin, const char *format, const char *rules, const char *corpus,
                         long *maxrss_kib, double *cpu_s)
{
    char *argv[] = {(char *)bin, "filter", "--format", (char *)format, (char *)rules, NULL};
    return run(argv, corpus, maxrss_kib, cpu_s);
}

/* The best wall and CPU times of a command's runs, each on its own. */
struct e2e {
    double wall;
    double cpu;
};

static void keep_e2e(struct e2e *best, double wall, double cpu)
{
    if (wall < best->wall)
        best->wall = wall;
    if (cpu < best->cpu)
        best->cpu = cpu;
}

/* One more run of `quell filter` on the text corpus and on the JSON Lines
 * corpus, the same comments. */
static void time_filters(const char *bin, const char *qdb_path, const char *text_path,
                         const char *corpus_path, struct e2e *text, struct e2e *jsonl)
{
    long ignored_rss;
    double cpu;
    double wall = run_filter(bin, "text", qdb_path, text_path, &ignored_rss, &cpu);
    keep_e2e(text, wall, cpu);
    wall = run_filter(bin, "jsonl", qdb_path, corpus_path, &ignored_rss, &cpu);
    keep_e2e(jsonl, wall, cpu);
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: %s RULES CORPUS.jsonl CORPUS.txt QUELL_BIN [BIG_CORPUS.jsonl]\n",
                argv[0]);
        return 2;
    }
    const char *rules_path = argv[1], *corpus_path = argv[2], *text_path = argv[3];
    const char *bin = argv[4], *big_path = argc == 6 ? argv[5] : NULL;

    /* Peak RSS first, while this process is small: a spawned child's peak
     * RSS includes what it shared with its parent before exec. The command
     * runs on compiled rules, as an operator would, so each run loads them
     * in milliseconds instead of compiling them. */
    char qdb_path[4096];
    snprintf(qdb_path, sizeof qdb_path, "%s.qdb", corpus_path);
    long compile_rss;
    char *compile_argv[] = {(char *)bin, "compile", (char *)rules_path, "-o", qdb_path, NULL};
    double qdb_s = run(compile_argv, "/dev/null", &compile_rss, NULL);
    long rss = 0, text_rss = 0, big_rss = 0;
    double big_s = 0;
    run_filter(bin, "jsonl", qdb_path, corpus_path, &rss, NULL);
    run_filter(bin, "text", qdb_path, text_path, &text_rss, NULL);
    if (big_path)
        big_s = run_filter(bin, "jsonl", qdb_path, big_path, &big_rss, NULL);
    /* Another build's command, timed in the same passes for a before and
     * after from one run (it reads the .qdb this one compiled). */
    const char *base_bin = getenv("BENCH_BASELINE_BIN");

    quell_rules *rules;
    quell_error err;
    double t0 = now_s();
    if (quell_rules_load(&rules, rules_path, &err) != QUELL_OK) {
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
        return 3;
    }
    double compile_ms = (now_s() - t0) * 1e3;
    struct corpus c;
    if (load_corpus(corpus_path, &c) != 0) {
        fprintf(stderr, "bench: no comments in %s\n", corpus_path);
        return 1;
    }
    const hs_database_t *db = rules->hs.db[hsdb_slot(QUELL_FIELD_BODY, VIEW_RAW)];
    hs_scratch_t *scratch = NULL;
    quell_scanner *scanner;
    quell_record_parser *parser;
    if (!db || hs_alloc_scratch(db, &scratch) != HS_SUCCESS ||
        quell_scanner_new(&scanner, rules, NULL) != QUELL_OK ||
        quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, NULL, NULL) != QUELL_OK) {
        fprintf(stderr, "bench: no body database, or no scratch\n");
        exit(1);
    }
    /* The same scratch serves every view's database; it grows to fit each. */
    const hs_database_t *view_db[VIEW_COUNT];
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        view_db[v] = rules->hs.db[hsdb_slot(QUELL_FIELD_BODY, v)];
        if (view_db[v] && hs_alloc_scratch(view_db[v], &scratch) != HS_SUCCESS) {
            fprintf(stderr, "bench: no scratch for the %s view\n", rules_view_name(v));
            exit(1);
        }
    }
    /* The normaliser's own tables, as a rule set that needs views builds. */
    struct norm_tables *norm;
    struct norm_view folded = {0}, skeleton = {0};
    struct view_texts folded_all = {0}, skeleton_all = {0};
    if (norm_tables_new(&norm) != QUELL_OK) {
        fprintf(stderr, "bench: out of memory for the normaliser's tables\n");
        exit(1);
    }
    build_views(norm, &c, &folded_all, &skeleton_all);

    /* The stages take turns, best of REPEATS each, so that a machine whose
     * speed drifts (shared hosts do) slows them all alike. */
    double raw = 1e30, lib = 1e30, parse = 1e30, e2e, e2e_text;
    struct e2e text = {1e30, 1e30}, jsonl = {1e30, 1e30};
    struct e2e base_text = {1e30, 1e30}, base_jsonl = {1e30, 1e30};
    double scanner_new = 1e30, scratch_sized = 1e30, swap = 1e30;
    double fold = 1e30, views = 1e30, scan_views = 1e30;
    size_t matches, flagged, view_matches;
    for (int r = 0; r < REPEATS; r++) {
        keep_min(&raw, time_raw(db, scratch, &c, &matches));
        keep_min(&lib, time_library(scanner, &c, &flagged));
        keep_min(&parse, time_parse(parser, &c));
        keep_min(&fold, time_fold(norm, &folded, &c));
        keep_min(&views, time_views(norm, &folded, &skeleton, &c));
        keep_min(&scan_views,
                 time_scan_views(view_db, scratch, &c, &folded_all, &skeleton_all, &view_matches));
        time_filters(bin, qdb_path, text_path, corpus_path, &text, &jsonl);
        if (base_bin)
            time_filters(base_bin, qdb_path, text_path, corpus_path, &base_text, &base_jsonl);
        keep_min(&scanner_new, time_scanner_new(rules, 200));
        keep_min(&scratch_sized, time_scratch_sized(rules, 200));
        keep_min(&swap, time_swap(rules, 200));
    }
    e2e = jsonl.wall;
    e2e_text = text.wall;
    hs_free_scratch(scratch);
    quell_scanner_free(scanner);
    quell_record_parser_free(parser);
    norm_view_free(&folded);
    norm_view_free(&skeleton);
    norm_tables_free(norm);

    double n = (double)c.count, mb = (double)c.bytes / 1e6;
    printf("rules %s: %zu rules, compiled in %.1f ms (quell compile: %.1f ms)\n", rules_path,
           quell_rules_rule_count(rules), compile_ms, qdb_s * 1e3);
    printf("corpus %s: %zu comments, %.1f MB of text, %zu raw matches, %zu flagged or worse\n",
           corpus_path, c.count, mb, matches, flagged);
    /* Views on: words default to the skeleton view, so the quell rows
     * include building the views, while raw hs_scan scans the raw view's
     * database (the regexes) alone. */
    uint8_t body_views = rules->views[QUELL_FIELD_BODY];
    char view_names[64] = "";
    for (unsigned int v = 0; v < VIEW_COUNT; v++)
        if (body_views & (1u << v))
            snprintf(view_names + strlen(view_names), sizeof view_names - strlen(view_names),
                     "%s%s", view_names[0] ? ", " : "", rules_view_name(v));
    printf("views on: bodies scan the %s views; the quell rows build them, raw hs_scan scans "
           "the raw view's database alone\n",
           view_names);
    printf("%-28s %12s %10s %8s\n", "stage", "comments/s", "MB/s", "ratio");
    printf("%-28s %12.0f %10.1f %8.2f\n", "raw hs_scan", n / raw, mb / raw, 1.0);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell_scan (library)", n / lib, mb / lib, raw / lib);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell filter, text", n / e2e_text, mb / e2e_text,
           raw / e2e_text);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell filter, jsonl", n / e2e, mb / e2e, raw / e2e);
    printf("quell filter, JSON Lines against text (best of %d, same passes): wall %.3f s / %.3f s "
           "= %.2f, CPU %.3f s / %.3f s = %.2f\n",
           REPEATS, jsonl.wall, text.wall, jsonl.wall / text.wall, jsonl.cpu, text.cpu,
           jsonl.cpu / text.cpu);
    if (base_bin)
        printf("  the same for %s: wall %.3f s / %.3f s = %.2f, CPU %.3f s / %.3f s = %.2f\n",
               base_bin, base_jsonl.wall, base_text.wall, base_jsonl.wall / base_text.wall,
               base_jsonl.cpu, base_text.cpu, base_jsonl.cpu / base_text.cpu);
    printf("JSON Lines parsing alone (quell_record_parse): %.0f ns per record, %.2f of raw\n",
           parse / n * 1e9, parse / raw);
    /* The views a scanner builds: skeleton implies folded, its input. */
    double built = (body_views & (1u << VIEW_SKELETON)) ? views
                   : (body_views & (1u << VIEW_FOLDED)) ? fold
                                                        : 0;
    printf("views (ns per comment, MB/s of input): folded %.0f ns %.1f MB/s, skeleton %.0f ns "
           "%.1f MB/s, both %.0f ns %.1f MB/s\n",
           fold / n * 1e9, mb / fold, (views - fold) / n * 1e9, mb / (views - fold),
           views / n * 1e9, mb / views);
    printf("views / scan: %.2f of raw hs_scan, %.2f of hs_scan of every view's database on its "
           "view (%.0f ns per comment, %zu matches)\n",
           built / raw, built / scan_views, scan_views / n * 1e9, view_matches);
    printf("end to end against hs_scan of every view: quell_scan %.2f, filter text %.2f, "
           "filter jsonl %.2f\n",
           scan_views / lib, scan_views / e2e_text, scan_views / e2e);
    if (c.valid_count < c.count)
        printf("(%zu bodies are not valid UTF-8: quell_scan rejects them, the views skip them)\n",
               c.count - c.valid_count);
    printf("a new thread's scanner (quell_scanner_new + free, scratch cloned): %.1f us; sizing a "
           "scratch for every database instead: %.1f us; engine swap + the next scan, which moves "
           "the scanner: %.1f us\n",
           scanner_new * 1e6, scratch_sized * 1e6, swap * 1e6);
    printf("quell filter peak RSS: %.1f MiB (jsonl), %.1f MiB (text)\n", (double)rss / 1024,
           (double)text_rss / 1024);
    if (big_path)
        printf("quell filter peak RSS on %s: %.1f MiB (%.1f s)\n", big_path, (double)big_rss / 1024,
               big_s);
    for (size_t i = 0; i < c.count; i++) {
        free(c.body[i]);
        free(c.record[i]);
    }
    free(c.body);
    free(c.len);
    free(c.record);
    free(c.record_len);
    free(c.is_valid);
    free(folded_all.text);
    free(folded_all.off);
    free(skeleton_all.text);
    free(skeleton_all.off);
    quell_rules_free(rules);
    return 0;
}
