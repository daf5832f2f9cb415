/*
 * utf8.c - UTF-8 validation and decoding for the scanner's hot path, and the
 * Unicode word-character test (from utf8proc's category data).
 */
#include <string.h>

#include <utf8proc.h>

#include "utf8.h"

bool utf8_valid(const char *s, size_t len, size_t *bad_off)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* Most comment bytes are ASCII: skip them eight at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* UTF-16 surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            goto invalid;
        }
        if (len - i <= need)
            goto invalid;
        if (p[i + 1] < lo || p[i + 1] > hi)
            goto invalid;
        for (size_t k = 2; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto invalid;
        }
        i += need + 1;
    }
    return true;
invalid:
    if (bad_off)
        *bad_off = i;
    return false;
}

int32_t utf8_decode_at(const char *s, size_t len, size_t off, size_t *next)
{
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + off,
                                          (utf8proc_ssize_t)(len - off), &cp);
    if (n <= 0) {
        /* Callers pass valid UTF-8; stepping one byte keeps them moving anyway. */
        *next = off + 1;
        return -1;
    }
    *next = off + (size_t)n;
    return cp;
}

int32_t utf8_decode_before(const char *s, size_t off)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = off - 1;
    /* At most three continuation bytes precede a lead byte. */
    while (start > 0 && off - start < 4 && (p[start] & 0xC0) == 0x80)
        start--;
    size_t next;
    return utf8_decode_at(s, off, start, &next);
}

bool utf8_is_word_char(int32_t cp)
{
    if (cp < 0x80) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    }
    if (cp > 0x10FFFF)
        return false;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return false;
    }
}
