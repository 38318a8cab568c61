/* test_kde_plus.c: edge corrections, adaptive bandwidths and likelihood
 * cross-validation (rtm/kde_plus.h) against
 *   - a brute force written out here (every point x every cell; the edge
 *     mass as the sum of kernel weights over the window's cells divided by
 *     the lattice sum; Abramson's radii from a brute-force pilot; the CV
 *     criterion from every pair), at 1e-9;
 *   - R spatstat 3.0 on the same points, pixel grid and window
 *     (tests/data/kde_spatstat, made by tools/fixtures/make_kde_spatstat.R),
 *     with the tolerances argued at each comparison. */
#include "rtm/kde_plus.h"
#include "rtm_test.h"

#include <omp.h>
#include <string.h>

static const char *const edge_name[] = {"none", "uniform", "diggle"};

/* ---- brute force ------------------------------------------------------- */

static double ref_kernel(rtm_kernel k, double d2, double r, double trunc)
{
    double u2 = d2 / (r * r), s;
    if (!(d2 <= r * r))
        return 0;
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

typedef struct bcase {
    rtm_grid g;
    const unsigned char *win;
    rtm_kernel k;
    double trunc;
} bcase;

static double cx(const bcase *b, int j) { return rtm_grid_cell_x(&b->g, j); }
static double cy(const bcase *b, int i) { return rtm_grid_cell_y(&b->g, i); }

/* e(u) at every cell for radius r: window sum / lattice sum. */
static void brute_mass(const bcase *b, double r, double *e)
{
    const rtm_grid *g = &b->g;
    double lat = 0;
    int R = (int)ceil(r / g->res) + 1;
    for (int a = -R; a <= R; a++)
        for (int c = -R; c <= R; c++)
            lat += ref_kernel(b->k, (a * g->res) * (a * g->res) + (c * g->res) * (c * g->res), r,
                              b->trunc);
    for (int i = 0; i < g->nrows; i++)
        for (int j = 0; j < g->ncols; j++) {
            double s = 0;
            for (int i2 = 0; i2 < g->nrows; i2++)
                for (int j2 = 0; j2 < g->ncols; j2++) {
                    double dx = cx(b, j) - cx(b, j2), dy = cy(b, i) - cy(b, i2);
                    if (!b->win || b->win[i2 * g->ncols + j2])
                        s += ref_kernel(b->k, dx * dx + dy * dy, r, b->trunc);
                }
            e[i * g->ncols + j] = b->win && !b->win[i * g->ncols + j] ? 0 /* outside */
                                  : s / lat > 1 - 1e-12 ? 1 : s / lat;
        }
}

static int cell_of(const rtm_grid *g, double x, double y)
{
    int j = (int)floor((x - g->x0) / g->res), i = (int)floor((g->y0 + g->nrows * g->res - y) / g->res);
    j = j < 0 ? 0 : j >= g->ncols ? g->ncols - 1 : j;
    i = i < 0 ? 0 : i >= g->nrows ? g->nrows - 1 : i;
    return i * g->ncols + j;
}

/* Density per unit^2; rad[i] the radius of point i; edge 0/1/2. */
static void brute_density(const bcase *b, const double *x, const double *y, const double *w,
                          const double *rad, int n, int edge, double *out)
{
    const rtm_grid *g = &b->g;
    size_t nc = rtm_grid_ncells(g);
    double *e = malloc(nc * sizeof *e);
    memset(out, 0, nc * sizeof *out);
    for (int p = 0; p < n; p++) {
        double wp = w ? w[p] : 1;
        if (edge)
            brute_mass(b, rad[p], e);
        if (edge == 2)
            wp /= e[cell_of(g, x[p], y[p])];
        for (int i = 0; i < g->nrows; i++)
            for (int j = 0; j < g->ncols; j++) {
                double dx = cx(b, j) - x[p], dy = cy(b, i) - y[p];
                double v = wp * ref_kernel(b->k, dx * dx + dy * dy, rad[p], b->trunc);
                size_t c = (size_t)i * g->ncols + j;
                out[c] += edge == 1 ? (e[c] > 0 ? v / e[c] : 0) : v;
            }
    }
    free(e);
}

/* max |a - b| / max |b| over the window, and worst relative error on cells
 * >= 1e-6 of the maximum. */
static void compare(const double *a, const double *b, size_t n, const unsigned char *win,
                    double tol, const char *what)
{
    double mx = 0, ea = 0, er = 0;
    for (size_t c = 0; c < n; c++)
        if (!win || win[c])
            mx = fmax(mx, fabs(b[c]));
    for (size_t c = 0; c < n; c++) {
        if (win && !win[c])
            continue;
        ea = fmax(ea, fabs(a[c] - b[c]));
        if (fabs(b[c]) >= 1e-6 * mx)
            er = fmax(er, fabs(a[c] - b[c]) / fabs(b[c]));
    }
    printf("# %-44s max %.4g  max|err|/max %.2e  worst rel %.2e\n", what, mx, ea / mx, er);
    RTM_CHECK(mx > 0);
    RTM_CHECK(ea <= tol * mx);
    RTM_CHECK(er <= tol);
}

/* An L-shaped window with a hole, on a 24 x 18 grid of 10 m cells; points
 * clustered near its edges and the hole, some off-centre, some on centres. */
static unsigned char lwin[24 * 18];
static bcase small_case(rtm_kernel k, double trunc)
{
    bcase b;
    memset(&b, 0, sizeof b);
    b.g.x0 = 500;
    b.g.y0 = 800;
    b.g.res = 10;
    b.g.ncols = 24;
    b.g.nrows = 18;
    for (int i = 0; i < 18; i++)
        for (int j = 0; j < 24; j++)
            lwin[i * 24 + j] = !((i < 7 && j >= 15) || (i >= 9 && i <= 10 && j >= 5 && j <= 7));
    b.win = lwin;
    b.k = k;
    b.trunc = trunc;
    return b;
}

static int small_points(const bcase *b, double *x, double *y, double *w, int n)
{
    rtm_t_rng = 99;
    for (int p = 0; p < n; p++) {
        int c;
        do {
            x[p] = b->g.x0 + rtm_t_urand() * b->g.ncols * b->g.res;
            y[p] = b->g.y0 + rtm_t_urand() * b->g.nrows * b->g.res;
            if (p % 3 == 0) { /* near the notch */
                x[p] = b->g.x0 + 140 + 20 * rtm_t_urand();
                y[p] = b->g.y0 + 100 + 10 * rtm_t_urand();
            }
            if (p % 5 == 0) { /* on a cell centre */
                x[p] = floor((x[p] - b->g.x0) / 10) * 10 + 5 + b->g.x0;
                y[p] = floor((y[p] - b->g.y0) / 10) * 10 + 5 + b->g.y0;
            }
            c = cell_of(&b->g, x[p], y[p]);
        } while (!b->win[c]);
        if (w)
            w[p] = 0.5 + 2 * rtm_t_urand();
    }
    return n;
}

static void opts_for(const bcase *b, double r, rtm_kde_opts *o)
{
    rtm_kde_opts_init(o);
    o->kernel = b->k;
    o->radius = r;
    o->gauss_truncate = b->trunc;
    o->units = RTM_UNITS_M2;
    o->metres_per_unit = 1;
}

/* ---- brute-force tests --------------------------------------------------- */

static void test_edge_mass(void)
{
    static const rtm_kernel ks[] = {RTM_KERNEL_QUARTIC, RTM_KERNEL_UNIFORM, RTM_KERNEL_EPANECHNIKOV,
                                    RTM_KERNEL_TRIWEIGHT, RTM_KERNEL_TRIANGULAR,
                                    RTM_KERNEL_GAUSSIAN};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++)
        for (int rr = 0; rr < 2; rr++) {
            bcase b = small_case(ks[t], ks[t] == RTM_KERNEL_GAUSSIAN ? 3.0 : 4.0);
            double r = rr ? 57.3 : 25.0, e[24 * 18], ref[24 * 18];
            rtm_kde_opts o;
            char what[80];
            opts_for(&b, r, &o);
            RTM_CHECK(rtm_kde_edge_mass(&b.g, b.win, &o, e, NULL) == 0);
            brute_mass(&b, r, ref);
            snprintf(what, sizeof what, "edge mass %s r=%g", rtm_kernel_name(ks[t]), r);
            compare(e, ref, 24 * 18, NULL, 1e-9, what);
            for (int c = 0; c < 24 * 18; c++)
                RTM_CHECK(e[c] >= 0 && e[c] <= 1);
        }
    /* a small window (the direct sum over its cells, not the complement) */
    {
        static unsigned char small[24 * 18];
        bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
        double e[24 * 18], ref[24 * 18];
        rtm_kde_opts o;
        for (int c = 0; c < 24 * 18; c++)
            small[c] = (c / 24 >= 6 && c / 24 < 11 && c % 24 >= 9 && c % 24 < 14) || c == 0;
        b.win = small;
        opts_for(&b, 38, &o);
        RTM_CHECK(rtm_kde_edge_mass(&b.g, b.win, &o, e, NULL) == 0);
        brute_mass(&b, 38, ref);
        compare(e, ref, 24 * 18, NULL, 1e-9, "edge mass, a 5 x 5 window and one cell");
    }
    /* a large window (the sum over the outside cells near its boundary, the
     * complement, is the cheaper path there) */
    {
        static unsigned char big[60 * 50];
        static double e[60 * 50], ref[60 * 50];
        bcase b = small_case(RTM_KERNEL_EPANECHNIKOV, 4);
        rtm_kde_opts o;
        b.g.ncols = 60;
        b.g.nrows = 50;
        for (int c = 0; c < 60 * 50; c++)
            big[c] = !(c / 60 < 20 && c % 60 > 40) && !(c / 60 == 30 && c % 60 == 30);
        b.win = big;
        opts_for(&b, 27, &o);
        RTM_CHECK(rtm_kde_edge_mass(&b.g, b.win, &o, e, NULL) == 0);
        brute_mass(&b, 27, ref);
        compare(e, ref, 60 * 50, NULL, 1e-9, "edge mass, 60 x 50 window with a hole");
        b.win = NULL;
        RTM_CHECK(rtm_kde_edge_mass(&b.g, NULL, &o, e, NULL) == 0);
        brute_mass(&b, 27, ref);
        compare(e, ref, 60 * 50, NULL, 1e-9, "edge mass, 60 x 50 grid, no window");
    }
    /* deep inside a whole-grid window e is exactly 1 */
    {
        bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
        double e[24 * 18];
        rtm_kde_opts o;
        opts_for(&b, 25, &o);
        RTM_CHECK(rtm_kde_edge_mass(&b.g, NULL, &o, e, NULL) == 0);
        RTM_CHECK(e[9 * 24 + 12] == 1.0);
        RTM_CHECK(e[0] < 0.5 && e[0] > 0.25);
    }
}

