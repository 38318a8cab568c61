/* dates.c: reading the date and time forms found in crime data (see
 * include/rtm/input.h, "dates").
 *
 * Forms: ISO 8601 (ISO 8601-1:2019, extended format: yyyy-mm, yyyy-mm-dd,
 * yyyy-mm-ddThh:mm[:ss[.f]] with an optional Z or +-hh[:mm] offset, a space
 * allowed for the T as RFC 3339 section 5.6 allows), OGR's own rendering of
 * date fields (yyyy/mm/dd[ hh:mm[:ss]][+hh]), and the British day-first
 * dd/mm/yyyy[ hh:mm[:ss]]. Calendar: proleptic Gregorian.
 */
#include "rtm/input.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Leap years of the Gregorian calendar: divisible by 4, except centuries
 * not divisible by 400 (Pope Gregory XIII's bull Inter gravissimas, 1582). */
static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rtm_days_in_month(int year, int month)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return dm[month - 1] + (month == 2 && is_leap(year));
}

/* Days from 1970-01-01 to y-m-d: Howard Hinnant's days_from_civil
 * ("chrono-Compatible Low-Level Date Algorithms", 2013), exact for every
 * proleptic Gregorian date in int range. */
long rtm_days_from_civil(int y, int m, int d)
{
    long yy = (long)y - (m <= 2);
    long era = (yy >= 0 ? yy : yy - 399) / 400;
    long yoe = yy - era * 400;                                      /* [0, 399] */
    long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;    /* [0, 365] */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse, from the same paper (civil_from_days). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Read exactly n digits (n <= 4) at *s. Returns the value or -1. */
static int digits(const char **s, int n)
{
    int v = 0, k;
    for (k = 0; k < n; k++) {
        if (!isdigit((unsigned char)(*s)[k]))
            return -1;
        v = v * 10 + ((*s)[k] - '0');
    }
    *s += n;
    return v;
}

/* One or two digits (day and month of dd/mm/yyyy may be written 1/3/2018). */
static int digits12(const char **s)
{
    int v = digits(s, 1);
    if (v >= 0 && isdigit((unsigned char)**s))
        v = v * 10 + (*(*s)++ - '0');
    return v;
}

/* hh:mm[:ss[.fraction]] into t. Returns 0 or -1. */
static int parse_time(const char **s, rtm_datetime *t)
{
    int h = digits(s, 2), mi = -1, se = 0;
    if (h >= 0 && **s == ':') {
        (*s)++;
        mi = digits(s, 2);
    }
    if (mi >= 0 && **s == ':') {
        (*s)++;
        se = digits(s, 2);
        if (se >= 0 && (**s == '.' || **s == ',')) {
            (*s)++;
            if (!isdigit((unsigned char)**s))
                return -1;
            while (isdigit((unsigned char)**s))
                (*s)++;
        }
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
        return -1;
    t->minute = h * 60 + mi;
    t->second = se;
    return 0;
}

int rtm_weekday(int yyyymmdd)
{
    long z = rtm_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
    return (int)(((z + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday (3) */
}

/* One hour 0..23 at *s, or -1. */
static int hour_at(const char **s)
{
    int h = -1;
    if (isdigit((unsigned char)**s)) {
        h = *(*s)++ - '0';
        if (isdigit((unsigned char)**s))
            h = h * 10 + *(*s)++ - '0';
    }
    return h <= 23 ? h : -1;
}

int rtm_hours_parse(const char *s, unsigned *mask, rtm_error *err)
{
    const char *p = s ? s : "";
    *mask = 0;
    for (;;) {
        int a = hour_at(&p), b, h;
        if (a < 0)
            break;
        b = (a + 1) % 24;
        if (*p == '-' && (p++, (b = hour_at(&p)) < 0))
            break;
        h = a;
        do { /* at most 24 steps: h walks from a round to b */
            *mask |= 1u << h;
            h = (h + 1) % 24;
        } while (h != b);
        if (!*p)
            return 0;
        if (*p++ != ',')
            break;
    }
    return rtm_error_set(err, RTM_ERR_ARG, "hours '%s': expected hours 0-23 as H or H1-H2 "
                         "(to H2, not including it; 18-02 wraps midnight), comma-separated",
                         s ? s : "");
}

static int day_at(const char **s)
{
    static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int d = 0; d < 7; d++)
        if (!strncasecmp(*s, names[d], 3)) {
            *s += 3;
            return d;
        }
    return -1;
}

int rtm_days_parse(const char *s, unsigned *mask, rtm_error *err)
{
    const char *p = s ? s : "";
    *mask = 0;
    for (;;) {
        int a = day_at(&p), b, d;
        if (a < 0)
            break;
        b = a;
        if (*p == '-' && (p++, (b = day_at(&p)) < 0))
            break;
        for (d = a;; d = (d + 1) % 7) { /* at most 7 steps */
            *mask |= 1u << d;
            if (d == b)
                break;
        }
        if (!*p)
            return 0;
        if (*p++ != ',')
            break;
    }
    return rtm_error_set(err, RTM_ERR_ARG, "days '%s': expected day names mon..sun or ranges "
                         "such as fri-sun, comma-separated", s ? s : "");
}

int rtm_time_of_day_parse(const char *s)
{
    rtm_datetime t;
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    if (parse_time(&s, &t))
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    return *s ? -1 : t.minute;
}

/* Z, +hh, +hhmm, +hh:mm (or -) into t. Returns 0 (also when absent) or -1. */
static int parse_zone(const char **s, rtm_datetime *t)
{
    int sign, h, m = 0;
    if (**s == 'Z' || **s == 'z') {
        (*s)++;
        t->has_zone = 1;
        t->zone = 0;
        return 0;
    }
    if (**s != '+' && **s != '-')
        return 0;
    sign = *(*s)++ == '-' ? -1 : 1;
    if ((h = digits(s, 2)) < 0 || h > 14)
        return -1;
    if (**s == ':')
        (*s)++;
    if (isdigit((unsigned char)**s) && ((m = digits(s, 2)) < 0 || m > 59))
        return -1;
    t->has_zone = 1;
    t->zone = sign * (h * 60 + m);
    return 0;
}

/* yyyy-mm[-dd[(T| )time[zone]]], separator '-' or OGR's '/'. */
static rtm_date_form parse_iso(const char *s, rtm_datetime *t)
{
    char sep;
    rtm_date_form f = RTM_DATE_YYYY_MM;
    if ((t->year = digits(&s, 4)) < 0 || (*s != '-' && *s != '/'))
        return RTM_DATE_NONE;
    sep = *s++;
    if ((t->month = digits(&s, 2)) < 0)
        return RTM_DATE_NONE;
    if (*s == sep) {
        s++;
        if ((t->day = digits(&s, 2)) < 0)
            return RTM_DATE_NONE;
        f = RTM_DATE_ISO_DATE;
        if ((*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)s[1])))) {
            s++;
            if (parse_time(&s, t) || parse_zone(&s, t))
                return RTM_DATE_NONE;
            f = RTM_DATE_ISO_DATETIME;
        }
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s ? RTM_DATE_NONE : f;
}

/* d/m/yyyy[ hh:mm[:ss]] (day first, as written in the UK). */
static rtm_date_form parse_dmy(const char *s, rtm_datetime *t)
{
    rtm_date_form f = RTM_DATE_DMY;
    if ((t->day = digits12(&s)) < 0 || *s++ != '/' || (t->month = digits12(&s)) < 0 ||
        *s++ != '/' || (t->year = digits(&s, 4)) < 0)
        return RTM_DATE_NONE;
    if (*s == ' ' && isdigit((unsigned char)s[1])) {
        s++;
        if (parse_time(&s, t))
            return RTM_DATE_NONE;
        f = RTM_DATE_DMY_TIME;
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s ? RTM_DATE_NONE : f;
}

rtm_date_form rtm_date_parse(const char *s, rtm_datetime *out)
{
    rtm_datetime t;
    rtm_date_form f;
    if (!s)
        return RTM_DATE_NONE;
    while (isspace((unsigned char)*s))
        s++;
    memset(&t, 0, sizeof t);
    t.minute = -1;
    f = isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
                isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])
            ? parse_iso(s, &t)
            : parse_dmy(s, &t);
    if (f == RTM_DATE_NONE || t.year < 1 || t.month < 1 || t.month > 12 ||
        (f != RTM_DATE_YYYY_MM && (t.day < 1 || t.day > rtm_days_in_month(t.year, t.month))))
        return RTM_DATE_NONE;
    if (out)
        *out = t;
    return f;
}

int rtm_datetime_to_utc(const rtm_datetime *t, rtm_datetime *utc)
{
    long days, min;
    if (t->minute < 0 || !t->day)
        return -1;
    *utc = *t;
    if (!t->has_zone)
        return 0;
    /* local = UTC + offset, so UTC = local - offset; floor division keeps
     * the minute in [0, 1440) and moves the day */
    min = t->minute - t->zone;
    days = rtm_days_from_civil(t->year, t->month, t->day) + (min < 0 ? -1 : min >= 1440 ? 1 : 0);
    min = (min + 1440) % 1440;
    civil_from_days(days, &utc->year, &utc->month, &utc->day);
    utc->minute = (int)min;
    utc->zone = 0;
    return 0;
}

const char *rtm_date_form_name(rtm_date_form f)
{
    static const char *const names[] = {
        "unreadable", "yyyy-mm (police.uk month)", "yyyy-mm-dd (ISO 8601 date)",
        "ISO 8601 date-time", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"};
    return (unsigned)f < sizeof names / sizeof *names ? names[f] : "unreadable";
}

/* A value a/b/yyyy that reads only month-first (b > 12 >= a). */
static int month_first(const char *s)
{
    int a, b;
    while (isspace((unsigned char)*s))
        s++;
    if ((a = digits12(&s)) < 0 || *s++ != '/' || (b = digits12(&s)) < 0 || *s != '/')
        return 0;
    return b > 12 && a >= 1 && a <= 12;
}

rtm_date_form rtm_date_detect(const char *const *values, size_t n, size_t *unreadable,
                              rtm_error *err)
{
    size_t count[RTM_DATE_NFORMS] = {0}, k, mdy = 0, first_mdy = 0, day_first = 0;
    int f, best = RTM_DATE_NONE;
    rtm_datetime t;
    for (k = 0; k < n; k++) {
        f = (int)rtm_date_parse(values[k], &t);
        count[f]++;
        if ((f == RTM_DATE_DMY || f == RTM_DATE_DMY_TIME) && t.day > 12)
            day_first++;
        if (f == RTM_DATE_NONE && month_first(values[k]) && mdy++ == 0)
            first_mdy = k;
    }
    for (f = 1; f < RTM_DATE_NFORMS; f++)
        if (count[f] > count[best] || (best == RTM_DATE_NONE && count[f] > 0))
            best = f;
    if (unreadable)
        *unreadable = count[RTM_DATE_NONE];
    /* 03/31/2018 beside no 31/03/2018: the column is month first, and its
     * other values (03/04/2018) would be read with day and month swapped */
    if (mdy && !day_first) {
        rtm_error_set(err, RTM_ERR_INPUT,
                      "dates: '%.40s' is month first (mm/dd/yyyy), which is not read: day and "
                      "month would be confused; write the dates as yyyy-mm-dd",
                      values[first_mdy]);
        return RTM_DATE_NONE;
    }
    if (best == RTM_DATE_NONE)
        rtm_error_set(err, RTM_ERR_INPUT, "dates: no value in a known form (e.g. '%.40s'; "
                      "known: yyyy-mm, yyyy-mm-dd, ISO 8601 date-time, dd/mm/yyyy [hh:mm])",
                      n ? values[0] : "");
    return (rtm_date_form)best;
}
