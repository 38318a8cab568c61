/* tz.c: time zones for dates of pings - UTC, a fixed offset, or a tz
 * database name read through the C library (see rtm/dosage.h). A named
 * zone's offsets are tabulated hour by hour with localtime_r under a
 * temporary TZ, so the lookups afterwards are thread safe. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtm/dosage.h"

#define MAX_HOURS (200LL * 366 * 24)

struct rtm_tz {
    char name[128];
    int named;        /* 1: tz database name */
    int fixed;        /* offset in seconds when not named */
    int64_t h0;       /* first tabulated UTC hour */
    int64_t nh;
    int *off;         /* nh offsets (seconds) */
};

/* "+01:00", "-0530", "+01" -> seconds; -1 when s is not an offset. */
static int parse_offset(const char *s, int *out)
{
    int sign, hh, mm = 0, n = 0;
    if (*s != '+' && *s != '-')
        return -1;
    sign = *s == '-' ? -1 : 1;
    s++;
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return -1;
    hh = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (*s == ':')
        s++;
    if (*s) {
        if (sscanf(s, "%2d%n", &mm, &n) != 1 || n != 2 || s[2])
            return -1;
    }
    if (hh > 14 || mm > 59)
        return -1;
    *out = sign * (hh * 3600 + mm * 60);
    return 0;
}

/* A tz database name: letters, digits, '/', '_', '-', '+'; the file must exist. */
static int name_ok(const char *s)
{
    char path[300];
    FILE *f;
    if (!*s || strlen(s) > 100 || s[0] == '/' || strstr(s, ".."))
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
            return 0;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", s);
    if (!(f = fopen(path, "rb")))
        return 0;
    fclose(f);
    return 1;
}

rtm_tz *rtm_tz_create(const char *spec, rtm_error *err)
{
    rtm_tz *z = calloc(1, sizeof *z);
    if (!z) {
        rtm_error_set(err, RTM_ERR_NOMEM, "tz: out of memory");
        return NULL;
    }
    if (!spec || !*spec || !strcmp(spec, "UTC") || !strcmp(spec, "Z")) {
        snprintf(z->name, sizeof z->name, "UTC");
        return z;
    }
    snprintf(z->name, sizeof z->name, "%s", spec);
    if (!parse_offset(spec, &z->fixed))
        return z;
    if (name_ok(spec)) {
        z->named = 1;
        return z;
    }
    free(z);
    rtm_error_set(err, RTM_ERR_ARG, "tz: unknown time zone '%s' (expected UTC, an offset "
                  "such as +01:00, or a tz database name such as Europe/London)", spec);
    return NULL;
}

void rtm_tz_free(rtm_tz *z)
{
    if (z) {
        free(z->off);
        free(z);
    }
}

const char *rtm_tz_name(const rtm_tz *z)
{
    return z ? z->name : "UTC";
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Offsets of UTC hours h0 .. h0+nh-1 under TZ=name (the C library reads the
 * tz database; tm_gmtoff is the offset in force). */
static void tabulate(rtm_tz *z)
{
    char *old = getenv("TZ"), *saved = old ? strdup(old) : NULL;
    setenv("TZ", z->name, 1);
    tzset();
    for (int64_t k = 0; k < z->nh; k++) {
        time_t t = (time_t)((z->h0 + k) * 3600);
        struct tm tm;
        z->off[k] = localtime_r(&t, &tm) ? (int)tm.tm_gmtoff : 0;
    }
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

int rtm_tz_prepare(rtm_tz *z, int64_t lo_s, int64_t hi_s, rtm_error *err)
{
    int64_t h0, h1;
    if (!z || !z->named)
        return 0;
    if (hi_s < lo_s)
        hi_s = lo_s;
    h0 = floor_div(lo_s, 3600) - 48;
    h1 = floor_div(hi_s, 3600) + 48;
    if (h1 - h0 > MAX_HOURS)
        return rtm_error_set(err, RTM_ERR_ARG, "tz: times span more than 200 years");
    if (z->off && h0 >= z->h0 && h1 < z->h0 + z->nh)
        return 0;
    free(z->off);
    z->h0 = h0;
    z->nh = h1 - h0 + 1;
    if (!(z->off = malloc((size_t)z->nh * sizeof *z->off))) {
        z->nh = 0;
        return rtm_error_set(err, RTM_ERR_NOMEM, "tz: out of memory");
    }
    tabulate(z);
    return 0;
}

int rtm_tz_offset(const rtm_tz *z, int64_t utc_s)
{
    int64_t k;
    if (!z)
        return 0;
    if (!z->named)
        return z->fixed;
    if (!z->nh)
        return 0;
    k = floor_div(utc_s, 3600) - z->h0;
    k = k < 0 ? 0 : k >= z->nh ? z->nh - 1 : k;
    return z->off[k];
}

/* Local L = U + off(U): start from the offset at L taken as UTC, then one
 * fixed-point step; where two answers exist (repeated hour) the one with
 * the larger offset (daylight) is taken. */
int64_t rtm_tz_to_utc(const rtm_tz *z, int64_t local_s)
{
    int64_t u1, u2;
    int o1, o2;
    if (!z || !z->named)
        return local_s - (z ? z->fixed : 0);
    o1 = rtm_tz_offset(z, local_s - 86400 / 2);
    o2 = rtm_tz_offset(z, local_s + 86400 / 2);
    u1 = local_s - (o1 > o2 ? o1 : o2);
    u2 = local_s - (o1 > o2 ? o2 : o1);
    if (rtm_tz_offset(z, u1) == (o1 > o2 ? o1 : o2))
        return u1;
    if (rtm_tz_offset(z, u2) == (o1 > o2 ? o2 : o1))
        return u2;
    return local_s - rtm_tz_offset(z, local_s);
}
