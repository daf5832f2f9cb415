/*
 * quell.h - the public interface of libquell, a rule-based moderation filter
 * for reader comments: rules compiled to Hyperscan, comments scored and acted on.
 *
 * Thread rules, in one place:
 *   - quell_rules is immutable once built and reference-counted: share one
 *     among any number of threads; each holder (the caller, every scanner
 *     made from it, an engine) keeps its own reference, and the last release
 *     frees it.
 *   - quell_engine holds the current rules of a service and swaps them while
 *     other threads scan: scanners made from it pick up new rules between
 *     comments, with no lock on the scan path.
 *   - quell_scanner and quell_record_parser are single-threaded: one per thread.
 *     Everything they hand out (verdicts, records) is borrowed and stays valid
 *     until the next call on the same object or its free.
 *   - The library keeps no global state, never prints and never exits; every
 *     failure comes back as a negative code and, when asked, a quell_error.
 *
 * ABI policy, from version 0.4 (soname libquell.so.QUELL_SOVERSION):
 *   - The library exports the functions declared QUELL_EXTERN here and
 *     nothing else. Within one soname a function is never removed and its
 *     signature and meaning never change; a minor version only adds.
 *   - quell_rules, quell_scanner, quell_engine, quell_record_parser,
 *     quell_lint_clean, quell_eval, quell_eval_sweep and quell_context are
 *     opaque: only pointers cross the boundary.
 *   - Structs the library hands out by pointer (quell_verdict, quell_record,
 *     quell_lint_warning) may grow at their end in a minor version: never
 *     allocate, copy by value or take sizeof of one.
 *   - Structs the caller fills in or allocates (quell_comment,
 *     quell_record_fields, quell_engine_stats, quell_eval_options,
 *     quell_context_options, quell_context_meta, quell_context_facts)
 *     start with a version: set it with their _INIT macro. A member added
 *     later is read or written only when the version says the caller knows
 *     it; 0 reads as 1, so a zeroed struct stays valid; a version newer
 *     than the library's is refused with QUELL_EINVAL.
 *   - Structs that appear in arrays (quell_hit, quell_rule_result,
 *     quell_excused_hit), quell_eval_counts, quell_error and
 *     quell_context_note (its size; its bytes are the library's) are
 *     frozen: new facts about a hit come as new functions or new arrays
 *     beside them.
 *   - Enums only gain values; a caller meets an unknown one with care (an
 *     action it does not know as one for a moderator to review).
 *   - Breaking any of these bumps QUELL_SOVERSION.
 */
#ifndef QUELL_H
#define QUELL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a function of the public API: exported from the shared library,
 * which is built with -fvisibility=hidden so that nothing else is. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define QUELL_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define QUELL_EXTERN(type) extern type
#endif

#define QUELL_VERSION_MAJOR  0
#define QUELL_VERSION_MINOR  6
#define QUELL_VERSION_PATCH  0
#define QUELL_VERSION_STRING "0.6.0"
/** One number that orders versions: major * 10000 + minor * 100 + patch. */
#define QUELL_VERSION_NUMBER                                                                       \
    (QUELL_VERSION_MAJOR * 10000 + QUELL_VERSION_MINOR * 100 + QUELL_VERSION_PATCH)
/** The shared library's soname is libquell.so.QUELL_SOVERSION. */
#define QUELL_SOVERSION 2

/**
 * True when this header is at least version major.minor.patch, for code
 * that must build against several versions:
 *   #if QUELL_VERSION_CHECK(0, 4, 0) ... use quell_engine ... #endif
 * Compare quell_version_number() at run time to learn the linked library's.
 */
#define QUELL_VERSION_CHECK(major, minor, patch)                                                   \
    (QUELL_VERSION_NUMBER >= ((major)*10000 + (minor)*100 + (patch)))

/** @return the library's version string, e.g. "0.2.0"; static storage. */
QUELL_EXTERN(const char *) quell_version(void);

/** @return QUELL_VERSION_NUMBER of the library actually linked. */
QUELL_EXTERN(int) quell_version_number(void);

/** Error codes: 0 is success, every failure is negative. */
enum quell_code {
    QUELL_OK = 0,
    QUELL_ENOMEM = -1,    /**< an allocation failed */
    QUELL_EIO = -2,       /**< a file could not be read or written */
    QUELL_ECONFIG = -3,   /**< the rule configuration is invalid */
    QUELL_ECOMPILE = -4,  /**< Hyperscan rejected a pattern */
    QUELL_EFORMAT = -5,   /**< a compiled rules file is truncated, corrupt or foreign */
    QUELL_EPLATFORM = -6, /**< this CPU or Hyperscan build cannot run the database */
    QUELL_EINPUT = -7,    /**< a comment or record is malformed */
    QUELL_ETOOBIG = -8,   /**< an input exceeds a size limit */
    QUELL_ESCAN = -9,     /**< Hyperscan failed during a scan */
    QUELL_EINVAL = -10,   /**< an argument is out of range */
};

/** @return a short static description of a quell_code; never NULL. */
QUELL_EXTERN(const char *) quell_strerror(int code);

/**
 * What went wrong and where. Fixed size, so reporting an error never allocates.
 * Every function taking a quell_error * accepts NULL when the caller only
 * wants the return code.
 */
typedef struct quell_error {
    int code;          /**< a quell_code, negative */
    char message[512]; /**< one line, no trailing newline */
    char file[256];    /**< file the error is in, "" if none */
    int line;          /**< 1-based line in file, 0 if none */
    char rule_id[128]; /**< id of the rule at fault, "" if none */
} quell_error;

/* ------------------------------------------------------------------------ */
/* Rules                                                                     */

/** A compiled rule set: immutable and safe to share between threads. */
typedef struct quell_rules quell_rules;

/**
 * Compile a rule configuration (libconfig, format version 1) and everything
 * it includes. Hyperscan compiles each of the rule set's databases on one
 * thread; this call compiles them side by side on up to one thread per
 * online CPU (16 at most), threads that end before it returns.
 *
 * @param out   receives the rules, owned by the caller (quell_rules_free);
 *              set to NULL on failure: no partial rule set escapes.
 * @param path  the configuration file; includes and lists resolve relative
 *              to the file that names them.
 * @param err   may be NULL; on failure holds the message, file:line and rule id.
 * @return QUELL_OK, or QUELL_ECONFIG, QUELL_ECOMPILE, QUELL_EIO, QUELL_ENOMEM,
 *         QUELL_EPLATFORM.
 */
QUELL_EXTERN(int) quell_rules_compile(quell_rules **out, const char *path, quell_error *err);

/**
 * Load rules from either a configuration (compiled on the fly) or a compiled
 * .qdb file, told apart by the file's first bytes: an empty file, a file
 * with binary bytes or a damaged .qdb magic near its start, or text in a
 * file named *.qdb, is a damaged .qdb (QUELL_EFORMAT), never read as a
 * configuration. A .qdb's header and payload are checked by one checksum.
 * A .qdb is read where it is mapped (a pipe is read): replace one by
 * renaming a new file over it, as quell_rules_save does, never by rewriting
 * it in place, which can end a process loading it with SIGBUS.
 * Parameters and returns as quell_rules_compile, plus QUELL_EFORMAT, and
 * QUELL_EPLATFORM for a .qdb built by another Hyperscan or for another CPU.
 */
