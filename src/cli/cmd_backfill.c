/*
 * cmd_backfill.c - `quell backfill`: load a corpus, one JSON Lines record a
 * line, into the input stream `quell worker` reads (the wire format is in
 * cmd_worker.c's header comment), in order, at a bounded rate.
 *
 * Each line becomes one entry, its `record` field the line as it is (a
 * malformed one too: the worker gives it an error verdict), so that `quell
 * collect` finds one verdict per line; its `line` field, the line number
 * from 1, is the id of a verdict whose record has none readable, as `quell
 * filter` numbers them: collected, the verdicts are filter's, line for line.
 *
 * Lines go in windows of up to WINDOW commands pipelined (a round trip per
 * window, not per line). After a lost connection, the commands of the
 * window whose reply did not come are sent again: those Redis ran before
 * the connection went must not add their line twice. So every entry gets
 * an explicit id, BASE-N for line N (from 0), BASE a millisecond time
 * picked at the start above the stream's last id. Redis refuses an XADD
 * whose id is not above the stream's last one ("equal or smaller"): a
 * resent line that had landed is refused, not added again. A refusal alone
 * does not prove the line is there, though (another producer adding
 * entries with `*` would push the last id past ours): the refused ids are
 * looked up (XRANGE over the window) and count as done only when found;
 * one that is missing stops the backfill. The same makes a backfill safe to
 * run again after it stopped: given the first run's --base, the lines
 * already there are found and skipped.
 *
 * --rate: a token bucket holding one window; after each window, it sleeps
 * until the lines sent so far fit the rate since the start.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis.h>

#include "cli.h"
#include "redis.h"

#define WINDOW         1000
#define REPLY_MS       10000
#define DEFAULT_STREAM "quell:in"

struct backfill_options {
    const char *url;
    const char *stream;
    const char *path;
    long rate;        /* lines a second, 0 for no bound */
    char max_len[24]; /* "" without --max-len */
    long long base;   /* -1: picked at the start */
};

/* Where a line of the window stands. */
enum line_state {
    LINE_PENDING, /* to send (again) */
    LINE_DOUBT,   /* refused as "equal or smaller": there already? */
    LINE_DONE,
};

/* The lines in hand: sent, and kept until Redis has them. */
struct window {
    char *lines[WINDOW];
    size_t lens[WINDOW];
    enum line_state state[WINDOW];
    size_t count;
    unsigned long long first; /* the line number of lines[0] */
};

struct backfill {
    const struct backfill_options *opt;
    struct redis_link link;
    unsigned long long base;
    unsigned long long sent;    /* lines Redis has */
    unsigned long long already; /* of which, found there already */
};

static void print_help(void)
{
    printf("Usage: quell backfill [OPTIONS] CORPUS\n"
           "\n"
           "Add each line of CORPUS (a JSON Lines file, or - for standard input) as\n"
           "the record field of one entry of the input stream `quell worker` reads,\n"
           "in order: malformed lines too, which the workers give error verdicts,\n"
           "so that `quell collect` finds one verdict per line.\n"
           "\n"
           "Line N (from 0) gets the entry id BASE-N, BASE a time in milliseconds\n"
           "above the stream's last id, printed at the start. A lost connection is\n"
           "retried (100 ms, doubling to 5 s); the explicit ids keep a line that\n"
           "is sent again from being added twice. Run again with the same --base,\n"
           "a backfill that stopped skips the lines already added.\n"
           "\n"
           "Options:\n"
           "      --redis=URL          redis://HOST:PORT/DB or unix:///PATH (default\n"
           "                           " REDIS_DEFAULT_URL ")\n"
           "      --stream=IN          input stream (default " DEFAULT_STREAM ")\n"
           "      --rate=N             send at most about N lines a second (default:\n"
           "                           no bound)\n"
           "      --max-len=N          trim the input stream to about N entries\n"
           "      --base=MS            the ids' time part (default: now, or above the\n"
           "                           stream's last id)\n"
           "  -h, --help               display this help and exit\n"
           "\n"
           "At the end, stderr has the lines sent, the first and last ids, and the\n"
           "seconds it took.\n"
           "\n");
    cli_print_exit_help(NULL);
}

