/*
 * check_score.c - combinations decided per comment: only those with an
 * operand that fired are evaluated, through chains of combinations and
 * under `!`, and a .qdb whose combinations break what that relies on is
 * refused.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quell.h"
#include "ruleset.h"
#include "suites.h"

/* rules through a .qdb and back: the index is derived again on loading. */
static quell_rules *reload(const quell_rules *rules)
{
    quell_error err;
    char *data;
    size_t len;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    quell_rules *loaded;
    int rc = quell_rules_deserialize(&loaded, data, len, &err);
    ck_assert_msg(rc == QUELL_OK, "%s", err.message);
    free(data);
    return loaded;
}

/* ---------------------------------------------------------------------- */
/* Fixed cases: each combination has its own power of two, so a score    */
/* names the ones that held.                                               */

#define RULES_COMBOS                                                                               \
    "version = 1;\n"                                                                               \
    "actions = { flag = 1000.0; hold = 2000.0; reject = 3000.0; };\n"                              \
    "categories = ( { name = \"c\"; } );\n"                                                        \
    "rules = (\n"                                                                                  \
    "  { id = \"a\"; category = \"c\"; weight = 0; words = [ \"apple\" ]; },\n"                    \
    "  { id = \"b\"; category = \"c\"; weight = 0; words = [ \"banana\" ]; },\n"                   \
    "  { id = \"c\"; category = \"c\"; weight = 0; words = [ \"cherry\" ]; },\n"                   \
    "  { id = \"d\"; category = \"c\"; weight = 0; words = [ \"durian\" ]; },\n"                   \
    "  { id = \"top\"; category = \"c\"; weight = 4; combine = \"abc | (d & ab)\"; },\n"           \
    "  { id = \"abc\"; category = \"c\"; weight = 2; combine = \"ab & c\"; },\n"                   \
    "  { id = \"ab\"; category = \"c\"; weight = 1; combine = \"a & b\"; },\n"                     \
    "  { id = \"a.not.b\"; category = \"c\"; weight = 8; combine = \"a & !b\"; },\n"               \
    "  { id = \"cd.not.ab\"; category = \"c\"; weight = 16; combine = \"(c | d) & !ab\"; },\n"     \
    "  { id = \"ac.not.b\"; category = \"c\"; weight = 32;\n"                                      \
    "    combine = \"near(a, c, 1) & !b\"; },\n"                                                   \
    "  { id = \"d.not.ac\"; category = \"c\"; weight = 64;\n"                                      \
    "    combine = \"d & !near(a, c, 1)\"; },\n"                                                   \
    "  { id = \"again\"; category = \"c\"; weight = 128; combine = \"top\"; }\n"                   \
    ");\n"

/* In this order, on one scanner: what held in one comment must not hold
 * in the next. */
static const struct {
    const char *text;
    int score;
} combo_cases[] = {
    {"apple banana cherry", 1 + 2 + 4 + 128},
    {"apple", 8},
    /* c fires, so abc is evaluated: its operand ab did not hold. */
    {"banana cherry", 16},
    {"apple cherry", 8 + 16 + 32},
    /* top through d & ab, then again through top: two levels up. */
    {"durian apple banana", 1 + 4 + 64 + 128},
    {"durian", 16 + 64},
    {"nothing here", 0},
    {"apple pie and cherry", 8 + 16},
    {"", 0},
    {"cherry banana apple", 1 + 2 + 4 + 128},
    {"banana", 0},
};

START_TEST(test_combos)
{
    quell_rules *rules = test_compile_text("combos.cfg", RULES_COMBOS);
    quell_rules *loaded = reload(rules);
    quell_scanner *s;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, _i % 2 ? loaded : rules, &err), QUELL_OK);
    for (int round = 0; round < 2; round++) {
        for (size_t c = 0; c < sizeof combo_cases / sizeof combo_cases[0]; c++) {
            const char *text = combo_cases[c].text;
            const quell_verdict *v = test_scan_body(s, text);
            ck_assert_msg((int)v->score == combo_cases[c].score, "\"%s\": score %g, want %d", text,
                          v->score, combo_cases[c].score);
        }
    }
    quell_scanner_free(s);
    quell_rules_free(loaded);
    quell_rules_free(rules);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Random combinations over random comments, against a plain evaluator    */
