/*
 * record.c - input records to comments: a TEXT line or NUL-framed bytes are
 * the body as given; a JSONL line is read without a tree and, once the
 * parser's buffers have grown, without allocating: its object member by
 * member, strings skipped with memchr, nested values in members not read
 * cut by jsmn (Debian's libjsmn-dev) into tokens the parser reuses and
 * checked over them, and only the fields asked for unescaped, into a buffer
 * of the parser's. jsmn over the whole record, a byte at a time through
 * what is mostly string, took twice as long (bench/json_parsers.c).
 */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One translation unit uses jsmn: its functions are static here. Strict, so
 * that only literals and numbers start a primitive and a primitive is no key;
 * with parent links, closing a container costs O(1), not a walk back. */
#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "clocale.h"
#include "error.h"
#include "output.h"
#include "utf8.h"
#include "util/grow.h"

/* The JSON members a record reads, indexing quell_record_parser.names. */
enum member { MEMBER_ID = 0, MEMBER_BODY, MEMBER_AUTHOR, MEMBER_LABEL, MEMBER_TIME, MEMBER_COUNT };

/* Containers nested deeper than this are refused, as cJSON does (its
 * CJSON_NESTING_LIMIT): the check below recurses once per level. */
#define JSON_NESTING_LIMIT 1000

/* One top-level member of a JSONL record: its key decoded (it may hold a
 * NUL), its value's bytes (a string's without its quotes) and kind. Offsets
 * index the record. */
struct member_span {
    const char *key;
    size_t key_len;
    size_t key_off; /* the key's opening quote */
    size_t value_off;
    size_t value_len;
    jsmntype_t value_type;
};

struct quell_record_parser {
    quell_format format;
    /* Point into names_buf; the label's and the time's are "" when unread. */
    const char *names[MEMBER_COUNT];
    size_t name_len[MEMBER_COUNT];
    char *names_buf;
    jsmntok_t *toks; /* the last nested value's tokens */
    unsigned int tok_cap;
    char *text; /* the last record's fields, unescaped, each NUL-terminated */
    size_t text_cap;
    char *buf; /* the last record's id as JSON text */
    size_t buf_cap;
    char label_buf[32]; /* the last record's label when it was a number */
    char *scratch;      /* a record's copy with its NULs made U+0001, for jsmn */
    size_t scratch_cap;
    struct member_span *members; /* the last JSONL record's top-level members */
    size_t member_cap;
    char *keys; /* their keys that had escapes, decoded */
    size_t keys_cap;
    quell_record record; /* the last record, handed out by quell_record_parse */
};

/* Grow *buf to hold need bytes; keeps the contents. */
static int grow(char **buf, size_t *cap, size_t need, quell_error *err)
{
    char *p = grow_array(*buf, cap, need, 1, 256, GROW_UNCAPPED);
    if (!p)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
    *buf = p;
    return QUELL_OK;
}

int quell_record_parser_new(quell_record_parser **out, quell_format format,
                            const quell_record_fields *fields, quell_error *err)
{
    assert(out);
    *out = NULL;
    if (format != QUELL_FORMAT_TEXT && format != QUELL_FORMAT_JSONL && format != QUELL_FORMAT_NUL)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL, "unknown record format %d", (int)format);

    const char *names[MEMBER_COUNT] = {"id", "body", "author", "", ""};
    if (fields && fields->version > QUELL_RECORD_FIELDS_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "quell_record_fields version %u is newer than this library's (%d)",
                       fields->version, QUELL_RECORD_FIELDS_VERSION);
    if (fields) {
        if (fields->id)
            names[MEMBER_ID] = fields->id;
        if (fields->body)
            names[MEMBER_BODY] = fields->body;
        if (fields->author)
            names[MEMBER_AUTHOR] = fields->author;
        if (fields->label)
            names[MEMBER_LABEL] = fields->label;
        /* Members a version-1 caller does not know are not read. */
        if (fields->version >= 2 && fields->time)
            names[MEMBER_TIME] = fields->time;
    }
    size_t total = 0;
    for (int i = 0; i < MEMBER_COUNT; i++) {
        /* Catch size_t overflow. */
        if (__builtin_add_overflow(total, strlen(names[i]) + 1, &total))
            return err_set(err, QUELL_EINVAL, NULL, 0, NULL, "field names too long");
    }

    quell_record_parser *p = calloc(1, sizeof *p);
    if (!p)
        goto fail_nomem;
    p->format = format;
    p->names_buf = malloc(total);
    if (!p->names_buf)
        goto fail_free_parser;
    char *dst = p->names_buf;
    for (int i = 0; i < MEMBER_COUNT; i++) {
        size_t n = strlen(names[i]);
        memcpy(dst, names[i], n + 1);
        p->names[i] = dst;
        p->name_len[i] = n;
        dst += n + 1;
    }
    *out = p;
    return QUELL_OK;

