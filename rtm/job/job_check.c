/* job_check.c: load, validate and free job files (see rtm/job.h). */
#include "job/job_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void rtm_job_free(rtm_job *job)
{
    if (!job)
        return;
    free(job->path);
    free(job->dir);
    free(job->name);
    free(job->title);
    rtm_job_vector_clear(&job->study_area);
    free(job->crs);
    rtm_job_offences_clear(&job->offences);
    rtm_job_surfaces_clear(job);
    for (int i = 0; i < job->nareas; i++)
        rtm_job_vector_clear(&job->areas[i]);
    free(job->areas);
    free(job->out_dir);
    rtm_catalog_free(job->catalog);
    free(job);
}

const rtm_job_surface *rtm_job_find_surface(const rtm_job *job, const char *name)
{
    for (int i = 0; job && name && i < job->nsurfaces; i++)
        if (job->surfaces[i].name && strcmp(job->surfaces[i].name, name) == 0)
            return &job->surfaces[i];
    return NULL;
}

/* (line, col) of a message "path:LINE:COL: ..." for this path, else (0, 0)
 * so that catalogue and file-level messages come first. */
static long position(const char *msg, const char *path)
{
    size_t n = strlen(path);
    unsigned long line = 0, col = 0;
    if (strncmp(msg, path, n) != 0 || sscanf(msg + n, ":%lu:%lu:", &line, &col) != 2)
        return 0;
    return (long)(line * 10000 + (col < 10000 ? col : 9999));
}

/* Stable insertion sort of errs->msg[from..] into file order. */
static void sort_messages(rtm_msgs *errs, int from, const char *path)
{
    for (int i = from + 1; i < errs->n; i++) {
        char *m = errs->msg[i];
        long key = position(m, path);
        int j = i;
        while (j > from && position(errs->msg[j - 1], path) > key) {
            errs->msg[j] = errs->msg[j - 1];
            j--;
        }
        errs->msg[j] = m;
    }
}

/* Parse path into a new job, appending every problem to errs.
 * Returns the job (possibly incomplete) or NULL when out of memory. */
static rtm_job *parse(const char *path, const char *catalog_dir, rtm_msgs *errs,
                      rtm_msgs *warns)
{
    rtm_ydoc y;
    int first = errs->n;
    rtm_job *job = calloc(1, sizeof *job);
    if (!job || !(job->path = strdup(path))) {
        free(job);
        rtm_msgs_add(errs, "job: out of memory");
        return NULL;
    }
    if (rtm_ydoc_open(&y, path, errs) == 0) {
        y.warns = warns;
        rtm_job_read(&y, catalog_dir, job);
    }
    job->dir = y.dir ? strdup(y.dir) : NULL;
    rtm_ydoc_close(&y);
    sort_messages(errs, first, path);
    return job;
}

int rtm_job_check_warn(const char *path, const char *catalog_dir, rtm_msgs *errs,
                       rtm_msgs *warns)
{
    int before = errs->n;
    rtm_job_free(parse(path, catalog_dir, errs, warns));
    return errs->n - before;
}

int rtm_job_check(const char *path, const char *catalog_dir, rtm_msgs *errs)
{
    return rtm_job_check_warn(path, catalog_dir, errs, NULL);
}

int rtm_job_load(const char *path, const char *catalog_dir, rtm_job **out, rtm_error *err)
{
    rtm_msgs errs = {0};
    rtm_job *job = parse(path, catalog_dir, &errs, NULL);
    int rc = 0;
    if (!job) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "job: out of memory");
    } else if (errs.n > 0) {
        int io = strstr(errs.msg[0], ": cannot open: ") != NULL && errs.n == 1;
        rc = rtm_error_set(err, io ? RTM_ERR_IO : RTM_ERR_INPUT, "%s", errs.msg[0]);
        if (errs.n > 1 && strlen(err->msg) + 40 < sizeof err->msg)
            snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg),
                     " (and %d more problem%s)", errs.n - 1, errs.n > 2 ? "s" : "");
    }
    if (rc)
        rtm_job_free(job);
    else
        *out = job;
    rtm_msgs_free(&errs);
    return rc;
}
