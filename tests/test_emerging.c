/* test_emerging.c: emerging hot spots. Time steps against the calendar,
 * the Mann-Kendall test against hand-computed S, Var(S) with ties and z,
 * the space-time Gi* against a brute force written from Ord & Getis (1995)
 * (band and k nearest neighbours, 0..2 time steps, a mask), every rule of
 * Esri's categories on series built to match it, and the whole analysis on
 * cubes whose category is known by construction (one per category, hot and
 * cold), and sfhotspot's scheme. */
#include "rtm/emerging.h"
#include "rtm_test.h"

#include <stdint.h>

/* ---- time steps ------------------------------------------------------------ */

static void test_week_steps(void)
{
    rtm_steps s;
    rtm_error e;
    char buf[64];
    int a, b;
    /* 2024-01-03 is a Wednesday: weeks start on Monday 2024-01-01 */
    RTM_CHECK(rtm_steps_make(RTM_STEP_WEEK, 20240103, 20240131, &s, &e) == 0);
    RTM_CHECK(s.n == 5); /* Jan 1, 8, 15, 22, 29 */
    RTM_CHECK(rtm_step_of(&s, 20240101) == 0);
    RTM_CHECK(rtm_step_of(&s, 20240107) == 0); /* Sunday */
    RTM_CHECK(rtm_step_of(&s, 20240108) == 1); /* Monday */
    RTM_CHECK(rtm_step_of(&s, 20240131) == 4);
    RTM_CHECK(rtm_step_of(&s, 20240205) == -1);
    RTM_CHECK(rtm_step_of(&s, 20231231) == -1);
    RTM_CHECK(rtm_step_of(&s, 20240100) == -1); /* a month without a day */
    RTM_CHECK(strcmp(rtm_step_label(&s, 2, buf, sizeof buf), "2024-01-15") == 0);
    rtm_step_range(&s, 4, &a, &b);
    RTM_CHECK(a == 20240129 && b == 20240204);
    /* across a year end: 2020-12-28 is a Monday, 2021-01-03 the Sunday */
    RTM_CHECK(rtm_steps_make(RTM_STEP_WEEK, 20201231, 20210104, &s, &e) == 0);
    RTM_CHECK(s.n == 2 && rtm_step_of(&s, 20210103) == 0 && rtm_step_of(&s, 20210104) == 1);
    RTM_CHECK(strcmp(rtm_step_label(&s, 0, buf, sizeof buf), "2020-12-28") == 0);
    /* four weeks */
    RTM_CHECK(rtm_steps_make(RTM_STEP_4WEEKS, 20240101, 20240301, &s, &e) == 0);
    RTM_CHECK(s.n == 3 && rtm_step_of(&s, 20240128) == 0 && rtm_step_of(&s, 20240129) == 1);
    /* a week step from month-only dates is refused */
    RTM_CHECK(rtm_steps_make(RTM_STEP_WEEK, 20240100, 20240300, &s, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "day-level") != NULL);
}

static void test_month_season_steps(void)
{
    rtm_steps s;
    rtm_error e;
    char buf[64];
    int a, b;
    RTM_CHECK(rtm_steps_make(RTM_STEP_MONTH, 20231100, 20240200, &s, &e) == 0);
    RTM_CHECK(s.n == 4 && rtm_step_of(&s, 20231200) == 1 && rtm_step_of(&s, 20240215) == 3);
    RTM_CHECK(strcmp(rtm_step_label(&s, 2, buf, sizeof buf), "2024-01") == 0);
    rtm_step_range(&s, 3, &a, &b);
    RTM_CHECK(a == 20240201 && b == 20240229); /* leap year */
    /* December joins the next year's winter */
    RTM_CHECK(rtm_steps_make(RTM_STEP_SEASON, 20231100, 20240600, &s, &e) == 0);
    RTM_CHECK(s.n == 4); /* autumn 2023, winter 2024, spring 2024, summer 2024 */
    RTM_CHECK(rtm_step_of(&s, 20231100) == 0 && rtm_step_of(&s, 20231215) == 1);
    RTM_CHECK(rtm_step_of(&s, 20240200) == 1 && rtm_step_of(&s, 20240301) == 2);
    RTM_CHECK(strcmp(rtm_step_label(&s, 1, buf, sizeof buf),
                     "2024 winter (2023-12..2024-02)") == 0);
    rtm_step_range(&s, 1, &a, &b);
    RTM_CHECK(a == 20231201 && b == 20240229);
}

