/* input/features_priv.h (library-private): a feature collection's
 * coordinates into a running SHA-256 (the inputs digest of tiled products,
 * product/inputs_digest.c). */
#ifndef RTM_FEATURES_PRIV_H
#define RTM_FEATURES_PRIV_H

#include "core/sha256.h"
#include "rtm/input.h"

/* Every point and segment of f, in their order, into c. */
void rtm_features_hash(const rtm_features *f, rtm_sha256_ctx *c);

#endif
