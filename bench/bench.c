/*
 * bench.c - quell's throughput beside raw Hyperscan on the same database and
 * the same comments, and where each comment's time goes.
 *
 * Usage: bench_quell RULES.qdb CORPUS.jsonl CORPUS.txt QUELL_BIN [BIG_CORPUS.jsonl]
 *        bench_quell --ruleset LABEL RULES.cfg OUT.qdb QUELL_BIN
 *        bench_quell --ruleset-header
 *
 * The first form times, on compiled rules: raw hs_scan of the raw view's
 * database (one call per comment), raw hs_scan of every view's database on
 * its view with the views built beforehand (what Hyperscan alone does for
 * quell: the ratios' base), quell_scan through the library, and `quell
 * filter` end to end at -j1 and -jN (N = online CPUs, at least 2) in text
 * and JSON Lines, with the CPU time each run used; then the cost per
 * comment split into load, parse, views, scan, score and output, each
 * measured in process, and what the command spends beyond them.
 * CORPUS.txt holds the same bodies one per line, for the text format.
 * BIG_CORPUS, if given, is the same comments several times over: its peak
 * RSS beside CORPUS's shows whether memory grows with the input.
 *
 * The second form compiles RULES.cfg with `quell compile` into OUT.qdb and
 * prints one row: compile wall and CPU time, peak RSS, .qdb size and the
 * in-process load time of the .qdb; the third prints the rows' header.
 *
 * Environment: BENCH_REPEATS (passes, default 3; every figure is the median
 * over them), BENCH_JOBS (the -jN, default the online CPUs), and
 * BENCH_BASELINE_BIN, another build's quell whose filter runs in the same
 * passes: a before and after from one run.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "quell.h"
#include "hsdb.h"
#include "ruleset.h" /* the bench alone reaches inside: raw Hyperscan needs the database */
/* and timing the views on their own needs the normaliser */
#include "normalise.h"
#include "views.h"
#include "utf8.h"

#include "bench_util.h"

#define MAX_REPEATS 15
/* quell_verdict_to_json is timed this many times per verdict between two
 * clock reads, so that the clock's own cost is a small part of it. */
#define OUTPUT_REPEATS 16
#define OUTPUT_STRIDE  5
#define LOADS          5

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

/* One figure's value in each pass; reported as their median. */
struct samples {
    double v[MAX_REPEATS];
    int n;
};

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

/* One pass of raw hs_scan over every body, one call per comment. */
static double time_raw(const hs_database_t *db, hs_scratch_t *scratch, const struct corpus *c,
                       size_t *matches)
{
    *matches = 0;
    double t0 = bench_wall_s();
    for (size_t i = 0; i < c->count; i++)
        hs_scan(db, c->body[i], (unsigned int)c->len[i], 0, scratch, bench_count_match, matches);
    return bench_wall_s() - t0;
}

/* One pass of quell_scan through the library, no JSON either side. */
static double time_library(quell_scanner *s, const struct corpus *c, size_t *flagged)
{
    *flagged = 0;
    double t0 = bench_wall_s();
    for (size_t i = 0; i < c->count; i++) {
        quell_comment cm = QUELL_COMMENT_INIT;
        cm.text[QUELL_FIELD_BODY] = c->body[i];
        cm.text_len[QUELL_FIELD_BODY] = c->len[i];
        const quell_verdict *v;
        if (quell_scan(s, &cm, &v, NULL) == QUELL_OK && v->action != QUELL_PASS)
            ++*flagged;
    }
    return bench_wall_s() - t0;
}

/* One pass of what quell_scan does before Hyperscan: the UTF-8 check of
 * every body, then the views the rules read (views, a mask of enum view)
 * of the valid ones: the folded view, and the skeleton and Arabizi views
 * made from it. */
