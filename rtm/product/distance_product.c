/* distance_product.c: the distance product - exact distance to the nearest
 * feature of a layer, as a GeoTIFF (+ .qml) and optionally a map. */
#include "product/product_priv.h"

#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/stats_meta.h"

void rtm_distance_product_init(rtm_distance_product *p)
{
    memset(p, 0, sizeof *p);
    p->max_distance = INFINITY;
}

/* The linear unit of the grid's CRS ("metre", "US survey foot"...). */
static void linear_unit(const rtm_grid *g, char *buf, size_t n)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    char *name = NULL;
    snprintf(buf, n, "metre");
    if (s && g->crs[0] && OSRSetFromUserInput(s, g->crs) == OGRERR_NONE) {
        OSRGetLinearUnits(s, &name);
        if (name && name[0])
            snprintf(buf, n, "%s", name);
    }
    if (s)
        OSRDestroySpatialReference(s);
}

static int add_meta(const rtm_distance_product *p, const rtm_events *ev, const rtm_features *f,
                    const rtm_layer_spec *layer, const rtm_load_stats *st,
                    const rtm_product_env *env, rtm_kv *kv)
{
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "distance to nearest feature");
    for (int i = 0; layer && i < layer->nfiles; i++) {
        char key[32];
        snprintf(key, sizeof key, i ? "LAYER_%d" : "LAYER", i + 1);
        rc |= rtm_kv_add(kv, key, "%s", layer->files[i]);
    }
    rc |= rtm_kv_add(kv, "FEATURES", "%zu", rtm_features_count(f));
    if (isfinite(p->max_distance))
        rc |= rtm_kv_add(kv, "MAX_DISTANCE", "%.17g", p->max_distance);
    rc |= rtm_prod_grid_meta(env, &ev->grid, kv);
    if (st)
        rc |= rtm_kv_add_load_stats(kv, "FEATURES", st);
    return rc;
}

static int write_files(const rtm_distance_product *p, const rtm_events *ev, const double *v,
                       rtm_kv *kv, const rtm_product_env *env, rtm_outset *out, rtm_error *err)
{
    char unit[64], label[96];
    rtm_geotiff_opts go;
    rtm_map_opts mo;
    int rc;
    linear_unit(&ev->grid, unit, sizeof unit);
    snprintf(label, sizeof label, "distance (%s)", unit);
    rtm_geotiff_opts_init(&go);
    go.band_description = "distance to the nearest feature (CRS units)";
    go.units = unit;
    go.metadata = rtm_kv_list(kv);
    go.qml_ramp = "viridis";
    if ((rc = rtm_prod_geotiff(out, p->tif, &ev->grid, v, ev->mask, &go, err)) || !p->png)
        return rc;
    rtm_map_opts_init(&mo);
    mo.ramp = "cividis";
    mo.title = p->title ? p->title : "Distance to the nearest feature";
    mo.units_label = label;
    mo.attribution = env && env->attribution ? env->attribution : RTM_ATTR_OGL;
    mo.zero_transparent_below = -INFINITY;
    return rtm_prod_map(out, p->png, &ev->grid, v, ev->mask, &mo, err);
}

/* The distance as a tiled product (rtm/tile.h). */
typedef struct dist_tiled {
    const rtm_distance_product *p;
    const rtm_events *ev;
    const rtm_features *f;
    const rtm_layer_spec *layer;
    const rtm_load_stats *st;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_product_result *res;
} dist_tiled;

/* Strip [r0, r1): distances, NaN beyond the reach or outside the area. */
static int dist_strip(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    dist_tiled *d = ctx;
    const rtm_events *ev = d->ev;
    size_t n = (size_t)(t->r1 - t->r0) * (size_t)ev->grid.ncols;
    size_t k0 = (size_t)t->r0 * (size_t)ev->grid.ncols;
    /* a rectangle (t->cols > 1): only the blocks that meet its columns */
    int rc = rtm_distance_compute_window(&ev->grid, d->f, d->p->max_distance,
                                         d->env ? d->env->threads : 0, t->r0, t->r1, t->c0,
                                         t->c1, v, err);
    for (size_t k = 0; !rc && k < n; k++)
        if (!isfinite(v[k]) || (ev->mask && !ev->mask[k0 + k]))
            v[k] = NAN;
    return rc;
}

static int dist_finish(void *ctx, double *v, rtm_error *err)
{
    dist_tiled *d = ctx;
    const rtm_events *ev = d->ev;
    rtm_kv kv;
    int rc = 0;
    rtm_kv_init(&kv);
    if (add_meta(d->p, ev, d->f, d->layer, d->st, d->env, &kv))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory");
    if (!rc)
        rc = write_files(d->p, ev, v, &kv, d->env, d->out, err);
    rtm_kv_free(&kv);
    if (!rc && d->res) {
        d->res->v = v;
        snprintf(d->res->units, sizeof d->res->units, "distance (CRS units)");
        snprintf(d->res->summary, sizeof d->res->summary, "distance: %zu features, %d x %d "
                 "cells", rtm_features_count(d->f), ev->grid.ncols, ev->grid.nrows);
        return 0;
    }
    free(v);
    return rc;
}

int rtm_distance_product_tiled(const rtm_distance_product *p, const rtm_events *ev,
                               const rtm_features *f, const rtm_layer_spec *layer,
                               const rtm_load_stats *st, const rtm_product_env *env,
                               const rtm_tiling *h, rtm_outset *out, rtm_product_result *res,
                               rtm_error *err)
{
    dist_tiled d = {p, ev, f, layer, st, env, out, res};
    rtm_tiled t = {"distance", 1, ev->grid, dist_strip, dist_finish, &d, 0, "", NULL, NULL, 0};
    if (!p->tif)
        return rtm_error_set(err, RTM_ERR_ARG, "distance: no output GeoTIFF name");
    return rtm_prod_tiled_from(&t, h, &ev, 1, f, out, err);
}

int rtm_distance_product_run(const rtm_distance_product *p, const rtm_events *ev,
                             const rtm_features *f, const rtm_layer_spec *layer,
                             const rtm_load_stats *st, const rtm_product_env *env,
                             rtm_outset *out, rtm_product_result *res, rtm_error *err)
{
    rtm_tiling h;
    rtm_tiling_init(&h);
    return rtm_distance_product_tiled(p, ev, f, layer, st, env, &h, out, res, err);
}
