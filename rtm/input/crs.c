/* crs.c: CRS handling and point transformation through PROJ (see rtm/input.h). */
#include "rtm/input.h"

#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rtm_transform {
    PJ_CONTEXT *ctx;
    PJ *op;          /* src -> dst, normalised to lon/lat order */
    PJ *to_lonlat;   /* src -> lon/lat (lonlat_crs), for the area-of-use test; NULL = src is geographic */
    int src_geographic;
    int identity;
    int has_area;    /* dst area of use known */
    double west, south, east, north;
    int has_inner;   /* inner box known (see inner_box) */
    double ix0, iy0, ix1, iy1;
    char used[512];
    char *key;       /* "src\ndst": the pool's key */
};

/* Transformations given back by rtm_transform_free, kept for the next
 * rtm_transform_create between the same two CRS: making one costs tens of
 * milliseconds (a PROJ context, its database, the search for candidate
 * operations, the inner box), which a model with 33 factor layers paid 33
 * times. Each is owned by one caller at a time (PROJ objects must not be
 * used by two threads at once; one after the other is fine) and holds no
 * state from its previous use but the last operation's name, reset by
 * rtm_transform_restart. What stays in the pool at exit is still
 * reachable (not a leak). */
#define POOL_MAX 16
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static rtm_transform *pool[POOL_MAX];
static int npool;

static char *pool_key(const char *src, const char *dst)
{
    size_t a = strlen(src), b = strlen(dst);
    char *k = malloc(a + b + 2);
    if (k) {
        memcpy(k, src, a);
        k[a] = '\n';
        memcpy(k + a + 1, dst, b + 1);
    }
    return k;
}

static rtm_transform *pool_take(const char *key)
{
    rtm_transform *t = NULL;
    pthread_mutex_lock(&pool_mu);
    for (int i = npool - 1; i >= 0; i--)
        if (!strcmp(pool[i]->key, key)) {
            t = pool[i];
            pool[i] = pool[--npool];
            break;
        }
    pthread_mutex_unlock(&pool_mu);
    return t;
}

/* 1: kept in the pool; 0: the pool is full (the caller frees t). */
static int pool_give(rtm_transform *t)
{
    int kept = 0;
    pthread_mutex_lock(&pool_mu);
    if (npool < POOL_MAX) {
        pool[npool++] = t;
        kept = 1;
    }
    pthread_mutex_unlock(&pool_mu);
    return kept;
}

/* PROJ contexts for the one-off questions below (is it geographic, its
 * WKT, its name, its unit): each new context opens the PROJ database again
 * (a few milliseconds, a dozen times in one command); a context given back
 * keeps its open database and caches for the next question, on whichever
 * thread, one user at a time. */
#define CTX_POOL_MAX 8
static PJ_CONTEXT *ctx_pool[CTX_POOL_MAX];
static int nctx;

static PJ_CONTEXT *ctx_take(void)
{
    PJ_CONTEXT *c = NULL;
    pthread_mutex_lock(&pool_mu);
    if (nctx > 0)
        c = ctx_pool[--nctx];
    pthread_mutex_unlock(&pool_mu);
    if (!c && (c = proj_context_create()))
        proj_log_level(c, PJ_LOG_NONE);
    return c;
}

static void ctx_give(PJ_CONTEXT *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&pool_mu);
    if (nctx < CTX_POOL_MAX) {
        ctx_pool[nctx++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&pool_mu);
    if (c)
        proj_context_destroy(c);
}

static int pj_is_geographic(PJ *crs)
{
    PJ_TYPE t = proj_get_type(crs);
    return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
           t == PJ_TYPE_GEOGRAPHIC_CRS;
}

