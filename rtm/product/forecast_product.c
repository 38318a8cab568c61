/* forecast_product.c: the forecast product - the fitted forecast
 * (rtm/forecast.h) of the events, its rolling-origin back-test against the
 * baselines, and its files: forecast.tif (+ .qml), forecast.png,
 * forecast.json and forecast.md (forecast_report.c). */
#include "product/forecast_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_forecast_product_init(rtm_forecast_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_forecast_opts_init(&p->fc);
    rtm_var_opts_init(&p->var);
}

static int add_meta(const rtm_forecast_product *p, const rtm_forecast *f, const rtm_events *ev,
                    const rtm_product_env *env, rtm_kv *kv)
{
    char u[128];
    rtm_fc_units(f, u, sizeof u);
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "forecast: %s", u) |
             rtm_kv_add(kv, "UNITS", "%s", u) |
             rtm_kv_add(kv, "MODEL", "penalised Poisson (elastic net, alpha %g, non-negative "
                        "coefficients) on step indicators of the history; penalty by "
                        "rolling-origin validation", f->alpha) |
             rtm_kv_add(kv, "TRAINING_WINDOW", "%04d-%02d..%04d-%02d", f->first_month / 100,
                        f->first_month % 100, f->last_month / 100, f->last_month % 100) |
             rtm_kv_add(kv, "FORECAST_MONTHS", "%04d-%02d..%04d-%02d", f->forecast_from / 100,
                        f->forecast_from % 100, f->forecast_to / 100, f->forecast_to % 100) |
             rtm_kv_add(kv, "HORIZON_MONTHS", "%d", f->horizon) |
             rtm_kv_add(kv, "SEED", "%llu", (unsigned long long)f->seed) |
             rtm_kv_add(kv, "TERMS", "%d", f->nterms) |
             rtm_kv_add(kv, "FACTORS", "%d", p->nfactors) |
             rtm_kv_add(kv, "DST_CRS", "%s", env && env->events && env->events->dst_crs
                                                 ? env->events->dst_crs : ev->grid.crs);
    return rc | rtm_prod_events_meta(env, ev, kv);
}

static int write_tif(const rtm_forecast_product *p, const rtm_forecast *f, const rtm_events *ev,
                     const rtm_product_env *env, rtm_outset *out, rtm_error *err)
{
    char u[128], *name = rtm_prod_join(p->dir, "forecast.tif");
    rtm_geotiff_opts go;
    rtm_kv kv;
    int rc;
    rtm_kv_init(&kv);
    if (!name || add_meta(p, f, ev, env, &kv)) {
        free(name), rtm_kv_free(&kv);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    }
    rtm_fc_units(f, u, sizeof u);
    rtm_geotiff_opts_init(&go);
    go.band_description = u;
    go.units = "events per cell";
    go.float64 = 1;
    go.metadata = rtm_kv_list(&kv);
    rc = rtm_prod_geotiff(out, name, &ev->grid, f->mu, ev->mask, &go, err);
    rtm_kv_free(&kv);
    free(name);
    return rc;
}

static int write_png(const rtm_forecast_product *p, const rtm_forecast *f, const rtm_events *ev,
                     const rtm_product_env *env, rtm_outset *out, rtm_error *err)
{
    char sub[256], u[128], *name = rtm_prod_join(p->dir, "forecast.png");
    rtm_map_opts mo;
    if (!name)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    rtm_fc_units(f, u, sizeof u);
    rtm_map_opts_init(&mo);
    mo.title = p->title ? p->title : "Forecast";
    snprintf(sub, sizeof sub, "learnt from %04d-%02d to %04d-%02d · %.0f events · %g m cells"
             " · back-tested PAI at 1 %%: %.1f (prior counts %.1f)", f->first_month / 100,
             f->first_month % 100, f->last_month / 100, f->last_month % 100, f->events_train,
             ev->grid.res, f->pai_mean[0][0], f->pai_mean[1][0]);
    mo.subtitle = sub;
    mo.units_label = u;
    mo.zero_transparent_below = -1;
    mo.attribution = env && env->attribution ? env->attribution
                     : p->nfactors ? RTM_ATTR_OGL_OSM : RTM_ATTR_OGL;
    int rc = rtm_prod_map(out, name, &ev->grid, f->mu, ev->mask, &mo, err);
    free(name);
    return rc;
}

/* The factor variables' options as the product uses them. */
static void var_opts(const rtm_forecast_product *p, const rtm_events *ev,
                     const rtm_product_env *env, rtm_var_opts *vo)
{
    *vo = p->var;
    if (!(vo->block > 0))
        vo->block = 2 * ev->grid.res;
    vo->threads = env && env->threads ? env->threads : p->fc.threads;
}

