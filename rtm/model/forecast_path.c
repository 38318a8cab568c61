/* forecast_path.c: the forecast's penalised Poisson path on the training
 * pairs, the penalty chosen by rolling-origin validation, and the fitted
 * terms and forecasts (rtm/forecast.h). */
#include "model/forecast_design.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fc_stats {
    double *n, *sy, *yl;
} fc_stats;

static int stats_alloc(fc_stats *s, size_t m)
{
    s->n = malloc(m * sizeof *s->n);
    s->sy = malloc(m * sizeof *s->sy);
    s->yl = malloc(m * sizeof *s->yl);
    return s->n && s->sy && s->yl ? 0 : -1;
}

static void stats_free(fc_stats *s)
{
    free(s->n), free(s->sy), free(s->yl);
}

/* glmnet's Poisson family with lower limits 0 (rtm/glm.h); the smallest
 * penalty 1e-3 of the largest, 20 penalties, and convergence at 1e-6 of the
 * null deviance (glmnet's default is 1e-7; the forecasts and back-tests of
 * the README's splits are the same to 3 digits, at 4/5 of the time). */
static void enet_opts(const fc_run *r, rtm_enet_opts *eo)
{
    rtm_enet_opts_init(eo);
    eo->alpha = r->o->alpha;
    eo->nlambda = r->o->nlambda;
    eo->lambda_min_ratio = 1e-3;
    eo->thresh = 1e-6;
    eo->nthreads = r->o->threads;
}

/* Path on the pairs with use[o]; with test_pair >= 0 also the deviance of
 * that pair at the penalties lam (nlam) into dev. */
static int path_on(const fc_run *r, const int *use, int test_pair, const double *lam, int nlam,
                   rtm_enet_path **path, double *dev, rtm_error *err)
{
    size_t m = rtm_patterns_count(r->pp.pt);
    fc_stats tr = {0}, te = {0};
    rtm_enet_opts eo;
    int rc, tuse[FC_MAX_ORIGINS] = {0};
    if (stats_alloc(&tr, m) || (test_pair >= 0 && stats_alloc(&te, m))) {
        stats_free(&tr), stats_free(&te);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    }
    rtm_fc_stats(&r->pp, use, tr.n, tr.sy, tr.yl);
    enet_opts(r, &eo);
    if (lam)
        eo.lambda = lam, eo.nlambda_user = nlam;
    rtm_enet_stats st = {tr.n, tr.sy, tr.yl}, ts = {te.n, te.sy, te.yl};
    if (test_pair >= 0) {
        tuse[test_pair] = 1;
        rtm_fc_stats(&r->pp, tuse, te.n, te.sy, te.yl);
    }
    rc = rtm_enet_path_patterns(r->pp.pt, &st, test_pair >= 0 ? &ts : NULL, lam, nlam, &eo,
                                path, dev, err);
    stats_free(&tr), stats_free(&te);
    return rc;
}

/* Coefficients of path at index l (clamped to the fitted lambdas). */
static const double *coef(const rtm_enet_path *pa, int l, double *a0)
{
    if (l >= pa->nlambda)
        l = pa->nlambda - 1;
    *a0 = pa->a0[l];
    return pa->beta + (size_t)l * (size_t)pa->p;
}

/* Rolling-origin validation: for each of the last nval pairs v, the path on
 * the pairs whose outcome ends before v's starts, scored on v. */
