/* kde_poly.c: exact row sums of the polynomial kernels A (1 - u^2)^m.
 *
 * Along one grid row, a point's kernel is, in column units,
 *     amp (1 - ((j - cp)^2 + eta^2) / rho^2)^m = amp ((h2n - (j - cp)^2) / rho^2)^m,
 * a polynomial of degree 2m in the column index j. Each point adds its
 * polynomial to a difference array at its first column and subtracts it
 * after its last one; a prefix sum along the row then holds, at every column,
 * the sum of the polynomials active there, evaluated with Horner. This is the
 * "sliding sum of polynomials" behind exact summed-area filters (Heckbert
 * 1986, "Filtering by repeated integration").
 *
 * Rounding, and why the accumulator is made of integers:
 *  - Global powers (j^4 with j ~ 1e3, or CRS coordinates with x^4 ~ 1e23)
 *    would cancel catastrophically, so every polynomial is written in a
 *    SEGMENT-LOCAL variable tau = (j - base(s)) / S, base(s) = s S + S/2 the
 *    centre of segment s of S columns (S a power of two, rho/8 < S <= rho/4),
 *    |tau| <= 1/2. Moving the running sum to the next segment is the Taylor
 *    shift tau -> tau' + 1.
 *  - In floating point that is still not enough on real data: along a row
 *    that is never empty (2400 columns of background offences), the rounding
 *    of the running sum's high coefficients is carried by every shift and
 *    grows like (distance / S)^(2m); with rho = 40 cells it reached 3e-5 of
 *    the value. So the difference array and the running sum hold FIXED-POINT
 *    128-bit integers (units of 2^-64 of the largest amplitude): additions and
 *    shifts by whole segments (integer binomial sums) are exact, and each
 *    point's removal is the exact integer shift of what it added, so nothing
 *    of a finished point remains. The only rounding is the conversion of each
 *    point's coefficients (once, a few ulps of its own amplitude, and at most
 *    2^-64 of the largest) and the final Horner evaluation in double.
 *  - A polynomial written about the segment where a chord starts carries a
 *    few ulps of its PEAK (of order 8^m ulps at the far end of the chord),
 *    which is not small relative to (1 - u^2)^m near the edge, so the fringe
 *    (1 - u^2 < beta0) and the one spare column each side are summed cell by
 *    cell with the exact support predicate of rtm_kde.h.
 * An integer count of active chords gives exact zeros where none is active.
 */
#include "kde_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KDE_DIRECT_MAX 16 /* cores shorter than this are summed cell by cell */
#define KDE_MAX_COEF 7    /* degree 6 for the triweight */

int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double amp_max)
{
    int e;
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->m = m;
    p->ncoef = 2 * m + 1;
    /* S = the power of two in (rho/2, rho], at least 4 */
    p->seg_shift = 2;
    while ((double)(1 << (p->seg_shift + 1)) <= rho && p->seg_shift < 20)
        p->seg_shift++;
    p->seg = 1 << p->seg_shift;
    p->inv = 1.0 / (rho * rho);
    /* fixed point: the largest amplitude is 2^59 .. 2^60 units (a power of
     * two, so scaling is exact). A point's coefficients in its own frame are
     * below 9^3 amplitudes (< 2^70 units), so up to 2^24 points may overlap
     * one cell within the 2^94 that quant() and to_double() accept. */
    frexp(amp_max > 0 ? amp_max : 1.0, &e);
    p->scale = ldexp(1.0, 60 - e);
    p->unscale = ldexp(1.0, e - 60);
    p->diff = calloc(((size_t)ncols + 1) * (size_t)p->ncoef, sizeof *p->diff);
    p->dcnt = calloc((size_t)ncols + 1, sizeof *p->dcnt);
    if (!p->diff || !p->dcnt) {
        kde_poly_free(p);
        return -1;
    }
    return 0;
}

void kde_poly_free(kde_poly_row *p)
{
    free(p->diff);
    free(p->dcnt);
    p->diff = NULL;
    p->dcnt = NULL;
}

/* Round toward zero to a 128-bit integer; |v| < 2^94. hi = trunc(v 2^-32);
 * the rest v - hi 2^32 (|.| < 2^32, same sign) is exact: it is a multiple of
 * ulp(v) smaller than 2^53 ulp(v). Two signed conversions, no branch. */
static inline kde_i128 quant(double v)
{
    int64_t hi = (int64_t)(v * 0x1p-32);
    int64_t lo = (int64_t)(v - (double)hi * 0x1p32);
    return (kde_i128)((unsigned __int128)(kde_i128)hi << 32) + lo;
}

