/*
 * check_cli.c - the quell command end to end: runs $QUELL_BIN (and
 * $QUELL_EMBED) on fixtures with piped stdin, stdout and stderr, and checks
 * output records, bytes and exit codes against hand-written expectations.
 */
/* posix_openpt and friends, for running explain on a terminal. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "quell.h"
#include "suites.h"

/* Fixture rules (tests/fixtures/cli/rules.cfg): "idiot" flags (3),
 * "scoundrel" holds (6), "spamword" rejects (10), author "bot" flags (3). */
#define RULES "tests/fixtures/cli/rules.cfg"
/* Rules for --censor and explain (tests/fixtures/cli/views.cfg), words in the
 * skeleton view: "idiot" flags (3), "fuck" holds (6), "حمار" flags (3); a
 * link (raw view regex) rejects (10); author "bot" flags (3). */
#define VIEWS "tests/fixtures/cli/views.cfg"

/* What a child process did. */
struct run {
    int status; /* exit code, or 128 + signal number when killed */
    char *out;  /* captured stdout, NUL-terminated (it may hold NULs too) */
    size_t out_len;
    char *err; /* captured stderr, NUL-terminated */
    size_t err_len;
};

/* How to run it. */
struct run_opts {
    const char *exe;   /* NULL: $QUELL_BIN */
    const char *input; /* stdin bytes; NULL for none */
    size_t input_len;
    const char *cwd;        /* NULL: inherit */
    const char *rules_env;  /* NULL: unset QUELL_RULES, else set it */
    int is_stdout_closed;   /* give the child a pipe nobody reads */
    const char *stdin_path; /* stdin from this file instead (input unused) */
};

/* A copy of path made absolute, so that it survives a chdir (static buffer). */
static const char *abs_path(const char *path, char *buf)
{
    ck_assert_msg(realpath(path, buf) != NULL, "cannot resolve %s: %s", path, strerror(errno));
    return buf;
}

static const char *quell_bin(void)
{
    static char buf[PATH_MAX];
    const char *bin = getenv("QUELL_BIN");
    return abs_path(bin && bin[0] ? bin : "build/quell", buf);
}

static void buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t new_cap = (*cap ? *cap : 4096);
        while (new_cap < *len + n + 1)
            new_cap *= 2;
        *buf = realloc(*buf, new_cap);
        ck_assert_ptr_nonnull(*buf);
        *cap = new_cap;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/*
 * Start exe with argv (argv[0] included, NULL-terminated) on three new pipes:
 * fds receives the parent's ends of stdin, stdout and stderr.
 */
static pid_t spawn(const struct run_opts *o, const char *const argv[], int fds[3])
{
    int in_p[2], out_p[2], err_p[2];
    const char *exe = o->exe ? o->exe : quell_bin();

    ck_assert_int_eq(pipe(in_p), 0);
    ck_assert_int_eq(pipe(out_p), 0);
    ck_assert_int_eq(pipe(err_p), 0);
    signal(SIGPIPE, SIG_IGN);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(in_p[0], STDIN_FILENO);
        dup2(out_p[1], STDOUT_FILENO);
        dup2(err_p[1], STDERR_FILENO);
        close(in_p[0]);
        close(in_p[1]);
        close(out_p[0]);
        close(out_p[1]);
        close(err_p[0]);
        close(err_p[1]);
        signal(SIGPIPE, SIG_DFL);
        if (o->stdin_path) {
            /* A file, unlike a pipe, fills quell's whole read buffer at once. */
            int fd = open(o->stdin_path, O_RDONLY);
            if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
                _exit(126);
            close(fd);
        }
        if (o->cwd && chdir(o->cwd) != 0)
            _exit(126);
        if (o->rules_env)
            setenv("QUELL_RULES", o->rules_env, 1);
        else
            unsetenv("QUELL_RULES");
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(in_p[0]);
    close(out_p[1]);
    close(err_p[1]);
    fds[0] = in_p[1];
    fds[1] = out_p[0];
    fds[2] = err_p[0];
    return pid;
}

/* Wait for pid; returns its exit code, or 128 + signal number. */
static int wait_exit(pid_t pid)
{
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0)
        ck_assert_int_eq(errno, EINTR);
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

/*
 * Run exe with argv: feed the input, capture stdout and stderr and wait for
 * the exit status. poll() drives all three pipes at once so that neither
 * side can block the other.
 */
static void run_with(struct run *r, const struct run_opts *o, const char *const argv[])
{
    int fds[3]; /* stdin, stdout, stderr; -1 once closed */
    size_t in_off = 0, out_cap = 0, err_cap = 0;

    memset(r, 0, sizeof *r);
    buf_append(&r->out, &r->out_len, &out_cap, "", 0);
    buf_append(&r->err, &r->err_len, &err_cap, "", 0);
    pid_t pid = spawn(o, argv, fds);
    if (o->is_stdout_closed) {
        close(fds[1]);
        fds[1] = -1;
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    if (!o->input || o->input_len == 0) {
        close(fds[0]);
        fds[0] = -1;
    }

    while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
        struct pollfd pfd[3] = {
            {fds[0], POLLOUT, 0},
            {fds[1], POLLIN, 0},
            {fds[2], POLLIN, 0},
        };
        if (poll(pfd, 3, -1) < 0) {
            ck_assert_int_eq(errno, EINTR);
            continue;
        }
        if (fds[0] >= 0 && pfd[0].revents) {
            ssize_t n = write(fds[0], o->input + in_off, o->input_len - in_off);
            if (n > 0)
                in_off += (size_t)n;
            /* EPIPE: the child stopped reading, which some tests expect. */
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_off == o->input_len) {
                close(fds[0]);
                fds[0] = -1;
            }
        }
        for (int i = 1; i < 3; i++) {
            if (fds[i] < 0 || !pfd[i].revents)
                continue;
            char chunk[65536];
            ssize_t n = read(fds[i], chunk, sizeof chunk);
            if (n > 0 && i == 1) {
                buf_append(&r->out, &r->out_len, &out_cap, chunk, (size_t)n);
            } else if (n > 0) {
                buf_append(&r->err, &r->err_len, &err_cap, chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    r->status = wait_exit(pid);
    ck_assert_msg(r->status != 127 && r->status < 128, "%s: exec failed or killed (%d): %s",
                  o->exe ? o->exe : quell_bin(), r->status, r->err);
}

/* Run quell with input and arguments (without argv[0]). */
static void run_quell(struct run *r, const char *input, size_t input_len, const char *const args[])
{
    const char *argv[32] = {"quell"};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        ck_assert_uint_lt(n, 31);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    struct run_opts o = {.input = input, .input_len = input_len};
    run_with(r, &o, argv);
}

#define ARGS(...)          ((const char *const[]){__VA_ARGS__, NULL})
#define RUN(r, input, ...) run_quell((r), (input), strlen(input), ARGS(__VA_ARGS__))

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

/*
 * Parse r's stdout as JSON lines: it must hold exactly count lines, each one
 * JSON object ending in "\n". Returns them as a cJSON array.
 */
static cJSON *parse_lines(const struct run *r, int count)
{
    cJSON *lines = cJSON_CreateArray();
    const char *p = r->out, *end = r->out + r->out_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        ck_assert_msg(nl != NULL, "output does not end in a newline: %s", r->out);
        cJSON *obj = cJSON_ParseWithLength(p, (size_t)(nl - p));
        ck_assert_msg(cJSON_IsObject(obj), "not a JSON object: %.*s", (int)(nl - p), p);
        cJSON_AddItemToArray(lines, obj);
        p = nl + 1;
    }
    ck_assert_msg(cJSON_GetArraySize(lines) == count, "expected %d lines, got %d:\n%s", count,
                  cJSON_GetArraySize(lines), r->out);
    return lines;
}

/* Check output line i (0-based), obj: its id (as JSON text, e.g. "3" or "\"a1\"") and action. */
static cJSON *check_obj(cJSON *obj, int i, const char *id_json, const char *action)
{
    ck_assert_ptr_nonnull(obj);
    char *id = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(obj, "id"));
    ck_assert_msg(id && strcmp(id, id_json) == 0, "line %d: id %s, expected %s", i + 1,
                  id ? id : "(none)", id_json);
    free(id);
    cJSON *act = cJSON_GetObjectItemCaseSensitive(obj, "action");
    ck_assert_msg(cJSON_IsString(act) && strcmp(act->valuestring, action) == 0,
                  "line %d: action %s, expected %s", i + 1,
                  cJSON_IsString(act) ? act->valuestring : "(none)", action);
    if (strcmp(action, "error") == 0) {
        cJSON *msg = cJSON_GetObjectItemCaseSensitive(obj, "error");
        ck_assert_msg(cJSON_IsString(msg) && msg->valuestring[0], "line %d: no error message",
                      i + 1);
    }
    return obj;
}

static cJSON *check_line(cJSON *lines, int i, const char *id_json, const char *action)
{
    return check_obj(cJSON_GetArrayItem(lines, i), i, id_json, action);
}

static double score_of(cJSON *obj)
{
    cJSON *score = cJSON_GetObjectItemCaseSensitive(obj, "score");
    ck_assert(cJSON_IsNumber(score));
    return score->valuedouble;
}

/* Check the first hit of a verdict: rule, field, span and text. */
static void check_hit(cJSON *obj, const char *rule, const char *field, int start, int end,
                      const char *text)
{
    cJSON *hit = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(obj, "hits"), 0);
    ck_assert_ptr_nonnull(hit);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(hit, "rule")->valuestring, rule);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(hit, "field")->valuestring, field);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(hit, "start")->valueint, start);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(hit, "end")->valueint, end);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(hit, "text")->valuestring, text);
}

static const char *error_of(cJSON *obj)
{
    return cJSON_GetObjectItemCaseSensitive(obj, "error")->valuestring;
}

/* A fresh temporary folder per test (static buffer). */
static const char *make_tmpdir(void)
{
    static char dir[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/quell-cli-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *data = NULL;
    size_t cap = 0;
    *len = 0;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&data, len, &cap, chunk, n);
    fclose(f);
    return data;
}

/* ------------------------------------------------------------------------ */

START_TEST(test_help_and_version)
{
    struct run r;
    RUN(&r, "", "--version");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "quell " QUELL_VERSION_STRING "\n");
    run_free(&r);

    RUN(&r, "", "--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Usage: quell"));
    ck_assert_ptr_nonnull(strstr(r.out, "filter"));
    ck_assert_ptr_nonnull(strstr(r.out, "\n  explain "));
    ck_assert_ptr_nonnull(strstr(r.out, "Exit status"));
    ck_assert_ptr_nonnull(strstr(r.out, "  1  some input records were malformed"));
    run_free(&r);

    /* The commands with rows to read say what their status 1 means too. */
    static const char *const row_cmds[] = {"eval", "diff"};
    for (size_t i = 0; i < sizeof row_cmds / sizeof row_cmds[0]; i++) {
        RUN(&r, "", row_cmds[i], "--help");
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_nonnull(strstr(r.out, "  1  some rows were malformed"));
        ck_assert_ptr_nonnull(strstr(r.out, "  4  I/O or internal error"));
        ck_assert_ptr_null(strstr(r.out, "example failed"));
        run_free(&r);
    }
    RUN(&r, "", "lint", "--help");
    ck_assert_ptr_nonnull(strstr(r.out, "  1  with --werror, there were warnings"));
    ck_assert_ptr_null(strstr(r.out, "example failed"));
    run_free(&r);

    static const char *const cmds[] = {"compile", "filter", "test", "explain"};
    static const char *const exits[] = {"", "  1  some records were malformed",
                                        "  1  an example failed",
                                        "  1  the comment cannot be scanned"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        RUN(&r, "", cmds[i], "--help");
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_nonnull(strstr(r.out, "Usage: quell "));
        ck_assert_ptr_nonnull(strstr(r.out, cmds[i]));
        ck_assert_ptr_nonnull(strstr(r.out, "  3  rules error"));
        /* Each command lists only the statuses it can return. */
        ck_assert_ptr_nonnull(strstr(r.out, exits[i]));
        ck_assert_int_eq(strstr(r.out, "  1  ") != NULL, exits[i][0] != '\0');
        if (i != 1)
            ck_assert_ptr_null(strstr(r.out, "malformed"));
        if (i == 1) {
            ck_assert_ptr_nonnull(strstr(r.out, "-j, --jobs=N"));
            ck_assert_ptr_nonnull(strstr(r.out, "--censor[=CHAR]"));
        }
        if (i == 3)
            ck_assert_ptr_nonnull(strstr(r.out, "--color[=WHEN]"));
        ck_assert_uint_eq(r.err_len, 0);
        run_free(&r);
    }
}
END_TEST

