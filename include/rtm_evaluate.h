/* rtm_evaluate.h: evaluation of a prediction surface against later events.
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
#ifndef RTM_EVALUATE_H
#define RTM_EVALUATE_H

#include <stddef.h>
#include <stdint.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
