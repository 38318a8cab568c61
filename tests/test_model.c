/* test_model.c: the RTM pipeline on synthetic data with a planted effect:
 * events drawn from a Poisson model whose only risk is proximity to factor A
 * (within 300 m) must give back that variable with RRV near the truth; the
 * RRS surface must equal prod RRV^x computed independently from the selected
 * variables, and the tiers must follow the mean + k SD definition. */
#include <stdlib.h>

#include "rtm/model.h"
#include "rtm_test.h"

static unsigned long long s = 0x9E3779B97F4A7C15ULL;
static double urand(void)
{
    /* xorshift64* (Vigna 2016) */
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return (double)((s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Poisson draw by inversion (Knuth); small means only. */
static int rpois(double mu)
{
    double l = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= urand();
    } while (p > l);
    return k - 1;
}

static void test_planted_effect(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *a = rtm_features_create(), *b = rtm_features_create();
    rtm_factor_spec f[2] = {0};
    rtm_model_opts o;
    rtm_model *m = NULL;
    double ax[30], ay[30], *counts;
    const double b0 = -1.5, b1 = 1.2; /* truth: RRV = exp(1.2) = 3.32 */
    size_t k, nc, bad = 0, tier_bad = 0;
    int i, q;
    rtm_grid_from_bbox(&g, 0, 0, 8000, 8000, 100, "EPSG:27700", &e);
    nc = rtm_grid_ncells(&g);
    counts = calloc(nc, sizeof *counts);
    for (i = 0; i < 30; i++) {
        ax[i] = 8000 * urand();
        ay[i] = 8000 * urand();
        rtm_features_add_point(a, ax[i], ay[i], &e);
        rtm_features_add_point(b, 8000 * urand(), 8000 * urand(), &e); /* unrelated */
    }
    for (k = 0; k < nc; k++) {
        double x = rtm_grid_cell_x(&g, (int)(k % g.ncols)), y = rtm_grid_cell_y(&g, (int)(k / g.ncols));
        double d = INFINITY;
        for (q = 0; q < 30; q++)
            d = fmin(d, hypot(x - ax[q], y - ay[q]));
        counts[k] = rpois(exp(b0 + b1 * (d <= 300)));
    }
    f[0].name = "a";
    f[0].features = a;
    f[0].op = RTM_OP_PROXIMITY;
    f[1].name = "b";
    f[1].features = b;
    f[1].op = RTM_OP_PROXIMITY;
    rtm_model_opts_init(&o);
    o.var.block = 300;
    o.enet.seed = 7;
    RTM_CHECK(rtm_model_fit(&g, NULL, 0, counts, f, 2, &o, &m, &e) == 0);
    if (!m) {
        fprintf(stderr, "%s\n", e.msg);
        goto done;
    }
    RTM_CHECK(m->sw.k >= 1);
    /* the planted variable is selected, with RRV within 15 % of exp(1.2) */
    for (i = 0; i < m->sw.k; i++) {
        const rtm_variable *v = &m->vars->var[m->sw.fit.cols[i]];
        if (!strcmp(v->name, "a_proximity_300"))
            RTM_CHECK_REL(exp(m->sw.fit.beta[i]), exp(b1), 0.15, 0);
    }
    RTM_CHECK(!strcmp(m->vars->var[m->sw.fit.cols[0]].name, "a_proximity_300") ||
              (m->sw.k > 1 && !strcmp(m->vars->var[m->sw.fit.cols[1]].name, "a_proximity_300")));
    /* RRS = prod RRV^x, recomputed from the design */
    for (k = 0; k < m->vars->n; k++) {
        double r = 1;
        for (i = 0; i < m->sw.k; i++)
            if (rtm_varset_value(m->vars, k, m->sw.fit.cols[i]))
                r *= exp(m->sw.fit.beta[i]);
        bad += fabs(m->rrs[rtm_varset_cell(m->vars, k)] - r) > 1e-12 * r;
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK_NEAR(m->rrs_min, 1.0, 1e-12);
    /* tiers: highest = RRS >= mean + 2 SD etc. */
    for (k = 0; k < nc; k++) {
        double r = m->rrs[k];
        int t = r >= m->rrs_mean + 2 * m->rrs_sd ? 3 : r >= m->rrs_mean + m->rrs_sd ? 2
                : r >= m->rrs_mean ? 1 : 0;
        tier_bad += m->tier[k] != t;
    }
    RTM_CHECK(tier_bad == 0);
    {
        double as = 0, es = 0;
        for (i = 0; i < RTM_NTIERS; i++) {
            as += m->tiers[i].area_share;
            es += m->tiers[i].event_share;
        }
        RTM_CHECK_NEAR(as, 1, 1e-12);
        RTM_CHECK_NEAR(es, 1, 1e-12);
    }
    /* the per-cell design released: gone, the surfaces and summary intact
     * (and rtm_model_free after it frees nothing twice: the sanitiser run) */
    {
        double s0 = 0, s1 = 0;
        size_t n = m->vars->n;
        for (k = 0; k < nc; k++)
            s0 += m->rrs[k] * (1 + m->tier[k]);
        rtm_model_release_design(m);
        for (k = 0; k < nc; k++)
            s1 += m->rrs[k] * (1 + m->tier[k]);
        RTM_CHECK(s0 == s1);
        RTM_CHECK(!m->vars->cell && !m->vars->row_pat && !m->vars->x && !m->cv->foldid);
        RTM_CHECK(m->vars->n == n && m->vars->p > 0 && m->cv->nkept > 0);
        rtm_model_release_design(m); /* twice is harmless */
    }
done:
    rtm_model_free(m);
    rtm_features_free(a);
    rtm_features_free(b);
    free(counts);
}

static void test_degenerate_outcomes(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *a = rtm_features_create();
    rtm_factor_spec f = {0};
    rtm_model_opts o;
    rtm_model *m = NULL;
    double *counts;
    rtm_grid_from_bbox(&g, 0, 0, 2000, 2000, 100, NULL, &e);
    counts = calloc(rtm_grid_ncells(&g), sizeof *counts);
    rtm_features_add_point(a, 1000, 1000, &e);
    f.name = "a";
    f.features = a;
    f.op = RTM_OP_PROXIMITY;
    rtm_model_opts_init(&o);
    o.var.block = 200;
    RTM_CHECK(rtm_model_fit(&g, NULL, 0, counts, &f, 1, &o, &m, &e) == RTM_ERR_MODEL);
    RTM_CHECK(strstr(e.msg, "no events") != NULL);
    counts[5] = 40;
    RTM_CHECK(rtm_model_fit(&g, NULL, 0, counts, &f, 1, &o, &m, &e) == RTM_ERR_MODEL);
    RTM_CHECK(strstr(e.msg, "one cell") != NULL);
    RTM_CHECK(m == NULL);
    /* variables of a grid without a mask keep no cell list: fitted on
     * another grid they are refused, not read as its first cells */
    {
        rtm_grid g2;
        rtm_varset *v = NULL;
        double *c2;
        rtm_grid_from_bbox(&g2, 0, 0, 3000, 2000, 100, NULL, &e);
        c2 = calloc(rtm_grid_ncells(&g2), sizeof *c2);
        c2[5] = c2[17] = c2[300] = 3;
        RTM_CHECK(rtm_variables_build(&g, NULL, 0, &f, 1, &o.var, &v, &e) == 0);
        RTM_CHECK(v && !v->cell);
        RTM_CHECK(rtm_model_fit_varset(&g2, v, c2, &o, &m, &e) == RTM_ERR_ARG);
        RTM_CHECK(m == NULL && strstr(e.msg, "without their grid cells") != NULL);
        free(c2);
    }
    rtm_features_free(a);
    free(counts);
}

int main(void)
{
    RTM_RUN(test_planted_effect);
    RTM_RUN(test_degenerate_outcomes);
    return RTM_TEST_END();
}
