/*
 * frame.c - finding where each comment of a request body starts and ends.
 * A value is skipped by its brackets and strings alone: whether it is
 * well-formed is the record parser's to say, per comment.
 */
#include <stdlib.h>
#include <string.h>

#include "serve/frame.h"
#include "util/grow.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *s, size_t i, size_t len)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

/*
 * The end of the JSON value starting at s[i]: past its closing bracket for
 * an object or array, past its closing quote for a string, else at the
 * next delimiter. Returns 0 when it does not end (unbalanced, unterminated).
 */
static size_t value_end(const char *s, size_t i, size_t len)
{
    size_t depth = 0;
    int is_in_string = 0;
    if (s[i] != '{' && s[i] != '[' && s[i] != '"') {
        while (i < len && !is_space(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
            i++;
        return i;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (is_in_string) {
            if (c == '\\') {
                i++; /* the escaped character, whatever it is */
            } else if (c == '"') {
                is_in_string = 0;
                if (depth == 0)
                    return i + 1;
            }
            continue;
        }
        if (c == '"') {
            is_in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return 0;
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

static int add_span(struct frame *f, size_t *cap, size_t start, size_t len, size_t max_count)
{
    if (f->count == max_count)
        return -2;
    struct frame_span *p = grow_array(f->spans, cap, f->count + 1, sizeof *p, 16, GROW_UNCAPPED);
    if (!p)
        return -3;
    f->spans = p;
    f->spans[f->count].start = start;
    f->spans[f->count].len = len;
    f->count++;
    return 0;
}

static int cut_array(const char *s, size_t i, size_t len, size_t max_count, struct frame *f,
                     size_t *cap, const char **error)
{
    i = skip_space(s, i + 1, len);
    if (i < len && s[i] == ']')
        return skip_space(s, i + 1, len) == len ? 0 : (*error = "text after the array", -1);
    for (;;) {
        if (i >= len) {
            *error = "unterminated array";
            return -1;
        }
        size_t end = value_end(s, i, len);
        if (end == 0 || end == i) {
            *error = "malformed array: an element does not end";
            return -1;
        }
        int rc = add_span(f, cap, i, end - i, max_count);
        if (rc != 0)
            return rc;
        i = skip_space(s, end, len);
        if (i < len && s[i] == ',') {
            i = skip_space(s, i + 1, len);
            continue;
        }
        if (i < len && s[i] == ']')
            return skip_space(s, i + 1, len) == len ? 0 : (*error = "text after the array", -1);
        *error = "malformed array: expected ',' or ']' after an element";
        return -1;
    }
}

static int cut_lines(const char *s, size_t from, size_t len, size_t max_count, struct frame *f,
                     size_t *cap)
{
    /* Like `quell filter`: a final newline ends the last line, and every
     * other line, blank or not, is a comment. */
    size_t start = from;
    while (start < len) {
        size_t end = start;
        while (end < len && s[end] != '\n')
            end++;
        int rc = add_span(f, cap, start, end - start, max_count);
        if (rc != 0)
            return rc;
        start = end + 1;
    }
    return 0;
}

int frame_cut(const char *body, size_t len, int is_lines_asked, size_t max_count, struct frame *out,
              const char **error)
{
    struct frame f = {FRAME_SINGLE, NULL, 0};
    size_t cap = 0;
    *error = NULL;
    size_t i = skip_space(body, 0, len);
    if (i == len) {
        *error = "empty body: expected a JSON object, an array of them, or JSON Lines";
        return -1;
    }
    /* Trailing blank space is not a line of its own. */
    size_t end = len;
    while (end > i && is_space(body[end - 1]))
        end--;

    int rc;
    if (!is_lines_asked && body[i] == '[') {
        f.kind = FRAME_ARRAY;
        rc = cut_array(body, i, len, max_count, &f, &cap, error);
    } else {
        size_t value = is_lines_asked ? 0 : value_end(body, i, len);
        int is_one_line = memchr(body + i, '\n', end - i) == NULL;
        if (!is_lines_asked &&
            (is_one_line || (value != 0 && skip_space(body, value, len) == len))) {
            /* One value, however many lines it spans, or one line that
             * the record parser will say is not one. */
            rc = add_span(&f, &cap, i, end - i, max_count);
        } else {
            f.kind = FRAME_LINES;
            rc = cut_lines(body, i, end, max_count, &f, &cap);
        }
    }
    if (rc != 0) {
        free(f.spans);
        return rc;
    }
    *out = f;
    return 0;
}

void frame_free(struct frame *f)
{
    free(f->spans);
    f->spans = NULL;
    f->count = 0;
}
