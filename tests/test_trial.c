/* test_trial.c: patrol trial designs and effects (rtm/trial.h) against
 * closed forms, the GLM with explicit dummies, binomial expectations and
 * Monte Carlo simulations with a known rate ratio. */
#include "rtm_test.h"

#include <stdint.h>
#include "rtm/trial.h"
#include "rtm/glm.h"

/* A small generator of the tests' own (not the library's): splitmix64. */
static uint64_t t_state;
static double t_unif(void)
{
    uint64_t z = (t_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* Poisson draw by inversion (Knuth); lambda below ~30 here. */
static double t_poisson(double lambda)
{
    double l = exp(-lambda), p = 1;
    int k = 0;
    do {
        k++;
        p *= t_unif();
    } while (p > l && k < 1000);
    return k - 1;
}

/* A panel of n places over days where place i has t1[i] treatment days
 * (the first ones) and the rest control; y1[i], y0[i] events put on the
 * first day of each arm. */
static void panel(int n, int days, const int *t1, const double *y1, const double *y0,
                  signed char *arm, double *y)
{
    for (int i = 0; i < n; i++)
        for (int d = 0; d < days; d++) {
            arm[i * days + d] = d < t1[i];
            y[i * days + d] = d == 0 ? y1[i] : d == t1[i] ? y0[i] : 0;
        }
}

/* With the same treatment share in every place, the MLE is the pooled
 * ratio of rates: RR = (Y1/T1) / (Y0/T0). */
static void test_closed_form_constant_share(void)
{
    int t1[3] = {40, 40, 40};
    double y1[3] = {3, 5, 10}, y0[3] = {9, 12, 20}, y[300];
    signed char arm[300];
    rtm_trial_rr r;
    rtm_error e;
    panel(3, 100, t1, y1, y0, arm, y);
    RTM_CHECK(rtm_trial_rr_fit(y, arm, 3, 100, NULL, &r, &e) == 0);
    RTM_CHECK(r.estimable);
    RTM_CHECK_REL(r.rr, (18.0 / 120) / (41.0 / 180), 1e-10, 1e-300);
    /* Var(log RR) of the pooled 2x2 Poisson table: 1/Y1 + 1/Y0 */
    RTM_CHECK_REL(r.se_model, sqrt(1 / 18.0 + 1 / 41.0), 1e-9, 1e-300);
    RTM_CHECK_NEAR(r.y_treat, 18, 0);
    RTM_CHECK_NEAR(r.t_control, 180, 0);
}

/* Two places with different shares: the score is a quadratic in r = RR,
 * -Y0 r^2 + (Y1 (aA + aB) - YA aB - YB aA) r + Y1 aA aB = 0, aS = T0/T1;
 * and the GLM with a place dummy gives the same estimate and SE. */
static void test_two_places_quadratic_and_glm(void)
{
    int t1[2] = {20, 70};
    double y1[2] = {4, 30}, y0[2] = {25, 9}, y[200];
    signed char arm[200];
    double aA = 80.0 / 20, aB = 30.0 / 70, Y1 = 34, Y0 = 34, YA = 29, YB = 39;
    double A = -Y0, B = Y1 * (aA + aB) - YA * aB - YB * aA, C = Y1 * aA * aB;
    double r_true = (-B - sqrt(B * B - 4 * A * C)) / (2 * A);
    rtm_trial_rr r, g;
    rtm_error e;
    panel(2, 100, t1, y1, y0, arm, y);
    RTM_CHECK(rtm_trial_rr_fit(y, arm, 2, 100, NULL, &r, &e) == 0);
    RTM_CHECK_REL(r.rr, r_true, 1e-10, 1e-300);
    RTM_CHECK(rtm_trial_rr_glm(y, arm, 2, 100, NULL, RTM_FAMILY_POISSON, &g, NULL, &e) == 0);
    RTM_CHECK_REL(g.rr, r.rr, 1e-7, 1e-300);
    RTM_CHECK_REL(g.se_model, r.se_model, 1e-6, 1e-300);
}

/* Larger random panel: conditional fit = GLM with 29 place dummies. */
static void test_matches_glm_dummies(void)
{
    enum { N = 30, D = 60 };
    static double y[N * D];
    static signed char arm[N * D];
    rtm_trial_rr r, g;
    rtm_error e;
    t_state = 7;
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 3, arm, &e) == 0);
    for (int i = 0; i < N; i++)
        for (int d = 0; d < D; d++)
            y[i * D + d] = t_poisson((0.1 + 0.05 * (i % 7)) * (arm[i * D + d] ? 0.7 : 1));
    for (int d = 0; d < D; d++)
        y[0 * D + d] = 0; /* a place with no event: left out of both fits */
    RTM_CHECK(rtm_trial_rr_fit(y, arm, N, D, NULL, &r, &e) == 0);
    RTM_CHECK(rtm_trial_rr_glm(y, arm, N, D, NULL, RTM_FAMILY_POISSON, &g, NULL, &e) == 0);
    RTM_CHECK_REL(g.rr, r.rr, 1e-7, 1e-300);
    RTM_CHECK_REL(g.se_model, r.se_model, 1e-6, 1e-300);
    RTM_CHECK(r.strata == N - 1);
}

