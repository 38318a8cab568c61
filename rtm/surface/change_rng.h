/* surface/change_rng.h (library-private): the seeded generator of the
 * change analyses - xoshiro256** 1.0 (Blackman & Vigna 2018, "Scrambled
 * linear pseudorandom number generators"), seeded through splitmix64
 * (Steele, Lea & Flood 2014); one stream per (seed, index), so results never
 * depend on which thread draws them. */
#ifndef RTM_SURFACE_CHANGE_RNG_H
#define RTM_SURFACE_CHANGE_RNG_H

#include <stdint.h>

typedef struct { uint64_t s[4]; } rng;

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng *g)
{
    uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
    s[2] ^= t, s[3] = rotl(s[3], 45);
    return r;
}

/* Generator of permutation i: its own stream, whatever thread runs it. */
static inline void rng_seed(rng *g, uint64_t seed, uint64_t i)
{
    uint64_t x = seed ^ (0xD1B54A32D192ED03ULL * (i + 1));
    for (int k = 0; k < 4; k++)
        g->s[k] = splitmix64(&x);
}

/* Uniform in [0, n) by rejection (no modulo bias; Lemire's threshold). */
static inline uint64_t rng_below(rng *g, uint64_t n)
{
    uint64_t lim = -n % n, r;
    do
        r = rng_next(g);
    while (r < lim);
    return r % n;
}

#endif