/* that decides every combination of every comment.                        */

#define RAND_WORDS  6
#define RAND_COMBOS 12
#define RAND_NODES  24

static const char *const rand_words[RAND_WORDS] = {"ant", "bee", "cat", "dog", "eel", "fox"};

/* An expression tree: kind 0 names rule arg (0..RAND_WORDS-1 the word
 * rules, then the combinations), 1 is !left, 2 is left & right, 3 is
 * left | right. */
struct node {
    int kind;
    int arg;
    int left;
    int right;
};

struct rand_combo {
    struct node nodes[RAND_NODES];
    int root;
    int count;
};

static int gen_node(struct rand_combo *c, uint64_t *rng, int rules_before, int depth)
{
    int k = c->count++;
    int kind = depth > 3 || c->count + 2 > RAND_NODES ? 0 : (int)(test_rng(rng) % 5);
    if (kind > 3)
        kind = 0;
    c->nodes[k].kind = kind;
    if (kind == 0) {
        c->nodes[k].arg = (int)(test_rng(rng) % (uint64_t)rules_before);
        return k;
    }
    c->nodes[k].left = gen_node(c, rng, rules_before, depth + 1);
    if (kind > 1)
        c->nodes[k].right = gen_node(c, rng, rules_before, depth + 1);
    return k;
}

static bool eval_node(const struct rand_combo *c, int k, const bool *fired)
{
    const struct node *n = &c->nodes[k];
    switch (n->kind) {
    case 0:
        return fired[n->arg];
    case 1:
        return !eval_node(c, n->left, fired);
    case 2:
        return eval_node(c, n->left, fired) && eval_node(c, n->right, fired);
    default:
        return eval_node(c, n->left, fired) || eval_node(c, n->right, fired);
    }
}

static void rule_name(char *buf, size_t size, int rule)
{
    if (rule < RAND_WORDS)
        snprintf(buf, size, "w.%s", rand_words[rule]);
    else
        snprintf(buf, size, "k%d", rule - RAND_WORDS);
}

static size_t render_node(const struct rand_combo *c, int k, char *buf, size_t size)
{
    const struct node *n = &c->nodes[k];
    char name[16];
    size_t o = 0;
    switch (n->kind) {
    case 0:
        rule_name(name, sizeof name, n->arg);
        return (size_t)snprintf(buf, size, "%s", name);
    case 1:
        o = (size_t)snprintf(buf, size, "!(");
        o += render_node(c, n->left, buf + o, size - o);
        return o + (size_t)snprintf(buf + o, size - o, ")");
    default:
        o = (size_t)snprintf(buf, size, "(");
        o += render_node(c, n->left, buf + o, size - o);
        o += (size_t)snprintf(buf + o, size - o, " %c ", n->kind == 2 ? '&' : '|');
        o += render_node(c, n->right, buf + o, size - o);
        return o + (size_t)snprintf(buf + o, size - o, ")");
    }
}

