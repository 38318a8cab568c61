/* cache.c: content-addressed cache of derived files, each entry checked
 * against its recorded SHA-256 before use (see run/cache.h). */
#include "run/cache.h"
#include "run/runfolder.h"
#include "core/atomic.h"
#include "core/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void rtm_cache_key(int ninputs, const char *const *input_sha, const char *params,
                   char key[RTM_SHA256_HEX])
{
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    rtm_sha256_init(&c);
    rtm_sha256_update(&c, "rtm-cache-v1\n", 13);
    for (int i = 0; i < ninputs; i++) {
        rtm_sha256_update(&c, input_sha[i], strlen(input_sha[i]));
        rtm_sha256_update(&c, "\n", 1);
    }
    if (params)
        rtm_sha256_update(&c, params, strlen(params));
    rtm_sha256_final(&c, d);
    rtm_sha256_to_hex(d, key);
}

char *rtm_cache_entry(const char *dir, const char *key, const char *ext)
{
    char *p;
    if (asprintf(&p, "%s/%s%s%s", dir, key, ext && ext[0] ? "." : "", ext ? ext : "") < 0)
        return NULL;
    return p;
}

/* DIR/<key>.<ext>.sha256 as a new string, or NULL. */
static char *sum_path(const char *entry)
{
    char *p;
    return asprintf(&p, "%s.sha256", entry) < 0 ? NULL : p;
}

