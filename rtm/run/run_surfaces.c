/* run_surfaces.c: the job's surfaces (kde, distance, rtm model, weighted
 * overlay) and their GeoTIFF / PNG / report outputs (rtm/job.h). */
#include "run/run_internal.h"
#include "product/product_priv.h"
#include "product/forecast_priv.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/input.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "rtm/emerging.h"
#include "input/stats_meta.h"
#include "core/sha256.h"
#include "run/cache.h"
#include "run/manifest.h"
#include "run/runfolder.h"
#include "rtm/model.h"
#include "rtm/change.h"
#include "rtm/places.h"
#include "rtm/trial.h"

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

#define RUN_ATTRIBUTION "Contains public sector information licensed under the OGL v3.0; " \
                        "© OpenStreetMap contributors (ODbL)"

/* How one surface is drawn and described. */
typedef struct look {
    const char *desc, *units, *ramp, *title;
} look;

static void set_nan_outside(const rtm_jr *r, double *v)
{
    for (size_t k = 0; k < r->ncells; k++)
        if (r->mask && !r->mask[k])
            v[k] = NAN;
}

/* Metadata items; offence counts only for surfaces made from offences, so a
 * distance surface's files depend on the risk layer alone (and are cached). */
static int add_meta(const rtm_jr *r, const rtm_job_surface *s, rtm_kv *kv)
{
    int events = s->type != RTM_SURF_DISTANCE;
    char a[16], b[16];
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) ||
             rtm_kv_add(kv, "JOB", "%s", r->job->name) ||
             rtm_kv_add(kv, "SURFACE", "%s (%s)", s->name, rtm_surface_type_name(s->type)) ||
             rtm_kv_add(kv, "CELL_SIZE", "%.17g", r->grid.res);
    if (!rc && events && r->from != INT_MIN)
        rc = rtm_kv_add(kv, "MONTHS", "%s..%s", rtm_jr_month_str(r->from, a, sizeof a),
                        rtm_jr_month_str(r->to, b, sizeof b));
    return rc || (events && rtm_kv_add_load_stats(kv, "EVENTS", &r->st));
}