static double time_views(const struct norm_tables *t, uint8_t views, struct norm_view *folded,
                         struct norm_view *skeleton, struct norm_view *arabizi,
                         const struct corpus *c)
{
    bool want_skeleton = views & (1u << VIEW_SKELETON);
    bool want_arabizi = views & (1u << VIEW_ARABIZI);
    bool want_folded = want_skeleton || want_arabizi || (views & (1u << VIEW_FOLDED));
    double t0 = bench_wall_s();
    for (size_t i = 0; i < c->count; i++) {
        size_t bad;
        if (!utf8_valid(c->body[i], c->len[i], &bad) || !want_folded)
            continue;
        if (norm_fold(t, c->body[i], c->len[i], folded) != QUELL_OK ||
            (want_skeleton && norm_skeleton(t, folded, skeleton) != QUELL_OK) ||
            (want_arabizi && norm_arabizi(folded, arabizi) != QUELL_OK)) {
            fprintf(stderr, "bench: out of memory normalising\n");
            exit(1);
        }
    }
    return bench_wall_s() - t0;
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

/* Build the derived views of every valid body once, all[v] for view v
 * (an invalid body gets empty views, and is not scanned). */
static void build_views(const struct norm_tables *t, const struct corpus *c,
                        struct view_texts all[VIEW_COUNT])
{
    struct norm_view views[VIEW_COUNT] = {{0}};
    for (unsigned int v = VIEW_FOLDED; v < VIEW_COUNT; v++) {
        all[v].off = malloc((c->count + 1) * sizeof *all[v].off);
        if (!all[v].off) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    for (size_t i = 0; i < c->count; i++) {
        for (unsigned int v = VIEW_FOLDED; v < VIEW_COUNT; v++)
            all[v].off[i] = all[v].len;
        struct view_text made;
        if (!c->is_valid[i])
            continue;
        if (views_build(t, c->body[i], c->len[i], VIEW_RAW, VIEW_COUNT - 1, views, &made) !=
            QUELL_OK) {
            fprintf(stderr, "bench: out of memory normalising\n");
            exit(1);
        }
        for (unsigned int v = VIEW_FOLDED; v < VIEW_COUNT; v++)
            append_view(&all[v], &views[v]);
    }
    for (unsigned int v = VIEW_FOLDED; v < VIEW_COUNT; v++)
        all[v].off[c->count] = all[v].len;
    views_free(views);
}

/* What the scans of every view count, and the som databases whose regexes
 * the first pass met, which the view goes through next as quell_scan does:
 * the first pass does without start offsets, and only a comment that a
 * regex matches pays for them, in that regex's rule's database. */
struct view_scan {
    const struct rule_table *table;
    const struct hsdb *hs;
    size_t matches;
    uint32_t *due;
    uint8_t *is_due;
    size_t due_count;
};

static int note_match(unsigned int id, unsigned long long from, unsigned long long to,
                      unsigned int flags, void *ctx)
{
    (void)from;
    (void)to;
    (void)flags;
    struct view_scan *vs = ctx;
    vs->matches++;
    if (id < vs->table->pattern_count && hsdb_is_regex(&vs->table->patterns[id])) {
        uint32_t group = vs->hs->som_of[id];
        if (!vs->is_due[group]) {
            vs->is_due[group] = 1;
            vs->due[vs->due_count++] = group;
        }
    }
    return 0;
}

/* One view's database, then the som databases of the regexes it matched. */
static void scan_one_view(const struct hsdb *hs, unsigned int view, const char *text, size_t len,
                          hs_scratch_t *scratch, struct view_scan *vs)
{
    unsigned int slot = hsdb_slot(QUELL_FIELD_BODY, view);
    if (!hs->db[slot])
        return;
    vs->due_count = 0;
    hs_scan(hs->db[slot], text, (unsigned int)len, 0, scratch, note_match, vs);
    for (size_t k = 0; k < vs->due_count; k++) {
        vs->is_due[vs->due[k]] = 0;
        hs_scan(hs->som[vs->due[k]], text, (unsigned int)len, 0, scratch, bench_count_match,
                &vs->matches);
    }
}

/* One pass of raw hs_scan with every body database on its own view of each
 * valid body, the views built beforehand: the Hyperscan work quell_scan
 * does, its som passes included, and nothing else. */
static double time_scan_views(const struct quell_rules *rules, hs_scratch_t *scratch,
                              const struct corpus *c, const struct view_texts all[VIEW_COUNT],
                              size_t *matches)
{
    size_t groups = rules->hs.som_count ? rules->hs.som_count : 1;
    struct view_scan vs = {rules->table, &rules->hs, 0, calloc(groups, sizeof *vs.due),
                           calloc(groups, sizeof *vs.is_due), 0};
    if (!vs.due || !vs.is_due) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    double t0 = bench_wall_s();
    for (size_t i = 0; i < c->count; i++) {
        if (!c->is_valid[i])
            continue;
        scan_one_view(&rules->hs, VIEW_RAW, c->body[i], c->len[i], scratch, &vs);
        for (unsigned int v = VIEW_FOLDED; v < VIEW_COUNT; v++)
            scan_one_view(&rules->hs, v, all[v].text + all[v].off[i],
                          all[v].off[i + 1] - all[v].off[i], scratch, &vs);
    }
    double t = bench_wall_s() - t0;
    *matches = vs.matches;
    free(vs.due);
    free(vs.is_due);
    return t;
}

/* One pass of the JSON Lines record parser (cJSON underneath) alone. */
static double time_parse(quell_record_parser *p, const struct corpus *c)
{
    double t0 = bench_wall_s();
    for (size_t i = 0; i < c->count; i++) {
        const quell_record *rec;
        quell_record_parse(p, c->record[i], c->record_len[i], &rec, NULL);
    }
    return bench_wall_s() - t0;
}

/* Seconds per quell_scanner_new + quell_scanner_free: what a new thread
 * pays for its scanner (a clone of the rules' prototype scratch). */
static double time_scanner_new(const quell_rules *rules, int count)
{
    double t0 = bench_wall_s();
    for (int i = 0; i < count; i++) {
        quell_scanner *s;
        if (quell_scanner_new(&s, rules, NULL) != QUELL_OK) {
            fprintf(stderr, "bench: cannot make a scanner\n");
            exit(1);
        }
        quell_scanner_free(s);
    }
    return (bench_wall_s() - t0) / count;
}

/* The same without the prototype: a scratch sized afresh for every
 * database, as each scanner did before it cloned one. */
static double time_scratch_sized(const quell_rules *rules, int count)
{
    double t0 = bench_wall_s();
    for (int i = 0; i < count; i++) {
        hs_scratch_t *scratch = NULL;
        for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
            const hs_database_t *db = hsdb_nth(&rules->hs, k);
            if (db && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
                fprintf(stderr, "bench: no scratch\n");
                exit(1);
            }
        }
        hs_free_scratch(scratch);
    }
    return (bench_wall_s() - t0) / count;
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
    double t0 = bench_wall_s();
    for (int i = 0; i < count; i++) {
        quell_engine_swap(engine, i % 2 ? rules : copy);
        if (quell_scan(s, &c, &v, NULL) != QUELL_OK) {
            fprintf(stderr, "bench: scan failed\n");
            exit(1);
        }
    }
    double t = (bench_wall_s() - t0) / count;
    quell_scanner_free(s);
    quell_engine_free(engine);
    quell_rules_release(copy);
    return t;
}

static void samples_add(struct samples *s, double v)
{
    if (s->n < MAX_REPEATS)
        s->v[s->n++] = v;
}

static double median(const struct samples *s)
{
    double v[MAX_REPEATS];
    memcpy(v, s->v, (size_t)s->n * sizeof *v);
    return bench_median(v, (size_t)s->n);
}

/* One pass of quell_verdict_to_json on the verdicts of every OUTPUT_STRIDE-th
 * comment, as the command writes them (the id is the record's number): the
 * seconds the writer alone would spend on the whole corpus, the scans left
 * out. A sample, because the verdicts cost a scan each. */
static double time_output(quell_scanner *s, const struct corpus *c)
{
    static char buf[1 << 16];
    double spent = 0;
    size_t sink = 0, sampled = 0;
    for (size_t i = 0; i < c->count; i += OUTPUT_STRIDE) {
        sampled++;
        quell_comment cm = QUELL_COMMENT_INIT;
        cm.text[QUELL_FIELD_BODY] = c->body[i];
        cm.text_len[QUELL_FIELD_BODY] = c->len[i];
        const quell_verdict *v;
        if (quell_scan(s, &cm, &v, NULL) != QUELL_OK)
            continue;
        char id[24];
        int id_len = snprintf(id, sizeof id, "%zu", i + 1);
        double t0 = bench_wall_s();
        for (int k = 0; k < OUTPUT_REPEATS; k++)
            sink += quell_verdict_to_json(v, id, (size_t)id_len, buf, sizeof buf);
        spent += bench_wall_s() - t0;
    }
    if (sink == 0)
        fprintf(stderr, "bench: no output written\n");
    return spent / OUTPUT_REPEATS * (double)c->count / (double)sampled;
}

/* Seconds for one quell_rules_load of path (and the free, not timed). */
static double time_load(const char *path)
{
    quell_rules *rules;
    quell_error err;
    double t0 = bench_wall_s();
    if (quell_rules_load(&rules, path, &err) != QUELL_OK) {
        fprintf(stderr, "bench: %s: %s\n", path, err.message);
        exit(1);
    }
    double t = bench_wall_s() - t0;
    quell_rules_free(rules);
    return t;
}

/* What a child run used. */
struct child {
    double wall, cpu; /* seconds; CPU is user + system, all threads */
    long maxrss_kib;
};

/* Run argv with stdin from in_path and stdout to /dev/null. CPU time is
 * what a loaded, shared machine leaves least disturbed. posix_spawn rather
 * than fork: a forked child would count the bench's own pages (the corpus)
 * in its peak RSS until its exec. */
static struct child run(char *const argv[], const char *in_path)
{
    const char *bin = argv[0];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double t0 = bench_wall_s();
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
    struct child out;
    out.wall = bench_wall_s() - t0;
    out.maxrss_kib = ru.ru_maxrss;
    out.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return out;
}

/* `quell filter -jJOBS --format FORMAT RULES < corpus > /dev/null`. */
static struct child run_filter(const char *bin, int jobs, const char *format, const char *rules,
                               const char *corpus)
{
    char jobs_arg[16];
    snprintf(jobs_arg, sizeof jobs_arg, "-j%d", jobs);
    char *argv[] = {(char *)bin,    "filter",      jobs_arg, "--format",
                    (char *)format, (char *)rules, NULL};
    return run(argv, corpus);
}

/* A command's wall and CPU times over the passes. */
struct e2e {
    struct samples wall, cpu;
};

/* The four command runs of one build: -j1 and -jN, text and JSON Lines. */
enum { J1_TEXT, J1_JSONL, JN_TEXT, JN_JSONL, FILTER_RUNS };

/* One more run of each of a build's four commands. */
static void time_filters(const char *bin, int jobs, const char *qdb_path, const char *text_path,
                         const char *corpus_path, struct e2e runs[FILTER_RUNS])
{
    for (int k = 0; k < FILTER_RUNS; k++) {
        int is_jsonl = k == J1_JSONL || k == JN_JSONL;
        struct child ch = run_filter(bin, k < JN_TEXT ? 1 : jobs, is_jsonl ? "jsonl" : "text",
                                     qdb_path, is_jsonl ? corpus_path : text_path);
        samples_add(&runs[k].wall, ch.wall);
        samples_add(&runs[k].cpu, ch.cpu);
    }
}

static void print_row(const char *label, double seconds, double cpu, const struct corpus *c,
                      double base)
{
    double n = (double)c->count, mb = (double)c->bytes / 1e6;
    printf("%-36s %9.0f %11.0f %8.1f %8.2f", label, seconds / n * 1e9, n / seconds, mb / seconds,
           base / seconds);
    if (cpu > 0)
        printf(" %8.2f %8.2f", seconds, cpu);
    printf("\n");
}

static void print_filters(const char *bin, int jobs, struct e2e runs[FILTER_RUNS],
                          const struct corpus *c, double base)
{
    static const char *const names[FILTER_RUNS] = {"text", "jsonl", "text", "jsonl"};
    for (int k = 0; k < FILTER_RUNS; k++) {
        char label[64];
        snprintf(label, sizeof label, "%s filter -j%d %s", bin, k < JN_TEXT ? 1 : jobs, names[k]);
        print_row(label, median(&runs[k].wall), median(&runs[k].cpu), c, base);
    }
}

/* The -jN speed-up over -j1 and how much more CPU it took. */
static void print_speedup(const char *bin, int jobs, struct e2e runs[FILTER_RUNS])
{
    printf("%s filter -j%d against -j1: text %.2f times as fast (%.2f times the CPU), jsonl %.2f "
           "times as fast (%.2f times the CPU)\n",
           bin, jobs, median(&runs[J1_TEXT].wall) / median(&runs[JN_TEXT].wall),
           median(&runs[JN_TEXT].cpu) / median(&runs[J1_TEXT].cpu),
           median(&runs[J1_JSONL].wall) / median(&runs[JN_JSONL].wall),
           median(&runs[JN_JSONL].cpu) / median(&runs[J1_JSONL].cpu));
}

/* --ruleset: compile a configuration with the command and load the .qdb. */
static int ruleset_main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--ruleset-header") == 0) {
        printf("%-24s %7s %11s %10s %12s %9s %9s %11s\n", "rule set", "rules", "compile s", "CPU s",
               "peak RSS MB", ".qdb MB", "load ms", "command ms");
        return 0;
    }
    if (argc != 6) {
        fprintf(stderr, "usage: %s --ruleset LABEL RULES.cfg OUT.qdb QUELL_BIN\n", argv[0]);
        return 2;
    }
    const char *label = argv[2], *cfg = argv[3], *qdb = argv[4], *bin = argv[5];
    char *compile_argv[] = {(char *)bin, "compile", (char *)cfg, "-o", (char *)qdb, NULL};
    struct child ch = run(compile_argv, "/dev/null");
    struct stat st;
    if (stat(qdb, &st) != 0) {
        perror(qdb);
        return 1;
    }
    /* In process, after the first load, malloc hands the databases memory
     * it already has; a command loads into fresh pages, so it is timed too:
     * `quell filter` on empty input, start-up and load, wall time. */
    struct samples load = {0}, cold = {0};
    for (int i = 0; i < LOADS; i++) {
        samples_add(&load, time_load(qdb));
        samples_add(&cold, run_filter(bin, 1, "jsonl", qdb, "/dev/null").wall);
    }
    quell_rules *rules;
    quell_error err;
    if (quell_rules_load(&rules, qdb, &err) != QUELL_OK) {
        fprintf(stderr, "bench: %s: %s\n", qdb, err.message);
        return 1;
    }
    printf("%-24s %7zu %11.2f %10.2f %12.1f %9.2f %9.2f %11.2f\n", label,
           quell_rules_rule_count(rules), ch.wall, ch.cpu, (double)ch.maxrss_kib / 1024,
           (double)st.st_size / 1e6, median(&load) * 1e3, median(&cold) * 1e3);
    quell_rules_free(rules);
    return 0;
}