QUELL_EXTERN(int) quell_rules_load(quell_rules **out, const char *path, quell_error *err);

/**
 * Serialize compiled rules (Hyperscan databases and rule metadata) into a
 * buffer that quell_rules_deserialize accepts on a compatible machine.
 *
 * @param out      receives a malloc'd buffer owned by the caller (free());
 * @param out_len  receives its length in bytes.
 * @return QUELL_OK, QUELL_ENOMEM or QUELL_ECOMPILE.
 */
QUELL_EXTERN(int)
quell_rules_serialize(const quell_rules *rules, char **out, size_t *out_len, quell_error *err);

/**
 * Rebuild rules from quell_rules_serialize's output. The header's magic,
 * format version, Hyperscan version, platform and checksum are all checked
 * before any of it is used.
 *
 * @param data  borrowed; not referenced after the call.
 * @return QUELL_OK, QUELL_EFORMAT, QUELL_EPLATFORM or QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_rules_deserialize(quell_rules **out, const char *data, size_t len, quell_error *err);

/**
 * Write quell_rules_serialize's output to path (a .qdb file), safely for
 * readers and crashes: into a new temporary file beside path, synced, then
 * renamed over path (whose permissions it keeps), and the folder synced. On
 * failure path is untouched and the temporary file removed.
 * @return QUELL_OK, QUELL_EIO or QUELL_ENOMEM.
 */
QUELL_EXTERN(int) quell_rules_save(const quell_rules *rules, const char *path, quell_error *err);

/**
 * Take one more reference to rules, for another holder (a thread, a cache).
 * Any thread may hold and release, with no lock.
 *
 * @return rules, for convenience.
 */
QUELL_EXTERN(quell_rules *) quell_rules_hold(const quell_rules *rules);

/**
 * Drop one reference. The rules are freed when the last one goes: the
 * caller's, each scanner's and each engine's. NULL is a no-op.
 */
QUELL_EXTERN(void) quell_rules_release(const quell_rules *rules);

/** The same as quell_rules_release: drop the caller's reference. */
QUELL_EXTERN(void) quell_rules_free(quell_rules *rules);

/**
 * @return the rule set's id: 16 lowercase hex digits, a hash of what the
 *         rules do (the rule table but the files' paths, and every compiled
 *         database), the same whether compiled from the configuration or
 *         loaded from its .qdb; owned by rules. Every verdict carries it.
 */
QUELL_EXTERN(const char *) quell_rules_id(const quell_rules *rules);

/**
 * @return the configuration's "label" (such as a date or a git revision),
 *         or "" when it has none; owned by rules.
 */
QUELL_EXTERN(const char *) quell_rules_label(const quell_rules *rules);

/** @return the number of rules (including combinations). */
QUELL_EXTERN(size_t) quell_rules_rule_count(const quell_rules *rules);

/**
 * @return the id of rule i (0-based, in the order the rule files give),
 *         owned by rules; NULL if i is out of range.
 */
QUELL_EXTERN(const char *) quell_rules_rule_id(const quell_rules *rules, size_t i);

/**
 * @return the category index of rule i (see quell_rules_category_name), or
 *         (size_t)-1 if i is out of range.
 */
QUELL_EXTERN(size_t) quell_rules_rule_category(const quell_rules *rules, size_t i);

/** @return the number of categories; category indexes run 0..count-1. */
QUELL_EXTERN(size_t) quell_rules_category_count(const quell_rules *rules);

/** @return the name of category i, owned by rules; NULL if i is out of range. */
QUELL_EXTERN(const char *) quell_rules_category_name(const quell_rules *rules, size_t i);

/**
 * @return whether category i is separate (its score chooses an action by
 *         itself and is not added to the other categories'): 1 or 0; 0 if i is
 *         out of range.
 */
QUELL_EXTERN(int) quell_rules_category_is_separate(const quell_rules *rules, size_t i);

/**
 * How rule i scores, for tools that rescore (quell fit): a pattern rule adds
 * weight * min(count, max_hits) to its category, a combination its weight.
 *
 * @return rule i's weight in points (a multiple of 0.001, may be negative or
 *         0 for a signal); 0 if i is out of range.
 */
QUELL_EXTERN(double) quell_rules_rule_weight(const quell_rules *rules, size_t i);

/** @return rule i's max_hits (occurrences that count), >= 1; 0 if i is out of range. */
QUELL_EXTERN(size_t) quell_rules_rule_max_hits(const quell_rules *rules, size_t i);

/**
 * Since 0.6: what context rule i reads (docs/rules.md, "Context rules").
 *
 * @param at_least  receives the least value of the fact that fires it (0
 *                  when i is not a context rule); may be NULL.
 * @return the fact's name ("campaign_authors", "author_rate", ...), owned
 *         by the library; NULL when rule i is not a context rule or i is
 *         out of range.
 */
QUELL_EXTERN(const char *)
quell_rules_rule_context(const quell_rules *rules, size_t i, size_t *at_least);

/**
 * @return category i's cap in points (its score never exceeds it), or a
 *         negative number when it has none or i is out of range.
 */
QUELL_EXTERN(double) quell_rules_category_cap(const quell_rules *rules, size_t i);

/** Actions, in increasing severity. */
typedef enum quell_action {
    QUELL_PASS = 0,
    QUELL_FLAG = 1,
    QUELL_HOLD = 2,
    QUELL_REJECT = 3,
} quell_action;

/** @return "pass", "flag", "hold" or "reject"; "error" for any other value. */
QUELL_EXTERN(const char *) quell_action_name(quell_action action);

/**
 * @return the score at which action starts to apply (a comment whose total is
 *         at least this gets the action, unless a higher one applies);
 *         0 for QUELL_PASS.
 */
QUELL_EXTERN(double) quell_rules_threshold(const quell_rules *rules, quell_action action);

/* ------------------------------------------------------------------------ */
/* Comments and verdicts                                                     */

/** The text fields of a comment that rules can target. */
typedef enum quell_field {
    QUELL_FIELD_BODY = 0,
    QUELL_FIELD_AUTHOR = 1,
    QUELL_FIELD_COUNT
} quell_field;

/** @return "body" or "author"; NULL for any other value. */
QUELL_EXTERN(const char *) quell_field_name(quell_field field);

/**
 * One comment. Every field is borrowed UTF-8 of the given length (it may
 * contain NUL bytes and need not be NUL-terminated); a NULL pointer means the
 * field is absent. Invalid UTF-8 is refused with QUELL_EINPUT.
 * Start from QUELL_COMMENT_INIT (see the ABI policy above).
 */
typedef struct quell_comment {
    unsigned int version; /**< QUELL_COMMENT_VERSION; 0 reads as 1 */
    const char *text[QUELL_FIELD_COUNT];
    size_t text_len[QUELL_FIELD_COUNT];
} quell_comment;