static int is_file(const char *path)
{
    struct stat st;
    return path && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int rtm_cache_has(const char *dir, const char *key, const char *ext)
{
    char *p = rtm_cache_entry(dir, key, ext), *q = p ? sum_path(p) : NULL;
    int ok = is_file(p) && is_file(q);
    free(p);
    free(q);
    return ok;
}

/* The checksum recorded for entry into hex; 0, or -1 when there is none
 * or it is malformed. */
static int read_sum(const char *entry, char hex[RTM_SHA256_HEX])
{
    char *q = sum_path(entry), line[RTM_SHA256_HEX + 8];
    int fd = q ? open(q, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    ssize_t n = fd >= 0 ? read(fd, line, sizeof line - 1) : -1;
    free(q);
    if (fd >= 0)
        close(fd);
    if (n < RTM_SHA256_HEX - 1 || strspn(line, "0123456789abcdef") != RTM_SHA256_HEX - 1)
        return -1;
    memcpy(hex, line, RTM_SHA256_HEX - 1);
    hex[RTM_SHA256_HEX - 1] = '\0';
    return 0;
}

static int write_sum(const char *entry, const char hex[RTM_SHA256_HEX], rtm_error *err)
{
    char *q = sum_path(entry), *text = NULL;
    const char *base = strrchr(entry, '/');
    int rc, n;
    base = base ? base + 1 : entry;
    if (!q || (n = asprintf(&text, "%s  %s\n", hex, base)) < 0) {
        free(q);
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    }
    rc = rtm_atomic_write_text(q, text, (size_t)n, err);
    free(text);
    free(q);
    return rc;
}

/* Drop a bad entry and its checksum; report the miss and why. */
static int bad_entry(const char *entry, const char *why, rtm_error *err)
{
    char *q = sum_path(entry);
    (void)unlink(entry);
    if (q)
        (void)unlink(q);
    free(q);
    rtm_error_set(err, RTM_OK, "cache: entry '%s' %s; removed, it will be recomputed", entry, why);
    return RTM_CACHE_MISS;
}

/* Compare the checksum of the bytes read with the recorded one. */
static int check_sum(const char *entry, const char hex[RTM_SHA256_HEX], rtm_error *err)
{
    char want[RTM_SHA256_HEX];
    if (read_sum(entry, want) != 0)
        return bad_entry(entry, "has no checksum", err);
    if (strcmp(hex, want) != 0)
        return bad_entry(entry, "does not match its checksum", err);
    return 0;
}

/* Open an entry for reading; RTM_CACHE_MISS when absent (err cleared) or a
 * symbolic link (removed). */
static int open_entry(const char *entry, FILE **in, rtm_error *err)
{
    int fd = open(entry, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT && errno != ELOOP)
        return rtm_error_set(err, RTM_ERR_IO, "cache: cannot read '%s': %s", entry,
                             strerror(errno));
    if (fd < 0) {
        int e = errno;
        rtm_error_clear(err);
        return e == ELOOP ? bad_entry(entry, "is a symbolic link", err) : RTM_CACHE_MISS;
    }
    if (!(*in = fdopen(fd, "rb"))) {
        close(fd);
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    }
    return 0;
}

/* Copy in to the reserved temporary file tmp (for dst), putting the
 * SHA-256 of the bytes copied in hex. Closes in. */
static int copy_to_tmp(FILE *in, const char *tmp, const char *dst, char hex[RTM_SHA256_HEX],
                       rtm_error *err)
{
    char buf[65536];
    unsigned char d[RTM_SHA256_LEN];
    rtm_sha256_ctx c;
    FILE *out = fopen(tmp, "wbx");
    size_t n;
    int bad = !out;
    rtm_sha256_init(&c);
    while (!bad && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        rtm_sha256_update(&c, buf, n);
        bad = fwrite(buf, 1, n, out) != n;
    }
    bad = bad || ferror(in);
    fclose(in);
    if (out && fclose(out) != 0)
        bad = 1;
    rtm_sha256_final(&c, d);
    rtm_sha256_to_hex(d, hex);
    if (bad)
        return rtm_error_set(err, RTM_ERR_IO, "cache: cannot write '%s': %s", dst,
                             strerror(errno ? errno : EIO));
    return 0;
}

int rtm_cache_fetch(const char *dir, const char *key, const char *ext, const char *dest,
                    rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX], hex[RTM_SHA256_HEX];
    char *p = rtm_cache_entry(dir, key, ext);
    FILE *in = NULL;
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    if ((rc = open_entry(p, &in, err)) != 0) {
        free(p);
        return rc;
    }
    if ((rc = rtm_atomic_tmpname(dest, tmp, sizeof tmp, err)) != 0) {
        fclose(in);
        free(p);
        return rc;
    }
    if ((rc = copy_to_tmp(in, tmp, dest, hex, err)) == 0)
        rc = check_sum(p, hex, err); /* the bytes copied are the bytes checked */
    if (rc == 0)
        rc = rtm_atomic_commit(tmp, dest, err);
    else
        rtm_atomic_abort(tmp);
    free(p);
    return rc;
}

int rtm_cache_load(const char *dir, const char *key, const char *ext, void *buf, size_t len,
                   rtm_error *err)
{
    char hex[RTM_SHA256_HEX], extra;
    char *p = rtm_cache_entry(dir, key, ext);
    FILE *in = NULL;
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    if ((rc = open_entry(p, &in, err)) == 0) {
        int whole = fread(buf, 1, len, in) == len && fread(&extra, 1, 1, in) == 0;
        int ioerr = ferror(in);
        fclose(in);
        if (ioerr)
            rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot read '%s'", p);
        else if (!whole)
            rc = bad_entry(p, "has the wrong size", err);
        else {
            rtm_sha256_hex(buf, len, hex);
            rc = check_sum(p, hex, err);
        }
    }
    free(p);
    return rc;
}

int rtm_cache_verify(const char *dir, const char *key, const char *ext, rtm_error *err)
{
    char hex[RTM_SHA256_HEX];
    char *p = rtm_cache_entry(dir, key, ext);
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    if (!is_file(p)) {
        rtm_error_clear(err);
        rc = access(p, F_OK) == 0 ? bad_entry(p, "is not a plain file", err) : RTM_CACHE_MISS;
    } else if (rtm_sha256_file(p, hex, NULL, err) != 0) {
        rc = RTM_ERR_IO;
    } else {
        rc = check_sum(p, hex, err);
    }
    free(p);
    return rc;
}

/* Create DIR and the entry's path; NULL with err set on failure. */
static char *store_path(const char *dir, const char *key, const char *ext, rtm_error *err)
{
    char *p;
    if (rtm_mkdirs(dir) != 0) {
        rtm_error_set(err, RTM_ERR_IO, "cache: cannot create '%s': %s", dir, strerror(errno));
        return NULL;
    }
    if (!(p = rtm_cache_entry(dir, key, ext)))
        rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    return p;
}

/* The old checksum goes first, so that a reader never pairs the new
 * entry with it (a missing checksum reads as a miss). */
static void drop_sum(const char *entry)
{
    char *q = sum_path(entry);
    if (q)
        (void)unlink(q);
    free(q);
}

int rtm_cache_store(const char *dir, const char *key, const char *ext, const char *src,
                    rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX], hex[RTM_SHA256_HEX];
    char *p = store_path(dir, key, ext, err);
    FILE *in;
    int rc;
    if (!p)
        return err ? err->code : RTM_ERR_IO;
    if (!(in = fopen(src, "rbe")))
        rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot read '%s': %s", src, strerror(errno));
    else if ((rc = rtm_atomic_tmpname(p, tmp, sizeof tmp, err)) != 0)
        fclose(in);
    else if ((rc = copy_to_tmp(in, tmp, p, hex, err)) != 0)
        rtm_atomic_abort(tmp);
    else {
        drop_sum(p);
        if ((rc = rtm_atomic_commit(tmp, p, err)) == 0)
            rc = write_sum(p, hex, err);
    }
    free(p);
    return rc;
}

