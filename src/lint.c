/*
 * lint.c - warnings about rule sets that compile but are slow, redundant,
 * untested or wrong (docs/lint.md lists every code), and the clean-corpus
 * check that counts how often each rule fires on comments known to be clean.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>
#include <libconfig.h>

#include "clocale.h"
#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "scan.h"
#include "utf8.h"

/* Stable codes: tools and people filter on them, so never renumber. */
enum lint_code {
    LINT_DUPLICATE = 0,
    LINT_DUPLICATE_ACROSS,
    LINT_SHADOWED,
    LINT_REDUNDANT,
    LINT_LARGE_REPEAT,
    LINT_LEADING_WILDCARD,
    LINT_UNBOUNDED_WILDCARD,
    LINT_SHORT_MATCH,
    LINT_NO_EXAMPLES,
    LINT_ONE_SIDED_EXAMPLES,
    LINT_REJECTS_ALONE,
    LINT_UNUSED_SIGNAL,
    LINT_UNUSED_CATEGORY,
    LINT_ALLOW_NEVER_APPLIES,
    LINT_DUPLICATE_ALLOW,
    LINT_FIRES_ON_CLEAN,
    LINT_CODE_COUNT
};

static const struct {
    const char *code;
    const char *name;
} lint_codes[LINT_CODE_COUNT] = {
    [LINT_DUPLICATE] = {"QL101", "duplicate-pattern"},
    [LINT_DUPLICATE_ACROSS] = {"QL102", "duplicate-across-rules"},
    [LINT_SHADOWED] = {"QL103", "shadowed-pattern"},
    [LINT_REDUNDANT] = {"QL104", "redundant-pattern"},
    [LINT_LARGE_REPEAT] = {"QL201", "large-repeat"},
    [LINT_LEADING_WILDCARD] = {"QL202", "leading-wildcard"},
    [LINT_UNBOUNDED_WILDCARD] = {"QL203", "unbounded-wildcard"},
    [LINT_SHORT_MATCH] = {"QL204", "short-match"},
    [LINT_NO_EXAMPLES] = {"QL301", "no-examples"},
    [LINT_ONE_SIDED_EXAMPLES] = {"QL302", "one-sided-examples"},
    [LINT_REJECTS_ALONE] = {"QL303", "rejects-alone"},
    [LINT_UNUSED_SIGNAL] = {"QL304", "unused-signal"},
    [LINT_UNUSED_CATEGORY] = {"QL305", "unused-category"},
    [LINT_ALLOW_NEVER_APPLIES] = {"QL401", "allow-never-applies"},
    [LINT_DUPLICATE_ALLOW] = {"QL402", "duplicate-allow"},
    [LINT_FIRES_ON_CLEAN] = {"QL501", "fires-on-clean"},
};

/* A bounded repeat above this many repetitions is "large": Hyperscan builds
 * state for each one (a{1,100} compiles; under UTF-8 and start-of-match
 * tracking, .{1,40} is already "Pattern is too large"). */
#define LINT_MAX_REPEAT 100
/* A regex that can match this few bytes, or a substring this few
 * characters, fires all over ordinary text. */
#define LINT_SHORT_BYTES 2
#define LINT_SHORT_CHARS 2
/* Group nesting the regex reader follows; deeper regexes are not judged. */
#define LINT_MAX_DEPTH 64
/* A warning message, quotes included. */
#define MESSAGE_BYTES   768
#define NO_FILE         UINT32_MAX

/* One warning, kept until all are found so that they come out in file and
 * line order. Strings belong to the rules, or to the linter's pool. */
struct finding {
    uint32_t code; /* enum lint_code */
    uint32_t file; /* index into the table's files, or NO_FILE */
    uint32_t line;
    const char *rule_id;
    const char *pattern;
    const char *message;
    uint32_t related_file; /* NO_FILE: none */
    uint32_t related_line;
    const char *related_rule_id;
    size_t seq; /* order found: ties keep it */
};

struct linter {
    const struct quell_rules *rules;
    const struct rule_table *t;
    struct pool *pool; /* messages and folded allowed words */
    struct finding *findings;
    size_t count;
    size_t cap;
    quell_error *err;
};

static const char *const kind_names[] = {"word", "substring", "regex"};

/* ------------------------------------------------------------------------ */
/* Findings                                                                  */

