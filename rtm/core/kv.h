/* core/kv.h: an ordered list of "KEY=VALUE" strings, the form GDAL metadata
 * and reports take; kept NULL-terminated so it can be passed as char**.
 *
 * The list is a GDAL string list (cpl_string.h, CSL*), so it can be handed
 * to any GDAL call taking CSLConstList. Items keep insertion order; adding a
 * key that is already present appends a second item (nothing is replaced),
 * and rtm_kv_get returns the first one. Keys compare case-sensitively.
 * Not thread safe: one list belongs to one thread at a time. */
#ifndef RTM_KV_H
#define RTM_KV_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_kv {
    size_t n;      /**< number of items */
    char **items;  /**< GDAL string list: n strings then NULL (NULL when empty) */
} rtm_kv;

/** An empty list (nothing allocated). */
void rtm_kv_init(rtm_kv *kv);
/** Append KEY=VALUE (printf-style value). Returns 0 or RTM_ERR_NOMEM (the
 *  list is then unchanged). */
int rtm_kv_add(rtm_kv *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The NULL-terminated list (valid until the next add/free); never NULL:
 *  an empty list gives {NULL}. */
const char *const *rtm_kv_list(const rtm_kv *kv);
/** Value of the first item with exactly this KEY, or NULL. */
const char *rtm_kv_get(const rtm_kv *kv, const char *key);
/** Release every item; kv is empty again (free of an empty list is a no-op). */
void rtm_kv_free(rtm_kv *kv);

#ifdef __cplusplus
}
#endif
#endif
