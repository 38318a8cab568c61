/* test_tile.c: tiles of the grid (rtm/tile.h). The reference for every strip
 * is the same engine on the whole grid: a strip must hold exactly its bytes
 * (memcmp), for random points (weighted and not, every kernel), random
 * splits, polygons and lines for distances, bands and k nearest cells for
 * Gi*; the plan must partition the rows; the sparse Gi* statistics must equal
 * the whole grid's; the space-time Gi* of emerging hot spots likewise, its
 * sparse statistics and strips against the whole cube, and the whole cube
 * against a brute-force sum over each bin's space-time neighbours (Ord &
 * Getis 1995, eq. 8 with binary weights); sparse sums per key against a
 * dense loop; and a tile file altered after it was written must fail the
 * merge's checksum. */
#include "rtm/emerging.h"
#include "rtm/surface.h"
#include "rtm/tile.h"
#include "rtm/input.h"
#include "rtm_test.h"

#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const rtm_kernel KERNELS[] = {RTM_KERNEL_QUARTIC,    RTM_KERNEL_EPANECHNIKOV,
                                     RTM_KERNEL_TRIANGULAR, RTM_KERNEL_UNIFORM,
                                     RTM_KERNEL_TRIWEIGHT,  RTM_KERNEL_GAUSSIAN};

static rtm_grid grid_of(int nc, int nr, double res)
{
    rtm_grid g;
    memset(&g, 0, sizeof g);
    g.x0 = 500000.25;
    g.y0 = 170000.5;
    g.res = res;
    g.ncols = nc;
    g.nrows = nr;
    return g;
}

/* Clustered points, some beyond the grid's edges. */
static void points(const rtm_grid *g, size_t n, double *x, double *y, double *w)
{
    for (size_t p = 0; p < n; p++) {
        double cx = g->x0 + g->ncols * g->res * (rtm_t_urand() < 0.5 ? 0.3 : 0.7);
        double cy = g->y0 + g->nrows * g->res * rtm_t_urand() * 1.1 - 0.05 * g->nrows * g->res;
        x[p] = cx + (rtm_t_urand() - 0.5) * g->ncols * g->res * 0.8;
        y[p] = cy + (rtm_t_urand() - 0.5) * g->res * 12;
        if (w)
            w[p] = 0.5 + (double)(rtm_t_next() % 7);
    }
}

