/* test_dosage.c: patrol dosage (rtm/dosage.h) against independent
 * references - segment-polygon clipping against closed forms (Cyrus-Beck
 * for convex polygons, line-circle intersection, hand-worked holes and
 * concave shapes), the gap and merge rules on hand-made tracks, window
 * statistics, counts of bad pings by reason (file, row, field), order and
 * thread independence, and time zones against known UK clock changes. */
#include "rtm_test.h"

#include <stdint.h>
#include <sys/stat.h>

#include "rtm.h"

/* ---- clipping ---------------------------------------------------------- */

static int clip_ring(const double *ring, size_t n, const double *ab, double *t, int max)
{
    size_t off[2] = {0, n};
    return rtm_segment_polygon_clip(ring, off, 1, ab[0], ab[1], ab[2], ab[3], t, max);
}

static void test_clip_square(void)
{
    const double sq[] = {0, 0, 10, 0, 10, 10, 0, 10};
    double t[8];
    const double across[] = {-5, 5, 15, 5}, miss[] = {-5, 20, 15, 20};
    const double from_in[] = {5, 5, 25, 5}, diag[] = {-10, -10, 20, 20};
    const double in_pt[] = {3, 3, 3, 3}, out_pt[] = {30, 3, 30, 3};
    RTM_CHECK(clip_ring(sq, 4, across, t, 4) == 1);
    RTM_CHECK_NEAR(t[0], 0.25, 1e-15);
    RTM_CHECK_NEAR(t[1], 0.75, 1e-15);
    RTM_CHECK(clip_ring(sq, 4, miss, t, 4) == 0);
    RTM_CHECK(clip_ring(sq, 4, from_in, t, 4) == 1);
    RTM_CHECK_NEAR(t[0], 0, 0);
    RTM_CHECK_NEAR(t[1], 0.25, 1e-15);
    /* through two corners */
    RTM_CHECK(clip_ring(sq, 4, diag, t, 4) == 1);
    RTM_CHECK_NEAR(t[0], 1.0 / 3, 1e-15);
    RTM_CHECK_NEAR(t[1], 2.0 / 3, 1e-15);
    RTM_CHECK(clip_ring(sq, 4, in_pt, t, 4) == 1 && t[0] == 0 && t[1] == 1);
    RTM_CHECK(clip_ring(sq, 4, out_pt, t, 4) == 0);
}

/* Square with a square hole (even-odd over both rings) and a U shape. */
static void test_clip_hole_concave(void)
{
    const double xy[] = {0, 0, 10, 0, 10, 10, 0, 10, 4, 4, 6, 4, 6, 6, 4, 6};
    const size_t off[] = {0, 4, 8};
    const double u[] = {0, 0, 9, 0, 9, 9, 6, 9, 6, 3, 3, 3, 3, 9, 0, 9};
    double t[8];
    int m = rtm_segment_polygon_clip(xy, off, 2, -10, 5, 20, 5, t, 4);
    RTM_CHECK(m == 2);
    RTM_CHECK_NEAR(t[0], 10.0 / 30, 1e-15);
    RTM_CHECK_NEAR(t[1], 14.0 / 30, 1e-15);
    RTM_CHECK_NEAR(t[2], 16.0 / 30, 1e-15);
    RTM_CHECK_NEAR(t[3], 20.0 / 30, 1e-15);
    RTM_CHECK(rtm_polygon_contains(xy, off, 2, 5, 5) == 0);
    RTM_CHECK(rtm_polygon_contains(xy, off, 2, 2, 5) == 1);
    m = clip_ring(u, 8, (const double[]){-1, 6, 10, 6}, t, 4);
    RTM_CHECK(m == 2);
    RTM_CHECK_NEAR(t[0] * 11 - 1, 0, 1e-12);
    RTM_CHECK_NEAR(t[1] * 11 - 1, 3, 1e-12);
    RTM_CHECK_NEAR(t[2] * 11 - 1, 6, 1e-12);
    RTM_CHECK_NEAR(t[3] * 11 - 1, 9, 1e-12);
}

/* Cyrus & Beck (1978): a segment against a convex polygon (counter-
 * clockwise): entering and leaving parameters from every edge's normal. */
