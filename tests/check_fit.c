/*
 * check_fit.c - `quell fit` and the weights files it writes: on a small
 * synthetic labelled corpus, the fit raises a predictive rule, lowers a noisy
 * one, keeps signs and separate categories, meets its budget on the held-out
 * folds (or says it cannot), and the written file loads and gives the
 * verdicts the report counts; the loader's weights and thresholds errors.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "suites.h"
#include "quell.h"
#include "cli/cli.h"

/* Thresholds 3 / 6 / 10. "villain" predicts the label but weighs 1; "darn"
 * is as common in clean rows as in abusive ones but weighs 3; "quote" is a
 * counter-signal; "casino" is spam, a separate category; "maybe" a signal. */
static const char body_cfg[] =
    "categories = ( { name = \"insult\"; }, { name = \"spam\"; separate = true; } );\n"
    "rules = (\n"
    "  { id = \"t.good\"; category = \"insult\"; weight = 1.0; words = [ \"villain\" ]; },\n"
    "  { id = \"t.noisy\"; category = \"insult\"; weight = 3.0; words = [ \"darn\" ]; },\n"
    "  { id = \"t.counter\"; category = \"insult\"; weight = -2.0; words = [ \"quote\" ]; },\n"
    "  { id = \"t.spam\"; category = \"spam\"; weight = 5.0; words = [ \"casino\" ]; },\n"
    "  { id = \"t.signal\"; category = \"insult\"; weight = 0.0; words = [ \"maybe\" ]; },\n"
    "  { id = \"t.combo\"; category = \"insult\"; weight = 1.0; combine = \"t.signal & t.good\"; }\n"
    ");\n";

static const char top_cfg[] = "version = 1;\n"
                              "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
                              "include = [ \"body.cfg\" ];\n";

static const char fitted_cfg[] = "version = 1;\n"
                                 "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
                                 "include = [ \"body.cfg\", \"weights.cfg\" ];\n";

/* The synthetic corpus: 800 rows, half abusive. */
static char *make_corpus(int is_hopeless)
{
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    len += (size_t)snprintf(out, cap, "id,text,label\n");
    uint64_t state = 42;
    for (int i = 0; i < 800; i++) {
        int is_pos = i % 2;
        char text[128] = "";
        unsigned roll = (unsigned)(test_rng(&state) % 100);
        unsigned roll2 = (unsigned)(test_rng(&state) % 100);
        unsigned roll3 = (unsigned)(test_rng(&state) % 100);
        if (is_hopeless) {
            strcat(text, "villain darn");
        } else {
            if (is_pos ? roll < 80 : roll < 1)
                strcat(text, "villain ");
            if (roll2 < 30)
                strcat(text, "darn ");
            if (roll3 < 10)
                strcat(text, "quote ");
            if (roll3 >= 90)
                strcat(text, is_pos ? "casino " : "maybe ");
            strcat(text, "words");
        }
        while (len + 200 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
        len += (size_t)snprintf(out + len, cap - len, "r%d,%s,%s\n", i, text,
                                is_pos ? "bad" : "good");
    }
    return out;
}

/* Run quell fit in this (forked) test process, its stdout into a file;
 * returns the exit status and the output, malloc'd. */
static int run_fit(char **out, const char *const args[])
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"fit";
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    const char *path = test_write_temp("fit-stdout.txt", "");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int rc = cmd_fit(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    *out = buf;
    return rc;
}

#define FIT_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The fitted weight of rule id in the JSON report. */
static double json_weight(const cJSON *report, const char *id, int *is_listed)
{
    const cJSON *w;
    *is_listed = 0;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(report, "weights"))
    {
        if (strcmp(cJSON_GetObjectItem(w, "id")->valuestring, id) == 0) {
            *is_listed = 1;
            return cJSON_GetObjectItem(w, "after")->valuedouble;
        }
    }
    return 0;
}

static char corpus_path[512], weights_path[512], top_path[512], fitted_path[512];

static void write_fixture(int is_hopeless)
{
    test_write_temp("body.cfg", body_cfg);
    snprintf(top_path, sizeof top_path, "%s", test_write_temp("top.cfg", top_cfg));
    snprintf(fitted_path, sizeof fitted_path, "%s", test_write_temp("fitted.cfg", fitted_cfg));
    char *corpus = make_corpus(is_hopeless);
    snprintf(corpus_path, sizeof corpus_path, "%s", test_write_temp("corpus.csv", corpus));
    free(corpus);
    snprintf(weights_path, sizeof weights_path, "%s", test_write_temp("weights.cfg", ""));
}

