/* forecast_fit.c: the forecast model end to end - history, predictors,
 * training pairs, the penalised Poisson path (rtm/glm.h's elastic net with
 * non-negative coefficients), the penalty chosen by rolling-origin
 * validation, and the forecast (rtm/forecast.h). */
#include "model/forecast_design.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double rtm_forecast_coverages[RTM_FORECAST_NCOV] = {1, 5, 20};

void rtm_forecast_opts_init(rtm_forecast_opts *o)
{
    memset(o, 0, sizeof *o);
    o->horizon = 1;
    o->seed = 1;
    o->max_pairs = 12;
    o->nval = 3;
    o->alpha = 0.5;
    o->nlambda = 20;
    o->bandwidths[0] = 200, o->bandwidths[1] = 400, o->bandwidths[2] = 800;
    o->wide = 1600;
    o->max_rows = 2000000;
}

/* Append one problem to a "; "-separated list (every problem at once). */
static void problem(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 3 >= cap)
        return;
    if (len)
        strcpy(buf + len, "; "), len += 2;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

int rtm_forecast_opts_check(const rtm_forecast_opts *o, rtm_error *err)
{
    char m[RTM_ERRMSG_MAX - 16] = "";
    size_t c = sizeof m;
    if (o->horizon < 1 || o->horizon > 12)
        problem(m, c, "horizon must be 1..12 months (got %d)", o->horizon);
    if (o->train_to && (o->train_to % 100 < 1 || o->train_to % 100 > 12))
        problem(m, c, "train_to must be YYYYMM (got %d)", o->train_to);
    if (o->max_pairs < 2 || o->max_pairs > FC_MAX_ORIGINS - 1)
        problem(m, c, "max_pairs must be 2..%d (got %d)", FC_MAX_ORIGINS - 1, o->max_pairs);
    if (o->nval < 1 || o->nval > RTM_FORECAST_MAX_VAL)
        problem(m, c, "nval must be 1..%d (got %d)", RTM_FORECAST_MAX_VAL, o->nval);
    if (!(o->alpha > 0 && o->alpha <= 1))
        problem(m, c, "alpha must be in (0, 1] (got %g)", o->alpha);
    if (o->nlambda < 2 || o->nlambda > 1000)
        problem(m, c, "nlambda must be 2..1000 (got %d)", o->nlambda);
    for (int b = 0; b < 3; b++)
        if (!(o->bandwidths[b] >= 0 && isfinite(o->bandwidths[b])))
            problem(m, c, "bandwidth %d must be >= 0 (got %g)", b + 1, o->bandwidths[b]);
    if (!(o->wide >= 0 && isfinite(o->wide)))
        problem(m, c, "wide must be >= 0 (got %g)", o->wide);
    if (o->max_rows < 1000)
        problem(m, c, "max_rows must be >= 1000 (got %zu)", o->max_rows);
    return m[0] ? rtm_error_set(err, RTM_ERR_ARG, "forecast: %s", m) : 0;
}

void rtm_forecast_free(rtm_forecast *f)
{
    if (!f)
        return;
    free(f->terms), free(f->lambda), free(f->val_dev), free(f->mu);
    for (int v = 0; v < RTM_FORECAST_MAX_VAL; v++)
        free(f->val_mu[v]);
    free(f);
}

const char *rtm_forecast_base_name(const rtm_forecast *f, int b, char *buf, size_t len)
{
    static const char *const fixed[2] = {"forecast", "prior"};
    (void)f;
    if (b < 2)
        snprintf(buf, len, "%s", fixed[b]);
    else
        snprintf(buf, len, "kde%d", b == 2 ? 200 : b == 3 ? 400 : 800);
    return buf;
}

/* The training window: first month of the events up to last (train_to or
 * the events' last month). */
