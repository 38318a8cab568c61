/* test_change.c: the dual KDE against brute-force kernel sums, the label
 * permutation test on a constructed change (significant) and on null
 * simulations (about uniform p, few false discoveries), thread identity,
 * p.adjust (BH, BY) against closed forms and R, the "N-1" proportion test and
 * sppt_diff against R (tools/sppt-reference.R), and Andresen's S index on
 * cases whose answer is known by construction. */
#include "rtm_test.h"
#include "rtm.h"
#include "rtm/change.h"

static rtm_grid grid20(void)
{
    rtm_grid g;
    memset(&g, 0, sizeof g);
    g.x0 = 0, g.y0 = 0, g.res = 10, g.ncols = 20, g.nrows = 20;
    return g;
}

/* Brute-force sum_p w K(d) at cell c, in events per cell (units cell). */
static double brute(const rtm_grid *g, size_t c, const double *x, const double *y,
                    const unsigned char *lab, size_t n, int which, double r)
{
    double cx = rtm_grid_cell_x(g, (int)(c % (size_t)g->ncols));
    double cy = rtm_grid_cell_y(g, (int)(c / (size_t)g->ncols)), s = 0;
    for (size_t i = 0; i < n; i++)
        if ((lab[i] != 0) == which)
            s += rtm_kernel_value(RTM_KERNEL_QUARTIC, hypot(cx - x[i], cy - y[i]), r);
    return s * g->res * g->res;
}

static void test_dual_kde_brute(void)
{
    rtm_grid g = grid20();
    enum { N = 300 };
    double x[N], y[N];
    unsigned char lab[N];
    rtm_change_opts o;
    rtm_change_surfaces r;
    rtm_error e;
    rtm_t_rng = 7;
    for (int i = 0; i < N; i++)
        x[i] = rtm_t_urand() * 200, y[i] = rtm_t_urand() * 200, lab[i] = rtm_t_urand() < 0.3;
    rtm_change_opts_init(&o);
    o.kde.radius = 35;
    o.kde.units = RTM_UNITS_CELL;
    o.iterations = 0;
    o.scale_before = 1.0 / 9, o.scale_after = 1.0 / 3; /* per month: 9 and 3 months */
    RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, N, &o, &r, &e) == 0);
    double maxerr = 0, cb = 0, ca = 0;
    for (size_t c = 0; c < 400; c++) {
        double b = brute(&g, c, x, y, lab, N, 0, 35) / 9, a = brute(&g, c, x, y, lab, N, 1, 35) / 3;
        maxerr = fmax(maxerr, fabs(r.difference[c] - (a - b)));
        if (b > 1e-3)
            RTM_CHECK_REL(r.ratio[c], a / b, 1e-9, 0);
        if (b > 1e-3 && a > 1e-3)
            RTM_CHECK_NEAR(r.log_ratio[c], log(a / b), 1e-9);
        cb += r.count_before[c], ca += r.count_after[c];
    }
    RTM_CHECK(maxerr < 1e-10);
    size_t na = 0;
    for (int i = 0; i < N; i++)
        na += lab[i];
    RTM_CHECK_NEAR(ca, (double)na, 0);
    RTM_CHECK_NEAR(cb, (double)(N - na), 0);
    rtm_change_surfaces_free(&r);
}

/* Before: uniform; after: uniform plus a tight cluster at (150, 150). */
static void strong_change(double *x, double *y, unsigned char *lab, int n)
{
    for (int i = 0; i < n; i++) {
        lab[i] = i >= n / 2;
        if (lab[i] && i % 2) {
            x[i] = 150 + (rtm_t_urand() - 0.5) * 10, y[i] = 150 + (rtm_t_urand() - 0.5) * 10;
        } else {
            x[i] = rtm_t_urand() * 200, y[i] = rtm_t_urand() * 200;
        }
    }
}

static void test_permutation_strong(void)
{
    rtm_grid g = grid20();
    enum { N = 400 };
    double x[N], y[N];
    unsigned char lab[N];
    rtm_change_opts o;
    rtm_change_surfaces r1, r2;
    rtm_error e;
    rtm_t_rng = 11;
    strong_change(x, y, lab, N);
    rtm_change_opts_init(&o);
    o.kde.radius = 30;
    o.iterations = 1999;
    o.seed = 5;
    o.kde.threads = 1;
    RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, N, &o, &r1, &e) == 0);
    o.kde.threads = 2;
    RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, N, &o, &r2, &e) == 0);
    /* the cluster's cell: row of y = 150 is 4 (north first), column 15 */
    size_t c = 4 * 20 + 15;
    RTM_CHECK(r1.cls[c] == 1);
    RTM_CHECK_NEAR(r1.p[c], 2.0 / 2000, 0); /* never reached by a permutation */
    RTM_CHECK(r1.nup >= 4);
    /* far from the cluster the after share falls (half of the after events
     * are in the cluster): some decreases, none near the cluster */
    RTM_CHECK(r1.ndown > 0);
    RTM_CHECK(memcmp(r1.p, r2.p, 400 * sizeof(double)) == 0);
    RTM_CHECK(memcmp(r1.cls, r2.cls, 400) == 0);
    RTM_CHECK(r1.nlocations == N);
    rtm_change_surfaces_free(&r1);
    rtm_change_surfaces_free(&r2);
}

