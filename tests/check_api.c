/*
 * check_api.c - the public API end to end: rules compiled from configs,
 * comments scanned, and the verdicts' actions, scores, counts and spans.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "quell.h"

/* A rule set used by most tests. Thresholds 3 / 6 / 10. */
static const char base_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"insult\"; }, { name = \"spam\"; cap = 5.0; },\n"
    "               { name = \"context\"; } );\n"
    "rules = (\n"
    "  { id = \"w\"; category = \"insult\"; weight = 2.0; max_hits = 2;\n"
    "    words = [ \"idiot\", \"ass\", \"son of a dog\", \"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\" ]; "
    "},\n"
    "  { id = \"sub\"; category = \"insult\"; weight = 0.5; substrings = [ \"xyz\" ]; },\n"
    "  { id = \"cs\"; category = \"insult\"; weight = 1.0; case_sensitive = true;\n"
    "    words = [ \"BOT\" ]; },\n"
    "  { id = \"link\"; category = \"spam\"; weight = 1.5; max_hits = 10;\n"
    "    regexes = [ \"https?://[a-z0-9./]+\" ]; },\n"
    "  { id = \"flood\"; category = \"spam\"; weight = 4.0; min_count = 3;\n"
    "    regexes = [ \"www\\\\.[a-z]+\\\\.com\" ]; },\n"
    "  { id = \"you\"; category = \"insult\"; weight = 0.0; words = [ \"you\", \"you're\" ]; },\n"
    "  { id = \"aimed\"; category = \"insult\"; weight = 5.0; combine = \"you & w\"; },\n"
    "  { id = \"news\"; category = \"context\"; weight = -1.0; words = [ \"reported\" ]; },\n"
    "  { id = \"unaimed\"; category = \"insult\"; weight = 0.25; combine = \"w & !you\"; },\n"
    "  { id = \"either\"; category = \"context\"; weight = 0.125; combine = \"sub | cs\"; },\n"
    "  { id = \"nested\"; category = \"context\"; weight = 0.001; combine = \"aimed & either\"; "
    "},\n"
    "  { id = \"nick\"; category = \"spam\"; weight = 3.0; field = \"author\";\n"
    "    substrings = [ \"casino\" ]; },\n"
    "  { id = \"overlap\"; category = \"context\"; weight = 0.01; max_hits = 5;\n"
    "    substrings = [ \"abcd\", \"cdef\" ]; }\n"
    ");\n";

static quell_rules *compile_text(const char *text)
{
    quell_rules *rules = NULL;
    quell_error err;
    int rc = quell_rules_compile(&rules, test_write_temp("rules.cfg", text), &err);
    ck_assert_msg(rc == QUELL_OK, "compile failed: %s:%d: %s", err.file, err.line, err.message);
    return rules;
}

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    rules = compile_text(base_cfg);
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&scanner, rules, &err), QUELL_OK);
}

static void teardown(void)
{
    quell_scanner_free(scanner);
    quell_rules_free(rules);
}

static const quell_verdict *scan_body(const char *body)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    const quell_verdict *v = NULL;
    quell_error err;
    int rc = quell_scan(scanner, &c, &v, &err);
    ck_assert_msg(rc == QUELL_OK, "scan failed: %s", err.message);
    return v;
}

static const quell_rule_result *find_rule(const quell_verdict *v, const char *id)
{
    for (size_t i = 0; i < v->rule_count; i++) {
        if (strcmp(v->rules[i].rule_id, id) == 0)
            return &v->rules[i];
    }
    return NULL;
}

/* Rule hits: for each case, did rule fire, how many occurrences, and the
 * first span. Expected values worked out by hand from docs/rules.md. */