fail_free_parser:
    free(p);
fail_nomem:
    return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
}

void quell_record_parser_free(quell_record_parser *parser)
{
    if (!parser)
        return;
    free(parser->names_buf);
    free(parser->toks);
    free(parser->text);
    free(parser->buf);
    free(parser->scratch);
    free(parser->members);
    free(parser->keys);
    free(parser);
}

static int is_json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && is_json_space((unsigned char)s[i]))
        i++;
    return i;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits at s[0..4) as a number, or -1 if one is not hex. */
static int32_t hex4(const char *s)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value((unsigned char)s[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/*
 * Check every escape in s[0..n): a known letter, four hex digits after \u,
 * and UTF-16 surrogates only in pairs, high then low, once over the record:
 * strings are skipped without a look at their escapes, and jsmn would check
 * only the first two and name the string, not the escape. A backslash outside
 * a string is invalid JSON anyway, so walking escape pairs from the first
 * backslash of the record is exact. Returns 0, or -1 with *bad_off at the
 * offending backslash; *has_escape tells whether there is any. After it,
 * decode_string cannot fail.
 */
static int check_escapes(const char *s, size_t n, int *has_escape, size_t *bad_off)
{
    const char *end = s + n;
    const char *q = memchr(s, '\\', n);
    *has_escape = q != NULL;
    while (q) {
        if (end - q < 2)
            goto fail_bad;
        switch (q[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            q += 2;
            break;
        case 'u': {
            int32_t cp = end - q >= 6 ? hex4(q + 2) : -1;
            if (cp < 0 || (cp >= 0xDC00 && cp < 0xE000))
                goto fail_bad;
            if (cp >= 0xD800 && cp < 0xDC00) {
                int32_t lo = end - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8) : -1;
                if (lo < 0xDC00 || lo >= 0xE000)
                    goto fail_bad;
                q += 6;
            }
            q += 6;
            break;
        }
        default:
            goto fail_bad;
        }
        q = q < end ? memchr(q, '\\', (size_t)(end - q)) : NULL;
    }
    return 0;

fail_bad:
    *bad_off = (size_t)(q - s);
    return -1;
}

static size_t put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | cp >> 6);
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | cp >> 12);
        dst[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | cp >> 18);
    dst[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    dst[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Unescape the string body src[0..n) (quotes excluded), whose escapes
 * check_escapes has passed, into dst: the length written. No escape is
 * shorter than what it stands for, so dst needs n bytes at most. Runs
 * without a backslash are copied whole.
 */
static size_t decode_string(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    size_t j = 0;
    while (j < n) {
        const char *q = memchr(src + j, '\\', n - j);
        size_t run = q ? (size_t)(q - src) - j : n - j;
        memcpy(dst + o, src + j, run);
        o += run;
        j += run;
        if (!q)
            break;
        char c = src[j + 1];
        j += 2;
        switch (c) {
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(src + j);
            j += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                /* check_escapes saw the low half follow. */
                uint32_t lo = (uint32_t)hex4(src + j + 2);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                j += 6;
            }
            o += put_utf8(dst + o, cp);
            continue;
        }
        default:
            break; /* \" \\ \/ stand for themselves */
        }
        dst[o++] = c;
    }
    return o;
}

/* Whether s[0..n) is a number as JSON writes it: "01", "1." and "-.5" are
 * not, and a reader downstream would refuse the id echoed. */
static int is_json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        size_t digits = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == digits)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t digits = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == digits)
            return 0;
    }
    return i == n;
}

/* Whether s[0..n), a jsmn primitive, is a JSON literal or number. */
static int is_json_primitive(const char *s, size_t n)
{
    switch (s[0]) {
    case 't':
        return n == 4 && memcmp(s, "true", 4) == 0;
    case 'f':
        return n == 5 && memcmp(s, "false", 5) == 0;
    case 'n':
        return n == 4 && memcmp(s, "null", 4) == 0;
    default:
        return is_json_number(s, n);
    }
}

/* Where a token's text starts and ends in the record: jsmn leaves a
 * string's quotes out. */
static size_t tok_from(const jsmntok_t *t)
{
    return (size_t)t->start - (t->type == JSMN_STRING);
}

static size_t tok_to(const jsmntok_t *t)
{
    return (size_t)t->end + (t->type == JSMN_STRING);
}

