/*
 * arabizi.c - Arabic words to the regexes that match their Arabizi spellings.
 * Runs once per pattern when a rule set is built, never per comment.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arabizi.h"
#include "norm_data.h"
#include "utf8.h"
#include "util/grow.h"

#define ALEF 0x0627
#define LAM  0x0644
/* Between two letters: the short vowels Arabic script leaves unwritten,
 * and the leet digits and sign that stand for a vowel ("k4lb",
 * "sharmo0ta", "k@lb"), which Arabizi gives no letter. */
#define SHORT_VOWELS    "aeiou40@"
/* Self-censoring masks the first vowel of a word, as in English ("k*lb",
 * "3*rs", "sh*rmoota"): a mask only there, so that the asterisks of
 * emphasis or actions ("en*kuch*") do not join letters into a word. */
#define MASKS "*"
#define SHORT_VOWEL_MAX 2
/* Between two words: a space, a dash, a dot, an underscore, or nothing. */
#define WORD_GAP "[\\s._-]*"
/* The article: "el kalb", "il-kalb", "al kalb", "lkalb", or left out. */
#define ARTICLE "(?:[aei]?l[\\s-]?)?"

struct buf {
    char *text;
    size_t len, cap;
    bool is_bad;
};

/* Letters that may be left out, waiting to be written as one bounded run:
 * "[aeiou]{0,2}[wou]{0,3}[aeiou]{0,2}" becomes "[aeiouw]{0,7}", which
 * Hyperscan compiles far faster and matches the same comments but for
 * vowel order. */
struct pending {
    char chars[64];
    size_t count;
    size_t bound;
};

static void put(struct buf *b, const char *s, size_t len)
{
    if (b->is_bad)
        return;
    size_t need;
    char *p = NULL;
    if (!__builtin_add_overflow(b->len, len + 1, &need))
        p = grow_array(b->text, &b->cap, need, 1, 256, GROW_UNCAPPED);
    if (!p) {
        b->is_bad = true;
        return;
    }
    b->text = p;
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

/*
 * Append a character class of the given bytes ("[7h]"; one byte alone as
 * itself), escaping nothing: spellings are lower-case letters, digits and
 * the apostrophe, none special in a class or outside one.
 */
static void put_class(struct buf *b, const char *chars, size_t n)
{
    if (n == 1) {
        put(b, chars, 1);
        return;
    }
    puts_(b, "[");
    put(b, chars, n);
    puts_(b, "]");
}

/* Add c to the set chars[0..*n) unless it is there. */
static void add_char(char *chars, size_t *n, char c)
{
    if (!memchr(chars, c, *n))
        chars[(*n)++] = c;
}

static void pending_add(struct pending *p, const char *chars, size_t n, size_t bound)
{
    for (size_t k = 0; k < n && p->count < sizeof p->chars; k++)
        add_char(p->chars, &p->count, chars[k]);
    p->bound += bound;
}

static void pending_flush(struct buf *b, struct pending *p)
{
    if (p->bound > 0) {
        char bound[32];
        put_class(b, p->chars, p->count);
        snprintf(bound, sizeof bound, "{0,%zu}", p->bound);
        puts_(b, bound);
    }
    p->count = 0;
    p->bound = 0;
}

/*
 * One letter. The shape of the expression matters more than its letter:
 * Hyperscan compiles classes and bounded repeats far faster than repeated
 * groups of alternatives (117 words took 2.4 s written as (?:a|b)+ groups).
 * So a letter that must be written is a class of its one-byte spellings,
 * repeatable, or one of its longer spellings; a letter that may be left
 * out (a long vowel) is a bounded run of the bytes of all its spellings.
 * Returns whether the unit must be written.
 */
static bool put_letter(struct buf *b, struct pending *pend, const struct norm_arabizi_entry *e,
                       bool is_first, bool is_last, bool is_short)
{
    const char *alts = e->spellings;
    /* A word's first alef is a hamza seat, always voiced and so always
     * written ("enta", "ibn", "omak"): left out, انت would read "nt" and
     * glue onto the next word ("Nathan"). An alef alone stays optional, so
     * a word of long vowels only is still refused. The long vowel of a
     * two-letter word is written too: يا is "ya", never a bare "y" glued
     * to the next word ("ykazzeb" is "he lies", not يا كذاب). */
    bool is_optional = (e->kind == NORM_ARABIZI_VOWEL && !is_short &&
                        !(is_first && !is_last)) ||
                       (e->kind == NORM_ARABIZI_GLIDE && !is_first);
    /* A glide that starts a word is a consonant, its first spelling: يا is
     * "ya", never a bare "e" or "i" glued to the next word ("eXXon"). */
    char first[16];
    if (e->kind == NORM_ARABIZI_GLIDE && is_first) {
        size_t n = strcspn(alts, "|");
        if (n < sizeof first) {
            memcpy(first, alts, n);
            first[n] = '\0';
            alts = first;
        }
    }
    if (is_last && e->final) {
        alts = e->final;
        if (alts[0] == '?') {
            alts++;
            is_optional = true;
        }
    }
    char singles[64], all[64];
    size_t single_count = 0, all_count = 0, longest = 1;
    bool has_multi = false;
    for (const char *a = alts; *a;) {
        size_t n = strcspn(a, "|");
        if (n == 1 && single_count < sizeof singles)
            add_char(singles, &single_count, a[0]);
        has_multi |= n > 1;
        longest = n > longest ? n : longest;
        for (size_t k = 0; k < n && all_count < sizeof all; k++)
            add_char(all, &all_count, a[k]);
        a += n + (a[n] == '|');
    }
    if (is_optional) {
        /* One more than the longest spelling: a stretched vowel ("aaa"). */
        pending_add(pend, all, all_count, longest + 1);
        return false;
    }
    pending_flush(b, pend);
    if (!has_multi) {
        put_class(b, singles, single_count);
        puts_(b, "+");
        return true;
    }
    puts_(b, "(?:");
    if (single_count > 0) {
        put_class(b, singles, single_count);
        puts_(b, "+");
    }
    for (const char *a = alts; *a;) {
        size_t n = strcspn(a, "|");
        if (n > 1) {
            if (single_count > 0 || a != alts)
                puts_(b, "|");
            put(b, a, n);
        }
        a += n + (a[n] == '|');
    }
    puts_(b, ")");
    return true;
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
    size_t start = k;
    bool has_required = false;
    bool is_first = true;
    bool is_second = false;
    struct pending pend = {{0}, 0, 0};
    for (; k < n; k++) {
        const struct norm_arabizi_entry *e = entry_of(cps[k]);
        if (!e)
            continue;
        bool is_last = k + 1 == n;
        /* An optional final (teh marbuta) spells its own vowel ("a", "eh"):
         * no short vowel before it, or قحبة would read "ghabi". */
        if (!is_first && !(is_last && e->final && e->final[0] == '?')) {
            pending_add(&pend, SHORT_VOWELS, sizeof SHORT_VOWELS - 1, SHORT_VOWEL_MAX);
            if (is_second)
                pending_add(&pend, MASKS, sizeof MASKS - 1, 0);
        }
        is_second = is_first;
        has_required |= put_letter(b, &pend, e, is_first, is_last, n - start == 2);
        is_first = false;
    }
    pending_flush(b, &pend);
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
