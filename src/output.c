/*
 * output.c - the JSON writer: verdicts and error records appended straight
 * into the caller's buffer; building a cJSON tree per record would cost as
 * much as the scan itself.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "output.h"
#include "rules.h"

void out_init(struct out_buf *b, char *dst, size_t cap)
{
    assert(dst || cap == 0);
    b->p = dst;
    b->len = 0;
    b->cap = cap;
}

void out_append_str(struct out_buf *b, const char *s)
{
    out_append(b, s, strlen(s));
}

size_t out_finish(struct out_buf *b)
{
    if (b->cap > 0)
        b->p[b->len < b->cap ? b->len : b->cap - 1] = '\0';
    return b->len;
}

/*
 * The length of the well-formed UTF-8 sequence that starts at s[0] (a byte
 * >= 0x80), or 0 if there is none: overlong forms, surrogates, code points
 * above U+10FFFF and sequences cut short by n are all refused.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;

    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c < 0xF5) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    return need;
}

static void append_escape(struct out_buf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};

    switch (c) {
    case '"':
        out_append(b, "\\\"", 2);
        break;
    case '\\':
        out_append(b, "\\\\", 2);
        break;
    case '\b':
        out_append(b, "\\b", 2);
        break;
    case '\f':
        out_append(b, "\\f", 2);
        break;
    case '\n':
        out_append(b, "\\n", 2);
        break;
    case '\r':
        out_append(b, "\\r", 2);
        break;
    case '\t':
        out_append(b, "\\t", 2);
        break;
    default:
        out_append(b, esc, sizeof esc);
        break;
    }
}

void out_append_json_string(struct out_buf *b, const char *s, size_t len)
{
    out_append(b, "\"", 1);
    out_append_json_string_bare(b, s, len);
    out_append(b, "\"", 1);
}

void out_append_json_string_bare(struct out_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet appended */
    size_t i = 0;

    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\') {
                i++;
                continue;
            }
            out_append(b, s + run, i - run);
            append_escape(b, c);
            run = ++i;
            continue;
        }
        size_t k = utf8_seq_len(u + i, len - i);
        if (k == 3 && c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
            /* U+2028/U+2029 are valid JSON but end a line in JavaScript. */
            out_append(b, s + run, i - run);
            out_append(b, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            i += 3;
            run = i;
        } else if (k > 0) {
            i += k;
        } else {
            out_append(b, s + run, i - run);
            out_append(b, "\\ufffd", 6);
            run = ++i;
        }
    }
    out_append(b, s + run, i - run);
}

void out_append_uint(struct out_buf *b, uint64_t v)
{
    char tmp[20]; /* UINT64_MAX has 20 digits */
    char *p = tmp + sizeof tmp;

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void out_append_score(struct out_buf *b, int64_t milli)
{
    /* Negate in unsigned arithmetic so INT64_MIN has a magnitude too. */
    uint64_t mag = milli < 0 ? (uint64_t)0 - (uint64_t)milli : (uint64_t)milli;
    unsigned frac = (unsigned)(mag % SCORE_UNIT);

    if (milli < 0)
        out_append(b, "-", 1);
    out_append_uint(b, mag / SCORE_UNIT);
    if (frac) {
        char digits[4] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                          (char)('0' + frac % 10)};
        size_t n = sizeof digits;
        while (digits[n - 1] == '0')
            n--;
        out_append(b, digits, n);
    }
}

size_t out_json_string(char *dst, size_t cap, const char *s, size_t len)
{
    struct out_buf b;
    out_init(&b, dst, cap);
    out_append_json_string(&b, s, len);
    return out_finish(&b);
}

size_t out_score(char *dst, size_t cap, int64_t milli)
{
    struct out_buf b;
    out_init(&b, dst, cap);
    out_append_score(&b, milli);
    return out_finish(&b);
}

/* A verdict's double, a multiple of 0.001, back to exact fixed point. */
void out_append_double_score(struct out_buf *b, double score)
{
    assert(isfinite(score));
    double scaled = score * SCORE_UNIT;
    /* Clamp before llround: out of range is undefined, and NaN has no value. */
    if (!(scaled > -9.2e18))
        scaled = isnan(scaled) ? 0 : -9.2e18;
    else if (scaled > 9.2e18)
        scaled = 9.2e18;
    out_append_score(b, (int64_t)llround(scaled));
}

