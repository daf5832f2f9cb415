/*
 * cmd_worker.c - `quell worker`: score comments read from a Redis stream
 * through a consumer group, and write each verdict back to Redis.
 *
 * Wire format (what a producer and a collector are written against):
 *
 *   Input stream (--stream, default quell:in): each entry has the field
 *   `record`, a comment as one JSON Lines record, exactly what `quell filter
 *   -f jsonl` reads (id, body, author, optionally time):
 *       XADD quell:in * record '{"id":7,"body":"...","author":"..."}'
 *   and optionally `line`, the record's line number in its corpus (`quell
 *   backfill` sends it): a verdict whose record has no readable id takes
 *   it as its id, as `quell filter` numbers such records.
 *
 *   Output stream (--output, default quell:out): one entry per input entry,
 *   with the fields
 *       in       the input entry's id, e.g. "1767225600000-0"
 *       verdict  the verdict line exactly as `quell filter -f jsonl` writes
 *                it for that record alone, without the newline; it carries
 *                the "rules_id" of the rules that made it
 *   trimmed with MAXLEN ~ N when --max-len N is given. With --hash NAME,
 *   also HSET NAME <input entry id> <verdict>.
 *
 *   An entry without `record`, or with a malformed one, gets an error
 *   verdict {"id":..,"action":"error","error":"..."}, never dropped. A
 *   record whose id cannot be read is numbered by its `line` field, else 1,
 *   as by `quell filter` given that one record (the `in` field says which
 *   entry it was).
 *
 * Exactly one verdict per entry. A verdict and the XACK of its entry go
 * in one Lua script (WRITE_SCRIPT below), run atomically by Redis, which
 * writes only when the entry is still pending in the group. So:
 *   - a consumer that dies before its script ran leaves the entry pending;
 *     XAUTOCLAIM hands it to another consumer once it has been idle for
 *     --claim-idle, and that one writes it: once;
 *   - a slow consumer whose entry was claimed by another in the meantime
 *     runs its script after the other's: the entry is no longer pending,
 *     and it writes nothing. Two scripts for one entry never interleave,
 *     so whichever runs second is the no-op.
 * A SET NX marker keyed by the entry id would work as well but leaves a key
 * per comment to expire; the pending-entries list already is that marker.
 * The script looks at it with XPENDING and acknowledges last, rather than
 * taking XACK's answer as the test: Redis does not roll back a script that
 * fails half-way (WRONGTYPE on the output key, say), and an XACK done
 * before a failed XADD would lose the verdict. Done in this order, a
 * failure leaves the entry pending, to be written again: HSET goes before
 * XADD since writing it twice does no harm.
 * The same guard makes every write safe to repeat: after a lost connection
 * or an error reply, the whole batch in hand is written again, and the
 * entries whose first write landed are skipped by Redis.
 *
 * Threads (-j N): each thread has its own scanner, parser and Redis
 * connection and reads its own batches (XREADGROUP COUNT --batch) as a
 * consumer of its own: --consumer NAME for the first, NAME/1 ... NAME/N-1
 * for the others. No thread waits on another, so N threads behave like N
 * processes sharing the group, which Redis already balances, and a batch
 * needs no hand-off between threads. A consumer per thread keeps each
 * thread's pending entries its own: sharing one name, a thread reading what
 * its consumer holds after an outage would chase the batches the others
 * are reading meanwhile, scoring them twice (written once, but wasted).
 *
 * Before reading new entries, each thread reads what its consumer already
 * holds (XREADGROUP ... 0: entries delivered before a crash or a restart
 * of the server), then now and then (every min(--claim-idle, 1 s)) claims
 * entries idle longer than --claim-idle (XAUTOCLAIM): a dead consumer's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis.h>

#include "cli.h"
#include "redis.h"
#include "reload.h"
#include "util/grow.h"

#define DEFAULT_URL      REDIS_DEFAULT_URL
#define DEFAULT_BATCH    100
#define DEFAULT_BLOCK_MS 2000
#define DEFAULT_CLAIM_MS 60000
/* As `quell filter`'s default --max-bytes: a longer record is an error. */
#define MAX_RECORD_BYTES ((size_t)1 << 20)
#define MAX_BATCH        100000
/* A command may wait --block ms in XREADGROUP; past this much more, the
 * server is taken for gone. */
