/* sha256.c: SHA-256 (FIPS 180-4) through OpenSSL libcrypto's EVP digest
 * API (see core/sha256.h). The EVP interface is the one OpenSSL 3 keeps
 * undeprecated; EVP_sha256() picks the fastest implementation for the CPU
 * (SHA-NI, AVX2, ...), several times faster than portable C. */
#include "core/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int rtm_sha256_init(rtm_sha256_ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    c->nbytes = 0;
    c->failed = 0;
    c->md = md;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        rtm_sha256_abort(c);
        c->failed = 1;
        return RTM_ERR_NOMEM;
    }
    return 0;
}

void rtm_sha256_update(rtm_sha256_ctx *c, const void *data, size_t len)
{
    if (!c->md || len == 0)
        return;
    if (EVP_DigestUpdate(c->md, data, len) != 1)
        c->failed = 1;
    c->nbytes += len;
}

int rtm_sha256_final(rtm_sha256_ctx *c, unsigned char out[RTM_SHA256_LEN])
{
    unsigned int n = 0;
    int ok = c->md && !c->failed && EVP_DigestFinal_ex(c->md, out, &n) == 1 &&
             n == RTM_SHA256_LEN;
    rtm_sha256_abort(c);
    if (!ok) {
        memset(out, 0, RTM_SHA256_LEN);
        c->failed = 1;
        return RTM_ERR_NOMEM;
    }
    return 0;
}

void rtm_sha256_abort(rtm_sha256_ctx *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
}

void rtm_sha256_to_hex(const unsigned char d[RTM_SHA256_LEN], char hex[RTM_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < RTM_SHA256_LEN; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

int rtm_sha256_hex(const void *data, size_t len, char hex[RTM_SHA256_HEX])
{
    unsigned char d[RTM_SHA256_LEN];
    unsigned int n = 0;
    /* one call: EVP_Digest sets up and frees its own context */
    if (EVP_Digest(data, len, d, &n, EVP_sha256(), NULL) != 1 || n != RTM_SHA256_LEN) {
        hex[0] = '\0';
        return RTM_ERR_NOMEM;
    }
    rtm_sha256_to_hex(d, hex);
    return 0;
}

int rtm_sha256_file(const char *path, char hex[RTM_SHA256_HEX], long long *size,
                    rtm_error *err)
{
    unsigned char buf[65536], d[RTM_SHA256_LEN];
    rtm_sha256_ctx c;
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f)
        return rtm_error_set(err, RTM_ERR_IO, "sha256: cannot open '%s': %s", path,
                             strerror(errno));
    if (rtm_sha256_init(&c) != 0) {
        fclose(f);
        return rtm_error_set(err, RTM_ERR_NOMEM, "sha256: out of memory hashing '%s'", path);
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        rtm_sha256_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        rtm_sha256_abort(&c);
        return rtm_error_set(err, RTM_ERR_IO, "sha256: cannot read '%s'", path);
    }
    long long nbytes = (long long)c.nbytes;
    if (rtm_sha256_final(&c, d) != 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "sha256: cannot hash '%s'", path);
    if (size)
        *size = nbytes;
    rtm_sha256_to_hex(d, hex);
    return 0;
}