START_TEST(test_fit_moves_weights_within_budget)
{
    write_fixture(0);
    char *out;
    int rc = run_fit(&out, FIT_ARGS("--json", "-o", weights_path, top_path, "-p", "bad",
                                    "--max-flag-fpr", "0.05", corpus_path));
    ck_assert_int_eq(rc, CLI_OK);
    cJSON *report = cJSON_Parse(out);
    ck_assert_msg(report != NULL, "not JSON: %s", out);
    int is_listed;
    /* The predictive rule rises, the noisy one falls. */
    ck_assert_double_gt(json_weight(report, "t.good", &is_listed), 1.0);
    ck_assert(is_listed);
    ck_assert_double_lt(json_weight(report, "t.noisy", &is_listed), 3.0);
    ck_assert(is_listed);
    /* Signs kept; separate categories and signals left out. */
    ck_assert_double_lt(json_weight(report, "t.counter", &is_listed), 0);
    json_weight(report, "t.spam", &is_listed);
    ck_assert(!is_listed);
    json_weight(report, "t.signal", &is_listed);
    ck_assert(!is_listed);
    char *weights = read_text(weights_path);
    ck_assert_ptr_null(strstr(weights, "t.spam"));
    ck_assert_ptr_null(strstr(weights, "t.signal"));
    ck_assert_ptr_nonnull(strstr(weights, "\"t.good\""));
    free(weights);

    /* The held-out folds keep the budget, and do better than before. */
    const cJSON *corpus = cJSON_GetArrayItem(cJSON_GetObjectItem(report, "corpora"), 0);
    const cJSON *after = cJSON_GetObjectItem(corpus, "after");
    const cJSON *before = cJSON_GetObjectItem(corpus, "before");
    ck_assert_double_le(cJSON_GetObjectItem(after, "flag_fpr")->valuedouble, 0.05);
    ck_assert_double_gt(cJSON_GetObjectItem(after, "f1")->valuedouble,
                        cJSON_GetObjectItem(before, "f1")->valuedouble);

    /* The written file loads, and its verdicts are the ones counted. */
    quell_rules *rules;
    quell_error err;
    ck_assert_msg(quell_rules_compile(&rules, fitted_path, &err) == QUELL_OK, "%s:%d: %s",
                  err.file, err.line, err.message);
    quell_scanner *sc;
    ck_assert_int_eq(quell_scanner_new(&sc, rules, &err), QUELL_OK);
    char *corpus_text = make_corpus(0);
    unsigned tp = 0, fp = 0, changed = 0;
    quell_rules *old;
    ck_assert_int_eq(quell_rules_compile(&old, top_path, &err), QUELL_OK);
    quell_scanner *old_sc;
    ck_assert_int_eq(quell_scanner_new(&old_sc, old, &err), QUELL_OK);
    char *line = strchr(corpus_text, '\n') + 1;
    while (*line) {
        char *eol = strchr(line, '\n');
        *eol = '\0';
        char *text = strchr(line, ',') + 1;
        char *label = strrchr(line, ',');
        *label++ = '\0';
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = text;
        c.text_len[QUELL_FIELD_BODY] = strlen(text);
        const quell_verdict *v, *ov;
        ck_assert_int_eq(quell_scan(sc, &c, &v, &err), QUELL_OK);
        ck_assert_int_eq(quell_scan(old_sc, &c, &ov, &err), QUELL_OK);
        int is_pos = strcmp(label, "bad") == 0;
        tp += v->action >= QUELL_FLAG && is_pos;
        fp += v->action >= QUELL_FLAG && !is_pos;
        changed += v->action != ov->action;
        line = eol + 1;
    }
    const cJSON *fitted = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "fitted_rows"), "after");
    ck_assert_uint_eq(tp, (unsigned)cJSON_GetObjectItem(fitted, "tp")->valuedouble);
    ck_assert_uint_eq(fp, (unsigned)cJSON_GetObjectItem(fitted, "fp")->valuedouble);
    ck_assert_uint_gt(changed, 0);
    const cJSON *th = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "thresholds"), "after");
    ck_assert_double_eq_tol(quell_rules_threshold(rules, QUELL_FLAG),
                            cJSON_GetObjectItem(th, "flag")->valuedouble, 1e-9);
    /* The scale's floors: no rule that did not hold or reject alone does
     * after the fit. "villain" (1, fitted up) may come to flag alone, but
     * neither it, "darn" (3) nor "casino" (5, a separate category) holds. */
    double good = json_weight(report, "t.good", &is_listed);
    double hold = cJSON_GetObjectItem(th, "hold")->valuedouble;
    double reject = cJSON_GetObjectItem(th, "reject")->valuedouble;
    ck_assert_double_gt(hold, good);
    ck_assert_double_gt(hold, 5.0);
    ck_assert_double_gt(reject, hold);
    free(corpus_text);
    quell_scanner_free(old_sc);
    quell_rules_free(old);
    quell_scanner_free(sc);
    quell_rules_free(rules);
    cJSON_Delete(report);
    free(out);
}
END_TEST

