/* rtm/change.h: change between two periods (or two event sets) - the dual
 * kernel density (difference, ratio, log ratio) with a seeded label
 * permutation test per cell, multiple-testing adjustment of p-values, and
 * Andresen's spatial point pattern test over areal units; and the `change`
 * product that writes them all.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_CHANGE_H
#define RTM_CHANGE_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/surface.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== p-value adjustment (surface/padjust.c) ==============================
 *
 * As R's stats::p.adjust (R Core Team), over the finite p-values only (NaN
 * entries stay NaN and do not count in m, as p.adjust's NA):
 *   BH  (Benjamini & Hochberg 1995, JRSS B 57(1) 289-300):
 *       q_(i) = min_{j >= i} min(1, m / j * p_(j))
 *   BY  (Benjamini & Yekutieli 2001, Ann. Statist. 29(4) 1165-1188):
 *       q_(i) = min_{j >= i} min(1, c(m) m / j * p_(j)),  c(m) = sum_{k=1}^m 1/k
 * with p_(1) <= ... <= p_(m) the sorted p-values. */
typedef enum { RTM_PADJ_NONE, RTM_PADJ_BH, RTM_PADJ_BY } rtm_padj_method;

/** Adjust n p-values p into q (may be the same array). Returns 0,
 *  RTM_ERR_INPUT (a p-value outside [0, 1]) or RTM_ERR_NOMEM. */
int rtm_p_adjust(const double *p, size_t n, rtm_padj_method m, double *q, rtm_error *err);

/* ==== dual KDE and the label permutation test (surface/change.c) ===========
 *
 * Events are pooled and each carries a period label (before/after). With one
 * kernel and one radius for both periods:
 *   before(c) = s_b * KDE_before(c),  after(c) = s_a * KDE_after(c)
 * where s_b, s_a scale each period (e.g. 1 / its months: densities per month);
 *   difference = after - before (the KDE's units, scaled);
 *   ratio      = after / before (cells with before = 0: NaN);
 *   log ratio  = ln(after / before) (cells where either is 0: NaN).
 * The dual KDE is sfhotspot's hotspot_dual_kde (Ashby 2023) and the
 * relative risk surface of Kelsall & Diggle (1995, Bernoulli 1(1) 3-16).
 *
 * Test (Monte Carlo permutation of the period labels of the pooled events,
 * Kelsall & Diggle 1995; Davies, Jones & Hazelton 2016, Spatial and
 * Spatio-temporal Epidemiology 18 19-32): under "no change in the spatial
 * pattern" every assignment of n_after labels to the N pooled events is
 * equally likely. The number of events per period is fixed, so the test asks
 * where the after period's SHARE of the local density differs from its
 * overall share (a uniform rise everywhere is not significant). The
 * statistic at cell c is A(c) = KDE of the after-labelled events (the
 * difference is s_a A - s_b (T - A), T the pooled KDE: monotone in A). With
 * B permutations, ge(c) = #{A_perm >= A_obs}, le(c) = #{A_perm <= A_obs}
 * (equal within 1e-10 T(c)), and the two-sided p-value is
 *   p(c) = min(1, 2 min(ge + 1, le + 1) / (B + 1))
 * (Davison & Hinkley 1997, ch. 4; Phipson & Smyth 2010). Cells with T = 0
 * (no event within the radius) or outside the mask are not tested (NaN).
 * p-values are adjusted with Benjamini-Hochberg over the tested cells;
 * class +1 (significant increase of the share), -1 (decrease), 0 (not
 * significant at alpha, or not tested).
 *
 * Exact and fast: events at the same coordinates contribute identically, so
 * the pooled events are grouped once into their u distinct locations; each
 * permutation draws the after set (a partial Fisher-Yates shuffle of the
 * smaller period, O(N)), sums its weights per location and runs the linear
 * KDE engine (rtm_kde_compute) on the locations with a non-zero weight. The
 * cost per permutation is one KDE of at most u points: O(N + u rho (rho/S +
 * S) + ncells) for the polynomial kernels (see rtm_kde_compute). Permutation
 * i uses its own generator seeded from (seed, i) (xoshiro256**, Blackman &
 * Vigna 2018, through splitmix64), iterations run in parallel and the
 * integer tallies are summed, so the result is identical for any thread
 * count. */
typedef struct rtm_change_opts {
    rtm_kde_opts kde;          /**< kernel, radius (> 0), units, threads */
    double scale_before;       /**< s_b (default 1) */
    double scale_after;        /**< s_a (default 1) */
    int iterations;            /**< permutations B (default 999; 0 = no test) */
    unsigned long long seed;   /**< default 1 */
    double alpha;              /**< FDR level of the classes (default 0.05) */
} rtm_change_opts;

/** Defaults as above (radius 0: must be set). */
void rtm_change_opts_init(rtm_change_opts *o);

