/*
 * error.c - filling a caller's quell_error, and the static code names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clocale.h"
#include "error.h"
#include "utf8.h"

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

/* The length of the well-formed UTF-8 character at s[0] (n > 0 bytes
 * left), or 0 when s[0] does not start one. */
static size_t char_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    size_t bad;
    if (need == 0 || need > n || (need > 1 && !utf8_valid(s, need, &bad)))
        return 0;
    return need;
}

/*
 * Copy a formatted message into dst as one line of valid UTF-8: control
 * characters and bytes that are not UTF-8 (from a name or path the message
 * quotes as given, or a character that formatting cut in two) become \xNN,
 * and the copy ends between characters.
 */
static void copy_message(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src), o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = char_len(src + i, n - i);
        unsigned char c = (unsigned char)src[i];
        if (k == 0 || c < 0x20 || c == 0x7f) {
            if (o + 4 >= size)
                break;
            snprintf(dst + o, size - o, "\\x%02X", c);
            o += 4;
            i++;
            continue;
        }
        if (o + k >= size)
            break;
        memcpy(dst + o, src + i, k);
        o += k;
        i += k;
    }
    dst[o] = '\0';
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
    /* Numbers in messages read the same in every locale. */
    char msg[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    clocale_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    copy_message(err->message, sizeof err->message, msg);
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