START_TEST(test_fit_is_deterministic)
{
    write_fixture(0);
    char *out1, *out2;
    ck_assert_int_eq(run_fit(&out1, FIT_ARGS("-o", weights_path, top_path, "-p", "bad",
                                             corpus_path)),
                     CLI_OK);
    char *w1 = read_text(weights_path);
    ck_assert_int_eq(run_fit(&out2, FIT_ARGS("-o", weights_path, top_path, "-p", "bad",
                                             corpus_path)),
                     CLI_OK);
    char *w2 = read_text(weights_path);
    ck_assert_str_eq(out1, out2);
    ck_assert_str_eq(w1, w2);
    free(out1);
    free(out2);
    free(w1);
    free(w2);
}
END_TEST

/* Every row the same text, half of them clean: no threshold flags any
 * abusive row without flagging as many clean ones. */
START_TEST(test_fit_says_when_infeasible)
{
    write_fixture(1);
    char *out;
    ck_assert_int_eq(run_fit(&out, FIT_ARGS(top_path, "-p", "bad", "--max-flag-fpr", "0",
                                            corpus_path)),
                     CLI_OK);
    ck_assert_msg(strstr(out, "Infeasible: in 5 of 5 folds only flagging nothing") != NULL, "%s",
                  out);
    free(out);
}
END_TEST

START_TEST(test_fit_usage_errors)
{
    write_fixture(0);
    char *out;
    ck_assert_int_eq(run_fit(&out, FIT_ARGS(top_path, corpus_path)), CLI_EUSAGE);
    free(out);
    ck_assert_int_eq(run_fit(&out, FIT_ARGS("--folds", "1", top_path, "-p", "bad", corpus_path)),
                     CLI_EUSAGE);
    free(out);
    ck_assert_int_eq(
        run_fit(&out, FIT_ARGS("--max-flag-fpr", "2", top_path, "-p", "bad", corpus_path)),
        CLI_EUSAGE);
    free(out);
    ck_assert_int_eq(run_fit(&out, FIT_ARGS(top_path)), CLI_EUSAGE);
    free(out);
    ck_assert_int_eq(
        run_fit(&out, FIT_ARGS(top_path, "-p", "bad", "--label-column", "nope", corpus_path)),
        CLI_EUSAGE);
    free(out);
    ck_assert_int_eq(run_fit(&out, FIT_ARGS(top_path, "-p", "bad", "/nonexistent/c.csv")),
                     CLI_EIO);
    free(out);
}
END_TEST