/*
 * Check the value at token *i and everything in it, which jsmn has cut but
 * not checked: containers hold their separators and only those (jsmn lets a
 * comma or colon go missing or come twice), object keys are strings with one
 * value each, primitives are literals or numbers. On success *i is the token
 * after the value. Returns 0, or -1 with *bad_off at the first byte that does
 * not fit.
 */
static int check_value(quell_record_parser *p, const char *s, size_t n, int tok_count, int *i,
                       int depth, size_t *bad_off)
{
    const jsmntok_t *t = &p->toks[*i];
    (*i)++;
    if (t->type == JSMN_STRING || t->type == JSMN_PRIMITIVE) {
        if (t->size != 0) {
            /* jsmn hung a value on it: a colon where a comma belongs. */
            *bad_off = tok_to(t);
            return -1;
        }
        if (t->type == JSMN_PRIMITIVE &&
            !is_json_primitive(s + t->start, (size_t)(t->end - t->start))) {
            *bad_off = (size_t)t->start;
            return -1;
        }
        return 0;
    }
    if (depth >= JSON_NESTING_LIMIT) {
        *bad_off = (size_t)t->start;
        return -1;
    }
    int is_object = t->type == JSMN_OBJECT;
    size_t pos = (size_t)t->start + 1;
    for (int k = 0; k < t->size; k++) {
        pos = skip_space(s, n, pos);
        if (k > 0) {
            if (s[pos] != ',')
                goto fail_at_pos;
            pos = skip_space(s, n, pos + 1);
        }
        if (*i >= tok_count)
            goto fail_at_pos;
        const jsmntok_t *v = &p->toks[*i];
        if (is_object) {
            if (v->type != JSMN_STRING || v->size != 1 || pos != tok_from(v))
                goto fail_at_pos;
            pos = skip_space(s, n, tok_to(v));
            if (s[pos] != ':')
                goto fail_at_pos;
            pos = skip_space(s, n, pos + 1);
            if (++*i >= tok_count)
                goto fail_at_pos;
            v = &p->toks[*i];
        }
        if (pos != tok_from(v))
            goto fail_at_pos;
        if (check_value(p, s, n, tok_count, i, depth + 1, bad_off) < 0)
            return -1;
        pos = tok_to(v);
    }
    pos = skip_space(s, n, pos);
    if (pos + 1 != (size_t)t->end)
        goto fail_at_pos;
    return 0;

fail_at_pos:
    *bad_off = pos;
    return -1;
}

/* Cut s[0..n) into p->toks: *result is jsmn's, a count or an error.
 * Returns QUELL_OK, or QUELL_ENOMEM when the tokens cannot grow. */
static int tokenize(quell_record_parser *p, const char *s, size_t n, jsmn_parser *jp, int *result,
                    quell_error *err)
{
    jsmn_init(jp);
    for (;;) {
        /* Without tokens, jsmn only counts them. */
        if (p->toks) {
            *result = jsmn_parse(jp, s, n, p->toks, p->tok_cap);
            if (*result != JSMN_ERROR_NOMEM)
                return QUELL_OK;
        }
        /* jsmn resumes where it stopped once it has room. */
        size_t cap = p->tok_cap;
        jsmntok_t *grown = grow_array(p->toks, &cap, cap + 1, sizeof *grown, 64, INT_MAX);
        if (!grown)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
        p->toks = grown;
        p->tok_cap = (unsigned int)cap;
    }
}

/* Hand s[0..n) to jsmn, through a copy with every NUL made U+0001 if it
 * has any: a NUL ends jsmn's input, and the fields are judged for NULs when
 * they are read. *result is jsmn's. Returns QUELL_OK or QUELL_ENOMEM. */
static int tokenize_any(quell_record_parser *p, const char *s, size_t n, jsmn_parser *jp,
                        int *result, quell_error *err)
{
    if (memchr(s, '\0', n)) {
        int rc = grow(&p->scratch, &p->scratch_cap, n, err);
        if (rc < 0)
            return rc;
        memcpy(p->scratch, s, n);
        for (char *z = memchr(p->scratch, '\0', n); z;
             z = memchr(z, '\0', n - (size_t)(z - p->scratch)))
            *z = '\x01';
        s = p->scratch;
    }
    return tokenize(p, s, n, jp, result, err);
}

/* s[i] is a string's opening quote: the offset just past its closing
 * quote, or 0 when it has none. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    while (j < n) {
        const char *q = memchr(s + j, '"', n - j);
        if (!q)
            return 0;
        size_t k = (size_t)(q - s);
        /* The quote ends the string unless an odd run of backslashes escapes it. */
        size_t slashes = 0;
        while (k - slashes > i + 1 && s[k - slashes - 1] == '\\')
            slashes++;
        if (slashes % 2 == 0)
            return k + 1;
        j = k + 1;
    }
    return 0;
}

