/*
 * context.c - what one comment cannot show alone: copies of one text pasted
 * by many accounts (campaigns), and each author's rate, repeats and held
 * comments. quell.h, "Context", says what it promises; context_file.c
 * saves and loads it.
 *
 * Campaigns. Each comment long enough gets a MinHash fingerprint of its
 * generalised text's 4-character shingles (note_make). The window keeps
 * the latest fingerprints in a ring; a table maps each band of a
 * fingerprint (locality-sensitive hashing) to the latest comment with that
 * band, so a new comment looks at no more than BANDS earlier ones and joins
 * the cluster of the most alike, when it is alike enough. A cluster counts
 * its members in the window and their distinct authors (a table of
 * (cluster, author) pairs with their members' count), and both go down as
 * members leave the window: by count, and by age. Every table has a fixed
 * size, twice its most keys, so it never grows and a lookup stays O(1).
 *
 * Authors. An LRU table of authors, each with a ring of its latest
 * CONTEXT_AUTHOR_RECENT comments: time, text keys, action. Rate, repeats
 * and held comments are counts over that ring. Why an LRU rather than a
 * count-min sketch: a sketch only counts, while an author's repeats and
 * held comments need what each comment was; and forgetting the author
 * seen least recently is exact for everyone else, where a sketch's errors
 * land on whoever collides, innocent authors included.
 */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "context.h"
#include "context_state.h"
#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "scan.h"
#include "score.h"
#include "utf8.h"
#include "util/grow.h"
#include "views.h"

/* ------------------------------------------------------------------------ */
/* Hashes and the fixed-size table                                           */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Key 0 marks an empty slot, so no real key may be 0. */
static uint64_t nonzero64(uint64_t x)
{
    return x ? x : 1;
}

int map_init(struct map *m, size_t max_keys)
{
    size_t slots = 16;
    while (slots < 2 * max_keys)
        slots *= 2;
    m->keys = calloc(slots, sizeof *m->keys);
    m->vals = calloc(slots, sizeof *m->vals);
    m->mask = slots - 1;
    m->count = 0;
    if (!m->keys || !m->vals) {
        map_free(m);
        return QUELL_ENOMEM;
    }
    return QUELL_OK;
}

void map_free(struct map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
}

size_t map_bytes(const struct map *m)
{
    return m->keys ? (m->mask + 1) * (sizeof *m->keys + sizeof *m->vals) : 0;
}

/* The value of key, or NULL. */
uint32_t *map_find(const struct map *m, uint64_t key)
{
    assert(m->keys && m->vals);
    for (size_t i = mix64(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->keys[i] == key)
            return &m->vals[i];
        if (m->keys[i] == 0)
            return NULL;
    }
}

/* Set key's value. The caller keeps the keys under half the slots, so
 * there is always an empty one. */
void map_put(struct map *m, uint64_t key, uint32_t val)
{
    assert(m->keys && m->vals);
    size_t i = mix64(key) & m->mask;
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & m->mask;
    if (m->keys[i] == 0)
        m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
}

/* Remove key, shifting back the keys after it that probed past its slot
 * (linear probing without tombstones, so lookups never slow down). */
