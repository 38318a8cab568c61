/* vsource.c: opening OGR vector sources and finding their coordinates. */
#include "input/vsource.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/gdal.h"
#include "core/numparse.h"
#include "rtm/input.h"

/* Common names of coordinate columns, most specific first. Longitude/latitude
 * names imply WGS 84 (data.police.uk, OSM exports, FHRS). */
static const char *const LON_NAMES[] = {"longitude", "lon", "long", "lng", NULL};
static const char *const LAT_NAMES[] = {"latitude", "lat", NULL};
static const char *const X_NAMES[] = {"x", "easting", "east", "point_x", "x_coord", NULL};
static const char *const Y_NAMES[] = {"y", "northing", "north", "point_y", "y_coord", NULL};

const char *rtm_gdal_last_error(const char *fallback)
{
    const char *m = CPLGetLastErrorMsg();
    return (m && *m) ? m : fallback;
}

int rtm_vsource_find_field(const rtm_vsource *v, const char *const *names)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(v->layer);
    int i, k, nf = OGR_FD_GetFieldCount(d);
    for (k = 0; names[k]; k++)
        for (i = 0; i < nf; i++)
            if (!strcasecmp(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)), names[k]))
                return i;
    return -1;
}

static void list_fields(const rtm_vsource *v, char *buf, size_t n)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(v->layer);
    int i, nf = OGR_FD_GetFieldCount(d);
    size_t used = 0;
    buf[0] = '\0';
    for (i = 0; i < nf && used + 4 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s'%s'", i ? ", " : "",
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)));
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

int rtm_vsource_field(const rtm_vsource *v, const char *name, const char *what, rtm_error *err)
{
    const char *names[2] = {name, NULL};
    int i = rtm_vsource_find_field(v, names);
    if (i < 0) {
        char have[300];
        list_fields(v, have, sizeof have);
        return rtm_error_set(err, RTM_ERR_INPUT, "%s: '%s' has no field '%s' (fields: %s)", what,
                             v->name, name, have) ? -1 : -1;
    }
    return i;
}

void rtm_vsource_where(const rtm_vsource *v, GIntBig fid, char *buf, size_t n)
{
    /* OGR's CSV driver numbers data rows from 1, so the file line is fid + 1. */
    if (v->is_csv)
        snprintf(buf, n, "%s line %lld", v->name, (long long)fid + 1);
    else
        snprintf(buf, n, "%s feature %lld", v->name, (long long)fid);
}

int rtm_vsource_read_number(OGRFeatureH f, int idx, double *out)
{
    const char *s;
    char *end;
    double d;
    if (!OGR_F_IsFieldSetAndNotNull(f, idx))
        return RTM_READ_EMPTY;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
    if (t == OFTReal || t == OFTInteger || t == OFTInteger64) {
        *out = OGR_F_GetFieldAsDouble(f, idx);
        return isfinite(*out) ? 0 : RTM_READ_BAD;
    }
    s = OGR_F_GetFieldAsString(f, idx);
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return RTM_READ_EMPTY;
    d = rtm_strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (end == s || *end || !isfinite(d))
        return RTM_READ_BAD;
    *out = d;
    return 0;
}

/* Lines of s after its first that carry at least need separators of one
 * kind (',', ';' or tab: whatever OGR detected as the delimiter): text that
 * was meant as separate rows. Counting characters, not parsing CSV. */
static size_t row_like_lines(const char *s, size_t need)
{
    size_t rows = 0, c[3] = {0, 0, 0};
    for (s = strchr(s, '\n'); s && *s; s++) {
        if (*s == '\n') {
            rows += c[0] >= need || c[1] >= need || c[2] >= need;
            c[0] = c[1] = c[2] = 0;
        } else {
            c[0] += *s == ',';
            c[1] += *s == ';';
            c[2] += *s == '\t';
        }
    }
    return rows + (c[0] >= need || c[1] >= need || c[2] >= need);
}

/* The text fields of the layer, looked up once per source (v->ntext < 0:
 * more than RTM_VSOURCE_MAX_TEXT fields: looked up per row). */
static void find_text_fields(rtm_vsource *v)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(v->layer);
    int nf = OGR_FD_GetFieldCount(d);
    v->nfields = nf;
    v->ntext = 0;
    for (int i = 0; i < nf; i++) {
        if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, i)) != OFTString)
            continue;
        if (v->ntext == RTM_VSOURCE_MAX_TEXT) {
            v->ntext = -1;
            return;
        }
        v->text[v->ntext++] = i;
    }
}

