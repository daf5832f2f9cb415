/*
 * batch.c - a corpus through several threads. The calling thread reads a
 * batch of rows into one buffer, the workers each take a contiguous slice,
 * and the calling thread then flushes them in order: output keeps the input
 * order for any number of threads, and no row waits on a lock.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "util/grow.h"

/* Enough rows per batch to keep thread start-up (tens of microseconds) small
 * beside the scanning (about a microsecond a row), few enough to keep the
 * memory flat. A batch also ends at BATCH_MAX_BYTES of text. */
#define BATCH_MAX_ROWS  4096
#define BATCH_MAX_BYTES ((size_t)8 << 20)
/* Progress shows only once a run has taken this long, and redraws at most
 * this often: small corpora never see it. */
#define PROGRESS_DELAY_NS  ((int64_t)500 * 1000 * 1000)
#define PROGRESS_PERIOD_NS ((int64_t)100 * 1000 * 1000)

/* A row as stored in the batch: strings are offsets into the batch's bytes
 * until the batch is full, because the bytes move as they grow. */
struct stored_row {
    struct corpus_row row;
    size_t text_off, label_off, id_off, error_off, author_off;
};

struct slice;

struct batch {
    const struct batch_options *b;
    struct stored_row *rows;
    size_t row_count;
    char *bytes;
    size_t bytes_len, bytes_cap;
    /* one per worker, allocated once */
    struct slice *slices;
    pthread_t *threads;
    int *is_started;
    /* progress */
    int is_progress;
    int64_t start_ns, last_draw_ns;
    int has_drawn;
};

struct slice {
    struct batch *batch;
    void *worker;
    size_t start, end;
    int rc;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Copy len bytes and a NUL into the batch; returns the offset, or SIZE_MAX
 * when out of memory. */
static size_t store(struct batch *bt, const char *s, size_t len)
{
    size_t need;
    /* Catch size_t overflow. */
    if (__builtin_add_overflow(bt->bytes_len, len + 1, &need))
        return SIZE_MAX;
    char *p = grow_array(bt->bytes, &bt->bytes_cap, need, 1, 1 << 16, GROW_UNCAPPED);
    if (!p)
        return SIZE_MAX;
    bt->bytes = p;
    size_t off = bt->bytes_len;
    if (len > 0)
        memcpy(bt->bytes + off, s, len);
    bt->bytes[off + len] = '\0';
    bt->bytes_len = need;
    return off;
}

static void *run_slice(void *arg)
{
    struct slice *sl = arg;
    const struct batch_options *b = sl->batch->b;
    for (size_t i = sl->start; i < sl->end && sl->rc == 0; i++)
        sl->rc = b->work(sl->worker, &sl->batch->rows[i].row);
    return NULL;
}

/* Point the stored rows at their bytes, run the workers, flush in order. */
static int run_batch(struct batch *bt)
{
    const struct batch_options *b = bt->b;
    for (size_t i = 0; i < bt->row_count; i++) {
        struct stored_row *s = &bt->rows[i];
        s->row.text = s->row.text ? bt->bytes + s->text_off : NULL;
        s->row.label = s->row.label ? bt->bytes + s->label_off : NULL;
        s->row.id = s->row.id ? bt->bytes + s->id_off : NULL;
        s->row.error = s->row.error ? bt->bytes + s->error_off : NULL;
        s->row.author = s->row.author ? bt->bytes + s->author_off : NULL;
    }

    size_t n = b->worker_count;
    if (n > bt->row_count)
        n = bt->row_count ? bt->row_count : 1;
    struct slice *slices = bt->slices;
    pthread_t *threads = bt->threads;
    int *is_started = bt->is_started;
    for (size_t k = 0; k < n; k++) {
        slices[k] = (struct slice){bt, b->workers[k], bt->row_count * k / n,
                                   bt->row_count * (k + 1) / n, 0};
        is_started[k] = 0;
    }
    /* Slice 0 runs here; a thread that cannot start runs here too. */
    for (size_t k = 1; k < n; k++)
        is_started[k] = pthread_create(&threads[k], NULL, run_slice, &slices[k]) == 0;
    run_slice(&slices[0]);
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        if (k > 0) {
            if (is_started[k])
                pthread_join(threads[k], NULL);
            else
                run_slice(&slices[k]);
        }
        if (rc == 0)
            rc = slices[k].rc;
    }
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (b->flush)
            rc = b->flush(b->workers[k]);
    }
    bt->row_count = 0;
    bt->bytes_len = 0;
    return rc;
}

