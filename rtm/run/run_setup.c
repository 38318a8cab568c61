/* run_setup.c: the state of one run (rtm_jr) that every kind of run shares
 * - a whole run, a unit, the finish step (rtm/jobunits.h): set-up and
 * release, the run date and window, the manifest of the job's inputs and
 * the run's unit id, and the offences on their grid. */
#include "run/run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sha256.h"
#include "rtm/input.h"

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

void rtm_jr_iso_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void rtm_jr_free(rtm_jr *r)
{
    int i;
    for (i = 0; r->surf && i < r->job->nsurfaces; i++) {
        free(r->surf[i].v);
        rtm_model_free(r->surf[i].model);
        free(r->surf[i].places);
        rtm_jr_msum_free(r->surf[i].msum);
    }
    free(r->surf);
    for (i = 0; i < r->nlocs; i++)
        free(r->locs[i].name);
    free(r->locs);
    for (i = 0; i < r->noutputs; i++)
        free(r->outputs[i]);
    free(r->outputs);
    for (i = 0; i < r->narows; i++) {
        free(r->arows[i].set);
        free(r->arows[i].name);
        free(r->arows[i].png);
    }
    free(r->arows);
    rtm_events_free(&r->ev);
    for (i = 0; r->src_where && i < r->job->offences.nsources; i++)
        free(r->src_where[i]);
    free(r->src_where);
    for (i = 0; r->src && i < r->nplain; i++)
        free((void *)r->src[i].files);
    free(r->src);
    rtm_weight_table_free(r->harm);
    free(r->counts);
    free(r->raw_counts);
    free(r->cache_dir);
    free(r->units_dir);
    rtm_manifest_free(r->man);
}

void rtm_jr_init(rtm_jr *r, const rtm_job *job, const rtm_jobrun_opts *o)
{
    memset(r, 0, sizeof *r);
    r->job = job;
    r->o = o;
    rtm_points_init(&r->pts);
    rtm_product_env_init(&r->env);
    r->env.threads = o->threads;
    r->env.log = o->log;
    r->env.log_arg = o->log_arg;
}

int rtm_jr_prepare(rtm_jr *r, rtm_error *err)
{
    int rc;
    if (r->o->run_date) {
        snprintf(r->run_date, sizeof r->run_date, "%s", r->o->run_date);
    } else {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(r->run_date, sizeof r->run_date, "%Y-%m-%d", &tm);
    }
    rtm_jr_iso_now(r->started, sizeof r->started);
    if ((rc = rtm_job_months(r->job, r->run_date, &r->from, &r->to, err)))
        return rc;
    if (!(r->man = rtm_manifest_new(r->job->name)) ||
        asprintf(&r->cache_dir, "%s/cache", r->job->out_dir) < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    return 0;
}

int rtm_jr_inputs(rtm_jr *r, rtm_error *err)
{
    int rc = rtm_job_to_manifest(r->job, r->man, err);
    return rc ? rc : rtm_jr_unit_id(r, err);
}

int rtm_jr_unit_id(rtm_jr *r, rtm_error *err)
{
    char inputs[RTM_SHA256_HEX], hex[RTM_SHA256_HEX], *text = NULL;
    int rc = 0;
    if (rtm_manifest_inputs_digest(r->man, inputs) ||
        asprintf(&text, "rtm-units-v1\nsoftware=rtm %s\nrun_date=%s\ninputs=%s\n", RTM_VERSION,
                 r->run_date, inputs) < 0 || rtm_sha256_hex(text, strlen(text), hex))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    else
        snprintf(r->unit_id, sizeof r->unit_id, "%s-%.16s", r->run_date, hex);
    free(text);
    return rc;
}

/* The study area and offences on their grid (rtm_jr_offences). */
int rtm_jr_load(rtm_jr *r, rtm_error *err)
{
    int rc;
    if ((rc = rtm_manifest_add_input(r->man, "study_area", r->job->study_area.file, NULL, err)) ||
        (rc = rtm_jr_offences(r, err)))
        return rc;
    rtm_jr_log(r, "grid: %d x %d cells of %g %s, %zu inside the study area", r->grid.ncols,
               r->grid.nrows, r->grid.res, r->job->crs, r->inside);
    return 0;
}

