/* test_var_build.c: the exact repeated addition behind the density
 * thresholds (rtm/model/var_build.h): s + c + ... + c in runs must equal the
 * one-by-one loop bit for bit, ties and binade crossings included; and a
 * variable set's compact rows against the full-surface definition. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "rtm_test.h"
#include "rtm/model.h"
#include "model/var_build.h"

static unsigned long long rng_state = 0x2545F4914F6CDD1DULL;
static double urand(void)
{
    /* xorshift64 (Marsaglia 2003): a fixed, documented test sequence */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double loop_add(double s, double c, size_t z)
{
    for (size_t i = 0; i < z; i++)
        s += c;
    return s;
}

static int same(double a, double b)
{
    return !memcmp(&a, &b, sizeof a);
}

/* Random starts, steps and run lengths, over many binades. */
static void test_add_repeated_random(void)
{
    int bad = 0;
    for (int t = 0; t < 3000; t++) {
        double s = t % 3 ? ldexp(urand(), (int)(urand() * 40) - 20) : 0;
        double c = ldexp(0.5 + urand(), (int)(urand() * 40) - 30);
        size_t z = (size_t)(urand() * (t % 10 ? 5000 : 200000));
        bad += !same(rtm_i_add_repeated(s, c, z), loop_add(s, c, z));
    }
    RTM_CHECK(bad == 0);
}

/* Steps that are ties at some binade (c an odd multiple of half an ulp),
 * steps below half an ulp, and the density's own case (mean^2 of a tiny
 * mean added millions of times). */
static void test_add_repeated_edges(void)
{
    double u = ldexp(1.0, -52); /* ulp of [1, 2) */
    const double cs[] = {1.5 * u, 0.5 * u, 2.5 * u, 0.49 * u, 3 * u, 1e-300, 7.5 * u};
    int bad = 0;
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        for (size_t z = 0; z < 5000; z += 997) {
            bad += !same(rtm_i_add_repeated(1.0, cs[i], z), loop_add(1.0, cs[i], z));
            bad += !same(rtm_i_add_repeated(1.75, cs[i], z), loop_add(1.75, cs[i], z));
        }
    double m = 3.1e-7, z2 = (0 - m) * (0 - m);
    bad += !same(rtm_i_add_repeated(0, z2, 5000000), loop_add(0, z2, 5000000));
    bad += !same(rtm_i_add_repeated(1e-3, z2, 4000000), loop_add(1e-3, z2, 4000000));
    RTM_CHECK(bad == 0);
}

int main(void)
{
    RTM_RUN(test_add_repeated_random);
    RTM_RUN(test_add_repeated_edges);
    return RTM_TEST_END();
}
