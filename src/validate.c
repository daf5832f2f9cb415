/*
 * validate.c - post-match checks. A regex can find sixteen grouped digits;
 * only arithmetic can tell a card number from a tracking number, so the
 * check runs on each hit after the scan, before scoring.
 */
#include <string.h>

#include "validate.h"

enum validator validate_by_name(const char *name)
{
    for (unsigned int v = VALIDATE_NONE + 1; v < VALIDATE_COUNT; v++) {
        if (strcmp(name, validate_name(v)) == 0)
            return (enum validator)v;
    }
    return VALIDATE_NONE;
}

const char *validate_name(unsigned int v)
{
    static const char *const names[VALIDATE_COUNT] = {NULL, "luhn"};
    return v < VALIDATE_COUNT ? names[v] : NULL;
}

/* The digit at text[*i] (advancing *i past it), or -1 for a non-digit
 * character (also skipped). */
static int next_digit(const unsigned char *text, size_t len, size_t *i)
{
    unsigned char c = text[*i];
    if (c >= '0' && c <= '9') {
        (*i)++;
        return c - '0';
    }
    /* U+0660..0669 are D9 A0..A9; U+06F0..06F9 are DB B0..B9. */
    if ((c == 0xD9 || c == 0xDB) && *i + 1 < len) {
        unsigned char d = text[*i + 1];
        *i += 2;
        if (c == 0xD9 && d >= 0xA0 && d <= 0xA9)
            return d - 0xA0;
        if (c == 0xDB && d >= 0xB0 && d <= 0xB9)
            return d - 0xB0;
        return -1;
    }
    (*i)++;
    return -1;
}

/* Luhn: from the right, double every second digit (9 taken off a result
 * over 9); the sum is a multiple of 10. Card numbers have 13 to 19 digits. */
static bool is_luhn(const char *text, size_t len)
{
    enum { MAX_DIGITS = 19, MIN_DIGITS = 13 };
    int digits[MAX_DIGITS + 1];
    size_t count = 0;
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        int d = next_digit(p, len, &i);
        if (d < 0)
            continue;
        if (count == MAX_DIGITS)
            return false;
        digits[count++] = d;
    }
    if (count < MIN_DIGITS)
        return false;
    int sum = 0;
    for (size_t k = 0; k < count; k++) {
        int d = digits[count - 1 - k];
        if (k % 2 == 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 == 0;
}

bool validate_hit(enum validator v, const char *text, size_t len)
{
    switch (v) {
    case VALIDATE_LUHN:
        return is_luhn(text, len);
    case VALIDATE_NONE:
    case VALIDATE_COUNT:
        break;
    }
    return true;
}
