/* test_cache.c: cache entries are verified against the SHA-256 recorded
 * when they were stored. A same-size change of one byte (the tampering the
 * old size check could not see) must read as a miss and remove the entry;
 * an untouched entry must come back byte for byte. */
#include "run/cache.h"
#include "run/runfolder.h"
#include "rtm_test.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static const char KEY[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static int write_bytes(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, n, f);
    return (fclose(f) != 0 || w != n) ? -1 : 0;
}

static long read_bytes(const char *p, void *buf, size_t n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    size_t r = fread(buf, 1, n, f);
    fclose(f);
    return (long)r;
}

/* Flip one byte of the file at offset off, keeping its size. */
static int tamper(const char *p, long off)
{
    FILE *f = fopen(p, "r+b");
    int c;
    if (!f)
        return -1;
    fseek(f, off, SEEK_SET);
    c = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(c ^ 0x01, f);
    return fclose(f);
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static void fill(unsigned char *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)((i * 131u + seed) >> 3);
}

/* store a file; fetch it untouched (hit, identical); tamper; fetch (miss,
 * entry and checksum removed, destination left alone) */
static void test_fetch_verified(void)
{
    static unsigned char data[100000], back[100001];
    char src[300], dst[300], cdir[300];
    rtm_error e;
    snprintf(src, sizeof src, "%s/src.tif", dir);
    snprintf(dst, sizeof dst, "%s/dst.tif", dir);
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
    fill(data, sizeof data, 7);
    RTM_CHECK(write_bytes(src, data, sizeof data) == 0);
    RTM_CHECK(rtm_cache_store(cdir, KEY, "out.risk.tif", src, &e) == 0);
    char *entry = rtm_cache_entry(cdir, KEY, "out.risk.tif"), sum[400];
    snprintf(sum, sizeof sum, "%s.sha256", entry);
    RTM_CHECK(exists(entry) && exists(sum));
    RTM_CHECK(rtm_cache_has(cdir, KEY, "out.risk.tif"));

    RTM_CHECK(rtm_cache_fetch(cdir, KEY, "out.risk.tif", dst, &e) == 0);
    RTM_CHECK(read_bytes(dst, back, sizeof back) == (long)sizeof data);
    RTM_CHECK(memcmp(back, data, sizeof data) == 0);

    RTM_CHECK(write_bytes(dst, "previous", 8) == 0);
    RTM_CHECK(tamper(entry, 50000) == 0);
    struct stat st;
    RTM_CHECK(stat(entry, &st) == 0 && st.st_size == (off_t)sizeof data); /* same size */
    RTM_CHECK(rtm_cache_fetch(cdir, KEY, "out.risk.tif", dst, &e) == RTM_CACHE_MISS);
    RTM_CHECK(e.code == RTM_OK && strstr(e.msg, "does not match its checksum"));
    RTM_CHECK(!exists(entry) && !exists(sum));
    RTM_CHECK(read_bytes(dst, back, sizeof back) == 8 && memcmp(back, "previous", 8) == 0);
    /* and now it is simply absent */
    RTM_CHECK(rtm_cache_fetch(cdir, KEY, "out.risk.tif", dst, &e) == RTM_CACHE_MISS);
    RTM_CHECK(!rtm_cache_has(cdir, KEY, "out.risk.tif"));
    free(entry);
}

/* raw arrays (distance surfaces): load verifies size and checksum */
static void test_load_verified(void)
{
    double v[500], w[500];
    char cdir[300];
    rtm_error e;
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
    for (int i = 0; i < 500; i++)
        v[i] = i * 0.25;
    RTM_CHECK(rtm_cache_store_data(cdir, KEY, "f64", v, sizeof v, &e) == 0);
    RTM_CHECK(rtm_cache_load(cdir, KEY, "f64", w, sizeof w, &e) == 0);
    RTM_CHECK(memcmp(v, w, sizeof v) == 0);
    /* wrong expected size: a miss (another grid), entry dropped */
    RTM_CHECK(rtm_cache_load(cdir, KEY, "f64", w, sizeof w - 8, &e) == RTM_CACHE_MISS);
    RTM_CHECK(!rtm_cache_has(cdir, KEY, "f64"));
    /* one byte changed, same size */
    RTM_CHECK(rtm_cache_store_data(cdir, KEY, "f64", v, sizeof v, &e) == 0);
    char *entry = rtm_cache_entry(cdir, KEY, "f64");
    RTM_CHECK(tamper(entry, 8 * 123 + 3) == 0);
    RTM_CHECK(rtm_cache_load(cdir, KEY, "f64", w, sizeof w, &e) == RTM_CACHE_MISS);
    RTM_CHECK(strstr(e.msg, "does not match its checksum") && strstr(e.msg, entry));
    RTM_CHECK(!exists(entry));
    free(entry);
}

/* entries written in place by the caller (.vars): unsealed = miss; sealed =
 * verified; tampered after sealing = miss and removed */
