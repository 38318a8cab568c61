/* test_knox.c: the Knox test against a brute-force O(n^2 x iterations)
 * reference written from the definition (every pair, every permutation,
 * band edges left-closed), observed counts by a direct double loop, Euclidean
 * and Manhattan, the same-location band, thread-count independence, and the
 * day x hour table against a direct count on simulated timed events. */
#include "rtm/knox.h"
#include "rtm_test.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static double rnd(void) /* xorshift64, uniform [0,1) */
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

#define N 160

/* Band of v over edges e[0..ne-1] left-closed, or -1 (a plain scan). */
static int band(const double *e, int ne, double v)
{
    for (int b = 0; b + 1 < ne; b++)
        if (v >= e[b] && v < e[b + 1])
            return b;
    return -1;
}

/* Pair counts of every i < j with days d, into cnt[nd * nt]. */
static void brute_count(const double *x, const double *y, const int *d, const double *de,
                        int nde, const double *te, int nte, int manhattan, int64_t *cnt)
{
    for (int c = 0; c < (nde - 1) * (nte - 1); c++)
        cnt[c] = 0;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            double dist = manhattan ? fabs(dx) + fabs(dy) : sqrt(dx * dx + dy * dy);
            int a = band(de, nde, dist), b = band(te, nte, fabs((double)(d[i] - d[j])));
            if (a >= 0 && b >= 0)
                cnt[a * (nte - 1) + b]++;
        }
}

static void make_events(double *x, double *y, int *day)
{
    for (int i = 0; i < N; i++) {
        x[i] = 500000 + floor(rnd() * 1500);
        y[i] = 180000 + floor(rnd() * 1500);
        day[i] = (int)(rnd() * 120);
    }
    for (int i = 0; i < 20; i++) { /* shared places (snap points) */
        x[N - 1 - i] = x[i];
        y[N - 1 - i] = y[i];
    }
    x[5] = x[6] + 100, y[5] = y[6];  /* a pair exactly on an edge: in [100, 200) */
    day[5] = day[6] + 7;             /* and exactly 7 days apart: in [7, 14) */
}

static void check_against_brute(int manhattan)
{
    double x[N], y[N], ds[] = {0, 100, 200, 400}, de[] = {0, 0.5, 100, 200, 400};
    double te[] = {0, 7, 14, 28};
    int day[N], ts[] = {0, 7, 14, 28}, pd[N];
    uint32_t perm[N];
    int64_t cnt[16], ge[16] = {0}, sum[16] = {0}, obs[16];
    rtm_knox_opts o;
    rtm_knox_result r;
    rtm_error e;
    make_events(x, y, day);
    rtm_knox_opts_init(&o);
    o.ds = ds, o.nds = 4, o.ts = ts, o.nts = 4, o.same_location = 0.5;
    o.manhattan = manhattan, o.iterations = 49, o.seed = 42;
    RTM_CHECK(rtm_knox(x, y, day, N, &o, &r, &e) == 0);
    RTM_CHECK(r.nd == 4 && r.nt == 3);
    brute_count(x, y, day, de, 5, te, 4, manhattan, obs);
    for (int c = 0; c < 12; c++)
        RTM_CHECK(r.observed[c] == obs[c]);
    RTM_CHECK(obs[0] > 0);  /* the shared places give same-location pairs */
    for (int it = 0; it < 49; it++) {
        rtm_knox_permutation(42, (uint64_t)it, N, perm);
        for (int i = 0; i < N; i++)
            pd[i] = day[perm[i]];
        brute_count(x, y, pd, de, 5, te, 4, manhattan, cnt);
        for (int c = 0; c < 12; c++)
            sum[c] += cnt[c], ge[c] += cnt[c] >= obs[c];
    }
    for (int c = 0; c < 12; c++) {
        RTM_CHECK(r.ge[c] == ge[c]);
        RTM_CHECK(r.expected[c] == (double)sum[c] / 49);
        if (sum[c] > 0)
            RTM_CHECK(r.p[c] == (double)(ge[c] + 1) / 50);
    }
    rtm_knox_result_free(&r);
}

static void test_brute_euclid(void) { check_against_brute(0); }
static void test_brute_manhattan(void) { check_against_brute(1); }