static int fail_nomem(struct linter *lt)
{
    return err_set(lt->err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory linting rules");
}

/* Keep a finding with its message. */
__attribute__((format(printf, 3, 4))) static int note(struct linter *lt, const struct finding *f,
                                                      const char *fmt, ...)
{
    char msg[MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (lt->count == lt->cap) {
        size_t cap = lt->cap ? lt->cap * 2 : 64;
        size_t bytes;
        /* Catch size_t overflow */
        if (__builtin_mul_overflow(cap, sizeof *lt->findings, &bytes))
            return fail_nomem(lt);
        struct finding *p = realloc(lt->findings, bytes);
        if (!p)
            return fail_nomem(lt);
        lt->findings = p;
        lt->cap = cap;
    }
    struct finding *slot = &lt->findings[lt->count];
    *slot = *f;
    slot->seq = lt->count;
    slot->message = pool_strndup(lt->pool, msg, strlen(msg));
    if (!slot->message)
        return fail_nomem(lt);
    lt->count++;
    return QUELL_OK;
}

/* A finding about pattern pi. */
static struct finding at_pattern(const struct linter *lt, uint32_t code, size_t pi)
{
    const struct pattern *p = &lt->t->patterns[pi];
    return (struct finding){.code = code,
                            .file = p->file,
                            .line = p->line,
                            .rule_id = lt->t->rules[p->rule].id,
                            .pattern = p->text,
                            .related_file = NO_FILE};
}

/* A finding about rule ri. */
static struct finding at_rule(const struct linter *lt, uint32_t code, size_t ri)
{
    const struct rule *r = &lt->t->rules[ri];
    return (struct finding){
        .code = code, .file = r->file, .line = r->line, .rule_id = r->id, .related_file = NO_FILE};
}

/* "line N" when file is the one a message is about, else "FILE:N". */
static const char *place(char *buf, size_t size, const struct rule_table *t, uint32_t from_file,
                         uint32_t file, uint32_t line)
{
    if (file == from_file)
        snprintf(buf, size, "line %u", (unsigned)line);
    else
        snprintf(buf, size, "%s:%u", t->files[file], (unsigned)line);
    return buf;
}

/* Points (thousandths) as a short decimal: 10, 2.5, 0.125. */
static const char *points(char *buf, size_t size, int64_t milli)
{
    clocale_snprintf(buf, size, "%.3f", (double)milli / SCORE_UNIT);
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        end[-1] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Rules: examples, weights, signals, categories                             */

static int check_rule(struct linter *lt, size_t ri, const uint8_t *is_operand)
{
    const struct rule_table *t = lt->t;
    const struct rule *r = &t->rules[ri];
    int rc;

    size_t must = 0, must_not = 0;
    for (uint32_t k = 0; k < r->example_count; k++) {
        if (t->examples[r->example_start + k].should_match)
            must++;
        else
            must_not++;
    }
    struct finding f = at_rule(lt, LINT_NO_EXAMPLES, ri);
    if (must + must_not == 0) {
        rc = note(lt, &f,
                  "rule has no must_match or must_not_match examples: 'quell test' cannot "
                  "tell when a change breaks it");
    } else if (must == 0 || must_not == 0) {
        f.code = LINT_ONE_SIDED_EXAMPLES;
        rc = note(lt, &f,
                  must == 0 ? "rule has must_not_match examples but no must_match: nothing shows "
                              "that it fires"
                            : "rule has must_match examples but no must_not_match: nothing shows "
                              "what it must leave alone");
    } else {
        rc = QUELL_OK;
    }
    if (rc)
        return rc;

    /* What the rule scores the first time it fires, after its category's
     * cap: a combination scores its weight once, a pattern rule needs
     * min_count occurrences. */
    int64_t first = r->weight;
    if (r->expr_len == 0) {
        uint32_t count = r->min_count < r->max_hits ? r->min_count : r->max_hits;
        first = r->weight * (int64_t)count;
    }
    int64_t cap = t->categories[r->category].cap;
    if (cap >= 0 && first > cap)
        first = cap;
    int64_t reject = t->threshold[QUELL_REJECT];
    if (first > 0 && first >= reject) {
        f = at_rule(lt, LINT_REJECTS_ALONE, ri);
        char a[32], b[32], c[32];
        if (r->expr_len)
            rc = note(lt, &f,
                      "weight %s alone reaches the reject threshold %s: the combination rejects "
                      "every comment it holds for",
                      points(a, sizeof a, first), points(b, sizeof b, reject));
        else if (r->min_count <= 1)
            rc = note(lt, &f,
                      "weight %s alone reaches the reject threshold %s: a single occurrence "
                      "rejects the comment",
                      points(a, sizeof a, first), points(b, sizeof b, reject));
        else
            rc = note(lt, &f,
                      "its first firing (min_count %u, weight %s) scores %s, the reject threshold "
                      "%s: it rejects a comment alone",
                      (unsigned)r->min_count, points(c, sizeof c, r->weight),
                      points(a, sizeof a, first), points(b, sizeof b, reject));
        if (rc)
            return rc;
    }

    if (r->weight == 0 && !is_operand[ri]) {
        f = at_rule(lt, LINT_UNUSED_SIGNAL, ri);
        return note(lt, &f,
                    "weight is 0 and no combination uses the rule: it can never change a verdict");
    }
    return QUELL_OK;
}

static int check_rules(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    uint8_t *is_operand = calloc(t->rule_count ? t->rule_count : 1, 1);
    if (!is_operand)
        return fail_nomem(lt);
    for (size_t i = 0; i < t->step_count; i++) {
        if (t->steps[i].op == EXPR_RULE && t->steps[i].arg < t->rule_count)
            is_operand[t->steps[i].arg] = 1;
    }
    int rc = QUELL_OK;
    for (size_t ri = 0; ri < t->rule_count && !rc; ri++)
        rc = check_rule(lt, ri, is_operand);
    free(is_operand);
    return rc;
}

/*
 * Where each unused category is declared. The table keeps no position for
 * categories, so the configuration files are read again (list files, which
 * hold patterns of rules declared elsewhere, are skipped). A category not
 * found, as when a .qdb outlives its sources, keeps NO_FILE.
 */
static void locate_categories(const struct rule_table *t, const uint8_t *is_used, uint32_t *file,
                              uint32_t *line)
{
    uint8_t *is_list = calloc(t->file_count ? t->file_count : 1, 1);
    if (!is_list)
        return; /* the warnings still come, without a line */
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        if (p->file < t->file_count && p->file != t->rules[p->rule].file)
            is_list[p->file] = 1;
    }
    for (uint32_t fi = 0; fi < t->file_count; fi++) {
        if (is_list[fi])
            continue;
        config_t cfg;
        config_init(&cfg);
        if (config_read_file(&cfg, t->files[fi])) {
            const config_setting_t *cats = config_lookup(&cfg, "categories");
            int n = cats && config_setting_is_list(cats) ? config_setting_length(cats) : 0;
            for (int i = 0; i < n; i++) {
                const config_setting_t *g = config_setting_get_elem(cats, (unsigned int)i);
                const config_setting_t *name = g ? config_setting_get_member(g, "name") : NULL;
                if (!name || config_setting_type(name) != CONFIG_TYPE_STRING)
                    continue;
                const char *text = config_setting_get_string(name);
                for (size_t c = 0; c < t->category_count; c++) {
                    if (!is_used[c] && file[c] == NO_FILE &&
                        strcmp(text, t->categories[c].name) == 0) {
                        file[c] = fi;
                        line[c] = (uint32_t)config_setting_source_line(name);
                    }
                }
            }
        }
        config_destroy(&cfg);
    }
    free(is_list);
}

static int check_categories(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    size_t count = t->category_count;
    size_t n = count ? count : 1;
    uint8_t *is_used = calloc(n, 1);
    uint8_t *has_allow = calloc(n, 1);
    uint32_t *file = malloc(n * sizeof *file);
    uint32_t *line = calloc(n, sizeof *line);
    int rc = QUELL_OK;
    if (!is_used || !has_allow || !file || !line) {
        rc = fail_nomem(lt);
        goto out_free;
    }
    for (size_t i = 0; i < t->rule_count; i++)
        is_used[t->rules[i].category] = 1;
    for (size_t i = 0; i < t->allow_count; i++) {
        if (t->allows[i].category != ALLOW_ALL_CATEGORIES)
            has_allow[t->allows[i].category] = 1;
    }
    size_t unused = 0;
    for (size_t c = 0; c < n; c++) {
        file[c] = NO_FILE;
        unused += c < count && !is_used[c];
    }
    if (unused == 0)
        goto out_free;
    locate_categories(t, is_used, file, line);
    for (size_t c = 0; c < count && !rc; c++) {
        if (is_used[c])
            continue;
        struct finding f = {.code = LINT_UNUSED_CATEGORY,
                            .file = file[c] != NO_FILE ? file[c] : 0,
                            .line = line[c],
                            .related_file = NO_FILE};
        rc = note(lt, &f, "category \"%s\" is declared but no rule uses it%s",
                  t->categories[c].name, has_allow[c] ? ", so its allow list has no effect" : "");
    }
out_free:
    free(is_used);
    free(has_allow);
    free(file);
    free(line);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Regexes: what Hyperscan finds slow or broad                               */

/* What reading a regex found. Offsets are bytes of the regex. */
struct regex_facts {
    unsigned long max_bound; /* the largest repeat bound */
    bool has_leading_wildcard;
    size_t leading_from, leading_to;
    bool has_inner_wildcard;
    size_t inner_from, inner_to;
};

/* What part of a regex can match, for telling a wildcard from a token
 * class: a wildcard matches white space and letters both, so it runs across
 * words. has_all_letters (every ASCII letter of a case) is what a negated
 * class needs to exclude letters. */
struct charset {
    bool has_space;
    bool has_letter;
    bool has_all_letters;
};

static void charset_add_range(struct charset *cs, int32_t lo, int32_t hi)
{
    if (lo <= ' ' && hi >= ' ')
        cs->has_space = true;
    /* Beyond ASCII, most of what a class covers is letters (Arabic, Latin
     * accents, Cyrillic). */
    if ((lo <= 'z' && hi >= 'a') || (lo <= 'Z' && hi >= 'A') || hi >= 0x80)
        cs->has_letter = true;
    if ((lo <= 'a' && hi >= 'z') || (lo <= 'A' && hi >= 'Z'))
        cs->has_all_letters = true;
}

static void charset_add(struct charset *cs, bool has_space, bool has_letter, bool has_all_letters)
{
    cs->has_space |= has_space;
    cs->has_letter |= has_letter || has_all_letters;
    cs->has_all_letters |= has_all_letters;
}

/* A \p{..} or \P{..} property: letters when it names L*, space when Z*;
 * negated, the rest. */
static void charset_add_property(struct charset *cs, char first, bool is_negated)
{
    bool is_letter = first == 'L' || first == 'X';
    bool is_space = first == 'Z';
    bool has_letter = is_negated ? !is_letter : is_letter;
    charset_add(cs, is_negated ? !is_space : is_space, has_letter, has_letter);
}

/* Parse up to max_digits digits of base at re[*pos] (stopping at close when
 * given); the value saturates rather than wraps. */
static int32_t read_number(const char *re, size_t len, size_t *pos, int base, size_t max_digits)
{
    int32_t v = 0;
    for (size_t n = 0; *pos < len && n < max_digits; n++) {
        char c = re[*pos];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 99;
        if (d >= base)
            break;
        v = v > 0x10FFFF ? v : v * base + d;
        (*pos)++;
    }
    return v;
}

/*
 * Read the escape at re[*pos] == '\\'. A class escape (\d, \s, \p{..}...)
 * adds to cs and returns true; a character escape sets *cp and returns
 * false. Assertions are the caller's business.
 */
static bool read_escape(const char *re, size_t len, size_t *pos, int32_t *cp, struct charset *cs)
{
    size_t p = *pos + 1;
    *cp = '\\';
    if (p >= len) {
        *pos = p;
        return false;
    }
    char e = re[p++];
    bool is_class = true;
    switch (e) {
    case 's':
    case 'h':
    case 'W':
        charset_add(cs, true, false, false);
        break;
    case 'S':
    case 'w':
    case 'H':
        charset_add(cs, false, true, true);
        break;
    case 'D':
    case 'V':
    case 'N':
    case 'C':
    case 'X':
        charset_add(cs, true, true, true);
        break;
    case 'd':
    case 'v':
    case 'R':
        break;
    case 'p':
    case 'P':
        if (p < len && re[p] == '{') {
            size_t name = p + 1;
            while (p < len && re[p] != '}')
                p++;
            p += p < len;
            bool is_caret = name < len && re[name] == '^';
            char first = '\0';
            if (name + is_caret < len)
                first = re[name + is_caret];
            charset_add_property(cs, first, (e == 'P') != is_caret);
        } else if (p < len) {
            charset_add_property(cs, re[p++], e == 'P');
        }
        break;
    default:
        is_class = false;
        break;
    }
    if (is_class) {
        *pos = p;
        return true;
    }
    switch (e) {
    case 'x':
        if (p < len && re[p] == '{') {
            p++;
            *cp = read_number(re, len, &p, 16, 8);
            p += p < len && re[p] == '}';
        } else {
            *cp = read_number(re, len, &p, 16, 2);
        }
        break;
    case 'o':
        if (p < len && re[p] == '{') {
            p++;
            *cp = read_number(re, len, &p, 8, 11);
            p += p < len && re[p] == '}';
        }
        break;
    case 'c':
        *cp = p < len ? (re[p++] & 0x1F) : 0;
        break;
    case 'n':
        *cp = '\n';
        break;
    case 't':
        *cp = '\t';
        break;
    case 'r':
        *cp = '\r';
        break;
    case 'f':
        *cp = '\f';
        break;
    case 'e':
        *cp = 0x1B;
        break;
    case 'a':
        *cp = 0x07;
        break;
    default:
        if (e >= '0' && e <= '7') {
            p--;
            *cp = read_number(re, len, &p, 8, 3);
        } else if ((unsigned char)e >= 0x80) {
            /* An escaped multi-byte character stands for itself. */
            *cp = utf8_decode_at(re, len, p - 1, &p);
        } else {
            *cp = (unsigned char)e;
        }
        break;
    }
    *pos = p;
    return false;
}

/* One character or class escape inside [...]: true for a class escape. */
static bool read_class_item(const char *re, size_t len, size_t *pos, int32_t *cp,
                            struct charset *cs)
{
    if (re[*pos] == '\\')
        return read_escape(re, len, pos, cp, cs);
    *cp = utf8_decode_at(re, len, *pos, pos);
    return false;
}

/* A POSIX class name ("alpha", "space"...) inside [...]. */
static void charset_add_posix(struct charset *cs, const char *name, size_t len)
{
    static const struct {
        const char *name;
        bool has_space, has_letter, has_all_letters;
    } classes[] = {
        {"alpha", false, true, true},   {"alnum", false, true, true},
        {"word", false, true, true},    {"upper", false, true, true},
        {"lower", false, true, true},   {"graph", false, true, true},
        {"xdigit", false, true, false}, {"print", true, true, true},
        {"space", true, false, false},  {"blank", true, false, false},
        {"punct", false, false, false}, {"digit", false, false, false},
        {"cntrl", false, false, false}, {"ascii", true, true, true},
    };
    bool is_negated = len > 0 && name[0] == '^';
    if (is_negated) {
        name++;
        len--;
    }
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strlen(classes[i].name) == len && memcmp(classes[i].name, name, len) == 0) {
            if (is_negated)
                charset_add(cs, !classes[i].has_space, !classes[i].has_all_letters,
                            !classes[i].has_letter);
            else
                charset_add(cs, classes[i].has_space, classes[i].has_letter,
                            classes[i].has_all_letters);
            return;
        }
    }
}

/* Read the class at re[*pos] == '[': what it can match. */
static struct charset read_class(const char *re, size_t len, size_t *pos)
{
    size_t p = *pos + 1;
    bool is_negated = p < len && re[p] == '^';
    p += is_negated;
    struct charset cs = {false, false, false};
    bool is_first = true;
    while (p < len) {
        if (re[p] == ']' && !is_first) {
            p++;
            break;
        }
        is_first = false;
        if (re[p] == '[' && p + 1 < len && re[p + 1] == ':') {
            const char *end = NULL;
            for (size_t k = p + 2; k + 1 < len && !end; k++) {
                if (re[k] == ':' && re[k + 1] == ']')
                    end = re + k;
            }
            if (end) {
                charset_add_posix(&cs, re + p + 2, (size_t)(end - (re + p + 2)));
                p = (size_t)(end - re) + 2;
                continue;
            }
        }
        int32_t lo, hi;
        if (read_class_item(re, len, &p, &lo, &cs))
            continue;
        if (p + 1 < len && re[p] == '-' && re[p + 1] != ']') {
            p++;
            if (read_class_item(re, len, &p, &hi, &cs)) {
                /* "a-\d": the dash is a character. */
                charset_add_range(&cs, lo, lo);
                charset_add_range(&cs, '-', '-');
                continue;
            }
            charset_add_range(&cs, lo, hi);
        } else {
            charset_add_range(&cs, lo, lo);
        }
    }
    *pos = p;
    if (!is_negated)
        return cs;
    return (struct charset){!cs.has_space, !cs.has_all_letters, !cs.has_letter};
}

/* A {m}, {m,} or {m,n} quantifier at re[*pos] == '{'; false (pos kept) when
 * the brace is a plain character. */
static bool read_braces(const char *re, size_t len, size_t *pos, unsigned long *lo,
                        unsigned long *hi, bool *is_unbounded)
{
    size_t p = *pos + 1;
    size_t start = p;
    *lo = (unsigned long)read_number(re, len, &p, 10, 9);
    if (p == start || p >= len)
        return false;
    *hi = *lo;
    *is_unbounded = false;
    if (re[p] == ',') {
        size_t hi_start = ++p;
        *hi = (unsigned long)read_number(re, len, &p, 10, 9);
        *is_unbounded = p == hi_start;
    }
    if (p >= len || re[p] != '}')
        return false;
    *pos = p + 1;
    return true;
}

/* Skip what follows "(?" in a group opening: ":", "=", "<name>", "i:"... */
static size_t skip_group_prefix(const char *re, size_t len, size_t p)
{
    if (p < len && (re[p] == 'P' || re[p] == '<' || re[p] == '\'')) {
        if (re[p] == 'P')
            p++;
        if (p < len && (re[p] == '=' || re[p] == '!'))
            return p + 1; /* (?<= and (?<! */
        while (p < len && re[p] != '>' && re[p] != '\'')
            p++;
        return p + (p < len);
    }
    while (p < len && ((re[p] >= 'a' && re[p] <= 'z') || re[p] == '-' || re[p] == '^'))
        p++;
    return p + (p < len && strchr(":=!>|", re[p]) != NULL);
}

/*
 * Read a regex just far enough to find its repeat bounds and the wildcards
 * repeated without bound, at its start or inside. A wildcard matches spaces
 * and letters both (".", "[^x]", "\D", or a group of classes such as
 * "(\s\w+)"); literal text inside a group does not make it one. Not a
 * validator: Hyperscan has already accepted the regex.
 */
static void read_regex(const char *re, size_t len, struct regex_facts *out)
{
    struct {
        bool was_leading;
        struct charset classes; /* of the classes inside, not the literals */
        size_t from;
    } stack[LINT_MAX_DEPTH];
    size_t depth = 0;
    bool is_leading = true;
    size_t pos = 0;
    memset(out, 0, sizeof *out);
    while (pos < len) {
        char c = re[pos];
        size_t from = pos;
        struct charset atom = {false, false, false};
        bool is_literal = false;
        bool was_leading = is_leading;
        if (c == '\\' && pos + 1 < len && re[pos + 1] && strchr("bBAzZGK", re[pos + 1])) {
            pos += 2; /* assertions match no text */
            continue;
        }
        if (c == '\\' && pos + 1 < len && re[pos + 1] == 'Q') {
            const char *end = NULL;
            for (size_t k = pos + 2; k + 1 < len && !end; k++) {
                if (re[k] == '\\' && re[k + 1] == 'E')
                    end = re + k;
            }
            pos = end ? (size_t)(end - re) + 2 : len;
            is_literal = true;
        } else if (c == '\\') {
            int32_t cp;
            if (!read_escape(re, len, &pos, &cp, &atom)) {
                charset_add_range(&atom, cp, cp);
                is_literal = true;
            }
        } else if (c == '[') {
            atom = read_class(re, len, &pos);
        } else if (c == '.') {
            charset_add(&atom, true, true, true);
            pos++;
        } else if (c == '(') {
            if (pos + 2 < len && re[pos + 1] == '?' && re[pos + 2] == '#') {
                while (pos < len && re[pos] != ')')
                    pos++;
                pos += pos < len;
                continue;
            }
            /* (?i) and the like set options and match nothing. */
            size_t k = pos + 1;
            if (k < len && re[k] == '?') {
                k++;
                while (k < len && ((re[k] >= 'a' && re[k] <= 'z') || re[k] == '-' || re[k] == '^'))
                    k++;
                if (k < len && re[k] == ')' && k > pos + 2) {
                    pos = k + 1;
                    continue;
                }
            }
            if (depth == LINT_MAX_DEPTH)
                return;
            stack[depth].was_leading = is_leading;
            stack[depth].classes = atom;
            stack[depth].from = pos;
            depth++;
            pos++;
            if (pos < len && re[pos] == '?')
                pos = skip_group_prefix(re, len, pos + 1);
            continue;
        } else if (c == ')') {
            pos++;
            if (depth == 0)
                continue;
            depth--;
            atom = stack[depth].classes;
            was_leading = stack[depth].was_leading;
            from = stack[depth].from;
        } else if (c == '|') {
            is_leading = depth ? stack[depth - 1].was_leading : true;
            pos++;
            continue;
        } else if (c == '^' || c == '$') {
            pos++;
            continue;
        } else {
            pos++; /* a literal byte */
            is_literal = true;
        }

        unsigned long lo = 1, hi = 1;
        bool is_unbounded = false;
        bool has_quantifier = true;
        if (pos < len && re[pos] == '*') {
            lo = 0;
            is_unbounded = true;
            pos++;
        } else if (pos < len && re[pos] == '+') {
            is_unbounded = true;
            pos++;
        } else if (pos < len && re[pos] == '?') {
            lo = 0;
            pos++;
        } else if (!(pos < len && re[pos] == '{' &&
                     read_braces(re, len, &pos, &lo, &hi, &is_unbounded))) {
            has_quantifier = false;
        }
        if (has_quantifier && pos < len && (re[pos] == '?' || re[pos] == '+'))
            pos++; /* lazy or possessive */
        if (lo > out->max_bound)
            out->max_bound = lo;
        if (!is_unbounded && hi > out->max_bound)
            out->max_bound = hi;
        bool is_wildcard = !is_literal && atom.has_space && atom.has_letter;
        if (is_wildcard && is_unbounded) {
            if (was_leading && !out->has_leading_wildcard) {
                out->has_leading_wildcard = true;
                out->leading_from = from;
                out->leading_to = pos;
            } else if (!was_leading && !out->has_inner_wildcard) {
                out->has_inner_wildcard = true;
                out->inner_from = from;
                out->inner_to = pos;
            }
        }
        if (!is_literal && depth > 0)
            charset_add(&stack[depth - 1].classes, atom.has_space, atom.has_letter,
                        atom.has_all_letters);
        /* An optional atom leaves what follows where it was: "x?.*a"
         * still starts with a wildcard. */
        is_leading = lo == 0 && was_leading;
    }
}

/* The flags hsdb.c compiles a regex with, for hs_expression_info. */
static unsigned int regex_flags(const struct pattern *p)
{
    unsigned int flags = HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST;
    if (p->is_caseless && p->view == VIEW_RAW)
        flags |= HS_FLAG_CASELESS;
    return flags;
}

/* The characters a literal needs in a comment: its view text's, with each
 * letter run it insists on counted in full ("ass" is "as" in the skeleton,
 * but needs three letters). */
static size_t count_letters(const struct pattern_info *info)
{
    size_t n = 0;
    for (size_t i = 0; i < info->len; i++) {
        if (((unsigned char)info->text[i] & 0xC0) != 0x80)
            n += info->runs ? info->runs[i] : 1;
    }
    return n;
}

/* Short text is broad when it can sit inside words: a letter or digit. A
 * lone emoji or symbol is as specific as a long word. */
static bool has_word_char(const char *s, size_t len)
{
    for (size_t off = 0, next; off < len; off = next) {
        if (utf8_is_word_char(utf8_decode_at(s, len, off, &next)))
            return true;
    }
    return false;
}

static int check_regex(struct linter *lt, size_t pi)
{
    const struct pattern *p = &lt->t->patterns[pi];
    char q[QUOTE_BUF_BYTES], frag[QUOTE_BUF_BYTES];
    struct regex_facts facts;
    int rc = QUELL_OK;
    read_regex(p->text, p->text_len, &facts);
    rules_quote(q, sizeof q, p->text, p->text_len);
    if (facts.max_bound > LINT_MAX_REPEAT) {
        struct finding f = at_pattern(lt, LINT_LARGE_REPEAT, pi);
        rc = note(lt, &f,
                  "regex \"%s\" repeats up to %lu times (more than %d): Hyperscan keeps state "
                  "for every repetition, so it compiles slowly and scans slowly",
                  q, facts.max_bound, LINT_MAX_REPEAT);
    }
    if (!rc && facts.has_leading_wildcard) {
        struct finding f = at_pattern(lt, LINT_LEADING_WILDCARD, pi);
        rc = note(lt, &f,
                  "regex \"%s\" starts with \"%s\": Hyperscan finds matches anywhere anyway, so "
                  "the prefix only stretches every hit back over the text before it",
                  q,
                  rules_quote(frag, sizeof frag, p->text + facts.leading_from,
                        facts.leading_to - facts.leading_from));
    }
    if (!rc && facts.has_inner_wildcard) {
        struct finding f = at_pattern(lt, LINT_UNBOUNDED_WILDCARD, pi);
        rc = note(lt, &f,
                  "regex \"%s\" has \"%s\", which spans any number of words: it fires on its "
                  "parts however far apart they are, and the hit covers everything between",
                  q,
                  rules_quote(frag, sizeof frag, p->text + facts.inner_from,
                        facts.inner_to - facts.inner_from));
    }
    if (rc)
        return rc;
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *cerr = NULL;
    if (hs_expression_info(p->text, regex_flags(p), &info, &cerr) != HS_SUCCESS) {
        /* It compiled into the database, so this does not happen; and a
         * lint has nothing to add to Hyperscan's own verdict. */
        hs_free_compile_error(cerr);
        return QUELL_OK;
    }
    unsigned int min_width = info->min_width;
    free(info); /* hs_expression_info allocates with malloc: no allocator is set */
    if (min_width <= LINT_SHORT_BYTES) {
        struct finding f = at_pattern(lt, LINT_SHORT_MATCH, pi);
        rc = note(lt, &f,
                  "regex \"%s\" can match as little as %u byte%s: a pattern that short fires all "
                  "over ordinary text",
                  q, min_width, min_width == 1 ? "" : "s");
    }
    return rc;
}

static int check_patterns(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], v[QUOTE_BUF_BYTES];
    for (size_t pi = 0; pi < t->pattern_count; pi++) {
        const struct pattern *p = &t->patterns[pi];
        int rc = QUELL_OK;
        if (p->kind == PAT_REGEX) {
            rc = check_regex(lt, pi);
        } else if (p->kind == PAT_SUBSTRING) {
            const struct pattern_info *info = &lt->rules->patterns[pi];
            size_t chars = count_letters(info);
            if (chars <= LINT_SHORT_CHARS && has_word_char(info->text, info->len)) {
                struct finding f = at_pattern(lt, LINT_SHORT_MATCH, pi);
                rules_quote(q, sizeof q, p->text, p->text_len);
                rules_quote(v, sizeof v, info->text, info->len);
                /* Show the view's text only when it differs ("Ａ" reads "a"). */
                char shown[QUOTE_BUF_BYTES + 16] = "";
                if (strcmp(q, v) != 0)
                    snprintf(shown, sizeof shown, " (\"%s\")", v);
                rc = note(lt, &f,
                          "substring \"%s\" is %zu character%s%s in the %s view: it fires inside "
                          "many ordinary words",
                          q, chars, chars == 1 ? "" : "s", shown, rules_view_name(p->view));
            }
        }
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Duplicate and shadowed patterns                                           */

/* Pattern broad matches wherever pattern narrow does. */
struct cover {
    uint32_t narrow;
    uint32_t broad;
};

struct cover_scan {
    const struct quell_rules *rules;
    uint32_t narrow;
    struct cover *covers;
    size_t count;
    size_t cap;
    bool is_out_of_memory;
};

/*
 * Whether literal q, found at byte start of literal p's view text, matches
 * wherever p does: its word edges hold inside p (or at p's own edges, when p
 * is a word too), it asks for no longer letter runs than p, and it is no
 * stricter about case.
 */
static bool is_covered(const struct quell_rules *rules, uint32_t pi, uint32_t qi, size_t start)
{
    const struct pattern *p = &rules->table->patterns[pi];
    const struct pattern *q = &rules->table->patterns[qi];
    const struct pattern_info *pin = &rules->patterns[pi];
    const struct pattern_info *qin = &rules->patterns[qi];
    size_t end = start + qin->len;
    if (end > pin->len)
        return false;
    if (p->view == VIEW_RAW && p->is_caseless && !q->is_caseless)
        return false;
    if (q->kind == PAT_WORD && (qin->edges & EDGE_LEFT)) {
        if (start == 0 ? p->kind != PAT_WORD
                       : utf8_is_word_char(utf8_decode_before(pin->text, start)))
            return false;
    }
    if (q->kind == PAT_WORD && (qin->edges & EDGE_RIGHT)) {
        size_t next;
        if (end == pin->len ? p->kind != PAT_WORD
                            : utf8_is_word_char(utf8_decode_at(pin->text, pin->len, end, &next)))
            return false;
    }
    for (size_t k = 0; qin->runs && k < qin->len; k++) {
        unsigned p_run = pin->runs ? pin->runs[start + k] : 1;
        if (qin->runs[k] > p_run)
            return false;
    }
    return true;
}

/* Hyperscan's callback while scanning one literal's own text: every other
 * literal found in it is a candidate. */
static int on_cover(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    struct cover_scan *cs = ctx;
    const struct rule_table *t = cs->rules->table;
    if (id >= t->pattern_count || id == cs->narrow || hsdb_is_regex(&t->patterns[id]))
        return 0;
    size_t len = cs->rules->patterns[id].len;
    if (to < len || !is_covered(cs->rules, cs->narrow, id, (size_t)to - len))
        return 0;
    if (cs->count == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 64;
        struct cover *p = cap > SIZE_MAX / sizeof *p ? NULL : realloc(cs->covers, cap * sizeof *p);
        if (!p) {
            cs->is_out_of_memory = true;
            return 1;
        }
        cs->covers = p;
        cs->cap = cap;
    }
    cs->covers[cs->count++] = (struct cover){cs->narrow, id};
    return 0;
}

static int cmp_cover(const void *a, const void *b)
{
    const struct cover *x = a, *y = b;
    if (x->narrow != y->narrow)
        return x->narrow < y->narrow ? -1 : 1;
    return x->broad < y->broad ? -1 : x->broad > y->broad;
}

/* Whether pattern a comes before pattern b in the rule files. */
static bool is_before(const struct rule_table *t, uint32_t a, uint32_t b)
{
    const struct pattern *x = &t->patterns[a], *y = &t->patterns[b];
    if (x->rule != y->rule)
        return x->rule < y->rule;
    if (x->file != y->file)
        return x->file < y->file;
    if (x->line != y->line)
        return x->line < y->line;
    return a < b;
}

/* Warn about pattern pi against pattern qi, which matches wherever it does
 * (and, when is_duplicate, the other way round too). */
static int note_overlap(struct linter *lt, uint32_t pi, uint32_t qi, bool is_duplicate)
{
    const struct rule_table *t = lt->t;
    const struct pattern *p = &t->patterns[pi], *q = &t->patterns[qi];
    const struct rule *qr = &t->rules[q->rule];
    bool is_same_rule = p->rule == q->rule;
    uint32_t code = is_duplicate ? (is_same_rule ? LINT_DUPLICATE : LINT_DUPLICATE_ACROSS)
                                 : (is_same_rule ? LINT_REDUNDANT : LINT_SHADOWED);
    struct finding f = at_pattern(lt, code, pi);
    f.related_file = q->file;
    f.related_line = q->line;
    f.related_rule_id = qr->id;
    char pq[QUOTE_BUF_BYTES], qq[QUOTE_BUF_BYTES], vq[QUOTE_BUF_BYTES], where[300];
    const struct pattern_info *info = &lt->rules->patterns[pi];
    rules_quote(pq, sizeof pq, p->text, p->text_len);
    rules_quote(qq, sizeof qq, q->text, q->text_len);
    rules_quote(vq, sizeof vq, info->text, info->len);
    place(where, sizeof where, t, p->file, q->file, q->line);
    const char *view = rules_view_name(p->view);
    const char *pk = kind_names[p->kind], *qk = kind_names[q->kind];
    switch (code) {
    case LINT_DUPLICATE:
        return note(lt, &f,
                    "%s \"%s\" repeats %s \"%s\" (%s) of the same rule: both read \"%s\" in "
                    "the %s view",
                    pk, pq, qk, qq, where, vq, view);
    case LINT_DUPLICATE_ACROSS:
        return note(lt, &f,
                    "%s \"%s\" duplicates %s \"%s\" of rule %s (%s): both read \"%s\" in the %s "
                    "view, so every match scores in both rules",
                    pk, pq, qk, qq, qr->id, where, vq, view);
    case LINT_SHADOWED:
        return note(lt, &f,
                    "%s \"%s\" is shadowed by %s \"%s\" of rule %s (%s): in the %s view every "
                    "match of it is a match of that, so it scores in both rules",
                    pk, pq, qk, qq, qr->id, where, view);
    default:
        return note(lt, &f,
                    "%s \"%s\" is redundant: %s \"%s\" (%s) of the same rule matches wherever it "
                    "does in the %s view",
                    pk, pq, qk, qq, where, view);
    }
}

/* Whether broad also matches wherever narrow does (found in the covers). */
static bool is_mutual(const struct cover *covers, size_t count, uint32_t narrow, uint32_t broad)
{
    struct cover back = {broad, narrow};
    return bsearch(&back, covers, count, sizeof back, cmp_cover) != NULL;
}

/* Across rules the harm is scoring one text twice; a weight-0 signal scores
 * nothing, so sharing patterns with one is how signals are meant to work. */
static bool is_comparable(const struct rule_table *t, uint32_t pi, uint32_t qi)
{
    const struct pattern *p = &t->patterns[pi], *q = &t->patterns[qi];
    return p->rule == q->rule || (t->rules[p->rule].weight != 0 && t->rules[q->rule].weight != 0);
}

/*
 * The warnings for one narrow pattern, from its covers [from, to): a
 * duplicate of the first pattern it repeats; else, once per broader rule,
 * its first pattern that shadows this one. A later duplicate is reported
 * there, and whatever shadows a duplicate shadows its first copy too.
 */
static int note_covers(struct linter *lt, const struct cover *covers, size_t count, size_t from,
                       size_t to)
{
    const struct rule_table *t = lt->t;
    uint32_t pi = covers[from].narrow;
    uint32_t first = UINT32_MAX;
    for (size_t i = from; i < to; i++) {
        uint32_t qi = covers[i].broad;
        if (is_before(t, qi, pi) && is_comparable(t, pi, qi) && is_mutual(covers, count, pi, qi) &&
            (first == UINT32_MAX || is_before(t, qi, first)))
            first = qi;
    }
    if (first != UINT32_MAX)
        return note_overlap(lt, pi, first, true);
    for (size_t i = from; i < to; i++) {
        uint32_t qi = covers[i].broad;
        if ((i > from && covers[i - 1].broad == qi) || !is_comparable(t, pi, qi) ||
            is_mutual(covers, count, pi, qi))
            continue;
        bool is_first = true;
        for (size_t k = from; k < to && is_first; k++) {
            uint32_t ki = covers[k].broad;
            is_first = !(t->patterns[ki].rule == t->patterns[qi].rule && is_before(t, ki, qi) &&
                         !is_mutual(covers, count, pi, ki));
        }
        if (!is_first)
            continue;
        int rc = note_overlap(lt, pi, qi, false);
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

/*
 * Literals: scan each one's view text with its own database (every pattern
 * of its field and view), so a literal that matches inside another is found
 * by the matcher the comments meet, in one pass per literal.
 */
static int check_literal_overlaps(struct linter *lt)
{
    const struct quell_rules *rules = lt->rules;
    const struct rule_table *t = lt->t;
    struct cover_scan cs = {.rules = rules};
    hs_scratch_t *scratch = NULL;
    int rc = QUELL_OK;
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++) {
        if (rules->hs.db[slot] && hs_alloc_scratch(rules->hs.db[slot], &scratch) != HS_SUCCESS) {
            rc = err_set(lt->err, QUELL_ESCAN, NULL, 0, NULL,
                         "Hyperscan could not allocate scratch space");
            goto out_free;
        }
    }
    for (size_t pi = 0; pi < t->pattern_count; pi++) {
        const struct pattern *p = &t->patterns[pi];
        const hs_database_t *db = rules->hs.db[hsdb_pattern_slot(t, p)];
        if (hsdb_is_regex(p) || !db)
            continue;
        cs.narrow = (uint32_t)pi;
        const struct pattern_info *info = &rules->patterns[pi];
        hs_error_t hrc = hs_scan(db, info->text, info->len, 0, scratch, on_cover, &cs);
        if (cs.is_out_of_memory) {
            rc = fail_nomem(lt);
            goto out_free;
        }
        if (hrc != HS_SUCCESS) {
            rc = err_set(lt->err, QUELL_ESCAN, NULL, 0, NULL, "hs_scan failed with code %d", hrc);
            goto out_free;
        }
    }
    if (cs.count > 1)
        qsort(cs.covers, cs.count, sizeof *cs.covers, cmp_cover);
    for (size_t from = 0; from < cs.count && !rc;) {
        size_t to = from;
        while (to < cs.count && cs.covers[to].narrow == cs.covers[from].narrow)
            to++;
        rc = note_covers(lt, cs.covers, cs.count, from, to);
        from = to;
    }
out_free:
    hs_free_scratch(scratch);
    free(cs.covers);
    return rc;
}

/* A regex in sort order: equal ones, the same in the same database, end up
 * side by side, the first in the rule files first. */
struct regex_key {
    unsigned int slot;
    bool is_caseless;
    uint32_t index;
};

static int cmp_regex_key(const void *a, const void *b, const struct rule_table *t)
{
    const struct regex_key *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->is_caseless != y->is_caseless)
        return x->is_caseless ? 1 : -1;
    int c = strcmp(t->patterns[x->index].text, t->patterns[y->index].text);
    if (c)
        return c;
    if (x->index == y->index)
        return 0;
    return is_before(t, x->index, y->index) ? -1 : 1;
}

/* Insertion sort with a context (qsort has none, and the library keeps no
 * globals); merged runs keep it O(n log n). */
static void sort_regex_keys(struct regex_key *keys, struct regex_key *tmp, size_t n,
                            const struct rule_table *t)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            struct regex_key k = keys[i];
            size_t j = i;
            while (j > 0 && cmp_regex_key(&keys[j - 1], &k, t) > 0) {
                keys[j] = keys[j - 1];
                j--;
            }
            keys[j] = k;
        }
        return;
    }
    size_t half = n / 2;
    sort_regex_keys(keys, tmp, half, t);
    sort_regex_keys(keys + half, tmp, n - half, t);
    size_t i = 0, j = half, o = 0;
    while (i < half && j < n)
        tmp[o++] = cmp_regex_key(&keys[j], &keys[i], t) < 0 ? keys[j++] : keys[i++];
    while (i < half)
        tmp[o++] = keys[i++];
    while (j < n)
        tmp[o++] = keys[j++];
    memcpy(keys, tmp, n * sizeof *keys);
}

