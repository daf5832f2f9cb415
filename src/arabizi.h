/*
 * arabizi.h - the Arabizi spellings of an Arabic word as one regex, so that a
 * rule writes "حمار" once and also matches "7mar", "hmar" and "7amaar".
 */
#ifndef QUELL_ARABIZI_H
#define QUELL_ARABIZI_H

#include <stddef.h>

#include "pool.h"

/*
 * Write the Hyperscan expression (for the folded view: lower case, digits
 * kept) that matches the Arabizi spellings of word, which is folded Arabic
 * text, words separated by single spaces. Spellings come from
 * tools/data/arabizi.txt (norm_data.c): every letter may repeat, any two
 * short vowels may stand between letters, long vowels may be left out, and
 * a leading article (ال) may be written "el", "il", "al", "l" or not at all.
 *
 * @return 0 with *out in pool; 1 when no letter of word has a spelling
 *         (nothing Arabizi could write); -1 out of memory.
 */
int arabizi_regex(struct pool *pool, const char *word, size_t len, const char **out);

#endif /* QUELL_ARABIZI_H */
