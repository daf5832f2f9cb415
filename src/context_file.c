/*
 * context_file.c - a quell_context saved to a file and loaded back, so that
 * a restart does not forget a campaign in progress.
 *
 * The file is little-endian whatever the machine, so it moves between
 * hosts: a 32-byte header (magic "QUELLCTX", format version, payload
 * length, XXH3 64 of the payload), then the payload: the latest time and
 * decision count; the clusters the window's comments belong to (their
 * first ids); the window's comments, oldest first, each naming its
 * cluster by its place in that list; the authors, least recently seen
 * first, each with its recent comments, oldest first. Loading checks the
 * sum before reading a field, then every count and index against the
 * bytes left and the limits, so a damaged or hostile file is refused,
 * never trusted.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "context_state.h"
#include "error.h"
#include "savefile.h"
#include "util/grow.h"
#include "util/readall.h"

#define CTX_MAGIC          "QUELLCTX"
#define CTX_FORMAT_VERSION 1
#define CTX_HEADER_BYTES   32
/* The largest file loaded: a full window and author table of the largest
 * options take about 5 GB; beyond 8 GiB a file is not a context. */
#define CTX_MAX_FILE_BYTES ((size_t)8 << 30)

struct wbuf {
    char *data;
    size_t len, cap;
    bool is_bad; /* out of memory */
};

