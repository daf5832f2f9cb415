/*
 * output.h - the JSON writer: verdicts and error records written straight into
 * a caller's buffer, snprintf-style, with no intermediate tree.
 */
#ifndef QUELL_OUTPUT_H
#define QUELL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quell.h"

/*
 * A bounded append buffer. Appends past cap are dropped but still counted, so
 * len ends as the total the output needs (saturating at SIZE_MAX).
 */
struct out_buf {
    char *p;
    size_t len;
    size_t cap;
};

/* Start writing into dst[0..cap); dst may be NULL when cap is 0. */
void out_init(struct out_buf *b, char *dst, size_t cap);
/* Append n bytes of s (s may be NULL when n is 0). Inline: a verdict is
 * written in a few dozen pieces, most of them a few bytes long. */
static inline void out_append(struct out_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (b->len < b->cap) {
        size_t room = b->cap - b->len;
        memcpy(b->p + b->len, s, n < room ? n : room);
    }
    /* Saturate: a length that wrapped would claim that the output fit. */
    if (__builtin_add_overflow(b->len, n, &b->len))
        b->len = SIZE_MAX;
}
/* Append a string literal, its length known when compiling: no strlen. */
#define out_append_lit(b, lit) out_append((b), "" lit, sizeof(lit) - 1)
/* Append the NUL-terminated s as is. */
void out_append_str(struct out_buf *b, const char *s);
/* Append s[0..len) as a quoted JSON string (see out_json_string). */
void out_append_json_string(struct out_buf *b, const char *s, size_t len);
/* The same without the quotes, for a string written in pieces. */
void out_append_json_string_bare(struct out_buf *b, const char *s, size_t len);
/* Append a SCORE_UNIT fixed-point score as its shortest decimal (see out_score). */
void out_append_score(struct out_buf *b, int64_t milli);
/* Append an unsigned integer in decimal. */
void out_append_uint(struct out_buf *b, uint64_t v);
/* Append a verdict's score (a multiple of 0.001) exactly, as out_append_score. */
void out_append_double_score(struct out_buf *b, double score);
/* Append a field's name as a JSON string. */
void out_append_field_name(struct out_buf *b, quell_field field);
/* Append a name owned by the rules as a JSON string (null for NULL, a bug). */
void out_append_name(struct out_buf *b, const char *s);
/* Open a record: `{"id":` and id_json as is (null when there is none). */
void out_append_id(struct out_buf *b, const char *id_json, size_t id_len);
/* Append text, the field's original, as a JSON string with every character
 * of the verdict's hits in field replaced by mask. */
void out_append_censored(struct out_buf *b, const quell_verdict *v, quell_field field,
                         const char *text, size_t len, char mask);
/*
 * NUL-terminate (when cap > 0, truncating the last byte if the output did not
 * fit) and return the length needed, NUL excluded: the output is complete
 * only when the result is < cap.
 */
size_t out_finish(struct out_buf *b);

/*
 * Write s[0..len) as a quoted JSON string into dst, like snprintf: at most cap
 * bytes including a terminating NUL; returns the length needed without it.
 * Escapes '"', '\\', every control character (\b \f \n \r \t, others and
 * U+0000 as \u00XX) and U+2028/U+2029 (line breaks to JavaScript). Other
 * UTF-8 is copied as is; each byte that is not part of a well-formed UTF-8
 * sequence becomes \ufffd, so the output is always valid JSON and UTF-8.
 */
size_t out_json_string(char *dst, size_t cap, const char *s, size_t len);

/*
 * Write a score in thousandths (SCORE_UNIT) as the shortest decimal: 4000 is
 * "4", 4500 "4.5", -250 "-0.25", 1 "0.001". snprintf-like, as out_json_string.
 */
size_t out_score(char *dst, size_t cap, int64_t milli);

#endif /* QUELL_OUTPUT_H */
