/*
 * fuzz_config.c - the rules configuration loader on arbitrary text: libconfig's
 * parser, our reading of every setting, includes and list files, combinations,
 * and the normalisation of every literal (ruleset_new). Hyperscan's compiler
 * is left out: it is not ours, and some regexes take it seconds.
 */
#include <string.h>

#include "fuzz.h"
#include "ruleset.h"
#include "utf8.h"

static char config_path[128];

/* A list file and an include beside the config, so that inputs naming them
 * reach that code too (fuzz/rules.dict has their names). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char words[] = "# a list\nidiot\n  moron  \n\nf\xc3\xbc\x63k\n";
    static const char regexes[] = "https?://\\S+\n(?i)fr[e3]{2}\n";
    static const char include[] =
        "version = 1;\n"
        "categories = ( { name = \"spam\"; separate = true; } );\n"
        "rules = ( { id = \"inc.link\"; category = \"spam\"; weight = 1.0;\n"
        "            regexes_file = \"regexes.txt\"; } );\n";
    char path[128];
    fuzz_write_file("words.txt", words, sizeof words - 1, path, sizeof path);
    fuzz_write_file("regexes.txt", regexes, sizeof regexes - 1, path, sizeof path);
    fuzz_write_file("inc.cfg", include, sizeof include - 1, path, sizeof path);
    snprintf(config_path, sizeof config_path, "%s/rules.cfg", fuzz_dir());
    return 0;
}

/* Whether the text could name a file outside our folder: an absolute or
 * relative path with a slash, or libconfig's \x escape that could spell one.
 * Such inputs are skipped: reading /dev/stdin or a FIFO would hang. */
static int names_outside(const uint8_t *data, size_t size)
{
    if (memchr(data, '/', size))
        return 1;
    for (size_t i = 0; i + 1 < size; i++) {
        if (data[i] == '\\' && (data[i + 1] == 'x' || data[i + 1] == 'X'))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!config_path[0])
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > (size_t)64 * 1024 || names_outside(data, size))
        return 0;
    char path[128];
    fuzz_write_file("rules.cfg", data, size, path, sizeof path);

    struct rule_table *table = (struct rule_table *)1;
    quell_error err;
    memset(&err, 0x55, sizeof err);
    int rc = rules_load_config(&table, path, &err);
    if (rc != QUELL_OK) {
        FUZZ_ASSERT(rc < 0 && table == NULL);
        FUZZ_ASSERT(err.code == rc);
        /* Messages are whole strings and valid UTF-8, whatever the input. */
        FUZZ_ASSERT(memchr(err.message, '\0', sizeof err.message) != NULL);
        FUZZ_ASSERT(memchr(err.file, '\0', sizeof err.file) != NULL);
        FUZZ_ASSERT(memchr(err.rule_id, '\0', sizeof err.rule_id) != NULL);
        FUZZ_ASSERT(err.message[0] != '\0');
        size_t bad;
        FUZZ_ASSERT(utf8_valid(err.message, strlen(err.message), &bad));
        FUZZ_ASSERT(err.line >= 0);
        return 0;
    }
    FUZZ_ASSERT(table != NULL);
    struct quell_rules *rules = NULL;
    rc = ruleset_new(&rules, table, &err);
    FUZZ_ASSERT((rc == QUELL_OK) == (rules != NULL));
    if (rc != QUELL_OK) {
        FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        return 0;
    }
    for (size_t i = 0; i < quell_rules_rule_count(rules); i++) {
        FUZZ_ASSERT(quell_rules_rule_id(rules, i) != NULL);
        FUZZ_ASSERT(quell_rules_rule_category(rules, i) < quell_rules_category_count(rules));
    }
    FUZZ_ASSERT(quell_rules_threshold(rules, QUELL_FLAG) > 0);
    ruleset_free(rules); /* never finished: no databases, one owner */
    return 0;
}
