/* rtm_layer.h: risk-factor layers (points, lines, polygons) loaded from any
 * OGR source into an rtm_features collection in the grid CRS.
 *
 * Features are loaded from the whole file, not clipped to the study area, so
 * features just outside still count (edge effects). CSVs with coordinate
 * columns are read as points exactly as events are (rtm_points_load), so the
 * same column names, CRS rules and skip reasons apply.
 */
#ifndef RTM_LAYER_H
#define RTM_LAYER_H

#include "rtm_error.h"
#include "rtm_features.h"
#include "rtm_points.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Append the features of path to f, transformed to o->dst_crs (o->area_grid
 *  and weights are ignored). Multi-geometries are split; geometry collections
 *  contribute their parts. Counts go to st. Returns 0 or an error naming the
 *  file (and feature for geometries that cannot be transformed). */
int rtm_layer_load(rtm_features *f, const char *path, const rtm_load_opts *o,
                   rtm_load_stats *st, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
