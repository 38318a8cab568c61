/* geotiff_classes.c: the classes of a categorical GeoTIFF band as GDAL
 * colour table, category names and raster attribute table (see
 * output/palette.h), so software that never reads the .qml (R's terra,
 * ArcGIS, QGIS without the style, gdalinfo) still shows named, coloured
 * classes. The colour table is stored in the TIFF itself (Byte bands only:
 * TIFF palettes index the pixel value); category names and the attribute
 * table go to GDAL's PAM sidecar <file>.aux.xml. */
#include "output/palette.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Label of class k as written to the file: its label, else the value. */
static const char *class_name(const rtm_palette *p, int k, char *buf, size_t sz)
{
    if (p->label[k])
        return p->label[k];
    snprintf(buf, sz, "%.17g", p->value[k]);
    return buf;
}

static int fail(rtm_error *err, const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    return rtm_error_set(err, RTM_ERR_IO, "geotiff: cannot set the %s: %s", what,
                         m && *m ? m : "unknown error");
}

/* Category names of a Byte band, index = class value ("" where there is no
 * class), as a NULL-terminated array of borrowed strings; the numbers of
 * unlabelled classes go to num (p->n entries of 32). NULL when out of memory. */
static char **byte_names(const rtm_palette *p, char (*num)[32])
{
    int maxv = -1;
    for (int k = 0; k < p->n; k++)
        if (p->value[k] >= 0 && p->value[k] <= 255 && p->value[k] > maxv)
            maxv = (int)p->value[k];
    char **names = malloc(((size_t)maxv + 2) * sizeof *names);
    if (!names)
        return NULL;
    for (int v = 0; v <= maxv; v++)
        names[v] = (char *)"";
    names[maxv + 1] = NULL;
    for (int k = 0; k < p->n; k++)
        if (p->value[k] >= 0 && p->value[k] <= 255)
            names[(int)p->value[k]] = (char *)class_name(p, k, num[k], sizeof num[k]);
    return names;
}

/* Colour table and category names of a Byte band: index = pixel value. */
static int byte_tables(const rtm_palette *p, GDALRasterBandH band, rtm_error *err)
{
    int has_nd = 0, rc = 0;
    double nd = GDALGetRasterNoDataValue(band, &has_nd);
    char (*num)[32] = malloc(((size_t)p->n + 1) * sizeof *num);
    char **names = num ? byte_names(p, num) : NULL;
    GDALColorTableH ct = GDALCreateColorTable(GPI_RGB);
    if (!names || !ct) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "geotiff: out of memory");
        goto done;
    }
    for (int k = 0; k < p->n; k++) {
        if (p->value[k] < 0 || p->value[k] > 255)
            continue;
        GDALColorEntry e = {p->rgb[k][0], p->rgb[k][1], p->rgb[k][2], 255};
        GDALSetColorEntry(ct, (int)p->value[k], &e);
    }
    if (has_nd && nd >= 0 && nd <= 255 && nd == floor(nd)) {
        GDALColorEntry clear = {0, 0, 0, 0};
        GDALSetColorEntry(ct, (int)nd, &clear);
    }
    if (GDALSetRasterColorTable(band, ct) != CE_None)
        rc = fail(err, "colour table");
    else if (names[0] && GDALSetRasterCategoryNames(band, names) != CE_None)
        rc = fail(err, "category names");
done:
    if (ct)
        GDALDestroyColorTable(ct);
    free(names);
    free(num);
    return rc;
}

/* Thematic attribute table: one row per class, any integer value. */
static int attribute_table(const rtm_palette *p, GDALRasterBandH band, rtm_error *err)
{
    static const struct { const char *name; GDALRATFieldType t; GDALRATFieldUsage u; } col[] = {
        {"value", GFT_Integer, GFU_MinMax}, {"class", GFT_String, GFU_Name},
        {"red", GFT_Integer, GFU_Red},      {"green", GFT_Integer, GFU_Green},
        {"blue", GFT_Integer, GFU_Blue},    {"alpha", GFT_Integer, GFU_Alpha}};
    GDALRasterAttributeTableH rat = GDALCreateRasterAttributeTable();
    char buf[64];
    int rc = 0;
    for (int c = 0; c < 6 && rc == 0; c++)
        if (GDALRATCreateColumn(rat, col[c].name, col[c].t, col[c].u) != CE_None)
            rc = fail(err, "attribute table");
    if (rc == 0) {
        GDALRATSetTableType(rat, GRTT_THEMATIC);
        GDALRATSetRowCount(rat, p->n);
        for (int k = 0; k < p->n; k++) {
            GDALRATSetValueAsInt(rat, k, 0, (int)p->value[k]);
            GDALRATSetValueAsString(rat, k, 1, class_name(p, k, buf, sizeof buf));
            for (int c = 0; c < 3; c++)
                GDALRATSetValueAsInt(rat, k, 2 + c, p->rgb[k][c]);
            GDALRATSetValueAsInt(rat, k, 5, 255);
        }
        if (GDALSetDefaultRAT(band, rat) != CE_None)
            rc = fail(err, "attribute table");
    }
    GDALDestroyRasterAttributeTable(rat);
    return rc;
}

int rtm_palette_to_band(const rtm_palette *p, GDALRasterBandH band, rtm_error *err)
{
    if (GDALGetRasterDataType(band) == GDT_Byte && byte_tables(p, band, err) != 0)
        return RTM_ERR_IO;
    return attribute_table(p, band, err);
}