static const struct {
    const char *body;
    const char *rule;
    int fires;
    size_t count;
    size_t start, end; /* of the first hit of that rule */
} hit_cases[] = {
    {"what an idiot", "w", 1, 1, 8, 13},
    {"IDIOT!", "w", 1, 1, 0, 5},         /* caseless by default */
    {"idiotic remark", "w", 0, 0, 0, 0}, /* whole words only */
    {"the assassin", "w", 0, 0, 0, 0},   /* Scunthorpe */
    {"class", "w", 0, 0, 0, 0},
    {"kiss my ass.", "w", 1, 1, 8, 11},
    {"ass_hat", "w", 1, 1, 0, 3}, /* _ separates words (hashtags) */
    {"bass_hat", "w", 0, 0, 0, 0},
    {"caf\xc3\xa9"
     "ass",
     "w", 0, 0, 0, 0}, /* é before is a letter */
    {"\xc3\xa9"
     "idiot",
     "w", 0, 0, 0, 0},
    {"idiot\xc3\xa9", "w", 0, 0, 0, 0},
    {"you son of a dog", "w", 1, 1, 4, 16}, /* phrase */
    {"son of a  dog", "w", 1, 1, 0, 13},    /* skeleton: white space runs are one */
    {"\xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1!", "w", 1, 1, 5, 13}, /* يا حمار! */
    {"\xd8\xa7\xd9\x84\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1", "w", 0, 0, 0, 0}, /* الحمار: inside */
    {"\xd8\xad\xd9\x85\xd8\xa7\xd8\xb1\xd8\xa9", "w", 0, 0, 0, 0},         /* حمارة */
    {"idiot, idiot, idiot", "w", 1, 3, 0, 5},
    {"abcxyzdef", "sub", 1, 1, 3, 6}, /* substrings anywhere */
    {"XYZ", "sub", 1, 1, 0, 3},
    {"a BOT here", "cs", 1, 1, 2, 5},
    {"a bot here", "cs", 0, 0, 0, 0},                 /* case_sensitive */
    {"see http://ex.com/a now", "link", 1, 1, 4, 19}, /* one span, not one per end */
    {"http://a.b http://c.d", "link", 1, 2, 0, 10},
    {"www.a.com www.b.com", "flood", 0, 0, 0, 0}, /* min_count 3 */
    {"www.a.com www.b.com www.c.com", "flood", 1, 3, 0, 9},
    {"abcdef", "overlap", 1, 1, 0, 6}, /* overlapping patterns count once */
    {"abcd cdef", "overlap", 1, 2, 0, 4},
};

START_TEST(test_hits)
{
    const quell_verdict *v = scan_body(hit_cases[_i].body);
    const quell_rule_result *r = find_rule(v, hit_cases[_i].rule);
    if (!hit_cases[_i].fires) {
        ck_assert_ptr_null(r);
        return;
    }
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->count, hit_cases[_i].count);
    const quell_hit *first = NULL;
    for (size_t i = 0; i < v->hit_count && !first; i++) {
        if (strcmp(v->hits[i].rule_id, hit_cases[_i].rule) == 0)
            first = &v->hits[i];
    }
    ck_assert_ptr_nonnull(first);
    ck_assert_uint_eq(first->start, hit_cases[_i].start);
    ck_assert_uint_eq(first->end, hit_cases[_i].end);
    ck_assert_int_eq(first->field, QUELL_FIELD_BODY);
    ck_assert_ptr_eq(first->text, hit_cases[_i].body + first->start);
}
END_TEST

/* Scores and actions, by hand: w = 2 per hit (max 2), aimed = 5 when "you"
 * and w, unaimed = 0.25 when w without you, news = -1, spam capped at 5. */
struct score_case {
    const char *body;
    double score;
    quell_action action;
};

static const struct score_case score_cases[] = {
    {"a calm comment about the news", 0, QUELL_PASS},
    {"idiot", 2.25, QUELL_PASS},                 /* w + unaimed */
    {"idiot idiot", 4.25, QUELL_FLAG},           /* 2*2 + 0.25 */
    {"idiot idiot idiot", 4.25, QUELL_FLAG},     /* max_hits 2 */
    {"you idiot", 7, QUELL_HOLD},                /* 2 + 5 */
    {"you idiot idiot", 9, QUELL_HOLD},          /* 4 + 5 */
    {"you idiot idiot reported", 8, QUELL_HOLD}, /* negative weight */
    {"you idiot idiot xyz", 9.626, QUELL_HOLD},  /* + sub .5 + either .125 + nested .001 */
    {"http://a.b", 1.5, QUELL_PASS},
    {"http://a.b http://c.d", 3, QUELL_FLAG}, /* exactly at the threshold */
    {"http://a http://b http://c http://d www.a.com www.b.com www.c.com", 5, QUELL_FLAG},
    {"you idiot idiot http://a.b http://c.d", 12, QUELL_REJECT},
    {"you", 0, QUELL_PASS}, /* a weight-0 signal alone */
};

START_TEST(test_scores)
{
    const quell_verdict *v = scan_body(score_cases[_i].body);
    ck_assert_double_eq_tol(v->score, score_cases[_i].score, 1e-9);
    ck_assert_int_eq(v->action, score_cases[_i].action);
}
END_TEST

