/* sim_pings.c: simulated patrol location pings with their ground truth, for
 * testing and benchmarking `rtm dosage` (no public patrol GPS data exists).
 *
 *   sim_pings --places FILE | --make-places N --write-places OUT.geojson
 *             [--size M] [--shape square|disc] --out DIR [--truth FILE]
 *             [--devices N] [--days D] [--start YYYY-MM-DD] [--seed S]
 *             [--foot-share F] [--refresh-min S] [--refresh-max S]
 *             [--noise M] [--shift-hours H] [--gap-rate P] [--dup-rate P]
 *             [--ooo-rate P] [--bad-rate P] [--wgs84] [--dmy] [--one-file]
 *             [--schedule FILE [--compliance F] [--control-minutes M]]
 *
 * Each device works one shift a day (--shift-hours, starting between 06:00
 * and 16:00 UTC; 24 = the whole day), on foot (1.2-1.6 m/s) or in a vehicle
 * (8-13 m/s), moving in straight legs to a random point of a random place,
 * then staying: on foot 1-25 min, in a vehicle a drive-by (60 %) or 1-12
 * min, walking slowly (0.7 m/s) between interior points at least 10 m from
 * the edge. A device pings every R s (R drawn per device in [refresh-min,
 * refresh-max], whole seconds), its position blurred by Gaussian noise of
 * --noise m (per axis). Travel legs lose 3-10 min of pings with --gap-rate
 * per ping; rows are duplicated (--dup-rate), swapped with the previous row
 * (--ooo-rate) or written without a time or a position (--bad-rate, half
 * each). Rows of a day are in time order before the swaps, one CSV per day
 * (pings_YYYY-MM-DD.csv: device,time,x,y or device,time,lon,lat with
 * --wgs84; time ISO 8601 UTC with Z, or dd/mm/yyyy hh:mm:ss with --dmy).
 *
 * With --schedule (`rtm trial design`'s schedule.csv: date,place,arm) the
 * devices follow the trial instead (the days are the schedule's; --start
 * and --days are ignored): each day, each treatment place gets a foot
 * patrol with probability --compliance (default 0.95), staying 15.5-20
 * min (Southend's 15-20 minute dose, at least 15.5 planned so that GPS
 * error does not push a delivered patrol under the 15-minute mark), and
 * each control place a short visit with probability 0.5, exponential with
 * mean 2 x --control-minutes (default 2; so about M minutes a place-day,
 * Basford et al. 2021's background presence), capped at 14 min. The day's
 * tasks are shuffled and dealt to the devices in turn (starting one device
 * further each day); a device with tasks starts its shift at a base 300 m
 * south of the places' bounding box, drives (8-13 m/s) from task to task
 * (through other places on the way, as real patrols do) and back; a device
 * without tasks sends nothing. The shift starts between 06:00 and 16:00 UTC.
 *
 * Ground truth (--truth): the seconds each device truly spent in each place
 * per UTC day, from the noise-free path sampled every 0.1 s with a
 * point-in-polygon test written here (independent of the library's segment
 * clipping): CSV place,date,device,minutes. Counts of the rows written by
 * kind go to stderr. Deterministic for a seed: each device-day has its own
 * random stream (splitmix64 of seed, day, device). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"
#include "rtm/input.h"

#define MAX_LEGS 100000
#define TRUTH_STEP 0.1

typedef struct opts {
    const char *places, *write_places, *out, *truth, *shape, *schedule;
    int make_places, devices, days, wgs84, dmy, one_file;
    long day0;
    uint64_t seed;
    double size, foot_share, rmin, rmax, noise, shift_hours, gap_rate, dup_rate, ooo_rate,
        bad_rate, compliance, control_minutes;
} opts;

/* One schedule row and one task of a device-day (place index, dwell s). */
typedef struct sched_row {
    long day;
    int place, treat;
} sched_row;

typedef struct task {
    int place;
    double len;
} task;

#define MAX_TASKS 64

