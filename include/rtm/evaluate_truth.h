/* rtm/evaluate_truth.h: evaluation that tells the truth - area coverages
 * given as an area or a cell count, the check that a surface is fine
 * enough for a coverage, per-cell credits, seeded bootstrap intervals on
 * hit rate and PAI, a paired comparison of two surfaces, and the refit
 * interface of the back-test (a surface re-made from each step's training
 * events). Part of the evaluation stage (rtm/evaluate.h); include <rtm.h>
 * for all of it. */
#ifndef RTM_EVALUATE_TRUTH_H
#define RTM_EVALUATE_TRUTH_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/surface.h"
#include "rtm/model.h"
#include "rtm/evaluate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== coverages: patrol capacity is an area, so a coverage may be given as
 * a percentage of the evaluated area ("5", "5%"), an area ("0.5km2", also
 * "50ha") or a number of cells ("100cells"). The fraction a/A is
 *   percent: value / 100;  km²: value / (cell area in km²) / A;
 *   hectares: value / 100 / (cell area in km²) / A;  cells: value / A,
 * A being the evaluated cells. An area or cell count larger than the
 * evaluated area is an error (it would flag everything). */
typedef enum rtm_cover_unit {
    RTM_COVER_PERCENT = 0, /**< percent of the evaluated area (the default) */
    RTM_COVER_KM2,         /**< square kilometres */
    RTM_COVER_CELLS,       /**< a number of cells */
    RTM_COVER_HA           /**< hectares */
} rtm_cover_unit;

/** Parse one coverage ("5", "5%", "0.5km2", "50ha", "100cells"; spaces
 *  between number and unit allowed) into *value and *unit. A percentage
 *  must be in (0, 100], an area or cell count > 0 and finite. Returns 0 or
 *  RTM_ERR_ARG naming the text. */
int rtm_eval_coverage_parse(const char *text, double *value, int *unit, rtm_error *err);

/** The fraction a/A of coverage (value, unit) on an evaluated area of
 *  area_cells cells of cell_km2 km² each, into *frac. Returns 0, or
 *  RTM_ERR_ARG (no evaluated cell, bad cell area, or a coverage larger
 *  than the area: the message gives both). */
int rtm_eval_coverage_fraction(double value, int unit, double cell_km2, double area_cells,
                               double *frac, rtm_error *err);

/** A short label of a coverage for tables and CSV: "5", "0.5km2",
 *  "100cells", "50ha" (percent has no unit, as in the coverage_pct column). */
void rtm_eval_coverage_label(double value, int unit, char *buf, size_t n);

/* ==== too coarse: when the flagged area ends inside a block of tied cells
 * larger than the flagged area itself, the cells flagged are chosen by the
 * pro-rata rule, not by the surface: the surface cannot say which of its
 * tied cells to patrol (a relative risk score that ties its maximum on
 * 11.5 % of the cells has the same PAI at every coverage up to 11.5 %). */

/** Size in cells of the tie block in which `coverage` (fraction of A) ends
 *  strictly inside (0 when it ends on a block boundary or the curve is
 *  empty); *first (may be NULL) receives 1 when that block is the top one
 *  (the surface's maximum). */
double rtm_eval_tie_block(const rtm_eval_curve_t *c, double coverage, int *first);

/** 1 when the tie block at `coverage` is larger than the flagged area
 *  coverage x A (see above), else 0. */
int rtm_eval_too_coarse(const rtm_eval_curve_t *c, double coverage);

/* ==== credits: the share of each cell flagged at a coverage - 1 for cells in
 * the tie blocks flagged whole, the pro-rata fraction for the cells of the
 * block in which the coverage ends, 0 for the rest (rtm/evaluate.h's tie
 * rule). The expected hits of any count surface c are then sum_k c_k
 * credit_k, exactly rtm_eval_at's n. */

