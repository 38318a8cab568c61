/* test_nnstat.c: nearest-neighbour distances against brute force, and the
 * Clark & Evans (1954) statistic against its formulas computed here, a
 * normal table, and the published hexagonal-lattice limit R = 2.1491. */
#include <stdint.h>

#include "rtm/surface.h"
#include "rtm/model.h"
#include "rtm_test.h"


/* O(n^2) nearest-neighbour distance of point i. */
static double brute_nn(const double *xy, size_t n, size_t i)
{
    double best = INFINITY;
    for (size_t k = 0; k < n; k++) {
        if (k == i)
            continue;
        double dx = xy[2 * i] - xy[2 * k], dy = xy[2 * i + 1] - xy[2 * k + 1];
        best = fmin(best, sqrt(dx * dx + dy * dy));
    }
    return best;
}

static void test_nn_brute(void)
{
    const size_t sizes[] = {2, 3, 17, 400, 3000};
    for (int t = 0; t < 5; t++) {
        size_t n = sizes[t];
        double *xy = malloc(2 * n * sizeof *xy), *nn = malloc(n * sizeof *nn);
        rtm_error e;
        rtm_t_rng = 77 + t;
        for (size_t i = 0; i < n; i++) {
            /* clustered blobs plus background, some on an integer lattice */
            double cx = (double)(i % 5) * 1000, cy = (double)(i % 3) * 700;
            xy[2 * i] = 512300 + cx + 50 * rtm_t_urand();
            xy[2 * i + 1] = 181000 + cy + 50 * rtm_t_urand();
            if (i % 7 == 0)
                xy[2 * i] = floor(xy[2 * i]), xy[2 * i + 1] = floor(xy[2 * i + 1]);
        }
        if (n > 10) { /* a duplicate pair: both have distance 0 */
            xy[2 * 9] = xy[2 * 4];
            xy[2 * 9 + 1] = xy[2 * 4 + 1];
        }
        RTM_CHECK(rtm_distance_nearest_neighbours(xy, n, 2, nn, &e) == 0);
        for (size_t i = 0; i < n; i++)
            RTM_CHECK_REL(nn[i], brute_nn(xy, n, i), 1e-12, 1e-300);
        if (n > 10)
            RTM_CHECK(nn[4] == 0 && nn[9] == 0);
        free(xy);
        free(nn);
    }
}

/* Many copies of one location (common in geocoded data) plus scattered
 * points and an outlier: the copies are at distance 0, the others match
 * brute force. */
static void test_nn_duplicates(void)
{
    size_t n = 20000, nr = 200;
    double *xy = malloc(2 * n * sizeof *xy), *nn = malloc(n * sizeof *nn);
    rtm_error e;
    rtm_t_rng = 31;
    for (size_t i = 0; i < n; i++) {
        xy[2 * i] = i < nr ? 530000 + 5000 * rtm_t_urand() : 531234.5;
        xy[2 * i + 1] = i < nr ? 180000 + 5000 * rtm_t_urand() : 182345.25;
    }
    xy[0] = xy[1] = 0; /* an outlier stretching the bounding box */
    RTM_CHECK(rtm_distance_nearest_neighbours(xy, n, 2, nn, &e) == 0);
    for (size_t i = 0; i < nr; i++)
        RTM_CHECK_REL(nn[i], brute_nn(xy, n, i), 1e-12, 1e-300);
    for (size_t i = nr; i < n; i++)
        if (nn[i] != 0) {
            RTM_CHECK(nn[i] == 0);
            break;
        }
    free(xy);
    free(nn);
}

