/*
 * check_eval_html.c - the HTML report of `quell eval`: a hand-made report is
 * written to memory and read back with a small well-formedness checker, then
 * searched for the figures, escapes, marks, bars and sweep rows worked out by
 * hand.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "suites.h"
#include "cli/eval.h"

/* ---------------------------------------------------------------------- */
/* A well-formedness checker                                               */

#define MAX_DEPTH 64
#define MAX_NAME  32

static const char *const void_elements[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
                                            "input", "link", "meta", "source", "track", "wbr"};

static int is_void(const char *name)
{
    for (size_t i = 0; i < sizeof void_elements / sizeof void_elements[0]; i++) {
        if (strcmp(name, void_elements[i]) == 0)
            return 1;
    }
    return 0;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == ':';
}

/* The length of the character reference at s ("&amp;", "&#39;", ...), or 0
 * when s does not start one. */
static size_t reference_len(const char *s)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strncmp(s, named[i], strlen(named[i])) == 0)
            return strlen(named[i]);
    }
    return 0;
}

/* Check the bytes of an attribute value or text up to stop: no raw '<', and
 * (in text) no raw '>', and every '&' a known reference. */
static const char *check_chars(const char *p, char stop, int is_text, const char **why)
{
    for (; *p && *p != stop; p++) {
        if (*p == '&') {
            size_t n = reference_len(p);
            if (n == 0) {
                *why = "a bare '&'";
                return NULL;
            }
            p += n - 1;
        } else if (*p == '<' || (is_text && *p == '>')) {
            *why = is_text ? "a bare '>' in text" : "a '<' in an attribute";
            return NULL;
        }
    }
    return p;
}

/*
 * Whether html is a well-formed page in the subset the report uses: a
 * doctype, then elements closed in the order opened (void HTML elements
 * unclosed, "/>" only inside <svg>), every attribute name="value", no
 * comments, raw text only in <style>, valid UTF-8 without control
 * characters. On failure *why says what and *where points at it.
 */
static int is_well_formed(const char *html, const char **why, const char **where)
{
    char stack[MAX_DEPTH][MAX_NAME];
    int depth = 0, svg_depth = 0, has_root = 0;
    const char *p = html;

    /* UTF-8 and control characters first, with utf8proc as a second opinion. */
    size_t len = strlen(html);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)html + i, (utf8proc_ssize_t)(len - i), &c);
        if (n <= 0 || (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)) {
            *why = n <= 0 ? "invalid UTF-8" : "a control character";
            *where = html + i;
            return 0;
        }
        i += (size_t)n;
    }
    static const char doctype[] = "<!DOCTYPE html>\n";
    if (strncmp(p, doctype, sizeof doctype - 1) != 0) {
        *why = "no doctype";
        *where = p;
        return 0;
    }
    p += sizeof doctype - 1;
    while (*p) {
        *where = p;
        if (*p != '<') {
            if (depth == 0 && *p != '\n') {
                *why = "text outside <html>";
                return 0;
            }
            p = check_chars(p, '<', 1, why);
            if (!p)
                return 0;
            continue;
        }
        if (p[1] == '!') {
            *why = "a comment or second doctype";
            return 0;
        }
        if (p[1] == '/') {
            char name[MAX_NAME];
            size_t n = 0;
            for (p += 2; is_name_char(*p) && n + 1 < sizeof name; p++)
                name[n++] = *p;
            name[n] = '\0';
            if (*p != '>' || depth == 0 || strcmp(stack[depth - 1], name) != 0) {
                *why = "a closing tag that does not match the open element";
                return 0;
            }
            svg_depth -= strcmp(name, "svg") == 0;
            depth--;
            p++;
            continue;
        }
        char name[MAX_NAME];
        size_t n = 0;
        for (p++; is_name_char(*p) && n + 1 < sizeof name; p++)
            name[n++] = *p;
        name[n] = '\0';
        if (n == 0) {
            *why = "a bare '<'";
            return 0;
        }
        if (depth == 0 && (has_root || strcmp(name, "html") != 0)) {
            *why = "a root element other than one <html>";
            return 0;
        }
        has_root = 1;
        int is_closed = 0;
        for (;;) {
            while (*p == ' ' || *p == '\n')
                p++;
            if (*p == '>') {
                p++;
                break;
            }
            if (p[0] == '/' && p[1] == '>') {
                if (svg_depth == 0 && strcmp(name, "svg") != 0) {
                    *why = "\"/>\" outside SVG";
                    return 0;
                }
                is_closed = 1;
                p += 2;
                break;
            }
            const char *attr = p;
            while (is_name_char(*p))
                p++;
            if (p == attr || p[0] != '=' || p[1] != '"') {
                *why = "an attribute not written name=\"value\"";
                return 0;
            }
            p = check_chars(p + 2, '"', 0, why);
            if (!p)
                return 0;
            if (*p != '"') {
                *why = "an attribute value not closed";
                return 0;
            }
            p++;
        }
        if (is_closed || is_void(name))
            continue;
        if (depth == MAX_DEPTH) {
            *why = "too deep";
            return 0;
        }
        memcpy(stack[depth++], name, n + 1);
        svg_depth += strcmp(name, "svg") == 0;
        if (strcmp(name, "style") == 0) {
            /* raw text: CSS, written by the code, not from the data */
            const char *end = strstr(p, "</style>");
            if (!end) {
                *why = "<style> not closed";
                return 0;
            }
            p = end;
        }
    }
    *where = p;
    if (depth != 0 || !has_root) {
        *why = depth ? "elements left open" : "no <html>";
        return 0;
    }
    return 1;
}

