/* test_kde.c: the fast kernel density engine against an independent brute
 * force (every point x every cell, the reference formulas written out here),
 * hand-computed cells, the kernels' integral, units, thread identity, errors. */
#include "rtm/surface.h"
#include "rtm_test.h"

#include <omp.h>

static const rtm_kernel all_kernels[] = {RTM_KERNEL_QUARTIC, RTM_KERNEL_EPANECHNIKOV,
                                         RTM_KERNEL_TRIANGULAR, RTM_KERNEL_UNIFORM,
                                         RTM_KERNEL_TRIWEIGHT, RTM_KERNEL_GAUSSIAN};
#define NKERNELS (sizeof all_kernels / sizeof *all_kernels)


/* The reference table (KDE reference; Silverman 1986): K(d) per unit area
 * for d <= r, written independently of the library. */
static double ref_kernel(rtm_kernel k, double d2, double r, double trunc)
{
    double u2 = d2 / (r * r), s;
    switch (k) {
    case RTM_KERNEL_UNIFORM: return 1.0 / (M_PI * r * r);
    case RTM_KERNEL_EPANECHNIKOV: return 2.0 / (M_PI * r * r) * (1 - u2);
    case RTM_KERNEL_QUARTIC: return 3.0 / (M_PI * r * r) * (1 - u2) * (1 - u2);
    case RTM_KERNEL_TRIWEIGHT: return 4.0 / (M_PI * r * r) * (1 - u2) * (1 - u2) * (1 - u2);
    case RTM_KERNEL_TRIANGULAR: return fmax(0, 3.0 / (M_PI * r * r) * (1 - sqrt(d2) / r));
    case RTM_KERNEL_GAUSSIAN:
        s = r / trunc;
        return exp(-d2 / (2 * s * s)) / (2 * M_PI * s * s);
    }
    return NAN;
}

/* Brute force per m^2: every cell, every point, the support predicate of
 * rtm/surface.h (dx^2 + dy^2 <= r^2 in double). */
static void brute(const rtm_grid *g, const double *x, const double *y, const double *w,
                  size_t n, rtm_kernel k, double r, double trunc, double *out)
{
    int i, j;
    size_t p;
    for (i = 0; i < g->nrows; i++)
        for (j = 0; j < g->ncols; j++) {
            double v = 0;
            for (p = 0; p < n; p++) {
                double dx = rtm_grid_cell_x(g, j) - x[p], dy = rtm_grid_cell_y(g, i) - y[p];
                double d2 = dx * dx + dy * dy;
                if (d2 <= r * r)
                    v += (w ? w[p] : 1.0) * ref_kernel(k, d2, r, trunc);
            }
            out[(size_t)i * g->ncols + j] = v;
        }
}

/* Compare fast with brute: max abs error <= 1e-9 max, and relative error
 * <= 1e-9 on every cell >= 1e-6 max; zero exactly where brute is zero.
 * Returns the worst relative error seen (for the log). */
static double compare(const double *fast, const double *ref, size_t nc, const char *what)
{
    double mx = 0, worst_abs = 0, worst_rel = 0;
    size_t c, bad_zero = 0;
    for (c = 0; c < nc; c++)
        mx = fmax(mx, fabs(ref[c]));
    for (c = 0; c < nc; c++) {
        double e = fabs(fast[c] - ref[c]);
        worst_abs = fmax(worst_abs, e);
        if (ref[c] >= 1e-6 * mx)
            worst_rel = fmax(worst_rel, e / ref[c]);
        if (ref[c] == 0 && fast[c] != 0)
            bad_zero++;
        if (fast[c] < 0)
            bad_zero++;
    }
    RTM_CHECK(mx > 0);
    RTM_CHECK(worst_abs <= 1e-9 * mx);
    RTM_CHECK(worst_rel <= 1e-9);
    RTM_CHECK(bad_zero == 0);
    printf("# %-40s max %.4g  max|err|/max %.2e  worst rel %.2e\n", what, mx, worst_abs / mx,
           worst_rel);
    return worst_rel;
}

/* Points of every awkward kind around grid g with radius r: uniform over the
 * grid grown by 1.3 r, exactly on cell centres, on cell edges and corners,
 * just outside within r, far outside, a tight cluster, duplicates. */
