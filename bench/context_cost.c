/*
 * context_cost.c - what deciding comments in their context costs (issue 16):
 * per comment, quell_scan alone against quell_scan_context, on the bench
 * corpus with the shipped rules; then the context's memory over a stream of
 * 10 million comments, at 1M and at 10M, against its limit.
 *
 *   bench_context RULES.qdb CORPUS.jsonl [STREAM_COMMENTS]
 *
 * The corpus's records are {"id":..,"body":..,"author":..}; times are one
 * comment a second, so the windows fill and forget as in a live stream.
 * The stream is synthetic: bodies of random words (a tenth of them copies
 * of a few hundred campaign texts) from 1M authors, five times the author
 * table, so that it forgets authors all along.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "quell.h"

#define PASSES 5

struct record {
    char *body;
    size_t body_len;
    char *author;
    size_t author_len;
};

/* The body and author members of a bench corpus line, which
 * bench/make_corpus.py writes with json.dumps: parsed by quell itself. */
static struct record *read_corpus(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    quell_record_parser *parser;
    quell_record_fields fields = QUELL_RECORD_FIELDS_INIT;
    quell_error err;
    if (quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, &fields, &err) != QUELL_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    size_t cap = 1024, n = 0;
    struct record *recs = malloc(cap * sizeof *recs);
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    while ((len = getline(&line, &line_cap, f)) > 0) {
        const quell_record *r;
        if (quell_record_parse(parser, line, (size_t)len - (line[len - 1] == '\n'), &r, &err) !=
            QUELL_OK)
            continue;
        if (n == cap) {
            struct record *more = realloc(recs, (cap *= 2) * sizeof *recs);
            if (!more) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
            recs = more;
        }
        struct record *rec = &recs[n++];
        rec->body_len = r->comment.text_len[QUELL_FIELD_BODY];
        rec->body = malloc(rec->body_len + 1);
        memcpy(rec->body, r->comment.text[QUELL_FIELD_BODY], rec->body_len);
        rec->author_len = r->comment.text[QUELL_FIELD_AUTHOR] ? r->comment.text_len[QUELL_FIELD_AUTHOR] : 0;
        rec->author = malloc(rec->author_len + 1);
        if (rec->author_len)
            memcpy(rec->author, r->comment.text[QUELL_FIELD_AUTHOR], rec->author_len);
    }
    free(line);
    fclose(f);
    quell_record_parser_free(parser);
    *count = n;
    return recs;
}

static void comment_of(const struct record *r, quell_comment *c)
{
    quell_comment init = QUELL_COMMENT_INIT;
    *c = init;
    c->text[QUELL_FIELD_BODY] = r->body;
    c->text_len[QUELL_FIELD_BODY] = r->body_len;
    if (r->author_len) {
        c->text[QUELL_FIELD_AUTHOR] = r->author;
        c->text_len[QUELL_FIELD_AUTHOR] = r->author_len;
    }
}

/* Whether a context rule fired in v. */
static int has_context_rule(const quell_verdict *v)
{
    for (size_t i = 0; i < v->rule_count; i++) {
        if (quell_rules_rule_context(v->rules_used, v->rules[i].index, NULL))
            return 1;
    }
    return 0;
}

/* One pass over the corpus; returns CPU seconds. With ctx, in context,
 * counting in *fired the comments a context rule fired on. */
static double pass(quell_scanner *s, quell_context *ctx, const struct record *recs, size_t n,
                   size_t *flagged, size_t *fired)
{
    quell_error err;
    *flagged = 0;
    *fired = 0;
    double t0 = bench_cpu_s();
    for (size_t i = 0; i < n; i++) {
        quell_comment c;
        comment_of(&recs[i], &c);
        const quell_verdict *v;
        int rc;
        if (ctx) {
            quell_context_meta meta = QUELL_CONTEXT_META_INIT;
            meta.time_ms = 1767225600000LL + (int64_t)i * 1000;
            rc = quell_scan_context(s, ctx, &c, &meta, &v, &err);
        } else {
            rc = quell_scan(s, &c, &v, &err);
        }
        if (rc == QUELL_OK && v->action != QUELL_PASS)
            ++*flagged;
        if (rc == QUELL_OK && ctx && has_context_rule(v))
            ++*fired;
    }
    return bench_cpu_s() - t0;
}

/* The process's resident and peak resident memory, in kB (/proc). */
static void rss_kb(long *now, long *peak)
{
    *now = *peak = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *now = atol(line + 6);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *peak = atol(line + 6);
    }
    fclose(f);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static const char *const words[] = {
    "the",    "minister", "said",    "strike", "port",  "ceasefire", "talks",  "border",
    "people", "killed",   "news",    "report", "city",  "army",      "peace",  "water",
    "prices", "power",    "market",  "school", "night", "election",  "vote",   "truth",
    "لبنان",  "سوريا",    "الحكومة", "الناس",  "اليوم", "الحرب",     "السلام", "الأخبار",
};

