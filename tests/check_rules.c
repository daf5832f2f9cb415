/*
 * check_rules.c - the rule loader: a good configuration becomes the expected
 * table, and every kind of bad one fails with its file, line, rule and reason.
 * Expected values come from docs/rules.md and the fixtures, worked out by hand.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "rules.h"

#define FIXTURES "tests/fixtures/rules/"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

/* test_path into a caller's buffer: test_path's own is overwritten by the
 * next call. */
static const char *fixture(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s", test_path(rel));
    return buf;
}

static void make_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/quell_rules_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Write dir/name, giving its path. */
static void write_file(const char *dir, const char *name, const char *data, size_t len, char *path,
                       size_t path_size)
{
    snprintf(path, path_size, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* Remove a temporary directory and the files in it. */
static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    const struct dirent *e;
    while ((e = readdir(d))) {
        char path[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Load a configuration written to a fresh temporary file, whose path (now
 * removed) is left in path for comparing with err->file. */
static int load_text(const char *text, struct rule_table **out, quell_error *err, char *path,
                     size_t path_size)
{
    char dir[64];
    make_tmpdir(dir, sizeof dir);
    write_file(dir, "main.cfg", text, strlen(text), path, path_size);
    *out = (struct rule_table *)&dir; /* any non-NULL value: failure must clear it */
    memset(err, 0, sizeof *err);
    int rc = rules_load_config(out, path, err);
    remove_tmpdir(dir);
    return rc;
}

/* Three lines every inline case starts with; its own text begins on line 4. */
#define HEAD                                                                                       \
    "version = 1;\n"                                                                               \
    "actions = { flag = 1; hold = 2; reject = 3; };\n"                                             \
    "categories = ( { name = \"c\"; } );\n"
/* The same three lines without categories, for the category cases. */
#define HEAD_NO_CATEGORIES                                                                         \
    "version = 1;\n"                                                                               \
    "actions = { flag = 1; hold = 2; reject = 3; };\n"                                             \
    "# no categories\n"
/* One line: a plain rule "a" that combinations can name. */
#define RULE_A "  { id = \"a\"; category = \"c\"; weight = 1; words = [ \"w\" ]; },\n"

/* ------------------------------------------------------------------------ */
/* The good configuration: tests/fixtures/rules/good                         */

struct good {
    struct rule_table *table;
    char main[512];
    char extra[512];
    char spam[512];
    char insults[512];
};

static void load_good(struct good *g)
{
    quell_error err = {0};
    fixture(g->main, sizeof g->main, FIXTURES "good/main.cfg");
    fixture(g->extra, sizeof g->extra, FIXTURES "good/sub/extra.cfg");
    fixture(g->spam, sizeof g->spam, FIXTURES "good/sub/../lists/spam.txt");
    fixture(g->insults, sizeof g->insults, FIXTURES "good/lists/insults.txt");
    int rc = rules_load_config(&g->table, g->main, &err);
    ck_assert_msg(rc == QUELL_OK, "load failed: %s:%d: %s", err.file, err.line, err.message);
    ck_assert_ptr_nonnull(g->table);
}

START_TEST(test_good_counts)
{
    struct good g;
    load_good(&g);
    const struct rule_table *t = g.table;
    ck_assert_uint_eq(t->category_count, 3);
    ck_assert_uint_eq(t->rule_count, 5);
    ck_assert_uint_eq(t->pattern_count, 9);
    ck_assert_uint_eq(t->step_count, 9);
    ck_assert_uint_eq(t->example_count, 4);
    ck_assert_uint_eq(t->file_count, 4);
    ck_assert_uint_eq(t->combo_count, 2);
    ck_assert_int_eq(t->threshold[QUELL_PASS], 0);
    ck_assert_int_eq(t->threshold[QUELL_FLAG], 3000);
    ck_assert_int_eq(t->threshold[QUELL_HOLD], 6500);
    ck_assert_int_eq(t->threshold[QUELL_REJECT], 10000);
    /* Files in reading order, named as given and joined, not resolved. */
    ck_assert_str_eq(t->files[0], g.main);
    ck_assert_str_eq(t->files[1], g.extra);
    ck_assert_str_eq(t->files[2], g.spam);
    ck_assert_str_eq(t->files[3], g.insults);
    /* The include comes before main's categories. */
    ck_assert_str_eq(t->categories[0].name, "links_2");
    ck_assert_int_eq(t->categories[0].cap, 0);
    ck_assert_str_eq(t->categories[1].name, "insult");
    ck_assert_int_eq(t->categories[1].cap, -1);
    ck_assert_str_eq(t->categories[2].name, "spam");
    ck_assert_int_eq(t->categories[2].cap, 8000);
    rules_free(g.table);
}
END_TEST

START_TEST(test_good_rules)
{
    static const struct {
        const char *id;
        const char *expr_text; /* NULL: a pattern rule */
        int64_t weight;
        uint32_t category;
        uint32_t max_hits, min_count;
        uint32_t file, line;
        uint32_t example_start, example_count;
        uint8_t field, is_caseless;
    } want[] = {
        {"spam.links", NULL, 4000, 2, 1, 3, 1, 4, 0, 0, QUELL_FIELD_AUTHOR, 1},
        {"insult.word", NULL, 2000, 1, 2, 1, 0, 11, 0, 3, QUELL_FIELD_BODY, 1},
        {"meta", "insult.aimed | spam.links", 63, 1, 1, 1, 0, 21, 3, 0, QUELL_FIELD_BODY, 1},
        {"insult.you", NULL, -63, 1, 1, 1, 0, 23, 3, 0, QUELL_FIELD_BODY, 0},
        {"insult.aimed", "insult.you & (insult.word | !spam.links)", 1000, 1, 1, 1, 0, 25, 3, 1,
         QUELL_FIELD_BODY, 1},
    };
    struct good g;
    load_good(&g);
    const struct rule_table *t = g.table;
    ck_assert_uint_eq(t->rule_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t->rule_count; i++) {
        const struct rule *r = &t->rules[i];
        ck_assert_str_eq(r->id, want[i].id);
        ck_assert_uint_eq(r->category, want[i].category);
        ck_assert_int_eq(r->weight, want[i].weight);
        ck_assert_uint_eq(r->max_hits, want[i].max_hits);
        ck_assert_uint_eq(r->min_count, want[i].min_count);
        ck_assert_uint_eq(r->field, want[i].field);
        ck_assert_uint_eq(r->is_caseless, want[i].is_caseless);
        ck_assert_uint_eq(r->file, want[i].file);
        ck_assert_uint_eq(r->line, want[i].line);
        ck_assert_uint_eq(r->example_start, want[i].example_start);
        ck_assert_uint_eq(r->example_count, want[i].example_count);
        if (want[i].expr_text) {
            ck_assert_str_eq(r->expr_text, want[i].expr_text);
            ck_assert_uint_gt(r->expr_len, 0);
        } else {
            ck_assert_ptr_null(r->expr_text);
            ck_assert_uint_eq(r->expr_len, 0);
        }
    }
    rules_free(g.table);
}
END_TEST

START_TEST(test_good_patterns)
{
    static const struct {
        const char *text;
        uint8_t kind, is_caseless, view;
        uint32_t rule, file, line;
    } want[] = {
        {"https?://[^\\s]+", PAT_REGEX, 1, VIEW_RAW, 0, 1, 5},
        {"buy now", PAT_SUBSTRING, 1, VIEW_SKELETON, 0, 2, 1}, /* after the byte order mark */
        {"free money", PAT_SUBSTRING, 1, VIEW_SKELETON, 0, 2, 3},
        {"idiot", PAT_WORD, 1, VIEW_SKELETON, 1, 0, 14},
        {"moron", PAT_WORD, 1, VIEW_SKELETON, 1, 0, 15},
        {"jerk", PAT_WORD, 1, VIEW_SKELETON, 1, 3, 3},
        {"dimwit", PAT_WORD, 1, VIEW_SKELETON, 1, 3, 4},
        {"half wit", PAT_WORD, 1, VIEW_SKELETON, 1, 3, 7}, /* CRLF line, inner space kept */
        {"\\byou\\b", PAT_REGEX, 0, VIEW_RAW, 3, 0, 24},
    };
    struct good g;
    load_good(&g);
    const struct rule_table *t = g.table;
    ck_assert_uint_eq(t->pattern_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *p = &t->patterns[i];
        ck_assert_str_eq(p->text, want[i].text);
        ck_assert_uint_eq(p->text_len, strlen(want[i].text));
        ck_assert_uint_eq(p->kind, want[i].kind);
        /* Literals default to the skeleton view, regexes to raw. */
        ck_assert_uint_eq(p->view, want[i].view);
        ck_assert_uint_eq(p->is_caseless, want[i].is_caseless);
        ck_assert_uint_eq(p->rule, want[i].rule);
        ck_assert_uint_eq(p->file, want[i].file);
        ck_assert_uint_eq(p->line, want[i].line);
    }
    rules_free(g.table);
}
END_TEST

START_TEST(test_good_examples)
{
    static const struct {
        const char *text;
        uint8_t should_match;
        uint32_t line;
    } want[] = {
        {"idiot!", 1, 18},
        {"idiotic", 0, 19},
        {"moronic", 0, 19},
        {"you idiot", 1, 27},
    };
    struct good g;
    load_good(&g);
    const struct rule_table *t = g.table;
    ck_assert_uint_eq(t->example_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t->example_count; i++) {
        ck_assert_str_eq(t->examples[i].text, want[i].text);
        ck_assert_uint_eq(t->examples[i].text_len, strlen(want[i].text));
        ck_assert_uint_eq(t->examples[i].should_match, want[i].should_match);
        ck_assert_uint_eq(t->examples[i].line, want[i].line);
    }
    rules_free(g.table);
}
END_TEST

START_TEST(test_good_combinations)
{
    /* meta (rule 2) = insult.aimed | spam.links, compiled first;
     * insult.aimed (4) = insult.you & (insult.word | !spam.links). */
    static const struct expr_step want[] = {
        {EXPR_RULE, 4}, {EXPR_RULE, 0}, {EXPR_OR, 0},

        {EXPR_RULE, 3}, {EXPR_RULE, 1}, {EXPR_RULE, 0}, {EXPR_NOT, 0}, {EXPR_OR, 0}, {EXPR_AND, 0},
    };
    struct good g;
    load_good(&g);
    const struct rule_table *t = g.table;
    ck_assert_uint_eq(t->step_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < t->step_count; i++) {
        ck_assert_uint_eq(t->steps[i].op, want[i].op);
        if (want[i].op == EXPR_RULE)
            ck_assert_uint_eq(t->steps[i].arg, want[i].arg);
    }
    ck_assert_uint_eq(t->rules[2].expr_start, 0);
    ck_assert_uint_eq(t->rules[2].expr_len, 3);
    ck_assert_uint_eq(t->rules[4].expr_start, 3);
    ck_assert_uint_eq(t->rules[4].expr_len, 6);
    /* meta uses insult.aimed, so insult.aimed comes first. */
    ck_assert_uint_eq(t->combo_count, 2);
    ck_assert_uint_eq(t->combo_order[0], 4);
    ck_assert_uint_eq(t->combo_order[1], 2);
    rules_free(g.table);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Weights and combinations, one small configuration each                    */

static const struct {
    const char *text;
    int64_t scaled;
} weight_cases[] = {
    {"2", 2000},      {"2.0", 2000},     {"-2.5", -2500},     {"0.0625", 63},
    {"-0.0625", -63}, {"1.0004", 1000},  {"0.0004", 0},       {"0", 0},
    {"3L", 3000},     {"1e4", 10000000}, {"-1e4", -10000000}, {"0.001", 1},
};

START_TEST(test_weight_scaling)
{
    char text[512], path[128];
    quell_error err;
    struct rule_table *t;
    snprintf(text, sizeof text,
             HEAD
             "rules = ( { id = \"r\"; category = \"c\"; weight = %s; words = [ \"w\" ]; } );\n",
             weight_cases[_i].text);
    int rc = load_text(text, &t, &err, path, sizeof path);
    ck_assert_msg(rc == QUELL_OK, "weight %s: %s", weight_cases[_i].text, err.message);
    ck_assert_int_eq(t->rules[0].weight, weight_cases[_i].scaled);
    rules_free(t);
}
END_TEST

#define R(i)                                                                                       \
    {                                                                                              \
        EXPR_RULE, (i)                                                                             \
    }
#define NOT                                                                                        \
    {                                                                                              \
        EXPR_NOT, 0                                                                                \
    }
#define AND                                                                                        \
    {                                                                                              \
        EXPR_AND, 0                                                                                \
    }
#define OR                                                                                         \
    {                                                                                              \
        EXPR_OR, 0                                                                                 \
    }
#define SPAN(i)                                                                                    \
    {                                                                                              \
        EXPR_SPAN, (i)                                                                             \
    }
#define NEAR(n)                                                                                    \
    {                                                                                              \
        EXPR_NEAR, (n)                                                                             \
    }
#define BEFORE(n)                                                                                  \
    {                                                                                              \
        EXPR_BEFORE, (n)                                                                           \
    }

/* Rules a, b, c are 0, 1, 2; the combination x is 3. */
static const struct {
    const char *expr;
    size_t step_count;
    struct expr_step steps[8];
} rpn_cases[] = {
    {"a", 1, {R(0)}},
    {" ( a ) ", 1, {R(0)}},
    {"a & b | c", 5, {R(0), R(1), AND, R(2), OR}},
    {"a | b & c", 5, {R(0), R(1), R(2), AND, OR}},
    {"(a | b) & c", 5, {R(0), R(1), OR, R(2), AND}},
    {"a&b&c", 5, {R(0), R(1), AND, R(2), AND}},
    {"a|b|c", 5, {R(0), R(1), OR, R(2), OR}},
    {"!a & b", 4, {R(0), NOT, R(1), AND}},
    {"!(a | b) & c", 6, {R(0), R(1), OR, NOT, R(2), AND}},
    {"a & !!b", 5, {R(0), R(1), NOT, NOT, AND}},
    {"c &\n\t!b", 4, {R(2), R(1), NOT, AND}},
    {"near(a, b, 3)", 3, {SPAN(0), SPAN(1), NEAR(3)}},
    {"near ( b,a,0 )", 3, {SPAN(1), SPAN(0), NEAR(0)}},
    {"before(a, b, 100)", 3, {SPAN(0), SPAN(1), BEFORE(100)}},
    {"c & near(a, a, 2)", 5, {R(2), SPAN(0), SPAN(0), NEAR(2), AND}},
    {"a & !near(a, b, 4)", 6, {R(0), SPAN(0), SPAN(1), NEAR(4 | EXPR_NEGATED), NOT, AND}},
    {"a & !!before(b, c, 1)", 7, {R(0), SPAN(1), SPAN(2), BEFORE(1), NOT, NOT, AND}},
    {"near(a, b, 1) | before(c, a, 2)",
     7,
     {SPAN(0), SPAN(1), NEAR(1), SPAN(2), SPAN(0), BEFORE(2), OR}},
};

START_TEST(test_combine_rpn)
{
    char text[1024], path[128];
    quell_error err;
    struct rule_table *t;
    snprintf(text, sizeof text,
             HEAD "rules = (\n" RULE_A
                  "  { id = \"b\"; category = \"c\"; weight = 1; words = [ \"w\" ]; },\n"
                  "  { id = \"c\"; category = \"c\"; weight = 1; words = [ \"w\" ]; },\n"
                  "  { id = \"x\"; category = \"c\"; weight = 1; combine = \"%s\"; }\n"
                  ");\n",
             rpn_cases[_i].expr);
    int rc = load_text(text, &t, &err, path, sizeof path);
    ck_assert_msg(rc == QUELL_OK, "combine \"%s\": %s", rpn_cases[_i].expr, err.message);
    const struct rule *x = &t->rules[3];
    ck_assert_uint_eq(x->expr_start, 0);
    ck_assert_uint_eq(x->expr_len, rpn_cases[_i].step_count);
    ck_assert_uint_eq(t->step_count, rpn_cases[_i].step_count);
    for (size_t i = 0; i < rpn_cases[_i].step_count; i++) {
        const struct expr_step *want = &rpn_cases[_i].steps[i];
        ck_assert_msg(t->steps[i].op == want->op &&
                          (want->op == EXPR_NOT || want->op == EXPR_AND || want->op == EXPR_OR ||
                           t->steps[i].arg == want->arg),
                      "combine \"%s\": step %zu is (%u, %u)", rpn_cases[_i].expr, i,
                      (unsigned)t->steps[i].op, (unsigned)t->steps[i].arg);
    }
    ck_assert_uint_eq(t->combo_count, 1);
    ck_assert_uint_eq(t->combo_order[0], 3);
    rules_free(t);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Bad configurations in one file                                            */

static const struct {
    const char *name;
    const char *text;
    int line;
    const char *rule_id;
    const char *phrase;
} bad_inline[] = {
    {"syntax", HEAD "rules = ( { id = \"a\"; weight = ; } );\n", 4, "", "syntax error"},
    /* libconfig 1.5 leaks here; tools/lsan.supp keeps the ASan run green. */
    {"syntax: a string after a value", HEAD "x = 1 \"abc\";\n", 4, "", "syntax error"},
    {"unknown top key", HEAD "colour = \"red\";\n", 4, "", "unknown key \"colour\""},
    {"unknown rule key",
     HEAD "rules = (\n"
          "  { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "    wieght = 2; words = [ \"x\" ]; }\n"
          ");\n",
     6, "r1", "unknown key \"wieght\" in rule"},
    {"missing weight",
     HEAD "rules = (\n"
          "  { category = \"c\";\n"
          "    id = \"r1\"; words = [ \"x\" ]; }\n"
          ");\n",
     6, "r1", "no \"weight\""},
    {"missing id",
     HEAD "rules = (\n"
          "  { category = \"c\"; weight = 1; words = [ \"x\" ]; }\n"
          ");\n",
     5, "", "no \"id\""},
    {"missing category", HEAD "rules = ( { id = \"r1\"; weight = 1; words = [ \"x\" ]; } );\n", 4,
     "r1", "no \"category\""},
    {"unknown category",
     HEAD "rules = ( { id = \"r1\"; weight = 1; words = [ \"x\" ];\n"
          "  category = \"nope\"; } );\n",
     5, "r1", "unknown category \"nope\""},
    {"empty word",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  words = [ \"ok\",\n"
          "    \"\" ]; } );\n",
     6, "r1", "empty word pattern"},
    /* libconfig itself would say line 9, where the "]" after the string is. */
    {"empty last word, \"]\" lines below",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  words = [\n"
          "    \"ok\",\n"
          "    \"\"   # the empty one, ] comes later\n"
          "\n"
          "  ]; } );\n",
     7, "r1", "empty word pattern"},
    {"joined string over two lines",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  words = [ \"fine\", \"caf\"\n"
          "    \"\\xe9\" ]; } );\n",
     5, "r1", "word pattern \"caf\\xE9\" is not valid UTF-8 (byte 3)"},
    {"empty substring",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; substrings = [ \"\" ]; } );\n", 4,
     "r1", "empty substring pattern"},
    {"empty regex",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  regexes = [ \"\" ]; } );\n",
     5, "r1", "empty regex pattern"},
    {"bad UTF-8 word",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"caf\\xe9\" ]; } );\n",
     4, "r1", "word pattern \"caf\\xE9\" is not valid UTF-8 (byte 3)"},
    {"bad UTF-8 example",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"w\" ];\n"
          "  must_match = [ \"ok\",\n"
          "                 \"\\xff\" ]; } );\n",
     6, "r1", "must_match example \"\\xFF\" is not valid UTF-8"},
    {"both patterns and combine",
     HEAD "rules = (\n" RULE_A "  { id = \"r2\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "    combine = \"a\"; }\n"
          ");\n",
     7, "r2", "both patterns"},
    {"no patterns, combine or context",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; } );\n", 4, "r1",
     "rule has no patterns, no combine and no context"},
    {"unknown context fact",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  context = \"campaign_size\"; at_least = 2; } );\n",
     5, "r1", "unknown context fact \"campaign_size\""},
    {"context without at_least",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  context = \"author_rate\"; } );\n",
     5, "r1", "a context rule needs \"at_least\""},
    {"at_least without context",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"w\" ];\n"
          "  at_least = 2; } );\n",
     5, "r1", "\"at_least\" applies only to a context rule"},
    {"at_least zero",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  context = \"campaign_copies\"; at_least = 0; } );\n",
     5, "r1", "at_least"},
    {"context and patterns",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"w\" ];\n"
          "  context = \"campaign_copies\"; at_least = 2; } );\n",
     5, "r1", "rule has both patterns (line 4) and context"},
    {"context and combine",
     HEAD "rules = (\n" RULE_A "  { id = \"r2\"; category = \"c\"; weight = 1; combine = \"a\";\n"
          "    context = \"campaign_copies\"; at_least = 2; } );\n",
     7, "r2", "rule has both combine and context"},
    {"context and max_hits",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; max_hits = 2;\n"
          "  context = \"campaign_copies\"; at_least = 2; } );\n",
     4, "r1", "\"max_hits\" does not apply to a context rule"},
    {"author fact over what is kept",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  context = \"author_rate\";\n"
          "  at_least = 17; } );\n",
     6, "r1", "at_least 17 is more than an author fact counts (16"},
    {"context rule with examples",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1;\n"
          "  context = \"campaign_copies\"; at_least = 2; must_match = [ \"x\" ]; } );\n",
     5, "r1", "a context rule cannot have must_match or must_not_match examples"},
    {"near() over a context rule",
     HEAD "rules = (\n" RULE_A "  { id = \"k\"; category = \"c\"; weight = 1;\n"
          "    context = \"campaign_copies\"; at_least = 2; },\n"
          "  { id = \"r3\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near(a, k, 3)\"; } );\n",
     9, "r3", "near() operand \"k\" is a context rule: it has no spans to measure"},
    {"empty pattern array",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ ]; } );\n", 4, "r1",
     "\"words\" is an empty list: give it patterns or remove it"},
    {"empty words beside other patterns",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; substrings = [ \"x\" ];\n"
          "  regexes = [ \"y+\" ];\n"
          "  words = [ ]; } );\n",
     6, "r1", "\"words\" is an empty list: give it patterns or remove it"},
    {"empty substrings beside other patterns",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  substrings = [\n"
          "  ]; } );\n",
     5, "r1", "\"substrings\" is an empty list: give it patterns or remove it"},
    {"empty regexes beside other patterns",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  regexes = [ ]; } );\n",
     5, "r1", "\"regexes\" is an empty list: give it patterns or remove it"},
    {"empty list-file array",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  words_file = [ ]; } );\n",
     5, "r1", "\"words_file\" is an empty list: give it patterns or remove it"},
    {"combine operator where a rule belongs",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & | a\"; }\n"
          ");\n",
     7, "x", "bad combine \"a & | a\": unexpected \"|\" at column 5"},
    {"combine missing parenthesis",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"(a | a\"; }\n"
          ");\n",
     7, "x", "\")\" is missing at column 7"},
    {"combine missing operator",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a a\"; }\n"
          ");\n",
     7, "x", "an operator is missing at column 3"},
    {"combine extra parenthesis",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a)\"; }\n"
          ");\n",
     7, "x", "unexpected \")\" at column 2"},
    {"combine dangling not",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & !\"; }\n"
          ");\n",
     7, "x", "a rule id is missing"},
    {"combine empty",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"\"; }\n"
          ");\n",
     7, "x", "it is empty"},
    {"combine unknown rule",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & zz\"; }\n"
          ");\n",
     7, "x", "unknown rule \"zz\" in combine"},
    {"combine cycle",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"y & a\"; },\n"
          "  { id = \"y\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a | x\"; }\n"
          ");\n",
     7, "x", "combination cycle: x -> y -> x"},
    {"combine names itself",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & x\"; }\n"
          ");\n",
     7, "x", "combination cycle: x -> x"},
    {"combine not alone",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"!a\"; }\n"
          ");\n",
     7, "x", "combine \"!a\" holds for an empty comment"},
    {"combine or not",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a | !a\"; }\n"
          ");\n",
     7, "x", "holds for an empty comment"},
    {"near without its third argument",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near(a, a)\"; }\n"
          ");\n",
     7, "x",
     "bad combine \"near(a, a)\": \",\" is missing in near(rule, rule, words) at column 10"},
    {"near with a word count that is not a number",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near(a, a, three)\"; }\n"
          ");\n",
     7, "x",
     "near(rule, rule, words) needs a whole number of words as its third argument at "
     "column 12"},
    {"before with too many words",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"before(a, a, 101)\"; }\n"
          ");\n",
     7, "x", "before() allows at most 100 words between its rules at column 14"},
    {"near with an expression as operand",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near((a | a), a, 2)\"; }\n"
          ");\n",
     7, "x", "near(rule, rule, words) needs a rule id as its first argument at column 6"},
    {"near missing its closing parenthesis",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near(a, a, 2 & a\"; }\n"
          ");\n",
     7, "x", "\")\" is missing in near(rule, rule, words) at column 14"},
    {"near with an unknown rule",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & near(a, zz, 2)\"; }\n"
          ");\n",
     7, "x", "unknown rule \"zz\" in near()"},
    {"unknown function",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"a & within(a, a, 2)\"; }\n"
          ");\n",
     7, "x", "unknown function \"within\" (near and before are known) at column 5"},
    {"near of a combination without spans",
     HEAD "rules = (\n" RULE_A "  { id = \"y\"; category = \"c\"; weight = 0; combine = \"a\"; },\n"
          "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"near(a, y, 2)\"; }\n"
          ");\n",
     8, "x",
     "near() operand \"y\" is a combination without near() or before(): it has no "
     "spans to measure"},
    {"near over two fields",
     HEAD "rules = (\n" RULE_A "  { id = \"n\"; category = \"c\"; weight = 0; field = \"author\";\n"
          "    words = [ \"w\" ]; },\n"
          "  { id = \"x\"; category = \"c\"; weight = 1;\n"
          "    combine = \"before(a, n, 2)\"; }\n"
          ");\n",
     9, "x", "before() operands \"a\" and \"n\" scan different fields"},
    {"max_hits on a combination",
     HEAD "rules = (\n" RULE_A "  { id = \"x\"; category = \"c\"; weight = 1; combine = \"a\";\n"
          "    max_hits = 2; }\n"
          ");\n",
     7, "x", "\"max_hits\" does not apply to a combination"},
    {"weight string",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; words = [ \"x\" ];\n"
          "  weight = \"2\"; } );\n",
     5, "r1", "\"weight\" must be a number"},
    {"weight too big",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; words = [ \"x\" ]; weight = 1e10; } );\n", 4,
     "r1", "\"weight\" is 1e+10; it must be from"},
    {"unknown view",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  views = [ \"folded\", \"squashed\" ]; } );\n",
     5, "r1", "unknown view \"squashed\""},
    {"the Arabizi rules' own view is not for naming",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  views = [ \"arabizi\" ]; } );\n",
     5, "r1", "unknown view \"arabizi\""},
    {"unknown lint code",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  lint_ignore = [ \"QL303\",\n \"QL999\" ]; } );\n",
     6, "r1", "unknown lint warning \"QL999\" in lint_ignore"},
    {"no views",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  views = [ ]; } );\n",
     5, "r1", "\"views\" names no view"},
    {"case-sensitive skeleton",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  case_sensitive = true;\n"
          "  views = \"skeleton\"; } );\n",
     6, "r1", "a case-sensitive rule can only scan the raw view"},
    {"views on a combination",
     HEAD "rules = ( { id = \"a\"; category = \"c\"; weight = 1; words = [ \"x\" ]; },\n"
          "  { id = \"b\"; category = \"c\"; weight = 1; combine = \"a\";\n"
          "    views = \"raw\"; } );\n",
     6, "b", "\"views\" does not apply to a combination"},
    {"empty allowed word",
     HEAD "allow = [ \"ok\",\n"
          "  \"\" ];\n",
     5, "", "allowed word"},
    {"unknown category key",
     "version = 1;\nactions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
     "categories = ( { name = \"c\";\n"
     "  allowed = [ \"x\" ]; } );\n",
     4, "", "unknown key \"allowed\" in category (expected name, cap, separate, allow)"},
    {"separate not a bool",
     "version = 1;\nactions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
     "categories = ( { name = \"c\";\n"
     "  separate = 1; } );\n",
     4, "", "\"separate\" must be true or false"},
    {"words string",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = \"x\"; } );\n", 4, "r1",
     "\"words\" must be an array of strings"},
    {"words list",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = ( \"x\" ); } );\n", 4,
     "r1", "\"words\" must be an array of strings"},
    {"words_file number",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words_file = 3; } );\n", 4, "r1",
     "\"words_file\" must be a string or an array of strings"},
    {"case_sensitive int",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  case_sensitive = 1; } );\n",
     5, "r1", "\"case_sensitive\" must be true or false"},
    {"max_hits zero",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  max_hits = 0; } );\n",
     5, "r1", "\"max_hits\" is 0; it must be from 1"},
    {"min_count float",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  min_count = 1.5; } );\n",
     5, "r1", "\"min_count\" must be an integer"},
    {"bad field",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; words = [ \"x\" ];\n"
          "  field = \"title\"; } );\n",
     5, "r1", "unknown field \"title\""},
    {"combine number",
     HEAD "rules = ( { id = \"r1\"; category = \"c\"; weight = 1; combine = 1; } );\n", 4, "r1",
     "\"combine\" must be a string"},
    {"rules group", HEAD "rules = { };\n", 4, "", "\"rules\" must be a list of groups"},
    {"rule string", HEAD "rules = ( \"r1\" );\n", 4, "", "each rule must be a group"},
    {"bad rule id", HEAD "rules = ( { id = \"bad id\"; category = \"c\"; weight = 1; } );\n", 4, "",
     "rule id \"bad id\" may only use"},
    {"duplicate rule id",
     HEAD "rules = (\n" RULE_A
          "  { id = \"a\"; category = \"c\"; weight = 1; words = [ \"v\" ]; }\n"
          ");\n",
     6, "a", "duplicate rule id \"a\" (first defined at "},
    {"version 2", "version = 2;\n", 1, "", "\"version\" is 2"},
    {"version string", "version = \"1\";\n", 1, "", "\"version\" must be an integer"},
    {"missing version", "actions = { flag = 1; hold = 2; reject = 3; };\n", 0, "",
     "missing \"version = 1;\""},
    {"missing actions", "version = 1;\n", 0, "", "missing \"actions\""},
    {"thresholds out of order",
     "version = 1;\n"
     "actions = {\n"
     "  flag = 3.0;\n"
     "  hold = 2.0;\n"
     "  reject = 10.0;\n"
     "};\n",
     4, "", "0 < flag < hold < reject"},
    {"reject equals hold",
     "version = 1;\n"
     "actions = { flag = 1; hold = 2;\n"
     "  reject = 2; };\n",
     3, "", "0 < flag < hold < reject"},
    {"flag zero",
     "version = 1;\n"
     "actions = { hold = 2; reject = 3;\n"
     "  flag = 0; };\n",
     3, "", "0 < flag < hold < reject"},
    {"flag rounds to zero",
     "version = 1;\n"
     "actions = { hold = 2; reject = 3;\n"
     "  flag = 0.0004; };\n",
     3, "", "0 < flag"},
    {"missing reject",
     "version = 1;\n"
     "actions = { flag = 1;\n"
     "  hold = 2; };\n",
     2, "", "no \"reject\" threshold"},
    {"unknown action", "version = 1;\nactions = { flag = 1; hold = 2; reject = 3; block = 4; };\n",
     2, "", "unknown key \"block\" in actions"},
    {"actions number", "version = 1;\nactions = 3;\n", 2, "", "\"actions\" must be a group"},
    {"bad category name", HEAD_NO_CATEGORIES "categories = ( { name = \"Bad\"; } );\n", 4, "",
     "category name \"Bad\" may only use a-z 0-9 _"},
    {"duplicate category",
     HEAD_NO_CATEGORIES "categories = ( { name = \"c\"; },\n"
                        "  { name = \"c\"; } );\n",
     5, "", "duplicate category \"c\" (first declared at "},
    {"negative cap", HEAD_NO_CATEGORIES "categories = ( { name = \"d\"; cap = -1; } );\n", 4, "",
     "\"cap\" is -1; it must not be negative"},
    {"unknown category key", HEAD_NO_CATEGORIES "categories = ( { name = \"d\"; colour = 1; } );\n",
     4, "", "unknown key \"colour\" in category"},
    {"category without name", HEAD_NO_CATEGORIES "categories = ( { cap = 1; } );\n", 4, "",
     "category has no \"name\""},
    {"include string", HEAD "include = \"x.cfg\";\n", 4, "",
     "\"include\" must be an array of strings"},
    {"include empty path", HEAD "include = [ \"\" ];\n", 4, "", "empty path in \"include\""},
};

START_TEST(test_bad_inline)
{
    char path[128];
    quell_error err;
    struct rule_table *t;
    int rc = load_text(bad_inline[_i].text, &t, &err, path, sizeof path);
    const char *name = bad_inline[_i].name;
    ck_assert_msg(rc == QUELL_ECONFIG, "%s: rc %d (%s)", name, rc, err.message);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, QUELL_ECONFIG);
    ck_assert_msg(strcmp(err.file, path) == 0, "%s: file \"%s\"", name, err.file);
    ck_assert_msg(err.line == bad_inline[_i].line, "%s: line %d, want %d (%s)", name, err.line,
                  bad_inline[_i].line, err.message);
    ck_assert_msg(strcmp(err.rule_id, bad_inline[_i].rule_id) == 0, "%s: rule id \"%s\"", name,
                  err.rule_id);
    ck_assert_msg(strstr(err.message, bad_inline[_i].phrase), "%s: message \"%s\" lacks \"%s\"",
                  name, err.message, bad_inline[_i].phrase);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Bad configurations over several files: tests/fixtures/rules/bad           */

static const struct {
    const char *config;   /* loaded, under bad/ */
    const char *err_file; /* named by the error, under bad/ */
    int code;
    int line;
    const char *rule_id;
    const char *phrase;
    const char *phrase2; /* NULL or a second phrase */
} bad_files[] = {
    {"dup_main.cfg", "dup_main.cfg", QUELL_ECONFIG, 7, "x.dup",
     "duplicate rule id \"x.dup\" (first defined at ", "bad/dup_inc.cfg:2)"},
    {"cycle_a.cfg", "cycle_b.cfg", QUELL_ECONFIG, 3, "", "include cycle", "cycle_a.cfg\""},
    {"twice_main.cfg", "twice_main.cfg", QUELL_ECONFIG, 4, "", "is included twice",
     "./twice_inc.cfg\""},
    {"list_utf8.cfg", "lists/bad_utf8.txt", QUELL_ECONFIG, 5, "list.bad",
     "word pattern \"caf\\xE9 au lait\" is not valid UTF-8 (byte 3)", NULL},
    {"list_nul.cfg", "lists/nul.txt", QUELL_ECONFIG, 2, "list.nul",
     "substring pattern \"nul\\x00here\" contains a NUL byte", NULL},
    {"list_long.cfg", "lists/long.txt", QUELL_ECONFIG, 2, "list.long", "is longer than 65536 bytes",
     NULL},
    {"missing_list.cfg", "missing_list.cfg", QUELL_EIO, 5, "list.missing",
     "bad/lists/nonexistent.txt\"", "No such file"},
    {"missing_include.cfg", "missing_include.cfg", QUELL_EIO, 3, "", "bad/nonexistent.cfg\"",
     "No such file"},
    {"actions_main.cfg", "actions_inc.cfg", QUELL_ECONFIG, 2, "", "top file only", NULL},
    {"syntax_main.cfg", "syntax_inc.cfg", QUELL_ECONFIG, 3, "", "syntax error", NULL},
    {"libconfig_include.cfg", "libconfig_include.cfg", QUELL_ECONFIG, 0, "",
     "@include \"twice_inc.cfg\" is not supported", NULL},
    {"nonexistent.cfg", "nonexistent.cfg", QUELL_EIO, 0, "", "bad/nonexistent.cfg\"",
     "No such file"},
};

START_TEST(test_bad_files)
{
    char config[512], rel[256], want_file[512];
    quell_error err = {0};
    snprintf(rel, sizeof rel, FIXTURES "bad/%s", bad_files[_i].config);
    fixture(config, sizeof config, rel);
    snprintf(rel, sizeof rel, FIXTURES "bad/%s", bad_files[_i].err_file);
    fixture(want_file, sizeof want_file, rel);
    struct rule_table *t = (struct rule_table *)&err;
    int rc = rules_load_config(&t, config, &err);
    const char *name = bad_files[_i].config;
    ck_assert_msg(rc == bad_files[_i].code, "%s: rc %d (%s)", name, rc, err.message);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, bad_files[_i].code);
    ck_assert_msg(strcmp(err.file, want_file) == 0, "%s: file \"%s\", want \"%s\"", name, err.file,
                  want_file);
    ck_assert_msg(err.line == bad_files[_i].line, "%s: line %d, want %d (%s)", name, err.line,
                  bad_files[_i].line, err.message);
    ck_assert_msg(strcmp(err.rule_id, bad_files[_i].rule_id) == 0, "%s: rule id \"%s\"", name,
                  err.rule_id);
    ck_assert_msg(strstr(err.message, bad_files[_i].phrase), "%s: message \"%s\" lacks \"%s\"",
                  name, err.message, bad_files[_i].phrase);
    if (bad_files[_i].phrase2)
        ck_assert_msg(strstr(err.message, bad_files[_i].phrase2), "%s: message \"%s\" lacks \"%s\"",
                      name, err.message, bad_files[_i].phrase2);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* API edges and limits                                                      */

START_TEST(test_free_null)
{
    rules_free(NULL);
}
END_TEST

START_TEST(test_err_may_be_null)
{
    char config[512];
    fixture(config, sizeof config, FIXTURES "bad/dup_main.cfg");
    struct rule_table *t = (struct rule_table *)config;
    ck_assert_int_eq(rules_load_config(&t, config, NULL), QUELL_ECONFIG);
    ck_assert_ptr_null(t);
}
END_TEST

/* A chain of n files, each including the next: 16 levels below the top
 * file are allowed, 17 are not. */
static int load_chain(int n, quell_error *err, char *dir, size_t dir_size)
{
    char path[256], text[256];
    make_tmpdir(dir, dir_size);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d.cfg", i);
        const char *head =
            i == 0 ? "version = 1;\nactions = { flag = 1; hold = 2; reject = 3; };\n" : "";
        if (i + 1 < n)
            snprintf(text, sizeof text, "%sinclude = [ \"f%d.cfg\" ];\n", head, i + 1);
        else
            snprintf(text, sizeof text, "%scategories = ( { name = \"deep\"; } );\n", head);
        write_file(dir, name, text, strlen(text), path, sizeof path);
    }
    snprintf(path, sizeof path, "%s/f0.cfg", dir);
    struct rule_table *t = NULL;
    int rc = rules_load_config(&t, path, err);
    if (rc == QUELL_OK)
        ck_assert_uint_eq(t->category_count, 1);
    rules_free(t);
    remove_tmpdir(dir);
    return rc;
}

START_TEST(test_include_depth)
{
    char dir[64], want[128];
    quell_error err = {0};
    ck_assert_int_eq(load_chain(17, &err, dir, sizeof dir), QUELL_OK);
    ck_assert_int_eq(load_chain(18, &err, dir, sizeof dir), QUELL_ECONFIG);
    snprintf(want, sizeof want, "%s/f16.cfg", dir);
    ck_assert_str_eq(err.file, want);
    ck_assert_int_eq(err.line, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "deeper than 16"));
}
END_TEST

