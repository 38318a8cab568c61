/* distance.c: exact Euclidean distance surfaces (see rtm/surface.h).
 *
 * Primitives are points and segments (polyline segments and polygon ring
 * edges). Three stages:
 *  1. a uniform bucket grid over the primitives' bounding box; a segment is
 *     registered in every bucket its clipped extent touches, row by row, so
 *     every part of a primitive lies in a bucket that lists it;
 *  2. polygon inside-ness of the cell centres, per row, by the even-odd
 *     crossing test (PNPOLY form, W. R. Franklin) evaluated as a scanline;
 *  3. per 64 x 64-cell tile: nearest primitive to the tile centre by an
 *     expanding-ring bucket search, the candidate list of every primitive
 *     that can be nearest to some cell of the tile, then a quadtree
 *     refinement of that list down to the cells.
 * Pruning rule (exact): if some primitive p lies within U of every point of a
 * rectangle R (U = d(centre of R, p) + half-diagonal of R), a primitive whose
 * distance to R exceeds U cannot be nearest to any point of R. Comparisons
 * carry a small relative slack so rounding can only keep extra candidates.
 */
#include "rtm/surface.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define TILE 64         /* cells per tile side */
#define LEAF_CAND 8     /* evaluate cells directly at or below this many candidates */
#define LEAF_CELLS 16   /* ... or at or below this many cells */
#define MAX_LEVELS 8    /* quadtree depth of a TILE x TILE tile is <= 4 */
#define REL_SLACK 1e-9  /* relative slack on pruning comparisons */

/* min/max without libm's NaN handling (there are no NaNs here): inlined. */
static inline double dmin(double a, double b) { return b < a ? b : a; }
static inline double dmax(double a, double b) { return b > a ? b : a; }

/* The primitives: ids < npt are points, the rest segments (id - npt). */
typedef struct prims {
    const double *pt;
    size_t npt;
    const double *seg;
    size_t nseg;
} prims;

/* Squared distance from (px, py) to (x, y). */
static inline double d2_point(double px, double py, double x, double y)
{
    double dx = px - x, dy = py - y;
    return dx * dx + dy * dy;
}

/* Squared distance from (px, py) to segment s = (x0, y0, x1, y1): to the
 * projection of the point on the segment's line, clamped to the segment. */
static inline double d2_segment(double px, double py, const double *s)
{
    double dx = s[2] - s[0], dy = s[3] - s[1], wx = px - s[0], wy = py - s[1];
    double l2 = dx * dx + dy * dy, t = 0, ex, ey;
    if (l2 > 0) {
        t = (wx * dx + wy * dy) / l2;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
    }
    ex = wx - t * dx;
    ey = wy - t * dy;
    return ex * ex + ey * ey;
}

static inline double prim_d2(const prims *P, size_t id, double px, double py)
{
    if (id < P->npt)
        return d2_point(px, py, P->pt[2 * id], P->pt[2 * id + 1]);
    return d2_segment(px, py, P->seg + 4 * (id - P->npt));
}

/* ---- rectangles (xlo, ylo, xhi, yhi) ---- */

/* Squared distance from a point to a rectangle (0 inside). */
static inline double d2_rect(double px, double py, const double r[4])
{
    double dx = dmax(dmax(r[0] - px, px - r[2]), 0);
    double dy = dmax(dmax(r[1] - py, py - r[3]), 0);
    return dx * dx + dy * dy;
}

/* 1 if segment s meets rectangle r (Liang-Barsky clipping). */
static int seg_meets_rect(const double *s, const double r[4])
{
    double dx = s[2] - s[0], dy = s[3] - s[1], t0 = 0, t1 = 1;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {s[0] - r[0], r[2] - s[0], s[1] - r[1], r[3] - s[1]};
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0)
                return 0;
            continue;
        }
        double t = q[k] / p[k];
        if (p[k] < 0) {
            if (t > t1)
                return 0;
            t0 = dmax(t0, t);
        } else {
            if (t < t0)
                return 0;
            t1 = dmin(t1, t);
        }
    }
    return 1;
}

/* Squared distance between segment s and rectangle r when it may be <= thr2
 * (otherwise a lower bound > thr2). Two disjoint convex polygons are nearest
 * between a vertex of one and an edge of the other. */
static double d2_seg_rect(const double *s, const double r[4], double thr2)
{
    double b[4] = {dmin(s[0], s[2]), dmin(s[1], s[3]), dmax(s[0], s[2]), dmax(s[1], s[3])};
    double dx = dmax(dmax(r[0] - b[2], b[0] - r[2]), 0);
    double dy = dmax(dmax(r[1] - b[3], b[1] - r[3]), 0);
    double d2 = dx * dx + dy * dy;
    if (d2 > thr2)
        return d2;
    if (seg_meets_rect(s, r))
        return 0;
    d2 = dmin(d2_rect(s[0], s[1], r), d2_rect(s[2], s[3], r));
    d2 = dmin(d2, d2_segment(r[0], r[1], s));
    d2 = dmin(d2, d2_segment(r[2], r[1], s));
    d2 = dmin(d2, d2_segment(r[0], r[3], s));
    return dmin(d2, d2_segment(r[2], r[3], s));
}

