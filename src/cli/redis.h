/*
 * redis.h - where Redis is and how to reach it, for the commands that talk
 * to it (quell worker, backfill, collect): a --redis URL parsed once, and
 * a connection made with a timeout and switched to the URL's database.
 */
#ifndef QUELL_CLI_REDIS_H
#define QUELL_CLI_REDIS_H

#include <limits.h>
#include <stddef.h>

#include <hiredis.h>

/* The address every command defaults to. */
#define REDIS_DEFAULT_URL "redis://127.0.0.1:6379"

/* How long a connection may take before the server is taken for gone. */
#define REDIS_CONNECT_MS 2000

/* Backoff between attempts after a lost connection, doubling. */
#define REDIS_BACKOFF_MIN_MS 100
#define REDIS_BACKOFF_MAX_MS 5000

/* Where Redis is: a unix socket path, or host and port; and the database. */
struct redis_addr {
    char host[256];
    int port;
    char path[PATH_MAX];
    int is_unix;
    long db;
};

/*
 * Parse a --redis URL: redis://HOST[:PORT][/DB] or unix:///PATH. Returns 0,
 * or -1 when url is not one of these.
 */
int redis_parse_url(const char *url, struct redis_addr *out);

/*
 * Connect within REDIS_CONNECT_MS, give every later reply reply_ms to come,
 * and SELECT the address's database. Returns the connection, or NULL with
 * the reason in why (why_size bytes, NUL-terminated).
 */
redisContext *redis_connect(const struct redis_addr *addr, long reply_ms, char *why,
                            size_t why_size);

/* The next backoff after ms: doubled, at most REDIS_BACKOFF_MAX_MS. */
long redis_next_backoff(long ms);

/* A struct timeval of ms milliseconds. */
struct timeval redis_timeval(long ms);

/*
 * A connection of a single-threaded command (backfill, collect) that
 * survives outages: dropped on an error, made again with backoff, with one
 * line on stderr when an outage starts and one when it ends.
 */
struct redis_link {
    const struct redis_addr *addr;
    const char *url; /* as given, for the messages */
    long reply_ms;
    redisContext *c; /* NULL while disconnected */
    int is_outage;
};

/* Drop the connection (when there is one), reporting why once per outage. */
void redis_link_drop(struct redis_link *l, const char *why);

/* Drop the connection for its own error (or a reply that was not the
 * expected one when it has none). */
void redis_link_fail(struct redis_link *l);

/*
 * Connect unless connected, retrying with backoff until it works or the
 * CLOCK_MONOTONIC millisecond deadline (0: none) passes. Returns 0 when
 * connected, -1 past the deadline.
 */
int redis_link_ensure(struct redis_link *l, long long deadline_ms);

/* CLOCK_MONOTONIC in milliseconds. */
long long redis_now_ms(void);

#endif