/* A schedule and the current day's tasks per device. */
typedef struct plan {
    sched_row *r;
    size_t n;
    task *all; /* the day's tasks, one place each at most */
    task *t;   /* devices x MAX_TASKS */
    int *nt;   /* tasks per device */
} plan;

typedef struct leg {
    double t0, t1, x0, y0, x1, y1;
    int travel;
} leg;

typedef struct row {
    int dev;
    int64_t t;
    double x, y;
    int kind; /* 0 ok, 1 no time, 2 no position, 3 duplicate of a good row */
} row;

typedef struct rows {
    row *r;
    size_t n, cap;
} rows;

/* ---- random numbers: splitmix64 (Steele, Lea & Flood 2014) ---- */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(uint64_t *s)
{
    return (double)(mix(s) >> 11) * 0x1.0p-53;
}
static double range(uint64_t *s, double a, double b)
{
    return a + (b - a) * unif(s);
}
/* Box-Muller transform. */
static double gauss(uint64_t *s)
{
    double u = unif(s), v = unif(s);
    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* ---- places ---- */
/* Crossing-number point-in-polygon, written independently of the library. */
static int inside(const rtm_place_set *s, int i, double x, double y)
{
    int in = 0;
    for (size_t r = s->ring_start[i]; r < s->ring_start[i + 1]; r++) {
        const double *p = s->xy + 2 * s->ring_off[r];
        size_t n = s->ring_off[r + 1] - s->ring_off[r];
        for (size_t a = 0, b = n - 1; a < n; b = a++)
            if (((p[2 * a + 1] > y) != (p[2 * b + 1] > y)) &&
                x < p[2 * a] + (p[2 * b] - p[2 * a]) * (y - p[2 * a + 1]) /
                                   (p[2 * b + 1] - p[2 * a + 1]))
                in = !in;
    }
    return in;
}

static int make_places(const opts *o, rtm_place_set *s)
{
    int side = (int)ceil(sqrt(o->make_places));
    uint64_t st = o->seed ^ 0x5eedULL;
    rtm_error e;
    memset(s, 0, sizeof *s);
    snprintf(s->crs, sizeof s->crs, "EPSG:27700");
    for (int k = 0; k < o->make_places; k++) {
        /* a grid of places 600 m apart around Southend-on-Sea, jittered */
        double cx = 585000 + 600.0 * (k % side) + range(&st, -100, 100);
        double cy = 184000 + 600.0 * (k / side) + range(&st, -100, 100);
        double ring[2 * 65], h = o->size / 2;
        size_t n = 0;
        char label[32];
        if (o->shape && !strcmp(o->shape, "disc"))
            for (int a = 0; a <= 64; a++, n++)
                ring[2 * n] = cx + h * cos(2 * M_PI * a / 64),
                ring[2 * n + 1] = cy + h * sin(2 * M_PI * a / 64);
        else {
            const double sq[10] = {-h, -h, h, -h, h, h, -h, h, -h, -h};
            for (n = 0; n < 5; n++)
                ring[2 * n] = cx + sq[2 * n], ring[2 * n + 1] = cy + sq[2 * n + 1];
        }
        const double *rings[1] = {ring};
        snprintf(label, sizeof label, "%d", k + 1);
        if (rtm_place_set_add(s, label, rings, &n, 1, &e))
            return -1;
    }
    return 0;
}

static int write_places(const opts *o, const rtm_place_set *s)
{
    FILE *f = fopen(o->write_places, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
               "{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},\"features\":[\n");
    for (int i = 0; i < s->n; i++) {
        fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"place\":\"%s\"},\"geometry\":"
                   "{\"type\":\"Polygon\",\"coordinates\":[[", i ? ",\n" : "", s->label[i]);
        size_t r = s->ring_start[i];
        for (size_t k = s->ring_off[r]; k < s->ring_off[r + 1]; k++)
            fprintf(f, "%s[%.3f,%.3f]", k > s->ring_off[r] ? "," : "", s->xy[2 * k],
                    s->xy[2 * k + 1]);
        fprintf(f, "]]}}");
    }
    fprintf(f, "\n]}\n");
    return fclose(f);
}

