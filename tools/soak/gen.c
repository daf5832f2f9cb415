/*
 * gen.c - the soak's record generator: comments in English, Arabic and Arabizi
 * with disguised words, and malformed records of every kind the record parser
 * refuses, each labelled with what `quell filter` must answer for it.
 *
 * What the filter calls an error, read from src/record.c, src/scan.c and
 * src/cli/cmd_filter.c and tried on the built command:
 * - any format: a record longer than --max-bytes (its separator not counted,
 *   a CR counted) gets its position as id, whatever it holds; invalid UTF-8
 *   in a scanned field (body, author); text and NUL records have no other
 *   error: an empty line or NUL record is an empty comment, a NUL byte inside
 *   a text line is scanned like any byte;
 * - JSONL: an empty or blank line ("empty record"), anything cJSON refuses
 *   (including \u escapes with a bad hex digit, a lone UTF-16 surrogate
 *   escape, nesting deeper than 1000, a byte order mark), trailing data, a
 *   non-object, a NUL (raw or \u0000) inside the id, body or author, an id
 *   that is not a string or a finite number, a string id that is not valid
 *   UTF-8 (echoed, its bad bytes would become U+FFFD and two ids one): all
 *   these get the position, as the id cannot be read. A missing body, a
 *   body that is not a string, an author that is neither a string nor null,
 *   invalid UTF-8 in body or author are refused after the id is read, so
 *   they carry the record's own id.
 * Accepted, so generated as well-formed: a CR before the newline, blanks
 * around the object, unknown members (even with a NUL or invalid UTF-8 in
 * them), members in any order, "author":null, raw control characters in
 * strings (cJSON allows them). The parser refuses duplicate keys ("dup-keys"
 * records are errors).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "words.h"

/* Numeric ids start here, above any position, so an answer that carries
 * the position where the record's own id was due cannot pass. */
#define ID_BASE 1000000000ULL

/* The well-formed records' lengths stay well below this many bytes. */
#define BODY_MAX_BYTES 1200
/* A huge record: over the filter's 1 MiB read buffer, so its rest is skipped
 * across several reads. */
#define HUGE_MIN_BYTES ((size_t)3 << 19)

enum kind {
    K_OK = 0,
    K_EXACT, /* exactly --max-bytes long */
    K_INVALID_JSON,
    K_TRUNCATED,
    K_NOT_OBJECT,
    K_NO_BODY,
    K_BODY_TYPE,
    K_AUTHOR_TYPE,
    K_ID_TYPE,
    K_NUL,
    K_BAD_UTF8,
    K_BAD_UTF8_ID,
    K_EMPTY,
    K_TOO_LONG,
    K_HUGE,
    K_DUP_KEYS,
    K_COUNT
};
#define K_FIRST_MALFORMED K_INVALID_JSON
_Static_assert(K_COUNT <= GEN_KIND_MAX, "GEN_KIND_MAX too small");

#define F_JSONL (1u << GEN_JSONL)
#define F_TEXT  (1u << GEN_TEXT)
#define F_NUL   (1u << GEN_NUL)
#define F_ALL   (F_JSONL | F_TEXT | F_NUL)

struct kind_def {
    const char *name;
    unsigned formats;
    enum gen_expect_action action;
    enum gen_id_source id;
    uint32_t weight; /* among the malformed kinds */
    const char *what;
};

static const struct kind_def kinds[K_COUNT] = {
    [K_OK] = {"ok", F_ALL, GEN_OK, GEN_ID_OWN, 0, "a comment"},
    [K_EXACT] = {"exact-max", F_ALL, GEN_OK, GEN_ID_OWN, 0, "exactly --max-bytes long"},
    [K_INVALID_JSON] = {"invalid-json", F_JSONL, GEN_ERROR, GEN_ID_POS, 100,
                        "syntax errors, bad escapes, lone surrogate escapes, BOM, trailing data, "
                        "nesting over 1000"},
    [K_TRUNCATED] = {"truncated", F_JSONL, GEN_ERROR, GEN_ID_POS, 100,
                     "a well-formed record cut short"},
    [K_NOT_OBJECT] = {"not-object", F_JSONL, GEN_ERROR, GEN_ID_POS, 100,
                      "an array, string, number, true, false or null"},
    [K_NO_BODY] = {"no-body", F_JSONL, GEN_ERROR, GEN_ID_OWN, 100,
                   "no \"body\" member (other names, other case, nested)"},
    [K_BODY_TYPE] = {"body-type", F_JSONL, GEN_ERROR, GEN_ID_OWN, 100,
                     "body a number, null, boolean, object or array"},
    [K_AUTHOR_TYPE] = {"author-type", F_JSONL, GEN_ERROR, GEN_ID_OWN, 60,
                       "author a number, boolean, object or array"},
    [K_ID_TYPE] = {"id-type", F_JSONL, GEN_ERROR, GEN_ID_POS, 60,
                   "id a boolean, null, array, object or out of range"},
    [K_NUL] = {"nul-in-field", F_JSONL, GEN_ERROR, GEN_ID_POS, 100,
               "\\u0000 or a raw NUL in body, author or id"},
    [K_BAD_UTF8] = {"bad-utf8", F_ALL, GEN_ERROR, GEN_ID_OWN, 100,
                    "0xff, overlong forms, surrogates (ed a0 80), over U+10FFFF, cut sequences"},
    [K_BAD_UTF8_ID] = {"bad-utf8-id", F_JSONL, GEN_ERROR, GEN_ID_POS, 60,
                       "a string id with 0xff, an overlong form, a surrogate, a cut sequence"},
    [K_EMPTY] = {"empty", F_JSONL, GEN_ERROR, GEN_ID_POS, 60, "an empty or blank line"},
    [K_TOO_LONG] = {"too-long", F_ALL, GEN_ERROR, GEN_ID_POS, 60,
                    "--max-bytes + 1 to twice --max-bytes"},
    [K_HUGE] = {"huge", F_ALL, GEN_ERROR, GEN_ID_POS, 1, "1.5 to 2.5 MiB, over the read buffer"},
    [K_DUP_KEYS] = {"dup-keys", F_JSONL, GEN_ERROR, GEN_ID_EITHER, 100,
                    "body or author twice: refused, as JavaScript and Python would read the last"},
};