static PJ *crs_create(PJ_CONTEXT *ctx, const char *def, rtm_error *err)
{
    PJ *crs;
    if (!def || !*def) {
        rtm_error_set(err, RTM_ERR_CRS, "crs: no coordinate reference system given");
        return NULL;
    }
    crs = proj_create(ctx, def);
    if (!crs) {
        rtm_error_set(err, RTM_ERR_CRS, "crs: unknown coordinate reference system '%.200s'", def);
        return NULL;
    }
    if (proj_get_type(crs) == PJ_TYPE_BOUND_CRS) {
        PJ *base = proj_get_source_crs(ctx, crs);
        if (base) {
            proj_destroy(crs);
            crs = base;
        }
    }
    if (!proj_is_crs(crs)) {
        proj_destroy(crs);
        rtm_error_set(err, RTM_ERR_CRS, "crs: '%.200s' is not a coordinate reference system", def);
        return NULL;
    }
    return crs;
}

static PJ *make_op(PJ_CONTEXT *ctx, PJ *src, PJ *dst)
{
    PJ *op = proj_create_crs_to_crs_from_pj(ctx, src, dst, NULL, NULL);
    PJ *norm;
    if (!op)
        return NULL;
    norm = proj_normalize_for_visualization(ctx, op);
    proj_destroy(op);
    return norm;
}

/* The lon/lat of the area-of-use test for projected src: src's own
 * geographic CRS when it counts degrees from Greenwich, so that the test
 * needs only the inverse projection (making the transformation then takes
 * about 3.5 ms instead of 25: PROJ does not search for datum
 * transformations); else WGS 84 (e.g. NTF (Paris): grads from Paris). The
 * published areas are in WGS 84 degrees; datums differ by at most a few
 * hundred metres, nothing against the test's margin (below). */
static PJ *lonlat_crs(PJ_CONTEXT *ctx, PJ *src)
{
    PJ *g = proj_crs_get_geodetic_crs(ctx, src);
    PJ *pm = g ? proj_get_prime_meridian(ctx, g) : NULL;
    PJ *cs = g ? proj_crs_get_coordinate_system(ctx, g) : NULL;
    double lon = 1, u0 = 0, u1 = 0;
    int ok = g && pm && cs && pj_is_geographic(g) &&
             proj_prime_meridian_get_parameters(ctx, pm, &lon, NULL, NULL) && lon == 0 &&
             proj_cs_get_axis_count(ctx, cs) >= 2 &&
             proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, NULL, &u0, NULL, NULL, NULL) &&
             proj_cs_get_axis_info(ctx, cs, 1, NULL, NULL, NULL, &u1, NULL, NULL, NULL) &&
             fabs(u0 - M_PI / 180) < 1e-15 && fabs(u1 - M_PI / 180) < 1e-15;
    proj_destroy(pm);
    proj_destroy(cs);
    if (ok)
        return g;
    proj_destroy(g);
    return proj_create(ctx, "EPSG:4326");
}

/* Margin around the published area of use, in degrees: the boxes are
 * rounded (British National Grid's ends at 2.01 E) and a projection stays
 * accurate a little beyond them, so a feature just over the edge (a road
 * leaving the zone) is kept; a geocode in another country or at 1e308 is not. */
#define AREA_MARGIN_DEG 1.0

/* Area of use as published with the CRS (EPSG), widened by the margin; a box
 * in degrees that may cross the antimeridian (west > east). */
static int in_area(const rtm_transform *t, double lon, double lat)
{
    double m = AREA_MARGIN_DEG;
    if (!(lat >= t->south - m && lat <= t->north + m))
        return 0;
    if (t->west <= t->east)
        return lon >= t->west - m && lon <= t->east + m;
    return lon >= t->west - m || lon <= t->east + m;
}

/* 1 when the projected point (x, y) passes the area-of-use test. */
static int lonlat_in_area(const rtm_transform *t, double x, double y)
{
    PJ_COORD c = proj_trans(t->to_lonlat, PJ_FWD, proj_coord(x, y, 0, 0));
    return isfinite(c.xy.x) && c.xy.x != HUGE_VAL && isfinite(c.xy.y) &&
           in_area(t, c.xy.x, c.xy.y);
}