START_TEST(test_category_scores_and_order)
{
    const quell_verdict *v = scan_body("http://a http://b http://c http://d you idiot");
    ck_assert_uint_eq(v->category_count, 3);
    ck_assert_str_eq(quell_rules_category_name(rules, 0), "insult");
    ck_assert_str_eq(quell_rules_category_name(rules, 1), "spam");
    ck_assert_double_eq_tol(v->category_scores[0], 7, 1e-9);
    ck_assert_double_eq_tol(v->category_scores[1], 5, 1e-9); /* 6 capped at 5 */
    ck_assert_double_eq_tol(v->category_scores[2], 0, 1e-9);
    /* Fired rules in rule-file order: w, link, you, aimed. */
    ck_assert_uint_eq(v->rule_count, 4);
    ck_assert_str_eq(v->rules[0].rule_id, "w");
    ck_assert_str_eq(v->rules[1].rule_id, "link");
    ck_assert_str_eq(v->rules[2].rule_id, "you");
    ck_assert_str_eq(v->rules[3].rule_id, "aimed");
    ck_assert_double_eq_tol(v->rules[1].score, 6, 1e-9); /* before the cap */
    /* Each result knows its place in the rule file. */
    ck_assert_uint_eq(v->rules[0].index, 0);
    ck_assert_uint_eq(v->rules[1].index, 3);
    ck_assert_uint_eq(v->rules[2].index, 5);
    ck_assert_uint_eq(v->rules[3].index, 6);
    /* Hits sorted by start: 4 links, you, idiot. */
    ck_assert_uint_eq(v->hit_count, 6);
    for (size_t i = 1; i < v->hit_count; i++)
        ck_assert_uint_lt(v->hits[i - 1].start, v->hits[i].start);
    ck_assert_str_eq(v->hits[4].rule_id, "you");
    ck_assert_str_eq(v->hits[5].category, "insult");
}
END_TEST

START_TEST(test_not_is_judged_on_whole_comment)
{
    /* "you" after the insult still counts: ! means nowhere in the comment. */
    const quell_verdict *v = scan_body("idiot, that is what you are");
    ck_assert_ptr_nonnull(find_rule(v, "aimed"));
    ck_assert_ptr_null(find_rule(v, "unaimed"));
}
END_TEST

START_TEST(test_fields)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "casino";
    c.text_len[QUELL_FIELD_BODY] = 6;
    c.text[QUELL_FIELD_AUTHOR] = "best casino idiot";
    c.text_len[QUELL_FIELD_AUTHOR] = 17;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, NULL), QUELL_OK);
    const quell_rule_result *nick = find_rule(v, "nick");
    ck_assert_ptr_nonnull(nick);
    ck_assert_uint_eq(nick->count, 1);     /* the body's "casino" does not count */
    ck_assert_ptr_null(find_rule(v, "w")); /* body rules ignore the author */
    ck_assert_uint_eq(v->hit_count, 1);
    ck_assert_int_eq(v->hits[0].field, QUELL_FIELD_AUTHOR);
    ck_assert_uint_eq(v->hits[0].start, 5);
    ck_assert_uint_eq(v->hits[0].end, 11);
}
END_TEST

START_TEST(test_invalid_utf8_refused)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "idiot \xff idiot";
    c.text_len[QUELL_FIELD_BODY] = 13;
    const quell_verdict *v = (const quell_verdict *)&c;
    quell_error err;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_EINPUT);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(err.code, QUELL_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "byte 6"));
    /* The scanner is still usable afterwards. */
    ck_assert_int_eq(scan_body("idiot")->action, QUELL_PASS);
}
END_TEST

START_TEST(test_nul_bytes_inside_comment)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "a\0idiot\0b";
    c.text_len[QUELL_FIELD_BODY] = 9;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, NULL), QUELL_OK);
    const quell_rule_result *w = find_rule(v, "w");
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(v->hits[0].start, 2);
    ck_assert_uint_eq(v->hits[0].end, 7);
}
END_TEST

START_TEST(test_empty_and_absent)
{
    quell_comment c = QUELL_COMMENT_INIT;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(scanner, &c, &v, NULL), QUELL_OK);
    ck_assert_int_eq(v->action, QUELL_PASS);
    ck_assert_uint_eq(v->hit_count, 0);
    c.text[QUELL_FIELD_BODY] = "";
    ck_assert_int_eq(quell_scan(scanner, &c, &v, NULL), QUELL_OK);
    ck_assert_int_eq(v->action, QUELL_PASS);
}
END_TEST

