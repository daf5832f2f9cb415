/*
 * gen.h - the soak's record generator: record k of a stream is a pure function
 * of (seed, k), so the checker re-derives what the filter must answer for it
 * without a side channel.
 */
#ifndef SOAK_GEN_H
#define SOAK_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum gen_format { GEN_JSONL = 0, GEN_TEXT, GEN_NUL };

/* What the filter must answer for a kind of record. */
enum gen_expect_action {
    GEN_OFF = 0, /* not generated */
    GEN_OK,      /* a verdict: pass, flag, hold or reject */
    GEN_ERROR,   /* an error record */
};

/* Whose id the answer carries. */
enum gen_id_source {
    GEN_ID_OWN = 0, /* the record's own id if it has one, else its position */
    GEN_ID_POS,     /* its 1-based position in the stream: the id cannot be read */
    GEN_ID_EITHER,  /* either: the parser may or may not read it first */
};

/* A growable byte buffer; gen_* functions exit on out of memory (a tool). */
struct sbuf {
    char *p;
    size_t len;
    size_t cap;
};

void sbuf_reserve(struct sbuf *b, size_t extra);
void sbuf_free(struct sbuf *b);

struct gen_options {
    enum gen_format format;
    uint64_t seed;
    uint32_t malformed_ppm; /* malformed records per million */
    size_t max_bytes;       /* the filter's --max-bytes */
};

/* What record k must get. */
struct gen_expect {
    int is_error;
    int is_id_either;    /* id may be the record's or its position */
    const char *kind;    /* the kind's name, for messages */
    unsigned kind_index; /* below GEN_KIND_MAX */
    char id[40];         /* the id as the filter writes it (JSON text) */
    size_t id_len;
    char pos_id[24]; /* the positional id, for GEN_ID_EITHER */
    size_t pos_id_len;
};

#define GEN_KIND_MAX 16

struct gen;

/* A generator; exits the program on out of memory. Words come from the
 * built-in lists plus words_add. Not thread-safe while words are added;
 * afterwards gen_record and gen_expect may run concurrently. */
struct gen *gen_new(const struct gen_options *opts);
void gen_free(struct gen *g);

/* Add the words of a rules list (one per line, '#' comments) to the abusive
 * words, Latin or Arabic script by the first byte. Returns 0, or -1 (errno). */
int gen_words_add(struct gen *g, const char *path);

/* Set a kind's expectation by name ("dup-keys", "bad-utf8", ...); returns -1
 * for an unknown name or a kind the format does not have. */
int gen_kind_set(struct gen *g, const char *name, enum gen_expect_action action);

/* The name of kind i (below GEN_KIND_MAX), or NULL. */
const char *gen_kind_name(unsigned i);

/* Print the kinds of the generator's format, with their expectation. */
void gen_kinds_print(const struct gen *g, FILE *file);

/* Append record k (1-based) with its separator. */
void gen_record(const struct gen *g, uint64_t k, struct sbuf *out);

/* What the filter must write for record k. */
void gen_expect(const struct gen *g, uint64_t k, struct gen_expect *out);

#endif /* SOAK_GEN_H */
