/*
 * quell.c - the public entry points that tie the stages together: compiling,
 * loading and saving rules, and running their embedded examples. No stage
 * calls back into this file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "scan.h"

int quell_rules_compile(quell_rules **out, const char *path, quell_error *err)
{
    *out = NULL;
    struct rule_table *table = NULL;
    int rc = rules_load_config(&table, path, err);
    if (rc != QUELL_OK)
        return rc;
    struct quell_rules *rules;
    rc = ruleset_new(&rules, table, err);
    if (rc != QUELL_OK)
        return rc;
    rc = hsdb_compile(&rules->hs, rules, err);
    if (rc == QUELL_OK)
        rc = qdb_content_id(rules, &rules->content_id, err);
    if (rc == QUELL_OK)
        rc = ruleset_finish(rules, err);
    if (rc != QUELL_OK) {
        ruleset_free(rules);
        return rc;
    }
    *out = rules;
    return QUELL_OK;
}

/* Read a whole file into a malloc'd buffer. */
static int read_file(const char *path, char **out, size_t *out_len, quell_error *err)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, QUELL_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 65536) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory reading");
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return err_set(err, QUELL_EIO, path, 0, NULL, "read error");
    }
    *out = buf;
    *out_len = len;
    return QUELL_OK;
}

int quell_rules_load(quell_rules **out, const char *path, quell_error *err)
{
    *out = NULL;
    /* Sniff the magic rather than trust the file name. */
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, QUELL_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    char magic[8];
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (!qdb_is_qdb(magic, n))
        return quell_rules_compile(out, path, err);

    char *data;
    size_t len;
    int rc = read_file(path, &data, &len, err);
    if (rc != QUELL_OK)
        return rc;
    rc = qdb_read(out, data, len, err);
    free(data);
    if (rc != QUELL_OK && err && err->file[0] == '\0') {
        char msg[sizeof err->message];
        memcpy(msg, err->message, sizeof msg);
        err_set(err, rc, path, 0, NULL, "%s", msg);
    }
    return rc;
}

int quell_rules_serialize(const quell_rules *rules, char **out, size_t *out_len, quell_error *err)
{
    return qdb_write(rules, out, out_len, err);
}

int quell_rules_deserialize(quell_rules **out, const char *data, size_t len, quell_error *err)
{
    return qdb_read(out, data, len, err);
}

int quell_rules_save(const quell_rules *rules, const char *path, quell_error *err)
{
    char *data;
    size_t len;
    int rc = qdb_write(rules, &data, &len, err);
    if (rc != QUELL_OK)
        return rc;
    /* Write beside the target and rename, so a reader never sees half a file. */
    size_t tmp_size = strlen(path) + 16;
    char *tmp = malloc(tmp_size);
    if (!tmp) {
        free(data);
        return err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory");
    }
    snprintf(tmp, tmp_size, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = err_set(err, QUELL_EIO, path, 0, NULL, "cannot create: %s", strerror(errno));
        goto out_free;
    }
    size_t written = fwrite(data, 1, len, f);
    int close_rc = fclose(f);
    if (written != len || close_rc != 0) {
        rc = err_set(err, QUELL_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
        remove(tmp);
        goto out_free;
    }
    if (rename(tmp, path) != 0) {
        rc =
            err_set(err, QUELL_EIO, path, 0, NULL, "cannot rename into place: %s", strerror(errno));
        remove(tmp);
        goto out_free;
    }
    rc = QUELL_OK;
out_free:
    free(tmp);
    free(data);
    return rc;
}

int quell_rules_test(const quell_rules *rules, quell_example_cb cb, void *ctx, size_t *failed_count,
                     size_t *total_count, quell_error *err)
{
    size_t failed = 0, total = 0;
    quell_scanner *scanner;
    int rc = quell_scanner_new(&scanner, rules, err);
    if (rc != QUELL_OK)
        return rc;
    const struct rule_table *t = rules->table;
    bool is_stopped = false;
    for (size_t ri = 0; ri < t->rule_count && !is_stopped; ri++) {
        const struct rule *r = &t->rules[ri];
        for (uint32_t k = 0; k < r->example_count && !is_stopped; k++) {
            const struct example *ex = &t->examples[r->example_start + k];
            quell_comment c = QUELL_COMMENT_INIT;
            c.text[r->field] = ex->text;
            c.text_len[r->field] = ex->text_len;
            const quell_verdict *v;
            rc = quell_scan(scanner, &c, &v, err);
            if (rc != QUELL_OK) {
                char msg[sizeof err->message];
                snprintf(msg, sizeof msg, "%s", err ? err->message : quell_strerror(rc));
                err_set(err, rc, t->files[r->file], (int)ex->line, r->id, "example \"%.200s\": %s",
                        ex->text, msg);
                goto out_free;
            }
            total++;
            if (scan_rule_fired(scanner, (uint32_t)ri) != (bool)ex->should_match) {
                failed++;
                if (cb && cb(ctx, r->id, ex->text, ex->should_match, t->files[r->file],
                             (int)ex->line) != 0)
                    is_stopped = true;
            }
        }
    }
    rc = QUELL_OK;
out_free:
    quell_scanner_free(scanner);
    if (failed_count)
        *failed_count = failed;
    if (total_count)
        *total_count = total;
    return rc;
}
