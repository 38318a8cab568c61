/* rtm_backtest.h: the rolling-origin temporal back-test of prediction surfaces.
 *
 * Events carry their month (YYYYMM, rtm_points.month). Over consecutive
 * months m_1..m_M (a range "2018-01..2018-05"), step s = 1..M-k trains on
 * months m_1..m_{k+s-1} (an expanding window; or only the last `window`
 * of them when window > 0: a sliding window) and tests on month m_{k+s},
 * k = min_train >= 1. This is "rolling-origin" evaluation (Tashman 2000,
 * International Journal of Forecasting 16(4) 437-450, "Out-of-sample tests
 * of forecasting accuracy"): each test month lies strictly after every
 * training month, so no step sees its own future.
 *
 * The library part is the plan (which months each step uses) and, per
 * step, the training and test counts per grid cell and the indices of the
 * training points (for surfaces such as KDE that need the points). The
 * caller builds surfaces from them and evaluates them (rtm_evaluate.h).
 * Every function is re-entrant and shares no state.
 */
#ifndef RTM_BACKTEST_H
#define RTM_BACKTEST_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One back-test step: train on months [train_from, train_to], test on
 *  test_month (all YYYYMM, inclusive; train_to < test_month). */
typedef struct rtm_backtest_step {
    int train_from, train_to;
    int test_month;
} rtm_backtest_step;

/** Month arithmetic on YYYYMM values: the month `delta` months after m
 *  (delta may be negative). m must be a valid YYYYMM (month 1..12). */
int rtm_month_add(int m, int delta);

/** Number of months from `from` to `to` inclusive (to - from in months,
 *  plus 1); <= 0 when to < from. */
int rtm_month_count(int from, int to);

/** Back-test options: call rtm_backtest_opts_init, then set fields. */
typedef struct rtm_backtest_opts {
    int min_train; /**< training months of the first step, >= 1; default 1 */
    int window;    /**< 0 = expanding window (default); > 0 (>= min_train) = train
                        on the last `window` months only (sliding window) */
} rtm_backtest_opts;

/** Set the defaults: min_train 1, window 0 (expanding). */
void rtm_backtest_opts_init(rtm_backtest_opts *o);

/** Plan the steps over months from..to (YYYYMM, inclusive) with options o
 *  (NULL = defaults). *steps (malloc'd, caller frees) receives
 *  *nsteps = M - min_train entries, M = rtm_month_count(from, to), in time
 *  order. Returns 0, or RTM_ERR_ARG (invalid month, to < from,
 *  min_train < 1, window in 1..min_train-1 or negative, or M <= min_train:
 *  no month left to test; the message says which) or RTM_ERR_NOMEM.
 *  Outputs are set only on success. */
int rtm_backtest_plan(int from, int to, const rtm_backtest_opts *o, rtm_backtest_step **steps,
                      size_t *nsteps, rtm_error *err);

/** Per-step counts of n points (x, y, optional weights w (NULL = 1), month
 *  YYYYMM per point) on grid g: train[k] / test[k] (caller-allocated,
 *  ncells each, zeroed here) receive the weight of the points in cell k
 *  whose month lies in [s->train_from, s->train_to] / equals s->test_month.
 *  Points outside the grid, or with month 0 (unknown), count nowhere. Either
 *  output may be NULL. *ntrain / *ntest (may be NULL) receive the number of
 *  points counted. Returns 0 or RTM_ERR_ARG (NULL grid, step, or x/y/month
 *  with n > 0). */
int rtm_backtest_counts(const rtm_grid *g, const double *x, const double *y, const double *w,
                        const int *month, size_t n, const rtm_backtest_step *s, double *train,
                        double *test, size_t *ntrain, size_t *ntest, rtm_error *err);

/** Indices of the training points of step s (month in [train_from,
 *  train_to]), ascending, into idx (caller-allocated, n entries). Returns
 *  their number. */
size_t rtm_backtest_train_index(const int *month, size_t n, const rtm_backtest_step *s,
                                size_t *idx);

#ifdef __cplusplus
}
#endif
#endif
