/* kde_product.c: the kernel density product - the density GeoTIFF (+ .qml)
 * and its map (rtm/product.h). */
#include "product/product_priv.h"
#include "product/knox_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_kde_product_init(rtm_kde_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_kde_opts_init(&p->kde);
    rtm_kde_plus_init(&p->plus);
    p->radius_rule = RTM_RADIUS_ARCGIS;
}

/* How the values are labelled: "events per km²" (or the weight's unit). */
static void units_text(const rtm_kde_product *p, int weighted, char *label, size_t n,
                       char *unit, size_t un)
{
    const char *what = weighted ? (p->weight_unit ? p->weight_unit : "weight") : "events";
    static const char *const per[] = {"per km²", "per ha", "per m²", "per cell", ""};
    static const char *const slash[] = {"km2", "ha", "m2", "cell", ""};
    if (p->units == RTM_MAP_PROBABILITY) {
        snprintf(label, n, "share of all %s per cell", what);
        snprintf(unit, un, "probability");
    } else if (p->units == RTM_MAP_PER_CELL) {
        snprintf(label, n, "expected %s per cell", what);
        snprintf(unit, un, "%s/cell", what);
    } else {
        snprintf(label, n, "%s %s", what, per[p->units]);
        snprintf(unit, un, "%s/%s", what, slash[p->units]);
    }
}

static const char *rule_name(rtm_radius_rule r)
{
    return r == RTM_RADIUS_SCOTT ? "auto-scott" : r == RTM_RADIUS_ARCGIS ? "auto-arcgis"
           : r == RTM_RADIUS_CV ? "auto-cv" : "given";
}

/* Likelihood cross-validation (rtm_bandwidth_cv) over the study area; the
 * curve goes to the log, with spatstat's warning when the best candidate is
 * an end of the search grid. */
static int cv_radius(const rtm_kde_product *p, const rtm_events *ev, const rtm_product_env *env,
                     double *radius, rtm_error *err)
{
    rtm_kde_plus plus = p->plus;
    rtm_kde_opts ko = p->kde;
    rtm_kde_cv cv;
    int rc;
    plus.window = ev->mask;
    ko.threads = env && env->threads ? env->threads : ko.threads;
    if ((rc = rtm_bandwidth_cv(&ev->grid, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, &ko, &plus,
                               0, radius, &cv, err)))
        return rc;
    for (int k = 0; k < cv.ns; k++)
        rtm_prod_log(env, "kde: cv sigma %10.4g  radius %10.4g  criterion %.10g%s%s", cv.sigma[k],
                     cv.radius[k], cv.cv[k], cv.coarsen[k] > 1 ? "  (grid terms coarsened)" : "",
                     k == cv.best ? "  <- best" : "");
    if (cv.best == 0 || cv.best == cv.ns - 1)
        rtm_prod_log(env, "kde: warning: the cross-validated likelihood is largest at the %s "
                     "end of the search grid (radius %g): the bandwidth may be %s",
                     cv.best ? "upper" : "lower", *radius, cv.best ? "too large" : "too small "
                     "(many events at exactly the same place pull it down)");
    return 0;
}

static int choose_radius(const rtm_kde_product *p, const rtm_events *ev,
                         const rtm_product_env *env, double *radius, rtm_error *err)
{
    const rtm_points *pts = &ev->pts;
    if (p->sigma > 0) {
        *radius = p->sigma / rtm_kernel_sigma_unit(p->kde.kernel, p->kde.gauss_truncate);
        return isfinite(*radius) && *radius > 0 ? 0
               : rtm_error_set(err, RTM_ERR_ARG, "kde: sigma must be a number > 0 (got %g)",
                               p->sigma);
    }
    if (p->radius_rule == RTM_RADIUS_CV)
        return cv_radius(p, ev, env, radius, err);
    if (p->radius_rule == RTM_RADIUS_ARCGIS)
        return rtm_bandwidth_arcgis(pts->x, pts->y, pts->w, pts->n, radius, err);
    if (p->radius_rule == RTM_RADIUS_SCOTT)
        return rtm_bandwidth_scott(pts->x, pts->y, pts->w, pts->n, radius, err);
    if (!(p->kde.radius > 0) || !isfinite(p->kde.radius))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: radius must be a number > 0 (got %g)",
                             p->kde.radius);
    *radius = p->kde.radius;
    return 0;
}

