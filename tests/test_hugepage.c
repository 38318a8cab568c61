/* test_hugepage.c: core/hugepage.h - rtm_hugepages advises exactly the
 * buffers of RTM_HUGEPAGE_MIN bytes or more (the kernel's own record, the
 * "hg" flag of the mapping in /proc/self/smaps, is the reference), and
 * rtm_hugepage_realloc keeps the bytes in use across every path (small
 * realloc, copy into an advised block, growing from NULL). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rtm_test.h"
#include "core/hugepage.h"

/* Whether the kernel offers transparent huge pages to advised memory. */
static int thp_available(void)
{
    char s[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    if (!fgets(s, sizeof s, f))
        s[0] = '\0';
    fclose(f);
    return strstr(s, "[always]") || strstr(s, "[madvise]");
}

/* 1: the mapping holding address a has VmFlags "hg"; 0: it has not;
 * -1: not found. */
static int advised(const void *a)
{
    char line[512];
    uintptr_t x = (uintptr_t)a, lo = 0, hi = 0;
    int in = 0, r = -1;
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long l, h;
        if (sscanf(line, "%lx-%lx ", &l, &h) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            lo = l;
            hi = h;
            in = x >= lo && x < hi;
        } else if (in && !strncmp(line, "VmFlags:", 8)) {
            r = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return r;
}

static void test_advice(void)
{
    size_t big = (size_t)8 << 20, small = RTM_HUGEPAGE_MIN - 4096;
    unsigned char *a = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    unsigned char *b = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                            -1, 0);
    uintptr_t mid;
    RTM_CHECK(a != MAP_FAILED && b != MAP_FAILED);
    if (a == MAP_FAILED || b == MAP_FAILED)
        return;
    memset(a, 7, big);
    rtm_hugepages(a, big);
    rtm_hugepages(b, small);
    rtm_hugepages(NULL, big); /* nothing to advise */
    /* the first whole 2 MiB page inside a */
    mid = ((uintptr_t)a + ((uintptr_t)2 << 20) - 1) & ~(((uintptr_t)2 << 20) - 1);
    if (thp_available()) {
        RTM_CHECK(advised((void *)mid) == 1);
        RTM_CHECK(advised(b) == 0); /* below RTM_HUGEPAGE_MIN: left alone */
    } else {
        fprintf(stderr, "note: no transparent huge pages here: advice not checked\n");
        RTM_CHECK(advised(b) != 1);
    }
    for (size_t k = 0; k < big; k += 4096) /* contents never change */
        if (a[k] != 7) {
            RTM_CHECK(a[k] == 7);
            break;
        }
    munmap(a, big);
    munmap(b, small);
}

static void test_realloc_keeps(void)
{
    size_t sizes[] = {1000, 200000, (size_t)5 << 20, (size_t)9 << 20, (size_t)24 << 20};
    size_t used = 0;
    unsigned char *p = NULL;
    int bad = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        unsigned char *q = rtm_hugepage_realloc(p, used, sizes[s]);
        RTM_CHECK(q != NULL);
        if (!q)
            break;
        for (size_t k = 0; k < used; k++)
            bad += q[k] != (unsigned char)(k * 31 + 7);
        for (size_t k = used; k < sizes[s]; k++) /* fill the rest for the next step */
            q[k] = (unsigned char)(k * 31 + 7);
        p = q;
        used = sizes[s];
    }
    RTM_CHECK(bad == 0);
    /* only the first `used` bytes are promised: a shorter count copies less */
    unsigned char *q = rtm_hugepage_realloc(p, 100, (size_t)32 << 20);
    RTM_CHECK(q != NULL);
    for (size_t k = 0; q && k < 100; k++)
        bad += q[k] != (unsigned char)(k * 31 + 7);
    RTM_CHECK(bad == 0);
    free(q ? q : p);
}

int main(void)
{
    RTM_RUN(test_advice);
    RTM_RUN(test_realloc_keeps);
    return RTM_TEST_END();
}
