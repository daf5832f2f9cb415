/*
 * check_eval.c - the evaluation API (quell_eval): ten comments scanned with
 * a small rule set and counted, every figure checked against the table
 * worked out by hand below; ratios, merging, the sweep, budget proposals,
 * the category map and the errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "quell.h"

/*
 * Thresholds 3 / 6 / 10; "mild" and "spam" are separate: each chooses an
 * action by its own score, which is not added to insult's (the verdict's
 * score is the higher).
 */
static const char eval_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; }, { name = \"mild\"; separate = true; },\n"
    "               { name = \"spam\"; separate = true; } );\n"
    "rules = (\n"
    "  { id = \"t.idiot\"; category = \"insult\"; weight = 3.0; words = [ \"idiot\" ]; },\n"
    "  { id = \"t.stupid\"; category = \"mild\"; weight = 1.0; words = [ \"stupid\" ]; },\n"
    "  { id = \"t.spam\"; category = \"spam\"; weight = 10.0; words = [ \"spamword\" ]; },\n"
    "  { id = \"t.never\"; category = \"spam\"; weight = 3.0; words = [ \"zzzneverzzz\" ]; },\n"
    "  { id = \"t.moron\"; category = \"insult\"; weight = 7.0; words = [ \"moron\" ]; }\n"
    ");\n";

enum { R_IDIOT, R_STUPID, R_SPAM, R_NEVER, R_MORON, RULE_COUNT };
enum { C_INSULT, C_MILD, C_SPAM, CATEGORY_COUNT };

/*
 * The comments. Positive labels: bad and spam; the map sends bad to insult
 * and spam to spam.
 *
 *  #  label pos  action score  rules          insult mild spam
 *  1  bad    1   flag     3    idiot             3     0    0
 *  2  good   0   pass     1    stupid            0     1    0
 *  3  spam   1   reject  10    spam              0     0   10
 *  4  bad    1   reject  10    idiot moron      10     0    0
 *  5  good   0   pass     0    -                 0     0    0
 *  6  good   0   flag     3    idiot             3     0    0
 *  7  bad    1   reject  10    stupid spam       0     1   10
 *  8  spam   1   pass     0    -                 0     0    0
 *  9  good   0   hold     7    moron             7     0    0
 * 10  bad    1   flag     3    idiot stupid      3     1    0
 *
 * 6 positives (1 3 4 7 8 10), 4 negatives (2 5 6 9).
 */
static const struct row {
    const char *text;
    const char *label;
    int is_positive;
    quell_action action;
    double score;
} rows[] = {
    {"you idiot", "bad", 1, QUELL_FLAG, 3},
    {"so stupid", "good", 0, QUELL_PASS, 1},
    {"spamword here", "spam", 1, QUELL_REJECT, 10},
    {"idiot and moron", "bad", 1, QUELL_REJECT, 10},
    {"nice day", "good", 0, QUELL_PASS, 0},
    {"what an idiot", "good", 0, QUELL_FLAG, 3},
    {"stupid spamword", "bad", 1, QUELL_REJECT, 10},
    {"hello", "spam", 1, QUELL_PASS, 0},
    {"moron", "good", 0, QUELL_HOLD, 7},
    {"stupid idiot", "bad", 1, QUELL_FLAG, 3},
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

static const char *const map_labels[] = {"bad", "spam"};
static const char *const map_categories[] = {"insult", "spam"};

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("eval.cfg", eval_cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "compile failed: %s:%d: %s", err.file, err.line, err.message);
    ck_assert_uint_eq(quell_rules_rule_count(rules), RULE_COUNT);
    ck_assert_uint_eq(quell_rules_category_count(rules), CATEGORY_COUNT);
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, &err), QUELL_OK);
}

static void teardown(void)
{
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}

static quell_eval *new_eval(int has_map)
{
    quell_eval_options opt = QUELL_EVAL_OPTIONS_INIT;
    if (has_map) {
        opt.map_labels = map_labels;
        opt.map_categories = map_categories;
        opt.map_count = 2;
    }
    quell_eval *eval = NULL;
    quell_error err;
    int rc = quell_eval_new(&eval, rules, &opt, &err);
    ck_assert_msg(rc == QUELL_OK, "quell_eval_new: %s", err.message);
    return eval;
}

