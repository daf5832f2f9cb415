/*
 * check_record.c - input records: TEXT and NUL framing, JSONL records good
 * and bad against hand-written tables, and random records that must never
 * crash, read out of bounds or hand back a field cut short at a NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "suites.h"
#include "quell.h"

#define S(lit) lit, sizeof lit - 1

static quell_record_parser *new_parser(quell_format format, const quell_record_fields *fields)
{
    quell_record_parser *p = NULL;
    quell_error err;
    ck_assert_int_eq(quell_record_parser_new(&p, format, fields, &err), QUELL_OK);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* Parse a copy in a buffer of exactly len bytes, so that AddressSanitizer
 * catches a read past the end. The record's borrowed strings point into the
 * copy, so the caller frees *copy after its last look at the record. */
static int parse_exact(quell_record_parser *p, const char *data, size_t len,
                       const quell_record **rec, quell_error *err, char **copy)
{
    *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(*copy);
    memcpy(*copy, data, len);
    return quell_record_parse(p, *copy, len, rec, err);
}

/* ---------------------------------------------------------------------- */
/* TEXT and NUL                                                            */

struct framing_case {
    quell_format format;
    const char *in;
    size_t in_len;
    const char *body;
    size_t body_len;
};

static const struct framing_case framing_cases[] = {
    {QUELL_FORMAT_TEXT, S("hello"), S("hello")},
    {QUELL_FORMAT_TEXT, S("hello\r"), S("hello")},
    {QUELL_FORMAT_TEXT, S(""), S("")},
    {QUELL_FORMAT_TEXT, S("\r"), S("")},
    {QUELL_FORMAT_TEXT, S("a\rb"), S("a\rb")},
    {QUELL_FORMAT_TEXT, S("a\r\r"), S("a\r")},
    {QUELL_FORMAT_TEXT, S("{\"body\":1}"), S("{\"body\":1}")},
    {QUELL_FORMAT_TEXT, S("\xd9\x85\xff"), S("\xd9\x85\xff")},
    {QUELL_FORMAT_NUL, S("line one\nline two\r\n"), S("line one\nline two\r\n")},
    {QUELL_FORMAT_NUL, S("x\r"), S("x\r")},
    {QUELL_FORMAT_NUL, S(""), S("")},
};

#define FRAMING_CASE_COUNT (sizeof framing_cases / sizeof framing_cases[0])

START_TEST(test_framing)
{
    const struct framing_case *c = &framing_cases[_i];
    quell_record_parser *p = new_parser(c->format, NULL);
    const quell_record *rec;
    quell_error err;
    char *copy;

    ck_assert_int_eq(parse_exact(p, c->in, c->in_len, &rec, &err, &copy), QUELL_OK);
    ck_assert_ptr_eq(rec->comment.text[QUELL_FIELD_BODY], copy); /* borrowed, not copied */
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], c->body_len);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], c->body, c->body_len);
    ck_assert_ptr_null(rec->comment.text[QUELL_FIELD_AUTHOR]);
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_AUTHOR], 0);
    ck_assert_ptr_null(rec->id_json);
    ck_assert_uint_eq(rec->id_json_len, 0);
    free(copy);
    quell_record_parser_free(p);
}
END_TEST

START_TEST(test_framing_null_data)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_TEXT, NULL);
    const quell_record *rec;

    ck_assert_int_eq(quell_record_parse(p, NULL, 0, &rec, NULL), QUELL_OK);
    ck_assert_ptr_nonnull(rec->comment.text[QUELL_FIELD_BODY]); /* present, empty */
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], 0);
    quell_record_parser_free(p);
}
END_TEST

