/*
 * cmd_filter.c - `quell filter`: scan comments from stdin on --jobs threads and write a verdict
 * per record (or, with --only, the records) to stdout, in input order and constant memory.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cli.h"
#include "context_opt.h"
#include "reload.h"
#include "util/grow.h"

#define IO_BUF_BYTES      ((size_t)1 << 20) /* read and write chunk */
#define DEFAULT_MAX_BYTES ((size_t)1 << 20)
/* Bounds the input buffer (max-bytes + 1) well below quell_scan's 2 GiB limit. */
#define MAX_MAX_BYTES ((size_t)1 << 30)
/* Most input a round takes per job: every job holds its output until the
 * round ends, so this bounds their buffers. */
#define ROUND_BYTES_PER_JOB ((size_t)512 << 10)
/* Least input worth waking the workers for: below this per job, a round
 * runs on the main thread alone. */
#define MIN_SLICE_BYTES ((size_t)16 << 10)
/* The smallest chunk of a round: the jobs take a round's chunks in turn,
 * the big ones first, so that they all finish within about one small
 * chunk of each other whatever the records cost. */
#define MIN_CHUNK_BYTES ((size_t)4 << 10)
/* Chunks' output goes out in one writev of up to this many pieces. */
#define WRITE_PIECES 64
/* Workers' filters start on lines of their own: each writes its own per record. */
#define CACHE_LINE_BYTES 64
/* How often --watch looks at the rules file. */
#define WATCH_MS 1000

enum only { ONLY_ALL = 0, ONLY_PASS, ONLY_FLAGGED };

/* One job's state: the main thread's, or a worker's. */
struct filter {
    quell_scanner *scanner;
    quell_record_parser *parser;
    enum only only;
    char censor_mask; /* with --censor, the mask character; '\0' without */
    char separator;
    size_t max_bytes;
    unsigned long long record_no; /* 1-based number of the current record */
    int has_malformed;
    /* A worker never writes to stdout or stderr: its output grows in out,
     * its stderr lines in msg and what stopped it in fatal, all written by
     * the main thread in input order. The main thread works the same way
     * while it takes chunks of a round beside the workers. */
    int is_worker;

    char *out; /* pending output; the main thread's is written before each read and when full */
    size_t out_len;
    size_t out_cap;
    char *msg; /* a worker's (or a round's) stderr lines */
    size_t msg_len;
    size_t msg_cap;
    char fatal[640]; /* what stopped the job ("record N: " and a message), "" if none */

    /* With --context: the context, shared by every job but decided only by
     * the main thread, in input order. A job in a round leaves each
     * record's decision to it (items, their ids in ids); the main thread
     * alone decides as it goes. */
    quell_context *ctx;
    struct ctx_item *items;
    size_t item_count;
    size_t item_cap;
    char *ids;
    size_t ids_len;
    size_t ids_cap;
};

/* A record scanned by a job in a round, waiting for the main thread to
 * decide it in its context, in input order. */
struct ctx_item {
    const char *data; /* the record, in the round's input */
    size_t len;
    int has_separator;
    unsigned long long record_no;
    /* Its line in the job's out: an error record, or (without --only) its
     * verdict without its context, to be completed. */
    size_t out_start, out_end;
    size_t id_start, id_len; /* its id as JSON text, in the job's ids */
    int64_t time_ms;
    quell_action action; /* before its context */
    int is_scanned;      /* 0: an error record, nothing to decide */
    quell_context_note note;
};

/* A worker thread and its own filter. */
struct worker {
    _Alignas(CACHE_LINE_BYTES) struct filter f;
    struct runner *runner;
    pthread_t thread;
    size_t job;          /* 1 + its index: job 0 is the main thread */
    unsigned long round; /* the last round it joined; under runner->lock */
};

/* A run of whole records of a round, and where the job that took it left
 * their output: written by that job, read by the main thread once the
 * round is over. */
struct chunk {
    size_t start, end;           /* bytes of the round's data */
    unsigned long long first_no; /* the number of the record before its first */
    size_t job;
    size_t out_start, out_end;   /* in the job's out */
    size_t msg_start, msg_end;   /* in the job's msg */
    size_t item_start, item_end; /* in the job's items, with --context */
    int rc;
};

/* The main thread's filter and the workers it hands slices to. */
struct runner {
    struct filter main;
    quell_rules *rules; /* immutable, shared by every job; the runner holds them */
    /* Reloads rules in the background; new ones are adopted between
     * rounds, while no worker is scanning (adopt_new_rules). */
    struct reloader *reloader;
    quell_format format;
    const quell_record_fields *fields;
    size_t job_count;       /* jobs wanted, the main thread included */
    int is_started;         /* the workers were started (or tried) */
    struct worker *workers; /* worker_count of them, all running */
    size_t worker_count;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a round started, or is_stopping */
    pthread_cond_t done; /* pending dropped to 0 */
    size_t pending;      /* workers still busy with this round */
    unsigned long round; /* rounds started, under lock */
    int is_stopping;

    /* The round being scanned: its records, cut into chunks that every
     * job, the main thread's included, takes in turn as it gets free. */
    const char *round_data;
    struct chunk *chunks;
    size_t chunk_count;
    size_t chunk_cap;
    atomic_size_t next_chunk; /* the next chunk to take */
    atomic_int is_failed;     /* a job stopped: take no more */

    /* With --context: the context; and the main thread's second output
     * buffer, which it writes into while deciding a round, its first
     * holding its chunks. */
    quell_context *ctx;
    char *spare_out;
    size_t spare_cap;
};

