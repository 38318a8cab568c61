/* evaluate.c: hit-rate curve, PAI, PEI, AUC, RRI of a surface against later
 * events (see rtm/evaluate.h for the definitions and the tie rule). */
#include "rtm/evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double rtm_eval_default_coverages[RTM_EVAL_NDEFAULT] = {0.01, 0.02, 0.05, 0.10, 0.20};

/* ---- ranking: LSD radix sort on order-preserving 64-bit keys ---------------- */

/* Key whose unsigned ascending order is the descending order of v; NaN maps
 * to UINT64_MAX (last); -0 is folded onto +0. The IEEE-754 trick: flip every
 * bit of negatives, only the sign bit of positives, for an ascending key. */
static uint64_t key_desc(double v)
{
    uint64_t u;
    if (isnan(v))
        return UINT64_MAX;
    if (v == 0.0)
        v = 0.0;
    memcpy(&u, &v, sizeof u);
    u = (u >> 63) ? ~u : (u | UINT64_C(0x8000000000000000));
    return ~u;
}

/* Inverse of key_desc (NaN for the NaN key). */
static double key_value(uint64_t key)
{
    uint64_t u;
    double v;
    if (key == UINT64_MAX)
        return NAN;
    u = ~key;
    u = (u >> 63) ? (u & ~UINT64_C(0x8000000000000000)) : ~u;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Ranking sorts (key, cell index) pairs stably by key: a most-significant-
 * digit pass on the top 16 bits splits the data into buckets, then each
 * bucket is sorted on the low 48 bits by an LSD radix sort with 8-bit digits
 * (insertion sort for tiny buckets). Buckets are usually small enough to
 * stay in cache, which is what makes this faster than a plain LSD sort on
 * millions of keys. A stable sort's output is unique, so no tie can depend
 * on the algorithm. idx may be NULL (keys only). */
#define MSD_BITS 16
#define MSD_SIZE ((size_t)1 << MSD_BITS)
#define LSD_BYTES 8
#define SMALL_SORT 32

static void insertion_sort(uint64_t *key, uint32_t *idx, size_t m)
{
    for (size_t t = 1; t < m; t++) {
        uint64_t k = key[t];
        uint32_t x = idx ? idx[t] : 0;
        size_t u = t;
        while (u > 0 && key[u - 1] > k) {
            key[u] = key[u - 1];
            if (idx)
                idx[u] = idx[u - 1];
            u--;
        }
        key[u] = k;
        if (idx)
            idx[u] = x;
    }
}

/* Stable LSD sort on the low `bytes` bytes, scratch kt/it of m entries;
 * bytes whose digit is the same for every key are skipped. The result ends
 * in key/idx. */
static void lsd_sort(uint64_t *key, uint32_t *idx, uint64_t *kt, uint32_t *it, size_t m,
                     int bytes)
{
    size_t hist[LSD_BYTES][256];
    uint64_t *ks = key, *kd = kt;
    uint32_t *is = idx, *id = it;
    if (m < 2)
        return;
    memset(hist, 0, sizeof hist);
    for (size_t t = 0; t < m; t++)
        for (int p = 0; p < bytes; p++)
            hist[p][(key[t] >> (8 * p)) & 255]++;
    for (int p = 0; p < bytes; p++) {
        size_t sum = 0, *h = hist[p];
        if (h[(ks[0] >> (8 * p)) & 255] == m)
            continue; /* one digit value only: the pass would not move anything */
        for (int d = 0; d < 256; d++) {
            size_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t t = 0; t < m; t++) {
            size_t pos = h[(ks[t] >> (8 * p)) & 255]++;
            kd[pos] = ks[t];
            if (idx)
                id[pos] = is[t];
        }
        { uint64_t *tk = ks; ks = kd; kd = tk; }
        { uint32_t *ti = is; is = id; id = ti; }
    }
    if (ks != key) {
        memcpy(key, ks, m * sizeof *key);
        if (idx)
            memcpy(idx, is, m * sizeof *idx);
    }
}

/* Scatter by the top MSD_BITS into kd/id (stable); start[b] = first slot of
 * bucket b, start[MSD_SIZE] = m. */
static void msd_scatter(const uint64_t *key, const uint32_t *idx, size_t m, uint64_t *kd,
                        uint32_t *id, size_t *start)
{
    size_t *pos = start + 1, sum = 0;
    memset(start, 0, (MSD_SIZE + 1) * sizeof *start);
    for (size_t t = 0; t < m; t++)
        pos[key[t] >> (64 - MSD_BITS)]++;
    for (size_t b = 0; b < MSD_SIZE; b++) {
        size_t c = pos[b];
        start[b] = sum;
        sum += c;
    }
    start[MSD_SIZE] = m;
    for (size_t t = 0; t < m; t++) {
        size_t b = key[t] >> (64 - MSD_BITS), p = start[b]++;
        kd[p] = key[t];
        if (idx)
            id[p] = idx[t];
    }
    /* start[b] now holds the end of bucket b = start of bucket b + 1 */
    for (size_t b = MSD_SIZE; b > 0; b--)
        start[b] = start[b - 1];
    start[0] = 0;
}

static int radix_sort(uint64_t *key, uint32_t *idx, size_t m)
{
    uint64_t *k2 = malloc((m ? m : 1) * sizeof *k2);
    uint32_t *i2 = idx ? malloc((m ? m : 1) * sizeof *i2) : NULL;
    size_t *start = malloc((MSD_SIZE + 1) * sizeof *start);
    if (!k2 || (idx && !i2) || !start) {
        free(k2), free(i2), free(start);
        return -1;
    }
    msd_scatter(key, idx, m, k2, i2, start);
    for (size_t b = 0; b < MSD_SIZE; b++) {
        size_t s0 = start[b], n = start[b + 1] - s0;
        if (n <= SMALL_SORT)
            insertion_sort(k2 + s0, idx ? i2 + s0 : NULL, n);
        else
            lsd_sort(k2 + s0, idx ? i2 + s0 : NULL, key + s0, idx ? idx + s0 : NULL, n,
                     LSD_BYTES - MSD_BITS / 8);
    }
    memcpy(key, k2, m * sizeof *key);
    if (idx)
        memcpy(idx, i2, m * sizeof *idx);
    free(k2), free(i2), free(start);
    return 0;
}

/* Keys of the inside cells, in index order; returns the count. */
static size_t fill_keys(const double *v, const unsigned char *mask, size_t ncells,
                        uint64_t *key, uint32_t *idx)
{
    size_t m = 0;
    for (size_t k = 0; k < ncells; k++) {
        if (mask && !mask[k])
            continue;
        if (idx)
            idx[m] = (uint32_t)k;
        key[m++] = key_desc(v[k]);
    }
    return m;
}

/* Sorted keys and order of the inside cells (caller frees *keyp). */
static int rank_keys(const double *v, const unsigned char *mask, size_t ncells,
                     uint32_t *order, uint64_t **keyp, size_t *norder, rtm_error *err)
{
    uint64_t *key;
    size_t m;
    if (ncells > UINT32_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: too many cells (%zu > %u)", ncells,
                             (unsigned)UINT32_MAX);
    key = malloc((ncells ? ncells : 1) * sizeof *key);
    if (!key)
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (%zu cells)", ncells);
    m = fill_keys(v, mask, ncells, key, order);
    if (radix_sort(key, order, m) != 0) {
        free(key);
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (%zu cells)", ncells);
    }
    *keyp = key;
    *norder = m;
    return 0;
}

int rtm_rank_desc(const double *v, const unsigned char *mask, size_t ncells,
                  uint32_t *order, size_t *norder, rtm_error *err)
{
    uint64_t *key = NULL;
    int rc;
    if (!v || !order || !norder)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: NULL argument to rtm_rank_desc");
    rc = rank_keys(v, mask, ncells, order, &key, norder, err);
    free(key);
    return rc;
}

/* ---- curve construction ------------------------------------------------------ */

/* Check that inside counts are finite and >= 0; sum them in index order. */
static int check_counts(const double *c, const unsigned char *mask, size_t ncells,
                        const char *what, double *total, rtm_error *err)
{
    double s = 0;
    for (size_t k = 0; k < ncells; k++) {
        if (mask && !mask[k])
            continue;
        if (!isfinite(c[k]) || c[k] < 0)
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "evaluate: %s count at cell %zu is negative or not finite (%g)",
                                 what, k, c[k]);
        s += c[k];
    }
    *total = s;
    return 0;
}

