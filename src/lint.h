/*
 * lint.h - what the rule-set linter's files share: the warning codes, the
 * findings kept until they are handed over in file and line order, and the
 * checks each file runs.
 */
#ifndef QUELL_LINT_H
#define QUELL_LINT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "clocale.h"
#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "scan.h"
#include "utf8.h"

/* Stable codes: tools and people filter on them, so never renumber. */
enum lint_code {
    LINT_DUPLICATE = 0,
    LINT_DUPLICATE_ACROSS,
    LINT_SHADOWED,
    LINT_REDUNDANT,
    LINT_LARGE_REPEAT,
    LINT_LEADING_WILDCARD,
    LINT_UNBOUNDED_WILDCARD,
    LINT_SHORT_MATCH,
    LINT_NO_EXAMPLES,
    LINT_ONE_SIDED_EXAMPLES,
    LINT_REJECTS_ALONE,
    LINT_UNUSED_SIGNAL,
    LINT_UNUSED_CATEGORY,
    LINT_ALLOW_NEVER_APPLIES,
    LINT_DUPLICATE_ALLOW,
    LINT_FIRES_ON_CLEAN,
    LINT_CODE_COUNT
};

/* The code and short name of each enum lint_code, e.g. "QL101" and
 * "duplicate-pattern". */
struct lint_code_name {
    const char *code;
    const char *name;
};
extern const struct lint_code_name lint_codes[LINT_CODE_COUNT];
/* A rule keeps one bit per code (struct rule.lint_quiet). */
_Static_assert(LINT_CODE_COUNT <= 32, "lint codes must fit a rule's lint_quiet bits");

/* The enum lint_code of a code ("QL303") or name ("rejects-alone"); -1 if
 * there is none. */
int lint_code_by_name(const char *s);

/* A bounded repeat above this many repetitions is "large": Hyperscan builds
 * state for each one (a{1,100} compiles; under UTF-8 and start-of-match
 * tracking, .{1,40} is already "Pattern is too large"). */
#define LINT_MAX_REPEAT 100
/* A regex that can match this few bytes, or a substring this few
 * characters, fires all over ordinary text. */
#define LINT_SHORT_BYTES 2
#define LINT_SHORT_CHARS 2
/* Group nesting the regex reader follows; deeper regexes are not judged. */
#define LINT_MAX_DEPTH 64
/* A warning message, quotes included. */
#define MESSAGE_BYTES 768
#define NO_FILE       UINT32_MAX
#define NO_RULE       UINT32_MAX

/* One warning, kept until all are found so that they come out in file and
 * line order. Strings belong to the rules, or to the linter's pool. */
struct finding {
    uint32_t code; /* enum lint_code */
    uint32_t file; /* index into the table's files, or NO_FILE */
    uint32_t line;
    const char *rule_id;
    /* The rule's index, whose lint_ignore silences the finding; NO_RULE
     * (or any index past the table) when it is about no one rule. */
    uint32_t rule;
    const char *pattern;
    const char *message;
    uint32_t related_file; /* NO_FILE: none */
    uint32_t related_line;
    const char *related_rule_id;
    size_t seq; /* order found: ties keep it */
};

struct linter {
    const struct quell_rules *rules;
    const struct rule_table *t;
    struct pool *pool; /* messages and folded allowed words */
    struct finding *findings;
    size_t count;
    size_t cap;
    quell_error *err;
};

/* "word", "substring", "regex" by enum pattern_kind. */
extern const char *const lint_kind_names[3];

/* Report running out of memory through the linter's error; returns
 * QUELL_ENOMEM. */
int lint_fail_nomem(struct linter *lt);

/* Keep a finding with its message (printf-style). */
int lint_note(struct linter *lt, const struct finding *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A finding about pattern pi, or about rule ri. */
struct finding lint_at_pattern(const struct linter *lt, uint32_t code, size_t pi);
struct finding lint_at_rule(const struct linter *lt, uint32_t code, size_t ri);

/* "line N" when file is the one a message is about, else "FILE:N". */
const char *lint_place(char *buf, size_t size, const struct rule_table *t, uint32_t from_file,
                       uint32_t file, uint32_t line);

/* Points (thousandths) as a short decimal: 10, 2.5, 0.125. */
const char *lint_points(char *buf, size_t size, int64_t milli);

/* The checks, each in its own file: regexes Hyperscan finds slow or broad
 * (lint_regex.c), duplicate and shadowed patterns (lint_overlap.c), allowed
 * words (lint_allow.c). Each returns QUELL_OK or an error code. */
int lint_check_patterns(struct linter *lt);
int lint_check_literal_overlaps(struct linter *lt);
int lint_check_regex_duplicates(struct linter *lt);
int lint_check_allows(struct linter *lt);

/* Hand the findings, sorted by file and line, to cb; then free lt's own
 * memory (lint_free). */
void lint_emit(struct linter *lt, quell_lint_cb cb, void *ctx, size_t *warning_count);
void lint_free(struct linter *lt);

#endif /* QUELL_LINT_H */
