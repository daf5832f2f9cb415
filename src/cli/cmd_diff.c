/*
 * cmd_diff.c - `quell diff`: run two rule sets over the same comments and
 * list every comment whose action changed, with the rules behind each side
 * and the count of each transition, so that a change is seen before it
 * ships. Comments are scanned on every core and listed in input order.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "eval.h"
#include "util/grow.h"

#define MAX_ROW_MESSAGES 10

/* One side of a changed comment. */
struct side {
    quell_action action;
    double score;
    char *rules; /* "id +score, ..." or "" */
};

struct change {
    unsigned long long row_no;
    char *id, *label, *text;
    size_t text_len;
    struct side old, new;
    struct eval_span *spans; /* the stricter side's hits */
    size_t span_count;
};

struct diff;

/* One thread: two scanners, and what changed in its slice of a batch. */
struct worker {
    struct diff *d;
    quell_scanner *old_scanner, *new_scanner;
    struct change *changes;
    size_t change_count, change_cap;
    /* Malformed rows of this batch: row and why, for stderr. */
    unsigned long long message_rows[MAX_ROW_MESSAGES];
    char *messages[MAX_ROW_MESSAGES];
    size_t message_count;
    unsigned long long rows, malformed;
    unsigned long long transitions[EVAL_ACTION_COUNT][EVAL_ACTION_COUNT];
};

/* The run; read-only for the workers. */
struct diff {
    const char *corpus_name; /* for messages */
    int is_json, is_tty;
    int has_any_change; /* JSON: a change was written to the current corpus */
    unsigned long long messages_shown; /* in the current corpus */
};

static void print_help(void)
{
    printf("Usage: quell diff [OPTIONS] OLD NEW CORPUS...\n"
           "\n"
           "Run two rule sets (.cfg or .qdb files) over the same comments and list\n"
           "every comment whose action changed: the old and new action and score,\n"
           "the rules that fired on each side, and the comment with the hits of the\n"
           "stricter side marked; then the count of each transition (pass -> flag,\n"
           "...) per corpus and in total.\n"
           "\n"
           "CORPUS is CSV or TSV with a header row, JSON Lines (.jsonl), or plain\n"
           "text with one comment per line (.txt); '-' reads stdin (CSV unless\n"
           "--format says otherwise). A label column is shown when one is named.\n"
           "Malformed rows are counted and the first ones named on stderr.\n"
           "\n"
           "Options:\n"
           "      --text-column=NAME    column or member holding the comment (default text)\n"
           "      --label-column=NAME   column or member with a label to show (default none)\n"
           "      --id-column=NAME      column or member with an id to show (default id)\n"
           "      --format=FORMAT       csv, tsv, jsonl or text (default: from the name)\n"
           "  -d, --delimiter=CHAR      CSV field separator: one character, or 'tab'\n"
           "  -j, --jobs=N              scan on N threads, at most 64 (default: one per\n"
           "                            online CPU)\n"
           "      --json                print one JSON object instead of text\n"
           "  -h, --help                display this help and exit\n"
           "\n"
           "Exit status is 0 whether or not actions changed, 1 when rows were malformed.\n"
           "\n");
    cli_print_exit_help("some rows were malformed (named on standard error)");
}

/* "id +3, id2 +1" for a verdict's rules; NULL out of memory. */
static char *rules_text(const quell_verdict *v)
{
    size_t cap = 1;
    for (size_t i = 0; i < v->rule_count; i++)
        cap += strlen(v->rules[i].rule_id) + 32;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t len = 0;
    s[0] = '\0';
    for (size_t i = 0; i < v->rule_count; i++) {
        int n = snprintf(s + len, cap - len, "%s%s %+g", i ? ", " : "", v->rules[i].rule_id,
                         v->rules[i].score);
        if (n > 0)
            len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
    }
    return s;
}

static void change_free(struct change *c)
{
    free(c->id);
    free(c->label);
    free(c->text);
    free(c->old.rules);
    free(c->new.rules);
    free(c->spans);
}

static char *dup_or_null(const char *s, size_t len, int *is_bad)
{
    if (!s)
        return NULL;
    char *p = strndup(s, len);
    *is_bad |= !p;
    return p;
}