static void test_plan(void)
{
    rtm_grid g = grid_of(10, 103, 1);
    rtm_tile t;
    rtm_error e;
    for (int n = 1; n <= 103; n += 17) {
        int next = 0, lo = 1 << 30, hi = 0;
        for (int i = 0; i < n; i++) {
            RTM_CHECK(rtm_tile_plan(&g, i, n, &t, &e) == 0);
            RTM_CHECK(t.r0 == next && t.r1 > t.r0);
            next = t.r1;
            lo = t.r1 - t.r0 < lo ? t.r1 - t.r0 : lo;
            hi = t.r1 - t.r0 > hi ? t.r1 - t.r0 : hi;
        }
        RTM_CHECK(next == 103 && hi - lo <= 1);
    }
    RTM_CHECK(rtm_tile_plan(&g, 0, 104, &t, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_tile_plan(&g, 3, 3, &t, &e) == RTM_ERR_ARG);
}

static void test_parse_path(void)
{
    int i, n;
    char buf[64];
    rtm_error e;
    RTM_CHECK(rtm_tile_parse("3/8", &i, &n) == 0 && i == 3 && n == 8);
    RTM_CHECK(rtm_tile_parse("0/1", &i, &n) == 0 && i == 0 && n == 1);
    RTM_CHECK(rtm_tile_parse("8/8", &i, &n) == -1);
    RTM_CHECK(rtm_tile_parse("-1/8", &i, &n) == -1);
    RTM_CHECK(rtm_tile_parse("1/ 8", &i, &n) == -1);
    RTM_CHECK(rtm_tile_parse("1/0", &i, &n) == -1);
    RTM_CHECK(rtm_tile_parse("1/100001", &i, &n) == -1);
    RTM_CHECK(rtm_tile_parse("18", &i, &n) == -1);
    RTM_CHECK(rtm_tile_path("a.b/kde.tif", 3, 12, buf, sizeof buf, &e) == 0 &&
              !strcmp(buf, "a.b/kde.tile-03-of-12.tif"));
    RTM_CHECK(rtm_tile_path("x/kde", 7, 120, buf, sizeof buf, &e) == 0 &&
              !strcmp(buf, "x/kde.tile-007-of-120.tif"));
    /* an output folder: its tiles beside it, a trailing slash or not */
    RTM_CHECK(rtm_tile_path("out/em//", 1, 3, buf, sizeof buf, &e) == 0 &&
              !strcmp(buf, "out/em.tile-01-of-03.tif"));
    RTM_CHECK(rtm_tile_path("a.b/em/", 0, 2, buf, sizeof buf, &e) == 0 &&
              !strcmp(buf, "a.b/em.tile-00-of-02.tif"));
}

/* Every strip of every split of the whole grid's KDE, byte for byte. */
static void kde_case(rtm_kernel k, int weighted, double radius, int nsplit)
{
    rtm_grid g = grid_of(77, 61, 10);
    size_t n = 900, nc = rtm_grid_ncells(&g);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *w = weighted ? malloc(n * sizeof *w) : NULL, *whole = malloc(nc * sizeof *whole);
    double *s = malloc(nc * sizeof *s);
    rtm_kde_opts o;
    rtm_error e;
    rtm_tile t;
    int bad = 0;
    points(&g, n, x, y, w);
    rtm_kde_opts_init(&o);
    o.kernel = k;
    o.radius = radius;
    o.threads = 2;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, whole, &e) == 0);
    for (int i = 0; i < nsplit; i++) {
        RTM_CHECK(rtm_tile_plan(&g, i, nsplit, &t, &e) == 0);
        o.row0 = t.r0, o.row1 = t.r1, o.threads = 1 + i % 2;
        RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, s, &e) == 0);
        bad += memcmp(s, whole + (size_t)t.r0 * g.ncols,
                      (size_t)(t.r1 - t.r0) * g.ncols * sizeof *s) != 0;
    }
    RTM_CHECK(bad == 0);
    free(x), free(y), free(w), free(whole), free(s);
}

static void test_kde_strips(void)
{
    rtm_t_rng = 11;
    for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++)
        for (int wt = 0; wt < 2; wt++)
            kde_case(KERNELS[k], wt, 35 + 40 * (double)k, 2 + (int)k * 3 + wt);
    kde_case(RTM_KERNEL_QUARTIC, 1, 5000, 61); /* radius beyond the grid, one row each */
}

/* Every rectangle of a layout of the whole grid's KDE: the points that
 * cannot reach its columns left out (col0, col1), its columns still the
 * whole grid's, byte for byte; windows of any columns, not only the
 * layout's 64-column bands. */
static void kde_rect_case(rtm_kernel k, int weighted, double radius)
{
    rtm_grid g = grid_of(300, 40, 10);
    size_t n = 1500, nc = rtm_grid_ncells(&g);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *w = weighted ? malloc(n * sizeof *w) : NULL, *whole = malloc(nc * sizeof *whole);
    double *s = malloc(nc * sizeof *s);
    static const int win[][2] = {{0, 64}, {64, 192}, {192, 300}, {17, 18}, {101, 240},
                                 {299, 300}};
    rtm_kde_opts o;
    rtm_error e;
    int bad = 0;
    points(&g, n, x, y, w);
    for (size_t p = 0; w && p < n; p++) /* the west's points weigh alike, the east's not */
        w[p] = x[p] < g.x0 + 100 * g.res ? 2.0 : w[p];
    rtm_kde_opts_init(&o);
    o.kernel = k;
    o.radius = radius;
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, whole, &e) == 0);
    for (size_t q = 0; q < sizeof win / sizeof *win; q++) {
        o.col0 = win[q][0], o.col1 = win[q][1];
        o.row0 = (int)q % 3 * 10, o.row1 = o.row0 + 15;
        RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, s, &e) == 0);
        for (int r = o.row0; r < o.row1; r++)
            bad += memcmp(s + (size_t)(r - o.row0) * g.ncols + o.col0,
                          whole + (size_t)r * g.ncols + o.col0,
                          (size_t)(o.col1 - o.col0) * sizeof *s) != 0;
    }
    RTM_CHECK(bad == 0);
    o.col0 = 10, o.col1 = 10; /* an empty window is refused */
    RTM_CHECK(rtm_kde_compute(&g, x, y, w, n, &o, s, &e) == RTM_ERR_ARG);
    free(x), free(y), free(w), free(whole), free(s);
}

