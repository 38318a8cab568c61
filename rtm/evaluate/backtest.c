/* backtest.c: rolling-origin back-test plan and per-step counts
 * (definitions in rtm/evaluate.h). */
#include "rtm/evaluate.h"

#include <stdlib.h>
#include <string.h>

static int month_valid(int m)
{
    return m > 0 && m % 100 >= 1 && m % 100 <= 12;
}

int rtm_month_add(int m, int delta)
{
    int idx = (m / 100) * 12 + (m % 100 - 1) + delta; /* months since year 0 */
    int y = idx >= 0 ? idx / 12 : -((11 - idx) / 12);
    return y * 100 + (idx - y * 12) + 1;
}

int rtm_month_count(int from, int to)
{
    return ((to / 100) * 12 + to % 100) - ((from / 100) * 12 + from % 100) + 1;
}

static int plan_check(int from, int to, int min_train, int window, int M, rtm_error *err)
{
    if (!month_valid(from) || !month_valid(to))
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: invalid month range %d..%d (YYYYMM)",
                             from, to);
    if (M < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: month range ends before it starts "
                             "(%04d-%02d..%04d-%02d)", from / 100, from % 100, to / 100, to % 100);
    if (min_train < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: min_train must be >= 1 (got %d)",
                             min_train);
    if (window < 0 || (window > 0 && window < min_train))
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: window must be 0 (expanding) or >= "
                             "min_train %d (got %d)", min_train, window);
    if (M <= min_train)
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: %d month(s) leave no month to test "
                             "after %d training month(s)", M, min_train);
    return 0;
}

void rtm_backtest_opts_init(rtm_backtest_opts *o)
{
    o->min_train = 1;
    o->window = 0;
}

int rtm_backtest_plan(int from, int to, const rtm_backtest_opts *o, rtm_backtest_step **steps,
                      size_t *nsteps, rtm_error *err)
{
    rtm_backtest_opts d;
    int M = month_valid(from) && month_valid(to) ? rtm_month_count(from, to) : 0;
    int min_train, window, rc;
    rtm_backtest_step *s;
    if (!o) {
        rtm_backtest_opts_init(&d);
        o = &d;
    }
    min_train = o->min_train;
    window = o->window;
    if (!steps || !nsteps)
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: NULL output");
    rc = plan_check(from, to, min_train, window, M, err);
    if (rc)
        return rc;
    s = malloc((size_t)(M - min_train) * sizeof *s);
    if (!s)
        return rtm_error_set(err, RTM_ERR_NOMEM, "backtest: out of memory");
    for (int t = 0; t < M - min_train; t++) {
        int ntrain = min_train + t; /* months 0 .. ntrain-1 train, month ntrain tests */
        int first = window > 0 && ntrain > window ? ntrain - window : 0;
        s[t].train_from = rtm_month_add(from, first);
        s[t].train_to = rtm_month_add(from, ntrain - 1);
        s[t].test_month = rtm_month_add(from, ntrain);
    }
    *steps = s;
    *nsteps = (size_t)(M - min_train);
    return 0;
}

int rtm_backtest_counts(const rtm_grid *g, const double *x, const double *y, const double *w,
                        const int *month, size_t n, const rtm_backtest_step *s, double *train,
                        double *test, size_t *ntrain, size_t *ntest, rtm_error *err)
{
    size_t nc, a = 0, b = 0;
    if (!g || !s || (n > 0 && (!x || !y || !month)))
        return rtm_error_set(err, RTM_ERR_ARG, "backtest: NULL grid, step or points");
    nc = rtm_grid_ncells(g);
    if (train)
        memset(train, 0, nc * sizeof *train);
    if (test)
        memset(test, 0, nc * sizeof *test);
    for (size_t p = 0; p < n; p++) {
        int m = month[p], i, j, in_train, in_test;
        size_t k;
        in_train = m != 0 && m >= s->train_from && m <= s->train_to;
        in_test = m != 0 && m == s->test_month;
        if ((!in_train && !in_test) || rtm_grid_locate(g, x[p], y[p], &i, &j))
            continue;
        k = (size_t)i * (size_t)g->ncols + (size_t)j;
        if (in_train) {
            a++;
            if (train)
                train[k] += w ? w[p] : 1.0;
        }
        if (in_test) {
            b++;
            if (test)
                test[k] += w ? w[p] : 1.0;
        }
    }
    if (ntrain)
        *ntrain = a;
    if (ntest)
        *ntest = b;
    return 0;
}

size_t rtm_backtest_train_index(const int *month, size_t n, const rtm_backtest_step *s,
                                size_t *idx)
{
    size_t m = 0;
    for (size_t p = 0; p < n; p++)
        if (month[p] != 0 && month[p] >= s->train_from && month[p] <= s->train_to)
            idx[m++] = p;
    return m;
}
