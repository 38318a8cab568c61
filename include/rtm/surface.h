/* rtm/surface.h: surfaces from events and layers: kernel density, distance, Gi* hot spots.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_SURFACE_H
#define RTM_SURFACE_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/input.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== kde: kernel density estimation of points on a grid, and the default
 * bandwidth (search radius) rules.
 *
 * Definitions (the kernel table of the project's KDE reference; each kernel
 * integrates to 1 over the plane; r = support radius, u = d/r, d = distance):
 *
 *   uniform (disc)       K(d) = 1/(pi r^2)                  d <= r
 *   triangular (cone)    K(d) = 3/(pi r^2) (1 - u)          d <= r
 *   Epanechnikov         K(d) = 2/(pi r^2) (1 - u^2)        d <= r
 *   quartic (biweight)   K(d) = 3/(pi r^2) (1 - u^2)^2      d <= r
 *   triweight            K(d) = 4/(pi r^2) (1 - u^2)^3      d <= r
 *   Gaussian             K(d) = exp(-d^2 / (2 s^2)) / (2 pi s^2),
 *                        TRUNCATED at d <= r and NOT renormalised, with
 *                        s = r / gauss_truncate (default gauss_truncate = 4,
 *                        i.e. s = r/4 as GRASS v.kernel); the mass cut off
 *                        is exp(-gauss_truncate^2 / 2) (3.4e-4 at 4).
 *
 * The density at the centre of cell (i, j) is
 *     D(i, j) = sum_p w_p K(d_p(i, j))
 * with the TRUE point positions (no snapping to cells), and a cell is inside
 * the support of point p exactly when, in double precision,
 *     dx*dx + dy*dy <= r*r,  dx = rtm_grid_cell_x(g, j) - x_p,
 *                            dy = rtm_grid_cell_y(g, i) - y_p.
 * (This only matters for the uniform kernel, whose edge is a jump.)
 * Points outside the grid contribute to the cells within r of them.
 *
 * Units of the result (rtm_density_units):
 *   RTM_UNITS_KM2   events per km^2: D x 1e6 / m^2;
 *   RTM_UNITS_M2    events per m^2: D / m^2;
 *   RTM_UNITS_CELL  expected events per cell: D x res^2;
 * m = metres per CRS unit (1 for metres, 0.3048 for international feet,
 * 1200/3937 for US survey feet): rtm_kde_opts.metres_per_unit, or by default
 * the linear unit of the grid's CRS (g->crs, rtm_crs_metres_per_unit; 1 when
 * the grid has no CRS; km2 and m2 are refused for a geographic CRS).
 *
 * Algorithm and cost (n points, ncells cells, rho = r/res cells):
 *   The four polynomial kernels (uniform, Epanechnikov, quartic, triweight:
 *   A (1 - u^2)^m, m = 0..3) cost O(n rho (rho/S + S) + ncells): along each
 *   grid row a point's contribution is a polynomial of degree 2m in the
 *   column index; the row is cut into segments of S columns (S <= rho/2, at
 *   most 16) and each point ADDS its polynomial, written in the segment's own
 *   local variable, to every segment wholly inside its chord's core; nothing
 *   is carried from segment to segment (no prefix sums, so nothing drifts
 *   along a row). Each segment's polynomial is evaluated at its cells at the
 *   end of the row; partial segments and the outer fringe of each chord
 *   (1 - u^2 below a small threshold) are summed cell by cell. Accuracy
 *   against the brute-force sum: relative error ~1e-14 on cells above 1e-6
 *   of the maximum (bound < 1e-10; tests/test_kde.c, rtm/kde_poly.c).
 *   Triangular and Gaussian are evaluated directly, cell by cell inside each
 *   point's support: O(n rho^2) operations, tens of times slower for large
 *   radii (the Gaussian uses a two-product recurrence instead of exp()).
 *   Timings: `make bench` (tools/bench.sh).
 *
 * Determinism: every output row is computed by one thread from the points in
 * their input order, so the result is byte-identical for any thread count.
 */
/** Kernel shapes (see the table above). */
typedef enum {
    RTM_KERNEL_QUARTIC,
    RTM_KERNEL_EPANECHNIKOV,
    RTM_KERNEL_TRIANGULAR,
    RTM_KERNEL_UNIFORM,
    RTM_KERNEL_TRIWEIGHT,
    RTM_KERNEL_GAUSSIAN
} rtm_kernel;

