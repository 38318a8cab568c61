/* segments.c: street-segment patrol places (rtm/places.h) - road lines cut
 * into straight pieces of at most a given length, the measure summed inside
 * a buffer of radius r around each piece (points at most r from the
 * segment, exact point-to-segment distance), and the greedy choice of
 * buffers that do not overlap (two buffers of radius r are apart by the
 * distance between their segments minus 2r). Buffer area: the
 * Minkowski sum of a segment of length L and a disc of radius r is a
 * rectangle L x 2r with two half discs, L 2r + pi r^2. */
#include "rtm/places.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int rtm_roads_cut(const double *xy, const size_t *off, int nlines, double max_len,
                  rtm_road_segment **out, size_t *nout, rtm_error *err)
{
    size_t n = 0, cap = 0;
    rtm_road_segment *s = NULL;
    *out = NULL, *nout = 0;
    if (!(max_len > 0) || !isfinite(max_len))
        return rtm_error_set(err, RTM_ERR_ARG, "places: segment length must be > 0");
    for (int l = 0; l < nlines; l++)
        for (size_t v = off[l]; v + 1 < off[l + 1]; v++) {
            double ax = xy[2 * v], ay = xy[2 * v + 1], bx = xy[2 * v + 2], by = xy[2 * v + 3];
            double len = hypot(bx - ax, by - ay);
            double m = ceil(len / max_len);
            if (!(len > 0) || !(m < 1e7))
                continue; /* zero-length (repeated vertex) or absurd */
            for (int k = 0; k < (int)m; k++) {
                if (n == cap) {
                    size_t nc = cap ? 2 * cap : 256;
                    rtm_road_segment *t = realloc(s, nc * sizeof *t);
                    if (!t) {
                        free(s);
                        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
                    }
                    s = t, cap = nc;
                }
                double t0 = k / m, t1 = (k + 1) / m;
                s[n].ax = ax + t0 * (bx - ax), s[n].ay = ay + t0 * (by - ay);
                s[n].bx = k + 1 == (int)m ? bx : ax + t1 * (bx - ax);
                s[n].by = k + 1 == (int)m ? by : ay + t1 * (by - ay);
                s[n++].line = l;
            }
        }
    *out = s, *nout = n;
    return 0;
}

double rtm_point_segment_dist(double px, double py, const rtm_road_segment *s)
{
    double dx = s->bx - s->ax, dy = s->by - s->ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((px - s->ax) * dx + (py - s->ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(px - (s->ax + t * dx), py - (s->ay + t * dy));
}

/* Orientation of (a, b, c): > 0 counter-clockwise. */
static double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

double rtm_segment_segment_dist(const rtm_road_segment *a, const rtm_road_segment *b)
{
    double d1 = orient(a->ax, a->ay, a->bx, a->by, b->ax, b->ay);
    double d2 = orient(a->ax, a->ay, a->bx, a->by, b->bx, b->by);
    double d3 = orient(b->ax, b->ay, b->bx, b->by, a->ax, a->ay);
    double d4 = orient(b->ax, b->ay, b->bx, b->by, a->bx, a->by);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return 0; /* proper crossing */
    double m = fmin(rtm_point_segment_dist(b->ax, b->ay, a), rtm_point_segment_dist(b->bx, b->by, a));
    return fmin(m, fmin(rtm_point_segment_dist(a->ax, a->ay, b),
                        rtm_point_segment_dist(a->bx, a->by, b)));
}

double rtm_segment_buffer_area(const rtm_road_segment *s, double r)
{
    return hypot(s->bx - s->ax, s->by - s->ay) * 2 * r + M_PI * r * r;
}

/* Points bucketed on a square grid of cell r (at least 1/1024 of the extent,
 * so at most about a million buckets)
 * so each segment visits only the buckets its buffer's box touches. */
typedef struct bucket_grid {
    double x0, y0, cell;
    int nx, ny;
    size_t *start, *idx;
} bucket_grid;

static int buckets(bucket_grid *b, const double *x, const double *y, size_t n, double r)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++)
        x0 = fmin(x0, x[i]), x1 = fmax(x1, x[i]), y0 = fmin(y0, y[i]), y1 = fmax(y1, y[i]);
    double ext = n ? fmax(x1 - x0, y1 - y0) : 0;
    b->cell = fmax(r, ext / 1024);
    if (!(b->cell > 0))
        b->cell = 1;
    b->x0 = n ? x0 : 0, b->y0 = n ? y0 : 0;
    b->nx = (int)((n ? x1 - x0 : 0) / b->cell) + 1, b->ny = (int)((n ? y1 - y0 : 0) / b->cell) + 1;
    size_t nb = (size_t)b->nx * b->ny;
    b->start = calloc(nb + 1, sizeof *b->start);
    b->idx = malloc((n ? n : 1) * sizeof *b->idx);
    size_t *fill = calloc(nb, sizeof *fill);
    if (!b->start || !b->idx || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        b->start[(size_t)((y[i] - b->y0) / b->cell) * b->nx + (size_t)((x[i] - b->x0) / b->cell) + 1]++;
    for (size_t k = 0; k < nb; k++)
        b->start[k + 1] += b->start[k];
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)((y[i] - b->y0) / b->cell) * b->nx + (size_t)((x[i] - b->x0) / b->cell);
        b->idx[b->start[k] + fill[k]++] = i; /* in point order within a bucket */
    }
    free(fill);
    return 0;
}

