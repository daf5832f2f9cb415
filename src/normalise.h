/*
 * normalise.h - a comment's text turned into the views rules scan (folded,
 * skeleton), each with a map from every view byte back to the original.
 */
#ifndef QUELL_NORMALISE_H
#define QUELL_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The per-code-point tables the views are built with: computed once from
 * utf8proc and the generated maps (norm_data.h), immutable afterwards, so a
 * rule set builds them once and every scanner shares them.
 */
struct norm_tables;

/* QUELL_OK or QUELL_ENOMEM. */
int norm_tables_new(struct norm_tables **out);
/* NULL is a no-op. */
void norm_tables_free(struct norm_tables *tables);

/* For tests: the tables built looking at every code point, which
 * norm_tables_new skips in planes with nothing assigned, and whether two
 * builds map every code point alike. */
int norm_tables_new_full(struct norm_tables **out);
bool norm_tables_same(const struct norm_tables *a, const struct norm_tables *b);

/*
 * One view of one text. text[0..len) is valid UTF-8; src has len + 1
 * entries: src[i] is the offset in the ORIGINAL text of the start of the
 * character that produced text[i], and src[len] is the original's length.
 * Buffers are owned by the view and reused from text to text.
 */
struct norm_view {
    char *text;
    uint32_t *src;
    size_t len;
    size_t cap; /* of text; src has cap + 1 */
    /* The skeleton's soft word edges, increasing view offsets: where a
     * one-letter word was joined onto spaced-out letters ("a c u n t" ->
     * "acunt", edge at 1), a word may also start or end, so both readings
     * match (see norm_skeleton). Empty in other views. */
    uint32_t *soft_edges;
    size_t soft_edge_count;
    size_t soft_edge_cap;
};

/* Free a view's buffers (the struct itself is the caller's). */
void norm_view_free(struct norm_view *view);

/*
 * The folded view of orig (valid UTF-8, len < 4 GiB): NFKC, full case
 * folding, combining marks removed, default-ignorable and format characters
 * (ZWJ, ZWNJ, soft hyphen, bidi controls) and tatweel removed, Arabic
 * letters unified, Arabic-Indic digits made ASCII, white space runs made
 * one space. QUELL_OK or QUELL_ENOMEM.
 */
int norm_fold(const struct norm_tables *tables, const char *orig, size_t len,
              struct norm_view *out);

/*
 * The skeleton view, from a folded view: look-alikes of Latin letters
 * (Cyrillic, Greek, symbols; never Arabic script) mapped to one prototype,
 * leetspeak next to letters mapped to letters, single letters spaced out
 * with separators joined (a one-letter word at either end of them joined
 * too, with a soft edge: soft_edges), runs of one repeated letter made
 * one. Its src
 * entries point into the ORIGINAL text, like the folded view's.
 * QUELL_OK or QUELL_ENOMEM.
 */
int norm_skeleton(const struct norm_tables *tables, const struct norm_view *folded,
                  struct norm_view *out);

/*
 * The Arabizi view, from a folded view: the consonant outline of each Latin
 * word, which is what Arabizi spellings of one Arabic word share. Letters,
 * digits and the apostrophe make words; every other character (spaces,
 * punctuation, other scripts) is one space, runs of them too. In a word,
 * runs of one repeated character become one ("7maaar" -> "7mar"), then the
 * vowels between consonants are dropped ("7mr"): a, e, i, o, u, the leet
 * vowels 4 and 0, an "@", and an "*" that masks the vowel after a word's
 * first letter ("k*lb", "sh*rmoota"; elsewhere asterisks are emphasis or
 * actions, and separate). A word's first and last vowel runs keep one
 * vowel each, the first and the last ("inta" -> "inta", "kalbi" -> "klbi"),
 * so a word with an ending is not the word without one. Its src points
 * into the ORIGINAL text. Rules never name it: arabizi.c writes the regexes
 * it is scanned with. QUELL_OK or QUELL_ENOMEM.
 */
int norm_arabizi(const struct norm_view *folded, struct norm_view *out);

/* The characters the Arabizi view drops between consonants: the vowels,
 * the leet digits and signs for them. arabizi.c spells words with the same
 * set. */
static inline bool norm_arabizi_is_vowel(unsigned char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == '4' || c == '0' ||
           c == '@' || c == '*';
}

/* The first byte of view made from original offset orig_off or later
 * (view->len when none is): where an original span starts in the view. */
size_t norm_view_at(const struct norm_view *view, size_t orig_off);

/* Is view offset off (0 < off < len) a soft word edge of the view? */
bool norm_is_soft_edge(const struct norm_view *view, size_t off);

/*
 * The original span of view bytes [view_start, view_end): from the start of
 * the character that produced the first byte to the start of the next
 * character that produced a later byte (so a letter's dropped marks belong
 * to it), or the end of the text. Whole UTF-8 characters, always.
 */
void norm_span(const struct norm_view *view, size_t view_start, size_t view_end, size_t *orig_start,
               size_t *orig_end);

/*
 * Is the skeleton letter at byte i a doubled letter (run 2) of a Latin word
 * the dictionary spells with it ("loot", "doom", "litter": dict_data.c, the
 * lower-case words of Debian's wamerican, tools/gen_dict.py)? Such a letter
 * is not read as a single one: "loot" is not "lot". A run of three or more
 * anywhere in the word, or a word the dictionary lacks ("fuuck", "shiit";
 * proper nouns, and words a profanity list rates Strong or Severe, such as
 * "faggot", are left out of it), is emphasis, read as one letter as ever.
 * A word joined onto another script is never looked up. No allocation: a
 * binary search of a sorted table, on the stack.
 */
bool norm_is_dict_double(const struct norm_tables *tables, const struct norm_view *folded,
                         const struct norm_view *skeleton, size_t i);

/* The end, in the original, of the folded character that starts at
 * original offset orig_off (with the marks folding dropped after it). */
size_t norm_char_end(const struct norm_view *folded, uint32_t orig_off);

/* The view without the spaces folding may leave at either end ("  x" ->
 * " x"): *from and *to bound what is left. */
void norm_trim(const struct norm_view *view, size_t *from, size_t *to);

/*
 * How many letters of the folded view the skeleton character at byte i
 * stands for: the length of the run of one repeated letter that collapsed
 * into it ("uuu" in "fuuuck" -> 3), separators not counted; at least 1, at
 * most 255. Lets a match insist that a comment stretches a pattern's
 * double letters but never shortens them ("ass" and "as" are both "as" in
 * the skeleton).
 */
unsigned norm_skeleton_run(const struct norm_tables *tables, const struct norm_view *folded,
                           const struct norm_view *skeleton, size_t i);

#endif /* QUELL_NORMALISE_H */
