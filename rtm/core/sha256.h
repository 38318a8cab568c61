/* core/sha256.h: SHA-256 message digests (FIPS 180-4), for checksums of run
 * inputs and outputs in the manifest and for cache keys.
 *
 * A thin layer over OpenSSL libcrypto's EVP digest API (EVP_sha256), which
 * uses the CPU's SHA extensions or vector units where present. All functions
 * are thread safe as long as each thread uses its own rtm_sha256_ctx.
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

/** Incremental hashing state. rtm_sha256_init allocates the libcrypto
 *  context it holds and rtm_sha256_final releases it, so every init must be
 *  followed by a final (or rtm_sha256_abort when the digest is not wanted). */
typedef struct rtm_sha256_ctx {
    void *md;        /**< EVP_MD_CTX *, NULL after final/abort or a failed init */
    uint64_t nbytes; /**< bytes hashed so far */
    int failed;      /**< an allocation or libcrypto call failed */
} rtm_sha256_ctx;

/** Start a new digest. Returns 0, or RTM_ERR_NOMEM when libcrypto cannot
 *  set up the context (update is then a no-op and final fails). */
int rtm_sha256_init(rtm_sha256_ctx *c);
/** Hash len more bytes of data (data may be NULL when len is 0). */
void rtm_sha256_update(rtm_sha256_ctx *c, const void *data, size_t len);
/** Finish: write the 32-byte digest to out and release the context (c must
 *  be re-initialised before reuse). Returns 0, or RTM_ERR_NOMEM if any step
 *  failed (out is then all zero bytes, never a wrong digest). */
int rtm_sha256_final(rtm_sha256_ctx *c, unsigned char out[RTM_SHA256_LEN]);
/** Release the context without a digest (safe after final or twice). */
void rtm_sha256_abort(rtm_sha256_ctx *c);

/** Lower-case hex of a 32-byte digest into hex (65 bytes incl. NUL). */
void rtm_sha256_to_hex(const unsigned char d[RTM_SHA256_LEN], char hex[RTM_SHA256_HEX]);

/** One-shot digest of a buffer as lower-case hex. Returns 0, or
 *  RTM_ERR_NOMEM (hex is then "", never a wrong digest). */
int rtm_sha256_hex(const void *data, size_t len, char hex[RTM_SHA256_HEX]);

/** Digest of a whole file as lower-case hex; *size (may be NULL) gets the
 *  number of bytes read. Returns 0, or RTM_ERR_IO naming the file. */
int rtm_sha256_file(const char *path, char hex[RTM_SHA256_HEX], long long *size,
                    rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
