/* stgistar.c: the space-time Getis-Ord Gi* of a cube of counts (Ord & Getis
 * 1995 applied to space-time bins, as Esri's Emerging Hot Spot Analysis:
 * a bin's neighbours are the cells of its spatial neighbourhood in its own
 * and the previous K time steps). */
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

/* Two-pass mean and SD over the bins of the mask's cells, in index order. */
static int cube_global(const double *cube, size_t nc, int T, const unsigned char *mask,
                       cube_stats *s, rtm_error *err)
{
    double sum = 0, ss = 0;
    size_t n = 0;
    for (int t = 0; t < T; t++)
        for (size_t k = 0; k < nc; k++) {
            double x = cube[(size_t)t * nc + k];
            if (mask && !mask[k])
                continue;
            if (!isfinite(x))
                return rtm_error_set(err, RTM_ERR_INPUT, "stgistar: count at cell %zu, step %d "
                                     "is not finite", k, t);
            sum += x;
            n++;
        }
    s->n = n;
    s->mean = n ? sum / (double)n : 0;
    for (int t = 0; t < T; t++)
        for (size_t k = 0; k < nc; k++)
            if (!mask || mask[k]) {
                double d = cube[(size_t)t * nc + k] - s->mean;
                ss += d * d;
            }
    s->sd = n ? sqrt(ss / (double)n) : 0;
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

/* z[t] holds the spatial sums of step t; replace them, latest step first,
 * by the z of the cylinder t-K..t (sums added in increasing t). */
static void cylinder_z(double *z, const double *w, size_t nc, int T, int K,
                       const unsigned char *mask, const cube_stats *s, int nt)
{
    for (int t = T - 1; t >= 0; t--) {
        int t0 = t - K < 0 ? 0 : t - K;
        double steps = (double)(t - t0 + 1);
#pragma omp parallel for schedule(static) num_threads(nt)
        for (size_t k = 0; k < nc; k++) {
            double num = 0;
            if (mask && !mask[k]) {
                z[(size_t)t * nc + k] = NAN;
                continue;
            }
            for (int u = t0; u <= t; u++)
                num += z[(size_t)u * nc + k];
            z[(size_t)t * nc + k] = rtm_gistar_zscore(num, w[k] * steps, s->n, s->sd);
        }
    }
}

int rtm_stgistar(const rtm_grid *g, const double *cube, int nsteps, const unsigned char *mask,
                 const rtm_gistar_opts *o, int tsteps, double *z, rtm_error *err)
{
    cube_stats s;
    size_t nc;
    double *w;
    int rc;
    if (!g || !cube || !o || !z || nsteps < 1 || tsteps < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "stgistar: need a grid, a cube of >= 1 step, "
                             "options, z and time steps >= 0 (got %d, %d)", nsteps, tsteps);
    if ((rc = rtm_gistar_opts_check(o, g, err)) != 0)
        return rc;
    nc = rtm_grid_ncells(g);
    if ((rc = cube_global(cube, nc, nsteps, mask, &s, err)) != 0)
        return rc;
    if (!(w = malloc((nc ? nc : 1) * sizeof *w)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "stgistar: out of memory (%zu cells)", nc);
    for (int t = 0; t < nsteps && rc == 0; t++)
        rc = rtm_gistar_nbsums(g, cube + (size_t)t * nc, mask, o, s.mean, z + (size_t)t * nc,
                               w, err);
    if (rc == 0)
        cylinder_z(z, w, nc, nsteps, tsteps, mask, &s, nthreads(o));
    free(w);
    return rc;
}