static void test_design_determinism(void)
{
    enum { N = 20, D = 90 };
    static signed char a[N * D], b[N * D], c[N * D];
    rtm_error e;
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 42, a, &e) == 0);
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 42, b, &e) == 0);
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 43, c, &e) == 0);
    RTM_CHECK(!memcmp(a, b, sizeof a));
    RTM_CHECK(memcmp(a, c, sizeof a));
    for (int d = 0; d < D; d++) {
        int k = 0;
        for (int i = 0; i < N; i++)
            k += a[i * D + d];
        RTM_CHECK(k == 8); /* Southend: 8 of 20 a day, 720 of 1,800 */
    }
    RTM_CHECK(rtm_trial_detect_rule(a, N, D) == RTM_TRIAL_BALANCED);
}

/* Fixed design: pairs by harm, one of each pair treated for every day. */
static void test_fixed_blocks(void)
{
    enum { N = 9, D = 5 };
    double harm[N] = {5, 90, 40, 70, 10, 60, 30, 80, 20};
    int block[N], m = 0;
    signed char a[N * D];
    rtm_error e;
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.5, block, &m, &e) == 0);
    RTM_CHECK(m == 2);
    RTM_CHECK(block[1] == 0 && block[7] == 0 && block[3] == 1 && block[5] == 1);
    RTM_CHECK(block[0] == 4); /* the least harmful place alone in the last block */
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.4, block, &m, &e) == 0 && m == 5);
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.37, block, &m, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.5, block, &m, &e) == 0);
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_FIXED, 0.5, N, D, block, 5, a, &e) == 0);
    for (int b = 0; b < 4; b++) {
        int k = 0;
        for (int i = 0; i < N; i++)
            if (block[i] == b)
                k += a[i * D];
        RTM_CHECK(k == 1);
    }
    for (int i = 0; i < N; i++)
        for (int d = 1; d < D; d++)
            RTM_CHECK(a[i * D + d] == a[i * D]);
    RTM_CHECK(rtm_trial_detect_rule(a, N, D) == RTM_TRIAL_FIXED);
}

/* Daily balanced: each place's treatment days ~ Binomial(D, k/N) (the days
 * are independent draws); independent: the total ~ Binomial(N D, F).
 * Tolerances: 4 standard deviations (one-in-15,000 two-sided by chance,
 * and the seeds are fixed). */
