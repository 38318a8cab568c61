/* test_distance.c: exact distance surfaces against brute force.
 *
 * The reference is computed here independently: for every cell centre the
 * minimum over ALL points and segments of the Euclidean distance (segment:
 * closest point by clamped projection), and polygon inside-ness by the
 * PNPOLY crossing test over all rings of each polygon (even-odd), union over
 * polygons. Random inputs include features at cell centres, between cell
 * centres (on cell edges and corners) and outside the grid. */
#include <stdint.h>

#include "rtm/surface.h"
#include "rtm/input.h"
#include "rtm_test.h"

/* ---- deterministic random numbers (splitmix64) ---- */
static double uniform(double a, double b) { return a + (b - a) * rtm_t_urand(); }

/* ---- brute-force reference: a flat copy of the geometry ---- */
#define MAXP 4000
#define MAXS 20000
#define MAXPOLY 8
typedef struct ref {
    double pt[2 * MAXP];
    int npt;
    double seg[4 * MAXS];
    int segpoly[MAXS]; /* -1 line */
    int nseg;
} ref;
static ref R;

static void ref_reset(void) { R.npt = R.nseg = 0; }

static void add_point(rtm_features *f, double x, double y)
{
    rtm_error e;
    RTM_CHECK(rtm_features_add_point(f, x, y, &e) == 0);
    R.pt[2 * R.npt] = x;
    R.pt[2 * R.npt + 1] = y;
    R.npt++;
}

static void ref_seg(double x0, double y0, double x1, double y1, int poly)
{
    double *s = R.seg + 4 * R.nseg;
    s[0] = x0, s[1] = y0, s[2] = x1, s[3] = y1;
    R.segpoly[R.nseg++] = poly;
}

static void add_line(rtm_features *f, const double *xy, size_t n)
{
    rtm_error e;
    RTM_CHECK(rtm_features_add_line(f, xy, n, &e) == 0);
    for (size_t i = 0; i + 1 < n; i++)
        ref_seg(xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3], -1);
}

static void add_polygon(rtm_features *f, const double *const *rings, const size_t *rn, int nr,
                        int poly)
{
    rtm_error e;
    RTM_CHECK(rtm_features_add_polygon(f, rings, rn, nr, &e) == 0);
    for (int r = 0; r < nr; r++)
        for (size_t i = 0; i < rn[r]; i++) {
            size_t k = (i + 1) % rn[r];
            ref_seg(rings[r][2 * i], rings[r][2 * i + 1], rings[r][2 * k], rings[r][2 * k + 1],
                    poly);
        }
}

static double ref_d2_seg(double px, double py, const double *s)
{
    double vx = s[2] - s[0], vy = s[3] - s[1], wx = px - s[0], wy = py - s[1];
    double vv = vx * vx + vy * vy, t = 0.0;
    if (vv > 0.0) {
        t = (wx * vx + wy * vy) / vv;
        if (t < 0.0)
            t = 0.0;
        if (t > 1.0)
            t = 1.0;
    }
    double ex = wx - t * vx, ey = wy - t * vy;
    return ex * ex + ey * ey;
}

/* PNPOLY (W. R. Franklin): even-odd over every edge of polygon `poly`. */
static int ref_inside(double x, double y, int poly)
{
    int c = 0;
    for (int k = 0; k < R.nseg; k++) {
        const double *s = R.seg + 4 * k;
        if (R.segpoly[k] != poly)
            continue;
        if (((s[1] > y) != (s[3] > y)) && (x < (s[2] - s[0]) * (y - s[1]) / (s[3] - s[1]) + s[0]))
            c = !c;
    }
    return c;
}