/* A random point of place i at least 10 m inside its edge (rejection). */
static void interior(const rtm_place_set *s, int i, uint64_t *st, double *x, double *y)
{
    const double *b = s->bbox + 4 * i, m = 10;
    for (int tries = 0; tries < 1000; tries++) {
        *x = range(st, b[0], b[2]), *y = range(st, b[1], b[3]);
        if (inside(s, i, *x, *y) && inside(s, i, *x - m, *y) && inside(s, i, *x + m, *y) &&
            inside(s, i, *x, *y - m) && inside(s, i, *x, *y + m) &&
            inside(s, i, *x - m * 0.7071, *y - m * 0.7071) &&
            inside(s, i, *x + m * 0.7071, *y + m * 0.7071) &&
            inside(s, i, *x - m * 0.7071, *y + m * 0.7071) &&
            inside(s, i, *x + m * 0.7071, *y - m * 0.7071))
            return;
    }
    *x = 0.5 * (b[0] + b[2]), *y = 0.5 * (b[1] + b[3]);
}

/* ---- paths ---- */
static int add_leg(leg *L, int *n, double t0, double t1, double x0, double y0, double x1,
                   double y1, int travel)
{
    if (*n >= MAX_LEGS)
        return -1;
    L[(*n)++] = (leg){t0, t1, x0, y0, x1, y1, travel};
    return 0;
}

/* Stay in place i from t for dwell seconds: slow walks between interior
 * points with pauses. Returns the end time; *x, *y the last position. */
static double dwell(const rtm_place_set *s, int i, double t, double len, uint64_t *st,
                    double *x, double *y, leg *L, int *n)
{
    double end = t + len;
    while (t < end) {
        double nx, ny, d, dt, pause = range(st, 0, 60);
        interior(s, i, st, &nx, &ny);
        d = hypot(nx - *x, ny - *y);
        dt = d / 0.7;
        if (t + dt > end) { /* stop part way */
            double f = (end - t) / dt;
            nx = *x + f * (nx - *x), ny = *y + f * (ny - *y), dt = end - t;
        }
        if (add_leg(L, n, t, t + dt, *x, *y, nx, ny, 0))
            return end;
        t += dt, *x = nx, *y = ny;
        pause = fmin(pause, end - t);
        if (pause > 0 && !add_leg(L, n, t, t + pause, *x, *y, *x, *y, 0))
            t += pause;
        else
            t = end;
    }
    return end;
}

/* The legs of one device-day from t0 to t1 (UTC seconds). */
static int path(const opts *o, const rtm_place_set *s, int foot, double t0, double t1,
                uint64_t *st, leg *L)
{
    double b0[4] = {s->bbox[0], s->bbox[1], s->bbox[2], s->bbox[3]};
    for (int i = 1; i < s->n; i++) /* start anywhere near the places */
        b0[0] = fmin(b0[0], s->bbox[4 * i]), b0[1] = fmin(b0[1], s->bbox[4 * i + 1]),
        b0[2] = fmax(b0[2], s->bbox[4 * i + 2]), b0[3] = fmax(b0[3], s->bbox[4 * i + 3]);
    double x = range(st, b0[0] - 300, b0[2] + 300), y = range(st, b0[1] - 300, b0[3] + 300);
    double v = foot ? range(st, 1.2, 1.6) : range(st, 8, 13), t = t0;
    int n = 0;
    (void)o;
    while (t < t1 && n < MAX_LEGS - 2000) {
        int i = (int)(unif(st) * s->n);
        double nx, ny, len;
        interior(s, i, st, &nx, &ny);
        double dt = fmax(hypot(nx - x, ny - y) / v, 1);
        add_leg(L, &n, t, t + dt, x, y, nx, ny, 1);
        t += dt, x = nx, y = ny;
        if (foot)
            len = range(st, 60, 1500);
        else
            len = unif(st) < 0.6 ? 0 : range(st, 60, 720);
        if (len > 0)
            t = dwell(s, i, t, len, st, &x, &y, L, &n);
    }
    return n;
}