/** Credits of the cells of pred at coverage (fraction of the cells inside
 *  mask; mask NULL = all) into credit[ncells] (caller-allocated; 0 outside
 *  the mask). Returns 0, RTM_ERR_ARG (coverage outside (0, 1], NULL array,
 *  ncells > UINT32_MAX) or RTM_ERR_NOMEM. Thread-safe. */
int rtm_eval_credits(const double *pred, const unsigned char *mask, size_t ncells,
                     double coverage, double *credit, rtm_error *err);

/* ==== bootstrap: percentile intervals by resampling the test EVENTS with
 * replacement (the non-parametric bootstrap, Efron & Tibshirani 1993, An
 * Introduction to the Bootstrap, ch. 6 and 13.3). Each event i has a value
 * v_iq per quantity q (its cell's credit for a surface at a coverage, or the
 * difference of two surfaces' credits) and a weight w_i (1, or its harm
 * weight); a replicate draws nev events uniformly with replacement and
 * computes every quantity's weighted mean sum w v / sum w - the hit rate (or
 * the difference of hit rates; PAI = hit rate / (a/A) with a/A fixed). The
 * interval is the (1 - level)/2 and (1 + level)/2 quantiles of the
 * replicates (R's quantile type 7).
 *
 * What this says and what it does not: it is the sampling uncertainty of the
 * test events given the surface, treating events as independent draws. Events
 * that repeat at one place (police.uk snaps crimes to shared points) are not
 * independent, so the interval is if anything too narrow; it does not cover
 * the uncertainty of the surface itself (use the back-test's steps for that).
 *
 * Replicate r uses its own xoshiro256** stream (Blackman & Vigna 2018)
 * seeded with splitmix64(seed, r), so results are the same for any thread
 * count. */
typedef struct rtm_boot_opts {
    int replicates;   /**< B, >= 10 (default 1000) */
    uint64_t seed;    /**< default 1 */
    double level;     /**< interval level in (0, 1), default 0.95 */
    int threads;      /**< OpenMP threads, 0 = default; no effect on results */
} rtm_boot_opts;

void rtm_boot_opts_init(rtm_boot_opts *o);

/** Bootstrap intervals of nq weighted means. val: nev x nq row-major (event
 *  i, quantity q); w: nev weights >= 0 or NULL (all 1). lo, hi (nq each)
 *  receive the interval; se (nq, may be NULL) the replicates' standard
 *  deviation; below (nq, may be NULL) the share of replicates <= 0 (for a
 *  difference: the bootstrap's one-sided p-value that A is not better).
 *  Returns 0, RTM_ERR_ARG (nev == 0, bad options, total weight 0) or
 *  RTM_ERR_NOMEM. */
int rtm_boot_means(const double *val, const double *w, size_t nev, size_t nq,
                   const rtm_boot_opts *o, double *lo, double *hi, double *se, double *below,
                   rtm_error *err);

/** McNemar's test (McNemar 1947, Psychometrika 12(2) 153-157) in its exact
 *  form: of the events captured by exactly one of two surfaces, b by A only
 *  and c by B only; under "A and B capture equally often" b ~ Binomial(b +
 *  c, 1/2), and the two-sided p-value is min(1, 2 P(X <= min(b, c))). b and
 *  c are rounded to whole events (credits of split tie blocks are
 *  fractional). Returns the p-value (1 when b + c == 0). */
double rtm_mcnemar_exact(double b, double c);

/* ==== refit: the back-test re-makes a surface from each step's training
 * events, so that a surface that learns from the events (a KDE, the Risk
 * Terrain Model, a forecast) is judged on a month it has not seen, as it
 * would have been made then. A surface-making method plugs in as a
 * callback: "fit on the events up to month T, return the surface per
 * cell". The evaluation product calls fit once per step (and once in a
 * plain evaluation with training events); fit fills out[ncells of grid]
 * with the surface (any scale: higher = riskier; NaN = no value, ranked
 * last), using only what the data hold. Callbacks run on the calling
 * thread (they may use OpenMP inside); ctx is theirs. */

