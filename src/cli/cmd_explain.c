/*
 * cmd_explain.c - `quell explain`: show a person at a terminal how the rules see one comment:
 * its views, each hit and where it came from, and how the score and the action follow.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/readall.h"

/* Most of stdin taken as one comment: a person explains a comment, not a corpus. */
#define MAX_COMMENT_BYTES ((size_t)16 << 20)

/* ANSI SGR sequences. */
#define SGR_RESET  "\033[0m"
#define SGR_BOLD   "\033[1m"
#define SGR_HIT    "\033[1;4;31m" /* bold, underlined red: characters a rule hit */
#define SGR_HIDDEN "\033[2m"      /* dim: an invisible character shown as <U+XXXX> */

enum color { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

/* One field of the comment and the views its patterns scan, copied out of the scanner. */
struct field_text {
    const char *text; /* NULL when the comment has no such field */
    size_t len;
    char *view[3]; /* folded, skeleton and Arabizi, malloc'd */
    size_t view_len[3];
};

static void print_help(void)
{
    printf("Usage: quell explain [OPTIONS] [RULES] [TEXT | -]\n"
           "\n"
           "Show how RULES (a .cfg or .qdb file) see one comment: the comment with\n"
           "the characters that rules hit highlighted, and censored; the text of\n"
           "each view the patterns scan (raw, folded, skeleton); every hit with its\n"
           "rule, category, view, pattern and byte span in the original; then the\n"
           "rules that fired, the category scores, the total score, the action\n"
           "thresholds and the action.\n"
           "\n"
           "TEXT is the comment body. Without TEXT, or with '-', all of standard\n"
           "input is the body (one comment, lines and all; one final newline is\n"
           "dropped). A single operand is RULES when it ends in .cfg or .qdb, else\n"
           "TEXT; put a TEXT that starts with '-' after '--'.\n"
           CLI_RULES_HELP
           "\n"
           "A span START-END counts bytes of the original from 0, END excluded, like\n"
           "the start and end of 'quell filter'. Control and invisible characters\n"
           "(zero-width joiners, bidi controls, ...) are shown as <U+XXXX>.\n"
           "\n"
           "Options:\n"
           "      --author=NAME   the comment's author, for rules on that field\n"
           "      --color[=WHEN]  highlight with ANSI colours: auto (the default: when\n"
           "                      standard output is a terminal and NO_COLOR is not\n"
           "                      set), always (also --color alone) or never\n"
           "  -h, --help          display this help and exit\n"
           "\n"
           "The action does not change the exit status.\n"
           "\n");
    cli_print_exit_help("the comment cannot be scanned (not valid UTF-8, or too long)");
}

/* Whether to write ANSI colours, as https://no-color.org asks for auto. */
static int wants_color(enum color color)
{
    if (color != COLOR_AUTO)
        return color == COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR");
    if (no_color && no_color[0])
        return 0;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(STDOUT_FILENO);
}

/* Parse --color's WHEN, s; NULL (--color alone) means always. */
static int parse_color(const char *s, enum color *out)
{
    if (!s || strcmp(s, "always") == 0)
        *out = COLOR_ALWAYS;
    else if (strcmp(s, "never") == 0)
        *out = COLOR_NEVER;
    else if (strcmp(s, "auto") == 0)
        *out = COLOR_AUTO;
    else
        return -1;
    return 0;
}

/* A single operand names rules when it looks like a rules file. */
static int is_rules_name(const char *s)
{
    size_t len = strlen(s);
    return len > 4 && (strcmp(s + len - 4, ".cfg") == 0 || strcmp(s + len - 4, ".qdb") == 0);
}

/*
 * Read all of stdin into *out (malloc'd, *out_len bytes), at most
 * MAX_COMMENT_BYTES. Returns CLI_OK, or CLI_EDATA / CLI_EIO (reported).
 */
static int read_stdin(char **out, size_t *out_len)
{
    int rc = read_all(stdin, MAX_COMMENT_BYTES, out, out_len);
    if (rc == EFBIG) {
        cli_error("comment longer than %zu bytes", MAX_COMMENT_BYTES);
        return CLI_EDATA;
    }
    if (rc != 0) {
        if (rc == ENOMEM)
            cli_error("out of memory");
        else
            cli_error("read error: %s", strerror(rc));
        return CLI_EIO;
    }
    /* `echo ... | quell explain` adds a newline that is not the comment's. */
    char *buf = *out;
    if (*out_len > 0 && buf[*out_len - 1] == '\n') {
        --*out_len;
        if (*out_len > 0 && buf[*out_len - 1] == '\r')
            --*out_len;
    }
    return CLI_OK;
}

/* Decode the UTF-8 character at p (of at most avail bytes) into *cp; returns its length. */
static size_t decode_utf8(const unsigned char *p, size_t avail, uint32_t *cp)
{
    size_t n = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
    if (n > avail)
        n = avail; /* texts are checked UTF-8 before printing; this is a guard */
    static const unsigned char lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t c = p[0] & lead_mask[n];
    for (size_t k = 1; k < n; k++)
        c = (c << 6) | (p[k] & 0x3Fu);
    *cp = c;
    return n;
}

/*
 * Characters a terminal would not show, or would act on: C0 and C1
 * controls other than tab and newline, and the invisible format characters
 * that disguise a word (ZWJ, soft hyphen, bidi controls, BOM, tags).
 */
static int is_hidden(uint32_t cp)
{
    if (cp == '\t' || cp == '\n')
        return 0;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x034F || cp == 0x061C ||
           cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

/*
 * Print text, continuing each of its lines after indent spaces. With v, the
 * characters of its hits in field are highlighted (in colour only: the
 * censored line shows them without). Hits come ordered by field, then start,
 * and may overlap, so the walk keeps the furthest end seen, as quell_censor does.
 */
static void print_text(const char *text, size_t len, const quell_verdict *v, quell_field field,
                       int is_color, int indent)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t h = 0, marked_to = 0;
    int is_marked = 0;
    for (size_t i = 0; i < len;) {
        while (v && h < v->hit_count && (v->hits[h].field != field || v->hits[h].start <= i)) {
            const quell_hit *hit = &v->hits[h++];
            if (hit->field == field && hit->end > marked_to && hit->start <= i)
                marked_to = hit->end;
        }
        int want = i < marked_to;
        if (is_color && want != is_marked)
            fputs(want ? SGR_HIT : SGR_RESET, stdout);
        is_marked = want;

        uint32_t cp;
        size_t n = decode_utf8(p + i, len - i, &cp);
        if (cp == '\n') {
            /* Styles end at the line's end, so that the indent stays plain. */
            if (is_color && is_marked)
                fputs(SGR_RESET, stdout);
            printf("\n%*s", indent, "");
            if (is_color && is_marked)
                fputs(SGR_HIT, stdout);
        } else if (is_hidden(cp)) {
            if (is_color && !is_marked)
                printf(SGR_HIDDEN "<U+%04X>" SGR_RESET, (unsigned)cp);
            else
                printf("<U+%04X>", (unsigned)cp);
        } else {
            fwrite(p + i, 1, n, stdout);
        }
        i += n;
    }
    if (is_color && is_marked)
        fputs(SGR_RESET, stdout);
}

/* Format a score as the verdict lines do: to 0.001, without trailing zeros. */
static const char *format_score(double score, char *buf, size_t size)
{
    long long milli = llround(score * 1000.0);
    unsigned long long abs_milli =
        milli < 0 ? 0ull - (unsigned long long)milli : (unsigned long long)milli;
    int n = snprintf(buf, size, "%s%llu.%03llu", milli < 0 ? "-" : "", abs_milli / 1000,
                     abs_milli % 1000);
    /* Strip the fraction's trailing zeros, then a bare point. */
    while (n > 0 && (size_t)n < size && buf[n - 1] == '0' && strchr(buf, '.'))
        buf[--n] = '\0';
    if (n > 0 && (size_t)n < size && buf[n - 1] == '.')
        buf[--n] = '\0';
    return buf;
}

/* A section heading. */
static void print_heading(const char *title, int is_color)
{
    if (is_color)
        printf(SGR_BOLD "%s" SGR_RESET "\n", title);
    else
        puts(title);
}

/* Whether the verdict has a hit in field. */
static int has_hits(const quell_verdict *v, quell_field field)
{
    for (size_t h = 0; h < v->hit_count; h++) {
        if (v->hits[h].field == field)
            return 1;
    }
    return 0;
}

/* The field's text, highlighted, its censored copy when it has hits, and its views. */
static int print_field(const struct field_text *ft, quell_field field, const quell_verdict *v,
                       int is_color)
{
    static const char *const view_names[] = {"raw", "folded", "skeleton", "arabizi"};
    char heading[64];

    snprintf(heading, sizeof heading, "Comment %s:", quell_field_name(field));
    print_heading(heading, is_color);
    fputs("  ", stdout);
    print_text(ft->text, ft->len, v, field, is_color, 2);
    putchar('\n');

    if (has_hits(v, field)) {
        /* One mask byte per character: never longer than the text. */
        char *censored = malloc(ft->len + 1);
        if (!censored) {
            cli_error("out of memory");
            return CLI_EIO;
        }
        size_t len = quell_censor(v, field, ft->text, ft->len, '*', censored, ft->len + 1);
        snprintf(heading, sizeof heading, "Censored %s:", quell_field_name(field));
        print_heading(heading, is_color);
        fputs("  ", stdout);
        print_text(censored, len, NULL, field, is_color, 2);
        putchar('\n');
        free(censored);
    }

    snprintf(heading, sizeof heading, "Views of the %s:", quell_field_name(field));
    print_heading(heading, is_color);
    for (int k = 0; k < 4; k++) {
        const char *text = k == 0 ? ft->text : ft->view[k - 1];
        size_t len = k == 0 ? ft->len : ft->view_len[k - 1];
        /* The text starts in column 13; an empty view leaves no trailing blanks. */
        printf("  %s%*s", view_names[k], len ? 10 - (int)strlen(view_names[k]) : 0, "");
        print_text(text, len, NULL, field, is_color, 12);
        putchar('\n');
    }
    putchar('\n');
    return CLI_OK;
}

/* Every hit: rule, category, view and pattern, then the span and the original text. */
static void print_hits(const quell_verdict *v, int is_color)
{
    char heading[96];
    snprintf(heading, sizeof heading, "Hits (%zu%s):", v->hit_count,
             v->is_truncated ? ", more matched than are kept; counts stay exact" : "");
    print_heading(heading, is_color);
    if (v->hit_count == 0)
        puts("  none");
    for (size_t h = 0; h < v->hit_count; h++) {
        const quell_hit *hit = &v->hits[h];
        printf("  %zu. rule %s, category %s, %s view, pattern \"", h + 1, hit->rule_id,
               hit->category, hit->view);
        if (hit->pattern)
            print_text(hit->pattern, strlen(hit->pattern), NULL, hit->field, 0, 0);
        printf("\"\n     %s %zu-%zu: \"", quell_field_name(hit->field), hit->start, hit->end);
        if (is_color)
            fputs(SGR_HIT, stdout);
        print_text(hit->text, hit->end - hit->start, NULL, hit->field, 0, 6);
        if (is_color)
            fputs(SGR_RESET, stdout);
        puts("\"");
    }
    putchar('\n');
    if (v->excused_count == 0)
        return;
    snprintf(heading, sizeof heading, "Set aside (%zu, not scored):", v->excused_count);
    print_heading(heading, is_color);
    for (size_t h = 0; h < v->excused_count; h++) {
        const quell_hit *hit = &v->excused[h].hit;
        printf("  %zu. rule %s, %s %zu-%zu \"", h + 1, hit->rule_id, quell_field_name(hit->field),
               hit->start, hit->end);
        print_text(hit->text, hit->end - hit->start, NULL, hit->field, 0, 6);
        printf("\": %s\n", v->excused[h].reason == QUELL_EXCUSE_ALLOWED
                               ? "inside a word on the allow list"
                               : "failed the rule's validator");
    }
    putchar('\n');
}

/* The rules that fired, the category scores, the total, thresholds and action. */
static void print_scores(const quell_verdict *v, const quell_rules *rules, int is_color)
{
    static const char *const action_sgr[] = {"\033[1;32m", "\033[1;33m", "\033[1;35m",
                                             "\033[1;31m"};
    char num[64];
    int id_width = 4, cat_width = 8;
    for (size_t i = 0; i < v->rule_count; i++) {
        int n = (int)strlen(v->rules[i].rule_id);
        id_width = n > id_width ? n : id_width;
        n = (int)strlen(v->rules[i].category);
        cat_width = n > cat_width ? n : cat_width;
    }

    print_heading("Rules fired:", is_color);
    if (v->rule_count == 0)
        puts("  none");
    for (size_t i = 0; i < v->rule_count; i++) {
        const quell_rule_result *r = &v->rules[i];
        printf("  %-*s  %-*s  count %zu  score %s\n", id_width, r->rule_id, cat_width, r->category,
               r->count, format_score(r->score, num, sizeof num));
    }
    putchar('\n');

    print_heading("Category scores:", is_color);
    cat_width = 4;
    for (size_t i = 0; i < v->category_count; i++) {
        int n = (int)strlen(v->category_names[i]);
        cat_width = n > cat_width ? n : cat_width;
    }
    for (size_t i = 0; i < v->category_count; i++)
        printf("  %-*s  %s%s\n", cat_width, v->category_names[i],
               format_score(v->category_scores[i], num, sizeof num),
               quell_rules_category_is_separate(rules, i) ? "  (separate: not added to the total)"
                                                          : "");
    putchar('\n');

    printf("Total score: %s\n", format_score(v->score, num, sizeof num));
    fputs("Thresholds:  ", stdout);
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++)
        printf("%s%s at %s", a == QUELL_FLAG ? "" : ", ", quell_action_name((quell_action)a),
               format_score(quell_rules_threshold(rules, (quell_action)a), num, sizeof num));
    putchar('\n');
    unsigned action = (unsigned)v->action;
    if (is_color && action < sizeof action_sgr / sizeof action_sgr[0])
        printf("Action:      %s%s" SGR_RESET "\n", action_sgr[action],
               quell_action_name(v->action));
    else
        printf("Action:      %s\n", quell_action_name(v->action));
}

