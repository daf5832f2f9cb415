/*
 * check_engine.c - live rules: reference counting, rule-set ids and labels,
 * moving a scanner to other rules, and the engine that swaps rules under
 * scanning threads (also the ThreadSanitizer test, see the Makefile).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quell.h"
#include "suites.h"

/* Two rule sets that score the same comment differently, so a verdict
 * shows which one made it: "idiot" flags (3) under A and holds (6) under B. */
#define RULES_A                                                                                    \
    "version = 1;\n"                                                                               \
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"                                      \
    "categories = ( { name = \"insult\"; } );\n"                                                   \
    "rules = ( { id = \"t.idiot\"; category = \"insult\"; weight = 3.0;\n"                         \
    "            words = [ \"idiot\" ]; } );\n"
#define RULES_B                                                                                    \
    "version = 1;\n"                                                                               \
    "label = \"b 2026-12-05\";\n"                                                                  \
    "actions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"                                      \
    "categories = ( { name = \"insult\"; } );\n"                                                   \
    "rules = ( { id = \"t.idiot\"; category = \"insult\"; weight = 6.0;\n"                         \
    "            words = [ \"idiot\" ]; } );\n"

static bool is_hex_id(const char *id)
{
    if (strlen(id) != 16)
        return false;
    for (const char *p = id; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------------- */
/* Ids and labels                                                          */

START_TEST(test_id_is_content)
{
    quell_rules *a = test_compile_text("id_a.cfg", RULES_A);
    quell_rules *a2 = test_compile_text("id_a_again.cfg", RULES_A);
    quell_rules *b = test_compile_text("id_b.cfg", RULES_B);
    ck_assert(is_hex_id(quell_rules_id(a)));
    /* The same rules from another file: the path is not content. */
    ck_assert_str_eq(quell_rules_id(a), quell_rules_id(a2));
    ck_assert_str_ne(quell_rules_id(a), quell_rules_id(b));
    ck_assert_str_eq(quell_rules_label(a), "");
    ck_assert_str_eq(quell_rules_label(b), "b 2026-12-05");

    /* Through a .qdb and back: the same id and label. */
    quell_error err;
    char *data;
    size_t len;
    ck_assert_int_eq(quell_rules_serialize(b, &data, &len, &err), QUELL_OK);
    quell_rules *b2;
    ck_assert_int_eq(quell_rules_deserialize(&b2, data, len, &err), QUELL_OK);
    free(data);
    ck_assert_str_eq(quell_rules_id(b2), quell_rules_id(b));
    ck_assert_str_eq(quell_rules_label(b2), "b 2026-12-05");

    /* Every verdict names its rules. */
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new(&s, b2, &err), QUELL_OK);
    const quell_verdict *v = test_scan_body(s, "what an idiot");
    ck_assert_str_eq(v->rules_id, quell_rules_id(b));
    ck_assert_ptr_eq(v->rules_used, b2);
    char line[512];
    size_t n = quell_verdict_to_json(v, "7", 1, line, sizeof line);
    ck_assert_uint_lt(n, sizeof line);
    char want[64];
    snprintf(want, sizeof want, ",\"rules_id\":\"%s\"", quell_rules_id(b));
    ck_assert_msg(strstr(line, want), "%s", line);
    quell_scanner_free(s);
    quell_rules_release(b2);
    quell_rules_release(a);
    quell_rules_release(a2);
    quell_rules_release(b);
}
END_TEST

struct bad_label {
    const char *top;
    const char *included; /* NULL: none */
    int line;
    const char *message; /* a part of the error message */
};

static const struct bad_label bad_labels[] = {
    {"version = 1;\nlabel = 7;\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n", NULL, 2,
     "must be a string"},
    {"version = 1;\nlabel = \"a\\nb\";\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n",
     NULL, 2, "control characters"},
    {"version = 1;\nactions = { flag = 3.0; hold = 6.0; reject = 10.0; };\n"
     "include = [ \"bad_label_inc.cfg\" ];\n",
     "label = \"x\";\n", 1, "top file only"},
};

START_TEST(test_bad_label)
{
    const struct bad_label *c = &bad_labels[_i];
    if (c->included)
        test_write_temp("bad_label_inc.cfg", c->included);
    const char *path = test_write_temp("bad_label.cfg", c->top);
    quell_rules *rules;
    quell_error err;
    ck_assert_int_eq(quell_rules_compile(&rules, path, &err), QUELL_ECONFIG);
    ck_assert_ptr_null(rules);
    ck_assert_int_eq(err.line, c->line);
    ck_assert_msg(strstr(err.message, c->message), "%s", err.message);
    const char *want_file = c->included ? "bad_label_inc.cfg" : "bad_label.cfg";
    ck_assert_msg(strstr(err.file, want_file), "%s", err.file);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* References and rebinding                                                */

START_TEST(test_scanner_holds_rules)
{
    /* The caller lets go at once; the scanner's reference keeps the rules
     * alive (AddressSanitizer would see a use after free otherwise), and
     * freeing the scanner frees them (LeakSanitizer would see a leak). */
    quell_rules *a = test_compile_text("hold_a.cfg", RULES_A);
    quell_rules *extra = quell_rules_hold(a);
    ck_assert_ptr_eq(extra, a);
    quell_rules_release(extra);
    quell_scanner *s;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, a, &err), QUELL_OK);
    quell_rules_release(a);
    const quell_verdict *v = test_scan_body(s, "you idiot");
    ck_assert_int_eq(v->action, QUELL_FLAG);
    ck_assert_ptr_eq(quell_scanner_rules(s), v->rules_used);
    quell_scanner_free(s);
    quell_rules_release(NULL);
    quell_rules_free(NULL);
}
END_TEST

START_TEST(test_rebind)
{
    quell_rules *a = test_compile_text("rebind_a.cfg", RULES_A);
    quell_rules *b = test_compile_text("rebind_b.cfg", RULES_B);
    quell_scanner *s;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, a, &err), QUELL_OK);
    ck_assert_int_eq(test_scan_body(s, "you idiot")->action, QUELL_FLAG);
    ck_assert_int_eq(quell_scanner_rebind(s, b, &err), QUELL_OK);
    quell_rules_release(b);
    const quell_verdict *v = test_scan_body(s, "you idiot");
    ck_assert_int_eq(v->action, QUELL_HOLD);
    ck_assert_double_eq(v->score, 6);
    ck_assert_str_eq(v->rules_id, quell_rules_id(quell_scanner_rules(s)));
    ck_assert_str_ne(v->rules_id, quell_rules_id(a));
    /* And back: matches left over from the other rules must not leak in. */
    ck_assert_int_eq(quell_scanner_rebind(s, a, &err), QUELL_OK);
    ck_assert_int_eq(test_scan_body(s, "idiot idiot")->action, QUELL_FLAG);
    ck_assert_int_eq(test_scan_body(s, "fine words")->action, QUELL_PASS);
    quell_scanner_free(s);
    quell_rules_release(a);
}
END_TEST

