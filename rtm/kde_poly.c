/* kde_poly.c: exact row sums of the polynomial kernels A (1 - u^2)^m.
 *
 * Along one grid row, a point's kernel is, in column units,
 *     amp (1 - ((j - cp)^2 + eta^2) / rho^2)^m = amp inv^m (h2n - (j - cp)^2)^m,
 * a polynomial of degree 2m in the column index j (inv = 1/rho^2). Each point
 * adds its polynomial to a difference array at its first column and subtracts
 * it after its last one; a prefix sum along the row then holds, at every
 * column, the sum of the polynomials active there, evaluated with Horner.
 * This is the "sliding sum of polynomials" idea behind exact summed-area
 * filters (Heckbert 1986, "Filtering by repeated integration").
 *
 * Rounding: global column powers (j^4 with j ~ 1e3, or CRS coordinates with
 * x^4 ~ 1e23) would cancel catastrophically, so every polynomial is written
 * in a SEGMENT-LOCAL variable t = j - base(s), base(s) = s S + S/2 the centre
 * of segment s of S columns, S ~ rho/4. A point active in segment s has
 * |t - q| <= rho with q = cp - base(s), |t| <= S/2, so the sum of the absolute
 * values of its terms is at most about amp ((rho + S)/rho)^(2m), i.e. < 4 amp:
 * each polynomial is evaluated to a few ulps of its amplitude. When the
 * running sum moves to the next segment it is Taylor-shifted, t -> t' + S.
 * An integer count of active intervals makes every cell with none exactly 0
 * and resets the running polynomial there (so rounding residue of finished
 * intervals does not travel along the row).
 */
#include "kde_priv.h"

#define KDE_DIRECT_MAX 16 /* cores shorter than this are summed cell by cell */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KDE_MAX_COEF 7 /* degree 6 for the triweight */

