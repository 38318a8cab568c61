/* hotspot.c: Getis-Ord Gi* on grid counts (formulas and rules in rtm/surface.h). */
#include "rtm/surface.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Relative tolerance on squared distances: a band of exactly k cells
 * includes the cells k cells away despite rounding in band/res. */
#define BAND_TOL 1e-9

static const double level_alpha[3] = {0.10, 0.05, 0.01}; /* bins 1, 2, 3 */

void rtm_gistar_opts_init(rtm_gistar_opts *o)
{
    o->band = 0;
    o->knn = 0;
    o->fdr = 0;
    o->threads = 0;
}

int rtm_gistar_opts_check(const rtm_gistar_opts *o, const rtm_grid *g, rtm_error *err)
{
    char msg[RTM_ERRMSG_MAX] = "";
    size_t len = 0;
    if (rtm_grid_check(g, err) != 0)
        return RTM_ERR_ARG;
    if (o->knn < 0)
        len += snprintf(msg + len, sizeof msg - len, "; knn must be >= 0 (got %d)", o->knn);
    if (o->knn == 0 && !(o->band > 0 && isfinite(o->band)))
        len += snprintf(msg + len, sizeof msg - len, "; band must be > 0 (got %g)", o->band);
    if (o->threads < 0)
        len += snprintf(msg + len, sizeof msg - len, "; threads must be >= 0 (got %d)",
                        o->threads);
    if (len == 0)
        return 0;
    return rtm_error_set(err, RTM_ERR_ARG, "gistar: %s", msg + 2);
}

/* ---- global statistics ------------------------------------------------------- */

typedef struct gstats {
    size_t n;    /* inside cells */
    double mean; /* xbar */
    double sd;   /* S, population form (divisor n), Ord & Getis 1995 */
} gstats;

/* Two-pass mean and SD in index order (deterministic, no cancellation of
 * sum x^2/n - xbar^2). */
static int global_stats(const double *x, const unsigned char *mask, size_t nc, gstats *s,
                        rtm_error *err)
{
    double sum = 0, ss = 0;
    size_t n = 0;
    for (size_t k = 0; k < nc; k++) {
        if (mask && !mask[k])
            continue;
        if (!isfinite(x[k]))
            return rtm_error_set(err, RTM_ERR_INPUT, "gistar: count at cell %zu is not finite",
                                 k);
        sum += x[k];
        n++;
    }
    s->n = n;
    s->mean = n ? sum / (double)n : 0;
    for (size_t k = 0; k < nc; k++)
        if (!mask || mask[k])
            ss += (x[k] - s->mean) * (x[k] - s->mean);
    s->sd = n ? sqrt(ss / (double)n) : 0;
    return 0;
}

/* z from the neighbourhood sum of centred values (sum_j w_ij (x_j - xbar))
 * and W: the Ord & Getis (1995) standardized Gi* with S1 = W (binary). */
static double gi_z(double num, double w, const gstats *s)
{
    double n = (double)s->n, var = (n * w - w * w) / (n - 1);
    if (s->n < 2 || s->sd == 0 || !(var > 0))
        return 0;
    return num / (s->sd * sqrt(var));
}

/* ---- fixed distance band: per-row prefix sums -------------------------------- */

/* Half-widths h[d], d = 0..R, of the disc of radius r cells: the cells
 * (d, e) with d^2 + e^2 <= r^2 (1 + BAND_TOL) are those with |e| <= h[d].
 * Returns R (or -1 on allocation failure, *hp NULL). */
static int disc_halfwidths(double r, int **hp)
{
    double r2 = r * r * (1 + BAND_TOL);
    int R = (int)floor(sqrt(r2));
    int *h;
    while ((double)(R + 1) * (R + 1) <= r2)
        R++;
    while (R > 0 && (double)R * R > r2)
        R--;
    h = malloc(((size_t)R + 1) * sizeof *h);
    if (!h) {
        *hp = NULL;
        return -1;
    }
    for (int d = 0; d <= R; d++) {
        double rest = r2 - (double)d * d;
        int e = (int)floor(sqrt(rest));
        while ((double)(e + 1) * (e + 1) <= rest)
            e++;
        while (e > 0 && (double)e * e > rest)
            e--;
        h[d] = e;
    }
    *hp = h;
    return R;
}