static void print_help(void)
{
    printf("Usage: quell filter [OPTIONS] [RULES]\n"
           "\n"
           "Scan comments read from standard input with RULES (a .cfg or .qdb file)\n"
           "and write one JSON verdict line per input record, in input order:\n"
           "  {\"id\":..,\"action\":\"pass|flag|hold|reject\",\"score\":..,...}\n"
           "A malformed record (bad JSON, missing body, invalid UTF-8, too long)\n"
           "gets an error line {\"id\":..,\"action\":\"error\",\"error\":\"...\"} and the\n"
           "stream goes on. The id is the record's own id (JSON input) or else its\n"
           "1-based record number.\n"
           "\n"
           CLI_RULES_HELP
           "\n"
           "Options:\n"
           "  -f, --format=FORMAT      input framing: text (one comment per line, the\n"
           "                           default), jsonl (one JSON object per line) or\n"
           "                           nul (NUL-separated comments, may span lines)\n"
           "      --id-field=NAME      JSON member holding the id (default id)\n"
           "      --body-field=NAME    JSON member holding the comment (default body)\n"
           "      --author-field=NAME  JSON member holding the author (default author)\n"
           "      --only=WHICH         instead of verdicts, copy the input records that\n"
           "                           'pass', or that are 'flagged' (flag, hold or\n"
           "                           reject), unchanged with their separator;\n"
           "                           malformed records are reported on stderr as\n"
           "                           'quell: record N: reason'\n"
           "      --censor[=CHAR]      add \"censored\" to each verdict: the body with\n"
           "                           every character of every hit replaced by CHAR\n"
           "                           (one ASCII printable character, default '*'),\n"
           "                           all else byte for byte; not with --only\n"
           "      --max-bytes=N        longest record in bytes (suffixes K, M, G: powers\n"
           "                           of 1024; default 1M, at most 1G); a longer one\n"
           "                           yields an error record\n"
           "  -j, --jobs=N             scan on N threads (default: one per online CPU;\n"
           "                           at most %d); the output is the same for any N\n"
           CLI_CONTEXT_HELP
           "      --watch              reload RULES when the file changes (checked\n"
           "                           every second), as on SIGHUP; only RULES itself\n"
           "                           is watched, not the files it includes: touch it\n"
           "                           or send SIGHUP after editing those\n"
           "  -h, --help               display this help and exit\n"
           "\n"
           "On SIGHUP (or, with --watch, a change of the file) RULES are loaded again\n"
           "on a background thread and take over between two records: every verdict\n"
           "carries the \"rules_id\" of the rules that made it. Rules that fail to load\n"
           "leave the old ones in place, with the reason and the count of failed\n"
           "reloads on stderr.\n"
           "\n"
           "Verdicts are written as soon as the input read so far is scanned, so a\n"
           "program can feed one comment and wait for its line. When stdout is\n"
           "closed early (e.g. piped into head), quell stops quietly with status 4.\n"
           "\n",
           CLI_MAX_JOBS);
    cli_print_exit_help("some records were malformed (error records were written; with --only,\n"
                        "     they are named on standard error)");
}

/* Make *buf (of *cap bytes, len used) hold at least extra more bytes.
 * Returns 0, or -1 when out of memory. */
static int buf_reserve(char **buf, size_t *cap, size_t len, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(len, extra, &need)) /* Catch size_t overflow */
        return -1;
    char *p = grow_array(*buf, cap, need, 1, 256, GROW_UNCAPPED);
    if (!p)
        return -1;
    *buf = p;
    return 0;
}

/*
 * Report what stops the stream and return CLI_EIO: the main thread prints
 * "quell: MESSAGE"; a worker keeps the message for the main thread, which
 * prints it after everything the worker wrote before it.
 */
static int filter_fatal(struct filter *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int filter_fatal(struct filter *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->fatal, sizeof f->fatal, fmt, ap);
    va_end(ap);
    if (!f->is_worker)
        cli_error("%s", f->fatal);
    return CLI_EIO;
}

/* Write buf to stdout. Returns CLI_OK or CLI_EIO (reported, but not EPIPE).
 * Main thread only: strerror and stderr are not for workers. */
static int write_stdout(const char *buf, size_t len)
{
    if (cli_write_all(STDOUT_FILENO, buf, len) != 0) {
        /* EPIPE: the reader has all it wants; stop without a message. */
        if (errno != EPIPE)
            cli_error("write error: %s", strerror(errno));
        return CLI_EIO;
    }
    return CLI_OK;
}

/* Write the pending output of the main thread. Returns CLI_OK or CLI_EIO. */
static int out_flush(struct filter *f)
{
    if (f->out_len == 0)
        return CLI_OK;
    int rc = write_stdout(f->out, f->out_len);
    f->out_len = 0;
    return rc;
}

/* Make room for extra more bytes of output. */
static int out_reserve(struct filter *f, size_t extra)
{
    if (buf_reserve(&f->out, &f->out_cap, f->out_len, extra) != 0)
        return filter_fatal(f, "out of memory");
    return CLI_OK;
}

/*
 * Append one JSON line: the verdict v on comment c (with --censor, its body
 * masked), or, when v is NULL, an error record with message. The writers
 * work like snprintf, so a line that does not fit is retried after a flush
 * (main thread) or in a bigger buffer.
 */
static int emit_json(struct filter *f, const quell_verdict *v, const quell_comment *c,
                     const char *id, size_t id_len, const char *message)
{
    for (;;) {
        size_t room = f->out_cap - f->out_len;
        char *dst = f->out + f->out_len;
        size_t need;
        if (!v)
            need = quell_error_to_json(id, id_len, message, dst, room);
        else if (f->censor_mask)
            need = quell_verdict_to_json_censored(v, id, id_len, c->text[QUELL_FIELD_BODY],
                                                  c->text_len[QUELL_FIELD_BODY], f->censor_mask,
                                                  dst, room);
        else
            need = quell_verdict_to_json(v, id, id_len, dst, room);
        if (need < room) {
            f->out_len += need;
            return CLI_OK;
        }
        int rc;
        if (!f->is_worker && f->out_len > 0)
            rc = out_flush(f);
        else if (need == (size_t)-1) /* Catch size_t overflow */
            rc = filter_fatal(f, "out of memory");
        else
            rc = out_reserve(f, need + 1);
        if (rc != CLI_OK)
            return rc;
    }
}

