/*
 * scan.c - the scanner: one block-mode Hyperscan scan per field and view,
 * with a per-thread scratch; matches are checked for word edges and letter
 * runs in their view, mapped to original-text spans and merged, then handed
 * to the scorer.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "scan.h"
#include "score.h"
#include "utf8.h"
#include "validate.h"
#include "views.h"
#include "util/grow.h"

struct quell_scanner {
    const struct quell_rules *rules; /* held */
    /* A scanner made from an engine follows it: it moves to the engine's
     * rules when the engine's generation is no longer the one it holds. */
    struct quell_engine *engine; /* held; NULL for a scanner on fixed rules */
    uint64_t generation;
    /* What depends on the rules; bind() replaces all of it at once. */
    hs_scratch_t *scratch;
    struct scorer *scorer;
    /* The Arabizi checks, by check_index, each compiled the first time a
     * hit needs it: most are never needed, and a scanner is one thread's. */
    regex_t **checks;
    uint32_t check_count;
    /* The som databases the view's plain pass saw a regex of match, each
     * once (is_som_due by database), for its start-tracking pass. */
    uint32_t *som_due;
    uint8_t *is_som_due;
    size_t som_due_count;

    struct match *matches;
    size_t match_count;
    size_t match_cap;
    /* The last comment's matches once merged, kept for scoring it again
     * with its context; has_scored says they are there. */
    size_t merged_count;
    bool has_scored;
    /* The text whose skeleton view s->views holds, from the last scan (a
     * context's note reuses it); NULL when none. */
    const char *skeleton_of;
    size_t skeleton_len;
    /* Matches set aside by allow lists and validators, for explaining. */
    quell_excused_hit *excused;
    size_t excused_count;
    size_t excused_cap;
    /* Per pattern: 1 + index in matches of its latest match, 0 for none.
     * Only the patterns in `touched` are non-zero between scans. */
    uint32_t *last_match;
    uint32_t *touched;
    size_t touched_count;

    /* The views of the field being scanned, by enum view (the raw slot is
     * unused: the raw view is the field itself), reused. */
    struct norm_view views[VIEW_COUNT];
    struct norm_view word;        /* an allowlist candidate, folded */
    struct norm_tables *own_norm; /* for quell_scanner_view when the rules have none */

    /* What the callback needs: the view being scanned, and its map back to
     * the original (NULL for the raw view, which is the original). */
    const char *text;
    size_t text_len;
    const struct norm_view *map;
    uint32_t field;
    bool is_truncated;
    bool is_check_lost; /* an Arabizi check could not be compiled: the scan fails */
    /* In the pass without start tracking, regex matches are only noted:
     * their som database's pass records them with their starts. */
    bool is_som_pass;
};

/* A skeleton hit must not shorten a letter run the pattern has: "ass" is
 * "as" in the skeleton, and so is the word "as", whose s-run is too short.
 * Nor may a single letter of the pattern stand for a doubled letter of a
 * dictionary word: "lot" does not hit "loot" (norm_is_dict_double). runs is
 * NULL when every run of the pattern is 1. */
static bool runs_cover(const struct quell_scanner *s, size_t start, const uint8_t *runs, size_t len)
{
    const struct norm_view *folded = &s->views[VIEW_FOLDED], *skel = &s->views[VIEW_SKELETON];
    for (size_t k = 0; k < len; k++) {
        unsigned run = runs ? runs[k] : 1;
        if (run > 1 && norm_skeleton_run(s->rules->norm, folded, skel, start + k) < run)
            return false;
        if (run == 1 && norm_is_dict_double(s->rules->norm, folded, skel, start + k))
            return false;
    }
    return true;
}

static bool is_ascii_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The longest folded text an Arabizi hit is checked on: a phrase of a few
 * words, however stretched its letters ("7maaaar"). Past it, only hostile
 * input, which the check would spend its time on: no hit. */
