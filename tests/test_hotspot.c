/* test_hotspot.c: Gi* against an O(n^2) brute force written from Ord & Getis
 * (1995), against the moments of G* from Getis & Ord (1992), against R
 * spdep::localG output, k-nearest
 * neighbours against a full sort, and Benjamini-Hochberg against a hand
 * computed example. */
#include "rtm/surface.h"
#include "rtm_test.h"

#include <stdint.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double rnd(void) /* xorshift64, uniform [0,1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void make_grid(rtm_grid *g, int nrows, int ncols, double res)
{
    memset(g, 0, sizeof *g);
    g->x0 = 1000;
    g->y0 = 2000;
    g->res = res;
    g->nrows = nrows;
    g->ncols = ncols;
}

/* Weight matrix row for cell a: 1 if b is a neighbour (distance from cell
 * centres; the band rule with the documented 1e-9 tolerance). */
static int band_w(const rtm_grid *g, int a, int b, double band)
{
    double dx = rtm_grid_cell_x(g, a % g->ncols) - rtm_grid_cell_x(g, b % g->ncols);
    double dy = rtm_grid_cell_y(g, a / g->ncols) - rtm_grid_cell_y(g, b / g->ncols);
    return dx * dx + dy * dy <= band * band * (1 + 1e-9);
}

/* Ord & Getis (1995) standardized Gi*, straight from the formula:
 * z = (sum_j w x_j - xbar W) / (S sqrt((n S1 - W^2)/(n-1))), S1 = sum w^2,
 * xbar and S over the n inside cells (S^2 = sum x^2/n - xbar^2). */
static void brute_gistar(const rtm_grid *g, const double *x, const unsigned char *mask,
                         const unsigned char *w /* nc x nc */, double *z)
{
    int nc = g->nrows * g->ncols, n = 0;
    double sx = 0, sxx = 0, xbar, S;
    for (int a = 0; a < nc; a++)
        if (mask[a])
            n++, sx += x[a], sxx += x[a] * x[a];
    xbar = sx / n;
    S = sqrt(sxx / n - xbar * xbar);
    for (int a = 0; a < nc; a++) {
        double num = 0, W = 0, S1 = 0;
        if (!mask[a]) {
            z[a] = NAN;
            continue;
        }
        for (int b = 0; b < nc; b++) {
            double wab = mask[b] ? w[(size_t)a * nc + b] : 0;
            num += wab * x[b];
            W += wab;
            S1 += wab * wab;
        }
        z[a] = (num - xbar * W) / (S * sqrt((n * S1 - W * W) / (n - 1)));
    }
}

/* Getis & Ord (1992): G*_i = sum_j w x_j / sum_j x_j, E[G*_i] = W/n,
 * Var[G*_i] = W (n - W) Y2 / (n^2 (n - 1) Y1^2), Y1 = sum x/n,
 * Y2 = sum x^2/n - Y1^2 (binary weights). Returns (G* - E)/sqrt(Var). */
static double getis_ord_1992_z(const double *x, const unsigned char *mask,
                               const unsigned char *wrow, int nc)
{
    double sx = 0, sxx = 0, gnum = 0, W = 0, n = 0, Y1, Y2, G, E, V;
    for (int b = 0; b < nc; b++) {
        if (!mask[b])
            continue;
        n++, sx += x[b], sxx += x[b] * x[b];
        if (wrow[b])
            gnum += x[b], W++;
    }
    Y1 = sx / n;
    Y2 = sxx / n - Y1 * Y1;
    G = gnum / sx;
    E = W / n;
    V = W * (n - W) * Y2 / (n * n * (n - 1) * Y1 * Y1);
    return (G - E) / sqrt(V);
}

static void random_case(rtm_grid *g, double *x, unsigned char *mask, int holes)
{
    int nc = g->nrows * g->ncols;
    for (int k = 0; k < nc; k++) {
        int r = k / g->ncols, c = k % g->ncols;
        /* a cluster in the upper left, Poisson-ish noise elsewhere */
        double lam = (r < 4 && c < 5) ? 6 : 1;
        x[k] = floor(rnd() * 2 * lam);
        mask[k] = holes ? !(rnd() < 0.15 || (r > 8 && c > 10)) : 1;
    }
}