/* Null: labels independent of place. p at a fixed cell is about uniform
 * (share below 0.05, mean), about 5 % of the cells have p <= 0.05 before
 * adjustment, and BH keeps the share of simulations with any discovery
 * near alpha (under the complete null FDR = P(any discovery)). A 10 x 10
 * grid and B = 999 leave BH room to reject (p_min = 0.002). */
static void test_permutation_null(void)
{
    rtm_grid g = grid20();
    enum { N = 150, SIMS = 100 };
    double x[N], y[N], psum = 0, raw = 0;
    unsigned char lab[N];
    int below = 0, anysig = 0;
    rtm_change_opts o;
    rtm_error e;
    g.ncols = g.nrows = 10, g.res = 20;
    rtm_change_opts_init(&o);
    o.kde.radius = 40;
    o.iterations = 999;
    rtm_t_rng = 99;
    for (int s = 0; s < SIMS; s++) {
        rtm_change_surfaces r;
        for (int i = 0; i < N; i++)
            x[i] = rtm_t_urand() * 200, y[i] = rtm_t_urand() * 200, lab[i] = i < N / 3;
        o.seed = (unsigned long long)s + 1;
        RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, N, &o, &r, &e) == 0);
        double p = r.p[5 * 10 + 5];
        psum += p;
        below += p <= 0.05;
        for (int c = 0; c < 100; c++)
            raw += r.p[c] <= 0.05;
        anysig += r.nup + r.ndown > 0;
        rtm_change_surfaces_free(&r);
    }
    raw /= 100.0 * SIMS;
    /* binomial(100, 0.05): mean 5, sd 2.2 */
    RTM_CHECK(below <= 13);
    /* mean of a discrete uniform two-sided p is about 0.5 */
    RTM_CHECK(psum / SIMS > 0.40 && psum / SIMS < 0.62);
    RTM_CHECK(raw > 0.025 && raw < 0.08);
    RTM_CHECK(anysig <= 0.12 * SIMS);
    printf("# null: P(p <= 0.05) at one cell %.3f, over all cells %.4f, mean p %.3f, "
           "runs with a BH discovery %.3f\n", below / (double)SIMS, raw, psum / SIMS,
           anysig / (double)SIMS);
}

static void test_duplicates_exact(void)
{
    /* events sharing coordinates are grouped: same p as without grouping
     * can not be checked directly, but the count of locations can, and the
     * result must not depend on the order of the events */
    rtm_grid g = grid20();
    enum { N = 120 };
    double x[N], y[N], xr[N], yr[N];
    unsigned char lab[N], labr[N];
    rtm_change_opts o;
    rtm_change_surfaces a, b;
    rtm_error e;
    rtm_t_rng = 3;
    for (int i = 0; i < N; i++) {
        int k = (int)(rtm_t_urand() * 30);
        x[i] = 20 + (k % 6) * 30, y[i] = 20 + (k / 6) * 30, lab[i] = rtm_t_urand() < 0.5;
    }
    for (int i = 0; i < N; i++)
        xr[i] = x[N - 1 - i], yr[i] = y[N - 1 - i], labr[i] = lab[N - 1 - i];
    rtm_change_opts_init(&o);
    o.kde.radius = 45;
    o.iterations = 49;
    RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, N, &o, &a, &e) == 0);
    RTM_CHECK(rtm_change_compute(&g, NULL, xr, yr, NULL, labr, N, &o, &b, &e) == 0);
    RTM_CHECK(a.nlocations <= 30);
    double md = 0;
    for (int c = 0; c < 400; c++)
        md = fmax(md, fabs(a.difference[c] - b.difference[c]));
    RTM_CHECK(md < 1e-12);
    rtm_change_surfaces_free(&a);
    rtm_change_surfaces_free(&b);
}

