/*
 * cmd_compile.c - `quell compile`: compile a rule configuration once and
 * save it as a .qdb file that `quell filter` loads without compiling.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: quell compile [OPTIONS] RULES.cfg -o OUT.qdb\n"
           "\n"
           "Compile a rule configuration and save the result as OUT.qdb.\n"
           "Errors are reported as 'file:line: rule ID: message'.\n"
           "\n"
           "Options:\n"
           "  -o, --output=FILE  write the compiled rules to FILE (required)\n"
           "  -h, --help         display this help and exit\n"
           "\n");
    cli_print_exit_help(NULL);
}

int cmd_compile(int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
        switch (ch) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("compile", ch, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("compile", "missing rules file");
    if (argc - optind > 1)
        return cli_usage_error("compile", "extra operand '%s'", argv[optind + 1]);
    if (!output)
        return cli_usage_error("compile", "missing output file (-o OUT.qdb)");

    const char *path = argv[optind];
    quell_error err = {0};
    quell_rules *rules = NULL;
    int rc = quell_rules_compile(&rules, path, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, path);
        return rc == QUELL_ENOMEM ? CLI_EIO : CLI_ERULES;
    }

    int status = CLI_OK;
    rc = quell_rules_save(rules, output, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, output);
        status = CLI_EIO;
    }
    quell_rules_free(rules);
    return status;
}