/* A permutation is one: every index once. */
static void test_permutation(void)
{
    uint32_t p[N];
    int seen[N] = {0}, moved = 0;
    rtm_knox_permutation(3, 11, N, p);
    for (int i = 0; i < N; i++)
        seen[p[i]]++, moved += p[i] != (uint32_t)i;
    for (int i = 0; i < N; i++)
        RTM_CHECK(seen[i] == 1);
    RTM_CHECK(moved > N / 2);
}

static void test_threads(void)
{
    double x[N], y[N], ds[] = {0, 100, 200, 400};
    int day[N], ts[] = {0, 7, 14, 28};
    rtm_knox_opts o;
    rtm_knox_result a, b;
    rtm_error e;
    make_events(x, y, day);
    rtm_knox_opts_init(&o);
    o.ds = ds, o.nds = 4, o.ts = ts, o.nts = 4, o.iterations = 99, o.seed = 5;
    o.threads = 1;
    RTM_CHECK(rtm_knox(x, y, day, N, &o, &a, &e) == 0);
    o.threads = 2;
    RTM_CHECK(rtm_knox(x, y, day, N, &o, &b, &e) == 0);
    for (int c = 0; c < 9; c++) {
        RTM_CHECK(a.observed[c] == b.observed[c] && a.ge[c] == b.ge[c]);
        RTM_CHECK(a.expected[c] == b.expected[c] && a.median[c] == b.median[c]);
    }
    rtm_knox_result_free(&a);
    rtm_knox_result_free(&b);
}

static void test_bad_args(void)
{
    double x[3] = {0, 1, 2}, y[3] = {0}, ds[] = {0, 100, 50};
    int day[3] = {0}, ts[] = {0, 7};
    rtm_knox_opts o;
    rtm_knox_result r;
    rtm_error e;
    rtm_knox_opts_init(&o);
    o.ds = ds, o.nds = 3, o.ts = ts, o.nts = 2;
    RTM_CHECK(rtm_knox(x, y, day, 3, &o, &r, &e) == RTM_ERR_ARG);
    o.nds = 2;
    RTM_CHECK(rtm_knox(x, y, day, 1, &o, &r, &e) == RTM_ERR_INPUT);
    o.same_location = 200;
    RTM_CHECK(rtm_knox(x, y, day, 3, &o, &r, &e) == RTM_ERR_ARG);
}

static void test_day_number(void)
{
    RTM_CHECK(rtm_day_number(19700101) == 0);
    RTM_CHECK(rtm_day_number(20000301) - rtm_day_number(20000228) == 2);  /* leap year */
    RTM_CHECK(rtm_day_number(19000301) - rtm_day_number(19000228) == 1);  /* not leap */
    RTM_CHECK(rtm_day_number(20240101) == 19723);
}

/* The 7 x 24 table against a direct count of simulated timed events. */
static void test_dayhour(void)
{
    rtm_points p;
    rtm_error e;
    double t[168], ref[168] = {0};
    size_t used = 0, untimed = 0, nref = 0;
    rtm_points_init(&p);
    for (int i = 0; i < 2000; i++) {
        int d = 20240101 + (int)(rnd() * 28);  /* January 2024: 1 Jan is a Monday */
        int m = rnd() < 0.1 ? -1 : (int)(rnd() * 1440);
        int day = rnd() < 0.05 ? 0 : d;
        RTM_CHECK(rtm_points_push_full(&p, 0, 0, 1, 202401, day, m, -1, &e) == 0);
        if (day && m >= 0) {
            int wd = (d - 20240101) % 7;  /* 0 = Monday, counted directly */
            ref[wd * 24 + m / 60] += 1;
            nref++;
        }
    }
    rtm_dayhour_table(&p, 0, t, &used, &untimed);
    RTM_CHECK(used == nref && untimed == 2000 - nref);
    for (int k = 0; k < 168; k++)
        RTM_CHECK(t[k] == ref[k]);
    rtm_points_clear(&p);
}

int main(void)
{
    RTM_RUN(test_brute_euclid);
    RTM_RUN(test_brute_manhattan);
    RTM_RUN(test_permutation);
    RTM_RUN(test_threads);
    RTM_RUN(test_bad_args);
    RTM_RUN(test_day_number);
    RTM_RUN(test_dayhour);
    return RTM_TEST_END();
}
