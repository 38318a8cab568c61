/* test_forecast.c: the forecast's pieces against independent references:
 * the prospective surface against a brute-force sum over events and cells
 * written here from Bowers, Johnson & Pease (2004); windowed predictors and
 * outcomes of a tiny history counted by hand; the training-pair design
 * (weights add up to the cells, counts to the events); a simulated history
 * with a known Poisson rate structure whose fitted model must find the
 * risk variable that matters and leave the one that does not; the refit
 * function against the fit; errors. */
#include "rtm_test.h"
#include "model/forecast_design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grid_init(rtm_grid *g, int nc, int nr, double res)
{
    memset(g, 0, sizeof *g);
    g->x0 = 500000, g->y0 = 200000, g->res = res, g->ncols = nc, g->nrows = nr;
    snprintf(g->crs, sizeof g->crs, "EPSG:27700");
}

/* A point in cell (row i, col j) at fractions (fx, fy) of the cell. */
static void put(rtm_points *p, const rtm_grid *g, int i, int j, double fx, double fy, int month)
{
    rtm_error e;
    double x = g->x0 + (j + fx) * g->res, y = g->y0 + (g->nrows - i - 1 + fy) * g->res;
    rtm_points_push(p, x, y, 1.0, month, &e);
}

/* Brute force: every cell, every event of the two months before origin t
 * (months numbered from 2018-01 = index 0). */
static double prosp_ref(const rtm_grid *g, const rtm_points *p, int t, int i, int j)
{
    double cx = g->x0 + (j + 0.5) * g->res, cy = g->y0 + (g->nrows - i - 0.5) * g->res, s = 0;
    for (size_t e = 0; e < p->n; e++) {
        int m = p->month[e] - 201801; /* all in 2018 */
        int age = t - m;
        if (age < 1 || age > 2)
            continue;
        double d = sqrt((p->x[e] - cx) * (p->x[e] - cx) + (p->y[e] - cy) * (p->y[e] - cy));
        double weeks = (age - 0.5) * (365.2425 / 12) / 7;
        if (d <= 400)
            s += 1.0 / (1 + d / 50) / (1 + weeks);
    }
    return s;
}

static void test_prospective_brute_force(void)
{
    rtm_grid g;
    rtm_points p;
    rtm_error e;
    fc_hist h;
    grid_init(&g, 17, 13, 50);
    rtm_points_init(&p);
    rtm_t_rng = 11;
    for (int k = 0; k < 60; k++)
        put(&p, &g, (int)(rtm_t_urand() * 13), (int)(rtm_t_urand() * 17), rtm_t_urand(),
            rtm_t_urand(), 201801 + (int)(rtm_t_urand() * 4));
    RTM_CHECK(rtm_fc_hist_build(&h, &g, NULL, &p, 201801, 201804, 1, &e) == 0);
    double *s = malloc(rtm_grid_ncells(&g) * sizeof *s), worst = 0;
    for (int t = 1; t <= 4; t++) {
        rtm_fc_prospective(&h, t, s);
        for (int i = 0; i < g.nrows; i++)
            for (int j = 0; j < g.ncols; j++) {
                double r = prosp_ref(&g, &p, t, i, j), d = fabs(s[i * g.ncols + j] - r);
                worst = d > worst ? d : worst;
            }
    }
    RTM_CHECK(worst < 1e-12);
    free(s);
    rtm_fc_hist_free(&h);
    rtm_points_clear(&p);
}

