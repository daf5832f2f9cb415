/*
 * corpus.c - reading a corpus row by row: CSV/TSV through libcsv, JSON Lines
 * through the library's record parser, plain text a line at a time.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "cli.h"
#include "corpus.h"
#include "util/grow.h"

#define READ_CHUNK_BYTES ((size_t)64 << 10)

/* One column's value in the current CSV row. */
struct cell {
    long idx; /* in the header; -1: not there */
    char *buf;
    size_t len, cap;
    int is_set;
};

struct reader {
    const struct corpus_options *opt;
    const char *path;
    corpus_row_fn fn;
    void *ctx;
    struct corpus_progress progress;
    unsigned long long row_no;
    int rc; /* what stops the corpus; 0 while going */
    /* CSV state */
    int is_header;
    size_t field_no;
    struct cell text, label, id, author, time;
    char reason[640]; /* room for a quell_error message and a column name */
    /* Where a problem that stops the corpus goes: this buffer when the
     * caller gave one (corpus_read_buffer), else stderr. */
    char *why;
    size_t why_size;
};

/* Report a problem that stops the corpus. */
static void reader_fail(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reader_fail(struct reader *r, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (r->why)
        snprintf(r->why, r->why_size, "%s", message);
    else
        cli_error("%s", message);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t len = strlen(s), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

enum corpus_format corpus_format_of(const char *path, enum corpus_format format)
{
    if (format != CORPUS_GUESS)
        return format;
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson"))
        return CORPUS_JSONL;
    if (has_suffix(path, ".tsv") || has_suffix(path, ".tab"))
        return CORPUS_TSV;
    if (has_suffix(path, ".txt"))
        return CORPUS_TEXT;
    return CORPUS_CSV;
}

int corpus_parse_format(const char *name)
{
    static const char *const names[] = {"csv", "tsv", "jsonl", "text"};
    static const enum corpus_format formats[] = {CORPUS_CSV, CORPUS_TSV, CORPUS_JSONL, CORPUS_TEXT};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0)
            return (int)formats[i];
    }
    return -1;
}

int corpus_parse_delimiter(const char *s, int *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (s[0] == '\0' || s[1] != '\0' || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return -1;
    *out = (unsigned char)s[0];
    return 0;
}

static int emit(struct reader *r, struct corpus_row *row)
{
    row->row_no = ++r->row_no;
    return r->fn(r->ctx, row, &r->progress);
}

/* ---------------------------------------------------------------------- */
/* CSV and TSV                                                             */

static int cell_set(struct cell *c, const void *s, size_t len)
{
    size_t need;
    if (__builtin_add_overflow(len, 1, &need)) /* Catch size_t overflow */
        return -1;
    char *p = grow_array(c->buf, &c->cap, need, 1, 64, GROW_UNCAPPED);
    if (!p)
        return -1;
    c->buf = p;
    if (len > 0)
        memcpy(c->buf, s, len);
    c->buf[len] = '\0';
    c->len = len;
    c->is_set = 1;
    return 0;
}

static int is_name(const void *s, size_t len, const char *name)
{
    return name && len == strlen(name) && (len == 0 || memcmp(s, name, len) == 0);
}

/* libcsv's field callback: s may be NULL when the field is empty. */
static void csv_on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->rc != 0)
        return;
    long idx = (long)r->field_no++;
    struct cell *cells[] = {&r->text, &r->label, &r->id, &r->author, &r->time};
    enum { CELLS = sizeof cells / sizeof cells[0] };
    if (r->is_header) {
        const char *names[CELLS] = {r->opt->text_col, r->opt->label_col, r->opt->id_col,
                                    r->opt->author_col, r->opt->time_col};
        for (size_t k = 0; k < CELLS; k++) {
            if (cells[k]->idx < 0 && is_name(s, len, names[k]))
                cells[k]->idx = idx;
        }
        return;
    }
    for (size_t k = 0; k < CELLS; k++) {
        if (idx == cells[k]->idx && cell_set(cells[k], s, len) != 0) {
            reader_fail(r, "out of memory");
            r->rc = CLI_EIO;
            return;
        }
    }
}

