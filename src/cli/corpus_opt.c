/*
 * corpus_opt.c - the corpus options of the commands that read corpora
 * (corpus.h). Kept out of corpus.c, which the corpus fuzz target links
 * without the command's usage messages.
 */
#include <getopt.h>

#include "cli.h"
#include "corpus.h"

int corpus_is_option(int ch)
{
    return ch == CORPUS_OPT_TEXT || ch == CORPUS_OPT_LABEL || ch == CORPUS_OPT_ID ||
           ch == CORPUS_OPT_FORMAT || ch == CORPUS_OPT_DELIMITER;
}

int corpus_parse_option(const char *cmd, int ch, const char *arg, struct corpus_options *opt,
                        int is_labelled)
{
    switch (ch) {
    case CORPUS_OPT_TEXT:
    case CORPUS_OPT_LABEL:
    case CORPUS_OPT_ID:
        if (arg[0] == '\0')
            return cli_usage_error(cmd, "empty column name");
        if (ch == CORPUS_OPT_TEXT)
            opt->text_col = arg;
        else if (ch == CORPUS_OPT_LABEL)
            opt->label_col = arg;
        else
            opt->id_col = arg;
        return CLI_OK;
    case CORPUS_OPT_FORMAT: {
        int format = corpus_parse_format(arg);
        if (format < 0 || (is_labelled && format == CORPUS_TEXT))
            return cli_usage_error(cmd, "invalid --format '%s' (%s)", arg,
                                   is_labelled ? "csv, tsv or jsonl" : "csv, tsv, jsonl or text");
        opt->format = (enum corpus_format)format;
        return CLI_OK;
    }
    case CORPUS_OPT_DELIMITER:
        if (corpus_parse_delimiter(arg, &opt->delimiter) != 0)
            return cli_usage_error(cmd, "invalid --delimiter '%s' (expected one character)", arg);
        return CLI_OK;
    default:
        return cli_usage_error(cmd, "not a corpus option");
    }
}