START_TEST(test_many_matches_truncate_not_fail)
{
    /* Far more matches than the scanner keeps: the verdict says so. */
    size_t n = 300000;
    char *body = malloc(n * 4 + 1);
    ck_assert_ptr_nonnull(body);
    for (size_t i = 0; i < n; i++)
        memcpy(body + 4 * i, "xyz ", 4);
    body[n * 4] = '\0';
    const quell_verdict *v = scan_body(body);
    ck_assert_int_eq(v->is_truncated, 1);
    ck_assert_ptr_nonnull(find_rule(v, "sub"));
    free(body);
}
END_TEST

START_TEST(test_thresholds_exposed)
{
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_PASS), 0);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_FLAG), 3);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_HOLD), 6);
    ck_assert_double_eq(quell_rules_threshold(rules, QUELL_REJECT), 10);
    ck_assert_uint_eq(quell_rules_rule_count(rules), 13);
    ck_assert_uint_eq(quell_rules_category_count(rules), 3);
    ck_assert_ptr_null(quell_rules_category_name(rules, 3));
    ck_assert_str_eq(quell_rules_rule_id(rules, 0), "w");
    ck_assert_str_eq(quell_rules_rule_id(rules, 12), "overlap");
    ck_assert_ptr_null(quell_rules_rule_id(rules, 13));
    ck_assert_uint_eq(quell_rules_rule_category(rules, 0), 0);  /* insult */
    ck_assert_uint_eq(quell_rules_rule_category(rules, 3), 1);  /* link: spam */
    ck_assert_uint_eq(quell_rules_rule_category(rules, 12), 2); /* overlap: context */
    ck_assert_uint_eq(quell_rules_rule_category(rules, 13), (size_t)-1);
    ck_assert_str_eq(quell_action_name(QUELL_HOLD), "hold");
    ck_assert_str_eq(quell_field_name(QUELL_FIELD_AUTHOR), "author");
    ck_assert_int_eq(quell_version_number(), QUELL_VERSION_NUMBER);
    ck_assert_str_eq(quell_version(), QUELL_VERSION_STRING);
}
END_TEST

/* Separate categories (docs/rules.md): each one's score chooses an action
 * alone and is never added to the others'. Scores worked out by hand. */
static const char separate_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"abuse\"; }, { name = \"context\"; },\n"
    "               { name = \"pii\"; cap = 6.0; separate = true; },\n"
    "               { name = \"spam\"; cap = 8.0; separate = true; } );\n"
    "rules = (\n"
    "  { id = \"rude\"; category = \"abuse\"; weight = 4.0; max_hits = 3; words = [ \"rude\" ]; },\n"
    "  { id = \"news\"; category = \"context\"; weight = -1.0; words = [ \"reported\" ]; },\n"
    "  { id = \"mail\"; category = \"pii\"; weight = 6.0; max_hits = 2;\n"
    "    regexes = [ \"[a-z]+@[a-z]+\\\\.example\" ]; },\n"
    "  { id = \"link\"; category = \"spam\"; weight = 3.0; max_hits = 3;\n"
    "    regexes = [ \"https?://[a-z.]+\" ]; }\n"
    ");\n";

static const struct score_case separate_cases[] = {
    {"rude", 4, QUELL_FLAG},
    {"rude rude rude", 12, QUELL_REJECT},
    {"a@b.example", 6, QUELL_HOLD},
    {"a@b.example c@d.example", 6, QUELL_HOLD},           /* capped at 6 */
    {"rude a@b.example", 6, QUELL_HOLD},                  /* max(4, 6), not 10 */
    {"rude rude a@b.example", 8, QUELL_HOLD},             /* max(8, 6), not 14 */
    {"rude rude rude a@b.example", 12, QUELL_REJECT},     /* abuse alone rejects */
    {"a@b.example http://x.y http://z.w", 6, QUELL_HOLD}, /* max(6, 6), not 12 */
    {"http://x.y http://z.w http://v.u", 8, QUELL_HOLD},  /* 9 capped at 8 */
    {"reported", -1, QUELL_PASS},                         /* no separate score: sum */
    {"reported http://x.y", 3, QUELL_FLAG},
};