/* Number of tie blocks in sorted keys. */
static size_t count_blocks(const uint64_t *key, size_t m)
{
    size_t nb = m ? 1 : 0;
    for (size_t t = 1; t < m; t++)
        nb += key[t] != key[t - 1];
    return nb;
}

static double *alloc_d(size_t n)
{
    return malloc((n ? n : 1) * sizeof(double));
}

/* Walk the ranked cells block by block and write cumulative sums at every
 * block boundary: cells, events (counts), and optionally training counts,
 * predicted mass (block value x block cells; NaN adds 0) and the block value
 * (threshold), both decoded from the sort key. The sums run in rank order,
 * so the result is deterministic. */
static void accumulate(const uint64_t *key, const uint32_t *order, size_t m,
                       const double *counts, const double *train, double *cells,
                       double *events, double *tsum, double *psum, double *thr)
{
    size_t pt = 0, start = 0;
    double se = 0, st = 0, sp = 0;
    cells[0] = events[0] = 0;
    if (tsum)
        tsum[0] = 0;
    if (psum)
        psum[0] = 0;
    if (thr)
        thr[0] = INFINITY;
    for (size_t t = 0; t < m; t++) {
        uint32_t k = order[t];
        if (t + 16 < m) /* the gather is random access: fetch ahead */
            __builtin_prefetch(&counts[order[t + 16]]);
        se += counts[k];
        if (train)
            st += train[k];
        if (t + 1 == m || key[t + 1] != key[t]) {
            double v = key_value(key[t]);
            pt++;
            cells[pt] = (double)(t + 1);
            events[pt] = se;
            if (tsum)
                tsum[pt] = st;
            if (psum) {
                if (!isnan(v))
                    sp += v * (double)(t + 1 - start);
                psum[pt] = sp;
            }
            if (thr)
                thr[pt] = v;
            start = t + 1;
        }
    }
}

