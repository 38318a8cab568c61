/* forecast_refit.c: the forecast as a back-test refit (rtm/evaluate_truth.h's
 * callback interface): at each step of `rtm evaluate --backtest` the
 * forecast is re-fitted on the step's training events and forecasts the
 * month after them, exactly as `rtm forecast --train-to` would. */
#include "product/forecast_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rtm_forecast_eval_ctx_init(rtm_forecast_eval_ctx *c)
{
    memset(c, 0, sizeof *c);
    rtm_forecast_opts_init(&c->fc);
}

/* The step's training events inside the evaluated cells with a month up to
 * train_to (what `rtm forecast` reads: the events in its study area), into
 * pts (arrays owned by the caller's free of pts->x .. pts->month). */
static int inside_events(const rtm_eval_fit_data *d, rtm_points *pts, int *first)
{
    size_t n = d->n ? d->n : 1, k = 0;
    memset(pts, 0, sizeof *pts);
    pts->x = malloc(n * sizeof *pts->x), pts->y = malloc(n * sizeof *pts->y);
    pts->w = malloc(n * sizeof *pts->w), pts->month = malloc(n * sizeof *pts->month);
    if (!pts->x || !pts->y || !pts->w || !pts->month)
        return -1;
    *first = 0;
    for (size_t e = 0; e < d->n; e++) {
        int i, j, m = d->month[e];
        if (m <= 0 || (d->train_to && m > d->train_to) ||
            rtm_grid_locate(d->grid, d->x[e], d->y[e], &i, &j) ||
            (d->mask && !d->mask[(size_t)i * (size_t)d->grid->ncols + (size_t)j]))
            continue;
        pts->x[k] = d->x[e], pts->y[k] = d->y[e], pts->w[k] = d->w ? d->w[e] : 1.0;
        pts->month[k++] = m;
        *first = !*first || m < *first ? m : *first;
    }
    pts->n = pts->cap = k;
    return 0;
}

static int mnum(int yyyymm)
{
    return (yyyymm / 100) * 12 + (yyyymm % 100) - 1;
}

int rtm_forecast_eval_fit(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err)
{
    rtm_forecast_eval_ctx *c = ctx;
    rtm_forecast_opts o = c->fc;
    size_t nc = rtm_grid_ncells(d->grid);
    rtm_points pts;
    int first = 0, rc;
    if (!d->month)
        return rtm_error_set(err, RTM_ERR_INPUT, "forecast refit: the training events have no "
                             "month (the forecast learns from the months)");
    o.horizon = 1; /* the back-test tests the month after training */
    if (inside_events(d, &pts, &first)) {
        free(pts.x), free(pts.y), free(pts.w), free(pts.month);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast refit: out of memory");
    }
    int last = d->train_to ? d->train_to : 0;
    for (size_t k = 0; !d->train_to && k < pts.n; k++)
        last = pts.month[k] > last ? pts.month[k] : last;
    /* rtm_forecast_fit needs 2 x horizon + 1 months of history (two
     * training pairs, one to choose the penalty): a shorter step ranks
     * nothing (all NaN), as the RTM refit does with too few events */
    if (pts.n == 0 || mnum(last) - mnum(first) + 1 < 2 * o.horizon + 1) {
        for (size_t k = 0; k < nc; k++)
            out[k] = NAN;
        c->failed++;
        rc = 0;
    } else {
        rc = rtm_forecast_refit(d->grid, d->mask, &pts, c->vars, &o, last, out, err);
    }
    free(pts.x), free(pts.y), free(pts.w), free(pts.month);
    return rc;
}