START_TEST(test_separate_categories)
{
    quell_rules *sep = compile_text(separate_cfg);
    ck_assert_int_eq(quell_rules_category_is_separate(sep, 0), 0);
    ck_assert_int_eq(quell_rules_category_is_separate(sep, 2), 1);
    ck_assert_int_eq(quell_rules_category_is_separate(sep, 3), 1);
    ck_assert_int_eq(quell_rules_category_is_separate(sep, 4), 0); /* out of range */

    /* The flag survives a round trip through the compiled form. */
    char *data = NULL;
    size_t len = 0;
    quell_error err;
    ck_assert_int_eq(quell_rules_serialize(sep, &data, &len, &err), QUELL_OK);
    quell_rules *loaded = NULL;
    ck_assert_int_eq(quell_rules_deserialize(&loaded, data, len, &err), QUELL_OK);
    free(data);

    const quell_rules *sets[] = {sep, loaded};
    for (size_t k = 0; k < 2; k++) {
        quell_scanner *s = NULL;
        ck_assert_int_eq(quell_scanner_new(&s, sets[k], &err), QUELL_OK);
        for (size_t i = 0; i < sizeof separate_cases / sizeof separate_cases[0]; i++) {
            quell_comment c = QUELL_COMMENT_INIT;
            c.text[QUELL_FIELD_BODY] = separate_cases[i].body;
            c.text_len[QUELL_FIELD_BODY] = strlen(separate_cases[i].body);
            const quell_verdict *v = NULL;
            ck_assert_int_eq(quell_scan(s, &c, &v, &err), QUELL_OK);
            ck_assert_msg(v->score > separate_cases[i].score - 1e-9 &&
                              v->score < separate_cases[i].score + 1e-9,
                          "set %zu, \"%s\": score %g, expected %g", k, separate_cases[i].body,
                          v->score, separate_cases[i].score);
            ck_assert_int_eq(v->action, separate_cases[i].action);
        }
        quell_scanner_free(s);
    }
    ck_assert_int_eq(quell_rules_category_is_separate(loaded, 2), 1);
    quell_rules_free(loaded);
    quell_rules_free(sep);
}
END_TEST

/* Threads share one rule set, each with its own scanner, and must agree
 * with a single-threaded run. */
struct thread_job {
    const quell_rules *rules;
    double scores[sizeof score_cases / sizeof score_cases[0]];
    int rc;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    quell_scanner *s;
    job->rc = quell_scanner_new(&s, job->rules, NULL);
    if (job->rc != QUELL_OK)
        return NULL;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof score_cases / sizeof score_cases[0]; i++) {
            quell_comment c = QUELL_COMMENT_INIT;
            c.text[0] = score_cases[i].body;
            c.text_len[0] = strlen(score_cases[i].body);
            const quell_verdict *v;
            if (quell_scan(s, &c, &v, NULL) != QUELL_OK) {
                job->rc = -1;
                break;
            }
            job->scores[i] = v->score;
        }
    }
    quell_scanner_free(s);
    return NULL;
}

START_TEST(test_threads_share_rules)
{
    struct thread_job jobs[4];
    pthread_t tids[4];
    for (int i = 0; i < 4; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].rules = rules;
        ck_assert_int_eq(pthread_create(&tids[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(tids[i], NULL);
        ck_assert_int_eq(jobs[i].rc, QUELL_OK);
        for (size_t k = 0; k < sizeof score_cases / sizeof score_cases[0]; k++)
            ck_assert_double_eq_tol(jobs[i].scores[k], score_cases[k].score, 1e-9);
    }
}
END_TEST

/* Compile errors lead back to the pattern's file:line and rule. */
START_TEST(test_bad_regex_names_pattern)
{
    const char *cfg = "version = 1;\n"
                      "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
                      "categories = ( { name = \"c\"; } );\n"
                      "rules = (\n"
                      "  { id = \"ok\"; category = \"c\"; weight = 1.0; words = [ \"fine\" ]; },\n"
                      "  { id = \"bad.one\"; category = \"c\"; weight = 1.0;\n"
                      "    regexes = [ \"good\",\n"
                      "                \"(unclosed\" ]; }\n"
                      ");\n";
    quell_rules *r = (quell_rules *)cfg;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&r, test_write_temp("bad.cfg", cfg), &err),
                     QUELL_ECOMPILE);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.line, 8);
    ck_assert_str_eq(err.rule_id, "bad.one");
    ck_assert_ptr_nonnull(strstr(err.file, "bad.cfg"));
    ck_assert_ptr_nonnull(strstr(err.message, "(unclosed"));
    ck_assert_ptr_nonnull(strstr(err.message, "Missing close parenthesis")); /* Hyperscan's */
}
END_TEST

