/* runfolder.c: staged run folders, flock, atomic `current` switch (see
 * run/runfolder.h).
 *
 * Crash safety rests on two POSIX facts: rename(2) replaces a directory
 * entry atomically (POSIX.1-2017, rename: "a link named new shall remain
 * visible to other processes throughout the renaming operation"), and
 * flock(2) locks are released when the holder's file descriptors close,
 * including on kill -9. Files are fsynced before the switch and directories
 * after each rename so the new set is durable before it becomes current. */
#include "run/runfolder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"

struct rtm_run {
    char *out;      /* output directory */
    char *staging;  /* OUT/.staging-PID-N */
    char id[64];    /* SEQ-YYYYMMDDTHHMMSSZ */
    int lock_fd;
    int keep;
};

void rtm_run_opts_init(rtm_run_opts *o)
{
    o->keep = 2;
}

int rtm_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int rtm_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *join(const char *a, const char *b)
{
    char *r;
    return asprintf(&r, "%s/%s", a, b) < 0 ? NULL : r;
}

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int fsync_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_F && S_ISREG(st->st_mode))
        return fsync_path(path, 0);
    if (flag == FTW_DP)
        return fsync_path(path, 1);
    return 0;
}

int rtm_run_sync_tree(const char *path)
{
    return nftw(path, fsync_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The pid holding a flock on the file open as fd, from /proc/locks (Linux,
 * proc(5)): lines "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF". 0 when
 * unknown. */
static long flock_holder(int fd)
{
    struct stat st;
    char line[256];
    long best = 0;
    FILE *f;
    if (fstat(fd, &st) != 0 || !(f = fopen("/proc/locks", "re")))
        return 0;
    while (!best && fgets(line, sizeof line, f)) {
        char kind[16];
        long pid;
        unsigned maj, min;
        unsigned long long ino;
        if (sscanf(line, "%*[^:]: %15s %*s %*s %ld %x:%x:%llu", kind, &pid, &maj, &min,
                   &ino) == 5 && strcmp(kind, "FLOCK") == 0 && ino == (unsigned long long)st.st_ino &&
            maj == major(st.st_dev) && min == minor(st.st_dev))
            best = pid;
    }
    fclose(f);
    return best;
}

/* Who holds the lock: "run (pid N)" when the holder is an rtm run (it
 * wrote its pid in the file), "program (pid N)" for another program,
 * "program (unknown pid)" when it cannot be told. */
static void describe_holder(int fd, char *out, size_t outsz)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    long written = n > 0 ? strtol(buf, NULL, 10) : 0, holder = flock_holder(fd);
    if (holder > 0 && holder == written)
        snprintf(out, outsz, "run (pid %ld)", holder);
    else if (holder > 0)
        snprintf(out, outsz, "program (pid %ld)", holder);
    else
        snprintf(out, outsz, "program (unknown pid)");
}

/* Open OUT/.lock without following a symbolic link (which would let
 * whoever made it have us lock, and write our pid into, any file we can
 * write), and only if it is a plain file of its own. The file is not
 * truncated here: only the holder of the lock writes it. */
static int open_lock(const char *path, rtm_error *err)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ELOOP)
        return rtm_error_set(err, RTM_ERR_IO, "run: lock '%s' is a symbolic link; refusing "
                             "to use it", path), -1;
    if (fd < 0)
        return rtm_error_set(err, RTM_ERR_IO, "run: cannot open lock '%s': %s", path,
                             strerror(errno)), -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        close(fd);
        return rtm_error_set(err, RTM_ERR_IO, "run: lock '%s' is not a plain file; refusing "
                             "to use it", path), -1;
    }
    return fd;
}

/* Take OUT/.lock; on contention name the holder. Our pid is written only
 * once the lock is ours. */