#define REPLY_SLACK_MS 10000
#define CLAIM_EVERY_MS 1000
/* How often the main thread looks for new rules and a stop. */
#define TICK_MS 100

/*
 * KEYS: input stream, output stream, and the hash with --hash.
 * ARGV: group, entry id, verdict, MAXLEN ("" for none).
 * Returns 1 when it wrote the verdict, 0 when the entry was acknowledged
 * already (see the header comment for the order).
 */
static const char WRITE_SCRIPT[] =
    "if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1) == 0 then return 0 end\n"
    "if KEYS[3] then redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) end\n"
    "if ARGV[4] == '' then\n"
    "  redis.call('XADD', KEYS[2], '*', 'in', ARGV[2], 'verdict', ARGV[3])\n"
    "else\n"
    "  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'in', ARGV[2],"
    " 'verdict', ARGV[3])\n"
    "end\n"
    "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
    "return 1\n";

struct worker_options {
    const char *url;
    const char *stream;
    const char *output;
    const char *group;
    const char *consumer;
    const char *hash; /* NULL without --hash */
    char max_len[24]; /* "" without --max-len */
    size_t batch;
    size_t jobs;
    long block_ms;
    long claim_idle_ms;
    int is_from_start;
};

/* What every thread shares. */
struct shared {
    const struct worker_options *opt;
    struct redis_addr addr;
    quell_engine *engine;
    atomic_int is_stopping;
    atomic_int is_outage; /* a connection failed and none has come back since */
    atomic_int rc;        /* CLI_OK, or CLI_EIO once a thread gave up */
    atomic_ullong written;
    atomic_ullong skipped; /* scripts that found their entry acknowledged */
};

/* An entry of a batch: its [id, fields] array in the batch's reply. */
struct entry {
    const redisReply *reply;
};

/* A batch in hand: the reply holding its entries, and their verdicts. */
struct batch {
    redisReply *reply; /* owns the entries' strings */
    struct entry *entries;
    size_t count;
    size_t cap;
    char *verdicts; /* each verdict, NUL-terminated */
    size_t verdicts_len;
    size_t verdicts_cap;
    size_t *verdict_off; /* count offsets into verdicts */
    size_t off_cap;
};

/* One scanning thread. */
struct thread {
    struct shared *sh;
    pthread_t thread;
    int is_started;
    char consumer[320]; /* its consumer name in the group */
    quell_scanner *scanner;
    quell_record_parser *parser;
    redisContext *redis;
    char sha[41]; /* WRITE_SCRIPT's, from SCRIPT LOAD */
    int is_history_due;
    char history_from[64]; /* where reading the consumer's own pending entries resumes */
    char claim_cursor[64];
    long long next_claim_ms;
    struct batch batch;
};

