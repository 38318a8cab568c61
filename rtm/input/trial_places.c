/* trial_places.c: the patrol places of a trial (rtm/trial.h) read with OGR
 * - polygons with their `place` id, rank, name, events and harm fields,
 * transformed to the analysis CRS - and the point-to-place geometry the
 * evaluation needs (inside, distance to the edge). */
#include "rtm/trial.h"

#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"

#define MAX_PLACES 100000

void rtm_trial_places_free(rtm_trial_places *pl)
{
    for (int i = 0; pl && i < pl->n; i++) {
        free(pl->p[i].ring_start);
        free(pl->p[i].xy);
    }
    if (pl) {
        free(pl->p);
        memset(pl, 0, sizeof *pl);
    }
}

/* An id as text, whole numbers without decimals ("7.0" -> "7"), so a
 * GeoPackage integer, a CSV "7" and a float "7.0" name the same place. */
static void norm_id(const char *s, char *out, size_t sz)
{
    char *end;
    double v;
    while (*s == ' ')
        s++;
    v = strtod(s, &end);
    while (end && *end == ' ')
        end++;
    if (*s && end && !*end && isfinite(v) && v == floor(v) && fabs(v) < 1e15)
        snprintf(out, sz, "%.0f", v);
    else
        snprintf(out, sz, "%s", s);
    for (size_t n = strlen(out); n > 0 && out[n - 1] == ' '; n--)
        out[n - 1] = '\0';
}

int rtm_trial_places_find(const rtm_trial_places *pl, const char *id)
{
    char k[64];
    norm_id(id ? id : "", k, sizeof k);
    for (int i = 0; i < pl->n; i++)
        if (!strcmp(pl->p[i].id, k))
            return i;
    return -1;
}

/* Append ring g (a linear ring, already in the analysis CRS) to place p;
 * returns its signed area (shoelace) or NAN when out of memory. */
static double add_ring(rtm_trial_place *p, OGRGeometryH g, size_t *cap)
{
    int n = OGR_G_GetPointCount(g);
    size_t at = p->ring_start[p->nrings];
    double a = 0;
    if (n < 3)
        return 0;
    if (at + (size_t)n > *cap) {
        size_t nc = (at + (size_t)n) * 2;
        double *xy = realloc(p->xy, nc * 2 * sizeof *xy);
        if (!xy)
            return NAN;
        p->xy = xy;
        *cap = nc;
    }
    for (int k = 0; k < n; k++) {
        double x = OGR_G_GetX(g, k), y = OGR_G_GetY(g, k);
        p->xy[2 * (at + k)] = x;
        p->xy[2 * (at + k) + 1] = y;
        p->bbox[0] = fmin(p->bbox[0], x), p->bbox[1] = fmin(p->bbox[1], y);
        p->bbox[2] = fmax(p->bbox[2], x), p->bbox[3] = fmax(p->bbox[3], y);
    }
    for (int k = 0; k < n; k++) {
        const double *u = p->xy + 2 * (at + k), *w = p->xy + 2 * (at + (k + 1) % n);
        a += u[0] * w[1] - w[0] * u[1];
    }
    size_t *rs = realloc(p->ring_start, (size_t)(p->nrings + 2) * sizeof *rs);
    if (!rs)
        return NAN;
    p->ring_start = rs;
    rs[++p->nrings] = at + (size_t)n;
    return a / 2;
}

/* The rings of a polygon or multipolygon into p (even-odd over all rings);
 * p->area the exterior areas less the holes. 0, 1 (not a polygon), -1. */
static int add_polygons(rtm_trial_place *p, OGRGeometryH g, size_t *cap)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        int rc = 0;
        for (int i = 0; i < OGR_G_GetGeometryCount(g) && !rc; i++)
            rc = add_polygons(p, OGR_G_GetGeometryRef(g, i), cap);
        return rc;
    }
    if (t != wkbPolygon)
        return 1;
    for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
        double a = add_ring(p, OGR_G_GetGeometryRef(g, r), cap);
        if (isnan(a))
            return -1;
        p->area += r == 0 ? fabs(a) : -fabs(a);
    }
    return 0;
}

