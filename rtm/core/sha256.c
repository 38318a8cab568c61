/* sha256.c: SHA-256 as specified in FIPS 180-4 (NIST, August 2015),
 * sections 4.1.2 (functions), 4.2.2 (constants), 5.1.1 (padding),
 * 5.3.3 (initial hash value) and 6.2.2 (hash computation). */
#include "core/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* FIPS 180-4 section 4.1.2, equations 4.2 to 4.7 */
static uint32_t ch(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static uint32_t maj(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (x & z) ^ (y & z); }
static uint32_t big_s0(uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static uint32_t big_s1(uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static uint32_t small_s0(uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static uint32_t small_s1(uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

void rtm_sha256_init(rtm_sha256_ctx *c)
{
    /* FIPS 180-4 section 5.3.3 */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof h0);
    c->nbytes = 0;
    c->fill = 0;
}

/* FIPS 180-4 section 6.2.2: one 512-bit block. */
static void compress(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, hh;
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++)
        w[t] = small_s1(w[t - 2]) + w[t - 7] + small_s0(w[t - 15]) + w[t - 16];
    a = h[0]; b = h[1]; cc = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = hh + big_s1(e) + ch(e, f, g) + K[t] + w[t];
        uint32_t t2 = big_s0(a) + maj(a, b, cc);
        hh = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += cc; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void rtm_sha256_update(rtm_sha256_ctx *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->nbytes += len;
    if (c->fill) {
        size_t n = 64 - c->fill < len ? 64 - c->fill : len;
        memcpy(c->block + c->fill, p, n);
        c->fill += n;
        p += n;
        len -= n;
        if (c->fill < 64)
            return;
        compress(c->h, c->block);
        c->fill = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(c->h, p);
    if (len) {
        memcpy(c->block, p, len);
        c->fill = len;
    }
}

void rtm_sha256_final(rtm_sha256_ctx *c, unsigned char out[RTM_SHA256_LEN])
{
    /* FIPS 180-4 section 5.1.1: append 1 bit, zeros, then the 64-bit length */
    uint64_t bits = c->nbytes * 8;
    unsigned char pad[72] = {0x80};
    size_t npad = (c->fill < 56 ? 56 : 120) - c->fill;
    for (int i = 0; i < 8; i++)
        pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
    rtm_sha256_update(c, pad, npad + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
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

void rtm_sha256_hex(const void *data, size_t len, char hex[RTM_SHA256_HEX])
{
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    rtm_sha256_init(&c);
    rtm_sha256_update(&c, data, len);
    rtm_sha256_final(&c, d);
    rtm_sha256_to_hex(d, hex);
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
    rtm_sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        rtm_sha256_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return rtm_error_set(err, RTM_ERR_IO, "sha256: cannot read '%s'", path);
    if (size)
        *size = (long long)c.nbytes;
    rtm_sha256_final(&c, d);
    rtm_sha256_to_hex(d, hex);
    return 0;
}