/* Regexes are matched as written, so equal text (and case rule) is a
 * duplicate; what two different regexes share is beyond a lint. */
static int check_regex_duplicates(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    size_t n = 0;
    for (size_t i = 0; i < t->pattern_count; i++)
        n += t->patterns[i].kind == PAT_REGEX;
    if (n < 2)
        return QUELL_OK;
    struct regex_key *keys = malloc(n * sizeof *keys);
    struct regex_key *tmp = malloc(n * sizeof *tmp);
    int rc = QUELL_OK;
    if (!keys || !tmp) {
        rc = fail_nomem(lt);
        goto out_free;
    }
    size_t key_count = 0;
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        if (p->kind != PAT_REGEX)
            continue;
        keys[key_count++] = (struct regex_key){hsdb_pattern_slot(t, p),
                                               p->view == VIEW_RAW && p->is_caseless, (uint32_t)i};
    }
    sort_regex_keys(keys, tmp, n, t);
    size_t first = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        const struct regex_key *a = &keys[first], *b = &keys[i];
        if (a->slot != b->slot || a->is_caseless != b->is_caseless ||
            strcmp(t->patterns[a->index].text, t->patterns[b->index].text) != 0) {
            first = i;
            continue;
        }
        /* Equal regexes: b repeats the first comparable one before it. */
        for (size_t k = first; k < i; k++) {
            if (is_comparable(t, b->index, keys[k].index)) {
                rc = note_overlap(lt, b->index, keys[k].index, true);
                break;
            }
        }
    }
