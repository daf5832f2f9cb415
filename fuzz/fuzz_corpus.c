/*
 * fuzz_corpus.c - the eval corpus reader (src/cli/corpus.c): CSV and TSV
 * through libcsv, JSON Lines through the record parser, plain text. The
 * first input byte chooses the format and which columns are asked for; the
 * rest is the file. The command's message printers are replaced here by
 * ones that print nothing, as a target must not print.
 */
#include <string.h>

#include "fuzz.h"
#include "cli/cli.h"
#include "cli/corpus.h"

/* corpus.c reports a corpus that cannot be read through these (cli.c). */
void cli_error(const char *fmt, ...)
{
    (void)fmt;
}

void cli_print_error(const quell_error *err, const char *path)
{
    (void)err;
    (void)path;
}

struct seen {
    unsigned long long rows;
    const struct corpus_options *opt;
};

static int on_row(void *ctx, const struct corpus_row *row, const struct corpus_progress *progress)
{
    struct seen *s = ctx;
    FUZZ_ASSERT(row->row_no == ++s->rows);
    FUZZ_ASSERT(progress->bytes_total == 0 || progress->bytes_read <= progress->bytes_total);
    /* Strings are NUL-terminated at their length. */
    if (row->text)
        FUZZ_ASSERT(row->text[row->text_len] == '\0');
    if (row->label)
        FUZZ_ASSERT(row->label[row->label_len] == '\0');
    if (row->id && s->opt->format != CORPUS_JSONL)
        FUZZ_ASSERT(row->id[row->id_len] == '\0');
    if (!row->error) {
        FUZZ_ASSERT(row->text != NULL);
        FUZZ_ASSERT(!s->opt->label_col || row->label != NULL);
    } else {
        FUZZ_ASSERT(row->error[0] != '\0');
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const enum corpus_format formats[] = {CORPUS_CSV, CORPUS_TSV, CORPUS_JSONL,
                                                 CORPUS_TEXT};
    enum corpus_format format = formats[data[0] & 3];
    /* Plain text has no labels: the command never asks for one there. */
    struct corpus_options opt = {.format = format,
                                 .text_col = "text",
                                 .label_col = (data[0] & 4) || format == CORPUS_TEXT ? NULL : "label",
                                 .id_col = (data[0] & 8) ? "id" : NULL,
                                 .delimiter = (data[0] & 16) ? ';' : -1};
    char path[128];
    fuzz_write_file("corpus", data + 1, size - 1, path, sizeof path);
    struct seen s = {0, &opt};
    int rc = corpus_read(path, &opt, on_row, &s);
    FUZZ_ASSERT(rc == 0 || rc == CLI_EUSAGE || rc == CLI_EIO);
    return 0;
}