/* A long bad pattern is quoted only in part: Hyperscan's reason stays whole. */
START_TEST(test_long_bad_regex_message)
{
    char cfg[2048];
    char regex[600];
    memset(regex, 'a', sizeof regex - 1);
    regex[sizeof regex - 1] = '\0';
    regex[0] = '(';
    snprintf(cfg, sizeof cfg,
             "version = 1;\n"
             "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
             "categories = ( { name = \"c\"; } );\n"
             "rules = ( { id = \"long\"; category = \"c\"; weight = 1.0;\n"
             "            regexes = [ \"%s\" ]; } );\n",
             regex);
    quell_rules *r;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&r, test_write_temp("long.cfg", cfg), &err),
                     QUELL_ECOMPILE);
    ck_assert_int_eq(err.line, 5);
    ck_assert_msg(strncmp(err.message, "Missing close parenthesis", 25) == 0, "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "...\""));
    ck_assert_uint_lt(strlen(err.message), 200);
}
END_TEST

START_TEST(test_empty_matching_regex_refused)
{
    const char *cfg = "version = 1;\n"
                      "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
                      "categories = ( { name = \"c\"; } );\n"
                      "rules = ( { id = \"star\"; category = \"c\"; weight = 1.0;\n"
                      "            regexes = [ \"a*\" ]; } );\n";
    quell_rules *r;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&r, test_write_temp("empty.cfg", cfg), &err),
                     QUELL_ECOMPILE);
    ck_assert_int_eq(err.line, 5);
    ck_assert_str_eq(err.rule_id, "star");
    ck_assert_ptr_nonnull(strstr(err.message, "empty"));
}
END_TEST

struct example_log {
    int calls;
    char last_rule[64];
    int last_should_match;
};

static int on_example(void *ctx, const char *rule_id, const char *example, int should_match,
                      const char *file, int line)
{
    (void)example;
    (void)file;
    (void)line;
    struct example_log *log = ctx;
    log->calls++;
    snprintf(log->last_rule, sizeof log->last_rule, "%s", rule_id);
    log->last_should_match = should_match;
    return 0;
}

START_TEST(test_examples)
{
    const char *cfg =
        "version = 1;\n"
        "actions = { flag = 1.0; hold = 2.0; reject = 3.0; };\n"
        "categories = ( { name = \"c\"; } );\n"
        "rules = (\n"
        "  { id = \"good\"; category = \"c\"; weight = 1.0; words = [ \"spam\" ];\n"
        "    must_match = [ \"buy spam\", \"SPAM!\" ]; must_not_match = [ \"spammy\" ]; },\n"
        "  { id = \"wrong\"; category = \"c\"; weight = 1.0; words = [ \"ham\" ];\n"
        "    must_match = [ \"hamster\" ]; },\n"
        "  { id = \"nick\"; category = \"c\"; weight = 1.0; field = \"author\";\n"
        "    substrings = [ \"bot\" ]; must_match = [ \"robot99\" ]; }\n"
        ");\n";
    quell_rules *r = compile_text(cfg);
    struct example_log log = {0};
    size_t failed = 99, total = 99;
    ck_assert_int_eq(quell_rules_test(r, on_example, &log, &failed, &total, NULL), QUELL_OK);
    ck_assert_uint_eq(total, 5);
    ck_assert_uint_eq(failed, 1);
    ck_assert_int_eq(log.calls, 1);
    ck_assert_str_eq(log.last_rule, "wrong");
    ck_assert_int_eq(log.last_should_match, 1);
    quell_rules_free(r);
}
END_TEST