static void test_edge_corrections(void)
{
    static const rtm_kernel ks[] = {RTM_KERNEL_QUARTIC, RTM_KERNEL_GAUSSIAN, RTM_KERNEL_UNIFORM,
                                    RTM_KERNEL_TRIANGULAR};
    double x[40], y[40], w[40], rad[40], out[24 * 18], ref[24 * 18];
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++)
        for (int edge = 0; edge <= 2; edge++)
            for (int wt = 0; wt < 2; wt++) {
                bcase b = small_case(ks[t], 4);
                rtm_kde_opts o;
                rtm_kde_plus p;
                rtm_kde_plus_info info;
                char what[96];
                int n = small_points(&b, x, y, w, 40);
                opts_for(&b, 33.0, &o);
                rtm_kde_plus_init(&p);
                p.edge = (rtm_kde_edge)edge;
                p.window = b.win;
                for (int i = 0; i < n; i++)
                    rad[i] = 33.0;
                RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, wt ? w : NULL, n, &o, &p, out, &info,
                                               NULL) == 0);
                brute_density(&b, x, y, wt ? w : NULL, rad, n, edge, ref);
                snprintf(what, sizeof what, "edge %s %s%s", edge_name[edge],
                         rtm_kernel_name(ks[t]), wt ? " weighted" : "");
                compare(out, ref, 24 * 18, NULL, 1e-9, what);
                RTM_CHECK(edge == 0 ? info.emin == 1 : info.emin < 1 && info.emin > 0);
            }
}