/* Compute strip [r0, r1) into v in the product's units (the whole grid when
 * it is every row); non-finite cells are an error. */
static int compute(const rtm_kde_product *p, const rtm_events *ev, const rtm_kde_opts *ko0,
                   int r0, int r1, double *v, rtm_kde_plus_info *info, rtm_error *err)
{
    size_t n = (size_t)(r1 - r0) * (size_t)ev->grid.ncols;
    double scale = p->units == RTM_MAP_PER_HA ? 0.01 : 1, total;
    rtm_kde_plus plus = p->plus;
    rtm_kde_opts ko = *ko0;
    int rc;
    plus.window = ev->mask;
    if (r0 > 0 || r1 < ev->grid.nrows) {
        ko.row0 = r0;
        ko.row1 = r1;
    }
    rc = rtm_kde_plus_compute(&ev->grid, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, &ko, &plus,
                              v, info, err);
    if (rc)
        return rc;
    if (p->units == RTM_MAP_PROBABILITY) {
        total = rtm_points_weight_sum(&ev->pts);
        scale = total > 0 ? 1 / total : 0;
    }
    for (size_t k = 0; k < n; k++) {
        v[k] *= scale;
        if (!isfinite(v[k]))
            return rtm_error_set(err, RTM_ERR_INPUT, "kde: the density is not finite at cell "
                                 "%zu (weights too large?)", (size_t)r0 * ev->grid.ncols + k);
    }
    return 0;
}

/* Metadata of the edge correction and adaptive radii (none when unused, so
 * that a plain KDE's file is unchanged). */
static int plus_meta(const rtm_kde_product *p, const rtm_kde_plus_info *info, rtm_kv *kv)
{
    int rc = 0;
    if (p->plus.edge != RTM_KDE_EDGE_NONE)
        rc |= rtm_kv_add(kv, "EDGE_CORRECTION", "%s", rtm_vocab_name("edge", p->plus.edge)) |
              rtm_kv_add(kv, "EDGE_MASS_MIN", "%.6g", info->emin);
    if (!p->plus.adaptive)
        return rc;
    rc |= rtm_kv_add(kv, "ADAPTIVE", "abramson") |
          rtm_kv_add(kv, "ADAPTIVE_PILOT_RADIUS", "%.17g",
                     p->plus.pilot > 0 ? p->plus.pilot : info->h0) |
          rtm_kv_add(kv, "ADAPTIVE_TRIM", "%.17g", p->plus.trim) |
          rtm_kv_add(kv, "ADAPTIVE_GAMMA", "%.17g", info->gamma) |
          rtm_kv_add(kv, "ADAPTIVE_RADIUS_MIN", "%.17g", info->hmin) |
          rtm_kv_add(kv, "ADAPTIVE_RADIUS_MAX", "%.17g", info->hmax);
    if (p->plus.groups == RTM_KDE_GROUPS_EXACT)
        rc |= rtm_kv_add(kv, "ADAPTIVE_GROUPS", "exact");
    else
        rc |= rtm_kv_add(kv, "ADAPTIVE_GROUPS", "%d", info->groups);
    return rc;
}