static void test_kde_rects(void)
{
    rtm_t_rng = 29;
    for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++)
        for (int wt = 0; wt < 2; wt++)
            kde_rect_case(KERNELS[k], wt, 45 + 70 * (double)k);
}

/* The rectangles of a layout cover every cell once, in 64-column bands. */
static void test_plan_grid(void)
{
    rtm_grid g = grid_of(300, 37, 1);
    unsigned char *seen = calloc(rtm_grid_ncells(&g), 1);
    static const int lay[][2] = {{1, 1}, {3, 2}, {5, 5}, {37, 1}, {2, 3}};
    rtm_tile t;
    rtm_error e;
    int bad = 0;
    for (size_t l = 0; l < sizeof lay / sizeof *lay; l++) {
        int R = lay[l][0], C = lay[l][1];
        memset(seen, 0, rtm_grid_ncells(&g));
        for (int i = 0; i < R * C; i++) {
            RTM_CHECK(rtm_tile_plan_grid(&g, i, R, C, &t, &e) == 0);
            bad += t.index != i || t.count != R * C || t.rows != R || t.cols != C ||
                   t.c0 % RTM_TILE_COL_STEP || (t.c1 % RTM_TILE_COL_STEP && t.c1 != g.ncols);
            for (int r = t.r0; r < t.r1; r++)
                for (int c = t.c0; c < t.c1; c++)
                    seen[(size_t)r * g.ncols + c]++;
        }
        for (size_t k = 0; k < rtm_grid_ncells(&g); k++)
            bad += seen[k] != 1;
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(rtm_tile_plan_grid(&g, 0, 1, 6, &t, &e) == RTM_ERR_ARG); /* 5 blocks of 64 */
    RTM_CHECK(rtm_tile_plan_grid(&g, 6, 2, 3, &t, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_tile_plan_grid(&g, 0, 38, 1, &t, &e) == RTM_ERR_ARG);
    /* a strip layout is rtm_tile_plan's */
    rtm_tile a;
    RTM_CHECK(rtm_tile_plan_grid(&g, 4, 7, 1, &t, &e) == 0 && rtm_tile_plan(&g, 4, 7, &a, &e) == 0 &&
              !memcmp(&a, &t, sizeof a));
    free(seen);
}

static void test_parse_grid(void)
{
    int i, r, c;
    RTM_CHECK(rtm_tile_parse_grid("5/2x3", &i, &r, &c) == 0 && i == 5 && r == 2 && c == 3);
    RTM_CHECK(rtm_tile_parse_grid("3/8", &i, &r, &c) == 0 && i == 3 && r == 8 && c == 1);
    RTM_CHECK(rtm_tile_parse_grid("6/2x3", &i, &r, &c) == -1);
    RTM_CHECK(rtm_tile_parse_grid("0/0x3", &i, &r, &c) == -1);
    RTM_CHECK(rtm_tile_parse_grid("0/2x", &i, &r, &c) == -1);
    RTM_CHECK(rtm_tile_parse_grid("0/x2", &i, &r, &c) == -1);
    RTM_CHECK(rtm_tile_parse_grid("0/400x400", &i, &r, &c) == -1); /* > RTM_TILE_MAX */
    RTM_CHECK(rtm_tile_parse_grid("1/2X3", &i, &r, &c) == -1);
}

static void test_distance_strips(void)
{
    rtm_grid g = grid_of(150, 139, 7);
    size_t nc = rtm_grid_ncells(&g);
    double *whole = malloc(nc * sizeof *whole), *s = malloc(nc * sizeof *s);
    double ring[8] = {500300, 170300, 500800, 170350, 500600, 170900, 500280, 170700};
    double line[6] = {500100, 170050, 500900, 170500, 501000, 171100};
    const double *rings[1] = {ring};
    size_t rn[1] = {4};
    rtm_features *f = rtm_features_create();
    rtm_error e;
    rtm_tile t;
    int bad = 0;
    RTM_CHECK(f && rtm_features_add_polygon(f, rings, rn, 1, &e) == 0);
    RTM_CHECK(rtm_features_add_line(f, line, 3, &e) == 0);
    for (int p = 0; p < 40; p++)
        RTM_CHECK(rtm_features_add_point(f, g.x0 + rtm_t_urand() * 1100,
                                         g.y0 + rtm_t_urand() * 1000, &e) == 0);
    for (int m = 0; m < 2; m++) {
        double reach = m ? 90 : INFINITY;
        RTM_CHECK(rtm_distance_compute(&g, f, reach, 2, whole, &e) == 0);
        for (int nsplit = 1; nsplit <= 9; nsplit += 4)
            for (int i = 0; i < nsplit; i++) {
                RTM_CHECK(rtm_tile_plan(&g, i, nsplit, &t, &e) == 0);
                RTM_CHECK(rtm_distance_compute_rows(&g, f, reach, 1, t.r0, t.r1, s, &e) == 0);
                bad += memcmp(s, whole + (size_t)t.r0 * g.ncols,
                              (size_t)(t.r1 - t.r0) * g.ncols * sizeof *s) != 0;
            }
        /* rectangles: the blocks that meet the columns, the others left infinite */
        for (int i = 0; i < 6; i++) {
            RTM_CHECK(rtm_tile_plan_grid(&g, i, 3, 2, &t, &e) == 0);
            RTM_CHECK(rtm_distance_compute_window(&g, f, reach, 1 + i % 2, t.r0, t.r1, t.c0,
                                                  t.c1, s, &e) == 0);
            for (int r = t.r0; r < t.r1; r++)
                bad += memcmp(s + (size_t)(r - t.r0) * g.ncols + t.c0,
                              whole + (size_t)r * g.ncols + t.c0,
                              (size_t)(t.c1 - t.c0) * sizeof *s) != 0;
        }
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(rtm_distance_compute_window(&g, f, 50, 1, 0, 5, 20, 20, s, &e) == RTM_ERR_ARG);
    rtm_features_free(f);
    free(whole), free(s);
}

/* Gi* of a whole grid (rtm_gistar) against the sparse statistics and the
 * strips (counts of the strip's rows plus the band's, or every row for knn). */
static void gistar_case(const rtm_gistar_opts *o, int weighted)
{
    rtm_grid g = grid_of(53, 71, 20);
    size_t n = 700, nc = rtm_grid_ncells(&g), nz, cnt;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *val, mean, sd;
    double *w = weighted ? malloc(n * sizeof *w) : NULL, *counts = malloc(nc * sizeof *counts);
    double *z = malloc(nc * sizeof *z), *s = malloc(nc * sizeof *s), *xs;
    unsigned char *mask = malloc(nc);
    size_t *cell;
    rtm_error e;
    rtm_tile t;
    int bad = 0, halo = o->knn ? g.nrows : (int)ceil(o->band / g.res) + 1;
    points(&g, n, x, y, w);
    for (size_t k = 0; k < nc; k++)
        mask[k] = (k * 2654435761u) % 11 != 0;
    rtm_bin_points(&g, x, y, w, n, counts);
    RTM_CHECK(rtm_gistar(&g, counts, mask, o, z, NULL, NULL, &e) == 0);
    RTM_CHECK(rtm_bin_points_sparse(&g, x, y, w, n, &cell, &val, &nz) == 0);
    RTM_CHECK(rtm_gistar_stats_sparse(&g, mask, cell, val, nz, &cnt, &mean, &sd, &e) == 0);
    for (int nsplit = 1; nsplit <= 11; nsplit += 5)
        for (int i = 0; i < nsplit; i++) {
            RTM_CHECK(rtm_tile_plan(&g, i, nsplit, &t, &e) == 0);
            int xr0 = t.r0 - halo > 0 ? t.r0 - halo : 0;
            int xr1 = t.r1 + halo < g.nrows ? t.r1 + halo : g.nrows;
            xs = malloc((size_t)(xr1 - xr0) * g.ncols * sizeof *xs);
            rtm_bin_points_rows(&g, x, y, w, n, xr0, xr1, xs);
            RTM_CHECK(rtm_gistar_strip(&g, xs, xr0, xr1, mask, o, cnt, mean, sd, t.r0, t.r1, s,
                                       &e) == 0);
            bad += memcmp(s, z + (size_t)t.r0 * g.ncols,
                          (size_t)(t.r1 - t.r0) * g.ncols * sizeof *s) != 0;
            free(xs);
        }
    RTM_CHECK(bad == 0);
    free(x), free(y), free(w), free(counts), free(z), free(s), free(mask), free(cell), free(val);
}

static void test_gistar_strips(void)
{
    rtm_gistar_opts o;
    rtm_t_rng = 7;
    rtm_gistar_opts_init(&o);
    o.band = 75;
    gistar_case(&o, 0);
    gistar_case(&o, 1);
    o.band = 0;
    o.knn = 9;
    gistar_case(&o, 1);
}

/* Brute-force space-time Gi* of bin (i, j, t): the locations within r cells
 * in steps t - K .. t, the mean and population SD over every location's
 * bins (Ord & Getis 1995, eq. 8, binary weights: rtm_gistar_zscore). */
static double st_brute(const rtm_grid *g, const double *cube, int T, const unsigned char *loc,
                       double r, int K, int i, int j, int t)
{
    size_t nc = rtm_grid_ncells(g), n = 0;
    double sum = 0, ss = 0, mean, num = 0, w = 0;
    int R = (int)r + 1;
    for (int u = 0; u < T; u++)
        for (size_t k = 0; k < nc; k++)
            if (loc[k])
                sum += cube[(size_t)u * nc + k], n++;
    mean = sum / (double)n;
    for (int u = 0; u < T; u++)
        for (size_t k = 0; k < nc; k++)
            if (loc[k])
                ss += (cube[(size_t)u * nc + k] - mean) * (cube[(size_t)u * nc + k] - mean);
    for (int u = t - K < 0 ? 0 : t - K; u <= t; u++)
        for (int di = -R; di <= R; di++)
            for (int dj = -R; dj <= R; dj++) {
                int a = i + di, b = j + dj;
                size_t k = (size_t)a * (size_t)g->ncols + (size_t)b;
                if (a < 0 || b < 0 || a >= g->nrows || b >= g->ncols || !loc[k] ||
                    (double)(di * di + dj * dj) > r * r)
                    continue;
                num += cube[(size_t)u * nc + k] - mean;
                w += 1;
            }
    return rtm_gistar_zscore(num, w, n, sqrt(ss / (double)n));
}

/* Space-time Gi* (rtm_stgistar) of a random cube: brute force at sampled
 * bins, the sparse statistics, and strips (steps x the strip's rows, from
 * the cube's rows within the band, or every row for knn) byte for byte. */
static void stgistar_case(const rtm_gistar_opts *o, int K)
{
    rtm_grid g = grid_of(37, 45, 20);
    int T = 6, bad = 0, far = 0, halo = o->knn ? g.nrows : (int)ceil(o->band / g.res) + 1;
    size_t nc = rtm_grid_ncells(&g), nb = (size_t)T * nc, nz = 0, cnt;
    double *cube = calloc(nb, sizeof *cube), *z = malloc(nb * sizeof *z), *val, mean, sd;
    size_t *bin = malloc(nb * sizeof *bin);
    unsigned char *loc = malloc(nc);
    rtm_error e;
    rtm_tile t;
    for (size_t k = 0; k < nc; k++)
        loc[k] = (k * 2654435761u) % 7 != 0;
    for (size_t b = 0; b < nb; b++)
        if (rtm_t_urand() < 0.3)
            cube[b] = (double)(1 + rtm_t_next() % 5) * (rtm_t_urand() < 0.5 ? 1 : 0.75);
    val = malloc(nb * sizeof *val);
    for (size_t b = 0; b < nb; b++)
        if (cube[b] != 0)
            bin[nz] = b, val[nz++] = cube[b];
    RTM_CHECK(rtm_stgistar(&g, cube, T, loc, o, K, z, &e) == 0);
    for (int q = 0; !o->knn && q < 200; q++) {
        int i = (int)(rtm_t_next() % (unsigned)g.nrows), j = (int)(rtm_t_next() % 37u);
        int u = (int)(rtm_t_next() % (unsigned)T);
        size_t k = (size_t)i * g.ncols + (size_t)j;
        double ref = loc[k] ? st_brute(&g, cube, T, loc, o->band / g.res, K, i, j, u) : NAN;
        double got = z[(size_t)u * nc + k];
        far += loc[k] ? !(fabs(got - ref) <= 1e-9 * (1 + fabs(ref))) : !isnan(got);
    }
    RTM_CHECK(far == 0);
    RTM_CHECK(rtm_stgistar_stats_sparse(&g, T, loc, bin, val, nz, &cnt, &mean, &sd, &e) == 0);
    for (int nsplit = 1; nsplit <= 13; nsplit += 4)
        for (int i = 0; i < nsplit; i++) {
            RTM_CHECK(rtm_tile_plan(&g, i, nsplit, &t, &e) == 0);
            int xr0 = t.r0 - halo > 0 ? t.r0 - halo : 0;
            int xr1 = t.r1 + halo < g.nrows ? t.r1 + halo : g.nrows;
            size_t xc = (size_t)(xr1 - xr0) * g.ncols, sc = (size_t)(t.r1 - t.r0) * g.ncols;
            double *xs = malloc((size_t)T * xc * sizeof *xs), *s = malloc((size_t)T * sc * sizeof *s);
            for (int u = 0; u < T; u++)
                memcpy(xs + (size_t)u * xc, cube + (size_t)u * nc + (size_t)xr0 * g.ncols,
                       xc * sizeof *xs);
            RTM_CHECK(rtm_stgistar_strip(&g, xs, xr0, xr1, T, loc, o, K, cnt, mean, sd, t.r0,
                                         t.r1, s, &e) == 0);
            for (int u = 0; u < T; u++)
                bad += memcmp(s + (size_t)u * sc, z + (size_t)u * nc + (size_t)t.r0 * g.ncols,
                              sc * sizeof *s) != 0;
            free(xs), free(s);
        }
    RTM_CHECK(bad == 0);
    /* bins out of order are refused */
    if (nz > 1) {
        size_t tmp = bin[0];
        bin[0] = bin[1], bin[1] = tmp;
        RTM_CHECK(rtm_stgistar_stats_sparse(&g, T, loc, bin, val, nz, &cnt, &mean, &sd, &e) ==
                  RTM_ERR_ARG);
    }
    free(cube), free(z), free(val), free(bin), free(loc);
}

/* rtm_bin_keys_sparse against a dense loop: every bin's sum, from 0 in
 * input order (the same double), the keys left out, nothing else. */
static void test_bin_keys(void)
{
    size_t n = 5000, nb = 997, *key = malloc(n * sizeof *key), *bin, nz, bad = 0, q = 0;
    double *w = malloc(n * sizeof *w), *dense = calloc(nb, sizeof *dense), *val;
    rtm_t_rng = 5;
    for (size_t i = 0; i < n; i++) {
        key[i] = rtm_t_urand() < 0.1 ? SIZE_MAX : (size_t)(rtm_t_next() % nb);
        w[i] = 0.1 + rtm_t_urand(); /* sums that depend on their order */
        if (key[i] != SIZE_MAX)
            dense[key[i]] += w[i];
    }
    RTM_CHECK(rtm_bin_keys_sparse(key, w, n, &bin, &val, &nz) == 0);
    for (size_t b = 0; b < nb; b++) {
        if (dense[b] == 0)
            continue;
        bad += q >= nz || bin[q] != b || memcmp(&val[q], &dense[b], sizeof *val) != 0;
        q++;
    }
    RTM_CHECK(bad == 0 && q == nz);
    free(key), free(w), free(dense), free(bin), free(val);
}

static void test_stgistar_strips(void)
{
    rtm_gistar_opts o;
    rtm_t_rng = 11;
    rtm_gistar_opts_init(&o);
    o.band = 50; /* 2.5 cells */
    stgistar_case(&o, 1);
    stgistar_case(&o, 0);
    o.band = 90;
    stgistar_case(&o, 3);
    o.band = 0;
    o.knn = 6;
    stgistar_case(&o, 1);
}

/* A tile file whose values changed after it was written fails the merge. */
static int strip_compute(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    const rtm_grid *g = ctx;
    (void)err;
    for (int i = t->r0; i < t->r1; i++)
        for (int j = 0; j < g->ncols; j++)
            v[(size_t)(i - t->r0) * g->ncols + j] = i * 1000.0 + j;
    return 0;
}

static int strip_finish(void *ctx, double *v, rtm_error *err)
{
    const rtm_grid *g = ctx;
    int bad = 0;
    (void)err;
    for (int i = 0; i < g->nrows; i++)
        for (int j = 0; j < g->ncols; j++)
            bad += v[(size_t)i * g->ncols + j] != i * 1000.0 + j;
    free(v);
    return bad ? RTM_ERR_INPUT : 0;
}

static void test_tile_files(void)
{
    rtm_grid g = grid_of(40, 30, 25);
    rtm_tiled td = {"test", 1, g, strip_compute, strip_finish, &g, 0, "", NULL, NULL, 0};
    const char *args[2] = {"test", "a b"};
    char dir[512], path[3][600];
    const char *files[3];
    rtm_tiling h;
    rtm_error e;
    snprintf(g.crs, sizeof g.crs, "EPSG:27700");
    td.grid = g;
    RTM_CHECK(rtm_t_tmpdir(dir, sizeof dir, "tile") == 0);
    for (int i = 0; i < 3; i++) {
        snprintf(path[i], sizeof path[i], "%s/t%d.tif", dir, 2 - i);
        files[i] = path[i];
        rtm_tiling_init(&h);
        h.index = 2 - i, h.count = 3, h.tile_path = path[i], h.args = args, h.nargs = 2;
        RTM_CHECK(rtm_tiled_run(&td, &h, &e) == 0);
    }
    rtm_tiling_init(&h);
    h.merge = files, h.nmerge = 3;
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == 0);        /* any order; finish checks values */
    h.nmerge = 2;
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == RTM_ERR_INPUT); /* a tile missing */
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path[1], GA_Update);
    double one = -1;
    RTM_CHECK(ds && GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 3, 2, 1, 1, &one, 1, 1,
                                 GDT_Float64, 0, 0) == CE_None);
    GDALClose(ds);
    h.nmerge = 3;
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == RTM_ERR_INPUT && strstr(e.msg, "checksum"));
    for (int i = 0; i < 3; i++)
        remove(path[i]);
    remove(dir);
}