/* --schedule: from a base south of the places' bounding box b0, drive to
 * each task's place and stay, then back; *t1 the end of the last leg. */
static int sched_path(const rtm_place_set *s, const double *b0, const task *tk, int nt,
                      double t0, uint64_t *st, leg *L, double *t1)
{
    double bx = range(st, b0[0], b0[2]), by = b0[1] - 300, x = bx, y = by;
    double v = range(st, 8, 13), t = t0;
    int n = 0;
    for (int k = 0; k < nt; k++) {
        double nx, ny, dt;
        interior(s, tk[k].place, st, &nx, &ny);
        dt = fmax(hypot(nx - x, ny - y) / v, 1);
        add_leg(L, &n, t, t + dt, x, y, nx, ny, 1);
        t += dt, x = nx, y = ny;
        if (tk[k].len > 0)
            t = dwell(s, tk[k].place, t, tk[k].len, st, &x, &y, L, &n);
    }
    double dt = fmax(hypot(bx - x, by - y) / v, 1);
    add_leg(L, &n, t, t + dt, x, y, bx, by, 1);
    *t1 = t + dt;
    return n;
}

static void position(const leg *L, int n, int *k, double t, double *x, double *y)
{
    while (*k + 1 < n && L[*k].t1 <= t)
        (*k)++;
    const leg *l = &L[*k];
    double f = l->t1 > l->t0 ? (t - l->t0) / (l->t1 - l->t0) : 1;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    *x = l->x0 + f * (l->x1 - l->x0), *y = l->y0 + f * (l->y1 - l->y0);
}

/* Truth: seconds inside each place of the noise-free path in [t0, t1),
 * sampled every TRUTH_STEP s at the middle of each step. */
static void truth(const rtm_place_set *s, const leg *L, int n, double t0, double t1,
                  double *sec)
{
    int k = 0;
    for (double t = t0 + TRUTH_STEP / 2; t < t1; t += TRUTH_STEP) {
        double x, y;
        position(L, n, &k, t, &x, &y);
        for (int i = 0; i < s->n; i++) {
            const double *b = s->bbox + 4 * i;
            if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && inside(s, i, x, y))
                sec[i] += TRUTH_STEP;
        }
    }
}

static int push(rows *R, const row *r)
{
    if (R->n == R->cap) {
        size_t cap = R->cap ? 2 * R->cap : 65536;
        row *p = realloc(R->r, cap * sizeof *p);
        if (!p)
            return -1;
        R->r = p, R->cap = cap;
    }
    R->r[R->n++] = *r;
    return 0;
}

/* The pings of one device-day into R. */
static int pings(const opts *o, int dev, const leg *L, int n, double t0, double t1,
                 uint64_t *st, rows *R)
{
    int refresh = (int)floor(range(st, o->rmin, o->rmax + 1)), k = 0;
    int64_t t = (int64_t)ceil(t0) + (int64_t)(unif(st) * refresh);
    refresh = refresh < 1 ? 1 : refresh;
    for (; t < (int64_t)t1; t += refresh) {
        row r = {dev, t, 0, 0, 0};
        position(L, n, &k, (double)t, &r.x, &r.y);
        if (L[k].travel && unif(st) < o->gap_rate) { /* lost signal */
            t += (int64_t)range(st, 180, 600);
            continue;
        }
        r.x += o->noise * gauss(st), r.y += o->noise * gauss(st);
        if (unif(st) < o->bad_rate)
            r.kind = unif(st) < 0.5 ? 1 : 2;
        if (push(R, &r))
            return -1;
        if (unif(st) < o->dup_rate) {
            r.kind = r.kind ? r.kind : 3; /* 3: a duplicate of a good row */
            if (push(R, &r))
                return -1;
        }
    }
    return 0;
}

static int cmp_row(const void *a, const void *b)
{
    const row *p = a, *q = b;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    return (p->dev > q->dev) - (p->dev < q->dev);
}

