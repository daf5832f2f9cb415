/*
 * rules.c - reads a rule configuration (docs/rules.md), the files it includes
 * and the pattern lists it names into a checked, flattened rule table.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "clocale.h"
#include "error.h"
#include "pool.h"
#include "rules.h"
#include "utf8.h"
#include "validate.h"
#include "views.h"
#include "util/readall.h"

#define RULES_FORMAT_VERSION 1
/* One pattern, example or combine expression: far beyond any real rule, and
 * small enough that Hyperscan's unsigned int lengths never wrap. */
#define RULES_MAX_TEXT_BYTES    ((size_t)64 * 1024)
#define RULES_MAX_LIST_BYTES    ((size_t)64 * 1024 * 1024)
#define RULES_MAX_INCLUDE_DEPTH 16
#define RULES_MAX_FILES         4096
#define RULES_MAX_CATEGORIES    4096
#define RULES_MAX_RULES         RULES_MAX
#define RULES_MAX_PATTERNS      (1 << 20)
#define RULES_MAX_EXAMPLES      (1 << 20)
#define RULES_MAX_STEPS         (1 << 22)
#define RULES_MAX_EXPR_DEPTH    64
/* max_hits and min_count. Weights are bounded by WEIGHT_MAX (rules.h);
 * thresholds and caps, only compared, by RULES_MAX_POINTS. */
#define RULES_MAX_COUNT  1000000
#define RULES_MAX_POINTS 1e9
/* Rule ids and category names fit quell_error.rule_id with its NUL. */
#define RULES_MAX_NAME_BYTES 127
/* How much of a pattern or expression a message quotes, and the buffer that
 * holds it escaped. */

/* Where a problem is: a file index, a 1-based line and the rule, if any. */
struct where {
    uint32_t file;
    uint32_t line;
    const char *rule_id;
};

/* A growable array of elem_size items; freed by the loader, whose final
 * arrays are copies in the pool. */
struct vec {
    void *data;
    size_t count;
    size_t cap;
};

/* Open-addressing map from a pooled name to an index. */
struct name_entry {
    const char *name; /* NULL: empty slot */
    uint32_t index;
};

struct name_map {
    struct name_entry *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
};

/* A configuration file read or being read, for the include checks. */
struct config_file {
    char *real_path; /* malloc'd */
    bool is_open;    /* still being read: seeing it again is a cycle */
};

/* The text of the configuration file being read, for element lines. */
struct source {
    char *text; /* malloc'd */
    size_t len;
    size_t *line_start; /* malloc'd: offset of each line, [0] is line 1 */
    size_t line_count;
};

/* What resolving a rule needs once every file has been read. */
struct rule_info {
    const char *category;
    uint32_t category_line;
    uint32_t combine_line;
};

struct loader {
    struct pool *pool;
    quell_error *err;
    const struct source *source; /* of the file being read */
    int64_t threshold[4];
    bool has_actions;
    const char *label;         /* pooled; NULL when the top file has none */
    struct vec files;          /* const char *, pooled */
    struct vec configs;        /* struct config_file */
    struct vec categories;     /* struct category */
    struct vec category_where; /* struct where of each category's name */
    struct vec rules;          /* struct rule */
    struct vec rule_info;      /* struct rule_info */
    struct vec patterns;       /* struct pattern */
    struct vec examples;       /* struct example */
    struct vec steps;          /* struct expr_step */
    struct vec combo_order;    /* uint32_t */
    struct vec allows;         /* struct allow_word */
    struct name_map rule_ids;
    struct name_map category_names;
};

static const char *const kind_names[] = {"word", "substring", "regex", "arabizi"};

/* ------------------------------------------------------------------------ */
/* Small tools                                                               */

static void *vec_push(struct vec *v, size_t elem_size)
{
    if (v->count == v->cap) {
        size_t cap, bytes;
        if (v->cap == 0)
            cap = 16;
        else if (__builtin_mul_overflow(v->cap, 2, &cap))
            return NULL;
        /* Catch size_t overflow */
        if (__builtin_mul_overflow(cap, elem_size, &bytes))
            return NULL;
        void *p = realloc(v->data, bytes);
        if (!p)
            return NULL;
        v->data = p;
        v->cap = cap;
    }
    void *e = (char *)v->data + v->count * elem_size;
    memset(e, 0, elem_size);
    v->count++;
    return e;
}

/* A copy of v's items in the pool; NULL for none. */
static int vec_to_pool(struct pool *pool, const struct vec *v, size_t elem_size, void **out)
{
    *out = NULL;
    if (v->count == 0)
        return QUELL_OK;
    size_t bytes;
    if (__builtin_mul_overflow(v->count, elem_size, &bytes))
        return QUELL_ENOMEM;
    void *p = pool_alloc(pool, bytes);
    if (!p)
        return QUELL_ENOMEM;
    memcpy(p, v->data, bytes);
    *out = p;
    return QUELL_OK;
}

static uint64_t hash_name(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The slot holding name[0..len), or the empty slot where it would go. */
static struct name_entry *map_slot(const struct name_map *m, const char *name, size_t len)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)hash_name(name, len) & mask;
    while (m->slots[i].name) {
        const char *k = m->slots[i].name;
        if (strncmp(k, name, len) == 0 && k[len] == '\0')
            return &m->slots[i];
        i = (i + 1) & mask;
    }
    return &m->slots[i];
}

static bool map_get(const struct name_map *m, const char *name, size_t len, uint32_t *index)
{
    if (m->cap == 0)
        return false;
    const struct name_entry *e = map_slot(m, name, len);
    if (!e->name)
        return false;
    *index = e->index;
    return true;
}

/* Add a name known to be absent; name must outlive the map. */
static int map_put(struct name_map *m, const char *name, uint32_t index)
{
    /* Keep the load under a half so probes stay short. */
    if ((m->count + 1) * 2 > m->cap) {
        struct name_map grown = {0};
        grown.cap = m->cap ? m->cap * 2 : 64;
        grown.slots = calloc(grown.cap, sizeof *grown.slots);
        if (!grown.slots)
            return QUELL_ENOMEM;
        for (size_t i = 0; i < m->cap; i++) {
            const struct name_entry *e = &m->slots[i];
            if (e->name)
                *map_slot(&grown, e->name, strlen(e->name)) = *e;
        }
        grown.count = m->count;
        free(m->slots);
        *m = grown;
    }
    struct name_entry *e = map_slot(m, name, strlen(name));
    e->name = name;
    e->index = index;
    m->count++;
    return QUELL_OK;
}

