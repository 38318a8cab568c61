/* kde.c: kernel density surfaces (see rtm/surface.h).
 *
 * Points are bucketed by grid row (a stable counting sort, so the order of
 * points inside a bucket is the input order). Each output row is then built by
 * one thread from the buckets within reach of it: for every point the columns
 * inside its support are found with the exact predicate of rtm/surface.h, and the
 * contribution is added either through the segment polynomials
 * (kde_poly.c) or cell by cell (triangular, Gaussian, and short chords).
 *
 * Kernel constants: the project's KDE reference table; Silverman (1986),
 * "Density Estimation for Statistics and Data Analysis", Table 3.1 and
 * section 4.2.3 (2-D kernels), normalised so that each integrates to 1:
 *   int_0^r A (1 - (d/r)^2)^m 2 pi d dd = A pi r^2 / (m + 1) = 1
 *     => A = (m + 1) / (pi r^2): 1, 2, 3, 4 for m = 0..3;
 *   int_0^r A (1 - d/r) 2 pi d dd = A pi r^2 / 3 = 1  => A = 3 / (pi r^2).
 */
#include "rtm/surface.h"
#include "surface/kde_priv.h"
#include "core/hugepage.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define KDE_MAX_RHO 1e6     /* radius in cells beyond which we refuse */
#define KDE_ROW_BLOCK 16    /* rows of thread 0 between progress reports */
#define KDE_GAUSS_RESTART 32 /* cells between exact exp() in the recurrence */

/* ---- names, options, reference formula --------------------------------- */

static const char *const kernel_names[] = {"quartic", "epanechnikov", "triangular",
                                           "uniform", "triweight", "gaussian"};
static const char *const units_names[] = {"km2", "m2", "cell"};

void rtm_kde_opts_init(rtm_kde_opts *o)
{
    memset(o, 0, sizeof *o);
    o->kernel = RTM_KERNEL_QUARTIC;
    o->radius = 0.0;
    o->gauss_truncate = RTM_KDE_GAUSS_TRUNCATE_DEFAULT;
    o->units = RTM_UNITS_KM2;
}

int rtm_kernel_parse(const char *name, rtm_kernel *k)
{
    static const struct { const char *name; rtm_kernel k; } alias[] = {
        {"biweight", RTM_KERNEL_QUARTIC}, {"cone", RTM_KERNEL_TRIANGULAR},
        {"disc", RTM_KERNEL_UNIFORM}};
    size_t i;
    if (!name)
        return -1;
    for (i = 0; i < sizeof kernel_names / sizeof *kernel_names; i++)
        if (strcasecmp(name, kernel_names[i]) == 0) {
            *k = (rtm_kernel)i;
            return 0;
        }
    for (i = 0; i < sizeof alias / sizeof *alias; i++)
        if (strcasecmp(name, alias[i].name) == 0) {
            *k = alias[i].k;
            return 0;
        }
    return -1;
}

const char *rtm_kernel_name(rtm_kernel k)
{
    return (unsigned)k < sizeof kernel_names / sizeof *kernel_names ? kernel_names[k] : "?";
}

int rtm_units_parse(const char *name, rtm_density_units *u)
{
    size_t i;
    if (!name)
        return -1;
    for (i = 0; i < sizeof units_names / sizeof *units_names; i++)
        if (strcasecmp(name, units_names[i]) == 0) {
            *u = (rtm_density_units)i;
            return 0;
        }
    return -1;
}

const char *rtm_units_name(rtm_density_units u)
{
    return (unsigned)u < sizeof units_names / sizeof *units_names ? units_names[u] : "?";
}

/* Power m of (1 - u^2) for the polynomial kernels, -1 for the others. */
static int kernel_power(rtm_kernel k)
{
    switch (k) {
    case RTM_KERNEL_UNIFORM: return 0;
    case RTM_KERNEL_EPANECHNIKOV: return 1;
    case RTM_KERNEL_QUARTIC: return 2;
    case RTM_KERNEL_TRIWEIGHT: return 3;
    default: return -1;
    }
}

