/*
 * arabizi.c - Arabic words to the regexes that match their Arabizi spellings
 * in the Arabizi view (norm_arabizi). Runs once per pattern when a rule set
 * is built, never per comment.
 *
 * The view keeps a word's consonants and only its first and last vowel, so
 * a letter is matched by the outlines of its spellings: "7", "h" for ح;
 * "", "2" for an alef inside a word (its vowel dropped, or a hamza seat
 * "2a"). Whether a letter starts or ends a word of the view decides which
 * of its vowels survive; a word that may be written joined to the next
 * ("ya7mar") or apart ("ya 7mar") gets both readings, each with its own
 * vowels. No optional vowel stands between two letters any more, which is
 * what kept these regexes slow to compile. What outlines cannot tell apart
 * ("million" and ملاعين), the word's full spelling over the folded text
 * does, on the few hits alone (arabizi_check_regex, scan.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arabizi.h"
#include "norm_data.h"
#include "normalise.h"
#include "utf8.h"
#include "util/grow.h"

#define ALEF 0x0627
#define LAM  0x0644
/* The longest spelling in tools/data/arabizi.txt is three bytes. */
#define SPELLING_MAX 8
#define UNIT_SPELLINGS 16
/* Forms of one letter in every context, with the shortened ones a
 * collapsed repeat leaves: well under this (the alef, with nine spellings,
 * has a dozen). */
#define FORMS_MAX 128

struct buf {
    char *text;
    size_t len, cap;
    bool is_bad;
};

/* One letter: the spellings it may take where it stands. */
struct unit {
    char spellings[UNIT_SPELLINGS][SPELLING_MAX];
    size_t count;
    bool is_optional;
    bool is_own_vowel; /* an optional final that spells its vowel (teh marbuta) */
};

struct word {
    struct unit *units; /* one per letter Arabizi spells */
    size_t count;
    size_t last_required; /* index of the last unit that must be written */
    bool has_article;     /* written before it: "el", "l", or not at all */
};

/* The outlines of a letter's spellings in one context, as the view shows
 * them: "" when the letter may leave nothing. */
struct forms {
    char text[FORMS_MAX][SPELLING_MAX];
    size_t count;
};

