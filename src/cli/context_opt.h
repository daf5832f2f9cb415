/*
 * context_opt.h - the --context options that quell filter, serve and eval
 * share: whether comments are decided in their context, where it is saved,
 * and how large its windows are.
 */
#ifndef QUELL_CLI_CONTEXT_OPT_H
#define QUELL_CLI_CONTEXT_OPT_H

#include <getopt.h>

#include "quell.h"

struct cli_context {
    int is_on;
    const char *path;       /* --context-file: resumed at the start, saved at the end */
    const char *time_field; /* the JSON member holding a comment's time */
    quell_context_options options;
};

/* getopt_long values of the options, clear of every command's own. */
enum {
    CLI_OPT_CONTEXT = 1000,
    CLI_OPT_CONTEXT_FILE,
    CLI_OPT_TIME_FIELD,
    CLI_OPT_CONTEXT_WINDOW,
    CLI_OPT_CONTEXT_SECONDS,
    CLI_OPT_CONTEXT_AUTHORS,
};

#define CLI_CONTEXT_LONG_OPTIONS                                                                   \
    {"context", no_argument, NULL, CLI_OPT_CONTEXT},                                               \
        {"context-file", required_argument, NULL, CLI_OPT_CONTEXT_FILE},                           \
        {"time-field", required_argument, NULL, CLI_OPT_TIME_FIELD},                               \
        {"context-window", required_argument, NULL, CLI_OPT_CONTEXT_WINDOW},                       \
        {"context-seconds", required_argument, NULL, CLI_OPT_CONTEXT_SECONDS},                     \
        {"context-authors", required_argument, NULL, CLI_OPT_CONTEXT_AUTHORS}

#define CLI_CONTEXT_HELP                                                                           \
    "      --context            decide each comment in its context: copies of one\n"              \
    "                           text by many authors (a campaign), each author's\n"               \
    "                           rate, repeats and held comments, for the rules'\n"                \
    "                           context rules; adds \"context\" to each verdict\n"                 \
    "      --context-file=FILE  resume the context saved in FILE (if it exists)\n"                \
    "                           and save it there at the end; implies --context\n"                \
    "      --time-field=NAME    JSON member holding a comment's time: seconds since\n"            \
    "                           1970 or an RFC 3339 date (default time); without\n"               \
    "                           one, the clock when the comment is decided\n"                     \
    "      --context-window=N   comments the campaign window holds (default 20000)\n"             \
    "      --context-seconds=S  and how far back it reaches (default 3600)\n"                     \
    "      --context-authors=N  authors remembered, least recently seen forgotten\n"              \
    "                           first (default 50000)\n"

void cli_context_init(struct cli_context *c);

/* Handle one of the options above. Returns 0, or -1 after a usage error
 * message for command. */
int cli_context_option(struct cli_context *c, const char *command, int opt, const char *arg);

/* With --context: the context, resumed from --context-file when that file
 * exists. Returns CLI_OK with *out NULL without --context; else an error
 * reported on stderr. */
int cli_context_open(const struct cli_context *c, quell_context **out);

/* Save the context to --context-file, if given, and free it. Returns
 * CLI_OK or CLI_EIO (reported). */
int cli_context_close(const struct cli_context *c, quell_context *ctx);

#endif /* QUELL_CLI_CONTEXT_OPT_H */
