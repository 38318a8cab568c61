/* points_load.c: loading point events from OGR sources (see rtm/input.h). */
#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/input.h"
#include "input/points_priv.h"

static const char *const MONTH_NAMES[] = {"month", "date", "Month", NULL};
static const char *const LABEL_NAMES[] = {"Location", "location", NULL};

#define DATE_SAMPLE 1000   /* values read to detect the form of the date field */

void rtm_load_opts_init(rtm_load_opts *o)
{
    memset(o, 0, sizeof *o);
}

typedef rtm_pload loader;
typedef rtm_pload_batch batch;
#define BATCH RTM_PLOAD_BATCH

/* The row error: its row and field are kept for rtm_pload_messages; err
 * gets the message with the row counted from this source's start. */
static int fail_at(loader *L, int kind, GIntBig fid, const char *field, const char *what,
                   rtm_error *err)
{
    L->fail = kind;
    L->fail_fid = fid;
    L->fail_has_field = field != NULL;
    snprintf(L->fail_field, sizeof L->fail_field, "%s", field ? field : "");
    L->fail_what = what;
    rtm_pload_messages(L, 0, err);
    return err ? err->code : RTM_ERR_INPUT;
}

/* Count an unusable row; in strict mode it becomes the error. */
static int skip(loader *L, rtm_skip_reason r, GIntBig fid, const char *field, const char *what,
                rtm_error *err)
{
    if (L->st.skipped[r]++ == 0) {
        L->ex_fid[r] = fid;
        L->ex_has_field[r] = field != NULL;
        snprintf(L->ex_field[r], sizeof L->ex_field[r], "%.30s", field ? field : "");
    }
    if (L->o->strict)
        return fail_at(L, RTM_PLOAD_STRICT, fid, field, what, err);
    return 0;
}

void rtm_pload_messages(loader *L, GIntBig base, rtm_error *err)
{
    char at[200];
    for (int r = 0; r < RTM_SKIP_NREASONS; r++) {
        if (!L->st.skipped[r])
            continue;
        rtm_vsource_where(&L->v, base + L->ex_fid[r], at, sizeof at);
        snprintf(L->st.example[r], sizeof L->st.example[r], "%.120s%s%.30s", at,
                 L->ex_has_field[r] ? " field " : "", L->ex_field[r]);
    }
    if (!L->fail)
        return;
    rtm_vsource_where(&L->v, base + L->fail_fid, at, sizeof at);
    if (L->fail == RTM_PLOAD_QUOTE)
        rtm_error_set(err, RTM_ERR_INPUT, RTM_VSOURCE_QUOTE_MSG, at, L->fail_field);
    else
        rtm_error_set(err, RTM_ERR_INPUT, "points: %s%s%s: %s (--strict)", at,
                      L->fail_has_field ? " field " : "", L->fail_field, L->fail_what);
}

static const char *fname(loader *L, int i)
{
    return OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(L->v.layer), i));
}

static int read_xy(loader *L, OGRFeatureH f, double *x, double *y, rtm_error *err)
{
    GIntBig fid = OGR_F_GetFID(f);
    if (L->v.xi >= 0) {
        int rx = rtm_vsource_read_number(f, L->v.xi, x);
        int ry = rx ? 0 : rtm_vsource_read_number(f, L->v.yi, y);
        if (rx || ry) {
            const char *fld = fname(L, rx ? L->v.xi : L->v.yi);
            int empty = (rx ? rx : ry) == RTM_READ_EMPTY;
            return skip(L, empty ? RTM_SKIP_NO_COORDS : RTM_SKIP_BAD_COORDS, fid, fld,
                        empty ? "empty coordinate" : "not a number", err)
                       ? -1 : 1;
        }
        return 0;
    }
    {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!g || OGR_G_IsEmpty(g) ||
            wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint)
            return skip(L, RTM_SKIP_NO_COORDS, fid, NULL, "no point geometry", err) ? -1 : 1;
        *x = OGR_G_GetX(g, 0);
        *y = OGR_G_GetY(g, 0);
    }
    return 0;
}

