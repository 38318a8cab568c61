/* kde_poly.c: row sums of the polynomial kernels A (1 - u^2)^m by
 * add-only segment polynomials with one-sided events (this project's
 * method).
 *
 * Along one grid row, at squared vertical distance dy^2 from a point, the
 * point's kernel is, in column units (cp = the point's column coordinate,
 * h^2 = (r^2 - dy^2)/res^2, rho = r/res),
 *     amp ((h^2 - (j - cp)^2) / rho^2)^m,
 * a polynomial of degree 2m in the column index j. The row is cut into
 * segments of S columns; segment s holds columns sS .. sS + S - 1 and its
 * local variable t = j - c_s, c_s = sS + (S - 1)/2 its centre, so
 * |t| <= (S - 1)/2. With q = cp - c_s,
 *     h^2 - (t - q)^2 = H + B t - t^2,   H = h^2 - q^2,  B = 2q,
 * and (H + B t - t^2)^m is expanded binomially (degree <= 6).
 *
 * The core of a point's chord, columns cl..cr (1 - u^2 >= beta0, see
 * kde.c), is split at the segment boundaries into
 *   - a HEAD: columns cl .. the end of cl's segment; the point's
 *     coefficients (in that segment's variable) are added to pre[cl];
 *   - WHOLE segments in between: added to full[segment];
 *   - a TAIL: the start of cr's segment .. cr; added to suf[cr].
 * At the end of the row each segment's pre[] is summed from its first
 * column forward and its suf[] from its last column backward, so column j
 * receives exactly the points whose event lies in its segment at or before
 * j (pre) or at or after j (suf), plus the whole-segment ones: exactly the
 * points whose core covers j. Nothing is ever subtracted and no sum
 * crosses a segment boundary, so no rounding travels along a row, and a
 * column no point reaches stays exactly 0. The sum is evaluated with
 * Horner. The chord's fringe outside the core, and a core inside one
 * segment (short chords, near the top and bottom of a disc), are summed
 * cell by cell with the reference formula and the exact support predicate
 * of rtm/surface.h.
 *
 * S is the power of two <= rho, from 4 to 32.
 *
 * The leading coefficient (of t^2m) of every event is a (-1)^m. When all
 * points weigh the same (unweighted input), it is not summed at all: the
 * row counts, in integers, the event chords covering each column (+1 where
 * one starts, -1 after it ends, a running sum along the row: exact) and
 * multiplies the count by a; the other coefficients are summed for a = 1
 * and multiplied by a once per column.
 *
 * Accuracy. An event is added only to columns its core covers. Where a
 * segment holds a column near the edge of a point's support, |q| lies
 * within S/2 of h <= rho, so |H|, |B t| <= ~rho S and t^2 <= S^2/4: the
 * monomials of H + B t - t^2 sum in absolute value to at most ~3 rho S
 * <= 3 rho^2 (S <= rho), against a value rho^2 (1 - u^2) >= rho^2 beta0;
 * deeper inside the support the value is larger still. A contribution is
 * therefore rounded to about 10 eps (3/beta0)^m of itself: < 1e-10 for the
 * beta0 of kde.c (m = 1: 0.001, 2: 0.02, 3: 0.1); the tests compare with
 * the brute force at 1e-9 (and the engine is within 1e-14 of a long double
 * reference on the segment sweep). The fringe is the reference
 * formula itself. Every value is clamped at >= 0.
 *
 * Speed. A row's points are taken in chunks: pass 1 decides for a whole
 * chunk at once (vectorised across points) which points take the common
 * path -- chord inside the grid, core reaching to within two columns of
 * each end of the chord's candidate columns and spanning two segments or
 * more -- and computes their two fringe values; pass 2 adds those and
 * the events (for the quartic, the default, the head, tail and two whole
 * segments computed side by side in one vector). On the benchmark
 * (rho = 40) that is 11.3 G instructions where the former engine (whole
 * segments of 16, partial segments cell by cell) needed 31 G; the one
 * before it (a 128-bit fixed-point difference array) needed integers
 * because a floating running sum carried along a row drifted.
 */