/* Bad command lines exit 2 with a hint and write nothing to stdout. */
static const struct {
    const char *args[5];
    const char *hint;
} usage_cases[] = {
    {{NULL}, "Try 'quell --help'"},
    {{"frobnicate"}, "Try 'quell --help'"},
    {{"--bogus"}, "Try 'quell --help'"},
    {{"filter", "--bogus", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--format", "xml", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--only", "maybe", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--max-bytes", "0", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--max-bytes", "12x", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--jobs", "0", RULES}, "Try 'quell filter --help'"},
    {{"filter", "-j", "two", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--jobs=-1", RULES}, "Try 'quell filter --help'"},
    {{"filter", "-j", "65", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--jobs=99999999999999999999999", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--jobs"}, "Try 'quell filter --help'"},
    {{"filter", RULES, "extra"}, "Try 'quell filter --help'"},
    {{"filter", "--format"}, "Try 'quell filter --help'"},
    {{"filter", "--censor", "--only", "pass", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--only=flagged", "--censor=#", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--censor=", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--censor=**", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--censor=\t", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--censor=\x7f", RULES}, "Try 'quell filter --help'"},
    {{"filter", "--censor=\xc3\xa9", RULES}, "Try 'quell filter --help'"},
    {{"explain", "--bogus", RULES}, "Try 'quell explain --help'"},
    {{"explain", "--color=sometimes", RULES, "x"}, "Try 'quell explain --help'"},
    {{"explain", "--author"}, "Try 'quell explain --help'"},
    {{"explain", RULES, "text", "extra"}, "Try 'quell explain --help'"},
    {{"compile", RULES}, "Try 'quell compile --help'"},
    {{"compile", "-o"}, "Try 'quell compile --help'"},
    {{"test"}, "Try 'quell test --help'"},
};

START_TEST(test_usage_errors)
{
    const char *args[6] = {NULL};
    for (size_t i = 0; i < 5 && usage_cases[_i].args[i]; i++) {
        const char *a = usage_cases[_i].args[i];
        /* Fixture paths resolve against the source tree. */
        args[i] = strcmp(a, RULES) == 0 ? test_path(RULES) : a;
    }
    const char *argv[8] = {"quell"};
    memcpy(argv + 1, args, sizeof args);
    struct run r;
    struct run_opts o = {0};
    run_with(&r, &o, argv);
    ck_assert_msg(r.status == 2, "case %d: status %d", _i, r.status);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_msg(strncmp(r.err, "quell: ", 7) == 0, "case %d: %s", _i, r.err);
    ck_assert_msg(strstr(r.err, usage_cases[_i].hint) != NULL, "case %d: %s", _i, r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_text_actions_in_order)
{
    struct run r;
    RUN(&r, "hello world\nyou idiot\nwhat a scoundrel\nspamword here\n", "filter",
        test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.err_len, 0);
    cJSON *lines = parse_lines(&r, 4);
    ck_assert_double_eq(score_of(check_line(lines, 0, "1", "pass")), 0);
    cJSON *flag = check_line(lines, 1, "2", "flag");
    ck_assert_double_eq(score_of(flag), 3);
    check_hit(flag, "t.insult", "body", 4, 9, "idiot");
    ck_assert_double_eq(score_of(check_line(lines, 2, "3", "hold")), 6);
    ck_assert_double_eq(score_of(check_line(lines, 3, "4", "reject")), 10);
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_text_malformed_line)
{
    /* Invalid UTF-8 on line 2 becomes an error record; line 3 still scans. */
    static const char input[] = "fine\nbad \xff byte\nidiot\n";
    struct run r;
    run_quell(&r, input, sizeof input - 1, ARGS("filter", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, 3);
    check_line(lines, 0, "1", "pass");
    check_line(lines, 1, "2", "error");
    check_line(lines, 2, "3", "flag");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_text_framing)
{
    struct run r;

    /* Empty input: no records, no output. */
    RUN(&r, "", "filter", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.out_len, 0);
    run_free(&r);

    /* The last line counts without its newline; an empty line is a record. */
    RUN(&r, "a\n\nidiot", "filter", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, 3);
    check_line(lines, 0, "1", "pass");
    check_line(lines, 1, "2", "pass");
    check_hit(check_line(lines, 2, "3", "flag"), "t.insult", "body", 0, 5, "idiot");
    cJSON_Delete(lines);
    run_free(&r);

    /* CRLF: the "\r" is not part of the comment. */
    RUN(&r, "you idiot\r\nhello\r\n", "filter", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    lines = parse_lines(&r, 2);
    check_hit(check_line(lines, 0, "1", "flag"), "t.insult", "body", 4, 9, "idiot");
    check_line(lines, 1, "2", "pass");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_jsonl)
{
    static const char input[] = "{\"id\":\"a1\",\"body\":\"hello\"}\n"
                                "{\"id\":42,\"body\":\"you idiot\",\"author\":\"x\"}\n"
                                "{\"body\":\"scoundrel\"}\n"
                                "{not json\n"
                                "{\"text\":\"no body here\"}\n"
                                "{\"body\":42}\n"
                                "{\"body\":\"bad \xff\"}\n"
                                "{\"id\":\"b\",\"body\":\"hi\",\"author\":\"bot\"}\n"
                                "{\"id\":-7,\"body\":\"spamword\"}\n"
                                "{\"id\":\"c\",\"body\":7}\n"
                                "{\"id\":\"d\",\"body\":\"bad \xff\"}";
    struct run r;
    run_quell(&r, input, sizeof input - 1, ARGS("filter", "--format", "jsonl", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, 11);
    check_line(lines, 0, "\"a1\"", "pass");
    check_hit(check_line(lines, 1, "42", "flag"), "t.insult", "body", 4, 9, "idiot");
    check_line(lines, 2, "3", "hold");
    check_line(lines, 3, "4", "error");
    check_line(lines, 4, "5", "error");
    check_line(lines, 5, "6", "error");
    check_line(lines, 6, "7", "error");
    check_hit(check_line(lines, 7, "\"b\"", "flag"), "t.author", "author", 0, 3, "bot");
    check_line(lines, 8, "-7", "reject");
    /* Refused records still carry their own ids. */
    check_line(lines, 9, "\"c\"", "error");
    check_line(lines, 10, "\"d\"", "error");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

/* Run quell filter on JSON Lines input with some records malformed (exit
 * status 1): output line i must start with expected[i]. */
static void check_jsonl_prefixes(const char *input, size_t input_len, const char *const *expected,
                                 size_t count)
{
    struct run r;
    run_quell(&r, input, input_len, ARGS("filter", "--format", "jsonl", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    cJSON_Delete(parse_lines(&r, (int)count));
    const char *line = r.out;
    for (size_t i = 0; i < count; i++) {
        ck_assert_msg(strncmp(line, expected[i], strlen(expected[i])) == 0,
                      "line %zu: %.*s, expected %s", i + 1, (int)strcspn(line, "\n"), line,
                      expected[i]);
        line = strchr(line, '\n') + 1;
    }
    run_free(&r);
}

/* Numeric ids come back exactly as written, digits a double would lose
 * included; a record with a duplicate top-level key is an error record,
 * whichever value a reader would have taken. */
START_TEST(test_jsonl_exact_ids_unique_keys)
{
    static const char input[] = "{\"id\":1234567890123456789,\"body\":\"hello\"}\n"
                                "{\"id\":1234567890123456788,\"body\":\"you idiot\"}\n"
                                "{\"id\":-0,\"body\":\"hello\"}\n"
                                "{\"id\":1e400,\"body\":\"hello\"}\n"
                                "{\"id\":1.50,\"body\":\"hello\"}\n"
                                "{\"id\":\"d\",\"body\":\"nice\",\"body\":\"what an idiot\"}\n"
                                "{\"id\":7,\"body\":\"idiot\",\"id\":8}\n"
                                "{\"body\":\"idiot\",\"b\\u006fdy\":\"fine\"}\n";
    static const char *const expected[] = {
        "{\"id\":1234567890123456789,\"action\":\"pass\",",
        "{\"id\":1234567890123456788,\"action\":\"flag\",",
        "{\"id\":-0,\"action\":\"pass\",",
        "{\"id\":1e400,\"action\":\"pass\",",
        "{\"id\":1.50,\"action\":\"pass\",",
        "{\"id\":\"d\",\"action\":\"error\",\"error\":\"duplicate key \\\"body\\\" at byte 24\"}\n",
        "{\"id\":7,\"action\":\"error\",\"error\":\"duplicate key \\\"id\\\" at byte 23\"}\n",
        "{\"id\":8,\"action\":\"error\",\"error\":\"duplicate key \\\"body\\\" at byte 16\"}\n",
    };
    check_jsonl_prefixes(input, sizeof input - 1, expected, sizeof expected / sizeof expected[0]);
}
END_TEST

/* A string id that is not UTF-8 would be echoed with U+FFFD for its bad
 * bytes, so "s\xff" and "s\xfe" would answer as one id: such a record is an
 * error record numbered by its line, and the stream goes on. A real U+FFFD
 * in an id is UTF-8 and echoed as it is. */
START_TEST(test_jsonl_bad_utf8_ids)
{
    static const char input[] = "{\"id\":\"s\xff\",\"body\":\"hello\"}\n"
                                "{\"id\":\"s\xfe\",\"body\":\"you idiot\"}\n"
                                "{\"id\":\"s\xef\xbf\xbd\",\"body\":\"hello\"}\n"
                                "{\"body\":\"idiot\",\"id\":\"\\u00e9\xc3\"}\n"
                                "{\"id\":\"s\",\"body\":\"you idiot\"}\n";
    static const char *const expected[] = {
        "{\"id\":1,\"action\":\"error\",\"error\":\"invalid UTF-8 at byte 1 of \\\"id\\\"\"}\n",
        "{\"id\":2,\"action\":\"error\",\"error\":\"invalid UTF-8 at byte 1 of \\\"id\\\"\"}\n",
        "{\"id\":\"s\xef\xbf\xbd\",\"action\":\"pass\",",
        "{\"id\":4,\"action\":\"error\",\"error\":\"invalid UTF-8 at byte 2 of \\\"id\\\"\"}\n",
        "{\"id\":\"s\",\"action\":\"flag\",",
    };
    check_jsonl_prefixes(input, sizeof input - 1, expected, sizeof expected / sizeof expected[0]);
}
END_TEST

START_TEST(test_jsonl_field_names)
{
    struct run r;
    RUN(&r,
        "{\"key\":\"k1\",\"text\":\"idiot\",\"body\":\"spamword\"}\n{\"id\":\"x\",\"text\":\"ok\","
        "\"key\":9}\n",
        "filter", "--format=jsonl", "--id-field", "key", "--body-field=text", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, 2);
    check_line(lines, 0, "\"k1\"", "flag");
    check_line(lines, 1, "9", "pass");
    cJSON_Delete(lines);
    run_free(&r);

    RUN(&r, "{\"body\":\"hi\",\"who\":\"bot\"}\n", "filter", "-f", "jsonl", "--author-field", "who",
        "--", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    lines = parse_lines(&r, 1);
    check_hit(check_line(lines, 0, "1", "flag"), "t.author", "author", 0, 3, "bot");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_nul_format)
{
    /* Comments span lines; NUL separates them; the last has no separator. */
    static const char input[] = "line one\nidiot two\0clean\nmulti\0scoundrel";
    struct run r;
    run_quell(&r, input, sizeof input - 1, ARGS("filter", "--format", "nul", test_path(RULES)));
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, 3);
    check_hit(check_line(lines, 0, "1", "flag"), "t.insult", "body", 9, 14, "idiot");
    check_line(lines, 1, "2", "pass");
    check_line(lines, 2, "3", "hold");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_max_bytes)
{
    /* 10 bytes fit, 11 do not; after an over-long record the stream goes on. */
    struct run r;
    RUN(&r, "short\nxxxxxxxxxxxxxxxxxxxxxxxxx\nidiot\n0123456789\n01234567890", "filter",
        "--max-bytes", "10", test_path(RULES));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, 5);
    check_line(lines, 0, "1", "pass");
    ck_assert_str_eq(error_of(check_line(lines, 1, "2", "error")), "record longer than 10 bytes");
    check_line(lines, 2, "3", "flag");
    check_line(lines, 3, "4", "pass");
    ck_assert_str_eq(error_of(check_line(lines, 4, "5", "error")), "record longer than 10 bytes");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_long_records)
{
    /* Records larger than the 1 MiB read buffer: one of 3 MiB, over the
     * 2 MiB limit, skipped across many reads; then one of 1.5 MiB, under
     * it, for which the buffer must grow. */
    size_t big = (size_t)3 << 20, mid = (size_t)3 << 19;
    char *fill = malloc(big);
    ck_assert_ptr_nonnull(fill);
    char *input = NULL;
    size_t len = 0, cap = 0;
    memset(fill, 'a', big);
    buf_append(&input, &len, &cap, fill, big);
    buf_append(&input, &len, &cap, "\nidiot\n", 7);
    memset(fill, 'b', mid);
    buf_append(&input, &len, &cap, fill, mid);
    buf_append(&input, &len, &cap, " idiot\n", 7);
    free(fill);

    struct run r;
    run_quell(&r, input, len, ARGS("filter", "--max-bytes", "2M", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, 3);
    ck_assert_str_eq(error_of(check_line(lines, 0, "1", "error")),
                     "record longer than 2097152 bytes");
    check_line(lines, 1, "2", "flag");
    check_hit(check_line(lines, 2, "3", "flag"), "t.insult", "body", (int)mid + 1, (int)mid + 6,
              "idiot");
    cJSON_Delete(lines);
    run_free(&r);
    free(input);
}
END_TEST

START_TEST(test_many_records_in_order)
{
    /* About 1.3 MB in and out: records straddle read and write buffers. */
    enum { COUNT = 12000 };
    char *input = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < COUNT; i++) {
        char line[200];
        int n = snprintf(line, sizeof line, "comment %d %s, padded to about one hundred bytes %s\n",
                         i + 1, i % 3 == 0 ? "idiot" : "fine",
                         "........................................");
        buf_append(&input, &len, &cap, line, (size_t)n);
    }
    struct run r;
    run_quell(&r, input, len, ARGS("filter", test_path(RULES)));
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, COUNT);
    int i = 0;
    /* cJSON arrays are lists: walk them, do not index them. */
    for (cJSON *obj = lines->child; obj; obj = obj->next, i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i + 1);
        check_obj(obj, i, id, i % 3 == 0 ? "flag" : "pass");
    }
    cJSON_Delete(lines);
    run_free(&r);
    free(input);
}
END_TEST

START_TEST(test_only)
{
    static const char input[] = "hello\nyou idiot\r\nbad \xff\nscoundrel\nclean last";
    struct run r;

    run_quell(&r, input, sizeof input - 1, ARGS("filter", "--only", "pass", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(r.out_len, 16);
    ck_assert_mem_eq(r.out, "hello\nclean last", 16);
    ck_assert_msg(strncmp(r.err, "quell: record 3: ", 17) == 0, "stderr: %s", r.err);
    ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + r.err_len - 1); /* one line */
    run_free(&r);

    run_quell(&r, input, sizeof input - 1, ARGS("filter", "--only=flagged", test_path(RULES)));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(r.out_len, 21);
    ck_assert_mem_eq(r.out, "you idiot\r\nscoundrel\n", 21);
    run_free(&r);

    static const char nul_input[] = "a\nidiot\0ok\0spamword";
    run_quell(&r, nul_input, sizeof nul_input - 1,
              ARGS("filter", "--format", "nul", "--only", "flagged", test_path(RULES)));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.out_len, 16);
    ck_assert_mem_eq(r.out, "a\nidiot\0spamword", 16);
    run_free(&r);

    /* An over-long record is reported, not passed through. */
    RUN(&r, "ok\nmuch too long\nfine\n", "filter", "--only", "pass", "--max-bytes", "5",
        test_path(RULES));
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "ok\nfine\n");
    ck_assert_str_eq(r.err, "quell: record 2: record longer than 5 bytes\n");
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* --jobs: one output, in input order, whatever the number of threads.      */

#define MIXED_COUNT     6000
#define MIXED_HUGE_AT   4600 /* index of a 1.4 MiB record */
#define MIXED_MAX_BYTES 300
#define MIXED_MAX_STR   "300"

/* One generated record and what quell should make of it. */
struct mixed_rec {
    size_t off, len;    /* input[off..off+len), without its "\n" */
    int has_separator;  /* every record but the last */
    char id[32];        /* expected id as JSON text */
    const char *action; /* expected action, "error" for a malformed record */
    int is_too_long;
};

struct mixed {
    char *input;
    size_t input_len;
    struct mixed_rec rec[MIXED_COUNT];
};

/*
 * A few thousand JSON Lines records of every kind, in a fixed pseudo-random
 * order: clean, flagged, held and rejected comments, with string ids,
 * numeric ids or none (then the id is the record number), bad JSON, invalid
 * UTF-8 in a body or in a string id, empty lines, a non-string body,
 * records just over --max-bytes and one of 1.4 MiB, which outgrows quell's
 * read buffer; the last record has no newline. About 700 KB, 550 KB of it
 * before the big record. Expectations follow from the fixture rules, not
 * from quell.
 */
static void make_mixed(struct mixed *m)
{
    static char dots[MIXED_MAX_BYTES + 64];
    memset(dots, '.', sizeof dots);
    size_t cap = 0;
    uint32_t seed = 2024;
    m->input = NULL;
    m->input_len = 0;

    for (int i = 0; i < MIXED_COUNT; i++) {
        struct mixed_rec *rec = &m->rec[i];
        char line[512];
        int n = i + 1, len;
        seed = seed * 1103515245u + 12345u;
        unsigned kind = (seed >> 16) % 20;
        int pad = (int)((seed >> 4) % 200);
        if (i == MIXED_COUNT - 1)
            kind = 9; /* not an empty line: without its newline it would be no record */

        rec->off = m->input_len;
        rec->has_separator = i < MIXED_COUNT - 1;
        rec->is_too_long = 0;
        snprintf(rec->id, sizeof rec->id, "%d", n);
        rec->action = "error";
        if (i == MIXED_HUGE_AT) {
            static const char head[] = "{\"id\":\"huge\",\"body\":\"";
            size_t fill = (size_t)11 << 17; /* 1.375 MiB */
            char *big = malloc(fill);
            ck_assert_ptr_nonnull(big);
            memset(big, 'a', fill);
            buf_append(&m->input, &m->input_len, &cap, head, sizeof head - 1);
            buf_append(&m->input, &m->input_len, &cap, big, fill);
            buf_append(&m->input, &m->input_len, &cap, "\"}\n", 3);
            free(big);
            rec->len = m->input_len - 1 - rec->off;
            rec->is_too_long = 1;
            continue;
        }
        switch (kind) {
        case 9:
        case 10:
            len = snprintf(line, sizeof line, "{\"id\":%d,\"body\":\"you idiot, says %d%.*s\"}",
                           n * 10 + 1, n, pad, dots);
            snprintf(rec->id, sizeof rec->id, "%d", n * 10 + 1);
            rec->action = "flag";
            break;
        case 11:
            len =
                snprintf(line, sizeof line, "{\"body\":\"what a scoundrel %d%.*s\"}", n, pad, dots);
            rec->action = "hold";
            break;
        case 12:
            len =
                snprintf(line, sizeof line, "{\"id\":\"s%d\",\"body\":\"buy spamword %d\"}", n, n);
            snprintf(rec->id, sizeof rec->id, "\"s%d\"", n);
            rec->action = "reject";
            break;
        case 13:
            len = snprintf(line, sizeof line, "{\"body\":\"hello %d\",\"author\":\"bot\"}", n);
            rec->action = "flag";
            break;
        case 14:
            len = snprintf(line, sizeof line, "{\"body\":\"unterminated %d%.*s", n, pad, dots);
            break;
        case 15:
            len = snprintf(line, sizeof line, "{\"body\":\"bad \xc3\x28 %d\"}", n);
            break;
        case 16:
            len = snprintf(line, sizeof line, "{\"id\":\"long%d\",\"body\":\"%.*s idiot\"}", n,
                           MIXED_MAX_BYTES, dots);
            rec->is_too_long = 1;
            break;
        case 17:
            len = snprintf(line, sizeof line, "{\"body\":\"no id here %d%.*s\"}", n, pad, dots);
            rec->action = "pass";
            break;
        case 18:
            len = 0; /* an empty line: "empty record" */
            break;
        case 19:
            len = snprintf(line, sizeof line, "{\"body\":%d}", n);
            break;
        case 8:
            /* An id that is not UTF-8 cannot be echoed as it is: the record number. */
            len = snprintf(line, sizeof line, "{\"id\":\"c%d\xff\",\"body\":\"hi %d\"}", n, n);
            break;
        default:
            len = snprintf(line, sizeof line,
                           "{\"id\":\"c%d\",\"body\":\"comment %d is fine%.*s\"}", n, n, pad, dots);
            snprintf(rec->id, sizeof rec->id, "\"c%d\"", n);
            rec->action = "pass";
            break;
        }
        ck_assert_int_lt(len, (int)sizeof line);
        ck_assert_int_eq(rec->is_too_long, len > MIXED_MAX_BYTES);
        buf_append(&m->input, &m->input_len, &cap, line, (size_t)len);
        if (rec->has_separator)
            buf_append(&m->input, &m->input_len, &cap, "\n", 1);
        rec->len = (size_t)len;
    }
}

/* Check that a and b hold the same bytes; on failure show where they part. */
static void check_same(const char *what, const char *jobs, const char *a, size_t a_len,
                       const char *b, size_t b_len)
{
    size_t i = 0;
    while (i < a_len && i < b_len && a[i] == b[i])
        i++;
    size_t from = i > 80 ? i - 80 : 0;
    ck_assert_msg(i == a_len && i == b_len,
                  "--jobs %s: %s differs from --jobs 1 at byte %zu (lengths %zu, %zu):\n"
                  "--jobs 1: ...%.*s\n--jobs %s: ...%.*s",
                  jobs, what, i, b_len, a_len, (int)((b_len < i + 80 ? b_len : i + 80) - from),
                  b + from, jobs, (int)((a_len < i + 80 ? a_len : i + 80) - from), a + from);
}

/* Check quell's output for the mixed records against what they should give. */
static void check_mixed(const struct mixed *m, const struct run *r, const char *only)
{
    char line[128];
    const char *err = r->err;
    size_t i;

    if (!only) {
        ck_assert_msg(r->err_len == 0, "stderr: %s", r->err);
        cJSON *lines = parse_lines(r, MIXED_COUNT);
        i = 0;
        for (cJSON *obj = lines->child; obj; obj = obj->next, i++) {
            check_obj(obj, (int)i, m->rec[i].id, m->rec[i].action);
            if (m->rec[i].is_too_long)
                ck_assert_str_eq(error_of(obj), "record longer than " MIXED_MAX_STR " bytes");
        }
        cJSON_Delete(lines);
        return;
    }

    /* --only: the chosen records, unchanged; one stderr line per malformed one. */
    char *want = NULL;
    size_t want_len = 0, want_cap = 0;
    buf_append(&want, &want_len, &want_cap, "", 0);
    int is_pass = strcmp(only, "pass") == 0;
    for (i = 0; i < MIXED_COUNT; i++) {
        const struct mixed_rec *rec = &m->rec[i];
        if (strcmp(rec->action, "error") == 0) {
            int n = snprintf(line, sizeof line, "quell: record %zu: ", i + 1);
            ck_assert_msg(strncmp(err, line, (size_t)n) == 0, "expected %s..., got: %.100s", line,
                          err);
            if (rec->is_too_long) {
                snprintf(line + n, sizeof line - (size_t)n,
                         "record longer than " MIXED_MAX_STR " bytes\n");
                ck_assert_msg(strncmp(err, line, strlen(line)) == 0, "got: %.100s", err);
            }
            const char *nl = strchr(err, '\n');
            ck_assert_msg(nl != NULL && nl > err + n, "record %zu: no reason: %s", i + 1, err);
            err = nl + 1;
        } else if ((strcmp(rec->action, "pass") == 0) == is_pass) {
            buf_append(&want, &want_len, &want_cap, m->input + rec->off, rec->len);
            if (rec->has_separator)
                buf_append(&want, &want_len, &want_cap, "\n", 1);
        }
    }
    ck_assert_msg(*err == '\0', "unexpected stderr: %.200s", err);
    check_same("stdout", "1 (expected)", r->out, r->out_len, want, want_len);
    free(want);
}

/* Job counts to compare, stdin from a pipe (reads of 64 KiB at most) or a
 * file (1 MiB reads: the 550 KB of records before the big one make a round
 * of a few dozen chunks, from about 140 KB down to 4 KiB, that the jobs
 * take in turn; 64 jobs get one each, or none). */
static const struct {
    const char *jobs;
    int is_file;
} job_runs[] = {{"1", 0}, {"2", 1}, {"4", 1}, {"4", 0}, {"64", 1}};

static const char *const only_modes[] = {NULL, "pass", "flagged"};

START_TEST(test_jobs_same_output)
{
    static struct mixed m;
    make_mixed(&m);
    const char *dir = make_tmpdir();
    char path[PATH_MAX], rules[PATH_MAX];
    snprintf(path, sizeof path, "%s/mixed.jsonl", dir);
    snprintf(rules, sizeof rules, "%s", test_path(RULES));
    write_file(path, m.input, m.input_len);
    const char *only = only_modes[_i];

    struct run ref;
    for (size_t k = 0; k < sizeof job_runs / sizeof job_runs[0]; k++) {
        const char *argv[12] = {"quell",       "filter",      "-f",     "jsonl",
                                "--max-bytes", MIXED_MAX_STR, "--jobs", job_runs[k].jobs};
        size_t n = 8;
        if (only) {
            argv[n++] = "--only";
            argv[n++] = only;
        }
        argv[n++] = rules;
        argv[n] = NULL;
        struct run_opts o = {0};
        if (job_runs[k].is_file) {
            o.stdin_path = path;
        } else {
            o.input = m.input;
            o.input_len = m.input_len;
        }
        struct run r;
        run_with(&r, &o, argv);
        ck_assert_msg(r.status == 1, "--jobs %s: status %d: %.200s", job_runs[k].jobs, r.status,
                      r.err);
        if (k == 0) {
            check_mixed(&m, &r, only);
            ref = r;
            continue;
        }
        check_same("stdout", job_runs[k].jobs, r.out, r.out_len, ref.out, ref.out_len);
        check_same("stderr", job_runs[k].jobs, r.err, r.err_len, ref.err, ref.err_len);
        run_free(&r);
    }
    run_free(&ref);
    free(m.input);
    unlink(path);
    rmdir(dir);
}
END_TEST

#define CONTEXT_RULES "tests/fixtures/context/context.cfg"

/*
 * A stream for --context: a few thousand records with authors and times,
 * in which campaigns of disguised copies come from many accounts, a few
 * authors flood or repeat themselves, and some records are malformed or
 * have a time that is not one. Big enough for several rounds of chunks.
 */
static char *make_context_stream(size_t *len_out, int from, int to)
{
    static const char *const pasted[] = {
        "Earn 500 dollars a day from home, message me on telegram now",
        "EARN 500 DOLLARS A DAY from home!!! message me on telegram now 💰",
        "Eаrn 900 dоllars a day from hоme, message me on telegram now https://bit.ly/q%d",
        "The regime lies, share this before they delete it, the truth about the port",
        "the regime LIES share this before they delete it!! the truth about the port 🔥",
    };
    char *buf = NULL;
    size_t len = 0, cap = 0;
    uint64_t rng = 99;
    char line[512], body[256];
    for (int i = 0; i < to; i++) {
        uint64_t x = test_rng(&rng);
        long t = 1767225600L + i * 2;
        int n;
        if (x % 9 == 0) {
            snprintf(body, sizeof body, pasted[(x >> 8) % 5], i);
            n = snprintf(line, sizeof line,
                         "{\"id\":\"p%d\",\"author\":\"new%d\",\"time\":%ld,\"body\":\"%s\"}\n", i,
                         i, t, body);
        } else if (x % 9 == 1) {
            n = snprintf(line, sizeof line,
                         "{\"id\":\"f%d\",\"author\":\"flood%d\",\"time\":%ld,\"body\":\"you idiot "
                         "number %d\"}\n",
                         i, (int)(x >> 20) % 3, t, i);
        } else if (x % 97 == 2) {
            n = snprintf(line, sizeof line, "{\"id\":\"bad%d\",\"time\":\"yesterday\",\"body\":\"x\"}\n",
                         i);
        } else if (x % 101 == 3) {
            n = snprintf(line, sizeof line, "{\"id\":\"broken%d\",\"body\":42}\n", i);
        } else {
            n = snprintf(line, sizeof line,
                         "{\"id\":%d,\"author\":\"u%d\",\"time\":\"2026-01-01T00:%02d:%02dZ\","
                         "\"body\":\"comment %llx on the news, nothing to see %d\"}\n",
                         i, (int)(x >> 32) % 500, (i / 30) % 60, i % 60,
                         (unsigned long long)(x >> 12), i);
        }
        ck_assert_int_lt(n, (int)sizeof line);
        if (i >= from)
            buf_append(&buf, &len, &cap, line, (size_t)n);
    }
    buf_append(&buf, &len, &cap, "", 0);
    *len_out = len;
    return buf;
}

/* With --context the output is the same for any --jobs, --only or not;
 * the campaigns are caught and every verdict ends with its context. */
START_TEST(test_context_jobs_same_output)
{
    size_t len;
    char *input = make_context_stream(&len, 0, 6000);
    const char *dir = make_tmpdir();
    char path[PATH_MAX], rules[PATH_MAX];
    snprintf(path, sizeof path, "%s/ctx.jsonl", dir);
    snprintf(rules, sizeof rules, "%s", test_path(CONTEXT_RULES));
    write_file(path, input, len);
    const char *only = only_modes[_i];
    struct run ref;
    for (size_t k = 0; k < sizeof job_runs / sizeof job_runs[0]; k++) {
        const char *argv[12] = {"quell", "filter", "-f", "jsonl", "--context", "--jobs",
                                job_runs[k].jobs};
        size_t n = 7;
        if (only) {
            argv[n++] = "--only";
            argv[n++] = only;
        }
        argv[n++] = rules;
        argv[n] = NULL;
        struct run_opts o = {0};
        if (job_runs[k].is_file) {
            o.stdin_path = path;
        } else {
            o.input = input;
            o.input_len = len;
        }
        struct run r;
        run_with(&r, &o, argv);
        ck_assert_msg(r.status == 1, "--jobs %s: status %d: %.200s", job_runs[k].jobs, r.status,
                      r.err);
        if (k == 0) {
            ref = r;
            continue;
        }
        check_same("stdout", job_runs[k].jobs, r.out, r.out_len, ref.out, ref.out_len);
        check_same("stderr", job_runs[k].jobs, r.err, r.err_len, ref.err, ref.err_len);
        run_free(&r);
    }
    if (!only) {
        /* One line per record; verdicts end in their context, errors are errors. */
        cJSON *lines = parse_lines(&ref, 6000);
        int campaigns = 0, errors = 0;
        for (cJSON *obj = lines->child; obj; obj = obj->next) {
            const char *action = cJSON_GetObjectItem(obj, "action")->valuestring;
            if (strcmp(action, "error") == 0) {
                errors++;
                continue;
            }
            cJSON *last = obj->child;
            while (last->next)
                last = last->next;
            ck_assert_str_eq(last->string, "context");
            cJSON *id = cJSON_GetObjectItem(obj, "id");
            cJSON *fired = cJSON_GetObjectItem(obj, "rules");
            if (!cJSON_IsString(id) || id->valuestring[0] != 'p' || !fired)
                continue;
            for (cJSON *rule = fired->child; rule; rule = rule->next)
                campaigns += strcmp(cJSON_GetObjectItem(rule, "id")->valuestring,
                                    "campaign.authors") == 0;
        }
        ck_assert_int_gt(errors, 50);
        ck_assert_int_gt(campaigns, 500);
        cJSON_Delete(lines);
    }
    run_free(&ref);
    free(input);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* With --censor too, and plain text: the same for any --jobs. */
START_TEST(test_context_censor_and_text)
{
    size_t len;
    char *input = make_context_stream(&len, 0, 4000);
    const char *dir = make_tmpdir();
    char path[PATH_MAX], rules[PATH_MAX];
    snprintf(path, sizeof path, "%s/ctx.jsonl", dir);
    snprintf(rules, sizeof rules, "%s", test_path(CONTEXT_RULES));
    write_file(path, input, len);
    static const char *const formats[] = {"jsonl", "text"};
    for (int k = 0; k < 2; k++) {
        struct run ref, r;
        struct run_opts o = {.stdin_path = path};
        const char *one[] = {"quell", "filter", "-f", formats[k], "--context", "--censor",
                             "-j", "1", rules, NULL};
        const char *four[] = {"quell", "filter", "-f", formats[k], "--context", "--censor",
                              "-j", "4", rules, NULL};
        run_with(&ref, &o, one);
        run_with(&r, &o, four);
        ck_assert_msg(ref.status <= 1, "status %d: %.200s", ref.status, ref.err);
        ck_assert_ptr_nonnull(strstr(ref.out, "\"censored\":"));
        /* Plain text has no authors: copies only. */
        ck_assert_ptr_nonnull(strstr(ref.out, k == 0 ? "campaign.authors" : "campaign.copies"));
        check_same("stdout", "4", r.out, r.out_len, ref.out, ref.out_len);
        run_free(&ref);
        run_free(&r);
    }
    free(input);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* --context-file: a stream cut in two and resumed gives the verdicts of
 * one run; a damaged file is an error, not a fresh start. */
START_TEST(test_context_file_resumes)
{
    size_t whole_len, a_len, b_len;
    char *whole = make_context_stream(&whole_len, 0, 3000);
    char *a = make_context_stream(&a_len, 0, 1700);
    char *b = make_context_stream(&b_len, 1700, 3000);
    const char *dir = make_tmpdir();
    char state[PATH_MAX], rules[PATH_MAX];
    snprintf(state, sizeof state, "%s/state.ctx", dir);
    snprintf(rules, sizeof rules, "%s", test_path(CONTEXT_RULES));
    struct run one, r1, r2;
    RUN(&one, whole, "filter", "-f", "jsonl", "--context", "-j", "2", rules);
    RUN(&r1, a, "filter", "-f", "jsonl", "--context-file", state, "-j", "2", rules);
    RUN(&r2, b, "filter", "-f", "jsonl", "--context-file", state, "-j", "3", rules);
    ck_assert_int_eq(r1.status, 1);
    ck_assert_int_eq(r2.status, 1);
    char *joined = NULL;
    size_t joined_len = 0, joined_cap = 0;
    buf_append(&joined, &joined_len, &joined_cap, r1.out, r1.out_len);
    buf_append(&joined, &joined_len, &joined_cap, r2.out, r2.out_len);
    check_same("stdout", "1 and 2 resumed", joined, joined_len, one.out, one.out_len);
    /* Without the file, the second half forgets the first. */
    struct run fresh;
    RUN(&fresh, b, "filter", "-f", "jsonl", "--context", rules);
    ck_assert(fresh.out_len != r2.out_len || memcmp(fresh.out, r2.out, r2.out_len) != 0);
    /* A damaged file. */
    size_t state_len;
    char *bytes = read_file(state, &state_len);
    bytes[state_len / 2] ^= 1;
    write_file(state, bytes, state_len);
    struct run bad;
    RUN(&bad, b, "filter", "-f", "jsonl", "--context-file", state, rules);
    ck_assert_int_eq(bad.status, 4);
    ck_assert_msg(strstr(bad.err, "not a saved quell context") != NULL, "%s", bad.err);
    ck_assert_uint_eq(bad.out_len, 0);
    free(bytes);
    free(joined);
    run_free(&one);
    run_free(&r1);
    run_free(&r2);
    run_free(&fresh);
    run_free(&bad);
    free(whole);
    free(a);
    free(b);
    unlink(state);
    rmdir(dir);
}
END_TEST

/* -j takes 1 to 64, as the help says; more is a usage error, not capped. */
START_TEST(test_jobs_limit)
{
    struct run r;
    RUN(&r, "hello\nyou idiot\n", "filter", "-j", "64", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, 2);
    check_line(lines, 1, "2", "flag");
    cJSON_Delete(lines);
    run_free(&r);
    RUN(&r, "", "filter", "-j", "65", test_path(RULES));
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "invalid --jobs '65' (expected 1 to 64)"));
    run_free(&r);
    RUN(&r, "", "eval", "-j", "65", "-p", "bad", "--format=jsonl", test_path(RULES), "-");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "invalid --jobs '65' (expected 1 to 64)"));
    run_free(&r);
    RUN(&r, "", "diff", "--jobs=100", "--format=jsonl", test_path(RULES), test_path(RULES), "-");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "invalid --jobs '100' (expected 1 to 64)"));
    run_free(&r);
}
END_TEST

START_TEST(test_jobs_exit_status)
{
    /* 64 KB of clean lines, then one malformed line: with two jobs and the
     * input in one read, it falls in the worker's slice, whose status must
     * still reach the exit code. */
    enum { COUNT = 1000, BAD = 900 };
    char *input = NULL;
    size_t len = 0, cap = 0;
    for (int i = 1; i <= COUNT; i++) {
        char line[100];
        int n = snprintf(line, sizeof line, "line %d is clean enough, %s\n", i,
                         i == BAD ? "but \xff" : "and padded to 64 bytes or so ....");
        buf_append(&input, &len, &cap, line, (size_t)n);
    }
    const char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/clean.txt", dir);
    write_file(path, input, len);

    const char *argv[] = {"quell", "filter", "--jobs", "2", test_path(RULES), NULL};
    struct run_opts o = {.stdin_path = path};
    struct run r;
    run_with(&r, &o, argv);
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, COUNT);
    int i = 0;
    for (cJSON *obj = lines->child; obj; obj = obj->next, i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i + 1);
        check_obj(obj, i, id, i + 1 == BAD ? "error" : "pass");
    }
    cJSON_Delete(lines);
    run_free(&r);
    free(input);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A rules file that does not load exits 3 with file:line and rule id. */
static const struct {
    const char *file;
    const char *where; /* expected in stderr */
    const char *rule;  /* expected in stderr too, or NULL */
} bad_rules[] = {
    {"tests/fixtures/cli/bad.cfg", "bad.cfg:5: ", "t.bad"},
    {"tests/fixtures/cli/syntax.cfg", "syntax.cfg:2: ", NULL},
    {"tests/fixtures/cli/syntax-string.cfg", "syntax-string.cfg:4: ", NULL},
    {"tests/fixtures/cli/no-such-file.cfg", "no-such-file.cfg", NULL},
};

START_TEST(test_bad_rules)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", test_path(bad_rules[_i].file));
    static const char *const cmds[] = {"filter", "test", "compile"};
    for (size_t c = 0; c < 3; c++) {
        struct run r;
        if (c == 2)
            RUN(&r, "", "compile", path, "-o", "/nonexistent/never-written.qdb");
        else
            RUN(&r, "idiot\n", cmds[c], path);
        ck_assert_msg(r.status == 3, "%s %s: status %d", cmds[c], path, r.status);
        ck_assert_uint_eq(r.out_len, 0);
        ck_assert_msg(strstr(r.err, bad_rules[_i].where) != NULL, "%s: %s", cmds[c], r.err);
        if (bad_rules[_i].rule)
            ck_assert_msg(strstr(r.err, bad_rules[_i].rule) != NULL, "%s: %s", cmds[c], r.err);
        run_free(&r);
    }
}
END_TEST

START_TEST(test_qdb_matches_cfg)
{
    static const char input[] = "{\"id\":\"a\",\"body\":\"you idiot, idiot\"}\n"
                                "{\"id\":2,\"body\":\"a scoundrel\",\"author\":\"bot\"}\n"
                                "{\"body\":\"spamword spamword\"}\n"
                                "{\"body\":\"nothing to see\"}\n"
                                "{broken\n";
    const char *dir = make_tmpdir();
    char qdb[PATH_MAX];
    snprintf(qdb, sizeof qdb, "%s/rules.qdb", dir);

    struct run r, from_cfg, from_qdb;
    RUN(&r, "", "compile", test_path(RULES), "-o", qdb);
    ck_assert_msg(r.status == 0, "compile: %s", r.err);
    ck_assert_uint_eq(r.out_len, 0);
    run_free(&r);

    run_quell(&from_cfg, input, sizeof input - 1, ARGS("filter", "-f", "jsonl", test_path(RULES)));
    run_quell(&from_qdb, input, sizeof input - 1, ARGS("filter", "-f", "jsonl", qdb));
    ck_assert_int_eq(from_cfg.status, 1);
    ck_assert_int_eq(from_qdb.status, 1);
    cJSON_Delete(parse_lines(&from_cfg, 5));
    ck_assert_uint_eq(from_qdb.out_len, from_cfg.out_len);
    ck_assert_mem_eq(from_qdb.out, from_cfg.out, from_cfg.out_len);
    run_free(&from_cfg);
    run_free(&from_qdb);

    /* `quell test` runs the examples from a .qdb as well. */
    RUN(&r, "", "test", qdb);
    ck_assert_msg(r.status == 0, "test %s: %s%s", qdb, r.out, r.err);
    run_free(&r);

    unlink(qdb);
    rmdir(dir);
}
END_TEST

START_TEST(test_qdb_corrupt)
{
    const char *dir = make_tmpdir();
    char qdb[PATH_MAX], bad[PATH_MAX];
    snprintf(qdb, sizeof qdb, "%s/rules.qdb", dir);
    snprintf(bad, sizeof bad, "%s/bad.qdb", dir);

    struct run r;
    RUN(&r, "", "compile", test_path(RULES), "-o", qdb);
    ck_assert_msg(r.status == 0, "compile: %s", r.err);
    run_free(&r);
    size_t len;
    char *data = read_file(qdb, &len);
    ck_assert_uint_gt(len, 64);

    /* Truncations at several points, then single flipped bytes. */
    const size_t cuts[] = {0, 8, 16, 40, len / 2, len - 1};
    const size_t flips[] = {len / 2, len - 1, len / 3};
    for (size_t i = 0; i < 9; i++) {
        if (i < 6) {
            write_file(bad, data, cuts[i]);
        } else {
            char *copy = malloc(len);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, data, len);
            copy[flips[i - 6]] ^= 0x5a;
            write_file(bad, copy, len);
            free(copy);
        }
        RUN(&r, "idiot\n", "filter", bad);
        ck_assert_msg(r.status == 3, "case %zu: status %d, stderr %s", i, r.status, r.err);
        ck_assert_uint_eq(r.out_len, 0);
        ck_assert_msg(strstr(r.err, "bad.qdb") != NULL, "case %zu: %s", i, r.err);
        ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + r.err_len - 1);
        run_free(&r);
    }
    free(data);
    unlink(bad);
    unlink(qdb);
    rmdir(dir);
}
END_TEST

START_TEST(test_test_command)
{
    struct run r;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", test_path("tests/fixtures/cli/failing.cfg"));

    RUN(&r, "", "test", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "failing.cfg:6: rule t.broken: example should fire but did "
                                "not: \"moron\"\n") != NULL,
                  "%s", r.out);
    ck_assert_msg(strstr(r.out, "failing.cfg:6: rule t.broken: example should not fire but "
                                "did: \"an idiot here\"\n") != NULL,
                  "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "t.ok"));
    char last[PATH_MAX + 64];
    snprintf(last, sizeof last, "%s: 4 examples, 2 failed\n", path);
    ck_assert_uint_ge(r.out_len, strlen(last));
    ck_assert_str_eq(r.out + r.out_len - strlen(last), last);
    run_free(&r);

    RUN(&r, "", "test", test_path(RULES));
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, ": 8 examples, 0 failed\n"));
    run_free(&r);

    /* The shipped rule set keeps its own examples. */
    RUN(&r, "", "test", test_default_rules());
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    run_free(&r);
}
END_TEST

