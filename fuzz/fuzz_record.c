/*
 * fuzz_record.c - the record parser in each format. The first input byte
 * chooses the format (TEXT, JSONL, NUL) and whether custom member names and
 * a label are read; the rest is split into records as the command frames
 * them (at '\n', or at NUL), each parsed with the same parser so that the
 * buffers kept from one record to the next are exercised too. An accepted
 * JSONL record must read the same through cJSON.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"
#include "quell.h"

/* Read every byte handed out, so that ASan sees a bad pointer or length. */
static unsigned int touch(const char *s, size_t len)
{
    unsigned int sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += (unsigned char)s[i];
    return sum;
}

static void check_record(quell_format format, const quell_record *rec, const char *data, size_t len)
{
    const char *body = rec->comment.text[QUELL_FIELD_BODY];
    size_t body_len = rec->comment.text_len[QUELL_FIELD_BODY];
    FUZZ_ASSERT(body != NULL);
    (void)touch(body, body_len);
    if (format != QUELL_FORMAT_JSONL) {
        /* The body is the record as given, a TEXT line without its CR. */
        FUZZ_ASSERT(body == data);
        FUZZ_ASSERT(body_len == len ||
                    (format == QUELL_FORMAT_TEXT && body_len + 1 == len && data[len - 1] == '\r'));
        FUZZ_ASSERT(rec->id_json == NULL && rec->label == NULL);
        return;
    }
    /* JSON strings come back NUL-terminated with no NUL inside. */
    FUZZ_ASSERT(body[body_len] == '\0' && strlen(body) == body_len);
    const char *author = rec->comment.text[QUELL_FIELD_AUTHOR];
    if (author)
        FUZZ_ASSERT(strlen(author) == rec->comment.text_len[QUELL_FIELD_AUTHOR]);
    if (rec->label)
        (void)touch(rec->label, rec->label_len);
}

/* An id is written into verdicts as is: it must be JSON, a string or a number. */
static void check_id(const quell_record *rec)
{
    if (!rec->id_json)
        return;
    FUZZ_ASSERT(rec->id_json_len > 0);
    cJSON *id = cJSON_ParseWithLength(rec->id_json, rec->id_json_len);
    FUZZ_ASSERT(id != NULL);
    FUZZ_ASSERT(cJSON_IsString(id) || cJSON_IsNumber(id));
    cJSON_Delete(id);
}

/* Whether data holds a run of 64 characters or more that could be a number:
 * cJSON copies at most 63 of a number's, and then fails on the rest. */
static int has_long_number(const char *data, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        run = strchr("0123456789+-.eE", data[i]) && data[i] ? run + 1 : 0;
        if (run >= 64)
            return 1;
    }
    return 0;
}

/* A string id of an accepted JSONL record reads back as the record holds it:
 * an id altered on its way out (invalid UTF-8 turned into U+FFFD) could name
 * another record. */
static void check_id_echo(const quell_record *rec, const char *data, size_t len,
                          const char *id_name)
{
    if (!rec->id_json)
        return;
    cJSON *record = cJSON_ParseWithLength(data, len);
    if (!record) {
        FUZZ_ASSERT(has_long_number(data, len));
        return;
    }
    const cJSON *own = cJSON_GetObjectItemCaseSensitive(record, id_name);
    FUZZ_ASSERT(own != NULL);
    if (cJSON_IsString(own)) {
        cJSON *echo = cJSON_ParseWithLength(rec->id_json, rec->id_json_len);
        FUZZ_ASSERT(echo != NULL && cJSON_IsString(echo));
        FUZZ_ASSERT(strcmp(echo->valuestring, own->valuestring) == 0);
        cJSON_Delete(echo);
    }
    cJSON_Delete(record);
}

/* An accepted JSONL record reads the same through cJSON, an allocating
 * parser that builds a tree: the same body and author, unescaped. cJSON
 * takes more than JSON (01, control characters between tokens), never less
 * but for long numbers, and keys are unique here, so its first match is the
 * only one. */
static void check_against_cjson(const quell_record *rec, const char *data, size_t len,
                                const quell_record_fields *fields)
{
    cJSON *record = cJSON_ParseWithLength(data, len);
    if (!record) {
        FUZZ_ASSERT(has_long_number(data, len));
        return;
    }
    FUZZ_ASSERT(cJSON_IsObject(record));
    const char *names[] = {fields->body ? fields->body : "body",
                           fields->author ? fields->author : "author"};
    const quell_field which[] = {QUELL_FIELD_BODY, QUELL_FIELD_AUTHOR};
    for (size_t k = 0; k < 2; k++) {
        const cJSON *own = cJSON_GetObjectItemCaseSensitive(record, names[k]);
        const char *text = rec->comment.text[which[k]];
        if (!text) {
            FUZZ_ASSERT(k == 1 && (!own || cJSON_IsNull(own)));
            continue;
        }
        FUZZ_ASSERT(cJSON_IsString(own));
        FUZZ_ASSERT(strlen(own->valuestring) == rec->comment.text_len[which[k]]);
        FUZZ_ASSERT(memcmp(own->valuestring, text, rec->comment.text_len[which[k]]) == 0);
    }
    cJSON_Delete(record);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const quell_format formats[] = {QUELL_FORMAT_TEXT, QUELL_FORMAT_JSONL, QUELL_FORMAT_NUL};
    quell_format format = formats[data[0] % 3];
    quell_record_fields fields = {0};
    if (data[0] & 0x10) {
        fields.id = "n";
        fields.body = "text";
        fields.author = "user";
        fields.label = "label";
    } else if (data[0] & 0x20) {
        fields.label = "class";
    }
    quell_record_parser *parser;
    FUZZ_ASSERT(quell_record_parser_new(&parser, format, &fields, NULL) == QUELL_OK);

    const char *p = (const char *)data + 1;
    const char *end = (const char *)data + size;
    char sep = format == QUELL_FORMAT_NUL ? '\0' : '\n';
    while (p <= end) {
        const char *stop = memchr(p, sep, (size_t)(end - p));
        size_t len = stop ? (size_t)(stop - p) : (size_t)(end - p);
        const quell_record *rec;
        quell_error err;
        err.message[0] = '\0';
        int rc = quell_record_parse(parser, p, len, &rec, &err);
        if (rc == QUELL_OK) {
            check_record(format, rec, p, len);
            if (format == QUELL_FORMAT_JSONL) {
                check_id_echo(rec, p, len, fields.id ? fields.id : "id");
                check_against_cjson(rec, p, len, &fields);
            }
        } else {
            FUZZ_ASSERT(rc == QUELL_EINPUT && format == QUELL_FORMAT_JSONL);
            FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        }
        check_id(rec);
        if (!stop)
            break;
        p = stop + 1;
    }
    quell_record_parser_free(parser);
    return 0;
}