#define QUELL_COMMENT_VERSION 1
#define QUELL_COMMENT_INIT                                                                         \
    {                                                                                              \
        QUELL_COMMENT_VERSION, {NULL, NULL},                                                       \
        {                                                                                          \
            0, 0                                                                                   \
        }                                                                                          \
    }

/**
 * One disjoint occurrence of a rule's patterns. Offsets are bytes in the
 * ORIGINAL text of the field, on UTF-8 character boundaries: text[start..end)
 * is what matched.
 */
typedef struct quell_hit {
    const char *rule_id;  /**< owned by the rules */
    const char *category; /**< owned by the rules */
    quell_field field;
    size_t start;
    size_t end;
    const char *text; /**< points into the caller's comment: text_len = end - start */
    /** Where it matched: "raw", "folded" or "skeleton", or "arabizi" for
     *  the Arabizi spellings of an arabizi rule (the folded text, scanned
     *  apart) (static); and the pattern as written in the rules (owned by
     *  the rules; when occurrences of several patterns overlap, the
     *  first's). For explaining a verdict. */
    const char *view;
    const char *pattern;
} quell_hit;

/**
 * A rule that fired: its patterns matched at least min_count times, or, for a
 * combination, its expression held.
 */
typedef struct quell_rule_result {
    const char *rule_id;  /**< owned by the rules */
    const char *category; /**< owned by the rules */
    size_t count;         /**< disjoint occurrences (1 for a combination) */
    double score;         /**< weight * min(count, max_hits) */
    size_t index;         /**< the rule's place in the rule files, as quell_rules_rule_id */
} quell_rule_result;

/** Why a hit that matched did not count. */
typedef enum quell_excuse {
    QUELL_EXCUSE_ALLOWED = 1, /**< it lies inside a word of its category's allow list */
    QUELL_EXCUSE_INVALID = 2, /**< it failed its rule's validator (e.g. the Luhn check) */
} quell_excuse;

/** A hit left out of the score, and why: for explaining a verdict. */
typedef struct quell_excused_hit {
    quell_hit hit;
    quell_excuse reason;
} quell_excused_hit;

/**
 * The outcome for one comment. Owned by the scanner; valid until the next
 * quell_scan on the same scanner or its free.
 */
typedef struct quell_verdict {
    quell_action action;
    /** Sum of the category scores after their caps; a separate category's
     *  score is not added but stands alone: the higher of the two counts. */
    double score;
    const double *category_scores; /**< indexed like quell_rules_category_name */
    /** category_names[i] names category i (as quell_rules_category_name);
     *  the array is the scanner's, like the verdict, the strings the rules'. */
    const char *const *category_names;
    size_t category_count;
    const quell_rule_result *rules; /**< fired rules, in rule-file order */
    size_t rule_count;
    const quell_hit *hits; /**< ordered by field, then start offset */
    size_t hit_count;
    int is_truncated; /**< more hits matched than are stored (counts stay exact) */
    /** Matches that allow lists or validators set aside, by field and start. */
    const quell_excused_hit *excused;
    size_t excused_count;
    /** The rules that made this verdict (held by the scanner while the
     *  verdict is valid) and their id, as quell_rules_id. */
    const quell_rules *rules_used;
    const char *rules_id;
    /** Since 0.6: what the comment's context knew of it (see "Context"
     *  below), when it was scored in one; NULL for a plain quell_scan.
     *  Owned by the scanner, like the verdict. */
    const struct quell_context_facts *context;
} quell_verdict;

/** A scanner: the per-thread state for scanning. Use from one thread at a time. */
typedef struct quell_scanner quell_scanner;

/**
 * Make a scanner for rules. The scanner holds its own reference to the
 * rules: the caller may release theirs at once. Cheap: its Hyperscan
 * scratch is cloned from one the rules made when they were built, so a
 * thread can make a scanner when it starts (`make bench` measures it).
 *
 * @return QUELL_OK, QUELL_ENOMEM or QUELL_ESCAN; *out is NULL on failure.
 */
QUELL_EXTERN(int)
quell_scanner_new(quell_scanner **out, const quell_rules *rules, quell_error *err);

/** Free a scanner and release its rules (and its engine). NULL is a no-op. */
QUELL_EXTERN(void) quell_scanner_free(quell_scanner *scanner);

/**
 * Move a scanner to other rules, between two scans: it holds the new rules
 * and releases the old. The last verdict is no longer valid afterwards.
 * For a scanner made with quell_scanner_new_for_engine this takes it off
 * the engine: it keeps the given rules from then on.
 *
 * @return QUELL_OK; QUELL_ENOMEM or QUELL_ESCAN, and then the scanner keeps
 *         its old rules and stays usable.
 */
QUELL_EXTERN(int)
quell_scanner_rebind(quell_scanner *scanner, const quell_rules *rules, quell_error *err);

/**
 * @return the rules the scanner scans with now (for one made from an engine,
 *         those of its last scan), borrowed: valid while the scanner keeps
 *         them; quell_rules_hold to keep them longer.
 */
QUELL_EXTERN(const quell_rules *) quell_scanner_rules(const quell_scanner *scanner);

/**
 * Scan one comment and decide its action.
 *
 * @param out  receives the verdict, owned by the scanner (see quell_verdict).
 *             Hit texts point into comment's buffers, which must stay valid
 *             while the verdict is used.
 * @return QUELL_OK; QUELL_EINPUT for invalid UTF-8 (err says where);
 *         QUELL_ETOOBIG for a field over 2 GiB; QUELL_ESCAN; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_scan(quell_scanner *scanner, const quell_comment *comment, const quell_verdict **out,
           quell_error *err);

/**
 * Write a verdict as one line of JSON (with the trailing newline), e.g.
 * {"id":7,"action":"flag","score":4,"categories":{"insult":4},
 *  "rules":[{"id":"insult.en","category":"insult","count":1,"score":4}],
 *  "hits":[{"rule":"insult.en","category":"insult","field":"body","start":4,"end":9,
 *  "text":"idiot"}]}
 *
 * @param id_json  the record's id as JSON text (a quoted string or a number),
 *                 borrowed; written as is.
 * @return the length the line needs, like snprintf: when it is >= buf_size,
 *         nothing usable was written and the caller retries with a bigger buffer.
 */
QUELL_EXTERN(size_t)
quell_verdict_to_json(const quell_verdict *verdict, const char *id_json, size_t id_len, char *buf,
                      size_t buf_size);

/**
 * Write an error record as one line of JSON:
 * {"id":..,"action":"error","error":"message"}. Returns as quell_verdict_to_json.
 */
QUELL_EXTERN(size_t)
quell_error_to_json(const char *id_json, size_t id_len, const char *message, char *buf,
                    size_t buf_size);

/**
 * Write text with every character of the verdict's hits in field masked:
 * each masked character, however many bytes it has, becomes one mask byte,
 * and every other byte is copied unchanged. The length in characters is
 * kept, so the result lines up with the original when displayed.
 *
 * @param text  the field's original text, as scanned (the hits' offsets
 *              index it); borrowed.
 * @param mask  an ASCII character, e.g. '*'.
 * @return the length the censored text needs, like snprintf: when it is
 *         >= buf_size the output was cut and the caller retries with a
 *         bigger buffer. buf is NUL-terminated whenever buf_size > 0.
 */
