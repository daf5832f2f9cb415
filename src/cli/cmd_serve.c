/*
 * cmd_serve.c - `quell serve`: the options of the HTTP service; the service
 * itself is src/serve/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "context_opt.h"
#include "serve/serve.h"

/* A body or header larger than this is refused at the command line. */
#define MAX_LIMIT_BYTES ((size_t)1 << 30)
#define WATCH_MS        1000

static void print_help(void)
{
    printf("Usage: quell serve [--listen ADDR:PORT] [OPTIONS] [RULES]\n"
           "\n"
           "Serve RULES (a .cfg or .qdb file) over HTTP/1.1 with JSON, for backends in\n"
           "any language, and a page for moderators at /. POST a comment, a JSON\n"
           "array of comments or JSON Lines to /v1/check and get the verdicts\n"
           "'quell filter' writes, in order; docs/serve.md lists every route.\n"
           CLI_RULES_HELP
           "\n"
           "SIGHUP (or POST /v1/reload, or with --watch a change of the file) loads\n"
           "RULES again and swaps them in between comments; rules that fail to load\n"
           "leave the old ones serving and say why on stderr (and, for /v1/reload,\n"
           "in a 422 answer). SIGTERM or SIGINT stops taking connections, lets the\n"
           "requests in flight finish (for at most --timeout seconds) and exits 0.\n"
           "\n"
           "Options:\n"
           "  -l, --listen=ADDR:PORT     where to listen (default " SERVE_DEFAULT_LISTEN
           "); port 0\n"
           "                             takes a free port; '[::1]:8080' for IPv6. The\n"
           "                             address and port are printed on stderr\n"
           "  -j, --threads=N            worker threads, each with its own scanner\n"
           "                             (default: one per CPU, at most %d)\n"
           "      --max-body=SIZE        largest request body (default 1M); K, M, G\n"
           "      --max-batch=N          most comments in one request (default %d)\n"
           "      --max-header=SIZE      largest request line and headers (default 16K)\n"
           "      --max-connections=N    connections open at once (default %d)\n"
           "      --timeout=SECONDS      close a connection idle this long, answer 408\n"
           "                             to a request not read whole in this time, and\n"
           "                             wait this long for requests when stopping\n"
           "                             (default %d)\n"
           "      --admin-token=TOKEN    let requests with 'Authorization: Bearer TOKEN'\n"
           "                             use the admin routes (POST /v1/reload); also\n"
           "                             read from $QUELL_ADMIN_TOKEN, which other users\n"
           "                             cannot see in ps. Without a token the admin\n"
           "                             routes work only on a loopback listener\n"
           "      --access-log           write one JSON line per request on stderr\n"
           "      --watch                reload RULES when the file changes (checked\n"
           "                             every second); only RULES itself is watched,\n"
           "                             not the files it includes\n"
           "      --context              decide each comment in its context, in the\n"
           "                             order comments arrive (see quell filter\n"
           "                             --context); verdicts end with \"context\"\n"
           "      --context-file=FILE    resume the context saved in FILE, if it exists,\n"
           "                             and save it there on stopping; implies --context\n"
           "      --time-field=NAME      JSON member holding a comment's time (default\n"
           "                             time); without one, the clock\n"
           "      --context-window=N     comments the campaign window holds (default 20000)\n"
           "      --context-seconds=S    and how far back it reaches (default 3600)\n"
           "      --context-authors=N    authors remembered (default 50000)\n"
           "  -h, --help                 display this help and exit\n"
           "\n",
           CLI_MAX_JOBS, SERVE_DEFAULT_MAX_BATCH, SERVE_DEFAULT_MAX_CONNECTIONS,
           SERVE_DEFAULT_TIMEOUT);
    cli_print_exit_help(NULL);
}

