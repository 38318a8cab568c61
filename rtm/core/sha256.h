/* core/sha256.h: SHA-256 message digests (FIPS 180-4), for checksums of run
 * inputs and outputs in the manifest and for cache keys.
 *
 * GDAL's CPL_SHA256 functions are not part of its installed public headers,
 * so rtm carries its own implementation. All functions are thread safe as
 * long as each thread uses its own rtm_sha256_ctx.
 */
#ifndef RTM_SHA256_H
#define RTM_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_SHA256_LEN 32  /**< digest size in bytes */
#define RTM_SHA256_HEX 65  /**< hex digest size including the NUL */

/** Incremental hashing state (a plain value; no resources to free). */
typedef struct rtm_sha256_ctx {
    uint32_t h[8];
    uint64_t nbytes;
    unsigned char block[64];
    size_t fill;
} rtm_sha256_ctx;

/** Start a new digest. */
void rtm_sha256_init(rtm_sha256_ctx *c);
/** Hash len more bytes of data (data may be NULL when len is 0). */
void rtm_sha256_update(rtm_sha256_ctx *c, const void *data, size_t len);
/** Finish: write the 32-byte digest to out. c must be re-initialised before reuse. */
void rtm_sha256_final(rtm_sha256_ctx *c, unsigned char out[RTM_SHA256_LEN]);

/** Lower-case hex of a 32-byte digest into hex (65 bytes incl. NUL). */
void rtm_sha256_to_hex(const unsigned char d[RTM_SHA256_LEN], char hex[RTM_SHA256_HEX]);

/** One-shot digest of a buffer as lower-case hex. */
void rtm_sha256_hex(const void *data, size_t len, char hex[RTM_SHA256_HEX]);

/** Digest of a whole file as lower-case hex; *size (may be NULL) gets the
 *  number of bytes read. Returns 0, or RTM_ERR_IO naming the file. */
int rtm_sha256_file(const char *path, char hex[RTM_SHA256_HEX], long long *size,
                    rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
