/* rtm/output.h: writing results: GeoTIFF + QGIS style, PNG maps and charts, model reports.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_OUTPUT_H
#define RTM_OUTPUT_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/model.h"
#include "rtm/input.h"
#include "rtm/evaluate_truth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== classify: class breaks for choropleth / heatmap legends.
 *
 * A classification turns the values of a surface into `nclasses` ordered
 * classes described by nclasses+1 breaks b[0] <= b[1] <= ... <= b[n]:
 * b[0] is the smallest and b[n] the largest classified value. Class k holds
 * the values in (b[k], b[k+1]]; class 0 is closed below, [b[0], b[1]].
 * Upper bounds are inclusive, as in ArcGIS/QGIS legends ("up to b[k+1]").
 *
 * Only "present" cells are classified: inside the mask (mask == NULL means
 * every cell), finite, and non-zero. Zero cells (no density) and nodata cells
 * are excluded here and drawn transparent on maps.
 *
 * Every method is deterministic (values are sorted first; sums run in sorted
 * order). Breaks may repeat when many values tie (e.g. quantiles of counts):
 * a repeated break gives an empty class, which legends should still show.
 */
/** Largest number of classes rtm_classify accepts. */
#define RTM_CLASS_MAX 32

typedef enum rtm_class_method {
    /** Quantiles: b[k] = Q(k/n), Hyndman & Fan (1996) type 7 (R's default
     *  quantile(), numpy's "linear"): with sorted x[0..N-1], h = (N-1)p,
     *  Q(p) = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). */
    RTM_CLASS_QUANTILE,
    /** Equal intervals: b[k] = min + k (max - min) / n. */
    RTM_CLASS_EQUAL,
    /** Standard-deviation classes above the mean (hot-spot practice):
     *  b[0] = min, b[k] = mean + (k-1) SD for k = 1..n-1, b[n] = max, so the
     *  classes are "below the mean", "mean to +1 SD", "+1 to +2 SD", ...,
     *  and the top class is everything above mean + (n-2) SD. SD is the
     *  population standard deviation (divisor N). Breaks beyond max are
     *  clamped to max (the classes above are then empty). */
    RTM_CLASS_STDDEV,
    /** Multiples of the mean of the non-zero cells (UK Home Office crime
     *  mapping practice, Chainey 2014, "incremental multiples of the grid
     *  cell mean"): b[0] = min, b[k] = 2^(k-1) mean for k = 1..n-1,
     *  b[n] = max, i.e. thresholds at 1x, 2x, 4x, 8x ... the mean. Breaks
     *  beyond max are clamped to max. Needs a positive mean. */
    RTM_CLASS_MEAN_MULT,
    /** Natural breaks: Jenks (1967) / Fisher (1958) optimal partition
     *  minimising the within-class sum of squared deviations (exact dynamic
     *  programme). Above 2000 values it runs on 2000 evenly spaced order
     *  statistics of the sorted values (always including min and max), so
     *  breaks are then approximate; each break is then moved to the widest
     *  gap of the full data between it and the next sampled value.
     *  b[k] is the largest value of class k-1. */
    RTM_CLASS_NATURAL
} rtm_class_method;

/** Compute class breaks.
 *  v:        n values (read only).
 *  mask:     n flags, non-zero = inside the study area; NULL = all inside.
 *  m:        method; nclasses: 1..RTM_CLASS_MAX.
 *  breaks:   out, nclasses+1 values, non-decreasing; written only on success.
 *  Returns 0, RTM_ERR_ARG (bad nclasses/method), RTM_ERR_INPUT (no present
 *  cell; mean-multiple with a non-positive mean) or RTM_ERR_NOMEM.
 *  Thread safety: reentrant (no shared state). */
int rtm_classify(const double *v, const unsigned char *mask, size_t n,
                 rtm_class_method m, int nclasses, double *breaks, rtm_error *err);

/** The class (0..nclasses-1) of value x for the breaks above: the smallest k
 *  with x <= b[k+1]; values below b[0] give 0, above b[n] give n-1. */
int rtm_class_index(double x, const double *breaks, int nclasses);

/** Parse a method name: "quantile", "equal", "stddev", "mean-multiple"
 *  (also "meanmult"), "natural" (also "jenks"). Returns 0 and sets *m, or
 *  RTM_ERR_ARG naming the bad value. */
int rtm_class_method_parse(const char *name, rtm_class_method *m, rtm_error *err);

/** Canonical name of a method ("quantile", ...); "unknown" if out of range. */
const char *rtm_class_method_name(rtm_class_method m);