QUELL_EXTERN(size_t)
quell_censor(const quell_verdict *verdict, quell_field field, const char *text, size_t len,
             char mask, char *buf, size_t buf_size);

/**
 * Like quell_verdict_to_json, with one more member: "censored", the body
 * with every hit character masked (as quell_censor does with mask).
 *
 * @param body  the body as scanned, borrowed; NULL writes "censored":null.
 */
QUELL_EXTERN(size_t)
quell_verdict_to_json_censored(const quell_verdict *verdict, const char *id_json, size_t id_len,
                               const char *body, size_t body_len, char mask, char *buf,
                               size_t buf_size);

/** The texts a comment is scanned as. */
typedef enum quell_view {
    QUELL_VIEW_RAW = 0,      /**< the bytes as given */
    QUELL_VIEW_FOLDED = 1,   /**< NFKC, case folded, marks and format characters removed */
    QUELL_VIEW_SKELETON = 2, /**< folded, then look-alikes, leetspeak, spacing, repeats */
    QUELL_VIEW_ARABIZI = 3,  /**< the folded view's Latin words as consonant outlines, where
                                  arabizi rules' spellings are matched */
} quell_view;

/**
 * Show text as one view sees it, for explaining a verdict.
 *
 * @param out      receives the view's text, owned by the scanner until its
 *                 next call (scan or view); not NUL-terminated.
 * @return QUELL_OK; QUELL_EINPUT for invalid UTF-8; QUELL_EINVAL for an
 *         unknown view; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_scanner_view(quell_scanner *scanner, quell_view view, const char *text, size_t len,
                   const char **out, size_t *out_len, quell_error *err);

/**
 * Write a verdict explained as one line of JSON (with the trailing
 * newline): the rule-set id and label, the action, score and thresholds;
 * each field of the comment with its raw, folded and skeleton views and
 * its censored text; every hit with its view and pattern; the excused hits
 * and why ("allowed" or "invalid"); the fired rules and every category's
 * score (docs/serve.md shows it whole). It computes the views with
 * scanner, which leaves the verdict valid.
 *
 * @param scanner  the scanner that made verdict, from comment.
 * @param needed   receives the length the line needs, like snprintf: when
 *                 it is >= buf_size nothing usable was written and the
 *                 caller retries with a bigger buffer.
 * @return QUELL_OK; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_explain_to_json(quell_scanner *scanner, const quell_verdict *verdict,
                      const quell_comment *comment, const char *id_json, size_t id_len, char *buf,
                      size_t buf_size, size_t *needed, quell_error *err);

/* ------------------------------------------------------------------------ */
/* Context: what one comment cannot show alone                               */

/**
 * The state of a comment stream, beside the immutable rules and the
 * per-thread scanners: a sliding window of recent comments' fingerprints,
 * where copies of one text pasted by many accounts gather in a cluster
 * (a campaign), and the latest comments of each author (their rate, their
 * repeats, how many were held). Rules read it through context rules
 * (docs/rules.md, "Context rules"): a rule with context = "campaign_authors"
 * and at_least = 3 fires on a comment whose near-duplicates in the window
 * come from three authors or more, and combinations can use it like any
 * rule.
 *
 * Deciding is in order: a comment's facts depend on every comment decided
 * before it. A context is safe to share between threads (one lock, held
 * for a decision's few microseconds); the order of their calls is then the
 * order of the stream. To get the same verdicts whatever the number of
 * threads, scan in parallel and decide in input order, as `quell filter -j`
 * does (quell_context_note_make, quell_context_decide, quell_context_settle).
 *
 * Memory is bounded by the options, whatever the stream's length
 * (quell_context_memory_limit); the window forgets by count and by age,
 * the authors least recently seen first.
 */
typedef struct quell_context quell_context;

/** Options of a context; a 0 member takes its default. Start from
 *  QUELL_CONTEXT_OPTIONS_INIT (see the ABI policy above). A context counts
 *  time in whole seconds: each window is rounded up to one. */
typedef struct quell_context_options {
    unsigned int version;   /**< QUELL_CONTEXT_OPTIONS_VERSION; 0 reads as 1 */
    size_t window_comments; /**< the campaign window: comments it holds (20000) */
    double window_seconds;  /**< and the oldest it keeps, in seconds (3600) */
    size_t max_authors;     /**< authors remembered (50000); the least recently seen go first */
    double author_seconds;  /**< how long an author's repeats and held comments count (3600) */
    double rate_seconds;    /**< the window of an author's rate (60) */
    /** How alike two comments must be to be copies: the share of their
     *  fingerprints' 32 minimum hashes that agree, an estimate of the
     *  Jaccard similarity of their 4-character shingles (0.5). */
    double similarity;
    /** The fewest characters a comment needs, once generalised (see
     *  quell_context_note_make), to be fingerprinted: shorter ones
     *  ("thanks", "great article") are never copies (20). */
    size_t min_chars;
} quell_context_options;

#define QUELL_CONTEXT_OPTIONS_VERSION 1
#define QUELL_CONTEXT_OPTIONS_INIT                                                                 \
    {                                                                                              \
        QUELL_CONTEXT_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0                                         \
    }

/**
 * Make an empty context.
 * @return QUELL_OK; QUELL_EINVAL for an option out of range (a newer
 *         version, a negative or non-finite time, similarity outside
 *         (0, 1], a window over 2^24 comments or 2^24 authors);
 *         QUELL_ENOMEM. *out is NULL on failure.
 */
QUELL_EXTERN(int)
quell_context_new(quell_context **out, const quell_context_options *options, quell_error *err);

/** Free a context. NULL is a no-op. */
QUELL_EXTERN(void) quell_context_free(quell_context *ctx);

/** @return the bytes the context holds now. */
QUELL_EXTERN(size_t) quell_context_memory(const quell_context *ctx);

/** @return the most bytes it can ever hold, with its options. */
QUELL_EXTERN(size_t) quell_context_memory_limit(const quell_context *ctx);

/** The longest id a campaign's first comment is reported with, NUL included. */
#define QUELL_CONTEXT_ID_MAX 128

/**
 * What a context knew of one comment when it was decided. Filled in by the
 * library; the caller sets version (QUELL_CONTEXT_FACTS_INIT) when it
 * allocates one.
 */
typedef struct quell_context_facts {
    unsigned int version; /**< QUELL_CONTEXT_FACTS_VERSION; 0 reads as 1 */
    /** Whether the comment was fingerprinted: long enough (min_chars),
     *  and not alike to one of the rules' common phrases (then is_common:
     *  a condolence or a blessing many readers write on their own); when
     *  not, the campaign members are 0. */
    int is_fingerprinted;
    int is_common;
    /** Comments of its cluster in the window, this one included (1: no
     *  copy), and the distinct authors among them (comments without an
     *  author count as copies, not as authors). */
    uint32_t campaign_copies;
    uint32_t campaign_authors;
    /** The id (as JSON text, NUL-terminated) of the cluster's first
     *  comment; "" when it had none or it was longer than
     *  QUELL_CONTEXT_ID_MAX - 1 bytes. */
    char campaign_first[QUELL_CONTEXT_ID_MAX];
    /** Whether the comment has an author; when not, the author members are 0. */
    int has_author;
    /** The author's comments within rate_seconds, this one included. */
    uint32_t author_rate;
    /** The author's comments within author_seconds with this text (the
     *  same once generalised, or a near copy), this one included. */
    uint32_t author_repeats;
    /** The author's earlier comments within author_seconds that were held
     *  or rejected. The author counts keep only the author's latest 16
     *  comments, so none exceeds 16. */
    uint32_t author_held;
} quell_context_facts;