/* No option set: the bytes of rtm_kde_compute. */
static void test_plain_identical(void)
{
    bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
    double x[40], y[40], a[24 * 18], c[24 * 18];
    rtm_kde_opts o;
    rtm_kde_plus p;
    int n = small_points(&b, x, y, NULL, 40);
    opts_for(&b, 40, &o);
    rtm_kde_plus_init(&p);
    p.window = b.win;
    RTM_CHECK(rtm_kde_compute(&b.g, x, y, NULL, n, &o, a, NULL) == 0);
    RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, &p, c, NULL, NULL) == 0);
    RTM_CHECK(memcmp(a, c, sizeof a) == 0);
    RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, NULL, c, NULL, NULL) == 0);
    RTM_CHECK(memcmp(a, c, sizeof a) == 0);
}

/* Abramson radii from a brute pilot (same kernel, edge, window). */
static void brute_abramson(const bcase *b, const double *x, const double *y, const double *w,
                           int n, double h0, double pilot, int edge, double trim, double *h)
{
    size_t nc = rtm_grid_ncells(&b->g);
    double *f = malloc(nc * sizeof *f), *rad = malloc(n * sizeof *rad), ls = 0;
    int npos = 0;
    for (int i = 0; i < n; i++)
        rad[i] = pilot;
    brute_density(b, x, y, w, rad, n, edge, f);
    for (int i = 0; i < n; i++) {
        h[i] = f[cell_of(&b->g, x[i], y[i])];
        if (h[i] > 0) {
            ls += log(h[i]);
            npos++;
        }
    }
    for (int i = 0; i < n; i++)
        h[i] = h[i] > 0 ? h0 * fmin(pow(h[i] / exp(ls / npos), -0.5), trim) : h0 * trim;
    free(f);
    free(rad);
}

