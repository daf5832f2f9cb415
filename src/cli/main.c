/*
 * main.c - the quell command: dispatches its first argument to one of the
 * cmd_* entry points listed in the table below.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"backfill", cmd_backfill, "add a corpus to a Redis stream for quell workers, at a rate"},
    {"collect", cmd_collect, "write the verdicts of quell workers in input order, as JSONL"},
    {"compile", cmd_compile, "compile a rule configuration into a .qdb file"},
    {"diff", cmd_diff, "list the comments whose action two rule sets disagree on"},
    {"eval", cmd_eval, "measure rules against labelled comments: precision, recall"},
    {"explain", cmd_explain, "show how the rules see one comment: views, hits, score"},
    {"filter", cmd_filter, "scan comments from standard input and write verdicts"},
    {"fit", cmd_fit, "fit rule weights and thresholds to labelled comments and a budget"},
    {"lint", cmd_lint, "warn about rule-set problems: duplicates, slow regexes, gaps"},
    {"serve", cmd_serve, "serve rules over HTTP with JSON, and a page for moderators"},
    {"test", cmd_test, "run the must_match / must_not_match examples of rules"},
    {"worker", cmd_worker, "score comments from a Redis stream, one verdict per entry"},
};

static void print_help(void)
{
    printf("Usage: quell COMMAND [OPTIONS] [ARGS]\n"
           "       quell --help | --version\n"
           "\n"
           "Rule-based moderation filter for reader comments.\n"
           "\n"
           "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-9s %s\n", commands[i].name, commands[i].summary);
    printf("\n"
           "Run 'quell COMMAND --help' for a command's options.\n"
           "\n"
           "%s",
           cli_exit_help);
}

int main(int argc, char **argv)
{
    /* A reader that goes away (`quell filter | head`) shows up as EPIPE on
     * write, which the commands turn into a quiet stop with status 4. */
    signal(SIGPIPE, SIG_IGN);
    /* No setlocale(LC_ALL, ""): the commands print their JSON and reports
     * with printf's %g and parse rates with strtod, which must keep the
     * C locale's '.' whatever LANG says (the library's own numbers are
     * locale-proof: src/clocale.c). */

    if (argc < 2)
        return cli_usage_error(NULL, "missing command");

    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_help();
        return cli_finish_stdout(CLI_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("quell %s\n", quell_version());
        return cli_finish_stdout(CLI_OK);
    }
    if (name[0] == '-')
        return cli_usage_error(NULL, "unrecognized option '%s'", name);

    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    return cli_usage_error(NULL, "'%s' is not a quell command", name);
}
