/* rtm/grid.h: the raster grid and the in-memory surface.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_GRID_H
#define RTM_GRID_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== grid: the raster grid (georeferencing) and the in-memory surface.
 *
 * Conventions used everywhere in rtm:
 *  - square cells of side `res` in CRS units (metres for projected CRSs);
 *  - (x0, y0) is the lower-left corner of the grid;
 *  - rows run north to south (row 0 is the top row, as in GeoTIFF), columns
 *    west to east; cell (row i, col j) is stored at index i*ncols + j;
 *  - the centre of cell (i, j) is x = x0 + (j + 0.5) res,
 *    y = y0 + (nrows - i - 0.5) res  (rtm_grid_cell_x / rtm_grid_cell_y).
 */
#define RTM_CRS_MAX 4096

/** A grid specification (a plain value: copy it freely). */
typedef struct rtm_grid {
    double x0, y0;          /**< lower-left corner */
    double res;             /**< cell size, > 0 */
    int ncols, nrows;       /**< > 0 */
    char crs[RTM_CRS_MAX];  /**< CRS as user input ("EPSG:27700") or WKT; "" = unknown */
} rtm_grid;

/** Cell-centre coordinates. */
static inline double rtm_grid_cell_x(const rtm_grid *g, int j)
{
    return g->x0 + ((double)j + 0.5) * g->res;
}
static inline double rtm_grid_cell_y(const rtm_grid *g, int i)
{
    return g->y0 + ((double)(g->nrows - i) - 0.5) * g->res;
}
/** Number of cells (no overflow check: use rtm_grid_check first). */
static inline size_t rtm_grid_ncells(const rtm_grid *g)
{
    return (size_t)g->ncols * (size_t)g->nrows;
}

/** Validate a grid (positive size, finite corner, cell count fits memory).
 *  Returns 0 or RTM_ERR_ARG with a message. */
int rtm_grid_check(const rtm_grid *g, rtm_error *err);

/** Grid from an exact bounding box: cells start at (xmin, ymin); the number
 *  of columns/rows is ceil(extent / res) (the last column/row may extend past
 *  xmax/ymax when the extent is not a multiple of res). crs may be NULL. */
int rtm_grid_from_bbox(rtm_grid *out, double xmin, double ymin, double xmax,
                       double ymax, double res, const char *crs, rtm_error *err);

/** Grid from an extent snapped outward to multiples of res (GDAL's -tap:
 *  xmin = floor(xmin/res)*res, xmax = ceil(xmax/res)*res, same for y). */
int rtm_grid_from_extent_tap(rtm_grid *out, double xmin, double ymin, double xmax,
                             double ymax, double res, const char *crs, rtm_error *err);

/** Locate the cell containing (x, y); returns 0 and sets *i, *j when inside,
 *  -1 when outside the grid. Points on the east/north outer edge are outside;
 *  on an inner edge they belong to the cell to the east/south... precisely:
 *  j = floor((x - x0)/res), i = floor((ytop - y)/res). */
int rtm_grid_locate(const rtm_grid *g, double x, double y, int *i, int *j);

/** A surface: a grid plus one double per cell and an optional mask.
 *  mask[k] != 0 means cell k is inside the study area; mask == NULL means
 *  every cell is inside. Cells outside the study area are nodata. */
typedef struct rtm_surface {
    rtm_grid grid;
    double *v;             /**< ncells values, owned */
    unsigned char *mask;   /**< ncells flags or NULL, owned */
} rtm_surface;

/** Allocate a zero-filled surface on grid g (mask NULL). Returns NULL and sets
 *  err on failure. Free with rtm_surface_free. */
rtm_surface *rtm_surface_create(const rtm_grid *g, rtm_error *err);
/** Free a surface (NULL is a no-op). */
void rtm_surface_free(rtm_surface *s);
/** 1 if cell k is inside the study area. */
static inline int rtm_surface_inside(const rtm_surface *s, size_t k)
{
    return s->mask == NULL || s->mask[k] != 0;
}

#ifdef __cplusplus
}
#endif
#endif