static double kernel_value(rtm_kernel k, double d, double r, double trunc)
{
    double u2, b, s;
    int m = kernel_power(k);
    if (!(d <= r))
        return 0.0;
    if (k == RTM_KERNEL_TRIANGULAR)
        return 3.0 / (M_PI * r * r) * (1.0 - d / r);
    if (k == RTM_KERNEL_GAUSSIAN) {
        s = r / trunc;
        return exp(-d * d / (2.0 * s * s)) / (2.0 * M_PI * s * s);
    }
    if (m < 0)
        return 0.0;
    u2 = (d / r) * (d / r);
    b = 1.0 - u2;
    return (double)(m + 1) / (M_PI * r * r) * pow(b, m);
}

double rtm_kernel_value(rtm_kernel k, double d, double radius)
{
    return kernel_value(k, d, radius, RTM_KDE_GAUSS_TRUNCATE_DEFAULT);
}

double rtm_kde_kernel_value(const rtm_kde_opts *o, double d)
{
    return kernel_value(o->kernel, d, o->radius, o->gauss_truncate);
}

/* E[d^2] = r^2 int_0^1 u^2 K u du / int_0^1 K u du: 1/(m+2) for (1-u^2)^m
 * (a Beta integral), 3/10 for the cone; per axis sigma^2 = E[d^2]/2. */
double rtm_kernel_sigma_unit(rtm_kernel k, double gauss_truncate)
{
    int m = kernel_power(k);
    if (k == RTM_KERNEL_TRIANGULAR)
        return sqrt(0.15);
    if (k == RTM_KERNEL_GAUSSIAN)
        return 1.0 / gauss_truncate;
    if (m < 0)
        return NAN;
    return sqrt(1.0 / (2.0 * (m + 2)));
}

/* ---- checks ------------------------------------------------------------- */

static int check_opts(const rtm_grid *g, const rtm_kde_opts *o, rtm_error *err)
{
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    if ((unsigned)o->kernel > RTM_KERNEL_GAUSSIAN)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: unknown kernel %d", (int)o->kernel);
    if ((unsigned)o->units > RTM_UNITS_CELL)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: unknown units %d", (int)o->units);
    if (!(o->radius > 0) || !isfinite(o->radius))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: radius must be > 0 (got %g)", o->radius);
    if (o->radius / g->res > KDE_MAX_RHO)
        return rtm_error_set(err, RTM_ERR_ARG,
                             "kde: radius %g is %.3g cells of %g; at most %g cells", o->radius,
                             o->radius / g->res, g->res, KDE_MAX_RHO);
    if ((double)g->ncols + 3.0 * (o->radius / g->res) + 8.0 > (double)INT_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: grid of %d columns is too wide", g->ncols);
    if (o->kernel == RTM_KERNEL_GAUSSIAN && !(o->gauss_truncate > 0 && o->gauss_truncate <= 10))
        return rtm_error_set(err, RTM_ERR_ARG,
                             "kde: gaussian truncation must be in (0, 10] standard deviations "
                             "(got %g)", o->gauss_truncate);
    if (o->threads < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: threads must be >= 0 (got %d)", o->threads);
    if ((o->col0 || o->col1) && (o->col0 < 0 || o->col1 <= o->col0 || o->col1 > g->ncols))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: columns %d..%d are not a window of the %d "
                             "columns", o->col0, o->col1 - 1, g->ncols);
    return 0;
}

static int check_points(const double *x, const double *y, const double *w, size_t n,
                        rtm_error *err)
{
    size_t p;
    for (p = 0; p < n; p++) {
        if (!isfinite(x[p]) || !isfinite(y[p]))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "kde: point %zu has a non-finite coordinate (%g, %g)", p, x[p],
                                 y[p]);
        if (w && (!(w[p] >= 0) || !isfinite(w[p])))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "kde: point %zu has weight %g; weights must be finite and >= 0",
                                 p, w[p]);
    }
    return 0;
}

