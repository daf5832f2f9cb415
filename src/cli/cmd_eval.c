/*
 * cmd_eval.c - `quell eval`: run rules over labelled corpora (CSV, TSV or JSON Lines) and report
 * the confusion matrix, precision, recall, F1, false-positive rate and each rule's hits.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cli.h"

#define READ_CHUNK_BYTES ((size_t)64 << 10)
/* Malformed rows reported one by one per corpus; the rest are only counted. */
#define MAX_ROW_MESSAGES 10

enum corpus_format { FORMAT_CSV = 0, FORMAT_JSONL };

/* What one corpus (or all of them) gave. Rule counts are indexed by slot. */
struct tally {
    const char *name;
    unsigned long long rows;
    unsigned long long malformed;
    unsigned long long tp, fp, fn, tn;
    unsigned long long *rule_hits; /* comments each rule fired on */
    unsigned long long *rule_tp;   /* of those, labelled positive */
};

/* The run: options, rules, and the rules seen so far. */
struct eval {
    quell_scanner *scanner;
    char **positive; /* label values that should be flagged */
    size_t positive_count;
    const char *text_col;
    const char *label_col;
    int delimiter; /* -1: guess from the corpus name */
    const quell_rules *rules;
    size_t rule_count; /* tallies are indexed by rule, in rule-file order */
};

/* Reading one corpus. */
struct reader {
    struct eval *ev;
    struct tally *t;
    const char *path;
    const char *unit; /* "row" or "line", for messages */
    int is_jsonl;
    unsigned long long messages;
    int rc; /* the first error that stops the corpus; CLI_OK while going */
    /* CSV state */
    int is_header;
    size_t field_no;
    long text_idx, label_idx;
    char *text;
    size_t text_len, text_cap;
    int has_text;
    char *label;
    size_t label_len, label_cap;
    int has_label;
};

static void print_help(void)
{
    printf("Usage: quell eval [OPTIONS] --positive=LABELS RULES CORPUS...\n"
           "\n"
           "Run RULES (a .cfg or .qdb file) over labelled comments and report how\n"
           "well they agree with the labels. A comment counts as flagged when its\n"
           "action is flag, hold or reject.\n"
           "\n"
           "CORPUS is CSV with a header row (quoted fields may span lines; a UTF-8\n"
           "BOM and CRLF line ends are accepted), TSV when its name ends in .tsv, or\n"
           "JSON Lines when it ends in .jsonl (the text and label members must be\n"
           "strings). Malformed rows (missing columns, empty text or label, invalid\n"
           "UTF-8) are counted, reported on stderr and left out of the figures.\n"
           "\n"
           "The report gives, per corpus and in total when there are several: rows\n"
           "read, malformed rows, the confusion matrix (TP, FP, FN, TN), precision,\n"
           "recall, F1 and false-positive rate, and for every rule that fired, its\n"
           "hits (comments it fired on), true and false positives and precision.\n"
           "A ratio with a zero denominator is shown as '-' (null in JSON).\n"
           "\n"
           "Options:\n"
           "  -p, --positive=LABELS     comma-separated label values that mean \"should\n"
           "                            be flagged\" (required); any other label means\n"
           "                            \"should pass\"\n"
           "      --text-column=NAME    column or member holding the comment (default text)\n"
           "      --label-column=NAME   column or member holding the label (default label)\n"
           "  -d, --delimiter=CHAR      CSV field separator: one character, or 'tab'\n"
           "                            (default ',', or tab for a .tsv name)\n"
           "      --json                print the report as one JSON object\n"
           "  -h, --help                display this help and exit\n"
           "\n"
           "%s",
           cli_exit_help);
}

/* Split the comma-separated s into ev->positive; empty items are dropped. */
static int parse_positive(struct eval *ev, const char *s)
{
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    ev->positive = calloc(count, sizeof *ev->positive);
    if (!ev->positive)
        return -1;
    const char *start = s;
    for (;;) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        if (len > 0) {
            char *item = strndup(start, len);
            if (!item)
                return -1;
            ev->positive[ev->positive_count++] = item;
        }
        if (!end)
            break;
        start = end + 1;
    }
    return 0;
}