static size_t make_points(const rtm_grid *g, double r, size_t n, double *x, double *y,
                          double *w)
{
    double W = g->ncols * g->res, H = g->nrows * g->res;
    size_t p;
    for (p = 0; p < n; p++) {
        int kind = (int)(p % 8);
        double u = rtm_t_urand(), v = rtm_t_urand();
        int j = (int)(rtm_t_urand() * g->ncols), i = (int)(rtm_t_urand() * g->nrows);
        switch (kind) {
        case 0: case 1: /* anywhere, including outside within r */
            x[p] = g->x0 - 1.3 * r + u * (W + 2.6 * r);
            y[p] = g->y0 - 1.3 * r + v * (H + 2.6 * r);
            break;
        case 2: /* on a cell centre */
            x[p] = rtm_grid_cell_x(g, j);
            y[p] = rtm_grid_cell_y(g, i);
            break;
        case 3: /* on a cell corner / edge */
            x[p] = g->x0 + j * g->res;
            y[p] = g->y0 + i * g->res + (p % 16 == 3 ? 0.5 * g->res : 0.0);
            break;
        case 4: /* far outside: contributes nothing */
            x[p] = g->x0 - 5 * r - u * 1e5;
            y[p] = g->y0 + v * H;
            break;
        case 5: case 6: /* a tight cluster: many overlapping intervals */
            x[p] = g->x0 + 0.4 * W + 0.1 * r * (u - 0.5);
            y[p] = g->y0 + 0.6 * H + 0.1 * r * (v - 0.5);
            break;
        default: /* a duplicate of the previous point */
            x[p] = x[p - 1];
            y[p] = y[p - 1];
        }
        w[p] = p % 5 == 0 ? 0.0 : 0.25 + 3 * rtm_t_urand();
    }
    return n;
}

/* Every kernel (with poly_only, the polynomial ones alone: the others are
 * summed cell by cell) on points x, y (weights w, or NULL) against the
 * brute force; label names the case in the log. */
static void check_kernels(const rtm_grid *g, const double *x, const double *y, const double *w,
                          size_t n, double r, int poly_only, const char *label)
{
    size_t ncell = (size_t)g->ncols * g->nrows, ki;
    double *fast = malloc(ncell * sizeof *fast), *ref = malloc(ncell * sizeof *ref);
    for (ki = 0; ki < NKERNELS; ki++) {
        rtm_kde_opts o;
        rtm_error e;
        char what[128];
        if (poly_only &&
            (all_kernels[ki] == RTM_KERNEL_TRIANGULAR || all_kernels[ki] == RTM_KERNEL_GAUSSIAN))
            continue;
        rtm_kde_opts_init(&o);
        o.kernel = all_kernels[ki];
        o.radius = r;
        o.units = RTM_UNITS_M2;
        RTM_CHECK(rtm_kde_compute(g, x, y, w, n, &o, fast, &e) == 0);
        brute(g, x, y, w, n, o.kernel, r, o.gauss_truncate, ref);
        snprintf(what, sizeof what, "%s %s", rtm_kernel_name(o.kernel), label);
        compare(fast, ref, ncell, what);
    }
    free(fast), free(ref);
}

/* weighted: 0 none, 1 varied weights (some 0), 2 one common weight (some
 * 0: the engine then counts chords instead of summing weights). */
static void brute_case(double x0, double y0, double res, int nc, int nr, double r, size_t n,
                       int weighted)
{
    rtm_grid g = {x0, y0, res, nc, nr, ""};
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w);
    char label[96];
    size_t p;
    make_points(&g, r, n, x, y, w);
    if (weighted == 2)
        for (p = 0; p < n; p++)
            w[p] = w[p] == 0.0 ? 0.0 : 2.5;
    snprintf(label, sizeof label, "rho=%.1f n=%zu%s", r / res, n,
             weighted == 1 ? " weighted" : weighted == 2 ? " equal weights" : "");
    check_kernels(&g, x, y, weighted ? w : NULL, n, r, 0, label);
    free(x), free(y), free(w);
}

/* Long chords (polynomial path), far from the origin like British National Grid. */
static void test_brute_bng(void)
{
    brute_case(560000, 180000, 25, 90, 70, 25 * 23.7, 400, 1);
    brute_case(560000, 180000, 25, 90, 70, 25 * 23.7, 400, 2);
}

/* Short chords only (the cell-by-cell path) and a radius under one cell. */
static void test_brute_small_radius(void)
{
    brute_case(1000, -2000, 10, 60, 50, 53, 300, 1);
    brute_case(0, 0, 10, 40, 30, 7, 300, 0);
}

/* Integer radius in cells (many points exactly at distance r), unweighted. */
static void test_brute_integer_radius(void)
{
    brute_case(0, 0, 1, 80, 60, 20, 300, 0);
}

/* Isolated points (each alone in its disc, so the maximum is one kernel's
 * peak and cells at 1e-6 of it lie on the kernel's very edge: the hardest
 * case for the relative criterion). */
static void test_brute_isolated(void)
{
    rtm_grid g = {560000, 180000, 10, 330, 90, ""};
    double x[4], y[4], w[4] = {1, 2, 0.5, 1};
    size_t p;
    for (p = 0; p < 4; p++) {
        x[p] = 560000 + 400 + 800 * p + 9.3 * rtm_t_urand();
        y[p] = 180000 + 450 + 7.1 * rtm_t_urand();
    }
    check_kernels(&g, x, y, w, 4, 373, 0, "isolated rho=37.3");
}

/* Long rows that are never empty (a continuous background across 3000
 * columns): rounding carried along a row would grow with the distance
 * travelled, so compare far from the west edge too. */