static void test_adaptive_exact(void)
{
    double x[30], y[30], w[30], h[30], hr[30], out[24 * 18], ref[24 * 18];
    for (int edge = 0; edge <= 2; edge++)
        for (int kk = 0; kk < 2; kk++) {
            bcase b = small_case(kk ? RTM_KERNEL_GAUSSIAN : RTM_KERNEL_QUARTIC, 3);
            rtm_kde_opts o;
            rtm_kde_plus p;
            rtm_kde_plus_info info;
            char what[96];
            double gm;
            int n = small_points(&b, x, y, w, 30);
            opts_for(&b, 30.0, &o);
            rtm_kde_plus_init(&p);
            p.edge = (rtm_kde_edge)edge;
            p.window = b.win;
            p.adaptive = 1;
            p.pilot = 45;
            p.trim = 2.5;
            p.groups = RTM_KDE_GROUPS_EXACT;
            RTM_CHECK(rtm_kde_abramson(&b.g, x, y, w, n, &o, &p, h, &gm, NULL) == 0);
            brute_abramson(&b, x, y, w, n, 30.0, 45, edge, 2.5, hr);
            for (int i = 0; i < n; i++)
                RTM_CHECK_REL(h[i], hr[i], 1e-9, 0);
            RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, w, n, &o, &p, out, &info, NULL) == 0);
            brute_density(&b, x, y, w, hr, n, edge, ref);
            snprintf(what, sizeof what, "adaptive exact, edge %s, %s",
                     edge_name[edge], rtm_kernel_name(b.k));
            compare(out, ref, 24 * 18, NULL, 1e-9, what);
            RTM_CHECK(info.groups == n && info.hmax <= 75 + 1e-9 && info.hmin < 30);
        }
}

/* The grouped approximation against the exact estimate: the error it makes
 * (printed) is bounded by the spread of radii inside a group. */
static void test_adaptive_groups(void)
{
    double x[300], y[300], ex[24 * 18], gr[24 * 18];
    int gs[] = {4, 8, 17, 32}; /* 17 = floor(sqrt(300)), the default */
    bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
    rtm_kde_opts o;
    rtm_kde_plus p;
    int n = small_points(&b, x, y, NULL, 300);
    opts_for(&b, 30.0, &o);
    rtm_kde_plus_init(&p);
    p.adaptive = 1;
    p.edge = RTM_KDE_EDGE_UNIFORM;
    p.window = b.win;
    p.groups = RTM_KDE_GROUPS_EXACT;
    RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, &p, ex, NULL, NULL) == 0);
    double l1s[4];
    for (size_t t = 0; t < sizeof gs / sizeof *gs; t++) {
        double mx = 0, ea = 0, l1 = 0, s1 = 0;
        rtm_kde_plus_info info;
        p.groups = gs[t];
        RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, &p, gr, &info, NULL) == 0);
        RTM_CHECK(info.groups == gs[t]);
        for (int c = 0; c < 24 * 18; c++)
            if (b.win[c]) {
                mx = fmax(mx, ex[c]);
                ea = fmax(ea, fabs(gr[c] - ex[c]));
                l1 += fabs(gr[c] - ex[c]);
                s1 += ex[c];
            }
        printf("# adaptive, %2d groups vs exact (n = %d): max|err|/max %.2e, L1 %.2e\n",
               gs[t], n, ea / mx, l1 / s1);
        l1s[t] = l1 / s1;
        if (t == 3)
            RTM_CHECK(ea / mx < 0.02 && l1 / s1 < 0.02);
    }
    /* spatstat's quantile groups leave the sparse tail of large radii (isolated
     * points) coarse: the error falls with the number of groups, not
     * monotonically at every step */
    RTM_CHECK(l1s[3] < l1s[1] && l1s[1] < l1s[0]);
}