/* Whether a unit starts (ends) a word of the view: a mask of these. */
enum {
    CTX_NO = 1,
    CTX_YES = 2,
    CTX_ANY = CTX_NO | CTX_YES,
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

static void forms_add(struct forms *f, const char *text)
{
    for (size_t k = 0; k < f->count; k++)
        if (strcmp(f->text[k], text) == 0)
            return;
    size_t len = strlen(text);
    if (f->count < FORMS_MAX && len < SPELLING_MAX)
        memcpy(f->text[f->count++], text, len + 1);
}

/*
 * A spelling as the view shows it, the way norm_arabizi treats a word:
 * repeats collapsed, then the vowels dropped, but for the first character
 * when the spelling starts a word of the view and the last vowel when it
 * ends one.
 */
static void outline(const char *spelling, bool is_start, bool is_end, char out[SPELLING_MAX])
{
    char c[SPELLING_MAX];
    size_t n = 0;
    for (const char *p = spelling; *p && n < SPELLING_MAX - 1; p++)
        if (n == 0 || c[n - 1] != *p)
            c[n++] = *p;
    size_t o = 0;
    bool has_consonant = false;
    for (size_t k = 0; k < n; k++) {
        if (!norm_arabizi_is_vowel((unsigned char)c[k])) {
            out[o++] = c[k];
            has_consonant = true;
        } else if (k == 0 && is_start) {
            out[o++] = c[k];
        }
    }
    /* The last vowel ends the word, unless it was its only character and
     * is written already. */
    if (is_end && n > 0 && norm_arabizi_is_vowel((unsigned char)c[n - 1]) &&
        (has_consonant || n > 1 || !is_start))
        out[o++] = c[n - 1];
    out[o] = '\0';
}

/* The forms of unit u where it starts a word of the view or not (starts, a
 * CTX_ mask) and ends one or not (ends). */
static void unit_forms(const struct unit *u, unsigned starts, unsigned ends, struct forms *out)
{
    out->count = 0;
    char form[SPELLING_MAX];
    for (size_t k = 0; k < u->count; k++)
        for (unsigned s = CTX_NO; s <= CTX_YES; s <<= 1)
            for (unsigned e = CTX_NO; e <= CTX_YES; e <<= 1)
                if ((starts & s) && (ends & e)) {
                    outline(u->spellings[k], s == CTX_YES, e == CTX_YES, form);
                    forms_add(out, form);
                }
    if (u->is_optional)
        forms_add(out, "");
}

/* A unit's forms as a regex: a class when each is one character, else an
 * alternation; optional when "" is among them. */
static void put_forms(struct buf *b, const struct forms *f)
{
    bool has_empty = false;
    size_t written = 0, longest = 0;
    for (size_t k = 0; k < f->count; k++) {
        size_t len = strlen(f->text[k]);
        has_empty |= len == 0;
        written += len > 0;
        longest = len > longest ? len : longest;
    }
    if (written == 0)
        return;
    bool is_class = longest == 1 && written > 1;
    bool is_group = !is_class && (written > 1 || (has_empty && longest > 1));
    puts_(b, is_class ? "[" : is_group ? "(?:" : "");
    bool is_first = true;
    for (size_t k = 0; k < f->count; k++) {
        if (!f->text[k][0])
            continue;
        if (!is_first && !is_class)
            puts_(b, "|");
        puts_(b, f->text[k]);
        is_first = false;
    }
    puts_(b, is_class ? "]" : is_group ? ")" : "");
    if (has_empty)
        puts_(b, "?");
}

/*
 * Two letters the view may have made one: a form of b starts with the
 * consonant a form of a ends with, and no vowel stood between them in the
 * comment ("ll" in "allah", "kk" in "3allaqak"). Returns that consonant,
 * or 0.
 */
static char collapses(const struct forms *a, const struct forms *b, size_t from)
{
    for (size_t j = from; j < a->count; j++) {
        size_t len = strlen(a->text[j]);
        if (len == 0)
            continue;
        char c = a->text[j][len - 1];
        for (size_t k = 0; k < b->count; k++)
            if (b->text[k][0] == c && !norm_arabizi_is_vowel((unsigned char)c))
                return c;
    }
    return 0;
}

/* The forms of f that do (is_in) or do not end with c. */
static void forms_ending(const struct forms *f, char c, bool is_in, struct forms *out)
{
    out->count = 0;
    for (size_t k = 0; k < f->count; k++) {
        size_t len = strlen(f->text[k]);
        if ((len > 0 && f->text[k][len - 1] == c) == is_in)
            forms_add(out, f->text[k]);
    }
}

/*
 * Two letters that may collapse, written so that only the letter after one
 * ending in c may lose its c: "(?:[q29g8]k|k(?:k|ch)?)" for قك, never a
 * bare "q" for both. A second consonant both may share is left to the
 * plain reading.
 */
static void put_pair(struct buf *b, const struct forms *a, const struct forms *next, char c)
{
    struct forms rest, ending, shortened = *next;
    forms_ending(a, c, false, &rest);
    forms_ending(a, c, true, &ending);
    for (size_t k = 0; k < next->count; k++)
        if (next->text[k][0] == c)
            forms_add(&shortened, next->text[k] + 1);
    puts_(b, "(?:");
    if (rest.count > 0) {
        put_forms(b, &rest);
        put_forms(b, next);
        puts_(b, "|");
    }
    put_forms(b, &ending);
    put_forms(b, &shortened);
    puts_(b, ")");
}

/* A run of letters, each pair that may collapse written as one. */
static void put_seq(struct buf *b, const struct forms *seq, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char c = 0;
        if (k + 1 < n)
            c = collapses(&seq[k], &seq[k + 1], 0);
        if (c) {
            put_pair(b, &seq[k], &seq[k + 1], c);
            k++;
        } else {
            put_forms(b, &seq[k]);
        }
    }
}

