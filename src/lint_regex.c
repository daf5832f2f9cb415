/*
 * lint_regex.c - reading a regex as Hyperscan will, to warn about what makes
 * it slow or broad: large repeats, leading or unbounded wildcards, matches
 * of a byte or two.
 */
#include "lint.h"

/* ------------------------------------------------------------------------ */
/* Regexes: what Hyperscan finds slow or broad                               */

/* What reading a regex found. Offsets are bytes of the regex. */
struct regex_facts {
    unsigned long max_bound; /* the largest repeat bound */
    bool has_leading_wildcard;
    size_t leading_from, leading_to;
    bool has_inner_wildcard;
    size_t inner_from, inner_to;
};

/* What part of a regex can match, for telling a wildcard from a token
 * class: a wildcard matches white space and letters both, so it runs across
 * words. has_all_letters (every ASCII letter of a case) is what a negated
 * class needs to exclude letters. */
struct charset {
    bool has_space;
    bool has_letter;
    bool has_all_letters;
};

static void charset_add_range(struct charset *cs, int32_t lo, int32_t hi)
{
    if (lo <= ' ' && hi >= ' ')
        cs->has_space = true;
    /* Beyond ASCII, most of what a class covers is letters (Arabic, Latin
     * accents, Cyrillic). */
    if ((lo <= 'z' && hi >= 'a') || (lo <= 'Z' && hi >= 'A') || hi >= 0x80)
        cs->has_letter = true;
    if ((lo <= 'a' && hi >= 'z') || (lo <= 'A' && hi >= 'Z'))
        cs->has_all_letters = true;
}

static void charset_add(struct charset *cs, bool has_space, bool has_letter, bool has_all_letters)
{
    cs->has_space |= has_space;
    cs->has_letter |= has_letter || has_all_letters;
    cs->has_all_letters |= has_all_letters;
}

/* A \p{..} or \P{..} property: letters when it names L*, space when Z*;
 * negated, the rest. */
static void charset_add_property(struct charset *cs, char first, bool is_negated)
{
    bool is_letter = first == 'L' || first == 'X';
    bool is_space = first == 'Z';
    bool has_letter = is_negated ? !is_letter : is_letter;
    charset_add(cs, is_negated ? !is_space : is_space, has_letter, has_letter);
}

/* Parse up to max_digits digits of base at re[*pos] (stopping at close when
 * given); the value saturates rather than wraps. */
static int32_t read_number(const char *re, size_t len, size_t *pos, int base, size_t max_digits)
{
    int32_t v = 0;
    for (size_t n = 0; *pos < len && n < max_digits; n++) {
        char c = re[*pos];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 99;
        if (d >= base)
            break;
        v = v > 0x10FFFF ? v : v * base + d;
        (*pos)++;
    }
    return v;
}

/*
 * Read the escape at re[*pos] == '\\'. A class escape (\d, \s, \p{..}...)
 * adds to cs and returns true; a character escape sets *cp and returns
 * false. Assertions are the caller's business.
 */
