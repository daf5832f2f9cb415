/*
 * readall.h - the one whole-file reader: everything a stream holds, up to a
 * cap, into one buffer. Header-only: the library and the command share it.
 */
#ifndef QUELL_UTIL_READALL_H
#define QUELL_UTIL_READALL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/grow.h"

/* The first read's size: most rule files and comments fit. */
#define READALL_FIRST_BYTES ((size_t)64 * 1024)

/*
 * Read f to its end into a malloc'd buffer, NUL-terminated (the NUL is not
 * counted in *out_len), refusing more than max_bytes (below SIZE_MAX - 2).
 *
 * @return 0 with *out owned by the caller; else an errno value, *out NULL:
 *         EFBIG when f holds more than max_bytes, ENOMEM, or the read error.
 */
static inline int read_all(FILE *f, size_t max_bytes, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        /* One byte past the limit tells "exactly max_bytes" from "longer",
         * and one more holds the NUL. */
        size_t want;
        if (__builtin_add_overflow(len, READALL_FIRST_BYTES, &want) || want > max_bytes + 2)
            want = max_bytes + 2;
        char *p = grow_array(buf, &cap, want, 1, READALL_FIRST_BYTES, max_bytes + 2);
        if (!p) {
            free(buf);
            return ENOMEM;
        }
        buf = p;
        errno = 0;
        size_t n = fread(buf + len, 1, cap - 1 - len, f);
        len += n;
        if (len > max_bytes) {
            free(buf);
            return EFBIG;
        }
        if (n == 0) {
            if (ferror(f)) {
                int rc = errno ? errno : EIO;
                free(buf);
                return rc;
            }
            break;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

#endif /* QUELL_UTIL_READALL_H */