static void test_brute_long_rows(void)
{
    rtm_grid g = {560000, 180000, 10, 3000, 4, ""};
    size_t n = 4000, p;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (p = 0; p < n; p++) {
        x[p] = 560000 - 100 + 30200 * rtm_t_urand();
        y[p] = 180000 - 100 + 240 * rtm_t_urand();
    }
    /* cell-by-cell kernels carry nothing along a row */
    check_kernels(&g, x, y, NULL, n, 125, 1, "long rows n=4000");
    free(x), free(y);
}

/* A dense cluster: thousands of overlapping intervals along the same rows. */
static void test_brute_dense(void)
{
    rtm_grid g = {500000, 100000, 20, 110, 90, ""};
    size_t n = 3000, p;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (p = 0; p < n; p++) { /* a Gaussian blob (Box-Muller) plus background */
        double a = rtm_t_urand(), b = rtm_t_urand(), rr = sqrt(-2 * log(1 - a)) * 150;
        x[p] = p % 4 ? 501100 + rr * cos(2 * M_PI * b) : 500000 + rtm_t_urand() * 2200;
        y[p] = p % 4 ? 100900 + rr * sin(2 * M_PI * b) : 100000 + rtm_t_urand() * 1800;
    }
    check_kernels(&g, x, y, NULL, n, 600, 1, "dense n=3000"); /* others: covered above */
    free(x), free(y);
}

/* Chords against the engine's segments (S = the power of two <= rho,
 * 4..32, segment s = columns sS .. sS + S - 1): one point at a time (so the
 * relative criterion reaches each kernel's edge), swept over a whole period
 * of 32 columns in steps of 1/4 column, so that chords start and end exactly
 * on segment boundaries, cover exactly one segment or several, or are
 * shorter than a segment; points exactly on a boundary (cell edge x = 64)
 * and on the first cell of a segment (x = 64.5); integer radii put cells
 * exactly at distance r; every row of the disc from its centre to its top
 * and bottom (where the fringe is widest). 130 columns: the last segment is
 * partial, and the smaller discs lie inside the grid while the larger ones
 * cross its west edge. Unit cells, origin 0. */
static void test_brute_segments(void)
{
    static const double radii[] = {40, 32, 17.5, 9, 8, 6.25};
    rtm_grid g = {0, 0, 1, 130, 90, ""};
    size_t ncell = (size_t)g.ncols * g.nrows, ri, ki, c;
    double *fast = malloc(ncell * sizeof *fast), *ref = malloc(ncell * sizeof *ref);
    for (ri = 0; ri < sizeof radii / sizeof *radii; ri++)
        for (ki = 0; ki < NKERNELS; ki++) {
            double worst = 0, r = radii[ri];
            int k, bad = 0;
            rtm_kde_opts o;
            rtm_error e;
            if (all_kernels[ki] == RTM_KERNEL_TRIANGULAR || all_kernels[ki] == RTM_KERNEL_GAUSSIAN)
                continue; /* no segments */
            rtm_kde_opts_init(&o);
            o.kernel = all_kernels[ki];
            o.radius = r;
            o.units = RTM_UNITS_M2;
            for (k = 0; k <= 128; k++) {
                /* x sweeps 36 .. 68 (cell edges, centres, quarters); y on a
                 * cell centre, a cell edge or in between */
                double x = 36 + 0.25 * k, y = 45.5 + (k % 3) * 0.5 + (k % 7 == 1) * 0.137;
                double mx = 0;
                RTM_CHECK(rtm_kde_compute(&g, &x, &y, NULL, 1, &o, fast, &e) == 0);
                brute(&g, &x, &y, NULL, 1, o.kernel, r, 4, ref);
                for (c = 0; c < ncell; c++)
                    mx = fmax(mx, ref[c]);
                for (c = 0; c < ncell; c++) {
                    double err = fabs(fast[c] - ref[c]);
                    if ((ref[c] == 0) != (fast[c] == 0) || err > 1e-9 * mx)
                        bad++;
                    if (ref[c] >= 1e-6 * mx)
                        worst = fmax(worst, err / ref[c]);
                }
            }
            RTM_CHECK(bad == 0);
            RTM_CHECK(worst <= 1e-9);
            printf("# segments %-13s rho=%-5g 129 single points  worst rel %.2e\n",
                   rtm_kernel_name(o.kernel), r, worst);
        }
    free(fast), free(ref);
}

/* The same sweep against a long double reference, (m + 1)/(pi r^2)
 * ((r^2 - d^2)/r^2)^m with d^2 formed in double exactly as the support
 * predicate forms it: the engine's own rounding, which the double brute
 * force cannot show near the kernel's edge (its 1 - d^2/r^2 loses up to
 * ~1e-10 of a cell at 1e-6 of the maximum). Held to 1e-11 (kde.c bounds it
 * by 3e-11 for the triweight and less for the others) on every cell
 * >= 1e-6 of the maximum. */