static int parse_count(const char *s, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || n < 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_error(const redisReply *r, const char *part)
{
    return r && r->type == REDIS_REPLY_ERROR && strstr(r->str, part) != NULL;
}

/*
 * The time part of the stream's last generated id (0 for a stream not
 * there yet), into *out. Returns 0, -1 when the connection failed (dropped),
 * or -2 on an error reply (reported).
 */
static int last_id_ms(struct backfill *b, unsigned long long *out)
{
    const char *argv[] = {"XINFO", "STREAM", b->opt->stream};
    redisReply *r = redisCommandArgv(b->link.c, 3, argv, NULL);
    if (!r) {
        redis_link_fail(&b->link);
        return -1;
    }
    *out = 0;
    int rc = 0;
    if (r->type == REDIS_REPLY_ERROR && !is_error(r, "no such key")) {
        cli_error("redis %s: XINFO STREAM %s: %s", b->opt->url, b->opt->stream, r->str);
        rc = -2;
    }
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && strcmp(k->str, "last-generated-id") == 0 &&
            v->type == REDIS_REPLY_STRING)
            *out = strtoull(v->str, NULL, 10);
    }
    freeReplyObject(r);
    return rc;
}

/* Pick the ids' time part: --base, or now unless the stream is ahead.
 * Returns 0, or -1 on an error reply. */
static int pick_base(struct backfill *b)
{
    for (;;) {
        redis_link_ensure(&b->link, 0);
        unsigned long long last;
        int rc = last_id_ms(b, &last);
        if (rc == -2)
            return -1;
        if (rc == 0) {
            unsigned long long now = (unsigned long long)wall_ms();
            b->base = b->opt->base >= 0 ? (unsigned long long)b->opt->base
                      : now > last      ? now
                                        : last + 1;
            return 0;
        }
    }
}

/* Append the XADD of line i of the window to the connection's output. */
static int append_xadd(struct backfill *b, const struct window *w, size_t i)
{
    char id[48], line[24];
    snprintf(id, sizeof id, "%llu-%llu", b->base, w->first + i);
    snprintf(line, sizeof line, "%llu", w->first + i + 1);
    const char *argv[10];
    size_t lens[10];
    int argc = 0;
    argv[argc++] = "XADD";
    argv[argc++] = b->opt->stream;
    if (b->opt->max_len[0]) {
        argv[argc++] = "MAXLEN";
        argv[argc++] = "~";
        argv[argc++] = b->opt->max_len;
    }
    argv[argc++] = id;
    argv[argc++] = "line";
    argv[argc++] = line;
    argv[argc++] = "record";
    argv[argc++] = w->lines[i];
    for (int k = 0; k < argc; k++)
        lens[k] = strlen(argv[k]);
    lens[argc - 1] = w->lens[i]; /* the line may hold a NUL */
    return redisAppendCommandArgv(b->link.c, argc, argv, lens) == REDIS_OK ? 0 : -1;
}

/*
 * Send the window's pending lines in one pipeline and read their replies.
 * Returns 0 (the connection may have been dropped half-way: what got no
 * reply stays pending), or -1 on an error reply other than "equal or
 * smaller" (reported).
 */