/** What a refit callback gets: the training window and its events. */
typedef struct rtm_eval_fit_data {
    const rtm_grid *grid;        /**< the evaluation grid */
    const unsigned char *mask;   /**< ncells: the evaluated cells */
    int train_from, train_to;    /**< training months YYYYMM (0 = unknown) */
    int test_month;              /**< the month to forecast, YYYYMM (0 = unknown) */
    const double *x, *y, *w;     /**< n training events (w NULL = 1); may lie outside
                                      the evaluated area (near it) */
    const int *month;            /**< n months YYYYMM, or NULL */
    size_t n;
    const double *counts;        /**< ncells: training events per cell (evaluated cells) */
} rtm_eval_fit_data;

/** Make the surface from d into out (ncells). Returns 0 or an rtm error
 *  code with err set; the evaluation stops on an error. */
typedef int (*rtm_eval_fit_fn)(void *ctx, const rtm_eval_fit_data *d, double *out,
                               rtm_error *err);

/** A surface re-made at every step. */
typedef struct rtm_eval_refit {
    const char *name;      /**< surface name in the reports ("rtm", "forecast") */
    const char *source;    /**< one line: what it is */
    rtm_eval_fit_fn fit;
    void *ctx;
} rtm_eval_refit;

/** A KDE refit: ctx is a const rtm_kde_opts * (kernel, radius, threads);
 *  the surface is the density of the training events in RTM_UNITS_CELL. */
int rtm_eval_fit_kde(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err);

/** A Risk Terrain Model refit: ctx is a const rtm_eval_model_ctx *. The
 *  candidate variables are built once (they do not depend on the events)
 *  and copied at every step; the culling, stepwise selection and RRS are
 *  re-made from the step's training counts (rtm_model_fit_varset). A step
 *  whose training data cannot be modelled (RTM_ERR_MODEL: e.g. too few
 *  events) gives an all-NaN surface (a random ranking), not an error. */
typedef struct rtm_eval_model_ctx {
    const rtm_varset *vars;        /**< candidates on the evaluation grid */
    const rtm_model_opts *opts;
    int failed;                    /**< steps that could not be modelled (counted here) */
} rtm_eval_model_ctx;

int rtm_eval_fit_model(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err);

/** A deep copy of a variable set (free with rtm_varset_free), or NULL. */
rtm_varset *rtm_varset_copy(const rtm_varset *v);

/* ==== the back-test summary of a map for reports: the mean over a rolling
 * monthly back-test (expanding window, one month ahead) of the PAI at 1, 5
 * and 20 % of the area of each refit surface and of the prior counts (the
 * training events per cell, the baseline any map must beat to forecast). */
#define RTM_BT_SUMMARY_MAX 8
extern const double rtm_bt_summary_coverages[3]; /**< 0.01, 0.05, 0.20 */

typedef struct rtm_bt_summary {
    int done;                 /**< 1: back-tested; 0: not (why says why) */
    char why[200];
    int nsteps;
    int first_test, last_test; /**< test months YYYYMM */
    int nsurf;                /**< surfaces: the refits, then "prior counts" */
    char name[RTM_BT_SUMMARY_MAX][48];
    double pai[RTM_BT_SUMMARY_MAX][3]; /**< mean PAI at 1, 5, 20 % (NaN when undefined) */
} rtm_bt_summary;

/** Rolling back-test of the refits and the prior counts over the months of
 *  the n points (x, y, w (NULL = 1), month YYYYMM; month 0 = unknown, not
 *  used) on grid g, evaluated cells mask (NULL = all): months from the
 *  earliest to the latest, step s trains on the months before test month
 *  s + 1. With fewer than 2 months, out->done = 0 and why says so (not an
 *  error). Returns 0 or an error of a refit / RTM_ERR_NOMEM. */
int rtm_bt_summarise(const rtm_grid *g, const unsigned char *mask, const double *x,
                     const double *y, const double *w, const int *month, size_t n,
                     const rtm_eval_refit *refits, int nrefits, rtm_bt_summary *out,
                     rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
