/* places_load.c: patrol places - polygons with a label - read through OGR
 * and PROJ for the dosage (see rtm/dosage.h). */
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"
#include "rtm/dosage.h"
#include "rtm/input.h"

void rtm_place_set_free(rtm_place_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->label[i]);
    free(s->label), free(s->ring_start), free(s->ring_off), free(s->xy), free(s->bbox);
    memset(s, 0, sizeof *s);
}

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
}

int rtm_place_set_add(rtm_place_set *s, const char *label, const double *const *rings,
                      const size_t *npts, int nrings, rtm_error *err)
{
    size_t pts = s->nrings ? s->ring_off[s->nrings] : 0, add = 0;
    double *bb;
    for (int r = 0; r < nrings; r++)
        add += npts[r];
    char **lab = realloc(s->label, ((size_t)s->n + 1) * sizeof *lab);
    if (lab)
        s->label = lab;
    size_t *rs = realloc(s->ring_start, ((size_t)s->n + 2) * sizeof *rs);
    if (rs)
        s->ring_start = rs;
    size_t *ro = realloc(s->ring_off, (s->nrings + (size_t)nrings + 1) * sizeof *ro);
    if (ro)
        s->ring_off = ro;
    double *xy = realloc(s->xy, 2 * (pts + add + 1) * sizeof *xy);
    if (xy)
        s->xy = xy;
    bb = realloc(s->bbox, 4 * ((size_t)s->n + 1) * sizeof *bb);
    if (bb)
        s->bbox = bb;
    if (!lab || !rs || !ro || !xy || !bb || !(s->label[s->n] = strdup(label)))
        return oom(err);
    if (s->n == 0)
        s->ring_start[0] = 0, s->ring_off[0] = 0;
    bb = s->bbox + 4 * s->n;
    bb[0] = bb[1] = INFINITY, bb[2] = bb[3] = -INFINITY;
    for (int r = 0; r < nrings; r++) {
        for (size_t k = 0; k < npts[r]; k++) {
            double x = rings[r][2 * k], y = rings[r][2 * k + 1];
            s->xy[2 * pts] = x, s->xy[2 * pts + 1] = y;
            pts++;
            bb[0] = fmin(bb[0], x), bb[1] = fmin(bb[1], y);
            bb[2] = fmax(bb[2], x), bb[3] = fmax(bb[3], y);
        }
        s->ring_off[++s->nrings] = pts;
    }
    s->n++;
    s->ring_start[s->n] = s->nrings;
    return 0;
}

/* The rings of polygon g (transformed) added as place `label`. */
static int add_polygon(rtm_place_set *s, OGRGeometryH g, rtm_transform *tr, const char *label,
                       rtm_error *err)
{
    int nr = OGR_G_GetGeometryCount(g), rc = 0;
    double **rings = calloc((size_t)nr + 1, sizeof *rings);
    size_t *np = calloc((size_t)nr + 1, sizeof *np);
    unsigned char *ok = NULL;
    for (int r = 0; rings && np && r < nr && !rc; r++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
        int n = OGR_G_GetPointCount(ring);
        double *x = malloc(((size_t)n + 1) * sizeof *x), *y = malloc(((size_t)n + 1) * sizeof *y);
        rings[r] = malloc(2 * ((size_t)n + 1) * sizeof **rings);
        ok = realloc(ok, (size_t)n + 1);
        if (!x || !y || !rings[r] || !ok)
            rc = oom(err);
        else {
            OGR_G_GetPoints(ring, x, sizeof *x, y, sizeof *y, NULL, 0);
            if (rtm_transform_points(tr, x, y, (size_t)n, ok) != (size_t)n)
                rc = rtm_error_set(err, RTM_ERR_CRS, "places: place '%s' cannot be "
                                   "transformed to the destination CRS", label);
            for (int k = 0; k < n; k++)
                rings[r][2 * k] = x[k], rings[r][2 * k + 1] = y[k];
            np[r] = (size_t)n;
        }
        free(x), free(y);
    }
    if (!rings || !np)
        rc = oom(err);
    if (!rc)
        rc = rtm_place_set_add(s, label, (const double *const *)rings, np, nr, err);
    for (int r = 0; rings && r < nr; r++)
        free(rings[r]);
    free(rings), free(np), free(ok);
    return rc;
}