#define QUELL_CONTEXT_FACTS_VERSION 1
#define QUELL_CONTEXT_FACTS_INIT                                                                   \
    {                                                                                              \
        QUELL_CONTEXT_FACTS_VERSION, 0, 0, 0, 0, "", 0, 0, 0, 0                                    \
    }

/** One comment's place in the stream: its id and time. Start from
 *  QUELL_CONTEXT_META_INIT. */
typedef struct quell_context_meta {
    unsigned int version; /**< QUELL_CONTEXT_META_VERSION; 0 reads as 1 */
    const char *id_json;  /**< the id as JSON text, borrowed; NULL: none */
    size_t id_len;
    /** When it was posted, in milliseconds since the Unix epoch, or
     *  QUELL_CONTEXT_NOW for the clock. The context keeps whole seconds,
     *  from 1970 to 2106: earlier or later times are taken as those
     *  bounds. A comment older than one decided before it counts as posted
     *  at that one's time: windows only move forward. */
    int64_t time_ms;
} quell_context_meta;

#define QUELL_CONTEXT_NOW          INT64_MIN
#define QUELL_CONTEXT_META_VERSION 1
#define QUELL_CONTEXT_META_INIT                                                                    \
    {                                                                                              \
        QUELL_CONTEXT_META_VERSION, NULL, 0, QUELL_CONTEXT_NOW                                     \
    }

/**
 * Scan a comment and decide it in its context: quell_scan, then its facts,
 * the context rules they fire, and the verdict with them (it names them in
 * its rules, and its context member holds the facts). The comment is then
 * part of the context, with the action it got. The author is the
 * comment's author field.
 *
 * @return as quell_scan; a comment quell_scan refuses is not added to the
 *         context.
 */
QUELL_EXTERN(int)
quell_scan_context(quell_scanner *scanner, quell_context *ctx, const quell_comment *comment,
                   const quell_context_meta *meta, const quell_verdict **out, quell_error *err);

/**
 * What a context needs of one comment, made on any thread: its author's
 * hash and its body's fingerprint. The body is taken as the skeleton view
 * sees it (look-alikes, leetspeak, spacing and repeats undone), then
 * generalised: a link is one placeholder, as is an @mention and a run of
 * numbers; punctuation, emoji and spaces are dropped. A plain value of
 * fixed size: copy it, keep it, hand it to another thread.
 */
typedef struct quell_context_note {
    uint64_t opaque[20];
} quell_context_note;

/**
 * Make the note of a comment, with scanner's normalisation (any scanner;
 * when it is the one that just scanned this comment, with the same body
 * pointer and length, the views it built are used again: the body's bytes
 * must not have changed in between).
 * @return QUELL_OK; QUELL_EINPUT for invalid UTF-8; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_context_note_make(quell_scanner *scanner, const quell_comment *comment,
                        quell_context_note *note, quell_error *err);

/**
 * Decide one comment's facts from its note and add it to the context,
 * with action as its action for now. When its facts fire a context rule
 * (quell_rules_context_fires), the caller scores it again with them
 * (quell_scanner_apply_context) and, when that changes the action, says
 * so with quell_context_settle before deciding the next comment.
 *
 * @param ticket  receives what quell_context_settle needs to find it.
 * @return QUELL_OK; QUELL_EINVAL for an unknown version.
 */
QUELL_EXTERN(int)
quell_context_decide(quell_context *ctx, const quell_context_note *note,
                     const quell_context_meta *meta, quell_action action,
                     quell_context_facts *facts, uint64_t *ticket, quell_error *err);

/** Set the action of a comment decided with ticket: an author's held count
 *  reads it. A comment already forgotten is left alone. */
QUELL_EXTERN(void)
quell_context_settle(quell_context *ctx, const quell_context_note *note, uint64_t ticket,
                     quell_action action);

/** @return 1 when facts fire one of the rules' context rules, else 0. */
QUELL_EXTERN(int)
quell_rules_context_fires(const quell_rules *rules, const quell_context_facts *facts);

/**
 * Score the scanner's last comment again, with its context facts: the
 * context rules they fire join the verdict, and so do the combinations
 * that use them. comment must be the one last scanned.
 *
 * @param facts  borrowed for the call; the verdict keeps a copy.
 * @return QUELL_OK; QUELL_EINVAL when the scanner has no comment to
 *         score again; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_scanner_apply_context(quell_scanner *scanner, const quell_comment *comment,
                            const quell_context_facts *facts, const quell_verdict **out,
                            quell_error *err);

/**
 * Write facts as a JSON object, the one a verdict's line gives as its
 * last member, "context" (the campaign member when the comment was
 * fingerprinted, the author member when it has an author):
 * {"campaign":{"copies":7,"authors":5,"first":"c-1"},"author":{"rate":1,"repeats":1,"held":0}}
 * @return the length it needs, like snprintf (see quell_verdict_to_json).
 */
QUELL_EXTERN(size_t)
quell_context_facts_to_json(const quell_context_facts *facts, char *buf, size_t buf_size);

/**
 * Write a context to path, so that a restart resumes it: into a new file
 * beside path, synced, then renamed over it.
 * @return QUELL_OK, QUELL_EIO or QUELL_ENOMEM.
 */
QUELL_EXTERN(int) quell_context_save(quell_context *ctx, const char *path, quell_error *err);

/**
 * Make a context with options and resume what path holds (written by
 * quell_context_save, with any options): what no longer fits the options'
 * bounds is forgotten, oldest first.
 * @return as quell_context_new, plus QUELL_EIO and QUELL_EFORMAT (a file
 *         damaged, truncated or not a context).
 */
QUELL_EXTERN(int)
quell_context_load(quell_context **out, const char *path, const quell_context_options *options,
                   quell_error *err);

/* ------------------------------------------------------------------------ */
/* Live rules: the engine                                                    */

/**
 * The current rules of a running service, swapped while other threads scan.
 *
 * Scanners made with quell_scanner_new_for_engine check, at the start of
 * each quell_scan, whether the engine's rules changed (one atomic load, no
 * lock) and if so move to the new rules before scanning: each comment is
 * scored entirely by one rule set, and its verdict names it (rules_id). The
 * old rules are freed when the last scanner has moved off them. A swap or a
 * reload may come from any thread. An engine is reference-counted like
 * rules: every scanner made from it holds it.
 */
typedef struct quell_engine quell_engine;

/**
 * Make an engine serving rules (it holds its own reference).
 * @return QUELL_OK or QUELL_ENOMEM; *out is NULL on failure.
 */
