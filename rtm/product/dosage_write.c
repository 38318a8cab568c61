/* dosage_write.c: the dosage product's files - dosage.csv (place and day),
 * dosage_shifts.csv, dosage_devices.csv, dosage.tif (minutes per cell),
 * dosage.png (its map, places outlined),
 * dosage.md and dosage.json (what was read, counts by reason) - into the
 * output set (see rtm/dosage.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/json.h"
#include "product/dosage_priv.h"

static const char *const HEAD =
    "minutes,visits,devices,presence_minutes,visits_under_2,visits_2_10,visits_10_16,"
    "visits_over_16,longest_gap_minutes,first_visit,last_visit";

/* Howard Hinnant's civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms", 2013). */
static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void rtm_dosage_date(long d, char *buf)
{
    int y, m, dd;
    civil(d, &y, &m, &dd);
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, dd);
}

/* UTC ms as local ISO 8601 with its offset: 2024-03-01T18:05:12+00:00. */
static void local_time(const rtm_tz *z, int64_t ms, char *buf, size_t n)
{
    int64_t s = ms / 1000 - (ms % 1000 < 0);
    int off = rtm_tz_offset(z, s), y, m, d;
    int64_t l = s + off, day = l / 86400 - (l % 86400 < 0), sec = l - day * 86400;
    civil((long)day, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60), off < 0 ? '-' : '+', abs(off) / 3600,
             abs(off) / 60 % 60);
}

static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void cell_row(FILE *f, const rtm_tz *z, const rtm_dosage_cell *c)
{
    char a[40] = "", b[40] = "";
    if (c->visits) {
        local_time(z, c->first_ms, a, sizeof a);
        local_time(z, c->last_ms, b, sizeof b);
    }
    fprintf(f, ",%.3f,%d,%d,%.3f,%d,%d,%d,%d,", (double)c->ms / 60000.0, c->visits, c->devices,
            (double)c->presence_ms / 60000.0, c->koper[0], c->koper[1], c->koper[2],
            c->koper[3]);
    if (c->longest_gap_ms >= 0)
        fprintf(f, "%.3f", (double)c->longest_gap_ms / 60000.0);
    fprintf(f, ",%s,%s\n", a, b);
}

/* Register DIR/name and write text there (frees text). */
static int put_text(dosage_state *s, const char *name, char *text, size_t len, rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, name);
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc = !fn ? rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory")
             : !path ? (err ? err->code : RTM_ERR_ARG)
                     : rtm_atomic_write_text(path, text ? text : "", text ? len : 0, err);
    free(fn), free(text);
    return rc;
}

/* dosage.csv (shifts 0) or dosage_shifts.csv. */
static int write_table(dosage_state *s, int shifts, rtm_error *err)
{
    char *buf = NULL, date[11];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int nw = s->ndays * (shifts ? s->p->nshifts : 1);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    fprintf(f, "place,date,%s%s\n", shifts ? "shift," : "", HEAD);
    for (int i = 0; i < s->places.n; i++)
        for (int j = 0; j < nw; j++) { /* place, date, shift */
            int ns = shifts ? s->p->nshifts : 1, d = j / ns, sh = j % ns, k = sh * s->ndays + d;
            csv_str(f, s->places.label[i]);
            rtm_dosage_date(s->day0 + d, date);
            fprintf(f, ",%s", date);
            if (shifts)
                fprintf(f, ",%02d:%02d-%02d:%02d", s->p->shift_start[sh] / 60,
                        s->p->shift_start[sh] % 60, s->p->shift_end[sh] / 60,
                        s->p->shift_end[sh] % 60);
            cell_row(f, s->tz, &(shifts ? s->shifts : s->days)[(size_t)i * nw + k]);
        }
    fclose(f);
    return put_text(s, shifts ? "dosage_shifts.csv" : "dosage.csv", buf, len, err);
}

