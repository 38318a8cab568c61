/* features.c: in-memory risk-factor geometries (see rtm/input.h). */
#include "input/features_priv.h"
#include "rtm/input.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rtm_features {
    size_t nfeat;               /* features of every kind */
    size_t npoly;               /* polygon features */
    size_t npts, cap_pts;       /* point features */
    double *pts;                /* 2 * npts */
    size_t nseg, cap_seg;       /* line segments and ring edges */
    double *seg;                /* 4 * nseg */
    long *seg_poly;             /* polygon index or -1 */
    unsigned char *seg_last;    /* 1 for the last segment of a polyline */
};

void rtm_features_hash(const rtm_features *f, rtm_sha256_ctx *c)
{
    size_t n[3] = {f->nfeat, f->npts, f->nseg};
    rtm_sha256_update(c, n, sizeof n);
    rtm_sha256_update(c, f->pts, 2 * f->npts * sizeof *f->pts);
    rtm_sha256_update(c, f->seg, 4 * f->nseg * sizeof *f->seg);
    rtm_sha256_update(c, f->seg_poly, f->nseg * sizeof *f->seg_poly);
    rtm_sha256_update(c, f->seg_last, f->nseg * sizeof *f->seg_last);
}

rtm_features *rtm_features_create(void)
{
    return calloc(1, sizeof(rtm_features));
}

void rtm_features_free(rtm_features *f)
{
    if (!f)
        return;
    free(f->pts);
    free(f->seg);
    free(f->seg_poly);
    free(f->seg_last);
    free(f);
}

/* Grow the point array to hold `extra` more points. */
static int reserve_points(rtm_features *f, size_t extra, rtm_error *err)
{
    size_t need = f->npts + extra, cap = f->cap_pts ? f->cap_pts : 64;
    double *p;
    if (need <= f->cap_pts)
        return 0;
    while (cap < need && cap <= SIZE_MAX / 4 / sizeof(double))
        cap *= 2;
    if (cap < need)
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: too many points");
    p = realloc(f->pts, cap * 2 * sizeof *p);
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: out of memory");
    f->pts = p;
    f->cap_pts = cap;
    return 0;
}

/* Grow the three segment arrays to hold `extra` more segments. */
static int reserve_segments(rtm_features *f, size_t extra, rtm_error *err)
{
    size_t need = f->nseg + extra, cap = f->cap_seg ? f->cap_seg : 64;
    double *s;
    long *sp;
    unsigned char *sl;
    if (extra > SIZE_MAX / 8 / sizeof(double) - f->nseg)
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: too many segments");
    if (need <= f->cap_seg)
        return 0;
    while (cap < need)
        cap *= 2;
    if (cap > SIZE_MAX / 4 / sizeof(double))
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: too many segments");
    s = realloc(f->seg, cap * 4 * sizeof *s);
    if (s)
        f->seg = s;
    sp = realloc(f->seg_poly, cap * sizeof *sp);
    if (sp)
        f->seg_poly = sp;
    sl = realloc(f->seg_last, cap);
    if (sl)
        f->seg_last = sl;
    if (!s || !sp || !sl)
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: out of memory");
    f->cap_seg = cap;
    return 0;
}

static int all_finite(const double *xy, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return 0;
    return 1;
}

static void push_segment(rtm_features *f, const double *a, const double *b, long poly,
                         int last)
{
    double *s = f->seg + 4 * f->nseg;
    s[0] = a[0];
    s[1] = a[1];
    s[2] = b[0];
    s[3] = b[1];
    f->seg_poly[f->nseg] = poly;
    f->seg_last[f->nseg] = (unsigned char)last;
    f->nseg++;
}

int rtm_features_add_point(rtm_features *f, double x, double y, rtm_error *err)
{
    if (!isfinite(x) || !isfinite(y))
        return rtm_error_set(err, RTM_ERR_INPUT,
                             "features: point %zu has a non-finite coordinate", f->nfeat);
    if (reserve_points(f, 1, err))
        return RTM_ERR_NOMEM;
    f->pts[2 * f->npts] = x;
    f->pts[2 * f->npts + 1] = y;
    f->npts++;
    f->nfeat++;
    return 0;
}

int rtm_features_add_line(rtm_features *f, const double *xy, size_t n, rtm_error *err)
{
    if (n < 2)
        return rtm_error_set(err, RTM_ERR_INPUT,
                             "features: line %zu has %zu vertices (need at least 2)", f->nfeat, n);
    if (!all_finite(xy, n))
        return rtm_error_set(err, RTM_ERR_INPUT,
                             "features: line %zu has a non-finite coordinate", f->nfeat);
    if (reserve_segments(f, n - 1, err))
        return RTM_ERR_NOMEM;
    for (size_t i = 0; i + 1 < n; i++)
        push_segment(f, xy + 2 * i, xy + 2 * i + 2, -1, i + 2 == n);
    f->nfeat++;
    return 0;
}

/* Vertices of a ring without a repeated closing vertex. */
static size_t ring_open_count(const double *xy, size_t n)
{
    if (n >= 2 && xy[0] == xy[2 * n - 2] && xy[1] == xy[2 * n - 1])
        return n - 1;
    return n;
}

