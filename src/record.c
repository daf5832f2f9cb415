/*
 * record.c - input records to comments: a TEXT line or NUL-framed bytes are
 * the body as given; a JSONL line is parsed with cJSON, whose tree the parser
 * keeps until the next record so the fields need no copy, and its top-level
 * members are walked once more as written, for duplicate keys and the id's
 * number text, which cJSON keeps only as a double.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clocale.h"
#include "error.h"
#include "output.h"
#include "utf8.h"
#include "util/grow.h"

/* The JSON members a record reads, indexing quell_record_parser.names. */
enum member { MEMBER_ID = 0, MEMBER_BODY, MEMBER_AUTHOR, MEMBER_LABEL, MEMBER_COUNT };

/* One top-level member of a JSONL record as written: its key decoded (it
 * may hold a NUL), its value's bytes untouched. Offsets index the record. */
struct member_span {
    const char *key;
    size_t key_len;
    size_t key_off; /* the key's opening quote */
    size_t value_off;
    size_t value_len;
};

struct quell_record_parser {
    quell_format format;
    const char *names[MEMBER_COUNT]; /* point into names_buf; the label's is "" when unread */
    char *names_buf;
    cJSON *tree; /* the last JSONL record: its strings are the fields handed out */
    char *buf;   /* the last record's id as JSON text */
    size_t buf_cap;
    char label_buf[32]; /* the last record's label when it was a number */
    char *scratch;      /* a record's copy with its NULs made visible */
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

    const char *names[MEMBER_COUNT] = {"id", "body", "author", ""};
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
        size_t n = strlen(names[i]) + 1;
        memcpy(dst, names[i], n);
        p->names[i] = dst;
        dst += n;
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
    cJSON_Delete(parser->tree);
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

/*
 * Look at the escapes before cJSON does: it decodes a \u escape with a bad
 * hex digit as U+0000 instead of failing, so those are refused here (*bad_off
 * set, returns -1). *has_nul tells whether a NUL byte or \u0000 occurs: cJSON
 * would silently cut a field short there. A backslash outside a string is
 * invalid JSON anyway, so walking escape pairs over the whole record is exact.
 */
static int scan_escapes(const char *s, size_t n, int *has_nul, size_t *bad_off)
{
    *has_nul = memchr(s, '\0', n) != NULL;
    const char *end = s + n;
    const char *q = memchr(s, '\\', n);
    while (q) {
        if (end - q < 2)
            break; /* cJSON refuses the dangling backslash */
        if (q[1] == 'u') {
            if (end - q < 6)
                break; /* cJSON refuses the short escape */
            int v = 0;
            for (int i = 2; i < 6; i++) {
                int h = hex_value((unsigned char)q[i]);
                if (h < 0) {
                    *bad_off = (size_t)(q - s);
                    return -1;
                }
                v = v << 4 | h;
            }
            if (v == 0)
                *has_nul = 1;
            q += 6;
        } else {
            q += 2;
        }
        q = q < end ? memchr(q, '\\', (size_t)(end - q)) : NULL;
    }
    return 0;
}

/*
 * The rare path, for a record holding a NUL: parse a copy with every NUL byte
 * and \u0000 turned into U+0001 and compare the members read. A field (or a
 * member name) that held a NUL differs between the two trees; NULs elsewhere
 * in the record do no harm. Returns 1 if a field differs, 0 if not, or
 * QUELL_ENOMEM.
 */
static int nul_in_fields(quell_record_parser *p, const char *s, size_t n,
                         const cJSON *const items[MEMBER_COUNT], quell_error *err)
{
    int rc = grow(&p->scratch, &p->scratch_cap, n, err);
    if (rc < 0)
        return rc;
    char *t = p->scratch;
    memcpy(t, s, n);
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '\0') {
            t[i] = '\x01';
        } else if (t[i] == '\\' && i + 1 < n) {
            /* Escapes were checked: \u is followed by four hex digits. */
            if (t[i + 1] == 'u' && i + 5 < n && memcmp(t + i + 2, "0000", 4) == 0)
                t[i + 5] = '1';
            i++;
        }
    }

    /* The copy parses wherever the original did, so NULL means no memory. */
    cJSON *tree = cJSON_ParseWithLengthOpts(t, n, NULL, 0);
    if (!tree)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
    int differs = 0;
    for (int k = 0; k < MEMBER_COUNT && !differs; k++) {
        const cJSON *a = items[k];
        const cJSON *b =
            p->names[k][0] ? cJSON_GetObjectItemCaseSensitive(tree, p->names[k]) : NULL;
        if (!a || !b)
            differs = a != b;
        else if (a->type != b->type)
            differs = 1;
        else if (cJSON_IsString(a))
            differs = strcmp(a->valuestring, b->valuestring) != 0;
    }
    cJSON_Delete(tree);
    return differs;
}

