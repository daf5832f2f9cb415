/*
 * names.c - the library's version and the names of its enums, as the public
 * API hands them out: static strings, no state.
 */
#include "quell.h"

const char *quell_version(void)
{
    return QUELL_VERSION_STRING;
}

int quell_version_number(void)
{
    return QUELL_VERSION_NUMBER;
}

const char *quell_action_name(quell_action action)
{
    switch (action) {
    case QUELL_PASS:
        return "pass";
    case QUELL_FLAG:
        return "flag";
    case QUELL_HOLD:
        return "hold";
    case QUELL_REJECT:
        return "reject";
    default:
        return "error";
    }
}

const char *quell_field_name(quell_field field)
{
    switch (field) {
    case QUELL_FIELD_BODY:
        return "body";
    case QUELL_FIELD_AUTHOR:
        return "author";
    default:
        return NULL;
    }
}