/* 2 x 2 grid, 4 months: counts by hand. */
static void test_windows_by_hand(void)
{
    rtm_grid g;
    rtm_points p;
    rtm_error e;
    fc_hist h;
    rtm_forecast_opts o;
    fc_pred pr[FC_MAX_PRED];
    grid_init(&g, 2, 2, 100);
    rtm_points_init(&p);
    /* cell 0 (row 0, col 0): 1 in Jan, 2 in Mar, 1 in Apr; cell 3: 3 in Feb */
    put(&p, &g, 0, 0, .5, .5, 201801);
    put(&p, &g, 0, 0, .2, .2, 201803), put(&p, &g, 0, 0, .7, .3, 201803);
    put(&p, &g, 0, 0, .5, .5, 201804);
    for (int k = 0; k < 3; k++)
        put(&p, &g, 1, 1, .5, .5, 201802);
    rtm_forecast_opts_init(&o);
    o.bandwidths[0] = o.bandwidths[1] = o.bandwidths[2] = o.wide = 0; /* none */
    RTM_CHECK(rtm_fc_hist_build(&h, &g, NULL, &p, 201801, 201804, 1, &e) == 0);
    RTM_CHECK(h.nm == 4 && h.nin == 4 && h.nev == 7);
    int np = rtm_fc_preds(&h, &o, 0, pr);
    /* 4 months: last1, last3 (4 > 3), all, prospective */
    RTM_CHECK(np == 4 && !strcmp(pr[0].name, "last1") && !strcmp(pr[1].name, "last3") &&
              !strcmp(pr[2].name, "all") && !strcmp(pr[3].name, "prospective"));
    float F[FC_MAX_PRED * 4];
    double scratch[4], y[4];
    RTM_CHECK(rtm_fc_features(&h, pr, np, 3, &o, F, scratch, &e) == 0); /* history Jan-Mar */
    RTM_CHECK_NEAR(F[0 * 4 + 0], 2, 1e-6);         /* last1: March */
    RTM_CHECK_NEAR(F[1 * 4 + 0], 3.0 / 3, 1e-6);   /* last3 per month */
    RTM_CHECK_NEAR(F[2 * 4 + 3], 3.0 / 3, 1e-6);   /* all per month, cell 3 */
    RTM_CHECK_NEAR(F[0 * 4 + 3], 0, 1e-6);
    RTM_CHECK(rtm_fc_features(&h, pr, np, 2, &o, F, scratch, &e) == 0); /* Jan-Feb */
    RTM_CHECK_NEAR(F[1 * 4 + 3], 3.0 / 2, 1e-6);   /* last3 shortened to 2 months */
    rtm_fc_outcome(&h, 3, y);                      /* April */
    RTM_CHECK(y[0] == 1 && y[1] == 0 && y[2] == 0 && y[3] == 0);
    h.horizon = 2;
    rtm_fc_outcome(&h, 1, y);                      /* Feb + Mar */
    RTM_CHECK(y[0] == 2 && y[3] == 3);
    rtm_fc_hist_free(&h);
    rtm_points_clear(&p);
}

/* A simulated history: 40 x 40 cells, 10 months, Poisson counts with rate
 * 0.02 x 6 where risk variable "matters" is 1 (a quarter of the cells), and
 * a second variable "noise" unrelated to the rate. */
static rtm_varset *sim_vars(const rtm_grid *g)
{
    size_t n = rtm_grid_ncells(g);
    rtm_varset *v = calloc(1, sizeof *v);
    v->n = n, v->p = 2;
    v->cell = malloc(n * sizeof *v->cell);
    v->var = calloc(2, sizeof *v->var);
    v->x = malloc(n * 2);
    snprintf(v->var[0].name, sizeof v->var[0].name, "matters");
    snprintf(v->var[1].name, sizeof v->var[1].name, "noise");
    for (size_t k = 0; k < n; k++) {
        int i = (int)(k / (size_t)g->ncols), j = (int)(k % (size_t)g->ncols);
        v->cell[k] = k;
        v->x[2 * k] = (i / 5 + j / 5) % 2 == 0 && i < 20; /* blocks in the north half */
        v->x[2 * k + 1] = (j / 4) % 2;                    /* stripes */
    }
    return v;
}

static int poisson(double lam)
{
    double l = exp(-lam), p = 1;
    int k = 0;
    do {
        k++;
        p *= rtm_t_urand();
    } while (p > l && k < 1000);
    return k - 1;
}