#define INNER_STEPS 2000 /* samples per edge when checking the inner box */

/* Every sample of the box's edges (INNER_STEPS per edge) and of a grid over
 * it passes the area test. */
static int box_inside(const rtm_transform *t, double x0, double y0, double x1, double y1)
{
    for (int k = 0; k <= INNER_STEPS; k++) {
        double f = (double)k / INNER_STEPS, x = x0 + f * (x1 - x0), y = y0 + f * (y1 - y0);
        if (!lonlat_in_area(t, x, y0) || !lonlat_in_area(t, x, y1) ||
            !lonlat_in_area(t, x0, y) || !lonlat_in_area(t, x1, y))
            return 0;
    }
    for (int i = 1; i < 50; i++)
        for (int j = 1; j < 50; j++)
            if (!lonlat_in_area(t, x0 + (x1 - x0) * i / 50.0, y0 + (y1 - y0) * j / 50.0))
                return 0;
    return 1;
}

/* A box in source coordinates wholly inside the area of use, so that most
 * points skip the inverse projection of check_source (it dominated the
 * reading of projected points). Built from the area shrunk to half the
 * margin (edges' images: the box between the innermost of them), then its
 * edges are checked, densely, against the full-margin test: the image of
 * the box's boundary lies inside the (convex) lon/lat area, so for a
 * continuous one-to-one projection its interior does too, and half a degree
 * (~50 km) separates it from the test's edge, against samples a few hundred
 * metres apart. Any doubt (a failed sample, an antimeridian area, polar
 * latitudes): no box, every point is tested as before. The result of the
 * test is the same either way. */
static void inner_box(rtm_transform *t)
{
    double h = AREA_MARGIN_DEG / 2, w = t->west - h, e = t->east + h;
    double s = t->south - h, n = t->north + h, x0 = -HUGE_VAL, x1 = HUGE_VAL;
    double y0 = -HUGE_VAL, y1 = HUGE_VAL;
    PJ *to_src = t->to_lonlat; /* used backwards: lon/lat -> source */
    if (t->west > t->east || s < -85 || n > 85 || w < -180 || e > 180)
        return;
    for (int k = 0; k <= INNER_STEPS; k++) {
        double f = (double)k / INNER_STEPS;
        PJ_COORD l = proj_trans(to_src, PJ_INV, proj_coord(w, s + f * (n - s), 0, 0));
        PJ_COORD r = proj_trans(to_src, PJ_INV, proj_coord(e, s + f * (n - s), 0, 0));
        PJ_COORD b = proj_trans(to_src, PJ_INV, proj_coord(w + f * (e - w), s, 0, 0));
        PJ_COORD u = proj_trans(to_src, PJ_INV, proj_coord(w + f * (e - w), n, 0, 0));
        if (!isfinite(l.xy.x) || !isfinite(r.xy.x) || !isfinite(b.xy.y) || !isfinite(u.xy.y) ||
            l.xy.x == HUGE_VAL || r.xy.x == HUGE_VAL || b.xy.y == HUGE_VAL ||
            u.xy.y == HUGE_VAL)
            return;
        x0 = fmax(x0, l.xy.x);
        x1 = fmin(x1, r.xy.x);
        y0 = fmax(y0, b.xy.y);
        y1 = fmin(y1, u.xy.y);
    }
    if (x0 < x1 && y0 < y1 && box_inside(t, x0, y0, x1, y1)) {
        t->ix0 = x0;
        t->iy0 = y0;
        t->ix1 = x1;
        t->iy1 = y1;
        t->has_inner = 1;
    }
}

