/* rtm_concentration.h: how concentrated events are over cells (Lorenz curve,
 * Gini coefficient, "share of events in the top x % of area", "area holding
 * y % of events"), for the whole study area or per zone.
 *
 * Lorenz curve, in the crime-and-place orientation: cells ranked by their
 * event count, highest first; L(a) = share of events in the top fraction a of
 * the cells. Cells with equal counts form one tie block, credited pro rata
 * inside the block (as in rtm_evaluate.h), so L is piecewise linear and
 * concave; L(0) = 0, L(1) = 1.
 *
 * Gini coefficient of the n cell counts x (Gini 1912; the rank form of e.g.
 * Damgaard & Weiner 2000, Ecology 81(4) 1139-1142), with x_(i) sorted
 * descending, i = 1..n, N = sum x:
 *     G = (n + 1)/n - 2 sum_i i x_(i) / (n N)
 * which equals sum_i sum_j |x_i - x_j| / (2 n^2 xbar) and 2 int_0^1 L(a) da - 1.
 * All events in one of n cells give G = (n - 1)/n; equal counts give 0.
 * Reported variants:
 *  - gini: G above (the population form; not sample-corrected);
 *  - gini_unbiased: G n/(n - 1), the small-sample correction (as
 *    R DescTools::Gini(unbiased = TRUE)); 1 for all events in one cell;
 *  - gini_generalized: Bernasco & Steenbeek (2017), "More places than
 *    crimes", J. Quant. Criminol. 33(3) 451-467, for sparse counts (N < n):
 *    G' = max(1, n/N) (G - 1) + 1, which compares with maximal equality
 *    given N events (N cells with one event) instead of perfect equality;
 *    equals G when N >= n (as R lorenzgini::gini(unbiased = FALSE)).
 *
 * Counts must be finite and >= 0 (events per cell; weights allowed).
 * Functions are re-entrant; a Lorenz object may be read from several
 * threads. ncells <= UINT32_MAX.
 */
#ifndef RTM_CONCENTRATION_H
#define RTM_CONCENTRATION_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A Lorenz curve: point k is after the first k tie blocks (piecewise linear
 *  between points). Owned by the caller; free with rtm_lorenz_free. */
typedef struct rtm_lorenz {
    size_t npts;         /**< tie blocks + 1 (1 when there are no cells) */
    double *cells;       /**< [npts] cumulative cells (cells[0] = 0, last = total_cells) */
    double *events;      /**< [npts] cumulative events */
    double total_cells;  /**< n: cells inside the mask */
    double total_events; /**< N: events in those cells */
} rtm_lorenz;

/** Gini coefficients of a set of cells (see the header comment). NaN when
 *  undefined: N == 0 or n == 0 (all three), n == 1 (unbiased). */
typedef struct rtm_gini_t {
    double n;                /**< cells */
    double total;            /**< N: events */
    double gini;             /**< G, population form */
    double gini_unbiased;    /**< G n/(n-1) */
    double gini_generalized; /**< Bernasco & Steenbeek (2017) G' */
} rtm_gini_t;

/** Concentration results for one zone. */
typedef struct rtm_conc_zone {
    int zone;          /**< zone id */
    size_t cells;      /**< cells in the zone */
    double events;     /**< events in the zone */
    rtm_gini_t gini;   /**< Gini coefficients of the zone's cells */
    double top_share;  /**< share of the zone's events in its top `top_area` of cells */
    double area_for;   /**< smallest area fraction of the zone holding `event_share` of its events */
} rtm_conc_zone;

/** Build the Lorenz curve of counts over the inside cells (mask may be
 *  NULL). *out is set only on success. Returns 0, RTM_ERR_INPUT (negative or
 *  non-finite count, naming the cell), RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_lorenz_create(const double *counts, const unsigned char *mask, size_t ncells,
                      rtm_lorenz **out, rtm_error *err);

/** Free a Lorenz curve (NULL is a no-op). */
void rtm_lorenz_free(rtm_lorenz *l);

/** L(area_frac): share of events in the top area_frac (0..1) of the cells,
 *  pro rata within ties; NaN when N == 0 or n == 0 or area_frac outside [0, 1]. */
double rtm_lorenz_top_share(const rtm_lorenz *l, double area_frac);

/** Smallest area fraction a with L(a) >= event_frac (0..1): "y % of events
 *  lie in a of the area". NaN when N == 0, n == 0 or event_frac outside [0, 1]. */
double rtm_lorenz_area_for(const rtm_lorenz *l, double event_frac);

/** Gini coefficients of the inside cells' counts into *out. Returns 0,
 *  RTM_ERR_INPUT (bad count) or RTM_ERR_ARG / RTM_ERR_NOMEM. */
int rtm_gini(const double *counts, const unsigned char *mask, size_t ncells, rtm_gini_t *out,
             rtm_error *err);

/** Per-zone concentration: zone[k] in [0, nzones) gives cell k's zone,
 *  -1 = no zone (cell ignored). out[z] (caller-allocated, nzones entries)
 *  receives zone z's results; top_area (0..1) and event_share (0..1) set
 *  the top_share and area_for questions. Returns 0, RTM_ERR_INPUT (zone id
 *  out of range or bad count, naming the cell), RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_concentration_by_zone(const double *counts, const int *zone, size_t ncells,
                              int nzones, double top_area, double event_share,
                              rtm_conc_zone *out, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
