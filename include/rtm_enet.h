/* rtm_enet.h: Poisson elastic-net paths with non-negative coefficients and
 * k-fold cross-validation, the culling step of Risk Terrain Modeling.
 *
 * The problem is glmnet's Poisson family (Friedman, Hastie & Tibshirani 2010,
 * "Regularization paths for generalized linear models via coordinate descent",
 * J. Stat. Software 33(1)) with standardize = TRUE, intercept = TRUE and
 * lower.limits = 0: for each lambda,
 *
 *   minimise  -(1/N) sum_i [y_i eta_i - exp(eta_i)]
 *             + lambda * sum_j [(1 - alpha)/2 b_j^2 + alpha |b_j|]
 *   over b_0 and b_j >= 0,  eta_i = b_0 + sum_j b_j (x_ij - m_j) / s_j,
 *
 * where N is the number of cells (all observation weights 1, so glmnet's
 * weights normalised to sum 1 are 1/N), m_j the column mean and s_j the
 * column standard deviation with divisor N. Coefficients are reported on the
 * original scale: beta_j = b_j / s_j, beta_0 = b_0 - sum_j beta_j m_j.
 * Columns that are constant (s_j = 0) are left out (coefficient 0).
 *
 * The lambda sequence is glmnet's: lambda_max = max_j |<x~_j, y - ybar>| /
 * (N max(alpha, 0.001)) on the standardised columns x~_j (glmnet's rule, the
 * absolute value even though only positive coefficients can enter), then
 * nlambda values log-spaced down to lambda_min_ratio * lambda_max
 * (lambda_min_ratio = 1e-4 when N >= p, 1e-2 when N < p).
 *
 * The fit runs over the unique rows of the design (rtm_design.h): the
 * Poisson likelihood of cells sharing a 0/1 pattern depends only on their
 * number and their total count, so its cost scales with patterns, not cells.
 *
 * Cross-validation follows cv.glmnet (with grouped = TRUE): the full-data
 * path fixes the lambda sequence; each fold's training cells are fitted
 * with their own standardisation and, by default, their own lambda sequence,
 * interpolated at the full-data lambdas as cv.glmnet does (rtm_enet_align);
 * the held-out Poisson deviance per cell is averaged within each fold; cvm is
 * the mean over folds weighted by fold size and cvsd its standard error;
 * lambda.min is the largest lambda with the smallest cvm, lambda.1se the
 * largest lambda with cvm <= cvm(lambda.min) + cvsd(lambda.min).
 * Folds are drawn by rtm_enet_folds from a recorded seed (the reference's
 * folds are random per run; ours are reproducible).
 *
 * Defaults (rtm_enet_opts_init): alpha = 1 (lasso; e.g. 0.5 for a ridge mix),
 * 100 lambdas, 5 folds stratified by count, seed 1, rule lambda.min,
 * thresh 1e-10. The RTM reference keeps the variables with non-zero
 * coefficients at its cross-validated lambda and, when it tries several
 * alpha mixes, keeps the one with the better CV likelihood; the sources do
 * not say whether it uses the CV minimum or the 1-SE rule, so the rule is an
 * option and defaults to the minimum (the lambda that maximises the CV
 * likelihood). rtm_enet_cv_fit_alphas compares alphas on the same folds.
 *
 * Thread safety: all functions are reentrant. rtm_enet_cv_fit runs the full
 * path and the folds as parallel OpenMP tasks; every fit is itself
 * sequential, so results are identical for any number of threads.
 */
#ifndef RTM_ENET_H
#define RTM_ENET_H

#include <stddef.h>
#include <stdint.h>
#include "rtm_design.h"
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which cross-validated lambda selects the variables. */
typedef enum rtm_enet_rule {
    RTM_ENET_LAMBDA_MIN = 0, /**< smallest mean CV deviance (cv.glmnet lambda.min) */
    RTM_ENET_LAMBDA_1SE = 1  /**< largest lambda within one SE of it (lambda.1se) */
} rtm_enet_rule;

/** How fold fits are aligned with the full-data lambda sequence. */
typedef enum rtm_enet_align {
    RTM_ENET_ALIGN_GLMNET = 0, /**< as cv.glmnet (alignment = "lambda"): each fold
                                    fits its own default sequence (its own
                                    lambda_max) and its coefficients are
                                    interpolated linearly in lambda at the
                                    full-data lambdas */
    RTM_ENET_ALIGN_EXACT = 1   /**< each fold is fitted at exactly the full-data
                                    lambdas (no interpolation) */
} rtm_enet_align;