/** What rtm_change_compute made: ncells values each (NaN outside the mask). */
typedef struct rtm_change_surfaces {
    double *before, *after;    /**< scaled KDEs */
    double *difference, *ratio, *log_ratio;
    double *count_before, *count_after; /**< events (weights) per cell, unscaled */
    double *p;                 /**< permutation p-values (NaN: not tested; NULL: B = 0) */
    double *q;                 /**< BH-adjusted p (NULL: B = 0) */
    signed char *cls;          /**< -1, 0, +1 (all 0 when B = 0) */
    size_t ntested, nup, ndown;
    size_t nlocations;         /**< distinct event locations u */
} rtm_change_surfaces;

/** Dual KDE and permutation test of n events (x, y, weights w or NULL for
 *  1, is_after[i] non-zero for the after period) on grid g (mask may be
 *  NULL). Both periods need at least one event. r is filled (free with
 *  rtm_change_surfaces_free, also after a failure). Returns 0 or an error
 *  of rtm_kde_compute, RTM_ERR_INPUT (a period without events) or
 *  RTM_ERR_NOMEM. Thread safety: reentrant; runs its own OpenMP team. */
int rtm_change_compute(const rtm_grid *g, const unsigned char *mask, const double *x,
                       const double *y, const double *w, const unsigned char *is_after,
                       size_t n, const rtm_change_opts *o, rtm_change_surfaces *r,
                       rtm_error *err);
void rtm_change_surfaces_free(rtm_change_surfaces *r);

/* The same in strips of rows (rtm/tile.h), with the same bytes: each strip
 * gives RTM_CHANGE_NBANDS planes of its cells - the two periods' KDEs
 * (unscaled) and counts, the permutation p-values (NaN: not tested) and the
 * direction of the observed share (+1 upper tail, -1 lower, 0 neither);
 * every strip draws the same permutations (seed, i) of all the events. The
 * finish adjusts the whole grid's p-values (BH) and makes the classes. */
enum { RTM_CHANGE_BAND_BEFORE, RTM_CHANGE_BAND_AFTER, RTM_CHANGE_BAND_COUNT_BEFORE,
       RTM_CHANGE_BAND_COUNT_AFTER, RTM_CHANGE_BAND_P, RTM_CHANGE_BAND_DIR,
       RTM_CHANGE_NBANDS };
int rtm_change_strip(const rtm_grid *g, const unsigned char *mask, const double *x,
                     const double *y, const double *w, const unsigned char *is_after, size_t n,
                     const rtm_change_opts *o, int r0, int r1, double *bands, rtm_error *err);
/** The surfaces of rtm_change_compute from the whole grid's bands. */
int rtm_change_finish(const rtm_grid *g, const unsigned char *mask, const double *x,
                      const double *y, size_t n, const rtm_change_opts *o, const double *bands,
                      rtm_change_surfaces *r, rtm_error *err);

/* ==== Andresen's spatial point pattern test (surface/sppt.c) ==============
 *
 * Over areal units with counts of base (before) and test (after) events.
 * 1. Andresen (2009, "Testing for similarity in area-based spatial patterns:
 *    a nonparametric Monte Carlo approach", Applied Geography 29(3) 333-345),
 *    as R sppt::sppt (Steenbeek & Andresen): `samples` random subsets of
 *    round(percpoints % of the test events) drawn without replacement; the
 *    interval of each unit's test percentage is the sorted samples' entries
 *    floor(a/2 * samples) + 1 and ceiling((1 - a/2) * samples) (a = 1 -
 *    conf_level/100; 6th and 195th of 200 at 95 %); S index = -1, 0, +1 as
 *    the base percentage is below, inside or above it; local S = -S index
 *    (+1 = the unit's share rose); global S = the share of units with S index
 *    0; robust S the same over units with at least one event.
 * 2. Wheeler, Steenbeek & Andresen (2018, "Testing for similarity in area-
 *    based spatial patterns: alternative methods to Andresen's spatial point
 *    pattern test", Transactions in GIS 22(3) 760-774), as R
 *    sppt::sppt_diff with its defaults: a 2 x 2 test of each unit's share,
 *    Pearson's chi-square times (N - 1)/N ("N-1" chi-square, Campbell 2007)
 *    with one degree of freedom, p-values adjusted by Benjamini-Yekutieli;
 *    S index +1 (-1) when the adjusted p < 1 - conf_level/100 and the base
 *    share is higher (lower); units whose table has an empty margin get
 *    p = NaN and S index 0. Global and robust S as above. */
typedef struct rtm_sppt_opts {
    int samples;               /**< default 200 */
    double percpoints;         /**< percent of test events per sample, default 85 */
    double conf_level;         /**< percent, default 95 */
    unsigned long long seed;   /**< default 1 */
} rtm_sppt_opts;

void rtm_sppt_opts_init(rtm_sppt_opts *o);

typedef struct rtm_sppt_unit {
    double n_before, n_after;  /**< events in the unit */
    double pct_before, pct_after;
    double conf_low, conf_high;/**< interval of the test percentage (resampling) */
    int s_index;               /**< Andresen's S index (-1, 0, 1) */
    double p, p_adj;           /**< proportion test p and its BY adjustment (NaN: none) */
    int s_index_diff;          /**< S index of the proportion test */
} rtm_sppt_unit;