static inline double prim_d2_rect(const prims *P, size_t id, const double r[4], double thr2)
{
    if (id < P->npt)
        return d2_rect(P->pt[2 * id], P->pt[2 * id + 1], r);
    return d2_seg_rect(P->seg + 4 * (id - P->npt), r, thr2);
}

/* ---- the bucket grid ---- */

typedef struct bindex {
    double x0, y0, bs;   /* lower-left corner and bucket side */
    double eps;          /* absolute slack for rounding of coordinates */
    int nx, ny;
    size_t *start;       /* nx*ny + 1 offsets into item */
    size_t *item;        /* primitive ids */
} bindex;

static void bindex_free(bindex *ix)
{
    free(ix->start);
    free(ix->item);
}

/* Bucket column/row of a coordinate, clamped to the grid (NaN-safe). */
static inline int bucket_of(double v, double origin, double bs, int n)
{
    double b = floor((v - origin) / bs);
    if (!(b >= 0))
        return 0;
    return b >= n - 1 ? n - 1 : (int)b;
}

/* Visit the buckets primitive id occupies: count (fill == NULL) or append. */
static void bindex_place(bindex *ix, const prims *P, size_t id, size_t *cursor, int fill)
{
    double e = ix->eps;
    if (id < P->npt) {
        int c = bucket_of(P->pt[2 * id], ix->x0, ix->bs, ix->nx);
        int r = bucket_of(P->pt[2 * id + 1], ix->y0, ix->bs, ix->ny);
        size_t b = (size_t)r * (size_t)ix->nx + (size_t)c;
        if (fill)
            ix->item[cursor[b]++] = id;
        else
            cursor[b]++;
        return;
    }
    const double *s = P->seg + 4 * (id - P->npt);
    double dy = s[3] - s[1];
    int r0 = bucket_of(dmin(s[1], s[3]) - e, ix->y0, ix->bs, ix->ny);
    int r1 = bucket_of(dmax(s[1], s[3]) + e, ix->y0, ix->bs, ix->ny);
    for (int r = r0; r <= r1; r++) {
        /* x extent of the segment within this bucket row (widened by eps) */
        double xa = dmin(s[0], s[2]), xb = dmax(s[0], s[2]);
        if (dy != 0) {
            double lo = ix->y0 + r * ix->bs - e, hi = ix->y0 + (r + 1) * ix->bs + e;
            double ta = dmax(dmin((lo - s[1]) / dy, (hi - s[1]) / dy), 0);
            double tb = dmin(dmax((lo - s[1]) / dy, (hi - s[1]) / dy), 1);
            if (ta > tb)
                continue;
            double u = s[0] + ta * (s[2] - s[0]), v = s[0] + tb * (s[2] - s[0]);
            xa = dmax(xa, dmin(u, v));
            xb = dmin(xb, dmax(u, v));
        }
        int c0 = bucket_of(xa - e, ix->x0, ix->bs, ix->nx);
        int c1 = bucket_of(xb + e, ix->x0, ix->bs, ix->nx);
        for (int c = c0; c <= c1; c++) {
            size_t b = (size_t)r * (size_t)ix->nx + (size_t)c;
            if (fill)
                ix->item[cursor[b]++] = id;
            else
                cursor[b]++;
        }
    }
}

/* Bounding box of all primitives: b = {xmin, ymin, xmax, ymax}. */
static void prims_bbox(const prims *P, double b[4])
{
    b[0] = b[1] = INFINITY;
    b[2] = b[3] = -INFINITY;
    for (size_t i = 0; i < P->npt; i++) {
        b[0] = dmin(b[0], P->pt[2 * i]);
        b[2] = dmax(b[2], P->pt[2 * i]);
        b[1] = dmin(b[1], P->pt[2 * i + 1]);
        b[3] = dmax(b[3], P->pt[2 * i + 1]);
    }
    for (size_t i = 0; i < 2 * P->nseg; i++) {
        b[0] = dmin(b[0], P->seg[2 * i]);
        b[2] = dmax(b[2], P->seg[2 * i]);
        b[1] = dmin(b[1], P->seg[2 * i + 1]);
        b[3] = dmax(b[3], P->seg[2 * i + 1]);
    }
}

/* Mark the coarse-histogram bin of (x, y); see occupied_fraction. */
static void mark_bin(unsigned char *occ, int m, const double b[4], double x, double y)
{
    double w = b[2] - b[0], h = b[3] - b[1];
    double fi = w > 0 ? (x - b[0]) / w * m : 0, fj = h > 0 ? (y - b[1]) / h * m : 0;
    /* NaN (an infinite extent) counts in bin 0: only the bucket size suffers */
    int i = fi >= 0 ? (int)dmin(fi, m - 1) : 0;
    int j = fj >= 0 ? (int)dmin(fj, m - 1) : 0;
    occ[j * m + i] = 1;
}

