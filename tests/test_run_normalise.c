/* test_run_normalise.c: overlay normalisations of `rtm run` against hand
 * values and brute-force references (R's rank(ties.method = "average")). */
#include <math.h>
#include <stdlib.h>

#include "run/run_internal.h"
#include "rtm_test.h"

static void test_minmax(void)
{
    double v[5] = {3, 1, 99, 5, 1};
    unsigned char m[5] = {1, 1, 0, 1, 1};
    rtm_error e;
    RTM_CHECK(rtm_jr_normalise(v, m, 5, RTM_NORM_MINMAX, &e) == 0);
    RTM_CHECK_NEAR(v[0], 0.5, 1e-15);
    RTM_CHECK_NEAR(v[1], 0.0, 0);
    RTM_CHECK(isnan(v[2]));  /* outside the study area */
    RTM_CHECK_NEAR(v[3], 1.0, 0);
    RTM_CHECK_NEAR(v[4], 0.0, 0);
}

static void test_constant(void)
{
    double v[3] = {7, 7, 7}, z[3] = {7, 7, 7};
    rtm_error e;
    RTM_CHECK(rtm_jr_normalise(v, NULL, 3, RTM_NORM_MINMAX, &e) == 0);
    RTM_CHECK(rtm_jr_normalise(z, NULL, 3, RTM_NORM_ZSCORE, &e) == 0);
    for (int i = 0; i < 3; i++) {
        RTM_CHECK_NEAR(v[i], 0, 0);
        RTM_CHECK_NEAR(z[i], 0, 0);
    }
}

/* z-scores: two-pass mean and population SD computed here */
static void test_zscore(void)
{
    double v[50], ref[50], mean = 0, ss = 0;
    rtm_error e;
    int i;
    for (i = 0; i < 50; i++)
        v[i] = ref[i] = sin(i * 0.7) * 10 + i * 0.1;
    for (i = 0; i < 50; i++)
        mean += ref[i] / 50;
    for (i = 0; i < 50; i++)
        ss += (ref[i] - mean) * (ref[i] - mean);
    RTM_CHECK(rtm_jr_normalise(v, NULL, 50, RTM_NORM_ZSCORE, &e) == 0);
    for (i = 0; i < 50; i++)
        RTM_CHECK_NEAR(v[i], (ref[i] - mean) / sqrt(ss / 50), 1e-12);
}

/* R: rank(c(10, 20, 20, 5)) = 2 3.5 3.5 1 -> (r - 1) / (n - 1) */
static void test_rank_hand(void)
{
    double v[4] = {10, 20, 20, 5};
    rtm_error e;
    RTM_CHECK(rtm_jr_normalise(v, NULL, 4, RTM_NORM_RANK, &e) == 0);
    RTM_CHECK_NEAR(v[0], 1.0 / 3, 1e-15);
    RTM_CHECK_NEAR(v[1], 2.5 / 3, 1e-15);
    RTM_CHECK_NEAR(v[2], 2.5 / 3, 1e-15);
    RTM_CHECK_NEAR(v[3], 0, 0);
}

/* Many ties, a mask: average ranks by counting (O(n^2)) */
static void test_rank_brute(void)
{
    enum { N = 400 };
    double v[N], ref[N];
    unsigned char m[N];
    unsigned s = 12345;
    int i, k, n = 0;
    rtm_error e;
    for (i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        v[i] = ref[i] = (double)((s >> 16) % 21);
        m[i] = (s >> 8) % 7 != 0;
        n += m[i];
    }
    RTM_CHECK(rtm_jr_normalise(v, m, N, RTM_NORM_RANK, &e) == 0);
    for (i = 0; i < N; i++) {
        double less = 0, equal = 0;
        if (!m[i]) {
            RTM_CHECK(isnan(v[i]));
            continue;
        }
        for (k = 0; k < N; k++)
            if (m[k]) {
                less += ref[k] < ref[i];
                equal += ref[k] == ref[i];
            }
        /* 1-based average rank = less + (equal + 1) / 2 */
        RTM_CHECK_NEAR(v[i], (less + (equal + 1) / 2 - 1) / (n - 1), 1e-12);
    }
}

static void test_none_and_bad(void)
{
    double v[3] = {1, INFINITY, -2};
    rtm_error e;
    RTM_CHECK(rtm_jr_normalise(v, NULL, 3, RTM_NORM_NONE, &e) == 0);
    RTM_CHECK_NEAR(v[0], 1, 0);
    RTM_CHECK(isnan(v[1]));
    RTM_CHECK_NEAR(v[2], -2, 0);
    RTM_CHECK(rtm_jr_normalise(v, NULL, 3, (rtm_normalise)42, &e) == RTM_ERR_ARG);
}

int main(void)
{
    RTM_RUN(test_minmax);
    RTM_RUN(test_constant);
    RTM_RUN(test_zscore);
    RTM_RUN(test_rank_hand);
    RTM_RUN(test_rank_brute);
    RTM_RUN(test_none_and_bad);
    return RTM_TEST_END();
}
