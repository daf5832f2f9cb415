/*
 * rules_expr.c - combine expressions: each compiled into reverse Polish steps
 * over rule indexes, then all ordered so that operands come first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_loader.h"

/* Recursive descent over one combine expression, emitting RPN steps.
 * Precedence: ! over & over |; each level returns the expression's value
 * on an empty comment, where no rule fires. */
struct expr_parser {
    struct loader *ld;
    const char *text;
    size_t len;
    size_t pos;
    int depth;
    int negations; /* `!` around the term being parsed */
    struct where at;
};

static int expr_fail(struct expr_parser *p, const char *what)
{
    char q[QUOTE_BUF_BYTES];
    return fail(p->ld, &p->at, "bad combine \"%s\": %s at column %zu",
                rules_quote(q, sizeof q, p->text, p->len), what, p->pos + 1);
}

/* The character at p->pos cannot come next. */
static int expr_unexpected(struct expr_parser *p)
{
    char what[48];
    unsigned char c = (unsigned char)p->text[p->pos];
    if (loader_is_name_char((char)c, true))
        snprintf(what, sizeof what, "an operator is missing");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof what, "unexpected \"%c\"", c);
    else
        snprintf(what, sizeof what, "unexpected byte 0x%02X", c);
    return expr_fail(p, what);
}

static void expr_skip_space(struct expr_parser *p)
{
    while (p->pos < p->len && (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' ||
                               p->text[p->pos] == '\n' || p->text[p->pos] == '\r'))
        p->pos++;
}

static int expr_emit(struct expr_parser *p, uint32_t op, uint32_t arg)
{
    struct expr_step *st;
    int rc = loader_push(p->ld, &p->ld->steps, sizeof *st, RULES_MAX_STEPS, "combine steps", &p->at,
                         (void **)&st);
    if (rc)
        return rc;
    st->op = op;
    st->arg = arg;
    return QUELL_OK;
}

static int expr_or(struct expr_parser *p, bool *value);

static bool expr_rule_id(struct expr_parser *p, size_t start, size_t len, uint32_t *out)
{
    return loader_map_get(&p->ld->rule_ids, p->text + start, len, out);
}

/* Expect the character c next (after spaces), or fail saying what the
 * function's arguments are. */
static int expr_expect(struct expr_parser *p, const char *fn, char c)
{
    char what[96];
    expr_skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == c) {
        p->pos++;
        return QUELL_OK;
    }
    snprintf(what, sizeof what, "\"%c\" is missing in %s(rule, rule, words)", c, fn);
    return expr_fail(p, what);
}

/* One rule id argument of near() or before(), emitted as a SPAN step. */
static int expr_span_operand(struct expr_parser *p, const char *fn, const char *which)
{
    expr_skip_space(p);
    size_t start = p->pos;
    while (p->pos < p->len && loader_is_name_char(p->text[p->pos], true))
        p->pos++;
    if (p->pos == start) {
        char what[96];
        snprintf(what, sizeof what, "%s(rule, rule, words) needs a rule id as its %s argument", fn,
                 which);
        return expr_fail(p, what);
    }
    uint32_t operand;
    if (!expr_rule_id(p, start, p->pos - start, &operand))
        return fail(p->ld, &p->at, "unknown rule \"%.*s\" in %s()", (int)(p->pos - start),
                    p->text + start, fn);
    return expr_emit(p, EXPR_SPAN, operand);
}

/* near(a, b, n): a hit of rule a and one of rule b with at most n words
 * between them, in either order; before(a, b, n): the hit of a comes first.
 * The '(' is at p->pos. Its value on an empty comment is false. */
static int expr_near(struct expr_parser *p, uint32_t op)
{
    const char *fn = op == EXPR_NEAR ? "near" : "before";
    char what[128];
    int rc;
    p->pos++;
    if ((rc = expr_span_operand(p, fn, "first")) || (rc = expr_expect(p, fn, ',')) ||
        (rc = expr_span_operand(p, fn, "second")) || (rc = expr_expect(p, fn, ',')))
        return rc;
    expr_skip_space(p);
    size_t start = p->pos;
    uint32_t words = 0;
    while (p->pos < p->len && p->text[p->pos] >= '0' && p->text[p->pos] <= '9') {
        if (words <= EXPR_MAX_WORDS)
            words = words * 10 + (uint32_t)(p->text[p->pos] - '0');
        p->pos++;
    }
    if (p->pos == start) {
        snprintf(what, sizeof what,
                 "%s(rule, rule, words) needs a whole number of words as its third argument", fn);
        return expr_fail(p, what);
    }
    if (words > EXPR_MAX_WORDS) {
        p->pos = start;
        snprintf(what, sizeof what, "%s() allows at most %d words between its rules", fn,
                 EXPR_MAX_WORDS);
        return expr_fail(p, what);
    }
    if ((rc = expr_expect(p, fn, ')')))
        return rc;
    return expr_emit(p, op, words | (p->negations % 2 ? EXPR_NEGATED : 0));
}

