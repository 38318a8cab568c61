/* test_backtest.c: rolling-origin plan and per-step counts against a
 * hand-built case and a brute-force recount. */
#include <stdlib.h>
#include "rtm/evaluate.h"
#include "rtm_test.h"

/* rtm_backtest_plan with the given min_train and window */
static int plan(int from, int to, int min_train, int window, rtm_backtest_step **s, size_t *n,
                rtm_error *e)
{
    rtm_backtest_opts o;
    rtm_backtest_opts_init(&o);
    o.min_train = min_train;
    o.window = window;
    return rtm_backtest_plan(from, to, &o, s, n, e);
}

static void test_month_arith(void)
{
    RTM_CHECK(rtm_month_add(201801, 1) == 201802);
    RTM_CHECK(rtm_month_add(201812, 1) == 201901);
    RTM_CHECK(rtm_month_add(201801, -1) == 201712);
    RTM_CHECK(rtm_month_add(201811, 14) == 202001);
    RTM_CHECK(rtm_month_count(201801, 201805) == 5);
    RTM_CHECK(rtm_month_count(201711, 201802) == 4);
    RTM_CHECK(rtm_month_count(201802, 201801) <= 0);
}

/* 2018-01..2018-05, min_train 1: train 01 test 02; 01..02 test 03; ... */
static void test_plan_expanding(void)
{
    rtm_backtest_step *s = NULL;
    size_t n = 0;
    rtm_error e;
    static const int want[4][3] = {{201801, 201801, 201802}, {201801, 201802, 201803},
                                   {201801, 201803, 201804}, {201801, 201804, 201805}};
    RTM_CHECK(plan(201801, 201805, 1, 0, &s, &n, &e) == 0);
    RTM_CHECK(n == 4);
    for (size_t t = 0; t < n && t < 4; t++) {
        RTM_CHECK(s[t].train_from == want[t][0]);
        RTM_CHECK(s[t].train_to == want[t][1]);
        RTM_CHECK(s[t].test_month == want[t][2]);
    }
    free(s);
}

/* Across a year end, min_train 2, sliding window of 2 months. */
static void test_plan_sliding(void)
{
    rtm_backtest_step *s = NULL;
    size_t n = 0;
    rtm_error e;
    static const int want[3][3] = {{201710, 201711, 201712}, {201711, 201712, 201801},
                                   {201712, 201801, 201802}};
    RTM_CHECK(plan(201710, 201802, 2, 2, &s, &n, &e) == 0);
    RTM_CHECK(n == 3);
    for (size_t t = 0; t < n && t < 3; t++) {
        RTM_CHECK(s[t].train_from == want[t][0]);
        RTM_CHECK(s[t].train_to == want[t][1]);
        RTM_CHECK(s[t].test_month == want[t][2]);
    }
    free(s);
}