static bool read_escape(const char *re, size_t len, size_t *pos, int32_t *cp, struct charset *cs)
{
    size_t p = *pos + 1;
    *cp = '\\';
    if (p >= len) {
        *pos = p;
        return false;
    }
    char e = re[p++];
    bool is_class = true;
    switch (e) {
    case 's':
    case 'h':
    case 'W':
        charset_add(cs, true, false, false);
        break;
    case 'S':
    case 'w':
    case 'H':
        charset_add(cs, false, true, true);
        break;
    case 'D':
    case 'V':
    case 'N':
    case 'C':
    case 'X':
        charset_add(cs, true, true, true);
        break;
    case 'd':
    case 'v':
    case 'R':
        break;
    case 'p':
    case 'P':
        if (p < len && re[p] == '{') {
            size_t name = p + 1;
            while (p < len && re[p] != '}')
                p++;
            p += p < len;
            bool is_caret = name < len && re[name] == '^';
            char first = '\0';
            if (name + is_caret < len)
                first = re[name + is_caret];
            charset_add_property(cs, first, (e == 'P') != is_caret);
        } else if (p < len) {
            charset_add_property(cs, re[p++], e == 'P');
        }
        break;
    default:
        is_class = false;
        break;
    }
    if (is_class) {
        *pos = p;
        return true;
    }
    switch (e) {
    case 'x':
        if (p < len && re[p] == '{') {
            p++;
            *cp = read_number(re, len, &p, 16, 8);
            p += p < len && re[p] == '}';
        } else {
            *cp = read_number(re, len, &p, 16, 2);
        }
        break;
    case 'o':
        if (p < len && re[p] == '{') {
            p++;
            *cp = read_number(re, len, &p, 8, 11);
            p += p < len && re[p] == '}';
        }
        break;
    case 'c':
        *cp = p < len ? (re[p++] & 0x1F) : 0;
        break;
    case 'n':
        *cp = '\n';
        break;
    case 't':
        *cp = '\t';
        break;
    case 'r':
        *cp = '\r';
        break;
    case 'f':
        *cp = '\f';
        break;
    case 'e':
        *cp = 0x1B;
        break;
    case 'a':
        *cp = 0x07;
        break;
    default:
        if (e >= '0' && e <= '7') {
            p--;
            *cp = read_number(re, len, &p, 8, 3);
        } else if ((unsigned char)e >= 0x80) {
            /* An escaped multi-byte character stands for itself. */
            *cp = utf8_decode_at(re, len, p - 1, &p);
        } else {
            *cp = (unsigned char)e;
        }
        break;
    }
    *pos = p;
    return false;
}

/* One character or class escape inside [...]: true for a class escape. */
static bool read_class_item(const char *re, size_t len, size_t *pos, int32_t *cp,
                            struct charset *cs)
{
    if (re[*pos] == '\\')
        return read_escape(re, len, pos, cp, cs);
    *cp = utf8_decode_at(re, len, *pos, pos);
    return false;
}

/* A POSIX class name ("alpha", "space"...) inside [...]. */
static void charset_add_posix(struct charset *cs, const char *name, size_t len)
{
    static const struct {
        const char *name;
        bool has_space, has_letter, has_all_letters;
    } classes[] = {
        {"alpha", false, true, true},   {"alnum", false, true, true},
        {"word", false, true, true},    {"upper", false, true, true},
        {"lower", false, true, true},   {"graph", false, true, true},
        {"xdigit", false, true, false}, {"print", true, true, true},
        {"space", true, false, false},  {"blank", true, false, false},
        {"punct", false, false, false}, {"digit", false, false, false},
        {"cntrl", false, false, false}, {"ascii", true, true, true},
    };
    bool is_negated = len > 0 && name[0] == '^';
    if (is_negated) {
        name++;
        len--;
    }
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strlen(classes[i].name) == len && memcmp(classes[i].name, name, len) == 0) {
            if (is_negated)
                charset_add(cs, !classes[i].has_space, !classes[i].has_all_letters,
                            !classes[i].has_letter);
            else
                charset_add(cs, classes[i].has_space, classes[i].has_letter,
                            classes[i].has_all_letters);
            return;
        }
    }
}

/* Read the class at re[*pos] == '[': what it can match. */
static struct charset read_class(const char *re, size_t len, size_t *pos)
{
    size_t p = *pos + 1;
    bool is_negated = p < len && re[p] == '^';
    p += is_negated;
    struct charset cs = {false, false, false};
    bool is_first = true;
    while (p < len) {
        if (re[p] == ']' && !is_first) {
            p++;
            break;
        }
        is_first = false;
        if (re[p] == '[' && p + 1 < len && re[p + 1] == ':') {
            const char *end = NULL;
            for (size_t k = p + 2; k + 1 < len && !end; k++) {
                if (re[k] == ':' && re[k + 1] == ']')
                    end = re + k;
            }
            if (end) {
                charset_add_posix(&cs, re + p + 2, (size_t)(end - (re + p + 2)));
                p = (size_t)(end - re) + 2;
                continue;
            }
        }
        int32_t lo, hi;
        if (read_class_item(re, len, &p, &lo, &cs))
            continue;
        if (p + 1 < len && re[p] == '-' && re[p + 1] != ']') {
            p++;
            if (read_class_item(re, len, &p, &hi, &cs)) {
                /* "a-\d": the dash is a character. */
                charset_add_range(&cs, lo, lo);
                charset_add_range(&cs, '-', '-');
                continue;
            }
            charset_add_range(&cs, lo, hi);
        } else {
            charset_add_range(&cs, lo, lo);
        }
    }
    *pos = p;
    if (!is_negated)
        return cs;
    return (struct charset){!cs.has_space, !cs.has_all_letters, !cs.has_letter};
}

