/*
 * redis.c - the --redis address and the connection the Redis commands
 * share (see redis.h).
 */
#include "redis.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cli.h"

struct timeval redis_timeval(long ms)
{
    return (struct timeval){.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
}

long redis_next_backoff(long ms)
{
    return ms * 2 > REDIS_BACKOFF_MAX_MS ? REDIS_BACKOFF_MAX_MS : ms * 2;
}

/* The database number after the URL's '/'. Returns 0, or -1. */
static int parse_db(const char *s, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || n < 0 || n > INT_MAX)
        return -1;
    *out = n;
    return 0;
}

int redis_parse_url(const char *url, struct redis_addr *out)
{
    *out = (struct redis_addr){.port = 6379};
    if (strncmp(url, "unix://", 7) == 0) {
        const char *path = url + 7;
        if (path[0] != '/' || strlen(path) >= sizeof out->path)
            return -1;
        snprintf(out->path, sizeof out->path, "%s", path);
        out->is_unix = 1;
        return 0;
    }
    if (strncmp(url, "redis://", 8) != 0)
        return -1;
    const char *host = url + 8;
    size_t host_len = strcspn(host, ":/");
    if (host_len == 0 || host_len >= sizeof out->host)
        return -1;
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    const char *rest = host + host_len;
    char *end;
    if (*rest == ':') {
        errno = 0;
        long port = strtol(rest + 1, &end, 10);
        if (errno != 0 || end == rest + 1 || port < 1 || port > 65535)
            return -1;
        out->port = (int)port;
        rest = end;
    }
    if (*rest == '/' && rest[1] != '\0')
        return parse_db(rest + 1, &out->db);
    return *rest == '\0' || strcmp(rest, "/") == 0 ? 0 : -1;
}

redisContext *redis_connect(const struct redis_addr *addr, long reply_ms, char *why,
                            size_t why_size)
{
    struct timeval connect_tv = redis_timeval(REDIS_CONNECT_MS);
    redisContext *c = addr->is_unix ? redisConnectUnixWithTimeout(addr->path, connect_tv)
                                    : redisConnectWithTimeout(addr->host, addr->port, connect_tv);
    if (!c) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    if (c->err) {
        snprintf(why, why_size, "%s", c->errstr);
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, redis_timeval(reply_ms));
    /* A fresh connection is on database 0: the others need a SELECT. Then
     * a PING, answered LOADING while a restarted server reads its data
     * back: such a connection counts as failed, and is made again later.
     * Taken, it would refuse the first commands of a pipeline and run
     * the ones after them, leaving holes: in a backfill, lines that cannot
     * be added any more (their explicit ids are below the stream's last). */
    char db[24];
    snprintf(db, sizeof db, "%ld", addr->db);
    const char *select[] = {"SELECT", db};
    redisReply *r = addr->db == 0 ? NULL : redisCommandArgv(c, 2, select, NULL);
    if (addr->db == 0 || (r && r->type != REDIS_REPLY_ERROR)) {
        const char *ping[] = {"PING"};
        freeReplyObject(r);
        r = redisCommandArgv(c, 1, ping, NULL);
        if (r && r->type != REDIS_REPLY_ERROR) {
            freeReplyObject(r);
            return c;
        }
    }
    snprintf(why, why_size, "%s", r ? r->str : c->errstr[0] ? c->errstr : "unexpected reply");
    freeReplyObject(r);
    redisFree(c);
    return NULL;
}

long long redis_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void redis_link_drop(struct redis_link *l, const char *why)
{
    if (!l->is_outage)
        cli_error("redis %s: %s; retrying", l->url, why);
    l->is_outage = 1;
    if (l->c)
        redisFree(l->c);
    l->c = NULL;
}

void redis_link_fail(struct redis_link *l)
{
    char why[160];
    snprintf(why, sizeof why, "%s", l->c && l->c->errstr[0] ? l->c->errstr : "unexpected reply");
    redis_link_drop(l, why);
}

int redis_link_ensure(struct redis_link *l, long long deadline_ms)
{
    long backoff_ms = REDIS_BACKOFF_MIN_MS;
    while (!l->c) {
        char why[160];
        l->c = redis_connect(l->addr, l->reply_ms, why, sizeof why);
        if (l->c)
            break;
        redis_link_drop(l, why);
        long long now = redis_now_ms();
        if (deadline_ms > 0 && now >= deadline_ms)
            return -1;
        long ms = backoff_ms;
        if (deadline_ms > 0 && deadline_ms - now < ms)
            ms = (long)(deadline_ms - now);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        backoff_ms = redis_next_backoff(backoff_ms);
    }
    if (l->is_outage)
        cli_error("redis %s: connected again", l->url);
    l->is_outage = 0;
    return 0;
}