START_TEST(test_parser_new_errors)
{
    quell_record_parser *p = (quell_record_parser *)&p; /* must be reset to NULL */
    quell_error err;

    ck_assert_int_eq(quell_record_parser_new(&p, (quell_format)7, NULL, &err), QUELL_EINVAL);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(err.code, QUELL_EINVAL);
    ck_assert_int_eq(quell_record_parser_new(&p, (quell_format)-1, NULL, NULL), QUELL_EINVAL);
    quell_record_parser_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Good JSONL records                                                      */

struct good_case {
    const char *in;
    size_t in_len;
    const char *body;
    size_t body_len;
    const char *author;  /* NULL: absent */
    const char *id_json; /* NULL: no id */
};

static const struct good_case good_cases[] = {
    {S("{\"id\":\"c1\",\"body\":\"hello\"}"), S("hello"), NULL, "\"c1\""},
    {S("{\"id\":42,\"body\":\"hi\",\"author\":\"bob\"}"), S("hi"), "bob", "42"},
    {S("{\"body\":\"hi\",\"author\":null}"), S("hi"), NULL, NULL},
    {S("{\"body\":\"hi\"}"), S("hi"), NULL, NULL},
    {S("{\"id\":-7,\"body\":\"\"}"), S(""), NULL, "-7"},
    {S("{\"id\":\"\",\"body\":\"x\"}"), S("x"), NULL, "\"\""},
    /* numbers: exactly as written, whatever a double would make of them */
    {S("{\"id\":0,\"body\":\"x\"}"), S("x"), NULL, "0"},
    {S("{\"id\":-0,\"body\":\"x\"}"), S("x"), NULL, "-0"},
    {S("{\"id\":-0.0,\"body\":\"x\"}"), S("x"), NULL, "-0.0"},
    {S("{\"id\":2.0,\"body\":\"x\"}"), S("x"), NULL, "2.0"},
    {S("{\"id\":1.50,\"body\":\"x\"}"), S("x"), NULL, "1.50"},
    {S("{\"id\":1E2,\"body\":\"x\"}"), S("x"), NULL, "1E2"},
    {S("{\"id\":9007199254740991,\"body\":\"x\"}"), S("x"), NULL, "9007199254740991"},
    {S("{\"id\":-9007199254740991,\"body\":\"x\"}"), S("x"), NULL, "-9007199254740991"},
    {S("{\"id\":9007199254740993,\"body\":\"x\"}"), S("x"), NULL, "9007199254740993"},
    {S("{\"id\":1234567890123456789,\"body\":\"x\"}"), S("x"), NULL, "1234567890123456789"},
    {S("{\"id\":1234567890123456788,\"body\":\"x\"}"), S("x"), NULL, "1234567890123456788"},
    {S("{\"id\":12345678901234567890123,\"body\":\"x\"}"), S("x"), NULL, "12345678901234567890123"},
    {S("{\"id\":1e20,\"body\":\"x\"}"), S("x"), NULL, "1e20"},
    {S("{\"id\":1e400,\"body\":\"x\"}"), S("x"), NULL, "1e400"},
    {S("{\"id\":-1E-999,\"body\":\"x\"}"), S("x"), NULL, "-1E-999"},
    {S("{\"id\":1.5,\"body\":\"x\"}"), S("x"), NULL, "1.5"},
    {S("{\"id\":0.1,\"body\":\"x\"}"), S("x"), NULL, "0.1"},
    {S("{\"id\":-1.25e-3,\"body\":\"x\"}"), S("x"), NULL, "-1.25e-3"},
    {S("{\"id\":1e+2,\"body\":\"x\"}"), S("x"), NULL, "1e+2"},
    {S("{ \"id\" :\t7 , \"body\":\"x\"}"), S("x"), NULL, "7"},
    {S("{\"body\":\"x\",\"id\":8}"), S("x"), NULL, "8"},
    {S("{\"i\\u0064\":9,\"body\":\"x\"}"), S("x"), NULL, "9"},
    {S("{\"idx\":\"1,2\\\"}\",\"id\":10,\"body\":\"x\"}"), S("x"), NULL, "10"},
    /* a string id is re-escaped as a JSON literal */
    {S("{\"id\":\"a\\\"b\\u2028\\/\",\"body\":\"x\"}"), S("x"), NULL, "\"a\\\"b\\u2028/\""},
    {S("{\"id\":\"\\u0001\\t\",\"body\":\"x\"}"), S("x"), NULL, "\"\\u0001\\t\""},
    /* a string id in raw UTF-8 is echoed as it is */
    {S("{\"id\":\"\xd9\x85\xc3\xa9\xf0\x9f\x98\x80\",\"body\":\"x\"}"), S("x"), NULL,
     "\"\xd9\x85\xc3\xa9\xf0\x9f\x98\x80\""},
    {S("{\"id\":\"\xef\xbf\xbd\",\"body\":\"x\"}"), S("x"), NULL, "\"\xef\xbf\xbd\""},
    /* escapes decoded */
    {S("{\"body\":\"\\u0645\\u0631\"}"), S("\xd9\x85\xd8\xb1"), NULL, NULL},
    {S("{\"body\":\"\\u00E9\\u00e9\"}"), S("\xc3\xa9\xc3\xa9"), NULL, NULL},
    {S("{\"body\":\"\\ud83d\\ude00!\"}"), S("\xf0\x9f\x98\x80!"), NULL, NULL},
    {S("{\"body\":\"\\uDBFF\\uDFFF\"}"), S("\xf4\x8f\xbf\xbf"), NULL, NULL},
    {S("{\"body\":\"a\\nb\\t\\\"\\\\\\/c\\b\\f\\r\"}"), S("a\nb\t\"\\/c\b\f\r"), NULL, NULL},
    {S("{\"body\":\"\\u0001\"}"), S("\x01"), NULL, NULL},
    {S("{\"body\":\"x\",\"author\":\"\\u00e9\"}"), S("x"), "\xc3\xa9", NULL},
    /* an escaped backslash followed by the text u0000 is no NUL */
    {S("{\"body\":\"a\\\\u0000\"}"), S("a\\u0000"), NULL, NULL},
    /* raw UTF-8, and bytes that are not UTF-8: quell_scan judges those */
    {S("{\"body\":\"\xd9\x85\xd8\xb1\"}"), S("\xd9\x85\xd8\xb1"), NULL, NULL},
    {S("{\"body\":\"\xff\xfe\"}"), S("\xff\xfe"), NULL, NULL},
    /* whitespace, CRLF, other members */
    {S("  {\"body\" : \"x\" }  \r"), S("x"), NULL, NULL},
    {S("{\"body\":\"x\"}\r"), S("x"), NULL, NULL},
    {S("\t{\"body\":\"x\"}\n"), S("x"), NULL, NULL},
    {S("{\"meta\":{\"a\":[1,2,{\"b\":null}]},\"body\":\"x\",\"n\":true}"), S("x"), NULL, NULL},
    {S("{\"Body\":\"no\",\"body\":\"yes\"}"), S("yes"), NULL, NULL},
    /* a NUL in a member that is not read does no harm */
    {S("{\"body\":\"x\",\"meta\":\"\\u0000\"}"), S("x"), NULL, NULL},
    {S("{\"body\":\"x\",\"meta\":\"a\0b\"}"), S("x"), NULL, NULL},
    /* nor does invalid UTF-8 in a member that is not read */
    {S("{\"id\":1,\"body\":\"x\",\"meta\":\"\xff\"}"), S("x"), NULL, "1"},
    {S("{\"bo\\u0000\":1,\"body\":\"x\"}"), S("x"), NULL, NULL},
    /* keys are compared whole and decoded: these are all different */
    {S("{\"a\\u0000b\":1,\"a\\u0000c\":2,\"body\":\"x\"}"), S("x"), NULL, NULL},
    {S("{\"a\\u0000\":1,\"a\":2,\"body\":\"x\"}"), S("x"), NULL, NULL},
    {S("{\"a\":1,\"A\":2,\"ab\":3,\"body\":\"x\"}"), S("x"), NULL, NULL},
    {S("{\"\\ud83d\\ude00\":1,\"\\ud83d\\ude01\":2,\"body\":\"x\"}"), S("x"), NULL, NULL},
    /* only top-level keys must be unique */
    {S("{\"meta\":{\"a\":1,\"a\":2},\"body\":\"x\",\"list\":[{\"body\":1},{\"body\":2}]}"), S("x"),
     NULL, NULL},
    /* every escape JSON has, in each field read, and in keys */
    {S("{\"id\":\"\\b\\f\\n\\r\\t\\\"\\\\\\/\",\"body\":\"x\"}"), S("x"), NULL,
     "\"\\b\\f\\n\\r\\t\\\"\\\\/\""},
    {S("{\"body\":\"x\",\"author\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}"), S("x"), "\"\\/\b\f\n\r\t",
     NULL},
    {S("{\"\\u0062\\u006F\\u0064\\u0079\":\"x\",\"\\u0061uthor\":\"a\"}"), S("x"), "a", NULL},
    {S("{\"body\":\"\\u0041\\u00ff\\u07FF\\u0800\\uFFFF\\uE000\"}"),
     S("A\xc3\xbf\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xee\x80\x80"), NULL, NULL},
    /* surrogate pairs: the lowest and highest, and beside plain text */
    {S("{\"body\":\"\\uD800\\uDC00\"}"), S("\xf0\x90\x80\x80"), NULL, NULL},
    {S("{\"body\":\"a\\ud83d\\ude00b\\ud83d\\ude00\"}"),
     S("a\xf0\x9f\x98\x80"
       "b\xf0\x9f\x98\x80"),
     NULL, NULL},
    /* an escaped pair in a string id comes back as the character */
    {S("{\"id\":\"\\ud83d\\ude00\",\"body\":\"x\"}"), S("x"), NULL, "\"\xf0\x9f\x98\x80\""},
    /* escapes and strings in members not read are checked, not decoded */
    {S("{\"meta\":\"\\ud83d\\ude00\\n\",\"body\":\"x\"}"), S("x"), NULL, NULL},
    /* nested containers in members not read are skipped whole, brackets and
     * quotes in their strings too */
    {S("{\"meta\":{\"a\":\"}\\\"]\",\"b\":[[],{},[{\"c\":[true,false,null]}]]},\"body\":\"x\"}"),
     S("x"), NULL, NULL},
    {S("{\"list\":[\"{\",\"[\",\"\\\\\"],\"body\":\"x\",\"o\":{}}"), S("x"), NULL, NULL},
    {S("{\"n\":[-0.5e+10,0,1E-2,-0,123],\"body\":\"x\"}"), S("x"), NULL, NULL},
    {S("{ \"a\" : [ 1 , { \"b\" : null } ] ,\r\n\"body\" :\t\"x\" }"), S("x"), NULL, NULL},
    /* a field may be an empty string, and an id too */
    {S("{\"id\":\"\",\"body\":\"\",\"author\":\"\"}"), S(""), "", "\"\""},
};

#define GOOD_CASE_COUNT (sizeof good_cases / sizeof good_cases[0])

START_TEST(test_jsonl_good)
{
    const struct good_case *c = &good_cases[_i];
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    const quell_record *rec;
    quell_error err = {0};
    char *copy;

    int rc = parse_exact(p, c->in, c->in_len, &rec, &err, &copy);
    ck_assert_msg(rc == QUELL_OK, "case %d: %s", _i, err.message);
    free(copy); /* JSONL fields live in the parser, not in the input */

    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], c->body_len);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], c->body, c->body_len);
    if (c->author) {
        ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_AUTHOR], strlen(c->author));
        ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_AUTHOR], c->author, strlen(c->author));
    } else {
        ck_assert_ptr_null(rec->comment.text[QUELL_FIELD_AUTHOR]);
    }
    if (c->id_json) {
        ck_assert_uint_eq(rec->id_json_len, strlen(c->id_json));
        ck_assert_mem_eq(rec->id_json, c->id_json, rec->id_json_len);
    } else {
        ck_assert_ptr_null(rec->id_json);
        ck_assert_uint_eq(rec->id_json_len, 0);
    }
    quell_record_parser_free(p);
}
END_TEST

