/* nnstat.c: Clark & Evans (1954) nearest-neighbour index (see rtm/model.h). */
#include "rtm/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/surface.h"

/* Clark & Evans (1954), eq. for the standard error of the mean distance
 * under randomness: 0.26136 / sqrt(n * rho), rho = n / A. */
#define CE_SE_CONST 0.26136

int rtm_nnstat_compute(const double *xy, size_t n, double area, rtm_nnstat *out,
                       rtm_error *err)
{
    double *nn, sum = 0, rho;
    rtm_nnstat s;
    int rc;
    if (n < 2)
        return rtm_error_set(err, RTM_ERR_ARG, "nnstat: need at least 2 points (got %zu)", n);
    if (!(area > 0) || !isfinite(area))
        return rtm_error_set(err, RTM_ERR_ARG, "nnstat: area must be > 0 (got %g)", area);
    nn = malloc(n * sizeof *nn);
    if (!nn)
        return rtm_error_set(err, RTM_ERR_NOMEM, "nnstat: out of memory (%zu points)", n);
    rc = rtm_distance_nearest_neighbours(xy, n, 0, nn, err);
    if (rc) {
        free(nn);
        return rc;
    }
    for (size_t i = 0; i < n; i++) /* fixed order: deterministic sum */
        sum += nn[i];
    free(nn);
    rho = (double)n / area;
    s.n = n;
    s.area = area;
    s.mean_nn = sum / (double)n;
    s.expected_nn = 0.5 / sqrt(rho);            /* Clark & Evans: r_E = 1 / (2 sqrt(rho)) */
    s.ratio = s.mean_nn / s.expected_nn;        /* R = r_A / r_E */
    s.z = (s.mean_nn - s.expected_nn) / (CE_SE_CONST / sqrt((double)n * rho));
    s.p = erfc(fabs(s.z) / sqrt(2.0));          /* two-sided: 2 (1 - Phi(|z|)) */
    *out = s;
    return 0;
}

int rtm_nnstat_prefer_proximity(const rtm_nnstat *s, double max_influence, double alpha)
{
    int clustered = s->ratio < 1 && s->p < alpha;
    return !clustered || s->mean_nn > max_influence;
}

/* Region mask on the grid e (g padded by pad cells): cells whose centre is
 * within reach of the centre of a study-area cell, by the exact distance
 * surface to those centres. Returns the number of region cells, or
 * (size_t)-1 with err set. */
static size_t region_mask(const rtm_grid *g, const unsigned char *mask, const rtm_grid *e,
                          double reach, int threads, unsigned char *in, rtm_error *err)
{
    rtm_features *c = rtm_features_create();
    size_t k, ne = rtm_grid_ncells(e), count = (size_t)-1;
    double *d = malloc(ne * sizeof *d);
    int i, j, rc = !c || !d;
    if (rc)
        rtm_error_set(err, RTM_ERR_NOMEM, "nnstat: out of memory for the study-area region");
    for (i = 0; i < g->nrows && !rc; i++)
        for (j = 0; j < g->ncols && !rc; j++)
            if (!mask || mask[(size_t)i * g->ncols + j])
                rc = rtm_features_add_point(c, rtm_grid_cell_x(g, j), rtm_grid_cell_y(g, i),
                                            err);
    if (!rc && rtm_features_count(c) == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "nnstat: the study area has no cells");
    if (!rc)
        rc = rtm_distance_compute(e, c, reach, threads, d, err);
    if (!rc) {
        count = 0;
        for (k = 0; k < ne; k++)
            count += (in[k] = d[k] <= reach);
    }
    rtm_features_free(c);
    free(d);
    return count;
}

int rtm_nnstat_near_area(const rtm_grid *g, const unsigned char *mask, const double *xy,
                         size_t n, double reach, int threads, rtm_nnstat *out, rtm_error *err)
{
    rtm_grid e = *g;
    double pad = ceil(reach / g->res), *sel = NULL;
    unsigned char *in = NULL;
    size_t k, m = 0, cells;
    int i, j, rc;
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    if (!(reach >= 0) || !isfinite(reach) ||
        ((double)g->ncols + 2 * pad) * ((double)g->nrows + 2 * pad) > 4e8)
        return rtm_error_set(err, RTM_ERR_ARG, "nnstat: reach %g is not >= 0 or too large for "
                             "a grid of %d x %d cells of %g", reach, g->ncols, g->nrows, g->res);
    e.x0 -= pad * g->res;
    e.y0 -= pad * g->res;
    e.ncols += 2 * (int)pad;
    e.nrows += 2 * (int)pad;
    in = malloc(rtm_grid_ncells(&e));
    sel = malloc((n ? 2 * n : 1) * sizeof *sel);
    if (!in || !sel) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "nnstat: out of memory");
        goto done;
    }
    if ((cells = region_mask(g, mask, &e, reach, threads, in, err)) == (size_t)-1) {
        rc = err ? err->code : RTM_ERR_NOMEM;
        goto done;
    }
    for (k = 0; k < n; k++)
        if (!rtm_grid_locate(&e, xy[2 * k], xy[2 * k + 1], &i, &j) &&
            in[(size_t)i * e.ncols + j]) {
            sel[2 * m] = xy[2 * k];
            sel[2 * m + 1] = xy[2 * k + 1];
            m++;
        }
    rc = rtm_nnstat_compute(sel, m, (double)cells * g->res * g->res, out, err);
done:
    free(in);
    free(sel);
    return rc;
}
