/*
 * hsdb.h - the rule table's patterns compiled into Hyperscan databases, one
 * per field and view that some pattern uses.
 */
#ifndef QUELL_HSDB_H
#define QUELL_HSDB_H

#include <hs/hs.h>
#include <stdint.h>

#include "rules.h"

/* One database per comment field and view, so a field is scanned only with
 * the patterns of rules that target it. Hyperscan ids are pattern indexes,
 * so any match or compile error leads back to its pattern, rule, file and
 * line.
 *
 * Start-of-match tracking doubles the cost of a scan, and only regexes need
 * it (a literal starts its length before its end), while most comments match
 * no regex at all. So each slot has a database db, every pattern without
 * start tracking, which every comment meets; and the regexes are compiled
 * again with it, scanned only when db saw one of them match. Those som
 * databases hold one rule's regexes in one slot each: Hyperscan compiles
 * many small start-tracking databases several times faster and smaller
 * than one large one, and a comment meets only those of the rules whose
 * regexes matched. */
#define HSDB_COUNT ((size_t)QUELL_FIELD_COUNT * VIEW_COUNT)

/* No som database: a literal's. */
#define HSDB_NO_SOM UINT32_MAX

struct hsdb {
    hs_database_t *db[HSDB_COUNT]; /* by hsdb_slot(); NULL: no pattern there */
    /* The som databases, som_count of them, in the order hsdb_som_layout
     * numbers them, with the slot each scans; som_of gives a pattern's, by
     * pattern index (HSDB_NO_SOM for a literal). */
    hs_database_t **som;
    uint32_t *som_slot;
    uint32_t *som_of;
    size_t som_count;
    /* Databases loaded from a .qdb all live in this mapping (qdb.c) and go
     * with it; NULL: each was allocated by Hyperscan and is freed alone. */
    void *arena;
    size_t arena_bytes;
};

/* Every database, plain then som: hsdb_count of them, the k-th NULL where a
 * slot has no pattern. */
static inline size_t hsdb_count(const struct hsdb *hs)
{
    return HSDB_COUNT + hs->som_count;
}

static inline hs_database_t *hsdb_nth(const struct hsdb *hs, size_t k)
{
    return k < HSDB_COUNT ? hs->db[k] : hs->som[k - HSDB_COUNT];
}

/* Whether a pattern is a regex, which the som databases hold too. */
static inline bool hsdb_is_regex(const struct pattern *pat)
{
    return pat->kind == PAT_REGEX || pat->kind == PAT_ARABIZI;
}

/* Where the database for a field and view sits in struct hsdb. */
static inline unsigned int hsdb_slot(unsigned int field, unsigned int view)
{
    return field * VIEW_COUNT + view;
}

/* Pattern i as the Hyperscan expression its database compiles: a regex as
 * written or spelled out (Arabizi), a literal escaped into *owned (malloc'd,
 * the caller frees it; NULL when nothing was allocated). NULL when out of
 * memory. */
const char *hsdb_expression(const struct quell_rules *rules, size_t i, char **owned);

/* Hyperscan flags for a pattern, in a som database or not. */
unsigned int hsdb_flags(const struct pattern *pat, bool is_som);

/* The slot a pattern is compiled into. */
unsigned int hsdb_pattern_slot(const struct rule_table *table, const struct pattern *pat);

/* Number the som databases of table's regexes, one per rule and slot in
 * pattern order, into an empty out (its som arrays; som all NULL). Both the
 * compiler and a .qdb's reader lay them out so. QUELL_OK or QUELL_ENOMEM;
 * on failure out is empty again. */
int hsdb_som_layout(struct hsdb *out, const struct rule_table *table);

/* Compile every pattern of rules (as its view sees it: rules->patterns).
 * On failure nothing is kept and err names the pattern's file:line and
 * rule, with Hyperscan's message. */
int hsdb_compile(struct hsdb *out, const struct quell_rules *rules, quell_error *err);

/* Free the databases; the struct itself is the caller's. */
void hsdb_free(struct hsdb *db);

#endif /* QUELL_HSDB_H */