/* YYYY-MM-DD of a day since 1970: Howard Hinnant's civil_from_days. */
static void date_text(long z, char *buf)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    snprintf(buf, 11, "%04d-%02d-%02d", (int)(yoe + era * 400 + (m <= 2)), m, d);
}

static void time_text(const opts *o, int64_t t, char *buf, size_t n)
{
    long day = (long)(t / 86400);
    int s = (int)(t - (int64_t)day * 86400);
    char d[11];
    date_text(day, d);
    if (o->dmy)
        snprintf(buf, n, "%.2s/%.2s/%.4s %02d:%02d:%02d", d + 8, d + 5, d, s / 3600,
                 s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%sT%02d:%02d:%02dZ", d, s / 3600, s / 60 % 60, s % 60);
}

/* Move some good rows before the previous row of their device (out of
 * order in the file), each move apart from the others so that each makes
 * exactly one fix earlier than one already read. */
static void out_of_order(const opts *o, rows *R, uint64_t *st, size_t count[5])
{
    size_t last_move = 0;
    for (size_t k = 1; k < R->n; k++) {
        size_t j = k;
        if (!(unif(st) < o->ooo_rate) || R->r[k].kind)
            continue;
        while (j > last_move + 1 && k - j < 5000 && R->r[--j].dev != R->r[k].dev)
            ;
        if (j <= last_move || R->r[j].dev != R->r[k].dev || R->r[j].kind ||
            R->r[j].t >= R->r[k].t || (j > 0 && R->r[j - 1].dev == R->r[k].dev))
            continue;
        row tmp = R->r[k];
        memmove(R->r + j + 1, R->r + j, (k - j) * sizeof *R->r);
        R->r[j] = tmp;
        last_move = k;
        count[2]++;
    }
}

/* Sort, move some rows out of order, transform, write. */
static int write_day(const opts *o, rows *R, long day, rtm_transform *tr, uint64_t *st,
                     size_t count[5], FILE *shared)
{
    char path[4096], d[11], tt[40];
    FILE *f = shared;
    qsort(R->r, R->n, sizeof *R->r, cmp_row);
    out_of_order(o, R, st, count);
    if (tr) {
        unsigned char *ok = malloc(R->n + 1);
        double *x = malloc((R->n + 1) * sizeof *x), *y = malloc((R->n + 1) * sizeof *y);
        for (size_t k = 0; ok && x && y && k < R->n; k++)
            x[k] = R->r[k].x, y[k] = R->r[k].y;
        if (ok && x && y)
            rtm_transform_points(tr, x, y, R->n, ok);
        for (size_t k = 0; ok && x && y && k < R->n; k++)
            R->r[k].x = x[k], R->r[k].y = y[k];
        free(ok), free(x), free(y);
    }
    date_text(day, d);
    if (!f) {
        snprintf(path, sizeof path, "%s/pings_%s.csv", o->out, d);
        if (!(f = fopen(path, "w")))
            return -1;
        fprintf(f, "device,time,%s\n", o->wgs84 ? "lon,lat" : "x,y");
    }
    for (size_t k = 0; k < R->n; k++) {
        const row *r = &R->r[k];
        time_text(o, r->t, tt, sizeof tt);
        count[r->kind == 0 ? 0 : r->kind == 1 ? 1 : r->kind == 2 ? 3 : 4]++;
        fprintf(f, "dev%03d,%s,", r->dev, r->kind == 1 ? "" : tt);
        if (r->kind == 2)
            fputs(",\n", f);
        else
            fprintf(f, o->wgs84 ? "%.7f,%.7f\n" : "%.2f,%.2f\n", r->x, r->y);
    }
    R->n = 0;
    return f == shared ? 0 : fclose(f);
}

/* One device-day: its path, pings and truth. */
static int device_day(const opts *o, const rtm_place_set *s, const plan *P, int dev, long day,
                      leg *L, rows *R, double *sec)
{
    uint64_t st = o->seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)day << 20) ^ (uint64_t)dev;
    mix(&st);
    if (P) {
        double b0[4] = {s->bbox[0], s->bbox[1], s->bbox[2], s->bbox[3]}, t0, t1;
        for (int i = 1; i < s->n; i++)
            b0[0] = fmin(b0[0], s->bbox[4 * i]), b0[1] = fmin(b0[1], s->bbox[4 * i + 1]),
            b0[2] = fmax(b0[2], s->bbox[4 * i + 2]), b0[3] = fmax(b0[3], s->bbox[4 * i + 3]);
        if (!P->nt[dev])
            return 0;
        t0 = (double)day * 86400 + range(&st, 6 * 3600, 16 * 3600);
        int n = sched_path(s, b0, P->t + (size_t)dev * MAX_TASKS, P->nt[dev], t0, &st, L, &t1);
        if (sec)
            truth(s, L, n, t0, t1, sec);
        return pings(o, dev, L, n, t0, t1, &st, R);
    }
    int foot = unif(&st) < o->foot_share;
    double start = o->shift_hours >= 24 ? 0 : range(&st, 6 * 3600, 16 * 3600);
    double t0 = (double)day * 86400 + start, t1 = t0 + o->shift_hours * 3600;
    int n = path(o, s, foot, t0, t1, &st, L);
    if (sec)
        truth(s, L, n, t0, t1, sec);
    return pings(o, dev, L, n, t0, t1, &st, R);
}