static const quell_verdict *scan_row(const struct row *r)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = r->text;
    c.text_len[QUELL_FIELD_BODY] = strlen(r->text);
    const quell_verdict *v = NULL;
    quell_error err;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_OK);
    /* The table above is what the rules do. */
    ck_assert_msg(v->action == r->action && v->score == r->score, "'%s': %s %g", r->text,
                  quell_action_name(v->action), v->score);
    return v;
}

/* Add rows [first, ROW_COUNT) stepping by step. */
static void add_rows(quell_eval *eval, size_t first, size_t step)
{
    for (size_t i = first; i < ROW_COUNT; i += step) {
        quell_error err;
        int rc = quell_eval_add(eval, scan_row(&rows[i]), rows[i].is_positive, rows[i].label,
                                strlen(rows[i].label), &err);
        ck_assert_msg(rc == QUELL_OK, "quell_eval_add: %s", err.message);
    }
}

#define ck_assert_counts(c, want_tp, want_fp, want_fn, want_tn)                                    \
    do {                                                                                           \
        ck_assert_uint_eq((c).tp, (want_tp));                                                      \
        ck_assert_uint_eq((c).fp, (want_fp));                                                      \
        ck_assert_uint_eq((c).fn, (want_fn));                                                      \
        ck_assert_uint_eq((c).tn, (want_tn));                                                      \
    } while (0)

#define ck_assert_ratio(x, want) ck_assert_double_eq_tol((x), (want), 1e-12)

/* ---------------------------------------------------------------------- */
/* Ratios                                                                  */

static const struct {
    quell_eval_counts counts;
    double precision, recall, f1, fpr;
} ratio_cases[] = {
    {{5, 2, 1, 2}, 5.0 / 7, 5.0 / 6, 10.0 / 13, 2.0 / 4},
    {{1, 0, 0, 0}, 1, 1, 1, QUELL_EVAL_UNDEFINED},
    /* nothing flagged: precision undefined, F1 still 0 */
    {{0, 0, 3, 2}, QUELL_EVAL_UNDEFINED, 0, 0, 0},
    /* no positive: recall undefined */
    {{0, 4, 0, 6}, 0, QUELL_EVAL_UNDEFINED, 0, 0.4},
    /* nothing at all: every ratio undefined */
    {{0, 0, 0, 0},
     QUELL_EVAL_UNDEFINED,
     QUELL_EVAL_UNDEFINED,
     QUELL_EVAL_UNDEFINED,
     QUELL_EVAL_UNDEFINED},
};

START_TEST(test_ratios)
{
    const quell_eval_counts *c = &ratio_cases[_i].counts;
    ck_assert_ratio(quell_eval_precision(c), ratio_cases[_i].precision);
    ck_assert_ratio(quell_eval_recall(c), ratio_cases[_i].recall);
    ck_assert_ratio(quell_eval_f1(c), ratio_cases[_i].f1);
    ck_assert_ratio(quell_eval_fpr(c), ratio_cases[_i].fpr);
    ck_assert(!isnan(quell_eval_precision(c)) && !isnan(quell_eval_f1(c)));
}
END_TEST

/* ---------------------------------------------------------------------- */
/* The figures of the ten comments                                         */

START_TEST(test_matrix)
{
    quell_eval *eval = new_eval(0);
    add_rows(eval, 0, 1);
    ck_assert_uint_eq(quell_eval_comment_count(eval), 10);
    quell_eval_counts c;
    /* flagged: 1 3 4 6 7 9 10; of those positive 1 3 4 7 10 */
    ck_assert_int_eq(quell_eval_counts_get(eval, QUELL_FLAG, &c), QUELL_OK);
    ck_assert_counts(c, 5, 2, 1, 2);
    ck_assert_ratio(quell_eval_precision(&c), 5.0 / 7);
    ck_assert_ratio(quell_eval_recall(&c), 5.0 / 6);
    ck_assert_ratio(quell_eval_f1(&c), 10.0 / 13);
    ck_assert_ratio(quell_eval_fpr(&c), 0.5);
    /* held or worse: 3 4 7 9 */
    ck_assert_int_eq(quell_eval_counts_get(eval, QUELL_HOLD, &c), QUELL_OK);
    ck_assert_counts(c, 3, 1, 3, 3);
    /* rejected: 3 4 7 */
    ck_assert_int_eq(quell_eval_counts_get(eval, QUELL_REJECT, &c), QUELL_OK);
    ck_assert_counts(c, 3, 0, 3, 4);
    ck_assert_int_eq(quell_eval_counts_get(eval, QUELL_PASS, &c), QUELL_EINVAL);
    ck_assert_counts(c, 0, 0, 0, 0);

    /* comments by action and label */
    static const uint64_t by_action[4][2] = {{2, 1}, {1, 2}, {1, 0}, {0, 3}};
    for (int a = QUELL_PASS; a <= QUELL_REJECT; a++) {
        for (int pos = 0; pos < 2; pos++)
            ck_assert_uint_eq(quell_eval_action_count(eval, (quell_action)a, pos),
                              by_action[a][pos]);
    }
    ck_assert_uint_eq(quell_eval_action_count(eval, (quell_action)7, 1), 0);
    quell_eval_free(eval);
}
END_TEST