/* Fraction of the bounding box the primitives occupy, from a coarse
 * histogram of about n/4 bins (at most 64 x 64) of points and segment ends
 * and midpoints. It keeps the buckets small when a few outliers (a point
 * geocoded to 0,0) blow up the bounding box. */
static double occupied_fraction(const prims *P, const double b[4])
{
    size_t n = P->npt + P->nseg, used = 0;
    int m = (int)dmax(1, dmin(64, floor(sqrt((double)n) / 2)));
    unsigned char occ[64 * 64] = {0};
    for (size_t i = 0; i < P->npt; i++)
        mark_bin(occ, m, b, P->pt[2 * i], P->pt[2 * i + 1]);
    for (size_t i = 0; i < P->nseg; i++) {
        const double *s = P->seg + 4 * i;
        mark_bin(occ, m, b, s[0], s[1]);
        mark_bin(occ, m, b, s[2], s[3]);
        mark_bin(occ, m, b, 0.5 * (s[0] + s[2]), 0.5 * (s[1] + s[3]));
    }
    for (int k = 0; k < m * m; k++)
        used += occ[k];
    return (double)used / ((double)m * m);
}

/* Bucket side: about one primitive per bucket over the occupied part of the
 * bounding box, with at most ~4n + 16 buckets. When the extent overflows a
 * double (a feature at x = 1e308 next to one at 0 gives a width or an area of
 * +inf) there is no usable bucket side: one bucket then holds everything and
 * the search is an exact brute force. */
static void bindex_shape(bindex *ix, const prims *P, const double b[4], size_t n)
{
    double w = b[2] - b[0], h = b[3] - b[1], ext = dmax(w, h);
    double area = w * h > 0 ? w * h * occupied_fraction(P, b) : ext * ext / (double)n;
    double bs = ext > 0 ? sqrt(area / (double)n) : 1;
    double scale = dmax(dmax(fabs(b[0]), fabs(b[2])), dmax(fabs(b[1]), fabs(b[3])));
    int it;
    if (!(bs > 0))
        bs = 1;
    ix->nx = ix->ny = 0;
    /* bs grows by 1.25 per step and w, h are finite: nx = ny = 1 after at
     * most log(DBL_MAX / DBL_MIN) / log 1.25 < 6400 steps */
    for (it = 0; it < 6400 && isfinite(w) && isfinite(h) && isfinite(bs); it++) {
        double nx = floor(w / bs) + 1, ny = floor(h / bs) + 1;
        if (nx * ny <= 4.0 * (double)n + 16 && nx < INT32_MAX && ny < INT32_MAX) {
            ix->nx = (int)nx;
            ix->ny = (int)ny;
            break;
        }
        bs *= 1.25;
    }
    if (!ix->nx) {
        ix->nx = ix->ny = 1;
        bs = DBL_MAX;
    }
    ix->x0 = b[0];
    ix->y0 = b[1];
    ix->bs = bs;
    ix->eps = 1e-9 * dmax(scale, bs);
}

static int bindex_build(bindex *ix, const prims *P, rtm_error *err)
{
    size_t n = P->npt + P->nseg, nb, total = 0;
    double b[4];
    memset(ix, 0, sizeof *ix);
    prims_bbox(P, b);
    bindex_shape(ix, P, b, n);
    nb = (size_t)ix->nx * (size_t)ix->ny;
    ix->start = calloc(nb + 1, sizeof *ix->start);
    if (!ix->start)
        return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (bucket grid)");
    for (size_t id = 0; id < n; id++)
        bindex_place(ix, P, id, ix->start, 0);
    for (size_t k = 0; k < nb; k++) {   /* counts -> start offsets */
        size_t c = ix->start[k];
        ix->start[k] = total;
        total += c;
    }
    ix->start[nb] = total;
    ix->item = malloc((total ? total : 1) * sizeof *ix->item);
    size_t *cursor = malloc((nb + 1) * sizeof *cursor);
    if (!ix->item || !cursor) {
        free(cursor);
        bindex_free(ix);
        return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (bucket grid)");
    }
    memcpy(cursor, ix->start, (nb + 1) * sizeof *cursor);
    for (size_t id = 0; id < n; id++)
        bindex_place(ix, P, id, cursor, 1);
    free(cursor);
    return 0;
}

/* World rectangle of bucket columns c0..c1, rows r0..r1. */
static void bucket_rect(const bindex *ix, int c0, int c1, int r0, int r1, double r[4])
{
    r[0] = ix->x0 + c0 * ix->bs;
    r[1] = ix->y0 + r0 * ix->bs;
    r[2] = ix->x0 + (c1 + 1) * ix->bs;
    r[3] = ix->y0 + (r1 + 1) * ix->bs;
}