static void print_help(void)
{
    printf("Usage: quell worker [OPTIONS] [RULES]\n"
           "\n"
           "Score comments read from a Redis stream through a consumer group, and\n"
           "write each verdict to an output stream, acknowledging its entry in the\n"
           "same atomic step: however many workers share the group, and whichever\n"
           "of them die, every entry gets exactly one verdict.\n"
           "\n"
           "Input entries have one field, record: one JSON Lines record, as\n"
           "`quell filter -f jsonl` reads (id, body, author). Output entries have\n"
           "the fields in (the input entry's id) and verdict (the line `quell filter\n"
           "-f jsonl` writes for that record, without the newline). A missing or\n"
           "malformed record gets an error verdict.\n"
           "\n" CLI_RULES_HELP "\n"
           "Options:\n"
           "      --redis=URL          redis://HOST:PORT/DB or unix:///PATH (default\n"
           "                           " DEFAULT_URL ")\n"
           "      --stream=IN          input stream (default quell:in)\n"
           "      --output=OUT         output stream (default quell:out)\n"
           "      --group=G            consumer group (default quell), created when\n"
           "                           missing, at the stream's end ($)\n"
           "      --from-start         create a missing group at the stream's start (0),\n"
           "                           to score the entries already there too; an\n"
           "                           existing group keeps its position\n"
           "      --consumer=NAME      consumer name (default HOST-PID)\n"
           "      --batch=N            entries per read (default %d)\n"
           "  -j, --jobs=N             threads, each with its own connection, reading\n"
           "                           its own batches as consumer NAME, NAME/1, ...\n"
           "                           (default 1; at most %d)\n"
           "      --block=MS           longest wait for new entries (default %d)\n"
           "      --claim-idle=MS      claim entries pending longer than this from\n"
           "                           other consumers (default %d)\n"
           "      --max-len=N          trim the output stream to about N entries\n"
           "      --hash=NAME          also HSET NAME <entry id> <verdict>\n"
           "  -h, --help               display this help and exit\n"
           "\n"
           "A lost connection is retried (100 ms, doubling to 5 s) with one line on\n"
           "stderr per outage. SIGHUP reloads RULES; every verdict carries the\n"
           "rules_id of the rules that made it. SIGTERM or SIGINT: the batches in hand\n"
           "are written and acknowledged, then the worker exits 0 (a batch that cannot\n"
           "be written then stays pending for another consumer, and the status is 4).\n"
           "\n",
           DEFAULT_BATCH, CLI_MAX_JOBS, DEFAULT_BLOCK_MS, DEFAULT_CLAIM_MS);
    cli_print_exit_help(NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse a count from 0 to max. Returns 0, or -1 when s is not one. */
static int parse_long(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || n < 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

/* ---- Redis commands ---- */

/* Run one command; returns its reply, or NULL when the connection failed
 * (the caller drops it). */
static redisReply *command(struct thread *t, int argc, const char **argv)
{
    return redisCommandArgv(t->redis, argc, argv, NULL);
}

static int is_error(const redisReply *r, const char *prefix)
{
    return r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, prefix, strlen(prefix)) == 0;
}

/* Note the start of an outage, once for the whole process. */
static void report_outage(struct thread *t, const char *why)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&t->sh->is_outage, &expected, 1))
        cli_error("redis %s: %s; retrying", t->sh->opt->url, why);
}

static void drop_connection(struct thread *t, const char *why)
{
    report_outage(t, why);
    redisFree(t->redis);
    t->redis = NULL;
}

/* Connect (and select the database), load the script and make sure the group
 * exists. Returns 0, or -1 with the connection dropped and reported. */
static int connect_redis(struct thread *t)
{
    const struct shared *sh = t->sh;
    char why_connect[160];
    t->redis = redis_connect(&sh->addr, sh->opt->block_ms + REPLY_SLACK_MS, why_connect,
                             sizeof why_connect);
    if (!t->redis) {
        report_outage(t, why_connect);
        return -1;
    }

    const char *load[] = {"SCRIPT", "LOAD", WRITE_SCRIPT};
    const char *create[] = {
        "XGROUP",  "CREATE", sh->opt->stream, sh->opt->group, sh->opt->is_from_start ? "0" : "$",
        "MKSTREAM"};
    redisReply *r = NULL;
    const char *why = NULL;
    r = command(t, 3, load);
    if (!r || r->type != REDIS_REPLY_STRING || r->len != 40)
        goto out_fail;
    memcpy(t->sha, r->str, 40);
    t->sha[40] = '\0';
    freeReplyObject(r);
    r = command(t, 6, create);
    if (!r || (r->type == REDIS_REPLY_ERROR && !is_error(r, "BUSYGROUP")))
        goto out_fail;
    freeReplyObject(r);
    /* Whatever this consumer held before the connection went is read first. */
    t->is_history_due = 1;
    snprintf(t->history_from, sizeof t->history_from, "0");
    return 0;

out_fail:
    why = r && r->type == REDIS_REPLY_ERROR ? r->str
          : t->redis->errstr[0]             ? t->redis->errstr
                                            : "unexpected reply";
    char msg[200];
    snprintf(msg, sizeof msg, "%s", why);
    freeReplyObject(r);
    drop_connection(t, msg);
    return -1;
}

