/* test_runfolder.c: staged runs, the lock, and crash safety: a child process
 * killed with SIGKILL at random moments must always leave `current` pointing
 * at a complete, consistent output set. */
#include "run/runfolder.h"
#include "rtm_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFILES 12

static char base[64];

static void make_base(void)
{
    snprintf(base, sizeof base, "/tmp/rtm_runfolder_XXXXXX");
    if (!mkdtemp(base))
        base[0] = '\0';
}

static char *outdir(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", base, name);
    return p;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* One run writing NFILES files (plus one in a subdirectory) all holding tag. */
static int one_run(const char *out, int tag, int commit)
{
    rtm_run *rf;
    rtm_error e;
    char text[32], name[32];
    if (rtm_run_begin(out, NULL, &rf, &e))
        return -1;
    snprintf(text, sizeof text, "%d\n", tag);
    for (int i = 0; i < NFILES; i++) {
        snprintf(name, sizeof name, i == 0 ? "areas/f%02d.txt" : "f%02d.txt", i);
        char *p = rtm_run_path(rf, name);
        if (!p || write_text(p, text)) {
            free(p);
            rtm_run_abort(rf);
            return -1;
        }
        free(p);
    }
    if (!commit) {
        rtm_run_abort(rf);
        return 0;
    }
    return rtm_run_commit(rf, &e);
}

/* Tag of the current set if it is complete and consistent, else -1;
 * 0 when there is no current set. */
static int current_tag(const char *out)
{
    char *cur = rtm_run_current(out);
    int tag = -2;
    if (!cur)
        return 0;
    for (int i = 0; i < NFILES; i++) {
        char path[512];
        int v = -1;
        snprintf(path, sizeof path, i == 0 ? "%s/areas/f%02d.txt" : "%s/f%02d.txt", cur, i);
        FILE *f = fopen(path, "r");
        if (!f || fscanf(f, "%d", &v) != 1)
            v = -1;
        if (f)
            fclose(f);
        if (v < 0 || (tag != -2 && v != tag)) {
            free(cur);
            return -1;
        }
        tag = v;
    }
    free(cur);
    return tag;
}

static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strcmp(e->d_name, ".") &&
             strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void test_commit_and_prune(void)
{
    const char *out = outdir("basic");
    char runs[160];
    snprintf(runs, sizeof runs, "%s/runs", out);
    RTM_CHECK(current_tag(out) == 0);
    RTM_CHECK(one_run(out, 1, 1) == 0);
    RTM_CHECK(current_tag(out) == 1);
    RTM_CHECK(one_run(out, 2, 1) == 0);
    RTM_CHECK(current_tag(out) == 2);
    RTM_CHECK(count_entries(runs, "0") == 2);
    RTM_CHECK(one_run(out, 3, 1) == 0);
    RTM_CHECK(current_tag(out) == 3);
    RTM_CHECK(count_entries(runs, "0") == 2); /* keep = 2 */
    RTM_CHECK(count_entries(out, ".staging-") == 0);
    /* `current` is a relative symlink into runs/ */
    char link[256] = "", cur[160];
    snprintf(cur, sizeof cur, "%s/current", out);
    ssize_t n = readlink(cur, link, sizeof link - 1);
    RTM_CHECK(n > 5 && strncmp(link, "runs/000003-", 12) == 0);
}

/* A failure mid-run (abort) leaves the previous set current. */
static void test_abort_keeps_previous(void)
{
    const char *out = outdir("abort");
    RTM_CHECK(one_run(out, 7, 1) == 0);
    RTM_CHECK(one_run(out, 8, 0) == 0);
    RTM_CHECK(current_tag(out) == 7);
    RTM_CHECK(count_entries(out, ".staging-") == 0);
}

static void test_lock(void)
{
    const char *out = outdir("lock");
    rtm_run *a = NULL, *b = NULL;
    rtm_error e;
    char want[64];
    RTM_CHECK(rtm_run_begin(out, NULL, &a, &e) == 0);
    RTM_CHECK(rtm_run_begin(out, NULL, &b, &e) == RTM_ERR_IO);
    snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
    RTM_CHECK(strstr(e.msg, "in use by another run") && strstr(e.msg, want));
    RTM_CHECK(b == NULL);
    rtm_run_abort(a);
    RTM_CHECK(rtm_run_begin(out, NULL, &b, &e) == 0); /* free again */
    rtm_run_abort(b);
    rtm_run_opts o;
    rtm_run_opts_init(&o);
    RTM_CHECK(o.keep == 2);
    o.keep = 0;
    RTM_CHECK(rtm_run_begin(out, &o, &b, &e) == RTM_ERR_ARG);
}

static long slurp_text(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t r;
    if (!f)
        return -1;
    r = fread(buf, 1, n - 1, f);
    buf[r] = '\0';
    fclose(f);
    return (long)r;
}

/* OUT/.lock planted as a symbolic link to a victim file: refused, and the
 * victim is neither locked nor truncated nor overwritten with a pid. */
static void test_lock_symlink(void)
{
    const char *out = outdir("locklink");
    char lock[160], victim[160], buf[64];
    rtm_run *rf = NULL;
    rtm_error e;
    snprintf(victim, sizeof victim, "%s/precious", base);
    snprintf(lock, sizeof lock, "%s/.lock", out);
    RTM_CHECK(mkdir(out, 0777) == 0 && write_text(victim, "precious data\n") == 0);
    RTM_CHECK(symlink(victim, lock) == 0);
    RTM_CHECK(rtm_run_begin(out, NULL, &rf, &e) == RTM_ERR_IO && rf == NULL);
    RTM_CHECK(strstr(e.msg, "symbolic link") && strstr(e.msg, lock));
    RTM_CHECK(slurp_text(victim, buf, sizeof buf) == 14 && !strcmp(buf, "precious data\n"));
    if (rf)
        rtm_run_abort(rf);
}

/* A child process takes the flock on OUT/.lock and writes `text` into it
 * (its own pid when text is NULL), then waits for its parent to let go. */
static pid_t hold_lock(const char *out, const char *text, int *release_fd)
{
    int ready[2], go[2];
    char c;
    if (pipe(ready) || pipe(go))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        char path[160], mine[32];
        close(go[1]); /* else our own copy would keep the pipe open */
        close(ready[0]);
        snprintf(path, sizeof path, "%s/.lock", out);
        int fd = open(path, O_RDWR | O_CREAT, 0666);
        snprintf(mine, sizeof mine, "%ld\n", (long)getpid());
        if (fd < 0 || flock(fd, LOCK_EX) || ftruncate(fd, 0) ||
            write(fd, text ? text : mine, strlen(text ? text : mine)) < 0)
            _exit(1);
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    if (read(ready[0], &c, 1) != 1)
        pid = -1;
    close(ready[0]);
    *release_fd = go[1];
    return pid;
}

static void release_lock(pid_t pid, int release_fd)
{
    close(release_fd); /* the child's read returns: it exits */
    waitpid(pid, NULL, 0);
}

/* The message names the process that actually holds the lock: the child's
 * pid when it is an rtm-like holder (it wrote its pid), and still the
 * child's pid, not a stale one left in the file by an earlier run, when the
 * holder is another program. */
static void test_lock_holder_pid(void)
{
    const char *out = outdir("lockpid");
    char want[64];
    rtm_run *rf = NULL;
    rtm_error e;
    int go;
    RTM_CHECK(mkdir(out, 0777) == 0);
    pid_t child = hold_lock(out, NULL, &go);
    RTM_CHECK(child > 0);
    RTM_CHECK(rtm_run_begin(out, NULL, &rf, &e) == RTM_ERR_IO && rf == NULL);
    snprintf(want, sizeof want, "in use by another run (pid %ld)", (long)child);
    RTM_CHECK(strstr(e.msg, want) != NULL);
    release_lock(child, go);

    child = hold_lock(out, "999999\n", &go); /* stale pid of a past run */
    RTM_CHECK(child > 0);
    RTM_CHECK(rtm_run_begin(out, NULL, &rf, &e) == RTM_ERR_IO && rf == NULL);
    snprintf(want, sizeof want, "in use by another program (pid %ld)", (long)child);
    RTM_CHECK(strstr(e.msg, want) != NULL && strstr(e.msg, "999999") == NULL);
    release_lock(child, go);

    /* free again; our pid is written once the lock is ours, cleared on release */
    char lock[160], buf[64], mine[32];
    snprintf(lock, sizeof lock, "%s/.lock", out);
    snprintf(mine, sizeof mine, "%ld\n", (long)getpid());
    RTM_CHECK(rtm_run_begin(out, NULL, &rf, &e) == 0);
    RTM_CHECK(slurp_text(lock, buf, sizeof buf) > 0 && strcmp(buf, mine) == 0);
    rtm_run_abort(rf);
    RTM_CHECK(slurp_text(lock, buf, sizeof buf) == 0);
}

static void test_paths(void)
{
    rtm_run *rf;
    rtm_error e;
    if (rtm_run_begin(outdir("paths"), NULL, &rf, &e)) {
        RTM_CHECK(0);
        return;
    }
    RTM_CHECK(rtm_run_path(rf, "../x") == NULL);
    RTM_CHECK(rtm_run_path(rf, "a/../../x") == NULL);
    RTM_CHECK(rtm_run_path(rf, "/etc/passwd") == NULL);
    RTM_CHECK(rtm_run_path(rf, "") == NULL);
    RTM_CHECK(rtm_run_path(rf, "a//b") == NULL);
    char *p = rtm_run_path(rf, "maps/areas/west.png");
    struct stat st;
    RTM_CHECK(p && strncmp(p, rtm_run_staging(rf), strlen(rtm_run_staging(rf))) == 0);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/maps/areas", rtm_run_staging(rf));
    RTM_CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
    RTM_CHECK(strncmp(rtm_run_id(rf), "000001-", 7) == 0);
    free(p);
    rtm_run_abort(rf);
    RTM_CHECK(rtm_run_begin("/proc/rtm-cannot-exist", NULL, &rf, &e) == RTM_ERR_IO);
}

/* A child that dies without cleaning up (kill -9 mid-run): the lock is free,
 * the next begin removes its staging directory, the old set stays current. */
static void test_killed_child_mid_write(void)
{
    const char *out = outdir("killed");
    RTM_CHECK(one_run(out, 5, 1) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        rtm_run *rf;
        rtm_error e;
        if (rtm_run_begin(out, NULL, &rf, &e) == 0) {
            char *p = rtm_run_path(rf, "f01.txt");
            if (p)
                write_text(p, "6\n");
            raise(SIGKILL);
        }
        _exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    RTM_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    RTM_CHECK(current_tag(out) == 5);
    RTM_CHECK(count_entries(out, ".staging-") == 1);
    RTM_CHECK(one_run(out, 6, 1) == 0);
    RTM_CHECK(count_entries(out, ".staging-") == 0);
    RTM_CHECK(current_tag(out) == 6);
}

/* A child commits runs in a loop; we SIGKILL it at pseudo-random times.
 * After every kill, `current` must be complete and consistent. */
static void test_kill9_anywhere(void)
{
    const char *out = outdir("kill9");
    unsigned seed = 12345;
    int bad = 0, saw_progress = 0;
    RTM_CHECK(one_run(out, 1, 1) == 0);
    for (int round = 0; round < 25; round++) {
        int before = current_tag(out);
        pid_t pid = fork();
        if (pid == 0) {
            for (int t = before + 1;; t++)
                if (one_run(out, t, 1) != 0)
                    _exit(2);
        }
        seed = seed * 1103515245u + 12345u;
        struct timespec ts = {0, (long)(1 + (seed >> 8) % 250) * 1000000L}; /* 1 to 250 ms */
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        int tag = current_tag(out);
        bad += tag < before;
        saw_progress |= tag > before;
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(saw_progress);
    RTM_CHECK(one_run(out, 1000, 1) == 0 && current_tag(out) == 1000);
}

int main(void)
{
    make_base();
    if (!base[0]) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RTM_RUN(test_commit_and_prune);
    RTM_RUN(test_abort_keeps_previous);
    RTM_RUN(test_lock);
    RTM_RUN(test_lock_symlink);
    RTM_RUN(test_lock_holder_pid);
    RTM_RUN(test_paths);
    RTM_RUN(test_killed_child_mid_write);
    RTM_RUN(test_kill9_anywhere);
    rtm_rmtree(base);
    return RTM_TEST_END();
}