static void test_verify_and_seal(void)
{
    unsigned char data[4096];
    char cdir[300];
    rtm_error e;
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
    fill(data, sizeof data, 3);
    char *entry = rtm_cache_entry(cdir, KEY, "vars");
    RTM_CHECK(rtm_mkdirs(cdir) == 0 && write_bytes(entry, data, sizeof data) == 0);
    RTM_CHECK(rtm_cache_verify(cdir, KEY, "vars", &e) == RTM_CACHE_MISS);
    RTM_CHECK(strstr(e.msg, "has no checksum") && !exists(entry)); /* e.g. an old cache */
    RTM_CHECK(write_bytes(entry, data, sizeof data) == 0);
    RTM_CHECK(rtm_cache_seal(cdir, KEY, "vars", &e) == 0);
    RTM_CHECK(rtm_cache_verify(cdir, KEY, "vars", &e) == 0);
    RTM_CHECK(tamper(entry, 0) == 0);
    RTM_CHECK(rtm_cache_verify(cdir, KEY, "vars", &e) == RTM_CACHE_MISS && !exists(entry));
    RTM_CHECK(rtm_cache_verify(cdir, KEY, "vars", &e) == RTM_CACHE_MISS);
    free(entry);
}

/* a forged checksum file, or an entry swapped for a symbolic link, is not
 * trusted either */
static void test_forged(void)
{
    unsigned char data[1000], back[1000];
    char cdir[300], src[300], dst[300], sum[400], other[300];
    rtm_error e;
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
    snprintf(src, sizeof src, "%s/src2", dir);
    snprintf(dst, sizeof dst, "%s/dst2", dir);
    snprintf(other, sizeof other, "%s/other", dir);
    fill(data, sizeof data, 11);
    RTM_CHECK(write_bytes(src, data, sizeof data) == 0);
    RTM_CHECK(rtm_cache_store(cdir, KEY, "png", src, &e) == 0);
    char *entry = rtm_cache_entry(cdir, KEY, "png");
    snprintf(sum, sizeof sum, "%s.sha256", entry);
    RTM_CHECK(write_bytes(sum, "not a checksum\n", 15) == 0);
    RTM_CHECK(rtm_cache_fetch(cdir, KEY, "png", dst, &e) == RTM_CACHE_MISS && !exists(dst));
    RTM_CHECK(rtm_cache_store(cdir, KEY, "png", src, &e) == 0);
    RTM_CHECK(write_bytes(other, data, sizeof data) == 0 && unlink(entry) == 0 &&
              symlink(other, entry) == 0);
    RTM_CHECK(rtm_cache_fetch(cdir, KEY, "png", dst, &e) == RTM_CACHE_MISS && !exists(dst));
    RTM_CHECK(read_bytes(other, back, sizeof back) == (long)sizeof data);
    free(entry);
}

/* pruning removes old entries with their checksums, and orphan checksums */
static void test_prune(void)
{
    char cdir[300], orphan[400];
    unsigned char b[16] = {1, 2, 3};
    rtm_error e;
    snprintf(cdir, sizeof cdir, "%s/prune", dir);
    RTM_CHECK(rtm_cache_store_data(cdir, KEY, "f64", b, sizeof b, &e) == 0);
    snprintf(orphan, sizeof orphan, "%s/%s.gone.sha256", cdir, KEY);
    RTM_CHECK(write_bytes(orphan, "x", 1) == 0);
    /* temporary directories: one left by a killed process, one in use */
    char stale[400], fresh[400], inner[500];
    struct timeval old[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
    snprintf(stale, sizeof stale, "%s/.%s.f64.Ab12Cd", cdir, KEY);
    snprintf(fresh, sizeof fresh, "%s/.%s.f64.Ef34Gh", cdir, KEY);
    snprintf(inner, sizeof inner, "%s/%s.f64", stale, KEY);
    RTM_CHECK(mkdir(stale, 0700) == 0 && mkdir(fresh, 0700) == 0);
    RTM_CHECK(write_bytes(inner, b, sizeof b) == 0 && utimes(stale, old) == 0);
    RTM_CHECK(rtm_cache_prune(cdir, 1e9) == 0); /* recent: kept */
    RTM_CHECK(rtm_cache_has(cdir, KEY, "f64") && !exists(orphan));
    RTM_CHECK(!exists(stale) && exists(fresh));
    rmdir(fresh);
    /* everything is "old" (by far: time() may read a coarse clock a second
     * behind the file system's stamp of the entry just written) */
    RTM_CHECK(rtm_cache_prune(cdir, -1e9) == 1);
    RTM_CHECK(!rtm_cache_has(cdir, KEY, "f64"));
    char *entry = rtm_cache_entry(cdir, KEY, "f64"), sum[400];
    snprintf(sum, sizeof sum, "%s.sha256", entry);
    RTM_CHECK(!exists(entry) && !exists(sum));
    free(entry);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "cache"))
        return 1;
    RTM_RUN(test_fetch_verified);
    RTM_RUN(test_load_verified);
    RTM_RUN(test_verify_and_seal);
    RTM_RUN(test_forged);
    RTM_RUN(test_prune);
    rtm_rmtree(dir);
    return RTM_TEST_END();
}
