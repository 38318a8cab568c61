/* atomic.c: temp-file-and-rename output (see core/atomic.h).
 *
 * The sequence write temp -> fsync(temp) -> rename(temp, path) ->
 * fsync(directory) is the standard recipe for crash-safe replacement
 * (rename(2) is atomic by POSIX.1-2017; the directory fsync makes the new
 * directory entry durable, see fsync(2) on Linux).
 *
 * Why a private directory rather than an exclusive temporary file: GDAL
 * writers (COG, GeoPackage) are handed a path, reopen it by name and create
 * their own side files beside it (COG: "<tmp>.ovr.tmp"; SQLite journals),
 * all without O_NOFOLLOW. A file created with O_EXCL could be swapped for a
 * symbolic link between our create and GDAL's open, and the side files'
 * names would be predictable from it. Inside a directory of mode 0700 that
 * only we can write, no other user can create or replace any name, so every
 * file opened in it, by us or by GDAL, is ours. */
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"

/* Offset of the file name (after the last '/'). */
static size_t base_offset(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? (size_t)(s - path + 1) : 0;
}

/* Length of the private directory part of a temporary path made by
 * rtm_atomic_tmpname ("dir/.name.XXXXXX/name" -> "dir/.name.XXXXXX"), or 0
 * when tmp does not have that shape (then it is not ours to remove). */
static size_t private_dir_len(const char *tmp)
{
    size_t b = base_offset(tmp), nl = strlen(tmp + b);
    if (b < 2)
        return 0;
    size_t d = b - 1, db = 0; /* tmp[d] is the '/' before name */
    for (size_t i = 0; i < d; i++)
        if (tmp[i] == '/')
            db = i + 1;
    /* the directory's name is "." name "." and six random characters */
    if (d - db != nl + 8 || tmp[db] != '.' || strncmp(tmp + db + 1, tmp + b, nl) != 0 ||
        tmp[db + 1 + nl] != '.')
        return 0;
    return d;
}

int rtm_atomic_tmpname(const char *path, char *tmp, size_t tmpsz, rtm_error *err)
{
    if (path == NULL || path[0] == '\0')
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: empty output path");
    size_t b = base_offset(path);
    const char *name = path + b;
    if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: output path '%s' names a directory",
                             path);
    int len = snprintf(tmp, tmpsz, "%.*s.%s.XXXXXX/%s", (int)b, path, name, name);
    if (len < 0 || (size_t)len >= tmpsz)
        return rtm_error_set(err, RTM_ERR_ARG, "atomic: output path '%s' is too long", path);
    size_t d = (size_t)len - strlen(name) - 1;
    tmp[d] = '\0';
    /* mkdtemp: a fresh directory of mode 0700 under an unpredictable name;
     * mkdir(2) never follows a symbolic link and fails if the name exists */
    if (mkdtemp(tmp) == NULL)
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot write '%s': %s", path,
                             strerror(errno));
    (void)rtm_cleanup_add(tmp);
    tmp[d] = '/';
    return 0;
}

/* Remove the private directory of tmp (and whatever a writer left in it). */
static void release_tmp(const char *tmp)
{
    char dir[RTM_ATOMIC_PATH_MAX];
    size_t d = private_dir_len(tmp);
    if (d == 0 || d >= sizeof dir) {
        (void)unlink(tmp);
        return;
    }
    memcpy(dir, tmp, d);
    dir[d] = '\0';
    (void)rtm_cleanup_rmtree(dir);
    rtm_cleanup_remove(dir);
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
    int rc = sync_tmp(tmp, path, err) != 0 || rename_tmp(tmp, path, err) != 0;
    release_tmp(tmp);
    if (rc)
        return RTM_ERR_IO;
    fsync_dir(path);
    return 0;
}

void rtm_atomic_abort(const char *tmp)
{
    if (tmp)
        release_tmp(tmp);
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
    int rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err);
    if (rc != 0)
        return rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "atomic: cannot write '%s': %s", path,
                             strerror(e));
    }
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
        rtm_atomic_abort(tmp);
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
            release_tmp(s->tmp[k]); /* renamed: only its directory is left */
            free(s->tmp[k]);
            s->tmp[k] = NULL;
        }
    }
    for (k = 0; k < s->n && rc == 0; k++)
        fsync_dir(s->path[k]);
    rtm_atomic_set_abort_all(s);
    return rc;
}