/* cJSON skips every byte up to the space as white space; the walk over the
 * members must agree with it on where the tokens are. */
static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && (unsigned char)s[i] <= ' ')
        i++;
    return i;
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

/* s[i] starts a value: the offset just past it, or 0 when it is cut short. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    if (s[i] == '"')
        return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, n, i);
                if (!i)
                    return 0;
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return 0;
    }
    /* A number or a literal runs to the next delimiter. */
    size_t j = i;
    while (j < n && (unsigned char)s[j] > ' ' && s[j] != ',' && s[j] != '}' && s[j] != ']')
        j++;
    return j > i ? j : 0;
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

/* Four hex digits, which scan_escapes has checked. */
static uint32_t hex4(const char *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 4 | (uint32_t)hex_value((unsigned char)s[i]);
    return v;
}

/*
 * The key between data[from] and data[to] (its quotes excluded) as bytes, so
 * that "b\u006fdy" and "body" compare equal. A key without escapes stays in
 * the record; the others are decoded into p->keys at *keys_len. Decoding
 * never lengthens a key, so p->keys is made as long as the record once, and
 * no decoded key moves. cJSON has checked the escapes and surrogate pairs.
 */
static int decode_key(quell_record_parser *p, const char *data, size_t len, size_t from, size_t to,
                      size_t *keys_len, struct member_span *m, quell_error *err)
{
    const char *raw = data + from;
    size_t n = to - from;
    if (!memchr(raw, '\\', n)) {
        m->key = raw;
        m->key_len = n;
        return QUELL_OK;
    }
    if (*keys_len == 0) {
        int rc = grow(&p->keys, &p->keys_cap, len, err);
        if (rc < 0)
            return rc;
    }
    char *dst = p->keys + *keys_len;
    size_t o = 0;
    for (size_t j = 0; j < n; j++) {
        char c = raw[j];
        if (c == '\\') {
            c = raw[++j];
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
                uint32_t cp = hex4(raw + j + 1);
                j += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && j + 6 < n && raw[j + 1] == '\\' &&
                    raw[j + 2] == 'u') {
                    uint32_t lo = hex4(raw + j + 3);
                    if (lo >= 0xDC00 && lo < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        j += 6;
                    }
                }
                o += put_utf8(dst + o, cp);
                continue;
            }
            default:
                break; /* \" \\ \/ stand for themselves */
            }
        }
        dst[o++] = c;
    }
    m->key = dst;
    m->key_len = o;
    *keys_len += o;
    return QUELL_OK;
}

/*
 * Walk the top-level members of the object that starts at data[start],
 * which cJSON has accepted, into p->members; *count receives their number.
 * Returns QUELL_OK, QUELL_EINPUT where the walk and cJSON disagree, or
 * QUELL_ENOMEM.
 */
