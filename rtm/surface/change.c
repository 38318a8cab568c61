/* change.c: the dual kernel density of two periods and the per-cell label
 * permutation test (rtm/change.h has the definitions and their sources). */
#include "rtm/change.h"
#include "surface/change_rng.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TIE_REL 1e-10   /* A values equal within 1e-10 T(c) are ties */

void rtm_change_opts_init(rtm_change_opts *o)
{
    memset(o, 0, sizeof *o);
    rtm_kde_opts_init(&o->kde);
    o->scale_before = o->scale_after = 1;
    o->iterations = 999;
    o->seed = 1;
    o->alpha = 0.05;
}

void rtm_change_surfaces_free(rtm_change_surfaces *r)
{
    if (!r)
        return;
    free(r->before), free(r->after), free(r->difference), free(r->ratio);
    free(r->log_ratio), free(r->count_before), free(r->count_after), free(r->p), free(r->q);
    free(r->cls);
    memset(r, 0, sizeof *r);
}

/* ---- distinct locations ---------------------------------------------------- */

typedef struct { const double *x, *y; } xy_ctx;

static int cmp_xy(const void *a, const void *b, void *arg)
{
    const xy_ctx *c = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (c->x[i] != c->x[j])
        return c->x[i] < c->x[j] ? -1 : 1;
    if (c->y[i] != c->y[j])
        return c->y[i] < c->y[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Pooled events: loc[e] (0..u-1) and the distinct coordinates ux, uy. */
typedef struct perm_data {
    size_t n, u, n_after;
    const double *w;
    const unsigned char *is_after;
    size_t *loc;
    double *ux, *uy;
} perm_data;

static int group_locations(const double *x, const double *y, perm_data *d)
{
    size_t n = d->n, *ord = malloc((n ? n : 1) * sizeof *ord);
    xy_ctx c = {x, y};
    d->loc = malloc((n ? n : 1) * sizeof *d->loc);
    d->ux = malloc((n ? n : 1) * sizeof *d->ux);
    d->uy = malloc((n ? n : 1) * sizeof *d->uy);
    if (!ord || !d->loc || !d->ux || !d->uy) {
        free(ord);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    qsort_r(ord, n, sizeof *ord, cmp_xy, &c);
    d->u = 0;
    for (size_t k = 0; k < n; k++) {
        size_t e = ord[k];
        if (k == 0 || x[e] != d->ux[d->u - 1] || y[e] != d->uy[d->u - 1]) {
            d->ux[d->u] = x[e];
            d->uy[d->u++] = y[e];
        }
        d->loc[e] = d->u - 1;
    }
    free(ord);
    return 0;
}

/* ---- one KDE of weights per location -------------------------------------- */

typedef struct scratch {
    double *wl;             /* u weights per location */
    double *lx, *ly, *lw;   /* the locations with a non-zero weight */
    double *a;              /* ncells */
    size_t *idx;            /* n: permutation of the events */
    unsigned char *mark;    /* n */
} scratch;

static void scratch_free(scratch *s)
{
    free(s->wl), free(s->lx), free(s->ly), free(s->lw), free(s->a), free(s->idx), free(s->mark);
}

static int scratch_alloc(scratch *s, const perm_data *d, size_t ncells)
{
    size_t u = d->u ? d->u : 1, n = d->n ? d->n : 1;
    memset(s, 0, sizeof *s);
    s->wl = malloc(u * sizeof *s->wl);
    s->lx = malloc(u * sizeof *s->lx);
    s->ly = malloc(u * sizeof *s->ly);
    s->lw = malloc(u * sizeof *s->lw);
    s->a = malloc((ncells ? ncells : 1) * sizeof *s->a);
    s->idx = malloc(n * sizeof *s->idx);
    s->mark = malloc(n);
    return s->wl && s->lx && s->ly && s->lw && s->a && s->idx && s->mark ? 0 : -1;
}

/* A = KDE of the events with mark[e] set (weights summed per location in
 * event order, then the locations in their sorted order). */
static int kde_marked(const rtm_grid *g, const perm_data *d, const rtm_kde_opts *ko,
                      scratch *s, rtm_error *err)
{
    size_t m = 0;
    memset(s->wl, 0, d->u * sizeof *s->wl);
    for (size_t e = 0; e < d->n; e++)
        if (s->mark[e])
            s->wl[d->loc[e]] += d->w ? d->w[e] : 1;
    for (size_t k = 0; k < d->u; k++)
        if (s->wl[k] != 0) {
            s->lx[m] = d->ux[k], s->ly[m] = d->uy[k], s->lw[m++] = s->wl[k];
        }
    return rtm_kde_compute(g, s->lx, s->ly, s->lw, m, ko, s->a, err);
}

/* Mark a uniformly random set of n_after events: a partial Fisher-Yates
 * shuffle (Knuth, TAOCP vol. 2, 3.4.2 P) of the smaller period's size. */
static void draw_labels(const perm_data *d, rng *g, scratch *s)
{
    size_t n = d->n, k = d->n_after <= n - d->n_after ? d->n_after : n - d->n_after;
    int flip = k != d->n_after;
    for (size_t i = 0; i < n; i++)
        s->idx[i] = i;
    memset(s->mark, flip, n);
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)rng_below(g, n - i), t = s->idx[i];
        s->idx[i] = s->idx[j], s->idx[j] = t;
        s->mark[s->idx[i]] = !flip;
    }
}

/* ---- the permutation test ---------------------------------------------------- */

typedef struct test_state {
    const rtm_grid *g;
    const perm_data *d;
    const rtm_change_opts *o;
    const double *aobs, *tot;   /* observed A and pooled T per cell */
    size_t nc;                  /* cells of the strip: rows r0 .. r1 - 1 */
    int r0, r1;
    uint32_t *ge, *le;          /* nthreads x nc tallies */
    int nt;
} test_state;

/* Count permutation i into this thread's tallies. */
static int one_permutation(const test_state *ts, int i, scratch *s, const rtm_kde_opts *ko,
                           uint32_t *ge, uint32_t *le, rtm_error *err)
{
    rng r;
    int rc;
    rng_seed(&r, ts->o->seed, (uint64_t)i);
    draw_labels(ts->d, &r, s);
    if ((rc = kde_marked(ts->g, ts->d, ko, s, err)))
        return rc;
    for (size_t c = 0; c < ts->nc; c++)
        if (ts->tot[c] > 0) {
            double tol = TIE_REL * ts->tot[c];
            ge[c] += s->a[c] >= ts->aobs[c] - tol;
            le[c] += s->a[c] <= ts->aobs[c] + tol;
        }
    return 0;
}

/* Every permutation, in parallel; tallies summed per cell (integers: the
 * same for any thread count and schedule). */
static int run_permutations(test_state *ts, uint32_t *ge, uint32_t *le, rtm_error *err)
{
    int fail = 0;
    rtm_error first = {0, ""};
#pragma omp parallel num_threads(ts->nt)
    {
        int t = omp_get_thread_num();
        scratch s;
        rtm_kde_opts ko = ts->o->kde;
        rtm_error e = {0, ""};
        int bad = scratch_alloc(&s, ts->d, ts->nc) ? RTM_ERR_NOMEM : 0;
        ko.threads = 1, ko.progress = NULL;
        ko.units = RTM_UNITS_CELL; /* A is compared with A only: no unit (and no PROJ
                                      look-up of the CRS's unit in every call) */
        ko.row0 = ts->r0, ko.row1 = ts->r1;
        if (bad)
            rtm_error_set(&e, RTM_ERR_NOMEM, "change: out of memory");
#pragma omp for schedule(dynamic, 4)
        for (int i = 0; i < ts->o->iterations; i++)
            if (!bad)
                bad = one_permutation(ts, i, &s, &ko, ts->ge + (size_t)t * ts->nc,
                                      ts->le + (size_t)t * ts->nc, &e);
        if (bad)
#pragma omp critical(rtm_change_fail)
        {
            if (!fail)
                fail = bad, first = e;
        }
        scratch_free(&s);
    }
    if (fail) {
        if (err)
            *err = first;
        return fail;
    }
    for (int t = 0; t < ts->nt; t++)
        for (size_t c = 0; c < ts->nc; c++)
            ge[c] += ts->ge[(size_t)t * ts->nc + c], le[c] += ts->le[(size_t)t * ts->nc + c];
    return 0;
}

/* Observed A and pooled T through the same engine as the permutations. */
static int observed(const test_state *ts, double *aobs, double *tot, rtm_error *err)
{
    scratch s;
    rtm_kde_opts ko = ts->o->kde;
    int rc = scratch_alloc(&s, ts->d, ts->nc) ? rtm_error_set(err, RTM_ERR_NOMEM,
                                                              "change: out of memory") : 0;
    ko.progress = NULL;
    ko.units = RTM_UNITS_CELL; /* as the permutations */
    ko.row0 = ts->r0, ko.row1 = ts->r1;
    if (!rc) {
        memset(s.mark, 1, ts->d->n);
        if (!(rc = kde_marked(ts->g, ts->d, &ko, &s, err)))
            memcpy(tot, s.a, ts->nc * sizeof *tot);
    }
    if (!rc) {
        for (size_t e = 0; e < ts->d->n; e++)
            s.mark[e] = ts->d->is_after[e] != 0;
        if (!(rc = kde_marked(ts->g, ts->d, &ko, &s, err)))
            memcpy(aobs, s.a, ts->nc * sizeof *aobs);
    }
    scratch_free(&s);
    return rc;
}

/* The strip's p-values (NaN: not tested) and the direction of each cell's
 * observed share in the permutation distribution (+1 upper tail, -1 lower,
 * 0 neither) from the tallies. */
static void strip_p(const test_state *ts, const unsigned char *mask, const double *tot,
                    const uint32_t *ge, const uint32_t *le, double *p, double *dir)
{
    size_t k0 = (size_t)ts->r0 * (size_t)ts->g->ncols;
    double b1 = (double)ts->o->iterations + 1;
    for (size_t c = 0; c < ts->nc; c++) {
        double lo = fmin((double)ge[c] + 1, (double)le[c] + 1);
        int in = (!mask || mask[k0 + c]) && tot[c] > 0;
        p[c] = in ? fmin(1, 2 * lo / b1) : NAN;
        dir[c] = ge[c] < le[c] ? 1 : ge[c] > le[c] ? -1 : 0;
    }
}

static int permutation_test(const rtm_grid *g, const unsigned char *mask, perm_data *d,
                            const rtm_change_opts *o, int r0, int r1, double *p, double *dir,
                            rtm_error *err)
{
    size_t nc = (size_t)(r1 - r0) * (size_t)g->ncols;
    int nt = o->kde.threads > 0 ? o->kde.threads : omp_get_max_threads();
    test_state ts = {g, d, o, NULL, NULL, nc, r0, r1, NULL, NULL, nt < 1 ? 1 : nt};
    double *aobs = malloc(nc * sizeof *aobs), *tot = malloc(nc * sizeof *tot);
    uint32_t *ge = calloc(nc, sizeof *ge), *le = calloc(nc, sizeof *le);
    int rc = 0;
    ts.ge = calloc((size_t)ts.nt * nc, sizeof *ts.ge);
    ts.le = calloc((size_t)ts.nt * nc, sizeof *ts.le);
    if (!aobs || !tot || !ge || !le || !ts.ge || !ts.le)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu cells", nc);
    ts.aobs = aobs, ts.tot = tot;
    if (!rc && !(rc = observed(&ts, aobs, tot, err)) && !(rc = run_permutations(&ts, ge, le, err)))
        strip_p(&ts, mask, tot, ge, le, p, dir);
    free(aobs), free(tot), free(ge), free(le), free(ts.ge), free(ts.le);
    return rc;
}

/* ---- the surfaces -------------------------------------------------------------- */

static int alloc_surfaces(rtm_change_surfaces *r, size_t nc)
{
    memset(r, 0, sizeof *r);
    r->before = malloc(nc * sizeof(double)), r->after = malloc(nc * sizeof(double));
    r->difference = malloc(nc * sizeof(double)), r->ratio = malloc(nc * sizeof(double));
    r->log_ratio = malloc(nc * sizeof(double));
    r->count_before = calloc(nc, sizeof(double)), r->count_after = calloc(nc, sizeof(double));
    r->cls = calloc(nc, 1);
    return r->before && r->after && r->difference && r->ratio && r->log_ratio &&
           r->count_before && r->count_after && r->cls ? 0 : -1;
}

/* The KDE and the counts of one period (events with is_after == which). */
static int period_kde(const rtm_grid *g, const double *x, const double *y, const double *w,
                      const unsigned char *is_after, size_t n, int which,
                      const rtm_kde_opts *ko0, int r0, int r1, double *kde, double *count,
                      rtm_error *err)
{
    rtm_kde_opts ko1 = *ko0, *ko = &ko1;
    size_t m = 0;
    double *px = malloc((n ? n : 1) * sizeof *px), *py = malloc((n ? n : 1) * sizeof *py);
    double *pw = malloc((n ? n : 1) * sizeof *pw);
    int rc = 0;
    if (!px || !py || !pw)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu events", n);
    for (size_t i = 0; !rc && i < n; i++)
        if ((is_after[i] != 0) == which)
            px[m] = x[i], py[m] = y[i], pw[m++] = w ? w[i] : 1;
    ko1.row0 = r0, ko1.row1 = r1;
    if (!rc && !(rc = rtm_kde_compute(g, px, py, pw, m, ko, kde, err)))
        rtm_bin_points_rows(g, px, py, pw, m, r0, r1, count);
    free(px), free(py), free(pw);
    return rc;
}

/* Options and events both steps check alike; *na: events after. */
static int check_input(const unsigned char *is_after, size_t n, const rtm_change_opts *o,
                       size_t *na, rtm_error *err)
{
    *na = 0;
    for (size_t i = 0; i < n; i++)
        *na += is_after[i] != 0;
    if (*na == 0 || *na == n)
        return rtm_error_set(err, RTM_ERR_INPUT, "change: no event in the %s period",
                             *na == 0 ? "after" : "before");
    if (!(o->iterations >= 0) || !(o->alpha > 0 && o->alpha < 1) ||
        !(o->scale_before > 0) || !(o->scale_after > 0))
        return rtm_error_set(err, RTM_ERR_ARG, "change: bad options (iterations %d, alpha %g, "
                             "scales %g, %g)", o->iterations, o->alpha, o->scale_before,
                             o->scale_after);
    return 0;
}

int rtm_change_strip(const rtm_grid *g, const unsigned char *mask, const double *x,
                     const double *y, const double *w, const unsigned char *is_after, size_t n,
                     const rtm_change_opts *o, int r0, int r1, double *bands, rtm_error *err)
{
    size_t nc = (size_t)(r1 - r0) * (size_t)g->ncols, na;
    perm_data d = {n, 0, 0, w, is_after, NULL, NULL, NULL};
    double *b[RTM_CHANGE_NBANDS];
    int rc;
    for (int k = 0; k < RTM_CHANGE_NBANDS; k++)
        b[k] = bands + (size_t)k * nc;
    if ((rc = check_input(is_after, n, o, &na, err)))
        return rc;
    if (r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "change: rows %d..%d are not a strip of the %d "
                             "rows", r0, r1 - 1, g->nrows);
    d.n_after = na;
    if ((rc = period_kde(g, x, y, w, is_after, n, 0, &o->kde, r0, r1, b[RTM_CHANGE_BAND_BEFORE],
                         b[RTM_CHANGE_BAND_COUNT_BEFORE], err)) ||
        (rc = period_kde(g, x, y, w, is_after, n, 1, &o->kde, r0, r1, b[RTM_CHANGE_BAND_AFTER],
                         b[RTM_CHANGE_BAND_COUNT_AFTER], err)))
        return rc;
    for (size_t c = 0; c < nc; c++)
        b[RTM_CHANGE_BAND_P][c] = NAN, b[RTM_CHANGE_BAND_DIR][c] = 0;
    if (o->iterations == 0)
        return 0;
    if (group_locations(x, y, &d))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu events", n);
    if (!rc)
        rc = permutation_test(g, mask, &d, o, r0, r1, b[RTM_CHANGE_BAND_P],
                              b[RTM_CHANGE_BAND_DIR], err);
    free(d.loc), free(d.ux), free(d.uy);
    return rc;
}

/* Scaled periods, difference, ratio and log ratio; NaN outside the mask. */
static void derive(const rtm_grid *g, const unsigned char *mask, const rtm_change_opts *o,
                   rtm_change_surfaces *r)
{
    size_t nc = rtm_grid_ncells(g);
    for (size_t c = 0; c < nc; c++) {
        double b = r->before[c] * o->scale_before, a = r->after[c] * o->scale_after;
        if (mask && !mask[c]) {
            r->before[c] = r->after[c] = r->difference[c] = r->ratio[c] = NAN;
            r->log_ratio[c] = r->count_before[c] = r->count_after[c] = NAN;
            continue;
        }
        r->before[c] = b, r->after[c] = a;
        r->difference[c] = a - b;
        r->ratio[c] = b > 0 ? a / b : NAN;
        r->log_ratio[c] = b > 0 && a > 0 ? log(a / b) : NAN;
    }
}

/* BH q and the classes from the whole grid's p and directions. */
static int classes(const rtm_grid *g, const rtm_change_opts *o, const double *dir,
                   rtm_change_surfaces *r, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g);
    int rc;
    for (size_t c = 0; c < nc; c++)
        r->ntested += !isnan(r->p[c]);
    if ((rc = rtm_p_adjust(r->p, nc, RTM_PADJ_BH, r->q, err)))
        return rc;
    for (size_t c = 0; c < nc; c++) {
        r->cls[c] = 0;
        if (!isnan(r->q[c]) && r->q[c] <= o->alpha && dir[c] != 0)
            r->cls[c] = dir[c] > 0 ? 1 : -1; /* observed in the upper tail: a rise */
        r->nup += r->cls[c] > 0, r->ndown += r->cls[c] < 0;
    }
    return 0;
}