/* ==== ramp: colour ramps for rasters, PNG maps and QGIS styles.
 *
 * Each ramp is a short table of colour stops at fixed positions in [0, 1];
 * colours between stops are interpolated linearly in sRGB. The sequential
 * ramps (viridis, magma, inferno, cividis) are 11 entries of matplotlib's
 * published 256-entry tables; "diverging" is ColorBrewer RdBu (11 classes)
 * running blue -> light grey -> red, for Gi* z-score bins; "ylorrd" is
 * ColorBrewer YlOrRd (9 classes) for classed maps. All functions are pure
 * and thread-safe.
 */
/** Ramp identifiers. */
enum {
    RTM_RAMP_VIRIDIS = 0,
    RTM_RAMP_MAGMA,
    RTM_RAMP_INFERNO,
    RTM_RAMP_CIVIDIS,
    RTM_RAMP_DIVERGING,  /**< blue (low) - light grey - red (high) */
    RTM_RAMP_YLORRD,     /**< light yellow (low) - dark red (high) */
    RTM_RAMP_COUNT
};

/** Look up a ramp by name ("viridis", "magma", "inferno", "cividis",
 *  "diverging", "ylorrd"; case-insensitive). name NULL or "" gives viridis.
 *  On success stores the id in *ramp and returns 0; otherwise returns
 *  RTM_ERR_ARG ("ramp: unknown ramp 'x' (expected viridis, ...)"). */
int rtm_ramp_parse(const char *name, int *ramp, rtm_error *err);

/** Lower-case name of a ramp id, or NULL if the id is out of range. */
const char *rtm_ramp_name(int ramp);

/** Colour at position t (0 = low end, 1 = high end; t is clamped to [0, 1],
 *  NaN gives the low end) into rgb[0..2]. An out-of-range ramp id is
 *  treated as viridis. */
void rtm_ramp_color(int ramp, double t, unsigned char rgb[3]);

/** Number of stops of a ramp (0 for an out-of-range id). */
int rtm_ramp_nstops(int ramp);

/** Stop k (0 <= k < rtm_ramp_nstops) of a ramp: its position in [0, 1]
 *  (increasing with k, first 0, last 1) and its colour. Returns 0, or -1 if
 *  ramp or k is out of range (outputs untouched). */
int rtm_ramp_stop(int ramp, int k, double *pos, unsigned char rgb[3]);

/** Colour of class k (0 = lowest) of n ordered classes or categories: the
 *  ramp at k/(n-1), or the high end when n == 1. Every classed output (PNG
 *  map and legend, .qml style, GeoTIFF colour table and attribute table)
 *  colours its classes with this one rule, so they agree. */
void rtm_ramp_class_color(int ramp, int k, int n, unsigned char rgb[3]);

/* ==== geotiff: writing surfaces as Cloud-Optimized GeoTIFFs with a QGIS
 * style sidecar, and reading rasters back.
 *
 * The writer builds the raster in a GDAL MEM dataset and copies it with the
 * COG driver (which only supports CreateCopy): 512x512 tiles, DEFLATE or ZSTD
 * with the floating-point predictor (horizontal differencing for integer
 * classes), internal overviews (AVERAGE for continuous surfaces, MODE for
 * classes), explicit nodata, the grid's CRS and geotransform, a band
 * description and unit, metadata items, and band statistics computed by rtm
 * over the valid cells (so `gdalinfo` shows them without a scan). Output
 * bytes depend only on the inputs (not on the number of threads).
 *
 * Files are replaced atomically (core/atomic.h): the GeoTIFF and its .qml are
 * written to temporary files and renamed over the destinations only when
 * both are complete; on failure the previous files stay intact.
 *
 * Thread safety: every function may be called from any thread; GDAL handles
 * never leave the calling thread. GDAL messages are never printed; the last
 * one is copied into err.
 */
/** Options for rtm_geotiff_write (set defaults with rtm_geotiff_opts_init).
 *  Strings and lists are borrowed: they must outlive the call only. */
