/* rtm_png.h: PNG output: RGBA PNG files with world files, briefing heatmaps
 * (continuous, classed and categorical) and line charts.
 *
 * Files are written with libpng as 8-bit RGBA, non-interlaced, zlib level 9,
 * filter chosen per row by libpng's default heuristic, and no tIME (or any
 * other time- or host-dependent) chunk, so the same input gives the same
 * bytes. Every file is written to a temporary name in the destination
 * directory and renamed into place, so readers never see a partial file.
 *
 * Map layout (all composed maps):
 *
 *     +--------------------------------------------------+
 *     | Title (bold)                                      |
 *     | subtitle (date window, N events, bandwidth)       |
 *     | +---------------------------+   units label       |
 *     | |                           |   [] class 1 range  |
 *     | |   map panel (raster)      |   [] class 2 range  |
 *     | |                           |   ...               |
 *     | |                           |   (class method)    |
 *     | +---------------------------+   north arrow       |
 *     | scale bar                                         |
 *     | attribution                                       |
 *     +--------------------------------------------------+
 *
 * The map panel is the raster itself, north up, one PNG pixel per block of
 * f x f grid cells (downsampling when the long side exceeds max_pixels:
 * heatmaps show the block average of the finite cells inside the study area,
 * zeros included, which preserves the mean density; categorical maps show
 * the block's most frequent category) or per 1/u of a cell (upsampling of
 * small grids by pixel replication, up to min_pixels).
 * Cells that are nodata, non-finite or <= zero_transparent_below are fully
 * transparent (alpha 0); everything else in the image is opaque.
 *
 * Georeferencing: ONE image is written, the composed map X.png, and its world
 * file X.pgw (ESRI world file: pixel size in x, rotation, rotation, -pixel
 * size in y, then x and y of the CENTRE of the PNG's upper-left pixel). The
 * world file describes the whole PNG such that the map panel falls on the
 * right ground coordinates: its origin is the centre of the panel's
 * upper-left pixel moved left and up by the panel's pixel offset inside the
 * PNG (C = x0 + (0.5 - ox) p, F = ytop - (0.5 - oy) p, p = pixel size).
 * In a GIS the map panel lies on the data; title and legend lie outside the
 * study area. A world file carries no CRS; when the grid has one, the maps
 * also get X.png.aux.xml (GDAL's PAM sidecar, read by GDAL, QGIS and
 * ArcGIS) holding it, so the PNG opens in place without asking. The scale
 * bar is in metres whatever the projected CRS's unit (feet included); a
 * geographic CRS gets none. Without a CRS, units are taken as metres. The PNG
 * and its sidecars are committed together (rtm_atomic_set): all are
 * replaced, or none.
 *
 * Fonts: see rtm_canvas.h (DejaVu Sans, RTM_FONT, RTM_FONT_BOLD).
 * Thread safety: every function here is reentrant; calls writing different
 * files may run in parallel.
 */
#ifndef RTM_PNG_H
#define RTM_PNG_H

#include <stddef.h>
#include "rtm_classify.h"
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Write an 8-bit RGBA PNG (straight alpha, w*h*4 bytes, rows top-down)
 *  atomically to path. Returns 0 or RTM_ERR_IO / RTM_ERR_ARG / RTM_ERR_NOMEM. */
int rtm_png_write_rgba(const char *path, const unsigned char *rgba, int w, int h,
                       rtm_error *err);

/** World-file name for an image path: the extension (after the last '.' of
 *  the last path component) is replaced by ".pgw", or ".pgw" is appended
 *  when there is none. Returns 0, or RTM_ERR_ARG when out (size outsz) is too
 *  small. */
int rtm_png_world_path(const char *png_path, char *out, size_t outsz, rtm_error *err);

/** Write an ESRI world file (six lines: p, 0, 0, -p, xc, yc, with %.17g)
 *  atomically to path: p is the pixel size in CRS units, (xc, yc) the
 *  centre of the image's upper-left pixel. Returns 0 or RTM_ERR_IO. */
int rtm_png_world_write(const char *path, double p, double xc, double yc, rtm_error *err);

/** CRS sidecar name for an image path: png_path + ".aux.xml". Returns 0,
 *  or RTM_ERR_ARG when out (size outsz) is too small. */
int rtm_png_aux_path(const char *png_path, char *out, size_t outsz, rtm_error *err);

/** Write the CRS sidecar (GDAL PAM: <PAMDataset><SRS>, WKT, x/easting
 *  first as in the world file) of crs ("EPSG:27700", WKT, anything
 *  OSRSetFromUserInput takes) atomically to path. Returns 0, RTM_ERR_ARG
 *  (empty or unknown CRS) or RTM_ERR_IO. */