const char *rules_quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t bad_off;
    bool is_utf8 = utf8_valid(s, len, &bad_off);
    size_t o = 0;
    size_t i = 0;
    for (; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        bool is_continuation = is_utf8 && (c & 0xC0) == 0x80;
        if (i >= QUOTE_BYTES && !is_continuation)
            break;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !is_utf8)) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    if (i < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* The path of file index file, NULL before any file is known. */
static const char *file_name(const struct loader *ld, uint32_t file)
{
    if (file >= ld->files.count)
        return NULL;
    return ((const char *const *)ld->files.data)[file];
}

/* Record an error at `at`. */
__attribute__((format(printf, 4, 5))) static void
note_error(struct loader *ld, int code, const struct where *at, const char *fmt, ...)
{
    char msg[sizeof ld->err->message];
    va_list ap;
    va_start(ap, fmt);
    clocale_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(ld->err, code, file_name(ld, at->file), (int)at->line, at->rule_id, "%s", msg);
}

/* Record an error and give its code, for `return fail(...)`. A macro so
 * that the code is visibly non-zero where it is returned (code must be a
 * constant). */
#define fail_code(ld, code, at, ...) (note_error((ld), (code), (at), __VA_ARGS__), (code))
#define fail(ld, at, ...)            fail_code((ld), QUELL_ECONFIG, (at), __VA_ARGS__)

static int fail_nomem(struct loader *ld)
{
    err_set(ld->err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory reading rules");
    return QUELL_ENOMEM;
}

/* Append to v unless it already holds limit items (an error naming what). */
static int push(struct loader *ld, struct vec *v, size_t elem_size, size_t limit, const char *what,
                const struct where *at, void **out)
{
    *out = NULL;
    if (v->count >= limit)
        return fail(ld, at, "too many %s (the limit is %zu)", what, limit);
    *out = vec_push(v, elem_size);
    return *out ? QUELL_OK : fail_nomem(ld);
}

/* The directory of base joined with rel, malloc'd: includes and lists
 * resolve relative to the file that names them. NULL when out of memory. */
static char *join_path(const char *base, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(base, '/');
    size_t dir_len = slash ? (size_t)(slash - base) + 1 : 0;
    size_t rel_len = strlen(rel);
    size_t total;
    if (__builtin_add_overflow(dir_len, rel_len, &total) ||
        __builtin_add_overflow(total, 1, &total))
        return NULL;
    char *p = malloc(total);
    if (!p)
        return NULL;
    memcpy(p, base, dir_len);
    memcpy(p + dir_len, rel, rel_len + 1);
    return p;
}

/* Add a path to table->files (once, when is_shared) and give its index. */
static int add_file(struct loader *ld, const char *path, bool is_shared, const struct where *at,
                    uint32_t *index)
{
    if (is_shared) {
        const char *const *files = ld->files.data;
        for (size_t i = 0; i < ld->files.count; i++) {
            if (strcmp(files[i], path) == 0) {
                *index = (uint32_t)i;
                return QUELL_OK;
            }
        }
    }
    char *copy = pool_strndup(ld->pool, path, strlen(path));
    if (!copy)
        return fail_nomem(ld);
    const char **slot;
    int rc = push(ld, &ld->files, sizeof *slot, RULES_MAX_FILES, "files", at, (void **)&slot);
    if (rc)
        return rc;
    *slot = copy;
    *index = (uint32_t)(ld->files.count - 1);
    return QUELL_OK;
}

/* An I/O failure on path, reported where the file was named (or on path
 * itself for the top file). */
static int fail_io(struct loader *ld, const struct where *at, const char *what, const char *path,
                   int errnum)
{
    if (errnum == ENOMEM)
        return fail_nomem(ld);
    char why[128];
    if (strerror_r(errnum, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", errnum);
    if (!at) {
        err_set(ld->err, QUELL_EIO, path, 0, NULL, "cannot read %s \"%s\": %s", what, path, why);
        return QUELL_EIO;
    }
    return fail_code(ld, QUELL_EIO, at, "cannot read %s \"%s\": %s", what, path, why);
}

/* Read a whole file into a malloc'd buffer. Returns 0, an errno value, or
 * EFBIG past cap bytes. */
static int read_whole_file(const char *path, size_t cap, char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno ? errno : EIO;
    int rc = read_all(f, cap, out, out_len);
    fclose(f);
    return rc;
}

/* Note where each line of src starts. Returns 0 or ENOMEM. */
static int index_lines(struct source *src)
{
    size_t count = 1;
    for (size_t i = 0; i < src->len; i++)
        count += src->text[i] == '\n';
    src->line_start = malloc(count * sizeof *src->line_start);
    if (!src->line_start)
        return ENOMEM;
    src->line_start[0] = 0;
    src->line_count = 1;
    for (size_t i = 0; i < src->len; i++) {
        if (src->text[i] == '\n')
            src->line_start[src->line_count++] = i + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Typed settings                                                            */

static int get_string(struct loader *ld, const config_setting_t *s, const struct where *at,
                      const char **out)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(ld, at, "\"%s\" must be a string", config_setting_name(s));
    *out = config_setting_get_string(s);
    return QUELL_OK;
}

static int get_bool(struct loader *ld, const config_setting_t *s, const struct where *at, bool *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail(ld, at, "\"%s\" must be true or false", config_setting_name(s));
    *out = config_setting_get_bool(s) != 0;
    return QUELL_OK;
}

/* An integer setting in [min, max]. */
static int get_int(struct loader *ld, const config_setting_t *s, const struct where *at,
                   long long min, long long max, long long *out)
{
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return fail(ld, at, "\"%s\" must be an integer", config_setting_name(s));
    long long v = config_setting_get_int64(s);
    if (v < min || v > max)
        return fail(ld, at, "\"%s\" is %lld; it must be from %lld to %lld", config_setting_name(s),
                    v, min, max);
    *out = v;
    return QUELL_OK;
}

/* A number of points (int or float), scaled to SCORE_UNIT and rounded half
 * away from zero: the table keeps exact thousandths. */
static int get_points(struct loader *ld, const config_setting_t *s, const struct where *at,
                      bool is_negative_ok, double max_points, int64_t *out)
{
    const char *name = config_setting_name(s);
    double v;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        v = (double)config_setting_get_int64(s);
        break;
    case CONFIG_TYPE_FLOAT:
        v = config_setting_get_float(s);
        break;
    default:
        return fail(ld, at, "\"%s\" must be a number", name);
    }
    /* Written so that NaN fails too. */
    if (!(v >= -max_points && v <= max_points))
        return fail(ld, at, "\"%s\" is %g; it must be from %g to %g", name, v, -max_points,
                    max_points);
    if (v < 0 && !is_negative_ok)
        return fail(ld, at, "\"%s\" is %g; it must not be negative", name, v);
    double scaled = v * SCORE_UNIT;
    *out = (int64_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    return QUELL_OK;
}

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

/* Called with each string of a setting, at its own line. */
typedef int (*string_fn)(struct loader *ld, const char *text, const struct where *at, void *ctx);

/*
 * Check that s is an array of strings (possibly empty) or, when is_single_ok,
 * one string; then hand each string to fn.
 */
static int for_each_string(struct loader *ld, const config_setting_t *s, const struct where *at,
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
        return fail_nomem(ld);
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
static int member_where(struct loader *ld, const config_setting_t *s, uint32_t file,
                        const char *rule_id, struct where *at)
{
    at->file = file;
    at->line = config_setting_source_line(s);
    at->rule_id = rule_id;
    const char *src = config_setting_source_file(s);
    if (src && strcmp(src, file_name(ld, file)) != 0) {
        const struct where file_at = {file, 0, rule_id};
        return fail(ld, &file_at, "@include \"%s\" is not supported; use include = [ \"%s\" ]", src,
                    src);
    }
    return QUELL_OK;
}

static bool is_name_char(char c, bool is_rule_id)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
        return true;
    return is_rule_id && ((c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '-');
}

/* A rule id ([A-Za-z0-9_.:-]+) or category name ([a-z0-9_]+). */
static int check_name(struct loader *ld, const struct where *at, const char *what, const char *name,
                      bool is_rule_id)
{
    char q[QUOTE_BUF_BYTES];
    size_t len = strlen(name);
    if (len == 0)
        return fail(ld, at, "%s is empty", what);
    if (len > RULES_MAX_NAME_BYTES)
        return fail(ld, at, "%s \"%s\" is longer than %d bytes", what,
                    rules_quote(q, sizeof q, name, len), RULES_MAX_NAME_BYTES);
    for (size_t i = 0; i < len; i++) {
        if (!is_name_char(name[i], is_rule_id))
            return fail(ld, at, "%s \"%s\" may only use %s", what,
                        rules_quote(q, sizeof q, name, len),
                        is_rule_id ? "A-Z a-z 0-9 _ . : -" : "a-z 0-9 _");
    }
    return QUELL_OK;
}

/* Text for a pattern or example: bounded, no NUL, valid UTF-8. */
static int check_text(struct loader *ld, const struct where *at, const char *what, const char *text,
                      size_t len, bool is_empty_ok)
{
    char q[QUOTE_BUF_BYTES];
    size_t bad_off;
    if (len == 0 && !is_empty_ok)
        return fail(ld, at, "empty %s \"\"", what);
    if (len > RULES_MAX_TEXT_BYTES)
        return fail(ld, at, "%s \"%s\" is longer than %zu bytes", what,
                    rules_quote(q, sizeof q, text, len), RULES_MAX_TEXT_BYTES);
    if (memchr(text, '\0', len))
        return fail(ld, at, "%s \"%s\" contains a NUL byte", what,
                    rules_quote(q, sizeof q, text, len));
    if (!utf8_valid(text, len, &bad_off))
        return fail(ld, at, "%s \"%s\" is not valid UTF-8 (byte %zu)", what,
                    rules_quote(q, sizeof q, text, len), bad_off);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Top-level sections                                                        */

static int parse_actions(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    static const char *const keys[] = {"flag", "hold", "reject"};
    struct where at = {file, config_setting_source_line(group), NULL};
    struct where key_at[4] = {at, at, at, at};
    bool is_set[4] = {false, false, false, false};

    if (!config_setting_is_group(group))
        return fail(ld, &at, "\"actions\" must be a group, like { flag = 3.0; ... }");
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        int rc = member_where(ld, s, file, NULL, &s_at);
        if (rc)
            return rc;
        const char *name = config_setting_name(s);
        int action = 0;
        for (int k = 0; k < 3; k++) {
            if (strcmp(name, keys[k]) == 0)
                action = QUELL_FLAG + k;
        }
        if (action == 0)
            return fail(ld, &s_at, "unknown key \"%s\" in actions (expected flag, hold, reject)",
                        name);
        if ((rc = get_points(ld, s, &s_at, true, RULES_MAX_POINTS, &ld->threshold[action])))
            return rc;
        is_set[action] = true;
        key_at[action] = s_at;
    }
    for (int action = QUELL_FLAG; action <= QUELL_REJECT; action++) {
        if (!is_set[action])
            return fail(ld, &at, "actions has no \"%s\" threshold", keys[action - QUELL_FLAG]);
    }
    /* Compared after scaling: the table's values are what must be ordered. */
    for (int action = QUELL_FLAG; action <= QUELL_REJECT; action++) {
        if (ld->threshold[action] <= ld->threshold[action - 1])
            return fail(ld, &key_at[action],
                        "thresholds must satisfy 0 < flag < hold < reject "
                        "(flag %.3f, hold %.3f, reject %.3f)",
                        (double)ld->threshold[QUELL_FLAG] / SCORE_UNIT,
                        (double)ld->threshold[QUELL_HOLD] / SCORE_UNIT,
                        (double)ld->threshold[QUELL_REJECT] / SCORE_UNIT);
    }
    ld->has_actions = true;
    return QUELL_OK;
}

/* One entry of an allow list; ctx is the category index (or all). */
static int add_allow(struct loader *ld, const char *text, const struct where *at, void *ctx)
{
    size_t len = strlen(text);
    int rc = check_text(ld, at, "allowed word", text, len, false);
    if (rc)
        return rc;
    struct allow_word *a;
    if ((rc = push(ld, &ld->allows, sizeof *a, RULES_MAX_PATTERNS, "allowed words", at,
                   (void **)&a)))
        return rc;
    a->text = pool_strndup(ld->pool, text, len);
    if (!a->text)
        return fail_nomem(ld);
    a->text_len = (uint32_t)len;
    a->category = *(const uint32_t *)ctx;
    a->file = at->file;
    a->line = at->line;
    return QUELL_OK;
}

static int parse_category(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    struct where at = {file, config_setting_source_line(group), NULL};
    struct where name_at = at;
    const char *name = NULL;
    int64_t cap = -1;
    bool is_separate = false;
    const config_setting_t *allow = NULL;
    struct where allow_at = at;
    int rc;

    if (!config_setting_is_group(group))
        return fail(ld, &at, "each category must be a group, like { name = \"spam\"; }");
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        if ((rc = member_where(ld, s, file, NULL, &s_at)))
            return rc;
        const char *key = config_setting_name(s);
        if (strcmp(key, "name") == 0) {
            if ((rc = get_string(ld, s, &s_at, &name)))
                return rc;
            if ((rc = check_name(ld, &s_at, "category name", name, false)))
                return rc;
            name_at = s_at;
        } else if (strcmp(key, "cap") == 0) {
            if ((rc = get_points(ld, s, &s_at, false, RULES_MAX_POINTS, &cap)))
                return rc;
        } else if (strcmp(key, "separate") == 0) {
            if ((rc = get_bool(ld, s, &s_at, &is_separate)))
                return rc;
        } else if (strcmp(key, "allow") == 0) {
            /* Read once the category has its index, below. */
            allow = s;
            allow_at = s_at;
        } else {
            return fail(ld, &s_at,
                        "unknown key \"%s\" in category (expected name, cap, separate, allow)",
                        key);
        }
    }
    if (!name)
        return fail(ld, &at, "category has no \"name\"");

    uint32_t first;
    if (map_get(&ld->category_names, name, strlen(name), &first)) {
        const struct where *w = (const struct where *)ld->category_where.data + first;
        return fail(ld, &name_at, "duplicate category \"%s\" (first declared at %s:%u)", name,
                    file_name(ld, w->file), (unsigned)w->line);
    }
    struct category *cat;
    struct where *cat_where;
    if ((rc = push(ld, &ld->categories, sizeof *cat, RULES_MAX_CATEGORIES, "categories", &name_at,
                   (void **)&cat)))
        return rc;
    if ((rc = push(ld, &ld->category_where, sizeof *cat_where, RULES_MAX_CATEGORIES, "categories",
                   &name_at, (void **)&cat_where)))
        return rc;
    cat->name = pool_strndup(ld->pool, name, strlen(name));
    if (!cat->name)
        return fail_nomem(ld);
    cat->cap = cap;
    cat->is_separate = is_separate;
    cat->file = name_at.file;
    cat->line = name_at.line;
    *cat_where = name_at;
    uint32_t index = (uint32_t)(ld->categories.count - 1);
    if (map_put(&ld->category_names, cat->name, index))
        return fail_nomem(ld);
    if (allow)
        return for_each_string(ld, allow, &allow_at, false, add_allow, &index);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Rules                                                                     */

static int add_pattern(struct loader *ld, const struct where *at, uint8_t kind, uint32_t rule,
                       const char *text, size_t len)
{
    char what[32];
    snprintf(what, sizeof what, "%s pattern", kind_names[kind]);
    int rc = check_text(ld, at, what, text, len, false);
    if (rc)
        return rc;
    struct pattern *p;
    if ((rc = push(ld, &ld->patterns, sizeof *p, RULES_MAX_PATTERNS, "patterns", at, (void **)&p)))
        return rc;
    p->text = pool_strndup(ld->pool, text, len);
    if (!p->text)
        return fail_nomem(ld);
    p->text_len = (uint32_t)len;
    p->kind = kind;
    p->view = VIEW_RAW;
    p->rule = rule;
    p->file = at->file;
    p->line = at->line;
    return QUELL_OK;
}

static bool is_trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Add the patterns of a list file: one per line, trimmed, blank lines and
 * #-comments skipped; each pattern is located by its own line. */
static int read_list(struct loader *ld, const char *path, const struct where *ref, uint8_t kind,
                     uint32_t rule)
{
    uint32_t file;
    char *buf = NULL;
    size_t len = 0;
    int rc = add_file(ld, path, true, ref, &file);
    if (rc)
        return rc;
    rc = read_whole_file(path, RULES_MAX_LIST_BYTES, &buf, &len);
    if (rc == EFBIG) {
        struct where list_at = {file, 0, ref->rule_id};
        return fail(ld, &list_at, "list file is larger than %zu bytes", RULES_MAX_LIST_BYTES);
    }
    if (rc)
        return fail_io(ld, ref, "list file", path, rc);

    size_t pos = 0;
    /* A byte order mark is not part of the first pattern. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    struct where at = {file, 0, ref->rule_id};
    while (pos < len) {
        const char *start = buf + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        at.line++;
        while (n > 0 && is_trim_space(start[0])) {
            start++;
            n--;
        }
        while (n > 0 && is_trim_space(start[n - 1]))
            n--;
        if (n == 0 || start[0] == '#')
            continue;
        if ((rc = add_pattern(ld, &at, kind, rule, start, n)))
            break;
    }
    free(buf);
    return rc;
}

/* Where a rule's patterns go. */
struct pattern_ctx {
    uint8_t kind;
    uint32_t rule;
    const char *key;
};

/* words / substrings / regexes: one inline pattern. */
static int add_inline_pattern(struct loader *ld, const char *text, const struct where *at,
                              void *ctx)
{
    const struct pattern_ctx *pc = ctx;
    return add_pattern(ld, at, pc->kind, pc->rule, text, strlen(text));
}

/* words_file / substrings_file / regexes_file: one list file, relative to
 * the configuration file. */
static int add_list_file(struct loader *ld, const char *rel, const struct where *at, void *ctx)
{
    const struct pattern_ctx *pc = ctx;
    if (rel[0] == '\0')
        return fail(ld, at, "empty path in \"%s\"", pc->key);
    char *path = join_path(file_name(ld, at->file), rel);
    if (!path)
        return fail_nomem(ld);
    int rc = read_list(ld, path, at, pc->kind, pc->rule);
    free(path);
    return rc;
}

/* must_match / must_not_match: one example. */
static int add_example(struct loader *ld, const char *text, const struct where *at, void *ctx)
{
    bool should_match = *(const bool *)ctx;
    size_t len = strlen(text);
    int rc = check_text(ld, at, should_match ? "must_match example" : "must_not_match example",
                        text, len, true);
    if (rc)
        return rc;
    struct example *ex;
    if ((rc =
             push(ld, &ld->examples, sizeof *ex, RULES_MAX_EXAMPLES, "examples", at, (void **)&ex)))
        return rc;
    ex->text = pool_strndup(ld->pool, text, len);
    if (!ex->text)
        return fail_nomem(ld);
    ex->text_len = (uint32_t)len;
    ex->should_match = should_match;
    ex->line = at->line;
    return QUELL_OK;
}

const char *rules_view_name(unsigned int view)
{
    return view < VIEW_COUNT ? views_chain[view].name : NULL;
}

/* One entry of views = [...]: adds its bit to the mask in ctx. */
static int add_view(struct loader *ld, const char *name, const struct where *at, void *ctx)
{
    uint8_t *mask = ctx;
    for (unsigned int v = 0; v < VIEW_COUNT; v++) {
        if (strcmp(name, rules_view_name(v)) == 0) {
            *mask |= (uint8_t)(1u << v);
            return QUELL_OK;
        }
    }
    return fail(ld, at, "unknown view \"%s\" (expected \"raw\", \"folded\" or \"skeleton\")", name);
}

/*
 * Give each of a rule's patterns its views: the ones the rule names, else
 * skeleton for words and substrings (they are literals, so the compiler puts
 * them through the same normalisation) and raw for regexes and for anything
 * case-sensitive. A pattern in several views is entered once per view.
 */
static int assign_views(struct loader *ld, size_t pattern_start, uint8_t mask,
                        bool is_case_sensitive, const struct where *views_at)
{
    if (views_at->line && !mask)
        return fail(ld, views_at, "\"views\" names no view");
    if (mask && is_case_sensitive && (mask & ~(1u << VIEW_RAW)))
        return fail(ld, views_at,
                    "a case-sensitive rule can only scan the raw view: "
                    "the folded and skeleton views are case folded");
    size_t end = ld->patterns.count;
    for (size_t i = pattern_start; i < end; i++) {
        struct pattern *p = (struct pattern *)ld->patterns.data + i;
        uint8_t views = mask;
        if (!views)
            views = (uint8_t)(1u << (p->kind == PAT_REGEX || is_case_sensitive ? VIEW_RAW
                                                                               : VIEW_SKELETON));
        bool is_first = true;
        for (unsigned int v = 0; v < VIEW_COUNT; v++) {
            if (!(views & (1u << v)))
                continue;
            if (is_first) {
                p->view = (uint8_t)v;
                is_first = false;
                continue;
            }
            struct pattern *copy;
            struct where at = {p->file, p->line, NULL};
            int rc = push(ld, &ld->patterns, sizeof *copy, RULES_MAX_PATTERNS, "patterns", &at,
                          (void **)&copy);
            if (rc)
                return rc;
            /* push may have moved the array. */
            p = (struct pattern *)ld->patterns.data + i;
            *copy = *p;
            copy->view = (uint8_t)v;
        }
    }
    return QUELL_OK;
}

/* Whether text holds a letter of the Arabic block (U+0600..U+06FF). */
static bool has_arabic(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0xD8 && c <= 0xDB)
            return true;
    }
    return false;
}

/*
 * arabizi = true: each Arabic-script word of the rule is entered once more,
 * as PAT_ARABIZI in the folded view (where digits stay digits); the derived
 * rules write its regex. Each word once, whatever views the rule names.
 */
static int add_arabizi(struct loader *ld, size_t pattern_start, const struct where *at)
{
    size_t end = ld->patterns.count;
    bool has_any = false;
    for (size_t i = pattern_start; i < end; i++) {
        const struct pattern *p = (const struct pattern *)ld->patterns.data + i;
        if (p->kind != PAT_WORD || !has_arabic(p->text, p->text_len))
            continue;
        bool is_dup = false;
        for (size_t j = pattern_start; j < i && !is_dup; j++) {
            const struct pattern *q = (const struct pattern *)ld->patterns.data + j;
            is_dup = q->kind == PAT_WORD && q->text == p->text;
        }
        if (is_dup)
            continue;
        struct pattern *copy;
        struct where p_at = {p->file, p->line, at->rule_id};
        int rc = push(ld, &ld->patterns, sizeof *copy, RULES_MAX_PATTERNS, "patterns", &p_at,
                      (void **)&copy);
        if (rc)
            return rc;
        p = (const struct pattern *)ld->patterns.data + i; /* push may move the array */
        *copy = *p;
        copy->kind = PAT_ARABIZI;
        copy->view = VIEW_FOLDED;
        has_any = true;
    }
    if (!has_any)
        return fail(ld, at, "\"arabizi\" is set but no word is in Arabic script");
    return QUELL_OK;
}

/* The rule's id, checked and not yet taken; the id's position becomes the
 * rule's position. */
static int parse_rule_id(struct loader *ld, const config_setting_t *group, uint32_t file,
                         const char **id, struct where *at)
{
    const config_setting_t *s = config_setting_get_member(group, "id");
    const char *text;
    int rc;
    if (!s) {
        struct where group_at = {file, config_setting_source_line(group), NULL};
        return fail(ld, &group_at, "rule has no \"id\"");
    }
    if ((rc = member_where(ld, s, file, NULL, at)))
        return rc;
    if ((rc = get_string(ld, s, at, &text)))
        return rc;
    if ((rc = check_name(ld, at, "rule id", text, true)))
        return rc;
    uint32_t first;
    if (map_get(&ld->rule_ids, text, strlen(text), &first)) {
        const struct rule *r = (const struct rule *)ld->rules.data + first;
        at->rule_id = text;
        return fail(ld, at, "duplicate rule id \"%s\" (first defined at %s:%u)", text,
                    file_name(ld, r->file), (unsigned)r->line);
    }
    *id = pool_strndup(ld->pool, text, strlen(text));
    if (!*id)
        return fail_nomem(ld);
    at->rule_id = *id;
    return QUELL_OK;
}

static int parse_rule(struct loader *ld, const config_setting_t *group, uint32_t file)
{
    static const struct {
        const char *key;
        uint8_t kind;
        bool is_list_file;
    } pattern_keys[] = {
        {"words", PAT_WORD, false},
        {"substrings", PAT_SUBSTRING, false},
        {"regexes", PAT_REGEX, false},
        {"words_file", PAT_WORD, true},
        {"substrings_file", PAT_SUBSTRING, true},
        {"regexes_file", PAT_REGEX, true},
    };
    struct where group_at = {file, config_setting_source_line(group), NULL};
    struct where at;
    const char *id = NULL;
    bool has_weight = false;
    bool is_case_sensitive = false;
    bool is_arabizi = false;
    struct where arabizi_at = {file, 0, NULL};
    uint8_t view_mask = 0; /* views = [...], by bit; 0: the defaults */
    struct where views_at = {file, 0, NULL};
    uint32_t pattern_key_line = 0;
    uint32_t combo_only_line = 0; /* a key that means nothing for a combination */
    const char *combo_only_key = NULL;
    int rc;

    if (!config_setting_is_group(group))
        return fail(ld, &group_at, "each rule must be a group, like { id = \"...\"; ... }");
    if ((rc = parse_rule_id(ld, group, file, &id, &at)))
        return rc;

    struct rule *rule;
    struct rule_info *info;
    if ((rc = push(ld, &ld->rules, sizeof *rule, RULES_MAX_RULES, "rules", &at, (void **)&rule)))
        return rc;
    if ((rc =
             push(ld, &ld->rule_info, sizeof *info, RULES_MAX_RULES, "rules", &at, (void **)&info)))
        return rc;
    uint32_t index = (uint32_t)(ld->rules.count - 1);
    if (map_put(&ld->rule_ids, id, index))
        return fail_nomem(ld);
    size_t pattern_start = ld->patterns.count;
    size_t example_start = ld->examples.count;
    rule->id = id;
    rule->field = QUELL_FIELD_BODY;
    rule->max_hits = 1;
    rule->min_count = 1;
    rule->file = file;
    rule->line = at.line;

    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
        struct where s_at;
        if ((rc = member_where(ld, s, file, id, &s_at)))
            return rc;
        const char *key = config_setting_name(s);
        size_t k = 0;
        while (k < sizeof pattern_keys / sizeof pattern_keys[0] &&
               strcmp(key, pattern_keys[k].key) != 0)
            k++;
        long long count;
        const char *text;

        if (k < sizeof pattern_keys / sizeof pattern_keys[0]) {
            struct pattern_ctx pc = {pattern_keys[k].kind, index, key};
            if (pattern_key_line == 0)
                pattern_key_line = s_at.line;
            /* An empty list beside other patterns would be silently nothing:
             * most likely patterns lost in an edit. */
            if (config_setting_type(s) == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)
                rc = fail(ld, &s_at, "\"%s\" is an empty list: give it patterns or remove it",
                          key);
            else if (pattern_keys[k].is_list_file)
                rc = for_each_string(ld, s, &s_at, true, add_list_file, &pc);
            else
                rc = for_each_string(ld, s, &s_at, false, add_inline_pattern, &pc);
        } else if (strcmp(key, "id") == 0) {
            rc = QUELL_OK;
        } else if (strcmp(key, "category") == 0) {
            if (!(rc = get_string(ld, s, &s_at, &text))) {
                info->category = pool_strndup(ld->pool, text, strlen(text));
                info->category_line = s_at.line;
                if (!info->category)
                    rc = fail_nomem(ld);
            }
        } else if (strcmp(key, "weight") == 0) {
            rc = get_points(ld, s, &s_at, true, (double)WEIGHT_MAX / SCORE_UNIT, &rule->weight);
            has_weight = true;
        } else if (strcmp(key, "field") == 0) {
            if (!(rc = get_string(ld, s, &s_at, &text))) {
                if (strcmp(text, "body") == 0)
                    rule->field = QUELL_FIELD_BODY;
                else if (strcmp(text, "author") == 0)
                    rule->field = QUELL_FIELD_AUTHOR;
                else
                    rc = fail(ld, &s_at, "unknown field \"%s\" (expected \"body\" or \"author\")",
                              text);
            }
        } else if (strcmp(key, "case_sensitive") == 0) {
            rc = get_bool(ld, s, &s_at, &is_case_sensitive);
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "views") == 0) {
            rc = for_each_string(ld, s, &s_at, true, add_view, &view_mask);
            views_at = s_at;
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "max_hits") == 0 || strcmp(key, "min_count") == 0) {
            if (!(rc = get_int(ld, s, &s_at, 1, RULES_MAX_COUNT, &count))) {
                if (strcmp(key, "max_hits") == 0)
                    rule->max_hits = (uint32_t)count;
                else
                    rule->min_count = (uint32_t)count;
            }
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "arabizi") == 0) {
            rc = get_bool(ld, s, &s_at, &is_arabizi);
            arabizi_at = s_at;
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "validate") == 0) {
            if (!(rc = get_string(ld, s, &s_at, &text))) {
                rule->validator = (uint8_t)validate_by_name(text);
                if (rule->validator == VALIDATE_NONE)
                    rc = fail(ld, &s_at, "unknown validator \"%s\" (expected \"luhn\")", text);
            }
            combo_only_key = key;
            combo_only_line = s_at.line;
        } else if (strcmp(key, "combine") == 0) {
            if (!(rc = get_string(ld, s, &s_at, &text))) {
                size_t len = strlen(text);
                info->combine_line = s_at.line;
                if (len > RULES_MAX_TEXT_BYTES) {
                    char q[QUOTE_BUF_BYTES];
                    rc = fail(ld, &s_at, "combine \"%s\" is longer than %zu bytes",
                              rules_quote(q, sizeof q, text, len), RULES_MAX_TEXT_BYTES);
                } else if (!(rule->expr_text = pool_strndup(ld->pool, text, len))) {
                    rc = fail_nomem(ld);
                }
            }
        } else if (strcmp(key, "must_match") == 0 || strcmp(key, "must_not_match") == 0) {
            bool should_match = strcmp(key, "must_match") == 0;
            rc = for_each_string(ld, s, &s_at, false, add_example, &should_match);
        } else {
            rc = fail(ld, &s_at, "unknown key \"%s\" in rule", key);
        }
        if (rc)
            return rc;
    }

    if (!info->category)
        return fail(ld, &at, "rule has no \"category\"");
    if (!has_weight)
        return fail(ld, &at, "rule has no \"weight\"");
    if (rule->expr_text) {
        struct where combine_at = {file, info->combine_line, id};
        if (pattern_key_line)
            return fail(ld, &combine_at,
                        "rule has both patterns (line %u) and combine; use one or the other",
                        (unsigned)pattern_key_line);
        if (combo_only_key) {
            combine_at.line = combo_only_line;
            return fail(ld, &combine_at, "\"%s\" does not apply to a combination", combo_only_key);
        }
    } else if (ld->patterns.count == pattern_start) {
        return fail(ld, &at, "rule has neither patterns nor combine");
    }

    rule->is_caseless = !is_case_sensitive;
    struct pattern *patterns = ld->patterns.data;
    for (size_t i = pattern_start; i < ld->patterns.count; i++)
        patterns[i].is_caseless = rule->is_caseless;
    views_at.rule_id = id;
    if ((rc = assign_views(ld, pattern_start, view_mask, is_case_sensitive, &views_at)))
        return rc;
    if (is_arabizi) {
        arabizi_at.rule_id = id;
        if (is_case_sensitive)
            return fail(ld, &arabizi_at, "an arabizi rule cannot be case-sensitive");
        if ((rc = add_arabizi(ld, pattern_start, &arabizi_at)))
            return rc;
    }
    rule->example_start = (uint32_t)example_start;
    rule->example_count = (uint32_t)(ld->examples.count - example_start);
    return QUELL_OK;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

static int load_config(struct loader *ld, const char *path, const struct where *from, int depth);

/* One entry of include = [...], relative to the including file. */
static int include_file(struct loader *ld, const char *rel, const struct where *at, void *ctx)
{
    int depth = *(const int *)ctx;
    if (rel[0] == '\0')
        return fail(ld, at, "empty path in \"include\"");
    char *path = join_path(file_name(ld, at->file), rel);
    if (!path)
        return fail_nomem(ld);
    const struct where from = {at->file, at->line, NULL};
    int rc = load_config(ld, path, &from, depth + 1);
    free(path);
    return rc;
}

/* A list of groups, each handed to parse. */
static int parse_group_list(struct loader *ld, const config_setting_t *s, const struct where *at,
                            int (*parse)(struct loader *, const config_setting_t *, uint32_t))
{
    if (!config_setting_is_list(s))
        return fail(ld, at, "\"%s\" must be a list of groups, like ( { ... }, { ... } )",
                    config_setting_name(s));
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
        struct where e_at;
        int rc = member_where(ld, e, at->file, NULL, &e_at);
        if (!rc)
            rc = parse(ld, e, at->file);
        if (rc)
            return rc;
    }
    return QUELL_OK;
}

