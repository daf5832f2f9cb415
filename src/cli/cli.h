/*
 * cli.h - what the quell command's subcommands share: exit codes, messages
 * on stderr, rules loading and writing to a file descriptor.
 */
#ifndef QUELL_CLI_H
#define QUELL_CLI_H

#include <stddef.h>

#include "quell.h"

/* Exit codes of every command; `quell --help` documents them. */
enum cli_exit {
    CLI_OK = 0,     /* success */
    CLI_EDATA = 1,  /* malformed input records or comment, or a failed example */
    CLI_EUSAGE = 2, /* bad command line */
    CLI_ERULES = 3, /* rules could not be loaded or compiled */
    CLI_EIO = 4,    /* I/O or internal error */
};

/* The rules a command reads when given none and $QUELL_RULES is unset. */
#define CLI_DEFAULT_RULES "rules/default.cfg"

/* The exit-code paragraph of `quell --help`: every status of every command. */
extern const char cli_exit_help[];

/* Print the exit-code paragraph a command's --help ends with: 0, 2, 3 and 4,
 * which every command can return, and 1 with data_meaning (what status 1
 * means for the command) unless data_meaning is NULL. */
void cli_print_exit_help(const char *data_meaning);

/* Print "quell: MESSAGE\n" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "quell: MESSAGE\nTry 'quell CMD --help' for more information.\n" on
 * stderr and return CLI_EUSAGE. cmd may be NULL for the top level. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a getopt_long failure (getopt returned '?' or ':', opterr was 0)
 * as a usage error; returns CLI_EUSAGE. */
int cli_bad_option(const char *cmd, int ch, char *const argv[]);

/*
 * Print a library error GNU style, "file:line: rule ID: message", leaving out
 * the parts err does not have; path stands in for a missing file name (may
 * be NULL).
 */
void cli_print_error(const quell_error *err, const char *path);

/* The same line without "quell: " or the newline, into buf as snprintf
 * does; returns the length it needs. */
size_t cli_format_error(char *buf, size_t size, const quell_error *err, const char *path);

/* The exit code for a library error code. */
int cli_exit_for(int code);

/*
 * Load rules (a .cfg or a .qdb) from path, reporting any failure on stderr.
 * Returns CLI_OK with *out owned by the caller, or CLI_ERULES / CLI_EIO.
 */
int cli_load_rules(quell_rules **out, const char *path);

/* Where rules are looked for when none are given, as --help says it. */
#define CLI_RULES_HELP                                                                            \
    "Without RULES, $QUELL_RULES is used, else " CLI_DEFAULT_RULES " if it exists,\n"             \
    "else the rules installed with the command (PREFIX/share/quell/rules: default.qdb,\n"         \
    "or default.cfg when that .qdb is missing or from another quell).\n"

/*
 * The rules path: operand when not NULL, else $QUELL_RULES when set and
 * not empty, else CLI_DEFAULT_RULES if it exists, else the installed rules
 * beside the command (PREFIX/share/quell/rules/default.qdb, or its .cfg),
 * else NULL.
 */
const char *cli_find_rules(const char *operand);

/*
 * Write all of buf to fd, retrying on short writes and EINTR. Returns 0, or
 * -1 with errno set (EPIPE when the reader has gone).
 */
int cli_write_all(int fd, const char *buf, size_t len);

/*
 * Flush stdout and return rc, or CLI_EIO when the flush or an earlier stdio
 * write failed (reported on stderr, except EPIPE: the reader left on purpose).
 */
int cli_finish_stdout(int rc);

/* Parse a size: "N", "NK", "NM" or "NG" (powers of 1024; "KiB" etc. too),
 * at most max bytes. Returns 0, or -1 when s is not one or is over max. */
int cli_parse_size(const char *s, size_t max, size_t *out);

/* Split the comma-separated s into a new array of new strings (the caller
 * frees each and the array); empty items are dropped. 0, or -1 out of memory. */
int cli_split_list(const char *s, char ***out, size_t *out_count);

/* Whether s[0..len) is one of list's count strings. */
int cli_is_listed(char *const *list, size_t count, const char *s, size_t len);

/* Threads a command may run: more gain nothing and cost memory. */
#define CLI_MAX_JOBS 64

/* Parse a --jobs value: an integer from 1 to CLI_MAX_JOBS.
 * Returns 0, or -1 when s is not one. */
int cli_parse_jobs(const char *s, size_t *out);

/* One job per online CPU, at least one and at most CLI_MAX_JOBS. */
size_t cli_default_jobs(void);

int cmd_compile(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_fit(int argc, char **argv); /* cmd_fit.c: weights fitted to a budget */
int cmd_serve(int argc, char **argv);
int cmd_lint(int argc, char **argv); /* cmd_lint.c: rule-set warnings */
int cmd_test(int argc, char **argv);
int cmd_worker(int argc, char **argv); /* cmd_worker.c: Redis Streams consumer */
int cmd_backfill(int argc, char **argv); /* cmd_backfill.c: corpus into the input stream */
int cmd_collect(int argc, char **argv);  /* cmd_collect.c: verdicts out, in input order */

#endif /* QUELL_CLI_H */
