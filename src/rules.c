/*
 * rules.c - reads a rule configuration (docs/rules.md), the files it includes
 * and the pattern lists it names into a checked, flattened rule table. The
 * loader's parts are in rules_*.c (rules_loader.h).
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "rules_loader.h"
#include "utf8.h"

#define RULES_FORMAT_VERSION 1

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

static int load_config(struct loader *ld, const char *path, const struct where *from, int depth);

/* One entry of include = [...], relative to the including file. */
static int include_file(struct loader *ld, const char *rel, const struct where *at, void *ctx)
{
    int depth = *(const int *)ctx;
    if (rel[0] == '\0')
        return fail(ld, at, "empty path in \"include\"");
    char *path = loader_join_path(loader_file_name(ld, at->file), rel);
    if (!path)
        return loader_fail_nomem(ld);
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
        int rc = loader_member_where(ld, e, at->file, NULL, &e_at);
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
    int rc = loader_get_string(ld, s, at, &text);
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
    return ld->label ? QUELL_OK : loader_fail_nomem(ld);
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
        int rc = loader_member_where(ld, s, file, NULL, &at);
        if (rc)
            return rc;
        if (strcmp(key, "version") == 0) {
            has_version = true;
            rc = loader_get_int(ld, s, &at, LLONG_MIN, LLONG_MAX, &version);
            if (!rc && version != RULES_FORMAT_VERSION)
                rc = fail(ld, &at, "\"version\" is %lld; this quell reads version %d", version,
                          RULES_FORMAT_VERSION);
        } else if (strcmp(key, "actions") == 0) {
            rc = is_top ? loader_parse_actions(ld, s, file)
                        : fail(ld, &at, "\"actions\" belong to the top file only");
        } else if (strcmp(key, "label") == 0) {
            rc = is_top ? parse_label(ld, s, &at)
                        : fail(ld, &at, "\"label\" belongs to the top file only");
        } else if (strcmp(key, "categories") == 0) {
            rc = parse_group_list(ld, s, &at, loader_parse_category);
        } else if (strcmp(key, "include") == 0) {
            rc = loader_for_each_string(ld, s, &at, false, include_file, &depth);
        } else if (strcmp(key, "rules") == 0) {
            rc = parse_group_list(ld, s, &at, loader_parse_rule);
        } else if (strcmp(key, "thresholds") == 0) {
            rc = loader_parse_thresholds(ld, s, file);
        } else if (strcmp(key, "weights") == 0) {
            rc = loader_parse_weights(ld, s, file);
        } else if (strcmp(key, "allow") == 0) {
            uint32_t all = ALLOW_ALL_CATEGORIES;
            rc = loader_for_each_string(ld, s, &at, false, loader_add_allow, &all);
        } else if (strcmp(key, "common_phrases") == 0) {
            rc = loader_for_each_string(ld, s, &at, false, loader_add_common, NULL);
        } else {
            rc = fail(ld, &at,
                      "unknown key \"%s\" (expected version, label, actions, categories, "
                      "include, rules, allow, common_phrases, weights, thresholds)",
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

/*
 * libconfig's own @include opens the file it names itself, and its scanner
 * exits the process when reading it fails (`@include ""` names a folder).
 * Settings it would splice in are refused anyway (loader_member_where), so the
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
        return loader_fail_io(ld, from, "configuration", path, errno);
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
    int rc = loader_push(ld, &ld->configs, sizeof *cf, RULES_MAX_FILES, "configuration files", at,
                         (void **)&cf);
    if (rc) {
        free(real_path);
        return rc;
    }
    cf->real_path = real_path;
    cf->is_open = true;
    size_t config_index = ld->configs.count - 1;

    uint32_t file;
    if ((rc = loader_add_file(ld, path, false, at, &file)))
        return rc;
    /* Read here too, as libconfig reports only "file I/O error" and keeps no
     * text for element_lines. */
    struct source src = {0};
    rc = loader_read_whole_file(path, RULES_MAX_LIST_BYTES, &src.text, &src.len);
    if (rc == EFBIG)
        return fail(ld, at, "\"%s\" is larger than %zu bytes", path, RULES_MAX_LIST_BYTES);
    if (rc)
        return loader_fail_io(ld, from, "configuration", path, rc);
    if (index_lines(&src)) {
        rc = loader_fail_nomem(ld);
        goto out_free_source;
    }
    if ((rc = refuse_at_include(ld, &src, file)))
        goto out_free_source;

    /* A stray @include then resolves like include = [...] and loader_member_where
     * can refuse it; libconfig copies the directory. */
    char *dir = loader_join_path(path, "");
    if (!dir) {
        rc = loader_fail_nomem(ld);
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
    if (!config_read_file(&cfg, loader_file_name(ld, file))) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
            rc = loader_fail_io(ld, from, "configuration", path, EIO);
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
        if (!loader_map_get(&ld->category_names, info[i].category, strlen(info[i].category),
                            &rules[i].category)) {
            struct where at = {rules[i].file, info[i].category_line, rules[i].id};
            return fail(ld, &at, "unknown category \"%s\"", info[i].category);
        }
    }
    return QUELL_OK;
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
    if ((rc = vec_to_pool(ld->pool, &ld->commons, sizeof *t->commons, &p)))
        return rc;
    t->commons = p;
    t->common_count = ld->commons.count;
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
        rc = loader_fail_nomem(&ld);
        goto out_free;
    }
    table = pool_alloc(ld.pool, sizeof *table);
    if (!table) {
        rc = loader_fail_nomem(&ld);
        goto out_free;
    }
    if ((rc = load_config(&ld, path, NULL, 0)) || (rc = resolve_categories(&ld)) ||
        (rc = loader_check_weights(&ld)) ||
        (rc = loader_compile_combinations(&ld)) || (rc = loader_order_combinations(&ld)))
        goto out_free;
    if ((rc = build_table(&ld, table))) {
        loader_fail_nomem(&ld);
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
    free(ld.commons.data);
    free(ld.combo_order.data);
    free(ld.weight_overrides.data);
    free(ld.weight_first.data);
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