/*
 * How a word's letters are written in a phrase: its head [0, head_end)
 * reads whether the word starts a word of the view, its tail [tail_start,
 * count) whether it ends one, both inside the choice of the gap beside
 * them; the letters between do not care. A pair that may collapse stays on
 * one side. A word too short to have both, or with only its first letter
 * required, is all head (is_whole).
 */
struct layout {
    size_t head_end, tail_start;
    bool is_whole;
};

/* The forms of units [from, to) of w, where w starts a word of the view or
 * not (starts) and ends one or not (ends: CTX_ANY when unknown here), into
 * out[0..to - from). */
static void word_forms(const struct word *w, size_t from, size_t to, unsigned starts,
                       unsigned ends, struct forms *out)
{
    for (size_t k = from; k < to; k++) {
        unsigned s = k == 0 ? starts : CTX_NO;
        /* The last vowel of a word belongs to its last written letter: any
         * letter from the last that must be written on may be it. */
        unsigned e = CTX_NO;
        if (k + 1 == w->count)
            e = ends;
        else if (k >= w->last_required && ends != CTX_NO)
            e = CTX_ANY;
        unit_forms(&w->units[k], s, e, &out[k - from]);
    }
}

static struct layout word_layout(const struct word *w)
{
    struct layout l = {w->count, w->count, true};
    if (w->count == 1 || w->last_required == 0)
        return l;
    struct forms f[2];
    l.head_end = 1;
    word_forms(w, 0, 2, CTX_ANY, CTX_ANY, f);
    if (collapses(&f[0], &f[1], 0))
        l.head_end = 2;
    l.tail_start = w->last_required;
    word_forms(w, l.tail_start - 1, l.tail_start + 1, CTX_NO, CTX_ANY, f);
    if (collapses(&f[0], &f[1], 0))
        l.tail_start--;
    l.is_whole = l.tail_start < l.head_end;
    if (l.is_whole)
        l.head_end = l.tail_start = w->count;
    return l;
}

/* Units [from, to) of w as a run of letters. */
static void put_units(struct buf *b, const struct word *w, size_t from, size_t to,
                      unsigned starts, unsigned ends, struct forms *scratch)
{
    word_forms(w, from, to, starts, ends, scratch);
    put_seq(b, scratch, to - from);
}

/*
 * The head of w (its first letter, or the whole word when is_whole), with
 * the article before it when it has one: where w starts a word of the view
 * (starts is CTX_YES), or joined to the word before, whose tail forms are
 * pre[0..pre_n) and may collapse into the head. scratch holds a word and a
 * tail more.
 */
static void put_head(struct buf *b, const struct word *w, const struct layout *l,
                     unsigned starts, unsigned ends, const struct forms *pre, size_t pre_n,
                     struct forms *scratch)
{
    static const struct forms article = {.count = 4, .text = {"al", "el", "il", "l"}};
    static const struct forms lam = {.count = 1, .text = {"l"}};
    size_t n = l->head_end;
    if (starts == CTX_YES) {
        if (w->has_article)
            puts_(b, "(?:(?:[aei]?l )?");
        put_units(b, w, 0, n, CTX_YES, ends, scratch);
        if (w->has_article) {
            /* "elkalb": the article's lam may be the word's first letter
             * written once ("allah"). */
            scratch[0] = article;
            word_forms(w, 0, n, CTX_NO, ends, scratch + 1);
            puts_(b, "|");
            put_seq(b, scratch, n + 1);
            puts_(b, ")");
        }
        return;
    }
    memcpy(scratch, pre, pre_n * sizeof *pre);
    if (w->has_article) {
        /* "yalkalb", or the article left out. */
        scratch[pre_n] = lam;
        word_forms(w, 0, n, CTX_NO, ends, scratch + pre_n + 1);
        puts_(b, "(?:");
        put_seq(b, scratch, pre_n + 1 + n);
        puts_(b, "|");
    }
    word_forms(w, 0, n, CTX_NO, ends, scratch + pre_n);
    put_seq(b, scratch, pre_n + n);
    if (w->has_article)
        puts_(b, ")");
}

