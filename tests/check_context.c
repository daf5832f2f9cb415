/*
 * check_context.c - a comment in its context (context.c, context_file.c):
 * copies across authors cluster and short common comments do not; the
 * windows forget by count and by age; an author's rate, repeats and held
 * comments; memory that stays flat; save and load; context rules in the
 * verdict.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suites.h"

static quell_rules *rules;
static quell_scanner *scanner;

static void setup(void)
{
    test_open_rules(test_path("tests/fixtures/context/context.cfg"), &rules, &scanner);
}

static void teardown(void)
{
    test_close_rules(rules, scanner);
    rules = NULL;
    scanner = NULL;
}

static quell_context *new_context(size_t window, double seconds, size_t authors)
{
    quell_context_options o = QUELL_CONTEXT_OPTIONS_INIT;
    o.window_comments = window;
    o.window_seconds = seconds;
    o.max_authors = authors;
    quell_context *ctx = NULL;
    quell_error err;
    int rc = quell_context_new(&ctx, &o, &err);
    ck_assert_msg(rc == QUELL_OK, "%s", err.message);
    return ctx;
}

/* Decide a comment (author may be NULL) posted at second t, with id, as
 * an action-pass comment; returns its facts. */
static quell_context_facts decide(quell_context *ctx, const char *id, const char *author,
                                  int64_t t, const char *body)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    if (author) {
        c.text[QUELL_FIELD_AUTHOR] = author;
        c.text_len[QUELL_FIELD_AUTHOR] = strlen(author);
    }
    quell_context_note note;
    quell_error err;
    ck_assert_int_eq(quell_context_note_make(scanner, &c, &note, &err), QUELL_OK);
    quell_context_meta meta = QUELL_CONTEXT_META_INIT;
    meta.id_json = id;
    meta.id_len = id ? strlen(id) : 0;
    meta.time_ms = t * 1000;
    quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket;
    ck_assert_int_eq(quell_context_decide(ctx, &note, &meta, QUELL_PASS, &facts, &ticket, &err),
                     QUELL_OK);
    return facts;
}

/* A scam as pasted, and the ways campaigns disguise their copies. */
static const char *const scam = "Earn 500 dollars a day working from home, message me on "
                                "telegram now and start today";
static const char *const copies[] = {
    "Earn 500 dollars a day working from home, message me on telegram now and start today",
    /* a word changed, one added */
    "Earn 500 dollars a week working from home, message me on telegram now and start today!",
    /* emoji, punctuation, case */
    "EARN 500 DOLLARS A DAY working from home 💰💰 message me on TELEGRAM now... start today",
    /* Cyrillic look-alikes, leetspeak, dots and stretched letters */
    "Eаrn 500 dоllаrs a dаy w0rking fr0m h.o.m.e, messsssage me on telegrаm now and start today",
    /* the number, a link and a handle changed or added */
    "Earn 900 dollars a day working from home, message me on telegram now and start today "
    "https://bit.ly/Zx91 @cash_now",
};

START_TEST(test_copies_cluster)
{
    quell_context *ctx = new_context(0, 0, 0);
    char id[16], author[16];
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
        snprintf(id, sizeof id, "\"c%zu\"", i);
        snprintf(author, sizeof author, "u%zu", i);
        quell_context_facts f = decide(ctx, id, author, 100 + (int64_t)i, copies[i]);
        ck_assert_int_eq(f.is_fingerprinted, 1);
        ck_assert_msg(f.campaign_copies == i + 1, "copy %zu: %u copies", i, f.campaign_copies);
        ck_assert_uint_eq(f.campaign_authors, i + 1);
        ck_assert_str_eq(f.campaign_first, "\"c0\"");
    }
    /* Something else entirely starts its own cluster. */
    quell_context_facts f = decide(ctx, "\"x\"", "u9", 200,
                                   "The strike on the port killed four people, the ministry said");
    ck_assert_uint_eq(f.campaign_copies, 1);
    ck_assert_str_eq(f.campaign_first, "\"x\"");
    quell_context_free(ctx);
}
END_TEST