/* Lower bound on the distance from q to any bucket outside the visited
 * block of columns a0..a1, rows b0..b1 (clipped to the grid): the minimum
 * over the up to four strips that make up the rest of the grid.
 * INFINITY when the block covers the grid. */
static double unvisited_bound(const bindex *ix, double qx, double qy, int a0, int a1, int b0,
                              int b1)
{
    double best = INFINITY, r[4];
    a0 = a0 < 0 ? 0 : a0;
    b0 = b0 < 0 ? 0 : b0;
    a1 = a1 > ix->nx - 1 ? ix->nx - 1 : a1;
    b1 = b1 > ix->ny - 1 ? ix->ny - 1 : b1;
    if (a0 > 0) {
        bucket_rect(ix, 0, a0 - 1, 0, ix->ny - 1, r);
        best = dmin(best, d2_rect(qx, qy, r));
    }
    if (a1 < ix->nx - 1) {
        bucket_rect(ix, a1 + 1, ix->nx - 1, 0, ix->ny - 1, r);
        best = dmin(best, d2_rect(qx, qy, r));
    }
    if (b0 > 0) {
        bucket_rect(ix, a0, a1, 0, b0 - 1, r);
        best = dmin(best, d2_rect(qx, qy, r));
    }
    if (b1 < ix->ny - 1) {
        bucket_rect(ix, a0, a1, b1 + 1, ix->ny - 1, r);
        best = dmin(best, d2_rect(qx, qy, r));
    }
    return sqrt(best);
}

/* Minimum squared distance from q over the primitives in bucket (c, r). */
static double scan_bucket(const bindex *ix, const prims *P, int c, int r, double qx, double qy,
                          size_t skip, double best)
{
    size_t b = (size_t)r * (size_t)ix->nx + (size_t)c;
    for (size_t k = ix->start[b]; k < ix->start[b + 1]; k++) {
        size_t id = ix->item[k];
        if (id != skip)
            best = dmin(best, prim_d2(P, id, qx, qy));
        if (best == 0) /* cannot improve: keeps duplicate-heavy buckets fast */
            break;
    }
    return best;
}

/* Minimum squared distance over ring k (Chebyshev distance k from (cx, cy)). */
static double scan_ring(const bindex *ix, const prims *P, int cx, int cy, int k, double qx,
                        double qy, size_t skip, double best)
{
    int r0 = cy - k < 0 ? 0 : cy - k, r1 = cy + k > ix->ny - 1 ? ix->ny - 1 : cy + k;
    int c0 = cx - k < 0 ? 0 : cx - k, c1 = cx + k > ix->nx - 1 ? ix->nx - 1 : cx + k;
    for (int r = r0; r <= r1; r++) {
        if (r == cy - k || r == cy + k) {
            for (int c = c0; c <= c1; c++)
                best = scan_bucket(ix, P, c, r, qx, qy, skip, best);
        } else {
            if (cx - k >= 0)
                best = scan_bucket(ix, P, cx - k, r, qx, qy, skip, best);
            if (k > 0 && cx + k <= ix->nx - 1)
                best = scan_bucket(ix, P, cx + k, r, qx, qy, skip, best);
        }
    }
    return best;
}

/* Squared distance from q to its nearest primitive (other than `skip`), by
 * rings of buckets around q's (clamped) bucket until no unvisited bucket can
 * hold anything nearer, or nothing within `limit` remains. Returns INFINITY
 * when there is no primitive (within limit). Ring max(nx, ny) lies wholly
 * outside the bucket grid, so the loop ends there at the latest whatever the
 * bounds compute to (NaN for extents near the limits of double). */
static double nearest_d2(const bindex *ix, const prims *P, double qx, double qy, double limit,
                         size_t skip)
{
    int cx = bucket_of(qx, ix->x0, ix->bs, ix->nx), cy = bucket_of(qy, ix->y0, ix->bs, ix->ny);
    int kmax = ix->nx > ix->ny ? ix->nx : ix->ny;
    double best = INFINITY, r[4];
    bucket_rect(ix, 0, ix->nx - 1, 0, ix->ny - 1, r);
    for (int k = 0; k <= kmax; k++) {
        double lb = k == 0 ? (ix->nx == 1 && ix->ny == 1 ? 0 : sqrt(d2_rect(qx, qy, r)))
                           : unvisited_bound(ix, qx, qy, cx - k + 1, cx + k - 1, cy - k + 1,
                                             cy + k - 1);
        lb -= ix->eps;
        if (lb == INFINITY || best == 0 || (lb > 0 && (lb > limit || lb * lb > best)))
            break;
        best = scan_ring(ix, P, cx, cy, k, qx, qy, skip, best);
    }
    return best;
}

/* ---- polygon inside-ness (scanline) ---- */

typedef struct crossing {
    long poly;
    double x;
} crossing;

