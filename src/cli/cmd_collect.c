/*
 * cmd_collect.c - `quell collect`: read the verdicts `quell worker` wrote
 * to its output stream (the wire format is in cmd_worker.c's header
 * comment) and write them to stdout as JSON Lines, in input order.
 *
 * It reads with XREAD, not through a consumer group: collecting consumes
 * nothing, and can be done again, from the start or after an id.
 *
 * Workers write verdicts in the order they finish them, not in the input
 * order: the verdicts are held in memory until the end, then sorted by
 * their `in` field (the input entry's id, compared as the two numbers of a
 * stream id) and written. So collecting N verdicts holds the N of them:
 * about their size plus 70 to 150 bytes each: a row (40 bytes) in an
 * array that doubles, and a slot or three of the set of ids seen (16
 * bytes each). Measured: a million verdicts of 423 bytes, 497 MB RSS.
 * Past what memory holds, collect in parts (--after, --count): each part
 * is in input order, but not the parts between them, since workers finish
 * out of order (merging them would need the input ids, which the verdict
 * lines do not carry: not done here).
 * There should be one verdict per input entry; should there be more, the
 * first in the output stream is kept and the others are counted on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "cli.h"
#include "redis.h"
#include "util/grow.h"

#define DEFAULT_STREAM "quell:out"
/* Entries per XREAD. */
#define READ_COUNT 1000
/* The longest XREAD BLOCK: how often a wait looks at --timeout. */
#define BLOCK_MS 1000
#define REPLY_MS (BLOCK_MS + 10000)

struct collect_options {
    const char *url;
    const char *stream;
    const char *after;
    unsigned long long count; /* 0: what is there now */
    long long timeout_ms;     /* 0: none */
};

/* A stream id, ms-seq. */
struct stream_id {
    uint64_t ms, seq;
};

/* A verdict collected: its input entry's id, where its text is, and its
 * place in the output stream (to keep the first of duplicates). */
struct row {
    struct stream_id in;
    size_t off, len;
    size_t order;
};

struct collect {
    const struct collect_options *opt;
    struct redis_link link;
    char last[64]; /* the output entry id reading resumes after */
    char *text;    /* the verdicts' text, one after another */
    size_t text_len, text_cap;
    struct row *rows;
    size_t count, cap;
    /* The input ids seen, an open-addressing set (slot 0-0 is empty: no
     * entry has that id). */
    struct stream_id *seen;
    size_t seen_cap; /* a power of two */
    unsigned long long duplicates;
    unsigned long long malformed; /* output entries without in or verdict */
};

static void print_help(void)
{
    printf("Usage: quell collect [OPTIONS]\n"
           "\n"
           "Read the verdicts `quell worker` wrote to its output stream and write\n"
           "them to standard output as JSON Lines, one per input entry, in the\n"
           "order of the input entries (sorted by the in field), as `quell filter\n"
           "-f jsonl` would have written them. Reads with XREAD: collecting consumes\n"
           "nothing. The verdicts are held in memory until they are sorted.\n"
           "\n"
           "Options:\n"
           "      --redis=URL          redis://HOST:PORT/DB or unix:///PATH (default\n"
           "                           " REDIS_DEFAULT_URL ")\n"
           "      --output=OUT         output stream the workers write (default\n"
           "                           " DEFAULT_STREAM ")\n"
           "      --after=ID           read the entries after output entry ID (default:\n"
           "                           from the start)\n"
           "      --count=N            wait until N verdicts are collected (default: read\n"
           "                           what is there and stop)\n"
           "      --timeout=S          with --count, give up after S seconds: the\n"
           "                           verdicts collected are written, the number\n"
           "                           missing is said on stderr, and the status is 4\n"
           "  -h, --help               display this help and exit\n"
           "\n"
           "A lost connection is retried (100 ms, doubling to 5 s). At the end,\n"
           "stderr has the verdicts written and the last output entry read (for a\n"
           "later --after), and any duplicate verdicts skipped (the first is kept).\n"
           "\n");
    cli_print_exit_help(NULL);
}

