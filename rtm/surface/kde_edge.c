/* kde_edge.c: edge-corrected kernel density - the window's kernel mass
 * e(u), spatstat's uniform correction and Diggle's per-point correction
 * (definitions and sources in rtm/kde_plus.h).
 *
 * The mass M_W(u) = res^2 sum_{c in W} K(u - c) is itself a kernel density
 * surface: the window's cell centres as unit points, in "cell" units (which
 * multiply by res^2), through rtm_kde_compute; or, when that is cheaper (a
 * large window: the usual case), the surface of the outside cells near the
 * window's boundary, M_W = M_inf - M_outside. It is divided by the
 * lattice sum M_inf of the same kernel, so that e = 1 wherever the whole
 * discretised kernel lies inside the window (spatstat's FFT engine divides its
 * kernel image by its sum for the same reason: second.moment.engine). */
#include "rtm/kde_plus.h"
#include "surface/kde_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KDE_LATTICE_MAX_RHO 2000.0 /* beyond: M_inf from the continuous mass */
#define KDE_E_ONE 1e-12            /* e within this of 1 is 1 */

void rtm_kde_plus_init(rtm_kde_plus *p)
{
    memset(p, 0, sizeof *p);
    p->edge = RTM_KDE_EDGE_NONE;
    p->trim = RTM_KDE_TRIM_DEFAULT;
}

int rtm_kde_plus_check(const rtm_kde_plus *p, const rtm_grid *g, rtm_error *err)
{
    char msg[512] = "";
    size_t len = 0;
#define BAD(...) (len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0, \
                                          __VA_ARGS__))
    (void)g;
    if ((unsigned)p->edge > RTM_KDE_EDGE_DIGGLE)
        BAD("%sunknown edge correction %d", len ? "; " : "", (int)p->edge);
    if (!(p->trim > 0) || !isfinite(p->trim))
        BAD("%strim must be > 0 (got %g)", len ? "; " : "", p->trim);
    if (!(p->pilot >= 0) || !isfinite(p->pilot))
        BAD("%spilot radius must be >= 0 (got %g)", len ? "; " : "", p->pilot);
    if (p->groups < RTM_KDE_GROUPS_EXACT)
        BAD("%sgroups must be > 0, 0 (default) or exact (got %d)", len ? "; " : "", p->groups);
#undef BAD
    return len ? rtm_error_set(err, RTM_ERR_ARG, "kde: %s", msg) : 0;
}

/* Mass of the continuous kernel inside its support: 1, but the Gaussian's
 * cut at gauss_truncate standard deviations, 1 - exp(-t^2/2). */
static double continuous_mass(const rtm_kde_opts *o)
{
    if (o->kernel != RTM_KERNEL_GAUSSIAN)
        return 1.0;
    return -expm1(-0.5 * o->gauss_truncate * o->gauss_truncate);
}

double rtm_kde_lattice_mass(const rtm_grid *g, const rtm_kde_opts *o)
{
    double rho = o->radius / g->res, r2 = o->radius * o->radius;
    long double s = 0;
    long a, b, R;
    if (!(rho <= KDE_LATTICE_MAX_RHO)) /* the Riemann sum equals the integral to ~rho^-2 */
        return continuous_mass(o);
    R = (long)ceil(rho) + 1;
    for (a = -R; a <= R; a++)
        for (b = -R; b <= R; b++) {
            double dx = (double)a * g->res, dy = (double)b * g->res, d2 = dx * dx + dy * dy;
            if (d2 <= r2)
                s += rtm_kde_kernel_value(o, sqrt(d2));
        }
    return (double)(s * (long double)(g->res * g->res));
}

static int in_window(const rtm_grid *g, const unsigned char *win, long i, long j)
{
    return i >= 0 && i < g->nrows && j >= 0 && j < g->ncols &&
           (!win || win[(size_t)i * (size_t)g->ncols + (size_t)j]);
}

/* A window cell with one of its 8 neighbours outside the window or grid. */
static int on_boundary(const rtm_grid *g, const unsigned char *win, long i, long j)
{
    for (long a = -1; a <= 1; a++)
        for (long b = -1; b <= 1; b++)
            if (!in_window(g, win, i + a, j + b))
                return 1;
    return 0;
}

