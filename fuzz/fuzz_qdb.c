/*
 * fuzz_qdb.c - the .qdb loader (quell_rules_deserialize) on arbitrary bytes.
 * The first input byte is a flag: when its low bit is set the rest is first
 * resealed (payload length and checksum made to match, qdb_seal), so that
 * mutations reach the rule table and database readers behind the checksum;
 * otherwise the bytes are loaded as they are. Whatever loads must scan, and
 * write a file that loads again. The seeds and the regression input are
 * written by fuzz/make_qdb_seeds.py: run it again when the format changes.
 */
#include <string.h>

#include "fuzz.h"
#include "ruleset.h"

static const char *const bodies[] = {"hello there", "you idiot", "http://a.b http://c.d", ""};

/* Scan a few comments with rules that loaded, in both fields. */
static void exercise(const quell_rules *rules)
{
    quell_scanner *s;
    if (quell_scanner_new(&s, rules, NULL) != QUELL_OK)
        return;
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = bodies[i];
        c.text_len[QUELL_FIELD_BODY] = strlen(bodies[i]);
        c.text[QUELL_FIELD_AUTHOR] = bodies[i];
        c.text_len[QUELL_FIELD_AUTHOR] = strlen(bodies[i]);
        const quell_verdict *v;
        if (quell_scan(s, &c, &v, NULL) == QUELL_OK) {
            FUZZ_ASSERT(v->action >= QUELL_PASS && v->action <= QUELL_REJECT);
            for (size_t h = 0; h < v->hit_count; h++)
                FUZZ_ASSERT(v->hits[h].start <= v->hits[h].end &&
                            v->hits[h].end <= strlen(bodies[i]));
        }
    }
    quell_scanner_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t len = size - 1;
    char *copy = malloc(len ? len : 1);
    FUZZ_ASSERT(copy != NULL);
    if (len)
        memcpy(copy, data + 1, len);
    if (data[0] & 1)
        qdb_seal(copy, len);

    quell_rules *rules = (quell_rules *)copy;
    quell_error err;
    int rc = quell_rules_deserialize(&rules, copy, len, &err);
    FUZZ_ASSERT((rc == QUELL_OK) == (rules != NULL));
    if (rc != QUELL_OK) {
        FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        FUZZ_ASSERT(rc == QUELL_EFORMAT || rc == QUELL_EPLATFORM || rc == QUELL_ENOMEM);
    } else {
        exercise(rules);
        /* What loaded writes a file that loads and writes itself again: a
         * fixed point. (Not the input's bytes: Hyperscan ignores some
         * reserved bytes of a database, and writes them as zeros.) */
        char *again, *third;
        size_t again_len, third_len;
        FUZZ_ASSERT(quell_rules_serialize(rules, &again, &again_len, NULL) == QUELL_OK);
        quell_rules *reloaded;
        FUZZ_ASSERT(quell_rules_deserialize(&reloaded, again, again_len, NULL) == QUELL_OK);
        FUZZ_ASSERT(quell_rules_serialize(reloaded, &third, &third_len, NULL) == QUELL_OK);
        FUZZ_ASSERT(third_len == again_len && memcmp(third, again, again_len) == 0);
        FUZZ_ASSERT(quell_rules_rule_count(reloaded) == quell_rules_rule_count(rules));
        free(third);
        free(again);
        quell_rules_free(reloaded);
        quell_rules_free(rules);
    }
    free(copy);
    return 0;
}