START_TEST(test_jsonl_custom_fields)
{
    const quell_record_fields fields = {.id = "cid", .body = "text", .author = "user"};
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, &fields);
    const quell_record *rec;
    quell_error err;

    static const char line[] =
        "{\"id\":\"x\",\"body\":\"ignored\",\"cid\":3,\"text\":\"yo\",\"user\":\"u\"}";
    ck_assert_int_eq(quell_record_parse(p, line, sizeof line - 1, &rec, &err), QUELL_OK);
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], 2);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], "yo", 2);
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_AUTHOR], 1);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_AUTHOR], "u", 1);
    ck_assert_uint_eq(rec->id_json_len, 1);
    ck_assert_mem_eq(rec->id_json, "3", 1);

    ck_assert_int_eq(quell_record_parse(p, S("{\"body\":\"x\"}"), &rec, &err), QUELL_EINPUT);
    ck_assert_str_eq(err.message, "missing \"text\" field");
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":1}"), &rec, &err), QUELL_EINPUT);
    ck_assert_str_eq(err.message, "\"text\" is not a string");
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"\",\"user\":1}"), &rec, &err),
                     QUELL_EINPUT);
    ck_assert_str_eq(err.message, "\"user\" is not a string");
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"\",\"cid\":[]}"), &rec, &err),
                     QUELL_EINPUT);
    ck_assert_str_eq(err.message, "\"cid\" must be a string or a number");
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"\",\"cid\":\"\xfe\"}"), &rec, &err),
                     QUELL_EINPUT);
    ck_assert_str_eq(err.message, "invalid UTF-8 at byte 0 of \"cid\"");
    ck_assert_ptr_null(rec->id_json);
    /* Only the id member is checked: "id" is an unknown member here. */
    ck_assert_int_eq(
        quell_record_parse(p, S("{\"id\":\"\xfe\",\"text\":\"\",\"cid\":4}"), &rec, &err),
        QUELL_OK);
    ck_assert_mem_eq(rec->id_json, "4", 1);
    quell_record_parser_free(p);

    /* Members left NULL keep their defaults. */
    const quell_record_fields body_only = {.body = "msg"};
    p = new_parser(QUELL_FORMAT_JSONL, &body_only);
    ck_assert_int_eq(
        quell_record_parse(p, S("{\"id\":1,\"msg\":\"m\",\"author\":\"a\"}"), &rec, &err),
        QUELL_OK);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], "m", 1);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_AUTHOR], "a", 1);
    ck_assert_mem_eq(rec->id_json, "1", 1);
    quell_record_parser_free(p);
}
END_TEST

/* A label member is read only when asked for: strings as they are, numbers
 * as JSON text, null or absent as no label, anything else refused. */
