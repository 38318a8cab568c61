/* rtm/evaluate.h: how well surfaces predict: hit rate, PAI, PEI, concentration, back-tests.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_EVALUATE_H
#define RTM_EVALUATE_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== evaluate: evaluation of a prediction surface against later events.
 *
 * Definitions (kde-reference.md, "Evaluation of a surface against later
 * events"): n = test events in the flagged cells, N = all test events inside
 * the study area, a = flagged area, A = study area (inside cells; every cell
 * has the same area, so areas are counted in cells).
 *   hit rate = n/N;  PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008);
 *   PEI = n/n*, n* = events in the best possible cells of the same area, i.e.
 *   the top cells ranked by the test counts themselves (Hunt 2016);
 *   AUC = area under the hit-rate curve (hit rate against a/A), 0.5 = random;
 *   RRI = Levine's recapture rate index (Levine 2008, Security Journal 21,
 *   "The 'hottest' part of a hotspot"): the period-to-period ratio
 *   (n2/N2)/(n1/N1), n1 and N1 being the *training* (earlier) events in the
 *   flagged area and in total, n2 and N2 the test events. It needs the training
 *   counts per cell (rtm_eval_curve_ex); it is NaN without them. The other
 *   ratio in use, predicted / observed events in the flagged area, is reported
 *   separately as pred_obs (meaningful when the surface is in expected events
 *   per cell for the test period).
 *
 * Ranking and ties: inside cells are sorted by predicted value, descending,
 * with a stable sort on (value desc, cell index asc). Cells with equal
 * predicted value form one tie block, which is flagged all or nothing as far
 * as the ranking goes; when the requested area ends inside a block, the block
 * is credited pro rata: expected hits = block hits x fraction of the block's
 * cells flagged (the expected value over every order of the tied cells, so the
 * result does not depend on cell order). The curve is therefore piecewise
 * linear between block boundaries. Predictions that are NaN rank after every
 * other value (one block, last); they still count in A. -0 and +0 tie.
 * n* uses the same pro-rata rule on the blocks of equal test counts.
 * Cells outside the mask are ignored entirely (their events are not in N).
 *
 * Sizes: ncells <= UINT32_MAX. Sorting is a radix sort (linear time): a
 * 16-bit most-significant-digit split, then an LSD sort per bucket. Memory:
 * about 24 bytes per inside cell of scratch during the call, and the curve
 * keeps 5 doubles per distinct predicted value (6 with training counts) plus
 * 2 per distinct test count. The surface's curve and the best curve are
 * built side by side on two OpenMP threads; the result does not depend on it.
 * All functions are re-entrant: they share no state; a curve may be read from
 * several threads at once.
 */
/** Curve / metric flags. */
enum {
    RTM_EVAL_NO_EVENTS = 1,  /**< N == 0: hit rate, PAI, PEI, AUC are NaN */
    RTM_EVAL_EMPTY_AREA = 2, /**< A == 0 (empty mask): every metric is NaN */
    RTM_EVAL_NO_TRAIN = 4    /**< no training counts (or none inside): RRI is NaN */
};

/** Default area coverages for the report table: 1, 2, 5, 10, 20 %. */
#define RTM_EVAL_NDEFAULT 5
extern const double rtm_eval_default_coverages[RTM_EVAL_NDEFAULT];

/** The hit-rate curve of a surface (piecewise linear between its points).
 *  Point k (0 <= k < npts) is the state after flagging the first k tie
 *  blocks; point 0 is the origin, point npts-1 has every inside cell flagged.
 *  Created by rtm_eval_curve / rtm_eval_curve_ex, freed by
 *  rtm_eval_curve_free; the caller owns it and may read every field. */
typedef struct rtm_eval_curve {
    size_t npts;        /**< tie blocks + 1 (1 when A == 0) */
    double *cells;      /**< [npts] cumulative flagged inside cells (cells[0] = 0, last = A) */
    double *events;     /**< [npts] cumulative test events n */
    double *train;      /**< [npts] cumulative training events, NULL without training counts */
    double *pred;       /**< [npts] cumulative predicted value (NaN predictions add 0) */
    double *threshold;  /**< [npts] threshold[k], k >= 1: predicted value of block k
                             (between points k-1 and k); threshold[0] = +inf */
    size_t best_npts;   /**< points of the best possible curve (ranked by test counts) */
    double *best_cells; /**< [best_npts] cumulative cells of the best curve */
    double *best_events;/**< [best_npts] cumulative events of the best curve (n*) */
    double area;        /**< A: number of inside cells */
    double total;       /**< N: test events in inside cells */
    double total_train; /**< N1: training events in inside cells (0 without) */
    double total_pred;  /**< sum of finite predictions in inside cells */
    int flags;          /**< RTM_EVAL_* flags */
} rtm_eval_curve_t;

