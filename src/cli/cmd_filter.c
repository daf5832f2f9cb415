/*
 * cmd_filter.c - `quell filter`: stream comments from stdin through the
 * rules and write one verdict per record (or, with --only, the records
 * themselves) to stdout, in constant memory whatever the input size.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define IO_BUF_BYTES      ((size_t)1 << 20) /* read and write chunk */
#define DEFAULT_MAX_BYTES ((size_t)1 << 20)
/* Bounds the input buffer (max-bytes + 1) well below quell_scan's 2 GiB limit. */
#define MAX_MAX_BYTES ((size_t)1 << 30)
#define DEFAULT_RULES "rules/default.cfg"

enum only { ONLY_ALL = 0, ONLY_PASS, ONLY_FLAGGED };

struct filter {
    quell_scanner *scanner;
    quell_record_parser *parser;
    enum only only;
    char separator;
    size_t max_bytes;
    unsigned long long record_no; /* 1-based number of the current record */
    int has_malformed;

    char *out; /* pending output, written to fd 1 before each read and when full */
    size_t out_len;
    size_t out_cap;
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
           "Without RULES, $QUELL_RULES is used, else " DEFAULT_RULES " if it exists.\n"
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
           "      --max-bytes=N        longest record in bytes (suffixes K, M, G: powers\n"
           "                           of 1024; default 1M, at most 1G); a longer one\n"
           "                           yields an error record\n"
           "  -h, --help               display this help and exit\n"
           "\n"
           "Verdicts are written as soon as the input read so far is scanned, so a\n"
           "program can feed one comment and wait for its line. When stdout is\n"
           "closed early (e.g. piped into head), quell stops quietly with status 4.\n"
           "\n"
           "%s",
           cli_exit_help);
}

/* Parse "N", "NK", "NM" or "NG" (powers of 1024; "KiB" etc. too) into *out. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;

    unsigned shift = 0;
    switch (*end) {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    case '\0':
        break;
    default:
        return -1;
    }
    if (shift) {
        end++;
        if (strcmp(end, "iB") == 0)
            end += 2;
    }
    if (*end != '\0' || n > (MAX_MAX_BYTES >> shift))
        return -1;
    *out = (size_t)n << shift;
    return 0;
}

/* Write the pending output. Returns CLI_OK or CLI_EIO (reported, but not EPIPE). */
static int out_flush(struct filter *f)
{
    if (f->out_len == 0)
        return CLI_OK;
    int rc = cli_write_all(STDOUT_FILENO, f->out, f->out_len);
    f->out_len = 0;
    if (rc != 0) {
        /* EPIPE: the reader has all it wants; stop without a message. */
        if (errno != EPIPE)
            cli_error("write error: %s", strerror(errno));
        return CLI_EIO;
    }
    return CLI_OK;
}

/* Make the output buffer at least cap bytes; it is empty when called. */
static int out_grow(struct filter *f, size_t cap)
{
    char *p = realloc(f->out, cap);
    if (!p) {
        cli_error("out of memory");
        return CLI_EIO;
    }
    f->out = p;
    f->out_cap = cap;
    return CLI_OK;
}

/*
 * Append one JSON line: the verdict v, or, when v is NULL, an error record
 * with message. The writers work like snprintf, so a line that does not fit
 * is retried after a flush, in a bigger buffer if it must be.
 */
static int emit_json(struct filter *f, const quell_verdict *v, const char *id, size_t id_len,
                     const char *message)
{
    for (;;) {
        size_t room = f->out_cap - f->out_len;
        char *dst = f->out + f->out_len;
        size_t need = v ? quell_verdict_to_json(v, id, id_len, dst, room)
                        : quell_error_to_json(id, id_len, message, dst, room);
        if (need < room) {
            f->out_len += need;
            return CLI_OK;
        }
        int rc;
        if (f->out_len > 0)
            rc = out_flush(f);
        else if (need == (size_t)-1) /* Catch size_t overflow */
            rc = CLI_EIO;
        else
            rc = out_grow(f, need + 1);
        if (rc != CLI_OK)
            return rc;
    }
}

/* Append an input record unchanged, with its separator if it had one. */
static int emit_raw(struct filter *f, const char *data, size_t len, int has_separator)
{
    size_t total = len + (has_separator ? 1 : 0);
    if (total > f->out_cap - f->out_len) {
        int rc = out_flush(f);
        if (rc != CLI_OK)
            return rc;
    }
    if (total > f->out_cap) {
        /* Larger than the whole buffer: write it straight through. */
        if (cli_write_all(STDOUT_FILENO, data, len) != 0 ||
            (has_separator && cli_write_all(STDOUT_FILENO, &f->separator, 1) != 0)) {
            if (errno != EPIPE)
                cli_error("write error: %s", strerror(errno));
            return CLI_EIO;
        }
        return CLI_OK;
    }
    memcpy(f->out + f->out_len, data, len);
    f->out_len += len;
    if (has_separator)
        f->out[f->out_len++] = f->separator;
    return CLI_OK;
}

/* Report the current record as malformed: an error record, or with --only
 * a line on stderr. */