/* Sum of w (1 when NULL) over points within r of segment s, in bucket
 * and point order (fixed for given inputs). */
static double seg_sum(const bucket_grid *b, const rtm_road_segment *s, const double *x,
                      const double *y, const double *w, double r)
{
    int i0 = (int)floor((fmin(s->ax, s->bx) - r - b->x0) / b->cell);
    int i1 = (int)floor((fmax(s->ax, s->bx) + r - b->x0) / b->cell);
    int j0 = (int)floor((fmin(s->ay, s->by) - r - b->y0) / b->cell);
    int j1 = (int)floor((fmax(s->ay, s->by) + r - b->y0) / b->cell);
    double sum = 0;
    for (int j = j0 < 0 ? 0 : j0; j <= j1 && j < b->ny; j++)
        for (int i = i0 < 0 ? 0 : i0; i <= i1 && i < b->nx; i++) {
            size_t k = (size_t)j * b->nx + i;
            for (size_t q = b->start[k]; q < b->start[k + 1]; q++) {
                size_t p = b->idx[q];
                if (rtm_point_segment_dist(x[p], y[p], s) <= r)
                    sum += w ? w[p] : 1.0;
            }
        }
    return sum;
}

int rtm_segment_sums(const rtm_road_segment *s, size_t ns, const double *x, const double *y,
                     const double *w, size_t n, double r, int threads, double *out,
                     rtm_error *err)
{
    bucket_grid b;
    memset(&b, 0, sizeof b);
    if (!(r > 0))
        return rtm_error_set(err, RTM_ERR_ARG, "places: buffer radius must be > 0");
    if (buckets(&b, x, y, n, r)) {
        free(b.start), free(b.idx);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    }
    if (threads <= 0)
        threads = omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (size_t k = 0; k < ns; k++)
        out[k] = seg_sum(&b, &s[k], x, y, w, r);
    free(b.start), free(b.idx);
    return 0;
}

typedef struct {
    double v;
    size_t i;
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *p = a, *q = b;
    if (p->v != q->v)
        return p->v > q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

int rtm_segment_pick(const rtm_road_segment *s, size_t ns, const double *score,
                     const rtm_segment_pick_opts *o, int *picked, int *npicked, rtm_error *err)
{
    size_t nc = 0;
    int taken = 0, *per = NULL, nz = 0;
    *npicked = 0;
    if (o->count < 1 || !(o->r > 0) || !(o->spacing >= 0))
        return rtm_error_set(err, RTM_ERR_ARG, "places: bad segment pick options");
    scored *c = malloc((ns ? ns : 1) * sizeof *c);
    for (size_t k = 0; c && o->zone && k < ns; k++)
        nz = o->zone[k] + 1 > nz ? o->zone[k] + 1 : nz;
    per = calloc((size_t)nz + 1, sizeof *per);
    if (!c || !per) {
        free(c), free(per);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    }
    for (size_t k = 0; k < ns; k++)
        if (score[k] > 0 && (!o->allowed || o->allowed[k]) && (!o->zone || o->zone[k] >= 0))
            c[nc].v = score[k], c[nc++].i = k;
    qsort(c, nc, sizeof *c, by_score);
    double need = 2 * o->r + o->spacing; /* buffers apart by at least the spacing */
    for (size_t q = 0; q < nc && taken < o->count; q++) {
        size_t k = c[q].i;
        int ok = !(o->zone && o->per_zone > 0 && per[o->zone[k]] >= o->per_zone);
        for (int t = 0; ok && t < taken; t++)
            ok = rtm_segment_segment_dist(&s[k], &s[picked[t]]) >= need;
        if (ok) {
            picked[taken++] = (int)k;
            if (o->zone)
                per[o->zone[k]]++;
        }
    }
    *npicked = taken;
    free(c), free(per);
    return 0;
}