START_TEST(test_rules_and_categories)
{
    quell_eval *eval = new_eval(0);
    add_rows(eval, 0, 1);
    /* each rule: fired and positive, fired and negative, of 6 and 4 */
    static const uint64_t fired[RULE_COUNT][2] = {
        [R_IDIOT] = {3, 1},  /* 1 4 10; 6 */
        [R_STUPID] = {2, 1}, /* 7 10; 2 */
        [R_SPAM] = {2, 0},   /* 3 7 */
        [R_NEVER] = {0, 0},  /* never */
        [R_MORON] = {1, 1},  /* 4; 9 */
    };
    quell_eval_counts c;
    for (size_t i = 0; i < RULE_COUNT; i++) {
        ck_assert_int_eq(quell_eval_rule_counts(eval, i, &c), QUELL_OK);
        ck_assert_counts(c, fired[i][0], fired[i][1], 6 - fired[i][0], 4 - fired[i][1]);
    }
    ck_assert_int_eq(quell_eval_rule_counts(eval, RULE_COUNT, &c), QUELL_EINVAL);
    ck_assert_counts(c, 0, 0, 0, 0);

    /* each category: scored in it */
    static const uint64_t scored[CATEGORY_COUNT][2] = {
        [C_INSULT] = {3, 2}, /* 1 4 10; 6 9 */
        [C_MILD] = {2, 1},   /* 7 10; 2 */
        [C_SPAM] = {2, 0},   /* 3 7 */
    };
    for (size_t i = 0; i < CATEGORY_COUNT; i++) {
        ck_assert_int_eq(quell_eval_category_counts(eval, i, &c), QUELL_OK);
        ck_assert_counts(c, scored[i][0], scored[i][1], 6 - scored[i][0], 4 - scored[i][1]);
    }
    ck_assert_int_eq(quell_eval_category_counts(eval, CATEGORY_COUNT, &c), QUELL_EINVAL);

    /* Without a map no comment is wanted by a category: its own flags are
     * all false positives. */
    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_INSULT, QUELL_FLAG, &c), QUELL_OK);
    ck_assert_counts(c, 0, 5, 0, 5);
    quell_eval_free(eval);
}
END_TEST

/*
 * Own figures under bad -> insult, spam -> spam. Wanted: insult 1 4 7 10,
 * spam 3 8, mild none.
 *   insult (not separate): flagged with an insult score: 1 4 6 9 10;
 *     held or worse: 4 9; rejected: 4.
 *   mild (separate, score 1 at most): never reaches flag.
 *   spam (separate): its own score reaches flag and reject in 3 and 7.
 */
