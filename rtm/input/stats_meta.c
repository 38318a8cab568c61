/* stats_meta.c: load counts (rtm_load_stats) as KEY=VALUE metadata items. */
#include "input/stats_meta.h"

#include <ctype.h>
#include <stdio.h>

int rtm_kv_add_load_stats(rtm_kv *kv, const char *prefix, const rtm_load_stats *st)
{
    char key[96];
    int r, c, rc = 0;
    snprintf(key, sizeof key, "%s_READ", prefix);
    rc |= rtm_kv_add(kv, key, "%zu", st->read);
    snprintf(key, sizeof key, "%s_EXCLUDED_BY_WHERE", prefix);
    rc |= rtm_kv_add(kv, key, "%zu", st->filtered_where);
    snprintf(key, sizeof key, "%s_EXCLUDED_BY_MONTH", prefix);
    rc |= rtm_kv_add(kv, key, "%zu", st->filtered_month);
    for (r = 0; r < RTM_SKIP_NREASONS; r++) {
        const char *nm = rtm_skip_reason_name((rtm_skip_reason)r);
        int k = snprintf(key, sizeof key, "%s_SKIPPED_", prefix);
        for (c = 0; nm[c] && k + c < (int)sizeof key - 1; c++)
            key[k + c] = (char)toupper((unsigned char)nm[c]);
        key[k + c] = '\0';
        rc |= rtm_kv_add(kv, key, "%zu", st->skipped[r]);
    }
    snprintf(key, sizeof key, "%s_USED", prefix);
    rc |= rtm_kv_add(kv, key, "%zu", st->used);
    snprintf(key, sizeof key, "%s_WEIGHT_SUM", prefix);
    rc |= rtm_kv_add(kv, key, "%.17g", st->weight_used);
    if (st->date_form[0]) {
        snprintf(key, sizeof key, "%s_DATE_FORM", prefix);
        rc |= rtm_kv_add(kv, key, "%s", st->date_form);
    }
    if (st->transform[0]) {
        snprintf(key, sizeof key, "%s_TRANSFORMATION", prefix);
        rc |= rtm_kv_add(kv, key, "%s", st->transform);
    }
    return rc ? RTM_ERR_NOMEM : 0;
}