static void test_daily_proportions_binomial(void)
{
    enum { N = 20, D = 2000 };
    static signed char a[N * D];
    double p = 8.0 / 20, mean = 0, var = 0, tot = 0;
    rtm_error e;
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 11, a, &e) == 0);
    for (int i = 0; i < N; i++) {
        double k = 0;
        for (int d = 0; d < D; d++)
            k += a[i * D + d];
        mean += k / N;
        var += (k - D * p) * (k - D * p) / N;
        RTM_CHECK(fabs(k - D * p) <= 4 * sqrt(D * p * (1 - p)));
    }
    RTM_CHECK_NEAR(mean, D * p, 1e-9); /* exactly 8 a day */
    /* the mean squared deviation over 20 places, in units of the binomial
     * variance, is about chi-square(20)/20: its 0.001 and 0.999 quantiles
     * are 5.92/20 = 0.30 and 45.31/20 = 2.27 */
    RTM_CHECK(var / (D * p * (1 - p)) < 2.27 && var / (D * p * (1 - p)) > 0.30);
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_INDEPENDENT, 0.3, N, D, NULL, 12, a, &e) == 0);
    for (int c = 0; c < N * D; c++)
        tot += a[c];
    RTM_CHECK(fabs(tot - N * D * 0.3) <= 4 * sqrt(N * D * 0.3 * 0.7));
    RTM_CHECK(rtm_trial_detect_rule(a, N, D) == RTM_TRIAL_INDEPENDENT);
}

/* Simulated trials with a known rate ratio 0.75 (20 places, 90 days, daily
 * balanced, place baselines 0.05-0.5 events a day): the 95 % Wald CI
 * covers the truth in 95 % of simulations. With 400 simulations the
 * coverage has SD sqrt(.95 .05 / 400) = 0.011; the band [0.912, 0.988] is
 * 3.5 SD wide on each side. The mean log RR is within 4 SE of log 0.75. */
static void test_coverage_known_effect(void)
{
    enum { N = 20, D = 90, SIMS = 400 };
    static double y[N * D];
    static signed char arm[N * D];
    double truth = 0.75, cover = 0, robust = 0, sum = 0, sum2 = 0;
    rtm_error e;
    t_state = 99;
    for (int s = 0; s < SIMS; s++) {
        rtm_trial_rr r;
        RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 1000 + s, arm, &e) == 0);
        for (int i = 0; i < N; i++)
            for (int d = 0; d < D; d++)
                y[i * D + d] = t_poisson((0.05 + 0.45 * i / (N - 1)) *
                                         (arm[i * D + d] ? truth : 1));
        RTM_CHECK(rtm_trial_rr_fit(y, arm, N, D, NULL, &r, &e) == 0);
        cover += fabs(r.log_rr - log(truth)) <= 1.959964 * r.se_model;
        robust += fabs(r.log_rr - log(truth)) <= 1.959964 * r.se_robust;
        sum += r.log_rr;
        sum2 += r.log_rr * r.log_rr;
    }
    cover /= SIMS;
    robust /= SIMS;
    double m = sum / SIMS, sd = sqrt(sum2 / SIMS - m * m);
    printf("# coverage: model %.3f, robust %.3f; mean RR %.4f (truth 0.75), SD log RR %.4f\n",
           cover, robust, exp(m), sd);
    RTM_CHECK(cover >= 0.912 && cover <= 0.988);
    RTM_CHECK(robust >= 0.89 && robust <= 0.988); /* 20 clusters: a little liberal */
    RTM_CHECK(fabs(m - log(truth)) <= 4 * sd / sqrt(SIMS));
}

/* Under no effect the permutation p-value is uniform: 200 null trials with
 * 99 re-draws each; the share with p <= 0.05 within 3 SD of 0.05 and the
 * Kolmogorov-Smirnov distance below its 1 % critical value 1.63/sqrt(200)
 * (plus 0.01 for the discreteness of p in steps of 1/100). */
