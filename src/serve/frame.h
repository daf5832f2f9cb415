/*
 * frame.h - cutting a request body into comments: one JSON object, a JSON
 * array of them, or JSON Lines. Only the framing is read here; each
 * comment's bytes go to the library's record parser whole, so a comment
 * means the same over HTTP as in `quell filter --format jsonl`.
 */
#ifndef QUELL_SERVE_FRAME_H
#define QUELL_SERVE_FRAME_H

#include <stddef.h>

enum frame_kind {
    FRAME_SINGLE, /* one JSON value: answered with one record */
    FRAME_ARRAY,  /* a JSON array: answered with an array */
    FRAME_LINES,  /* JSON Lines: answered with JSON Lines */
};

struct frame_span {
    size_t start;
    size_t len;
};

struct frame {
    enum frame_kind kind;
    struct frame_span *spans; /* malloc'd; one per comment, in order */
    size_t count;
};

/*
 * Cut body[0..len) into comments. is_lines_asked: the client said JSON
 * Lines (its Content-Type), so even one line is a batch of one.
 * At most max_count comments: more is an error.
 *
 * @return 0; -1 with why (a static string) in *error for a body that cannot
 *         be cut (empty, an unterminated array, text after it), -2 for more
 *         than max_count comments, -3 out of memory.
 */
int frame_cut(const char *body, size_t len, int is_lines_asked, size_t max_count, struct frame *out,
              const char **error);

void frame_free(struct frame *f);

#endif /* QUELL_SERVE_FRAME_H */
