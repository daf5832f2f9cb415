/*
 * server.c - the service's core: the listening socket, libmicrohttpd's
 * thread pool, each request's life (route, limits, body, answer, metrics,
 * access log), reloads, and the drain on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli/cli.h"
#include "cli/context_opt.h"
#include "cli/reload.h"
#include "serve/http.h"
#include "serve/sbuf.h"
#include "util/grow.h"

/* How often the main thread wakes to look for a changed rules file. */
#define TICK_MS 200

struct route_entry {
    const char *path;
    const char *method; /* "GET" also takes HEAD */
    route_fn fn;
    enum route route;
    int is_admin;
};

static const struct route_entry routes[] = {
    {"/v1/check", "POST", route_check, ROUTE_CHECK, 0},
    {"/v1/explain", "POST", route_explain, ROUTE_EXPLAIN, 0},
    {"/v1/eval", "POST", route_eval, ROUTE_EVAL, 0},
    {"/v1/rules", "GET", route_rules, ROUTE_RULES, 0},
    {"/healthz", "GET", route_healthz, ROUTE_HEALTHZ, 0},
    {"/readyz", "GET", route_readyz, ROUTE_READYZ, 0},
    {"/metrics", "GET", route_metrics, ROUTE_METRICS, 0},
    {"/v1/reload", "POST", route_reload, ROUTE_RELOAD, 1},
};

int64_t http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* Answers                                                                   */

enum MHD_Result http_respond(struct server *srv, struct MHD_Connection *c, struct request *rq,
                             unsigned int status, const char *content_type, char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body ? body : (void *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (rq->route != ROUTE_PAGE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            if (routes[i].route == rq->route)
                MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                                        strcmp(routes[i].method, "GET") == 0 ? "GET, HEAD"
                                                                             : routes[i].method);
        }
        if (rq->route == ROUTE_PAGE)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    /* While draining, ask keep-alive clients to go elsewhere. */
    if (atomic_load(&srv->is_draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    rq->is_answered = 1;
    rq->status = status;
    rq->bytes_out = len;
    return ok;
}

enum MHD_Result http_respond_tree(struct server *srv, struct MHD_Connection *c, struct request *rq,
                                  unsigned int status, cJSON *tree)
{
    char *text = tree ? cJSON_PrintUnformatted(tree) : NULL;
    cJSON_Delete(tree);
    size_t len = text ? strlen(text) : 0;
    char *line = text ? realloc(text, len + 2) : NULL;
    if (!line) {
        free(text);
        /* Nothing left to say it with: an empty 500. */
        return http_respond(srv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json", NULL,
                            0);
    }
    line[len++] = '\n';
    line[len] = '\0';
    return http_respond(srv, c, rq, status, "application/json", line, len);
}

enum MHD_Result http_error(struct server *srv, struct MHD_Connection *c, struct request *rq,
                           unsigned int status, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    if (o && (!cJSON_AddStringToObject(o, "error", message) ||
              !cJSON_AddNumberToObject(o, "status", status))) {
        cJSON_Delete(o);
        o = NULL;
    }
    return http_respond_tree(srv, c, rq, status, o);
}

/* ------------------------------------------------------------------------ */
/* Workers                                                                   */

/* The key's destructor: a pool thread is ending. */
static void worker_free(void *p)
{
    struct worker *w = p;
    atomic_fetch_sub_explicit(&w->srv->metrics.scanner_threads, 1, memory_order_relaxed);
    quell_scanner_free(w->scanner);
    quell_record_parser_free(w->parser);
    free(w);
}

struct worker *http_worker(struct server *srv, quell_error *err)
{
    struct worker *w = pthread_getspecific(srv->worker_key);
    if (w)
        return w;
    w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    w->srv = srv;
    quell_record_fields fields = QUELL_RECORD_FIELDS_INIT;
    if (srv->ctx)
        fields.time = srv->opt->context->time_field;
    if (quell_scanner_new_for_engine(&w->scanner, srv->engine, err) != QUELL_OK ||
        quell_record_parser_new(&w->parser, QUELL_FORMAT_JSONL, &fields, err) != QUELL_OK ||
        pthread_setspecific(srv->worker_key, w) != 0) {
        quell_scanner_free(w->scanner);
        quell_record_parser_free(w->parser);
        free(w);
        return NULL;
    }
    atomic_fetch_add_explicit(&srv->metrics.scanner_threads, 1, memory_order_relaxed);
    return w;
}

/* ------------------------------------------------------------------------ */
/* Reloads                                                                   */

int http_reload(struct server *srv, char *msg, size_t msg_size)
{
    const char *path = srv->opt->rules_path;
    pthread_mutex_lock(&srv->reload_lock);
    quell_error err = {0};
    int rc = quell_engine_reload(srv->engine, path, &err);
    quell_rules *now = quell_engine_rules(srv->engine);
    if (rc == QUELL_OK) {
        atomic_store(&srv->loaded_at_ms, http_now_ms());
        const char *label = quell_rules_label(now);
        cli_error("reloaded %s: rules %s%s%s", path, quell_rules_id(now), label[0] ? " " : "",
                  label);
        snprintf(msg, msg_size, "reloaded");
    } else {
        quell_engine_stats stats = QUELL_ENGINE_STATS_INIT;
        quell_engine_stats_get(srv->engine, &stats);
        cli_error("reload of %s failed (%llu failed so far); keeping rules %s:", path,
                  (unsigned long long)stats.reloads_failed, quell_rules_id(now));
        cli_print_error(&err, path);
        cli_format_error(msg, msg_size, &err, path);
    }
    quell_rules_release(now);
    pthread_mutex_unlock(&srv->reload_lock);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */

/* Compare a and b in time that depends on their lengths only. */
static int equal_in_constant_time(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n = la > lb ? la : lb;
    unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < la ? (unsigned char)a[i] : 0;
        unsigned char y = i < lb ? (unsigned char)b[i] : 0;
        diff |= (unsigned char)(x ^ y);
    }
    return diff == 0;
}

/* Whether the request may use an admin route; answers it when not. */
static int admit_admin(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
    const char *token = srv->opt->admin_token;
    if (!token) {
        if (srv->is_loopback)
            return 1;
        http_error(srv, c, rq, MHD_HTTP_FORBIDDEN,
                   "admin routes are off: start quell serve with --admin-token, or on loopback");
        return 0;
    }
    const char *auth =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    static const char bearer[] = "Bearer ";
    if (auth && strncmp(auth, bearer, sizeof bearer - 1) == 0 &&
        equal_in_constant_time(auth + sizeof bearer - 1, token))
        return 1;
    http_error(srv, c, rq, MHD_HTTP_FORBIDDEN, "wrong or missing admin token");
    return 0;
}

static const struct route_entry *find_route(const char *path, int *is_known_path)
{
    *is_known_path = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(routes[i].path, path) == 0) {
            *is_known_path = 1;
            return &routes[i];
        }
    }
    return NULL;
}

