/* numparse.c: strtod with a fast exact path for plain decimals (numparse.h). */
#include "core/numparse.h"

#include <stdlib.h>

/* 10^0 .. 10^22: exact in binary64 (5^22 < 2^53). */
static const double POW10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

double rtm_strtod(const char *s, char **end)
{
    const char *p = s;
    unsigned long long m = 0;
    int neg = 0, nd = 0, frac = 0, any = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    while (*p == '0') { /* leading zeros are not significant */
        p++;
        any = 1;
    }
    for (; is_digit(*p) && nd <= 15; p++, nd++, any = 1)
        m = m * 10 + (unsigned)(*p - '0');
    if (*p == '.') {
        p++;
        if (!m)
            for (; *p == '0' && frac <= 22; p++, frac++)
                any = 1;
        for (; is_digit(*p) && nd <= 15 && frac <= 22; p++, nd++, frac++, any = 1)
            m = m * 10 + (unsigned)(*p - '0');
    }
    /* anything unusual (too many digits, an exponent, hex, inf/nan, a
     * second point, no digits at all): strtod decides */
    if (!any || nd > 15 || frac > 22 || is_digit(*p) || *p == '.' || *p == 'e' ||
        *p == 'E' || *p == 'x' || *p == 'X' || *p == 'p' || *p == 'P')
        return strtod(s, end);
    if (end)
        *end = (char *)p;
    {
        double v = (double)m / POW10[frac]; /* m < 10^15 < 2^53: exact */
        return neg ? -v : v;
    }
}
