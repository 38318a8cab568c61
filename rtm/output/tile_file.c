/* tile_file.c: tile files (rtm/tile.h) - one strip of a tiled product as a
 * float64 GeoTIFF, with what the merge needs in its metadata, and the merge's
 * reading of every strip through one GDAL VRT. */
#include "rtm/tile.h"
#include "core/atomic.h"
#include "core/gdal.h"
#include "core/sha256.h"
#include "output/tile_priv.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARG_MAX_WORDS 4096

/* SHA-256 of a tile's values: nbands planes of rows x width doubles, the
 * planes `plane` values apart from v and the rows `stride` apart (the tile's
 * own buffer: stride = width, plane = its cells; the assembled grid: stride =
 * ncols, plane = ncells, v at the tile's first cell). */
int rtm_tile_values_sha(const double *v, size_t plane, size_t stride, size_t width, size_t rows,
                        int nbands, char hex[65])
{
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    if (rtm_sha256_init(&c))
        return -1;
    for (int b = 0; b < nbands; b++)
        for (size_t r = 0; r < rows; r++)
            rtm_sha256_update(&c, v + (size_t)b * plane + r * stride, width * sizeof *v);
    if (rtm_sha256_final(&c, d))
        return -1;
    rtm_sha256_to_hex(d, hex);
    return 0;
}

static void set_item(GDALDatasetH ds, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_item(GDALDatasetH ds, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    GDALSetMetadataItem(ds, key, buf, "RTM_TILE");
}

static int set_georef(GDALDatasetH ds, const rtm_grid *g, const rtm_tile *t, rtm_error *err)
{
    double ytop = g->y0 + (double)g->nrows * g->res;
    double gt[6] = {g->x0 + (double)t->c0 * g->res, g->res, 0, ytop - (double)t->r0 * g->res,
                    0, -g->res};
    OGRSpatialReferenceH srs;
    int rc = 0;
    GDALSetGeoTransform(ds, gt);
    if (!g->crs[0])
        return 0;
    if (!(srs = OSRNewSpatialReference(NULL)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "tile: out of memory");
    if (OSRSetFromUserInput(srs, g->crs) != OGRERR_NONE || GDALSetSpatialRef(ds, srs) != CE_None)
        rc = rtm_error_set(err, RTM_ERR_CRS, "tile: cannot set the CRS '%.200s'", g->crs);
    OSRDestroySpatialReference(srs);
    return rc;
}

static void set_meta(GDALDatasetH ds, const rtm_grid *g, const rtm_tile *t, const char *product,
                     const char *const *args, int nargs, const char *sha, const char *inputs,
                     const char *parts)
{
    char key[32];
    set_item(ds, "PRODUCT", "%s", product);
    if (inputs && *inputs)
        set_item(ds, "INPUTS_SHA256", "%s", inputs);
    if (parts && *parts)
        set_item(ds, "PARTS_SHA256", "%s", parts);
    set_item(ds, "TILE", "%d/%d", t->index, t->count);
    set_item(ds, "ROWS", "%d %d", t->r0, t->r1);
    set_item(ds, "COLS", "%d %d", t->c0, t->c1);
    set_item(ds, "LAYOUT", "%d %d", t->rows, t->cols);
    set_item(ds, "GRID", "%d %d %a %a %a", g->ncols, g->nrows, g->x0, g->y0, g->res);
    set_item(ds, "SHA256", "%s", sha);
    set_item(ds, "NARGS", "%d", nargs);
    for (int k = 0; k < nargs; k++) {
        snprintf(key, sizeof key, "ARG_%04d", k);
        GDALSetMetadataItem(ds, key, args[k], "RTM_TILE");
    }
}

static int write_bands(GDALDatasetH ds, const rtm_tile *t, const char *product, int nbands,
                       const double *v)
{
    int w = t->c1 - t->c0, h = t->r1 - t->r0;
    size_t cells = (size_t)h * (size_t)w;
    char what[128];
    /* what a GIS shows for the band: not a finished surface (a model's tile
     * holds pattern numbers), but the merge's input */
    snprintf(what, sizeof what, "rtm %s tile %d/%d: intermediate values for rtm merge, not a "
             "finished surface", product, t->index, t->count);
    for (int b = 0; b < nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        GDALSetDescription(band, what);
        if (GDALRasterIO(band, GF_Write, 0, 0, w, h, (void *)(v + (size_t)b * cells), w, h,
                         GDT_Float64, 0, 0) != CE_None)
            return -1;
    }
    return 0;
}

int rtm_tile_write(const char *path, const rtm_grid *g, const rtm_tile *t, const char *product,
                   int nbands, const double *v, const char *const *args, int nargs,
                   const char *inputs, const char *parts, rtm_error *err)
{
    /* band interleaved: a strip is written plane after plane (emerging: a
     * plane per time step) */
    static const char *const opts[] = {"COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES",
                                       "INTERLEAVE=BAND", "BIGTIFF=IF_SAFER", NULL};
    size_t cells = (size_t)(t->r1 - t->r0) * (size_t)(t->c1 - t->c0);
    char tmp[4096], sha[65];
    GDALDriverH drv;
    GDALDatasetH ds;
    int rc;
    rtm_gdal_init();
    if (nargs > ARG_MAX_WORDS)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: command line too long (%d words)", nargs);
    if (rtm_tile_values_sha(v, cells, (size_t)(t->c1 - t->c0), (size_t)(t->c1 - t->c0),
                            (size_t)(t->r1 - t->r0), nbands, sha))
        return rtm_error_set(err, RTM_ERR_NOMEM, "tile: cannot hash the strip");
    if (!(drv = GDALGetDriverByName("GTiff")))
        return rtm_error_set(err, RTM_ERR_IO, "tile: GDAL GTiff driver not available");
    if ((rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err)))
        return rc;
    ds = GDALCreate(drv, tmp, t->c1 - t->c0, t->r1 - t->r0, nbands, GDT_Float64, (char **)opts);
    if (!ds) {
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "tile: cannot write '%s': %s", path,
                             CPLGetLastErrorMsg());
    }
    rc = set_georef(ds, g, t, err);
    set_meta(ds, g, t, product, args, nargs, sha, inputs, parts);
    if (!rc && write_bands(ds, t, product, nbands, v))
        rc = rtm_error_set(err, RTM_ERR_IO, "tile: cannot write '%s': %s", path,
                           CPLGetLastErrorMsg());
    GDALClose(ds);
    if (rc) {
        rtm_atomic_abort(tmp);
        return rc;
    }
    return rtm_atomic_commit(tmp, path, err);
}