out_free:
    free(keys);
    free(tmp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Allowed words                                                             */

struct allow_key {
    const char *text; /* folded, in the linter's pool */
    uint32_t len;
    uint32_t category;
    uint32_t index;
};

static int cmp_allow_key(const void *a, const void *b)
{
    const struct allow_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Whether entry f makes entry e redundant: f allows the same word for e's
 * category or for all, and comes first (or covers more). */
static bool allow_covers(const struct allow_key *f, const struct allow_key *e)
{
    if (f->category == ALLOW_ALL_CATEGORIES)
        return e->category != ALLOW_ALL_CATEGORIES || f->index < e->index;
    return f->category == e->category && f->index < e->index;
}

static int check_allow_duplicates(struct linter *lt, const struct allow_key *keys, size_t n)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], fq[QUOTE_BUF_BYTES], where[300];
    for (size_t g = 0; g < n;) {
        size_t end = g + 1;
        while (end < n && keys[end].len == keys[g].len &&
               memcmp(keys[end].text, keys[g].text, keys[g].len) == 0)
            end++;
        for (size_t e = g; e < end; e++) {
            const struct allow_key *cover = NULL;
            for (size_t f = g; f < end && !cover; f++) {
                if (f != e && allow_covers(&keys[f], &keys[e]))
                    cover = &keys[f];
            }
            if (!cover)
                continue;
            const struct allow_word *a = &t->allows[keys[e].index];
            const struct allow_word *c = &t->allows[cover->index];
            struct finding f = {.code = LINT_DUPLICATE_ALLOW,
                                .file = a->file,
                                .line = a->line,
                                .pattern = a->text,
                                .related_file = c->file,
                                .related_line = c->line};
            rules_quote(q, sizeof q, a->text, a->text_len);
            rules_quote(fq, sizeof fq, c->text, c->text_len);
            place(where, sizeof where, t, a->file, c->file, c->line);
            int rc;
            if (c->category == ALLOW_ALL_CATEGORIES && a->category != ALLOW_ALL_CATEGORIES)
                rc = note(lt, &f,
                          "allowed word \"%s\" of category %s is already allowed for every "
                          "category by \"%s\" (%s)",
                          q, t->categories[a->category].name, fq, where);
            else
                rc = note(lt, &f,
                          "allowed word \"%s\" repeats \"%s\" (%s): both fold to the same "
                          "word",
                          q, fq, where);
            if (rc)
                return rc;
        }
        g = end;
    }
    return QUELL_OK;
}

