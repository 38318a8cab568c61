/* kv.c: ordered KEY=VALUE lists on GDAL's string lists (see core/kv.h). */
#include "core/kv.h"

#include <cpl_string.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_kv_init(rtm_kv *kv)
{
    memset(kv, 0, sizeof *kv);
}

int rtm_kv_add(rtm_kv *kv, const char *key, const char *fmt, ...)
{
    va_list ap;
    char *val = NULL, *item = NULL, **list;
    va_start(ap, fmt);
    int len = vasprintf(&val, fmt, ap);
    va_end(ap);
    if (len < 0)
        return RTM_ERR_NOMEM;
    if (asprintf(&item, "%s=%s", key, val) < 0)
        item = NULL;
    free(val);
    if (!item)
        return RTM_ERR_NOMEM;
    /* the MayFail variant returns NULL and leaves the list intact on
     * allocation failure (CSLAddString would abort the process) */
    list = CSLAddStringMayFail(kv->items, item);
    free(item);
    if (!list)
        return RTM_ERR_NOMEM;
    kv->items = list;
    kv->n++;
    return 0;
}

const char *const *rtm_kv_list(const rtm_kv *kv)
{
    static const char *const empty[1] = {NULL};
    return kv->items ? (const char *const *)kv->items : empty;
}

/* Not CSLFetchNameValue: that compares keys ignoring case and also accepts
 * "KEY:VALUE"; rtm's keys are exact. */
const char *rtm_kv_get(const rtm_kv *kv, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < kv->n; i++)
        if (!strncmp(kv->items[i], key, kl) && kv->items[i][kl] == '=')
            return kv->items[i] + kl + 1;
    return NULL;
}

void rtm_kv_free(rtm_kv *kv)
{
    CSLDestroy(kv->items);
    rtm_kv_init(kv);
}