/* A {m}, {m,} or {m,n} quantifier at re[*pos] == '{'; false (pos kept) when
 * the brace is a plain character. */
static bool read_braces(const char *re, size_t len, size_t *pos, unsigned long *lo,
                        unsigned long *hi, bool *is_unbounded)
{
    size_t p = *pos + 1;
    size_t start = p;
    *lo = (unsigned long)read_number(re, len, &p, 10, 9);
    if (p == start || p >= len)
        return false;
    *hi = *lo;
    *is_unbounded = false;
    if (re[p] == ',') {
        size_t hi_start = ++p;
        *hi = (unsigned long)read_number(re, len, &p, 10, 9);
        *is_unbounded = p == hi_start;
    }
    if (p >= len || re[p] != '}')
        return false;
    *pos = p + 1;
    return true;
}

/* Skip what follows "(?" in a group opening: ":", "=", "<name>", "i:"... */
static size_t skip_group_prefix(const char *re, size_t len, size_t p)
{
    if (p < len && (re[p] == 'P' || re[p] == '<' || re[p] == '\'')) {
        if (re[p] == 'P')
            p++;
        if (p < len && (re[p] == '=' || re[p] == '!'))
            return p + 1; /* (?<= and (?<! */
        while (p < len && re[p] != '>' && re[p] != '\'')
            p++;
        return p + (p < len);
    }
    while (p < len && ((re[p] >= 'a' && re[p] <= 'z') || re[p] == '-' || re[p] == '^'))
        p++;
    return p + (p < len && strchr(":=!>|", re[p]) != NULL);
}

/*
 * Read a regex just far enough to find its repeat bounds and the wildcards
 * repeated without bound, at its start or inside. A wildcard matches spaces
 * and letters both (".", "[^x]", "\D", or a group of classes such as
 * "(\s\w+)"); literal text inside a group does not make it one. Not a
 * validator: Hyperscan has already accepted the regex.
 */