START_TEST(test_category_own)
{
    quell_eval *eval = new_eval(1);
    add_rows(eval, 0, 1);
    quell_eval_counts c;
    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_INSULT, QUELL_FLAG, &c), QUELL_OK);
    ck_assert_counts(c, 3, 2, 1, 4);
    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_INSULT, QUELL_HOLD, &c), QUELL_OK);
    ck_assert_counts(c, 1, 1, 3, 5);
    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_INSULT, QUELL_REJECT, &c), QUELL_OK);
    ck_assert_counts(c, 1, 0, 3, 6);
    ck_assert_ratio(quell_eval_precision(&c), 1.0); /* the precision of its rejects */

    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_MILD, QUELL_FLAG, &c), QUELL_OK);
    ck_assert_counts(c, 0, 0, 0, 10);
    ck_assert_ratio(quell_eval_precision(&c), QUELL_EVAL_UNDEFINED);

    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_SPAM, QUELL_FLAG, &c), QUELL_OK);
    ck_assert_counts(c, 1, 1, 1, 7);
    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_SPAM, QUELL_REJECT, &c), QUELL_OK);
    ck_assert_counts(c, 1, 1, 1, 7);
    ck_assert_ratio(quell_eval_precision(&c), 0.5);

    ck_assert_int_eq(quell_eval_category_own_counts(eval, C_SPAM, QUELL_PASS, &c), QUELL_EINVAL);
    ck_assert_int_eq(quell_eval_category_own_counts(eval, CATEGORY_COUNT, QUELL_FLAG, &c),
                     QUELL_EINVAL);
    ck_assert_counts(c, 0, 0, 0, 0);
    quell_eval_free(eval);
}
END_TEST

/*
 * The sweep: scores above 0 by falling score, with their positives and
 * negatives: 10 (3, 4, 7: 3 positive), 7 (9: negative), 3 (1, 10 positive;
 * 6 negative), 1 (2: negative).
 */
START_TEST(test_sweep)
{
    quell_eval *eval = new_eval(0);
    add_rows(eval, 0, 1);
    quell_eval_sweep *sweep;
    quell_error err;
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, eval, &err), QUELL_OK);
    static const struct {
        double threshold;
        uint64_t tp, fp;
    } want[] = {{10, 3, 0}, {7, 3, 1}, {3, 5, 2}, {1, 5, 3}};
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), 4);
    quell_eval_counts c;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq(quell_eval_sweep_threshold(sweep, i), want[i].threshold);
        ck_assert_int_eq(quell_eval_sweep_counts(sweep, i, &c), QUELL_OK);
        ck_assert_counts(c, want[i].tp, want[i].fp, 6 - want[i].tp, 4 - want[i].fp);
    }
    /* at the flag threshold the sweep is the flagged matrix */
    ck_assert_int_eq(quell_eval_sweep_counts(sweep, 2, &c), QUELL_OK);
    ck_assert_ratio(quell_eval_recall(&c), 5.0 / 6);
    ck_assert_int_eq(quell_eval_sweep_counts(sweep, 4, &c), QUELL_EINVAL);
    ck_assert_counts(c, 0, 0, 0, 0);
    ck_assert_double_eq(quell_eval_sweep_threshold(sweep, 4), 0);

    /* The sweep is a snapshot: adding more leaves it as it was. */
    add_rows(eval, 0, 1);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), 4);
    ck_assert_int_eq(quell_eval_sweep_counts(sweep, 3, &c), QUELL_OK);
    ck_assert_counts(c, 5, 3, 1, 1);
    quell_eval_sweep_free(sweep);
    quell_eval_sweep_free(NULL);
    quell_eval_free(eval);
}
END_TEST

/* Budgets on the sweep above (4 negatives): the lowest threshold whose
 * false-positive rate, 0/4, 1/4, 2/4 and 3/4 down the points, fits. */
static const struct {
    double budget;
    size_t point;
} budget_cases[] = {
    {0, 0}, {0.2, 0}, {0.25, 1}, {1.0 / 3, 1}, {0.5, 2}, {0.74, 2}, {0.75, 3}, {1, 3},
};

START_TEST(test_propose)
{
    quell_eval *eval = new_eval(0);
    add_rows(eval, 0, 1);
    quell_eval_sweep *sweep;
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, eval, NULL), QUELL_OK);
    size_t at = 99;
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, budget_cases[_i].budget, &at), QUELL_OK);
    ck_assert_uint_eq(at, budget_cases[_i].point);
    quell_eval_sweep_free(sweep);
    quell_eval_free(eval);
}
END_TEST

