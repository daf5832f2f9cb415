/*
 * dict_data.h - the English words spelled with a doubled letter, generated
 * into dict_data.c by tools/gen_dict.py from Debian's wamerican.
 */
#ifndef QUELL_DICT_DATA_H
#define QUELL_DICT_DATA_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case ASCII words, sorted (strcmp order): word i starts at
 * norm_dict_words + norm_dict_offsets[i] and ends at a NUL. */
extern const size_t norm_dict_count;
extern const uint32_t norm_dict_offsets[];
extern const char norm_dict_words[];

#endif /* QUELL_DICT_DATA_H */