/* Row prefix sums of y = mask (x - xbar) and of the mask: row i occupies
 * (ncols + 1) entries, P[i][0] = 0. */
static void row_prefix(const double *x, const unsigned char *mask, int nrows, int ncols,
                       double mean, double *py, int32_t *pm)
{
    for (int i = 0; i < nrows; i++) {
        size_t base = (size_t)i * (size_t)(ncols + 1);
        const size_t row = (size_t)i * (size_t)ncols;
        py[base] = 0;
        pm[base] = 0;
        for (int j = 0; j < ncols; j++) {
            int in = !mask || mask[row + j];
            py[base + j + 1] = py[base + j] + (in ? x[row + j] - mean : 0);
            pm[base + j + 1] = pm[base + j] + in;
        }
    }
}

/* Neighbourhood sums of every cell of row i over the disc: one prefix
 * difference per disc row and cell, so the cost is cells x rows-in-disc, not
 * cells x disc cells. The loop runs disc row by disc row so that each
 * prefix row is read sequentially; the sum order (d = -R..R) is fixed. */
static void band_row(const double *py, const int32_t *pm, int nrows, int ncols, const int *h,
                     int R, int i, double *num, int32_t *w)
{
    for (int j = 0; j < ncols; j++)
        num[j] = 0, w[j] = 0;
    for (int d = -R; d <= R; d++) {
        int ii = i + d, hw = h[d < 0 ? -d : d];
        const double *y;
        const int32_t *m;
        if (ii < 0 || ii >= nrows)
            continue;
        y = py + (size_t)ii * (size_t)(ncols + 1);
        m = pm + (size_t)ii * (size_t)(ncols + 1);
        for (int j = 0; j < ncols; j++) {
            int j0 = j - hw < 0 ? 0 : j - hw;
            int j1 = j + hw >= ncols ? ncols - 1 : j + hw;
            num[j] += y[j1 + 1] - y[j0];
            w[j] += m[j1 + 1] - m[j0];
        }
    }
}

static int nthreads(const rtm_gistar_opts *o)
{
#ifdef _OPENMP
    return o->threads > 0 ? o->threads : omp_get_max_threads();
#else
    (void)o;
    return 1;
#endif
}

/* Neighbourhood sums of y = x - mean (num) and inside-cell counts (w) over
 * the disc of every cell of rows [r0, r1), from x's rows [xr0, xr1) (every
 * row within the band of the strip: a row's sums read only the rows of its
 * disc, each through its own prefix sums, so a strip's bytes are the whole
 * grid's). mask is the whole grid's; numk and wk hold the strip's cells. */
static int band_strip(const rtm_grid *g, const double *x, int xr0, int xr1,
                      const unsigned char *mask, const rtm_gistar_opts *o, double mean, int r0,
                      int r1, double *numk, double *wk, rtm_error *err)
{
    int nr = xr1 - xr0, nc = g->ncols, *h = NULL, failed = 0;
    size_t np = (size_t)nr * ((size_t)nc + 1);
    double *py = malloc(np * sizeof *py);
    int32_t *pm = malloc(np * sizeof *pm);
    /* a band beyond the grid diagonal reaches nothing more: cap it */
    double diag = hypot((double)g->nrows, (double)nc) + 1, r = o->band / g->res;
    int R = disc_halfwidths(r < diag ? r : diag, &h);
    if (!py || !pm || R < 0) {
        free(py), free(pm), free(h);
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (%zu cells)", np);
    }
    row_prefix(x, mask ? mask + (size_t)xr0 * (size_t)nc : NULL, nr, nc, mean, py, pm);
#pragma omp parallel num_threads(nthreads(o))
    {
        double *num = malloc((size_t)nc * sizeof *num);
        int32_t *w = malloc((size_t)nc * sizeof *w);
        if (!num || !w) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int i = r0; i < r1; i++) {
            if (!num || !w)
                continue;
            band_row(py, pm, nr, nc, h, R, i - xr0, num, w);
            for (int j = 0; j < nc; j++) {
                size_t k = (size_t)(i - r0) * (size_t)nc + (size_t)j;
                numk[k] = num[j];
                wk[k] = (double)w[j];
            }
        }
        free(num), free(w);
    }
    free(py), free(pm), free(h);
    if (failed)
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (row scratch)");
    return 0;
}

