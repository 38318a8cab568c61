/* run_offences.c: a job's offences -> points, cell counts and the most
 * frequent location labels (rtm/job.h). */
#include "run/run_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdal.h>
#include <ogr_api.h>

#include "core/gdal.h"

/* Append s to the growing string *b (quote doubled when q != 0). */
static int append(char **b, size_t *len, const char *s, char q)
{
    size_t add = strlen(s) * 2 + 1;
    char *nb = realloc(*b, *len + add);
    if (!nb)
        return -1;
    *b = nb;
    for (; *s; s++) {
        nb[(*len)++] = *s;
        if (q && *s == q)
            nb[(*len)++] = q;
    }
    nb[*len] = '\0';
    return 0;
}

/* The OGR filter of a source: (source where) AND "type" IN ('a', 'b'). */
static char *source_where(const rtm_job *job, const rtm_job_source *s)
{
    const rtm_job_offences *of = &job->offences;
    char *b = NULL;
    size_t len = 0;
    int i, bad = 0;
    if (append(&b, &len, "", 0))
        return NULL;
    int types = of->ntypes > 0 && s->type_field;
    if (s->where) /* alone it stays as written (the same filter as --where) */
        bad |= append(&b, &len, types ? "(" : "", 0) || append(&b, &len, s->where, 0) ||
               append(&b, &len, types ? ")" : "", 0);
    if (types) {
        if (s->where)
            bad |= append(&b, &len, " AND ", 0);
        bad |= append(&b, &len, "\"", 0) || append(&b, &len, s->type_field, '"') ||
               append(&b, &len, "\" IN (", 0);
        for (i = 0; i < of->ntypes; i++)
            bad |= append(&b, &len, i ? ", '" : "'", 0) ||
                   append(&b, &len, of->types[i], '\'') || append(&b, &len, "'", 0);
        bad |= append(&b, &len, ")", 0);
    }
    if (bad) {
        free(b);
        return NULL;
    }
    return b;
}

/* Minutes after midnight of "HH:MM" or "HH:MM:SS", or -1. */
static int time_minutes(const char *s)
{
    int hh, mm, ss = 0, n = 0;
    if (!s || (sscanf(s, "%2d:%2d%n:%2d%n", &hh, &mm, &n, &ss, &n) < 2) || s[n] || hh < 0 ||
        hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
        return -1;
    return hh * 60 + mm;
}

/* when_accept hook: keep a row whose date and time fall in an hour-of-week
 * window. The date is read in any form the loader reads (rtm_date_parse);
 * the time comes from the time field, or from the date when it is a
 * date-time. Rows without a readable day and time are excluded. */
static int in_hours(void *arg, const char *date, const char *time)
{
    const rtm_job *job = arg;
    rtm_datetime d;
    int minute;
    if (rtm_date_parse(date, &d) == RTM_DATE_NONE || !d.day)
        return 0;
    minute = time && time[0] ? time_minutes(time) : d.minute;
    if (minute < 0)
        return 0;
    /* 1970-01-01 was a Thursday (weekday 3 with Monday = 0) */
    long days = rtm_days_from_civil(d.year, d.month, d.day);
    return rtm_job_in_hours(job, (int)(((days + 3) % 7 + 7) % 7), minute);
}

/* Month number (year*12 + month-1) of a date in any form, or -1. */
static int month_of(const char *s)
{
    rtm_datetime d;
    return rtm_date_parse(s, &d) == RTM_DATE_NONE ? -1 : d.year * 12 + d.month - 1;
}

static rtm_weight_table *harm_table(const rtm_job *job, rtm_error *err)
{
    const rtm_job_harm *h = &job->offences.harm;
    const char *field = h->field;
    if (!job->offences.has_harm)
        return NULL;
    if (!field && job->offences.nsources > 0)
        field = job->offences.sources[0].type_field;
    return rtm_weight_table_create(field ? field : "Crime type",
                                   (const char *const *)h->category, h->weight,
                                   (size_t)h->n, h->default_weight, err);
}

/* ---- location labels ---------------------------------------------------- */

static int loc_cmp(const void *a, const void *b)
{
    const rtm_jr_loc *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const rtm_jr_loc *)a)->name, ((const rtm_jr_loc *)b)->name);
}