/* A whole run in strips of at most strip_cells cells (whole rows; a row
 * wider than that is a strip of its own), or as many as asked when more:
 * every strip within the bound, the values the one-strip run's. */
typedef struct count_ctx {
    rtm_grid g;
    int calls;
    size_t most;
} count_ctx;

static int count_compute(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    count_ctx *c = ctx;
    size_t cells = (size_t)(t->r1 - t->r0) * (size_t)c->g.ncols;
    c->calls++;
    c->most = cells > c->most ? cells : c->most;
    return strip_compute(&c->g, t, v, err);
}

static int count_finish(void *ctx, double *v, rtm_error *err)
{
    return strip_finish(&((count_ctx *)ctx)->g, v, err);
}

static void whole_case(size_t strip_cells, int strips, int calls, size_t most)
{
    count_ctx c = {grid_of(40, 30, 25), 0, 0};
    rtm_tiled td = {"test", 1, c.g, count_compute, count_finish, &c, 0, "", NULL, NULL,
                    strip_cells};
    rtm_tiling h;
    rtm_error e;
    rtm_tiling_init(&h);
    h.strips = strips;
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == 0); /* finish checks every value */
    RTM_CHECK(c.calls == calls);
    RTM_CHECK(c.most == most);
    if (c.calls != calls || c.most != most)
        printf("# strip_cells %zu, strips %d: %d strips, largest %zu cells\n", strip_cells,
               strips, c.calls, c.most);
}