static void curve_init_empty(rtm_eval_curve_t *c)
{
    memset(c, 0, sizeof *c);
}

void rtm_eval_curve_free(rtm_eval_curve_t *c)
{
    if (!c)
        return;
    free(c->cells), free(c->events), free(c->train), free(c->pred), free(c->threshold);
    free(c->best_cells), free(c->best_events);
    free(c);
}

/* The curve of the surface itself (cells, events, train, pred, threshold). */
static int build_pred_curve(rtm_eval_curve_t *c, const double *counts,
                            const double *train, const uint64_t *key, const uint32_t *order,
                            size_t m)
{
    size_t np = count_blocks(key, m) + 1;
    c->npts = np;
    c->cells = alloc_d(np), c->events = alloc_d(np), c->pred = alloc_d(np);
    c->threshold = alloc_d(np);
    c->train = train ? alloc_d(np) : NULL;
    if (!c->cells || !c->events || !c->pred || !c->threshold || (train && !c->train))
        return -1;
    accumulate(key, order, m, counts, train, c->cells, c->events, c->train, c->pred,
               c->threshold);
    return 0;
}

/* The best possible curve: cells ranked by the test counts themselves. Only
 * the multiset of counts matters, so the keys are sorted without indices and
 * the counts are decoded from them (no gather). */
static int build_best_curve(rtm_eval_curve_t *c, const double *counts,
                            const unsigned char *mask, size_t ncells)
{
    uint64_t *key = malloc((ncells ? ncells : 1) * sizeof *key);
    size_t m, np, pt = 0;
    double s = 0;
    if (!key)
        return -1;
    m = fill_keys(counts, mask, ncells, key, NULL);
    if (radix_sort(key, NULL, m) != 0) {
        free(key);
        return -1;
    }
    np = count_blocks(key, m) + 1;
    c->best_npts = np;
    c->best_cells = alloc_d(np), c->best_events = alloc_d(np);
    if (!c->best_cells || !c->best_events) {
        free(key);
        return -1;
    }
    c->best_cells[0] = c->best_events[0] = 0;
    for (size_t t = 0; t < m; t++) {
        s += key_value(key[t]);
        if (t + 1 == m || key[t + 1] != key[t]) {
            pt++;
            c->best_cells[pt] = (double)(t + 1);
            c->best_events[pt] = s;
        }
    }
    free(key);
    return 0;
}

