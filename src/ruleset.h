/*
 * ruleset.h - what a quell_rules handle holds: the rule table and its
 * compiled databases, immutable once built.
 */
#ifndef QUELL_RULESET_H
#define QUELL_RULESET_H

#include "hsdb.h"
#include "rules.h"

struct quell_rules {
    struct rule_table *table;
    struct hsdb hs;
    uint8_t *edges; /* per pattern, EDGE_* flags (scan.h) */
};

/* Build a quell_rules from a loaded table, taking ownership of it and of hs
 * (freed on failure too). */
int ruleset_assemble(struct quell_rules **out, struct rule_table *table, struct hsdb *hs,
                     quell_error *err);

/* Serialized form (.qdb): see qdb.c for the layout. */
int qdb_write(const struct quell_rules *rules, char **out, size_t *out_len, quell_error *err);
int qdb_read(struct quell_rules **out, const char *data, size_t len, quell_error *err);
/* True when data starts like a .qdb file, so a loader can tell it from a config. */
int qdb_is_qdb(const char *data, size_t len);

#endif /* QUELL_RULESET_H */