#define ARABIZI_CHECK_MAX 1024

/*
 * Whether an Arabizi hit on the original bytes [start, end) spells its word
 * letter for letter in the folded text, vowels and all (arabizi.h): the
 * outlines the view matched drop what tells some words apart. -1 when the
 * check cannot be compiled (out of memory: the check is our own).
 */
static int arabizi_checked(struct quell_scanner *s, const struct pattern_info *info, size_t start,
                           size_t end)
{
    const struct norm_view *folded = &s->views[VIEW_FOLDED];
    size_t from = norm_view_at(folded, start), to = norm_view_at(folded, end);
    /* Word edges as the spellings know them, ASCII ones: the view makes
     * "_" a space, but "kieffer_jason" is one name. */
    if (to - from > ARABIZI_CHECK_MAX || (from > 0 && is_ascii_word(folded->text[from - 1])) ||
        (to < folded->len && is_ascii_word(folded->text[to])))
        return 0;
    regex_t **re = &s->checks[info->check_index];
    if (!*re) {
        regex_t *compiled = malloc(sizeof *compiled);
        if (!compiled || regcomp(compiled, info->check, REG_EXTENDED) != 0) {
            free(compiled);
            return -1;
        }
        *re = compiled;
    }
    /* REG_STARTEND bounds the search to the hit, whose offsets are then
     * small; a match of all of it is one that starts first there and runs
     * longest, as POSIX chooses. */
    regmatch_t m = {.rm_so = 0, .rm_eo = (regoff_t)(to - from)};
    return regexec(*re, folded->text + from, 1, &m, REG_STARTEND) == 0 && m.rm_so == 0 &&
           (size_t)m.rm_eo == to - from;
}

/* Hyperscan's callback: keep it short, never touch the scratch. */
static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    (void)flags;
    struct quell_scanner *s = ctx;
    const struct rule_table *t = s->rules->table;
    /* Ids come from our own databases, but a loaded file is outside data. */
    if (id >= t->pattern_count)
        return 0;
    const struct pattern *pat = &t->patterns[id];
    const struct pattern_info *info = &s->rules->patterns[id];
    size_t end = (size_t)to;
    size_t start;
    if (hsdb_is_regex(pat)) {
        if (!s->is_som_pass) {
            uint32_t group = s->rules->hs.som_of[id];
            if (!s->is_som_due[group]) {
                s->is_som_due[group] = 1;
                s->som_due[s->som_due_count++] = group;
            }
            return 0;
        }
        start = from == HS_OFFSET_PAST_HORIZON ? 0 : (size_t)from;
    } else {
        if (s->is_som_pass)
            return 0; /* cannot happen: the som databases hold regexes only */
        start = end - info->len;
    }
    if (end > s->text_len || start > end)
        return 0;

    /* Whole words: Hyperscan's \b is ASCII-only, so edges are judged here
     * with Unicode word characters, in any script, in the view matched. The
     * skeleton's soft edges (a one-letter word joined onto spaced-out
     * letters: "a c u n t" -> "acunt") count as edges too. */
    if ((info->edges & EDGE_LEFT) && start > 0 &&
        utf8_is_word_char(utf8_decode_before(s->text, start)) &&
        !(s->map && norm_is_soft_edge(s->map, start)))
        return 0;
    bool is_soft_end = false;
    if ((info->edges & EDGE_RIGHT) && end < s->text_len) {
        size_t next;
        if (utf8_is_word_char(utf8_decode_at(s->text, s->text_len, end, &next))) {
            if (!(s->map && norm_is_soft_edge(s->map, end)))
                return 0;
            is_soft_end = true;
        }
    }
    if (s->map == &s->views[VIEW_SKELETON] && !hsdb_is_regex(pat) &&
        !runs_cover(s, start, info->runs, info->len))
        return 0;
    if (s->map) {
        uint32_t last_src = s->map->src[end - 1];
        norm_span(s->map, start, end, &start, &end);
        /* At a soft edge the next letter is a word of its own ("f u c k
         * u"): the span ends with the last letter, not at the next one. */
        if (is_soft_end)
            end = norm_char_end(&s->views[VIEW_FOLDED], last_src);
    }
    if (pat->kind == PAT_ARABIZI) {
        int held = arabizi_checked(s, info, start, end);
        if (held < 0) {
            s->is_check_lost = true;
            return 1; /* stop: quell_scan fails */
        }
        if (!held)
            return 0;
    }

    /* A pattern reports every end offset of an occurrence; fold overlapping
     * reports into one span so counts are occurrences, not offsets. */
    uint32_t last = s->last_match[id];
    if (last) {
        struct match *m = &s->matches[last - 1];
        if (m->field == s->field && start < m->end) {
            if (start < m->start)
                m->start = start;
            if (end > m->end)
                m->end = end;
            return 0;
        }
    } else {
        s->touched[s->touched_count++] = id;
    }
    if (s->match_count == s->match_cap) {
        struct match *grown = grow_array(s->matches, &s->match_cap, s->match_count + 1,
                                         sizeof *grown, 64, SCAN_MAX_MATCHES);
        if (!grown) {
            s->is_truncated = true;
            return 1; /* stop: the verdict says it is partial */
        }
        s->matches = grown;
    }
    struct match *m = &s->matches[s->match_count++];
    m->rule = pat->rule;
    m->pattern = id;
    m->field = s->field;
    m->start = start;
    m->end = end;
    s->last_match[id] = (uint32_t)s->match_count;
    return 0;
}