static int diff_row(void *arg, const struct corpus_row *row)
{
    struct worker *w = arg;
    w->rows++;
    const char *reason = row->error;
    quell_error err;
    err.message[0] = '\0';
    const quell_verdict *vo = NULL, *vn = NULL;
    if (!reason) {
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = row->text;
        c.text_len[QUELL_FIELD_BODY] = row->text_len;
        int rc = quell_scan(w->old_scanner, &c, &vo, &err);
        if (rc == QUELL_OK)
            rc = quell_scan(w->new_scanner, &c, &vn, &err);
        if (rc == QUELL_EINPUT || rc == QUELL_ETOOBIG) {
            reason = err.message[0] ? err.message : "invalid comment";
        } else if (rc != QUELL_OK) {
            cli_error("row %llu: %s", row->row_no,
                      err.message[0] ? err.message : quell_strerror(rc));
            return CLI_EIO;
        }
    }
    if (reason || !vo || !vn) {
        w->malformed++;
        if (w->message_count < MAX_ROW_MESSAGES) {
            w->messages[w->message_count] = strdup(reason ? reason : "not scanned");
            if (!w->messages[w->message_count])
                return CLI_EIO;
            w->message_rows[w->message_count++] = row->row_no;
        }
        return CLI_OK;
    }
    w->transitions[vo->action][vn->action]++;
    if (vo->action == vn->action)
        return CLI_OK;

    struct change *p =
        grow_array(w->changes, &w->change_cap, w->change_count + 1, sizeof *p, 64, GROW_UNCAPPED);
    if (!p)
        return CLI_EIO;
    w->changes = p;
    struct change *c = &w->changes[w->change_count];
    memset(c, 0, sizeof *c);
    int is_bad = 0;
    c->row_no = row->row_no;
    c->id = dup_or_null(row->id, row->id_len, &is_bad);
    c->label = dup_or_null(row->label, row->label_len, &is_bad);
    c->text = dup_or_null(row->text, row->text_len, &is_bad);
    c->text_len = row->text_len;
    c->old = (struct side){vo->action, vo->score, rules_text(vo)};
    c->new = (struct side){vn->action, vn->score, rules_text(vn)};
    is_bad |= !c->old.rules || !c->new.rules;
    is_bad |= eval_spans_of(vn->action > vo->action ? vn : vo, &c->spans, &c->span_count) != 0;
    w->change_count++;
    return is_bad ? CLI_EIO : CLI_OK;
}

static void put_side_json(const char *name, const struct side *s)
{
    printf(",\"%s\":{\"action\":\"%s\",\"score\":%.6g,\"rules\":", name,
           quell_action_name(s->action), s->score);
    eval_put_json_string(stdout, s->rules, strlen(s->rules));
    putchar('}');
}

static void print_change(struct diff *d, const struct change *c)
{
    if (d->is_json) {
        printf("%s{\"row\":%llu", d->has_any_change ? "," : "", c->row_no);
        d->has_any_change = 1;
        if (c->id) {
            fputs(",\"id\":", stdout);
            eval_put_json_string(stdout, c->id, strlen(c->id));
        }
        if (c->label) {
            fputs(",\"label\":", stdout);
            eval_put_json_string(stdout, c->label, strlen(c->label));
        }
        put_side_json("old", &c->old);
        put_side_json("new", &c->new);
        fputs(",\"text\":", stdout);
        eval_put_json_string(stdout, c->text, c->text_len);
        fputs(",\"hits\":[", stdout);
        for (size_t k = 0; k < c->span_count; k++) {
            printf("%s{\"start\":%zu,\"end\":%zu,\"rule\":", k ? "," : "", c->spans[k].start,
                   c->spans[k].end);
            eval_put_json_string(stdout, c->spans[k].rule_id, strlen(c->spans[k].rule_id));
            putchar('}');
        }
        fputs("]}", stdout);
        return;
    }
    printf("row %llu", c->row_no);
    if (c->id) {
        fputs(", id ", stdout);
        eval_put_text(stdout, c->id, strlen(c->id));
    }
    if (c->label) {
        fputs(", label ", stdout);
        eval_put_text(stdout, c->label, strlen(c->label));
    }
    printf(": %s -> %s (score %g -> %g)\n", quell_action_name(c->old.action),
           quell_action_name(c->new.action), c->old.score, c->new.score);
    printf("  old: %s\n  new: %s\n  ", c->old.rules[0] ? c->old.rules : "-",
           c->new.rules[0] ? c->new.rules : "-");
    eval_put_marked(stdout, c->text, c->text_len, c->spans, c->span_count, d->is_tty);
    fputs("\n", stdout);
}

