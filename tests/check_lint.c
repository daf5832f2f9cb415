/*
 * check_lint.c - rule-set lint: each fixture in tests/fixtures/lint/ gives
 * exactly the warnings written here by hand (code, file, line, rule,
 * pattern), through the library and through `quell lint` ($QUELL_BIN).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "suites.h"
#include "quell.h"

#define FIXTURES "tests/fixtures/lint/"
#define MAX_SEEN 32

/* One expected warning. file is relative to FIXTURES; rule and pattern may
 * be NULL (none expected). */
struct want {
    const char *code;
    const char *file;
    int line;
    const char *rule;
    const char *pattern;
};

/* What the callback saw, copied: the library's strings are borrowed. */
struct seen {
    char code[8];
    char name[32];
    char file[PATH_MAX];
    int line;
    char rule[64];
    int has_rule;
    char pattern[128];
    int has_pattern;
    char message[768];
    char related_file[PATH_MAX];
    int related_line;
    char related_rule[64];
};

struct collector {
    struct seen seen[MAX_SEEN];
    size_t count;
    size_t stop_after; /* 0: never stop */
};

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int collect(void *ctx, const quell_lint_warning *w)
{
    struct collector *c = ctx;
    ck_assert_uint_lt(c->count, MAX_SEEN);
    struct seen *s = &c->seen[c->count++];
    copy(s->code, sizeof s->code, w->code);
    copy(s->name, sizeof s->name, w->name);
    copy(s->file, sizeof s->file, w->file);
    s->line = w->line;
    copy(s->rule, sizeof s->rule, w->rule_id);
    s->has_rule = w->rule_id != NULL;
    copy(s->pattern, sizeof s->pattern, w->pattern);
    s->has_pattern = w->pattern != NULL;
    copy(s->message, sizeof s->message, w->message);
    copy(s->related_file, sizeof s->related_file, w->related_file);
    s->related_line = w->related_line;
    copy(s->related_rule, sizeof s->related_rule, w->related_rule_id);
    return c->stop_after && c->count >= c->stop_after;
}

static quell_rules *load(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", test_path(name));
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_load(&rules, path, &err);
    ck_assert_msg(rc == QUELL_OK, "%s: %s:%d: %s", path, err.file, err.line, err.message);
    return rules;
}

static void lint(const quell_rules *rules, struct collector *c)
{
    quell_error err;
    size_t count = 99;
    memset(c->seen, 0, sizeof c->seen);
    c->count = 0;
    int rc = quell_rules_lint(rules, collect, c, &count, &err);
    ck_assert_msg(rc == QUELL_OK, "lint failed: %s", err.message);
    ck_assert_uint_eq(count, c->count);
}

/* Compare the warnings seen with the expected ones, in order. */
static void check_seen(const struct collector *c, const struct want *want, size_t want_count)
{
    char list[8192] = "";
    for (size_t i = 0; i < c->count; i++) {
        size_t o = strlen(list);
        snprintf(list + o, sizeof list - o, "  %s:%d %s (%s) %s\n", c->seen[i].file,
                 c->seen[i].line, c->seen[i].code, c->seen[i].rule, c->seen[i].message);
    }
    ck_assert_msg(c->count == want_count, "expected %zu warnings, got %zu:\n%s", want_count,
                  c->count, list);
    for (size_t i = 0; i < want_count; i++) {
        const struct seen *s = &c->seen[i];
        const struct want *w = &want[i];
        char file[PATH_MAX];
        snprintf(file, sizeof file, "%s", test_path(w->file));
        ck_assert_msg(
            strcmp(s->code, w->code) == 0 && strcmp(s->file, file) == 0 && s->line == w->line,
            "warning %zu: expected %s %s:%d, got:\n%s", i + 1, w->code, file, w->line, list);
        ck_assert_msg(w->rule ? s->has_rule && strcmp(s->rule, w->rule) == 0 : !s->has_rule,
                      "warning %zu: rule %s, expected %s", i + 1, s->has_rule ? s->rule : "(none)",
                      w->rule ? w->rule : "(none)");
        ck_assert_msg(w->pattern ? s->has_pattern && strcmp(s->pattern, w->pattern) == 0
                                 : !s->has_pattern,
                      "warning %zu: pattern \"%s\", expected \"%s\"", i + 1, s->pattern,
                      w->pattern ? w->pattern : "(none)");
        ck_assert_msg(s->message[0] != '\0' && strchr(s->message, '\n') == NULL,
                      "warning %zu: message must be one non-empty line", i + 1);
    }
}

