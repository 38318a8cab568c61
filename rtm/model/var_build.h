/* var_build.h: private to rtm/model/variables.c and var_build.c: one risk
 * factor's candidate variables as the study-area rows where any is 1. */
#ifndef RTM_VAR_BUILD_H
#define RTM_VAR_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/model.h"

#define RTM_I_MAX_LADDER 64

/* What every factor shares: the grid, its study-area mask (NULL: every
 * cell), the study-area rows of the strip (cell[q - q0] grid index of row q,
 * ascending) and, per grid row i, the study rows rowstart[i] .. rowstart[i +
 * 1] - 1 that lie in it. */
typedef struct rtm_i_vctx {
    const rtm_grid *g;
    const rtm_var_opts *o;
    const unsigned char *mask;
    const size_t *cell;
    size_t n;
    const size_t *rowstart;
    /* the strip whose bits are wanted: grid rows [r0, r1), study rows
     * [q0, q1) (the whole grid: 0, nrows, 0, n). Density thresholds are
     * still taken over all n study rows. */
    int r0, r1;
    size_t q0, q1;
} rtm_i_vctx;

/* A factor's variables (local index: proximity at each ladder distance,
 * then density at each), as the sorted study rows with some 1 and their
 * bits (nw words per row), with the ones and the density thresholds of
 * every variable. */
typedef struct rtm_i_fcells {
    int nvar, nw;
    size_t nrows;
    uint32_t *row;
    uint64_t *bits;
    size_t ones[2 * RTM_I_MAX_LADDER];
    double thr[2 * RTM_I_MAX_LADDER];
    uint64_t *ent;        /* work: entries before the merge */
    size_t nent, capent;
} rtm_i_fcells;

/* Build factor f's variables (operationalization op, ladder lad[0..nl-1])
 * on one thread; surf is scratch of the grid's size. */
int rtm_i_factor_cells(const rtm_i_vctx *c, const rtm_factor_spec *f, rtm_op op,
                       const double *lad, int nl, double *surf, rtm_i_fcells *fc,
                       rtm_error *err);
void rtm_i_fcells_free(rtm_i_fcells *fc);

/* Study-area rows: their number (vs->n), per grid row where its rows start
 * (*rowstart, nrows + 1 of them) and the grid cells of those in grid rows
 * [r0, r1) (vs->cell, study row q at q - (*rowstart)[r0]). Returns 0 or -1
 * (out of memory). */
int rtm_i_study_rows(const rtm_grid *g, const unsigned char *mask, int r0, int r1,
                     rtm_varset *vs, size_t **rowstart);
/* What the whole and strip builds share: the factors checked, the study
 * rows (vs->cell, vs->n; *rowstart), every factor's plan (vs->info) and its
 * cells over grid rows [r0, r1) (*fc, nf of them). Whatever it returns,
 * the caller frees *fc and *rowstart (rtm_i_vars_cells_free) and vs's
 * fields. Returns 0 or an error code. */
int rtm_i_vars_cells(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                     int nf, const rtm_var_opts *o, int r0, int r1, rtm_varset *vs,
                     size_t **rowstart, rtm_i_fcells **fc, rtm_error *err);
void rtm_i_vars_cells_free(rtm_i_fcells *fc, int nf, size_t *rowstart);
/* Factor i's variable k as a column: its name, op, distance, threshold and
 * ones (the caller's count) into v. */
void rtm_i_var_describe(rtm_variable *v, const rtm_var_opts *o, const rtm_factor_spec *f,
                        int i, const rtm_factor_info *fi, const rtm_i_fcells *fc, int k,
                        size_t ones);

/* s + c added z times, rounded after each addition exactly as the loop
 * for (i = 0; i < z; i++) s += c; would (s >= 0, c >= 0), in about as many
 * steps as binades crossed. */
double rtm_i_add_repeated(double s, double c, size_t z);

#endif