static int cmp_match(const void *a, const void *b)
{
    const struct match *x = a, *y = b;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

/* Sort and merge overlapping occurrences of the same rule: two patterns of
 * one rule matching the same words count once. */
static size_t merge_matches(struct match *m, size_t n)
{
    if (n < 2)
        return n;
    qsort(m, n, sizeof *m, cmp_match);
    size_t out = 0;
    for (size_t i = 1; i < n; i++) {
        struct match *cur = &m[out];
        if (m[i].rule == cur->rule && m[i].field == cur->field && m[i].start < cur->end) {
            if (m[i].end > cur->end)
                cur->end = m[i].end;
            continue;
        }
        m[++out] = m[i];
    }
    return out + 1;
}

/* What a scanner needs per rule set, made before any of the old is let go,
 * so that failing leaves the scanner as it was. */
struct binding {
    hs_scratch_t *scratch;
    struct scorer *scorer;
    uint32_t *last_match;
    uint32_t *touched;
    regex_t **checks;
    uint32_t check_count;
    uint32_t *som_due;
    uint8_t *is_som_due;
};

static void binding_free(struct binding *b)
{
    free(b->som_due);
    free(b->is_som_due);
    hs_free_scratch(b->scratch);
    score_free(b->scorer);
    free(b->last_match);
    free(b->touched);
    for (uint32_t k = 0; b->checks && k < b->check_count; k++) {
        if (b->checks[k])
            regfree(b->checks[k]);
        free(b->checks[k]);
    }
    free(b->checks);
}

/* Move s to rules (held here), or leave it untouched on failure. */
static int bind(struct quell_scanner *s, const struct quell_rules *rules, quell_error *err)
{
    struct binding b = {0};
    size_t n = rules->table->pattern_count ? rules->table->pattern_count : 1;
    b.last_match = calloc(n, sizeof *b.last_match);
    b.touched = calloc(n, sizeof *b.touched);
    b.check_count = rules->check_count;
    b.checks = calloc(b.check_count ? b.check_count : 1, sizeof(regex_t *));
    size_t groups = rules->hs.som_count ? rules->hs.som_count : 1;
    b.som_due = calloc(groups, sizeof *b.som_due);
    b.is_som_due = calloc(groups, sizeof *b.is_som_due);
    if (!b.last_match || !b.touched || !b.checks || !b.som_due || !b.is_som_due ||
        score_new(&b.scorer, rules) != QUELL_OK) {
        binding_free(&b);
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a scanner");
    }
    /* A clone of the rules' own scratch, already sized for every database:
     * far cheaper than sizing one per database again. */
    hs_error_t hrc =
        rules->proto_scratch ? hs_clone_scratch(rules->proto_scratch, &b.scratch) : HS_SUCCESS;
    if (hrc != HS_SUCCESS) {
        binding_free(&b);
        if (hrc == HS_NOMEM)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a scanner");
        return err_set(err, QUELL_ESCAN, NULL, 0, NULL,
                       "Hyperscan could not clone scratch space (code %d)", hrc);
    }
    struct binding old = {s->scratch, s->scorer,       s->last_match, s->touched,
                          s->checks,  s->check_count, s->som_due,    s->is_som_due};
    binding_free(&old);
    s->scratch = b.scratch;
    s->scorer = b.scorer;
    s->last_match = b.last_match;
    s->touched = b.touched;
    s->checks = b.checks;
    s->check_count = b.check_count;
    s->som_due = b.som_due;
    s->is_som_due = b.is_som_due;
    s->som_due_count = 0;
    s->touched_count = 0;
    s->has_scored = false; /* its matches index the old rules */
    s->skeleton_of = NULL;
    const struct quell_rules *old_rules = s->rules;
    s->rules = quell_rules_hold(rules);
    quell_rules_release(old_rules);
    return QUELL_OK;
}

int quell_scanner_new(quell_scanner **out, const quell_rules *rules, quell_error *err)
{
    *out = NULL;
    struct quell_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory making a scanner");
    int rc = bind(s, rules, err);
    if (rc != QUELL_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return QUELL_OK;
}

int quell_scanner_new_for_engine(quell_scanner **out, quell_engine *engine, quell_error *err)
{
    *out = NULL;
    uint64_t generation;
    const quell_rules *rules = engine_acquire(engine, &generation);
    quell_scanner *s = NULL;
    int rc = quell_scanner_new(&s, rules, err);
    quell_rules_release(rules);
    if (rc != QUELL_OK || !s)
        return rc != QUELL_OK ? rc : QUELL_ENOMEM;
    engine_hold(engine);
    s->engine = engine;
    s->generation = generation;
    *out = s;
    return QUELL_OK;
}

int quell_scanner_rebind(quell_scanner *scanner, const quell_rules *rules, quell_error *err)
{
    int rc = bind(scanner, rules, err);
    if (rc != QUELL_OK)
        return rc;
    quell_engine_free(scanner->engine);
    scanner->engine = NULL;
    return QUELL_OK;
}

const quell_rules *quell_scanner_rules(const quell_scanner *scanner)
{
    return scanner->rules;
}

/* Between comments: follow the engine if its rules changed. A failure to
 * move (out of memory) keeps the old rules, and the next comment retries. */
static void follow_engine(struct quell_scanner *s)
{
    if (engine_generation(s->engine) == s->generation)
        return;
    uint64_t generation;
    const quell_rules *rules = engine_acquire(s->engine, &generation);
    if (rules == s->rules || bind(s, rules, NULL) == QUELL_OK)
        s->generation = generation;
    quell_rules_release(rules);
}

void quell_scanner_free(quell_scanner *scanner)
{
    if (!scanner)
        return;
    struct binding b = {scanner->scratch,     scanner->scorer,  scanner->last_match,
                        scanner->touched,     scanner->checks,  scanner->check_count,
                        scanner->som_due,     scanner->is_som_due};
    binding_free(&b);
    views_free(scanner->views);
    norm_view_free(&scanner->word);
    norm_tables_free(scanner->own_norm);
    free(scanner->matches);
    free(scanner->excused);
    quell_rules_release(scanner->rules);
    quell_engine_free(scanner->engine);
    free(scanner);
}

/* One view of the field through its database. */
static int scan_view(struct quell_scanner *s, uint32_t field, unsigned int view, const char *text,
                     size_t len, const struct norm_view *map, quell_error *err)
{
    /* A view may be longer than its original (ß -> ss, ligatures). */
    if (len > UINT32_MAX)
        return err_set(err, QUELL_ETOOBIG, NULL, 0, NULL, "the %s view of %s is over 4 GiB",
                       rules_view_name(view), quell_field_name((quell_field)field));
    s->text = text;
    s->text_len = len;
    s->map = map;
    s->is_som_pass = false;
    s->is_check_lost = false;
    s->som_due_count = 0;
    unsigned int slot = hsdb_slot(field, view);
    hs_error_t hrc =
        hs_scan(s->rules->hs.db[slot], text, (unsigned int)len, 0, s->scratch, on_match, s);
    s->is_som_pass = true;
    for (size_t k = 0; k < s->som_due_count; k++) {
        uint32_t group = s->som_due[k];
        s->is_som_due[group] = 0;
        if (hrc == HS_SUCCESS)
            hrc = hs_scan(s->rules->hs.som[group], text, (unsigned int)len, 0, s->scratch,
                          on_match, s);
    }
    s->som_due_count = 0;
    if (s->is_check_lost)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL,
                       "out of memory compiling the check of an Arabizi word");
    if (hrc == HS_SUCCESS || (hrc == HS_SCAN_TERMINATED && s->is_truncated))
        return QUELL_OK;
    return err_set(err, QUELL_ESCAN, NULL, 0, NULL, "hs_scan failed with code %d", hrc);
}

/* Scan one field through every view that has a database, building the
 * views along the chain only as far as the last one some rule reads. */
static int scan_field(struct quell_scanner *s, uint32_t field, const char *text, size_t len,
                      quell_error *err)
{
    size_t bad;
    if (!utf8_valid(text, len, &bad))
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid UTF-8 at byte %zu of %s", bad,
                       quell_field_name((quell_field)field));
    if (len > UINT32_MAX / 2)
        return err_set(err, QUELL_ETOOBIG, NULL, 0, NULL, "%s is longer than 2 GiB",
                       quell_field_name((quell_field)field));
    s->field = field;
    const unsigned int views = s->rules->views[field];
    enum view built = VIEW_RAW;
    /* Stop once no later view is read; a scan cut short builds no more. */
    for (unsigned int v = VIEW_RAW; v < VIEW_COUNT && (views >> v); v++) {
        if (!(views & (1u << v)))
            continue;
        struct view_text vt;
        if (views_build(s->rules->norm, text, len, built, (enum view)v, s->views, &vt) != QUELL_OK)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising");
        built = (enum view)v;
        if (v == VIEW_SKELETON) {
            s->skeleton_of = text;
            s->skeleton_len = len;
        }
        int rc = scan_view(s, field, v, vt.text, vt.len, vt.map, err);
        if (rc != QUELL_OK || s->is_truncated)
            return rc;
    }
    return QUELL_OK;
}