/* The rule set's label, e.g. a date or a git revision: one line of
 * printable text, since it travels in every verdict's context. */
static int parse_label(struct loader *ld, const config_setting_t *s, const struct where *at)
{
    const char *text;
    int rc = get_string(ld, s, at, &text);
    if (rc)
        return rc;
    size_t len = strlen(text);
    if (len > RULES_LABEL_MAX)
        return fail(ld, at, "\"label\" is %zu bytes long; at most %d are allowed", len,
                    RULES_LABEL_MAX);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return fail(ld, at, "\"label\" must not hold control characters");
    }
    if (!utf8_valid(text, len, NULL))
        return fail(ld, at, "\"label\" is not valid UTF-8");
    ld->label = pool_strndup(ld->pool, text, len);
    return ld->label ? QUELL_OK : fail_nomem(ld);
}

/* The settings of one file, in the order written: an include brings its
 * rules in at that point. */
static int parse_root(struct loader *ld, const config_setting_t *root, uint32_t file, bool is_top,
                      int depth)
{
    bool has_version = false;
    int n = config_setting_length(root);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned int)i);
        const char *key = config_setting_name(s);
        struct where at;
        long long version;
        int rc = member_where(ld, s, file, NULL, &at);
        if (rc)
            return rc;
        if (strcmp(key, "version") == 0) {
            has_version = true;
            rc = get_int(ld, s, &at, LLONG_MIN, LLONG_MAX, &version);
            if (!rc && version != RULES_FORMAT_VERSION)
                rc = fail(ld, &at, "\"version\" is %lld; this quell reads version %d", version,
                          RULES_FORMAT_VERSION);
        } else if (strcmp(key, "actions") == 0) {
            rc = is_top ? parse_actions(ld, s, file)
                        : fail(ld, &at, "\"actions\" belong to the top file only");
        } else if (strcmp(key, "label") == 0) {
            rc = is_top ? parse_label(ld, s, &at)
                        : fail(ld, &at, "\"label\" belongs to the top file only");
        } else if (strcmp(key, "categories") == 0) {
            rc = parse_group_list(ld, s, &at, parse_category);
        } else if (strcmp(key, "include") == 0) {
            rc = for_each_string(ld, s, &at, false, include_file, &depth);
        } else if (strcmp(key, "rules") == 0) {
            rc = parse_group_list(ld, s, &at, parse_rule);
        } else if (strcmp(key, "allow") == 0) {
            uint32_t all = ALLOW_ALL_CATEGORIES;
            rc = for_each_string(ld, s, &at, false, add_allow, &all);
        } else {
            rc = fail(ld, &at,
                      "unknown key \"%s\" (expected version, label, actions, categories, "
                      "include, rules, allow)",
                      key);
        }
        if (rc)
            return rc;
    }
    struct where file_at = {file, 0, NULL};
    if (is_top && !has_version)
        return fail(ld, &file_at, "missing \"version = %d;\"", RULES_FORMAT_VERSION);
    if (is_top && !ld->has_actions)
        return fail(ld, &file_at, "missing \"actions\" (flag, hold and reject thresholds)");
    return QUELL_OK;
}