/* Append an input record unchanged, with its separator if it had one. */
static int emit_raw(struct filter *f, const char *data, size_t len, int has_separator)
{
    size_t total = len + (has_separator ? 1 : 0);
    if (f->is_worker) {
        int rc = out_reserve(f, total);
        if (rc != CLI_OK)
            return rc;
    } else if (total > f->out_cap - f->out_len) {
        int rc = out_flush(f);
        if (rc != CLI_OK)
            return rc;
        if (total > f->out_cap) {
            /* Larger than the whole buffer: write it straight through. */
            rc = write_stdout(data, len);
            if (rc == CLI_OK && has_separator)
                rc = write_stdout(&f->separator, 1);
            return rc;
        }
    }
    memcpy(f->out + f->out_len, data, len);
    f->out_len += len;
    if (has_separator)
        f->out[f->out_len++] = f->separator;
    return CLI_OK;
}

/* Report the current record as malformed: an error record, or with --only
 * the line "quell: record N: message" on stderr (a worker's waits in msg). */
static int emit_malformed(struct filter *f, const char *id, size_t id_len, const char *message)
{
    f->has_malformed = 1;
    if (f->only == ONLY_ALL)
        return emit_json(f, NULL, NULL, id, id_len, message);
    if (!f->is_worker) {
        cli_error("record %llu: %s", f->record_no, message);
        return CLI_OK;
    }
    char line[sizeof f->fatal + 16];
    int n = snprintf(line, sizeof line, "quell: record %llu: %s\n", f->record_no, message);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (buf_reserve(&f->msg, &f->msg_cap, f->msg_len, len) != 0)
        return filter_fatal(f, "out of memory");
    memcpy(f->msg + f->msg_len, line, len);
    f->msg_len += len;
    return CLI_OK;
}

/* The current record is longer than --max-bytes. */
static int emit_too_long(struct filter *f)
{
    char id[24], message[64];
    f->record_no++;
    int id_len = snprintf(id, sizeof id, "%llu", f->record_no);
    snprintf(message, sizeof message, "record longer than %zu bytes", f->max_bytes);
    return emit_malformed(f, id, (size_t)id_len, message);
}

/* Report a verdict: its JSON line, or with --only the record itself when
 * its action is the one asked for. */
static int emit_verdict(struct filter *f, const quell_verdict *verdict, const quell_comment *c,
                        const char *id, size_t id_len, const char *data, size_t len,
                        int has_separator)
{
    switch (f->only) {
    case ONLY_PASS:
        if (verdict->action == QUELL_PASS)
            return emit_raw(f, data, len, has_separator);
        return CLI_OK;
    case ONLY_FLAGGED:
        if (verdict->action != QUELL_PASS)
            return emit_raw(f, data, len, has_separator);
        return CLI_OK;
    default:
        return emit_json(f, verdict, c, id, id_len, NULL);
    }
}

/*
 * Decide a scanned comment in its context, on the main thread, in input
 * order: its facts, then its verdict scored again with them, and the
 * action it ends with settled for its author's next comments.
 */
static int decide_in_context(struct filter *f, const quell_comment *c, const char *id,
                             size_t id_len, int64_t time_ms, const quell_context_note *note,
                             const quell_verdict **verdict)
{
    quell_context_meta meta = QUELL_CONTEXT_META_INIT;
    meta.id_json = id;
    meta.id_len = id_len;
    meta.time_ms = time_ms;
    quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket;
    quell_error err = {0};
    quell_action before = (*verdict)->action;
    if (quell_context_decide(f->ctx, note, &meta, before, &facts, &ticket, &err) != QUELL_OK ||
        quell_scanner_apply_context(f->scanner, c, &facts, verdict, &err) != QUELL_OK)
        return filter_fatal(f, "record %llu: %s", f->record_no, err.message);
    if ((*verdict)->action != before)
        quell_context_settle(f->ctx, note, ticket, (*verdict)->action);
    return CLI_OK;
}

/* Keep id (JSON text) in the job's ids, for the item being filled. */
static int keep_id(struct filter *f, struct ctx_item *item, const char *id, size_t id_len)
{
    if (buf_reserve(&f->ids, &f->ids_cap, f->ids_len, id_len) != 0)
        return filter_fatal(f, "out of memory");
    memcpy(f->ids + f->ids_len, id, id_len);
    item->id_start = f->ids_len;
    item->id_len = id_len;
    f->ids_len += id_len;
    return CLI_OK;
}

/*
 * Parse, scan and report one record (data without its separator). With
 * item (a job in a round, with --context), a record scanned is left for
 * the main thread to decide: item keeps what that needs, and the verdict
 * line, without its context, goes out as usual.
 */
static int process_one(struct filter *f, const char *data, size_t len, int has_separator,
                       struct ctx_item *item)
{
    if (len > f->max_bytes)
        return emit_too_long(f);

    f->record_no++;
    const quell_record *record;
    quell_error err;
    err.message[0] = '\0';
    const quell_verdict *verdict = NULL;
    quell_context_note note;
    int rc = quell_record_parse(f->parser, data, len, &record, &err);
    if (rc == QUELL_OK)
        rc = quell_scan(f->scanner, &record->comment, &verdict, &err);
    if (rc == QUELL_OK && f->ctx)
        rc = quell_context_note_make(f->scanner, &record->comment, &note, &err);

    /* The record's own id, even when it was refused for its body; else its
     * number in the stream. */
    char number[24];
    const char *id = record->id_json;
    size_t id_len = record->id_json_len;
    if (!id) {
        id_len = (size_t)snprintf(number, sizeof number, "%llu", f->record_no);
        id = number;
    }
    if (rc == QUELL_ENOMEM)
        return filter_fatal(f, "record %llu: %s", f->record_no, quell_strerror(rc));
    if (rc != QUELL_OK)
        return emit_malformed(f, id, id_len, err.message[0] ? err.message : quell_strerror(rc));

