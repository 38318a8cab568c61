/* places_write.c: priority places / hot spots as polygons in a GeoPackage
 * or GeoJSON layer (GDALPolygonize of the place labels). */
#include "rtm/output.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/atomic.h"
#include "core/gdal.h"
#include "output/label_raster.h"

GDALDatasetH rtm_label_raster(const rtm_grid *g, const int *label, OGRSpatialReferenceH srs)
{
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("MEM"), "", g->ncols, g->nrows, 1,
                                 GDT_Int32, NULL);
    double gt[6] = {g->x0, g->res, 0, g->y0 + g->nrows * g->res, 0, -g->res};
    if (!ds)
        return NULL;
    GDALSetGeoTransform(ds, gt);
    if (srs)
        GDALSetSpatialRef(ds, srs);
    if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, g->ncols, g->nrows,
                     (void *)label, g->ncols, g->nrows, GDT_Int32, 0, 0) != CE_None) {
        GDALClose(ds);
        return NULL;
    }
    return ds;
}

static void add_fields(OGRLayerH l)
{
    static const struct { const char *n; OGRFieldType t; } F[] = {
        {"rank", OFTInteger}, {"cells", OFTInteger}, {"area_m2", OFTReal},
        {"max_score", OFTReal}, {"mean_score", OFTReal}, {"events", OFTReal},
        {"centre_x", OFTReal}, {"centre_y", OFTReal}};
    size_t i;
    for (i = 0; i < sizeof F / sizeof F[0]; i++) {
        OGRFieldDefnH d = OGR_Fld_Create(F[i].n, F[i].t);
        OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
    }
}

/* Polygonize labels into a memory layer, then copy to the output in rank
 * order, merging parts of one label into a multipolygon. */
static int write_layer(GDALDatasetH out, const char *name, GDALDatasetH lab,
                       OGRSpatialReferenceH srs, const rtm_place *pl, int n, rtm_error *err)
{
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, NULL);
    OGRLayerH ml, ol;
    OGRFieldDefnH fd;
    OGRGeometryH *geo = NULL;
    OGRFeatureH f;
    char *popts[] = {"8CONNECTED=8", NULL};
    int i, rc = 0;
    if (!mem)
        return rtm_error_set(err, RTM_ERR_IO, "places: no memory vector driver");
    ml = GDALDatasetCreateLayer(mem, "p", srs, wkbPolygon, NULL);
    fd = OGR_Fld_Create("label", OFTInteger);
    OGR_L_CreateField(ml, fd, TRUE);
    OGR_Fld_Destroy(fd);
    if (GDALPolygonize(GDALGetRasterBand(lab, 1), GDALGetRasterBand(lab, 1), ml, 0, popts, NULL,
                       NULL) != CE_None) {
        GDALClose(mem);
        return rtm_error_set(err, RTM_ERR_IO, "places: polygonize failed: %s",
                             CPLGetLastErrorMsg());
    }
    geo = calloc((size_t)(n ? n : 1), sizeof *geo);
    OGR_L_ResetReading(ml);
    while (geo && (f = OGR_L_GetNextFeature(ml))) {
        int id = OGR_F_GetFieldAsInteger(f, 0);
        if (id >= 1 && id <= n) {
            if (!geo[id - 1])
                geo[id - 1] = OGR_G_CreateGeometry(wkbMultiPolygon);
            OGR_G_AddGeometry(geo[id - 1], OGR_F_GetGeometryRef(f));
        }
        OGR_F_Destroy(f);
    }
    ol = GDALDatasetCreateLayer(out, name, srs, wkbMultiPolygon, NULL);
    if (!ol || !geo) {
        rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot create the output layer: %s",
                           CPLGetLastErrorMsg());
        goto done;
    }
    add_fields(ol);
    /* one transaction for all the places: a GeoPackage otherwise commits
     * (journal, sync) after every feature - 1.2 s for the county model's 394 */
    if (OGR_L_StartTransaction(ol) != OGRERR_NONE) {
        rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot start writing: %s",
                           CPLGetLastErrorMsg());
        goto done;
    }
    for (i = 0; i < n && !rc; i++) {
        OGRFeatureH o = OGR_F_Create(OGR_L_GetLayerDefn(ol));
        OGR_F_SetFieldInteger(o, 0, pl[i].rank);
        OGR_F_SetFieldInteger(o, 1, (int)pl[i].cells);
        OGR_F_SetFieldDouble(o, 2, pl[i].area);
        OGR_F_SetFieldDouble(o, 3, pl[i].max_score);
        OGR_F_SetFieldDouble(o, 4, pl[i].mean_score);
        OGR_F_SetFieldDouble(o, 5, pl[i].events);
        OGR_F_SetFieldDouble(o, 6, pl[i].cx);
        OGR_F_SetFieldDouble(o, 7, pl[i].cy);
        if (geo[i])
            OGR_F_SetGeometry(o, geo[i]);
        if (OGR_L_CreateFeature(ol, o) != OGRERR_NONE)
            rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot write feature: %s",
                               CPLGetLastErrorMsg());
        OGR_F_Destroy(o);
    }
    if (!rc && OGR_L_CommitTransaction(ol) != OGRERR_NONE)
        rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot write the places: %s",
                           CPLGetLastErrorMsg());
done:
    for (i = 0; geo && i < n; i++)
        if (geo[i])
            OGR_G_DestroyGeometry(geo[i]);
    free(geo);
    GDALClose(mem);
    return rc;
}

int rtm_places_write(const char *path, const char *layer_name, const rtm_grid *g, const int *label,
                     const rtm_place *places, int nplaces, rtm_error *err)
{
    size_t len = strlen(path);
    int gpkg = len > 5 && !strcasecmp(path + len - 5, ".gpkg");
    const char *drv = gpkg ? "GPKG" : "GeoJSON";
    char tmp[4096];
    GDALDatasetH out = NULL, lab = NULL;
    OGRSpatialReferenceH srs = NULL;
    int rc;
    rtm_gdal_init();
    if ((rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err)))
        return rc;
    if (g->crs[0]) {
        srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(srs, g->crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(srs);
            srs = NULL;
        } else {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }
    lab = rtm_label_raster(g, label, srs);
    /* a GeoPackage records when it was written: fix it so the same places
     * give the same bytes (GDAL's GPKG driver reads OGR_CURRENT_DATE) */
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    out = lab ? GDALCreate(GDALGetDriverByName(drv), tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!out)
        rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot create '%s': %s", path,
                           CPLGetLastErrorMsg());
    else
        rc = write_layer(out, layer_name, lab, srs, places, nplaces, err);
    if (out)
        GDALClose(out);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    if (lab)
        GDALClose(lab);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!rc)
        rc = rtm_atomic_commit(tmp, path, err);
    else
        rtm_atomic_abort(tmp);
    return rc;
}