static int method_matches(const char *want, const char *method)
{
    return strcmp(want, method) == 0 ||
           (strcmp(want, "GET") == 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) == 0);
}

/* A new request: its route, and whether it can go on to its body. */
static struct request *request_new(struct server *srv, const char *url, const char *method)
{
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->start_ns = http_now_ns();
    rq->method = method;
    snprintf(rq->path, sizeof rq->path, "%s", url);
    atomic_fetch_add(&srv->in_flight, 1);
    return rq;
}

/* Append a piece of the body; 0, or -1 when it goes over --max-body. */
static int body_append(struct server *srv, struct request *rq, const char *data, size_t len)
{
    if (len > srv->opt->max_body - rq->body_len)
        return -1;
    /* + 1: routes may NUL-terminate the body. */
    char *p = grow_array(rq->body, &rq->body_cap, rq->body_len + len + 1, 1, 4096,
                         srv->opt->max_body + 1);
    if (!p)
        return -1;
    rq->body = p;
    memcpy(rq->body + rq->body_len, data, len);
    rq->body_len += len;
    return 0;
}

static enum MHD_Result on_first_call(struct server *srv, struct MHD_Connection *c,
                                     struct request *rq, const char *url, const char *method)
{
    int is_known_path;
    const struct route_entry *e = find_route(url, &is_known_path);
    int is_page = strcmp(url, "/") == 0 || strncmp(url, "/ui/", 4) == 0;
    rq->route = e ? e->route : is_page ? ROUTE_PAGE : ROUTE_OTHER;
    if (!e && !is_page)
        return http_error(srv, c, rq, MHD_HTTP_NOT_FOUND, "no such route: %s", url);
    if (!method_matches(e ? e->method : "GET", method))
        return http_error(srv, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "%s does not take %s", url,
                          method);
    if (e && e->is_admin && !admit_admin(srv, c, rq))
        return MHD_YES;
    /* Refuse a body that says it is too big before reading any of it. */
    const char *length =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        errno = 0;
        char *end;
        unsigned long long n = strtoull(length, &end, 10);
        if (errno != 0 || end == length || *end || n > srv->opt->max_body)
            return http_error(srv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "request body over %zu bytes",
                              srv->opt->max_body);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;
    (void)version;