static int cyrus_beck(const double *p, int n, const double *ab, double *t0, double *t1)
{
    double lo = 0, hi = 1, dx = ab[2] - ab[0], dy = ab[3] - ab[1];
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        double nx = p[2 * j + 1] - p[2 * i + 1], ny = -(p[2 * j] - p[2 * i]); /* outward */
        double num = nx * (ab[0] - p[2 * i]) + ny * (ab[1] - p[2 * i + 1]);
        double den = nx * dx + ny * dy;
        if (den == 0) {
            if (num > 0)
                return 0;
            continue;
        }
        double t = -num / den;
        if (den < 0)
            lo = fmax(lo, t);
        else
            hi = fmin(hi, t);
    }
    *t0 = lo, *t1 = hi;
    return hi > lo;
}

static void test_clip_convex_random(void)
{
    int bad = 0;
    rtm_t_rng = 42;
    for (int k = 0; k < 2000; k++) {
        int n = 3 + (int)(rtm_t_urand() * 40);
        double p[2 * 43], ab[4], t[8], c0, c1, rot = rtm_t_urand() * 6.28, r = 50 + rtm_t_urand() * 100;
        for (int i = 0; i < n; i++)
            p[2 * i] = r * cos(rot + 2 * M_PI * i / n), p[2 * i + 1] = r * sin(rot + 2 * M_PI * i / n);
        for (int i = 0; i < 4; i++)
            ab[i] = (rtm_t_urand() - 0.5) * 400;
        int ref = cyrus_beck(p, n, ab, &c0, &c1);
        int m = clip_ring(p, (size_t)n, ab, t, 4);
        if (ref && c1 - c0 > 1e-9)
            bad += !(m == 1 && fabs(t[0] - c0) < 1e-9 && fabs(t[1] - c1) < 1e-9);
        else
            bad += m > 1 || (m == 1 && t[1] - t[0] > 1e-9);
    }
    RTM_CHECK(bad == 0);
}

/* A 3600-gon disc of radius 75 against the circle's closed form. The
 * polygon lies within delta = R (1 - cos(pi/N)) = 2.9e-5 m of the circle; a
 * line at distance h from the centre meets it within delta R / sqrt(R^2 -
 * h^2) of the circle's crossing along the line. */
static void test_clip_disc(void)
{
    enum { N = 3600 };
    static double p[2 * N];
    const double R = 75, delta = R * (1 - cos(M_PI / N));
    int bad = 0;
    for (int i = 0; i < N; i++)
        p[2 * i] = R * cos(2 * M_PI * i / N), p[2 * i + 1] = R * sin(2 * M_PI * i / N);
    rtm_t_rng = 7;
    for (int k = 0; k < 300; k++) {
        double ab[4] = {-200, (rtm_t_urand() - 0.5) * 120, 200, (rtm_t_urand() - 0.5) * 120};
        double dx = ab[2] - ab[0], dy = ab[3] - ab[1], t[8], len = hypot(dx, dy);
        double h = fabs(ab[0] * dy - ab[1] * dx) / len;
        double a = dx * dx + dy * dy, b = 2 * (ab[0] * dx + ab[1] * dy);
        double c = ab[0] * ab[0] + ab[1] * ab[1] - R * R, disc = b * b - 4 * a * c;
        double r0 = (-b - sqrt(disc)) / (2 * a), r1 = (-b + sqrt(disc)) / (2 * a);
        double tol = 1.01 * delta * R / sqrt(R * R - h * h) / len + 1e-12;
        int m = clip_ring(p, N, ab, t, 4);
        bad += !(m == 1 && fabs(t[0] - r0) <= tol && fabs(t[1] - r1) <= tol);
    }
    RTM_CHECK(bad == 0);
}

/* ---- tracks, gaps, merges ---------------------------------------------- */

/* One place: the square [0, 100] x [0, 100]. */
static void square_place(rtm_place_set *s, double x0, const char *label)
{
    double ring[] = {x0, 0, x0 + 100, 0, x0 + 100, 100, x0, 100, x0, 0};
    const double *rings[1] = {ring};
    size_t n = 5;
    rtm_error e;
    RTM_CHECK(rtm_place_set_add(s, label, rings, &n, 1, &e) == 0);
}

/* Pings of devices from arrays (device index, seconds, x, y), sorted as the
 * loader sorts them. */