/* ---- Mann-Kendall ------------------------------------------------------------ */

static void test_mann_kendall(void)
{
    rtm_mk mk;
    rtm_error e;
    /* x = 1 2 2 4 3: S = 4 + 2 + 2 - 1 = 7; one pair tied:
     * Var = (5*4*15 - 2*1*9) / 18 = 282/18; z = (7 - 1)/sqrt(Var) */
    const double x1[] = {1, 2, 2, 4, 3};
    RTM_CHECK(rtm_mann_kendall(x1, 5, &mk, &e) == 0);
    RTM_CHECK(mk.s == 7);
    RTM_CHECK_NEAR(mk.var, 282.0 / 18.0, 1e-12);
    RTM_CHECK_NEAR(mk.z, 6.0 / sqrt(282.0 / 18.0), 1e-12);
    RTM_CHECK_NEAR(mk.z, 1.5158734579197342, 1e-12);
    RTM_CHECK_NEAR(mk.p, 0.1295513529044089, 1e-12);
    RTM_CHECK_NEAR(mk.tau, 0.7, 1e-15);
    /* x = 5 5 5 1 1 2: S = -3 -3 -3 +1 +1 = -7; ties of 3 and of 2:
     * Var = (6*5*17 - 3*2*11 - 2*1*9) / 18 = 426/18; z = (-7 + 1)/sqrt(Var) */
    const double x2[] = {5, 5, 5, 1, 1, 2};
    RTM_CHECK(rtm_mann_kendall(x2, 6, &mk, &e) == 0);
    RTM_CHECK(mk.s == -7);
    RTM_CHECK_NEAR(mk.var, 426.0 / 18.0, 1e-12);
    RTM_CHECK_NEAR(mk.z, -6.0 / sqrt(426.0 / 18.0), 1e-12);
    /* strictly increasing, no ties: S = 15, Var = 6*5*17/18, z = 14/sqrt(Var) */
    const double x3[] = {1, 2, 3, 4, 5, 6};
    RTM_CHECK(rtm_mann_kendall(x3, 6, &mk, &e) == 0);
    RTM_CHECK(mk.s == 15);
    RTM_CHECK_NEAR(mk.z, 2.630142022557628, 1e-12);
    RTM_CHECK_NEAR(mk.p, 0.00853492041422708, 1e-12);
    /* all tied: Var = 0, no trend */
    const double x4[] = {2, 2, 2};
    RTM_CHECK(rtm_mann_kendall(x4, 3, &mk, &e) == 0);
    RTM_CHECK(mk.s == 0 && mk.var == 0 && mk.z == 0 && mk.p == 1);
    RTM_CHECK(rtm_mann_kendall(x4, 1, &mk, &e) == RTM_ERR_ARG);
}

/* ---- space-time Gi* against a brute force ------------------------------------ */

static void make_grid(rtm_grid *g, int nrows, int ncols, double res)
{
    memset(g, 0, sizeof *g);
    g->x0 = 500;
    g->y0 = 800;
    g->res = res;
    g->nrows = nrows;
    g->ncols = ncols;
}

static double d2cells(const rtm_grid *g, int a, int b)
{
    double di = a / g->ncols - b / g->ncols, dj = a % g->ncols - b % g->ncols;
    return di * di + dj * dj;
}

/* Spatial neighbours of a: within band (cells) or the cell and its knn
 * nearest inside cells, ties at the knn-th distance included (full sort). */
static void brute_nb(const rtm_grid *g, const unsigned char *mask, int a, double band_cells,
                     int knn, unsigned char *nb)
{
    int nc = g->nrows * g->ncols, m = 0;
    double *d = malloc((size_t)nc * sizeof *d), D;
    for (int b = 0; b < nc; b++) {
        nb[b] = 0;
        if (mask[b])
            d[m++] = d2cells(g, a, b);
    }
    if (knn > 0) {
        for (int i = 1; i < m; i++) /* insertion sort */
            for (int j = i; j > 0 && d[j - 1] > d[j]; j--) {
                double t = d[j];
                d[j] = d[j - 1], d[j - 1] = t;
            }
        D = d[knn < m ? knn : m - 1];
    } else {
        D = band_cells * band_cells * (1 + 1e-9);
    }
    for (int b = 0; b < nc; b++)
        nb[b] = mask[b] && d2cells(g, a, b) <= D;
    free(d);
}

