/* bandwidth_cv.c: the likelihood cross-validation bandwidth rule
 * (spatstat bw.ppl; Loader 1999, "Local Regression and Likelihood",
 * section 5.3; Baddeley, Rubak & Turner 2015, section 6.5.1.2). The
 * criterion, search grid and cost are in rtm/kde_plus.h. */
#include "rtm/kde_plus.h"
#include "surface/kde_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CV_MAX_BUCKETS_PER_POINT 4 /* bucket grid size bound */

/* The kernel at squared distance d2 (the table of rtm/surface.h), with the
 * support predicate d2 <= r2. */
typedef struct cv_kernel {
    rtm_kernel k;
    double r, r2, amp, sig2; /* amp: the normalising constant */
    int m;                   /* power of (1 - u^2), or -1 */
} cv_kernel;

/* The Gaussian's leave-one-out sums are not cut at the radius but at
 * max(8 sd, the radius, 2 x the largest nearest-neighbour distance nnmax), as
 * spatstat's densitypointsEngine does: every point then has a neighbour
 * inside, so no candidate scores -inf for one isolated point (the mass
 * beyond 4 sd is 3.4e-4). The bounded kernels keep their support. */
static void cv_kernel_init(cv_kernel *c, const rtm_kde_opts *o, double nnmax)
{
    double r = o->radius, s = r / o->gauss_truncate;
    c->k = o->kernel;
    c->r = r;
    if (o->kernel == RTM_KERNEL_GAUSSIAN)
        c->r = fmax(fmax(8 * s, r), 2 * nnmax);
    c->r2 = c->r * c->r;
    c->sig2 = 2 * s * s;
    c->m = o->kernel == RTM_KERNEL_UNIFORM ? 0 : o->kernel == RTM_KERNEL_EPANECHNIKOV ? 1
           : o->kernel == RTM_KERNEL_QUARTIC ? 2 : o->kernel == RTM_KERNEL_TRIWEIGHT ? 3 : -1;
    c->amp = c->m >= 0 ? (c->m + 1) / (M_PI * r * r)
             : o->kernel == RTM_KERNEL_TRIANGULAR ? 3 / (M_PI * r * r)
                                                  : 1 / (2 * M_PI * s * s);
}

static inline double cv_k(const cv_kernel *c, double d2)
{
    double b;
    if (!(d2 <= c->r2))
        return 0.0;
    if (c->m < 0)
        return c->k == RTM_KERNEL_TRIANGULAR ? c->amp * fmax(0.0, 1 - sqrt(d2) / c->r)
                                             : c->amp * exp(-d2 / c->sig2);
    b = (c->r2 - d2) / c->r2;
    return c->amp * (c->m == 0 ? 1 : c->m == 1 ? b : c->m == 2 ? b * b : b * b * b);
}

/* Points bucketed on a square grid of side >= the radius (stable order). */
typedef struct cv_buckets {
    double x0, y0, side;
    long nbx, nby;
    size_t *start, *idx;
} cv_buckets;

static int buckets_build(cv_buckets *b, const double *x, const double *y, size_t n, double r)
{
    double xmin = x[0], xmax = x[0], ymin = y[0], ymax = y[0];
    size_t i, *cnt;
    for (i = 1; i < n; i++) {
        xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]);
        ymax = fmax(ymax, y[i]);
    }
    b->side = r;
    while ((floor((xmax - xmin) / b->side) + 1) * (floor((ymax - ymin) / b->side) + 1) >
           (double)(CV_MAX_BUCKETS_PER_POINT * n + 16))
        b->side *= 2;
    b->x0 = xmin;
    b->y0 = ymin;
    b->nbx = (long)floor((xmax - xmin) / b->side) + 1;
    b->nby = (long)floor((ymax - ymin) / b->side) + 1;
    b->start = calloc((size_t)(b->nbx * b->nby) + 1, sizeof *b->start);
    b->idx = malloc(n * sizeof *b->idx);
    cnt = calloc((size_t)(b->nbx * b->nby) + 1, sizeof *cnt);
    if (!b->start || !b->idx || !cnt) {
        free(cnt);
        return -1;
    }
    for (i = 0; i < n; i++) {
        long bx = (long)floor((x[i] - b->x0) / b->side), by = (long)floor((y[i] - b->y0) / b->side);
        b->start[by * b->nbx + bx + 1]++;
    }
    for (i = 0; i < (size_t)(b->nbx * b->nby); i++)
        b->start[i + 1] += b->start[i];
    for (i = 0; i < n; i++) {
        long bx = (long)floor((x[i] - b->x0) / b->side), by = (long)floor((y[i] - b->y0) / b->side);
        size_t k = (size_t)(by * b->nbx + bx);
        b->idx[b->start[k] + cnt[k]++] = i;
    }
    free(cnt);
    return 0;
}