static int add_meta(const rtm_kde_product *p, const rtm_kde_opts *ko, const rtm_events *ev,
                    const rtm_product_env *env, const char *label,
                    const rtm_kde_plus_info *info, rtm_kv *kv)
{
    static const char *const unames[] = {"km2", "ha", "m2", "cell", "probability"};
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "kernel density") |
             rtm_kv_add(kv, "KERNEL", "%s", rtm_kernel_name(ko->kernel)) |
             rtm_kv_add(kv, "RADIUS", "%.17g", ko->radius);
    if (p->sigma > 0)
        rc |= rtm_kv_add(kv, "RADIUS_RULE", "sigma %g", p->sigma);
    else if (p->radius_rule == RTM_RADIUS_GIVEN)
        rc |= rtm_kv_add(kv, "RADIUS_RULE", "%g", ko->radius);
    else
        rc |= rtm_kv_add(kv, "RADIUS_RULE", "%s", rule_name(p->radius_rule));
    if (ko->kernel == RTM_KERNEL_GAUSSIAN)
        rc |= rtm_kv_add(kv, "GAUSSIAN_SIGMA", "%.17g", ko->radius / ko->gauss_truncate);
    if (ko->kernel == RTM_KERNEL_GAUSSIAN && ko->gauss_truncate != RTM_KDE_GAUSS_TRUNCATE_DEFAULT)
        rc |= rtm_kv_add(kv, "GAUSSIAN_TRUNCATE", "%.17g", ko->gauss_truncate);
    if (p->sigma > 0)
        rc |= rtm_kv_add(kv, "KERNEL_SIGMA", "%.17g", p->sigma);
    rc |= plus_meta(p, info, kv);
    rc |= rtm_kv_add(kv, "UNITS", "%s", unames[p->units]);
    if (ev->weighted)
        rc |= rtm_kv_add(kv, "VALUES", "%s", label);
    rc |= rtm_kv_add(kv, "DST_CRS", "%s", env && env->events && env->events->dst_crs
                                               ? env->events->dst_crs : ev->grid.crs);
    return rc | rtm_prod_events_meta(env, ev, kv);
}

/* "2018-01 to 2018-05 · N = 123 · quartic kernel, radius 500 m · 100 m cells" */
static void subtitle(const rtm_events *ev, const rtm_kde_opts *ko, char *sub, size_t n)
{
    int m0, m1;
    rtm_events_months(ev, &m0, &m1);
    if (m0)
        snprintf(sub, n, "%04d-%02d to %04d-%02d · N = %zu · %s kernel, radius %g m · %g m "
                 "cells", m0 / 100, m0 % 100, m1 / 100, m1 % 100, ev->pts.n,
                 rtm_kernel_name(ko->kernel), ko->radius, ev->grid.res);
    else
        snprintf(sub, n, "N = %zu events · %s kernel, radius %g m · %g m cells", ev->pts.n,
                 rtm_kernel_name(ko->kernel), ko->radius, ev->grid.res);
}

/* A classed map: its .qml draws the same classes in the same colours (the
 * breaks rtm_map_png_breaks gives the map), so QGIS shows what the PNG shows. */
static int style_classes(const rtm_kde_product *p, const rtm_events *ev, const double *v,
                         const rtm_map_opts *mo, rtm_geotiff_opts *go, double *br, rtm_error *err)
{
    int rc;
    if (p->nclasses <= 0)
        return 0;
    if ((rc = rtm_map_png_breaks(&ev->grid, v, ev->mask, mo, br, err)))
        return rc;
    go->qml_nclasses = p->nclasses;
    go->qml_breaks = br;
    go->qml_ramp = p->ramp ? p->ramp : "ylorrd";
    go->qml_transparent_below = mo->zero_transparent_below;
    return 0;
}

static int write_files(const rtm_kde_product *p, const rtm_kde_opts *ko, const rtm_events *ev,
                       const rtm_product_env *env, const double *v,
                       const rtm_kde_plus_info *info, rtm_outset *out, rtm_error *err)
{
    char desc[160], label[96], unit[64], sub[256];
    double br[RTM_CLASS_MAX + 1];
    rtm_geotiff_opts go;
    rtm_map_opts mo;
    rtm_kv kv;
    int rc;
    units_text(p, ev->weighted, label, sizeof label, unit, sizeof unit);
    rtm_kv_init(&kv);
    if (add_meta(p, ko, ev, env, label, info, &kv)) {
        rtm_kv_free(&kv);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    }
    snprintf(desc, sizeof desc, "kernel density (%s, radius %g, %s)",
             rtm_kernel_name(ko->kernel), ko->radius, label);
    rtm_map_opts_init(&mo);
    mo.ramp = p->ramp;
    mo.classes = p->classes;
    mo.nclasses = p->nclasses;
    rtm_geotiff_opts_init(&go);
    if ((rc = style_classes(p, ev, v, &mo, &go, br, err))) {
        rtm_kv_free(&kv);
        return rc;
    }
    go.band_description = desc;
    go.units = unit;
    go.compress = p->compress ? p->compress : go.compress;
    go.float64 = p->float64;
    go.metadata = rtm_kv_list(&kv);
    if (!p->nclasses)
        go.qml_ramp = p->ramp ? p->ramp : go.qml_ramp;
    rc = rtm_prod_geotiff(out, p->tif, &ev->grid, v, ev->mask, &go, err);
    rtm_kv_free(&kv);
    if (rc || !p->png)
        return rc;
    mo.title = p->title ? p->title : "Kernel density";
    subtitle(ev, ko, sub, sizeof sub);
    mo.subtitle = sub;
    mo.units_label = label;
    mo.attribution = env && env->attribution ? env->attribution : RTM_ATTR_OGL;
    return rtm_prod_map(out, p->png, &ev->grid, v, ev->mask, &mo, err);
}