/* libcsv's end-of-row callback. */
static void csv_on_row(int c, void *data)
{
    struct reader *r = data;
    (void)c;
    if (r->rc != 0)
        return;
    r->field_no = 0;
    if (r->is_header) {
        r->is_header = 0;
        const char *missing = r->text.idx < 0                         ? r->opt->text_col
                              : r->opt->label_col && r->label.idx < 0 ? r->opt->label_col
                                                                      : NULL;
        if (missing) {
            reader_fail(r, "%s: no column '%s' in the header row", r->path, missing);
            r->rc = CLI_EUSAGE;
        }
        return;
    }
    struct corpus_row row = {0};
    if (r->text.is_set) {
        row.text = r->text.buf;
        row.text_len = r->text.len;
    }
    if (r->label.is_set) {
        row.label = r->label.buf;
        row.label_len = r->label.len;
    }
    if (r->id.is_set) {
        row.id = r->id.buf;
        row.id_len = r->id.len;
    }
    if (r->author.is_set && r->author.len > 0) {
        row.author = r->author.buf;
        row.author_len = r->author.len;
    }
    const char *missing = !row.text                         ? r->opt->text_col
                          : r->opt->label_col && !row.label ? r->opt->label_col
                                                            : NULL;
    if (missing) {
        snprintf(r->reason, sizeof r->reason, "no value in column '%s'", missing);
        row.error = r->reason;
    } else if (r->time.is_set && r->time.len > 0) {
        /* Seconds since 1970, as the --time-column help says. */
        char *end;
        double t = strtod(r->time.buf, &end);
        if (*end || !(t > -62167219200.0 && t < 253402300800.0)) {
            snprintf(r->reason, sizeof r->reason,
                     "column '%s' is not a time (seconds since 1970)", r->opt->time_col);
            row.error = r->reason;
        } else {
            row.has_time = 1;
            row.time_ms = (int64_t)llround(t * 1000);
        }
    }
    r->rc = emit(r, &row);
    r->text.is_set = r->label.is_set = r->id.is_set = r->author.is_set = r->time.is_set = 0;
}

static int read_csv(struct reader *r, FILE *f, int delimiter)
{
    struct csv_parser p;
    if (csv_init(&p, 0) != 0) {
        reader_fail(r, "out of memory");
        return CLI_EIO;
    }
    csv_set_delim(&p, (unsigned char)delimiter);
    r->is_header = 1;
    r->text.idx = r->label.idx = r->id.idx = r->author.idx = r->time.idx = -1;

    char *chunk = malloc(READ_CHUNK_BYTES);
    if (!chunk) {
        reader_fail(r, "out of memory");
        csv_free(&p);
        return CLI_EIO;
    }
    int is_first = 1;
    size_t n;
    while (r->rc == 0 && (n = fread(chunk, 1, READ_CHUNK_BYTES, f)) > 0) {
        r->progress.bytes_read += n;
        const char *data = chunk;
        /* A UTF-8 byte order mark is not part of the first column's name.
         * (fread fills the chunk unless at the end, so it holds all 3 bytes.) */
        if (is_first && n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
            data += 3;
            n -= 3;
        }
        is_first = 0;
        if (csv_parse(&p, data, n, csv_on_field, csv_on_row, r) != n) {
            reader_fail(r, "%s: %s", r->path, csv_strerror(csv_error(&p)));
            r->rc = CLI_EIO;
        }
    }
    if (r->rc == 0 && ferror(f)) {
        reader_fail(r, "%s: read error: %s", r->path, strerror(errno));
        r->rc = CLI_EIO;
    }
    if (r->rc == 0)
        csv_fini(&p, csv_on_field, csv_on_row, r);
    /* An empty file has no header row to name the columns. */
    if (r->rc == 0 && r->is_header) {
        reader_fail(r, "%s: no header row", r->path);
        r->rc = CLI_EUSAGE;
    }
    free(chunk);
    csv_free(&p);
    free(r->text.buf);
    free(r->label.buf);
    free(r->id.buf);
    free(r->author.buf);
    free(r->time.buf);
    return r->rc;
}

/* ---------------------------------------------------------------------- */
/* JSON Lines and text                                                     */

