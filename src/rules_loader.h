/*
 * rules_loader.h - what the rules loader's files (rules.c, rules_*.c) share:
 * the loader's state and limits while a configuration is read, and the
 * helpers that record errors, grow its arrays and read typed settings.
 */
#ifndef QUELL_RULES_LOADER_H
#define QUELL_RULES_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "error.h"
#include "pool.h"
#include "rules.h"

/* One pattern, example or combine expression: far beyond any real rule, and
 * small enough that Hyperscan's unsigned int lengths never wrap. */
#define RULES_MAX_TEXT_BYTES    ((size_t)64 * 1024)
#define RULES_MAX_LIST_BYTES    ((size_t)64 * 1024 * 1024)
#define RULES_MAX_INCLUDE_DEPTH 16
#define RULES_MAX_FILES         4096
#define RULES_MAX_CATEGORIES    4096
#define RULES_MAX_RULES         RULES_MAX
#define RULES_MAX_PATTERNS      (1 << 20)
#define RULES_MAX_EXAMPLES      (1 << 20)
#define RULES_MAX_STEPS         (1 << 22)
#define RULES_MAX_EXPR_DEPTH    64
/* max_hits and min_count. Weights are bounded by WEIGHT_MAX (rules.h);
 * thresholds and caps, only compared, by RULES_MAX_POINTS. */
#define RULES_MAX_COUNT  1000000
#define RULES_MAX_POINTS 1e9
/* Rule ids and category names fit quell_error.rule_id with its NUL. */
#define RULES_MAX_NAME_BYTES 127

/* Where a problem is: a file index, a 1-based line and the rule, if any. */
struct where {
    uint32_t file;
    uint32_t line;
    const char *rule_id;
};

/* A growable array of elem_size items; freed by the loader, whose final
 * arrays are copies in the pool. */
struct vec {
    void *data;
    size_t count;
    size_t cap;
};

/* Open-addressing map from a pooled name to an index. */
struct name_entry {
    const char *name; /* NULL: empty slot */
    uint32_t index;
};

struct name_map {
    struct name_entry *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
};

/* A configuration file read or being read, for the include checks. */
struct config_file {
    char *real_path; /* malloc'd */
    bool is_open;    /* still being read: seeing it again is a cycle */
};

/* The text of the configuration file being read, for element lines. */
struct source {
    char *text; /* malloc'd */
    size_t len;
    size_t *line_start; /* malloc'd: offset of each line, [0] is line 1 */
    size_t line_count;
};

/* What resolving a rule needs once every file has been read. */
struct rule_info {
    const char *category;
    uint32_t category_line;
    uint32_t combine_line;
};

/* A rule whose weight a "weights" list set, for the checks that need its
 * category, resolved once every file is read. */
struct weight_override {
    uint32_t rule;
    struct where at;
};

struct loader {
    struct pool *pool;
    quell_error *err;
    const struct source *source; /* of the file being read */
    int64_t threshold[4];
    bool has_actions;
    bool has_thresholds; /* a "thresholds" group overrode the actions' */
    struct vec weight_overrides; /* struct weight_override */
    struct vec weight_first;     /* uint32_t per rule: 1 + its override, 0 if none */
    const char *label;         /* pooled; NULL when the top file has none */
    struct vec files;          /* const char *, pooled */
    struct vec configs;        /* struct config_file */
    struct vec categories;     /* struct category */
    struct vec category_where; /* struct where of each category's name */
    struct vec rules;          /* struct rule */
    struct vec rule_info;      /* struct rule_info */
    struct vec patterns;       /* struct pattern */
    struct vec examples;       /* struct example */
    struct vec steps;          /* struct expr_step */
    struct vec combo_order;    /* uint32_t */
    struct vec allows;         /* struct allow_word */
    struct vec commons;        /* struct common_phrase */
    struct name_map rule_ids;
    struct name_map category_names;
};

/* ------------------------------------------------------------------------ */
/* Helpers (rules_loader.c)                                                  */

/* Whether m holds name[0..len), which need not end in NUL; *index is its index. */
bool loader_map_get(const struct name_map *m, const char *name, size_t len, uint32_t *index);
/* Add a name known to be absent; name must outlive the map. QUELL_OK or QUELL_ENOMEM. */
int loader_map_put(struct name_map *m, const char *name, uint32_t index);

/* The path of file index file, NULL before any file is known. */
const char *loader_file_name(const struct loader *ld, uint32_t file);

