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
 *
 * Integrity: the key names the inputs, not the bytes of the entry, so each
 * entry is stored with the SHA-256 of its content in a sidecar file
 * DIR/<key>.<ext>.sha256 (sha256sum's format: "HEX  NAME\n"), and every
 * read verifies the bytes it returns against it. An entry that was changed
 * after it was stored (even by one byte, size unchanged), lost its sidecar,
 * or was written by a version of rtm that kept none, is a miss: it is
 * removed, and the reason is put in err->msg for the caller to log (with
 * err->code RTM_OK), so that the caller recomputes it. Reads hash the bytes
 * they actually hand over, so a change between check and use cannot slip
 * through (except with rtm_cache_verify, which checks in place).
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

/** Returned by the verified reads on a miss: no entry, or a bad one. */
#define RTM_CACHE_MISS (-1)

/** 1 if the entry and its checksum exist (regular files), else 0. A quick
 *  test only: the content is verified by the reads below. */
int rtm_cache_has(const char *dir, const char *key, const char *ext);

/** Copy the entry to dest (written atomically, core/atomic.h), verifying it
 *  on the way. Returns 0 (hit: dest holds the verified bytes),
 *  RTM_CACHE_MISS (no entry, or a bad one, now removed: err->msg says which
 *  and dest is untouched), or RTM_ERR_IO / RTM_ERR_NOMEM (dest cannot be
 *  written, named). */
int rtm_cache_fetch(const char *dir, const char *key, const char *ext, const char *dest,
                    rtm_error *err);

/** Read the entry, which must be exactly len bytes, into buf[0..len),
 *  verifying it. Returns 0 (hit), RTM_CACHE_MISS (no entry, another size or
 *  a checksum mismatch: bad entries are removed, err->msg says why; buf may
 *  have been overwritten) or RTM_ERR_IO. For raw arrays such as a distance
 *  surface of ncells doubles. */
int rtm_cache_load(const char *dir, const char *key, const char *ext, void *buf, size_t len,
                   rtm_error *err);

/** Check the entry against its checksum in place, for a caller that then
 *  reads rtm_cache_entry()'s path itself (e.g. rtm_varset_read). Returns 0
 *  (verified), RTM_CACHE_MISS (as above; a bad entry is removed) or
 *  RTM_ERR_IO. */
int rtm_cache_verify(const char *dir, const char *key, const char *ext, rtm_error *err);

/** Store a copy of src as the entry, with its checksum (DIR is created).
 *  Returns 0 or RTM_ERR_IO / RTM_ERR_NOMEM. */
int rtm_cache_store(const char *dir, const char *key, const char *ext, const char *src,
                    rtm_error *err);

/** Store len bytes of data as the entry, with its checksum (DIR is
 *  created). Returns 0 or RTM_ERR_IO / RTM_ERR_NOMEM. */
int rtm_cache_store_data(const char *dir, const char *key, const char *ext, const void *data,
                         size_t len, rtm_error *err);

/** Record the checksum of an entry the caller wrote itself at
 *  rtm_cache_entry()'s path (e.g. with rtm_varset_write): until this is
 *  called the entry reads as a miss. Returns 0 or RTM_ERR_IO. */
int rtm_cache_seal(const char *dir, const char *key, const char *ext, rtm_error *err);

/** Mark an entry (and its checksum) as used now (modification time), so
 *  pruning keeps it. */
void rtm_cache_touch(const char *entry_path);

/** Remove cache entries (regular files directly in dir) not used for more
 *  than max_age seconds, with their checksums, checksums left without an
 *  entry, and temporary directories of a killed process (hidden, older than
 *  an hour). Returns the number of entries removed; a missing dir is 0. */
int rtm_cache_prune(const char *dir, double max_age);

#ifdef __cplusplus
}
#endif
#endif