START_TEST(test_propose_edges)
{
    size_t at = 0;
    quell_eval_sweep *sweep;
    /* Only comment 6 (negative, score 3): one point, at FPR 1. */
    quell_eval *eval = new_eval(0);
    add_rows(eval, 5, ROW_COUNT);
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, eval, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), 1);
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, 0.5, &at), QUELL_OK);
    ck_assert_uint_eq(at, QUELL_EVAL_NONE);
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, 1, &at), QUELL_OK);
    ck_assert_uint_eq(at, 0);
    /* a budget outside [0, 1] */
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, -0.1, &at), QUELL_EINVAL);
    ck_assert_uint_eq(at, QUELL_EVAL_NONE);
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, 1.5, &at), QUELL_EINVAL);
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, NAN, &at), QUELL_EINVAL);
    quell_eval_sweep_free(sweep);

    /* Only positives (1 4 7 10): no negative, so every point fits. */
    quell_eval_reset(eval);
    ck_assert_uint_eq(quell_eval_comment_count(eval), 0);
    add_rows(eval, 0, 3); /* 1 4 7 10 */
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, eval, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), 2); /* 10, 3 */
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, 0, &at), QUELL_OK);
    ck_assert_uint_eq(at, 1);
    quell_eval_sweep_free(sweep);

    /* Nothing scored: no point, nothing to propose. */
    quell_eval_reset(eval);
    add_rows(eval, 4, ROW_COUNT); /* 5 */
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, eval, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), 0);
    ck_assert_int_eq(quell_eval_sweep_propose(sweep, 1, &at), QUELL_OK);
    ck_assert_uint_eq(at, QUELL_EVAL_NONE);
    quell_eval_sweep_free(sweep);
    quell_eval_free(eval);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Merging                                                                 */

/* Every figure of a and b is the same. */
static void assert_same(const quell_eval *a, const quell_eval *b)
{
    quell_eval_counts x, y;
    ck_assert_uint_eq(quell_eval_comment_count(a), quell_eval_comment_count(b));
    for (int act = QUELL_PASS; act <= QUELL_REJECT; act++) {
        for (int pos = 0; pos < 2; pos++)
            ck_assert_uint_eq(quell_eval_action_count(a, (quell_action)act, pos),
                              quell_eval_action_count(b, (quell_action)act, pos));
        if (act == QUELL_PASS)
            continue;
        quell_eval_counts_get(a, (quell_action)act, &x);
        quell_eval_counts_get(b, (quell_action)act, &y);
        ck_assert_counts(x, y.tp, y.fp, y.fn, y.tn);
        for (size_t i = 0; i < CATEGORY_COUNT; i++) {
            quell_eval_category_own_counts(a, i, (quell_action)act, &x);
            quell_eval_category_own_counts(b, i, (quell_action)act, &y);
            ck_assert_counts(x, y.tp, y.fp, y.fn, y.tn);
        }
    }
    for (size_t i = 0; i < RULE_COUNT; i++) {
        quell_eval_rule_counts(a, i, &x);
        quell_eval_rule_counts(b, i, &y);
        ck_assert_counts(x, y.tp, y.fp, y.fn, y.tn);
    }
    for (size_t i = 0; i < CATEGORY_COUNT; i++) {
        quell_eval_category_counts(a, i, &x);
        quell_eval_category_counts(b, i, &y);
        ck_assert_counts(x, y.tp, y.fp, y.fn, y.tn);
    }
    quell_eval_sweep *sa, *sb;
    ck_assert_int_eq(quell_eval_sweep_new(&sa, a, NULL), QUELL_OK);
    ck_assert_int_eq(quell_eval_sweep_new(&sb, b, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sa), quell_eval_sweep_count(sb));
    for (size_t i = 0; i < quell_eval_sweep_count(sa); i++) {
        ck_assert_double_eq(quell_eval_sweep_threshold(sa, i), quell_eval_sweep_threshold(sb, i));
        quell_eval_sweep_counts(sa, i, &x);
        quell_eval_sweep_counts(sb, i, &y);
        ck_assert_counts(x, y.tp, y.fp, y.fn, y.tn);
    }
    quell_eval_sweep_free(sa);
    quell_eval_sweep_free(sb);
}

