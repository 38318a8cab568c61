/* trial_tables.c: the tables of a patrol trial read with OGR (rtm/trial.h) -
 * the schedule (date, place, arm[, block]) and the patrol dosage per
 * place-day from `rtm dosage` (place, date, minutes, visits). */
#include "rtm/trial.h"

#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/gdal.h"
#include "input/vsource.h"

#define MAX_TRIAL_DAYS 36600  /* a hundred years */

static int open_table(rtm_vsource *v, const char *path, const char *what, rtm_error *err)
{
    memset(v, 0, sizeof *v);
    v->name = path;
    rtm_gdal_init();
    CPLErrorReset();
    v->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!v->ds || GDALDatasetGetLayerCount(v->ds) < 1) {
        if (v->ds)
            GDALClose(v->ds);
        v->ds = NULL;
        return rtm_error_set(err, RTM_ERR_IO, "%s: cannot read table '%s': %s", what, path,
                             rtm_gdal_last_error("no such file or no table"));
    }
    v->layer = GDALDatasetGetLayer(v->ds, 0);
    v->is_csv = !strcasecmp(GDALGetDriverShortName(GDALGetDatasetDriver(v->ds)), "CSV");
    return 0;
}

/* A day-level date of any form of rtm_date_parse, as days from 1970-01-01;
 * 0 and *ok = 0 when it has no day or is unreadable. */
static long read_day(const char *s, int *ok)
{
    rtm_datetime t;
    rtm_date_form f = rtm_date_parse(s, &t);
    *ok = f != RTM_DATE_NONE && t.day > 0;
    return *ok ? rtm_days_from_civil(t.year, t.month, t.day) : 0;
}

static int row_error(const rtm_vsource *v, OGRFeatureH f, const char *what, const char *msg,
                     const char *field, const char *value, rtm_error *err)
{
    char at[160];
    rtm_vsource_where(v, OGR_F_GetFID(f), at, sizeof at);
    return rtm_error_set(err, RTM_ERR_INPUT, "%s: %s field '%s': %s (got '%s')", what, at, field,
                         msg, value);
}

/* First pass: the date range. */
static int schedule_range(rtm_vsource *v, int di, long *lo, long *hi, size_t *rows,
                          rtm_error *err)
{
    OGRFeatureH f;
    int ok, rc = 0;
    *lo = 0, *hi = -1, *rows = 0;
    OGR_L_ResetReading(v->layer);
    while (!rc && (f = OGR_L_GetNextFeature(v->layer)) != NULL) {
        long d = read_day(OGR_F_GetFieldAsString(f, di), &ok);
        if (!ok)
            rc = row_error(v, f, "schedule", "not a date with a day (YYYY-MM-DD)", "date",
                           OGR_F_GetFieldAsString(f, di), err);
        else if (!(*rows)++ || d < *lo || d > *hi) {
            *lo = *rows == 1 || d < *lo ? d : *lo;
            *hi = *rows == 1 || d > *hi ? d : *hi;
        }
        OGR_F_Destroy(f);
    }
    if (!rc && *rows == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "schedule: '%s' has no row", v->name);
    if (!rc && *hi - *lo + 1 > MAX_TRIAL_DAYS)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "schedule: '%s' spans more than %d days",
                           v->name, MAX_TRIAL_DAYS);
    return rc;
}

static int parse_arm(const char *s)
{
    if (!strcasecmp(s, "treatment") || !strcasecmp(s, "treat") || !strcmp(s, "1"))
        return 1;
    if (!strcasecmp(s, "control") || !strcmp(s, "0"))
        return 0;
    return -1;
}

/* Second pass: one row -> the place x day grid. */
static int schedule_row(rtm_vsource *v, OGRFeatureH f, const int *fi,
                        const rtm_trial_places *pl, rtm_trial_schedule *s, rtm_error *err)
{
    int ok, i = rtm_trial_places_find(pl, OGR_F_GetFieldAsString(f, fi[1]));
    long d = read_day(OGR_F_GetFieldAsString(f, fi[0]), &ok) - s->start;
    int a = parse_arm(OGR_F_GetFieldAsString(f, fi[2]));
    size_t c;
    if (i < 0)
        return row_error(v, f, "schedule", "no such place in the places file", "place",
                         OGR_F_GetFieldAsString(f, fi[1]), err);
    if (a < 0)
        return row_error(v, f, "schedule", "arm must be 'treatment' or 'control'", "arm",
                         OGR_F_GetFieldAsString(f, fi[2]), err);
    c = (size_t)i * s->ndays + (size_t)d;
    if (s->arm[c] >= 0)
        return row_error(v, f, "schedule", "this place and date are given twice", "date",
                         OGR_F_GetFieldAsString(f, fi[0]), err);
    s->arm[c] = (signed char)a;
    if (fi[3] >= 0) {
        int b = OGR_F_GetFieldAsInteger(f, fi[3]);
        if (s->block[i] >= 0 && s->block[i] != b)
            return row_error(v, f, "schedule", "a place's block changes", "block",
                             OGR_F_GetFieldAsString(f, fi[3]), err);
        s->block[i] = b;
    }
    return 0;
}

void rtm_trial_schedule_free(rtm_trial_schedule *s)
{
    if (s) {
        free(s->arm);
        free(s->block);
        memset(s, 0, sizeof *s);
    }
}