void map_del(struct map *m, uint64_t key)
{
    assert(m->keys && m->vals);
    size_t i = mix64(key) & m->mask;
    while (m->keys[i] != key) {
        if (m->keys[i] == 0)
            return;
        i = (i + 1) & m->mask;
    }
    m->count--;
    for (size_t j = (i + 1) & m->mask;; j = (j + 1) & m->mask) {
        if (m->keys[j] == 0)
            break;
        size_t home = mix64(m->keys[j]) & m->mask;
        /* j's key may move to i when its home is not in (i, j]. */
        if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->keys[i] = 0;
}

/* ------------------------------------------------------------------------ */
/* Notes: a comment's author and fingerprint                                 */

/* Placeholders of the generalised text, from the private use area. */
#define PH_LINK    0xE001
#define PH_MENTION 0xE002
#define PH_NUMBER  0xE003

struct fingerprint {
    uint64_t last3; /* the last three characters, 21 bits each */
    uint64_t text_hash;
    uint32_t chars;
    int32_t last; /* the last character given, to collapse placeholders */
    uint32_t *sig;
};

static void fp_add(struct fingerprint *fp, int32_t cp)
{
    if (cp == fp->last && cp >= PH_LINK && cp <= PH_NUMBER)
        return; /* "555 123 4567" is one number, as "555-123-4567" */
    fp->last = cp;
    fp->text_hash = (fp->text_hash ^ (uint64_t)cp) * 0x100000001b3ULL;
    uint64_t shingle = fp->last3 ^ ((uint64_t)cp * 0x9e3779b97f4a7c15ULL);
    fp->last3 = (fp->last3 << 21 | (uint64_t)cp) & 0x7fffffffffffffffULL;
    if (++fp->chars < SHINGLE)
        return;
    /* One permutation hashing: the shingle's hash picks one of SIG_SIZE
     * bins by its top bits and competes for that bin's minimum with its
     * low 32 bits: one hash per shingle rather than SIG_SIZE of them (Li,
     * Owen and Zhang, NIPS 2012). Empty bins are filled in by fp_finish. */
    uint64_t h = mix64(shingle);
    uint32_t bin = (uint32_t)(h >> 59); /* SIG_SIZE is 32: 5 bits */
    uint32_t v = (uint32_t)h;
    if (v < fp->sig[bin])
        fp->sig[bin] = v;
}

_Static_assert(SIG_SIZE == 32, "fp_add picks a bin with 5 bits");

/* Fill each empty bin from the next filled one to its right, mixed with
 * the distance, so that two texts with the same bins filled agree there
 * as often as their filled bins agree (densification, Shrivastava and Li,
 * ICML 2014). A text with a shingle has a filled bin. */
static void fp_finish(uint32_t *sig)
{
    for (uint32_t i = 0; i < SIG_SIZE; i++) {
        if (sig[i] != UINT32_MAX)
            continue;
        uint32_t d = 1;
        while (d < SIG_SIZE && sig[(i + d) % SIG_SIZE] == UINT32_MAX)
            d++;
        if (d == SIG_SIZE)
            return;
        /* Borrowed values stay out of the real ones' way: their top bit. */
        sig[i] = mix32(sig[(i + d) % SIG_SIZE] + d * 0x9e3779b9U) | 0x80000000U;
    }
}

static bool is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Whether the token text[0..len) is a link: it has "://", or a dot between
 * two letters or digits with 2 to 6 ASCII letters after its last dot (up
 * to a '/'): bit.ly/x, example.com, an e-mail address. */
static bool is_link(const char *text, size_t len)
{
    for (size_t k = 0; k + 3 <= len; k++) {
        if (text[k] == ':' && text[k + 1] == '/' && text[k + 2] == '/')
            return true;
    }
    size_t end = len;
    const char *slash = memchr(text, '/', len);
    if (slash)
        end = (size_t)(slash - text);
    size_t dot = end;
    while (dot > 0 && text[dot - 1] != '.')
        dot--;
    if (dot < 2 || !is_ascii_alnum(text[dot - 2]))
        return false;
    size_t tld = end - dot;
    if (tld < 2 || tld > 6)
        return false;
    for (size_t k = dot; k < end; k++) {
        if (!((text[k] >= 'a' && text[k] <= 'z') || (text[k] >= 'A' && text[k] <= 'Z')))
            return false;
    }
    return true;
}

/* The character at s[off] of a view, which is valid UTF-8: decoded here
 * without utf8proc's checks, which cost more than the fingerprint. */
static inline int32_t decode(const char *s, size_t len, size_t off, size_t *next)
{
    const unsigned char *p = (const unsigned char *)s + off;
    size_t left = len - off;
    if (p[0] < 0x80) {
        *next = off + 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0 && left >= 2) {
        *next = off + 2;
        return (int32_t)((p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu));
    }
    if ((p[0] & 0xF0) == 0xE0 && left >= 3) {
        *next = off + 3;
        return (int32_t)((p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu));
    }
    if ((p[0] & 0xF8) == 0xF0 && left >= 4) {
        *next = off + 4;
        return (int32_t)((p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 |
                         (p[3] & 0x3Fu));
    }
    return utf8_decode_at(s, len, off, next);
}

/* White space: ASCII's, and Unicode's space separators (category Zs,
 * listed: they are few, and this runs on every character). */
static bool is_space(int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* Feed the generalised skeleton text to fp: per space-separated token, a
 * link or @mention is one placeholder, and otherwise its letters count and
 * each run of digits is one placeholder; the rest (punctuation, emoji,
 * spaces) is dropped. */
static void fp_feed(struct fingerprint *fp, const char *text, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t next;
        int32_t cp = decode(text, len, off, &next);
        if (is_space(cp)) {
            off = next;
            continue;
        }
        size_t start = off, end = off;
        while (end < len) {
            size_t after;
            int32_t c = decode(text, len, end, &after);
            if (is_space(c))
                break;
            end = after;
        }
        if (text[start] == '@' && end - start > 1) {
            fp_add(fp, PH_MENTION);
        } else if (is_link(text + start, end - start)) {
            fp_add(fp, PH_LINK);
        } else {
            for (size_t k = start; k < end; k = next) {
                unsigned char b = (unsigned char)text[k];
                if (b < 0x80) { /* most of it: no table lookup */
                    next = k + 1;
                    if (b >= '0' && b <= '9')
                        fp_add(fp, PH_NUMBER);
                    else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
                        fp_add(fp, b);
                    continue;
                }
                int32_t c = decode(text, len, k, &next);
                if (c >= 0x0621 && c <= 0x064A) { /* the Arabic letters */
                    fp_add(fp, c);
                    continue;
                }
                utf8proc_category_t cat = utf8proc_category(c);
                if (cat == UTF8PROC_CATEGORY_ND)
                    fp_add(fp, PH_NUMBER);
                else if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
                    fp_add(fp, c);
            }
        }
        off = end;
    }
}

/* Fingerprint a skeleton view's text into n: its length, text key and,
 * when it has a shingle, its signature. */
static void fingerprint(const char *view, size_t len, struct note *n)
{
    struct fingerprint fp = {.text_hash = 0xcbf29ce484222325ULL, .last = -1, .sig = n->sig};
    memset(n->sig, 0xff, sizeof n->sig);
    fp_feed(&fp, view, len);
    n->chars = fp.chars;
    if (fp.chars > 0)
        n->text_key = (uint32_t)nonzero64(mix64(fp.text_hash) & 0xffffffffu);
    n->has_sig = fp.chars >= SHINGLE;
    if (n->has_sig)
        fp_finish(n->sig);
    else
        memset(n->sig, 0, sizeof n->sig);
}

static uint64_t band_key(const uint32_t *sig, unsigned int band);

static int cmp_common_band(const void *a, const void *b)
{
    uint64_t x = ((const struct common_band *)a)->key, y = ((const struct common_band *)b)->key;
    return (x > y) - (x < y);
}

int context_commons_derive(struct quell_rules *rules, struct norm_view *views, quell_error *err)
{
    const struct rule_table *t = rules->table;
    if (t->common_count == 0)
        return QUELL_OK;
    rules->common_sigs = pool_alloc(rules->pool, t->common_count * sizeof(uint32_t) * SIG_SIZE);
    rules->common_bands =
        pool_alloc(rules->pool, t->common_count * BANDS * sizeof *rules->common_bands);
    if (!rules->common_sigs || !rules->common_bands)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
    for (size_t i = 0; i < t->common_count; i++) {
        const struct common_phrase *c = &t->commons[i];
        struct view_text vt;
        if (views_build(rules->norm, c->text, c->text_len, VIEW_RAW, VIEW_SKELETON, views, &vt) !=
            QUELL_OK)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory assembling rules");
        struct note n = {0};
        fingerprint(vt.text, vt.len, &n);
        if (!n.has_sig) {
            char q[QUOTE_BUF_BYTES];
            return err_set(err, QUELL_ECONFIG, t->files[c->file], (int)c->line, NULL,
                           "common phrase \"%s\" has fewer than %d letters once generalised: "
                           "too short to be alike to anything",
                           rules_quote(q, sizeof q, c->text, c->text_len), SHINGLE);
        }
        memcpy(rules->common_sigs + i * SIG_SIZE, n.sig, sizeof n.sig);
        for (unsigned int b = 0; b < BANDS; b++)
            rules->common_bands[i * BANDS + b] =
                (struct common_band){band_key(n.sig, b), (uint32_t)i};
    }
    qsort(rules->common_bands, t->common_count * BANDS, sizeof *rules->common_bands,
          cmp_common_band);
    return QUELL_OK;
}

/* Whether sig is alike (half its minimums or more) to a common phrase
 * that shares one of its bands. */
static bool is_common(const struct quell_rules *rules, const uint32_t *sig)
{
    size_t count = rules->table->common_count * BANDS;
    for (unsigned int b = 0; b < BANDS && count; b++) {
        uint64_t key = band_key(sig, b);
        size_t lo = 0, hi = count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (rules->common_bands[mid].key < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < count && rules->common_bands[lo].key == key; lo++) {
            const uint32_t *c =
                rules->common_sigs + (size_t)rules->common_bands[lo].phrase * SIG_SIZE;
            uint32_t equal = 0;
            for (unsigned int i = 0; i < SIG_SIZE; i++)
                equal += c[i] == sig[i];
            if (2 * equal >= SIG_SIZE)
                return true;
        }
    }
    return false;
}

int quell_context_note_make(quell_scanner *scanner, const quell_comment *comment,
                            quell_context_note *note, quell_error *err)
{
    memset(note, 0, sizeof *note);
    struct note *n = (struct note *)note->opaque;
    const char *author = comment->text[QUELL_FIELD_AUTHOR];
    if (author)
        n->author = nonzero64(XXH3_64bits(author, comment->text_len[QUELL_FIELD_AUTHOR]));
    const char *body = comment->text[QUELL_FIELD_BODY];
    if (!body)
        return QUELL_OK;
    const char *view;
    size_t view_len;
    size_t len = comment->text_len[QUELL_FIELD_BODY];
    /* The comment just scanned: its skeleton view is there already. */
    if (!scan_last_skeleton(scanner, body, len, &view, &view_len)) {
        int rc = quell_scanner_view(scanner, QUELL_VIEW_SKELETON, body, len, &view, &view_len, err);
        if (rc != QUELL_OK)
            return rc;
    }
    fingerprint(view, view_len, n);
    const struct quell_rules *rules = quell_scanner_rules(scanner);
    n->is_common = n->has_sig && rules->common_sigs && is_common(rules, n->sig);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* The context                                                               */

static int bands_init(struct band_cache *bc, size_t max_keys);

static int check_options(const quell_context_options *in, quell_context_options *o,
                         quell_error *err)
{
    quell_context_options defaults = QUELL_CONTEXT_OPTIONS_INIT;
    if (!in)
        in = &defaults;
    if (in->version > QUELL_CONTEXT_OPTIONS_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "quell_context_options version %u is newer than this library's (%d)",
                       in->version, QUELL_CONTEXT_OPTIONS_VERSION);
    *o = *in;
    o->version = QUELL_CONTEXT_OPTIONS_VERSION;
    if (!o->window_comments)
        o->window_comments = CONTEXT_WINDOW_COMMENTS;
    if (o->window_seconds == 0)
        o->window_seconds = CONTEXT_WINDOW_SECONDS;
    if (!o->max_authors)
        o->max_authors = CONTEXT_MAX_AUTHORS;
    if (o->author_seconds == 0)
        o->author_seconds = CONTEXT_AUTHOR_SECONDS;
    if (o->rate_seconds == 0)
        o->rate_seconds = CONTEXT_RATE_SECONDS;
    if (o->similarity == 0)
        o->similarity = CONTEXT_SIMILARITY;
    if (!o->min_chars)
        o->min_chars = CONTEXT_MIN_CHARS;
    if (o->window_comments > CONTEXT_MAX_ITEMS || o->max_authors > CONTEXT_MAX_ITEMS)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "a context window holds at most %zu comments and %zu authors",
                       CONTEXT_MAX_ITEMS, CONTEXT_MAX_ITEMS);
    /* Seconds are kept as 32-bit counts: a window of over a century is a
     * mistake, not a wish. */
    double max_s = 100.0 * 366 * 86400;
    if (!(o->window_seconds > 0 && o->window_seconds <= max_s) ||
        !(o->author_seconds > 0 && o->author_seconds <= max_s) ||
        !(o->rate_seconds > 0 && o->rate_seconds <= max_s))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "context windows are positive numbers of seconds, up to a century");
    if (!(o->similarity > 0 && o->similarity <= 1))
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "context similarity %g is outside (0, 1]", o->similarity);
    return QUELL_OK;
}