static void read_regex(const char *re, size_t len, struct regex_facts *out)
{
    struct {
        bool was_leading;
        struct charset classes; /* of the classes inside, not the literals */
        size_t from;
    } stack[LINT_MAX_DEPTH];
    size_t depth = 0;
    bool is_leading = true;
    size_t pos = 0;
    memset(out, 0, sizeof *out);
    while (pos < len) {
        char c = re[pos];
        size_t from = pos;
        struct charset atom = {false, false, false};
        bool is_literal = false;
        bool was_leading = is_leading;
        if (c == '\\' && pos + 1 < len && re[pos + 1] && strchr("bBAzZGK", re[pos + 1])) {
            pos += 2; /* assertions match no text */
            continue;
        }
        if (c == '\\' && pos + 1 < len && re[pos + 1] == 'Q') {
            const char *end = NULL;
            for (size_t k = pos + 2; k + 1 < len && !end; k++) {
                if (re[k] == '\\' && re[k + 1] == 'E')
                    end = re + k;
            }
            pos = end ? (size_t)(end - re) + 2 : len;
            is_literal = true;
        } else if (c == '\\') {
            int32_t cp;
            if (!read_escape(re, len, &pos, &cp, &atom)) {
                charset_add_range(&atom, cp, cp);
                is_literal = true;
            }
        } else if (c == '[') {
            atom = read_class(re, len, &pos);
        } else if (c == '.') {
            charset_add(&atom, true, true, true);
            pos++;
        } else if (c == '(') {
            if (pos + 2 < len && re[pos + 1] == '?' && re[pos + 2] == '#') {
                while (pos < len && re[pos] != ')')
                    pos++;
                pos += pos < len;
                continue;
            }
            /* (?i) and the like set options and match nothing. */
            size_t k = pos + 1;
            if (k < len && re[k] == '?') {
                k++;
                while (k < len && ((re[k] >= 'a' && re[k] <= 'z') || re[k] == '-' || re[k] == '^'))
                    k++;
                if (k < len && re[k] == ')' && k > pos + 2) {
                    pos = k + 1;
                    continue;
                }
            }
            if (depth == LINT_MAX_DEPTH)
                return;
            stack[depth].was_leading = is_leading;
            stack[depth].classes = atom;
            stack[depth].from = pos;
            depth++;
            pos++;
            if (pos < len && re[pos] == '?')
                pos = skip_group_prefix(re, len, pos + 1);
            continue;
        } else if (c == ')') {
            pos++;
            if (depth == 0)
                continue;
            depth--;
            atom = stack[depth].classes;
            was_leading = stack[depth].was_leading;
            from = stack[depth].from;
        } else if (c == '|') {
            is_leading = depth ? stack[depth - 1].was_leading : true;
            pos++;
            continue;
        } else if (c == '^' || c == '$') {
            pos++;
            continue;
        } else {
            pos++; /* a literal byte */
            is_literal = true;
        }

        unsigned long lo = 1, hi = 1;
        bool is_unbounded = false;
        bool has_quantifier = true;
        if (pos < len && re[pos] == '*') {
            lo = 0;
            is_unbounded = true;
            pos++;
        } else if (pos < len && re[pos] == '+') {
            is_unbounded = true;
            pos++;
        } else if (pos < len && re[pos] == '?') {
            lo = 0;
            pos++;
        } else if (!(pos < len && re[pos] == '{' &&
                     read_braces(re, len, &pos, &lo, &hi, &is_unbounded))) {
            has_quantifier = false;
        }
        if (has_quantifier && pos < len && (re[pos] == '?' || re[pos] == '+'))
            pos++; /* lazy or possessive */
        if (lo > out->max_bound)
            out->max_bound = lo;
        if (!is_unbounded && hi > out->max_bound)
            out->max_bound = hi;
        bool is_wildcard = !is_literal && atom.has_space && atom.has_letter;
        if (is_wildcard && is_unbounded) {
            if (was_leading && !out->has_leading_wildcard) {
                out->has_leading_wildcard = true;
                out->leading_from = from;
                out->leading_to = pos;
            } else if (!was_leading && !out->has_inner_wildcard) {
                out->has_inner_wildcard = true;
                out->inner_from = from;
                out->inner_to = pos;
            }
        }
        if (!is_literal && depth > 0)
            charset_add(&stack[depth - 1].classes, atom.has_space, atom.has_letter,
                        atom.has_all_letters);
        /* An optional atom leaves what follows where it was: "x?.*a"
         * still starts with a wildcard. */
        is_leading = lo == 0 && was_leading;
    }
}

/* The flags hsdb.c compiles a regex with, for hs_expression_info. */
static unsigned int regex_flags(const struct pattern *p)
{
    unsigned int flags = HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST;
    if (p->is_caseless && p->view == VIEW_RAW)
        flags |= HS_FLAG_CASELESS;
    return flags;
}

/* The characters a literal needs in a comment: its view text's, with each
 * letter run it insists on counted in full ("ass" is "as" in the skeleton,
 * but needs three letters). */
static size_t count_letters(const struct pattern_info *info)
{
    size_t n = 0;
    for (size_t i = 0; i < info->len; i++) {
        if (((unsigned char)info->text[i] & 0xC0) != 0x80)
            n += info->runs ? info->runs[i] : 1;
    }
    return n;
}

/* Short text is broad when it can sit inside words: a letter or digit. A
 * lone emoji or symbol is as specific as a long word. */
static bool has_word_char(const char *s, size_t len)
{
    for (size_t off = 0, next; off < len; off = next) {
        if (utf8_is_word_char(utf8_decode_at(s, len, off, &next)))
            return true;
    }
    return false;
}