    if (f->ctx) {
        int64_t time_ms = record->has_time ? record->time_ms : QUELL_CONTEXT_NOW;
        if (item) {
            item->is_scanned = 1;
            item->action = verdict->action;
            item->time_ms = time_ms;
            item->note = note;
            if ((rc = keep_id(f, item, id, id_len)) != CLI_OK)
                return rc;
            return f->only == ONLY_ALL ? emit_json(f, verdict, &record->comment, id, id_len, NULL)
                                       : CLI_OK;
        }
        rc = decide_in_context(f, &record->comment, id, id_len, time_ms, &note, &verdict);
        if (rc != CLI_OK)
            return rc;
    }
    return emit_verdict(f, verdict, &record->comment, id, id_len, data, len, has_separator);
}

/* One record; with --context in a round, as an item for the main thread. */
static int process_record(struct filter *f, const char *data, size_t len, int has_separator)
{
    if (!f->ctx || !f->is_worker)
        return process_one(f, data, len, has_separator, NULL);
    struct ctx_item *items = grow_array(f->items, &f->item_cap, f->item_count + 1,
                                        sizeof *f->items, 256, GROW_UNCAPPED);
    if (!items)
        return filter_fatal(f, "out of memory");
    f->items = items;
    struct ctx_item *item = &f->items[f->item_count++];
    memset(item, 0, sizeof *item);
    item->data = data;
    item->len = len;
    item->has_separator = has_separator;
    item->out_start = f->out_len;
    item->record_no = f->record_no + 1;
    int rc = process_one(f, data, len, has_separator, item);
    item->out_end = f->out_len;
    return rc;
}

/* Process the whole records in data[0..len), each ending in the separator. */
static int process_slice(struct filter *f, const char *data, size_t len)
{
    const char *end = data + len;
    while (data < end) {
        const char *sep = memchr(data, f->separator, (size_t)(end - data));
        assert(sep != NULL); /* the slice ends in a separator */
        int rc = process_record(f, data, (size_t)(sep - data), 1);
        if (rc != CLI_OK)
            return rc;
        data = sep + 1;
    }
    return CLI_OK;
}

/* The number of records in data[0..len), each ending in separator. */
static unsigned long long count_records(const char *data, size_t len, char separator)
{
    unsigned long long count = 0;
    const char *end = data + len;
    while ((data = memchr(data, separator, (size_t)(end - data))) != NULL) {
        count++;
        data++;
    }
    return count;
}

/*
 * Give f its own scanner, parser and an output buffer of out_cap bytes,
 * for the rules, format and fields of r. Returns a quell code; err says why.
 */
static int filter_open(struct filter *f, const struct runner *r, size_t out_cap, quell_error *err)
{
    int rc = quell_scanner_new(&f->scanner, r->rules, err);
    if (rc == QUELL_OK)
        rc = quell_record_parser_new(&f->parser, r->format, r->fields, err);
    if (rc == QUELL_OK) {
        f->out = malloc(out_cap);
        if (!f->out) {
            if (err)
                *err = (quell_error){.code = QUELL_ENOMEM};
            return QUELL_ENOMEM;
        }
        f->out_cap = out_cap;
    }
    return rc;
}

/* Free what filter_open and the stream gave f. */
static void filter_close(struct filter *f)
{
    free(f->items);
    free(f->ids);
    free(f->msg);
    free(f->out);
    quell_record_parser_free(f->parser);
    quell_scanner_free(f->scanner);
}

/*
 * A worker's thread: take chunks of each round the main thread starts
 * until told to stop. It reads only the round's records (the main thread
 * leaves the input buffer alone until the round ends) and writes only its
 * own filter and the chunks it took, never stdio: all output goes out from
 * the main thread, in order. The scanner and parser are this thread's own,
 * the rules shared read-only, as quell.h allows. One shared write remains,
 * outside quell: cJSON 1.7.15 resets a global error position on every
 * parse and sets it on failure (cJSON_GetErrorPtr); threads parsing at
 * once overwrite it, and neither quell nor this command ever reads it.
 */
static void take_chunks(struct runner *r, struct filter *f, size_t job);

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct runner *r = w->runner;

    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (w->round == r->round && !r->is_stopping)
            pthread_cond_wait(&r->wake, &r->lock);
        if (w->round == r->round)
            break;
        w->round = r->round;
        pthread_mutex_unlock(&r->lock);
        take_chunks(r, &w->f, w->job);
        pthread_mutex_lock(&r->lock);
        if (--r->pending == 0)
            pthread_cond_signal(&r->done);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/*
 * Start up to job_count - 1 workers, when the input first has enough for
 * them (small or interactive inputs never start a thread). Whatever fails
 * (memory, a scanner, a thread) leaves fewer workers, down to none: the
 * main thread alone is today's filter, not an error.
 */
static void workers_start(struct runner *r)
{
    r->is_started = 1;
    if (r->job_count < 2)
        return;
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&r->wake, NULL) != 0)
        goto fail_destroy_lock;
    if (pthread_cond_init(&r->done, NULL) != 0)
        goto fail_destroy_wake;
    /* sizeof is a multiple of the alignment, as aligned_alloc wants. */
    size_t bytes = (r->job_count - 1) * sizeof *r->workers; /* at most 63 of them */
    r->workers = aligned_alloc(CACHE_LINE_BYTES, bytes);
    if (!r->workers)
        goto fail_destroy_done;
    memset(r->workers, 0, bytes);

    for (size_t i = 0; i < r->job_count - 1; i++) {
        struct worker *w = &r->workers[i];
        w->runner = r;
        w->job = i + 1;
        w->f.only = r->main.only;
        w->f.censor_mask = r->main.censor_mask;
        w->f.separator = r->main.separator;
        w->f.max_bytes = r->main.max_bytes;
        w->f.ctx = r->main.ctx;
        w->f.is_worker = 1;
        if (filter_open(&w->f, r, ROUND_BYTES_PER_JOB, NULL) != QUELL_OK ||
            pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            filter_close(&w->f);
            break;
        }
        r->worker_count++;
    }
    if (r->worker_count > 0)
        return;
    free(r->workers);
    r->workers = NULL;
fail_destroy_done:
    pthread_cond_destroy(&r->done);
