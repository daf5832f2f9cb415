/*
 * rules_where.c - where a setting is: the line of each string of an array,
 * read from the configuration's text, and each member's file and line.
 */
#include <stdlib.h>
#include <string.h>

#include "rules_loader.h"

/* A scanner over configuration text, just enough to find where each string
 * of an array starts. */
struct cursor {
    const char *p;
    const char *end;
    uint32_t line;
};

/* Skip white space and #, // and block comments. */
static void cursor_skip_space(struct cursor *c)
{
    while (c->p < c->end) {
        char ch = *c->p;
        bool has_next = c->p + 1 < c->end;
        if (ch == '\n') {
            c->line++;
            c->p++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            c->p++;
        } else if (ch == '#' || (ch == '/' && has_next && c->p[1] == '/')) {
            while (c->p < c->end && *c->p != '\n')
                c->p++;
        } else if (ch == '/' && has_next && c->p[1] == '*') {
            c->p += 2;
            while (c->p < c->end && !(*c->p == '*' && c->p + 1 < c->end && c->p[1] == '/')) {
                if (*c->p == '\n')
                    c->line++;
                c->p++;
            }
            c->p = c->p + 2 <= c->end ? c->p + 2 : c->end;
        } else {
            return;
        }
    }
}

/* Skip a string and any strings joined to it ("a" "b"); false if unclosed. */
static bool cursor_skip_strings(struct cursor *c)
{
    while (c->p < c->end && *c->p == '"') {
        c->p++;
        while (c->p < c->end && *c->p != '"') {
            if (*c->p == '\\' && c->p + 1 < c->end)
                c->p++;
            if (*c->p == '\n')
                c->line++;
            c->p++;
        }
        if (c->p == c->end)
            return false;
        c->p++;
        cursor_skip_space(c);
    }
    return true;
}

static bool is_setting_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '*';
}

/* At "= [" or ": [" after a setting's name, read the lines where each of n
 * strings starts. */
static bool scan_array(struct cursor *c, uint32_t *lines, size_t n)
{
    cursor_skip_space(c);
    if (c->p == c->end || (*c->p != '=' && *c->p != ':'))
        return false;
    c->p++;
    cursor_skip_space(c);
    if (c->p == c->end || *c->p != '[')
        return false;
    c->p++;
    size_t count = 0;
    for (;;) {
        cursor_skip_space(c);
        if (c->p < c->end && *c->p == ']')
            return count == n;
        if (c->p == c->end || *c->p != '"' || count == n)
            return false;
        lines[count++] = c->line;
        if (!cursor_skip_strings(c) || c->p == c->end)
            return false;
        if (*c->p == ',')
            c->p++;
        else if (*c->p != ']')
            return false;
    }
}

/*
 * The line of each element of the array of strings s. libconfig reports the
 * line of the token after a string (it may be joined to a next one), so a
 * last element with "]" on a later line would get that line; the file's text
 * says where each string starts. Should the text not read as expected,
 * libconfig's lines stand.
 */
static void element_lines(const struct loader *ld, const config_setting_t *s, uint32_t *lines,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        lines[i] = config_setting_source_line(config_setting_get_elem(s, (unsigned int)i));
    const struct source *src = ld->source;
    uint32_t line = config_setting_source_line(s);
    if (!src || n == 0 || line == 0 || line > src->line_count)
        return;
    const char *name = config_setting_name(s);
    size_t name_len = strlen(name);
    uint32_t *found = malloc(n * sizeof *found);
    if (!found)
        return; /* the fallback lines are still right in most layouts */
    struct cursor c = {src->text + src->line_start[line - 1], src->text + src->len, line};
    /* Find the setting's name on its line, outside strings and comments. */
    while (c.p < c.end && c.line == line) {
        if (*c.p == '"') {
            if (!cursor_skip_strings(&c))
                break;
        } else if (is_setting_name_char(*c.p)) {
            const char *word = c.p;
            while (c.p < c.end && is_setting_name_char(*c.p))
                c.p++;
            struct cursor at_name = c;
            if ((size_t)(c.p - word) == name_len && memcmp(word, name, name_len) == 0 &&
                scan_array(&at_name, found, n)) {
                memcpy(lines, found, n * sizeof *found);
                break;
            }
        } else if (*c.p == '#' || *c.p == '/' || *c.p == ' ' || *c.p == '\t' || *c.p == '\r' ||
                   *c.p == '\n') {
            const char *before = c.p;
            cursor_skip_space(&c);
            if (c.p == before)
                c.p++;
        } else {
            c.p++;
        }
    }
    free(found);
}

/*
 * Check that s is an array of strings (possibly empty) or, when is_single_ok,
 * one string; then hand each string to fn.
 */
int loader_for_each_string(struct loader *ld, const config_setting_t *s, const struct where *at,
                           bool is_single_ok, string_fn fn, void *ctx)
{
    const char *name = config_setting_name(s);
    if (is_single_ok && config_setting_type(s) == CONFIG_TYPE_STRING)
        return fn(ld, config_setting_get_string(s), at, ctx);
    bool is_array = config_setting_type(s) == CONFIG_TYPE_ARRAY;
    size_t n = is_array ? (size_t)config_setting_length(s) : 0;
    for (size_t i = 0; i < n && is_array; i++)
        is_array =
            config_setting_type(config_setting_get_elem(s, (unsigned int)i)) == CONFIG_TYPE_STRING;
    if (!is_array && is_single_ok)
        return fail(ld, at, "\"%s\" must be a string or an array of strings", name);
    if (!is_array)
        return fail(ld, at, "\"%s\" must be an array of strings, like [ \"a\", \"b\" ]", name);
    if (n == 0)
        return QUELL_OK;

    uint32_t *lines = malloc(n * sizeof *lines);
    if (!lines)
        return loader_fail_nomem(ld);
    element_lines(ld, s, lines, n);
    int rc = QUELL_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct where e_at = {at->file, lines[i], at->rule_id};
        rc = fn(ld, config_setting_get_string_elem(s, (int)i), &e_at, ctx);
    }
    free(lines);
    return rc;
}

/*
 * The position of a member of a group read from file. libconfig's own
 * @include would splice in settings from another file, out of reach of the
 * include checks, so such settings are refused.
 */
int loader_member_where(struct loader *ld, const config_setting_t *s, uint32_t file,
                        const char *rule_id, struct where *at)
{
    at->file = file;
    at->line = config_setting_source_line(s);
    at->rule_id = rule_id;
    const char *src = config_setting_source_file(s);
    if (src && strcmp(src, loader_file_name(ld, file)) != 0) {
        const struct where file_at = {file, 0, rule_id};
        return fail(ld, &file_at, "@include \"%s\" is not supported; use include = [ \"%s\" ]", src,
                    src);
    }
    return QUELL_OK;
}