/* Parse ms-seq (or ms alone, seq 0). Returns 0, or -1. */
static int parse_id(const char *s, struct stream_id *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    out->ms = strtoull(s, &end, 10);
    out->seq = 0;
    if (errno == 0 && *end == '-' && end[1] >= '0' && end[1] <= '9')
        out->seq = strtoull(end + 1, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

static int id_cmp(const struct stream_id *a, const struct stream_id *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq ? 1 : 0;
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int c = id_cmp(&a->in, &b->in);
    return c ? c : a->order < b->order ? -1 : a->order > b->order;
}

static size_t id_hash(const struct stream_id *id)
{
    uint64_t h = id->ms * 0x9e3779b97f4a7c15ULL ^ (id->seq + 0x632be59bd9b4e019ULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return (size_t)(h ^ (h >> 29));
}

/* Put id in the set of the ids seen. Returns 1 when it is new, 0 when it
 * was there, -1 out of memory. */
static int seen_add(struct collect *c, const struct stream_id *id);

/* Double the set. Returns 0, or -1 out of memory. */
static int seen_grow(struct collect *c)
{
    size_t old_cap = c->seen_cap;
    struct stream_id *old = c->seen;
    size_t cap = old_cap ? old_cap * 2 : 1024;
    c->seen = calloc(cap, sizeof *c->seen);
    if (!c->seen) {
        c->seen = old;
        return -1;
    }
    c->seen_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].ms || old[i].seq)
            seen_add(c, &old[i]);
    free(old);
    return 0;
}

static int seen_add(struct collect *c, const struct stream_id *id)
{
    /* At most half full, so probes stay short. */
    if (c->count * 2 >= c->seen_cap && seen_grow(c) != 0)
        return -1;
    size_t mask = c->seen_cap - 1;
    for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
        struct stream_id *s = &c->seen[i];
        if (!s->ms && !s->seq) {
            *s = *id;
            return 1;
        }
        if (id_cmp(s, id) == 0)
            return 0;
    }
}

/* The value of field name in a [field, value, ...] array, or NULL. */
static const redisReply *field(const redisReply *fields, const char *name)
{
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && strcmp(k->str, name) == 0 &&
            v->type == REDIS_REPLY_STRING)
            return v;
    }
    return NULL;
}

/* Keep the verdict of output entry e, unless it is a duplicate. Returns 0,
 * or -1 out of memory. */
static int take_entry(struct collect *c, const redisReply *e)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
        e->element[0]->type != REDIS_REPLY_STRING || e->element[1]->type != REDIS_REPLY_ARRAY)
        return 0;
    snprintf(c->last, sizeof c->last, "%s", e->element[0]->str);
    const redisReply *in = field(e->element[1], "in");
    const redisReply *verdict = field(e->element[1], "verdict");
    struct stream_id id;
    if (!in || !verdict || parse_id(in->str, &id) != 0 || (!id.ms && !id.seq)) {
        c->malformed++;
        return 0;
    }
    int is_new = seen_add(c, &id);
    if (is_new <= 0) {
        c->duplicates += is_new == 0;
        return is_new;
    }
    size_t len = (size_t)verdict->len;
    char *t = grow_array(c->text, &c->text_cap, c->text_len + len, 1, 1 << 16, GROW_UNCAPPED);
    if (!t)
        return -1;
    c->text = t;
    struct row *r =
        grow_array(c->rows, &c->cap, c->count + 1, sizeof *c->rows, 1024, GROW_UNCAPPED);
    if (!r)
        return -1;
    c->rows = r;
    memcpy(c->text + c->text_len, verdict->str, len);
    c->rows[c->count] = (struct row){.in = id, .off = c->text_len, .len = len, .order = c->count};
    c->text_len += len;
    c->count++;
    return 0;
}

/*
 * One XREAD of at most want entries after c->last, waiting up to block_ms
 * (0: no wait). Returns the entries read (0 when none came), -1 when the
 * connection failed (dropped), -2 on an error reply or out of memory
 * (reported).
 */
static long read_some(struct collect *c, unsigned long long want, long block_ms)
{
    char count[24], block[24];
    snprintf(count, sizeof count, "%llu", want);
    snprintf(block, sizeof block, "%ld", block_ms);
    const char *argv[] = {"XREAD", "COUNT",   count,          "BLOCK",
                          block,   "STREAMS", c->opt->stream, c->last};
    const char *no_block[] = {"XREAD", "COUNT", count, "STREAMS", c->opt->stream, c->last};
    redisReply *r = block_ms > 0 ? redisCommandArgv(c->link.c, 8, argv, NULL)
                                 : redisCommandArgv(c->link.c, 6, no_block, NULL);
    if (!r) {
        redis_link_fail(&c->link);
        return -1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        cli_error("redis %s: XREAD %s: %s", c->opt->url, c->opt->stream, r->str);
        freeReplyObject(r);
        return -2;
    }
    long n = 0;
    /* [[stream, [entry, ...]]], or nil when nothing came. */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
        r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2) {
        const redisReply *entries = r->element[0]->element[1];
        for (size_t i = 0; entries->type == REDIS_REPLY_ARRAY && i < entries->elements; i++) {
            if (take_entry(c, entries->element[i]) != 0) {
                cli_error("out of memory");
                freeReplyObject(r);
                return -2;
            }
            n++;
        }
    }
    freeReplyObject(r);
    return n;
}

/* Read until --count verdicts are in, or (without --count) the stream's
 * end. Returns CLI_OK, or CLI_EIO past --timeout or on an error. */
