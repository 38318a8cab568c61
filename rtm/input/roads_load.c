/* roads_load.c: road lines with a name for street-segment patrol places
 * (rtm/places.h), read through OGR and PROJ. */
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"
#include "rtm/input.h"
#include "rtm/places.h"

void rtm_road_set_free(rtm_road_set *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        free(r->name[i]);
    free(r->name), free(r->off), free(r->xy);
    memset(r, 0, sizeof *r);
}

/* Append line g (transformed; a vertex that cannot be: the line is
 * skipped) with its name. Returns 0, 1 (skipped) or an error. */
static int add_line(rtm_road_set *r, OGRGeometryH g, rtm_transform *tr, const char *name,
                    rtm_error *err)
{
    int n = OGR_G_GetPointCount(g);
    size_t base = r->n ? r->off[r->n] : 0;
    if (n < 2)
        return 1;
    double *xy = realloc(r->xy, 2 * (base + (size_t)n) * sizeof *xy);
    size_t *off = realloc(r->off, ((size_t)r->n + 2) * sizeof *off);
    char **nm = realloc(r->name, ((size_t)r->n + 1) * sizeof *nm);
    if (xy)
        r->xy = xy;
    if (off)
        r->off = off;
    if (nm)
        r->name = nm;
    if (!xy || !off || !nm)
        return rtm_error_set(err, RTM_ERR_NOMEM, "roads: out of memory");
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    unsigned char *ok = malloc((size_t)n);
    int rc = !x || !y || !ok ? rtm_error_set(err, RTM_ERR_NOMEM, "roads: out of memory") : 0;
    for (int k = 0; !rc && k < n; k++)
        x[k] = OGR_G_GetX(g, k), y[k] = OGR_G_GetY(g, k);
    if (!rc && rtm_transform_points(tr, x, y, (size_t)n, ok) != (size_t)n)
        rc = 1;
    if (!rc && !(r->name[r->n] = strdup(name)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "roads: out of memory");
    if (!rc) {
        for (int k = 0; k < n; k++)
            r->xy[2 * (base + k)] = x[k], r->xy[2 * (base + k) + 1] = y[k];
        if (r->n == 0)
            r->off[0] = 0;
        r->off[++r->n] = base + (size_t)n;
    }
    free(x), free(y), free(ok);
    return rc;
}

static int add_feature(rtm_road_set *r, OGRFeatureH f, int ni, rtm_transform *tr,
                       rtm_error *err)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f), lin = NULL;
    const char *name = ni >= 0 && OGR_F_IsFieldSetAndNotNull(f, ni) ? OGR_F_GetFieldAsString(f, ni) : "";
    int rc = 0;
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    if (OGR_G_HasCurveGeometry(g, 0))
        g = lin = OGR_G_GetLinearGeometry(g, 0, NULL);
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbLineString)
        rc = add_line(r, g, tr, name, err);
    else if (t == wkbMultiLineString)
        for (int k = 0; k < OGR_G_GetGeometryCount(g) && rc <= 1; k++)
            rc = add_line(r, OGR_G_GetGeometryRef(g, k), tr, name, err);
    if (lin)
        OGR_G_DestroyGeometry(lin);
    return rc == 1 ? 0 : rc;
}

int rtm_roads_load(const char *path, const char *layer, const char *where,
                   const char *name_field, const char *dst_crs, rtm_road_set *out,
                   rtm_error *err)
{
    static const char *const names[] = {"name", "NAME", "road_name", NULL};
    rtm_vsource v;
    rtm_transform *tr = NULL;
    OGRFeatureH f;
    int rc, ni;
    memset(out, 0, sizeof *out);
    rtm_gdal_init();
    if ((rc = rtm_vsource_open(&v, path, layer, NULL, NULL, NULL, where, err)))
        return rc;
    ni = name_field ? rtm_vsource_field(&v, name_field, "road name", err)
                    : rtm_vsource_find_field(&v, names);
    if (name_field && ni < 0)
        rc = err ? err->code : RTM_ERR_ARG;
    else if (!v.crs[0])
        rc = rtm_error_set(err, RTM_ERR_CRS, "roads: '%s' has no CRS", path);
    else if (!(tr = rtm_transform_create(v.crs, dst_crs, err)))
        rc = err ? err->code : RTM_ERR_CRS;
    while (!rc && (f = OGR_L_GetNextFeature(v.layer))) {
        rc = add_feature(out, f, ni, tr, err);
        OGR_F_Destroy(f);
    }
    rtm_transform_free(tr);
    rtm_vsource_close(&v);
    if (!rc && out->n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "roads: '%s' holds no line%s", path,
                           where ? " matching the filter" : "");
    if (rc)
        rtm_road_set_free(out);
    return rc;
}