#include "surface/kde_priv.h"

/* The cell-by-cell loops select with a comparison (the support predicate);
 * GCC if-converts, and so vectorises, them only when comparisons may not
 * trap. No floating-point result changes (it only lets the compiler assume
 * that exception flags are not inspected). */
#pragma GCC optimize("no-trapping-math", "no-math-errno", "fp-contract=off")

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KDE_SEG_MAX 32 /* longest segment (see the header comment) */
#define KDE_MAX_COEF 7 /* degree 6 for the triweight */
#define KDE_CHUNK 64   /* points per pass of the common path */

/* Doubles per column in pre, suf and full: the 2M coefficients below the
 * leading one (which is kept apart, in prel, sufl, fulll), padded to a
 * power of two so that a column's coefficients sit in one aligned block. */
#define KB(M) ((M) == 3 ? 8 : 2 * (M))

typedef double kde_v4d __attribute__((vector_size(32)));

static double *zalloc(size_t n)
{
    double *d = aligned_alloc(64, ((n * sizeof *d + 63) / 64) * 64);
    if (d)
        memset(d, 0, n * sizeof *d);
    return d;
}

int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double x0, double res)
{
    int e;
    size_t ncell;
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->x0 = x0;
    p->res = res;
    p->m = m;
    p->invm = 1.0;
    for (e = 1; e <= m; e++)
        p->invm *= 1.0 / (rho * rho);
    /* S: the power of two <= rho, from 4 to KDE_SEG_MAX */
    p->seg_shift = 2;
    while ((1 << (p->seg_shift + 1)) <= KDE_SEG_MAX && (double)(1 << (p->seg_shift + 1)) <= rho)
        p->seg_shift++;
    p->nseg = (ncols + (1 << p->seg_shift) - 1) >> p->seg_shift;
    ncell = (size_t)p->nseg << p->seg_shift;
    p->xc = malloc((size_t)ncols * sizeof *p->xc);
    p->pre = zalloc(ncell * KB(3));
    p->suf = zalloc(ncell * KB(3));
    p->prel = zalloc(ncell);
    p->sufl = zalloc(ncell);
    /* one spare segment: the common path's target for an absent one */
    p->full = zalloc(((size_t)p->nseg + 1) * KB(3));
    p->fulll = zalloc((size_t)p->nseg + 1);
    p->cover = calloc(ncell + 1, sizeof *p->cover);
    p->used = calloc((size_t)p->nseg + 1, 1);
    if (!p->xc || !p->pre || !p->suf || !p->prel || !p->sufl || !p->full || !p->fulll ||
        !p->cover || !p->used) {
        kde_poly_free(p);
        return -1;
    }
    for (e = 0; e < ncols; e++)
        p->xc[e] = x0 + ((double)e + 0.5) * res;
    return 0;
}

void kde_poly_free(kde_poly_row *p)
{
    free(p->xc);
    free(p->pre);
    free(p->suf);
    free(p->prel);
    free(p->sufl);
    free(p->full);
    free(p->fulll);
    free(p->cover);
    free(p->used);
    memset(p, 0, sizeof *p);
}

/* Add a (H + B t - t^2)^M, a = amp rho^-2m, H = h2 - q^2, B = 2 q: the
 * coefficients of t^0 .. t^(2M-1) to e[], the leading one, a (-1)^M, to
 * *lead. The expansions (binomial):
 *   M = 1:  H + B t - t^2
 *   M = 2:  H^2 + 2HB t + (B^2 - 2H) t^2 - 2B t^3 + t^4
 *   M = 3:  H^3 + 3H^2B t + 3H(B^2 - H) t^2 + B(B^2 - 6H) t^3
 *           + 3(H - B^2) t^4 + 3B t^5 - t^6 */