START_TEST(test_merge)
{
    quell_eval *all = new_eval(1);
    add_rows(all, 0, 1);
    /* as two threads would: one the odd rows, one the even ones */
    quell_eval *odd = new_eval(1), *even = new_eval(1);
    add_rows(odd, 0, 2);
    add_rows(even, 1, 2);
    quell_eval *merged = new_eval(1);
    quell_error err;
    ck_assert_int_eq(quell_eval_merge(merged, odd, &err), QUELL_OK);
    ck_assert_int_eq(quell_eval_merge(merged, even, &err), QUELL_OK);
    assert_same(merged, all);
    /* and by hand, in case both were wrong alike */
    quell_eval_counts c;
    quell_eval_counts_get(merged, QUELL_FLAG, &c);
    ck_assert_counts(c, 5, 2, 1, 2);
    quell_eval_category_own_counts(merged, C_SPAM, QUELL_FLAG, &c);
    ck_assert_counts(c, 1, 1, 1, 7);
    /* the sources are only read */
    ck_assert_uint_eq(quell_eval_comment_count(odd), 5);
    ck_assert_uint_eq(quell_eval_comment_count(even), 5);

    /* merging into a non-empty one adds */
    ck_assert_int_eq(quell_eval_merge(odd, even, &err), QUELL_OK);
    assert_same(odd, all);
    quell_eval_free(odd);
    quell_eval_free(even);
    quell_eval_free(merged);
    quell_eval_free(all);
}
END_TEST

/* Different maps or rules cannot merge, and leave dst as it was. */
START_TEST(test_merge_refused)
{
    quell_eval *with_map = new_eval(1), *without = new_eval(0);
    add_rows(with_map, 0, 1);
    add_rows(without, 0, 1);
    quell_error err;
    ck_assert_int_eq(quell_eval_merge(with_map, without, &err), QUELL_EINVAL);
    ck_assert_int_eq(err.code, QUELL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "category map"));
    ck_assert_uint_eq(quell_eval_comment_count(with_map), 10);

    quell_rules *other;
    static const char other_cfg[] =
        "version = 1;\n"
        "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
        "categories = ( { name = \"x\"; }, { name = \"y\"; }, { name = \"z\"; } );\n"
        "rules = ( { id = \"x\"; category = \"x\"; weight = 1.0; words = [ \"x\" ]; } );\n";
    int rc = quell_rules_compile(&other, test_write_temp("other.cfg", other_cfg), &err);
    ck_assert_msg(rc == QUELL_OK, "compile failed: %s", err.message);
    quell_eval *foreign;
    ck_assert_int_eq(quell_eval_new(&foreign, other, NULL, &err), QUELL_OK);
    ck_assert_int_eq(quell_eval_merge(without, foreign, &err), QUELL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "different rules"));
    ck_assert_uint_eq(quell_eval_comment_count(without), 10);

    /* nor can a verdict of other rules be added, though it has as many
     * categories */
    quell_scanner *other_scanner;
    ck_assert_int_eq(quell_scanner_new(&other_scanner, other, &err), QUELL_OK);
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "x";
    c.text_len[QUELL_FIELD_BODY] = 1;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(other_scanner, &c, &v, &err), QUELL_OK);
    ck_assert_int_eq(quell_eval_add(without, v, 1, NULL, 0, &err), QUELL_EINVAL);
    ck_assert_uint_eq(quell_eval_comment_count(without), 10);
    ck_assert_int_eq(quell_eval_add(foreign, v, 1, NULL, 0, &err), QUELL_OK);
    ck_assert_uint_eq(quell_eval_comment_count(foreign), 1);

    quell_scanner_free(other_scanner);
    quell_eval_free(foreign);
    /* the evaluation holds its rules: the caller's go first */
    quell_rules_free(other);
    quell_eval_free(with_map);
    quell_eval_free(without);
    quell_eval_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Many distinct scores: the score table compacts and grows                */

/* A verdict of the test rules with the given score and nothing fired. */
static quell_verdict fake_verdict(double score, const double *category_scores)
{
    quell_verdict v;
    memset(&v, 0, sizeof v);
    v.action = score >= 3 ? QUELL_FLAG : QUELL_PASS;
    v.score = score;
    v.category_scores = category_scores;
    v.category_count = CATEGORY_COUNT;
    v.rules_used = rules;
    v.rules_id = quell_rules_id(rules);
    return v;
}

