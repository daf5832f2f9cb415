/*
 * embed.c - how a comment backend uses libquell: load the rules once into an
 * engine, keep a scanner per thread, scan each comment and act on the
 * verdict, and reload the rules while it runs.
 *
 * Build: cc embed.c $(pkg-config --cflags --libs quell)   (or `make build/embed`)
 * Run:   ./embed [RULES]   (default rules/default.cfg; a .cfg or a .qdb)
 * Exit status 0 only when the abusive sample is flagged or worse and the
 * clean one passes, so the test suite can run this program as a check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quell.h"

/* Print a library error with as much of "file:line: rule ID: message" as it has. */
static void print_error(const char *what, const quell_error *err)
{
    fprintf(stderr, "embed: %s: ", what);
    if (err->file[0] && err->line > 0)
        fprintf(stderr, "%s:%d: ", err->file, err->line);
    else if (err->file[0])
        fprintf(stderr, "%s: ", err->file);
    if (err->rule_id[0])
        fprintf(stderr, "rule %s: ", err->rule_id);
    fprintf(stderr, "%s\n", err->message[0] ? err->message : quell_strerror(err->code));
}

/* Print what a verdict says: the action, the score and each hit. */
static void print_verdict(const char *body, const quell_verdict *v)
{
    printf("%-60s -> %s (score %g, rules %s)\n", body, quell_action_name(v->action), v->score,
           v->rules_id);
    for (size_t i = 0; i < v->hit_count; i++) {
        const quell_hit *h = &v->hits[i];
        /* Spans are byte offsets into the text we passed in; h->text points
         * there too, so it is not NUL-terminated: print it with a length. */
        printf("    hit %s [%s] %s %zu..%zu \"%.*s\"\n", h->rule_id, h->category,
               quell_field_name(h->field), h->start, h->end, (int)(h->end - h->start), h->text);
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "rules/default.cfg";
    static const char *const samples[] = {
        "Thanks for the clear report on the council vote.",
        "You are an idiot and your article is garbage, idiot.",
    };
    quell_error err;
    quell_rules *rules = NULL;
    quell_engine *engine = NULL;
    quell_scanner *scanner = NULL;
    quell_action actions[2] = {QUELL_PASS, QUELL_PASS};
    int status = EXIT_FAILURE;

    /* The header and the linked library should agree on the version. */
    if (quell_version_number() != QUELL_VERSION_NUMBER)
        fprintf(stderr, "embed: warning: built with quell %s, running %s\n", QUELL_VERSION_STRING,
                quell_version());

    /* 1. Rules: compiled once at start-up (or loaded from a .qdb), then
     *    shared read-only by every thread. */
    if (quell_rules_load(&rules, path, &err) != QUELL_OK) {
        print_error("loading rules", &err);
        return EXIT_FAILURE;
    }

    /* 2. An engine holds the current rules, so that they can be swapped
     *    while threads scan; it keeps its own reference to them. */
    if (quell_engine_new(&engine, rules, &err) != QUELL_OK) {
        print_error("making an engine", &err);
        goto out_free_rules;
    }
    printf("rules %s loaded from %s\n", quell_rules_id(rules), path);

    /* 3. A scanner holds per-thread scratch space: one per worker thread.
     *    One made from the engine moves to new rules between comments. */
    if (quell_scanner_new_for_engine(&scanner, engine, &err) != QUELL_OK) {
        print_error("making a scanner", &err);
        goto out_free_engine;
    }

    /* 4. Scan each comment. Fields are borrowed (pointer + length), so a
     *    backend can pass its own buffers without copying. */
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        quell_comment comment = QUELL_COMMENT_INIT;
        comment.text[QUELL_FIELD_BODY] = samples[i];
        comment.text_len[QUELL_FIELD_BODY] = strlen(samples[i]);

        const quell_verdict *verdict;
        int rc = quell_scan(scanner, &comment, &verdict, &err);
        if (rc == QUELL_EINPUT) {
            /* Bad input (e.g. invalid UTF-8) is the comment's fault: a real
             * backend would reject that one comment and carry on. */
            print_error("bad comment", &err);
            continue;
        }
        if (rc != QUELL_OK) {
            print_error("scanning", &err);
            goto out_free_scanner;
        }
        /* The verdict belongs to the scanner and is valid until its next scan. */
        print_verdict(samples[i], verdict);
        actions[i] = verdict->action;
    }

    if (actions[0] == QUELL_PASS && actions[1] >= QUELL_FLAG)
        status = EXIT_SUCCESS;
    else
        fprintf(stderr, "embed: unexpected verdicts: clean %s, abusive %s\n",
                quell_action_name(actions[0]), quell_action_name(actions[1]));

    /* 5. New rules, e.g. on SIGHUP: loaded on any thread, swapped in at
     *    once; a bad file keeps the old rules. Each verdict names its rules. */
    if (quell_engine_reload(engine, path, &err) != QUELL_OK)
        print_error("reloading rules (keeping the old ones)", &err);
    quell_rules *now = quell_engine_rules(engine);
    printf("rules %s in use after the reload\n", quell_rules_id(now));
    quell_rules_release(now);

    /* 6. Every holder lets go of its own reference; the order is free. */
out_free_scanner:
    quell_scanner_free(scanner);
out_free_engine:
    quell_engine_free(engine);
out_free_rules:
    quell_rules_release(rules);
    return status;
}