/* The CV criterion by brute force for the candidates of rtm_bandwidth_cv. */
static void test_cv_brute(void)
{
    double x[40], y[40], w[40];
    for (int edge = 0; edge <= 2; edge++)
        for (int kk = 0; kk < 2; kk++) {
            bcase b = small_case(kk ? RTM_KERNEL_GAUSSIAN : RTM_KERNEL_QUARTIC, 3);
            rtm_kde_opts o;
            rtm_kde_plus p;
            rtm_kde_cv cv;
            double radius, lo = INFINITY, hi = 0, su = rtm_kernel_sigma_unit(b.k, 3);
            size_t nc = rtm_grid_ncells(&b.g);
            double *d = malloc(nc * sizeof *d), *e = malloc(nc * sizeof *e), rad[40];
            int n = small_points(&b, x, y, w, 40), best = 0;
            opts_for(&b, 1, &o);
            rtm_kde_plus_init(&p);
            p.edge = (rtm_kde_edge)edge;
            p.window = b.win;
            RTM_CHECK(rtm_bandwidth_cv(&b.g, x, y, w, n, &o, &p, 8, &radius, &cv, NULL) == 0);
            double nnmax = 0;
            for (int i = 0; i < n; i++) {
                double nn = INFINITY;
                for (int j = 0; j < n; j++) {
                    double dd = hypot(x[i] - x[j], y[i] - y[j]);
                    if (i != j)
                        nn = fmin(nn, dd);
                    if (i != j && dd > 0)
                        lo = fmin(lo, dd);
                }
                nnmax = fmax(nnmax, nn);
            }
            for (int a = 0; a < (int)nc; a++)
                for (int c = 0; c < (int)nc; c++)
                    if (b.win[a] && b.win[c])
                        hi = fmax(hi, hypot(cx(&b, a % 24) - cx(&b, c % 24),
                                            cy(&b, a / 24) - cy(&b, c / 24)));
            hi /= 2;
            RTM_CHECK(cv.ns == 8);
            for (int k = 0; k < 8; k++)
                RTM_CHECK(cv.coarsen[k] == 1); /* small: the grid itself */
            RTM_CHECK_REL(cv.sigma[0], lo, 1e-15, 0);
            RTM_CHECK_REL(cv.sigma[7], hi, 1e-12, 0);
            for (int k = 0; k < 8; k++) {
                double s = lo * pow(hi / lo, k / 7.0), r = s / su, ll = 0, integ = 0;
                RTM_CHECK_REL(cv.radius[k], r, 1e-12, 0);
                r = cv.radius[k];
                for (int i = 0; i < n; i++)
                    rad[i] = r;
                brute_density(&b, x, y, w, rad, n, edge, d);
                if (edge)
                    brute_mass(&b, r, e);
                for (int c = 0; c < (int)nc; c++)
                    integ += b.win[c] ? d[c] * 100 : 0;
                for (int i = 0; i < n; i++) {
                    double s2 = 0;
                    for (int j = 0; j < n; j++) {
                        double dx = x[i] - x[j], dy = y[i] - y[j];
                        /* the Gaussian's sums are cut at max(8 sd, r, 2 nnmax) */
                        double sd = r / 3, cut = fmax(fmax(8 * sd, r), 2 * nnmax);
                        double kv = b.k == RTM_KERNEL_GAUSSIAN
                                        ? (dx * dx + dy * dy <= cut * cut
                                               ? exp(-(dx * dx + dy * dy) / (2 * sd * sd)) /
                                                     (2 * M_PI * sd * sd) : 0)
                                        : ref_kernel(b.k, dx * dx + dy * dy, r, 3);
                        if (j != i)
                            s2 += w[j] * kv / (edge == 2 ? e[cell_of(&b.g, x[j], y[j])] : 1);
                    }
                    s2 /= edge == 1 ? e[cell_of(&b.g, x[i], y[i])] : 1;
                    ll += s2 > 0 ? log(s2) : -INFINITY;
                }
                if (isfinite(ll - integ))
                    RTM_CHECK_REL(cv.cv[k], ll - integ, 1e-9, 1);
                else
                    RTM_CHECK(cv.cv[k] == -INFINITY);
                if (cv.cv[k] > cv.cv[best])
                    best = k;
            }
            RTM_CHECK(cv.best == best && radius == cv.radius[best]);
            printf("# cv edge %s %s: best radius %.4g (candidate %d of 8)\n",
                   edge_name[edge], rtm_kernel_name(b.k), radius, best + 1);
            free(d);
            free(e);
        }
}