/* Short common comments are not fingerprinted: many authors say them. */
static const char *const common[] = {
    "thanks", "Great article!", "well said 👏", "شكرا", "الله يرحمهم", "+1", "😂😂😂", "so sad",
};

START_TEST(test_short_common_not_copies)
{
    quell_context *ctx = new_context(0, 0, 0);
    for (int k = 0; k < 20; k++) {
        char author[16];
        snprintf(author, sizeof author, "u%d", k);
        quell_context_facts f = decide(ctx, NULL, author, 100 + k, common[_i]);
        ck_assert_int_eq(f.is_fingerprinted, 0);
        ck_assert_uint_eq(f.campaign_copies, 0);
        ck_assert_uint_eq(f.campaign_authors, 0);
    }
    quell_context_free(ctx);
}
END_TEST

/* A note made right after the scan (reusing its skeleton view) is the
 * note made from scratch, whatever the author field made the scanner do. */
START_TEST(test_note_after_scan_same)
{
    quell_scanner *fresh;
    quell_error err;
    ck_assert_int_eq(quell_scanner_new(&fresh, rules, &err), QUELL_OK);
    for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++) {
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = copies[i];
        c.text_len[QUELL_FIELD_BODY] = strlen(copies[i]);
        c.text[QUELL_FIELD_AUTHOR] = "f.u.c.k Y0U idiot";
        c.text_len[QUELL_FIELD_AUTHOR] = strlen("f.u.c.k Y0U idiot");
        const quell_verdict *v;
        ck_assert_int_eq(quell_scan(scanner, &c, &v, &err), QUELL_OK);
        quell_context_note a, b;
        ck_assert_int_eq(quell_context_note_make(scanner, &c, &a, &err), QUELL_OK);
        ck_assert_int_eq(quell_context_note_make(fresh, &c, &b, &err), QUELL_OK);
        ck_assert_mem_eq(&a, &b, sizeof a);
    }
    quell_scanner_free(fresh);
}
END_TEST

/* A comment alike to a common phrase is never a copy, however many
 * authors write it; the same phrase with more to it is. */
START_TEST(test_common_phrases_not_copies)
{
    quell_context *ctx = new_context(0, 0, 0);
    static const char *const says[] = {
        "May God have mercy on their souls", "may god have mercy on their souls 🙏",
        "May God have mercy on all their souls", "MAY GOD HAVE MERCY ON THEIR SOULS!!",
    };
    char author[16];
    for (int k = 0; k < 12; k++) {
        snprintf(author, sizeof author, "u%d", k);
        quell_context_facts f = decide(ctx, NULL, author, k, says[k % 4]);
        ck_assert_int_eq(f.is_common, 1);
        ck_assert_int_eq(f.is_fingerprinted, 0);
        ck_assert_uint_eq(f.campaign_authors, 0);
    }
    for (int k = 0; k < 3; k++) {
        snprintf(author, sizeof author, "v%d", k);
        quell_context_facts f = decide(ctx, NULL, author, 20 + k,
                                       "May God have mercy on their souls, and send 50 dollars to "
                                       "our relief fund at paypal.me/relief now");
        ck_assert_int_eq(f.is_common, 0);
        ck_assert_uint_eq(f.campaign_authors, (uint32_t)k + 1);
    }
    quell_context_free(ctx);
    /* A phrase too short to fingerprint is refused where it is written. */
    quell_rules *r = NULL;
    quell_error err;
    const char *cfg = "version = 1;\nactions = { flag = 1; hold = 2; reject = 3; };\n"
                      "categories = ( { name = \"c\"; } );\n"
                      "common_phrases = [ \"a long enough phrase\",\n  \"ok!\" ];\n"
                      "rules = ( { id = \"r\"; category = \"c\"; weight = 1; words = [ \"w\" ]; } );\n";
    ck_assert_int_eq(quell_rules_compile(&r, test_write_temp("common.cfg", cfg), &err),
                     QUELL_ECONFIG);
    ck_assert_int_eq(err.line, 5);
    ck_assert_msg(strstr(err.message, "common phrase \"ok!\"") != NULL, "%s", err.message);
}
END_TEST