static void test_long_double_edge(void)
{
    static const double radii[] = {40, 17.5};
    static const rtm_kernel kern[] = {RTM_KERNEL_EPANECHNIKOV, RTM_KERNEL_QUARTIC,
                                      RTM_KERNEL_TRIWEIGHT};
    rtm_grid g = {0, 0, 1, 130, 90, ""};
    size_t ncell = (size_t)g.ncols * g.nrows, ri, ki;
    double *fast = malloc(ncell * sizeof *fast);
    for (ri = 0; ri < 2; ri++)
        for (ki = 0; ki < 3; ki++) {
            double r = radii[ri], worst = 0;
            int k, i, j, m = (int)ki + 1;
            rtm_kde_opts o;
            rtm_error e;
            rtm_kde_opts_init(&o);
            o.kernel = kern[ki];
            o.radius = r;
            o.units = RTM_UNITS_M2;
            for (k = 0; k <= 128; k++) {
                double x = 36 + 0.25 * k, y = 45.5 + (k % 3) * 0.5 + (k % 7 == 1) * 0.137;
                long double peak = (m + 1) / (3.14159265358979323846264338327950288L * r * r);
                RTM_CHECK(rtm_kde_compute(&g, &x, &y, NULL, 1, &o, fast, &e) == 0);
                for (i = 0; i < g.nrows; i++)
                    for (j = 0; j < g.ncols; j++) {
                        double dx = rtm_grid_cell_x(&g, j) - x, dy = rtm_grid_cell_y(&g, i) - y;
                        double d2 = dx * dx + dy * dy;
                        long double b = ((long double)r * r - d2) / ((long double)r * r), ref;
                        if (d2 > r * r)
                            continue;
                        ref = peak * (m == 1 ? b : m == 2 ? b * b : b * b * b);
                        if (ref >= 1e-6L * peak)
                            worst = fmax(worst, (double)(fabsl(fast[(size_t)i * g.ncols + j] - ref) /
                                                         ref));
                    }
            }
            RTM_CHECK(worst <= 1e-11);
            printf("# long double %-13s rho=%-5g worst rel %.2e\n", rtm_kernel_name(o.kernel), r,
                   worst);
        }
    free(fast);
}

/* One point 300 m from the centre of a single 10 m cell (dx = 180, dy = 240:
 * 180^2 + 240^2 = 90000), r = 1000, so u = 0.3, u^2 = 0.09, per m^2:
 *   uniform       1/(pi 1e6)                      = 3.1830988618e-07
 *   Epanechnikov  2/(pi 1e6) (1 - 0.09)           = 2 * 0.91 / (pi 1e6)
 *   quartic       3/(pi 1e6) (0.91)^2 = 3 * 0.8281 / (pi 1e6)
 *   triweight     4/(pi 1e6) (0.91)^3 = 4 * 0.753571 / (pi 1e6)
 *   triangular    3/(pi 1e6) (1 - 0.3) = 2.1 / (pi 1e6)
 *   Gaussian      s = 1000/4 = 250: exp(-90000 / (2 * 62500)) / (2 pi 62500)
 *                 = exp(-0.72) / (125000 pi)
 * The point lies outside the one-cell grid but within r, so it must count. */
static void test_hand_cells(void)
{
    static const struct { rtm_kernel k; double v; } cases[] = {
        {RTM_KERNEL_UNIFORM, 1.0 / (M_PI * 1e6)},
        {RTM_KERNEL_EPANECHNIKOV, 2 * 0.91 / (M_PI * 1e6)},
        {RTM_KERNEL_QUARTIC, 3 * 0.8281 / (M_PI * 1e6)},
        {RTM_KERNEL_TRIWEIGHT, 4 * 0.753571 / (M_PI * 1e6)},
        {RTM_KERNEL_TRIANGULAR, 2.1 / (M_PI * 1e6)},
        {RTM_KERNEL_GAUSSIAN, 0.48675225595997168 / (125000 * M_PI)}, /* exp(-0.72) */
    };
    rtm_grid g = {0, 0, 10, 1, 1, ""}; /* cell centre (5, 5) */
    double px = 5 + 180, py = 5 - 240, wt = 2.5;
    size_t c;
    for (c = 0; c < sizeof cases / sizeof *cases; c++) {
        rtm_kde_opts o;
        rtm_error e;
        double v;
        rtm_kde_opts_init(&o);
        o.kernel = cases[c].k;
        o.radius = 1000;
        o.units = RTM_UNITS_M2;
        RTM_CHECK(rtm_kde_compute(&g, &px, &py, &wt, 1, &o, &v, &e) == 0);
        RTM_CHECK_REL(v, wt * cases[c].v, 1e-12, 0);
        RTM_CHECK_REL(rtm_kernel_value(cases[c].k, 300, 1000), cases[c].v, 1e-12, 0);
        o.units = RTM_UNITS_KM2; /* per km^2 in a metre CRS */
        RTM_CHECK(rtm_kde_compute(&g, &px, &py, &wt, 1, &o, &v, &e) == 0);
        RTM_CHECK_REL(v, wt * cases[c].v * 1e6, 1e-12, 0);
    }
    /* quartic per km^2: 3 * 0.8281 / pi = 0.790787...; outside r: 0 */
    RTM_CHECK_REL(rtm_kernel_value(RTM_KERNEL_QUARTIC, 300, 1000) * 1e6, 0.79077725, 1e-7, 0);
    RTM_CHECK(rtm_kernel_value(RTM_KERNEL_QUARTIC, 1000.001, 1000) == 0);
    RTM_CHECK(rtm_kernel_value(RTM_KERNEL_UNIFORM, 1000, 1000) > 0);
}