/* sum_{j != i} wj K(x_i - x_j) for every i (exact positions), through the
 * buckets: each sum by one thread in a fixed order. */
static void loo_sums(const cv_kernel *c, const cv_buckets *b, const double *x, const double *y,
                     const double *wj, size_t n, int nt, double *s)
{
    long i;
    long reach = (long)ceil(c->r / b->side);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 64)
    for (i = 0; i < (long)n; i++) {
        long bx = (long)floor((x[i] - b->x0) / b->side), by = (long)floor((y[i] - b->y0) / b->side);
        long ya = by - reach < 0 ? 0 : by - reach, yb = by + reach >= b->nby ? b->nby - 1 : by + reach;
        long xa = bx - reach < 0 ? 0 : bx - reach, xb = bx + reach >= b->nbx ? b->nbx - 1 : bx + reach;
        double acc = 0;
        for (long q = ya; q <= yb; q++)
            for (size_t t = b->start[q * b->nbx + xa]; t < b->start[q * b->nbx + xb + 1]; t++) {
                size_t j = b->idx[t];
                double dx = x[i] - x[j], dy = y[i] - y[j];
                if (j != (size_t)i)
                    acc += wj[j] * cv_k(c, dx * dx + dy * dy);
            }
        s[i] = acc;
    }
}

/* spatstat's search grid: from the smallest positive nearest-neighbour
 * distance to half the diameter of the window (its cell centres). */
static int search_range(const rtm_grid *g, const unsigned char *win, const double *x,
                        const double *y, size_t n, int nt, double *lo, double *hi,
                        double *nnmax, rtm_error *err)
{
    double *xy = malloc(2 * n * sizeof *xy), *nn = malloc(n * sizeof *nn), best = INFINITY;
    double d2max = 0;
    size_t i;
    int rc, a, b, nr = g->nrows, *lft = malloc(2 * (size_t)nr * sizeof *lft), *rgt;
    if (!xy || !nn || !lft) {
        free(xy);
        free(nn);
        free(lft);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    }
    for (i = 0; i < n; i++) {
        xy[2 * i] = x[i];
        xy[2 * i + 1] = y[i];
    }
    rc = rtm_distance_nearest_neighbours(xy, n, nt, nn, err);
    for (*nnmax = 0, i = 0; !rc && i < n; i++) {
        best = nn[i] > 0 && nn[i] < best ? nn[i] : best;
        *nnmax = fmax(*nnmax, nn[i]);
    }
    free(xy);
    free(nn);
    rgt = lft + nr;
    for (a = 0; a < nr; a++) { /* each row's outermost window cells */
        lft[a] = -1;
        for (b = 0; b < g->ncols; b++)
            if (!win || win[(size_t)a * (size_t)g->ncols + (size_t)b]) {
                lft[a] = lft[a] < 0 ? b : lft[a];
                rgt[a] = b;
            }
    }
    for (a = 0; a < nr; a++)
        for (b = a; b < nr && lft[a] >= 0; b++) {
            double dy = (double)(b - a), d1, d2;
            if (lft[b] < 0)
                continue;
            d1 = (double)(rgt[b] - lft[a]);
            d2 = (double)(rgt[a] - lft[b]);
            d2max = fmax(d2max, dy * dy + fmax(d1 * d1, d2 * d2));
        }
    free(lft);
    if (rc)
        return rc;
    *lo = best;
    *hi = sqrt(d2max) * g->res / 2;
    if (!isfinite(best) || !(*hi > *lo))
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "kde: cross-validation needs at least 2 distinct points closer "
                             "than the window's diameter (smallest distance %g, half "
                             "diameter %g)", best, *hi);
    return 0;
}

/* The criterion at one radius (o->radius). */
/* ---- a coarser grid for the grid terms of wide candidates ---------------- */

#define CV_GRID_BUDGET 4e8 /* engine work (points x per-point cost) per surface */