/* Copies without an author count as copies; one author's copies count once. */
START_TEST(test_authors_counted_once)
{
    quell_context *ctx = new_context(0, 0, 0);
    decide(ctx, NULL, NULL, 1, scam);
    decide(ctx, NULL, "u1", 2, scam);
    decide(ctx, NULL, "u1", 3, scam);
    quell_context_facts f = decide(ctx, NULL, "u2", 4, scam);
    ck_assert_uint_eq(f.campaign_copies, 4);
    ck_assert_uint_eq(f.campaign_authors, 2);
    ck_assert_str_eq(f.campaign_first, ""); /* its first had no id */
    quell_context_free(ctx);
}
END_TEST

/* The window forgets by count: a window of 10 holds 10 fingerprints. */
START_TEST(test_window_by_count)
{
    quell_context *ctx = new_context(10, 0, 0);
    decide(ctx, NULL, "u0", 1, scam);
    decide(ctx, NULL, "u1", 2, scam);
    char body[96];
    for (int k = 0; k < 9; k++) {
        snprintf(body, sizeof body, "Unrelated comment number %c%c about the news of the day",
                 'a' + k, 'z' - k);
        decide(ctx, NULL, "v", 3 + k, body);
    }
    /* Both copies are out of the window: the next starts again. */
    quell_context_facts f = decide(ctx, NULL, "u2", 20, scam);
    ck_assert_uint_eq(f.campaign_copies, 1);
    ck_assert_uint_eq(f.campaign_authors, 1);
    quell_context_free(ctx);
}
END_TEST

/* ... and by age. */
START_TEST(test_window_by_age)
{
    quell_context *ctx = new_context(0, 600, 0);
    decide(ctx, "1", "u0", 1000, scam);
    quell_context_facts f = decide(ctx, "2", "u1", 1599, scam);
    ck_assert_uint_eq(f.campaign_copies, 2);
    f = decide(ctx, "3", "u2", 1600, scam); /* the first is 600 s old: gone */
    ck_assert_uint_eq(f.campaign_copies, 2);
    ck_assert_uint_eq(f.campaign_authors, 2);
    ck_assert_str_eq(f.campaign_first, "1"); /* the cluster keeps its first id */
    f = decide(ctx, "4", "u3", 5000, scam);
    ck_assert_uint_eq(f.campaign_copies, 1);
    ck_assert_str_eq(f.campaign_first, "4");
    /* A comment older than the latest counts as posted at the latest. */
    f = decide(ctx, "5", "u4", 10, scam);
    ck_assert_uint_eq(f.campaign_copies, 2);
    quell_context_free(ctx);
}
END_TEST

START_TEST(test_author_rate_and_repeats)
{
    quell_context *ctx = new_context(0, 0, 0);
    static const char *const own[] = {
        "The ceasefire talks in Cairo stalled again on Tuesday",
        "Nobody asked the refugees what they want for their own future",
        "Sanctions hurt ordinary families far more than any minister",
        "Which reporter filed this from Beirut, the byline is missing",
        "Electricity in Aleppo is back for four hours a day, my cousin says",
        "I remember when the old bridge over the river was still standing",
    };
    for (int k = 0; k < 6; k++) {
        quell_context_facts f = decide(ctx, NULL, "flooder", 100 + k * 10, own[k]);
        ck_assert_int_eq(f.has_author, 1);
        ck_assert_uint_eq(f.author_rate, (uint32_t)k + 1);
        ck_assert_uint_eq(f.author_repeats, 1);
    }
    /* 60 s after the fifth, only the sixth is still in the rate window. */
    quell_context_facts f = decide(ctx, NULL, "flooder", 200, "hi");
    ck_assert_uint_eq(f.author_rate, 2);
    /* Repeats: the same text, even disguised, within the hour. */
    f = decide(ctx, NULL, "rep", 300, scam);
    ck_assert_uint_eq(f.author_repeats, 1);
    f = decide(ctx, NULL, "rep", 400, copies[3]);
    ck_assert_uint_eq(f.author_repeats, 2);
    f = decide(ctx, NULL, "rep", 500, "thanks"); /* short: its text alone */
    ck_assert_uint_eq(f.author_repeats, 1);
    f = decide(ctx, NULL, "rep", 600, "Thanks!!");
    ck_assert_uint_eq(f.author_repeats, 2);
    f = decide(ctx, NULL, "rep", 4400, scam); /* over an hour after the first two */
    ck_assert_uint_eq(f.author_repeats, 1);
    /* No author, no author facts. */
    f = decide(ctx, NULL, NULL, 4500, scam);
    ck_assert_int_eq(f.has_author, 0);
    ck_assert_uint_eq(f.author_rate, 0);
    quell_context_free(ctx);
}
END_TEST

