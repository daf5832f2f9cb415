/*
 * metrics.h - the service's counters, kept with relaxed atomics so that
 * counting never serialises the worker threads, and written out in the
 * Prometheus text format (version 0.0.4) for GET /metrics.
 */
#ifndef QUELL_SERVE_METRICS_H
#define QUELL_SERVE_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "quell.h"

/* The routes, as metrics label them. */
enum route {
    ROUTE_PAGE = 0, /* "/" and its files */
    ROUTE_CHECK,
    ROUTE_EXPLAIN,
    ROUTE_EVAL,
    ROUTE_RULES,
    ROUTE_HEALTHZ,
    ROUTE_READYZ,
    ROUTE_METRICS,
    ROUTE_RELOAD,
    ROUTE_OTHER, /* no such route */
    ROUTE_COUNT
};

/* The statuses the service answers with; any other counts as "other". */
#define METRICS_STATUSES                                                                           \
    X(200) X(304) X(400) X(403) X(404) X(405) X(408) X(413) X(415) X(422) X(431) X(500) X(503)
enum status_slot {
#define X(code) STATUS_##code,
    METRICS_STATUSES
#undef X
        STATUS_OTHER,
    STATUS_SLOT_COUNT
};

/* Latency buckets' upper bounds, in seconds; +Inf is implicit. */
#define METRICS_BUCKETS 14

/* Categories counted per comment, by name: the rule set may change. */
#define METRICS_MAX_CATEGORIES 64

struct metrics {
    _Atomic uint64_t requests[ROUTE_COUNT][STATUS_SLOT_COUNT];
    _Atomic uint64_t latency_bucket[ROUTE_COUNT][METRICS_BUCKETS];
    _Atomic uint64_t latency_count[ROUTE_COUNT];
    _Atomic uint64_t latency_sum_ns[ROUTE_COUNT];
    _Atomic uint64_t comments[QUELL_REJECT + 2]; /* by action; the last: error records */
    _Atomic uint64_t scanner_threads;
    /* Comments with a score in a category, by category name. Names are
     * added under the lock and never removed; counts are atomic. */
    pthread_mutex_t lock;
    char *category_name[METRICS_MAX_CATEGORIES];
    _Atomic uint64_t category_comments[METRICS_MAX_CATEGORIES];
    size_t category_count;
};

/* Returns 0, or -1 when the lock cannot be made. */
int metrics_init(struct metrics *m);
void metrics_destroy(struct metrics *m);

/* One request answered: its route, status and time taken. */
void metrics_request(struct metrics *m, enum route route, unsigned int status, uint64_t ns);

/* One comment's verdict (NULL: an error record). */
void metrics_verdict(struct metrics *m, const quell_verdict *v);

/* Comments in each category since the last call, merged under the lock
 * once per request: counts[i] comments in category names[i]. */
void metrics_categories(struct metrics *m, const char *const *names, const uint64_t *counts,
                        size_t n);

/* What GET /metrics needs from the engine, read when it is asked. */
struct metrics_rules {
    const char *rules_id;
    const char *label;
    uint64_t generation;
    uint64_t reloads_ok;
    uint64_t reloads_failed;
    double loaded_at; /* seconds since the epoch */
};

/*
 * Write the whole exposition into a malloc'd, NUL-terminated *out.
 * Returns 0, or -1 when out of memory.
 */
int metrics_render(struct metrics *m, const struct metrics_rules *r, char **out, size_t *out_len);

/* The name metrics give a route, e.g. "/v1/check". */
const char *metrics_route_name(enum route route);

#endif /* QUELL_SERVE_METRICS_H */
