/* rtm/glm.h: design matrices and generalized linear models: GLM, elastic net, stepwise BIC.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_GLM_H
#define RTM_GLM_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== design: the RTM design matrix and its pattern-compressed form.
 *
 * RTM candidate variables are binary (a cell is within distance d of a factor,
 * or in a high-density area of it), and many cells share the same 0/1 row.
 * For a Poisson model with a log link the log-likelihood of the cells that
 * share a row pattern x_k depends on them only through their number n_k and
 * their total count s_k = sum y:
 *     sum_i [y_i eta_k - exp(eta_k) - log y_i!] = s_k eta_k - n_k exp(eta_k) + const,
 * so a fit can run over the unique patterns (O(patterns x p) per pass instead of
 * O(cells x p)). Negative binomial likelihoods are not linear in y; for them
 * the distinct (pattern, y) pairs with their multiplicity are kept as well.
 *
 * rtm_patterns_build() finds the unique rows by hashing the packed bits of
 * each row (any p), numbers patterns in order of first appearance (so the
 * result is deterministic), and optionally splits counts and sums by fold for
 * k-fold cross-validation.
 */
/** A design: n cells, p binary columns, one count per cell. A plain view: the
 *  struct owns nothing, the caller keeps the arrays alive while it is used. */
typedef struct rtm_design {
    size_t n;                  /**< number of cells (rows), > 0 */
    int p;                     /**< number of columns, >= 0 */
    const unsigned char *x;    /**< n*p row-major, each 0 or 1: x[i*p + j]; NULL
                                    for the compact form below */
    const double *y;           /**< n counts, finite and >= 0 */
    const char *const *names;  /**< p column names, may be NULL */
    /* The compact form (x NULL): row i is row row_pat[i] of pat, so a
     * design of millions of cells and few distinct rows takes n ids and
     * npat*p bytes instead of n*p bytes. Results are those of the same
     * design written out in x, bit for bit. */
    const uint32_t *row_pat;   /**< n row ids in [0, npat) */
    size_t npat;               /**< distinct rows */
    const unsigned char *pat;  /**< npat*p row-major, each 0 or 1 */
} rtm_design;

/** Entry (row i, column j) of a design in either form. */
static inline unsigned char rtm_design_x(const rtm_design *d, size_t i, int j)
{
    return d->x ? d->x[i * (size_t)d->p + (size_t)j]
                : d->pat[(size_t)d->row_pat[i] * (size_t)d->p + (size_t)j];
}

/** Check a design: n > 0, p >= 0, x non-NULL when p > 0, every x entry 0 or
 *  1, every y finite and >= 0. Returns 0 or RTM_ERR_INPUT/RTM_ERR_ARG with a
 *  message naming the first bad row/column ("design: y[12] = -1 is negative"). */
int rtm_design_check(const rtm_design *d, rtm_error *err);

/** The pattern-compressed form of a design (opaque). */
typedef struct rtm_patterns rtm_patterns;

/** Collapse the rows of d with identical x into patterns.
 *  fold:   NULL, or n fold ids in [0, nfolds) (cell i belongs to fold fold[i]);
 *  nfolds: number of folds (ignored and taken as 1 when fold is NULL).
 *  The design is checked as by rtm_design_check (the x entries while they
 *  are packed, so there is no separate pass over x).
 *  Patterns are numbered 0..m-1 in order of first appearance in d.
 *  The result copies what it needs: d may be freed afterwards.
 *  Returns a new object (free with rtm_patterns_free) or NULL with err set
 *  (bad design, fold id out of range, out of memory).
 *  Thread safety: reentrant (no shared state). */
rtm_patterns *rtm_patterns_build(const rtm_design *d, const int *fold, int nfolds,
                                 rtm_error *err);

/** As rtm_patterns_build, but on a subset of columns: cols[0..ncols-1] are
 *  column indices of d (no repeats); cols == NULL means all p columns.
 *  Pattern bits then have ncols columns, in the order given; only those
 *  columns of x are checked. Useful for stepwise fits, where a few columns
 *  give at most 2^ncols patterns. */
rtm_patterns *rtm_patterns_build_cols(const rtm_design *d, const int *cols, int ncols,
                                      const int *fold, int nfolds, rtm_error *err);

/** Free (NULL is a no-op). */
void rtm_patterns_free(rtm_patterns *pt);

/** Cell indices 0..n-1 in increasing order of y, ties by index, when every y
 *  is a whole number in [0, 2^20) (counting sort, O(n + max y)); NULL when
 *  some y is not, or out of memory. The caller frees the array. */
size_t *rtm_counts_order(const double *y, size_t n);

/* Accessors. All returned pointers are owned by pt and valid until
 * rtm_patterns_free; they are read-only and safe to read from many threads. */

/** Number of unique patterns m (1 <= m <= n). */
size_t rtm_patterns_count(const rtm_patterns *pt);
/** Number of columns p of the patterns (ncols for the _cols variant). */
int rtm_patterns_ncols(const rtm_patterns *pt);
/** Number of folds (1 when built without folds). */
int rtm_patterns_nfolds(const rtm_patterns *pt);
/** Number of cells n of the design. */
size_t rtm_patterns_ncells(const rtm_patterns *pt);