/** Units of the density surface (see above). */
typedef enum { RTM_UNITS_KM2, RTM_UNITS_M2, RTM_UNITS_CELL } rtm_density_units;

/** Default number of standard deviations at which the Gaussian is cut. */
#define RTM_KDE_GAUSS_TRUNCATE_DEFAULT 4.0

/** Options of rtm_kde_compute. Initialise with rtm_kde_opts_init, then set
 *  the fields you need. */
typedef struct rtm_kde_opts {
    rtm_kernel kernel;        /**< default RTM_KERNEL_QUARTIC */
    double radius;            /**< support radius r in CRS units, > 0 (no default: 0) */
    double gauss_truncate;    /**< Gaussian only: s = radius / gauss_truncate; the kernel is
                                   cut at radius = gauss_truncate standard deviations.
                                   Default 4 (GRASS v.kernel). Must be > 0 */
    rtm_density_units units;  /**< default RTM_UNITS_KM2 */
    double metres_per_unit;   /**< length of one CRS unit in metres for km2/m2 units; 0
                                   (default) = the linear unit of g->crs, 1 if the grid
                                   has no CRS */
    int threads;              /**< OpenMP threads, 0 = OpenMP default; no effect on the result */
    rtm_progress_fn progress; /**< optional progress callback (may be NULL) */
    void *progress_arg;       /**< passed to progress */
    int row0, row1;           /**< compute rows [row0, row1) only (a strip, rtm/tile.h): out
                                   holds (row1 - row0) x ncols values, each the same as in
                                   the whole grid; 0, 0 (default) = every row */
    int col0, col1;           /**< only columns [col0, col1) are wanted (a rectangular tile):
                                   the points that cannot reach them are left out, so those
                                   columns are the whole grid's, bit for bit, and the others
                                   of out are not meaningful; 0, 0 (default) = every column */
} rtm_kde_opts;

/** Set defaults: quartic, radius 0 (must be set), gauss_truncate 4, km^2,
 *  threads 0, no progress callback. */
void rtm_kde_opts_init(rtm_kde_opts *o);

/** Compute the kernel density surface of n points on grid g.
 *
 *  g      grid (validated with rtm_grid_check).
 *  x, y   n point coordinates in the grid's CRS; must be finite.
 *  w      n weights (finite, >= 0), or NULL for all 1.
 *  n      number of points (0 gives an all-zero surface).
 *  o      options; o->radius must be finite and > 0, and at most 1e6 cells.
 *  out    caller-owned array of rtm_grid_ncells(g) doubles, row-major, row 0
 *         north; fully overwritten on success (cells outside every kernel are
 *         exactly 0, values are never negative). Unspecified on failure.
 *  err    error buffer (may be NULL).
 *
 *  Returns 0; RTM_ERR_ARG (bad grid or options, km2/m2 on a geographic grid
 *  CRS), RTM_ERR_INPUT (a non-finite coordinate or a negative/non-finite
 *  weight: the point's index is named; such points are never silently
 *  skipped; or a non-finite density, from weights so large that the sum
 *  overflows: the cell is named), RTM_ERR_NOMEM, or RTM_ERR_CANCEL
 *  (the progress callback returned 0).
 *  Memory: 3 doubles + 1 index per point plus O(threads x ncols) scratch.
 *  Thread safety: reentrant; runs its own OpenMP team (o->threads). The
 *  progress callback is called from the calling thread only. */
int rtm_kde_compute(const rtm_grid *g, const double *x, const double *y, const double *w,
                    size_t n, const rtm_kde_opts *o, double *out, rtm_error *err);

/** Receives one row i of a density (ncols values, a buffer reused for the
 *  next row); a non-zero return stops rtm_kde_rows, which returns it. */
typedef int (*rtm_kde_row_fn)(int i, const double *row, void *arg);

/** The density of rtm_kde_compute (the same values, bit for bit), row by
 *  row on the calling thread, in increasing row order, and only for the
 *  rows some point can reach: every row fn is not called for is exactly
 *  0. Costs the rows reached, not the grid (o->threads and o->progress
 *  are not used). Returns 0, an error as rtm_kde_compute, or fn's code. */
int rtm_kde_rows(const rtm_grid *g, const double *x, const double *y, const double *w,
                 size_t n, const rtm_kde_opts *o, rtm_kde_row_fn fn, void *arg,
                 rtm_error *err);

/** Receives one row i of a density (ncols values, a buffer reused for the
 *  next row) and its spans: sorted disjoint column ranges [span[2k],
 *  span[2k + 1]), k < nspan, outside which the row is exactly 0. */
