/*
 * scan_rate.c - the in-process yardstick of `make bench-serve`: how many
 * comments per second quell_scan takes on THREADS threads (one scanner
 * each, the rules shared), on the same comments the service is sent, for
 * SECONDS seconds. Verdicts are written as JSON too, as the service does,
 * so that the two differ by HTTP alone.
 *
 * Usage: scan_rate RULES CORPUS.jsonl THREADS SECONDS
 * Prints one line: "in-process: N comments/s on T threads".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quell.h"

struct corpus {
    char **lines;
    size_t *lens;
    size_t count;
};

struct job {
    const quell_rules *rules;
    const struct corpus *corpus;
    size_t offset;
    double seconds;
    unsigned long long done;
    int failed;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *scan_main(void *arg)
{
    struct job *j = arg;
    quell_error err = {0};
    quell_scanner *scanner = NULL;
    quell_record_parser *parser = NULL;
    if (quell_scanner_new(&scanner, j->rules, &err) != QUELL_OK ||
        quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, NULL, &err) != QUELL_OK) {
        fprintf(stderr, "scan_rate: %s\n", err.message);
        j->failed = 1;
        quell_scanner_free(scanner);
        return NULL;
    }
    char *out = malloc(1 << 16);
    if (!out) {
        j->failed = 1;
        quell_record_parser_free(parser);
        quell_scanner_free(scanner);
        return NULL;
    }
    double end = now() + j->seconds;
    size_t i = j->offset;
    while (now() < end) {
        /* Check the clock every 256 comments: it costs more than a scan. */
        for (int k = 0; k < 256; k++, i++) {
            size_t n = i % j->corpus->count;
            const quell_record *record;
            const quell_verdict *verdict;
            if (quell_record_parse(parser, j->corpus->lines[n], j->corpus->lens[n], &record,
                                   &err) == QUELL_OK &&
                quell_scan(scanner, &record->comment, &verdict, &err) == QUELL_OK)
                quell_verdict_to_json(verdict, record->id_json, record->id_json_len, out, 1 << 16);
            j->done++;
        }
    }
    free(out);
    quell_record_parser_free(parser);
    quell_scanner_free(scanner);
    return NULL;
}

static void free_corpus(struct corpus *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->lines[i]);
    free(c->lines);
    free(c->lens);
}

static int read_corpus(const char *path, struct corpus *c)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    memset(c, 0, sizeof *c);
    while ((n = getline(&line, &line_cap, f)) > 0) {
        if (c->count == cap) {
            cap = cap ? cap * 2 : 1024;
            char **lines = realloc(c->lines, cap * sizeof *lines);
            if (lines)
                c->lines = lines;
            size_t *lens = lines ? realloc(c->lens, cap * sizeof *lens) : NULL;
            if (lens)
                c->lens = lens;
            if (!lines || !lens) {
                free(line);
                fclose(f);
                return -1;
            }
        }
        if (line[n - 1] == '\n')
            n--;
        c->lines[c->count] = strndup(line, (size_t)n);
        c->lens[c->count++] = (size_t)n;
    }
    free(line);
    fclose(f);
    return c->count > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s RULES CORPUS.jsonl THREADS SECONDS\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (threads < 1 || threads > 64 || seconds <= 0) {
        fprintf(stderr, "scan_rate: bad THREADS or SECONDS\n");
        return 2;
    }
    quell_rules *rules;
    quell_error err = {0};
    if (quell_rules_load(&rules, argv[1], &err) != QUELL_OK) {
        fprintf(stderr, "scan_rate: %s: %s\n", argv[1], err.message);
        return 1;
    }
    struct corpus corpus = {0};
    if (read_corpus(argv[2], &corpus) != 0) {
        fprintf(stderr, "scan_rate: cannot read %s\n", argv[2]);
        free_corpus(&corpus);
        quell_rules_release(rules);
        return 1;
    }
    pthread_t tid[64];
    struct job jobs[64];
    double start = now();
    for (int t = 0; t < threads; t++) {
        jobs[t] =
            (struct job){rules, &corpus, (size_t)t * corpus.count / (size_t)threads, seconds, 0, 0};
        pthread_create(&tid[t], NULL, scan_main, &jobs[t]);
    }
    unsigned long long done = 0;
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        done += jobs[t].done;
        failed |= jobs[t].failed;
    }
    double elapsed = now() - start;
    printf("in-process: %.0f comments/s on %d threads\n", (double)done / elapsed, threads);
    free_corpus(&corpus);
    quell_rules_release(rules);
    return failed;
}