/*
 * Scan each allowed word on its own with the rules as they match before
 * allow lists and min_count: a scanner over a copy of the rules with no
 * allowed words and every min_count 1. The copy shares everything else
 * (databases, normaliser, pattern texts) and is read-only like the original.
 */
static int check_allow_hits(struct linter *lt, const uint8_t *is_reported)
{
    const struct quell_rules *rules = lt->rules;
    const struct rule_table *t = lt->t;
    struct rule *plain_rules = malloc((t->rule_count ? t->rule_count : 1) * sizeof *plain_rules);
    if (!plain_rules)
        return fail_nomem(lt);
    memcpy(plain_rules, t->rules, t->rule_count * sizeof *plain_rules);
    for (size_t i = 0; i < t->rule_count; i++)
        plain_rules[i].min_count = 1;
    struct rule_table plain_table = *t;
    plain_table.rules = plain_rules;
    struct quell_rules plain = *rules;
    plain.table = &plain_table;
    plain.allow_count = 0;

    quell_scanner *scanner = NULL;
    int rc = quell_scanner_new(&scanner, &plain, lt->err);
    char q[QUOTE_BUF_BYTES];
    for (size_t i = 0; i < t->allow_count && !rc; i++) {
        if (is_reported[i])
            continue;
        const struct allow_word *a = &t->allows[i];
        quell_comment c = {{NULL}, {0}};
        for (unsigned int field = 0; field < QUELL_FIELD_COUNT; field++) {
            c.text[field] = a->text;
            c.text_len[field] = a->text_len;
        }
        const quell_verdict *v;
        rc = quell_scan(scanner, &c, &v, lt->err);
        if (rc)
            break;
        const char *category =
            a->category == ALLOW_ALL_CATEGORIES ? NULL : t->categories[a->category].name;
        bool is_hit = false;
        for (size_t h = 0; h < v->hit_count && !is_hit; h++)
            is_hit = !category || strcmp(v->hits[h].category, category) == 0;
        if (is_hit)
            continue;
        struct finding f = {.code = LINT_ALLOW_NEVER_APPLIES,
                            .file = a->file,
                            .line = a->line,
                            .pattern = a->text,
                            .related_file = NO_FILE};
        rules_quote(q, sizeof q, a->text, a->text_len);
        if (category)
            rc = note(lt, &f,
                      "allowed word \"%s\" never applies: no pattern of category %s matches "
                      "inside it",
                      q, category);
        else
            rc = note(lt, &f, "allowed word \"%s\" never applies: no pattern matches inside it", q);
    }
    quell_scanner_free(scanner);
    free(plain_rules);
    return rc;
}

