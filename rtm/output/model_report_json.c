/* model_report_json.c: model.json (see rtm/output.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/atomic.h"
#include "core/json.h"
#include "rtm/output.h"
#include "output/bt_report.h"

static void kv_num(rtm_json *w, const char *k, double v)
{
    if (isfinite(v))
        rtm_json_kv_double(w, k, v);
    else {
        rtm_json_key(w, k);
        rtm_json_null(w);
    }
}

static void inputs(rtm_json *w, const rtm_model *m, const rtm_model_context *c)
{
    int i;
    rtm_json_key(w, "inputs");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "crs", c->crs);
    rtm_json_kv_double(w, "cell_size", c->grid->res);
    rtm_json_kv_double(w, "block", c->opts->var.block);
    rtm_json_kv_int(w, "max_blocks", c->opts->var.max_blocks);
    rtm_json_kv_string(w, "increment", c->opts->var.half_block ? "half" : "whole");
    rtm_json_kv_string(w, "density_kernel", rtm_kernel_name(c->opts->var.density_kernel));
    rtm_json_kv_double(w, "density_threshold_sd", c->opts->var.density_k);
    rtm_json_kv_int(w, "grid_columns", c->grid->ncols);
    rtm_json_kv_int(w, "grid_rows", c->grid->nrows);
    rtm_json_key(w, "event_files");
    rtm_json_begin_array(w);
    for (i = 0; i < c->nevent_files; i++)
        rtm_json_string(w, c->event_files[i]);
    rtm_json_end_array(w);
    if (c->where)
        rtm_json_kv_string(w, "where", c->where);
    if (c->events) {
        int r;
        rtm_json_kv_int(w, "events_read", (long long)c->events->read);
        rtm_json_kv_int(w, "events_used", (long long)c->events->used);
        rtm_json_key(w, "events_skipped");
        rtm_json_begin_object(w);
        for (r = 0; r < RTM_SKIP_NREASONS; r++)
            rtm_json_kv_int(w, rtm_skip_reason_name((rtm_skip_reason)r),
                            (long long)c->events->skipped[r]);
        rtm_json_end_object(w);
    }
    rtm_json_end_object(w);
    rtm_json_kv_int(w, "cells", (long long)m->cells);
    rtm_json_kv_double(w, "events", m->events);
    rtm_json_kv_int(w, "cells_with_events", (long long)m->cells_with_events);
}

static void factors(rtm_json *w, const rtm_model *m, const rtm_model_context *c)
{
    int i;
    rtm_json_key(w, "factors");
    rtm_json_begin_array(w);
    for (i = 0; i < c->nfactors; i++) {
        const rtm_factor_info *fi = &m->vars->info[i];
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, "name", c->factors[i].name);
        if (c->factor_files)
            rtm_json_kv_string(w, "source", c->factor_files[i]);
        rtm_json_kv_int(w, "features", (long long)fi->nfeatures);
        rtm_json_kv_double(w, "max_spatial_influence",
                           c->opts->var.block * (c->factors[i].max_blocks > 0
                                                     ? c->factors[i].max_blocks
                                                     : c->opts->var.max_blocks));
        rtm_json_kv_string(w, "increment", (c->factors[i].increment
                                                ? c->factors[i].increment == 2
                                                : c->opts->var.half_block) ? "half" : "whole");
        rtm_json_kv_string(w, "operationalization_requested", rtm_op_name(c->factors[i].op));
        rtm_json_kv_string(w, "operationalization", rtm_op_name(fi->op));
        if (fi->why[0])
            rtm_json_kv_string(w, "operationalization_reason", fi->why);
        kv_num(w, "nn_ratio", fi->nn_ratio);
        kv_num(w, "nn_p", fi->nn_p);
        rtm_json_kv_int(w, "variables_generated", fi->generated);
        rtm_json_kv_int(w, "variables_constant_dropped", fi->dropped_constant);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

static void culling(rtm_json *w, const rtm_model *m)
{
    const rtm_enet_cv *cv = m->cv;
    int i;
    rtm_json_kv_int(w, "candidates", m->vars->generated);
    rtm_json_kv_int(w, "candidates_non_constant", m->vars->p);
    rtm_json_kv_int(w, "kept_after_culling", cv->nkept);
    rtm_json_key(w, "culling");
    rtm_json_begin_object(w);
    rtm_json_kv_double(w, "alpha", cv->path->alpha);
    rtm_json_kv_int(w, "folds", cv->nfolds);
    rtm_json_kv_int(w, "seed", (long long)cv->seed);
    rtm_json_kv_double(w, "lambda", cv->lambda);
    rtm_json_kv_double(w, "lambda_min", cv->lambda_min);
    rtm_json_kv_double(w, "lambda_1se", cv->lambda_1se);
    rtm_json_key(w, "kept");
    rtm_json_begin_array(w);
    for (i = 0; i < cv->nkept; i++)
        rtm_json_string(w, m->vars->var[cv->kept[i]].name);
    rtm_json_end_array(w);
    rtm_json_key(w, "path");
    rtm_json_begin_array(w);
    for (i = 0; i < cv->path->nlambda; i++) {
        rtm_json_begin_object(w);
        rtm_json_kv_double(w, "lambda", cv->path->lambda[i]);
        rtm_json_kv_int(w, "df", cv->path->df[i]);
        rtm_json_kv_double(w, "dev_ratio", cv->path->dev_ratio[i]);
        kv_num(w, "cv_deviance", cv->cvm[i]);
        kv_num(w, "cv_se", cv->cvsd[i]);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
    rtm_json_end_object(w);
}

static void final_model(rtm_json *w, const rtm_model *m)
{
    const rtm_glm_fit *f = &m->sw.fit;
    int j;
    rtm_json_kv_string(w, "family", rtm_family_name(m->sw.family));
    kv_num(w, "bic", f->bic);
    kv_num(w, "aic", f->aic);
    kv_num(w, "loglik", f->loglik);
    kv_num(w, "deviance", f->deviance);
    kv_num(w, "bic_poisson", m->sw.bic_poisson);
    kv_num(w, "bic_negative_binomial", m->sw.bic_nb);
    kv_num(w, "intercept", f->intercept);
    kv_num(w, "intercept_se", f->intercept_se);
    if (m->sw.family == RTM_FAMILY_NBII) {
        kv_num(w, "overdispersion_intercept_log_sigma", f->log_sigma);
        kv_num(w, "overdispersion_se", f->log_sigma_se);
    } else if (m->sw.family == RTM_FAMILY_NB2) {
        kv_num(w, "theta", f->theta);
        kv_num(w, "theta_se", f->theta_se);
    }
    rtm_json_key(w, "variables");
    rtm_json_begin_array(w);
    for (j = 0; j < f->k; j++) {
        const rtm_variable *v = &m->vars->var[f->cols[j]];
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, "name", v->name);
        rtm_json_kv_int(w, "factor_index", v->factor);
        rtm_json_kv_string(w, "operationalization", rtm_op_name(v->op));
        rtm_json_kv_double(w, "distance", v->distance);
        kv_num(w, "coefficient", f->beta[j]);
        kv_num(w, "se", f->se[j]);
        kv_num(w, "z", f->z[j]);
        kv_num(w, "p", f->p[j]);
        kv_num(w, "rrv", exp(f->beta[j]));
        rtm_json_kv_int(w, "cells", (long long)v->ones);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

static void tiers_json(rtm_json *w, const rtm_model *m)
{
    static const char *const names[RTM_NTIERS] = {"below average", "above average",
                                                   "moderately high", "highest"};
    int t;
    kv_num(w, "rrs_min", m->rrs_min);
    kv_num(w, "rrs_max", m->rrs_max);
    kv_num(w, "rrs_mean", m->rrs_mean);
    kv_num(w, "rrs_sd", m->rrs_sd);
    rtm_json_key(w, "tiers");
    rtm_json_begin_array(w);
    for (t = RTM_NTIERS - 1; t >= 0; t--) {
        const rtm_tier_stats *s = &m->tiers[t];
        rtm_json_begin_object(w);
        rtm_json_kv_int(w, "tier", t);
        rtm_json_kv_string(w, "name", names[t]);
        kv_num(w, "rrs_from", s->lower);
        rtm_json_kv_int(w, "cells", (long long)s->cells);
        kv_num(w, "area_share", s->area_share);
        kv_num(w, "events", s->events);
        kv_num(w, "event_share", s->event_share);
        kv_num(w, "rate_ratio_vs_rest", s->rate_ratio);
        rtm_json_key(w, "empty");
        rtm_json_bool(w, s->cells == 0);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

static void steps_json(rtm_json *w, const rtm_model *m)
{
    int i;
    rtm_json_key(w, "stepwise_log");
    rtm_json_begin_array(w);
    for (i = 0; i < m->sw.nlog; i++) {
        const rtm_step_entry *e = &m->sw.log[i];
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, "family", rtm_family_name(e->family));
        rtm_json_kv_string(w, "action", e->action == RTM_STEP_START ? "start"
                                        : e->action == RTM_STEP_ADD ? "add" : "drop");
        if (e->col >= 0)
            rtm_json_kv_string(w, "variable", m->vars->var[e->col].name);
        kv_num(w, "bic", e->bic);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

static void places_json(rtm_json *w, const rtm_model_context *c)
{
    int i;
    rtm_json_key(w, "priority_places");
    rtm_json_begin_array(w);
    for (i = 0; i < c->nplaces; i++) {
        rtm_json_begin_object(w);
        rtm_json_kv_int(w, "rank", c->places[i].rank);
        rtm_json_kv_int(w, "cells", (long long)c->places[i].cells);
        kv_num(w, "max_rrs", c->places[i].max_score);
        kv_num(w, "events", c->places[i].events);
        kv_num(w, "centre_x", c->places[i].cx);
        kv_num(w, "centre_y", c->places[i].cy);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
}

int rtm_model_report_json(const char *path, const rtm_model *m, const rtm_model_context *c,
                          rtm_error *err)
{
    rtm_json *w = rtm_json_new();
    int rc;
    if (!w)
        return rtm_error_set(err, RTM_ERR_NOMEM, "report: out of memory");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "software", c->software);
    inputs(w, m, c);
    factors(w, m, c);
    culling(w, m);
    final_model(w, m);
    tiers_json(w, m);
    steps_json(w, m);
    places_json(w, c);
    if (c->backtest)
        rtm_bt_summary_json(w, c->backtest);
    rtm_json_end_object(w);
    {
        const char *text;
        size_t len;
        rc = rtm_json_finish(w, &text, &len, err);
        if (!rc)
            rc = rtm_atomic_write_text(path, text, len, err);
    }
    rtm_json_free(w);
    return rc;
}