/* Sum of surface x cell area = sum of weights (each kernel integrates to 1;
 * the Gaussian to 1 - exp(-t^2/2) after truncation at t sigma). Cells of
 * r/40; points well inside the grid. Midpoint-rule error: O((res/r)^2) for the
 * smooth kernels; the disc's jump edge is averaged over 60 random offsets. */
static void test_integral(void)
{
    rtm_grid g = {0, 0, 2.5, 240, 200, ""};
    double r = 100, x[60], y[60], w[60], sumw = 0, *out = malloc(240 * 200 * sizeof *out);
    size_t p, ki, c;
    for (p = 0; p < 60; p++) {
        x[p] = 150 + rtm_t_urand() * 300;
        y[p] = 150 + rtm_t_urand() * 200;
        w[p] = 0.5 + rtm_t_urand();
        sumw += w[p];
    }
    for (ki = 0; ki < NKERNELS; ki++) {
        rtm_kde_opts o;
        rtm_error e;
        double s = 0, expect = sumw, tol = 1e-3;
        rtm_kde_opts_init(&o);
        o.kernel = all_kernels[ki];
        o.radius = r;
        o.units = RTM_UNITS_CELL; /* expected count per cell: sums to the total */
        RTM_CHECK(rtm_kde_compute(&g, x, y, w, 60, &o, out, &e) == 0);
        for (c = 0; c < 240 * 200; c++)
            s += out[c];
        if (o.kernel == RTM_KERNEL_GAUSSIAN)
            expect = sumw * (1 - exp(-o.gauss_truncate * o.gauss_truncate / 2));
        if (o.kernel == RTM_KERNEL_UNIFORM)
            tol = 3e-3;
        RTM_CHECK_REL(s, expect, tol, 0);
        printf("# integral %-13s %.6f / %.6f\n", rtm_kernel_name(o.kernel), s, expect);
    }
    free(out);
}

/* km2 = 1e6 m2, cell = res^2 m2. */
static void test_units(void)
{
    rtm_grid g = {300000, 400000, 30, 50, 40, ""};
    double x[40], y[40], *m2 = malloc(2000 * sizeof *m2), *km2 = malloc(2000 * sizeof *km2),
                         *cell = malloc(2000 * sizeof *cell);
    rtm_kde_opts o;
    rtm_error e;
    size_t p, c;
    double mx = 0;
    for (p = 0; p < 40; p++) {
        x[p] = 300000 + rtm_t_urand() * 1500;
        y[p] = 400000 + rtm_t_urand() * 1200;
    }
    rtm_kde_opts_init(&o);
    o.radius = 400;
    o.units = RTM_UNITS_M2;
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 40, &o, m2, &e) == 0);
    o.units = RTM_UNITS_KM2;
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 40, &o, km2, &e) == 0);
    o.units = RTM_UNITS_CELL;
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 40, &o, cell, &e) == 0);
    for (c = 0; c < 2000; c++)
        mx = fmax(mx, m2[c]);
    /* same sums scaled differently: equal to rounding (relative to the maximum) */
    for (c = 0; c < 2000; c++) {
        RTM_CHECK_NEAR(km2[c], 1e6 * m2[c], 1e-12 * 1e6 * mx);
        RTM_CHECK_NEAR(cell[c], 900 * m2[c], 1e-12 * 900 * mx);
    }
    free(m2), free(km2), free(cell);
}

/* Identical bytes for 1, 2 and 4 threads (opts.threads and the OpenMP default). */
static void test_threads(void)
{
    rtm_grid g = {560000, 180000, 25, 160, 130, ""};
    size_t n = 5000, ncell = (size_t)160 * 130, ki, p;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *w = malloc(n * sizeof *w);
    double *a = malloc(ncell * sizeof *a), *b = malloc(ncell * sizeof *b);
    for (p = 0; p < n; p++) {
        double u = rtm_t_urand();
        x[p] = 560000 + (p % 3 ? 1500 + 300 * u * rtm_t_urand() : 4000 * rtm_t_urand());
        y[p] = 180000 + (p % 3 ? 1700 + 300 * u * rtm_t_urand() : 3250 * rtm_t_urand());
        w[p] = 1 + (p % 7);
    }
    for (ki = 0; ki < NKERNELS; ki++) {
        rtm_kde_opts o;
        rtm_error e;
        int nt[] = {2, 4, 0}, t;
        rtm_kde_opts_init(&o);
        o.kernel = all_kernels[ki];
        o.radius = 700;
        o.threads = 1;
        RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, a, &e) == 0);
        for (t = 0; t < 3; t++) {
            o.threads = nt[t];
            if (nt[t] == 0)
                omp_set_num_threads(3);
            memset(b, 0xff, ncell * sizeof *b);
            RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, b, &e) == 0);
            RTM_CHECK(memcmp(a, b, ncell * sizeof *a) == 0);
        }
    }
    free(x), free(y), free(w), free(a), free(b);
}