/* The end of the primitive that starts at s[i]: the next delimiter. */
static size_t skip_primitive(const char *s, size_t n, size_t i)
{
    while (i < n && !is_json_space((unsigned char)s[i]) && s[i] != ',' && s[i] != '}' &&
           s[i] != ']')
        i++;
    return i;
}

/*
 * The object or array that opens at s[i], at nesting depth `depth` (the
 * record's object is 0): its extent is found by matching brackets outside
 * strings, then jsmn cuts it into tokens and check_value checks them.
 * Nested values are rare in records, so jsmn's byte-at-a-time pace costs
 * little here. Containers too deep are refused before jsmn sees them: it
 * closes a bracket by walking up from the last token, so n nested brackets
 * would cost it n * n / 2 steps. Returns QUELL_OK with *end just past it,
 * QUELL_EINPUT with *bad_off, or QUELL_ENOMEM.
 */
static int check_container(quell_record_parser *p, const char *s, size_t n, size_t i, int depth,
                           size_t *end, size_t *bad_off, quell_error *err)
{
    size_t span = n - i; /* unclosed: jsmn says where it fails */
    size_t open = 0;
    for (size_t j = i; j < n;) {
        char c = s[j];
        if (c == '"') {
            j = skip_string(s, n, j);
            if (!j)
                break;
            continue;
        }
        if (c == '{' || c == '[') {
            if ((size_t)depth + open >= JSON_NESTING_LIMIT) {
                *bad_off = j;
                return QUELL_EINPUT;
            }
            open++;
        } else if ((c == '}' || c == ']') && --open == 0) {
            span = j + 1 - i;
            break;
        }
        j++;
    }
    jsmn_parser jp;
    int r = 0;
    int rc = tokenize_any(p, s + i, span, &jp, &r, err);
    if (rc < 0)
        return rc;
    const jsmntok_t *top = jp.toknext > 0 ? &p->toks[0] : NULL;
    if (r < 0 || !top || top->end < 0 || (size_t)top->end != span) {
        *bad_off = i + (jp.pos < span ? (size_t)jp.pos : span);
        return QUELL_EINPUT;
    }
    int k = 0;
    size_t bad = 0;
    if (check_value(p, s + i, span, (int)jp.toknext, &k, depth, &bad) < 0) {
        *bad_off = i + bad;
        return QUELL_EINPUT;
    }
    *end = i + span;
    return QUELL_OK;
}

/*
 * The record's object, s[0] being its '{', read member by member into
 * p->members (*count of them), its grammar checked on the way: strings are
 * skipped with memchr, which is most of a record's bytes, primitives must
 * be literals or numbers, and nested values go to check_container. Returns
 * QUELL_OK with *end just past the object, QUELL_EINPUT with *bad_off, or
 * QUELL_ENOMEM.
 */
static int scan_object(quell_record_parser *p, const char *s, size_t n, size_t *count, size_t *end,
                       size_t *bad_off, quell_error *err)
{
    size_t k = 0;
    size_t i = skip_space(s, n, 1);
    if (i < n && s[i] == '}')
        goto out;
    for (;;) {
        if (i >= n || s[i] != '"')
            goto fail_at_i;
        size_t key_end = skip_string(s, n, i);
        if (!key_end)
            goto fail_at_i;
        struct member_span *grown =
            grow_array(p->members, &p->member_cap, k + 1, sizeof *grown, 16, GROW_UNCAPPED);
        if (!grown)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
        p->members = grown;
        struct member_span *m = &p->members[k++];
        m->key = s + i + 1;
        m->key_len = key_end - i - 2;
        m->key_off = i;
        i = skip_space(s, n, key_end);
        if (i >= n || s[i] != ':')
            goto fail_at_i;
        i = skip_space(s, n, i + 1);
        if (i >= n)
            goto fail_at_i;
        size_t value_end;
        if (s[i] == '"') {
            value_end = skip_string(s, n, i);
            if (!value_end)
                goto fail_at_i;
            m->value_type = JSMN_STRING;
            m->value_off = i + 1;
            m->value_len = value_end - i - 2;
        } else if (s[i] == '{' || s[i] == '[') {
            int rc = check_container(p, s, n, i, 1, &value_end, bad_off, err);
            if (rc < 0)
                return rc;
            m->value_type = s[i] == '{' ? JSMN_OBJECT : JSMN_ARRAY;
            m->value_off = i;
            m->value_len = value_end - i;
        } else {
            value_end = skip_primitive(s, n, i);
            if (!is_json_primitive(s + i, value_end - i))
                goto fail_at_i;
            m->value_type = JSMN_PRIMITIVE;
            m->value_off = i;
            m->value_len = value_end - i;
        }
        i = skip_space(s, n, value_end);
        if (i < n && s[i] == ',') {
            i = skip_space(s, n, i + 1);
            continue;
        }
        if (i < n && s[i] == '}')
            break;
        goto fail_at_i;
    }
out:
    *count = k;
    *end = i + 1;
    return QUELL_OK;

fail_at_i:
    *bad_off = i;
    return QUELL_EINPUT;
}

