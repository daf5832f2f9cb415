/*
 * engine.h - a service's current rules, swapped under scanning threads: what
 * a scanner made from an engine needs to notice a swap and follow it.
 */
#ifndef QUELL_ENGINE_H
#define QUELL_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "quell.h"

/*
 * The memory-ordering argument, in one place:
 *   - current is read and written only under lock, and every reader takes
 *     its own reference before unlocking, so a swap can never free rules
 *     that a reader is about to hold (the classic load-then-increment race
 *     of a bare atomic pointer cannot happen).
 *   - generation is written under lock too, after current, with release
 *     order; scanners read it with acquire order, without the lock, once per
 *     comment. Seeing a new generation sends a scanner to the lock to fetch
 *     the rules; seeing an old one (a swap just happened) only means it
 *     scores this comment with the rules it holds, which stay valid because
 *     it holds them. So the scan path costs one load, and takes the lock once
 *     per swap per scanner.
 */
struct quell_engine {
    atomic_size_t refs;
    pthread_mutex_t lock;
    const quell_rules *current;      /* held; under lock */
    atomic_uint_fast64_t generation; /* 1 + swaps */
    atomic_uint_fast64_t reloads_ok;
    atomic_uint_fast64_t reloads_failed;
};

/* The engine's generation now: compare with the one a scanner holds. */
static inline uint64_t engine_generation(const struct quell_engine *engine)
{
    return atomic_load_explicit(&((struct quell_engine *)engine)->generation, memory_order_acquire);
}

/* The current rules, held for the caller, and their generation. */
const quell_rules *engine_acquire(struct quell_engine *engine, uint64_t *generation);

/* Take one more reference to engine (for a scanner). */
void engine_hold(struct quell_engine *engine);

#endif /* QUELL_ENGINE_H */
