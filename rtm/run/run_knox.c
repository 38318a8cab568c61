/* run_knox.c: the knox and repeats surfaces of a job run - the job's
 * offences through rtm_knox_product_run / rtm_repeats_product_run into the
 * surface's folder, the same files as `rtm knox` / `rtm repeats`. */
#include "run/run_internal.h"

#include <stdio.h>
#include <string.h>

#include "rtm/knox.h"

static int finish(rtm_jr *r, rtm_outset *out, int rc, rtm_error *err)
{
    if (rc) {
        rtm_outset_abort(out);
        return rc;
    }
    return rtm_jr_adopt(r, out, err);
}

int rtm_jr_surf_knox(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_knox_product p;
    rtm_knox_result res;
    rtm_outset *out = NULL;
    int rc;
    rtm_knox_product_init(&p);
    p.knox.ds = s->distance_bands, p.knox.nds = s->ndistance_bands;
    p.knox.ts = s->time_bands, p.knox.nts = s->ntime_bands;
    p.knox.manhattan = s->manhattan, p.knox.same_location = s->same_location;
    p.knox.iterations = s->iterations, p.knox.seed = s->seed;
    p.alpha = s->alpha;
    p.dir = s->name;
    if ((rc = rtm_outset_open_staged(rtm_run_staging(r->rf), &out, err)))
        return rc;
    rc = finish(r, out, rtm_knox_product_run(&p, &r->ev, &r->env, out, &res, err), err);
    if (rc)
        return rc;
    snprintf(o->map, sizeof o->map, "%s/knox.png", s->name);
    rtm_jr_log(r, "knox %s: %zu pairs within %g, %d permutations (seed %llu)%s", s->name,
               res.npairs, res.d_to[res.nd - 1], res.iterations, s->seed,
               rtm_knox_edge_effect(&res, p.alpha) ? "; warning: significant in the last band" : "");
    rtm_knox_result_free(&res);
    return 0;
}

int rtm_jr_surf_repeats(rtm_jr *r, rtm_jr_surf *o, rtm_error *err)
{
    const rtm_job_surface *s = o->js;
    rtm_repeats_product p;
    rtm_repeats_result res;
    rtm_outset *out = NULL;
    int rc;
    rtm_repeats_product_init(&p);
    p.top = s->top;
    p.dir = s->name;
    if ((rc = rtm_outset_open_staged(rtm_run_staging(r->rf), &out, err)))
        return rc;
    rc = finish(r, out, rtm_repeats_product_run(&p, &r->ev, &r->env, out, &res, err), err);
    if (rc)
        return rc;
    snprintf(o->map, sizeof o->map, "%s/repeats.png", s->name);
    rtm_jr_log(r, "repeats %s: %zu locations (%s), %zu with 2 or more events; top 1 %% hold "
               "%.1f %% of events", s->name, res.locations, res.kind, res.repeat_locations,
               100 * res.top1);
    return 0;
}
