/* rtm_geotiff.h: writing surfaces as Cloud-Optimized GeoTIFFs with a QGIS
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
 * Files are replaced atomically (rtm_atomic.h): the GeoTIFF and its .qml are
 * written to temporary files and renamed over the destinations only when
 * both are complete; on failure the previous files stay intact.
 *
 * Thread safety: every function may be called from any thread; GDAL handles
 * never leave the calling thread. GDAL messages are never printed; the last
 * one is copied into err.
 */
#ifndef RTM_GEOTIFF_H
#define RTM_GEOTIFF_H

#include "rtm_atomic.h"
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    const char *qml_ramp;             /**< rtm_ramp.h name: "viridis" (default), "magma",
                                           "inferno", "cividis", "diverging", "ylorrd" */
    int categorical;                  /**< 1 = integer classes (tiers, Gi* bins): Byte or Int16
                                           band, MODE overviews, paletted .qml */
    const char *const *class_labels;  /**< categorical: NULL-terminated "VALUE=LABEL" items
                                           ("3=hot spot, 99% confidence"); labelled values
                                           appear in the .qml legend even if absent */
    int num_threads;                  /**< compression threads: 0 = all CPUs (default) */
} rtm_geotiff_opts;

/** Set the defaults listed above. */
void rtm_geotiff_opts_init(rtm_geotiff_opts *o);

/** Write one band to `path` (normally ending in .tif) and, if o->write_qml,
 *  the QGIS style "<path without extension>.qml", atomically.
 *  g: the grid (its crs may be "" for none, "EPSG:n", WKT or any string
 *  OSRSetFromUserInput accepts). data: ncells values, row 0 north (see
 *  rtm_grid.h). Cells where mask is non-NULL and mask[k] == 0, and NaN cells,
 *  are written as o->nodata; data must not otherwise contain o->nodata.
 *  Categorical data must hold integers: Byte is used when the values and
 *  nodata fit in [0, 255], else Int16. o may be NULL for defaults.
 *  Returns 0, or RTM_ERR_ARG (bad options, bad grid, categorical value not an
 *  integer in [-32768, 32767]), RTM_ERR_CRS ("geotiff: invalid crs 'x'"),
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

/** As rtm_geotiff_write_bands, but only writes temporary files and adds them
 *  to `set` (the .tif, then the .qml if requested) for the caller to commit
 *  together with other outputs (rtm_atomic_set_commit_all). On failure the
 *  temporary files this call made are removed and dropped from the set;
 *  entries added earlier stay. */
int rtm_geotiff_write_to_set(rtm_atomic_set *set, const char *path, const rtm_grid *g,
                             int nbands, const double *const *bands,
                             const char *const *descriptions, const unsigned char *mask,
                             const rtm_geotiff_opts *o, rtm_error *err);

/** Build the text of a QGIS style (.qml) for band 1 of a raster written with
 *  options o (o->qml_ramp, o->categorical, o->class_labels are used).
 *  Continuous: a singlebandpseudocolor renderer with an interpolated colour
 *  ramp shader from vmin to vmax (the ramp's stops; with the diverging ramp
 *  and vmin < 0 < vmax the range is made symmetric, +-max(|vmin|, vmax), so
 *  0 gets the neutral centre colour). Categorical: a paletted
 *  renderer with one entry per value of classes[0..nclasses) (sorted,
 *  distinct; labels from o->class_labels, else the value), coloured by the
 *  ramp across the class range. Nodata is transparent in both.
 *  Returns a malloc'd NUL-terminated string (caller frees), or NULL with
 *  RTM_ERR_ARG (unknown ramp) or RTM_ERR_NOMEM. */
char *rtm_qml_build(const rtm_geotiff_opts *o, double vmin, double vmax,
                    const double *classes, int nclasses, rtm_error *err);

/** The .qml path for a raster path: the extension of the last path component
 *  (if any) replaced by ".qml". Returns 0 or RTM_ERR_ARG if it does not fit. */
int rtm_qml_path(const char *path, char *out, size_t outsz, rtm_error *err);

/** Read band 1 of any raster GDAL can open into a new surface: grid from the
 *  geotransform (must be north-up with square cells), crs "AUTH:CODE" when
 *  the CRS has an authority code, else its WKT ("" if none). Cells that are
 *  nodata (GDAL's mask band: nodata value, alpha or mask file) or NaN get
 *  mask 0 and value NaN; mask is NULL when every cell is valid.
 *  Returns the surface (free with rtm_surface_free) or NULL with RTM_ERR_IO
 *  (cannot open, names path), RTM_ERR_INPUT (rotated or non-square cells),
 *  RTM_ERR_NOMEM. */
rtm_surface *rtm_raster_read(const char *path, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