/* Transform every vertex of g in place with t (rtm_transform_points' rules,
 * as the risk-layer loader). 0, 1 when a vertex cannot be, -1 no memory. */
static int transform_geometry(OGRGeometryH g, rtm_transform *t)
{
    int n = OGR_G_GetGeometryCount(g), rc = 0;
    if (n > 0) {
        for (int i = 0; i < n && !rc; i++)
            rc = transform_geometry(OGR_G_GetGeometryRef(g, i), t);
        return rc;
    }
    if ((n = OGR_G_GetPointCount(g)) <= 0)
        return 0;
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

typedef struct fields {
    int id, rank, name, events, harm;
} fields;

static double num_or_nan(OGRFeatureH f, int idx)
{
    double v;
    return idx >= 0 && !rtm_vsource_read_number(f, idx, &v) ? v : NAN;
}

/* One feature: fields, geometry transformed with t. */
static int read_place(const rtm_vsource *v, const fields *fl, OGRFeatureH f,
                      rtm_transform *ct, rtm_trial_place *p, rtm_error *err)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f), c;
    char at[160], id[64];
    size_t cap = 0;
    int rc;
    rtm_vsource_where(v, OGR_F_GetFID(f), at, sizeof at);
    memset(p, 0, sizeof *p);
    if (fl->id >= 0)
        norm_id(OGR_F_GetFieldAsString(f, fl->id), p->id, sizeof p->id);
    else
        snprintf(id, sizeof id, "%lld", (long long)OGR_F_GetFID(f)), norm_id(id, p->id, 64);
    if (!p->id[0])
        return rtm_error_set(err, RTM_ERR_INPUT, "places: %s has an empty place id", at);
    p->rank = fl->rank >= 0 ? OGR_F_GetFieldAsInteger(f, fl->rank) : 0;
    if (fl->name >= 0)
        snprintf(p->name, sizeof p->name, "%s", OGR_F_GetFieldAsString(f, fl->name));
    p->events = num_or_nan(f, fl->events);
    p->harm = num_or_nan(f, fl->harm);
    p->bbox[0] = p->bbox[1] = INFINITY;
    p->bbox[2] = p->bbox[3] = -INFINITY;
    if (!g || OGR_G_IsEmpty(g))
        return rtm_error_set(err, RTM_ERR_INPUT, "places: %s has no geometry", at);
    c = OGR_G_HasCurveGeometry(g, TRUE) ? OGR_G_GetLinearGeometry(g, 0, NULL) : OGR_G_Clone(g);
    if (!c || !(p->ring_start = calloc(1, sizeof *p->ring_start)))
        rc = -1;
    else if ((rc = transform_geometry(c, ct)) > 0)
        rc = 2;
    else if (!rc)
        rc = add_polygons(p, c, &cap);
    OGR_G_DestroyGeometry(c);
    if (rc < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    if (rc > 0 || p->nrings == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "places: %s: %s", at,
                             rc == 2 ? "cannot transform to the analysis CRS"
                                     : "not a polygon (places are squares, discs, buffers)");
    return 0;
}

static int find_fields(const rtm_vsource *v, const char *id_field, fields *fl, rtm_error *err)
{
    static const char *const place[] = {"place", NULL}, *const rank[] = {"rank", NULL},
                             *const name[] = {"name", NULL}, *const ev[] = {"events", NULL},
                             *const harm[] = {"harm", NULL};
    fl->id = id_field ? rtm_vsource_field(v, id_field, "place id", err)
                      : rtm_vsource_find_field(v, place);
    if (id_field && fl->id < 0)
        return RTM_ERR_INPUT;
    fl->rank = rtm_vsource_find_field(v, rank);
    fl->name = rtm_vsource_find_field(v, name);
    fl->events = rtm_vsource_find_field(v, ev);
    fl->harm = rtm_vsource_find_field(v, harm);
    return 0;
}

