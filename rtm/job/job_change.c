/* job_change.c: a surface of type `change` in a job file (docs/job-format.md):
 * two periods of the job's offences compared by the change product. */
#include "job/job_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/change.h"

/* A period key "YYYY-MM..YYYY-MM" into *from, *to (left 0 when absent). */
static void read_period(rtm_ydoc *y, yaml_node_t *n, const char *key, int *from, int *to)
{
    char *t = NULL;
    rtm_change_period p;
    rtm_error e;
    if (rtm_ystr(y, n, key, &t) || !t)
        return;
    if (rtm_change_period_parse(t, &p, &e))
        rtm_yerr(y, rtm_yget(y, n, key), "%s: %s", key, e.msg);
    else
        *from = p.from, *to = p.to;
    free(t);
}

/* units_layer: one existing file, resolved against the job's folder. */
static void read_units_layer(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    char *raw = NULL, **files = NULL;
    int nf = 0;
    if (rtm_ystr(y, n, "units_layer", &raw) || !raw)
        return;
    s->units_layer = rtm_yresolve(y, raw);
    free(raw);
    if (s->units_layer &&
        rtm_yglob(y, rtm_yget(y, n, "units_layer"), s->units_layer, &files, &nf) == 0) {
        if (nf > 1)
            rtm_yerr(y, rtm_yget(y, n, "units_layer"), "'units_layer' must name one file "
                     "('%s' matches %d)", s->units_layer, nf);
        free(s->units_layer);
        s->units_layer = strdup(files[0]);
    }
    rtm_ystrv_free(files, nf);
}

void rtm_job_read_change(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    static const char *const keys[] = {"type", "name", "before", "after", "after_months",
                                       "radius", "kernel", "units", "iterations", "seed",
                                       "alpha", "scale", "units_layer", "units_field", "tiles",
                                       NULL};
    int kernel = rtm_vocab_find("kernel")->def, units = rtm_vocab_find("units")->def;
    int scale = rtm_vocab_find("scale")->def;
    long long am = 3, it = 999, seed = 1;
    rtm_ycheck_keys(y, n, "change", keys);
    if (rtm_yrequire(y, n, "radius", "change"))
        rtm_ynum(y, n, "radius", 1e-300, RTM_JOB_MAX_DISTANCE, &s->radius);
    rtm_yvocab(y, n, "kernel", "kernel", &kernel);
    rtm_yvocab(y, n, "units", "units", &units);
    rtm_yvocab(y, n, "scale", "scale", &scale);
    s->kernel = (rtm_kernel)kernel, s->units = (rtm_map_units)units, s->scale = scale;
    read_period(y, n, "before", &s->before_from, &s->before_to);
    read_period(y, n, "after", &s->after_from, &s->after_to);
    rtm_yint(y, n, "after_months", 1, 1200, &am);
    rtm_yint(y, n, "iterations", 0, 1000000, &it);
    rtm_yint(y, n, "seed", 0, (long long)(~0ull >> 1), &seed);
    s->after_months = (int)am, s->iterations = (int)it, s->seed = (unsigned long long)seed;
    s->alpha = 0.05;
    rtm_ynum(y, n, "alpha", 1e-12, 0.999999, &s->alpha);
    rtm_job_read_tiles(y, n, s);
    if (units == RTM_MAP_PROBABILITY)
        rtm_yerr(y, rtm_yget(y, n, "units"), "change: units 'probability' do not apply (use "
                 "km2, ha, m2 or cell)");
    if ((s->before_from != 0) != (s->after_from != 0))
        rtm_yerr(y, n, "change: give both 'before' and 'after', or neither (then 'after' is "
                 "the last after_months of the window and 'before' the months before)");
    else if (s->before_from && s->before_from <= s->after_to && s->after_from <= s->before_to)
        rtm_yerr(y, n, "change: the periods 'before' and 'after' overlap");
    read_units_layer(y, n, s);
    rtm_ystr(y, n, "units_field", &s->units_field);
}