START_TEST(test_rules_lookup)
{
    char rules[PATH_MAX];
    abs_path(test_path(RULES), rules);
    const char *argv[] = {"quell", "filter", NULL};
    struct run r;

    /* No operand: $QUELL_RULES. */
    struct run_opts o = {.input = "idiot\n", .input_len = 6, .rules_env = rules};
    run_with(&r, &o, argv);
    ck_assert_int_eq(r.status, 0);
    cJSON *lines = parse_lines(&r, 1);
    check_hit(check_line(lines, 0, "1", "flag"), "t.insult", "body", 0, 5, "idiot");
    cJSON_Delete(lines);
    run_free(&r);

    /* Neither: rules/default.cfg in the current folder (a small one here:
     * the shipped set takes seconds to compile)... */
    const char *home = make_tmpdir();
    char sub[PATH_MAX + 16], def[PATH_MAX + 32];
    snprintf(sub, sizeof sub, "%s/rules", home);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    snprintf(def, sizeof def, "%s/default.cfg", sub);
    size_t len;
    char *text = read_file(rules, &len);
    ck_assert_ptr_nonnull(text);
    FILE *f = fopen(def, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    free(text);
    o = (struct run_opts){.input = "idiot\n", .input_len = 6, .cwd = home};
    run_with(&r, &o, argv);
    ck_assert_int_eq(r.status, 0);
    lines = parse_lines(&r, 1);
    check_hit(check_line(lines, 0, "1", "flag"), "t.insult", "body", 0, 5, "idiot");
    cJSON_Delete(lines);
    run_free(&r);
    unlink(def);
    rmdir(sub);
    rmdir(home);

    /* ...and where there is none, a usage error. */
    const char *dir = make_tmpdir();
    o = (struct run_opts){.input = "hello\n", .input_len = 6, .cwd = dir};
    run_with(&r, &o, argv);
    ck_assert_int_eq(r.status, 2);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "Try 'quell filter --help'"));
    run_free(&r);
    rmdir(dir);
}
END_TEST