/* After a batch: this worker's changes and messages, in row order. */
static int diff_flush(void *arg)
{
    struct worker *w = arg;
    struct diff *d = w->d;
    for (size_t i = 0; i < w->change_count; i++) {
        print_change(d, &w->changes[i]);
        change_free(&w->changes[i]);
    }
    w->change_count = 0;
    for (size_t i = 0; i < w->message_count; i++) {
        if (d->messages_shown++ < MAX_ROW_MESSAGES)
            cli_error("%s: row %llu: %s", d->corpus_name, w->message_rows[i], w->messages[i]);
        free(w->messages[i]);
    }
    w->message_count = 0;
    return ferror(stdout) ? CLI_EIO : CLI_OK;
}

static void worker_free(struct worker *w)
{
    if (!w)
        return;
    quell_scanner_free(w->old_scanner);
    quell_scanner_free(w->new_scanner);
    for (size_t i = 0; i < w->change_count; i++)
        change_free(&w->changes[i]);
    free(w->changes);
    for (size_t i = 0; i < w->message_count; i++)
        free(w->messages[i]);
    free(w);
}

/* Sum and reset the workers' counts into the corpus's. */
static void gather(struct worker **workers, size_t count, struct worker *sum)
{
    for (size_t k = 0; k < count; k++) {
        sum->rows += workers[k]->rows;
        sum->malformed += workers[k]->malformed;
        workers[k]->rows = workers[k]->malformed = 0;
        for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
            for (int b = 0; b < EVAL_ACTION_COUNT; b++) {
                sum->transitions[a][b] += workers[k]->transitions[a][b];
                workers[k]->transitions[a][b] = 0;
            }
        }
    }
}

static unsigned long long changed_of(const struct worker *t)
{
    unsigned long long n = 0;
    for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
        for (int b = 0; b < EVAL_ACTION_COUNT; b++)
            n += a != b ? t->transitions[a][b] : 0;
    }
    return n;
}

static void print_summary(const struct diff *d, const char *name, const struct worker *t)
{
    if (d->is_json) {
        printf("\"rows\":%llu,\"malformed\":%llu,\"changed\":%llu,\"transitions\":{", t->rows,
               t->malformed, changed_of(t));
        int is_first = 1;
        for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
            for (int b = 0; b < EVAL_ACTION_COUNT; b++) {
                if (a == b || t->transitions[a][b] == 0)
                    continue;
                printf("%s\"%s->%s\":%llu", is_first ? "" : ",", quell_action_name((quell_action)a),
                       quell_action_name((quell_action)b), t->transitions[a][b]);
                is_first = 0;
            }
        }
        putchar('}');
        return;
    }
    printf("\n%s: %llu rows, %llu malformed, %llu changed\n", name, t->rows, t->malformed,
           changed_of(t));
    for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
        for (int b = 0; b < EVAL_ACTION_COUNT; b++) {
            if (a != b && t->transitions[a][b] > 0)
                printf("  %-6s -> %-6s %8llu\n", quell_action_name((quell_action)a),
                       quell_action_name((quell_action)b), t->transitions[a][b]);
        }
    }
}