fail_destroy_wake:
    pthread_cond_destroy(&r->wake);
fail_destroy_lock:
    pthread_mutex_destroy(&r->lock);
}

/* Stop and free the workers; none is busy (rounds always finish). */
static void workers_stop(struct runner *r)
{
    if (r->worker_count == 0)
        return;
    pthread_mutex_lock(&r->lock);
    r->is_stopping = 1;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    for (size_t i = 0; i < r->worker_count; i++) {
        pthread_join(r->workers[i].thread, NULL);
        filter_close(&r->workers[i].f);
    }
    free(r->workers);
    free(r->chunks);
    pthread_cond_destroy(&r->done);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
}

/* The filter of job k: the main thread's for 0, else a worker's. */
static struct filter *job_filter(struct runner *r, size_t k)
{
    return k == 0 ? &r->main : &r->workers[k - 1].f;
}

/*
 * Take the round's chunks one at a time until none is left, scanning each
 * into f's buffers and noting where its output lies. A job that fails
 * stops the round: the chunks after it are not written anyway.
 */
static void take_chunks(struct runner *r, struct filter *f, size_t job)
{
    while (!atomic_load_explicit(&r->is_failed, memory_order_relaxed)) {
        size_t i = atomic_fetch_add_explicit(&r->next_chunk, 1, memory_order_relaxed);
        if (i >= r->chunk_count)
            return;
        struct chunk *ch = &r->chunks[i];
        ch->job = job;
        ch->out_start = f->out_len;
        ch->msg_start = f->msg_len;
        ch->item_start = f->item_count;
        f->record_no = ch->first_no;
        ch->rc = process_slice(f, r->round_data + ch->start, ch->end - ch->start);
        ch->out_end = f->out_len;
        ch->msg_end = f->msg_len;
        ch->item_end = f->item_count;
        if (ch->rc != CLI_OK)
            atomic_store_explicit(&r->is_failed, 1, memory_order_relaxed);
    }
}

/*
 * Cut the whole records data[0..len) into chunks, numbering each one's
 * records from where the previous ends. Each chunk takes a share of what
 * is left (guided scheduling): big chunks first, small ones last, so the
 * jobs end together. Returns 0, or -1 when out of memory.
 */
static int cut_chunks(struct runner *r, const char *data, size_t len)
{
    char separator = r->main.separator;
    /* A chunk takes half a job's share of what is left. */
    size_t share = 2 * (r->worker_count < CLI_MAX_JOBS ? r->worker_count + 1 : CLI_MAX_JOBS);
    unsigned long long no = r->main.record_no;
    r->chunk_count = 0;
    for (size_t at = 0; at < len;) {
        size_t want = (len - at) / share;
        if (want < MIN_CHUNK_BYTES)
            want = MIN_CHUNK_BYTES;
        size_t end = len;
        if (want < len - at) {
            const char *sep = memchr(data + at + want - 1, separator, len - (at + want - 1));
            assert(sep != NULL); /* data ends in a separator */
            end = (size_t)(sep - data) + 1;
        }
        struct chunk *p = grow_array(r->chunks, &r->chunk_cap, r->chunk_count + 1,
                                     sizeof *r->chunks, 64, GROW_UNCAPPED);
        if (!p)
            return -1;
        r->chunks = p;
        r->chunks[r->chunk_count++] = (struct chunk){.start = at, .end = end, .first_no = no};
        no += count_records(data + at, end - at, separator);
        at = end;
    }
    return 0;
}

/* Write the pieces to stdout, however the writes split them. Returns
 * CLI_OK or CLI_EIO (reported, but not EPIPE). */
static int writev_stdout(struct iovec *iov, int count)
{
    while (count > 0) {
        ssize_t n = writev(STDOUT_FILENO, iov, count);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EPIPE)
                cli_error("write error: %s", strerror(errno));
            return CLI_EIO;
        }
        size_t done = (size_t)n;
        while (count > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            count--;
        }
        if (count > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return CLI_OK;
}

/*
 * Once every job is done: write the chunks' output in input order, each
 * chunk's stderr lines after the output before them, and stop at the
 * first chunk whose job failed, with its message.
 */
static int write_round(struct runner *r)
{
    struct iovec iov[WRITE_PIECES];
    int pieces = 0;
    int rc = CLI_OK;
    for (size_t i = 0; i < r->chunk_count && rc == CLI_OK; i++) {
        const struct chunk *ch = &r->chunks[i];
        struct filter *jf = job_filter(r, ch->job);
        if (ch->out_end > ch->out_start) {
            if (pieces == WRITE_PIECES) {
                rc = writev_stdout(iov, pieces);
                pieces = 0;
                if (rc != CLI_OK)
                    break;
            }
            iov[pieces++] = (struct iovec){jf->out + ch->out_start, ch->out_end - ch->out_start};
        }
        if (ch->msg_end == ch->msg_start && ch->rc == CLI_OK)
            continue;
        rc = writev_stdout(iov, pieces);
        pieces = 0;
        if (rc == CLI_OK && ch->msg_end > ch->msg_start)
            fwrite(jf->msg + ch->msg_start, 1, ch->msg_end - ch->msg_start, stderr);
        if (rc == CLI_OK && ch->rc != CLI_OK) {
            cli_error("%s", jf->fatal);
            rc = ch->rc;
        }
    }
    if (rc == CLI_OK)
        rc = writev_stdout(iov, pieces);
    return rc;
}

/*
 * With --context, once every job is done: decide the round's records in
 * input order on the main thread, writing each one's line as it ends up.
 * Most lines are the jobs' own with the context added as their last
 * member; a record whose facts fire a context rule is scanned again here
 * and scored with them. Each chunk's stderr lines follow its records, and
 * the first chunk whose job failed stops the round, as in write_round.
 * The main thread writes into its spare buffer meanwhile: its own chunks'
 * lines are in chunk_out.
 */
