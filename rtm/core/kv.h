/* core/kv.h: an ordered list of "KEY=VALUE" strings, the form GDAL metadata
 * and reports take; kept NULL-terminated so it can be passed as char**. */
#ifndef RTM_KV_H
#define RTM_KV_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_kv {
    size_t n, cap;
    char **items;  /**< n strings then NULL (NULL when empty) */
} rtm_kv;

void rtm_kv_init(rtm_kv *kv);
/** Append KEY=VALUE (printf-style value). Returns 0 or RTM_ERR_NOMEM. */
int rtm_kv_add(rtm_kv *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The NULL-terminated list (valid until the next add/free); never NULL. */
const char *const *rtm_kv_list(const rtm_kv *kv);
/** Value of KEY, or NULL. */
const char *rtm_kv_get(const rtm_kv *kv, const char *key);
void rtm_kv_free(rtm_kv *kv);

#ifdef __cplusplus
}
#endif
#endif