static int crossing_cmp(const void *a, const void *b)
{
    const crossing *p = a, *q = b;
    if (p->poly != q->poly)
        return p->poly < q->poly ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* Does edge s cross the horizontal line y (half-open rule of PNPOLY)? */
static inline int edge_crosses(const double *s, double y)
{
    return (s[1] > y) != (s[3] > y);
}

/* Rows whose centre line edge s may cross: i0..i1 (clamped, possibly empty). */
static void edge_rows(const rtm_grid *g, const double *s, int *i0, int *i1)
{
    double ytop = g->y0 + g->nrows * g->res;
    double a = floor((ytop - dmax(s[1], s[3])) / g->res - 0.5) - 1;
    double b = ceil((ytop - dmin(s[1], s[3])) / g->res - 0.5) + 1;
    *i0 = a < 0 ? 0 : (a > g->nrows ? g->nrows : (int)a);
    *i1 = b > g->nrows - 1 ? g->nrows - 1 : (b < -1 ? -1 : (int)b);
}

/* Row lists of the polygon edges crossing each row's centre line (CSR). */
typedef struct rowedges {
    size_t *start; /* nrows + 1 */
    size_t *edge;  /* segment indices */
    size_t maxrow; /* longest list */
} rowedges;

static void rowedges_pass(const rtm_grid *g, const rtm_features *f, rowedges *re, size_t *cur,
                          int fill)
{
    const double *seg = rtm_features_segments_xy(f);
    const long *poly = rtm_features_segment_polygon(f);
    size_t ns = rtm_features_nsegments(f);
    for (size_t e = 0; e < ns; e++) {
        int i0, i1;
        if (poly[e] < 0)
            continue;
        edge_rows(g, seg + 4 * e, &i0, &i1);
        for (int i = i0; i <= i1; i++) {
            if (!edge_crosses(seg + 4 * e, rtm_grid_cell_y(g, i)))
                continue;
            if (fill)
                re->edge[cur[i]++] = e;
            else
                cur[i]++;
        }
    }
}

static int rowedges_build(const rtm_grid *g, const rtm_features *f, rowedges *re,
                          rtm_error *err)
{
    size_t nr = (size_t)g->nrows, total = 0, *cur;
    memset(re, 0, sizeof *re);
    re->start = calloc(nr + 1, sizeof *re->start);
    if (!re->start)
        return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (polygon rows)");
    rowedges_pass(g, f, re, re->start, 0);
    for (size_t i = 0; i < nr; i++) {
        size_t c = re->start[i];
        re->start[i] = total;
        total += c;
        re->maxrow = c > re->maxrow ? c : re->maxrow;
    }
    re->start[nr] = total;
    re->edge = malloc((total ? total : 1) * sizeof *re->edge);
    cur = malloc((nr + 1) * sizeof *cur);
    if (!re->edge || !cur) {
        free(cur);
        return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (polygon rows)");
    }
    memcpy(cur, re->start, (nr + 1) * sizeof *cur);
    rowedges_pass(g, f, re, cur, 1);
    free(cur);
    return 0;
}

/* First column whose centre x is >= a (0..ncols). */
static int first_col_at_or_after(const rtm_grid *g, double a)
{
    double v = ceil((a - g->x0) / g->res - 0.5);
    int j = v < 0 ? 0 : (v > g->ncols ? g->ncols : (int)v);
    while (j > 0 && rtm_grid_cell_x(g, j - 1) >= a)
        j--;
    while (j < g->ncols && rtm_grid_cell_x(g, j) < a)
        j++;
    return j;
}

/* Mark the cells of row i inside a polygon. A centre xc is inside polygon P
 * when an odd number of P's edge crossings lie right of it (x > xc); with
 * the crossings x_1 <= ... <= x_2m sorted that is x_(2k-1) <= xc < x_(2k). */
static void fill_row(const rtm_grid *g, const rtm_features *f, const rowedges *re, int i,
                     int r0, crossing *cr, unsigned char *inside)
{
    const double *seg = rtm_features_segments_xy(f);
    const long *poly = rtm_features_segment_polygon(f);
    double y = rtm_grid_cell_y(g, i);
    size_t n = 0;
    for (size_t k = re->start[i]; k < re->start[i + 1]; k++) {
        const double *s = seg + 4 * re->edge[k];
        cr[n].poly = poly[re->edge[k]];
        cr[n].x = (s[2] - s[0]) * (y - s[1]) / (s[3] - s[1]) + s[0]; /* PNPOLY's form */
        n++;
    }
    qsort(cr, n, sizeof *cr, crossing_cmp);
    for (size_t k = 0; k + 1 < n; k += 2) {
        int j0 = first_col_at_or_after(g, cr[k].x), j1 = first_col_at_or_after(g, cr[k + 1].x);
        if (j1 > j0)
            memset(inside + (size_t)(i - r0) * (size_t)g->ncols + (size_t)j0, 1,
                   (size_t)(j1 - j0));
    }
}

/* inside: flags of rows [r0, r1), 1 where the cell centre is inside some
 * polygon. */
static int inside_mask(const rtm_grid *g, const rtm_features *f, int nt, int r0, int r1,
                       unsigned char *inside, rtm_error *err)
{
    rowedges re;
    int fail = 0;
    if (rowedges_build(g, f, &re, err)) {
        free(re.start);
        free(re.edge);
        return RTM_ERR_NOMEM;
    }
#pragma omp parallel num_threads(nt)
    {
        crossing *cr = malloc((re.maxrow ? re.maxrow : 1) * sizeof *cr);
        if (!cr) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp for schedule(static)
        for (int i = r0; i < r1; i++)
            if (cr)
                fill_row(g, f, &re, i, r0, cr, inside);
        free(cr);
    }
    free(re.start);
    free(re.edge);
    if (fail)
        return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (polygon rows)");
    return 0;
}

/* ---- per-tile candidate lists and quadtree refinement ---- */

typedef struct job {
    const rtm_grid *g;
    const prims *P;
    const bindex *ix;
    const unsigned char *inside; /* NULL: no polygons */
    double max_dist;
    double *out;                 /* and inside: rows r0 .. r1 - 1 of the grid */
    int r0, r1;
    int c0, c1;                  /* the columns wanted (whole blocks of TILE) */
} job;

/* Per-thread scratch. */
typedef struct scratch {
    size_t *buf;        /* MAX_LEVELS candidate lists of cap entries */
    double *dc;         /* cap distances: candidate to a rectangle's centre */
    size_t cap;
    unsigned *stamp;    /* per primitive: last collection it was added in */
    unsigned tag;
} scratch;

/* Rectangle spanned by the centres of cells rows i0..i1-1, cols j0..j1-1. */
static void cells_rect(const rtm_grid *g, int i0, int i1, int j0, int j1, double r[4])
{
    r[0] = rtm_grid_cell_x(g, j0);
    r[2] = rtm_grid_cell_x(g, j1 - 1);
    r[1] = rtm_grid_cell_y(g, i1 - 1);
    r[3] = rtm_grid_cell_y(g, i0);
}

static inline double half_diag(const double r[4])
{
    return 0.5 * hypot(r[2] - r[0], r[3] - r[1]);
}

/* Pruning threshold, squared, from a bound U: slack keeps extra candidates. */
static inline double prune_thr2(double U, double eps)
{
    double t = U * (1 + REL_SLACK) + eps;
    return t * t;
}

/* Evaluate cells directly against the candidate list. */
static void eval_cells(const job *J, int i0, int i1, int j0, int j1, const size_t *cand,
                       size_t n)
{
    const rtm_grid *g = J->g;
    for (int i = i0; i < i1; i++) {
        double y = rtm_grid_cell_y(g, i);
        for (int j = j0; j < j1; j++) {
            size_t k = (size_t)(i - J->r0) * (size_t)g->ncols + (size_t)j;
            double x = rtm_grid_cell_x(g, j), best = INFINITY, d;
            if (J->inside && J->inside[k]) {
                J->out[k] = 0;
                continue;
            }
            for (size_t c = 0; c < n; c++)
                best = dmin(best, prim_d2(J->P, cand[c], x, y));
            d = sqrt(best);
            J->out[k] = d <= J->max_dist ? d : INFINITY;
        }
    }
}

/* Candidates of a child rectangle r, filtered from the parent's list.
 * d(centre, p) - hd <= d(r, p) gives a cheap first rejection. */
static size_t filter_cands(const job *J, scratch *S, const double r[4], const size_t *cand,
                           size_t n, size_t *child)
{
    double cx = 0.5 * (r[0] + r[2]), cy = 0.5 * (r[1] + r[3]), hd = half_diag(r);
    double dcmin = INFINITY, U, thr2, thr;
    size_t m = 0;
    for (size_t c = 0; c < n; c++) {
        S->dc[c] = sqrt(prim_d2(J->P, cand[c], cx, cy));
        dcmin = dmin(dcmin, S->dc[c]);
    }
    U = dmin(dcmin + hd, J->max_dist);
    thr2 = prune_thr2(U, J->ix->eps);
    thr = sqrt(thr2) * (1 + REL_SLACK) + hd;
    for (size_t c = 0; c < n; c++)
        if (S->dc[c] <= thr && prim_d2_rect(J->P, cand[c], r, thr2) <= thr2)
            child[m++] = cand[c];
    return m;
}

/* If every cell of the block is inside a polygon, set them to 0 and say so. */
static int block_inside(const job *J, int i0, int i1, int j0, int j1)
{
    size_t nc = (size_t)J->g->ncols;
    if (!J->inside)
        return 0;
    for (int i = i0; i < i1; i++) {
        const unsigned char *row = J->inside + (size_t)(i - J->r0) * nc;
        for (int j = j0; j < j1; j++)
            if (!row[j])
                return 0;
    }
    for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++)
            J->out[(size_t)(i - J->r0) * nc + (size_t)j] = 0;
    return 1;
}