/** Metrics at one area coverage. Undefined values are NaN (see flags). */
typedef struct rtm_eval_metrics {
    double coverage;    /**< requested area fraction a/A, in (0, 1] */
    double cells;       /**< a = coverage x A, in cells (may be fractional) */
    double events;      /**< n: test events in the flagged area (pro rata) */
    double hit_rate;    /**< n/N */
    double pai;         /**< (n/N)/(a/A) */
    double best_events; /**< n*: events in the best cells of the same area */
    double pei;         /**< n/n* (NaN when n* == 0) */
    double rri;         /**< Levine's (n/N)/(n1/N1); NaN without training counts or n1 == 0 */
    double pred_obs;    /**< predicted / observed events in the flagged area (NaN when n == 0) */
    double threshold;   /**< predicted value of the lowest block flagged (partly or fully) */
    int flags;          /**< RTM_EVAL_* flags of the curve */
} rtm_eval_metrics;

/** Rank the inside cells of v by value, descending; ties by cell index
 *  ascending; NaN values last (-0 and +0 tie). order (caller-allocated,
 *  ncells entries) receives the inside cell indices in rank order, *norder
 *  their number. mask may be NULL (all inside). Returns 0, or RTM_ERR_ARG
 *  (ncells > UINT32_MAX), RTM_ERR_NOMEM. Thread-safe. */
int rtm_rank_desc(const double *v, const unsigned char *mask, size_t ncells,
                  uint32_t *order, size_t *norder, rtm_error *err);

/** Build the hit-rate curve of surface pred against test-event counts.
 *  pred: ncells predicted values (any double; NaN ranks last).
 *  counts: ncells test events per cell (finite, >= 0 inside the mask).
 *  mask: ncells flags (non-zero = inside) or NULL for all inside.
 *  *out receives a new curve (free with rtm_eval_curve_free), set only on
 *  success. N == 0 or an empty mask is not an error: the curve carries
 *  RTM_EVAL_NO_EVENTS / RTM_EVAL_EMPTY_AREA and its metrics are NaN.
 *  Returns 0, RTM_ERR_INPUT (negative or non-finite count, naming the cell),
 *  RTM_ERR_ARG (NULL array, ncells > UINT32_MAX) or RTM_ERR_NOMEM. */
int rtm_eval_curve(const double *pred, const double *counts, const unsigned char *mask,
                   size_t ncells, rtm_eval_curve_t **out, rtm_error *err);

/** As rtm_eval_curve, with training-period counts per cell (train may be
 *  NULL) so that Levine's RRI can be computed. */
int rtm_eval_curve_ex(const double *pred, const double *counts, const double *train,
                      const unsigned char *mask, size_t ncells, rtm_eval_curve_t **out,
                      rtm_error *err);

/** Free a curve (NULL is a no-op). */
void rtm_eval_curve_free(rtm_eval_curve_t *c);

/** Metrics at area coverage `coverage` (fraction of A, 0 < coverage <= 1).
 *  Fills *m. Returns 0 or RTM_ERR_ARG (coverage out of range). */
int rtm_eval_at(const rtm_eval_curve_t *c, double coverage, rtm_eval_metrics *m,
                rtm_error *err);

/** Metrics at n coverages (e.g. rtm_eval_default_coverages) into out[n]. */
int rtm_eval_at_many(const rtm_eval_curve_t *c, const double *coverages, size_t n,
                     rtm_eval_metrics *out, rtm_error *err);

/** Sample the curves at nsamples evenly spaced coverages k/nsamples,
 *  k = 1..nsamples (e.g. 100 or 1000), into out[nsamples] (for plots/CSV). */
int rtm_eval_sample(const rtm_eval_curve_t *c, size_t nsamples, rtm_eval_metrics *out,
                    rtm_error *err);

/** Area under the hit-rate curve (hit rate against area fraction), by the
 *  trapezoid rule on the exact piecewise-linear curve; 0.5 for a random
 *  (all tied) surface, 1 at best. NaN when N == 0 or A == 0. */
double rtm_eval_auc(const rtm_eval_curve_t *c);

/** Cumulative events at `cells` flagged cells on a piecewise-linear curve
 *  (x strictly increasing, x[0] = 0, npts >= 1): linear interpolation, the
 *  pro-rata rule; clamps to [x[0], x[npts-1]]. Exposed for the concentration
 *  module and tests. */
double rtm_eval_interp(const double *x, const double *y, size_t npts, double cells);

