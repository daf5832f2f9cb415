/*
 * assets.h - the files of the moderator's page (src/serve/ui/), built into
 * the command as byte arrays by tools/embed_assets.py, so `quell serve`
 * needs no files beside its rules.
 */
#ifndef QUELL_SERVE_ASSETS_H
#define QUELL_SERVE_ASSETS_H

#include <stddef.h>

/* One file as served. Every member is static and immutable: assets may be
 * read from any thread. */
struct serve_asset {
    const char *path;         /* "/" for index.html, else "/ui/NAME" */
    const char *content_type; /* with "; charset=utf-8" for text */
    const unsigned char *data;
    size_t len;       /* bytes of data */
    const char *etag; /* a strong ETag, quoted: "\"<16 hex of SHA-256>\"" */
};

/* The asset served at path ("/" is index.html), or NULL. path is the URL's
 * path alone, without a query string; compared exactly. */
const struct serve_asset *serve_asset_find(const char *path);

#endif
