/* rtm_design.h: the RTM design matrix and its pattern-compressed form.
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
#ifndef RTM_DESIGN_H
#define RTM_DESIGN_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A design: n cells, p binary columns, one count per cell. A plain view: the
 *  struct owns nothing, the caller keeps the arrays alive while it is used. */
typedef struct rtm_design {
    size_t n;                  /**< number of cells (rows), > 0 */
    int p;                     /**< number of columns, >= 0 */
    const unsigned char *x;    /**< n*p row-major, each 0 or 1: x[i*p + j] */
    const double *y;           /**< n counts, finite and >= 0 */
    const char *const *names;  /**< p column names, may be NULL */
} rtm_design;

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
/** Pattern of each cell: n values in [0, m). */
const size_t *rtm_patterns_row_pattern(const rtm_patterns *pt);

/** The patterns column by column (compressed sparse columns): for column j,
 *  idx[ptr[j] .. ptr[j+1]-1] are the patterns k with x[k*p + j] = 1, in
 *  increasing order. *ptr receives p+1 offsets, *idx ptr[p] pattern indices
 *  (either out-pointer may be NULL). Returns ptr[p], the number of ones. */
size_t rtm_patterns_columns(const rtm_patterns *pt, const size_t **ptr, const size_t **idx);

/** Distinct (pattern, y) pairs, for likelihoods that are not linear in y
 *  (negative binomial). Pairs are sorted by pattern, then by y ascending.
 *  Returns their number q; *pattern (q values), *y (q values) and *mult
 *  (q multiplicities, summed over folds) receive owned arrays (any of the
 *  out-pointers may be NULL). */
size_t rtm_patterns_pairs(const rtm_patterns *pt, const size_t **pattern,
                          const double **y, const double **mult);

#ifdef __cplusplus
}
#endif
#endif