int context_make(quell_context **out, const quell_context_options *options, quell_error *err)
{
    *out = NULL;
    quell_context_options o = QUELL_CONTEXT_OPTIONS_INIT;
    int rc = check_options(options, &o, err);
    if (rc != QUELL_OK)
        return rc;
    quell_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a context");
    ctx->opt = o;
    ctx->window_cap = o.window_comments;
    assert(ctx->window_cap > 0 && o.max_authors > 0); /* check_options gave defaults */
    ctx->window_s = (uint32_t)ceil(o.window_seconds);
    ctx->author_s = (uint32_t)ceil(o.author_seconds);
    ctx->rate_s = (uint32_t)ceil(o.rate_seconds);
    ctx->min_equal = (uint32_t)ceil(o.similarity * SIG_SIZE - 1e-9);
    if (ctx->min_equal < 1)
        ctx->min_equal = 1;
    ctx->entries = calloc(ctx->window_cap, sizeof *ctx->entries);
    ctx->clusters = calloc(ctx->window_cap, sizeof *ctx->clusters);
    ctx->free_clusters = calloc(ctx->window_cap, sizeof *ctx->free_clusters);
    if (!ctx->entries || !ctx->clusters || !ctx->free_clusters ||
        bands_init(&ctx->bands, BANDS * ctx->window_cap) != QUELL_OK ||
        map_init(&ctx->cluster_authors, ctx->window_cap) != QUELL_OK ||
        map_init(&ctx->author_index, o.max_authors) != QUELL_OK ||
        pthread_mutex_init(&ctx->lock, NULL) != 0) {
        quell_context_free(ctx);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a context");
    }
    ctx->has_lock = true;
    for (size_t i = 0; i < ctx->window_cap; i++)
        ctx->free_clusters[i] = (uint32_t)(ctx->window_cap - 1 - i);
    ctx->free_cluster_count = ctx->window_cap;
    ctx->lru_head = ctx->lru_tail = NO_INDEX;
    *out = ctx;
    return QUELL_OK;
}

