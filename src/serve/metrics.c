/*
 * metrics.c - counting requests and verdicts, and the Prometheus exposition.
 */
#include <stdlib.h>
#include <string.h>

#include "serve/metrics.h"
#include "serve/sbuf.h"

static const double bucket_le[METRICS_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

static const unsigned int slot_status[STATUS_SLOT_COUNT] = {
#define X(code) code,
    METRICS_STATUSES
#undef X
    0};

static const char *const route_names[ROUTE_COUNT] = {
    "/",        "/v1/check", "/v1/explain", "/v1/eval",   "/v1/rules",
    "/healthz", "/readyz",   "/metrics",    "/v1/reload", "other"};

const char *metrics_route_name(enum route route)
{
    return route_names[route];
}

int metrics_init(struct metrics *m)
{
    memset(m, 0, sizeof *m);
    return pthread_mutex_init(&m->lock, NULL) == 0 ? 0 : -1;
}

void metrics_destroy(struct metrics *m)
{
    for (size_t i = 0; i < m->category_count; i++)
        free(m->category_name[i]);
    pthread_mutex_destroy(&m->lock);
}

static void count(_Atomic uint64_t *counter, uint64_t n)
{
    atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

static uint64_t read_counter(_Atomic uint64_t *counter)
{
    return atomic_load_explicit(counter, memory_order_relaxed);
}

void metrics_request(struct metrics *m, enum route route, unsigned int status, uint64_t ns)
{
    size_t slot = STATUS_OTHER;
    for (size_t i = 0; i < STATUS_OTHER; i++) {
        if (slot_status[i] == status) {
            slot = i;
            break;
        }
    }
    count(&m->requests[route][slot], 1);
    /* Cumulative buckets are summed at render time: one add per request. */
    double seconds = (double)ns / 1e9;
    size_t b = 0;
    while (b < METRICS_BUCKETS && seconds > bucket_le[b])
        b++;
    if (b < METRICS_BUCKETS)
        count(&m->latency_bucket[route][b], 1);
    count(&m->latency_count[route], 1);
    count(&m->latency_sum_ns[route], ns);
}

void metrics_verdict(struct metrics *m, const quell_verdict *v)
{
    count(&m->comments[v ? (size_t)v->action : QUELL_REJECT + 1], 1);
}

/* The slot of a category name, added when new; -1 when the table is full. */
static int category_slot(struct metrics *m, const char *name)
{
    for (size_t i = 0; i < m->category_count; i++) {
        if (strcmp(m->category_name[i], name) == 0)
            return (int)i;
    }
    if (m->category_count == METRICS_MAX_CATEGORIES)
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    m->category_name[m->category_count] = copy;
    return (int)m->category_count++;
}

void metrics_categories(struct metrics *m, const char *const *names, const uint64_t *counts,
                        size_t n)
{
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < n; i++) {
        if (counts[i] == 0)
            continue;
        int slot = category_slot(m, names[i]);
        if (slot >= 0)
            count(&m->category_comments[slot], counts[i]);
    }
    pthread_mutex_unlock(&m->lock);
}

/* A label value: backslash, double quote and line feed escaped. */
static void put_label_value(struct sbuf *b, const char *s)
{
    sbuf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '\\')
            sbuf_puts(b, "\\\\");
        else if (*s == '"')
            sbuf_puts(b, "\\\"");
        else if (*s == '\n')
            sbuf_puts(b, "\\n");
        else
            sbuf_append(b, s, 1);
    }
    sbuf_puts(b, "\"");
}