static int is_positive(const struct eval *ev, const char *label, size_t len)
{
    for (size_t i = 0; i < ev->positive_count; i++) {
        if (strlen(ev->positive[i]) == len && memcmp(ev->positive[i], label, len) == 0)
            return 1;
    }
    return 0;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t len = strlen(s), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

static int tally_init(struct tally *t, const char *name, size_t rule_cap)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->rule_hits = calloc(rule_cap, sizeof *t->rule_hits);
    t->rule_tp = calloc(rule_cap, sizeof *t->rule_tp);
    return t->rule_hits && t->rule_tp ? 0 : -1;
}

static void tally_free(struct tally *t)
{
    free(t->rule_hits);
    free(t->rule_tp);
}

/* Count and (the first few) report a malformed row. */
static void row_malformed(struct reader *r, const char *reason)
{
    r->t->malformed++;
    if (++r->messages <= MAX_ROW_MESSAGES)
        cli_error("%s: %s %llu: %s", r->path, r->unit, r->t->rows, reason);
}

/*
 * Scan one labelled comment and count it. text or label NULL: the column
 * is missing. Returns CLI_OK, or CLI_EIO when scanning failed for good.
 */
static int row_eval(struct reader *r, const char *text, size_t text_len, const char *label,
                    size_t label_len)
{
    struct eval *ev = r->ev;
    struct tally *t = r->t;

    if (!text || !label) {
        char reason[256];
        snprintf(reason, sizeof reason, "no %s '%s'", r->is_jsonl ? "member" : "value in column",
                 !text ? ev->text_col : ev->label_col);
        row_malformed(r, reason);
        return CLI_OK;
    }
    if (text_len == 0) {
        row_malformed(r, "empty text");
        return CLI_OK;
    }
    if (label_len == 0) {
        row_malformed(r, "empty label");
        return CLI_OK;
    }

    quell_comment c = {{NULL}, {0}};
    c.text[QUELL_FIELD_BODY] = text;
    c.text_len[QUELL_FIELD_BODY] = text_len;
    const quell_verdict *v;
    quell_error err;
    err.message[0] = '\0';
    int rc = quell_scan(ev->scanner, &c, &v, &err);
    if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG) {
        row_malformed(r, err.message[0] ? err.message : quell_strerror(rc));
        return CLI_OK;
    }
    if (rc != QUELL_OK) {
        cli_error("%s: %s %llu: %s", r->path, r->unit, t->rows,
                  err.message[0] ? err.message : quell_strerror(rc));
        return CLI_EIO;
    }

    int is_pos = is_positive(ev, label, label_len);
    int is_flagged = v->action >= QUELL_FLAG;
    if (is_flagged)
        *(is_pos ? &t->tp : &t->fp) += 1;
    else
        *(is_pos ? &t->fn : &t->tn) += 1;
    for (size_t i = 0; i < v->rule_count; i++) {
        t->rule_hits[v->rules[i].index]++;
        t->rule_tp[v->rules[i].index] += is_pos;
    }
    return CLI_OK;
}

/* Copy a CSV field into *buf, growing it. */
static int field_copy(char **buf, size_t *cap, size_t *out_len, const void *s, size_t len)
{
    if (len + 1 > *cap) {
        size_t new_cap = len + 1;
        char *p = realloc(*buf, new_cap);
        if (!p)
            return -1;
        *buf = p;
        *cap = new_cap;
    }
    if (len > 0)
        memcpy(*buf, s, len);
    (*buf)[len] = '\0';
    *out_len = len;
    return 0;
}

