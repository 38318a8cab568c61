/* job_time.c: month windows, hour-of-week windows, harm weights and type
 * filters of a loaded job (see rtm/job.h). */
#include "rtm/job.h"
#include "job/job_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int rtm_month_parse(const char *s)
{
    int y, m, n = 0;
    char sep;
    if (!s || sscanf(s, "%4d%c%2d%n", &y, &sep, &m, &n) != 3 || (sep != '-' && sep != '/'))
        return -1;
    if (n != 7 || y < 1000 || m < 1 || m > 12)
        return -1;
    if (s[n] != '\0' && s[n] != sep && s[n] != 'T' && s[n] != ' ')
        return -1;
    return y * 12 + (m - 1);
}

int rtm_job_month_parse(const char *s)
{
    int m = s && strlen(s) == 7 ? rtm_month_parse(s) : -1;
    return m >= RTM_JOB_MIN_YEAR * 12 && m < (RTM_JOB_MAX_YEAR + 1) * 12 ? m : -1;
}

int rtm_job_run_month(const char *date)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, n = 0;
    size_t len = date ? strlen(date) : 0;
    if (len == 7)
        return rtm_job_month_parse(date);
    if (len != 10 || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        !isdigit((unsigned char)date[8]) || !isdigit((unsigned char)date[5]))
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < RTM_JOB_MIN_YEAR || y > RTM_JOB_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return -1;
    return y * 12 + m - 1;
}

static int today_month(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

int rtm_job_months(const rtm_job *job, const char *run_date, int *from, int *to,
                   rtm_error *err)
{
    const rtm_job_offences *o = &job->offences;
    if (o->window == RTM_WINDOW_ALL) {
        *from = INT_MIN;
        *to = INT_MAX;
        return 0;
    }
    if (o->window == RTM_WINDOW_FIXED) {
        *from = o->from_month;
        *to = o->to_month;
        return 0;
    }
    int run = run_date ? rtm_job_run_month(run_date) : today_month();
    if (run < 0)
        return rtm_error_set(err, RTM_ERR_ARG,
                             "job: run date must be a date YYYY-MM-DD or a month YYYY-MM with "
                             "a year from %d to %d (got '%s')", RTM_JOB_MIN_YEAR,
                             RTM_JOB_MAX_YEAR, run_date);
    /* rolling_months <= 1200 and lag_months <= 120 (job_offences.c), so this
     * stays near year * 12 and cannot overflow */
    *to = run - o->lag_months;
    *from = *to - o->rolling_months + 1;
    return 0;
}

int rtm_job_parse_hhmm(const char *s)
{
    int h, m, n = 0;
    if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' || !isdigit((unsigned char)s[0]))
        return -1;
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

int rtm_job_parse_day(const char *s)
{
    static const char *const days[] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    size_t n = s ? strlen(s) : 0;
    for (int i = 0; n >= 3 && i < 7; i++)
        if (strncasecmp(s, days[i], n) == 0 && n <= strlen(days[i]))
            return i;
    return -1;
}

/* A window starting on day d at start_min covers [start, end) of day d, and
 * when it crosses midnight (end <= start) also [0, end) of day d + 1. */
static int window_has(const rtm_job_hours *w, int weekday, int minute)
{
    int prev = (weekday + 6) % 7;
    if (w->end_min > w->start_min)
        return (w->days_mask >> weekday & 1) && minute >= w->start_min && minute < w->end_min;
    return ((w->days_mask >> weekday & 1) && minute >= w->start_min) ||
           ((w->days_mask >> prev & 1) && minute < w->end_min);
}

int rtm_job_in_hours(const rtm_job *job, int weekday, int minute)
{
    const rtm_job_offences *o = &job->offences;
    if (o->nhours == 0)
        return 1;
    if (weekday < 0 || weekday > 6 || minute < 0 || minute > 1439)
        return 0;
    for (int i = 0; i < o->nhours; i++)
        if (window_has(&o->hours[i], weekday, minute))
            return 1;
    return 0;
}

double rtm_job_harm_weight(const rtm_job *job, const char *cat)
{
    const rtm_job_harm *h = &job->offences.harm;
    if (!job->offences.has_harm)
        return 1.0;
    for (int i = 0; cat && i < h->n; i++)
        if (strcasecmp(h->category[i], cat) == 0)
            return h->weight[i];
    return h->default_weight;
}

int rtm_job_type_wanted(const rtm_job *job, const char *type)
{
    const rtm_job_offences *o = &job->offences;
    if (o->ntypes == 0)
        return 1;
    for (int i = 0; type && i < o->ntypes; i++)
        if (strcasecmp(o->types[i], type) == 0)
            return 1;
    return 0;
}
