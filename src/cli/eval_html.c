/*
 * eval_html.c - the `quell eval` report as one self-contained web page for a
 * moderator: inline CSS and SVG, no script, nothing fetched; every corpus with
 * its figures, precision/recall curve, rule bars and the comments it got wrong.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "eval.h"

#define DASH    "\xe2\x80\x93" /* U+2013, for a ratio that is undefined */
#define NUM_BUF 48

/* Sweep points listed in full up to this many; beyond, a spread of them. */
#define SWEEP_ROWS_ALL    40
#define SWEEP_ROWS_SPREAD 30
/* Points drawn as dots on the curve up to this many (the line has them all). */
#define CURVE_DOTS_ALL 150

/* The precision/recall chart, in SVG user units. */
#define CHART_W      540
#define CHART_H      400
#define CHART_LEFT   60
#define CHART_RIGHT  24
#define CHART_TOP    18
#define CHART_BOTTOM 54
#define RING_CHAR_W  7.2 /* 12px bold, on average */

/* The rule bars: a row per rule, columns for id, category, bar and counts. */
#define BAR_ROW_H      24
#define BAR_TOP        6
#define BAR_ID_CHARS   40
#define BAR_CAT_CHARS  20
#define BAR_ID_CHAR_W  7.3 /* 12px monospace */
#define BAR_CAT_CHAR_W 6.8 /* 12px system font, on average */
#define BAR_W          320
#define BAR_COUNTS_W   330
#define BAR_GAP        14

/* ---------------------------------------------------------------------- */
/* Text and numbers                                                        */

/* The code point of the UTF-8 sequence at s[0..len) in *cp and its length,
 * or 0 when the bytes there are not valid UTF-8 (overlong, surrogate, cut). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t n;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xc2 && b <= 0xdf) {
        n = 2;
        c = b & 0x1fu;
        min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
        n = 3;
        c = b & 0x0fu;
        min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
        n = 4;
        c = b & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Characters HTML does not allow in a document: controls other than tab,
 * newline and carriage return, and noncharacters. */
static int is_forbidden(uint32_t c)
{
    if (c < 0x20)
        return c != '\t' && c != '\n' && c != '\r';
    if (c >= 0x7f && c <= 0x9f)
        return 1;
    if (c >= 0xfdd0 && c <= 0xfdef)
        return 1;
    return (c & 0xfffe) == 0xfffe;
}

/*
 * Write s[0..len) as HTML text or a quoted attribute value: the five special
 * characters as references, and anything that is not valid UTF-8 or not
 * allowed in HTML as U+FFFD. Texts are valid UTF-8 already; file names and
 * labels from the command line need not be.
 */
static void put_escaped(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t plain = 0; /* start of the run of bytes written as they are */
    size_t i = 0;
    if (len == 0)
        return; /* s may then be NULL */
    while (i < len) {
        uint32_t c;
        size_t n = utf8_decode(p + i, len - i, &c);
        const char *ref = NULL;
        if (n == 0 || is_forbidden(c))
            ref = "\xef\xbf\xbd";
        else if (c == '&')
            ref = "&amp;";
        else if (c == '<')
            ref = "&lt;";
        else if (c == '>')
            ref = "&gt;";
        else if (c == '"')
            ref = "&quot;";
        else if (c == '\'')
            ref = "&#39;";
        if (ref) {
            fwrite(p + plain, 1, i - plain, f);
            fputs(ref, f);
            i += n ? n : 1;
            plain = i;
        } else {
            i += n;
        }
    }
    fwrite(p + plain, 1, len - plain, f);
}

static void put_str(FILE *f, const char *s)
{
    if (s)
        put_escaped(f, s, strlen(s));
}

/* Code points in s, counting each byte that is not valid UTF-8 as one. */
static size_t char_count(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), count = 0;
    for (size_t i = 0; i < len; count++) {
        uint32_t c;
        size_t n = utf8_decode(p + i, len - i, &c);
        i += n ? n : 1;
    }
    return count;
}

/* The first max_chars characters of s, escaped; an ellipsis when cut. */
static void put_clipped(FILE *f, const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), at = 0;
    if (char_count(s) <= max_chars) {
        put_escaped(f, s, len);
        return;
    }
    for (size_t k = 0; k + 1 < max_chars && at < len; k++) {
        uint32_t c;
        size_t n = utf8_decode(p + at, len - at, &c);
        at += n ? n : 1;
    }
    put_escaped(f, s, at);
    fputs("\xe2\x80\xa6", f); /* U+2026 */
}

/* "W.FFF": whole, then the last decimals (0 to 4) digits of frac. By hand
 * rather than with %f so that the page reads the same under any locale. */
static const char *put_decimal(char *buf, const char *sign, unsigned long long whole,
                               unsigned long long frac, int decimals)
{
    char digits[8];
    decimals = decimals < 0 ? 0 : (decimals > 4 ? 4 : decimals);
    for (int k = decimals - 1; k >= 0; k--) {
        digits[k] = (char)('0' + frac % 10);
        frac /= 10;
    }
    digits[decimals] = '\0';
    snprintf(buf, NUM_BUF, "%s%llu%s%s", sign, whole, decimals > 0 ? "." : "", digits);
    return buf;
}

/* x with decimals (0 to 4) digits after the point, or the dash when x is
 * undefined (eval_ratio's -1) or not finite: the page never says "nan". */
static const char *fmt_fixed(char *buf, double x, int decimals)
{
    if (!(x >= 0) || !(x < 1e14))
        return DASH;
    unsigned long long scale = 1;
    for (int i = 0; i < decimals && i < 4; i++)
        scale *= 10;
    unsigned long long v = (unsigned long long)(x * (double)scale + 0.5);
    return put_decimal(buf, "", v / scale, v % scale, decimals);
}

static const char *fmt_ratio(char *buf, double x)
{
    return fmt_fixed(buf, x, 3);
}

