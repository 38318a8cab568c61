/* test_evaluate.c: hit rate, PAI, PEI, AUC, RRI against hand-computed cases and
 * an O(n^2) brute-force reference written straight from the definitions. */
#include "rtm/evaluate.h"
#include "rtm_test.h"

#include <stdint.h>

/* The 6-cell example used below (all inside):
 *   cell    0  1  2  3  4  5
 *   pred    5  3  3  1  0  0      tie blocks {0} {1,2} {3} {4,5}
 *   counts  2  1  0  3  0  0      N = 6, A = 6
 *   train   1  1  1  0  0  1      N1 = 4
 * Curve points (cells, events): (0,0) (1,2) (3,3) (4,6) (6,6).
 * Best curve (ranked by counts 3,2,1,0,0,0): (0,0) (1,3) (2,5) (3,6) (6,6). */
static const double ex_pred[6] = {5, 3, 3, 1, 0, 0};
static const double ex_cnt[6] = {2, 1, 0, 3, 0, 0};
static const double ex_train[6] = {1, 1, 1, 0, 0, 1};

static void test_hand_example(void)
{
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m;
    rtm_error e;
    RTM_CHECK(rtm_eval_curve_ex(ex_pred, ex_cnt, ex_train, NULL, 6, &c, &e) == 0);
    if (!c)
        return;
    RTM_CHECK(c->npts == 5 && c->best_npts == 5);
    RTM_CHECK_NEAR(c->area, 6, 0);
    RTM_CHECK_NEAR(c->total, 6, 0);
    /* coverage 1/6: a = 1 cell, n = 2; hit = 2/6; PAI = (1/3)/(1/6) = 2;
     * n* = 3, PEI = 2/3; threshold = 5; n1 = 1 -> RRI = (2/6)/(1/4) = 4/3;
     * predicted mass in flagged = 5 -> pred/obs = 5/2 */
    RTM_CHECK(rtm_eval_at(c, 1.0 / 6, &m, &e) == 0);
    RTM_CHECK_NEAR(m.events, 2, 1e-12);
    RTM_CHECK_NEAR(m.hit_rate, 1.0 / 3, 1e-12);
    RTM_CHECK_NEAR(m.pai, 2, 1e-12);
    RTM_CHECK_NEAR(m.best_events, 3, 1e-12);
    RTM_CHECK_NEAR(m.pei, 2.0 / 3, 1e-12);
    RTM_CHECK_NEAR(m.threshold, 5, 0);
    RTM_CHECK_NEAR(m.rri, 4.0 / 3, 1e-12);
    RTM_CHECK_NEAR(m.pred_obs, 2.5, 1e-12);
    /* coverage 2/6: a = 2 cells ends half-way into the tie block {1,2}
     * (hits 1): n = 2 + 1 * (1/2) = 2.5; hit = 2.5/6; PAI = (2.5/6)/(2/6) = 1.25;
     * n* = 5, PEI = 0.5; threshold 3; train: n1 = 1 + 2 * 1/2 = 2,
     * RRI = (2.5/6)/(2/4) = 5/6; predicted mass = 5 + 6/2 = 8, pred/obs = 3.2 */
    RTM_CHECK(rtm_eval_at(c, 2.0 / 6, &m, &e) == 0);
    RTM_CHECK_NEAR(m.events, 2.5, 1e-12);
    RTM_CHECK_NEAR(m.hit_rate, 2.5 / 6, 1e-12);
    RTM_CHECK_NEAR(m.pai, 1.25, 1e-12);
    RTM_CHECK_NEAR(m.best_events, 5, 1e-12);
    RTM_CHECK_NEAR(m.pei, 0.5, 1e-12);
    RTM_CHECK_NEAR(m.threshold, 3, 0);
    RTM_CHECK_NEAR(m.rri, 5.0 / 6, 1e-12);
    RTM_CHECK_NEAR(m.pred_obs, 3.2, 1e-12);
    /* coverage 0.5: a = 3, n = 3, hit 0.5, PAI 1, n* = 6, PEI 0.5, threshold 3 */
    RTM_CHECK(rtm_eval_at(c, 0.5, &m, &e) == 0);
    RTM_CHECK_NEAR(m.hit_rate, 0.5, 1e-12);
    RTM_CHECK_NEAR(m.pai, 1, 1e-12);
    RTM_CHECK_NEAR(m.pei, 0.5, 1e-12);
    RTM_CHECK_NEAR(m.threshold, 3, 0);
    /* coverage 1: everything, hit 1, PAI 1, PEI 1, RRI 1 */
    RTM_CHECK(rtm_eval_at(c, 1, &m, &e) == 0);
    RTM_CHECK_NEAR(m.hit_rate, 1, 1e-15);
    RTM_CHECK_NEAR(m.pei, 1, 1e-15);
    RTM_CHECK_NEAR(m.rri, 1, 1e-15);
    /* AUC, trapezoids in (cells, events): [0,1] (0+2)/2*1 = 1; [1,3] (2+3)/2*2 = 5;
     * [3,4] (3+6)/2*1 = 4.5; [4,6] (6+6)/2*2 = 12; total 22.5 / (A N = 36) = 0.625 */
    RTM_CHECK_NEAR(rtm_eval_auc(c), 0.625, 1e-15);
    rtm_eval_curve_free(c);
}