static void test_threads(void)
{
    bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
    double x[200], y[200], a[24 * 18], c[24 * 18], r1, r2;
    rtm_kde_opts o;
    rtm_kde_plus p;
    int n = small_points(&b, x, y, NULL, 200);
    opts_for(&b, 30, &o);
    rtm_kde_plus_init(&p);
    p.window = b.win;
    for (int mode = 0; mode < 3; mode++) {
        p.edge = mode == 1 ? RTM_KDE_EDGE_DIGGLE : RTM_KDE_EDGE_UNIFORM;
        p.adaptive = mode == 2;
        o.threads = 1;
        RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, &p, a, NULL, NULL) == 0);
        o.threads = 2;
        RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, n, &o, &p, c, NULL, NULL) == 0);
        RTM_CHECK(memcmp(a, c, sizeof a) == 0);
    }
    p.adaptive = 0;
    o.threads = 1;
    RTM_CHECK(rtm_bandwidth_cv(&b.g, x, y, NULL, n, &o, &p, 0, &r1, NULL, NULL) == 0);
    o.threads = 2;
    RTM_CHECK(rtm_bandwidth_cv(&b.g, x, y, NULL, n, &o, &p, 0, &r2, NULL, NULL) == 0);
    RTM_CHECK(r1 == r2);
}

static void test_errors(void)
{
    bcase b = small_case(RTM_KERNEL_QUARTIC, 4);
    double x[2] = {505, 505}, y[2] = {805, 805}, out[24 * 18], r;
    rtm_kde_opts o;
    rtm_kde_plus p;
    rtm_error e;
    opts_for(&b, 30, &o);
    rtm_kde_plus_init(&p);
    p.trim = -1;
    p.pilot = -2;
    RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, 2, &o, &p, out, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "trim") && strstr(e.msg, "pilot"));
    rtm_kde_plus_init(&p);
    /* two points at one place: no positive distance to search from */
    RTM_CHECK(rtm_bandwidth_cv(&b.g, x, y, NULL, 2, &o, &p, 0, &r, NULL, &e) == RTM_ERR_MODEL);
    /* Diggle: a point whose nearest cell (row 0, column 23: outside the
     * window's north-east notch) is beyond the radius of every window cell */
    x[1] = 5000;
    y[1] = 975;
    p.edge = RTM_KDE_EDGE_DIGGLE;
    p.window = b.win;
    RTM_CHECK(rtm_kde_plus_compute(&b.g, x, y, NULL, 2, &o, &p, out, NULL, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "point 1") != NULL);
}

/* ---- spatstat ---------------------------------------------------------------- */

typedef struct sp {
    rtm_grid g;
    unsigned char win[40 * 30];
    double x[60], y[60];
    int n;
} sp;

static int sp_load(sp *s)
{
    char path[512], line[64];
    FILE *f;
    memset(s, 0, sizeof *s);
    s->g.x0 = 1000;
    s->g.y0 = 2000;
    s->g.res = 10;
    s->g.ncols = 40;
    s->g.nrows = 30;
    snprintf(path, sizeof path, "%s/kde_spatstat/points.txt", rtm_test_data());
    if (!(f = fopen(path, "r")))
        return -1;
    while (s->n < 60 && fscanf(f, "%lf %lf", &s->x[s->n], &s->y[s->n]) == 2)
        s->n++;
    fclose(f);
    snprintf(path, sizeof path, "%s/kde_spatstat/mask.txt", rtm_test_data());
    if (!(f = fopen(path, "r")))
        return -1;
    for (int i = 0; i < 30 && fgets(line, sizeof line, f); i++)
        for (int j = 0; j < 40; j++)
            s->win[i * 40 + j] = line[j] == '1';
    fclose(f);
    return s->n == 60 ? 0 : -1;
}