START_TEST(test_many_scores)
{
    static const double zero[CATEGORY_COUNT] = {0, 0, 0};
    enum { DISTINCT = 1000, ROUNDS = 3 };
    quell_eval *a = new_eval(0), *b = new_eval(0);
    /* scores 1 .. DISTINCT, each ROUNDS times (positive on the first
     * round only), spread over two evaluations */
    for (int round = 0; round < ROUNDS; round++) {
        for (int s = 1; s <= DISTINCT; s++) {
            quell_verdict v = fake_verdict(s, zero);
            ck_assert_int_eq(quell_eval_add(s % 2 ? a : b, &v, round == 0, NULL, 0, NULL),
                             QUELL_OK);
        }
    }
    ck_assert_int_eq(quell_eval_merge(a, b, NULL), QUELL_OK);
    quell_eval_sweep *sweep;
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, a, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), DISTINCT);
    quell_eval_counts c;
    for (size_t i = 0; i < DISTINCT; i++) {
        ck_assert_double_eq(quell_eval_sweep_threshold(sweep, i), DISTINCT - (double)i);
        quell_eval_sweep_counts(sweep, i, &c);
        ck_assert_counts(c, i + 1, 2 * (i + 1), DISTINCT - (i + 1), 2 * DISTINCT - 2 * (i + 1));
    }
    quell_eval_sweep_free(sweep);
    /* a score of 0 or below is no point */
    quell_verdict v = fake_verdict(0, zero);
    ck_assert_int_eq(quell_eval_add(a, &v, 1, NULL, 0, NULL), QUELL_OK);
    v = fake_verdict(-2, zero);
    ck_assert_int_eq(quell_eval_add(a, &v, 1, NULL, 0, NULL), QUELL_OK);
    ck_assert_int_eq(quell_eval_sweep_new(&sweep, a, NULL), QUELL_OK);
    ck_assert_uint_eq(quell_eval_sweep_count(sweep), DISTINCT);
    quell_eval_sweep_free(sweep);
    quell_eval_free(a);
    quell_eval_free(b);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Options                                                                 */

START_TEST(test_options_refused)
{
    quell_eval *eval = (quell_eval *)&eval;
    quell_error err;
    quell_eval_options opt = QUELL_EVAL_OPTIONS_INIT;
    static const char *const labels[] = {"bad", "worse", "bad"};
    static const char *const unknown[] = {"insult", "nosuch", "spam"};
    static const char *const twice[] = {"insult", "spam", "spam"};
    opt.map_labels = labels;

    opt.map_categories = unknown;
    opt.map_count = 2;
    ck_assert_int_eq(quell_eval_new(&eval, rules, &opt, &err), QUELL_EINVAL);
    ck_assert_ptr_null(eval);
    ck_assert_ptr_nonnull(strstr(err.message, "no category 'nosuch'"));

    opt.map_categories = twice;
    opt.map_count = 3;
    ck_assert_int_eq(quell_eval_new(&eval, rules, &opt, &err), QUELL_EINVAL);
    ck_assert_ptr_null(eval);
    ck_assert_ptr_nonnull(strstr(err.message, "label 'bad' is mapped twice"));

    /* a version from a newer header */
    quell_eval_options newer = QUELL_EVAL_OPTIONS_INIT;
    newer.version = QUELL_EVAL_OPTIONS_VERSION + 1;
    ck_assert_int_eq(quell_eval_new(&eval, rules, &newer, &err), QUELL_EINVAL);
    ck_assert_ptr_null(eval);

    /* a zeroed struct reads as version 1, and two labels map well */
    quell_eval_options zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    zeroed.map_labels = labels;
    zeroed.map_categories = twice;
    zeroed.map_count = 2;
    ck_assert_int_eq(quell_eval_new(&eval, rules, &zeroed, &err), QUELL_OK);
    quell_eval_free(eval);
}
END_TEST

Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("Core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_ratios, 0, sizeof ratio_cases / sizeof ratio_cases[0]);
    tcase_add_test(tc, test_matrix);
    tcase_add_test(tc, test_rules_and_categories);
    tcase_add_test(tc, test_category_own);
    tcase_add_test(tc, test_sweep);
    tcase_add_loop_test(tc, test_propose, 0, sizeof budget_cases / sizeof budget_cases[0]);
    tcase_add_test(tc, test_propose_edges);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_merge_refused);
    tcase_add_test(tc, test_many_scores);
    tcase_add_test(tc, test_options_refused);
    suite_add_tcase(s, tc);
    return s;
}