/*
 * libconfig's own @include opens the file it names itself, and its scanner
 * exits the process when reading it fails (`@include ""` names a folder).
 * Settings it would splice in are refused anyway (member_where), so the
 * directive is refused before libconfig sees the text: at the start of a
 * line after blanks, as libconfig's scanner matches it.
 */
static bool has_word_at(const struct source *src, size_t off, const char *word)
{
    size_t len = strlen(word);
    return off <= src->len && src->len - off >= len && memcmp(src->text + off, word, len) == 0;
}

static int refuse_at_include(struct loader *ld, const struct source *src, uint32_t file)
{
    const char *end = src->text + src->len;
    for (size_t l = 0; l < src->line_count; l++) {
        size_t i = src->line_start[l];
        while (i < src->len && (src->text[i] == ' ' || src->text[i] == '\t'))
            i++;
        if (!has_word_at(src, i, "@include"))
            continue;
        const char *p = src->text + i;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *open = memchr(p, '"', (size_t)((eol ? eol : end) - p));
        const char *name = open ? open + 1 : p + 8;
        const char *close = open ? memchr(name, '"', (size_t)((eol ? eol : end) - name)) : NULL;
        size_t len = (size_t)((close ? close : eol ? eol : end) - name);
        char q[QUOTE_BUF_BYTES];
        rules_quote(q, sizeof q, name, len);
        const struct where file_at = {file, 0, NULL};
        return fail(ld, &file_at, "@include \"%s\" is not supported; use include = [ \"%s\" ]", q,
                    q);
    }
    return QUELL_OK;
}