/* A grid file (north row first, NA outside the window). */
static int sp_grid(const char *name, double *v, size_t n)
{
    char path[512], tok[64];
    FILE *f;
    size_t k = 0;
    snprintf(path, sizeof path, "%s/kde_spatstat/%s", rtm_test_data(), name);
    if (!(f = fopen(path, "r")))
        return -1;
    while (k < n && fscanf(f, "%63s", tok) == 1)
        v[k++] = strcmp(tok, "NA") ? strtod(tok, NULL) : NAN;
    fclose(f);
    return k == n ? 0 : -1;
}

/* rtm vs spatstat over the window: spatstat divides its kernel image by
 * its lattice sum, so rtm / M_inf is compared (M_inf = 1 - 2e-22 for the
 * Gaussian cut at 10 sd; 0.9986 for the quartic below). The remaining
 * difference is FFT rounding, absolute relative to the maximum: 1e-9 of
 * the maximum, and 1e-7 relative on cells above 1e-3 of it. */
static void sp_compare(const sp *s, const double *v, double minf, const char *file,
                       double tol_abs, double tol_rel)
{
    double ref[40 * 30], mx = 0, ea = 0, er = 0;
    RTM_CHECK(sp_grid(file, ref, 1200) == 0);
    for (int c = 0; c < 1200; c++)
        if (s->win[c])
            mx = fmax(mx, ref[c]);
    for (int c = 0; c < 1200; c++) {
        double a = v[c] / minf;
        if (!s->win[c]) {
            RTM_CHECK(isnan(ref[c]));
            continue;
        }
        ea = fmax(ea, fabs(a - ref[c]));
        if (ref[c] > 1e-3 * mx)
            er = fmax(er, fabs(a - ref[c]) / ref[c]);
    }
    printf("# spatstat %-22s max %.4g  max|err|/max %.2e  rel (>1e-3 max) %.2e\n", file, mx,
           ea / mx, er);
    RTM_CHECK(ea <= tol_abs * mx);
    RTM_CHECK(er <= tol_rel);
}

static void sp_opts(const sp *s, rtm_kernel k, double sigma, rtm_kde_opts *o)
{
    (void)s;
    rtm_kde_opts_init(o);
    o->kernel = k;
    o->gauss_truncate = 10;
    o->radius = sigma / rtm_kernel_sigma_unit(k, 10);
    o->units = RTM_UNITS_M2;
    o->metres_per_unit = 1;
}

static void test_spatstat_fixed(void)
{
    static const struct { rtm_kernel k; rtm_kde_edge e; const char *file; } cases[] = {
        {RTM_KERNEL_GAUSSIAN, RTM_KDE_EDGE_NONE, "gauss_none.txt"},
        {RTM_KERNEL_GAUSSIAN, RTM_KDE_EDGE_UNIFORM, "gauss_uniform.txt"},
        {RTM_KERNEL_GAUSSIAN, RTM_KDE_EDGE_DIGGLE, "gauss_diggle.txt"},
        {RTM_KERNEL_QUARTIC, RTM_KDE_EDGE_UNIFORM, "quartic_uniform.txt"},
        {RTM_KERNEL_QUARTIC, RTM_KDE_EDGE_DIGGLE, "quartic_diggle.txt"}};
    sp s;
    double v[1200];
    RTM_CHECK(sp_load(&s) == 0);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        rtm_kde_opts o;
        rtm_kde_plus p;
        sp_opts(&s, cases[t].k, 25, &o);
        rtm_kde_plus_init(&p);
        p.edge = cases[t].e;
        p.window = s.win;
        RTM_CHECK(rtm_kde_plus_compute(&s.g, s.x, s.y, NULL, 60, &o, &p, v, NULL, NULL) == 0);
        sp_compare(&s, v, rtm_kde_lattice_mass(&s.g, &o), cases[t].file, 1e-9, 1e-7);
    }
}

