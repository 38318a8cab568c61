/* run/cache.h: a content-addressed cache of derived files (e.g. risk-layer
 * surfaces), so a nightly run reuses a surface when its inputs and
 * parameters are unchanged.
 *
 * key = SHA-256 of "rtm-cache-v1\n", each input file's SHA-256 hex followed
 * by "\n" (in the caller's order), then a canonical parameter string. The
 * caller makes the parameters canonical: a fixed key order, "key=value\n"
 * lines, numbers printed with "%.17g" (or rtm_json_format_double) and the
 * grid (CRS, origin, cell size, size) included. Entries are files
 * DIR/<key>.<ext>, stored with write-to-temp + rename so a reader never sees
 * a partial entry. DIR should live outside the run folders (e.g. OUT/cache)
 * so it survives pruning. Functions are thread safe for different keys.
 */
#ifndef RTM_CACHE_H
#define RTM_CACHE_H

#include "rtm/error.h"
#include "core/sha256.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Compute the cache key (64 hex digits + NUL) as described above. */
void rtm_cache_key(int ninputs, const char *const *input_sha, const char *params,
                   char key[RTM_SHA256_HEX]);

/** Path DIR/<key>.<ext> as a new string (caller frees), or NULL (no memory). */
char *rtm_cache_entry(const char *dir, const char *key, const char *ext);

/** 1 if the entry exists (a regular file), else 0. */
int rtm_cache_has(const char *dir, const char *key, const char *ext);

/** Copy the entry to dest (an output being staged). Returns 0, or RTM_ERR_IO
 *  (missing entry or copy failure, named). */
int rtm_cache_fetch(const char *dir, const char *key, const char *ext, const char *dest,
                    rtm_error *err);

/** Store a copy of src as the entry (DIR is created). Returns 0 or RTM_ERR_IO. */
int rtm_cache_store(const char *dir, const char *key, const char *ext, const char *src,
                    rtm_error *err);

/** Mark an entry as used now (its modification time), so pruning keeps it. */
void rtm_cache_touch(const char *entry_path);

/** Remove cache entries (regular files directly in dir) not used for more
 *  than max_age seconds. Returns the number removed; a missing dir is 0. */
int rtm_cache_prune(const char *dir, double max_age);

#ifdef __cplusplus
}
#endif
#endif
