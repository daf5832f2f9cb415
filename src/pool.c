/*
 * pool.c - an arena of large blocks: the rule table's strings and arrays are
 * allocated once at load time and freed together with the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define POOL_BLOCK_BYTES ((size_t)64 * 1024)
#define POOL_ALIGN       16

struct pool_block {
    struct pool_block *next;
    size_t used;
    size_t size;
    _Alignas(POOL_ALIGN) unsigned char data[];
};

struct pool {
    struct pool_block *head;
};

struct pool *pool_new(void)
{
    return calloc(1, sizeof(struct pool));
}

void pool_free(struct pool *pool)
{
    if (!pool)
        return;
    struct pool_block *b = pool->head;
    while (b) {
        struct pool_block *next = b->next;
        free(b);
        b = next;
    }
    free(pool);
}

void *pool_alloc(struct pool *pool, size_t size)
{
    size_t rounded;
    /* Catch size_t overflow before rounding up. */
    if (__builtin_add_overflow(size, POOL_ALIGN - 1, &rounded))
        return NULL;
    rounded &= ~(size_t)(POOL_ALIGN - 1);
    if (rounded == 0)
        rounded = POOL_ALIGN;

    struct pool_block *b = pool->head;
    if (!b || b->size - b->used < rounded) {
        /* Large requests get a block of their own, so the current block's
         * free space is not wasted on them. */
        size_t size_bytes = rounded > POOL_BLOCK_BYTES ? rounded : POOL_BLOCK_BYTES;
        size_t total;
        if (__builtin_add_overflow(size_bytes, sizeof(struct pool_block), &total))
            return NULL;
        struct pool_block *nb = malloc(total);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = size_bytes;
        if (b && rounded > POOL_BLOCK_BYTES) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            pool->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    memset(p, 0, rounded);
    return p;
}

char *pool_strndup(struct pool *pool, const char *s, size_t len)
{
    size_t size;
    if (__builtin_add_overflow(len, 1, &size))
        return NULL;
    char *p = pool_alloc(pool, size);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
