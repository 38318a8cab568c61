/* test_classify.c: class breaks against hand-computed values (R's quantile()
 * type 7 for quantiles, closed forms for the others, brute force for Jenks). */
#include "rtm/output.h"
#include "rtm_test.h"

/* 1..10 as present cells, plus a zero, a NaN and a masked-out 100. */
static const double V[] = {3, 1, 0, 10, 2, 100, 9, 4, NAN, 8, 5, 7, 6};
static const unsigned char M[] = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1};
#define NV (sizeof V / sizeof V[0])

static void check_breaks(const double *got, const double *want, int n, double tol)
{
    for (int i = 0; i <= n; i++)
        RTM_CHECK_NEAR(got[i], want[i], tol);
}

static void test_quantile(void)
{
    /* R: quantile(1:10, c(.25, .5, .75)) = 3.25 5.50 7.75 */
    double b[5], want[] = {1, 3.25, 5.5, 7.75, 10};
    rtm_error e;
    RTM_CHECK(rtm_classify(V, M, NV, RTM_CLASS_QUANTILE, 4, b, &e) == 0);
    check_breaks(b, want, 4, 1e-12);
    /* R: quantile(c(1, 2, 4, 8, 16), 1/3) = 2 + (4/3 - 1) * 2 = 2.666667 */
    double w[] = {16, 8, 4, 2, 1}, b3[4];
    RTM_CHECK(rtm_classify(w, NULL, 5, RTM_CLASS_QUANTILE, 3, b3, &e) == 0);
    RTM_CHECK_NEAR(b3[1], 2.0 + 2.0 / 3.0, 1e-12);
    RTM_CHECK_NEAR(b3[2], 4.0 + (2.0 / 3.0) * 4.0, 1e-12); /* h = 8/3: 4 + (2/3)(8 - 4) */
}

static void test_equal(void)
{
    double b[4], want[] = {1, 4, 7, 10};
    rtm_error e;
    RTM_CHECK(rtm_classify(V, M, NV, RTM_CLASS_EQUAL, 3, b, &e) == 0);
    check_breaks(b, want, 3, 1e-12);
}

static void test_stddev(void)
{
    /* 1..10: mean 5.5, population variance (n^2 - 1)/12 = 8.25 */
    double sd = sqrt(8.25), b[5];
    double want[] = {1, 5.5, 5.5 + sd, 10, 10}; /* mean + 2 SD = 11.24 > max: clamped */
    rtm_error e;
    RTM_CHECK(rtm_classify(V, M, NV, RTM_CLASS_STDDEV, 4, b, &e) == 0);
    check_breaks(b, want, 4, 1e-12);
}

static void test_mean_mult(void)
{
    /* sum 60 over 10 cells: mean 6; thresholds 6, 12, (24 > 23 clamped) */
    double x[] = {1, 1, 1, 1, 2, 3, 4, 8, 16, 23, 0, 0}, b[5];
    double want[] = {1, 6, 12, 23, 23};
    rtm_error e;
    RTM_CHECK(rtm_classify(x, NULL, 12, RTM_CLASS_MEAN_MULT, 4, b, &e) == 0);
    check_breaks(b, want, 4, 1e-12);
    double neg[] = {-1, -2, 0.5};
    RTM_CHECK(rtm_classify(neg, NULL, 3, RTM_CLASS_MEAN_MULT, 3, b, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "mean") != NULL);
}

/* Within-class sum of squares of sorted x split at ends (exclusive). */
static double wss(const double *x, const int *ends, int k)
{
    double t = 0;
    int s = 0;
    for (int g = 0; g < k; g++) {
        double m = 0;
        for (int i = s; i < ends[g]; i++)
            m += x[i];
        m /= ends[g] - s;
        for (int i = s; i < ends[g]; i++)
            t += (x[i] - m) * (x[i] - m);
        s = ends[g];
    }
    return t;
}

