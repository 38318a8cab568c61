/* cells_write.c: grid cells as square polygons with attribute fields, in a
 * GeoPackage or GeoJSON layer (rtm/emerging.h). */
#include "rtm/emerging.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <string.h>
#include <strings.h>

#include "core/atomic.h"
#include "core/gdal.h"

static OGRSpatialReferenceH make_srs(const rtm_grid *g)
{
    OGRSpatialReferenceH srs;
    if (!g->crs[0])
        return NULL;
    srs = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(srs, g->crs) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return NULL;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

static OGRGeometryH cell_polygon(const rtm_grid *g, size_t k)
{
    int i = (int)(k / (size_t)g->ncols), j = (int)(k % (size_t)g->ncols);
    double x0 = g->x0 + j * g->res, x1 = x0 + g->res;
    double y1 = g->y0 + (double)(g->nrows - i) * g->res, y0 = y1 - g->res;
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddPoint_2D(ring, x0, y0);
    OGR_G_AddPoint_2D(ring, x0, y1);
    OGR_G_AddPoint_2D(ring, x1, y1);
    OGR_G_AddPoint_2D(ring, x1, y0);
    OGR_G_AddPoint_2D(ring, x0, y0);
    OGR_G_AddGeometryDirectly(poly, ring);
    return poly;
}

static int write_features(OGRLayerH l, const rtm_grid *g, const size_t *cells, size_t n,
                          const rtm_cell_field *f, int nf, rtm_error *err)
{
    for (int c = 0; c < nf; c++) {
        OGRFieldDefnH d = OGR_Fld_Create(f[c].name, !f[c].v ? OFTString
                                                    : f[c].integer ? OFTInteger64 : OFTReal);
        OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
    }
    if (OGR_L_StartTransaction(l) != OGRERR_NONE)
        CPLErrorReset();
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH o = OGR_F_Create(OGR_L_GetLayerDefn(l));
        for (int c = 0; c < nf; c++) {
            if (!f[c].v)
                OGR_F_SetFieldString(o, c, f[c].s[i] ? f[c].s[i] : "");
            else if (isnan(f[c].v[i]))
                OGR_F_SetFieldNull(o, c);
            else if (f[c].integer)
                OGR_F_SetFieldInteger64(o, c, (GIntBig)llround(f[c].v[i]));
            else
                OGR_F_SetFieldDouble(o, c, f[c].v[i]);
        }
        OGR_F_SetGeometryDirectly(o, cell_polygon(g, cells[i]));
        int bad = OGR_L_CreateFeature(l, o) != OGRERR_NONE;
        OGR_F_Destroy(o);
        if (bad)
            return rtm_error_set(err, RTM_ERR_IO, "cells: cannot write feature %zu: %s", i,
                                 CPLGetLastErrorMsg());
    }
    if (OGR_L_CommitTransaction(l) != OGRERR_NONE)
        CPLErrorReset();
    return 0;
}

int rtm_cells_write(const char *path, const char *layer, const rtm_grid *g,
                    const size_t *cells, size_t n, const rtm_cell_field *f, int nf,
                    rtm_error *err)
{
    size_t len = strlen(path);
    int gpkg = len > 5 && !strcasecmp(path + len - 5, ".gpkg");
    char tmp[4096];
    GDALDatasetH out;
    OGRSpatialReferenceH srs;
    OGRLayerH l;
    int rc;
    rtm_gdal_init();
    if ((rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err)))
        return rc;
    srs = make_srs(g);
    /* a GeoPackage records when it was written: fix it (OGR_CURRENT_DATE) */
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    out = GDALCreate(GDALGetDriverByName(gpkg ? "GPKG" : "GeoJSON"), tmp, 0, 0, 0, GDT_Unknown,
                     NULL);
    l = out ? GDALDatasetCreateLayer(out, layer, srs, wkbPolygon, NULL) : NULL;
    if (!l)
        rc = rtm_error_set(err, RTM_ERR_IO, "cells: cannot create '%s': %s", path,
                           CPLGetLastErrorMsg());
    else
        rc = write_features(l, g, cells, n, f, nf, err);
    if (out)
        GDALClose(out);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!rc)
        rc = rtm_atomic_commit(tmp, path, err);
    else
        rtm_atomic_abort(tmp);
    return rc;
}