static void test_plan_errors(void)
{
    rtm_backtest_step *s = NULL;
    size_t n = 99;
    rtm_error e;
    RTM_CHECK(plan(201801, 201801, 1, 0, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "no month left") != NULL || strstr(e.msg, "no month to test") != NULL);
    RTM_CHECK(plan(201805, 201801, 1, 0, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(plan(201801, 201813, 1, 0, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(plan(201801, 201805, 0, 0, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(plan(201801, 201805, 3, 2, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(plan(201801, 201803, 3, 0, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(plan(201801, 201805, 1, -1, &s, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(s == NULL && n == 99);
    /* NULL options: the defaults (min_train 1, expanding) */
    RTM_CHECK(rtm_backtest_plan(201801, 201803, NULL, &s, &n, &e) == 0);
    RTM_CHECK(n == 2 && s[1].train_from == 201801 && s[1].train_to == 201802 &&
              s[1].test_month == 201803);
    free(s);
}

/* A 2 x 3 grid of 10-unit cells from (0,0); cells (row, col):
 *   (0,0) (0,1) (0,2)   y in [10,20)
 *   (1,0) (1,1) (1,2)   y in [0,10)
 * Points (x, y, weight, month), counted by hand below. */
static void test_counts_hand(void)
{
    rtm_grid g = {0, 0, 10, 3, 2, ""};
    static const double x[] = {5, 5, 15, 25, 25, 25, 15, 35, 5};
    static const double y[] = {15, 15, 5, 5, 15, 15, 15, 5, 5};
    static const double w[] = {1, 2, 1, 1, 3, 1, 1, 1, 1};
    static const int mon[] = {201801, 201802, 201802, 201803, 201803, 201804, 0, 201802, 201712};
    rtm_backtest_step s = {201801, 201802, 201803};
    double tr[6], te[6];
    size_t ntr = 0, nte = 0, idx[9];
    rtm_error e;
    /* train (01..02): point 0 -> cell 0 (w 1), point 1 -> cell 0 (w 2),
     * point 2 -> cell 4 (w 1); point 7 is outside the grid (x = 35);
     * point 6 has no month, point 8 is before the window.
     * test (03): point 3 -> cell 5 (w 1), point 4 -> cell 2 (w 3). */
    static const double want_tr[6] = {3, 0, 0, 0, 1, 0};
    static const double want_te[6] = {0, 0, 3, 0, 0, 1};
    RTM_CHECK(rtm_backtest_counts(&g, x, y, w, mon, 9, &s, tr, te, &ntr, &nte, &e) == 0);
    for (int k = 0; k < 6; k++) {
        RTM_CHECK_NEAR(tr[k], want_tr[k], 0);
        RTM_CHECK_NEAR(te[k], want_te[k], 0);
    }
    RTM_CHECK(ntr == 3 && nte == 2);
    /* unweighted */
    RTM_CHECK(rtm_backtest_counts(&g, x, y, NULL, mon, 9, &s, tr, te, NULL, NULL, &e) == 0);
    RTM_CHECK_NEAR(tr[0], 2, 0);
    RTM_CHECK_NEAR(te[2], 1, 0);
    /* training indices include the point outside the grid (KDE may use it) */
    RTM_CHECK(rtm_backtest_train_index(mon, 9, &s, idx) == 4);
    RTM_CHECK(idx[0] == 0 && idx[1] == 1 && idx[2] == 2 && idx[3] == 7);
    RTM_CHECK(rtm_backtest_counts(NULL, x, y, w, mon, 9, &s, tr, te, NULL, NULL, &e) ==
              RTM_ERR_ARG);
}

/* Random points over every step of a plan, recounted by brute force with
 * explicit cell arithmetic. */
static void test_counts_brute(void)
{
    enum { NP = 5000 };
    rtm_grid g = {1000, 2000, 25, 17, 11, ""};
    double *x = malloc(NP * sizeof *x), *y = malloc(NP * sizeof *y), tr[17 * 11], te[17 * 11];
    int *mon = malloc(NP * sizeof *mon);
    rtm_backtest_step *s = NULL;
    size_t n = 0;
    unsigned u = 7;
    rtm_error e;
    for (int p = 0; p < NP; p++) {
        u = u * 1103515245u + 12345u;
        x[p] = 990 + (u >> 8) % 45000 / 100.0; /* some outside */
        u = u * 1103515245u + 12345u;
        y[p] = 1990 + (u >> 8) % 30000 / 100.0;
        u = u * 1103515245u + 12345u;
        mon[p] = (u >> 8) % 9 == 0 ? 0 : rtm_month_add(201710, (int)((u >> 12) % 8));
    }
    RTM_CHECK(plan(201710, 201805, 2, 0, &s, &n, &e) == 0);
    RTM_CHECK(n == 6);
    for (size_t t = 0; t < n; t++) {
        double btr[17 * 11] = {0}, bte[17 * 11] = {0};
        RTM_CHECK(rtm_backtest_counts(&g, x, y, NULL, mon, NP, &s[t], tr, te, NULL, NULL, &e) == 0);
        for (int p = 0; p < NP; p++) {
            double cx = (x[p] - 1000) / 25, cy = (2000 + 11 * 25 - y[p]) / 25;
            int j = (int)floor(cx), i = (int)floor(cy);
            if (cx < 0 || cy < 0 || j >= 17 || i >= 11 || mon[p] == 0)
                continue;
            /* months compared as counts from year 0 */
            int mm = (mon[p] / 100) * 12 + mon[p] % 100;
            int a = (s[t].train_from / 100) * 12 + s[t].train_from % 100;
            int b = (s[t].train_to / 100) * 12 + s[t].train_to % 100;
            int c = (s[t].test_month / 100) * 12 + s[t].test_month % 100;
            if (mm >= a && mm <= b)
                btr[i * 17 + j] += 1;
            if (mm == c)
                bte[i * 17 + j] += 1;
        }
        for (int k = 0; k < 17 * 11; k++) {
            RTM_CHECK_NEAR(tr[k], btr[k], 0);
            RTM_CHECK_NEAR(te[k], bte[k], 0);
        }
    }
    free(s), free(x), free(y), free(mon);
}

int main(void)
{
    RTM_RUN(test_month_arith);
    RTM_RUN(test_plan_expanding);
    RTM_RUN(test_plan_sliding);
    RTM_RUN(test_plan_errors);
    RTM_RUN(test_counts_hand);
    RTM_RUN(test_counts_brute);
    return RTM_TEST_END();
}