/* Scan in a context: campaign.authors fires from the third author on,
 * campaign.link on a copy with a link; an author's held comments raise
 * the next one's score. */
static const quell_verdict *scan_ctx(quell_context *ctx, const char *id, const char *author,
                                     int64_t t, const char *body)
{
    quell_comment c = QUELL_COMMENT_INIT;
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    c.text[QUELL_FIELD_AUTHOR] = author;
    c.text_len[QUELL_FIELD_AUTHOR] = strlen(author);
    quell_context_meta meta = QUELL_CONTEXT_META_INIT;
    meta.id_json = id;
    meta.id_len = strlen(id);
    meta.time_ms = t * 1000;
    const quell_verdict *v;
    quell_error err;
    ck_assert_int_eq(quell_scan_context(scanner, ctx, &c, &meta, &v, &err), QUELL_OK);
    ck_assert_ptr_nonnull(v->context);
    return v;
}

static int has_rule(const quell_verdict *v, const char *id)
{
    for (size_t i = 0; i < v->rule_count; i++) {
        if (strcmp(v->rules[i].rule_id, id) == 0)
            return 1;
    }
    return 0;
}

START_TEST(test_scan_context_rules)
{
    quell_context *ctx = new_context(0, 0, 0);
    const quell_verdict *v = scan_ctx(ctx, "1", "a", 10, copies[0]);
    ck_assert_int_eq(v->action, QUELL_PASS);
    ck_assert(!has_rule(v, "campaign.copies"));
    v = scan_ctx(ctx, "2", "b", 20, copies[1]);
    ck_assert(has_rule(v, "campaign.copies"));
    ck_assert(!has_rule(v, "campaign.authors"));
    ck_assert_int_eq(v->action, QUELL_PASS);
    v = scan_ctx(ctx, "3", "c", 30, copies[4]); /* a third author, with a link */
    ck_assert(has_rule(v, "campaign.authors"));
    ck_assert(has_rule(v, "campaign.link"));
    ck_assert_int_eq(v->action, QUELL_REJECT); /* 6 + 4 + 1 (spam.link) */
    ck_assert_uint_eq(v->context->campaign_authors, 3);
    /* The JSON line ends with the context. */
    char buf[4096];
    size_t n = quell_verdict_to_json(v, "3", 1, buf, sizeof buf);
    ck_assert_uint_lt(n, sizeof buf);
    const char *tail = ",\"context\":{\"campaign\":{\"copies\":3,\"authors\":3,\"first\":1},"
                       "\"author\":{\"rate\":1,\"repeats\":1,\"held\":0}}}\n";
    ck_assert_msg(n > strlen(tail) && strcmp(buf + n - strlen(tail), tail) == 0, "%s", buf);

    /* Held twice, the third comment gets author.held (insult, 1.5). */
    v = scan_ctx(ctx, "4", "troll", 40, "you idiot");
    ck_assert_int_eq(v->action, QUELL_HOLD);
    v = scan_ctx(ctx, "5", "troll", 50, "what an idiot");
    ck_assert_int_eq(v->action, QUELL_HOLD);
    ck_assert_uint_eq(v->context->author_held, 1);
    v = scan_ctx(ctx, "6", "troll", 60, "I disagree with the minister");
    ck_assert_uint_eq(v->context->author_held, 2);
    ck_assert(has_rule(v, "author.held"));
    ck_assert_double_eq(v->score, 1.5);
    quell_context_free(ctx);
}
END_TEST

