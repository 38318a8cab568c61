/* core/hugepage.h: asking the kernel to back a large buffer with
 * transparent huge pages. */
#ifndef RTM_CORE_HUGEPAGE_H
#define RTM_CORE_HUGEPAGE_H

#include <stddef.h>

/* Smallest buffer worth advising (bytes): two huge pages. */
#define RTM_HUGEPAGE_MIN ((size_t)4 << 20)

/* Advise the whole 2 MiB pages inside [p, p + bytes) onto transparent huge
 * pages (madvise MADV_HUGEPAGE) when bytes >= RTM_HUGEPAGE_MIN. A hint
 * only: contents, addresses and results never change, and it does nothing
 * where the kernel has no such pages or they are switched off. */
void rtm_hugepages(void *p, size_t bytes);

/* realloc(p, bytes) whose new block, when at least RTM_HUGEPAGE_MIN, is
 * advised before the first `used` bytes are copied into it (a plain
 * realloc copies into small pages first). Returns NULL, p untouched, when
 * out of memory. */
void *rtm_hugepage_realloc(void *p, size_t used, size_t bytes);

#endif
