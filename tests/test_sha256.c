/* test_sha256.c: SHA-256 against the FIPS 180-4 / NIST example vectors,
 * incremental hashing in odd chunk sizes, and files against coreutils. */
#include "core/sha256.h"
#include "rtm_test.h"

#include <unistd.h>

/* NIST CSRC "Examples with intermediate values" for SHA-256 (FIPS 180-2 appendix B)
 * and the empty-message digest. */
static const struct {
    const char *msg;
    const char *hex;
} vectors[] = {
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklm"
     "nopqrlmnopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_vectors(void)
{
    char hex[RTM_SHA256_HEX];
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        rtm_sha256_hex(vectors[i].msg, strlen(vectors[i].msg), hex);
        RTM_CHECK(strcmp(hex, vectors[i].hex) == 0);
    }
}

/* one million 'a' (FIPS 180-2 appendix B.3), fed in chunks of 1..97 bytes */
static void test_million_a(void)
{
    static char a[1000000];
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    char hex[RTM_SHA256_HEX];
    memset(a, 'a', sizeof a);
    rtm_sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < sizeof a) {
        size_t n = step < sizeof a - off ? step : sizeof a - off;
        rtm_sha256_update(&c, a + off, n);
        off += n;
        step = step % 97 + 1;
    }
    rtm_sha256_final(&c, d);
    rtm_sha256_to_hex(d, hex);
    RTM_CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    rtm_sha256_hex(a, sizeof a, hex);
    RTM_CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
}

/* padding boundaries: lengths 55, 56, 63, 64, 65 chunked vs one shot */
static void test_boundaries(void)
{
    unsigned char buf[200];
    for (int i = 0; i < 200; i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    int lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char h1[RTM_SHA256_HEX], h2[RTM_SHA256_HEX];
        unsigned char d[RTM_SHA256_LEN];
        rtm_sha256_ctx c;
        rtm_sha256_hex(buf, (size_t)lens[k], h1);
        rtm_sha256_init(&c);
        for (int i = 0; i < lens[k]; i++)
            rtm_sha256_update(&c, buf + i, 1);
        rtm_sha256_final(&c, d);
        rtm_sha256_to_hex(d, h2);
        RTM_CHECK(strcmp(h1, h2) == 0);
    }
}

/* streaming: two digests updated alternately (independent contexts), empty
 * updates with NULL data, and a context dropped with abort; the results are
 * the FIPS 180-2 appendix B.1 and B.2 digests */
static void test_streaming(void)
{
    const char *m1 = "abc", *m2 = vectors[2].msg;
    size_t l2 = strlen(m2);
    rtm_sha256_ctx a, b, dropped;
    unsigned char d[RTM_SHA256_LEN];
    char hex[RTM_SHA256_HEX];
    RTM_CHECK(rtm_sha256_init(&a) == 0);
    RTM_CHECK(rtm_sha256_init(&b) == 0);
    RTM_CHECK(rtm_sha256_init(&dropped) == 0);
    rtm_sha256_update(&dropped, "x", 1);
    rtm_sha256_abort(&dropped);
    rtm_sha256_abort(&dropped); /* twice is harmless */
    for (size_t i = 0; i < l2; i++) {
        if (i < 3)
            rtm_sha256_update(&a, m1 + i, 1);
        rtm_sha256_update(&b, NULL, 0);
        rtm_sha256_update(&b, m2 + i, 1);
    }
    RTM_CHECK(a.nbytes == 3 && b.nbytes == l2);
    RTM_CHECK(rtm_sha256_final(&a, d) == 0);
    rtm_sha256_to_hex(d, hex);
    RTM_CHECK(strcmp(hex, vectors[0].hex) == 0);
    RTM_CHECK(rtm_sha256_final(&b, d) == 0);
    rtm_sha256_to_hex(d, hex);
    RTM_CHECK(strcmp(hex, vectors[2].hex) == 0);
    /* a finished context is released: finishing again fails, never a digest */
    RTM_CHECK(rtm_sha256_final(&b, d) == RTM_ERR_NOMEM);
    RTM_CHECK(d[0] == 0 && d[31] == 0);
}

/* a file hashed by rtm and by coreutils sha256sum (an independent implementation) */
static void test_file(void)
{
    char path[] = "/tmp/rtm_sha256_XXXXXX";
    int fd = mkstemp(path);
    RTM_CHECK(fd >= 0);
    if (fd < 0)
        return;
    unsigned char buf[100000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)((i * 2654435761u) >> 13);
    RTM_CHECK(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    close(fd);
    char hex[RTM_SHA256_HEX], ref[RTM_SHA256_HEX], mem[RTM_SHA256_HEX];
    long long size = 0;
    rtm_error e;
    RTM_CHECK(rtm_sha256_file(path, hex, &size, &e) == 0);
    RTM_CHECK(size == (long long)sizeof buf);
    rtm_sha256_hex(buf, sizeof buf, mem);
    RTM_CHECK(strcmp(hex, mem) == 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "sha256sum %s 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (p) {
        if (fscanf(p, "%64s", ref) == 1)
            RTM_CHECK(strcmp(hex, ref) == 0);
        pclose(p);
    }
    unlink(path);
    RTM_CHECK(rtm_sha256_file(path, hex, NULL, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, path) != NULL);
}

int main(void)
{
    RTM_RUN(test_vectors);
    RTM_RUN(test_million_a);
    RTM_RUN(test_boundaries);
    RTM_RUN(test_streaming);
    RTM_RUN(test_file);
    return RTM_TEST_END();
}
