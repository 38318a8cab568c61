/* layer_load.c: risk-factor layers from OGR sources (see rtm/input.h). */
#include "rtm/input.h"

#include <cpl_error.h>
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

/* Transform every vertex of g in place with t (the same rules as event
 * points: non-finite coordinates, or coordinates outside the valid area of
 * the CRSs, are refused). Returns 0, 1 when a vertex cannot be transformed,
 * or -1 when out of memory. Curves must have been linearised. */
static int transform_geometry(OGRGeometryH g, rtm_transform *t)
{
    int i, n = OGR_G_GetGeometryCount(g), rc = 0;
    if (n > 0) {
        for (i = 0; i < n && !rc; i++)
            rc = transform_geometry(OGR_G_GetGeometryRef(g, i), t);
        return rc;
    }
    n = OGR_G_GetPointCount(g);
    if (n <= 0)
        return 0;
    {
        double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
        unsigned char *ok = malloc((size_t)n);
        rc = -1;
        if (x && y && ok) {
            OGR_G_GetPoints(g, x, sizeof *x, y, sizeof *y, NULL, 0);
            rc = rtm_transform_points(t, x, y, (size_t)n, ok) == (size_t)n ? 0 : 1;
            if (!rc)
                OGR_G_SetPoints(g, n, x, sizeof *x, y, sizeof *y, NULL, 0);
        }
        free(x);
        free(y);
        free(ok);
        return rc;
    }
}

static void count_skip(const rtm_vsource *v, rtm_load_stats *st, rtm_skip_reason r, GIntBig fid)
{
    if (st->skipped[r]++ == 0)
        rtm_vsource_where(v, fid, st->example[r], sizeof st->example[0]);
}

/* One feature's geometry: transformed (linearised first if curved) and added,
 * or counted as skipped. */
static int load_feature(rtm_features *f, const rtm_vsource *v, rtm_transform *t, OGRFeatureH ft,
                        rtm_load_stats *st, rtm_error *err)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(ft), c;
    int rc;
    if (!g || OGR_G_IsEmpty(g)) {
        count_skip(v, st, RTM_SKIP_NO_COORDS, OGR_F_GetFID(ft));
        return 0;
    }
    c = OGR_G_HasCurveGeometry(g, TRUE) ? OGR_G_GetLinearGeometry(g, 0, NULL) : OGR_G_Clone(g);
    if (!c)
        return rtm_error_set(err, RTM_ERR_NOMEM, "layer: out of memory");
    rc = transform_geometry(c, t);
    if (rc < 0)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "layer: out of memory");
    else if (rc > 0) {
        count_skip(v, st, RTM_SKIP_OUTSIDE_CRS, OGR_F_GetFID(ft));
        rc = 0;
    } else if (!(rc = add_geometry(f, c, err)))
        st->used++;
    OGR_G_DestroyGeometry(c);
    return rc;
}

static int load_geometries(rtm_features *f, rtm_vsource *v, const rtm_load_opts *o,
                           rtm_load_stats *st, rtm_error *err)
{
    OGRFeatureH ft;
    int rc = 0;
    rtm_transform *t = rtm_transform_create(v->crs, o->dst_crs, err);
    if (!t)
        return RTM_ERR_CRS;
    while (!rc && (ft = OGR_L_GetNextFeature(v->layer)) != NULL) {
        st->read++;
        rc = load_feature(f, v, t, ft, st, err);
        OGR_F_Destroy(ft);
    }
    rtm_transform_free(t);
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
