/*
 * serve.h - `quell serve`: the HTTP service over libmicrohttpd. The command
 * parses options into a serve_options and hands over; everything else of
 * the service lives under src/serve/.
 */
#ifndef QUELL_SERVE_SERVE_H
#define QUELL_SERVE_SERVE_H

#include <stddef.h>

struct cli_context; /* cli/context_opt.h */

#define SERVE_DEFAULT_LISTEN          "127.0.0.1:8080"
#define SERVE_DEFAULT_MAX_BODY        ((size_t)1 << 20)
#define SERVE_DEFAULT_MAX_BATCH       1000
#define SERVE_DEFAULT_MAX_HEADER      ((size_t)16 << 10)
#define SERVE_DEFAULT_MAX_CONNECTIONS 256
#define SERVE_DEFAULT_TIMEOUT         30

struct serve_options {
    const char *rules_path;
    const char *listen;           /* "ADDR:PORT", "[V6ADDR]:PORT"; port 0: any free one */
    unsigned int threads;         /* worker threads, each with its own scanner */
    size_t max_body;              /* bytes of one request body */
    size_t max_batch;             /* comments in one request */
    size_t max_header;            /* bytes of the request line and headers */
    unsigned int max_connections; /* open at once */
    unsigned int timeout;         /* seconds: idle connection, whole request, drain */
    const char *admin_token;      /* NULL: admin routes only on a loopback listener */
    int is_access_log;            /* one JSON line per request on stderr */
    int watch_ms;                 /* > 0: reload when the rules file changes */
    /* --context: comments decided in their context, in the order they
     * arrive; saved to its file, if any, when the server stops. */
    const struct cli_context *context;
};

/*
 * Load the rules, listen, and serve until SIGTERM or SIGINT, then drain the
 * requests in flight and return. Reports problems on stderr.
 * Returns a CLI exit code (CLI_OK after a clean stop).
 */
int serve_run(const struct serve_options *opt);

#endif /* QUELL_SERVE_SERVE_H */