enum id_style { ID_NUM = 0, ID_STR, ID_NONE };

struct word_list {
    const char **words;
    size_t count;
    size_t cap;
};

struct gen {
    struct gen_options opts;
    enum gen_expect_action action[K_COUNT];
    uint32_t malformed_total; /* the weights of the kinds generated */
    struct word_list abusive_en;
    struct word_list abusive_ar;
    char **owned; /* words read from files, freed by gen_free */
    size_t owned_count;
    size_t owned_cap;
};

/* One record's plan: drawn first, from (seed, k) alone, so gen_expect needs
 * nothing else. */
struct plan {
    enum kind kind;
    enum id_style id_style;
    uint64_t rng; /* then the content's draws */
};

static void die_nomem(void)
{
    fputs("soak: out of memory\n", stderr);
    exit(4);
}

void sbuf_reserve(struct sbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < extra) {
        if (__builtin_mul_overflow(cap, 2, &cap)) /* Catch size_t overflow */
            die_nomem();
    }
    char *p = realloc(b->p, cap);
    if (!p)
        die_nomem();
    b->p = p;
    b->cap = cap;
}

void sbuf_free(struct sbuf *b)
{
    free(b->p);
    *b = (struct sbuf){0};
}

static void put(struct sbuf *b, const void *s, size_t n)
{
    sbuf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(struct sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putch(struct sbuf *b, char c)
{
    sbuf_reserve(b, 1);
    b->p[b->len++] = c;
}

static void put_u64(struct sbuf *b, uint64_t v)
{
    char digits[24];
    size_t k = sizeof digits;
    do {
        digits[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, digits + k, sizeof digits - k);
}

/* splitmix64: the seed of a record from (seed, k), then its draws. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnext(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return mix64(*s);
}

/* Uniform in [0, n). */
static uint32_t below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(((rnext(s) >> 32) * n) >> 32);
}

static int chance(uint64_t *s, uint32_t per_mille)
{
    return below(s, 1000) < per_mille;
}

static void plan_record(const struct gen *g, uint64_t k, struct plan *p)
{
    p->rng = mix64(g->opts.seed ^ mix64(k));
    uint32_t r = below(&p->rng, 1000000);
    p->kind = K_OK;
    if (r < g->opts.malformed_ppm && g->malformed_total > 0) {
        uint32_t w = below(&p->rng, g->malformed_total);
        for (int i = K_FIRST_MALFORMED; i < K_COUNT; i++) {
            if (g->action[i] == GEN_OFF)
                continue;
            if (w < kinds[i].weight) {
                p->kind = (enum kind)i;
                break;
            }
            w -= kinds[i].weight;
        }
    } else if (below(&p->rng, 2000) == 0) {
        p->kind = K_EXACT;
    }
    uint32_t s = below(&p->rng, 100);
    if (g->opts.format != GEN_JSONL)
        p->id_style = ID_NONE;
    else
        p->id_style = s < 85 ? ID_NUM : s < 97 ? ID_STR : ID_NONE;
}

void gen_expect(const struct gen *g, uint64_t k, struct gen_expect *out)
{
    struct plan p;
    plan_record(g, k, &p);
    const struct kind_def *d = &kinds[p.kind];
    out->kind = d->name;
    out->kind_index = (unsigned)p.kind;
    out->is_error = g->action[p.kind] == GEN_ERROR;
    out->is_id_either = d->id == GEN_ID_EITHER;
    out->pos_id_len =
        (size_t)snprintf(out->pos_id, sizeof out->pos_id, "%llu", (unsigned long long)k);
    if (d->id == GEN_ID_POS || p.id_style == ID_NONE) {
        memcpy(out->id, out->pos_id, out->pos_id_len + 1);
        out->id_len = out->pos_id_len;
    } else if (p.id_style == ID_NUM) {
        out->id_len =
            (size_t)snprintf(out->id, sizeof out->id, "%llu", (unsigned long long)(ID_BASE + k));
    } else {
        out->id_len =
            (size_t)snprintf(out->id, sizeof out->id, "\"c-%llu\"", (unsigned long long)k);
    }
}

/* ---- text ---- */

/* Bytes in the UTF-8 character led by c (1 for a stray byte). */
static size_t char_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static const char *pick(uint64_t *r, const char *const *list, size_t count)
{
    return list[below(r, (uint32_t)count)];
}

static const char *pick_list(uint64_t *r, const struct word_list *l, const char *const *fallback,
                             size_t fallback_count)
{
    if (l->count == 0)
        return pick(r, fallback, fallback_count);
    return l->words[below(r, (uint32_t)l->count)];
}

/* A Latin word disguised the ways commenters do: spaced, stretched, leet,
 * shouted, fullwidth, Cyrillic look-alikes, invisible characters. */
static void disguise_latin(uint64_t *r, struct sbuf *b, const char *w)
{
    static const char *const seps[] = {".", " ", "-", "*", "_"};
    static const char *const invisibles[] = {"\xe2\x80\x8b", "\xe2\x80\x8d", "\xc2\xad"};
    size_t n = strlen(w);
    unsigned how = below(r, 7);
    const char *sep = seps[below(r, COUNT_OF(seps))];
    const char *inv = invisibles[below(r, COUNT_OF(invisibles))];
    size_t stretch_at = n ? below(r, (uint32_t)n) : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        int is_alpha = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        switch (how) {
        case 0:
            putch(b, (char)c);
            if (i + 1 < n)
                puts_(b, sep);
            break;
        case 1:
            putch(b, (char)c);
            if (i == stretch_at) {
                unsigned extra = 2 + below(r, 4);
                for (unsigned j = 0; j < extra; j++)
                    putch(b, (char)c);
            }
            break;
        case 2: {
            const char *leet = NULL;
            switch (c | 0x20) {
            case 'a':
                leet = chance(r, 500) ? "4" : "@";
                break;
            case 'e':
                leet = "3";
                break;
            case 'i':
                leet = chance(r, 500) ? "1" : "!";
                break;
            case 'o':
                leet = "0";
                break;
            case 's':
                leet = chance(r, 500) ? "$" : "5";
                break;
            case 't':
                leet = "7";
                break;
            default:
                break;
            }
            if (leet && chance(r, 700))
                puts_(b, leet);
            else
                putch(b, (char)c);
            break;
        }
        case 3:
            putch(b, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
            break;
        case 4:
            if (c > 0x20 && c < 0x7f) { /* U+FF01..U+FF5E */
                unsigned cp = 0xFF00u + (c - 0x20u);
                char u[3] = {(char)(0xE0 | cp >> 12), (char)(0x80 | ((cp >> 6) & 0x3F)),
                             (char)(0x80 | (cp & 0x3F))};
                put(b, u, 3);
            } else {
                putch(b, (char)c);
            }
            break;
        case 5: {
            const char *cyr = NULL;
            switch (c) {
            case 'a':
                cyr = "\xd0\xb0";
                break;
            case 'e':
                cyr = "\xd0\xb5";
                break;
            case 'o':
                cyr = "\xd0\xbe";
                break;
            case 'c':
                cyr = "\xd1\x81";
                break;
            case 'p':
                cyr = "\xd1\x80";
                break;
            case 'x':
                cyr = "\xd1\x85";
                break;
            case 'y':
                cyr = "\xd1\x83";
                break;
            default:
                break;
            }
            if (cyr && chance(r, 600))
                puts_(b, cyr);
            else
                putch(b, (char)c);
            break;
        }
        default:
            putch(b, (char)c);
            if (is_alpha && i + 1 < n && chance(r, 500))
                puts_(b, inv);
            break;
        }
    }
}

/* An Arabic word disguised: tatweel, harakat, spaced letters, ZWNJ,
 * a stretched letter. */
static void disguise_arabic(uint64_t *r, struct sbuf *b, const char *w)
{
    static const char *const harakat[] = {"\xd9\x8e", "\xd9\x8f", "\xd9\x90", "\xd9\x91",
                                          "\xd9\x92"};
    unsigned how = below(r, 5);
    size_t n = strlen(w);
    for (size_t i = 0; i < n;) {
        size_t cl = char_len((unsigned char)w[i]);
        if (i + cl > n)
            cl = n - i;
        put(b, w + i, cl);
        int is_last = i + cl >= n;
        int is_letter = cl == 2 && w[i + cl - 1] != ' ';
        if (!is_last && is_letter && w[i + cl] != ' ') {
            switch (how) {
            case 0:
                puts_(b, "\xd9\x80"); /* tatweel */
                break;
            case 1:
                puts_(b, harakat[below(r, COUNT_OF(harakat))]);
                break;
            case 2:
                putch(b, chance(r, 500) ? ' ' : '.');
                break;
            case 3:
                puts_(b, "\xe2\x80\x8c");
                break;
            default:
                if (chance(r, 300))
                    put(b, w + i, cl);
                break;
            }
        }
        i += cl;
    }
}

enum lang { LANG_EN = 0, LANG_AR, LANG_ARABIZI, LANG_MIXED };

/*
 * Append a comment of valid UTF-8 (newlines only if allow_newline) to b, of
 * about max_len bytes at most: words of one language (or mixed), some of
 * them abusive and some of those disguised, emoji, links, numbers.
 */
static void gen_text(const struct gen *g, uint64_t *r, struct sbuf *b, size_t max_len,
                     int allow_newline)
{
    uint32_t l = below(r, 100);
    enum lang lang = l < 45 ? LANG_EN : l < 75 ? LANG_AR : l < 92 ? LANG_ARABIZI : LANG_MIXED;
    uint32_t words = 1 + below(r, 30);
    if (chance(r, 50))
        words = 40 + below(r, 120);
    else if (chance(r, 5))
        return; /* an empty comment */
    size_t start = b->len;
    for (uint32_t i = 0; i < words && b->len - start < max_len; i++) {
        enum lang wl = lang == LANG_MIXED ? (enum lang)below(r, 3) : lang;
        uint32_t x = below(r, 1000);
        if (i > 0) {
            uint32_t s = below(r, 100);
            if (allow_newline && s < 2)
                puts_(b, chance(r, 300) ? "\r\n" : "\n");
            else if (s < 6)
                puts_(b, wl == LANG_AR ? "، " : ", ");
            else if (s < 9)
                puts_(b, ". ");
            else
                putch(b, ' ');
        }
        if (x < 35) {
            const char *w;
            if (wl == LANG_EN)
                w = pick_list(r, &g->abusive_en, abusive_en, COUNT_OF(abusive_en));
            else if (wl == LANG_AR)
                w = pick_list(r, &g->abusive_ar, abusive_ar, COUNT_OF(abusive_ar));
            else
                w = pick(r, abusive_arabizi, COUNT_OF(abusive_arabizi));
            if (!chance(r, 500))
                puts_(b, w);
            else if ((unsigned char)w[0] >= 0x80)
                disguise_arabic(r, b, w);
            else
                disguise_latin(r, b, w);
        } else if (x < 75) {
            puts_(b, pick(r, extras, COUNT_OF(extras)));
        } else if (wl == LANG_EN) {
            puts_(b, pick(r, clean_en, COUNT_OF(clean_en)));
        } else if (wl == LANG_AR) {
            puts_(b, pick(r, clean_ar, COUNT_OF(clean_ar)));
        } else {
            puts_(b, pick(r, clean_arabizi, COUNT_OF(clean_arabizi)));
        }
    }
    if (chance(r, 300))
        puts_(b, lang == LANG_AR ? "؟" : chance(r, 500) ? "!" : ".");
}

/* ASCII words (nothing JSON escapes) filling b to exactly len more bytes. */
static void gen_filler(uint64_t *r, struct sbuf *b, size_t len)
{
    size_t end = b->len + len;
    sbuf_reserve(b, len);
    while (b->len < end) {
        const char *w = clean_en[below(r, COUNT_OF(clean_en))];
        size_t n = strlen(w);
        if (n > end - b->len)
            n = end - b->len;
        memcpy(b->p + b->len, w, n);
        b->len += n;
        if (b->len < end)
            b->p[b->len++] = ' ';
    }
}

/*
 * Append s[0..n) as the inside of a JSON string. Some records spell every
 * non-ASCII character as \u escapes (surrogate pairs above U+FFFF) and '/'
 * as "\/", so the parser's unescaping is exercised too.
 */
static void json_escape(struct sbuf *b, const char *s, size_t n, int is_u_escaped)
{
    static const char hex[] = "0123456789abcdef";
    sbuf_reserve(b, n * 2 + 16);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (b->cap - b->len < 16)
            sbuf_reserve(b, 16 + (n - i) * 2);
        char *d = b->p + b->len;
        if (c == '"' || c == '\\') {
            d[0] = '\\';
            d[1] = (char)c;
            b->len += 2;
            i++;
        } else if (c < 0x20) {
            const char *e = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (e) {
                memcpy(d, e, 2);
                b->len += 2;
            } else {
                d[0] = '\\';
                d[1] = 'u';
                d[2] = '0';
                d[3] = '0';
                d[4] = hex[c >> 4];
                d[5] = hex[c & 15];
                b->len += 6;
            }
            i++;
        } else if (c >= 0x80 && is_u_escaped) {
            size_t cl = char_len(c);
            unsigned cp = cl == 2 ? c & 0x1Fu : cl == 3 ? c & 0x0Fu : c & 0x07u;
            for (size_t j = 1; j < cl && i + j < n; j++)
                cp = cp << 6 | ((unsigned char)s[i + j] & 0x3Fu);
            unsigned units[2] = {cp, 0};
            int unit_count = 1;
            if (cp >= 0x10000) {
                units[0] = 0xD800 + ((cp - 0x10000) >> 10);
                units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
                unit_count = 2;
            }
            for (int u = 0; u < unit_count; u++) {
                d[0] = '\\';
                d[1] = 'u';
                for (int h = 0; h < 4; h++)
                    d[2 + h] = hex[(units[u] >> (12 - 4 * h)) & 15];
                d += 6;
                b->len += 6;
            }
            i += cl;
        } else if (c == '/' && is_u_escaped) {
            d[0] = '\\';
            d[1] = '/';
            b->len += 2;
            i++;
        } else {
            *d = (char)c;
            b->len++;
            i++;
        }
    }
}

/* ---- JSONL records ---- */

static void put_id(struct sbuf *b, enum id_style style, uint64_t k)
{
    if (style == ID_NUM) {
        put_u64(b, ID_BASE + k);
    } else {
        puts_(b, "\"c-");
        put_u64(b, k);
        putch(b, '"');
    }
}

static const char *const authors[] = {"Reader", "أبو محمد", "jo_smith", "7amoud", "Ｍａｒｉａ",
                                      "anon",   "ليلى",     "O'Brien",  "\"Q\"",  ""};

/* A JSON string member "name":"<text>" for a fresh comment. */
static void put_text_member(const struct gen *g, uint64_t *r, struct sbuf *b, const char *name,
                            size_t max_len)
{
    static _Thread_local struct sbuf text;
    text.len = 0;
    gen_text(g, r, &text, max_len, 1);
    putch(b, '"');
    puts_(b, name);
    puts_(b, "\":\"");
    json_escape(b, text.p, text.len, chance(r, 50));
    putch(b, '"');
}

/*
 * A well-formed JSONL record without its newline: an id (or none), a body,
 * maybe an author (or null) and unknown members, in any order, sometimes
 * spaced out. is_plain leaves out the blanks around the object (truncated
 * records are cut from it).
 */
static void jsonl_ok(const struct gen *g, const struct plan *p, uint64_t *r, uint64_t k,
                     struct sbuf *b, size_t body_max, int is_plain)
{
    int is_spaced = !is_plain && chance(r, 50);
    const char *comma = is_spaced ? " , " : ",";
    const char *colon = is_spaced ? " : " : ":";
    if (!is_plain && chance(r, 20))
        puts_(b, chance(r, 500) ? "  " : "\t");
    puts_(b, is_spaced ? "{ " : "{");

    /* Members: 0 id, 1 body, 2 author, 3 an unknown one; the id usually first. */
    int order[4] = {0, 1, 2, 3};
    if (chance(r, 200)) {
        for (int i = 3; i > 0; i--) {
            int j = (int)below(r, (uint32_t)i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    uint32_t author = below(r, 100);  /* < 40 a name, < 45 null, else none */
    uint32_t unknown = below(r, 100); /* < 12 some member nobody reads */
    int is_first = 1;
    for (int i = 0; i < 4; i++) {
        int m = order[i];
        if ((m == 0 && p->id_style == ID_NONE) || (m == 2 && author >= 45) ||
            (m == 3 && unknown >= 12))
            continue;
        if (!is_first)
            puts_(b, comma);
        is_first = 0;
        switch (m) {
        case 0:
            puts_(b, "\"id\"");
            puts_(b, colon);
            put_id(b, p->id_style, k);
            break;
        case 1:
            put_text_member(g, r, b, "body", body_max);
            break;
        case 2:
            puts_(b, "\"author\"");
            puts_(b, colon);
            if (author < 40) {
                putch(b, '"');
                const char *a = authors[below(r, COUNT_OF(authors))];
                json_escape(b, a, strlen(a), 0);
                putch(b, '"');
            } else {
                puts_(b, "null");
            }
            break;
        default: {
            static const char *const others[] = {
                "\"lang\":\"ar\"", "\"ts\":1764000000",
                "\"likes\":3.5e1", "\"meta\":{\"a\":[1,2,{\"b\":null}],\"body\":7}",
                "\"flag\":true",   "\"x\":\"a\\u0000b\"",
                "\"Body\":42",     "\"tags\":[\"a\",\"\\ud83d\\ude00\"]",
            };
            puts_(b, others[below(r, COUNT_OF(others))]);
            break;
        }
        }
    }
    puts_(b, is_spaced ? " }" : "}");
    if (!is_plain && chance(r, 20))
        putch(b, ' ');
    if (!is_plain && chance(r, 30))
        putch(b, '\r');
}

/* {"id":..,"body":"<ASCII>"} of exactly len bytes (len >= 64). */
static void jsonl_sized(const struct plan *p, uint64_t *r, uint64_t k, struct sbuf *b, size_t len)
{
    size_t start = b->len;
    putch(b, '{');
    if (p->id_style != ID_NONE) {
        puts_(b, "\"id\":");
        put_id(b, p->id_style, k);
        putch(b, ',');
    }
    puts_(b, "\"body\":\"");
    size_t used = b->len - start + 2;
    gen_filler(r, b, len > used ? len - used : 0);
    puts_(b, "\"}");
}

/* Raw bytes that are not UTF-8, each as the filter's validator sees it. */
static const char *const bad_utf8[] = {
    "\xff",             /* never in UTF-8 */
    "\xfe",             /* never in UTF-8 */
    "\xc0\xaf",         /* overlong '/' */
    "\xc1\xbf",         /* overlong DEL */
    "\xe0\x80\xaf",     /* overlong, three bytes */
    "\xf0\x80\x80\xaf", /* overlong, four bytes */
    "\xed\xa0\x80",     /* UTF-16 surrogate D800 */
    "\xed\xbf\xbf",     /* surrogate DFFF */
    "\xf4\x90\x80\x80", /* above U+10FFFF */
    "\xf5\x80\x80\x80", /* lead byte past F4 */
    "\x80",             /* lone continuation byte */
    "\xe2\x82",         /* cut three-byte sequence */
    "\xc3",             /* cut two-byte sequence */
    "\xf0\x9f\x98",     /* cut emoji */
};

/* Comment text with an invalid UTF-8 sequence inside (or at an end), raw. */
static void gen_bad_text(const struct gen *g, uint64_t *r, struct sbuf *b, int allow_newline,
                         int is_json)
{
    static _Thread_local struct sbuf t1, t2;
    t1.len = t2.len = 0;
    gen_text(g, r, &t1, 200, allow_newline);
    gen_text(g, r, &t2, 200, allow_newline);
    if (is_json)
        json_escape(b, t1.p, t1.len, 0);
    else
        put(b, t1.p, t1.len);
    puts_(b, bad_utf8[below(r, COUNT_OF(bad_utf8))]);
    if (is_json)
        json_escape(b, t2.p, t2.len, 0);
    else
        put(b, t2.p, t2.len);
}

static void jsonl_malformed(const struct gen *g, const struct plan *p, uint64_t *r, uint64_t k,
                            struct sbuf *b)
{
    static _Thread_local struct sbuf t;
    t.len = 0;
    size_t max = g->opts.max_bytes;
    switch (p->kind) {
    case K_INVALID_JSON: {
        /* Head, then the id (at '%') and an escaped comment, then the tail,
         * whose length is given: one tail holds a NUL. */
        static const struct {
            const char *head;
            const char *tail;
            size_t tail_len;
        } forms[] = {
#define FORM(head, tail) {head, tail, sizeof(tail) - 1}
            FORM("{\"id\":%,\"body\":\"", "\",}"),                         /* trailing comma */
            FORM("{id:%,\"body\":\"", "\"}"),                              /* unquoted key */
            FORM("{\"id\":% \"body\":\"", "\"}"),                          /* missing comma */
            FORM("{\"id\":%,\"body\":'", "'}"),                            /* single quotes */
            FORM("{\"id\":%,\"body\":\"\\x", "\"}"),                       /* unknown escape */
            FORM("{\"id\":%,\"body\":\"\\u12G4", "\"}"),                   /* bad hex digit */
            FORM("{\"id\":%,\"body\":\"\\ud800 ", "\"}"),                  /* lone high surrogate */
            FORM("{\"id\":%,\"body\":\"\\udc00", "\"}"),                   /* lone low surrogate */
            FORM("\xef\xbb\xbf{\"id\":%,\"body\":\"", "\"}"),              /* byte order mark */
            FORM("{\"id\":%,\"body\":\"", "\"} and more"),                 /* trailing data */
            FORM("{\"id\":%,\"body\":\"", "\"}{\"id\":1,\"body\":\"x\"}"), /* two objects */
            FORM("{\"id\":%,\"body\":\"", ""),                             /* unterminated string */
            FORM("{\"id\":%,\xff\"body\":\"", "\"}"),                      /* 0xff between tokens */
            FORM("{\"id\":%,\"body\":\"", "\"}\0"),    /* NUL after the object */
            FORM("{\"id\":%,\"body\":\"", "\"]"),      /* mismatched bracket */
            FORM("{\"id\":%,\"body\":\"", "\\u00\"}"), /* short \u escape */
#undef FORM
        };
        uint32_t f = below(r, COUNT_OF(forms) + 2);
        if (f == COUNT_OF(forms)) {
            /* Nested deeper than cJSON's limit of 1000. */
            puts_(b, "{\"id\":1,\"body\":\"x\",\"deep\":");
            for (int i = 0; i < 1001; i++)
                putch(b, '[');
            for (int i = 0; i < 1001; i++)
                putch(b, ']');
            putch(b, '}');
        } else if (f > COUNT_OF(forms)) {
            /* Plain text. Words never start with '{', so it is no object; it
             * may be JSON ("null", "3.5"), which is not an object either. */
            gen_text(g, r, &t, 300, 0);
            put(b, t.p, t.len);
        } else {
            for (const char *s = forms[f].head; *s; s++) {
                if (*s == '%')
                    put_id(b, ID_NUM, k);
                else
                    putch(b, *s);
            }
            gen_text(g, r, &t, 300, 1);
            json_escape(b, t.p, t.len, 0);
            put(b, forms[f].tail, forms[f].tail_len);
        }
        break;
    }
    case K_TRUNCATED: {
        struct plan q = *p;
        q.kind = K_OK;
        jsonl_ok(g, &q, r, k, &t, 600, 1);
        /* Any proper prefix of an object is no JSON value (or blank). */
        put(b, t.p, below(r, (uint32_t)t.len));
        break;
    }
    case K_NOT_OBJECT: {
        static const char *const forms[] = {"[1,2,3]", "42",    "-1.5e3",
                                            "true",    "false", "null",
                                            "[]",      "\"\"",  "[{\"id\":1,\"body\":\"hello\"}]"};
        uint32_t f = below(r, COUNT_OF(forms) + 1);
        if (f == COUNT_OF(forms)) {
            putch(b, '"');
            gen_text(g, r, &t, 300, 1);
            json_escape(b, t.p, t.len, 0);
            putch(b, '"');
        } else {
            puts_(b, forms[f]);
        }
        break;
    }
    case K_NO_BODY:
    case K_BODY_TYPE:
    case K_AUTHOR_TYPE:
    case K_ID_TYPE:
    case K_DUP_KEYS: {
        static const char *const no_body[] = {
            "\"author\":\"Reader\"", "\"text\":\"hello there\"",      "\"Body\":\"hello\"",
            "\"body \":\"hello\"",   "\"meta\":{\"body\":\"hello\"}", "\"bod\\u0079x\":\"a\""};
        static const char *const body_type[] = {"\"body\":42",
                                                "\"body\":-1",
                                                "\"body\":1.5",
                                                "\"body\":null",
                                                "\"body\":true",
                                                "\"body\":false",
                                                "\"body\":{\"text\":\"hello\"}",
                                                "\"body\":[\"hello\"]"};
        static const char *const author_type[] = {"\"author\":7", "\"author\":true",
                                                  "\"author\":{}", "\"author\":[\"A\"]",
                                                  "\"author\":0.5"};
        static const char *const id_type[] = {"true",      "false", "null",   "[1]",
                                              "{\"n\":1}", "01",    "-.5",    "[]"};
        putch(b, '{');
        if (p->kind == K_ID_TYPE) {
            puts_(b, "\"id\":");
            puts_(b, id_type[below(r, COUNT_OF(id_type))]);
            putch(b, ',');
        } else if (p->id_style != ID_NONE) {
            puts_(b, "\"id\":");
            put_id(b, p->id_style, k);
            putch(b, ',');
        }
        if (p->kind == K_NO_BODY) {
            puts_(b, no_body[below(r, COUNT_OF(no_body))]);
        } else if (p->kind == K_BODY_TYPE) {
            puts_(b, body_type[below(r, COUNT_OF(body_type))]);
        } else {
            put_text_member(g, r, b, "body", 300);
            putch(b, ',');
            if (p->kind == K_AUTHOR_TYPE) {
                puts_(b, author_type[below(r, COUNT_OF(author_type))]);
            } else if (p->kind == K_DUP_KEYS && chance(r, 500)) {
                puts_(b, "\"author\":\"A\",\"author\":\"B\"");
            } else if (p->kind == K_DUP_KEYS) {
                put_text_member(g, r, b, "body", 300);
            } else {
                puts_(b, "\"lang\":\"en\"");
            }
        }
        putch(b, '}');
        break;
    }
    case K_NUL: {
        /* The NUL goes in the id, the author or the body (escaped or raw):
         * the parser checks for NULs before it reads the id. */
        uint32_t where = below(r, 4);
        puts_(b, "{\"id\":");
        if (where == 0)
            puts_(b, "\"c-\\u0000\"");
        else
            put_id(b, ID_NUM, k);
        puts_(b, where == 1 ? ",\"author\":\"a\\u0000b\"" : "");
        puts_(b, ",\"body\":\"");
        gen_text(g, r, &t, 200, 1);
        size_t cut = t.len ? below(r, (uint32_t)t.len + 1) : 0;
        while (cut < t.len && ((unsigned char)t.p[cut] & 0xC0) == 0x80)
            cut++;
        json_escape(b, t.p, cut, 0);
        if (where == 3)
            putch(b, '\0');
        else if (where == 2)
            puts_(b, "\\u0000");
        else
            puts_(b, "x");
        json_escape(b, t.p + cut, t.len - cut, 0);
        puts_(b, "\"}");
        break;
    }
    case K_BAD_UTF8: {
        putch(b, '{');
        if (p->id_style != ID_NONE) {
            puts_(b, "\"id\":");
            put_id(b, p->id_style, k);
            putch(b, ',');
        }
        int is_author = chance(r, 250);
        puts_(b, is_author ? "\"body\":\"fine\",\"author\":\"" : "\"body\":\"");
        gen_bad_text(g, r, b, 1, 1);
        puts_(b, "\"}");
        break;
    }
    case K_BAD_UTF8_ID: {
        /* The id as the well-formed ones are, "c-k", with bad bytes inside
         * or at an end, sometimes after \u escapes; the id first or last. */
        static _Thread_local struct sbuf id;
        id.len = 0;
        const char *bad = bad_utf8[below(r, COUNT_OF(bad_utf8))];
        uint32_t where = below(r, 4);
        putch(&id, '"');
        if (where == 0)
            puts_(&id, bad);
        puts_(&id, where == 3 ? "\\u00e9c-" : "c-");
        put_u64(&id, k);
        if (where != 0)
            puts_(&id, bad);
        if (where == 2)
            puts_(&id, "-x");
        putch(&id, '"');
        int is_last = chance(r, 300);
        putch(b, '{');
        if (!is_last) {
            puts_(b, "\"id\":");
            put(b, id.p, id.len);
            putch(b, ',');
        }
        put_text_member(g, r, b, "body", 300);
        if (is_last) {
            puts_(b, ",\"id\":");
            put(b, id.p, id.len);
        }
        putch(b, '}');
        break;
    }
    case K_EMPTY: {
        static const char *const forms[] = {"", " ", "   ", "\t", "\r", " \t \r"};
        puts_(b, forms[below(r, COUNT_OF(forms))]);
        break;
    }
    case K_TOO_LONG: {
        size_t len = chance(r, 250) ? max + 1 : max + 1 + below(r, (uint32_t)max);
        jsonl_sized(p, r, k, b, len);
        break;
    }
    case K_HUGE:
        jsonl_sized(p, r, k, b, HUGE_MIN_BYTES + below(r, 1u << 20));
        break;
    default:
        break;
    }
}

/* ---- all formats ---- */

void gen_record(const struct gen *g, uint64_t k, struct sbuf *out)
{
    struct plan p;
    plan_record(g, k, &p);
    uint64_t *r = &p.rng;
    size_t start = out->len;
    size_t max = g->opts.max_bytes;
    char sep = g->opts.format == GEN_NUL ? '\0' : '\n';
    int is_json = g->opts.format == GEN_JSONL;

    switch (p.kind) {
    case K_OK: {
        /* A well-formed record must stay within --max-bytes: shorten the
         * comment until it does (escapes can make it six times longer). */
        size_t body_max = BODY_MAX_BYTES;
        for (;;) {
            if (is_json) {
                jsonl_ok(g, &p, r, k, out, body_max, 0);
            } else {
                gen_text(g, r, out, body_max, g->opts.format == GEN_NUL);
                if (g->opts.format == GEN_TEXT && chance(r, 2))
                    put(out, " a\0b", 4); /* a NUL inside a line is a byte like any */
                if (g->opts.format == GEN_TEXT && chance(r, 20))
                    putch(out, '\r');
            }
            if (out->len - start <= max)
                break;
            out->len = start;
            body_max /= 2;
        }
        break;
    }
    case K_EXACT:
        if (is_json) {
            jsonl_sized(&p, r, k, out, max);
        } else {
            gen_filler(r, out, max);
        }
        break;
    case K_TOO_LONG:
    case K_HUGE:
        if (is_json) {
            jsonl_malformed(g, &p, r, k, out);
        } else {
            size_t len = p.kind == K_HUGE ? HUGE_MIN_BYTES + below(r, 1u << 20)
                         : chance(r, 250) ? max + 1
                                          : max + 1 + below(r, (uint32_t)max);
            gen_filler(r, out, len);
        }
        break;
    case K_BAD_UTF8:
        if (is_json)
            jsonl_malformed(g, &p, r, k, out);
        else
            gen_bad_text(g, r, out, g->opts.format == GEN_NUL, 0);
        break;
    default:
        jsonl_malformed(g, &p, r, k, out);
        break;
    }
    putch(out, sep);
}

/* ---- setup ---- */

/* The total weight of the malformed kinds generated, for plan_record. */
static void weigh(struct gen *g)
{
    g->malformed_total = 0;
    for (int i = K_FIRST_MALFORMED; i < K_COUNT; i++) {
        if (g->action[i] != GEN_OFF)
            g->malformed_total += kinds[i].weight;
    }
}

struct gen *gen_new(const struct gen_options *opts)
{
    struct gen *g = calloc(1, sizeof *g);
    if (!g)
        die_nomem();
    g->opts = *opts;
    for (int i = 0; i < K_COUNT; i++) {
        if (kinds[i].formats & (1u << opts->format))
            g->action[i] = kinds[i].action;
    }
    weigh(g);
    return g;
}

void gen_free(struct gen *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->owned_count; i++)
        free(g->owned[i]);
    free(g->owned);
    free(g->abusive_en.words);
    free(g->abusive_ar.words);
    free(g);
}

static void list_add(struct word_list *l, const char *w)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        const char **p = realloc(l->words, cap * sizeof *p);
        if (!p)
            die_nomem();
        l->words = p;
        l->cap = cap;
    }
    l->words[l->count++] = w;
}

int gen_words_add(struct gen *g, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *w = strdup(line);
        if (!w)
            die_nomem();
        if (g->owned_count == g->owned_cap) {
            size_t c = g->owned_cap ? g->owned_cap * 2 : 256;
            char **p = realloc(g->owned, c * sizeof *p);
            if (!p)
                die_nomem();
            g->owned = p;
            g->owned_cap = c;
        }
        g->owned[g->owned_count++] = w;
        list_add((unsigned char)w[0] >= 0x80 ? &g->abusive_ar : &g->abusive_en, w);
    }
    int err = ferror(f) ? EIO : 0;
    free(line);
    fclose(f);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

int gen_kind_set(struct gen *g, const char *name, enum gen_expect_action action)
{
    int found = -1;
    for (int i = 0; i < K_COUNT; i++) {
        if (strcmp(kinds[i].name, name) == 0 && (kinds[i].formats & (1u << g->opts.format)))
            found = i;
    }
    if (found < 0)
        return -1;
    g->action[found] = action;
    weigh(g);
    return 0;
}

const char *gen_kind_name(unsigned i)
{
    return i < K_COUNT ? kinds[i].name : NULL;
}

void gen_kinds_print(const struct gen *g, FILE *file)
{
    static const char *const names[] = {"off", "verdict", "error"};
    for (int i = 0; i < K_COUNT; i++) {
        if (!(kinds[i].formats & (1u << g->opts.format)))
            continue;
        fprintf(file, "  %-13s %-7s %s\n", kinds[i].name, names[g->action[i]], kinds[i].what);
    }
}
