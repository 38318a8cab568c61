/* bootstrap.c: percentile bootstrap intervals of weighted means over
 * resampled events, and McNemar's exact test (rtm/evaluate_truth.h). */
#include "rtm/evaluate_truth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

/* splitmix64 (Steele, Lea & Flood 2014): expands a seed into a state. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman & Vigna 2018). */
static uint64_t rng_next(rng *g)
{
    uint64_t r = rotl(g->s[1] * 5, 7) * 9, t = g->s[1] << 17;
    g->s[2] ^= g->s[0];
    g->s[3] ^= g->s[1];
    g->s[1] ^= g->s[2];
    g->s[0] ^= g->s[3];
    g->s[2] ^= t;
    g->s[3] = rotl(g->s[3], 45);
    return r;
}

/* Stream of replicate r: the seed and r mixed through splitmix64. */
static void rng_seed(rng *g, uint64_t seed, uint64_t r)
{
    uint64_t x = seed ^ splitmix64(&r);
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&x);
}

/* Uniform integer in [0, n) by rejection (no modulo bias; Lemire 2019's
 * threshold form). */
static uint64_t rng_below(rng *g, uint64_t n)
{
    uint64_t lim = -n % n, x;
    do
        x = rng_next(g);
    while (x < lim);
    return x % n;
}

void rtm_boot_opts_init(rtm_boot_opts *o)
{
    o->replicates = 1000;
    o->seed = 1;
    o->level = 0.95;
    o->threads = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile type 7 (Hyndman & Fan 1996) of sorted x[n]. */
static double quantile7(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p, f = floor(h);
    size_t k = (size_t)f;
    return k + 1 < n ? x[k] + (h - f) * (x[k + 1] - x[k]) : x[n - 1];
}

/* One replicate: nev draws, every quantity's weighted mean into rep[nq]. */
static void replicate(const double *val, const double *w, size_t nev, size_t nq, uint64_t seed,
                      uint64_t r, double *acc, double *rep)
{
    rng g;
    double wsum = 0;
    rng_seed(&g, seed, r);
    memset(acc, 0, nq * sizeof *acc);
    for (size_t d = 0; d < nev; d++) {
        size_t i = (size_t)rng_below(&g, nev);
        double wi = w ? w[i] : 1.0;
        const double *v = val + i * nq;
        wsum += wi;
        for (size_t q = 0; q < nq; q++)
            acc[q] += wi * v[q];
    }
    for (size_t q = 0; q < nq; q++)
        rep[q] = wsum > 0 ? acc[q] / wsum : NAN;
}

static int boot_check(const double *w, size_t nev, size_t nq, const rtm_boot_opts *o,
                      rtm_error *err)
{
    double tot = 0;
    if (nev == 0 || nq == 0 || !o || o->replicates < 10 || !(o->level > 0 && o->level < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "bootstrap: need events, quantities, >= 10 "
                             "replicates and a level in (0, 1)");
    for (size_t i = 0; w && i < nev; i++) {
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return rtm_error_set(err, RTM_ERR_ARG, "bootstrap: event %zu has weight %g", i,
                                 w[i]);
        tot += w[i];
    }
    if (w && !(tot > 0))
        return rtm_error_set(err, RTM_ERR_ARG, "bootstrap: the events' weights sum to 0");
    return 0;
}

/* Interval, SD and share <= 0 of quantity q over the B replicates. */
static void summarise(double *reps, size_t B, size_t nq, size_t q, double level, double *col,
                      double *lo, double *hi, double *se, double *below)
{
    double mean = 0, ss = 0, le0 = 0;
    size_t n = 0;
    for (size_t r = 0; r < B; r++) {
        double v = reps[r * nq + q];
        if (isnan(v))
            continue;
        col[n++] = v;
        mean += v;
        le0 += v <= 0;
    }
    if (n == 0) {
        lo[q] = hi[q] = NAN;
        if (se)
            se[q] = NAN;
        if (below)
            below[q] = NAN;
        return;
    }
    mean /= (double)n;
    for (size_t k = 0; k < n; k++)
        ss += (col[k] - mean) * (col[k] - mean);
    qsort(col, n, sizeof *col, cmp_double);
    lo[q] = quantile7(col, n, (1 - level) / 2);
    hi[q] = quantile7(col, n, (1 + level) / 2);
    if (se)
        se[q] = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    if (below)
        below[q] = le0 / (double)n;
}

int rtm_boot_means(const double *val, const double *w, size_t nev, size_t nq,
                   const rtm_boot_opts *o, double *lo, double *hi, double *se, double *below,
                   rtm_error *err)
{
    size_t B;
    double *reps, *col, *acc;
    int rc, nt;
    if ((rc = boot_check(w, nev, nq, o, err)))
        return rc;
    B = (size_t)o->replicates;
    nt = o->threads > 0 ? o->threads : omp_get_max_threads();
    reps = malloc(B * nq * sizeof *reps);
    col = malloc(B * sizeof *col);
    acc = malloc((size_t)nt * nq * sizeof *acc);
    if (!reps || !col || !acc) {
        free(reps), free(col), free(acc);
        return rtm_error_set(err, RTM_ERR_NOMEM, "bootstrap: out of memory");
    }
    /* each replicate has its own stream: the result does not depend on nt */
#pragma omp parallel for schedule(static) num_threads(nt)
    for (size_t r = 0; r < B; r++)
        replicate(val, w, nev, nq, o->seed, r, acc + (size_t)omp_get_thread_num() * nq,
                  reps + r * nq);
    for (size_t q = 0; q < nq; q++)
        summarise(reps, B, nq, q, o->level, col, lo, hi, se, below);
    free(reps), free(col), free(acc);
    return 0;
}

/* log C(n, k) through lgamma (exact enough for p-values). */
static double log_choose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double rtm_mcnemar_exact(double b, double c)
{
    double nb = round(b), nc = round(c), n = nb + nc, m = nb < nc ? nb : nc, p = 0;
    if (!(n > 0))
        return 1;
    for (double k = 0; k <= m; k++) /* P(X <= min(b, c)), X ~ Binomial(n, 1/2) */
        p += exp(log_choose(n, k) - n * log(2.0));
    return 2 * p < 1 ? 2 * p : 1;
}