/* Sleep ms, waking early when the worker is stopping. */
static void nap(const struct shared *sh, long ms)
{
    while (ms > 0 && !atomic_load(&sh->is_stopping)) {
        long step = ms < TICK_MS ? ms : TICK_MS;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/*
 * Connect, retrying with backoff until it works or the worker stops.
 * Returns 0 when connected, -1 when stopping.
 */
static int ensure_connected(struct thread *t)
{
    long backoff_ms = REDIS_BACKOFF_MIN_MS;
    while (!t->redis) {
        if (connect_redis(t) == 0)
            break;
        if (atomic_load(&t->sh->is_stopping))
            return -1;
        nap(t->sh, backoff_ms);
        backoff_ms = redis_next_backoff(backoff_ms);
    }
    int expected = 1;
    if (atomic_compare_exchange_strong(&t->sh->is_outage, &expected, 0))
        cli_error("redis %s: connected again", t->sh->opt->url);
    return 0;
}

/* ---- Batches ---- */

static void batch_clear(struct batch *b)
{
    freeReplyObject(b->reply);
    b->reply = NULL;
    b->count = 0;
    b->verdicts_len = 0;
}

static void batch_free(struct batch *b)
{
    batch_clear(b);
    free(b->entries);
    free(b->verdicts);
    free(b->verdict_off);
}

/*
 * Take reply (an array of stream entries, each [id, fields]) as the batch,
 * skipping what is not an entry (a claimed entry deleted meanwhile).
 * Returns 0, or -1 out of memory.
 */
static int batch_take(struct batch *b, redisReply *reply, redisReply *entries)
{
    b->reply = reply;
    for (size_t i = 0; entries && entries->type == REDIS_REPLY_ARRAY && i < entries->elements;
         i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 ||
            e->element[0]->type != REDIS_REPLY_STRING)
            continue;
        struct entry *p =
            grow_array(b->entries, &b->cap, b->count + 1, sizeof *b->entries, 64, GROW_UNCAPPED);
        if (!p)
            return -1;
        b->entries = p;
        b->entries[b->count++].reply = e;
    }
    return 0;
}

/* The value of field name in entry e, or NULL. */
static const redisReply *entry_field(const redisReply *e, const char *name)
{
    if (e->elements < 2 || e->element[1]->type != REDIS_REPLY_ARRAY)
        return NULL;
    const redisReply *fields = e->element[1];
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i];
        if (k->type == REDIS_REPLY_STRING && strcmp(k->str, name) == 0 &&
            fields->element[i + 1]->type == REDIS_REPLY_STRING)
            return fields->element[i + 1];
    }
    return NULL;
}

/* Write the verdict v (or, when v is NULL, an error record with message)
 * as entry i's verdict: its JSON line without the newline. Returns 0, or -1
 * out of memory. */
static int add_verdict(struct batch *b, size_t i, const quell_verdict *v, const char *id,
                       size_t id_len, const char *message)
{
    size_t need = 256; /* room to try with: most verdicts fit */
    for (;;) {
        if (b->verdicts_cap - b->verdicts_len < need) {
            char *p = grow_array(b->verdicts, &b->verdicts_cap, b->verdicts_len + need, 1, 4096,
                                 GROW_UNCAPPED);
            if (!p)
                return -1;
            b->verdicts = p;
        }
        size_t room = b->verdicts_cap - b->verdicts_len;
        char *dst = b->verdicts + b->verdicts_len;
        need = v ? quell_verdict_to_json(v, id, id_len, dst, room)
                 : quell_error_to_json(id, id_len, message, dst, room);
        if (need < room) {
            if (need > 0 && dst[need - 1] == '\n')
                need--;
            dst[need] = '\0';
            b->verdict_off[i] = b->verdicts_len;
            b->verdicts_len += need + 1;
            return 0;
        }
        /* Catch size_t overflow */
        if (__builtin_add_overflow(need, 1, &need) || b->verdicts_len > SIZE_MAX - need)
            return -1;
    }
}

/* Score entry i of the batch into its verdict. Returns 0, or -1 out of memory. */
static int score_entry(struct thread *t, size_t i)
{
    struct batch *b = &t->batch;
    const redisReply *e = b->entries[i].reply;
    /* The id `quell filter` gives a record without a readable one: its
     * line number, which `quell backfill` sends as the line field, else 1
     * (the record as filter's whole input). */
    const char *number = "1";
    size_t number_len = 1;
    const redisReply *line = entry_field(e, "line");
    if (line && line->len > 0 && line->len <= 20 &&
        strspn(line->str, "0123456789") == (size_t)line->len) {
        number = line->str;
        number_len = (size_t)line->len;
    }
    const redisReply *field = entry_field(e, "record");
    if (!field)
        return add_verdict(b, i, NULL, number, number_len, "entry has no record field");
    if ((size_t)field->len > MAX_RECORD_BYTES) {
        char message[64];
        snprintf(message, sizeof message, "record longer than %zu bytes", MAX_RECORD_BYTES);
        return add_verdict(b, i, NULL, number, number_len, message);
    }
    const quell_record *record;
    const quell_verdict *verdict = NULL;
    quell_error err;
    err.message[0] = '\0';
    int rc = quell_record_parse(t->parser, field->str, (size_t)field->len, &record, &err);
    if (rc == QUELL_OK)
        rc = quell_scan(t->scanner, &record->comment, &verdict, &err);
    const char *id = record->id_json ? record->id_json : number;
    size_t id_len = record->id_json ? record->id_json_len : number_len;
    if (rc == QUELL_ENOMEM)
        return -1;
    if (rc != QUELL_OK)
        return add_verdict(b, i, NULL, id, id_len,
                           err.message[0] ? err.message : quell_strerror(rc));
    return add_verdict(b, i, verdict, id, id_len, NULL);
}