QUELL_EXTERN(int) quell_engine_new(quell_engine **out, const quell_rules *rules, quell_error *err);

/** Drop the caller's reference to an engine. NULL is a no-op. */
QUELL_EXTERN(void) quell_engine_free(quell_engine *engine);

/**
 * Make rules the engine's current rules, at once for new scanners and from
 * their next comment for existing ones. The engine holds rules and releases
 * the ones it had. Never fails.
 */
QUELL_EXTERN(void) quell_engine_swap(quell_engine *engine, const quell_rules *rules);

/**
 * Load rules from path (as quell_rules_load: a configuration, compiled on
 * the calling thread, or a .qdb) and swap them in. On any failure the
 * engine keeps its rules, err says why with file:line and rule id, and the
 * failure is counted (quell_engine_stats).
 *
 * @return as quell_rules_load.
 */
QUELL_EXTERN(int) quell_engine_reload(quell_engine *engine, const char *path, quell_error *err);

/**
 * @return the engine's current rules with a reference taken for the caller,
 *         who releases it (quell_rules_release).
 */
QUELL_EXTERN(quell_rules *) quell_engine_rules(quell_engine *engine);

/** Counters of an engine's life, for a service's metrics. */
typedef struct quell_engine_stats {
    unsigned int version;    /**< QUELL_ENGINE_STATS_VERSION, set by the caller */
    uint64_t generation;     /**< rule sets served so far: 1 + swaps */
    uint64_t reloads_ok;     /**< quell_engine_reload calls that swapped */
    uint64_t reloads_failed; /**< quell_engine_reload calls that kept the old rules */
} quell_engine_stats;

#define QUELL_ENGINE_STATS_VERSION 1
#define QUELL_ENGINE_STATS_INIT                                                                    \
    {                                                                                              \
        QUELL_ENGINE_STATS_VERSION, 0, 0, 0                                                        \
    }

/**
 * Read an engine's counters into out, whose version the caller set.
 * @return QUELL_OK, or QUELL_EINVAL for a version this library does not know.
 */
QUELL_EXTERN(int) quell_engine_stats_get(const quell_engine *engine, quell_engine_stats *out);

/**
 * Make a scanner that follows engine: it scans with the engine's rules of
 * the moment, moving to new ones between comments. Use it from one thread
 * at a time, like any scanner. If moving fails (out of memory), the scanner
 * goes on with the rules it has and tries again at the next comment.
 *
 * @return as quell_scanner_new.
 */
QUELL_EXTERN(int)
quell_scanner_new_for_engine(quell_scanner **out, quell_engine *engine, quell_error *err);

/* ------------------------------------------------------------------------ */
/* Rule examples                                                             */

/**
 * Called once per embedded example that failed: should_match tells whether
 * the example was meant to fire the rule. Strings are borrowed for the call.
 * Return non-zero to stop early.
 */
typedef int (*quell_example_cb)(void *ctx, const char *rule_id, const char *example,
                                int should_match, const char *file, int line);

/**
 * Run every rule's embedded must_match / must_not_match examples.
 *
 * @param failed_count  receives the number of failed examples (may be NULL).
 * @param total_count   receives the number of examples run (may be NULL).
 * @return QUELL_OK when the examples ran (whether or not any failed), or an
 *         error from making a scanner or scanning.
 */
QUELL_EXTERN(int)
quell_rules_test(const quell_rules *rules, quell_example_cb cb, void *ctx, size_t *failed_count,
                 size_t *total_count, quell_error *err);

/* ------------------------------------------------------------------------ */
/* Rule-set lint (docs/lint.md)                                              */

/**
 * One lint warning: a rule-set problem that compiles but makes rules slow,
 * redundant, untested or wrong. Every string is borrowed for the callback
 * only; copy what must outlive it.
 */
typedef struct quell_lint_warning {
    const char *code;    /**< stable code, e.g. "QL101" (docs/lint.md lists them) */
    const char *name;    /**< stable short name, e.g. "duplicate-pattern" */
    const char *file;    /**< file of the offending pattern, rule or entry; "" if unknown */
    int line;            /**< 1-based line in file, 0 if unknown */
    const char *rule_id; /**< the rule at fault; NULL for categories and allowed words */
    const char *pattern; /**< the pattern or allowed word at fault, as written; NULL if none */
    const char *message; /**< one line, no trailing newline */
    /** The other place a duplicate or shadowing warning points at (file,
     *  line, rule); NULL, 0 and NULL when the warning has none. */
    const char *related_file;
    int related_line;
    const char *related_rule_id;
} quell_lint_warning;

/** Called once per warning, in file and line order. Return non-zero to stop. */
typedef int (*quell_lint_cb)(void *ctx, const quell_lint_warning *warning);

/**
 * Check a rule set for the problems docs/lint.md lists (codes QL1xx to
 * QL4xx): duplicate and shadowed patterns after normalisation, regexes that
 * are slow or broad for Hyperscan, rules without examples, rules that reject
 * alone, unused categories and signals, duplicate or useless allowed words.
 * The rules are only read: several threads may lint the same rules at once.
 *
 * @param cb             may be NULL to count only.
 * @param warning_count  receives the number of warnings handed to cb (may be NULL).
 * @return QUELL_OK when the checks ran, whether or not they warned (also when
 *         cb stopped them); QUELL_ENOMEM or QUELL_ESCAN.
 */
QUELL_EXTERN(int)
quell_rules_lint(const quell_rules *rules, quell_lint_cb cb, void *ctx, size_t *warning_count,
                 quell_error *err);

/**
 * The clean-corpus check (code QL501): feed it comments known to be clean,
 * then ask which rules fired on more than a share of them. Single-threaded,
 * like a scanner; the rules are borrowed and must outlive it.
 */
typedef struct quell_lint_clean quell_lint_clean;

/** @return QUELL_OK, QUELL_ENOMEM or QUELL_ESCAN; *out is NULL on failure. */
QUELL_EXTERN(int)
quell_lint_clean_new(quell_lint_clean **out, const quell_rules *rules, quell_error *err);

/** Free a clean check. NULL is a no-op. */
QUELL_EXTERN(void) quell_lint_clean_free(quell_lint_clean *clean);

/**
 * Scan one clean comment and count the rules it fires.
 *
 * @param comment  borrowed for the call.
 * @return as quell_scan; a comment that fails (QUELL_EINPUT, QUELL_ETOOBIG)
 *         is not counted, and the check can go on.
 */
QUELL_EXTERN(int)
quell_lint_clean_add(quell_lint_clean *clean, const quell_comment *comment, quell_error *err);

/** @return the number of comments counted so far. */
QUELL_EXTERN(size_t) quell_lint_clean_comment_count(const quell_lint_clean *clean);

/**
 * Warn (QL501 fires-on-clean) about every rule with a positive weight that
 * fired on more than max_share of the comments counted; none when no
 * comment was counted.
 *
 * @param max_share      the share allowed, from 0 to 1 (0.01 is 1%).
 * @param warning_count  as quell_rules_lint.
 * @return QUELL_OK; QUELL_EINVAL for a share outside [0, 1]; QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_lint_clean_report(const quell_lint_clean *clean, double max_share, quell_lint_cb cb,
                        void *ctx, size_t *warning_count, quell_error *err);

/* ------------------------------------------------------------------------ */
/* Input records                                                             */