/** Options. Set defaults with rtm_enet_opts_init, then change fields. */
typedef struct rtm_enet_opts {
    double alpha;            /**< mixing, 0 <= alpha <= 1 (1 = lasso, 0 = ridge,
                                  which keeps every positively associated
                                  column); default 1 */
    int nlambda;             /**< length of the default sequence; default 100 */
    double lambda_min_ratio; /**< lambda_min / lambda_max; <= 0 = glmnet default
                                  (1e-4 if N >= p, else 1e-2); default 0 */
    const double *lambda;    /**< user sequence (any order, sorted decreasing
                                  internally), or NULL for the default sequence */
    int nlambda_user;        /**< length of lambda when given */
    double thresh;           /**< convergence: stop coordinate descent when the
                                  largest weighted squared change, (sum of IRLS
                                  weights * x~_j^2) * (change in b_j)^2, is below
                                  thresh times the null deviance per cell / 2
                                  (glmnet's thresh). Default 1e-10, tighter than
                                  glmnet's 1e-7 (which leaves coefficient errors
                                  of ~1e-3 on large designs, enough to move
                                  lambda.min by one step) at ~1.3x the cost */
    int max_passes;          /**< limit on coordinate-descent passes over the
                                  working set, whole path (glmnet maxit); 100000 */
    int stop_early;          /**< 1: stop the default path once the deviance
                                  ratio exceeds 0.999 (glmnet devmax; glmnet's fdev
                                  rule is off when lower.limits = 0); default 1 */
    int nfolds;              /**< cross-validation folds, >= 2; default 5 */
    uint64_t seed;           /**< seed of the fold assignment; default 1 */
    const int *foldid;       /**< optional n fold ids in [0, nfolds): overrides
                                  the seeded assignment */
    rtm_enet_rule rule;      /**< default RTM_ENET_LAMBDA_MIN */
    rtm_enet_align cv_align; /**< default RTM_ENET_ALIGN_GLMNET (ignored when
                                  lambda is given: folds then use it too) */
    int nthreads;            /**< OpenMP threads for the folds, 0 = default */
} rtm_enet_opts;

/** Set the defaults documented above. */
void rtm_enet_opts_init(rtm_enet_opts *o);

/** Check options (every problem reported at once in err->msg).
 *  Returns 0 or RTM_ERR_ARG. */
int rtm_enet_opts_check(const rtm_enet_opts *o, rtm_error *err);

/** A fitted path. All arrays owned; free with rtm_enet_path_free. */
typedef struct rtm_enet_path {
    int nlambda;             /**< number of lambdas fitted (may be fewer than asked
                                  when stop_early applies) */
    int p;                   /**< number of columns */
    double alpha;
    double *lambda;          /**< nlambda, decreasing */
    double *a0;              /**< nlambda intercepts (original scale) */
    double *beta;            /**< nlambda*p coefficients (original scale, >= 0),
                                  beta[l*p + j] */
    int *df;                 /**< nlambda: number of non-zero coefficients */
    double *deviance;        /**< nlambda: Poisson deviance of the training cells,
                                  2 sum [y log(y/mu) - (y - mu)] */
    double null_deviance;    /**< deviance of the intercept-only model */
    double *dev_ratio;       /**< nlambda: 1 - deviance / null_deviance */
    long passes;             /**< coordinate-descent passes used */
} rtm_enet_path;

/** Free a path (NULL is a no-op). */
void rtm_enet_path_free(rtm_enet_path *path);

/** Fit the path on a design. o may be NULL (defaults). On success *out owns
 *  a new path. Errors: RTM_ERR_ARG (options), RTM_ERR_INPUT (bad design),
 *  RTM_ERR_MODEL (all counts zero, no non-constant column, no convergence),
 *  RTM_ERR_NOMEM. */
int rtm_enet_path_fit(const rtm_design *d, const rtm_enet_opts *o, rtm_enet_path **out,
                      rtm_error *err);

/** Per-pattern sufficient statistics of a set of cells (m values each): the
 *  number of cells, the sum of y and the sum of y log y (see rtm_design.h). */
typedef struct rtm_enet_stats {
    const double *n, *sumy, *ylogy;
} rtm_enet_stats;