static inline __attribute__((always_inline)) void event_add(int M, int U, double *restrict e,
                                                            double *restrict lead, double q,
                                                            double h2, double a)
{
    double H = h2 - q * q, B = 2.0 * q, B2;
    switch (M) {
    case 0:
        break;
    case 1:
        e[0] += a * H;
        e[1] += a * B;
        break;
    case 2:
        e[0] += a * (H * H);
        e[1] += a * (2.0 * H * B);
        e[2] += a * (B * B - 2.0 * H);
        e[3] += -(a * (2.0 * B));
        break;
    default:
        B2 = B * B;
        e[0] += a * (H * H * H);
        e[1] += a * (3.0 * H * H * B);
        e[2] += a * (3.0 * H * (B2 - H));
        e[3] += a * (B * (B2 - 6.0 * H));
        e[4] += a * (3.0 * (H - B2));
        e[5] += a * (3.0 * B);
    }
    if (!U)
        *lead += M & 1 ? -a : a;
}

/* Mark the segments a chord's events over columns cl..cr touch, and the
 * one holding cover[cr + 1] (its end mark): finish_m skips the others,
 * which hold no event and so would add exactly 0 to their columns. */
static inline void mark_used(kde_poly_row *p, int cl, int cr)
{
    int s, sb = (cr + 1) >> p->seg_shift;
    if (sb > p->nseg - 1)
        sb = p->nseg - 1;
    for (s = cl >> p->seg_shift; s <= sb; s++)
        p->used[s] = 1;
}

/* A point's events over its core cl..cr, which spans segments sa < sb:
 * head at cl, whole segments sa+1 .. sb-1, tail at cr; q = cp - c_sa. */
static inline __attribute__((always_inline)) void events_m(int M, int U, kde_poly_row *p, int cl,
                                                           int cr, double q, double h2,
                                                           double a)
{
    const int sh = p->seg_shift, sa = cl >> sh, sb = cr >> sh;
    int s;
    if (p->sparse)
        mark_used(p, cl, cr);
    if (U) {
        p->cover[cl]++;
        p->cover[cr + 1]--;
    }
    event_add(M, U, p->pre + (size_t)cl * KB(M), p->prel + cl, q, h2, a);
    for (s = sa + 1; s < sb; s++)
        event_add(M, U, p->full + (size_t)s * KB(M), p->fulll + s, q - (double)((s - sa) << sh),
                  h2, a);
    event_add(M, U, p->suf + (size_t)cr * KB(M), p->sufl + cr, q - (double)((sb - sa) << sh), h2,
              a);
}

/* events_m for M = 2 (the quartic): head, first whole segment, tail and
 * second whole segment, whose q (cp - the centre of their segment) are
 * the lanes of qv, computed side by side with the operations of
 * event_add (so the same roundings), then transposed so that each event's
 * four coefficients are added to its column at once. An absent whole
 * segment is given the spare segment nseg (never read), so there is no
 * branch for the usual 0 to 2 of them; f1, f2 are the whole segments'
 * indices, qp the four q (32-byte aligned). */
