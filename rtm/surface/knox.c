/* knox.c: the near-repeat Knox test (Knox 1964, "The detection of space-time
 * interactions", Appl. Statist. 13(1) 25-30) as Ratcliffe's Near Repeat
 * Calculator and Steenbeek's R NearRepeat (R/NearRepeat.R) compute it: pair
 * counts in distance x time bands, a null from permuting the event times
 * with the places fixed, Knox ratio = observed / mean permuted, and
 * p = (#permuted >= observed + 1) / (nrep + 1).
 *
 * Speed: the pairs closer than the last distance edge are found once (points
 * sorted by x, a sweep over the x window; the only pairs that can ever count)
 * and stored per first point with their distance band; each permutation
 * re-derives only the time bands of those pairs from the permuted days
 * through a table indexed by the day difference. Counts are integers and
 * each permutation has its own random stream (seed, iteration), so the
 * result does not depend on the thread count or schedule. */
#include "rtm/knox.h"
#include "surface/change_rng.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

void rtm_knox_opts_init(rtm_knox_opts *o)
{
    memset(o, 0, sizeof *o);
    o->iterations = 999;
    o->seed = 1;
}

void rtm_knox_result_free(rtm_knox_result *r)
{
    if (!r)
        return;
    free(r->d_from), free(r->d_to), free(r->t_from), free(r->t_to);
    free(r->observed), free(r->expected), free(r->median), free(r->sd);
    free(r->ratio), free(r->ratio_median), free(r->z), free(r->p), free(r->ge);
    memset(r, 0, sizeof *r);
}

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
int rtm_day_number(int ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rtm_knox_permutation(uint64_t seed, uint64_t iteration, size_t n, uint32_t *perm)
{
    rng g;
    rng_seed(&g, seed, iteration);
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    /* Fisher-Yates (Durstenfeld 1964): each of the n! orders equally likely */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(&g, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j], perm[j] = t;
    }
}

/* The pairs closer than the last edge, in CSR form by first point (index
 * into the x-sorted order). */
typedef struct pairs {
    size_t n, np;
    uint32_t *order;   /* sorted position -> event */
    size_t *start;     /* n + 1 */
    uint32_t *other;   /* np: second point (sorted position) */
    unsigned char *band;
} pairs;

static void pairs_free(pairs *p)
{
    free(p->order), free(p->start), free(p->other), free(p->band);
}

typedef struct { double x; uint32_t i; } keyed;

static int cmp_x(const void *a, const void *b)
{
    const keyed *u = a, *v = b;
    if (u->x != v->x)
        return u->x < v->x ? -1 : 1;
    return u->i < v->i ? -1 : u->i > v->i;
}

/* Distance band of distance dist over the edges e (nd bands), or -1. */
static int band_of(const double *e, int nd, double dist)
{
    if (!(dist >= e[0]) || !(dist < e[nd]))
        return -1;
    int b = 0;
    while (b + 1 < nd && dist >= e[b + 1])
        b++;
    return b;
}

/* One pass of the sweep: counts pairs (other == NULL) or stores them. */
static size_t sweep(const double *x, const double *y, const double *e, int nd, int manhattan,
                    pairs *p)
{
    size_t k = 0, n = p->n;
    double maxd = e[nd];
    for (size_t a = 0; a < n; a++) {
        uint32_t i = p->order[a];
        if (p->other)
            p->start[a] = k;
        for (size_t b = a + 1; b < n; b++) {
            uint32_t j = p->order[b];
            double dx = x[j] - x[i], dy = fabs(y[j] - y[i]);
            if (!(dx < maxd))
                break;
            if (!(dy < maxd))
                continue;
            double dist = manhattan ? dx + dy : hypot(dx, dy);
            int band = band_of(e, nd, dist);
            if (band < 0)
                continue;
            if (p->other)
                p->other[k] = (uint32_t)b, p->band[k] = (unsigned char)band;
            k++;
        }
    }
    if (p->other)
        p->start[n] = k;
    return k;
}

static int find_pairs(const double *x, const double *y, size_t n, const double *e, int nd,
                      int manhattan, pairs *p, rtm_error *err)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->order = malloc(n * sizeof *p->order);
    p->start = malloc((n + 1) * sizeof *p->start);
    if (!p->order || !p->start)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    keyed *k = malloc(n * sizeof *k);
    if (!k)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    for (size_t i = 0; i < n; i++)
        k[i].x = x[i], k[i].i = (uint32_t)i;
    qsort(k, n, sizeof *k, cmp_x);
    for (size_t i = 0; i < n; i++)
        p->order[i] = k[i].i;
    free(k);
    p->np = sweep(x, y, e, nd, manhattan, p);
    p->other = malloc((p->np ? p->np : 1) * sizeof *p->other);
    p->band = malloc(p->np ? p->np : 1);
    if (!p->other || !p->band)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory for %zu pairs", p->np);
    sweep(x, y, e, nd, manhattan, p);
    return 0;
}

