/* timesteps.c: the time steps of a space-time cube (rtm/emerging.h): ISO
 * weeks (Monday to Sunday), four-week steps, calendar months and
 * meteorological seasons, on the proleptic Gregorian calendar. */
#include "rtm/emerging.h"
#include "rtm/input.h"

#include <stdio.h>

#define MAX_STEPS 1000 /* the classification takes at most 1024 */

static const char *const SEASON[4] = {"winter", "spring", "summer", "autumn"};

int rtm_step_needs_day(rtm_step_kind kind)
{
    return kind == RTM_STEP_WEEK || kind == RTM_STEP_4WEEKS;
}

/* Civil date of a day count from 1970-01-01 (Hinnant, "chrono-compatible
 * low-level date algorithms", civil_from_days). */
static int civil(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    return (int)((y + (m <= 2)) * 10000 + m * 100 + d);
}

/* ymd -> day count; -1 month-only or invalid (*ok 0). */
static long day_of(int ymd, int *ok)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    *ok = m >= 1 && m <= 12 && d >= 1 && d <= rtm_days_in_month(y, m);
    return *ok ? rtm_days_from_civil(y, m, d) : 0;
}

/* The Monday on or before day z (1970-01-01 was a Thursday: (z + 3) mod 7
 * is 0 on Mondays). */
static long monday(long z)
{
    long wd = ((z + 3) % 7 + 7) % 7;
    return z - wd;
}

/* Unit index of a date: days (week kinds), months, or seasons. -1: cannot. */
static long unit_of(rtm_step_kind kind, int ymd, int *ok)
{
    int y = ymd / 10000, m = ymd / 100 % 100;
    *ok = m >= 1 && m <= 12;
    if (!*ok)
        return 0;
    if (rtm_step_needs_day(kind))
        return day_of(ymd, ok);
    if (kind == RTM_STEP_MONTH)
        return (long)y * 12 + (m - 1);
    /* season: December joins the next year's winter */
    return ((long)y * 12 + (m - 1) + 1) / 3;
}

int rtm_steps_make(rtm_step_kind kind, int from, int to, rtm_steps *s, rtm_error *err)
{
    int ok1, ok2;
    long a = unit_of(kind, from, &ok1), b = unit_of(kind, to, &ok2), n;
    if (!ok1 || !ok2)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: %s steps need %s (got %d and %d)",
                             kind == RTM_STEP_WEEK ? "week" : kind == RTM_STEP_4WEEKS ? "4weeks"
                             : kind == RTM_STEP_MONTH ? "month" : "season",
                             rtm_step_needs_day(kind) ? "day-level dates" : "readable months",
                             from, to);
    if (b < a)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: the span ends (%d) before it starts "
                             "(%d)", to, from);
    if (rtm_step_needs_day(kind))
        a = monday(a);
    n = kind == RTM_STEP_WEEK ? (b - a) / 7 + 1 : kind == RTM_STEP_4WEEKS ? (b - a) / 28 + 1
                                                                          : b - a + 1;
    if (n > MAX_STEPS)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: %ld time steps (at most %d)", n,
                             MAX_STEPS);
    s->kind = kind;
    s->first = a;
    s->n = (int)n;
    return 0;
}

int rtm_step_of(const rtm_steps *s, int ymd)
{
    int ok;
    long u = unit_of(s->kind, ymd, &ok), t;
    if (!ok || u < s->first)
        return -1;
    t = s->kind == RTM_STEP_WEEK ? (u - s->first) / 7
        : s->kind == RTM_STEP_4WEEKS ? (u - s->first) / 28 : u - s->first;
    return t < s->n ? (int)t : -1;
}

void rtm_step_range(const rtm_steps *s, int t, int *first, int *last)
{
    if (rtm_step_needs_day(s->kind)) {
        long len = s->kind == RTM_STEP_WEEK ? 7 : 28, d0 = s->first + (long)t * len;
        *first = civil(d0);
        *last = civil(d0 + len - 1);
        return;
    }
    long m0 = s->kind == RTM_STEP_MONTH ? s->first + t : (s->first + t) * 3 - 1;
    long m1 = s->kind == RTM_STEP_MONTH ? m0 : m0 + 2;
    int y0 = (int)(m0 / 12), y1 = (int)(m1 / 12), mo0 = (int)(m0 % 12) + 1,
        mo1 = (int)(m1 % 12) + 1;
    *first = y0 * 10000 + mo0 * 100 + 1;
    *last = y1 * 10000 + mo1 * 100 + rtm_days_in_month(y1, mo1);
}

char *rtm_step_label(const rtm_steps *s, int t, char *buf, size_t sz)
{
    int a, b;
    rtm_step_range(s, t, &a, &b);
    if (rtm_step_needs_day(s->kind))
        snprintf(buf, sz, "%04d-%02d-%02d", a / 10000, a / 100 % 100, a % 100);
    else if (s->kind == RTM_STEP_MONTH)
        snprintf(buf, sz, "%04d-%02d", a / 10000, a / 100 % 100);
    else
        snprintf(buf, sz, "%04d %s (%04d-%02d..%04d-%02d)", b / 10000,
                 SEASON[(s->first + t) % 4], a / 10000, a / 100 % 100, b / 10000,
                 b / 100 % 100);
    return buf;
}
