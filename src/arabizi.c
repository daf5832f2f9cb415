/*
 * arabizi.c - Arabic words to the regexes that match their Arabizi spellings.
 * Runs once per pattern when a rule set is built, never per comment.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arabizi.h"
#include "norm_data.h"
#include "utf8.h"

#define ALEF 0x0627
#define LAM  0x0644
/* Between two letters: the short vowels Arabic script leaves unwritten. */
#define SHORT_VOWELS "[aeiou]{0,2}"
/* Between two words: a space, a dash, a dot, an underscore, or nothing. */
#define WORD_GAP "[\\s._-]*"
/* The article: "el kalb", "il-kalb", "al kalb", "lkalb", or left out. */
#define ARTICLE "(?:[aei]?l[\\s-]?)?"

struct buf {
    char *text;
    size_t len, cap;
    bool is_bad;
};

static void put(struct buf *b, const char *s, size_t len)
{
    if (b->is_bad)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->text, cap);
        if (!p) {
            b->is_bad = true;
            return;
        }
        b->text = p;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, len);
    b->len += len;
    b->text[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static const struct norm_arabizi_entry *entry_of(uint32_t cp)
{
    size_t lo = 0, hi = norm_arabizi_map_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (norm_arabizi_map[mid].cp < cp)
            lo = mid + 1;
        else if (norm_arabizi_map[mid].cp > cp)
            hi = mid;
        else
            return &norm_arabizi_map[mid];
    }
    return NULL;
}

/* One letter: its spellings, each repeatable; optional ones may be absent.
 * Returns whether the unit must be written. */
static bool put_letter(struct buf *b, const struct norm_arabizi_entry *e, bool is_first,
                       bool is_last)
{
    const char *alts = e->spellings;
    bool is_optional = e->kind == NORM_ARABIZI_VOWEL ||
                       (e->kind == NORM_ARABIZI_GLIDE && !is_first);
    if (is_last && e->final) {
        alts = e->final;
        if (alts[0] == '?') {
            alts++;
            is_optional = true;
        }
    }
    puts_(b, "(?:");
    puts_(b, alts);
    puts_(b, is_optional ? ")*" : ")+");
    return !is_optional;
}

/* One word's letters, cps[0..n). Returns whether any unit must be written. */
static bool put_word(struct buf *b, const uint32_t *cps, size_t n)
{
    size_t k = 0;
    /* The article only before a word of two letters or more. */
    if (n >= 4 && cps[0] == ALEF && cps[1] == LAM) {
        puts_(b, ARTICLE);
        k = 2;
    }
    bool has_required = false;
    bool is_first = true;
    for (; k < n; k++) {
        const struct norm_arabizi_entry *e = entry_of(cps[k]);
        if (!e)
            continue;
        if (!is_first)
            puts_(b, SHORT_VOWELS);
        has_required |= put_letter(b, e, is_first, k + 1 == n);
        is_first = false;
    }
    return has_required;
}

int arabizi_regex(struct pool *pool, const char *word, size_t len, const char **out)
{
    *out = NULL;
    uint32_t *cps = malloc((len + 1) * sizeof *cps);
    if (!cps)
        return -1;
    struct buf b = {0};
    bool has_required = false;
    bool has_word = false;
    puts_(&b, "\\b");
    size_t i = 0;
    while (i < len) {
        /* One word: the code points up to the next space. */
        size_t n = 0;
        while (i < len && word[i] != ' ') {
            size_t next;
            cps[n++] = (uint32_t)utf8_decode_at(word, len, i, &next);
            i = next;
        }
        while (i < len && word[i] == ' ')
            i++;
        if (n == 0)
            continue;
        if (has_word)
            puts_(&b, WORD_GAP);
        has_required |= put_word(&b, cps, n);
        has_word = true;
    }
    puts_(&b, "\\b");
    free(cps);
    if (b.is_bad) {
        free(b.text);
        return -1;
    }
    int rc = 1;
    /* Without a letter that must be written the expression could match
     * next to nothing: refuse it rather than flood the scan. */
    if (has_required) {
        *out = pool_strndup(pool, b.text, b.len);
        rc = *out ? 0 : -1;
    }
    free(b.text);
    return rc;
}