/* Ord & Getis (1995): z = (sum w x - xbar W) / (S sqrt((n S1 - W^2)/(n-1))),
 * binary weights over the space-time neighbours, xbar and S over all n bins. */
static void brute_stgi(const rtm_grid *g, const double *x, int T, const unsigned char *mask,
                       double band_cells, int knn, int K, double *z)
{
    int nc = g->nrows * g->ncols, n = 0;
    double sx = 0, sxx = 0, xbar, S;
    unsigned char *nb = malloc((size_t)nc);
    for (int t = 0; t < T; t++)
        for (int a = 0; a < nc; a++)
            if (mask[a])
                n++, sx += x[t * nc + a], sxx += x[t * nc + a] * x[t * nc + a];
    xbar = sx / n;
    S = sqrt(sxx / n - xbar * xbar);
    for (int a = 0; a < nc; a++) {
        brute_nb(g, mask, a, band_cells, knn, nb);
        for (int t = 0; t < T; t++) {
            double sw = 0, W = 0;
            if (!mask[a]) {
                z[t * nc + a] = NAN;
                continue;
            }
            for (int u = t - K < 0 ? 0 : t - K; u <= t; u++)
                for (int b = 0; b < nc; b++)
                    if (nb[b])
                        sw += x[u * nc + b], W += 1;
            z[t * nc + a] = (sw - xbar * W) / (S * sqrt((n * W - W * W) / (n - 1)));
        }
    }
    free(nb);
}

static void check_stgi(double band_cells, int knn, int K)
{
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    int T = 5, nr = 9, ncol = 11, nc = nr * ncol;
    double *x = malloc((size_t)T * nc * sizeof *x), *z = malloc((size_t)T * nc * sizeof *z);
    double *zb = malloc((size_t)T * nc * sizeof *zb), *z1 = malloc((size_t)T * nc * sizeof *z1);
    unsigned char *mask = malloc((size_t)nc);
    make_grid(&g, nr, ncol, 25);
    rtm_t_rng = 42 + (unsigned)knn + 7u * (unsigned)K;
    for (int k = 0; k < nc; k++)
        mask[k] = !(k % 13 == 5 || (k / ncol == 0 && k % ncol < 3));
    for (int k = 0; k < T * nc; k++)
        x[k] = floor(rtm_t_urand() * 4) + (k % nc == 40 ? 6 : 0);
    rtm_gistar_opts_init(&o);
    o.band = band_cells * g.res;
    o.knn = knn;
    o.threads = 2;
    RTM_CHECK(rtm_stgistar(&g, x, T, mask, &o, K, z, &e) == 0);
    brute_stgi(&g, x, T, mask, band_cells, knn, K, zb);
    double maxd = 0;
    for (int k = 0; k < T * nc; k++) {
        if (!mask[k % nc]) {
            RTM_CHECK(isnan(z[k]));
            continue;
        }
        double d = fabs(z[k] - zb[k]);
        maxd = d > maxd ? d : maxd;
    }
    RTM_CHECK_NEAR(maxd, 0, 1e-9);
    o.threads = 1;
    RTM_CHECK(rtm_stgistar(&g, x, T, mask, &o, K, z1, &e) == 0);
    RTM_CHECK(memcmp(z, z1, (size_t)T * nc * sizeof *z) == 0);
    free(x), free(z), free(zb), free(z1), free(mask);
}

static void test_stgistar_band(void)
{
    check_stgi(1.5, 0, 0);
    check_stgi(1.5, 0, 1);
    check_stgi(2.0, 0, 2);
    check_stgi(3.2, 0, 1);
}

static void test_stgistar_knn(void)
{
    check_stgi(0, 4, 1);
    check_stgi(0, 8, 0);
    check_stgi(0, 12, 2);
}

/* ---- the rules one by one ------------------------------------------------------ */