static int send_pending(struct backfill *b, struct window *w)
{
    size_t sent = 0;
    for (size_t i = 0; i < w->count; i++) {
        if (w->state[i] != LINE_PENDING)
            continue;
        if (append_xadd(b, w, i) != 0) {
            redis_link_fail(&b->link);
            return 0;
        }
        sent++;
    }
    for (size_t i = 0; i < w->count && sent > 0; i++) {
        if (w->state[i] != LINE_PENDING)
            continue;
        void *reply = NULL;
        if (redisGetReply(b->link.c, &reply) != REDIS_OK || !reply) {
            redis_link_fail(&b->link);
            return 0;
        }
        redisReply *r = reply;
        sent--;
        if (r->type == REDIS_REPLY_STRING) {
            w->state[i] = LINE_DONE;
        } else if (is_error(r, "equal or smaller")) {
            w->state[i] = LINE_DOUBT;
        } else {
            cli_error("redis %s: XADD of line %llu: %s", b->opt->url, w->first + i + 1,
                      r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            freeReplyObject(r);
            return -1;
        }
        freeReplyObject(r);
    }
    return 0;
}

/* The line number of entry id BASE-N, or -1 when it is not one of ours. */
static long long line_of(const struct backfill *b, const char *id)
{
    char *end;
    unsigned long long ms = strtoull(id, &end, 10);
    if (ms != b->base || *end != '-')
        return -1;
    return (long long)strtoull(end + 1, NULL, 10);
}

/*
 * Settle the lines refused as "equal or smaller": done when their entry is
 * there. Returns 0 (the connection may have been dropped: they stay in
 * doubt), or -1 when one is missing (reported).
 */
static int settle_doubts(struct backfill *b, struct window *w)
{
    char from[48], to[48], count[24];
    snprintf(from, sizeof from, "%llu-%llu", b->base, w->first);
    snprintf(to, sizeof to, "%llu-%llu", b->base, w->first + w->count - 1);
    snprintf(count, sizeof count, "%zu", w->count);
    const char *argv[] = {"XRANGE", b->opt->stream, from, to, "COUNT", count};
    redisReply *r = redisCommandArgv(b->link.c, 6, argv, NULL);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r && r->type == REDIS_REPLY_ERROR)
            cli_error("redis %s: XRANGE: %s", b->opt->url, r->str);
        freeReplyObject(r);
        if (!r)
            redis_link_fail(&b->link);
        return r ? -1 : 0;
    }
    for (size_t k = 0; k < r->elements; k++) {
        const redisReply *e = r->element[k];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
            e->element[0]->type != REDIS_REPLY_STRING)
            continue;
        long long n = line_of(b, e->element[0]->str);
        if (n < 0 || (unsigned long long)n < w->first ||
            (unsigned long long)n >= w->first + w->count)
            continue;
        size_t i = (size_t)((unsigned long long)n - w->first);
        if (w->state[i] == LINE_DOUBT) {
            w->state[i] = LINE_DONE;
            b->already++;
        }
    }
    freeReplyObject(r);
    for (size_t i = 0; i < w->count; i++) {
        if (w->state[i] == LINE_DOUBT) {
            cli_error("line %llu: redis refused id %llu-%llu as not above the stream's last id, "
                      "and the entry is not there: has another producer written to %s?",
                      w->first + i + 1, b->base, w->first + i, b->opt->stream);
            return -1;
        }
    }
    return 0;
}

static int has_state(const struct window *w, enum line_state s)
{
    for (size_t i = 0; i < w->count; i++)
        if (w->state[i] == s)
            return 1;
    return 0;
}

/* Get every line of the window into Redis, through outages. Returns 0, or
 * -1 on an error Redis will keep giving (reported). */
static int send_window(struct backfill *b, struct window *w)
{
    for (size_t i = 0; i < w->count; i++)
        w->state[i] = LINE_PENDING;
    for (;;) {
        redis_link_ensure(&b->link, 0);
        if (has_state(w, LINE_PENDING) && send_pending(b, w) != 0)
            return -1;
        if (!b->link.c)
            continue;
        if (has_state(w, LINE_DOUBT) && settle_doubts(b, w) != 0)
            return -1;
        if (!b->link.c)
            continue;
        b->sent += w->count;
        return 0;
    }
}

/* Sleep until the lines sent so far fit --rate since start_ms. */
static void keep_rate(const struct backfill *b, long long start_ms)
{
    if (b->opt->rate <= 0)
        return;
    long long due = start_ms + (long long)(b->sent * 1000 / (unsigned long long)b->opt->rate);
    long long wait = due - redis_now_ms();
    if (wait <= 0)
        return;
    struct timespec ts = {wait / 1000, (wait % 1000) * 1000000L};
    int rc;
    do
        rc = nanosleep(&ts, &ts);
    while (rc != 0 && errno == EINTR);
}

/* Read up to max lines into the window (without their newline). Returns 0,
 * or -1 on a read error or out of memory (reported). */
static int read_window(FILE *in, struct window *w, size_t max)
{
    w->count = 0;
    while (w->count < max) {
        size_t cap = 0;
        char *line = NULL;
        errno = 0;
        ssize_t n = getline(&line, &cap, in);
        if (n < 0) {
            free(line);
            if (ferror(in)) {
                cli_error("read error: %s", strerror(errno ? errno : EIO));
                return -1;
            }
            return 0;
        }
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        w->lines[w->count] = line;
        w->lens[w->count] = (size_t)n;
        w->count++;
    }
    return 0;
}

static void window_clear(struct window *w)
{
    for (size_t i = 0; i < w->count; i++)
        free(w->lines[i]);
    w->first += w->count;
    w->count = 0;
}