/*
 * A record that is not an object is refused, but with the error a JSON
 * reader would give first: its value's own, then what follows it, then
 * that it is no object. Returns QUELL_EINPUT or QUELL_ENOMEM.
 */
static int refuse_non_object(quell_record_parser *p, const char *data, size_t len, size_t start,
                             quell_error *err)
{
    const char *s = data + start;
    size_t n = len - start;
    size_t end = 0;
    if (s[0] == '[') {
        size_t bad = 0;
        int rc = check_container(p, s, n, 0, 0, &end, &bad, err);
        if (rc == QUELL_EINPUT)
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu",
                           start + bad);
        if (rc < 0)
            return rc;
    } else if (s[0] == '"') {
        end = skip_string(s, n, 0);
        if (!end)
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start);
    } else {
        end = skip_primitive(s, n, 0);
        if (!is_json_primitive(s, end))
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start);
    }
    end = skip_space(s, n, end);
    if (end != n)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "trailing data after JSON at byte %zu",
                       start + end);
    return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "record is not a JSON object");
}

/*
 * The record's members, checked: escapes over the whole record first, then
 * the object, then that nothing follows it. On success p->members holds the
 * top-level members, *count of them, their offsets indexing data, and
 * *has_escape whether the record holds a backslash.
 */
static int read_object(quell_record_parser *p, const char *data, size_t len, size_t start,
                       size_t *count, int *has_escape, quell_error *err)
{
    const char *s = data + start;
    size_t n = len - start;
    size_t bad = 0;
    if (check_escapes(s, n, has_escape, &bad) < 0)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start + bad);
    if (s[0] != '{')
        return refuse_non_object(p, data, len, start, err);
    size_t end = 0;
    int rc = scan_object(p, s, n, count, &end, &bad, err);
    if (rc == QUELL_EINPUT)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start + bad);
    if (rc < 0)
        return rc;
    end = skip_space(s, n, end);
    if (end != n)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "trailing data after JSON at byte %zu",
                       start + end);
    for (size_t k = 0; k < *count; k++) {
        p->members[k].key_off += start;
        p->members[k].value_off += start;
    }
    return QUELL_OK;
}

/* Decode the keys with escapes into p->keys, so that "b\u006fdy" and
 * "body" compare equal. Decoding never lengthens a key, so p->keys is made
 * as long as the record once, and no decoded key moves. */
static int decode_keys(quell_record_parser *p, size_t count, size_t len, quell_error *err)
{
    size_t keys_len = 0;
    for (size_t k = 0; k < count; k++) {
        struct member_span *m = &p->members[k];
        if (!memchr(m->key, '\\', m->key_len))
            continue;
        if (keys_len == 0) {
            int rc = grow(&p->keys, &p->keys_cap, len, err);
            if (rc < 0)
                return rc;
        }
        char *dst = p->keys + keys_len;
        m->key_len = decode_string(dst, m->key, m->key_len);
        m->key = dst;
        keys_len += m->key_len;
    }
    return QUELL_OK;
}

static int cmp_member_key(const void *a, const void *b)
{
    const struct member_span *x = a, *y = b;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    int c = memcmp(x->key, y->key, x->key_len);
    if (c)
        return c;
    return (x->key_off > y->key_off) - (x->key_off < y->key_off);
}

