/* run_gather.c: a unit's files into the run's staging folder (rtm/jobunits.h).
 * Each file is hard-linked (the unit folder is on OUT's file system, so
 * this costs nothing and leaves the unit whole for a retry of the finish
 * step), or copied where links are refused; each must have the size the
 * unit recorded, and is registered for the manifest in the unit's order,
 * which is the order rtm_jobrun registers them in. */
#include "run/run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Copy src to the new file dst (the link was refused). */
static int copy_file(const char *src, const char *dst)
{
    char buf[1 << 16];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    ssize_t n = 0;
    if (in >= 0)
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (out >= 0) {
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n) {
                n = -1;
                break;
            }
        rc = n == 0 ? 0 : -1;
        if (close(out) != 0)
            rc = -1;
    }
    if (in >= 0)
        close(in);
    return rc;
}

/* entry = "SIZE NAME": link or copy dir/NAME to NAME in the staging folder
 * and register it. */
static int gather_file(rtm_jr *r, const char *dir, const char *entry, rtm_error *err)
{
    char *end, *src = NULL, *dst = NULL;
    long long size = strtoll(entry, &end, 10);
    const char *name = *end == ' ' ? end + 1 : "";
    struct stat sb;
    int rc = 0;
    if (asprintf(&src, "%s/%s", dir, name) < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    if (stat(src, &sb) != 0 || !S_ISREG(sb.st_mode) || (long long)sb.st_size != size)
        rc = rtm_error_set(err, RTM_ERR_IO, "run: unit file '%s' is missing or not %lld "
                           "bytes", src, size);
    else if (!(dst = rtm_jr_output(r, name, err)))
        rc = err->code;
    else if (link(src, dst) != 0 && copy_file(src, dst) != 0)
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot link or copy '%s' to '%s': %s", src,
                           dst, strerror(errno));
    free(src);
    free(dst);
    return rc;
}

int rtm_jr_gather(rtm_jr *r, int i, const char *dir, rtm_error *err)
{
    char **outs = NULL;
    int n = 0, rc, k;
    if ((rc = rtm_jr_state_read(r, i, dir, &outs, &n, err)))
        return rc;
    for (k = 0; k < n && !rc; k++)
        rc = gather_file(r, dir, outs[k], err);
    for (k = 0; k < n; k++)
        free(outs[k]);
    free(outs);
    return rc;
}
