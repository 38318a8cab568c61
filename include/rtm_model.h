/* rtm_model.h: the Risk Terrain Model end to end, on a grid:
 * candidate variables -> elastic-net culling with k-fold CV -> stepwise BIC
 * under Poisson and negative binomial -> relative risk values (RRV = exp(b)),
 * the relative risk score surface RRS = prod RRV_i^x_i (lowest = 1) and risk
 * tiers (rtm-method.md; Caplan & Kennedy, Risk Terrain Modeling Manual 2016). */
#ifndef RTM_MODEL_H
#define RTM_MODEL_H

#include <stddef.h>
#include "rtm_enet.h"
#include "rtm_error.h"
#include "rtm_grid.h"
#include "rtm_stepwise.h"
#include "rtm_variables.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_NTIERS 4  /* 0 below average, 1 above average, 2 moderately high, 3 highest */

typedef struct rtm_model_opts {
    rtm_var_opts var;          /**< ladder and density settings */
    rtm_enet_opts enet;        /**< culling (alpha, folds, seed, rule) */
    rtm_stepwise_opts step;    /**< final model search and entry rules */
    double tier_k[3];          /**< tier thresholds mean + k*SD of RRS over study cells:
                                    above average k=0, moderately high 1, highest 2 */
    rtm_progress_fn progress; /**< optional: called with "culling" and "stepwise" at the
                                   start (0) and end (1) of each stage */
    void *progress_arg;
} rtm_model_opts;

void rtm_model_opts_init(rtm_model_opts *o);

typedef struct rtm_tier_stats {
    size_t cells;
    double area_share;   /**< share of study-area cells */
    double events;       /**< outcome events in the tier's cells */
    double event_share;  /**< share of all events */
    double rate_ratio;   /**< events per cell in the tier / events per cell elsewhere */
    double lower;        /**< RRS threshold of the tier */
} rtm_tier_stats;

typedef struct rtm_model {
    rtm_varset *vars;          /**< candidates */
    rtm_enet_cv *cv;           /**< culling */
    rtm_stepwise_result sw;    /**< final model */
    size_t cells;              /**< study-area cells */
    double events;             /**< events in the study area */
    size_t cells_with_events;
    double *rrs;               /**< grid cells: RRS, NAN outside the study area */
    unsigned char *tier;       /**< grid cells: 0..3, 255 outside */
    double rrs_min, rrs_max, rrs_mean, rrs_sd;
    rtm_tier_stats tiers[RTM_NTIERS];
} rtm_model;

/** Fit the model. counts: grid ncells event counts (cells outside the mask
 *  ignored). study_area: area of the study polygons (0 = cells' area).
 *  Degenerate data (no events, all events in one cell, culling keeps
 *  nothing, no family fits) returns RTM_ERR_MODEL with an explanation. */
int rtm_model_fit(const rtm_grid *g, const unsigned char *mask, double study_area,
                  const double *counts, const rtm_factor_spec *f, int nf,
                  const rtm_model_opts *o, rtm_model **out, rtm_error *err);
void rtm_model_free(rtm_model *m);

/** As rtm_model_fit, from candidate variables built earlier (e.g. loaded
 *  from a cache with rtm_varset_read): the risk-layer work is skipped and
 *  only the offence-dependent steps run. Takes ownership of vars (freed on
 *  failure too). vars->cell indexes grid g. */
int rtm_model_fit_varset(const rtm_grid *g, rtm_varset *vars, const double *counts,
                         const rtm_model_opts *o, rtm_model **out, rtm_error *err);

/** Count points per grid cell (points outside the grid are ignored);
 *  counts must hold ncells doubles (zeroed here). Returns points counted. */
size_t rtm_bin_points(const rtm_grid *g, const double *x, const double *y, const double *w,
                      size_t n, double *counts);

#ifdef __cplusplus
}
#endif
#endif