rtm_transform *rtm_transform_create(const char *src, const char *dst, rtm_error *err)
{
    char *key = src && *src && dst && *dst ? pool_key(src, dst) : NULL;
    rtm_transform *t = key ? pool_take(key) : NULL;
    PJ *s = NULL, *d = NULL, *wgs = NULL;
    if (t) {
        free(key);
        rtm_transform_restart(t);
        return t;
    }
    if (!(t = calloc(1, sizeof *t))) {
        free(key);
        rtm_error_set(err, RTM_ERR_NOMEM, "crs: out of memory");
        return NULL;
    }
    t->key = key;
    t->ctx = ctx_take();
    if (!(s = crs_create(t->ctx, src, err)) || !(d = crs_create(t->ctx, dst, err)))
        goto fail;
    t->src_geographic = pj_is_geographic(s);
    t->identity = proj_is_equivalent_to(s, d, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
    t->op = t->identity ? NULL : make_op(t->ctx, s, d); /* identity: never used */
    if (!t->identity && !t->op) {
        rtm_error_set(err, RTM_ERR_CRS, "crs: no transformation from '%.100s' to '%.100s'", src, dst);
        goto fail;
    }
    if (proj_get_area_of_use(t->ctx, d, &t->west, &t->south, &t->east, &t->north, NULL) &&
        t->west > -1000)
        t->has_area = 1;
    if (t->has_area && !t->src_geographic) {
        wgs = lonlat_crs(t->ctx, s);
        t->to_lonlat = wgs ? make_op(t->ctx, s, wgs) : NULL;
        if (!t->to_lonlat)
            t->has_area = 0;
        else
            inner_box(t);
    }
    rtm_transform_restart(t);
    proj_destroy(s);
    proj_destroy(d);
    proj_destroy(wgs);
    return t;
fail:
    proj_destroy(s);
    proj_destroy(d);
    free(t->key); /* a failed one is not kept */
    t->key = NULL;
    rtm_transform_free(t);
    return NULL;
}

void rtm_transform_free(rtm_transform *t)
{
    if (!t || (t->key && pool_give(t)))
        return;
    free(t->key);
    proj_destroy(t->op);
    proj_destroy(t->to_lonlat);
    ctx_give(t->ctx);
    free(t);
}


static int check_source(rtm_transform *t, double x, double y)
{
    if (!isfinite(x) || !isfinite(y))
        return 0;
    if (t->src_geographic) {
        if (x < -180 || x > 180 || y < -90 || y > 90)
            return 0;
        return !t->has_area || in_area(t, x, y);
    }
    if (t->has_inner && x >= t->ix0 && x <= t->ix1 && y >= t->iy0 && y <= t->iy1)
        return 1;
    if (t->has_area) {
        PJ_COORD c = proj_coord(x, y, 0, 0);
        c = proj_trans(t->to_lonlat, PJ_FWD, c);
        if (!isfinite(c.xy.x) || c.xy.x == HUGE_VAL)
            return 0;
        return in_area(t, c.xy.x, c.xy.y);
    }
    return 1;
}

size_t rtm_transform_points(rtm_transform *t, double *x, double *y, size_t n, unsigned char *ok)
{
    size_t i, good = 0;
    int described = 0;
    for (i = 0; i < n; i++) {
        ok[i] = (unsigned char)check_source(t, x[i], y[i]);
        if (!ok[i]) {
            x[i] = y[i] = NAN;
            continue;
        }
        if (!t->identity) {
            PJ_COORD c = proj_trans(t->op, PJ_FWD, proj_coord(x[i], y[i], 0, 0));
            if (c.xy.x == HUGE_VAL || !isfinite(c.xy.x) || !isfinite(c.xy.y)) {
                ok[i] = 0;
                x[i] = y[i] = NAN;
                continue;
            }
            x[i] = c.xy.x;
            y[i] = c.xy.y;
            if (!described) {
                PJ *used = proj_trans_get_last_used_operation(t->op);
                const char *name = used ? proj_get_name(used) : NULL;
                snprintf(t->used, sizeof t->used, "%s", name ? name : proj_get_name(t->op));
                proj_destroy(used);
                described = 1;
            }
        }
        good++;
    }
    return good;
}

const char *rtm_transform_describe(const rtm_transform *t)
{
    return t->used;
}

void rtm_transform_restart(rtm_transform *t)
{
    snprintf(t->used, sizeof t->used, "%s", t->identity ? "identity" : "none (no point transformed)");
}

int rtm_transform_is_identity(const rtm_transform *t)
{
    return t->identity;
}

int rtm_crs_is_geographic(const char *def)
{
    PJ_CONTEXT *ctx = ctx_take();
    PJ *c;
    int r = -1;
    c = crs_create(ctx, def, NULL);
    if (c)
        r = pj_is_geographic(c);
    proj_destroy(c);
    ctx_give(ctx);
    return r;
}

int rtm_crs_to_wkt(const char *def, char *buf, size_t bufsz, rtm_error *err)
{
    PJ_CONTEXT *ctx = ctx_take();
    PJ *c;
    const char *wkt;
    int r = 0;
    c = crs_create(ctx, def, err);
    if (!c) {
        ctx_give(ctx);
        return RTM_ERR_CRS;
    }
    wkt = proj_as_wkt(ctx, c, PJ_WKT1_GDAL, NULL);
    if (!wkt)
        wkt = proj_as_wkt(ctx, c, PJ_WKT2_2019, NULL);
    if (!wkt)
        r = rtm_error_set(err, RTM_ERR_CRS, "crs: cannot express '%.200s' as WKT", def);
    else if (strlen(wkt) >= bufsz)
        r = rtm_error_set(err, RTM_ERR_ARG, "crs: WKT of '%.200s' is too long", def);
    else
        memcpy(buf, wkt, strlen(wkt) + 1);
    proj_destroy(c);
    ctx_give(ctx);
    return r;
}

int rtm_crs_describe(const char *def, char *name, size_t namesz, char *code, size_t codesz,
                     rtm_error *err)
{
    PJ_CONTEXT *ctx = ctx_take();
    PJ *c;
    c = crs_create(ctx, def, err);
    if (!c) {
        ctx_give(ctx);
        return RTM_ERR_CRS;
    }
    if (name)
        snprintf(name, namesz, "%s", proj_get_name(c) ? proj_get_name(c) : "unnamed");
    if (code) {
        const char *auth = proj_get_id_auth_name(c, 0), *id = proj_get_id_code(c, 0);
        if (!auth || !id) {
            /* WKT without an id: ask the database for the best match */
            int *conf = NULL;
            PJ_OBJ_LIST *l = proj_identify(ctx, c, "EPSG", NULL, &conf);
            code[0] = '\0';
            if (l && proj_list_get_count(l) > 0 && conf && conf[0] >= 90) {
                PJ *m = proj_list_get(ctx, l, 0);
                snprintf(code, codesz, "%s:%s", proj_get_id_auth_name(m, 0),
                         proj_get_id_code(m, 0));
                proj_destroy(m);
            }
            proj_int_list_destroy(conf);
            proj_list_destroy(l);
        } else {
            snprintf(code, codesz, "%s:%s", auth, id);
        }
    }
    proj_destroy(c);
    ctx_give(ctx);
    return 0;
}

double rtm_crs_metres_per_unit(const char *def)
{
    PJ_CONTEXT *ctx = ctx_take();
    PJ *c, *cs = NULL;
    double f = 0;
    c = crs_create(ctx, def, NULL);
    if (c && !pj_is_geographic(c)) {
        cs = proj_crs_get_coordinate_system(ctx, c);
        if (cs && !proj_cs_get_axis_info(ctx, cs, 0, NULL, NULL, NULL, &f, NULL, NULL, NULL))
            f = 0;
    }
    proj_destroy(cs);
    proj_destroy(c);
    ctx_give(ctx);
    return f;
}
