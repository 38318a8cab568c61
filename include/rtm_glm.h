/* rtm_glm.h: unpenalised count GLMs with a log link on binary designs:
 * Poisson, negative binomial NB2 and NBII (NB1), fitted by maximum likelihood.
 *
 * Models (mu_i = exp(b0 + sum_j b_j x_ij), x binary):
 *  - RTM_FAMILY_POISSON: y ~ Poisson(mu). Fitted by Newton-Raphson, which for
 *    the canonical log link is IRLS / Fisher scoring (McCullagh & Nelder 1989,
 *    Generalized Linear Models, 2nd ed., sec. 2.5). SEs from the inverse Fisher
 *    information X'diag(mu)X.
 *  - RTM_FAMILY_NB2: y ~ NB(size theta, mean mu), Var y = mu + mu^2/theta, as
 *    MASS::glm.nb (Venables & Ripley 2002, MASS 4th ed., sec. 7.4). beta and
 *    theta maximise the joint likelihood; SEs of beta are glm.nb's (inverse of
 *    X'diag(mu/(1 + mu/theta))X at the MLE), the SE of theta is theta.ml's
 *    (observed information of theta with mu fixed).
 *  - RTM_FAMILY_NBII: NB1 form (Cameron & Trivedi 2013, Regression Analysis of
 *    Count Data, 2nd ed., sec. 3.3): y ~ NB(size mu/sigma, mean mu), i.e.
 *        P(y) = G(y + r) / (G(r) y!) (1 + sigma)^-r (sigma/(1 + sigma))^y,
 *        r = mu/sigma,  Var y = mu (1 + sigma),  sigma > 0,
 *    with sigma on a log scale: log_sigma is what the reference RTM tool
 *    reports as the "overdispersion intercept". (beta, log sigma) maximise the
 *    full NB1 likelihood (damped Newton with line search); all SEs come from
 *    the inverse observed information of (beta, log sigma).
 *
 * Likelihoods include every constant (the -log y! term), as R's logLik does:
 *    aic = -2 loglik + 2 df,  bic = -2 loglik + df log(n),
 *    df = k + 1 (Poisson) or k + 2 (NB: the dispersion parameter counts, as in
 *    AIC/BIC of MASS::glm.nb), n = number of cells.
 * deviance: Poisson 2 sum[y log(y/mu) - (y - mu)]; NB2 glm.nb's deviance at
 * the fitted theta, 2 sum[y log(y/mu) - (y + theta) log((y + theta)/(mu + theta))];
 * NBII: 2 (loglik of the saturated NB1 model with the same sigma - loglik).
 *
 * Fits run on pattern-compressed data (rtm_design.h): the Poisson likelihood
 * needs only (cells, sum y) per distinct pattern of the chosen columns, the
 * NB likelihoods the distinct (pattern, y) pairs with multiplicities, so a fit
 * costs O(pairs + patterns k^2) per iteration, independent of the cell count.
 *
 * Degenerate data fail with RTM_ERR_MODEL and a message naming the variable:
 * no events, all events in one cell, a constant column, a column with no
 * events where it is 1 (coefficient -> -inf) or all events where it is 1
 * (-> +inf), collinear columns (singular information), non-convergence, or
 * |coefficient| above opts.max_abs_coef. NB fits start from the Poisson fit
 * and fail with its message when it fails; they also fail when the data are
 * not overdispersed (theta -> inf / sigma -> 0: the Poisson model applies).
 *
 * Thread safety: all functions are reentrant (no shared state).
 */
#ifndef RTM_GLM_H
#define RTM_GLM_H

#include <stddef.h>
#include "rtm_design.h"
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { RTM_FAMILY_POISSON, RTM_FAMILY_NB2, RTM_FAMILY_NBII } rtm_family;

/** Name of a family: "poisson", "nb2", "nbii". */
const char *rtm_family_name(rtm_family fam);