static int curve_totals(rtm_eval_curve_t *c, const double *pred, const double *counts,
                        const double *train, const unsigned char *mask, size_t ncells,
                        rtm_error *err)
{
    size_t a = 0;
    double sp = 0;
    if (check_counts(counts, mask, ncells, "test", &c->total, err) != 0)
        return -1;
    if (train && check_counts(train, mask, ncells, "training", &c->total_train, err) != 0)
        return -1;
    for (size_t k = 0; k < ncells; k++) {
        if (mask && !mask[k])
            continue;
        a++;
        if (!isnan(pred[k]))
            sp += pred[k];
    }
    c->area = (double)a;
    c->total_pred = sp;
    c->flags = (c->total == 0 ? RTM_EVAL_NO_EVENTS : 0) | (a == 0 ? RTM_EVAL_EMPTY_AREA : 0) |
               (!train || c->total_train == 0 ? RTM_EVAL_NO_TRAIN : 0);
    return 0;
}

/* The surface's own curve: rank the cells by prediction, then accumulate. */
static int pred_curve(rtm_eval_curve_t *c, const double *pred, const double *counts,
                      const double *train, const unsigned char *mask, size_t ncells)
{
    uint32_t *order = malloc((ncells ? ncells : 1) * sizeof *order);
    uint64_t *key = malloc((ncells ? ncells : 1) * sizeof *key);
    size_t m;
    int rc = -1;
    if (order && key) {
        m = fill_keys(pred, mask, ncells, key, order);
        if (radix_sort(key, order, m) == 0)
            rc = build_pred_curve(c, counts, train, key, order, m);
    }
    free(order), free(key);
    return rc;
}

int rtm_eval_curve_ex(const double *pred, const double *counts, const double *train,
                      const unsigned char *mask, size_t ncells, rtm_eval_curve_t **out,
                      rtm_error *err)
{
    rtm_eval_curve_t *c = NULL;
    int rc1 = 0, rc2 = 0;

    if (!pred || !counts || !out)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: NULL surface, counts or output");
    if (ncells > UINT32_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: too many cells (%zu > %u)", ncells,
                             (unsigned)UINT32_MAX);
    c = malloc(sizeof *c);
    if (!c)
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
    curve_init_empty(c);
    if (curve_totals(c, pred, counts, train, mask, ncells, err) != 0) {
        rtm_eval_curve_free(c);
        return err ? err->code : RTM_ERR_INPUT;
    }
    /* The two curves are independent: build them side by side (each is
     * computed serially, so the result does not depend on threads). */
#pragma omp parallel sections num_threads(2)
    {
#pragma omp section
        rc1 = pred_curve(c, pred, counts, train, mask, ncells);
#pragma omp section
        rc2 = build_best_curve(c, counts, mask, ncells);
    }
    if (rc1 || rc2) {
        rtm_eval_curve_free(c);
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (%zu cells)", ncells);
    }
    /* Totals from the curve's own (rank-order) sums, so that the hit rate is
     * exactly 1 at full coverage whatever the rounding of fractional counts. */
    c->total = c->events[c->npts - 1];
    c->total_pred = c->pred[c->npts - 1];
    if (c->train)
        c->total_train = c->train[c->npts - 1];
    *out = c;
    return 0;
}

int rtm_eval_curve(const double *pred, const double *counts, const unsigned char *mask,
                   size_t ncells, rtm_eval_curve_t **out, rtm_error *err)
{
    return rtm_eval_curve_ex(pred, counts, NULL, mask, ncells, out, err);
}

/* ---- metrics ------------------------------------------------------------------ */