/* ------------------------------------------------------------------------ */
/* Each fixture's warnings, worked out from the fixture by hand              */

static const struct want dup_want[] = {
    /* "Idiot" after "idiot": the same word once case is folded. */
    {"QL101", FIXTURES "dup.cfg", 9, "d.case", "Idiot"},
    /* Dotless i is a look-alike of i in the skeleton view. */
    {"QL102", FIXTURES "dup.cfg", 12, "d.lookalike", "\u0131diot"},
    /* Harakat, then tatweel: both fold away. */
    {"QL101", FIXTURES "dup.cfg", 16, "d.arabic",
     "\xd8\xad\xd9\x90\xd9\x85\xd9\x8e\xd8\xa7\xd8\xb1"},
    {"QL101", FIXTURES "dup.cfg", 17, "d.arabic",
     "\xd8\xad\xd9\x85\xd9\x80\xd9\x80\xd9\x80\xd8\xa7\xd8\xb1"},
    /* The same regex in two rules (d.signal's "idiot" is a weight-0 signal:
     * no warning). */
    {"QL102", FIXTURES "dup.cfg", 30, "d.regex.b", "\\bfool(s|ish)\\b"},
    /* In the folded and the skeleton view alike, said once. */
    {"QL101", FIXTURES "dup.cfg", 34, "d.views", "NINCOMPOOP"},
    /* Across two list files: found at its own line of the second list. */
    {"QL102", FIXTURES "dup-b.txt", 3, "d.list.b", "MORON"},
};

static const struct want shadow_want[] = {
    {"QL103", FIXTURES "shadow.cfg", 9, "s.dumbass", "dumbass"},
    {"QL104", FIXTURES "shadow.cfg", 13, "s.idiot", "idiotic"},
    /* "kill" is a whole word inside "kill you", not inside "killjoy". */
    {"QL103", FIXTURES "shadow.cfg", 17, "s.killyou", "kill you"},
    /* Case-sensitive "moron" is covered by caseless "moron", not the reverse:
     * not a duplicate. */
    {"QL103", FIXTURES "shadow.cfg", 19, "s.case", "moron"},
    /* Author field: "as" matches wherever "ass" does (the skeleton reads
     * both as "as"), but "ass" needs a double s. */
    {"QL103", FIXTURES "shadow.cfg", 25, "s.double", "ass"},
};

static const struct want regex_want[] = {
    {"QL201", FIXTURES "regex.cfg", 6, "r.repeat", "order\\d{1,500}now"},
    {"QL202", FIXTURES "regex.cfg", 8, "r.leading", ".*casino"},
    {"QL203", FIXTURES "regex.cfg", 10, "r.inner", "buy.+now"},
    {"QL204", FIXTURES "regex.cfg", 12, "r.short", "\\$\\d"},
    {"QL204", FIXTURES "regex.cfg", 13, "r.short", "zq"},
    /* Inside a repeated group, after an optional x: still the start. */
    {"QL202", FIXTURES "regex.cfg", 15, "r.group", "^(?:x?[^<]*)+win"},
};

static const struct want scoring_want[] = {
    {"QL305", FIXTURES "scoring.cfg", 8, NULL, NULL},
    {"QL301", FIXTURES "scoring.cfg", 11, "k.bare", NULL},
    {"QL302", FIXTURES "scoring.cfg", 12, "k.onlymust", NULL},
    {"QL302", FIXTURES "scoring.cfg", 14, "k.onlymustnot", NULL},
    {"QL303", FIXTURES "scoring.cfg", 16, "k.reject", NULL},
    /* 6 x min(min_count 2, max_hits 2) = 12 >= 10. k.capped (12, capped at
     * 8) and k.below (9.999) stay below. */
    {"QL303", FIXTURES "scoring.cfg", 18, "k.twice", NULL},
    {"QL304", FIXTURES "scoring.cfg", 24, "k.unused", NULL},
    {"QL303", FIXTURES "scoring.cfg", 26, "k.combo", NULL},
    /* k.accepted (line 31) says lint_ignore for both of its warnings;
     * k.other's lint_ignore names another code. */
    {"QL303", FIXTURES "scoring.cfg", 34, "k.other", NULL},
    /* Declared in the included file, found at its own line. */
    {"QL305", FIXTURES "scoring-more.cfg", 3, NULL, NULL},
};