/* A score or threshold: its shortest decimal to a thousandth ("3", "4.5"). */
static const char *fmt_score(char *buf, double x)
{
    if (!isfinite(x))
        return DASH;
    double a = fabs(x);
    if (a >= 1e14) {
        /* no such score in a sane rule set; %g has no grouping to localise */
        snprintf(buf, NUM_BUF, "%.6g", x);
        return buf;
    }
    unsigned long long milli = (unsigned long long)(a * 1000 + 0.5);
    unsigned long long frac = milli % 1000;
    int decimals = 3;
    while (decimals > 0 && frac % 10 == 0) {
        frac /= 10;
        decimals--;
    }
    return put_decimal(buf, x < 0 && milli > 0 ? "-" : "", milli / 1000, frac, decimals);
}

/* An SVG coordinate, to a tenth of a unit. */
static const char *fmt_coord(char *buf, double x)
{
    return fmt_fixed(buf, x > 0 ? x : 0, 1);
}

static double clamp01(double x)
{
    return x > 1 ? 1 : (x > 0 ? x : 0);
}

/* ---------------------------------------------------------------------- */
/* Pieces shared by the sections                                           */

static const char *rule_id(const struct eval_report *r, size_t i)
{
    const char *id = quell_rules_rule_id(r->rules, i);
    return id ? id : "?";
}

static const char *rule_category(const struct eval_report *r, size_t i)
{
    const char *name = quell_rules_category_name(r->rules, quell_rules_rule_category(r->rules, i));
    return name ? name : "?";
}

static const char *category_name(const struct eval_report *r, size_t i)
{
    const char *name = quell_rules_category_name(r->rules, i);
    return name ? name : "?";
}

static double threshold_of(const struct eval_report *r, int action)
{
    return quell_rules_threshold(r->rules, (quell_action)action);
}

/* The sweep point flagging what threshold t flags: the one with the lowest
 * threshold at or above t; -1 if no comment scores that much. */
static long point_at(const struct eval_corpus *c, double t)
{
    long found = -1;
    for (size_t i = 0; i < c->sweep_count && c->sweep[i].threshold >= t; i++)
        found = (long)i;
    return found;
}

/* A numeric table cell. */
static void put_num_cell(FILE *f, unsigned long long n)
{
    fprintf(f, "<td class=\"n\">%llu</td>", n);
}

static void put_ratio_cell(FILE *f, double x)
{
    char b[NUM_BUF];
    fprintf(f, "<td class=\"n\">%s</td>", fmt_ratio(b, x));
}

/* Four figures as a row of cells. */
static void put_figure_cells(FILE *f, const struct eval_figures *g)
{
    put_ratio_cell(f, g->precision);
    put_ratio_cell(f, g->recall);
    put_ratio_cell(f, g->f1);
    put_ratio_cell(f, g->fpr);
}