static void test_no_events_in_period(void)
{
    rtm_grid g = grid20();
    double x[2] = {50, 60}, y[2] = {50, 60};
    unsigned char lab[2] = {1, 1};
    rtm_change_opts o;
    rtm_change_surfaces r;
    rtm_error e;
    rtm_change_opts_init(&o);
    o.kde.radius = 30;
    RTM_CHECK(rtm_change_compute(&g, NULL, x, y, NULL, lab, 2, &o, &r, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "before") != NULL);
    rtm_change_surfaces_free(&r);
}

static void test_padjust_closed_form(void)
{
    /* p_(j) = j/100, m = 5: BH q = 0.05 for all; BY q = c(5) 0.05, c(5) = 137/60 */
    double p[5] = {0.03, 0.01, 0.05, 0.02, 0.04}, q[5];
    RTM_CHECK(rtm_p_adjust(p, 5, RTM_PADJ_BH, q, NULL) == 0);
    for (int i = 0; i < 5; i++)
        RTM_CHECK_NEAR(q[i], 0.05, 1e-15);
    RTM_CHECK(rtm_p_adjust(p, 5, RTM_PADJ_BY, q, NULL) == 0);
    for (int i = 0; i < 5; i++)
        RTM_CHECK_NEAR(q[i], 137.0 / 60 * 0.05, 1e-15);
    /* (0.001, NaN, 0.5, 0.02): m = 3, c = 11/6: 0.0055, NaN, 0.91667, 0.055 */
    double p2[4] = {0.001, NAN, 0.5, 0.02}, q2[4];
    RTM_CHECK(rtm_p_adjust(p2, 4, RTM_PADJ_BY, q2, NULL) == 0);
    RTM_CHECK_NEAR(q2[0], 11.0 / 6 * 3 * 0.001, 1e-15);
    RTM_CHECK(isnan(q2[1]));
    RTM_CHECK_NEAR(q2[2], 11.0 / 6 * 0.5, 1e-15);
    RTM_CHECK_NEAR(q2[3], 11.0 / 6 * 1.5 * 0.02, 1e-15);
    double bad = 1.5;
    RTM_CHECK(rtm_p_adjust(&bad, 1, RTM_PADJ_BH, q, NULL) == RTM_ERR_INPUT);
}

/* tests/data/change/sppt_diff.csv, made by tools/sppt-reference.R. */
static void test_against_r(void)
{
    char path[4096], kind[16];
    const char *dir = getenv("RTM_TEST_DATA");
    double nb[16], nt[16], p[16], pa[16], s[16], a, b, c, d, f, gs = 0, rs = 0;
    double pv[16], bh[16], by[16];
    int nu = 0, np = 0;
    snprintf(path, sizeof path, "%s/change/sppt_diff.csv", dir ? dir : "tests/data");
    FILE *fp = fopen(path, "r");
    RTM_CHECK(fp != NULL);
    if (!fp)
        return;
    char line[512];
    RTM_CHECK(fgets(line, sizeof line, fp) != NULL);
    while (fgets(line, sizeof line, fp)) {
        char v[5][64];
        if (sscanf(line, "%15[^,],%63[^,],%63[^,],%63[^,],%63[^,],%63s", kind, v[0], v[1], v[2],
                   v[3], v[4]) != 6)
            continue;
        a = atof(v[0]), b = atof(v[1]);
        c = strcmp(v[2], "NaN") && strcmp(v[2], "NA") ? atof(v[2]) : NAN;
        d = strcmp(v[3], "NaN") && strcmp(v[3], "NA") ? atof(v[3]) : NAN;
        f = strcmp(v[4], "NA") ? atof(v[4]) : NAN;
        if (!strcmp(kind, "unit") && nu < 16)
            nb[nu] = a, nt[nu] = b, p[nu] = c, pa[nu] = d, s[nu++] = f;
        else if (!strcmp(kind, "global"))
            gs = c, rs = d;
        else if (!strcmp(kind, "padj") && np < 16)
            pv[np] = c, bh[np] = d, by[np++] = f;
    }
    fclose(fp);
    RTM_CHECK(nu == 8 && np == 8);
    rtm_sppt_opts o;
    rtm_sppt_result r;
    rtm_sppt_opts_init(&o);
    RTM_CHECK(rtm_sppt(nb, nt, nu, &o, &r, NULL) == 0);
    for (int k = 0; k < nu && r.u; k++) {
        if (isnan(p[k])) {
            RTM_CHECK(isnan(r.u[k].p) && isnan(r.u[k].p_adj));
        } else {
            RTM_CHECK_REL(r.u[k].p, p[k], 1e-12, 1e-300);
            RTM_CHECK_REL(r.u[k].p_adj, pa[k], 1e-12, 1e-300);
        }
        RTM_CHECK(r.u[k].s_index_diff == (int)s[k]);
    }
    RTM_CHECK_NEAR(r.global_s_diff, gs, 1e-15);
    RTM_CHECK_NEAR(r.robust_s_diff, rs, 1e-15);
    rtm_sppt_result_free(&r);
    double q1[16], q2[16];
    RTM_CHECK(rtm_p_adjust(pv, (size_t)np, RTM_PADJ_BH, q1, NULL) == 0);
    RTM_CHECK(rtm_p_adjust(pv, (size_t)np, RTM_PADJ_BY, q2, NULL) == 0);
    for (int k = 0; k < np; k++) {
        if (isnan(pv[k])) {
            RTM_CHECK(isnan(q1[k]) && isnan(q2[k]));
            continue;
        }
        RTM_CHECK_NEAR(q1[k], bh[k], 1e-15);
        RTM_CHECK_NEAR(q2[k], by[k], 1e-15);
    }
}