int rtm_change_finish(const rtm_grid *g, const unsigned char *mask, const double *x,
                      const double *y, size_t n, const rtm_change_opts *o, const double *bands,
                      rtm_change_surfaces *r, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), sz = nc * sizeof(double);
    perm_data d = {n, 0, 0, NULL, NULL, NULL, NULL, NULL};
    int rc = 0;
    if (alloc_surfaces(r, nc))
        return rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu cells", nc);
    memcpy(r->before, bands + RTM_CHANGE_BAND_BEFORE * nc, sz);
    memcpy(r->after, bands + RTM_CHANGE_BAND_AFTER * nc, sz);
    memcpy(r->count_before, bands + RTM_CHANGE_BAND_COUNT_BEFORE * nc, sz);
    memcpy(r->count_after, bands + RTM_CHANGE_BAND_COUNT_AFTER * nc, sz);
    derive(g, mask, o, r);
    if (o->iterations == 0)
        return 0;
    r->p = malloc(sz);
    r->q = malloc(sz);
    if (!r->p || !r->q || group_locations(x, y, &d))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu cells", nc);
    r->nlocations = d.u;
    free(d.loc), free(d.ux), free(d.uy);
    if (rc)
        return rc;
    memcpy(r->p, bands + RTM_CHANGE_BAND_P * nc, sz);
    return classes(g, o, bands + RTM_CHANGE_BAND_DIR * nc, r, err);
}

int rtm_change_compute(const rtm_grid *g, const unsigned char *mask, const double *x,
                       const double *y, const double *w, const unsigned char *is_after,
                       size_t n, const rtm_change_opts *o, rtm_change_surfaces *r,
                       rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g);
    double *bands = malloc(nc * RTM_CHANGE_NBANDS * sizeof *bands);
    int rc;
    memset(r, 0, sizeof *r);
    if (!bands)
        return rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu cells", nc);
    rc = rtm_change_strip(g, mask, x, y, w, is_after, n, o, 0, g->nrows, bands, err);
    if (!rc)
        rc = rtm_change_finish(g, mask, x, y, n, o, bands, r, err);
    free(bands);
    return rc;
}