/* Score every entry of the batch. Returns 0, or -1 out of memory. */
static int score_batch(struct thread *t)
{
    struct batch *b = &t->batch;
    size_t n = b->count;
    size_t *off = grow_array(b->verdict_off, &b->off_cap, n, sizeof *off, 64, GROW_UNCAPPED);
    if (!off)
        return -1;
    b->verdict_off = off;
    for (size_t i = 0; i < n; i++) {
        if (score_entry(t, i) != 0)
            return -1;
    }
    return 0;
}

/*
 * Send every verdict of the batch with its XACK (WRITE_SCRIPT), pipelined.
 * Returns 0, or -1 when the connection failed or Redis answered an error
 * (dropped and reported): the caller writes the batch again.
 */
static int send_batch(struct thread *t)
{
    const struct shared *sh = t->sh;
    const struct worker_options *opt = sh->opt;
    struct batch *b = &t->batch;
    for (size_t i = 0; i < b->count; i++) {
        const char *argv[10] = {"EVALSHA", t->sha, opt->hash ? "3" : "2", opt->stream, opt->output};
        int argc = 5;
        if (opt->hash)
            argv[argc++] = opt->hash;
        argv[argc++] = opt->group;
        argv[argc++] = b->entries[i].reply->element[0]->str;
        argv[argc++] = b->verdicts + b->verdict_off[i];
        argv[argc++] = opt->max_len;
        if (redisAppendCommandArgv(t->redis, argc, argv, NULL) != REDIS_OK) {
            drop_connection(t, t->redis->errstr);
            return -1;
        }
    }
    unsigned long long written = 0, skipped = 0;
    char why[200] = "";
    for (size_t i = 0; i < b->count; i++) {
        redisReply *r = NULL;
        if (redisGetReply(t->redis, (void **)&r) != REDIS_OK) {
            drop_connection(t, t->redis->errstr);
            return -1;
        }
        if (r->type == REDIS_REPLY_INTEGER && r->integer == 1)
            written++;
        else if (r->type == REDIS_REPLY_INTEGER)
            skipped++;
        else if (!why[0])
            snprintf(why, sizeof why, "%s",
                     r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        freeReplyObject(r);
    }
    atomic_fetch_add(&t->sh->written, written);
    atomic_fetch_add(&t->sh->skipped, skipped);
    if (why[0]) {
        /* LOADING after a restart, NOSCRIPT after a flush: start again. */
        drop_connection(t, why);
        return -1;
    }
    return 0;
}

/* Write the batch, retrying through outages. Returns 0, or -1 when the
 * worker stopped before it could: the entries stay pending. */
static int deliver_batch(struct thread *t)
{
    long backoff_ms = REDIS_BACKOFF_MIN_MS;
    for (;;) {
        if (ensure_connected(t) != 0)
            return -1;
        if (send_batch(t) == 0)
            return 0;
        if (atomic_load(&t->sh->is_stopping))
            return -1;
        nap(t->sh, backoff_ms);
        backoff_ms = redis_next_backoff(backoff_ms);
    }
}

/* The entries of an XREADGROUP reply: [[stream, entries]], or nil. */
static redisReply *read_entries(redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1)
        return NULL;
    redisReply *s = r->element[0];
    return s->type == REDIS_REPLY_ARRAY && s->elements >= 2 ? s->element[1] : NULL;
}

/* This consumer's pending entries after history_from. */
static redisReply *fetch_history(struct thread *t)
{
    const struct worker_options *opt = t->sh->opt;
    char count[24];
    snprintf(count, sizeof count, "%zu", opt->batch);
    const char *argv[] = {"XREADGROUP", "GROUP",   opt->group,  t->consumer,    "COUNT",
                          count,        "STREAMS", opt->stream, t->history_from};
    return command(t, 9, argv);
}