static int write_truth(FILE *f, const rtm_place_set *s, long day, int ndev, const double *sec)
{
    char d[11];
    date_text(day, d);
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < ndev; k++)
            if (sec[(size_t)i * ndev + k] > 0)
                fprintf(f, "%s,%s,dev%03d,%.4f\n", s->label[i], d, k,
                        sec[(size_t)i * ndev + k] / 60);
    return 0;
}

/* --schedule: the tasks of one day, dealt to the devices in turn after a
 * shuffle (Fisher-Yates). Every row draws the same numbers whatever its
 * arm, so the stream does not depend on the outcome of earlier draws. */
static void plan_day(const opts *o, plan *P, long day)
{
    uint64_t st = o->seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)day << 20) ^ 0xfeed000ULL;
    int n = 0;
    mix(&st);
    memset(P->nt, 0, (size_t)o->devices * sizeof *P->nt);
    for (size_t k = 0; k < P->n; k++) {
        const sched_row *r = &P->r[k];
        if (r->day != day)
            continue;
        double u = unif(&st), len = range(&st, 15.5 * 60, 20 * 60);
        double e = -log(1 - unif(&st)) * 2 * o->control_minutes * 60; /* exponential */
        if (r->treat ? u < o->compliance : u < 0.5)
            P->all[n++] = (task){r->place, r->treat ? len : fmin(e, 14 * 60)};
    }
    for (int k = n - 1; k > 0; k--) {
        int j = (int)(unif(&st) * (k + 1));
        task tmp = P->all[k];
        P->all[k] = P->all[j], P->all[j] = tmp;
    }
    for (int k = 0; k < n; k++) {
        int d = (int)((k + day) % o->devices); /* a different first device each day */
        if (P->nt[d] < MAX_TASKS)
            P->t[(size_t)d * MAX_TASKS + P->nt[d]++] = P->all[k];
    }
}

