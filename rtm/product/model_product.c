/* model_product.c: the Risk Terrain Model product - the fit (rtm_model_fit)
 * and its complete file set: model.json, model.md, rrs.tif/.png,
 * tiers.tif/.png, cv.png and priority_places.gpkg. */
#include "product/product_priv.h"
#include "core/mpi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rtm_model_product_init(rtm_model_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_model_opts_init(&p->model);
    /* the vocabulary's defaults (one per option, for the CLI and jobs) */
    p->model.var.half_block = rtm_vocab_find("increment")->def;
    p->model.step.nb_family = (rtm_family)rtm_vocab_find("nb")->def;
    p->formats = RTM_OUT_ALL;
}

void rtm_model_result_free(rtm_model_result *r)
{
    if (!r)
        return;
    rtm_model_free(r->model);
    free(r->places);
    memset(r, 0, sizeof *r);
}

/* Path of file `name` in the product's folder, registered in the set. */
static const char *file_in(const rtm_model_product *p, rtm_outset *out, const char *name,
                           rtm_error *err)
{
    char *n = rtm_prod_join(p->dir, name);
    const char *path;
    if (!n) {
        rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
        return NULL;
    }
    path = rtm_outset_file(out, n, err);
    free(n);
    return path;
}

static int add_meta(const rtm_model_product *p, const rtm_model *m, const rtm_events *ev,
                    const rtm_product_env *env, rtm_kv *kv)
{
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "relative risk score") |
             rtm_kv_add(kv, "FAMILY", "%s", rtm_family_name(m->sw.family)) |
             rtm_kv_add(kv, "SEED", "%llu", (unsigned long long)p->model.enet.seed) |
             rtm_kv_add(kv, "BLOCK", "%.17g", p->model.var.block);
    for (int i = 0; i < p->nfactors; i++) {
        char key[64];
        snprintf(key, sizeof key, "FACTOR_%d", i + 1);
        rc |= rtm_kv_add(kv, key, "%s=%s:%s", p->factors[i].name,
                         p->sources ? p->sources[i] : p->factors[i].name,
                         rtm_op_name(p->factors[i].op));
    }
    return rc | rtm_prod_events_meta(env, ev, kv);
}