/* libcsv's field callback: s may be NULL when the field is empty. */
static void csv_on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->rc != CLI_OK)
        return;
    long idx = (long)r->field_no++;
    if (r->is_header) {
        if (r->text_idx < 0 && len == strlen(r->ev->text_col) &&
            (len == 0 || memcmp(s, r->ev->text_col, len) == 0))
            r->text_idx = idx;
        if (r->label_idx < 0 && len == strlen(r->ev->label_col) &&
            (len == 0 || memcmp(s, r->ev->label_col, len) == 0))
            r->label_idx = idx;
        return;
    }
    int rc = 0;
    if (idx == r->text_idx) {
        rc = field_copy(&r->text, &r->text_cap, &r->text_len, s, len);
        r->has_text = 1;
    }
    if (idx == r->label_idx && rc == 0) {
        rc = field_copy(&r->label, &r->label_cap, &r->label_len, s, len);
        r->has_label = 1;
    }
    if (rc != 0) {
        cli_error("out of memory");
        r->rc = CLI_EIO;
    }
}

/* libcsv's end-of-row callback. */
static void csv_on_row(int c, void *data)
{
    struct reader *r = data;
    (void)c;
    if (r->rc != CLI_OK)
        return;
    r->field_no = 0;
    if (r->is_header) {
        r->is_header = 0;
        const char *missing = r->text_idx < 0    ? r->ev->text_col
                              : r->label_idx < 0 ? r->ev->label_col
                                                 : NULL;
        if (missing) {
            cli_error("%s: no column '%s' in the header row", r->path, missing);
            r->rc = CLI_EUSAGE;
        }
        return;
    }
    r->t->rows++;
    r->rc = row_eval(r, r->has_text ? r->text : NULL, r->text_len, r->has_label ? r->label : NULL,
                     r->label_len);
    r->has_text = r->has_label = 0;
}

/* Read a CSV or TSV corpus from f. */
static int read_csv(struct reader *r, FILE *f)
{
    struct csv_parser p;
    if (csv_init(&p, 0) != 0) {
        cli_error("out of memory");
        return CLI_EIO;
    }
    int delimiter = r->ev->delimiter;
    if (delimiter < 0)
        delimiter = has_suffix(r->path, ".tsv") ? '\t' : ',';
    csv_set_delim(&p, (unsigned char)delimiter);
    r->is_header = 1;
    r->text_idx = r->label_idx = -1;

    char *chunk = malloc(READ_CHUNK_BYTES);
    if (!chunk) {
        cli_error("out of memory");
        csv_free(&p);
        return CLI_EIO;
    }
    int is_first = 1;
    size_t n;
    while (r->rc == CLI_OK && (n = fread(chunk, 1, READ_CHUNK_BYTES, f)) > 0) {
        const char *data = chunk;
        /* A UTF-8 byte order mark is not part of the first column's name.
         * (fread fills the chunk unless at the end, so it holds all 3 bytes.) */
        if (is_first && n >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
            data += 3;
            n -= 3;
        }
        is_first = 0;
        if (csv_parse(&p, data, n, csv_on_field, csv_on_row, r) != n) {
            cli_error("%s: %s", r->path, csv_strerror(csv_error(&p)));
            r->rc = CLI_EIO;
        }
    }
    if (r->rc == CLI_OK && ferror(f)) {
        cli_error("%s: read error: %s", r->path, strerror(errno));
        r->rc = CLI_EIO;
    }
    if (r->rc == CLI_OK)
        csv_fini(&p, csv_on_field, csv_on_row, r);
    /* An empty file has no header row to name the columns. */
    if (r->rc == CLI_OK && r->is_header) {
        cli_error("%s: no header row", r->path);
        r->rc = CLI_EUSAGE;
    }
    free(chunk);
    csv_free(&p);
    return r->rc;
}

/*
 * Read a JSON Lines corpus from f through the public record parser: the
 * text member is read as the body and the label member as the author (a
 * string field it hands back), which is then left out of the scan.
 */
