/*
 * cmd_lint.c - `quell lint`: print the library's rule-set warnings like a
 * compiler does, one per line (or JSON Lines), and with --clean the rules
 * that fire too often on a corpus of known-clean comments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "corpus.h"

/* The share of known-clean comments a rule may fire on: 1%. */
#define DEFAULT_MAX_CLEAN_SHARE 0.01
/* Malformed corpus rows named one by one; the rest are only counted. */
#define MAX_ROW_MESSAGES 10

static void print_help(void)
{
    printf("Usage: quell lint [OPTIONS] RULES\n"
           "\n"
           "Check RULES (a .cfg or .qdb file) for problems that compile but make a rule\n"
           "set slow, redundant, untested or wrong: duplicate or shadowed patterns after\n"
           "normalisation, regexes that are slow or broad for Hyperscan, rules without\n"
           "examples or that reject alone, unused categories and signals, allowed words\n"
           "that never apply. Each warning is one line,\n"
           "  file:line: warning: MESSAGE [CODE name] (rule ID)\n"
           "in file and line order, and the last line is 'RULES: N warnings'.\n"
           "docs/lint.md explains every code and how to fix it.\n"
           "\n"
           "With --clean, CORPUS holds comments known to be clean (CSV or TSV with a\n"
           "header, JSON Lines, or text with one comment per line, told by the name or\n"
           "--format; '-' is stdin); every rule with a positive weight that fires on\n"
           "more than --max-clean-share of them is warned about too (QL501).\n"
           "\n"
           "Options:\n"
           "      --clean=CORPUS           also count each rule's hits on CORPUS\n"
           "      --max-clean-share=RATE   the share of CORPUS a rule may fire on, from 0\n"
           "                               to 1 or as a percentage (default 0.01, i.e. 1%%)\n"
           "      --text-column=NAME       CORPUS column or member with the comment\n"
           "                               (default text)\n"
           "      --format=FMT             CORPUS format: csv, tsv, jsonl or text\n"
           "      --ignore=LIST            leave out these warnings: codes (QL103) or names\n"
           "                               (shadowed-pattern), comma-separated\n"
           "      --werror                 exit with status 1 when there is any warning\n"
           "                               (ignored ones do not count)\n"
           "      --json                   write each warning as one JSON object per line\n"
           "                               (code, name, file, line, rule, pattern, message,\n"
           "                               related), and nothing else\n"
           "  -h, --help                   display this help and exit\n"
           "\n"
           "With --werror, status 1 means there were warnings; a rule set that does not\n"
           "compile gives status 3 and its error, as for every command.\n"
           "\n");
    cli_print_exit_help("with --werror, there were warnings; with --clean, some rows of CORPUS\n"
                        "     were malformed");
}

struct printer {
    int is_json;
    const char *ignore; /* --ignore: codes and names, comma-separated; NULL: none */
    size_t shown;       /* warnings printed */
    int is_failed;      /* out of memory building a JSON line */
};

/* Whether list (comma-separated) names the warning's code or name. */
static int is_listed(const char *list, const quell_lint_warning *w)
{
    while (list && *list) {
        size_t n = strcspn(list, ",");
        if ((strlen(w->code) == n && strncmp(list, w->code, n) == 0) ||
            (strlen(w->name) == n && strncmp(list, w->name, n) == 0))
            return 1;
        list += n + (list[n] == ',');
    }
    return 0;
}

/* An --ignore list: codes like QL103 or names like shadowed-pattern. */
static int is_valid_ignore(const char *list)
{
    do {
        size_t n = strcspn(list, ",");
        int is_code = n == 5 && strncmp(list, "QL", 2) == 0 && strspn(list + 2, "0123456789") >= 3;
        int is_name = n > 0 && strspn(list, "abcdefghijklmnopqrstuvwxyz-") >= n;
        if (!is_code && !is_name)
            return 0;
        list += n;
    } while (*list++ == ',');
    return 1;
}

/* Print s with the escapes that keep a warning on one line. */
static void print_escaped(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

static int add_string(cJSON *obj, const char *name, const char *value)
{
    return value ? cJSON_AddStringToObject(obj, name, value) != NULL
                 : cJSON_AddNullToObject(obj, name) != NULL;
}

/* One warning as a JSON object on one line. */
static int print_json(const quell_lint_warning *w)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *related = NULL;
    int is_ok = obj && add_string(obj, "code", w->code) && add_string(obj, "name", w->name) &&
                add_string(obj, "file", w->file) && cJSON_AddNumberToObject(obj, "line", w->line) &&
                add_string(obj, "rule", w->rule_id) && add_string(obj, "pattern", w->pattern) &&
                add_string(obj, "message", w->message);
    if (is_ok && w->related_file) {
        related = cJSON_AddObjectToObject(obj, "related");
        is_ok = related && add_string(related, "file", w->related_file) &&
                cJSON_AddNumberToObject(related, "line", w->related_line) &&
                add_string(related, "rule", w->related_rule_id);
    } else if (is_ok) {
        is_ok = cJSON_AddNullToObject(obj, "related") != NULL;
    }
    char *text = is_ok ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!text)
        return -1;
    puts(text);
    cJSON_free(text);
    return 0;
}

static int on_warning(void *ctx, const quell_lint_warning *w)
{
    struct printer *pr = ctx;
    if (is_listed(pr->ignore, w))
        return 0;
    pr->shown++;
    if (pr->is_json) {
        if (print_json(w) != 0) {
            pr->is_failed = 1;
            return 1;
        }
        return 0;
    }
    if (w->file[0]) {
        print_escaped(w->file);
        if (w->line > 0)
            printf(":%d", w->line);
        fputs(": ", stdout);
    }
    fputs("warning: ", stdout);
    print_escaped(w->message);
    printf(" [%s %s]", w->code, w->name);
    if (w->rule_id)
        printf(" (rule %s)", w->rule_id);
    putchar('\n');
    return 0;
}