/*
 * The letters of one word (its code points cps[0..n)) as units, with the
 * rules of the spelling table: which letters may be left out, how a glide
 * or a final letter is spelled. Returns false when out of memory.
 */
static bool word_units(const uint32_t *cps, size_t n, struct word *w)
{
    size_t k = 0;
    w->count = 0;
    w->units = calloc(n, sizeof *w->units);
    if (!w->units)
        return false;
    w->has_article = false;
    w->last_required = SIZE_MAX;
    /* The article only before a word of two letters or more. */
    if (n >= 4 && cps[0] == ALEF && cps[1] == LAM) {
        w->has_article = true;
        k = 2;
    }
    size_t start = k;
    bool is_first = true;
    for (; k < n; k++) {
        const struct norm_arabizi_entry *e = entry_of(cps[k]);
        if (!e)
            continue;
        bool is_last = k + 1 == n;
        bool is_short = n - start == 2;
        const char *alts = e->spellings;
        /* A word's first alef is a hamza seat, always voiced and so always
         * written ("enta", "ibn", "omak"): left out, انت would read "nt"
         * and glue onto the next word ("Nathan"). An alef alone stays
         * optional, so a word of long vowels only is still refused. The long
         * vowel of a two-letter word is written too: يا is "ya", never a
         * bare "y" glued to the next word ("ykazzeb" is "he lies"). */
        bool is_optional = (e->kind == NORM_ARABIZI_VOWEL && !is_short &&
                            !(is_first && !is_last)) ||
                           (e->kind == NORM_ARABIZI_GLIDE && !is_first);
        /* A glide that starts a word is a consonant, its first spelling:
         * يا is "ya", never a bare "e" or "i" glued to the next word. */
        bool first_only = e->kind == NORM_ARABIZI_GLIDE && is_first;
        bool is_own_vowel = false;
        if (is_last && e->final) {
            alts = e->final;
            if (alts[0] == '?') {
                alts++;
                is_optional = is_own_vowel = true;
            }
            first_only = false;
        }
        struct unit *u = &w->units[w->count];
        u->count = 0;
        u->is_optional = is_optional;
        u->is_own_vowel = is_own_vowel;
        for (const char *a = alts; *a;) {
            size_t len = strcspn(a, "|");
            if (len < SPELLING_MAX && u->count < UNIT_SPELLINGS) {
                memcpy(u->spellings[u->count], a, len);
                u->spellings[u->count++][len] = '\0';
            }
            if (first_only)
                break;
            a += len + (a[len] == '|');
        }
        if (!is_optional)
            w->last_required = w->count;
        w->count++;
        is_first = false;
    }
    return true;
}

/* Has w a letter that must be written, whose outline is never empty? */
static bool has_required(const struct word *w)
{
    return w->last_required != SIZE_MAX;
}

/*
 * The phrase's words, each with the gap after it written as a choice: apart
 * (" "), the end of this word and the start of the next in their own forms,
 * or joined, both in the forms inside a word. scratch holds two words.
 */
static void put_phrase(struct buf *b, const struct word *words, size_t count,
                       struct forms *scratch)
{
    puts_(b, "\\b");
    for (size_t i = 0; i < count; i++) {
        const struct word *w = &words[i];
        struct layout l = word_layout(w);
        /* The first word's head; the others' came in the gap before them. */
        if (i == 0)
            put_head(b, w, &l, CTX_YES, count == 1 ? CTX_YES : CTX_ANY, NULL, 0, scratch);
        put_units(b, w, l.head_end, l.tail_start, CTX_NO, CTX_NO, scratch);
        if (i + 1 == count) {
            put_units(b, w, l.tail_start, w->count, CTX_NO, CTX_YES, scratch);
            break;
        }
        const struct word *next = &words[i + 1];
        struct layout nl = word_layout(next);
        unsigned next_ends = i + 2 == count ? CTX_YES : CTX_ANY;
        size_t tail_n = w->count - l.tail_start;
        puts_(b, "(?:");
        put_units(b, w, l.tail_start, w->count, CTX_NO, CTX_YES, scratch);
        puts_(b, " ");
        put_head(b, next, &nl, CTX_YES, next_ends, NULL, 0, scratch);
        puts_(b, "|");
        struct forms *tail = scratch + w->count + 1 + next->count;
        word_forms(w, l.tail_start, w->count, CTX_NO, CTX_NO, tail);
        put_head(b, next, &nl, CTX_NO, next_ends, tail, tail_n, scratch);
        puts_(b, ")");
    }
    puts_(b, "\\b");
}