static void put_header(struct sbuf *b, const char *name, const char *type, const char *help)
{
    sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_requests(struct sbuf *b, struct metrics *m)
{
    put_header(b, "quell_http_requests_total", "counter",
               "HTTP requests answered, by route and status.");
    for (size_t r = 0; r < ROUTE_COUNT; r++) {
        for (size_t s = 0; s < STATUS_SLOT_COUNT; s++) {
            uint64_t n = read_counter(&m->requests[r][s]);
            if (n == 0)
                continue;
            sbuf_printf(b, "quell_http_requests_total{route=\"%s\",status=\"", route_names[r]);
            if (s == STATUS_OTHER)
                sbuf_puts(b, "other");
            else
                sbuf_printf(b, "%u", slot_status[s]);
            sbuf_printf(b, "\"} %llu\n", (unsigned long long)n);
        }
    }
}

static void put_latency(struct sbuf *b, struct metrics *m)
{
    put_header(b, "quell_http_request_duration_seconds", "histogram",
               "Time from a request's first byte to its answer, by route.");
    for (size_t r = 0; r < ROUTE_COUNT; r++) {
        uint64_t total = read_counter(&m->latency_count[r]);
        if (total == 0)
            continue;
        uint64_t cumulative = 0;
        for (size_t k = 0; k < METRICS_BUCKETS; k++) {
            cumulative += read_counter(&m->latency_bucket[r][k]);
            sbuf_printf(b,
                        "quell_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                        route_names[r], bucket_le[k], (unsigned long long)cumulative);
        }
        /* Read apart from the buckets: +Inf must not fall below them. */
        if (total < cumulative)
            total = cumulative;
        sbuf_printf(b,
                    "quell_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                    route_names[r], (unsigned long long)total);
        sbuf_printf(b, "quell_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n",
                    route_names[r], (double)read_counter(&m->latency_sum_ns[r]) / 1e9);
        sbuf_printf(b, "quell_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                    route_names[r], (unsigned long long)total);
    }
}

static void put_comments(struct sbuf *b, struct metrics *m)
{
    put_header(b, "quell_comments_total", "counter",
               "Comments answered, by action (error: an error record).");
    for (size_t a = 0; a <= QUELL_REJECT + 1; a++) {
        const char *name = a <= QUELL_REJECT ? quell_action_name((quell_action)a) : "error";
        sbuf_printf(b, "quell_comments_total{action=\"%s\"} %llu\n", name,
                    (unsigned long long)read_counter(&m->comments[a]));
    }
    put_header(b, "quell_comment_categories_total", "counter",
               "Comments with a score in a category, by category.");
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->category_count; i++) {
        sbuf_puts(b, "quell_comment_categories_total{category=");
        put_label_value(b, m->category_name[i]);
        sbuf_printf(b, "} %llu\n", (unsigned long long)read_counter(&m->category_comments[i]));
    }
    pthread_mutex_unlock(&m->lock);
}

static void put_rules(struct sbuf *b, struct metrics *m, const struct metrics_rules *r)
{
    put_header(b, "quell_rules_info", "gauge", "The rule set being served (always 1).");
    sbuf_puts(b, "quell_rules_info{rules_id=");
    put_label_value(b, r->rules_id);
    sbuf_puts(b, ",label=");
    put_label_value(b, r->label);
    sbuf_puts(b, "} 1\n");
    put_header(b, "quell_rules_generation", "gauge", "Rule sets served so far: 1 + swaps.");
    sbuf_printf(b, "quell_rules_generation %llu\n", (unsigned long long)r->generation);
    put_header(b, "quell_rules_loaded_timestamp_seconds", "gauge",
               "When the rules being served were loaded.");
    sbuf_printf(b, "quell_rules_loaded_timestamp_seconds %.3f\n", r->loaded_at);
    put_header(b, "quell_reloads_total", "counter", "Reloads of the rules file, by result.");
    sbuf_printf(b, "quell_reloads_total{result=\"ok\"} %llu\n", (unsigned long long)r->reloads_ok);
    sbuf_printf(b, "quell_reloads_total{result=\"failed\"} %llu\n",
                (unsigned long long)r->reloads_failed);
    put_header(b, "quell_scanner_threads", "gauge", "Worker threads with a scanner.");
    sbuf_printf(b, "quell_scanner_threads %llu\n",
                (unsigned long long)read_counter(&m->scanner_threads));
}

int metrics_render(struct metrics *m, const struct metrics_rules *r, char **out, size_t *out_len)
{
    struct sbuf b = {0};
    put_requests(&b, m);
    put_latency(&b, m);
    put_comments(&b, m);
    put_rules(&b, m, r);
    if (b.is_failed) {
        sbuf_free(&b);
        return -1;
    }
    *out = sbuf_take(&b, out_len);
    return *out ? 0 : -1;
}