/* Read one configuration file and, through its includes, the files below
 * it. from is where it was included (NULL for the top file). */
static int load_config(struct loader *ld, const char *path, const struct where *from, int depth)
{
    /* The top file's own problems are reported at its line 0. */
    const struct where none = {0, 0, NULL};
    const struct where *at = from ? from : &none;
    if (depth > RULES_MAX_INCLUDE_DEPTH)
        return fail(ld, at, "includes nest deeper than %d files", RULES_MAX_INCLUDE_DEPTH);

    /* Files are told apart by their real path, so "a/../b.cfg" and "b.cfg"
     * are one file. */
    char *real_path = realpath(path, NULL);
    if (!real_path)
        return fail_io(ld, from, "configuration", path, errno);
    const struct config_file *configs = ld->configs.data;
    for (size_t i = 0; i < ld->configs.count; i++) {
        if (strcmp(configs[i].real_path, real_path) == 0) {
            free(real_path);
            if (configs[i].is_open)
                return fail(ld, at, "include cycle: \"%s\" is already being read", path);
            return fail(ld, at, "\"%s\" is included twice", path);
        }
    }
    struct config_file *cf;
    int rc = push(ld, &ld->configs, sizeof *cf, RULES_MAX_FILES, "configuration files", at,
                  (void **)&cf);
    if (rc) {
        free(real_path);
        return rc;
    }
    cf->real_path = real_path;
    cf->is_open = true;
    size_t config_index = ld->configs.count - 1;

    uint32_t file;
    if ((rc = add_file(ld, path, false, at, &file)))
        return rc;
    /* Read here too, as libconfig reports only "file I/O error" and keeps no
     * text for element_lines. */
    struct source src = {0};
    rc = read_whole_file(path, RULES_MAX_LIST_BYTES, &src.text, &src.len);
    if (rc == EFBIG)
        return fail(ld, at, "\"%s\" is larger than %zu bytes", path, RULES_MAX_LIST_BYTES);
    if (rc)
        return fail_io(ld, from, "configuration", path, rc);
    if (index_lines(&src)) {
        rc = fail_nomem(ld);
        goto out_free_source;
    }
    if ((rc = refuse_at_include(ld, &src, file)))
        goto out_free_source;

    /* A stray @include then resolves like include = [...] and member_where
     * can refuse it; libconfig copies the directory. */
    char *dir = join_path(path, "");
    if (!dir) {
        rc = fail_nomem(ld);
        goto out_free_source;
    }
    size_t dir_len = strlen(dir);
    if (dir_len > 1)
        dir[dir_len - 1] = '\0';
    config_t cfg;
    config_init(&cfg);
    if (dir_len > 0)
        config_set_include_dir(&cfg, dir);
    free(dir);
    if (!config_read_file(&cfg, file_name(ld, file))) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
            rc = fail_io(ld, from, "configuration", path, EIO);
        } else {
            const char *err_file = config_error_file(&cfg);
            rc = err_set(ld->err, QUELL_ECONFIG, err_file ? err_file : path,
                         config_error_line(&cfg), NULL, "%s", config_error_text(&cfg));
        }
        goto out_destroy;
    }
    const struct source *outer = ld->source;
    ld->source = &src;
    rc = parse_root(ld, config_root_setting(&cfg), file, from == NULL, depth);
    ld->source = outer;
    ((struct config_file *)ld->configs.data)[config_index].is_open = false;