static int gistar_band(const rtm_grid *g, const double *x, const unsigned char *mask,
                       const rtm_gistar_opts *o, double mean, double *numk, double *wk,
                       rtm_error *err)
{
    return band_strip(g, x, 0, g->nrows, mask, o, mean, 0, g->nrows, numk, wk, err);
}

/* ---- k nearest neighbours: ring search ---------------------------------------- */

typedef struct cand {
    int64_t d2;  /* squared distance in cells */
    size_t k;    /* cell index */
} cand;

typedef struct cbuf {
    cand *v;
    size_t n, cap;
} cbuf;

static int cbuf_push(cbuf *b, int64_t d2, size_t k)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : 64;
        cand *v = realloc(b->v, nc * sizeof *v);
        if (!v)
            return -1;
        b->v = v, b->cap = nc;
    }
    b->v[b->n].d2 = d2;
    b->v[b->n++].k = k;
    return 0;
}

/* Insertion sort by d2 (candidate lists are short: about knn + a ring). */
static void sort_cands(cand *v, size_t n)
{
    for (size_t t = 1; t < n; t++) {
        cand c = v[t];
        size_t u = t;
        while (u > 0 && v[u - 1].d2 > c.d2) {
            v[u] = v[u - 1];
            u--;
        }
        v[u] = c;
    }
}

/* Add the inside cells on the square ring at Chebyshev distance r. */
static int add_ring(const rtm_grid *g, const unsigned char *mask, int i, int j, int r, cbuf *b)
{
    for (int di = -r; di <= r; di++) {
        int ii = i + di, step = (di == -r || di == r) ? 1 : 2 * r;
        if (ii < 0 || ii >= g->nrows)
            continue;
        for (int dj = -r; dj <= r; dj += step) {
            int jj = j + dj;
            size_t k;
            if (jj < 0 || jj >= g->ncols)
                continue;
            k = (size_t)ii * (size_t)g->ncols + (size_t)jj;
            if ((!mask || mask[k]) && cbuf_push(b, (int64_t)di * di + (int64_t)dj * dj, k))
                return -1;
            if (r == 0)
                break;
        }
    }
    return 0;
}

/* Sums over the cell itself and its knn nearest inside cells (ties at the
 * knn-th distance included). Rings are added until the knn-th distance D is
 * known and no farther ring can reach it: ring r + 1 starts at d^2 = (r+1)^2. */
static int knn_sums(const rtm_grid *g, const double *x, const unsigned char *mask,
                    const gstats *s, int i, int j, int knn, cbuf *b, double *num, double *w)
{
    int rmax = g->nrows > g->ncols ? g->nrows : g->ncols;
    int64_t D = INT64_MAX;
    double sum = 0;
    size_t cnt = 0;
    b->n = 0;
    for (int r = 0; r <= rmax; r++) {
        if (add_ring(g, mask, i, j, r, b))
            return -1;
        if (b->n > (size_t)knn) {
            sort_cands(b->v, b->n); /* v[0] is the cell itself */
            D = b->v[knn].d2;
            if ((int64_t)(r + 1) * (r + 1) > D)
                break;
        }
    }
    for (size_t t = 0; t < b->n; t++) {
        if (b->v[t].d2 <= D) {
            sum += x[b->v[t].k] - s->mean;
            cnt++;
        }
    }
    *num = sum;
    *w = (double)cnt;
    return 0;
}

