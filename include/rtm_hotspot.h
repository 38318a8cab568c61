/* rtm_hotspot.h: Getis-Ord Gi* hot-spot statistics on grid counts.
 *
 * Gi* (Ord & Getis 1995, Geographical Analysis 27(4) 286-306, the
 * standardized Gi*), for cell i with binary weights w_ij (the cell itself
 * included, w_ii = 1):
 *
 *            sum_j w_ij x_j - xbar W_i
 *   z_i = ---------------------------------------,  W_i = sum_j w_ij,
 *          S sqrt( (n S1_i - W_i^2) / (n - 1) )     S1_i = sum_j w_ij^2 = W_i,
 *
 * xbar = sum_j x_j / n, S^2 = sum_j x_j^2 / n - xbar^2, sums over the n
 * cells inside the mask. This equals (G*_i - E[G*_i]) / sqrt(Var[G*_i]) with
 * G*_i = sum_j w_ij x_j / sum_j x_j, E = W_i/n and the variance of Getis &
 * Ord (1992), Geographical Analysis 24(3) 189-206 (moments of G*_i).
 *
 * Neighbourhoods: cells outside the mask are excluded from every
 * neighbourhood and from xbar, S and n. Two rules:
 *  - fixed distance band (default): every inside cell whose centre lies
 *    within `band` of cell i's centre (distance <= band, with a relative
 *    tolerance of 1e-9 on the squared distance so that a band of exactly
 *    2 cells includes the cells 2 cells away);
 *  - k nearest neighbours (knn > 0): the cell itself plus the knn nearest
 *    other inside cells by centre distance; every cell tied at the knn-th
 *    distance is included as well (so W_i >= knn + 1; the rule is
 *    order-independent). If fewer than knn other inside cells exist, all are used.
 *
 * Output per cell: z (above), two-sided p = erfc(|z|/sqrt 2), and a bin:
 * +-3, +-2, +-1 for 99, 95, 90 % confidence (sign of z), 0 otherwise.
 *  - Without FDR: |bin| is the highest level L with p <= alpha_L,
 *    alpha = 0.01, 0.05, 0.10 (i.e. |z| >= 2.576, 1.960, 1.645).
 *  - With FDR (Benjamini & Hochberg 1995, JRSS B 57(1) 289-300), as the
 *    reference tool's "optimized hot spot analysis" does: for each level
 *    separately, the critical p-value is the BH step-up threshold p_(r),
 *    r = max{ i : p_(i) <= i alpha_L / m } over the m inside cells' p-values
 *    sorted ascending (no cell significant at that level when no such i);
 *    |bin| is the highest level L with p <= that critical value. z and p
 *    themselves stay uncorrected; FDR only makes the bins stricter.
 * Cells outside the mask get z = p = NaN and bin 0. Degenerate data (n < 2,
 * or S = 0: every inside count equal) and cells whose neighbourhood is the
 * whole study area (n W_i - W_i^2 = 0) give z = 0, p = 1, bin 0.
 */
#ifndef RTM_HOTSPOT_H
#define RTM_HOTSPOT_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Gi* options: call rtm_gistar_opts_init, then set fields. */
typedef struct rtm_gistar_opts {
    double band; /**< distance band in CRS units (> 0; used when knn == 0); default 0 = unset */
    int knn;     /**< > 0: k nearest neighbours instead of the band; default 0 */
    int fdr;     /**< non-zero: Benjamini-Hochberg FDR-corrected bins; default 0 */
    int threads; /**< OpenMP threads, 0 = OpenMP default; results do not depend on it */
} rtm_gistar_opts;

/** Set defaults (band 0 = must be set, knn 0, fdr 0, threads 0). */
void rtm_gistar_opts_init(rtm_gistar_opts *o);

/** Check options against grid g; reports every problem in one message.
 *  Returns 0 or RTM_ERR_ARG. */
int rtm_gistar_opts_check(const rtm_gistar_opts *o, const rtm_grid *g, rtm_error *err);

/** Gi* z-scores of counts (ncells = g->ncols * g->nrows doubles, finite
 *  inside the mask; any sign) on grid g. mask may be NULL (all inside).
 *  Outputs (caller-allocated, ncells each): z (required), p and bin (each
 *  may be NULL). Parallel over rows; output is identical for any thread
 *  count. Re-entrant. Returns 0, RTM_ERR_ARG (bad options or grid),
 *  RTM_ERR_INPUT (non-finite count inside the mask, naming the cell) or
 *  RTM_ERR_NOMEM. Memory: about 12 bytes per cell of scratch. */
int rtm_gistar(const rtm_grid *g, const double *counts, const unsigned char *mask,
               const rtm_gistar_opts *o, double *z, double *p, signed char *bin,
               rtm_error *err);

/** Benjamini-Hochberg step-up critical p-value at level alpha over the
 *  finite p-values of the inside cells (mask may be NULL): *crit = p_(r)
 *  with r = max{ i : p_(i) <= i alpha / m }, *nsig = r; when r = 0,
 *  *crit = -1 and *nsig = 0 (nothing significant). Returns 0,
 *  RTM_ERR_ARG (alpha not in (0, 1)) or RTM_ERR_NOMEM. */
int rtm_bh_critical(const double *p, const unsigned char *mask, size_t n, double alpha,
                    double *crit, size_t *nsig, rtm_error *err);

/** Confidence bins from z and p (rules in the header comment), into
 *  bin[n]; fdr non-zero for BH-corrected critical p-values. Cells outside
 *  the mask or with NaN p get 0. Returns 0 or RTM_ERR_NOMEM. */
int rtm_gistar_bins(const double *z, const double *p, const unsigned char *mask, size_t n,
                    int fdr, signed char *bin, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
