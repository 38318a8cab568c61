/* dosage_product.c: the patrol dosage product - places and pings read,
 * tracks clipped to the places, statistics per place and day (and shift),
 * the minutes-per-cell raster, all written by dosage_write.c (see
 * rtm/dosage.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "product/dosage_priv.h"

#define DEFAULT_MAX_GAP 120.0
#define DEFAULT_MERGE_GAP 60.0
#define DEFAULT_RES 100.0
#define MAX_DAYS 36600
#define MAX_CELLS 200000000.0

void rtm_dosage_product_init(rtm_dosage_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_pings_opts_init(&p->read);
    p->max_gap = DEFAULT_MAX_GAP;
    p->merge_gap = DEFAULT_MERGE_GAP;
    p->resolution = DEFAULT_RES;
}

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process (every thread). */
static double cpu(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int check(const rtm_dosage_product *p, rtm_error *err)
{
    char msg[512] = "";
    size_t n = 0;
#define PROBLEM(...) n += (size_t)snprintf(msg + n, n < sizeof msg ? sizeof msg - n : 0, __VA_ARGS__)
    if (!p->places)
        PROBLEM("; no places file");
    if (p->npings < 1)
        PROBLEM("; no ping file");
    if (!p->read.id_field || !p->read.time_field)
        PROBLEM("; the device id and time fields are required");
    if (!(p->max_gap > 0) || !(p->max_gap <= 86400))
        PROBLEM("; max gap must be in (0, 86400] s (got %g)", p->max_gap);
    if (!(p->merge_gap >= 0) || !(p->merge_gap <= 86400))
        PROBLEM("; merge gap must be in [0, 86400] s (got %g)", p->merge_gap);
    if (!(p->resolution > 0) || !isfinite(p->resolution))
        PROBLEM("; resolution must be > 0 (got %g)", p->resolution);
    if (p->date_from && p->date_to && p->date_from > p->date_to)
        PROBLEM("; the first date is after the last");
    if (p->nshifts < 0 || p->nshifts > RTM_DOSAGE_MAX_SHIFTS)
        PROBLEM("; at most %d shifts", RTM_DOSAGE_MAX_SHIFTS);
    if (!p->dir)
        PROBLEM("; no output folder");
#undef PROBLEM
    return n ? rtm_error_set(err, RTM_ERR_ARG, "dosage: %s", msg + 2) : 0;
}

static long floor_div(int64_t a, int64_t b)
{
    return (long)(a / b - (a % b != 0 && (a < 0) != (b < 0)));
}

/* Local day (days since 1970) of UTC ms t. */
static long local_day(const rtm_tz *z, int64_t t)
{
    int64_t s = floor_div(t, 1000);
    return floor_div(s + rtm_tz_offset(z, s), 86400);
}

static long day_of(int yyyymmdd)
{
    return rtm_days_from_civil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

/* The days reported: the options', else the pings' first to last. */
static int days(dosage_state *s, rtm_error *err)
{
    const rtm_dosage_product *p = s->p;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    long d0, d1;
    int rc;
    for (size_t k = 0; k < s->pings.n; k++)
        lo = s->pings.t_ms[k] < lo ? s->pings.t_ms[k] : lo,
        hi = s->pings.t_ms[k] > hi ? s->pings.t_ms[k] : hi;
    d0 = p->date_from ? day_of(p->date_from) : 0;
    d1 = p->date_to ? day_of(p->date_to) : 0;
    lo = floor_div(lo, 1000), hi = floor_div(hi, 1000);
    if ((rc = rtm_tz_prepare(s->tz, fmin((double)lo, d0 ? d0 * 86400.0 : (double)lo),
                             fmax((double)hi, d1 ? (d1 + 2) * 86400.0 : (double)hi), err)))
        return rc;
    if (!p->date_from)
        d0 = local_day(s->tz, lo * 1000);
    if (!p->date_to)
        d1 = local_day(s->tz, hi * 1000);
    if (d1 < d0)
        return rtm_error_set(err, RTM_ERR_INPUT, "dosage: no day between the first and last "
                             "date");
    if (d1 - d0 + 1 > MAX_DAYS)
        return rtm_error_set(err, RTM_ERR_ARG, "dosage: %ld days (at most %d): give --from "
                             "and --to", d1 - d0 + 1, MAX_DAYS);
    s->day0 = (int)d0, s->ndays = (int)(d1 - d0 + 1);
    return 0;
}

/* Windows: the days [local 00:00, next 00:00), then each shift on each day
 * [start, end) local, ending the next day when end <= start. */
static int windows(dosage_state *s, rtm_error *err)
{
    int ns = s->p->nshifts, n = s->ndays * (1 + ns);
    s->ws = malloc((size_t)n * sizeof *s->ws);
    s->we = malloc((size_t)n * sizeof *s->we);
    if (!s->ws || !s->we)
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    for (int d = 0; d < s->ndays; d++) {
        int64_t mid = (int64_t)(s->day0 + d) * 86400;
        s->ws[d] = rtm_tz_to_utc(s->tz, mid) * 1000;
        s->we[d] = rtm_tz_to_utc(s->tz, mid + 86400) * 1000;
        for (int k = 0; k < ns; k++) {
            int a = s->p->shift_start[k], b = s->p->shift_end[k];
            int64_t w = s->ndays + (int64_t)k * s->ndays + d;
            s->ws[w] = rtm_tz_to_utc(s->tz, mid + a * 60) * 1000;
            s->we[w] = rtm_tz_to_utc(s->tz, mid + (b <= a ? b + 1440 : b) * 60) * 1000;
        }
    }
    return 0;
}

/* The raster: the pings' extent (or the bounding box), cells snapped to
 * multiples of the resolution. */
static int make_grid(dosage_state *s, rtm_error *err)
{
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, r = s->p->resolution;
    if (s->p->read.has_bbox)
        memcpy(bb, s->p->read.bbox, sizeof bb);
    else
        for (size_t k = 0; k < s->pings.n; k++) {
            bb[0] = fmin(bb[0], s->pings.x[k]), bb[1] = fmin(bb[1], s->pings.y[k]);
            bb[2] = fmax(bb[2], s->pings.x[k]), bb[3] = fmax(bb[3], s->pings.y[k]);
        }
    /* half a cell more, so fixes on the outer edge fall inside */
    if ((bb[2] - bb[0] + r) / r * ((bb[3] - bb[1] + r) / r) > MAX_CELLS)
        return rtm_error_set(err, RTM_ERR_ARG, "dosage: the raster of the pings' extent "
                             "(%.0f x %.0f) at %g would have over %.0f cells: give a larger "
                             "--resolution or a --bbox", bb[2] - bb[0], bb[3] - bb[1], r,
                             MAX_CELLS);
    return rtm_grid_from_extent_tap(&s->grid, bb[0] - r / 2, bb[1] - r / 2, bb[2] + r / 2,
                                    bb[3] + r / 2, r, s->places.crs, err);
}

static int load(dosage_state *s, rtm_dosage_result *res, rtm_error *err)
{
    rtm_pings_opts ro = s->p->read;
    double t0 = now(), c0 = cpu();
    int rc;
    if ((rc = rtm_place_set_load(s->p->places, s->p->places_layer, s->p->read.dst_crs,
                                 &s->places, err)))
        return rc;
    ro.dst_crs = s->places.crs;
    ro.tz = s->tz;
    ro.threads = s->env && s->env->threads ? s->env->threads : ro.threads;
    rtm_prod_log(s->env, "dosage: %d places; reading %d ping file%s", s->places.n,
                 s->p->npings, s->p->npings == 1 ? "" : "s");
    if ((rc = rtm_pings_load(&ro, s->p->pings, s->p->npings, &s->pings, &s->st, err)))
        return rc;
    res->read_seconds = now() - t0;
    res->read_cpu_seconds = cpu() - c0;
    rtm_prod_log(s->env, "dosage: %zu pings read, %zu used, %d devices (%.2f s)", s->st.read,
                 s->st.used, s->pings.ndev, res->read_seconds);
    return 0;
}

static int compute(dosage_state *s, rtm_error *err)
{
    rtm_dosage_track_opts to = {0};
    int ns = s->p->nshifts, np = s->places.n, nw = s->ndays, rc;
    to.max_gap_ms = llround(s->p->max_gap * 1000);
    to.from_ms = INT64_MAX, to.to_ms = INT64_MIN;
    for (int k = 0; k < s->ndays * (1 + ns); k++)
        to.from_ms = s->ws[k] < to.from_ms ? s->ws[k] : to.from_ms,
        to.to_ms = s->we[k] > to.to_ms ? s->we[k] : to.to_ms;
    to.grid = &s->grid;
    to.threads = s->env ? s->env->threads : 0;
    if ((rc = rtm_dosage_tracks_run(&s->pings, &s->places, &to, &s->tracks, err)))
        return rc;
    s->days = calloc((size_t)np * nw, sizeof *s->days);
    if (ns)
        s->shifts = calloc((size_t)np * nw * ns, sizeof *s->shifts);
    if (!s->days || (ns && !s->shifts))
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    int64_t merge = llround(s->p->merge_gap * 1000);
    if ((rc = rtm_dosage_windows(&s->tracks, np, s->ws, s->we, nw, merge, s->days, err)))
        return rc;
    return ns ? rtm_dosage_windows(&s->tracks, np, s->ws + nw, s->we + nw, nw * ns, merge,
                                   s->shifts, err)
              : 0;
}

static void fill_result(const dosage_state *s, rtm_dosage_result *r)
{
    int64_t in = 0;
    r->st = s->st;
    r->nplaces = s->places.n, r->ndays = s->ndays, r->ndevices = s->pings.ndev;
    r->segments = s->tracks.segments, r->breaks = s->tracks.breaks;
    r->tracked_minutes = (double)s->tracks.tracked_ms / 60000.0;
    for (size_t k = 0; k < (size_t)s->places.n * s->ndays; k++)
        in += s->days[k].ms;
    r->place_minutes = (double)in / 60000.0;
    snprintf(r->summary, sizeof r->summary, "%d places x %d days: %.1f device-minutes in "
             "places of %.1f tracked (%zu pings, %d devices)", r->nplaces, r->ndays,
             r->place_minutes, r->tracked_minutes, s->st.used, r->ndevices);
}

static void state_free(dosage_state *s)
{
    rtm_tz_free(s->tz);
    rtm_place_set_free(&s->places);
    rtm_pings_free(&s->pings);
    rtm_dosage_tracks_free(&s->tracks);
    free(s->ws), free(s->we), free(s->days), free(s->shifts);
}

int rtm_dosage_product_run(const rtm_dosage_product *p, const rtm_product_env *env,
                           rtm_outset *out, rtm_dosage_result *res, rtm_error *err)
{
    dosage_state s = {.p = p, .env = env, .out = out};
    rtm_dosage_result r = {0};
    double t0, c0;
    int rc = check(p, err);
    if (!rc && !(s.tz = rtm_tz_create(p->tz, err)))
        rc = err ? err->code : RTM_ERR_ARG;
    if (!rc)
        rc = load(&s, &r, err);
    t0 = now(), c0 = cpu();
    if (!rc && !(rc = days(&s, err)) && !(rc = windows(&s, err)) && !(rc = make_grid(&s, err)))
        rc = compute(&s, err);
    r.compute_seconds = now() - t0;
    r.compute_cpu_seconds = cpu() - c0;
    if (!rc) {
        rtm_prod_log(env, "dosage: %zu segments, %zu track breaks, %zu visits clipped "
                     "(%.2f s)", s.tracks.segments, s.tracks.breaks, s.tracks.niv,
                     r.compute_seconds);
        if (s.tracks.tracked_ms == 0)
            rtm_prod_log(env, "dosage: warning: no tracked time in the days reported (no two "
                         "fixes of a device within the max gap there): every row is zero");
        if (!(rc = rtm_dosage_write_tables(&s, err)))
            rc = rtm_dosage_write_summary(&s, err);
    }
    if (!rc) {
        fill_result(&s, &r);
        if (res)
            *res = r;
    }
    state_free(&s);
    return rc;
}