START_TEST(test_jsonl_label)
{
    const quell_record *rec;
    quell_error err;
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    ck_assert_int_eq(quell_record_parse(p, S("{\"body\":\"b\",\"label\":\"spam\"}"), &rec, &err),
                     QUELL_OK);
    ck_assert_ptr_null(rec->label);
    quell_record_parser_free(p);

    const quell_record_fields fields = {.body = "text", .label = "class"};
    p = new_parser(QUELL_FORMAT_JSONL, &fields);
    ck_assert_int_eq(
        quell_record_parse(p, S("{\"text\":\"t\",\"class\":\"h\\u00e9\\nx\"}"), &rec, &err),
        QUELL_OK);
    ck_assert_uint_eq(rec->label_len, 5);
    ck_assert_mem_eq(rec->label, "h\xc3\xa9\nx", 5);
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"t\",\"class\":1}"), &rec, &err),
                     QUELL_OK);
    ck_assert_uint_eq(rec->label_len, 1);
    ck_assert_mem_eq(rec->label, "1", 1);
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"t\",\"class\":-2.5}"), &rec, &err),
                     QUELL_OK);
    ck_assert_uint_eq(rec->label_len, 4);
    ck_assert_mem_eq(rec->label, "-2.5", 4);
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"t\",\"class\":null}"), &rec, &err),
                     QUELL_OK);
    ck_assert_ptr_null(rec->label);
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"t\"}"), &rec, &err), QUELL_OK);
    ck_assert_ptr_null(rec->label);
    ck_assert_int_eq(quell_record_parse(p, S("{\"text\":\"t\",\"class\":[1]}"), &rec, &err),
                     QUELL_EINPUT);
    ck_assert_str_eq(err.message, "\"class\" is not a string or a number");
    /* A NUL hidden in the label cuts it short in cJSON: refused like any field's. */
    ck_assert_int_eq(
        quell_record_parse(p, S("{\"text\":\"t\",\"class\":\"a\\u0000b\"}"), &rec, &err),
        QUELL_EINPUT);
    quell_record_parser_free(p);
}
END_TEST

/* The parser's buffers grow and are reused; each record stands alone. */
START_TEST(test_jsonl_reuse)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    size_t cap = 300000;
    char *line = malloc(cap);
    ck_assert_ptr_nonnull(line);

    static const size_t sizes[] = {10, 1, 5000, 0, 150000, 3, 70000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        size_t len = 0;
        memcpy(line, "{\"id\":\"r\",\"author\":\"", 20);
        len = 20;
        memset(line + len, 'a', n / 2);
        len += n / 2;
        memcpy(line + len, "\",\"body\":\"", 10);
        len += 10;
        memset(line + len, (int)('b' + k), n);
        len += n;
        memcpy(line + len, "\"}", 2);
        len += 2;

        const quell_record *rec;
        quell_error err;
        ck_assert_int_eq(quell_record_parse(p, line, len, &rec, &err), QUELL_OK);
        ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], n);
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(rec->comment.text[QUELL_FIELD_BODY][i], (char)('b' + k));
        ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_AUTHOR], n / 2);
        ck_assert_mem_eq(rec->id_json, "\"r\"", 3);
    }
    free(line);
    quell_record_parser_free(p);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Bad JSONL records                                                       */

struct bad_case {
    const char *in;
    size_t in_len;
    const char *message; /* the whole message, or a phrase when is_phrase */
    int is_phrase;
};