/* rtm_kde_rows_spans: every row it gives equals rtm_kde_compute's bit for
 * bit, each row is exactly 0 outside its spans (sorted, disjoint, within the
 * grid), the rows it does not give are exactly 0, and rows outside [r0, r1)
 * are never given. Sparse points (most of a wide row is beyond every
 * kernel), a column count not a multiple of 32, points beyond the grid. */
typedef struct spans_seen {
    const double *full;
    int ncols, r0, r1, bad, *given;
} spans_seen;

static int spans_row(int i, const double *row, const int *span, int ns, void *arg)
{
    spans_seen *s = arg;
    const double *f = s->full + (size_t)i * (size_t)s->ncols;
    int prev = 0;
    s->bad += i < s->r0 || i >= s->r1 || s->given[i]++;
    s->bad += memcmp(row, f, (size_t)s->ncols * sizeof *row) != 0;
    for (int k = 0; k < ns; k++) {
        s->bad += span[2 * k] < prev || span[2 * k + 1] <= span[2 * k] ||
                  span[2 * k + 1] > s->ncols;
        for (int j = prev; j < span[2 * k] && j < s->ncols; j++)
            s->bad += row[j] != 0;
        prev = span[2 * k + 1];
    }
    for (int j = prev; j < s->ncols; j++)
        s->bad += row[j] != 0;
    return 0;
}

static void test_rows_spans(void)
{
    rtm_grid g = {560000, 180000, 25, 1001, 90, ""};
    size_t n = 60, ncell = (size_t)1001 * 90;
    double x[60], y[60], w[60], *full = malloc(ncell * sizeof *full);
    int given[90];
    for (size_t p = 0; p < n; p++) {
        x[p] = 560000 - 300 + 25 * 1001 * 1.03 * rtm_t_urand();
        y[p] = 180000 - 200 + 25 * 90 * 1.1 * rtm_t_urand();
        w[p] = 1 + (double)(p % 5);
    }
    x[0] = 560000 + 25 * 1001 - 5; /* the last column's edge */
    for (size_t ki = 0; ki < NKERNELS; ki++)
        for (int rr = 0; rr < 3; rr++) {
            rtm_kde_opts o;
            rtm_error e;
            static const double radii[] = {40, 130, 900};
            static const int win[][2] = {{0, 90}, {17, 18}, {30, 77}};
            rtm_kde_opts_init(&o);
            o.kernel = all_kernels[ki];
            o.radius = radii[rr];
            o.threads = 1;
            RTM_CHECK(rtm_kde_compute(&g, x, y, rr == 1 ? w : NULL, n, &o, full, &e) == 0);
            for (int wi = 0; wi < 3; wi++) {
                spans_seen s = {full, g.ncols, win[wi][0], win[wi][1], 0, given};
                size_t zero_rows_bad = 0;
                memset(given, 0, sizeof given);
                RTM_CHECK(rtm_kde_rows_spans(&g, x, y, rr == 1 ? w : NULL, n, &o, s.r0, s.r1,
                                             spans_row, &s, &e) == 0);
                RTM_CHECK(s.bad == 0);
                for (int i = s.r0; i < s.r1; i++)
                    for (int j = 0; !given[i] && j < g.ncols; j++)
                        zero_rows_bad += full[(size_t)i * g.ncols + j] != 0;
                RTM_CHECK(zero_rows_bad == 0);
            }
        }
    {
        rtm_kde_opts o;
        rtm_error e;
        spans_seen s = {full, g.ncols, 0, 90, 0, given};
        rtm_kde_opts_init(&o);
        o.radius = 100;
        RTM_CHECK(rtm_kde_rows_spans(&g, x, y, NULL, n, &o, 5, 5, spans_row, &s, &e) ==
                  RTM_ERR_ARG);
        RTM_CHECK(rtm_kde_rows_spans(&g, x, y, NULL, n, &o, 0, 91, spans_row, &s, &e) ==
                  RTM_ERR_ARG);
    }
    free(full);
}

static int cancel_at_half(double frac, const char *msg, void *arg)
{
    (void)msg;
    (*(int *)arg)++;
    return frac < 0.5;
}

static double last_frac;
static int count_calls(double frac, const char *msg, void *arg)
{
    (void)msg;
    (*(int *)arg)++;
    last_frac = frac;
    return 1;
}

/* Densities per km^2 do not depend on the CRS's unit: the same points in NAD83
 * / Illinois East in metres (EPSG:26971) and in US survey feet (EPSG:3435, the
 * same projection; PROJ converts the points), on the same grid expressed in
 * each unit, give the same km^2 surface. The foot is written here
 * independently: 1 US survey foot = 1200/3937 m (NIST). */