/* ---- points bucketed by grid row --------------------------------------- */

typedef struct kde_buckets {
    int reach;      /* rows of reach R = ceil(rho) + 1 */
    int nb;         /* buckets: rows -R .. nrows - 1 + R */
    size_t *start;  /* nb + 1 offsets */
    double *x, *y;  /* point coordinates */
    double *cp;     /* column coordinate (x - x0)/res - 0.5 */
    double *amp;    /* weight x kernel constant x unit factor */
    double amp0;    /* the amp shared by every point, or 0 (common_amp) */
} kde_buckets;

static void buckets_free(kde_buckets *b)
{
    free(b->start);
    free(b->x);
    free(b->y);
    free(b->cp);
    free(b->amp);
}

/* Bucket of a point (row index + R), or -1 when it cannot reach the grid. */
static long point_bucket(const rtm_grid *g, double x, double y, double rho, int reach)
{
    double ytop = g->y0 + (double)g->nrows * g->res;
    double fr = floor((ytop - y) / g->res);
    double cp = (x - g->x0) / g->res - 0.5;
    if (fr < -reach || fr > (double)g->nrows - 1 + reach)
        return -1;
    if (cp < -rho - 2 || cp > (double)g->ncols + 1 + rho)
        return -1;
    return (long)fr + reach;
}

/* The amp shared by every point of non-zero amp that can reach the grid, or
 * 0 if they differ (or there are none): unweighted input, or equal weights,
 * lets the row engine count its chords instead of summing their leading
 * coefficients. Taken over the whole grid's points, so that a strip of rows
 * takes the same path as the whole grid. */
static double common_amp(const long *bk, const double *w, size_t n, double scale)
{
    double a = 0.0;
    for (size_t p = 0; p < n; p++) {
        double v = (w ? w[p] : 1.0) * scale;
        if (bk[p] < 0 || v == 0.0)
            continue;
        if (a == 0.0)
            a = v;
        else if (v != a)
            return 0.0;
    }
    return a;
}

/* Points bucketed by row; with a strip of rows [r0, r1) only the buckets
 * r0 .. r1 - 1 + 2R that its rows read are kept (same order), and with
 * columns [c0, c1) wanted only the points within reach of them. A point
 * adds only to the columns its chord covers (kde_poly.c: its events sum
 * within segments to the columns of its core, its fringe cell by cell; the
 * chord counts are integers), so leaving out one that reaches none of
 * c0 .. c1 - 1 changes none of their values. */
