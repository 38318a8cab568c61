/* rtm/forecast.h: the forecast - expected events per cell for the next
 * month(s), learnt from the history of the events (and, when risk factors
 * are given, from the risk terrain) by a penalised Poisson regression on
 * time-split training pairs.
 *
 * The model (rtm/model/forecast_*.c). At a forecast origin t (the first
 * month forecast) the predictors of a cell are computed from the months
 * before t only:
 *   last1, last3, last6, last12  events in the last w months, per month
 *                                (windows longer than the history are left
 *                                out: they would repeat "all");
 *   all                          events in the whole history, per month;
 *   kde200, kde400, kde800       the history smoothed with a quartic kernel
 *                                of that radius (CRS units), expected events
 *                                per cell and month;
 *   kde1600                      the same with a wide kernel (area-level
 *                                risk: it ranks the quiet cells);
 *   prospective                  a prospective hot-spot surface in the style
 *                                of Bowers, Johnson & Pease (2004, "Prospective
 *                                hot-spotting", Br. J. Criminol. 44(5) 641-658):
 *                                each event of the last 2 months weighs
 *                                1/(1 + d/50 m) x 1/(1 + age in weeks) within
 *                                400 m (age from the middle of its month);
 *   yearago                      events in the same months a year earlier,
 *                                per month (only when at least two training
 *                                pairs and the validation have them);
 *   the RTM's binary risk-setting variables (rtm_variables_build) when a
 *   variable set is given.
 * Each continuous predictor enters as step indicators x >= q at quantiles
 * of its positive values (levels 0 (x > 0), 10, 25, 50, 75, 90, 95, 98,
 * 99, 99.5 and 99.8 %), taken at each origin among that origin's cells: a step means
 * "among the top 10 % of the cells with any such history", whatever the
 * length of the history or the volume of crime, so pairs with 1 and with 12
 * months of history teach the same steps (the thresholds reported are the
 * forecast origin's). With the elastic net's non-negative coefficients
 * (rtm/glm.h) each predictor's effect on log expected events is a
 * non-decreasing step function: more past crime near a place never lowers
 * its forecast. Indicators make the fit invariant to any monotone transform
 * (log1p, square root ...), so no transform has to be chosen.
 *
 * Training pairs: for each origin t with at least one month of history and
 * the outcome months t .. t+horizon-1 inside the training window, the
 * predictors from months < t and the outcome (events in those months) per
 * cell; the last max_pairs origins are kept. The elastic net (alpha mix
 * `alpha`) is fitted on all pairs; its penalty is chosen by rolling-origin
 * validation (never random folds across time): for each of the last nval
 * origins v, the path is refitted on the pairs whose outcome ends before v
 * and scored by its Poisson deviance on pair v; the lambda with the smallest
 * summed deviance is kept.
 *
 * Speed: cells whose indicators are all 0 and whose outcome is 0 are counted,
 * not stored (their rows are identical); other zero-outcome cells are kept
 * with probability p = min(1, max_rows / their number), decided by a hash of
 * (seed, pair, cell), and weigh 1/p (Horvitz & Thompson 1952, JASA 47
 * 663-685), so the fitted likelihood is unbiased for the full one; with
 * p = 1 (the usual case) the fit is exact and the seed plays no part.
 *
 * Determinism: the same events, options and seed give the same bytes for
 * any thread count.
 */
#ifndef RTM_FORECAST_H
#define RTM_FORECAST_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/input.h"
#include "rtm/model.h"
#include "rtm/tile.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_FORECAST_MAX_VAL 6     /**< validation origins at most */
#define RTM_FORECAST_NBASE 5       /**< forecast, prior, kde200, kde400, kde800 */
#define RTM_FORECAST_NCOV 3        /**< coverages 1, 5 and 20 % */

/** Options of the forecast model (defaults from rtm_forecast_opts_init). */
typedef struct rtm_forecast_opts {
    int horizon;           /**< months forecast, >= 1 (default 1) */
    int train_to;          /**< YYYYMM: last month used; later events are ignored;
                                0 = the last month of the events */
    uint64_t seed;         /**< seed of the zero-outcome subsampling (default 1) */
    int max_pairs;         /**< training pairs kept, the latest (default 12) */
    int nval;              /**< rolling-origin validation origins (default 3,
                                at most RTM_FORECAST_MAX_VAL) */
    double alpha;          /**< elastic-net mix, (0, 1] (default 0.5) */
    int nlambda;           /**< penalties on the path (default 40) */
    double bandwidths[3];  /**< quartic KDE radii (default 200, 400, 800 m; 0 = none) */
    double wide;           /**< the wide kernel's radius (default 1600 m; 0 = none) */
    size_t max_rows;       /**< zero-outcome rows kept before subsampling
                                (default 2,000,000) */
    int threads;           /**< OpenMP threads, 0 = default; no effect on results */
} rtm_forecast_opts;

