/* run_normalise.c: normalising surfaces before a weighted overlay.
 *
 * Over the cells inside the study area with finite values (others become
 * NaN):
 *   minmax  (v - min) / (max - min)          -> [0, 1] (0 everywhere if constant)
 *   zscore  (v - mean) / sd, sd with divisor n (0 everywhere if constant)
 *   rank    (average rank - 1) / (n - 1)     -> [0, 1], ties share their mean
 *           rank (the "average" method of R's rank())
 *   none    unchanged
 * Sums run in cell order, so the result is the same on every run. */
#include "run/run_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int usable(const double *v, const unsigned char *mask, size_t k)
{
    return (!mask || mask[k]) && isfinite(v[k]);
}

static void minmax(double *v, const unsigned char *mask, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k)) {
            lo = fmin(lo, v[k]);
            hi = fmax(hi, v[k]);
        }
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k))
            v[k] = hi > lo ? (v[k] - lo) / (hi - lo) : 0;
}

static void zscore(double *v, const unsigned char *mask, size_t n)
{
    double s = 0, ss = 0, c = 0, mean, sd;
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k)) {
            s += v[k];
            c++;
        }
    mean = c > 0 ? s / c : 0;
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k))
            ss += (v[k] - mean) * (v[k] - mean);
    sd = c > 0 ? sqrt(ss / c) : 0;
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k))
            v[k] = sd > 0 ? (v[k] - mean) / sd : 0;
}

typedef struct vi {
    double v;
    size_t i;
} vi;

static int vi_cmp(const void *a, const void *b)
{
    const vi *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int rank(double *v, const unsigned char *mask, size_t n, rtm_error *err)
{
    size_t m = 0, a, b;
    vi *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return rtm_error_set(err, RTM_ERR_NOMEM, "overlay: out of memory");
    for (size_t k = 0; k < n; k++)
        if (usable(v, mask, k))
            s[m].v = v[k], s[m++].i = k;
    qsort(s, m, sizeof *s, vi_cmp);
    for (a = 0; a < m; a = b) {
        double r;
        for (b = a + 1; b < m && s[b].v == s[a].v; b++)
            ;
        r = (double)(a + b - 1) / 2;  /* mean of the 0-based ranks a..b-1 */
        for (size_t t = a; t < b; t++)
            v[s[t].i] = m > 1 ? r / (double)(m - 1) : 0;
    }
    free(s);
    return 0;
}

int rtm_jr_normalise(double *v, const unsigned char *mask, size_t n, rtm_normalise how,
                     rtm_error *err)
{
    int rc = 0;
    if (how == RTM_NORM_MINMAX)
        minmax(v, mask, n);
    else if (how == RTM_NORM_ZSCORE)
        zscore(v, mask, n);
    else if (how == RTM_NORM_RANK)
        rc = rank(v, mask, n, err);
    else if (how != RTM_NORM_NONE)
        return rtm_error_set(err, RTM_ERR_ARG, "overlay: unknown normalisation %d", (int)how);
    for (size_t k = 0; k < n && !rc; k++)
        if (!usable(v, mask, k))
            v[k] = NAN;
    return rc;
}