/** Pattern bits: m*p row-major 0/1 bytes, x[k*p + j] for pattern k, column j. */
const unsigned char *rtm_patterns_x(const rtm_patterns *pt);
/** Cells per pattern (m values, summed over folds; stored as double). */
const double *rtm_patterns_n(const rtm_patterns *pt);
/** Sum of y per pattern (m values, summed over folds). */
const double *rtm_patterns_sumy(const rtm_patterns *pt);
/** Cells per pattern and fold: m*nfolds values, [k*nfolds + f]. */
const double *rtm_patterns_n_fold(const rtm_patterns *pt);
/** Sum of y per pattern and fold: m*nfolds values, [k*nfolds + f]. */
const double *rtm_patterns_sumy_fold(const rtm_patterns *pt);
/** Sum of y*log(y) per pattern (0*log 0 = 0), m values; with rtm_patterns_n
 *  and rtm_patterns_sumy this gives the Poisson deviance
 *  2*sum_k [ylogy_k - s_k*eta_k - s_k + n_k*exp(eta_k)]. */
const double *rtm_patterns_ylogy(const rtm_patterns *pt);
/** Sum of log(y!) = lgamma(y+1) per pattern, m values (for the Poisson
 *  log-likelihood sum_k [s_k*eta_k - n_k*exp(eta_k)] - lgam_k, hence AIC/BIC). */
const double *rtm_patterns_lgamma(const rtm_patterns *pt);
/** The same two sums per pattern and fold: m*nfolds values, [k*nfolds + f]. */
const double *rtm_patterns_ylogy_fold(const rtm_patterns *pt);
const double *rtm_patterns_lgamma_fold(const rtm_patterns *pt);
/** Pattern of each cell: n values in [0, m) (m < 2^32: more distinct rows
 *  are refused when the patterns are built). */
const uint32_t *rtm_patterns_row_pattern(const rtm_patterns *pt);
/** As rtm_patterns_build, without the cells' pattern numbers
 *  (rtm_patterns_row_pattern returns NULL), for fits that need the
 *  per-pattern sums, columns and pairs only: a compact design's patterns
 *  then take no memory per cell (4 bytes a cell less; a national grid's
 *  2.2 GB). The same patterns, sums and pairs. */
rtm_patterns *rtm_patterns_build_sums(const rtm_design *d, const int *fold, int nfolds,
                                      rtm_error *err);

/** The patterns column by column (compressed sparse columns): for column j,
 *  idx[ptr[j] .. ptr[j+1]-1] are the patterns k with x[k*p + j] = 1, in
 *  increasing order. *ptr receives p+1 offsets, *idx ptr[p] pattern indices
 *  (32-bit, like the cells' pattern numbers; either out-pointer may be
 *  NULL). Returns ptr[p], the number of ones. */
size_t rtm_patterns_columns(const rtm_patterns *pt, const size_t **ptr, const uint32_t **idx);

/** Distinct (pattern, y) pairs, for likelihoods that are not linear in y
 *  (negative binomial). Pairs are sorted by pattern, then by y ascending.
 *  Returns their number q; *pattern (q values), *y (q values) and *mult
 *  (q multiplicities, summed over folds) receive owned arrays (any of the
 *  out-pointers may be NULL). */
size_t rtm_patterns_pairs(const rtm_patterns *pt, const size_t **pattern,
                          const double **y, const double **mult);

/* ==== glm: unpenalised count GLMs with a log link on binary designs:
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
 * Fits run on pattern-compressed data (rtm/glm.h): the Poisson likelihood
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

/* ==== enet: Poisson elastic-net paths with non-negative coefficients and
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
 * The fit runs over the unique rows of the design (rtm/glm.h): the
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

/** How coordinate descent keeps its residual sums (cf. glmnet's
 *  type.gaussian), within each IRLS step: */
typedef enum rtm_enet_updates {
    RTM_ENET_UPDATES_AUTO = 0,       /**< naive, switching to covariance updates
                                          once the step's sweeps have cost what
                                          the active columns' cross-products would
                                          (the default) */
    RTM_ENET_UPDATES_NAIVE = 1,      /**< residuals kept per pattern throughout */
    RTM_ENET_UPDATES_COVARIANCE = 2  /**< the active columns' cross-products from
                                          the start of every step */
} rtm_enet_updates;

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
    rtm_enet_updates updates; /**< default RTM_ENET_UPDATES_AUTO; every choice
                                   reaches the same minimiser (results differ by
                                   rounding only) */
    rtm_progress_fn progress; /**< optional: after each lambda of a path, the share
                                   of the work's lambdas done (a path: its own; a
                                   cross-validation: all its paths', 1 at the
                                   end), message "lambda"; called by one thread
                                   at a time. Never changes a result */
    void *progress_arg;
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
 *  number of cells, the sum of y and the sum of y log y (see rtm/glm.h). */
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

/* ==== stepwise: the final RTM model: bidirectional stepwise selection by BIC
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