static const struct bad_case bad_cases[] = {
    {S(""), "empty record", 0},
    {S("   \t"), "empty record", 0},
    {S("\r"), "empty record", 0},
    {S(" \r"), "empty record", 0},
    {S("{"), "invalid JSON at byte", 1},
    {S("nope"), "invalid JSON at byte 0", 0},
    {S("{\"body\": x}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"x\""), "invalid JSON at byte", 1},
    {S("{\"body\":\"x"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",}"), "invalid JSON at byte", 1},
    {S("{\"body\":'x'}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"\\q\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\\\"}"), "invalid JSON at byte", 1},
    {S("\x01{\"body\":\"x\"}"), "invalid JSON at byte 0", 0},
    {S("\xef\xbb\xbf{\"body\":\"x\"}"), "invalid JSON at byte 0", 0},
    {S("\0{\"body\":\"x\"}"), "invalid JSON at byte 0", 0},
    /* cJSON reads a bad hex digit as 0: refused before it gets there */
    {S("{\"body\":\"\\u12g4\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"a\\uZZZZ\"}"), "invalid JSON at byte 10", 0},
    {S("{\"body\":\"x\\u\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\\u12\"}"), "invalid JSON at byte", 1},
    /* lone surrogates */
    {S("{\"body\":\"\\ud800\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"\\udc00\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"\\ud800x\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"\\ud800\\u0041\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"\\ude00\\ud83d\"}"), "invalid JSON at byte", 1},
    /* trailing garbage */
    {S("{\"body\":\"x\"} junk"), "trailing data after JSON at byte 13", 0},
    {S("{\"body\":\"x\"}{\"body\":\"y\"}"), "trailing data after JSON at byte 12", 0},
    {S("{\"body\":\"x\"}\0"), "trailing data after JSON at byte 12", 0},
    {S("{\"body\":\"x\"},"), "trailing data after JSON at byte 12", 0},
    /* not an object */
    {S("[1,2]"), "record is not a JSON object", 0},
    {S("\"body\""), "record is not a JSON object", 0},
    {S("42"), "record is not a JSON object", 0},
    {S("null"), "record is not a JSON object", 0},
    /* body */
    {S("{}"), "missing \"body\" field", 0},
    {S("{\"Body\":\"x\"}"), "missing \"body\" field", 0},
    {S("{\"body\":5}"), "\"body\" is not a string", 0},
    {S("{\"body\":null}"), "\"body\" is not a string", 0},
    {S("{\"body\":[\"x\"]}"), "\"body\" is not a string", 0},
    {S("{\"body\":{}}"), "\"body\" is not a string", 0},
    /* author */
    {S("{\"body\":\"x\",\"author\":5}"), "\"author\" is not a string", 0},
    {S("{\"body\":\"x\",\"author\":false}"), "\"author\" is not a string", 0},
    {S("{\"body\":\"x\",\"author\":{}}"), "\"author\" is not a string", 0},
    /* id */
    {S("{\"body\":\"x\",\"id\":true}"), "\"id\" must be a string or a number", 0},
    {S("{\"body\":\"x\",\"id\":null}"), "\"id\" must be a string or a number", 0},
    {S("{\"body\":\"x\",\"id\":{}}"), "\"id\" must be a string or a number", 0},
    {S("{\"body\":\"x\",\"id\":[1]}"), "\"id\" must be a string or a number", 0},
    /* numbers cJSON takes that JSON does not: the id is echoed as written */
    {S("{\"body\":\"x\",\"id\":01}"), "invalid JSON at byte 17", 0},
    {S("{\"body\":\"x\",\"id\":1.}"), "invalid JSON at byte 17", 0},
    {S("{\"body\":\"x\",\"id\":-.5}"), "invalid JSON at byte 17", 0},
    {S("{\"body\":\"x\",\"id\":1.e5}"), "invalid JSON at byte 17", 0},
    {S("{\"body\":\"x\",\"id\":-01.5}"), "invalid JSON at byte 17", 0},
    /* a string id that is not UTF-8: echoed with U+FFFD for each bad byte,
     * "a\xff" and "a\xfe" would be one id (offsets are in the decoded id) */
    {S("{\"id\":\"a\xff\",\"body\":\"x\"}"), "invalid UTF-8 at byte 1 of \"id\"", 0},
    {S("{\"id\":\"a\xfe\",\"body\":\"x\"}"), "invalid UTF-8 at byte 1 of \"id\"", 0},
    {S("{\"id\":\"\xc0\xaf\",\"body\":\"x\"}"), "invalid UTF-8 at byte 0 of \"id\"", 0},
    {S("{\"id\":\"x\xed\xa0\x80\",\"body\":\"x\"}"), "invalid UTF-8 at byte 1 of \"id\"", 0},
    {S("{\"id\":\"\xf4\x90\x80\x80\",\"body\":\"x\"}"), "invalid UTF-8 at byte 0 of \"id\"", 0},
    {S("{\"id\":\"ab\xe2\x82\",\"body\":\"x\"}"), "invalid UTF-8 at byte 2 of \"id\"", 0},
    {S("{\"id\":\"\x80\",\"body\":\"x\"}"), "invalid UTF-8 at byte 0 of \"id\"", 0},
    {S("{\"id\":\"\\u00e9\xff\",\"body\":\"x\"}"), "invalid UTF-8 at byte 2 of \"id\"", 0},
    {S("{\"body\":\"x\",\"id\":\"\xc3\\u00a9\"}"), "invalid UTF-8 at byte 0 of \"id\"", 0},
    /* duplicate top-level keys: readers disagree on which value counts */
    {S("{\"body\":\"nice\",\"body\":\"what an idiot\"}"), "duplicate key \"body\" at byte 15", 0},
    {S("{\"body\":\"x\",\"b\\u006fdy\":\"y\"}"), "duplicate key \"body\" at byte 12", 0},
    {S("{\"id\":1,\"body\":\"x\",\"id\":2}"), "duplicate key \"id\" at byte 19", 0},
    {S("{\"body\":\"x\",\"author\":\"a\",\"author\":null}"), "duplicate key \"author\" at byte 25",
     0},
    {S("{\"n\":1,\"body\":\"x\",\"n\":1}"), "duplicate key \"n\" at byte 18", 0},
    {S("{\"\\ud83d\\ude00\":1,\"body\":\"x\",\"\xf0\x9f\x98\x80\":2}"),
     "duplicate key \"\xf0\x9f\x98\x80\" at byte 29", 0},
    {S("{\"a\\u0000\":1,\"body\":\"x\",\"a\\u0000\":2}"), "duplicate key \"a\" at byte 24", 0},
    {S("{\"z\":1,\"y\":1,\"z\":2,\"y\":2,\"body\":\"x\"}"), "duplicate key \"z\" at byte 13", 0},
    {S("{\"\":1,\"body\":\"x\",\"\":2}"), "duplicate key \"\" at byte 17", 0},
    /* NUL inside a field, escaped or raw, would cut it short */
    {S("{\"body\":\"a\\u0000b\"}"), "NUL character in field", 0},
    {S("{\"body\":\"\\u0000\"}"), "NUL character in field", 0},
    {S("{\"body\":\"a\0b\"}"), "NUL character in field", 0},
    {S("{\"body\":\"x\",\"author\":\"\\u0000\"}"), "NUL character in field", 0},
    {S("{\"body\":\"x\",\"id\":\"a\\u0000\"}"), "NUL character in field", 0},
    {S("{\"body\\u0000x\":\"a\"}"), "NUL character in field", 0},
    {S("{\"body\\u0000\":\"a\",\"body\":\"x\"}"), "NUL character in field", 0},
    {S("{\"body\":\"x\",\"author\":\"a\0\"}"), "NUL character in field", 0},
    {S("{\"body\0\":\"x\"}"), "NUL character in field", 0},
    /* a raw NUL outside a string is no JSON */
    {S("{\"body\":\"x\",\0\"a\":1}"), "invalid JSON at byte 12", 0},
    /* bad escapes anywhere, named at their backslash */
    {S("{\"meta\":\"\\x\",\"body\":\"x\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"x\",\"\\U0041\":1}"), "invalid JSON at byte 13", 0},
    {S("{\"body\":\"x\",\"a\":\"\\u00\"}"), "invalid JSON at byte 17", 0},
    {S("{\"body\":\"\\"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"\\\\\\\"}"), "invalid JSON at byte", 1},
    /* surrogates out of pairs, in any member, named at the first half */
    {S("{\"body\":\"\\ud800\\ud800\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"\\ud83d\\u0000\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"\\ud83d\\n\\ude00\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"\\udfff\"}"), "invalid JSON at byte 9", 0},
    {S("{\"body\":\"a\\ud83d\"}"), "invalid JSON at byte 10", 0},
    {S("{\"meta\":[\"\\ud800\"],\"body\":\"x\"}"), "invalid JSON at byte 10", 0},
    {S("{\"\\ude00\":1,\"body\":\"x\"}"), "invalid JSON at byte 2", 0},
    /* grammar, in members not read as much as in the fields */
    {S("{\"meta\":[1,,2],\"body\":\"x\"}"), "invalid JSON at byte 11", 0},
    {S("{\"meta\":[1 2],\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":[1,],\"body\":\"x\"}"), "invalid JSON at byte 10", 0},
    {S("{\"meta\":[,1],\"body\":\"x\"}"), "invalid JSON at byte 9", 0},
    {S("{\"meta\":{\"a\" 1},\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":{\"a\"},\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":{\"a\":},\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":{\"a\":1,},\"body\":\"x\"}"), "invalid JSON at byte 14", 0},
    {S("{\"meta\":{1:2},\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":[\"a\":1],\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"meta\":[01],\"body\":\"x\"}"), "invalid JSON at byte 9", 0},
    {S("{\"meta\":tru,\"body\":\"x\"}"), "invalid JSON at byte 8", 0},
    {S("{\"meta\":nulls,\"body\":\"x\"}"), "invalid JSON at byte 8", 0},
    {S("{\"meta\":1.5.2,\"body\":\"x\"}"), "invalid JSON at byte 8", 0},
    {S("{\"meta\":1e,\"body\":\"x\"}"), "invalid JSON at byte 8", 0},
    {S("{\"meta\":{\"a\":[}],\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"a\":1:2,\"body\":\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",,\"a\":1}"), "invalid JSON at byte 12", 0},
    {S("{\"body\":\"x\" \"a\":1}"), "invalid JSON at byte", 1},
    {S("{\"body\"::\"x\"}"), "invalid JSON at byte", 1},
    {S("{\"body\" \"x\"}"), "invalid JSON at byte", 1},
    {S("{,\"body\":\"x\"}"), "invalid JSON at byte 1", 0},
    {S("{\"body\":\"x\"]"), "invalid JSON at byte", 1},
    {S("[\"body\"}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",\"a\":\x01}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",\"a\":+1}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",\"a\":\xc3\xa9}"), "invalid JSON at byte", 1},
    {S("{\"body\":\"x\",\"a\":[[[[]]]}"), "invalid JSON at byte", 1},
    /* values at the top level that are not objects, and what follows them */
    {S("true"), "record is not a JSON object", 0},
    {S("-1.5e3 "), "record is not a JSON object", 0},
    {S("[]"), "record is not a JSON object", 0},
    {S("tru"), "invalid JSON at byte 0", 0},
    {S("1 2"), "trailing data after JSON at byte 2", 0},
    {S("\"a\" x"), "trailing data after JSON at byte 4", 0},
    {S("[1] ]"), "trailing data after JSON at byte 4", 0},
    {S("{\"body\":\"x\"}}"), "trailing data after JSON at byte 12", 0},
};

#define BAD_CASE_COUNT (sizeof bad_cases / sizeof bad_cases[0])

START_TEST(test_jsonl_bad)
{
    const struct bad_case *c = &bad_cases[_i];
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    const quell_record *rec;
    quell_error err = {0};
    char *copy;

    int rc = parse_exact(p, c->in, c->in_len, &rec, &err, &copy);
    free(copy);
    ck_assert_msg(rc == QUELL_EINPUT, "case %d: returned %d", _i, rc);
    ck_assert_int_eq(err.code, QUELL_EINPUT);
    if (c->is_phrase)
        ck_assert_msg(strstr(err.message, c->message), "case %d: \"%s\" lacks \"%s\"", _i,
                      err.message, c->message);
    else
        ck_assert_str_eq(err.message, c->message);
    ck_assert_str_eq(err.file, "");
    ck_assert_int_eq(err.line, 0);
    quell_record_parser_free(p);
}
END_TEST

static size_t append(char *dst, size_t len, const char *s, size_t n)
{
    memcpy(dst + len, s, n);
    return len + n;
}

/* Containers nest 1,000 deep at most, as cJSON allowed: deeper is refused
 * (the check recurses once per level), never crashes, and costs no more
 * than reading the record. */
START_TEST(test_jsonl_nesting)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    size_t cap = 2 * 100000 + 64;
    char *line = malloc(cap);
    ck_assert_ptr_nonnull(line);
    static const struct {
        size_t depth; /* arrays inside the record's object */
        int is_ok;
    } cases[] = {{1, 1}, {999, 1}, {1000, 0}, {100000, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t depth = cases[k].depth, len = 0;
        len = append(line, len, S("{\"body\":\"x\",\"a\":"));
        memset(line + len, '[', depth);
        len += depth;
        memset(line + len, ']', depth);
        len += depth;
        len = append(line, len, S("}"));
        const quell_record *rec;
        quell_error err;
        char *copy;
        int rc = parse_exact(p, line, len, &rec, &err, &copy);
        free(copy);
        if (cases[k].is_ok) {
            ck_assert_msg(rc == QUELL_OK, "depth %zu: %s", depth, err.message);
        } else {
            ck_assert_int_eq(rc, QUELL_EINPUT);
            /* The 1,000th array inside the object is the first too deep. */
            ck_assert_str_eq(err.message, "invalid JSON at byte 1015");
        }
    }
    /* At the top level, where the record's own container is depth 0, and
     * as deep as a 1 MiB record can go: refused at the 1,001st bracket,
     * not after n * n / 2 steps of jsmn's. */
    free(line);
    size_t depth = 1 << 19;
    line = malloc(2 * depth);
    ck_assert_ptr_nonnull(line);
    memset(line, '[', depth);
    memset(line + depth, ']', depth);
    const quell_record *rec;
    quell_error err;
    char *copy;
    ck_assert_int_eq(parse_exact(p, line, 2 * depth, &rec, &err, &copy), QUELL_EINPUT);
    free(copy);
    ck_assert_str_eq(err.message, "invalid JSON at byte 1000");
    ck_assert_int_eq(parse_exact(p, line + depth - 1000, 2000, &rec, &err, &copy), QUELL_EINPUT);
    free(copy);
    ck_assert_str_eq(err.message, "record is not a JSON object");
    free(line);
    quell_record_parser_free(p);
}
END_TEST

/* Large records: a 4 MiB body full of escapes, and 100,000 members, which
 * grow the parser's buffers past any first guess. */
START_TEST(test_jsonl_huge)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    const quell_record *rec;
    quell_error err;
    char *copy;
    size_t cap = 16 << 20;
    char *line = malloc(cap);
    ck_assert_ptr_nonnull(line);

    /* Body: "ab\u00e9\n" 500,000 times and a surrogate pair at the end. */
    size_t len = append(line, 0, S("{\"id\":1,\"body\":\""));
    for (int i = 0; i < 500000; i++)
        len = append(line, len, S("ab\\u00e9\\n"));
    len = append(line, len, S("\\ud83d\\ude00\"}"));
    ck_assert_int_eq(parse_exact(p, line, len, &rec, &err, &copy), QUELL_OK);
    free(copy);
    const char *body = rec->comment.text[QUELL_FIELD_BODY];
    ck_assert_uint_eq(rec->comment.text_len[QUELL_FIELD_BODY], 500000 * 5 + 4);
    for (int i = 0; i < 500000; i += 4999)
        ck_assert_mem_eq(body + 5 * i, "ab\xc3\xa9\n", 5);
    ck_assert_mem_eq(body + 5 * 500000, "\xf0\x9f\x98\x80", 5); /* with its NUL */

    /* 100,000 members "k0".."k99999" before the body, then a duplicate. */
    len = append(line, 0, S("{"));
    for (int i = 0; i < 100000; i++)
        len += (size_t)snprintf(line + len, cap - len, "\"k%d\":[%d],", i, i);
    len = append(line, len, S("\"body\":\"x\"}"));
    ck_assert_int_eq(parse_exact(p, line, len, &rec, &err, &copy), QUELL_OK);
    free(copy);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], "x", 2);
    size_t dup_off = len - 1;
    len = append(line, len - 1, S(",\"k77777\":0}"));
    ck_assert_int_eq(parse_exact(p, line, len, &rec, &err, &copy), QUELL_EINPUT);
    free(copy);
    char expected[64];
    snprintf(expected, sizeof expected, "duplicate key \"k77777\" at byte %zu", dup_off + 1);
    ck_assert_str_eq(err.message, expected);
    free(line);

    /* The buffers grown, a small record still reads right. */
    ck_assert_int_eq(quell_record_parse(p, S("{\"body\":\"y\",\"id\":\"s\"}"), &rec, &err),
                     QUELL_OK);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], "y", 2);
    ck_assert_mem_eq(rec->id_json, "\"s\"", 3);
    quell_record_parser_free(p);
}
END_TEST