static void make_pings(rtm_pings *p, int ndev, const int *dev, const double *t,
                       const double *x, const double *y, size_t n)
{
    memset(p, 0, sizeof *p);
    p->n = n, p->ndev = ndev;
    p->t_ms = malloc(n * sizeof *p->t_ms), p->x = malloc(n * sizeof *p->x);
    p->y = malloc(n * sizeof *p->y);
    p->dev_start = calloc((size_t)ndev + 1, sizeof *p->dev_start);
    p->dev_names = calloc((size_t)ndev, sizeof *p->dev_names);
    for (int d = 0; d < ndev; d++) {
        char name[8];
        snprintf(name, sizeof name, "d%d", d);
        p->dev_names[d] = strdup(name);
    }
    size_t k = 0;
    for (int d = 0; d < ndev; d++) {
        p->dev_start[d] = k;
        for (size_t i = 0; i < n; i++)
            if (dev[i] == d)
                p->t_ms[k] = (int64_t)llround(t[i] * 1000), p->x[k] = x[i], p->y[k] = y[i], k++;
    }
    p->dev_start[ndev] = k;
}

static rtm_dosage_track_opts topts(void)
{
    rtm_dosage_track_opts o = {.max_gap_ms = 120000, .from_ms = INT64_MIN / 2,
                               .to_ms = INT64_MAX / 2, .grid = NULL, .threads = 1};
    return o;
}

/* Walk at 1 m/s along y = 50 from x = -50: inside [0, 100] from 50 s to 150 s. */
static void test_track_walk(void)
{
    rtm_place_set s = {0};
    rtm_pings p;
    rtm_dosage_tracks tr;
    rtm_dosage_track_opts o = topts();
    rtm_error e;
    int dev[21] = {0};
    double t[21], x[21], y[21];
    for (int i = 0; i < 21; i++)
        t[i] = 10.0 * i, x[i] = -50 + 10.0 * i, y[i] = 50;
    square_place(&s, 0, "A");
    make_pings(&p, 1, dev, t, x, y, 21);
    RTM_CHECK(rtm_dosage_tracks_run(&p, &s, &o, &tr, &e) == 0);
    RTM_CHECK(tr.niv == 1);
    RTM_CHECK(tr.niv == 1 && tr.iv[0].start == 50000 && tr.iv[0].end == 150000);
    RTM_CHECK(tr.segments == 20 && tr.breaks == 0 && tr.tracked_ms == 200000);
    rtm_dosage_tracks_free(&tr);
    /* a 130 s gap from 40 s to 170 s (over max_gap): the entry and exit are lost */
    {
        double t2[] = {0, 40, 170, 200}, x2[] = {-50, -10, 120, 150}, y2[] = {50, 50, 50, 50};
        int d2[4] = {0};
        rtm_pings q;
        make_pings(&q, 1, d2, t2, x2, y2, 4);
        RTM_CHECK(rtm_dosage_tracks_run(&q, &s, &o, &tr, &e) == 0);
        RTM_CHECK(tr.niv == 0 && tr.breaks == 1 && tr.segments == 2);
        rtm_dosage_tracks_free(&tr);
        o.max_gap_ms = 130000; /* now joined: in from 50 to 150 exactly */
        RTM_CHECK(rtm_dosage_tracks_run(&q, &s, &o, &tr, &e) == 0);
        RTM_CHECK(tr.niv == 1 && tr.iv[0].start == 50000 && tr.iv[0].end == 150000);
        rtm_dosage_tracks_free(&tr);
        rtm_pings_free(&q);
    }
    rtm_pings_free(&p);
    rtm_place_set_free(&s);
}

/* Intervals straight into the window statistics. */
static void set_tracks(rtm_dosage_tracks *t, const rtm_dosage_interval *iv, size_t n)
{
    memset(t, 0, sizeof *t);
    t->iv = malloc(n * sizeof *t->iv);
    memcpy(t->iv, iv, n * sizeof *iv);
    t->niv = n;
}

#define MIN_ 60000LL

/* Place 0: device 0 in 0-5 min, out 30 s, in 5.5-17 min (one visit with a
 * 60 s merge gap, 17 min: over 16); device 1 in 10-12 min (inside the same
 * visit: presence unchanged); then device 1 in 40-41 min (drive-by, gap 23
 * min) and 50-58 (2-10 bin, gap 9 min). Place 1: nothing. */
