/* repeats_write.c: repeat locations as points in a GeoPackage layer
 * "repeats" (OGR), written atomically with a fixed creation date so the same
 * locations give the same bytes. */
#include "rtm/knox.h"
#include "rtm/output.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic.h"
#include "core/gdal.h"

static void add_fields(OGRLayerH l)
{
    static const struct { const char *n; OGRFieldType t; } F[] = {
        {"rank", OFTInteger}, {"location", OFTString}, {"events", OFTInteger},
        {"first_date", OFTString}, {"last_date", OFTString}, {"months_active", OFTInteger},
        {"periods", OFTString}, {"median_gap", OFTReal}, {"mean_gap", OFTReal},
        {"gap_unit", OFTString}};
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
        OGRFieldDefnH d = OGR_Fld_Create(F[i].n, F[i].t);
        OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
    }
}

static void date_text(int d, char *b, size_t n)
{
    if (d > 10000000)
        snprintf(b, n, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    else if (d > 0)
        snprintf(b, n, "%04d-%02d", d / 100, d % 100);
    else
        b[0] = 0;
}

static int write_rows(OGRLayerH l, const rtm_points *p, const rtm_repeat_loc *locs, size_t n,
                      rtm_error *err)
{
    char b[32], nm[64];
    for (size_t i = 0; i < n; i++) {
        const rtm_repeat_loc *L = &locs[i];
        const char *lab = rtm_points_label_of(p, L->first);
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, p->x[L->first], p->y[L->first]);
        OGR_F_SetGeometryDirectly(f, g);
        OGR_F_SetFieldInteger(f, 0, (int)(i + 1));
        snprintf(nm, sizeof nm, "%.2f %.2f", p->x[L->first], p->y[L->first]);
        OGR_F_SetFieldString(f, 1, lab && *lab ? lab : nm);
        OGR_F_SetFieldInteger(f, 2, (int)L->n);
        date_text(L->first_date, b, sizeof b);
        OGR_F_SetFieldString(f, 3, b);
        date_text(L->last_date, b, sizeof b);
        OGR_F_SetFieldString(f, 4, b);
        OGR_F_SetFieldInteger(f, 5, L->months_active);
        OGR_F_SetFieldString(f, 6, L->periods ? L->periods : "");
        if (L->n > 1) {
            OGR_F_SetFieldDouble(f, 7, L->median_gap);
            OGR_F_SetFieldDouble(f, 8, L->mean_gap);
            OGR_F_SetFieldString(f, 9, L->gap_days ? "days" : "months");
        }
        int bad = OGR_L_CreateFeature(l, f) != OGRERR_NONE;
        OGR_F_Destroy(f);
        if (bad)
            return rtm_error_set(err, RTM_ERR_IO, "repeats: cannot write location %zu: %s",
                                 i + 1, CPLGetLastErrorMsg());
    }
    return 0;
}

int rtm_repeats_gpkg_write(const char *path, const char *crs, const rtm_points *p,
                           const rtm_repeat_loc *locs, size_t n, int by_label, rtm_error *err)
{
    char tmp[4096];
    OGRSpatialReferenceH srs = NULL;
    GDALDatasetH out;
    int rc;
    (void)by_label;
    rtm_gdal_init();
    if ((rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err)))
        return rc;
    if (crs && *crs) {
        srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(srs, crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(srs);
            srs = NULL;
        } else {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    out = GDALCreate(GDALGetDriverByName("GPKG"), tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!out) {
        rc = rtm_error_set(err, RTM_ERR_IO, "repeats: cannot create '%s': %s", path,
                           CPLGetLastErrorMsg());
    } else {
        OGRLayerH l = GDALDatasetCreateLayer(out, "repeats", srs, wkbPoint, NULL);
        if (!l)
            rc = rtm_error_set(err, RTM_ERR_IO, "repeats: cannot create the layer: %s",
                               CPLGetLastErrorMsg());
        else {
            add_fields(l);
            GDALDatasetStartTransaction(out, FALSE);
            rc = write_rows(l, p, locs, n, err);
            GDALDatasetCommitTransaction(out);
        }
        GDALClose(out);
    }
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    if (srs)
        OSRDestroySpatialReference(srs);
    return rc ? (rtm_atomic_abort(tmp), rc) : rtm_atomic_commit(tmp, path, err);
}