START_TEST(test_newer_struct_version_refused)
{
    quell_rules *a = test_compile_text("version_a.cfg", RULES_A);
    quell_scanner *s;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&s, a, &err), QUELL_OK);
    quell_comment c = QUELL_COMMENT_INIT;
    c.version = QUELL_COMMENT_VERSION + 1;
    c.text[QUELL_FIELD_BODY] = "idiot";
    c.text_len[QUELL_FIELD_BODY] = 5;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scan(s, &c, &v, &err), QUELL_EINVAL);
    /* A zeroed struct is the first version. */
    c.version = 0;
    ck_assert_int_eq(quell_scan(s, &c, &v, &err), QUELL_OK);
    ck_assert_int_eq(v->action, QUELL_FLAG);

    quell_record_fields fields = QUELL_RECORD_FIELDS_INIT;
    fields.version = QUELL_RECORD_FIELDS_VERSION + 1;
    quell_record_parser *p;
    ck_assert_int_eq(quell_record_parser_new(&p, QUELL_FORMAT_JSONL, &fields, &err), QUELL_EINVAL);
    ck_assert_ptr_null(p);

    quell_engine *e;
    ck_assert_int_eq(quell_engine_new(&e, a, &err), QUELL_OK);
    quell_engine_stats st = QUELL_ENGINE_STATS_INIT;
    st.version = QUELL_ENGINE_STATS_VERSION + 1;
    ck_assert_int_eq(quell_engine_stats_get(e, &st), QUELL_EINVAL);
    quell_engine_free(e);
    quell_scanner_free(s);
    quell_rules_release(a);
    ck_assert(QUELL_VERSION_CHECK(0, 5, 0)); /* quell_explain_to_json */
    ck_assert(!QUELL_VERSION_CHECK(QUELL_VERSION_MAJOR + 1, 0, 0));
    ck_assert_int_eq(quell_version_number(), QUELL_VERSION_NUMBER);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* The engine                                                              */