int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho)
{
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->m = m;
    p->ncoef = 2 * m + 1;
    /* S = the power of two in (rho/8, rho/4], at least 4 */
    p->seg_shift = 2;
    while ((double)(1 << (p->seg_shift + 1)) <= rho / 4.0 && p->seg_shift < 20)
        p->seg_shift++;
    p->seg = 1 << p->seg_shift;
    p->inv = 1.0 / (rho * rho);
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

/* Coefficients (ascending powers of t) of s (a + b t - t^2)^M, M = 0..3;
 * M is a compile-time constant at every call (always inlined). */
static inline __attribute__((always_inline)) void power_coefs(int M, double a, double b,
                                                              double s, double *c)
{
    double p0, p1, p2, p3;
    if (M == 0) {
        c[0] = s;
    } else if (M == 1) {
        c[0] = s * a;
        c[1] = s * b;
        c[2] = -s;
    } else if (M == 2) {
        c[0] = s * (a * a);
        c[1] = s * (2.0 * a * b);
        c[2] = s * (b * b - 2.0 * a);
        c[3] = s * (-2.0 * b);
        c[4] = s;
    } else { /* (a + b t - t^2)^2 = p0 + p1 t + p2 t^2 + p3 t^3 + t^4, times the base */
        p0 = a * a;
        p1 = 2.0 * a * b;
        p2 = b * b - 2.0 * a;
        p3 = -2.0 * b;
        c[0] = s * (p0 * a);
        c[1] = s * (p0 * b + p1 * a);
        c[2] = s * (p1 * b + p2 * a - p0);
        c[3] = s * (p2 * b + p3 * a - p1);
        c[4] = s * (p3 * b + a - p2);
        c[5] = s * (b - p3);
        c[6] = -s;
    }
}

/* The point's polynomial in the frame of the segment holding column j:
 * (h2n - (t - q)^2)^M = (h2n - q^2 + 2 q t - t^2)^M, q = cp - base. */
static inline __attribute__((always_inline)) void frame_coefs(int M, const kde_poly_row *p,
                                                              int j, double cp, double h2n,
                                                              double s, double *c)
{
    double base = (double)(((j >> p->seg_shift) << p->seg_shift) + (p->seg >> 1));
    double q = cp - base;
    power_coefs(M, h2n - q * q, 2.0 * q, s, c);
}

static inline __attribute__((always_inline)) void add_m(int M, kde_poly_row *p, int lo, int hi,
                                                        double cp, double h2n, double amp)
{
    double c[KDE_MAX_COEF], s = amp, *d;
    int k, end = hi + 1;
    #pragma GCC unroll 8
    for (k = 0; k < M; k++)
        s *= p->inv;
    frame_coefs(M, p, lo, cp, h2n, s, c);
    d = p->diff + (size_t)lo * (2 * M + 1);
    #pragma GCC unroll 8
    for (k = 0; k < 2 * M + 1; k++)
        d[k] += c[k];
    p->dcnt[lo]++;
    p->dcnt[end]--;
    if (end >= p->ncols)
        return; /* runs to the end of the row: nothing to remove */
    if ((end >> p->seg_shift) != (lo >> p->seg_shift))
        frame_coefs(M, p, end, cp, h2n, s, c);
    d = p->diff + (size_t)end * (2 * M + 1);
    #pragma GCC unroll 8
    for (k = 0; k < 2 * M + 1; k++)
        d[k] -= c[k];
}

/* P(t) -> P(t + S): the running sum seen from the next segment's centre
 * (repeated synthetic division, Knuth TAOCP vol. 2, 4.6.4). */
static inline __attribute__((always_inline)) void taylor_shift(double *c, int nc, double shift)
{
    int i, k;
    #pragma GCC unroll 8
    for (i = 0; i < nc - 1; i++)
        #pragma GCC unroll 8
        for (k = nc - 2; k >= i; k--)
            c[k] += shift * c[k + 1];
}

static inline __attribute__((always_inline)) void finish_m(int M, kde_poly_row *p, double *row)
{
    const int nc = 2 * M + 1, S = p->seg;
    double run[KDE_MAX_COEF] = {0};
    int cnt = 0, s0, j, k;
    for (s0 = 0; s0 < p->ncols; s0 += S) {
        int end = s0 + S < p->ncols ? s0 + S : p->ncols;
        double base = (double)(s0 + S / 2);
        if (cnt > 0)
            taylor_shift(run, nc, (double)S);
        for (j = s0; j < end; j++) {
            double *d = p->diff + (size_t)j * nc, v, t;
            #pragma GCC unroll 8
            for (k = 0; k < nc; k++) {
                run[k] += d[k];
                d[k] = 0.0;
            }
            cnt += p->dcnt[j];
            p->dcnt[j] = 0;
            if (cnt == 0) {
                #pragma GCC unroll 8
                for (k = 0; k < nc; k++)
                    run[k] = 0.0;
                continue;
            }
            t = (double)j - base;
            v = run[nc - 1];
            #pragma GCC unroll 8
            for (k = nc - 2; k >= 0; k--)
                v = v * t + run[k];
            if (v > 0.0)
                row[j] += v;
        }
    }
    #pragma GCC unroll 8
    for (k = 0; k < nc; k++)
        p->diff[(size_t)p->ncols * nc + k] = 0.0;
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

void kde_poly_add(kde_poly_row *p, int lo, int hi, double cp, double h2n, double amp)
{
    switch (p->m) {
    case 0: add_m(0, p, lo, hi, cp, h2n, amp); break;
    case 1: add_m(1, p, lo, hi, cp, h2n, amp); break;
    case 2: add_m(2, p, lo, hi, cp, h2n, amp); break;
    default: add_m(3, p, lo, hi, cp, h2n, amp); break;
    }
}

void kde_poly_finish(kde_poly_row *p, double *row)
{
    switch (p->m) {
    case 0: finish_m(0, p, row); break;
    case 1: finish_m(1, p, row); break;
    case 2: finish_m(2, p, row); break;
    default: finish_m(3, p, row); break;
    }
}