static void test_permutation_null_uniform(void)
{
    enum { N = 20, D = 60, SIMS = 200 };
    static double y[N * D], p[SIMS];
    static signed char arm[N * D];
    double small = 0, ks = 0;
    rtm_error e;
    t_state = 5;
    for (int s = 0; s < SIMS; s++) {
        RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 50 + s, arm, &e) == 0);
        for (int c = 0; c < N * D; c++)
            y[c] = t_poisson(0.05 + 0.3 * (c / D) / N);
        RTM_CHECK(rtm_trial_permutation(y, arm, N, D, NULL, NULL, RTM_TRIAL_BALANCED, 99,
                                        7 + s, &p[s], &e) == 0);
        small += p[s] <= 0.05;
    }
    for (int i = 1; i < SIMS; i++) /* insertion sort */
        for (int j = i; j > 0 && p[j - 1] > p[j]; j--) {
            double t = p[j];
            p[j] = p[j - 1];
            p[j - 1] = t;
        }
    for (int i = 0; i < SIMS; i++) {
        double lo = fabs(p[i] - (double)i / SIMS), hi = fabs(p[i] - (i + 1.0) / SIMS);
        ks = fmax(ks, fmax(lo, hi));
    }
    small /= SIMS;
    printf("# null permutation p: share <= 0.05 = %.3f, KS = %.3f\n", small, ks);
    RTM_CHECK(small <= 0.05 + 3 * sqrt(0.05 * 0.95 / SIMS));
    RTM_CHECK(ks < 1.63 / sqrt(SIMS) + 0.01);
}

/* With an effect the permutation test rejects; a fixed design re-draws
 * within blocks and its block-effect estimate recovers the truth. */
static void test_fixed_design_effect(void)
{
    enum { N = 40, D = 120 };
    static double y[N * D], harm[N];
    static signed char arm[N * D];
    int block[N];
    double p;
    rtm_trial_rr r;
    rtm_error e;
    t_state = 17;
    for (int i = 0; i < N; i++)
        harm[i] = i;
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.5, block, NULL, &e) == 0);
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_FIXED, 0.5, N, D, block, 4, arm, &e) == 0);
    for (int i = 0; i < N; i++) /* baseline follows harm: pairs are alike */
        for (int d = 0; d < D; d++)
            y[i * D + d] = t_poisson((0.1 + 0.02 * i) * (arm[i * D + d] ? 0.6 : 1));
    RTM_CHECK(rtm_trial_rr_fit(y, arm, N, D, block, &r, &e) == 0);
    RTM_CHECK(fabs(r.log_rr - log(0.6)) <= 3 * r.se_robust);
    RTM_CHECK(rtm_trial_permutation(y, arm, N, D, block, block, RTM_TRIAL_FIXED, 199, 3, &p,
                                    &e) == 0);
    RTM_CHECK(p <= 0.01);
}

/* Overdispersed counts: the NB2 fit with dummies runs and agrees with the
 * Poisson point estimate roughly; on Poisson data NB2 reports no
 * overdispersion or a huge theta. */
static void test_nb_variant(void)
{
    enum { N = 20, D = 90 };
    static double y[N * D];
    static signed char arm[N * D];
    rtm_trial_rr r, g;
    double theta = 0;
    rtm_error e;
    t_state = 23;
    RTM_CHECK(rtm_trial_assign(RTM_TRIAL_BALANCED, 0.4, N, D, NULL, 8, arm, &e) == 0);
    for (int c = 0; c < N * D; c++) { /* gamma(shape 1) frailty: NB2 with theta 1 */
        double lam = 0.8 * (arm[c] ? 0.75 : 1) * -log(1 - t_unif());
        y[c] = t_poisson(lam);
    }
    RTM_CHECK(rtm_trial_rr_fit(y, arm, N, D, NULL, &r, &e) == 0);
    RTM_CHECK(rtm_trial_rr_glm(y, arm, N, D, NULL, RTM_FAMILY_NB2, &g, &theta, &e) == 0);
    RTM_CHECK(theta > 0.5 && theta < 2);
    RTM_CHECK(fabs(g.log_rr - r.log_rr) < 0.1);
    RTM_CHECK(g.se_model > r.se_model); /* overdispersion widens the CI */
}

