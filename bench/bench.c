/*
 * bench.c - quell's throughput beside raw Hyperscan on the same database and
 * the same comments: raw hs_scan (one call per comment), quell_scan through
 * the library, and `quell filter` end to end (JSON in, JSON out), with the
 * ratios and the command's peak RSS.
 *
 * Usage: bench_quell RULES CORPUS.jsonl CORPUS.txt QUELL_BIN [BIG_CORPUS.jsonl]
 * CORPUS.txt holds the same bodies one per line, for the text format.
 * BIG_CORPUS, if given, is the same comments several times over: its peak
 * RSS beside CORPUS's shows whether memory grows with the input.
 */
#include <fcntl.h>
#include <spawn.h>
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

#define REPEATS 5

extern char **environ;

struct corpus {
    char **body; /* the comments' bodies */
    size_t *len;
    char **record; /* the JSON Lines records they came from, without newline */
    size_t *record_len;
    size_t count;
    size_t bytes;
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
    return c->count ? 0 : -1;
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
        quell_comment cm = {0};
        cm.text[QUELL_FIELD_BODY] = c->body[i];
        cm.text_len[QUELL_FIELD_BODY] = c->len[i];
        const quell_verdict *v;
        if (quell_scan(s, &cm, &v, NULL) == QUELL_OK && v->action != QUELL_PASS)
            ++*flagged;
    }
    return now_s() - t0;
}

/* One pass of the JSON Lines record parser (cJSON underneath) alone. */
static double time_parse(quell_record_parser *p, const struct corpus *c)
{
    double t0 = now_s();
    for (size_t i = 0; i < c->count; i++) {
        quell_record rec;
        quell_record_parse(p, c->record[i], c->record_len[i], &rec, NULL);
    }
    return now_s() - t0;
}

static void keep_min(double *best, double t)
{
    if (t < *best)
        *best = t;
}

/* Run argv with stdin from in_path and stdout to /dev/null; wall time, and
 * the child's peak RSS in KiB. posix_spawn rather than fork: a forked
 * child would count the bench's own pages (the corpus) until its exec. */
static double run(char *const argv[], const char *in_path, long *maxrss_kib)
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
    return now_s() - t0;
}

/* `quell filter --format FORMAT RULES < corpus > /dev/null`. */
static double run_filter(const char *bin, const char *format, const char *rules,
                         const char *corpus, long *maxrss_kib)
{
    char *argv[] = {(char *)bin, "filter", "--format", (char *)format, (char *)rules, NULL};
    return run(argv, corpus, maxrss_kib);
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
    double qdb_s = run(compile_argv, "/dev/null", &compile_rss);
    long rss = 0, text_rss = 0, big_rss = 0;
    double big_s = 0;
    run_filter(bin, "jsonl", qdb_path, corpus_path, &rss);
    run_filter(bin, "text", qdb_path, text_path, &text_rss);
    if (big_path)
        big_s = run_filter(bin, "jsonl", qdb_path, big_path, &big_rss);

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

    /* The stages take turns, best of REPEATS each, so that a machine whose
     * speed drifts (shared hosts do) slows them all alike. */
    double raw = 1e30, lib = 1e30, parse = 1e30, e2e = 1e30, e2e_text = 1e30;
    size_t matches, flagged;
    long ignored_rss;
    for (int r = 0; r < REPEATS; r++) {
        keep_min(&raw, time_raw(db, scratch, &c, &matches));
        keep_min(&lib, time_library(scanner, &c, &flagged));
        keep_min(&parse, time_parse(parser, &c));
        keep_min(&e2e_text, run_filter(bin, "text", qdb_path, text_path, &ignored_rss));
        keep_min(&e2e, run_filter(bin, "jsonl", qdb_path, corpus_path, &ignored_rss));
    }
    hs_free_scratch(scratch);
    quell_scanner_free(scanner);
    quell_record_parser_free(parser);

    double n = (double)c.count, mb = (double)c.bytes / 1e6;
    printf("rules %s: %zu rules, compiled in %.1f ms (quell compile: %.1f ms)\n", rules_path,
           quell_rules_rule_count(rules), compile_ms, qdb_s * 1e3);
    printf("corpus %s: %zu comments, %.1f MB of text, %zu raw matches, %zu flagged or worse\n",
           corpus_path, c.count, mb, matches, flagged);
    printf("%-28s %12s %10s %8s\n", "stage", "comments/s", "MB/s", "ratio");
    printf("%-28s %12.0f %10.1f %8.2f\n", "raw hs_scan", n / raw, mb / raw, 1.0);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell_scan (library)", n / lib, mb / lib, raw / lib);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell filter, text", n / e2e_text, mb / e2e_text,
           raw / e2e_text);
    printf("%-28s %12.0f %10.1f %8.2f\n", "quell filter, jsonl", n / e2e, mb / e2e, raw / e2e);
    printf("JSON Lines parsing alone (quell_record_parse): %.0f ns per record, %.2f of raw\n",
           parse / n * 1e9, parse / raw);
    printf("quell filter peak RSS: %.1f MiB (jsonl), %.1f MiB (text)\n", (double)rss / 1024,
           (double)text_rss / 1024);
    if (big_path)
        printf("quell filter peak RSS on %s: %.1f MiB (%.1f s)\n", big_path,
               (double)big_rss / 1024, big_s);
    for (size_t i = 0; i < c.count; i++) {
        free(c.body[i]);
        free(c.record[i]);
    }
    free(c.body);
    free(c.len);
    free(c.record);
    free(c.record_len);
    quell_rules_free(rules);
    return 0;
}