static void refine(const job *J, scratch *S, int level, int i0, int i1, int j0, int j1,
                   const size_t *cand, size_t n)
{
    int im = i1 - i0 > 1 ? (i0 + i1) / 2 : i1, jm = j1 - j0 > 1 ? (j0 + j1) / 2 : j1;
    size_t cells = (size_t)(i1 - i0) * (size_t)(j1 - j0);
    if (block_inside(J, i0, i1, j0, j1))
        return;
    if (n <= LEAF_CAND || cells <= LEAF_CELLS || level + 1 >= MAX_LEVELS) {
        eval_cells(J, i0, i1, j0, j1, cand, n);
        return;
    }
    size_t *child = S->buf + (size_t)(level + 1) * S->cap;
    int ia[2] = {i0, im}, ib[2] = {im, i1}, ja[2] = {j0, jm}, jb[2] = {jm, j1};
    for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) {
            double r[4];
            if (ib[a] <= ia[a] || jb[b] <= ja[b])
                continue;
            cells_rect(J->g, ia[a], ib[a], ja[b], jb[b], r);
            size_t m = filter_cands(J, S, r, cand, n, child);
            refine(J, S, level + 1, ia[a], ib[a], ja[b], jb[b], child, m);
        }
    }
}

/* Grow the per-thread buffers to hold MAX_LEVELS lists of cap. */
static int scratch_reserve(scratch *S, size_t cap)
{
    if (cap <= S->cap)
        return 0;
    size_t *b = realloc(S->buf, MAX_LEVELS * cap * sizeof *b);
    if (!b)
        return -1;
    S->buf = b;
    double *d = realloc(S->dc, cap * sizeof *d);
    if (!d)
        return -1;
    S->dc = d;
    S->cap = cap;
    return 0;
}