int rtm_png_aux_write(const char *path, const char *crs, rtm_error *err);

/** Map options; set defaults with rtm_map_opts_init, then change fields.
 *  Strings are borrowed for the duration of the call. */
typedef struct rtm_map_opts {
    const char *ramp;        /**< ramp name (rtm_ramp.h); NULL = "viridis" for
                                  continuous heatmaps, "ylorrd" for classed ones,
                                  "diverging" for categorical maps */
    rtm_class_method classes;/**< classification when nclasses > 0 */
    int nclasses;            /**< 0 = continuous ramp (default), else 1..RTM_CLASS_MAX */
    const char *title;       /**< bold heading, NULL = none */
    const char *subtitle;    /**< e.g. date window, N events, bandwidth; NULL = none */
    const char *units_label; /**< legend heading, e.g. "events per km²"; NULL = none */
    int legend;              /**< draw the legend (default 1) */
    int scale_bar;           /**< draw a scale bar (default 1) */
    int north_arrow;         /**< draw a north arrow (default 1) */
    const char *attribution; /**< small grey line at the bottom, NULL = none */
    double zero_transparent_below; /**< values <= this are transparent (default 0) */
    int max_pixels;          /**< long side of the map panel at most this many pixels:
                                  larger grids are average-downsampled by an integer
                                  factor (default 1600) */
    int min_pixels;          /**< smaller grids are enlarged by an integer factor
                                  (pixel replication) to at least this long side
                                  (default 480; 0 = never enlarge) */
    const char *font;        /**< regular font file, NULL = RTM_FONT / DejaVu Sans */
    const char *font_bold;   /**< bold font file, NULL = RTM_FONT_BOLD / DejaVu Sans Bold */
} rtm_map_opts;

/** Set the defaults documented above. */
void rtm_map_opts_init(rtm_map_opts *o);

/** Write a heatmap of surface values v on grid g to path, and its world file
 *  (rtm_png_world_path). v: ncells values, row 0 north; mask: ncells flags
 *  (non-zero = inside) or NULL. With o->nclasses == 0 colours follow a
 *  continuous ramp from the smallest to the largest shown value (legend: a
 *  colour bar with min/max and intermediate ticks); otherwise classes are
 *  computed by rtm_classify over the shown cells (> zero_transparent_below)
 *  and class k gets the ramp colour at k/(nclasses-1) (legend: one swatch
 *  per class with its range "a – b", highest on top, and the method named
 *  underneath). With no cell to show the panel is all transparent and the
 *  legend says so. o NULL = defaults. Returns 0 or an error (RTM_ERR_ARG bad
 *  options or ramp name, RTM_ERR_INPUT classes over cells that are all
 *  zero, RTM_ERR_IO font or file, RTM_ERR_NOMEM); on error no file is
 *  changed. */
int rtm_map_png_write(const char *path, const rtm_grid *g, const double *v,
                      const unsigned char *mask, const rtm_map_opts *o, rtm_error *err);

/** Categorical map, e.g. Gi* confidence bins -3..3: a cell whose value
 *  rounds to values[k] gets colour k of nvalues evenly spaced along the ramp
 *  (default the diverging blue-grey-red ramp, values listed low to high) and
 *  the legend shows labels[k] (NULL labels: the values as integers). Cells
 *  matching no value, nodata or non-finite are transparent (the threshold
 *  zero_transparent_below is not used here). Same layout and world file as
 *  rtm_map_png_write; nvalues 1..RTM_CLASS_MAX. */
int rtm_map_png_write_categorical(const char *path, const rtm_grid *g, const double *v,
                                  const unsigned char *mask, const int *values,
                                  const char *const *labels, int nvalues,
                                  const rtm_map_opts *o, rtm_error *err);

/** One line of a chart: n points (x[i], y[i]) joined in order; non-finite
 *  points break the line. name is shown in the legend (NULL = no entry). */
typedef struct rtm_chart_series {
    const char *name;
    const double *x, *y;
    size_t n;
} rtm_chart_series;

/** Line chart (e.g. hit rate or PAI against area coverage) to path, 960 x 640
 *  pixels: axes with round ticks covering the data (y from 0 when all y >= 0),
 *  grid lines, title, axis labels, a legend, colour-blind-safe colours
 *  (Okabe & Ito 2008) with distinct dash patterns, nseries 1..8. No world
 *  file. Fonts as for maps (RTM_FONT). Returns 0 or an error. */
int rtm_chart_png_write(const char *path, const char *title, const char *xlabel,
                        const char *ylabel, const rtm_chart_series *s, int nseries,
                        rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