static int emit_malformed(struct filter *f, const char *id, size_t id_len, const char *message)
{
    f->has_malformed = 1;
    if (f->only != ONLY_ALL) {
        cli_error("record %llu: %s", f->record_no, message);
        return CLI_OK;
    }
    return emit_json(f, NULL, id, id_len, message);
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

/* Parse, scan and report one record (data without its separator). */
static int process_record(struct filter *f, const char *data, size_t len, int has_separator)
{
    if (len > f->max_bytes)
        return emit_too_long(f);

    char number[24];
    f->record_no++;
    int number_len = snprintf(number, sizeof number, "%llu", f->record_no);
    const char *id = number;
    size_t id_len = (size_t)number_len;

    quell_record record;
    quell_error err = {0};
    const quell_verdict *verdict = NULL;
    int rc = quell_record_parse(f->parser, data, len, &record, &err);
    if (rc == QUELL_OK) {
        if (record.id_json) {
            id = record.id_json;
            id_len = record.id_json_len;
        }
        rc = quell_scan(f->scanner, &record.comment, &verdict, &err);
    }
    if (rc == QUELL_ENOMEM) {
        cli_error("record %llu: %s", f->record_no, quell_strerror(rc));
        return CLI_EIO;
    }
    if (rc != QUELL_OK)
        return emit_malformed(f, id, id_len, err.message[0] ? err.message : quell_strerror(rc));

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
        return emit_json(f, verdict, id, id_len, NULL);
    }
}

/*
 * Read stdin to the end, cutting it into records at each separator. The
 * buffer holds at most one partial record of up to max_bytes + 1 bytes (the
 * extra byte tells "exactly max_bytes" from "longer"), so memory stays flat
 * however long the stream; the rest of a too-long record is skipped.
 */
static int filter_stream(struct filter *f)
{
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
        char *sep;
        while ((sep = memchr(buf + scan, f->separator, end - scan)) != NULL) {
            size_t len = (size_t)(sep - (buf + start));
            if (is_skipping)
                is_skipping = 0;
            else if ((rc = process_record(f, buf + start, len, 1)) != CLI_OK)
                goto out_free_buf;
            start = scan = (size_t)(sep - buf) + 1;
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
            size_t new_cap = cap <= limit / 2 ? cap * 2 : limit;
            char *p = realloc(buf, new_cap);
            if (!p) {
                cli_error("out of memory");
                rc = CLI_EIO;
                goto out_free_buf;
            }
            buf = p;
            cap = new_cap;
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
    if (!is_skipping && end > start)
        rc = process_record(f, buf + start, end - start, 0);

out_free_buf:
    free(buf);
    return rc;
}

/* The rules path: the operand, else $QUELL_RULES, else DEFAULT_RULES if present. */
static const char *find_rules(const char *operand)
{
    if (operand)
        return operand;
    const char *env = getenv("QUELL_RULES");
    if (env && env[0])
        return env;
    if (access(DEFAULT_RULES, F_OK) == 0)
        return DEFAULT_RULES;
    return NULL;
}

int cmd_filter(int argc, char **argv)
{
    enum { OPT_ID = 256, OPT_BODY, OPT_AUTHOR, OPT_ONLY, OPT_MAX_BYTES };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"id-field", required_argument, NULL, OPT_ID},
        {"body-field", required_argument, NULL, OPT_BODY},
        {"author-field", required_argument, NULL, OPT_AUTHOR},
        {"only", required_argument, NULL, OPT_ONLY},
        {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct filter f = {.max_bytes = DEFAULT_MAX_BYTES};
    quell_format format = QUELL_FORMAT_TEXT;
    quell_record_fields fields = {NULL, NULL, NULL};
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":f:h", options, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "text") == 0)
                format = QUELL_FORMAT_TEXT;
            else if (strcmp(optarg, "jsonl") == 0)
                format = QUELL_FORMAT_JSONL;
            else if (strcmp(optarg, "nul") == 0)
                format = QUELL_FORMAT_NUL;
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
                f.only = ONLY_PASS;
            else if (strcmp(optarg, "flagged") == 0)
                f.only = ONLY_FLAGGED;
            else
                return cli_usage_error("filter", "invalid --only '%s' (expected pass or flagged)",
                                       optarg);
            break;
        case OPT_MAX_BYTES:
            if (parse_size(optarg, &f.max_bytes) != 0 || f.max_bytes == 0)
                return cli_usage_error("filter", "invalid --max-bytes '%s' (expected 1 to 1G)",
                                       optarg);
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("filter", ch, argv);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("filter", "extra operand '%s'", argv[optind + 1]);
    const char *path = find_rules(optind < argc ? argv[optind] : NULL);
    if (!path)
        return cli_usage_error("filter", "no rules: give RULES, set QUELL_RULES or provide %s",
                               DEFAULT_RULES);
    f.separator = format == QUELL_FORMAT_NUL ? '\0' : '\n';

    quell_rules *rules = NULL;
    int rc = cli_load_rules(&rules, path);
    if (rc != CLI_OK)
        return rc;

    quell_error err = {0};
    int qrc = quell_scanner_new(&f.scanner, rules, &err);
    if (qrc == QUELL_OK)
        qrc = quell_record_parser_new(&f.parser, format, &fields, &err);
    if (qrc != QUELL_OK) {
        cli_print_error(&err, NULL);
        rc = CLI_EIO;
        goto out_free;
    }
    rc = out_grow(&f, IO_BUF_BYTES);
    if (rc != CLI_OK)
        goto out_free;

    rc = filter_stream(&f);
    /* Whatever was produced before an error still goes out. */
    int flush_rc = out_flush(&f);
    if (rc == CLI_OK)
        rc = flush_rc != CLI_OK ? flush_rc : f.has_malformed ? CLI_EDATA : CLI_OK;

out_free:
    free(f.out);
    quell_record_parser_free(f.parser);
    quell_scanner_free(f.scanner);
    quell_rules_free(rules);
    return rc;
}
