/*
 * context_state.h - a quell_context's state, shared by context.c, which
 * keeps it, and context_file.c, which saves and loads it.
 */
#ifndef QUELL_CONTEXT_STATE_H
#define QUELL_CONTEXT_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

#define NO_INDEX UINT32_MAX

/* A table from non-zero 64-bit keys to 32-bit values, of a fixed number of
 * slots (at least twice its most keys), with linear probing. */
struct map {
    uint64_t *keys; /* 0: empty */
    uint32_t *vals;
    size_t mask; /* slots - 1 */
    size_t count;
};

int map_init(struct map *m, size_t max_keys);
void map_free(struct map *m);
size_t map_bytes(const struct map *m);
uint32_t *map_find(const struct map *m, uint64_t key);
void map_put(struct map *m, uint64_t key, uint32_t val);
void map_del(struct map *m, uint64_t key);

/* Where the window's comments are by the bands of their fingerprints: a
 * set-associative cache of BAND_WAYS ways per bucket (one cache line),
 * from a band's key to the latest comment with that band. It never
 * deletes: a way is checked against the comment it names when read (the
 * comment may have left the window, its place taken by another), and each
 * bucket gives its oldest way to a new key. With twice as many ways as
 * keys in the window, a bucket overflows about once in thousands of
 * windows, and then it forgets one band of an old comment, which its other
 * bands still find. */
#define BAND_WAYS 8

struct band_way {
    uint32_t tag;   /* the key's low 32 bits; 0: empty */
    uint32_t entry; /* the comment's place in the window's ring */
};

struct band_cache {
    struct band_way *ways; /* buckets * BAND_WAYS, a bucket per cache line */
    uint8_t *victim;       /* per bucket: the way the next new key takes */
    size_t mask;           /* buckets - 1 */
};

/* A fingerprinted comment in the campaign window. */
struct entry {
    uint32_t sig[SIG_SIZE];
    uint64_t author; /* 0: none */
    uint32_t time;   /* seconds since the epoch */
    uint32_t cluster;
};

/* Comments of the window that are copies of one another. */
struct cluster {
    uint32_t copies;  /* members in the window */
    uint32_t authors; /* distinct authors among them */
    char first[QUELL_CONTEXT_ID_MAX]; /* the first member's id, "" if unknown */
};

/* Keys of one of an author's comments: its generalised text and two bands
 * of its fingerprint (0 when it has none). */
#define RECENT_KEYS 3

struct recent {
    uint32_t time;
    uint32_t seq; /* the ticket of its decision, for settling */
    uint32_t key[RECENT_KEYS];
    uint8_t action;
};

struct author {
    uint64_t key;
    uint32_t prev, next; /* the LRU list, most recent first */
    uint8_t count;       /* recent comments kept */
    uint8_t next_slot;   /* where the next one goes */
    struct recent recent[CONTEXT_AUTHOR_RECENT];
};

struct quell_context {
    quell_context_options opt;
    uint32_t window_s, author_s, rate_s; /* the windows, whole seconds */
    uint32_t min_equal;                  /* minimums that must agree for copies */
    uint32_t latest;                     /* the latest time decided */
    uint32_t seq;                        /* decisions made */

    struct entry *entries; /* a ring of window_cap */
    size_t window_cap, window_head, window_count;
    struct band_cache bands; /* band key -> the latest entry with that band */
    struct cluster *clusters;
    uint32_t *free_clusters; /* a stack of unused cluster slots */
    size_t free_cluster_count;
    struct map cluster_authors; /* (cluster, author) -> members */

    struct author *authors;
    size_t author_count, author_cap;
    struct map author_index; /* author key -> index in authors */
    uint32_t lru_head, lru_tail;

    pthread_mutex_t lock;
    bool has_lock;
};

/* For context_file.c: make an empty context; start a cluster; add a
 * fingerprinted comment to the window (in cluster c, or a new one when c
 * is NO_INDEX) and return its cluster; find or make an author's record. */
int context_make(quell_context **out, const quell_context_options *options, quell_error *err);
uint32_t context_cluster_new(quell_context *ctx, const char *id, size_t id_len);
uint32_t context_window_add(quell_context *ctx, const uint32_t *sig, uint64_t author,
                            uint32_t time, uint32_t c, const char *id, size_t id_len);
uint32_t context_author_get(quell_context *ctx, uint64_t key);

/* Whether s[0..len) is safe to write as an id in a JSON line. */
bool context_id_is_json(const char *s, size_t len);

#endif /* QUELL_CONTEXT_STATE_H */