static const char page_style[] =
    ":root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;"
    "--tp:#2f6db5;--fp:#e07b1a;--miss:#8250df}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Noto Sans\",\"Noto Sans Arabic\",\"DejaVu Sans\",sans-serif}\n"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}\n"
    "h1{font-size:1.7em;margin:0 0 .4em}\n"
    "h2{font-size:1.35em;margin:2.2em 0 .4em;padding-top:.7em;border-top:2px solid var(--line)}\n"
    "h3{font-size:1.05em;margin:1.8em 0 .4em}\n"
    "p{margin:.4em 0}\n"
    "a{color:var(--tp)}\n"
    "code,.mono{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,"
    "\"DejaVu Sans Mono\",monospace;font-size:.9em}\n"
    ".muted,caption,.note{color:var(--muted)}\n"
    ".note{font-size:.9em}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:.6em 0}\n"
    "dl.meta dt{color:var(--muted)}\n"
    "dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
    "table{border-collapse:collapse;margin:.3em 0 1em;font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;font-size:.9em;padding-bottom:.3em}\n"
    "th,td{padding:.22em .75em;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--line);font-weight:600;white-space:nowrap}\n"
    "tbody th{font-weight:normal}\n"
    ".n{text-align:right;white-space:nowrap}\n"
    "tr.current td,tr.current th{background:#eaf1fb;font-weight:600}\n"
    ".figures{display:flex;flex-wrap:wrap;gap:12px;margin:.8em 0 1em}\n"
    ".figure{border:1px solid var(--line);border-radius:6px;padding:.35em 1em;min-width:10em;"
    "background:var(--soft)}\n"
    ".figure .name{display:block;color:var(--muted);font-size:.85em}\n"
    ".figure .value{display:block;font-size:1.6em;font-variant-numeric:tabular-nums}\n"
    ".row{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}\n"
    ".matrix td{min-width:7em}\n"
    ".matrix td.tp{box-shadow:inset 4px 0 var(--tp)}\n"
    ".matrix td.fp{box-shadow:inset 4px 0 var(--fp)}\n"
    ".key{margin:0 .25em 0 .8em}\n"
    ".key.tp{color:var(--tp)}\n"
    ".key.fp{color:var(--fp)}\n"
    "svg{display:block;max-width:100%;height:auto}\n"
    "svg text{font:12px system-ui,\"Noto Sans\",\"DejaVu Sans\",sans-serif;fill:var(--ink)}\n"
    "svg text.id{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace}\n"
    "svg text.muted{fill:var(--muted)}\n"
    "svg .grid{stroke:#e6e9ed;stroke-width:1}\n"
    "svg .axis{stroke:var(--muted);stroke-width:1}\n"
    "svg .curve{fill:none;stroke:var(--tp);stroke-width:2}\n"
    "svg .dot{fill:var(--tp)}\n"
    "svg text.ring-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:4px}\n"
    "figure{margin:0}\n"
    "figure.chart{flex:0 1 auto;max-width:540px}\n"
    "svg .ring{fill:none;stroke:var(--fp);stroke-width:2}\n"
    "svg .ring.flag{stroke-width:3}\n"
    "svg rect.tp{fill:var(--tp)}\n"
    "svg rect.fp{fill:var(--fp)}\n"
    "svg .track{fill:var(--soft)}\n"
    ".samples{list-style:none;padding:0;margin:.3em 0 1em}\n"
    ".sample{border:1px solid var(--line);border-left:4px solid var(--fp);border-radius:4px;"
    "padding:.45em .8em;margin:0 0 .6em}\n"
    ".sample.missed{border-left-color:var(--miss)}\n"
    ".sample .about{color:var(--muted);font-size:.88em}\n"
    ".sample .text{margin:.25em 0 0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "mark{background:#ffe69c;color:inherit;border-radius:2px;padding:0 1px;"
    "box-shadow:inset 0 -2px #d4a72c}\n"
    "details{margin:.3em 0 1em}\n"
    "summary{cursor:pointer;color:var(--muted)}\n";

/* ---------------------------------------------------------------------- */
/* The header                                                              */

static void write_labels(FILE *f, const struct eval_report *r)
{
    if (r->label_count == 0) {
        fputs("<span class=\"muted\">none given</span>", f);
        return;
    }
    if (r->is_negative)
        fputs("every label but ", f);
    for (size_t i = 0; i < r->label_count; i++) {
        if (i > 0)
            fputs(i + 1 == r->label_count ? (r->is_negative ? " and " : " or ") : ", ", f);
        fputs("<code><bdi>", f);
        put_str(f, r->labels[i]);
        fputs("</bdi></code>", f);
    }
}

static void write_header(FILE *f, const struct eval_report *r)
{
    char b[3][NUM_BUF];
    fputs("<header>\n<h1>How the rules did on labelled comments</h1>\n<dl class=\"meta\">\n", f);
    fputs("<dt>Rules</dt><dd><code>", f);
    put_str(f, r->rules_path);
    fprintf(f, "</code> <span class=\"muted\">(%zu rules, %zu categories)</span></dd>\n",
            r->rule_count, r->category_count);
    fputs("<dt>Measured</dt><dd>", f);
    size_t date_len = strnlen(r->date, sizeof r->date);
    if (date_len > 0) {
        put_escaped(f, r->date, date_len);
    } else {
        fputs("<span class=\"muted\">unknown</span>", f);
    }
    fputs("</dd>\n<dt>Should be flagged</dt><dd>comments labelled ", f);
    write_labels(f, r);
    fputs("</dd>\n", f);
    fprintf(f,
            "<dt>Thresholds</dt><dd>flag at %s, hold at %s, reject at %s "
            "<span class=\"muted\">(a comment counts as flagged at flag or worse)</span></dd>\n",
            fmt_score(b[0], threshold_of(r, QUELL_FLAG)),
            fmt_score(b[1], threshold_of(r, QUELL_HOLD)),
            fmt_score(b[2], threshold_of(r, QUELL_REJECT)));
    if (r->sample_limit > 0)
        fprintf(f, "<dt>Samples</dt><dd>up to %zu wrong comments of each kind per corpus</dd>\n",
                r->sample_limit);
    else
        fputs("<dt>Samples</dt><dd>none asked for</dd>\n", f);
    fputs("</dl>\n</header>\n", f);
}

/* With several corpora: one line each and the total, linked to its section. */
static void write_overview(FILE *f, const struct eval_report *r)
{
    if (r->corpus_count < 2 && !r->total)
        return;
    fputs("<table>\n<caption>Every corpus at a glance</caption>\n<thead><tr><th>corpus</th>"
          "<th class=\"n\">evaluated</th><th class=\"n\">TP</th><th class=\"n\">FP</th>"
          "<th class=\"n\">FN</th><th class=\"n\">TN</th><th class=\"n\">precision</th>"
          "<th class=\"n\">recall</th><th class=\"n\">F1</th><th class=\"n\">FPR</th>"
          "</tr></thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i <= r->corpus_count; i++) {
        const struct eval_corpus *c = i < r->corpus_count ? &r->corpora[i] : r->total;
        if (!c)
            break;
        if (i < r->corpus_count) {
            fprintf(f, "<tr><th><a href=\"#corpus-%zu\"><code>", i + 1);
            put_str(f, c->name);
            fputs("</code></a></th>", f);
        } else {
            fputs("<tr class=\"current\"><th><a href=\"#total\">all together</a></th>", f);
        }
        struct eval_figures g = eval_figures_of(&c->counts);
        put_num_cell(f, c->rows - c->malformed);
        put_num_cell(f, c->counts.tp);
        put_num_cell(f, c->counts.fp);
        put_num_cell(f, c->counts.fn);
        put_num_cell(f, c->counts.tn);
        put_figure_cells(f, &g);
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* ---------------------------------------------------------------------- */
/* A corpus: figures, matrix, actions                                      */

static void write_figures(FILE *f, const struct eval_corpus *c)
{
    static const char *const names[4] = {"Precision", "Recall", "F1", "False-positive rate"};
    static const char *const hints[4] = {
        "of the flagged, the share that should be",
        "of those that should be, the share flagged",
        "the balance of precision and recall",
        "of those that should pass, the share flagged",
    };
    struct eval_figures g = eval_figures_of(&c->counts);
    const double x[4] = {g.precision, g.recall, g.f1, g.fpr};
    char b[NUM_BUF];

    fprintf(f,
            "<p>%llu rows read, %llu malformed (left out of every figure), "
            "%llu evaluated.</p>\n",
            c->rows, c->malformed, c->rows - c->malformed);
    fputs("<div class=\"figures\">\n", f);
    for (int i = 0; i < 4; i++)
        fprintf(f,
                "<div class=\"figure\" title=\"%s\"><span class=\"name\">%s</span> "
                "<span class=\"value\">%s</span></div>\n",
                hints[i], names[i], fmt_ratio(b, x[i]));
    fputs("</div>\n", f);
}

static void write_matrix(FILE *f, const struct eval_corpus *c)
{
    const struct eval_counts *k = &c->counts;
    fputs("<table class=\"matrix\">\n<caption>Confusion matrix</caption>\n"
          "<thead><tr><td></td><th class=\"n\" scope=\"col\">flagged</th>"
          "<th class=\"n\" scope=\"col\">passed</th></tr></thead>\n<tbody>\n",
          f);
    fprintf(f,
            "<tr><th scope=\"row\">should be flagged</th>"
            "<td class=\"n tp\"><span class=\"muted\">TP</span> %llu</td>"
            "<td class=\"n\"><span class=\"muted\">FN</span> %llu</td></tr>\n",
            k->tp, k->fn);
    fprintf(f,
            "<tr><th scope=\"row\">should pass</th>"
            "<td class=\"n fp\"><span class=\"muted\">FP</span> %llu</td>"
            "<td class=\"n\"><span class=\"muted\">TN</span> %llu</td></tr>\n",
            k->fp, k->tn);
    fputs("</tbody>\n</table>\n", f);
}

static void write_actions(FILE *f, const struct eval_corpus *c)
{
    static const char *const rows[2] = {"should pass", "should be flagged"};
    fputs("<table>\n<caption>Comments by action</caption>\n<thead><tr><td></td>", f);
    for (int a = 0; a < EVAL_ACTION_COUNT; a++)
        fprintf(f, "<th class=\"n\" scope=\"col\">%s</th>", quell_action_name((quell_action)a));
    fputs("<th class=\"n\" scope=\"col\">all</th></tr></thead>\n<tbody>\n", f);
    for (int is_pos = 1; is_pos >= 0; is_pos--) {
        unsigned long long sum = 0;
        fprintf(f, "<tr><th scope=\"row\">%s</th>", rows[is_pos]);
        for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
            put_num_cell(f, c->actions[a][is_pos]);
            sum += c->actions[a][is_pos];
        }
        put_num_cell(f, sum);
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* ---------------------------------------------------------------------- */
/* The threshold sweep: a precision/recall curve and a table               */

/* Which actions start at point i, as a bit set of 1 << action. */
static unsigned marks_at(const long marks[EVAL_ACTION_COUNT], size_t i)
{
    unsigned set = 0;
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++) {
        if (marks[a] == (long)i)
            set |= 1u << a;
    }
    return set;
}

/* The label of a ring on the curve, e.g. "hold, reject \u2265 6" (the first
 * action's threshold): written into buf, its width in characters returned. */
static size_t ring_label(char *buf, size_t size, const struct eval_report *r, unsigned set)
{
    size_t len = 0;
    int first = 0;
    char score[NUM_BUF];
    buf[0] = '\0';
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++) {
        if (!(set & (1u << a)))
            continue;
        first = first ? first : a;
        int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                         quell_action_name((quell_action)a));
        len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
    }
    int n = snprintf(buf + len, size - len, " \xe2\x89\xa5 %s",
                     fmt_score(score, threshold_of(r, first)));
    len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
    return len - 2; /* the sign is three bytes, one character */
}

/* Whether the table lists point i: all when few, else an even spread, the
 * ends, and the points the thresholds in force give. */
static int is_listed(const struct eval_corpus *c, const long marks[EVAL_ACTION_COUNT], size_t i)
{
    if (c->sweep_count <= SWEEP_ROWS_ALL)
        return 1;
    size_t step = (c->sweep_count + SWEEP_ROWS_SPREAD - 1) / SWEEP_ROWS_SPREAD;
    return i % step == 0 || i + 1 == c->sweep_count || marks_at(marks, i) != 0;
}

/* The chart's precision axis runs from lo_pct (a multiple of 10) to 100
 * percent in steps of step_pct: a rule set that is rarely wrong would
 * otherwise draw its whole curve along the top edge. */
struct chart_axis {
    int lo_pct;
    int step_pct;
};

static struct chart_axis chart_axis_of(const struct eval_corpus *c)
{
    struct chart_axis ax = {90, 2};
    for (size_t i = 0; i < c->sweep_count; i++) {
        double p = eval_ratio(c->sweep[i].tp, c->sweep[i].tp + c->sweep[i].fp);
        int pct = p >= 0 ? (int)(p * 10) * 10 : 100; /* down to a tenth */
        ax.lo_pct = pct < ax.lo_pct ? pct : ax.lo_pct;
    }
    int range = 100 - ax.lo_pct;
    if (range > 90)
        ax.step_pct = 20;
    else if (range > 30)
        ax.step_pct = 10;
    else if (range > 10)
        ax.step_pct = 5;
    return ax;
}

static double chart_x(double recall)
{
    return CHART_LEFT + clamp01(recall) * (CHART_W - CHART_LEFT - CHART_RIGHT);
}

static double chart_y(const struct chart_axis *ax, double precision)
{
    double lo = ax->lo_pct / 100.0;
    double share = clamp01((precision - lo) / (1 - lo));
    return CHART_H - CHART_BOTTOM - share * (CHART_H - CHART_TOP - CHART_BOTTOM);
}

static void write_chart_axes(FILE *f, const struct chart_axis *ax)
{
    char b[4][NUM_BUF];
    for (int k = 0; k <= 10; k += 2) {
        double v = k / 10.0;
        fprintf(f, "<line class=\"grid\" x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\"/>\n",
                fmt_coord(b[0], chart_x(v)), CHART_TOP, fmt_coord(b[1], chart_x(v)),
                CHART_H - CHART_BOTTOM);
        fprintf(f, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                fmt_coord(b[0], chart_x(v)), CHART_H - CHART_BOTTOM + 18, fmt_fixed(b[1], v, 1));
    }
    for (int pct = ax->lo_pct; pct <= 100; pct += ax->step_pct) {
        double v = pct / 100.0;
        fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\"/>\n", CHART_LEFT,
                fmt_coord(b[0], chart_y(ax, v)), CHART_W - CHART_RIGHT,
                fmt_coord(b[1], chart_y(ax, v)));
        fprintf(f, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>\n", CHART_LEFT - 8,
                fmt_coord(b[0], chart_y(ax, v) + 4), fmt_fixed(b[1], v, pct % 10 ? 2 : 1));
    }
    fprintf(f,
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            CHART_LEFT, CHART_TOP, CHART_LEFT, CHART_H - CHART_BOTTOM, CHART_LEFT,
            CHART_H - CHART_BOTTOM, CHART_W - CHART_RIGHT, CHART_H - CHART_BOTTOM);
    fprintf(f, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">Recall</text>\n",
            fmt_coord(b[0], chart_x(0.5)), CHART_H - 12);
    double mid = (CHART_H - CHART_BOTTOM + CHART_TOP) / 2.0;
    fprintf(f,
            "<text x=\"16\" y=\"%s\" text-anchor=\"middle\" transform=\"rotate(-90 16 %s)\">"
            "Precision</text>\n",
            fmt_coord(b[0], mid), fmt_coord(b[1], mid));
}