/*
 * Fill ft's folded, skeleton and Arabizi views with copies of what the scanner
 * shows: the scanner's own buffer lasts only until its next call.
 */
static int make_views(quell_scanner *scanner, struct field_text *ft, quell_field field)
{
    static const quell_view views[] = {QUELL_VIEW_FOLDED, QUELL_VIEW_SKELETON, QUELL_VIEW_ARABIZI};
    for (int k = 0; k < 3; k++) {
        const char *text;
        size_t len;
        quell_error err = {0};
        int rc = quell_scanner_view(scanner, views[k], ft->text, ft->len, &text, &len, &err);
        if (rc != QUELL_OK) {
            cli_error("%s: %s", quell_field_name(field),
                      err.message[0] ? err.message : quell_strerror(rc));
            return cli_exit_for(rc);
        }
        ft->view[k] = malloc(len ? len : 1);
        if (!ft->view[k]) {
            cli_error("out of memory");
            return CLI_EIO;
        }
        memcpy(ft->view[k], text, len);
        ft->view_len[k] = len;
    }
    return CLI_OK;
}

/* Scan the comment in fields and print the whole explanation. */
static int explain(const quell_rules *rules, struct field_text *fields, const char *path,
                   int is_color)
{
    quell_scanner *scanner = NULL;
    quell_error err = {0};
    int rc = quell_scanner_new(&scanner, rules, &err);
    if (rc != QUELL_OK) {
        cli_print_error(&err, NULL);
        return CLI_EIO;
    }

    /* Views first: a verdict must be used before the scanner's next call. */
    quell_comment comment = QUELL_COMMENT_INIT;
    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        if (!fields[f].text)
            continue;
        if ((rc = make_views(scanner, &fields[f], (quell_field)f)) != CLI_OK)
            goto out_free_scanner;
        comment.text[f] = fields[f].text;
        comment.text_len[f] = fields[f].len;
    }

    const quell_verdict *v;
    rc = quell_scan(scanner, &comment, &v, &err);
    if (rc != QUELL_OK) {
        cli_error("%s", err.message[0] ? err.message : quell_strerror(rc));
        rc = cli_exit_for(rc);
        goto out_free_scanner;
    }

    printf("Rules: %s (%zu rules)\n\n", path, quell_rules_rule_count(rules));
    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        if (fields[f].text && (rc = print_field(&fields[f], (quell_field)f, v, is_color)) != CLI_OK)
            goto out_free_scanner;
    }
    print_hits(v, is_color);
    print_scores(v, rules, is_color);
    rc = CLI_OK;

