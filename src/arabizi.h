/*
 * arabizi.h - the Arabizi spellings of an Arabic word as one regex, so that a
 * rule writes "حمار" once and also matches "7mar", "hmar" and "7amaar".
 */
#ifndef QUELL_ARABIZI_H
#define QUELL_ARABIZI_H

#include <stddef.h>

#include "pool.h"

/*
 * Write the Hyperscan expression for the Arabizi view (norm_arabizi:
 * consonant outlines) that matches the Arabizi spellings of word, which is
 * folded Arabic text, words separated by single spaces. Spellings come from
 * tools/data/arabizi.txt (norm_data.c): every letter may repeat, short
 * vowels may stand between letters, long vowels may be left out, a leading
 * article (ال) may be written "el", "il", "al", "l" or not at all, and the
 * words of a phrase may be joined.
 *
 * @return 0 with *out in pool; 1 when no letter of word has a spelling
 *         (nothing Arabizi could write); -1 out of memory.
 */
int arabizi_regex(struct pool *pool, const char *word, size_t len, const char **out);

/*
 * The check of a hit arabizi_regex's expression found: the same spellings
 * written out over the folded text, vowels and all, as a POSIX extended
 * regex (regcomp with REG_EXTENDED), which a hit's whole folded text must
 * match. The Arabizi view drops the vowels that tell some words apart
 * ("million" and ملاعين share an outline); this puts them back for the few
 * comments where an outline matched.
 *
 * @return as arabizi_regex.
 */
int arabizi_check_regex(struct pool *pool, const char *word, size_t len, const char **out);

#endif /* QUELL_ARABIZI_H */