START_TEST(test_engine_swap_and_reload)
{
    quell_rules *a = test_compile_text("engine_a.cfg", RULES_A);
    quell_engine *e;
    quell_error err;
    ck_assert_int_eq(quell_engine_new(&e, a, &err), QUELL_OK);
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new_for_engine(&s, e, &err), QUELL_OK);
    ck_assert_int_eq(test_scan_body(s, "you idiot")->action, QUELL_FLAG);

    /* A reload that fails keeps the old rules and says where. */
    const char *bad = test_write_temp("engine_bad.cfg", "version = 1;\nactions = { flag = ;\n");
    ck_assert_int_ne(quell_engine_reload(e, bad, &err), QUELL_OK);
    ck_assert_int_eq(err.line, 2);
    ck_assert_msg(strstr(err.file, "engine_bad.cfg"), "%s", err.file);
    const quell_verdict *v = test_scan_body(s, "you idiot");
    ck_assert_int_eq(v->action, QUELL_FLAG);
    ck_assert_str_eq(v->rules_id, quell_rules_id(a));

    const char *path_b = test_write_temp("engine_b.cfg", RULES_B);
    ck_assert_int_eq(quell_engine_reload(e, path_b, &err), QUELL_OK);
    v = test_scan_body(s, "you idiot");
    ck_assert_int_eq(v->action, QUELL_HOLD);
    quell_rules *now = quell_engine_rules(e);
    ck_assert_str_eq(v->rules_id, quell_rules_id(now));
    ck_assert_str_eq(quell_rules_label(now), "b 2026-12-05");

    quell_engine_stats st = QUELL_ENGINE_STATS_INIT;
    ck_assert_int_eq(quell_engine_stats_get(e, &st), QUELL_OK);
    ck_assert_uint_eq(st.generation, 2);
    ck_assert_uint_eq(st.reloads_ok, 1);
    ck_assert_uint_eq(st.reloads_failed, 1);

    /* Swap back by hand; the caller drops the engine before the scanner,
     * which holds it. */
    quell_engine_swap(e, a);
    quell_rules_release(a);
    quell_rules_release(now);
    quell_engine_free(e);
    ck_assert_int_eq(test_scan_body(s, "you idiot")->action, QUELL_FLAG);
    /* Rebinding by hand takes the scanner off the engine. */
    quell_rules *b = test_compile_text("engine_b2.cfg", RULES_B);
    ck_assert_int_eq(quell_scanner_rebind(s, b, &err), QUELL_OK);
    quell_rules_release(b);
    ck_assert_int_eq(test_scan_body(s, "you idiot")->action, QUELL_HOLD);
    quell_scanner_free(s);
}
END_TEST