/* Append one label (counted later by rtm_jr_offences: sort, merge runs). */
static int loc_add(rtm_jr *r, const char *name, size_t *cap)
{
    if ((size_t)r->nlocs == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        rtm_jr_loc *nl = realloc(r->locs, nc * sizeof *nl);
        if (!nl)
            return -1;
        r->locs = nl;
        *cap = nc;
    }
    if (!(r->locs[r->nlocs].name = strdup(name)))
        return -1;
    r->locs[r->nlocs++].n = 1;
    return 0;
}

/* Merge equal labels (sorted by name) into one entry with their count. */
static void loc_merge(rtm_jr *r)
{
    int i, k = 0;
    qsort(r->locs, (size_t)r->nlocs, sizeof *r->locs, name_cmp);
    for (i = 0; i < r->nlocs; i++) {
        if (k > 0 && !strcmp(r->locs[k - 1].name, r->locs[i].name)) {
            r->locs[k - 1].n += r->locs[i].n;
            free(r->locs[i].name);
        } else {
            r->locs[k++] = r->locs[i];
        }
    }
    r->nlocs = k;
    qsort(r->locs, (size_t)r->nlocs, sizeof *r->locs, loc_cmp);
}

/* Count the `Location` labels of the rows that pass the source's filter and
 * the month and hour windows (police.uk's anonymised "On or near ..." labels). Sources
 * without such a column contribute nothing. */
static int count_locations(rtm_jr *r, const rtm_job_source *s, size_t *cap, rtm_error *err)
{
    char *where = source_where(r->job, s);
    int i, rc = 0;
    if (!where)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    for (i = 0; i < s->nfiles && !rc; i++) {
        char path[4200];
        const char *f = s->files[i];
        size_t fl = strlen(f);
        GDALDatasetH ds;
        OGRLayerH ly;
        OGRFeatureH ft;
        int li, di, ti = -1;
        snprintf(path, sizeof path, "%s%s",
                 fl > 3 && !strcmp(f + fl - 3, ".gz") && strncmp(f, "/vsi", 4) ? "/vsigzip/" : "",
                 f);
        if (!(ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL)))
            continue;  /* rtm_points_load has reported unreadable files */
        ly = s->layer ? GDALDatasetGetLayerByName(ds, s->layer) : GDALDatasetGetLayer(ds, 0);
        li = ly ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ly), "Location") : -1;
        di = ly && s->date_field ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ly), s->date_field)
                                 : -1;
        if (ly && r->job->offences.nhours > 0 && s->time_field && di >= 0)
            ti = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(ly), s->time_field);
        if (li >= 0 && (!where[0] || OGR_L_SetAttributeFilter(ly, where) == OGRERR_NONE)) {
            while (!rc && (ft = OGR_L_GetNextFeature(ly))) {
                int m = di >= 0 ? month_of(OGR_F_GetFieldAsString(ft, di)) : -1;
                const char *name = OGR_F_GetFieldAsString(ft, li);
                int keep = (r->from == INT_MIN || (m >= r->from && m <= r->to)) && name &&
                           name[0];
                if (keep && ti >= 0)
                    keep = in_hours((void *)r->job, OGR_F_GetFieldAsString(ft, di),
                                    OGR_F_GetFieldAsString(ft, ti));
                if (keep && loc_add(r, name, cap))
                    rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
                OGR_F_Destroy(ft);
            }
        }
        GDALClose(ds);
    }
    free(where);
    return rc;
}

/* The job's file names as the user wrote them: the job adds /vsigzip/ to
 * .gz files, which the loader does itself; outputs name the plain path. */
static const char *const *plain_files(rtm_jr *r, const rtm_job_source *s)
{
    char **v = calloc((size_t)s->nfiles + 1, sizeof *v);
    if (!v)
        return NULL;
    for (int k = 0; k < s->nfiles; k++) {
        const char *f = s->files[k];
        size_t n = strlen(f);
        v[k] = (char *)(strncmp(f, "/vsigzip/", 9) == 0 && n > 12 && !strcmp(f + n - 3, ".gz")
                            ? f + 9 : f);
    }
    r->nplain++;
    return (const char *const *)v;
}

