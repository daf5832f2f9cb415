/*
 * rules.h - the rule table: what a configuration says, checked and flattened
 * into arrays that the compiler, scanner and scorer index by number.
 */
#ifndef QUELL_RULES_H
#define QUELL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quell.h"

/* Scores are fixed point, thousandths of a point, so sums are exact and the
 * thresholds compare without rounding surprises. */
#define SCORE_UNIT 1000
/* Bounds that keep every score sum inside int64_t: |weight| <= 10,000
 * points, at most RULES_MAX rules (each combination counts once), and at
 * most SCAN_MAX_MATCHES occurrences counted over all pattern rules. */
#define WEIGHT_MAX ((int64_t)10000 * SCORE_UNIT)
#define RULES_MAX  (1 << 20)

enum pattern_kind {
    PAT_WORD = 0,      /* whole word or phrase: a literal checked for word edges */
    PAT_SUBSTRING = 1, /* a literal anywhere */
    PAT_REGEX = 2,     /* a Hyperscan expression */
    /* An Arabic word matched by its Arabizi spellings: the derived rules turn
     * it into a regex for the Arabizi view (arabizi.c). */
    PAT_ARABIZI = 3,
};

/* The text a pattern is matched against (views.h builds them). A rule
 * scanning several views has one pattern entry per view. */
enum view {
    VIEW_RAW = 0,      /* the bytes as given */
    VIEW_FOLDED = 1,   /* NFKC, case folded, marks and format characters gone */
    VIEW_SKELETON = 2, /* folded, then look-alikes, leetspeak, spacing, repeats */
    /* The folded view's Latin words as consonant outlines ("ya 7amaar" ->
     * "ya 7mr", norm_arabizi), for the regexes of arabizi rules alone: they
     * stay small without the optional vowels between every two letters.
     * No rule names it; views.c builds it from the folded view. */
    VIEW_ARABIZI = 3,
    VIEW_COUNT
};

/* The view's name in views_chain ("raw", "folded", ...); NULL for anything
 * else. */
const char *rules_view_name(unsigned int view);

struct pattern {
    const char *text; /* in the table's string pool */
    uint32_t text_len;
    uint8_t kind; /* enum pattern_kind */
    uint8_t view; /* enum view */
    uint8_t is_caseless;
    uint32_t rule; /* index into rule_table.rules */
    uint32_t file; /* index into rule_table.files */
    uint32_t line; /* 1-based line in that file */
};

/* A combination is kept in reverse Polish notation over rule indexes.
 * near(a, b, n) is the three steps SPAN a, SPAN b, NEAR n: the SPAN steps
 * push whether a and b fired, as RULE does, and name the rules whose hit
 * spans NEAR then measures. */
enum expr_op {
    EXPR_RULE = 0, /* push: did rule `arg` fire? */
    EXPR_NOT = 1,
    EXPR_AND = 2,
    EXPR_OR = 3,
    EXPR_SPAN = 4,   /* push as EXPR_RULE; the operand of the NEAR or BEFORE after it */
    EXPR_NEAR = 5,   /* pop 2: a hit of each within `arg` words, either order */
    EXPR_BEFORE = 6, /* pop 2: a hit of the first ending before one of the second starts */
};

/* The most words near() and before() may allow between their spans. */
#define EXPR_MAX_WORDS 100
/* Set in a NEAR or BEFORE step's arg when the term sits under an odd number
 * of `!`: its spans never made the combination true, so it records none. */
#define EXPR_NEGATED 0x80000000u

struct expr_step {
    uint32_t op; /* enum expr_op */
    uint32_t arg;
};

struct example {
    const char *text;
    uint32_t text_len;
    uint8_t should_match;
    uint32_t line;
};

/* What a context rule reads: a fact the comment's context (context.c)
 * knows about it; the rule fires when the fact is at least its at_least. */
enum context_fact {
    CONTEXT_NONE = 0,             /* not a context rule */
    CONTEXT_CAMPAIGN_COPIES = 1,  /* near-duplicates in the window, this one included */
    CONTEXT_CAMPAIGN_AUTHORS = 2, /* distinct authors among them */
    CONTEXT_AUTHOR_RATE = 3,      /* the author's comments in the rate window */
    CONTEXT_AUTHOR_REPEATS = 4,   /* the author's comments with this text */
    CONTEXT_AUTHOR_HELD = 5,      /* the author's earlier comments held or rejected */
    CONTEXT_FACT_COUNT
};