static int expr_unary(struct expr_parser *p, bool *value)
{
    *value = false;
    expr_skip_space(p);
    if (p->pos == p->len)
        return expr_fail(p, p->len == 0 ? "it is empty" : "a rule id is missing");
    char c = p->text[p->pos];
    if (c == '!' || c == '(') {
        if (++p->depth > RULES_MAX_EXPR_DEPTH)
            return expr_fail(p, "it nests too deeply");
        p->pos++;
        int rc;
        if (c == '!') {
            bool v = false;
            p->negations++;
            if ((rc = expr_unary(p, &v)) || (rc = expr_emit(p, EXPR_NOT, 0)))
                return rc;
            p->negations--;
            *value = !v;
        } else {
            if ((rc = expr_or(p, value)))
                return rc;
            expr_skip_space(p);
            if (p->pos == p->len || p->text[p->pos] != ')')
                return expr_fail(p, "\")\" is missing");
            p->pos++;
        }
        p->depth--;
        return QUELL_OK;
    }
    size_t start = p->pos;
    while (p->pos < p->len && loader_is_name_char(p->text[p->pos], true))
        p->pos++;
    if (p->pos == start)
        return expr_unexpected(p);
    size_t name_len = p->pos - start;
    expr_skip_space(p);
    if (p->pos < p->len && p->text[p->pos] == '(') {
        /* A rule id never holds "(", so a name before one is a function. */
        if (name_len == 4 && memcmp(p->text + start, "near", 4) == 0)
            return expr_near(p, EXPR_NEAR);
        if (name_len == 6 && memcmp(p->text + start, "before", 6) == 0)
            return expr_near(p, EXPR_BEFORE);
        p->pos = start;
        char what[RULES_MAX_NAME_BYTES + 64];
        snprintf(what, sizeof what, "unknown function \"%.*s\" (near and before are known)",
                 (int)(name_len < RULES_MAX_NAME_BYTES ? name_len : RULES_MAX_NAME_BYTES),
                 p->text + start);
        return expr_fail(p, what);
    }
    uint32_t operand;
    if (!expr_rule_id(p, start, name_len, &operand))
        return fail(p->ld, &p->at, "unknown rule \"%.*s\" in combine", (int)name_len,
                    p->text + start);
    return expr_emit(p, EXPR_RULE, operand);
}

static int expr_and(struct expr_parser *p, bool *value)
{
    int rc = expr_unary(p, value);
    for (;;) {
        if (rc)
            return rc;
        expr_skip_space(p);
        if (p->pos == p->len || p->text[p->pos] != '&')
            return QUELL_OK;
        p->pos++;
        bool rhs = false;
        if (!(rc = expr_unary(p, &rhs)))
            rc = expr_emit(p, EXPR_AND, 0);
        *value = *value && rhs;
    }
}

static int expr_or(struct expr_parser *p, bool *value)
{
    int rc = expr_and(p, value);
    for (;;) {
        if (rc)
            return rc;
        expr_skip_space(p);
        if (p->pos == p->len || p->text[p->pos] != '|')
            return QUELL_OK;
        p->pos++;
        bool rhs = false;
        if (!(rc = expr_and(p, &rhs)))
            rc = expr_emit(p, EXPR_OR, 0);
        *value = *value || rhs;
    }
}

/* Whether rule r has hit spans to measure: a pattern rule does, and so
 * does a combination with a near() or before() (the spans that held); a
 * context rule never does. */
static bool has_spans(const struct loader *ld, const struct rule *r)
{
    const struct expr_step *steps = ld->steps.data;
    for (uint32_t k = 0; k < r->expr_len; k++) {
        uint32_t op = steps[r->expr_start + k].op;
        if (op == EXPR_NEAR || op == EXPR_BEFORE)
            return true;
    }
    return r->expr_len == 0 && r->context == CONTEXT_NONE;
}

/* Once every combination is compiled: the operands of near() and before()
 * must have spans, and two pattern rules must scan the same field. */