static int knn_strip(const rtm_grid *g, const double *x, const unsigned char *mask,
                     const rtm_gistar_opts *o, double mean, int r0, int r1, double *numk,
                     double *wk, rtm_error *err)
{
    int failed = 0;
    gstats s = {0, mean, 0};
#pragma omp parallel num_threads(nthreads(o))
    {
        cbuf b = {NULL, 0, 0};
#pragma omp for schedule(static)
        for (int i = r0; i < r1; i++) {
            for (int j = 0; j < g->ncols; j++) {
                size_t k = (size_t)i * (size_t)g->ncols + (size_t)j;
                size_t l = k - (size_t)r0 * (size_t)g->ncols;
                numk[l] = 0, wk[l] = 0;
                if (mask && !mask[k])
                    continue;
                if (knn_sums(g, x, mask, &s, i, j, o->knn, &b, &numk[l], &wk[l])) {
#pragma omp atomic write
                    failed = 1;
                }
            }
        }
        free(b.v);
    }
    if (failed)
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (knn search)");
    return 0;
}

static int gistar_knn(const rtm_grid *g, const double *x, const unsigned char *mask,
                      const rtm_gistar_opts *o, double mean, double *numk, double *wk,
                      rtm_error *err)
{
    return knn_strip(g, x, mask, o, mean, 0, g->nrows, numk, wk, err);
}

int rtm_gistar_nbsums(const rtm_grid *g, const double *x, const unsigned char *mask,
                      const rtm_gistar_opts *o, double mean, double *num, double *w,
                      rtm_error *err)
{
    int rc;
    if (!g || !x || !o || !num || !w)
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: NULL grid, values, options or sums");
    if ((rc = rtm_gistar_opts_check(o, g, err)) != 0)
        return rc;
    return o->knn > 0 ? gistar_knn(g, x, mask, o, mean, num, w, err)
                      : gistar_band(g, x, mask, o, mean, num, w, err);
}

double rtm_gistar_zscore(double num, double w, size_t n, double sd)
{
    gstats s = {n, 0, sd};
    return gi_z(num, w, &s);
}

/* ---- p-values, FDR and bins --------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Benjamini & Hochberg (1995) step-up at several levels: for each alpha_l,
 * r = max{ i : p_(i) <= i alpha_l / m }, crit_l = p_(r) (-1 when r = 0).
 * Only p <= max alpha can satisfy it (i/m <= 1), so only those are sorted
 * (once); their ranks among all m p-values are their ranks in the subset. */
static int bh_levels(const double *p, const unsigned char *mask, size_t n, const double *alpha,
                     int nl, double *crit, size_t *nsig)
{
    size_t m = 0, q = 0;
    double amax = 0, *sub;
    for (int l = 0; l < nl; l++)
        amax = alpha[l] > amax ? alpha[l] : amax;
    for (size_t k = 0; k < n; k++)
        if ((!mask || mask[k]) && !isnan(p[k])) {
            m++;
            q += p[k] <= amax;
        }
    sub = malloc((q ? q : 1) * sizeof *sub);
    if (!sub)
        return -1;
    q = 0;
    for (size_t k = 0; k < n; k++)
        if ((!mask || mask[k]) && !isnan(p[k]) && p[k] <= amax)
            sub[q++] = p[k];
    qsort(sub, q, sizeof *sub, cmp_double);
    for (int l = 0; l < nl; l++) {
        size_t r = 0;
        for (size_t t = q; t > 0; t--) {
            if (sub[t - 1] <= (double)t * alpha[l] / (double)m) {
                r = t;
                break;
            }
        }
        crit[l] = r ? sub[r - 1] : -1;
        nsig[l] = r;
    }
    free(sub);
    return 0;
}