static int buckets_build(kde_buckets *b, const rtm_grid *g, const double *x, const double *y,
                         const double *w, size_t n, double rho, double scale, int nt, int r0,
                         int r1, int c0, int c1)
{
    size_t p, k, total;
    long q;
    long *bk = malloc((n ? n : 1) * sizeof *bk);
    rtm_hugepages(bk, n * sizeof *bk);
    memset(b, 0, sizeof *b);
    b->reach = (int)ceil(rho) + 1;
    b->nb = g->nrows + 2 * b->reach;
    b->start = calloc((size_t)b->nb + 1, sizeof *b->start);
    if (!bk || !b->start)
        goto fail;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (q = 0; q < (long)n; q++)
        bk[q] = point_bucket(g, x[q], y[q], rho, b->reach);
    b->amp0 = common_amp(bk, w, n, scale);
    for (p = 0; p < n; p++)
        if (bk[p] < (long)r0 || bk[p] > (long)r1 - 1 + 2L * b->reach)
            bk[p] = -1;
    for (p = 0; (c0 > 0 || c1 < g->ncols) && p < n; p++) { /* margins of point_bucket */
        double cp = (x[p] - g->x0) / g->res - 0.5;
        if (cp < (double)c0 - rho - 2 || cp > (double)c1 + 1 + rho)
            bk[p] = -1;
    }
    for (p = 0; p < n; p++)
        if (bk[p] >= 0)
            b->start[bk[p] + 1]++;
    for (k = 0; k < (size_t)b->nb; k++)
        b->start[k + 1] += b->start[k];
    total = b->start[b->nb];
    b->x = malloc((total ? total : 1) * sizeof *b->x);
    b->y = malloc((total ? total : 1) * sizeof *b->y);
    b->cp = malloc((total ? total : 1) * sizeof *b->cp);
    b->amp = malloc((total ? total : 1) * sizeof *b->amp);
    if (!b->x || !b->y || !b->cp || !b->amp)
        goto fail;
    rtm_hugepages(b->x, total * sizeof *b->x);
    rtm_hugepages(b->y, total * sizeof *b->y);
    rtm_hugepages(b->cp, total * sizeof *b->cp);
    rtm_hugepages(b->amp, total * sizeof *b->amp);
    for (p = 0; p < n; p++) { /* stable scatter: start[k] is the next free slot */
        size_t q;
        if (bk[p] < 0)
            continue;
        q = b->start[bk[p]]++;
        b->x[q] = x[p];
        b->y[q] = y[p];
        b->cp[q] = (x[p] - g->x0) / g->res - 0.5;
        b->amp[q] = (w ? w[p] : 1.0) * scale;
    }
    for (k = (size_t)b->nb; k > 0; k--) /* restore the bucket starts */
        b->start[k] = b->start[k - 1];
    b->start[0] = 0;
    free(bk);
    return 0;
fail:
    free(bk);
    buckets_free(b);
    return -1;
}

/* ---- one output row ----------------------------------------------------- */

typedef struct kde_ctx {
    const rtm_grid *g;
    const kde_buckets *b;
    rtm_kernel kernel;
    int m;            /* polynomial power, or -1 */
    double r, r2;     /* radius and its square (the support predicate) */
    double rho;       /* r / res */
    double sig2;      /* Gaussian: 2 s^2 */
    double core_r2;   /* (1 - beta0) r^2: inside it the segment polynomials are used */
} kde_ctx;

/* floor(v) for |v| < 2^31 (bucketing keeps every point within rho + 2 cells
 * of the grid, and rho <= 1e6): truncate, then step down for negatives. */
static inline int ifloor(double v)
{
    int i = (int)v;
    return i - (v < (double)i);
}

/* Candidate columns jl..jr (clipped to the grid) for a row at squared
 * vertical distance dy2 <= r2: sqrt gives the support's half-chord to within
 * rounding, and one spare column on each side makes sure every column
 * satisfying the exact predicate is a candidate. 0 if none. */
static int candidates(const kde_ctx *c, double cp, double dy2, int *jl, int *jr)
{
    double hh = sqrt(c->r2 - dy2) / c->g->res;
    int fl = ifloor(cp - hh), fr = ifloor(cp + hh) + 1;
    if (fr < 0 || fl > c->g->ncols - 1)
        return 0;
    *jl = fl < 0 ? 0 : fl;
    *jr = fr > c->g->ncols - 1 ? c->g->ncols - 1 : fr;
    return 1;
}

/* amp (1 - d/r) cell by cell: one sqrt per cell. */
static void direct_cone(const kde_ctx *c, double *row, int j0, int j1, double px, double dy2,
                        double amp)
{
    const double x0 = c->g->x0, res = c->g->res, r2 = c->r2, r = c->r;
    int j;
    for (j = j0; j <= j1; j++) {
        double dx = (x0 + ((double)j + 0.5) * res) - px, d2 = dx * dx + dy2;
        double v = 1.0 - sqrt(d2) / r;
        row[j] += d2 <= r2 && v > 0.0 ? amp * v : 0.0;
    }
}