static inline __attribute__((always_inline)) void events_quartic(
    int U, int *restrict cover, double *restrict pre, double *restrict prel,
    double *restrict suf, double *restrict sufl, double *restrict full, double *restrict fulll,
    int cl, int cr, int f1, int f2, const double *qp, double h2, double a)
{
    typedef long long v4i __attribute__((vector_size(32)));
    const kde_v4d qv = *(const kde_v4d *)qp;
    const kde_v4d H = h2 - qv * qv, B = 2.0 * qv;
    const kde_v4d c0 = a * (H * H), c1 = a * (2.0 * H * B), c2 = a * (B * B - 2.0 * H);
    const kde_v4d c3 = -(a * (2.0 * B));
    const kde_v4d u0 = __builtin_shuffle(c0, c1, (v4i){0, 4, 2, 6});
    const kde_v4d u1 = __builtin_shuffle(c0, c1, (v4i){1, 5, 3, 7});
    const kde_v4d u2 = __builtin_shuffle(c2, c3, (v4i){0, 4, 2, 6});
    const kde_v4d u3 = __builtin_shuffle(c2, c3, (v4i){1, 5, 3, 7});
    *(kde_v4d *)(pre + (size_t)cl * 4) += __builtin_shuffle(u0, u2, (v4i){0, 1, 4, 5});
    *(kde_v4d *)(full + (size_t)f1 * 4) += __builtin_shuffle(u1, u3, (v4i){0, 1, 4, 5});
    *(kde_v4d *)(suf + (size_t)cr * 4) += __builtin_shuffle(u0, u2, (v4i){2, 3, 6, 7});
    *(kde_v4d *)(full + (size_t)f2 * 4) += __builtin_shuffle(u1, u3, (v4i){2, 3, 6, 7});
    if (U) {
        cover[cl]++;
        cover[cr + 1]--;
    } else {
        prel[cl] += a;
        fulll[f1] += a;
        sufl[cr] += a;
        fulll[f2] += a;
    }
}

/* Sum every segment's events (full, pre forward, suf backward), evaluate
 * at its columns, row[j] += value, and leave the accumulators zeroed. With
 * U (every point of equal weight), the leading coefficient at column j is
 * lead0 times the number of event chords covering j: the running sum of
 * cover[] along the row, exact in integers. */
static inline __attribute__((always_inline)) void finish_m(int M, int U, kde_poly_row *p,
                                                           double *row)
{
    const int ns = p->nseg, S = 1 << p->seg_shift, nc = 2 * M + 1, ncols = p->ncols;
    const double half = 0.5 * (S - 1), lead0 = M & 1 ? -p->lead0 : p->lead0;
    double c[KDE_SEG_MAX][KDE_MAX_COEF];
    int s, t, k;
    long cov = 0;
    for (s = 0; s < ns; s++) {
        double run[KDE_MAX_COEF];
        const int j0 = s * S, n = j0 + S <= ncols ? S : ncols - j0;
        double *restrict pre = p->pre + (size_t)j0 * KB(M);
        double *restrict suf = p->suf + (size_t)j0 * KB(M);
        double *restrict prel = p->prel + j0, *restrict sufl = p->sufl + j0;
        double *restrict full = p->full + (size_t)s * KB(M);
        int *restrict cover = p->cover + j0;
        if (p->sparse) {
            if (!p->used[s])
                continue; /* no event: every column would receive exactly 0 */
            p->used[s] = 0;
        }
#pragma GCC unroll 8
        for (k = 0; k < 2 * M; k++) {
            run[k] = full[k];
            full[k] = 0.0;
        }
        run[2 * M] = p->fulll[s];
        p->fulll[s] = 0.0;
        for (t = 0; t < S; t++) {
#pragma GCC unroll 8
            for (k = 0; k < 2 * M; k++) {
                run[k] += pre[t * KB(M) + k];
                pre[t * KB(M) + k] = 0.0;
                c[t][k] = run[k];
            }
            if (U) {
                cov += cover[t];
                cover[t] = 0;
                c[t][2 * M] = lead0 * (double)cov;
            } else {
                run[2 * M] += prel[t];
                prel[t] = 0.0;
                c[t][2 * M] = run[2 * M];
            }
        }
#pragma GCC unroll 8
        for (k = 0; k < nc; k++)
            run[k] = 0.0;
        for (t = S - 1; t >= 0; t--) {
#pragma GCC unroll 8
            for (k = 0; k < 2 * M; k++) {
                run[k] += suf[t * KB(M) + k];
                suf[t * KB(M) + k] = 0.0;
                c[t][k] += run[k];
            }
            if (!U) {
                run[2 * M] += sufl[t];
                sufl[t] = 0.0;
                c[t][2 * M] += run[2 * M];
            }
        }
        for (t = 0; t < n; t++) {
            double tt = (double)t - half, v = c[t][nc - 1];
            if (U)
#pragma GCC unroll 8
                for (k = 0; k < 2 * M; k++)
                    c[t][k] *= p->lead0;
#pragma GCC unroll 8
            for (k = nc - 2; k >= 0; k--)
                v = v * tt + c[t][k];
            row[j0 + t] += v > 0.0 ? v : 0.0;
        }
    }
    /* the spare segment collects absent whole segments: clear it; a chord
     * ending on the last column marks cover[ncols] */
    memset(p->full + (size_t)ns * KB(M), 0, KB(M) * sizeof *p->full);
    p->fulll[ns] = 0.0;
    p->cover[(size_t)ns * S] = 0;
}