int rtm_bh_critical(const double *p, const unsigned char *mask, size_t n, double alpha,
                    double *crit, size_t *nsig, rtm_error *err)
{
    if (!(alpha > 0 && alpha < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: fdr alpha must be in (0, 1) (got %g)",
                             alpha);
    if (bh_levels(p, mask, n, &alpha, 1, crit, nsig))
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (fdr)");
    return 0;
}

int rtm_gistar_bins(const double *z, const double *p, const unsigned char *mask, size_t n,
                    int fdr, signed char *bin, rtm_error *err)
{
    double crit[3] = {level_alpha[0], level_alpha[1], level_alpha[2]};
    size_t ns[3];
    if (fdr && bh_levels(p, mask, n, level_alpha, 3, crit, ns))
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (fdr)");
    for (size_t k = 0; k < n; k++) {
        int lev = 0;
        bin[k] = 0;
        if ((mask && !mask[k]) || isnan(p[k]) || isnan(z[k]))
            continue;
        for (int l = 0; l < 3; l++)
            if (p[k] <= crit[l])
                lev = l + 1;
        bin[k] = (signed char)(z[k] > 0 ? lev : z[k] < 0 ? -lev : 0);
    }
    return 0;
}

/* Two-sided normal p-value: p = erfc(|z| / sqrt 2). */
static void p_values(const double *z, size_t n, double *p, int nt)
{
#pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t k = 0; k < n; k++)
        p[k] = isnan(z[k]) ? NAN : erfc(fabs(z[k]) / sqrt(2.0));
}

/* z of every cell: the neighbourhood sums into z, then z in place. */
static int z_scores(const rtm_grid *g, const double *x, const unsigned char *mask,
                    const rtm_gistar_opts *o, const gstats *s, double *z, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g);
    double *w = malloc((nc ? nc : 1) * sizeof *w);
    int rc;
    if (!w)
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (%zu cells)", nc);
    rc = o->knn > 0 ? gistar_knn(g, x, mask, o, s->mean, z, w, err)
                    : gistar_band(g, x, mask, o, s->mean, z, w, err);
    if (rc == 0)
        for (size_t k = 0; k < nc; k++)
            z[k] = mask && !mask[k] ? NAN : gi_z(z[k], w[k], s);
    free(w);
    return rc;
}