static int take_lock(rtm_run *rf, rtm_error *err)
{
    char *path = join(rf->out, ".lock"), who[64], pid[32];
    if (!path)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rf->lock_fd = open_lock(path, err);
    free(path);
    if (rf->lock_fd < 0)
        return RTM_ERR_IO;
    if (flock(rf->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK)
            describe_holder(rf->lock_fd, who, sizeof who);
        close(rf->lock_fd);
        rf->lock_fd = -1;
        if (e == EWOULDBLOCK)
            return rtm_error_set(err, RTM_ERR_IO, "run: output '%s' is in use by another %s",
                                 rf->out, who);
        return rtm_error_set(err, RTM_ERR_IO, "run: cannot lock '%s': %s", rf->out, strerror(e));
    }
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(rf->lock_fd, 0) != 0 || pwrite(rf->lock_fd, pid, (size_t)len, 0) != len)
        return rtm_error_set(err, RTM_ERR_IO, "run: cannot write lock in '%s'", rf->out);
    return 0;
}

/* Remove .staging-* and .current-* leftovers of killed runs (we hold the lock). */
static void clean_stale(const char *out)
{
    DIR *d = opendir(out);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, ".staging-", 9) != 0 && strncmp(e->d_name, ".current-", 9) != 0)
            continue;
        char *p = join(out, e->d_name);
        if (p)
            rtm_rmtree(p);
        free(p);
    }
    closedir(d);
}

/* Highest sequence number among OUT/runs entries (0 when none). */
static long last_seq(const char *runs)
{
    DIR *d = opendir(runs);
    struct dirent *e;
    long best = 0;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        char *end;
        long s = strtol(e->d_name, &end, 10);
        if (end != e->d_name && *end == '-' && s > best)
            best = s;
    }
    closedir(d);
    return best;
}

static void make_id(rtm_run *rf, const char *runs)
{
    time_t t = time(NULL);
    struct tm tm;
    char stamp[32];
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(rf->id, sizeof rf->id, "%06ld-%s", last_seq(runs) + 1, stamp);
}

static void run_free(rtm_run *rf)
{
    if (!rf)
        return;
    if (rf->lock_fd >= 0) {
        /* forget our pid while still holding the lock, so a later holder
         * that is not rtm is never taken for us */
        if (ftruncate(rf->lock_fd, 0) != 0) {
            /* nothing to do: the lock goes anyway */
        }
        close(rf->lock_fd); /* releases the flock */
    }
    rtm_cleanup_remove(rf->staging);
    free(rf->out);
    free(rf->staging);
    free(rf);
}

static int make_staging(rtm_run *rf, rtm_error *err)
{
    static unsigned counter;
    for (int tries = 0; tries < 100; tries++) {
        free(rf->staging);
        if (asprintf(&rf->staging, "%s/.staging-%ld-%u", rf->out, (long)getpid(), counter++) < 0) {
            rf->staging = NULL;
            return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        }
        if (mkdir(rf->staging, 0777) == 0) {
            (void)rtm_cleanup_add(rf->staging); /* removed on SIGTERM/SIGINT */
            return 0;
        }
        if (errno != EEXIST)
            break;
    }
    return rtm_error_set(err, RTM_ERR_IO, "run: cannot create '%s': %s", rf->staging,
                         strerror(errno));
}

int rtm_run_begin(const char *out_dir, const rtm_run_opts *opts, rtm_run **out,
                  rtm_error *err)
{
    rtm_run_opts def;
    rtm_run_opts_init(&def);
    if (!opts)
        opts = &def;
    if (!out_dir || !out_dir[0])
        return rtm_error_set(err, RTM_ERR_ARG, "run: empty output directory");
    if (opts->keep < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "run: keep must be >= 1 (got %d)", opts->keep);
    rtm_run *rf = calloc(1, sizeof *rf);
    if (!rf || !(rf->out = strdup(out_dir))) {
        free(rf);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    rf->lock_fd = -1;
    rf->keep = opts->keep;
    size_t n = strlen(rf->out);
    while (n > 1 && rf->out[n - 1] == '/')
        rf->out[--n] = '\0';
    int rc = 0;
    if (rtm_mkdirs(rf->out) != 0)
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot create '%s': %s", rf->out,
                           strerror(errno));
    if (!rc)
        rc = take_lock(rf, err);
    if (!rc) {
        clean_stale(rf->out);
        rc = make_staging(rf, err);
    }
    if (rc) {
        run_free(rf);
        return rc;
    }
    char *runs = join(rf->out, "runs");
    make_id(rf, runs ? runs : "");
    free(runs);
    *out = rf;
    return 0;
}