static int collect_all(struct collect *c)
{
    const struct collect_options *opt = c->opt;
    long long deadline = opt->timeout_ms > 0 ? redis_now_ms() + opt->timeout_ms : 0;
    for (;;) {
        if (opt->count > 0 && c->count >= opt->count)
            return CLI_OK;
        long long now = redis_now_ms();
        if (deadline > 0 && now >= deadline) {
            cli_error("collect: gave up after %.1f s: %llu of %llu verdicts missing",
                      (double)opt->timeout_ms / 1000.0, opt->count - c->count, opt->count);
            return CLI_EIO;
        }
        if (redis_link_ensure(&c->link, deadline) != 0)
            continue;
        /* Asking for no more than are missing leaves the entries after
         * the N-th for a later --after. */
        unsigned long long want = READ_COUNT;
        if (opt->count > 0 && opt->count - c->count < want)
            want = opt->count - c->count;
        long block = 0;
        if (opt->count > 0) {
            block = BLOCK_MS;
            if (deadline > 0 && deadline - now < block)
                block = deadline - now > 0 ? (long)(deadline - now) : 1;
        }
        long n = read_some(c, want, block);
        if (n == -2)
            return CLI_EIO;
        if (n == 0 && opt->count == 0)
            return CLI_OK;
    }
}

/* Write the verdicts in input order, one a line. */
static void write_sorted(struct collect *c)
{
    if (c->count > 1)
        qsort(c->rows, c->count, sizeof *c->rows, row_cmp);
    for (size_t i = 0; i < c->count; i++) {
        fwrite(c->text + c->rows[i].off, 1, c->rows[i].len, stdout);
        putchar('\n');
    }
}

static int run_collect(const struct collect_options *opt, const struct redis_addr *addr)
{
    struct collect c = {.opt = opt, .link = {.addr = addr, .url = opt->url, .reply_ms = REPLY_MS}};
    snprintf(c.last, sizeof c.last, "%s", opt->after ? opt->after : "0-0");
    int rc = collect_all(&c);
    write_sorted(&c);
    rc = cli_finish_stdout(rc);
    cli_error("collect: %zu verdicts written, in input order; last output entry read: %s", c.count,
              c.last);
    if (c.duplicates)
        cli_error("collect: %llu duplicate verdicts skipped (the first of each was kept)",
                  c.duplicates);
    if (c.malformed)
        cli_error("collect: %llu output entries without an in or verdict field skipped",
                  c.malformed);
    free(c.text);
    free(c.rows);
    free(c.seen);
    if (c.link.c)
        redisFree(c.link.c);
    return rc;
}

int cmd_collect(int argc, char **argv)
{
    struct collect_options opt = {.url = REDIS_DEFAULT_URL, .stream = DEFAULT_STREAM};
    enum { OPT_REDIS = 256, OPT_OUTPUT, OPT_AFTER, OPT_COUNT, OPT_TIMEOUT };
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, OPT_REDIS},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"after", required_argument, NULL, OPT_AFTER},
        {"count", required_argument, NULL, OPT_COUNT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int ch;
    struct stream_id id;
    char *end;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_REDIS:
            opt.url = optarg;
            break;
        case OPT_OUTPUT:
            opt.stream = optarg;
            break;
        case OPT_AFTER:
            if (parse_id(optarg, &id) != 0 || strlen(optarg) >= 48)
                return cli_usage_error("collect", "invalid --after '%s' (expected a stream id)",
                                       optarg);
            opt.after = optarg;
            break;
        case OPT_COUNT:
            errno = 0;
            opt.count = strtoull(optarg, &end, 10);
            if (errno != 0 || *optarg < '1' || *optarg > '9' || *end != '\0')
                return cli_usage_error("collect", "invalid --count '%s' (expected a count > 0)",
                                       optarg);
            break;
        case OPT_TIMEOUT: {
            errno = 0;
            double s = strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(s > 0) || s > 1e9)
                return cli_usage_error("collect", "invalid --timeout '%s' (expected seconds > 0)",
                                       optarg);
            opt.timeout_ms = (long long)(s * 1000.0);
            if (opt.timeout_ms == 0)
                opt.timeout_ms = 1;
            break;
        }
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("collect", ch, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("collect", "extra operand '%s'", argv[optind]);
    if (opt.timeout_ms > 0 && opt.count == 0)
        return cli_usage_error("collect", "--timeout needs --count");
    struct redis_addr addr;
    if (redis_parse_url(opt.url, &addr) != 0)
        return cli_usage_error("collect",
                               "invalid --redis '%s' (expected redis://HOST:PORT/DB or "
                               "unix:///PATH)",
                               opt.url);
    return run_collect(&opt, &addr);
}