/* amp exp(-d^2 / 2s^2) cell by cell. exp(-(dx+res)^2/2s^2) =
 * exp(-dx^2/2s^2) exp(-(2 dx res + res^2)/2s^2): the ratio itself changes by
 * the constant factor exp(-res^2/s^2) per column, so two products per cell;
 * the recurrence restarts from exp() every KDE_GAUSS_RESTART cells, which
 * bounds its relative rounding error by ~KDE_GAUSS_RESTART^2 ulps. */
static void direct_gauss(const kde_ctx *c, double *row, int j0, int j1, double px, double dy2,
                         double amp)
{
    double res = c->g->res, step = exp(-2.0 * res * res / c->sig2);
    int j = j0;
    while (j <= j1) {
        int end = j + KDE_GAUSS_RESTART - 1 < j1 ? j + KDE_GAUSS_RESTART - 1 : j1;
        double dx = rtm_grid_cell_x(c->g, j) - px;
        double v = amp * exp(-(dx * dx + dy2) / c->sig2);
        double ratio = exp(-(2.0 * dx * res + res * res) / c->sig2);
        for (; j <= end; j++) {
            dx = rtm_grid_cell_x(c->g, j) - px;
            if (dx * dx + dy2 <= c->r2)
                row[j] += v;
            v *= ratio;
            ratio *= step;
        }
    }
}

/* Add one point's contribution to output row i (yc = its centre y). */
static void add_point(const kde_ctx *c, double *row, size_t p, double yc)
{
    const kde_buckets *b = c->b;
    double dy = yc - b->y[p], dy2 = dy * dy;
    int jl, jr;
    if (dy2 > c->r2 || b->amp[p] == 0.0)
        return;
    if (!candidates(c, b->cp[p], dy2, &jl, &jr))
        return;
    if (c->kernel == RTM_KERNEL_TRIANGULAR)
        direct_cone(c, row, jl, jr, b->x[p], dy2, b->amp[p]);
    else
        direct_gauss(c, row, jl, jr, b->x[p], dy2, b->amp[p]);
}

static void compute_row(const kde_ctx *c, kde_poly_row *poly, int i, double *row, int zeroed)
{
    const kde_buckets *b = c->b;
    double yc = rtm_grid_cell_y(c->g, i);
    size_t p, p1 = b->start[i + 2 * b->reach + 1];
    if (!zeroed)
        memset(row, 0, (size_t)c->g->ncols * sizeof *row);
    if (b->start[i] == p1)
        return; /* no point within reach: the row is exactly 0 */
    /* buckets i .. i + 2R hold the rows i - R .. i + R */
    if (c->m >= 0) {
        kde_row_job jb = {b->x,  b->y,        b->cp,       b->amp,          b->start[i],
                          p1,    yc,          c->r2,       c->core_r2,      1.0 / c->r2,
                          1.0 / c->g->res};
        kde_poly_row_compute(poly, &jb, row);
        return;
    }
    for (p = b->start[i]; p < p1; p++)
        add_point(c, row, p, yc);
}

/* Fringe threshold beta0 on 1 - u^2, per power m. A point's segment
 * polynomial (kde_poly.c) is rounded to about 10 eps (3/beta0)^m of its
 * value amp (1 - u^2)^m where 1 - u^2 >= beta0: 3e-12, 2.5e-11 and 3e-11
 * for m = 1, 2, 3. (The tests see up to 4e-11 for m = 1; that is the
 * double brute force's own rounding of 1 - d^2/r^2 at the edge: against
 * long double the engine is within 1e-14 there.) The fringe outside is
 * summed cell by cell. Uniform needs none: (1 - u^2)^0 is never
 * small. */
static double core_beta0(int m)
{
    static const double beta0[] = {0.0, 0.001, 0.02, 0.1};
    return m >= 0 && m <= 3 ? beta0[m] : 0.0;
}

/* ---- driver --------------------------------------------------------------- */

/* Factor from density per CRS unit^2 to the requested units. A CRS unit of
 * m metres makes D per unit^2 equal to D / m^2 per m^2 and 1e6 D / m^2 per
 * km^2 (1 km^2 = 1e6 m^2); m is o->metres_per_unit, or the grid CRS's
 * linear unit (EPSG's unit of measure, via PROJ) when that is 0. */