static int validate(fc_run *r, rtm_forecast *f, const rtm_enet_path *full, rtm_error *err)
{
    int np = r->pp.npairs, hz = r->o->horizon, rc = 0;
    int v0 = np - r->o->nval > hz ? np - r->o->nval : hz, nl = full->nlambda;
    rtm_enet_path *vp[RTM_FORECAST_MAX_VAL] = {0};
    int vrc[RTM_FORECAST_MAX_VAL] = {0};
    rtm_error verr[RTM_FORECAST_MAX_VAL];
    double *dev = calloc((size_t)nl * RTM_FORECAST_MAX_VAL, sizeof *dev);
    f->val_dev = calloc((size_t)nl, sizeof *f->val_dev);
    if (!dev || !f->val_dev) {
        free(dev);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    }
    f->nval = np - v0;
    /* the validation fits are independent: in parallel, summed in order below */
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->o->threads > 0 ? r->o->threads : omp_get_max_threads())
    for (int v = v0; v < np; v++) {
        int use[FC_MAX_ORIGINS] = {0};
        for (int u = 0; u <= v - hz; u++)
            use[u] = 1;
        vrc[v - v0] = path_on(r, use, v, full->lambda, nl, &vp[v - v0],
                              dev + (size_t)(v - v0) * (size_t)nl, &verr[v - v0]);
    }
    for (int v = 0; v < f->nval && !rc; v++) {
        if ((rc = vrc[v])) {
            *err = verr[v];
            break;
        }
        for (int l = 0; l < nl; l++)
            f->val_dev[l] += dev[(size_t)v * (size_t)nl + (size_t)l];
        f->val_month[v] = rtm_fc_yyyymm(r->h.base + r->tmin + v0 + v);
    }
    f->idx = 0;
    for (int l = 1; !rc && l < nl; l++)
        if (f->val_dev[l] < f->val_dev[f->idx]) /* ties: the larger penalty */
            f->idx = l;
    for (int v = 0; v < f->nval && !rc; v++) {
        double a0;
        const double *b = coef(vp[v], f->idx, &a0);
        if (!(f->val_mu[v] = malloc(r->h.nc * sizeof(double))))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
        else
            rtm_fc_predict(r, r->pp.B[v0 + v], a0, b, f->val_mu[v]);
    }
    for (int v = 0; v < RTM_FORECAST_MAX_VAL; v++)
        rtm_enet_path_free(vp[v]);
    free(dev);
    return rc;
}

static int fill_terms(const fc_run *r, rtm_forecast *f, const double *b)
{
    f->terms = calloc((size_t)(r->cols->n ? r->cols->n : 1), sizeof *f->terms);
    if (!f->terms)
        return -1;
    for (int j = 0; j < r->cols->n; j++) {
        if (b[j] == 0)
            continue;
        rtm_forecast_term *t = &f->terms[f->nterms++];
        int k = r->cols->pred[j];
        snprintf(t->name, sizeof t->name, "%s", r->cols->name[j]);
        snprintf(t->predictor, sizeof t->predictor, "%s",
                 k >= 0 ? r->pred[k].name : r->cols->vars->var[-1 - k].name);
        t->threshold = k >= 0 && r->cols->gt0[j] ? 0 : r->cols->thr[j];
        t->coef = b[j];
    }
    return 0;
}

int rtm_fc_fit_path(fc_run *r, rtm_forecast *f, rtm_error *err)
{
    int use[FC_MAX_ORIGINS] = {0}, rc;
    rtm_enet_path *full = NULL;
    for (int o = 0; o < r->pp.npairs; o++)
        use[o] = 1;
    if ((rc = path_on(r, use, -1, NULL, 0, &full, NULL, err)) ||
        (rc = validate(r, f, full, err)))
        goto done;
    f->nlambda = full->nlambda;
    f->lambda = malloc((size_t)full->nlambda * sizeof *f->lambda);
    f->mu = malloc(r->h.nc * sizeof *f->mu);
    double a0;
    const double *b = coef(full, f->idx, &a0);
    if (!f->lambda || !f->mu || fill_terms(r, f, b)) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
        goto done;
    }
    memcpy(f->lambda, full->lambda, (size_t)full->nlambda * sizeof *f->lambda);
    f->intercept = a0;
    rtm_fc_predict(r, r->pp.B[r->pp.npairs], a0, b, f->mu);
    f->predicted_total = 0;
    for (size_t i = 0; i < r->h.nin; i++)
        f->predicted_total += f->mu[r->h.in[i]];
done:
    rtm_enet_path_free(full);
    return rc;
}