/* Segment k with x[k] <= a < x[k+1] (binary search; x strictly increasing). */
static size_t segment(const double *x, size_t npts, double a)
{
    size_t lo = 0, hi = npts - 1; /* invariant: x[lo] <= a < x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= a)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Smallest j >= 1 with x[j] >= a: the block (j-1, j] holding the a-th cell
 * (a > 0, npts >= 2). */
static size_t last_block(const double *x, size_t npts, double a)
{
    size_t lo = 0, hi = npts - 1; /* invariant: x[lo] < a <= x[hi] */
    if (a >= x[hi])
        return hi;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < a)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* Pro-rata rule: the tie block between points k and k+1 is credited in
 * proportion to the fraction of its cells that are flagged. */
double rtm_eval_interp(const double *x, const double *y, size_t npts, double a)
{
    size_t k;
    if (npts == 0)
        return NAN;
    if (a <= x[0])
        return y[0];
    if (a >= x[npts - 1])
        return y[npts - 1];
    k = segment(x, npts, a);
    return y[k] + (y[k + 1] - y[k]) * ((a - x[k]) / (x[k + 1] - x[k]));
}

static double ratio(double num, double den)
{
    return den == 0 || isnan(den) || isnan(num) ? NAN : num / den;
}

int rtm_eval_at(const rtm_eval_curve_t *c, double coverage, rtm_eval_metrics *m,
                rtm_error *err)
{
    double a, n, nstar, n1, p;
    if (!c || !m)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: NULL curve or output");
    if (!(coverage > 0 && coverage <= 1))
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: coverage must be in (0, 1] (got %g)",
                             coverage);
    a = coverage * c->area;
    m->coverage = coverage;
    m->cells = a;
    m->flags = c->flags;
    if (c->flags & RTM_EVAL_EMPTY_AREA) {
        m->events = m->hit_rate = m->pai = m->best_events = m->pei = NAN;
        m->rri = m->pred_obs = m->threshold = NAN;
        return 0;
    }
    n = rtm_eval_interp(c->cells, c->events, c->npts, a);
    nstar = rtm_eval_interp(c->best_cells, c->best_events, c->best_npts, a);
    m->events = n;
    m->best_events = nstar;
    m->hit_rate = ratio(n, c->total);
    m->pai = m->hit_rate / coverage; /* (n/N)/(a/A) with a/A = coverage */
    m->pei = ratio(n, nstar);
    n1 = c->train ? rtm_eval_interp(c->cells, c->train, c->npts, a) : NAN;
    /* Levine (2008): RRI = (n2/N2) / (n1/N1) */
    m->rri = (c->flags & RTM_EVAL_NO_TRAIN) ? NAN : ratio(m->hit_rate, ratio(n1, c->total_train));
    p = rtm_eval_interp(c->cells, c->pred, c->npts, a);
    m->pred_obs = ratio(p, n);
    m->threshold = c->npts > 1 ? c->threshold[last_block(c->cells, c->npts, a)] : NAN;
    return 0;
}

int rtm_eval_at_many(const rtm_eval_curve_t *c, const double *coverages, size_t n,
                     rtm_eval_metrics *out, rtm_error *err)
{
    for (size_t k = 0; k < n; k++) {
        int rc = rtm_eval_at(c, coverages[k], &out[k], err);
        if (rc)
            return rc;
    }
    return 0;
}

int rtm_eval_sample(const rtm_eval_curve_t *c, size_t nsamples, rtm_eval_metrics *out,
                    rtm_error *err)
{
    if (nsamples == 0)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: number of samples must be > 0");
    for (size_t k = 0; k < nsamples; k++) {
        double cov = k + 1 == nsamples ? 1.0 : (double)(k + 1) / (double)nsamples;
        int rc = rtm_eval_at(c, cov, &out[k], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Trapezoid rule on the exact piecewise-linear curve (exact for it):
 * AUC = sum_k (x[k+1]-x[k])/A * (y[k]+y[k+1])/(2N). */
double rtm_eval_auc(const rtm_eval_curve_t *c)
{
    double s = 0;
    if (!c || c->area == 0 || c->total == 0)
        return NAN;
    for (size_t k = 0; k + 1 < c->npts; k++)
        s += (c->cells[k + 1] - c->cells[k]) * (c->events[k] + c->events[k + 1]);
    return s / (2.0 * c->area * c->total);
}