START_TEST(test_name_length)
{
    char id[200], text[512], path[128];
    quell_error err;
    struct rule_table *t;
    memset(id, 'i', 127);
    id[127] = '\0';
    snprintf(text, sizeof text,
             HEAD
             "rules = ( { id = \"%s\"; category = \"c\"; weight = 1; words = [ \"w\" ]; } );\n",
             id);
    ck_assert_int_eq(load_text(text, &t, &err, path, sizeof path), QUELL_OK);
    ck_assert_str_eq(t->rules[0].id, id);
    rules_free(t);
    id[127] = 'i';
    id[128] = '\0';
    snprintf(text, sizeof text,
             HEAD
             "rules = ( { id = \"%s\"; category = \"c\"; weight = 1; words = [ \"w\" ]; } );\n",
             id);
    ck_assert_int_eq(load_text(text, &t, &err, path, sizeof path), QUELL_ECONFIG);
    ck_assert_int_eq(err.line, 4);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than 127 bytes"));
}
END_TEST

START_TEST(test_pattern_length)
{
    /* 65536 bytes is the longest pattern allowed; one more is refused
     * (tests/fixtures/rules/bad/list_long.cfg). */
    static const char cfg[] = HEAD "rules = ( { id = \"r\"; category = \"c\"; weight = 1;\n"
                                   "  substrings_file = \"big.txt\"; } );\n";
    char dir[64], path[256];
    size_t len = 65536;
    char *big = malloc(len + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'b', len);
    big[len] = '\n';
    make_tmpdir(dir, sizeof dir);
    write_file(dir, "big.txt", big, len + 1, path, sizeof path);
    write_file(dir, "main.cfg", cfg, strlen(cfg), path, sizeof path);
    free(big);
    quell_error err = {0};
    struct rule_table *t = NULL;
    int rc = rules_load_config(&t, path, &err);
    remove_tmpdir(dir);
    ck_assert_msg(rc == QUELL_OK, "%s", err.message);
    ck_assert_uint_eq(t->patterns[0].text_len, 65536);
    ck_assert_uint_eq(t->patterns[0].line, 1);
    rules_free(t);
}
END_TEST

Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");

    TCase *good = tcase_create("Good");
    tcase_set_timeout(good, TEST_TIMEOUT_UNIT);
    tcase_add_test(good, test_good_counts);
    tcase_add_test(good, test_good_rules);
    tcase_add_test(good, test_good_patterns);
    tcase_add_test(good, test_good_examples);
    tcase_add_test(good, test_good_combinations);
    tcase_add_loop_test(good, test_weight_scaling, 0,
                        (int)(sizeof weight_cases / sizeof weight_cases[0]));
    tcase_add_loop_test(good, test_combine_rpn, 0, (int)(sizeof rpn_cases / sizeof rpn_cases[0]));
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("Bad");
    tcase_set_timeout(bad, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(bad, test_bad_inline, 0, (int)(sizeof bad_inline / sizeof bad_inline[0]));
    tcase_add_loop_test(bad, test_bad_files, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
    suite_add_tcase(s, bad);

    TCase *limits = tcase_create("Limits");
    tcase_set_timeout(limits, TEST_TIMEOUT_UNIT);
    tcase_add_test(limits, test_free_null);
    tcase_add_test(limits, test_err_may_be_null);
    tcase_add_test(limits, test_include_depth);
    tcase_add_test(limits, test_name_length);
    tcase_add_test(limits, test_pattern_length);
    suite_add_tcase(s, limits);

    return s;
}