/* Entries idle longer than --claim-idle, from claim_cursor on. */
static redisReply *fetch_claimed(struct thread *t)
{
    const struct worker_options *opt = t->sh->opt;
    char count[24], idle[24];
    snprintf(count, sizeof count, "%zu", opt->batch);
    snprintf(idle, sizeof idle, "%ld", opt->claim_idle_ms);
    const char *argv[] = {"XAUTOCLAIM", opt->stream,     opt->group, t->consumer,
                          idle,         t->claim_cursor, "COUNT",    count};
    return command(t, 8, argv);
}

static redisReply *fetch_new(struct thread *t)
{
    const struct worker_options *opt = t->sh->opt;
    char count[24], block[24];
    snprintf(count, sizeof count, "%zu", opt->batch);
    snprintf(block, sizeof block, "%ld", opt->block_ms);
    const char *argv[] = {"XREADGROUP", "GROUP", opt->group, t->consumer, "COUNT", count,
                          "BLOCK",      block,   "STREAMS",  opt->stream, ">"};
    return command(t, 11, argv);
}

/*
 * Fill the batch: this consumer's own pending entries first, then those
 * claimed from idle consumers when a claim is due, else new ones. An empty
 * batch is no error. Returns 0, -1 when the connection failed (dropped and
 * reported), -2 out of memory.
 */
static int fetch_batch(struct thread *t)
{
    redisReply *r, *entries = NULL;
    int is_history = t->is_history_due;
    int is_claim = !is_history && now_ms() >= t->next_claim_ms;
    r = is_history ? fetch_history(t) : is_claim ? fetch_claimed(t) : fetch_new(t);
    if (!r) {
        drop_connection(t, t->redis->errstr);
        return -1;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        /* NOGROUP (the stream or group deleted, or a server restarted
         * empty), LOADING...: connecting again makes the group. */
        char why[200];
        snprintf(why, sizeof why, "%s", r->str);
        freeReplyObject(r);
        drop_connection(t, why);
        return -1;
    }
    if (is_history) {
        entries = read_entries(r);
        if (!entries || entries->elements == 0) {
            t->is_history_due = 0;
        } else {
            const redisReply *last = entries->element[entries->elements - 1];
            if (last->type == REDIS_REPLY_ARRAY && last->elements >= 1)
                snprintf(t->history_from, sizeof t->history_from, "%s", last->element[0]->str);
        }
    } else if (is_claim) {
        /* [next cursor, entries, deleted ids] */
        if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
            r->element[0]->type == REDIS_REPLY_STRING) {
            snprintf(t->claim_cursor, sizeof t->claim_cursor, "%s", r->element[0]->str);
            entries = r->element[1];
        }
        /* A pass over the whole pending list is done: wait before the next. */
        if (strcmp(t->claim_cursor, "0-0") == 0 || !entries || entries->elements == 0) {
            long every = t->sh->opt->claim_idle_ms < CLAIM_EVERY_MS ? t->sh->opt->claim_idle_ms
                                                                    : CLAIM_EVERY_MS;
            t->next_claim_ms = now_ms() + every;
            snprintf(t->claim_cursor, sizeof t->claim_cursor, "0-0");
        }
    } else {
        entries = r->type == REDIS_REPLY_NIL ? NULL : read_entries(r);
    }
    if (batch_take(&t->batch, r, entries) != 0)
        return -2;
    return 0;
}

static void *thread_main(void *arg)
{
    struct thread *t = arg;
    struct shared *sh = t->sh;
    snprintf(t->claim_cursor, sizeof t->claim_cursor, "0-0");
    while (!atomic_load(&sh->is_stopping)) {
        if (ensure_connected(t) != 0)
            break;
        int rc = fetch_batch(t);
        if (rc == -1)
            continue;
        if (rc == 0 && t->batch.count > 0 && score_batch(t) != 0)
            rc = -2;
        if (rc == -2) {
            cli_error("out of memory");
            atomic_store(&sh->rc, CLI_EIO);
            atomic_store(&sh->is_stopping, 1);
            break;
        }
        if (t->batch.count > 0 && deliver_batch(t) != 0) {
            cli_error("consumer %s: stopped with %zu entries not written: they stay pending",
                      t->consumer, t->batch.count);
            atomic_store(&sh->rc, CLI_EIO);
        }
        batch_clear(&t->batch);
    }
    batch_clear(&t->batch);
    return NULL;
}