/* Read from fd until a newline or EOF, waiting at most timeout_ms in all. */
static size_t read_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t len = 0;
    while (len + 1 < size && (len == 0 || buf[len - 1] != '\n')) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            break;
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    return len;
}

START_TEST(test_verdict_before_eof)
{
    /* A backend writes one comment and waits for its verdict before the
     * next: quell must answer without waiting for more input or EOF. */
    const char *argv[] = {"quell", "filter", test_path(RULES), NULL};
    struct run_opts o = {0};
    int fds[3];
    pid_t pid = spawn(&o, argv, fds);
    char line[4096];

    const char *prefix = "{\"id\":1,\"action\":\"flag\",";
    ck_assert_int_eq(write(fds[0], "you idiot\n", 10), 10);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 10000), 0);
    ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "%s", line);

    /* The verdict names the rule set, as the library computes its id. */
    quell_rules *rules;
    ck_assert_int_eq(quell_rules_load(&rules, test_path(RULES), NULL), QUELL_OK);
    char want[128];
    snprintf(want, sizeof want, "{\"id\":2,\"action\":\"pass\",\"score\":0,\"rules_id\":\"%s\"}\n",
             quell_rules_id(rules));
    quell_rules_release(rules);
    ck_assert_int_eq(write(fds[0], "hello\n", 6), 6);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 10000), 0);
    ck_assert_str_eq(line, want);

    close(fds[0]);
    ck_assert_uint_eq(read_line(fds[1], line, sizeof line, 10000), 0);
    close(fds[1]);
    close(fds[2]);
    ck_assert_int_eq(wait_exit(pid), 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Reloading rules while filtering                                         */

/* Two rule sets told apart by their verdicts: "idiot" flags under A and
 * holds under B. */
static const char reload_rules_a[] =
    "version = 1;\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; } );\n"
    "rules = ( { id = \"t.idiot\"; category = \"insult\"; weight = 3.0; words = [ \"idiot\" ]; } );\n";
static const char reload_rules_b[] =
    "version = 1;\nlabel = \"second\";\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; } );\n"
    "rules = ( { id = \"t.idiot\"; category = \"insult\"; weight = 6.0; words = [ \"idiot\" ]; } );\n";
/* Fails at line 3: the reload must keep the rules it has. */
static const char reload_rules_bad[] =
    "version = 1;\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "rules = ( { id = \"t.bad\"; category = \"nowhere\"; weight = 1.0; words = [ \"x\" ]; } );\n";

/* The id the library gives the rules in text (compiled from a temp file). */
static void rules_id_of(const char *text, char *id, size_t size)
{
    quell_rules *rules;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("reload_id.cfg", text), &err);
    ck_assert_msg(rc == QUELL_OK, "%s", err.message);
    snprintf(id, size, "%s", quell_rules_id(rules));
    quell_rules_release(rules);
}

/* Read fd into buf (NUL-terminated, appended at *len) until it holds
 * needle, for at most timeout_ms; returns whether it does. */
static int read_until(int fd, char *buf, size_t size, size_t *len, const char *needle,
                      int timeout_ms)
{
    for (int waited = 0; !strstr(buf, needle) && waited < timeout_ms; waited += 100) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf + *len, size - 1 - *len);
        if (n <= 0)
            break;
        *len += (size_t)n;
        buf[*len] = '\0';
    }
    return strstr(buf, needle) != NULL;
}