out_destroy:
    config_destroy(&cfg);
out_free_source:
    free(src.line_start);
    free(src.text);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Resolution after every file is read                                       */

static int resolve_categories(struct loader *ld)
{
    struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    for (size_t i = 0; i < ld->rules.count; i++) {
        if (!map_get(&ld->category_names, info[i].category, strlen(info[i].category),
                     &rules[i].category)) {
            struct where at = {rules[i].file, info[i].category_line, rules[i].id};
            return fail(ld, &at, "unknown category \"%s\"", info[i].category);
        }
    }
    return QUELL_OK;
}

/* Recursive descent over one combine expression, emitting RPN steps.
 * Precedence: ! over & over |; each level returns the expression's value
 * on an empty comment, where no rule fires. */
struct expr_parser {
    struct loader *ld;
    const char *text;
    size_t len;
    size_t pos;
    int depth;
    struct where at;
};

static int expr_fail(struct expr_parser *p, const char *what)
{
    char q[QUOTE_BUF_BYTES];
    return fail(p->ld, &p->at, "bad combine \"%s\": %s at column %zu",
                rules_quote(q, sizeof q, p->text, p->len), what, p->pos + 1);
}

/* The character at p->pos cannot come next. */
static int expr_unexpected(struct expr_parser *p)
{
    char what[48];
    unsigned char c = (unsigned char)p->text[p->pos];
    if (is_name_char((char)c, true))
        snprintf(what, sizeof what, "an operator is missing");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof what, "unexpected \"%c\"", c);
    else
        snprintf(what, sizeof what, "unexpected byte 0x%02X", c);
    return expr_fail(p, what);
}