/* Rings at the thresholds in force, the flag one (which the figures use)
 * thickest; actions sharing a point share a ring. Each label goes under its
 * ring (over it when the ring is low), moved a line further when it would
 * cover one placed before: the thresholds in force often sit close together. */
static void write_rings(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                        const long marks[EVAL_ACTION_COUNT], const struct chart_axis *ax)
{
    unsigned long long pos = c->counts.tp + c->counts.fn;
    double placed[EVAL_ACTION_COUNT][3]; /* left, right, baseline of each label */
    size_t placed_count = 0;
    char b[3][NUM_BUF], label[64];

    for (size_t i = 0; i < c->sweep_count && placed_count < EVAL_ACTION_COUNT; i++) {
        unsigned set = marks_at(marks, i);
        if (!set)
            continue;
        const struct eval_point *p = &c->sweep[i];
        double x = chart_x(eval_ratio(p->tp, pos));
        double y = chart_y(ax, eval_ratio(p->tp, p->tp + p->fp));
        int is_flag = (set & (1u << QUELL_FLAG)) != 0;
        fprintf(f, "<circle class=\"ring%s\" cx=\"%s\" cy=\"%s\" r=\"%d\"/>\n",
                is_flag ? " flag" : "", fmt_coord(b[0], x), fmt_coord(b[1], y), is_flag ? 8 : 6);

        double width = (double)ring_label(label, sizeof label, r, set) * RING_CHAR_W;
        /* Centred; by an edge, beside the ring, off the curve that leaves it. */
        double left = x - width / 2;
        if (left + width > CHART_W - CHART_RIGHT)
            left = x - 12 - width;
        else if (left < CHART_LEFT + 4)
            left = x + 12;
        int is_below = y < CHART_H - CHART_BOTTOM - 60;
        double base = is_below ? y + 26 : y - 14;
        int is_moved;
        do {
            is_moved = 0;
            for (size_t k = 0; k < placed_count; k++) {
                int is_across = left < placed[k][1] && placed[k][0] < left + width;
                if (is_across && base > placed[k][2] - 16 && base < placed[k][2] + 16) {
                    /* always the same way, so this ends */
                    base = is_below ? placed[k][2] + 16 : placed[k][2] - 16;
                    is_moved = 1;
                }
            }
        } while (is_moved);
        placed[placed_count][0] = left;
        placed[placed_count][1] = left + width;
        placed[placed_count++][2] = base;
        fprintf(f, "<text class=\"ring-label\" x=\"%s\" y=\"%s\">", fmt_coord(b[0], left),
                fmt_coord(b[1], base));
        put_str(f, label);
        fputs("</text>\n", f);
    }
}

