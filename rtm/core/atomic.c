/* atomic.c: temp-file-and-rename output (see rtm_atomic.h).
 *
 * The sequence write temp -> fsync(temp) -> rename(temp, path) ->
 * fsync(directory) is the standard recipe for crash-safe replacement
 * (rename(2) is atomic by POSIX.1-2017; the directory fsync makes the new
 * directory entry durable, see fsync(2) on Linux). */
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_uint tmp_counter;

/* Offset of the file name (after the last '/'). */
static size_t base_offset(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? (size_t)(s - path + 1) : 0;
}

int rtm_atomic_tmpname(const char *path, char *tmp, size_t tmpsz, rtm_error *err)
{
    if (path == NULL || path[0] == '\0')
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: empty output path");
    size_t b = base_offset(path);
    const char *name = path + b;
    if (name[0] == '\0')
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: output path '%s' names a directory",
                             path);
    /* keep the extension (not for hidden names like ".profile") */
    const char *dot = strrchr(name, '.');
    if (dot == name)
        dot = NULL;
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    unsigned n = atomic_fetch_add(&tmp_counter, 1u);
    int len = snprintf(tmp, tmpsz, "%.*s.%.*s.tmp.%ld.%u%s", (int)b, path, (int)stem, name,
                       (long)getpid(), n, dot ? dot : "");
    if (len < 0 || (size_t)len >= tmpsz)
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: output path '%s' is too long", path);
    return 0;
}

/* fsync a file by name; returns 0 or errno. */
static int fsync_path(const char *p, int flags)
{
    int fd = open(p, flags | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e;
}

/* fsync the directory holding path (best effort: some file systems refuse). */
static void fsync_dir(const char *path)
{
    size_t b = base_offset(path);
    char dir[RTM_ATOMIC_PATH_MAX];
    if (b == 0) {
        strcpy(dir, ".");
    } else if (b < sizeof dir) {
        memcpy(dir, path, b);
        dir[b] = '\0';
    } else {
        return;
    }
    (void)fsync_path(dir, O_RDONLY | O_DIRECTORY);
}

static int sync_tmp(const char *tmp, const char *path, rtm_error *err)
{
    int e = fsync_path(tmp, O_RDONLY);
    if (e != 0)
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot write '%s': %s", path,
                             strerror(e));
    return 0;
}

static int rename_tmp(const char *tmp, const char *path, rtm_error *err)
{
    if (rename(tmp, path) != 0)
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot replace '%s': %s", path,
                             strerror(errno));
    return 0;
}

int rtm_atomic_commit(const char *tmp, const char *path, rtm_error *err)
{
    if (sync_tmp(tmp, path, err) != 0 || rename_tmp(tmp, path, err) != 0) {
        rtm_atomic_abort(tmp);
        return RTM_ERR_IO;
    }
    fsync_dir(path);
    return 0;
}

void rtm_atomic_abort(const char *tmp)
{
    if (tmp)
        (void)unlink(tmp);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int rtm_atomic_write_text(const char *path, const char *data, size_t len, rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    if (rtm_atomic_tmpname(path, tmp, sizeof tmp, err) != 0)
        return RTM_ERR_ARG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot write '%s': %s", path,
                             strerror(errno));
    int e = write_all(fd, data, len);
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e != 0) {
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot write '%s': %s", path,
                             strerror(e));
    }
    return rtm_atomic_commit(tmp, path, err);
}

void rtm_atomic_set_init(rtm_atomic_set *s)
{
    memset(s, 0, sizeof *s);
}

const char *rtm_atomic_set_add(rtm_atomic_set *s, const char *path, rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    if (s->n >= RTM_ATOMIC_SET_MAX) {
        rtm_error_set(err, RTM_ERR_ARG, "atomic: too many outputs (at most %d)",
                      RTM_ATOMIC_SET_MAX);
        return NULL;
    }
    for (int k = 0; path && k < s->n; k++) {
        if (strcmp(s->path[k], path) == 0) {
            rtm_error_set(err, RTM_ERR_ARG, "atomic: output '%s' named twice", path);
            return NULL;
        }
    }
    if (rtm_atomic_tmpname(path, tmp, sizeof tmp, err) != 0)
        return NULL;
    char *t = strdup(tmp), *p = strdup(path);
    if (t == NULL || p == NULL) {
        free(t);
        free(p);
        rtm_error_set(err, RTM_ERR_NOMEM, "atomic: out of memory");
        return NULL;
    }
    s->tmp[s->n] = t;
    s->path[s->n] = p;
    s->n++;
    return t;
}

static void set_clear(rtm_atomic_set *s)
{
    for (int k = 0; k < s->n; k++) {
        free(s->tmp[k]);
        free(s->path[k]);
    }
    rtm_atomic_set_init(s);
}

void rtm_atomic_set_abort_all(rtm_atomic_set *s)
{
    for (int k = 0; k < s->n; k++)
        rtm_atomic_abort(s->tmp[k]);
    set_clear(s);
}

void rtm_atomic_set_abort_from(rtm_atomic_set *s, int n)
{
    if (n < 0)
        n = 0;
    for (int k = n; k < s->n; k++) {
        rtm_atomic_abort(s->tmp[k]);
        free(s->tmp[k]);
        free(s->path[k]);
        s->tmp[k] = s->path[k] = NULL;
    }
    if (n < s->n)
        s->n = n;
}

int rtm_atomic_set_commit_all(rtm_atomic_set *s, rtm_error *err)
{
    int k, rc = 0;
    for (k = 0; k < s->n && rc == 0; k++)
        rc = sync_tmp(s->tmp[k], s->path[k], err);
    for (k = 0; k < s->n && rc == 0; k++) {
        rc = rename_tmp(s->tmp[k], s->path[k], err);
        if (rc == 0) {
            free(s->tmp[k]); /* renamed: nothing left to abort */
            s->tmp[k] = NULL;
        }
    }
    for (k = 0; k < s->n && rc == 0; k++)
        fsync_dir(s->path[k]);
    rtm_atomic_set_abort_all(s);
    return rc;
}
