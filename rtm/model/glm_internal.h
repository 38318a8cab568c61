/* glm_internal.h: private to rtm/model/glm_*.c: the aggregated-data layout
 * and the small dense linear algebra shared by the Poisson and negative
 * binomial fits. */
#ifndef RTM_GLM_INTERNAL_H
#define RTM_GLM_INTERNAL_H

#include "rtm/glm.h"

struct rtm_glm_data {
    int k;                     /* columns */
    int *cols;                 /* k design column indices */
    const char *const *names;  /* design column names (borrowed), may be NULL */
    size_t n;                  /* cells */
    size_t m;                  /* distinct patterns */
    unsigned char *x;          /* m*k pattern bits */
    double *cnt, *sumy;        /* m: cells and sum y per pattern */
    size_t q;                  /* distinct (pattern, y) pairs, sorted by pattern, y */
    size_t *pair_start;        /* m+1: pairs of pattern g are [start[g], start[g+1]) */
    double *pair_y, *pair_w;   /* q: y and multiplicity */
    int *pair_yi;              /* q: index of pair_y in yval */
    size_t ny;                 /* distinct y values */
    double *yval;              /* ny distinct y, ascending */
    double sum_y, sum_lfact, sum_ylogy; /* sum y, sum log y!, sum y log y over cells */
    double cells_with_events;
};

/* Name of column j of g into buf ("column 3" when the design has no names). */
const char *rtm_glm_i_colname(const rtm_glm_data *g, int j, char *buf, size_t len);

/* Reject degenerate data before fitting (see rtm/glm.h); 0 or RTM_ERR_MODEL. */
int rtm_glm_i_check(const rtm_glm_data *g, rtm_family fam, rtm_error *err);

/* Linear predictor of pattern i: b[0] + sum_j x_ij b[j+1]. */
double rtm_glm_i_eta(const rtm_glm_data *g, size_t i, const double *b);

/* Cholesky factorisation in place of the n x n SPD matrix a (row-major, lower
 * triangle used and overwritten by L). Returns -1 on success, else the index of
 * the first pivot that is not positive (relative to the diagonal's scale). */
int rtm_glm_i_chol(double *a, int n);
/* Solve L L' x = b in place (b has n entries). */
void rtm_glm_i_chol_solve(const double *l, int n, double *b);
/* Diagonal of (L L')^-1 into d (n entries); work has n entries. */
void rtm_glm_i_chol_invdiag(const double *l, int n, double *d, double *work);

/* Allocate the per-column arrays of a fit for g and fill family, k, cols, n.
 * Returns 0 or RTM_ERR_NOMEM (f left zeroed). */
int rtm_glm_i_fit_alloc(rtm_glm_fit *f, const rtm_glm_data *g, rtm_family fam, rtm_error *err);

/* From estimates b (k+1, intercept first) and their SEs: fill beta, se, z, p,
 * aic and bic (f->loglik and f->df set). Fails with RTM_ERR_MODEL when a
 * coefficient exceeds max_abs (separation) or an SE is not finite. */
int rtm_glm_i_fit_finish(rtm_glm_fit *f, const rtm_glm_data *g, const double *b,
                         const double *se, double max_abs, rtm_error *err);

/* Poisson and NB fits on aggregated data (glm_fit.c's rtm_glm_fit_data
 * dispatches). The Poisson fit names msg_fam in its messages (NB fits start
 * from it), stores the estimates in b (k+1, may be NULL) and the fit in out
 * (may be NULL). */
int rtm_glm_i_poisson(const rtm_glm_data *g, rtm_family msg_fam, const rtm_glm_opts *o,
                      double *b, rtm_glm_fit *out, rtm_error *err);
int rtm_glm_i_nb(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o,
                 rtm_glm_fit *out, rtm_error *err);

/* The largest y when every y is a whole number in [0, 2^20) (the case
 * counted rather than sorted: rtm_counts_order, the folds), else -1. */
double rtm_i_counts_max(const double *y, size_t n);

/* rtm_patterns_build_cols without the cells' pattern numbers (as
 * rtm_patterns_build_sums): for fits that read the patterns' sums and
 * pairs only. */
rtm_patterns *rtm_i_patterns_build_cols_sums(const rtm_design *d, const int *cols, int ncols,
                                             rtm_error *err);

/* A growing table of unique packed bit patterns (nw 64-bit words each),
 * numbered in order of first insertion (design.c). */
typedef struct rtm_i_pattab rtm_i_pattab;
rtm_i_pattab *rtm_i_pattab_new(int nw);
/* Index of pattern w, inserted if new; SIZE_MAX when out of memory. */
size_t rtm_i_pattab_add(rtm_i_pattab *t, const uint64_t *w);
size_t rtm_i_pattab_count(const rtm_i_pattab *t);
/* count*nw words, pattern k at k*nw (valid until the next add). */
const uint64_t *rtm_i_pattab_words(const rtm_i_pattab *t);
void rtm_i_pattab_free(rtm_i_pattab *t);

#endif
