/* model.c: the Risk Terrain Model pipeline (see rtm/model.h). */
#include "rtm/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_model_opts_init(rtm_model_opts *o)
{
    memset(o, 0, sizeof *o);
    rtm_var_opts_init(&o->var);
    rtm_enet_opts_init(&o->enet);
    rtm_stepwise_opts_init(&o->step);
    o->tier_k[0] = 0;
    o->tier_k[1] = 1;
    o->tier_k[2] = 2;
}

/* Every grid cell a design row, in grid order (no study-area mask). */
static int every_cell(const rtm_varset *v, size_t ncells)
{
    if (v->n != ncells)
        return 0;
    for (size_t i = 0; v->cell && i < v->n; i++)
        if (v->cell[i] != i)
            return 0;
    return 1;
}

/* Event counts of the design rows (*own set when they are a copy; when
 * every grid cell is a row, in order, the counts themselves: 8 bytes a
 * cell less), and the checks that make a model meaningless: no events, or
 * every event in one cell. */
static int outcome(rtm_model *m, size_t ncells, const double *counts, const double **y,
                   double **own, rtm_error *err)
{
    const rtm_varset *v = m->vars;
    size_t i;
    *own = NULL;
    if (!v->cell && v->n != ncells) /* NULL means every grid cell, in order */
        return rtm_error_set(err, RTM_ERR_ARG, "model: %zu design rows without their grid cells, "
                             "on a grid of %zu cells", v->n, ncells);
    if (every_cell(v, ncells))
        *y = counts;
    else if (!(*y = *own = malloc(v->n * sizeof **own)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (i = 0; i < v->n; i++) {
        if (*own)
            (*own)[i] = counts[rtm_varset_cell(v, i)];
        m->events += (*y)[i];
        m->cells_with_events += (*y)[i] > 0;
    }
    m->cells = v->n;
    if (m->events <= 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "model: no events in the study area (check the "
                             "filters, date window and study area)");
    if (m->cells_with_events < 2)
        return rtm_error_set(err, RTM_ERR_MODEL, "model: all %.0f events fall in one cell; a "
                             "model needs events spread over several cells (smaller cells or "
                             "more data)", m->events);
    return 0;
}

/* The linear predictor sum b_j x_j (no intercept) of one row of bits. */
static double pattern_eta(const rtm_glm_fit *f, const unsigned char *row)
{
    double eta = 0;
    for (int j = 0; j < f->k; j++)
        eta += f->beta[j] * row[f->cols[j]];
    return eta;
}

/* RRS = exp(sum b_i x_i) = prod RRV_i^x_i: the model's prediction over the
 * prediction of a cell with no factor present (rtm-method.md, Outputs). */
static int risk_surface(rtm_model *m, const rtm_grid *g, rtm_error *err)
{
    const rtm_varset *v = m->vars;
    const rtm_glm_fit *f = &m->sw.fit;
    size_t k, i, nc = rtm_grid_ncells(g);
    double s = 0, ss = 0, *rp = NULL;
    if (!(m->rrs = malloc(nc * sizeof *m->rrs)) || !(m->tier = malloc(nc)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (k = 0; k < nc; k++) {
        m->rrs[k] = NAN;
        m->tier[k] = 255;
    }
    m->rrs_min = INFINITY;
    m->rrs_max = -INFINITY;
    if (!v->x && !(rp = malloc((v->npat ? v->npat : 1) * sizeof *rp)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (k = 0; !v->x && k < v->npat; k++) /* the same sums as cell by cell */
        rp[k] = exp(pattern_eta(f, v->pat + k * (size_t)v->p));
    for (i = 0; i < v->n; i++) {
        double r = v->x ? exp(pattern_eta(f, v->x + i * (size_t)v->p)) : rp[v->row_pat[i]];
        m->rrs[rtm_varset_cell(v, i)] = r;
        m->rrs_min = fmin(m->rrs_min, r);
        m->rrs_max = fmax(m->rrs_max, r);
        s += r;
    }
    free(rp);
    m->rrs_mean = s / (double)v->n;
    for (i = 0; i < v->n; i++) {
        double d = m->rrs[rtm_varset_cell(v, i)] - m->rrs_mean;
        ss += d * d;
    }
    m->rrs_sd = sqrt(ss / (double)v->n);
    return 0;
}

/* Tiers: highest >= mean + 2 SD, moderately high [mean + 1 SD, mean + 2 SD),
 * above average [mean, mean + 1 SD), else below average (rtm-method.md). */
static void risk_tiers(rtm_model *m, const double *y, const double *k)
{
    const rtm_varset *v = m->vars;
    size_t i;
    int t;
    for (t = 1; t < RTM_NTIERS; t++)
        m->tiers[t].lower = m->rrs_mean + k[t - 1] * m->rrs_sd;
    m->tiers[0].lower = m->rrs_min;
    for (i = 0; i < v->n; i++) {
        double r = m->rrs[rtm_varset_cell(v, i)];
        /* a small relative tolerance keeps cells exactly on a threshold in the upper tier */
        for (t = RTM_NTIERS - 1; t > 0; t--)
            if (r >= m->tiers[t].lower * (1 - 1e-12))
                break;
        m->tier[rtm_varset_cell(v, i)] = (unsigned char)t;
        m->tiers[t].cells++;
        m->tiers[t].events += y[i];
    }
    for (t = 0; t < RTM_NTIERS; t++) {
        rtm_tier_stats *s = &m->tiers[t];
        double out_cells = (double)(m->cells - s->cells), out_events = m->events - s->events;
        s->area_share = (double)s->cells / (double)m->cells;
        s->event_share = s->events / m->events;
        s->rate_ratio = (s->cells && out_cells > 0 && out_events > 0)
                            ? (s->events / (double)s->cells) / (out_events / out_cells)
                            : NAN;
    }
}

/* Stage boundaries for the caller's progress hook (0 = starting, 1 = done). */
static void stage(const rtm_model_opts *o, double frac, const char *what)
{
    if (o->progress)
        o->progress(frac, what, o->progress_arg);
}

/* The culling's lambdas done, as the "culling" stage's progress. */
static int culling_progress(double frac, const char *msg, void *arg)
{
    const rtm_model_opts *o = arg;
    (void)msg;
    return o->progress(frac, "culling", o->progress_arg);
}

static int select_model(rtm_model *m, const double *y, const rtm_model_opts *o, rtm_error *err)
{
    const rtm_varset *v = m->vars;
    rtm_design d = rtm_varset_design(v, y);
    rtm_enet_opts eo = o->enet;
    int *factor = NULL, j, rc;
    if (o->progress) {
        eo.progress = culling_progress;
        eo.progress_arg = (void *)o;
    }
    if (v->p == 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "model: every candidate variable is constant "
                             "over the study area (risk factors too sparse or too dense for "
                             "this grid)");
    stage(o, 0, "culling");
    if ((rc = rtm_enet_cv_fit(&d, &eo, &m->cv, err)))
        return rc;
    stage(o, 1, "culling");
    if (m->cv->nkept == 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "model: cross-validation kept no variable "
                             "(lambda %.4g): no risk factor improves on the null model",
                             m->cv->lambda);
    if (!(factor = malloc((size_t)v->p * sizeof *factor)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (j = 0; j < v->p; j++)
        factor[j] = v->var[j].factor;
    stage(o, 0, "stepwise");
    rc = rtm_stepwise(&d, m->cv->kept, m->cv->nkept, factor, &o->step, &m->sw, err);
    free(factor);
    if (!rc)
        stage(o, 1, "stepwise");
    if (!rc && m->sw.k == 0)
        rc = rtm_error_set(err, RTM_ERR_MODEL, "model: stepwise BIC selected no variable among "
                           "the %d kept by culling", m->cv->nkept);
    return rc;
}

int rtm_model_fit_varset(const rtm_grid *g, rtm_varset *vars, const double *counts,
                         const rtm_model_opts *o, rtm_model **out, rtm_error *err)
{
    rtm_model *m = calloc(1, sizeof *m);
    const double *y = NULL;
    double *own = NULL;
    int rc;
    if (!m) {
        rtm_varset_free(vars);
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    }
    m->vars = vars;
    if ((rc = outcome(m, rtm_grid_ncells(g), counts, &y, &own, err)) ||
        (rc = select_model(m, y, o, err)) || (rc = risk_surface(m, g, err)))
        goto done;
    risk_tiers(m, y, o->tier_k);
done:
    free(own);
    if (rc) {
        rtm_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int rtm_model_fit(const rtm_grid *g, const unsigned char *mask, double study_area,
                  const double *counts, const rtm_factor_spec *f, int nf,
                  const rtm_model_opts *o, rtm_model **out, rtm_error *err)
{
    rtm_varset *vars = NULL;
    int rc;
    if (nf < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "model: no risk factors");
    if ((rc = rtm_variables_build(g, mask, study_area, f, nf, &o->var, &vars, err)))
        return rc;
    return rtm_model_fit_varset(g, vars, counts, o, out, err);
}

void rtm_model_release_design(rtm_model *m)
{
    if (!m)
        return;
    if (m->vars) {
        free(m->vars->cell);
        free(m->vars->x);
        free(m->vars->row_pat);
        m->vars->cell = NULL;
        m->vars->x = NULL;
        m->vars->row_pat = NULL;
    }
    if (m->cv) {
        free(m->cv->foldid);
        m->cv->foldid = NULL;
    }
}

void rtm_model_free(rtm_model *m)
{
    if (!m)
        return;
    rtm_varset_free(m->vars);
    rtm_enet_cv_free(m->cv);
    rtm_stepwise_free(&m->sw);
    free(m->rrs);
    free(m->tier);
    free(m);
}