static int env_int(const char *name, int fallback, int lo, int hi)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return fallback;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi) {
        fprintf(stderr, "bench: %s must be %d to %d\n", name, lo, hi);
        exit(2);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strncmp(argv[1], "--ruleset", 9) == 0)
        return ruleset_main(argc, argv);
    if (argc < 5 || argc > 6) {
        fprintf(stderr,
                "usage: %s RULES.qdb CORPUS.jsonl CORPUS.txt QUELL_BIN [BIG_CORPUS.jsonl]\n"
                "       %s --ruleset LABEL RULES.cfg OUT.qdb QUELL_BIN\n",
                argv[0], argv[0]);
        return 2;
    }
    const char *qdb_path = argv[1], *corpus_path = argv[2], *text_path = argv[3];
    const char *bin = argv[4], *big_path = argc == 6 ? argv[5] : NULL;
    int repeats = env_int("BENCH_REPEATS", 3, 1, MAX_REPEATS);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = env_int("BENCH_JOBS", online > 2 ? (int)online : 2, 2, 64);
    /* Another build's command, timed in the same passes for a before and
     * after from one run (it reads the same .qdb). */
    const char *base_bin = getenv("BENCH_BASELINE_BIN");

    /* Peak RSS first, while this process is small: a spawned child's peak
     * RSS includes what it shared with its parent before exec. */
    struct child rss = run_filter(bin, 1, "jsonl", qdb_path, corpus_path);
    struct child text_rss = run_filter(bin, 1, "text", qdb_path, text_path);
    struct child big = {0};
    if (big_path)
        big = run_filter(bin, 1, "jsonl", qdb_path, big_path);

    quell_rules *rules;
    quell_error err;
    if (quell_rules_load(&rules, qdb_path, &err) != QUELL_OK) {
        fprintf(stderr, "bench: %s: %s\n", qdb_path, err.message);
        return 3;
    }
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
    /* The same scratch serves every view's databases; it grows to fit each. */
    for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
        const hs_database_t *d = hsdb_nth(&rules->hs, k);
        if (d && hs_alloc_scratch(d, &scratch) != HS_SUCCESS) {
            fprintf(stderr, "bench: no scratch\n");
            exit(1);
        }
    }
    /* The normaliser's own tables, as a rule set that needs views builds. */
    struct norm_tables *norm;
    struct norm_view folded = {0}, skeleton = {0}, arabizi = {0};
    struct view_texts all[VIEW_COUNT];
    memset(all, 0, sizeof all);
    if (norm_tables_new(&norm) != QUELL_OK) {
        fprintf(stderr, "bench: out of memory for the normaliser's tables\n");
        exit(1);
    }
    build_views(norm, &c, all);
    uint8_t body_views = rules->views[QUELL_FIELD_BODY];

    /* The stages take turns, one pass each per round, so that a machine
     * whose speed drifts (shared hosts do) slows them all alike. */
    struct samples load = {0}, raw = {0}, lib = {0}, parse = {0}, views = {0}, scan = {0},
                   output = {0};
    struct e2e runs[FILTER_RUNS], base_runs[FILTER_RUNS];
    memset(runs, 0, sizeof runs);
    memset(base_runs, 0, sizeof base_runs);
    size_t matches = 0, flagged = 0, view_matches = 0;
    for (int r = 0; r < repeats; r++) {
        /* The command's start-up and load, as each run pays them: the
         * databases go into fresh pages, which an in-process reload
         * (malloc reusing what the last one freed) would not show. */
        samples_add(&load, run_filter(bin, 1, "jsonl", qdb_path, "/dev/null").cpu);
        samples_add(&raw, time_raw(db, scratch, &c, &matches));
        samples_add(&scan, time_scan_views(rules, scratch, &c, all, &view_matches));
        samples_add(&views, time_views(norm, body_views, &folded, &skeleton, &arabizi, &c));
        samples_add(&lib, time_library(scanner, &c, &flagged));
        samples_add(&parse, time_parse(parser, &c));
        samples_add(&output, time_output(scanner, &c));
        time_filters(bin, jobs, qdb_path, text_path, corpus_path, runs);
        if (base_bin)
            time_filters(base_bin, jobs, qdb_path, text_path, corpus_path, base_runs);
    }
    double scanner_new = time_scanner_new(rules, 200);
    double scratch_sized = time_scratch_sized(rules, 200);
    double swap = time_swap(rules, 200);
    hs_free_scratch(scratch);
    quell_scanner_free(scanner);
    quell_record_parser_free(parser);
    norm_view_free(&folded);
    norm_view_free(&skeleton);
    norm_view_free(&arabizi);
    norm_tables_free(norm);

    double n = (double)c.count, mb = (double)c.bytes / 1e6;
    char view_names[64] = "";
    for (unsigned int v = 0; v < VIEW_COUNT; v++)
        if (body_views & (1u << v))
            snprintf(view_names + strlen(view_names), sizeof view_names - strlen(view_names),
                     "%s%s", view_names[0] ? ", " : "", rules_view_name(v));
    printf("rules %s: %zu rules, bodies scan the %s views; corpus %s: %zu comments, %.1f MB "
           "of text\n",
           qdb_path, quell_rules_rule_count(rules), view_names, corpus_path, c.count, mb);
    printf("quell_scan flags %zu comments (flag or worse); raw hs_scan %zu matches, every view's "
           "database on its view %zu\n",
           flagged, matches, view_matches);
    if (c.valid_count < c.count)
        printf("(%zu bodies are not valid UTF-8: quell_scan rejects them, the views skip them)\n",
               c.count - c.valid_count);
    printf("median of %d passes; ratio: throughput over raw Hyperscan on the views; the "
           "command's wall and CPU seconds\n",
           repeats);
    printf("%-36s %9s %11s %8s %8s %8s %8s\n", "", "ns/comm.", "comments/s", "MB/s", "ratio",
           "wall s", "CPU s");
    double base = median(&scan);
    print_row("raw hs_scan, raw view's database", median(&raw), 0, &c, base);
    print_row("raw hs_scan, every view (views made)", base, 0, &c, base);
    print_row("quell_scan (library)", median(&lib), 0, &c, base);
    print_filters("quell", jobs, runs, &c, base);
    if (base_bin)
        print_filters(base_bin, jobs, base_runs, &c, base);
    print_speedup("quell", jobs, runs);
    if (base_bin)
        print_speedup(base_bin, jobs, base_runs);
    printf("quell filter -j1 jsonl against the library: %.2f of its throughput (wall), %.2f "
           "(CPU)\n",
           median(&lib) / median(&runs[J1_JSONL].wall), median(&lib) / median(&runs[J1_JSONL].cpu));

    /* Where a comment's time goes. Score is what quell_scan spends beyond
     * building the views and Hyperscan's own scanning: checking each match
     * (word edges, letter runs, mapping to the original), allow lists,
     * validators and the scoring itself. Load is the command's start-up
     * and rules load. The rest is what the command spends beyond the
     * parts: reading, cutting records, writing, and the parts running
     * colder there, interleaved, than each does alone in a loop here. */
    double ns = 1e9 / n;
    double t_load = median(&load), t_parse = median(&parse), t_views = median(&views);
    double t_scan = median(&scan), t_lib = median(&lib), t_out = median(&output);
    double t_score = t_lib - t_views - t_scan;
    double parts = t_load + t_parse + t_views + t_scan + t_score + t_out;
    double cmd_cpu = median(&runs[J1_JSONL].cpu);
    printf("cost per comment, in process (ns), against quell filter -j1 jsonl's CPU time:\n");
    printf("  load %.0f (%.1f ms CPU: quell filter on no input) | parse %.0f | views %.0f | scan "
           "%.0f | score %.0f | "
           "output %.0f | sum %.0f; command %.0f, the rest %.0f\n",
           t_load * ns, t_load * 1e3, t_parse * ns, t_views * ns, t_scan * ns, t_score * ns,
           t_out * ns, parts * ns, cmd_cpu * ns, (cmd_cpu - parts) * ns);
    printf("  shares of the command: load %.0f%%, parse %.0f%%, views %.0f%%, scan %.0f%%, score "
           "%.0f%%, output %.0f%%, the rest %.0f%%\n",
           100 * t_load / cmd_cpu, 100 * t_parse / cmd_cpu, 100 * t_views / cmd_cpu,
           100 * t_scan / cmd_cpu, 100 * t_score / cmd_cpu, 100 * t_out / cmd_cpu,
           100 * (cmd_cpu - parts) / cmd_cpu);
    printf("a new thread's scanner (quell_scanner_new + free, scratch cloned): %.1f us; sizing a "
           "scratch for every database instead: %.1f us; engine swap + the next scan: %.1f us\n",
           scanner_new * 1e6, scratch_sized * 1e6, swap * 1e6);
    printf("quell filter -j1 peak RSS: %.1f MiB (jsonl), %.1f MiB (text)",
           (double)rss.maxrss_kib / 1024, (double)text_rss.maxrss_kib / 1024);
    if (big_path)
        printf("; on %s: %.1f MiB (%.1f s)", big_path, (double)big.maxrss_kib / 1024, big.wall);
    printf("\n");
    for (size_t i = 0; i < c.count; i++) {
        free(c.body[i]);
        free(c.record[i]);
    }
    free(c.body);
    free(c.len);
    free(c.record);
    free(c.record_len);
    free(c.is_valid);
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        free(all[v].text);
        free(all[v].off);
    }
    quell_rules_free(rules);
    return 0;
}
