/* error.c: the caller-owned error buffer (see rtm/error.h). */
#include "rtm/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

void rtm_error_clear(rtm_error *err)
{
    if (!err)
        return;
    err->code = RTM_OK;
    err->msg[0] = '\0';
}

int rtm_error_set(rtm_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int rtm_size_mul(size_t a, size_t b, size_t c, size_t *out)
{
    size_t ab;
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    ab = a * b;
    if (ab != 0 && c > SIZE_MAX / ab)
        return -1;
    *out = ab * c;
    return 0;
}