/* Rough cost of one kernel-density pass of npts points at rho cells. */
static double engine_cost(const rtm_kde_opts *o, double rho, double npts)
{
    int poly = o->kernel != RTM_KERNEL_GAUSSIAN && o->kernel != RTM_KERNEL_TRIANGULAR;
    return npts * (poly ? (rho + 1) * (rho / 32 + 32) : M_PI * (rho + 1) * (rho + 1));
}

/* Coarsening factor f >= 1: the smallest that brings the surface and
 * edge-mass passes under CV_GRID_BUDGET, keeping >= 16 cells per radius. */
static int coarse_factor(const rtm_kde_opts *o, double rho, double n, double nwin)
{
    int f = 1;
    while (engine_cost(o, rho / f, n + nwin / ((double)f * f)) > CV_GRID_BUDGET &&
           rho / (f + 1) >= 16)
        f++;
    return f;
}

typedef struct cv_grid {
    rtm_grid g;
    unsigned char *win; /* coarse cells holding a window cell */
    double *frac;       /* share of the coarse cell's fine cells in the window */
} cv_grid;

/* g coarsened by f, aligned on its north-west corner. */
static int cv_coarsen(const rtm_grid *g, const unsigned char *win, int f, cv_grid *c)
{
    size_t nc;
    c->g = *g;
    c->g.res = g->res * f;
    c->g.ncols = (g->ncols + f - 1) / f;
    c->g.nrows = (g->nrows + f - 1) / f;
    c->g.y0 = g->y0 + (double)g->nrows * g->res - (double)c->g.nrows * c->g.res;
    nc = rtm_grid_ncells(&c->g);
    c->win = calloc(nc, 1);
    c->frac = calloc(nc, sizeof *c->frac);
    if (!c->win || !c->frac)
        return -1;
    for (int i = 0; i < g->nrows; i++)
        for (int j = 0; j < g->ncols; j++)
            if (!win || win[(size_t)i * (size_t)g->ncols + (size_t)j]) {
                size_t k = (size_t)(i / f) * (size_t)c->g.ncols + (size_t)(j / f);
                c->win[k] = 1;
                c->frac[k] += 1.0 / ((double)f * f);
            }
    return 0;
}

/* The criterion at one radius (o->radius), with the grid terms (edge mass,
 * surface, integral) on grid g with window win and, when frac is not NULL,
 * each cell's share of the study area as its integral weight. */
static int cv_score(const rtm_grid *g, const unsigned char *win, const double *frac,
                    const double *x, const double *y, const double *w, size_t n,
                    const rtm_kde_opts *o, const rtm_kde_plus *pp, int nt, double nnmax,
                    double *scratch, double *cv, rtm_error *err)
{
    rtm_kde_plus pl = *pp, *p = &pl;
    size_t nc = rtm_grid_ncells(g), i;
    double *e = scratch, *d = scratch + nc, *wj = d + nc, *s = wj + n, emin;
    long double integral = 0, ll = 0;
    cv_kernel c;
    cv_buckets b = {0};
    int rc;
    pl.window = win;
    if (p->edge != RTM_KDE_EDGE_NONE && (rc = rtm_kde_edge_mass(g, p->window, o, e, err)))
        return rc;
    if ((rc = kde_fixed_edge(g, x, y, w, n, o, p->edge, p->window,
                             p->edge != RTM_KDE_EDGE_NONE ? e : NULL, d, &emin, err)))
        return rc;
    for (i = 0; i < nc; i++)
        if (!p->window || p->window[i])
            integral += frac ? d[i] * frac[i] : d[i];
    integral *= (long double)(g->res * g->res);
    for (i = 0; i < n; i++)
        wj[i] = (w ? w[i] : 1.0) /
                (p->edge == RTM_KDE_EDGE_DIGGLE ? e[kde_point_cell(g, x[i], y[i])] : 1.0);
    cv_kernel_init(&c, o, nnmax);
    if (buckets_build(&b, x, y, n, c.r)) {
        free(b.start);
        free(b.idx);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    }
    loo_sums(&c, &b, x, y, wj, n, nt, s);
    free(b.start);
    free(b.idx);
    for (i = 0; i < n; i++) {
        double v = s[i] / (p->edge == RTM_KDE_EDGE_UNIFORM ? e[kde_point_cell(g, x[i], y[i])]
                                                           : 1.0);
        ll += v > 0 ? logl((long double)v) : -INFINITY;
    }
    *cv = (double)(ll - integral);
    return 0;
}

