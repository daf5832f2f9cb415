/*
 * pool.h - an arena for the rule table's strings and arrays: many small
 * allocations made once at load time, freed together.
 */
#ifndef QUELL_POOL_H
#define QUELL_POOL_H

#include <stddef.h>

struct pool;

/* NULL on allocation failure. */
struct pool *pool_new(void);
/* NULL is a no-op. */
void pool_free(struct pool *pool);
/* size bytes aligned for any type; NULL on failure. Zeroed. */
void *pool_alloc(struct pool *pool, size_t size);
/* A NUL-terminated copy of len bytes of s (which may hold NULs); NULL on failure. */
char *pool_strndup(struct pool *pool, const char *s, size_t len);

#endif /* QUELL_POOL_H */