/* decide/settle by hand gives what quell_scan_context gives. */
START_TEST(test_settle_counts_final_action)
{
    quell_context *ctx = new_context(0, 0, 0);
    quell_comment c = QUELL_COMMENT_INIT;
    const char *body = "a plain remark about the weather";
    c.text[QUELL_FIELD_BODY] = body;
    c.text_len[QUELL_FIELD_BODY] = strlen(body);
    c.text[QUELL_FIELD_AUTHOR] = "z";
    c.text_len[QUELL_FIELD_AUTHOR] = 1;
    quell_context_note note;
    quell_error err;
    ck_assert_int_eq(quell_context_note_make(scanner, &c, &note, &err), QUELL_OK);
    quell_context_facts f = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket;
    ck_assert_int_eq(quell_context_decide(ctx, &note, NULL, QUELL_PASS, &f, &ticket, &err), QUELL_OK);
    quell_context_settle(ctx, &note, ticket, QUELL_REJECT); /* it ended rejected */
    ck_assert_int_eq(quell_context_decide(ctx, &note, NULL, QUELL_HOLD, &f, &ticket, &err), QUELL_OK);
    ck_assert_uint_eq(f.author_held, 1);
    ck_assert_int_eq(quell_context_decide(ctx, &note, NULL, QUELL_PASS, &f, &ticket, &err), QUELL_OK);
    ck_assert_uint_eq(f.author_held, 2);
    quell_context_free(ctx);
}
END_TEST

/* The least recently seen author goes first when the table is full. */
START_TEST(test_authors_lru)
{
    quell_context *ctx = new_context(0, 0, 2);
    decide(ctx, NULL, "a", 1, "hello");
    decide(ctx, NULL, "b", 2, "hello");
    decide(ctx, NULL, "a", 3, "hello"); /* a is now the most recent */
    decide(ctx, NULL, "c", 4, "hello"); /* b goes */
    quell_context_facts f = decide(ctx, NULL, "a", 5, "hello");
    ck_assert_uint_eq(f.author_rate, 3);
    f = decide(ctx, NULL, "b", 6, "hello");
    ck_assert_uint_eq(f.author_rate, 1); /* forgotten */
    quell_context_free(ctx);
}
END_TEST

/* Memory stays flat over a long stream: within its limit, and no more
 * after the windows filled than before. */
START_TEST(test_memory_flat)
{
    quell_context *ctx = new_context(500, 0, 300);
    size_t limit = quell_context_memory_limit(ctx);
    uint64_t rng = 7;
    char body[128], author[32];
    size_t at_fill = 0;
    for (int k = 0; k < 20000; k++) {
        uint64_t x = test_rng(&rng);
        snprintf(body, sizeof body, "comment %llx with words %llx and more words to fingerprint",
                 (unsigned long long)(x & 0xffffff), (unsigned long long)(x >> 40));
        snprintf(author, sizeof author, "u%llu", (unsigned long long)(x % 5000));
        decide(ctx, NULL, author, k / 10, body);
        ck_assert_uint_le(quell_context_memory(ctx), limit);
        if (k == 2000)
            at_fill = quell_context_memory(ctx);
    }
    ck_assert_uint_eq(quell_context_memory(ctx), at_fill);
    quell_context_free(ctx);
}
END_TEST

/* Save and load: the restored context decides the rest of a stream as
 * the one that went on would. */