static void expr_skip_space(struct expr_parser *p)
{
    while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
                               p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
        p->pos++;
}

static int expr_emit(struct expr_parser *p, uint32_t op, uint32_t arg)
{
    struct expr_step *st;
    int rc = push(p->ld, &p->ld->steps, sizeof *st, RULES_MAX_STEPS, "combine steps", &p->at,
                  (void **)&st);
    if (rc)
        return rc;
    st->op = op;
    st->arg = arg;
    return QUELL_OK;
}

static int expr_or(struct expr_parser *p, bool *value);

static int expr_unary(struct expr_parser *p, bool *value)
{
    *value = false;
    expr_skip_space(p);
    if (p->pos == p->len)
        return expr_fail(p, p->len == 0 ? "it is empty" : "a rule id is missing");
    char c = p->text[p->pos];
    if (c == '!' || c == '(') {
        if (++p->depth > RULES_MAX_EXPR_DEPTH)
            return expr_fail(p, "it nests too deeply");
        p->pos++;
        int rc;
        if (c == '!') {
            bool v = false;
            if ((rc = expr_unary(p, &v)) || (rc = expr_emit(p, EXPR_NOT, 0)))
                return rc;
            *value = !v;
        } else {
            if ((rc = expr_or(p, value)))
                return rc;
            expr_skip_space(p);
            if (p->pos == p->len || p->text[p->pos] != ')')
                return expr_fail(p, "\")\" is missing");
            p->pos++;
        }
        p->depth--;
        return QUELL_OK;
    }
    size_t start = p->pos;
    while (p->pos < p->len && is_name_char(p->text[p->pos], true))
        p->pos++;
    if (p->pos == start)
        return expr_unexpected(p);
    uint32_t operand;
    if (!map_get(&p->ld->rule_ids, p->text + start, p->pos - start, &operand))
        return fail(p->ld, &p->at, "unknown rule \"%.*s\" in combine", (int)(p->pos - start),
                    p->text + start);
    return expr_emit(p, EXPR_RULE, operand);
}

static int expr_and(struct expr_parser *p, bool *value)
{
    int rc = expr_unary(p, value);
    for (;;) {
        if (rc)
            return rc;
        expr_skip_space(p);
        if (p->pos == p->len || p->text[p->pos] != '&')
            return QUELL_OK;
        p->pos++;
        bool rhs = false;
        if (!(rc = expr_unary(p, &rhs)))
            rc = expr_emit(p, EXPR_AND, 0);
        *value = *value && rhs;
    }
}