/* Nearest double (to 1 ulp) of |v| < 2^94: high and low 32-bit parts. */
static inline double to_double(kde_i128 v)
{
    int64_t hi = (int64_t)(v >> 32);
    int64_t lo = (int64_t)(uint32_t)v; /* v - hi 2^32, in [0, 2^32) */
    return (double)hi * 0x1p32 + (double)lo;
}

/* Coefficients (ascending powers of tau) of s (a + b tau + c tau^2)^M,
 * M = 0..3, a compile-time constant at every call (always inlined). */
static inline __attribute__((always_inline)) void power_coefs(int M, double a, double b,
                                                              double c, double s, double *o)
{
    double p0, p1, p2, p3, p4;
    if (M == 0) {
        o[0] = s;
        return;
    }
    if (M == 1) {
        o[0] = s * a;
        o[1] = s * b;
        o[2] = s * c;
        return;
    }
    p0 = a * a;
    p1 = 2.0 * a * b;
    p2 = b * b + 2.0 * a * c;
    p3 = 2.0 * b * c;
    p4 = c * c;
    if (M == 2) {
        o[0] = s * p0;
        o[1] = s * p1;
        o[2] = s * p2;
        o[3] = s * p3;
        o[4] = s * p4;
        return;
    }
    o[0] = s * (p0 * a);
    o[1] = s * (p0 * b + p1 * a);
    o[2] = s * (p0 * c + p1 * b + p2 * a);
    o[3] = s * (p1 * c + p2 * b + p3 * a);
    o[4] = s * (p2 * c + p3 * b + p4 * a);
    o[5] = s * (p3 * c + p4 * b);
    o[6] = s * (p4 * c);
}

/* P(tau) -> P(tau + d), exactly, for an integer d >= 0: d shifts by one,
 * each a repeated synthetic division (Knuth TAOCP vol. 2, 4.6.4) made of
 * additions only. d is small: a core spans at most 2 rho / S + 1 <= 5
 * segments. */
static inline __attribute__((always_inline)) void shift_exact(int M, kde_i128 *c, int d)
{
    int i, k;
    for (; d > 0; d--)
#pragma GCC unroll 8
        for (i = 0; i < 2 * M; i++)
#pragma GCC unroll 8
            for (k = 2 * M - 1; k >= i; k--)
                c[k] += c[k + 1];
}

/* Add amp ((h2n - (j - cp)^2) / rho^2)^M on columns lo..hi: in the frame of
 * lo's segment, tau = (j - base)/S, q = cp - base:
 *   (h2n - (S tau - q)^2)/rho^2 = a + b tau + c tau^2,
 *   a = (h2n - q^2)/rho^2, b = 2 q S/rho^2, c = -S^2/rho^2. */
static inline __attribute__((always_inline)) void add_m(int M, kde_poly_row *p, int lo, int hi,
                                                        double cp, double h2n, double amp)
{
    double d[KDE_MAX_COEF], S = (double)p->seg;
    double q = cp - (double)(((lo >> p->seg_shift) << p->seg_shift) + (p->seg >> 1));
    kde_i128 c[KDE_MAX_COEF], *o;
    int k, end = hi + 1;
    power_coefs(M, (h2n - q * q) * p->inv, 2.0 * q * S * p->inv, -S * S * p->inv,
                amp * p->scale, d);
    o = p->diff + (size_t)lo * (2 * M + 1);
#pragma GCC unroll 8
    for (k = 0; k < 2 * M + 1; k++) {
        c[k] = quant(d[k]);
        o[k] += c[k];
    }
    p->dcnt[lo]++;
    p->dcnt[end]--;
    if (end >= p->ncols)
        return; /* runs to the end of the row: nothing to remove */
    k = (end >> p->seg_shift) - (lo >> p->seg_shift);
    if (k > 0)
        shift_exact(M, c, k);
    o = p->diff + (size_t)end * (2 * M + 1);
#pragma GCC unroll 8
    for (k = 0; k < 2 * M + 1; k++)
        o[k] -= c[k];
}

/* Prefix-sum the row and evaluate: row[j] += value (never negative). */
static inline __attribute__((always_inline)) void finish_m(int M, kde_poly_row *p, double *row)
{
    const int nc = 2 * M + 1, S = p->seg;
    const double invS = 1.0 / S;
    kde_i128 run[KDE_MAX_COEF] = {0};
    int cnt = 0, s0, j, k;
    for (s0 = 0; s0 < p->ncols; s0 += S) {
        int end = s0 + S < p->ncols ? s0 + S : p->ncols;
        double base = (double)(s0 + S / 2);
        if (cnt > 0)
            shift_exact(M, run, 1);
        for (j = s0; j < end; j++) {
            kde_i128 *d = p->diff + (size_t)j * nc;
            double v, t;
#pragma GCC unroll 8
            for (k = 0; k < nc; k++) {
                run[k] += d[k];
                d[k] = 0;
            }
            cnt += p->dcnt[j];
            p->dcnt[j] = 0;
            if (cnt == 0)
                continue; /* run is exactly 0 here */
            t = ((double)j - base) * invS;
            v = to_double(run[nc - 1]);
#pragma GCC unroll 8
            for (k = nc - 2; k >= 0; k--)
                v = v * t + to_double(run[k]);
            if (v > 0.0)
                row[j] += v * p->unscale;
        }
    }
#pragma GCC unroll 8
    for (k = 0; k < nc; k++)
        p->diff[(size_t)p->ncols * nc + k] = 0;
    p->dcnt[p->ncols] = 0;
}

