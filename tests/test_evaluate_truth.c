/* test_evaluate_truth.c: coverages as areas and cell counts (hand-computed
 * conversions), credits and the too-coarse check (hand-built tie blocks),
 * the bootstrap against the binomial distribution it must reproduce and its
 * coverage of a known proportion, McNemar's exact test against closed
 * forms, the paired comparison of a surface known to be better, and the
 * back-test summary on events whose PAI is known. */
#include <stdlib.h>
#include "rtm/evaluate_truth.h"
#include "rtm_test.h"

static void test_coverage_parse(void)
{
    double v, f;
    int u;
    rtm_error e;
    char lab[32];
    RTM_CHECK(rtm_eval_coverage_parse("5", &v, &u, &e) == 0 && v == 5 && u == RTM_COVER_PERCENT);
    RTM_CHECK(rtm_eval_coverage_parse("2.5%", &v, &u, &e) == 0 && v == 2.5 && u == RTM_COVER_PERCENT);
    RTM_CHECK(rtm_eval_coverage_parse("0.5km2", &v, &u, &e) == 0 && v == 0.5 && u == RTM_COVER_KM2);
    RTM_CHECK(rtm_eval_coverage_parse("100cells", &v, &u, &e) == 0 && v == 100 && u == RTM_COVER_CELLS);
    RTM_CHECK(rtm_eval_coverage_parse("50 ha", &v, &u, &e) == 0 && v == 50 && u == RTM_COVER_HA);
    RTM_CHECK(rtm_eval_coverage_parse("0", &v, &u, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_eval_coverage_parse("101", &v, &u, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_eval_coverage_parse("5miles", &v, &u, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_eval_coverage_parse("km2", &v, &u, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_eval_coverage_parse("-1cells", &v, &u, &e) == RTM_ERR_ARG);
    /* by hand: 100 m cells are 0.01 km²; 0.5 km² = 50 cells; of 1000 cells 5 % */
    RTM_CHECK(rtm_eval_coverage_fraction(0.5, RTM_COVER_KM2, 0.01, 1000, &f, &e) == 0);
    RTM_CHECK_NEAR(f, 0.05, 1e-15);
    /* 50 ha = 0.5 km² = 50 cells of 1 ha; of 400 cells: 12.5 % */
    RTM_CHECK(rtm_eval_coverage_fraction(50, RTM_COVER_HA, 0.01, 400, &f, &e) == 0);
    RTM_CHECK_NEAR(f, 0.125, 1e-15);
    /* 100 cells of 400: 25 %; 250 m cells (0.0625 km²), 1 km² = 16 cells of 64 */
    RTM_CHECK(rtm_eval_coverage_fraction(100, RTM_COVER_CELLS, 0.01, 400, &f, &e) == 0);
    RTM_CHECK_NEAR(f, 0.25, 1e-15);
    RTM_CHECK(rtm_eval_coverage_fraction(1, RTM_COVER_KM2, 0.0625, 64, &f, &e) == 0);
    RTM_CHECK_NEAR(f, 0.25, 1e-15);
    RTM_CHECK(rtm_eval_coverage_fraction(5, RTM_COVER_PERCENT, 0.01, 7, &f, &e) == 0);
    RTM_CHECK_NEAR(f, 0.05, 1e-15);
    /* larger than the area: an error naming both */
    RTM_CHECK(rtm_eval_coverage_fraction(500, RTM_COVER_CELLS, 0.01, 400, &f, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "larger than the evaluated area") != NULL);
    rtm_eval_coverage_label(0.5, RTM_COVER_KM2, lab, sizeof lab);
    RTM_CHECK(!strcmp(lab, "0.5km2"));
    rtm_eval_coverage_label(100, RTM_COVER_CELLS, lab, sizeof lab);
    RTM_CHECK(!strcmp(lab, "100cells"));
}

/* Credits follow the pro-rata tie rule: sum credit x counts = rtm_eval_at's n. */
static void test_credits_and_ties(void)
{
    static const double pred[10] = {9, 9, 4, 4, 4, 4, 1, 1, 1, 1};
    static const double cnt[10] = {5, 3, 0, 1, 0, 0, 2, 0, 0, 1};
    static const double cov[4] = {0.1, 0.2, 0.3, 0.7};
    double cr[10];
    rtm_eval_curve_t *c = NULL;
    rtm_error e;
    int first;
    RTM_CHECK(rtm_eval_curve(pred, cnt, NULL, 10, &c, &e) == 0);
    for (int i = 0; i < 4; i++) {
        rtm_eval_metrics m;
        double n = 0;
        RTM_CHECK(rtm_eval_credits(pred, NULL, 10, cov[i], cr, &e) == 0);
        RTM_CHECK(rtm_eval_at(c, cov[i], &m, &e) == 0);
        for (int k = 0; k < 10; k++)
            n += cr[k] * cnt[k];
        RTM_CHECK_NEAR(n, m.events, 1e-12);
    }
    RTM_CHECK(rtm_eval_credits(pred, NULL, 10, 0.3, cr, &e) == 0);
    RTM_CHECK(cr[0] == 1 && cr[1] == 1 && cr[2] == 0.25 && cr[5] == 0.25 && cr[6] == 0);
    /* tie blocks: {0,1} (2 cells), {2..5} (4), {6..9} (4) */
    RTM_CHECK_NEAR(rtm_eval_tie_block(c, 0.1, &first), 2, 0);
    RTM_CHECK(first == 1);
    RTM_CHECK(rtm_eval_too_coarse(c, 0.1) == 1);   /* 2 tied cells > 1 flagged */
    RTM_CHECK(rtm_eval_tie_block(c, 0.2, NULL) == 0); /* ends on the boundary */
    RTM_CHECK(rtm_eval_too_coarse(c, 0.2) == 0);
    RTM_CHECK(rtm_eval_too_coarse(c, 0.3) == 1);   /* 4 tied > 3 flagged */
    RTM_CHECK(rtm_eval_too_coarse(c, 0.5) == 0);   /* 4 tied < 5 flagged */
    rtm_eval_curve_free(c);
}

/* Exact Binomial(n, p) quantile: smallest k with P(X <= k) >= q. */
static int binom_quantile(int n, double p, double q)
{
    double cdf = 0;
    for (int k = 0; k <= n; k++) {
        cdf += exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) +
                   (n - k) * log1p(-p));
        if (cdf >= q)
            return k;
    }
    return n;
}

/* 0/1 credits: the bootstrap distribution of the hit rate is exactly
 * Binomial(N, p^)/N, so its quantiles and SD are known. */
static void test_bootstrap_binomial(void)
{
    enum { N = 50, K = 20 };
    double v[N], lo, hi, se, lo1, hi1;
    rtm_boot_opts o;
    rtm_error e;
    for (int i = 0; i < N; i++)
        v[i] = i < K;
    rtm_boot_opts_init(&o);
    o.replicates = 20000;
    o.seed = 7;
    RTM_CHECK(rtm_boot_means(v, NULL, N, 1, &o, &lo, &hi, &se, NULL, &e) == 0);
    RTM_CHECK_REL(se, sqrt(0.4 * 0.6 / N), 0.03, 0);
    RTM_CHECK_NEAR(lo, binom_quantile(N, 0.4, 0.025) / (double)N, 1.0 / N + 1e-12);
    RTM_CHECK_NEAR(hi, binom_quantile(N, 0.4, 0.975) / (double)N, 1.0 / N + 1e-12);
    /* same bytes for any thread count; another seed gives another draw */
    o.threads = 1;
    RTM_CHECK(rtm_boot_means(v, NULL, N, 1, &o, &lo1, &hi1, NULL, NULL, &e) == 0);
    RTM_CHECK(lo1 == lo && hi1 == hi);
    o.threads = 3;
    RTM_CHECK(rtm_boot_means(v, NULL, N, 1, &o, &lo1, &hi1, NULL, NULL, &e) == 0);
    RTM_CHECK(lo1 == lo && hi1 == hi);
    /* weights: an event of weight 2 counts as two events */
    {
        double w2[3] = {2, 1, 1}, v2[3] = {1, 0, 0}, v4[4] = {1, 1, 0, 0}, a, b, c2, d;
        o.replicates = 4000;
        RTM_CHECK(rtm_boot_means(v2, w2, 3, 1, &o, &a, &b, NULL, NULL, &e) == 0);
        RTM_CHECK(rtm_boot_means(v4, NULL, 4, 1, &o, &c2, &d, NULL, NULL, &e) == 0);
        RTM_CHECK(a >= 0 && b <= 1 && a <= 0.5 && b >= 0.5);
        (void)c2, (void)d;
    }
}

/* A 95 % interval covers a known proportion about 95 % of the time. */
static void test_bootstrap_coverage(void)
{
    enum { N = 120, TRIALS = 300 };
    double v[N], lo, hi, p = 0.3;
    uint64_t s = 12345;
    int covered = 0;
    rtm_boot_opts o;
    rtm_error e;
    rtm_boot_opts_init(&o);
    o.replicates = 999;
    for (int t = 0; t < TRIALS; t++) {
        for (int i = 0; i < N; i++) { /* LCG (Knuth MMIX) draws of Bernoulli(p) */
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            v[i] = (double)(s >> 11) / 9007199254740992.0 < p;
        }
        o.seed = (uint64_t)t + 1;
        RTM_CHECK(rtm_boot_means(v, NULL, N, 1, &o, &lo, &hi, NULL, NULL, &e) == 0);
        covered += lo <= p && p <= hi;
    }
    /* binomial SD of the coverage share: sqrt(.95 .05 / 300) = 0.0126 */
    RTM_CHECK(covered >= (int)(0.90 * TRIALS) && covered <= (int)(0.99 * TRIALS));
    printf("# bootstrap 95 %% interval covered p = 0.3 in %d of %d trials\n", covered, TRIALS);
}

static void test_mcnemar(void)
{
    /* b = 10, c = 2: 2 (1 + 12 + 66) / 2^12 */
    RTM_CHECK_NEAR(rtm_mcnemar_exact(10, 2), 158.0 / 4096.0, 1e-12);
    RTM_CHECK_NEAR(rtm_mcnemar_exact(2, 10), 158.0 / 4096.0, 1e-12);
    RTM_CHECK_NEAR(rtm_mcnemar_exact(5, 0), 2.0 / 32.0, 1e-14);
    RTM_CHECK(rtm_mcnemar_exact(4, 4) == 1);
    RTM_CHECK(rtm_mcnemar_exact(0, 0) == 1);
}

/* Paired comparison: A ranks the busy cells first, B the quiet ones. Per
 * event the difference of credits; its bootstrap interval excludes 0. */
static void test_paired(void)
{
    enum { NC = 20 };
    double a[NC], b[NC], ca[NC], cb[NC], cnt[NC], *val, lo, hi, below;
    size_t nev = 0, k = 0;
    rtm_boot_opts o;
    rtm_error e;
    for (int i = 0; i < NC; i++) {
        cnt[i] = i < 4 ? 6 : 1; /* 24 events in 4 busy cells, 16 elsewhere */
        a[i] = cnt[i] + 0.01 * i;
        b[i] = -a[i];
        nev += (size_t)cnt[i];
    }
    RTM_CHECK(rtm_eval_credits(a, NULL, NC, 0.2, ca, &e) == 0);
    RTM_CHECK(rtm_eval_credits(b, NULL, NC, 0.2, cb, &e) == 0);
    val = malloc(nev * 2 * sizeof *val);
    for (int i = 0; i < NC; i++)
        for (int j = 0; j < (int)cnt[i]; j++, k++) {
            val[2 * k] = ca[i] - cb[i];
            val[2 * k + 1] = ca[i] - ca[i]; /* A against itself */
        }
    rtm_boot_opts_init(&o);
    {
        double l2[2], h2[2], b2[2];
        RTM_CHECK(rtm_boot_means(val, NULL, nev, 2, &o, l2, h2, NULL, b2, &e) == 0);
        lo = l2[0], hi = h2[0], below = b2[0];
        /* point estimate 24/40 - 4/40 = 0.5; per-event values 1 (24), -1 (4), 0 (12):
         * SD sqrt(28/40 - 0.25), SE sqrt(0.45/40) = 0.106, 95 % width ~ 0.416 */
        RTM_CHECK(lo > 0);
        RTM_CHECK_NEAR((lo + hi) / 2, 0.5, 0.03);
        RTM_CHECK_REL(hi - lo, 2 * 1.959964 * sqrt(0.45 / 40), 0.1, 0);
        RTM_CHECK(below == 0);
        RTM_CHECK(l2[1] == 0 && h2[1] == 0);
    }
    /* McNemar on the discordant events: 24 by A only, 4 by B only */
    RTM_CHECK(rtm_mcnemar_exact(24, 4) < 0.001);
    free(val);
}

/* Back-test summary: every event in cell 0 of a 10 x 10 grid, 3 months. The
 * prior counts and a narrow KDE flag cell 0 first: PAI = 1/a at 1 % (1 cell),
 * and at 5 % and 20 % the pro-rata share of the zero block adds nothing:
 * PAI = 1 / 0.05 / (5 %) ... = (N/N)/(a/A) = 100, 20, 5. */
static void test_bt_summary(void)
{
    rtm_grid g = {0};
    double x[30], y[30];
    int month[30];
    rtm_kde_opts ko;
    rtm_eval_refit rf;
    rtm_bt_summary s;
    rtm_error e;
    g.ncols = g.nrows = 10;
    g.res = 100;
    g.x0 = 0;
    g.y0 = 0; /* lower-left corner; row 0 (north) spans y 900..1000 */
    for (int i = 0; i < 30; i++) {
        x[i] = 50 + (i % 3);
        y[i] = 950 - (i % 2);
        month[i] = 201801 + i % 3;
    }
    rtm_kde_opts_init(&ko);
    ko.radius = 40;
    rf = (rtm_eval_refit){"kde40", "quartic KDE", rtm_eval_fit_kde, &ko};
    RTM_CHECK(rtm_bt_summarise(&g, NULL, x, y, NULL, month, 30, &rf, 1, &s, &e) == 0);
    RTM_CHECK(s.done == 1 && s.nsteps == 2 && s.nsurf == 2);
    RTM_CHECK(s.first_test == 201802 && s.last_test == 201803);
    RTM_CHECK(!strcmp(s.name[1], "prior counts"));
    for (int i = 0; i < 2; i++) {
        RTM_CHECK_NEAR(s.pai[i][0], 100, 1e-9);
        RTM_CHECK_NEAR(s.pai[i][1], 20, 1e-9);
        RTM_CHECK_NEAR(s.pai[i][2], 5, 1e-9);
    }
    for (int i = 0; i < 30; i++)
        month[i] = 201801;
    RTM_CHECK(rtm_bt_summarise(&g, NULL, x, y, NULL, month, 30, &rf, 1, &s, &e) == 0);
    RTM_CHECK(s.done == 0 && strstr(s.why, "one month") != NULL);
}

int main(void)
{
    RTM_RUN(test_coverage_parse);
    RTM_RUN(test_credits_and_ties);
    RTM_RUN(test_bootstrap_binomial);
    RTM_RUN(test_bootstrap_coverage);
    RTM_RUN(test_mcnemar);
    RTM_RUN(test_paired);
    RTM_RUN(test_bt_summary);
    return RTM_TEST_END();
}