/* Duplicate top-level keys are refused, whichever value a reader would
 * keep; the error names the later member, the first such in the record,
 * and the id when it is not the key duplicated. Among many members (sorted
 * to find duplicates) as among a few (compared pairwise). */
START_TEST(test_jsonl_duplicates)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    const quell_record *rec;
    quell_error err;
    char line[1024];
    for (int members = 2; members <= 40; members += 19) {
        size_t len = append(line, 0, S("{\"id\":5,"));
        for (int i = 0; i < members; i++)
            len += (size_t)snprintf(line + len, sizeof line - len, "\"m%d\":%d,", i, i);
        size_t first_dup = len;
        len = append(line, len, S("\"m1\":1,\"m0\":0,\"body\":\"x\"}"));
        ck_assert_int_eq(quell_record_parse(p, line, len, &rec, &err), QUELL_EINPUT);
        char expected[64];
        snprintf(expected, sizeof expected, "duplicate key \"m1\" at byte %zu", first_dup);
        ck_assert_str_eq(err.message, expected);
        ck_assert_mem_eq(rec->id_json, "5", 1);
    }
    quell_record_parser_free(p);
}
END_TEST

/* Two fields may share a member's name: both read its value. */
START_TEST(test_jsonl_shared_name)
{
    const quell_record_fields fields = {.body = "t", .author = "t", .label = "t"};
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, &fields);
    const quell_record *rec;
    quell_error err;
    ck_assert_int_eq(quell_record_parse(p, S("{\"t\":\"a\\u00e9\"}"), &rec, &err), QUELL_OK);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_BODY], "a\xc3\xa9", 4);
    ck_assert_mem_eq(rec->comment.text[QUELL_FIELD_AUTHOR], "a\xc3\xa9", 4);
    ck_assert_uint_eq(rec->label_len, 3);
    ck_assert_mem_eq(rec->label, "a\xc3\xa9", 3);
    quell_record_parser_free(p);

    const quell_record_fields id_label = {.id = "n", .label = "n"};
    p = new_parser(QUELL_FORMAT_JSONL, &id_label);
    ck_assert_int_eq(quell_record_parse(p, S("{\"n\":1.50,\"body\":\"b\"}"), &rec, &err), QUELL_OK);
    ck_assert_mem_eq(rec->id_json, "1.50", 4);
    ck_assert_uint_eq(rec->label_len, 3);
    ck_assert_mem_eq(rec->label, "1.5", 3);
    quell_record_parser_free(p);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Random records                                                          */

