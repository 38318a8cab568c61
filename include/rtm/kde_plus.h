/* rtm/kde_plus.h: the complete kernel density estimate - edge correction,
 * adaptive (Abramson) bandwidths and the likelihood cross-validation
 * bandwidth rule, on top of rtm_kde_compute (rtm/surface.h).
 * Part of the public API; include <rtm.h> for all of it.
 *
 * ---- The window and its kernel mass -----------------------------------
 * The window W is the study area as a mask of grid cells (1 = inside; NULL =
 * every cell of the grid). The kernel mass of W seen from a cell centre u is
 *
 *     e(u) = M_W(u) / M_inf,   M_W(u) = res^2 sum_{c in W} K(u - c),
 *                              M_inf  = res^2 sum_{(a,b) in Z^2} K(res (a, b)),
 *
 * sums over the centres c of the window's cells and over the whole infinite
 * lattice of cell offsets: the share of the discretised kernel that falls
 * inside the window (spatstat's second.moment.engine(what = "edge") computes
 * the same ratio by FFT, its kernel image being divided by its own sum).
 * e = 1 (exactly: values within 1e-12 of 1 are set to 1) at cells farther
 * than the radius from the window's outside, and e = 0 at cells outside the
 * window. M_W is one extra kernel density surface through the same engine:
 * of the window's cell centres, or, when cheaper, of the centres of the
 * outside cells (in the grid or beyond it) within reach of the window,
 * e = 1 - M_outside / M_inf (the same sum, split the other way).
 *
 * ---- Edge corrections (spatstat density.ppp; Diggle 1985) -------------
 *   none     D(u) = sum_i w_i K(u - x_i)                       (rtm_kde_compute)
 *   uniform  D(u) = sum_i w_i K(u - x_i) / e(u)                (edge = TRUE)
 *   diggle   D(u) = sum_i w_i K(u - x_i) / e(x_i)              (diggle = TRUE)
 * e(x_i) is read at the cell holding x_i (the nearest cell of the grid for a
 * point outside it), as spatstat's safelookup does. Cells where e(u) = 0
 * (farther than the radius from every window cell) get 0 under the uniform
 * correction. Sources: Diggle (1985), "A kernel method for smoothing point
 * process data", Applied Statistics 34(2) 138-147; Baddeley, Rubak & Turner
 * (2015), "Spatial Point Patterns", section 6.5.1; spatstat density.ppp.
 *
 * ---- Adaptive bandwidths (Abramson 1982) -------------------------------
 * A pilot fixed-bandwidth estimate f (same kernel and edge correction,
 * radius `pilot`, default the global radius h0) is read at each point's
 * cell; with gamma the geometric mean of the positive f(x_i),
 *     h_i = h0 min( (f(x_i) / gamma)^(-1/2), trim ),   f(x_i) = 0 -> h0 trim
 * (Abramson 1982, Annals of Statistics 10(4) 1217-1223; spatstat
 * bw.abram.ppp, which writes it h0 pmin(f^(-1/2) / gamma', trim) with
 * gamma' = exp(mean(log f))^(-1/2): the same; trim default 5 as there).
 * The estimate is D(u) = sum_i w_i K_{h_i}(u - x_i), edge-corrected with
 * each kernel's own radius.
 * Grouped (default): as spatstat's densityAdaptiveKernel.ppp, the h_i are
 * cut into G groups at their type-7 quantiles at p = 0, 1/G, ..., 1 (point
 * i in group k when q_k <= h_i < q_{k+1}, R's findInterval with
 * all.inside), each group is estimated with the fixed radius of its middle
 * quantile (p = (k + 1/2)/G) and the group surfaces are added in group
 * order. G = floor(sqrt(n)) (spatstat's default), at most 32, unless set.
 * The approximation replaces each kernel K_{h_i} by K_{h_g}, h_g the
 * group's middle quantile: its error falls about as 1/G. Measured against
 * the exact estimate (uniform correction): 300 simulated events, L1 error
 * 19 % / 4 % / 4 % / 1.1 % with 4 / 8 / 17 / 32 groups (tests/test_kde_plus.c);
 * 582 Southend burglaries, 50 m cells, radius 400 m: L1 4.1 % / 2.2 % /
 * 1.3 % / 0.7 % with 8 / 16 / 32 / 64 groups (largest cell error 17 % / 12 %
 * / 9 % / 6 % of the maximum, at isolated events, whose wide radii sit in the
 * sparse top group). The cap of 32 bounds the cost at 32 passes (64 passes
 * with an edge correction) for any number of events.
 * Exact (groups = RTM_KDE_GROUPS_EXACT): one group per point with its own
 * h_i: n kernel-density passes over the grid (for tests and small data).
 *
 * ---- Likelihood cross-validation (spatstat bw.ppl) ---------------------
 * Over ns candidate standard deviations s_k, geometric from the smallest
 * positive nearest-neighbour distance to half the window's diameter
 * (spatstat's defaults: ns = 16, srange = c(min(nndist > 0), diameter/2)),
 * the radius r_k = s_k / rtm_kernel_sigma_unit(kernel, truncate) is scored
 *     CV(r) = sum_i log D_{-i}(x_i) - res^2 sum_{c in W} D(c)
 * with D_{-i} the leave-one-out estimate at the point itself (exact
 * positions, every pair within the radius, with the edge correction: / e(x_i)
 * for uniform, w_j / e(x_j) for diggle; the Gaussian's pairs are taken up to
 * max(8 sd, the radius, twice the largest nearest-neighbour distance), as
 * spatstat's densitypointsEngine, so that one isolated point does not make a
 * candidate -inf), and D the surface on the grid; the
 * best r is returned (the first of equal maxima). The sum of logs is over
 * points, unweighted, as in bw.ppl; a candidate where some D_{-i} = 0 (an
 * isolated point under a bounded kernel) scores -inf. Wide candidates: when
 * a pass over the grid would cost more than about 4e8 kernel terms, the grid
 * terms (the edge mass, D and its integral) are computed on cells f times
 * larger (the smallest f that fits, keeping >= 16 cells per radius; each
 * coarse cell weighted by its share of study-area cells), which changes the
 * criterion by well under 1 % of its spread at such radii; the leave-one-out
 * sums stay exact. Cost per candidate:
 * one or two kernel-density passes over the grid plus the leave-one-out sums
 * through a bucket grid of the radius, O(n m) with m the mean number of
 * points within the radius (n^2 at the largest candidates), parallel over
 * points; deterministic.
 */