typedef int (*rtm_kde_spans_fn)(int i, const double *row, const int *span, int nspan,
                                void *arg);

/** rtm_kde_rows for grid rows r0 .. r1 - 1 only, telling fn where each row
 *  can be non-zero (the columns within reach of the points that reach the
 *  row, in blocks of 32): a row costs its spans, not the grid's width. The
 *  same values, bit for bit, as rtm_kde_compute. */
int rtm_kde_rows_spans(const rtm_grid *g, const double *x, const double *y, const double *w,
                       size_t n, const rtm_kde_opts *o, int r0, int r1, rtm_kde_spans_fn fn,
                       void *arg, rtm_error *err);

/** Parse a kernel name: "quartic" (alias "biweight"), "epanechnikov",
 *  "triangular" (alias "cone"), "uniform" (alias "disc"), "triweight",
 *  "gaussian"; case-insensitive. Returns 0 and sets *k, or -1 (k untouched). */
int rtm_kernel_parse(const char *name, rtm_kernel *k);
/** Canonical lower-case kernel name ("quartic", ...); "?" if out of range. */
const char *rtm_kernel_name(rtm_kernel k);

/** Parse units: "km2", "m2", "cell"; case-insensitive. Returns 0 or -1. */
int rtm_units_parse(const char *name, rtm_density_units *u);
/** Canonical units name ("km2", "m2", "cell"); "?" if out of range. */
const char *rtm_units_name(rtm_density_units u);

/** The reference formula K(d) per unit area (CRS units^-2) for support radius
 *  `radius`; 0 for d > radius. Gaussian uses the default truncation
 *  (s = radius / 4). For tests and documentation: thread safe, no checks. */
double rtm_kernel_value(rtm_kernel k, double d, double radius);

/** As rtm_kernel_value, honouring o->kernel, o->radius and o->gauss_truncate. */
double rtm_kde_kernel_value(const rtm_kde_opts *o, double d);

/** Per-axis standard deviation of kernel k with support radius 1
 *  (sqrt(E[d^2]/2)): uniform 1/2, Epanechnikov 1/sqrt(6), quartic
 *  1/sqrt(8), triweight 1/sqrt(10), triangular sqrt(0.15), Gaussian
 *  1/gauss_truncate (truncation ignored). Multiply by the radius. For the
 *  quartic this is spatstat's convention sigma = R / (2 sqrt 2). */
double rtm_kernel_sigma_unit(rtm_kernel k, double gauss_truncate);

/* ---- bandwidth rules (bandwidth.c) -------------------------------------
 * All take n points (finite coordinates) and optional weights w (NULL = all
 * 1; else finite, >= 0, with a positive sum). They return 0 and set the
 * output, or RTM_ERR_INPUT / RTM_ERR_MODEL (degenerate: fewer than 2 points,
 * or all points at one place so the rule gives 0) / RTM_ERR_NOMEM with a
 * message. Thread safe. */

/** ArcGIS Pro's default search radius for Kernel Density (ArcGIS Pro help,
 *  "How Kernel Density works"; Silverman 1986, eq. 4.14, adapted to 2-D):
 *    r = 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2
 *  SD = weighted standard distance sqrt(sum w |p - c|^2 / sum w) about the
 *  weighted mean centre c; Dm = weighted median of |p - c| (the smallest
 *  distance whose cumulative weight reaches half the total, averaged with the
 *  next one when it is exactly half: the ordinary median for unit weights);
 *  n = number of points, or the sum of the weights. A quartic radius. */
int rtm_bandwidth_arcgis(const double *x, const double *y, const double *w, size_t n,
                         double *radius, rtm_error *err);

/** Scott's normal-reference rule per axis (Scott 1992, eq. 6.42; R's
 *  bw.nrd; MASS::bandwidth.nrd is 4 times it):
 *    h_x = 1.06 min(sd_x, IQR_x / 1.34) n^-1/5,  same for y,
 *  sd with divisor (n - 1), IQR from type-7 quartiles (R's default); with
 *  weights these are frequency-weighted (n = sum of weights; identical to
 *  repeating each point w times when weights are integers).
 *  Sets *hx, *hy (either may be NULL) and *h = sqrt(h_x h_y), the geometric
 *  mean (the isotropic bandwidth). These are Gaussian standard deviations. */