/* A fixed design (10 harm pairs of places that keep their arm for 30
 * days, baselines 0.35-0.66 a day with a place frailty of CV 0.3): the CI
 * from inverting the permutation test (99 re-draws) covers the truth in at
 * least 95 % of 120 simulations, within 3 SD (0.02): >= 0.89. (The
 * place-clustered Wald CI covers about 86 % here: 20 clusters are few.) */
static void test_fixed_design_coverage(void)
{
    enum { N = 20, D = 30, SIMS = 120 };
    static double y[N * D], harm[N];
    static signed char arm[N * D];
    int block[N];
    double cover = 0, model = 0, perm = 0;
    rtm_error e;
    t_state = 31;
    for (int i = 0; i < N; i++)
        harm[i] = N - i;
    RTM_CHECK(rtm_trial_blocks(harm, NULL, N, 0.5, block, NULL, &e) == 0);
    for (int s = 0; s < SIMS; s++) {
        rtm_trial_rr r;
        RTM_CHECK(rtm_trial_assign(RTM_TRIAL_FIXED, 0.5, N, D, block, 500 + s, arm, &e) == 0);
        for (int i = 0; i < N; i++) {
            double g = 0; /* gamma(11, 1/11) frailty as a sum of exponentials: CV 0.3 */
            for (int k = 0; k < 11; k++)
                g -= log(1 - t_unif()) / 11;
            for (int d = 0; d < D; d++)
                y[i * D + d] = t_poisson(0.5 * (39.0 - i) / 29.5 * g * (arm[i * D] ? 0.5 : 1));
        }
        RTM_CHECK(rtm_trial_rr_fit(y, arm, N, D, block, &r, &e) == 0);
        cover += fabs(r.log_rr - log(0.5)) <= 1.959964 * r.se_robust;
        model += fabs(r.log_rr - log(0.5)) <= 1.959964 * r.se_model;
        double lo, hi;
        RTM_CHECK(rtm_trial_permutation_ci(y, arm, N, D, block, block, RTM_TRIAL_FIXED, 99, s,
                                           0.95, &lo, &hi, &e) == 0);
        perm += lo <= 0.5 && 0.5 <= hi;
    }
    printf("# fixed design coverage: permutation CI %.3f, robust %.3f, Poisson model %.3f\n",
           perm / SIMS, cover / SIMS, model / SIMS);
    RTM_CHECK(perm / SIMS >= 0.89);
}

static void test_empty_arm_not_estimable(void)
{
    int t1[2] = {10, 10};
    double y1[2] = {0, 0}, y0[2] = {3, 4}, y[40];
    signed char arm[40];
    rtm_trial_rr r;
    rtm_error e;
    panel(2, 20, t1, y1, y0, arm, y);
    RTM_CHECK(rtm_trial_rr_fit(y, arm, 2, 20, NULL, &r, &e) == 0);
    RTM_CHECK(!r.estimable && r.rr == 0);
}

static void test_date(void)
{
    char b[11];
    rtm_trial_date(rtm_days_from_civil(2021, 2, 28) + 1, b);
    RTM_CHECK(!strcmp(b, "2021-03-01"));
    rtm_trial_date(rtm_days_from_civil(2024, 2, 28) + 1, b);
    RTM_CHECK(!strcmp(b, "2024-02-29"));
    rtm_trial_date(0, b);
    RTM_CHECK(!strcmp(b, "1970-01-01"));
}

int main(void)
{
    RTM_RUN(test_closed_form_constant_share);
    RTM_RUN(test_two_places_quadratic_and_glm);
    RTM_RUN(test_matches_glm_dummies);
    RTM_RUN(test_design_determinism);
    RTM_RUN(test_fixed_blocks);
    RTM_RUN(test_daily_proportions_binomial);
    RTM_RUN(test_coverage_known_effect);
    RTM_RUN(test_permutation_null_uniform);
    RTM_RUN(test_fixed_design_effect);
    RTM_RUN(test_fixed_design_coverage);
    RTM_RUN(test_nb_variant);
    RTM_RUN(test_empty_arm_not_estimable);
    RTM_RUN(test_date);
    return RTM_TEST_END();
}
