/*
 * utf8.h - the few UTF-8 facts the scanner needs on the hot path: is a buffer
 * valid, where does a character start, and is a character part of a word.
 */
#ifndef QUELL_UTF8_H
#define QUELL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Check that s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF). Returns true if so; otherwise false with
 * *bad_off set to the byte offset of the first invalid sequence.
 */
bool utf8_valid(const char *s, size_t len, size_t *bad_off);

/*
 * Decode the character that starts at s[off] (s must be valid UTF-8 and
 * off < len). Returns the code point; *next is the offset after it.
 */
int32_t utf8_decode_at(const char *s, size_t len, size_t off, size_t *next);

/* Decode the character that ends just before s[off] (0 < off <= len). */
int32_t utf8_decode_before(const char *s, size_t off);

/*
 * A word character: a letter, mark or number (categories L*, M*, N*), in
 * any script. Whole-word rules must not match inside such a run. Connector
 * punctuation (Pc: the underscore) is not one, unlike regex \w: it is how
 * hashtags and handles separate their words (#kill_them_all, #وسخ_وقرف).
 */
bool utf8_is_word_char(int32_t cp);

#endif /* QUELL_UTF8_H */