START_TEST(test_reload_on_sighup)
{
    char id_a[32], id_b[32];
    rules_id_of(reload_rules_a, id_a, sizeof id_a);
    rules_id_of(reload_rules_b, id_b, sizeof id_b);
    const char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/live.cfg", dir);
    write_file(path, reload_rules_a, strlen(reload_rules_a));

    const char *argv[] = {"quell", "filter", path, NULL};
    struct run_opts o = {0};
    int fds[3];
    pid_t pid = spawn(&o, argv, fds);
    char line[4096], want[256], err[8192] = "";
    size_t err_len = 0;

    ck_assert_int_eq(write(fds[0], "you idiot\n", 10), 10);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 30000), 0);
    snprintf(want, sizeof want, "{\"id\":1,\"action\":\"flag\",\"score\":3,\"rules_id\":\"%s\"", id_a);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s", line);

    /* Bad rules: an error that says where, a count, and the old rules. */
    write_file(path, reload_rules_bad, strlen(reload_rules_bad));
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    ck_assert_msg(read_until(fds[2], err, sizeof err, &err_len, "live.cfg:3:", 60000), "%s", err);
    ck_assert_msg(strstr(err, "1 failed so far"), "%s", err);
    ck_assert_int_eq(write(fds[0], "idiot again\n", 12), 12);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 30000), 0);
    snprintf(want, sizeof want, "{\"id\":2,\"action\":\"flag\",\"score\":3,\"rules_id\":\"%s\"", id_a);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s", line);

    /* Good rules: taken from the next record on. */
    write_file(path, reload_rules_b, strlen(reload_rules_b));
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    snprintf(want, sizeof want, "rules %s second", id_b);
    ck_assert_msg(read_until(fds[2], err, sizeof err, &err_len, want, 60000), "%s", err);
    ck_assert_int_eq(write(fds[0], "an idiot\n", 9), 9);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 30000), 0);
    snprintf(want, sizeof want, "{\"id\":3,\"action\":\"hold\",\"score\":6,\"rules_id\":\"%s\"", id_b);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s", line);

    close(fds[0]);
    ck_assert_uint_eq(read_line(fds[1], line, sizeof line, 30000), 0);
    close(fds[1]);
    close(fds[2]);
    ck_assert_int_eq(wait_exit(pid), 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_reload_on_watch)
{
    char id_b[32];
    rules_id_of(reload_rules_b, id_b, sizeof id_b);
    const char *dir = make_tmpdir();
    char path[PATH_MAX], tmp[PATH_MAX];
    snprintf(path, sizeof path, "%s/watched.cfg", dir);
    snprintf(tmp, sizeof tmp, "%s/watched.tmp", dir);
    write_file(path, reload_rules_a, strlen(reload_rules_a));

    const char *argv[] = {"quell", "filter", "--watch", path, NULL};
    struct run_opts o = {0};
    int fds[3];
    pid_t pid = spawn(&o, argv, fds);
    char line[4096], want[256], err[8192] = "";
    size_t err_len = 0;
    ck_assert_int_eq(write(fds[0], "you idiot\n", 10), 10);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 30000), 0);
    ck_assert_msg(strstr(line, "\"action\":\"flag\""), "%s", line);

    /* Replaced the way editors and deploy scripts do: a new file renamed
     * over the old one. */
    write_file(tmp, reload_rules_b, strlen(reload_rules_b));
    ck_assert_int_eq(rename(tmp, path), 0);
    snprintf(want, sizeof want, "rules %s second", id_b);
    ck_assert_msg(read_until(fds[2], err, sizeof err, &err_len, want, 60000), "%s", err);
    ck_assert_int_eq(write(fds[0], "you idiot\n", 10), 10);
    ck_assert_uint_gt(read_line(fds[1], line, sizeof line, 30000), 0);
    snprintf(want, sizeof want, "{\"id\":2,\"action\":\"hold\",\"score\":6,\"rules_id\":\"%s\"", id_b);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s", line);

    close(fds[0]);
    close(fds[1]);
    close(fds[2]);
    ck_assert_int_eq(wait_exit(pid), 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* A reload in the middle of a stream scanned on two threads: every record
 * comes out once, in order, and the rule sets follow one another without
 * going back (A... then B...), whatever the threads were doing. */
#define RELOAD_STREAM_RECORDS 40000

START_TEST(test_reload_keeps_order)
{
    char id_a[32], id_b[32];
    rules_id_of(reload_rules_a, id_a, sizeof id_a);
    rules_id_of(reload_rules_b, id_b, sizeof id_b);
    const char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/stream.cfg", dir);
    write_file(path, reload_rules_a, strlen(reload_rules_a));

    const char *argv[] = {"quell", "filter", "-j", "2", "--format", "jsonl", path, NULL};
    struct run_opts o = {0};
    int fds[3];
    pid_t pid = spawn(&o, argv, fds);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);

    /* The input, written in two halves: the second only once the reload is
     * announced, so both rule sets are sure to score something. */
    size_t cap = (size_t)RELOAD_STREAM_RECORDS * 64, in_len = 0, half = 0;
    char *in = malloc(cap);
    ck_assert_ptr_nonnull(in);
    for (int i = 1; i <= RELOAD_STREAM_RECORDS; i++) {
        if (i == RELOAD_STREAM_RECORDS / 2 + 1)
            half = in_len;
        in_len += (size_t)snprintf(in + in_len, cap - in_len,
                                   "{\"id\":%d,\"body\":\"comment %d, idiot\"}\n", i, i);
    }
    size_t out_cap = (size_t)RELOAD_STREAM_RECORDS * 512, out_len = 0, sent = 0;
    char *out = malloc(out_cap);
    ck_assert_ptr_nonnull(out);
    char err[8192] = "";
    size_t err_len = 0;
    int is_reloaded = 0, is_hup_sent = 0;
    char want_reload[128];
    snprintf(want_reload, sizeof want_reload, "rules %s", id_b);

    for (int idle_ms = 0; idle_ms < 120000;) {
        size_t limit = is_reloaded ? in_len : half;
        if (sent == half && !is_hup_sent) {
            write_file(path, reload_rules_b, strlen(reload_rules_b));
            ck_assert_int_eq(kill(pid, SIGHUP), 0);
            is_hup_sent = 1;
        }
        if (sent == in_len && fds[0] >= 0) {
            close(fds[0]);
            fds[0] = -1;
        }
        struct pollfd pfd[3] = {{fds[1], POLLIN, 0},
                                {fds[2], POLLIN, 0},
                                {sent < limit ? fds[0] : -1, POLLOUT, 0}};
        if (poll(pfd, 3, 100) <= 0) {
            idle_ms += 100;
            continue;
        }
        if (pfd[2].revents & POLLOUT) {
            ssize_t n = write(fds[0], in + sent, limit - sent);
            if (n > 0)
                sent += (size_t)n;
        }
        if (pfd[0].revents & (POLLIN | POLLHUP)) {
            ck_assert_uint_lt(out_len, out_cap - 1);
            ssize_t n = read(fds[1], out + out_len, out_cap - 1 - out_len);
            if (n == 0)
                break; /* quell is done */
            if (n > 0)
                out_len += (size_t)n;
        }
        if ((pfd[1].revents & (POLLIN | POLLHUP)) && err_len < sizeof err - 1) {
            ssize_t n = read(fds[2], err + err_len, sizeof err - 1 - err_len);
            if (n > 0) {
                err_len += (size_t)n;
                err[err_len] = '\0';
            }
        }
        is_reloaded = is_reloaded || strstr(err, want_reload) != NULL;
    }
    out[out_len] = '\0';
    if (fds[0] >= 0)
        close(fds[0]);
    close(fds[1]);
    close(fds[2]);
    ck_assert_int_eq(wait_exit(pid), 0);
    ck_assert_msg(is_reloaded, "%s", err);

    /* One line per record, ids in order, rule sets never going back. */
    int expect_id = 1, is_on_b = 0, a_count = 0, b_count = 0;
    for (char *p = out; *p; expect_id++) {
        char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        char head[64];
        snprintf(head, sizeof head, "{\"id\":%d,", expect_id);
        ck_assert_msg(strncmp(p, head, strlen(head)) == 0, "expected id %d: %s", expect_id, p);
        int is_b = strstr(p, id_b) != NULL;
        ck_assert_msg(is_b || strstr(p, id_a), "%s", p);
        ck_assert_msg(!is_on_b || is_b, "record %d went back to the old rules", expect_id);
        /* Each verdict is wholly its rule set's. */
        ck_assert_ptr_nonnull(strstr(p, is_b ? "\"score\":6" : "\"score\":3"));
        is_on_b |= is_b;
        a_count += !is_b;
        b_count += is_b;
        p = nl + 1;
    }
    ck_assert_int_eq(expect_id - 1, RELOAD_STREAM_RECORDS);
    ck_assert_int_ge(a_count, 1);
    ck_assert_int_ge(b_count, RELOAD_STREAM_RECORDS / 2);
    free(in);
    free(out);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_closed_stdout)
{
    /* The reader has gone: stop quietly with status 4. */
    const char *argv[] = {"quell", "filter", test_path(RULES), NULL};
    struct run_opts o = {.input = "idiot\nhello\n", .input_len = 12, .is_stdout_closed = 1};
    struct run r;
    run_with(&r, &o, argv);
    ck_assert_int_eq(r.status, 4);
    ck_assert_uint_eq(r.err_len, 0);
    run_free(&r);
}
END_TEST

START_TEST(test_embed_example)
{
    static char exe[PATH_MAX];
    const char *embed = getenv("QUELL_EMBED");
    abs_path(embed && embed[0] ? embed : "build/embed", exe);
    const char *argv[] = {"embed", test_default_rules(), NULL};
    struct run_opts o = {.exe = exe};
    struct run r;
    run_with(&r, &o, argv);
    ck_assert_msg(r.status == 0, "embed: %s%s", r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "-> pass"));
    ck_assert_ptr_nonnull(strstr(r.out, "idiot"));
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* filter --censor: "censored" masks each hit character, one mask apiece.   */

/* The "censored" member of a verdict line, which must be a string. */
static const char *censored_of(cJSON *obj)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "censored");
    ck_assert_msg(cJSON_IsString(c), "no \"censored\" string");
    return c->valuestring;
}

/* "يا حِمَار!" (O donkey!): U+064A U+0627, a space, then ح with kasra (U+0650),
 * م with fatha (U+064E), ا, ر: the word is bytes 5-17, six characters. */
#define AR_HIMAR                                                                                   \
    "\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x90\xd9\x85\xd9\x8e\xd8\xa7\xd8\xb1"                            \
    "!"
#define AR_HIMAR_WORD "\xd8\xad\xd9\x90\xd9\x85\xd9\x8e\xd8\xa7\xd8\xb1"
#define AR_YA         "\xd9\x8a\xd8\xa7"

/* Text input: expected by hand from docs/rules.md. */
static const struct {
    const char *line;
    const char *action;
    const char *censored; /* NULL: an error record, which gains nothing */
} censor_cases[] = {
    /* Spaced single letters join in the skeleton: the span runs from the
     * first letter to the last, the spaces between them included. */
    {"you i d i o t!", "flag", "you *********!"},
    /* "id" is no single letter, so nothing joins and nothing hits. */
    {"you id.i.o.t", "pass", "you id.i.o.t"},
    /* Each harakah is a character of its own inside the hit: masked too. */
    {AR_HIMAR, "flag", AR_YA " ******!"},
    /* Fullwidth letters (3 bytes each) and the dots between: 7 characters. */
    {"\xef\xbc\xa6.\xef\xbc\xb5.\xef\xbc\xa3.\xef\xbc\xab off", "hold", "******* off"},
    /* A zero-width joiner (U+200D) inside the word is one more character. */
    {"fu\xe2\x80\x8d"
     "ck!",
     "hold", "*****!"},
    {"bad \xff", "error", NULL},
    {"clean", "pass", "clean"},
};

START_TEST(test_censor_text)
{
    char input[512] = "";
    size_t count = sizeof censor_cases / sizeof censor_cases[0];
    for (size_t i = 0; i < count; i++) {
        strcat(input, censor_cases[i].line);
        strcat(input, "\n");
    }
    struct run r, plain;
    RUN(&r, input, "filter", "--censor", test_path(VIEWS));
    RUN(&plain, input, "filter", test_path(VIEWS));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, (int)count);
    for (size_t i = 0; i < count; i++) {
        char id[8];
        snprintf(id, sizeof id, "%zu", i + 1);
        cJSON *obj = check_line(lines, (int)i, id, censor_cases[i].action);
        if (censor_cases[i].censored)
            ck_assert_str_eq(censored_of(obj), censor_cases[i].censored);
        else
            ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(obj, "censored"));
    }
    check_hit(cJSON_GetArrayItem(lines, 0), "v.idiot", "body", 4, 13, "i d i o t");
    check_hit(cJSON_GetArrayItem(lines, 2), "v.himar", "body", 5, 17, AR_HIMAR_WORD);
    cJSON_Delete(lines);

    /* Each line is the plain verdict with one member more, at the end. */
    const char *p = r.out, *q = plain.out;
    for (size_t i = 0; i < count; i++) {
        const char *p_nl = strchr(p, '\n'), *q_nl = strchr(q, '\n');
        ck_assert_ptr_nonnull(p_nl);
        ck_assert_ptr_nonnull(q_nl);
        size_t common = (size_t)(q_nl - q) - 1; /* up to the closing brace */
        ck_assert_msg(strncmp(p, q, common) == 0, "line %zu: %.*s", i + 1, (int)(p_nl - p), p);
        if (censor_cases[i].censored)
            ck_assert_msg(strncmp(p + common, ",\"censored\":\"", 13) == 0, "line %zu", i + 1);
        else
            ck_assert_msg(p_nl - p == q_nl - q, "line %zu", i + 1);
        p = p_nl + 1;
        q = q_nl + 1;
    }
    run_free(&plain);
    run_free(&r);
}
END_TEST