int rtm_cache_store_data(const char *dir, const char *key, const char *ext, const void *data,
                         size_t len, rtm_error *err)
{
    char hex[RTM_SHA256_HEX];
    char *p = store_path(dir, key, ext, err);
    int rc;
    if (!p)
        return err ? err->code : RTM_ERR_IO;
    rtm_sha256_hex(data, len, hex);
    drop_sum(p);
    if ((rc = rtm_atomic_write_text(p, data, len, err)) == 0)
        rc = write_sum(p, hex, err);
    free(p);
    return rc;
}

int rtm_cache_seal(const char *dir, const char *key, const char *ext, rtm_error *err)
{
    char hex[RTM_SHA256_HEX];
    char *p = rtm_cache_entry(dir, key, ext);
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    rc = rtm_sha256_file(p, hex, NULL, err);
    if (rc == 0)
        rc = write_sum(p, hex, err);
    free(p);
    return rc;
}

void rtm_cache_touch(const char *entry_path)
{
    char *q = sum_path(entry_path);
    utimes(entry_path, NULL);
    if (q)
        utimes(q, NULL);
    free(q);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* One pass over dir: with sums == 0 remove entries older than max_age (and
 * their checksums); with sums == 1 remove checksums without an entry. */
static int prune_pass(const char *dir, double max_age, int sums)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    time_t now = time(NULL);
    int removed = 0;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[4200];
        struct stat sb;
        if (de->d_name[0] == '.' || ends_with(de->d_name, ".sha256") != sums)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (sums) {
            char entry[4200];
            snprintf(entry, sizeof entry, "%.*s", (int)(strlen(path) - 7), path);
            if (!is_file(entry) && unlink(path) == 0)
                removed++;
        } else if (difftime(now, sb.st_mtime) > max_age && unlink(path) == 0) {
            drop_sum(path);
            removed++;
        }
    }
    closedir(d);
    return removed;
}

/* Hidden directories are the private temporary directories of entries
 * being stored (core/atomic.h); one older than an hour was left by a
 * process killed with SIGKILL (other signals remove it at once). */
static int hidden(const char *name)
{
    return name[0] == '.';
}

int rtm_cache_prune(const char *dir, double max_age)
{
    int removed = prune_pass(dir, max_age, 0);
    (void)prune_pass(dir, max_age, 1);
    (void)rtm_cleanup_prune_dirs(dir, hidden, 3600);
    return removed;
}
