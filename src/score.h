/*
 * score.h - from a comment's matches to its verdict: rule counts, min_count
 * and max_hits, combinations, category caps, the action.
 */
#ifndef QUELL_SCORE_H
#define QUELL_SCORE_H

#include <stdbool.h>

#include "scan.h"

/* Per-thread scoring state sized for one rule set. */
struct scorer;

/* A scorer for rules, which it borrows: they must outlive it. */
int score_new(struct scorer **out, const struct quell_rules *rules);
void score_free(struct scorer *sc);

/*
 * Score one comment. matches must be sorted by (rule, field, start) and
 * disjoint within a rule and field. facts, when not NULL, fires the context
 * rules it meets; the verdict keeps a copy. The verdict and its arrays are
 * owned by sc and valid until the next call; hit texts point into comment.
 */
int score_run(struct scorer *sc, const struct match *matches, size_t match_count,
              const quell_comment *comment, bool is_truncated, const quell_context_facts *facts,
              const quell_verdict **out);

/* The value of a context fact in facts (rules.h's enum context_fact). */
uint32_t score_fact(const quell_context_facts *facts, unsigned int fact);

/* Give the last verdict a copy of facts as its context; returns it. */
const quell_verdict *score_set_context(struct scorer *sc, const quell_context_facts *facts);

/* Hang the matches that did not count on the last verdict (borrowed). */
void score_set_excused(struct scorer *sc, const quell_excused_hit *excused, size_t count);

/* Name the rules that made the last verdict (borrowed). */
void score_set_rules(struct scorer *sc, const struct quell_rules *rules);

/* Whether rule fired in the last score_run. */
bool score_rule_fired(const struct scorer *sc, uint32_t rule);

#endif /* QUELL_SCORE_H */