out_free_scanner:
    quell_scanner_free(scanner);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    enum { OPT_AUTHOR = 256, OPT_COLOR };
    static const struct option options[] = {
        {"author", required_argument, NULL, OPT_AUTHOR},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct field_text fields[QUELL_FIELD_COUNT];
    enum color color = COLOR_AUTO;
    int ch;

    memset(fields, 0, sizeof fields);
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (ch) {
        case OPT_AUTHOR:
            fields[QUELL_FIELD_AUTHOR].text = optarg;
            fields[QUELL_FIELD_AUTHOR].len = strlen(optarg);
            break;
        case OPT_COLOR:
            if (parse_color(optarg, &color) != 0)
                return cli_usage_error(
                    "explain", "invalid --color '%s' (expected auto, always or never)", optarg);
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("explain", ch, argv);
        }
    }

    const char *operand = NULL, *text = NULL;
    if (argc - optind > 2)
        return cli_usage_error("explain", "extra operand '%s'", argv[optind + 2]);
    if (argc - optind == 2) {
        operand = argv[optind];
        text = argv[optind + 1];
    } else if (argc - optind == 1) {
        if (is_rules_name(argv[optind]))
            operand = argv[optind];
        else
            text = argv[optind];
    }
    const char *path = cli_find_rules(operand);
    if (!path)
        return cli_usage_error("explain", "no rules: give RULES, set QUELL_RULES or provide %s",
                               CLI_DEFAULT_RULES);

    quell_rules *rules = NULL;
    int rc = cli_load_rules(&rules, path);
    if (rc != CLI_OK)
        return rc;

    char *input = NULL;
    struct field_text *body = &fields[QUELL_FIELD_BODY];
    if (!text || strcmp(text, "-") == 0) {
        size_t len;
        if ((rc = read_stdin(&input, &len)) != CLI_OK)
            goto out_free_rules;
        body->text = input;
        body->len = len;
    } else {
        body->text = text;
        body->len = strlen(text);
    }

    rc = explain(rules, fields, path, wants_color(color));
    rc = cli_finish_stdout(rc);

    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        for (int k = 0; k < 3; k++)
            free(fields[f].view[k]);
    }
    free(input);
out_free_rules:
    quell_rules_free(rules);
    return rc;
}