START_TEST(test_censor_jsonl_nul)
{
    struct run r;
    /* The body is censored as decoded from JSON, and written escaped; an
     * author hit masks nothing in the body. */
    RUN(&r,
        "{\"id\":\"a\",\"body\":\"tab\\tidiot \\\"q\\\"\",\"author\":\"bot\"}\n"
        "{\"id\":2,\"body\":\"ok\"}\n"
        "{\"id\":3}\n",
        "filter", "-f", "jsonl", "--censor=#", test_path(VIEWS));
    ck_assert_int_eq(r.status, 1);
    cJSON *lines = parse_lines(&r, 3);
    ck_assert_str_eq(censored_of(check_line(lines, 0, "\"a\"", "hold")), "tab\t##### \"q\"");
    ck_assert_str_eq(censored_of(check_line(lines, 1, "2", "pass")), "ok");
    ck_assert_ptr_null(
        cJSON_GetObjectItemCaseSensitive(check_line(lines, 2, "3", "error"), "censored"));
    cJSON_Delete(lines);
    run_free(&r);

    /* A multi-line NUL-framed comment; a mask JSON must escape. */
    static const char nul_input[] = "line one\nidiot\0x";
    run_quell(&r, nul_input, sizeof nul_input - 1,
              ARGS("filter", "--format=nul", "--censor=\"", test_path(VIEWS)));
    ck_assert_int_eq(r.status, 0);
    lines = parse_lines(&r, 2);
    ck_assert_str_eq(censored_of(check_line(lines, 0, "1", "flag")), "line one\n\"\"\"\"\"");
    ck_assert_str_eq(censored_of(check_line(lines, 1, "2", "pass")), "x");
    cJSON_Delete(lines);
    run_free(&r);
}
END_TEST

START_TEST(test_censor_jobs)
{
    /* About 100 KB in one read: enough for two jobs to take a slice each. */
    enum { COUNT = 2400 };
    size_t kinds = sizeof censor_cases / sizeof censor_cases[0];
    char *input = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < COUNT; i++) {
        char line[128];
        int n = snprintf(line, sizeof line, "%s  padding line %d to forty bytes\n",
                         censor_cases[(size_t)i % kinds].line, i);
        buf_append(&input, &len, &cap, line, (size_t)n);
    }
    const char *dir = make_tmpdir();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/censor.txt", dir);
    write_file(path, input, len);

    struct run r[2];
    static const char *const jobs[] = {"1", "2"};
    for (int k = 0; k < 2; k++) {
        const char *argv[] = {"quell", "filter", "--censor", "-j", jobs[k], test_path(VIEWS), NULL};
        struct run_opts o = {.stdin_path = path};
        run_with(&r[k], &o, argv);
        ck_assert_int_eq(r[k].status, 1);
    }
    check_same("stdout", "2", r[1].out, r[1].out_len, r[0].out, r[0].out_len);
    cJSON *lines = parse_lines(&r[0], COUNT);
    int i = 0;
    for (cJSON *obj = lines->child; obj; obj = obj->next, i++) {
        const char *want = censor_cases[(size_t)i % kinds].censored;
        if (!want) {
            ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(obj, "censored"));
            continue;
        }
        const char *got = censored_of(obj);
        ck_assert_msg(strncmp(got, want, strlen(want)) == 0 &&
                          strncmp(got + strlen(want), "  padding", 9) == 0,
                      "line %d: %s", i + 1, got);
    }
    cJSON_Delete(lines);
    run_free(&r[0]);
    run_free(&r[1]);
    free(input);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* explain: views, hits and the verdict, for a person.                       */

/* Check that out holds each of the NULL-terminated strings in want. */
static void check_has(const struct run *r, const char *const want[])
{
    for (size_t i = 0; want[i]; i++)
        ck_assert_msg(strstr(r->out, want[i]) != NULL, "missing \"%s\" in:\n%s", want[i], r->out);
}

START_TEST(test_explain_plain)
{
    struct run r;
    /* "ＦＵＣＫ" in fullwidth letters (3 bytes each) with dots: 15 bytes. */
    RUN(&r, "", "explain", test_path(VIEWS), "\xef\xbc\xa6.\xef\xbc\xb5.\xef\xbc\xa3.\xef\xbc\xab");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_uint_eq(r.err_len, 0);
    ck_assert_ptr_null(strchr(r.out, '\033')); /* a pipe: no colour */
    check_has(
        &r,
        ARGS("Comment body:\n  \xef\xbc\xa6.\xef\xbc\xb5.\xef\xbc\xa3.\xef\xbc\xab\n",
             "Censored body:\n  *******\n",
             "\n  raw       \xef\xbc\xa6.\xef\xbc\xb5.\xef\xbc\xa3.\xef\xbc\xab\n",
             "\n  folded    f.u.c.k\n", "\n  skeleton  fuck\n",
             "Hits (1):\n  1. rule v.fuck, category profanity, skeleton view, pattern "
             "\"fuck\"\n     body 0-15: \"\xef\xbc\xa6.\xef\xbc\xb5.\xef\xbc\xa3.\xef\xbc\xab\"\n",
             "Rules fired:\n  v.fuck  profanity  count 1  score 6\n", "\n  profanity  6\n",
             "\nTotal score: 6\n", "\nThresholds:  flag at 3, hold at 6, reject at 10\n",
             "\nAction:      hold\n"));
    run_free(&r);

    /* Standard input, with '-' or without TEXT, is the body; the final
     * newline is dropped. */
    struct run dash;
    RUN(&r, "you i d i o t!\n", "explain", test_path(VIEWS));
    RUN(&dash, "you i d i o t!\n", "explain", test_path(VIEWS), "-");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, dash.out);
    check_has(&r, ARGS("Comment body:\n  you i d i o t!\nCensored body:\n  you *********!\n",
                       "\n  skeleton  you idiot!\n",
                       "rule v.idiot, category insult, skeleton view, pattern \"idiot\"\n"
                       "     body 4-13: \"i d i o t\"\n",
                       "\nAction:      flag\n"));
    run_free(&dash);
    run_free(&r);

    /* The author field, a raw-view hit and a reject: still exit 0. */
    RUN(&r, "", "explain", "--author", "bot", test_path(VIEWS), "see http://x.y");
    ck_assert_int_eq(r.status, 0);
    check_has(&r, ARGS("Comment author:\n  bot\n", "rule v.link, category spam, raw view",
                       "     body 4-14: \"http://x.y\"\n", "     author 0-3: \"bot\"\n",
                       "\nTotal score: 13\n", "\nAction:      reject\n"));
    run_free(&r);

    RUN(&r, "", "explain", test_path(VIEWS), "hello");
    ck_assert_int_eq(r.status, 0);
    check_has(&r, ARGS("Hits (0):\n  none\n", "Rules fired:\n  none\n", "\nAction:      pass\n"));
    ck_assert_ptr_null(strstr(r.out, "Censored"));
    run_free(&r);
}
END_TEST

/* The allow list's decisions: a hit inside an allowed word is set aside. */
START_TEST(test_explain_allowed)
{
    const char *cfg = test_write_temp(
        "allow.cfg", "version = 1;\n"
                     "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
                     "categories = ( { name = \"p\"; allow = [ \"Scunthorpe\" ]; } );\n"
                     "rules = ( { id = \"p.c\"; category = \"p\"; weight = 3.0;\n"
                     "            substrings = [ \"cunt\" ]; } );\n");
    struct run r;
    RUN(&r, "", "explain", cfg, "Scunthorpe United");
    ck_assert_msg(r.status == 0, "%s", r.err);
    check_has(&r, ARGS("Hits (0):\n  none\n",
                       "Set aside (1, not scored):\n  1. rule p.c, body 1-5 \"cunt\": inside a "
                       "word on the allow list\n",
                       "Action:      pass\n"));
    run_free(&r);
}
END_TEST

START_TEST(test_explain_color)
{
    struct run r;
    RUN(&r, "", "explain", "--color=always", test_path(VIEWS), "you idiot");
    ck_assert_int_eq(r.status, 0);
    /* The hit characters are highlighted in the comment, and reset after. */
    ck_assert_msg(strstr(r.out, "  you \033[1;4;31midiot\033[0m\n") != NULL, "%s", r.out);
    run_free(&r);

    RUN(&r, "", "explain", "--color", test_path(VIEWS), "you idiot");
    ck_assert_ptr_nonnull(strchr(r.out, '\033'));
    run_free(&r);

    RUN(&r, "", "explain", "--color=never", test_path(VIEWS), "you idiot");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "  you idiot\n"));
    ck_assert_ptr_null(strchr(r.out, '\033'));
    run_free(&r);
}
END_TEST

/* Run quell with stdout on a pseudo-terminal and NO_COLOR set to no_color
 * (NULL: unset); returns what it wrote, malloc'd, and its exit status. */
static char *run_on_tty(const char *const argv[], const char *no_color, int *status)
{
    const char *exe = quell_bin();
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    char slave_name[PATH_MAX];
    const char *name = ptsname(master);
    ck_assert_ptr_nonnull(name);
    snprintf(slave_name, sizeof slave_name, "%s", name);

    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(slave_name, O_RDWR | O_NOCTTY);
        int null = open("/dev/null", O_RDWR);
        if (slave < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
            dup2(slave, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
            _exit(126);
        if (no_color)
            setenv("NO_COLOR", no_color, 1);
        else
            unsetenv("NO_COLOR");
        setenv("TERM", "xterm", 1);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    /* Linux reports EIO on the master once the child has closed the slave. */
    char *out = NULL;
    size_t len = 0, cap = 0;
    buf_append(&out, &len, &cap, "", 0);
    for (;;) {
        char chunk[4096];
        ssize_t n = read(master, chunk, sizeof chunk);
        if (n > 0)
            buf_append(&out, &len, &cap, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(master);
    *status = wait_exit(pid);
    return out;
}

START_TEST(test_explain_color_auto)
{
    const char *argv[] = {"quell", "explain", test_path(VIEWS), "you idiot", NULL};
    int status;
    char *out = run_on_tty(argv, NULL, &status);
    ck_assert_int_eq(status, 0);
    ck_assert_msg(strstr(out, "\033[1;4;31midiot\033[0m") != NULL, "%s", out);
    free(out);

    out = run_on_tty(argv, "1", &status);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_nonnull(strstr(out, "Action:"));
    ck_assert_ptr_null(strchr(out, '\033'));
    free(out);
}
END_TEST

START_TEST(test_explain_errors)
{
    struct run r;
    /* Invalid UTF-8, in the body or the author: a message, nothing on stdout. */
    RUN(&r, "fine\nthen \xff\n", "explain", test_path(VIEWS), "-");
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_str_eq(r.err, "quell: body: invalid UTF-8 at byte 10\n");
    run_free(&r);

    RUN(&r, "", "explain", "--author=\xc0\xaf", test_path(VIEWS), "hi");
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "quell: author: invalid UTF-8"));
    run_free(&r);

    RUN(&r, "", "explain", test_path("tests/fixtures/cli/bad.cfg"), "idiot");
    ck_assert_int_eq(r.status, 3);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.cfg:5: "));
    run_free(&r);

    /* One operand ending in .cfg is RULES, so a missing one is a rules error... */
    RUN(&r, "idiot", "explain", "no-such-rules.cfg");
    ck_assert_int_eq(r.status, 3);
    run_free(&r);

    /* ...and after '--', a TEXT may start with '-'. */
    RUN(&r, "", "explain", test_path(VIEWS), "--", "-idiot-");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "     body 1-6: \"idiot\"\n"));
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* eval: rules measured against labelled corpora.                            */

/*
 * Fixtures in tests/fixtures/eval, figures worked out by hand from rules.cfg
 * ("idiot" flags, "stupid" fires but passes alone, "spamword" rejects) with
 * --positive bad,spam. small.csv (a BOM before "text", the first column; CRLF;
 * 14 rows; row 2 quotes a comma and a line break): rows 10 (empty label),
 * 11 (invalid UTF-8), 13 (no label column) and 14 (empty text) are malformed;
 * of the other 10:
 *   TP rows 1, 2, 4    FP rows 5, 8    FN row 6    TN rows 3, 7, 9, 12
 *   precision 3/5 = 0.600, recall 3/4 = 0.750, F1 6/9 = 0.667, FPR 2/6 = 0.333
 *   e.idiot  rows 1, 2, 5, 8: hits 4, TP 2, FP 2, precision 0.500
 *   e.stupid rows 1, 6, 8:    hits 3, TP 2, FP 1, precision 0.667
 *   e.spam   row 4:           hits 1, TP 1, FP 0, precision 1.000
 * small.jsonl (7 lines; 5 lacks the label, 6 has a number, 7 is not JSON):
 *   TP 1, FP 1, FN 1, TN 1; e.idiot hits 2, TP 1, FP 1.
 */
#define EVAL_RULES "tests/fixtures/eval/rules.cfg"
#define EVAL_CSV   "tests/fixtures/eval/small.csv"
#define EVAL_JSONL "tests/fixtures/eval/small.jsonl"
#define EVAL_TSV   "tests/fixtures/eval/clean.tsv"

/* test_path into a buffer of the caller's, which the next call leaves alone. */
static const char *path_in(char *buf, const char *rel)
{
    snprintf(buf, PATH_MAX, "%s", test_path(rel));
    return buf;
}

START_TEST(test_eval_csv)
{
    char rules[PATH_MAX], csv[PATH_MAX];
    path_in(rules, EVAL_RULES);
    path_in(csv, EVAL_CSV);
    struct run r;
    RUN(&r, "", "eval", "--positive", "bad,spam", rules, csv);
    /* Malformed rows: the report still comes, with status 1. */
    ck_assert_msg(r.status == 1, "%d: %s", r.status, r.err);
    char head[PATH_MAX + 64];
    snprintf(head, sizeof head, "Corpus: %s\nRows read:       14\n", csv);
    check_has(&r, ARGS(head, "\nMalformed rows:  4\nEvaluated:       10\n",
                       "  should flag   TP       3  FN       1\n"
                       "  should pass   FP       2  TN       4\n",
                       "\nPrecision:            0.600\n"
                       "Recall:               0.750\n"
                       "F1:                   0.667\n"
                       "False-positive rate:  0.333\n",
                       "  rule      category     hits       TP       FP  precision\n"
                       "  e.idiot   insult          4        2        2      0.500\n"
                       "  e.stupid  insult          3        2        1      0.667\n"
                       "  e.spam    spam            1        1        0      1.000\n",
                       /* rows 4 / 1, 2 / 6, 12, 3, 7, 9 / 5, 8 */
                       "  should flag         1        2        0        1\n"
                       "  should pass         4        2        0        0\n",
                       "  insult          5        3        2      0.600\n"
                       "  spam            1        1        0      1.000\n",
                       /* scores: 10 (row 4), 4 (1, 8), 3 (2, 5), 1 (6) */
                       "     10.000        1      1.000    0.250    0.000  <- reject\n"
                       "      4.000        3      0.667    0.500    0.167\n"
                       "      3.000        5      0.600    0.750    0.333  <- flag\n"
                       "      1.000        6      0.667    1.000    0.333\n",
                       "  row 5, label good, flag, score 3: what an [[idiot]] idea\n"
                       "  row 8, label good, flag, score 4: [[stupid]] [[idiot]]\n",
                       "  row 6, label bad, pass, score 1: [[stupid]]\n"));
    /* A rule that never fired is left out; one corpus, no total. */
    ck_assert_ptr_null(strstr(r.out, "e.never"));
    ck_assert_ptr_null(strstr(r.out, "Corpus: total"));
    /* Each malformed row is named on stderr. */
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: row 10: empty label\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: row 11: invalid UTF-8"));
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: row 13: no value in column 'label'\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: row 14: empty text\n"));
    run_free(&r);

    /* A clean TSV, columns by other names: status 0. */
    char tsv[PATH_MAX];
    path_in(tsv, EVAL_TSV);
    RUN(&r, "", "eval", "-p", "bad", "--text-column=comment", "--label-column=class", rules, tsv);
    ck_assert_msg(r.status == 0, "%d: %s", r.status, r.err);
    check_has(&r, ARGS("Rows read:       2\n", "  should flag   TP       1  FN       0\n",
                       "  should pass   FP       0  TN       1\n"));
    run_free(&r);
}
END_TEST

/* Check a JSON tally's counts. */
static void check_tally(cJSON *t, double rows, double malformed, double tp, double fp, double fn,
                        double tn)
{
    const char *names[] = {"rows", "malformed", "tp", "fp", "fn", "tn"};
    double want[] = {rows, malformed, tp, fp, fn, tn};
    for (size_t i = 0; i < 6; i++) {
        cJSON *n = cJSON_GetObjectItemCaseSensitive(t, names[i]);
        ck_assert_msg(cJSON_IsNumber(n), "no number %s", names[i]);
        ck_assert_msg(n->valuedouble == want[i], "%s is %g, expected %g", names[i], n->valuedouble,
                      want[i]);
    }
}

static double number_of(cJSON *obj, const char *name)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsNumber(n), "no number %s", name);
    return n->valuedouble;
}