void rtm_tile_info_free(rtm_tile_info *info)
{
    for (int k = 0; info->args && k < info->nargs; k++)
        free(info->args[k]);
    free(info->args);
    info->args = NULL;
    info->nargs = 0;
}

static const char *item(GDALDatasetH ds, const char *key)
{
    return GDALGetMetadataItem(ds, key, "RTM_TILE");
}

static int read_args(GDALDatasetH ds, rtm_tile_info *info)
{
    const char *s = item(ds, "NARGS");
    char key[32];
    int n;
    if (!s || sscanf(s, "%d", &n) != 1 || n < 0 || n > ARG_MAX_WORDS)
        return -1;
    if (!(info->args = calloc((size_t)n + 1, sizeof *info->args)))
        return -1;
    for (int k = 0; k < n; k++) {
        snprintf(key, sizeof key, "ARG_%04d", k);
        if (!(s = item(ds, key)) || !(info->args[k] = strdup(s)))
            return -1;
        info->nargs = k + 1;
    }
    return 0;
}

static int parse_info(GDALDatasetH ds, rtm_tile_info *info)
{
    const char *p = item(ds, "PRODUCT"), *t = item(ds, "TILE"), *r = item(ds, "ROWS");
    const char *g = item(ds, "GRID"), *h = item(ds, "SHA256"), *c = item(ds, "COLS");
    const char *l = item(ds, "LAYOUT");
    rtm_grid *gr = &info->grid;
    if (!p || !t || !r || !g || !h || strlen(h) != 64 || strlen(p) >= sizeof info->product)
        return -1;
    snprintf(info->product, sizeof info->product, "%s", p);
    snprintf(info->sha256, sizeof info->sha256, "%s", h);
    if ((h = item(ds, "INPUTS_SHA256")) && strlen(h) == 64)
        snprintf(info->inputs, sizeof info->inputs, "%s", h);
    if ((h = item(ds, "PARTS_SHA256")) && strlen(h) == 64)
        snprintf(info->parts, sizeof info->parts, "%s", h);
    if (sscanf(t, "%d/%d", &info->tile.index, &info->tile.count) != 2 ||
        sscanf(r, "%d %d", &info->tile.r0, &info->tile.r1) != 2 ||
        sscanf(g, "%d %d %la %la %la", &gr->ncols, &gr->nrows, &gr->x0, &gr->y0, &gr->res) != 5)
        return -1;
    info->tile.c0 = 0; /* tiles written before rectangles: strips */
    info->tile.c1 = gr->ncols;
    info->tile.rows = info->tile.count;
    info->tile.cols = 1;
    if ((c && sscanf(c, "%d %d", &info->tile.c0, &info->tile.c1) != 2) ||
        (l && sscanf(l, "%d %d", &info->tile.rows, &info->tile.cols) != 2))
        return -1;
    info->nbands = GDALGetRasterCount(ds);
    if (info->tile.count < 1 || info->tile.index < 0 || info->tile.index >= info->tile.count ||
        info->tile.r0 < 0 || info->tile.r1 <= info->tile.r0 || info->tile.r1 > gr->nrows ||
        info->tile.c0 < 0 || info->tile.c1 <= info->tile.c0 || info->tile.c1 > gr->ncols ||
        info->tile.rows < 1 || info->tile.cols < 1 ||
        (long)info->tile.rows * info->tile.cols != info->tile.count ||
        gr->ncols < 1 || GDALGetRasterXSize(ds) != info->tile.c1 - info->tile.c0 ||
        GDALGetRasterYSize(ds) != info->tile.r1 - info->tile.r0 || info->nbands < 1)
        return -1;
    return read_args(ds, info);
}

int rtm_tile_read_info(const char *path, rtm_tile_info *info, rtm_error *err)
{
    GDALDatasetH ds;
    int bad;
    rtm_gdal_init();
    memset(info, 0, sizeof *info);
    if (!(ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL)))
        return rtm_error_set(err, RTM_ERR_IO, "tile: cannot open '%s': %s", path,
                             CPLGetLastErrorMsg());
    bad = parse_info(ds, info);
    GDALClose(ds);
    if (bad) {
        rtm_tile_info_free(info);
        return rtm_error_set(err, RTM_ERR_INPUT, "tile: '%s' is not an rtm tile file (or is "
                             "damaged): its RTM_TILE metadata is missing or inconsistent", path);
    }
    return 0;
}