static void test_nn_threads_and_errors(void)
{
    size_t n = 5000;
    double *xy = malloc(2 * n * sizeof *xy), *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    rtm_error e;
    rtm_t_rng = 5;
    for (size_t i = 0; i < 2 * n; i++)
        xy[i] = 1e4 * rtm_t_urand() * rtm_t_urand();
    RTM_CHECK(rtm_distance_nearest_neighbours(xy, n, 1, a, &e) == 0);
    RTM_CHECK(rtm_distance_nearest_neighbours(xy, n, 2, b, &e) == 0);
    RTM_CHECK(memcmp(a, b, n * sizeof *a) == 0);
    RTM_CHECK(rtm_distance_nearest_neighbours(xy, 1, 1, a, &e) == RTM_ERR_ARG);
    xy[3] = NAN;
    RTM_CHECK(rtm_distance_nearest_neighbours(xy, n, 1, a, &e) == RTM_ERR_INPUT);
    free(xy);
    free(a);
    free(b);
}

/* The Clark-Evans formulas, written out from the paper. */
static void test_formulas(void)
{
    size_t n = 500;
    double area = 4e6, *xy = malloc(2 * n * sizeof *xy), sum = 0;
    rtm_nnstat s;
    rtm_error e;
    rtm_t_rng = 99;
    for (size_t i = 0; i < 2 * n; i++)
        xy[i] = 2000 * rtm_t_urand();
    RTM_CHECK(rtm_nnstat_compute(xy, n, area, &s, &e) == 0);
    for (size_t i = 0; i < n; i++)
        sum += brute_nn(xy, n, i);
    double rho = n / area, ra = sum / n, re = 1 / (2 * sqrt(rho));
    double se = 0.26136 / sqrt(n * rho), z = (ra - re) / se;
    RTM_CHECK(s.n == n);
    RTM_CHECK_REL(s.mean_nn, ra, 1e-12, 0);
    RTM_CHECK_REL(s.expected_nn, re, 1e-12, 0);
    RTM_CHECK_REL(s.ratio, ra / re, 1e-12, 0);
    RTM_CHECK_REL(s.z, z, 1e-9, 1e-9);
    /* random points: R near 1 (edge effects push it up a little) */
    RTM_CHECK(s.ratio > 0.9 && s.ratio < 1.15);
    free(xy);
}

/* Two points 1 apart in area 4: R = sqrt 2, z = (1 - 1/sqrt 2)/0.26136
 * = 1.120651; normal table: Phi(1.12) = 0.8686, Phi(1.13) = 0.8708, so the
 * two-sided p is 0.2624 (interpolated). */
