/* kde_edge.c: edge-corrected kernel density - the window's kernel mass
 * e(u), spatstat's uniform correction and Diggle's per-point correction
 * (definitions and sources in rtm/kde_plus.h).
 *
 * The mass M_W(u) = res^2 sum_{c in W} K(u - c) is itself a kernel density
 * surface: the window's cell centres as unit points, in "cell" units (which
 * multiply by res^2), through rtm_kde_compute. It is divided by the
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

int rtm_kde_edge_mass(const rtm_grid *g, const unsigned char *window, const rtm_kde_opts *o,
                      double *e, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), k, m = 0;
    double *x, *y, minf;
    rtm_kde_opts mo = *o;
    int i, j, rc;
    if (rtm_grid_check(g, err))
        return RTM_ERR_ARG;
    for (k = 0; k < nc; k++)
        m += !window || window[k];
    x = malloc((m ? m : 1) * sizeof *x);
    y = malloc((m ? m : 1) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return rtm_error_set(err, RTM_ERR_NOMEM, "kde: out of memory for the edge mass");
    }
    for (m = 0, i = 0; i < g->nrows; i++)
        for (j = 0; j < g->ncols; j++)
            if (!window || window[(size_t)i * (size_t)g->ncols + (size_t)j]) {
                x[m] = rtm_grid_cell_x(g, j);
                y[m++] = rtm_grid_cell_y(g, i);
            }
    mo.units = RTM_UNITS_CELL;
    mo.progress = NULL;
    rc = rtm_kde_compute(g, x, y, NULL, m, &mo, e, err);
    free(x);
    free(y);
    if (rc)
        return rc;
    minf = rtm_kde_lattice_mass(g, o);
    for (k = 0; k < nc; k++) {
        double v = e[k] / minf;
        e[k] = v > 1.0 - KDE_E_ONE ? 1.0 : v;
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