/* Loader errors of weights and thresholds: where, which rule, why. */
static const struct {
    const char *weights;
    int line;
    const char *rule_id;
    const char *message;
} bad_weights[] = {
    {"weights = ( { id = \"t.none\"; weight = 1.0; } );", 1, "",
     "unknown rule id \"t.none\""},
    {"weights = (\n  { id = \"t.good\"; weight = -1.0; } );", 2, "t.good",
     "would change its sign"},
    {"weights = ( { id = \"t.counter\"; weight = 0.0; } );", 1, "t.counter",
     "would change its sign"},
    {"weights = ( { id = \"t.signal\"; weight = 1.0; } );", 1, "t.signal",
     "would change its sign"},
    {"weights = ( { id = \"t.spam\"; weight = 2.0; } );", 1, "t.spam", "separate category"},
    {"weights = ( { id = \"t.good\"; weight = 2.0; },\n { id = \"t.good\"; weight = 3.0; } );", 2,
     "t.good", "given a weight twice"},
    {"weights = ( { id = \"t.good\"; wieght = 2.0; } );", 1, "", "unknown key \"wieght\""},
    {"weights = { t = 1; };", 1, "", "must be a list of groups"},
    {"thresholds = { flag = 5.0; hold = 4.0; reject = 10.0; };", 1, "", "thresholds must satisfy"},
    {"thresholds = { flag = 5.0; hold = 6.0; };", 1, "", "thresholds has no \"reject\""},
};

START_TEST(test_weights_file_errors)
{
    test_write_temp("body.cfg", body_cfg);
    const char *top = test_write_temp("fitted.cfg", fitted_cfg);
    char top_copy[512];
    snprintf(top_copy, sizeof top_copy, "%s", top);
    test_write_temp("weights.cfg", bad_weights[_i].weights);
    quell_rules *rules;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&rules, top_copy, &err), QUELL_ECONFIG);
    ck_assert_ptr_null(rules);
    ck_assert_msg(strstr(err.message, bad_weights[_i].message) != NULL, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.file, "weights.cfg"));
    ck_assert_int_eq(err.line, bad_weights[_i].line);
    ck_assert_str_eq(err.rule_id, bad_weights[_i].rule_id);
}
END_TEST

START_TEST(test_weights_file_applies)
{
    test_write_temp("body.cfg", body_cfg);
    const char *top = test_write_temp("fitted.cfg", fitted_cfg);
    char top_copy[512];
    snprintf(top_copy, sizeof top_copy, "%s", top);
    test_write_temp("weights.cfg", "thresholds = { flag = 2.0; hold = 5.0; reject = 9.0; };\n"
                                   "weights = ( { id = \"t.good\"; weight = 2.5; },\n"
                                   "            { id = \"t.counter\"; weight = -0.5; } );\n");
    quell_rules *rules;
    quell_error err;
    ck_assert_msg(quell_rules_compile(&rules, top_copy, &err) == QUELL_OK, "%s", err.message);
    ck_assert_double_eq(quell_rules_rule_weight(rules, 0), 2.5);
    ck_assert_double_eq(quell_rules_rule_weight(rules, 1), 3.0);
    ck_assert_double_eq(quell_rules_rule_weight(rules, 2), -0.5);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_FLAG), 2.0);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_REJECT), 9.0);
    quell_scanner *sc;
    ck_assert_int_eq(quell_scanner_new(&sc, rules, &err), QUELL_OK);
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "you villain";
    c.text_len[QUELL_FIELD_BODY] = strlen("you villain");
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(sc, &c, &v, &err), QUELL_OK);
    ck_assert_int_eq(v->action, QUELL_FLAG); /* 2.5 >= 2: was a pass at 1 < 3 */
    quell_scanner_free(sc);
    quell_rules_free(rules);

    /* Thresholds before the actions they would override. */
    const char *early = test_write_temp(
        "early.cfg", "version = 1;\nthresholds = { flag = 2.0; hold = 5.0; reject = 9.0; };\n"
                     "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n");
    ck_assert_int_eq(quell_rules_compile(&rules, early, &err), QUELL_ECONFIG);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "give the actions first"));
}
END_TEST

Suite *fit_suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("Fit");
    tcase_set_timeout(tc, TEST_TIMEOUT_COMMAND);
    tcase_add_test(tc, test_fit_moves_weights_within_budget);
    tcase_add_test(tc, test_fit_is_deterministic);
    tcase_add_test(tc, test_fit_says_when_infeasible);
    tcase_add_test(tc, test_fit_usage_errors);
    suite_add_tcase(s, tc);
    TCase *loader = tcase_create("Loader");
    tcase_set_timeout(loader, TEST_TIMEOUT_RULES);
    tcase_add_loop_test(loader, test_weights_file_errors, 0,
                        (int)(sizeof bad_weights / sizeof bad_weights[0]));
    tcase_add_test(loader, test_weights_file_applies);
    suite_add_tcase(s, loader);
    return s;
}