static int unit_factor(const rtm_grid *g, const rtm_kde_opts *o, double *unit, rtm_error *err)
{
    double m = o->metres_per_unit;
    if (o->units == RTM_UNITS_CELL) {
        *unit = g->res * g->res;
        return 0;
    }
    if (m == 0 && g->crs[0]) {
        m = rtm_crs_metres_per_unit(g->crs);
        if (!(m > 0))
            return rtm_error_set(err, RTM_ERR_ARG,
                                 "kde: density per %s needs a projected CRS with a linear unit; "
                                 "'%.80s' is geographic or unknown (use cell units)",
                                 o->units == RTM_UNITS_KM2 ? "km2" : "m2", g->crs);
    } else if (m == 0) {
        m = 1;
    }
    if (!(m > 0) || !isfinite(m))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: metres per CRS unit must be > 0 (got %g)",
                             o->metres_per_unit);
    *unit = (o->units == RTM_UNITS_KM2 ? 1e6 : 1.0) / (m * m);
    return 0;
}

/* A weight near DBL_MAX overflows the sum: refuse the surface rather than
 * return +inf cells. */
static int check_finite(const rtm_grid *g, int r0, int r1, const double *out, rtm_error *err)
{
    size_t k, n = (size_t)(r1 - r0) * (size_t)g->ncols;
    for (k = 0; k < n; k++)
        if (!isfinite(out[k])) {
            int i = r0 + (int)(k / (size_t)g->ncols), j = (int)(k % (size_t)g->ncols);
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "kde: the density is not finite at row %d column %d (x %.10g, "
                                 "y %.10g): weights too large?", i, j, rtm_grid_cell_x(g, j),
                                 rtm_grid_cell_y(g, i));
        }
    return 0;
}

static double kernel_scale(const rtm_kde_opts *o, double unit)
{
    double r = o->radius, s = 1.0;
    int m = kernel_power(o->kernel);
    if (m >= 0)
        s = (m + 1) / (M_PI * r * r);
    else if (o->kernel == RTM_KERNEL_TRIANGULAR)
        s = 3.0 / (M_PI * r * r);
    else {
        double sg = r / o->gauss_truncate;
        s = 1.0 / (2.0 * M_PI * sg * sg);
    }
    return s * unit;
}

/* All rows in one parallel loop, dealt out one by one in turn
 * (neighbouring rows cost about the same; a barrier every few rows would
 * leave a thread idle). Each row is computed by one thread from the same
 * inputs in the same order, so the output does not depend on the thread
 * count. Progress
 * is reported by thread 0 only, every KDE_ROW_BLOCK rows it finishes; a
 * cancel makes every thread skip its remaining rows. */
static int run_rows(const kde_ctx *c, const rtm_kde_opts *o, int nt, kde_poly_row *polys,
                    int r0, int r1, double *out, rtm_error *err)
{
    const rtm_grid *g = c->g;
    int i, cancelled = 0, done = 0;
    if (o->progress && !o->progress(0.0, "kde", o->progress_arg))
        return rtm_error_set(err, RTM_ERR_CANCEL, "kde: cancelled");
#pragma omp parallel num_threads(nt)
    {
        int t = 0, mine = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
#pragma omp for schedule(static, 1)
        for (i = r0; i < r1; i++) {
            int stop, d;
#pragma omp atomic read
            stop = cancelled;
            if (stop)
                continue;
            compute_row(c, &polys[t], i, out + (size_t)(i - r0) * (size_t)g->ncols, 0);
#pragma omp atomic capture
            d = ++done;
            if (t == 0 && o->progress && ++mine % KDE_ROW_BLOCK == 0 &&
                !o->progress((double)d / (r1 - r0), "kde", o->progress_arg)) {
#pragma omp atomic write
                cancelled = 1;
            }
        }
    }
    if (cancelled || (o->progress && !o->progress(1.0, "kde", o->progress_arg)))
        return rtm_error_set(err, RTM_ERR_CANCEL, "kde: cancelled");
    return 0;
}