#define S(...) (const signed char[]){__VA_ARGS__}, (int)sizeof((signed char[]){__VA_ARGS__})

static void test_rules(void)
{
    /* 90 %: 9 of 10 */
    RTM_CHECK(rtm_ehsa_hot90(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 0)));
    RTM_CHECK(!rtm_ehsa_hot90(S(1, 1, 1, 1, 1, 1, 1, 1, 0, 0)));
    RTM_CHECK(rtm_ehsa_is_historical(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 0)));
    RTM_CHECK(!rtm_ehsa_is_historical(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
    RTM_CHECK(rtm_ehsa_is_intensifying(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 1));
    RTM_CHECK(!rtm_ehsa_is_intensifying(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 0));
    RTM_CHECK(!rtm_ehsa_is_intensifying(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 0), 1));
    RTM_CHECK(rtm_ehsa_is_diminishing(S(1, 0, 1, 1, 1, 1, 1, 1, 1, 1), -1));
    RTM_CHECK(!rtm_ehsa_is_diminishing(S(1, 0, 1, 1, 1, 1, 1, 1, 1, 1), 1));
    RTM_CHECK(rtm_ehsa_is_persistent(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 0));
    RTM_CHECK(!rtm_ehsa_is_persistent(S(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 1));
    RTM_CHECK(rtm_ehsa_is_oscillating(S(0, -1, 0, 1, 0, 1)));
    RTM_CHECK(!rtm_ehsa_is_oscillating(S(0, -1, 0, 1, 0, 0)));
    RTM_CHECK(!rtm_ehsa_is_oscillating(S(0, 0, 0, 1, 0, 1)));
    RTM_CHECK(rtm_ehsa_is_new(S(0, 0, 0, 0, 1)));
    RTM_CHECK(!rtm_ehsa_is_new(S(0, 1, 0, 0, 1)));
    RTM_CHECK(!rtm_ehsa_is_new(S(0, 0, 0, 1, 1)));
    RTM_CHECK(rtm_ehsa_is_consecutive(S(0, 0, 0, 1, 1)));
    RTM_CHECK(!rtm_ehsa_is_consecutive(S(0, 1, 0, 1, 1)));
    RTM_CHECK(!rtm_ehsa_is_consecutive(S(0, 0, 0, 0, 1)));
    RTM_CHECK(rtm_ehsa_is_sporadic(S(0, 1, 0, 1, 0, 1)));
    RTM_CHECK(rtm_ehsa_is_sporadic(S(1, 0, 1, 1)));
    RTM_CHECK(!rtm_ehsa_is_sporadic(S(1, -1, 0, 1)));
    RTM_CHECK(!rtm_ehsa_is_sporadic(S(0, 1, 0, 0)));
    /* whole classification, including cold mirrors and the precedence rules */
    RTM_CHECK(rtm_ehsa_classify(S(0, 0, 0, 0, 0), 0) == RTM_EHSA_NONE);
    RTM_CHECK(rtm_ehsa_classify(S(1, 0, 0, 0, 0), 0) == RTM_EHSA_NONE);
    RTM_CHECK(rtm_ehsa_classify(S(-1, 0, 0, 0, 1), 0) == RTM_EHSA_OSCILLATING);
    RTM_CHECK(rtm_ehsa_classify(S(0, 0, 0, -1, -1), 0) == -RTM_EHSA_CONSECUTIVE);
    RTM_CHECK(rtm_ehsa_classify(S(-1, -1, -1, -1, -1), -1) == -RTM_EHSA_INTENSIFYING);
    RTM_CHECK(rtm_ehsa_classify(S(-1, -1, -1, -1, -1), 1) == -RTM_EHSA_DIMINISHING);
    RTM_CHECK(rtm_ehsa_classify(S(1, 1, 1, 1, 1, 1, 1, 1, 1, -1), 0) == RTM_EHSA_HISTORICAL);
    RTM_CHECK(strcmp(rtm_ehsa_name(3), "intensifying hot spot") == 0);
    RTM_CHECK(strcmp(rtm_ehsa_name(-8), "historical cold spot") == 0);
    RTM_CHECK(strcmp(rtm_ehsa_name(0), "no pattern") == 0);
}

static void test_sfhotspot_rules(void)
{
    /* 10 steps: recent = the last 2, older = the first 8 */
    RTM_CHECK(rtm_sfh_classify(S(1, 1, 1, 1, 1, 1, 1, 1, 0, 0)) == RTM_SFH_PERSISTENT);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, 0, 0, 0, 0, 0, 0, 0, 1)) == RTM_SFH_EMERGING);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, 1, 0, 0, 0, 0, 0, 0, 0)) == RTM_SFH_FORMER);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, 1, 0, 0, 0, 0, 0, 0, 1)) == RTM_SFH_INTERMITTENT);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, -1, 0, 0, 0, 0, 0, 0, 0)) == -RTM_SFH_FORMER);
    RTM_CHECK(rtm_sfh_classify(S(-1, -1, -1, -1, -1, -1, -1, -1, -1, 0)) ==
              -RTM_SFH_PERSISTENT);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, 1, 0, 0, 0, 0, 0, 0, -1)) == RTM_SFH_MIXED);
    RTM_CHECK(rtm_sfh_classify(S(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) == 0);
    RTM_CHECK(strcmp(rtm_sfh_name(-2), "emerging cold spot") == 0);
}