/* The words of a phrase: folded Arabic, words separated by spaces. */
struct phrase {
    struct word *words;
    size_t count;
    size_t most_units;  /* of any word */
    bool is_spellable;  /* a letter somewhere must be written */
};

static void phrase_free(struct phrase *p)
{
    for (size_t k = 0; p->words && k < p->count; k++)
        free(p->words[k].units);
    free(p->words);
}

/* Returns 0, or -1 out of memory (p is then freed). */
static int phrase_parse(const char *text, size_t len, struct phrase *p)
{
    *p = (struct phrase){0};
    /* A phrase has at most one word for every two bytes of it. */
    size_t max_words = len / 2 + 1;
    uint32_t *cps = malloc((len + 1) * sizeof *cps);
    p->words = calloc(max_words, sizeof *p->words);
    int rc = cps && p->words ? 0 : -1;
    size_t i = 0;
    while (rc == 0 && i < len) {
        /* One word: the code points up to the next space. */
        size_t n = 0;
        while (i < len && text[i] != ' ') {
            size_t next;
            cps[n++] = (uint32_t)utf8_decode_at(text, len, i, &next);
            i = next;
        }
        while (i < len && text[i] == ' ')
            i++;
        if (n == 0 || p->count == max_words)
            continue;
        struct word *w = &p->words[p->count];
        if (!word_units(cps, n, w)) {
            rc = -1;
            break;
        }
        if (w->count == 0) {
            free(w->units); /* no letter Arabizi spells */
            w->units = NULL;
            continue;
        }
        p->is_spellable |= has_required(w);
        /* A word with nothing that must be written joins the phrase as
         * optional letters: its head and tail are the same. */
        if (!has_required(w))
            w->last_required = 0;
        p->most_units = w->count > p->most_units ? w->count : p->most_units;
        p->count++;
    }
    free(cps);
    if (rc != 0)
        phrase_free(p);
    return rc;
}

/* Hand b's text to the pool as *out: 0, or -1 out of memory. */
static int finish(struct pool *pool, struct buf *b, const char **out)
{
    int rc = -1;
    if (!b->is_bad) {
        *out = pool_strndup(pool, b->text, b->len);
        rc = *out ? 0 : -1;
    }
    free(b->text);
    return rc;
}

int arabizi_regex(struct pool *pool, const char *word, size_t len, const char **out)
{
    *out = NULL;
    struct phrase p;
    if (phrase_parse(word, len, &p) != 0)
        return -1;
    /* Without a letter that must be written the expression could match
     * next to nothing: refuse it rather than flood the scan. */
    int rc = 1;
    if (p.is_spellable) {
        struct forms *scratch = calloc(3 * p.most_units + 2, sizeof *scratch);
        rc = -1;
        if (scratch) {
            struct buf b = {0};
            put_phrase(&b, p.words, p.count, scratch);
            rc = finish(pool, &b, out);
            free(scratch);
        }
    }
    phrase_free(&p);
    return rc;
}

/*
 * The check: the same spellings letter for letter over the folded text,
 * with every vowel the view drops, as a POSIX extended regex. Its shape is
 * what the Arabizi view's outlines could not say: up to two short vowels
 * between letters (an ain written as a vowel is "a" or "e", so "million"
 * is not ملاعين), each letter its own ("ink" is not انيكك), the words of a
 * phrase apart or joined by spaces, dots, dashes and underscores only.
 */

