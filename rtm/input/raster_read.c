/* raster_read.c: band 1 of any GDAL raster into an rtm_surface
 * (see rtm/output.h). */
#include "core/gdal.h"
#include "rtm/input.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *gdal_msg(const char *fallback)
{
    const char *m = CPLGetLastErrorMsg();
    return (m && *m) ? m : fallback;
}

/* North-up, square cells: gt = {x0, r, 0, ytop, 0, -r}. */
static int grid_from_gt(const char *path, GDALDatasetH ds, rtm_grid *g, rtm_error *err)
{
    double gt[6];
    memset(g, 0, sizeof *g);
    if (GDALGetGeoTransform(ds, gt) != CE_None)
        return rtm_error_set(err, RTM_ERR_INPUT, "raster: '%s' has no geotransform", path);
    if (gt[2] != 0 || gt[4] != 0 || !(gt[1] > 0) || !(gt[5] < 0) ||
        fabs(gt[1] + gt[5]) > 1e-9 * gt[1])
        return rtm_error_set(err, RTM_ERR_INPUT,
                             "raster: '%s' must be north-up with square cells (pixel size "
                             "%g x %g, rotation %g, %g)",
                             path, gt[1], gt[5], gt[2], gt[4]);
    g->ncols = GDALGetRasterXSize(ds);
    g->nrows = GDALGetRasterYSize(ds);
    g->res = gt[1];
    g->x0 = gt[0];
    g->y0 = gt[3] + (double)g->nrows * gt[5];
    return 0;
}

/* "AUTH:CODE" when the CRS has a root authority code, else its WKT. */
static int crs_from_ds(const char *path, GDALDatasetH ds, rtm_grid *g, rtm_error *err)
{
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (srs == NULL)
        return 0;
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code) {
        snprintf(g->crs, sizeof g->crs, "%s:%s", auth, code);
        return 0;
    }
    char *wkt = NULL;
    int rc = 0;
    if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE || wkt == NULL)
        rc = rtm_error_set(err, RTM_ERR_CRS, "raster: cannot read the crs of '%s'", path);
    else if (strlen(wkt) >= sizeof g->crs)
        rc = rtm_error_set(err, RTM_ERR_CRS, "raster: crs of '%s' is too long (%zu chars)", path,
                           strlen(wkt));
    else
        strcpy(g->crs, wkt);
    CPLFree(wkt);
    return rc;
}

/* Values (double) and mask (GDAL's mask band) row by row. */
static int read_cells(GDALRasterBandH band, rtm_surface *s, rtm_error *err)
{
    GDALRasterBandH mb = GDALGetMaskBand(band);
    int all_valid = (GDALGetMaskFlags(band) & GMF_ALL_VALID) != 0;
    int nc = s->grid.ncols, nr = s->grid.nrows;
    size_t n = rtm_grid_ncells(&s->grid);
    unsigned char *m = malloc(n);
    if (!m)
        return rtm_error_set(err, RTM_ERR_NOMEM, "raster: out of memory");
    int invalid = 0;
    for (int i = 0; i < nr; i++) {
        size_t k0 = (size_t)i * (size_t)nc;
        if (GDALRasterIO(band, GF_Read, 0, i, nc, 1, s->v + k0, nc, 1, GDT_Float64, 0, 0) !=
                CE_None ||
            (!all_valid &&
             GDALRasterIO(mb, GF_Read, 0, i, nc, 1, m + k0, nc, 1, GDT_Byte, 0, 0) != CE_None)) {
            free(m);
            return rtm_error_set(err, RTM_ERR_IO, "raster: read error at row %d: %s", i,
                                 gdal_msg("unknown error"));
        }
        for (int j = 0; j < nc; j++) {
            size_t k = k0 + (size_t)j;
            if (all_valid)
                m[k] = 1;
            if (m[k] == 0 || isnan(s->v[k])) {
                m[k] = 0;
                s->v[k] = NAN;
                invalid = 1;
            } else {
                m[k] = 1;
            }
        }
    }
    if (invalid)
        s->mask = m;
    else
        free(m);
    return 0;
}

rtm_surface *rtm_raster_read(const char *path, rtm_error *err)
{
    rtm_grid g;
    rtm_surface *s = NULL;
    rtm_gdal_init();
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        rtm_error_set(err, RTM_ERR_IO, "raster: cannot open '%s': %s", path,
                      gdal_msg("not a raster"));
        return NULL;
    }
    if (GDALGetRasterCount(ds) < 1) {
        rtm_error_set(err, RTM_ERR_INPUT, "raster: '%s' has no bands", path);
        goto done;
    }
    if (grid_from_gt(path, ds, &g, err) != 0 || crs_from_ds(path, ds, &g, err) != 0)
        goto done;
    s = rtm_surface_create(&g, err);
    if (s && read_cells(GDALGetRasterBand(ds, 1), s, err) != 0) {
        rtm_surface_free(s);
        s = NULL;
    }
done:
    GDALClose(ds);
    return s;
}