START_TEST(test_combos_random)
{
    uint64_t rng = 0x5eed0000u + (uint64_t)_i;
    struct rand_combo combos[RAND_COMBOS];
    bool none[RAND_WORDS + RAND_COMBOS] = {false};
    static char cfg[16384];
    size_t o = (size_t)snprintf(cfg, sizeof cfg,
                                "version = 1;\n"
                                "actions = { flag = 1000.0; hold = 2000.0; reject = 3000.0; };\n"
                                "categories = ( { name = \"c\"; } );\n"
                                "rules = (\n");
    for (int w = 0; w < RAND_WORDS; w++)
        o += (size_t)snprintf(cfg + o, sizeof cfg - o,
                              "  { id = \"w.%s\"; category = \"c\"; weight = 0; "
                              "words = [ \"%s\" ]; },\n",
                              rand_words[w], rand_words[w]);
    /* Combination k names word rules and combinations before it; the
     * file lists them last first, so the order is the loader's to find. */
    for (int k = 0; k < RAND_COMBOS; k++) {
        struct rand_combo *c = &combos[k];
        c->count = 0;
        c->root = gen_node(c, &rng, RAND_WORDS + k, 0);
        if (eval_node(c, c->root, none)) {
            /* It would hold for an empty comment: and it with a word. */
            int root = c->count;
            int word = root + 1;
            c->nodes[root] = (struct node){2, 0, word, c->root};
            c->nodes[word] = (struct node){0, (int)(test_rng(&rng) % RAND_WORDS), 0, 0};
            c->count += 2;
            c->root = root;
        }
    }
    for (int k = RAND_COMBOS - 1; k >= 0; k--) {
        char expr[2048];
        render_node(&combos[k], combos[k].root, expr, sizeof expr);
        o += (size_t)snprintf(cfg + o, sizeof cfg - o,
                              "  { id = \"k%d\"; category = \"c\"; weight = 1; combine = \"%s\"; "
                              "},\n",
                              k, expr);
    }
    ck_assert_uint_lt(o, sizeof cfg - 8);
    cfg[o - 2] = '\n';
    snprintf(cfg + o - 1, sizeof cfg - (o - 1), ");\n");
    quell_rules *rules = test_compile_text("random.cfg", cfg);
    quell_scanner *s;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, rules, &err), QUELL_OK);
    for (int n = 0; n < 200; n++) {
        bool fired[RAND_WORDS + RAND_COMBOS] = {false};
        char text[128];
        size_t t = 0;
        text[0] = '\0';
        int words = (int)(test_rng(&rng) % 5);
        for (int w = 0; w < words; w++) {
            int which = (int)(test_rng(&rng) % RAND_WORDS);
            fired[which] = true;
            t += (size_t)snprintf(text + t, sizeof text - t, "%s%s", w ? " " : "",
                                  rand_words[which]);
        }
        for (int k = 0; k < RAND_COMBOS; k++)
            fired[RAND_WORDS + k] = eval_node(&combos[k], combos[k].root, fired);
        const quell_verdict *v = test_scan_body(s, text);
        for (int k = 0; k < RAND_COMBOS; k++) {
            char id[16];
            rule_name(id, sizeof id, RAND_WORDS + k);
            bool has = false;
            for (size_t r = 0; r < v->rule_count; r++)
                has |= strcmp(v->rules[r].rule_id, id) == 0;
            ck_assert_msg(has == fired[RAND_WORDS + k], "rule set %d, \"%s\": %s %s, want %s\n%s",
                          _i, text, id, has ? "held" : "did not hold",
                          fired[RAND_WORDS + k] ? "held" : "not", cfg);
        }
    }
    quell_scanner_free(s);
    quell_rules_free(rules);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* A .qdb the loader could not have written: its combinations would be     */
/* decided wrongly if only those with an operand that fired were.          */

#define RULES_CHAIN                                                                                \
    "version = 1;\n"                                                                               \
    "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"                                       \
    "categories = ( { name = \"c\"; } );\n"                                                        \
    "rules = (\n"                                                                                  \
    "  { id = \"a\"; category = \"c\"; weight = 0; words = [ \"apple\" ]; },\n"                    \
    "  { id = \"b\"; category = \"c\"; weight = 0; words = [ \"banana\" ]; },\n"                   \
    "  { id = \"x\"; category = \"c\"; weight = 1; combine = \"a & !b\"; },\n"                     \
    "  { id = \"y\"; category = \"c\"; weight = 1; combine = \"x & a\"; }\n"                       \
    ");\n"

enum corruption {
    HOLDS_EMPTY,   /* x = "a | !b" */
    OPERAND_AFTER, /* y before x */
    REPEATED,      /* x twice */
    MISSING,       /* y left out */
};

static const struct {
    enum corruption what;
    const char *message; /* part of it */
} corruptions[] = {
    {HOLDS_EMPTY, "combination \"x\" holds for an empty comment"},
    {OPERAND_AFTER, "combination \"y\" is evaluated before its operand \"x\""},
    {REPEATED, "entry 1 of the combinations' order is not a combination, or repeats one"},
    {MISSING, "2 combinations but 1 in the evaluation order"},
};