static void draw_progress(struct batch *bt, unsigned long long rows,
                          const struct corpus_progress *p)
{
    enum { BAR_WIDTH = 30 };
    if (p && p->bytes_total > 0) {
        unsigned long long done = p->bytes_read < p->bytes_total ? p->bytes_read : p->bytes_total;
        int filled = (int)(done * BAR_WIDTH / p->bytes_total);
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)filled);
        memset(bar + filled, '.', (size_t)(BAR_WIDTH - filled));
        bar[BAR_WIDTH] = '\0';
        fprintf(stderr, "\r%s: [%s] %3d%%  %llu rows", bt->b->progress_label, bar,
                (int)(done * 100 / p->bytes_total), rows);
    } else {
        fprintf(stderr, "\r%s: %llu rows", bt->b->progress_label, rows);
    }
    bt->has_drawn = 1;
}

static int on_row(void *ctx, const struct corpus_row *row, const struct corpus_progress *progress)
{
    struct batch *bt = ctx;
    if (bt->row_count == BATCH_MAX_ROWS || bt->bytes_len >= BATCH_MAX_BYTES) {
        int rc = run_batch(bt);
        if (rc != 0)
            return rc;
        if (bt->is_progress) {
            int64_t t = now_ns();
            if (t - bt->start_ns >= PROGRESS_DELAY_NS && t - bt->last_draw_ns >= PROGRESS_PERIOD_NS) {
                draw_progress(bt, row->row_no - 1, progress);
                bt->last_draw_ns = t;
            }
        }
    }
    if (!bt->rows) {
        bt->rows = malloc(BATCH_MAX_ROWS * sizeof *bt->rows);
        if (!bt->rows)
            goto fail_nomem;
    }
    struct stored_row *s = &bt->rows[bt->row_count];
    s->row = *row;
    const char *strs[] = {row->text, row->label, row->id, row->error, row->author};
    size_t lens[] = {row->text_len, row->label_len, row->id_len,
                     row->error ? strlen(row->error) : 0, row->author_len};
    size_t *offs[] = {&s->text_off, &s->label_off, &s->id_off, &s->error_off, &s->author_off};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
        if (!strs[k])
            continue;
        *offs[k] = store(bt, strs[k], lens[k]);
        if (*offs[k] == SIZE_MAX)
            goto fail_nomem;
    }
    bt->row_count++;
    return 0;

fail_nomem:
    cli_error("out of memory");
    return CLI_EIO;
}

int batch_run(const char *path, const struct corpus_options *opt, const struct batch_options *b)
{
    struct batch bt = {.b = b};
    bt.is_progress = b->progress_label && isatty(STDERR_FILENO);
    bt.start_ns = now_ns();
    bt.slices = calloc(b->worker_count, sizeof *bt.slices);
    bt.threads = calloc(b->worker_count, sizeof *bt.threads);
    bt.is_started = calloc(b->worker_count, sizeof *bt.is_started);
    int rc;
    if (!bt.slices || !bt.threads || !bt.is_started) {
        cli_error("out of memory");
        rc = CLI_EIO;
        goto out_free;
    }
    rc = corpus_read(path, opt, on_row, &bt);
    if (rc == 0 && bt.row_count > 0)
        rc = run_batch(&bt);
    if (bt.has_drawn)
        fputs("\r\033[K", stderr);
out_free:
    free(bt.slices);
    free(bt.threads);
    free(bt.is_started);
    free(bt.rows);
    free(bt.bytes);
    return rc;
}
