/* rtm_priority.h: priority places - cells of one class (e.g. the highest risk
 * tier) merged into polygons (8-connected), ranked, written as a GeoPackage
 * or GeoJSON layer. */
#ifndef RTM_PRIORITY_H
#define RTM_PRIORITY_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_place {
    int rank;             /**< 1 = first priority */
    size_t cells;
    double area;          /**< CRS units² */
    double max_score, mean_score;
    double events;        /**< events in the place's cells (counts may be NULL: 0) */
    double cx, cy;        /**< centroid of the cell centres */
} rtm_place;

/** Label the 8-connected regions of cells with flag[k] != 0 and rank them by
 *  maximum score, then events, then size (ties: lowest first cell index).
 *  *label (ncells ints, 0 = none, else rank) and *places (nplaces) are
 *  malloc'd for the caller. score/counts may be NULL. */
int rtm_places_find(const rtm_grid *g, const unsigned char *flag, const double *score,
                    const double *counts, int **label, rtm_place **places, int *nplaces,
                    rtm_error *err);

/** Write the places as polygons (GDALPolygonize of the labels, 8-connected)
 *  with fields rank, cells, area_m2, max_score, mean_score, events to path
 *  (.gpkg -> GeoPackage, .geojson/.json -> GeoJSON), atomically, as the
 *  layer layer_name (e.g. "priority_places", "hot_spots"). */
int rtm_places_write(const char *path, const char *layer_name, const rtm_grid *g, const int *label,
                     const rtm_place *places, int nplaces, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
