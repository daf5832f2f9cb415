/*
 * quell.c - the public entry points that tie the stages together: compiling,
 * loading and saving rules, and running their embedded examples. No stage
 * calls back into this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pool.h"
#include "ruleset.h"
#include "savefile.h"
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

static bool has_suffix(const char *s, const char *suffix)
{
    size_t len = strlen(s), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(s + len - suffix_len, suffix) == 0;
}

int quell_rules_load(quell_rules **out, const char *path, quell_error *err)
{
    *out = NULL;
    /* Sniff the first bytes rather than trust the file name; the name only
     * decides that text called *.qdb is a damaged .qdb, not a config. One
     * open for both, so that a .qdb can come through a pipe. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, QUELL_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    char head[64];
    size_t n = 0;
    while (n < sizeof head) {
        ssize_t got = read(fd, head + n, sizeof head - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            close(fd);
            return err_set(err, QUELL_EIO, path, 0, NULL, "read error");
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    char quoted[QUOTE_BUF_BYTES];
    switch (qdb_sniff(head, n)) {
    case QDB_KIND_EMPTY:
        close(fd);
        return err_set(err, QUELL_EFORMAT, path, 0, NULL,
                       "empty file: not a compiled .qdb (nor a rule configuration)");
    case QDB_KIND_DAMAGED:
        close(fd);
        return err_set(err, QUELL_EFORMAT, path, 0, NULL,
                       "corrupt .qdb header: bad magic \"%s\" (a damaged .qdb, not a "
                       "configuration)",
                       rules_quote(quoted, sizeof quoted, head, n < 8 ? n : 8));
    case QDB_KIND_TEXT:
        close(fd);
        if (has_suffix(path, ".qdb"))
            return err_set(err, QUELL_EFORMAT, path, 0, NULL,
                           "corrupt .qdb header: bad magic \"%s\" (text in a .qdb file; a "
                           "configuration is read from a .cfg)",
                           rules_quote(quoted, sizeof quoted, head, n < 8 ? n : 8));
        return quell_rules_compile(out, path, err);
    case QDB_KIND_QDB:
        break;
    }

    int rc = qdb_load_fd(out, fd, head, n, err);
    close(fd);
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

/* Write all of data to fd. Returns 0 or an errno value. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Flush a folder's entries (the rename) to disk. Returns 0 or an errno value;
 * file systems that cannot sync a folder (EINVAL) count as done. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return rc;
}

/*
 * Write to a unique temporary file beside the target (mkstemp in the same
 * folder, so that rename is atomic), sync it, rename it into place and sync
 * the folder: a reader sees the old file or the whole new one, and so does
 * the disk after a crash. Two writers never share a temporary name. On
 * failure the temporary file is removed and the target left as it was.
 */
int save_file_atomic(const char *path, const char *data, size_t len, quell_error *err)
{
    int rc;
    size_t path_len = strlen(path);
    char *tmp = malloc(path_len + sizeof ".XXXXXX");
    char *dir = malloc(path_len + 2);
    if (!tmp || !dir) {
        rc = err_set(err, QUELL_ENOMEM, path, 0, NULL, "out of memory");
        goto out_free;
    }
    memcpy(tmp, path, path_len);
    memcpy(tmp + path_len, ".XXXXXX", sizeof ".XXXXXX");
    const char *slash = strrchr(path, '/');
    if (!slash) {
        memcpy(dir, ".", 2);
    } else {
        size_t dir_len = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, dir_len);
        dir[dir_len] = '\0';
    }

    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = err_set(err, QUELL_EIO, path, 0, NULL, "cannot create a temporary file: %s",
                     strerror(errno));
        goto out_free;
    }
    /* mkstemp makes the file private (0600); a saved file is as readable as
     * the one it replaces, or 0644. (umask cannot be read without setting it.) */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    int errnum = fchmod(fd, mode) != 0 ? errno : write_all(fd, data, len);
    if (errnum == 0 && fsync(fd) != 0)
        errnum = errno;
    if (close(fd) != 0 && errnum == 0)
        errnum = errno;
    if (errnum != 0) {
        rc = err_set(err, QUELL_EIO, path, 0, NULL, "cannot write: %s", strerror(errnum));
        unlink(tmp);
        goto out_free;
    }
    if (rename(tmp, path) != 0) {
        rc =
            err_set(err, QUELL_EIO, path, 0, NULL, "cannot rename into place: %s", strerror(errno));
        unlink(tmp);
        goto out_free;
    }
    errnum = sync_dir(dir);
    if (errnum != 0) {
        rc = err_set(err, QUELL_EIO, path, 0, NULL, "cannot sync its folder: %s",
                     strerror(errnum));
        goto out_free;
    }
    rc = QUELL_OK;
out_free:
    free(dir);
    free(tmp);
    return rc;
}

int quell_rules_save(const quell_rules *rules, const char *path, quell_error *err)
{
    char *data;
    size_t len;
    int rc = qdb_write(rules, &data, &len, err);
    if (rc != QUELL_OK)
        return rc;
    rc = save_file_atomic(path, data, len, err);
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