/*
 * Whether a match lies inside an allowed word: the run of word characters
 * around it in the original text, folded, is on its category's allow list.
 * Judged on the original, not the skeleton, so that "coon" is not excused
 * by an allowed "con" that it looks like once repeats collapse.
 */
static bool is_allowed(struct quell_scanner *s, const struct match *m, const char *text, size_t len,
                       int *rc)
{
    size_t start = m->start, end = m->end;
    while (start > 0 && utf8_is_word_char(utf8_decode_before(text, start))) {
        size_t prev = start - 1;
        while (prev > 0 && ((unsigned char)text[prev] & 0xC0) == 0x80)
            prev--;
        start = prev;
    }
    while (end < len) {
        size_t next;
        if (!utf8_is_word_char(utf8_decode_at(text, len, end, &next)))
            break;
        end = next;
    }
    if (norm_fold(s->rules->norm, text + start, end - start, &s->word) != QUELL_OK) {
        *rc = QUELL_ENOMEM;
        return false;
    }
    size_t from, to;
    norm_trim(&s->word, &from, &to);
    uint32_t category = s->rules->table->rules[m->rule].category;
    return ruleset_is_allowed(s->rules, category, s->word.text + from, to - from);
}

/* Keep a match that does not count, to explain the verdict. Returns false
 * out of memory. */
