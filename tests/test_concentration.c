/* test_concentration.c: Gini, Lorenz curve and share helpers against hand
 * computed values, the published examples of Bernasco & Steenbeek's R
 * package lorenzgini, and the mean-difference definition of the Gini. */
#include "rtm/evaluate.h"
#include "rtm_test.h"

#include <stdint.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static double rnd(void) /* xorshift64, uniform [0,1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void test_gini_hand(void)
{
    double x[100] = {0};
    rtm_gini_t g;
    rtm_error e;
    /* all 10 events in one of n = 10 cells: G = (n-1)/n = 0.9, unbiased
     * G n/(n-1) = 1, generalized (N = n) = G */
    x[3] = 10;
    RTM_CHECK(rtm_gini(x, NULL, 10, &g, &e) == 0);
    RTM_CHECK_NEAR(g.gini, 0.9, 1e-15);
    RTM_CHECK_NEAR(g.gini_unbiased, 1, 1e-15);
    RTM_CHECK_NEAR(g.gini_generalized, 0.9, 1e-15);
    /* one of 100 cells: 0.99 (lorenzgini documentation example) */
    RTM_CHECK(rtm_gini(x, NULL, 100, &g, &e) == 0);
    RTM_CHECK_NEAR(g.gini, 0.99, 1e-15);
    /* uniform: 0 */
    for (int k = 0; k < 100; k++)
        x[k] = 3;
    RTM_CHECK(rtm_gini(x, NULL, 100, &g, &e) == 0);
    RTM_CHECK_NEAR(g.gini, 0, 1e-14);
    /* no events: undefined */
    memset(x, 0, sizeof x);
    RTM_CHECK(rtm_gini(x, NULL, 100, &g, &e) == 0);
    RTM_CHECK(isnan(g.gini) && isnan(g.gini_generalized));
}

/* Published examples (R package lorenzgini, Bernasco & Steenbeek 2017):
 *   c(10,8,2, 0 x 7): standard 0.78, generalized 0.78 (N = 20 >= n = 10);
 *     by hand: sum i x_(i) = 10 + 16 + 6 = 32, G = 11/10 - 64/200 = 0.78
 *   c(5,2,1, 0 x 7):  standard 0.80, generalized 0.75;
 *     by hand: sum i x = 5 + 4 + 3 = 12, G = 1.1 - 24/80 = 0.8,
 *     G' = (10/8)(0.8 - 1) + 1 = 0.75 */
static void test_gini_published(void)
{
    double a[10] = {10, 8, 2}, b[10] = {0, 5, 0, 2, 1};
    rtm_gini_t g;
    rtm_error e;
    RTM_CHECK(rtm_gini(a, NULL, 10, &g, &e) == 0);
    RTM_CHECK_NEAR(g.gini, 0.78, 1e-15);
    RTM_CHECK_NEAR(g.gini_generalized, 0.78, 1e-15);
    RTM_CHECK(rtm_gini(b, NULL, 10, &g, &e) == 0);
    RTM_CHECK_NEAR(g.gini, 0.80, 1e-15);
    RTM_CHECK_NEAR(g.gini_generalized, 0.75, 1e-15);
    RTM_CHECK_NEAR(g.gini_unbiased, 0.8 * 10 / 9, 1e-15);
}

/* Gini against its definition: mean absolute difference over all pairs,
 * G = sum_i sum_j |x_i - x_j| / (2 n^2 xbar); and against 2 int L - 1 on the
 * Lorenz curve (trapezoid, exact on the piecewise-linear curve). */
static void test_gini_definition(void)
{
    enum { N = 300 };
    double x[N];
    unsigned char mask[N];
    for (int rep = 0; rep < 5; rep++) {
        double s = 0, d = 0, n = 0, area = 0;
        rtm_gini_t g;
        rtm_lorenz *l = NULL;
        rtm_error e;
        for (int k = 0; k < N; k++) {
            x[k] = rep % 2 ? floor(rnd() * rnd() * 6) : rnd() * 10;
            mask[k] = rnd() < 0.8;
        }
        for (int i = 0; i < N; i++) {
            if (!mask[i])
                continue;
            n++, s += x[i];
            for (int j = 0; j < N; j++)
                if (mask[j])
                    d += fabs(x[i] - x[j]);
        }
        RTM_CHECK(rtm_gini(x, mask, N, &g, &e) == 0);
        RTM_CHECK_NEAR(g.gini, d / (2 * n * n * (s / n)), 1e-12);
        RTM_CHECK(rtm_lorenz_create(x, mask, N, &l, &e) == 0);
        if (!l)
            continue;
        for (size_t k = 0; k + 1 < l->npts; k++)
            area += (l->cells[k + 1] - l->cells[k]) * (l->events[k] + l->events[k + 1]) / 2;
        RTM_CHECK_NEAR(g.gini, 2 * area / (l->total_cells * l->total_events) - 1, 1e-12);
        rtm_lorenz_free(l);
    }
}

/* counts {0,3,1,3,0,1,2}: n = 7, N = 10; descending 3,3,2,1,1,0,0.
 * Tie blocks -> points (cells, events): (0,0) (2,6) (3,8) (5,10) (7,10).
 *  top 1/7 (1 cell, half of the {3,3} block): 3/10
 *  top 4/7 (4 cells: 8 + half of the {1,1} block): 9/10
 *  60 % of events (6): exactly 2 cells -> 2/7
 *  70 % (7): half-way through the {2} block: 2.5 cells -> 2.5/7
 *  100 % (10): end of the {1,1} block, 5 cells -> 5/7 (zeros not needed) */
