/*
 * views.h - the chain of views a text is scanned as, written once: raw, then
 * each view derived from the one before it, with its map to the original.
 */
#ifndef QUELL_VIEWS_H
#define QUELL_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "normalise.h"
#include "rules.h"

/* One view of a text: its bytes, and their map back to the original (NULL
 * for the raw view, which is the original). Borrowed from the text and from
 * the views they were built into. */
struct view_text {
    const char *text;
    size_t len;
    const struct norm_view *map;
};

/*
 * A step of the chain: the next view from prev, its base view. out's
 * src must point into the ORIGINAL text, so a step that reads a derived
 * view (prev->map not NULL) takes its offsets from prev->map->src, as
 * norm_skeleton does. QUELL_OK, QUELL_ENOMEM or QUELL_ETOOBIG.
 */
typedef int (*view_step)(const struct norm_tables *tables, const struct view_text *prev,
                         struct norm_view *out);

struct view_def {
    enum view id;
    const char *name; /* as rules name it: "views = [...]" */
    enum view base;   /* the view step reads: one earlier in the chain */
    view_step step;   /* NULL for the raw view */
    bool is_named;    /* whether a rule may name it in "views" */
};

/* The views in chain order, indexed by enum view: a fourth view is one more
 * line here and its step. Immutable. */
extern const struct view_def views_chain[VIEW_COUNT];

/* A rule set's views of a field are a bit mask (struct quell_rules). */
_Static_assert(VIEW_COUNT <= 8, "a view mask is a uint8_t");

/*
 * Build the views of text[0..len) after `from`, up to and including `to`,
 * each from its base (views_chain), into views (indexed by enum view; the raw slot
 * is never used). The views up to `from` must already hold this text's:
 * from = VIEW_RAW builds from the text alone, a larger one lets a caller
 * build the chain a view at a time. *out is view `to`. tables may be NULL
 * only when from == to. QUELL_OK or a step's error (out of memory, or a
 * view over 4 GiB).
 */
int views_build(const struct norm_tables *tables, const char *text, size_t len, enum view from,
                enum view to, struct norm_view views[VIEW_COUNT], struct view_text *out);

/* Free the buffers of every view in views (the array is the caller's). */
void views_free(struct norm_view views[VIEW_COUNT]);

#endif /* QUELL_VIEWS_H */
