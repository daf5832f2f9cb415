/*
 * cli.c - helpers the quell subcommands share: messages on stderr, rules
 * loading with GNU-style error locations, and robust writes.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cli_exit_help[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  some input records were malformed (error records were written),\n"
    "     or for 'test', an example failed, or for 'explain', the comment is\n"
    "     not valid UTF-8\n"
    "  2  usage error\n"
    "  3  rules error (the rules could not be loaded or compiled)\n"
    "  4  I/O or internal error\n";

void cli_print_exit_help(const char *data_meaning)
{
    printf("Exit status:\n"
           "  0  success\n");
    if (data_meaning)
        printf("  1  %s\n", data_meaning);
    printf("  2  usage error\n"
           "  3  rules error (the rules could not be loaded or compiled)\n"
           "  4  I/O or internal error\n");
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("quell: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("quell: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'quell%s%s --help' for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return CLI_EUSAGE;
}

int cli_bad_option(const char *cmd, int ch, char *const argv[])
{
    /* getopt has already stepped past the offending word. */
    const char *word = optind > 0 ? argv[optind - 1] : "";
    int is_long = strncmp(word, "--", 2) == 0;

    if (ch == ':') {
        if (is_long)
            return cli_usage_error(cmd, "option '%s' requires an argument", word);
        return cli_usage_error(cmd, "option requires an argument -- '%c'", optopt);
    }
    if (is_long || optopt == 0)
        return cli_usage_error(cmd, "unrecognized option '%s'", word);
    return cli_usage_error(cmd, "invalid option -- '%c'", optopt);
}

size_t cli_format_error(char *buf, size_t size, const quell_error *err, const char *path)
{
    const char *file = err->file[0] ? err->file : path;
    const char *message = err->message[0] ? err->message : quell_strerror(err->code);
    char where[sizeof err->file + 32] = "";
    char rule[sizeof err->rule_id + 8] = "";

    if (file && file[0] && err->line > 0)
        snprintf(where, sizeof where, "%s:%d: ", file, err->line);
    else if (file && file[0])
        snprintf(where, sizeof where, "%s: ", file);
    if (err->rule_id[0])
        snprintf(rule, sizeof rule, "rule %s: ", err->rule_id);
    int n = snprintf(buf, size, "%s%s%s", where, rule, message);
    return n < 0 ? 0 : (size_t)n;
}

void cli_print_error(const quell_error *err, const char *path)
{
    char line[sizeof err->file + sizeof err->rule_id + sizeof err->message + 64];
    cli_format_error(line, sizeof line, err, path);
    const char *file = err->file[0] ? err->file : path;
    fprintf(stderr, "%s%s\n", file && file[0] ? "" : "quell: ", line);
}

int cli_exit_for(int code)
{
    switch (code) {
    case QUELL_OK:
        return CLI_OK;
    case QUELL_ECONFIG:
    case QUELL_ECOMPILE:
    case QUELL_EFORMAT:
    case QUELL_EPLATFORM:
        return CLI_ERULES;
    case QUELL_EINPUT:
    case QUELL_ETOOBIG:
        return CLI_EDATA;
    default:
        return CLI_EIO;
    }
}

/* The rules installed with the command: PREFIX/bin/quell reads
 * PREFIX/share/quell/rules, wherever PREFIX is (make install, a package, a
 * DESTDIR tree), found from the executable's own path. Empty when unknown. */
static char installed_qdb[PATH_MAX], installed_cfg[PATH_MAX];

static void find_installed(void)
{
    char prefix[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", prefix, sizeof prefix - 1);
    if (n <= 0)
        return;
    prefix[n] = '\0';
    /* Drop "/quell", then "/bin". */
    for (int k = 0; k < 2; k++) {
        char *slash = strrchr(prefix, '/');
        if (!slash)
            return;
        *slash = '\0';
    }
    int q = snprintf(installed_qdb, sizeof installed_qdb, "%s/share/quell/rules/default.qdb",
                     prefix);
    int c = snprintf(installed_cfg, sizeof installed_cfg, "%s/share/quell/rules/default.cfg",
                     prefix);
    if (q < 0 || (size_t)q >= sizeof installed_qdb || c < 0 || (size_t)c >= sizeof installed_cfg)
        installed_qdb[0] = installed_cfg[0] = '\0';
}

int cli_load_rules(quell_rules **out, const char *path)
{
    quell_error err = {0};
    int rc = quell_rules_load(out, path, &err);
    if (rc == QUELL_OK)
        return CLI_OK;
    /* An installed .qdb that an upgraded quell cannot read (or another
     * CPU's): its configuration is installed beside it. */
    if ((rc == QUELL_EFORMAT || rc == QUELL_EPLATFORM) && path == installed_qdb &&
        access(installed_cfg, F_OK) == 0) {
        cli_error("%s: %s; compiling %s instead", path, err.message, installed_cfg);
        return cli_load_rules(out, installed_cfg);
    }
    cli_print_error(&err, path);
    /* A rules file that cannot be read is still the rules' fault, not the
     * stream's: only running out of memory is an internal error. */
    return rc == QUELL_ENOMEM ? CLI_EIO : CLI_ERULES;
}

const char *cli_find_rules(const char *operand)
{
    if (operand)
        return operand;
    const char *env = getenv("QUELL_RULES");
    if (env && env[0])
        return env;
    if (access(CLI_DEFAULT_RULES, F_OK) == 0)
        return CLI_DEFAULT_RULES;
    find_installed();
    if (installed_qdb[0] && access(installed_qdb, F_OK) == 0)
        return installed_qdb;
    if (installed_cfg[0] && access(installed_cfg, F_OK) == 0)
        return installed_cfg;
    return NULL;
}

int cli_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int cli_finish_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    if (errno != EPIPE)
        cli_error("write error: %s", strerror(errno));
    return CLI_EIO;
}

int cli_parse_size(const char *s, size_t max, size_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;

    unsigned shift = 0;
    switch (*end) {
    case 'K':
    case 'k':
        shift = 10;
        break;
    case 'M':
        shift = 20;
        break;
    case 'G':
        shift = 30;
        break;
    case '\0':
        break;
    default:
        return -1;
    }
    if (shift) {
        end++;
        if (strcmp(end, "iB") == 0)
            end += 2;
    }
    if (*end != '\0' || n > (max >> shift))
        return -1;
    *out = (size_t)n << shift;
    return 0;
}

/* Parse a job count: an integer from 1 to CLI_MAX_JOBS. More is refused,
 * not capped: the help promises at most CLI_MAX_JOBS. */
int cli_parse_jobs(const char *s, size_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (*end != '\0' || n == 0 || errno == ERANGE || n > CLI_MAX_JOBS)
        return -1;
    *out = (size_t)n;
    return 0;
}

/* One job per online CPU, at least one and at most CLI_MAX_JOBS. */
size_t cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > CLI_MAX_JOBS ? CLI_MAX_JOBS : (size_t)n;
}

int cli_split_list(const char *s, char ***out, size_t *out_count)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **items = calloc(cap, sizeof *items);
    if (!items)
        return -1;
    size_t count = 0;
    const char *start = s;
    for (;;) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (len > 0) {
            items[count] = strndup(start, len);
            if (!items[count]) {
                for (size_t i = 0; i < count; i++)
                    free(items[i]);
                free(items);
                return -1;
            }
            count++;
        }
        if (!end)
            break;
        start = end + 1;
    }
    *out = items;
    *out_count = count;
    return 0;
}

int cli_is_listed(char *const *list, size_t count, const char *s, size_t len)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0)
            return 1;
    }
    return 0;
}