static int check_span_operands(struct loader *ld)
{
    const struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    const struct expr_step *steps = ld->steps.data;
    for (size_t i = 0; i < ld->rules.count; i++) {
        const struct rule *r = &rules[i];
        for (uint32_t k = 0; k < r->expr_len; k++) {
            const struct expr_step *st = &steps[r->expr_start + k];
            if (st->op != EXPR_NEAR && st->op != EXPR_BEFORE)
                continue;
            const char *fn = st->op == EXPR_NEAR ? "near" : "before";
            struct where at = {r->file, info[i].combine_line, r->id};
            const struct rule *a = &rules[steps[r->expr_start + k - 2].arg];
            const struct rule *b = &rules[steps[r->expr_start + k - 1].arg];
            for (int j = 0; j < 2; j++) {
                const struct rule *o = j ? b : a;
                if (o->context != CONTEXT_NONE)
                    return fail(ld, &at,
                                "%s() operand \"%s\" is a context rule: it has no spans to "
                                "measure",
                                fn, o->id);
                if (!has_spans(ld, o))
                    return fail(ld, &at,
                                "%s() operand \"%s\" is a combination without near() or "
                                "before(): it has no spans to measure",
                                fn, o->id);
            }
            if (a->expr_len == 0 && b->expr_len == 0 && a->field != b->field)
                return fail(ld, &at,
                            "%s() operands \"%s\" and \"%s\" scan different fields: their "
                            "spans are never near",
                            fn, a->id, b->id);
        }
    }
    return QUELL_OK;
}

int loader_compile_combinations(struct loader *ld)
{
    struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    char q[QUOTE_BUF_BYTES];
    for (size_t i = 0; i < ld->rules.count; i++) {
        if (!rules[i].expr_text)
            continue;
        struct expr_parser p = {ld,
                                rules[i].expr_text,
                                strlen(rules[i].expr_text),
                                0,
                                0,
                                0,
                                {rules[i].file, info[i].combine_line, rules[i].id}};
        size_t start = ld->steps.count;
        bool value = false;
        int rc = expr_or(&p, &value);
        if (rc)
            return rc;
        expr_skip_space(&p);
        if (p.pos < p.len)
            return expr_unexpected(&p);
        /* Rules fire on something they found; a combination that needs
         * nothing would fire on every comment. */
        if (value)
            return fail(ld, &p.at, "combine \"%s\" holds for an empty comment",
                        rules_quote(q, sizeof q, p.text, p.len));
        rules[i].expr_start = (uint32_t)start;
        rules[i].expr_len = (uint32_t)(ld->steps.count - start);
    }
    return check_span_operands(ld);
}

/* Name the cycle stack[from..top) -> back to its start, into buf. */
static void describe_cycle(const struct loader *ld, const uint32_t *stack, size_t from, size_t top,
                           char *buf, size_t size)
{
    const struct rule *rules = ld->rules.data;
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = from; i <= top && o < size; i++) {
        const char *id = rules[stack[i < top ? i : from]].id;
        int n = snprintf(buf + o, size - o, "%s%s", i > from ? " -> " : "", id);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Order combinations so that every combination operand comes before the
 * rules using it (a depth-first post-order), refusing cycles. */
int loader_order_combinations(struct loader *ld)
{
    const struct rule *rules = ld->rules.data;
    const struct rule_info *info = ld->rule_info.data;
    const struct expr_step *steps = ld->steps.data;
    size_t n = ld->rules.count;
    int rc = QUELL_OK;
    /* 0: not seen, 1: on the stack, 2: ordered */
    uint8_t *state = calloc(n ? n : 1, 1);
    uint32_t *stack = calloc(n ? n : 1, sizeof *stack);
    uint32_t *next_step = calloc(n ? n : 1, sizeof *next_step);
    if (!state || !stack || !next_step) {
        rc = loader_fail_nomem(ld);
        goto out_free;
    }
    for (size_t root = 0; root < n && !rc; root++) {
        if (rules[root].expr_len == 0 || state[root])
            continue;
        size_t top = 0;
        stack[top++] = (uint32_t)root;
        state[root] = 1;
        while (top > 0 && !rc) {
            uint32_t r = stack[top - 1];
            if (next_step[r] < rules[r].expr_len) {
                const struct expr_step *st = &steps[rules[r].expr_start + next_step[r]++];
                if ((st->op != EXPR_RULE && st->op != EXPR_SPAN) || rules[st->arg].expr_len == 0 ||
                    state[st->arg] == 2)
                    continue;
                if (state[st->arg] == 0) {
                    state[st->arg] = 1;
                    stack[top++] = st->arg;
                    continue;
                }
                size_t from = top;
                while (stack[from - 1] != st->arg)
                    from--;
                char cycle[sizeof ld->err->message];
                describe_cycle(ld, stack, from - 1, top, cycle, sizeof cycle);
                struct where at = {rules[st->arg].file, info[st->arg].combine_line,
                                   rules[st->arg].id};
                rc = fail(ld, &at, "combination cycle: %s", cycle);
            } else {
                uint32_t *slot;
                struct where at = {rules[r].file, info[r].combine_line, rules[r].id};
                rc = loader_push(ld, &ld->combo_order, sizeof *slot, RULES_MAX_RULES, "rules", &at,
                                 (void **)&slot);
                if (!rc)
                    *slot = r;
                state[r] = 2;
                top--;
            }
        }
    }
out_free:
    free(next_step);
    free(stack);
    free(state);
    return rc;
}
