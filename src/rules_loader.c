/*
 * rules_loader.c - the rules loader's small tools: its growable arrays and
 * name maps, errors that say where, paths and files, and typed settings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocale.h"
#include "rules_loader.h"
#include "utf8.h"
#include "util/grow.h"
#include "util/readall.h"

/* ------------------------------------------------------------------------ */
/* Small tools                                                               */

/* Append a zeroed item to v, whose room never grows past max_items. */
static void *vec_push(struct vec *v, size_t elem_size, size_t max_items)
{
    void *data = grow_array(v->data, &v->cap, v->count + 1, elem_size, 16, max_items);
    if (!data)
        return NULL;
    v->data = data;
    void *e = (char *)v->data + v->count * elem_size;
    memset(e, 0, elem_size);
    v->count++;
    return e;
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

bool loader_map_get(const struct name_map *m, const char *name, size_t len, uint32_t *index)
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
int loader_map_put(struct name_map *m, const char *name, uint32_t index)
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
const char *loader_file_name(const struct loader *ld, uint32_t file)
{
    if (file >= ld->files.count)
        return NULL;
    return ((const char *const *)ld->files.data)[file];
}

/* Record an error at `at`. */
void loader_note_error(struct loader *ld, int code, const struct where *at, const char *fmt, ...)
{
    char msg[sizeof ld->err->message];
    va_list ap;
    va_start(ap, fmt);
    clocale_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(ld->err, code, loader_file_name(ld, at->file), (int)at->line, at->rule_id, "%s", msg);
}

int loader_fail_nomem(struct loader *ld)
{
    err_set(ld->err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory reading rules");
    return QUELL_ENOMEM;
}

/* Append to v unless it already holds limit items (an error naming what). */
int loader_push(struct loader *ld, struct vec *v, size_t elem_size, size_t limit, const char *what,
                const struct where *at, void **out)
{
    *out = NULL;
    if (v->count >= limit)
        return fail(ld, at, "too many %s (the limit is %zu)", what, limit);
    *out = vec_push(v, elem_size, limit);
    return *out ? QUELL_OK : loader_fail_nomem(ld);
}

/* The directory of base joined with rel, malloc'd: includes and lists
 * resolve relative to the file that names them. NULL when out of memory. */
char *loader_join_path(const char *base, const char *rel)
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
int loader_add_file(struct loader *ld, const char *path, bool is_shared, const struct where *at,
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
        return loader_fail_nomem(ld);
    const char **slot;
    int rc =
        loader_push(ld, &ld->files, sizeof *slot, RULES_MAX_FILES, "files", at, (void **)&slot);
    if (rc)
        return rc;
    *slot = copy;
    *index = (uint32_t)(ld->files.count - 1);
    return QUELL_OK;
}

/* An I/O failure on path, reported where the file was named (or on path
 * itself for the top file). */
int loader_fail_io(struct loader *ld, const struct where *at, const char *what, const char *path,
                   int errnum)
{
    if (errnum == ENOMEM)
        return loader_fail_nomem(ld);
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
int loader_read_whole_file(const char *path, size_t cap, char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno ? errno : EIO;
    int rc = read_all(f, cap, out, out_len);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Typed settings                                                            */

int loader_get_string(struct loader *ld, const config_setting_t *s, const struct where *at,
                      const char **out)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(ld, at, "\"%s\" must be a string", config_setting_name(s));
    *out = config_setting_get_string(s);
    return QUELL_OK;
}

int loader_get_bool(struct loader *ld, const config_setting_t *s, const struct where *at, bool *out)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail(ld, at, "\"%s\" must be true or false", config_setting_name(s));
    *out = config_setting_get_bool(s) != 0;
    return QUELL_OK;
}

/* An integer setting in [min, max]. */
int loader_get_int(struct loader *ld, const config_setting_t *s, const struct where *at,
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
int loader_get_points(struct loader *ld, const config_setting_t *s, const struct where *at,
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

bool loader_is_name_char(char c, bool is_rule_id)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
        return true;
    return is_rule_id && ((c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '-');
}