START_TEST(test_free_null)
{
    quell_rules_free(NULL);
    quell_scanner_free(NULL);
    quell_record_parser_free(NULL);
    ck_assert_str_eq(quell_strerror(QUELL_ECOMPILE), "pattern rejected by Hyperscan");
    ck_assert_str_eq(quell_strerror(12345), "unknown error");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Spans on word edges                                                     */

/* Regexes that end inside words, stand in for edges with the characters
 * around a word, or start on a symbol; a substring and a word beside them. */
static const char spans_cfg[] =
    "version = 1;\n"
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
    "categories = ( { name = \"c\"; } );\n"
    "rules = (\n"
    "  { id = \"re.first\"; category = \"c\"; weight = 1.0; regexes = [ \"death to \\\\w\" ]; },\n"
    "  { id = \"re.inside\"; category = \"c\"; weight = 1.0;\n"
    "    regexes = [ \"dio\", \"\xd9\x84\" ]; },\n"
    "  { id = \"re.around\"; category = \"c\"; weight = 1.0; regexes = [\n"
    "    \"(^|[^\\\\x{621}-\\\\x{64a}])\xd9\x83\xd9\x84\xd8\xa8"
    "([^\\\\x{621}-\\\\x{64a}]|$)\" ]; },\n"
    "  { id = \"re.money\"; category = \"c\"; weight = 1.0; regexes = [ \"\\\\$[0-9]+\" ]; },\n"
    "  { id = \"re.gap\"; category = \"c\"; weight = 1.0;\n"
    "    regexes = [ \"x\\\\s+\", \"\\\\s{3}\" ]; },\n"
    "  { id = \"re.cafe\"; category = \"c\"; weight = 1.0; regexes = [ \"caf\" ]; },\n"
    "  { id = \"sub\"; category = \"c\"; weight = 1.0; substrings = [ \"dio\", \"caf\" ]; },\n"
    "  { id = \"word\"; category = \"c\"; weight = 1.0; words = [ \"idiots\" ]; }\n"
    ");\n";

/* Expected by hand: a regex's hit grows to the edges of a word it starts
 * or ends inside and loses white space at its ends; substrings keep theirs. */
static const struct {
    const char *body;
    const char *rule;
    const char *text; /* the hit's text */
} span_cases[] = {
    {"Death to all Jews", "re.first", "Death to all"},
    {"Death to Jews!", "re.first", "Death to Jews"},
    {"yes, death to x", "re.first", "death to x"},
    {"you idiots", "re.inside", "idiots"},
    {"you idiots", "sub", "dio"},
    {"you idiots", "word", "idiots"},
    {"dio", "re.inside", "dio"},
    {"studio_dior2", "re.inside", "studio"}, /* _ ends a word */
    /* Arabic: ل inside كلب grows to the word; the boundary characters go */
    {"\xd9\x8a\xd8\xa7 \xd9\x83\xd9\x84\xd8\xa8!", "re.inside", "\xd9\x83\xd9\x84\xd8\xa8"},
    {"\xd9\x8a\xd8\xa7 \xd9\x83\xd9\x84\xd8\xa8 \xd9\x87\xd9\x88", "re.around",
     "\xd9\x83\xd9\x84\xd8\xa8"},
    {"\xd9\x8a\xd8\xa7\xc2\xa0\xd9\x83\xd9\x84\xd8\xa8.", "re.around", "\xd9\x83\xd9\x84\xd8\xa8."},
    {"pay $500 now", "re.money", "$500"},
    {"pay x$500 now", "re.money", "$500"},
    {"a x   b", "re.gap", "x"},
    {"a    b", "re.gap", "    "},
    {"caf\xc3\xa9s, caf\xc3\xa9", "re.cafe", "caf\xc3\xa9s"},
    {"caf\xc3\xa9s", "sub", "caf"},
};

static const quell_hit *first_hit_of(const quell_verdict *v, const char *rule)
{
    for (size_t i = 0; i < v->hit_count; i++) {
        if (strcmp(v->hits[i].rule_id, rule) == 0)
            return &v->hits[i];
    }
    return NULL;
}

START_TEST(test_regex_spans_on_word_edges)
{
    quell_rules *r = compile_text(spans_cfg);
    quell_scanner *sc = NULL;
    ck_assert_int_eq(quell_scanner_new(&sc, r, NULL), QUELL_OK);
    for (size_t i = 0; i < sizeof span_cases / sizeof span_cases[0]; i++) {
        const char *body = span_cases[i].body;
        quell_comment c = {QUELL_COMMENT_VERSION, {body, NULL}, {strlen(body), 0}};
        const quell_verdict *v;
        ck_assert_int_eq(quell_scan(sc, &c, &v, NULL), QUELL_OK);
        const quell_hit *h = first_hit_of(v, span_cases[i].rule);
        const char *want = span_cases[i].text;
        ck_assert_msg(h != NULL, "case %zu: %s does not fire", i, span_cases[i].rule);
        ck_assert_msg(h->end - h->start == strlen(want) &&
                          memcmp(body + h->start, want, strlen(want)) == 0,
                      "case %zu: hit \"%.*s\", expected \"%s\"", i, (int)(h->end - h->start),
                      body + h->start, want);
        ck_assert_ptr_eq(h->text, body + h->start);
    }
    quell_scanner_free(sc);
    quell_rules_free(r);
}
END_TEST

/* The shipped threat pack ends "death to" on the target's first letter and
 * brackets Arabic with the characters around it: its hits are still words. */
START_TEST(test_shipped_spans_on_word_edges)
{
    static const struct {
        const char *body;
        const char *rule;
        size_t start, end;
    } cases[] = {
        {"Death to all Jews", "threat.en.death_to.sig", 0, 17},
        {"DEATH TO THE TRAITORS.", "threat.en.death_to.sig", 0, 21},
        /* i will kill you. سأقتلك يا كلب */
        {"i will kill you. \xd8\xb3\xd8\xa3\xd9\x82\xd8\xaa\xd9\x84\xd9\x83 \xd9\x8a\xd8\xa7 "
         "\xd9\x83\xd9\x84\xd8\xa8",
         "threat.ar.sig", 17, 29},
    };
    quell_rules *r = NULL;
    quell_error err;
    int rc = quell_rules_load(&r, test_default_rules(), &err);
    ck_assert_msg(rc == QUELL_OK, "%s:%d: %s", err.file, err.line, err.message);
    quell_scanner *sc = NULL;
    ck_assert_int_eq(quell_scanner_new(&sc, r, NULL), QUELL_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *body = cases[i].body;
        quell_comment c = {QUELL_COMMENT_VERSION, {body, NULL}, {strlen(body), 0}};
        const quell_verdict *v;
        ck_assert_int_eq(quell_scan(sc, &c, &v, NULL), QUELL_OK);
        const quell_hit *h = first_hit_of(v, cases[i].rule);
        ck_assert_msg(h != NULL, "case %zu: %s does not fire", i, cases[i].rule);
        ck_assert_msg(h->start == cases[i].start && h->end == cases[i].end,
                      "case %zu: hit %zu-%zu \"%.*s\", expected %zu-%zu", i, h->start, h->end,
                      (int)(h->end - h->start), body + h->start, cases[i].start, cases[i].end);
    }
    quell_scanner_free(sc);
    quell_rules_free(r);
}
END_TEST

/* Each view as quell_scanner_view shows it, the Arabizi one included; a
 * view past the last is refused. */
START_TEST(test_scanner_views)
{
    static const char *const want[] = {"Ya 7amaaar!!", "ya 7amaaar!!", "ya tamar!!", "ya 7mr "};
    static const char text[] = "Ya 7amaaar!!";
    for (int view = QUELL_VIEW_RAW; view <= QUELL_VIEW_ARABIZI; view++) {
        const char *out;
        size_t len;
        quell_error err;
        ck_assert_int_eq(quell_scanner_view(scanner, (quell_view)view, text, sizeof text - 1, &out,
                                            &len, &err),
                         QUELL_OK);
        ck_assert_msg(len == strlen(want[view]) && memcmp(out, want[view], len) == 0,
                      "view %d: \"%.*s\"", view, (int)len, out);
    }
    const char *out;
    size_t len;
    quell_error err;
    ck_assert_int_eq(quell_scanner_view(scanner, (quell_view)(QUELL_VIEW_ARABIZI + 1), text,
                                        sizeof text - 1, &out, &len, &err),
                     QUELL_EINVAL);
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("Scan");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_hits, 0, sizeof hit_cases / sizeof hit_cases[0]);
    tcase_add_loop_test(tc, test_scores, 0, sizeof score_cases / sizeof score_cases[0]);
    tcase_add_test(tc, test_category_scores_and_order);
    tcase_add_test(tc, test_not_is_judged_on_whole_comment);
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_invalid_utf8_refused);
    tcase_add_test(tc, test_nul_bytes_inside_comment);
    tcase_add_test(tc, test_empty_and_absent);
    tcase_add_test(tc, test_many_matches_truncate_not_fail);
    tcase_add_test(tc, test_thresholds_exposed);
    tcase_add_test(tc, test_separate_categories);
    tcase_add_test(tc, test_threads_share_rules);
    tcase_add_test(tc, test_scanner_views);
    suite_add_tcase(s, tc);

    TCase *tc_rules = tcase_create("Rules");
    tcase_set_timeout(tc_rules, TEST_TIMEOUT_RULES);
    tcase_add_test(tc_rules, test_bad_regex_names_pattern);
    tcase_add_test(tc_rules, test_long_bad_regex_message);
    tcase_add_test(tc_rules, test_empty_matching_regex_refused);
    tcase_add_test(tc_rules, test_examples);
    tcase_add_test(tc_rules, test_free_null);
    suite_add_tcase(s, tc_rules);

    TCase *tc_spans = tcase_create("Spans");
    tcase_set_timeout(tc_spans, TEST_TIMEOUT_RULES);
    tcase_add_test(tc_spans, test_regex_spans_on_word_edges);
    tcase_add_test(tc_spans, test_shipped_spans_on_word_edges);
    suite_add_tcase(s, tc_spans);
    return s;
}