/** How a stream of comments is framed. */
typedef enum quell_format {
    QUELL_FORMAT_TEXT = 0,  /**< one comment per line, the line is the body */
    QUELL_FORMAT_JSONL = 1, /**< one JSON object per line */
    QUELL_FORMAT_NUL = 2,   /**< NUL-separated bodies, for multi-line comments */
} quell_format;

/** Names of the JSON members to read; NULL members take the defaults.
 *  Start from QUELL_RECORD_FIELDS_INIT (see the ABI policy above). */
typedef struct quell_record_fields {
    unsigned int version; /**< QUELL_RECORD_FIELDS_VERSION; 0 reads as 1 */
    const char *id;       /**< default "id" */
    const char *body;     /**< default "body" */
    const char *author;   /**< default "author" */
    /** A member handed back as quell_record.label, e.g. a corpus's gold label
     *  (a string, or a number as JSON text); NULL: none is read. */
    const char *label;
    /** Since version 2: a member handed back as quell_record.time_ms, the
     *  time the comment was posted, for a context (seconds since the epoch,
     *  a fraction allowed, or an RFC 3339 string such as
     *  "2026-12-06T23:00:00Z"; null reads as none); NULL: none is read. */
    const char *time;
} quell_record_fields;

#define QUELL_RECORD_FIELDS_VERSION 2
#define QUELL_RECORD_FIELDS_INIT                                                                   \
    {                                                                                              \
        QUELL_RECORD_FIELDS_VERSION, NULL, NULL, NULL, NULL, NULL                                  \
    }

/** One parsed record. Owned by the parser; valid until its next parse or free. */
typedef struct quell_record {
    quell_comment comment;
    /** The id as JSON text (a number as written, a string re-escaped), or
     *  NULL when the record has none or it could not be read. TEXT and NUL
     *  records have none: the caller numbers them. */
    const char *id_json;
    size_t id_json_len;
    /** The label member's value (a string unescaped, a number as JSON text),
     *  or NULL when no label member was asked for, or it is absent or null. */
    const char *label;
    size_t label_len;
    /** Since 0.6: the time member's value in milliseconds since the epoch,
     *  when has_time is 1 (quell_record_fields.time). */
    int64_t time_ms;
    int has_time;
} quell_record;

/** Turns framed records (without their separator) into comments. One per thread. */
typedef struct quell_record_parser quell_record_parser;

/**
 * @param fields  may be NULL; copied, not kept.
 * @return QUELL_OK, QUELL_ENOMEM or QUELL_EINVAL.
 */
QUELL_EXTERN(int)
quell_record_parser_new(quell_record_parser **out, quell_format format,
                        const quell_record_fields *fields, quell_error *err);

/** Free a parser. NULL is a no-op. */
QUELL_EXTERN(void) quell_record_parser_free(quell_record_parser *parser);

/**
 * Parse one record: for TEXT, a line without its "\n" (a trailing "\r" is
 * dropped); for NUL, the bytes between separators; for JSONL, one line.
 *
 * @param out  receives the record, owned by the parser: valid until its next
 *             parse or free (see quell_record); its strings may point into
 *             data (borrowed) or into the parser. Set on QUELL_EINPUT too.
 * @return QUELL_OK, or QUELL_EINPUT with err->message saying why (bad JSON,
 *         missing or non-string body, NUL inside a field, a string id that is
 *         not valid UTF-8). On QUELL_EINPUT, (*out)->id_json is still set
 *         when the record's id could be read, so an error record can name
 *         it; an id refused itself is not set. The body's and author's
 *         UTF-8 is checked by quell_scan: an id is checked here because it
 *         is echoed, and one altered to fit JSON could name another record.
 */
QUELL_EXTERN(int)
quell_record_parse(quell_record_parser *parser, const char *data, size_t len,
                   const quell_record **out, quell_error *err);

/* ------------------------------------------------------------------------ */
/* Evaluation: rules measured against labelled comments                      */

/**
 * How a set of rules did on comments whose right answer is known: the
 * confusion matrix, each rule's and category's share, comments by action,
 * the threshold sweep and thresholds proposed for a false-positive budget.
 * The caller scans each comment (with its own scanner, on its own thread)
 * and adds the verdict with whether the comment should have been flagged;
 * a comment counts as flagged at action flag or worse unless a function
 * says otherwise.
 *
 * Thread rule: a quell_eval is single-threaded for adding, like a scanner.
 * To evaluate on several threads give each its own quell_eval (made with
 * the same rules and options) and merge them on one thread; the figures do
 * not depend on how the comments were shared out. Functions taking a const
 * quell_eval * only read it: several threads may call them at once while no
 * thread changes it. The rules are held (quell_rules_hold) for its life.
 *
 * Memory grows with the number of distinct scores, not with the number of
 * comments: an evaluation can run over an endless stream.
 */
typedef struct quell_eval quell_eval;

/**
 * A confusion matrix: tp predicted and positive, fp predicted and negative,
 * fn positive but not predicted, tn neither. What "predicted" and "positive"
 * mean is said by the function that fills it. Frozen, like quell_hit (a
 * matrix has four cells): it never grows.
 */
typedef struct quell_eval_counts {
    uint64_t tp, fp, fn, tn;
} quell_eval_counts;

/** What every ratio below returns when its denominator is 0 (never NaN). */
#define QUELL_EVAL_UNDEFINED (-1.0)

/** @return tp / (tp + fp), or QUELL_EVAL_UNDEFINED when nothing was predicted. */
QUELL_EXTERN(double) quell_eval_precision(const quell_eval_counts *counts);

/** @return tp / (tp + fn), or QUELL_EVAL_UNDEFINED when there is no positive. */
QUELL_EXTERN(double) quell_eval_recall(const quell_eval_counts *counts);

/**
 * @return F1, the harmonic mean of precision and recall, computed as
 *         2tp / (2tp + fp + fn) so that it is defined (0) when one of them is
 *         undefined and the other 0; QUELL_EVAL_UNDEFINED when all three are 0.
 */
QUELL_EXTERN(double) quell_eval_f1(const quell_eval_counts *counts);

/** @return fp / (fp + tn), or QUELL_EVAL_UNDEFINED when there is no negative. */
QUELL_EXTERN(double) quell_eval_fpr(const quell_eval_counts *counts);

/**
 * Options of an evaluation. Start from QUELL_EVAL_OPTIONS_INIT (see the ABI
 * policy above).
 *
 * The category map: a comment labelled map_labels[i] should be flagged for
 * the category named map_categories[i]. It adds each mapped category's own
 * matrix (quell_eval_category_own_counts); without it no comment is wanted
 * by a category. The arrays and strings are borrowed for quell_eval_new and
 * copied.
 */
typedef struct quell_eval_options {
    unsigned int version; /**< QUELL_EVAL_OPTIONS_VERSION; 0 reads as 1 */
    const char *const *map_labels;
    const char *const *map_categories;
    size_t map_count;
} quell_eval_options;