static const struct want allow_want[] = {
    /* "cunt" is a word: it never fires inside Scunthorpe. */
    {"QL401", FIXTURES "allow.cfg", 5, NULL, "Scunthorpe"},
    /* "cock" matches inside, but "-" ends a word: never all of one. */
    {"QL401", FIXTURES "allow.cfg", 7, NULL, "cock-up"},
    {"QL402", FIXTURES "allow.cfg", 9, NULL, "Cocktail"},
    {"QL402", FIXTURES "allow.cfg", 11, NULL, "SHITAKE"},
    /* "ass" is a profanity pattern, and the entry is insult's. */
    {"QL401", FIXTURES "allow.cfg", 12, NULL, "assassin"},
};

static const struct {
    const char *cfg;
    const struct want *want;
    size_t want_count;
} fixtures[] = {
    {FIXTURES "clean.cfg", NULL, 0},
    {FIXTURES "dup.cfg", dup_want, sizeof dup_want / sizeof dup_want[0]},
    {FIXTURES "shadow.cfg", shadow_want, sizeof shadow_want / sizeof shadow_want[0]},
    {FIXTURES "regex.cfg", regex_want, sizeof regex_want / sizeof regex_want[0]},
    {FIXTURES "scoring.cfg", scoring_want, sizeof scoring_want / sizeof scoring_want[0]},
    {FIXTURES "allow.cfg", allow_want, sizeof allow_want / sizeof allow_want[0]},
};

START_TEST(test_fixture)
{
    quell_rules *rules = load(fixtures[_i].cfg);
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    check_seen(&c, fixtures[_i].want, fixtures[_i].want_count);
    quell_rules_free(rules);
}
END_TEST

/* A compiled .qdb keeps every position: the same warnings. */
START_TEST(test_fixture_qdb)
{
    quell_rules *rules = load(fixtures[_i].cfg);
    char *data;
    size_t len;
    quell_error err;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    quell_rules_free(rules);
    ck_assert_int_eq(quell_rules_deserialize(&rules, data, len, &err), QUELL_OK);
    free(data);
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    check_seen(&c, fixtures[_i].want, fixtures[_i].want_count);
    quell_rules_free(rules);
}
END_TEST

static const struct seen *find(const struct collector *c, const char *code, int line)
{
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->seen[i].code, code) == 0 && c->seen[i].line == line)
            return &c->seen[i];
    }
    ck_abort_msg("no %s at line %d", code, line);
    return NULL;
}

/* The messages say what both patterns read as, and the related place. */
START_TEST(test_duplicate_details)
{
    quell_rules *rules = load(FIXTURES "dup.cfg");
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    const struct seen *s = find(&c, "QL102", 12);
    ck_assert_str_eq(s->name, "duplicate-across-rules");
    ck_assert_ptr_nonnull(strstr(s->message, "both read \"idiot\" in the skeleton view"));
    ck_assert_str_eq(s->related_file, test_path(FIXTURES "dup.cfg"));
    ck_assert_int_eq(s->related_line, 8);
    ck_assert_str_eq(s->related_rule, "d.case");
    s = find(&c, "QL101", 17);
    ck_assert_str_eq(s->name, "duplicate-pattern");
    ck_assert_ptr_nonnull(strstr(s->message, "both read \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\""));
    ck_assert_int_eq(s->related_line, 15);
    s = find(&c, "QL102", 3);
    ck_assert_str_eq(s->related_file, test_path(FIXTURES "dup-a.txt"));
    ck_assert_int_eq(s->related_line, 2);
    ck_assert_str_eq(s->related_rule, "d.list.a");
    quell_rules_free(rules);

    rules = load(FIXTURES "shadow.cfg");
    lint(rules, &c);
    s = find(&c, "QL103", 9);
    ck_assert_str_eq(s->name, "shadowed-pattern");
    ck_assert_str_eq(s->related_rule, "s.ass");
    ck_assert_int_eq(s->related_line, 7);
    ck_assert_ptr_nonnull(strstr(s->message, "substring \"ass\" of rule s.ass"));
    quell_rules_free(rules);
}
END_TEST

