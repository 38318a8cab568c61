/* evaluate/trial_rng.h (library-private): the seeded generator of trial
 * designs and permutations, xoshiro256** seeded through splitmix64. */
#ifndef RTM_TRIAL_RNG_H
#define RTM_TRIAL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rtm_trial_rng {
    uint64_t s[4];
} rtm_trial_rng;

/* A generator for (seed, stream): streams are independent draws of one seed
 * (0 = the design, 1 = a re-draw; permutations pass a seed per draw). */
void rtm_trial_rng_seed(rtm_trial_rng *r, uint64_t seed, uint64_t stream);
/* The seed of draw k of a seed (permutation draws). */
uint64_t rtm_trial_rng_derive(uint64_t seed, uint64_t k);
uint64_t rtm_trial_rng_next(rtm_trial_rng *r);
/* Uniform in [0, n), n >= 1 (rejection: no modulo bias). */
uint64_t rtm_trial_rng_below(rtm_trial_rng *r, uint64_t n);
/* Uniform in [0, 1). */
double rtm_trial_rng_unif(rtm_trial_rng *r);

/* The fixed design's re-draw on place arms (n values, -1 = never
 * scheduled): the arms permuted within each block (NULL = one block). */
void rtm_trial_fixed_redraw(const signed char *place_arm, int n, const int *block,
                            uint64_t seed, signed char *out);

#endif
