/* evaluate_derived.c: the surfaces an evaluation builds itself - a quartic
 * KDE of the training events at each bandwidth, the surfaces re-made by
 * refits (the RTM, a forecast), the training counts per cell ('prior'), and
 * products of two named surfaces ("A*B"). */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int eval_find_surface(const eval_state *s, const char *name)
{
    for (int i = 0; i < s->ns; i++)
        if (!strcmp(s->s[i].name, name))
            return i;
    return -1;
}

static int add_surface(eval_state *s, const char *name, const char *source, double *v,
                       rtm_error *err)
{
    eval_surface *f;
    if (s->ns == RTM_EVAL_MAX_SURFACES) {
        free(v);
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: too many surfaces (at most %d)",
                             RTM_EVAL_MAX_SURFACES);
    }
    f = &s->s[s->ns++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->source, sizeof f->source, "%s", source);
    f->v = v;
    return 0;
}

static int kde_surface(eval_state *s, double bw, const double *x, const double *y,
                       const double *w, size_t n, rtm_error *err)
{
    rtm_kde_opts ko;
    char name[64], src[128];
    double *v = rtm_prod_alloc(s->ncells, "evaluate", err);
    if (!v)
        return RTM_ERR_NOMEM;
    rtm_kde_opts_init(&ko);
    ko.radius = bw;
    ko.units = RTM_UNITS_CELL;
    ko.threads = s->env ? s->env->threads : 0;
    if (rtm_kde_compute(&s->grid, x, y, w, n, &ko, v, err)) {
        free(v);
        return err ? err->code : RTM_ERR_INPUT;
    }
    snprintf(name, sizeof name, "kde%g", bw);
    snprintf(src, sizeof src, "quartic KDE of the training events (radius %g)", bw);
    return add_surface(s, name, src, v, err);
}

/* max over the evaluated cells of the finite values (NaN if none) */
static double surface_max(const eval_state *s, const double *v)
{
    double m = NAN;
    for (size_t k = 0; k < s->ncells; k++)
        if (s->mask[k] && isfinite(v[k]) && !(v[k] <= m))
            m = v[k];
    return m;
}

static int combine_surface(eval_state *s, const char *spec, rtm_error *err)
{
    char an[96], bn[96];
    const char *star = strchr(spec, '*');
    int la = star ? (int)(star - spec) : 0, ia, ib;
    double ma, mb, *v;
    snprintf(an, sizeof an, "%.*s", la, spec);
    snprintf(bn, sizeof bn, "%s", star ? star + 1 : "");
    if ((ia = eval_find_surface(s, an)) < 0 || (ib = eval_find_surface(s, bn)) < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: combination '%s': no surface named "
                             "'%s'", spec, ia < 0 ? an : bn);
    ma = surface_max(s, s->s[ia].v);
    mb = surface_max(s, s->s[ib].v);
    if (!(ma > 0) || !(mb > 0))
        return rtm_error_set(err, RTM_ERR_INPUT, "evaluate: combination '%s': surface '%s' "
                             "has no positive value to normalise by", spec, ma > 0 ? bn : an);
    if (!(v = rtm_prod_alloc(s->ncells, "evaluate", err)))
        return RTM_ERR_NOMEM;
    for (size_t k = 0; k < s->ncells; k++)
        v[k] = (s->s[ia].v[k] / ma) * (s->s[ib].v[k] / mb);
    return add_surface(s, spec, "product of the two surfaces (each divided by its maximum)", v,
                       err);
}

void eval_drop_derived(eval_state *s)
{
    while (s->ns > s->nfile) {
        s->ns--;
        free(s->s[s->ns].v);
        s->s[s->ns].v = NULL;
    }
}

static int prior_surface(eval_state *s, const double *train_counts, rtm_error *err)
{
    double *v = rtm_prod_alloc(s->ncells, "evaluate", err);
    if (!v)
        return RTM_ERR_NOMEM;
    memcpy(v, train_counts, s->ncells * sizeof *v);
    return add_surface(s, "prior", "training events per cell", v, err);
}

/* A surface re-made by a refit from the training events (rtm/evaluate_truth.h). */
static int refit_surface(eval_state *s, const rtm_eval_refit *r, const rtm_eval_fit_data *d,
                         rtm_error *err)
{
    double *v = rtm_prod_alloc(s->ncells, "evaluate", err);
    int rc;
    if (!v)
        return RTM_ERR_NOMEM;
    if ((rc = r->fit(r->ctx, d, v, err))) {
        free(v);
        return rc;
    }
    for (size_t k = 0; k < s->ncells; k++)
        if (isinf(v[k])) {
            free(v);
            return rtm_error_set(err, RTM_ERR_INPUT, "evaluate: refit '%s' gave an infinite "
                                 "value at cell %zu", r->name, k);
        }
    return add_surface(s, r->name, r->source ? r->source : r->name, v, err);
}

int eval_build_derived(eval_state *s, const double *x, const double *y, const double *w,
                       size_t n, const double *train_counts, const rtm_backtest_step *st,
                       rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    rtm_eval_fit_data d = {&s->grid, s->mask, st ? st->train_from : p->train.month_from,
                           st ? st->train_to : p->train.month_to,
                           st ? st->test_month : p->test.month_from, x, y, w,
                           st ? s->step_month : s->train.month, n, train_counts};
    int rc = 0;
    for (int b = 0; b < p->nbandwidths && !rc; b++)
        rc = kde_surface(s, p->bandwidths[b], x, y, w, n, err);
    for (int r = 0; r < s->nrefit && !rc && train_counts; r++)
        rc = refit_surface(s, &s->refit[r], &d, err);
    if (!rc && s->mctx.failed)
        rtm_prod_log(s->env, "warning: evaluate: the RTM could not be fitted on %d training "
                     "window%s (too few events): it ranks nothing there", s->mctx.failed,
                     s->mctx.failed == 1 ? "" : "s");
    s->mctx.failed = 0;
    if (!rc && eval_prior(p))
        rc = prior_surface(s, train_counts, err);
    for (int c = 0; c < p->ncombine && !rc; c++)
        rc = combine_surface(s, p->combine[c], err);
    for (int i = s->nfile; i < s->ns && !rc; i++)
        if (eval_find_surface(s, s->s[i].name) != i)
            rc = rtm_error_set(err, RTM_ERR_ARG, "evaluate: surface name '%s' given twice "
                               "(rename the file surface)", s->s[i].name);
    return rc;
}
