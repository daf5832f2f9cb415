/*
 * censor.c - a field's original text with its hits masked, character for
 * character, everything else byte-identical.
 */
#include "quell.h"

size_t quell_censor(const quell_verdict *verdict, quell_field field, const char *text, size_t len,
                    char mask, char *buf, size_t buf_size)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t out = 0;
    size_t masked_to = 0; /* hits are sorted by start; overlaps extend this */
    size_t h = 0;
    for (size_t i = 0; i < len; i++) {
        while (h < verdict->hit_count &&
               (verdict->hits[h].field != field || verdict->hits[h].start <= i)) {
            const quell_hit *hit = &verdict->hits[h++];
            if (hit->field == field && hit->end > masked_to && hit->start <= i)
                masked_to = hit->end;
        }
        unsigned char c = p[i];
        if (i < masked_to) {
            /* One mask byte per character: skip its continuation bytes. */
            if ((c & 0xC0) == 0x80)
                continue;
            c = (unsigned char)mask;
        }
        if (out + 1 < buf_size)
            buf[out] = (char)c;
        out++;
    }
    if (buf_size)
        buf[out < buf_size ? out : buf_size - 1] = '\0';
    return out;
}
