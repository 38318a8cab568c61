/* test_bandwidth.c: the ArcGIS and Scott bandwidth rules against hand
 * computation, an independent implementation written here, and the
 * equivalence of integer weights with repeated points. */
#include "rtm/surface.h"
#include "rtm_test.h"


/* Square of side 2 centred at (1, 1): mean centre (1, 1), every distance
 * sqrt 2, so SD = sqrt(4 * 2 / 4) = sqrt 2 and Dm = sqrt 2;
 * sqrt(1/ln 2) Dm = 1.6986 > SD, so r = 0.9 sqrt(2) 4^-0.2 = 0.964596116. */
static void test_arcgis_square(void)
{
    double x[4] = {0, 2, 0, 2}, y[4] = {0, 0, 2, 2}, r;
    rtm_error e;
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, 4, &r, &e) == 0);
    RTM_CHECK_REL(r, 0.9 * sqrt(2) * pow(4, -0.2), 1e-14, 0);
    RTM_CHECK_REL(r, 0.964596116282664, 1e-12, 0);
}

/* (0,0) (3,0) (0,4) (-3,0) (0,-4) (30,0): mean centre (5, 0); distances
 * 5, 2, sqrt 41, 8, sqrt 41, 25; median of 2 5 6.403 6.403 8 25 = sqrt 41;
 * SD = sqrt((25 + 4 + 41 + 64 + 41 + 625) / 6) = sqrt(800/6) = 11.547;
 * sqrt(1/ln 2) sqrt 41 = 7.6909 < SD, so
 * r = 0.9 * 7.6909 * 6^-0.2 = 4.83717118590. */
static void test_arcgis_median_wins(void)
{
    double x[6] = {0, 3, 0, -3, 0, 30}, y[6] = {0, 0, 4, 0, -4, 0}, r;
    rtm_error e;
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, 6, &r, &e) == 0);
    RTM_CHECK_REL(r, 0.9 * sqrt(1 / log(2)) * sqrt(41) * pow(6, -0.2), 1e-14, 0);
    RTM_CHECK_REL(r, 4.8371711859039666, 1e-12, 0);
}

/* x = 1..5: sd = sqrt(2.5) = 1.5811; type-7 quartiles 2 and 4, IQR/1.34 =
 * 1.49254 < sd; h_x = 1.06 * 1.49254 * 5^-0.2 = 1.14666633 (R: bw.nrd(1:5)).
 * y = 2x doubles it; isotropic h = sqrt(h_x h_y) = sqrt(2) h_x; quartic
 * radius = 2 sqrt(2) h. */
static void test_scott_hand(void)
{
    double x[5] = {3, 1, 5, 2, 4}, y[5] = {6, 2, 10, 4, 8}, hx, hy, h, r;
    rtm_error e;
    RTM_CHECK(rtm_bandwidth_scott_sigma(x, y, NULL, 5, &hx, &hy, &h, &e) == 0);
    RTM_CHECK_REL(hx, 1.1466663335796377, 1e-13, 0);
    RTM_CHECK_REL(hy, 2 * 1.1466663335796377, 1e-13, 0);
    RTM_CHECK_REL(h, sqrt(2) * 1.1466663335796377, 1e-13, 0);
    RTM_CHECK(rtm_bandwidth_scott(x, y, NULL, 5, &r, &e) == 0);
    RTM_CHECK_REL(r, 2 * sqrt(2) * h, 1e-14, 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Independent reference, unweighted: R's quantile type 7 and sd. */
static double ref_q7(double *v, size_t n, double p)
{
    double h = (n - 1) * p;
    size_t lo = (size_t)floor(h);
    qsort(v, n, sizeof *v, cmp_double);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

static double ref_scott_axis(const double *v, size_t n)
{
    double *c = malloc(n * sizeof *c), m = 0, ss = 0, iqr;
    size_t i;
    for (i = 0; i < n; i++)
        m += v[i] / n;
    for (i = 0; i < n; i++) {
        ss += (v[i] - m) * (v[i] - m);
        c[i] = v[i];
    }
    iqr = ref_q7(c, n, 0.75) - ref_q7(c, n, 0.25);
    free(c);
    return 1.06 * fmin(sqrt(ss / (n - 1)), iqr / 1.34) * pow((double)n, -0.2);
}

static double ref_arcgis(const double *x, const double *y, size_t n)
{
    double cx = 0, cy = 0, ss = 0, dm, *d = malloc(n * sizeof *d);
    size_t i;
    for (i = 0; i < n; i++) {
        cx += x[i] / n;
        cy += y[i] / n;
    }
    for (i = 0; i < n; i++) {
        d[i] = hypot(x[i] - cx, y[i] - cy);
        ss += d[i] * d[i];
    }
    qsort(d, n, sizeof *d, cmp_double);
    dm = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    free(d);
    return 0.9 * fmin(sqrt(ss / n), sqrt(1 / log(2)) * dm) * pow((double)n, -0.2);
}

/* Random skewed clouds of odd and even sizes against the reference. */
static void test_random_vs_reference(void)
{
    size_t sizes[] = {2, 7, 100, 101, 1000}, s, i;
    for (s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), r, hx, hy, h;
        rtm_error e;
        for (i = 0; i < n; i++) {
            x[i] = 500000 + 3000 * rtm_t_urand() * rtm_t_urand();
            y[i] = 180000 + 1000 * rtm_t_urand() + (i % 3 == 0 ? 5000 : 0);
        }
        RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, n, &r, &e) == 0);
        RTM_CHECK_REL(r, ref_arcgis(x, y, n), 1e-9, 0);
        RTM_CHECK(rtm_bandwidth_scott_sigma(x, y, NULL, n, &hx, &hy, &h, &e) == 0);
        RTM_CHECK_REL(hx, ref_scott_axis(x, n), 1e-9, 0);
        RTM_CHECK_REL(hy, ref_scott_axis(y, n), 1e-9, 0);
        RTM_CHECK_REL(h, sqrt(hx * hy), 1e-15, 0);
        free(x), free(y);
    }
}