static double ref_dist(double x, double y, int npoly)
{
    double best = INFINITY;
    for (int p = 0; p < npoly; p++)
        if (ref_inside(x, y, p))
            return 0.0;
    for (int i = 0; i < R.npt; i++) {
        double dx = x - R.pt[2 * i], dy = y - R.pt[2 * i + 1];
        best = fmin(best, dx * dx + dy * dy);
    }
    for (int k = 0; k < R.nseg; k++)
        best = fmin(best, ref_d2_seg(x, y, R.seg + 4 * k));
    return sqrt(best);
}

/* Cells compared and cells bit-identical to the reference, over all tests. */
static size_t n_compared, n_identical;

/* Compare a computed surface with the reference; counts bit-identical cells. */
static void compare(const rtm_grid *g, const double *out, int npoly, double max_dist,
                    size_t *identical)
{
    size_t nsame = 0, nbad = 0;
    for (int i = 0; i < g->nrows; i++)
        for (int j = 0; j < g->ncols; j++) {
            double want = ref_dist(rtm_grid_cell_x(g, j), rtm_grid_cell_y(g, i), npoly);
            double got = out[(size_t)i * g->ncols + j];
            if (want > max_dist)
                want = INFINITY;
            if (got == want) {
                nsame++;
                continue;
            }
            if (nbad++ < 5)
                RTM_CHECK_REL(got, want, 1e-12, 1e-300);
        }
    RTM_CHECK(nbad == 0);
    n_compared += rtm_grid_ncells(g);
    n_identical += nsame;
    if (identical)
        *identical = nsame;
}

static rtm_grid make_grid(double x0, double y0, double res, int nc, int nr)
{
    rtm_grid g;
    memset(&g, 0, sizeof g);
    g.x0 = x0, g.y0 = y0, g.res = res, g.ncols = nc, g.nrows = nr;
    return g;
}

/* A point at a random cell centre, cell corner, cell edge, inside or outside. */
static void random_point(const rtm_grid *g, double *x, double *y)
{
    int kind = (int)(rtm_t_urand() * 5);
    double w = g->ncols * g->res, h = g->nrows * g->res;
    int j = (int)(rtm_t_urand() * g->ncols), i = (int)(rtm_t_urand() * g->nrows);
    switch (kind) {
    case 0: /* exactly a cell centre */
        *x = rtm_grid_cell_x(g, j), *y = rtm_grid_cell_y(g, i);
        break;
    case 1: /* a cell corner: between four centres */
        *x = g->x0 + j * g->res, *y = g->y0 + i * g->res;
        break;
    case 2: /* midway between two centres in x */
        *x = g->x0 + j * g->res, *y = rtm_grid_cell_y(g, i);
        break;
    case 3: /* outside the grid */
        *x = uniform(g->x0 - 0.3 * w, g->x0 + 1.3 * w);
        *y = rtm_t_urand() < 0.5 ? uniform(g->y0 - 0.3 * h, g->y0) : uniform(g->y0 + h, g->y0 + 1.3 * h);
        break;
    default:
        *x = uniform(g->x0, g->x0 + w), *y = uniform(g->y0, g->y0 + h);
    }
}

static void test_points_random(void)
{
    size_t same_total = 0, cells_total = 0;
    for (int trial = 0; trial < 6; trial++) {
        rtm_t_rng = 1000 + trial;
        rtm_grid g = make_grid(500000.25, 180000.5, 7.5, 40 + trial * 25, 33 + trial * 21);
        rtm_features *f = rtm_features_create();
        rtm_error e;
        int np = trial == 0 ? 1 : (trial == 1 ? 3 : 50 * trial);
        double *out = malloc(rtm_grid_ncells(&g) * sizeof *out);
        size_t same;
        ref_reset();
        for (int k = 0; k < np; k++) {
            double x, y;
            random_point(&g, &x, &y);
            add_point(f, x, y);
        }
        if (trial == 4) /* duplicate points */
            for (int k = 0; k < 10; k++)
                add_point(f, R.pt[0], R.pt[1]);
        RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
        compare(&g, out, 0, INFINITY, &same);
        same_total += same;
        cells_total += rtm_grid_ncells(&g);
        free(out);
        rtm_features_free(f);
    }
    printf("# points: %zu of %zu cells bit-identical to brute force\n", same_total, cells_total);
}

