/*
 * ruleset.h - what a quell_rules handle holds: the rule table, what each
 * pattern looks like in the view it scans, the normaliser's tables and the
 * compiled databases; immutable once built.
 */
#ifndef QUELL_RULESET_H
#define QUELL_RULESET_H

#include <stdatomic.h>
#include <stdbool.h>

#include "hsdb.h"
#include "normalise.h"
#include "rules.h"

/* Whether a word pattern's first and last characters are word characters:
 * only such an edge must not touch another word character. */
enum {
    EDGE_LEFT = 1,
    EDGE_RIGHT = 2,
};

/* A pattern as its view sees it, derived once per rule set. */
struct pattern_info {
    const char *text; /* literals in folded or skeleton views: normalised */
    uint32_t len;
    uint8_t edges; /* EDGE_* */
    /* Skeleton literals with a double letter: the length of the letter run
     * each byte stands for ("ass" -> "as", runs 1 2), so a comment may
     * stretch a run but never shorten it; NULL when every run is 1. */
    const uint8_t *runs;
    /* Arabizi patterns: the POSIX regex a hit's folded text must match
     * (arabizi_check_regex), and its index among them, for the scanner's
     * compiled copies; NULL and 0 for other patterns. */
    const char *check;
    uint32_t check_index;
};

/* An allowed word, folded, for lookup by text. */
struct allow_entry {
    const char *text;
    uint32_t len;
    uint32_t category; /* or ALLOW_ALL_CATEGORIES */
};

/* The content id as text: 16 lowercase hex digits and a NUL. */
#define RULESET_ID_BYTES 17

/*
 * Immutable once ruleset_finish returns, but for refs: readers on any thread
 * share one through references (quell_rules_hold / quell_rules_release), and
 * the last release frees it.
 */
/* A band of a common phrase's fingerprint: its key and the phrase. */
struct common_band {
    uint64_t key;
    uint32_t phrase;
};

struct quell_rules {
    atomic_size_t refs;
    struct rule_table *table;
    struct pattern_info *patterns; /* by table pattern index */
    uint32_t check_count;          /* patterns with a check */
    struct allow_entry *allows;    /* sorted by text, then category */
    size_t allow_count;
    uint8_t *has_allow;       /* by category: does any allowed word apply? */
    bool has_validator;       /* does any rule check its hits after the scan? */
    struct norm_tables *norm; /* NULL when every pattern scans the raw view */
    struct pool *pool;        /* the derived texts */
    struct hsdb hs;
    uint8_t views[QUELL_FIELD_COUNT]; /* per field, bit v: a database scans view v */
    /* A scratch that fits every database, made once; each scanner clones it
     * (hs_clone_scratch), which is far cheaper than sizing its own. Only
     * ever read after ruleset_finish, so any thread may clone it. */
    hs_scratch_t *proto_scratch;
    /* The combinations each rule is an operand of, as positions in
     * table->combo_order, ascending: those of rule r are
     * combo_users[combo_users_first[r] .. combo_users_first[r + 1]). A
     * combination holds only if one of its operands fired (none holds for an
     * empty comment), so the scorer evaluates only those. */
    uint32_t *combo_users_first; /* rule_count + 1 entries */
    uint32_t *combo_users;
    /* The context rules, in rule order: the few a comment's context facts
     * are compared with (quell_rules_context_fires). */
    uint32_t *context_rules;
    size_t context_rule_count;
    /* The table's common phrases as fingerprints (context.c), for telling a
     * comment alike to one: common_count * CONTEXT_SIG_SIZE minimums, and
     * each phrase's bands' keys, sorted, for the lookup. */
    uint32_t *common_sigs;
    struct common_band *common_bands; /* common_count * CONTEXT_BANDS */
    uint64_t content_id;       /* qdb_content_id: the hash of what the rules do */
    char id[RULESET_ID_BYTES]; /* content_id in hex */
};

/*
 * Derive everything but the databases from a loaded table, taking ownership
 * of it (freed on failure too). A literal that normalises to nothing is an
 * error naming its file:line and rule, and so is what the loader never
 * writes: a combination that holds for an empty comment, or a combo_order
 * that is not every combination once with its operands first.
 */
int ruleset_new(struct quell_rules **out, struct rule_table *table, quell_error *err);

/* Whether a pattern's view text is derived from its text (normalised, or
 * an Arabizi word spelled out as a regex), rather than the text itself. */
static inline bool ruleset_is_derived(const struct pattern *pat)
{
    return pat->kind == PAT_ARABIZI || (pat->view != VIEW_RAW && pat->kind != PAT_REGEX);
}

/*
 * ruleset_new, but with the derived patterns' text, length and runs taken
 * from derived (by pattern index; entries of the others unread) instead of
 * normalised again: what a .qdb stores, so that loading it skips the
 * normaliser's work on every pattern. The texts and runs are copied; derived
 * stays the caller's. NULL: derive them.
 */
int ruleset_new_derived(struct quell_rules **out, struct rule_table *table,
                        const struct pattern_info *derived, quell_error *err);

/* Whether the folded word text[0..len) is allowed for category. */
bool ruleset_is_allowed(const struct quell_rules *rules, uint32_t category, const char *text,
                        size_t len);

/*
 * Make rules ready to share, once rules->hs and rules->content_id are set:
 * note which views have databases, make the prototype scratch, format the
 * id. On failure the caller frees rules with ruleset_free.
 */
int ruleset_finish(struct quell_rules *rules, quell_error *err);

/* Free rules whatever their reference count (the last release, or a rule
 * set that never finished). NULL is a no-op. */
void ruleset_free(struct quell_rules *rules);

/* Serialized form (.qdb): see qdb.c for the layout. */
int qdb_write(const struct quell_rules *rules, char **out, size_t *out_len, quell_error *err);
int qdb_read(struct quell_rules **out, const char *data, size_t len, quell_error *err);
/*
 * Load a .qdb from fd, open for reading, whose first head_len bytes the
 * caller has already read into head (to sniff the file's kind). A regular
 * file is mapped read-only (MAP_PRIVATE) and read where it lies, not copied;
 * anything else (a pipe) is read to its end after head. The map is gone when
 * this returns: nothing loaded points into it. Rewriting the file in place
 * while it loads can end the process with SIGBUS, as with any map: replace
 * a .qdb by renaming a new file over it (quell_rules_save does). fd stays
 * open, err names no file.
 */
int qdb_load_fd(struct quell_rules **out, int fd, const char *head, size_t head_len,
                quell_error *err);
/* The content id: a 64-bit hash of the rule table (less the files' paths)
 * and of every serialized database, the same for a rule set compiled
 * from its configuration and loaded from its .qdb. */
int qdb_content_id(const struct quell_rules *rules, uint64_t *out, quell_error *err);
/* What the first bytes of a rules file say it is (qdb.c explains how a
 * configuration is never taken for a .qdb). */
enum qdb_kind {
    QDB_KIND_TEXT = 0, /* a configuration */
    QDB_KIND_QDB,      /* starts with the .qdb magic */
    QDB_KIND_DAMAGED,  /* binary, or a damaged magic: a .qdb that is corrupt */
    QDB_KIND_EMPTY,    /* no bytes at all */
};
enum qdb_kind qdb_sniff(const char *head, size_t len);
/* Set a .qdb's payload length and checksum to match its bytes: for tests and
 * fuzzing of the fields behind the checksum. len < the header: no-op. */
void qdb_seal(char *data, size_t len);

#endif /* QUELL_RULESET_H */
