/* dosage_tracks.c: tracks from sorted pings - consecutive fixes at most
 * max_gap apart joined by straight segments (linear interpolation of
 * position in time), each clipped exactly to the places near it (a bucket
 * grid over the places' boxes) and walked across the raster's cells. Times
 * are integer milliseconds: each piece is the difference of rounded
 * cumulative times, so pieces add up exactly to their segment and sums do
 * not depend on their order (see rtm/dosage.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"

#define MAX_BUCKETS 1024    /* per side of the places' bucket grid */
#define MAX_PIECES 64       /* inside intervals of one segment in one place */

/* Places by bucket (compressed rows). */
typedef struct index {
    double x0, y0, cell;
    int nx, ny;
    size_t *start;   /* nx * ny + 1 */
    int *place;
} index_t;

typedef struct worker {
    const rtm_pings *p;
    const rtm_place_set *s;
    const rtm_dosage_track_opts *o;
    const index_t *ix;
    long *stamp;           /* per place: segment stamp (candidate seen) */
    long *last;            /* per place: index of the device's last interval, -1 */
    long stampv;
    rtm_dosage_interval *iv;
    size_t niv, cap;
    size_t segments, breaks;
    int64_t tracked, outside;
    int64_t *o_cells;      /* the raster (shared, atomic adds) */
} worker;

static int cell_range(const index_t *ix, double lo, double hi, int ylike, int *a, int *b)
{
    double o = ylike ? ix->y0 : ix->x0;
    int n = ylike ? ix->ny : ix->nx;
    double fa = floor((lo - o) / ix->cell), fb = floor((hi - o) / ix->cell);
    if (fb < 0 || fa >= n)
        return 0;
    *a = fa < 0 ? 0 : (int)fa;
    *b = fb >= n ? n - 1 : (int)fb;
    return 1;
}

static int index_build(const rtm_place_set *s, index_t *ix)
{
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, span = 0;
    size_t *cnt;
    memset(ix, 0, sizeof *ix);
    for (int i = 0; i < s->n; i++) {
        const double *b = s->bbox + 4 * i;
        bb[0] = fmin(bb[0], b[0]), bb[1] = fmin(bb[1], b[1]);
        bb[2] = fmax(bb[2], b[2]), bb[3] = fmax(bb[3], b[3]);
        span = fmax(span, fmax(b[2] - b[0], b[3] - b[1]));
    }
    ix->x0 = bb[0], ix->y0 = bb[1];
    ix->cell = fmax(fmax(span, 1e-9), fmax(bb[2] - bb[0], bb[3] - bb[1]) / MAX_BUCKETS * 1.001);
    ix->nx = (int)((bb[2] - bb[0]) / ix->cell) + 1;
    ix->ny = (int)((bb[3] - bb[1]) / ix->cell) + 1;
    ix->start = calloc((size_t)ix->nx * ix->ny + 1, sizeof *ix->start);
    if (!ix->start || !(cnt = calloc((size_t)ix->nx * ix->ny + 1, sizeof *cnt)))
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < s->n; i++) {
            int xa, xb, ya, yb;
            const double *b = s->bbox + 4 * i;
            if (!cell_range(ix, b[0], b[2], 0, &xa, &xb) || !cell_range(ix, b[1], b[3], 1, &ya, &yb))
                continue;
            for (int y = ya; y <= yb; y++)
                for (int x = xa; x <= xb; x++) {
                    size_t k = (size_t)y * ix->nx + x;
                    if (pass == 0)
                        ix->start[k + 1]++;
                    else
                        ix->place[ix->start[k] + cnt[k]++] = i;
                }
        }
        if (pass == 0) {
            for (size_t k = 0; k < (size_t)ix->nx * ix->ny; k++)
                ix->start[k + 1] += ix->start[k];
            if (!(ix->place = malloc((ix->start[(size_t)ix->nx * ix->ny] + 1) * sizeof *ix->place))) {
                free(cnt);
                return -1;
            }
        }
    }
    free(cnt);
    return 0;
}