/* Random walk polyline of n vertices starting anywhere around the grid. */
static void random_walk(const rtm_grid *g, double *xy, size_t n, double step)
{
    random_point(g, &xy[0], &xy[1]);
    for (size_t i = 1; i < n; i++) {
        double a = uniform(0, 2 * M_PI), r = step * rtm_t_urand();
        xy[2 * i] = xy[2 * i - 2] + r * cos(a);
        xy[2 * i + 1] = xy[2 * i - 1] + r * sin(a);
        if (rtm_t_urand() < 0.1) /* snap some vertices to cell centres / corners */
            random_point(g, &xy[2 * i], &xy[2 * i + 1]);
    }
}

static void test_lines_random(void)
{
    for (int trial = 0; trial < 5; trial++) {
        rtm_t_rng = 2000 + trial;
        int m = 1 + trial % 3; /* finer cells: several tiles, deeper refinement */
        rtm_grid g = make_grid(-300, 1200, 10.0 / m, 57 * m, 61 * m);
        rtm_features *f = rtm_features_create();
        rtm_error e;
        double xy[2 * 200], *out = malloc(rtm_grid_ncells(&g) * sizeof *out);
        ref_reset();
        for (int l = 0; l < 1 + trial * 3; l++) {
            size_t n = 2 + (size_t)(rtm_t_urand() * 150);
            random_walk(&g, xy, n, trial % 2 ? 30 : 200);
            add_line(f, xy, n);
        }
        /* a long segment crossing the whole grid diagonally from outside */
        double diag[4] = {-1000, 1000, 900, 2000};
        add_line(f, diag, 2);
        RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
        compare(&g, out, 0, INFINITY, NULL);
        free(out);
        rtm_features_free(f);
    }
}

/* Star-shaped ring of n vertices around (cx, cy), radii in [r0, r1]. */
static void star_ring(double *xy, int n, double cx, double cy, double r0, double r1, int reverse)
{
    for (int k = 0; k < n; k++) {
        double a = 2 * M_PI * (reverse ? n - k : k) / n, r = uniform(r0, r1);
        xy[2 * k] = cx + r * cos(a);
        xy[2 * k + 1] = cy + r * sin(a);
    }
}

static void test_polygons_random(void)
{
    size_t inside_cells = 0;
    for (int trial = 0; trial < 5; trial++) {
        rtm_t_rng = 3000 + trial;
        int m = 1 + trial % 3;
        rtm_grid g = make_grid(1000, 1000, 5.0 / m, 64 * m, 52 * m);
        rtm_features *f = rtm_features_create();
        rtm_error e;
        double outer[2 * 40], hole[2 * 20], other[2 * 12], tri[6];
        double *out = malloc(rtm_grid_ncells(&g) * sizeof *out);
        ref_reset();
        /* polygon 0: star with a star-shaped hole, part of it outside the grid */
        double cx = uniform(1000, 1320), cy = uniform(1000, 1260);
        star_ring(outer, 40, cx, cy, 90, 160, 0);
        star_ring(hole, 20, cx + 5, cy - 5, 30, 60, trial % 2);
        /* vertices exactly on cell-centre rows and at cell centres */
        outer[1] = rtm_grid_cell_y(&g, 10);
        outer[21] = rtm_grid_cell_y(&g, 30);
        hole[0] = rtm_grid_cell_x(&g, 20), hole[1] = rtm_grid_cell_y(&g, 20);
        const double *r0[2] = {outer, hole};
        size_t n0[2] = {40, 20};
        add_polygon(f, r0, n0, 2, 0);
        /* polygon 1 overlaps polygon 0: union */
        star_ring(other, 12, cx + 100, cy + 50, 40, 120, 0);
        const double *r1[1] = {other};
        size_t n1[1] = {12};
        add_polygon(f, r1, n1, 1, 1);
        /* polygon 2: a thin triangle between cell centres */
        tri[0] = 1002.5, tri[1] = 1002.5, tri[2] = 1100, tri[3] = 1003;
        tri[4] = 1050, tri[5] = 1004;
        const double *r2[1] = {tri};
        size_t n2[1] = {3};
        add_polygon(f, r2, n2, 1, 2);
        /* and a few points and a line */
        for (int k = 0; k < 5; k++) {
            double x, y;
            random_point(&g, &x, &y);
            add_point(f, x, y);
        }
        double ln[6] = {900, 900, 1050, 1300, 1400, 1250};
        add_line(f, ln, 3);
        RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
        compare(&g, out, 3, INFINITY, NULL);
        for (size_t k = 0; k < rtm_grid_ncells(&g); k++)
            inside_cells += out[k] == 0;
        free(out);
        rtm_features_free(f);
    }
    RTM_CHECK(inside_cells > 1000); /* the inside test was exercised */
}