static int read_jsonl(struct reader *r, FILE *f)
{
    quell_record_fields fields = {NULL, r->ev->text_col, r->ev->label_col};
    quell_record_parser *parser = NULL;
    quell_error err = {0};
    if (quell_record_parser_new(&parser, QUELL_FORMAT_JSONL, &fields, &err) != QUELL_OK) {
        cli_print_error(&err, NULL);
        return CLI_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int is_first = 1;
    while (r->rc == CLI_OK && (n = getline(&line, &cap, f)) >= 0) {
        const char *data = line;
        size_t len = (size_t)n;
        if (is_first && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
            data += 3;
            len -= 3;
        }
        is_first = 0;
        while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
            len--;
        r->t->rows++;
        if (len == 0) {
            row_malformed(r, "empty line");
            continue;
        }
        quell_record rec;
        err.message[0] = '\0';
        int rc = quell_record_parse(parser, data, len, &rec, &err);
        if (rc == QUELL_ENOMEM) {
            cli_error("out of memory");
            r->rc = CLI_EIO;
        } else if (rc != QUELL_OK) {
            row_malformed(r, err.message[0] ? err.message : quell_strerror(rc));
        } else {
            r->rc = row_eval(
                r, rec.comment.text[QUELL_FIELD_BODY], rec.comment.text_len[QUELL_FIELD_BODY],
                rec.comment.text[QUELL_FIELD_AUTHOR], rec.comment.text_len[QUELL_FIELD_AUTHOR]);
        }
    }
    if (r->rc == CLI_OK && ferror(f)) {
        cli_error("%s: read error: %s", r->path, strerror(errno));
        r->rc = CLI_EIO;
    }
    free(line);
    quell_record_parser_free(parser);
    return r->rc;
}

/* Evaluate one corpus file into t. */
static int read_corpus(struct eval *ev, struct tally *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("cannot open %s: %s", path, strerror(errno));
        return CLI_EIO;
    }
    struct reader r = {.ev = ev, .t = t, .path = path, .rc = CLI_OK};
    r.is_jsonl = has_suffix(path, ".jsonl");
    r.unit = r.is_jsonl ? "line" : "row";
    int rc = r.is_jsonl ? read_jsonl(&r, f) : read_csv(&r, f);
    if (r.messages > MAX_ROW_MESSAGES)
        cli_error("%s: %llu more malformed %ss not shown", path, r.messages - MAX_ROW_MESSAGES,
                  r.unit);
    free(r.text);
    free(r.label);
    fclose(f);
    return rc;
}

/* num / den, or -1 when den is 0 (undefined). */
static double ratio(unsigned long long num, unsigned long long den)
{
    return den ? (double)num / (double)den : -1.0;
}

struct figures {
    double precision, recall, f1, fpr;
};

static struct figures figures_of(const struct tally *t)
{
    struct figures g;
    g.precision = ratio(t->tp, t->tp + t->fp);
    g.recall = ratio(t->tp, t->tp + t->fn);
    /* 2PR / (P + R), written so that it needs no undefined P or R. */
    g.f1 = ratio(2 * t->tp, 2 * t->tp + t->fp + t->fn);
    g.fpr = ratio(t->fp, t->fp + t->tn);
    return g;
}

/* Print a ratio with 3 decimals, or "-" when undefined. */
static void print_ratio(const char *label, double x)
{
    if (x < 0)
        printf("%s-\n", label);
    else
        printf("%s%.3f\n", label, x);
}

static void print_tally_text(const struct eval *ev, const struct tally *t)
{
    struct figures g = figures_of(t);
    printf("Corpus: %s\n", t->name);
    printf("Rows read:       %llu\n", t->rows);
    printf("Malformed rows:  %llu\n", t->malformed);
    printf("Evaluated:       %llu\n", t->rows - t->malformed);
    printf("\nConfusion matrix:\n");
    printf("                   flagged  passed\n");
    printf("  should flag   TP %7llu  FN %7llu\n", t->tp, t->fn);
    printf("  should pass   FP %7llu  TN %7llu\n", t->fp, t->tn);
    printf("\n");
    print_ratio("Precision:            ", g.precision);
    print_ratio("Recall:               ", g.recall);
    print_ratio("F1:                   ", g.f1);
    print_ratio("False-positive rate:  ", g.fpr);

    int width = 4;
    for (size_t s = 0; s < ev->rule_count; s++) {
        int len = (int)strlen(quell_rules_rule_id(ev->rules, s));
        if (t->rule_hits[s] && len > width)
            width = len;
    }
    printf("\nRules that fired:\n");
    printf("  %-*s  %7s  %7s  %7s  %9s\n", width, "rule", "hits", "TP", "FP", "precision");
    int has_any = 0;
    for (size_t s = 0; s < ev->rule_count; s++) {
        if (t->rule_hits[s] == 0)
            continue;
        has_any = 1;
        unsigned long long fp = t->rule_hits[s] - t->rule_tp[s];
        printf("  %-*s  %7llu  %7llu  %7llu  %9.3f\n", width, quell_rules_rule_id(ev->rules, s),
               t->rule_hits[s], t->rule_tp[s], fp, (double)t->rule_tp[s] / (double)t->rule_hits[s]);
    }
    if (!has_any)
        printf("  none\n");
}

