/*
 * bench_util.h - what the benchmarks share: clock reads, the median of a
 * figure's passes, and a Hyperscan callback that only counts. All static
 * inline, so that each benchmark stays one .c file linked against
 * libquell.a.
 */
#ifndef QUELL_BENCH_UTIL_H
#define QUELL_BENCH_UTIL_H

#include <stddef.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock: for wall times. */
static inline double bench_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds of CPU the process has used, all its threads: what a loaded,
 * shared machine disturbs least. */
static inline double bench_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* qsort's comparison of two doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the count values at v, which it sorts; 0 if there are
 * none. Medians, not means: one pass slowed by another job on the machine
 * moves a mean, not a median. */
static inline double bench_median(double *v, size_t count)
{
    if (count == 0)
        return 0;
    qsort(v, count, sizeof *v, bench_cmp_double);
    return count % 2 ? v[count / 2] : (v[count / 2 - 1] + v[count / 2]) / 2;
}

/* A Hyperscan match callback that counts the matches in *(size_t *)ctx
 * and never stops the scan: Hyperscan's own work, with a callback as
 * cheap as one can be. */
static inline int bench_count_match(unsigned int id, unsigned long long from, unsigned long long to,
                                    unsigned int flags, void *ctx)
{
    (void)id;
    (void)from;
    (void)to;
    (void)flags;
    ++*(size_t *)ctx;
    return 0;
}

#endif