static void test_natural(void)
{
    double x[] = {22, 1, 11, 2, 20, 3, 12, 10, 21}, b[4], want[] = {1, 3, 12, 22};
    rtm_error e;
    RTM_CHECK(rtm_classify(x, NULL, 9, RTM_CLASS_NATURAL, 3, b, &e) == 0);
    check_breaks(b, want, 3, 0);
    /* brute force over every 3-class split of 9 uneven sorted values */
    double y[] = {0.5, 0.9, 1.4, 2.8, 3.0, 3.3, 7.1, 7.9, 12.0};
    double best = INFINITY;
    int bi = 0, bj = 0;
    for (int i = 1; i < 9; i++)
        for (int j = i + 1; j < 9; j++) {
            int ends[3] = {i, j, 9};
            double t = wss(y, ends, 3);
            if (t < best) {
                best = t;
                bi = i;
                bj = j;
            }
        }
    RTM_CHECK(rtm_classify(y, NULL, 9, RTM_CLASS_NATURAL, 3, b, &e) == 0);
    RTM_CHECK_NEAR(b[1], y[bi - 1], 0);
    RTM_CHECK_NEAR(b[2], y[bj - 1], 0);
}

static void test_natural_large(void)
{
    /* 9000 values in three separated clusters (1..2, 10..11, 30..31): the
     * sub-sampled optimum must split between the clusters */
    enum { N = 9000 };
    double *x = malloc(N * sizeof *x), b[4];
    rtm_error e;
    for (int i = 0; i < N; i++)
        x[i] = (i % 3 == 0 ? 1 : i % 3 == 1 ? 10 : 30) + (double)((i * 7919) % 1000) / 1000;
    RTM_CHECK(rtm_classify(x, NULL, N, RTM_CLASS_NATURAL, 3, b, &e) == 0);
    RTM_CHECK(b[1] >= 1.999 - 1e-9 && b[1] < 10);
    RTM_CHECK(b[2] >= 10.999 - 1e-9 && b[2] < 30);
    RTM_CHECK_NEAR(b[0], 1, 0);
    RTM_CHECK_NEAR(b[3], 30.999, 1e-12);
    free(x);
}

static void test_index(void)
{
    double b[] = {1, 3.25, 5.5, 7.75, 10};
    RTM_CHECK(rtm_class_index(0.5, b, 4) == 0);
    RTM_CHECK(rtm_class_index(3.25, b, 4) == 0); /* upper bound inclusive */
    RTM_CHECK(rtm_class_index(3.26, b, 4) == 1);
    RTM_CHECK(rtm_class_index(7.75, b, 4) == 2);
    RTM_CHECK(rtm_class_index(10, b, 4) == 3);
    RTM_CHECK(rtm_class_index(11, b, 4) == 3);
}

static void test_errors(void)
{
    double b[40], z[] = {0, 0, 0};
    rtm_error e;
    rtm_class_method m;
    RTM_CHECK(rtm_classify(V, M, NV, RTM_CLASS_QUANTILE, 0, b, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_classify(V, M, NV, RTM_CLASS_QUANTILE, 33, b, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_classify(z, NULL, 3, RTM_CLASS_EQUAL, 3, b, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_class_method_parse("Jenks", &m, &e) == 0 && m == RTM_CLASS_NATURAL);
    RTM_CHECK(rtm_class_method_parse("mean-multiple", &m, &e) == 0 && m == RTM_CLASS_MEAN_MULT);
    RTM_CHECK(rtm_class_method_parse("mean", &m, &e) == 0 && m == RTM_CLASS_MEAN_MULT);
    RTM_CHECK(rtm_class_method_parse("bogus", &m, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "'bogus'") != NULL);
    RTM_CHECK(strcmp(rtm_class_method_name(RTM_CLASS_STDDEV), "stddev") == 0);
}

int main(void)
{
    RTM_RUN(test_quantile);
    RTM_RUN(test_equal);
    RTM_RUN(test_stddev);
    RTM_RUN(test_mean_mult);
    RTM_RUN(test_natural);
    RTM_RUN(test_natural_large);
    RTM_RUN(test_index);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
