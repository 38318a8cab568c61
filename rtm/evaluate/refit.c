/* refit.c: surfaces re-made from each back-test step's training events -
 * the KDE and Risk Terrain Model refits - and the short rolling back-test
 * that reports put beside a map (rtm/evaluate_truth.h). */
#include "rtm/evaluate_truth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double rtm_bt_summary_coverages[3] = {0.01, 0.05, 0.20};

int rtm_eval_fit_kde(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err)
{
    rtm_kde_opts o = *(const rtm_kde_opts *)ctx;
    o.units = RTM_UNITS_CELL;
    return rtm_kde_compute(d->grid, d->x, d->y, d->w, d->n, &o, out, err);
}

static void *dup_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

rtm_varset *rtm_varset_copy(const rtm_varset *v)
{
    rtm_varset *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = *v;
    c->cell = v->cell ? dup_bytes(v->cell, v->n * sizeof *v->cell) : NULL;
    c->var = dup_bytes(v->var, (size_t)v->p * sizeof *v->var);
    c->x = v->x ? dup_bytes(v->x, v->n * (size_t)v->p) : NULL;
    c->row_pat = v->row_pat ? dup_bytes(v->row_pat, v->n * sizeof *v->row_pat) : NULL;
    c->pat = v->pat ? dup_bytes(v->pat, v->npat * (size_t)v->p) : NULL;
    c->info = dup_bytes(v->info, (size_t)v->nfactors * sizeof *v->info);
    if ((v->cell && !c->cell) || !c->var || !c->info || (v->x && !c->x) ||
        (v->row_pat && !c->row_pat) ||
        (v->pat && !c->pat)) {
        rtm_varset_free(c);
        return NULL;
    }
    return c;
}

int rtm_eval_fit_model(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err)
{
    rtm_eval_model_ctx *mc = ctx;
    size_t n = rtm_grid_ncells(d->grid);
    rtm_varset *v = rtm_varset_copy(mc->vars);
    rtm_model *m = NULL;
    rtm_error e2;
    int rc;
    if (!v)
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (model refit)");
    rc = rtm_model_fit_varset(d->grid, v, d->counts, mc->opts, &m, &e2); /* owns v */
    if (rc == RTM_ERR_MODEL) { /* this step's events cannot be modelled: no ranking */
        mc->failed++;
        for (size_t k = 0; k < n; k++)
            out[k] = NAN;
        return 0;
    }
    if (rc) {
        if (err)
            *err = e2;
        return rc;
    }
    memcpy(out, m->rrs, n * sizeof *out);
    rtm_model_free(m);
    return 0;
}

/* ---- the rolling back-test summary ---------------------------------------- */

typedef struct bt_work {
    const rtm_grid *g;
    const unsigned char *mask;
    size_t ncells;
    double *train, *test, *surf, *tx, *ty, *tw;
    size_t *idx;
} bt_work;

static void month_range(const int *month, size_t n, int *from, int *to)
{
    *from = *to = 0;
    for (size_t i = 0; i < n; i++)
        if (month[i] > 0) {
            if (!*from || month[i] < *from)
                *from = month[i];
            if (month[i] > *to)
                *to = month[i];
        }
}

/* PAI of surf at the three coverages added to sum/cnt (finite values). */
static int score(bt_work *w, const double *surf, double *sum, int *cnt, rtm_error *err)
{
    rtm_eval_curve_t *c = NULL;
    int rc = rtm_eval_curve(surf, w->test, w->mask, w->ncells, &c, err);
    for (int k = 0; k < 3 && !rc; k++) {
        rtm_eval_metrics m;
        if (!(rc = rtm_eval_at(c, rtm_bt_summary_coverages[k], &m, err)) && isfinite(m.pai))
            sum[k] += m.pai, cnt[k]++;
    }
    rtm_eval_curve_free(c);
    return rc;
}