/* Scanning threads and a swapping one. Each scanner checks that every
 * verdict is wholly one rule set's (its score is the one its rules_id
 * gives) and publishes which set it last saw; after each swap the swapper
 * waits until every scanner has scored a comment with the new rules. Each
 * round swaps in a fresh copy of the rules and lets go of it at once, so the
 * copy swapped out is freed by whichever scanner moves off it last. */
#define SWAP_THREADS 3
#define SWAP_ROUNDS  100

struct swap_shared {
    quell_engine *engine;
    char id_a[17];
    char id_b[17];
    atomic_int is_done;
    atomic_int seen[SWAP_THREADS]; /* 1: A, 2: B */
    atomic_int failures;
};

struct swap_thread {
    struct swap_shared *shared;
    int index;
};

static void *scan_loop(void *arg)
{
    struct swap_thread *t = arg;
    struct swap_shared *sh = t->shared;
    quell_scanner *s;
    if (quell_scanner_new_for_engine(&s, sh->engine, NULL) != QUELL_OK) {
        atomic_fetch_add(&sh->failures, 1);
        return NULL;
    }
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = "you idiot";
    c.text_len[QUELL_FIELD_BODY] = strlen(c.text[QUELL_FIELD_BODY]);
    while (!atomic_load(&sh->is_done)) {
        const quell_verdict *v;
        if (quell_scan(s, &c, &v, NULL) != QUELL_OK) {
            atomic_fetch_add(&sh->failures, 1);
            break;
        }
        bool is_a = strcmp(v->rules_id, sh->id_a) == 0;
        bool is_b = strcmp(v->rules_id, sh->id_b) == 0;
        if ((!is_a && !is_b) || v->score != (is_a ? 3.0 : 6.0) ||
            v->rules_used != quell_scanner_rules(s))
            atomic_fetch_add(&sh->failures, 1);
        atomic_store(&sh->seen[t->index], is_a ? 1 : 2);
    }
    quell_scanner_free(s);
    return NULL;
}

START_TEST(test_swap_under_scanning)
{
    struct swap_shared sh = {0};
    char *data[2];
    size_t len[2];
    quell_error err;
    const char *texts[2] = {RULES_A, RULES_B};
    for (int k = 0; k < 2; k++) {
        quell_rules *r = test_compile_text(k ? "swap_b.cfg" : "swap_a.cfg", texts[k]);
        snprintf(k ? sh.id_b : sh.id_a, sizeof sh.id_a, "%s", quell_rules_id(r));
        ck_assert_int_eq(quell_rules_serialize(r, &data[k], &len[k], &err), QUELL_OK);
        if (k == 0)
            ck_assert_int_eq(quell_engine_new(&sh.engine, r, &err), QUELL_OK);
        quell_rules_release(r);
    }
    pthread_t threads[SWAP_THREADS];
    struct swap_thread args[SWAP_THREADS];
    for (int i = 0; i < SWAP_THREADS; i++) {
        args[i] = (struct swap_thread){&sh, i};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, scan_loop, &args[i]), 0);
    }
    int waits_timed_out = 0;
    for (int round = 0; round < SWAP_ROUNDS && !waits_timed_out; round++) {
        int kind = round % 2 == 0 ? 2 : 1; /* B first: the engine starts on A */
        quell_rules *next;
        ck_assert_int_eq(quell_rules_deserialize(&next, data[kind - 1], len[kind - 1], &err),
                         QUELL_OK);
        quell_engine_swap(sh.engine, next);
        quell_rules_release(next);
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (int i = 0; i < SWAP_THREADS; i++) {
            while (atomic_load(&sh.seen[i]) != kind && atomic_load(&sh.failures) == 0) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                /* A hang, not a slow machine: a minute for one comment. */
                if (now.tv_sec - start.tv_sec > 60) {
                    waits_timed_out++;
                    break;
                }
                sched_yield();
            }
        }
    }
    atomic_store(&sh.is_done, 1);
    for (int i = 0; i < SWAP_THREADS; i++)
        pthread_join(threads[i], NULL);
    ck_assert_int_eq(atomic_load(&sh.failures), 0);
    ck_assert_int_eq(waits_timed_out, 0);
    quell_engine_stats st = QUELL_ENGINE_STATS_INIT;
    ck_assert_int_eq(quell_engine_stats_get(sh.engine, &st), QUELL_OK);
    ck_assert_uint_eq(st.generation, 1 + SWAP_ROUNDS);
    quell_engine_free(sh.engine);
    free(data[0]);
    free(data[1]);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* near() and before(): decided on the hit spans after the scan            */

