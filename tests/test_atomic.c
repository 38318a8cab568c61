/* test_atomic.c: atomic replacement leaves either the old or the new file and
 * never a temporary file, including when a write fails part-way (the file
 * size limit RLIMIT_FSIZE makes write(2) fail with EFBIG). */
#include "core/atomic.h"
#include "rtm_test.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* Whole content of a file into buf (NUL-terminated); returns length or -1. */
static long slurp(const char *p, char *buf, size_t n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    size_t r = fread(buf, 1, n - 1, f);
    buf[r] = '\0';
    fclose(f);
    return (long)r;
}

/* Number of entries in dir whose name contains ".tmp.". */
static int count_temps(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_tmpname(void)
{
    char t1[RTM_ATOMIC_PATH_MAX], t2[RTM_ATOMIC_PATH_MAX];
    rtm_error e;
    RTM_CHECK(rtm_atomic_tmpname("out/risk.tif", t1, sizeof t1, &e) == 0);
    RTM_CHECK(rtm_atomic_tmpname("out/risk.tif", t2, sizeof t2, &e) == 0);
    RTM_CHECK(strncmp(t1, "out/.risk.tmp.", 14) == 0);
    RTM_CHECK(strlen(t1) > 4 && strcmp(t1 + strlen(t1) - 4, ".tif") == 0);
    RTM_CHECK(strcmp(t1, t2) != 0);
    RTM_CHECK(rtm_atomic_tmpname("noext", t1, sizeof t1, &e) == 0);
    RTM_CHECK(strncmp(t1, ".noext.tmp.", 11) == 0 && strchr(t1 + 11, '/') == NULL);
    RTM_CHECK(rtm_atomic_tmpname("a.b/c", t1, sizeof t1, &e) == 0);
    RTM_CHECK(strncmp(t1, "a.b/.c.tmp.", 11) == 0);
    RTM_CHECK(rtm_atomic_tmpname("out/", t1, sizeof t1, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_atomic_tmpname("", t1, sizeof t1, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_atomic_tmpname("out/risk.tif", t1, 10, &e) == RTM_ERR_ARG);
}

static void test_write_replace(void)
{
    char p[512], buf[256];
    rtm_error e;
    path_in(p, sizeof p, "a.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "first", 5, &e) == 0);
    RTM_CHECK(slurp(p, buf, sizeof buf) == 5 && strcmp(buf, "first") == 0);
    RTM_CHECK(rtm_atomic_write_text(p, "second!", 7, &e) == 0);
    RTM_CHECK(slurp(p, buf, sizeof buf) == 7 && strcmp(buf, "second!") == 0);
    RTM_CHECK(rtm_atomic_write_text(p, "", 0, &e) == 0);
    RTM_CHECK(slurp(p, buf, sizeof buf) == 0);
    RTM_CHECK(count_temps() == 0);
}

static void test_write_failures(void)
{
    char p[512], q[512], buf[256];
    rtm_error e;
    /* missing directory: the message names the destination */
    path_in(p, sizeof p, "no-such-dir/x.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "x", 1, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, p) != NULL);
    /* parent is a regular file */
    path_in(q, sizeof q, "plain");
    RTM_CHECK(rtm_atomic_write_text(q, "keep", 4, &e) == 0);
    path_in(p, sizeof p, "plain/x.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "x", 1, &e) == RTM_ERR_IO);
    /* destination is a directory: rename fails, temp removed */
    path_in(p, sizeof p, "subdir");
    RTM_CHECK(mkdir(p, 0777) == 0);
    RTM_CHECK(rtm_atomic_write_text(p, "x", 1, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "subdir") != NULL);
    RTM_CHECK(count_temps() == 0);
    rmdir(p);
    RTM_CHECK(slurp(q, buf, sizeof buf) == 4 && strcmp(buf, "keep") == 0);
}

/* A write that fails part-way (file size limit) keeps the old file. */
static void test_failed_write_keeps_old(void)
{
    char p[512], buf[8192];
    static char big[6000];
    rtm_error e;
    struct rlimit old, lim;
    path_in(p, sizeof p, "old.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "old content", 11, &e) == 0);
    memset(big, 'n', sizeof big);
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    RTM_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    int rc = rtm_atomic_write_text(p, big, sizeof big, &e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    RTM_CHECK(rc == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "old.txt") != NULL);
    RTM_CHECK(slurp(p, buf, sizeof buf) == 11 && strcmp(buf, "old content") == 0);
    RTM_CHECK(count_temps() == 0);
}

static int write_file(const char *p, const char *s)
{
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    fputs(s, f);
    return fclose(f);
}

static void test_set(void)
{
    char a[512], b[512], buf[256];
    rtm_atomic_set s;
    rtm_error e;
    path_in(a, sizeof a, "set.tif");
    path_in(b, sizeof b, "set.qml");
    RTM_CHECK(rtm_atomic_write_text(a, "A0", 2, &e) == 0);
    RTM_CHECK(rtm_atomic_write_text(b, "B0", 2, &e) == 0);

    /* abort: both old files intact, no temps */
    rtm_atomic_set_init(&s);
    const char *ta = rtm_atomic_set_add(&s, a, &e);
    const char *tb = rtm_atomic_set_add(&s, b, &e);
    RTM_CHECK(ta && tb && write_file(ta, "A1") == 0 && write_file(tb, "B1") == 0);
    RTM_CHECK(rtm_atomic_set_add(&s, a, &e) == NULL); /* same output twice */
    rtm_atomic_set_abort_all(&s);
    RTM_CHECK(s.n == 0 && count_temps() == 0);
    RTM_CHECK(slurp(a, buf, sizeof buf) == 2 && strcmp(buf, "A0") == 0);
    RTM_CHECK(slurp(b, buf, sizeof buf) == 2 && strcmp(buf, "B0") == 0);

    /* one temp never written: commit_all changes nothing */
    rtm_atomic_set_init(&s);
    ta = rtm_atomic_set_add(&s, a, &e);
    tb = rtm_atomic_set_add(&s, b, &e);
    RTM_CHECK(ta && tb && write_file(ta, "A2") == 0);
    RTM_CHECK(rtm_atomic_set_commit_all(&s, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "set.qml") != NULL);
    RTM_CHECK(count_temps() == 0);
    RTM_CHECK(slurp(a, buf, sizeof buf) == 2 && strcmp(buf, "A0") == 0);

    /* success: both replaced */
    rtm_atomic_set_init(&s);
    ta = rtm_atomic_set_add(&s, a, &e);
    tb = rtm_atomic_set_add(&s, b, &e);
    RTM_CHECK(ta && tb && write_file(ta, "A3") == 0 && write_file(tb, "B3") == 0);
    RTM_CHECK(rtm_atomic_set_commit_all(&s, &e) == 0);
    RTM_CHECK(slurp(a, buf, sizeof buf) == 2 && strcmp(buf, "A3") == 0);
    RTM_CHECK(slurp(b, buf, sizeof buf) == 2 && strcmp(buf, "B3") == 0);
    RTM_CHECK(count_temps() == 0);

    /* abort_from keeps the first entries */
    rtm_atomic_set_init(&s);
    ta = rtm_atomic_set_add(&s, a, &e);
    tb = rtm_atomic_set_add(&s, b, &e);
    RTM_CHECK(ta && tb && write_file(ta, "A4") == 0 && write_file(tb, "B4") == 0);
    rtm_atomic_set_abort_from(&s, 1);
    RTM_CHECK(s.n == 1 && count_temps() == 1);
    RTM_CHECK(rtm_atomic_set_commit_all(&s, &e) == 0);
    RTM_CHECK(slurp(a, buf, sizeof buf) == 2 && strcmp(buf, "A4") == 0);
    RTM_CHECK(slurp(b, buf, sizeof buf) == 2 && strcmp(buf, "B3") == 0);
    RTM_CHECK(count_temps() == 0);

    /* capacity */
    rtm_atomic_set_init(&s);
    for (int k = 0; k < RTM_ATOMIC_SET_MAX; k++) {
        char n[300];
        snprintf(n, sizeof n, "%s/f%d", dir, k);
        RTM_CHECK(rtm_atomic_set_add(&s, n, &e) != NULL);
    }
    RTM_CHECK(rtm_atomic_set_add(&s, "extra", &e) == NULL && e.code == RTM_ERR_ARG);
    rtm_atomic_set_abort_all(&s);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "atomic"))
        return 1;
    RTM_RUN(test_tmpname);
    RTM_RUN(test_write_replace);
    RTM_RUN(test_write_failures);
    RTM_RUN(test_failed_write_keeps_old);
    RTM_RUN(test_set);
    rtm_t_rmdir(dir);
    return RTM_TEST_END();
}
