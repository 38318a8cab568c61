/* rtm_distance.h: exact Euclidean distance surfaces to risk-factor features.
 *
 * rtm_distance_compute gives, for every cell centre of a grid, the Euclidean
 * distance to the nearest feature geometry of a collection (rtm_features.h):
 * a point, a polyline segment or a polygon boundary edge, with 0 for a cell
 * centre inside a polygon. Proximity(d) of the RTM method is then simply
 * "distance <= d".
 *
 * Exact: each value is sqrt(min over the primitives that can be nearest of
 * the squared distance), the squared distance to a segment being taken to
 * its closest point (projection of the centre clamped to the segment). The
 * primitives are never clipped to the grid: features just outside the grid
 * still count. Cost is not cells x primitives: the primitives go into a
 * uniform bucket grid; each 64 x 64-cell tile finds its nearest primitive by
 * an expanding-ring bucket search, gathers the primitives that can be
 * nearest to any of its cells, and a quadtree refinement narrows that list
 * down to a few per cell. Polygon inside-ness is computed per row by a
 * scanline crossing test over the polygon edges.
 *
 * For Proximity(d) at several distances, compute the surface once with
 * max_dist = the largest d and compare each cell with each d.
 */
#ifndef RTM_DISTANCE_H
#define RTM_DISTANCE_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_features.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Distance from every cell centre of g to the nearest geometry of f.
 *
 *  g         the grid (checked with rtm_grid_check).
 *  f         the features (read only); an empty collection is allowed and
 *            gives +INFINITY everywhere.
 *  max_dist  search radius, >= 0, or INFINITY for none. Cells whose nearest
 *            feature is farther than max_dist get +INFINITY; the others get
 *            their exact distance (so a finite max_dist only saves time).
 *  threads   OpenMP threads, <= 0 for the OpenMP default. The output bytes
 *            are the same for every thread count.
 *  out       caller-allocated, rtm_grid_ncells(g) doubles, row 0 north
 *            (index i*ncols + j). Its contents are unspecified on failure.
 *
 *  Inside a polygon (even-odd rule over the polygon's rings, union over
 *  polygons; see rtm_features.h) the value is 0. A centre exactly on a
 *  boundary has distance 0 either way.
 *  Returns 0, RTM_ERR_ARG (bad grid or max_dist) or RTM_ERR_NOMEM.
 *  Thread safety: reentrant; f may be shared by concurrent calls. */
int rtm_distance_compute(const rtm_grid *g, const rtm_features *f, double max_dist,
                         int threads, double *out, rtm_error *err);

/** Nearest-neighbour distance of each of n points among the others.
 *
 *  xy        n points, interleaved x, y (finite), read only.
 *  n         >= 2.
 *  threads   as above; the result does not depend on it.
 *  nn_out    caller-allocated, n doubles: nn_out[i] = min over k != i of the
 *            Euclidean distance between points i and k. Duplicate points are
 *            distinct points at distance 0 from each other.
 *  Returns 0, RTM_ERR_ARG (n < 2), RTM_ERR_INPUT (non-finite coordinate) or
 *  RTM_ERR_NOMEM. Uses the same bucket search as rtm_distance_compute. */
int rtm_distance_nearest_neighbours(const double *xy, size_t n, int threads, double *nn_out,
                                    rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