typedef struct rtm_geotiff_opts {
    const char *band_description;     /**< e.g. "kernel density (events per km²)"; NULL = none */
    const char *units;                /**< band unit type, e.g. "events/km2"; NULL = none */
    const char *compress;             /**< "DEFLATE" (default) or "ZSTD" */
    int float64;                      /**< 0 = Float32 (default), 1 = Float64 (continuous only) */
    double nodata;                    /**< nodata value, default -9999 */
    const char *const *metadata;      /**< NULL-terminated "KEY=VALUE" dataset items, or NULL */
    const char *const *band_metadata; /**< NULL-terminated "KEY=VALUE" items of every band */
    int write_qml;                    /**< 1 (default) = write <basename>.qml beside the tif */
    const char *qml_ramp;             /**< rtm/output.h name: "viridis" (default), "magma",
                                           "inferno", "cividis", "diverging", "ylorrd" */
    int categorical;                  /**< 1 = integer classes (tiers, Gi* bins): Byte or Int16
                                           band, MODE overviews, paletted .qml */
    const char *const *class_labels;  /**< categorical: NULL-terminated "VALUE=LABEL" items
                                           ("3=hot spot, 99% confidence"); labelled values
                                           appear in the .qml legend even if absent */
    int num_threads;                  /**< compression threads: 0 = all CPUs (default) */
    int qml_nclasses;                 /**< continuous data: 0 = interpolated ramp in the .qml
                                           (default); 1..RTM_CLASS_MAX = a classed .qml with
                                           these classes, e.g. those of the PNG map */
    const double *qml_breaks;         /**< qml_nclasses+1 breaks (rtm_classify's convention),
                                           e.g. from rtm_map_png_breaks for the same data and
                                           map options, so the .qml matches the PNG legend */
    double qml_transparent_below;     /**< classed .qml: values <= this are transparent (use
                                           the map's zero_transparent_below); default -inf =
                                           none */
} rtm_geotiff_opts;

/** Set the defaults listed above. */
void rtm_geotiff_opts_init(rtm_geotiff_opts *o);

/** Write one band to `path` (normally ending in .tif) and, if o->write_qml,
 *  the QGIS style "<path without extension>.qml", atomically.
 *  g: the grid (its crs may be "" for none, "EPSG:n", WKT or any string
 *  OSRSetFromUserInput accepts). data: ncells values, row 0 north (see
 *  rtm/grid.h). Cells where mask is non-NULL and mask[k] == 0, and NaN cells,
 *  are written as o->nodata; data must not otherwise contain o->nodata.
 *  Categorical data must hold integers: Byte is used when the values and
 *  nodata fit in [0, 255], else Int16. o may be NULL for defaults.
 *  Categorical band 1 also carries its classes inside the GeoTIFF, so R
 *  (terra), ArcGIS and QGIS show them without the .qml: the classes are the
 *  distinct values of band 1 plus the values labelled in o->class_labels,
 *  coloured with rtm_ramp_class_color(o->qml_ramp, rank, count), the same
 *  palette as the paletted .qml and as rtm_map_png_write_categorical given
 *  the same values and ramp. A Byte band gets a GDAL colour table (in the
 *  TIFF; nodata transparent) and category names (index = class value;
 *  unlabelled indices ""); band 1 always gets a thematic raster
 *  attribute table with the columns value (MinMax), class (Name), red,
 *  green, blue, alpha, which also carries negative classes such as Gi* bins
 *  -3..3 (category names cannot: their index is the pixel value). Category
 *  names and the table live in GDAL's PAM sidecar "<path>.aux.xml", written
 *  and committed with the GeoTIFF (callers listing outputs must list it);
 *  when the new file needs none, an older "<path>.aux.xml" is removed (as
 *  GDAL does when it overwrites a dataset) so it cannot describe the new one.
 *  With o->qml_nclasses > 0 (continuous data) the .qml is classed instead
 *  of an interpolated ramp (see rtm_qml_build).
 *  Returns 0, or RTM_ERR_ARG (bad options, bad grid, categorical value or
 *  class label value not an integer in [-32768, 32767], bad qml classes),
 *  RTM_ERR_CRS ("geotiff: invalid crs 'x'"),
 *  RTM_ERR_IO (message names path), RTM_ERR_NOMEM. */
int rtm_geotiff_write(const char *path, const rtm_grid *g, const double *data,
                      const unsigned char *mask, const rtm_geotiff_opts *o, rtm_error *err);

/** As rtm_geotiff_write with nbands bands (1..64) sharing grid, mask, type and
 *  nodata; bands[b] holds ncells values, descriptions[b] (may be NULL, or an
 *  entry NULL) overrides o->band_description. The .qml styles band 1. */
int rtm_geotiff_write_bands(const char *path, const rtm_grid *g, int nbands,
                            const double *const *bands, const char *const *descriptions,
                            const unsigned char *mask, const rtm_geotiff_opts *o,
                            rtm_error *err);