/*
 * A hit is excused when the whole run of word characters around it folds
 * to an allowed word; an entry holding a character that ends such a run
 * ("o'clock", "e-mail") can never be all of one.
 */
static int check_allow_words(struct linter *lt, const struct allow_key *keys, uint8_t *is_reported)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], cq[16];
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_key *k = &keys[i];
        size_t off = 0, next = 0;
        bool is_word = true;
        while (off < k->len && is_word) {
            is_word = utf8_is_word_char(utf8_decode_at(k->text, k->len, off, &next));
            if (is_word)
                off = next;
        }
        if (is_word)
            continue;
        const struct allow_word *a = &t->allows[k->index];
        is_reported[k->index] = 1;
        struct finding f = {.code = LINT_ALLOW_NEVER_APPLIES,
                            .file = a->file,
                            .line = a->line,
                            .pattern = a->text,
                            .related_file = NO_FILE};
        int rc = note(lt, &f,
                      "allowed word \"%s\" never applies: \"%s\" ends a word, so no word of a "
                      "comment can be all of it",
                      rules_quote(q, sizeof q, a->text, a->text_len),
                      rules_quote(cq, sizeof cq, k->text + off, next - off));
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

static int check_allows(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    /* Rules with allowed words always have the normaliser (ruleset.c). */
    if (t->allow_count == 0 || !lt->rules->norm)
        return QUELL_OK;
    struct allow_key *keys = malloc(t->allow_count * sizeof *keys);
    uint8_t *is_reported = calloc(t->allow_count, 1);
    struct norm_view folded = {0};
    int rc = QUELL_OK;
    if (!keys || !is_reported) {
        rc = fail_nomem(lt);
        goto out_free;
    }
    /* Folded as the scanner folds them (ruleset.c), with the entries'
     * positions kept. */
    for (size_t i = 0; i < t->allow_count; i++) {
        const struct allow_word *a = &t->allows[i];
        if (norm_fold(lt->rules->norm, a->text, a->text_len, &folded) != QUELL_OK) {
            rc = fail_nomem(lt);
            goto out_free;
        }
        size_t from, to;
        norm_trim(&folded, &from, &to);
        char *text = pool_strndup(lt->pool, folded.text + from, to - from);
        if (!text) {
            rc = fail_nomem(lt);
            goto out_free;
        }
        keys[i] = (struct allow_key){text, (uint32_t)(to - from), a->category, (uint32_t)i};
    }
    if ((rc = check_allow_words(lt, keys, is_reported)) || (rc = check_allow_hits(lt, is_reported)))
        goto out_free;
    qsort(keys, t->allow_count, sizeof *keys, cmp_allow_key);
    rc = check_allow_duplicates(lt, keys, t->allow_count);
out_free:
    norm_view_free(&folded);
    free(keys);
    free(is_reported);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Handing the warnings over                                                 */

static int cmp_finding(const void *a, const void *b)
{
    const struct finding *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool is_same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same warning found again through another view's copy of a pattern
 * (copies may or may not share their text: compare it). */
static bool is_same_finding(const struct finding *x, const struct finding *y)
{
    return x->code == y->code && x->file == y->file && x->line == y->line &&
           is_same_text(x->rule_id, y->rule_id) && is_same_text(x->pattern, y->pattern) &&
           x->related_file == y->related_file && x->related_line == y->related_line &&
           is_same_text(x->related_rule_id, y->related_rule_id);
}

static void emit(struct linter *lt, quell_lint_cb cb, void *ctx, size_t *warning_count)
{
    const struct rule_table *t = lt->t;
    if (lt->count > 1)
        qsort(lt->findings, lt->count, sizeof *lt->findings, cmp_finding);
    size_t n = 0;
    size_t group = 0; /* first finding with this file, line and code */
    for (size_t i = 0; i < lt->count; i++) {
        const struct finding *f = &lt->findings[i];
        const struct finding *g = &lt->findings[group];
        if (f->file != g->file || f->line != g->line || f->code != g->code)
            group = i;
        bool is_repeat = false;
        for (size_t k = group; k < i && !is_repeat; k++)
            is_repeat = is_same_finding(&lt->findings[k], f);
        if (is_repeat)
            continue;
        quell_lint_warning w = {
            .code = lint_codes[f->code].code,
            .name = lint_codes[f->code].name,
            .file = f->file < t->file_count ? t->files[f->file] : "",
            .line = (int)f->line,
            .rule_id = f->rule_id,
            .pattern = f->pattern,
            .message = f->message,
            .related_file = f->related_file < t->file_count ? t->files[f->related_file] : NULL,
            .related_line = f->related_file < t->file_count ? (int)f->related_line : 0,
            .related_rule_id = f->related_rule_id,
        };
        n++;
        if (cb && cb(ctx, &w) != 0)
            break;
    }
    if (warning_count)
        *warning_count = n;
}

static void linter_free(struct linter *lt)
{
    free(lt->findings);
    pool_free(lt->pool);
}

int quell_rules_lint(const quell_rules *rules, quell_lint_cb cb, void *ctx, size_t *warning_count,
                     quell_error *err)
{
    struct linter lt = {.rules = rules, .t = rules->table, .err = err};
    if (warning_count)
        *warning_count = 0;
    lt.pool = pool_new();
    if (!lt.pool)
        return fail_nomem(&lt);
    int rc;
    if ((rc = check_rules(&lt)) || (rc = check_categories(&lt)) || (rc = check_patterns(&lt)) ||
        (rc = check_literal_overlaps(&lt)) || (rc = check_regex_duplicates(&lt)) ||
        (rc = check_allows(&lt)))
        goto out_free;
    emit(&lt, cb, ctx, warning_count);
out_free:
    linter_free(&lt);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Known-clean comments                                                      */

struct quell_lint_clean {
    const struct quell_rules *rules;
    quell_scanner *scanner;
    size_t *fired; /* by rule: the comments it fired on */
    size_t comment_count;
};

int quell_lint_clean_new(quell_lint_clean **out, const quell_rules *rules, quell_error *err)
{
    *out = NULL;
    struct quell_lint_clean *c = calloc(1, sizeof *c);
    size_t n = rules->table->rule_count ? rules->table->rule_count : 1;
    if (!c || !(c->fired = calloc(n, sizeof *c->fired))) {
        free(c);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a clean check");
    }
    c->rules = rules;
    int rc = quell_scanner_new(&c->scanner, rules, err);
    if (rc != QUELL_OK) {
        quell_lint_clean_free(c);
        return rc;
    }
    *out = c;
    return QUELL_OK;
}

void quell_lint_clean_free(quell_lint_clean *clean)
{
    if (!clean)
        return;
    quell_scanner_free(clean->scanner);
    free(clean->fired);
    free(clean);
}

int quell_lint_clean_add(quell_lint_clean *clean, const quell_comment *comment, quell_error *err)
{
    const quell_verdict *v;
    int rc = quell_scan(clean->scanner, comment, &v, err);
    if (rc != QUELL_OK)
        return rc;
    for (size_t i = 0; i < v->rule_count; i++)
        clean->fired[v->rules[i].index]++;
    clean->comment_count++;
    return QUELL_OK;
}

size_t quell_lint_clean_comment_count(const quell_lint_clean *clean)
{
    return clean->comment_count;
}

/* A share as a short percentage: 1.5%, 0.25%, 100%. */
static const char *percent(char *buf, size_t size, double share)
{
    clocale_snprintf(buf, size, "%.3g%%", share * 100);
    return buf;
}

int quell_lint_clean_report(const quell_lint_clean *clean, double max_share, quell_lint_cb cb,
                            void *ctx, size_t *warning_count, quell_error *err)
{
    if (warning_count)
        *warning_count = 0;
    /* Written so that NaN fails too. */
    if (!(max_share >= 0 && max_share <= 1))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "the clean share must be from 0 to 1, not %g", max_share);
    const struct rule_table *t = clean->rules->table;
    struct linter lt = {.rules = clean->rules, .t = t, .err = err};
    lt.pool = pool_new();
    if (!lt.pool)
        return fail_nomem(&lt);
    int rc = QUELL_OK;
    size_t n = clean->comment_count;
    char a[32], b[32];
    for (size_t ri = 0; ri < t->rule_count && n > 0 && !rc; ri++) {
        /* Signals (weight 0) and counter-signals (negative) are meant to
         * fire on ordinary text. */
        if (t->rules[ri].weight <= 0)
            continue;
        double share = (double)clean->fired[ri] / (double)n;
        if (share <= max_share)
            continue;
        struct finding f = at_rule(&lt, LINT_FIRES_ON_CLEAN, ri);
        rc =
            note(&lt, &f,
                 "fires on %zu of %zu known-clean comments (%s), more than the %s allowed: "
                 "every one of them is a false positive",
                 clean->fired[ri], n, percent(a, sizeof a, share), percent(b, sizeof b, max_share));
    }
    if (!rc)
        emit(&lt, cb, ctx, warning_count);
    linter_free(&lt);
    return rc;
}