/* An allowed word with a character that ends a word is said to be one. */
START_TEST(test_allow_not_a_word)
{
    quell_rules *rules = load(FIXTURES "allow.cfg");
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    const struct seen *s = find(&c, "QL401", 7);
    ck_assert_str_eq(s->name, "allow-never-applies");
    ck_assert_ptr_nonnull(strstr(s->message, "\"-\" ends a word"));
    s = find(&c, "QL401", 12);
    ck_assert_ptr_nonnull(strstr(s->message, "no pattern of category insult"));
    quell_rules_free(rules);
}
END_TEST

/* Warnings without a second place have no related fields. */
START_TEST(test_no_related)
{
    quell_rules *rules = load(FIXTURES "scoring.cfg");
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    for (size_t i = 0; i < c.count; i++) {
        ck_assert_str_eq(c.seen[i].related_file, "");
        ck_assert_int_eq(c.seen[i].related_line, 0);
    }
    ck_assert_ptr_nonnull(strstr(find(&c, "QL305", 8)->message, "category \"unused\""));
    ck_assert_ptr_nonnull(strstr(find(&c, "QL303", 18)->message, "scores 12"));
    quell_rules_free(rules);
}
END_TEST

/* A non-zero return stops the warnings; a NULL callback only counts. */
START_TEST(test_stop_and_count)
{
    quell_rules *rules = load(FIXTURES "scoring.cfg");
    struct collector c = {.stop_after = 2};
    size_t count = 0;
    quell_error err;
    ck_assert_int_eq(quell_rules_lint(rules, collect, &c, &count, &err), QUELL_OK);
    ck_assert_uint_eq(c.count, 2);
    ck_assert_uint_eq(count, 2);
    ck_assert_int_eq(quell_rules_lint(rules, NULL, NULL, &count, NULL), QUELL_OK);
    ck_assert_uint_eq(count, sizeof scoring_want / sizeof scoring_want[0]);
    quell_rules_free(rules);
}
END_TEST

/* One regex per case, in a rule set of its own: which of QL201-QL203 it
 * gets. Wildcards match spaces and letters both; token classes do not. */
static const struct {
    const char *regex; /* as written in the .cfg (backslashes doubled) */
    const char *codes; /* the QL20x codes expected, in order; "" for none */
} regex_cases[] = {
    {".*idiot", "QL202"},
    {"^.+idiot", "QL202"},
    {"(?i).*idiot", "QL202"},
    {"(.*)idiot", "QL202"},
    {"a?.*idiot", "QL202"},
    {"idiot|.*moron", "QL202"},
    {"[[:print:]]+idiot", "QL202"},
    {"\\\\D*idiot", "QL202"},
    {"idiot.*moron", "QL203"},
    {"idiot[\\\\s\\\\S]+moron", "QL203"},
    {"idiot(\\\\s\\\\w+)+moron", "QL203"},
    {"idiot[^x]{2,}moron", "QL203"},
    {"(?:ab c)+idiot", ""},
    {"idiot(a|b c)*moron", ""},
    {".*idiot.*moron", "QL202 QL203"},
    {"idiot\\\\d{1,101}", "QL201"},
    {"idiot\\\\d{101,}", "QL201"},
    {"idiot\\\\d{1,100}", ""},
    {"[^\\\\s]+idiot", ""},
    {"[^[:space:]]+idiot", ""},
    {"\\\\w+\\\\s+idiot", ""},
    {"idiot[^a-z]*x", ""},
    {"idiot\\\\.\\\\*", ""},
    {"idiot\\\\Q.*\\\\E", ""},
    {"idiot[.]*x", ""},
    {"\\\\bidiots?\\\\b", ""},
};