void rtm_forecast_opts_init(rtm_forecast_opts *o);

/** Check the options: every problem in one message. 0 or RTM_ERR_ARG. */
int rtm_forecast_opts_check(const rtm_forecast_opts *o, rtm_error *err);

/** One term of the fitted model. */
typedef struct rtm_forecast_term {
    char name[112];        /**< "all>=0.667", "kde400>0", "pubs_proximity_200" */
    char predictor[96];    /**< "all", "kde400", "pubs_proximity_200" */
    double threshold;      /**< indicator x >= threshold (0: x > 0; factors: 1) */
    double coef;           /**< coefficient on log expected events (>= 0) */
} rtm_forecast_term;

/** A fitted forecast (free with rtm_forecast_free). */
typedef struct rtm_forecast {
    int first_month, last_month;  /**< training window, YYYYMM */
    int forecast_from, forecast_to; /**< months forecast, YYYYMM */
    int horizon;
    uint64_t seed;
    double alpha;
    int npairs;                   /**< training pairs */
    int pair_from, pair_to;       /**< first month of the first and last pair's outcome */
    size_t rows;                  /**< design rows (after compression/subsampling) */
    double keep_p;                /**< zero-outcome keep probability (1 = exact) */
    size_t patterns;              /**< distinct indicator patterns */
    int npred;                    /**< continuous predictors used */
    char pred[16][32];            /**< their names */
    int ncols;                    /**< indicator columns (all candidates) */
    int nterms;                   /**< terms with a non-zero coefficient */
    rtm_forecast_term *terms;     /**< nterms, in column order */
    double intercept;
    int nlambda;                  /**< penalties of the path */
    double *lambda;               /**< nlambda, decreasing */
    double *val_dev;              /**< nlambda: summed validation deviance */
    int idx;                      /**< chosen penalty: lambda[idx] */
    double events_train;          /**< events in the study area in the window */
    double predicted_total;       /**< sum of mu over the study area */
    double *mu;                   /**< grid cells: expected events in the horizon,
                                       NaN outside the study area */
    /* rolling-origin back-test: at each validation origin, the forecast refitted
     * on the earlier pairs against the baselines, PAI at 1, 5, 20 % */
    int nval;
    int val_month[RTM_FORECAST_MAX_VAL];       /**< first month tested, YYYYMM */
    double val_events[RTM_FORECAST_MAX_VAL];   /**< test events */
    double pai[RTM_FORECAST_MAX_VAL][RTM_FORECAST_NBASE][RTM_FORECAST_NCOV];
    double pai_mean[RTM_FORECAST_NBASE][RTM_FORECAST_NCOV];
    double *val_mu[RTM_FORECAST_MAX_VAL];      /**< internal: grid cells, freed with it */
} rtm_forecast;

/** Names of the back-test surfaces: "forecast", "prior", "kde200", ...
 *  (the KDE names follow o->bandwidths). */
const char *rtm_forecast_base_name(const rtm_forecast *f, int b, char *buf, size_t len);
/** The coverages of the back-test, percent: 1, 5, 20. */
extern const double rtm_forecast_coverages[RTM_FORECAST_NCOV];

void rtm_forecast_free(rtm_forecast *f);

/** Fit the forecast on the events pts (projected like grid g; each with a
 *  month) over the cells with mask != 0 (NULL: all), with the binary risk
 *  variables vars (NULL: none; built for g and mask by rtm_variables_build,
 *  borrowed), and forecast the horizon after the training window.
 *  Events after o->train_to are ignored; events without a month are an
 *  error. Needs at least horizon + 2 months of history (two training pairs,
 *  one to validate). *out receives the fit, with mu and the validation
 *  back-test's forecasts val_mu; the PAIs are filled by
 *  rtm_forecast_backtest. Returns 0, RTM_ERR_ARG, RTM_ERR_INPUT (no event,
 *  too short a history), RTM_ERR_MODEL, RTM_ERR_NOMEM. Reentrant. */
int rtm_forecast_fit(const rtm_grid *g, const unsigned char *mask, const rtm_points *pts,
                     const rtm_varset *vars, const rtm_forecast_opts *o, rtm_forecast **out,
                     rtm_error *err);

