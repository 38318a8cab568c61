/* output/label_raster.h (library-private): integer cell labels as an
 * in-memory GDAL raster on a grid, for GDALPolygonize (places_write.c,
 * cells_write.c). */
#ifndef RTM_LABEL_RASTER_H
#define RTM_LABEL_RASTER_H

#include <gdal.h>
#include <ogr_srs_api.h>
#include "rtm/grid.h"

/* label (ncols x nrows, row 0 at the top) as a MEM Int32 raster with g's
 * geotransform and srs (may be NULL); NULL on failure. Close with GDALClose. */
GDALDatasetH rtm_label_raster(const rtm_grid *g, const int *label, OGRSpatialReferenceH srs);

#endif