/* The curve: one point per threshold, recall across and precision up. */
static void write_chart(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                        const long marks[EVAL_ACTION_COUNT])
{
    unsigned long long pos = c->counts.tp + c->counts.fn;
    struct chart_axis ax = chart_axis_of(c);
    char b[6][NUM_BUF];

    fprintf(f,
            "<figure class=\"chart\">\n<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"Precision against recall for every threshold\">\n",
            CHART_W, CHART_H, CHART_W, CHART_H);
    write_chart_axes(f, &ax);
    fputs("<polyline class=\"curve\" points=\"", f);
    for (size_t i = 0; i < c->sweep_count; i++) {
        const struct eval_point *p = &c->sweep[i];
        fprintf(f, "%s%s,%s", i ? " " : "", fmt_coord(b[0], chart_x(eval_ratio(p->tp, pos))),
                fmt_coord(b[1], chart_y(&ax, eval_ratio(p->tp, p->tp + p->fp))));
    }
    fputs("\"/>\n", f);
    for (size_t i = 0; i < c->sweep_count; i++) {
        if (c->sweep_count > CURVE_DOTS_ALL && !is_listed(c, marks, i))
            continue;
        const struct eval_point *p = &c->sweep[i];
        double recall = eval_ratio(p->tp, pos), precision = eval_ratio(p->tp, p->tp + p->fp);
        fprintf(f,
                "<circle class=\"dot\" cx=\"%s\" cy=\"%s\" r=\"3\"><title>threshold %s: "
                "%llu flagged, precision %s, recall %s</title></circle>\n",
                fmt_coord(b[0], chart_x(recall)), fmt_coord(b[1], chart_y(&ax, precision)),
                fmt_score(b[2], p->threshold), p->tp + p->fp, fmt_ratio(b[3], precision),
                fmt_ratio(b[4], recall));
    }
    write_rings(f, r, c, marks, &ax);
    fputs("</svg>\n<figcaption class=\"note\">Each dot flags every comment scoring at least its "
          "threshold (hover for its figures); rings mark the thresholds in force.",
          f);
    if (marks[QUELL_FLAG] < 0)
        fprintf(f, " No comment reaches the flag threshold (%s), so none is flagged.",
                fmt_score(b[0], threshold_of(r, QUELL_FLAG)));
    fputs("</figcaption>\n</figure>\n", f);
}

