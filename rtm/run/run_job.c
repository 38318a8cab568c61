/* run_job.c: rtm_jobrun - one run of a job, from the run folder's lock to
 * the atomic switch of the output set (rtm/job.h). */
#include "run/run_internal.h"
#include "run/cache.h"
#include "rtm/output.h"
#include "rtm/jobunits.h"

#define RTM_CACHE_MAX_AGE (90.0 * 86400) /* seconds */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rtm/input.h"

void rtm_jobrun_opts_init(rtm_jobrun_opts *o)
{
    memset(o, 0, sizeof *o);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int begin(rtm_jr *r, rtm_error *err)
{
    const rtm_job *job = r->job;
    rtm_run_opts ro;
    int rc;
    if ((rc = rtm_jr_prepare(r, err)))
        return rc;
    rtm_run_opts_init(&ro);
    if (job->keep_runs > 0)
        ro.keep = job->keep_runs;
    if ((rc = rtm_run_begin(job->out_dir, &ro, &r->rf, err)))
        return rc;
    rtm_jr_log(r, "job %s: output %s (staging %s)", job->name, job->out_dir,
               rtm_run_staging(r->rf));
    return rtm_jr_inputs(r, err);
}

static void record_counts(rtm_jr *r)
{
    char key[96];
    rtm_manifest_count(r->man, "offences.read", (long long)r->st.read);
    rtm_manifest_count(r->man, "offences.used", (long long)r->st.used);
    rtm_manifest_count(r->man, "offences.filtered.where", (long long)r->st.filtered_where);
    rtm_manifest_count(r->man, "offences.filtered.time", (long long)r->st.filtered_month);
    for (int k = 0; k < RTM_SKIP_NREASONS; k++) {
        snprintf(key, sizeof key, "offences.skipped.%s", rtm_skip_reason_name(k));
        rtm_manifest_count(r->man, key, (long long)r->st.skipped[k]);
    }
    rtm_manifest_count(r->man, "grid.cells", (long long)r->ncells);
    rtm_manifest_count(r->man, "grid.cells_inside", (long long)r->inside);
    rtm_manifest_count(r->man, "cache.hits", r->cache_hits);
    rtm_manifest_count(r->man, "cache.misses", r->cache_misses);
}

/* The resolved run date and month window (the job's own parameters are
 * recorded by rtm_job_to_manifest). */
static void record_params(rtm_jr *r)
{
    char a[16];
    rtm_manifest_param(r->man, "run_date", r->run_date);
    if (r->from != INT_MIN) {
        rtm_manifest_param(r->man, "months.from", rtm_jr_month_str(r->from, a, sizeof a));
        rtm_manifest_param(r->man, "months.to", rtm_jr_month_str(r->to, a, sizeof a));
    }
}

/* List every output with its checksum (a missing one fails the run) and
 * write manifest.json beside them. */
static int write_manifest(rtm_jr *r, double t0, rtm_error *err)
{
    char *p = NULL, now[32];
    int rc = 0;
    for (int i = 0; i < r->noutputs && !rc; i++) {
        struct stat sb;
        if (!(p = rtm_run_path(r->rf, r->outputs[i])))
            return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        if (stat(p, &sb) || !S_ISREG(sb.st_mode))
            rc = rtm_error_set(err, RTM_ERR_IO, "run: output '%s' was not written",
                               r->outputs[i]);
        else
            rc = rtm_manifest_add_output(r->man, r->outputs[i], p, err);
        free(p);
    }
    if (rc)
        return rc;
    record_params(r);
    record_counts(r);
    rtm_manifest_timing(r->man, "total", seconds_now() - t0);
    rtm_jr_iso_now(now, sizeof now);
    rtm_manifest_set_run(r->man, rtm_run_id(r->rf), r->run_date, r->started, now);
    if (!(p = rtm_run_path(r->rf, "manifest.json")))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rc = rtm_manifest_write(r->man, p, err);
    free(p);
    return rc;
}

/* offences.used of the current run's manifest.json (the run before this
 * one), or -1 when there is none or it cannot be read. A plain scan for the
 * key: the manifest is written by rtm_manifest_write, one count a key. */
static long long previous_used(const char *out_dir)
{
    char *path = NULL, *buf = NULL;
    long long n = -1;
    long size;
    if (asprintf(&path, "%s/current/manifest.json", out_dir) < 0)
        return -1;
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && size < (64L << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1))) {
        size_t len = fread(buf, 1, (size_t)size, f);
        buf[len] = '\0';
        const char *k = strstr(buf, "\"offences.used\"");
        if (k && (k = strchr(k, ':'))) {
            char *end;
            long long v = strtoll(k + 1, &end, 10);
            n = end > k + 1 && v >= 0 ? v : -1;
        }
    }
    free(buf);
    fclose(f);
    return n;
}

