/* input/area_points.h (library-private): events assigned to areal units by
 * point in polygon (area.c). */
#ifndef RTM_INPUT_AREA_POINTS_H
#define RTM_INPUT_AREA_POINTS_H

#include <stddef.h>
#include "rtm/error.h"

/* The polygons of path (layer and OGR SQL where may be NULL), in CRS crs,
 * numbered as rtm_area_zones numbers them; zone[i] (n ints, caller-owned)
 * receives the polygon containing point (x[i], y[i]) - a point on a shared
 * boundary goes to the later polygon, as rtm_area_zones' later features win
 * - or -1 for none. *names receives the nzones names from name_field (or
 * "zone N"; free with rtm_area_names_free). Uses GDAL/OGR on the calling
 * thread. Returns 0 or an error naming the file. */
int rtm_area_zones_points(const char *path, const char *layer, const char *where,
                          const char *name_field, const char *crs, const double *x,
                          const double *y, size_t n, int *zone, char ***names, int *nzones,
                          rtm_error *err);

#endif
