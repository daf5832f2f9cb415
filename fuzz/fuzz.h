/*
 * fuzz.h - what the fuzz targets share: the libFuzzer entry points, and a
 * private temporary folder made once per process for targets whose code
 * under test reads files.
 */
#ifndef QUELL_FUZZ_H
#define QUELL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated invariant: abort, so that libFuzzer (or the runner) keeps the
 * input and the sanitizers print the stack. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A folder of our own for the process, in /dev/shm when there is one (the
 * targets rewrite a file per input), removed at exit with the files written
 * through fuzz_write_file. Returns its path (static); aborts when none can be
 * made. */
#define FUZZ_MAX_FILES 8
static char fuzz_dir_path[64];
static char fuzz_file_paths[FUZZ_MAX_FILES][128];

static inline void fuzz_dir_remove(void)
{
    for (int i = 0; i < FUZZ_MAX_FILES; i++) {
        if (fuzz_file_paths[i][0])
            unlink(fuzz_file_paths[i]);
    }
    rmdir(fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
    if (fuzz_dir_path[0])
        return fuzz_dir_path;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/quell-fuzz-XXXXXX", base);
    FUZZ_ASSERT(mkdtemp(fuzz_dir_path) != NULL);
    atexit(fuzz_dir_remove);
    return fuzz_dir_path;
}

/* Write data to name in fuzz_dir() (truncating it); the path goes to path
 * (at most 128 bytes). */
static inline void fuzz_write_file(const char *name, const void *data, size_t size, char *path,
                            size_t path_size)
{
    snprintf(path, path_size, "%s/%s", fuzz_dir(), name);
    int slot = 0;
    while (slot < FUZZ_MAX_FILES && fuzz_file_paths[slot][0] &&
           strcmp(fuzz_file_paths[slot], path) != 0)
        slot++;
    FUZZ_ASSERT(slot < FUZZ_MAX_FILES);
    snprintf(fuzz_file_paths[slot], sizeof fuzz_file_paths[slot], "%s", path);
    FILE *f = fopen(path, "wb");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_ASSERT(fclose(f) == 0);
}

#endif /* QUELL_FUZZ_H */