static void test_whole_strip_cells(void)
{
    whole_case(0, 0, 1, 1200);     /* no bound: one strip of 40 x 30 */
    whole_case(300, 0, 5, 240);    /* 7 rows fit 300 cells: 5 strips of 6 rows */
    whole_case(280, 0, 5, 240);    /* exactly 7 rows */
    whole_case(279, 0, 5, 240);    /* 6 rows: still 5 strips */
    whole_case(239, 0, 6, 200);    /* 5 rows: 6 strips */
    whole_case(300, 9, 9, 160);    /* more asked: 9 strips (4 rows at most) */
    whole_case(10, 0, 30, 40);     /* narrower than a row: a strip a row */
    whole_case(1200, 0, 1, 1200);  /* the whole grid fits */
}

/* Rectangles (a 2 x 3 layout) written, merged through the VRT in any
 * order into the whole grid; a tile of another layout, and a rectangle
 * altered after it was written, are refused. */
static void test_rect_files(void)
{
    rtm_grid g = grid_of(150, 30, 25);
    rtm_tiled td = {"test", 1, g, strip_compute, strip_finish, &g, 0, "", NULL, NULL, 0};
    const char *args[1] = {"test"};
    char dir[512], path[7][600];
    const char *files[6];
    rtm_tiling h;
    rtm_error e;
    snprintf(g.crs, sizeof g.crs, "EPSG:27700");
    td.grid = g;
    RTM_CHECK(rtm_t_tmpdir(dir, sizeof dir, "rect") == 0);
    for (int i = 0; i < 7; i++) {
        snprintf(path[i], sizeof path[i], "%s/r%d.tif", dir, i);
        rtm_tiling_init(&h);
        h.index = i < 6 ? 5 - i : 1, h.count = 6, h.cols = i < 6 ? 3 : 2;
        h.tile_path = path[i], h.args = args, h.nargs = 1;
        RTM_CHECK(rtm_tiled_run(&td, &h, &e) == 0);
        if (i < 6)
            files[i] = path[i];
    }
    rtm_tiling_init(&h);
    h.merge = files, h.nmerge = 6;
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == 0); /* finish checks every value */
    files[4] = path[6]; /* tile 1 of a 3 x 2 layout instead of a 2 x 3 one */
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == RTM_ERR_INPUT && strstr(e.msg, "layout"));
    files[4] = path[4];
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path[2], GA_Update);
    double one = -1;
    RTM_CHECK(ds && GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 60, 3, 1, 1, &one, 1, 1,
                                 GDT_Float64, 0, 0) == CE_None);
    GDALClose(ds);
    RTM_CHECK(rtm_tiled_run(&td, &h, &e) == RTM_ERR_INPUT && strstr(e.msg, "checksum"));
    for (int i = 0; i < 7; i++)
        remove(path[i]);
    remove(dir);
}

int main(void)
{
    RTM_RUN(test_plan);
    RTM_RUN(test_whole_strip_cells);
    RTM_RUN(test_parse_path);
    RTM_RUN(test_kde_strips);
    RTM_RUN(test_kde_rects);
    RTM_RUN(test_plan_grid);
    RTM_RUN(test_parse_grid);
    RTM_RUN(test_distance_strips);
    RTM_RUN(test_gistar_strips);
    RTM_RUN(test_stgistar_strips);
    RTM_RUN(test_bin_keys);
    RTM_RUN(test_tile_files);
    RTM_RUN(test_rect_files);
    return RTM_TEST_END();
}