/* Permuting the cells must not change anything (pro-rata ties). */
static void test_order_independent(void)
{
    static const int perm[6] = {4, 2, 5, 0, 3, 1};
    double p[6], n[6], t[6];
    rtm_eval_curve_t *a = NULL, *b = NULL;
    rtm_eval_metrics ma, mb;
    rtm_error e;
    for (int k = 0; k < 6; k++)
        p[k] = ex_pred[perm[k]], n[k] = ex_cnt[perm[k]], t[k] = ex_train[perm[k]];
    RTM_CHECK(rtm_eval_curve_ex(ex_pred, ex_cnt, ex_train, NULL, 6, &a, &e) == 0);
    RTM_CHECK(rtm_eval_curve_ex(p, n, t, NULL, 6, &b, &e) == 0);
    if (!a || !b)
        return;
    for (int q = 1; q <= 60; q++) {
        rtm_eval_at(a, q / 60.0, &ma, &e);
        rtm_eval_at(b, q / 60.0, &mb, &e);
        RTM_CHECK_NEAR(ma.events, mb.events, 1e-12);
        RTM_CHECK_NEAR(ma.pei, mb.pei, 1e-12);
        RTM_CHECK_NEAR(ma.rri, mb.rri, 1e-12);
    }
    RTM_CHECK_NEAR(rtm_eval_auc(a), rtm_eval_auc(b), 1e-15);
    rtm_eval_curve_free(a);
    rtm_eval_curve_free(b);
}

/* Brute force, O(n^2), straight from the definition: flag the a (integer)
 * cells with the highest values; the tie block at the boundary (cells equal
 * to the value of the a-th ranked cell) is credited pro rata. Finds that
 * value v by counting, for each candidate cell, how many are strictly above
 * and equal. */
static double brute_hits(const double *v, const double *cnt, const unsigned char *mask,
                         int ncell, int a)
{
    if (a == 0)
        return 0;
    for (int c = 0; c < ncell; c++) {
        int above = 0, eq = 0;
        double sa = 0, se = 0;
        if (mask && !mask[c])
            continue;
        for (int d = 0; d < ncell; d++) {
            if (mask && !mask[d])
                continue;
            if (v[d] > v[c])
                above++, sa += cnt[d];
            else if (v[d] == v[c])
                eq++, se += cnt[d];
        }
        if (above < a && a <= above + eq)
            return sa + se * (double)(a - above) / eq;
    }
    return NAN;
}

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) /* xorshift64, uniform [0,1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void test_brute_force(void)
{
    enum { NC = 120 };
    double pred[NC], cnt[NC];
    unsigned char mask[NC];
    rtm_error e;
    for (int rep = 0; rep < 20; rep++) {
        rtm_eval_curve_t *c = NULL;
        int A = 0;
        double N = 0, auc = 0, prev = 0;
        for (int k = 0; k < NC; k++) {
            pred[k] = floor(rnd() * 6);          /* few values: many ties */
            cnt[k] = floor(rnd() * rnd() * 4);    /* many zeros */
            if (rep % 4 == 3)
                cnt[k] *= 0.1; /* fractional (weighted) counts */
            mask[k] = rep % 2 ? rnd() < 0.8 : 1;
            if (mask[k])
                A++, N += cnt[k];
        }
        RTM_CHECK(rtm_eval_curve(pred, cnt, rep % 2 ? mask : NULL, NC, &c, &e) == 0);
        if (!c)
            continue;
        RTM_CHECK_NEAR(c->area, A, 0);
        for (int a = 1; a <= A; a++) {
            rtm_eval_metrics m;
            double n = brute_hits(pred, cnt, mask, NC, a);
            double ns = brute_hits(cnt, cnt, mask, NC, a);
            rtm_eval_at(c, (double)a / A, &m, &e);
            RTM_CHECK_NEAR(m.events, n, 1e-9);
            RTM_CHECK_NEAR(m.best_events, ns, 1e-9);
            RTM_CHECK_NEAR(m.pai, (n / N) / ((double)a / A), 1e-9);
            RTM_CHECK_NEAR(m.pei, n / ns, 1e-9);
            RTM_CHECK(m.pei <= 1 + 1e-12);
            if (a == A)
                RTM_CHECK(m.hit_rate == 1.0);
            /* the curve is linear between integer cell counts (blocks end
             * on whole cells), so the trapezoid on integers is exact */
            auc += (prev + n) / 2;
            prev = n;
        }
        RTM_CHECK_NEAR(rtm_eval_auc(c), auc / (A * N), 1e-12);
        rtm_eval_curve_free(c);
    }
}

