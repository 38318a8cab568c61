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
 * The core of a point's chord, columns cl..cr (see point_m), is split at
 * the segment boundaries into
 *   - a HEAD: columns cl .. the end of cl's segment; the point's
 *     coefficients (in that segment's variable) go into pre[cl];
 *   - whole segments in between: into pre[first column of the segment];
 *   - a TAIL: the start of cr's segment .. cr; into suf[cr].
 * At the end of the row each segment's pre[] is summed from its first
 * column forward and its suf[] from its last column backward, so column j
 * receives exactly the points whose event lies in its segment at or before
 * j (pre) or at or after j (suf): exactly the points whose core covers j.
 * Nothing is ever subtracted and no sum crosses a segment boundary, so no
 * rounding travels along a row and a column no point reaches stays exactly
 * 0. The polynomial sum is then evaluated with Horner. A core inside one
 * segment (short chords) and the chord's fringe outside the core are summed
 * cell by cell with the reference formula and the exact support predicate
 * of rtm_kde.h.
 *
 * S is the power of two <= rho, from 4 to 32: per point and row the work
 * is two events plus (core / S - 1) whole segments plus the fringe, and a
 * core shorter than a segment (only near the top and bottom of a disc) is
 * summed cell by cell.
 *
 * Accuracy. An event is added only to columns its core covers, and there
 * |t - q| <= h, so |q| <= rho + S/2 and the monomials of H + B t - t^2 sum
 * in absolute value to at most (rho + S)^2 <= (2 rho)^2. A point's
 * contribution is therefore rounded to a few ulps of amp 4^m, while the
 * core keeps 1 - u^2 >= beta0 (kde.c), so the value is at least
 * amp beta0^m and each contribution's relative error is at most about
 * 10 eps (4/beta0)^m (< 1e-11 for every m with the beta0 of kde.c). The
 * cell-by-cell part is the reference formula itself. The tests compare
 * with the brute force at 1e-9 and see ~1e-14. Every value is clamped at
 * >= 0.
 *
 * Cost per point and row on the benchmark (rho = 40, S = 32): about 2.9
 * coefficient events (~15 flops each) and ~7 fringe cells; per row one
 * pass over the columns. The former engine (coefficients per whole
 * segment of 16, partial segments cell by cell) needed ~2.5 times the
 * instructions; the one before it (128-bit fixed-point difference array)
 * needed integers because a floating running sum carried along a row
 * drifted.
 */
#include "kde_priv.h"

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
#define KDE_CHUNK 64   /* points per pass of the fast path */

int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double x0, double res)
{
    int e;
    size_t ncell;
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->x0 = x0;
    p->res = res;
    p->m = m;
    p->ncoef = 2 * m + 1;
    p->inv = 1.0 / (rho * rho);
    p->invm = 1.0;
    for (e = 1; e <= m; e++)
        p->invm *= p->inv;
    /* S: the power of two <= rho, from 4 to KDE_SEG_MAX */
    p->seg_shift = 2;
    while ((1 << (p->seg_shift + 1)) <= KDE_SEG_MAX && (double)(1 << (p->seg_shift + 1)) <= rho)
        p->seg_shift++;
    p->nseg = (ncols + (1 << p->seg_shift) - 1) >> p->seg_shift;
    ncell = (size_t)p->nseg << p->seg_shift;
    p->xc = malloc((size_t)ncols * sizeof *p->xc);
    p->pre = calloc(ncell * (size_t)p->ncoef, sizeof *p->pre);
    p->suf = calloc(ncell * (size_t)p->ncoef, sizeof *p->suf);
    if (!p->xc || !p->pre || !p->suf) {
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
    p->xc = NULL;
    p->pre = p->suf = NULL;
}

/* Add a (H + B t - t^2)^M, a = amp rho^-2m, H = h2 - q^2, B = 2 q, to the
 * event e[0..2M] (coefficients of t^0..t^2M). The expansions (binomial):
 *   M = 1:  H + B t - t^2
 *   M = 2:  H^2 + 2HB t + (B^2 - 2H) t^2 - 2B t^3 + t^4
 *   M = 3:  H^3 + 3H^2B t + 3H(B^2 - H) t^2 + B(B^2 - 6H) t^3
 *           + 3(H - B^2) t^4 + 3B t^5 - t^6 */
static inline __attribute__((always_inline)) void event_add(int M, double *restrict e, double q,
                                                            double h2, double a)
{
    double H = h2 - q * q, B = 2.0 * q, B2;
    switch (M) {
    case 0:
        e[0] += a;
        break;
    case 1:
        e[0] += a * H;
        e[1] += a * B;
        e[2] -= a;
        break;
    case 2:
        e[0] += a * (H * H);
        e[1] += a * (2.0 * H * B);
        e[2] += a * (B * B - 2.0 * H);
        e[3] -= a * (2.0 * B);
        e[4] += a;
        break;
    default:
        B2 = B * B;
        e[0] += a * (H * H * H);
        e[1] += a * (3.0 * H * H * B);
        e[2] += a * (3.0 * H * (B2 - H));
        e[3] += a * (B * (B2 - 6.0 * H));
        e[4] += a * (3.0 * (H - B2));
        e[5] += a * (3.0 * B);
        e[6] -= a;
    }
}

/* Sum every segment's events (pre forward, suf backward), evaluate at its
 * columns, row[j] += value, and leave pre and suf zeroed. */
static inline __attribute__((always_inline)) void finish_m(int M, kde_poly_row *p, double *row)
{
    const int ns = p->nseg, S = 1 << p->seg_shift, nc = 2 * M + 1, ncols = p->ncols;
    const double half = 0.5 * (S - 1);
    double c[KDE_SEG_MAX][KDE_MAX_COEF];
    int s, t, k;
    for (s = 0; s < ns; s++) {
        double run[KDE_MAX_COEF] = {0};
        int j0 = s * S, n = j0 + S <= ncols ? S : ncols - j0;
        double *restrict pre = p->pre + (size_t)j0 * nc, *restrict suf = p->suf + (size_t)j0 * nc;
        for (t = 0; t < S; t++)
#pragma GCC unroll 8
            for (k = 0; k < nc; k++) {
                run[k] += pre[t * nc + k];
                pre[t * nc + k] = 0.0;
                c[t][k] = run[k];
            }
#pragma GCC unroll 8
        for (k = 0; k < nc; k++)
            run[k] = 0.0;
        for (t = S - 1; t >= 0; t--)
#pragma GCC unroll 8
            for (k = 0; k < nc; k++) {
                run[k] += suf[t * nc + k];
                suf[t * nc + k] = 0.0;
                c[t][k] += run[k];
            }
        for (t = 0; t < n; t++) {
            double tt = (double)t - half, v = c[t][nc - 1];
#pragma GCC unroll 8
            for (k = nc - 2; k >= 0; k--)
                v = v * tt + c[t][k];
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

/* The point's events over the core cl..cr, which spans segments sa < sb:
 * head at cl, whole segments sa+1 .. sb-1, tail at cr. */
static inline __attribute__((always_inline)) void events_m(int M, kde_poly_row *p, int cl,
                                                           int cr, double cp, double h2,
                                                           double a)
{
    const int sh = p->seg_shift, S = 1 << sh, nc = 2 * M + 1, sa = cl >> sh, sb = cr >> sh;
    double q = cp - ((double)(sa << sh) + 0.5 * (S - 1));
    int s;
    event_add(M, p->pre + (size_t)cl * nc, q, h2, a);
    for (s = sa + 1; s < sb; s++)
        event_add(M, p->pre + ((size_t)s << sh) * nc, q - (double)((s - sa) << sh), h2, a);
    event_add(M, p->suf + (size_t)cr * nc, q - (double)((sb - sa) << sh), h2, a);
}

/* One point on one row, any case. Candidate columns jl..jr: sqrt gives
 * the half-chord to within rounding, one spare column each side. The core
 * cl..cr (1 - u^2 >= beta0, and at least 2 columns inside the candidates,
 * so surely inside the support, clipped to the grid) goes through the
 * events when it spans two segments or more; everything else (fringe,
 * spare columns, a core inside one segment) is summed cell by cell. */
static inline __attribute__((always_inline)) void point_m(int M, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k)
{
    double dy = jb->yc - jb->y[k], dy2 = dy * dy, ires = jb->ires, hh, hc2, hc;
    double px = jb->x[k], cp = jb->cp[k], amp = jb->amp[k];
    const int sh = p->seg_shift;
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
    events_m(M, p, cl, cr, cp, (jb->r2 - dy2) * (ires * ires), amp * p->invm);
    direct_m(M, p, jb, row, jl, cl - 1, px, dy2, amp);
    direct_m(M, p, jb, row, cr + 1, jr, px, dy2, amp);
}

/* amp (1 - d^2/r^2)^M at column j where the exact predicate holds: the
 * operations of direct_m, the cell x formed as kde_poly_init forms xc. */
static inline __attribute__((always_inline)) double fringe_m(int M, int j, double px, double dy2,
                                                             double amp, double x0, double res,
                                                             double r2, double ir2)
{
    double dx = (x0 + ((double)j + 0.5) * res) - px, d2 = dx * dx + dy2;
    double b = (r2 - d2) * ir2, v = amp;
    if (M >= 1)
        v *= b;
    if (M >= 2)
        v *= b;
    if (M >= 3)
        v *= b;
    return v * (d2 <= r2 ? 1.0 : 0.0);
}

/* A row's points in chunks of KDE_CHUNK. The common case (the fast path)
 * is the whole chord inside the grid, the core reaching to within two
 * columns of each candidate end and spanning two segments or more: then
 * the core is taken as exactly jl + 2 .. jr - 2 and the fringe is the four
 * cells jl, jl + 1, jr - 1, jr. Pass 1 decides this and computes the four
 * fringe values for a whole chunk at once (vectorised across points, the
 * same formula and operations as direct_m); pass 2 adds them and the
 * events, and sends the other points through point_m. */
static inline __attribute__((always_inline)) void chunk_m(int M, kde_poly_row *p,
                                                          const kde_row_job *jb, double *row,
                                                          size_t k0, int n)
{
    const double *restrict xs = jb->x + k0, *restrict ys = jb->y + k0, *restrict cps = jb->cp + k0;
    const double *restrict amps = jb->amp + k0;
    const double yc = jb->yc, r2 = jb->r2, cr2 = jb->core_r2, ires = jb->ires, ir2 = jb->ir2;
    const double x0 = p->x0, res = p->res, lim = (double)(p->ncols - 1);
    const int sh = p->seg_shift;
    int jl[KDE_CHUNK], jr[KDE_CHUNK], fast[KDE_CHUNK], i;
    double w[4][KDE_CHUNK], h2s[KDE_CHUNK];
#pragma omp simd
    for (i = 0; i < n; i++) {
        double dy = yc - ys[i], dy2 = dy * dy, e2 = r2 - dy2, c2 = cr2 - dy2;
        double hh = sqrt(e2 > 0.0 ? e2 : 0.0) * ires, cp = cps[i];
        double fl = floor(cp - hh), fr = floor(cp + hh) + 1.0, amp = amps[i], px = xs[i];
        /* the core reaches jl + 2 and jr - 2: hc >= d, hc^2 = c2 / res^2 */
        double d1 = cp - (fl + 2.0), d2 = (fr - 2.0) - cp, d = d1 > d2 ? d1 : d2;
        int l = (int)(fl >= 0.0 ? fl : 0.0), r = (int)(fr <= lim ? fr : lim);
        fast[i] = (c2 > 0.0) & (amp != 0.0) & (fl >= 0.0) & (fr <= lim) &
                  ((d <= 0.0) | (d * d <= c2 * (ires * ires))) &
                  (((l + 2) >> sh) < ((r - 2) >> sh));
        jl[i] = l;
        jr[i] = r;
        h2s[i] = e2 * (ires * ires);
        w[0][i] = fringe_m(M, l, px, dy2, amp, x0, res, r2, ir2);
        w[1][i] = fringe_m(M, l + 1, px, dy2, amp, x0, res, r2, ir2);
        w[2][i] = fringe_m(M, r - 1, px, dy2, amp, x0, res, r2, ir2);
        w[3][i] = fringe_m(M, r, px, dy2, amp, x0, res, r2, ir2);
    }
    for (i = 0; i < n; i++) {
        int l, r;
        if (!fast[i]) {
            point_m(M, p, jb, row, k0 + (size_t)i);
            continue;
        }
        l = jl[i];
        r = jr[i];
        events_m(M, p, l + 2, r - 2, cps[i], h2s[i], amps[i] * p->invm);
        row[l] += w[0][i];
        row[l + 1] += w[1][i];
        row[r - 1] += w[2][i];
        row[r] += w[3][i];
    }
}

static inline __attribute__((always_inline)) void row_m(int M, kde_poly_row *p,
                                                        const kde_row_job *jb, double *row)
{
    size_t k;
    for (k = jb->p0; k < jb->p1; k += KDE_CHUNK)
        chunk_m(M, p, jb, row, k, jb->p1 - k < KDE_CHUNK ? (int)(jb->p1 - k) : KDE_CHUNK);
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
