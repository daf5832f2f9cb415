/*
 * hsdb.c - compiling the rule table's patterns into one Hyperscan database
 * per view, and mapping Hyperscan's complaints back to file:line and rule.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "hsdb.h"
#include "ruleset.h"

/* The most threads one compile uses, whatever the machine. */
#define HSDB_MAX_THREADS 16

/*
 * Words and substrings are literals. Writing each non-alphanumeric byte as
 * \xHH makes any literal a valid expression with the same meaning; UTF-8
 * bytes above 0x7F are escaped too, so no flag changes how they are read.
 * Returns a malloc'd NUL-terminated string, or NULL when out of memory.
 */
static char *escape_literal(const char *text, size_t len)
{
    size_t size;
    if (__builtin_mul_overflow(len, 4, &size) || __builtin_add_overflow(size, 1, &size))
        return NULL;
    char *out = malloc(size);
    if (!out)
        return NULL;
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            *p++ = (char)c;
        } else {
            *p++ = '\\';
            *p++ = 'x';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    return out;
}

const char *hsdb_expression(const struct quell_rules *rules, size_t i, char **owned)
{
    const struct pattern *pat = &rules->table->patterns[i];
    *owned = NULL;
    if (pat->kind == PAT_REGEX)
        return pat->text;
    if (pat->kind == PAT_ARABIZI)
        return rules->patterns[i].text; /* written by ruleset.c, NUL-terminated */
    *owned = escape_literal(rules->patterns[i].text, rules->patterns[i].len);
    return *owned;
}

unsigned int hsdb_flags(const struct pattern *pat, bool is_som)
{
    unsigned int flags = 0;
    /* The other views are case folded already: folding again in Hyperscan
     * would only slow the compile. */
    if (pat->is_caseless && pat->view == VIEW_RAW)
        flags |= HS_FLAG_CASELESS;
    if (hsdb_is_regex(pat))
        flags |= HS_FLAG_UTF8;
    if (is_som)
        flags |= HS_FLAG_SOM_LEFTMOST;
    return flags;
}

unsigned int hsdb_pattern_slot(const struct rule_table *table, const struct pattern *pat)
{
    return hsdb_slot(table->rules[pat->rule].field, pat->view);
}

int hsdb_som_layout(struct hsdb *out, const struct rule_table *t)
{
    size_t n = t->pattern_count ? t->pattern_count : 1;
    out->som_of = malloc(n * sizeof *out->som_of);
    if (!out->som_of)
        return QUELL_ENOMEM;
    /* Groups by rule and slot: a rule's patterns come together, so the
     * groups of the current rule are all one needs to look through. */
    size_t count = 0, rule_first = 0;
    uint32_t rule = UINT32_MAX;
    uint32_t slot_of_group[HSDB_COUNT];
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *pat = &t->patterns[i];
        out->som_of[i] = HSDB_NO_SOM;
        if (!hsdb_is_regex(pat))
            continue;
        if (pat->rule != rule) {
            rule = pat->rule;
            rule_first = count;
        }
        unsigned int slot = hsdb_pattern_slot(t, pat);
        size_t g = rule_first;
        while (g < count && slot_of_group[g - rule_first] != slot)
            g++;
        if (g == count) {
            slot_of_group[g - rule_first] = slot;
            count++;
        }
        out->som_of[i] = (uint32_t)g;
    }
    out->som_count = count;
    out->som = calloc(count ? count : 1, sizeof(hs_database_t *));
    out->som_slot = malloc((count ? count : 1) * sizeof *out->som_slot);
    if (!out->som || !out->som_slot) {
        hsdb_free(out);
        return QUELL_ENOMEM;
    }
    for (size_t i = 0; i < t->pattern_count; i++)
        if (out->som_of[i] != HSDB_NO_SOM)
            out->som_slot[out->som_of[i]] = hsdb_pattern_slot(t, &t->patterns[i]);
    return QUELL_OK;
}

/* Whether pattern i belongs in the slot's db (group is HSDB_NO_SOM) or in
 * som database group. */
