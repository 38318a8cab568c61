/* rtm_features.h: an in-memory collection of risk-factor geometries.
 *
 * A feature is a point, a polyline or a polygon (an exterior ring plus holes),
 * with coordinates in the grid CRS. The collection stores what the distance
 * and density code needs: the point features as an interleaved xy array, and
 * every line and ring edge as a segment (x0, y0, x1, y1) tagged with the
 * polygon it bounds (or -1 for polyline segments). There is no file I/O here:
 * the OGR loader fills a collection with the rtm_features_add_* calls, one
 * call per part of a multi-geometry (each part then counts as a feature).
 *
 * Polygon rule: the rings of one polygon combine by the even-odd rule (a
 * point is inside when a ray from it crosses the polygon's rings an odd number
 * of times), so ring 0 is the exterior, rings 1.. are holes, and an island in
 * a hole is inside again only if given as a separate polygon. Separate
 * polygons combine by union (inside any of them is inside).
 *
 * Thread safety: a collection may be read from several threads at once; the
 * add calls must not run concurrently with anything else on the same object.
 */
#ifndef RTM_FEATURES_H
#define RTM_FEATURES_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_features rtm_features; /* opaque */

/** Create an empty collection. Returns NULL when out of memory.
 *  Free with rtm_features_free. */
rtm_features *rtm_features_create(void);

/** Free a collection and everything it owns (NULL is a no-op). */
void rtm_features_free(rtm_features *f);

/** Add a point feature. Coordinates must be finite.
 *  Returns 0, RTM_ERR_INPUT (non-finite) or RTM_ERR_NOMEM; on failure the
 *  collection is unchanged. */
int rtm_features_add_point(rtm_features *f, double x, double y, rtm_error *err);

/** Add a polyline of n >= 2 vertices (xy interleaved, 2*n doubles, copied).
 *  Consecutive equal vertices give zero-length segments, which are kept and
 *  act as points. Returns 0, RTM_ERR_INPUT (n < 2 or a non-finite
 *  coordinate) or RTM_ERR_NOMEM; on failure the collection is unchanged. */
int rtm_features_add_line(rtm_features *f, const double *xy, size_t n, rtm_error *err);

/** Add a polygon of nrings >= 1 rings: rings_xy[r] holds ring_n[r] vertices
 *  (xy interleaved, copied); ring 0 is the exterior, the others are holes
 *  (even-odd rule, see above). Each ring needs >= 3 vertices; it is closed
 *  implicitly (a repeated first vertex at the end is accepted and skipped).
 *  Returns 0, RTM_ERR_INPUT or RTM_ERR_NOMEM; on failure the collection is
 *  unchanged. */
int rtm_features_add_polygon(rtm_features *f, const double *const *rings_xy,
                             const size_t *ring_n, int nrings, rtm_error *err);

/** Number of features (a polygon with holes counts 1, a polyline counts 1). */
size_t rtm_features_count(const rtm_features *f);

/** Number of point features and their coordinates (2 doubles each,
 *  interleaved x, y; owned by the collection, valid until the next add).
 *  The pointer may be NULL when there are no points. */
size_t rtm_features_npoints(const rtm_features *f);
const double *rtm_features_points_xy(const rtm_features *f);

/** Number of segments (polyline segments plus polygon ring edges) and their
 *  coordinates, 4 doubles each (x0, y0, x1, y1); owned by the collection,
 *  valid until the next add. May be NULL when there are none. */
size_t rtm_features_nsegments(const rtm_features *f);
const double *rtm_features_segments_xy(const rtm_features *f);

/** For each segment, the index (0..npolygons-1) of the polygon whose ring it
 *  belongs to, or -1 for a polyline segment. Owned by the collection. */
const long *rtm_features_segment_polygon(const rtm_features *f);

/** Number of polygon features. */
size_t rtm_features_npolygons(const rtm_features *f);

/** Bounding box of all geometry: out = {xmin, ymin, xmax, ymax}.
 *  Returns 0, or -1 (out untouched) when the collection is empty. */
int rtm_features_bbox(const rtm_features *f, double out[4]);

/** Representative points for kernel density of a factor.
 *
 *  Point features are returned as they are. Polylines and polygon boundaries
 *  are represented by points spaced at most `spacing` apart along them: every
 *  vertex, plus evenly spaced points on each segment longer than `spacing`
 *  (a segment of length L gets ceil(L/spacing)-1 interior points). Polygon
 *  interiors are not filled: a polygon's density is that of its boundary.
 *  Use spacing = res/2 for a grid of cell size res. Each point carries unit
 *  weight, so a long line weighs more than a short one.
 *
 *  On success *xy_out receives a malloc'd array of 2 * *n_out doubles (the
 *  caller frees it; NULL when *n_out == 0). Returns 0, RTM_ERR_ARG (spacing
 *  not > 0) or RTM_ERR_NOMEM. */
int rtm_features_sample_points(const rtm_features *f, double spacing, double **xy_out,
                               size_t *n_out, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
