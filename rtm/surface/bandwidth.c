/* bandwidth.c: default search-radius rules for kernel density (see rtm/surface.h).
 *
 * Sources: the project's KDE reference ("Default bandwidth rules in use");
 * ArcGIS Pro help, "How Kernel Density works" (default search radius);
 * Silverman (1986), "Density Estimation for Statistics and Data Analysis",
 * eq. 3.31 (the robust normal-reference rule the ArcGIS rule adapts);
 * Scott (1992), "Multivariate Density Estimation", eq. 6.42, as coded in R's
 * stats::bw.nrd (quantiles of type 7, Hyndman & Fan 1996).
 */
#include "rtm/surface.h"

#include <math.h>
#include <stdlib.h>

typedef struct wval {
    double v, w;
} wval;

static int wval_cmp(const void *a, const void *b)
{
    double x = ((const wval *)a)->v, y = ((const wval *)b)->v;
    return (x > y) - (x < y);
}

/* Validate points and weights; *total = sum of weights (n without weights). */
static int check_input(const double *x, const double *y, const double *w, size_t n,
                       double *total, rtm_error *err)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "bandwidth: point %zu has a non-finite coordinate", i);
        if (w && (!(w[i] >= 0) || !isfinite(w[i])))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "bandwidth: point %zu has weight %g; weights must be finite "
                                 "and >= 0", i, w[i]);
        s += w ? w[i] : 1.0;
    }
    if (n < 2 || !(s > 1))
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "bandwidth: need at least 2 points and a total weight > 1 "
                             "(got %zu points, weight %g)", n, s);
    *total = s;
    return 0;
}

/* Weighted mean of v. */
static double wmean(const double *v, const double *w, size_t n, double total)
{
    double s = 0;
    size_t i;
    for (i = 0; i < n; i++)
        s += (w ? w[i] : 1.0) * v[i];
    return s / total;
}

/* Sorted (value, weight) pairs of v (values of weight 0 dropped). NULL if
 * out of memory; *m = count kept. */
static wval *sorted_pairs(const double *v, const double *w, size_t n, size_t *m)
{
    wval *a = malloc((n ? n : 1) * sizeof *a);
    size_t i, k = 0;
    if (!a)
        return NULL;
    for (i = 0; i < n; i++)
        if (!w || w[i] > 0) {
            a[k].v = v[i];
            a[k].w = w ? w[i] : 1.0;
            k++;
        }
    qsort(a, k, sizeof *a, wval_cmp);
    *m = k;
    return a;
}

/* Weighted median: the smallest value whose cumulative weight reaches half
 * the total, averaged with the next when it is exactly half (the ordinary
 * median for unit weights). */
static double wmedian(const wval *a, size_t m, double total)
{
    double cum = 0, half = total / 2;
    size_t k;
    for (k = 0; k < m; k++) {
        cum += a[k].w;
        if (cum >= half) {
            if (cum == half && k + 1 < m)
                return (a[k].v + a[k + 1].v) / 2;
            return a[k].v;
        }
    }
    return a[m - 1].v;
}

/* Value at (0-based, real) index k of the sample in which every value is
 * repeated by its weight: the first value whose cumulative weight exceeds k. */
static double expanded_at(const wval *a, size_t m, double k)
{
    double cum = 0;
    size_t i;
    for (i = 0; i < m; i++) {
        cum += a[i].w;
        if (cum > k)
            return a[i].v;
    }
    return a[m - 1].v;
}

/* Type-7 quantile (R's default) of the weight-expanded sample of size total:
 * h = (total - 1) p, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). */
static double wquantile7(const wval *a, size_t m, double total, double p)
{
    double h = (total - 1) * p, lo = floor(h);
    double x0 = expanded_at(a, m, lo), x1 = expanded_at(a, m, lo + 1);
    return x0 + (h - lo) * (x1 - x0);
}

int rtm_bandwidth_arcgis(const double *x, const double *y, const double *w, size_t n,
                         double *radius, rtm_error *err)
{
    double total, cx, cy, ss = 0, sd, dm, r;
    double *d;
    wval *a;
    size_t i, m;
    int rc = check_input(x, y, w, n, &total, err);
    if (rc)
        return rc;
    cx = wmean(x, w, n, total);
    cy = wmean(y, w, n, total);
    d = malloc(n * sizeof *d);
    if (!d)
        return rtm_error_set(err, RTM_ERR_NOMEM, "bandwidth: out of memory");
    for (i = 0; i < n; i++) {
        double dx = x[i] - cx, dy = y[i] - cy;
        ss += (w ? w[i] : 1.0) * (dx * dx + dy * dy);
        d[i] = sqrt(dx * dx + dy * dy);
    }
    sd = sqrt(ss / total); /* standard distance */
    a = sorted_pairs(d, w, n, &m);
    free(d);
    if (!a)
        return rtm_error_set(err, RTM_ERR_NOMEM, "bandwidth: out of memory");
    dm = wmedian(a, m, total);
    free(a);
    r = 0.9 * fmin(sd, sqrt(1.0 / M_LN2) * dm) * pow(total, -0.2);
    if (!(r > 0))
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "bandwidth: the points do not spread (standard distance %g, "
                             "median distance %g)", sd, dm);
    *radius = r;
    return 0;
}

/* Scott's rule on one axis; 0 when the axis has no spread. When the IQR is 0
 * but the sd is not (over half the points share one value), the sd is used
 * (as R's bw.nrd0 does; bw.nrd would return 0). */
static int scott_axis(const double *v, const double *w, size_t n, double total, double *h)
{
    double mu = wmean(v, w, n, total), ss = 0, sd, iqr, s;
    wval *a;
    size_t i, m;
    for (i = 0; i < n; i++)
        ss += (w ? w[i] : 1.0) * (v[i] - mu) * (v[i] - mu);
    sd = sqrt(ss / (total - 1));
    a = sorted_pairs(v, w, n, &m);
    if (!a)
        return -1;
    iqr = wquantile7(a, m, total, 0.75) - wquantile7(a, m, total, 0.25);
    free(a);
    s = iqr > 0 ? fmin(sd, iqr / 1.34) : sd;
    *h = 1.06 * s * pow(total, -0.2);
    return 0;
}

int rtm_bandwidth_scott_sigma(const double *x, const double *y, const double *w, size_t n,
                              double *hx, double *hy, double *h, rtm_error *err)
{
    double total, bx, by;
    int rc = check_input(x, y, w, n, &total, err);
    if (rc)
        return rc;
    if (scott_axis(x, w, n, total, &bx) || scott_axis(y, w, n, total, &by))
        return rtm_error_set(err, RTM_ERR_NOMEM, "bandwidth: out of memory");
    if (!(bx > 0) || !(by > 0))
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "bandwidth: the points do not spread along %s (Scott's rule gives 0)",
                             bx > 0 ? "y" : "x");
    if (hx)
        *hx = bx;
    if (hy)
        *hy = by;
    if (h)
        *h = sqrt(bx * by);
    return 0;
}

int rtm_bandwidth_scott(const double *x, const double *y, const double *w, size_t n,
                        double *radius, rtm_error *err)
{
    double h;
    int rc = rtm_bandwidth_scott_sigma(x, y, w, n, NULL, NULL, &h, err);
    if (rc)
        return rc;
    *radius = h / rtm_kernel_sigma_unit(RTM_KERNEL_QUARTIC, RTM_KDE_GAUSS_TRUNCATE_DEFAULT);
    return 0;
}