static int same_key(const struct member_span *a, const struct member_span *b)
{
    return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/*
 * The first member, in record order, whose key an earlier member has; NULL
 * if the keys are unique. Readers disagree on such a record (cJSON takes the
 * first value, JavaScript and Python the last), so it is refused rather than
 * scored on one of them. A few members are compared pairwise; many are
 * sorted, which reorders p->members.
 */
static const struct member_span *find_duplicate(quell_record_parser *p, size_t count)
{
    if (count < 2)
        return NULL;
    if (count <= 16) {
        for (size_t j = 1; j < count; j++) {
            for (size_t i = 0; i < j; i++) {
                if (same_key(&p->members[i], &p->members[j]))
                    return &p->members[j];
            }
        }
        return NULL;
    }
    qsort(p->members, count, sizeof *p->members, cmp_member_key);
    const struct member_span *dup = NULL;
    for (size_t i = 1; i < count; i++) {
        const struct member_span *a = &p->members[i - 1], *b = &p->members[i];
        if (same_key(a, b) && (!dup || b->key_off < dup->key_off))
            dup = b;
    }
    return dup;
}

/*
 * A numeric id as JSON text: integers below 2^53 exactly and without an
 * exponent, anything else as the shortest %g that reads back the same double,
 * in the C locale whatever the caller's: JSON's decimal point is '.'.
 */
static size_t format_number(char *dst, size_t cap, double v)
{
    int n;
    if (fabs(v) < 9007199254740992.0 && v == trunc(v) && cap >= 24) {
        /* Most ids are integers: skip printf's machinery for them. */
        char digits[24];
        int64_t i = (int64_t)v;
        uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
        size_t k = sizeof digits;
        do {
            digits[--k] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (i < 0)
            digits[--k] = '-';
        n = (int)(sizeof digits - k);
        memcpy(dst, digits + k, (size_t)n);
        dst[n] = '\0';
    } else {
        for (int prec = 15;; prec++) {
            n = clocale_snprintf(dst, cap, "%.*g", prec, v);
            if (prec == 17 || clocale_strtod(dst, NULL) == v)
                break;
        }
    }
    return n > 0 ? (size_t)n : 0;
}

/* A field read from the record into p->text, NUL-terminated: a string
 * unescaped, a primitive's text as written, a container's as "". */
struct field {
    jsmntype_t type; /* JSMN_UNDEFINED: absent */
    const char *text;
    size_t len;
};

static int is_null(const struct field *f)
{
    return f->type == JSMN_PRIMITIVE && f->text[0] == 'n';
}

/* The record's id as JSON text, in p->buf: a string re-escaped, a number
 * exactly as written: through a double, ids above 2^53 would lose digits and
 * two ids could become one. A string that is not UTF-8 is refused for the
 * same reason: re-escaped, each bad byte would become U+FFFD, and "a\xff"
 * and "a\xfe" one id. */
static int put_id(quell_record_parser *p, const struct field *id, quell_record *out,
                  quell_error *err)
{
    size_t need;
    int rc;
    if (id->type == JSMN_STRING) {
        size_t bad;
        if (!utf8_valid(id->text, id->len, &bad))
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid UTF-8 at byte %zu of \"%s\"",
                           bad, p->names[MEMBER_ID]);
        /* One pass: room for the longest escaping, \uXXXX for each byte. */
        size_t room;
        if (__builtin_mul_overflow(id->len, 6, &room) || __builtin_add_overflow(room, 3, &room))
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
        if ((rc = grow(&p->buf, &p->buf_cap, room, err)) < 0)
            return rc;
        need = out_json_string(p->buf, room, id->text, id->len);
    } else if (id->type == JSMN_PRIMITIVE && id->text[0] != 't' && id->text[0] != 'f' &&
               id->text[0] != 'n') {
        need = id->len;
        if ((rc = grow(&p->buf, &p->buf_cap, need + 1, err)) < 0)
            return rc;
        memcpy(p->buf, id->text, need);
        p->buf[need] = '\0';
    } else {
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" must be a string or a number",
                       p->names[MEMBER_ID]);
    }
    out->id_json = p->buf;
    out->id_json_len = need;
    return QUELL_OK;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil), with no time zone tables. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* n digits of s at *i as a number, or -1. */
