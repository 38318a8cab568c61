/* cells_write.c: grid cells as square polygons with attribute fields, in a
 * GeoPackage or GeoJSON layer (rtm/emerging.h). */
#include "rtm/emerging.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <stdlib.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <string.h>
#include <strings.h>

#include "core/atomic.h"
#include "core/gdal.h"
#include "output/label_raster.h"

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

static void create_fields(OGRLayerH l, const rtm_cell_field *f, int nf)
{
    for (int c = 0; c < nf; c++) {
        OGRFieldDefnH d = OGR_Fld_Create(f[c].name, !f[c].v ? OFTString
                                                    : f[c].integer ? OFTInteger64 : OFTReal);
        OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
    }
}

static void set_fields(OGRFeatureH o, const rtm_cell_field *f, int nf, size_t i)
{
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
}

static int write_features(OGRLayerH l, const rtm_grid *g, const size_t *cells, size_t n,
                          const rtm_cell_field *f, int nf, rtm_error *err)
{
    create_fields(l, f, nf);
    if (OGR_L_StartTransaction(l) != OGRERR_NONE)
        CPLErrorReset();
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH o = OGR_F_Create(OGR_L_GetLayerDefn(l));
        set_fields(o, f, nf, i);
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

/* Polygons of every label (8-connected parts merged per label), geo[label-1]. */
static int polygonize(const rtm_grid *g, const rtm_cell_areas *a, OGRSpatialReferenceH srs,
                      OGRGeometryH *geo, rtm_error *err)
{
    GDALDatasetH lab = rtm_label_raster(g, a->label, srs);
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, NULL);
    char *popts[] = {"8CONNECTED=8", NULL};
    OGRLayerH ml = mem ? GDALDatasetCreateLayer(mem, "p", srs, wkbPolygon, NULL) : NULL;
    OGRFieldDefnH fd = OGR_Fld_Create("label", OFTInteger);
    OGRFeatureH f;
    int rc = 0;
    if (ml)
        OGR_L_CreateField(ml, fd, TRUE);
    OGR_Fld_Destroy(fd);
    if (!lab || !ml || GDALPolygonize(GDALGetRasterBand(lab, 1), GDALGetRasterBand(lab, 1), ml,
                                      0, popts, NULL, NULL) != CE_None)
        rc = rtm_error_set(err, RTM_ERR_IO, "cells: cannot merge the areas: %s",
                           CPLGetLastErrorMsg());
    if (!rc)
        OGR_L_ResetReading(ml);
    while (!rc && (f = OGR_L_GetNextFeature(ml))) {
        int id = OGR_F_GetFieldAsInteger(f, 0);
        if (id >= 1 && (size_t)id <= a->n) {
            if (!geo[id - 1])
                geo[id - 1] = OGR_G_CreateGeometry(wkbMultiPolygon);
            OGR_G_AddGeometry(geo[id - 1], OGR_F_GetGeometryRef(f));
        }
        OGR_F_Destroy(f);
    }
    if (mem)
        GDALClose(mem);
    if (lab)
        GDALClose(lab);
    return rc;
}

static int write_areas(GDALDatasetH out, const rtm_grid *g, const rtm_cell_areas *a,
                       OGRSpatialReferenceH srs, rtm_error *err)
{
    OGRGeometryH *geo = calloc(a->n ? a->n : 1, sizeof *geo);
    OGRLayerH l = GDALDatasetCreateLayer(out, a->layer, srs, wkbMultiPolygon, NULL);
    int rc = !geo ? rtm_error_set(err, RTM_ERR_NOMEM, "cells: out of memory")
             : !l ? rtm_error_set(err, RTM_ERR_IO, "cells: cannot create layer '%s': %s",
                                  a->layer, CPLGetLastErrorMsg())
                  : polygonize(g, a, srs, geo, err);
    if (!rc) {
        create_fields(l, a->f, a->nf);
        if (OGR_L_StartTransaction(l) != OGRERR_NONE)
            CPLErrorReset();
    }
    for (size_t i = 0; !rc && i < a->n; i++) {
        OGRFeatureH o = OGR_F_Create(OGR_L_GetLayerDefn(l));
        set_fields(o, a->f, a->nf, i);
        if (geo[i])
            OGR_F_SetGeometry(o, geo[i]);
        if (OGR_L_CreateFeature(l, o) != OGRERR_NONE)
            rc = rtm_error_set(err, RTM_ERR_IO, "cells: cannot write area %zu: %s", i,
                               CPLGetLastErrorMsg());
        OGR_F_Destroy(o);
    }
    if (!rc && OGR_L_CommitTransaction(l) != OGRERR_NONE)
        CPLErrorReset();
    for (size_t i = 0; geo && i < a->n; i++)
        if (geo[i])
            OGR_G_DestroyGeometry(geo[i]);
    free(geo);
    return rc;
}

int rtm_cells_write(const char *path, const char *layer, const rtm_grid *g,
                    const size_t *cells, size_t n, const rtm_cell_field *f, int nf,
                    const rtm_cell_areas *areas, rtm_error *err)
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
    if (!rc && areas && gpkg)
        rc = write_areas(out, g, areas, srs, err);
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