static int schedule_fill(rtm_vsource *v, const int *fi, const rtm_trial_places *pl,
                         rtm_trial_schedule *s, rtm_error *err)
{
    OGRFeatureH f;
    int rc = 0;
    size_t cells = (size_t)pl->n * (size_t)s->ndays;
    s->nplaces = pl->n;
    s->arm = malloc(cells);
    s->block = malloc((size_t)pl->n * sizeof *s->block);
    if (!s->arm || !s->block)
        return rtm_error_set(err, RTM_ERR_NOMEM, "schedule: out of memory");
    memset(s->arm, -1, cells);
    for (int i = 0; i < pl->n; i++)
        s->block[i] = -1;
    OGR_L_ResetReading(v->layer);
    while (!rc && (f = OGR_L_GetNextFeature(v->layer)) != NULL) {
        rc = schedule_row(v, f, fi, pl, s, err);
        OGR_F_Destroy(f);
    }
    return rc;
}

int rtm_trial_schedule_load(const char *path, const rtm_trial_places *pl,
                            rtm_trial_schedule *s, rtm_error *err)
{
    static const char *const block[] = {"block", NULL};
    rtm_vsource v;
    int fi[4], rc;
    long lo, hi;
    memset(s, 0, sizeof *s);
    if ((rc = open_table(&v, path, "schedule", err)))
        return rc;
    if ((fi[0] = rtm_vsource_field(&v, "date", "schedule date", err)) < 0 ||
        (fi[1] = rtm_vsource_field(&v, "place", "schedule place", err)) < 0 ||
        (fi[2] = rtm_vsource_field(&v, "arm", "schedule arm", err)) < 0)
        rc = RTM_ERR_INPUT;
    fi[3] = rtm_vsource_find_field(&v, block);
    if (!rc)
        rc = schedule_range(&v, fi[0], &lo, &hi, &s->rows, err);
    if (!rc) {
        s->start = lo;
        s->ndays = (int)(hi - lo + 1);
        s->has_block = fi[3] >= 0;
        rc = schedule_fill(&v, fi, pl, s, err);
    }
    rtm_vsource_close(&v);
    if (rc)
        rtm_trial_schedule_free(s);
    return rc;
}

void rtm_trial_dosage_free(rtm_trial_dosage *d)
{
    if (d) {
        free(d->minutes);
        memset(d, 0, sizeof *d);
    }
}

/* One dosage row: added to its place-day, or counted as ignored. */
static int dosage_row(const rtm_vsource *v, OGRFeatureH f, const int *fi,
                      const rtm_trial_places *pl, const rtm_trial_schedule *s,
                      rtm_trial_dosage *d, rtm_error *err)
{
    int ok, i = rtm_trial_places_find(pl, OGR_F_GetFieldAsString(f, fi[0]));
    long day = read_day(OGR_F_GetFieldAsString(f, fi[1]), &ok) - s->start;
    double m, n = 0;
    d->rows++;
    if (!ok)
        return row_error(v, f, "dosage", "not a date with a day (YYYY-MM-DD)", "date",
                         OGR_F_GetFieldAsString(f, fi[1]), err);
    if (rtm_vsource_read_number(f, fi[2], &m) || m < 0 ||
        (fi[3] >= 0 && (rtm_vsource_read_number(f, fi[3], &n) || n < 0)))
        return row_error(v, f, "dosage", "minutes and visits must be numbers >= 0",
                         "minutes", OGR_F_GetFieldAsString(f, fi[2]), err);
    if (i < 0 || day < 0 || day >= s->ndays) {
        if (!d->unknown_place && !d->outside)
            rtm_vsource_where(v, OGR_F_GetFID(f), d->example, sizeof d->example);
        if (i < 0)
            d->unknown_place++;
        else
            d->outside++;
        return 0;
    }
    d->minutes[(size_t)i * s->ndays + day] += m;
    d->visits[(size_t)i * s->ndays + day] += n;
    d->used++;
    return 0;
}

int rtm_trial_dosage_load(const char *path, const rtm_trial_places *pl,
                          const rtm_trial_schedule *s, rtm_trial_dosage *d, rtm_error *err)
{
    static const char *const visits[] = {"visits", NULL};
    rtm_vsource v;
    OGRFeatureH f;
    size_t cells = (size_t)s->nplaces * s->ndays;
    int fi[4], rc = 0;
    memset(d, 0, sizeof *d);
    if ((rc = open_table(&v, path, "dosage", err)))
        return rc;
    if ((fi[0] = rtm_vsource_field(&v, "place", "dosage place", err)) < 0 ||
        (fi[1] = rtm_vsource_field(&v, "date", "dosage date", err)) < 0 ||
        (fi[2] = rtm_vsource_field(&v, "minutes", "dosage minutes", err)) < 0)
        rc = RTM_ERR_INPUT;
    fi[3] = rtm_vsource_find_field(&v, visits);
    if (!rc && !(d->minutes = calloc(cells * 2, sizeof *d->minutes)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    if (!rc)
        d->visits = d->minutes + cells;
    while (!rc && (f = OGR_L_GetNextFeature(v.layer)) != NULL) {
        rc = dosage_row(&v, f, fi, pl, s, d, err);
        OGR_F_Destroy(f);
    }
    rtm_vsource_close(&v);
    if (rc)
        rtm_trial_dosage_free(d);
    return rc;
}