/* PEI is exactly 1 when the surface is the test counts, ties included. */
static void test_pei_perfect(void)
{
    enum { NC = 500 };
    double cnt[NC];
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m[1000];
    rtm_error e;
    for (int k = 0; k < NC; k++)
        cnt[k] = floor(rnd() * rnd() * 5);
    RTM_CHECK(rtm_eval_curve(cnt, cnt, NULL, NC, &c, &e) == 0);
    if (!c)
        return;
    RTM_CHECK(rtm_eval_sample(c, 1000, m, &e) == 0);
    for (int k = 0; k < 1000; k++)
        RTM_CHECK(m[k].pei == 1.0);
    RTM_CHECK(rtm_eval_at_many(c, rtm_eval_default_coverages, RTM_EVAL_NDEFAULT, m, &e) == 0);
    for (int k = 0; k < RTM_EVAL_NDEFAULT; k++)
        RTM_CHECK(m[k].pei == 1.0);
    rtm_eval_curve_free(c);
}

/* All-zero surface: one tie block, hit rate = coverage, PAI = 1, AUC = 0.5. */
static void test_all_tied(void)
{
    double pred[50] = {0}, cnt[50];
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m[100];
    rtm_error e;
    for (int k = 0; k < 50; k++)
        cnt[k] = k % 7 == 0 ? 3 : 0;
    pred[3] = -0.0; /* -0 ties with +0 */
    RTM_CHECK(rtm_eval_curve(pred, cnt, NULL, 50, &c, &e) == 0);
    if (!c)
        return;
    RTM_CHECK(c->npts == 2);
    RTM_CHECK_NEAR(rtm_eval_auc(c), 0.5, 1e-15);
    RTM_CHECK(rtm_eval_sample(c, 100, m, &e) == 0);
    for (int k = 0; k < 100; k++) {
        RTM_CHECK_NEAR(m[k].hit_rate, (k + 1) / 100.0, 1e-12);
        RTM_CHECK_NEAR(m[k].pai, 1, 1e-12);
    }
    rtm_eval_curve_free(c);
}

/* NaN predictions rank last; masked-out cells do not count at all. */
static void test_nan_and_mask(void)
{
    /* cells: pred NaN 1 0 9, counts 5 0 1 100, mask 1 1 1 0:
     * A = 3, N = 6; order: cell1 (1), cell2 (0), cell0 (NaN)
     * points (0,0) (1,0) (2,1) (3,6) */
    const double pred[4] = {NAN, 1, 0, 9}, cnt[4] = {5, 0, 1, 100};
    const unsigned char mask[4] = {1, 1, 1, 0};
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m;
    rtm_error e;
    RTM_CHECK(rtm_eval_curve(pred, cnt, mask, 4, &c, &e) == 0);
    if (!c)
        return;
    RTM_CHECK(c->npts == 4);
    RTM_CHECK_NEAR(c->total, 6, 0);
    RTM_CHECK_NEAR(c->events[2], 1, 0);
    RTM_CHECK(isnan(c->threshold[3]));
    rtm_eval_at(c, 2.0 / 3, &m, &e);
    RTM_CHECK_NEAR(m.hit_rate, 1.0 / 6, 1e-12);
    /* AUC: [(0+0)/2 + (0+1)/2 + (1+6)/2] / (3 * 6) = 4 / 18 */
    RTM_CHECK_NEAR(rtm_eval_auc(c), 4.0 / 18, 1e-15);
    rtm_eval_curve_free(c);
}