static void test_simulated_recovery(void)
{
    rtm_grid g;
    rtm_points p;
    rtm_error e;
    rtm_forecast_opts o;
    rtm_forecast *f = NULL;
    grid_init(&g, 40, 40, 100);
    rtm_varset *v = sim_vars(&g);
    rtm_points_init(&p);
    rtm_t_rng = 5;
    for (int m = 0; m < 10; m++)
        for (int k = 0; k < 1600; k++) {
            int n = poisson(v->x[2 * k] ? 0.12 : 0.02);
            for (int c = 0; c < n; c++)
                put(&p, &g, k / 40, k % 40, rtm_t_urand(), rtm_t_urand(), 201801 + m);
        }
    rtm_forecast_opts_init(&o);
    int rc = rtm_forecast_fit(&g, NULL, &p, v, &o, &f, &e);
    RTM_CHECK(rc == 0);
    if (!rc) {
        double cm = 0, cn = 0;
        for (int t = 0; t < f->nterms; t++) {
            cm += !strcmp(f->terms[t].predictor, "matters") ? f->terms[t].coef : 0;
            cn += !strcmp(f->terms[t].predictor, "noise") ? f->terms[t].coef : 0;
        }
        printf("# matters %.3f (true log 6 = %.3f), noise %.3f, %d terms\n", cm, log(6.0), cn,
               f->nterms);
        RTM_CHECK(cm > 0.5 && cn < 0.1 && cm > 5 * cn);
        /* expected events in the next month: close to the true total */
        double truth = 400 * 0.12 + 1200 * 0.02;
        RTM_CHECK(fabs(f->predicted_total - truth) < 0.25 * truth);
        /* the refit function gives the same map as the fit */
        double *mu = malloc(1600 * sizeof *mu);
        RTM_CHECK(rtm_forecast_refit(&g, NULL, &p, v, &o, 201810, mu, &e) == 0);
        RTM_CHECK(memcmp(mu, f->mu, 1600 * sizeof *mu) == 0);
        /* refit on fewer months: events after train_to are ignored */
        RTM_CHECK(rtm_forecast_refit(&g, NULL, &p, v, &o, 201806, mu, &e) == 0);
        free(mu);
    }
    rtm_forecast_free(f);
    rtm_varset_free(v);
    rtm_points_clear(&p);
}

/* The design: per pair, weights add up to the inside cells and outcomes to
 * the events of the outcome month, whatever the subsampling. */
static void test_design_totals(void)
{
    rtm_grid g;
    rtm_points p;
    rtm_error e;
    rtm_forecast_opts o;
    grid_init(&g, 30, 30, 100);
    rtm_points_init(&p);
    rtm_t_rng = 9;
    for (int m = 0; m < 6; m++)
        for (int k = 0; k < 150; k++)
            put(&p, &g, (int)(rtm_t_urand() * 12), (int)(rtm_t_urand() * 30), rtm_t_urand(),
                rtm_t_urand(), 201801 + m);
    rtm_forecast_opts_init(&o);
    o.max_rows = 1000; /* forces subsampling of zero-outcome rows */
    fc_run r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    RTM_CHECK(rtm_fc_hist_build(&r.h, &g, NULL, &p, 201801, 201806, 1, &e) == 0);
    RTM_CHECK(rtm_fc_plan(&r, &e) == 0 && rtm_fc_build_bits(&r, NULL, &e) == 0);
    RTM_CHECK(r.pp.npairs == 5);
    RTM_CHECK(rtm_fc_design(&r.pp, r.cols->n, o.max_rows, 1, &e) == 0);
    RTM_CHECK(r.pp.keep_p < 1);
    for (int pr = 0; pr < r.pp.npairs; pr++) {
        double w = 0, ys = 0;
        for (size_t k = 0; k < r.pp.nrows; k++)
            if (r.pp.fold[k] == pr)
                w += r.pp.wt[k], ys += r.pp.dy[k];
        /* Horvitz-Thompson: the weights estimate the 900 cells (exact for the
         * outcome events); within 15 % here */
        RTM_CHECK(fabs(w - 900) < 0.15 * 900);
        RTM_CHECK(ys == 150);
    }
    rtm_fc_run_free(&r);
    rtm_points_clear(&p);
}

static void test_errors(void)
{
    rtm_grid g;
    rtm_points p;
    rtm_error e;
    rtm_forecast_opts o;
    rtm_forecast *f = NULL;
    grid_init(&g, 5, 5, 100);
    rtm_points_init(&p);
    put(&p, &g, 1, 1, .5, .5, 201801);
    put(&p, &g, 2, 2, .5, .5, 201802);
    rtm_forecast_opts_init(&o);
    RTM_CHECK(rtm_forecast_fit(&g, NULL, &p, NULL, &o, &f, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "months of history") != NULL);
    o.horizon = 0;
    o.alpha = 2;
    RTM_CHECK(rtm_forecast_opts_check(&o, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "horizon") && strstr(e.msg, "alpha"));
    rtm_forecast_opts_init(&o);
    p.month[0] = 0;
    RTM_CHECK(rtm_forecast_fit(&g, NULL, &p, NULL, &o, &f, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "without a month") != NULL);
    rtm_points_clear(&p);
}

int main(void)
{
    RTM_RUN(test_prospective_brute_force);
    RTM_RUN(test_windows_by_hand);
    RTM_RUN(test_design_totals);
    RTM_RUN(test_simulated_recovery);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
