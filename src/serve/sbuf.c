/*
 * sbuf.c - the growable string of response bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/sbuf.h"
#include "util/grow.h"

int sbuf_reserve(struct sbuf *b, size_t extra)
{
    size_t need;
    if (b->is_failed)
        return -1;
    if (__builtin_add_overflow(b->len, extra, &need) || __builtin_add_overflow(need, 1, &need)) {
        b->is_failed = 1;
        return -1;
    }
    char *p = grow_array(b->p, &b->cap, need, 1, 256, SBUF_MAX);
    if (!p) {
        b->is_failed = 1;
        return -1;
    }
    b->p = p;
    return 0;
}

void sbuf_append(struct sbuf *b, const char *s, size_t n)
{
    if (sbuf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
    sbuf_append(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->is_failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        sbuf_append(b, small, (size_t)n);
        return;
    }
    if (sbuf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sbuf_take(struct sbuf *b, size_t *len)
{
    if (!b->p)
        sbuf_reserve(b, 0);
    char *p = b->p;
    *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void sbuf_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->is_failed = 0;
}