/* Each combination has its own power of two, so a score names the ones
 * that held. */
#define RULES_NEAR                                                                                 \
    "version = 1;\n"                                                                               \
    "actions = { flag = 100.0; hold = 200.0; reject = 300.0; };\n"                                 \
    "categories = ( { name = \"c\"; } );\n"                                                        \
    "rules = (\n"                                                                                  \
    "  { id = \"t.you\"; category = \"c\"; weight = 0; words = [ \"you\", \"you people\" ]; },\n"  \
    "  { id = \"t.bad\"; category = \"c\"; weight = 0;\n"                                          \
    "    words = [ \"vermin\", \"clown\", \"troll\" ]; },\n"                                       \
    "  { id = \"t.kill\"; category = \"c\"; weight = 0; words = [ \"kill\" ]; },\n"                \
    "  { id = \"near2\"; category = \"c\"; weight = 1; combine = \"near(t.you, t.bad, 2)\"; },\n"  \
    "  { id = \"before1\"; category = \"c\"; weight = 2;\n"                                        \
    "    combine = \"before(t.you, t.bad, 1)\"; },\n"                                              \
    "  { id = \"twice\"; category = \"c\"; weight = 4; combine = \"near(t.bad, t.bad, 3)\"; },\n"  \
    "  { id = \"chain\"; category = \"c\"; weight = 8; combine = \"near(near2, t.kill, 0)\"; },\n" \
    "  { id = \"alone\"; category = \"c\"; weight = 16;\n"                                         \
    "    combine = \"t.you & !near(t.you, t.bad, 5)\"; }\n"                                        \
    ");\n"

static const struct {
    const char *text;
    int score;          /* the sum of the combinations that held */
    size_t near2[4][2]; /* near2's hits, start and end; {0, 0} ends the list */
} near_cases[] = {
    {"you people are vermin", 1 + 2, {{0, 10}, {15, 21}}},
    /* near() takes either order, before() only its own. */
    {"vermin, you", 1, {{0, 6}, {8, 11}}},
    /* Punctuation is not a word, whatever its length. */
    {"nobody asked you, clown!!!", 1 + 2, {{13, 16}, {18, 23}}},
    {"you -- !!! ... -- clown", 1 + 2, {{0, 3}, {18, 23}}},
    /* Exactly two words between, then three. */
    {"you a b vermin", 1, {{0, 3}, {8, 14}}},
    {"you a b c vermin", 0, {{0}}},
    {"you are a silly old clown", 0, {{0}}},
    /* An apostrophe splits a word: "re" and "a" are two. */
    {"you're a clown", 1, {{0, 3}, {9, 14}}},
    /* Arabic words count as words; spans are bytes of the original. */
    {"you \xd9\x8a\xd8\xa7 \xd8\xad\xd9\x85\xd8\xa7\xd8\xb1 vermin", 1, {{0, 3}, {18, 24}}},
    /* Every occurrence that has a partner is a hit, and only those. */
    {"clown. I like you a lot and a lot more, you vermin",
     1 + 2,
     {{0, 5}, {14, 17}, {40, 43}, {44, 50}}},
    /* Two hits of one rule; one hit alone is not a pair. */
    {"clown troll", 4, {{0}}},
    {"clown", 0, {{0}}},
    /* A combination's spans are the ones its near() found. */
    {"you vermin kill", 1 + 2 + 8, {{0, 3}, {4, 10}}},
    {"you vermin and then kill", 1 + 2, {{0, 3}, {4, 10}}},
    {"you are nice", 16, {{0}}},
};