/* Check an object's tp, fp, fn and tn. */
static void check_tally_counts(cJSON *t, double tp, double fp, double fn, double tn)
{
    ck_assert_msg(cJSON_IsObject(t), "no object");
    ck_assert(number_of(t, "tp") == tp);
    ck_assert(number_of(t, "fp") == fp);
    ck_assert(number_of(t, "fn") == fn);
    ck_assert(number_of(t, "tn") == tn);
}

START_TEST(test_eval_json)
{
    char rules[PATH_MAX], csv[PATH_MAX], jsonl[PATH_MAX];
    path_in(rules, EVAL_RULES);
    path_in(csv, EVAL_CSV);
    path_in(jsonl, EVAL_JSONL);
    struct run r;
    RUN(&r, "", "eval", "--json", "--positive=bad,spam", rules, csv, jsonl);
    ck_assert_msg(r.status == 1, "%d: %s", r.status, r.err);
    ck_assert_msg(r.out_len > 0 && r.out[r.out_len - 1] == '\n', "%s", r.out);
    cJSON *doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "not a JSON object: %s", r.out);

    cJSON *pos = cJSON_GetObjectItemCaseSensitive(doc, "positive");
    ck_assert_int_eq(cJSON_GetArraySize(pos), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(pos, 1)->valuestring, "spam");

    cJSON *corpora = cJSON_GetObjectItemCaseSensitive(doc, "corpora");
    ck_assert_int_eq(cJSON_GetArraySize(corpora), 2);
    cJSON *c0 = cJSON_GetArrayItem(corpora, 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c0, "corpus")->valuestring, csv);
    check_tally(c0, 14, 4, 3, 2, 1, 4);
    ck_assert_double_eq_tol(number_of(c0, "precision"), 3.0 / 5, 1e-5);
    ck_assert_double_eq_tol(number_of(c0, "recall"), 3.0 / 4, 1e-5);
    ck_assert_double_eq_tol(number_of(c0, "f1"), 6.0 / 9, 1e-5);
    ck_assert_double_eq_tol(number_of(c0, "fpr"), 2.0 / 6, 1e-5);

    cJSON *rl = cJSON_GetObjectItemCaseSensitive(c0, "rules");
    ck_assert_int_eq(cJSON_GetArraySize(rl), 3);
    static const struct {
        const char *id;
        double hits, tp, fp;
    } want[] = {{"e.idiot", 4, 2, 2}, {"e.stupid", 3, 2, 1}, {"e.spam", 1, 1, 0}};
    for (int i = 0; i < 3; i++) {
        cJSON *rule = cJSON_GetArrayItem(rl, i);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(rule, "id")->valuestring, want[i].id);
        ck_assert(number_of(rule, "hits") == want[i].hits);
        ck_assert(number_of(rule, "tp") == want[i].tp);
        ck_assert(number_of(rule, "fp") == want[i].fp);
        ck_assert_double_eq_tol(number_of(rule, "precision"), want[i].tp / want[i].hits, 1e-5);
    }

    /* JSON Lines: a number label is read as its text ("1": should pass). */
    cJSON *c1 = cJSON_GetArrayItem(corpora, 1);
    check_tally(c1, 7, 2, 1, 1, 1, 2);
    cJSON *r1 = cJSON_GetObjectItemCaseSensitive(c1, "rules");
    ck_assert_int_eq(cJSON_GetArraySize(r1), 1);
    ck_assert(number_of(cJSON_GetArrayItem(r1, 0), "hits") == 2);

    /* The total adds both: TP 4, FP 3, FN 2, TN 6. */
    cJSON *total = cJSON_GetObjectItemCaseSensitive(doc, "total");
    check_tally(total, 21, 6, 4, 3, 2, 6);
    ck_assert_double_eq_tol(number_of(total, "precision"), 4.0 / 7, 1e-5);
    ck_assert_double_eq_tol(number_of(total, "recall"), 4.0 / 6, 1e-5);
    ck_assert_double_eq_tol(number_of(total, "fpr"), 3.0 / 9, 1e-5);

    /* The total's sweep merges both corpora's scores: 10 (csv 4), 4 (csv 1,
     * 8), 3 (csv 2, 5; jsonl 1, 3), 1 (csv 6). */
    cJSON *sweep = cJSON_GetObjectItemCaseSensitive(total, "sweep");
    ck_assert_int_eq(cJSON_GetArraySize(sweep), 4);
    static const double points[][3] = {{10, 1, 0}, {4, 2, 1}, {3, 4, 3}, {1, 5, 3}};
    for (int i = 0; i < 4; i++) {
        cJSON *pt = cJSON_GetArrayItem(sweep, i);
        ck_assert(number_of(pt, "threshold") == points[i][0]);
        ck_assert(number_of(pt, "tp") == points[i][1]);
        ck_assert(number_of(pt, "fp") == points[i][2]);
    }
    /* Samples name the rows and the hits' bytes: csv row 5 "what an idiot idea". */
    cJSON *samples = cJSON_GetObjectItemCaseSensitive(c0, "samples");
    ck_assert_int_eq(cJSON_GetArraySize(samples), 3);
    cJSON *s0 = cJSON_GetArrayItem(samples, 0);
    ck_assert(number_of(s0, "row") == 5);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(s0, "kind")->valuestring, "false_positive");
    cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s0, "hits"), 0);
    ck_assert(number_of(h0, "start") == 8 && number_of(h0, "end") == 13);
    cJSON *s2 = cJSON_GetArrayItem(samples, 2);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(s2, "kind")->valuestring, "false_negative");
    ck_assert(number_of(s2, "row") == 6);
    cJSON_Delete(doc);
    ck_assert_ptr_nonnull(strstr(r.err, "small.jsonl: row 5: no member 'label'\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "small.jsonl: row 7: invalid JSON at byte 0\n"));
    run_free(&r);

    /* Text: a section per corpus, then the total. */
    RUN(&r, "", "eval", "--positive=bad,spam", rules, csv, jsonl);
    check_has(&r, ARGS("\nCorpus: total\nRows read:       21\nMalformed rows:  6\n",
                       "  should flag   TP       4  FN       2\n"
                       "  should pass   FP       3  TN       6\n",
                       "Precision:            0.571\nRecall:               0.667\n"));
    run_free(&r);

    /* Any number of threads gives the same report. */
    RUN(&r, "", "eval", "--json", "-j", "1", "--positive=bad,spam", rules, csv, jsonl);
    char *one = strdup(r.out);
    run_free(&r);
    RUN(&r, "", "eval", "--json", "-j", "3", "--positive=bad,spam", rules, csv, jsonl);
    /* The date may tick over between the two runs: compare from "corpora". */
    ck_assert_str_eq(strstr(one, "\"corpora\""), strstr(r.out, "\"corpora\""));
    free(one);
    run_free(&r);
}
END_TEST

/* Which labels count, categories' own figures, budgets and stdin, on
 * small.csv (figures in the comment above test_eval_csv). */
/* quell eval --context: the stream decided in order, author and time read
 * from their members, each context rule's precision and recall. */
START_TEST(test_eval_context)
{
    static const char corpus[] =
        "{\"id\":\"a\",\"author\":\"u1\",\"time\":100,\"label\":\"campaign\",\"body\":\"Earn 500 "
        "dollars a day from home, message me on telegram now\"}\n"
        "{\"id\":\"b\",\"author\":\"u2\",\"time\":110,\"label\":\"ham\",\"body\":\"The ceasefire talks "
        "stalled again in Cairo\"}\n"
        "{\"id\":\"c\",\"author\":\"u3\",\"time\":120,\"label\":\"campaign\",\"body\":\"EARN 500 "
        "DOLLARS a day from home!! message me on telegram now\"}\n"
        "{\"id\":\"d\",\"author\":\"u4\",\"time\":130,\"label\":\"campaign\",\"body\":\"Earn 900 "
        "dollars a day from hоme, message me on telegram now\"}\n"
        "{\"id\":\"e\",\"author\":\"u5\",\"time\":140,\"label\":\"campaign\",\"body\":\"earn 500 "
        "dollars a day from home message me on telegram now 💰\"}\n"
        "{\"id\":\"f\",\"author\":\"u6\",\"time\":150,\"label\":\"ham\",\"body\":\"may god have mercy "
        "on their souls\"}\n"
        "{\"id\":\"g\",\"author\":\"u7\",\"time\":160,\"label\":\"ham\",\"body\":\"May God have mercy "
        "on their souls\"}\n"
        "{\"id\":\"h\",\"author\":\"u8\",\"time\":170,\"label\":\"ham\",\"body\":\"may god have mercy "
        "on their souls!\"}\n";
    struct run r;
    RUN(&r, corpus, "eval", "--context", "--json", "-p", "campaign", "--text-column", "body",
        "--format", "jsonl", test_path(CONTEXT_RULES), "-");
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    cJSON *report = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(report);
    cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(report, "corpora"), 0);
    cJSON *rules = cJSON_GetObjectItem(c, "context_rules");
    ck_assert_ptr_nonnull(rules);
    int seen = 0;
    for (cJSON *rule = rules->child; rule; rule = rule->next) {
        if (strcmp(cJSON_GetObjectItem(rule, "id")->valuestring, "campaign.authors") != 0)
            continue;
        seen = 1;
        ck_assert_str_eq(cJSON_GetObjectItem(rule, "fact")->valuestring, "campaign_authors");
        ck_assert_int_eq(cJSON_GetObjectItem(rule, "at_least")->valueint, 3);
        /* c, d, e: the third author on; the common phrase never counts. */
        ck_assert_int_eq(cJSON_GetObjectItem(rule, "tp")->valueint, 2);
        ck_assert_int_eq(cJSON_GetObjectItem(rule, "fp")->valueint, 0);
        ck_assert_double_eq(cJSON_GetObjectItem(rule, "recall")->valuedouble, 0.5);
    }
    ck_assert(seen);
    cJSON_Delete(report);
    run_free(&r);
    /* Without --context: no section, and the context rules never fire. */
    RUN(&r, corpus, "eval", "-p", "campaign", "--text-column", "body", "--format", "jsonl",
        test_path(CONTEXT_RULES), "-");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "Context rules"));
    ck_assert_ptr_null(strstr(r.out, "campaign.authors"));
    run_free(&r);
    const char *dir = make_tmpdir();
    char html[PATH_MAX];
    snprintf(html, sizeof html, "%s/report.html", dir);
    RUN(&r, corpus, "eval", "--context", "-p", "campaign", "--text-column", "body", "--format",
        "jsonl", "--html", html, test_path(CONTEXT_RULES), "-");
    ck_assert_ptr_nonnull(strstr(r.out, "Context rules"));
    ck_assert_ptr_nonnull(strstr(r.out, "campaign_authors >= 3"));
    run_free(&r);
    size_t page_len;
    char *page = read_file(html, &page_len);
    ck_assert_ptr_nonnull(strstr(page, "<h3>Context rules</h3>"));
    ck_assert_ptr_nonnull(strstr(page, "<code>campaign_authors &gt;= 3</code>"));
    free(page);
    unlink(html);
    rmdir(dir);
}
END_TEST