static void test_hand_case(void)
{
    double xy[4] = {0, 0, 1, 0};
    rtm_nnstat s;
    rtm_error e;
    RTM_CHECK(rtm_nnstat_compute(xy, 2, 4, &s, &e) == 0);
    RTM_CHECK_NEAR(s.mean_nn, 1, 0);
    RTM_CHECK_NEAR(s.expected_nn, 0.70710678118654752, 1e-15);
    RTM_CHECK_NEAR(s.ratio, 1.41421356237309505, 1e-14);
    RTM_CHECK_NEAR(s.z, 1.120651, 1e-6);
    RTM_CHECK_NEAR(s.p, 0.2624, 5e-4);
    RTM_CHECK(rtm_nnstat_compute(xy, 1, 4, &s, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_nnstat_compute(xy, 2, 0, &s, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "nnstat: area") != NULL);
}

/* Hexagonal lattice of spacing a: every nearest neighbour is at a, the area
 * per point is (sqrt 3 / 2) a^2, so R = 2 / sqrt(sqrt 3 / 2) = 2.1491 as
 * published by Clark & Evans for maximum spacing. */
static void test_hex_lattice(void)
{
    int nx = 60, ny = 60;
    size_t n = (size_t)nx * ny;
    double a = 25, *xy = malloc(2 * n * sizeof *xy);
    rtm_nnstat s;
    rtm_error e;
    for (int r = 0; r < ny; r++)
        for (int c = 0; c < nx; c++) {
            size_t k = (size_t)r * nx + c;
            xy[2 * k] = 1000 + a * (c + 0.5 * (r % 2));
            xy[2 * k + 1] = 2000 + a * r * sqrt(3) / 2;
        }
    RTM_CHECK(rtm_nnstat_compute(xy, n, n * sqrt(3) / 2 * a * a, &s, &e) == 0);
    RTM_CHECK_NEAR(s.mean_nn, a, 1e-9);
    RTM_CHECK_NEAR(s.ratio, 2.1491, 1e-4);
    RTM_CHECK(s.z > 10 && s.p < 1e-10);
    RTM_CHECK(rtm_nnstat_prefer_proximity(&s, 1000, 0.05) == 1); /* dispersed */
    free(xy);
}

/* Tight clusters: R well below 1, significant; Density unless the clusters'
 * mean NN distance exceeds the maximum spatial influence. */
static void test_clustered(void)
{
    size_t n = 1000;
    double *xy = malloc(2 * n * sizeof *xy);
    rtm_nnstat s;
    rtm_error e;
    rtm_t_rng = 123;
    for (size_t i = 0; i < n; i++) {
        double cx = 1000 * (double)(i % 4), cy = 1000 * (double)((i / 4) % 4);
        xy[2 * i] = cx + 20 * rtm_t_urand();
        xy[2 * i + 1] = cy + 20 * rtm_t_urand();
    }
    RTM_CHECK(rtm_nnstat_compute(xy, n, 4000.0 * 4000.0, &s, &e) == 0);
    RTM_CHECK(s.ratio < 0.2);
    RTM_CHECK(s.z < -10 && s.p < 1e-10);
    RTM_CHECK(rtm_nnstat_prefer_proximity(&s, 300, 0.05) == 0);
    RTM_CHECK(rtm_nnstat_prefer_proximity(&s, 0.01, 0.05) == 1);
    free(xy);
}

/* The region test by hand: a 3 x 1 grid of 10 m cells with only the middle
 * cell in the study area. With reach 0 the region is that cell (100 m^2);
 * with reach 10 it is the middle cell and the 4 cells whose centres are 10 m
 * away (500 m^2); the point at 14.1 m (a diagonal neighbour) is out. */
static void test_near_area(void)
{
    rtm_grid g = {0, 0, 10, 3, 1, ""};
    unsigned char mask[3] = {0, 1, 0}, none[3] = {0, 0, 0};
    double xy[10] = {12, 5, 18, 5, 5, 5, 15, 15, 25, 15};
    rtm_nnstat s;
    rtm_error e;
    RTM_CHECK(rtm_nnstat_near_area(&g, mask, xy, 5, 0, 1, &s, &e) == 0);
    RTM_CHECK(s.n == 2 && s.area == 100);
    RTM_CHECK_REL(s.mean_nn, 6, 1e-15, 0);
    RTM_CHECK_REL(s.ratio, 6 / (0.5 / sqrt(2 / 100.0)), 1e-14, 0);
    RTM_CHECK(rtm_nnstat_near_area(&g, mask, xy, 5, 10, 1, &s, &e) == 0);
    /* in: (12,5) (18,5) (5,5) (15,15); out: (25,15), diagonal to the middle */
    RTM_CHECK(s.n == 4 && s.area == 500);
    RTM_CHECK(rtm_nnstat_near_area(&g, mask, xy, 5, -1, 1, &s, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_nnstat_near_area(&g, none, xy, 5, 10, 1, &s, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_nnstat_near_area(&g, mask, xy + 8, 1, 10, 1, &s, &e) == RTM_ERR_ARG);
}

int main(void)
{
    RTM_RUN(test_nn_brute);
    RTM_RUN(test_nn_duplicates);
    RTM_RUN(test_nn_threads_and_errors);
    RTM_RUN(test_formulas);
    RTM_RUN(test_hand_case);
    RTM_RUN(test_hex_lattice);
    RTM_RUN(test_clustered);
    RTM_RUN(test_near_area);
    return RTM_TEST_END();
}