static void test_band_brute(void)
{
    enum { NR = 13, NC = 17, N = NR * NC };
    static unsigned char w[N * N];
    double x[N], z[N], zb[N], p[N];
    unsigned char mask[N];
    signed char bin[N];
    const double bands[4] = {100, 250, 200, 437}; /* 1, 2.5, exactly 2 and 4.37 cells */
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, NR, NC, 100);
    for (int t = 0; t < 8; t++) {
        double band = bands[t % 4], maxerr = 0;
        random_case(&g, x, mask, t >= 4);
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++)
                w[(size_t)a * N + b] = (unsigned char)band_w(&g, a, b, band);
        brute_gistar(&g, x, mask, w, zb);
        rtm_gistar_opts_init(&o);
        o.band = band;
        RTM_CHECK(rtm_gistar(&g, x, mask, &o, z, p, bin, &e) == 0);
        for (int a = 0; a < N; a++) {
            if (!mask[a]) {
                RTM_CHECK(isnan(z[a]) && isnan(p[a]) && bin[a] == 0);
                continue;
            }
            maxerr = fmax(maxerr, fabs(z[a] - zb[a]));
            RTM_CHECK_NEAR(z[a], zb[a], 1e-10);
            /* Getis & Ord (1992) moments give the same z */
            RTM_CHECK_NEAR(z[a], getis_ord_1992_z(x, mask, &w[(size_t)a * N], N), 1e-10);
            RTM_CHECK_NEAR(p[a], erfc(fabs(zb[a]) / sqrt(2)), 1e-12);
        }
        if (maxerr > 1e-10)
            fprintf(stderr, "band %g: max |z - brute| = %g\n", band, maxerr);
    }
}

/* Reference values from R spdep 1.2-7 localG (Debian r-cran-spdep), which
 * implements the Ord & Getis (1995) Gi* when the neighbour list includes the
 * cell itself. Generated with this script (printed with 15 significant
 * digits, hence the 1e-12 tolerance):
 *   # Gi* reference values from R spdep::localG (Ord & Getis 1995 form when the
 *   # neighbour list includes the cell itself), binary weights, band 2.5 cells.
 *   library(spdep)
 *   nr <- 6; nc <- 7
 *   i <- rep(0:(nr - 1), each = nc); j <- rep(0:(nc - 1), times = nr)
 *   x <- (i * 7 + j * 3) %% 5 + ifelse(i < 2 & j < 3, 6, 0)
 *   inside <- !((i == 4 & j == 5) | (i == 0 & j == 6) | (i == 5 & j == 0) | (i == 2 & j == 3))
 *   xy <- cbind(j + 0.5, nr - i - 0.5)[inside, ]
 *   nb <- include.self(dnearneigh(xy, 0, 2.5))
 *   lw <- nb2listw(nb, style = "B")
 *   z <- as.numeric(localG(x[inside], lw))
 *   out <- rep(NA_real_, nr * nc); out[inside] <- z
 *   cat(sprintf("%.15g", out), sep = ",\n")
 */
static void test_spdep_fixture(void)
{
    static const double ref[6 * 7] = {
        4.46707319257267, 3.48423531344421, 3.2735425443077, 1.4442099460181, 0.311227990961247, -1.3290549060541, NAN,
        3.48423531344421, 3.04741256267776, 2.60331519998001, 0.893158672333567, -0.836725358992601, -1.32795215016003, -1.3290549060541,
        2.39466781176398, 2.34021419572671, 1.84780679946159, NAN, -1.83147524488265, -2.46508281478091, -1.41950327584764,
        0.459184700785243, 0.488089792745684, -0.903218995259212, -1.3081966034876, -2.35475388627769, -2.29402202590471, -1.93301946620885,
        -0.586347752670925, -1.29176036029198, -1.89657748038323, -2.42650354107854, -1.89657748038323, NAN, -1.3290549060541,
        NAN, -0.586347752670925, -1.22943000532823, -1.79230157403272, -1.93301946620885, -1.3290549060541, -1.56298862773327,
    };
    double x[42], z[42];
    unsigned char mask[42];
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, 6, 7, 1);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 7; j++) {
            x[i * 7 + j] = (i * 7 + j * 3) % 5 + (i < 2 && j < 3 ? 6 : 0);
            mask[i * 7 + j] = !((i == 4 && j == 5) || (i == 0 && j == 6) || (i == 5 && j == 0) ||
                                (i == 2 && j == 3));
        }
    rtm_gistar_opts_init(&o);
    o.band = 2.5;
    RTM_CHECK(rtm_gistar(&g, x, mask, &o, z, NULL, NULL, &e) == 0);
    for (int k = 0; k < 42; k++) {
        if (isnan(ref[k]))
            RTM_CHECK(!mask[k] && isnan(z[k]));
        else
            RTM_CHECK_NEAR(z[k], ref[k], 1e-12);
    }
}

/* k nearest neighbours: for each inside cell, sort the squared distances to
 * every other inside cell, take the k-th, include all at or below it. */