int quell_context_new(quell_context **out, const quell_context_options *options, quell_error *err)
{
    return context_make(out, options, err);
}

void quell_context_free(quell_context *ctx)
{
    if (!ctx)
        return;
    free(ctx->entries);
    free(ctx->clusters);
    free(ctx->free_clusters);
    free(ctx->authors);
    free(ctx->bands.ways);
    free(ctx->bands.victim);
    map_free(&ctx->cluster_authors);
    map_free(&ctx->author_index);
    if (ctx->has_lock)
        pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

static size_t fixed_bytes(const quell_context *ctx)
{
    return sizeof *ctx +
           ctx->window_cap *
               (sizeof *ctx->entries + sizeof *ctx->clusters + sizeof *ctx->free_clusters) +
           (ctx->bands.mask + 1) * (BAND_WAYS * sizeof(struct band_way) + 1) +
           map_bytes(&ctx->cluster_authors) +
           map_bytes(&ctx->author_index);
}

size_t quell_context_memory(const quell_context *ctx)
{
    /* The author table grows while other threads decide. */
    pthread_mutex_t *lock = (pthread_mutex_t *)&ctx->lock;
    pthread_mutex_lock(lock);
    size_t authors = ctx->author_cap * sizeof *ctx->authors;
    pthread_mutex_unlock(lock);
    return fixed_bytes(ctx) + authors;
}

size_t quell_context_memory_limit(const quell_context *ctx)
{
    return fixed_bytes(ctx) + ctx->opt.max_authors * sizeof *ctx->authors;
}

/* ------------------------------------------------------------------------ */
/* The campaign window                                                       */

static uint64_t band_key(const uint32_t *sig, unsigned int band)
{
    const uint32_t *r = sig + (size_t)band * SIG_ROWS;
    _Static_assert(SIG_ROWS == 4, "a band is four minimums");
    uint64_t a = (uint64_t)r[0] << 32 | r[1], b = (uint64_t)r[2] << 32 | r[3];
    return nonzero64(mix64(a ^ mix64(b + band * 0x9e3779b97f4a7c15ULL)));
}

static int bands_init(struct band_cache *bc, size_t max_keys)
{
    size_t buckets = 1;
    while (buckets * BAND_WAYS < 2 * max_keys)
        buckets *= 2;
    bc->ways = aligned_alloc(64, buckets * BAND_WAYS * sizeof *bc->ways);
    bc->victim = calloc(buckets, 1);
    bc->mask = buckets - 1;
    if (!bc->ways || !bc->victim)
        return QUELL_ENOMEM;
    memset(bc->ways, 0, buckets * BAND_WAYS * sizeof *bc->ways);
    return QUELL_OK;
}

_Static_assert(BAND_WAYS * sizeof(struct band_way) == 64, "a bucket is one cache line");

static struct band_way *bucket_of(const struct band_cache *bc, uint64_t key)
{
    return bc->ways + ((key >> 32) & bc->mask) * BAND_WAYS;
}

/* Whether window slot e holds a comment in the window now. */
static bool is_in_window(const quell_context *ctx, uint32_t e)
{
    size_t age = (e + ctx->window_cap - ctx->window_head) % ctx->window_cap;
    return age < ctx->window_count;
}

/* The comment in the window whose band `band` is sig's (its key is key),
 * or NO_INDEX. */
static uint32_t bands_find(const quell_context *ctx, uint64_t key, unsigned int band,
                           const uint32_t *sig)
{
    const struct band_way *w = bucket_of(&ctx->bands, key);
    uint32_t tag = (uint32_t)key | 1;
    size_t at = (size_t)band * SIG_ROWS;
    for (int k = 0; k < BAND_WAYS; k++) {
        if (w[k].tag == tag && is_in_window(ctx, w[k].entry) &&
            memcmp(ctx->entries[w[k].entry].sig + at, sig + at, SIG_ROWS * sizeof *sig) == 0)
            return w[k].entry;
    }
    return NO_INDEX;
}

/* Point key at window slot e: the way that holds the key already, or the
 * bucket's oldest. */
static void bands_put(quell_context *ctx, uint64_t key, uint32_t e)
{
    struct band_cache *bc = &ctx->bands;
    struct band_way *w = bucket_of(bc, key);
    uint32_t tag = (uint32_t)key | 1;
    for (int k = 0; k < BAND_WAYS; k++) {
        if (w[k].tag == tag) {
            w[k].entry = e;
            return;
        }
    }
    size_t b = (size_t)(w - bc->ways) / BAND_WAYS;
    uint8_t k = bc->victim[b];
    bc->victim[b] = (uint8_t)((k + 1) % BAND_WAYS);
    w[k].tag = tag;
    w[k].entry = e;
}

static uint64_t cluster_author_key(uint32_t cluster, uint64_t author)
{
    return nonzero64(mix64(author ^ ((uint64_t)cluster << 40 | 0x5bd1e995)));
}

/* Count author (0: none) as one more member of cluster c, or one fewer. */
static void cluster_author_add(quell_context *ctx, uint32_t c, uint64_t author)
{
    if (!author)
        return;
    uint64_t key = cluster_author_key(c, author);
    uint32_t *n = map_find(&ctx->cluster_authors, key);
    if (n) {
        (*n)++;
        return;
    }
    map_put(&ctx->cluster_authors, key, 1);
    ctx->clusters[c].authors++;
}

static void cluster_author_drop(quell_context *ctx, uint32_t c, uint64_t author)
{
    if (!author)
        return;
    uint64_t key = cluster_author_key(c, author);
    uint32_t *n = map_find(&ctx->cluster_authors, key);
    if (!n)
        return;
    if (--*n == 0) {
        map_del(&ctx->cluster_authors, key);
        ctx->clusters[c].authors--;
    }
}

/* Whether s[0..len) can stand in a JSON line as an id: a string, quoted,
 * with no raw control byte or quote inside and valid UTF-8, or a number's
 * characters. Verdicts write a cluster's first id as it is, so one from a
 * caller or a file must not break the line. */
bool context_id_is_json(const char *s, size_t len)
{
    if (len == 0)
        return true; /* none */
    if (s[0] == '"') {
        if (len < 2 || s[len - 1] != '"' || !utf8_valid(s, len, NULL))
            return false;
        for (size_t i = 1; i + 1 < len; i++) {
            if ((unsigned char)s[i] < 0x20 || s[i] == '"')
                return false;
            if (s[i] == '\\' && ++i + 1 >= len)
                return false; /* a backslash escapes the closing quote */
        }
        return true;
    }
    for (size_t i = 0; i < len; i++) {
        if (!strchr("0123456789+-.eE", s[i]) || s[i] == '\0')
            return false;
    }
    return true;
}

uint32_t context_cluster_new(quell_context *ctx, const char *id, size_t id_len)
{
    uint32_t c = ctx->free_clusters[--ctx->free_cluster_count];
    struct cluster *cl = &ctx->clusters[c];
    memset(cl, 0, sizeof *cl);
    if (id && id_len < sizeof cl->first && context_id_is_json(id, id_len)) {
        memcpy(cl->first, id, id_len);
        cl->first[id_len] = '\0';
    }
    return c;
}

/* The oldest comment leaves the window. */
static void window_drop_oldest(quell_context *ctx)
{
    struct entry *e = &ctx->entries[ctx->window_head];
    struct cluster *cl = &ctx->clusters[e->cluster];
    cluster_author_drop(ctx, e->cluster, e->author);
    if (--cl->copies == 0)
        ctx->free_clusters[ctx->free_cluster_count++] = e->cluster;
    ctx->window_head = (ctx->window_head + 1) % ctx->window_cap;
    ctx->window_count--;
}

/* Drop the comments older than the window reaches from now. */
static void window_expire(quell_context *ctx, uint32_t now)
{
    while (ctx->window_count > 0 && now - ctx->entries[ctx->window_head].time >= ctx->window_s)
        window_drop_oldest(ctx);
}

static uint32_t window_add(quell_context *ctx, const uint32_t *sig, const uint64_t *keys,
                           uint64_t author, uint32_t time, uint32_t c, const char *id,
                           size_t id_len);

/* Add a fingerprinted comment to cluster c (or a new cluster when c is
 * NO_INDEX) at the window's end; returns its cluster. */
uint32_t context_window_add(quell_context *ctx, const uint32_t *sig, uint64_t author,
                            uint32_t time, uint32_t c, const char *id, size_t id_len)
{
    uint64_t keys[BANDS];
    for (unsigned int b = 0; b < BANDS; b++)
        keys[b] = band_key(sig, b);
    return window_add(ctx, sig, keys, author, time, c, id, id_len);
}

static uint32_t window_add(quell_context *ctx, const uint32_t *sig, const uint64_t *keys,
                           uint64_t author, uint32_t time, uint32_t c, const char *id,
                           size_t id_len)
{
    /* Count the member first: the oldest comment, about to leave, may be
     * the last of c, which must not be freed under it. */
    if (c != NO_INDEX)
        ctx->clusters[c].copies++;
    if (ctx->window_count == ctx->window_cap)
        window_drop_oldest(ctx);
    if (c == NO_INDEX) {
        c = context_cluster_new(ctx, id, id_len);
        ctx->clusters[c].copies++;
    }
    uint32_t slot = (uint32_t)((ctx->window_head + ctx->window_count) % ctx->window_cap);
    ctx->window_count++;
    struct entry *e = &ctx->entries[slot];
    memcpy(e->sig, sig, sizeof e->sig);
    e->author = author;
    e->time = time;
    e->cluster = c;
    cluster_author_add(ctx, c, author);
    for (unsigned int b = 0; b < BANDS; b++)
        bands_put(ctx, keys[b], slot);
    return c;
}

/* The cluster of the most alike comment in the window that shares a band
 * with sig and is alike enough, or NO_INDEX. Ties go to the latest. */
static uint32_t window_match(const quell_context *ctx, const uint32_t *sig, const uint64_t *keys)
{
    uint32_t best = NO_INDEX, best_equal = 0, best_age = 0;
    for (unsigned int b = 0; b < BANDS; b++) {
        uint32_t e = bands_find(ctx, keys[b], b, sig);
        if (e == NO_INDEX)
            continue;
        const struct entry *en = &ctx->entries[e];
        uint32_t equal = 0;
        for (unsigned int i = 0; i < SIG_SIZE; i++)
            equal += en->sig[i] == sig[i];
        uint32_t age = (uint32_t)((e + ctx->window_cap - ctx->window_head) % ctx->window_cap);
        if (equal >= ctx->min_equal &&
            (equal > best_equal || (equal == best_equal && age > best_age))) {
            best = en->cluster;
            best_equal = equal;
            best_age = age;
        }
    }
    return best;
}

/* ------------------------------------------------------------------------ */
/* Authors                                                                   */

static void lru_unlink(quell_context *ctx, uint32_t a)
{
    struct author *au = &ctx->authors[a];
    if (au->prev != NO_INDEX)
        ctx->authors[au->prev].next = au->next;
    else
        ctx->lru_head = au->next;
    if (au->next != NO_INDEX)
        ctx->authors[au->next].prev = au->prev;
    else
        ctx->lru_tail = au->prev;
}

static void lru_push_front(quell_context *ctx, uint32_t a)
{
    struct author *au = &ctx->authors[a];
    au->prev = NO_INDEX;
    au->next = ctx->lru_head;
    if (ctx->lru_head != NO_INDEX)
        ctx->authors[ctx->lru_head].prev = a;
    ctx->lru_head = a;
    if (ctx->lru_tail == NO_INDEX)
        ctx->lru_tail = a;
}

/* The author's record, made (forgetting the author seen least recently
 * when the table is full) when there is none; moved to the LRU's front.
 * NO_INDEX when out of memory. */
uint32_t context_author_get(quell_context *ctx, uint64_t key)
{
    uint32_t *found = map_find(&ctx->author_index, key);
    uint32_t a;
    if (found) {
        a = *found;
        lru_unlink(ctx, a);
    } else if (ctx->author_count < ctx->opt.max_authors) {
        struct author *p = grow_array(ctx->authors, &ctx->author_cap, ctx->author_count + 1,
                                      sizeof *ctx->authors, 256, ctx->opt.max_authors);
        if (!p)
            return NO_INDEX;
        ctx->authors = p;
        a = (uint32_t)ctx->author_count++;
        memset(&ctx->authors[a], 0, sizeof ctx->authors[a]);
        ctx->authors[a].key = key;
        map_put(&ctx->author_index, key, a);
    } else {
        a = ctx->lru_tail;
        lru_unlink(ctx, a);
        map_del(&ctx->author_index, ctx->authors[a].key);
        memset(&ctx->authors[a], 0, sizeof ctx->authors[a]);
        ctx->authors[a].key = key;
        map_put(&ctx->author_index, key, a);
    }
    lru_push_front(ctx, a);
    return a;
}

/* Whether two of an author's comments carry the same text: the same
 * generalised text, or a band of their fingerprints in common. */
static bool same_text(const struct recent *r, const uint32_t key[RECENT_KEYS])
{
    for (int k = 0; k < RECENT_KEYS; k++) {
        if (key[k] && r->key[k] == key[k])
            return true;
    }
    return false;
}

static void author_facts(quell_context *ctx, uint32_t a, uint32_t now, uint32_t seq,
                         const uint32_t key[RECENT_KEYS], quell_action action,
                         quell_context_facts *facts)
{
    struct author *au = &ctx->authors[a];
    uint32_t rate = 1, repeats = 1, held = 0;
    for (unsigned int k = 0; k < au->count; k++) {
        const struct recent *r = &au->recent[k];
        uint32_t age = now - r->time;
        rate += age < ctx->rate_s;
        if (age < ctx->author_s) {
            repeats += same_text(r, key);
            held += r->action >= QUELL_HOLD;
        }
    }
    /* The ring's oldest gives way: its place is the next in turn. */
    struct recent *slot = &au->recent[au->next_slot];
    au->next_slot = (uint8_t)((au->next_slot + 1) % CONTEXT_AUTHOR_RECENT);
    if (au->count < CONTEXT_AUTHOR_RECENT)
        au->count++;
    slot->time = now;
    slot->seq = seq;
    memcpy(slot->key, key, sizeof slot->key);
    slot->action = (uint8_t)action;
    facts->has_author = 1;
    facts->author_rate = rate;
    facts->author_repeats = repeats;
    facts->author_held = held;
}

/* ------------------------------------------------------------------------ */
/* Deciding                                                                  */

static uint32_t now_seconds(quell_context *ctx, int64_t time_ms)
{
    int64_t s;
    if (time_ms == QUELL_CONTEXT_NOW) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = (int64_t)ts.tv_sec;
    } else {
        s = time_ms / 1000;
    }
    if (s < 0)
        s = 0;
    if (s > UINT32_MAX)
        s = UINT32_MAX;
    /* Windows only move forward: a late comment counts as posted now. */
    if ((uint32_t)s < ctx->latest)
        return ctx->latest;
    ctx->latest = (uint32_t)s;
    return ctx->latest;
}

