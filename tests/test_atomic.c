/* test_atomic.c: atomic replacement leaves either the old or the new file and
 * never a temporary file, including when a write fails part-way (the file
 * size limit RLIMIT_FSIZE makes write(2) fail with EFBIG); temporary names
 * are unpredictable, and symbolic links planted where temporary files could
 * go (or at the destination) never redirect a write. */
#include "core/atomic.h"
#include "core/json.h"
#include "rtm/output.h"
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

/* Number of hidden entries in dir (temporary directories and files). */
static int count_temps(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* The six random characters of a temporary path "D/.NAME.XXXXXX/NAME". */
static int random_part(const char *tmp, const char *name, char out[7])
{
    char want[300];
    size_t n = strlen(dir), m = strlen(name);
    snprintf(want, sizeof want, "%s/.%s.", dir, name);
    if (strncmp(tmp, want, strlen(want)) != 0 || strlen(tmp) != n + 2 * m + 10 ||
        tmp[n + m + 9] != '/' || strcmp(tmp + n + m + 10, name) != 0)
        return -1;
    memcpy(out, tmp + n + m + 3, 6);
    out[6] = '\0';
    return 0;
}

static void test_tmpname(void)
{
    char t1[RTM_ATOMIC_PATH_MAX], t2[RTM_ATOMIC_PATH_MAX], p[512], r1[7] = "", r2[7] = "";
    char pid[32], d1[RTM_ATOMIC_PATH_MAX];
    struct stat st;
    rtm_error e;
    path_in(p, sizeof p, "risk.tif");
    RTM_CHECK(rtm_atomic_tmpname(p, t1, sizeof t1, &e) == 0);
    RTM_CHECK(rtm_atomic_tmpname(p, t2, sizeof t2, &e) == 0);
    /* same name (GDAL guesses the format from it) in a hidden directory */
    RTM_CHECK(random_part(t1, "risk.tif", r1) == 0 && random_part(t2, "risk.tif", r2) == 0);
    RTM_CHECK(strcmp(t1, t2) != 0 && strcmp(r1, r2) != 0);
    /* unpredictable: neither pid nor counter, but random letters/digits */
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    RTM_CHECK(strstr(t1, pid) == NULL && strstr(t1, ".tmp.") == NULL);
    RTM_CHECK(strspn(r1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == 6);
    /* the private directory exists, mode 0700, the file itself does not */
    snprintf(d1, sizeof d1, "%.*s", (int)(strrchr(t1, '/') - t1), t1);
    RTM_CHECK(lstat(d1, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    RTM_CHECK(access(t1, F_OK) != 0);
    rtm_atomic_abort(t1);
    rtm_atomic_abort(t2);
    RTM_CHECK(count_temps() == 0);
    path_in(p, sizeof p, "noext");
    RTM_CHECK(rtm_atomic_tmpname(p, t1, sizeof t1, &e) == 0 && random_part(t1, "noext", r1) == 0);
    rtm_atomic_abort(t1);
    RTM_CHECK(count_temps() == 0);
    path_in(p, sizeof p, "out/");
    RTM_CHECK(rtm_atomic_tmpname(p, t1, sizeof t1, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_atomic_tmpname("", t1, sizeof t1, &e) == RTM_ERR_ARG);
    path_in(p, sizeof p, "risk.tif");
    RTM_CHECK(rtm_atomic_tmpname(p, t1, 10, &e) == RTM_ERR_ARG);
    path_in(p, sizeof p, "missing/risk.tif");
    RTM_CHECK(rtm_atomic_tmpname(p, t1, sizeof t1, &e) == RTM_ERR_IO && strstr(e.msg, p));
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

/* Plant symbolic links to a victim file at every temporary name the old
 * scheme (".NAME.tmp.PID.N.EXT", N a per-process counter) could give the
 * outputs below, and at GDAL's side files of those names; with `unplant`
 * remove them again. */
static void plant(const char *victim, int unplant)
{
    static const char *const stems[][2] = {{"a", ".txt"}, {"m", ".png"}, {"m", ".pgw"},
                                           {"g", ".tif"}, {"g", ".qml"}, {"j", ".json"}};
    static const char *const sides[] = {"", ".ovr.tmp", ".msk.ovr.tmp", ".aux.xml"};
    char p[600];
    for (size_t k = 0; k < sizeof stems / sizeof stems[0]; k++)
        for (int n = 0; n < 200; n++)
            for (size_t j = 0; j < sizeof sides / sizeof sides[0]; j++) {
                snprintf(p, sizeof p, "%s/.%s.tmp.%ld.%d%s%s", dir, stems[k][0],
                         (long)getpid(), n, stems[k][1], sides[j]);
                if (unplant)
                    unlink(p);
                else if (symlink(victim, p) != 0)
                    RTM_CHECK(0);
            }
}

static int is_regular(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Every writer that goes through a temporary file, with links planted at
 * the temporary names and at the destination of the JSON file: the victim
 * is never touched and every output is a plain file of its own. */
static void test_symlink_attack(void)
{
    char vdir[256], victim[300], p[512], buf[64];
    static unsigned char rgba[4 * 4 * 4];
    double v[100];
    rtm_grid g;
    rtm_error e;
    if (rtm_t_tmpdir(vdir, sizeof vdir, "victim")) {
        RTM_CHECK(0);
        return;
    }
    snprintf(victim, sizeof victim, "%s/precious", vdir);
    RTM_CHECK(write_file(victim, "precious") == 0);
    plant(victim, 0);
    path_in(p, sizeof p, "j.json");
    RTM_CHECK(symlink(victim, p) == 0);

    path_in(p, sizeof p, "a.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "text", 4, &e) == 0 && is_regular(p));
    path_in(p, sizeof p, "m.png");
    RTM_CHECK(rtm_png_write_rgba(p, rgba, 4, 4, &e) == 0 && is_regular(p));
    path_in(p, sizeof p, "m.pgw");
    RTM_CHECK(rtm_png_world_write(p, 10, 5, 5, &e) == 0 && is_regular(p));
    for (int i = 0; i < 100; i++)
        v[i] = i;
    RTM_CHECK(rtm_grid_from_bbox(&g, 0, 0, 1000, 1000, 100, "EPSG:27700", &e) == 0);
    path_in(p, sizeof p, "g.tif");
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, NULL, &e) == 0 && is_regular(p));
    path_in(p, sizeof p, "g.qml");
    RTM_CHECK(is_regular(p));
    rtm_json *w = rtm_json_new();
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "k", "v");
    rtm_json_end_object(w);
    path_in(p, sizeof p, "j.json");
    RTM_CHECK(rtm_json_write_file(w, p, &e) == 0 && is_regular(p));
    rtm_json_free(w);

    RTM_CHECK(slurp(victim, buf, sizeof buf) == 8 && strcmp(buf, "precious") == 0);
    plant(victim, 1);
    RTM_CHECK(count_temps() == 0); /* nothing of ours left behind either */
    static const char *const outs[] = {"a.txt", "m.png", "m.pgw", "g.tif", "g.qml", "j.json"};
    for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) {
        path_in(p, sizeof p, outs[k]);
        unlink(p);
    }
    rtm_t_rmdir(vdir);
}

/* Outputs get the usual mode (0666 minus the umask), not the private
 * directory's 0700 or a temporary file's 0600. */
static void test_final_mode(void)
{
    char p[512];
    struct stat st;
    static unsigned char rgba[4 * 2 * 2];
    rtm_error e;
    mode_t old = umask(022);
    path_in(p, sizeof p, "mode.png");
    RTM_CHECK(rtm_png_write_rgba(p, rgba, 2, 2, &e) == 0);
    RTM_CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644);
    unlink(p);
    path_in(p, sizeof p, "mode.txt");
    RTM_CHECK(rtm_atomic_write_text(p, "x", 1, &e) == 0);
    RTM_CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0644);
    unlink(p);
    umask(old);
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
    RTM_RUN(test_symlink_attack);
    RTM_RUN(test_final_mode);
    rtm_t_rmdir(dir);
    return RTM_TEST_END();
}
