/* patrol_write.c: patrol places as a GeoPackage polygon layer and its QGIS
 * style (rtm/places.h). */
#include "rtm/places.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"

enum { F_PLACE, F_RANK, F_NAME, F_LOCATION, F_SETTINGS, F_EVENTS, F_HARM, F_MEASURE,
       F_AREA, F_SA, F_SE, F_SH, F_CA, F_CE, F_CH, F_DISTRICT, F_CX, F_CY, F_N };

static const struct {
    const char *n;
    OGRFieldType t;
} FIELDS[F_N] = {
    {"place", OFTInteger},      {"rank", OFTInteger},       {"name", OFTString},
    {"location", OFTString},    {"settings", OFTString},    {"events", OFTInteger},
    {"harm", OFTReal},          {"measure", OFTReal},       {"area_m2", OFTReal},
    {"share_area", OFTReal},    {"share_events", OFTReal},  {"share_harm", OFTReal},
    {"cum_area", OFTReal},      {"cum_events", OFTReal},    {"cum_harm", OFTReal},
    {"area", OFTString},        {"centre_x", OFTReal},      {"centre_y", OFTReal}};

static int add_fields(OGRLayerH l)
{
    for (int i = 0; i < F_N; i++) {
        OGRFieldDefnH d = OGR_Fld_Create(FIELDS[i].n, FIELDS[i].t);
        OGRErr e = OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
        if (e != OGRERR_NONE)
            return -1;
    }
    return 0;
}

static void set_fields(OGRFeatureH f, const rtm_patrol_place *p, int has_harm,
                       const char *const *zn)
{
    OGR_F_SetFieldInteger(f, F_PLACE, p->place);
    OGR_F_SetFieldInteger(f, F_RANK, p->rank);
    OGR_F_SetFieldString(f, F_NAME, p->name);
    OGR_F_SetFieldString(f, F_LOCATION, p->location);
    OGR_F_SetFieldString(f, F_SETTINGS, p->settings);
    OGR_F_SetFieldInteger(f, F_EVENTS, (int)p->events);
    OGR_F_SetFieldDouble(f, F_MEASURE, p->measure);
    OGR_F_SetFieldDouble(f, F_AREA, p->area_m2);
    OGR_F_SetFieldDouble(f, F_SA, p->share_area);
    OGR_F_SetFieldDouble(f, F_SE, p->share_events);
    OGR_F_SetFieldDouble(f, F_CA, p->cum_area);
    OGR_F_SetFieldDouble(f, F_CE, p->cum_events);
    if (has_harm) {
        OGR_F_SetFieldDouble(f, F_HARM, p->harm);
        OGR_F_SetFieldDouble(f, F_SH, p->share_harm);
        OGR_F_SetFieldDouble(f, F_CH, p->cum_harm);
    } else {
        OGR_F_SetFieldNull(f, F_HARM);
        OGR_F_SetFieldNull(f, F_SH);
        OGR_F_SetFieldNull(f, F_CH);
    }
    OGR_F_SetFieldString(f, F_DISTRICT, zn && p->zone >= 0 ? zn[p->zone] : "");
    OGR_F_SetFieldDouble(f, F_CX, p->cx);
    OGR_F_SetFieldDouble(f, F_CY, p->cy);
}

static OGRGeometryH polygon(const double *xy, int n)
{
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon), ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (int a = 0; a < n; a++)
        OGR_G_AddPoint_2D(ring, xy[2 * a], xy[2 * a + 1]);
    OGR_G_AddGeometryDirectly(poly, ring);
    return poly;
}

/* In one transaction: a GeoPackage otherwise commits after every feature. */
static int write_features(OGRLayerH l, const rtm_patrol_place *pl, int n,
                          const double *const *rings, const int *ring_n, int has_harm,
                          const char *const *zn)
{
    if (OGR_L_StartTransaction(l) != OGRERR_NONE)
        return -1;
    for (int i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        set_fields(f, &pl[i], has_harm, zn);
        OGR_F_SetGeometryDirectly(f, polygon(rings[i], ring_n[i]));
        OGRErr e = OGR_L_CreateFeature(l, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            OGR_L_RollbackTransaction(l);
            return -1;
        }
    }
    return OGR_L_CommitTransaction(l) == OGRERR_NONE ? 0 : -1;
}

static int write_styles(GDALDatasetH ds);