static void test_knn_brute(void)
{
    enum { NR = 11, NC = 14, N = NR * NC };
    static unsigned char w[N * N];
    double x[N], z[N], zb[N], d2[N];
    unsigned char mask[N];
    const int ks[3] = {1, 4, 9};
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, NR, NC, 50);
    for (int t = 0; t < 6; t++) {
        int k = ks[t % 3];
        random_case(&g, x, mask, t >= 3);
        for (int a = 0; a < N; a++) {
            int m = 0;
            double kth;
            for (int b = 0; b < N; b++) {
                int dr = a / NC - b / NC, dc = a % NC - b % NC;
                if (mask[b] && b != a)
                    d2[m++] = dr * dr + dc * dc;
            }
            /* selection sort is enough here */
            for (int i = 0; i < k && i < m; i++)
                for (int j = i + 1; j < m; j++)
                    if (d2[j] < d2[i]) {
                        double tmp = d2[i];
                        d2[i] = d2[j], d2[j] = tmp;
                    }
            kth = k <= m ? d2[k - 1] : 1e300;
            for (int b = 0; b < N; b++) {
                int dr = a / NC - b / NC, dc = a % NC - b % NC;
                w[(size_t)a * N + b] = (unsigned char)(b == a || dr * dr + dc * dc <= kth);
            }
        }
        brute_gistar(&g, x, mask, w, zb);
        rtm_gistar_opts_init(&o);
        o.knn = k;
        RTM_CHECK(rtm_gistar(&g, x, mask, &o, z, NULL, NULL, &e) == 0);
        for (int a = 0; a < N; a++)
            if (mask[a])
                RTM_CHECK_NEAR(z[a], zb[a], 1e-10);
    }
}

/* Identical bytes with 1 and 2 threads, both neighbourhood rules. */
static void test_threads(void)
{
    enum { NR = 60, NC = 45, N = NR * NC };
    static double x[N], z1[N], z2[N];
    static unsigned char mask[N];
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, NR, NC, 10);
    random_case(&g, x, mask, 1);
    for (int rule = 0; rule < 2; rule++) {
        rtm_gistar_opts_init(&o);
        if (rule)
            o.knn = 7;
        else
            o.band = 33;
        o.threads = 1;
        RTM_CHECK(rtm_gistar(&g, x, mask, &o, z1, NULL, NULL, &e) == 0);
        o.threads = 2;
        RTM_CHECK(rtm_gistar(&g, x, mask, &o, z2, NULL, NULL, &e) == 0);
        RTM_CHECK(memcmp(z1, z2, sizeof z1) == 0);
    }
}

/* Benjamini & Hochberg, hand computed. m = 10 sorted p-values
 *   .001 .008 .039 .041 .042 .060 .074 .205 .212 .216
 * alpha .05: i alpha/m = .005 .010 .015 .020 .025 .030 .035 .040 .045 .050;
 *   p_(1), p_(2) pass, p_(3..10) fail -> r = 2, critical p = .008.
 * alpha .10: i alpha/m = .01 .02 .03 .04 .05 .06 .07 .08 .09 .10;
 *   pass at i = 1, 2, 5 (.042 <= .05), 6 (.060 <= .06); 3, 4, 7.. fail;
 *   step-up takes the largest: r = 6, critical p = .06.
 * alpha .01: i alpha/m = .001 .002 ...: only i = 1 -> critical .001.
 * Bins (z signs alternate + - + - ...; cells listed in shuffled order):
 *   p     .001 .008 .039 .041 .042 .060 .074 .205 .212 .216
 *   raw   3    3    2    2    2    1    1    0    0    0     (p <= alpha)
 *   fdr   3    2    1    1    1    1    0    0    0    0                  */
static void test_bh(void)
{
    const double ps[10] = {.042, .205, .001, .074, .216, .008, .039, .212, .060, .041};
    const int raw[10] = {2, 0, 3, 1, 0, 3, 2, 0, 1, 2};
    const int fdr[10] = {1, 0, 3, 0, 0, 2, 1, 0, 1, 1};
    double z[10], crit;
    signed char bin[10];
    size_t ns;
    rtm_error e;
    for (int k = 0; k < 10; k++)
        z[k] = k % 2 ? -1 : 1; /* only the sign is used for the bins */
    RTM_CHECK(rtm_bh_critical(ps, NULL, 10, 0.05, &crit, &ns, &e) == 0);
    RTM_CHECK(ns == 2 && crit == 0.008);
    RTM_CHECK(rtm_bh_critical(ps, NULL, 10, 0.10, &crit, &ns, &e) == 0);
    RTM_CHECK(ns == 6 && crit == 0.060);
    RTM_CHECK(rtm_bh_critical(ps, NULL, 10, 0.01, &crit, &ns, &e) == 0);
    RTM_CHECK(ns == 1 && crit == 0.001);
    RTM_CHECK(rtm_gistar_bins(z, ps, NULL, 10, 0, bin, &e) == 0);
    for (int k = 0; k < 10; k++)
        RTM_CHECK(bin[k] == (k % 2 ? -raw[k] : raw[k]));
    RTM_CHECK(rtm_gistar_bins(z, ps, NULL, 10, 1, bin, &e) == 0);
    for (int k = 0; k < 10; k++)
        RTM_CHECK(bin[k] == (k % 2 ? -fdr[k] : fdr[k]));
    /* nothing significant: critical -1 */
    {
        const double big[3] = {0.5, 0.9, 0.2};
        RTM_CHECK(rtm_bh_critical(big, NULL, 3, 0.05, &crit, &ns, &e) == 0);
        RTM_CHECK(ns == 0 && crit < 0);
    }
}