static int simulate(const opts *o, const rtm_place_set *s, plan *P, rtm_transform *tr)
{
    leg *L = malloc(MAX_LEGS * sizeof *L);
    double *sec = o->truth ? malloc((size_t)s->n * o->devices * sizeof *sec) : NULL;
    double *one = o->truth ? malloc((size_t)s->n * sizeof *one) : NULL;
    rows R = {0};
    size_t count[5] = {0};
    uint64_t st = o->seed ^ 0x00ddULL;
    FILE *tf = o->truth ? fopen(o->truth, "w") : NULL, *shared = NULL;
    char path[4096];
    if (!L || (o->truth && (!sec || !one || !tf)))
        return -1;
    if (o->one_file) {
        snprintf(path, sizeof path, "%s/pings.csv", o->out);
        if (!(shared = fopen(path, "w")))
            return -1;
        fprintf(shared, "device,time,%s\n", o->wgs84 ? "lon,lat" : "x,y");
    }
    if (tf)
        fprintf(tf, "place,date,device,minutes\n");
    for (long d = o->day0; d < o->day0 + o->days; d++) {
        if (sec)
            memset(sec, 0, (size_t)s->n * o->devices * sizeof *sec);
        if (P)
            plan_day(o, P, d);
        for (int k = 0; k < o->devices; k++) {
            if (one)
                memset(one, 0, (size_t)s->n * sizeof *one);
            if (device_day(o, s, P, k, d, L, &R, one))
                return -1;
            for (int i = 0; one && i < s->n; i++)
                sec[(size_t)i * o->devices + k] = one[i];
        }
        if (tf)
            write_truth(tf, s, d, o->devices, sec);
        if (write_day(o, &R, d, tr, &st, count, shared))
            return -1;
    }
    fprintf(stderr, "sim_pings: rows=%zu good=%zu out_of_order=%zu no_time=%zu "
            "no_position=%zu duplicate=%zu\n", count[0] + count[1] + count[3] + count[4],
            count[0], count[2], count[1], count[3], count[4]);
    free(L), free(sec), free(one), free(R.r);
    if (shared)
        fclose(shared);
    return tf ? fclose(tf) : 0;
}

/* Read --schedule (date,place,arm[,...] with a header; place = a place's
 * label); the simulated days become the schedule's. */
static int load_schedule(opts *o, const rtm_place_set *s, plan *P)
{
    FILE *f = fopen(o->schedule, "r");
    char line[512], ds[32], pl[128], arm[32];
    size_t cap = 0, lineno = 0;
    long lo = 0, hi = 0;
    if (!f)
        return fprintf(stderr, "sim_pings: cannot open %s\n", o->schedule), -1;
    while (fgets(line, sizeof line, f) && lineno < 100000000) {
        int y, m, d, i;
        if (++lineno == 1)
            continue; /* the header */
        if (sscanf(line, "%31[^,],%127[^,],%31[^,\r\n]", ds, pl, arm) != 3 ||
            sscanf(ds, "%d-%d-%d", &y, &m, &d) != 3 ||
            (strcmp(arm, "treatment") && strcmp(arm, "control"))) {
            fprintf(stderr, "sim_pings: %s line %zu: expected date,place,arm\n", o->schedule,
                    lineno);
            return fclose(f), -1;
        }
        for (i = 0; i < s->n && strcmp(s->label[i], pl); i++)
            ;
        if (i == s->n) {
            fprintf(stderr, "sim_pings: %s line %zu: no place '%s'\n", o->schedule, lineno, pl);
            return fclose(f), -1;
        }
        if (P->n == cap) {
            sched_row *q = realloc(P->r, (cap = cap ? 2 * cap : 1024) * sizeof *q);
            if (!q)
                return fclose(f), -1;
            P->r = q;
        }
        P->r[P->n] = (sched_row){rtm_days_from_civil(y, m, d), i, !strcmp(arm, "treatment")};
        lo = P->n && lo < P->r[P->n].day ? lo : P->r[P->n].day;
        hi = P->n && hi > P->r[P->n].day ? hi : P->r[P->n].day;
        P->n++;
    }
    fclose(f);
    if (!P->n)
        return fprintf(stderr, "sim_pings: %s has no rows\n", o->schedule), -1;
    o->day0 = lo, o->days = (int)(hi - lo + 1);
    P->all = malloc((size_t)s->n * sizeof *P->all);
    P->t = malloc((size_t)o->devices * MAX_TASKS * sizeof *P->t);
    P->nt = calloc((size_t)o->devices, sizeof *P->nt);
    return P->all && P->t && P->nt ? 0 : -1;
}