static int read_weight(loader *L, OGRFeatureH f, double *w, rtm_error *err)
{
    *w = 1.0;
    if (L->wi >= 0) {
        if (rtm_vsource_read_number(f, L->wi, w) || !(*w >= 0 && *w <= RTM_WEIGHT_MAX))
            return skip(L, RTM_SKIP_BAD_WEIGHT, OGR_F_GetFID(f), fname(L, L->wi),
                        "weight is not a number in [0, 1e15]", err) ? -1 : 1;
    }
    if (L->ci >= 0) {
        int listed;
        *w *= rtm_weight_table_lookup(L->o->weight_table, OGR_F_GetFieldAsString(f, L->ci),
                                      &listed);
        if (!listed)
            L->st.weight_defaulted++;
        if (!(*w <= RTM_WEIGHT_MAX))
            return skip(L, RTM_SKIP_BAD_WEIGHT, OGR_F_GetFID(f),
                        rtm_weight_table_field(L->o->weight_table),
                        "weight times the category's weight is above 1e15", err) ? -1 : 1;
    }
    return 0;
}

/* The date of field i as text: OGR date and date-time fields are written as
 * ISO 8601 (OGR's own rendering of them varies by driver). */
static const char *date_text(OGRFeatureH f, int i, char *buf, size_t n)
{
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
    int y, m, d, h, mi, tz;
    float sec;
    if (!OGR_F_IsFieldSetAndNotNull(f, i))
        return "";
    if ((t != OFTDate && t != OFTDateTime) ||
        !OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &h, &mi, &sec, &tz))
        return OGR_F_GetFieldAsString(f, i);
    if (t == OFTDate)
        snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
    else if (tz > 1) /* OGR: 100 = UTC, 1 step = 15 minutes */
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, h, mi, (int)sec,
                 tz >= 100 ? '+' : '-', abs(tz - 100) / 4, abs(tz - 100) % 4 * 15);
    else
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, h, mi, (int)sec);
    return buf;
}

/* Window test of a date [lo, hi] (one day, or a whole month): 1 inside,
 * 0 outside, -1 cut by the window. */
static int in_window(const loader *L, int lo, int hi)
{
    if ((L->from && hi < L->from) || (L->to && lo > L->to))
        return 0;
    if ((L->from && lo < L->from) || (L->to && hi > L->to))
        return -1;
    return 1;
}

/* The hour and day-of-week filters: 1 = use, 0 = filtered out, -1 = error,
 * 2 = skipped (no time or day to judge the row by). */
static int hour_day_ok(loader *L, OGRFeatureH f, int day, int minute, rtm_error *err)
{
    const rtm_load_opts *o = L->o;
    if (o->hours_mask && minute < 0)
        return skip(L, RTM_SKIP_BAD_MONTH, OGR_F_GetFID(f), L->ti >= 0 ? fname(L, L->ti)
                    : L->mi >= 0 ? fname(L, L->mi) : NULL,
                    "no time of day for the hour filter", err) ? -1 : 2;
    if (o->days_mask && !day)
        return skip(L, RTM_SKIP_BAD_MONTH, OGR_F_GetFID(f), L->mi >= 0 ? fname(L, L->mi) : NULL,
                    "no day for the day-of-week filter", err) ? -1 : 2;
    if ((o->hours_mask && !(o->hours_mask >> (minute / 60) & 1u)) ||
        (o->days_mask && !(o->days_mask >> rtm_weekday(day) & 1u))) {
        L->st.filtered_month++;
        return 0;
    }
    return 1;
}

/* 1 = use, 0 = outside the window, -1 = error, 2 = skipped */
static int read_month(loader *L, OGRFeatureH f, int *month, int *day, int *minute,
                      rtm_error *err)
{
    rtm_datetime t;
    char buf[64];
    int r;
    *month = *day = 0;
    *minute = -1;
    if (L->mi >= 0 && rtm_date_parse(date_text(f, L->mi, buf, sizeof buf), &t)) {
        *month = t.year * 100 + t.month;
        *day = t.day ? *month * 100 + t.day : 0;
        *minute = t.day ? t.minute : -1;
    }
    if (*minute < 0 && L->ti >= 0 && OGR_F_IsFieldSetAndNotNull(f, L->ti))
        *minute = rtm_time_of_day_parse(OGR_F_GetFieldAsString(f, L->ti));
    if ((r = hour_day_ok(L, f, *day, *minute, err)) != 1)
        return r;
    if (!L->from && !L->to)
        return 1;
    if (!*month)
        return skip(L, RTM_SKIP_BAD_MONTH, OGR_F_GetFID(f), fname(L, L->mi),
                    "date is not readable", err) ? -1 : 2;
    r = *day ? in_window(L, *day, *day) : in_window(L, *month * 100 + 1, *month * 100 + 31);
    if (r < 0)
        return skip(L, RTM_SKIP_BAD_MONTH, OGR_F_GetFID(f), fname(L, L->mi),
                    "the date has no day and the date window cuts its month", err) ? -1 : 2;
    if (!r) {
        L->st.filtered_month++;
        return 0;
    }
    return 1;
}