/* Write s as a JSON string. */
static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* Write a ratio as a JSON number, or null when undefined. */
static void json_ratio(const char *name, double x)
{
    printf(",\"%s\":", name);
    if (x < 0)
        fputs("null", stdout);
    else
        printf("%.6g", x);
}

static void print_tally_json(const struct eval *ev, const struct tally *t)
{
    struct figures g = figures_of(t);
    fputs("{\"corpus\":", stdout);
    json_string(t->name);
    printf(",\"rows\":%llu,\"malformed\":%llu,\"evaluated\":%llu", t->rows, t->malformed,
           t->rows - t->malformed);
    printf(",\"tp\":%llu,\"fp\":%llu,\"fn\":%llu,\"tn\":%llu", t->tp, t->fp, t->fn, t->tn);
    json_ratio("precision", g.precision);
    json_ratio("recall", g.recall);
    json_ratio("f1", g.f1);
    json_ratio("fpr", g.fpr);
    fputs(",\"rules\":[", stdout);
    int is_first = 1;
    for (size_t s = 0; s < ev->rule_count; s++) {
        if (t->rule_hits[s] == 0)
            continue;
        fputs(is_first ? "{\"id\":" : ",{\"id\":", stdout);
        is_first = 0;
        json_string(quell_rules_rule_id(ev->rules, s));
        printf(",\"hits\":%llu,\"tp\":%llu,\"fp\":%llu", t->rule_hits[s], t->rule_tp[s],
               t->rule_hits[s] - t->rule_tp[s]);
        json_ratio("precision", ratio(t->rule_tp[s], t->rule_hits[s]));
        putchar('}');
    }
    fputs("]}", stdout);
}

static void tally_add(struct tally *sum, const struct tally *t, size_t rule_cap)
{
    sum->rows += t->rows;
    sum->malformed += t->malformed;
    sum->tp += t->tp;
    sum->fp += t->fp;
    sum->fn += t->fn;
    sum->tn += t->tn;
    for (size_t s = 0; s < rule_cap; s++) {
        sum->rule_hits[s] += t->rule_hits[s];
        sum->rule_tp[s] += t->rule_tp[s];
    }
}

static void print_report(const struct eval *ev, const char *rules_path, const struct tally *t,
                         size_t corpus_count, const struct tally *total, int is_json)
{
    if (is_json) {
        fputs("{\"rules\":", stdout);
        json_string(rules_path);
        fputs(",\"positive\":[", stdout);
        for (size_t i = 0; i < ev->positive_count; i++) {
            if (i > 0)
                putchar(',');
            json_string(ev->positive[i]);
        }
        fputs("],\"corpora\":[", stdout);
        for (size_t i = 0; i < corpus_count; i++) {
            if (i > 0)
                putchar(',');
            print_tally_json(ev, &t[i]);
        }
        fputs("],\"total\":", stdout);
        print_tally_json(ev, total);
        fputs("}\n", stdout);
        return;
    }
    printf("Rules: %s\n", rules_path);
    for (size_t i = 0; i < corpus_count; i++) {
        printf("\n");
        print_tally_text(ev, &t[i]);
    }
    if (corpus_count > 1) {
        printf("\n");
        print_tally_text(ev, total);
    }
}