typedef struct rtm_sppt_result {
    int nunits;
    rtm_sppt_unit *u;          /**< nunits, owned */
    double global_s, robust_s;           /**< resampling test */
    double global_s_diff, robust_s_diff; /**< proportion test */
    int nrobust;               /**< units with at least one event */
} rtm_sppt_result;

/** Both tests on counts per unit (before[k], after[k], k < nunits, whole
 *  numbers >= 0). Each period needs an event in some unit. r is filled
 *  (free with rtm_sppt_result_free). Returns 0, RTM_ERR_ARG (options),
 *  RTM_ERR_INPUT (no event in a period, a bad count) or RTM_ERR_NOMEM. */
int rtm_sppt(const double *before, const double *after, int nunits, const rtm_sppt_opts *o,
             rtm_sppt_result *r, rtm_error *err);
void rtm_sppt_result_free(rtm_sppt_result *r);

/** Upper tail of the chi-square distribution with one degree of freedom,
 *  P(X > x) = erfc(sqrt(x / 2)). */
double rtm_chisq1_upper(double x);

/** The "N-1" chi-square p-value of the 2 x 2 table [[a, b], [c, d]]
 *  (columns: periods): Pearson's X^2 (N - 1) / N, one degree of freedom;
 *  NaN when a margin is 0. */
double rtm_prop_test_nmin1(double a, double b, double c, double d);

/* ==== the change product (product/change_product.c) ====================== */

/** A period: a month range YYYYMM..YYYYMM (inclusive). */
typedef struct rtm_change_period {
    int from, to;              /**< YYYYMM; 0, 0 = every month of its events */
} rtm_change_period;

/** Parse "YYYY-MM..YYYY-MM" (or one month "YYYY-MM"). Returns 0 or
 *  RTM_ERR_ARG naming the text. */
int rtm_change_period_parse(const char *s, rtm_change_period *p, rtm_error *err);

/** Scaling of the periods' surfaces. */
typedef enum {
    RTM_CHANGE_SCALE_AUTO = 0, /**< per month when both periods have months, else none */
    RTM_CHANGE_SCALE_MONTH,    /**< each period divided by its number of months */
    RTM_CHANGE_SCALE_NONE      /**< totals of each period */
} rtm_change_scale;

typedef struct rtm_change_product {
    rtm_kde_product kde;       /**< kernel, radius (or rule, on the pooled events), units,
                                    compress, float64, title; its tif/png are unused */
    rtm_change_period before, after;
    rtm_change_scale scale;
    int iterations;            /**< default 999 */
    unsigned long long seed;   /**< default 1 */
    double alpha;              /**< default 0.05 */
    const char *dir;           /**< output folder ("" or NULL = names as they are) */
    int png;                   /**< 1 (default): the map change.png */
    int top;                   /**< rows of each end of places.csv (default 20) */
    /* areal units (optional) */
    const char *units_layer;   /**< polygons, or NULL */
    const char *units_layer_name, *units_where; /**< OGR layer and filter, NULL = first/all */
    const char *units_field;   /**< name field, NULL = "unit N" */
    rtm_sppt_opts sppt;
} rtm_change_product;

void rtm_change_product_init(rtm_change_product *p);

/** What the change product found. */
typedef struct rtm_change_result {
    size_t n_before, n_after;  /**< events in each period */
    int months_before, months_after;
    double radius;
    size_t ntested, nup, ndown;
    int nunits;
    double global_s, robust_s, global_s_diff, robust_s_diff;
    char units[128];           /**< units of the difference */
    char summary[256];
    double *difference;        /**< ncells (NaN outside), owned: rtm_change_result_free */
} rtm_change_result;

void rtm_change_result_free(rtm_change_result *r);

/** Change between the periods of ev (before/after select by month; without
 *  after_ev, both from ev) or between ev (before) and after_ev (after, on
 *  ev's grid). Writes into out under p->dir: difference.tif, ratio.tif,
 *  log_ratio.tif, significance.tif (class -1/0/+1), p_adjusted.tif,
 *  count_difference.tif (each + .qml), places.csv, change.png and, with
 *  units, units.csv and units_sppt.tif. res may be NULL. Returns 0 or an
 *  error (RTM_ERR_INPUT: a period with no event). */
int rtm_change_product_run(const rtm_change_product *p, const rtm_events *ev,
                           const rtm_events *after_ev, const rtm_product_env *env,
                           rtm_outset *out, rtm_change_result *res, rtm_error *err);

/** The same, computed as h says (rtm/tile.h; see rtm_kde_product_tiled): a
 *  strip's KDEs, counts and permutation tallies come from every event (the
 *  same permutations in every strip), the FDR classes, maps, areal-unit
 *  tests and tables from the merge. */
int rtm_change_product_tiled(const rtm_change_product *p, const rtm_events *ev,
                             const rtm_events *after_ev, const rtm_product_env *env,
                             const rtm_tiling *h, rtm_outset *out, rtm_change_result *res,
                             rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