/* The caller's time filter (hour-of-week windows and the like). */
static int when_ok(loader *L, OGRFeatureH f)
{
    const char *d, *t;
    if (!L->o->when_accept)
        return 1;
    d = L->di >= 0 && OGR_F_IsFieldSetAndNotNull(f, L->di) ? OGR_F_GetFieldAsString(f, L->di)
                                                            : NULL;
    t = L->ti >= 0 && OGR_F_IsFieldSetAndNotNull(f, L->ti) ? OGR_F_GetFieldAsString(f, L->ti)
                                                            : NULL;
    if (L->o->when_accept(L->o->when_arg, d, t))
        return 1;
    L->st.filtered_month++;
    return 0;
}

static int inside_area(const rtm_load_opts *o, double x, double y)
{
    int i, j;
    if (!o->area_grid)
        return 1;
    if (rtm_grid_locate(o->area_grid, x, y, &i, &j))
        return 0;
    return !o->area_mask || o->area_mask[(size_t)i * o->area_grid->ncols + j];
}

static int flush(loader *L, rtm_points *pts, rtm_error *err)
{
    batch *b = L->b;
    size_t k;
    rtm_transform_points(L->tr, b->x, b->y, b->n, b->ok);
    for (k = 0; k < b->n; k++) {
        if (!b->ok[k]) {
            if (skip(L, RTM_SKIP_OUTSIDE_CRS, b->fid[k], NULL,
                     "coordinates outside the valid area of the CRS", err))
                return -1;
        } else if (!inside_area(L->o, b->x[k], b->y[k])) {
            if (skip(L, RTM_SKIP_OUTSIDE_AREA, b->fid[k], NULL, "outside the study area", err))
                return -1;
        } else {
            if (rtm_points_push_full(pts, b->x[k], b->y[k], b->w[k], b->month[k], b->day[k],
                                     b->minute[k], b->label[k], err))
                return -1;
            L->st.used++;
            L->st.weight_used += b->w[k];
        }
    }
    b->n = 0;
    return 0;
}

/* The day window: the intersection of the month window (whole months) and
 * the day window. Day 31 closes any month: YYYYMMDD only compares. */
static void set_window(loader *L)
{
    const rtm_load_opts *o = L->o;
    int mf = o->month_from ? o->month_from * 100 + 1 : 0;
    int mt = o->month_to ? o->month_to * 100 + 31 : 0;
    L->from = mf > o->date_from ? mf : o->date_from;
    L->to = !mt ? o->date_to : !o->date_to ? mt : mt < o->date_to ? mt : o->date_to;
}

/* Form of the date field from its first DATE_SAMPLE non-empty values. A
 * month-first column is an error when the dates are wanted (a window, or the
 * field named); otherwise its dates are not read. */
static int detect_form(loader *L, rtm_error *err)
{
    char (*vals)[64] = malloc(DATE_SAMPLE * sizeof *vals), buf[64];
    const char **ptr = malloc(DATE_SAMPLE * sizeof *ptr);
    size_t n = 0, bad = 0;
    OGRFeatureH f;
    rtm_error e = {0, ""};
    int rc = 0;
    if (!vals || !ptr) {
        free(vals);
        free(ptr);
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory") ? -1 : -1;
    }
    while (n < DATE_SAMPLE && (f = OGR_L_GetNextFeature(L->v.layer)) != NULL) {
        const char *t = date_text(f, L->mi, buf, sizeof buf);
        if (*t) {
            snprintf(vals[n], sizeof vals[n], "%s", t);
            ptr[n] = vals[n];
            n++;
        }
        OGR_F_Destroy(f);
    }
    OGR_L_ResetReading(L->v.layer);
    L->form = n ? rtm_date_detect(ptr, n, &bad, &e) : RTM_DATE_NONE;
    snprintf(L->st.date_form, sizeof L->st.date_form, "%s (field '%.30s')",
             n ? rtm_date_form_name(L->form) : "empty", fname(L, L->mi));
    if (n && L->form == RTM_DATE_NONE && strstr(e.msg, "month first")) {
        if (L->from || L->to || L->o->month_field)
            rc = rtm_error_set(err, RTM_ERR_INPUT, "points: '%s' field '%s': %s", L->v.name,
                               fname(L, L->mi), e.msg) ? -1 : -1;
        L->mi = -1;
    }
    free(vals);
    free(ptr);
    return rc;
}

