/* kde_priv.h: internals shared by kde.c and kde_poly.c (not installed). */
#ifndef RTM_KDE_PRIV_H
#define RTM_KDE_PRIV_H

#include <stddef.h>

/* One grid row's event accumulators for the kernels A (1 - u^2)^m (see
 * kde_poly.c): segment s holds columns sS .. sS + S - 1; pre and suf hold,
 * per column j, the coefficients of t^k (t local to j's segment) of the
 * events at j that reach forward to the segment's end and backward to its
 * start; full those of the events covering a whole segment. Owned by one
 * thread; reused row after row (each row leaves them zeroed). */
typedef struct kde_poly_row {
    int ncols;      /* columns of the grid */
    int m;          /* kernel power, 0..3 */
    int seg_shift;  /* log2 of the segment length S */
    int nseg;       /* segments: ceil(ncols / S) (the last one may be padded) */
    double invm;    /* rho^-2m: res^2m / r^2m */
    double x0, res; /* the grid's origin x and cell size */
    double *xc;     /* ncols cell-centre x, exactly as rtm_grid_cell_x */
    double *pre, *prel; /* per column: events reaching forward (coefficients
                         * below the leading one; the leading one) */
    double *suf, *sufl; /* per column: events reaching backward */
    double *full, *fulll; /* per segment (+ 1 spare): whole-segment events */
    double lead0;   /* > 0 when every point has the same amp: amp rho^-2m; then
                     * the leading coefficients are not summed but counted */
    int *cover;     /* with lead0: +1 where an event chord starts, -1 after
                     * it ends (nseg S + 1) */
    unsigned char *used; /* per segment: 1 when this row's events may have
                          * touched it (finish_m visits only those: the
                          * others would add exactly nothing) */
    int sparse;     /* 1: track used (rows reached by few points, rtm_kde_rows);
                     * 0: finish every segment (dense rows: the tracking would
                     * cost more than it saves) */
} kde_poly_row;

/* Allocate the accumulators; rho = r / res, x0 and res the grid's origin x
 * and cell size. Returns 0 or -1 (out of memory). */
int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double x0, double res);
void kde_poly_free(kde_poly_row *p);

/* The points of one output row, as the polynomial row engine reads them. */
typedef struct kde_row_job {
    const double *x, *y;  /* point coordinates */
    const double *cp;     /* column coordinates (x - x0)/res - 0.5 */
    const double *amp;    /* weight x kernel constant x unit factor */
    size_t p0, p1;        /* points p0 .. p1-1 may reach the row */
    double yc;            /* y of the row's cell centres */
    double r2;            /* squared radius: the support predicate */
    double core_r2;       /* (1 - beta0) r^2: the core handled by the segments */
    double ir2, ires;     /* 1/r^2 and 1/res */
} kde_row_job;

/* Add every point of job to row (zeroed by the caller): the core of each
 * chord's whole segments through the accumulators, the rest cell by cell. */
void kde_poly_row_compute(kde_poly_row *p, const kde_row_job *job, double *row);

/* ---- kde_edge.c, kde_adaptive.c (rtm/kde_plus.h) ---------------------- */
#include "rtm/kde_plus.h"

/* Index of the cell holding (x, y), or of the nearest cell of the grid for a
 * point outside it (spatstat's safelookup convention). */
size_t kde_point_cell(const rtm_grid *g, double x, double y);

/* Fixed-radius density with an edge correction; emass = e(u) of this
 * radius if already computed (else NULL: computed here); *emin as
 * rtm_kde_plus_info.emin. */
int kde_fixed_edge(const rtm_grid *g, const double *x, const double *y, const double *w,
                   size_t n, const rtm_kde_opts *o, rtm_kde_edge edge,
                   const unsigned char *window, const double *emass, double *out, double *emin,
                   rtm_error *err);

/* The adaptive estimate of rtm_kde_plus_compute; fills info. */
int kde_adaptive(const rtm_grid *g, const double *x, const double *y, const double *w,
                 size_t n, const rtm_kde_opts *o, const rtm_kde_plus *p, double *out,
                 rtm_kde_plus_info *info, rtm_error *err);

#endif
