/*
 * http.h - what the server core (server.c) and the route handlers
 * (routes.c, eval_route.c) share: the server's state, one request's state,
 * and the ways to answer.
 */
#ifndef QUELL_SERVE_HTTP_H
#define QUELL_SERVE_HTTP_H

#include <cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "quell.h"
#include "serve/metrics.h"
#include "serve/serve.h"

struct server {
    const struct serve_options *opt;
    quell_engine *engine;
    struct MHD_Daemon *daemon;
    struct metrics metrics;
    int is_loopback; /* the listener takes loopback connections only */
    atomic_int is_draining;
    _Atomic uint64_t in_flight; /* requests started and not yet completed */
    /* Each worker thread's scanner and parser, made on its first request. */
    pthread_key_t worker_key;
    /* Reloads (SIGHUP, --watch, POST /v1/reload) one at a time, and when
     * the rules now served were loaded. */
    pthread_mutex_t reload_lock;
    _Atomic int64_t loaded_at_ms;
    quell_context *ctx; /* --context; NULL without */
};

/* A worker thread's own scanning state. */
struct worker {
    struct server *srv;
    quell_scanner *scanner;
    quell_record_parser *parser; /* JSON Lines records */
};

struct request {
    enum route route;
    const char *method;
    char path[128]; /* for the access log, cut */
    uint64_t start_ns;
    char *body;
    size_t body_len;
    size_t body_cap;
    int is_answered; /* a response is queued */
    int is_too_big;  /* the body went over --max-body: the rest is dropped */
    unsigned int status;
    size_t bytes_out;
    size_t comments; /* for the access log */
};

/* A handler answers a request whose body has been read whole. */
typedef enum MHD_Result (*route_fn)(struct server *srv, struct MHD_Connection *c,
                                    struct request *rq);

enum MHD_Result route_page(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_check(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_explain(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_eval(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_rules(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_healthz(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_readyz(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_metrics(struct server *srv, struct MHD_Connection *c, struct request *rq);
enum MHD_Result route_reload(struct server *srv, struct MHD_Connection *c, struct request *rq);

/*
 * Answer with body (malloc'd; taken over, freed even on failure) of
 * content_type. Adds the headers every answer has.
 */
enum MHD_Result http_respond(struct server *srv, struct MHD_Connection *c, struct request *rq,
                             unsigned int status, const char *content_type, char *body, size_t len);

/* Answer a cJSON tree (deleted here; NULL: out of memory, an empty 500) as
 * one line of JSON. */
enum MHD_Result http_respond_tree(struct server *srv, struct MHD_Connection *c, struct request *rq,
                                  unsigned int status, cJSON *tree);

/* Answer {"error":message,"status":status} (message printf-style). */
enum MHD_Result http_error(struct server *srv, struct MHD_Connection *c, struct request *rq,
                           unsigned int status, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The calling thread's worker, made on first use; NULL (err set) when it
 * cannot be made. */
struct worker *http_worker(struct server *srv, quell_error *err);

/*
 * Load the rules file again and swap it in, one reload at a time. On
 * failure the old rules stay and msg (of msg_size bytes) says why, with
 * file:line. Reports the outcome on stderr as `quell filter` does.
 * Returns QUELL_OK or the error code.
 */
int http_reload(struct server *srv, char *msg, size_t msg_size);

/* Milliseconds since the epoch / a monotonic clock in nanoseconds. */
int64_t http_now_ms(void);
uint64_t http_now_ns(void);

#endif /* QUELL_SERVE_HTTP_H */