static void test_feet_crs(void)
{
    const double ft = 1200.0 / 3937.0;
    rtm_grid gm = {355000, 578000, 50, 80, 60, "EPSG:26971"};
    rtm_grid gf = {355000 / ft, 578000 / ft, 50 / ft, 80, 60, "EPSG:3435"};
    double xm[60], ym[60], xf[60], yf[60], *dm = malloc(4800 * sizeof *dm),
                                           *df = malloc(4800 * sizeof *df), mx = 0;
    unsigned char ok[60];
    rtm_kde_opts o;
    rtm_error e;
    rtm_transform *t = rtm_transform_create("EPSG:26971", "EPSG:3435", &e);
    size_t p, c;
    RTM_CHECK(t != NULL);
    if (!t || !dm || !df)
        return;
    rtm_t_rng = 77;
    for (p = 0; p < 60; p++) {
        xf[p] = xm[p] = 355000 + 200 + rtm_t_urand() * 3600;
        yf[p] = ym[p] = 578000 + 200 + rtm_t_urand() * 2600;
    }
    RTM_CHECK(rtm_transform_points(t, xf, yf, 60, ok) == 60);
    RTM_CHECK_REL(xf[0], xm[0] / ft, 1e-12, 0);
    rtm_kde_opts_init(&o);
    o.radius = 400;
    RTM_CHECK(rtm_kde_compute(&gm, xm, ym, NULL, 60, &o, dm, &e) == 0);
    o.radius = 400 / ft;
    RTM_CHECK(rtm_kde_compute(&gf, xf, yf, NULL, 60, &o, df, &e) == 0);
    for (c = 0; c < 4800; c++)
        mx = fmax(mx, dm[c]);
    /* 60 points over 14.4 km^2 with a 400 m quartic: peaks of tens per km^2 */
    RTM_CHECK(mx > 10);
    for (c = 0; c < 4800; c++)
        RTM_CHECK_NEAR(df[c], dm[c], 1e-9 * mx);
    /* per m^2 too; and an explicit unit overrides the grid's */
    o.units = RTM_UNITS_M2;
    RTM_CHECK(rtm_kde_compute(&gf, xf, yf, NULL, 60, &o, df, &e) == 0);
    for (c = 0; c < 4800; c++)
        RTM_CHECK_NEAR(df[c] * 1e6, dm[c], 1e-9 * mx);
    o.units = RTM_UNITS_KM2;
    o.metres_per_unit = 1;
    RTM_CHECK(rtm_kde_compute(&gf, xf, yf, NULL, 60, &o, df, &e) == 0);
    for (c = 0; c < 4800; c++)
        RTM_CHECK_NEAR(df[c] / (ft * ft), dm[c], 1e-9 * mx); /* per ft^2 x 1e6 */
    /* a geographic grid has no linear unit: km2 is refused */
    o.metres_per_unit = 0;
    snprintf(gf.crs, sizeof gf.crs, "EPSG:4326");
    RTM_CHECK(rtm_kde_compute(&gf, xf, yf, NULL, 60, &o, df, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "geographic") != NULL);
    o.metres_per_unit = -1;
    RTM_CHECK(rtm_kde_compute(&gm, xm, ym, NULL, 60, &o, dm, &e) == RTM_ERR_ARG);
    rtm_transform_free(t);
    free(dm), free(df);
}

/* Weights of 1e308 overflow the sum to +inf: an error naming a cell, never a
 * surface with infinite cells. */
static void test_overflow(void)
{
    rtm_grid g = {0, 0, 10, 20, 20, ""};
    double x[3] = {50, 52, 55}, y[3] = {50, 51, 49}, w[3] = {1e308, 1e308, 1e308}, out[400];
    rtm_kde_opts o;
    rtm_error e;
    rtm_kde_opts_init(&o);
    o.radius = 30;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "kde: the density is not finite at row") != NULL);
    w[0] = w[1] = w[2] = 1;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == 0);
}