int rtm_run_open_dir(const char *dir, rtm_run **out, rtm_error *err)
{
    rtm_run *rf = calloc(1, sizeof *rf);
    if (!rf || !(rf->out = strdup(dir)) || !(rf->staging = strdup(dir))) {
        run_free(rf);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    rf->lock_fd = -1;
    if (mkdir(dir, 0777) != 0) {
        int rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot create '%s': %s", dir,
                               strerror(errno));
        free(rf->staging);
        rf->staging = NULL; /* not ours to remove */
        run_free(rf);
        return rc;
    }
    (void)rtm_cleanup_add(rf->staging); /* removed on SIGTERM/SIGINT */
    *out = rf;
    return 0;
}

void rtm_run_close(rtm_run *rf)
{
    run_free(rf);
}

const char *rtm_run_staging(const rtm_run *rf)
{
    return rf->staging;
}

const char *rtm_run_id(const rtm_run *rf)
{
    return rf->id;
}

static int safe_name(const char *name)
{
    if (!name || !name[0] || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += len;
        if (*p == '/')
            p++;
    }
    return 1;
}

char *rtm_run_path(rtm_run *rf, const char *name)
{
    if (!rf || !safe_name(name))
        return NULL;
    char *path = join(rf->staging, name);
    if (!path)
        return NULL;
    char *slash = strrchr(path, '/');
    if (slash > path + strlen(rf->staging)) {
        *slash = '\0';
        int bad = rtm_mkdirs(path);
        *slash = '/';
        if (bad) {
            free(path);
            return NULL;
        }
    }
    return path;
}

/* Delete runs beyond the newest `keep` (by sequence), never the current one. */
static void prune(const char *runs, int keep, const char *current_id)
{
    long newest = last_seq(runs);
    DIR *d = opendir(runs);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char *end;
        long s = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '-' || s > newest - keep ||
            strcmp(e->d_name, current_id) == 0)
            continue;
        char *p = join(runs, e->d_name);
        if (p)
            rtm_rmtree(p);
        free(p);
    }
    closedir(d);
}

/* Point OUT/current at runs/<id> by renaming a fresh symlink over it. */
static int switch_current(rtm_run *rf, rtm_error *err)
{
    char *target = NULL, *tmp = NULL, *cur = join(rf->out, "current");
    int rc = 0;
    if (!cur || asprintf(&target, "runs/%s", rf->id) < 0 ||
        asprintf(&tmp, "%s/.current-%ld", rf->out, (long)getpid()) < 0) {
        free(cur);
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, cur) != 0) {
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot switch '%s' to '%s': %s", cur, target,
                           strerror(errno));
        unlink(tmp);
    } else {
        fsync_path(rf->out, 1);
    }
    free(cur);
    free(target);
    free(tmp);
    return rc;
}

int rtm_run_commit(rtm_run *rf, rtm_error *err)
{
    char *runs = join(rf->out, "runs"), *dest = runs ? join(runs, rf->id) : NULL;
    int rc = 0;
    if (!dest) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    } else if (nftw(rf->staging, fsync_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot sync '%s': %s", rf->staging,
                           strerror(errno));
    } else if (rtm_mkdirs(runs) != 0 || rename(rf->staging, dest) != 0) {
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot move '%s' to '%s': %s", rf->staging,
                           dest, strerror(errno));
    } else {
        fsync_path(runs, 1);
        rc = switch_current(rf, err);
        if (rc)
            rtm_rmtree(dest);
        else
            prune(runs, rf->keep, rf->id);
    }
    if (rc)
        rtm_rmtree(rf->staging);
    free(runs);
    free(dest);
    run_free(rf);
    return rc;
}

void rtm_run_abort(rtm_run *rf)
{
    if (!rf)
        return;
    if (rf->staging)
        rtm_rmtree(rf->staging);
    run_free(rf);
}

char *rtm_run_current(const char *out_dir)
{
    char *cur = join(out_dir, "current");
    char *real = cur ? realpath(cur, NULL) : NULL;
    free(cur);
    return real;
}
