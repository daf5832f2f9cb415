/*
 * scan.h - one comment through the Hyperscan databases: the matches of every
 * pattern, as spans of the original text, merged per rule.
 */
#ifndef QUELL_SCAN_H
#define QUELL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

/* One occurrence: bytes [start, end) of a field of the original comment. */
struct match {
    uint32_t rule;
    uint32_t pattern;
    uint32_t field;
    size_t start;
    size_t end;
};

/* The most matches kept for one comment; past it the scan stops and the
 * verdict says it was truncated, so a hostile comment cannot grow memory
 * without bound. */
#define SCAN_MAX_MATCHES (1u << 18)

/* The skeleton view of text (len bytes), when the scanner's last quell_scan
 * built it for that very text and it is still there: into *view (the
 * scanner's, valid until its next call). */
bool scan_last_skeleton(const quell_scanner *scanner, const char *text, size_t len,
                        const char **view, size_t *view_len);

/* Whether rule fired in the scanner's last quell_scan (for rule examples). */
bool scan_rule_fired(const quell_scanner *scanner, uint32_t rule);

#endif /* QUELL_SCAN_H */