static int decide_locked(quell_context *ctx, const struct note *n, const quell_context_meta *meta,
                         quell_action action, quell_context_facts *facts, uint64_t *ticket)
{
    uint32_t now = now_seconds(ctx, meta ? meta->time_ms : QUELL_CONTEXT_NOW);
    uint32_t seq = ++ctx->seq;
    *ticket = seq;
    window_expire(ctx, now);
    uint32_t key[RECENT_KEYS] = {n->text_key, 0, 0};
    /* Common or not matters only to a comment long enough to be a copy. */
    facts->is_common = n->is_common && n->chars >= ctx->opt.min_chars;
    if (n->has_sig && n->chars >= ctx->opt.min_chars && !n->is_common) {
        uint64_t keys[BANDS];
        for (unsigned int b = 0; b < BANDS; b++)
            keys[b] = band_key(n->sig, b);
        uint32_t c = window_match(ctx, n->sig, keys);
        c = window_add(ctx, n->sig, keys, n->author, now, c, meta ? meta->id_json : NULL,
                       meta ? meta->id_len : 0);
        const struct cluster *cl = &ctx->clusters[c];
        facts->is_fingerprinted = 1;
        facts->campaign_copies = cl->copies;
        facts->campaign_authors = cl->authors;
        memcpy(facts->campaign_first, cl->first, sizeof facts->campaign_first);
        key[1] = (uint32_t)keys[0];
        key[2] = (uint32_t)keys[1];
    }
    if (n->author) {
        uint32_t a = context_author_get(ctx, n->author);
        if (a == NO_INDEX)
            return QUELL_ENOMEM;
        author_facts(ctx, a, now, seq, key, action, facts);
    }
    return QUELL_OK;
}

