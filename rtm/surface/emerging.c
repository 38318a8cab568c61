/* emerging.c: the analysis of a space-time cube (rtm/emerging.h): space-time
 * Gi*, significance with an optional FDR correction, the Mann-Kendall trend of
 * each location and its category. */
#include "rtm/emerging.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_STEPS 1024

void rtm_emerging_opts_init(rtm_emerging_opts *o)
{
    memset(o, 0, sizeof *o);
    rtm_gistar_opts_init(&o->gi);
    o->gi.fdr = 1;
    o->time_steps = 1;
    o->alpha = 0.10;
    o->scheme = RTM_SCHEME_ESRI;
}

void rtm_emerging_cells_free(rtm_emerging_cells *c)
{
    if (!c)
        return;
    free(c->z), free(c->p), free(c->sig), free(c->trend_z), free(c->trend_p);
    free(c->count_z), free(c->count_p), free(c->code);
    memset(c, 0, sizeof *c);
}

/* The cells' arrays; z given (NULL: allocated). */
static int alloc_cells(rtm_emerging_cells *c, int T, size_t nc, double *z)
{
    size_t nb = (size_t)T * nc;
    memset(c, 0, sizeof *c);
    c->nsteps = T;
    c->ncells = nc;
    c->z = z ? z : malloc((nb ? nb : 1) * sizeof *c->z);
    c->p = malloc((nb ? nb : 1) * sizeof *c->p);
    c->sig = malloc(nb ? nb : 1);
    c->trend_z = malloc((nc ? nc : 1) * sizeof(double));
    c->trend_p = malloc((nc ? nc : 1) * sizeof(double));
    c->count_z = malloc((nc ? nc : 1) * sizeof(double));
    c->count_p = malloc((nc ? nc : 1) * sizeof(double));
    c->code = calloc(nc ? nc : 1, 1);
    return c->z && c->p && c->sig && c->trend_z && c->trend_p && c->count_z && c->count_p &&
           c->code ? 0 : -1;
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

/* p-values (two-sided normal: erfc(|z|/sqrt 2)), the threshold, and the
 * significant bins. */
static int significance(rtm_emerging_cells *c, const rtm_emerging_opts *o, rtm_error *err)
{
    size_t nb = (size_t)c->nsteps * c->ncells, ns;
    double crit = o->alpha;
    for (size_t b = 0; b < nb; b++)
        c->p[b] = isnan(c->z[b]) ? NAN : erfc(fabs(c->z[b]) / sqrt(2.0));
    if (o->gi.fdr && rtm_bh_critical(c->p, NULL, nb, o->alpha, &crit, &ns, err))
        return err ? err->code : RTM_ERR_NOMEM;
    c->crit_p = crit;
    for (size_t b = 0; b < nb; b++)
        c->sig[b] = (signed char)(!isnan(c->p[b]) && c->p[b] <= crit && c->z[b] != 0
                                  ? (c->z[b] > 0 ? 1 : -1) : 0);
    return 0;
}

/* Trend and category of one location k (series gathered into scratch). */
static void classify_cell(rtm_emerging_cells *c, const double *cube, const rtm_emerging_opts *o,
                          size_t k, double *zs, double *xs, signed char *ss)
{
    int T = c->nsteps, trend;
    rtm_mk mk, mc;
    for (int t = 0; t < T; t++) {
        size_t b = (size_t)t * c->ncells + k;
        zs[t] = c->z[b];
        xs[t] = cube[b];
        ss[t] = c->sig[b];
    }
    if (rtm_mann_kendall(zs, T, &mk, NULL) || rtm_mann_kendall(xs, T, &mc, NULL)) {
        mk.z = mc.z = 0, mk.p = mc.p = 1;
    }
    c->trend_z[k] = mk.z, c->trend_p[k] = mk.p;
    c->count_z[k] = mc.z, c->count_p[k] = mc.p;
    trend = mk.p <= o->alpha && mk.z != 0 ? (mk.z > 0 ? 1 : -1) : 0;
    c->code[k] = (signed char)(o->scheme == RTM_SCHEME_SFHOTSPOT ? rtm_sfh_classify(ss, T)
                                                                 : rtm_ehsa_classify(ss, T, trend));
}

static void classify_all(rtm_emerging_cells *c, const double *cube,
                         const unsigned char *loc, const rtm_emerging_opts *o)
{
    size_t nc = c->ncells;
#pragma omp parallel num_threads(nthreads(&o->gi))
    {
        double zs[MAX_STEPS], xs[MAX_STEPS];
        signed char ss[MAX_STEPS];
#pragma omp for schedule(static)
        for (size_t k = 0; k < nc; k++) {
            if (loc && !loc[k]) {
                c->trend_z[k] = c->trend_p[k] = c->count_z[k] = c->count_p[k] = NAN;
                c->code[k] = 0;
                continue;
            }
            classify_cell(c, cube, o, k, zs, xs, ss);
        }
    }
}

static int check_args(const rtm_grid *g, const double *cube, int nsteps,
                      const rtm_emerging_opts *o, const rtm_emerging_cells *out, rtm_error *err)
{
    if (!g || !cube || !o || !out)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: NULL grid, cube, options or output");
    if (nsteps < 2 || nsteps > MAX_STEPS)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: need 2..%d time steps (got %d)",
                             MAX_STEPS, nsteps);
    if (!(o->alpha > 0 && o->alpha < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: alpha must be in (0, 1) (got %g)",
                             o->alpha);
    return 0;
}

/* Significance, trends and categories of c (its z filled). */
static int finish_cells(rtm_emerging_cells *c, const double *cube,
                        const unsigned char *locations, const rtm_emerging_opts *o,
                        rtm_error *err)
{
    int rc = significance(c, o, err);
    if (rc)
        return rc;
    classify_all(c, cube, locations, o);
    for (size_t k = 0; k < c->ncells; k++)
        c->locations += !locations || locations[k];
    return 0;
}

int rtm_emerging_finish(const rtm_grid *g, const double *cube, int nsteps,
                        const unsigned char *locations, const rtm_emerging_opts *o, double *z,
                        rtm_emerging_cells *out, rtm_error *err)
{
    rtm_emerging_cells c;
    int rc;
    if (!z)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: no z-scores");
    if ((rc = check_args(g, cube, nsteps, o, out, err))) {
        free(z);
        return rc;
    }
    if (alloc_cells(&c, nsteps, rtm_grid_ncells(g), z)) {
        rtm_emerging_cells_free(&c);
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory (%d x %zu bins)",
                             nsteps, rtm_grid_ncells(g));
    }
    if ((rc = finish_cells(&c, cube, locations, o, err))) {
        rtm_emerging_cells_free(&c);
        return rc;
    }
    *out = c;
    return 0;
}

int rtm_emerging_analyse(const rtm_grid *g, const double *cube, int nsteps,
                         const unsigned char *locations, const rtm_emerging_opts *o,
                         rtm_emerging_cells *out, rtm_error *err)
{
    rtm_emerging_cells c;
    int rc;
    if ((rc = check_args(g, cube, nsteps, o, out, err)))
        return rc;
    if (alloc_cells(&c, nsteps, rtm_grid_ncells(g), NULL)) {
        rtm_emerging_cells_free(&c);
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory (%d x %zu bins)",
                             nsteps, rtm_grid_ncells(g));
    }
    rc = rtm_stgistar(g, cube, nsteps, locations, &o->gi, o->time_steps, c.z, err);
    if (rc == 0)
        rc = finish_cells(&c, cube, locations, o, err);
    if (rc) {
        rtm_emerging_cells_free(&c);
        return rc;
    }
    *out = c;
    return 0;
}