static int check_rings(const rtm_features *f, const double *const *rings_xy,
                       const size_t *ring_n, int nrings, size_t *nedges, rtm_error *err)
{
    size_t total = 0;
    if (nrings < 1)
        return rtm_error_set(err, RTM_ERR_INPUT, "features: polygon %zu has no rings", f->nfeat);
    for (int r = 0; r < nrings; r++) {
        size_t m;
        if (!rings_xy[r] || !all_finite(rings_xy[r], ring_n[r]))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "features: polygon %zu ring %d has a non-finite coordinate",
                                 f->nfeat, r);
        m = ring_open_count(rings_xy[r], ring_n[r]);
        if (m < 3)
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "features: polygon %zu ring %d has %zu vertices (need at least 3)",
                                 f->nfeat, r, m);
        if (m > SIZE_MAX / 64 - total)
            return rtm_error_set(err, RTM_ERR_NOMEM, "features: polygon %zu is too large",
                                 f->nfeat);
        total += m;
    }
    *nedges = total;
    return 0;
}

int rtm_features_add_polygon(rtm_features *f, const double *const *rings_xy,
                             const size_t *ring_n, int nrings, rtm_error *err)
{
    size_t nedges = 0;
    int rc = check_rings(f, rings_xy, ring_n, nrings, &nedges, err);
    if (rc)
        return rc;
    if (reserve_segments(f, nedges, err))
        return RTM_ERR_NOMEM;
    for (int r = 0; r < nrings; r++) {
        const double *xy = rings_xy[r];
        size_t m = ring_open_count(xy, ring_n[r]);
        for (size_t i = 0; i < m; i++)
            push_segment(f, xy + 2 * i, xy + 2 * ((i + 1) % m), (long)f->npoly, 0);
    }
    f->npoly++;
    f->nfeat++;
    return 0;
}

size_t rtm_features_count(const rtm_features *f) { return f->nfeat; }
size_t rtm_features_npoints(const rtm_features *f) { return f->npts; }
const double *rtm_features_points_xy(const rtm_features *f) { return f->pts; }
size_t rtm_features_nsegments(const rtm_features *f) { return f->nseg; }
const double *rtm_features_segments_xy(const rtm_features *f) { return f->seg; }
const long *rtm_features_segment_polygon(const rtm_features *f) { return f->seg_poly; }
size_t rtm_features_npolygons(const rtm_features *f) { return f->npoly; }

static void bbox_add(double b[4], double x, double y)
{
    b[0] = fmin(b[0], x);
    b[1] = fmin(b[1], y);
    b[2] = fmax(b[2], x);
    b[3] = fmax(b[3], y);
}

int rtm_features_bbox(const rtm_features *f, double out[4])
{
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    if (f->npts == 0 && f->nseg == 0)
        return -1;
    for (size_t i = 0; i < f->npts; i++)
        bbox_add(b, f->pts[2 * i], f->pts[2 * i + 1]);
    for (size_t i = 0; i < f->nseg; i++) {
        bbox_add(b, f->seg[4 * i], f->seg[4 * i + 1]);
        bbox_add(b, f->seg[4 * i + 2], f->seg[4 * i + 3]);
    }
    memcpy(out, b, sizeof b);
    return 0;
}

/* Pieces a segment of length len is cut into: ceil(len/spacing), at least 1. */
static size_t segment_pieces(const double *s, double spacing)
{
    double len = hypot(s[2] - s[0], s[3] - s[1]);
    double k = ceil(len / spacing);
    return k > 1 ? (size_t)k : 1;
}

/* Write the sample points of segment s into out (NULL: only count them):
 * its start and k-1 interior points, plus its end for the last segment of a
 * polyline. Returns the number of points. */
static size_t sample_segment(const double *s, int last, double spacing, double *out)
{
    size_t k = segment_pieces(s, spacing), m = 0;
    for (size_t i = 0; i < k; i++) {
        double t = (double)i / (double)k;
        if (out) {
            out[2 * m] = s[0] + t * (s[2] - s[0]);
            out[2 * m + 1] = s[1] + t * (s[3] - s[1]);
        }
        m++;
    }
    if (last) {
        if (out) {
            out[2 * m] = s[2];
            out[2 * m + 1] = s[3];
        }
        m++;
    }
    return m;
}

int rtm_features_sample_points(const rtm_features *f, double spacing, double **xy_out,
                               size_t *n_out, rtm_error *err)
{
    size_t n = f->npts, m;
    double *xy;
    if (!(spacing > 0) || !isfinite(spacing))
        return rtm_error_set(err, RTM_ERR_ARG, "features: sample spacing must be > 0 (got %g)",
                             spacing);
    for (size_t i = 0; i < f->nseg; i++) {
        size_t k = sample_segment(f->seg + 4 * i, f->seg_last[i], spacing, NULL);
        if (k > SIZE_MAX / 4 / sizeof(double) - n)
            return rtm_error_set(err, RTM_ERR_NOMEM, "features: too many sample points");
        n += k;
    }
    if (n == 0) {
        *xy_out = NULL;
        *n_out = 0;
        return 0;
    }
    xy = malloc(n * 2 * sizeof *xy);
    if (!xy)
        return rtm_error_set(err, RTM_ERR_NOMEM, "features: out of memory (%zu sample points)", n);
    if (f->npts)
        memcpy(xy, f->pts, f->npts * 2 * sizeof *xy);
    m = f->npts;
    for (size_t i = 0; i < f->nseg; i++)
        m += sample_segment(f->seg + 4 * i, f->seg_last[i], spacing, xy + 2 * m);
    *xy_out = xy;
    *n_out = m;
    return 0;
}