/** Fit options; rtm_glm_opts_init() sets the defaults noted. */
typedef struct rtm_glm_opts {
    int max_iter;         /**< Newton iterations, default 100 */
    double tol;           /**< convergence: Newton decrement g'H^-1 g below tol
                               (log-likelihood units), default 1e-12 */
    double max_abs_coef;  /**< |coefficient| beyond this is reported as
                               separation, default 25 */
    double min_theta;     /**< NB2: theta below this fails, default 1e-6 */
    double max_theta;     /**< NB2: theta above this fails as "no overdispersion",
                               default 1e7 */
    double min_log_sigma; /**< NBII: log sigma below this fails as "no
                               overdispersion", default -16 */
} rtm_glm_opts;

/** Set the defaults. */
void rtm_glm_opts_init(rtm_glm_opts *o);

/** A fitted model. Arrays (length k) are owned by the fit: free with
 *  rtm_glm_fit_free(). */
typedef struct rtm_glm_fit {
    rtm_family family;
    int k;                      /**< number of columns used */
    int *cols;                  /**< k design column indices, in fit order */
    double intercept, intercept_se, intercept_z, intercept_p;
    double *beta, *se, *z, *p;  /**< per column: estimate, SE, Wald z, two-sided p */
    double loglik, deviance, aic, bic;
    int df;                     /**< parameters counted in aic/bic */
    size_t n;                   /**< cells */
    double theta, theta_se;     /**< NB2: Var = mu + mu^2/theta (0 otherwise) */
    double log_sigma, log_sigma_se; /**< NBII: Var = mu(1 + sigma), log sigma
                                       ("overdispersion intercept"; 0 otherwise) */
    int iterations;             /**< Newton iterations used */
    int converged;              /**< 1 (failed fits are never returned) */
} rtm_glm_fit;

/** Fit a model of family fam on the columns cols[0..k-1] of d (k >= 0, no
 *  repeats; k = 0 is the intercept-only model).
 *  o: options or NULL for the defaults. out: receives the fit (set only on
 *  success; free it with rtm_glm_fit_free). Returns 0, or RTM_ERR_ARG (bad
 *  arguments), RTM_ERR_INPUT (bad design), RTM_ERR_NOMEM, RTM_ERR_MODEL
 *  (degenerate data, see above; the message names the variable). */
int rtm_glm_fit_cols(const rtm_design *d, const int *cols, int k, rtm_family fam,
                     const rtm_glm_opts *o, rtm_glm_fit *out, rtm_error *err);

/** Free the arrays of a fit and zero it (NULL is a no-op). */
void rtm_glm_fit_free(rtm_glm_fit *f);

/* ---- Aggregated data, for many fits on subsets of the same columns ---- */

/** Count data aggregated by distinct pattern of some columns of a design:
 *  per pattern the cells and sum y, and the distinct (pattern, y) pairs with
 *  multiplicities. Opaque; immutable once built (safe to share across
 *  threads). */
typedef struct rtm_glm_data rtm_glm_data;

/** Aggregate the columns cols[0..k-1] of d (cols NULL: all columns). The data
 *  keeps pointers to d->names (keep them alive); nothing else of d. Returns a
 *  new object or NULL with err set. */
rtm_glm_data *rtm_glm_data_build(const rtm_design *d, const int *cols, int k,
                                 rtm_error *err);

/** Re-aggregate base on a subset of its columns: sub[0..k-1] are positions
 *  in base's column list (0..rtm_glm_data_ncols(base)-1). Costs O(pairs of
 *  base x k), not O(cells). Returns a new object or NULL with err set. */
rtm_glm_data *rtm_glm_data_subset(const rtm_glm_data *base, const int *sub, int k,
                                  rtm_error *err);

/** Number of columns, and the design column index of column j. */
int rtm_glm_data_ncols(const rtm_glm_data *g);
int rtm_glm_data_col(const rtm_glm_data *g, int j);
/** Number of distinct patterns and of distinct (pattern, y) pairs. */
size_t rtm_glm_data_npatterns(const rtm_glm_data *g);
size_t rtm_glm_data_npairs(const rtm_glm_data *g);

/** Free (NULL is a no-op). */
void rtm_glm_data_free(rtm_glm_data *g);

/** As rtm_glm_fit_cols, on all the columns of aggregated data g. */
int rtm_glm_fit_data(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o,
                     rtm_glm_fit *out, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
