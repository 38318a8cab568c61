/* forecast_design.h: private to rtm/model/forecast_*.c: indicator columns,
 * packed bits per origin, and the training-pair design. */
#ifndef RTM_FORECAST_DESIGN_H
#define RTM_FORECAST_DESIGN_H

#include "model/forecast_internal.h"

#define FC_MAX_COLS 1024
#define FC_MAX_ORIGINS 64   /* training pairs + the forecast origin */

typedef struct fc_cols {
    int n, nfc, nw;             /* columns, of them from predictors, 64-bit words */
    int pred[FC_MAX_COLS];      /* predictor index, or -1-v for risk variable v */
    double thr[FC_MAX_COLS];       /* threshold at the forecast origin */
    int lev[FC_MAX_COLS];          /* quantile level index */
    int rank;                      /* 1: thresholds are each origin's quantiles */
    unsigned char gt0[FC_MAX_COLS]; /* 1: x > 0 */
    char name[FC_MAX_COLS][112];
    const rtm_varset *vars;
    size_t *vrow;               /* nin: row of each inside cell in vars, SIZE_MAX none */
} fc_cols;

int rtm_fc_cols_build(fc_cols *c, const fc_hist *h, const fc_pred *p, int np, const float *F0,
                      const rtm_varset *vars, rtm_error *err);
void rtm_fc_cols_free(fc_cols *c);
/* Bits at one origin; q (np x FC_NLEVELS, that origin's quantiles) in rank
 * mode, else NULL (the forecast origin's thresholds). */
void rtm_fc_bits(const fc_cols *c, const fc_hist *h, const float *F, const double *q,
                 uint64_t *B);

typedef struct fc_pairs {
    int npairs, nw;
    size_t nin;
    uint64_t *B[FC_MAX_ORIGINS]; /* per pair (and the forecast origin last): nin*nw bits */
    double *y;                   /* npairs*nin outcomes */
    double keep_p;
    size_t nrows;
    unsigned char *x;            /* nrows*ncols design */
    double *dy, *wt;             /* nrows outcomes and weights */
    int *fold;                   /* nrows pair index */
    rtm_patterns *pt;
    double *nw_fold;             /* m*npairs weighted cells */
} fc_pairs;

int rtm_fc_design(fc_pairs *pp, int ncols, size_t max_rows, uint64_t seed, rtm_error *err);
int rtm_fc_patterns(fc_pairs *pp, int ncols, const char *const *names, rtm_error *err);
void rtm_fc_stats(const fc_pairs *pp, const int *use, double *n, double *sy, double *yl);
void rtm_fc_pairs_free(fc_pairs *pp);

/* Everything one fit needs. */
typedef struct fc_run {
    fc_hist h;
    fc_pred pred[FC_MAX_PRED];
    int np, tmin, use_yearago;
    fc_cols *cols;
    fc_pairs pp;
    float *F;
    double *scratch;
    const rtm_forecast_opts *o;
} fc_run;

int rtm_fc_plan(fc_run *r, rtm_error *err);
int rtm_fc_build_bits(fc_run *r, const rtm_varset *vars, rtm_error *err);
void rtm_fc_predict(const fc_run *r, const uint64_t *B, double a0, const double *beta,
                    double *mu);
void rtm_fc_run_free(fc_run *r);
/* The path, the validation and the result (forecast_path.c). */
int rtm_fc_fit_path(fc_run *r, rtm_forecast *f, rtm_error *err);

#endif