static int run_backfill(const struct backfill_options *opt, const struct redis_addr *addr, FILE *in)
{
    struct backfill b = {.opt = opt, .link = {.addr = addr, .url = opt->url, .reply_ms = REPLY_MS}};
    struct window *w = calloc(1, sizeof *w);
    if (!w) {
        cli_error("out of memory");
        return CLI_EIO;
    }
    int rc = CLI_OK;
    if (pick_base(&b) != 0) {
        rc = CLI_EIO;
        goto out;
    }
    cli_error("backfill: base time %llu: line N is entry %llu-N of %s", b.base, b.base,
              opt->stream);
    /* Small windows at low rates, so the rate holds within a second too. */
    size_t max = WINDOW;
    if (opt->rate > 0 && (unsigned long)opt->rate / 10 < max)
        max = opt->rate / 10 > 0 ? (size_t)opt->rate / 10 : 1;
    long long start = redis_now_ms();
    for (;;) {
        if (read_window(in, w, max) != 0) {
            rc = CLI_EIO;
            break;
        }
        if (w->count == 0)
            break;
        if (send_window(&b, w) != 0) {
            rc = CLI_EIO;
            break;
        }
        window_clear(w);
        keep_rate(&b, start);
    }
    double seconds = (double)(redis_now_ms() - start) / 1000.0;
    if (b.sent == 0)
        cli_error("backfill: 0 lines sent to %s, in %.2f s", opt->stream, seconds);
    else
        cli_error("backfill: %llu lines sent to %s, ids %llu-0 to %llu-%llu, in %.2f s "
                  "(%llu there already)",
                  b.sent, opt->stream, b.base, b.base, b.sent - 1, seconds, b.already);
    window_clear(w);
out:
    free(w);
    if (b.link.c)
        redisFree(b.link.c);
    return rc;
}

int cmd_backfill(int argc, char **argv)
{
    struct backfill_options opt = {.url = REDIS_DEFAULT_URL, .stream = DEFAULT_STREAM, .base = -1};
    enum { OPT_REDIS = 256, OPT_STREAM, OPT_RATE, OPT_MAX_LEN, OPT_BASE };
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, OPT_REDIS},
        {"stream", required_argument, NULL, OPT_STREAM},
        {"rate", required_argument, NULL, OPT_RATE},
        {"max-len", required_argument, NULL, OPT_MAX_LEN},
        {"base", required_argument, NULL, OPT_BASE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int ch;
    long long n;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_REDIS:
            opt.url = optarg;
            break;
        case OPT_STREAM:
            opt.stream = optarg;
            break;
        case OPT_RATE:
            if (parse_count(optarg, LONG_MAX, &n) != 0 || n == 0)
                return cli_usage_error("backfill", "invalid --rate '%s' (expected lines/s, > 0)",
                                       optarg);
            opt.rate = (long)n;
            break;
        case OPT_MAX_LEN:
            if (parse_count(optarg, LLONG_MAX, &n) != 0 || n == 0)
                return cli_usage_error("backfill", "invalid --max-len '%s' (expected a count > 0)",
                                       optarg);
            snprintf(opt.max_len, sizeof opt.max_len, "%lld", n);
            break;
        case OPT_BASE:
            if (parse_count(optarg, LLONG_MAX, &opt.base) != 0)
                return cli_usage_error("backfill", "invalid --base '%s' (expected milliseconds)",
                                       optarg);
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("backfill", ch, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("backfill", "missing CORPUS (a file, or - for standard input)");
    if (optind + 1 < argc)
        return cli_usage_error("backfill", "extra operand '%s'", argv[optind + 1]);
    opt.path = argv[optind];
    struct redis_addr addr;
    if (redis_parse_url(opt.url, &addr) != 0)
        return cli_usage_error("backfill",
                               "invalid --redis '%s' (expected redis://HOST:PORT/DB or "
                               "unix:///PATH)",
                               opt.url);
    int is_stdin = strcmp(opt.path, "-") == 0;
    FILE *in = is_stdin ? stdin : fopen(opt.path, "r");
    if (!in) {
        cli_error("%s: %s", opt.path, strerror(errno));
        return CLI_EIO;
    }
    int rc = run_backfill(&opt, &addr, in);
    if (!is_stdin)
        fclose(in);
    return rc;
}
