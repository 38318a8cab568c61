/* kde_adaptive.c: adaptive kernel density with Abramson's square-root law,
 * grouped by bandwidth quantiles as spatstat's densityAdaptiveKernel.ppp, or
 * exact (definitions and sources in rtm/kde_plus.h). */
#include "rtm/kde_plus.h"
#include "surface/kde_priv.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R's quantile(type = 7) of sorted s[0..n-1] at probability pr (R 4.2
 * quantile.default: index = 1 + (n - 1) pr, lo = floor, hi = ceiling,
 * (1 - h) x[lo] + h x[hi] when index > lo and x[hi] != x[lo]). */
static double quantile7(const double *s, size_t n, double pr)
{
    double index = (double)(n - 1) * pr, lo = floor(index), h = index - lo;
    size_t l = (size_t)lo, u = (size_t)ceil(index);
    if (u >= n)
        u = n - 1;
    if (index > lo && s[u] != s[l])
        return (1 - h) * s[l] + h * s[u];
    return s[l];
}

int rtm_kde_abramson(const rtm_grid *g, const double *x, const double *y, const double *w,
                     size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *h,
                     double *gamma, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), i, npos = 0;
    double *f = malloc(nc * sizeof *f), emin, gm;
    long double ls = 0;
    rtm_kde_opts po = *o;
    int rc;
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for the pilot estimate");
    po.radius = p->pilot > 0 ? p->pilot : o->radius;
    po.units = RTM_UNITS_CELL; /* f's scale cancels in f / gamma */
    po.progress = NULL;
    if ((rc = kde_fixed_edge(g, x, y, w, n, &po, p->edge, p->window, NULL, f, &emin, err))) {
        free(f);
        return rc;
    }
    for (i = 0; i < n; i++) { /* h holds the pilot values for now */
        h[i] = f[kde_point_cell(g, x[i], y[i])];
        if (h[i] > 0) {
            ls += logl((long double)h[i]);
            npos++;
        }
    }
    free(f);
    if (!npos)
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "kde: the pilot estimate (radius %g) is 0 at every point: use a "
                             "larger --pilot", po.radius);
    gm = (double)expl(ls / (long double)npos); /* geometric mean (Silverman 1986, 5.3.1) */
    for (i = 0; i < n; i++)
        h[i] = h[i] > 0 ? o->radius * fmin(1.0 / sqrt(h[i] / gm), p->trim)
                        : o->radius * p->trim;
    if (gamma)
        *gamma = gm;
    return 0;
}

/* Progress of pass k of K, mapped onto the caller's 0..1. */
typedef struct pass_progress {
    rtm_progress_fn fn;
    void *arg;
    int k, K;
} pass_progress;

static int pass_cb(double frac, const char *msg, void *arg)
{
    const pass_progress *pp = arg;
    return pp->fn((pp->k + frac) / pp->K, msg, pp->arg);
}

/* Points of group gid (input order) into gx, gy, gw; returns their count. */
static size_t gather(const double *x, const double *y, const double *w, size_t n,
                     const int *grp, int gid, double *gx, double *gy, double *gw)
{
    size_t i, m = 0;
    for (i = 0; i < n; i++)
        if (grp[i] == gid) {
            gx[m] = x[i];
            gy[m] = y[i];
            gw[m++] = w ? w[i] : 1.0;
        }
    return m;
}

/* Group of each radius: R's findInterval(h, qb, all.inside = TRUE) over the
 * G + 1 breaks qb, 0-based: the number of breaks <= h, minus 1, clamped to
 * 0 .. G - 1. */
static void assign_groups(const double *h, size_t n, const double *qb, int G, int *grp)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int c = 0;
        while (c <= G && qb[c] <= h[i])
            c++;
        c -= 1;
        grp[i] = c < 0 ? 0 : c > G - 1 ? G - 1 : c;
    }
}