#ifndef RTM_KDE_PLUS_H
#define RTM_KDE_PLUS_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/surface.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Edge corrections (see above). */
typedef enum rtm_kde_edge {
    RTM_KDE_EDGE_NONE = 0,
    RTM_KDE_EDGE_UNIFORM,
    RTM_KDE_EDGE_DIGGLE
} rtm_kde_edge;

/** groups value for the exact adaptive estimate (one kernel per point). */
#define RTM_KDE_GROUPS_EXACT (-1)
/** Abramson's trim (spatstat bw.abram's default). */
#define RTM_KDE_TRIM_DEFAULT 5.0
/** Largest default number of adaptive groups. */
#define RTM_KDE_GROUPS_DEFAULT_MAX 32
/** Candidates of the likelihood cross-validation (spatstat bw.ppl's ns). */
#define RTM_KDE_CV_NS_DEFAULT 16

/** What to add to rtm_kde_compute. Initialise with rtm_kde_plus_init. */
typedef struct rtm_kde_plus {
    rtm_kde_edge edge;            /**< default none */
    const unsigned char *window;  /**< ncells flags (1 = inside), borrowed; NULL = the grid */
    int adaptive;                 /**< 1: Abramson's adaptive radii; default 0 */
    double pilot;                 /**< pilot radius, 0 (default) = the radius */
    double trim;                  /**< largest h_i / h0, default 5 */
    int groups;                   /**< 0 = floor(sqrt(n)), at most 32; > 0 groups;
                                       RTM_KDE_GROUPS_EXACT */
} rtm_kde_plus;

