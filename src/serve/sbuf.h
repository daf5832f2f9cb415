/*
 * sbuf.h - a growable byte string for building response bodies: appends
 * never fail silently; the first failure sticks, so a body is built in one
 * run and checked once at the end.
 */
#ifndef QUELL_SERVE_SBUF_H
#define QUELL_SERVE_SBUF_H

#include <stdarg.h>
#include <stddef.h>

/* No response body may pass this, whatever the request (64 MiB). */
#define SBUF_MAX ((size_t)64 << 20)

struct sbuf {
    char *p; /* NUL-terminated whenever it is not NULL */
    size_t len;
    size_t cap;
    int is_failed; /* out of memory or over SBUF_MAX: the contents are incomplete */
};

/* Make room for extra more bytes (and the NUL); 0, or -1 (is_failed set). */
int sbuf_reserve(struct sbuf *b, size_t extra);
void sbuf_append(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the string over to the caller (free it); the buffer is empty after. */
char *sbuf_take(struct sbuf *b, size_t *len);
void sbuf_free(struct sbuf *b);

#endif /* QUELL_SERVE_SBUF_H */