/* Stable sort by rank (insertion: a few hundred places). */
static void sort_rank(rtm_trial_places *pl)
{
    for (int i = 1; i < pl->n; i++)
        for (int j = i; j > 0 && pl->p[j - 1].rank > pl->p[j].rank; j--) {
            rtm_trial_place t = pl->p[j];
            pl->p[j] = pl->p[j - 1];
            pl->p[j - 1] = t;
        }
}

static int check_ids(const rtm_trial_places *pl, const char *path, rtm_error *err)
{
    for (int i = 0; i < pl->n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(pl->p[i].id, pl->p[j].id))
                return rtm_error_set(err, RTM_ERR_INPUT, "places: '%s': place id '%s' is "
                                     "given twice", path, pl->p[i].id);
    return 0;
}

static int read_all(rtm_vsource *v, const fields *fl, rtm_transform *ct,
                    rtm_trial_places *pl, rtm_error *err)
{
    OGRFeatureH f;
    int rc = 0, cap = 0;
    while (!rc && (f = OGR_L_GetNextFeature(v->layer)) != NULL) {
        if (pl->n >= MAX_PLACES)
            rc = rtm_error_set(err, RTM_ERR_INPUT, "places: '%s' has more than %d places",
                               v->name, MAX_PLACES);
        else if (pl->n == cap) {
            rtm_trial_place *np = realloc(pl->p, (size_t)(cap = cap ? 2 * cap : 32) * sizeof *np);
            if (!np)
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
            else
                pl->p = np;
        }
        if (!rc) {
            rc = read_place(v, fl, f, ct, &pl->p[pl->n], err);
            pl->n++; /* freed with the rest on failure */
        }
        OGR_F_Destroy(f);
    }
    return rc;
}

int rtm_trial_places_load(const char *path, const char *layer, const char *id_field,
                          const char *dst_crs, rtm_trial_places *out, rtm_error *err)
{
    rtm_vsource v;
    fields fl;
    rtm_transform *ct = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = rtm_vsource_open(&v, path, layer, NULL, NULL, NULL, NULL, err)))
        return rc;
    if (v.xi >= 0 || !v.crs[0])
        rc = rtm_error_set(err, RTM_ERR_INPUT, "places: '%s' %s", path,
                           v.xi >= 0 ? "has coordinate columns, not polygons"
                                     : "has no CRS");
    snprintf(out->crs, sizeof out->crs, "%s", dst_crs ? dst_crs : v.crs);
    if (!rc)
        rc = find_fields(&v, id_field, &fl, err);
    if (!rc && !(ct = rtm_transform_create(v.crs, out->crs, err)))
        rc = RTM_ERR_CRS;
    if (!rc)
        rc = read_all(&v, &fl, ct, out, err);
    rtm_transform_free(ct);
    rtm_vsource_close(&v);
    if (!rc && out->n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "places: '%s' has no place", path);
    if (!rc) {
        out->has_events = fl.events >= 0;
        out->has_harm = fl.harm >= 0;
        if (fl.rank >= 0)
            sort_rank(out);
        rc = check_ids(out, path, err);
    }
    if (rc)
        rtm_trial_places_free(out);
    return rc;
}

/* Distance from (x, y) to segment (a, b). */
static double seg_dist(double x, double y, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0)
        t = fmax(0, fmin(1, ((x - a[0]) * dx + (y - a[1]) * dy) / l2));
    return hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

double rtm_trial_place_distance(const rtm_trial_place *p, double x, double y)
{
    double d = INFINITY;
    int inside = 0;
    for (int r = 0; r < p->nrings; r++) {
        size_t s = p->ring_start[r], e = p->ring_start[r + 1];
        for (size_t k = s; k < e; k++) {
            const double *a = p->xy + 2 * k, *b = p->xy + 2 * (k + 1 < e ? k + 1 : s);
            d = fmin(d, seg_dist(x, y, a, b));
            /* even-odd ray crossing (W. R. Franklin's pnpoly) */
            if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0])
                inside = !inside;
        }
    }
    return inside ? -d : d;
}
