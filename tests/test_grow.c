/* test_grow.c: rtm_grow (core/grow.h) - capacities double from the first
 * size, contents are kept, and an impossible size fails leaving the array
 * as it was. */
#include <stdint.h>
#include <stdlib.h>

#include "rtm_test.h"
#include "core/grow.h"

static void test_grow(void)
{
    int *a = NULL, bad = 0;
    size_t cap = 0;
    RTM_CHECK(rtm_grow(&a, &cap, 1, sizeof *a, 4) == 0 && a && cap == 4);
    for (int i = 0; i < 4; i++)
        a[i] = i;
    RTM_CHECK(rtm_grow(&a, &cap, 4, sizeof *a, 4) == 0 && cap == 4); /* enough already */
    RTM_CHECK(rtm_grow(&a, &cap, 9, sizeof *a, 4) == 0 && cap == 16);
    for (int i = 0; i < 4; i++)
        bad += a[i] != i;
    RTM_CHECK(bad == 0);
    int *keep = a;
    RTM_CHECK(rtm_grow(&a, &cap, SIZE_MAX / 2, sizeof *a, 4) == -1 && a == keep && cap == 16);
    free(a);
}

int main(void)
{
    RTM_RUN(test_grow);
    return RTM_TEST_END();
}