int cmd_diff(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option options[] = {
        CORPUS_OPTION_TEXT_COLUMN,
        CORPUS_OPTION_LABEL_COLUMN,
        CORPUS_OPTION_ID_COLUMN,
        CORPUS_OPTION_FORMAT,
        CORPUS_OPTION_DELIMITER,
        {"jobs", required_argument, NULL, 'j'},
        {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct corpus_options copt = {.format = CORPUS_GUESS, .text_col = "text", .id_col = "id", .delimiter = -1};
    struct diff d = {0};
    size_t job_count = cli_default_jobs();
    int ch;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":d:j:h", options, NULL)) != -1) {
        if (corpus_is_option(ch)) {
            if (corpus_parse_option("diff", ch, optarg, &copt, 0) != CLI_OK)
                return CLI_EUSAGE;
            continue;
        }
        switch (ch) {
        case 'j':
            if (cli_parse_jobs(optarg, &job_count) != 0)
                return cli_usage_error("diff", "invalid --jobs '%s' (expected 1 to %d)", optarg,
                                       CLI_MAX_JOBS);
            break;
        case OPT_JSON:
            d.is_json = 1;
            break;
        case 'h':
            print_help();
            return cli_finish_stdout(CLI_OK);
        default:
            return cli_bad_option("diff", ch, argv);
        }
    }
    if (argc - optind < 3)
        return cli_usage_error("diff", argc - optind < 2 ? "missing OLD and NEW rules"
                                                         : "missing CORPUS");
    if (!copt.text_col || copt.text_col[0] == '\0' ||
        (copt.label_col && copt.label_col[0] == '\0') || !copt.id_col || copt.id_col[0] == '\0')
        return cli_usage_error("diff", "empty column name");
    d.is_tty = isatty(STDOUT_FILENO);

    quell_rules *old_rules = NULL, *new_rules = NULL;
    int rc = cli_load_rules(&old_rules, argv[optind]);
    if (rc == CLI_OK)
        rc = cli_load_rules(&new_rules, argv[optind + 1]);
    if (rc != CLI_OK)
        goto out_free_rules;

    rc = CLI_EIO;
    struct worker total = {0};
    struct worker **workers = calloc(job_count, sizeof(struct worker *));
    if (!workers) {
        cli_error("out of memory");
        goto out_free_rules;
    }
    for (size_t k = 0; k < job_count; k++) {
        quell_error err = {0};
        workers[k] = calloc(1, sizeof **workers);
        if (!workers[k] ||
            quell_scanner_new(&workers[k]->old_scanner, old_rules, &err) != QUELL_OK ||
            quell_scanner_new(&workers[k]->new_scanner, new_rules, &err) != QUELL_OK) {
            cli_error("%s", err.message[0] ? err.message : "out of memory");
            goto out_free_workers;
        }
        workers[k]->d = &d;
    }

    if (d.is_json) {
        fputs("{\"old\":", stdout);
        eval_put_json_string(stdout, argv[optind], strlen(argv[optind]));
        fputs(",\"new\":", stdout);
        eval_put_json_string(stdout, argv[optind + 1], strlen(argv[optind + 1]));
        fputs(",\"corpora\":[", stdout);
    } else {
        printf("Old rules: %s\nNew rules: %s\n", argv[optind], argv[optind + 1]);
    }
    struct batch_options bopt = {(void *const *)workers, job_count, diff_row, diff_flush, "diff"};
    for (int i = optind + 2; i < argc; i++) {
        d.corpus_name = strcmp(argv[i], "-") == 0 ? "(stdin)" : argv[i];
        d.messages_shown = 0;
        d.has_any_change = 0;
        if (d.is_json) {
            fputs(i > optind + 2 ? ",{\"corpus\":" : "{\"corpus\":", stdout);
            eval_put_json_string(stdout, argv[i], strlen(argv[i]));
            fputs(",\"changes\":[", stdout);
        } else {
            printf("\nCorpus: %s\n", argv[i]);
        }
        rc = batch_run(argv[i], &copt, &bopt);
        if (rc != CLI_OK)
            goto out_free_workers;
        struct worker sum = {0};
        gather(workers, job_count, &sum);
        if (sum.malformed > MAX_ROW_MESSAGES)
            cli_error("%s: %llu more malformed rows not shown", d.corpus_name,
                      sum.malformed - MAX_ROW_MESSAGES);
        if (d.is_json) {
            fputs("],", stdout);
            print_summary(&d, argv[i], &sum);
            putchar('}');
        } else {
            if (changed_of(&sum) == 0)
                printf("no action changed\n");
            print_summary(&d, argv[i], &sum);
        }
        total.rows += sum.rows;
        total.malformed += sum.malformed;
        for (int a = 0; a < EVAL_ACTION_COUNT; a++) {
            for (int b = 0; b < EVAL_ACTION_COUNT; b++)
                total.transitions[a][b] += sum.transitions[a][b];
        }
    }
    if (d.is_json) {
        fputs("],\"total\":{", stdout);
        print_summary(&d, "total", &total);
        fputs("}}\n", stdout);
    } else if (argc - optind > 3) {
        print_summary(&d, "Total", &total);
    }
    rc = cli_finish_stdout(total.malformed > 0 ? CLI_EDATA : CLI_OK);

out_free_workers:
    for (size_t k = 0; k < job_count; k++)
        worker_free(workers[k]);
    free(workers);
out_free_rules:
    quell_rules_free(old_rules);
    quell_rules_free(new_rules);
    return rc;
}