    if (!rq) {
        rq = request_new(srv, url, method);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
        return on_first_call(srv, c, rq, url, method);
    }
    if (rq->is_answered) {
        /* Answered early (an error): what is left of the body is dropped. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    uint64_t elapsed_ns = http_now_ns() - rq->start_ns;
    if (elapsed_ns > (uint64_t)srv->opt->timeout * 1000000000u) {
        *upload_data_size = 0;
        return http_error(srv, c, rq, MHD_HTTP_REQUEST_TIMEOUT,
                          "request not read whole within %u seconds", srv->opt->timeout);
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* Past the limit the rest is read and dropped, and answered at the
         * end: a client still sending would lose an early answer to the
         * reset of a connection closed under it. The timeout bounds it. */
        if (!rq->is_too_big && body_append(srv, rq, upload_data, n) != 0)
            rq->is_too_big = 1;
        return MHD_YES;
    }
    /* The body is whole. */
    if (rq->is_too_big)
        return http_error(srv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "request body over %zu bytes",
                          srv->opt->max_body);
    if (rq->body)
        rq->body[rq->body_len] = '\0';
    if (rq->route == ROUTE_PAGE)
        return route_page(srv, c, rq);
    int is_known_path;
    const struct route_entry *e = find_route(url, &is_known_path);
    return e->fn(srv, c, rq);
}

static void access_log(struct server *srv, struct MHD_Connection *c, const struct request *rq,
                       double seconds)
{
    char remote[INET6_ADDRSTRLEN] = "";
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, remote, sizeof remote);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, remote,
                      sizeof remote);
    }
    int64_t ms = http_now_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char secs_text[24], when[32];
    strftime(secs_text, sizeof secs_text, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when, sizeof when, "%s.%03dZ", secs_text, (int)(ms % 1000));

    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "remote", remote);
    cJSON_AddStringToObject(o, "method", rq->method);
    cJSON_AddStringToObject(o, "path", rq->path);
    cJSON_AddStringToObject(o, "route", metrics_route_name(rq->route));
    cJSON_AddNumberToObject(o, "status", rq->status);
    cJSON_AddNumberToObject(o, "bytes_in", (double)rq->body_len);
    cJSON_AddNumberToObject(o, "bytes_out", (double)rq->bytes_out);
    cJSON_AddNumberToObject(o, "comments", (double)rq->comments);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    (void)srv;
    if (line) {
        /* One write per line: lines of several threads do not interleave. */
        size_t len = strlen(line);
        line[len] = '\n';
        fwrite(line, 1, len + 1, stderr);
        line[len] = '\0';
        free(line);
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct request *rq = *con_cls;
    if (!rq)
        return;
    *con_cls = NULL;
    uint64_t ns = http_now_ns() - rq->start_ns;
    /* A request the client gave up on before an answer was queued. */
    if (!rq->is_answered)
        rq->status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499;
    metrics_request(&srv->metrics, rq->route, rq->status, ns);
    if (srv->opt->is_access_log)
        access_log(srv, c, rq, (double)ns / 1e9);
    free(rq->body);
    free(rq);
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* ------------------------------------------------------------------------ */
/* The listener                                                              */

/* Split "ADDR:PORT" or "[ADDR]:PORT"; 0, or -1 when it is neither. */
static int split_listen(const char *s, char *host, size_t host_size, char *port, size_t port_size)
{
    const char *colon;
    const char *h = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - s);
    }
    if (hlen == 0 || hlen >= host_size || strlen(colon + 1) == 0 ||
        strlen(colon + 1) >= port_size || strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, port_size, "%s", colon + 1);
    return 0;
}

static int is_loopback_addr(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

/* Bind and listen on opt->listen; prints where. Returns the socket or -1. */
static int open_listener(struct server *srv)
{
    char host[256], port[16];
    if (split_listen(srv->opt->listen, host, sizeof host, port, sizeof port) != 0) {
        cli_error("--listen %s: expected ADDR:PORT or [ADDR]:PORT", srv->opt->listen);
        return -1;
    }
    struct addrinfo hints = {0}, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        cli_error("--listen %s: %s", srv->opt->listen, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    int saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0) {
            srv->is_loopback = is_loopback_addr(ai->ai_addr);
            break;
        }
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        cli_error("cannot listen on %s: %s", srv->opt->listen, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    char shown[INET6_ADDRSTRLEN] = "?";
    unsigned int bound_port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
        if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, shown, sizeof shown);
            bound_port = ntohs(a->sin6_port);
        } else {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, shown, sizeof shown);
            bound_port = ntohs(a->sin_port);
        }
    }
    /* Tests and scripts read the port of "--listen ...:0" from this line. */
    cli_error("listening on http://%s%s%s:%u/", ss.ss_family == AF_INET6 ? "[" : "", shown,
              ss.ss_family == AF_INET6 ? "]" : "", bound_port);
    return fd;
}