/* Every primitive in the buckets around rectangle r whose distance to r is
 * within U, each once (stamp marks the ones already seen). Returns the count
 * or (size_t)-1 when out of memory. */
static size_t collect_tile(const job *J, scratch *S, const double r[4], double U)
{
    const bindex *ix = J->ix;
    double thr2 = prune_thr2(U, ix->eps), t = sqrt(thr2) + ix->eps;
    int c0 = bucket_of(r[0] - t, ix->x0, ix->bs, ix->nx);
    int c1 = bucket_of(r[2] + t, ix->x0, ix->bs, ix->nx);
    int r0 = bucket_of(r[1] - t, ix->y0, ix->bs, ix->ny);
    int r1 = bucket_of(r[3] + t, ix->y0, ix->bs, ix->ny);
    size_t n = 0;
    if (++S->tag == 0) { /* wrapped: reset the stamps */
        memset(S->stamp, 0, (J->P->npt + J->P->nseg) * sizeof *S->stamp);
        S->tag = 1;
    }
    for (int br = r0; br <= r1; br++) {
        for (int bc = c0; bc <= c1; bc++) {
            size_t b = (size_t)br * (size_t)ix->nx + (size_t)bc;
            for (size_t k = ix->start[b]; k < ix->start[b + 1]; k++) {
                size_t id = ix->item[k];
                if (S->stamp[id] == S->tag)
                    continue;
                S->stamp[id] = S->tag;
                if (prim_d2_rect(J->P, id, r, thr2) > thr2)
                    continue;
                if (n == S->cap && scratch_reserve(S, 2 * S->cap + 64))
                    return (size_t)-1;
                S->buf[n++] = id;
            }
        }
    }
    return n;
}

/* One tile: its candidate list, then refinement. Returns -1 on no memory. */
static int do_tile(const job *J, scratch *S, int i0, int i1, int j0, int j1)
{
    double r[4], hd, d2, U;
    size_t n;
    if (block_inside(J, i0, i1, j0, j1))
        return 0;
    cells_rect(J->g, i0, i1, j0, j1, r);
    hd = half_diag(r);
    d2 = nearest_d2(J->ix, J->P, 0.5 * (r[0] + r[2]), 0.5 * (r[1] + r[3]), J->max_dist + hd,
                    SIZE_MAX);
    U = dmin(sqrt(d2) + hd, J->max_dist);
    n = collect_tile(J, S, r, U);
    if (n == (size_t)-1)
        return -1;
    /* level-0 list lives at the start of buf; children need room too */
    if (scratch_reserve(S, n ? n : 1))
        return -1;
    refine(J, S, 0, i0, i1, j0, j1, S->buf, n);
    return 0;
}