static bool excuse(struct quell_scanner *s, const struct match *m, const quell_comment *comment,
                   quell_excuse reason)
{
    quell_excused_hit *grown = grow_array(s->excused, &s->excused_cap, s->excused_count + 1,
                                          sizeof *grown, 16, GROW_UNCAPPED);
    if (!grown)
        return false;
    s->excused = grown;
    const struct rule_table *t = s->rules->table;
    const struct rule *r = &t->rules[m->rule];
    const struct pattern *pat = &t->patterns[m->pattern];
    quell_excused_hit *e = &s->excused[s->excused_count++];
    e->hit = (quell_hit){
        r->id,  t->categories[r->category].name,    (quell_field)m->field,      m->start,
        m->end, comment->text[m->field] + m->start, rules_view_name(pat->view), pat->text};
    e->reason = reason;
    return true;
}

/* Drop the matches that allow lists excuse; only categories with a list
 * pay for the look. */
static int apply_allow_lists(struct quell_scanner *s, const quell_comment *comment)
{
    if (!s->rules->allow_count)
        return QUELL_OK;
    size_t kept = 0;
    int rc = QUELL_OK;
    for (size_t i = 0; i < s->match_count; i++) {
        const struct match *m = &s->matches[i];
        uint32_t category = s->rules->table->rules[m->rule].category;
        if (s->rules->has_allow[category] &&
            is_allowed(s, m, comment->text[m->field], comment->text_len[m->field], &rc)) {
            if (!excuse(s, m, comment, QUELL_EXCUSE_ALLOWED))
                return QUELL_ENOMEM;
            continue;
        }
        if (rc != QUELL_OK)
            return rc;
        s->matches[kept++] = *m;
    }
    s->match_count = kept;
    return QUELL_OK;
}

