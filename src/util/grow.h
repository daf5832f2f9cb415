/*
 * grow.h - the one way quell grows an array: by doubling, with every size
 * checked for overflow, and capped, so that hostile input ends in an error
 * rather than in unbounded memory. Header-only: the library and the command
 * both use it.
 */
#ifndef QUELL_UTIL_GROW_H
#define QUELL_UTIL_GROW_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* No cap beyond what size_t arithmetic allows. */
#define GROW_UNCAPPED SIZE_MAX

/*
 * Make data, an array of *cap items of item_size bytes, hold at least need
 * items: its capacity doubles (from min_cap when it is 0) until it does, but
 * never past max_items, and the new room is left uninitialised.
 *
 * @return the array, moved or not, with *cap updated; NULL when need is over
 *         max_items, a size overflows or memory runs out, and then data is
 *         still valid and *cap unchanged.
 */
static inline void *grow_array(void *data, size_t *cap, size_t need, size_t item_size,
                               size_t min_cap, size_t max_items)
{
    if (need <= *cap && data)
        return data;
    if (need > max_items)
        return NULL;
    size_t new_cap = *cap ? *cap : (min_cap ? min_cap : 1);
    while (new_cap < need) {
        /* Catch size_t overflow: fall back to the exact size. */
        if (__builtin_mul_overflow(new_cap, 2, &new_cap))
            new_cap = need;
    }
    if (new_cap > max_items)
        new_cap = max_items;
    size_t bytes;
    if (__builtin_mul_overflow(new_cap, item_size, &bytes))
        return NULL;
    void *p = realloc(data, bytes ? bytes : 1);
    if (!p)
        return NULL;
    *cap = new_cap;
    return p;
}

#endif /* QUELL_UTIL_GROW_H */
