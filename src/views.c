/*
 * views.c - the view chain as a table, and the one function that builds a
 * text's views along it, for the scanner and for rule literals alike.
 */
#include <assert.h>

#include "views.h"

/* Folding reads its input's bytes and maps into them: the original only
 * when the input is the raw view, as the chain has it. */
static int step_fold(const struct norm_tables *tables, const struct view_text *prev,
                     struct norm_view *out)
{
    assert(!prev->map);
    return norm_fold(tables, prev->text, prev->len, out);
}

/* The Arabizi view, the consonant outline of the folded view's Latin
 * words, carries the folded view's map through to the original. */
static int step_arabizi(const struct norm_tables *tables, const struct view_text *prev,
                        struct norm_view *out)
{
    (void)tables;
    assert(prev->map);
    return norm_arabizi(prev->map, out);
}

/* The skeleton carries the folded view's map through to the original. */
static int step_skeleton(const struct norm_tables *tables, const struct view_text *prev,
                         struct norm_view *out)
{
    assert(prev->map);
    return norm_skeleton(tables, prev->map, out);
}

const struct view_def views_chain[VIEW_COUNT] = {
    {VIEW_RAW, "raw", VIEW_RAW, NULL, true},
    {VIEW_FOLDED, "folded", VIEW_RAW, step_fold, true},
    {VIEW_SKELETON, "skeleton", VIEW_FOLDED, step_skeleton, true},
    {VIEW_ARABIZI, "arabizi", VIEW_FOLDED, step_arabizi, false},
};

int views_build(const struct norm_tables *tables, const char *text, size_t len, enum view from,
                enum view to, struct norm_view views[VIEW_COUNT], struct view_text *out)
{
    assert(from <= to && to < VIEW_COUNT && (tables || from == to));
    struct view_text raw = {text, len, NULL};
    struct view_text made = raw;
    if (from != VIEW_RAW)
        made = (struct view_text){views[from].text, views[from].len, &views[from]};
    for (unsigned int v = (unsigned int)from + 1; v <= (unsigned int)to; v++) {
        /* Each view reads its base, built earlier in the chain. */
        enum view base = views_chain[v].base;
        struct view_text prev = raw;
        if (base != VIEW_RAW)
            prev = (struct view_text){views[base].text, views[base].len, &views[base]};
        int rc = views_chain[v].step(tables, &prev, &views[v]);
        if (rc != QUELL_OK)
            return rc;
        made = (struct view_text){views[v].text, views[v].len, &views[v]};
    }
    *out = made;
    return QUELL_OK;
}

void views_free(struct norm_view views[VIEW_COUNT])
{
    for (unsigned int v = 0; v < VIEW_COUNT; v++)
        norm_view_free(&views[v]);
}