/* The events options of the job: one source per offence source, the month
 * window of the run, hour-of-week windows, harm weights, the study area. */
static int events_opts(rtm_jr *r, rtm_error *err)
{
    const rtm_job *job = r->job;
    int n = job->offences.nsources;
    rtm_events_opts *o = &r->eo;
    if (!(r->src = calloc((size_t)(n ? n : 1), sizeof *r->src)) ||
        !(r->src_where = calloc((size_t)(n ? n : 1), sizeof *r->src_where)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    for (int i = 0; i < n; i++) {
        const rtm_job_source *s = &job->offences.sources[i];
        if (!(r->src_where[i] = source_where(job, s)))
            return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        const char *const *files = plain_files(r, s);
        if (!files)
            return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        r->src[i] = (rtm_event_source){files, s->nfiles, s->layer,
                                       r->src_where[i][0] ? r->src_where[i] : NULL, s->x_field,
                                       s->y_field, s->crs, s->date_field, s->time_field, NULL, NULL};
        if (!s->time_field)
            rtm_jr_log(r, "offences: '%s' has no time of day (police.uk publishes the month "
                       "only): %s", s->pattern, job->offences.nhours > 0
                       ? "hour windows not applied to it" : "offences of all hours are used");
        r->nsrc_no_times += !s->time_field;
    }
    rtm_events_opts_init(o);
    o->sources = r->src;
    o->nsources = n;
    o->dst_crs = job->crs;
    o->res = job->cell_size;
    o->study_area = job->study_area.file;
    o->study_layer = job->study_area.layer;
    o->study_where = job->study_area.where;
    if (r->from != INT_MIN) {
        o->month_from = (r->from / 12) * 100 + r->from % 12 + 1;
        o->month_to = (r->to / 12) * 100 + r->to % 12 + 1;
    }
    if (job->offences.nhours > 0) {
        o->when_accept = in_hours;
        o->when_arg = (void *)job;
    }
    o->weights = r->harm;
    o->weights_name = r->harm ? "harm weights of the job" : NULL;
    o->allow_empty = job->offences.allow_empty;
    for (int k = 0; k < job->nsurfaces; k++)
        o->keep_labels |= job->surfaces[k].type == RTM_SURF_PLACES || /* names of places */
                          job->surfaces[k].type == RTM_SURF_REPEATS; /* snap points */
    return 0;
}

/* The run's views of the loaded events (owned by r->ev). */
static void publish(rtm_jr *r)
{
    r->grid = r->ev.grid;
    r->mask = r->ev.mask;
    r->area_units2 = r->ev.area_units2;
    r->ncells = rtm_grid_ncells(&r->grid);
    r->inside = r->ev.inside;
    r->pts = r->ev.pts;
    r->st = r->ev.st;
}

int rtm_jr_offences(rtm_jr *r, rtm_error *err)
{
    const rtm_job *job = r->job;
    size_t cap = 0;
    int i, rc = 0;
    rtm_gdal_init();
    if (job->offences.has_harm && !(r->harm = harm_table(job, err)))
        return err && err->code ? err->code : RTM_ERR_INPUT;
    if ((rc = events_opts(r, err)))
        return rc;
    for (i = 0; i < job->offences.nsources && !rc; i++)
        for (int k = 0; k < job->offences.sources[i].nfiles && !rc; k++)
            rc = rtm_manifest_add_input(r->man, "offences", job->offences.sources[i].files[k],
                                        NULL, err);
    if (!rc)
        rc = rtm_events_load(&r->eo, &r->ev, err);
    publish(r);
    r->env.events = &r->eo;
    for (i = 0; i < job->offences.nsources && !rc; i++)
        rc = count_locations(r, &job->offences.sources[i], &cap, err);
    if (rc)
        return rc;
    loc_merge(r);
    if (!(r->counts = malloc(r->ncells * sizeof *r->counts)) ||
        !(r->raw_counts = malloc(r->ncells * sizeof *r->raw_counts)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_bin_points(&r->grid, r->pts.x, r->pts.y, r->pts.w, r->pts.n, r->counts);
    rtm_bin_points(&r->grid, r->pts.x, r->pts.y, NULL, r->pts.n, r->raw_counts);
    return 0;
}