static void test_edge_cases(void)
{
    const double pred[3] = {3, 2, 1}, zero[3] = {0, 0, 0}, bad[3] = {1, -1, 0};
    const unsigned char none[3] = {0, 0, 0};
    rtm_eval_curve_t *c = NULL;
    rtm_eval_metrics m;
    rtm_error e;
    /* N = 0: not an error, metrics NaN and flagged */
    RTM_CHECK(rtm_eval_curve(pred, zero, NULL, 3, &c, &e) == 0);
    if (c) {
        RTM_CHECK(c->flags & RTM_EVAL_NO_EVENTS);
        RTM_CHECK(rtm_eval_at(c, 0.5, &m, &e) == 0);
        RTM_CHECK(isnan(m.hit_rate) && isnan(m.pai) && isnan(m.pei) && isnan(m.rri));
        RTM_CHECK(isnan(rtm_eval_auc(c)));
        rtm_eval_curve_free(c);
        c = NULL;
    }
    /* empty mask */
    RTM_CHECK(rtm_eval_curve(pred, pred, none, 3, &c, &e) == 0);
    if (c) {
        RTM_CHECK(c->flags & RTM_EVAL_EMPTY_AREA);
        RTM_CHECK(rtm_eval_at(c, 0.1, &m, &e) == 0);
        RTM_CHECK(isnan(m.hit_rate) && isnan(m.pai) && isnan(m.pei));
        RTM_CHECK(isnan(rtm_eval_auc(c)));
        rtm_eval_curve_free(c);
        c = NULL;
    }
    /* zero cells */
    RTM_CHECK(rtm_eval_curve(pred, pred, NULL, 0, &c, &e) == 0);
    rtm_eval_curve_free(c);
    c = NULL;
    /* bad input */
    RTM_CHECK(rtm_eval_curve(pred, bad, NULL, 3, &c, &e) == RTM_ERR_INPUT);
    RTM_CHECK(c == NULL && strstr(e.msg, "cell 1") != NULL);
    RTM_CHECK(rtm_eval_curve(pred, pred, NULL, 3, &c, &e) == 0);
    if (c) {
        RTM_CHECK(rtm_eval_at(c, 0, &m, &e) == RTM_ERR_ARG);
        RTM_CHECK(rtm_eval_at(c, 1.5, &m, &e) == RTM_ERR_ARG);
        RTM_CHECK(rtm_eval_sample(c, 0, &m, &e) == RTM_ERR_ARG);
        rtm_eval_curve_free(c);
    }
}

/* rtm_rank_desc: descending, ties by index, NaN last, infinities in place. */
static void test_rank(void)
{
    const double v[7] = {1, NAN, INFINITY, -2, 1, -INFINITY, 1e-300};
    uint32_t order[7];
    const uint32_t want[7] = {2, 0, 4, 6, 3, 5, 1};
    size_t n = 0;
    rtm_error e;
    RTM_CHECK(rtm_rank_desc(v, NULL, 7, order, &n, &e) == 0);
    RTM_CHECK(n == 7);
    for (int k = 0; k < 7; k++)
        RTM_CHECK(order[k] == want[k]);
}

/* rtm_rank_desc on many values (duplicates, signs, zeros of both signs,
 * infinities, NaN, values sharing their top bits) against qsort with the
 * documented comparator: value descending, NaN last, ties by index. */
static const double *cmp_v;
static int cmp_desc(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    double x = cmp_v[i], y = cmp_v[j];
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    return (i > j) - (i < j);
}

static void test_rank_many(void)
{
    enum { NV = 200000 };
    double *v = malloc(NV * sizeof *v);
    uint32_t *got = malloc(NV * sizeof *got), *want = malloc(NV * sizeof *want);
    size_t n = 0, ok = 0;
    rtm_error e;
    if (!v || !got || !want)
        return;
    for (int k = 0; k < NV; k++) {
        double r = rnd();
        v[k] = r < 0.3 ? floor(rnd() * 20) - 5          /* many ties */
             : r < 0.6 ? 0.5 + rnd() * 1e-9              /* same top bits */
             : r < 0.9 ? (rnd() - 0.5) * 1e6
             : r < 0.93 ? (k % 2 ? -0.0 : 0.0)
             : r < 0.96 ? NAN
             : (k % 2 ? INFINITY : -INFINITY);
        want[k] = (uint32_t)k;
    }
    cmp_v = v;
    qsort(want, NV, sizeof *want, cmp_desc);
    RTM_CHECK(rtm_rank_desc(v, NULL, NV, got, &n, &e) == 0);
    RTM_CHECK(n == NV);
    for (int k = 0; k < NV; k++)
        ok += got[k] == want[k];
    RTM_CHECK(ok == NV);
    free(v), free(got), free(want);
}

int main(void)
{
    RTM_RUN(test_hand_example);
    RTM_RUN(test_order_independent);
    RTM_RUN(test_brute_force);
    RTM_RUN(test_pei_perfect);
    RTM_RUN(test_all_tied);
    RTM_RUN(test_nan_and_mask);
    RTM_RUN(test_edge_cases);
    RTM_RUN(test_rank);
    RTM_RUN(test_rank_many);
    return RTM_TEST_END();
}