static bool belongs(const struct rule_table *t, const struct hsdb *hs, size_t i, unsigned int slot,
                    uint32_t group)
{
    if (group != HSDB_NO_SOM)
        return hs->som_of[i] == group;
    return hsdb_pattern_slot(t, &t->patterns[i]) == slot;
}

/* Compile one database: the slot's plain one (group HSDB_NO_SOM) or som
 * database group; *out stays NULL when it has no patterns. */
static int compile_one(hs_database_t **out, const struct quell_rules *rules,
                       const struct hsdb *hs, unsigned int slot, uint32_t group, quell_error *err)
{
    const struct rule_table *t = rules->table;
    bool is_som = group != HSDB_NO_SOM;
    *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < t->pattern_count; i++) {
        if (belongs(t, hs, i, slot, group))
            n++;
    }
    if (n == 0)
        return QUELL_OK;
    if (n > UINT32_MAX)
        return err_set(err, QUELL_ECONFIG, NULL, 0, NULL, "too many patterns: %zu", n);

    int rc = QUELL_ENOMEM;
    const char **exprs = calloc(n, sizeof *exprs);
    char **owned = calloc(n, sizeof *owned);
    unsigned int *flags = calloc(n, sizeof *flags);
    unsigned int *ids = calloc(n, sizeof *ids);
    if (!exprs || !owned || !flags || !ids) {
        err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory compiling patterns");
        goto out_free;
    }

    size_t k = 0;
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *pat = &t->patterns[i];
        if (!belongs(t, hs, i, slot, group))
            continue;
        exprs[k] = hsdb_expression(rules, i, &owned[k]);
        if (!exprs[k]) {
            err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory compiling patterns");
            goto out_free;
        }
        flags[k] = hsdb_flags(pat, is_som);
        ids[k] = (unsigned int)i;
        k++;
    }

    hs_compile_error_t *cerr = NULL;
    hs_error_t hrc =
        hs_compile_multi(exprs, flags, ids, (unsigned int)n, HS_MODE_BLOCK, NULL, out, &cerr);
    if (hrc != HS_SUCCESS) {
        *out = NULL;
        if (cerr && cerr->expression >= 0 && (size_t)cerr->expression < n) {
            const struct pattern *pat = &t->patterns[ids[cerr->expression]];
            const struct rule *r = &t->rules[pat->rule];
            /* Hyperscan's reason first: a long pattern must not crowd it
             * out of the message. */
            char q[QUOTE_BUF_BYTES];
            err_set(err, QUELL_ECOMPILE, t->files[pat->file], (int)pat->line, r->id,
                    "%s in pattern \"%s\"", cerr->message,
                    rules_quote(q, sizeof q, pat->text, pat->text_len));
        } else {
            err_set(err, QUELL_ECOMPILE, NULL, 0, NULL, "Hyperscan could not compile the rules: %s",
                    cerr ? cerr->message : "unknown error");
        }
        hs_free_compile_error(cerr);
        rc = QUELL_ECOMPILE;
        goto out_free;
    }
    rc = QUELL_OK;

out_free:
    if (owned) {
        for (size_t i = 0; i < n; i++)
            free(owned[i]);
    }
    free(owned);
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* One database to compile: a slot's plain one (group HSDB_NO_SOM) or a som
 * database, with what compiling it gave. */
struct compile_job {
    hs_database_t **out;
    unsigned int slot;
    uint32_t group;
    size_t patterns; /* to start the largest first */
    int rc;
    quell_error err;
};

/* What the compiling threads share: the jobs, the order to take them in,
 * and the next one to take. */
struct compile_work {
    const struct quell_rules *rules;
    const struct hsdb *hs;
    struct compile_job *jobs;
    const size_t *order;
    size_t job_count;
    atomic_size_t next;
};

static void *compile_worker(void *arg)
{
    struct compile_work *w = arg;
    for (;;) {
        size_t k = atomic_fetch_add(&w->next, 1);
        if (k >= w->job_count)
            return NULL;
        struct compile_job *job = &w->jobs[w->order[k]];
        job->rc = compile_one(job->out, w->rules, w->hs, job->slot, job->group, &job->err);
    }
}