static int check_regex(struct linter *lt, size_t pi)
{
    const struct pattern *p = &lt->t->patterns[pi];
    char q[QUOTE_BUF_BYTES], frag[QUOTE_BUF_BYTES];
    struct regex_facts facts;
    int rc = QUELL_OK;
    read_regex(p->text, p->text_len, &facts);
    rules_quote(q, sizeof q, p->text, p->text_len);
    if (facts.max_bound > LINT_MAX_REPEAT) {
        struct finding f = lint_at_pattern(lt, LINT_LARGE_REPEAT, pi);
        rc = lint_note(lt, &f,
                       "regex \"%s\" repeats up to %lu times (more than %d): Hyperscan keeps state "
                       "for every repetition, so it compiles slowly and scans slowly",
                       q, facts.max_bound, LINT_MAX_REPEAT);
    }
    if (!rc && facts.has_leading_wildcard) {
        struct finding f = lint_at_pattern(lt, LINT_LEADING_WILDCARD, pi);
        rc = lint_note(
            lt, &f,
            "regex \"%s\" starts with \"%s\": Hyperscan finds matches anywhere anyway, so "
            "the prefix only stretches every hit back over the text before it",
            q,
            rules_quote(frag, sizeof frag, p->text + facts.leading_from,
                        facts.leading_to - facts.leading_from));
    }
    if (!rc && facts.has_inner_wildcard) {
        struct finding f = lint_at_pattern(lt, LINT_UNBOUNDED_WILDCARD, pi);
        rc = lint_note(lt, &f,
                       "regex \"%s\" has \"%s\", which spans any number of words: it fires on its "
                       "parts however far apart they are, and the hit covers everything between",
                       q,
                       rules_quote(frag, sizeof frag, p->text + facts.inner_from,
                                   facts.inner_to - facts.inner_from));
    }
    if (rc)
        return rc;
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *cerr = NULL;
    if (hs_expression_info(p->text, regex_flags(p), &info, &cerr) != HS_SUCCESS) {
        /* It compiled into the database, so this does not happen; and a
         * lint has nothing to add to Hyperscan's own verdict. */
        hs_free_compile_error(cerr);
        return QUELL_OK;
    }
    unsigned int min_width = info->min_width;
    free(info); /* hs_expression_info allocates with malloc: no allocator is set */
    if (min_width <= LINT_SHORT_BYTES) {
        struct finding f = lint_at_pattern(lt, LINT_SHORT_MATCH, pi);
        rc = lint_note(
            lt, &f,
            "regex \"%s\" can match as little as %u byte%s: a pattern that short fires all "
            "over ordinary text",
            q, min_width, min_width == 1 ? "" : "s");
    }
    return rc;
}

int lint_check_patterns(struct linter *lt)
{
    const struct rule_table *t = lt->t;
    char q[QUOTE_BUF_BYTES], v[QUOTE_BUF_BYTES];
    for (size_t pi = 0; pi < t->pattern_count; pi++) {
        const struct pattern *p = &t->patterns[pi];
        int rc = QUELL_OK;
        if (p->kind == PAT_REGEX) {
            rc = check_regex(lt, pi);
        } else if (p->kind == PAT_SUBSTRING) {
            const struct pattern_info *info = &lt->rules->patterns[pi];
            size_t chars = count_letters(info);
            if (chars <= LINT_SHORT_CHARS && has_word_char(info->text, info->len)) {
                struct finding f = lint_at_pattern(lt, LINT_SHORT_MATCH, pi);
                rules_quote(q, sizeof q, p->text, p->text_len);
                rules_quote(v, sizeof v, info->text, info->len);
                /* Show the view's text only when it differs ("Ａ" reads "a"). */
                char shown[QUOTE_BUF_BYTES + 16] = "";
                if (strcmp(q, v) != 0)
                    snprintf(shown, sizeof shown, " (\"%s\")", v);
                rc = lint_note(
                    lt, &f,
                    "substring \"%s\" is %zu character%s%s in the %s view: it fires inside "
                    "many ordinary words",
                    q, chars, chars == 1 ? "" : "s", shown, rules_view_name(p->view));
            }
        }
        if (rc)
            return rc;
    }
    return QUELL_OK;
}