/* Between two letters: the short vowels Arabic script leaves unwritten,
 * and the leet digits and sign that stand for a vowel ("k4lb"). */
#define SHORT_VOWELS    "aeiou40@"
#define SHORT_VOWEL_MAX 2
/* Self-censoring masks the first vowel of a word ("k*lb", "sh*rmoota"). */
#define MASKS "*"
/* Between two words, and after the article ("el kalb", "il-kalb"). The
 * folded view has made every white space a space. */
#define WORD_GAP "[ ._-]*"
#define ARTICLE  "([aei]?l[ -]?)?"

/* Letters that may be left out, waiting to be written as one bounded run:
 * "[aeiou]{0,2}[wou]{0,3}" becomes "[aeiouw]{0,5}". */
struct pending {
    char chars[64];
    size_t count;
    size_t bound;
};

/* Add c to the set chars[0..*n) unless it is there. */
static void add_char(char *chars, size_t *n, char c)
{
    if (!memchr(chars, c, *n))
        chars[(*n)++] = c;
}

/* A bracket expression of the given bytes, or one byte alone: spellings
 * are lower-case letters, digits, the apostrophe and "@*", none special. */
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

/* One letter: a repeatable class of its one-byte spellings, or one of its
 * longer spellings; a letter that may be left out joins the pending run,
 * one byte longer than its longest spelling for a stretched vowel. */
static void check_unit(struct buf *b, struct pending *pend, const struct unit *u)
{
    char singles[UNIT_SPELLINGS], all[64];
    size_t single_count = 0, all_count = 0, longest = 1;
    bool has_multi = false;
    for (size_t k = 0; k < u->count; k++) {
        size_t n = strlen(u->spellings[k]);
        if (n == 1)
            add_char(singles, &single_count, u->spellings[k][0]);
        has_multi |= n > 1;
        longest = n > longest ? n : longest;
        for (size_t j = 0; j < n && all_count < sizeof all; j++)
            add_char(all, &all_count, u->spellings[k][j]);
    }
    if (u->is_optional) {
        pending_add(pend, all, all_count, longest + 1);
        return;
    }
    pending_flush(b, pend);
    if (!has_multi) {
        put_class(b, singles, single_count);
        puts_(b, "+");
        return;
    }
    puts_(b, "(");
    bool is_first = true;
    if (single_count > 0) {
        put_class(b, singles, single_count);
        puts_(b, "+");
        is_first = false;
    }
    for (size_t k = 0; k < u->count; k++) {
        if (strlen(u->spellings[k]) > 1) {
            if (!is_first)
                puts_(b, "|");
            puts_(b, u->spellings[k]);
            is_first = false;
        }
    }
    puts_(b, ")");
}

static void check_word(struct buf *b, const struct word *w)
{
    if (w->has_article)
        puts_(b, ARTICLE);
    struct pending pend = {{0}, 0, 0};
    for (size_t k = 0; k < w->count; k++) {
        const struct unit *u = &w->units[k];
        /* An optional final (teh marbuta) spells its own vowel ("a",
         * "eh"): no short vowel before it, or قحبة would read "ghabi". */
        if (k > 0 && !(k + 1 == w->count && u->is_own_vowel)) {
            pending_add(&pend, SHORT_VOWELS, sizeof SHORT_VOWELS - 1, SHORT_VOWEL_MAX);
            if (k == 1)
                pending_add(&pend, MASKS, sizeof MASKS - 1, 0);
        }
        check_unit(b, &pend, u);
    }
    pending_flush(b, &pend);
}

int arabizi_check_regex(struct pool *pool, const char *word, size_t len, const char **out)
{
    *out = NULL;
    struct phrase p;
    if (phrase_parse(word, len, &p) != 0)
        return -1;
    int rc = 1;
    if (p.is_spellable) {
        struct buf b = {0};
        for (size_t k = 0; k < p.count; k++) {
            if (k > 0)
                puts_(&b, WORD_GAP);
            check_word(&b, &p.words[k]);
        }
        rc = finish(pool, &b, out);
    }
    phrase_free(&p);
    return rc;
}