/* Sum over the groups of their fixed-radius estimates (in group order). */
static int run_groups(const rtm_grid *g, const double *x, const double *y, const double *w,
                      size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, const int *grp,
                      const double *rad, int G, double *out, rtm_kde_plus_info *info,
                      rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), k;
    double *tmp = malloc(nc * sizeof *tmp), *gx = malloc((n ? n : 1) * 3 * sizeof *gx);
    pass_progress pp = {o->progress, o->progress_arg, 0, G};
    rtm_kde_opts go = *o;
    int rc = 0, gid;
    if (!tmp || !gx) {
        free(tmp);
        free(gx);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for the adaptive groups");
    }
    memset(out, 0, nc * sizeof *out);
    go.progress = o->progress ? pass_cb : NULL;
    go.progress_arg = &pp;
    for (gid = 0; gid < G && !rc; gid++) {
        size_t m = gather(x, y, w, n, grp, gid, gx, gx + n, gx + 2 * n);
        double emin;
        if (!m)
            continue;
        pp.k = gid;
        go.radius = rad[gid];
        if ((rc = kde_fixed_edge(g, gx, gx + n, w ? gx + 2 * n : NULL, m, &go, p->edge,
                                 p->window, NULL, tmp, &emin, err)))
            break;
        for (k = 0; k < nc; k++)
            out[k] += tmp[k];
        info->emin = emin < info->emin ? emin : info->emin;
    }
    free(tmp);
    free(gx);
    return rc;
}

int kde_adaptive(const rtm_grid *g, const double *x, const double *y, const double *w,
                 size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *out,
                 rtm_kde_plus_info *info, rtm_error *err)
{
    double *h = malloc((n ? n : 1) * 2 * sizeof *h), *qb = NULL, *rad = NULL;
    int *grp = malloc((n ? n : 1) * sizeof *grp), G, k, rc;
    size_t i;
    if (!h || !grp) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for adaptive radii");
        goto done;
    }
    if (n == 0) {
        rc = rtm_kde_compute(g, x, y, w, n, o, out, err);
        goto done;
    }
    if ((rc = rtm_kde_abramson(g, x, y, w, n, o, p, h, &info->gamma, err)))
        goto done;
    memcpy(h + n, h, n * sizeof *h);
    qsort(h + n, n, sizeof *h, dbl_cmp);
    info->hmin = h[n];
    info->hmax = h[2 * n - 1];
    if (p->groups == RTM_KDE_GROUPS_EXACT) { /* each point its own group and radius */
        G = (int)(n < (size_t)INT_MAX ? n : INT_MAX);
        for (i = 0; i < n; i++)
            grp[i] = (int)i;
        rc = run_groups(g, x, y, w, n, o, p, grp, h, G, out, info, err);
        info->groups = G;
        goto done;
    }
    /* default: spatstat's floor(sqrt(n)), at most RTM_KDE_GROUPS_DEFAULT_MAX */
    G = p->groups > 0 ? p->groups : (int)fmin(floor(sqrt((double)n)), RTM_KDE_GROUPS_DEFAULT_MAX);
    G = G < 1 ? 1 : (size_t)G > n ? (int)n : G;
    qb = malloc(((size_t)G + 1) * sizeof *qb);
    rad = malloc((size_t)G * sizeof *rad);
    if (!qb || !rad) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for adaptive groups");
        goto done;
    }
    for (k = 0; k <= G; k++) /* spatstat: p = seq(0, 1, length = G + 1), pmid */
        qb[k] = quantile7(h + n, n, k == G ? 1.0 : (double)k * (1.0 / G));
    for (k = 0; k < G; k++)
        rad[k] = quantile7(h + n, n, ((double)k * (1.0 / G) +
                                      (k + 1 == G ? 1.0 : (double)(k + 1) * (1.0 / G))) / 2);
    assign_groups(h, n, qb, G, grp);
    info->groups = G;
    rc = run_groups(g, x, y, w, n, o, p, grp, rad, G, out, info, err);
done:
    free(h);
    free(grp);
    free(qb);
    free(rad);
    return rc;
}

/* ---- the entry point ----------------------------------------------------- */

static int plain(const rtm_kde_plus *p)
{
    return !p || (p->edge == RTM_KDE_EDGE_NONE && !p->adaptive);
}

int rtm_kde_plus_compute(const rtm_grid *g, const double *x, const double *y, const double *w,
                         size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *out,
                         rtm_kde_plus_info *info, rtm_error *err)
{
    rtm_kde_plus_info in = {0, o->radius, o->radius, 0, 1.0, o->radius};
    int rc;
    if (p && (rc = rtm_kde_plus_check(p, g, err)))
        return rc;
    if (!plain(p) && (o->row0 || o->row1))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: edge correction and adaptive radii need "
                             "the whole grid at once (not a strip of rows)");
    if (plain(p))
        rc = rtm_kde_compute(g, x, y, w, n, o, out, err);
    else if (!p->adaptive)
        rc = kde_fixed_edge(g, x, y, w, n, o, p->edge, p->window, NULL, out, &in.emin, err);
    else
        rc = kde_adaptive(g, x, y, w, n, o, p, out, &in, err);
    if (!rc && info)
        *info = in;
    return rc;
}
