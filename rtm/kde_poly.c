/* kde_poly.c: row sums of the polynomial kernels A (1 - u^2)^m by
 * add-only segment polynomials (this project's method).
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
 * and (H + B t - t^2)^m is expanded (binomially, at most degree 6). Every
 * segment lying WHOLLY inside a point's core chord receives the point's
 * coefficients amp rho^-2m [...] by ADDITION into that segment's own
 * accumulator; nothing is carried from one segment to the next (no prefix
 * sums, no shifts), so no rounding travels along a row. At the end of the row
 * each segment's polynomial is evaluated with Horner at its S cells. The rest
 * of each chord (the partial segments at its ends, at most 2(S - 1) cells,
 * and its fringe, see below) is summed cell by cell with the reference
 * formula and the exact support predicate of rtm_kde.h.
 *
 * S is the power of two <= rho/2, from 4 to 16 (the instruction count is
 * flat for S = 16..32 at rho = 40; longer segments leave more partial
 * cells, shorter ones more segment updates).
 *
 * Accuracy. Only points whose chord covers a segment are added to it, and
 * then |t - q| <= h, so |q| <= rho + S/2 and the monomials of H + B t - t^2
 * sum in absolute value to at most (rho + S)^2. A point's contribution is
 * therefore rounded to a few ulps of amp ((rho + S)/rho)^(2m); a whole
 * segment fits in a chord only if S <= 2 rho, so (rho + S)/rho <= 3, and
 * <= 1.5 once rho >= 8. Segments are used only on the core of a chord,
 * where 1 - u^2 >= beta0 (kde.c), so the value there is at least
 * amp beta0^m and each contribution's relative error is at most about
 * 10 eps (9/beta0)^m (< 1e-10 for every m with the beta0 of kde.c;
 * 10 eps (2.25/beta0)^m < 5e-12 for rho >= 8). The cell-by-cell part is
 * the reference formula itself. The tests compare with the brute force at
 * 1e-9 and see ~1e-14. Cells covered by no point receive no addition at
 * all and stay exactly 0; every value is clamped at >= 0.
 *
 * Cost per point and row: (core chord / S) segment updates (~15 flops
 * each, vectorised across segments) plus the partial segments (< 2S cells)
 * and fringe cell by cell (vectorised); per row one Horner pass over the
 * touched segments. On the benchmark (rho = 40, S = 16) that is 2/3 of the
 * instructions of the former engine (128-bit fixed-point difference array
 * with exact Taylor shifts), which needed integers because a floating
 * running sum carried along a row drifted.
 */
#include "kde_priv.h"

/* The cell-by-cell loops select with a comparison (the support predicate);
 * GCC if-converts, and so vectorises, them only when comparisons may not
 * trap. No floating-point result changes (it only lets the compiler assume
 * that exception flags are not inspected). */
#pragma GCC optimize("no-trapping-math", "fp-contract=off")

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KDE_SEG_MAX 16 /* longest segment: tuned on the benchmark (flat 16..32) */
#define KDE_MAX_COEF 7 /* degree 6 for the triweight */

