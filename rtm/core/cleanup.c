/* cleanup.c: removal of staged paths on SIGTERM/SIGINT/SIGHUP (see
 * core/cleanup.h).
 *
 * A slot is free (0), being written or cleared (1), or live (2); only live
 * slots are read by the handler, so a path is never read half copied. The
 * list of async-signal-safe functions is POSIX.1-2017 XSH 2.4.3;
 * getdents64 is the raw Linux system call behind readdir (which may
 * allocate, so it is not on that list). */
#include "core/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct slot {
    atomic_int state;
    char path[RTM_CLEANUP_PATH_MAX];
} slot;

enum { FREE = 0, BUSY = 1, LIVE = 2 };

static slot slots[RTM_CLEANUP_MAX];

int rtm_cleanup_add(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n >= RTM_CLEANUP_PATH_MAX)
        return -1;
    for (int i = 0; i < RTM_CLEANUP_MAX; i++) {
        int expect = FREE;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expect, BUSY))
            continue;
        memcpy(slots[i].path, path, n + 1);
        atomic_store(&slots[i].state, LIVE);
        return 0;
    }
    return -1;
}

void rtm_cleanup_remove(const char *path)
{
    if (!path)
        return;
    for (int i = 0; i < RTM_CLEANUP_MAX; i++) {
        int expect = LIVE;
        if (atomic_load(&slots[i].state) != LIVE || strcmp(slots[i].path, path) != 0)
            continue;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expect, BUSY))
            continue;
        slots[i].path[0] = '\0';
        atomic_store(&slots[i].state, FREE);
        return;
    }
}

#define MAX_DEPTH 32

static int rm_at(int dfd, const char *name, int depth);

/* Remove every entry of the open directory fd (one pass). */
static void rm_entries(int fd, int depth)
{
    char buf[1024] __attribute__((aligned(8)));
    ssize_t n;
    while ((n = getdents64(fd, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
            off += d->d_reclen;
            if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
                (void)rm_at(fd, d->d_name, depth + 1);
        }
    }
}

/* Remove name (relative to dfd): unlink it, or empty and remove the
 * directory. Entries removed while a directory is read may make the reader
 * skip others, so the directory is read again until it can be removed. */
static int rm_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth >= MAX_DEPTH)
        return -1;
    for (int pass = 0; pass < 4; pass++) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return errno == ENOENT ? 0 : -1;
        rm_entries(fd, depth);
        close(fd);
        if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
            return 0;
        if (errno != ENOTEMPTY && errno != EEXIST)
            return -1;
    }
    return -1;
}

int rtm_cleanup_rmtree(const char *path)
{
    int e = errno, rc = path && path[0] ? rm_at(AT_FDCWD, path, 0) : -1;
    errno = e;
    return rc;
}

int rtm_cleanup_prune_dirs(const char *dir, int (*match)(const char *name), double max_age)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL);
    int removed = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[RTM_CLEANUP_PATH_MAX];
        struct stat sb;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !match(de->d_name) ||
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path)
            continue;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
            difftime(now, sb.st_mtime) > max_age && rtm_cleanup_rmtree(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

void rtm_cleanup_run(void)
{
    for (int i = 0; i < RTM_CLEANUP_MAX; i++) {
        int expect = LIVE;
        if (!atomic_compare_exchange_strong(&slots[i].state, &expect, BUSY))
            continue;
        (void)rtm_cleanup_rmtree(slots[i].path);
        slots[i].path[0] = '\0';
        atomic_store(&slots[i].state, FREE);
    }
}

static const int signals[] = {SIGTERM, SIGINT, SIGHUP};
#define NSIGNALS ((int)(sizeof signals / sizeof signals[0]))

/* Clean up, then die of the same signal: SA_RESETHAND restored the default
 * action on entry, and the re-raised signal, blocked while the handler
 * runs, is delivered as soon as it returns. */
static void on_signal(int sig)
{
    int e = errno;
    rtm_cleanup_run();
    (void)raise(sig);
    errno = e;
}

int rtm_cleanup_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NSIGNALS; i++)
        sigaddset(&sa.sa_mask, signals[i]);
    for (int i = 0; i < NSIGNALS; i++) {
        struct sigaction old;
        /* keep "ignored" (e.g. SIGHUP under nohup) as the user asked */
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    }
    return 0;
}