static int decide_item(struct runner *r, const struct filter *jf, const char *job_out,
                       const struct ctx_item *item)
{
    struct filter *f = &r->main;
    const char *id = jf->ids + item->id_start;
    quell_context_meta meta = QUELL_CONTEXT_META_INIT;
    meta.id_json = id;
    meta.id_len = item->id_len;
    meta.time_ms = item->time_ms;
    quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket;
    quell_error err = {0};
    f->record_no = item->record_no;
    if (quell_context_decide(r->ctx, &item->note, &meta, item->action, &facts, &ticket, &err) !=
        QUELL_OK)
        return filter_fatal(f, "record %llu: %s", f->record_no, err.message);

    if (quell_rules_context_fires(r->rules, &facts)) {
        const quell_record *record;
        const quell_verdict *verdict;
        /* It was parsed and scanned before: only memory can fail now. */
        if (quell_record_parse(f->parser, item->data, item->len, &record, &err) != QUELL_OK ||
            quell_scan(f->scanner, &record->comment, &verdict, &err) != QUELL_OK ||
            quell_scanner_apply_context(f->scanner, &record->comment, &facts, &verdict, &err) !=
                QUELL_OK)
            return filter_fatal(f, "record %llu: %s", f->record_no, err.message);
        if (verdict->action != item->action)
            quell_context_settle(r->ctx, &item->note, ticket, verdict->action);
        return emit_verdict(f, verdict, &record->comment, id, item->id_len, item->data, item->len,
                            item->has_separator);
    }
    if (f->only == ONLY_PASS)
        return item->action == QUELL_PASS
                   ? emit_raw(f, item->data, item->len, item->has_separator)
                   : CLI_OK;
    if (f->only == ONLY_FLAGGED)
        return item->action != QUELL_PASS
                   ? emit_raw(f, item->data, item->len, item->has_separator)
                   : CLI_OK;
    /* The job's line ends in "}\n": the context goes before it. */
    const char *line = job_out + item->out_start;
    size_t line_len = item->out_end - item->out_start;
    assert(line_len >= 2 && line[line_len - 2] == '}' && line[line_len - 1] == '\n');
    char tail[sizeof ",\"context\":" + 640];
    size_t n = sizeof ",\"context\":" - 1;
    memcpy(tail, ",\"context\":", n);
    n += quell_context_facts_to_json(&facts, tail + n, sizeof tail - n - 2);
    assert(n + 2 < sizeof tail);
    tail[n] = '}';
    tail[n + 1] = '\n';
    int rc = emit_raw(f, line, line_len - 2, 0);
    return rc == CLI_OK ? emit_raw(f, tail, n + 2, 0) : rc;
}

static int decide_round(struct runner *r)
{
    struct filter *f = &r->main;
    char *chunk_out = f->out;
    size_t chunk_cap = f->out_cap;
    f->out = r->spare_out;
    f->out_cap = r->spare_cap;
    f->out_len = 0;
    int rc = CLI_OK;
    for (size_t i = 0; i < r->chunk_count && rc == CLI_OK; i++) {
        const struct chunk *ch = &r->chunks[i];
        const struct filter *jf = job_filter(r, ch->job);
        const char *job_out = ch->job == 0 ? chunk_out : jf->out;
        for (size_t k = ch->item_start; k < ch->item_end && rc == CLI_OK; k++) {
            const struct ctx_item *item = &jf->items[k];
            if (item->is_scanned)
                rc = decide_item(r, jf, job_out, item);
            else if (item->out_end > item->out_start)
                rc = emit_raw(f, job_out + item->out_start, item->out_end - item->out_start, 0);
        }
        if (rc == CLI_OK && (ch->msg_end > ch->msg_start || ch->rc != CLI_OK))
            rc = out_flush(f);
        if (rc == CLI_OK && ch->msg_end > ch->msg_start)
            fwrite(jf->msg + ch->msg_start, 1, ch->msg_end - ch->msg_start, stderr);
        if (rc == CLI_OK && ch->rc != CLI_OK) {
            cli_error("%s", jf->fatal);
            rc = ch->rc;
        }
    }
    int flush_rc = out_flush(f);
    if (rc == CLI_OK)
        rc = flush_rc;
    r->spare_out = f->out;
    r->spare_cap = f->out_cap;
    f->out = chunk_out;
    f->out_cap = chunk_cap;
    return rc;
}

/*
 * One round over the whole records data[0..len): cut them into chunks,
 * wake the workers, take chunks on the main thread too, and once all are
 * done write their output and stderr lines in input order.
 */
static int run_round(struct runner *r, const char *data, size_t len)
{
    struct filter *f = &r->main;
    int rc = out_flush(f);
    if (rc != CLI_OK)
        return rc;
    unsigned long long first_no = f->record_no;
    if (cut_chunks(r, data, len) != 0)
        return filter_fatal(f, "out of memory");
    r->round_data = data;
    atomic_store(&r->next_chunk, 0);
    atomic_store(&r->is_failed, 0);

    pthread_mutex_lock(&r->lock);
    r->round++;
    r->pending = r->worker_count;
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);

    /* The main thread buffers like a worker meanwhile: its chunks need not
     * come first. */
    f->is_worker = 1;
    take_chunks(r, f, 0);
    f->is_worker = 0;

    pthread_mutex_lock(&r->lock);
    while (r->pending > 0)
        pthread_cond_wait(&r->done, &r->lock);
    pthread_mutex_unlock(&r->lock);

    rc = r->ctx ? decide_round(r) : write_round(r);
    f->record_no = first_no + count_records(data, len, f->separator);
    for (size_t k = 0; k <= r->worker_count; k++) {
        struct filter *jf = job_filter(r, k);
        if (k > 0)
            f->has_malformed |= jf->has_malformed;
        jf->out_len = jf->msg_len = jf->item_count = jf->ids_len = 0;
        jf->fatal[0] = '\0';
    }
    return rc;
}

/*
 * Between rounds, with every worker idle: move every job to rules the
 * reloader loaded, all or none, so that the records before this point are
 * all scored by the old rules and those after it by the new. A job that
 * cannot move (out of memory) keeps every job on the old rules.
 */