/* Andresen's S: cases decided by construction. */
static void test_s_index(void)
{
    rtm_sppt_opts o;
    rtm_sppt_result r;
    rtm_sppt_opts_init(&o);
    /* all after events in unit 1: every sample is 100 % there, 0 % elsewhere */
    double b1[3] = {10, 0, 0}, a1[3] = {0, 10, 0};
    RTM_CHECK(rtm_sppt(b1, a1, 3, &o, &r, NULL) == 0);
    RTM_CHECK(r.u[0].s_index == 1 && r.u[1].s_index == -1 && r.u[2].s_index == 0);
    RTM_CHECK_NEAR(r.u[1].conf_low, 100, 0);
    RTM_CHECK_NEAR(r.global_s, 1.0 / 3, 1e-15);
    RTM_CHECK_NEAR(r.robust_s, 0, 0);
    RTM_CHECK(r.nrobust == 2);
    rtm_sppt_result_free(&r);
    /* equal shares and many events: every unit similar */
    double b2[4] = {500, 300, 150, 50}, a2[4] = {500, 300, 150, 50};
    RTM_CHECK(rtm_sppt(b2, a2, 4, &o, &r, NULL) == 0);
    for (int k = 0; k < 4; k++) {
        RTM_CHECK(r.u[k].s_index == 0);
        RTM_CHECK(r.u[k].conf_low <= r.u[k].pct_after && r.u[k].pct_after <= r.u[k].conf_high);
    }
    RTM_CHECK_NEAR(r.global_s, 1, 0);
    /* the interval of unit 0 (share 1/2 of 1000, samples of 850 without
     * replacement: hypergeometric sd 0.69 points): 95 % within about +-1.4 */
    RTM_CHECK(r.u[0].conf_low > 48 && r.u[0].conf_low < 49.9);
    RTM_CHECK(r.u[0].conf_high > 50.1 && r.u[0].conf_high < 52);
    rtm_sppt_result_free(&r);
    /* a big shift is found: 50 % -> 20 % */
    double b3[2] = {500, 500}, a3[2] = {200, 800};
    RTM_CHECK(rtm_sppt(b3, a3, 2, &o, &r, NULL) == 0);
    RTM_CHECK(r.u[0].s_index == 1 && r.u[1].s_index == -1);
    RTM_CHECK(r.u[0].s_index_diff == 1 && r.u[1].s_index_diff == -1);
    rtm_sppt_result_free(&r);
    double z[2] = {0, 0};
    RTM_CHECK(rtm_sppt(b3, z, 2, &o, &r, NULL) == RTM_ERR_INPUT);
}

static void test_period_parse(void)
{
    rtm_change_period p;
    rtm_error e;
    RTM_CHECK(rtm_change_period_parse("2017-01..2017-09", &p, &e) == 0);
    RTM_CHECK(p.from == 201701 && p.to == 201709);
    RTM_CHECK(rtm_change_period_parse("2017-10", &p, &e) == 0);
    RTM_CHECK(p.from == 201710 && p.to == 201710);
    RTM_CHECK(rtm_change_period_parse("2017-09..2017-01", &p, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_change_period_parse("2017-13..2018-01", &p, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_change_period_parse("soon", &p, &e) == RTM_ERR_ARG);
}

int main(void)
{
    RTM_RUN(test_dual_kde_brute);
    RTM_RUN(test_permutation_strong);
    RTM_RUN(test_permutation_null);
    RTM_RUN(test_duplicates_exact);
    RTM_RUN(test_no_events_in_period);
    RTM_RUN(test_padjust_closed_form);
    RTM_RUN(test_against_r);
    RTM_RUN(test_s_index);
    RTM_RUN(test_period_parse);
    return RTM_TEST_END();
}
