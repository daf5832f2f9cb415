/*
 * validate.c - post-match checks. A regex can find sixteen grouped digits;
 * only arithmetic can tell a card number from a tracking number, so the
 * check runs on each hit after the scan, before scoring. A word read in the
 * skeleton view (d1ck, D.I.C.K) is slang or a name (Dick Cheney, Moby Dick):
 * only the capitals and the words around it in the original text can tell.
 */
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "utf8.h"
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
    static const char *const names[VALIDATE_COUNT] = {NULL, "luhn", "not_name"};
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

static bool is_upper(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

static bool is_lower(int32_t cp)
{
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL;
}

/* A capitalised word: its first letter upper case and some later letter
 * lower case (Dick, Moby), not a word in capitals (DICK, D.I.C.K) or in
 * lower case. */
static bool is_title_case(const char *text, size_t start, size_t end)
{
    bool has_first = false;
    for (size_t i = start; i < end;) {
        int32_t cp = utf8_decode_at(text, end, i, &i);
        bool is_letter = is_upper(cp) || is_lower(cp);
        if (!is_letter)
            continue;
        if (!has_first) {
            if (!is_upper(cp))
                return false;
            has_first = true;
        } else if (is_lower(cp)) {
            return true;
        }
    }
    return false;
}

/* Words before a capitalised word that do not make it a name: a comment in
 * title case ("You Dick", "What A Dick") capitalises them too. */
static bool is_function_word(const char *text, size_t start, size_t end)
{
    static const char *const words[] = {
        "a",     "an",    "the",      "you",     "your",  "ur",   "u",    "ya",   "what",  "such",
        "this",  "that",  "these",    "those",   "is",    "are",  "was",  "were", "be",    "being",
        "he",    "she",   "his",      "her",     "him",   "they", "them", "their", "my",   "our",
        "and",   "or",    "of",       "to",      "like",  "big",  "little", "total", "complete",
        "real",  "absolute", "utter", "fat",     "stupid", "dumb", "old", "some",  "another", "no",
    };
    size_t len = end - start;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        if (strlen(words[k]) != len)
            continue;
        size_t i = 0;
        while (i < len && (text[start + i] | 0x20) == words[k][i])
            i++;
        if (i == len)
            return true;
    }
    return false;
}

/* Titles that stand before a name with a full stop (Mr. Dick). */
static bool is_title_abbrev(const char *text, size_t start, size_t end)
{
    static const char *const words[] = {"mr", "mrs", "ms", "dr", "st", "sir", "prof", "rev", "gen", "sen"};
    size_t len = end - start;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        if (strlen(words[k]) == len && strncasecmp(text + start, words[k], len) == 0)
            return true;
    }
    return false;
}

static bool is_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x202F;
}

/* The word-character run that ends at or before *pos, white space between
 * allowed; false when something else comes first. */
static bool word_before(const char *text, size_t pos, size_t *w_start, size_t *w_end)
{
    while (pos > 0) {
        size_t prev = pos;
        do
            prev--;
        while (prev > 0 && ((unsigned char)text[prev] & 0xC0) == 0x80);
        int32_t cp = utf8_decode_before(text, pos);
        if (!is_space(cp))
            break;
        pos = prev;
    }
    if (pos == 0 || !utf8_is_word_char(utf8_decode_before(text, pos)))
        return false;
    *w_end = pos;
    while (pos > 0 && utf8_is_word_char(utf8_decode_before(text, pos))) {
        do
            pos--;
        while (pos > 0 && ((unsigned char)text[pos] & 0xC0) == 0x80);
    }
    *w_start = pos;
    return true;
}

/* The word after end, white space between allowed. */
static bool word_after(const char *text, size_t len, size_t pos, size_t *w_start, size_t *w_end)
{
    size_t next;
    while (pos < len && is_space(utf8_decode_at(text, len, pos, &next)))
        pos = next;
    if (pos == len || !utf8_is_word_char(utf8_decode_at(text, len, pos, &next)))
        return false;
    *w_start = pos;
    while (pos < len && utf8_is_word_char(utf8_decode_at(text, len, pos, &next)))
        pos = next;
    *w_end = pos;
    return true;
}

/* The character before pos, white space skipped; 0 at the start. */
static int32_t char_before(const char *text, size_t pos)
{
    while (pos > 0) {
        int32_t cp = utf8_decode_before(text, pos);
        if (!is_space(cp))
            return cp;
        do
            pos--;
        while (pos > 0 && ((unsigned char)text[pos] & 0xC0) == 0x80);
    }
    return 0;
}

/*
 * Whether the hit is written as a name: capitalised, and followed by a
 * capitalised word (Dick Cheney, Cock Robin), or after an initial or a title
 * (Philip K. Dick, Mr. Dick), or inside a sentence after a word that is not
 * a function word (Moby Dick, Tricky Dick). A capitalised word that opens a
 * sentence alone ("Dick move.") or follows "a", "you", "what" ("You Dick")
 * is not a name, nor a word in capitals or in lower case.
 */
static bool is_name(const char *text, size_t text_len, size_t start, size_t end)
{
    if (!is_title_case(text, start, end))
        return false;
    size_t w_start, w_end;
    if (word_after(text, text_len, end, &w_start, &w_end) && is_title_case(text, w_start, w_end))
        return true;
    if (word_before(text, start, &w_start, &w_end))
        return !is_function_word(text, w_start, w_end);
    if (char_before(text, start) != '.')
        return false;
    /* "K. Dick", "Mr. Dick": the word before the full stop. */
    size_t dot = start;
    while (text[dot - 1] != '.')
        dot--;
    if (!word_before(text, dot - 1, &w_start, &w_end))
        return false;
    if (is_title_abbrev(text, w_start, w_end))
        return true;
    size_t next;
    int32_t cp = utf8_decode_at(text, w_end, w_start, &next);
    return next == w_end && is_upper(cp);
}

bool validate_hit(enum validator v, const char *text, size_t len)
{
    return validate_hit_in(v, text, len, 0, len);
}

bool validate_hit_in(enum validator v, const char *text, size_t text_len, size_t start,
                     size_t end)
{
    switch (v) {
    case VALIDATE_LUHN:
        return is_luhn(text + start, end - start);
    case VALIDATE_NOT_NAME:
        return !is_name(text, text_len, start, end);
    case VALIDATE_NONE:
    case VALIDATE_COUNT:
        break;
    }
    return true;
}