/* One line on the edge correction and the adaptive radii, when used. */
static void log_plus(const rtm_kde_product *p, const rtm_kde_plus_info *info,
                     const rtm_product_env *env)
{
    if (p->plus.edge != RTM_KDE_EDGE_NONE)
        rtm_prod_log(env, "kde: %s edge correction (smallest kernel mass inside the study area "
                     "%.3g)", rtm_vocab_name("edge", p->plus.edge), info->emin);
    if (p->plus.adaptive)
        rtm_prod_log(env, "kde: adaptive radii %g .. %g (Abramson, pilot radius %g, %d %s)",
                     info->hmin, info->hmax, p->plus.pilot > 0 ? p->plus.pilot : info->h0,
                     info->groups, p->plus.groups == RTM_KDE_GROUPS_EXACT ? "points (exact)"
                                                                          : "groups");
}

/* The KDE as a tiled product (rtm/tile.h). */
typedef struct kde_tiled {
    const rtm_kde_product *p;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_kde_opts ko;
    rtm_kde_plus_info info;
    rtm_outset *out;
    rtm_product_result *res;
} kde_tiled;

static int kde_strip(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    kde_tiled *k = ctx;
    rtm_kde_opts ko = k->ko;
    if (t->cols > 1) { /* a rectangle: only the points within reach of its columns */
        ko.col0 = t->c0;
        ko.col1 = t->c1;
    }
    return compute(k->p, k->ev, &ko, t->r0, t->r1, v, &k->info, err);
}

static int kde_finish(void *ctx, double *v, rtm_error *err)
{
    kde_tiled *k = ctx;
    const rtm_events *ev = k->ev;
    const rtm_kde_product *p = k->p;
    size_t n = rtm_grid_ncells(&ev->grid);
    int rc;
    k->info.h0 = k->ko.radius;
    log_plus(p, &k->info, k->env);
    rc = write_files(p, &k->ko, ev, k->env, v, &k->info, k->out, err);
    if (!rc) /* events with times: their day x hour table beside the GeoTIFF */
        rc = knox_dayhour_beside(k->out, p->tif, NULL, &ev->pts, err);
    if (!rc && k->res) {
        char label[96], unit[64];
        units_text(p, ev->weighted, label, sizeof label, unit, sizeof unit);
        for (size_t c = 0; c < n; c++)
            if (ev->mask && !ev->mask[c])
                v[c] = NAN;
        k->res->v = v;
        k->res->radius = k->ko.radius;
        snprintf(k->res->units, sizeof k->res->units, "%s", label);
        snprintf(k->res->summary, sizeof k->res->summary, "kde: %s kernel, radius %g, %zu "
                 "events", rtm_kernel_name(k->ko.kernel), k->ko.radius, ev->pts.n);
        return 0;
    }
    free(v);
    return rc;
}