/* Check the options and points, bucket the points and make nt row engines:
 * everything a run over the rows needs. */
static int kde_setup(const rtm_grid *g, const double *x, const double *y, const double *w,
                     size_t n, const rtm_kde_opts *o, int nt, int r0, int r1, kde_ctx *c,
                     kde_buckets *b, kde_poly_row **polys, rtm_error *err)
{
    int made, rc;
    double unit = 1;
    *polys = NULL;
    if ((rc = check_opts(g, o, err)) || (rc = check_points(x, y, w, n, err)) ||
        (rc = unit_factor(g, o, &unit, err)))
        return rc;
    memset(c, 0, sizeof *c);
    c->g = g;
    c->b = b;
    c->kernel = o->kernel;
    c->m = kernel_power(o->kernel);
    c->r = o->radius;
    c->r2 = o->radius * o->radius;
    c->rho = o->radius / g->res;
    c->core_r2 = (1.0 - core_beta0(c->m)) * c->r2;
    c->sig2 = 2.0 * (o->radius / o->gauss_truncate) * (o->radius / o->gauss_truncate);
    if (buckets_build(b, g, x, y, w, n, c->rho, kernel_scale(o, unit), nt, r0, r1, o->col0,
                      o->col1 > 0 ? o->col1 : g->ncols))
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory bucketing %zu points", n);
    if (!(*polys = calloc((size_t)nt, sizeof **polys))) {
        buckets_free(b);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    }
    for (made = 0; made < nt; made++) {
        if (c->m >= 0 && kde_poly_init(&(*polys)[made], g->ncols, c->m, c->rho, g->x0, g->res)) {
            for (int t = 0; t < made; t++)
                kde_poly_free(&(*polys)[t]);
            free(*polys);
            *polys = NULL;
            buckets_free(b);
            return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for row buffers");
        }
        (*polys)[made].lead0 = b->amp0 * (*polys)[made].invm;
    }
    return 0;
}

static void kde_teardown(kde_buckets *b, kde_poly_row *polys, int nt)
{
    for (int t = 0; polys && t < nt; t++)
        kde_poly_free(&polys[t]);
    free(polys);
    buckets_free(b);
}

int rtm_kde_compute(const rtm_grid *g, const double *x, const double *y, const double *w,
                    size_t n, const rtm_kde_opts *o, double *out, rtm_error *err)
{
    kde_buckets b;
    kde_poly_row *polys = NULL;
    kde_ctx c;
    int nt = 1, rc;
    int r0 = o->row0, r1 = o->row1 ? o->row1 : g->nrows;
    if (r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: rows %d..%d are not a strip of the %d "
                             "rows", r0, r1 - 1, g->nrows);
#ifdef _OPENMP
    nt = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    if ((rc = kde_setup(g, x, y, w, n, o, nt, r0, r1, &c, &b, &polys, err)))
        return rc;
    if (!(rc = run_rows(&c, o, nt, polys, r0, r1, out, err)))
        rc = check_finite(g, r0, r1, out, err);
    kde_teardown(&b, polys, nt);
    return rc;
}

/* Row i's spans: the columns the points within reach of it can touch
 * (floor(cp) - R .. floor(cp) + R + 1, R = ceil(rho) + 1 > the support's
 * half-width), rounded out to whole KDE_SPAN_COLS blocks and joined, as
 * sorted disjoint [span[2k], span[2k + 1]). mark has a byte per block, all 0
 * on entry and on return. Returns the number of spans. */