/** The refit for back-tests (no files): fit on the events of months up to
 *  train_to (YYYYMM; later events are ignored, as by --train-to) and write
 *  the expected events per grid cell for the horizon that follows (months
 *  train_to+1 .. train_to+horizon) into mu (rtm_grid_ncells(g) doubles,
 *  caller-owned; NaN outside the mask). Same model, options, seed and
 *  results as rtm_forecast_fit with o->train_to = train_to (so a back-test
 *  step reproduces `rtm forecast --train-to`), without the validation
 *  back-test's PAIs. vars as rtm_forecast_fit (fixed over time: build it
 *  once for all steps). Returns as rtm_forecast_fit. Reentrant. */
int rtm_forecast_refit(const rtm_grid *g, const unsigned char *mask, const rtm_points *pts,
                       const rtm_varset *vars, const rtm_forecast_opts *o, int train_to,
                       double *mu, rtm_error *err);

/** The rolling-origin back-test of a fit: at each validation origin, PAI at
 *  1, 5 and 20 % of the forecast refitted on the earlier pairs (f->val_mu),
 *  of the prior counts (all events before the origin) and of the quartic
 *  KDE of those events at each bandwidth of o, against the events of the
 *  origin's horizon (rtm/evaluate.h: ties pro rata). Fills f->pai,
 *  f->pai_mean and f->val_events. Events as given to rtm_forecast_fit.
 *  Returns 0 or an error. */
int rtm_forecast_backtest(rtm_forecast *f, const rtm_grid *g, const unsigned char *mask,
                          const rtm_points *pts, const rtm_forecast_opts *o, rtm_error *err);

/* ==== the forecast as a back-test refit (rtm/evaluate_truth.h) ============ */

/** The context of rtm_forecast_eval_fit. */
typedef struct rtm_forecast_eval_ctx {
    rtm_forecast_opts fc;       /**< the model's options (horizon and train_to are set
                                     by each step: 1 month, the step's last month) */
    const rtm_varset *vars;     /**< risk variables on the evaluation grid, or NULL */
    int failed;                 /**< steps with too short a history (counted here) */
} rtm_forecast_eval_ctx;

void rtm_forecast_eval_ctx_init(rtm_forecast_eval_ctx *c);

/** The forecast as a refit (rtm_eval_fit_fn; ctx: rtm_forecast_eval_ctx *):
 *  re-fitted on the step's training events inside the evaluated cells
 *  (rtm_forecast_refit with train_to = the step's last training month, or
 *  the events' last month when unknown) and forecasting the month after
 *  it, so a back-test step equals `rtm forecast --train-to` evaluated on
 *  the next month. A step with fewer than 3 months of history gives an
 *  all-NaN surface (ranks nothing) and counts in ctx->failed. Needs the
 *  events' months. */
int rtm_forecast_eval_fit(void *ctx, const rtm_eval_fit_data *d, double *out, rtm_error *err);

/* ==== the product ======================================================== */

typedef struct rtm_forecast_product {
    rtm_forecast_opts fc;            /**< the model's options */
    const rtm_factor_spec *factors;  /**< nfactors risk factors (features loaded), or NULL */
    int nfactors;
    const char *const *sources;      /**< nfactors files of the factors, or NULL */
    rtm_var_opts var;                /**< how factor variables are built (as rtm model) */
    const char *dir;                 /**< output folder (required): DIR/forecast.tif,
                                          forecast.png, forecast.json, forecast.md */
    const char *title;               /**< map title, NULL = "Forecast" */
} rtm_forecast_product;

void rtm_forecast_product_init(rtm_forecast_product *p);

/** Fit the forecast of ev's events (rtm_forecast_fit), back-test it
 *  (rtm_forecast_backtest) and write forecast.tif (expected events per cell
 *  in the horizon, + .qml), forecast.png (+ world file, CRS sidecar),
 *  forecast.json and forecast.md into out under p->dir. res (may be NULL)
 *  receives the fit (free with rtm_forecast_free). Returns 0 or an error. */
int rtm_forecast_product_run(const rtm_forecast_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out, rtm_forecast **res,
                             rtm_error *err);

/** The same, computed as h says (rtm/tile.h): whole (h NULL, or neither a
 *  tile nor a merge); one tile (h->count > 0: the risk factors' variables of
 *  strip h->index, as rtm_model_product_tiled's tiles: nothing else); or the
 *  merge of the tiles' files (h->nmerge > 0: the strips' tables merged into
 *  the variables rtm_variables_build makes, byte for byte, then the fit,
 *  back-test and files of the whole run). Tiles need risk factors
 *  (RTM_ERR_ARG without); the monthly features and the fit are the merge's. */
int rtm_forecast_product_tiled(const rtm_forecast_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *h,
                               rtm_outset *out, rtm_forecast **res, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
