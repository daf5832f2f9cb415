/*
 * reload.c - the reloader thread: SIGHUP or a changed file, then the rules
 * loaded again off the scanning threads, handed over through one slot.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "reload.h"

struct reloader {
    pthread_t thread;
    const char *path;
    int watch_ms;
    struct file_stamp seen;    /* the file as last loaded (watch) */
    char current_id[32];       /* the id of the rules in use, for messages */
    unsigned long long failed; /* reloads that kept the old rules */
    atomic_int is_stopping;
    /* The slot: rules loaded but not yet taken. has_pending lets the
     * scanning thread look without the lock. */
    pthread_mutex_t lock;
    quell_rules *pending;
    atomic_int has_pending;
};

int reload_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

int file_stamp_changed(struct file_stamp *stamp, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* gone for now (being replaced): look again next time */
    int is_changed = !stamp->is_set || st.st_ino != stamp->st.st_ino ||
                     st.st_dev != stamp->st.st_dev || st.st_size != stamp->st.st_size ||
                     st.st_mtim.tv_sec != stamp->st.st_mtim.tv_sec ||
                     st.st_mtim.tv_nsec != stamp->st.st_mtim.tv_nsec;
    stamp->st = st;
    stamp->is_set = 1;
    return is_changed;
}

static void reload_once(struct reloader *rl)
{
    quell_rules *rules = NULL;
    quell_error err = {0};
    int rc = quell_rules_load(&rules, rl->path, &err);
    if (rc != QUELL_OK) {
        rl->failed++;
        cli_error("reload of %s failed (%llu failed so far); keeping rules %s:", rl->path,
                  rl->failed, rl->current_id);
        cli_print_error(&err, rl->path);
        return;
    }
    snprintf(rl->current_id, sizeof rl->current_id, "%s", quell_rules_id(rules));
    const char *label = quell_rules_label(rules);
    pthread_mutex_lock(&rl->lock);
    quell_rules *unused = rl->pending; /* loaded twice before the scanner looked */
    rl->pending = rules;
    atomic_store_explicit(&rl->has_pending, 1, memory_order_release);
    pthread_mutex_unlock(&rl->lock);
    quell_rules_release(unused);
    cli_error("reloaded %s: rules %s%s%s", rl->path, rl->current_id, label[0] ? " " : "", label);
}

static void *reloader_main(void *arg)
{
    struct reloader *rl = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    struct timespec period = {rl->watch_ms / 1000, (long)(rl->watch_ms % 1000) * 1000000L};
    while (!atomic_load(&rl->is_stopping)) {
        int sig = rl->watch_ms > 0 ? sigtimedwait(&set, NULL, &period) : sigwaitinfo(&set, NULL);
        if (atomic_load(&rl->is_stopping))
            break;
        if (sig == SIGHUP) {
            file_stamp_changed(&rl->seen,
                               rl->path); /* a SIGHUP reload also counts as seeing the file */
            reload_once(rl);
        } else if (sig < 0 && errno == EAGAIN && file_stamp_changed(&rl->seen, rl->path)) {
            reload_once(rl);
        }
    }
    return NULL;
}

int reload_start(struct reloader **out, const char *path, const quell_rules *current, int watch_ms)
{
    *out = NULL;
    struct reloader *rl = calloc(1, sizeof *rl);
    if (!rl) {
        cli_error("out of memory");
        return -1;
    }
    rl->path = path;
    rl->watch_ms = watch_ms;
    snprintf(rl->current_id, sizeof rl->current_id, "%s", quell_rules_id(current));
    if (watch_ms > 0)
        file_stamp_changed(&rl->seen, rl->path); /* the file as loaded at the start */
    if (pthread_mutex_init(&rl->lock, NULL) != 0) {
        free(rl);
        cli_error("cannot start the reloader");
        return -1;
    }
    int rc = pthread_create(&rl->thread, NULL, reloader_main, rl);
    if (rc != 0) {
        pthread_mutex_destroy(&rl->lock);
        free(rl);
        cli_error("cannot start the reloader: %s", strerror(rc));
        return -1;
    }
    *out = rl;
    return 0;
}

quell_rules *reload_take(struct reloader *rl)
{
    if (!atomic_load_explicit(&rl->has_pending, memory_order_acquire))
        return NULL;
    pthread_mutex_lock(&rl->lock);
    quell_rules *rules = rl->pending;
    rl->pending = NULL;
    atomic_store_explicit(&rl->has_pending, 0, memory_order_relaxed);
    pthread_mutex_unlock(&rl->lock);
    return rules;
}

void reload_stop(struct reloader *rl)
{
    if (!rl)
        return;
    atomic_store(&rl->is_stopping, 1);
    /* Wake its sigwait: the signal goes to that thread alone. */
    pthread_kill(rl->thread, SIGHUP);
    pthread_join(rl->thread, NULL);
    quell_rules_release(rl->pending);
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}
