/*
 * error.c - filling a caller's quell_error, and the static code names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static void copy_field(char *dst, size_t dst_size, const char *src)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= dst_size)
        n = dst_size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int err_set(quell_error *err, int code, const char *file, int line, const char *rule_id,
            const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->line = line;
    copy_field(err->file, sizeof err->file, file);
    copy_field(err->rule_id, sizeof err->rule_id, rule_id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

const char *quell_strerror(int code)
{
    switch (code) {
    case QUELL_OK:
        return "success";
    case QUELL_ENOMEM:
        return "out of memory";
    case QUELL_EIO:
        return "input/output error";
    case QUELL_ECONFIG:
        return "invalid rule configuration";
    case QUELL_ECOMPILE:
        return "pattern rejected by Hyperscan";
    case QUELL_EFORMAT:
        return "invalid compiled rules file";
    case QUELL_EPLATFORM:
        return "compiled rules do not suit this machine";
    case QUELL_EINPUT:
        return "malformed input";
    case QUELL_ETOOBIG:
        return "input too large";
    case QUELL_ESCAN:
        return "scan failed";
    case QUELL_EINVAL:
        return "invalid argument";
    default:
        return "unknown error";
    }
}