static int tiles_run(const job *J, int nt, size_t nprim)
{
    const rtm_grid *g = J->g;
    int t0 = J->r0 / TILE, tr = (J->r1 + TILE - 1) / TILE - t0;
    int u0 = J->c0 / TILE, tc = (J->c1 + TILE - 1) / TILE - u0, fail = 0;
    long ntiles = (long)tr * tc;
#pragma omp parallel num_threads(nt)
    {
        scratch S = {NULL, NULL, 0, calloc(nprim, sizeof(unsigned)), 0};
        if (!S.stamp || scratch_reserve(&S, 256)) {
#pragma omp atomic write
            fail = 1;
        }
        /* round-robin tiles: balances the load, and every cell's value
         * depends only on its tile, so the bytes do not depend on threads */
#pragma omp for schedule(static, 1)
        for (long t = 0; t < ntiles; t++) {
            int ti = t0 + (int)(t / tc), tj = u0 + (int)(t % tc);
            int i0 = ti * TILE > J->r0 ? ti * TILE : J->r0, j0 = tj * TILE;
            int i1 = ti * TILE + TILE < J->r1 ? ti * TILE + TILE : J->r1;
            int j1 = j0 + TILE < g->ncols ? j0 + TILE : g->ncols;
            if (S.stamp && S.buf && do_tile(J, &S, i0, i1, j0, j1)) {
#pragma omp atomic write
                fail = 1;
            }
        }
        free(S.buf);
        free(S.dc);
        free(S.stamp);
    }
    return fail ? -1 : 0;
}

static int thread_count(int threads)
{
#ifdef _OPENMP
    return threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
    return 1;
#endif
}

/* Fill out (nc cells) with INFINITY except cells inside a polygon (0). */
static void fill_none(size_t nc, const unsigned char *inside, double *out)
{
    for (size_t k = 0; k < nc; k++)
        out[k] = inside && inside[k] ? 0 : INFINITY;
}

int rtm_distance_compute_rows(const rtm_grid *g, const rtm_features *f, double max_dist,
                              int threads, int r0, int r1, double *out, rtm_error *err)
{
    return rtm_distance_compute_window(g, f, max_dist, threads, r0, r1, 0,
                                       g && g->ncols > 0 ? g->ncols : 1, out, err);
}

int rtm_distance_compute_window(const rtm_grid *g, const rtm_features *f, double max_dist,
                                int threads, int r0, int r1, int c0, int c1, double *out,
                                rtm_error *err)
{
    prims P = {rtm_features_points_xy(f), rtm_features_npoints(f),
               rtm_features_segments_xy(f), rtm_features_nsegments(f)};
    unsigned char *inside = NULL;
    size_t cells;
    bindex ix;
    int nt = thread_count(threads), rc = 0;
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    if (!(max_dist >= 0))
        return rtm_error_set(err, RTM_ERR_ARG, "distance: max_dist must be >= 0 (got %g)",
                             max_dist);
    if (!out)
        return rtm_error_set(err, RTM_ERR_ARG, "distance: no output array");
    if (r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "distance: rows %d..%d are not a strip of the "
                             "%d rows", r0, r1 - 1, g->nrows);
    if (c0 < 0 || c1 <= c0 || c1 > g->ncols)
        return rtm_error_set(err, RTM_ERR_ARG, "distance: columns %d..%d are not a window of "
                             "the %d columns", c0, c1 - 1, g->ncols);
    cells = (size_t)(r1 - r0) * (size_t)g->ncols;
    if (rtm_features_npolygons(f) > 0) {
        if (!(inside = calloc(cells, 1)))
            return rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (%zu cells)",
                                 cells);
        if ((rc = inside_mask(g, f, nt, r0, r1, inside, err)))
            goto done;
    }
    if (P.npt + P.nseg == 0) {
        fill_none(cells, inside, out);
        goto done;
    }
    if ((rc = bindex_build(&ix, &P, err)))
        goto done;
    if (c0 > 0 || c1 < g->ncols) /* the blocks outside the window are not computed */
        fill_none(cells, NULL, out);
    job J = {g, &P, &ix, inside, max_dist, out, r0, r1, c0 / TILE * TILE, c1};
    if (tiles_run(&J, nt, P.npt + P.nseg))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "distance: out of memory (tile scratch)");
    bindex_free(&ix);
done:
    free(inside);
    return rc;
}

int rtm_distance_compute(const rtm_grid *g, const rtm_features *f, double max_dist,
                         int threads, double *out, rtm_error *err)
{
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    return rtm_distance_compute_rows(g, f, max_dist, threads, 0, g->nrows, out, err);
}

int rtm_distance_nearest_neighbours(const double *xy, size_t n, int threads, double *nn_out,
                                    rtm_error *err)
{
    prims P = {xy, n, NULL, 0};
    bindex ix;
    if (n < 2)
        return rtm_error_set(err, RTM_ERR_ARG, "distance: need at least 2 points (got %zu)", n);
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return rtm_error_set(err, RTM_ERR_INPUT, "distance: point %zu is not finite", i / 2);
    if (bindex_build(&ix, &P, err))
        return RTM_ERR_NOMEM;
#pragma omp parallel for schedule(static) num_threads(thread_count(threads))
    for (size_t i = 0; i < n; i++)
        nn_out[i] = sqrt(nearest_d2(&ix, &P, xy[2 * i], xy[2 * i + 1], INFINITY, i));
    bindex_free(&ix);
    return 0;
}