int quell_context_decide(quell_context *ctx, const quell_context_note *note,
                         const quell_context_meta *meta, quell_action action,
                         quell_context_facts *facts, uint64_t *ticket, quell_error *err)
{
    *ticket = 0;
    if ((meta && meta->version > QUELL_CONTEXT_META_VERSION) ||
        facts->version > QUELL_CONTEXT_FACTS_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "a context struct's version is newer than this library's");
    /* Version 1 is the whole struct. A later version that adds members
     * must clear and fill only those the caller's version has. */
    unsigned int version = facts->version ? facts->version : 1;
    memset(facts, 0, sizeof *facts);
    facts->version = version;
    pthread_mutex_lock(&ctx->lock);
    int rc = decide_locked(ctx, (const struct note *)note->opaque, meta, action, facts, ticket);
    pthread_mutex_unlock(&ctx->lock);
    if (rc != QUELL_OK)
        return err_set(err, rc, NULL, 0, NULL, "out of memory remembering an author");
    return QUELL_OK;
}

static void settle_locked(quell_context *ctx, const struct note *n, uint64_t ticket,
                          quell_action action)
{
    if (!n->author)
        return;
    const uint32_t *a = map_find(&ctx->author_index, n->author);
    if (!a)
        return;
    struct author *au = &ctx->authors[*a];
    for (unsigned int k = 0; k < au->count; k++) {
        if (au->recent[k].seq == (uint32_t)ticket) {
            au->recent[k].action = (uint8_t)action;
            return;
        }
    }
}

