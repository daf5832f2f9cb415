/*
 * cmd_test.c - `quell test`: run every rule's must_match / must_not_match
 * examples and list the ones that fail, one per line, on stdout.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void print_help(void)
{
    printf("Usage: quell test [OPTIONS] RULES\n"
           "\n"
           "Run the must_match and must_not_match examples of every rule in RULES\n"
           "(a .cfg or .qdb file). Each failed example is printed as\n"
           "  file:line: rule ID: example should fire but did not: \"...\"\n"
           "and the last line is 'RULES: N examples, M failed'.\n"
           "\n"
           "Options:\n"
           "  -h, --help  display this help and exit\n"
           "\n");
    cli_print_exit_help("an example failed");
}

/* Print s in double quotes, escaped so that one example stays on one line. */
static void print_quoted(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
        case '\\':
            putchar('\\');
            putchar(*p);
            break;
        case '\n':
            fputs("\\n", stdout);
            break;
        case '\r':
            fputs("\\r", stdout);
            break;
        case '\t':
            fputs("\\t", stdout);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                printf("\\x%02x", *p);
            else
                putchar(*p);
        }
    }
    putchar('"');
}

static int on_failed_example(void *ctx, const char *rule_id, const char *example, int should_match,
                             const char *file, int line)
{
    (void)ctx;
    if (file && file[0]) {
        fputs(file, stdout);
        if (line > 0)
            printf(":%d", line);
        fputs(": ", stdout);
    }
    printf("rule %s: example %s: ", rule_id,
           should_match ? "should fire but did not" : "should not fire but did");
    print_quoted(example);
    putchar('\n');
    return 0;
}

int cmd_test(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (ch != 'h')
            return cli_bad_option("test", ch, argv);
        print_help();
        return cli_finish_stdout(CLI_OK);
    }
    if (optind >= argc)
        return cli_usage_error("test", "missing rules file");
    if (argc - optind > 1)
        return cli_usage_error("test", "extra operand '%s'", argv[optind + 1]);

    const char *path = argv[optind];
    quell_rules *rules = NULL;
    int status = cli_load_rules(&rules, path);
    if (status != CLI_OK)
        return status;

    size_t failed = 0, total = 0;
    quell_error err = {0};
    int rc = quell_rules_test(rules, on_failed_example, NULL, &failed, &total, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, path);
        status = CLI_EIO;
    } else {
        printf("%s: %zu examples, %zu failed\n", path, total, failed);
        status = failed > 0 ? CLI_EDATA : CLI_OK;
    }
    quell_rules_free(rules);
    return cli_finish_stdout(status);
}