static void test_lorenz_points(void)
{
    const double x[7] = {0, 3, 1, 3, 0, 1, 2};
    const double pc[5] = {0, 2, 3, 5, 7}, pe[5] = {0, 6, 8, 10, 10};
    rtm_lorenz *l = NULL;
    rtm_error e;
    RTM_CHECK(rtm_lorenz_create(x, NULL, 7, &l, &e) == 0);
    if (!l)
        return;
    RTM_CHECK(l->npts == 5);
    for (int k = 0; k < 5 && k < (int)l->npts; k++) {
        RTM_CHECK_NEAR(l->cells[k], pc[k], 0);
        RTM_CHECK_NEAR(l->events[k], pe[k], 0);
    }
    RTM_CHECK_NEAR(rtm_lorenz_top_share(l, 1.0 / 7), 0.3, 1e-15);
    RTM_CHECK_NEAR(rtm_lorenz_top_share(l, 4.0 / 7), 0.9, 1e-15);
    RTM_CHECK_NEAR(rtm_lorenz_top_share(l, 1), 1, 0);
    RTM_CHECK_NEAR(rtm_lorenz_top_share(l, 0), 0, 0);
    RTM_CHECK_NEAR(rtm_lorenz_area_for(l, 0.6), 2.0 / 7, 1e-15);
    RTM_CHECK_NEAR(rtm_lorenz_area_for(l, 0.7), 2.5 / 7, 1e-15);
    RTM_CHECK_NEAR(rtm_lorenz_area_for(l, 1.0), 5.0 / 7, 1e-15);
    RTM_CHECK(isnan(rtm_lorenz_top_share(l, 1.5)));
    rtm_lorenz_free(l);
}

/* "60 % of harm in 4 % of the area": 100 cells, 4 with 15 events, 40 with 1. */
static void test_report_sentence(void)
{
    double x[100] = {0};
    rtm_lorenz *l = NULL;
    rtm_error e;
    for (int k = 0; k < 4; k++)
        x[k * 2] = 15; /* even cells 0..6 */
    for (int k = 0; k < 40; k++)
        x[k * 2 + 1] = 1; /* odd cells 1..79 */
    RTM_CHECK(rtm_lorenz_create(x, NULL, 100, &l, &e) == 0);
    if (!l)
        return;
    RTM_CHECK_NEAR(rtm_lorenz_area_for(l, 0.6), 0.04, 1e-15);
    RTM_CHECK_NEAR(rtm_lorenz_top_share(l, 0.04), 0.6, 1e-15);
    /* 80 % of events: 60 + 20 single-event cells = 24 cells */
    RTM_CHECK_NEAR(rtm_lorenz_area_for(l, 0.8), 0.24, 1e-15);
    rtm_lorenz_free(l);
}

/* Per zone results equal the whole-area functions run on each zone's mask. */
static void test_zones(void)
{
    enum { N = 400, NZ = 4 };
    double x[N];
    int zone[N];
    unsigned char mask[N];
    rtm_conc_zone r[NZ];
    rtm_error e;
    for (int k = 0; k < N; k++) {
        x[k] = floor(rnd() * rnd() * 8);
        zone[k] = (int)(rnd() * (NZ + 1)) - 1; /* -1 .. NZ-1 */
    }
    zone[7] = 3;
    RTM_CHECK(rtm_concentration_by_zone(x, zone, N, NZ, 0.05, 0.5, r, &e) == 0);
    for (int z = 0; z < NZ; z++) {
        rtm_gini_t g;
        rtm_lorenz *l = NULL;
        size_t cnt = 0;
        for (int k = 0; k < N; k++)
            cnt += (mask[k] = zone[k] == z);
        RTM_CHECK(r[z].zone == z && r[z].cells == cnt);
        RTM_CHECK(rtm_gini(x, mask, N, &g, &e) == 0);
        RTM_CHECK_NEAR(r[z].gini.gini, g.gini, 1e-12);
        RTM_CHECK_NEAR(r[z].gini.gini_generalized, g.gini_generalized, 1e-12);
        RTM_CHECK(rtm_lorenz_create(x, mask, N, &l, &e) == 0);
        if (!l)
            continue;
        RTM_CHECK_NEAR(r[z].top_share, rtm_lorenz_top_share(l, 0.05), 1e-12);
        RTM_CHECK_NEAR(r[z].area_for, rtm_lorenz_area_for(l, 0.5), 1e-12);
        rtm_lorenz_free(l);
    }
    zone[9] = NZ;
    RTM_CHECK(rtm_concentration_by_zone(x, zone, N, NZ, 0.05, 0.5, r, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "cell 9") != NULL);
}

static void test_errors(void)
{
    const double bad[3] = {1, -2, 0};
    rtm_gini_t g;
    rtm_lorenz *l = NULL;
    rtm_error e;
    RTM_CHECK(rtm_gini(bad, NULL, 3, &g, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "cell 1") != NULL);
    RTM_CHECK(rtm_lorenz_create(bad, NULL, 3, &l, &e) == RTM_ERR_INPUT && l == NULL);
    /* empty set of cells: not an error, NaN answers */
    RTM_CHECK(rtm_lorenz_create(bad, NULL, 0, &l, &e) == 0);
    if (l) {
        RTM_CHECK(isnan(rtm_lorenz_top_share(l, 0.1)) && isnan(rtm_lorenz_area_for(l, 0.5)));
        rtm_lorenz_free(l);
    }
}

int main(void)
{
    RTM_RUN(test_gini_hand);
    RTM_RUN(test_gini_published);
    RTM_RUN(test_gini_definition);
    RTM_RUN(test_lorenz_points);
    RTM_RUN(test_report_sentence);
    RTM_RUN(test_zones);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
