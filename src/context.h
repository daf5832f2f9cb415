/*
 * context.h - the insides of a quell_context that its file format and its
 * tests share: the note, the constants that size the state.
 */
#ifndef QUELL_CONTEXT_H
#define QUELL_CONTEXT_H

#include <stdint.h>

#include "quell.h"
#include "rules.h"

/* A fingerprint: the minimum of SIG_SIZE hash functions over a comment's
 * shingles (MinHash), cut into BANDS bands of SIG_ROWS for the lookup
 * (locality-sensitive hashing): two comments are looked at together when
 * one band agrees whole, and are copies when enough minimums agree. */
#define SIG_SIZE 32
#define BANDS    8
#define SIG_ROWS (SIG_SIZE / BANDS)
/* Characters per shingle. */
#define SHINGLE 4

/* The public quell_context_note, inside. */
struct note {
    uint64_t author;   /* hash of the author's bytes; 0 without one */
    uint32_t text_key; /* hash of the generalised text; 0 when it is empty */
    uint32_t chars;    /* its length in characters */
    uint32_t has_sig;  /* long enough for a fingerprint: sig is set */
    uint32_t is_common; /* alike to one of the rules' common phrases */
    uint32_t sig[SIG_SIZE];
};

_Static_assert(sizeof(struct note) <= sizeof(quell_context_note),
               "a note fits the public quell_context_note");

/* For ruleset.c: the names the rules use for these sizes. */
#define CONTEXT_SIG_SIZE SIG_SIZE
#define CONTEXT_BANDS    BANDS

struct quell_rules;
struct norm_view;

/* Fingerprint each of the rules' common phrases (rules->common_sigs and
 * common_bands, from its pool), with views as room for their views. A
 * phrase too short for a fingerprint is an error naming its file:line. */
int context_commons_derive(struct quell_rules *rules, struct norm_view *views, quell_error *err);

/* The defaults of quell_context_options' members. */
#define CONTEXT_WINDOW_COMMENTS 20000
#define CONTEXT_WINDOW_SECONDS  3600.0
#define CONTEXT_MAX_AUTHORS     50000
#define CONTEXT_AUTHOR_SECONDS  3600.0
#define CONTEXT_RATE_SECONDS    60.0
#define CONTEXT_SIMILARITY      0.5
#define CONTEXT_MIN_CHARS       20
/* The most either window may hold: indexes are 32-bit, with room. */
#define CONTEXT_MAX_ITEMS ((size_t)1 << 24)

#endif /* QUELL_CONTEXT_H */
