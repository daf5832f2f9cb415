/*
 * clocale.c - printf and strtod in the "C" locale, whatever the process's.
 *
 * Each call switches only its own thread to a "C" locale object with
 * uselocale() and back, so the library keeps no global state and never
 * touches the process locale (setlocale is not thread-safe). glibc hands out
 * a static object for the whole "C" locale (LC_ALL_MASK), so newlocale()
 * does not allocate here; should it fail elsewhere, the call falls back to
 * the current locale.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "clocale.h"

int clocale_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t old = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    int n = vsnprintf(buf, size, fmt, ap);
    if (c != (locale_t)0) {
        uselocale(old);
        freelocale(c);
    }
    return n;
}

int clocale_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = clocale_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

double clocale_strtod(const char *s, char **end)
{
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    locale_t old = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    double v = strtod(s, end);
    if (c != (locale_t)0) {
        uselocale(old);
        freelocale(c);
    }
    return v;
}