/* One feature: its polygons (all parts of a multipolygon form one place). */
static int add_feature(rtm_place_set *s, OGRFeatureH f, int pi, rtm_transform *tr,
                       rtm_error *err)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f), lin = NULL;
    char label[128];
    int rc = 0;
    if (pi >= 0 && OGR_F_IsFieldSetAndNotNull(f, pi))
        snprintf(label, sizeof label, "%s", OGR_F_GetFieldAsString(f, pi));
    else
        snprintf(label, sizeof label, "%lld", (long long)OGR_F_GetFID(f));
    if (!g || OGR_G_IsEmpty(g))
        return 1;
    if (OGR_G_HasCurveGeometry(g, 0))
        g = lin = OGR_G_GetLinearGeometry(g, 0, NULL);
    switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPolygon: rc = add_polygon(s, g, tr, label, err); break;
    case wkbMultiPolygon: {
        /* parts as extra rings of one place: even-odd over disjoint parts
         * is their union */
        OGRGeometryH all = OGR_G_CreateGeometry(wkbPolygon);
        for (int k = 0; k < OGR_G_GetGeometryCount(g); k++) {
            OGRGeometryH part = OGR_G_GetGeometryRef(g, k);
            for (int r = 0; r < OGR_G_GetGeometryCount(part); r++)
                OGR_G_AddGeometry(all, OGR_G_GetGeometryRef(part, r));
        }
        rc = add_polygon(s, all, tr, label, err);
        OGR_G_DestroyGeometry(all);
        break;
    }
    default: rc = 1;
    }
    if (lin)
        OGR_G_DestroyGeometry(lin);
    return rc;
}

static int read_layer(rtm_vsource *v, const char *dst, rtm_place_set *out, rtm_error *err)
{
    const char *names[] = {"place", NULL};
    int pi = rtm_vsource_find_field(v, names), rc = 0;
    rtm_transform *tr = rtm_transform_create(v->crs, dst, err);
    OGRFeatureH f;
    if (!tr)
        return err ? err->code : RTM_ERR_CRS;
    while (!rc && (f = OGR_L_GetNextFeature(v->layer))) {
        rc = add_feature(out, f, pi, tr, err);
        if (rc == 1)
            rc = 0; /* no polygon: not a place */
        OGR_F_Destroy(f);
    }
    rtm_transform_free(tr);
    return rc;
}

int rtm_place_set_load(const char *path, const char *layer, const char *dst_crs,
                       rtm_place_set *out, rtm_error *err)
{
    rtm_vsource v;
    int rc;
    memset(out, 0, sizeof *out);
    rtm_gdal_init();
    if ((rc = rtm_vsource_open(&v, path, layer, NULL, NULL, NULL, NULL, err)))
        return rc;
    if (!v.crs[0])
        rc = rtm_error_set(err, RTM_ERR_CRS, "places: '%s' has no CRS", path);
    else if (!dst_crs && rtm_crs_is_geographic(v.crs) != 0)
        rc = rtm_error_set(err, RTM_ERR_CRS, "places: '%s' is in longitude/latitude: give a "
                           "projected --dst-crs (e.g. EPSG:27700)", path);
    else if (dst_crs && rtm_crs_is_geographic(dst_crs) != 0)
        rc = rtm_error_set(err, RTM_ERR_CRS, "places: the destination CRS '%s' is not a "
                           "known projected CRS (give one in metres, e.g. EPSG:27700)", dst_crs);
    else {
        snprintf(out->crs, sizeof out->crs, "%s", dst_crs ? dst_crs : v.crs);
        rc = read_layer(&v, out->crs, out, err);
    }
    rtm_vsource_close(&v);
    if (!rc && out->n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "places: '%s' holds no polygon", path);
    if (rc)
        rtm_place_set_free(out);
    return rc;
}