int rtm_bandwidth_scott_sigma(const double *x, const double *y, const double *w, size_t n,
                              double *hx, double *hy, double *h, rtm_error *err);

/** Scott's rule as a QUARTIC support radius: the radius whose quartic kernel
 *  has the per-axis standard deviation h of rtm_bandwidth_scott_sigma,
 *  r = 2 sqrt(2) h (for another kernel k use h / rtm_kernel_sigma_unit(k, t)). */
int rtm_bandwidth_scott(const double *x, const double *y, const double *w, size_t n,
                        double *radius, rtm_error *err);

/* ==== distance: exact Euclidean distance surfaces to risk-factor features.
 *
 * rtm_distance_compute gives, for every cell centre of a grid, the Euclidean
 * distance to the nearest feature geometry of a collection (rtm/input.h):
 * a point, a polyline segment or a polygon boundary edge, with 0 for a cell
 * centre inside a polygon. Proximity(d) of the RTM method is then simply
 * "distance <= d".
 *
 * Exact: each value is sqrt(min over the primitives that can be nearest of
 * the squared distance), the squared distance to a segment being taken to
 * its closest point (projection of the centre clamped to the segment). The
 * primitives are never clipped to the grid: features just outside the grid
 * still count. Cost is not cells x primitives: the primitives go into a
 * uniform bucket grid; each 64 x 64-cell tile finds its nearest primitive by
 * an expanding-ring bucket search, gathers the primitives that can be
 * nearest to any of its cells, and a quadtree refinement narrows that list
 * down to a few per cell. Polygon inside-ness is computed per row by a
 * scanline crossing test over the polygon edges.
 *
 * For Proximity(d) at several distances, compute the surface once with
 * max_dist = the largest d and compare each cell with each d.
 *
 * Magnitudes: distances are square roots of squared distances, so a
 * distance above about 1.3e154 (its square overflows a double) is +INFINITY.
 * Features at such coordinates (a broken geocode at 1e308) never make the
 * search loop longer than one pass over all buckets; the loaders skip them
 * anyway (RTM_SKIP_OUTSIDE_CRS).
 */
/** Distance from every cell centre of g to the nearest geometry of f.
 *
 *  g         the grid (checked with rtm_grid_check).
 *  f         the features (read only); an empty collection is allowed and
 *            gives +INFINITY everywhere.
 *  max_dist  search radius, >= 0, or INFINITY for none. Cells whose nearest
 *            feature is farther than max_dist get +INFINITY; the others get
 *            their exact distance (so a finite max_dist only saves time).
 *  threads   OpenMP threads, <= 0 for the OpenMP default. The output bytes
 *            are the same for every thread count.
 *  out       caller-allocated, rtm_grid_ncells(g) doubles, row 0 north
 *            (index i*ncols + j). Its contents are unspecified on failure.
 *
 *  Inside a polygon (even-odd rule over the polygon's rings, union over
 *  polygons; see rtm/input.h) the value is 0. A centre exactly on a
 *  boundary has distance 0 either way.
 *  Returns 0, RTM_ERR_ARG (bad grid or max_dist) or RTM_ERR_NOMEM.
 *  Thread safety: reentrant; f may be shared by concurrent calls. */
int rtm_distance_compute(const rtm_grid *g, const rtm_features *f, double max_dist,
                         int threads, double *out, rtm_error *err);

/** The same for rows [r0, r1) only (a strip, rtm/tile.h): out holds
 *  (r1 - r0) x ncols values, each the same as in the whole grid (every value
 *  is an exact minimum, whatever the blocks it is found in). */
int rtm_distance_compute_rows(const rtm_grid *g, const rtm_features *f, double max_dist,
                              int threads, int r0, int r1, double *out, rtm_error *err);

/** The same for the window of rows [r0, r1) x columns [c0, c1) (a
 *  rectangular tile, rtm/tile.h): out holds (r1 - r0) x ncols values, those
 *  of the window's columns the whole grid's (the 64-cell blocks that meet
 *  the window are computed; the other cells are left INFINITY). */
int rtm_distance_compute_window(const rtm_grid *g, const rtm_features *f, double max_dist,
                                int threads, int r0, int r1, int c0, int c1, double *out,
                                rtm_error *err);