/* ---- whole analysis on constructed cubes -------------------------------------- *
 * 15 x 15 cells, 10 steps, background 20 events per bin; the 3 x 3 block
 * around the centre cell holds v[t] in step t: 40 (or rising/falling runs
 * above 20) makes a significant hot bin, 0..9 a cold one, 20 nothing. The
 * neighbourhood is the 3 x 3 block (band 1.5 cells), no time neighbours, so
 * the centre's bins are significant exactly where the block departs from 20. */
#define CT 10
#define CN 15

static int cube_category(const double v[CT], rtm_ehsa_scheme scheme, signed char *sig)
{
    rtm_grid g;
    rtm_emerging_opts o;
    rtm_emerging_cells c;
    rtm_error e;
    int nc = CN * CN, centre = 7 * CN + 7, code = 99;
    double *cube = malloc((size_t)CT * nc * sizeof *cube);
    make_grid(&g, CN, CN, 50);
    for (int t = 0; t < CT; t++)
        for (int k = 0; k < nc; k++) {
            int i = k / CN, j = k % CN;
            cube[t * nc + k] = (abs(i - 7) <= 1 && abs(j - 7) <= 1) ? v[t] : 20;
        }
    /* a fixed hot block in a corner, so a flat centre is not the only variation */
    for (int t = 0; t < CT; t++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                cube[t * nc + i * CN + j] = 35;
    rtm_emerging_opts_init(&o);
    o.gi.band = 1.5 * g.res;
    o.time_steps = 0;
    o.scheme = scheme;
    if (rtm_emerging_analyse(&g, cube, CT, NULL, &o, &c, &e) == 0) {
        code = c.code[centre];
        for (int t = 0; sig && t < CT; t++)
            sig[t] = c.sig[t * nc + centre];
        rtm_emerging_cells_free(&c);
    }
    free(cube);
    return code;
}

/* The centre's category and its significant bins as designed. */
static void check_cube(const double v[CT], int want)
{
    signed char sig[CT];
    int code = cube_category(v, RTM_SCHEME_ESRI, sig);
    if (code != want)
        fprintf(stderr, "  got '%s', want '%s'\n", rtm_ehsa_name(code), rtm_ehsa_name(want));
    RTM_CHECK(code == want);
    for (int t = 0; t < CT; t++) {
        int designed = v[t] > 20 ? 1 : v[t] < 10 ? -1 : 0;
        RTM_CHECK(sig[t] == designed);
    }
}

#define CUBE_TEST(name, want, ...)                    \
    static void name(void)                            \
    {                                                 \
        const double v[CT] = {__VA_ARGS__};           \
        check_cube(v, want);                          \
    }

CUBE_TEST(test_cube_new_hot, RTM_EHSA_NEW, 20, 20, 20, 20, 20, 20, 20, 20, 20, 40)
CUBE_TEST(test_cube_consecutive_hot, RTM_EHSA_CONSECUTIVE, 20, 20, 20, 20, 20, 20, 20, 40, 40,
          40)
CUBE_TEST(test_cube_intensifying_hot, RTM_EHSA_INTENSIFYING, 30, 32, 34, 36, 38, 40, 42, 44,
          46, 48)
CUBE_TEST(test_cube_persistent_hot, RTM_EHSA_PERSISTENT, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40)
CUBE_TEST(test_cube_diminishing_hot, RTM_EHSA_DIMINISHING, 48, 46, 44, 42, 40, 38, 36, 34, 32,
          30)
CUBE_TEST(test_cube_sporadic_hot, RTM_EHSA_SPORADIC, 20, 20, 40, 20, 20, 40, 20, 20, 20, 40)
CUBE_TEST(test_cube_oscillating_hot, RTM_EHSA_OSCILLATING, 20, 20, 20, 5, 20, 20, 40, 20, 20, 40)
CUBE_TEST(test_cube_historical_hot, RTM_EHSA_HISTORICAL, 40, 40, 40, 40, 40, 40, 40, 40, 40, 20)
CUBE_TEST(test_cube_new_cold, -RTM_EHSA_NEW, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0)
CUBE_TEST(test_cube_consecutive_cold, -RTM_EHSA_CONSECUTIVE, 20, 20, 20, 20, 20, 20, 20, 0, 0, 0)
CUBE_TEST(test_cube_intensifying_cold, -RTM_EHSA_INTENSIFYING, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
CUBE_TEST(test_cube_persistent_cold, -RTM_EHSA_PERSISTENT, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
CUBE_TEST(test_cube_diminishing_cold, -RTM_EHSA_DIMINISHING, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
CUBE_TEST(test_cube_sporadic_cold, -RTM_EHSA_SPORADIC, 20, 20, 0, 20, 20, 0, 20, 20, 20, 0)
CUBE_TEST(test_cube_oscillating_cold, -RTM_EHSA_OSCILLATING, 20, 20, 20, 40, 20, 20, 0, 20, 20,
          0)
CUBE_TEST(test_cube_historical_cold, -RTM_EHSA_HISTORICAL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20)
CUBE_TEST(test_cube_no_pattern, RTM_EHSA_NONE, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20)

static void test_cube_sfhotspot(void)
{
    const double emerging[CT] = {20, 20, 20, 20, 20, 20, 20, 20, 20, 40};
    const double former[CT] = {20, 40, 20, 20, 20, 20, 20, 20, 20, 20};
    const double persistent[CT] = {0, 0, 0, 0, 0, 0, 0, 0, 20, 20};
    RTM_CHECK(cube_category(emerging, RTM_SCHEME_SFHOTSPOT, NULL) == RTM_SFH_EMERGING);
    RTM_CHECK(cube_category(former, RTM_SCHEME_SFHOTSPOT, NULL) == RTM_SFH_FORMER);
    RTM_CHECK(cube_category(persistent, RTM_SCHEME_SFHOTSPOT, NULL) == -RTM_SFH_PERSISTENT);
}

int main(void)
{
    RTM_RUN(test_week_steps);
    RTM_RUN(test_month_season_steps);
    RTM_RUN(test_mann_kendall);
    RTM_RUN(test_stgistar_band);
    RTM_RUN(test_stgistar_knn);
    RTM_RUN(test_rules);
    RTM_RUN(test_sfhotspot_rules);
    RTM_RUN(test_cube_new_hot);
    RTM_RUN(test_cube_consecutive_hot);
    RTM_RUN(test_cube_intensifying_hot);
    RTM_RUN(test_cube_persistent_hot);
    RTM_RUN(test_cube_diminishing_hot);
    RTM_RUN(test_cube_sporadic_hot);
    RTM_RUN(test_cube_oscillating_hot);
    RTM_RUN(test_cube_historical_hot);
    RTM_RUN(test_cube_new_cold);
    RTM_RUN(test_cube_consecutive_cold);
    RTM_RUN(test_cube_intensifying_cold);
    RTM_RUN(test_cube_persistent_cold);
    RTM_RUN(test_cube_diminishing_cold);
    RTM_RUN(test_cube_sporadic_cold);
    RTM_RUN(test_cube_oscillating_cold);
    RTM_RUN(test_cube_historical_cold);
    RTM_RUN(test_cube_no_pattern);
    RTM_RUN(test_cube_sfhotspot);
    return RTM_TEST_END();
}