/* floor(v) for |v| < 2^31 (the caller keeps every point within rho + 2
 * cells of the grid, rho <= 1e6): truncate, then step down for negatives. */
static inline int ifloor(double v)
{
    int i = (int)v;
    return i - (v < (double)i);
}

/* amp (1 - d^2/r^2)^M with d^2 = (xj - px)^2 + dy2 if d^2 <= r^2 (the exact
 * predicate of rtm/surface.h), else 0. 1 - d^2/r^2 is formed as
 * (r^2 - d^2)/r^2: exact subtraction near the edge. */
static inline __attribute__((always_inline)) double kern_m(int M, double xj, double px,
                                                           double dy2, double amp, double r2,
                                                           double ir2)
{
    double dx = xj - px, d2 = dx * dx + dy2;
    double b = (r2 - d2) * ir2, v = amp;
    if (M >= 1)
        v *= b;
    if (M >= 2)
        v *= b;
    if (M >= 3)
        v *= b;
    return v * (d2 <= r2 ? 1.0 : 0.0);
}

/* kern_m on columns j0..j1 (the cell x exactly as rtm_grid_cell_x forms it). */
static inline __attribute__((always_inline)) void direct_m(int M, const kde_poly_row *p,
                                                           const kde_row_job *jb, double *row,
                                                           int j0, int j1, double px, double dy2,
                                                           double amp)
{
    const double ir2 = jb->ir2, r2 = jb->r2, *xc = p->xc;
    int j;
#pragma omp simd
    for (j = j0; j <= j1; j++)
        row[j] += kern_m(M, xc[j], px, dy2, amp, r2, ir2);
}

/* One point on one row, any case. Candidate columns jl..jr: sqrt gives
 * the half-chord to within rounding, one spare column each side. The core
 * cl..cr (1 - u^2 >= beta0, and at least 2 columns inside the candidates,
 * so surely inside the support, clipped to the grid) goes through the
 * events when it spans two segments or more; everything else (fringe,
 * spare columns, a core inside one segment) is summed cell by cell. */
static inline __attribute__((always_inline)) void point_m(int M, int U, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k)
{
    double dy = jb->yc - jb->y[k], dy2 = dy * dy, ires = jb->ires, hh, hc2, hc;
    double px = jb->x[k], cp = jb->cp[k], amp = jb->amp[k];
    const int sh = p->seg_shift, S = 1 << sh;
    int jl, jr, cl = 1, cr = 0;
    if (dy2 > jb->r2 || amp == 0.0)
        return;
    hh = sqrt(jb->r2 - dy2) * ires;
    jl = ifloor(cp - hh);
    jr = ifloor(cp + hh) + 1;
    if (jr < 0 || jl > p->ncols - 1)
        return;
    hc2 = jb->core_r2 - dy2;
    if (hc2 > 0) {
        hc = sqrt(hc2) * ires;
        cl = -ifloor(hc - cp); /* ceil(cp - hc) */
        cr = ifloor(cp + hc);
        cl = cl < jl + 2 ? jl + 2 : cl;
        cr = cr > jr - 2 ? jr - 2 : cr;
        cl = cl < 0 ? 0 : cl;
        cr = cr > p->ncols - 1 ? p->ncols - 1 : cr;
    }
    jl = jl < 0 ? 0 : jl;
    jr = jr > p->ncols - 1 ? p->ncols - 1 : jr;
    if (cl > cr || (cl >> sh) == (cr >> sh)) {
        direct_m(M, p, jb, row, jl, jr, px, dy2, amp);
        return;
    }
    events_m(M, U, p, cl, cr, cp - ((double)((cl >> sh) << sh) + 0.5 * (S - 1)),
             (jb->r2 - dy2) * (ires * ires), U ? 1.0 : amp * p->invm);
    direct_m(M, p, jb, row, jl, cl - 1, px, dy2, amp);
    direct_m(M, p, jb, row, cr + 1, jr, px, dy2, amp);
}

