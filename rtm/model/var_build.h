/* var_build.h: private to rtm/model/variables.c and var_build.c: one risk
 * factor's candidate variables as the study-area rows where any is 1. */
#ifndef RTM_VAR_BUILD_H
#define RTM_VAR_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/model.h"
#include "rtm/model_tiles.h"

#define RTM_I_MAX_LADDER 64
/* Rows of a proximity surface computed at a time (the scratch's rows). */
#define RTM_I_PROX_ROWS 512

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
    /* the density statistics of every grid row, from the strips' partials
     * (rtm/model_tiles.h): the strip then computes its own rows' densities
     * only. NULL: over the whole grid, as the whole build does. */
    const rtm_varstats *given;
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

/* Per-row statistics of the density variables (rtm/model_tiles.h): var v is
 * factor factor[v]'s density at ladder step k[v] (radius[v]); its rows
 * [r0, r1) of nrows are mean[v * (r1 - r0) + i - r0], m2[...] (the row's
 * mean and sum of squared deviations over its study cells, var_build.c). */
struct rtm_varstats {
    int nrows, r0, r1, nvar;
    int *factor, *k;
    double *radius;
    double *mean, *m2;
};
/* Variable v of s for factor fi's ladder step k, or -1. */
static inline int rtm_i_varstats_find(const rtm_varstats *s, int fi, int k)
{
    for (int v = 0; v < s->nvar; v++)
        if (s->factor[v] == fi && s->k[v] == k)
            return v;
    return -1;
}
/* An empty set for rows [r0, r1) of nrows and nvar variables (zeroed), or NULL. */
rtm_varstats *rtm_i_varstats_new(int nrows, int r0, int r1, int nvar);

/* Build factor fi (f) 's variables (operationalization op, ladder
 * lad[0..nl-1]) on one thread; surf is scratch of RTM_I_PROX_ROWS rows (or
 * the strip's, if fewer). */
int rtm_i_factor_cells(const rtm_i_vctx *c, const rtm_factor_spec *f, int fi, rtm_op op,
                       const double *lad, int nl, double *surf, rtm_i_fcells *fc,
                       rtm_error *err);
/* The statistics of factor f's densities (ladder lad[0..nl-1]) over the
 * strip's rows [c->r0, c->r1), step k into mean[k * rows + i - r0] and
 * m2[...] (rows = r1 - r0), on one thread. */
int rtm_i_factor_dens_stats(const rtm_i_vctx *c, const rtm_factor_spec *f, const double *lad,
                            int nl, double *mean, double *m2, rtm_error *err);
void rtm_i_fcells_free(rtm_i_fcells *fc);

/* Study-area rows: their number (vs->n), per grid row where its rows start
 * (*rowstart, nrows + 1 of them) and the grid cells of those in grid rows
 * [r0, r1) (vs->cell, study row q at q - (*rowstart)[r0]). Returns 0 or -1
 * (out of memory). */
int rtm_i_study_rows(const rtm_grid *g, const unsigned char *mask, int r0, int r1,
                     rtm_varset *vs, size_t **rowstart);
/* A finished whole-grid set without a mask: its rows are the grid's cells
 * in order, so vs->cell goes (NULL, rtm_varset_cell). */
void rtm_i_varset_whole_grid(rtm_varset *vs, const unsigned char *mask);
/* What the whole and strip builds share: the factors checked, the study
 * rows (vs->cell, vs->n; *rowstart), every factor's plan (vs->info) and its
 * cells over grid rows [r0, r1) (*fc, nf of them). Whatever it returns,
 * the caller frees *fc and *rowstart (rtm_i_vars_cells_free) and vs's
 * fields. Returns 0 or an error code. */
int rtm_i_vars_cells(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                     int nf, const rtm_var_opts *o, int r0, int r1, const rtm_varstats *given,
                     rtm_varset *vs, size_t **rowstart, rtm_i_fcells **fc, rtm_error *err);
/* rtm_i_vars_cells' first half: the factors checked, the study rows and
 * every factor's plan, no cells. Frees as rtm_i_vars_cells. */
int rtm_i_vars_setup(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                     int nf, const rtm_var_opts *o, int r0, int r1, rtm_varset *vs,
                     size_t **rowstart, rtm_error *err);
/* fn(c, i, scratch, arg, err) for every factor i < nf, factors in parallel
 * on the build's threads, each on one thread (so no result depends on the
 * thread count or the schedule), with scratch doubles of its own (none when
 * 0), reporting progress ("variables"). 0 or the first failing factor's
 * error. */
typedef int (*rtm_i_factor_fn)(const rtm_i_vctx *c, int i, double *scratch, void *arg,
                               rtm_error *err);
int rtm_i_each_factor(const rtm_i_vctx *c, int nf, size_t scratch, rtm_i_factor_fn fn,
                      void *arg, rtm_error *err);
/* Factor f's ladder (the options', or the factor's own maximum and step). */
int rtm_i_factor_ladder(const rtm_var_opts *o, const rtm_factor_spec *f, double *lad);
/* Threads a build uses. */
int rtm_i_var_threads(const rtm_var_opts *o);
void rtm_i_vars_cells_free(rtm_i_fcells *fc, int nf, size_t *rowstart);
/* Factor i's variable k as a column: its name, op, distance, threshold and
 * ones (the caller's count) into v. */
void rtm_i_var_describe(rtm_variable *v, const rtm_var_opts *o, const rtm_factor_spec *f,
                        int i, const rtm_factor_info *fi, const rtm_i_fcells *fc, int k,
                        size_t ones);

#endif