START_TEST(test_regex_reader)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "version = 1;\n"
             "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
             "categories = ( { name = \"c\"; } );\n"
             "rules = ( { id = \"r\"; category = \"c\"; weight = 1.0; regexes = [ \"%s\" ];\n"
             "  must_match = [ \"x\" ]; must_not_match = [ \"y\" ]; } );\n",
             regex_cases[_i].regex);
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("regex.cfg", cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "%s: %s", regex_cases[_i].regex, err.message);
    struct collector c = {.stop_after = 0};
    lint(rules, &c);
    char codes[64] = "";
    for (size_t i = 0; i < c.count; i++) {
        if (strncmp(c.seen[i].code, "QL20", 4) != 0 || strcmp(c.seen[i].code, "QL204") == 0)
            continue;
        size_t o = strlen(codes);
        snprintf(codes + o, sizeof codes - o, "%s%s", o ? " " : "", c.seen[i].code);
    }
    ck_assert_msg(strcmp(codes, regex_cases[_i].codes) == 0, "%s: got \"%s\", expected \"%s\"",
                  regex_cases[_i].regex, codes, regex_cases[_i].codes);
    quell_rules_free(rules);
}
END_TEST

/* The known-clean comments of clean-corpus.csv, by hand: c.idiot fires on
 * row 3, c.link on row 4 (1 of 8 each: 12.5%); c.you (weight 0) on rows 2,
 * 5 and 8, which does not count; c.cunt on none (Scunthorpe is allowed). */
static const char *const clean_comments[] = {
    "Thanks for the reporting.",
    "You are right about the budget.",
    "What an idiot.",
    "See https://example.org/report for the figures.",
    "Great piece, thank you.",
    "The council meets on Monday.",
    "I grew up near Scunthorpe.",
    "Your point about schools is fair.",
};

