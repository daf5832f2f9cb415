/*
 * soak.c - stream generated records through `quell filter` and check, by id,
 * that every record gets exactly one answer, in input order, an error record
 * exactly when it is malformed, while the filter's memory stays flat.
 *
 * One process does it all, so no file ever holds the stream: a thread feeds
 * the filter's stdin from the generator, the main thread reads its stdout,
 * re-derives each record's expectation from (seed, k), and samples VmRSS and
 * VmHWM from /proc/PID/status at every --sample-every answers. The feeder
 * holds stdin open until the last answer is in, so the last sample is taken
 * from a live filter. Built with -D_GNU_SOURCE: pipe2, F_SETPIPE_SZ, memmem.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen.h"

#define FEED_CHUNK_BYTES ((size_t)256 << 10)
#define READ_CHUNK_BYTES ((size_t)1 << 20)
#define MAX_REPORTED     10 /* mismatches printed in full */

static void usage(FILE *f)
{
    fputs("Usage: soak [OPTIONS]\n"
          "\n"
          "Stream generated comments through `quell filter` and check every answer.\n"
          "\n"
          "  -q, --quell=PATH         the command (default build/quell)\n"
          "  -r, --rules=PATH         rules for it (default build/default.qdb)\n"
          "  -f, --format=FORMAT      jsonl (default), text or nul\n"
          "  -n, --records=N          records to stream (default 200000)\n"
          "  -j, --jobs=N             quell filter -j N (default: one per online CPU)\n"
          "      --max-bytes=N        quell filter --max-bytes (default 4096, at least 256)\n"
          "      --seed=N             the generator's seed (default 1)\n"
          "      --malformed=PCT      share of malformed records, in percent (default 1)\n"
          "      --sample-every=N     sample the filter's memory every N answers\n"
          "                           (default: a tenth of the records)\n"
          "      --max-growth=PCT     fail if VmRSS or VmHWM grows more than PCT percent\n"
          "                           from the first sample to the last (default 10)\n"
          "  -w, --words=FILE         abusive words, one a line (a rules list); repeatable\n"
          "      --kind=NAME=WHAT     generate kind NAME as 'error', 'verdict' or 'off'\n"
          "                           (e.g. --kind=dup-keys=error once the parser refuses\n"
          "                           duplicate keys)\n"
          "      --list-kinds         print the format's kinds of record and exit\n"
          "      --generate-only      write the records to stdout and exit\n"
          "      --stall=SECONDS      give up when the filter answers nothing for this\n"
          "                           long (default 60)\n"
          "  -h, --help               display this help and exit\n"
          "\n"
          "Exit status: 0 all checks passed, 1 a check failed, 2 usage, 4 system error.\n",
          f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- the feeder: the generator into the filter's stdin ---- */

struct feeder {
    const struct gen *gen;
    int fd;
    uint64_t records;
    uint64_t bytes;       /* written so far; read under lock */
    uint64_t written;     /* records written so far */
    int is_done;          /* every record written (or a write failed) */
    int write_errno;      /* why a write failed, 0 if none */
    int is_released;      /* the main thread lets stdin close */
    pthread_mutex_t lock; /* guards the fields above from written on */
    pthread_cond_t cond;
};

static void *feeder_main(void *arg)
{
    struct feeder *f = arg;
    struct sbuf b = {0};
    int err = 0;
    for (uint64_t k = 1; k <= f->records && !err; k++) {
        gen_record(f->gen, k, &b);
        if (b.len >= FEED_CHUNK_BYTES || k == f->records) {
            if (write_all(f->fd, b.p, b.len) != 0)
                err = errno;
            pthread_mutex_lock(&f->lock);
            f->bytes += b.len;
            f->written = k;
            pthread_mutex_unlock(&f->lock);
            b.len = 0;
        }
    }
    sbuf_free(&b);

    /* Keep stdin open until the last answer is read and the last memory
     * sample taken: at end of input the filter exits. */
    pthread_mutex_lock(&f->lock);
    f->is_done = 1;
    f->write_errno = err;
    pthread_cond_broadcast(&f->cond);
    while (!f->is_released)
        pthread_cond_wait(&f->cond, &f->lock);
    pthread_mutex_unlock(&f->lock);
    close(f->fd);
    return NULL;
}

static void feeder_release(struct feeder *f)
{
    pthread_mutex_lock(&f->lock);
    f->is_released = 1;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

/* ---- memory samples ---- */

struct sample {
    uint64_t records;
    double seconds;
    long rss_kb;
    long hwm_kb;
};

/* VmRSS and VmHWM of pid, in kB; -1 when unreadable. */
static void read_memory(pid_t pid, long *rss_kb, long *hwm_kb)
{
    char path[64], line[256];
    *rss_kb = *hwm_kb = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss_kb = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm_kb = strtol(line + 6, NULL, 10);
    }
    fclose(f);
}

/* ---- the checker ---- */

enum answer { A_PASS = 0, A_FLAG, A_HOLD, A_REJECT, A_ERROR, A_COUNT };
static const char *const answer_names[A_COUNT] = {"pass", "flag", "hold", "reject", "error"};

struct checker {
    const struct gen *gen;
    uint64_t records;
    uint64_t answers;  /* lines read */
    uint64_t failures; /* lines that broke a rule */
    uint64_t expected_errors;
    uint64_t answer_count[A_COUNT];
    uint64_t kind_count[GEN_KIND_MAX];
    uint64_t kind_answer[GEN_KIND_MAX][A_COUNT];
};

static void report(struct checker *c, uint64_t k, const struct gen_expect *e, const char *why,
                   const char *line, size_t len)
{
    c->failures++;
    if (c->failures > MAX_REPORTED) {
        if (c->failures == MAX_REPORTED + 1)
            fprintf(stderr, "soak: more mismatches follow; only the count is printed\n");
        return;
    }
    int shown = len > 240 ? 240 : (int)len;
    if (e)
        fprintf(stderr,
                "soak: answer %" PRIu64 ": %s; expected id %s%s%s and %s (record kind %s); got: "
                "%.*s%s\n",
                k, why, e->id, e->is_id_either ? " or " : "", e->is_id_either ? e->pos_id : "",
                e->is_error ? "an error record" : "a verdict", e->kind, shown, line,
                (size_t)shown < len ? "..." : "");
    else
        fprintf(stderr, "soak: answer %" PRIu64 ": %s; got: %.*s%s\n", k, why, shown, line,
                (size_t)shown < len ? "..." : "");
}

/* The end of the JSON value that starts at p (a string, or a scalar up to
 * ',' or '}'), or NULL. */
static const char *value_end(const char *p, const char *end)
{
    if (p < end && *p == '"') {
        for (p++; p < end; p++) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                return p + 1;
        }
        return NULL;
    }
    while (p < end && *p != ',' && *p != '}')
        p++;
    return p < end ? p : NULL;
}

/*
 * Check answer k, line[0..len) without its newline. The filter writes "id"
 * and "action" first; the record's id is the first "id": in the line (inside
 * a JSON string a quote is escaped, so no string value holds that text) and
 * its action the first "action":" after it, so a member added before or
 * between them (a rules id) does not break the soak.
 */
static void check_line(struct checker *c, const char *line, size_t len)
{
    uint64_t k = ++c->answers;
    if (k > c->records) {
        report(c, k, NULL, "an answer beyond the last record", line, len);
        return;
    }
    struct gen_expect e;
    gen_expect(c->gen, k, &e);
    c->expected_errors += (uint64_t)e.is_error;
    c->kind_count[e.kind_index]++;

    static const char id_key[] = "\"id\":";
    static const char action_key[] = "\"action\":\"";
    const char *end = line + len;
    const char *id =
        len > 0 && line[0] == '{' ? memmem(line, len, id_key, sizeof id_key - 1) : NULL;
    if (!id) {
        report(c, k, &e, "no \"id\"", line, len);
        return;
    }
    id += sizeof id_key - 1;
    const char *id_end = value_end(id, end);
    if (!id_end) {
        report(c, k, &e, "an unreadable id", line, len);
        return;
    }
    size_t id_len = (size_t)(id_end - id);
    int is_id_ok = (id_len == e.id_len && memcmp(id, e.id, id_len) == 0) ||
                   (e.is_id_either && id_len == e.pos_id_len && memcmp(id, e.pos_id, id_len) == 0);
    if (!is_id_ok) {
        report(c, k, &e, "wrong id (a record lost, added or out of order?)", line, len);
        return;
    }
    const char *a = memmem(id_end, (size_t)(end - id_end), action_key, sizeof action_key - 1);
    if (a)
        a += sizeof action_key - 1;
    const char *a_end = a ? memchr(a, '"', (size_t)(end - a)) : NULL;
    if (!a_end) {
        report(c, k, &e, "no \"action\"", line, len);
        return;
    }
    int answer = -1;
    for (int i = 0; i < A_COUNT; i++) {
        if ((size_t)(a_end - a) == strlen(answer_names[i]) &&
            memcmp(a, answer_names[i], (size_t)(a_end - a)) == 0)
            answer = i;
    }
    if (answer < 0) {
        report(c, k, &e, "an unknown action", line, len);
        return;
    }
    c->answer_count[answer]++;
    c->kind_answer[e.kind_index][answer]++;
    if ((answer == A_ERROR) != e.is_error)
        report(c, k, &e, answer == A_ERROR ? "an error record" : "a verdict", line, len);
}

/* ---- the run ---- */

struct options {
    const char *quell;
    const char *rules;
    struct gen_options gen;
    uint64_t records;
    long jobs;
    uint64_t sample_every;
    double max_growth_pct;
    double stall_s;
    int is_generate_only;
};

static int generate_only(const struct gen *g, const struct options *o)
{
    struct sbuf b = {0};
    double t0 = now_s();
    uint64_t bytes = 0;
    for (uint64_t k = 1; k <= o->records; k++) {
        gen_record(g, k, &b);
        if (b.len >= FEED_CHUNK_BYTES || k == o->records) {
            if (write_all(STDOUT_FILENO, b.p, b.len) != 0) {
                fprintf(stderr, "soak: write error: %s\n", strerror(errno));
                sbuf_free(&b);
                return 4;
            }
            bytes += b.len;
            b.len = 0;
        }
    }
    double s = now_s() - t0;
    fprintf(stderr,
            "soak: generated %" PRIu64 " records, %.1f MB in %.2f s: %.0f records/s, "
            "%.1f MB/s\n",
            o->records, (double)bytes / 1e6, s, (double)o->records / s, (double)bytes / 1e6 / s);
    sbuf_free(&b);
    return 0;
}

/* Start `quell filter` on pipes; returns its pid, or -1. */
static pid_t spawn_filter(const struct options *o, int *to_fd, int *from_fd)
{
    static const char *const formats[] = {"jsonl", "text", "nul"};
    char jobs[32], max_bytes[32];
    snprintf(jobs, sizeof jobs, "%ld", o->jobs);
    snprintf(max_bytes, sizeof max_bytes, "%zu", o->gen.max_bytes);
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    /* Bigger pipes, fewer wake-ups; the default size works too. */
    (void)fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
    (void)fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[] = {o->quell, "filter", "--format",    formats[o->gen.format],
                              "--jobs", jobs,     "--max-bytes", max_bytes,
                              o->rules, NULL};
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
            _exit(127);
        execv(o->quell, (char *const *)argv);
        fprintf(stderr, "soak: cannot run %s: %s\n", o->quell, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return -1;
    }
    *to_fd = in[1];
    *from_fd = out[0];
    return pid;
}

/* The run's first lines: what runs, and the head of the memory table that
 * grows as the samples come. */
static void print_header(const struct options *o)
{
    static const char *const formats[] = {"jsonl", "text", "nul"};
    printf("soak: %s, %" PRIu64 " records, quell filter -j %ld --max-bytes %zu, seed %" PRIu64 "\n",
           formats[o->gen.format], o->records, o->jobs, o->gen.max_bytes, o->gen.seed);
    printf("  memory of quell filter, from /proc/PID/status:\n"
           "      records   time s   VmRSS MiB   VmHWM MiB   records/s since the last\n");
    fflush(stdout);
}

static void print_sample(const struct sample *s, const struct sample *prev)
{
    double rate = 0;
    if (prev && s->seconds > prev->seconds)
        rate = (double)(s->records - prev->records) / (s->seconds - prev->seconds);
    else if (!prev && s->seconds > 0)
        rate = (double)s->records / s->seconds;
    printf("  %11" PRIu64 " %8.1f %11.1f %11.1f %12.0f\n", s->records, s->seconds,
           (double)s->rss_kb / 1024.0, (double)s->hwm_kb / 1024.0, rate);
    fflush(stdout);
}

static void print_figures(const struct checker *c, double wall_s, uint64_t bytes,
                          double quell_cpu_s, double soak_cpu_s)
{
    printf("  records     %" PRIu64 " (%" PRIu64 " malformed, %.2f%%)\n", c->answers,
           c->expected_errors,
           c->answers ? 100.0 * (double)c->expected_errors / (double)c->answers : 0.0);
    printf("  answers    ");
    for (int i = 0; i < A_COUNT; i++)
        printf(" %s %" PRIu64, answer_names[i], c->answer_count[i]);
    printf("\n  by kind    ");
    for (unsigned i = 0; i < GEN_KIND_MAX; i++) {
        if (c->kind_count[i])
            printf(" %s %" PRIu64, gen_kind_name(i), c->kind_count[i]);
    }
    printf("\n  input       %.1f MB\n", (double)bytes / 1e6);
    printf("  wall time   %.1f s\n", wall_s);
    printf("  throughput  %.0f records/s, %.1f MB/s\n", (double)c->answers / wall_s,
           (double)bytes / 1e6 / wall_s);
    printf("  CPU time    quell %.1f s, soak (generator and checker) %.1f s\n", quell_cpu_s,
           soak_cpu_s);
}

static double cpu_s(struct rusage *u)
{
    return (double)u->ru_utime.tv_sec + (double)u->ru_utime.tv_usec / 1e6 +
           (double)u->ru_stime.tv_sec + (double)u->ru_stime.tv_usec / 1e6;
}

static int run(const struct gen *g, const struct options *o)
{
    signal(SIGPIPE, SIG_IGN);
    print_header(o);
    int to_fd, from_fd;
    double t0 = now_s();
    pid_t pid = spawn_filter(o, &to_fd, &from_fd);
    if (pid < 0) {
        fprintf(stderr, "soak: cannot start %s: %s\n", o->quell, strerror(errno));
        return 4;
    }

    struct feeder feeder = {.gen = g, .fd = to_fd, .records = o->records};
    pthread_mutex_init(&feeder.lock, NULL);
    pthread_cond_init(&feeder.cond, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, feeder_main, &feeder) != 0) {
        fprintf(stderr, "soak: cannot start a thread\n");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 4;
    }

    struct checker c = {.gen = g, .records = o->records};
    size_t sample_cap = (size_t)(o->records / o->sample_every) + 2;
    struct sample *samples = calloc(sample_cap, sizeof *samples);
    size_t sample_count = 0;
    char *buf = malloc(READ_CHUNK_BYTES);
    size_t cap = READ_CHUNK_BYTES, len = 0;
    if (!samples || !buf) {
        fprintf(stderr, "soak: out of memory\n");
        exit(4);
    }

    int is_released = 0, is_stalled = 0, is_killed = 0;
    double last_progress = now_s();
    for (;;) {
        struct pollfd pfd = {.fd = from_fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 1000);
        if (pr < 0 && errno != EINTR) {
            fprintf(stderr, "soak: poll: %s\n", strerror(errno));
            break;
        }
        if (pr <= 0) {
            /* Nothing for a while: if the input is all written, answers are
             * missing; let stdin close so the filter ends and say so. */
            double idle = now_s() - last_progress;
            pthread_mutex_lock(&feeder.lock);
            int is_done = feeder.is_done;
            pthread_mutex_unlock(&feeder.lock);
            if (!is_released && (idle > o->stall_s || (is_done && idle > 10.0))) {
                feeder_release(&feeder);
                is_released = is_stalled = 1;
                last_progress = now_s();
            } else if (is_released && !is_killed && idle > o->stall_s) {
                fprintf(stderr, "soak: quell filter does not exit; killing it\n");
                kill(pid, SIGKILL);
                is_killed = 1;
            }
            continue;
        }
        if (cap - len < READ_CHUNK_BYTES / 2) {
            cap *= 2;
            char *p = realloc(buf, cap);
            if (!p) {
                fprintf(stderr, "soak: out of memory\n");
                exit(4);
            }
            buf = p;
        }
        ssize_t n = read(from_fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                fprintf(stderr, "soak: read: %s\n", strerror(errno));
            break;
        }
        last_progress = now_s();
        size_t scan_from = len;
        len += (size_t)n;
        size_t start = 0;
        const char *nl;
        while ((nl = memchr(buf + scan_from, '\n', len - scan_from)) != NULL) {
            size_t line_end = (size_t)(nl - buf);
            check_line(&c, buf + start, line_end - start);
            start = scan_from = line_end + 1;
            if ((c.answers % o->sample_every == 0 || c.answers == o->records) &&
                c.answers <= o->records && sample_count < sample_cap) {
                /* A filter that already exited (stdin released after a
                 * stall) has no memory to read: skip the sample. */
                struct sample *s = &samples[sample_count];
                s->records = c.answers;
                s->seconds = now_s() - t0;
                read_memory(pid, &s->rss_kb, &s->hwm_kb);
                if (s->rss_kb > 0 && s->hwm_kb > 0) {
                    print_sample(s, sample_count ? s - 1 : NULL);
                    sample_count++;
                }
            }
            if (c.answers == o->records && !is_released) {
                feeder_release(&feeder);
                is_released = 1;
            }
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    if (!is_released)
        feeder_release(&feeder);
    pthread_join(thread, NULL);
    close(from_fd);
    int status = 0;
    struct rusage quell_usage, self_usage;
    waitpid(pid, &status, 0);
    double wall_s = now_s() - t0;
    getrusage(RUSAGE_CHILDREN, &quell_usage);
    getrusage(RUSAGE_SELF, &self_usage);

    int is_failed = 0;
    if (len > 0) {
        report(&c, c.answers + 1, NULL, "an answer without a newline", buf, len);
        is_failed = 1;
    }
    if (c.answers < o->records) {
        fprintf(stderr, "soak: %" PRIu64 " answers for %" PRIu64 " records%s\n", c.answers,
                o->records, is_stalled ? " (the filter stopped answering)" : "");
        is_failed = 1;
    }
    if (feeder.write_errno) {
        fprintf(stderr, "soak: writing to quell filter: %s\n", strerror(feeder.write_errno));
        is_failed = 1;
    }
    if (c.failures > 0) {
        fprintf(stderr, "soak: %" PRIu64 " answers broke a rule\n", c.failures);
        is_failed = 1;
    }
    /* Records beyond the answers read count as expected too, for the figures. */
    int want_status = 0;
    for (uint64_t k = c.answers + 1; k <= o->records; k++) {
        struct gen_expect e;
        gen_expect(g, k, &e);
        c.expected_errors += (uint64_t)e.is_error;
    }
    want_status = c.expected_errors > 0 ? 1 : 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != want_status) {
        if (WIFEXITED(status))
            fprintf(stderr, "soak: quell filter exited with status %d, not %d\n",
                    WEXITSTATUS(status), want_status);
        else
            fprintf(stderr, "soak: quell filter died of signal %d\n", WTERMSIG(status));
        is_failed = 1;
    }

    print_figures(&c, wall_s, feeder.bytes, cpu_s(&quell_usage), cpu_s(&self_usage));
    if (sample_count == 0) {
        fprintf(stderr, "soak: could not read the filter's memory from /proc\n");
        is_failed = 1;
    } else if (sample_count >= 2) {
        const struct sample *first = &samples[0], *last = &samples[sample_count - 1];
        double rss = 100.0 * (double)(last->rss_kb - first->rss_kb) / (double)first->rss_kb;
        double hwm = 100.0 * (double)(last->hwm_kb - first->hwm_kb) / (double)first->hwm_kb;
        printf("  growth      VmRSS %+.1f%%, VmHWM %+.1f%% from %" PRIu64 " to %" PRIu64
               " records (limit %+.0f%%)\n",
               rss, hwm, first->records, last->records, o->max_growth_pct);
        if (rss > o->max_growth_pct || hwm > o->max_growth_pct) {
            fprintf(stderr, "soak: the filter's memory grew more than %.0f%%\n", o->max_growth_pct);
            is_failed = 1;
        }
    }
    printf("soak: %s\n", is_failed ? "FAILED" : "ok");
    fflush(stdout);
    free(buf);
    free(samples);
    pthread_mutex_destroy(&feeder.lock);
    pthread_cond_destroy(&feeder.cond);
    return is_failed ? 1 : 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        OPT_MAX_BYTES = 256,
        OPT_SEED,
        OPT_MALFORMED,
        OPT_SAMPLE,
        OPT_GROWTH,
        OPT_KIND,
        OPT_LIST,
        OPT_GEN_ONLY,
        OPT_STALL
    };
    static const struct option longopts[] = {
        {"quell", required_argument, NULL, 'q'},
        {"rules", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"records", required_argument, NULL, 'n'},
        {"jobs", required_argument, NULL, 'j'},
        {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
        {"seed", required_argument, NULL, OPT_SEED},
        {"malformed", required_argument, NULL, OPT_MALFORMED},
        {"sample-every", required_argument, NULL, OPT_SAMPLE},
        {"max-growth", required_argument, NULL, OPT_GROWTH},
        {"words", required_argument, NULL, 'w'},
        {"kind", required_argument, NULL, OPT_KIND},
        {"list-kinds", no_argument, NULL, OPT_LIST},
        {"generate-only", no_argument, NULL, OPT_GEN_ONLY},
        {"stall", required_argument, NULL, OPT_STALL},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct options o = {
        .quell = "build/quell",
        .rules = "build/default.qdb",
        .gen = {.format = GEN_JSONL, .seed = 1, .malformed_ppm = 10000, .max_bytes = 4096},
        .records = 200000,
        .jobs = sysconf(_SC_NPROCESSORS_ONLN),
        .max_growth_pct = 10.0,
        .stall_s = 60.0,
    };
    const char *words[64];
    size_t word_count = 0;
    const char *kind_args[GEN_KIND_MAX];
    size_t kind_count = 0;
    int is_list = 0;
    uint64_t v;
    double d;
    char *end;
    int ch;
    while ((ch = getopt_long(argc, argv, "q:r:f:n:j:w:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'q':
            o.quell = optarg;
            break;
        case 'r':
            o.rules = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0)
                o.gen.format = GEN_JSONL;
            else if (strcmp(optarg, "text") == 0)
                o.gen.format = GEN_TEXT;
            else if (strcmp(optarg, "nul") == 0)
                o.gen.format = GEN_NUL;
            else
                goto bad_usage;
            break;
        case 'n':
            if (parse_u64(optarg, &o.records) != 0 || o.records == 0)
                goto bad_usage;
            break;
        case 'j':
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > 64)
                goto bad_usage;
            o.jobs = (long)v;
            break;
        case OPT_MAX_BYTES:
            if (parse_u64(optarg, &v) != 0 || v < 256 || v > (1u << 30))
                goto bad_usage;
            o.gen.max_bytes = (size_t)v;
            break;
        case OPT_SEED:
            if (parse_u64(optarg, &o.gen.seed) != 0)
                goto bad_usage;
            break;
        case OPT_MALFORMED:
            d = strtod(optarg, &end);
            if (*end || d < 0 || d > 100)
                goto bad_usage;
            o.gen.malformed_ppm = (uint32_t)(d * 10000.0 + 0.5);
            break;
        case OPT_SAMPLE:
            if (parse_u64(optarg, &o.sample_every) != 0 || o.sample_every == 0)
                goto bad_usage;
            break;
        case OPT_GROWTH:
            o.max_growth_pct = strtod(optarg, &end);
            if (*end || o.max_growth_pct < 0)
                goto bad_usage;
            break;
        case 'w':
            if (word_count == sizeof words / sizeof words[0])
                goto bad_usage;
            words[word_count++] = optarg;
            break;
        case OPT_KIND:
            if (kind_count == GEN_KIND_MAX)
                goto bad_usage;
            kind_args[kind_count++] = optarg;
            break;
        case OPT_LIST:
            is_list = 1;
            break;
        case OPT_GEN_ONLY:
            o.is_generate_only = 1;
            break;
        case OPT_STALL:
            o.stall_s = strtod(optarg, &end);
            if (*end || o.stall_s <= 0)
                goto bad_usage;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            goto bad_usage;
        }
    }
    if (optind != argc)
        goto bad_usage;
    if (o.jobs < 1)
        o.jobs = 1;
    if (o.sample_every == 0)
        o.sample_every = o.records >= 10 ? o.records / 10 : 1;

    struct gen *g = gen_new(&o.gen);
    for (size_t i = 0; i < word_count; i++) {
        if (gen_words_add(g, words[i]) != 0) {
            fprintf(stderr, "soak: %s: %s\n", words[i], strerror(errno));
            gen_free(g);
            return 4;
        }
    }
    for (size_t i = 0; i < kind_count; i++) {
        char name[64];
        const char *eq = strrchr(kind_args[i], '=');
        size_t n = eq ? (size_t)(eq - kind_args[i]) : 0;
        enum gen_expect_action action = GEN_OFF;
        if (!eq || n >= sizeof name)
            goto bad_kind;
        memcpy(name, kind_args[i], n);
        name[n] = '\0';
        if (strcmp(eq + 1, "error") == 0)
            action = GEN_ERROR;
        else if (strcmp(eq + 1, "verdict") == 0)
            action = GEN_OK;
        else if (strcmp(eq + 1, "off") != 0)
            goto bad_kind;
        if (gen_kind_set(g, name, action) == 0)
            continue;
    bad_kind:
        fprintf(stderr, "soak: --kind %s: expected NAME=error|verdict|off, NAME one of:\n",
                kind_args[i]);
        gen_kinds_print(g, stderr);
        gen_free(g);
        return 2;
    }

    int rc;
    if (is_list) {
        gen_kinds_print(g, stdout);
        rc = 0;
    } else if (o.is_generate_only) {
        rc = generate_only(g, &o);
    } else {
        rc = run(g, &o);
    }
    gen_free(g);
    return rc;

bad_usage:
    usage(stderr);
    return 2;
}