/* In the order errors are told (each slot's som databases, then its plain
 * one), each with its pattern count. */
static size_t list_jobs(struct hsdb *out, const struct rule_table *t, struct compile_job *jobs)
{
    size_t count = 0;
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++) {
        /* The som databases first: a regex that cannot track its start
         * (Hyperscan's "too large for SOM") is named as such. */
        for (uint32_t g = 0; g < out->som_count; g++) {
            if (out->som_slot[g] == slot)
                jobs[count++] = (struct compile_job){&out->som[g], slot, g, 0, QUELL_OK, {0}};
        }
        jobs[count++] = (struct compile_job){&out->db[slot], slot, HSDB_NO_SOM, 0, QUELL_OK, {0}};
    }
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *pat = &t->patterns[i];
        for (size_t k = 0; k < count; k++)
            jobs[k].patterns += belongs(t, out, i, jobs[k].slot, jobs[k].group) &&
                                (jobs[k].group == HSDB_NO_SOM || hsdb_is_regex(pat));
    }
    return count;
}

/* The largest first, so that no thread is left alone with one at the end;
 * ties in telling order. */
static void order_jobs(const struct compile_job *jobs, size_t count, size_t *order)
{
    for (size_t k = 0; k < count; k++) {
        size_t j = k;
        for (; j > 0 && jobs[order[j - 1]].patterns < jobs[k].patterns; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
}

int hsdb_compile(struct hsdb *out, const struct quell_rules *rules, quell_error *err)
{
    memset(out, 0, sizeof *out);
    if (hs_valid_platform() != HS_SUCCESS)
        return err_set(err, QUELL_EPLATFORM, NULL, 0, NULL,
                       "this CPU lacks the instructions Hyperscan needs (SSSE3)");
    if (hsdb_som_layout(out, rules->table) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory compiling patterns");
    struct compile_job *jobs = calloc(hsdb_count(out), sizeof *jobs);
    size_t *order = calloc(hsdb_count(out), sizeof *order);
    if (!jobs || !order) {
        free(jobs);
        free(order);
        hsdb_free(out);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory compiling patterns");
    }
    size_t count = list_jobs(out, rules->table, jobs);
    order_jobs(jobs, count, order);
    struct compile_work work = {rules, out, jobs, order, count, 0};
    /* Hyperscan compiles each database on one thread; separate databases
     * compile side by side. The threads live only for this call. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t thread_count = cpus > 1 ? (size_t)cpus : 1;
    if (thread_count > HSDB_MAX_THREADS)
        thread_count = HSDB_MAX_THREADS;
    if (thread_count > count)
        thread_count = count;
    pthread_t threads[HSDB_MAX_THREADS];
    size_t started = 0;
    while (started + 1 < thread_count &&
           pthread_create(&threads[started], NULL, compile_worker, &work) == 0)
        started++;
    compile_worker(&work); /* this thread too, alone if none could start */
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    /* The first failure in telling order, whichever thread met it. */
    int rc = QUELL_OK;
    for (size_t k = 0; k < count && rc == QUELL_OK; k++) {
        rc = jobs[k].rc;
        if (rc != QUELL_OK && err)
            *err = jobs[k].err;
    }
    free(jobs);
    free(order);
    if (rc != QUELL_OK)
        hsdb_free(out);
    return rc;
}

void hsdb_free(struct hsdb *db)
{
    if (!db)
        return;
    for (unsigned int slot = 0; slot < HSDB_COUNT; slot++) {
        if (!db->arena)
            hs_free_database(db->db[slot]);
        db->db[slot] = NULL;
    }
    for (size_t g = 0; db->som && g < db->som_count; g++) {
        if (!db->arena)
            hs_free_database(db->som[g]);
    }
    free(db->som);
    free(db->som_slot);
    free(db->som_of);
    db->som = NULL;
    db->som_slot = NULL;
    db->som_of = NULL;
    db->som_count = 0;
    if (db->arena)
        munmap(db->arena, db->arena_bytes);
    db->arena = NULL;
    db->arena_bytes = 0;
}