static struct MHD_Daemon *start_daemon(struct server *srv, int fd)
{
    const struct serve_options *opt = srv->opt;
    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC;
    /* The pool's size is the number of scanners; MHD wants >= 2 for a pool. */
    struct MHD_OptionItem items[] = {
        {MHD_OPTION_LISTEN_SOCKET, fd, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, opt->max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, opt->timeout, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)opt->max_header, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {opt->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, opt->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, items,
                            MHD_OPTION_END);
}

/* ------------------------------------------------------------------------ */
/* Running                                                                   */

/* Wait for SIGTERM or SIGINT, reloading on SIGHUP and changes meanwhile. */
static void wait_for_stop(struct server *srv, const sigset_t *set)
{
    struct file_stamp seen = {0};
    if (srv->opt->watch_ms > 0)
        file_stamp_changed(&seen, srv->opt->rules_path);
    int waited_ms = 0;
    char msg[sizeof(quell_error){0}.message + 512];
    for (;;) {
        struct timespec tick = {0, TICK_MS * 1000000L};
        int sig = sigtimedwait(set, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            return;
        if (sig == SIGHUP) {
            if (srv->opt->watch_ms > 0)
                file_stamp_changed(&seen, srv->opt->rules_path); /* this reload sees it too */
            http_reload(srv, msg, sizeof msg);
            continue;
        }
        waited_ms += TICK_MS;
        if (srv->opt->watch_ms > 0 && waited_ms >= srv->opt->watch_ms) {
            waited_ms = 0;
            if (file_stamp_changed(&seen, srv->opt->rules_path))
                http_reload(srv, msg, sizeof msg);
        }
    }
}

/* Stop taking connections, let the requests in flight finish (within the
 * timeout), then stop the threads. */
static void drain(struct server *srv)
{
    atomic_store(&srv->is_draining, 1);
    MHD_socket listener = MHD_quiesce_daemon(srv->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    uint64_t deadline = http_now_ns() + (uint64_t)srv->opt->timeout * 1000000000u;
    while (atomic_load(&srv->in_flight) > 0 && http_now_ns() < deadline) {
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    uint64_t left = atomic_load(&srv->in_flight);
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    if (left > 0)
        cli_error("stopped with %llu requests unfinished after %u seconds",
                  (unsigned long long)left, srv->opt->timeout);
    else
        cli_error("stopped");
}

/* Listen and serve until told to stop; srv has its engine and state. */
static int listen_and_serve(struct server *srv, const sigset_t *set)
{
    int fd = open_listener(srv);
    if (fd < 0)
        return CLI_EUSAGE;
    srv->daemon = start_daemon(srv, fd);
    if (!srv->daemon) {
        close(fd);
        cli_error("cannot start the HTTP server");
        return CLI_EIO;
    }
    wait_for_stop(srv, set);
    drain(srv);
    return CLI_OK;
}

int serve_run(const struct serve_options *opt)
{
    struct server srv = {0};
    srv.opt = opt;

    /* Before any thread: only this one takes these, with sigtimedwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    quell_rules *rules;
    int rc = cli_load_rules(&rules, opt->rules_path);
    if (rc != CLI_OK)
        return rc;
    quell_error err = {0};
    if (quell_engine_new(&srv.engine, rules, &err) != QUELL_OK) {
        quell_rules_release(rules);
        cli_print_error(&err, NULL);
        return CLI_EIO;
    }
    if (opt->context && cli_context_open(opt->context, &srv.ctx) != CLI_OK) {
        quell_rules_release(rules);
        quell_engine_free(srv.engine);
        return CLI_EIO;
    }
    atomic_store(&srv.loaded_at_ms, http_now_ms());
    const char *label = quell_rules_label(rules);
    cli_error("serving %s: rules %s%s%s", opt->rules_path, quell_rules_id(rules),
              label[0] ? " " : "", label);
    quell_rules_release(rules);

    rc = CLI_EIO;
    if (metrics_init(&srv.metrics) != 0) {
        cli_error("cannot start: out of resources");
    } else {
        if (pthread_mutex_init(&srv.reload_lock, NULL) != 0) {
            cli_error("cannot start: out of resources");
        } else {
            if (pthread_key_create(&srv.worker_key, worker_free) != 0) {
                cli_error("cannot start: out of resources");
            } else {
                rc = listen_and_serve(&srv, &set);
                pthread_key_delete(srv.worker_key);
            }
            pthread_mutex_destroy(&srv.reload_lock);
        }
        metrics_destroy(&srv.metrics);
    }
    if (srv.ctx) {
        int ctx_rc = cli_context_close(opt->context, srv.ctx);
        if (rc == CLI_OK)
            rc = ctx_rc;
    }
    quell_engine_free(srv.engine);
    return rc;
}
