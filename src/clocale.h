/*
 * clocale.h - number formatting and parsing that ignore the caller's locale:
 * JSON and messages always write 1.5, never 1,5, whatever LC_NUMERIC the
 * program that embeds the library has set.
 */
#ifndef QUELL_CLOCALE_H
#define QUELL_CLOCALE_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf and snprintf in the "C" locale, for this call and this thread only. */
int clocale_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int clocale_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* strtod in the "C" locale: the decimal point is always '.'. */
double clocale_strtod(const char *s, char **end);

#endif /* QUELL_CLOCALE_H */