static void test_max_dist(void)
{
    rtm_t_rng = 4000;
    rtm_grid g = make_grid(0, 0, 10, 80, 70);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double *out = malloc(rtm_grid_ncells(&g) * sizeof *out), xy[2 * 30];
    size_t ninf = 0, nfin = 0;
    ref_reset();
    for (int k = 0; k < 8; k++) {
        double x, y;
        random_point(&g, &x, &y);
        add_point(f, x, y);
    }
    random_walk(&g, xy, 30, 50);
    add_line(f, xy, 30);
    double sq[8] = {300, 300, 400, 300, 400, 400, 300, 400};
    const double *rr[1] = {sq};
    size_t rn[1] = {4};
    add_polygon(f, rr, rn, 1, 0);
    const double cut[3] = {0, 25, 60};
    for (int c = 0; c < 3; c++) {
        RTM_CHECK(rtm_distance_compute(&g, f, cut[c], 1, out, &e) == 0);
        compare(&g, out, 1, cut[c], NULL);
        for (size_t k = 0; k < rtm_grid_ncells(&g); k++) {
            ninf += isinf(out[k]);
            nfin += !isinf(out[k]) && out[k] > 0;
        }
    }
    RTM_CHECK(ninf > 0 && nfin > 0);
    free(out);
    rtm_features_free(f);
}

/* Features only in one corner and very far away: tiles far from everything. */
static void test_sparse_far(void)
{
    rtm_t_rng = 5000;
    rtm_grid g = make_grid(0, 0, 1, 150, 140);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double *out = malloc(rtm_grid_ncells(&g) * sizeof *out);
    ref_reset();
    add_point(f, 0.5, 0.5);
    add_point(f, 3, 7);
    add_point(f, -20000, 35000);
    add_point(f, 1e6, -1e6);
    double seg[4] = {5000, 5000, 5000, 6000};
    add_line(f, seg, 2);
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
    compare(&g, out, 0, INFINITY, NULL);
    /* only a far feature */
    rtm_features_free(f);
    f = rtm_features_create();
    ref_reset();
    add_point(f, -5000, 12345.678);
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
    compare(&g, out, 0, INFINITY, NULL);
    free(out);
    rtm_features_free(f);
}

/* A feature at x = 1e308 next to a normal one (a broken geocode): the search
 * must end (alarm guard) and give the distances to the finite feature, as the
 * brute force over that feature alone does. */