static int parse_arg(opts *o, const char *k, const char *v)
{
    struct { const char *name; double *d; } dbl[] = {
        {"--size", &o->size}, {"--foot-share", &o->foot_share}, {"--refresh-min", &o->rmin},
        {"--refresh-max", &o->rmax}, {"--noise", &o->noise}, {"--shift-hours", &o->shift_hours},
        {"--gap-rate", &o->gap_rate}, {"--dup-rate", &o->dup_rate}, {"--ooo-rate", &o->ooo_rate},
        {"--bad-rate", &o->bad_rate}, {"--compliance", &o->compliance},
        {"--control-minutes", &o->control_minutes}};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++)
        if (!strcmp(k, dbl[i].name))
            return (*dbl[i].d = atof(v)), 0;
    if (!strcmp(k, "--places")) o->places = v;
    else if (!strcmp(k, "--write-places")) o->write_places = v;
    else if (!strcmp(k, "--out")) o->out = v;
    else if (!strcmp(k, "--truth")) o->truth = v;
    else if (!strcmp(k, "--shape")) o->shape = v;
    else if (!strcmp(k, "--schedule")) o->schedule = v;
    else if (!strcmp(k, "--make-places")) o->make_places = atoi(v);
    else if (!strcmp(k, "--devices")) o->devices = atoi(v);
    else if (!strcmp(k, "--days")) o->days = atoi(v);
    else if (!strcmp(k, "--seed")) o->seed = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--start")) {
        int y, m, d;
        if (sscanf(v, "%d-%d-%d", &y, &m, &d) != 3)
            return -1;
        o->day0 = rtm_days_from_civil(y, m, d);
    } else
        return -1;
    return 0;
}

static int parse(opts *o, int argc, char **argv)
{
    *o = (opts){.devices = 20, .days = 2, .seed = 1, .size = 150, .foot_share = 0.5,
                .rmin = 5, .rmax = 60, .noise = 5, .shift_hours = 8, .gap_rate = 0.002,
                .dup_rate = 0.002, .ooo_rate = 0.002, .bad_rate = 0.001,
                .compliance = 0.95, .control_minutes = 2};
    o->day0 = rtm_days_from_civil(2024, 3, 1);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--wgs84")) o->wgs84 = 1;
        else if (!strcmp(argv[i], "--dmy")) o->dmy = 1;
        else if (!strcmp(argv[i], "--one-file")) o->one_file = 1;
        else if (i + 1 >= argc || parse_arg(o, argv[i], argv[i + 1])) {
            fprintf(stderr, "sim_pings: bad argument '%s' (see the comment at the top of "
                    "tools/sim_pings.c)\n", argv[i]);
            return -1;
        } else
            i++;
    }
    if ((!o->places && o->make_places < 1) || !o->out || o->devices < 1 || o->days < 1 ||
        o->devices > 999 || !(o->shift_hours > 0 && o->shift_hours <= 24) || !(o->rmin >= 1) ||
        o->rmax < o->rmin) {
        fprintf(stderr, "sim_pings: need --places or --make-places, --out, and sensible "
                "counts (devices 1-999, shift-hours (0, 24], 1 <= refresh-min <= max)\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    rtm_place_set s;
    rtm_transform *tr = NULL;
    rtm_error e = {0};
    plan P = {0};
    int rc;
    if (parse(&o, argc, argv))
        return 2;
    rc = o.places ? rtm_place_set_load(o.places, NULL, NULL, &s, &e) : make_places(&o, &s);
    if (!rc && o.schedule)
        rc = load_schedule(&o, &s, &P);
    if (!rc && o.write_places)
        rc = write_places(&o, &s);
    if (!rc && o.wgs84 && !(tr = rtm_transform_create(s.crs, "EPSG:4326", &e)))
        rc = -1;
    if (!rc)
        rc = simulate(&o, &s, o.schedule ? &P : NULL, tr);
    if (rc)
        fprintf(stderr, "sim_pings: failed%s%s\n", e.msg[0] ? ": " : "", e.msg);
    rtm_transform_free(tr);
    free(P.r), free(P.all), free(P.t), free(P.nt);
    rtm_place_set_free(&s);
    return rc ? 1 : 0;
}