void out_append_field_name(struct out_buf *b, quell_field field)
{
    const char *name = quell_field_name(field);
    assert(name);
    if (name) {
        out_append_lit(b, "\"");
        out_append_str(b, name);
        out_append_lit(b, "\"");
    } else {
        out_append_lit(b, "null");
    }
}

/* A string owned by the rules: NULL only through a bug, written as null. */
void out_append_name(struct out_buf *b, const char *s)
{
    assert(s);
    if (s)
        out_append_json_string(b, s, strlen(s));
    else
        out_append_lit(b, "null");
}

void out_append_id(struct out_buf *b, const char *id_json, size_t id_len)
{
    out_append_lit(b, "{\"id\":");
    if (id_json && id_len > 0)
        out_append(b, id_json, id_len);
    else
        out_append_lit(b, "null");
}

/* `,"action":"NAME","score":`, whole for the actions there are. */
static void append_action(struct out_buf *b, quell_action action)
{
    switch (action) {
    case QUELL_PASS:
        out_append_lit(b, ",\"action\":\"pass\",\"score\":");
        break;
    case QUELL_FLAG:
        out_append_lit(b, ",\"action\":\"flag\",\"score\":");
        break;
    case QUELL_HOLD:
        out_append_lit(b, ",\"action\":\"hold\",\"score\":");
        break;
    case QUELL_REJECT:
        out_append_lit(b, ",\"action\":\"reject\",\"score\":");
        break;
    default:
        out_append_lit(b, ",\"action\":\"");
        out_append_str(b, quell_action_name(action));
        out_append_lit(b, "\",\"score\":");
        break;
    }
}

/* The context object: what the comment's context knew of it. */
static void append_context(struct out_buf *b, const quell_context_facts *c)
{
    out_append_lit(b, "{");
    if (c->is_fingerprinted) {
        out_append_lit(b, "\"campaign\":{\"copies\":");
        out_append_uint(b, c->campaign_copies);
        out_append_lit(b, ",\"authors\":");
        out_append_uint(b, c->campaign_authors);
        out_append_lit(b, ",\"first\":");
        /* JSON text already: an id as the record gave it. */
        size_t len = strnlen(c->campaign_first, sizeof c->campaign_first);
        if (len > 0)
            out_append(b, c->campaign_first, len);
        else
            out_append_lit(b, "null");
        out_append(b, "}", 1);
    }
    if (c->is_common)
        out_append_lit(b, "\"campaign\":{\"common\":true}");
    if (c->has_author) {
        out_append_str(b, c->is_fingerprinted || c->is_common ? ",\"author\":{\"rate\":"
                                                              : "\"author\":{\"rate\":");
        out_append_uint(b, c->author_rate);
        out_append_lit(b, ",\"repeats\":");
        out_append_uint(b, c->author_repeats);
        out_append_lit(b, ",\"held\":");
        out_append_uint(b, c->author_held);
        out_append(b, "}", 1);
    }
    out_append(b, "}", 1);
}

/* Everything of a verdict's line but its closing brace. */
static void append_verdict(struct out_buf *bp, const quell_verdict *v, const char *id_json,
                           size_t id_len)
{
    struct out_buf b = *bp;
    assert(v);
    out_append_id(&b, id_json, id_len);
    append_action(&b, v->action);
    out_append_double_score(&b, v->score);
    if (v->rules_id) {
        /* Hex digits: nothing to escape. */
        out_append_lit(&b, ",\"rules_id\":\"");
        out_append_str(&b, v->rules_id);
        out_append(&b, "\"", 1);
    }

    int has_category = 0;
    for (size_t i = 0; i < v->category_count; i++) {
        if (v->category_scores[i] == 0)
            continue;
        assert(v->category_names);
        out_append_str(&b, has_category ? "," : ",\"categories\":{");
        out_append_name(&b, v->category_names ? v->category_names[i] : NULL);
        out_append(&b, ":", 1);
        out_append_double_score(&b, v->category_scores[i]);
        has_category = 1;
    }
    if (has_category)
        out_append(&b, "}", 1);

    for (size_t i = 0; i < v->rule_count; i++) {
        const quell_rule_result *r = &v->rules[i];
        out_append_str(&b, i ? ",{\"id\":" : ",\"rules\":[{\"id\":");
        out_append_name(&b, r->rule_id);
        out_append_lit(&b, ",\"category\":");
        out_append_name(&b, r->category);
        out_append_lit(&b, ",\"count\":");
        out_append_uint(&b, r->count);
        out_append_lit(&b, ",\"score\":");
        out_append_double_score(&b, r->score);
        out_append(&b, "}", 1);
    }
    if (v->rule_count)
        out_append(&b, "]", 1);

    for (size_t i = 0; i < v->hit_count; i++) {
        const quell_hit *h = &v->hits[i];
        assert(h->start <= h->end);
        out_append_str(&b, i ? ",{\"rule\":" : ",\"hits\":[{\"rule\":");
        out_append_name(&b, h->rule_id);
        out_append_lit(&b, ",\"category\":");
        out_append_name(&b, h->category);
        out_append_lit(&b, ",\"field\":");
        out_append_field_name(&b, h->field);
        out_append_lit(&b, ",\"start\":");
        out_append_uint(&b, h->start);
        out_append_lit(&b, ",\"end\":");
        out_append_uint(&b, h->end);
        out_append_lit(&b, ",\"text\":");
        out_append_json_string(&b, h->text, h->end - h->start);
        out_append(&b, "}", 1);
    }
    if (v->hit_count)
        out_append(&b, "]", 1);

    if (v->is_truncated)
        out_append_lit(&b, ",\"truncated\":true");
    *bp = b;
}