static int window(const rtm_points *pts, int train_to, int *first, int *last, rtm_error *err)
{
    int lo = 0, hi = 0;
    for (size_t i = 0; i < pts->n; i++) {
        int m = pts->month ? pts->month[i] : 0;
        if (m <= 0 || (train_to && m > train_to))
            continue;
        lo = !lo || m < lo ? m : lo;
        hi = m > hi ? m : hi;
    }
    if (!lo)
        return rtm_error_set(err, RTM_ERR_INPUT, "forecast: no event with a month%s",
                             train_to ? " up to the end of training" : "");
    *first = lo;
    *last = train_to ? train_to : hi;
    return 0;
}

int rtm_fc_plan(fc_run *r, rtm_error *err)
{
    const fc_hist *h = &r->h;
    int hz = r->o->horizon, tmax = h->nm - hz;
    r->tmin = tmax - r->o->max_pairs + 1 > 1 ? tmax - r->o->max_pairs + 1 : 1;
    /* the same months a year earlier: when enough pairs have them */
    r->use_yearago = hz <= 12 && tmax - (r->tmin > 12 ? r->tmin : 12) + 1 >= hz + 2;
    if (r->use_yearago && r->tmin < 12)
        r->tmin = 12;
    r->pp.npairs = tmax - r->tmin + 1;
    if (r->pp.npairs < hz + 1)
        return rtm_error_set(err, RTM_ERR_INPUT, "forecast: %d month%s of history; a %d-month "
                             "forecast needs at least %d (two training pairs, one of them "
                             "to choose the penalty)", h->nm, h->nm == 1 ? "" : "s", hz,
                             2 * hz + 1);
    r->np = rtm_fc_preds(h, r->o, r->use_yearago, r->pred);
    return 0;
}

/* Bits of the origin whose values are in r->F. */
static int origin_bits(fc_run *r, uint64_t *B, rtm_error *err)
{
    double q[FC_MAX_PRED * FC_NLEVELS];
    if (r->cols->rank)
        for (int k = 0; k < r->np; k++)
            if (rtm_fc_levels(r->F + (size_t)k * r->h.nin, r->h.nin, q + k * FC_NLEVELS, err))
                return err->code;
    rtm_fc_bits(r->cols, &r->h, r->F, r->cols->rank ? q : NULL, B);
    return 0;
}

/* Bits of every origin: the forecast origin first (it sets the thresholds). */
int rtm_fc_build_bits(fc_run *r, const rtm_varset *vars, rtm_error *err)
{
    fc_hist *h = &r->h;
    int rc, np = r->pp.npairs;
    size_t nin = h->nin ? h->nin : 1;
    r->F = malloc((size_t)r->np * nin * sizeof *r->F);
    r->scratch = malloc(h->nc * sizeof *r->scratch);
    r->pp.y = malloc((size_t)np * nin * sizeof *r->pp.y);
    r->cols = calloc(1, sizeof *r->cols);
    if (!r->F || !r->scratch || !r->pp.y || !r->cols)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory for %zu cells", nin);
    r->cols->rank = 1; /* each origin's own quantiles (rtm/forecast.h) */
    if ((rc = rtm_fc_features(h, r->pred, r->np, h->nm, r->o, r->F, r->scratch, err)) ||
        (rc = rtm_fc_cols_build(r->cols, h, r->pred, r->np, r->F, vars, err)))
        return rc;
    r->pp.nin = h->nin;
    r->pp.nw = r->cols->nw;
    for (int o = 0; o <= np; o++) {
        r->pp.B[o] = malloc(nin * (size_t)r->cols->nw * sizeof(uint64_t));
        if (!r->pp.B[o])
            return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    }
    if ((rc = origin_bits(r, r->pp.B[np], err)))
        return rc;
    for (int o = 0; o < np; o++) {
        int t = r->tmin + o;
        if ((rc = rtm_fc_features(h, r->pred, r->np, t, r->o, r->F, r->scratch, err)) ||
            (rc = origin_bits(r, r->pp.B[o], err)))
            return rc;
        rtm_fc_outcome(h, t, r->pp.y + (size_t)o * h->nin);
    }
    return 0;
}