static void put_bytes(struct wbuf *w, const void *p, size_t n)
{
    if (w->is_bad)
        return;
    char *d = grow_array(w->data, &w->cap, w->len + n, 1, 4096, GROW_UNCAPPED);
    if (!d) {
        w->is_bad = true;
        return;
    }
    w->data = d;
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
    put_bytes(w, &v, 1);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(w, b, sizeof b);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void put_header_u64(char *at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        at[i] = (char)(uint8_t)(v >> (8 * i));
}

/* The payload, with the context locked. */
static void write_payload(quell_context *ctx, struct wbuf *w)
{
    put_u32(w, ctx->latest);
    put_u32(w, ctx->seq);
    /* Clusters in the order the window first names them; refs maps a
     * cluster slot to its place in that list. */
    uint32_t *refs = malloc((ctx->window_cap ? ctx->window_cap : 1) * sizeof *refs);
    if (!refs) {
        w->is_bad = true;
        return;
    }
    assert(ctx->window_cap > 0); /* context_make refuses an empty window */
    memset(refs, 0xff, ctx->window_cap * sizeof *refs);
    uint32_t cluster_count = 0;
    for (size_t k = 0; k < ctx->window_count; k++) {
        const struct entry *e = &ctx->entries[(ctx->window_head + k) % ctx->window_cap];
        if (refs[e->cluster] == NO_INDEX)
            refs[e->cluster] = cluster_count++;
    }
    put_u32(w, cluster_count);
    for (size_t k = 0, next = 0; k < ctx->window_count; k++) {
        const struct entry *e = &ctx->entries[(ctx->window_head + k) % ctx->window_cap];
        if (refs[e->cluster] != next)
            continue;
        const char *first = ctx->clusters[e->cluster].first;
        size_t len = strnlen(first, QUELL_CONTEXT_ID_MAX - 1);
        put_u32(w, (uint32_t)len);
        put_bytes(w, first, len);
        next++;
    }
    put_u32(w, (uint32_t)ctx->window_count);
    for (size_t k = 0; k < ctx->window_count; k++) {
        const struct entry *e = &ctx->entries[(ctx->window_head + k) % ctx->window_cap];
        for (int i = 0; i < SIG_SIZE; i++)
            put_u32(w, e->sig[i]);
        put_u64(w, e->author);
        put_u32(w, e->time);
        put_u32(w, refs[e->cluster]);
    }
    free(refs);
    put_u32(w, (uint32_t)ctx->author_count);
    for (uint32_t a = ctx->lru_tail; a != NO_INDEX; a = ctx->authors[a].prev) {
        const struct author *au = &ctx->authors[a];
        put_u64(w, au->key);
        put_u8(w, au->count);
        /* Oldest first: the ring's oldest is where the next one goes, once full. */
        unsigned int first = au->count < CONTEXT_AUTHOR_RECENT ? 0 : au->next_slot;
        for (unsigned int k = 0; k < au->count; k++) {
            const struct recent *r = &au->recent[(first + k) % CONTEXT_AUTHOR_RECENT];
            put_u32(w, r->time);
            put_u32(w, r->seq);
            for (int i = 0; i < RECENT_KEYS; i++)
                put_u32(w, r->key[i]);
            put_u8(w, r->action);
        }
    }
}

int quell_context_save(quell_context *ctx, const char *path, quell_error *err)
{
    struct wbuf w = {0};
    char header[CTX_HEADER_BYTES] = CTX_MAGIC;
    put_bytes(&w, header, sizeof header);
    pthread_mutex_lock(&ctx->lock);
    write_payload(ctx, &w);
    pthread_mutex_unlock(&ctx->lock);
    if (w.is_bad) {
        free(w.data);
        return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory saving the context");
    }
    uint64_t payload = w.len - CTX_HEADER_BYTES;
    uint8_t version[4] = {CTX_FORMAT_VERSION, 0, 0, 0};
    memcpy(w.data + 8, version, sizeof version);
    put_header_u64(w.data + 16, payload);
    put_header_u64(w.data + 24, XXH3_64bits(w.data + CTX_HEADER_BYTES, payload));
    int rc = save_file_atomic(path, w.data, w.len, err);
    free(w.data);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */

struct rbuf {
    const uint8_t *p;
    size_t left;
    bool is_bad; /* ran past the end */
};

static const uint8_t *take(struct rbuf *r, size_t n)
{
    if (r->is_bad || n > r->left) {
        r->is_bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static uint8_t get_u8(struct rbuf *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

static uint32_t get_u32(struct rbuf *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
             : 0;
}

static uint64_t get_u64(struct rbuf *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

/* Bytes of a saved window comment and of a saved recent comment. */
#define ENTRY_BYTES  (SIG_SIZE * 4 + 8 + 4 + 4)
#define RECENT_BYTES (4 + 4 + RECENT_KEYS * 4 + 1)

static int corrupt(quell_error *err, const char *path, const char *why)
{
    return err_set(err, QUELL_EFORMAT, path, 0, NULL, "not a saved quell context: %s", why);
}

/* The clusters' first ids: offsets into the payload, checked. */
struct saved_cluster {
    const char *first;
    uint32_t len;
    uint32_t slot; /* in the new context, NO_INDEX until a comment needs it */
};

static int load_window(quell_context *ctx, struct rbuf *r, const char *path, quell_error *err)
{
    uint32_t cluster_count = get_u32(r);
    if (r->is_bad || cluster_count > r->left / 4)
        return corrupt(err, path, "its cluster count is more than the file holds");
    struct saved_cluster *sc = calloc(cluster_count ? cluster_count : 1, sizeof *sc);
    if (!sc)
        return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory loading the context");
    int rc = QUELL_OK;
    for (uint32_t i = 0; i < cluster_count && rc == QUELL_OK; i++) {
        sc[i].len = get_u32(r);
        sc[i].first = (const char *)take(r, sc[i].len);
        sc[i].slot = NO_INDEX;
        if (r->is_bad || sc[i].len >= QUELL_CONTEXT_ID_MAX || !context_id_is_json(sc[i].first, sc[i].len))
            rc = corrupt(err, path, "a cluster's first id is cut, too long or not JSON");
    }
    uint32_t entry_count = rc == QUELL_OK ? get_u32(r) : 0;
    if (rc == QUELL_OK && (r->is_bad || entry_count > r->left / ENTRY_BYTES))
        rc = corrupt(err, path, "its comment count is more than the file holds");
    /* The oldest comments that do not fit this window are forgotten. */
    size_t skip = entry_count > ctx->window_cap ? entry_count - ctx->window_cap : 0;
    uint32_t last_time = 0;
    for (uint32_t k = 0; k < entry_count && rc == QUELL_OK; k++) {
        uint32_t sig[SIG_SIZE];
        for (int i = 0; i < SIG_SIZE; i++)
            sig[i] = get_u32(r);
        uint64_t author = get_u64(r);
        uint32_t time = get_u32(r);
        uint32_t ref = get_u32(r);
        if (ref >= cluster_count || time < last_time || time > ctx->latest) {
            rc = corrupt(err, path, "a comment names no cluster or is out of time order");
            break;
        }
        last_time = time;
        if (k < skip)
            continue;
        struct saved_cluster *c = &sc[ref];
        c->slot = context_window_add(ctx, sig, author, time, c->slot, c->first, c->len);
    }
    free(sc);
    return rc;
}

static int load_authors(quell_context *ctx, struct rbuf *r, const char *path, quell_error *err)
{
    uint32_t author_count = get_u32(r);
    if (r->is_bad || author_count > r->left / 9)
        return corrupt(err, path, "its author count is more than the file holds");
    size_t skip = author_count > ctx->opt.max_authors ? author_count - ctx->opt.max_authors : 0;
    for (uint32_t i = 0; i < author_count; i++) {
        uint64_t key = get_u64(r);
        uint8_t count = get_u8(r);
        if (r->is_bad || key == 0 || count > CONTEXT_AUTHOR_RECENT ||
            (size_t)count * RECENT_BYTES > r->left)
            return corrupt(err, path, "an author is cut or damaged");
        struct recent recent[CONTEXT_AUTHOR_RECENT];
        for (unsigned int k = 0; k < count; k++) {
            recent[k].time = get_u32(r);
            recent[k].seq = get_u32(r);
            for (int j = 0; j < RECENT_KEYS; j++)
                recent[k].key[j] = get_u32(r);
            recent[k].action = get_u8(r);
            if (recent[k].action > QUELL_REJECT || recent[k].time > ctx->latest)
                return corrupt(err, path, "an author's comment is damaged");
        }
        if (i < skip)
            continue;
        if (map_find(&ctx->author_index, key))
            return corrupt(err, path, "an author is there twice");
        uint32_t a = context_author_get(ctx, key);
        if (a == NO_INDEX)
            return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory loading the context");
        struct author *au = &ctx->authors[a];
        memcpy(au->recent, recent, count * sizeof *recent);
        au->count = count;
        au->next_slot = (uint8_t)(count % CONTEXT_AUTHOR_RECENT);
    }
    return QUELL_OK;
}

int quell_context_load(quell_context **out, const char *path, const quell_context_options *options,
                       quell_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, QUELL_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    char *data;
    size_t len;
    int errnum = read_all(f, CTX_MAX_FILE_BYTES, &data, &len);
    fclose(f);
    if (errnum == ENOMEM)
        return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory reading the context");
    if (errnum)
        return err_set(err, QUELL_EIO, path, 0, NULL, "read error: %s", strerror(errnum));

    int rc;
    struct rbuf head = {(const uint8_t *)data, len, false};
    if (len < CTX_HEADER_BYTES || memcmp(data, CTX_MAGIC, 8) != 0) {
        rc = corrupt(err, path, "no QUELLCTX header");
        goto out_free;
    }
    take(&head, 8);
    uint32_t version = get_u32(&head);
    uint32_t reserved = get_u32(&head);
    uint64_t payload = get_u64(&head);
    uint64_t sum = get_u64(&head);
    if (version != CTX_FORMAT_VERSION) {
        rc = err_set(err, QUELL_EFORMAT, path, 0, NULL,
                     "a saved context of format %u; this quell reads format %d", version,
                     CTX_FORMAT_VERSION);
        goto out_free;
    }
    if (reserved != 0 || payload != len - CTX_HEADER_BYTES ||
        XXH3_64bits(data + CTX_HEADER_BYTES, (size_t)payload) != sum) {
        rc = corrupt(err, path, "its length or checksum is wrong (a damaged or cut file)");
        goto out_free;
    }

    quell_context *ctx;
    if ((rc = context_make(&ctx, options, err)) != QUELL_OK)
        goto out_free;
    struct rbuf r = {(const uint8_t *)data + CTX_HEADER_BYTES, (size_t)payload, false};
    ctx->latest = get_u32(&r);
    ctx->seq = get_u32(&r);
    if ((rc = load_window(ctx, &r, path, err)) == QUELL_OK &&
        (rc = load_authors(ctx, &r, path, err)) == QUELL_OK && r.left != 0)
        rc = corrupt(err, path, "bytes follow its end");
    if (rc != QUELL_OK) {
        quell_context_free(ctx);
        goto out_free;
    }
    *out = ctx;
out_free:
    free(data);
    return rc;
}