START_TEST(test_corrupt_combinations)
{
    quell_rules *rules = test_compile_text("chain.cfg", RULES_CHAIN);
    struct rule_table *t = rules->table;
    ck_assert_uint_eq(t->combo_count, 2);
    ck_assert_str_eq(t->rules[t->combo_order[0]].id, "x");
    ck_assert_str_eq(t->rules[t->combo_order[1]].id, "y");
    struct expr_step *last = &t->steps[t->rules[2].expr_start + t->rules[2].expr_len - 1];
    ck_assert_uint_eq(last->op, EXPR_AND);
    uint32_t order[2] = {t->combo_order[0], t->combo_order[1]};
    switch (corruptions[_i].what) {
    case HOLDS_EMPTY:
        last->op = EXPR_OR;
        break;
    case OPERAND_AFTER:
        t->combo_order[0] = order[1];
        t->combo_order[1] = order[0];
        break;
    case REPEATED:
        t->combo_order[1] = order[0];
        break;
    case MISSING:
        t->combo_count = 1;
        break;
    }
    quell_error err;
    char *data;
    size_t len;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    last->op = EXPR_AND;
    t->combo_order[0] = order[0];
    t->combo_order[1] = order[1];
    t->combo_count = 2;
    quell_rules *loaded = NULL;
    ck_assert_int_eq(quell_rules_deserialize(&loaded, data, len, &err), QUELL_EFORMAT);
    ck_assert_ptr_null(loaded);
    ck_assert_msg(strstr(err.message, "compiled rules file is corrupt") &&
                      strstr(err.message, corruptions[_i].message),
                  "got \"%s\", want \"%s\"", err.message, corruptions[_i].message);
    free(data);
    /* Put right, the same rules load and decide as compiled. */
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    ck_assert_int_eq(quell_rules_deserialize(&loaded, data, len, &err), QUELL_OK);
    free(data);
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new(&s, loaded, &err), QUELL_OK);
    ck_assert_int_eq((int)test_scan_body(s, "apple")->score, 2);
    ck_assert_int_eq((int)test_scan_body(s, "apple banana")->score, 0);
    ck_assert_int_eq((int)test_scan_body(s, "banana")->score, 0);
    quell_scanner_free(s);
    quell_rules_free(loaded);
    quell_rules_free(rules);
}
END_TEST

/* A combination that needs nothing is refused by the loader, so none is
 * left to evaluate when no operand fired. */
static const char *const empty_holders[] = {
    "!a", "a | !b", "!(a & b)", "!near(a, b, 2)", "a | !near(a, b, 2)",
};

START_TEST(test_holds_when_empty_refused)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "version = 1;\n"
             "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
             "categories = ( { name = \"c\"; } );\n"
             "rules = (\n"
             "  { id = \"a\"; category = \"c\"; weight = 0; words = [ \"apple\" ]; },\n"
             "  { id = \"b\"; category = \"c\"; weight = 0; words = [ \"banana\" ]; },\n"
             "  { id = \"x\"; category = \"c\"; weight = 1; combine = \"%s\"; }\n"
             ");\n",
             empty_holders[_i]);
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("empty.cfg", cfg), &err);
    ck_assert_int_eq(rc, QUELL_ECONFIG);
    ck_assert_ptr_null(rules);
    ck_assert_str_eq(err.rule_id, "x");
    ck_assert_msg(strstr(err.message, "holds for an empty comment"), "%s", err.message);
}
END_TEST

Suite *score_suite(void)
{
    Suite *s = suite_create("score");
    TCase *tc = tcase_create("Combinations");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_loop_test(tc, test_combos, 0, 2);
    tcase_add_loop_test(tc, test_combos_random, 0, 16);
    tcase_add_loop_test(tc, test_corrupt_combinations, 0,
                        sizeof corruptions / sizeof corruptions[0]);
    tcase_add_loop_test(tc, test_holds_when_empty_refused, 0,
                        sizeof empty_holders / sizeof empty_holders[0]);
    suite_add_tcase(s, tc);
    return s;
}
