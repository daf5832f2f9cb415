/*
 * reload.h - reloading rules while a command runs: a background thread that
 * loads the rules file again on SIGHUP (and, when watching, when the file
 * changes) and hands the new rules over to the thread that scans.
 */
#ifndef QUELL_CLI_RELOAD_H
#define QUELL_CLI_RELOAD_H

#include <sys/stat.h>

#include "quell.h"

/* A file as last seen, to tell when it changed (--watch). */
struct file_stamp {
    struct stat st;
    int is_set;
};

/*
 * Whether path differs from the stamp (another inode, size or modification
 * time; a first look counts as a change), noting it in the stamp. A file
 * that is missing for now (being replaced) has not changed.
 */
int file_stamp_changed(struct file_stamp *stamp, const char *path);

struct reloader;

/*
 * Block SIGHUP in the calling thread, and so in every thread it starts
 * afterwards: the reloader takes it with sigwait. Call it before starting
 * any thread. Returns 0, or -1 with errno set.
 */
int reload_block_signals(void);

/*
 * Start the reloader thread for path, whose rules now are current (for the
 * messages). watch_ms > 0 also checks the file every watch_ms milliseconds
 * and reloads it when it changed (another inode, size or modification
 * time). Each reload compiles or loads on the reloader's thread; a failure
 * keeps the current rules and prints "file:line: message" and the count of
 * failures on stderr; a success prints the new rule-set id.
 * Returns 0, or -1 (out of memory, no thread), reported on stderr.
 */
int reload_start(struct reloader **out, const char *path, const quell_rules *current, int watch_ms);

/*
 * The rules of the latest successful reload not yet taken, with a
 * reference for the caller; NULL when there are none. One atomic load when
 * there is nothing new: call it between any two records.
 */
quell_rules *reload_take(struct reloader *rl);

/* Stop the thread (waiting for a reload in progress) and free rl. NULL is a
 * no-op. */
void reload_stop(struct reloader *rl);

#endif /* QUELL_CLI_RELOAD_H */
