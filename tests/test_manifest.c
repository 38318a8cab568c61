/* test_manifest.c: manifest.json contents and the derived-file cache. */
#include "run/cache.h"
#include "run/manifest.h"
#include "run/runfolder.h"
#include <sys/time.h>
#include <time.h>
#include "rtm_test.h"

#include <unistd.h>

static char dir[64];

static char *file(const char *name, const char *content)
{
    static char p[8][160];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    if (content) {
        FILE *f = fopen(p[k], "wb");
        if (f) {
            fputs(content, f);
            fclose(f);
        }
    }
    return p[k];
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

/* "abc" hashes to the FIPS 180-4 example digest */
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void test_manifest(void)
{
    rtm_error e;
    char sha[RTM_SHA256_HEX] = "";
    rtm_manifest *m = rtm_manifest_new("nte \"violence\"");
    RTM_CHECK(m != NULL);
    if (!m)
        return;
    rtm_manifest_set_run(m, "000001-20180601T020000Z", "2018-06-01", "2018-06-01T02:00:00Z",
                         NULL);
    RTM_CHECK(rtm_manifest_add_input(m, "offences", file("crimes.csv", "abc"), sha, &e) == 0);
    RTM_CHECK(strcmp(sha, ABC_SHA) == 0);
    RTM_CHECK(rtm_manifest_add_input(m, "again", file("crimes.csv", NULL), NULL, &e) == 0);
    RTM_CHECK(rtm_manifest_add_input(m, "x", file("missing.csv", NULL), NULL, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "missing.csv") != NULL);
    RTM_CHECK(rtm_manifest_add_output(m, "kde.tif", file("kde.tif", ""), &e) == 0);
    rtm_manifest_param_num(m, "kde.radius", 400);
    rtm_manifest_param(m, "kde.kernel", "quartic");
    rtm_manifest_count(m, "offences.read", 13857);
    rtm_manifest_count(m, "offences.skipped.no_coordinates", 12);
    rtm_manifest_count(m, "offences.read", 13858); /* replaces */
    rtm_manifest_timing(m, "kde", 0.25);
    RTM_CHECK(rtm_manifest_write(m, file("manifest.json", NULL), &e) == 0);
    const char *t = slurp(file("manifest.json", NULL));
    RTM_CHECK(strstr(t, "\"job\": \"nte \\\"violence\\\"\"") != NULL);
    RTM_CHECK(strstr(t, "\"version\": \"") != NULL);
    RTM_CHECK(strstr(t, "\"run_date\": \"2018-06-01\"") && strstr(t, "\"finished\": null"));
    RTM_CHECK(strstr(t, "\"role\": \"offences\"") && strstr(t, "\"sha256\": \"" ABC_SHA "\""));
    RTM_CHECK(strstr(t, "\"role\": \"again\"") == NULL); /* same path listed once */
    RTM_CHECK(strstr(t, "\"bytes\": 3") != NULL);
    /* empty file: the SHA-256 of the empty message */
    RTM_CHECK(strstr(t, "\"name\": \"kde.tif\"") &&
              strstr(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    RTM_CHECK(strstr(t, "\"kde.radius\": 400") && strstr(t, "\"kde.kernel\": \"quartic\""));
    RTM_CHECK(strstr(t, "\"offences.read\": 13858") && !strstr(t, "13857"));
    RTM_CHECK(strstr(t, "\"offences.skipped.no_coordinates\": 12") != NULL);
    RTM_CHECK(strstr(t, "\"timings_s\": {\n    \"kde\": 0.25\n  }") != NULL);
    RTM_CHECK(rtm_manifest_write(m, "/nonexistent-dir/m.json", &e) == RTM_ERR_IO);
    rtm_manifest_free(m);
    rtm_manifest_free(NULL);
}

static void test_cache_key(void)
{
    const char *in[] = {ABC_SHA, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
    char k1[RTM_SHA256_HEX], k2[RTM_SHA256_HEX], ref[RTM_SHA256_HEX], msg[400];
    rtm_cache_key(2, in, "radius=400\nkernel=quartic\n", k1);
    /* the documented construction, hashed independently */
    snprintf(msg, sizeof msg, "rtm-cache-v1\n%s\n%s\nradius=400\nkernel=quartic\n", in[0], in[1]);
    rtm_sha256_hex(msg, strlen(msg), ref);
    RTM_CHECK(strcmp(k1, ref) == 0);
    rtm_cache_key(2, in, "radius=401\nkernel=quartic\n", k2);
    RTM_CHECK(strcmp(k1, k2) != 0);
    const char *swapped[] = {in[1], in[0]};
    rtm_cache_key(2, swapped, "radius=400\nkernel=quartic\n", k2);
    RTM_CHECK(strcmp(k1, k2) != 0);
    rtm_cache_key(0, NULL, NULL, k2);
    rtm_sha256_hex("rtm-cache-v1\n", 13, ref);
    RTM_CHECK(strcmp(k2, ref) == 0);
}

static void test_cache_store_fetch(void)
{
    rtm_error e;
    char key[RTM_SHA256_HEX], cache[128];
    snprintf(cache, sizeof cache, "%s/cache/sub", dir);
    rtm_cache_key(0, NULL, "x=1\n", key);
    RTM_CHECK(!rtm_cache_has(cache, key, "tif"));
    RTM_CHECK(rtm_cache_fetch(cache, key, "tif", file("out.tif", NULL), &e) == RTM_CACHE_MISS);
    RTM_CHECK(rtm_cache_store(cache, key, "tif", file("surface.tif", "surface bytes"), &e) == 0);
    RTM_CHECK(rtm_cache_has(cache, key, "tif"));
    RTM_CHECK(rtm_cache_fetch(cache, key, "tif", file("out.tif", NULL), &e) == 0);
    RTM_CHECK(strcmp(slurp(file("out.tif", NULL)), "surface bytes") == 0);
    char *p = rtm_cache_entry(cache, key, "tif");
    RTM_CHECK(p && strstr(p, key) && strcmp(p + strlen(p) - 4, ".tif") == 0);
    free(p);
    RTM_CHECK(rtm_cache_store(cache, key, "tif", file("nope.tif", NULL), &e) == RTM_ERR_IO);
    RTM_CHECK(rtm_cache_has(cache, key, "tif")); /* a failed store keeps the entry */
}

/* Pruning removes entries unused for longer than the limit, keeps others. */
static void test_cache_prune(void)
{
    char dir[] = "/tmp/rtm_prune_XXXXXX", a[64], b[64];
    struct timeval old[2];
    FILE *fp;
    RTM_CHECK(mkdtemp(dir) != NULL);
    snprintf(a, sizeof a, "%s/old.f64", dir);
    snprintf(b, sizeof b, "%s/new.f64", dir);
    if ((fp = fopen(a, "w")))
        fclose(fp);
    if ((fp = fopen(b, "w")))
        fclose(fp);
    old[0].tv_sec = old[1].tv_sec = time(NULL) - 100 * 86400;
    old[0].tv_usec = old[1].tv_usec = 0;
    RTM_CHECK(utimes(a, old) == 0);
    RTM_CHECK(rtm_cache_prune(dir, 90 * 86400.0) == 1);
    RTM_CHECK(access(a, F_OK) != 0 && access(b, F_OK) == 0);
    /* a touched entry is young again */
    RTM_CHECK(utimes(b, old) == 0);
    rtm_cache_touch(b);
    RTM_CHECK(rtm_cache_prune(dir, 90 * 86400.0) == 0);
    RTM_CHECK(rtm_cache_prune("/nonexistent/dir", 1) == 0);
    unlink(b);
    rmdir(dir);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/rtm_manifest_XXXXXX");
    if (!mkdtemp(dir)) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RTM_RUN(test_manifest);
    RTM_RUN(test_cache_key);
    RTM_RUN(test_cache_store_fetch);
    RTM_RUN(test_cache_prune);
    rtm_rmtree(dir);
    return RTM_TEST_END();
}