static void test_windows_merge(void)
{
    const rtm_dosage_interval iv[] = {
        {0, 0, 0, 5 * MIN_}, {0, 0, 5 * MIN_ + 30000, 17 * MIN_}, {0, 1, 10 * MIN_, 12 * MIN_},
        {0, 1, 40 * MIN_, 41 * MIN_}, {0, 1, 50 * MIN_, 58 * MIN_}};
    rtm_dosage_tracks t;
    rtm_dosage_cell c[2];
    rtm_error e;
    int64_t ws = 0, we = 24 * 60 * MIN_;
    set_tracks(&t, iv, 5);
    RTM_CHECK(rtm_dosage_windows(&t, 2, &ws, &we, 1, 60000, c, &e) == 0);
    RTM_CHECK(c[0].ms == 5 * MIN_ + 11 * MIN_ + 30000 + 2 * MIN_ + MIN_ + 8 * MIN_);
    RTM_CHECK(c[0].presence_ms == 5 * MIN_ + 11 * MIN_ + 30000 + MIN_ + 8 * MIN_);
    RTM_CHECK(c[0].visits == 3);
    RTM_CHECK(c[0].koper[0] == 1 && c[0].koper[1] == 1 && c[0].koper[2] == 0 &&
              c[0].koper[3] == 1);
    RTM_CHECK(c[0].devices == 2);
    RTM_CHECK(c[0].longest_gap_ms == 23 * MIN_);
    RTM_CHECK(c[0].first_ms == 0 && c[0].last_ms == 58 * MIN_);
    RTM_CHECK(c[1].visits == 0 && c[1].ms == 0 && c[1].first_ms == -1 &&
              c[1].longest_gap_ms == -1);
    /* merge gap 20 s: the 30 s exit splits the first visit (5 min and 11.5 min) */
    RTM_CHECK(rtm_dosage_windows(&t, 2, &ws, &we, 1, 20000, c, &e) == 0);
    RTM_CHECK(c[0].visits == 4 && c[0].koper[1] == 2 && c[0].koper[2] == 1 &&
              c[0].koper[3] == 0);
    /* two windows cutting the visit at 10 min: each side counted in its own */
    {
        int64_t w0[2] = {0, 10 * MIN_}, w1[2] = {10 * MIN_, 60 * MIN_};
        rtm_dosage_cell c2[4];
        RTM_CHECK(rtm_dosage_windows(&t, 2, w0, w1, 2, 60000, c2, &e) == 0);
        RTM_CHECK(c2[0].ms == 9 * MIN_ + 30000 && c2[0].visits == 1 && c2[0].devices == 1);
        RTM_CHECK(c2[1].ms == 7 * MIN_ + 2 * MIN_ + 9 * MIN_ && c2[1].visits == 3 &&
                  c2[1].devices == 2);
        RTM_CHECK(c2[0].ms + c2[1].ms == c[0].ms);
    }
    /* per device: device 0 one visit of 16.5 min, device 1 three visits */
    {
        rtm_dosage_devrow *r;
        size_t n;
        RTM_CHECK(rtm_dosage_device_rows(&t, &ws, &we, 1, 60000, &r, &n, &e) == 0);
        RTM_CHECK(n == 2 && r[0].dev == 0 && r[0].visits == 1 &&
                  r[0].ms == 16 * MIN_ + 30000 && r[1].dev == 1 && r[1].visits == 3 &&
                  r[1].ms == 11 * MIN_);
        free(r);
    }
    rtm_dosage_tracks_free(&t);
}