START_TEST(test_save_load_resumes)
{
    quell_context *a = new_context(50, 0, 20);
    uint64_t rng = 11;
    char body[160], author[32], id[32];
    for (int k = 0; k < 120; k++) {
        uint64_t x = test_rng(&rng);
        if (x % 3 == 0)
            snprintf(body, sizeof body, "%s %d", copies[x % 5], (int)(x % 7));
        else
            snprintf(body, sizeof body, "A comment of its own, %llx, with enough letters",
                     (unsigned long long)x);
        snprintf(author, sizeof author, "u%d", (int)(x % 30));
        snprintf(id, sizeof id, "\"i%d\"", k);
        decide(a, id, author, k, body);
    }
    const char *path = test_write_temp("ctx.bin", "");
    quell_error err;
    ck_assert_int_eq(quell_context_save(a, path, &err), QUELL_OK);
    quell_context_options o = QUELL_CONTEXT_OPTIONS_INIT;
    o.window_comments = 50;
    o.max_authors = 20;
    quell_context *b = NULL;
    ck_assert_msg(quell_context_load(&b, path, &o, &err) == QUELL_OK, "%s", err.message);
    ck_assert_uint_eq(quell_context_memory(b) <= quell_context_memory_limit(b), 1);
    for (int k = 120; k < 200; k++) {
        uint64_t x = test_rng(&rng);
        snprintf(body, sizeof body, "%s", copies[x % 5]);
        snprintf(author, sizeof author, "u%d", (int)(x % 30));
        snprintf(id, sizeof id, "\"i%d\"", k);
        quell_context_facts fa = decide(a, id, author, k, body);
        quell_context_facts fb = decide(b, id, author, k, body);
        ck_assert_int_eq(memcmp(&fa, &fb, sizeof fa), 0);
    }
    /* Loaded into smaller bounds, it keeps the latest. */
    o.window_comments = 5;
    o.max_authors = 3;
    quell_context *c = NULL;
    ck_assert_int_eq(quell_context_load(&c, path, &o, &err), QUELL_OK);
    quell_context_free(c);
    quell_context_free(a);
    quell_context_free(b);
}
END_TEST

/* A damaged file is refused, whatever the damage: every cut and a flipped
 * byte anywhere. */
START_TEST(test_load_damaged)
{
    quell_context *a = new_context(20, 0, 10);
    decide(a, "\"x\"", "u1", 1, scam);
    decide(a, "\"y\"", "u2", 2, copies[1]);
    decide(a, NULL, "u3", 3, "hello there");
    const char *path = test_write_temp("good.ctx", "");
    quell_error err;
    ck_assert_int_eq(quell_context_save(a, path, &err), QUELL_OK);
    quell_context_free(a);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char data[8192];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    ck_assert_uint_gt(len, 32);
    ck_assert_uint_lt(len, sizeof data);
    char bad_path[4096];
    snprintf(bad_path, sizeof bad_path, "%s", test_write_temp("bad.ctx", ""));
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37)) {
        f = fopen(bad_path, "wb");
        fwrite(data, 1, cut, f);
        fclose(f);
        quell_context *c = NULL;
        ck_assert_int_eq(quell_context_load(&c, bad_path, NULL, &err), QUELL_EFORMAT);
        ck_assert_ptr_null(c);
    }
    for (size_t at = 0; at < len; at += 5) {
        char copy[8192];
        memcpy(copy, data, len);
        copy[at] ^= 0x40;
        f = fopen(bad_path, "wb");
        fwrite(copy, 1, len, f);
        fclose(f);
        quell_context *c = NULL;
        int rc = quell_context_load(&c, bad_path, NULL, &err);
        ck_assert_msg(rc == QUELL_EFORMAT, "byte %zu flipped: %d", at, rc);
    }
    quell_context *c = NULL;
    ck_assert_int_eq(quell_context_load(&c, "/nonexistent/ctx", NULL, &err), QUELL_EIO);
}
END_TEST

