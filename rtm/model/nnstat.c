/* nnstat.c: Clark & Evans (1954) nearest-neighbour index (see rtm_nnstat.h). */
#include "rtm/model.h"

#include <math.h>
#include <stdlib.h>

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