/* Random text for inside a string: mostly good escapes and UTF-8, now and
 * then a bad escape, a quote, a NUL or a byte that is not UTF-8. */
static size_t random_string_body(uint64_t *rng, char *dst, size_t len)
{
    static const char *const good[] = {
        "a",       "xyz", " ",        "\\\"", "\\\\",    "\\n", "\\u00e9", "\\ud83d\\ude00",
        "\\u0645", "\\/", "\xd9\x85", "\t",   "\\u0001",
    };
    static const char *const bad[] = {
        "\\u0000", "\\ud800", "\\udc00", "\\u12g4", "\\u", "\\", "\"", "\\x", "\xff", "\xc3",
    };
    size_t count = (size_t)(test_rng(rng) % 8);
    for (size_t i = 0; i < count; i++) {
        uint64_t r = test_rng(rng);
        const char *piece;
        if (r % 64 == 0) {
            len = append(dst, len, "\0", 1);
            continue;
        }
        if (r % 16 == 1)
            piece = bad[(r >> 8) % (sizeof bad / sizeof bad[0])];
        else
            piece = good[(r >> 8) % (sizeof good / sizeof good[0])];
        len = append(dst, len, piece, strlen(piece));
    }
    return len;
}

/* A record: half the time a plausible object around random strings, half
 * the time a soup of JSON punctuation. */