/* The offences summary line, and a warning when this run used less than
 * 10 % of the previous run's offences (a failed download, a renamed
 * category or a broken filter would otherwise pass silently). */
static void log_offences(rtm_jr *r)
{
    rtm_jr_log(r, "offences: %zu read, %zu used (%zu filtered by type/where, %zu by date or "
               "time, %zu unusable)", r->st.read, r->st.used, r->st.filtered_where,
               r->st.filtered_month, rtm_load_stats_skipped(&r->st));
    long long prev = previous_used(r->job->out_dir);
    if (prev > 0 && (double)r->st.used < 0.1 * (double)prev)
        rtm_jr_log(r, "warning: offences: %zu used, less than 10 %% of the %lld of the previous "
                   "run (%s/current): check the data and the filters", r->st.used, prev,
                   r->job->out_dir);
}

static int steps(rtm_jr *r, double t0, int finish_step, rtm_error *err)
{
    double t = seconds_now();
    int rc;
    if ((rc = begin(r, err)) || (finish_step && (rc = rtm_jr_units_ready(r, err))) ||
        (rc = rtm_jr_load(r, err)))
        return rc;
    log_offences(r);
    rtm_manifest_timing(r->man, "load", seconds_now() - t);
    if (!(r->surf = calloc((size_t)(r->job->nsurfaces ? r->job->nsurfaces : 1),
                           sizeof *r->surf)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    if ((rc = rtm_jr_surfaces(r, err)))
        return rc;
    t = seconds_now();
    if ((rc = rtm_jr_areas(r, err)))
        return rc;
    rtm_manifest_timing(r->man, "areas", seconds_now() - t);
    t = seconds_now();
    if ((r->job->formats & RTM_FMT_HTML) && (rc = rtm_jr_report(r, err)))
        return rc;
    rtm_manifest_timing(r->man, "report", seconds_now() - t);
    return write_manifest(r, t0, err);
}

/* After the commit: the cache pruned, the finish step's units removed,
 * res filled. */
static void committed(rtm_jr *r, double t0, rtm_jobrun_result *res)
{
    char *cur = NULL;
    /* cache entries unused for 90 days belong to inputs that are gone */
    if (r->cache_dir)
        rtm_cache_prune(r->cache_dir, RTM_CACHE_MAX_AGE);
    rtm_jr_units_remove(r);
    if (!res)
        return;
    memset(res, 0, sizeof *res);
    cur = rtm_run_current(r->job->out_dir);
    snprintf(res->run_dir, sizeof res->run_dir, "%s", cur ? cur : r->job->out_dir);
    res->noutputs = r->noutputs;
    res->cache_hits = r->cache_hits;
    res->cache_misses = r->cache_misses;
    res->seconds = seconds_now() - t0;
    free(cur);
}

static int jobrun(const rtm_job *job, const rtm_jobrun_opts *o, int finish_step,
                  rtm_jobrun_result *res, rtm_error *err)
{
    rtm_jobrun_opts def;
    rtm_jr r;
    double t0 = seconds_now();
    int rc;
    rtm_error_clear(err);
    if (!o) {
        rtm_jobrun_opts_init(&def);
        o = &def;
    }
    if (finish_step && !o->run_date)
        return rtm_error_set(err, RTM_ERR_ARG, "run: the finish step needs the run date of "
                             "its units (--run-date)");
    rtm_jr_init(&r, job, o);
    rc = steps(&r, t0, finish_step, err);
    if (rc) {
        rtm_run_abort(r.rf);
    } else {
        rc = rtm_run_commit(r.rf, err);
        if (!rc)
            committed(&r, t0, res);
    }
    rtm_jr_free(&r);
    if (rc && err && err->code == RTM_OK)
        rtm_error_set(err, rc, "run: failed");
    return rc;
}

int rtm_jobrun(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
               rtm_error *err)
{
    return jobrun(job, o, 0, res, err);
}

int rtm_jobrun_finish(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
                      rtm_error *err)
{
    return jobrun(job, o, 1, res, err);
}