static int read_members(quell_record_parser *p, const char *data, size_t len, size_t start,
                        size_t *count, quell_error *err)
{
    size_t keys_len = 0;
    size_t k = 0;
    size_t i = skip_space(data, len, start + 1);
    if (i < len && data[i] == '}')
        goto out;
    for (;;) {
        if (i >= len || data[i] != '"')
            goto fail_bad;
        size_t key_end = skip_string(data, len, i);
        if (!key_end)
            goto fail_bad;
        size_t colon = skip_space(data, len, key_end);
        if (colon >= len || data[colon] != ':') {
            i = colon;
            goto fail_bad;
        }
        size_t value = skip_space(data, len, colon + 1);
        size_t value_end = value < len ? skip_value(data, len, value) : 0;
        if (!value_end) {
            i = value;
            goto fail_bad;
        }
        struct member_span *grown =
            grow_array(p->members, &p->member_cap, k + 1, sizeof *grown, 16, GROW_UNCAPPED);
        if (!grown)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory");
        p->members = grown;
        struct member_span *m = &p->members[k++];
        int rc = decode_key(p, data, len, i + 1, key_end - 1, &keys_len, m, err);
        if (rc < 0)
            return rc;
        m->key_off = i;
        m->value_off = value;
        m->value_len = value_end - value;
        i = skip_space(data, len, value_end);
        if (i < len && data[i] == ',') {
            i = skip_space(data, len, i + 1);
            continue;
        }
        if (i < len && data[i] == '}')
            break;
        goto fail_bad;
    }
out:
    *count = k;
    return QUELL_OK;

fail_bad:
    return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", i);
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

/*
 * The first member, in record order, whose key an earlier member has; NULL
 * if the keys are unique. Readers disagree on such a record (cJSON takes the
 * first value, JavaScript and Python the last), so it is refused rather than
 * scored on one of them. Sorts p->members.
 */
static const struct member_span *find_duplicate(quell_record_parser *p, size_t count)
{
    if (count < 2)
        return NULL;
    qsort(p->members, count, sizeof *p->members, cmp_member_key);
    const struct member_span *dup = NULL;
    for (size_t i = 1; i < count; i++) {
        const struct member_span *a = &p->members[i - 1], *b = &p->members[i];
        if (a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
            (!dup || b->key_off < dup->key_off))
            dup = b;
    }
    return dup;
}

/* Whether s[0..n) is a number as JSON writes it: cJSON also takes "01",
 * "1." and "-.5", which a JSON reader downstream would not. */
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

/* The record's id as JSON text, in p->buf: a string re-escaped, a number
 * exactly as written (raw, at data[raw_off..raw_off + raw_len)): through a
 * double, ids above 2^53 would lose digits and two ids could become one.
 * A string that is not UTF-8 is refused for the same reason: re-escaped,
 * each bad byte would become U+FFFD, and "a\xff" and "a\xfe" one id. */
static int put_id(quell_record_parser *p, const cJSON *id, const char *data, size_t raw_off,
                  size_t raw_len, quell_record *out, quell_error *err)
{
    size_t need;
    int rc;
    if (cJSON_IsString(id)) {
        size_t len = strlen(id->valuestring);
        size_t bad;
        if (!utf8_valid(id->valuestring, len, &bad))
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid UTF-8 at byte %zu of \"%s\"",
                           bad, p->names[MEMBER_ID]);
        need = out_json_string(NULL, 0, id->valuestring, len);
        if ((rc = grow(&p->buf, &p->buf_cap, need + 1, err)) < 0)
            return rc;
        out_json_string(p->buf, need + 1, id->valuestring, len);
    } else if (cJSON_IsNumber(id)) {
        if (!is_json_number(data + raw_off, raw_len))
            return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", raw_off);
        need = raw_len;
        if ((rc = grow(&p->buf, &p->buf_cap, need + 1, err)) < 0)
            return rc;
        memcpy(p->buf, data + raw_off, need);
        p->buf[need] = '\0';
    } else {
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" must be a string or a number",
                       p->names[MEMBER_ID]);
    }
    out->id_json = p->buf;
    out->id_json_len = need;
    return QUELL_OK;
}