/* Integer weights = repeating each point that many times (weight 0 = absent). */
static void test_weights_as_repeats(void)
{
    enum { N = 40 };
    double x[N], y[N], w[N], *xr = malloc(N * 5 * sizeof *xr), *yr = malloc(N * 5 * sizeof *yr);
    double a, b, hx1, hy1, hx2, hy2;
    size_t i, k, m = 0;
    rtm_error e;
    for (i = 0; i < N; i++) {
        x[i] = 100 * rtm_t_urand();
        y[i] = 50 * rtm_t_urand() * rtm_t_urand();
        w[i] = (double)(i % 5); /* 0..4 */
        for (k = 0; k < (size_t)w[i]; k++) {
            xr[m] = x[i];
            yr[m] = y[i];
            m++;
        }
    }
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, w, N, &a, &e) == 0);
    RTM_CHECK(rtm_bandwidth_arcgis(xr, yr, NULL, m, &b, &e) == 0);
    RTM_CHECK_REL(a, b, 1e-12, 0);
    RTM_CHECK(rtm_bandwidth_scott_sigma(x, y, w, N, &hx1, &hy1, NULL, &e) == 0);
    RTM_CHECK(rtm_bandwidth_scott_sigma(xr, yr, NULL, m, &hx2, &hy2, NULL, &e) == 0);
    RTM_CHECK_REL(hx1, hx2, 1e-12, 0);
    RTM_CHECK_REL(hy1, hy2, 1e-12, 0);
    free(xr), free(yr);
}

static void test_errors(void)
{
    double x[3] = {1, 1, 1}, y[3] = {2, 2, 2}, w[3] = {1, 1, 1}, r = -1;
    rtm_error e;
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, 1, &r, &e) == RTM_ERR_MODEL);
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, 3, &r, &e) == RTM_ERR_MODEL); /* no spread */
    RTM_CHECK(rtm_bandwidth_scott(x, y, NULL, 3, &r, &e) == RTM_ERR_MODEL);
    RTM_CHECK(r == -1); /* untouched on failure */
    x[1] = NAN;
    RTM_CHECK(rtm_bandwidth_arcgis(x, y, NULL, 3, &r, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "point 1") != NULL);
    x[1] = 5;
    w[2] = -2;
    RTM_CHECK(rtm_bandwidth_scott(x, y, w, 3, &r, &e) == RTM_ERR_INPUT);
}

int main(void)
{
    rtm_t_rng = 7; /* test data seed */
    RTM_RUN(test_arcgis_square);
    RTM_RUN(test_arcgis_median_wins);
    RTM_RUN(test_scott_hand);
    RTM_RUN(test_random_vs_reference);
    RTM_RUN(test_weights_as_repeats);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
