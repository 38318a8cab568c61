/* kde_priv.h: internals shared by kde.c and kde_poly.c (not installed). */
#ifndef RTM_KDE_PRIV_H
#define RTM_KDE_PRIV_H

#include <stddef.h>

/* 128-bit fixed-point integers of the accumulator (GCC/Clang). */
__extension__ typedef __int128 kde_i128;

/* One grid row's polynomial accumulator for the kernels A (1 - u^2)^m.
 * Owned by one thread; reused row after row (each row leaves it clean). */
typedef struct kde_poly_row {
    int ncols;      /* columns of the grid */
    int m;          /* kernel power, 0..3 */
    int ncoef;      /* 2m + 1 polynomial coefficients */
    int seg;        /* segment length S (columns, a power of two) */
    int seg_shift;  /* log2(S) */
    double inv;     /* res^2 / r^2 = 1 / rho^2 */
    double scale;   /* fixed-point units per unit of amplitude (a power of two) */
    double unscale; /* 1 / scale */
    kde_i128 *diff; /* (ncols + 1) * ncoef coefficient differences */
    int *dcnt;      /* ncols + 1 active-interval count differences */
} kde_poly_row;

/* Allocate the accumulator; rho = r / res, amp_max = the largest point
 * amplitude (sets the fixed-point scale). Returns 0 or -1 (out of memory). */
int kde_poly_init(kde_poly_row *p, int ncols, int m, double rho, double amp_max);
void kde_poly_free(kde_poly_row *p);

/* The points of one output row, as the polynomial row engine reads them. */
typedef struct kde_row_job {
    const double *x, *y;  /* point coordinates */
    const double *cp;     /* column coordinates (x - x0)/res - 0.5 */
    const double *amp;    /* weight x kernel constant x unit factor */
    size_t p0, p1;        /* points p0 .. p1-1 may reach the row */
    double yc;            /* y of the row's cell centres */
    double x0, res;       /* grid origin x and cell size */
    double r2;            /* squared radius: the support predicate */
    double core_r2;       /* (1 - beta0) r^2: the core handled by the accumulator */
    double ir2, ires;     /* 1/r^2 and 1/res */
} kde_row_job;

/* Add every point of job to row (zeroed by the caller): the core of each
 * chord through the accumulator, the fringe cell by cell, then sum. */
void kde_poly_row_compute(kde_poly_row *p, const kde_row_job *job, double *row);

#endif
