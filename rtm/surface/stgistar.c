/* stgistar.c: the space-time Getis-Ord Gi* of a cube of counts (Ord & Getis
 * 1995 applied to space-time bins, as Esri's Emerging Hot Spot Analysis:
 * a bin's neighbours are the cells of its spatial neighbourhood in its own
 * and the previous K time steps), whole or by strips of rows (rtm/tile.h):
 * a strip's z are the whole cube's, byte for byte. */
#include "rtm/emerging.h"

#include <math.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct cube_stats {
    size_t n;      /* bins: locations x steps */
    double mean;
    double sd;     /* population SD (divisor n), Ord & Getis 1995 */
} cube_stats;

/* The bins of the cube in order, the zero bins included: bin b = t * nc + k
 * has value val[q] when bin[q] == b (q advancing), else 0. */
typedef struct bin_walk {
    const size_t *bin;
    const double *val;
    size_t nz, q;
} bin_walk;

static double next_bin(bin_walk *w, size_t b)
{
    if (w->q < w->nz && w->bin[w->q] == b)
        return w->val[w->q++];
    return 0.0;
}

/* Two passes over the bins of the mask's cells, step after step and cells
 * in index order (a whole cube: bin = NULL, val = the cube), so the sums are
 * formed in one order however the cube was held. */
static int cube_global(const size_t *bin, const double *val, size_t nz, size_t nc, int T,
                       const unsigned char *mask, cube_stats *s, rtm_error *err)
{
    double sum = 0, ss = 0;
    size_t n = 0;
    bin_walk w = {bin, val, nz, 0};
    for (size_t t = 0, b = 0; t < (size_t)T; t++)
        for (size_t k = 0; k < nc; k++, b++) {
            double x = bin ? next_bin(&w, b) : val[b];
            if (mask && !mask[k])
                continue;
            if (!isfinite(x))
                return rtm_error_set(err, RTM_ERR_INPUT, "stgistar: count at cell %zu, step %zu "
                                     "is not finite", k, t);
            sum += x;
            n++;
        }
    s->n = n;
    s->mean = n ? sum / (double)n : 0;
    w.q = 0;
    for (size_t t = 0, b = 0; t < (size_t)T; t++)
        for (size_t k = 0; k < nc; k++, b++) {
            double x = bin ? next_bin(&w, b) : val[b];
            if (!mask || mask[k]) {
                double d = x - s->mean;
                ss += d * d;
            }
        }
    s->sd = n ? sqrt(ss / (double)n) : 0;
    return 0;
}

int rtm_stgistar_stats_sparse(const rtm_grid *g, int nsteps, const unsigned char *mask,
                              const size_t *bin, const double *val, size_t nz, size_t *n,
                              double *mean, double *sd, rtm_error *err)
{
    size_t nc;
    cube_stats s;
    int rc;
    if (!g || nsteps < 1 || (nz && (!bin || !val)) || !n || !mean || !sd)
        return rtm_error_set(err, RTM_ERR_ARG, "stgistar: need a grid, >= 1 step and bins");
    nc = rtm_grid_ncells(g);
    for (size_t q = 0; q < nz; q++)
        if (bin[q] >= (size_t)nsteps * nc || (q && bin[q] <= bin[q - 1]))
            return rtm_error_set(err, RTM_ERR_ARG, "stgistar: bin %zu out of order", bin[q]);
    if ((rc = cube_global(bin, val, nz, nc, nsteps, mask, &s, err)))
        return rc;
    *n = s.n, *mean = s.mean, *sd = s.sd;
    return 0;
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

/* z[t] holds the spatial sums of step t (strip of sc cells from global cell
 * k0); replace them, latest step first, by the z of the cylinder t-K..t
 * (sums added in increasing t). */
static void cylinder_z(double *z, const double *w, size_t sc, size_t k0, int T, int K,
                       const unsigned char *mask, const cube_stats *s, int nt)
{
    for (int t = T - 1; t >= 0; t--) {
        int t0 = t - K < 0 ? 0 : t - K;
        double steps = (double)(t - t0 + 1);
#pragma omp parallel for schedule(static) num_threads(nt)
        for (size_t k = 0; k < sc; k++) {
            double num = 0;
            if (mask && !mask[k0 + k]) {
                z[(size_t)t * sc + k] = NAN;
                continue;
            }
            for (int u = t0; u <= t; u++)
                num += z[(size_t)u * sc + k];
            z[(size_t)t * sc + k] = rtm_gistar_zscore(num, w[k] * steps, s->n, s->sd);
        }
    }
}

int rtm_stgistar_strip(const rtm_grid *g, const double *cube, int xr0, int xr1, int nsteps,
                       const unsigned char *mask, const rtm_gistar_opts *o, int tsteps,
                       size_t n, double mean, double sd, int r0, int r1, double *z,
                       rtm_error *err)
{
    cube_stats s = {n, mean, sd};
    size_t sc, xc;
    double *w;
    int rc = 0;
    if (!g || !cube || !o || !z || nsteps < 1 || tsteps < 0 || r1 <= r0 || xr1 <= xr0)
        return rtm_error_set(err, RTM_ERR_ARG, "stgistar: need a grid, a cube of >= 1 step, "
                             "options, z, time steps >= 0 and rows (got %d, %d)", nsteps,
                             tsteps);
    sc = (size_t)(r1 - r0) * (size_t)g->ncols;
    xc = (size_t)(xr1 - xr0) * (size_t)g->ncols;
    if (!(w = malloc((sc ? sc : 1) * sizeof *w)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "stgistar: out of memory (%zu cells)", sc);
    for (int t = 0; t < nsteps && rc == 0; t++)
        rc = rtm_gistar_nbsums_strip(g, cube + (size_t)t * xc, xr0, xr1, mask, o, mean, r0, r1,
                                     z + (size_t)t * sc, w, err);
    if (rc == 0)
        cylinder_z(z, w, sc, (size_t)r0 * (size_t)g->ncols, nsteps, tsteps, mask, &s,
                   nthreads(o));
    free(w);
    return rc;
}

int rtm_stgistar(const rtm_grid *g, const double *cube, int nsteps, const unsigned char *mask,
                 const rtm_gistar_opts *o, int tsteps, double *z, rtm_error *err)
{
    cube_stats s;
    int rc;
    if (!g || !cube || !o || !z || nsteps < 1 || tsteps < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "stgistar: need a grid, a cube of >= 1 step, "
                             "options, z and time steps >= 0 (got %d, %d)", nsteps, tsteps);
    if ((rc = rtm_gistar_opts_check(o, g, err)) != 0)
        return rc;
    if ((rc = cube_global(NULL, cube, 0, rtm_grid_ncells(g), nsteps, mask, &s, err)) != 0)
        return rc;
    return rtm_stgistar_strip(g, cube, 0, g->nrows, nsteps, mask, o, tsteps, s.n, s.mean, s.sd,
                              0, g->nrows, z, err);
}
