/* cache.c: content-addressed cache of derived files (see rtm_cache.h). */
#include "run/cache.h"
#include "run/runfolder.h"

#include <dirent.h>
#include <errno.h>
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

int rtm_cache_has(const char *dir, const char *key, const char *ext)
{
    struct stat st;
    char *p = rtm_cache_entry(dir, key, ext);
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

/* Copy src to dst through dst.tmp-PID and rename (atomic for readers). */
static int copy_file(const char *src, const char *dst, rtm_error *err)
{
    char *tmp = NULL, buf[65536];
    size_t n;
    int rc = 0;
    if (asprintf(&tmp, "%s.tmp-%ld", dst, (long)getpid()) < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    FILE *in = fopen(src, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
    if (!in || !out) {
        rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot copy '%s' to '%s': %s", src, tmp,
                           strerror(errno));
    } else {
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, out) != n)
                break;
        if (ferror(in) || ferror(out))
            rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot copy '%s'", src);
    }
    if (in)
        fclose(in);
    if (out && fclose(out) != 0 && !rc)
        rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot write '%s'", tmp);
    if (!rc && rename(tmp, dst) != 0)
        rc = rtm_error_set(err, RTM_ERR_IO, "cache: cannot rename '%s': %s", tmp, strerror(errno));
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

int rtm_cache_fetch(const char *dir, const char *key, const char *ext, const char *dest,
                    rtm_error *err)
{
    char *p = rtm_cache_entry(dir, key, ext);
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    int rc = copy_file(p, dest, err);
    free(p);
    return rc;
}

int rtm_cache_store(const char *dir, const char *key, const char *ext, const char *src,
                    rtm_error *err)
{
    if (rtm_mkdirs(dir) != 0)
        return rtm_error_set(err, RTM_ERR_IO, "cache: cannot create '%s': %s", dir,
                             strerror(errno));
    char *p = rtm_cache_entry(dir, key, ext);
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "cache: out of memory");
    int rc = copy_file(src, p, err);
    free(p);
    return rc;
}

void rtm_cache_touch(const char *entry_path)
{
    utimes(entry_path, NULL);
}

int rtm_cache_prune(const char *dir, double max_age)
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
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
            difftime(now, sb.st_mtime) > max_age && unlink(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}