static int write_devices(dosage_state *s, rtm_error *err)
{
    rtm_dosage_devrow *r = NULL;
    size_t n = 0, len = 0;
    char *buf = NULL, date[11];
    int rc = rtm_dosage_device_rows(&s->tracks, s->ws, s->we, s->ndays,
                                    llround(s->p->merge_gap * 1000), &r, &n, err);
    FILE *f = rc ? NULL : open_memstream(&buf, &len);
    if (rc || !f) {
        free(r);
        return rc ? rc : rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    fputs("place,date,device,minutes,visits\n", f);
    for (size_t k = 0; k < n; k++) {
        csv_str(f, s->places.label[r[k].place]);
        rtm_dosage_date(s->day0 + r[k].window, date);
        fprintf(f, ",%s,", date);
        csv_str(f, s->pings.dev_names[r[k].dev]);
        fprintf(f, ",%.3f,%d\n", (double)r[k].ms / 60000.0, r[k].visits);
    }
    fclose(f);
    free(r);
    return put_text(s, "dosage_devices.csv", buf, len, err);
}

/* dosage.png: the minutes-per-cell raster as a briefing map, the places
 * outlined and labelled (one mark per ring, the label on the first). */
static int write_png(dosage_state *s, const double *v, rtm_error *err)
{
    const rtm_place_set *ps = &s->places;
    rtm_map_mark *mk = calloc(ps->nrings ? ps->nrings : 1, sizeof *mk);
    char *fn = rtm_prod_join(s->p->dir, "dosage.png"), d0[11], d1[11], sub[200];
    rtm_map_opts mo;
    int nm = 0, rc;
    if (!mk || !fn) {
        free(mk), free(fn);
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    for (int i = 0; i < ps->n; i++)
        for (size_t r = ps->ring_start[i]; r < ps->ring_start[i + 1]; r++, nm++) {
            mk[nm].xy = ps->xy + 2 * ps->ring_off[r];
            mk[nm].n = (int)(ps->ring_off[r + 1] - ps->ring_off[r]);
            mk[nm].label = r == ps->ring_start[i] ? ps->label[i] : NULL;
        }
    rtm_dosage_date(s->day0, d0);
    rtm_dosage_date(s->day0 + s->ndays - 1, d1);
    snprintf(sub, sizeof sub, "%s to %s (%s), %d devices, %g m cells", d0, d1,
             rtm_tz_name(s->tz), s->pings.ndev, s->grid.res);
    rtm_map_opts_init(&mo);
    mo.title = "Patrol dosage";
    mo.subtitle = sub;
    mo.units_label = "minutes of patrol presence";
    mo.ramp = "magma";
    mo.marks = mk;
    mo.nmarks = nm;
    mo.attribution = s->env ? s->env->attribution : NULL;
    /* The CRS by its code when it has one, so the map's CRS sidecar is the
     * same whether the places' layer or a job named the CRS. */
    rtm_grid g = s->grid;
    char code[64] = "";
    if (!rtm_crs_describe(g.crs, NULL, 0, code, sizeof code, NULL) && code[0])
        snprintf(g.crs, sizeof g.crs, "%s", code);
    rc = rtm_prod_map(s->out, fn, &g, v, NULL, &mo, err);
    free(mk), free(fn);
    return rc;
}

static int write_tif(dosage_state *s, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->grid);
    double *v = rtm_prod_alloc(nc, "dosage", err);
    char *fn = rtm_prod_join(s->p->dir, "dosage.tif"), d0[11], d1[11];
    rtm_geotiff_opts go;
    rtm_kv kv;
    int rc;
    if (!v || !fn) {
        free(v), free(fn);
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    for (size_t k = 0; k < nc; k++)
        v[k] = (double)s->tracks.cell_ms[k] / 60000.0;
    rtm_dosage_date(s->day0, d0);
    rtm_dosage_date(s->day0 + s->ndays - 1, d1);
    rtm_kv_init(&kv);
    rc = rtm_kv_add(&kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
         rtm_kv_add(&kv, "SURFACE", "patrol dosage: minutes of patrol presence per cell, "
                    "summed over devices") |
         rtm_kv_add(&kv, "CELL_SIZE", "%.17g", s->grid.res) |
         rtm_kv_add(&kv, "DATE_FROM", "%s", d0) | rtm_kv_add(&kv, "DATE_TO", "%s", d1) |
         rtm_kv_add(&kv, "TIME_ZONE", "%s", rtm_tz_name(s->tz)) |
         rtm_kv_add(&kv, "MAX_GAP_S", "%g", s->p->max_gap) |
         rtm_kv_add(&kv, "PINGS_USED", "%zu", s->st.used) |
         rtm_kv_add(&kv, "DEVICES", "%d", s->pings.ndev);
    rtm_geotiff_opts_init(&go);
    go.units = "minutes of patrol presence per cell";
    go.band_description = "patrol presence (minutes per cell, all devices)";
    go.float64 = 1;
    go.qml_ramp = "magma";
    go.metadata = rtm_kv_list(&kv);
    rc = rc ? rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory")
            : rtm_prod_geotiff(s->out, fn, &s->grid, v, NULL, &go, err);
    if (!rc)
        rc = write_png(s, v, err);
    rtm_kv_free(&kv);
    free(v), free(fn);
    return rc;
}

int rtm_dosage_write_tables(dosage_state *s, rtm_error *err)
{
    int rc;
    if ((rc = write_table(s, 0, err)) || (s->p->nshifts && (rc = write_table(s, 1, err))) ||
        (s->p->per_device && (rc = write_devices(s, err))))
        return rc;
    return write_tif(s, err);
}