#define QUELL_EVAL_OPTIONS_VERSION 1
#define QUELL_EVAL_OPTIONS_INIT                                                                    \
    {                                                                                              \
        QUELL_EVAL_OPTIONS_VERSION, NULL, NULL, 0                                                  \
    }

/**
 * Start an evaluation of rules.
 *
 * @param out      receives the evaluation, owned by the caller (quell_eval_free);
 *                 NULL on failure.
 * @param rules    held by the evaluation: the caller may release theirs.
 * @param options  may be NULL for none.
 * @return QUELL_OK; QUELL_EINVAL for an unknown options version, a map
 *         naming a category the rules lack or a label twice (err says
 *         which); QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_eval_new(quell_eval **out, const quell_rules *rules, const quell_eval_options *options,
               quell_error *err);

/** Free an evaluation and release its rules. NULL is a no-op. */
QUELL_EXTERN(void) quell_eval_free(quell_eval *eval);

/** Forget every comment added, keeping the rules and options. */
QUELL_EXTERN(void) quell_eval_reset(quell_eval *eval);

/**
 * Count one scanned comment.
 *
 * @param verdict      its verdict, borrowed for the call; made by a scanner
 *                     with the evaluation's rules (or rules of the same id).
 * @param is_positive  non-zero when the comment should be flagged.
 * @param label        its label, for the category map (borrowed, len bytes);
 *                     may be NULL when there is no map or no label.
 * @return QUELL_OK; QUELL_EINVAL when the verdict comes from other rules
 *         (nothing is counted); QUELL_ENOMEM (nothing is counted).
 */
QUELL_EXTERN(int)
quell_eval_add(quell_eval *eval, const quell_verdict *verdict, int is_positive, const char *label,
               size_t label_len, quell_error *err);

/**
 * Add everything src counted to dst, as if its comments had been added to
 * dst. src is only read.
 *
 * @return QUELL_OK; QUELL_EINVAL when the two have different rules (by id)
 *         or category maps (dst is unchanged); QUELL_ENOMEM (dst is unchanged).
 */
QUELL_EXTERN(int) quell_eval_merge(quell_eval *dst, const quell_eval *src, quell_error *err);

/** @return the number of comments counted. */
QUELL_EXTERN(uint64_t) quell_eval_comment_count(const quell_eval *eval);

/**
 * The matrix of every comment: predicted is an action at least action
 * (QUELL_FLAG: flagged), positive as added.
 *
 * @param action  QUELL_FLAG, QUELL_HOLD or QUELL_REJECT.
 * @return QUELL_OK, or QUELL_EINVAL for another action (*out is zeroed).
 */
QUELL_EXTERN(int)
quell_eval_counts_get(const quell_eval *eval, quell_action action, quell_eval_counts *out);

/**
 * @return the number of comments given action (any quell_action) that were
 *         added as positive (is_positive non-zero) or negative; 0 for an
 *         unknown action.
 */
QUELL_EXTERN(uint64_t)
quell_eval_action_count(const quell_eval *eval, quell_action action, int is_positive);

/**
 * The matrix of one rule: predicted is "the rule fired", positive as added.
 * tp + fp is the number of comments it fired on.
 *
 * @param rule  a rule index, as quell_rules_rule_id.
 * @return QUELL_OK, or QUELL_EINVAL when rule is out of range (*out is zeroed).
 */
QUELL_EXTERN(int)
quell_eval_rule_counts(const quell_eval *eval, size_t rule, quell_eval_counts *out);

/**
 * The matrix of one category: predicted is "the comment scored in it"
 * (its category score above 0), positive as added.
 *
 * @param category  a category index, as quell_rules_category_name.
 * @return QUELL_OK, or QUELL_EINVAL when category is out of range (*out is zeroed).
 */
QUELL_EXTERN(int)
quell_eval_category_counts(const quell_eval *eval, size_t category, quell_eval_counts *out);

/**
 * A category's own matrix under the category map: positive is "the label
 * maps to this category"; predicted is "the comment got at least action
 * with a score in this category" (for a separate category: its own score
 * reaches action's threshold, as it chooses its action alone). With
 * QUELL_FLAG it measures the category as a flagger; with QUELL_REJECT,
 * tp / (tp + fp) is the precision of its rejects.
 *
 * @param action  QUELL_FLAG, QUELL_HOLD or QUELL_REJECT.
 * @return QUELL_OK, or QUELL_EINVAL for another action or a category out of
 *         range (*out is zeroed).
 */
QUELL_EXTERN(int)
quell_eval_category_own_counts(const quell_eval *eval, size_t category, quell_action action,
                               quell_eval_counts *out);

/**
 * The threshold sweep: what flagging every comment scoring at least t would
 * give, at each score t > 0 a comment had, by falling t. Computed from an
 * evaluation at one moment (later adds do not change it); immutable, so it
 * may be shared between threads.
 */
typedef struct quell_eval_sweep quell_eval_sweep;

/** Returned by quell_eval_sweep_propose when no threshold keeps within budget. */
#define QUELL_EVAL_NONE ((size_t)-1)

/**
 * Compute the sweep of an evaluation as it is now.
 *
 * @param out  receives the sweep, owned by the caller (quell_eval_sweep_free);
 *             NULL on failure.
 * @return QUELL_OK or QUELL_ENOMEM.
 */
QUELL_EXTERN(int)
quell_eval_sweep_new(quell_eval_sweep **out, const quell_eval *eval, quell_error *err);

/** Free a sweep. NULL is a no-op. */
QUELL_EXTERN(void) quell_eval_sweep_free(quell_eval_sweep *sweep);

/** @return the number of points: the distinct scores above 0. */
QUELL_EXTERN(size_t) quell_eval_sweep_count(const quell_eval_sweep *sweep);

/** @return point i's threshold (point 0 has the highest); 0 if i is out of range. */
QUELL_EXTERN(double) quell_eval_sweep_threshold(const quell_eval_sweep *sweep, size_t i);

/**
 * The matrix at point i: predicted is "scored at least its threshold".
 * @return QUELL_OK, or QUELL_EINVAL when i is out of range (*out is zeroed).
 */
QUELL_EXTERN(int)
quell_eval_sweep_counts(const quell_eval_sweep *sweep, size_t i, quell_eval_counts *out);

/**
 * Propose a threshold for a false-positive budget: the lowest point whose
 * false-positive rate stays within max_fpr (when there is no negative
 * comment, any point is). Raising a threshold only lowers false positives,
 * so every point before it keeps within the budget too.
 *
 * @param max_fpr  the budget, from 0 to 1 (0.004 is 1 in 250).
 * @param out      receives the point's index, or QUELL_EVAL_NONE when even
 *                 the highest threshold is over budget (or there is no point).
 * @return QUELL_OK, or QUELL_EINVAL for a budget outside [0, 1].
 */
QUELL_EXTERN(int)
quell_eval_sweep_propose(const quell_eval_sweep *sweep, double max_fpr, size_t *out);

#ifdef __cplusplus
}
#endif

#endif /* QUELL_H */