static int read_digits(const char *s, size_t len, size_t *i, int n)
{
    int v = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

/* An RFC 3339 time, "2026-12-06T23:00:00Z" or with a fraction and an
 * offset ("...00.250+03:00"; a space may stand for the T), as milliseconds
 * since the epoch. Returns false when s is not one. */
static bool parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0;
    int y = read_digits(s, len, &i, 4);
    if (y < 0 || i >= len || s[i++] != '-')
        return false;
    int mo = read_digits(s, len, &i, 2);
    if (mo < 1 || mo > 12 || i >= len || s[i++] != '-')
        return false;
    int d = read_digits(s, len, &i, 2);
    if (d < 1 || d > 31 || i >= len || (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
        return false;
    i++;
    int h = read_digits(s, len, &i, 2);
    if (h < 0 || h > 23 || i >= len || s[i++] != ':')
        return false;
    int mi = read_digits(s, len, &i, 2);
    if (mi < 0 || mi > 59 || i >= len || s[i++] != ':')
        return false;
    int se = read_digits(s, len, &i, 2);
    if (se < 0 || se > 60)
        return false;
    int frac = 0;
    if (i < len && s[i] == '.') {
        i++;
        int digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (digits++ < 3)
                frac = frac * 10 + (s[i] - '0');
            i++;
        }
        if (digits == 0)
            return false;
        for (; digits < 3; digits++)
            frac *= 10;
    }
    int offset = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1;
        int oh = read_digits(s, len, &i, 2);
        if (oh < 0 || oh > 23 || i >= len || s[i++] != ':')
            return false;
        int om = read_digits(s, len, &i, 2);
        if (om < 0 || om > 59)
            return false;
        offset = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (i != len)
        return false;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs =
        days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se - (int64_t)offset * 60;
    *ms = secs * 1000 + frac;
    return true;
}

/* The time member: a number of seconds since the epoch (a fraction
 * allowed) or an RFC 3339 string. */
static int put_time(quell_record_parser *p, const struct field *time, quell_record *out,
                    quell_error *err)
{
    int64_t ms;
    if (time->type == JSMN_STRING && parse_rfc3339(time->text, time->len, &ms)) {
        out->time_ms = ms;
        out->has_time = 1;
        return QUELL_OK;
    }
    if (time->type == JSMN_PRIMITIVE && time->text[0] != 't' && time->text[0] != 'f') {
        double v = clocale_strtod(time->text, NULL);
        /* Years 0 to 9999, so the milliseconds fit with room. */
        if (isfinite(v) && v > -62167219200.0 && v < 253402300800.0) {
            out->time_ms = (int64_t)llround(v * 1000);
            out->has_time = 1;
            return QUELL_OK;
        }
    }
    return err_set(err, QUELL_EINPUT, NULL, 0, NULL,
                   "\"%s\" is not a time (seconds since 1970, or an RFC 3339 date such as "
                   "\"2026-12-06T23:00:00Z\")",
                   p->names[MEMBER_TIME]);
}

/* The label: a string as it is, a finite number as %g would write it (so
 * 1.50 and 1.5 are one label), null as none. */
static int put_label(quell_record_parser *p, const struct field *label, quell_record *out,
                     quell_error *err)
{
    if (label->type == JSMN_STRING) {
        out->label = label->text;
        out->label_len = label->len;
        return QUELL_OK;
    }
    if (is_null(label))
        return QUELL_OK;
    if (label->type == JSMN_PRIMITIVE && label->text[0] != 't' && label->text[0] != 'f') {
        double v = clocale_strtod(label->text, NULL);
        if (isfinite(v)) {
            out->label_len = format_number(p->label_buf, sizeof p->label_buf, v);
            out->label = p->label_buf;
            return QUELL_OK;
        }
    }
    return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string or a number",
                   p->names[MEMBER_LABEL]);
}

/*
 * Read the members asked for, the first of each name, into fields[] and
 * p->text: no field's text there is longer than in the record, so len +
 * MEMBER_COUNT bytes hold them all with their NULs.
 * Returns 1 when a field, or a key that a NUL cuts down to a field's name,
 * holds a NUL: handed on, it would be cut short there.
 */
static int read_fields(quell_record_parser *p, const char *data, size_t len, size_t count,
                       int has_escape, int may_hold_nul, struct field fields[MEMBER_COUNT],
                       quell_error *err)
{
    int rc = grow(&p->text, &p->text_cap, len + MEMBER_COUNT, err);
    if (rc < 0)
        return rc;
    int has_nul = 0;
    size_t text_len = 0;
    memset(fields, 0, MEMBER_COUNT * sizeof *fields);
    for (size_t k = 0; k < count; k++) {
        const struct member_span *m = &p->members[k];
        const char *nul = may_hold_nul ? memchr(m->key, '\0', m->key_len) : NULL;
        size_t key_len = nul ? (size_t)(nul - m->key) : m->key_len;
        int decoded = -1; /* the field this member was read into first */
        for (int f = 0; f < MEMBER_COUNT; f++) {
            if (p->name_len[f] == 0 || key_len != p->name_len[f] ||
                memcmp(m->key, p->names[f], key_len) != 0)
                continue;
            if (nul) {
                has_nul = 1;
                break;
            }
            if (fields[f].type != JSMN_UNDEFINED)
                continue; /* a duplicate, refused later */
            if (decoded >= 0) {
                fields[f] = fields[decoded]; /* two fields of one name */
                continue;
            }
            const char *raw = data + m->value_off;
            char *dst = p->text + text_len;
            fields[f].type = m->value_type;
            fields[f].text = dst;
            decoded = f;
            if (m->value_type == JSMN_STRING) {
                if (has_escape) {
                    fields[f].len = decode_string(dst, raw, m->value_len);
                } else {
                    memcpy(dst, raw, m->value_len);
                    fields[f].len = m->value_len;
                }
                if (may_hold_nul)
                    has_nul |= memchr(dst, '\0', fields[f].len) != NULL;
            } else {
                /* A primitive's text, NUL-terminated for strtod; a container's
                 * is not read. */
                fields[f].len = m->value_type == JSMN_PRIMITIVE ? m->value_len : 0;
                memcpy(dst, raw, fields[f].len);
            }
            dst[fields[f].len] = '\0';
            text_len += fields[f].len + 1;
        }
    }
    return has_nul;
}

