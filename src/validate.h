/*
 * validate.h - checks a hit must pass after it matched, for what a pattern
 * cannot say: a payment-card number's Luhn check digit, or whether a word is
 * written as a name (Dick Cheney) rather than as slang.
 */
#ifndef QUELL_VALIDATE_H
#define QUELL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

enum validator {
    VALIDATE_NONE = 0,
    VALIDATE_LUHN = 1,     /* 13 to 19 digits whose Luhn sum is a multiple of 10 */
    VALIDATE_NOT_NAME = 2, /* not a capitalised word in a name's place */
    VALIDATE_COUNT
};

/* "luhn" or "not_name" to its validator; VALIDATE_NONE when unknown. */
enum validator validate_by_name(const char *name);

/* The name a rule file uses; NULL for VALIDATE_NONE or out of range. */
const char *validate_name(unsigned int v);

/*
 * Whether the matched text passes v. Digits are ASCII, Arabic-Indic
 * (U+0660..0669) or Extended Arabic-Indic (U+06F0..06F9); every other
 * character (spaces, dashes, dots) is skipped. text is valid UTF-8.
 */
bool validate_hit(enum validator v, const char *text, size_t len);

/*
 * Whether the hit text[start..end) passes v, where text[0..text_len) is the
 * whole field, for the validators that read the words around a hit
 * (VALIDATE_NOT_NAME); the others read the hit alone, as validate_hit. text
 * is valid UTF-8 and start <= end <= text_len fall on character edges.
 */
bool validate_hit_in(enum validator v, const char *text, size_t text_len, size_t start,
                     size_t end);

#endif /* QUELL_VALIDATE_H */