void quell_context_settle(quell_context *ctx, const quell_context_note *note, uint64_t ticket,
                          quell_action action)
{
    pthread_mutex_lock(&ctx->lock);
    settle_locked(ctx, (const struct note *)note->opaque, ticket, action);
    pthread_mutex_unlock(&ctx->lock);
}

int quell_rules_context_fires(const quell_rules *rules, const quell_context_facts *facts)
{
    for (size_t k = 0; k < rules->context_rule_count; k++) {
        const struct rule *r = &rules->table->rules[rules->context_rules[k]];
        if (score_fact(facts, r->context) >= r->at_least)
            return 1;
    }
    return 0;
}

int quell_scan_context(quell_scanner *scanner, quell_context *ctx, const quell_comment *comment,
                       const quell_context_meta *meta, const quell_verdict **out, quell_error *err)
{
    *out = NULL;
    if (meta && meta->version > QUELL_CONTEXT_META_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "quell_context_meta version %u is newer than this library's (%d)",
                       meta->version, QUELL_CONTEXT_META_VERSION);
    const quell_verdict *v;
    int rc = quell_scan(scanner, comment, &v, err);
    if (rc != QUELL_OK)
        return rc;
    quell_context_note note;
    if ((rc = quell_context_note_make(scanner, comment, &note, err)) != QUELL_OK)
        return rc;
    /* One lock over deciding, scoring again and settling: the next comment
     * sees this one with its final action. */
    quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
    uint64_t ticket;
    const struct note *n = (const struct note *)note.opaque;
    pthread_mutex_lock(&ctx->lock);
    rc = decide_locked(ctx, n, meta, v->action, &facts, &ticket);
    if (rc == QUELL_OK) {
        rc = quell_scanner_apply_context(scanner, comment, &facts, &v, err);
        if (rc == QUELL_OK)
            settle_locked(ctx, n, ticket, v->action);
    } else {
        err_set(err, rc, NULL, 0, NULL, "out of memory remembering an author");
    }
    pthread_mutex_unlock(&ctx->lock);
    if (rc != QUELL_OK)
        return rc;
    *out = v;
    return QUELL_OK;
}
