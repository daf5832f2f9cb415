/*
 * fuzz_frame.c - quell serve's framing of a request body (src/serve/frame.c):
 * one JSON value, an array of them, or JSON Lines. The first input byte
 * chooses whether the client said JSON Lines and the batch limit; the rest
 * is the body. Whatever the bytes, the spans handed to the record parser
 * must lie inside the body, in order and apart, and obey the limit.
 */
#include "fuzz.h"
#include "serve/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int is_lines_asked = data[0] & 1;
    /* Small limits reach the "too many" path; 0x7f.. means no real limit. */
    size_t max_count = (data[0] >> 1) < 0x40 ? (size_t)(data[0] >> 1) + 1 : (size_t)-1;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    struct frame f;
    const char *error = NULL;
    int rc = frame_cut(body, len, is_lines_asked, max_count, &f, &error);
    FUZZ_ASSERT(rc == 0 || rc == -1 || rc == -2 || rc == -3);
    if (rc == -1)
        FUZZ_ASSERT(error != NULL && error[0] != '\0');
    if (rc != 0)
        return 0;

    FUZZ_ASSERT(f.count <= max_count);
    if (f.kind == FRAME_SINGLE)
        FUZZ_ASSERT(f.count == 1);
    if (is_lines_asked)
        FUZZ_ASSERT(f.kind == FRAME_LINES);
    size_t next = 0;
    for (size_t i = 0; i < f.count; i++) {
        const struct frame_span *s = &f.spans[i];
        FUZZ_ASSERT(s->start >= next && s->start <= len && s->len <= len - s->start);
        next = s->start + s->len;
        if (f.kind == FRAME_LINES)
            FUZZ_ASSERT(memchr(body + s->start, '\n', s->len) == NULL);
        if (f.kind == FRAME_ARRAY) {
            FUZZ_ASSERT(s->len > 0);
            char c = body[s->start];
            FUZZ_ASSERT(c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',');
        }
    }
    frame_free(&f);
    return 0;
}