/** Nearest-neighbour distance of each of n points among the others.
 *
 *  xy        n points, interleaved x, y (finite), read only.
 *  n         >= 2.
 *  threads   as above; the result does not depend on it.
 *  nn_out    caller-allocated, n doubles: nn_out[i] = min over k != i of the
 *            Euclidean distance between points i and k. Duplicate points are
 *            distinct points at distance 0 from each other.
 *  Returns 0, RTM_ERR_ARG (n < 2), RTM_ERR_INPUT (non-finite coordinate) or
 *  RTM_ERR_NOMEM. Uses the same bucket search as rtm_distance_compute. */
int rtm_distance_nearest_neighbours(const double *xy, size_t n, int threads, double *nn_out,
                                    rtm_error *err);

/* ==== hotspot: Getis-Ord Gi* hot-spot statistics on grid counts.
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

/** The parts of Gi* for statistics built on it (the space-time Gi* of
 *  rtm/emerging.h): for every inside cell of grid g, num[k] = the sum over
 *  its neighbourhood (o->band or o->knn, the cell itself included, cells
 *  outside mask left out) of x - mean, and w[k] = the number of cells in it.
 *  Outside cells get 0 and 0. x, num, w: ncells doubles (num and w written).
 *  Deterministic for any o->threads. Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_gistar_nbsums(const rtm_grid *g, const double *x, const unsigned char *mask,
                      const rtm_gistar_opts *o, double mean, double *num, double *w,
                      rtm_error *err);

/** The standardised Gi* with binary weights (Ord & Getis 1995, eq. 8 with
 *  S1 = W): num / (sd sqrt((n W - W^2) / (n - 1))), num = sum of x - mean
 *  over the W neighbours, n values in all, sd their population SD. 0 when
 *  n < 2, sd == 0 or the variance term is not positive. */
double rtm_gistar_zscore(double num, double w, size_t n, double sd);

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

/* ==== Gi* in strips of rows (rtm/tile.h) ================================
 * rtm_gistar of a whole grid is: global statistics, the neighbourhood sums
 * and z of every cell, then p-values and bins. The same in pieces, with the
 * same bytes: */

/** n, mean and SD of the inside cells' counts (population form), summed in
 *  cell order exactly as rtm_gistar does, from the cells that hold events
 *  only: cell[0..nz) strictly ascending cell indices, val their counts
 *  (every other cell counts 0). One pass over the cells, no grid of counts.
 *  Returns 0, RTM_ERR_ARG (cells out of order) or RTM_ERR_INPUT. */
int rtm_gistar_stats_sparse(const rtm_grid *g, const unsigned char *mask, const size_t *cell,
                            const double *val, size_t nz, size_t *n, double *mean, double *sd,
                            rtm_error *err);

/** The rows [*xr0, *xr1) of counts that the Gi* of strip [r0, r1) needs
 *  (rtm_gistar_strip, rtm_stgistar_strip): a distance band, the strip and
 *  the rows within the band (one spare row: rounding), clipped to the grid;
 *  k nearest cells, every row. */
void rtm_gistar_strip_rows(const rtm_grid *g, const rtm_gistar_opts *o, int r0, int r1,
                           int *xr0, int *xr1);

/** rtm_gistar_nbsums of rows [r0, r1) only: num and w ((r1 - r0) x ncols
 *  each) from the values x of rows [xr0, xr1) (a distance band: at least
 *  the strip's rows and those within the band; k nearest: every row) and
 *  the whole grid's mask; each cell's sums are those of the whole grid's.
 *  Returns 0, RTM_ERR_ARG (rows not covered, options) or RTM_ERR_NOMEM. */
int rtm_gistar_nbsums_strip(const rtm_grid *g, const double *x, int xr0, int xr1,
                            const unsigned char *mask, const rtm_gistar_opts *o, double mean,
                            int r0, int r1, double *num, double *w, rtm_error *err);

/** z of rows [r0, r1) (NaN outside the mask) into z ((r1 - r0) x ncols),
 *  from the counts x of rows [xr0, xr1) (a distance band: at least the
 *  strip's rows and those within the band; k nearest: every row), the
 *  whole grid's mask, and the global n, mean and sd. */
int rtm_gistar_strip(const rtm_grid *g, const double *x, int xr0, int xr1,
                     const unsigned char *mask, const rtm_gistar_opts *o, size_t n, double mean,
                     double sd, int r0, int r1, double *z, rtm_error *err);

/** The bins of the whole grid's z (p-values, then rtm_gistar_bins with or
 *  without the FDR), as rtm_gistar gives them. */
int rtm_gistar_classify(const double *z, const unsigned char *mask, size_t n, int fdr,
                        int threads, signed char *bin, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