static void adopt_new_rules(struct runner *r)
{
    if (!r->reloader)
        return;
    quell_rules *rules = reload_take(r->reloader);
    if (!rules)
        return;
    quell_scanner *fresh[CLI_MAX_JOBS] = {NULL};
    size_t n = 1 + r->worker_count;
    quell_error err = {0};
    for (size_t i = 0; i < n; i++) {
        if (quell_scanner_new(&fresh[i], rules, &err) != QUELL_OK) {
            cli_error("cannot move to reloaded rules %s: %s; keeping rules %s",
                      quell_rules_id(rules), err.message, quell_rules_id(r->rules));
            for (size_t k = 0; k < i; k++)
                quell_scanner_free(fresh[k]);
            quell_rules_release(rules);
            return;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct filter *f = i == 0 ? &r->main : &r->workers[i - 1].f;
        quell_scanner_free(f->scanner);
        f->scanner = fresh[i];
    }
    quell_rules_release(r->rules);
    r->rules = rules;
}

/*
 * Scan the whole records data[0..len), each ending in the separator, and
 * write their output in input order. Rounds take at most
 * ROUND_BYTES_PER_JOB per job, which bounds the output the jobs hold; a
 * round too small to give each of two jobs MIN_SLICE_BYTES runs on the
 * main thread alone.
 */
static int filter_records(struct runner *r, const char *data, size_t len)
{
    struct filter *f = &r->main;
    adopt_new_rules(r);
    if (r->job_count < 2)
        return process_slice(f, data, len);

    size_t round_max = r->job_count * ROUND_BYTES_PER_JOB;
    while (len > 0) {
        size_t take = len;
        if (take > round_max) {
            const char *sep = memchr(data + round_max - 1, f->separator, len - (round_max - 1));
            assert(sep != NULL); /* data ends in a separator */
            take = (size_t)(sep - data) + 1;
        }
        int is_parallel = take >= 2 * MIN_SLICE_BYTES;
        if (is_parallel && !r->is_started)
            workers_start(r);
        adopt_new_rules(r);
        int rc = is_parallel && r->worker_count > 0 ? run_round(r, data, take)
                                                    : process_slice(f, data, take);
        if (rc != CLI_OK)
            return rc;
        data += take;
        len -= take;
    }
    return CLI_OK;
}

/* The last separator in data[0..len), or NULL. */
static const char *last_separator(const char *data, size_t len, char separator)
{
    while (len > 0) {
        if (data[--len] == separator)
            return data + len;
    }
    return NULL;
}

/*
 * Read stdin to the end, cutting it into records at each separator. The
 * buffer holds the whole records of one read, processed as a batch, and at
 * most one partial record of up to max_bytes + 1 bytes (the extra byte tells
 * "exactly max_bytes" from "longer"), so memory stays flat however long the
 * stream; the rest of a too-long record is skipped.
 */
static int filter_stream(struct runner *r)
{
    struct filter *f = &r->main;
    size_t limit = f->max_bytes + 1;
    if (limit < IO_BUF_BYTES)
        limit = IO_BUF_BYTES;
    size_t cap = IO_BUF_BYTES;
    char *buf = malloc(cap);
    if (!buf) {
        cli_error("out of memory");
        return CLI_EIO;
    }

    size_t start = 0;    /* first byte of the current record */
    size_t scan = 0;     /* where the search for a separator resumes */
    size_t end = 0;      /* end of the bytes read */
    int is_skipping = 0; /* inside a too-long record, already reported */
    int rc = CLI_OK;

    for (;;) {
        if (is_skipping) {
            const char *sep = memchr(buf + scan, f->separator, end - scan);
            if (sep) {
                is_skipping = 0;
                start = scan = (size_t)(sep - buf) + 1;
            }
        }
        if (!is_skipping) {
            /* Everything up to the last separator is whole records. */
            const char *last = last_separator(buf + scan, end - scan, f->separator);
            if (last) {
                size_t next = (size_t)(last - buf) + 1;
                if ((rc = filter_records(r, buf + start, next - start)) != CLI_OK)
                    goto out_free_buf;
                start = next;
            }
        }
        scan = end; /* what is left, buf[start..end), holds no separator */

        if (!is_skipping && end - start > f->max_bytes) {
            if ((rc = emit_too_long(f)) != CLI_OK)
                goto out_free_buf;
            is_skipping = 1;
        }
        if (is_skipping) {
            start = scan = end = 0;
        } else if (start > 0) {
            memmove(buf, buf + start, end - start);
            end -= start;
            scan = end;
            start = 0;
        }
        if (end == cap) {
            /* A partial record fills the buffer yet is not too long, so
             * cap <= max_bytes < limit: there is room to grow. */
            char *p = grow_array(buf, &cap, cap + 1, 1, IO_BUF_BYTES, limit);
            if (!p) {
                cli_error("out of memory");
                rc = CLI_EIO;
                goto out_free_buf;
            }
            buf = p;
        }

        /* Verdicts go out before a read that may block, so a caller that
         * writes one comment and waits for its verdict is not stuck. */
        if ((rc = out_flush(f)) != CLI_OK)
            goto out_free_buf;
        ssize_t n = read(STDIN_FILENO, buf + end, cap - end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            cli_error("read error: %s", strerror(errno));
            rc = CLI_EIO;
            goto out_free_buf;
        }
        if (n == 0)
            break;
        end += (size_t)n;
    }

    /* A last record without a separator still counts. */
    if (!is_skipping && end > start) {
        adopt_new_rules(r);
        rc = process_record(f, buf + start, end - start, 0);
    }

out_free_buf:
    free(buf);
    return rc;
}

/* Parse --censor's CHAR, s: one ASCII printable character, a space included;
 * NULL (no CHAR given) is the default, '*'. */
static int parse_mask(const char *s, char *out)
{
    if (!s) {
        *out = '*';
        return 0;
    }
    if (s[0] < ' ' || s[0] > '~' || s[1] != '\0')
        return -1;
    *out = s[0];
    return 0;
}

int cmd_filter(int argc, char **argv)
{
    enum { OPT_ID = 256, OPT_BODY, OPT_AUTHOR, OPT_ONLY, OPT_CENSOR, OPT_MAX_BYTES, OPT_WATCH };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"id-field", required_argument, NULL, OPT_ID},
        {"body-field", required_argument, NULL, OPT_BODY},
        {"author-field", required_argument, NULL, OPT_AUTHOR},
        {"only", required_argument, NULL, OPT_ONLY},
        {"censor", optional_argument, NULL, OPT_CENSOR},
        {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
        {"jobs", required_argument, NULL, 'j'},
        {"watch", no_argument, NULL, OPT_WATCH},
        CLI_CONTEXT_LONG_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int is_watching = 0;
    struct runner r = {.main = {.max_bytes = DEFAULT_MAX_BYTES}, .format = QUELL_FORMAT_TEXT};
    struct filter *f = &r.main;
    quell_record_fields fields = QUELL_RECORD_FIELDS_INIT;
    struct cli_context context;
    int ch;

    cli_context_init(&context);
    r.job_count = cli_default_jobs();
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":f:j:h", options, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                r.format = QUELL_FORMAT_TEXT;
            else if (strcmp(optarg, "jsonl") == 0)
                r.format = QUELL_FORMAT_JSONL;
            else if (strcmp(optarg, "nul") == 0)
                r.format = QUELL_FORMAT_NUL;
            else
                return cli_usage_error("filter",
                                       "invalid format '%s' (expected text, jsonl or nul)", optarg);
            break;
        case OPT_ID:
            fields.id = optarg;
            break;
        case OPT_BODY:
            fields.body = optarg;
            break;
        case OPT_AUTHOR:
            fields.author = optarg;
            break;
        case OPT_ONLY:
            if (strcmp(optarg, "pass") == 0)
                f->only = ONLY_PASS;
            else if (strcmp(optarg, "flagged") == 0)
                f->only = ONLY_FLAGGED;
            else
                return cli_usage_error("filter", "invalid --only '%s' (expected pass or flagged)",
                                       optarg);
            break;
        case OPT_CENSOR:
            if (parse_mask(optarg, &f->censor_mask) != 0)
                return cli_usage_error(
                    "filter", "invalid --censor '%s' (expected one ASCII printable character)",
                    optarg);
            break;
        case OPT_MAX_BYTES:
            if (cli_parse_size(optarg, MAX_MAX_BYTES, &f->max_bytes) != 0 || f->max_bytes == 0)
                return cli_usage_error("filter", "invalid --max-bytes '%s' (expected 1 to 1G)",
                                       optarg);
            break;
        case 'j':
            if (cli_parse_jobs(optarg, &r.job_count) != 0)
                return cli_usage_error("filter", "invalid --jobs '%s' (expected 1 to %d)", optarg,
                                       CLI_MAX_JOBS);
            break;
        case OPT_WATCH:
            is_watching = 1;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        case CLI_OPT_CONTEXT:
        case CLI_OPT_CONTEXT_FILE:
        case CLI_OPT_TIME_FIELD:
        case CLI_OPT_CONTEXT_WINDOW:
        case CLI_OPT_CONTEXT_SECONDS:
        case CLI_OPT_CONTEXT_AUTHORS:
            if (cli_context_option(&context, "filter", ch, optarg) != 0)
                return CLI_EUSAGE;
            break;
        default:
            return cli_bad_option("filter", ch, argv);
        }
    }
    /* --only copies records as they came: there is no verdict to censor. */
    if (f->censor_mask && f->only != ONLY_ALL)
        return cli_usage_error("filter", "--censor cannot be used with --only");
    if (argc - optind > 1)
        return cli_usage_error("filter", "extra operand '%s'", argv[optind + 1]);
    const char *path = cli_find_rules(optind < argc ? argv[optind] : NULL);
    if (!path)
        return cli_usage_error("filter", "no rules: give RULES, set QUELL_RULES or provide %s",
                               CLI_DEFAULT_RULES);
    f->separator = r.format == QUELL_FORMAT_NUL ? '\0' : '\n';
    if (context.is_on)
        fields.time = context.time_field;
    r.fields = &fields;

    /* Before any thread starts, so that only the reloader takes SIGHUP. */
    if (reload_block_signals() != 0) {
        cli_error("cannot block SIGHUP: %s", strerror(errno));
        return CLI_EIO;
    }
    int rc = cli_load_rules(&r.rules, path);
    if (rc != CLI_OK)
        return rc;
    if (reload_start(&r.reloader, path, r.rules, is_watching ? WATCH_MS : 0) != 0) {
        rc = CLI_EIO;
        goto out_free;
    }

    quell_error err = {0};
    if (filter_open(f, &r, IO_BUF_BYTES, &err) != QUELL_OK) {
        cli_print_error(&err, NULL);
        rc = CLI_EIO;
        goto out_free;
    }
    if ((rc = cli_context_open(&context, &r.ctx)) != CLI_OK)
        goto out_free;
    f->ctx = r.ctx;
    if (r.ctx && !(r.spare_out = malloc(IO_BUF_BYTES))) {
        cli_error("out of memory");
        rc = CLI_EIO;
        goto out_free;
    }
    r.spare_cap = r.ctx ? IO_BUF_BYTES : 0;

    rc = filter_stream(&r);
    /* Whatever was produced before an error still goes out. */
    int flush_rc = out_flush(f);
    if (rc == CLI_OK)
        rc = flush_rc != CLI_OK ? flush_rc : f->has_malformed ? CLI_EDATA : CLI_OK;

out_free:
    reload_stop(r.reloader);
    workers_stop(&r);
    /* The context is saved even after an error: what it decided went out. */
    int ctx_rc = cli_context_close(&context, r.ctx);
    if (rc == CLI_OK || rc == CLI_EDATA)
        rc = ctx_rc != CLI_OK ? ctx_rc : rc;
    free(r.spare_out);
    filter_close(f);
    quell_rules_release(r.rules);
    return rc;
}