static int parse_jsonl(quell_record_parser *p, const char *data, size_t len, quell_record *out,
                       quell_error *err)
{
    if (len && data[len - 1] == '\r')
        len--;
    size_t start = skip_space(data, len, 0);
    if (start == len)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "empty record");
    /* A control character or a byte order mark may not open JSON. */
    if (!strchr("{[\"-0123456789tfn", data[start]) || data[start] == '\0')
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start);
    /* jsmn counts in int. */
    if (len - start > INT_MAX - 1)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "record longer than %d bytes",
                       INT_MAX - 1);

    size_t count = 0;
    int has_escape = 0;
    int rc = read_object(p, data, len, start, &count, &has_escape, err);
    if (rc < 0)
        return rc;
    if (has_escape && (rc = decode_keys(p, count, len, err)) < 0)
        return rc;
    /* A NUL comes from a NUL byte or from \u0000: most records have neither. */
    int may_hold_nul = has_escape || memchr(data + start, '\0', len - start) != NULL;
    struct field fields[MEMBER_COUNT];
    rc = read_fields(p, data, len, count, has_escape, may_hold_nul, fields, err);
    if (rc < 0)
        return rc;
    if (rc > 0)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "NUL character in field");

    const struct member_span *dup = find_duplicate(p, count);
    int is_id_dup = dup && dup->key_len == p->name_len[MEMBER_ID] &&
                    memcmp(dup->key, p->names[MEMBER_ID], dup->key_len) == 0;
    /* The id first, so that a record refused for its body (or a duplicate
     * key other than the id's) still names it. */
    if (fields[MEMBER_ID].type != JSMN_UNDEFINED && !is_id_dup) {
        rc = put_id(p, &fields[MEMBER_ID], out, err);
        if (rc < 0)
            return rc;
    }
    if (dup)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "duplicate key \"%.*s\" at byte %zu",
                       (int)(dup->key_len < 64 ? dup->key_len : 64), dup->key, dup->key_off);

    const struct field *body = &fields[MEMBER_BODY];
    const struct field *author = &fields[MEMBER_AUTHOR];
    if (body->type == JSMN_UNDEFINED)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "missing \"%s\" field",
                       p->names[MEMBER_BODY]);
    if (body->type != JSMN_STRING)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string",
                       p->names[MEMBER_BODY]);
    if (author->type != JSMN_UNDEFINED && !is_null(author) && author->type != JSMN_STRING)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string",
                       p->names[MEMBER_AUTHOR]);
    if (fields[MEMBER_LABEL].type != JSMN_UNDEFINED &&
        (rc = put_label(p, &fields[MEMBER_LABEL], out, err)) < 0)
        return rc;
    if (fields[MEMBER_TIME].type != JSMN_UNDEFINED && !is_null(&fields[MEMBER_TIME]) &&
        (rc = put_time(p, &fields[MEMBER_TIME], out, err)) < 0)
        return rc;

    /* The fields stay in p->text until the next parse. */
    out->comment.text[QUELL_FIELD_BODY] = body->text;
    out->comment.text_len[QUELL_FIELD_BODY] = body->len;
    if (author->type == JSMN_STRING) {
        out->comment.text[QUELL_FIELD_AUTHOR] = author->text;
        out->comment.text_len[QUELL_FIELD_AUTHOR] = author->len;
    }
    return QUELL_OK;
}

static int parse_record(quell_record_parser *parser, const char *data, size_t len,
                        quell_record *out, quell_error *err)
{
    assert(parser && out);
    assert(data || len == 0);
    memset(out, 0, sizeof *out);
    if (!data)
        data = "";

    switch (parser->format) {
    case QUELL_FORMAT_TEXT:
        if (len && data[len - 1] == '\r')
            len--;
        break;
    case QUELL_FORMAT_NUL:
        break;
    case QUELL_FORMAT_JSONL:
        return parse_jsonl(parser, data, len, out, err);
    }
    out->comment.text[QUELL_FIELD_BODY] = data;
    out->comment.text_len[QUELL_FIELD_BODY] = len;
    return QUELL_OK;
}

int quell_record_parse(quell_record_parser *parser, const char *data, size_t len,
                       const quell_record **out, quell_error *err)
{
    assert(parser && out);
    int rc = parse_record(parser, data, len, &parser->record, err);
    parser->record.comment.version = QUELL_COMMENT_VERSION;
    *out = &parser->record;
    return rc;
}
