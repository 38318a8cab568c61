/* rtm_test.h: a minimal table-friendly test harness.
 *
 * Each test file defines test functions and a main that calls RTM_RUN(fn) for
 * each, then returns RTM_TEST_END(). Checks carry explicit tolerances.
 * The closing line is "N passed, N failed" (read by run-tests.sh and CI).
 */
#ifndef RTM_TEST_H
#define RTM_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

static int rtm_t_pass, rtm_t_fail, rtm_t_cur_fail;
static const char *rtm_t_name = "";

#define RTM_CHECK(cond)                                                           \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "FAIL %s (%s:%d): %s\n", rtm_t_name, __FILE__, __LINE__, \
                    #cond);                                                       \
            rtm_t_cur_fail++;                                                     \
        }                                                                         \
    } while (0)

/* |a - b| <= tol */
#define RTM_CHECK_NEAR(a, b, tol)                                                 \
    do {                                                                          \
        double rtm_a_ = (a), rtm_b_ = (b), rtm_tol_ = (tol);                      \
        if (!(fabs(rtm_a_ - rtm_b_) <= rtm_tol_)) {                               \
            fprintf(stderr, "FAIL %s (%s:%d): %s = %.17g, %s = %.17g, tol %g\n",  \
                    rtm_t_name, __FILE__, __LINE__, #a, rtm_a_, #b, rtm_b_, rtm_tol_); \
            rtm_t_cur_fail++;                                                     \
        }                                                                         \
    } while (0)

/* relative: |a - b| <= tol * max(|b|, floor) */
#define RTM_CHECK_REL(a, b, tol, floor_)                                          \
    do {                                                                          \
        double rtm_a_ = (a), rtm_b_ = (b);                                        \
        double rtm_s_ = fabs(rtm_b_) > (floor_) ? fabs(rtm_b_) : (floor_);        \
        if (!(fabs(rtm_a_ - rtm_b_) <= (tol) * rtm_s_)) {                         \
            fprintf(stderr, "FAIL %s (%s:%d): %s = %.17g, %s = %.17g, rel tol %g\n", \
                    rtm_t_name, __FILE__, __LINE__, #a, rtm_a_, #b, rtm_b_, (double)(tol)); \
            rtm_t_cur_fail++;                                                     \
        }                                                                         \
    } while (0)

#define RTM_RUN(fn)                                                               \
    do {                                                                          \
        rtm_t_name = #fn;                                                         \
        rtm_t_cur_fail = 0;                                                       \
        fn();                                                                     \
        if (rtm_t_cur_fail) {                                                     \
            rtm_t_fail++;                                                         \
            printf("not ok - %s\n", #fn);                                         \
        } else {                                                                  \
            rtm_t_pass++;                                                         \
            printf("ok - %s\n", #fn);                                             \
        }                                                                         \
    } while (0)

#define RTM_TEST_END() (printf("%d passed, %d failed\n", rtm_t_pass, rtm_t_fail), rtm_t_fail ? 1 : 0)

/* Deterministic pseudo-random numbers for test data: SplitMix64 (Steele,
 * Lea & Flood 2014, with Vigna's constants). Set rtm_t_rng to seed. */
static unsigned long long rtm_t_rng;
static inline unsigned long long rtm_t_next(void)
{
    unsigned long long z = (rtm_t_rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 53 bits. */
static inline double rtm_t_urand(void)
{
    return (double)(rtm_t_next() >> 11) * 0x1.0p-53;
}

/* A fresh directory $TMPDIR/rtm-TAG-XXXXXX (/tmp without TMPDIR) into dir
 * (size sz). Returns 0, or -1 after reporting why. */
static inline int rtm_t_tmpdir(char *dir, size_t sz, const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, sz, "%s/rtm-%s-XXXXXX", t && *t ? t : "/tmp", tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Remove dir and the files directly inside it. */
static inline void rtm_t_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* 1 when files a and b both exist and hold the same bytes. */
static inline int rtm_t_same_file(const char *a, const char *b)
{
    FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
    unsigned char x[65536], y[65536];
    size_t n = 1, m = 1;
    int same = f && g;
    while (same && n > 0) {
        n = fread(x, 1, sizeof x, f);
        m = fread(y, 1, sizeof y, g);
        same = n == m && memcmp(x, y, n) == 0;
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    return same;
}

/* Directory holding test fixtures (tests/data), overridable by RTM_TEST_DATA. */
static inline const char *rtm_test_data(void)
{
    const char *d = getenv("RTM_TEST_DATA");
    return d ? d : "tests/data";
}

#endif