/* vars: the factors' variables built before (by tiles; the fit owns them),
 * or NULL to build them here. */
static int fit(const rtm_forecast_product *p, const rtm_events *ev, const rtm_product_env *env,
               rtm_varset *vars, rtm_forecast **f, rtm_error *err)
{
    rtm_forecast_opts o = p->fc;
    int rc = 0;
    if (env && env->threads)
        o.threads = env->threads;
    if (p->nfactors > 0 && !vars) {
        rtm_var_opts vo;
        var_opts(p, ev, env, &vo);
        rtm_prod_log(env, "forecast: building the risk variables of %d factor%s", p->nfactors,
                     p->nfactors == 1 ? "" : "s");
        rc = rtm_variables_build(&ev->grid, ev->mask, ev->area_units2, p->factors,
                                 p->nfactors, &vo, &vars, err);
    }
    if (!rc)
        rc = rtm_forecast_fit(&ev->grid, ev->mask, &ev->pts, vars, &o, f, err);
    if (!rc)
        rc = rtm_forecast_backtest(*f, &ev->grid, ev->mask, &ev->pts, &o, err);
    rtm_varset_free(vars);
    return rc;
}

/* The whole product, from the variables vars (owned; NULL: built here). */
static int run(const rtm_forecast_product *p, const rtm_events *ev, rtm_varset *vars,
               const rtm_product_env *env, rtm_outset *out, rtm_forecast **res, rtm_error *err)
{
    rtm_forecast *f = NULL;
    int rc;
    if (!p->dir || !p->dir[0])
        rc = rtm_error_set(err, RTM_ERR_ARG, "forecast: no output folder");
    else if (ev->pts.n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "forecast: no events to learn from");
    else
        rc = 0;
    if (rc) {
        rtm_varset_free(vars);
        return rc;
    }
    if (p->fc.train_to) {
        size_t later = 0;
        for (size_t i = 0; i < ev->pts.n; i++)
            later += ev->pts.month && ev->pts.month[i] > p->fc.train_to;
        if (later)
            rtm_prod_log(env, "forecast: %zu event%s after %04d-%02d ignored (--train-to)", later,
                         later == 1 ? "" : "s", p->fc.train_to / 100, p->fc.train_to % 100);
    }
    if ((rc = fit(p, ev, env, vars, &f, err)))
        return rc;
    rtm_prod_log(env, "forecast: %04d-%02d..%04d-%02d from %04d-%02d..%04d-%02d, %d training "
                 "pairs, %d of %d terms; back-tested PAI at 1 %% %.2f (prior %.2f)",
                 f->forecast_from / 100, f->forecast_from % 100, f->forecast_to / 100,
                 f->forecast_to % 100, f->first_month / 100, f->first_month % 100,
                 f->last_month / 100, f->last_month % 100, f->npairs, f->nterms, f->ncols,
                 f->pai_mean[0][0], f->pai_mean[1][0]);
    if (!(rc = write_tif(p, f, ev, env, out, err)) && !(rc = write_png(p, f, ev, env, out, err)) &&
        !(rc = rtm_fc_write_json(p, f, ev, out, err)))
        rc = rtm_fc_write_md(p, f, ev, out, err);
    if (!rc && res)
        *res = f;
    else
        rtm_forecast_free(f);
    return rc;
}

int rtm_forecast_product_run(const rtm_forecast_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out, rtm_forecast **res,
                             rtm_error *err)
{
    return run(p, ev, NULL, env, out, res, err);
}

/* ---- by tiles ------------------------------------------------------------- */

typedef struct fc_fin {
    const rtm_forecast_product *p;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_forecast **res;
} fc_fin;

static int with_vars(void *ctx, rtm_varset *vars, rtm_error *err)
{
    fc_fin *m = ctx;
    return run(m->p, m->ev, vars, m->env, m->out, m->res, err);
}

int rtm_forecast_product_tiled(const rtm_forecast_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *h,
                               rtm_outset *out, rtm_forecast **res, rtm_error *err)
{
    fc_fin m = {p, ev, env, out, res};
    rtm_var_opts vo;
    if (!h || (h->count == 0 && h->nmerge == 0))
        return run(p, ev, NULL, env, out, res, err);
    var_opts(p, ev, env, &vo);
    return rtm_prod_vars_tiled("forecast", ev, p->factors, p->nfactors, &vo, h, out, with_vars,
                               &m, err);
}