/* cv_score on g, or on g coarsened by f. */
static int score_at(const rtm_grid *g, const double *x, const double *y, const double *w,
                    size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, int nt,
                    double nnmax, int f, double *scratch, double *cv, rtm_error *err)
{
    cv_grid c = {0};
    int rc;
    if (f <= 1)
        return cv_score(g, p->window, NULL, x, y, w, n, o, p, nt, nnmax, scratch, cv, err);
    if (cv_coarsen(g, p->window, f, &c))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    else
        rc = cv_score(&c.g, c.win, c.frac, x, y, w, n, o, p, nt, nnmax, scratch, cv, err);
    free(c.win);
    free(c.frac);
    return rc;
}

int rtm_bandwidth_cv(const rtm_grid *g, const double *x, const double *y, const double *w,
                     size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, int ns,
                     double *radius, rtm_kde_cv *res, rtm_error *err)
{
    rtm_kde_cv r;
    rtm_kde_plus dp;
    rtm_kde_opts ko = *o;
    double lo = 0, hi = 0, nnmax = 0, nwin = 0, la, lb, su, *scratch;
    int k, nt = o->threads > 0 ? o->threads : 0, rc = 0;
    if (!p) {
        rtm_kde_plus_init(&dp);
        p = &dp;
    }
    ns = ns ? ns : RTM_KDE_CV_NS_DEFAULT;
    if (ns < 2 || ns > 64)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: cross-validation candidates must be "
                             "2..64 (got %d)", ns);
    if (n < 2)
        return rtm_error_set(err, RTM_ERR_MODEL, "kde: cross-validation needs at least 2 "
                             "points (got %zu)", n);
    if ((rc = rtm_kde_plus_check(p, g, err)) || (rc = rtm_grid_check(g, err) ? RTM_ERR_ARG : 0))
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || (w && (!(w[i] >= 0) || !isfinite(w[i]))))
            return rtm_error_set(err, RTM_ERR_INPUT, "kde: point %zu has a non-finite "
                                 "coordinate or a bad weight", i);
    if (nt == 0)
        nt = 1;
#ifdef _OPENMP
    if (o->threads <= 0)
        nt = omp_get_max_threads();
#endif
    if ((rc = search_range(g, p->window, x, y, n, nt, &lo, &hi, &nnmax, err)))
        return rc;
    for (size_t c = 0; c < rtm_grid_ncells(g); c++)
        nwin += !p->window || p->window[c];
    scratch = malloc((2 * rtm_grid_ncells(g) + 2 * n) * sizeof *scratch);
    if (!scratch)
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for cross-validation");
    memset(&r, 0, sizeof r);
    r.ns = ns;
    la = log(lo);
    lb = log(hi);
    su = rtm_kernel_sigma_unit(o->kernel, o->gauss_truncate);
    ko.units = RTM_UNITS_M2; /* per CRS unit^2: */
    ko.metres_per_unit = 1;
    ko.progress = NULL;
    for (k = 0; k < ns && !rc; k++) { /* spatstat geomseq: exact end points */
        r.sigma[k] = k == 0 ? lo : k == ns - 1 ? hi : exp(la + (double)k * ((lb - la) / (ns - 1)));
        r.radius[k] = ko.radius = r.sigma[k] / su;
        r.coarsen[k] = coarse_factor(&ko, ko.radius / g->res, (double)n, nwin);
        rc = score_at(g, x, y, w, n, &ko, p, nt, nnmax, r.coarsen[k], scratch, &r.cv[k], err);
        if (!rc && o->progress && !o->progress((k + 1.0) / ns, "kde cv", o->progress_arg))
            rc = rtm_error_set(err, RTM_ERR_CANCEL, "kde: cancelled");
    }
    free(scratch);
    if (rc)
        return rc;
    r.best = -1;
    for (k = 0; k < ns; k++)
        if (isfinite(r.cv[k]) && (r.best < 0 || r.cv[k] > r.cv[r.best]))
            r.best = k;
    if (r.best < 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "kde: the cross-validated likelihood is -inf "
                             "at every candidate radius (%g .. %g)", r.radius[0],
                             r.radius[ns - 1]);
    *radius = r.radius[r.best];
    if (res)
        *res = r;
    return 0;
}
