/*
 * fuzz_context.c - a saved context (quell_context_load) from arbitrary
 * bytes. The first input byte is a flag: when its low bit is set the rest
 * is first resealed (its payload length and checksum made to match), so
 * that mutations reach the readers behind the checksum; otherwise the
 * bytes are loaded as they are. Whatever loads must stay within its memory
 * limit, decide comments, and save a file that loads and saves the same
 * bytes again. The seeds are contexts `quell filter --context-file` wrote
 * (fuzz/README.md).
 */
#include <string.h>
#include <xxhash.h>

#include "context.h"
#include "fuzz.h"

#define HEADER_BYTES 32

static void reseal(uint8_t *p, size_t len)
{
    if (len < HEADER_BYTES)
        return;
    uint64_t payload = len - HEADER_BYTES;
    uint64_t sum = XXH3_64bits(p + HEADER_BYTES, (size_t)payload);
    for (int i = 0; i < 8; i++) {
        p[16 + i] = (uint8_t)(payload >> (8 * i));
        p[24 + i] = (uint8_t)(sum >> (8 * i));
    }
}

/* A note made of input bytes: a fingerprint and an author the context has
 * never seen the like of. */
static void note_of(const uint8_t *data, size_t size, unsigned int k, quell_context_note *out)
{
    memset(out, 0, sizeof *out);
    struct note *n = (struct note *)out->opaque;
    for (size_t i = 0; i < sizeof n->sig; i++)
        ((uint8_t *)n->sig)[i] = size ? data[(i * 7 + k) % size] : (uint8_t)i;
    n->author = k % 3 ? 0x1234567800ULL + k % 2 : 0;
    n->text_key = n->sig[0] | 1;
    n->chars = 64;
    n->has_sig = k != 2;
}

static void *read_back(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    FUZZ_ASSERT(n >= 0);
    rewind(f);
    void *buf = malloc((size_t)n + 1);
    FUZZ_ASSERT(buf != NULL);
    FUZZ_ASSERT(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t len = size - 1;
    uint8_t *copy = malloc(len ? len : 1);
    FUZZ_ASSERT(copy != NULL);
    if (len)
        memcpy(copy, data + 1, len);
    if (data[0] & 1)
        reseal(copy, len);
    char path[128], again[128], third[128];
    fuzz_write_file("in.ctx", copy, len, path, sizeof path);
    free(copy);

    quell_context_options o = QUELL_CONTEXT_OPTIONS_INIT;
    o.window_comments = 1 + (data[0] >> 1) % 64; /* small bounds: what no longer fits goes */
    o.max_authors = 1 + (data[0] >> 4) % 8;
    quell_context *ctx = (quell_context *)path;
    quell_error err;
    int rc = quell_context_load(&ctx, path, &o, &err);
    FUZZ_ASSERT((rc == QUELL_OK) == (ctx != NULL));
    if (rc != QUELL_OK) {
        FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        FUZZ_ASSERT(rc == QUELL_EFORMAT || rc == QUELL_EIO || rc == QUELL_ENOMEM);
        return 0;
    }
    FUZZ_ASSERT(quell_context_memory(ctx) <= quell_context_memory_limit(ctx));
    for (unsigned int k = 0; k < 4; k++) {
        quell_context_note note;
        note_of(data, size, k, &note);
        quell_context_facts facts = QUELL_CONTEXT_FACTS_INIT;
        uint64_t ticket;
        FUZZ_ASSERT(quell_context_decide(ctx, &note, NULL, QUELL_HOLD, &facts, &ticket, NULL) ==
                    QUELL_OK);
        FUZZ_ASSERT(facts.campaign_authors <= facts.campaign_copies);
        FUZZ_ASSERT(facts.campaign_copies <= o.window_comments);
        FUZZ_ASSERT(facts.author_rate <= CONTEXT_AUTHOR_RECENT &&
                    facts.author_held <= CONTEXT_AUTHOR_RECENT);
        char line[512];
        size_t n = quell_context_facts_to_json(&facts, line, sizeof line);
        FUZZ_ASSERT(n < sizeof line && line[0] == '{' && line[n - 1] == '}');
        quell_context_settle(ctx, &note, ticket, QUELL_PASS);
    }
    /* Saved, loaded and saved again: the same bytes. */
    fuzz_write_file("again.ctx", "", 0, again, sizeof again);
    fuzz_write_file("third.ctx", "", 0, third, sizeof third);
    FUZZ_ASSERT(quell_context_save(ctx, again, NULL) == QUELL_OK);
    quell_context *reloaded;
    FUZZ_ASSERT(quell_context_load(&reloaded, again, &o, NULL) == QUELL_OK);
    FUZZ_ASSERT(quell_context_save(reloaded, third, NULL) == QUELL_OK);
    size_t a_len, b_len;
    void *a = read_back(again, &a_len), *b = read_back(third, &b_len);
    FUZZ_ASSERT(a_len == b_len && memcmp(a, b, a_len) == 0);
    free(a);
    free(b);
    quell_context_free(reloaded);
    quell_context_free(ctx);
    return 0;
}