static void test_spatstat_adaptive(void)
{
    sp s;
    double h[60], bw[60], v[1200], gm;
    rtm_kde_opts o;
    rtm_kde_plus p;
    char path[512];
    FILE *f;
    int k = 0;
    RTM_CHECK(sp_load(&s) == 0);
    snprintf(path, sizeof path, "%s/kde_spatstat/abram_bw.txt", rtm_test_data());
    RTM_CHECK((f = fopen(path, "r")) != NULL);
    while (f && k < 60 && fscanf(f, "%lf", &bw[k]) == 1)
        k++;
    if (f)
        fclose(f);
    RTM_CHECK(k == 60);
    sp_opts(&s, RTM_KERNEL_GAUSSIAN, 25, &o);
    rtm_kde_plus_init(&p);
    p.edge = RTM_KDE_EDGE_UNIFORM; /* bw.abram's pilot: density.ppp, edge = TRUE */
    p.window = s.win;
    p.adaptive = 1;
    RTM_CHECK(rtm_kde_abramson(&s.g, s.x, s.y, NULL, 60, &o, &p, h, &gm, NULL) == 0);
    double worst = 0;
    for (int i = 0; i < 60; i++)
        worst = fmax(worst, fabs(h[i] / 10 - bw[i]) / bw[i]);
    printf("# spatstat bw.abram: worst relative difference of the 60 sigmas %.2e\n", worst);
    RTM_CHECK(worst < 1e-9);
    /* the grouping of densityAdaptiveKernel: 5 groups, and one per point
     * (ngroups = Inf: still the mid-quantiles of spatstat's formula, which
     * rtm's groups = n reproduces) */
    p.groups = 5;
    RTM_CHECK(rtm_kde_plus_compute(&s.g, s.x, s.y, NULL, 60, &o, &p, v, NULL, NULL) == 0);
    sp_compare(&s, v, 1, "adaptive_g5.txt", 1e-6, 1e-4);
    p.groups = 60;
    RTM_CHECK(rtm_kde_plus_compute(&s.g, s.x, s.y, NULL, 60, &o, &p, v, NULL, NULL) == 0);
    sp_compare(&s, v, 1, "adaptive_exact.txt", 1e-6, 1e-4);
}

static void test_spatstat_ppl(void)
{
    sp s;
    double ref[16][2], radius;
    rtm_kde_opts o;
    rtm_kde_plus p;
    rtm_kde_cv cv;
    char path[512];
    FILE *f;
    int k = 0, best = 0;
    RTM_CHECK(sp_load(&s) == 0);
    snprintf(path, sizeof path, "%s/kde_spatstat/bw_ppl.txt", rtm_test_data());
    RTM_CHECK((f = fopen(path, "r")) != NULL);
    while (f && k < 16 && fscanf(f, "%lf %lf", &ref[k][0], &ref[k][1]) == 2)
        k++;
    if (f)
        fclose(f);
    RTM_CHECK(k == 16);
    sp_opts(&s, RTM_KERNEL_GAUSSIAN, 25, &o);
    rtm_kde_plus_init(&p);
    p.edge = RTM_KDE_EDGE_UNIFORM; /* bw.ppl: density.ppp's default edge = TRUE */
    p.window = s.win;
    RTM_CHECK(rtm_bandwidth_cv(&s.g, s.x, s.y, NULL, 60, &o, &p, 16, &radius, &cv, NULL) == 0);
    for (k = 0; k < 16; k++) {
        printf("# bw.ppl sigma %8.4f  spatstat cv %12.6f  rtm %12.6f  diff %.2e\n", ref[k][0],
               ref[k][1], cv.cv[k], cv.cv[k] - ref[k][1]);
        RTM_CHECK_REL(cv.sigma[k], ref[k][0], 1e-12, 0);
        if (ref[k][1] > ref[best][1])
            best = k;
    }
    /* the same choice; the criterion itself agrees to 1e-6 where spatstat's
     * FFT does not wrap around (sigma <= 60: see the README) */
    RTM_CHECK(cv.best == best);
    for (k = 0; k < 16 && ref[k][0] <= 60; k++)
        RTM_CHECK_NEAR(cv.cv[k], ref[k][1], 1e-6 * fabs(ref[k][1]));
}

int main(void)
{
    rtm_t_rng = 7;
    RTM_RUN(test_edge_mass);
    RTM_RUN(test_edge_corrections);
    RTM_RUN(test_plain_identical);
    RTM_RUN(test_adaptive_exact);
    RTM_RUN(test_adaptive_groups);
    RTM_RUN(test_cv_brute);
    RTM_RUN(test_threads);
    RTM_RUN(test_errors);
    RTM_RUN(test_spatstat_fixed);
    RTM_RUN(test_spatstat_adaptive);
    RTM_RUN(test_spatstat_ppl);
    return RTM_TEST_END();
}
