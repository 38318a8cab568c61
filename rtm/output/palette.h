/* output/palette.h: the palette of a categorical raster (tiers, Gi* bins):
 * its class values, their labels and colours, shared by the .qml style
 * (qml.c) and the GeoTIFF colour table, category names and raster
 * attribute table (geotiff.c), so both describe the same classes. */
#ifndef RTM_OUTPUT_PALETTE_H
#define RTM_OUTPUT_PALETTE_H

#include <gdal.h>
#include "rtm/error.h"

typedef struct rtm_palette {
    int n;                    /**< number of classes */
    double *value;            /**< n class values, ascending, distinct */
    const char **label;       /**< n labels (borrowed from the "VALUE=LABEL" items),
                                   NULL where a value has none */
    unsigned char (*rgb)[3];  /**< n colours: rtm_ramp_class_color(ramp, k, n) */
} rtm_palette;

/** The sorted distinct union of classes[0..nclasses) and the values labelled
 *  in labels (NULL-terminated "VALUE=LABEL" items, or NULL), coloured along
 *  ramp by rank. Returns 0 (free with rtm_palette_free) or RTM_ERR_NOMEM. */
int rtm_palette_build(int ramp, const double *classes, int nclasses,
                      const char *const *labels, rtm_palette *p, rtm_error *err);

/** The colour of class value v in colors (NULL-terminated "VALUE=#RRGGBB"
 *  items, or NULL) into rgb: 1 when listed (the first item for v wins), 0
 *  (rgb untouched) when not. */
int rtm_palette_color_of(const char *const *colors, double v, unsigned char rgb[3]);

/** Give the classes of p listed in colors (as rtm_palette_color_of) their
 *  colour; the others keep the ramp's. */
void rtm_palette_recolor(rtm_palette *p, const char *const *colors);

/** Release a palette (safe on a zeroed or already freed one). */
void rtm_palette_free(rtm_palette *p);

/** Describe the classes of p on a GDAL band (geotiff_classes.c): a colour
 *  table and category names when the band is Byte (entries for class values
 *  0..255; the nodata entry, when in range, transparent), and always a
 *  thematic raster attribute table value/class/red/green/blue/alpha, one
 *  row per class. Returns 0 or RTM_ERR_IO with GDAL's message. */
int rtm_palette_to_band(const rtm_palette *p, GDALRasterBandH band, rtm_error *err);

#endif
