/* rtm_kde.h: kernel density estimation of points on a grid, and the default
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
 *   RTM_UNITS_KM2   events per km^2: D x 1e6 (the CRS must be in metres);
 *   RTM_UNITS_M2    events per CRS unit^2 (per m^2 in a metre CRS): D;
 *   RTM_UNITS_CELL  expected events per cell: D x res^2.
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
#ifndef RTM_KDE_H
#define RTM_KDE_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    int threads;              /**< OpenMP threads, 0 = OpenMP default; no effect on the result */
    rtm_progress_fn progress; /**< optional progress callback (may be NULL) */
    void *progress_arg;       /**< passed to progress */
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
 *  Returns 0; RTM_ERR_ARG (bad grid or options), RTM_ERR_INPUT (a non-finite
 *  coordinate or a negative/non-finite weight: the point's index is named;
 *  such points are never silently skipped), RTM_ERR_NOMEM, or RTM_ERR_CANCEL
 *  (the progress callback returned 0).
 *  Memory: 3 doubles + 1 index per point plus O(threads x ncols) scratch.
 *  Thread safety: reentrant; runs its own OpenMP team (o->threads). The
 *  progress callback is called from the calling thread only. */
int rtm_kde_compute(const rtm_grid *g, const double *x, const double *y, const double *w,
                    size_t n, const rtm_kde_opts *o, double *out, rtm_error *err);

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

#ifdef __cplusplus
}
#endif
#endif