/* ==== concentration: how concentrated events are over cells (Lorenz curve,
 * Gini coefficient, "share of events in the top x % of area", "area holding
 * y % of events"), for the whole study area or per zone.
 *
 * Lorenz curve, in the crime-and-place orientation: cells ranked by their
 * event count, highest first; L(a) = share of events in the top fraction a of
 * the cells. Cells with equal counts form one tie block, credited pro rata
 * inside the block (as in rtm/evaluate.h), so L is piecewise linear and
 * concave; L(0) = 0, L(1) = 1.
 *
 * Gini coefficient of the n cell counts x (Gini 1912; the rank form of e.g.
 * Damgaard & Weiner 2000, Ecology 81(4) 1139-1142), with x_(i) sorted
 * descending, i = 1..n, N = sum x:
 *     G = (n + 1)/n - 2 sum_i i x_(i) / (n N)
 * which equals sum_i sum_j |x_i - x_j| / (2 n^2 xbar) and 2 int_0^1 L(a) da - 1.
 * All events in one of n cells give G = (n - 1)/n; equal counts give 0.
 * Reported variants:
 *  - gini: G above (the population form; not sample-corrected);
 *  - gini_unbiased: G n/(n - 1), the small-sample correction (as
 *    R DescTools::Gini(unbiased = TRUE)); 1 for all events in one cell;
 *  - gini_generalized: Bernasco & Steenbeek (2017), "More places than
 *    crimes", J. Quant. Criminol. 33(3) 451-467, for sparse counts (N < n):
 *    G' = max(1, n/N) (G - 1) + 1, which compares with maximal equality
 *    given N events (N cells with one event) instead of perfect equality;
 *    equals G when N >= n (as R lorenzgini::gini(unbiased = FALSE)).
 *
 * Counts must be finite and >= 0 (events per cell; weights allowed).
 * Functions are re-entrant; a Lorenz object may be read from several
 * threads. ncells <= UINT32_MAX.
 */
/** A Lorenz curve: point k is after the first k tie blocks (piecewise linear
 *  between points). Owned by the caller; free with rtm_lorenz_free. */
typedef struct rtm_lorenz {
    size_t npts;         /**< tie blocks + 1 (1 when there are no cells) */
    double *cells;       /**< [npts] cumulative cells (cells[0] = 0, last = total_cells) */
    double *events;      /**< [npts] cumulative events */
    double total_cells;  /**< n: cells inside the mask */
    double total_events; /**< N: events in those cells */
} rtm_lorenz;

/** Gini coefficients of a set of cells (see the header comment). NaN when
 *  undefined: N == 0 or n == 0 (all three), n == 1 (unbiased). */
typedef struct rtm_gini_t {
    double n;                /**< cells */
    double total;            /**< N: events */
    double gini;             /**< G, population form */
    double gini_unbiased;    /**< G n/(n-1) */
    double gini_generalized; /**< Bernasco & Steenbeek (2017) G' */
} rtm_gini_t;

/** Concentration results for one zone. */
typedef struct rtm_conc_zone {
    int zone;          /**< zone id */
    size_t cells;      /**< cells in the zone */
    double events;     /**< events in the zone */
    rtm_gini_t gini;   /**< Gini coefficients of the zone's cells */
    double top_share;  /**< share of the zone's events in its top `top_area` of cells */
    double area_for;   /**< smallest area fraction of the zone holding `event_share` of its events */
} rtm_conc_zone;

/** Build the Lorenz curve of counts over the inside cells (mask may be
 *  NULL). *out is set only on success. Returns 0, RTM_ERR_INPUT (negative or
 *  non-finite count, naming the cell), RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_lorenz_create(const double *counts, const unsigned char *mask, size_t ncells,
                      rtm_lorenz **out, rtm_error *err);

/** Free a Lorenz curve (NULL is a no-op). */
void rtm_lorenz_free(rtm_lorenz *l);

/** L(area_frac): share of events in the top area_frac (0..1) of the cells,
 *  pro rata within ties; NaN when N == 0 or n == 0 or area_frac outside [0, 1]. */
double rtm_lorenz_top_share(const rtm_lorenz *l, double area_frac);

/** Smallest area fraction a with L(a) >= event_frac (0..1): "y % of events
 *  lie in a of the area". NaN when N == 0, n == 0 or event_frac outside [0, 1]. */
double rtm_lorenz_area_for(const rtm_lorenz *l, double event_frac);

/** Gini coefficients of the inside cells' counts into *out. Returns 0,
 *  RTM_ERR_INPUT (bad count) or RTM_ERR_ARG / RTM_ERR_NOMEM. */
int rtm_gini(const double *counts, const unsigned char *mask, size_t ncells, rtm_gini_t *out,
             rtm_error *err);

/** Per-zone concentration: zone[k] in [0, nzones) gives cell k's zone,
 *  -1 = no zone (cell ignored). out[z] (caller-allocated, nzones entries)
 *  receives zone z's results; top_area (0..1) and event_share (0..1) set
 *  the top_share and area_for questions. Returns 0, RTM_ERR_INPUT (zone id
 *  out of range or bad count, naming the cell), RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_concentration_by_zone(const double *counts, const int *zone, size_t ncells,
                              int nzones, double top_area, double event_share,
                              rtm_conc_zone *out, rtm_error *err);

/* ==== backtest: the rolling-origin temporal back-test of prediction surfaces.
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
 * caller builds surfaces from them and evaluates them (rtm/evaluate.h).
 * Every function is re-entrant and shares no state.
 */
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
