/* run_plan.c: a job's independent units (rtm/jobunits.h): every surface
 * that needs only the offences, the grid and its own inputs is one unit;
 * overlay and evaluate read other surfaces and belong to the finish step. */
#include "rtm/jobunits.h"

#include <stddef.h>

int rtm_job_surface_in_finish(rtm_surface_type t)
{
    return t == RTM_SURF_OVERLAY || t == RTM_SURF_EVALUATE;
}

int rtm_job_units(const rtm_job *job, rtm_job_unit *units, int max)
{
    int n = 0;
    for (int i = 0; i < job->nsurfaces; i++) {
        if (rtm_job_surface_in_finish(job->surfaces[i].type))
            continue;
        int nt = job->surfaces[i].tiles > 1 ? job->surfaces[i].tiles : 1;
        for (int t = 0; t < nt; t++, n++) /* a tiled surface: one unit per strip */
            if (units && n < max)
                units[n] = (rtm_job_unit){i, t, nt, NULL};
    }
    return n;
}
