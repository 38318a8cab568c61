/* rtm_stepwise.h: the final RTM model: bidirectional stepwise selection by BIC
 * under Poisson and negative binomial models, with the RTM entry rules.
 *
 * For each family tried (Poisson, and NB: NBII by default or NB2), the search
 * starts from the intercept-only model. At each step it fits every model one
 * move away: adding one candidate column not in the model, or dropping one
 * column from it, and takes the move with the lowest BIC if that BIC is lower
 * than the current one (strictly, by more than 1e-9 relative); otherwise it
 * stops. This is R's step(direction = "both", k = log(n)) with the entry rules
 * of the RTM replication (rtm-method.md, "Model selection" 2):
 *   - one_per_factor: at most one column per risk factor (columns of the
 *     same factor at other distances / operationalizations cannot be added
 *     while one is in the model);
 *   - positive_only: coefficients must be > 0;
 *   - p_max: Wald p-values must be <= p_max.
 * With rules_all_terms (default) the sign and p rules apply to every term of
 * a proposed model (added or dropped-to), so the final model satisfies them;
 * otherwise only to the entering column. Models that cannot be fitted
 * (RTM_ERR_MODEL: separation, collinearity, no overdispersion) are skipped.
 * Ties in BIC (within 1e-9 relative) go to the move on the lowest design
 * column index. The family whose final model has the
 * lower BIC wins (Poisson on a tie). Results do not depend on the number of
 * OpenMP threads (the candidate fits of a step run in parallel, the choice is
 * serial).
 *
 * Note for reports: p-values of a selected model are optimistic (they ignore
 * the selection).
 */
#ifndef RTM_STEPWISE_H
#define RTM_STEPWISE_H

#include "rtm_design.h"
#include "rtm_error.h"
#include "rtm_glm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_stepwise_opts {
    int try_poisson;        /**< search under Poisson, default 1 */
    int try_nb;             /**< search under NB, default 1 */
    rtm_family nb_family;   /**< RTM_FAMILY_NBII (default, as the reference) or NB2 */
    int one_per_factor;     /**< entry rule, default 1 */
    int positive_only;      /**< entry rule, default 1 */
    int check_p;            /**< entry rule p <= p_max, default 1 */
    double p_max;           /**< default 0.05 */
    int rules_all_terms;    /**< default 1 (see above) */
    int max_steps;          /**< per family, default 200 */
    rtm_glm_opts glm;       /**< fit options (rtm_glm_opts_init defaults) */
    rtm_progress_fn progress; /**< called after each step, may be NULL */
    void *progress_arg;
} rtm_stepwise_opts;

/** Set the defaults. */
void rtm_stepwise_opts_init(rtm_stepwise_opts *o);

typedef enum { RTM_STEP_START, RTM_STEP_ADD, RTM_STEP_DROP } rtm_step_action;

/** One line of the step log. */
typedef struct rtm_step_entry {
    rtm_family family;      /**< the search this step belongs to */
    rtm_step_action action; /**< START: the intercept-only model */
    int col;                /**< design column added or dropped (-1 for START) */
    int k;                  /**< columns in the model after the step */
    double bic;             /**< BIC of the model after the step */
} rtm_step_entry;

typedef struct rtm_stepwise_result {
    rtm_family family;      /**< the winning family */
    int k;                  /**< selected columns */
    int *cols;              /**< k design column indices, ascending */
    rtm_glm_fit fit;        /**< the winning model's fit (columns as cols) */
    double bic_poisson;     /**< final BIC of the Poisson search, NAN if not run/failed */
    double bic_nb;          /**< final BIC of the NB search, NAN if not run/failed */
    char poisson_msg[RTM_ERRMSG_MAX]; /**< why the Poisson search failed, "" if it did not */
    char nb_msg[RTM_ERRMSG_MAX];      /**< why the NB search failed (e.g. no overdispersion) */
    int nlog;
    rtm_step_entry *log;    /**< nlog entries: Poisson search first, then NB */
} rtm_stepwise_result;

/** Run the stepwise search.
 *  d:      the design (all columns; rtm_design_check'ed).
 *  cand:   ncand candidate design columns (the columns kept by culling),
 *          no repeats; ncand may be 0 (the intercept-only model results).
 *  factor: NULL (every column its own factor) or d->p factor ids, indexed by
 *          design column: columns with equal ids belong to one risk factor.
 *  o:      options or NULL for the defaults.
 *  out:    receives the result (set only on success; free with
 *          rtm_stepwise_free).
 *  Returns 0, RTM_ERR_ARG, RTM_ERR_INPUT, RTM_ERR_NOMEM, RTM_ERR_CANCEL, or
 *  RTM_ERR_MODEL when no family could fit even the intercept-only model (the
 *  message says why). Reentrant; uses OpenMP threads internally. */
int rtm_stepwise(const rtm_design *d, const int *cand, int ncand, const int *factor,
                 const rtm_stepwise_opts *o, rtm_stepwise_result *out, rtm_error *err);

/** Free a result's arrays and fit, and zero it (NULL is a no-op). */
void rtm_stepwise_free(rtm_stepwise_result *r);

#ifdef __cplusplus
}
#endif
#endif
