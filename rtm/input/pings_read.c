/* pings_read.c: reading one file of location pings through OGR - device id,
 * time and position of every row, with unusable rows counted by reason
 * (see rtm/dosage.h). One OGR dataset and one PROJ transformation per
 * file, so files can be read on different threads. */
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/pings_priv.h"
#include "input/vsource.h"
#include "rtm/input.h"

#define BATCH 16384

typedef struct reader {
    rtm_ping_file *f;
    const rtm_pings_opts *o;
    rtm_vsource v;
    rtm_transform *tr;
    int ii, ti;            /* id and time field indices */
    const char *tname, *iname;
    rtm_ping_rec *b;       /* batch waiting for transformation */
    unsigned char *ok;
    size_t nb;
} reader;

void rtm_ping_where(const char *path, int is_csv, int64_t fid, const char *field, char *buf,
                    size_t n)
{
    /* OGR's CSV driver numbers data rows from 1, so the file line is fid + 1. */
    snprintf(buf, n, "%.120s %s %lld%s%.40s", path, is_csv ? "line" : "feature",
             (long long)(is_csv ? fid + 1 : fid), field ? " field " : "", field ? field : "");
}

static void note(rtm_ping_file *f, rtm_ping_reason r, int64_t fid, const char *field)
{
    if (f->count[r]++ == 0)
        rtm_ping_where(f->path, f->is_csv, fid, field, f->example[r], sizeof f->example[r]);
}

/* FNV-1a (Fowler, Noll, Vo) string hash. */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int grow_names(rtm_ping_file *f)
{
    size_t cap = f->hcap ? f->hcap * 2 : 1024;
    int *t = malloc(cap * sizeof *t);
    char **nn = realloc(f->names, (cap / 2) * sizeof *nn);
    if (!t || !nn) {
        free(t);
        if (nn)
            f->names = nn;
        return -1;
    }
    f->names = nn;
    f->capdev = (int)(cap / 2);
    for (size_t k = 0; k < cap; k++)
        t[k] = -1;
    for (int d = 0; d < f->ndev; d++) {
        size_t k = hash(f->names[d]) & (cap - 1);
        while (t[k] >= 0)
            k = (k + 1) & (cap - 1);
        t[k] = d;
    }
    free(f->htab);
    f->htab = t;
    f->hcap = cap;
    return 0;
}

/* Local index of device name s (added when new), or -1 out of memory. */
static int device(rtm_ping_file *f, const char *s)
{
    size_t k;
    if (f->ndev >= f->capdev && grow_names(f))
        return -1;
    k = hash(s) & (f->hcap - 1);
    for (; f->htab[k] >= 0; k = (k + 1) & (f->hcap - 1))
        if (!strcmp(f->names[f->htab[k]], s))
            return f->htab[k];
    if (!(f->names[f->ndev] = strdup(s)))
        return -1;
    f->htab[k] = f->ndev;
    return f->ndev++;
}

/* Time of the row in ms: 0 ok, 1 unreadable. */
static int read_time(reader *R, OGRFeatureH h, int64_t *t, uint8_t *naive)
{
    rtm_datetime d;
    int y, m, dd, hh, mi, tz;
    float sec;
    OGRFieldType ty = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(h, R->ti));
    if (!OGR_F_IsFieldSetAndNotNull(h, R->ti))
        return 1;
    if (ty == OFTDateTime) {
        if (!OGR_F_GetFieldAsDateTimeEx(h, R->ti, &y, &m, &dd, &hh, &mi, &sec, &tz))
            return 1;
        d = (rtm_datetime){y, m, dd, hh * 60 + mi, (int)sec, tz > 1, tz > 1 ? (tz - 100) * 15
                                                                             : 0};
    } else {
        rtm_date_form form = rtm_date_parse(OGR_F_GetFieldAsString(h, R->ti), &d);
        if (form != RTM_DATE_ISO_DATETIME && form != RTM_DATE_DMY_TIME)
            return 1;
    }
    if (d.day < 1 || d.minute < 0)
        return 1;
    *t = ((int64_t)rtm_days_from_civil(d.year, d.month, d.day) * 86400 + d.minute * 60 +
          d.second - (d.has_zone ? d.zone * 60 : 0)) * 1000;
    *naive = !d.has_zone;
    return 0;
}

