/* run_backtest.c: which map of a run forecasts - every map that can be
 * re-made from earlier months is back-tested month by month over the run's
 * offences (rtm/evaluate_truth.h) beside the prior counts, for the report:
 * KDE maps are re-made from each step's training months, distance maps do
 * not depend on the offences (scored as they are), the RTM's figures come
 * from its own back-test (the model product re-fits it at each step, over
 * the same months and steps). Overlays and hot spots are made from all the
 * months at once and are not back-tested (said in the report). */
#include "run/run_internal.h"

#include <string.h>
#include <time.h>

#include "output/bt_report.h"

typedef struct fixed_ctx {
    const double *v;
    size_t n;
} fixed_ctx;

/* A distance map does not learn from the events: the same at every step,
 * ranked nearest first (the risk is near the feature). */
static int fit_distance(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err)
{
    const fixed_ctx *f = ctx;
    (void)d, (void)err;
    for (size_t k = 0; k < f->n; k++)
        out[k] = -f->v[k];
    return 0;
}

static int can_refit(const rtm_jr_surf *s)
{
    return s->map[0] && s->v &&
           (s->js->type == RTM_SURF_KDE || s->js->type == RTM_SURF_DISTANCE);
}

int rtm_jr_backtest(rtm_jr *r, rtm_bt_summary *out, int *index, rtm_error *err)
{
    rtm_eval_refit rf[RTM_BT_SUMMARY_MAX];
    rtm_kde_opts ko[RTM_BT_SUMMARY_MAX];
    fixed_ctx fc[RTM_BT_SUMMARY_MAX];
    struct timespec t0, t1;
    int n = 0, rc;
    for (int i = 0; i < r->job->nsurfaces && n < RTM_BT_SUMMARY_MAX - 1; i++) {
        const rtm_jr_surf *s = &r->surf[i];
        if (!can_refit(s))
            continue;
        index[n] = i;
        if (s->js->type == RTM_SURF_KDE) {
            rtm_kde_opts_init(&ko[n]);
            ko[n].kernel = s->js->kernel;
            ko[n].radius = s->js->radius;
            ko[n].threads = r->env.threads;
            rf[n] = (rtm_eval_refit){s->js->name, "KDE", rtm_eval_fit_kde, &ko[n]};
        } else {
            fc[n] = (fixed_ctx){s->v, r->ncells};
            rf[n] = (rtm_eval_refit){s->js->name, "distance", fit_distance, &fc[n]};
        }
        n++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = rtm_bt_summarise(&r->grid, r->mask, r->pts.x, r->pts.y, r->pts.w, r->pts.month,
                          r->pts.n, rf, n, out, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc)
        rtm_jr_log(r, "report: back-test of %d map%s and the prior counts in %.2f s", n,
                   n == 1 ? "" : "s",
                   (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return rc;
}