START_TEST(test_clean_share)
{
    quell_rules *rules = load(FIXTURES "clean.cfg");
    quell_lint_clean *clean;
    quell_error err;
    ck_assert_int_eq(quell_lint_clean_new(&clean, rules, &err), QUELL_OK);
    struct collector c = {.stop_after = 0};
    size_t count = 99;
    /* Nothing counted yet: nothing to say. */
    ck_assert_int_eq(quell_lint_clean_report(clean, 0, collect, &c, &count, &err), QUELL_OK);
    ck_assert_uint_eq(count, 0);

    for (size_t i = 0; i < sizeof clean_comments / sizeof clean_comments[0]; i++) {
        quell_comment comment = QUELL_COMMENT_INIT;
        comment.text[QUELL_FIELD_BODY] = clean_comments[i];
        comment.text_len[QUELL_FIELD_BODY] = strlen(clean_comments[i]);
        ck_assert_int_eq(quell_lint_clean_add(clean, &comment, &err), QUELL_OK);
    }
    /* Invalid UTF-8 is refused and not counted. */
    quell_comment bad = {QUELL_COMMENT_VERSION, {"bad \xff"}, {5}};
    ck_assert_int_eq(quell_lint_clean_add(clean, &bad, &err), QUELL_EINPUT);
    ck_assert_uint_eq(quell_lint_clean_comment_count(clean), 8);

    ck_assert_int_eq(quell_lint_clean_report(clean, 0.1, collect, &c, &count, &err), QUELL_OK);
    static const struct want want[] = {
        {"QL501", FIXTURES "clean.cfg", 14, "c.idiot", NULL},
        {"QL501", FIXTURES "clean.cfg", 21, "c.link", NULL},
    };
    check_seen(&c, want, 2);
    ck_assert_uint_eq(count, 2);
    ck_assert_str_eq(c.seen[0].name, "fires-on-clean");
    ck_assert_ptr_nonnull(
        strstr(c.seen[0].message, "fires on 1 of 8 known-clean comments (12.5%)"));

    /* At exactly the share allowed, no warning; above the share, none either. */
    c.count = 0;
    ck_assert_int_eq(quell_lint_clean_report(clean, 0.125, collect, &c, &count, &err), QUELL_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(quell_lint_clean_report(clean, 1, collect, &c, &count, &err), QUELL_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_uint_eq(c.count, 0);

    ck_assert_int_eq(quell_lint_clean_report(clean, -0.01, NULL, NULL, &count, &err), QUELL_EINVAL);
    ck_assert_int_eq(quell_lint_clean_report(clean, 1.5, NULL, NULL, NULL, NULL), QUELL_EINVAL);
    ck_assert_int_eq(quell_lint_clean_report(clean, NAN, NULL, NULL, NULL, NULL), QUELL_EINVAL);
    quell_lint_clean_free(clean);
    quell_lint_clean_free(NULL);
    quell_rules_free(rules);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The command                                                               */

struct run {
    int status;
    char *out;
    char *err;
};

static char *read_all(int fd)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    for (;;) {
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    return buf;
}

static int temp_fd(void)
{
    char name[] = "/tmp/quell-lint-XXXXXX";
    int fd = mkstemp(name);
    ck_assert_int_ge(fd, 0);
    unlink(name);
    return fd;
}

/* Run $QUELL_BIN (default build/quell) with args (NULL-terminated, without
 * argv[0]); stdout and stderr go through files, so neither can block. */
static void run_quell(struct run *r, const char *const args[])
{
    const char *bin = getenv("QUELL_BIN");
    if (!bin || !bin[0])
        bin = "build/quell";
    const char *argv[32] = {"quell"};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        ck_assert_uint_lt(n, 31);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    int out = temp_fd(), err = temp_fd();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
            dup2(err, STDERR_FILENO) < 0)
            _exit(126);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0)
        ck_assert_int_eq(errno, EINTR);
    ck_assert_msg(WIFEXITED(wstatus), "%s was killed", bin);
    r->status = WEXITSTATUS(wstatus);
    r->out = read_all(out);
    r->err = read_all(err);
    ck_assert_msg(r->status != 126 && r->status != 127, "cannot run %s", bin);
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Compiler-style lines, in order, then the count. */
START_TEST(test_cli_text)
{
    char path[PATH_MAX], line[2 * PATH_MAX + 512];
    snprintf(path, sizeof path, "%s", test_path(FIXTURES "allow.cfg"));
    struct run r;
    run_quell(&r, ARGS("lint", path));
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_str_eq(r.err, "");
    snprintf(line, sizeof line,
             "%s:5: warning: allowed word \"Scunthorpe\" never applies: no pattern matches "
             "inside it [QL401 allow-never-applies]\n",
             path);
    ck_assert_msg(strncmp(r.out, line, strlen(line)) == 0, "got:\n%s", r.out);
    snprintf(line, sizeof line, "\n%s: 5 warnings\n", path);
    ck_assert_msg(strlen(r.out) > strlen(line) &&
                      strcmp(r.out + strlen(r.out) - strlen(line), line) == 0,
                  "got:\n%s", r.out);
    ck_assert_uint_eq(count_lines(r.out), 6);
    run_free(&r);

    snprintf(path, sizeof path, "%s", test_path(FIXTURES "shadow.cfg"));
    run_quell(&r, ARGS("lint", path));
    snprintf(line, sizeof line,
             "%s:9: warning: word \"dumbass\" is shadowed by substring \"ass\" of rule s.ass "
             "(line 7): in the skeleton view every match of it is a match of that, so it scores "
             "in both rules [QL103 shadowed-pattern] (rule s.dumbass)\n",
             path);
    ck_assert_msg(strncmp(r.out, line, strlen(line)) == 0, "got:\n%s", r.out);
    run_free(&r);
}
END_TEST

/* --werror: warnings fail the run, a clean rule set does not. */
START_TEST(test_cli_werror)
{
    char dup[PATH_MAX], clean[PATH_MAX];
    snprintf(dup, sizeof dup, "%s", test_path(FIXTURES "dup.cfg"));
    snprintf(clean, sizeof clean, "%s", test_path(FIXTURES "clean.cfg"));
    struct run r;
    run_quell(&r, ARGS("lint", dup));
    ck_assert_int_eq(r.status, 0);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--werror", dup));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(count_lines(r.out), 8);
    run_free(&r);
    /* Ignored warnings are neither printed nor counted. */
    run_quell(&r, ARGS("lint", "--werror", "--ignore", "QL101", dup));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(count_lines(r.out), 4);
    ck_assert_ptr_null(strstr(r.out, "QL101"));
    run_free(&r);
    run_quell(&r, ARGS("lint", "--werror", "--ignore=duplicate-pattern,QL102", dup));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(count_lines(r.out), 1);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--ignore", "QL1,", dup));
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--werror", clean));
    ck_assert_int_eq(r.status, 0);
    char line[PATH_MAX + 32];
    snprintf(line, sizeof line, "%s: 0 warnings\n", clean);
    ck_assert_str_eq(r.out, line);
    run_free(&r);
}
END_TEST

static const char *json_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    ck_assert_msg(cJSON_IsString(item), "\"%s\" is not a string", name);
    return item->valuestring;
}

/* --json: one object per warning and nothing else, parsed back. */
START_TEST(test_cli_json)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", test_path(FIXTURES "dup.cfg"));
    struct run r;
    run_quell(&r, ARGS("lint", "--json", "--werror", path));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(count_lines(r.out), 7);
    const char *p = r.out;
    for (size_t i = 0; i < 7; i++) {
        const char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        cJSON *obj = cJSON_ParseWithLength(p, (size_t)(nl - p));
        ck_assert_msg(cJSON_IsObject(obj), "line %zu is not a JSON object: %.*s", i + 1,
                      (int)(nl - p), p);
        char file[PATH_MAX];
        snprintf(file, sizeof file, "%s", test_path(dup_want[i].file));
        ck_assert_str_eq(json_str(obj, "code"), dup_want[i].code);
        ck_assert_str_eq(json_str(obj, "file"), file);
        ck_assert_str_eq(json_str(obj, "rule"), dup_want[i].rule);
        ck_assert_str_eq(json_str(obj, "pattern"), dup_want[i].pattern);
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(obj, "line");
        ck_assert(cJSON_IsNumber(line) && line->valueint == dup_want[i].line);
        ck_assert(strlen(json_str(obj, "message")) > 0);
        const cJSON *related = cJSON_GetObjectItemCaseSensitive(obj, "related");
        ck_assert(cJSON_IsObject(related));
        if (i == 1) {
            ck_assert_str_eq(json_str(obj, "name"), "duplicate-across-rules");
            ck_assert_str_eq(json_str(related, "rule"), "d.case");
            ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(related, "line")->valueint, 8);
        }
        cJSON_Delete(obj);
        p = nl + 1;
    }
    run_free(&r);

    /* No rule, no pattern, no related: nulls. */
    snprintf(path, sizeof path, "%s", test_path(FIXTURES "scoring.cfg"));
    run_quell(&r, ARGS("lint", "--json", path));
    ck_assert_int_eq(r.status, 0);
    cJSON *obj = cJSON_ParseWithLength(r.out, (size_t)(strchr(r.out, '\n') - r.out));
    ck_assert_str_eq(json_str(obj, "code"), "QL305");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "rule")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "pattern")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "related")));
    cJSON_Delete(obj);
    run_free(&r);
}
END_TEST

