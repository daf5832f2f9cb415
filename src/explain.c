/*
 * explain.c - a verdict explained as one JSON object: the views each field
 * was scanned as, every hit with its view and pattern, the hits set aside,
 * and the score built up from rules to categories to the action. For a
 * service or a binding to show what `quell explain` shows at a terminal.
 */
#include <string.h>

#include "output.h"
#include "quell.h"

static const char *const view_names[] = {"raw", "folded", "skeleton", "arabizi"};

static void append_hit(struct out_buf *b, const quell_hit *h)
{
    out_append_str(b, "{\"rule\":");
    out_append_name(b, h->rule_id);
    out_append_str(b, ",\"category\":");
    out_append_name(b, h->category);
    out_append_str(b, ",\"field\":");
    out_append_field_name(b, h->field);
    out_append_str(b, ",\"view\":");
    out_append_name(b, h->view);
    out_append_str(b, ",\"pattern\":");
    out_append_name(b, h->pattern);
    out_append_str(b, ",\"start\":");
    out_append_uint(b, h->start);
    out_append_str(b, ",\"end\":");
    out_append_uint(b, h->end);
    out_append_str(b, ",\"text\":");
    out_append_json_string(b, h->text, h->end - h->start);
}

/* Each field the comment has, with its views and its censored text. */
static int append_fields(struct out_buf *b, quell_scanner *scanner, const quell_verdict *v,
                         const quell_comment *c, quell_error *err)
{
    int is_first = 1;
    out_append_str(b, ",\"fields\":[");
    for (int f = 0; f < QUELL_FIELD_COUNT; f++) {
        const char *text = c->text[f];
        size_t len = c->text_len[f];
        if (!text)
            continue;
        out_append_str(b, is_first ? "{\"field\":" : ",{\"field\":");
        is_first = 0;
        out_append_field_name(b, (quell_field)f);
        out_append_str(b, ",\"text\":");
        out_append_json_string(b, text, len);
        out_append_str(b, ",\"views\":{");
        for (int view = QUELL_VIEW_RAW; view <= QUELL_VIEW_ARABIZI; view++) {
            const char *shown;
            size_t shown_len;
            int rc =
                quell_scanner_view(scanner, (quell_view)view, text, len, &shown, &shown_len, err);
            if (rc != QUELL_OK)
                return rc;
            out_append_str(b, view ? ",\"" : "\"");
            out_append_str(b, view_names[view]);
            out_append_str(b, "\":");
            out_append_json_string(b, shown, shown_len);
        }
        out_append_str(b, "},\"censored\":");
        out_append_censored(b, v, (quell_field)f, text, len, '*');
        out_append_str(b, "}");
    }
    out_append_str(b, "]");
    return QUELL_OK;
}

static void append_thresholds(struct out_buf *b, const quell_rules *rules)
{
    out_append_str(b, ",\"thresholds\":{");
    for (int a = QUELL_FLAG; a <= QUELL_REJECT; a++) {
        out_append_str(b, a == QUELL_FLAG ? "\"" : ",\"");
        out_append_str(b, quell_action_name((quell_action)a));
        out_append_str(b, "\":");
        out_append_double_score(b, quell_rules_threshold(rules, (quell_action)a));
    }
    out_append_str(b, "}");
}

static void append_score_build_up(struct out_buf *b, const quell_verdict *v)
{
    out_append_str(b, ",\"rules\":[");
    for (size_t i = 0; i < v->rule_count; i++) {
        const quell_rule_result *r = &v->rules[i];
        out_append_str(b, i ? ",{\"id\":" : "{\"id\":");
        out_append_name(b, r->rule_id);
        out_append_str(b, ",\"category\":");
        out_append_name(b, r->category);
        out_append_str(b, ",\"count\":");
        out_append_uint(b, r->count);
        out_append_str(b, ",\"score\":");
        out_append_double_score(b, r->score);
        out_append_str(b, "}");
    }
    out_append_str(b, "],\"categories\":[");
    for (size_t i = 0; i < v->category_count; i++) {
        out_append_str(b, i ? ",{\"name\":" : "{\"name\":");
        out_append_name(b, v->category_names[i]);
        out_append_str(b, ",\"score\":");
        out_append_double_score(b, v->category_scores[i]);
        out_append_str(b, quell_rules_category_is_separate(v->rules_used, i)
                              ? ",\"separate\":true}"
                              : ",\"separate\":false}");
    }
    out_append_str(b, "]");
}

int quell_explain_to_json(quell_scanner *scanner, const quell_verdict *verdict,
                          const quell_comment *comment, const char *id_json, size_t id_len,
                          char *buf, size_t buf_size, size_t *needed, quell_error *err)
{
    const quell_verdict *v = verdict;
    struct out_buf b;
    out_init(&b, buf, buf_size);
    *needed = 0;

    out_append_id(&b, id_json, id_len);
    out_append_str(&b, ",\"rules_id\":");
    out_append_name(&b, v->rules_id);
    out_append_str(&b, ",\"rules_label\":");
    out_append_name(&b, quell_rules_label(v->rules_used));
    out_append_str(&b, ",\"action\":\"");
    out_append_str(&b, quell_action_name(v->action));
    out_append_str(&b, "\",\"score\":");
    out_append_double_score(&b, v->score);
    append_thresholds(&b, v->rules_used);

    int rc = append_fields(&b, scanner, v, comment, err);
    if (rc != QUELL_OK)
        return rc;

    out_append_str(&b, ",\"hits\":[");
    for (size_t i = 0; i < v->hit_count; i++) {
        if (i)
            out_append_str(&b, ",");
        append_hit(&b, &v->hits[i]);
        out_append_str(&b, "}");
    }
    out_append_str(&b, "],\"excused\":[");
    for (size_t i = 0; i < v->excused_count; i++) {
        const quell_excused_hit *e = &v->excused[i];
        if (i)
            out_append_str(&b, ",");
        append_hit(&b, &e->hit);
        out_append_str(&b, e->reason == QUELL_EXCUSE_ALLOWED ? ",\"reason\":\"allowed\"}"
                                                             : ",\"reason\":\"invalid\"}");
    }
    out_append_str(&b, "]");
    append_score_build_up(&b, v);
    out_append_str(&b,
                   v->is_truncated ? ",\"is_truncated\":true}\n" : ",\"is_truncated\":false}\n");
    *needed = out_finish(&b);
    return QUELL_OK;
}
