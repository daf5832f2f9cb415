/*
 * fuzz_scan.c - normalisation and scanning of arbitrary bytes with the
 * shipped rules ($QUELL_FUZZ_RULES, default build/default.qdb, else
 * rules/default.cfg, loaded once). Every verdict is checked: each hit span
 * inside its field's original text, start <= end, both on UTF-8 character
 * boundaries, the hit text pointing at the span; the JSON written for it
 * parses; censoring keeps the character count. Each view of the text must be
 * valid UTF-8. A violated invariant aborts.
 *
 * The first input byte, when odd, splits the rest in two: the author (as
 * many bytes as the second byte says, at most) and the body.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "quell.h"
#include "utf8.h"

static quell_rules *rules;
static quell_scanner *scanner;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("QUELL_FUZZ_RULES");
    if (!path || !path[0])
        path = access("build/default.qdb", R_OK) == 0 ? "build/default.qdb" : "rules/default.cfg";
    quell_error err;
    if (quell_rules_load(&rules, path, &err) != QUELL_OK) {
        fprintf(stderr, "fuzz_scan: %s:%d: %s (set QUELL_FUZZ_RULES)\n", err.file, err.line,
                err.message);
        abort();
    }
    FUZZ_ASSERT(quell_scanner_new(&scanner, rules, NULL) == QUELL_OK);
    return 0;
}

static bool is_boundary(const char *s, size_t len, size_t off)
{
    return off == 0 || off == len || ((unsigned char)s[off] & 0xC0) != 0x80;
}

static size_t char_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static void check_hit(const quell_comment *c, const quell_hit *h)
{
    FUZZ_ASSERT((unsigned int)h->field < QUELL_FIELD_COUNT);
    const char *text = c->text[h->field];
    size_t len = c->text_len[h->field];
    FUZZ_ASSERT(text != NULL);
    FUZZ_ASSERT(h->start <= h->end && h->end <= len);
    FUZZ_ASSERT(is_boundary(text, len, h->start) && is_boundary(text, len, h->end));
    FUZZ_ASSERT(h->text == text + h->start);
    FUZZ_ASSERT(h->rule_id && h->category && h->view && h->pattern);
}

static void check_verdict(const quell_comment *c, const quell_verdict *v)
{
    FUZZ_ASSERT(v->action >= QUELL_PASS && v->action <= QUELL_REJECT);
    FUZZ_ASSERT(v->score == v->score);
    for (size_t i = 0; i < v->hit_count; i++) {
        check_hit(c, &v->hits[i]);
        if (i > 0) /* ordered by field, then start */
            FUZZ_ASSERT(v->hits[i - 1].field < v->hits[i].field ||
                        (v->hits[i - 1].field == v->hits[i].field &&
                         v->hits[i - 1].start <= v->hits[i].start));
    }
    for (size_t i = 0; i < v->excused_count; i++)
        check_hit(c, &v->excused[i].hit);
    for (size_t i = 0; i < v->rule_count; i++)
        FUZZ_ASSERT(v->rules[i].count > 0 && v->rules[i].index < quell_rules_rule_count(rules));

    /* The verdict's JSON parses. */
    static char json[1 << 16];
    size_t need = quell_verdict_to_json(v, "1", 1, json, sizeof json);
    if (need < sizeof json) {
        cJSON *tree = cJSON_ParseWithLength(json, need);
        FUZZ_ASSERT(tree != NULL);
        cJSON_Delete(tree);
    }
    /* Censoring keeps every character in place. */
    const char *body = c->text[QUELL_FIELD_BODY];
    size_t body_len = c->text_len[QUELL_FIELD_BODY];
    static char censored[1 << 16];
    need = quell_censor(v, QUELL_FIELD_BODY, body, body_len, '*', censored, sizeof censored);
    if (need < sizeof censored) {
        size_t bad;
        FUZZ_ASSERT(utf8_valid(censored, need, &bad));
        FUZZ_ASSERT(char_count(censored, need) == char_count(body, body_len));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    quell_comment c = QUELL_COMMENT_INIT;
    if ((data[0] & 1) && len > 0) {
        size_t author_len = (unsigned char)text[0] % len;
        c.text[QUELL_FIELD_AUTHOR] = text + 1;
        c.text_len[QUELL_FIELD_AUTHOR] = author_len;
        c.text[QUELL_FIELD_BODY] = text + 1 + author_len;
        c.text_len[QUELL_FIELD_BODY] = len - 1 - author_len;
    } else {
        c.text[QUELL_FIELD_BODY] = text;
        c.text_len[QUELL_FIELD_BODY] = len;
    }
    size_t bad;
    bool is_valid = utf8_valid(c.text[QUELL_FIELD_BODY], c.text_len[QUELL_FIELD_BODY], &bad) &&
                    (!c.text[QUELL_FIELD_AUTHOR] ||
                     utf8_valid(c.text[QUELL_FIELD_AUTHOR], c.text_len[QUELL_FIELD_AUTHOR], &bad));

    const quell_verdict *v;
    quell_error err;
    int rc = quell_scan(scanner, &c, &v, &err);
    FUZZ_ASSERT((rc == QUELL_OK) == is_valid);
    if (rc == QUELL_OK)
        check_verdict(&c, v);
    else
        FUZZ_ASSERT(rc == QUELL_EINPUT && err.code == rc);

    static const quell_view views[] = {QUELL_VIEW_RAW, QUELL_VIEW_FOLDED, QUELL_VIEW_SKELETON};
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        const char *out;
        size_t out_len;
        rc = quell_scanner_view(scanner, views[i], c.text[QUELL_FIELD_BODY],
                                c.text_len[QUELL_FIELD_BODY], &out, &out_len, NULL);
        bool body_valid = utf8_valid(c.text[QUELL_FIELD_BODY], c.text_len[QUELL_FIELD_BODY], &bad);
        FUZZ_ASSERT((rc == QUELL_OK) == body_valid);
        if (rc == QUELL_OK) {
            FUZZ_ASSERT(out != NULL || out_len == 0);
            FUZZ_ASSERT(out_len == 0 || utf8_valid(out, out_len, &bad));
        }
    }
    return 0;
}