/* Pair counts for days t (by sorted position) into cnt (nd * nt, zeroed). */
static void count(const pairs *p, const int *t, const signed char *lut, int tmax, int nt,
                  int64_t *cnt)
{
    for (size_t a = 0; a < p->n; a++) {
        int ta = t[a];
        for (size_t k = p->start[a]; k < p->start[a + 1]; k++) {
            int dt = abs(ta - t[p->other[k]]);
            if (dt < tmax && lut[dt] >= 0)
                cnt[p->band[k] * nt + lut[dt]]++;
        }
    }
}

static int check_opts(const rtm_knox_opts *o, size_t n, rtm_error *err)
{
    if (!o->ds || !o->ts || o->nds < 2 || o->nts < 2)
        return rtm_error_set(err, RTM_ERR_ARG, "knox: give at least two distance edges and "
                             "two time edges");
    if (o->nds > 100 || o->nts > 100)
        return rtm_error_set(err, RTM_ERR_ARG, "knox: at most 100 edges per band list");
    for (int i = 0; i < o->nds; i++)
        if (!isfinite(o->ds[i]) || o->ds[i] < 0 || (i && !(o->ds[i] > o->ds[i - 1])))
            return rtm_error_set(err, RTM_ERR_ARG, "knox: distance edges must be finite, >= 0 "
                                 "and increasing (edge %d is %g)", i + 1, o->ds[i]);
    for (int i = 0; i < o->nts; i++)
        if (o->ts[i] < 0 || o->ts[i] > 36600 || (i && o->ts[i] <= o->ts[i - 1]))
            return rtm_error_set(err, RTM_ERR_ARG, "knox: time edges must be whole days in "
                                 "0..36600, increasing (edge %d is %d)", i + 1, o->ts[i]);
    if (o->same_location > 0 && !(o->same_location < o->ds[1] && o->ds[0] == 0))
        return rtm_error_set(err, RTM_ERR_ARG, "knox: the same-location band needs distance "
                             "edges starting at 0 and a tolerance (%g) below the second edge",
                             o->same_location);
    if (o->iterations < 0 || o->iterations > 1000000)
        return rtm_error_set(err, RTM_ERR_ARG, "knox: iterations must be 0..1000000");
    if (n < 2 || n > 0x7fffffffu)
        return rtm_error_set(err, RTM_ERR_INPUT, "knox: %zu events (need 2 .. 2^31)", n);
    return 0;
}

