/*
 * corpus.h - reading a corpus of comments, labelled or not: CSV or TSV with
 * a header row (through libcsv), JSON Lines (through the record parser), or
 * plain text with one comment per line; from a file or from stdin ("-").
 */
#ifndef QUELL_CLI_CORPUS_H
#define QUELL_CLI_CORPUS_H

#include <stddef.h>
#include <stdint.h>

enum corpus_format {
    CORPUS_GUESS = 0, /* by the name: .jsonl/.ndjson, .tsv/.tab, .txt; else CSV */
    CORPUS_CSV,
    CORPUS_TSV,
    CORPUS_JSONL,
    CORPUS_TEXT,
};

struct corpus_options {
    enum corpus_format format;
    const char *text_col;  /* column or member with the comment ("text") */
    const char *label_col; /* with the label; NULL: the corpus is unlabelled */
    const char *id_col;    /* with an id, used when present; NULL: none */
    int delimiter;         /* CSV separator; -1: by the format */
    /* For comments decided in their context: the author's column or
     * member, and the time's (seconds since 1970; in JSON Lines also an
     * RFC 3339 string). NULL: not read. */
    const char *author_col;
    const char *time_col;
};

/* One row. Strings are borrowed for the callback and NUL-terminated. */
struct corpus_row {
    unsigned long long row_no; /* 1-based data row: the header is not counted */
    const char *text;          /* NULL when missing */
    size_t text_len;
    const char *label; /* NULL when missing or unlabelled */
    size_t label_len;
    const char *id; /* as written; NULL when none */
    size_t id_len;
    const char *author; /* NULL when none or not read */
    size_t author_len;
    int has_time; /* time_ms holds the time column's value */
    int64_t time_ms;
    /* Set when the row is malformed (missing column, bad JSON): why. The
     * row is still handed over so that it is counted, never dropped. */
    const char *error;
};

/* How far reading has got, for a progress display. */
struct corpus_progress {
    unsigned long long bytes_read;
    unsigned long long bytes_total; /* 0 when unknown (a pipe) */
};

/* Called for every row in order. Return 0 to go on, anything else to stop:
 * corpus_read then returns that value. */
typedef int (*corpus_row_fn)(void *ctx, const struct corpus_row *row,
                             const struct corpus_progress *progress);

/* The format path is read as: opt->format, or guessed from its name. */
enum corpus_format corpus_format_of(const char *path, enum corpus_format format);

/* Parse a --delimiter value: one byte, or "tab" / "\t" for a tab (not a
 * quote or a line end). Returns 0, or -1 when s is not one. */
int corpus_parse_delimiter(const char *s, int *out);

/* "csv", "tsv", "jsonl" or "text" to a format; -1 if unknown. */
int corpus_parse_format(const char *name);

/*
 * The options that say how to read a corpus, shared by every command that
 * reads one (eval, fit, diff, lint) so that they spell and check them alike.
 * A command lists the ones it takes in its getopt_long table with these
 * entries; --delimiter keeps its short form -d. The codes sit above the
 * commands' own, which start at 256.
 */
enum {
    CORPUS_OPT_TEXT = 1024,
    CORPUS_OPT_LABEL,
    CORPUS_OPT_ID,
    CORPUS_OPT_FORMAT,
    CORPUS_OPT_DELIMITER = 'd',
};
#define CORPUS_OPTION_TEXT_COLUMN {"text-column", required_argument, NULL, CORPUS_OPT_TEXT}
#define CORPUS_OPTION_LABEL_COLUMN {"label-column", required_argument, NULL, CORPUS_OPT_LABEL}
#define CORPUS_OPTION_ID_COLUMN {"id-column", required_argument, NULL, CORPUS_OPT_ID}
#define CORPUS_OPTION_FORMAT {"format", required_argument, NULL, CORPUS_OPT_FORMAT}
#define CORPUS_OPTION_DELIMITER {"delimiter", required_argument, NULL, CORPUS_OPT_DELIMITER}

/* Whether the getopt_long code ch is one of the corpus options. */
int corpus_is_option(int ch);

/*
 * Apply corpus option ch with its argument arg to opt. A labelled corpus
 * cannot be plain text: is_labelled turns --format text away.
 *
 * @return CLI_OK; or CLI_EUSAGE after a usage error naming cmd is printed.
 */
int corpus_parse_option(const char *cmd, int ch, const char *arg, struct corpus_options *opt,
                        int is_labelled);

/*
 * Read every row of path ("-" for stdin) and hand each to fn. Problems that
 * stop the whole corpus (cannot open, no header, a missing column in the
 * header, a read error) are reported on stderr, with the path.
 *
 * @return 0; CLI_EUSAGE for a header without the asked-for columns; CLI_EIO
 *         for I/O or memory; or what fn returned to stop.
 */
int corpus_read(const char *path, const struct corpus_options *opt, corpus_row_fn fn, void *ctx);

/*
 * The same for a corpus held in memory, data[0..len), in opt->format (CSV
 * when it is CORPUS_GUESS), a leading UTF-8 byte-order mark skipped.
 * Problems that stop the corpus are written to why (of why_size bytes),
 * not to stderr, named "sample": for a service answering its caller.
 */
int corpus_read_buffer(const char *data, size_t len, const struct corpus_options *opt,
                       corpus_row_fn fn, void *ctx, char *why, size_t why_size);

#endif /* QUELL_CLI_CORPUS_H */
