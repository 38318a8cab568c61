/* evaluate_backtest.c: the rolling monthly back-test - train on months
 * 1..k, test on month k+1, roll forward (rtm/evaluate.h's plan and counts) -
 * and its files backtest.csv and backtest.md. */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
}


/* Mean over steps of the finite values (fixed order). */
static double bt_mean(const bt_step *b, size_t n, int surf, int cov, int field)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t t = 0; t < n; t++) {
        const eval_surf_result *r = &b[t].r[surf];
        double v = field == 0 ? r->m[cov].hit_rate : field == 1 ? r->m[cov].pai
                 : field == 2 ? r->m[cov].pei : field == 3 ? r->m[cov].rri : r->auc;
        if (isfinite(v))
            sum += v, cnt++;
    }
    return cnt ? sum / (double)cnt : NAN;
}

static void fmt_month(char *buf, int m)
{
    snprintf(buf, 16, "%04d-%02d", (m / 100) % 10000, m % 100);
}

static int write_bt_csv(const eval_state *s, const bt_step *b, size_t n, rtm_error *err)
{
    char *buf = NULL, m1[16], m2[16], m3[16];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("step,train_from,train_to,test_month,train_events,test_events,surface,coverage_pct,"
          "events,hit_rate,pai,pei,rri,auc,coverage\n", f);
    for (size_t t = 0; t <= n; t++)
        for (int i = 0; i < s->ns; i++)
            for (size_t c = 0; c < (size_t)s->p->ncoverages; c++) {
                if (t < n) {
                    const rtm_eval_metrics *m = &b[t].r[i].m[c];
                    fmt_month(m1, b[t].st.train_from);
                    fmt_month(m2, b[t].st.train_to);
                    fmt_month(m3, b[t].st.test_month);
                    fprintf(f, "%zu,%s,%s,%s,%zu,%zu,", t + 1, m1, m2, m3, b[t].ntrain,
                            b[t].ntest);
                    eval_csv_str(f, s->s[i].name);
                    fprintf(f, ",%g", eval_cov_pct(s, (int)c));
                    eval_csv_num(f, m->events);
                    eval_csv_num(f, m->hit_rate);
                    eval_csv_num(f, m->pai);
                    eval_csv_num(f, m->pei);
                    eval_csv_num(f, m->rri);
                    eval_csv_num(f, b[t].r[i].auc);
                } else {
                    fputs("mean,,,,,,", f);
                    eval_csv_str(f, s->s[i].name);
                    fprintf(f, ",%g,", eval_cov_pct(s, (int)c));
                    for (int fld = 0; fld < 5; fld++)
                        eval_csv_num(f, bt_mean(b, n, i, (int)c, fld));
                }
                fputc(',', f);
                eval_csv_str(f, s->covlab[c]);
                fputc('\n', f);
            }
    fclose(f);
    return eval_write_text(s, "backtest.csv", buf, len, err);
}