/* floor(v) for |v| < 2^31 (the caller keeps every point within rho + 2
 * cells of the grid, rho <= 1e6): truncate, then step down for negatives. */
static inline int ifloor(double v)
{
    int i = (int)v;
    return i - (v < (double)i);
}

/* amp (1 - d^2/r^2)^M on columns j0..j1 where the exact predicate of
 * rtm_kde.h holds (the cell x computed exactly as rtm_grid_cell_x does).
 * 1 - d^2/r^2 is formed as (r^2 - d^2)/r^2: exact subtraction near the edge. */
static inline __attribute__((always_inline)) void direct_m(int M, const kde_row_job *jb,
                                                           double *row, int j0, int j1,
                                                           double px, double dy2, double amp)
{
    const double ir2 = jb->ir2;
    int j;
    for (j = j0; j <= j1; j++) {
        double dx = (jb->x0 + ((double)j + 0.5) * jb->res) - px, d2 = dx * dx + dy2;
        double b = (jb->r2 - d2) * ir2, v = amp;
        if (M >= 1)
            v *= b;
        if (M >= 2)
            v *= b;
        if (M >= 3)
            v *= b;
        if (d2 <= jb->r2)
            row[j] += v;
    }
}

/* One point on one row: candidate columns jl..jr (sqrt gives the half-chord
 * to within rounding; one spare column each side), the core (1 - u^2 >=
 * beta0, away from the spare columns) to the accumulator, the rest direct.
 * Why the fringe is direct: an accumulated polynomial carries rounding of a
 * few ulps of its PEAK (of order 8^m ulps at the far end of a chord, since it
 * is written about the segment where it starts), which is not small
 * relative to (1 - u^2)^m near the edge; cell by cell it is a few ulps of the
 * value itself. */
static inline __attribute__((always_inline)) void point_m(int M, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k)
{
    double dy = jb->yc - jb->y[k], dy2 = dy * dy, ires = jb->ires, hh, hc2, hc;
    double px = jb->x[k], cp = jb->cp[k], amp = jb->amp[k];
    int jl, jr, cl, cr;
    if (dy2 > jb->r2 || amp == 0.0)
        return;
    hh = sqrt(jb->r2 - dy2) * ires;
    jl = ifloor(cp - hh);
    jr = ifloor(cp + hh) + 1;
    if (jr < 0 || jl > p->ncols - 1)
        return;
    jl = jl < 0 ? 0 : jl;
    jr = jr > p->ncols - 1 ? p->ncols - 1 : jr;
    hc2 = jb->core_r2 - dy2;
    if (hc2 > 0) {
        hc = sqrt(hc2) * ires;
        cl = -ifloor(hc - cp); /* ceil(cp - hc) */
        cr = ifloor(cp + hc);
        cl = cl < jl + 2 ? jl + 2 : cl;
        cr = cr > jr - 2 ? jr - 2 : cr;
        if (cr - cl >= KDE_DIRECT_MAX) {
            direct_m(M, jb, row, jl, cl - 1, px, dy2, amp);
            add_m(M, p, cl, cr, cp, (jb->r2 - dy2) * (ires * ires), amp);
            direct_m(M, jb, row, cr + 1, jr, px, dy2, amp);
            return;
        }
    }
    direct_m(M, jb, row, jl, jr, px, dy2, amp);
}

static inline __attribute__((always_inline)) void row_m(int M, kde_poly_row *p,
                                                        const kde_row_job *jb, double *row)
{
    size_t k;
    for (k = jb->p0; k < jb->p1; k++)
        point_m(M, p, jb, row, k);
    finish_m(M, p, row);
}

void kde_poly_row_compute(kde_poly_row *p, const kde_row_job *job, double *row)
{
    switch (p->m) {
    case 0: row_m(0, p, job, row); break;
    case 1: row_m(1, p, job, row); break;
    case 2: row_m(2, p, job, row); break;
    default: row_m(3, p, job, row); break;
    }
}