/* ---- The command ---- */

/* Set up and start thread t, the index-th. Returns 0, or -1 (reported). */
static int thread_start(struct thread *t, size_t index, struct shared *sh)
{
    t->sh = sh;
    if (index == 0)
        snprintf(t->consumer, sizeof t->consumer, "%s", sh->opt->consumer);
    else
        snprintf(t->consumer, sizeof t->consumer, "%s/%zu", sh->opt->consumer, index);
    quell_error err = {0};
    if (quell_scanner_new_for_engine(&t->scanner, sh->engine, &err) != QUELL_OK ||
        quell_record_parser_new(&t->parser, QUELL_FORMAT_JSONL, NULL, &err) != QUELL_OK) {
        cli_print_error(&err, NULL);
        return -1;
    }
    int rc = pthread_create(&t->thread, NULL, thread_main, t);
    if (rc != 0) {
        cli_error("cannot start a thread: %s", strerror(rc));
        return -1;
    }
    t->is_started = 1;
    return 0;
}

static void thread_free(struct thread *t)
{
    if (t->is_started)
        pthread_join(t->thread, NULL);
    redisFree(t->redis);
    batch_free(&t->batch);
    quell_record_parser_free(t->parser);
    quell_scanner_free(t->scanner);
}

/*
 * Until SIGTERM or SIGINT (or a thread giving up): hand rules reloaded on
 * SIGHUP to the engine, whose scanners move to them between comments.
 */
static void main_loop(struct shared *sh, struct reloader *rl)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    struct timespec tick = {0, TICK_MS * 1000000L};
    while (!atomic_load(&sh->is_stopping)) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            atomic_store(&sh->is_stopping, 1);
        quell_rules *rules = reload_take(rl);
        if (rules) {
            quell_engine_swap(sh->engine, rules);
            quell_rules_release(rules);
        }
    }
}

/* SIGTERM and SIGINT, like SIGHUP, go to the main thread's sigtimedwait,
 * not to the scanning threads. */
static int block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return reload_block_signals();
}

static int run_worker(struct worker_options *opt, const char *path, struct shared *sh)
{
    if (block_stop_signals() != 0) {
        cli_error("cannot block signals: %s", strerror(errno));
        return CLI_EIO;
    }
    quell_rules *rules = NULL;
    int rc = cli_load_rules(&rules, path);
    if (rc != CLI_OK)
        return rc;
    quell_error err = {0};
    struct reloader *rl = NULL;
    struct thread *threads = calloc(opt->jobs, sizeof *threads);
    if (!threads || quell_engine_new(&sh->engine, rules, &err) != QUELL_OK) {
        cli_error("out of memory");
        rc = CLI_EIO;
        goto out_free;
    }
    if (reload_start(&rl, path, rules, 0) != 0) {
        rc = CLI_EIO;
        goto out_free;
    }
    for (size_t i = 0; i < opt->jobs; i++) {
        if (thread_start(&threads[i], i, sh) != 0) {
            atomic_store(&sh->rc, CLI_EIO);
            atomic_store(&sh->is_stopping, 1);
            break;
        }
    }
    main_loop(sh, rl);
    for (size_t i = 0; i < opt->jobs; i++)
        thread_free(&threads[i]);
    rc = atomic_load(&sh->rc);
    cli_error("consumer %s: %llu verdicts written, %llu entries already written by another",
              opt->consumer, (unsigned long long)atomic_load(&sh->written),
              (unsigned long long)atomic_load(&sh->skipped));

out_free:
    reload_stop(rl);
    free(threads);
    quell_engine_free(sh->engine);
    quell_rules_release(rules);
    return rc;
}

