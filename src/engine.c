/*
 * engine.c - the current rules of a running service, swapped atomically
 * while scanners on other threads keep scoring (see engine.h for the
 * memory-ordering argument).
 */
#include <stdlib.h>

#include "engine.h"
#include "error.h"

int quell_engine_new(quell_engine **out, const quell_rules *rules, quell_error *err)
{
    *out = NULL;
    struct quell_engine *e = calloc(1, sizeof *e);
    if (!e)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making an engine");
    if (pthread_mutex_init(&e->lock, NULL) != 0) {
        free(e);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "cannot make an engine's lock");
    }
    atomic_init(&e->refs, 1);
    e->current = quell_rules_hold(rules);
    atomic_init(&e->generation, 1);
    atomic_init(&e->reloads_ok, 0);
    atomic_init(&e->reloads_failed, 0);
    *out = e;
    return QUELL_OK;
}

void engine_hold(struct quell_engine *engine)
{
    atomic_fetch_add_explicit(&engine->refs, 1, memory_order_relaxed);
}

void quell_engine_free(quell_engine *engine)
{
    if (!engine)
        return;
    /* acq_rel for the same reason as quell_rules_release. */
    if (atomic_fetch_sub_explicit(&engine->refs, 1, memory_order_acq_rel) != 1)
        return;
    quell_rules_release(engine->current);
    pthread_mutex_destroy(&engine->lock);
    free(engine);
}

void quell_engine_swap(quell_engine *engine, const quell_rules *rules)
{
    const quell_rules *held = quell_rules_hold(rules);
    pthread_mutex_lock(&engine->lock);
    const quell_rules *old = engine->current;
    engine->current = held;
    atomic_fetch_add_explicit(&engine->generation, 1, memory_order_release);
    pthread_mutex_unlock(&engine->lock);
    /* Outside the lock: freeing a large rule set takes a while, and the
     * scanners still on it hold their own references anyway. */
    quell_rules_release(old);
}

const quell_rules *engine_acquire(struct quell_engine *engine, uint64_t *generation)
{
    pthread_mutex_lock(&engine->lock);
    const quell_rules *rules = quell_rules_hold(engine->current);
    *generation = atomic_load_explicit(&engine->generation, memory_order_relaxed);
    pthread_mutex_unlock(&engine->lock);
    return rules;
}

quell_rules *quell_engine_rules(quell_engine *engine)
{
    uint64_t generation;
    return (quell_rules *)engine_acquire(engine, &generation);
}

int quell_engine_reload(quell_engine *engine, const char *path, quell_error *err)
{
    quell_rules *rules;
    int rc = quell_rules_load(&rules, path, err);
    if (rc != QUELL_OK) {
        atomic_fetch_add_explicit(&engine->reloads_failed, 1, memory_order_relaxed);
        return rc;
    }
    quell_engine_swap(engine, rules);
    quell_rules_release(rules);
    atomic_fetch_add_explicit(&engine->reloads_ok, 1, memory_order_relaxed);
    return QUELL_OK;
}

int quell_engine_stats_get(const quell_engine *engine, quell_engine_stats *out)
{
    if (out->version > QUELL_ENGINE_STATS_VERSION)
        return QUELL_EINVAL;
    struct quell_engine *e = (struct quell_engine *)engine;
    out->generation = atomic_load_explicit(&e->generation, memory_order_relaxed);
    out->reloads_ok = atomic_load_explicit(&e->reloads_ok, memory_order_relaxed);
    out->reloads_failed = atomic_load_explicit(&e->reloads_failed, memory_order_relaxed);
    return QUELL_OK;
}
