/* repeats.c: repeat locations - events grouped by exact coordinates (the
 * geocoded-coordinate matching of Ratcliffe & McCullagh 1998, BJC 38(4)) or
 * by a location key (address, UPRN), ranked by events, with their active
 * months and the time between repeats (their concentration over locations is
 * rtm_lorenz / rtm_gini of evaluate/concentration.c). */
#include "rtm/knox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const rtm_points *p; int by_label; } sort_ctx;

static int cmp_loc(const void *a, const void *b, void *arg)
{
    const sort_ctx *c = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (c->by_label) {
        if (c->p->label[i] != c->p->label[j])
            return c->p->label[i] < c->p->label[j] ? -1 : 1;
    } else {
        if (c->p->x[i] != c->p->x[j])
            return c->p->x[i] < c->p->x[j] ? -1 : 1;
        if (c->p->y[i] != c->p->y[j])
            return c->p->y[i] < c->p->y[j] ? -1 : 1;
    }
    return i < j ? -1 : i > j;
}

static int same_loc(const sort_ctx *c, size_t i, size_t j)
{
    return c->by_label ? c->p->label[i] == c->p->label[j]
                       : c->p->x[i] == c->p->x[j] && c->p->y[i] == c->p->y[j];
}

static int cmp_int(const void *a, const void *b)
{
    int u = *(const int *)a, v = *(const int *)b;
    return u < v ? -1 : u > v;
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return u < v ? -1 : u > v;
}

/* Months index of YYYYMM. */
static int mi(int yyyymm) { return yyyymm / 100 * 12 + yyyymm % 100 - 1; }

/* Dates, gaps and active months of the events idx[0..n-1] of one location. */
static int describe(const rtm_points *p, const size_t *idx, size_t n, rtm_repeat_loc *L,
                    int *tmp, double *gaps)
{
    int days = 1, nm = 0;
    for (size_t k = 0; k < n; k++)
        days &= p->day && p->day[idx[k]] > 0;
    for (size_t k = 0; k < n; k++)
        tmp[k] = days ? rtm_day_number(p->day[idx[k]]) : p->month ? mi(p->month[idx[k]]) : 0;
    qsort(tmp, n, sizeof *tmp, cmp_int);
    L->gap_days = days;
    L->first_date = days ? p->day[idx[0]] : p->month ? p->month[idx[0]] : 0;
    L->last_date = L->first_date;
    for (size_t k = 0; k < n; k++) {
        int d = days ? p->day[idx[k]] : p->month ? p->month[idx[k]] : 0;
        L->first_date = d < L->first_date ? d : L->first_date;
        L->last_date = d > L->last_date ? d : L->last_date;
    }
    double sum = 0;
    for (size_t k = 1; k < n; k++)
        gaps[k - 1] = tmp[k] - tmp[k - 1], sum += gaps[k - 1];
    qsort(gaps, n > 1 ? n - 1 : 0, sizeof *gaps, cmp_double);
    L->mean_gap = n > 1 ? sum / (double)(n - 1) : NAN;
    L->median_gap = n < 2 ? NAN : (n - 1) % 2 ? gaps[(n - 1) / 2]
                                  : 0.5 * (gaps[(n - 1) / 2 - 1] + gaps[(n - 1) / 2]);
    /* active months: distinct months */
    for (size_t k = 0; k < n; k++)
        tmp[k] = p->month ? p->month[idx[k]] : 0;
    qsort(tmp, n, sizeof *tmp, cmp_int);
    size_t cap = n * 8 + 1, len = 0;
    if (!(L->periods = malloc(cap)))
        return -1;
    L->periods[0] = 0;
    for (size_t k = 0; k < n; k++)
        if (tmp[k] > 0 && (k == 0 || tmp[k] != tmp[k - 1])) {
            len += (size_t)snprintf(L->periods + len, cap - len, "%s%04d-%02d", nm ? ";" : "",
                                    tmp[k] / 100, tmp[k] % 100);
            nm++;
        }
    L->months_active = nm;
    return 0;
}

static int cmp_rank(const void *a, const void *b)
{
    const rtm_repeat_loc *u = a, *v = b;
    if (u->n != v->n)
        return u->n > v->n ? -1 : 1;
    return u->first < v->first ? -1 : u->first > v->first;
}

void rtm_repeat_locs_free(rtm_repeat_loc *locs, size_t n)
{
    for (size_t i = 0; locs && i < n; i++)
        free(locs[i].periods);
    free(locs);
}

/* Group the sorted indices idx[0..m-1] into locs. */
static int group(const sort_ctx *c, const size_t *idx, size_t m, rtm_repeat_loc *locs,
                 size_t *nlocs)
{
    int *tmp = malloc((m ? m : 1) * sizeof *tmp);
    double *gaps = malloc((m ? m : 1) * sizeof *gaps);
    size_t nl = 0, a = 0;
    int rc = tmp && gaps ? 0 : -1;
    while (!rc && a < m) {
        size_t b = a + 1, first = idx[a];
        while (b < m && same_loc(c, idx[a], idx[b]))
            b++;
        for (size_t k = a; k < b; k++)
            first = idx[k] < first ? idx[k] : first;
        memset(&locs[nl], 0, sizeof locs[nl]);
        locs[nl].first = first, locs[nl].n = b - a;
        rc = describe(c->p, idx + a, b - a, &locs[nl], tmp, gaps);
        nl++;
        a = b;
    }
    free(tmp), free(gaps);
    *nlocs = nl;
    return rc;
}

int rtm_repeat_locations(const rtm_points *p, int by_label, rtm_repeat_loc **locs,
                         size_t *nlocs, size_t *unlabelled, rtm_error *err)
{
    sort_ctx c = {p, by_label};
    size_t m = 0, un = 0;
    *locs = NULL, *nlocs = 0;
    size_t *idx = malloc((p->n ? p->n : 1) * sizeof *idx);
    rtm_repeat_loc *L = calloc(p->n ? p->n : 1, sizeof *L);
    if (!idx || !L) {
        free(idx), free(L);
        return rtm_error_set(err, RTM_ERR_NOMEM, "repeats: out of memory");
    }
    for (size_t i = 0; i < p->n; i++) {
        if (by_label && (!p->label || p->label[i] < 0))
            un++;
        else
            idx[m++] = i;
    }
    if (unlabelled)
        *unlabelled = un;
    if (m == 0) {
        free(idx), free(L);
        return rtm_error_set(err, RTM_ERR_INPUT, "repeats: no event%s", by_label
                             ? " with a location key (is the field empty?)" : "");
    }
    qsort_r(idx, m, sizeof *idx, cmp_loc, &c);
    int rc = group(&c, idx, m, L, nlocs);
    free(idx);
    if (rc) {
        rtm_repeat_locs_free(L, *nlocs);
        *nlocs = 0;
        return rtm_error_set(err, RTM_ERR_NOMEM, "repeats: out of memory");
    }
    qsort(L, *nlocs, sizeof *L, cmp_rank);
    *locs = L;
    return 0;
}