int rtm_patrol_places_gpkg(const char *path, const char *crs, const rtm_patrol_place *pl,
                           int n, const double *const *rings, const int *ring_n,
                           int has_harm, const char *const *zone_names, rtm_error *err)
{
    OGRSpatialReferenceH srs = NULL;
    GDALDatasetH ds;
    int rc = 0;
    rtm_gdal_init();
    if (crs && crs[0]) {
        srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(srs, crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(srs);
            srs = NULL;
        } else {
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }
    /* a GeoPackage records when it was written: fix it (GDAL's GPKG driver
     * reads OGR_CURRENT_DATE) so the same places give the same bytes */
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    CPLErrorReset();
    ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    OGRLayerH l = ds ? GDALDatasetCreateLayer(ds, "places", srs, wkbPolygon, NULL) : NULL;
    if (!l || add_fields(l) || write_features(l, pl, n, rings, ring_n, has_harm, zone_names) ||
        write_styles(ds))
        rc = rtm_error_set(err, RTM_ERR_IO, "places: cannot write '%s': %s", path,
                           rtm_gdal_last_error("GeoPackage driver failed"));
    if (ds)
        GDALClose(ds);
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
    if (srs)
        OSRDestroySpatialReference(srs);
    return rc;
}

/* QGIS 3 vector style: a translucent red fill with a dark red outline,
 * the rank as a bold label with a white halo. */
static const char QML[] =
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"1\">\n"
    "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
    "forceraster=\"0\">\n"
    "    <symbols>\n"
    "      <symbol type=\"fill\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
    "        <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n"
    "          <Option type=\"Map\">\n"
    "            <Option name=\"color\" type=\"QString\" value=\"227,26,28,64\"/>\n"
    "            <Option name=\"style\" type=\"QString\" value=\"solid\"/>\n"
    "            <Option name=\"outline_color\" type=\"QString\" value=\"165,0,38,255\"/>\n"
    "            <Option name=\"outline_style\" type=\"QString\" value=\"solid\"/>\n"
    "            <Option name=\"outline_width\" type=\"QString\" value=\"0.6\"/>\n"
    "            <Option name=\"outline_width_unit\" type=\"QString\" value=\"MM\"/>\n"
    "          </Option>\n"
    "        </layer>\n"
    "      </symbol>\n"
    "    </symbols>\n"
    "  </renderer-v2>\n"
    "  <labeling type=\"simple\">\n"
    "    <settings calloutType=\"simple\">\n"
    "      <text-style fieldName=\"rank\" isExpression=\"0\" fontSize=\"10\" fontWeight=\"75\" "
    "textColor=\"0,0,0,255\" fontFamily=\"DejaVu Sans\">\n"
    "        <text-buffer bufferDraw=\"1\" bufferSize=\"1\" bufferSizeUnits=\"MM\" "
    "bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/>\n"
    "      </text-style>\n"
    "      <placement placement=\"1\" offsetType=\"0\" dist=\"0\"/>\n"
    "      <rendering obstacle=\"1\" displayAll=\"1\" upsidedownLabels=\"0\"/>\n"
    "    </settings>\n"
    "  </labeling>\n"
    "  <layerGeometryType>2</layerGeometryType>\n"
    "</qgis>\n";

/* The style also inside the GeoPackage: QGIS's `layer_styles` table (the
 * columns as QGIS creates them: QgsOgrProviderUtils / saveStyle), which
 * QGIS reads when the layer is opened (useAsDefault = 1). A fixed
 * update_time keeps the bytes reproducible. */
static int write_styles(GDALDatasetH ds)
{
    static const struct {
        const char *n;
        OGRFieldType t;
        int width;
    } COLS[] = {{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
                {"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
                {"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
                {"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
                {"description", OFTString, 0},       {"owner", OFTString, 30},
                {"ui", OFTString, 30},               {"update_time", OFTDateTime, 0}};
    const char *vals[] = {"", "", "places", "geom", "places", QML, "", NULL,
                          "rtm patrol places: red outlines, the rank as a label", "", NULL, NULL};
    enum { NC = sizeof COLS / sizeof COLS[0] };
    OGRLayerH l = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, NULL);
    for (int i = 0; l && i < NC; i++) {
        OGRFieldDefnH d = OGR_Fld_Create(COLS[i].n, COLS[i].t);
        OGR_Fld_SetWidth(d, COLS[i].width);
        if (i == 7)
            OGR_Fld_SetSubType(d, OFSTBoolean);
        OGRErr e = OGR_L_CreateField(l, d, TRUE);
        OGR_Fld_Destroy(d);
        if (e != OGRERR_NONE)
            return -1;
    }
    if (!l)
        return -1;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    for (int i = 0; i < NC; i++)
        if (vals[i])
            OGR_F_SetFieldString(f, i, vals[i]);
        else if (i != 10)
            OGR_F_SetFieldNull(f, i);
    OGR_F_SetFieldInteger(f, 7, 1);
    OGR_F_SetFieldDateTimeEx(f, NC - 1, 2000, 1, 1, 0, 0, 0.0f, 100);
    OGRErr e = OGR_L_CreateFeature(l, f);
    OGR_F_Destroy(f);
    return e == OGRERR_NONE ? 0 : -1;
}

int rtm_patrol_places_qml(const char *path, rtm_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(QML, f) < 0) {
        if (f)
            fclose(f);
        return rtm_error_set(err, RTM_ERR_IO, "places: cannot write '%s'", path);
    }
    if (fclose(f))
        return rtm_error_set(err, RTM_ERR_IO, "places: cannot write '%s'", path);
    return 0;
}
