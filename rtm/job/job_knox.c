/* job_knox.c: surfaces of type `knox` (near repeats, the Knox test) and
 * `repeats` (repeat locations) in a job file (docs/job-format.md); both run
 * on the job's offences through the same products as `rtm knox` and
 * `rtm repeats`. */
#include "job/job_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A list of increasing numbers >= 0 (whole when whole != 0), 2..101 items. */
static void read_edges(rtm_ydoc *y, yaml_node_t *n, const char *key, int whole, double *v,
                       int *nv)
{
    char **items = NULL, *end;
    int k = 0;
    if (rtm_ystrlist(y, n, key, &items, &k) || !items)
        return;
    if (k < 2 || k > 101)
        rtm_yerr(y, rtm_yget(y, n, key), "'%s' needs 2 to 101 edges (got %d)", key, k);
    for (int i = 0; i < k && i < 101; i++) {
        v[i] = strtod(items[i], &end);
        if (*end || !(v[i] >= 0) || (i && !(v[i] > v[i - 1])) ||
            (whole && (v[i] != floor(v[i]) || v[i] > 36600))) {
            rtm_yerr(y, rtm_yget(y, n, key), "'%s' must be increasing %s >= 0 ('%s')", key,
                     whole ? "whole days" : "numbers", items[i]);
            break;
        }
    }
    if (k >= 2 && k <= 101)
        *nv = k;
    rtm_ystrv_free(items, k);
}

void rtm_job_read_knox(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    static const char *const keys[] = {"type", "name", "distance_bands", "time_bands",
                                       "manhattan", "same_location", "iterations", "seed",
                                       "alpha", NULL};
    double ds[101] = {0, 200, 400, 600, 800, 1000}, ts[101] = {0, 7, 14, 21, 28};
    int nds = 6, nts = 5;
    long long it = 999, seed = 1;
    rtm_ycheck_keys(y, n, "knox", keys);
    read_edges(y, n, "distance_bands", 0, ds, &nds);
    read_edges(y, n, "time_bands", 1, ts, &nts);
    rtm_ybool(y, n, "manhattan", &s->manhattan);
    s->same_location = 0.001;
    rtm_ynum(y, n, "same_location", 0, 1e12, &s->same_location);
    if (s->same_location > 0 && (ds[0] != 0 || !(s->same_location < ds[1])))
        rtm_yerr(y, n, "knox: same_location needs distance_bands from 0 and a width below the "
                 "second edge (or same_location: 0)");
    rtm_yint(y, n, "iterations", 0, 1000000, &it);
    rtm_yint(y, n, "seed", 0, (long long)(~0ull >> 1), &seed);
    s->iterations = (int)it, s->seed = (unsigned long long)seed;
    s->alpha = 0.05;
    rtm_ynum(y, n, "alpha", 1e-9, 0.5, &s->alpha);
    s->distance_bands = malloc(nds * sizeof *s->distance_bands);
    s->time_bands = malloc(nts * sizeof *s->time_bands);
    if (!s->distance_bands || !s->time_bands)
        return;
    for (int i = 0; i < nds; i++)
        s->distance_bands[i] = ds[i];
    for (int i = 0; i < nts; i++)
        s->time_bands[i] = (int)ts[i];
    s->ndistance_bands = nds, s->ntime_bands = nts;
}

void rtm_job_read_repeats(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    static const char *const keys[] = {"type", "name", "top", NULL};
    long long top = 20;
    rtm_ycheck_keys(y, n, "repeats", keys);
    rtm_yint(y, n, "top", 1, 100000, &top);
    s->top = (int)top;
}
