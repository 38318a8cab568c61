/* points.c: the weighted point set and load statistics (see rtm/input.h). */
#include "rtm/input.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void rtm_points_init(rtm_points *p)
{
    memset(p, 0, sizeof *p);
}

void rtm_points_clear(rtm_points *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
    free(p->month);
    free(p->day);
    rtm_points_init(p);
}

static int grow(rtm_points *p, rtm_error *err)
{
    size_t cap = p->cap ? p->cap * 2 : 1024;
    double *x = realloc(p->x, cap * sizeof *x);
    if (x)
        p->x = x;
    double *y = x ? realloc(p->y, cap * sizeof *y) : NULL;
    if (y)
        p->y = y;
    double *w = y ? realloc(p->w, cap * sizeof *w) : NULL;
    if (w)
        p->w = w;
    int *m = w ? realloc(p->month, cap * sizeof *m) : NULL;
    if (m)
        p->month = m;
    int *d = m ? realloc(p->day, cap * sizeof *d) : NULL;
    if (d)
        p->day = d;
    if (!d)
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory at %zu points", p->n);
    p->cap = cap;
    return 0;
}

int rtm_points_push_day(rtm_points *p, double x, double y, double w, int month, int day,
                        rtm_error *err)
{
    if (p->n == p->cap && grow(p, err))
        return RTM_ERR_NOMEM;
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->w[p->n] = w;
    p->month[p->n] = month;
    p->day[p->n] = day;
    p->n++;
    return 0;
}

int rtm_points_push(rtm_points *p, double x, double y, double w, int month, rtm_error *err)
{
    return rtm_points_push_day(p, x, y, w, month, 0, err);
}

double rtm_points_weight_sum(const rtm_points *p)
{
    double s = 0;
    size_t i;
    for (i = 0; i < p->n; i++)
        s += p->w[i];
    return s;
}

const char *rtm_skip_reason_name(rtm_skip_reason r)
{
    static const char *const names[RTM_SKIP_NREASONS] = {
        "no_coordinates", "bad_coordinates", "outside_crs_area", "outside_study_area",
        "bad_weight", "bad_date"};
    return (r >= 0 && r < RTM_SKIP_NREASONS) ? names[r] : "unknown";
}

void rtm_load_stats_init(rtm_load_stats *s)
{
    memset(s, 0, sizeof *s);
}

size_t rtm_load_stats_skipped(const rtm_load_stats *s)
{
    size_t t = 0;
    int r;
    for (r = 0; r < RTM_SKIP_NREASONS; r++)
        t += s->skipped[r];
    return t;
}

int rtm_yyyymm_parse(const char *s)
{
    int y, m;
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (strlen(s) < 7 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]) ||
        (s[4] != '-' && s[4] != '/') || !isdigit((unsigned char)s[5]) ||
        !isdigit((unsigned char)s[6]))
        return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12 || (s[7] && isdigit((unsigned char)s[7])))
        return 0;
    return y * 100 + m;
}
