/*
 * view_hits.c - which views a word list's words are hit in: the yardstick
 * of the skeleton view's false hits (docs/rules.md, "Views"). Every line of
 * standard input is one comment; each hit is printed as
 * "view<TAB>rule<TAB>line<TAB>hit text<TAB>pattern" (view "skeleton/excused"
 * and the like for a hit an allow list or validator set aside), and a
 * summary goes to stderr: the lines not passed, and the lines with a
 * (counted) hit in each view.
 *
 * Usage: view_hits RULES < words.txt
 *   e.g. make build/view_hits && build/view_hits rules/default.cfg \
 *            < ../shared/data/wordlist-en/american-english-large.txt > hits.tsv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quell.h"

static const char *const view_names[] = {"raw", "folded", "skeleton"};
#define VIEW_NAMES (sizeof view_names / sizeof view_names[0])

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: view_hits RULES < words.txt\n");
        return 2;
    }
    quell_error err = {0};
    quell_rules *rules = NULL;
    quell_scanner *scanner = NULL;
    if (quell_rules_load(&rules, argv[1], &err) != QUELL_OK ||
        quell_scanner_new(&scanner, rules, &err) != QUELL_OK) {
        fprintf(stderr, "view_hits: %s\n", err.message);
        quell_rules_free(rules);
        return 3;
    }
    unsigned long lines = 0, not_passed = 0, any_hit = 0, skeleton_only = 0;
    unsigned long by_view[VIEW_NAMES] = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = 0;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        lines++;
        quell_comment c = QUELL_COMMENT_INIT;
        c.text[QUELL_FIELD_BODY] = line;
        c.text_len[QUELL_FIELD_BODY] = len;
        const quell_verdict *v;
        if (quell_scan(scanner, &c, &v, &err) != QUELL_OK) {
            fprintf(stderr, "view_hits: line %lu: %s\n", lines, err.message);
            continue;
        }
        not_passed += v->action != QUELL_PASS;
        unsigned seen = 0;
        for (size_t h = 0; h < v->hit_count; h++) {
            const quell_hit *hit = &v->hits[h];
            for (size_t k = 0; k < VIEW_NAMES; k++) {
                if (strcmp(hit->view, view_names[k]) == 0)
                    seen |= 1u << k;
            }
            printf("%s\t%s\t%.*s\t%.*s\t%s\n", hit->view, hit->rule_id, (int)len, line,
                   (int)(hit->end - hit->start), hit->text, hit->pattern);
        }
        /* Hits an allow list set aside: what the allow lists patch. */
        for (size_t h = 0; h < v->excused_count; h++) {
            const quell_hit *hit = &v->excused[h].hit;
            printf("%s/excused\t%s\t%.*s\t%.*s\t%s\n", hit->view, hit->rule_id, (int)len, line,
                   (int)(hit->end - hit->start), hit->text, hit->pattern);
        }
        any_hit += seen != 0;
        skeleton_only += seen == 4u;
        for (size_t k = 0; k < VIEW_NAMES; k++)
            by_view[k] += (seen >> k) & 1u;
    }
    if (ferror(stdin)) {
        perror("view_hits");
        rc = 4;
    }
    fprintf(stderr, "lines %lu, not passed %lu, with a hit %lu", lines, not_passed, any_hit);
    for (size_t k = 0; k < VIEW_NAMES; k++)
        fprintf(stderr, ", %s %lu", view_names[k], by_view[k]);
    fprintf(stderr, ", skeleton only %lu\n", skeleton_only);
    free(line);
    quell_scanner_free(scanner);
    quell_rules_free(rules);
    return rc;
}
