/* rtm_area.h: study areas and zones from polygon files.
 *
 * A study area is a polygon layer (any OGR source) in any CRS. Its extent,
 * transformed to the grid CRS, is snapped outward to multiples of the cell
 * size (GDAL's target-aligned pixels) unless an explicit grid is given; cells
 * whose area touches a polygon are inside (GDAL rasterize ALL_TOUCHED), so the
 * mask matches the RTM convention "cells whose area overlaps the polygon".
 */
#ifndef RTM_AREA_H
#define RTM_AREA_H

#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Build grid and mask from a polygon file. When grid->ncols > 0 on entry the
 *  grid is kept as given (e.g. from --bbox) and only the mask is made; else
 *  the grid is derived from the polygons' extent with cell size res in
 *  dst_crs (res <= 0: ArcGIS's default, min(width, height)/250, whole metres
 *  from 10 up; read it back from grid->res). *mask (ncells bytes, 1 = inside) is malloc'd and owned by the
 *  caller. layer/where may be NULL. *area_m2 (may be NULL) receives the
 *  polygons' area in CRS units². */
int rtm_area_load(const char *path, const char *layer, const char *where, const char *dst_crs,
                  double res, rtm_grid *grid, unsigned char **mask, double *area_units2,
                  rtm_error *err);

/** Zones for per-area outputs: rasterise each polygon of path (layer and
 *  OGR SQL where may be NULL) onto grid
 *  (cell centre rule: a cell belongs to the zone containing its centre; later
 *  features win on overlaps). *zone receives ncells ints (-1 = no zone),
 *  *names nzones strings from name_field (or "zone N"), both caller-owned
 *  (free names with rtm_area_names_free). */
int rtm_area_zones(const char *path, const char *layer, const char *where,
                   const char *name_field, const rtm_grid *grid, int **zone, char ***names,
                   int *nzones, rtm_error *err);
void rtm_area_names_free(char **names, int n);

#ifdef __cplusplus
}
#endif
#endif