static int bt_step(bt_work *w, const double *x, const double *y, const double *wt,
                   const int *month, size_t n, const rtm_backtest_step *st,
                   const rtm_eval_refit *refits, int nr, double (*sum)[3], int (*cnt)[3],
                   rtm_error *err)
{
    rtm_eval_fit_data d;
    size_t m;
    int rc = rtm_backtest_counts(w->g, x, y, wt, month, n, st, w->train, w->test, NULL, NULL,
                                 err);
    if (rc)
        return rc;
    m = rtm_backtest_train_index(month, n, st, w->idx);
    for (size_t k = 0; k < m; k++) {
        w->tx[k] = x[w->idx[k]];
        w->ty[k] = y[w->idx[k]];
        w->tw[k] = wt ? wt[w->idx[k]] : 1.0;
    }
    d = (rtm_eval_fit_data){w->g, w->mask, st->train_from, st->train_to, st->test_month,
                            w->tx, w->ty, w->tw, NULL, m, w->train};
    for (int i = 0; i < nr && !rc; i++)
        if (!(rc = refits[i].fit(refits[i].ctx, &d, w->surf, err)))
            rc = score(w, w->surf, sum[i], cnt[i], err);
    return rc ? rc : score(w, w->train, sum[nr], cnt[nr], err);
}

static int work_alloc(bt_work *w, size_t n)
{
    size_t c = w->ncells ? w->ncells : 1;
    w->train = malloc(c * sizeof *w->train);
    w->test = malloc(c * sizeof *w->test);
    w->surf = malloc(c * sizeof *w->surf);
    w->tx = malloc((n + 1) * sizeof *w->tx);
    w->ty = malloc((n + 1) * sizeof *w->ty);
    w->tw = malloc((n + 1) * sizeof *w->tw);
    w->idx = malloc((n + 1) * sizeof *w->idx);
    return w->train && w->test && w->surf && w->tx && w->ty && w->tw && w->idx;
}

static void work_free(bt_work *w)
{
    free(w->train), free(w->test), free(w->surf);
    free(w->tx), free(w->ty), free(w->tw), free(w->idx);
}

static void summary_names(const rtm_eval_refit *refits, int nr, rtm_bt_summary *out)
{
    out->nsurf = nr + 1;
    for (int i = 0; i < nr; i++)
        snprintf(out->name[i], sizeof out->name[i], "%s", refits[i].name);
    snprintf(out->name[nr], sizeof out->name[nr], "prior counts");
}

int rtm_bt_summarise(const rtm_grid *g, const unsigned char *mask, const double *x,
                     const double *y, const double *w, const int *month, size_t n,
                     const rtm_eval_refit *refits, int nrefits, rtm_bt_summary *out,
                     rtm_error *err)
{
    bt_work wk = {g, mask, rtm_grid_ncells(g), NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    double sum[RTM_BT_SUMMARY_MAX][3] = {{0}};
    int cnt[RTM_BT_SUMMARY_MAX][3] = {{0}}, from, to, rc = 0;
    rtm_backtest_step *plan = NULL;
    size_t ns = 0;
    memset(out, 0, sizeof *out);
    if (nrefits < 0 || nrefits >= RTM_BT_SUMMARY_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: at most %d refit surfaces",
                             RTM_BT_SUMMARY_MAX - 1);
    summary_names(refits, nrefits, out);
    month_range(month, n, &from, &to);
    if (!from || rtm_month_count(from, to) < 2) {
        snprintf(out->why, sizeof out->why, "%s", !from ? "the events have no month (a rolling back-test "
                 "needs events dated in at least two months)"
                 : "the events span one month: there is no later month to test on");
        return 0;
    }
    if ((rc = rtm_backtest_plan(from, to, NULL, &plan, &ns, err)))
        return rc;
    if (!work_alloc(&wk, n))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (back-test)");
    for (size_t s = 0; s < ns && !rc; s++)
        rc = bt_step(&wk, x, y, w, month, n, &plan[s], refits, nrefits, sum, cnt, err);
    work_free(&wk);
    if (!rc) {
        out->done = 1;
        out->nsteps = (int)ns;
        out->first_test = plan[0].test_month;
        out->last_test = plan[ns - 1].test_month;
        for (int i = 0; i <= nrefits; i++)
            for (int k = 0; k < 3; k++)
                out->pai[i][k] = cnt[i][k] ? sum[i][k] / cnt[i][k] : NAN;
    }
    free(plan);
    return rc;
}