static int write_bt_md(const eval_state *s, const bt_step *b, size_t n, rtm_error *err)
{
    char *buf = NULL, m1[16], m2[16], m3[16], x[5][32], ct[64];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fprintf(f, "# Rolling back-test: %zu step%s\n\n", n, n == 1 ? "" : "s");
    fprintf(f, "- Grid: %d x %d cells of %g (%s); evaluated area A = %.0f cells\n",
            s->grid.ncols, s->grid.nrows, s->grid.res, s->dst_crs, s->area_cells);
    fprintf(f, "- Each step trains on the months shown and tests on the next month%s.\n\n",
            s->p->window ? " (sliding window)" : " (expanding window)");
    fputs("| Step | Training months | Training events | Test month | Test events |\n"
          "|---:|---|---:|---|---:|\n", f);
    for (size_t t = 0; t < n; t++) {
        fmt_month(m1, b[t].st.train_from);
        fmt_month(m2, b[t].st.train_to);
        fmt_month(m3, b[t].st.test_month);
        fprintf(f, "| %zu | %s to %s | %zu | %s | %zu |\n", t + 1, m1, m2, b[t].ntrain, m3,
                b[t].ntest);
    }
    fputs("\n## Mean over the steps\n\n| Coverage | Surface | Hit rate | PAI | PEI | RRI | "
          "AUC |\n|---:|---|---:|---:|---:|---:|---:|\n", f);
    for (size_t c = 0; c < (size_t)s->p->ncoverages; c++)
        for (int i = 0; i < s->ns; i++)
            fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n",
                    eval_cov_text(s, (int)c, ct, sizeof ct), s->s[i].name,
                    eval_num(x[0], 32, "%.1f %%", bt_mean(b, n, i, (int)c, 0) * 100),
                    eval_num(x[1], 32, "%.2f", bt_mean(b, n, i, (int)c, 1)),
                    eval_num(x[2], 32, "%.3f", bt_mean(b, n, i, (int)c, 2)),
                    eval_num(x[3], 32, "%.3f", bt_mean(b, n, i, (int)c, 3)),
                    eval_num(x[4], 32, "%.3f", bt_mean(b, n, i, (int)c, 4)));
    for (size_t c = 0; c < (size_t)s->p->ncoverages; c++) {
        fprintf(f, "\n## PAI at %s per step\n\n| Surface |",
                eval_cov_text(s, (int)c, ct, sizeof ct));
        for (size_t t = 0; t < n; t++) {
            fmt_month(m3, b[t].st.test_month);
            fprintf(f, " %s |", m3);
        }
        fputs(" Mean |\n|---|", f);
        for (size_t t = 0; t <= n; t++)
            fputs("---:|", f);
        fputc('\n', f);
        for (int i = 0; i < s->ns; i++) {
            fprintf(f, "| %s |", s->s[i].name);
            for (size_t t = 0; t < n; t++)
                fprintf(f, " %s |", eval_num(x[0], 32, "%.2f", b[t].r[i].m[c].pai));
            fprintf(f, " %s |\n", eval_num(x[0], 32, "%.2f", bt_mean(b, n, i, (int)c, 1)));
        }
    }
    fputs("\nMeans are over the steps where the metric is defined (a test month without "
          "events has none).\n", f);
    if (s->warn[0])
        fprintf(f, "\n## Warnings\n\n%s", s->warn);
    if (s->md_extra)
        fputs(s->md_extra, f);
    eval_md_definitions(f, 1);
    fclose(f);
    return eval_write_text(s, "backtest.md", buf, len, err);
}

/* Scratch for the training points of one step (n + 1 entries each). */
typedef struct bt_scratch {
    size_t *idx;
    double *x, *y, *w;
    int *month;
} bt_scratch;

static int scratch_alloc(bt_scratch *t, size_t n, rtm_error *err)
{
    t->idx = malloc((n + 1) * sizeof *t->idx);
    t->x = malloc((n + 1) * sizeof *t->x);
    t->y = malloc((n + 1) * sizeof *t->y);
    t->w = malloc((n + 1) * sizeof *t->w);
    t->month = malloc((n + 1) * sizeof *t->month);
    return t->idx && t->x && t->y && t->w && t->month ? 0 : oom(err);
}

static void scratch_free(bt_scratch *t)
{
    free(t->idx), free(t->x), free(t->y), free(t->w), free(t->month);
}

/* Training and test events of step st in the evaluated cells (the events
 * near the area, loaded for the KDEs, are not counted). */
static void inside_counts(const eval_state *s, const rtm_backtest_step *st, size_t *ntrain,
                          size_t *ntest)
{
    const rtm_points *p = &s->test;
    *ntrain = *ntest = 0;
    for (size_t e = 0; e < p->n; e++) {
        int i, j, m = p->month[e];
        if (rtm_grid_locate(&s->grid, p->x[e], p->y[e], &i, &j) ||
            !s->mask[(size_t)i * (size_t)s->grid.ncols + (size_t)j])
            continue;
        *ntrain += m >= st->train_from && m <= st->train_to;
        *ntest += m == st->test_month;
    }
}

/* One step: counts, surfaces from the step's training months, metrics. */
static int bt_run_step(eval_state *s, bt_step *b, bt_scratch *t, rtm_error *err)
{
    const rtm_points *p = &s->test;
    size_t m;
    int rc;
    if ((rc = rtm_backtest_counts(&s->grid, p->x, p->y, p->w, p->month, p->n, &b->st,
                                  s->train_counts, s->counts, &b->ntrain, &b->ntest, err)))
        return rc;
    if (s->reach > 0)
        inside_counts(s, &b->st, &b->ntrain, &b->ntest);
    m = rtm_backtest_train_index(p->month, p->n, &b->st, t->idx);
    for (size_t k = 0; k < m; k++) {
        t->x[k] = p->x[t->idx[k]];
        t->y[k] = p->y[t->idx[k]];
        t->month[k] = p->month[t->idx[k]];
        if (p->w)
            t->w[k] = p->w[t->idx[k]];
    }
    eval_drop_derived(s);
    s->step_month = t->month; /* the refits' training months */
    if ((rc = eval_build_derived(s, t->x, t->y, p->w ? t->w : NULL, m, s->train_counts, &b->st,
                                 err)))
        return rc;
    if (!(b->r = calloc((size_t)s->ns, sizeof *b->r)))
        return oom(err);
    for (int i = 0; i < s->ns && !rc; i++)
        rc = eval_surface_metrics(s, s->s[i].v, &b->r[i], 0, NULL, err);
    return rc;
}