static int parse_jsonl(quell_record_parser *p, const char *data, size_t len, quell_record *out,
                       quell_error *err)
{
    cJSON_Delete(p->tree);
    p->tree = NULL;
    if (len && data[len - 1] == '\r')
        len--;
    size_t start = 0;
    while (start < len && is_json_space((unsigned char)data[start]))
        start++;
    if (start == len)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "empty record");
    /* cJSON would skip control characters and a byte order mark here: JSON allows neither. */
    if (!strchr("{[\"-0123456789tfn", data[start]) || data[start] == '\0')
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", start);

    const char *s = data + start;
    size_t n = len - start;
    int has_nul;
    size_t bad_off;
    if (scan_escapes(s, n, &has_nul, &bad_off) < 0)
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu",
                       start + bad_off);

    const char *end = NULL;
    cJSON *tree = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    if (!tree) {
        size_t off = end ? (size_t)(end - data) : start;
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid JSON at byte %zu", off);
    }

    int rc;
    size_t off = (size_t)(end - data);
    while (off < len && is_json_space((unsigned char)data[off]))
        off++;
    if (off != len) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "trailing data after JSON at byte %zu", off);
        goto out_delete;
    }
    if (!cJSON_IsObject(tree)) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "record is not a JSON object");
        goto out_delete;
    }

    const cJSON *items[MEMBER_COUNT];
    for (int k = 0; k < MEMBER_COUNT; k++)
        items[k] = p->names[k][0] ? cJSON_GetObjectItemCaseSensitive(tree, p->names[k]) : NULL;
    if (has_nul) {
        rc = nul_in_fields(p, s, n, items, err);
        if (rc < 0)
            goto out_delete;
        if (rc > 0) {
            rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "NUL character in field");
            goto out_delete;
        }
    }

    size_t member_count = 0;
    rc = read_members(p, data, len, start, &member_count, err);
    if (rc < 0)
        goto out_delete;
    /* The id's text as written, found before find_duplicate sorts the members. */
    size_t id_off = 0, id_len = 0;
    for (size_t k = 0; k < member_count; k++) {
        const struct member_span *m = &p->members[k];
        if (m->key_len == strlen(p->names[MEMBER_ID]) &&
            memcmp(m->key, p->names[MEMBER_ID], m->key_len) == 0) {
            id_off = m->value_off;
            id_len = m->value_len;
            break;
        }
    }
    const struct member_span *dup = find_duplicate(p, member_count);
    int is_id_dup = dup && dup->key_len == strlen(p->names[MEMBER_ID]) &&
                    memcmp(dup->key, p->names[MEMBER_ID], dup->key_len) == 0;

    /* The id first, so that a record refused for its body (or a duplicate
     * key other than the id's) still names it. */
    const cJSON *id = items[MEMBER_ID];
    if (id && !is_id_dup) {
        rc = put_id(p, id, data, id_off, id_len, out, err);
        if (rc < 0)
            goto out_delete;
    }
    if (dup) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "duplicate key \"%.*s\" at byte %zu",
                     (int)(dup->key_len < 64 ? dup->key_len : 64), dup->key, dup->key_off);
        goto out_delete;
    }

    const cJSON *body = items[MEMBER_BODY];
    const cJSON *author = items[MEMBER_AUTHOR];
    if (!body) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "missing \"%s\" field",
                     p->names[MEMBER_BODY]);
        goto out_delete;
    }
    if (!cJSON_IsString(body)) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string",
                     p->names[MEMBER_BODY]);
        goto out_delete;
    }
    if (author && cJSON_IsNull(author))
        author = NULL;
    if (author && !cJSON_IsString(author)) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string",
                     p->names[MEMBER_AUTHOR]);
        goto out_delete;
    }

    const cJSON *label = items[MEMBER_LABEL];
    if (label && cJSON_IsString(label)) {
        out->label = label->valuestring;
        out->label_len = strlen(label->valuestring);
    } else if (label && cJSON_IsNumber(label) && isfinite(label->valuedouble)) {
        out->label_len = format_number(p->label_buf, sizeof p->label_buf, label->valuedouble);
        out->label = p->label_buf;
    } else if (label && !cJSON_IsNull(label)) {
        rc = err_set(err, QUELL_EINPUT, NULL, 0, NULL, "\"%s\" is not a string or a number",
                     p->names[MEMBER_LABEL]);
        goto out_delete;
    }

    /* The fields stay in the tree, which lives until the next parse: no copy. */
    out->comment.text[QUELL_FIELD_BODY] = body->valuestring;
    out->comment.text_len[QUELL_FIELD_BODY] = strlen(body->valuestring);
    if (author) {
        out->comment.text[QUELL_FIELD_AUTHOR] = author->valuestring;
        out->comment.text_len[QUELL_FIELD_AUTHOR] = strlen(author->valuestring);
    }
    p->tree = tree;
    return QUELL_OK;

out_delete:
    cJSON_Delete(tree);
    return rc;
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