/* The cell centres of the point set whose kernel mass is summed: the
 * window's cells, or (complement) the cells outside the window, in the grid
 * or beyond it, within r + 2 res of a boundary cell of the window. Every
 * outside cell c within r of a window cell u is one of them: walking the
 * cells along the segment u-c, the last window cell b before the first
 * outside one is a boundary cell, within res sqrt(2)/2 of the segment, so
 * |b - c| <= r + res. */
typedef struct mass_pts {
    double *x, *y;
    size_t n;
} mass_pts;

static int window_points(const rtm_grid *g, const unsigned char *win, mass_pts *mp)
{
    size_t k, nc = rtm_grid_ncells(g), m = 0;
    for (k = 0; k < nc; k++)
        m += !win || win[k];
    mp->x = malloc((m ? m : 1) * sizeof *mp->x);
    mp->y = malloc((m ? m : 1) * sizeof *mp->y);
    if (!mp->x || !mp->y)
        return -1;
    for (long i = 0; i < g->nrows; i++)
        for (long j = 0; j < g->ncols; j++)
            if (in_window(g, win, i, j)) {
                mp->x[mp->n] = rtm_grid_cell_x(g, (int)j);
                mp->y[mp->n++] = rtm_grid_cell_y(g, (int)i);
            }
    return 0;
}

static int complement_points(const rtm_grid *g, const unsigned char *win, double rho,
                             mass_pts *mp)
{
    long R = (long)ceil(rho) + 3, ew = g->ncols + 2 * R, eh = g->nrows + 2 * R, reach = R - 1;
    double lim = (rho + 2) * (rho + 2);
    unsigned char *mark = calloc((size_t)ew * (size_t)eh, 1);
    size_t cnt = 0;
    if (!mark)
        return -1;
    for (long i = 0; i < g->nrows; i++)
        for (long j = 0; j < g->ncols; j++) {
            if (!in_window(g, win, i, j) || !on_boundary(g, win, i, j))
                continue;
            for (long a = -reach; a <= reach; a++)
                for (long b = -reach; b <= reach; b++) {
                    unsigned char *m = &mark[(size_t)(i + a + R) * (size_t)ew + (size_t)(j + b + R)];
                    if ((double)(a * a + b * b) <= lim && !*m && !in_window(g, win, i + a, j + b)) {
                        *m = 1;
                        cnt++;
                    }
                }
        }
    mp->x = malloc((cnt ? cnt : 1) * sizeof *mp->x);
    mp->y = malloc((cnt ? cnt : 1) * sizeof *mp->y);
    if (!mp->x || !mp->y) {
        free(mark);
        return -1;
    }
    for (long i = 0; i < eh; i++)
        for (long j = 0; j < ew; j++)
            if (mark[(size_t)i * (size_t)ew + (size_t)j]) {
                mp->x[mp->n] = rtm_grid_cell_x(g, (int)(j - R));
                mp->y[mp->n++] = rtm_grid_cell_y(g, (int)(i - R));
            }
    free(mark);
    return 0;
}

/* Which point set is cheaper: rough costs of the row engine (points x rows
 * x per-row work) and of marking the complement. */
static int use_complement(const rtm_grid *g, const unsigned char *win, double rho)
{
    size_t nc = rtm_grid_ncells(g), nw = 0, nb = 0;
    double disc = M_PI * (rho + 2) * (rho + 2), row = (rho + 1) * (rho / 32 + 32), ext;
    for (long i = 0; i < g->nrows; i++)
        for (long j = 0; j < g->ncols; j++)
            if (in_window(g, win, i, j)) {
                nw++;
                nb += (size_t)on_boundary(g, win, i, j);
            }
    ext = ((double)g->ncols + 2 * (rho + 3)) * ((double)g->nrows + 2 * (rho + 3));
    (void)nc;
    return (double)nb * disc + fmin((double)nb * disc, ext - (double)nw) * row <
           (double)nw * row;
}