START_TEST(test_near)
{
    quell_rules *rules = test_compile_text("near.cfg", RULES_NEAR);
    quell_error err;
    /* Through a .qdb: the steps survive serialisation and its checks. */
    char *data;
    size_t len;
    ck_assert_int_eq(quell_rules_serialize(rules, &data, &len, &err), QUELL_OK);
    quell_rules *loaded;
    ck_assert_int_eq(quell_rules_deserialize(&loaded, data, len, &err), QUELL_OK);
    free(data);
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new(&s, _i % 2 ? loaded : rules, &err), QUELL_OK);
    for (size_t c = 0; c < sizeof near_cases / sizeof near_cases[0]; c++) {
        const char *text = near_cases[c].text;
        const quell_verdict *v = test_scan_body(s, text);
        ck_assert_msg((int)v->score == near_cases[c].score, "\"%s\": score %g, want %d", text,
                      v->score, near_cases[c].score);
        size_t k = 0;
        for (size_t i = 0; i < v->hit_count; i++) {
            const quell_hit *h = &v->hits[i];
            if (strcmp(h->rule_id, "near2") != 0)
                continue;
            ck_assert_msg(k < 4 && near_cases[c].near2[k][1] != 0, "\"%s\": extra hit %zu-%zu",
                          text, h->start, h->end);
            ck_assert_msg(h->start == near_cases[c].near2[k][0] &&
                              h->end == near_cases[c].near2[k][1],
                          "\"%s\": hit %zu is %zu-%zu, want %zu-%zu", text, k, h->start, h->end,
                          near_cases[c].near2[k][0], near_cases[c].near2[k][1]);
            ck_assert_str_eq(h->pattern, "near(t.you, t.bad, 2)");
            ck_assert_ptr_eq(h->text, text + h->start);
            k++;
        }
        ck_assert_msg(k == 4 || near_cases[c].near2[k][1] == 0, "\"%s\": %zu hits of near2", text,
                      k);
        /* A combination under ! records no spans. */
        for (size_t i = 0; i < v->hit_count; i++)
            ck_assert_str_ne(v->hits[i].rule_id, "alone");
    }
    quell_scanner_free(s);
    quell_rules_release(loaded);
    quell_rules_release(rules);
}
END_TEST

/* Random comments of a few tokens: the combinations must agree with a
 * brute-force reading of the operands' hits (every pair, words counted one
 * by one), whatever the overlaps, orders and repeats. */
#define RULES_NEAR_RANDOM                                                                          \
    "version = 1;\n"                                                                               \
    "actions = { flag = 100.0; hold = 200.0; reject = 300.0; };\n"                                 \
    "categories = ( { name = \"c\"; } );\n"                                                        \
    "rules = (\n"                                                                                  \
    "  { id = \"a\"; category = \"c\"; weight = 0; words = [ \"aa\", \"aa bb\" ]; },\n"            \
    "  { id = \"b\"; category = \"c\"; weight = 0; words = [ \"bb\", \"cc\" ]; },\n"               \
    "  { id = \"n1\"; category = \"c\"; weight = 1; combine = \"near(a, b, 1)\"; },\n"             \
    "  { id = \"n2\"; category = \"c\"; weight = 2; combine = \"before(a, b, 2)\"; },\n"           \
    "  { id = \"n3\"; category = \"c\"; weight = 4; combine = \"near(b, b, 0)\"; },\n"             \
    "  { id = \"n4\"; category = \"c\"; weight = 8; combine = \"before(b, a, 0)\"; }\n"            \
    ");\n"

struct span_list {
    size_t start[64];
    size_t end[64];
    size_t count;
};