/* Parse --delimiter's CHAR: one byte, or "tab" / "\t" for a tab. */
static int parse_delimiter(const char *s, int *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (s[0] == '\0' || s[1] != '\0' || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return -1;
    *out = (unsigned char)s[0];
    return 0;
}

int cmd_eval(int argc, char **argv)
{
    enum { OPT_TEXT = 256, OPT_LABEL, OPT_JSON };
    static const struct option options[] = {
        {"positive", required_argument, NULL, 'p'},
        {"text-column", required_argument, NULL, OPT_TEXT},
        {"label-column", required_argument, NULL, OPT_LABEL},
        {"delimiter", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eval ev = {.text_col = "text", .label_col = "label", .delimiter = -1};
    const char *positive = NULL;
    quell_rules *rules = NULL;
    struct tally *tallies = NULL;
    int is_json = 0;
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":p:d:h", options, NULL)) != -1) {
        switch (ch) {
        case 'p':
            positive = optarg;
            break;
        case OPT_TEXT:
            ev.text_col = optarg;
            break;
        case OPT_LABEL:
            ev.label_col = optarg;
            break;
        case 'd':
            if (parse_delimiter(optarg, &ev.delimiter) != 0)
                return cli_usage_error("eval", "invalid --delimiter '%s' (expected one character)",
                                       optarg);
            break;
        case OPT_JSON:
            is_json = 1;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("eval", ch, argv);
        }
    }
    if (!positive)
        return cli_usage_error("eval", "missing --positive LABELS");
    if (argc - optind < 2)
        return cli_usage_error("eval",
                               argc - optind < 1 ? "missing RULES and CORPUS" : "missing CORPUS");
    if (ev.text_col[0] == '\0' || ev.label_col[0] == '\0')
        return cli_usage_error("eval", "empty column name");

    int rc = CLI_EIO;
    if (parse_positive(&ev, positive) != 0) {
        cli_error("out of memory");
        goto out_free_positive;
    }
    if (ev.positive_count == 0) {
        rc = cli_usage_error("eval", "--positive names no label");
        goto out_free_positive;
    }

    const char *rules_path = argv[optind];
    char **corpora = argv + optind + 1;
    size_t corpus_count = (size_t)(argc - optind - 1);
    rc = cli_load_rules(&rules, rules_path);
    if (rc != CLI_OK)
        goto out_free_positive;

    quell_error err = {0};
    quell_scanner *scanner = NULL;
    if (quell_scanner_new(&scanner, rules, &err) != QUELL_OK) {
        cli_print_error(&err, NULL);
        rc = CLI_EIO;
        goto out_free_rules;
    }
    ev.scanner = scanner;
    rc = CLI_EIO;
    ev.rules = rules;
    ev.rule_count = quell_rules_rule_count(rules);
    tallies = calloc(corpus_count + 1, sizeof *tallies);
    if (!tallies) {
        cli_error("out of memory");
        goto out_free_tallies;
    }
    struct tally *total = &tallies[corpus_count];
    for (size_t i = 0; i <= corpus_count; i++) {
        if (tally_init(&tallies[i], i < corpus_count ? corpora[i] : "total", ev.rule_count + 1) !=
            0) {
            cli_error("out of memory");
            goto out_free_tallies;
        }
    }

    for (size_t i = 0; i < corpus_count; i++) {
        rc = read_corpus(&ev, &tallies[i], corpora[i]);
        if (rc != CLI_OK)
            goto out_free_tallies;
        tally_add(total, &tallies[i], ev.rule_count + 1);
    }
    print_report(&ev, rules_path, tallies, corpus_count, total, is_json);
    rc = cli_finish_stdout(total->malformed > 0 ? CLI_EDATA : CLI_OK);

out_free_tallies:
    if (tallies) {
        for (size_t i = 0; i <= corpus_count; i++)
            tally_free(&tallies[i]);
    }
    free(tallies);
    quell_scanner_free(ev.scanner);
out_free_rules:
    quell_rules_free(rules);
out_free_positive:
    for (size_t i = 0; i < ev.positive_count; i++)
        free(ev.positive[i]);
    free(ev.positive);
    return rc;
}