static void assert_well_formed(const char *html)
{
    const char *why = "", *where = html;
    int ok = is_well_formed(html, &why, &where);
    ck_assert_msg(ok, "not well-formed: %s at byte %td: \"%.60s\"", why, where - html, where);
}

/* The checker must catch what it is there for. */
static const char *const bad_pages[] = {
    "<!DOCTYPE html>\n<html><p><b>x</p></b></html>",
    "<!DOCTYPE html>\n<html><p>a < b</p></html>",
    "<!DOCTYPE html>\n<html><p>a > b</p></html>",
    "<!DOCTYPE html>\n<html><p>R&D</p></html>",
    "<!DOCTYPE html>\n<html><p title=x>y</p></html>",
    "<!DOCTYPE html>\n<html><p title=\"a<b\">y</p></html>",
    "<!DOCTYPE html>\n<html><p>open</html>",
    "<!DOCTYPE html>\n<html><br/></html>",
    "<!DOCTYPE html>\n<html><p>\x01</p></html>",
    "<!DOCTYPE html>\n<html><p>\xff</p></html>",
    "<html></html>",
    "<!DOCTYPE html>\n<html></html><html></html>",
};

START_TEST(test_checker_rejects)
{
    const char *why = NULL, *where = NULL;
    ck_assert_msg(!is_well_formed(bad_pages[_i], &why, &where), "accepted: %s", bad_pages[_i]);
    const char *good = "<!DOCTYPE html>\n<html><p title=\"&quot;\">a &amp; b<br></p>"
                       "<svg><rect x=\"1\"/></svg></html>\n";
    ck_assert_msg(is_well_formed(good, &why, &where), "refused: %s", why);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Reading the page                                                        */

/* The page's visible text: tags and the style sheet as one space each,
 * references decoded, runs of white space as one space. Owned by the caller. */
static char *text_of(const char *html)
{
    size_t len = strlen(html);
    char *out = malloc(len + 1);
    ck_assert_ptr_nonnull(out);
    size_t n = 0;
    const char *p = html;
    while (*p) {
        char c = *p;
        if (c == '<') {
            const char *end = strncmp(p, "<style>", 7) == 0 ? strstr(p, "</style>") : p;
            p = strchr(end, '>');
            ck_assert_ptr_nonnull(p);
            p++;
            c = ' ';
        } else if (c == '&' && reference_len(p) > 0) {
            /* "&amp;" "&lt;" "&gt;" "&quot;" "&#39;": told apart by the second byte */
            static const char from[] = "algq#", to[] = "&<>\"'";
            c = to[strchr(from, p[1]) - from];
            p += reference_len(p);
        } else {
            p++;
        }
        if (c == '\n' || c == '\t')
            c = ' ';
        if (c == ' ' && (n == 0 || out[n - 1] == ' '))
            continue;
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

static size_t count_of(const char *s, const char *needle)
{
    size_t count = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + strlen(needle), needle))
        count++;
    return count;
}

/* The part of html from the first from to the next to after it, as a new
 * string owned by the caller. */
static char *part_of(const char *html, const char *from, const char *to)
{
    const char *a = strstr(html, from);
    ck_assert_msg(a != NULL, "no \"%s\" in the page", from);
    const char *b = strstr(a, to);
    ck_assert_msg(b != NULL, "no \"%s\" after \"%s\"", to, from);
    return strndup(a, (size_t)(b - a) + strlen(to));
}

#define ck_assert_has(hay, needle)                                                                 \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "missing: %s", (needle))
#define ck_assert_lacks(hay, needle)                                                               \
    ck_assert_msg(strstr((hay), (needle)) == NULL, "present: %s", (needle))

/* ---------------------------------------------------------------------- */
/* The report                                                              */

static const char rules_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; }, { name = \"spam\"; } );\n"
    "rules = (\n"
    "  { id = \"h.idiot\"; category = \"insult\"; weight = 3.0; words = [ \"idiot\" ]; },\n"
    "  { id = \"h.stupid\"; category = \"insult\"; weight = 1.0; words = [ \"stupid\" ]; },\n"
    "  { id = \"h.spam\"; category = \"spam\"; weight = 10.0; words = [ \"spamword\" ]; },\n"
    "  { id = \"ar.insult\"; category = \"insult\"; weight = 3.0;\n"
    "    words = [ \"\xd8\xba\xd8\xa8\xd9\x8a\" ]; }\n"
    ");\n";

#define RULE_COUNT     4
#define CATEGORY_COUNT 2

/* "you idiot" after a script tag: every special character, in the data. */
static char text_fp[] = "<script>&\"'alert(1)</script> you idiot";
/* "أنت غبي جدا": the insult is bytes 7-13, three letters of two bytes. */
static char text_ar[] =
    "\xd8\xa3\xd9\x86\xd8\xaa \xd8\xba\xd8\xa8\xd9\x8a \xd8\xac\xd8\xaf\xd8\xa7";
/* Spans at both ends and two touching. */
static char text_edges[] = "idiotstupid x idiot";
static char label_neg[] = "neg<&>";
static char label_pos[] = "bad";
static char label_neither[] = "neither";

static struct {
    quell_rules *rules;
    struct eval_report r;
    struct eval_corpus corpora[2];
    struct eval_corpus total;
    struct eval_rule rule_tallies[3][RULE_COUNT];
    struct eval_category categories[3][CATEGORY_COUNT];
    struct eval_point sweep[100];
    struct eval_sample samples[3];
    struct eval_span spans[5];
    char *labels[2];
} fx;

/*
 * Corpus 1: TP 3, FP 1, FN 2, TN 4 (P 0.750, R 0.600, F1 6/9 = 0.667, FPR
 * 0.200) of 11 rows, one malformed. Rules: h.idiot 5 hits (4 TP), h.stupid
 * none, h.spam 7 (6 TP), ar.insult 2 (0 TP). Sweep: thresholds 10, 4, 3, 1.
 * Corpus 2 is empty. The total repeats corpus 1.
 */
static void setup(void)
{
    memset(&fx, 0, sizeof fx);
    quell_error err;
    int rc = quell_rules_compile(&fx.rules, test_write_temp("html.cfg", rules_cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "compile failed: %s:%d: %s", err.file, err.line, err.message);
    ck_assert_uint_eq(quell_rules_rule_count(fx.rules), RULE_COUNT);

    struct eval_corpus *c = &fx.corpora[0];
    c->name = "a<b>&\"c'.csv";
    c->rows = 11;
    c->malformed = 1;
    c->counts = (struct eval_counts){.tp = 3, .fp = 1, .fn = 2, .tn = 4};
    c->actions[QUELL_PASS][1] = 2;
    c->actions[QUELL_PASS][0] = 4;
    c->actions[QUELL_FLAG][1] = 2;
    c->actions[QUELL_FLAG][0] = 1;
    c->actions[QUELL_HOLD][1] = 1;
    c->rules = fx.rule_tallies[0];
    c->rules[0] = (struct eval_rule){5, 4};
    c->rules[2] = (struct eval_rule){7, 6};
    c->rules[3] = (struct eval_rule){2, 0};
    c->categories = fx.categories[0];
    c->categories[0] = (struct eval_category){.hits = 5, .tp = 4, .counts = {.tp = 3, .fp = 1, .fn = 1, .tn = 5}};
    c->categories[1] = (struct eval_category){.hits = 9, .tp = 6, .counts = {.tp = 0, .fp = 0, .fn = 0, .tn = 10}};
    c->sweep = fx.sweep;
    c->sweep_count = 4;
    fx.sweep[0] = (struct eval_point){10, 1, 0};
    fx.sweep[1] = (struct eval_point){4, 2, 0};
    fx.sweep[2] = (struct eval_point){3, 3, 1};
    fx.sweep[3] = (struct eval_point){1, 5, 3};

    size_t at = (size_t)(strstr(text_fp, "idiot") - text_fp);
    fx.spans[0] = (struct eval_span){at, at + 5, "h.idiot"};
    fx.spans[1] = (struct eval_span){7, 13, "ar.insult"};
    fx.spans[2] = (struct eval_span){0, 5, "h.idiot"};
    fx.spans[3] = (struct eval_span){5, 11, "h.stupid"};
    fx.spans[4] = (struct eval_span){14, 19, "h.idiot"};
    fx.samples[0] = (struct eval_sample){4,          text_fp, sizeof text_fp - 1, label_neg, 0,
                                         QUELL_FLAG, 3,       &fx.spans[0],       1};
    fx.samples[1] = (struct eval_sample){
        2, text_edges, sizeof text_edges - 1, label_neither, 0, QUELL_HOLD, 7, &fx.spans[2], 3};
    fx.samples[2] = (struct eval_sample){9,          text_ar, sizeof text_ar - 1, label_pos, 1,
                                         QUELL_PASS, 2.5,     &fx.spans[1],       1};
    c->samples = fx.samples;
    c->sample_count = 3;

    struct eval_corpus *e = &fx.corpora[1];
    e->name = "empty.csv";
    e->rules = fx.rule_tallies[1];
    e->categories = fx.categories[1];

    fx.total = *c;
    fx.total.name = "total";
    fx.total.rules = fx.rule_tallies[2];
    fx.total.categories = fx.categories[2];
    memcpy(fx.total.rules, c->rules, sizeof fx.rule_tallies[2]);
    memcpy(fx.total.categories, c->categories, sizeof fx.categories[2]);
    fx.total.samples = NULL;
    fx.total.sample_count = 0;

    fx.labels[0] = label_pos;
    fx.labels[1] = "offensive";
    struct eval_report *r = &fx.r;
    r->rules_path = "rules/<&>.cfg";
    r->rules = fx.rules;
    r->rule_count = RULE_COUNT;
    r->category_count = CATEGORY_COUNT;
    r->labels = fx.labels;
    r->label_count = 2;
    r->sample_limit = 10;
    r->corpora = fx.corpora;
    r->corpus_count = 2;
    r->total = &fx.total;
    r->proposals[0] =
        (struct eval_proposal){QUELL_FLAG, 0.2, 1, 3, {.tp = 3, .fp = 1, .fn = 2, .tn = 4}};
    r->proposals[1] = (struct eval_proposal){QUELL_HOLD, 0.001, 0, 0, {0, 0, 0, 0}};
    r->proposal_count = 2;
    snprintf(r->date, sizeof r->date, "2026-11-25 11:30 UTC");
}

static void teardown(void)
{
    quell_rules_free(fx.rules);
}

/* Only corpus 1, as when one corpus is given. */
static void only_first(void)
{
    fx.r.corpus_count = 1;
    fx.r.total = NULL;
}

/* The page for r, owned by the caller. */
static char *render(const struct eval_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    eval_write_html(f, r);
    ck_assert_int_eq(ferror(f), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_uint_eq(strlen(buf), len);
    return buf;
}

/* Whether s has needle (lower-case ASCII) in any case. */
static int has_any_case(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++) {
        size_t k = 0;
        while (k < n && s[k] && tolower((unsigned char)s[k]) == needle[k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static void assert_no_nan(const char *html)
{
    ck_assert_msg(!has_any_case(html, "nan"), "\"nan\" in the page");
    ck_assert_msg(!has_any_case(html, "inf"), "\"inf\" in the page");
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                   */

START_TEST(test_page_well_formed)
{
    char *html = render(&fx.r);
    assert_well_formed(html);
    ck_assert_has(html, "<html lang=\"en\">");
    ck_assert_has(html, "<meta charset=\"utf-8\">");
    ck_assert_has(html, "<meta name=\"viewport\"");
    ck_assert_has(html, "<title>quell eval: rules/&lt;&amp;&gt;.cfg</title>");
    /* self-contained: no script, nothing fetched, links only within the page */
    ck_assert_lacks(html, "<script");
    ck_assert_lacks(html, "src=");
    ck_assert_lacks(html, "url(");
    ck_assert_lacks(html, "@import");
    ck_assert_uint_eq(count_of(html, "href=\""), count_of(html, "href=\"#"));
    ck_assert_uint_eq(count_of(html, "<html"), 1);
    assert_no_nan(html);
    free(html);
}
END_TEST

START_TEST(test_escaping)
{
    char bad_path[] = "rules/\xff\x01.cfg";
    fx.r.rules_path = bad_path;
    char *html = render(&fx.r);
    assert_well_formed(html);
    ck_assert_has(html, "&lt;script&gt;&amp;&quot;&#39;alert(1)&lt;/script&gt; you ");
    ck_assert_has(html, "<code><bdi>neg&lt;&amp;&gt;</bdi></code>");
    ck_assert_has(html, "<code>a&lt;b&gt;&amp;&quot;c&#39;.csv</code>");
    /* invalid UTF-8 and a control character each become U+FFFD */
    ck_assert_has(html, "<code>rules/\xef\xbf\xbd\xef\xbf\xbd.cfg</code>");
    ck_assert_lacks(html, "\xff");
    /* the escaped text reads back as the original */
    char *text = text_of(html);
    ck_assert_has(text, "<script>&\"'alert(1)</script> you idiot");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_figures)
{
    only_first();
    char *html = render(&fx.r);
    char *text = text_of(html);
    ck_assert_has(text, "11 rows read, 1 malformed (left out of every figure), 10 evaluated.");
    ck_assert_has(text, "Precision 0.750 Recall 0.600 F1 0.667 False-positive rate 0.200");
    ck_assert_has(text, "should be flagged TP 3 FN 2 should pass FP 1 TN 4");
    /* by action: pass, flag, hold, reject, all */
    ck_assert_has(text, "should be flagged 2 2 1 0 5 should pass 4 1 0 0 5");
    ck_assert_has(text, "Thresholds flag at 3, hold at 6, reject at 10");
    ck_assert_has(text, "comments labelled bad or offensive");
    ck_assert_has(text, "2026-11-25 11:30 UTC");
    ck_assert_has(text, "up to 10 wrong comments");
    /* categories: scored, TP, FP, precision (4/5 and 6/9) */
    ck_assert_has(text, "insult 5 4 1 0.800");
    ck_assert_has(text, "spam 9 6 3 0.667");
    /* one corpus: no overview, no total */
    ck_assert_lacks(html, "id=\"total\"");
    ck_assert_lacks(html, "at a glance");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_undefined_dash)
{
    only_first();
    /* nothing flagged: precision undefined; recall and F1 0 */
    fx.corpora[0].counts = (struct eval_counts){.tp = 0, .fp = 0, .fn = 3, .tn = 2};
    char *html = render(&fx.r);
    char *text = text_of(html);
    ck_assert_has(text, "Precision \xe2\x80\x93 Recall 0.000 F1 0.000 False-positive rate 0.000");
    free(text);
    free(html);

    /* nothing at all: every ratio undefined */
    memset(&fx.corpora[0].counts, 0, sizeof fx.corpora[0].counts);
    html = render(&fx.r);
    text = text_of(html);
    ck_assert_has(text, "Precision \xe2\x80\x93 Recall \xe2\x80\x93 F1 \xe2\x80\x93 "
                        "False-positive rate \xe2\x80\x93");
    assert_no_nan(html);
    free(text);
    free(html);
}
END_TEST

START_TEST(test_empty_corpus)
{
    fx.r.corpora = &fx.corpora[1];
    fx.r.corpus_count = 1;
    fx.r.total = NULL;
    fx.r.proposals[0].is_found = 0;
    char *html = render(&fx.r);
    assert_well_formed(html);
    assert_no_nan(html);
    char *text = text_of(html);
    ck_assert_has(text, "0 rows read, 0 malformed (left out of every figure), 0 evaluated.");
    ck_assert_has(text, "No comment scored above 0");
    ck_assert_has(text, "No rule fired.");
    ck_assert_has(text, "Rules that never fired (4)");
    ck_assert_lacks(html, "<svg");
    ck_assert_lacks(html, "<mark");
    free(text);
    free(html);

    /* and beside a full one, with a total and proposals */
    fx.r.corpora = fx.corpora;
    fx.r.corpus_count = 2;
    fx.r.total = &fx.total;
    html = render(&fx.r);
    assert_well_formed(html);
    assert_no_nan(html);
    free(html);
}
END_TEST

/* No positives at all: recall undefined, so no curve, and still no NaN. */
START_TEST(test_no_positives)
{
    only_first();
    struct eval_corpus *c = &fx.corpora[0];
    c->counts = (struct eval_counts){.tp = 0, .fp = 4, .fn = 0, .tn = 6};
    fx.sweep[0] = (struct eval_point){10, 0, 1};
    fx.sweep[1] = (struct eval_point){4, 0, 2};
    fx.sweep[2] = (struct eval_point){3, 0, 4};
    fx.sweep[3] = (struct eval_point){1, 0, 5};
    char *html = render(&fx.r);
    assert_well_formed(html);
    assert_no_nan(html);
    ck_assert_lacks(html, "<polyline");
    char *text = text_of(html);
    ck_assert_has(text, "recall is undefined");
    ck_assert_has(text, "Precision 0.000 Recall \xe2\x80\x93 F1 0.000 False-positive rate 0.400");
    /* the sweep table still lists every point: precision 0, recall undefined */
    ck_assert_has(text, "3 4 0.000 \xe2\x80\x93 0.400 flag at 3");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_marks)
{
    char *html = render(&fx.r);
    /* exactly around the span's bytes, with the rule's id as the title */
    ck_assert_has(html, "&lt;/script&gt; you <mark title=\"h.idiot\">idiot</mark></p>");
    /* a multi-byte Arabic span */
    ck_assert_has(html, "\xd8\xa3\xd9\x86\xd8\xaa <mark title=\"ar.insult\">"
                        "\xd8\xba\xd8\xa8\xd9\x8a</mark> \xd8\xac\xd8\xaf\xd8\xa7</p>");
    /* at the start, touching, and at the end */
    ck_assert_has(html, "\"><mark title=\"h.idiot\">idiot</mark><mark title=\"h.stupid\">stupid"
                        "</mark> x <mark title=\"h.idiot\">idiot</mark></p>");
    ck_assert_uint_eq(count_of(html, "<mark"), 5);
    ck_assert_uint_eq(count_of(html, "</mark>"), 5);
    free(html);

    /* a rule id is escaped in the attribute */
    fx.spans[0].rule_id = "r&\"<";
    html = render(&fx.r);
    assert_well_formed(html);
    ck_assert_has(html, "<mark title=\"r&amp;&quot;&lt;\">idiot</mark>");
    free(html);
}
END_TEST

/* A span past the text or out of order is left unmarked, never read. */
START_TEST(test_bad_spans_ignored)
{
    fx.spans[0] = (struct eval_span){30, 400, "h.idiot"};
    fx.spans[3] = (struct eval_span){2, 4, "h.stupid"}; /* inside the span before */
    char *html = render(&fx.r);
    assert_well_formed(html);
    ck_assert_uint_eq(count_of(html, "<mark"), 3);
    ck_assert_has(html, "&lt;/script&gt; you idiot</p>");
    ck_assert_has(html, "<mark title=\"h.idiot\">idiot</mark>stupid x <mark");
    free(html);
}
END_TEST

START_TEST(test_samples)
{
    only_first();
    char *html = render(&fx.r);
    /* every comment reads its own direction: the Arabic one right to left */
    ck_assert_uint_eq(count_of(html, "<p class=\"text\" dir=\"auto\">"), 3);
    ck_assert_has(html, "<p class=\"text\" dir=\"auto\">\xd8\xa3\xd9\x86\xd8\xaa");
    char *text = text_of(html);
    /* false positives first, in the order given, then the missed */
    const char *fp = strstr(text, "False positives: flagged, should pass (2 shown, up to 10)");
    const char *row4 = strstr(text, "row 4 \xc2\xb7 label neg<&> \xc2\xb7 flag \xc2\xb7 score 3");
    const char *row2 = strstr(text, "row 2 \xc2\xb7 label neither \xc2\xb7 hold \xc2\xb7 score 7");
    const char *missed = strstr(text, "Missed: should be flagged, passed (1 shown, up to 10)");
    const char *row9 = strstr(text, "row 9 \xc2\xb7 label bad \xc2\xb7 pass \xc2\xb7 score 2.5");
    ck_assert_ptr_nonnull(fp);
    ck_assert_ptr_nonnull(row4);
    ck_assert_ptr_nonnull(row2);
    ck_assert_ptr_nonnull(missed);
    ck_assert_ptr_nonnull(row9);
    ck_assert(fp < row4 && row4 < row2 && row2 < missed && missed < row9);
    free(text);
    free(html);

    /* --samples 0: no sample sections at all */
    fx.r.sample_limit = 0;
    fx.corpora[0].sample_count = 0;
    html = render(&fx.r);
    ck_assert_lacks(html, "False positives:");
    ck_assert_lacks(html, "dir=\"auto\"");
    free(html);
}
END_TEST

START_TEST(test_rule_bars)
{
    only_first();
    char *html = render(&fx.r);
    char *svg = part_of(html, "<svg class=\"rules\"", "</svg>");
    /* one bar per rule with hits, most hits first */
    ck_assert_uint_eq(count_of(svg, "<g class=\"bar\">"), 3);
    const char *spam = strstr(svg, ">h.spam</text>");
    const char *idiot = strstr(svg, ">h.idiot</text>");
    const char *ar = strstr(svg, ">ar.insult</text>");
    ck_assert_ptr_nonnull(spam);
    ck_assert_ptr_nonnull(idiot);
    ck_assert_ptr_nonnull(ar);
    ck_assert(spam < idiot && idiot < ar);
    ck_assert_lacks(svg, "h.stupid");
    /* counts and precision: 6/7, 4/5, 0/2 */
    ck_assert_has(svg, ">7: 6 TP, 1 FP, precision 0.857</text>");
    ck_assert_has(svg, ">5: 4 TP, 1 FP, precision 0.800</text>");
    ck_assert_has(svg, ">2: 0 TP, 2 FP, precision 0.000</text>");
    ck_assert_has(svg, ">spam</text>");
    /* TP and FP parts: ar.insult has no TP part */
    ck_assert_uint_eq(count_of(svg, "<rect class=\"tp\""), 2);
    ck_assert_uint_eq(count_of(svg, "<rect class=\"fp\""), 3);
    /* the longest bar fills the 320-unit track: 320 * 6/7 and 320 * 1/7 */
    ck_assert_has(svg, "width=\"274.3\"");
    ck_assert_has(svg, "width=\"45.7\"");
    /* the rule that never fired is listed apart */
    char *text = text_of(html);
    ck_assert_has(text, "Rules that fired (3 of 4)");
    ck_assert_has(text, "Rules that never fired (1) h.stupid");
    free(text);
    free(svg);
    free(html);

    /* ties keep the rule-file order */
    fx.corpora[0].rules[3] = (struct eval_rule){7, 7};
    html = render(&fx.r);
    svg = part_of(html, "<svg class=\"rules\"", "</svg>");
    spam = strstr(svg, ">h.spam</text>");
    ar = strstr(svg, ">ar.insult</text>");
    ck_assert(spam != NULL && ar != NULL && spam < ar);
    free(svg);
    free(html);
}
END_TEST

START_TEST(test_sweep_all_points)
{
    only_first();
    char *html = render(&fx.r);
    char *svg = part_of(html, "<svg width=\"", "</svg>");
    /* one vertex and one dot per threshold, one thick ring at flag */
    char *line = part_of(svg, "<polyline", "/>");
    ck_assert_uint_eq(count_of(line, ","), 4);
    free(line);
    ck_assert_uint_eq(count_of(svg, "<circle class=\"dot\""), 4);
    ck_assert_uint_eq(count_of(svg, "<circle class=\"ring flag\""), 1);
    /* hold (6) and reject (10) both take the point at 10: one ring */
    ck_assert_uint_eq(count_of(svg, "<circle class=\"ring\""), 1);
    ck_assert_has(svg, ">flag \xe2\x89\xa5 3</text>");
    ck_assert_has(svg, ">hold, reject \xe2\x89\xa5 6</text>");
    ck_assert_has(svg, "<title>threshold 3: 4 flagged, precision 0.750, recall 0.600</title>");
    ck_assert_has(svg, ">Recall</text>");
    ck_assert_has(svg, ">Precision</text>");
    free(svg);

    char *text = text_of(html);
    ck_assert_has(text, "Every threshold (4)");
    /* threshold, flagged, precision, recall, FPR (of 5 positives, 5 negatives) */
    ck_assert_has(text, "10 1 1.000 0.200 0.000 hold at 6, reject at 10 "
                        "4 2 1.000 0.400 0.000 "
                        "3 4 0.750 0.600 0.200 flag at 3 "
                        "1 8 0.625 1.000 0.600");
    ck_assert_uint_eq(count_of(html, "<tr class=\"current\">"), 2);
    free(text);
    free(html);
}
END_TEST

START_TEST(test_sweep_many_points)
{
    only_first();
    /* 100 thresholds, 50 down to 0.5 by halves; one more flagged at each */
    struct eval_corpus *c = &fx.corpora[0];
    c->counts = (struct eval_counts){.tp = 60, .fp = 40, .fn = 0, .tn = 0};
    for (size_t i = 0; i < 100; i++)
        fx.sweep[i] =
            (struct eval_point){50 - 0.5 * (double)i, (i + 1) * 6 / 10, (i + 1) - (i + 1) * 6 / 10};
    c->sweep_count = 100;
    char *html = render(&fx.r);
    assert_well_formed(html);
    char *table = part_of(html, "thresholds: an even spread", "</table>");
    size_t rows = count_of(table, "<tr");
    ck_assert_uint_le(rows - 1, 40); /* the header row aside */
    ck_assert_uint_ge(rows - 1, 20);
    char *text = text_of(table);
    /* the ends and the thresholds in force are among them */
    ck_assert_has(text, " 50 1 ");
    ck_assert_has(text, " 0.5 100 ");
    ck_assert_has(text, " 10 81 ");
    ck_assert_has(text, "reject at 10");
    ck_assert_has(text, " 6 89 ");
    ck_assert_has(text, "hold at 6");
    ck_assert_has(text, " 3 95 ");
    ck_assert_has(text, "flag at 3");
    free(text);
    free(table);
    text = text_of(html);
    char want[64];
    snprintf(want, sizeof want, "%zu of 100 thresholds", rows - 1);
    ck_assert_has(text, want);
    free(text);
    /* the curve still has every point */
    char *line = part_of(html, "<polyline", "/>");
    ck_assert_uint_eq(count_of(line, ","), 100);
    free(line);
    free(html);
}
END_TEST

/* Thresholds in force that no comment reaches: no ring, and a word why. */
START_TEST(test_sweep_below_flag)
{
    only_first();
    fx.sweep[0] = (struct eval_point){2, 1, 0};
    fx.sweep[1] = (struct eval_point){1, 3, 1};
    fx.corpora[0].sweep_count = 2;
    char *html = render(&fx.r);
    ck_assert_lacks(html, "class=\"ring");
    ck_assert_lacks(html, "<tr class=\"current\">");
    char *text = text_of(html);
    ck_assert_has(text, "No comment reaches the flag threshold (3)");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_negative_labels)
{
    fx.r.is_negative = 1;
    fx.r.labels[0] = label_neither;
    fx.r.label_count = 1;
    char *html = render(&fx.r);
    char *text = text_of(html);
    ck_assert_has(text, "Should be flagged comments labelled every label but neither ");
    free(text);
    free(html);
    fx.r.labels[1] = "<none>";
    fx.r.label_count = 2;
    html = render(&fx.r);
    text = text_of(html);
    ck_assert_has(text, "comments labelled every label but neither and <none> ");
    ck_assert_has(html, "<bdi>&lt;none&gt;</bdi>");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_category_map)
{
    only_first();
    char *html = render(&fx.r);
    ck_assert_lacks(html, "own TP");
    free(html);
    fx.r.has_category_map = 1;
    html = render(&fx.r);
    char *text = text_of(html);
    ck_assert_has(text, "own TP");
    /* insult's own matrix 3 1 1 5: P 0.750, R 0.750, F1 0.750, FPR 1/6 */
    ck_assert_has(text, "insult 5 4 1 0.800 3 1 1 5 0.750 0.750 0.750 0.167");
    /* spam's own matrix has no positives and nothing flagged */
    ck_assert_has(text, "spam 9 6 3 0.667 0 0 0 10 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 0.000");
    free(text);
    free(html);
}
END_TEST

START_TEST(test_proposals)
{
    char *html = render(&fx.r);
    char *part = part_of(html, "<section id=\"proposals\">", "</section>");
    char *text = text_of(part);
    ck_assert_has(text, "measured on all corpora together");
    ck_assert_has(text, "flag 20% 3 3 3 1 2 4 0.750 0.600 0.667 0.2000");
    ck_assert_has(text, "hold 0.1% \xe2\x80\x93 6 no threshold above 0 keeps within the budget");
    free(text);
    free(part);
    free(html);

    only_first();
    html = render(&fx.r);
    ck_assert_has(html, "measured on <code>a&lt;b&gt;&amp;&quot;c&#39;.csv</code>.");
    free(html);

    fx.r.proposal_count = 0;
    html = render(&fx.r);
    ck_assert_lacks(html, "id=\"proposals\"");
    free(html);
}
END_TEST

START_TEST(test_corpora_and_total)
{
    char *html = render(&fx.r);
    ck_assert_has(html, "<section id=\"corpus-1\">");
    ck_assert_has(html, "<section id=\"corpus-2\">");
    ck_assert_has(html, "<section id=\"total\">");
    ck_assert_has(html, "<a href=\"#corpus-2\"><code>empty.csv</code></a>");
    char *text = text_of(html);
    ck_assert_has(text, "Every corpus at a glance");
    ck_assert_has(text, "empty.csv 0 0 0 0 0 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93 \xe2\x80\x93");
    ck_assert_has(text, "all together 10 3 1 2 4 0.750 0.600 0.667 0.200");
    ck_assert_has(text, "All 2 corpora together");
    free(text);
    /* the total shows no samples of its own: only corpus 1's three */
    ck_assert_uint_eq(count_of(html, "<li class=\"sample"), 3);
    char *total = part_of(html, "<section id=\"total\">", "</section>");
    ck_assert_lacks(total, "<li class=\"sample");
    ck_assert_has(total, "<svg class=\"rules\"");
    free(total);
    free(html);
}
END_TEST

START_TEST(test_deterministic)
{
    char *a = render(&fx.r);
    char *b = render(&fx.r);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

/* Scores and thresholds print as their shortest decimal. */
START_TEST(test_score_format)
{
    only_first();
    fx.sweep[0].threshold = 12.25;
    fx.sweep[1].threshold = 4.5;
    fx.sweep[2].threshold = 3.0006;
    fx.sweep[3].threshold = 0.125;
    fx.samples[0].score = -1.5;
    char *html = render(&fx.r);
    char *text = text_of(html);
    ck_assert_has(text, "12.25 1 1.000");
    ck_assert_has(text, "4.5 2 1.000");
    ck_assert_has(text, "3.001 4 0.750");
    ck_assert_has(text, "0.125 8 0.625");
    ck_assert_has(text, "score -1.5 ");
    free(text);
    free(html);
}
END_TEST

Suite *eval_html_suite(void)
{
    Suite *s = suite_create("eval_html");

    TCase *checker = tcase_create("Checker");
    tcase_set_timeout(checker, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(checker, test_checker_rejects, 0,
                        (int)(sizeof bad_pages / sizeof bad_pages[0]));
    suite_add_tcase(s, checker);

    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, TEST_TIMEOUT_RULES);
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_page_well_formed);
    tcase_add_test(core, test_escaping);
    tcase_add_test(core, test_figures);
    tcase_add_test(core, test_samples);
    tcase_add_test(core, test_marks);
    tcase_add_test(core, test_rule_bars);
    tcase_add_test(core, test_sweep_all_points);
    tcase_add_test(core, test_negative_labels);
    tcase_add_test(core, test_category_map);
    tcase_add_test(core, test_proposals);
    tcase_add_test(core, test_corpora_and_total);
    tcase_add_test(core, test_deterministic);
    tcase_add_test(core, test_score_format);
    suite_add_tcase(s, core);

    TCase *limits = tcase_create("Limits");
    tcase_set_timeout(limits, TEST_TIMEOUT_RULES);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(limits, test_undefined_dash);
    tcase_add_test(limits, test_empty_corpus);
    tcase_add_test(limits, test_no_positives);
    tcase_add_test(limits, test_bad_spans_ignored);
    tcase_add_test(limits, test_sweep_many_points);
    tcase_add_test(limits, test_sweep_below_flag);
    suite_add_tcase(s, limits);
    return s;
}