/* The last member and the line's end: `,"context":{...}` when the verdict
 * was decided in a context (the last member, so that `quell filter -j`
 * can add it to a line written before its context was known), then the
 * closing brace. */
static void append_end(struct out_buf *b, const quell_verdict *v)
{
    if (v->context) {
        out_append_lit(b, ",\"context\":");
        append_context(b, v->context);
    }
    out_append_lit(b, "}\n");
}

size_t quell_context_facts_to_json(const quell_context_facts *facts, char *buf, size_t buf_size)
{
    struct out_buf b;
    out_init(&b, buf, buf_size);
    append_context(&b, facts);
    return out_finish(&b);
}

size_t quell_verdict_to_json(const quell_verdict *verdict, const char *id_json, size_t id_len,
                             char *buf, size_t buf_size)
{
    struct out_buf b;
    out_init(&b, buf, buf_size);
    append_verdict(&b, verdict, id_json, id_len);
    append_end(&b, verdict);
    return out_finish(&b);
}

/* A field's text as a JSON string with each hit character replaced by
 * mask: unmasked stretches go through the escaper whole. */
void out_append_censored(struct out_buf *b, const quell_verdict *v, quell_field field,
                         const char *body, size_t len, char mask)
{
    out_append(b, "\"", 1);
    size_t done = 0; /* body bytes written */
    for (size_t h = 0; h < v->hit_count; h++) {
        const quell_hit *hit = &v->hits[h];
        if (hit->field != field || hit->end <= done || hit->end > len)
            continue;
        size_t from = hit->start > done ? hit->start : done;
        out_append_json_string_bare(b, body + done, from - done);
        for (size_t i = from; i < hit->end; i++) {
            if (((unsigned char)body[i] & 0xC0) != 0x80)
                out_append_json_string_bare(b, &mask, 1);
        }
        done = hit->end;
    }
    out_append_json_string_bare(b, body + done, len - done);
    out_append(b, "\"", 1);
}

size_t quell_verdict_to_json_censored(const quell_verdict *verdict, const char *id_json,
                                      size_t id_len, const char *body, size_t body_len, char mask,
                                      char *buf, size_t buf_size)
{
    struct out_buf b;
    out_init(&b, buf, buf_size);
    append_verdict(&b, verdict, id_json, id_len);
    out_append_lit(&b, ",\"censored\":");
    if (body)
        out_append_censored(&b, verdict, QUELL_FIELD_BODY, body, body_len, mask);
    else
        out_append_lit(&b, "null");
    append_end(&b, verdict);
    return out_finish(&b);
}

size_t quell_error_to_json(const char *id_json, size_t id_len, const char *message, char *buf,
                           size_t buf_size)
{
    struct out_buf b;

    out_init(&b, buf, buf_size);
    out_append_id(&b, id_json, id_len);
    out_append_lit(&b, ",\"action\":\"error\",\"error\":");
    if (!message)
        message = "unknown error";
    out_append_json_string(&b, message, strlen(message));
    out_append_lit(&b, "}\n");
    return out_finish(&b);
}