/* Record an error at `at` in ld->err; return it with fail() or fail_code(). */
void loader_note_error(struct loader *ld, int code, const struct where *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record an error and give its code, for `return fail(...)`. A macro so
 * that the code is visibly non-zero where it is returned (code must be a
 * constant). */
#define fail_code(ld, code, at, ...) (loader_note_error((ld), (code), (at), __VA_ARGS__), (code))
#define fail(ld, at, ...)            fail_code((ld), QUELL_ECONFIG, (at), __VA_ARGS__)

/* Report running out of memory; returns QUELL_ENOMEM. */
int loader_fail_nomem(struct loader *ld);

/* Append a zeroed item to v, *out, unless v already holds limit items (an
 * error naming what, at `at`). */
int loader_push(struct loader *ld, struct vec *v, size_t elem_size, size_t limit, const char *what,
                const struct where *at, void **out);

/* The directory of base joined with rel, malloc'd; NULL when out of memory. */
char *loader_join_path(const char *base, const char *rel);

/* Add a path to the table's files (once, when is_shared) and give its index. */
int loader_add_file(struct loader *ld, const char *path, bool is_shared, const struct where *at,
                    uint32_t *index);

/* Report errno value errnum reading path, at `at` (NULL: on path itself, for
 * the top file); returns the error code. */
int loader_fail_io(struct loader *ld, const struct where *at, const char *what, const char *path,
                   int errnum);

/* Read a whole file into a malloc'd buffer: 0, an errno value, or EFBIG
 * past cap bytes. */
int loader_read_whole_file(const char *path, size_t cap, char **out, size_t *out_len);

/* Typed settings: each fails at `at`, naming s, when s is of another type or
 * out of range. */
int loader_get_string(struct loader *ld, const config_setting_t *s, const struct where *at,
                      const char **out);
int loader_get_bool(struct loader *ld, const config_setting_t *s, const struct where *at,
                    bool *out);
int loader_get_int(struct loader *ld, const config_setting_t *s, const struct where *at,
                   long long min, long long max, long long *out);
/* Points (int or float) in SCORE_UNITs, within +-max_points. */
int loader_get_points(struct loader *ld, const config_setting_t *s, const struct where *at,
                      bool is_negative_ok, double max_points, int64_t *out);

/* Whether c may be part of a rule id (or, !is_rule_id, a category name):
 * names are checked and combine expressions read with the same rule. */
bool loader_is_name_char(char c, bool is_rule_id);

/* ------------------------------------------------------------------------ */
/* Settings and where they are (rules_where.c)                               */

/* Called with each string of a setting, at its own line. */
typedef int (*string_fn)(struct loader *ld, const char *text, const struct where *at, void *ctx);

/* Hand each string of s to fn at its own line; s is an array of strings, or
 * one string when is_single_ok (else an error at `at`). Stops at fn's error. */
int loader_for_each_string(struct loader *ld, const config_setting_t *s, const struct where *at,
                           bool is_single_ok, string_fn fn, void *ctx);

/* The position of a member s of a group read from file, into *at; refuses
 * settings libconfig's @include spliced in from another file. */
int loader_member_where(struct loader *ld, const config_setting_t *s, uint32_t file,
                        const char *rule_id, struct where *at);

/* ------------------------------------------------------------------------ */
/* Sections and rules (rules_parse.c)                                        */

/* Read one group of file into ld: "actions" (top file only), one category,
 * one rule. Categories and rule ids must be unique; references between them
 * are resolved once every file is read. */
int loader_parse_actions(struct loader *ld, const config_setting_t *group, uint32_t file);
int loader_parse_category(struct loader *ld, const config_setting_t *group, uint32_t file);
int loader_parse_rule(struct loader *ld, const config_setting_t *group, uint32_t file);

/* "thresholds = { flag = ..; hold = ..; reject = ..; }" and "weights = ( { id
 * = \"rule.id\"; weight = 2.5; }, ... )", in any file after what they
 * change: they override the actions' thresholds and the weights of rules
 * declared before them (a fitted weights file, docs/fit.md). */
int loader_parse_thresholds(struct loader *ld, const config_setting_t *group, uint32_t file);
int loader_parse_weights(struct loader *ld, const config_setting_t *list, uint32_t file);
/* Once categories are resolved: refuse a weight given to a rule of a
 * separate category. */
int loader_check_weights(struct loader *ld);

/* One entry of an allow list, a string_fn: ctx is a uint32_t category index,
 * or ALLOW_ALL_CATEGORIES. */
int loader_add_common(struct loader *ld, const char *text, const struct where *at, void *ctx);
int loader_add_allow(struct loader *ld, const char *text, const struct where *at, void *ctx);

/* ------------------------------------------------------------------------ */
/* Combinations (rules_expr.c), once every file is read                      */

/* Compile each rule's combine text into ld->steps, refusing unknown rules
 * and combinations that would fire on an empty comment. */
int loader_compile_combinations(struct loader *ld);
/* Fill ld->combo_order so that every operand comes first; refuses cycles. */
int loader_order_combinations(struct loader *ld);

#endif /* QUELL_RULES_LOADER_H */