void rtm_fc_run_free(fc_run *r)
{
    rtm_fc_pairs_free(&r->pp);
    if (r->cols)
        rtm_fc_cols_free(r->cols);
    free(r->cols), free(r->F), free(r->scratch);
    rtm_fc_hist_free(&r->h);
}

static int fit_setup(fc_run *r, const rtm_grid *g, const unsigned char *mask,
                     const rtm_points *pts, const rtm_varset *vars, rtm_forecast *f,
                     rtm_error *err)
{
    int first = 0, last = 0, rc;
    if ((rc = window(pts, r->o->train_to, &first, &last, err)) ||
        (rc = rtm_fc_hist_build(&r->h, g, mask, pts, first, last, r->o->horizon, err)))
        return rc;
    if (r->h.nin == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "forecast: no cell inside the study area");
    if ((rc = rtm_fc_plan(r, err)) || (rc = rtm_fc_build_bits(r, vars, err)))
        return rc;
    int base = r->h.base, hz = r->o->horizon;
    f->first_month = first, f->last_month = last;
    f->forecast_from = rtm_fc_yyyymm(base + r->h.nm);
    f->forecast_to = rtm_fc_yyyymm(base + r->h.nm + hz - 1);
    f->horizon = hz, f->seed = r->o->seed, f->alpha = r->o->alpha;
    f->npairs = r->pp.npairs;
    f->pair_from = rtm_fc_yyyymm(base + r->tmin);
    f->pair_to = rtm_fc_yyyymm(base + r->tmin + r->pp.npairs - 1);
    f->npred = r->np;
    for (int k = 0; k < r->np; k++)
        snprintf(f->pred[k], sizeof f->pred[k], "%s", r->pred[k].name);
    f->ncols = r->cols->n;
    f->events_train = 0;
    for (size_t i = 0; i < (size_t)r->h.nm * r->h.nin; i++)
        f->events_train += r->h.cnt[i];
    if ((rc = rtm_fc_design(&r->pp, r->cols->n, r->o->max_rows, r->o->seed, err)))
        return rc;
    f->rows = r->pp.nrows, f->keep_p = r->pp.keep_p;
    const char *names[FC_MAX_COLS];
    for (int j = 0; j < r->cols->n; j++)
        names[j] = r->cols->name[j];
    rc = rtm_fc_patterns(&r->pp, r->cols->n, names, err);
    f->patterns = r->pp.pt ? rtm_patterns_count(r->pp.pt) : 0;
    return rc;
}

int rtm_forecast_fit(const rtm_grid *g, const unsigned char *mask, const rtm_points *pts,
                     const rtm_varset *vars, const rtm_forecast_opts *o, rtm_forecast **out,
                     rtm_error *err)
{
    fc_run r;
    int rc;
    if ((rc = rtm_forecast_opts_check(o, err)) || (rc = rtm_grid_check(g, err)))
        return rc;
    rtm_forecast *f = calloc(1, sizeof *f);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    memset(&r, 0, sizeof r);
    r.o = o;
    rc = fit_setup(&r, g, mask, pts, vars, f, err);
    if (!rc)
        rc = rtm_fc_fit_path(&r, f, err);
    rtm_fc_run_free(&r);
    if (rc)
        rtm_forecast_free(f);
    else
        *out = f;
    return rc;
}

int rtm_forecast_refit(const rtm_grid *g, const unsigned char *mask, const rtm_points *pts,
                       const rtm_varset *vars, const rtm_forecast_opts *o, int train_to,
                       double *mu, rtm_error *err)
{
    rtm_forecast_opts oo = *o;
    rtm_forecast *f = NULL;
    oo.train_to = train_to;
    int rc = rtm_forecast_fit(g, mask, pts, vars, &oo, &f, err);
    if (!rc)
        memcpy(mu, f->mu, rtm_grid_ncells(g) * sizeof *mu);
    rtm_forecast_free(f);
    return rc;
}