/* Hand one line (without its newline) of a JSON Lines corpus on. */
static int jsonl_row(struct reader *r, quell_record_parser *parser, const char *data, size_t len)
{
    struct corpus_row row = {0};
    if (len == 0) {
        row.error = "empty line";
        return emit(r, &row);
    }
    const quell_record *rec;
    quell_error err;
    err.message[0] = '\0';
    int rc = quell_record_parse(parser, data, len, &rec, &err);
    if (rc == QUELL_ENOMEM) {
        reader_fail(r, "out of memory");
        return CLI_EIO;
    }
    row.id = rec->id_json;
    row.id_len = rec->id_json_len;
    if (rc != QUELL_OK) {
        snprintf(r->reason, sizeof r->reason, "%s",
                 err.message[0] ? err.message : quell_strerror(rc));
        row.error = r->reason;
        return emit(r, &row);
    }
    row.text = rec->comment.text[QUELL_FIELD_BODY];
    row.text_len = rec->comment.text_len[QUELL_FIELD_BODY];
    row.label = rec->label;
    row.label_len = rec->label_len;
    if (r->opt->author_col) {
        row.author = rec->comment.text[QUELL_FIELD_AUTHOR];
        row.author_len = rec->comment.text_len[QUELL_FIELD_AUTHOR];
    }
    row.has_time = rec->has_time;
    row.time_ms = rec->time_ms;
    if (r->opt->label_col && !row.label) {
        snprintf(r->reason, sizeof r->reason, "no member '%s'", r->opt->label_col);
        row.error = r->reason;
    }
    return emit(r, &row);
}

static int read_lines(struct reader *r, FILE *f, int is_jsonl)
{
    quell_record_parser *parser = NULL;
    if (is_jsonl) {
        quell_record_fields fields = QUELL_RECORD_FIELDS_INIT;
        fields.id = r->opt->id_col ? r->opt->id_col : "id";
        fields.body = r->opt->text_col;
        fields.label = r->opt->label_col;
        fields.author = r->opt->author_col;
        fields.time = r->opt->time_col;
        quell_error err;
        if (quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, &fields, &err) != QUELL_OK) {
            cli_print_error(&err, NULL);
            return CLI_EIO;
        }
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int is_first = 1;
    while (r->rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        r->progress.bytes_read += (unsigned long long)n;
        const char *data = line;
        size_t len = (size_t)n;
        if (is_first && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
            data += 3;
            len -= 3;
        }
        is_first = 0;
        if (len > 0 && data[len - 1] == '\n')
            len--;
        if (len > 0 && data[len - 1] == '\r')
            len--;
        if (is_jsonl) {
            r->rc = jsonl_row(r, parser, data, len);
        } else {
            /* The line is the comment: getline's copy is NUL-terminated
             * where the newline was. */
            line[data - line + (ptrdiff_t)len] = '\0';
            struct corpus_row row = {.text = data, .text_len = len};
            r->rc = emit(r, &row);
        }
    }
    if (r->rc == 0 && ferror(f)) {
        reader_fail(r, "%s: read error: %s", r->path, strerror(errno));
        r->rc = CLI_EIO;
    }
    free(line);
    quell_record_parser_free(parser);
    return r->rc;
}

/* Read every row of f in format. */
static int read_stream(struct reader *r, FILE *f, enum corpus_format format)
{
    switch (format) {
    case CORPUS_JSONL:
        return read_lines(r, f, 1);
    case CORPUS_TEXT:
        return read_lines(r, f, 0);
    default: {
        int delimiter = r->opt->delimiter >= 0 ? r->opt->delimiter
                        : format == CORPUS_TSV ? '\t'
                                               : ',';
        return read_csv(r, f, delimiter);
    }
    }
}

int corpus_read(const char *path, const struct corpus_options *opt, corpus_row_fn fn, void *ctx)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    struct reader r = {.opt = opt, .path = is_stdin ? "(stdin)" : path, .fn = fn, .ctx = ctx};
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        r.progress.bytes_total = (unsigned long long)st.st_size;
    int rc = read_stream(&r, f, corpus_format_of(is_stdin ? "" : path, opt->format));
    if (!is_stdin)
        fclose(f);
    return rc;
}

int corpus_read_buffer(const char *data, size_t len, const struct corpus_options *opt,
                       corpus_row_fn fn, void *ctx, char *why, size_t why_size)
{
    struct reader r = {
        .opt = opt, .path = "sample", .fn = fn, .ctx = ctx, .why = why, .why_size = why_size};
    why[0] = '\0';
    /* A spreadsheet's CSV starts with a byte-order mark, which is no part
     * of the first column's name. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (len == 0) {
        snprintf(why, why_size, "sample: empty");
        return CLI_EUSAGE;
    }
    /* fmemopen reads the bytes in place; it never writes in mode "r". */
    FILE *f = fmemopen((void *)data, len, "r");
    if (!f) {
        snprintf(why, why_size, "sample: %s", strerror(errno));
        return CLI_EIO;
    }
    r.progress.bytes_total = len;
    int rc = read_stream(&r, f, opt->format == CORPUS_GUESS ? CORPUS_CSV : opt->format);
    fclose(f);
    return rc;
}