int rtm_gistar(const rtm_grid *g, const double *counts, const unsigned char *mask,
               const rtm_gistar_opts *o, double *z, double *p, signed char *bin,
               rtm_error *err)
{
    gstats s = {0, 0, 0};
    size_t nc;
    double *pp = p;
    int rc;
    if (!g || !counts || !o || !z)
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: NULL grid, counts, options or z");
    if ((rc = rtm_gistar_opts_check(o, g, err)) != 0)
        return rc;
    nc = rtm_grid_ncells(g);
    if ((rc = global_stats(counts, mask, nc, &s, err)) != 0)
        return rc;
    if ((rc = z_scores(g, counts, mask, o, &s, z, err)) != 0)
        return rc;
    if (!p && !bin)
        return 0;
    if (!pp && !(pp = malloc(nc * sizeof *pp)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (%zu cells)", nc);
    p_values(z, nc, pp, nthreads(o));
    rc = bin ? rtm_gistar_bins(z, pp, mask, nc, o->fdr, bin, err) : 0;
    if (pp != p)
        free(pp);
    return rc;
}

/* ---- strips (rtm/tile.h) ------------------------------------------------------- */

int rtm_gistar_stats_sparse(const rtm_grid *g, const unsigned char *mask, const size_t *cell,
                            const double *val, size_t nz, size_t *n, double *mean, double *sd,
                            rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), t = 0, cnt = 0;
    double sum = 0, ss = 0, m;
    for (size_t q = 0; q < nz; q++)
        if (cell[q] >= nc || (q && cell[q] <= cell[q - 1]) || !isfinite(val[q]))
            return rtm_error_set(err, !isfinite(val[q]) ? RTM_ERR_INPUT : RTM_ERR_ARG,
                                 "gistar: count at cell %zu is %s", cell[q],
                                 isfinite(val[q]) ? "out of order" : "not finite");
    /* global_stats' two passes in index order, the cells without events as 0 */
    for (size_t k = 0; k < nc; k++) {
        double x = t < nz && cell[t] == k ? val[t++] : 0.0;
        if (mask && !mask[k])
            continue;
        sum += x;
        cnt++;
    }
    m = cnt ? sum / (double)cnt : 0;
    for (size_t k = 0, u = 0; k < nc; k++) {
        double x = u < nz && cell[u] == k ? val[u++] : 0.0;
        if (!mask || mask[k])
            ss += (x - m) * (x - m);
    }
    *n = cnt;
    *mean = m;
    *sd = cnt ? sqrt(ss / (double)cnt) : 0;
    return 0;
}

void rtm_gistar_strip_rows(const rtm_grid *g, const rtm_gistar_opts *o, int r0, int r1,
                           int *xr0, int *xr1)
{
    int halo = g->nrows;
    if (o->knn == 0) /* rows within the band (one spare: rounding) */
        halo = (int)fmin((double)g->nrows, ceil(o->band / g->res) + 1);
    *xr0 = r0 - halo > 0 ? r0 - halo : 0;
    *xr1 = r1 + halo < g->nrows ? r1 + halo : g->nrows;
}

int rtm_gistar_nbsums_strip(const rtm_grid *g, const double *x, int xr0, int xr1,
                            const unsigned char *mask, const rtm_gistar_opts *o, double mean,
                            int r0, int r1, double *num, double *w, rtm_error *err)
{
    int rc;
    if (!g || !x || !o || !num || !w)
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: NULL grid, values, options or sums");
    if ((rc = rtm_gistar_opts_check(o, g, err)) != 0)
        return rc;
    if (r0 < 0 || r1 <= r0 || r1 > g->nrows || xr0 < 0 || xr1 > g->nrows ||
        (o->knn > 0 ? (xr0 != 0 || xr1 != g->nrows) : (xr0 > r0 || xr1 < r1)))
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: rows %d..%d of values do not cover "
                             "the strip %d..%d", xr0, xr1 - 1, r0, r1 - 1);
    return o->knn > 0 ? knn_strip(g, x, mask, o, mean, r0, r1, num, w, err)
                      : band_strip(g, x, xr0, xr1, mask, o, mean, r0, r1, num, w, err);
}

int rtm_gistar_strip(const rtm_grid *g, const double *x, int xr0, int xr1,
                     const unsigned char *mask, const rtm_gistar_opts *o, size_t n, double mean,
                     double sd, int r0, int r1, double *z, rtm_error *err)
{
    gstats s = {n, mean, sd};
    size_t cells, k0;
    double *w;
    int rc;
    if (!g || r1 <= r0)
        return rtm_error_set(err, RTM_ERR_ARG, "gistar: no grid or an empty strip");
    cells = (size_t)(r1 - r0) * (size_t)g->ncols, k0 = (size_t)r0 * (size_t)g->ncols;
    if (!(w = malloc((cells ? cells : 1) * sizeof *w)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (%zu cells)", cells);
    rc = rtm_gistar_nbsums_strip(g, x, xr0, xr1, mask, o, mean, r0, r1, z, w, err);
    for (size_t k = 0; !rc && k < cells; k++)
        z[k] = mask && !mask[k0 + k] ? NAN : gi_z(z[k], w[k], &s);
    free(w);
    return rc;
}

int rtm_gistar_classify(const double *z, const unsigned char *mask, size_t n, int fdr,
                        int threads, signed char *bin, rtm_error *err)
{
    double *p = malloc((n ? n : 1) * sizeof *p);
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "gistar: out of memory (%zu cells)", n);
#ifdef _OPENMP
    p_values(z, n, p, threads > 0 ? threads : omp_get_max_threads());
#else
    p_values(z, n, p, 1);
#endif
    rc = rtm_gistar_bins(z, p, mask, n, fdr, bin, err);
    free(p);
    return rc;
}
