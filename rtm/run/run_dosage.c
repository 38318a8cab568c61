/* run_dosage.c: the `dosage` surface of a job run - patrol dosage from
 * location pings through the same product as `rtm dosage`, into the run's
 * folder NAME/ (see rtm/dosage.h and docs/job-format.md). The job's CRS is
 * the analysis CRS; the job's offences, grid and month window are not
 * used (the pings have days of their own: `from`, `to`). */
#include "run/run_internal.h"

#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"
#include "run/runfolder.h"

static void opts(const rtm_jr *r, const rtm_job_surface *s, rtm_dosage_product *p)
{
    const rtm_job_dosage *d = s->dosage;
    rtm_dosage_product_init(p);
    p->places = d->places;
    p->places_layer = d->places_layer;
    p->pings = (const char *const *)d->pings;
    p->npings = d->npings;
    p->read.id_field = d->id_field, p->read.time_field = d->time_field;
    p->read.x_field = d->x_field, p->read.y_field = d->y_field;
    p->read.src_crs = d->src_crs, p->read.layer = d->layer;
    p->read.dst_crs = r->job->crs;
    p->tz = d->tz;
    if (d->max_gap > 0)
        p->max_gap = d->max_gap;
    if (d->merge_gap > 0)
        p->merge_gap = d->merge_gap;
    if (d->resolution > 0)
        p->resolution = d->resolution;
    p->date_from = d->date_from, p->date_to = d->date_to;
    p->nshifts = d->nshifts;
    memcpy(p->shift_start, d->shift_start, sizeof p->shift_start);
    memcpy(p->shift_end, d->shift_end, sizeof p->shift_end);
    p->per_device = d->per_device;
    p->dir = s->name;
}

int rtm_jr_surf_dosage(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_dosage_product p;
    rtm_dosage_result res;
    rtm_outset *out = NULL;
    int rc;
    if (!s->dosage)
        return rtm_error_set(err, RTM_ERR_ARG, "run: dosage '%s': no settings", s->name);
    opts(r, s, &p);
    if ((rc = rtm_outset_open_staged(rtm_run_staging(r->rf), &out, err)))
        return rc;
    rc = rtm_dosage_product_run(&p, &r->env, out, &res, err);
    if (rc) {
        rtm_outset_abort(out);
        return rc;
    }
    if ((rc = rtm_jr_adopt(r, out, err)))
        return rc;
    rtm_jr_log(r, "dosage %s: %s", s->name, res.summary);
    return 0;
}