/* Rules that do not compile: status 3 and the usual file:line error. */
START_TEST(test_cli_bad_rules)
{
    const char *path = test_write_temp("bad.cfg", "version = 1;\n"
                                                  "actions = { flag = 3.0; hold = 6.0; reject = "
                                                  "10.0; };\n"
                                                  "categories = ( { name = \"c\"; } );\n"
                                                  "rules = ( { id = \"r\"; category = \"c\";\n"
                                                  "  weight = 1.0; regexes = [ \"(unclosed\" ]; } "
                                                  ");\n");
    struct run r;
    run_quell(&r, ARGS("lint", "--werror", path));
    ck_assert_int_eq(r.status, 3);
    ck_assert_str_eq(r.out, "");
    char prefix[PATH_MAX + 32];
    snprintf(prefix, sizeof prefix, "%s:5: rule r: Missing close parenthesis", path);
    ck_assert_msg(strncmp(r.err, prefix, strlen(prefix)) == 0, "got: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, " in pattern \"(unclosed\"\n"));
    run_free(&r);
}
END_TEST

/* --clean: the hand-computed 1 of 8 (12.5%) against the share allowed. */
START_TEST(test_cli_clean)
{
    char rules[PATH_MAX], corpus[PATH_MAX], line[3 * PATH_MAX + 1024];
    snprintf(rules, sizeof rules, "%s", test_path(FIXTURES "clean.cfg"));
    snprintf(corpus, sizeof corpus, "%s", test_path(FIXTURES "clean-corpus.csv"));
    struct run r;
    /* The default share is 1%. */
    run_quell(&r, ARGS("lint", "--clean", corpus, "--text-column", "body", rules));
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    snprintf(line, sizeof line,
             "%s:14: warning: fires on 1 of 8 known-clean comments (12.5%%), more than the 1%% "
             "allowed: every one of them is a false positive [QL501 fires-on-clean] "
             "(rule c.idiot)\n"
             "%s:21: warning: fires on 1 of 8 known-clean comments (12.5%%), more than the 1%% "
             "allowed: every one of them is a false positive [QL501 fires-on-clean] "
             "(rule c.link)\n"
             "%s: 2 warnings\n",
             rules, rules, rules);
    ck_assert_str_eq(r.out, line);
    run_free(&r);

    run_quell(&r, ARGS("lint", "--clean", corpus, "--text-column=body", "--max-clean-share=10%",
                       "--werror", rules));
    ck_assert_int_eq(r.status, 1);
    ck_assert_uint_eq(count_lines(r.out), 3);
    run_free(&r);

    run_quell(&r, ARGS("lint", "--clean", corpus, "--text-column", "body", "--max-clean-share",
                       "0.125", "--werror", rules));
    ck_assert_int_eq(r.status, 0);
    snprintf(line, sizeof line, "%s: 0 warnings\n", rules);
    ck_assert_str_eq(r.out, line);
    run_free(&r);

    /* JSON Lines with a malformed row: named, not counted (1 of 2 is 50%,
     * under the 60% allowed), and the status says so. */
    const char *jsonl = test_write_temp("clean.jsonl", "{\"text\": \"Fine weather today.\"}\n"
                                                       "{\"text\": \"unclosed\n"
                                                       "{\"text\": \"What an idiot.\"}\n");
    run_quell(&r, ARGS("lint", "--clean", jsonl, "--max-clean-share", "0.6", rules));
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, line);
    ck_assert_msg(strstr(r.err, "row 2") != NULL, "stderr: %s", r.err);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--clean", jsonl, "--max-clean-share", "0.4", rules));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "fires on 1 of 2 known-clean comments (50%), more than "
                                        "the 40% allowed"));
    run_free(&r);

    /* Usage errors: a share out of range, a column the corpus lacks. */
    run_quell(&r, ARGS("lint", "--clean", corpus, "--max-clean-share", "1.5", rules));
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--clean", corpus, rules));
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "no column 'text'"));
    run_free(&r);
}
END_TEST