static void write_sweep_table(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                              const long marks[EVAL_ACTION_COUNT])
{
    unsigned long long pos = c->counts.tp + c->counts.fn, neg = c->counts.fp + c->counts.tn;
    char b[4][NUM_BUF];
    size_t listed = 0;
    for (size_t i = 0; i < c->sweep_count; i++)
        listed += (size_t)is_listed(c, marks, i);

    fputs("<table>\n<caption>", f);
    if (listed < c->sweep_count)
        fprintf(f, "%zu of %zu thresholds: an even spread and those in force", listed,
                c->sweep_count);
    else
        fprintf(f, "Every threshold (%zu)", c->sweep_count);
    fputs("</caption>\n<thead><tr><th class=\"n\">threshold</th><th class=\"n\">flagged</th>"
          "<th class=\"n\">precision</th><th class=\"n\">recall</th><th class=\"n\">FPR</th>"
          "<th>in force</th></tr></thead>\n<tbody>\n",
          f);
    for (size_t i = 0; i < c->sweep_count; i++) {
        if (!is_listed(c, marks, i))
            continue;
        const struct eval_point *p = &c->sweep[i];
        unsigned set = marks_at(marks, i);
        fprintf(f, "<tr%s><td class=\"n\">%s</td>", set ? " class=\"current\"" : "",
                fmt_score(b[0], p->threshold));
        put_num_cell(f, p->tp + p->fp);
        put_ratio_cell(f, eval_ratio(p->tp, p->tp + p->fp));
        put_ratio_cell(f, eval_ratio(p->tp, pos));
        put_ratio_cell(f, eval_ratio(p->fp, neg));
        fputs("<td>", f);
        for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++) {
            if (!(set & (1u << a)))
                continue;
            fprintf(f, "%s%s at %s", (set & ((1u << a) - 1)) ? ", " : "",
                    quell_action_name((quell_action)a), fmt_score(b[1], threshold_of(r, a)));
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

static void write_sweep(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    long marks[EVAL_ACTION_COUNT] = {-1, -1, -1, -1};
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++)
        marks[a] = point_at(c, threshold_of(r, a));

    fputs("<h3>Precision and recall by threshold</h3>\n", f);
    if (c->sweep_count == 0) {
        fputs("<p class=\"muted\">No comment scored above 0, so there is nothing to sweep.</p>\n",
              f);
        return;
    }
    fputs("<div class=\"row\">\n", f);
    if (c->counts.tp + c->counts.fn > 0)
        write_chart(f, r, c, marks);
    else
        fputs("<p class=\"muted\">No comment should be flagged, so recall is undefined and "
              "there is no curve.</p>\n",
              f);
    write_sweep_table(f, r, c, marks);
    fputs("</div>\n", f);
}

/* ---------------------------------------------------------------------- */
/* Rules and categories                                                    */

/* Whether rule a comes before rule b in the bars: more hits first, then in
 * rule-file order. */
static int is_before(const struct eval_corpus *c, size_t a, size_t b)
{
    unsigned long long hits_a = c->rules[a].hits, hits_b = c->rules[b].hits;
    if (hits_a != hits_b)
        return hits_a > hits_b;
    return a < b;
}

/* The rule with hits after prev in the bars' order (prev == count: the
 * first); count when none. Quadratic over the report, but it needs no
 * memory and rule sets have hundreds of rules, not millions. */
static size_t next_rule(const struct eval_corpus *c, size_t count, size_t prev)
{
    size_t best = count;
    for (size_t i = 0; i < count; i++) {
        if (c->rules[i].hits == 0 || (prev < count && !is_before(c, prev, i)))
            continue;
        if (best == count || is_before(c, i, best))
            best = i;
    }
    return best;
}

static void write_rule_bar(FILE *f, const struct eval_report *r, const struct eval_rule *rule,
                           size_t i, double y, const double col[4], unsigned long long max_hits)
{
    char b[6][NUM_BUF];
    unsigned long long fp = rule->hits - rule->tp;
    double tp_w = (double)BAR_W * (double)rule->tp / (double)max_hits;
    double fp_w = (double)BAR_W * (double)fp / (double)max_hits;
    /* A part with any comments stays visible, however small. */
    tp_w = rule->tp > 0 && tp_w < 1 ? 1 : tp_w;
    fp_w = fp > 0 && fp_w < 1 ? 1 : fp_w;
    const char *precision = fmt_ratio(b[0], eval_ratio(rule->tp, rule->hits));

    fputs("<g class=\"bar\"><title>", f);
    put_str(f, rule_id(r, i));
    fputs(" (", f);
    put_str(f, rule_category(r, i));
    fprintf(f,
            "): fired on %llu, %llu should be flagged (TP), %llu should pass (FP), "
            "precision %s</title>\n",
            rule->hits, rule->tp, fp, precision);
    fprintf(f, "<text class=\"id\" x=\"%s\" y=\"%s\">", fmt_coord(b[1], col[0]),
            fmt_coord(b[2], y + 16));
    put_clipped(f, rule_id(r, i), BAR_ID_CHARS);
    fprintf(f, "</text><text class=\"muted\" x=\"%s\" y=\"%s\">", fmt_coord(b[1], col[1]),
            fmt_coord(b[2], y + 16));
    put_clipped(f, rule_category(r, i), BAR_CAT_CHARS);
    fputs("</text>\n", f);
    fprintf(f, "<rect class=\"track\" x=\"%s\" y=\"%s\" width=\"%d\" height=\"16\"/>",
            fmt_coord(b[1], col[2]), fmt_coord(b[2], y + 4), BAR_W);
    if (rule->tp > 0)
        fprintf(f, "<rect class=\"tp\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"16\"/>",
                fmt_coord(b[1], col[2]), fmt_coord(b[2], y + 4), fmt_coord(b[3], tp_w));
    if (fp > 0)
        fprintf(f, "<rect class=\"fp\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"16\"/>",
                fmt_coord(b[1], col[2] + tp_w), fmt_coord(b[2], y + 4), fmt_coord(b[3], fp_w));
    fprintf(f, "\n<text x=\"%s\" y=\"%s\">%llu: %llu TP, %llu FP, precision %s</text></g>\n",
            fmt_coord(b[1], col[3]), fmt_coord(b[2], y + 16), rule->hits, rule->tp, fp, precision);
}

static void write_rules(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    size_t fired = 0, id_chars = 4, cat_chars = 8;
    unsigned long long max_hits = 0;
    for (size_t i = 0; i < r->rule_count; i++) {
        if (c->rules[i].hits == 0)
            continue;
        fired++;
        size_t n = char_count(rule_id(r, i)), m = char_count(rule_category(r, i));
        id_chars = n > id_chars ? n : id_chars;
        cat_chars = m > cat_chars ? m : cat_chars;
        max_hits = c->rules[i].hits > max_hits ? c->rules[i].hits : max_hits;
    }
    id_chars = id_chars < BAR_ID_CHARS ? id_chars : BAR_ID_CHARS;
    cat_chars = cat_chars < BAR_CAT_CHARS ? cat_chars : BAR_CAT_CHARS;

    fprintf(f, "<h3>Rules that fired (%zu of %zu)</h3>\n", fired, r->rule_count);
    if (fired == 0) {
        fputs("<p class=\"muted\">No rule fired.</p>\n", f);
    } else {
        char b[2][NUM_BUF];
        double col[4];
        col[0] = 0;
        col[1] = col[0] + (double)id_chars * BAR_ID_CHAR_W + BAR_GAP;
        col[2] = col[1] + (double)cat_chars * BAR_CAT_CHAR_W + BAR_GAP;
        col[3] = col[2] + BAR_W + 10;
        double width = ceil(col[3] + BAR_COUNTS_W);
        double height = BAR_TOP * 2 + BAR_ROW_H * (double)(fired + 1);
        fputs(
            "<p class=\"note\">Comments each rule fired on, most first: "
            "<span class=\"key tp\" aria-hidden=\"true\">\xe2\x96\xa0</span>should be flagged (TP)"
            "<span class=\"key fp\" aria-hidden=\"true\">\xe2\x96\xa0</span>should pass (FP)</p>\n",
            f);
        fprintf(f,
                "<svg class=\"rules\" width=\"%s\" height=\"%s\" viewBox=\"0 0 %s %s\" "
                "role=\"img\" aria-label=\"Comments each rule fired on, split into true and "
                "false positives\">\n",
                fmt_fixed(b[0], width, 0), fmt_fixed(b[1], height, 0), fmt_fixed(b[0], width, 0),
                fmt_fixed(b[1], height, 0));
        fprintf(f,
                "<text class=\"muted\" x=\"0\" y=\"%d\">rule</text>"
                "<text class=\"muted\" x=\"%s\" y=\"%d\">category</text>",
                BAR_TOP + 14, fmt_coord(b[0], col[1]), BAR_TOP + 14);
        fprintf(f, "<text class=\"muted\" x=\"%s\" y=\"%d\">fired on: TP, FP, precision</text>\n",
                fmt_coord(b[0], col[3]), BAR_TOP + 14);
        size_t row = 1;
        for (size_t i = next_rule(c, r->rule_count, r->rule_count); i < r->rule_count;
             i = next_rule(c, r->rule_count, i))
            write_rule_bar(f, r, &c->rules[i], i, BAR_TOP + (double)(row++) * BAR_ROW_H, col,
                           max_hits);
        fputs("</svg>\n", f);
    }
    if (fired < r->rule_count) {
        fprintf(f, "<details><summary>Rules that never fired (%zu)</summary>\n<p>",
                r->rule_count - fired);
        const char *sep = "";
        for (size_t i = 0; i < r->rule_count; i++) {
            if (c->rules[i].hits > 0)
                continue;
            fprintf(f, "%s<code>", sep);
            put_str(f, rule_id(r, i));
            fputs("</code>", f);
            sep = ", ";
        }
        fputs("</p>\n</details>\n", f);
    }
}

/* With --context: every context rule, fired or not, with its recall (of
 * the positives, the share it fired on), as the text report gives them. */
static void write_context_rules(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    unsigned long long positives = c->counts.tp + c->counts.fn;
    fputs("<h3>Context rules</h3>\n<table>\n<caption>Decided in context (--context); recall: "
          "the share of the comments that should be flagged that each fired on</caption>\n"
          "<thead><tr><th>rule</th><th>fires when</th><th class=\"n\">fired</th>"
          "<th class=\"n\">TP</th><th class=\"n\">FP</th><th class=\"n\">precision</th>"
          "<th class=\"n\">recall</th></tr></thead>\n<tbody>\n",
          f);
    int has_any = 0;
    for (size_t i = 0; i < r->rule_count; i++) {
        size_t at_least;
        const char *fact = quell_rules_rule_context(r->rules, i, &at_least);
        if (!fact)
            continue;
        has_any = 1;
        const struct eval_rule *rule = &c->rules[i];
        fputs("<tr><th><code>", f);
        put_str(f, quell_rules_rule_id(r->rules, i));
        fputs("</code></th><td><code>", f);
        put_str(f, fact);
        fprintf(f, " &gt;= %zu</code></td>", at_least);
        put_num_cell(f, rule->hits);
        put_num_cell(f, rule->tp);
        put_num_cell(f, rule->hits - rule->tp);
        put_ratio_cell(f, eval_ratio(rule->tp, rule->hits));
        put_ratio_cell(f, eval_ratio(rule->tp, positives));
        fputs("</tr>\n", f);
    }
    if (!has_any)
        fputs("<tr><td colspan=\"7\">none: the rules have no context rule</td></tr>\n", f);
    fputs("</tbody>\n</table>\n", f);
}

static void write_categories(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    if (r->category_count == 0)
        return;
    fputs("<h3>Categories</h3>\n<table>\n<caption>Comments scored in each category", f);
    if (r->has_category_map)
        fputs("; with its own labels (from --category), the category's own matrix", f);
    fputs("</caption>\n<thead><tr><th>category</th><th class=\"n\">scored</th>"
          "<th class=\"n\">TP</th><th class=\"n\">FP</th><th class=\"n\">precision</th>",
          f);
    if (r->has_category_map)
        fputs("<th class=\"n\">own TP</th><th class=\"n\">own FP</th><th class=\"n\">own FN</th>"
              "<th class=\"n\">own TN</th><th class=\"n\">P</th><th class=\"n\">R</th>"
              "<th class=\"n\">F1</th><th class=\"n\">FPR</th><th class=\"n\">rejected</th>"
              "<th class=\"n\">reject P</th>",
              f);
    fputs("</tr></thead>\n<tbody>\n", f);
    for (size_t i = 0; i < r->category_count; i++) {
        const struct eval_category *cat = &c->categories[i];
        fputs("<tr><th><code>", f);
        put_str(f, category_name(r, i));
        fputs("</code></th>", f);
        put_num_cell(f, cat->hits);
        put_num_cell(f, cat->tp);
        put_num_cell(f, cat->hits - cat->tp);
        put_ratio_cell(f, eval_ratio(cat->tp, cat->hits));
        if (r->has_category_map) {
            struct eval_figures g = eval_figures_of(&cat->counts);
            put_num_cell(f, cat->counts.tp);
            put_num_cell(f, cat->counts.fp);
            put_num_cell(f, cat->counts.fn);
            put_num_cell(f, cat->counts.tn);
            put_figure_cells(f, &g);
            put_num_cell(f, cat->rejected);
            put_ratio_cell(f, eval_ratio(cat->rejected_tp, cat->rejected));
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n", f);
}

/* ---------------------------------------------------------------------- */
/* Wrong comments                                                          */

/* The text with every span in a <mark> naming its rule. Spans are sorted
 * and disjoint; one that is not, or that leaves the text, is not marked
 * rather than read out of bounds. */
static void put_marked(FILE *f, const struct eval_sample *s)
{
    size_t at = 0;
    for (size_t i = 0; i < s->span_count; i++) {
        const struct eval_span *sp = &s->spans[i];
        if (sp->start < at || sp->end < sp->start || sp->end > s->text_len)
            continue;
        put_escaped(f, s->text + at, sp->start - at);
        fputs("<mark title=\"", f);
        put_str(f, sp->rule_id);
        fputs("\">", f);
        put_escaped(f, s->text + sp->start, sp->end - sp->start);
        fputs("</mark>", f);
        at = sp->end;
    }
    put_escaped(f, s->text + at, s->text_len - at);
}

static void write_samples(FILE *f, const struct eval_report *r, const struct eval_corpus *c)
{
    static const char *const heads[2] = {
        "False positives: flagged, should pass",
        "Missed: should be flagged, passed",
    };
    if (r->sample_limit == 0)
        return;
    for (int kind = 0; kind < 2; kind++) {
        size_t count = 0;
        for (size_t i = 0; i < c->sample_count; i++)
            count += c->samples[i].is_positive == kind;
        fprintf(f, "<h3>%s <span class=\"muted\">(%zu shown, up to %zu)</span></h3>\n", heads[kind],
                count, r->sample_limit);
        if (count == 0) {
            fputs("<p class=\"muted\">None.</p>\n", f);
            continue;
        }
        fprintf(f, "<ol class=\"samples\">\n");
        for (size_t i = 0; i < c->sample_count; i++) {
            const struct eval_sample *s = &c->samples[i];
            char b[NUM_BUF];
            if (s->is_positive != kind)
                continue;
            fprintf(f,
                    "<li class=\"sample%s\"><div class=\"about\">row %llu \xc2\xb7 label "
                    "<code><bdi>",
                    kind ? " missed" : "", s->row_no);
            put_str(f, s->label);
            fprintf(f, "</bdi></code> \xc2\xb7 %s \xc2\xb7 score %s</div>\n",
                    quell_action_name(s->action), fmt_score(b, s->score));
            fputs("<p class=\"text\" dir=\"auto\">", f);
            put_marked(f, s);
            fputs("</p></li>\n", f);
        }
        fputs("</ol>\n", f);
    }
}

/* ---------------------------------------------------------------------- */
/* The page                                                                */

static void write_corpus(FILE *f, const struct eval_report *r, const struct eval_corpus *c,
                         size_t no)
{
    if (no > 0) {
        fprintf(f, "<section id=\"corpus-%zu\">\n<h2>Corpus <code>", no);
        put_str(f, c->name);
        fputs("</code></h2>\n", f);
    } else {
        fprintf(f, "<section id=\"total\">\n<h2>All %zu corpora together</h2>\n", r->corpus_count);
    }
    write_figures(f, c);
    fputs("<div class=\"row\">\n", f);
    write_matrix(f, c);
    write_actions(f, c);
    fputs("</div>\n", f);
    write_sweep(f, r, c);
    write_rules(f, r, c);
    if (r->has_context)
        write_context_rules(f, r, c);
    write_categories(f, r, c);
    /* The total's samples would repeat the corpora's, without saying whose
     * row they are. */
    if (no > 0)
        write_samples(f, r, c);
    fputs("</section>\n", f);
}

static void write_proposals(FILE *f, const struct eval_report *r)
{
    char b[8][NUM_BUF];
    if (r->proposal_count == 0)
        return;
    fputs("<section id=\"proposals\">\n<h2>Thresholds for a false-positive budget</h2>\n", f);
    fputs("<p>The lowest threshold for each action whose false-positive rate stays within the "
          "budget given with <code>--fp-budget</code>, measured on ",
          f);
    if (r->total || r->corpus_count == 0) {
        fputs("all corpora together.</p>\n", f);
    } else {
        fputs("<code>", f);
        put_str(f, r->corpora[0].name);
        fputs("</code>.</p>\n", f);
    }
    fputs("<table>\n<thead><tr><th>action</th><th class=\"n\">budget</th>"
          "<th class=\"n\">threshold</th><th class=\"n\">now</th><th class=\"n\">TP</th>"
          "<th class=\"n\">FP</th><th class=\"n\">FN</th><th class=\"n\">TN</th>"
          "<th class=\"n\">precision</th><th class=\"n\">recall</th><th class=\"n\">F1</th>"
          "<th class=\"n\">FPR</th></tr></thead>\n<tbody>\n",
          f);
    for (size_t k = 0; k < r->proposal_count && k < EVAL_ACTION_COUNT; k++) {
        const struct eval_proposal *p = &r->proposals[k];
        fprintf(f, "<tr><th>%s</th><td class=\"n\">%s%%</td>", quell_action_name(p->action),
                fmt_score(b[0], p->budget * 100));
        if (!p->is_found) {
            fprintf(f,
                    "<td class=\"n\">%s</td><td class=\"n\">%s</td><td colspan=\"8\" "
                    "class=\"muted\">no threshold above 0 keeps within the budget</td></tr>\n",
                    DASH, fmt_score(b[1], threshold_of(r, p->action)));
            continue;
        }
        struct eval_figures g = eval_figures_of(&p->counts);
        fprintf(f,
                "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%llu</td>"
                "<td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
                "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                "<td class=\"n\">%s</td></tr>\n",
                fmt_score(b[1], p->threshold), fmt_score(b[2], threshold_of(r, p->action)),
                p->counts.tp, p->counts.fp, p->counts.fn, p->counts.tn,
                fmt_ratio(b[3], g.precision), fmt_ratio(b[4], g.recall), fmt_ratio(b[5], g.f1),
                fmt_fixed(b[6], g.fpr, 4));
    }
    fputs("</tbody>\n</table>\n</section>\n", f);
}

void eval_write_html(FILE *f, const struct eval_report *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"quell " QUELL_VERSION_STRING
          "\">\n<title>quell eval: ",
          f);
    put_str(f, r->rules_path);
    fputs("</title>\n<style>\n", f);
    fputs(page_style, f);
    fputs("</style>\n</head>\n<body>\n<main>\n", f);
    write_header(f, r);
    write_overview(f, r);
    for (size_t i = 0; i < r->corpus_count; i++)
        write_corpus(f, r, &r->corpora[i], i + 1);
    if (r->total)
        write_corpus(f, r, r->total, 0);
    write_proposals(f, r);
    fputs("</main>\n</body>\n</html>\n", f);
}
