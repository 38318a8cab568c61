/* trial_design.c: randomised assignment of patrol places to treatment and
 * control (rtm/trial.h): daily balanced or independent draws (Southend,
 * Basford et al. 2021), fixed places drawn within harm blocks
 * (Peterborough, Ariel, Weinborn & Sherman 2016), and the re-draws of an
 * observed schedule by its own rule for the permutation test. */
#include "rtm/trial.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/trial_rng.h"

#define MAX_BLOCK 20

/* splitmix64 (Steele, Lea & Flood 2014; Vigna's reference code) seeds the
 * xoshiro256** state (Blackman & Vigna 2018, "Scrambled linear pseudorandom
 * number generators", reference code at prng.di.unimi.it). */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rtm_trial_rng_seed(rtm_trial_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t rtm_trial_rng_derive(uint64_t seed, uint64_t k)
{
    uint64_t x = seed ^ (k * 0xd6e8feb86659fd93ULL);
    return splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rtm_trial_rng_next(rtm_trial_rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) by rejection (no modulo bias; Lemire's threshold). */
uint64_t rtm_trial_rng_below(rtm_trial_rng *r, uint64_t n)
{
    uint64_t lim = -n % n, x;
    int guard = 0;
    do
        x = rtm_trial_rng_next(r);
    while (x < lim && ++guard < 1000);
    return x % n;
}

/* Uniform in [0, 1) with 53 random bits. */
double rtm_trial_rng_unif(rtm_trial_rng *r)
{
    return (double)(rtm_trial_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P) on idx[0..n-1]. */
static void shuffle(rtm_trial_rng *r, int *idx, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rtm_trial_rng_below(r, (uint64_t)i + 1), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static int cmp_harm(const double *h, const double *e, int a, int b)
{
    double ha = h && !isnan(h[a]) ? h[a] : -INFINITY, hb = h && !isnan(h[b]) ? h[b] : -INFINITY;
    double ea = e && !isnan(e[a]) ? e[a] : -INFINITY, eb = e && !isnan(e[b]) ? e[b] : -INFINITY;
    if (ha != hb)
        return ha > hb ? -1 : 1;
    if (ea != eb)
        return ea > eb ? -1 : 1;
    return a < b ? -1 : a > b;
}

int rtm_trial_blocks(const double *harm, const double *events, int n, double share,
                     int *block, int *block_size, rtm_error *err)
{
    int m = 0, *ord;
    for (int k = 2; k <= MAX_BLOCK && !m; k++) {
        double t = k * share;
        if (fabs(t - round(t)) < 1e-9 && round(t) >= 1 && round(t) < k)
            m = k;
    }
    if (!m)
        return rtm_error_set(err, RTM_ERR_ARG, "trial: treat share %g gives no block of 2..%d "
                             "places with a whole number treated (try 0.5, 0.4, 1/3)",
                             share, MAX_BLOCK);
    if (n < 1 || !(ord = malloc((size_t)n * sizeof *ord)))
        return rtm_error_set(err, n < 1 ? RTM_ERR_ARG : RTM_ERR_NOMEM, "trial: %s",
                             n < 1 ? "no place" : "out of memory");
    for (int i = 0; i < n; i++)
        ord[i] = i;
    /* insertion sort: n is a few hundred places at most, and it is stable */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp_harm(harm, events, ord[j - 1], ord[j]) > 0; j--) {
            int t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    for (int k = 0; k < n; k++)
        block[ord[k]] = k / m;
    free(ord);
    if (block_size)
        *block_size = m;
    return 0;
}

/* Treated places of a group of g places at share F: round(F g). */
static int treated_of(double share, int g)
{
    return (int)floor(share * g + 0.5);
}

static void assign_balanced(double share, int n, int days, rtm_trial_rng *r, int *idx,
                            signed char *arm)
{
    int k = treated_of(share, n);
    for (int d = 0; d < days; d++) {
        for (int i = 0; i < n; i++)
            idx[i] = i;
        shuffle(r, idx, n);
        for (int i = 0; i < n; i++)
            arm[(size_t)idx[i] * days + d] = i < k;
    }
}

static void assign_fixed(double share, int n, int days, const int *block, rtm_trial_rng *r,
                         int *idx, signed char *arm)
{
    int nb = 0;
    for (int i = 0; i < n; i++)
        nb = block && block[i] + 1 > nb ? block[i] + 1 : nb;
    if (!block)
        nb = 1;
    for (int b = 0; b < nb; b++) {
        int g = 0;
        for (int i = 0; i < n; i++)
            if (!block || block[i] == b)
                idx[g++] = i;
        shuffle(r, idx, g);
        for (int k = 0; k < g; k++)
            for (int d = 0; d < days; d++)
                arm[(size_t)idx[k] * days + d] = k < treated_of(share, g);
    }
}

int rtm_trial_assign(rtm_trial_rule rule, double share, int n, int days, const int *block,
                     uint64_t seed, signed char *arm, rtm_error *err)
{
    rtm_trial_rng r;
    int *idx;
    if (n < 1 || days < 1 || !(share > 0 && share < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "trial: need places (%d), days (%d) and a treat "
                             "share in (0, 1) (%g)", n, days, share);
    if (!(idx = malloc((size_t)n * sizeof *idx)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    rtm_trial_rng_seed(&r, seed, 0);
    if (rule == RTM_TRIAL_BALANCED)
        assign_balanced(share, n, days, &r, idx, arm);
    else if (rule == RTM_TRIAL_FIXED)
        assign_fixed(share, n, days, block, &r, idx, arm);
    else
        for (int d = 0; d < days; d++)
            for (int i = 0; i < n; i++)
                arm[(size_t)i * days + d] = rtm_trial_rng_unif(&r) < share;
    free(idx);
    return 0;
}

/* BALANCED re-draw: each day's arms permuted among its scheduled places. */
static void rerandomise_daily(const signed char *arm, int n, int days, rtm_trial_rng *r,
                              int *idx, signed char *out)
{
    for (int d = 0; d < days; d++) {
        int g = 0, k = 0;
        for (int i = 0; i < n; i++)
            if (arm[(size_t)i * days + d] >= 0) {
                idx[g++] = i;
                k += arm[(size_t)i * days + d];
            }
        shuffle(r, idx, g);
        for (int j = 0; j < g; j++)
            out[(size_t)idx[j] * days + d] = j < k;
    }
}

/* FIXED re-draw of the places' arms (place_arm: n values, -1 = never
 * scheduled), permuted within each block (NULL = one block). */
void rtm_trial_fixed_redraw(const signed char *place_arm, int n, const int *block,
                            uint64_t seed, signed char *out)
{
    rtm_trial_rng r;
    int nb = 1, *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    memcpy(out, place_arm, (size_t)n);
    if (!idx)
        return;
    rtm_trial_rng_seed(&r, seed, 1);
    for (int i = 0; block && i < n; i++)
        nb = block[i] + 1 > nb ? block[i] + 1 : nb;
    for (int b = 0; b < nb; b++) {
        int g = 0, k = 0;
        for (int i = 0; i < n; i++)
            if (place_arm[i] >= 0 && (!block || block[i] == b || (block[i] < 0 && b == 0))) {
                idx[g++] = i;
                k += place_arm[i];
            }
        shuffle(&r, idx, g);
        for (int j = 0; j < g; j++)
            out[idx[j]] = j < k;
    }
    free(idx);
}

/* FIXED re-draw of a place x day schedule: each place keeps its own
 * scheduled days and takes its re-drawn arm on all of them. */
static void rerandomise_fixed(const signed char *arm, int n, int days, const int *block,
                              uint64_t seed, signed char *out)
{
    signed char *pa = malloc((size_t)(n > 0 ? n : 1) * 2);
    if (!pa)
        return;
    for (int i = 0; i < n; i++) {
        pa[i] = -1;
        for (int d = 0; d < days && pa[i] < 0; d++)
            pa[i] = arm[(size_t)i * days + d];
    }
    rtm_trial_fixed_redraw(pa, n, block, seed, pa + n);
    for (int i = 0; i < n; i++)
        for (int d = 0; d < days; d++) {
            size_t c = (size_t)i * days + d;
            out[c] = arm[c] < 0 ? -1 : pa[n + i];
        }
    free(pa);
}

void rtm_trial_rerandomise(rtm_trial_rule rule, const signed char *arm, int n, int days,
                           const int *block, uint64_t seed, signed char *out)
{
    rtm_trial_rng r;
    int *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    size_t cells = (size_t)n * days, t = 0, s = 0;
    memcpy(out, arm, cells);
    if (!idx)
        return;
    rtm_trial_rng_seed(&r, seed, 1);
    if (rule == RTM_TRIAL_BALANCED)
        rerandomise_daily(arm, n, days, &r, idx, out);
    else if (rule == RTM_TRIAL_FIXED)
        rerandomise_fixed(arm, n, days, block, seed, out);
    else {
        for (size_t c = 0; c < cells; c++)
            if (arm[c] >= 0) {
                s++;
                t += arm[c];
            }
        for (size_t c = 0; c < cells; c++)
            if (arm[c] >= 0)
                out[c] = rtm_trial_rng_unif(&r) < (double)t / (double)s;
    }
    free(idx);
}

rtm_trial_rule rtm_trial_detect_rule(const signed char *arm, int n, int days)
{
    int fixed = 1, balanced = 1, k0 = -1;
    for (int i = 0; i < n && fixed; i++) {
        int a = -1;
        for (int d = 0; d < days; d++) {
            signed char v = arm[(size_t)i * days + d];
            if (v >= 0 && a >= 0 && v != a)
                fixed = 0;
            if (v >= 0)
                a = v;
        }
    }
    if (fixed)
        return RTM_TRIAL_FIXED;
    for (int d = 0; d < days && balanced; d++) {
        int k = 0;
        for (int i = 0; i < n; i++)
            k += arm[(size_t)i * days + d] > 0;
        if (k0 >= 0 && k != k0)
            balanced = 0;
        k0 = k;
    }
    return balanced ? RTM_TRIAL_BALANCED : RTM_TRIAL_INDEPENDENT;
}

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * civil_from_days (the inverse of rtm_days_from_civil). */
void rtm_trial_date(long z, char buf[11])
{
    long era, doe, yoe, doy, mp, y, m, d;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)(y % 10000), (int)m, (int)d);
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}
