/*
 * context_opt.c - the --context options shared by quell filter, serve and
 * eval (context_opt.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "context_opt.h"

void cli_context_init(struct cli_context *c)
{
    memset(c, 0, sizeof *c);
    c->time_field = "time";
    quell_context_options defaults = QUELL_CONTEXT_OPTIONS_INIT;
    c->options = defaults;
}

/* A whole number from 1 to max, or 0 when s is not one. */
static size_t parse_count(const char *s, size_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < 1 || v > max)
        return 0;
    return (size_t)v;
}

int cli_context_option(struct cli_context *c, const char *command, int opt, const char *arg)
{
    char *end;
    switch (opt) {
    case CLI_OPT_CONTEXT:
        c->is_on = 1;
        return 0;
    case CLI_OPT_CONTEXT_FILE:
        if (!arg[0])
            break;
        c->path = arg;
        c->is_on = 1;
        return 0;
    case CLI_OPT_TIME_FIELD:
        if (!arg[0])
            break;
        c->time_field = arg;
        return 0;
    case CLI_OPT_CONTEXT_WINDOW:
        if (!(c->options.window_comments = parse_count(arg, (size_t)1 << 24)))
            break;
        return 0;
    case CLI_OPT_CONTEXT_AUTHORS:
        if (!(c->options.max_authors = parse_count(arg, (size_t)1 << 24)))
            break;
        return 0;
    case CLI_OPT_CONTEXT_SECONDS:
        errno = 0;
        c->options.window_seconds = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(c->options.window_seconds) ||
            c->options.window_seconds <= 0 || c->options.window_seconds > 3.15e9)
            break;
        return 0;
    default:
        break;
    }
    cli_usage_error(command, "invalid value '%s' for a --context option", arg ? arg : "");
    return -1;
}

int cli_context_open(const struct cli_context *c, quell_context **out)
{
    *out = NULL;
    if (!c->is_on)
        return CLI_OK;
    quell_error err = {0};
    int rc;
    if (c->path && access(c->path, F_OK) == 0)
        rc = quell_context_load(out, c->path, &c->options, &err);
    else
        rc = quell_context_new(out, &c->options, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, c->path);
        return CLI_EIO;
    }
    return CLI_OK;
}

int cli_context_close(const struct cli_context *c, quell_context *ctx)
{
    int rc = CLI_OK;
    if (ctx && c->path) {
        quell_error err = {0};
        if (quell_context_save(ctx, c->path, &err) != QUELL_OK) {
            cli_print_error(&err, c->path);
            rc = CLI_EIO;
        }
    }
    quell_context_free(ctx);
    return rc;
}