/* Field i holds the joined lines of an unclosed quote. */
static int joined(OGRFeatureH f, int i, size_t need)
{
    const char *s;
    if (!OGR_F_IsFieldSetAndNotNull(f, i))
        return 0;
    s = OGR_F_GetFieldAsString(f, i);
    return strchr(s, '\n') && (row_like_lines(s, need) > 0 || strlen(s) > 20000);
}

int rtm_vsource_unclosed_quote(const rtm_vsource *v, OGRFeatureH f)
{
    OGRFeatureDefnH d;
    int nf;
    if (!v->is_csv)
        return -1;
    if (v->nfields > 0 && v->ntext >= 0) { /* listed by rtm_vsource_open */
        size_t need = v->nfields > 2 ? (size_t)v->nfields - 1 : 1;
        for (int k = 0; k < v->ntext; k++)
            if (joined(f, v->text[k], need))
                return v->text[k];
        return -1;
    }
    d = OGR_L_GetLayerDefn(v->layer);
    nf = OGR_FD_GetFieldCount(d);
    for (int i = 0; i < nf; i++)
        if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, i)) == OFTString &&
            joined(f, i, nf > 2 ? (size_t)nf - 1 : 1))
            return i;
    return -1;
}

int rtm_vsource_check_quotes(const rtm_vsource *v, OGRFeatureH f, rtm_error *err)
{
    int i = rtm_vsource_unclosed_quote(v, f);
    char at[200];
    if (i < 0)
        return 0;
    rtm_vsource_where(v, OGR_F_GetFID(f), at, sizeof at);
    return rtm_error_set(err, RTM_ERR_INPUT, RTM_VSOURCE_QUOTE_MSG, at,
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(v->layer), i)));
}

static int open_ds(rtm_vsource *v, const char *path, rtm_error *err)
{
    char *real = NULL;
    size_t n = strlen(path);
    if (n > 3 && !strcasecmp(path + n - 3, ".gz") && strncmp(path, "/vsi", 4)) {
        real = malloc(n + 10);
        if (!real)
            return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory");
        snprintf(real, n + 10, "/vsigzip/%s", path);
    }
    CPLErrorReset();
    v->ds = GDALOpenEx(real ? real : path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    free(real);
    if (!v->ds) {
        FILE *fp = fopen(path, "rb");
        if (!fp && strncmp(path, "/vsi", 4))
            return rtm_error_set(err, RTM_ERR_IO, "points: cannot open '%s': No such file or "
                                 "directory", path);
        if (fp)
            fclose(fp);
        return rtm_error_set(err, RTM_ERR_IO, "points: cannot read '%s' as a vector source: %s",
                             path, rtm_gdal_last_error("unknown format"));
    }
    v->is_csv = !strcasecmp(GDALGetDriverShortName(GDALGetDatasetDriver(v->ds)), "CSV");
    return 0;
}

static int pick_layer(rtm_vsource *v, const char *layer, rtm_error *err)
{
    if (layer) {
        v->layer = GDALDatasetGetLayerByName(v->ds, layer);
        if (!v->layer)
            return rtm_error_set(err, RTM_ERR_INPUT, "points: '%s' has no layer '%s'", v->name,
                                 layer);
    } else {
        if (GDALDatasetGetLayerCount(v->ds) < 1)
            return rtm_error_set(err, RTM_ERR_INPUT, "points: '%s' has no layer", v->name);
        v->layer = GDALDatasetGetLayer(v->ds, 0);
    }
    return 0;
}

/* 1 when the layer has a geometry column (OGR's CSV driver gives one only for
 * a WKT column or when told which columns hold coordinates). */
static int has_geometry(const rtm_vsource *v)
{
    return OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(v->layer)) > 0 &&
           OGR_L_GetGeomType(v->layer) != wkbNone;
}

/* Coordinates: the columns given by name; else the layer's geometry (and its
 * CRS) when it has one, so attribute columns called x/y or lon/lat next to a
 * real geometry are never mistaken for it; else columns with common names.
 * CSVs try the columns before a WKT geometry: their rows are text and any
 * coordinate columns are what the file means. */