/* ---- loading: counts by reason, order independence -------------------- */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static const char *at(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static const char PINGS_A[] =
    "unit,when,x,y\n"
    "a,2024-03-01T10:00:00Z,50,50\n"            /* line 2 */
    "a,2024-03-01T10:01:00Z,60,50\n"
    ",2024-03-01T10:02:00Z,60,50\n"             /* line 4: no device */
    "a,,60,50\n"                                /* line 5: no time */
    "a,yesterday,60,50\n"                       /* line 6: no time */
    "a,2024-03-01T10:03:00Z,,50\n"              /* line 7: no position */
    "a,2024-03-01T10:01:00Z,60,50\n"            /* line 8: duplicate (and not out of order) */
    "a,2024-03-01T10:00:30Z,55,50\n"            /* line 9: out of order */
    "b,01/03/2024 11:00:00,900000,50\n"         /* line 10: out of the bbox */
    "b,01/03/2024 11:00:30,20,20\n"             /* naive: in the tz */
    "b,2024-03-01T12:00:31+01:00,30,20\n";

static void load(const char *const *files, int n, int threads, rtm_pings *p, rtm_ping_stats *st,
                 int expect)
{
    rtm_pings_opts o;
    rtm_error e = {0};
    rtm_tz *z = rtm_tz_create("+01:00", &e);
    rtm_pings_opts_init(&o);
    o.id_field = "unit", o.time_field = "when", o.x_field = "x", o.y_field = "y";
    o.src_crs = o.dst_crs = "EPSG:27700";
    o.has_bbox = 1;
    o.bbox[0] = -1000, o.bbox[1] = -1000, o.bbox[2] = 1000, o.bbox[3] = 1000;
    o.tz = z, o.threads = threads;
    int rc = rtm_pings_load(&o, files, n, p, st, &e);
    if (rc != expect)
        fprintf(stderr, "load: %s\n", e.msg);
    RTM_CHECK(rc == expect);
    rtm_tz_free(z);
}

static void test_load_reasons(void)
{
    rtm_pings p;
    rtm_ping_stats st;
    const char *files[1];
    write_file("a.csv", PINGS_A);
    files[0] = at("a.csv");
    load(files, 1, 1, &p, &st, 0);
    RTM_CHECK(st.read == 11 && st.used == 5);
    RTM_CHECK(st.n[RTM_PING_NO_DEVICE] == 1 && strstr(st.example[RTM_PING_NO_DEVICE],
                                                      "a.csv line 4 field unit"));
    RTM_CHECK(st.n[RTM_PING_NO_TIME] == 2 && strstr(st.example[RTM_PING_NO_TIME],
                                                    "a.csv line 5 field when"));
    RTM_CHECK(st.n[RTM_PING_NO_POSITION] == 1 && strstr(st.example[RTM_PING_NO_POSITION],
                                                        "a.csv line 7"));
    RTM_CHECK(st.n[RTM_PING_OUT_OF_AREA] == 1 && strstr(st.example[RTM_PING_OUT_OF_AREA],
                                                        "a.csv line 10"));
    RTM_CHECK(st.n[RTM_PING_DUPLICATE] == 1 && strstr(st.example[RTM_PING_DUPLICATE],
                                                      "a.csv line 8"));
    RTM_CHECK(st.n[RTM_PING_OUT_OF_ORDER] == 1 && strstr(st.example[RTM_PING_OUT_OF_ORDER],
                                                         "a.csv line 9"));
    RTM_CHECK(st.naive_times == 1);
    /* device a: 10:00:00, 10:00:30, 10:01:00 UTC; device b: 11:00:30 at +01:00 =
     * 10:00:30 UTC, and 12:00:31+01:00 = 11:00:31 UTC */
    RTM_CHECK(p.ndev == 2 && !strcmp(p.dev_names[0], "a") && !strcmp(p.dev_names[1], "b"));
    int64_t base = (int64_t)rtm_days_from_civil(2024, 3, 1) * 86400000 + 10 * 3600000LL;
    RTM_CHECK(p.dev_start[1] == 3 && p.t_ms[0] == base && p.t_ms[1] == base + 30000 &&
              p.t_ms[2] == base + 60000 && p.x[1] == 55);
    RTM_CHECK(p.t_ms[3] == base + 30000 && p.t_ms[4] == base + 3600000 + 31000);
    rtm_pings_free(&p);
}

/* Same pings in another order, split over two files, read with 1 and 2
 * threads: identical arrays; tracks and raster identical too. */
static void test_order_independence(void)
{
    char a[4096] = "unit,when,x,y\n", b1[4096] = "unit,when,x,y\n", b2[4096] = "unit,when,x,y\n";
    rtm_pings p, q;
    rtm_ping_stats st;
    rtm_t_rng = 99;
    for (int i = 0; i < 60; i++) {
        char line[96];
        snprintf(line, sizeof line, "d%d,2024-03-01T10:%02d:%02dZ,%.1f,%.1f\n", i % 3,
                 i / 3, (i * 7) % 60, -100 + 5.0 * i + rtm_t_urand(), 50 + rtm_t_urand());
        strcat(a, line);
        strcat((59 - i) % 2 ? b1 : b2, line);
    }
    write_file("o1.csv", a), write_file("o2.csv", b2), write_file("o3.csv", b1);
    const char *one[] = {at("o1.csv")}, *two[] = {at("o2.csv"), at("o3.csv")};
    load(one, 1, 1, &p, &st, 0);
    load(two, 2, 2, &q, &st, 0);
    RTM_CHECK(p.n == q.n && p.n == 60 && p.ndev == q.ndev);
    RTM_CHECK(!memcmp(p.t_ms, q.t_ms, p.n * 8) && !memcmp(p.x, q.x, p.n * 8) &&
              !memcmp(p.y, q.y, p.n * 8));
    {
        rtm_place_set s = {0};
        rtm_grid g;
        rtm_error e;
        rtm_dosage_tracks t1, t2;
        rtm_dosage_track_opts o = topts();
        square_place(&s, 0, "A"), square_place(&s, 100, "B");
        rtm_grid_from_extent_tap(&g, -200, -100, 300, 200, 7, "EPSG:27700", &e);
        o.grid = &g, o.threads = 1;
        RTM_CHECK(rtm_dosage_tracks_run(&p, &s, &o, &t1, &e) == 0);
        o.threads = 2;
        RTM_CHECK(rtm_dosage_tracks_run(&q, &s, &o, &t2, &e) == 0);
        RTM_CHECK(t1.niv == t2.niv && !memcmp(t1.iv, t2.iv, t1.niv * sizeof *t1.iv));
        RTM_CHECK(!memcmp(t1.cell_ms, t2.cell_ms, rtm_grid_ncells(&g) * 8));
        /* the raster holds every tracked millisecond exactly */
        int64_t sum = 0;
        for (size_t k = 0; k < rtm_grid_ncells(&g); k++)
            sum += t1.cell_ms[k];
        RTM_CHECK(sum == t1.tracked_ms && t1.outside_grid_ms == 0);
        rtm_dosage_tracks_free(&t1), rtm_dosage_tracks_free(&t2);
        rtm_place_set_free(&s);
    }
    rtm_pings_free(&p), rtm_pings_free(&q);
}

/* ---- time zones ---------------------------------------------------------- */

/* UK clocks: BST from 2024-03-31 01:00 UTC to 2024-10-27 01:00 UTC. */
static void test_tz(void)
{
    rtm_error e;
    rtm_tz *z = rtm_tz_create("Europe/London", &e), *f = rtm_tz_create("-05:30", &e);
    int64_t d0 = (int64_t)rtm_days_from_civil(2024, 3, 31) * 86400;
    int64_t d1 = (int64_t)rtm_days_from_civil(2024, 10, 27) * 86400;
    RTM_CHECK(z && f);
    RTM_CHECK(rtm_tz_create("Mars/Olympus", &e) == NULL && e.code == RTM_ERR_ARG);
    RTM_CHECK(rtm_tz_prepare(z, d0 - 86400 * 30, d1 + 86400 * 30, &e) == 0);
    RTM_CHECK(rtm_tz_offset(z, d0 + 3599) == 0 && rtm_tz_offset(z, d0 + 3600) == 3600);
    RTM_CHECK(rtm_tz_offset(z, d1 + 3599) == 3600 && rtm_tz_offset(z, d1 + 3600) == 0);
    RTM_CHECK(rtm_tz_to_utc(z, d0 + 12 * 3600) == d0 + 11 * 3600);  /* noon BST */
    RTM_CHECK(rtm_tz_to_utc(z, d0) == d0);                          /* midnight GMT */
    RTM_CHECK(rtm_tz_to_utc(z, d1 + 86400) == d1 + 86400);          /* after the change */
    RTM_CHECK(rtm_tz_to_utc(f, 0) == 5 * 3600 + 1800 && rtm_tz_offset(f, 0) == -19800);
    rtm_tz_free(z), rtm_tz_free(f);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rtm_test_dosage_XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RTM_RUN(test_clip_square);
    RTM_RUN(test_clip_hole_concave);
    RTM_RUN(test_clip_convex_random);
    RTM_RUN(test_clip_disc);
    RTM_RUN(test_track_walk);
    RTM_RUN(test_windows_merge);
    RTM_RUN(test_load_reasons);
    RTM_RUN(test_order_independence);
    RTM_RUN(test_tz);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        return 1;
    return RTM_TEST_END();
}
