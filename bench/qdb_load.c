/*
 * qdb_load.c - how long a compiled rules file (.qdb) takes to load, and
 * where the time goes: reading the file, its checksum, Hyperscan's
 * deserialization of each database, the prototype scratch. The rest of
 * quell_rules_deserialize is the rule table, the normaliser's tables and
 * the patterns' view texts.
 *
 * Usage: qdb_load RULES.qdb [N]
 * Each part runs N times (default 20); prints min and median milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xxhash.h>

#include "quell.h"
#include "ruleset.h" /* the bench alone reaches inside: timing each database needs them */

static const char *const view_names[VIEW_COUNT] = {"raw", "folded", "skeleton", "arabizi"};
static const char *const field_names[QUELL_FIELD_COUNT] = {"body", "author"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Sort the n samples and print their min and median. */
static void report(const char *what, double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    printf("%-34s min %9.3f ms  median %9.3f ms\n", what, ms[0], median);
}

/* The whole file in a malloc'd buffer; NULL on failure. */
static char *read_whole(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len > 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)len);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len_out = buf ? (size_t)len : 0;
    return buf;
}

/* FNV-1a 64 a byte at a time, as format versions up to 7 checksummed. */
static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Time each database's deserialization as the loader does it, from the
 * bytes the loaded rules serialize to (the same bytes the file holds), and
 * the scratch that fits them all. Returns the sum of the medians. */
static double time_databases(const struct quell_rules *rules, int n, double *ms)
{
    double total = 0, som_total = 0, som_bytes = 0;
    for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
        const hs_database_t *db = hsdb_nth(&rules->hs, k);
        if (!db)
            continue;
        char *bytes;
        size_t len;
        if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
            fprintf(stderr, "qdb_load: hs_serialize_database failed\n");
            exit(1);
        }
        size_t size;
        if (hs_serialized_database_size(bytes, len, &size) != HS_SUCCESS) {
            fprintf(stderr, "qdb_load: hs_serialized_database_size failed\n");
            exit(1);
        }
        /* As the loader does (qdb.c): into a huge-page mapping. */
        for (int i = 0; i < n; i++) {
            double t0 = now_ms();
            void *map =
                mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (map == MAP_FAILED) {
                fprintf(stderr, "qdb_load: out of memory\n");
                exit(1);
            }
            (void)madvise(map, size, MADV_HUGEPAGE);
            (void)madvise(map, size, MADV_POPULATE_WRITE);
            if (hs_deserialize_database_at(bytes, len, map) != HS_SUCCESS) {
                fprintf(stderr, "qdb_load: hs_deserialize_database_at failed\n");
                exit(1);
            }
            ms[i] = now_ms() - t0;
            munmap(map, size);
        }
        free(bytes);
        qsort(ms, (size_t)n, sizeof *ms, cmp_double);
        double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        total += median;
        if (k >= HSDB_COUNT) {
            /* One rule's regexes in one slot each: told as a sum. */
            som_total += median;
            som_bytes += (double)len;
            continue;
        }
        char what[80];
        snprintf(what, sizeof what, "  hs db %s %s (%.1f MB)", field_names[k / VIEW_COUNT],
                 view_names[k % VIEW_COUNT], (double)len / 1e6);
        report(what, ms, n);
    }
    char what[80];
    snprintf(what, sizeof what, "  hs som dbs, %zu (%.1f MB)", rules->hs.som_count,
             som_bytes / 1e6);
    printf("%-34s sum of medians %9.3f ms\n", what, som_total);

    for (int i = 0; i < n; i++) {
        hs_scratch_t *scratch = NULL;
        double t0 = now_ms();
        for (size_t k = 0; k < hsdb_count(&rules->hs); k++) {
            const hs_database_t *db = hsdb_nth(&rules->hs, k);
            if (db && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
                fprintf(stderr, "qdb_load: hs_alloc_scratch failed\n");
                exit(1);
            }
        }
        ms[i] = now_ms() - t0;
        hs_free_scratch(scratch);
    }
    report("  prototype scratch", ms, n);
    total += n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    return total;
}

/* Time n loads of path (n deserializations of data when data is not NULL)
 * into ms. Returns 0, or -1 with the error printed. */
static int time_loads(const char *path, const char *data, size_t len, int n, double *ms)
{
    for (int i = 0; i < n; i++) {
        quell_error err;
        quell_rules *rules;
        double t0 = now_ms();
        int rc = data ? quell_rules_deserialize(&rules, data, len, &err)
                      : quell_rules_load(&rules, path, &err);
        ms[i] = now_ms() - t0;
        if (rc != QUELL_OK) {
            fprintf(stderr, "qdb_load: %s: %s\n", path, err.message);
            return -1;
        }
        quell_rules_free(rules);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: qdb_load RULES.qdb [N]\n");
        return 2;
    }
    const char *path = argv[1];
    int n = argc == 3 ? atoi(argv[2]) : 20;
    if (n < 1)
        n = 1;
    int status = 1;
    double *ms = malloc((size_t)n * sizeof *ms);
    size_t len;
    char *data = read_whole(path, &len);
    if (!ms || !data) {
        fprintf(stderr, "qdb_load: cannot read %s\n", path);
        goto out_free;
    }
    printf("%s: %.1f MB, %d runs each\n", path, (double)len / 1e6, n);

    if (time_loads(path, NULL, 0, n, ms) != 0)
        goto out_free;
    report("quell_rules_load", ms, n);

    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        size_t again_len;
        char *again = read_whole(path, &again_len);
        ms[i] = now_ms() - t0;
        free(again);
    }
    report("  read the file (fread)", ms, n);

    if (time_loads(path, data, len, n, ms) != 0)
        goto out_free;
    report("quell_rules_deserialize (memory)", ms, n);

    volatile uint64_t sink = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        sink ^= fnv1a64((const unsigned char *)data, len);
        ms[i] = now_ms() - t0;
    }
    report("  FNV-1a 64 of the file", ms, n);
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        sink ^= XXH3_64bits(data, len);
        ms[i] = now_ms() - t0;
    }
    report("  XXH3_64bits of the file", ms, n);

    quell_error err;
    quell_rules *rules;
    if (quell_rules_deserialize(&rules, data, len, &err) != QUELL_OK) {
        fprintf(stderr, "qdb_load: %s: %s\n", path, err.message);
        goto out_free;
    }
    double hs_ms = time_databases(rules, n, ms);
    printf("%-34s        %9.3f ms (sum of medians)\n", "  Hyperscan in all", hs_ms);
    quell_rules_free(rules);
    status = (int)(sink & 0);

out_free:
    free(data);
    free(ms);
    return status;
}
