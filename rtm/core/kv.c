/* kv.c: ordered KEY=VALUE lists (see rtm_kv.h). */
#include "core/kv.h"

#include <ctype.h>
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
    char *s;
    int len;
    size_t kl = strlen(key);
    if (kv->n + 2 > kv->cap) {
        size_t cap = kv->cap ? kv->cap * 2 : 16;
        char **it = realloc(kv->items, cap * sizeof *it);
        if (!it)
            return RTM_ERR_NOMEM;
        kv->items = it;
        kv->cap = cap;
    }
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(s = malloc(kl + 2 + (size_t)len)))
        return RTM_ERR_NOMEM;
    memcpy(s, key, kl);
    s[kl] = '=';
    va_start(ap, fmt);
    vsnprintf(s + kl + 1, (size_t)len + 1, fmt, ap);
    va_end(ap);
    kv->items[kv->n++] = s;
    kv->items[kv->n] = NULL;
    return 0;
}

const char *const *rtm_kv_list(const rtm_kv *kv)
{
    static const char *const empty[1] = {NULL};
    return kv->items ? (const char *const *)kv->items : empty;
}

const char *rtm_kv_get(const rtm_kv *kv, const char *key)
{
    size_t i, kl = strlen(key);
    for (i = 0; i < kv->n; i++)
        if (!strncmp(kv->items[i], key, kl) && kv->items[i][kl] == '=')
            return kv->items[i] + kl + 1;
    return NULL;
}

void rtm_kv_free(rtm_kv *kv)
{
    size_t i;
    for (i = 0; i < kv->n; i++)
        free(kv->items[i]);
    free(kv->items);
    rtm_kv_init(kv);
}