static int run_steps(eval_state *s, bt_step *b, size_t n, rtm_error *err)
{
    bt_scratch t = {0};
    int rc = scratch_alloc(&t, s->test.n, err);
    for (size_t k = 0; k < n && !rc; k++) {
        char m3[16];
        rc = bt_run_step(s, &b[k], &t, err);
        fmt_month(m3, b[k].st.test_month);
        if (!rc)
            rtm_prod_log(s->env, "step %zu/%zu: test %s, %zu training and %zu test events",
                         k + 1, n, m3, b[k].ntrain, b[k].ntest);
    }
    scratch_free(&t);
    return rc;
}

/* One warning per surface and coverage too coarse in some step. */
static void bt_coarse(eval_state *s, const bt_step *b, size_t n)
{
    for (int i = 0; i < s->ns; i++)
        for (int c = 0; c < s->p->ncoverages; c++) {
            int k = 0;
            for (size_t t = 0; t < n; t++)
                k += b[t].r[i].coarse[c];
            if (k)
                eval_warn(s, "surface '%s' is too coarse for %s%s in %d of %zu steps: the "
                          "coverage ends inside a block of tied cells larger than the flagged "
                          "area, so those cells are credited pro rata, not ranked",
                          s->s[i].name, s->covlab[c], s->p->coverage_units[c] ? "" : " %", k,
                          n);
        }
}

/* The mean over the steps into res (for a summary). */
static void bt_result(const eval_state *s, const bt_step *b, size_t n, rtm_evaluate_result *res)
{
    res->nsteps = (int)n;
    for (int i = 0; i < s->ns; i++)
        for (int c = 0; c < s->p->ncoverages; c++) {
            rtm_eval_metrics *m = &res->m[i][c];
            memset(m, 0, sizeof *m);
            m->coverage = s->cov[c];
            m->hit_rate = bt_mean(b, n, i, c, 0);
            m->pai = bt_mean(b, n, i, c, 1);
            m->pei = bt_mean(b, n, i, c, 2);
            m->rri = bt_mean(b, n, i, c, 3);
        }
    for (int i = 0; i < s->ns; i++)
        res->auc[i] = bt_mean(b, n, i, 0, 4);
    snprintf(res->summary, sizeof res->summary, "evaluate: back-test of %d surface%s in %zu "
             "step%s", s->ns, s->ns == 1 ? "" : "s", n, n == 1 ? "" : "s");
}

int eval_run_backtest(eval_state *s, rtm_evaluate_result *res, rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    rtm_backtest_step *plan = NULL;
    rtm_backtest_opts bo;
    bt_step *b = NULL;
    size_t n = 0;
    int rc;
    if ((rc = eval_load_events(s, &p->test, p->months_from, p->months_to, &s->test,
                               &s->test_st, "events", 1, err)))
        return rc;
    if (s->reach > 0)
        rtm_prod_log(s->env, "evaluate: events within %g of the evaluated area are kept for "
                     "the KDEs; only those inside are tested and counted", s->reach);
    rtm_backtest_opts_init(&bo);
    bo.min_train = p->min_train;
    bo.window = p->window;
    if ((rc = rtm_backtest_plan(p->months_from, p->months_to, &bo, &plan, &n, err)))
        return rc;
    s->counts = malloc(s->ncells * sizeof *s->counts);
    s->train_counts = malloc(s->ncells * sizeof *s->train_counts);
    if (!s->counts || !s->train_counts || !(b = calloc(n, sizeof *b)))
        rc = oom(err);
    for (size_t t = 0; t < n && !rc; t++)
        b[t].st = plan[t];
    if (!rc && !(rc = run_steps(s, b, n, err)))
        bt_coarse(s, b, n);
    if (!rc && (p->bootstrap || p->ncompare))
        rc = eval_bt_uncertainty(s, b, n, err);
    if (!rc && !(rc = write_bt_csv(s, b, n, err)) && !(rc = write_bt_md(s, b, n, err)))
        rc = eval_bt_charts(s, b, n, err);
    if (!rc && res)
        bt_result(s, b, n, res);
    for (size_t t = 0; b && t < n; t++)
        free(b[t].r);
    free(b), free(plan);
    return rc;
}