static void test_errors(void)
{
    rtm_grid g = {0, 0, 10, 20, 20, ""}, huge = {0, 0, 1, 100000, 100000, ""};
    double x[3] = {50, 60, 70}, y[3] = {50, 60, 70}, w[3] = {1, 1, 1}, out[400];
    rtm_kde_opts o;
    rtm_error e;
    int calls = 0;
    size_t c;
    rtm_kde_opts_init(&o);
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG); /* radius 0 */
    o.radius = -5;
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "kde: radius must be > 0 (got -5)") != NULL);
    o.radius = NAN;
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG);
    o.radius = 1e9; /* 1e8 cells */
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG);
    o.radius = 100;
    RTM_CHECK(rtm_kde_compute(&huge, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "too many") != NULL);
    {
        rtm_grid wide = {0, 0, 1, 2147483647 - 10, 1, ""}; /* column indices would overflow */
        RTM_CHECK(rtm_kde_compute(&wide, x, y, NULL, 3, &o, out, &e) == RTM_ERR_ARG);
        RTM_CHECK(strstr(e.msg, "too wide") != NULL);
    }
    x[1] = NAN; /* non-finite coordinates are an error, never skipped */
    RTM_CHECK(rtm_kde_compute(&g, x, y, NULL, 3, &o, out, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "point 1") != NULL);
    x[1] = 60;
    w[2] = -1;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "point 2") != NULL);
    w[2] = 1;
    o.kernel = RTM_KERNEL_GAUSSIAN;
    o.gauss_truncate = 0;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == RTM_ERR_ARG);
    o.gauss_truncate = 4;
    o.kernel = (rtm_kernel)42;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == RTM_ERR_ARG);
    o.kernel = RTM_KERNEL_QUARTIC;
    /* no points: all zero */
    memset(out, 0xff, sizeof out);
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 0, &o, out, &e) == 0);
    for (c = 0; c < 400; c++)
        RTM_CHECK(out[c] == 0);
    /* progress reported up to 1; cancellation through the callback */
    o.progress = count_calls;
    o.progress_arg = &calls;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, 3, &o, out, &e) == 0);
    RTM_CHECK(calls >= 2 && last_frac == 1.0);
    o.progress = cancel_at_half;
    {
        rtm_grid tall = {0, 0, 10, 10, 200, ""};
        double *o2 = malloc(2000 * sizeof *o2);
        calls = 0;
        RTM_CHECK(rtm_kde_compute(&tall, x, y, w, 3, &o, o2, &e) == RTM_ERR_CANCEL);
        RTM_CHECK(calls >= 2);
        free(o2);
    }
}

static void test_names(void)
{
    size_t ki;
    rtm_kernel k;
    rtm_density_units u;
    for (ki = 0; ki < NKERNELS; ki++) {
        RTM_CHECK(rtm_kernel_parse(rtm_kernel_name(all_kernels[ki]), &k) == 0);
        RTM_CHECK(k == all_kernels[ki]);
    }
    RTM_CHECK(rtm_kernel_parse("Biweight", &k) == 0 && k == RTM_KERNEL_QUARTIC);
    RTM_CHECK(rtm_kernel_parse("cone", &k) == 0 && k == RTM_KERNEL_TRIANGULAR);
    RTM_CHECK(rtm_kernel_parse("kde", &k) == -1);
    RTM_CHECK(rtm_units_parse("KM2", &u) == 0 && u == RTM_UNITS_KM2);
    RTM_CHECK(rtm_units_parse("cell", &u) == 0 && u == RTM_UNITS_CELL);
    RTM_CHECK(rtm_units_parse("ha", &u) == -1);
    RTM_CHECK(strcmp(rtm_units_name(RTM_UNITS_M2), "m2") == 0);
    RTM_CHECK(strcmp(rtm_kernel_name((rtm_kernel)99), "?") == 0);
}

/* Per-axis standard deviations of the kernels, by numerical integration
 * of x^2 K over the disc (r = 1), against rtm_kernel_sigma_unit. */
static void test_sigma(void)
{
    size_t ki;
    for (ki = 0; ki < NKERNELS; ki++) {
        double num = 0, den = 0, h = 1e-4, d;
        rtm_kernel k = all_kernels[ki];
        for (d = h / 2; d < 1; d += h) { /* radial: E[x^2] = int d^2/2 K 2 pi d / int K 2 pi d */
            double kv = ref_kernel(k, d * d, 1, 4);
            num += d * d / 2 * kv * d;
            den += kv * d;
        }
        if (k == RTM_KERNEL_GAUSSIAN) /* untruncated: sigma = 1/4 */
            RTM_CHECK_NEAR(rtm_kernel_sigma_unit(k, 4), 0.25, 0);
        else
            RTM_CHECK_REL(rtm_kernel_sigma_unit(k, 4), sqrt(num / den), 1e-6, 0);
    }
    RTM_CHECK_REL(rtm_kernel_sigma_unit(RTM_KERNEL_QUARTIC, 4), 1 / (2 * sqrt(2)), 1e-15, 0);
}

int main(void)
{
    rtm_t_rng = 42; /* test data seed */
    RTM_RUN(test_hand_cells);
    RTM_RUN(test_brute_bng);
    RTM_RUN(test_brute_small_radius);
    RTM_RUN(test_brute_integer_radius);
    RTM_RUN(test_brute_isolated);
    RTM_RUN(test_brute_dense);
    RTM_RUN(test_brute_long_rows);
    RTM_RUN(test_brute_segments);
    RTM_RUN(test_long_double_edge);
    RTM_RUN(test_integral);
    RTM_RUN(test_units);
    RTM_RUN(test_feet_crs);
    RTM_RUN(test_overflow);
    RTM_RUN(test_threads);
    RTM_RUN(test_rows_spans);
    RTM_RUN(test_errors);
    RTM_RUN(test_names);
    RTM_RUN(test_sigma);
    return RTM_TEST_END();
}