/** Build the text of a QGIS style (.qml) for band 1 of a raster written with
 *  options o (o->qml_ramp, o->categorical, o->class_labels are used).
 *  Continuous: a singlebandpseudocolor renderer with an interpolated colour
 *  ramp shader from vmin to vmax (the ramp's stops; with the diverging ramp
 *  and vmin < 0 < vmax the range is made symmetric, +-max(|vmin|, vmax), so
 *  0 gets the neutral centre colour). Classed (o->qml_nclasses > 0, not
 *  categorical): a singlebandpseudocolor renderer with a DISCRETE shader,
 *  class k = (b[k], b[k+1]] of o->qml_breaks coloured
 *  rtm_ramp_class_color(ramp, k, nclasses) as on the PNG map, values below
 *  b[0] in class 0, above b[n] in the last class, and values <=
 *  o->qml_transparent_below transparent. Categorical: a paletted renderer
 *  with one entry per value of the union of classes[0..nclasses) and the
 *  values labelled in o->class_labels (sorted, distinct; labels from
 *  o->class_labels, else the value), entry k of n coloured
 *  rtm_ramp_class_color(ramp, k, n). Nodata is transparent in all three.
 *  Returns a malloc'd NUL-terminated string (caller frees), or NULL with
 *  RTM_ERR_ARG (unknown ramp; classes not 1..RTM_CLASS_MAX or breaks not
 *  finite and non-decreasing) or RTM_ERR_NOMEM. */
char *rtm_qml_build(const rtm_geotiff_opts *o, double vmin, double vmax,
                    const double *classes, int nclasses, rtm_error *err);

/** The .qml path for a raster path: the extension of the last path component
 *  (if any) replaced by ".qml". Returns 0 or RTM_ERR_ARG if it does not fit. */
int rtm_qml_path(const char *path, char *out, size_t outsz, rtm_error *err);

/* ==== png: PNG output: RGBA PNG files with world files, briefing heatmaps
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
 * Georeferencing (rtm_map_opts.georef). A world file (ESRI: pixel size in
 * x, rotation, rotation, -pixel size in y, then x and y of the CENTRE of the
 * image's upper-left pixel) gives an image's pixel grid; it carries no CRS,
 * so when the grid has one the image also gets X.png.aux.xml (GDAL's PAM
 * sidecar, read by GDAL, QGIS and ArcGIS) holding it, and the image opens in
 * place without asking. The scale bar is in metres whatever the projected
 * CRS's unit (feet included); a geographic CRS gets none. Without a CRS,
 * units are taken as metres. The modes:
 *
 *  - RTM_MAP_GEOREF_MAP_ONLY (recommended): the composed briefing map X.png
 *    gets NO world file or CRS sidecar (it is a picture: title, legend and
 *    scale bar are not on the ground), and the map panel alone is written
 *    as X_map.png (rtm_map_png_georef_path; RGBA, no frame, transparent
 *    where the panel is) with X_map.pgw and X_map.png.aux.xml, its
 *    upper-left pixel centred on the grid's upper-left cell (block).
 *  - RTM_MAP_GEOREF_NONE: X.png only, no sidecars.
 *  - RTM_MAP_GEOREF_COMPOSED (the default, kept for existing callers): X.png
 *    with X.pgw and X.png.aux.xml describing the whole composed image such
 *    that the panel falls on the right ground coordinates (C = x0 +
 *    (0.5 - ox) p, F = ytop - (0.5 - oy) p, p = pixel size, (ox, oy) the
 *    panel's offset in the PNG); title and legend then lie on the ground
 *    beside the study area, so this mode is deprecated.
 *
 * QGIS applies a style file NAME.qml to any raster NAME.* it opens, so a
 * briefing PNG named like a GeoTIFF with a .qml (kde.png beside kde.tif and
 * kde.qml) opens in QGIS in false colours: give briefing PNGs a name no
 * .qml matches. X_map.png never matches a .qml rtm writes for X.tif.
 *
 * The PNG and its sidecars (and the map-only image) are committed together
 * (rtm_atomic_set): all are replaced, or none. After that, sidecars of X.png
 * (and of X_map.png) that the chosen mode does not write are removed, so a
 * world file from an earlier run cannot go on georeferencing a picture.
 *
 * Fonts: see output/canvas.h (DejaVu Sans, RTM_FONT, RTM_FONT_BOLD).
 * Thread safety: every function here is reentrant; calls writing different
 * files may run in parallel.
 */
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