#define KDE_SPAN_COLS 32
static int row_spans(const kde_buckets *b, int i, int ncols, unsigned char *mark, int *span)
{
    int nblk = (ncols + KDE_SPAN_COLS - 1) / KDE_SPAN_COLS, ns = 0, R = b->reach;
    for (size_t p = b->start[i]; p < b->start[i + 2 * R + 1]; p++) {
        int f = ifloor(b->cp[p]), lo = f - R, hi = f + R + 1;
        if (hi < 0 || lo > ncols - 1)
            continue;
        lo = lo < 0 ? 0 : lo;
        hi = hi > ncols - 1 ? ncols - 1 : hi;
        for (int k = lo / KDE_SPAN_COLS; k <= hi / KDE_SPAN_COLS; k++)
            mark[k] = 1;
    }
    for (int k = 0; k < nblk;) {
        if (!mark[k]) {
            k++;
            continue;
        }
        span[2 * ns] = k * KDE_SPAN_COLS;
        while (k < nblk && mark[k])
            mark[k++] = 0;
        span[2 * ns + 1] = k * KDE_SPAN_COLS < ncols ? k * KDE_SPAN_COLS : ncols;
        ns++;
    }
    return ns;
}

int rtm_kde_rows_spans(const rtm_grid *g, const double *x, const double *y, const double *w,
                       size_t n, const rtm_kde_opts *o, int r0, int r1, rtm_kde_spans_fn fn,
                       void *arg, rtm_error *err)
{
    kde_buckets b;
    kde_poly_row *polys = NULL;
    kde_ctx c;
    double *row = NULL;
    unsigned char *mark = NULL;
    int *span = NULL, rc, nblk;
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    if (r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "kde: rows %d..%d are not rows of a grid of %d",
                             r0, r1 - 1, g->nrows);
    if ((rc = kde_setup(g, x, y, w, n, o, 1, r0, r1, &c, &b, &polys, err)))
        return rc;
    if (polys)
        polys[0].sparse = 1; /* few points reach most rows here */
    nblk = (g->ncols + KDE_SPAN_COLS - 1) / KDE_SPAN_COLS;
    if (!(row = calloc((size_t)g->ncols, sizeof *row)) || !(mark = calloc((size_t)nblk, 1)) ||
        !(span = malloc((size_t)nblk * 2 * sizeof *span)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory");
    for (int i = r0; i < r1 && !rc; i++) {
        if (b.start[i] == b.start[i + 2 * b.reach + 1])
            continue; /* no point within reach: exactly 0 */
        int ns = row_spans(&b, i, g->ncols, mark, span);
        compute_row(&c, polys, i, row, 1); /* row is 0 outside the last row's spans too */
        for (int k = 0; k < ns && !rc; k++)
            for (int j = span[2 * k]; j < span[2 * k + 1] && !rc; j++)
                if (!isfinite(row[j]))
                    rc = rtm_error_set(err, RTM_ERR_INPUT, "kde: the density is not finite at "
                                       "row %d column %d: weights too large?", i, j);
        if (!rc && (rc = fn(i, row, span, ns, arg)))
            rtm_error_set(err, rc, "kde: stopped by the row callback");
        for (int k = 0; k < ns; k++) /* back to 0 for the next row */
            memset(row + span[2 * k], 0, (size_t)(span[2 * k + 1] - span[2 * k]) * sizeof *row);
    }
    free(row);
    free(mark);
    free(span);
    kde_teardown(&b, polys, 1);
    return rc;
}

typedef struct rows_adapter {
    rtm_kde_row_fn fn;
    void *arg;
} rows_adapter;

static int rows_adapt(int i, const double *row, const int *span, int nspan, void *arg)
{
    const rows_adapter *a = arg;
    (void)span;
    (void)nspan;
    return a->fn(i, row, a->arg);
}

int rtm_kde_rows(const rtm_grid *g, const double *x, const double *y, const double *w,
                 size_t n, const rtm_kde_opts *o, rtm_kde_row_fn fn, void *arg, rtm_error *err)
{
    rows_adapter a = {fn, arg};
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    return rtm_kde_rows_spans(g, x, y, w, n, o, 0, g->nrows, rows_adapt, &a, err);
}
