/* dosage_summary.c: the dosage product's summary - dosage.md for a person
 * and dosage.json for programs: inputs, parameters, pings counted by reason
 * (with the first file, row and field of each), tracks, and the places
 * with the most patrol time (see rtm/dosage.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "core/json.h"
#include "product/dosage_priv.h"

#define TOP_PLACES 20

static const char *const REASON_TEXT[RTM_PING_NREASONS] = {
    "no device id (dropped)", "no readable time (dropped)", "no position (dropped)",
    "outside the CRS's area or the bounding box (dropped)",
    "duplicate: a second fix of a device at the same time (dropped)",
    "out of order in its file (used: tracks are sorted by time)"};

typedef struct place_total {
    int place;
    int64_t ms;
    int visits, days_visited;
} place_total;

static int cmp_total(const void *a, const void *b)
{
    const place_total *p = a, *q = b;
    if (p->ms != q->ms)
        return p->ms > q->ms ? -1 : 1;
    return (p->place > q->place) - (p->place < q->place);
}

static place_total *totals(const dosage_state *s, int64_t *all)
{
    place_total *t = calloc((size_t)s->places.n + 1, sizeof *t);
    *all = 0;
    for (int i = 0; t && i < s->places.n; i++) {
        t[i].place = i;
        for (int d = 0; d < s->ndays; d++) {
            const rtm_dosage_cell *c = &s->days[(size_t)i * s->ndays + d];
            t[i].ms += c->ms, t[i].visits += c->visits, t[i].days_visited += c->visits > 0;
        }
        *all += t[i].ms;
    }
    if (t)
        qsort(t, (size_t)s->places.n, sizeof *t, cmp_total);
    return t;
}

static void md_counts(FILE *f, const dosage_state *s)
{
    const rtm_ping_stats *st = &s->st;
    fprintf(f, "## Pings\n\n- Files: %zu; rows read: %zu; pings used: %zu; devices: %d\n",
            st->files, st->read, st->used, s->pings.ndev);
    fprintf(f, "- Source CRS: %s; transformation: %s\n", st->src_crs[0] ? st->src_crs : "?",
            st->transform[0] ? st->transform : "?");
    fprintf(f, "- Times without a zone: %zu (read in %s)\n\n", st->naive_times,
            rtm_tz_name(s->tz));
    fprintf(f, "| reason | pings | first example |\n|---|---:|---|\n");
    for (int r = 0; r < RTM_PING_NREASONS; r++)
        fprintf(f, "| %s | %zu | %s |\n", REASON_TEXT[r], st->n[r],
                st->n[r] ? st->example[r] : "");
    fputc('\n', f);
}

static void md_places(FILE *f, const dosage_state *s, const place_total *t, int64_t all)
{
    fprintf(f, "## Places with the most patrol time\n\n"
               "| place | device-minutes | visits | days visited (of %d) |\n"
               "|---|---:|---:|---:|\n", s->ndays);
    for (int i = 0; i < s->places.n && i < TOP_PLACES; i++)
        fprintf(f, "| %s | %.1f | %d | %d |\n", s->places.label[t[i].place],
                (double)t[i].ms / 60000.0, t[i].visits, t[i].days_visited);
    fprintf(f, "\nAll places: %.1f device-minutes.\n\n", (double)all / 60000.0);
}

static int write_md(dosage_state *s, const place_total *t, int64_t all, rtm_error *err)
{
    char *buf = NULL, *fn, d0[11], d1[11];
    size_t len = 0;
    const char *path;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    rtm_dosage_date(s->day0, d0);
    rtm_dosage_date(s->day0 + s->ndays - 1, d1);
    fprintf(f, "# Patrol dosage\n\n%d places (%s), %d days %s to %s (time zone %s).\n\n",
            s->places.n, s->p->places, s->ndays, d0, d1, rtm_tz_name(s->tz));
    fprintf(f, "Tracks join consecutive fixes of a device at most %g s apart with straight "
               "segments (%zu segments; %zu longer gaps broke a track); each segment is "
               "clipped exactly to each place. Visits merge re-entries within %g s. "
               "Tracked time: %.1f device-minutes. Raster: %g m cells, %d x %d.\n\n",
            s->p->max_gap, s->tracks.segments, s->tracks.breaks, s->p->merge_gap,
            (double)s->tracks.tracked_ms / 60000.0, s->grid.res, s->grid.ncols, s->grid.nrows);
    if (s->tracks.tracked_ms == 0)
        fprintf(f, "**Warning: no tracked time in the days reported** (no two fixes of a "
                   "device within %g s of each other there): every row is zero.\n\n",
                s->p->max_gap);
    md_counts(f, s);
    md_places(f, s, t, all);
    fprintf(f, "Files: dosage.csv (place and day: device-minutes, visits, devices, presence "
               "minutes, Koper bins <2, 2-10, 10-16, >16 min, longest gap, first and last "
               "visit)%s%s, dosage.tif (minutes of patrol presence per cell), dosage.png (its map, places "
               "outlined; dosage_map.png georeferenced), dosage.json.\n",
            s->p->nshifts ? ", dosage_shifts.csv" : "",
            s->p->per_device ? ", dosage_devices.csv (per device)" : "");
    fclose(f);
    fn = rtm_prod_join(s->p->dir, "dosage.md");
    path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc = !fn ? rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory")
             : !path ? err->code : rtm_atomic_write_text(path, buf, len, err);
    free(fn), free(buf);
    return rc;
}

static void json_params(rtm_json *w, const dosage_state *s)
{
    char d0[11], d1[11];
    rtm_dosage_date(s->day0, d0);
    rtm_dosage_date(s->day0 + s->ndays - 1, d1);
    rtm_json_kv_string(w, "places", s->p->places);
    rtm_json_kv_int(w, "nplaces", s->places.n);
    rtm_json_kv_string(w, "date_from", d0);
    rtm_json_kv_string(w, "date_to", d1);
    rtm_json_kv_string(w, "time_zone", rtm_tz_name(s->tz));
    rtm_json_kv_double(w, "max_gap_s", s->p->max_gap);
    rtm_json_kv_double(w, "merge_gap_s", s->p->merge_gap);
    rtm_json_kv_double(w, "resolution", s->grid.res);
    rtm_json_key(w, "ping_files");
    rtm_json_begin_array(w);
    for (int i = 0; i < s->p->npings; i++)
        rtm_json_string(w, s->p->pings[i]);
    rtm_json_end_array(w);
}

static void json_counts(rtm_json *w, const dosage_state *s, int64_t all)
{
    rtm_json_kv_int(w, "rows_read", (long long)s->st.read);
    rtm_json_kv_int(w, "pings_used", (long long)s->st.used);
    rtm_json_kv_int(w, "devices", s->pings.ndev);
    rtm_json_kv_int(w, "times_without_zone", (long long)s->st.naive_times);
    rtm_json_key(w, "by_reason");
    rtm_json_begin_object(w);
    for (int r = 0; r < RTM_PING_NREASONS; r++) {
        rtm_json_key(w, rtm_ping_reason_name((rtm_ping_reason)r));
        rtm_json_begin_object(w);
        rtm_json_kv_int(w, "count", (long long)s->st.n[r]);
        rtm_json_kv_string(w, "example", s->st.n[r] ? s->st.example[r] : NULL);
        rtm_json_end_object(w);
    }
    rtm_json_end_object(w);
    rtm_json_kv_int(w, "segments", (long long)s->tracks.segments);
    rtm_json_kv_int(w, "track_breaks", (long long)s->tracks.breaks);
    rtm_json_kv_double(w, "tracked_minutes", (double)s->tracks.tracked_ms / 60000.0);
    rtm_json_kv_double(w, "place_minutes", (double)all / 60000.0);
}

static int write_json(dosage_state *s, int64_t all, rtm_error *err)
{
    rtm_json *w = rtm_json_new();
    char *fn = rtm_prod_join(s->p->dir, "dosage.json");
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc;
    if (!w || !fn || !path) {
        rtm_json_free(w), free(fn);
        return path || !fn || !w ? rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory")
                                 : err->code;
    }
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "software", "rtm " RTM_VERSION);
    json_params(w, s);
    json_counts(w, s, all);
    rtm_json_end_object(w);
    rc = rtm_json_write_file(w, path, err);
    rtm_json_free(w), free(fn);
    return rc;
}

int rtm_dosage_write_summary(dosage_state *s, rtm_error *err)
{
    int64_t all;
    place_total *t = totals(s, &all);
    int rc;
    if (!t)
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    rc = write_md(s, t, all, err);
    if (!rc)
        rc = write_json(s, all, err);
    free(t);
    return rc;
}
