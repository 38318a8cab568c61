/* rtm_nnstat.h: Clark & Evans nearest-neighbour clustering statistic.
 *
 * Clark, P. J. & Evans, F. C. (1954). Distance to nearest neighbor as a
 * measure of spatial relationships in populations. Ecology 35(4), 445-453.
 * For n points in a study area of size A:
 *   mean_nn     = mean over points of the distance to the nearest other point
 *   expected_nn = 0.5 / sqrt(n / A)        (complete spatial randomness)
 *   ratio R     = mean_nn / expected_nn    (R < 1 clustered, 1 random,
 *                                           up to 2.1491 for a hexagonal lattice)
 *   z           = (mean_nn - expected_nn) / se,  se = 0.26136 / sqrt(n^2 / A)
 *   p           = two-sided normal p-value of z.
 * No edge correction is applied (as in Clark & Evans and ArcGIS's Average
 * Nearest Neighbor tool): points near the study-area edge see fewer
 * neighbours, which inflates R slightly for small n.
 * Duplicate points count as distinct points at distance 0.
 */
#ifndef RTM_NNSTAT_H
#define RTM_NNSTAT_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_nnstat {
    size_t n;            /**< number of points */
    double mean_nn;      /**< observed mean nearest-neighbour distance */
    double expected_nn;  /**< 0.5 * sqrt(A / n) */
    double ratio;        /**< R = mean_nn / expected_nn */
    double z;            /**< standard normal deviate */
    double p;            /**< two-sided p-value of z */
} rtm_nnstat;

/** Clark-Evans statistic of n >= 2 points (xy interleaved, finite) in a
 *  study area of size area > 0 (CRS units squared). Nearest neighbours are
 *  found with rtm_distance_nearest_neighbours (exact, bucket search).
 *  On success fills *out and returns 0; otherwise RTM_ERR_ARG (n < 2,
 *  area not > 0), RTM_ERR_INPUT (non-finite coordinate) or RTM_ERR_NOMEM,
 *  leaving *out untouched. Thread safety: reentrant. */
int rtm_nnstat_compute(const double *xy, size_t n, double area, rtm_nnstat *out,
                       rtm_error *err);

/** RTM operationalization rule of thumb (Caplan & Kennedy's RTMDx manual):
 *  prefer Proximity when the features are not significantly clustered
 *  (not (ratio < 1 and p < alpha)) or their mean nearest-neighbour distance
 *  exceeds the maximum spatial influence max_influence; otherwise Density.
 *  Returns 1 for Proximity, 0 for Density. */
int rtm_nnstat_prefer_proximity(const rtm_nnstat *s, double max_influence, double alpha);

#ifdef __cplusplus
}
#endif
#endif