/* An integer from 1 to max; 0, or -1. */
static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (*end != '\0' || errno != 0 || n == 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

enum {
    OPT_MAX_BODY = 256,
    OPT_MAX_BATCH,
    OPT_MAX_HEADER,
    OPT_MAX_CONNECTIONS,
    OPT_TIMEOUT,
    OPT_ADMIN_TOKEN,
    OPT_ACCESS_LOG,
    OPT_WATCH,
};

int cmd_serve(int argc, char **argv)
{
    static const struct option options[] = {
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 'j'},
        {"max-body", required_argument, NULL, OPT_MAX_BODY},
        {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
        {"max-header", required_argument, NULL, OPT_MAX_HEADER},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"admin-token", required_argument, NULL, OPT_ADMIN_TOKEN},
        {"access-log", no_argument, NULL, OPT_ACCESS_LOG},
        {"watch", no_argument, NULL, OPT_WATCH},
        CLI_CONTEXT_LONG_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct serve_options opt = {
        .listen = SERVE_DEFAULT_LISTEN,
        .threads = (unsigned int)cli_default_jobs(),
        .max_body = SERVE_DEFAULT_MAX_BODY,
        .max_batch = SERVE_DEFAULT_MAX_BATCH,
        .max_header = SERVE_DEFAULT_MAX_HEADER,
        .max_connections = SERVE_DEFAULT_MAX_CONNECTIONS,
        .timeout = SERVE_DEFAULT_TIMEOUT,
    };
    struct cli_context context;
    cli_context_init(&context);
    const char *env_token = getenv("QUELL_ADMIN_TOKEN");
    if (env_token && env_token[0])
        opt.admin_token = env_token;

    opterr = 0;
    int ch;
    unsigned long n;
    size_t jobs;
    while ((ch = getopt_long(argc, argv, "+:l:j:h", options, NULL)) != -1) {
        switch (ch) {
        case 'l':
            opt.listen = optarg;
            break;
        case 'j':
            if (cli_parse_jobs(optarg, &jobs) != 0)
                return cli_usage_error("serve", "--threads: expected 1 to %d, got '%s'",
                                       CLI_MAX_JOBS, optarg);
            opt.threads = (unsigned int)jobs;
            break;
        case OPT_MAX_BODY:
            if (cli_parse_size(optarg, MAX_LIMIT_BYTES, &opt.max_body) != 0 || opt.max_body == 0)
                return cli_usage_error("serve", "--max-body: expected a size such as 1M, got '%s'",
                                       optarg);
            break;
        case OPT_MAX_BATCH:
            if (parse_count(optarg, 1000000, &n) != 0)
                return cli_usage_error("serve", "--max-batch: expected 1 to 1000000, got '%s'",
                                       optarg);
            opt.max_batch = n;
            break;
        case OPT_MAX_HEADER:
            if (cli_parse_size(optarg, (size_t)1 << 20, &opt.max_header) != 0 ||
                opt.max_header < 1024)
                return cli_usage_error("serve", "--max-header: expected 1K to 1M, got '%s'",
                                       optarg);
            break;
        case OPT_MAX_CONNECTIONS:
            if (parse_count(optarg, 100000, &n) != 0)
                return cli_usage_error("serve", "--max-connections: expected 1 to 100000, got '%s'",
                                       optarg);
            opt.max_connections = (unsigned int)n;
            break;
        case OPT_TIMEOUT:
            if (parse_count(optarg, 86400, &n) != 0)
                return cli_usage_error("serve", "--timeout: expected 1 to 86400 seconds, got '%s'",
                                       optarg);
            opt.timeout = (unsigned int)n;
            break;
        case OPT_ADMIN_TOKEN:
            if (!optarg[0])
                return cli_usage_error("serve", "--admin-token: empty token");
            opt.admin_token = optarg;
            break;
        case OPT_ACCESS_LOG:
            opt.is_access_log = 1;
            break;
        case CLI_OPT_CONTEXT:
        case CLI_OPT_CONTEXT_FILE:
        case CLI_OPT_TIME_FIELD:
        case CLI_OPT_CONTEXT_WINDOW:
        case CLI_OPT_CONTEXT_SECONDS:
        case CLI_OPT_CONTEXT_AUTHORS:
            if (cli_context_option(&context, "serve", ch, optarg) != 0)
                return CLI_EUSAGE;
            break;
        case OPT_WATCH:
            opt.watch_ms = WATCH_MS;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("serve", ch, argv);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("serve", "too many operands");
    opt.rules_path = cli_find_rules(optind < argc ? argv[optind] : NULL);
    if (!opt.rules_path)
        return cli_usage_error("serve", "no RULES given, $QUELL_RULES unset and no %s",
                               CLI_DEFAULT_RULES);
    if (context.is_on)
        opt.context = &context;
    return serve_run(&opt);
}
