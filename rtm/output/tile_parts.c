/* tile_parts.c: the partials files of tiles (rtm/tile.h) - what a strip
 * holds beyond its cells' values for a global step that follows (the RTM's
 * pattern tables), written beside the tile file and checked by the SHA-256
 * the tile records before the merge takes it. */
#include "rtm/tile.h"
#include "core/atomic.h"
#include "core/sha256.h"
#include "output/tile_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest partials file the merge reads (a strip's table is far smaller). */
#define PARTS_MAX ((size_t)1 << 36)

int rtm_tile_sibling_path(const char *path, const char *ext, char *buf, size_t n,
                          rtm_error *err)
{
    size_t len = strlen(path), el = strlen(ext);
    if (len >= 4 && !strcmp(path + len - 4, ".tif"))
        len -= 4;
    if (len + el + 1 > n)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: name too long: '%.200s'", path);
    memcpy(buf, path, len);
    memcpy(buf + len, ext, el + 1);
    return 0;
}

int rtm_tile_parts_path(const char *path, char *buf, size_t n, rtm_error *err)
{
    return rtm_tile_sibling_path(path, ".parts", buf, n, err);
}

int rtm_tile_parts_write(const char *path, const unsigned char *buf, size_t len, char sha[65],
                         rtm_error *err)
{
    if (rtm_sha256_hex(buf, len, sha))
        return rtm_error_set(err, RTM_ERR_NOMEM, "tile: cannot hash the partials");
    return rtm_atomic_write_text(path, (const char *)buf, len, err);
}

/* The whole of file path (at most PARTS_MAX bytes) into *buf, *len; hint
 * ends the message when it cannot be opened. */
static int slurp(const char *path, const char *hint, unsigned char **buf, size_t *len,
                 rtm_error *err)
{
    struct stat st;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
    *buf = NULL;
    if (fd < 0)
        return rtm_error_set(err, RTM_ERR_IO, "tile: cannot open '%s': %s%s", path,
                             strerror(errno), hint);
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > PARTS_MAX) {
        close(fd);
        return rtm_error_set(err, RTM_ERR_INPUT, "tile: '%s' is not a partials file", path);
    }
    *len = (size_t)st.st_size;
    if (!(*buf = malloc(*len ? *len : 1))) {
        close(fd);
        return rtm_error_set(err, RTM_ERR_NOMEM, "tile: out of memory reading '%s'", path);
    }
    while (!rc && got < *len) {
        ssize_t r = read(fd, *buf + got, *len - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0 || errno != EINTR)
            rc = rtm_error_set(err, RTM_ERR_IO, "tile: cannot read '%s': %s", path,
                               r == 0 ? "shorter than its size" : strerror(errno));
    }
    close(fd);
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

int rtm_tile_parts_read(const char *path, unsigned char **buf, size_t *len, rtm_error *err)
{
    return slurp(path, "", buf, len, err);
}

int rtm_tile_parts_take_one(const char *file, const rtm_tile_info *in, int n,
                            const rtm_tiled *t, rtm_error *err)
{
    char path[4096], hex[65];
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc;
    if (!in->parts[0])
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' records no partials file (made "
                             "by another version of rtm?)", file);
    if ((rc = rtm_tile_parts_path(file, path, sizeof path, err)) ||
        (rc = slurp(path, " (each tile's partials file must lie beside it)", &buf, &len, err)))
        return rc;
    if (rtm_sha256_hex(buf, len, hex))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "merge: out of memory");
    else if (strcmp(hex, in->parts))
        rc = rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' fails the checksum its tile '%s' "
                           "recorded (changed or damaged since it was written)", path, file);
    else
        rc = t->take_parts(t->ctx, in->tile.index, n, buf, len, err);
    free(buf);
    return rc;
}