/** What rtm_kde_plus_compute did (for metadata and reports). */
typedef struct rtm_kde_plus_info {
    int groups;          /**< groups used (adaptive), n for exact, 0 for fixed */
    double hmin, hmax;   /**< smallest and largest radius used (adaptive) */
    double gamma;        /**< geometric mean of the pilot values (adaptive) */
    double emin;         /**< smallest e(x_i) of a point (diggle) or e(u) of a window
                              cell (uniform); 1 with no correction */
    double h0;           /**< the global radius (o->radius) */
} rtm_kde_plus_info;

/** Defaults: no edge correction, whole grid, fixed radius, trim 5, groups 0. */
void rtm_kde_plus_init(rtm_kde_plus *p);

/** Check p (and its window size against g): every problem in one message.
 *  Returns 0 or RTM_ERR_ARG. */
int rtm_kde_plus_check(const rtm_kde_plus *p, const rtm_grid *g, rtm_error *err);

/** The edge mass e(u) of the window at every cell centre of g for the kernel
 *  and radius of o (units and progress ignored). window as in rtm_kde_plus
 *  (NULL = the grid). e: caller-owned, ncells doubles in [0, 1] (0 outside
 *  the window).
 *  Returns 0, RTM_ERR_ARG, RTM_ERR_NOMEM. Reentrant. */
int rtm_kde_edge_mass(const rtm_grid *g, const unsigned char *window, const rtm_kde_opts *o,
                      double *e, rtm_error *err);

/** M_inf of the kernel of o on g's lattice (see above). */
double rtm_kde_lattice_mass(const rtm_grid *g, const rtm_kde_opts *o);

/** Kernel density of n points on g as rtm_kde_compute (same arguments, units,
 *  errors, determinism), with p's edge correction and adaptive radii;
 *  p = NULL or defaults give exactly rtm_kde_compute's bytes. info (may be
 *  NULL) says what was done. */
int rtm_kde_plus_compute(const rtm_grid *g, const double *x, const double *y, const double *w,
                         size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *out,
                         rtm_kde_plus_info *info, rtm_error *err);

/** Abramson radii h (caller-owned, n doubles) of the points for global
 *  radius o->radius and p's pilot, trim, edge and window; *gamma (may be
 *  NULL) the geometric mean of the pilot values. Returns 0 or an error as
 *  rtm_kde_compute. */
int rtm_kde_abramson(const rtm_grid *g, const double *x, const double *y, const double *w,
                     size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *h,
                     double *gamma, rtm_error *err);

/** Result of the likelihood cross-validation rule. */
typedef struct rtm_kde_cv {
    int ns;                              /**< candidates scored */
    double sigma[64], radius[64], cv[64]; /**< per candidate (cv may be -INFINITY) */
    int coarsen[64];                     /**< grid terms on cells this many times larger
                                              (1 = the grid itself; see above) */
    int best;                            /**< index of the chosen candidate */
} rtm_kde_cv;

/** Likelihood cross-validation bandwidth (see above) of n points on g for the
 *  kernel (and Gaussian truncation) of o, the edge correction and window of
 *  p (adaptive ignored), with ns candidates (0 = 16; at most 64). Sets
 *  *radius to the best candidate's radius; res (may be NULL) gets the whole
 *  curve. Returns 0, RTM_ERR_ARG, RTM_ERR_INPUT, RTM_ERR_MODEL (fewer than
 *  2 distinct points, or every candidate scores -inf), RTM_ERR_NOMEM. */
int rtm_bandwidth_cv(const rtm_grid *g, const double *x, const double *y, const double *w,
                     size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, int ns,
                     double *radius, rtm_kde_cv *res, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
