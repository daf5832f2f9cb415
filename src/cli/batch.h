/*
 * batch.h - running a corpus's rows through several threads. Rows are read
 * on the calling thread into a batch; each batch is cut into one contiguous
 * slice per worker; after each batch the calling thread flushes the workers
 * in order, so whatever they wrote comes out in input order.
 */
#ifndef QUELL_CLI_BATCH_H
#define QUELL_CLI_BATCH_H

#include <stddef.h>

#include "corpus.h"

/* Called on a worker's thread for each of its rows (malformed ones too: see
 * row->error). Return 0, or non-zero to stop the run with that value. */
typedef int (*batch_work_fn)(void *worker, const struct corpus_row *row);

/* Called on the calling thread after each batch, once per worker in order. */
typedef int (*batch_flush_fn)(void *worker);

struct batch_options {
    void *const *workers; /* one state per thread, the caller's */
    size_t worker_count;  /* >= 1 */
    batch_work_fn work;
    batch_flush_fn flush; /* may be NULL */
    /* Shown with a progress bar on stderr when it is a terminal and the
     * corpus is big; NULL: never. */
    const char *progress_label;
};

/* @return 0, what corpus_read returns on failure, or the first non-zero
 *         value of work or flush. */
int batch_run(const char *path, const struct corpus_options *opt, const struct batch_options *b);

#endif /* QUELL_CLI_BATCH_H */