/* The most an author fact counts: an author keeps this many recent
 * comments (context.c), so at_least is at most this for them. */
#define CONTEXT_AUTHOR_RECENT 16

/* The fact's name in a rule's "context" key; NULL for CONTEXT_NONE or out of range. */
const char *rules_context_fact_name(unsigned int fact);

struct rule {
    const char *id;
    uint32_t category;
    int64_t weight;     /* SCORE_UNIT-scaled, may be negative */
    uint32_t max_hits;  /* occurrences that count towards the score, >= 1 */
    uint32_t min_count; /* occurrences needed before the rule fires, >= 1 */
    uint8_t field;      /* quell_field */
    uint8_t is_caseless;
    uint8_t validator; /* enum validator: each hit must pass it */
    /* One bit per enum lint_code the rule's author has accepted for this
     * rule ("lint_ignore"): lint reports the rest. */
    uint32_t lint_quiet;
    /* A context rule has context != CONTEXT_NONE, no patterns and no
     * combination: it fires when its fact is at least at_least. */
    uint8_t context;
    uint32_t at_least;
    /* A combination has expr_len > 0 and no patterns. */
    const char *expr_text;
    uint32_t expr_start; /* index into rule_table.steps */
    uint32_t expr_len;
    uint32_t example_start; /* index into rule_table.examples */
    uint32_t example_count;
    uint32_t file;
    uint32_t line;
};

struct category {
    const char *name;
    int64_t cap;      /* SCORE_UNIT-scaled; < 0 means no cap */
    bool is_separate; /* judged on its own score, not added to the total */
    uint32_t file;    /* where its name is declared, for messages */
    uint32_t line;
};

/* An allowed word or phrase: a hit that lies inside it, in the original
 * text, is dropped (the Scunthorpe problem). */
#define ALLOW_ALL_CATEGORIES UINT32_MAX
struct allow_word {
    const char *text; /* as written; compared after folding */
    uint32_t text_len;
    uint32_t category; /* or ALLOW_ALL_CATEGORIES for the top-level list */
    uint32_t file;
    uint32_t line;
};

/* A phrase many readers write on their own (a condolence, a blessing):
 * comments alike to one are never copies in a campaign (context.c). */
struct common_phrase {
    const char *text;
    uint32_t text_len;
    uint32_t file;
    uint32_t line;
};

/* The longest label a configuration may give its rule set. */
#define RULES_LABEL_MAX 200

struct rule_table {
    int64_t threshold[4]; /* by quell_action; [QUELL_PASS] is 0 */
    const char *label;    /* "label = ..." of the top file, pooled; NULL if none */

    struct category *categories;
    size_t category_count;
    struct rule *rules;
    size_t rule_count;
    struct pattern *patterns;
    size_t pattern_count;
    struct expr_step *steps;
    size_t step_count;
    struct example *examples;
    size_t example_count;
    struct allow_word *allows;
    size_t allow_count;
    struct common_phrase *commons;
    size_t common_count;
    const char **files; /* paths as given or resolved, for messages */
    size_t file_count;
    /* Combination rules in an order where every operand comes first. */
    uint32_t *combo_order;
    size_t combo_count;

    /* Every string above lives in here; freed with the table. */
    struct pool *pool;
};

/* Room for one quoted text in a message, and how much of the text it shows. */
#define QUOTE_BYTES     64
#define QUOTE_BUF_BYTES (QUOTE_BYTES * 4 + 16)

/*
 * Copy s[0..len) into buf (QUOTE_BUF_BYTES) for a message: quotes,
 * backslashes and control bytes escaped, and bytes >= 0x80 too when the text
 * is not valid UTF-8, so the message itself always is; long text is cut
 * after about QUOTE_BYTES bytes, between characters, and ends in "...".
 */
const char *rules_quote(char *buf, size_t size, const char *s, size_t len);

/*
 * Read a configuration file and everything it includes into a new table.
 * On failure *out is NULL and err (if given) names file:line and rule id.
 */
int rules_load_config(struct rule_table **out, const char *path, quell_error *err);

/* Free a table: it lives in its own pool, with everything it points to.
 * NULL is a no-op. */
void rules_free(struct rule_table *table);

#endif /* QUELL_RULES_H */
