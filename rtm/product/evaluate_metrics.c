/* evaluate_metrics.c: one surface's metrics at the coverages, its sampled
 * curves, and the concentration of the test events (rtm/evaluate.h). */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>

const double EVAL_CONC_SHARES[3] = {0.25, 0.5, 0.75};

/* The Lorenz curve of the test counts (rtm/evaluate.h: cells ranked by
 * count, tie blocks pro rata) is exactly the "best possible" curve that
 * rtm_eval_curve already built (cells ranked by the test counts themselves,
 * same tie blocks), so it is borrowed from there instead of sorting the
 * cells twice more. Gini: G = 2 int_0^1 L(a) da - 1 (the identity stated in
 * rtm/evaluate.h), the integral by the trapezoid rule, exact on the
 * piecewise-linear L; unbiased G n/(n-1); generalized (Bernasco & Steenbeek
 * 2017) max(1, n/N)(G - 1) + 1. */
static void concentration_from_curve(const eval_state *s, const rtm_eval_curve_t *c,
                                     eval_conc *out)
{
    rtm_lorenz l;
    double n = c->area, N = c->total, integral = 0, G;
    l.npts = c->best_npts;
    l.cells = c->best_cells;
    l.events = c->best_events;
    l.total_cells = n;
    l.total_events = N;
    for (int i = 0; i < s->p->ncoverages; i++)
        out->top[i] = rtm_lorenz_top_share(&l, s->cov[i]);
    for (int k = 0; k < 3; k++)
        out->area_for[k] = rtm_lorenz_area_for(&l, EVAL_CONC_SHARES[k]);
    out->gini.n = n;
    out->gini.total = N;
    if (n == 0 || N == 0) {
        out->gini.gini = out->gini.gini_unbiased = out->gini.gini_generalized = NAN;
        return;
    }
    for (size_t k = 0; k + 1 < c->best_npts; k++)
        integral += (c->best_cells[k + 1] - c->best_cells[k]) *
                    (c->best_events[k] + c->best_events[k + 1]);
    G = integral / (n * N) - 1; /* 2 * sum(dx (y0 + y1) / 2) / (n N) - 1 */
    out->gini.gini = G;
    out->gini.gini_unbiased = n > 1 ? G * n / (n - 1) : NAN;
    out->gini.gini_generalized = (n / N > 1 ? n / N : 1) * (G - 1) + 1;
}

static int sample_curve(const rtm_eval_curve_t *c, eval_surf_result *r, rtm_error *err)
{
    if (!(r->curve = malloc(EVAL_NSAMPLES * sizeof *r->curve)) ||
        rtm_eval_sample(c, EVAL_NSAMPLES, r->curve, err))
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (curve)");
    return 0;
}

int eval_surface_metrics(const eval_state *s, const double *v, eval_surf_result *r,
                         int with_curve, eval_conc *cc, rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    rtm_eval_curve_t *c = NULL;
    int rc;
    if ((rc = rtm_eval_curve_ex(v, s->counts, s->train_counts, s->mask, s->ncells, &c, err)) ||
        (rc = rtm_eval_at_many(c, s->cov, (size_t)p->ncoverages, r->m, err))) {
        rtm_eval_curve_free(c);
        return rc;
    }
    r->auc = rtm_eval_auc(c);
    for (int i = 0; i < p->ncoverages; i++) {
        r->tied[i] = rtm_eval_tie_block(c, s->cov[i], NULL);
        r->coarse[i] = rtm_eval_too_coarse(c, s->cov[i]);
    }
    r->curve = NULL;
    if (cc)
        concentration_from_curve(s, c, cc);
    rc = with_curve ? sample_curve(c, r, err) : 0;
    rtm_eval_curve_free(c);
    return rc;
}