static int setup_fields(loader *L, rtm_error *err)
{
    const rtm_load_opts *o = L->o;
    L->wi = L->ci = L->mi = L->di = L->ti = L->li = -1;
    if (o->label_field && (L->li = rtm_vsource_field(&L->v, o->label_field, "points", err)) < 0)
        return -1;
    if (o->keep_labels && !o->label_field)
        L->li = rtm_vsource_find_field(&L->v, LABEL_NAMES);
    if (!o->keep_labels && !o->label_field)
        L->li = -1;
    if (o->date_field && (L->di = rtm_vsource_field(&L->v, o->date_field, "points", err)) < 0)
        return -1;
    if (o->time_field && (L->ti = rtm_vsource_field(&L->v, o->time_field, "points", err)) < 0)
        return -1;
    if (o->weight_field && (L->wi = rtm_vsource_field(&L->v, o->weight_field, "points", err)) < 0)
        return -1;
    if (o->weight_table &&
        (L->ci = rtm_vsource_field(&L->v, rtm_weight_table_field(o->weight_table), "points",
                                   err)) < 0)
        return -1;
    if (o->month_field) {
        if ((L->mi = rtm_vsource_field(&L->v, o->month_field, "points", err)) < 0)
            return -1;
    } else {
        L->mi = rtm_vsource_find_field(&L->v, MONTH_NAMES);
    }
    set_window(L);
    if ((o->days_mask || (o->hours_mask && L->ti < 0)) && L->mi < 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "points: '%s' has no date field for the %s "
                             "filter (name it with --month-field%s)", L->v.name,
                             o->days_mask ? "day-of-week" : "hour",
                             o->days_mask ? "" : " or --time-field") ? -1 : -1;
    if ((L->from || L->to) && L->mi < 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "points: '%s' has no month field for the date "
                             "window (name it with --month-field)", L->v.name) ? -1 : -1;
    return L->mi >= 0 ? detect_form(L, err) : 0;
}

static size_t count_all(loader *L, const char *where)
{
    size_t n;
    if (!where || !*where)
        return 0;
    OGR_L_SetAttributeFilter(L->v.layer, NULL);
    n = (size_t)OGR_L_GetFeatureCount(L->v.layer, TRUE);
    OGR_L_SetAttributeFilter(L->v.layer, where);
    OGR_L_ResetReading(L->v.layer);
    return n;
}

void rtm_pload_merge_stats(rtm_load_stats *st, const rtm_load_stats *s)
{
    int r;
    st->read += s->read;
    st->filtered_where += s->filtered_where;
    st->filtered_month += s->filtered_month;
    st->used += s->used;
    st->weight_used += s->weight_used;
    st->weight_defaulted += s->weight_defaulted;
    for (r = 0; r < RTM_SKIP_NREASONS; r++) {
        if (!st->skipped[r] && s->skipped[r])
            memcpy(st->example[r], s->example[r], sizeof st->example[r]);
        st->skipped[r] += s->skipped[r];
    }
    memcpy(st->transform, s->transform, sizeof st->transform);
    memcpy(st->src_crs, s->src_crs, sizeof st->src_crs);
    memcpy(st->date_form, s->date_form, sizeof st->date_form);
}

static int load_rows(loader *L, rtm_points *pts, rtm_error *err)
{
    OGRFeatureH f;
    size_t matched = 0, total = count_all(L, L->o->where);
    while ((f = OGR_L_GetNextFeature(L->v.layer)) != NULL) {
        batch *b = L->b;
        int r, m;
        matched++;
        int qi = rtm_vsource_unclosed_quote(&L->v, f);
        if (qi >= 0 && fail_at(L, RTM_PLOAD_QUOTE, OGR_F_GetFID(f), fname(L, qi), NULL, err))
            r = -1;
        else if ((r = read_xy(L, f, &b->x[b->n], &b->y[b->n], err)) == 0 &&
                 (r = read_weight(L, f, &b->w[b->n], err)) == 0) {
            m = read_month(L, f, &b->month[b->n], &b->day[b->n], &b->minute[b->n], err);
            r = m < 0 ? -1 : 0;
            if (m == 1 && when_ok(L, f)) {
                b->fid[b->n] = OGR_F_GetFID(f);
                b->label[b->n] = -1;
                if (L->li >= 0 && OGR_F_IsFieldSetAndNotNull(f, L->li) &&
                    (b->label[b->n] = rtm_points_label(pts, OGR_F_GetFieldAsString(f, L->li),
                                                       err)) < 0)
                    r = -1;
                if (++b->n == BATCH && flush(L, pts, err))
                    r = -1;
            }
        }
        OGR_F_Destroy(f);
        if (r < 0)
            return -1;
    }
    if (CPLGetLastErrorType() >= CE_Failure)
        return rtm_error_set(err, RTM_ERR_IO, "points: error reading '%s': %s", L->v.name,
                             rtm_gdal_last_error("read error")) ? -1 : -1;
    if (flush(L, pts, err))
        return -1;
    L->st.read = L->o->where && *L->o->where ? total : matched;
    L->st.filtered_where = L->o->where && *L->o->where ? total - matched : 0;
    return 0;
}