/* Options of the kernel: radius chosen, units, threads, progress. */
static int kde_prepare(kde_tiled *k, rtm_error *err)
{
    const rtm_kde_product *p = k->p;
    const rtm_product_env *env = k->env;
    int rc;
    k->ko = p->kde;
    memset(&k->info, 0, sizeof k->info);
    if (!p->tif)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: no output GeoTIFF name");
    if (k->ev->pts.n == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "kde: no events to map");
    if ((rc = choose_radius(p, k->ev, env, &k->ko.radius, err)))
        return rc;
    k->info.h0 = k->ko.radius;
    k->ko.units = p->units == RTM_MAP_PER_M2 ? RTM_UNITS_M2
                  : p->units == RTM_MAP_PER_CELL || p->units == RTM_MAP_PROBABILITY
                      ? RTM_UNITS_CELL : RTM_UNITS_KM2;
    k->ko.threads = env && env->threads ? env->threads : k->ko.threads;
    k->ko.progress = env ? env->progress : NULL;
    k->ko.progress_arg = env ? env->progress_arg : NULL;
    rtm_prod_log(env, "kde: %s kernel, radius %g (%s), %zu events on %d x %d cells",
                 rtm_kernel_name(k->ko.kernel), k->ko.radius,
                 p->sigma > 0 ? "from sigma" : rule_name(p->radius_rule), k->ev->pts.n,
                 k->ev->grid.ncols, k->ev->grid.nrows);
    return 0;
}

int rtm_kde_product_tiled(const rtm_kde_product *p, const rtm_events *ev,
                          const rtm_product_env *env, const rtm_tiling *h, rtm_outset *out,
                          rtm_product_result *res, rtm_error *err)
{
    kde_tiled k = {p, ev, env, {0}, {0}, out, res};
    rtm_tiled t = {"kde", 1, ev->grid, kde_strip, kde_finish, &k, 0, "", NULL, NULL, 0};
    int rc;
    if ((rc = kde_prepare(&k, err)))
        return rc;
    t.whole_only = p->plus.edge != RTM_KDE_EDGE_NONE || p->plus.adaptive;
    if (h->count > 0 && (p->plus.edge != RTM_KDE_EDGE_NONE || p->plus.adaptive))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: edge correction and adaptive radii need "
                             "the whole grid at once: not with tiles");
    return rtm_prod_tiled_from(&t, h, &ev, 1, NULL, out, err);
}

int rtm_kde_product_run(const rtm_kde_product *p, const rtm_events *ev,
                        const rtm_product_env *env, rtm_outset *out,
                        rtm_product_result *res, rtm_error *err)
{
    rtm_tiling h;
    rtm_tiling_init(&h);
    return rtm_kde_product_tiled(p, ev, env, &h, out, res, err);
}

/* ---- shared with products built on the KDE (change) ----------------------- */

int rtm_prod_kde_setup(const rtm_kde_product *p, const rtm_events *ev,
                       const rtm_points *pts, const rtm_product_env *env, rtm_kde_opts *ko,
                       double *scale, rtm_error *err)
{
    rtm_events view = *ev; /* ev's grid and mask with the caller's points */
    view.pts = *pts;
    *ko = p->kde;
    if (p->plus.edge != RTM_KDE_EDGE_NONE || p->plus.adaptive)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: edge correction and adaptive radii are "
                             "not available in this analysis (its permutation test needs the "
                             "plain fixed-radius kernel)");
    if (p->units == RTM_MAP_PROBABILITY)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: units 'probability' do not apply here "
                             "(use km2, ha, m2 or cell)");
    ko->units = p->units == RTM_MAP_PER_M2 ? RTM_UNITS_M2
                : p->units == RTM_MAP_PER_CELL ? RTM_UNITS_CELL : RTM_UNITS_KM2;
    *scale = p->units == RTM_MAP_PER_HA ? 0.01 : 1;
    ko->threads = env && env->threads ? env->threads : ko->threads;
    ko->progress = NULL;
    return choose_radius(p, &view, env, &ko->radius, err);
}

void rtm_prod_kde_units(const rtm_kde_product *p, int weighted, char *label, size_t n,
                        char *unit, size_t un)
{
    units_text(p, weighted, label, n, unit, un);
}

const char *rtm_prod_kde_rule(const rtm_kde_product *p)
{
    return rule_name(p->radius_rule);
}