/* Benjamini-Hochberg against R's p.adjust(method = "BH") (R 4.2, base
 * stats): cells with adjusted p <= alpha are exactly those with
 * p <= our critical p. Script (output "180 3 0"):
 *   # Number of cells significant under Benjamini-Hochberg (R p.adjust "BH")
 *   # at alpha = 0.10, 0.05, 0.01 for a deterministic set of 500 p-values.
 *   k <- 0:499
 *   p <- ((k * 7919) %% 1000 + 1) / ifelse(k %% 3 == 0, 40000, 1000)
 *   for (a in c(0.10, 0.05, 0.01)) cat(sum(p.adjust(p, "BH") <= a), "")
 *   cat("\n")
 */
static void test_bh_r(void)
{
    enum { M = 500 };
    const double alpha[3] = {0.10, 0.05, 0.01};
    const size_t want[3] = {180, 3, 0};
    double p[M];
    for (int k = 0; k < M; k++)
        p[k] = ((k * 7919) % 1000 + 1) / (k % 3 == 0 ? 40000.0 : 1000.0);
    for (int l = 0; l < 3; l++) {
        double crit;
        size_t ns = 99, cnt = 0;
        rtm_error e;
        RTM_CHECK(rtm_bh_critical(p, NULL, M, alpha[l], &crit, &ns, &e) == 0);
        RTM_CHECK(ns == want[l]);
        for (int k = 0; k < M; k++)
            cnt += p[k] <= crit;
        RTM_CHECK(cnt == want[l]);
    }
}

/* Bins from z in rtm_gistar: |z| >= 2.576 / 1.960 / 1.645 <=> p <= .01/.05/.10. */
static void test_bins_from_z(void)
{
    enum { NR = 20, NC = 20, N = NR * NC };
    static double x[N], z[N], p[N];
    static unsigned char mask[N];
    signed char bin[N];
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, NR, NC, 1);
    random_case(&g, x, mask, 0);
    rtm_gistar_opts_init(&o);
    o.band = 2;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == 0);
    for (int k = 0; k < N; k++) {
        double a = fabs(z[k]);
        int lev = a >= 2.5758293035489 ? 3 : a >= 1.9599639845401 ? 2 : a >= 1.6448536269515 ? 1 : 0;
        if (fabs(a - 2.5758293035489) > 1e-9 && fabs(a - 1.9599639845401) > 1e-9 &&
            fabs(a - 1.6448536269515) > 1e-9)
            RTM_CHECK(bin[k] == (z[k] > 0 ? lev : -lev));
    }
}

static void test_degenerate(void)
{
    double x[12], z[12], p[12];
    signed char bin[12];
    rtm_grid g;
    rtm_gistar_opts o;
    rtm_error e;
    make_grid(&g, 3, 4, 10);
    for (int k = 0; k < 12; k++)
        x[k] = 2; /* S = 0 */
    rtm_gistar_opts_init(&o);
    o.band = 10;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == 0);
    for (int k = 0; k < 12; k++)
        RTM_CHECK(z[k] == 0 && p[k] == 1 && bin[k] == 0);
    /* band covering everything: n W - W^2 = 0 */
    x[0] = 5;
    o.band = 1000;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == 0);
    for (int k = 0; k < 12; k++)
        RTM_CHECK(z[k] == 0);
    /* an enormous band is capped at the grid, not allocated */
    o.band = 1e15;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == 0);
    for (int k = 0; k < 12; k++)
        RTM_CHECK(z[k] == 0);
    /* errors */
    o.band = -5;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "-5") != NULL);
    o.band = 10;
    x[3] = NAN;
    RTM_CHECK(rtm_gistar(&g, x, NULL, &o, z, p, bin, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "cell 3") != NULL);
}

int main(void)
{
    RTM_RUN(test_band_brute);
    RTM_RUN(test_spdep_fixture);
    RTM_RUN(test_knn_brute);
    RTM_RUN(test_threads);
    RTM_RUN(test_bh);
    RTM_RUN(test_bh_r);
    RTM_RUN(test_bins_from_z);
    RTM_RUN(test_degenerate);
    return RTM_TEST_END();
}