static int find_coords(rtm_vsource *v, const char *xf, const char *yf, rtm_error *err)
{
    v->xi = v->yi = -1;
    if (!xf && !yf && !v->is_csv && has_geometry(v))
        return 0;
    if (xf || yf) {
        if (!xf || !yf)
            return rtm_error_set(err, RTM_ERR_ARG, "points: give both --x-field and --y-field");
        if ((v->xi = rtm_vsource_field(v, xf, "points", err)) < 0 ||
            (v->yi = rtm_vsource_field(v, yf, "points", err)) < 0)
            return RTM_ERR_INPUT;
        {
            const char *xn[2] = {xf, NULL};
            v->lonlat = rtm_vsource_find_field(v, LON_NAMES) == rtm_vsource_find_field(v, xn);
        }
        return 0;
    }
    v->xi = rtm_vsource_find_field(v, LON_NAMES);
    v->yi = rtm_vsource_find_field(v, LAT_NAMES);
    if (v->xi >= 0 && v->yi >= 0) {
        v->lonlat = 1;
        return 0;
    }
    v->xi = rtm_vsource_find_field(v, X_NAMES);
    v->yi = rtm_vsource_find_field(v, Y_NAMES);
    if (v->xi >= 0 && v->yi >= 0)
        return 0;
    v->xi = v->yi = -1;
    if (OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(v->layer)) > 0)
        return 0;
    {
        char have[300];
        list_fields(v, have, sizeof have);
        return rtm_error_set(err, RTM_ERR_INPUT,
                             "points: '%s' has no geometry and no coordinate columns "
                             "(fields: %s); name them with --x-field/--y-field", v->name, have);
    }
}

static int find_crs(rtm_vsource *v, const char *src_crs, rtm_error *err)
{
    OGRSpatialReferenceH srs;
    v->crs[0] = '\0';
    if (src_crs) {
        snprintf(v->crs, sizeof v->crs, "%s", src_crs);
        return 0;
    }
    srs = v->xi < 0 ? OGR_L_GetSpatialRef(v->layer) : NULL;
    if (srs) {
        char *wkt = NULL;
        const char *opts[] = {"FORMAT=WKT2_2019", NULL};
        if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt)
            snprintf(v->crs, sizeof v->crs, "%s", wkt);
        CPLFree(wkt);
        if (v->crs[0])
            return 0;
    }
    if (v->xi >= 0 && v->lonlat) {
        snprintf(v->crs, sizeof v->crs, "EPSG:4326");
        return 0;
    }
    if (v->xi >= 0) {
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(v->layer);
        return rtm_error_set(err, RTM_ERR_CRS,
                             "points: '%s' has projected coordinates in fields '%s','%s' and no "
                             "CRS; give it with --src-crs (e.g. --src-crs EPSG:27700)", v->name,
                             OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, v->xi)),
                             OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, v->yi)));
    }
    return rtm_error_set(err, RTM_ERR_CRS,
                         "points: '%s' has no coordinate reference system; give it with "
                         "--src-crs", v->name);
}

int rtm_vsource_open(rtm_vsource *v, const char *path, const char *layer, const char *x_field,
                     const char *y_field, const char *src_crs, const char *where, rtm_error *err)
{
    int r;
    memset(v, 0, sizeof *v);
    v->name = path;
    rtm_gdal_init();
    if ((r = open_ds(v, path, err)) || (r = pick_layer(v, layer, err)) ||
        (r = find_coords(v, x_field, y_field, err)) || (r = find_crs(v, src_crs, err)))
        goto fail;
    find_text_fields(v);
    if (where && *where) {
        CPLErrorReset();
        if (OGR_L_SetAttributeFilter(v->layer, where) != OGRERR_NONE) {
            r = rtm_error_set(err, RTM_ERR_ARG, "points: invalid --where '%s' for '%s': %s",
                              where, path, rtm_gdal_last_error("syntax error"));
            goto fail;
        }
    }
    OGR_L_ResetReading(v->layer);
    return 0;
fail:
    rtm_vsource_close(v);
    return r;
}

int rtm_vsource_open_part(rtm_vsource *v, const rtm_vsource *whole, const char *part,
                          const char *where, rtm_error *err)
{
    static const char *const csv[] = {"CSV", NULL};
    *v = *whole;
    CPLErrorReset();
    v->ds = GDALOpenEx(part, GDAL_OF_VECTOR | GDAL_OF_READONLY, csv, NULL, NULL);
    v->layer = v->ds ? GDALDatasetGetLayer(v->ds, 0) : NULL;
    if (!v->layer) {
        rtm_vsource_close(v);
        return rtm_error_set(err, RTM_ERR_IO, "points: cannot read '%s' as a vector source: %s",
                             v->name, rtm_gdal_last_error("unknown format"));
    }
    if (where && *where && OGR_L_SetAttributeFilter(v->layer, where) != OGRERR_NONE) {
        rtm_vsource_close(v);
        return rtm_error_set(err, RTM_ERR_ARG, "points: invalid --where '%s' for '%s': %s",
                             where, v->name, rtm_gdal_last_error("syntax error"));
    }
    OGR_L_ResetReading(v->layer);
    return 0;
}

void rtm_vsource_close(rtm_vsource *v)
{
    if (v->ds)
        GDALClose(v->ds);
    v->ds = NULL;
    v->layer = NULL;
}