/* ASCII letters are the only word characters the random comments hold. */
static size_t ascii_words_between(const char *text, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        bool is_letter = text[i] >= 'a' && text[i] <= 'z';
        bool was_letter = i > 0 && text[i - 1] >= 'a' && text[i - 1] <= 'z';
        if (!is_letter || was_letter)
            continue;
        size_t e = i;
        while (e < to && text[e] >= 'a' && text[e] <= 'z')
            e++;
        bool ends_word = e == to ? !(text[e] >= 'a' && text[e] <= 'z') : true;
        n += ends_word;
    }
    return n;
}

static bool brute_near(const char *text, const struct span_list *x, const struct span_list *y,
                       size_t words, bool is_ordered, bool is_same)
{
    for (size_t i = 0; i < x->count; i++) {
        for (size_t j = 0; j < y->count; j++) {
            if (is_same && i == j)
                continue;
            size_t d;
            if (y->start[j] >= x->end[i])
                d = ascii_words_between(text, x->end[i], y->start[j]);
            else if (is_ordered)
                continue;
            else if (x->start[i] >= y->end[j])
                d = ascii_words_between(text, y->end[j], x->start[i]);
            else
                d = 0;
            if (d <= words)
                return true;
        }
    }
    return false;
}

START_TEST(test_near_random)
{
    static const char *const tokens[] = {"aa", "bb", "cc", "x", "yy", ",", "!!", "aa bb"};
    static const char *const gaps[] = {" ", " ", ", ", " - "};
    quell_rules *rules = test_compile_text("near_random.cfg", RULES_NEAR_RANDOM);
    quell_error err;
    quell_scanner *s;
    ck_assert_int_eq(quell_scanner_new(&s, rules, &err), QUELL_OK);
    uint64_t rng = 13;
    for (int round = 0; round < 2000; round++) {
        char text[256] = "";
        int n = 1 + (int)(test_rng(&rng) % 12);
        for (int k = 0; k < n; k++) {
            strcat(text, tokens[test_rng(&rng) % 8]);
            strcat(text, gaps[test_rng(&rng) % 4]);
        }
        const quell_verdict *v = test_scan_body(s, text);
        struct span_list a = {{0}, {0}, 0}, b = {{0}, {0}, 0};
        for (size_t i = 0; i < v->hit_count; i++) {
            struct span_list *l = strcmp(v->hits[i].rule_id, "a") == 0   ? &a
                                  : strcmp(v->hits[i].rule_id, "b") == 0 ? &b
                                                                         : NULL;
            if (l) {
                l->start[l->count] = v->hits[i].start;
                l->end[l->count++] = v->hits[i].end;
            }
        }
        int want = brute_near(text, &a, &b, 1, false, false) * 1 +
                   brute_near(text, &a, &b, 2, true, false) * 2 +
                   brute_near(text, &b, &b, 0, false, true) * 4 +
                   brute_near(text, &b, &a, 0, true, false) * 8;
        ck_assert_msg((int)v->score == want, "\"%s\": score %g, want %d", text, v->score, want);
    }
    quell_scanner_free(s);
    quell_rules_release(rules);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("Core");
    /* Each test compiles two small rule sets: well under a second, but
     * AddressSanitizer and ThreadSanitizer slow Hyperscan's compiler down
     * several times, and the machine may be busy. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_id_is_content);
    tcase_add_loop_test(tc, test_bad_label, 0, sizeof bad_labels / sizeof bad_labels[0]);
    tcase_add_test(tc, test_scanner_holds_rules);
    tcase_add_test(tc, test_rebind);
    tcase_add_test(tc, test_newer_struct_version_refused);
    tcase_add_test(tc, test_engine_swap_and_reload);
    tcase_add_loop_test(tc, test_near, 0, 2);
    tcase_add_test(tc, test_near_random);
    suite_add_tcase(s, tc);

    TCase *live = tcase_create("Live");
    tcase_set_timeout(live, 300);
    tcase_add_test(live, test_swap_under_scanning);
    suite_add_tcase(s, live);
    return s;
}