/* Points k0 .. k0 + n - 1 of a row (n <= KDE_CHUNK). The common path: the
 * candidate columns jl..jr inside the grid, the spare columns jl and jr
 * outside the support (the exact predicate; sqrt puts them there unless a
 * cell lies at exactly distance r or rounding decides), the core reaching
 * jl + 2 and jr - 2 and spanning two segments or more. Its core is then
 * taken as exactly jl + 2 .. jr - 2 and its fringe is the two cells
 * jl + 1 and jr - 1. Pass 1 decides this for the whole chunk (vectorised
 * across points) and computes the two fringe values (kern_m; jl + 1.5 is
 * formed from floor() directly, the same double as (double)(jl + 1) + 0.5);
 * pass 2 adds them and the events, and sends the other points through
 * point_m. */
static inline __attribute__((always_inline)) void chunk_m(int M, int U, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k0, int n)
{
    const double *restrict xs = jb->x + k0, *restrict ys = jb->y + k0, *restrict cps = jb->cp + k0;
    const double *restrict amps = jb->amp + k0;
    const double yc = jb->yc, r2 = jb->r2, cr2 = jb->core_r2, ires = jb->ires, ir2 = jb->ir2;
    const double x0 = p->x0, res = p->res, lim = (double)(p->ncols - 1), invm = p->invm;
    const int sh = p->seg_shift;
    const double half = 0.5 * ((1 << sh) - 1);
    const int ns = p->nseg;
    const double S = (double)(1 << sh);
    int jl[KDE_CHUNK], jr[KDE_CHUNK], fast[KDE_CHUNK], f1[KDE_CHUNK], f2[KDE_CHUNK], nx[KDE_CHUNK];
    int i;
    double *pre = p->pre, *suf = p->suf, *full = p->full; /* (point_m writes them too) */
    double *prel = p->prel, *sufl = p->sufl, *fulll = p->fulll;
    double wl[KDE_CHUNK], wr[KDE_CHUNK], h2s[KDE_CHUNK], as[KDE_CHUNK];
    double qv[KDE_CHUNK][4] __attribute__((aligned(32)));
#pragma omp simd
    for (i = 0; i < n; i++) {
        double dy = yc - ys[i], dy2 = dy * dy, e2 = r2 - dy2, c2 = cr2 - dy2;
        double hh = sqrt(e2 > 0.0 ? e2 : 0.0) * ires, cp = cps[i];
        double fl = floor(cp - hh), fr = floor(cp + hh) + 1.0, amp = amps[i], px = xs[i];
        /* the core reaches jl + 2 and jr - 2: hc >= d, hc^2 = c2 / res^2 */
        double d1 = cp - (fl + 2.0), d2 = (fr - 2.0) - cp, d = d1 > d2 ? d1 : d2, q;
        int l = (int)(fl >= 0.0 ? fl : 0.0), r = (int)(fr <= lim ? fr : lim);
        int sa = (l + 2) >> sh, sb = (r - 2) >> sh;
        /* the spare columns jl, jr: outside the support (as sqrt says,
         * unless rounding or an exact distance r) */
        double dxl = (x0 + (fl + 0.5) * res) - px, dxr = (x0 + (fr + 0.5) * res) - px;
        /* 1: the common path; 0: point_m; -1: nothing on this row */
        fast[i] = (c2 > 0.0) & (amp != 0.0) & (fl >= 0.0) & (fr <= lim) &
                  ((d <= 0.0) | (d * d <= c2 * (ires * ires))) & (sa < sb) &
                  (dxl * dxl + dy2 > r2) & (dxr * dxr + dy2 > r2);
        fast[i] -= (e2 < 0.0) | (amp == 0.0);
        jl[i] = l;
        jr[i] = r;
        h2s[i] = e2 * (ires * ires);
        as[i] = amp * invm; /* (with U, 1: finish_m scales by lead0) */
        /* the events' segments: head sa, whole sa + 1, sa + 2 (or the
         * spare one), tail sb; q = cp - the centre of segment sa */
        nx[i] = sb - sa;
        f1[i] = sa + 1 < sb ? sa + 1 : ns;
        f2[i] = sa + 2 < sb ? sa + 2 : ns;
        q = cp - ((double)(sa << sh) + half);
        qv[i][0] = q;
        qv[i][1] = q - S;
        qv[i][2] = q - (double)(sb - sa) * S; /* = (sb - sa) << sh, exactly */
        qv[i][3] = q - 2.0 * S;
        wl[i] = kern_m(M, x0 + (fl + 1.5) * res, px, dy2, amp, r2, ir2);
        wr[i] = kern_m(M, x0 + (fr - 0.5) * res, px, dy2, amp, r2, ir2);
    }
    for (i = 0; i < n; i++) {
        int l, r, s;
        if (fast[i] <= 0) {
            if (fast[i] == 0)
                point_m(M, U, p, jb, row, k0 + (size_t)i);
            continue;
        }
        l = jl[i];
        r = jr[i];
        if (M == 2) {
            if (p->sparse)
                mark_used(p, l + 2, r - 2);
            events_quartic(U, p->cover, pre, prel, suf, sufl, full, fulll, l + 2, r - 2, f1[i],
                           f2[i], qv[i], h2s[i], U ? 1.0 : as[i]);
            if (nx[i] > 3) { /* more than two whole segments (rho > ~2S) */
                const int sa = (l + 2) >> sh;
                for (s = sa + 3; s < sa + nx[i]; s++)
                    event_add(2, U, full + (size_t)s * 4, fulll + s,
                              qv[i][0] - (double)((s - sa) << sh), h2s[i], U ? 1.0 : as[i]);
            }
        } else
            events_m(M, U, p, l + 2, r - 2, qv[i][0], h2s[i], U ? 1.0 : as[i]);
        row[l + 1] += wl[i];
        row[r - 1] += wr[i];
    }
}

static inline __attribute__((always_inline)) void row_m(int M, int U, kde_poly_row *p,
                                                        const kde_row_job *jb, double *row)
{
    size_t k;
    for (k = jb->p0; k < jb->p1; k += KDE_CHUNK)
        chunk_m(M, U, p, jb, row, k, jb->p1 - k < KDE_CHUNK ? (int)(jb->p1 - k) : KDE_CHUNK);
    finish_m(M, U, p, row);
}

/* An AVX2 clone for the vector loops (no FMA: fp-contract is off above, so
 * both clones round identically). */
__attribute__((target_clones("avx2", "default")))
void kde_poly_row_compute(kde_poly_row *p, const kde_row_job *job, double *row)
{
    if (p->lead0 > 0.0)
        switch (p->m) {
        case 0: row_m(0, 1, p, job, row); break;
        case 1: row_m(1, 1, p, job, row); break;
        case 2: row_m(2, 1, p, job, row); break;
        default: row_m(3, 1, p, job, row); break;
        }
    else
        switch (p->m) {
        case 0: row_m(0, 0, p, job, row); break;
        case 1: row_m(1, 0, p, job, row); break;
        case 2: row_m(2, 0, p, job, row); break;
        default: row_m(3, 0, p, job, row); break;
        }
}