/* Fields the loader does not read are not fetched (OGR_L_SetIgnoredFields:
 * a GeoPackage then selects fewer columns), nor the geometry when the
 * coordinates are columns; not in CSV files (every text field is checked
 * for an unclosed quote) nor with an attribute filter (it may use any field). */
static void ignore_unused(loader *L)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(L->v.layer);
    int nf = OGR_FD_GetFieldCount(d), n = 0;
    int used[8] = {L->v.xi, L->v.yi, L->wi, L->ci, L->mi, L->di, L->ti, L->li};
    const char **names;
    if (L->v.is_csv || (L->o->where && *L->o->where) || !(names = calloc((size_t)nf + 3,
                                                                            sizeof *names)))
        return;
    for (int i = 0; i < nf; i++) {
        int k = 0;
        while (k < 8 && used[k] != i)
            k++;
        if (k == 8)
            names[n++] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i));
    }
    if (L->v.xi >= 0)
        names[n++] = "OGR_GEOMETRY";
    names[n++] = "OGR_STYLE";
    OGR_L_SetIgnoredFields(L->v.layer, names);
    free(names);
}

int rtm_pload_open(loader *L, const char *path, const rtm_load_opts *o, rtm_error *err)
{
    memset(L, 0, sizeof *L);
    L->o = o;
    if (!o->dst_crs)
        return rtm_error_set(err, RTM_ERR_ARG, "points: no target CRS (--dst-crs)");
    if (rtm_vsource_open(&L->v, path, o->layer, o->x_field, o->y_field, o->src_crs, o->where, err))
        return err ? err->code : RTM_ERR_INPUT;
    if (setup_fields(L, err)) {
        rtm_vsource_close(&L->v);
        return err ? err->code : RTM_ERR_INPUT;
    }
    ignore_unused(L);
    return 0;
}

int rtm_pload_read(loader *L, rtm_points *pts, rtm_transform *tr, rtm_error *err)
{
    rtm_transform *own = NULL;
    int rc = RTM_ERR_INPUT;
    if (!(L->b = malloc(sizeof *L->b)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory");
    L->b->n = 0;
    if (!tr && !(tr = own = rtm_transform_create(L->v.crs, L->o->dst_crs, err)))
        goto done;
    L->tr = tr;
    if (!L->st.src_crs[0]) /* byte ranges have it from their file */
        rtm_crs_describe(L->v.crs, L->st.src_crs, sizeof L->st.src_crs, NULL, 0, NULL);
    CPLErrorReset();
    if (load_rows(L, pts, err))
        goto done;
    snprintf(L->st.transform, sizeof L->st.transform, "%s", rtm_transform_describe(tr));
    L->records = L->st.read;
    rc = 0;
done:
    rtm_transform_free(own);
    L->tr = NULL;
    free(L->b);
    L->b = NULL;
    return rc ? (err ? err->code : rc) : 0;
}

void rtm_pload_close(loader *L)
{
    rtm_vsource_close(&L->v);
}

int rtm_points_load(rtm_points *pts, const char *path, const rtm_load_opts *o,
                    rtm_load_stats *st, rtm_error *err)
{
    loader L;
    size_t n0 = pts->n;
    int rc = rtm_pload_open(&L, path, o, err);
    if (rc)
        return rc;
    rc = rtm_pload_read(&L, pts, NULL, err);
    rtm_pload_messages(&L, 0, err);
    if (rc)
        pts->n = n0;
    else
        rtm_pload_merge_stats(st, &L.st);
    rtm_pload_close(&L);
    return rc;
}
