/* test_model_tiles.c: pattern tables built by tiles of rows and merged in
 * tile order equal the table of all rows, byte for byte (rtm/model_tiles.h),
 * on simulated variable sets (compact and written-out forms), with the
 * tallies checked against a brute-force count. */
#include <stdint.h>
#include <string.h>

#include "rtm_test.h"
#include "rtm/model.h"
#include "rtm/model_tiles.h"

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;
static double urand(void)
{
    /* xorshift64 (Marsaglia 2003): a fixed, documented test sequence */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* n rows, p columns (p > 64: two words), npat distinct rows drawn with a
 * skew (a few common, many rare, as an RTM design), and counts y. */
static rtm_varset *sim(size_t n, int p, size_t npat, double **y)
{
    rtm_varset *v = calloc(1, sizeof *v);
    v->n = n;
    v->p = p;
    v->npat = npat;
    v->row_pat = malloc(n * sizeof *v->row_pat);
    v->pat = malloc(npat * (size_t)p);
    *y = malloc(n * sizeof **y);
    for (size_t k = 0; k < npat; k++)
        for (int j = 0; j < p; j++)
            v->pat[k * (size_t)p + (size_t)j] = k > 0 && urand() < 0.15;
    for (size_t i = 0; i < n; i++) {
        double u = urand();
        v->row_pat[i] = (uint32_t)(u < 0.7 ? 0 : (size_t)(u * u * u * (double)npat) % npat);
        (*y)[i] = urand() < 0.9 ? 0 : (double)(int)(1 + 6 * urand() * urand());
    }
    return v;
}

static void bytes_of(const rtm_ptable *t, unsigned char **b, size_t *len)
{
    rtm_error e;
    *b = NULL;
    *len = 0;
    RTM_CHECK(t && rtm_ptable_serialise(t, b, len, &e) == 0);
}

/* Tiles at random cuts, merged in order, against the untiled table. */
static void check_tiling(const rtm_varset *v, const double *y, int ntiles)
{
    rtm_error e;
    size_t cut[16], la, lb;
    unsigned char *a, *b;
    cut[0] = 0;
    cut[ntiles] = v->n;
    for (int t = 1; t < ntiles; t++)
        cut[t] = cut[t - 1] + (size_t)(urand() * (double)(v->n - cut[t - 1]) / 2);
    rtm_ptable *all = rtm_ptable_build(v, 0, v->n, y, &e);
    rtm_ptable *merged = rtm_ptable_build(v, cut[0], cut[1], y, &e);
    for (int t = 1; t < ntiles && merged; t++) {
        rtm_ptable *tile = rtm_ptable_build(v, cut[t], cut[t + 1], y, &e);
        RTM_CHECK(tile && rtm_ptable_merge(merged, tile, &e) == 0);
        rtm_ptable_free(tile);
    }
    bytes_of(all, &a, &la);
    bytes_of(merged, &b, &lb);
    RTM_CHECK(la == lb && la > 0 && !memcmp(a, b, la));
    /* the bytes read back give the same bytes */
    rtm_ptable *back = rtm_ptable_deserialise(a, la, &e);
    free(b);
    bytes_of(back, &b, &lb);
    RTM_CHECK(la == lb && !memcmp(a, b, la));
    RTM_CHECK(rtm_ptable_deserialise(a, la - 1, &e) == NULL && e.code == RTM_ERR_IO);
    free(a);
    free(b);
    rtm_ptable_free(back);
    rtm_ptable_free(merged);
    rtm_ptable_free(all);
}

/* Brute force: patterns in order of first appearance, cells, sums, y log y. */
static void check_tallies(const rtm_varset *v, const double *y)
{
    rtm_error e;
    rtm_ptable *t = rtm_ptable_build(v, 0, v->n, y, &e);
    size_t m = t ? rtm_ptable_count(t) : 0, bad = 0, k = 0;
    size_t *first = malloc(v->npat * sizeof *first);
    for (size_t r = 0; r < v->npat; r++)
        first[r] = SIZE_MAX;
    for (size_t i = 0; i < v->n; i++) /* the simulated rows are distinct */
        if (first[v->row_pat[i]] == SIZE_MAX)
            first[v->row_pat[i]] = k++;
    RTM_CHECK(t && m == k && rtm_ptable_ncells(t) == v->n);
    for (size_t r = 0; t && r < v->npat; r++) {
        size_t q = first[r];
        uint64_t c = 0, s = 0;
        double yl = 0;
        if (q == SIZE_MAX)
            continue;
        for (int j = 0; j < v->p; j++)
            bad += rtm_ptable_bit(t, q, j) != v->pat[r * (size_t)v->p + (size_t)j];
        for (size_t i = 0; i < v->n; i++)
            if (v->row_pat[i] == r) {
                c++;
                s += (uint64_t)y[i];
                yl += y[i] > 0 ? y[i] * log(y[i]) : 0;
            }
        bad += rtm_ptable_cells(t, q) != c || rtm_ptable_sumy(t, q) != s;
        bad += !(fabs(rtm_ptable_ylogy(t, q) - yl) <= 1e-12 * (1 + yl));
    }
    RTM_CHECK(bad == 0);
    free(first);
    rtm_ptable_free(t);
}

static void test_tiles_compact(void)
{
    double *y;
    rtm_varset *v = sim(20000, 70, 600, &y);
    check_tallies(v, y);
    for (int nt = 1; nt <= 9; nt += 4)
        check_tiling(v, y, nt);
    /* negative control: the same tiles merged out of order differ */
    rtm_error e;
    unsigned char *a, *b;
    size_t la, lb;
    rtm_ptable *all = rtm_ptable_build(v, 0, v->n, y, &e);
    rtm_ptable *second = rtm_ptable_build(v, v->n / 2, v->n, y, &e);
    rtm_ptable *first = rtm_ptable_build(v, 0, v->n / 2, y, &e);
    RTM_CHECK(rtm_ptable_merge(second, first, &e) == 0);
    bytes_of(all, &a, &la);
    bytes_of(second, &b, &lb);
    RTM_CHECK(la == lb && memcmp(a, b, la) != 0);
    free(a);
    free(b);
    rtm_ptable_free(all);
    rtm_ptable_free(first);
    rtm_ptable_free(second);
    free(y);
    rtm_varset_free(v);
}

/* The written-out form gives the same table as the compact one. */
static void test_tiles_written_out(void)
{
    double *y;
    rtm_error e;
    rtm_varset *v = sim(3000, 40, 150, &y), w = *v;
    unsigned char *a, *b;
    size_t la, lb;
    w.x = malloc(v->n * (size_t)v->p);
    for (size_t i = 0; i < v->n; i++)
        for (int j = 0; j < v->p; j++)
            w.x[i * (size_t)v->p + (size_t)j] = rtm_varset_value(v, i, j);
    rtm_ptable *ta = rtm_ptable_build(v, 0, v->n, y, &e), *tb = rtm_ptable_build(&w, 0, w.n, y, &e);
    bytes_of(ta, &a, &la);
    bytes_of(tb, &b, &lb);
    RTM_CHECK(la == lb && !memcmp(a, b, la));
    check_tiling(&w, y, 5);
    y[7] = 0.5;
    RTM_CHECK(rtm_ptable_build(v, 0, v->n, y, &e) == NULL && e.code == RTM_ERR_INPUT);
    free(a);
    free(b);
    free(w.x);
    rtm_ptable_free(ta);
    rtm_ptable_free(tb);
    free(y);
    rtm_varset_free(v);
}

int main(void)
{
    RTM_RUN(test_tiles_compact);
    RTM_RUN(test_tiles_written_out);
    return RTM_TEST_END();
}