static int alloc_result(rtm_knox_result *r, int nd, int nt, rtm_error *err)
{
    size_t c = (size_t)nd * nt;
    memset(r, 0, sizeof *r);
    r->nd = nd, r->nt = nt;
    r->d_from = calloc(nd, sizeof(double)), r->d_to = calloc(nd, sizeof(double));
    r->t_from = calloc(nt, sizeof(int)), r->t_to = calloc(nt, sizeof(int));
    r->observed = calloc(c, sizeof(int64_t)), r->ge = calloc(c, sizeof(int64_t));
    r->expected = calloc(c, sizeof(double)), r->median = calloc(c, sizeof(double));
    r->sd = calloc(c, sizeof(double)), r->ratio = calloc(c, sizeof(double));
    r->ratio_median = calloc(c, sizeof(double)), r->z = calloc(c, sizeof(double));
    r->p = calloc(c, sizeof(double));
    if (!r->d_from || !r->d_to || !r->t_from || !r->t_to || !r->observed || !r->ge ||
        !r->expected || !r->median || !r->sd || !r->ratio || !r->ratio_median || !r->z || !r->p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    return 0;
}

/* Edges with the same-location band put first. */
static int make_edges(const rtm_knox_opts *o, rtm_knox_result *r, double *e, rtm_error *err)
{
    int nd = o->nds - 1 + (o->same_location > 0), k = 0;
    int rc = alloc_result(r, nd, o->nts - 1, err);
    if (rc)
        return rc;
    e[k++] = o->ds[0];
    if (o->same_location > 0)
        e[k++] = o->same_location;
    for (int i = 1; i < o->nds; i++)
        e[k++] = o->ds[i];
    for (int d = 0; d < nd; d++)
        r->d_from[d] = e[d], r->d_to[d] = e[d + 1];
    for (int t = 0; t < r->nt; t++)
        r->t_from[t] = o->ts[t], r->t_to[t] = o->ts[t + 1];
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    return u < v ? -1 : u > v;
}

/* Mean, median, SD, ratios, z and p of every cell from the permuted counts
 * sims[it * cells + c], in iteration order (the same for any thread count). */
static int summarise(rtm_knox_result *r, const int64_t *sims, int iters, rtm_error *err)
{
    size_t cells = (size_t)r->nd * r->nt;
    int64_t *col = malloc((iters ? iters : 1) * sizeof *col);
    if (!col)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    for (size_t c = 0; c < cells; c++) {
        int64_t sum = 0, ge = 0;
        double ss = 0;
        for (int it = 0; it < iters; it++) {
            col[it] = sims[(size_t)it * cells + c];
            sum += col[it];
            ge += col[it] >= r->observed[c];
        }
        double mean = iters ? (double)sum / iters : NAN;
        for (int it = 0; it < iters; it++)
            ss += (col[it] - mean) * (col[it] - mean);
        qsort(col, iters, sizeof *col, cmp_i64);
        r->expected[c] = mean;
        r->median[c] = !iters ? NAN : iters % 2 ? (double)col[iters / 2]
                                  : 0.5 * ((double)col[iters / 2 - 1] + (double)col[iters / 2]);
        r->sd[c] = iters > 1 ? sqrt(ss / (iters - 1)) : NAN;
        r->ratio[c] = mean > 0 ? (double)r->observed[c] / mean : NAN;
        r->ratio_median[c] = r->median[c] > 0 ? (double)r->observed[c] / r->median[c] : NAN;
        r->z[c] = r->sd[c] > 0 ? ((double)r->observed[c] - mean) / r->sd[c] : NAN;
        r->ge[c] = ge;
        /* NearRepeat (tidy_near_repeat) sets p to NA where the ratio is NaN */
        r->p[c] = iters && !isnan(r->ratio[c]) ? (double)(ge + 1) / (iters + 1) : NAN;
    }
    free(col);
    return 0;
}

/* Every permutation's counts into sims (parallel over iterations). */
static int permute_all(const pairs *pr, const int *day, const signed char *lut, int tmax,
                       int nt, const rtm_knox_opts *o, size_t cells, int64_t *sims,
                       rtm_error *err)
{
    size_t n = pr->n;
    int fail = 0;
    int nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads) reduction(| : fail)
    {
        uint32_t *perm = malloc(n * sizeof *perm);
        int *t = malloc(n * sizeof *t);
        if (!perm || !t)
            fail = 1;
#pragma omp for schedule(dynamic, 4)
        for (int it = 0; it < o->iterations; it++) {
            if (!perm || !t)
                continue;
            rtm_knox_permutation(o->seed, (uint64_t)it, n, perm);
            /* event i gets the day of event perm[i] */
            for (size_t a = 0; a < n; a++)
                t[a] = day[perm[pr->order[a]]];
            count(pr, t, lut, tmax, nt, sims + (size_t)it * cells);
        }
        free(perm), free(t);
    }
    return fail ? rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory") : 0;
}

/* Time band of each day difference below the last edge (-1: none). */
static signed char *time_lut(const rtm_knox_opts *o, int *tmax)
{
    *tmax = o->ts[o->nts - 1];
    signed char *lut = malloc(*tmax ? (size_t)*tmax : 1);
    if (!lut)
        return NULL;
    for (int dt = 0; dt < *tmax; dt++) {
        int b = -1;
        for (int t = 0; t + 1 < o->nts; t++)
            if (dt >= o->ts[t] && dt < o->ts[t + 1])
                b = t;
        lut[dt] = (signed char)b;
    }
    return lut;
}

int rtm_knox(const double *x, const double *y, const int *day, size_t n,
             const rtm_knox_opts *o, rtm_knox_result *r, rtm_error *err)
{
    double e[202];
    pairs pr = {0};
    int tmax = 0, rc;
    memset(r, 0, sizeof *r);
    if ((rc = check_opts(o, n, err)) || (rc = make_edges(o, r, e, err)))
        return rc;
    size_t cells = (size_t)r->nd * r->nt;
    int *ts = malloc(n * sizeof *ts);
    signed char *lut = time_lut(o, &tmax);
    int64_t *sims = calloc(o->iterations ? (size_t)o->iterations * cells : 1, sizeof *sims);
    if (!ts || !lut || !sims)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    if (!rc)
        rc = find_pairs(x, y, n, e, r->nd, o->manhattan, &pr, err);
    if (!rc) {
        for (size_t a = 0; a < n; a++)
            ts[a] = day[pr.order[a]];
        count(&pr, ts, lut, tmax, r->nt, r->observed);
        r->npairs = pr.np;
        r->iterations = o->iterations;
        r->seed = o->seed;
        rc = permute_all(&pr, day, lut, tmax, r->nt, o, cells, sims, err);
    }
    if (!rc)
        rc = summarise(r, sims, o->iterations, err);
    free(ts), free(lut), free(sims);
    pairs_free(&pr);
    if (rc)
        rtm_knox_result_free(r);
    return rc;
}