int rtm_kde_edge_mass(const rtm_grid *g, const unsigned char *window, const rtm_kde_opts *o,
                      double *e, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), k;
    double minf, rho = o->radius / g->res;
    mass_pts mp = {NULL, NULL, 0};
    rtm_kde_opts mo = *o;
    int rc, comp;
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    if (!(o->radius > 0) || !isfinite(o->radius))
        return rtm_error_set(err, RTM_ERR_ARG, "kde: radius must be > 0 (got %g)", o->radius);
    comp = use_complement(g, window, rho);
    if (comp ? complement_points(g, window, rho, &mp) : window_points(g, window, &mp)) {
        free(mp.x);
        free(mp.y);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for the edge mass");
    }
    mo.units = RTM_UNITS_CELL;
    mo.progress = NULL;
    rc = rtm_kde_compute(g, mp.x, mp.y, NULL, mp.n, &mo, e, err);
    free(mp.x);
    free(mp.y);
    if (rc)
        return rc;
    minf = rtm_kde_lattice_mass(g, o);
    for (k = 0; k < nc; k++) {
        double v = comp ? 1.0 - e[k] / minf : e[k] / minf;
        v = v < 0 ? 0 : v;
        e[k] = window && !window[k] ? 0.0 : v > 1.0 - KDE_E_ONE ? 1.0 : v;
    }
    return 0;
}

size_t kde_point_cell(const rtm_grid *g, double x, double y)
{
    double fj = floor((x - g->x0) / g->res);
    double fi = floor((g->y0 + (double)g->nrows * g->res - y) / g->res);
    fj = fj < 0 ? 0 : fj > g->ncols - 1 ? g->ncols - 1 : fj;
    fi = fi < 0 ? 0 : fi > g->nrows - 1 ? g->nrows - 1 : fi;
    return (size_t)fi * (size_t)g->ncols + (size_t)fj;
}

/* Diggle's weights w_i / e(x_i) into w2; a point with e = 0 (farther than
 * the radius from every window cell) is refused rather than dropped. */
static int diggle_weights(const rtm_grid *g, const double *x, const double *y, const double *w,
                          size_t n, const double *e, double *w2, double *emin, rtm_error *err)
{
    size_t i;
    for (i = 0; i < n; i++) {
        double ei = e[kde_point_cell(g, x[i], y[i])];
        if (!(ei > 0))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "kde: point %zu (%.10g, %.10g) is farther than the radius "
                                 "from the window: Diggle's edge weight is undefined", i, x[i],
                                 y[i]);
        w2[i] = (w ? w[i] : 1.0) / ei;
        *emin = ei < *emin ? ei : *emin;
    }
    return 0;
}

int kde_fixed_edge(const rtm_grid *g, const double *x, const double *y, const double *w,
                   size_t n, const rtm_kde_opts *o, rtm_kde_edge edge,
                   const unsigned char *window, const double *emass, double *out, double *emin,
                   rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), k;
    double *e = (double *)emass, *w2 = NULL;
    int rc = 0;
    *emin = 1.0;
    if (edge == RTM_KDE_EDGE_NONE)
        return rtm_kde_compute(g, x, y, w, n, o, out, err);
    if (!e && !(e = malloc(nc * sizeof *e)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for the edge mass");
    if (!emass && (rc = rtm_kde_edge_mass(g, window, o, e, err)))
        goto done;
    if (edge == RTM_KDE_EDGE_UNIFORM) {
        if ((rc = rtm_kde_compute(g, x, y, w, n, o, out, err)))
            goto done;
        for (k = 0; k < nc; k++) {
            out[k] = e[k] > 0 ? out[k] / e[k] : 0.0;
            if ((!window || window[k]) && e[k] < *emin)
                *emin = e[k];
        }
        goto done;
    }
    if (!(w2 = malloc((n ? n : 1) * sizeof *w2))) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for Diggle's weights");
        goto done;
    }
    if (!(rc = diggle_weights(g, x, y, w, n, e, w2, emin, err)))
        rc = rtm_kde_compute(g, x, y, w2, n, o, out, err);
done:
    free(w2);
    if (e != emass)
        free(e);
    return rc;
}