/* Position of the row: 0 ok, 1 none. */
static int read_xy(reader *R, OGRFeatureH h, double *x, double *y)
{
    if (R->v.xi >= 0)
        return rtm_vsource_read_number(h, R->v.xi, x) || rtm_vsource_read_number(h, R->v.yi, y);
    OGRGeometryH g = OGR_F_GetGeometryRef(h);
    if (!g || OGR_G_IsEmpty(g) || wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint)
        return 1;
    *x = OGR_G_GetX(g, 0);
    *y = OGR_G_GetY(g, 0);
    return 0;
}

static int push(rtm_ping_file *f, const rtm_ping_rec *r)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 65536;
        rtm_ping_rec *p = realloc(f->rec, cap * sizeof *p);
        if (!p)
            return -1;
        f->rec = p, f->cap = cap;
    }
    f->rec[f->n++] = *r;
    return 0;
}

static int inside_bbox(const rtm_pings_opts *o, double x, double y)
{
    return !o->has_bbox ||
           (x >= o->bbox[0] && x <= o->bbox[2] && y >= o->bbox[1] && y <= o->bbox[3]);
}

/* Speed-up for the usual case, pings already in the analysis CRS (an
 * identity transformation), where checking the CRS's area of use costs an
 * inverse projection per ping: when the batch's box is under BOX_MAX across
 * and its corners and edge midpoints are all inside the area of use (a
 * longitude/latitude box widened by a degree, see rtm_transform_points),
 * every finite ping of the box is taken as inside and ok[] set here. */
#define BOX_MAX 50000.0
static int batch_in_area(reader *R, const double *x, const double *y)
{
    double bb[4] = {x[0], y[0], x[0], y[0]}, px[8], py[8];
    unsigned char ok[8];
    if (!rtm_transform_is_identity(R->tr) || !R->nb)
        return 0;
    for (size_t k = 0; k < R->nb; k++) {
        if (!isfinite(x[k]) || !isfinite(y[k]))
            return 0;
        bb[0] = fmin(bb[0], x[k]), bb[1] = fmin(bb[1], y[k]);
        bb[2] = fmax(bb[2], x[k]), bb[3] = fmax(bb[3], y[k]);
    }
    if (bb[2] - bb[0] > BOX_MAX || bb[3] - bb[1] > BOX_MAX)
        return 0;
    static const int IX[8] = {0, 0, 0, 1, 1, 2, 2, 2}, IY[8] = {0, 1, 2, 0, 2, 0, 1, 2};
    for (int k = 0; k < 8; k++)
        px[k] = bb[0] + 0.5 * IX[k] * (bb[2] - bb[0]), py[k] = bb[1] + 0.5 * IY[k] * (bb[3] - bb[1]);
    if (rtm_transform_points(R->tr, px, py, 8, ok) != 8)
        return 0;
    memset(R->ok, 1, R->nb);
    return 1;
}

/* Transform the batch and keep the pings inside the area. */
static int flush(reader *R)
{
    double *x = malloc(R->nb * sizeof *x), *y = malloc(R->nb * sizeof *y);
    int rc = 0;
    if (!x || !y) {
        free(x), free(y);
        return -1;
    }
    for (size_t k = 0; k < R->nb; k++)
        x[k] = R->b[k].x, y[k] = R->b[k].y;
    if (!batch_in_area(R, x, y))
        rtm_transform_points(R->tr, x, y, R->nb, R->ok);
    for (size_t k = 0; k < R->nb && !rc; k++) {
        if (!R->ok[k] || !inside_bbox(R->o, x[k], y[k])) {
            note(R->f, RTM_PING_OUT_OF_AREA, R->b[k].fid, NULL);
            continue;
        }
        R->b[k].x = x[k], R->b[k].y = y[k];
        rc = push(R->f, &R->b[k]);
    }
    R->nb = 0;
    free(x), free(y);
    return rc;
}

