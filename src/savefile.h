/*
 * savefile.h - writing a file so that readers and crashes see the old one
 * or the whole new one (quell.c): .qdb files and saved contexts.
 */
#ifndef QUELL_SAVEFILE_H
#define QUELL_SAVEFILE_H

#include <stddef.h>

#include "quell.h"

/* Write data into a new temporary file beside path, sync it, rename it over
 * path (keeping path's permissions) and sync the folder. On failure path is
 * untouched. Returns QUELL_OK, QUELL_EIO or QUELL_ENOMEM. */
int save_file_atomic(const char *path, const char *data, size_t len, quell_error *err);

#endif /* QUELL_SAVEFILE_H */
