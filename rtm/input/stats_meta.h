/* input/stats_meta.h (library-private): load counts as metadata items. */
#ifndef RTM_INPUT_STATS_META_H
#define RTM_INPUT_STATS_META_H

#include "core/kv.h"
#include "rtm/input.h"

/** Record load counts: prefix_READ, prefix_USED, prefix_SKIPPED_<REASON>, ...
 *  (e.g. prefix "EVENTS"). */
int rtm_kv_add_load_stats(rtm_kv *kv, const char *prefix, const rtm_load_stats *st);

#endif