START_TEST(test_cli_help)
{
    struct run r;
    run_quell(&r, ARGS("lint", "--help"));
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "Usage: quell lint [OPTIONS] RULES"));
    ck_assert_ptr_nonnull(strstr(r.out, "--max-clean-share"));
    ck_assert_ptr_nonnull(strstr(r.out, "Exit status:"));
    run_free(&r);
    run_quell(&r, ARGS("lint"));
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
    run_quell(&r, ARGS("lint", "--bogus", "x.cfg"));
    ck_assert_int_eq(r.status, 2);
    run_free(&r);
}
END_TEST

Suite *lint_suite(void)
{
    Suite *s = suite_create("lint");
    TCase *tc = tcase_create("Core");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    size_t n = sizeof fixtures / sizeof fixtures[0];
    tcase_add_loop_test(tc, test_fixture, 0, (int)n);
    tcase_add_loop_test(tc, test_fixture_qdb, 0, (int)n);
    tcase_add_test(tc, test_duplicate_details);
    tcase_add_test(tc, test_no_related);
    tcase_add_test(tc, test_allow_not_a_word);
    tcase_add_test(tc, test_stop_and_count);
    tcase_add_loop_test(tc, test_regex_reader, 0,
                        (int)(sizeof regex_cases / sizeof regex_cases[0]));
    tcase_add_test(tc, test_clean_share);
    suite_add_tcase(s, tc);

    TCase *cmd = tcase_create("Command");
    tcase_set_timeout(cmd, TEST_TIMEOUT_COMMAND);
    tcase_add_test(cmd, test_cli_text);
    tcase_add_test(cmd, test_cli_werror);
    tcase_add_test(cmd, test_cli_json);
    tcase_add_test(cmd, test_cli_bad_rules);
    tcase_add_test(cmd, test_cli_clean);
    tcase_add_test(cmd, test_cli_help);
    suite_add_tcase(s, cmd);
    return s;
}