int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double x0, double res)
{
    int e;
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->m = m;
    p->ncoef = 2 * m + 1;
    p->inv = 1.0 / (rho * rho);
    p->invm = 1.0;
    for (e = 1; e <= m; e++)
        p->invm *= p->inv;
    /* S: the power of two <= rho/2, from 4 to KDE_SEG_MAX */
    p->seg_shift = 2;
    while ((1 << (p->seg_shift + 1)) <= KDE_SEG_MAX && (double)(1 << (p->seg_shift + 1)) <= rho / 2)
        p->seg_shift++;
    p->nseg = (ncols >> p->seg_shift) + 1;
    p->xc = malloc((size_t)ncols * sizeof *p->xc);
    p->acc = calloc((size_t)p->nseg * (size_t)p->ncoef, sizeof *p->acc);
    if (!p->xc || !p->acc) {
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
    free(p->acc);
    p->xc = NULL;
    p->acc = NULL;
}

/* Add a (H + B t - t^2)^M, a = amp rho^-2m, to segments s0..s1, where in
 * segment s: q = q0 - (s - s0) S, H = h2 - q^2, B = 2 q (h2 = h^2 in
 * cells^2). The expansions (binomial):
 *   M = 1:  H + B t - t^2
 *   M = 2:  H^2 + 2HB t + (B^2 - 2H) t^2 - 2B t^3 + t^4
 *   M = 3:  H^3 + 3H^2B t + 3H(B^2 - H) t^2 + B(B^2 - 6H) t^3
 *           + 3(H - B^2) t^4 + 3B t^5 - t^6
 * Segments are independent, so the loop vectorises (coefficient-major
 * layout: acc[k nseg + s]). */
static inline __attribute__((always_inline)) void seg_update(int M, double *restrict c0, int ns,
                                                             int s, double q, double h2,
                                                             double a)
{
    double H = h2 - q * q, B = 2.0 * q, B2;
    switch (M) {
    case 0:
        c0[s] += a;
        break;
    case 1:
        c0[s] += a * H;
        c0[s + ns] += a * B;
        c0[s + 2 * ns] -= a;
        break;
    case 2:
        c0[s] += a * (H * H);
        c0[s + ns] += a * (2.0 * H * B);
        c0[s + 2 * ns] += a * (B * B - 2.0 * H);
        c0[s + 3 * ns] -= a * (2.0 * B);
        c0[s + 4 * ns] += a;
        break;
    default:
        B2 = B * B;
        c0[s] += a * (H * H * H);
        c0[s + ns] += a * (3.0 * H * H * B);
        c0[s + 2 * ns] += a * (3.0 * H * (B2 - H));
        c0[s + 3 * ns] += a * (B * (B2 - 6.0 * H));
        c0[s + 4 * ns] += a * (3.0 * (H - B2));
        c0[s + 5 * ns] += a * (3.0 * B);
        c0[s + 6 * ns] -= a;
    }
}

/* Add the point's polynomial to segments s0..s1; q0 = cp - centre of
 * segment s0. */
static inline __attribute__((always_inline)) void add_segments(int M, kde_poly_row *p, int s0,
                                                               int s1, double q0, double h2,
                                                               double a)
{
    double *restrict acc = p->acc;
    const double S = (double)(1 << p->seg_shift);
    const int ns = p->nseg;
    int s;
#pragma omp simd
    for (s = s0; s <= s1; s++)
        seg_update(M, acc, ns, s, q0 - (double)(s - s0) * S, h2, a);
}

/* Evaluate every touched segment at its cells, row[j] += value, and leave
 * the accumulators zeroed. A segment no point covered has a zero leading
 * coefficient (each point adds amp rho^-2m (-1)^M there, all of one sign). */
static inline __attribute__((always_inline)) void finish_m(int M, kde_poly_row *p, double *row)
{
    const int ns = p->nseg, S = 1 << p->seg_shift, nc = 2 * M + 1, ncols = p->ncols;
    const double half = 0.5 * (S - 1);
    int s, t, k;
    for (s = 0; s < ns; s++) {
        double c[KDE_MAX_COEF];
        int j0 = s * S, n = j0 + S <= ncols ? S : ncols - j0;
        if (p->acc[(size_t)(nc - 1) * ns + s] == 0.0)
            continue; /* untouched */
#pragma GCC unroll 8
        for (k = 0; k < nc; k++) {
            c[k] = p->acc[(size_t)k * ns + s];
            p->acc[(size_t)k * ns + s] = 0.0;
        }
#pragma omp simd
        for (t = 0; t < n; t++) {
            double tt = (double)t - half, v = c[nc - 1];
#pragma GCC unroll 8
            for (k = nc - 2; k >= 0; k--)
                v = v * tt + c[k];
            row[j0 + t] += v > 0.0 ? v : 0.0;
        }
    }
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
static inline __attribute__((always_inline)) void direct_m(int M, const kde_poly_row *p,
                                                           const kde_row_job *jb, double *row,
                                                           int j0, int j1, double px, double dy2,
                                                           double amp)
{
    const double ir2 = jb->ir2, r2 = jb->r2, *xc = p->xc;
    int j;
#pragma omp simd
    for (j = j0; j <= j1; j++) {
        double dx = xc[j] - px, d2 = dx * dx + dy2;
        double b = (r2 - d2) * ir2, v = amp;
        if (M >= 1)
            v *= b;
        if (M >= 2)
            v *= b;
        if (M >= 3)
            v *= b;
        row[j] += v * (d2 <= r2 ? 1.0 : 0.0);
    }
}

/* One point on one row. Candidate columns jl..jr: sqrt gives the half-chord
 * to within rounding, one spare column each side. The core cl..cr
 * (1 - u^2 >= beta0, and at least 2 columns inside the candidates, so
 * surely inside the support) gives the whole segments s0..s1 in it;
 * everything else (fringe, spare columns, partial segments) is summed cell
 * by cell. cr may run past the grid's east edge into the last segment's
 * padding (never output). */
static inline __attribute__((always_inline)) void point_m(int M, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k)
{
    double dy = jb->yc - jb->y[k], dy2 = dy * dy, ires = jb->ires, hh, hc2, hc;
    double px = jb->x[k], cp = jb->cp[k], amp = jb->amp[k];
    int jl, jr, cl, cr, s0 = 1, s1 = 0, sh = p->seg_shift, S = 1 << sh;
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
        cr = cr > (p->nseg << sh) - 1 ? (p->nseg << sh) - 1 : cr;
        s0 = (cl + S - 1) >> sh;
        s1 = ((cr + 1) >> sh) - 1;
    }
    jl = jl < 0 ? 0 : jl;
    jr = jr > p->ncols - 1 ? p->ncols - 1 : jr;
    if (s1 < s0) {
        direct_m(M, p, jb, row, jl, jr, px, dy2, amp);
        return;
    }
    add_segments(M, p, s0, s1, cp - ((double)(s0 << sh) + 0.5 * (S - 1)),
                 (jb->r2 - dy2) * (ires * ires), amp * p->invm);
    direct_m(M, p, jb, row, jl, (s0 << sh) - 1, px, dy2, amp);
    direct_m(M, p, jb, row, (s1 + 1) << sh, jr, px, dy2, amp);
}

static inline __attribute__((always_inline)) void row_m(int M, kde_poly_row *p,
                                                        const kde_row_job *jb, double *row)
{
    size_t k;
    for (k = jb->p0; k < jb->p1; k++)
        point_m(M, p, jb, row, k);
    finish_m(M, p, row);
}

/* An AVX2 clone for the vector loops (no FMA: fp-contract is off above, so
 * both clones round identically). */
__attribute__((target_clones("avx2", "default")))
void kde_poly_row_compute(kde_poly_row *p, const kde_row_job *job, double *row)
{
    switch (p->m) {
    case 0: row_m(0, p, job, row); break;
    case 1: row_m(1, p, job, row); break;
    case 2: row_m(2, p, job, row); break;
    default: row_m(3, p, job, row); break;
    }
}
