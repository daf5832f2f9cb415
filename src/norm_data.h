/*
 * norm_data.h - the maps normalise.c builds its tables from, generated into
 * norm_data.c by tools/gen_tables.py (provenance: tools/data/SOURCE.txt).
 */
#ifndef QUELL_NORM_DATA_H
#define QUELL_NORM_DATA_H

#include <stddef.h>
#include <stdint.h>

/* Where a leetspeak key may stand for a letter: by the letters around its run. */
#define NORM_LEET_START 1 /* a letter follows the run, none precedes it */
#define NORM_LEET_INNER 2 /* letters on both sides */
#define NORM_LEET_END   4 /* a letter precedes the run, none follows it */

/* One code point and what it becomes. Each map is sorted by cp. */
struct norm_map_entry {
    uint32_t cp;
    uint8_t len;           /* bytes of utf8; 0: the character is dropped */
    uint8_t where;         /* leet only: NORM_LEET_* mask; else 0 */
    unsigned char utf8[8]; /* the replacement, UTF-8, not terminated */
};

/* Code points first..last, inclusive. */
struct norm_range {
    uint32_t first;
    uint32_t last;
};

/* Arabic letter unification (tools/data/arabic.txt), applied after utf8proc. */
extern const struct norm_map_entry norm_arabic_map[];
extern const size_t norm_arabic_map_count;

/* Leetspeak keys, ASCII (tools/data/leet.txt). */
extern const struct norm_map_entry norm_leet_map[];
extern const size_t norm_leet_map_count;

/* How Arabizi spells an Arabic letter (tools/data/arabizi.txt). */
enum {
    NORM_ARABIZI_CONSONANT = 1, /* always written */
    NORM_ARABIZI_VOWEL = 2,     /* a long vowel, often left out */
    NORM_ARABIZI_GLIDE = 3,     /* waw, yeh: a consonant first in a word, else a vowel */
};

struct norm_arabizi_entry {
    uint32_t cp;
    uint8_t kind;          /* NORM_ARABIZI_* */
    const char *spellings; /* alternatives separated by '|' */
    const char *final;     /* at the end of a word, '?' first when optional; or NULL */
};

/* Sorted by cp. */
extern const struct norm_arabizi_entry norm_arabizi_map[];
extern const size_t norm_arabizi_map_count;

/* Unicode TR39 confusables whose prototype is ASCII letters (from ICU). */
extern const struct norm_map_entry norm_confusable_map[];
extern const size_t norm_confusable_map_count;

/* Code points with Arabic in their Script_Extensions, sorted, disjoint. */
extern const struct norm_range norm_arabic_ranges[];
extern const size_t norm_arabic_ranges_count;

#endif /* QUELL_NORM_DATA_H */