/* GeoTIFF `name` of the model's folder (as p->formats allows). */
static int tif_in(const rtm_model_product *p, rtm_outset *out, const char *name,
                  const rtm_events *ev, const double *v, const rtm_geotiff_opts *go,
                  rtm_error *err)
{
    char *n;
    int rc;
    if (!(p->formats & RTM_OUT_TIF))
        return 0;
    if (!(n = rtm_prod_join(p->dir, name)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    rc = rtm_prod_geotiff(out, n, &ev->grid, v, ev->mask, go, err);
    free(n);
    return rc;
}

/* Map `name` of the model's folder; values = NULL: a continuous map, else a
 * categorical one of nvalues classes. */
static int png_in(const rtm_model_product *p, rtm_outset *out, const char *name,
                  const rtm_events *ev, const double *v, const int *values,
                  const char *const *labels, int nvalues, const rtm_map_opts *mo,
                  rtm_error *err)
{
    char *n;
    int rc;
    if (!(n = rtm_prod_join(p->dir, name)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    rc = values ? rtm_prod_map_categorical(out, n, &ev->grid, v, ev->mask, values, labels,
                                           nvalues, mo, err)
                : rtm_prod_map(out, n, &ev->grid, v, ev->mask, mo, err);
    free(n);
    return rc;
}

/* rrs.tif (+ .qml) and rrs.png */
static int write_rrs(const rtm_model_product *p, const rtm_model *m, const rtm_events *ev,
                     const rtm_product_env *env, rtm_kv *kv, rtm_outset *out, rtm_error *err)
{
    char attr[400];
    rtm_geotiff_opts go;
    rtm_map_opts mo;
    int rc;
    rtm_geotiff_opts_init(&go);
    go.band_description = "relative risk score (RRS = product of RRVs present; lowest 1)";
    go.units = "ratio";
    go.metadata = rtm_kv_list(kv);
    go.qml_ramp = "magma";
    if ((rc = tif_in(p, out, "rrs.tif", ev, m->rrs, &go, err)) || !(p->formats & RTM_OUT_PNG))
        return rc;
    rtm_map_opts_init(&mo);
    mo.ramp = "magma";
    mo.title = "Risk terrain: relative risk score";
    mo.units_label = "relative risk score";
    mo.zero_transparent_below = -1;
    /* the risk settings come from OpenStreetMap and open registers */
    snprintf(attr, sizeof attr, "%s", env && env->attribution ? env->attribution
                                                              : RTM_ATTR_OGL_OSM);
    mo.attribution = attr;
    return png_in(p, out, "rrs.png", ev, m->rrs, NULL, NULL, 0, &mo, err);
}

/* tiers.tif (labelled classes) and tiers.png (the same palette) */
static int write_tiers(const rtm_model_product *p, const rtm_events *ev, rtm_kv *kv,
                       rtm_outset *out, const double *tier, rtm_error *err)
{
    static const int tv[4] = {0, 1, 2, 3};
    static const char *const tl[4] = {"below average", "above average", "moderately high",
                                      "highest"};
    static const char *const tlab[] = {"0=below average", "1=above average",
                                       "2=moderately high", "3=highest", NULL};
    rtm_geotiff_opts go;
    rtm_map_opts mo;
    int rc;
    rtm_geotiff_opts_init(&go);
    go.band_description = "risk tier (0 below average, 1 above average, 2 moderately high, "
                          "3 highest)";
    go.categorical = 1;
    go.class_labels = tlab;
    go.metadata = rtm_kv_list(kv);
    go.nodata = 255;
    go.qml_ramp = "ylorrd"; /* the palette of tiers.png */
    if ((rc = tif_in(p, out, "tiers.tif", ev, tier, &go, err)) || !(p->formats & RTM_OUT_PNG))
        return rc;
    rtm_map_opts_init(&mo);
    mo.ramp = "ylorrd";
    mo.title = "Risk tiers";
    mo.units_label = "risk tier";
    return png_in(p, out, "tiers.png", ev, tier, tv, tl, 4, &mo, err);
}

/* The cross-validation curve (mean held-out deviance +- 1 SE against
 * log10 lambda) as a chart, as cv.glmnet's plot shows it. */
static int write_cv_chart(const rtm_model_product *p, const rtm_model *m, rtm_outset *out,
                          rtm_error *err)
{
    const rtm_enet_cv *cv = m->cv;
    int n = cv->path->nlambda, rc;
    double *x = malloc(4 * (size_t)(n ? n : 1) * sizeof *x), *y, *lo, *hi;
    rtm_chart_series s[3];
    const char *path;
    if (!x)
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    y = x + n, lo = y + n, hi = lo + n;
    for (int i = 0; i < n; i++) {
        x[i] = log10(cv->path->lambda[i]);
        y[i] = cv->cvm[i];
        lo[i] = cv->cvm[i] - cv->cvsd[i];
        hi[i] = cv->cvm[i] + cv->cvsd[i];
    }
    s[0] = (rtm_chart_series){"mean CV deviance", x, y, (size_t)n};
    s[1] = (rtm_chart_series){"- 1 SE", x, lo, (size_t)n};
    s[2] = (rtm_chart_series){"+ 1 SE", x, hi, (size_t)n};
    if (!(path = file_in(p, out, "cv.png", err)))
        rc = err->code;
    else
        rc = rtm_chart_png_write(path, "Elastic-net culling: cross-validation curve",
                                 "log10(lambda)", "Poisson deviance per cell (held out)", s, 3,
                                 err);
    free(x);
    return rc;
}

/* Does the RRS forecast? A rolling monthly back-test over the months of the
 * events (rtm/evaluate_truth.h): at each step the model is re-fitted on the
 * months before the test month (its candidate variables copied, the culling
 * and stepwise selection re-run) and scored beside the prior counts. */
static int model_backtest(const rtm_model_product *p, rtm_model_result *r, const rtm_events *ev,
                          const rtm_model_opts *mo, const rtm_product_env *env, rtm_error *err)
{
    rtm_model_opts quiet = *mo;
    rtm_eval_model_ctx mc = {r->model->vars, &quiet, 0};
    rtm_eval_refit rf = {"RTM (relative risk score)", "Risk Terrain Model", rtm_eval_fit_model,
                         &mc};
    struct timespec t0, t1;
    int rc;
    memset(&r->backtest, 0, sizeof r->backtest);
    if (p->no_backtest) {
        snprintf(r->backtest.why, sizeof r->backtest.why, "switched off, so whether this map "
                 "forecasts next month's events better than the prior counts was not checked");
        return 0;
    }
    quiet.progress = quiet.var.progress = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = rtm_bt_summarise(&ev->grid, ev->mask, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.month,
                          ev->pts.n, &rf, 1, &r->backtest, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && r->backtest.done)
        rtm_prod_log(env, "model: back-test of %d steps in %.2f s: PAI at 1 %% %.2f (RTM) vs "
                     "%.2f (prior counts)%s", r->backtest.nsteps,
                     (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
                     r->backtest.pai[0][0], r->backtest.pai[1][0],
                     mc.failed ? "; some steps could not be modelled" : "");
    else if (!rc)
        rtm_prod_log(env, "model: no back-test: %s", r->backtest.why);
    return rc;
}

static int write_reports(const rtm_model_product *p, const rtm_model_result *r,
                         const rtm_events *ev, const rtm_product_env *env, rtm_outset *out,
                         rtm_error *err)
{
    char soft[64];
    const char *path;
    rtm_model_context ctx;
    const rtm_events_opts *eo = env ? env->events : NULL;
    snprintf(soft, sizeof soft, "rtm %s", RTM_VERSION);
    memset(&ctx, 0, sizeof ctx);
    ctx.software = soft;
    ctx.crs = eo && eo->dst_crs ? eo->dst_crs : ev->grid.crs;
    ctx.grid = &ev->grid;
    if (eo && eo->nsources > 0) {
        ctx.event_files = eo->sources[0].files;
        ctx.nevent_files = eo->sources[0].nfiles;
        ctx.where = eo->sources[0].where;
    }
    ctx.events = &ev->st;
    ctx.factors = p->factors;
    ctx.nfactors = p->nfactors;
    ctx.factor_files = p->sources;
    ctx.opts = &p->model;
    ctx.places = r->places;
    ctx.nplaces = r->nplaces;
    ctx.backtest = &r->backtest; /* switched off: says so */
    if ((p->formats & RTM_OUT_MD) &&
        (!(path = file_in(p, out, "model.md", err)) ||
         rtm_model_report_md(path, r->model, &ctx, err)))
        return err->code;
    if ((p->formats & RTM_OUT_JSON) &&
        (!(path = file_in(p, out, "model.json", err)) ||
         rtm_model_report_json(path, r->model, &ctx, err)))
        return err->code;
    return 0;
}

/* Priority places: the highest tier's cells merged 8-connected. */
static int places(const rtm_model_product *p, rtm_model_result *r, const rtm_events *ev,
                  const double *counts, rtm_outset *out, rtm_error *err)
{
    size_t n = rtm_grid_ncells(&ev->grid);
    unsigned char *flag = calloc(n ? n : 1, 1);
    int *label = NULL, rc;
    const char *path;
    if (!flag)
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (size_t k = 0; k < n; k++)
        flag[k] = r->model->tier[k] == 3;
    rc = rtm_places_find(&ev->grid, flag, r->model->rrs, counts, &label, &r->places,
                         &r->nplaces, err);
    if (!rc && (p->formats & RTM_OUT_TIF)) {
        if (!(path = file_in(p, out, "priority_places.gpkg", err)))
            rc = err->code;
        else
            rc = rtm_places_write(path, "priority_places", &ev->grid, label, r->places,
                                  r->nplaces, err);
    }
    free(flag);
    free(label);
    return rc;
}

void rtm_prod_model_used(const rtm_model_product *p, const rtm_events *ev,
                         const rtm_product_env *env, rtm_model_product *q)
{
    rtm_model_opts *mo = &q->model;
    *q = *p;
    if (!(mo->var.block > 0))
        mo->var.block = 2 * ev->grid.res;
    if (env && env->threads)
        mo->var.threads = mo->enet.nthreads = env->threads;
    mo->progress = mo->var.progress = env ? env->progress : NULL;
    mo->progress_arg = mo->var.progress_arg = env ? env->progress_arg : NULL;
}

static int fit(const rtm_model_product *p, const rtm_events *ev, rtm_varset *vars,
               const double *counts, const rtm_model_opts *mo, rtm_model **m, rtm_error *err)
{
    if (vars)
        return rtm_model_fit_varset(&ev->grid, vars, counts, mo, m, err);
    return rtm_model_fit(&ev->grid, ev->mask, ev->area_units2, counts, p->factors,
                         p->nfactors, mo, m, err);
}

/* The files. The counts are freed once the places have them, and the
 * tiers are widened to doubles only for their own file, so that a large
 * grid holds as little at once as it can. */
static int write_all(const rtm_model_product *p, rtm_model_result *r, const rtm_events *ev,
                     const rtm_product_env *env, double **counts, rtm_outset *out,
                     rtm_error *err)
{
    size_t n = rtm_grid_ncells(&ev->grid);
    double *tier = NULL;
    rtm_kv kv;
    int rc;
    rtm_kv_init(&kv);
    if (add_meta(p, r->model, ev, env, &kv))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    else if (!(rc = places(p, r, ev, *counts, out, err))) {
        free(*counts);
        *counts = NULL;
        rc = write_rrs(p, r->model, ev, env, &kv, out, err);
    }
    if (!rc && !(tier = rtm_prod_alloc(n, "model", err)))
        rc = RTM_ERR_NOMEM;
    for (size_t k = 0; !rc && k < n; k++)
        tier[k] = r->model->tier[k] == 255 ? NAN : r->model->tier[k];
    if (!rc && !(rc = write_tiers(p, ev, &kv, out, tier, err)) && (p->formats & RTM_OUT_PNG))
        rc = write_cv_chart(p, r->model, out, err);
    free(tier);
    if (!rc)
        rc = write_reports(p, r, ev, env, out, err);
    rtm_kv_free(&kv);
    return rc;
}

/* A long culling (a national grid's takes hours) says how far it is in the
 * log, each tenth of its lambdas once it has run a minute, so that an
 * unattended run shows it is alive; the terminal's bar as before. */
#define CULLING_LOG_AFTER 60.0 /* seconds */

typedef struct fit_log {
    const rtm_product_env *env;
    struct timespec t0;
    int tenths;
} fit_log;

static int fit_progress(double frac, const char *what, void *arg)
{
    fit_log *f = arg;
    struct timespec t;
    if (f->env && f->env->progress)
        f->env->progress(frac, what, f->env->progress_arg);
    if (strcmp(what, "culling"))
        return 1;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (frac <= 0) {
        f->t0 = t;
        f->tenths = 0;
        return 1;
    }
    double s = (double)(t.tv_sec - f->t0.tv_sec) + 1e-9 * (double)(t.tv_nsec - f->t0.tv_nsec);
    int k = (int)floor(frac * 10);
    if (s >= CULLING_LOG_AFTER && k > f->tenths && frac < 1) {
        f->tenths = k;
        rtm_prod_log(f->env, "model: culling: %d %% of the cross-validation's lambdas in "
                     "%.1f min", 10 * k, s / 60);
    }
    return 1;
}

int rtm_model_product_run(const rtm_model_product *p, const rtm_events *ev, rtm_varset *vars,
                          const rtm_product_env *env, rtm_outset *out, rtm_model_result *res,
                          rtm_error *err)
{
    size_t n = rtm_grid_ncells(&ev->grid);
    rtm_model_product q;
    rtm_model_opts *mo = &q.model;
    rtm_model_result r = {0};
    double *counts;
    int rc;
    if (!(counts = rtm_prod_alloc(n, "model", err))) {
        rtm_varset_free(vars);
        return RTM_ERR_NOMEM;
    }
    fit_log fl = {env, {0, 0}, 0};
    rtm_prod_model_used(p, ev, env, &q);
    mo->progress = fit_progress;
    mo->progress_arg = &fl;
    rtm_bin_points(&ev->grid, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, counts);
    rtm_prod_log(env, "model: %d factors, block %g, up to %d blocks; %s", p->nfactors,
                 mo->var.block, mo->var.max_blocks, vars ? "variables given"
                                                        : "building variables");
    /* an MPI job: the ranks share the variables; rank 0 alone fits and writes */
    if (!vars && rtm_mpi_size() > 1 &&
        ((rc = rtm_prod_model_vars_spread(&ev->grid, ev->mask, ev->area_units2, p->factors,
                                          p->nfactors, &mo->var, &vars, err)) || !vars)) {
        free(counts);
        return rc;
    }
    if (!(rc = fit(&q, ev, vars, counts, mo, &r.model, err)) &&
        !(rc = model_backtest(&q, &r, ev, mo, env, err))) {
        rtm_model_release_design(r.model); /* nothing refits or re-reads it now */
        rc = write_all(&q, &r, ev, env, &counts, out, err);
    }
    free(counts);
    if (!rc && r.model->tiers[RTM_NTIERS - 1].cells == 0)
        rtm_prod_log(env, "warning: model: the highest risk tier is empty (no cell reaches RRS "
                     "%.3g): no priority places; lower the tier thresholds to get some",
                     r.model->tiers[RTM_NTIERS - 1].lower);
    if (!rc)
        rtm_prod_log(env, "model: %s, %d variables; RRS %.3g..%.3g; %d priority places",
                     rtm_family_name(r.model->sw.family), r.model->sw.k, r.model->rrs_min,
                     r.model->rrs_max, r.nplaces);
    if (!rc && res)
        *res = r;
    else
        rtm_model_result_free(&r);
    return rc;
}

/* ---- by tiles ------------------------------------------------------------- */

typedef struct model_fin {
    const rtm_model_product *p;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_model_result *res;
} model_fin;

/* The merge's candidate set: the whole run's fit and files from it. */
static int model_with_vars(void *ctx, rtm_varset *vars, rtm_error *err)
{
    model_fin *m = ctx;
    return rtm_model_product_run(m->p, m->ev, vars, m->env, m->out, m->res, err);
}

int rtm_model_product_tiled(const rtm_model_product *p, const rtm_events *ev,
                            const rtm_product_env *env, const rtm_tiling *h, rtm_outset *out,
                            rtm_model_result *res, rtm_error *err)
{
    model_fin m = {p, ev, env, out, res};
    rtm_model_product q;
    if (!h || (h->count == 0 && h->nmerge == 0))
        return rtm_model_product_run(p, ev, NULL, env, out, res, err);
    rtm_prod_model_used(p, ev, env, &q);
    return rtm_prod_vars_tiled("model", ev, p->factors, p->nfactors, &q.model.var, h, out,
                               model_with_vars, &m, err);
}