/** Lower level: fit the path (o's sequence, or o->lambda) on the patterns pt
 *  with per-pattern statistics train (patterns with n = 0 are ignored).
 *  If test and test_dev are not NULL, test_dev[t] (t < ntest) receives the
 *  Poisson deviance of the test statistics at the coefficients interpolated
 *  at test_lambda[t] (glmnet's lambda.interp: linear in lambda between the
 *  neighbouring fitted lambdas, clamped to the fitted range; exact when
 *  test_lambda[t] is a fitted lambda). Thread safety: reentrant; pt is only
 *  read. Returns 0 or an error as rtm_enet_path_fit. */
int rtm_enet_path_patterns(const rtm_patterns *pt, const rtm_enet_stats *train,
                           const rtm_enet_stats *test, const double *test_lambda, int ntest,
                           const rtm_enet_opts *o, rtm_enet_path **out, double *test_dev,
                           rtm_error *err);

/** Poisson deviance, 2 sum [y log(y/mu) - (y - mu)], of the cells summarised
 *  by st (per-pattern statistics on the patterns pt, e.g. a held-out fold or
 *  a later period) under the path's coefficients interpolated at each of
 *  lambda[0..nlambda-1] (as in rtm_enet_path_patterns). path must have as
 *  many columns as pt. dev receives nlambda values. Reentrant.
 *  Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_enet_path_deviance(const rtm_patterns *pt, const rtm_enet_stats *st,
                           const rtm_enet_path *path, const double *lambda, int nlambda,
                           double *dev, rtm_error *err);

/** Assign n cells to nfolds folds stratified by count: cells are sorted by
 *  y (ties by index), cut into consecutive blocks of nfolds, and each block
 *  receives a random permutation of the fold ids (a final partial block
 *  receives the first entries of one). The generator is xoshiro256**
 *  (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 *  generators") seeded through splitmix64; bounded draws use rejection, so
 *  the result depends only on (y, n, nfolds, seed) on every platform.
 *  fold (n values) receives ids in [0, nfolds). Returns 0 or an error. */
int rtm_enet_folds(const double *y, size_t n, int nfolds, uint64_t seed, int *fold,
                   rtm_error *err);

/** A cross-validated fit. All arrays owned; free with rtm_enet_cv_free. */
typedef struct rtm_enet_cv {
    rtm_enet_path *path;     /**< the full-data path */
    int nfolds;
    uint64_t seed;           /**< seed used (meaningless when foldid was given) */
    int *foldid;             /**< n fold ids used */
    size_t n;
    double *cvm;             /**< path->nlambda mean held-out deviance per cell */
    double *cvsd;            /**< path->nlambda standard errors */
    int idx_min, idx_1se;    /**< indices into path->lambda */
    double lambda_min, lambda_1se;
    int idx;                 /**< index selected by the rule */
    double lambda;           /**< path->lambda[idx] */
    int nkept;               /**< variables kept: non-zero at lambda */
    int *kept;               /**< nkept column indices, increasing */
} rtm_enet_cv;

/** Free (NULL is a no-op). */
void rtm_enet_cv_free(rtm_enet_cv *cv);

/** Cross-validate the path on design d: fit the full data, then each fold's
 *  training cells on the same lambda sequence, in parallel over folds;
 *  compute the CV curve and the selected lambda and variables. o may be NULL
 *  (defaults). On success *out owns the result. Errors as rtm_enet_path_fit.
 *  Same inputs and seed give identical results for any thread count. */
int rtm_enet_cv_fit(const rtm_design *d, const rtm_enet_opts *o, rtm_enet_cv **out,
                    rtm_error *err);

/** Cross-validate several alpha mixes on the same folds and keep the best,
 *  as the RTM reference does with its lasso and small ridge mixes: for each
 *  alphas[a] (0 <= alpha <= 1) run rtm_enet_cv_fit with o's other options
 *  (hence the same seed or foldid, so the same folds) and keep the fit with
 *  the smallest mean CV deviance, cvm[idx_min] (ties: the first in the list).
 *  *out receives the kept fit (its path->alpha tells which), *best its index
 *  in alphas (best may be NULL), and cvmin (nalphas values, may be NULL) the
 *  smallest cvm of each alpha. Errors as rtm_enet_cv_fit. */
int rtm_enet_cv_fit_alphas(const rtm_design *d, const rtm_enet_opts *o, const double *alphas,
                           int nalphas, rtm_enet_cv **out, int *best, double *cvmin,
                           rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