static void test_huge_coordinate(void)
{
    rtm_grid g = make_grid(0, 0, 1, 40, 30);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double *out = malloc(rtm_grid_ncells(&g) * sizeof *out);
    double huge[4][2] = {{1e308, 5}, {-1e308, 5}, {5, 1e308}, {1e308, -1e308}};
    for (int h = 0; h < 4; h++) {
        rtm_features_free(f);
        f = rtm_features_create();
        ref_reset();
        add_point(f, 12.25, 7.5);
        RTM_CHECK(rtm_features_add_point(f, huge[h][0], huge[h][1], &e) == 0);
        alarm(10);
        RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
        alarm(0);
        compare(&g, out, 0, INFINITY, NULL);
    }
    /* nearest neighbours among the points themselves (the Clark-Evans path) */
    {
        double xy[8] = {0, 0, 3, 4, 1e308, 0, -1e308, 2}, nn[4];
        alarm(10);
        RTM_CHECK(rtm_distance_nearest_neighbours(xy, 4, 2, nn, &e) == 0);
        alarm(0);
        RTM_CHECK(nn[0] == 5 && nn[1] == 5);
        /* 1e308 squared overflows: documented to come out as +inf */
        RTM_CHECK(nn[2] > 1e154 && nn[3] > 1e154);
    }
    free(out);
    rtm_features_free(f);
}

static void test_empty(void)
{
    rtm_grid g = make_grid(0, 0, 1, 9, 7);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double out[63];
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 1, out, &e) == 0);
    for (int k = 0; k < 63; k++)
        RTM_CHECK(isinf(out[k]) && out[k] > 0);
    rtm_features_free(f);
}

static void test_degenerate_segment(void)
{
    rtm_grid g = make_grid(0, 0, 1, 20, 20);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double out[400];
    double ln[4] = {7.3, 4.1, 7.3, 4.1};
    ref_reset();
    add_line(f, ln, 2);
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, out, &e) == 0);
    compare(&g, out, 0, INFINITY, NULL);
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 20; j++)
            RTM_CHECK_REL(out[i * 20 + j],
                          hypot(rtm_grid_cell_x(&g, j) - 7.3, rtm_grid_cell_y(&g, i) - 4.1), 1e-15,
                          1e-300);
    rtm_features_free(f);
}

static void test_threads_identical(void)
{
    rtm_t_rng = 6000;
    rtm_grid g = make_grid(100, 200, 3, 300, 260);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    size_t nc = rtm_grid_ncells(&g);
    double *a = malloc(nc * sizeof *a), *b = malloc(nc * sizeof *b), xy[2 * 500];
    ref_reset();
    for (int k = 0; k < 300; k++) {
        double x, y;
        random_point(&g, &x, &y);
        add_point(f, x, y);
    }
    random_walk(&g, xy, 500, 40);
    add_line(f, xy, 500);
    double outer[2 * 30], hole[2 * 10];
    star_ring(outer, 30, 550, 600, 150, 250, 0);
    star_ring(hole, 10, 550, 600, 40, 80, 1);
    const double *rr[2] = {outer, hole};
    size_t rn[2] = {30, 10};
    add_polygon(f, rr, rn, 2, 0);
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 1, a, &e) == 0);
    RTM_CHECK(rtm_distance_compute(&g, f, INFINITY, 2, b, &e) == 0);
    RTM_CHECK(memcmp(a, b, nc * sizeof *a) == 0);
    RTM_CHECK(rtm_distance_compute(&g, f, 50, 1, a, &e) == 0);
    RTM_CHECK(rtm_distance_compute(&g, f, 50, 2, b, &e) == 0);
    RTM_CHECK(memcmp(a, b, nc * sizeof *a) == 0);
    free(a);
    free(b);
    rtm_features_free(f);
}