/* One row: counted, or staged in the batch. */
static int row(reader *R, OGRFeatureH h)
{
    rtm_ping_rec r = {0};
    const char *id;
    r.fid = OGR_F_GetFID(h);
    r.file = (uint16_t)R->f->index;
    R->f->read++;
    id = OGR_F_IsFieldSetAndNotNull(h, R->ii) ? OGR_F_GetFieldAsString(h, R->ii) : "";
    while (*id == ' ')
        id++;
    if (!*id) {
        note(R->f, RTM_PING_NO_DEVICE, r.fid, R->iname);
        return 0;
    }
    if (read_time(R, h, &r.t, &r.naive)) {
        note(R->f, RTM_PING_NO_TIME, r.fid, R->tname);
        return 0;
    }
    if (read_xy(R, h, &r.x, &r.y)) {
        note(R->f, RTM_PING_NO_POSITION, r.fid, NULL);
        return 0;
    }
    if ((r.dev = device(R->f, id)) < 0)
        return -1;
    R->b[R->nb++] = r;
    return R->nb == BATCH ? flush(R) : 0;
}

/* Skip every field but the id, time and coordinates (OGR_L_SetIgnoredFields);
 * the geometry too when coordinates come from columns. */
static void ignore_fields(reader *R)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(R->v.layer);
    int nf = OGR_FD_GetFieldCount(d), k = 0;
    const char **names = calloc((size_t)nf + 3, sizeof *names);
    if (!names)
        return;
    for (int i = 0; i < nf; i++)
        if (i != R->ii && i != R->ti && i != R->v.xi && i != R->v.yi)
            names[k++] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i));
    if (R->v.xi >= 0)
        names[k++] = "OGR_GEOMETRY";
    names[k++] = "OGR_STYLE";
    OGR_L_SetIgnoredFields(R->v.layer, names);
    free(names);
}

static const char *default_layer(const char *path, const char *layer)
{
    size_t n = strlen(path);
    if (layer || n < 4 || strcasecmp(path + n - 4, ".gpx"))
        return layer;
    return "track_points";
}

static int open_reader(reader *R, rtm_error *err)
{
    const rtm_pings_opts *o = R->o;
    int rc = rtm_vsource_open(&R->v, R->f->path, default_layer(R->f->path, o->layer),
                              o->x_field, o->y_field, o->src_crs, NULL, err);
    if (rc)
        return rc;
    R->f->is_csv = R->v.is_csv;
    if ((R->ii = rtm_vsource_field(&R->v, o->id_field, "device id", err)) < 0 ||
        (R->ti = rtm_vsource_field(&R->v, o->time_field, "time", err)) < 0)
        return err->code ? err->code : RTM_ERR_ARG;
    R->iname = o->id_field, R->tname = o->time_field;
    if (!R->v.crs[0])
        return rtm_error_set(err, RTM_ERR_CRS, "pings: '%s' has no CRS: give --src-crs",
                             R->f->path);
    if (!(R->tr = rtm_transform_create(R->v.crs, o->dst_crs, err)))
        return err->code;
    rtm_crs_describe(R->v.crs, R->f->src_crs, sizeof R->f->src_crs, NULL, 0, NULL);
    ignore_fields(R);
    return 0;
}

void rtm_ping_file_read(rtm_ping_file *f, const rtm_pings_opts *o)
{
    reader R = {.f = f, .o = o};
    OGRFeatureH h;
    int rc;
    R.b = malloc(BATCH * sizeof *R.b);
    R.ok = malloc(BATCH);
    if (!R.b || !R.ok)
        rc = rtm_error_set(&f->err, RTM_ERR_NOMEM, "pings: out of memory");
    else
        rc = open_reader(&R, &f->err);
    while (!rc && (h = OGR_L_GetNextFeature(R.v.layer))) {
        if (row(&R, h))
            rc = rtm_error_set(&f->err, RTM_ERR_NOMEM, "pings: out of memory reading '%s'",
                               f->path);
        OGR_F_Destroy(h);
    }
    if (!rc && R.nb && flush(&R))
        rc = rtm_error_set(&f->err, RTM_ERR_NOMEM, "pings: out of memory");
    if (R.tr) {
        snprintf(f->transform, sizeof f->transform, "%s", rtm_transform_describe(R.tr));
        rtm_transform_free(R.tr);
    }
    if (R.v.ds)
        rtm_vsource_close(&R.v);
    free(R.b), free(R.ok);
    f->rc = rc;
}

void rtm_ping_file_free(rtm_ping_file *f)
{
    for (int d = 0; d < f->ndev; d++)
        free(f->names[d]);
    free(f->names), free(f->htab), free(f->rec);
    f->names = NULL, f->htab = NULL, f->rec = NULL;
    f->ndev = 0, f->n = 0;
}
