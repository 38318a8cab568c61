/* hugepage.c: transparent huge pages for large buffers (core/hugepage.h).
 *
 * Why. A grid of 2400 x 2400 doubles is 11,250 pages of 4 KiB, each
 * faulted in on first touch; where the kernel leaves transparent huge
 * pages to madvise (Debian's and most distributions' setting), one
 * advised 2 MiB page replaces 512 of those faults. On the KDE benchmark
 * (tools/bench_kde_cmd.sh) page faults were 14 % of the command's CPU on a
 * 2-core virtual machine, where each costs more than on bare metal. */
#include "core/hugepage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGEPAGE ((uintptr_t)2 << 20)

void rtm_hugepages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = ((uintptr_t)p + HUGEPAGE - 1) & ~(HUGEPAGE - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(HUGEPAGE - 1);
    if (p && bytes >= RTM_HUGEPAGE_MIN && e > a)
        (void)madvise((void *)a, (size_t)(e - a), MADV_HUGEPAGE); /* a hint: failure is harmless */
#else
    (void)p;
    (void)bytes;
#endif
}

void *rtm_hugepage_realloc(void *p, size_t used, size_t bytes)
{
    void *q;
    if (bytes < RTM_HUGEPAGE_MIN || !p)
        return (q = realloc(p, bytes)) != NULL ? (rtm_hugepages(q, bytes), q) : NULL;
    if (!(q = malloc(bytes)))
        return NULL;
    rtm_hugepages(q, bytes);
    memcpy(q, p, used < bytes ? used : bytes);
    free(p);
    return q;
}