START_TEST(test_bad_arguments)
{
    quell_context_options o = QUELL_CONTEXT_OPTIONS_INIT;
    quell_context *ctx = NULL;
    quell_error err;
    o.similarity = 1.5;
    ck_assert_int_eq(quell_context_new(&ctx, &o, &err), QUELL_EINVAL);
    ck_assert_ptr_null(ctx);
    o.similarity = 0;
    o.window_seconds = -1;
    ck_assert_int_eq(quell_context_new(&ctx, &o, &err), QUELL_EINVAL);
    o.window_seconds = 0;
    o.version = 99;
    ck_assert_int_eq(quell_context_new(&ctx, &o, &err), QUELL_EINVAL);
    /* Scoring again needs a comment scanned. */
    quell_scanner *fresh;
    ck_assert_int_eq(quell_scanner_new(&fresh, rules, &err), QUELL_OK);
    quell_context_facts f = QUELL_CONTEXT_FACTS_INIT;
    quell_comment c = QUELL_COMMENT_INIT;
    const quell_verdict *v;
    ck_assert_int_eq(quell_scanner_apply_context(fresh, &c, &f, &v, &err), QUELL_EINVAL);
    quell_scanner_free(fresh);
    /* An id that is not JSON text, or too long, is not reported. */
    ctx = new_context(0, 0, 0);
    quell_context_facts g = decide(ctx, "\"broken", "a", 1, scam);
    ck_assert_str_eq(g.campaign_first, "");
    quell_context_free(ctx);
}
END_TEST

/* Threads sharing a context: each decision is whole, none is lost. */
struct worker_arg {
    quell_context *ctx;
    int base;
};

static void *hammer(void *p)
{
    struct worker_arg *w = p;
    quell_scanner *s;
    quell_error err;
    if (quell_scanner_new(&s, rules, &err) != QUELL_OK)
        return (void *)1;
    for (int k = 0; k < 200; k++) {
        char author[32];
        snprintf(author, sizeof author, "t%d", w->base + k);
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = scam;
        c.text_len[QUELL_FIELD_BODY] = strlen(scam);
        c.text[QUELL_FIELD_AUTHOR] = author;
        c.text_len[QUELL_FIELD_AUTHOR] = strlen(author);
        const quell_verdict *v;
        if (quell_scan_context(s, w->ctx, &c, NULL, &v, &err) != QUELL_OK)
            return (void *)1;
    }
    quell_scanner_free(s);
    return NULL;
}

START_TEST(test_threads_share)
{
    quell_context *ctx = new_context(0, 1e6, 0);
    pthread_t t[4];
    struct worker_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct worker_arg){ctx, i * 1000};
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        ck_assert_ptr_null(ret);
    }
    quell_context_facts f = decide(ctx, NULL, "last", 0, scam);
    ck_assert_uint_eq(f.campaign_copies, 801);
    ck_assert_uint_eq(f.campaign_authors, 801);
    quell_context_free(ctx);
}
END_TEST

Suite *context_suite(void)
{
    Suite *s = suite_create("context");
    TCase *tc = tcase_create("Context");
    tcase_set_timeout(tc, TEST_TIMEOUT_RULES);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_copies_cluster);
    tcase_add_loop_test(tc, test_short_common_not_copies, 0, sizeof common / sizeof common[0]);
    tcase_add_test(tc, test_authors_counted_once);
    tcase_add_test(tc, test_common_phrases_not_copies);
    tcase_add_test(tc, test_note_after_scan_same);
    tcase_add_test(tc, test_window_by_count);
    tcase_add_test(tc, test_window_by_age);
    tcase_add_test(tc, test_author_rate_and_repeats);
    tcase_add_test(tc, test_scan_context_rules);
    tcase_add_test(tc, test_settle_counts_final_action);
    tcase_add_test(tc, test_authors_lru);
    tcase_add_test(tc, test_memory_flat);
    tcase_add_test(tc, test_save_load_resumes);
    tcase_add_test(tc, test_load_damaged);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_threads_share);
    suite_add_tcase(s, tc);
    return s;
}