START_TEST(test_eval_options)
{
    char rules[PATH_MAX], csv[PATH_MAX];
    path_in(rules, EVAL_RULES);
    path_in(csv, EVAL_CSV);
    struct run r;

    /* --negative good is --positive bad,spam here: the labels are bad,
     * good and spam. */
    RUN(&r, "", "eval", "--json", "-n", "good", rules, csv);
    cJSON *doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "%s", r.out);
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "negative"), 0)
                         ->valuestring,
                     "good");
    check_tally(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "corpora"), 0), 14, 4, 3,
                2, 1, 4);
    cJSON_Delete(doc);
    run_free(&r);

    /* Each category's own matrix: flagged with a score in it, against the
     * label mapped to it. insult (label bad): TP rows 1, 2; FP 5, 8; FN 6;
     * TN 3, 4, 7, 9, 12. spam (label spam): TP row 4, TN the other 9. */
    RUN(&r, "", "eval", "--json", "-p", "bad,spam", "-c", "bad=insult", "--category=spam=spam",
        rules, csv);
    doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "%s", r.out);
    cJSON *cats = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "corpora"), 0), "categories");
    ck_assert_int_eq(cJSON_GetArraySize(cats), 2);
    cJSON *insult = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cats, 0), "own");
    check_tally_counts(insult, 2, 2, 1, 5);
    ck_assert_double_eq_tol(number_of(insult, "f1"), 4.0 / 7, 1e-5);
    cJSON *spam = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cats, 1), "own");
    check_tally_counts(spam, 1, 0, 0, 9);
    /* Row 4 is the only reject: spam's, rightly. */
    ck_assert_double_eq(number_of(insult, "rejected"), 0);
    ck_assert_double_eq(number_of(spam, "rejected"), 1);
    ck_assert_double_eq(number_of(spam, "rejected_tp"), 1);
    cJSON_Delete(doc);
    run_free(&r);

    /* A separate category counts only where its own score reaches the
     * threshold: "stupid" (mild, 1) never does, though rows 1 and 8 are
     * flagged by "idiot"; its FN are the bad rows 1, 2, 6. */
    char separate[PATH_MAX];
    path_in(separate, "tests/fixtures/eval/separate.cfg");
    RUN(&r, "", "eval", "--json", "-p", "bad,spam", "-c", "bad=mild", "--category=spam=spam",
        separate, csv);
    doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "%s", r.out);
    cats = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "corpora"), 0), "categories");
    ck_assert_int_eq(cJSON_GetArraySize(cats), 3);
    cJSON *mild = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cats, 1), "own");
    check_tally_counts(mild, 0, 0, 3, 7);
    ck_assert_double_eq(number_of(mild, "rejected"), 0);
    spam = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cats, 2), "own");
    check_tally_counts(spam, 1, 0, 0, 9);
    ck_assert_double_eq(number_of(spam, "rejected"), 1);
    ck_assert_double_eq(number_of(spam, "reject_precision"), 1);
    cJSON_Delete(doc);
    run_free(&r);

    /* Budgets over the 6 comments that should pass: 20% allows FP 1, at
     * threshold 4 (rows 1, 8; row 4 scores 10); 0 allows none: 10. */
    RUN(&r, "", "eval", "--json", "-p", "bad,spam", "--fp-budget=flag=20%,reject=0", rules, csv);
    doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "%s", r.out);
    cJSON *props = cJSON_GetObjectItemCaseSensitive(doc, "proposals");
    ck_assert_int_eq(cJSON_GetArraySize(props), 2);
    cJSON *flag = cJSON_GetArrayItem(props, 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(flag, "action")->valuestring, "flag");
    ck_assert(number_of(flag, "threshold") == 4 && number_of(flag, "current") == 3);
    check_tally_counts(flag, 2, 1, 2, 5);
    cJSON *reject = cJSON_GetArrayItem(props, 1);
    ck_assert(number_of(reject, "threshold") == 10);
    check_tally_counts(reject, 1, 0, 3, 6);
    cJSON_Delete(doc);
    run_free(&r);
    RUN(&r, "", "eval", "-p", "bad,spam", "--fp-budget", "1/5", "--samples=0", rules, csv);
    check_has(&r, ARGS("  flag   budget 0.2: threshold 4 (now 3): FPR 0.1667, precision 0.667, "
                       "recall 0.500\n"));
    ck_assert_ptr_null(strstr(r.out, "False positives"));
    run_free(&r);

    /* The corpus on stdin, as CSV unless --format says otherwise. */
    size_t len;
    char *text = read_file(csv, &len);
    ck_assert_ptr_nonnull(text);
    struct run in;
    run_quell(&in, text, len, ARGS("eval", "-p", "bad,spam", rules, "-"));
    ck_assert_int_eq(in.status, 1);
    check_has(&in, ARGS("Corpus: -\nRows read:       14\n", "  should flag   TP       3  FN       1\n"));
    ck_assert_ptr_nonnull(strstr(in.err, "(stdin): row 10: empty label\n"));
    run_free(&in);
    free(text);
    static const char jsonl[] = "{\"text\":\"you idiot\",\"label\":\"bad\"}\n";
    run_quell(&in, jsonl, sizeof jsonl - 1, ARGS("eval", "-p", "bad", "--format=jsonl", rules, "-"));
    ck_assert_msg(in.status == 0, "%s", in.err);
    check_has(&in, ARGS("  should flag   TP       1  FN       0\n"));
    run_free(&in);
}
END_TEST

/*
 * diff: rules.cfg against stricter.cfg ("stupid" weighs 3, not 1) over
 * small.csv: rows 1 and 8 (stupid idiot: 4 -> 6) go flag -> hold, row 6
 * (stupid: 1 -> 3) pass -> flag; row 11 (invalid UTF-8) is malformed, and
 * with --label-column so is row 13 (no label).
 */
START_TEST(test_diff)
{
    char old[PATH_MAX], stricter[PATH_MAX], csv[PATH_MAX];
    path_in(old, EVAL_RULES);
    path_in(stricter, "tests/fixtures/eval/stricter.cfg");
    path_in(csv, EVAL_CSV);
    struct run r;
    RUN(&r, "", "diff", old, stricter, csv);
    ck_assert_msg(r.status == 1, "%d: %s", r.status, r.err);
    check_has(&r, ARGS("row 1, id 1: flag -> hold (score 4 -> 6)\n"
                       "  old: e.idiot +3, e.stupid +1\n"
                       "  new: e.idiot +3, e.stupid +3\n"
                       "  you [[stupid]] [[idiot]]\n"
                       "row 6, id 6: pass -> flag (score 1 -> 3)\n"
                       "  old: e.stupid +1\n"
                       "  new: e.stupid +3\n"
                       "  [[stupid]]\n"
                       "row 8, id 8: flag -> hold",
                       ": 14 rows, 1 malformed, 3 changed\n"
                       "  pass   -> flag          1\n"
                       "  flag   -> hold          2\n"));
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: row 11: invalid UTF-8"));
    run_free(&r);

    /* The same report for any number of threads; JSON parses. */
    RUN(&r, "", "diff", "--json", "-j", "1", "--label-column=label", old, stricter, csv);
    char *one = strdup(r.out);
    run_free(&r);
    RUN(&r, "", "diff", "--json", "-j", "3", "--label-column=label", old, stricter, csv);
    ck_assert_str_eq(one, r.out);
    free(one);
    cJSON *doc = cJSON_Parse(r.out);
    ck_assert_msg(cJSON_IsObject(doc), "%s", r.out);
    cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "corpora"), 0);
    ck_assert(number_of(c0, "malformed") == 2 && number_of(c0, "changed") == 3);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(c0, "transitions");
    ck_assert(number_of(t, "flag->hold") == 2 && number_of(t, "pass->flag") == 1);
    cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c0, "changes"), 1);
    ck_assert(number_of(ch, "row") == 6);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(ch, "label")->valuestring, "bad");
    cJSON *side = cJSON_GetObjectItemCaseSensitive(ch, "new");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(side, "action")->valuestring, "flag");
    cJSON_Delete(doc);
    run_free(&r);

    /* Plain text on stdin; a rule set against itself changes nothing. */
    RUN(&r, "stupid\nhello\n", "diff", "--format=text", old, stricter, "-");
    ck_assert_msg(r.status == 0, "%d: %s", r.status, r.err);
    check_has(&r, ARGS("row 1: pass -> flag (score 1 -> 3)\n", ": 2 rows, 0 malformed, 1 changed\n"));
    run_free(&r);
    RUN(&r, "", "diff", old, old, csv);
    check_has(&r, ARGS("no action changed\n"));
    run_free(&r);

    RUN(&r, "", "diff", old, stricter);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "missing CORPUS"));
    run_free(&r);
}
END_TEST

START_TEST(test_eval_errors)
{
    char rules[PATH_MAX], csv[PATH_MAX];
    path_in(rules, EVAL_RULES);
    path_in(csv, EVAL_CSV);
    struct run r;

    RUN(&r, "", "eval", rules, csv);
    ck_assert_int_eq(r.status, 2);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "quell: missing --positive or --negative LABELS\n"));
    run_free(&r);

    RUN(&r, "", "eval", "-p", "bad", rules);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "missing CORPUS"));
    run_free(&r);

    RUN(&r, "", "eval", "-p", "bad", "--label-column=verdict", rules, csv);
    ck_assert_int_eq(r.status, 2);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "small.csv: no column 'verdict' in the header row\n"));
    run_free(&r);

    RUN(&r, "", "eval", "-p", "bad", rules, "no-such-corpus.csv");
    ck_assert_int_eq(r.status, 4);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "quell: cannot open no-such-corpus.csv: "));
    run_free(&r);

    RUN(&r, "", "eval", "-p", "bad", "no-such-rules.cfg", csv);
    ck_assert_int_eq(r.status, 3);
    run_free(&r);

    RUN(&r, "", "eval", "-p", "bad", "--delimiter=ab", rules, csv);
    ck_assert_int_eq(r.status, 2);
    run_free(&r);

    static const struct {
        const char *args[3];
        const char *message;
    } bad[] = {
        {{"-p", "bad", "-n"}, "give one --positive or --negative list"},
        {{"-p", "bad", "--category=bad=nosuch"}, "the rules have no category 'nosuch'"},
        {{"-p", "bad", "--category=good=insult"}, "label 'good' is not a positive label"},
        {{"-p", "bad", "--category=bad"}, "expected LABEL=CATEGORY"},
        {{"-p", "bad", "--fp-budget=hold=2"}, "invalid --fp-budget 'hold=2'"},
        {{"-p", "bad", "--fp-budget=pass=0.1"}, "invalid --fp-budget 'pass=0.1'"},
        {{"-p", "bad", "--fp-budget=1/0"}, "invalid --fp-budget '1/0'"},
        {{"-p", "bad", "--samples=-1"}, "invalid --samples '-1'"},
        {{"-p", "bad", "--format=text"}, "invalid --format 'text'"},
        {{"-p", "bad", "--jobs=0"}, "invalid --jobs '0'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (strcmp(bad[i].args[2], "-n") == 0)
            RUN(&r, "", "eval", bad[i].args[0], bad[i].args[1], "-n", "good", rules, csv);
        else
            RUN(&r, "", "eval", bad[i].args[0], bad[i].args[1], bad[i].args[2], rules, csv);
        ck_assert_msg(r.status == 2, "%s: %d", bad[i].args[2], r.status);
        ck_assert_uint_eq(r.out_len, 0);
        ck_assert_msg(strstr(r.err, bad[i].message), "%s: %s", bad[i].args[2], r.err);
        run_free(&r);
    }

    RUN(&r, "", "eval", "-p", "bad", rules, "-", csv, "-");
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "stdin can be read only once"));
    run_free(&r);
}
END_TEST

/* eval, fit, diff and lint read corpora through one option parser: the
 * same options are checked alike, whatever the command. */
START_TEST(test_corpus_options_shared)
{
    char rules[PATH_MAX], csv[PATH_MAX];
    path_in(rules, EVAL_RULES);
    path_in(csv, EVAL_CSV);
    static const struct {
        const char *option;
        const char *message;
    } bad[] = {
        {"--text-column=", "empty column name"},
        {"--format=xml", "invalid --format 'xml'"},
    };
    static const char *const commands[] = {"eval", "fit", "diff", "lint"};
    struct run r;

    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (strcmp(commands[c], "eval") == 0 || strcmp(commands[c], "fit") == 0)
                RUN(&r, "", commands[c], bad[i].option, "-p", "bad", rules, csv);
            else if (strcmp(commands[c], "diff") == 0)
                RUN(&r, "", commands[c], bad[i].option, rules, rules, csv);
            else
                RUN(&r, "", commands[c], bad[i].option, rules);
            ck_assert_msg(r.status == 2, "%s %s: %d", commands[c], bad[i].option, r.status);
            ck_assert_uint_eq(r.out_len, 0);
            ck_assert_msg(strstr(r.err, bad[i].message), "%s %s: %s", commands[c],
                          bad[i].option, r.err);
            run_free(&r);
        }
    }
    /* A delimiter where the command takes one; lint does not. */
    for (size_t c = 0; c < 3; c++) {
        if (c == 2)
            RUN(&r, "", commands[c], "--delimiter=ab", rules, rules, csv);
        else
            RUN(&r, "", commands[c], "--delimiter=ab", "-p", "bad", rules, csv);
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "invalid --delimiter 'ab'"), "%s: %s", commands[c], r.err);
        run_free(&r);
    }
    RUN(&r, "", "lint", "--delimiter=;", rules);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unrecognized option"));
    run_free(&r);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");

    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_COMMAND);
    /* Each test starts quell a few times; sanitizer builds are slower. */
    tcase_add_test(tc, test_help_and_version);
    tcase_add_loop_test(tc, test_usage_errors, 0, sizeof usage_cases / sizeof usage_cases[0]);
    tcase_add_test(tc, test_text_actions_in_order);
    tcase_add_test(tc, test_corpus_options_shared);
    tcase_add_test(tc, test_text_malformed_line);
    tcase_add_test(tc, test_text_framing);
    tcase_add_test(tc, test_jsonl);
    tcase_add_test(tc, test_jsonl_field_names);
    tcase_add_test(tc, test_jsonl_exact_ids_unique_keys);
    tcase_add_test(tc, test_jsonl_bad_utf8_ids);
    tcase_add_test(tc, test_nul_format);
    tcase_add_test(tc, test_only);
    tcase_add_loop_test(tc, test_bad_rules, 0, sizeof bad_rules / sizeof bad_rules[0]);
    tcase_add_test(tc, test_test_command);
    tcase_add_test(tc, test_rules_lookup);
    tcase_add_test(tc, test_verdict_before_eof);
    tcase_add_test(tc, test_closed_stdout);
    tcase_add_test(tc, test_reload_on_sighup);
    tcase_add_test(tc, test_reload_on_watch);
    tcase_add_test(tc, test_reload_keeps_order);
    tcase_add_test(tc, test_embed_example);
    tcase_add_test(tc, test_censor_text);
    tcase_add_test(tc, test_censor_jsonl_nul);
    tcase_add_test(tc, test_explain_plain);
    tcase_add_test(tc, test_explain_allowed);
    tcase_add_test(tc, test_explain_color);
    tcase_add_test(tc, test_explain_color_auto);
    tcase_add_test(tc, test_explain_errors);
    tcase_add_test(tc, test_eval_csv);
    tcase_add_test(tc, test_eval_json);
    tcase_add_test(tc, test_eval_options);
    tcase_add_test(tc, test_eval_context);
    tcase_add_test(tc, test_eval_errors);
    tcase_add_test(tc, test_diff);
    suite_add_tcase(s, tc);

    TCase *limits = tcase_create("Limits");
    tcase_set_timeout(limits, TEST_TIMEOUT_COMMAND);
    tcase_add_test(limits, test_max_bytes);
    tcase_add_test(limits, test_long_records);
    tcase_add_test(limits, test_many_records_in_order);
    tcase_add_loop_test(limits, test_jobs_same_output, 0, sizeof only_modes / sizeof only_modes[0]);
    tcase_add_test(limits, test_jobs_exit_status);
    tcase_add_test(limits, test_jobs_limit);
    tcase_add_loop_test(limits, test_context_jobs_same_output, 0,
                        sizeof only_modes / sizeof only_modes[0]);
    tcase_add_test(limits, test_context_file_resumes);
    tcase_add_test(limits, test_context_censor_and_text);
    tcase_add_test(limits, test_censor_jobs);
    tcase_add_test(limits, test_qdb_matches_cfg);
    tcase_add_test(limits, test_qdb_corrupt);
    suite_add_tcase(s, limits);

    return s;
}
