/* core/grow.h: growing an array by doubling (amortised O(1) appends). */
#ifndef RTM_CORE_GROW_H
#define RTM_CORE_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Make *arr (elements of `size` bytes, *cap of them) hold at least `need`:
 * doubled, from `first` when empty, keeping its contents. Returns 0, or -1
 * (out of memory or an impossible size; *arr and *cap unchanged). */
static inline int rtm_grow(void *arr, size_t *cap, size_t need, size_t size, size_t first)
{
    void **p = (void **)arr;
    size_t c = *cap ? *cap : first;
    void *n;
    if (need <= *cap)
        return 0;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    if (c > SIZE_MAX / size || !(n = realloc(*p, c * size)))
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

#endif