/* Drop the matches of rules with a validator that their text fails. */
static int apply_validators(struct quell_scanner *s, const quell_comment *comment)
{
    if (!s->rules->has_validator)
        return QUELL_OK;
    size_t kept = 0;
    for (size_t i = 0; i < s->match_count; i++) {
        const struct match *m = &s->matches[i];
        enum validator v = (enum validator)s->rules->table->rules[m->rule].validator;
        if (v != VALIDATE_NONE &&
            !validate_hit_in(v, comment->text[m->field], comment->text_len[m->field], m->start,
                             m->end)) {
            if (!excuse(s, m, comment, QUELL_EXCUSE_INVALID))
                return QUELL_ENOMEM;
            continue;
        }
        s->matches[kept++] = *m;
    }
    s->match_count = kept;
    return QUELL_OK;
}

static int cmp_excused(const void *a, const void *b)
{
    const quell_hit *x = &((const quell_excused_hit *)a)->hit;
    const quell_hit *y = &((const quell_excused_hit *)b)->hit;
    if (x->field != y->field)
        return x->field < y->field ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

/* Unicode's White_Space property. */
static bool is_white_space(int32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/* The offset where the character that ends just before text[off] starts. */
static size_t char_start_before(const char *text, size_t off)
{
    size_t prev = off - 1;
    while (prev > 0 && ((unsigned char)text[prev] & 0xC0) == 0x80)
        prev--;
    return prev;
}

/*
 * Put a regex's span on the words it is about, in the original text: drop
 * white space at its ends, then grow an end that lies inside a word to that
 * word's edge. Hyperscan's \b is ASCII-only, so regexes stand in for word
 * edges with the character around a word ("(^|[^\x{621}-\x{64a}])...") and
 * some end on a word's first letter ("death to (all )?\w"); a moderator
 * should see, and a censor mask, whole words. Words already end on edges,
 * and substrings are meant to match inside words: their spans stay.
 */
static void widen_to_words(const char *text, size_t len, size_t *start, size_t *end)
{
    size_t from = *start, to = *end, next;
    while (from < to && is_white_space(utf8_decode_at(text, len, from, &next)))
        from = next;
    while (to > from && is_white_space(utf8_decode_before(text, to)))
        to = char_start_before(text, to);
    if (from == to)
        return; /* only white space: nothing to put on words */
    if (from > 0 && utf8_is_word_char(utf8_decode_at(text, len, from, &next))) {
        while (from > 0 && utf8_is_word_char(utf8_decode_before(text, from)))
            from = char_start_before(text, from);
    }
    if (to < len && utf8_is_word_char(utf8_decode_before(text, to))) {
        while (to < len && utf8_is_word_char(utf8_decode_at(text, len, to, &next)))
            to = next;
    }
    *start = from;
    *end = to;
}

/* widen_to_words for every match of a regex (Arabizi words are regexes too). */
static void widen_regex_spans(struct quell_scanner *s, const quell_comment *comment)
{
    const struct rule_table *t = s->rules->table;
    for (size_t i = 0; i < s->match_count; i++) {
        struct match *m = &s->matches[i];
        uint8_t kind = t->patterns[m->pattern].kind;
        if (kind == PAT_REGEX || kind == PAT_ARABIZI)
            widen_to_words(comment->text[m->field], comment->text_len[m->field], &m->start,
                           &m->end);
    }
}

static void reset_matches(struct quell_scanner *s)
{
    for (size_t i = 0; i < s->touched_count; i++)
        s->last_match[s->touched[i]] = 0;
    s->touched_count = 0;
    s->match_count = 0;
    s->excused_count = 0;
    s->is_truncated = false;
}

int quell_scan(quell_scanner *scanner, const quell_comment *comment, const quell_verdict **out,
               quell_error *err)
{
    struct quell_scanner *s = scanner;
    *out = NULL;
    if (comment->version > QUELL_COMMENT_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "quell_comment version %u is newer than this library's (%d)",
                       comment->version, QUELL_COMMENT_VERSION);
    if (s->engine)
        follow_engine(s);
    s->has_scored = false;
    s->skeleton_of = NULL;
    reset_matches(s);
    /* The body last, so that its views are the ones left for a context's
     * note; the matches are sorted by field later. */
    for (uint32_t k = 0; k < QUELL_FIELD_COUNT && !s->is_truncated; k++) {
        uint32_t f = QUELL_FIELD_COUNT - 1 - k;
        if (!comment->text[f])
            continue;
        int rc = scan_field(s, f, comment->text[f], comment->text_len[f], err);
        if (rc != QUELL_OK)
            return rc;
    }
    widen_regex_spans(s, comment);
    int rc = apply_allow_lists(s, comment);
    if (rc != QUELL_OK)
        return err_set(err, rc, NULL, 0, NULL, "out of memory checking allow lists");
    if (apply_validators(s, comment) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory checking hits");
    if (s->excused_count > 1)
        qsort(s->excused, s->excused_count, sizeof *s->excused, cmp_excused);
    s->merged_count = merge_matches(s->matches, s->match_count);
    rc = score_run(s->scorer, s->matches, s->merged_count, comment, s->is_truncated, NULL, out);
    if (rc == QUELL_OK) {
        score_set_excused(s->scorer, s->excused, s->excused_count);
        score_set_rules(s->scorer, s->rules);
        s->has_scored = true;
    }
    return rc;
}

int quell_scanner_apply_context(quell_scanner *scanner, const quell_comment *comment,
                                const quell_context_facts *facts, const quell_verdict **out,
                                quell_error *err)
{
    struct quell_scanner *s = scanner;
    *out = NULL;
    if (!s->has_scored)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "the scanner has no scanned comment to score in its context");
    if (facts->version > QUELL_CONTEXT_FACTS_VERSION)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL,
                       "quell_context_facts version %u is newer than this library's (%d)",
                       facts->version, QUELL_CONTEXT_FACTS_VERSION);
    /* When the facts fire no context rule, the verdict stands as it is:
     * only its context is new. */
    if (!quell_rules_context_fires(s->rules, facts)) {
        *out = score_set_context(s->scorer, facts);
        return QUELL_OK;
    }
    /* The hits are built again from the matches: a failure leaves no
     * verdict, so the last one is no longer valid either way. */
    s->has_scored = false;
    int rc = score_run(s->scorer, s->matches, s->merged_count, comment, s->is_truncated, facts, out);
    if (rc != QUELL_OK)
        return err_set(err, rc, NULL, 0, NULL, "out of memory scoring in context");
    score_set_excused(s->scorer, s->excused, s->excused_count);
    score_set_rules(s->scorer, s->rules);
    s->has_scored = true;
    return QUELL_OK;
}

bool scan_last_skeleton(const quell_scanner *scanner, const char *text, size_t len,
                        const char **view, size_t *view_len)
{
    const struct quell_scanner *s = scanner;
    if (!s->skeleton_of || s->skeleton_of != text || s->skeleton_len != len)
        return false;
    *view = s->views[VIEW_SKELETON].text;
    *view_len = s->views[VIEW_SKELETON].len;
    return true;
}

bool scan_rule_fired(const quell_scanner *scanner, uint32_t rule)
{
    return score_rule_fired(scanner->scorer, rule);
}

_Static_assert((int)QUELL_VIEW_RAW == (int)VIEW_RAW && (int)QUELL_VIEW_FOLDED == (int)VIEW_FOLDED &&
                   (int)QUELL_VIEW_SKELETON == (int)VIEW_SKELETON &&
                   (int)QUELL_VIEW_ARABIZI == (int)VIEW_ARABIZI && VIEW_ARABIZI + 1 == VIEW_COUNT,
               "the public and internal view numbers agree");

int quell_scanner_view(quell_scanner *scanner, quell_view view, const char *text, size_t len,
                       const char **out, size_t *out_len, quell_error *err)
{
    struct quell_scanner *s = scanner;
    *out = NULL;
    *out_len = 0;
    s->skeleton_of = NULL; /* the views are about to hold this text's */
    if ((unsigned int)view > QUELL_VIEW_ARABIZI)
        return err_set(err, QUELL_EINVAL, NULL, 0, NULL, "unknown view %d", (int)view);
    size_t bad;
    if (!utf8_valid(text, len, &bad))
        return err_set(err, QUELL_EINPUT, NULL, 0, NULL, "invalid UTF-8 at byte %zu", bad);
    const struct norm_tables *t = NULL;
    if (view != QUELL_VIEW_RAW) {
        if (len > UINT32_MAX / 2)
            return err_set(err, QUELL_ETOOBIG, NULL, 0, NULL, "text is longer than 2 GiB");
        /* Rules that read only the raw view have no tables: make them here. */
        if (!s->own_norm && !s->rules->norm && norm_tables_new(&s->own_norm) != QUELL_OK)
            return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising");
        t = s->rules->norm ? s->rules->norm : s->own_norm;
    }
    struct view_text vt;
    if (views_build(t, text, len, VIEW_RAW, (enum view)view, s->views, &vt) != QUELL_OK)
        return err_set(err, QUELL_ENOMEM, NULL, 0, NULL, "out of memory normalising");
    *out = vt.text;
    *out_len = vt.len;
    return QUELL_OK;
}
