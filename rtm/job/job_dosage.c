/* job_dosage.c: the `dosage` surface of a job file - patrol dosage from
 * location pings into the folder NAME/ (see docs/job-format.md and
 * rtm/dosage.h): reading its keys, and its canonical parameters. */
#include "job/job_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"

static const char *const dosage_keys[] = {
    "type", "name", "places", "places_layer", "pings", "layer", "id_field", "time_field",
    "x_field", "y_field", "src_crs", "tz", "max_gap", "merge_gap", "from", "to", "shifts",
    "resolution", "per_device", NULL};

void rtm_job_dosage_free(rtm_job_dosage *d)
{
    if (!d)
        return;
    free(d->places), free(d->places_layer), free(d->layer), free(d->id_field);
    free(d->time_field), free(d->x_field), free(d->y_field), free(d->src_crs), free(d->tz);
    rtm_ystrv_free(d->pings, d->npings);
    free(d);
}

/* "YYYY-MM-DD" -> YYYYMMDD, or 0 with a problem reported. */
static int read_date(rtm_ydoc *y, yaml_node_t *n, const char *key)
{
    char *s = NULL;
    rtm_datetime t;
    int v = 0;
    if (rtm_yget(y, n, key) && !rtm_ystr(y, n, key, &s)) {
        if (rtm_date_parse(s, &t) == RTM_DATE_ISO_DATE)
            v = t.year * 10000 + t.month * 100 + t.day;
        else
            rtm_yerr(y, rtm_yget(y, n, key), "dosage: '%s' must be a date YYYY-MM-DD", key);
    }
    free(s);
    return v;
}

static void read_shifts(rtm_ydoc *y, yaml_node_t *n, rtm_job_dosage *d)
{
    char **w = NULL;
    int nw = 0;
    if (!rtm_yget(y, n, "shifts") || rtm_ystrlist(y, n, "shifts", &w, &nw))
        return;
    for (int i = 0; i < nw && d->nshifts < RTM_DOSAGE_MAX_SHIFTS; i++) {
        int a = -1, b = -1;
        if (strlen(w[i]) == 11 && w[i][5] == '-') {
            char h[6];
            memcpy(h, w[i], 5), h[5] = 0;
            a = rtm_job_parse_hhmm(h);
            b = rtm_job_parse_hhmm(w[i] + 6);
        }
        if (a < 0 || b < 0 || a == b)
            rtm_yerr(y, rtm_yget(y, n, "shifts"), "dosage: shift '%s' must be HH:MM-HH:MM "
                     "with different times", w[i]);
        d->shift_start[d->nshifts] = a, d->shift_end[d->nshifts++] = b;
    }
    if (nw > RTM_DOSAGE_MAX_SHIFTS)
        rtm_yerr(y, rtm_yget(y, n, "shifts"), "dosage: at most %d shifts",
                 RTM_DOSAGE_MAX_SHIFTS);
    rtm_ystrv_free(w, nw);
}

/* Every file of every pattern of `pings`, resolved against the job's folder. */
static void read_pings(rtm_ydoc *y, yaml_node_t *n, rtm_job_dosage *d)
{
    char **pat = NULL;
    int np = 0;
    if (!rtm_yrequire(y, n, "pings", "dosage") || rtm_ystrlist(y, n, "pings", &pat, &np))
        return;
    for (int i = 0; i < np; i++) {
        char *abs = rtm_yresolve(y, pat[i]), **f = NULL;
        int nf = 0;
        if (abs && !rtm_yglob(y, rtm_yget(y, n, "pings"), abs, &f, &nf)) {
            char **all = realloc(d->pings, ((size_t)d->npings + nf + 1) * sizeof *all);
            if (all) {
                d->pings = all;
                for (int k = 0; k < nf; k++)
                    d->pings[d->npings++] = f[k], f[k] = NULL;
            }
        }
        rtm_ystrv_free(f, nf);
        free(abs);
    }
    rtm_ystrv_free(pat, np);
}

void rtm_job_read_dosage(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    rtm_job_dosage *d = calloc(1, sizeof *d);
    char *places = NULL;
    if (!(s->dosage = d))
        return;
    rtm_ycheck_keys(y, n, "dosage", dosage_keys);
    if (rtm_yrequire(y, n, "places", "dosage") && !rtm_ystr(y, n, "places", &places) && places)
        d->places = rtm_yresolve(y, places);
    free(places);
    read_pings(y, n, d);
    rtm_yrequire(y, n, "id_field", "dosage");
    rtm_yrequire(y, n, "time_field", "dosage");
    rtm_ystr(y, n, "places_layer", &d->places_layer), rtm_ystr(y, n, "layer", &d->layer);
    rtm_ystr(y, n, "id_field", &d->id_field), rtm_ystr(y, n, "time_field", &d->time_field);
    rtm_ystr(y, n, "x_field", &d->x_field), rtm_ystr(y, n, "y_field", &d->y_field);
    rtm_ystr(y, n, "src_crs", &d->src_crs), rtm_ystr(y, n, "tz", &d->tz);
    rtm_ynum(y, n, "max_gap", 1e-3, 86400, &d->max_gap);
    rtm_ynum(y, n, "merge_gap", 0, 86400, &d->merge_gap);
    rtm_ynum(y, n, "resolution", 1e-3, 1e7, &d->resolution);
    d->date_from = read_date(y, n, "from");
    d->date_to = read_date(y, n, "to");
    if (d->date_from && d->date_to && d->date_from > d->date_to)
        rtm_yerr(y, rtm_yget(y, n, "from"), "dosage: 'from' is after 'to'");
    read_shifts(y, n, d);
    rtm_ybool(y, n, "per_device", &d->per_device);
    rtm_job_check_dosage_data(y, n, d);
}

char *rtm_job_dosage_params(const rtm_job_dosage *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fprintf(f, "places=%s\nplaces_layer=%s\nlayer=%s\nid_field=%s\ntime_field=%s\n"
               "x_field=%s\ny_field=%s\nsrc_crs=%s\ntz=%s\nmax_gap=%.17g\nmerge_gap=%.17g\n"
               "resolution=%.17g\nfrom=%d\nto=%d\nper_device=%d\n",
            d->places ? d->places : "", d->places_layer ? d->places_layer : "",
            d->layer ? d->layer : "", d->id_field ? d->id_field : "",
            d->time_field ? d->time_field : "", d->x_field ? d->x_field : "",
            d->y_field ? d->y_field : "", d->src_crs ? d->src_crs : "", d->tz ? d->tz : "",
            d->max_gap, d->merge_gap, d->resolution, d->date_from, d->date_to, d->per_device);
    for (int i = 0; i < d->nshifts; i++)
        fprintf(f, "shift[%d]=%d-%d\n", i, d->shift_start[i], d->shift_end[i]);
    for (int i = 0; i < d->npings; i++)
        fprintf(f, "pings[%d]=%s\n", i, d->pings[i]);
    fclose(f);
    return buf;
}
