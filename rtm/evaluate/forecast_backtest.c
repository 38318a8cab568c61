/* forecast_backtest.c: the forecast's rolling-origin back-test against the
 * baselines - at each validation origin, PAI at 1, 5 and 20 % of the
 * forecast refitted on the earlier pairs, of the prior counts and of the
 * quartic KDE of the events before the origin (rtm/forecast.h), scored by
 * rtm_eval_curve (ties pro rata). */
#include "rtm/evaluate.h"
#include "rtm/forecast.h"
#include "rtm/surface.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int mnum(int yyyymm)
{
    return (yyyymm / 100) * 12 + (yyyymm % 100) - 1;
}

/* Events of months [from, to] (YYYYMM) per grid cell into c. */
static void bin_months(const rtm_grid *g, const rtm_points *pts, int from, int to, double *c)
{
    memset(c, 0, rtm_grid_ncells(g) * sizeof *c);
    for (size_t i = 0; i < pts->n; i++) {
        int m = pts->month ? pts->month[i] : 0, ci, cj;
        if (m < from || m > to || rtm_grid_locate(g, pts->x[i], pts->y[i], &ci, &cj))
            continue;
        c[(size_t)ci * (size_t)g->ncols + (size_t)cj] += pts->w ? pts->w[i] : 1.0;
    }
}

/* The events before month `before` (and from first): coordinates copied. */
static size_t history(const rtm_points *pts, int first, int before, double *x, double *y,
                      double *w)
{
    size_t n = 0;
    for (size_t i = 0; i < pts->n; i++) {
        int m = pts->month ? pts->month[i] : 0;
        if (m >= first && m < before) {
            x[n] = pts->x[i], y[n] = pts->y[i], w[n] = pts->w ? pts->w[i] : 1.0;
            n++;
        }
    }
    return n;
}

static int pai_of(const double *pred, const double *test, const unsigned char *mask,
                  size_t nc, double *pai, rtm_error *err)
{
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m[RTM_FORECAST_NCOV];
    double cov[RTM_FORECAST_NCOV];
    int rc = rtm_eval_curve(pred, test, mask, nc, &c, err);
    for (int k = 0; k < RTM_FORECAST_NCOV; k++)
        cov[k] = rtm_forecast_coverages[k] / 100.0;
    if (!rc)
        rc = rtm_eval_at_many(c, cov, RTM_FORECAST_NCOV, m, err);
    for (int k = 0; !rc && k < RTM_FORECAST_NCOV; k++)
        pai[k] = m[k].pai;
    rtm_eval_curve_free(c);
    return rc;
}

typedef struct bt_buf {
    double *test, *base, *x, *y, *w;
} bt_buf;

/* One validation origin: test counts, then each surface's PAI. */
static int one_step(rtm_forecast *f, int v, const rtm_grid *g, const unsigned char *mask,
                    const rtm_points *pts, const rtm_forecast_opts *o, bt_buf *b,
                    rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g);
    int t = f->val_month[v], tm = mnum(t) + f->horizon - 1, rc;
    int to = (tm / 12) * 100 + tm % 12 + 1;
    bin_months(g, pts, t, to, b->test);
    f->val_events[v] = 0;
    for (size_t k = 0; k < nc; k++)
        if (!mask || mask[k])
            f->val_events[v] += b->test[k];
    if ((rc = pai_of(f->val_mu[v], b->test, mask, nc, f->pai[v][0], err)))
        return rc;
    bin_months(g, pts, f->first_month, (mnum(t) - 1) / 12 * 100 + (mnum(t) - 1) % 12 + 1,
               b->base);
    if ((rc = pai_of(b->base, b->test, mask, nc, f->pai[v][1], err)))
        return rc;
    size_t n = history(pts, f->first_month, t, b->x, b->y, b->w);
    for (int k = 0; k < 3; k++) {
        rtm_kde_opts ko;
        rtm_kde_opts_init(&ko);
        ko.radius = o->bandwidths[k] > 0 ? o->bandwidths[k] : 200 << k;
        ko.units = RTM_UNITS_CELL;
        ko.threads = o->threads;
        if ((rc = rtm_kde_compute(g, b->x, b->y, b->w, n, &ko, b->base, err)) ||
            (rc = pai_of(b->base, b->test, mask, nc, f->pai[v][2 + k], err)))
            return rc;
    }
    return 0;
}

int rtm_forecast_backtest(rtm_forecast *f, const rtm_grid *g, const unsigned char *mask,
                          const rtm_points *pts, const rtm_forecast_opts *o, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), np = pts->n ? pts->n : 1;
    bt_buf b = {malloc(nc * sizeof(double)), malloc(nc * sizeof(double)),
                malloc(np * sizeof(double)), malloc(np * sizeof(double)),
                malloc(np * sizeof(double))};
    int rc = 0;
    if (!b.test || !b.base || !b.x || !b.y || !b.w)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory for the back-test");
    for (int v = 0; v < f->nval && !rc; v++)
        rc = one_step(f, v, g, mask, pts, o, &b, err);
    for (int s = 0; !rc && s < RTM_FORECAST_NBASE; s++)
        for (int k = 0; k < RTM_FORECAST_NCOV; k++) {
            double sum = 0;
            for (int v = 0; v < f->nval; v++)
                sum += f->pai[v][s][k];
            f->pai_mean[s][k] = f->nval ? sum / f->nval : NAN;
        }
    free(b.test), free(b.base), free(b.x), free(b.y), free(b.w);
    return rc;
}
