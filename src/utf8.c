/*
 * utf8.c - UTF-8 validation and decoding for the scanner's hot path, and the
 * Unicode word-character test (from utf8proc's category data).
 */
#include <string.h>

#include <utf8proc.h>

#include "utf8.h"

/*
 * UTF-8 validation as a shift DFA (after Per Vognsen): each byte's row holds,
 * at bit offset `state`, the offset of the next state, so a step is one load,
 * one shift and one mask, with no branch on the byte. The rows below spell
 * out RFC 3629's table of well-formed sequences; ERR is offset 0, so every
 * transition not listed leads to it, and it leads only to itself.
 */
enum {
    DFA_ERR = 0,
    DFA_ACC = 6, /* between characters */
    DFA_C1 = 12, /* one continuation byte to go */
    DFA_C2 = 18, /* two to go */
    DFA_C3 = 24, /* three to go */
    DFA_E0 = 30, /* after E0: A0..BF, or the form is overlong */
    DFA_ED = 36, /* after ED: 80..9F, or it is a UTF-16 surrogate */
    DFA_F0 = 42, /* after F0: 90..BF, or the form is overlong */
    DFA_F4 = 48, /* after F4: 80..8F, or it is above U+10FFFF */
};

#define T(from, to) ((uint64_t)(to) << (from))
#define CONT_ANY    (T(DFA_C1, DFA_ACC) | T(DFA_C2, DFA_C1) | T(DFA_C3, DFA_C2))
/* The row for byte b; C0, C1 and F5..FF start nothing: zero, to DFA_ERR. */
#define ROW(b)                                                                                     \
    ((b) <= 0x7F   ? T(DFA_ACC, DFA_ACC)                                                           \
     : (b) <= 0x8F ? CONT_ANY | T(DFA_ED, DFA_C1) | T(DFA_F4, DFA_C2)                              \
     : (b) <= 0x9F ? CONT_ANY | T(DFA_ED, DFA_C1) | T(DFA_F0, DFA_C2)                              \
     : (b) <= 0xBF ? CONT_ANY | T(DFA_E0, DFA_C1) | T(DFA_F0, DFA_C2)                              \
     : (b) <= 0xC1 ? 0                                                                             \
     : (b) <= 0xDF ? T(DFA_ACC, DFA_C1)                                                            \
     : (b) == 0xE0 ? T(DFA_ACC, DFA_E0)                                                            \
     : (b) == 0xED ? T(DFA_ACC, DFA_ED)                                                            \
     : (b) <= 0xEF ? T(DFA_ACC, DFA_C2)                                                            \
     : (b) == 0xF0 ? T(DFA_ACC, DFA_F0)                                                            \
     : (b) <= 0xF3 ? T(DFA_ACC, DFA_C3)                                                            \
     : (b) == 0xF4 ? T(DFA_ACC, DFA_F4)                                                            \
                   : 0)
#define ROW4(b)  ROW(b), ROW((b) + 1), ROW((b) + 2), ROW((b) + 3)
#define ROW16(b) ROW4(b), ROW4((b) + 4), ROW4((b) + 8), ROW4((b) + 12)
#define ROW64(b) ROW16(b), ROW16((b) + 16), ROW16((b) + 32), ROW16((b) + 48)

static const uint64_t utf8_dfa[256] = {ROW64(0x00), ROW64(0x40), ROW64(0x80), ROW64(0xC0)};

#undef ROW64
#undef ROW16
#undef ROW4
#undef ROW
#undef CONT_ANY
#undef T

bool utf8_valid(const char *s, size_t len, size_t *bad_off)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t state = DFA_ACC;
    size_t seq_start = 0; /* where the character being read began */
    size_t i = 0;
    while (i < len) {
        /* Most English bytes are ASCII: between characters, skip them
         * eight at a time. */
        if (state == DFA_ACC) {
            while (i + 8 <= len) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
        }
        /* Then a stretch of steps; the error state is sticky, so checking
         * for it once per stretch is enough. */
        size_t stop = len - i > 16 ? i + 16 : len;
        for (; i < stop; i++) {
            if (state == DFA_ACC)
                seq_start = i;
            state = (utf8_dfa[p[i]] >> state) & 63;
        }
        if (state == DFA_ERR)
            break;
    }
    if (state == DFA_ACC)
        return true;
    /* The first bad sequence starts at seq_start: stepping stops being ACC
     * only inside a character, and ERR is reached within that character. */
    if (bad_off)
        *bad_off = seq_start;
    return false;
}

int32_t utf8_decode_at(const char *s, size_t len, size_t off, size_t *next)
{
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)s + off, (utf8proc_ssize_t)(len - off), &cp);
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
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
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
        return true;
    default:
        return false;
    }
}