static size_t random_record(uint64_t *rng, char *dst)
{
    size_t len = 0;
    if (test_rng(rng) % 2) {
        static const char *const ids[] = {"1",     "-2.5", "1e400",     "true",    "null",
                                          "\"i\"", "{}",   "\"i\xff\"", "\"\xc3\""};
        len = append(dst, len, S("{\"body\":\""));
        len = random_string_body(rng, dst, len);
        len = append(dst, len, S("\",\"author\":\""));
        len = random_string_body(rng, dst, len);
        len = append(dst, len, S("\",\"id\":"));
        const char *id = ids[test_rng(rng) % (sizeof ids / sizeof ids[0])];
        len = append(dst, len, id, strlen(id));
        len = append(dst, len, S("}"));
        if (test_rng(rng) % 4 == 0)
            len -= (size_t)(test_rng(rng) % len); /* cut short */
        return len;
    }
    static const char soup[] = "{}[]\":,\\u0d8aeEl.+-19 \r\t\0\xff\xc3xbodytrn";
    size_t n = (size_t)(test_rng(rng) % 40);
    for (size_t i = 0; i < n; i++)
        dst[len++] = soup[test_rng(rng) % (sizeof soup - 1)];
    return len;
}

/* A record refused for its body still names its id, for the error record;
 * one refused before its id is read names none. */
static const struct {
    const char *in;
    const char *id_json; /* NULL: none */
} refused_ids[] = {
    {"{\"id\":\"b\"}", "\"b\""},
    {"{\"id\":7,\"body\":3}", "7"},
    {"{\"id\":\"q\\\"\",\"body\":\"x\",\"author\":1}", "\"q\\\"\""},
    {"{\"body\":null}", NULL},
    {"{\"id\":true,\"body\":\"x\"}", NULL},
    {"{\"id\":\"b\"", NULL},
    {"{\"id\":12345678901234567891,\"body\":\"x\",\"body\":\"y\"}", "12345678901234567891"},
    {"{\"id\":1,\"body\":\"x\",\"id\":2}", NULL},
    {"{\"id\":01,\"body\":\"x\"}", NULL},
    /* an id that is not UTF-8 is refused itself, before the body */
    {"{\"id\":\"a\xff\",\"body\":\"x\"}", NULL},
    {"{\"id\":\"a\xff\",\"body\":3}", NULL},
};

START_TEST(test_jsonl_refused_keeps_id)
{
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    const quell_record *rec;
    quell_error err;
    const char *in = refused_ids[_i].in;
    ck_assert_int_eq(quell_record_parse(p, in, strlen(in), &rec, &err), QUELL_EINPUT);
    if (!refused_ids[_i].id_json) {
        ck_assert_ptr_null(rec->id_json);
    } else {
        ck_assert_uint_eq(rec->id_json_len, strlen(refused_ids[_i].id_json));
        ck_assert_mem_eq(rec->id_json, refused_ids[_i].id_json, rec->id_json_len);
    }
    quell_record_parser_free(p);
}
END_TEST

START_TEST(test_jsonl_random)
{
    uint64_t rng = 0x2545F4914F6CDD1DULL;
    quell_record_parser *p = new_parser(QUELL_FORMAT_JSONL, NULL);
    char line[512];
    int ok_count = 0;

    for (int round = 0; round < 3000; round++) {
        size_t len = random_record(&rng, line);
        const quell_record *rec;
        quell_error err = {0};
        char *copy;

        int rc = parse_exact(p, line, len, &rec, &err, &copy);
        free(copy);
        if (rc != QUELL_OK) {
            ck_assert_int_eq(rc, QUELL_EINPUT);
            ck_assert(err.message[0] != '\0');
            continue;
        }
        ok_count++;
        const char *body = rec->comment.text[QUELL_FIELD_BODY];
        ck_assert_ptr_nonnull(body);
        ck_assert_ptr_null(memchr(body, '\0', rec->comment.text_len[QUELL_FIELD_BODY]));
        const char *author = rec->comment.text[QUELL_FIELD_AUTHOR];
        if (author)
            ck_assert_ptr_null(memchr(author, '\0', rec->comment.text_len[QUELL_FIELD_AUTHOR]));
        if (rec->id_json) {
            cJSON *id = cJSON_ParseWithLength(rec->id_json, rec->id_json_len);
            ck_assert_ptr_nonnull(id);
            ck_assert(cJSON_IsString(id) || cJSON_IsNumber(id));
            /* A string id comes back as written: "i", never "i" with U+FFFD. */
            if (cJSON_IsString(id))
                ck_assert_str_eq(id->valuestring, "i");
            cJSON_Delete(id);
        }
    }
    /* The generator must reach the success path, not only the errors. */
    ck_assert_int_gt(ok_count, 100);
    quell_record_parser_free(p);
}
END_TEST

Suite *record_suite(void)
{
    Suite *s = suite_create("record");

    TCase *tc = tcase_create("framing");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(tc, test_framing, 0, FRAMING_CASE_COUNT);
    tcase_add_test(tc, test_framing_null_data);
    tcase_add_test(tc, test_parser_new_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsonl");
    tcase_set_timeout(tc, TEST_TIMEOUT_UNIT);
    tcase_add_loop_test(tc, test_jsonl_good, 0, GOOD_CASE_COUNT);
    tcase_add_test(tc, test_jsonl_custom_fields);
    tcase_add_test(tc, test_jsonl_label);
    tcase_add_test(tc, test_jsonl_reuse);
    tcase_add_loop_test(tc, test_jsonl_bad, 0, BAD_CASE_COUNT);
    tcase_add_loop_test(tc, test_jsonl_refused_keeps_id, 0,
                        sizeof refused_ids / sizeof refused_ids[0]);
    tcase_add_test(tc, test_jsonl_random);
    tcase_add_test(tc, test_jsonl_nesting);
    tcase_add_test(tc, test_jsonl_huge);
    tcase_add_test(tc, test_jsonl_duplicates);
    tcase_add_test(tc, test_jsonl_shared_name);
    suite_add_tcase(s, tc);
    return s;
}