/* A synthetic comment: 8 to 24 random words, or one of 300 campaign texts
 * with a number changed. */
static size_t synth_body(uint64_t *rng, char *buf, size_t cap)
{
    uint64_t x = rng_next(rng);
    size_t n = 0;
    if (x % 10 == 0) {
        n = (size_t)snprintf(buf, cap, "campaign %u: earn %u dollars a day from home, message "
                                       "me on telegram now",
                             (unsigned)((x >> 8) % 300), (unsigned)((x >> 20) % 1000));
        return n;
    }
    size_t count = 8 + (x >> 8) % 17;
    for (size_t k = 0; k < count && n + 32 < cap; k++) {
        const char *w = words[rng_next(rng) % (sizeof words / sizeof words[0])];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? " " : "", w);
    }
    return n;
}

static void stream_memory(quell_scanner *s, size_t total)
{
    quell_context *ctx;
    quell_error err;
    if (quell_context_new(&ctx, NULL, &err) != QUELL_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    printf("  %12s  %14s  %14s  %12s  %12s  %10s\n", "comments", "context bytes", "limit bytes",
           "RSS kB", "peak RSS kB", "us/comment");
    uint64_t rng = 42;
    char body[512], author[32];
    double t0 = bench_cpu_s();
    for (size_t i = 1; i <= total; i++) {
        quell_comment c = QUELL_COMMENT_INIT;
        size_t len = synth_body(&rng, body, sizeof body);
        int alen = snprintf(author, sizeof author, "a%llu",
                            (unsigned long long)(rng_next(&rng) % 1000000));
        c.text[QUELL_FIELD_BODY] = body;
        c.text_len[QUELL_FIELD_BODY] = len;
        c.text[QUELL_FIELD_AUTHOR] = author;
        c.text_len[QUELL_FIELD_AUTHOR] = (size_t)alen;
        quell_context_note note;
        quell_context_meta meta = QUELL_CONTEXT_META_INIT;
        meta.time_ms = 1767225600000LL + (int64_t)i * 100; /* ten a second */
        quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
        uint64_t ticket;
        if (quell_context_note_make(s, &c, &note, &err) != QUELL_OK ||
            quell_context_decide(ctx, &note, &meta, QUELL_PASS, &facts, &ticket, &err) !=
                QUELL_OK) {
            fprintf(stderr, "%s\n", err.message);
            exit(1);
        }
        if (i == 1000000 || i == total || i == 100000) {
            long rss, peak;
            rss_kb(&rss, &peak);
            printf("  %12zu  %14zu  %14zu  %12ld  %12ld  %10.2f\n", i, quell_context_memory(ctx),
                   quell_context_memory_limit(ctx), rss, peak,
                   (bench_cpu_s() - t0) * 1e6 / (double)i);
            fflush(stdout);
        }
    }
    quell_context_free(ctx);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s RULES.qdb CORPUS.jsonl [STREAM_COMMENTS]\n", argv[0]);
        return 2;
    }
    size_t total = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000000;
    quell_rules *rules;
    quell_scanner *s;
    quell_error err;
    if (quell_rules_load(&rules, argv[1], &err) != QUELL_OK ||
        quell_scanner_new(&s, rules, &err) != QUELL_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    size_t n;
    struct record *recs = read_corpus(argv[2], &n);

    double plain[PASSES], in_ctx[PASSES];
    size_t flagged_plain = 0, flagged_ctx = 0, fired = 0, none = 0;
    for (int p = 0; p < PASSES; p++) {
        quell_context *ctx;
        if (quell_context_new(&ctx, NULL, &err) != QUELL_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        plain[p] = pass(s, NULL, recs, n, &flagged_plain, &none);
        in_ctx[p] = pass(s, ctx, recs, n, &flagged_ctx, &fired);
        quell_context_free(ctx);
    }
    double a = bench_median(plain, PASSES), b = bench_median(in_ctx, PASSES);
    printf("  %-34s  %10s  %12s  %8s\n", "", "us/comment", "comments/s", "flagged");
    printf("  %-34s  %10.2f  %12.0f  %8zu\n", "quell_scan (context off)", a * 1e6 / (double)n,
           (double)n / a, flagged_plain);
    printf("  %-34s  %10.2f  %12.0f  %8zu\n", "quell_scan_context (context on)",
           b * 1e6 / (double)n, (double)n / b, flagged_ctx);
    printf("  context costs %.2f us a comment, %+.1f%% (CPU time, medians of %d passes over %zu "
           "comments);\n  a context rule fired on %zu of them (%.1f%%), which are scored again\n",
           (b - a) * 1e6 / (double)n, (b / a - 1) * 100, PASSES, n, fired,
           100.0 * (double)fired / (double)n);
    printf("\n  memory over a stream of synthetic comments, default options:\n");
    stream_memory(s, total);

    for (size_t i = 0; i < n; i++) {
        free(recs[i].body);
        free(recs[i].author);
    }
    free(recs);
    quell_scanner_free(s);
    quell_rules_free(rules);
    return 0;
}