/* name.tif (+ .qml) and name.png (+ .pgw, .png.aux.xml) as the job's formats ask. */
static int write_maps(rtm_jr *r, const rtm_job_surface *s, const char *name, const double *v,
                      const look *lk, rtm_error *err)
{
    char fn[512], side[512], sub[160], a[16], b[16];
    char *p = NULL;
    rtm_kv kv;
    int rc = 0;
    rtm_kv_init(&kv);
    if (add_meta(r, s, &kv)) {
        rtm_kv_free(&kv);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    if (r->job->formats & RTM_FMT_TIF) {
        rtm_geotiff_opts go;
        rtm_geotiff_opts_init(&go);
        go.band_description = lk->desc;
        go.units = lk->units;
        go.metadata = rtm_kv_list(&kv);
        go.qml_ramp = lk->ramp;
        snprintf(fn, sizeof fn, "%s.tif", name);
        snprintf(side, sizeof side, "%s.qml", name);
        if (!(p = rtm_jr_output(r, fn, err)) ||
            (rc = rtm_geotiff_write(p, &r->grid, v, r->mask, &go, err)) ||
            (rc = rtm_jr_register(r, side, err)))
            rc = rc ? rc : err->code;
        free(p);
        p = NULL;
    }
    if (!rc && (r->job->formats & (RTM_FMT_PNG | RTM_FMT_HTML))) {
        rtm_map_opts mo;
        rtm_map_opts_init(&mo);
        mo.georef = RTM_MAP_GEOREF_MAP_ONLY;
        mo.ramp = lk->ramp;
        mo.title = lk->title;
        if (s->type == RTM_SURF_DISTANCE)
            snprintf(sub, sizeof sub, "%s", s->name);
        else if (r->from != INT_MIN)
            snprintf(sub, sizeof sub, "%s: offences %s to %s (%zu used)", s->name,
                     rtm_jr_month_str(r->from, a, sizeof a), rtm_jr_month_str(r->to, b, sizeof b),
                     r->st.used);
        else
            snprintf(sub, sizeof sub, "%s: %zu offences used", s->name, r->st.used);
        mo.subtitle = sub;
        mo.units_label = lk->units;
        mo.attribution = RUN_ATTRIBUTION;
        mo.zero_transparent_below = -INFINITY;
        snprintf(fn, sizeof fn, "%s.png", name);
        if (!(p = rtm_jr_output(r, fn, err)) ||
            (rc = rtm_map_png_write(p, &r->grid, v, r->mask, &mo, err)) ||
            (rc = rtm_jr_register_map(r, fn, err)))
            rc = rc ? rc : err->code;
        free(p);
    }
    rtm_kv_free(&kv);
    return rc;
}

/* ---- products ------------------------------------------------------------ */

/* A product's files go into the staging folder through one output set. */
static int open_set(rtm_jr *r, rtm_outset **out, rtm_error *err)
{
    return rtm_outset_open_staged(rtm_run_staging(r->rf), out, err);
}

/* "<name>.<ext>" into buf (size 512). */
static const char *fname(char *buf, const char *name, const char *ext)
{
    snprintf(buf, 512, "%s.%s", name, ext);
    return buf;
}

static int want_png(const rtm_jr *r)
{
    return (r->job->formats & (RTM_FMT_PNG | RTM_FMT_HTML)) != 0;
}

/* Finish a product: its files registered (or discarded on failure). */
static int finish(rtm_jr *r, rtm_outset *out, int rc, rtm_error *err)
{
    if (rc) {
        rtm_outset_abort(out);
        return rc;
    }
    return rtm_jr_adopt(r, out, err);
}

/* A unit of a tiled surface (r->tiling.count > 0): its tile file's name,
 * from the surface's output name, into buf and r->tiling. */
static int tile_unit(rtm_jr *r, const char *out_name, char *buf, size_t n, rtm_error *err)
{
    if (r->tiling.count == 0)
        return 0;
    r->tiling.tile_path = buf;
    return rtm_tile_path(out_name, r->tiling.index, r->tiling.count, buf, n, err);
}

/* ---- kde ------------------------------------------------------------------ */

static int surf_kde(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_kde_product p;
    rtm_product_result res = {0};
    rtm_outset *out = NULL;
    char tif[512], png[512], tile[600];
    int rc;
    rtm_kde_product_init(&p);
    p.kde.kernel = s->kernel;
    p.kde.radius = s->radius;
    p.radius_rule = (rtm_radius_rule)s->radius_rule; /* 0 = RTM_RADIUS_GIVEN */
    p.sigma = s->sigma;
    p.kde.gauss_truncate = s->truncate > 0 ? s->truncate : p.kde.gauss_truncate;
    p.plus.edge = (rtm_kde_edge)s->edge;
    p.plus.adaptive = s->adaptive;
    p.plus.pilot = s->pilot;
    p.plus.groups = s->groups;
    p.units = s->units;
    p.tif = fname(tif, s->name, "tif");
    p.png = want_png(r) ? fname(png, s->name, "png") : NULL;
    p.weight_unit = r->harm ? "harm" : NULL;
    if ((rc = tile_unit(r, p.tif, tile, sizeof tile, err)) || (rc = open_set(r, &out, err)))
        return rc;
    rc = finish(r, out, rtm_kde_product_tiled(&p, &r->ev, &r->env, &r->tiling, out, &res, err),
                err);
    if (rc || r->tiling.count)
        return rc;
    o->v = res.v;
    snprintf(o->map, sizeof o->map, "%s", p.png ? p.png : "");
    snprintf(o->tif, sizeof o->tif, "%s", p.tif);
    snprintf(o->units, sizeof o->units, "%s", res.units);
    return 0;
}

/* ---- hot spots ------------------------------------------------------------ */

static int surf_hotspots(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_hotspots_product p;
    rtm_hotspots_result res = {0};
    rtm_outset *out = NULL;
    char z[512], bins[512], png[512], gpkg[512], tif[512], tile[600];
    int rc;
    rtm_hotspots_product_init(&p);
    p.gi.band = s->band;
    p.gi.knn = s->knn;
    p.gi.fdr = s->fdr;
    snprintf(z, sizeof z, "%s_z.tif", s->name);
    snprintf(bins, sizeof bins, "%s_bins.tif", s->name);
    snprintf(gpkg, sizeof gpkg, "%s_hotspots.gpkg", s->name);
    p.z_tif = z;
    p.bins_tif = bins;
    p.png = want_png(r) ? fname(png, s->name, "png") : NULL;
    p.polygons = gpkg;
    p.weight_unit = r->harm ? "harm" : NULL;
    if ((rc = tile_unit(r, fname(tif, s->name, "tif"), tile, sizeof tile, err)) ||
        (rc = open_set(r, &out, err)))
        return rc;
    rc = finish(r, out, rtm_hotspots_product_tiled(&p, &r->ev, &r->env, &r->tiling, out, &res,
                                                   err), err);
    if (rc || r->tiling.count)
        return rc;
    o->v = res.z;
    snprintf(o->map, sizeof o->map, "%s", p.png ? p.png : "");
    snprintf(o->units, sizeof o->units, "Gi* z-score");
    snprintf(o->tif, sizeof o->tif, "%s", p.z_tif);
    rtm_jr_log(r, "hotspots %s: %zu hot-spot cells at 95 %% or more, %d polygons", s->name,
               res.bins[5] + res.bins[6], res.npolygons);
    return 0;
}

/* ---- change between periods ------------------------------------------------ */

/* Without periods: the last after_months of the window (or of the offences'
 * months when the window is open) are after, the months before them before. */
static int change_periods(const rtm_jr *r, const rtm_job_surface *s, rtm_change_product *p,
                          rtm_error *err)
{
    int first, last, a0;
    if (s->before_from) {
        p->before.from = s->before_from, p->before.to = s->before_to;
        p->after.from = s->after_from, p->after.to = s->after_to;
        return 0;
    }
    if (r->from != INT_MIN) {
        first = r->from, last = r->to;
    } else {
        int m0, m1;
        rtm_events_months(&r->ev, &m0, &m1);
        if (!m0)
            return rtm_error_set(err, RTM_ERR_INPUT, "run: change '%s': the offences have no "
                                 "months to split into periods", s->name);
        first = m0 / 100 * 12 + m0 % 100 - 1, last = m1 / 100 * 12 + m1 % 100 - 1;
    }
    a0 = last - s->after_months + 1;
    if (a0 <= first)
        return rtm_error_set(err, RTM_ERR_INPUT, "run: change '%s': the window has %d months, "
                             "not more than after_months (%d)", s->name, last - first + 1,
                             s->after_months);
    p->before.from = first / 12 * 100 + first % 12 + 1;
    p->before.to = (a0 - 1) / 12 * 100 + (a0 - 1) % 12 + 1;
    p->after.from = a0 / 12 * 100 + a0 % 12 + 1;
    p->after.to = last / 12 * 100 + last % 12 + 1;
    return 0;
}

static int surf_change(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_change_product p;
    rtm_change_result res = {0};
    rtm_outset *out = NULL;
    char tile[600];
    int rc;
    rtm_change_product_init(&p);
    p.kde.kde.kernel = s->kernel;
    p.kde.kde.radius = s->radius;
    p.kde.radius_rule = RTM_RADIUS_GIVEN;
    p.kde.units = s->units;
    p.kde.weight_unit = r->harm ? "harm" : NULL;
    p.scale = (rtm_change_scale)s->scale;
    p.iterations = s->iterations, p.seed = p.sppt.seed = s->seed, p.alpha = s->alpha;
    p.dir = s->name;
    p.png = want_png(r);
    p.units_layer = s->units_layer, p.units_field = s->units_field;
    if ((rc = change_periods(r, s, &p, err)) ||
        (rc = tile_unit(r, s->name, tile, sizeof tile, err)) || (rc = open_set(r, &out, err)))
        return rc;
    rc = finish(r, out, rtm_change_product_tiled(&p, &r->ev, NULL, &r->env, &r->tiling, out,
                                                 &res, err), err);
    if (rc || r->tiling.count)
        return rc;
    o->v = res.difference;
    if (p.png)
        snprintf(o->map, sizeof o->map, "%s/change.png", s->name);
    snprintf(o->units, sizeof o->units, "%.95s", res.units);
    snprintf(o->tif, sizeof o->tif, "%s/difference.tif", s->name);
    rtm_jr_log(r, "change %s: %s", s->name, res.summary);
    return 0;
}

/* ---- forecast --------------------------------------------------------------- */

static void model_factors(const rtm_job_surface *s, rtm_factor_spec *spec, const char **files);

/* An rtm or forecast surface's factors' features (catalogue layers), into
 * feat and spec (the caller frees feat's entries). */
static int factor_features(rtm_jr *r, const rtm_job_surface *s, rtm_factor_spec *spec,
                           rtm_features **feat, rtm_error *err)
{
    int rc = 0;
    for (int i = 0; i < s->nfactors && !rc; i++) {
        rc = rtm_jr_layer_features(r, s->factors[i].layer, s->factors[i].where, &feat[i], err);
        spec[i].features = feat[i];
    }
    return rc;
}

/* The forecast's risk factors: catalogue layers loaded as the rtm surface
 * loads them, variables as rtm forecast --factor/--block/--max-blocks. */
static int forecast_factors(rtm_jr *r, const rtm_job_surface *s, rtm_forecast_product *p,
                            rtm_factor_spec *spec, const char **files, rtm_features **feat,
                            rtm_error *err)
{
    int rc;
    model_factors(s, spec, files);
    rc = factor_features(r, s, spec, feat, err);
    p->factors = spec;
    p->nfactors = s->nfactors;
    p->sources = files;
    p->var.block = s->block > 0 ? s->block : 2 * r->grid.res;
    p->var.max_blocks = s->max_blocks > 0 ? s->max_blocks : 3;
    return rc;
}

/* The forecast's own rolling-origin back-test (forecast.json's) as the
 * report's summary: the forecast and the prior counts at its origins. */
static void forecast_bt(const rtm_forecast *f, const char *name, rtm_bt_summary *b)
{
    memset(b, 0, sizeof *b);
    b->done = f->nval > 0;
    if (!b->done)
        snprintf(b->why, sizeof b->why, "no validation origin");
    b->nsteps = f->nval;
    for (int v = 0; v < f->nval; v++) {
        int m = f->val_month[v];
        b->first_test = !b->first_test || m < b->first_test ? m : b->first_test;
        b->last_test = m > b->last_test ? m : b->last_test;
    }
    b->nsurf = 2;
    snprintf(b->name[0], sizeof b->name[0], "%s", name);
    snprintf(b->name[1], sizeof b->name[1], "prior counts");
    for (int k = 0; k < 3; k++) {
        b->pai[0][k] = f->pai_mean[0][k]; /* "forecast" */
        b->pai[1][k] = f->pai_mean[1][k]; /* "prior" */
    }
}

/* The forecast product (rtm/forecast.h) into folder NAME/, as `rtm forecast`. */
static int surf_forecast(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    int nf = s->nfactors > 0 ? s->nfactors : 1;
    rtm_features **feat = calloc((size_t)nf, sizeof *feat);
    rtm_factor_spec *spec = calloc((size_t)nf, sizeof *spec);
    const char **files = calloc((size_t)nf, sizeof *files);
    rtm_forecast_product p;
    rtm_forecast *f = NULL;
    rtm_outset *out = NULL;
    char tif[512], tile[600];
    int rc;
    rtm_forecast_product_init(&p);
    p.fc.horizon = s->horizon > 0 ? s->horizon : 1;
    p.fc.seed = s->seed;
    p.dir = s->name;
    if (!feat || !spec || !files)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    else if (!(rc = s->nfactors ? forecast_factors(r, s, &p, spec, files, feat, err) : 0) &&
             !(rc = tile_unit(r, fname(tif, s->name, "tif"), tile, sizeof tile, err)) &&
             !(rc = open_set(r, &out, err)))
        rc = finish(r, out, rtm_forecast_product_tiled(&p, &r->ev, &r->env, &r->tiling, out, &f,
                                                       err), err);
    for (int i = 0; feat && i < s->nfactors; i++)
        rtm_features_free(feat[i]);
    free(feat), free(spec), free(files);
    if (rc || r->tiling.count) /* a tile unit: its tile file only */
        return rc;
    o->v = f->mu;
    f->mu = NULL;
    forecast_bt(f, s->name, &o->bt);
    snprintf(o->map, sizeof o->map, "%s/forecast.png", s->name);
    snprintf(o->tif, sizeof o->tif, "%s/forecast.tif", s->name);
    rtm_fc_units(f, o->units, sizeof o->units);
    rtm_jr_log(r, "forecast %s: %.1f events expected; back-tested PAI at 1 %% %.2f (prior "
               "counts %.2f)", s->name, f->predicted_total, f->pai_mean[0][0], f->pai_mean[1][0]);
    rtm_forecast_free(f);
    return 0;
}

/* ---- patrol places ---------------------------------------------------------- */

static int surf_places(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_places_product p;
    rtm_places_result res;
    rtm_outset *out = NULL;
    char gpkg[512], csv[512], png[512], html[512];
    int rc;
    memset(&res, 0, sizeof res);
    rtm_places_product_init(&p);
    p.count = s->count;
    p.size = s->size;
    p.shape = (rtm_window_shape)s->shape;
    p.measure = (rtm_place_measure)s->measure;
    p.spacing = s->spacing;
    p.step = s->step;
    p.roads = s->roads, p.roads_where = s->roads_where;
    p.roads_name_field = s->roads_name_field, p.segment = s->segment;
    if (r->job->nareas > 0) { /* sections per polygon of the first areas set, and its cap */
        p.areas = r->job->areas[0].file;
        p.areas_layer = r->job->areas[0].layer;
        p.areas_where = r->job->areas[0].where;
        p.area_field = r->job->areas[0].name_field;
        p.per_area = s->per_area;
    } else if (s->per_area > 0) {
        return rtm_error_set(err, RTM_ERR_ARG, "places %s: per_area needs an 'areas' set in "
                             "the job", s->name);
    }
    p.harm_unit = r->harm ? rtm_weight_table_unit(r->harm) : NULL;
    p.gpkg = fname(gpkg, s->name, "gpkg");
    p.csv = fname(csv, s->name, "csv");
    p.png = want_png(r) ? fname(png, s->name, "png") : NULL;
    p.html = fname(html, s->name, "html");
    if ((rc = open_set(r, &out, err)))
        return rc;
    rc = finish(r, out, rtm_places_product_run(&p, &r->ev, &r->env, out, &res, err), err);
    if (rc)
        return rc;
    snprintf(o->map, sizeof o->map, "%s", p.png ? p.png : "");
    snprintf(o->units, sizeof o->units, "patrol places");
    rtm_jr_log(r, "places %s: %s", s->name, res.headline);
    rtm_places_result_free(&res);
    return 0;
}

/* ---- emerging hot spots -------------------------------------------------- */

static int surf_emerging(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_emerging_product p;
    rtm_emerging_result res = {0};
    rtm_outset *out = NULL;
    char tile[600];
    int rc;
    rtm_emerging_product_init(&p);
    p.gi.band = s->band;
    p.gi.knn = s->knn;
    p.gi.fdr = s->fdr;
    p.step = (rtm_step_kind)s->time_step;
    p.time_steps = s->time_steps;
    p.alpha = s->alpha;
    p.scheme = (rtm_ehsa_scheme)s->scheme;
    p.all_cells = s->all_cells;
    p.dir = s->name;
    p.formats = (r->job->formats & RTM_FMT_TIF ? RTM_OUT_TIF : 0) |
                (want_png(r) ? RTM_OUT_PNG : 0) | (r->job->formats & RTM_FMT_MD ? RTM_OUT_MD : 0);
    if (!p.formats)
        p.formats = RTM_OUT_TIF; /* json or html alone: the categories still */
    if ((rc = tile_unit(r, s->name, tile, sizeof tile, err)) || (rc = open_set(r, &out, err)))
        return rc;
    rc = finish(r, out, rtm_emerging_product_tiled(&p, &r->ev, &r->env, &r->tiling, out, &res,
                                                   err), err);
    if (rc || r->tiling.count)
        return rc;
    snprintf(o->map, sizeof o->map, "%s%s", (p.formats & RTM_OUT_PNG) ? s->name : "",
             (p.formats & RTM_OUT_PNG) ? "/emerging.png" : "");
    snprintf(o->units, sizeof o->units, "emerging hot-spot category");
    snprintf(o->tif, sizeof o->tif, "%s%s", (p.formats & RTM_OUT_TIF) ? s->name : "",
             (p.formats & RTM_OUT_TIF) ? "/categories.tif" : "");
    rtm_jr_log(r, "emerging %s: %d steps, %zu locations, %zu with a pattern", s->name,
               res.steps.n, res.locations,
               res.locations - res.count[p.scheme == RTM_SCHEME_ESRI ? 8 : 4]);
    rtm_emerging_result_free(&res);
    return 0;
}

/* ---- distance --------------------------------------------------------------- */

/* The output files of a distance surface, for the output cache. */
static int distance_files(const rtm_jr *r, const char *name, char files[6][512])
{
    int n = 0;
    if (r->job->formats & RTM_FMT_TIF) {
        snprintf(files[n++], 512, "%s.tif", name);
        snprintf(files[n++], 512, "%s.qml", name);
    }
    if (want_png(r)) {
        char png[512], map[4][4096];
        rtm_error e;
        int m = rtm_prod_map_files(fname(png, name, "png"), &r->grid, map, &e);
        for (int i = 0; i < m; i++)
            snprintf(files[n++], 512, "%.500s", map[i]);
    }
    return n;
}

static rtm_layer_spec layer_spec(const rtm_catalog_layer *l, const char *where)
{
    rtm_layer_spec s = {l->name, (const char *const *)l->files, l->nfiles, l->layer, where,
                        l->x_field, l->y_field, l->crs};
    return s;
}

static int distance_compute(rtm_jr *r, rtm_jr_surf *o, const char *key, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_layer_spec ls = layer_spec(s->layer, s->layer->where);
    rtm_distance_product p;
    rtm_product_result res = {0};
    rtm_load_stats st;
    rtm_features *f = NULL;
    rtm_outset *out = NULL;
    char tif[512], png[512], title[200];
    int rc;
    rtm_distance_product_init(&p);
    p.tif = fname(tif, s->name, "tif");
    p.png = want_png(r) ? fname(png, s->name, "png") : NULL;
    snprintf(title, sizeof title, "Distance to %s", s->layer->title ? s->layer->title
                                                                    : s->layer->name);
    p.title = title;
    if ((rc = rtm_layer_spec_load(&ls, r->job->crs, &r->env, &f, &st, err)) ||
        (rc = open_set(r, &out, err)))
        goto done;
    rc = finish(r, out, rtm_distance_product_run(&p, &r->ev, f, &ls, &st, &r->env, out, &res,
                                                 err), err);
    if (!rc) {
        memcpy(o->v, res.v, r->ncells * sizeof *o->v);
        rtm_jr_distance_store(r, key, o->v);
        r->cache_misses++;
        rtm_jr_log(r, "distance to %s: computed, stored in cache (%.12s)", s->layer->name, key);
    }
done:
    rtm_product_result_free(&res);
    rtm_features_free(f);
    return rc;
}

static int surf_distance(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    char key[RTM_SHA256_HEX], files[6][512];
    int rc, nf = distance_files(r, s->name, files), hit;
    if (!(o->v = malloc(r->ncells * sizeof *o->v)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    if ((hit = rtm_jr_distance_lookup(r, s->layer, s->name, o->v, key, err)) < 0)
        return -hit;
    snprintf(o->map, sizeof o->map, "%s", want_png(r) ? files[(r->job->formats & RTM_FMT_TIF)
                                                                ? 2 : 0] : "");
    snprintf(o->units, sizeof o->units, "distance (CRS units)");
    snprintf(o->tif, sizeof o->tif, "%s", (r->job->formats & RTM_FMT_TIF) ? files[0] : "");
    o->cached = hit;
    if (hit && (rc = rtm_jr_cache_fetch_files(r, key, files, nf, err)) >= 0) {
        if (rc == 0) {
            r->cache_hits++;
            rtm_jr_log(r, "distance %s: reused from cache (%.12s)", s->name, key);
        }
        return rc;
    }
    if ((rc = distance_compute(r, o, key, err)))
        return rc;
    rtm_jr_cache_store_files(r, key, files, nf);
    return 0;
}

/* ---- rtm model ------------------------------------------------------------- */

static rtm_op op_of(rtm_oper op)
{
    switch (op) {
    case RTM_OPER_PROXIMITY: return RTM_OP_PROXIMITY;
    case RTM_OPER_DENSITY: return RTM_OP_DENSITY;
    case RTM_OPER_BOTH: return RTM_OP_BOTH;
    default: return RTM_OP_AUTO;
    }
}

static void model_opts(const rtm_jr *r, const rtm_job_surface *s, rtm_model_opts *mo)
{
    rtm_model_opts_init(mo);
    mo->var.block = s->block > 0 ? s->block : 2 * r->grid.res;
    mo->var.max_blocks = s->max_blocks > 0 ? s->max_blocks : 3;
    mo->var.half_block = s->increment == RTM_INCR_HALF;
    mo->var.threads = mo->enet.nthreads = r->o->threads;
    mo->enet.seed = s->seed;
    if (s->folds >= 2)
        mo->enet.nfolds = s->folds;
    mo->step.nb_family = (rtm_family)s->nb;
    mo->step.try_poisson = s->family == RTM_FAMILY_CHOICE_AUTO || s->family == RTM_FAMILY_POISSON;
    mo->step.try_nb = s->family != RTM_FAMILY_POISSON;
    if (s->family == RTM_FAMILY_NBII || s->family == RTM_FAMILY_NB2)
        mo->step.nb_family = (rtm_family)s->family;
}

/* Cache key of a model's candidate variables: the checksums of every factor
 * layer file, the factor settings, the ladder and density rule, the grid and
 * the study-area mask. Offences are not part of it: a rerun with new offences
 * reuses the variables and does only the offence-dependent fitting. */
static int vars_key(rtm_jr *r, const rtm_job_surface *s, const rtm_model_opts *mo,
                    char key[RTM_SHA256_HEX], rtm_error *err)
{
    const rtm_grid *g = &r->grid;
    char mask_sha[RTM_SHA256_HEX] = "none", *params = NULL, *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int i, j, n = 0, rc = 0;
    char (*sha)[RTM_SHA256_HEX] = NULL;
    const char **ptr = NULL;
    for (i = 0; i < s->nfactors; i++)
        n += s->factors[i].layer->nfiles;
    sha = calloc((size_t)(n ? n : 1), sizeof *sha);
    ptr = calloc((size_t)(n ? n : 1), sizeof *ptr);
    if (!fp || !sha || !ptr) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        goto done;
    }
    if (r->mask)
        rtm_sha256_hex(r->mask, r->ncells, mask_sha);
    fprintf(fp, "software=rtm %s\nkind=variables\nx0=%.17g\ny0=%.17g\nres=%.17g\nncols=%d\n"
            "nrows=%d\ngrid_crs=%s\nmask=%s\nstudy_area=%.17g\nblock=%.17g\nmax_blocks=%d\n"
            "half=%d\nkernel=%d\ndensity_k=%.17g\n", RTM_VERSION, g->x0, g->y0, g->res,
            g->ncols, g->nrows, g->crs, mask_sha, r->area_units2, mo->var.block,
            mo->var.max_blocks, mo->var.half_block, (int)mo->var.density_kernel,
            mo->var.density_k);
    for (i = 0, n = 0; i < s->nfactors; i++) {
        const rtm_job_factor *f = &s->factors[i];
        const rtm_catalog_layer *l = f->layer;
        fprintf(fp, "factor=%s\nop=%d\nmax_blocks=%d\nincrement=%d\nwhere=%s\nlayer=%s\n"
                "layer_where=%s\nx=%s\ny=%s\ncrs=%s\n", f->name, (int)op_of(f->oper),
                f->max_blocks, (int)f->increment, f->where ? f->where : "",
                l->layer ? l->layer : "", l->where ? l->where : "", l->x_field ? l->x_field : "",
                l->y_field ? l->y_field : "", l->crs ? l->crs : "");
        for (j = 0; j < l->nfiles && !rc; j++, n++) {
            rc = rtm_manifest_add_input(r->man, "factor", l->files[j], sha[n], err);
            ptr[n] = sha[n];
            fprintf(fp, "file=%s\n", l->files[j]);
        }
    }
    fclose(fp);
    fp = NULL;
    params = buf;
    if (!rc)
        rtm_cache_key(n, ptr, params, key);
done:
    if (fp)
        fclose(fp);
    free(params);
    free(sha);
    free(ptr);
    return rc;
}

/* Candidate variables from the cache, or built (and stored) when missing. */
static int model_vars(rtm_jr *r, const rtm_job_surface *s, const rtm_model_opts *mo,
                      rtm_factor_spec *spec, rtm_features **feat, rtm_varset **vars,
                      rtm_error *err)
{
    char key[RTM_SHA256_HEX], *entry = NULL;
    int rc;
    rtm_error e2;
    if ((rc = vars_key(r, s, mo, key, err)))
        return rc;
    if (!(entry = rtm_cache_entry(r->cache_dir, key, "vars")))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_error_clear(&e2);
    if (rtm_cache_verify(r->cache_dir, key, "vars", &e2) == 0 &&
        rtm_varset_read(entry, vars, &e2) == 0 && (*vars)->nfactors == s->nfactors) {
        rtm_cache_touch(entry);
        r->cache_hits++;
        rtm_jr_log(r, "rtm %s: candidate variables reused from cache (%.12s)", s->name, key);
        free(entry);
        return 0;
    }
    if (e2.msg[0])
        rtm_jr_log(r, "rtm %s: cached variables not used: %s", s->name, e2.msg);
    if (*vars) {
        rtm_varset_free(*vars);
        *vars = NULL;
    }
    if (!(rc = factor_features(r, s, spec, feat, err)))
        rc = rtm_variables_build(&r->grid, r->mask, r->area_units2, spec, s->nfactors, &mo->var,
                                 vars, err);
    if (!rc) {
        r->cache_misses++;
        if (rtm_mkdirs(r->cache_dir) == 0 && rtm_varset_write(entry, *vars, &e2) == 0 &&
            rtm_cache_seal(r->cache_dir, key, "vars", &e2) == 0)
            rtm_jr_log(r, "rtm %s: candidate variables computed, stored in cache (%.12s)",
                       s->name, key);
    }
    free(entry);
    return rc;
}

/* The model product's factors from the job's (catalogue layers). */
static void model_factors(const rtm_job_surface *s, rtm_factor_spec *spec, const char **files)
{
    for (int i = 0; i < s->nfactors; i++) {
        const rtm_job_factor *f = &s->factors[i];
        spec[i].name = f->name;
        spec[i].op = op_of(f->oper);
        /* the factor's own spatial influence (job override or catalogue default) */
        spec[i].max_blocks = f->max_blocks > 0 ? f->max_blocks : 0;
        spec[i].increment = f->increment == RTM_INCR_HALF ? 2
                            : f->increment == RTM_INCR_WHOLE ? 1 : 0;
        files[i] = f->layer->nfiles > 0 ? f->layer->files[0] : f->name;
    }
}

static int model_run(rtm_jr *r, rtm_jr_surf *o, rtm_model_product *p, rtm_varset *vars,
                     rtm_error *err)
{
    rtm_model_result res = {0};
    rtm_outset *out = NULL;
    char png[600];
    int rc;
    if ((rc = open_set(r, &out, err))) {
        rtm_varset_free(vars);
        return rc;
    }
    if (r->tiling.count > 0 || r->tiling.nmerge > 0) /* a tile, or the merge of tiles */
        rc = rtm_model_product_tiled(p, &r->ev, &r->env, &r->tiling, out, &res, err);
    else
        rc = rtm_model_product_run(p, &r->ev, vars, &r->env, out, &res, err);
    if ((rc = finish(r, out, rc, err)) || r->tiling.count)
        return rc;
    if (!(o->v = malloc(r->ncells * sizeof *o->v))) {
        rtm_model_result_free(&res);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    memcpy(o->v, res.model->rrs, r->ncells * sizeof *o->v);
    o->model = res.model;
    o->places = res.places;
    o->nplaces = res.nplaces;
    o->bt = res.backtest;
    snprintf(png, sizeof png, "%s/rrs.png", p->dir);
    snprintf(o->map, sizeof o->map, "%s", (p->formats & RTM_OUT_PNG) ? png : "");
    snprintf(o->units, sizeof o->units, "relative risk score");
    if (p->formats & RTM_OUT_TIF)
        snprintf(o->tif, sizeof o->tif, "%s/rrs.tif", p->dir);
    return 0;
}

/* A tile of the model (tiles: N) or the merge of its tiles: the factors'
 * features, and a tile's file name "<name>.tile-I-of-N.tif" (its partials
 * beside it). */
static int model_tiled(rtm_jr *r, const rtm_job_surface *s, rtm_factor_spec *spec,
                       rtm_features **feat, char *tile, size_t n, rtm_error *err)
{
    char tif[512];
    int rc = factor_features(r, s, spec, feat, err);
    return rc ? rc : tile_unit(r, fname(tif, s->name, "tif"), tile, n, err);
}

static int surf_model(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_features **feat = calloc((size_t)s->nfactors, sizeof *feat);
    rtm_factor_spec *spec = calloc((size_t)s->nfactors, sizeof *spec);
    const char **files = calloc((size_t)s->nfactors, sizeof *files);
    rtm_model_product p;
    char tile[600];
    rtm_varset *vars = NULL;
    int i, rc = 0;
    if (!feat || !spec || !files) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        goto done;
    }
    rtm_model_product_init(&p);
    model_opts(r, s, &p.model);
    model_factors(s, spec, files);
    for (i = 0; i < s->nfactors; i++)
        if (s->factors[i].protective)
            rtm_jr_log(r, "rtm %s: factor %s: protective factors (coded 0/-1) are not "
                       "supported; it is modelled as a risk factor", s->name,
                       s->factors[i].name);
    p.factors = spec;
    p.nfactors = s->nfactors;
    p.sources = files;
    p.no_backtest = !s->backtest;
    p.dir = s->name;
    p.formats = (r->job->formats & RTM_FMT_TIF ? RTM_OUT_TIF : 0) |
                (want_png(r) ? RTM_OUT_PNG : 0) | (r->job->formats & RTM_FMT_MD ? RTM_OUT_MD : 0) |
                (r->job->formats & RTM_FMT_JSON ? RTM_OUT_JSON : 0);
    if (r->tiling.count > 0 || r->tiling.nmerge > 0) /* by tiles: no cached variables */
        rc = model_tiled(r, s, spec, feat, tile, sizeof tile, err);
    else
        rc = model_vars(r, s, &p.model, spec, feat, &vars, err);
    if (!rc)
        rc = model_run(r, o, &p, vars, err);
done:
    for (i = 0; feat && i < s->nfactors; i++)
        rtm_features_free(feat[i]);
    free(feat);
    free(spec);
    free(files);
    if (rc && err->msg[0] && strncmp(err->msg, "rtm ", 4)) {
        rtm_error e2 = *err;
        rtm_error_set(err, e2.code, "rtm %s: %s", s->name, e2.msg);
    }
    return rc;
}

/* ---- evaluation ------------------------------------------------------------- */

/* YYYYMM of a month number (year*12 + month-1). */
static int yyyymm(int m)
{
    return (m / 12) * 100 + m % 12 + 1;
}

/* The evaluation's options from the job: earlier surfaces by their staged
 * GeoTIFFs, the job's offences as training events, the test window's as
 * test events (or the back-test over the job's months). */
static int evaluate_opts(rtm_jr *r, const rtm_job_surface *s, rtm_evaluate_product *p,
                         rtm_eval_surface_file *files, char (*paths)[600], rtm_error *err)
{
    rtm_evaluate_product_init(p);
    p->dir = s->name;
    for (int i = 0; i < s->ninputs; i++) {
        const rtm_jr_surf *in = NULL;
        const char *staged;
        for (int j = 0; j < r->job->nsurfaces && !in; j++)
            if (r->surf[j].js && !strcmp(r->surf[j].js->name, s->inputs[i]))
                in = &r->surf[j];
        if (!in || !in->tif[0])
            return rtm_error_set(err, RTM_ERR_ARG, "run: evaluate '%s': surface '%s' has no "
                                 "GeoTIFF (is 'tif' in the output formats?)", s->name,
                                 s->inputs[i]);
        if (!(staged = rtm_run_path(r->rf, in->tif)))
            return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        snprintf(paths[i], 600, "%s", staged);
        free((void *)staged);
        files[i] = (rtm_eval_surface_file){s->inputs[i], paths[i], in->tif};
    }
    p->files = files;
    p->nfiles = s->ninputs;
    for (int i = 0; i < s->nbandwidths; i++)
        p->bandwidths[i] = s->bandwidths[i];
    p->nbandwidths = s->nbandwidths;
    for (int i = 0; i < s->ncoverages; i++) {
        p->coverages[i] = s->coverages[i];
        p->coverage_units[i] = s->coverage_units ? s->coverage_units[i] : 0;
    }
    p->bootstrap = s->bootstrap;
    p->seed = s->eval_seed;
    p->compare = (const char *const *)s->compare;
    p->ncompare = s->ncompare;
    if (s->ncoverages)
        p->ncoverages = s->ncoverages;
    p->prior_counts = s->prior_counts;
    p->test = r->eo;
    p->test.has_bbox = 0;
    if (s->ninputs)
        p->test.res = 0; /* the grid is the first surface's */
    if (s->backtest) {
        p->backtest = 1;
        p->months_from = r->eo.month_from;
        p->months_to = r->eo.month_to;
        p->min_train = s->min_train;
        p->window = s->window;
        p->test.month_from = p->test.month_to = 0;
    } else {
        p->test.month_from = yyyymm(s->test_from);
        p->test.month_to = yyyymm(s->test_to);
        p->train = r->eo;
    }
    return 0;
}

static int surf_evaluate(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_eval_surface_file files[RTM_EVAL_MAX_SURFACES];
    char paths[RTM_EVAL_MAX_SURFACES][600];
    rtm_evaluate_product p;
    rtm_evaluate_result *res = calloc(1, sizeof *res);
    rtm_outset *out = NULL;
    rtm_forecast_eval_ctx fcx;
    rtm_eval_refit fref;
    int rc;
    if (!res)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_forecast_eval_ctx_init(&fcx); /* refit_forecast: as rtm evaluate --refit-forecast */
    fcx.fc.threads = r->env.threads;
    fref = (rtm_eval_refit){"forecast", "forecast (rtm forecast) re-fitted on the training "
                            "events", rtm_forecast_eval_fit, &fcx};
    if (s->ninputs > RTM_EVAL_MAX_SURFACES)
        rc = rtm_error_set(err, RTM_ERR_ARG, "run: evaluate '%s': too many surfaces", s->name);
    else if (!(rc = evaluate_opts(r, s, &p, files, paths, err)) &&
             !(rc = (p.refits = s->refit_forecast ? &fref : NULL,
                     p.nrefits = s->refit_forecast, rtm_evaluate_product_check(&p, err))) &&
             !(rc = open_set(r, &out, err)))
        rc = finish(r, out, rtm_evaluate_product_run(&p, &r->env, out, res, err), err);
    if (!rc && fcx.failed)
        rtm_jr_log(r, "warning: evaluate %s: the forecast could not be fitted on %d training "
                   "window%s (fewer than 3 months): it ranks nothing there", s->name,
                   fcx.failed, fcx.failed == 1 ? "" : "s");
    if (!rc)
        rtm_jr_log(r, "evaluate %s: %s", s->name, res->summary);
    free(res);
    return rc;
}

/* ---- patrol trial ------------------------------------------------------------ */

/* rtm trial evaluate on the run's offences: the folder NAME/ (trial.md,
 * trial.html, effects.csv, place_days.csv), the same files as the command. */
static int surf_trial(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_trial_eval_product p;
    rtm_trial_eval_result res;
    rtm_trial_places pl;
    rtm_outset *out = NULL;
    int rc;
    rtm_trial_eval_product_init(&p);
    p.dir = s->name;
    p.schedule = s->schedule;
    p.dosage = s->dosage_file;
    p.ring_inner = s->ring_inner;
    p.ring_outer = s->ring_outer;
    p.target_minutes = s->target_minutes;
    p.nperm = s->permutations;
    p.seed = s->seed;
    p.places_name = s->places;
    if (s->outcome)
        p.outcome = s->outcome;
    if ((rc = rtm_trial_places_load(s->places, NULL, NULL, r->job->crs, &pl, err)))
        return rc;
    if (!(rc = open_set(r, &out, err)))
        rc = finish(r, out, rtm_trial_eval_run(&p, &pl, &r->ev, &r->env, out, &res, err), err);
    rtm_trial_places_free(&pl);
    if (!rc)
        rtm_jr_log(r, "trial %s: %s", s->name, res.headline);
    return rc;
}

/* ---- weighted overlay ---------------------------------------------------- */

static int surf_overlay(rtm_jr *r, int idx, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_normalise how = s->normalise;
    double *tmp = malloc(r->ncells * sizeof *tmp);
    look lk = {"weighted overlay of normalised surfaces", "weighted score", "inferno",
               "Weighted overlay"};
    int i, j, rc = 0;
    if (!tmp || !(o->v = malloc(r->ncells * sizeof *o->v))) {
        free(tmp);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    for (size_t k = 0; k < r->ncells; k++)
        o->v[k] = 0;
    for (i = 0; i < s->ninputs && !rc; i++) {
        double w = s->weights ? s->weights[i] : 1.0;
        for (j = 0; j < idx && strcmp(r->surf[j].js->name, s->inputs[i]); j++)
            ;
        if (j == idx || !r->surf[j].v) {
            rc = rtm_error_set(err, RTM_ERR_ARG, "run: overlay '%s': no earlier surface '%s' "
                               "with values", s->name, s->inputs[i]);
            break;
        }
        /* distance: nearer is riskier, so the overlay uses minus the distance */
        for (size_t k = 0; k < r->ncells; k++)
            tmp[k] = r->surf[j].js->type == RTM_SURF_DISTANCE ? -r->surf[j].v[k]
                                                               : r->surf[j].v[k];
        if ((rc = rtm_jr_normalise(tmp, r->mask, r->ncells, how, err)))
            break;
        for (size_t k = 0; k < r->ncells; k++)
            o->v[k] += w * tmp[k];
    }
    free(tmp);
    if (rc)
        return rc;
    set_nan_outside(r, o->v);
    rtm_jr_log(r, "overlay %s: %d surfaces, %s normalisation", s->name, s->ninputs,
               rtm_vocab_name("normalise", how));
    snprintf(o->map, sizeof o->map, "%s.png", s->name);
    if (r->job->formats & RTM_FMT_TIF)
        snprintf(o->tif, sizeof o->tif, "%s.tif", s->name);
    snprintf(o->units, sizeof o->units, "%s", lk.units);
    return write_maps(r, s, s->name, o->v, &lk, err);
}

int rtm_jr_surface(rtm_jr *r, int i, rtm_error *err)
{
    rtm_jr_surf *o = &r->surf[i];
    o->js = &r->job->surfaces[i];
    switch (o->js->type) {
    case RTM_SURF_KDE: return surf_kde(r, o, err);
    case RTM_SURF_DISTANCE: return surf_distance(r, o, err);
    case RTM_SURF_MODEL: return surf_model(r, o, err);
    case RTM_SURF_OVERLAY: return surf_overlay(r, i, o, err);
    case RTM_SURF_HOTSPOTS: return surf_hotspots(r, o, err);
    case RTM_SURF_EVALUATE: return surf_evaluate(r, o, err);
    case RTM_SURF_CHANGE: return surf_change(r, o, err);
    case RTM_SURF_FORECAST: return surf_forecast(r, o, err);
    case RTM_SURF_DOSAGE: return rtm_jr_surf_dosage(r, o, err);
    case RTM_SURF_PLACES: return surf_places(r, o, err);
    case RTM_SURF_EMERGING: return surf_emerging(r, o, err);
    case RTM_SURF_TRIAL: return surf_trial(r, o, err);
    case RTM_SURF_KNOX: return rtm_jr_surf_knox(r, o, err);
    case RTM_SURF_REPEATS: return rtm_jr_surf_repeats(r, o, err);
    case RTM_SURF_NTYPES: break;
    }
    return rtm_error_set(err, RTM_ERR_ARG, "run: unknown surface type");
}
