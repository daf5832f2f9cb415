/*
 * error.h - filling a caller's quell_error without allocating.
 */
#ifndef QUELL_ERROR_H
#define QUELL_ERROR_H

#include "quell.h"

/*
 * Set err (ignored when NULL): code, file (NULL for none), line (0 for none),
 * rule id (NULL for none) and a printf-style message, each truncated to fit.
 * Returns code, so a caller can write `return err_set(err, QUELL_EIO, ...)`.
 */
int err_set(quell_error *err, int code, const char *file, int line, const char *rule_id,
            const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif /* QUELL_ERROR_H */