/* RATE: a share from 0 to 1, or a percentage ("1%", "0.5%"). */
static int parse_share(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno != 0)
        return -1;
    if (*end == '%') {
        v /= 100;
        end++;
    }
    if (*end != '\0' || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

/* Reading the clean corpus. */
struct clean_reader {
    const char *path;
    quell_lint_clean *clean;
    unsigned long long malformed;
};

static void row_malformed(struct clean_reader *r, const struct corpus_row *row, const char *reason)
{
    if (r->malformed++ < MAX_ROW_MESSAGES)
        cli_error("%s: row %llu: %s", r->path, row->row_no, reason);
}

static int on_clean_row(void *ctx, const struct corpus_row *row,
                        const struct corpus_progress *progress)
{
    (void)progress;
    struct clean_reader *r = ctx;
    if (row->error) {
        row_malformed(r, row, row->error);
        return 0;
    }
    if (!row->text) {
        row_malformed(r, row, "no text");
        return 0;
    }
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = row->text;
    c.text_len[QUELL_FIELD_BODY] = row->text_len;
    quell_error err = {0};
    int rc = quell_lint_clean_add(r->clean, &c, &err);
    if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG) {
        row_malformed(r, row, err.message[0] ? err.message : quell_strerror(rc));
        return 0;
    }
    if (rc != QUELL_OK) {
        cli_error("%s: row %llu: %s", r->path, row->row_no,
                  err.message[0] ? err.message : quell_strerror(rc));
        return CLI_EIO;
    }
    return 0;
}

/* Scan the clean corpus and report the rules that fire too often. */
static int lint_clean(const quell_rules *rules, const char *path, const struct corpus_options *copt,
                      double max_share, struct printer *pr)
{
    quell_error err = {0};
    struct clean_reader r = {path, NULL, 0};
    int rc = quell_lint_clean_new(&r.clean, rules, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, NULL);
        return CLI_EIO;
    }
    int status = corpus_read(path, copt, on_clean_row, &r);
    if (status == CLI_OK) {
        if (r.malformed > MAX_ROW_MESSAGES)
            cli_error("%s: %llu malformed rows in all", path, r.malformed);
        rc = quell_lint_clean_report(r.clean, max_share, on_warning, pr, NULL, &err);
        if (rc != QUELL_OK) {
            cli_print_error(&err, NULL);
            status = CLI_EIO;
        } else if (r.malformed > 0) {
            status = CLI_EDATA;
        }
    }
    quell_lint_clean_free(r.clean);
    return status;
}

int cmd_lint(int argc, char **argv)
{
    enum { OPT_CLEAN = 256, OPT_SHARE, OPT_WERROR, OPT_JSON, OPT_IGNORE };
    static const struct option options[] = {
        {"clean", required_argument, NULL, OPT_CLEAN},
        {"max-clean-share", required_argument, NULL, OPT_SHARE},
        CORPUS_OPTION_TEXT_COLUMN,
        CORPUS_OPTION_FORMAT,
        {"werror", no_argument, NULL, OPT_WERROR},
        {"json", no_argument, NULL, OPT_JSON},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct corpus_options copt = {.format = CORPUS_GUESS, .text_col = "text", .delimiter = -1};
    const char *clean_path = NULL;
    double max_share = DEFAULT_MAX_CLEAN_SHARE;
    int is_werror = 0;
    struct printer pr = {0, NULL, 0, 0};
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (corpus_is_option(ch)) {
            if (corpus_parse_option("lint", ch, optarg, &copt, 0) != CLI_OK)
                return CLI_EUSAGE;
            continue;
        }
        switch (ch) {
        case OPT_CLEAN:
            clean_path = optarg;
            break;
        case OPT_SHARE:
            if (parse_share(optarg, &max_share) != 0)
                return cli_usage_error(
                    "lint", "invalid --max-clean-share '%s' (0 to 1, or 0%% to 100%%)", optarg);
            break;
        case OPT_WERROR:
            is_werror = 1;
            break;
        case OPT_JSON:
            pr.is_json = 1;
            break;
        case OPT_IGNORE:
            if (!is_valid_ignore(optarg))
                return cli_usage_error("lint",
                                       "invalid --ignore '%s' (codes like QL103 or names like "
                                       "shadowed-pattern, comma-separated)",
                                       optarg);
            pr.ignore = optarg;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("lint", ch, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("lint", "missing rules file");
    if (argc - optind > 1)
        return cli_usage_error("lint", "extra operand '%s'", argv[optind + 1]);

    const char *path = argv[optind];
    quell_rules *rules = NULL;
    int status = cli_load_rules(&rules, path);
    if (status != CLI_OK)
        return status;

    quell_error err = {0};
    int rc = quell_rules_lint(rules, on_warning, &pr, NULL, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, path);
        status = CLI_EIO;
    } else if (!pr.is_failed && clean_path) {
        status = lint_clean(rules, clean_path, &copt, max_share, &pr);
    }
    if (pr.is_failed) {
        cli_error("out of memory");
        status = CLI_EIO;
    }
    size_t count = pr.shown;
    if (status == CLI_OK || status == CLI_EDATA) {
        if (!pr.is_json)
            printf("%s: %zu warning%s\n", path, count, count == 1 ? "" : "s");
        if (status == CLI_OK && is_werror && count > 0)
            status = CLI_EDATA;
    }
    quell_rules_free(rules);
    return cli_finish_stdout(status);
}