static int expr_or(struct expr_parser *p, bool *value)
{
    int rc = expr_and(p, value);
    for (;;) {
        if (rc)
            return rc;
        expr_skip_space(p);
        if (p->pos == p->len || p->text[p->pos] != '|')
            return QUELL_OK;
        p->pos++;
        bool rhs = false;
        if (!(rc = expr_and(p, &rhs)))
            rc = expr_emit(p, EXPR_OR, 0);
        *value = *value || rhs;
    }
}

static int compile_combinations(struct loader *ld)
{
    struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    char q[QUOTE_BUF_BYTES];
    for (size_t i = 0; i < ld->rules.count; i++) {
        if (!rules[i].expr_text)
            continue;
        struct expr_parser p = {ld,
                                rules[i].expr_text,
                                strlen(rules[i].expr_text),
                                0,
                                0,
                                {rules[i].file, info[i].combine_line, rules[i].id}};
        size_t start = ld->steps.count;
        bool value = false;
        int rc = expr_or(&p, &value);
        if (rc)
            return rc;
        expr_skip_space(&p);
        if (p.pos < p.len)
            return expr_unexpected(&p);
        /* Rules fire on something they found; a combination that needs
         * nothing would fire on every comment. */
        if (value)
            return fail(ld, &p.at, "combine \"%s\" holds for an empty comment",
                        rules_quote(q, sizeof q, p.text, p.len));
        rules[i].expr_start = (uint32_t)start;
        rules[i].expr_len = (uint32_t)(ld->steps.count - start);
    }
    return QUELL_OK;
}

/* Name the cycle stack[from..top) -> back to its start, into buf. */
static void describe_cycle(const struct loader *ld, const uint32_t *stack, size_t from, size_t top,
                           char *buf, size_t size)
{
    const struct rule *rules = ld->rules.data;
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = from; i <= top && o < size; i++) {
        const char *id = rules[stack[i < top ? i : from]].id;
        int n = snprintf(buf + o, size - o, "%s%s", i > from ? " -> " : "", id);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Order combinations so that every combination operand comes before the
 * rules using it (a depth-first post-order), refusing cycles. */
static int order_combinations(struct loader *ld)
{
    const struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    const struct expr_step *steps = ld->steps.data;
    size_t n = ld->rules.count;
    int rc = QUELL_OK;
    /* 0: not seen, 1: on the stack, 2: ordered */
    uint8_t *state = calloc(n ? n : 1, 1);
    uint32_t *stack = calloc(n ? n : 1, sizeof *stack);
    uint32_t *next_step = calloc(n ? n : 1, sizeof *next_step);
    if (!state || !stack || !next_step) {
        rc = fail_nomem(ld);
        goto out_free;
    }
    for (size_t root = 0; root < n && !rc; root++) {
        if (rules[root].expr_len == 0 || state[root])
            continue;
        size_t top = 0;
        stack[top++] = (uint32_t)root;
        state[root] = 1;
        while (top > 0 && !rc) {
            uint32_t r = stack[top - 1];
            if (next_step[r] < rules[r].expr_len) {
                const struct expr_step *st = &steps[rules[r].expr_start + next_step[r]++];
                if (st->op != EXPR_RULE || rules[st->arg].expr_len == 0 || state[st->arg] == 2)
                    continue;
                if (state[st->arg] == 0) {
                    state[st->arg] = 1;
                    stack[top++] = st->arg;
                    continue;
                }
                size_t from = top;
                while (stack[from - 1] != st->arg)
                    from--;
                char cycle[sizeof ld->err->message];
                describe_cycle(ld, stack, from - 1, top, cycle, sizeof cycle);
                struct where at = {rules[st->arg].file, info[st->arg].combine_line,
                                   rules[st->arg].id};
                rc = fail(ld, &at, "combination cycle: %s", cycle);
            } else {
                uint32_t *slot;
                struct where at = {rules[r].file, info[r].combine_line, rules[r].id};
                rc = push(ld, &ld->combo_order, sizeof *slot, RULES_MAX_RULES, "rules", &at,
                          (void **)&slot);
                if (!rc)
                    *slot = r;
                state[r] = 2;
                top--;
            }
        }
    }
out_free:
    free(next_step);
    free(stack);
    free(state);
    return rc;
}

/* Move the finished arrays into the pool-backed table. */
static int build_table(struct loader *ld, struct rule_table *t)
{
    int rc;
    void *p;
    if ((rc = vec_to_pool(ld->pool, &ld->categories, sizeof *t->categories, &p)))
        return rc;
    t->categories = p;
    if ((rc = vec_to_pool(ld->pool, &ld->rules, sizeof *t->rules, &p)))
        return rc;
    t->rules = p;
    if ((rc = vec_to_pool(ld->pool, &ld->patterns, sizeof *t->patterns, &p)))
        return rc;
    t->patterns = p;
    if ((rc = vec_to_pool(ld->pool, &ld->steps, sizeof *t->steps, &p)))
        return rc;
    t->steps = p;
    if ((rc = vec_to_pool(ld->pool, &ld->examples, sizeof *t->examples, &p)))
        return rc;
    t->examples = p;
    if ((rc = vec_to_pool(ld->pool, &ld->files, sizeof *t->files, &p)))
        return rc;
    t->files = p;
    if ((rc = vec_to_pool(ld->pool, &ld->combo_order, sizeof *t->combo_order, &p)))
        return rc;
    t->combo_order = p;
    if ((rc = vec_to_pool(ld->pool, &ld->allows, sizeof *t->allows, &p)))
        return rc;
    t->allows = p;
    t->allow_count = ld->allows.count;
    t->category_count = ld->categories.count;
    t->rule_count = ld->rules.count;
    t->pattern_count = ld->patterns.count;
    t->step_count = ld->steps.count;
    t->example_count = ld->examples.count;
    t->file_count = ld->files.count;
    t->combo_count = ld->combo_order.count;
    memcpy(t->threshold, ld->threshold, sizeof t->threshold);
    t->label = ld->label;
    t->pool = ld->pool;
    return QUELL_OK;
}

int rules_load_config(struct rule_table **out, const char *path, quell_error *err)
{
    struct loader ld = {0};
    struct rule_table *table = NULL;
    int rc;

    assert(out && path);
    *out = NULL;
    ld.err = err;
    ld.pool = pool_new();
    if (!ld.pool) {
        rc = fail_nomem(&ld);
        goto out_free;
    }
    table = pool_alloc(ld.pool, sizeof *table);
    if (!table) {
        rc = fail_nomem(&ld);
        goto out_free;
    }
    if ((rc = load_config(&ld, path, NULL, 0)) || (rc = resolve_categories(&ld)) ||
        (rc = compile_combinations(&ld)) || (rc = order_combinations(&ld)))
        goto out_free;
    if ((rc = build_table(&ld, table))) {
        fail_nomem(&ld);
        goto out_free;
    }
    *out = table;
    ld.pool = NULL; /* now the table's */

out_free:
    for (size_t i = 0; i < ld.configs.count; i++)
        free(((struct config_file *)ld.configs.data)[i].real_path);
    free(ld.configs.data);
    free(ld.files.data);
    free(ld.categories.data);
    free(ld.category_where.data);
    free(ld.rules.data);
    free(ld.rule_info.data);
    free(ld.patterns.data);
    free(ld.examples.data);
    free(ld.steps.data);
    free(ld.allows.data);
    free(ld.combo_order.data);
    free(ld.rule_ids.slots);
    free(ld.category_names.slots);
    pool_free(ld.pool);
    return rc;
}

void rules_free(struct rule_table *table)
{
    /* The table lives in its own pool. */
    if (table)
        pool_free(table->pool);
}