int cmd_worker(int argc, char **argv)
{
    enum {
        OPT_REDIS = 256,
        OPT_STREAM,
        OPT_OUTPUT,
        OPT_GROUP,
        OPT_CONSUMER,
        OPT_BATCH,
        OPT_BLOCK,
        OPT_CLAIM_IDLE,
        OPT_MAX_LEN,
        OPT_HASH,
        OPT_FROM_START,
    };
    static const struct option options[] = {
        {"redis", required_argument, NULL, OPT_REDIS},
        {"stream", required_argument, NULL, OPT_STREAM},
        {"output", required_argument, NULL, OPT_OUTPUT},
        {"group", required_argument, NULL, OPT_GROUP},
        {"consumer", required_argument, NULL, OPT_CONSUMER},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"jobs", required_argument, NULL, 'j'},
        {"block", required_argument, NULL, OPT_BLOCK},
        {"claim-idle", required_argument, NULL, OPT_CLAIM_IDLE},
        {"max-len", required_argument, NULL, OPT_MAX_LEN},
        {"hash", required_argument, NULL, OPT_HASH},
        {"from-start", no_argument, NULL, OPT_FROM_START},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct worker_options opt = {
        .url = DEFAULT_URL,
        .stream = "quell:in",
        .output = "quell:out",
        .group = "quell",
        .batch = DEFAULT_BATCH,
        .jobs = 1,
        .block_ms = DEFAULT_BLOCK_MS,
        .claim_idle_ms = DEFAULT_CLAIM_MS,
    };
    struct shared sh = {.opt = &opt};
    long n;
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":j:h", options, NULL)) != -1) {
        switch (ch) {
        case OPT_REDIS:
            opt.url = optarg;
            break;
        case OPT_STREAM:
            opt.stream = optarg;
            break;
        case OPT_OUTPUT:
            opt.output = optarg;
            break;
        case OPT_GROUP:
            opt.group = optarg;
            break;
        case OPT_CONSUMER:
            opt.consumer = optarg;
            break;
        case OPT_HASH:
            opt.hash = optarg;
            break;
        case OPT_FROM_START:
            opt.is_from_start = 1;
            break;
        case OPT_BATCH:
            if (parse_long(optarg, MAX_BATCH, &n) != 0 || n == 0)
                return cli_usage_error("worker", "invalid --batch '%s' (expected 1 to %d)", optarg,
                                       MAX_BATCH);
            opt.batch = (size_t)n;
            break;
        case 'j':
            if (cli_parse_jobs(optarg, &opt.jobs) != 0)
                return cli_usage_error("worker", "invalid --jobs '%s' (expected 1 to %d)", optarg,
                                       CLI_MAX_JOBS);
            break;
        case OPT_BLOCK:
            if (parse_long(optarg, INT_MAX / 2, &opt.block_ms) != 0)
                return cli_usage_error("worker", "invalid --block '%s' (expected milliseconds)",
                                       optarg);
            break;
        case OPT_CLAIM_IDLE:
            if (parse_long(optarg, INT_MAX, &opt.claim_idle_ms) != 0 || opt.claim_idle_ms == 0)
                return cli_usage_error(
                    "worker", "invalid --claim-idle '%s' (expected milliseconds, > 0)", optarg);
            break;
        case OPT_MAX_LEN:
            if (parse_long(optarg, LONG_MAX, &n) != 0 || n == 0)
                return cli_usage_error("worker", "invalid --max-len '%s' (expected a count > 0)",
                                       optarg);
            snprintf(opt.max_len, sizeof opt.max_len, "%ld", n);
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("worker", ch, argv);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("worker", "extra operand '%s'", argv[optind + 1]);
    if (redis_parse_url(opt.url, &sh.addr) != 0)
        return cli_usage_error("worker",
                               "invalid --redis '%s' (expected redis://HOST:PORT/DB or "
                               "unix:///PATH)",
                               opt.url);
    /* BLOCK 0 waits forever: a stop would never be seen. */
    if (opt.block_ms == 0)
        return cli_usage_error("worker", "invalid --block '0' (expected milliseconds, > 0)");
    char consumer[300];
    if (!opt.consumer) {
        char host[256] = "";
        if (gethostname(host, sizeof host) != 0 || !host[0])
            snprintf(host, sizeof host, "quell");
        host[sizeof host - 1] = '\0';
        snprintf(consumer, sizeof consumer, "%s-%ld", host, (long)getpid());
        opt.consumer = consumer;
    }
    const char *path = cli_find_rules(optind < argc ? argv[optind] : NULL);
    if (!path)
        return cli_usage_error("worker", "no rules: give RULES, set QUELL_RULES or provide %s",
                               CLI_DEFAULT_RULES);
    return run_worker(&opt, path, &sh);
}