/** How a map PNG is georeferenced (rtm_map_opts.georef; see above). */
typedef enum rtm_map_georef {
    RTM_MAP_GEOREF_COMPOSED = 0, /**< X.pgw + X.png.aux.xml for the composed X.png
                                      (default; deprecated) */
    RTM_MAP_GEOREF_NONE,         /**< no world file, no CRS sidecar */
    RTM_MAP_GEOREF_MAP_ONLY      /**< X.png plain; map panel alone as X_map.png with
                                      X_map.pgw and X_map.png.aux.xml */
} rtm_map_georef;

/** Name of the map-only image for a briefing PNG path: the extension of the
 *  last path component (if any) replaced by "_map.png" ("out/kde.png" ->
 *  "out/kde_map.png"). Its sidecars are rtm_png_world_path and
 *  rtm_png_aux_path of that name. Returns 0, or RTM_ERR_ARG when out (size
 *  outsz) is too small. */
int rtm_map_png_georef_path(const char *png_path, char *out, size_t outsz, rtm_error *err);

/** Map options; set defaults with rtm_map_opts_init, then change fields.
 *  Strings are borrowed for the duration of the call. */
typedef struct rtm_map_opts {
    const char *ramp;        /**< ramp name (rtm/output.h); NULL = "viridis" for
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
    int georef;              /**< an rtm_map_georef mode (see above); default
                                  RTM_MAP_GEOREF_COMPOSED */
} rtm_map_opts;

/** Set the defaults documented above. */
void rtm_map_opts_init(rtm_map_opts *o);

/** Write a heatmap of surface values v on grid g to path, georeferenced as
 *  o->georef says. v: ncells values, row 0 north; mask: ncells flags
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

/** The class breaks rtm_map_png_write draws for these arguments (o->nclasses
 *  classes by o->classes over the shown cells, after the same downsampling),
 *  into breaks[0..o->nclasses]. Pass them as rtm_geotiff_opts.qml_breaks
 *  (with qml_nclasses = o->nclasses, qml_ramp = the map's ramp and
 *  qml_transparent_below = o->zero_transparent_below) so the GeoTIFF's .qml
 *  shows the PNG's classes and colours. Returns 0, RTM_ERR_ARG (o NULL or
 *  o->nclasses not 1..RTM_CLASS_MAX, bad grid), RTM_ERR_INPUT (no cell to
 *  classify) or RTM_ERR_NOMEM. */
int rtm_map_png_breaks(const rtm_grid *g, const double *v, const unsigned char *mask,
                       const rtm_map_opts *o, double *breaks, rtm_error *err);

/** Categorical map, e.g. Gi* confidence bins -3..3: a cell whose value
 *  rounds to values[k] gets colour k of nvalues evenly spaced along the ramp
 *  (default the diverging blue-grey-red ramp, values listed low to high) and
 *  the legend shows labels[k] (NULL labels: the values as integers). Cells
 *  matching no value, nodata or non-finite are transparent (the threshold
 *  zero_transparent_below is not used here). Same layout and georeferencing
 *  as rtm_map_png_write; nvalues 1..RTM_CLASS_MAX. Category k's colour is
 *  rtm_ramp_class_color(ramp, k, nvalues), as in the GeoTIFF palette of
 *  the same values (rtm_geotiff_opts.class_labels). */
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

/* ==== model_report: the model report as JSON and Markdown, with the tables
 * the reference tool prints (inputs, factors, variables generated and kept,
 * final model, RRS range) plus tiers, the CV curve and the stepwise log. */
/** What the report says about the run besides the model itself. */
typedef struct rtm_model_context {
    const char *software;        /**< "rtm 0.1.0" */
    const char *crs;             /**< grid CRS as given */
    const rtm_grid *grid;
    const char *const *event_files; int nevent_files;
    const char *where;           /**< event filter or NULL */
    const rtm_load_stats *events;/**< event load counts */
    const rtm_factor_spec *factors; int nfactors;
    const char *const *factor_files; /**< nfactors source descriptions */
    const rtm_model_opts *opts;
    const rtm_place *places; int nplaces;  /**< priority places (may be 0) */
    const rtm_bt_summary *backtest;  /**< rolling back-test of the RRS and the prior
                                          counts (rtm/evaluate_truth.h), or NULL */
} rtm_model_context;

/** Write model.json (atomically). */
int rtm_model_report_json(const char *path, const rtm_model *m, const rtm_model_context *c,
                          rtm_error *err);
/** Write model.md (atomically). */
int rtm_model_report_md(const char *path, const rtm_model *m, const rtm_model_context *c,
                        rtm_error *err);

/* ==== places: priority places and hot spots as polygons */

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
