/* layer_load.c: risk-factor layers from OGR sources (see rtm_layer.h). */
#include "rtm/input.h"

#include <cpl_error.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"

/* CSV-style sources: the point loader does everything. */
static int load_as_points(rtm_features *f, const char *path, const rtm_load_opts *o,
                          rtm_load_stats *st, rtm_error *err)
{
    rtm_points p;
    rtm_load_opts lo = *o;
    size_t i;
    int rc;
    rtm_points_init(&p);
    lo.area_grid = NULL;
    lo.area_mask = NULL;
    lo.weight_field = NULL;
    lo.weight_table = NULL;
    rc = rtm_points_load(&p, path, &lo, st, err);
    for (i = 0; !rc && i < p.n; i++)
        rc = rtm_features_add_point(f, p.x[i], p.y[i], err);
    rtm_points_clear(&p);
    return rc;
}

static int add_ring_set(rtm_features *f, OGRGeometryH poly, rtm_error *err)
{
    int nr = OGR_G_GetGeometryCount(poly), r, rc = 0;
    double **rings = calloc((size_t)nr, sizeof *rings);
    size_t *rn = calloc((size_t)nr, sizeof *rn);
    if (!rings || !rn) {
        free(rings);
        free(rn);
        return rtm_error_set(err, RTM_ERR_NOMEM, "layer: out of memory");
    }
    for (r = 0; r < nr && !rc; r++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
        int k, np = OGR_G_GetPointCount(ring);
        rings[r] = malloc(2 * (size_t)(np ? np : 1) * sizeof **rings);
        if (!rings[r]) {
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "layer: out of memory");
            break;
        }
        for (k = 0; k < np; k++) {
            rings[r][2 * k] = OGR_G_GetX(ring, k);
            rings[r][2 * k + 1] = OGR_G_GetY(ring, k);
        }
        rn[r] = (size_t)np;
    }
    if (!rc && nr > 0)
        rc = rtm_features_add_polygon(f, (const double *const *)rings, rn, nr, err);
    for (r = 0; r < nr; r++)
        free(rings[r]);
    free(rings);
    free(rn);
    return rc;
}

static int add_geometry(rtm_features *f, OGRGeometryH g, rtm_error *err)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int i, rc = 0;
    if (OGR_G_IsEmpty(g))
        return 0;
    switch (t) {
    case wkbPoint:
        return rtm_features_add_point(f, OGR_G_GetX(g, 0), OGR_G_GetY(g, 0), err);
    case wkbLineString: {
        int k, np = OGR_G_GetPointCount(g);
        double *xy = malloc(2 * (size_t)np * sizeof *xy);
        if (!xy)
            return rtm_error_set(err, RTM_ERR_NOMEM, "layer: out of memory");
        for (k = 0; k < np; k++) {
            xy[2 * k] = OGR_G_GetX(g, k);
            xy[2 * k + 1] = OGR_G_GetY(g, k);
        }
        rc = rtm_features_add_line(f, xy, (size_t)np, err);
        free(xy);
        return rc;
    }
    case wkbPolygon:
        return add_ring_set(f, g, err);
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
        for (i = 0; i < OGR_G_GetGeometryCount(g) && !rc; i++)
            rc = add_geometry(f, OGR_G_GetGeometryRef(g, i), err);
        return rc;
    default: {
        /* curves and other types: linearise first */
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (!lin)
            return 0;
        if (wkbFlatten(OGR_G_GetGeometryType(lin)) != t)
            rc = add_geometry(f, lin, err);
        OGR_G_DestroyGeometry(lin);
        return rc;
    }
    }
}

static OGRCoordinateTransformationH make_ct(const rtm_vsource *v, const char *dst_crs,
                                            rtm_error *err, int *fail)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL), d = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    *fail = 0;
    if (OSRSetFromUserInput(s, v->crs) != OGRERR_NONE ||
        OSRSetFromUserInput(d, dst_crs) != OGRERR_NONE) {
        rtm_error_set(err, RTM_ERR_CRS, "layer: unknown CRS for '%s'", v->name);
        *fail = 1;
    } else {
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(d, OAMS_TRADITIONAL_GIS_ORDER);
        if (!OSRIsSame(s, d) && !(ct = OCTNewCoordinateTransformation(s, d))) {
            rtm_error_set(err, RTM_ERR_CRS, "layer: no transformation for '%s' to '%s'",
                          v->name, dst_crs);
            *fail = 1;
        }
    }
    OSRDestroySpatialReference(s);
    OSRDestroySpatialReference(d);
    return ct;
}

static int load_geometries(rtm_features *f, rtm_vsource *v, const rtm_load_opts *o,
                           rtm_load_stats *st, rtm_error *err)
{
    OGRFeatureH ft;
    int fail, rc = 0;
    OGRCoordinateTransformationH ct = make_ct(v, o->dst_crs, err, &fail);
    if (fail)
        return RTM_ERR_CRS;
    while (!rc && (ft = OGR_L_GetNextFeature(v->layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(ft);
        st->read++;
        if (!g || OGR_G_IsEmpty(g)) {
            if (st->skipped[RTM_SKIP_NO_COORDS]++ == 0)
                rtm_vsource_where(v, OGR_F_GetFID(ft), st->example[RTM_SKIP_NO_COORDS],
                                  sizeof st->example[0]);
        } else {
            OGRGeometryH c = OGR_G_Clone(g);
            if (ct && OGR_G_Transform(c, ct) != OGRERR_NONE) {
                if (st->skipped[RTM_SKIP_OUTSIDE_CRS]++ == 0)
                    rtm_vsource_where(v, OGR_F_GetFID(ft), st->example[RTM_SKIP_OUTSIDE_CRS],
                                      sizeof st->example[0]);
            } else if (!(rc = add_geometry(f, c, err))) {
                st->used++;
            }
            OGR_G_DestroyGeometry(c);
        }
        OGR_F_Destroy(ft);
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    return rc;
}

int rtm_layer_load(rtm_features *f, const char *path, const rtm_load_opts *o,
                   rtm_load_stats *st, rtm_error *err)
{
    rtm_vsource v;
    int rc;
    if (!o->dst_crs)
        return rtm_error_set(err, RTM_ERR_ARG, "layer: no target CRS");
    if ((rc = rtm_vsource_open(&v, path, o->layer, o->x_field, o->y_field, o->src_crs, o->where,
                               err)))
        return rc;
    if (v.xi >= 0) {
        rtm_vsource_close(&v);
        return load_as_points(f, path, o, st, err);
    }
    rc = load_geometries(f, &v, o, st, err);
    rtm_vsource_close(&v);
    return rc;
}