static void index_free(index_t *ix)
{
    free(ix->start), free(ix->place);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Milliseconds at parameter u of a segment from ta lasting dt, rounded,
 * inside the window. */
static int64_t at(int64_t ta, int64_t dt, double u, const rtm_dosage_track_opts *o)
{
    return clamp(ta + llround(u * (double)dt), o->from_ms, o->to_ms);
}

static int add_interval(worker *w, int place, int dev, int64_t s, int64_t e)
{
    long k = w->last[place];
    if (e <= s)
        return 0;
    if (k >= 0 && w->iv[k].end >= s) {
        if (e > w->iv[k].end)
            w->iv[k].end = e;
        return 0;
    }
    if (w->niv == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        rtm_dosage_interval *p = realloc(w->iv, cap * sizeof *p);
        if (!p)
            return -1;
        w->iv = p, w->cap = cap;
    }
    w->iv[w->niv] = (rtm_dosage_interval){place, dev, s, e};
    w->last[place] = (long)w->niv++;
    return 0;
}

/* Segment A->B from ta lasting dt against one place. */
static int clip_place(worker *w, int i, int dev, const double *ab, int64_t ta, int64_t dt)
{
    const rtm_place_set *s = w->s;
    double t[2 * MAX_PIECES];
    size_t r0 = s->ring_start[i];
    int m = rtm_segment_polygon_clip(s->xy, s->ring_off + r0, s->ring_start[i + 1] - r0, ab[0],
                                     ab[1], ab[2], ab[3], t, MAX_PIECES);
    if (m < 0)
        return -1;
    for (int k = 0; k < m && k < MAX_PIECES; k++)
        if (add_interval(w, i, dev, at(ta, dt, t[2 * k], w->o), at(ta, dt, t[2 * k + 1], w->o)))
            return -1;
    return 0;
}

static int clip_places(worker *w, int dev, const double *ab, int64_t ta, int64_t dt)
{
    const index_t *ix = w->ix;
    double lo[2] = {fmin(ab[0], ab[2]), fmin(ab[1], ab[3])};
    double hi[2] = {fmax(ab[0], ab[2]), fmax(ab[1], ab[3])};
    int xa, xb, ya, yb;
    if (!w->s->n || !cell_range(ix, lo[0], hi[0], 0, &xa, &xb) ||
        !cell_range(ix, lo[1], hi[1], 1, &ya, &yb))
        return 0;
    w->stampv++;
    for (int y = ya; y <= yb; y++)
        for (int x = xa; x <= xb; x++) {
            size_t k = (size_t)y * ix->nx + x;
            for (size_t q = ix->start[k]; q < ix->start[k + 1]; q++) {
                int i = ix->place[q];
                const double *b = w->s->bbox + 4 * i;
                if (w->stamp[i] == w->stampv || hi[0] < b[0] || lo[0] > b[2] || hi[1] < b[1] ||
                    lo[1] > b[3])
                    continue;
                w->stamp[i] = w->stampv;
                if (clip_place(w, i, dev, ab, ta, dt))
                    return -1;
            }
        }
    return 0;
}

/* Next grid line crossed after parameter u along one axis: lines at
 * o + k * res; returns 2 when none before the end. */
static double next_line(double a, double d, double o, double res, double u)
{
    double pos, k;
    if (d == 0)
        return 2;
    pos = a + u * d;
    k = d > 0 ? floor((pos - o) / res) + 1 : ceil((pos - o) / res) - 1;
    double v = (o + k * res - a) / d;
    if (!(v > u)) /* rounding: step one more line */
        v = (o + (k + (d > 0 ? 1 : -1)) * res - a) / d;
    return v;
}

/* Time of the segment into the cells it crosses (pieces between grid-line
 * crossings, each cell found at the piece's midpoint). */
static void walk_cells(worker *w, const double *ab, int64_t ta, int64_t dt)
{
    const rtm_grid *g = w->o->grid;
    double dx = ab[2] - ab[0], dy = ab[3] - ab[1], u = 0;
    int64_t t0 = at(ta, dt, 0, w->o);
    for (int guard = 0; u < 1 && guard < 1000000; guard++) {
        double nx = next_line(ab[0], dx, g->x0, g->res, u);
        double ny = next_line(ab[1], dy, g->y0, g->res, u);
        double v = fmin(1, fmin(nx, ny)), mid = 0.5 * (u + v);
        int64_t t1 = at(ta, dt, v, w->o);
        int i, j;
        if (t1 > t0) {
            if (rtm_grid_locate(g, ab[0] + mid * dx, ab[1] + mid * dy, &i, &j) == 0) {
                int64_t *c = &w->o_cells[(size_t)i * g->ncols + j];
#pragma omp atomic
                *c += t1 - t0;
            } else
                w->outside += t1 - t0;
        }
        t0 = t1;
        u = v;
    }
}

/* One device's track: segments between fixes at most max_gap apart. */
static int device_track(worker *w, int d)
{
    const rtm_pings *p = w->p;
    const rtm_dosage_track_opts *o = w->o;
    for (int i = 0; i < w->s->n; i++)
        w->last[i] = -1;
    for (size_t k = p->dev_start[d]; k + 1 < p->dev_start[d + 1]; k++) {
        int64_t ta = p->t_ms[k], dt = p->t_ms[k + 1] - ta;
        double ab[4] = {p->x[k], p->y[k], p->x[k + 1], p->y[k + 1]};
        if (dt > o->max_gap_ms) {
            w->breaks++;
            continue;
        }
        if (ta + dt <= o->from_ms || ta >= o->to_ms)
            continue;
        w->segments++;
        w->tracked += at(ta, dt, 1, o) - at(ta, dt, 0, o);
        if (o->grid)
            walk_cells(w, ab, ta, dt);
        if (clip_places(w, d, ab, ta, dt))
            return -1;
    }
    return 0;
}

static int cmp_iv(const void *a, const void *b)
{
    const rtm_dosage_interval *p = a, *q = b;
    if (p->place != q->place)
        return p->place < q->place ? -1 : 1;
    if (p->start != q->start)
        return p->start < q->start ? -1 : 1;
    if (p->end != q->end)
        return p->end < q->end ? -1 : 1;
    return (p->dev > q->dev) - (p->dev < q->dev);
}

void rtm_dosage_tracks_free(rtm_dosage_tracks *t)
{
    if (t) {
        free(t->iv), free(t->cell_ms);
        memset(t, 0, sizeof *t);
    }
}

/* Each thread's intervals appended to out (the final sort makes the order
 * of threads irrelevant). */
static int collect(worker *w, int nt, rtm_dosage_tracks *out)
{
    size_t n = 0, k = 0;
    for (int i = 0; i < nt; i++) {
        n += w[i].niv;
        out->segments += w[i].segments, out->breaks += w[i].breaks;
        out->tracked_ms += w[i].tracked, out->outside_grid_ms += w[i].outside;
    }
    if (!(out->iv = malloc((n ? n : 1) * sizeof *out->iv)))
        return -1;
    for (int i = 0; i < nt; i++) {
        if (w[i].niv)
            memcpy(out->iv + k, w[i].iv, w[i].niv * sizeof *out->iv);
        k += w[i].niv;
    }
    out->niv = n;
    qsort(out->iv, n, sizeof *out->iv, cmp_iv);
    return 0;
}

static int run_workers(worker *w, int nt, const rtm_pings *p)
{
    int bad = 0;
#pragma omp parallel num_threads(nt) reduction(| : bad)
    {
        worker *me = &w[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
        for (int d = 0; d < p->ndev; d++)
            if (!bad && device_track(me, d))
                bad = 1;
    }
    return bad;
}

int rtm_dosage_tracks_run(const rtm_pings *p, const rtm_place_set *s,
                          const rtm_dosage_track_opts *o, rtm_dosage_tracks *out,
                          rtm_error *err)
{
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads(), rc = 0;
    index_t ix = {0};
    worker *w = calloc((size_t)nt, sizeof *w);
    memset(out, 0, sizeof *out);
    if (!w || index_build(s, &ix))
        rc = -1;
    if (!rc && o->grid && !(out->cell_ms = calloc(rtm_grid_ncells(o->grid), sizeof *out->cell_ms)))
        rc = -1;
    for (int i = 0; !rc && i < nt; i++) {
        w[i] = (worker){.p = p, .s = s, .o = o, .ix = &ix, .o_cells = out->cell_ms};
        w[i].stamp = calloc((size_t)s->n + 1, sizeof *w[i].stamp);
        w[i].last = malloc(((size_t)s->n + 1) * sizeof *w[i].last);
        if (!w[i].stamp || !w[i].last)
            rc = -1;
    }
    if (!rc)
        rc = run_workers(w, nt, p) || collect(w, nt, out);
    for (int i = 0; w && i < nt; i++)
        free(w[i].stamp), free(w[i].last), free(w[i].iv);
    free(w);
    index_free(&ix);
    if (rc) {
        rtm_dosage_tracks_free(out);
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    return 0;
}