static void test_errors(void)
{
    rtm_grid g = make_grid(0, 0, 1, 5, 5), bad = make_grid(0, 0, -1, 5, 5);
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double out[25];
    rtm_features_add_point(f, 1, 1, &e);
    RTM_CHECK(rtm_distance_compute(&g, f, -1, 1, out, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "distance: max_dist") != NULL);
    RTM_CHECK(rtm_distance_compute(&g, f, NAN, 1, out, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_distance_compute(&bad, f, 10, 1, out, &e) == RTM_ERR_ARG);
    rtm_features_free(f);
}

/* ---- the feature collection itself ---- */

static void test_features_api(void)
{
    rtm_features *f = rtm_features_create();
    rtm_error e;
    double ln1[2] = {0, 0}, ln[6] = {0, 0, 3, 4, 3, 4}, bb[4];
    double ring[10] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0}; /* closed: 4 edges */
    double two[4] = {0, 0, 1, 1};
    const double *rr[1] = {ring}, *r2[1] = {two};
    size_t rn[1] = {5}, n2[1] = {2};
    RTM_CHECK(rtm_features_bbox(f, bb) == -1);
    RTM_CHECK(rtm_features_add_point(f, NAN, 1, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_features_add_line(f, ln1, 1, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "features: line") != NULL);
    RTM_CHECK(rtm_features_add_polygon(f, r2, n2, 1, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_features_add_polygon(f, rr, rn, 0, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_features_count(f) == 0 && rtm_features_nsegments(f) == 0);
    RTM_CHECK(rtm_features_add_point(f, -5, 20, &e) == 0);
    RTM_CHECK(rtm_features_add_line(f, ln, 3, &e) == 0);
    RTM_CHECK(rtm_features_add_polygon(f, rr, rn, 1, &e) == 0);
    RTM_CHECK(rtm_features_count(f) == 3);
    RTM_CHECK(rtm_features_npoints(f) == 1 && rtm_features_points_xy(f)[1] == 20);
    RTM_CHECK(rtm_features_nsegments(f) == 6);
    RTM_CHECK(rtm_features_npolygons(f) == 1);
    RTM_CHECK(rtm_features_segment_polygon(f)[0] == -1 && rtm_features_segment_polygon(f)[5] == 0);
    RTM_CHECK(rtm_features_bbox(f, bb) == 0);
    RTM_CHECK(bb[0] == -5 && bb[1] == 0 && bb[2] == 10 && bb[3] == 20);
    /* sample points: the point; the line (length 5 cut in 2 pieces: 2 points,
     * then its zero-length segment's start, then its end); the square ring
     * (4 edges of 10, 4 pieces each) */
    double *xy;
    size_t n;
    RTM_CHECK(rtm_features_sample_points(f, 0, &xy, &n, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_features_sample_points(f, 2.5, &xy, &n, &e) == 0);
    RTM_CHECK(n == 1 + (2 + 1 + 1) + 4 * 4);
    for (size_t k = 1; k + 1 < n; k++) { /* consecutive samples within spacing */
        double d = hypot(xy[2 * k + 2] - xy[2 * k], xy[2 * k + 3] - xy[2 * k + 1]);
        if (k != 4) /* line end -> ring start */
            RTM_CHECK(d <= 2.5 + 1e-12);
    }
    RTM_CHECK(xy[2 * 2] == 1.5 && xy[2 * 2 + 1] == 2); /* mid-segment sample */
    RTM_CHECK(xy[2 * 4] == 3 && xy[2 * 4 + 1] == 4); /* the line's last vertex */
    RTM_CHECK(xy[2 * 5] == 0 && xy[2 * 5 + 1] == 0 && xy[2 * 6] == 2.5); /* ring */
    free(xy);
    rtm_features_free(f);
    rtm_features_free(NULL);
}

int main(void)
{
    RTM_RUN(test_features_api);
    RTM_RUN(test_points_random);
    RTM_RUN(test_lines_random);
    RTM_RUN(test_polygons_random);
    RTM_RUN(test_max_dist);
    RTM_RUN(test_sparse_far);
    RTM_RUN(test_huge_coordinate);
    RTM_RUN(test_empty);
    RTM_RUN(test_degenerate_segment);
    RTM_RUN(test_threads_identical);
    RTM_RUN(test_errors);
    printf("# all tests: %zu of %zu cells bit-identical to brute force (the rest within "
           "1e-12 relative)\n", n_identical, n_compared);
    return RTM_TEST_END();
}
