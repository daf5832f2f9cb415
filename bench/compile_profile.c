/*
 * compile_profile.c - where a rule set's compile time and database size go:
 * each rule's patterns compiled alone, slot by slot, as hsdb.c compiles
 * them (the plain database, and for regexes the start-tracking one), in CPU
 * time, with Hyperscan's database sizes. Prints the rules that cost most,
 * then the totals by pack (a rule id's first part) and by pattern kind.
 * Alone, a rule compiles without the sharing Hyperscan finds between
 * patterns, so the sums exceed one compile of the whole set; the ranking is
 * what it is for.
 *
 * Usage: compile_profile RULES.cfg [TOP]
 *   e.g. make build/compile_profile && build/compile_profile rules/default.cfg 30
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsdb.h"
#include "rules.h"
#include "ruleset.h"

struct cost {
    size_t rule;
    double ms[2];    /* plain, start-tracking */
    size_t bytes[2]; /* the same */
    size_t patterns, regexes;
};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Compile the patterns of rule r in slot (the start-tracking database when
 * som) and add its time and size to c. Returns 0, or -1 on an error. */
static int compile_rule_slot(const struct quell_rules *rules, size_t r, unsigned int slot, bool som,
                             struct cost *c)
{
    const struct rule_table *t = rules->table;
    size_t n = 0;
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *pat = &t->patterns[i];
        n += pat->rule == r && hsdb_pattern_slot(t, pat) == slot && (!som || hsdb_is_regex(pat));
    }
    if (n == 0)
        return 0;
    const char **exprs = calloc(n, sizeof *exprs);
    char **owned = calloc(n, sizeof *owned);
    unsigned int *flags = calloc(n, sizeof *flags);
    unsigned int *ids = calloc(n, sizeof *ids);
    int rc = -1;
    size_t k = 0;
    if (!exprs || !owned || !flags || !ids)
        goto out;
    for (size_t i = 0; i < t->pattern_count; i++) {
        const struct pattern *pat = &t->patterns[i];
        if (pat->rule != r || hsdb_pattern_slot(t, pat) != slot || (som && !hsdb_is_regex(pat)))
            continue;
        exprs[k] = hsdb_expression(rules, i, &owned[k]);
        if (!exprs[k])
            goto out;
        flags[k] = hsdb_flags(pat, som);
        ids[k] = (unsigned int)i;
        k++;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    double t0 = cpu_ms();
    if (hs_compile_multi(exprs, flags, ids, (unsigned int)n, HS_MODE_BLOCK, NULL, &db, &cerr) !=
        HS_SUCCESS) {
        fprintf(stderr, "compile_profile: %s: %s\n", t->rules[r].id,
                cerr ? cerr->message : "error");
        hs_free_compile_error(cerr);
        goto out;
    }
    c->ms[som] += cpu_ms() - t0;
    size_t size = 0;
    if (hs_database_size(db, &size) == HS_SUCCESS)
        c->bytes[som] += size;
    hs_free_database(db);
    rc = 0;
out:
    for (size_t j = 0; owned && j < k; j++)
        free(owned[j]);
    free(exprs);
    free(owned);
    free(flags);
    free(ids);
    return rc;
}

static int by_time(const void *a, const void *b)
{
    const struct cost *x = a, *y = b;
    double dx = x->ms[0] + x->ms[1], dy = y->ms[0] + y->ms[1];
    return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* The totals of the costs whose rule ids start with the same first part. */
static void print_packs(const struct rule_table *t, const struct cost *costs, size_t n)
{
    printf("\n%-28s %10s %10s %10s %10s\n", "pack", "ms", "som ms", "MB", "som MB");
    bool *done = calloc(n ? n : 1, sizeof *done);
    if (!done)
        return;
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        const char *id = t->rules[costs[i].rule].id;
        size_t plen = strcspn(id, ".");
        double ms[2] = {0, 0}, mb[2] = {0, 0};
        for (size_t j = i; j < n; j++) {
            const char *other = t->rules[costs[j].rule].id;
            if (done[j] || strncmp(other, id, plen) != 0 || (other[plen] != '.' && other[plen]))
                continue;
            done[j] = true;
            for (int s = 0; s < 2; s++) {
                ms[s] += costs[j].ms[s];
                mb[s] += (double)costs[j].bytes[s] / 1e6;
            }
        }
        printf("%-28.*s %10.0f %10.0f %10.1f %10.1f\n", (int)plen, id, ms[0], ms[1], mb[0], mb[1]);
    }
    free(done);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: compile_profile RULES.cfg [TOP]\n");
        return 2;
    }
    size_t top = argc == 3 ? (size_t)strtoul(argv[2], NULL, 10) : 30;
    quell_error err = {0};
    struct rule_table *table = NULL;
    struct quell_rules *rules = NULL;
    if (rules_load_config(&table, argv[1], &err) != QUELL_OK ||
        ruleset_new(&rules, table, &err) != QUELL_OK) {
        fprintf(stderr, "compile_profile: %s:%d: %s\n", err.file, err.line, err.message);
        return 1;
    }
    const struct rule_table *t = rules->table;
    struct cost *costs = calloc(t->rule_count ? t->rule_count : 1, sizeof *costs);
    if (!costs) {
        ruleset_free(rules);
        return 1;
    }
    size_t n = 0;
    int status = 0;
    for (size_t r = 0; r < t->rule_count && status == 0; r++) {
        struct cost c = {.rule = r};
        for (size_t i = 0; i < t->pattern_count; i++) {
            c.patterns += t->patterns[i].rule == r;
            c.regexes += t->patterns[i].rule == r && hsdb_is_regex(&t->patterns[i]);
        }
        if (c.patterns == 0)
            continue;
        for (unsigned int slot = 0; slot < HSDB_COUNT && status == 0; slot++) {
            if (compile_rule_slot(rules, r, slot, false, &c) != 0 ||
                compile_rule_slot(rules, r, slot, true, &c) != 0)
                status = 1;
        }
        costs[n++] = c;
    }
    qsort(costs, n, sizeof *costs, by_time);
    printf("%10s %10s %10s %10s %8s %8s  %s\n", "ms", "som ms", "MB", "som MB", "patterns",
           "regexes", "rule (file:line)");
    double all_ms = 0, all_mb = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cost *c = &costs[i];
        all_ms += c->ms[0] + c->ms[1];
        all_mb += (double)(c->bytes[0] + c->bytes[1]) / 1e6;
        if (i >= top)
            continue;
        const struct rule *r = &t->rules[c->rule];
        printf("%10.0f %10.0f %10.1f %10.1f %8zu %8zu  %s (%s:%u)\n", c->ms[0], c->ms[1],
               (double)c->bytes[0] / 1e6, (double)c->bytes[1] / 1e6, c->patterns, c->regexes, r->id,
               t->files[r->file], r->line);
    }
    printf("all %zu rules with patterns: %.0f ms of CPU, %.1f MB, compiled alone\n", n, all_ms,
           all_mb);
    print_packs(t, costs, n);
    free(costs);
    ruleset_free(rules);
    return status;
}
