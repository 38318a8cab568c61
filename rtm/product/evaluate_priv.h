/* product/evaluate_priv.h (library-private): the state the evaluation
 * product's files share - the grid and evaluated cells, the surfaces, the
 * events and their counts, and each surface's metrics. */
#ifndef RTM_EVALUATE_PRIV_H
#define RTM_EVALUATE_PRIV_H

#include <stdio.h>
#include "product/product_priv.h"
#include "rtm/evaluate.h"

#define EVAL_NSAMPLES 1000 /* points of the sampled curves (every 0.1 % of area) */

typedef struct eval_surface {
    char name[96];
    char source[256];
    double *v;   /* ncells, owned */
} eval_surface;

/* The metrics of one surface at the coverages; curve: EVAL_NSAMPLES points,
 * or NULL. */
typedef struct eval_surf_result {
    rtm_eval_metrics m[RTM_EVAL_MAX_COVERAGES];
    double tied[RTM_EVAL_MAX_COVERAGES]; /* cells of the tie block the coverage ends in */
    int coarse[RTM_EVAL_MAX_COVERAGES];  /* 1: that block is larger than the flagged area */
    double auc;
    rtm_eval_metrics *curve;
} eval_surf_result;

/* Concentration of the test counts: Lorenz shares at the coverages, the
 * area holding 25/50/75 % of events, Gini. */
typedef struct eval_conc {
    double top[RTM_EVAL_MAX_COVERAGES];
    double area_for[3];
    rtm_gini_t gini;
} eval_conc;

extern const double EVAL_CONC_SHARES[3];

typedef struct eval_state {
    const rtm_evaluate_product *p;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_grid grid;
    unsigned char *mask; /* evaluated cells (never NULL once set up) */
    size_t ncells;
    double area_cells;
    const char *dst_crs;
    eval_surface s[RTM_EVAL_MAX_SURFACES];
    int ns, nfile;
    rtm_points test, train;
    rtm_load_stats test_st, train_st;
    double *counts, *train_counts; /* train_counts NULL without training events */
    double total;                  /* N: test events in the evaluated cells */
    double cov[RTM_EVAL_MAX_COVERAGES];      /* coverages as fractions of A */
    char covlab[RTM_EVAL_MAX_COVERAGES][32]; /* as given: "5", "0.5km2", "100cells" */
    double cell_km2;               /* area of one cell */
    double reach;                  /* training events within this of the area are kept
                                      (the largest KDE radius; 0 = inside only) */
    rtm_grid near_grid;            /* the grid grown by the reach, and ... */
    unsigned char *near_mask;      /* ... its cells within reach of the area (or NULL) */
    rtm_varset *vars;              /* the RTM's candidate variables (with factors) */
    rtm_model_opts mopts;          /* its options as used (block set) */
    rtm_eval_model_ctx mctx;
    rtm_eval_refit refit[RTM_EVAL_MAX_SURFACES]; /* "rtm", then p->refits */
    int nrefit;
    const int *step_month;         /* a back-test step's training months (for refits) */
    char warn[1024];               /* warnings for metrics.md / backtest.md */
    char *md_extra;                /* sections for metrics.md / backtest.md (owned) */
} eval_state;

/* The training counts are a surface when asked for, and always in a back-test. */
static inline int eval_prior(const rtm_evaluate_product *p)
{
    return p->prior_counts || p->backtest;
}

/* evaluate_surfaces.c: grid, surfaces, events */
void eval_state_init(eval_state *s, const rtm_evaluate_product *p, const rtm_product_env *env,
                     rtm_outset *out);
void eval_state_free(eval_state *s);
int eval_setup_grid(eval_state *s, rtm_error *err);
/* near: keep the events within s->reach of the area too (for the KDEs) */
int eval_load_events(eval_state *s, const rtm_events_opts *o, int from, int to,
                     rtm_points *pts, rtm_load_stats *st, const char *what, int near,
                     rtm_error *err);
double *eval_bin(const eval_state *s, const rtm_points *pts, rtm_error *err);
/* file surface name: NAME, or the base name of path without extension */
void eval_surface_name(const rtm_eval_surface_file *f, char *name, size_t n);

/* evaluate_derived.c: KDE, refits, prior counts and combinations from the
 * training points / counts (x may be NULL with n 0: combinations only); st:
 * the back-test step, or NULL (the training window of the options) */
int eval_build_derived(eval_state *s, const double *x, const double *y, const double *w,
                       size_t n, const double *train_counts, const rtm_backtest_step *st,
                       rtm_error *err);
/* the refits ("rtm" from the factors, then p->refits) once the grid is set */
int eval_setup_refits(eval_state *s, rtm_error *err);
/* coverages as fractions of the evaluated area */
int eval_setup_coverages(eval_state *s, rtm_error *err);
/* coverage c in percent of A, and as a person reads it ("5 %", "0.5 km² (1.3 %)") */
double eval_cov_pct(const eval_state *s, int c);
const char *eval_cov_text(const eval_state *s, int c, char *buf, size_t n);
/* append a warning (logged and kept for the reports) */
void eval_warn(eval_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void eval_drop_derived(eval_state *s);
int eval_find_surface(const eval_state *s, const char *name);

/* evaluate_product.c: metrics of one surface (with_curve: the sampled
 * curves; cc may be NULL) */
int eval_surface_metrics(const eval_state *s, const double *v, eval_surf_result *r,
                         int with_curve, eval_conc *cc, rtm_error *err);

/* evaluate_write.c: the evaluation's files, and what the back-test shares */
int eval_write_all(const eval_state *s, const eval_surf_result *r, const eval_conc *cc,
                   rtm_error *err);
int eval_write_text(const eval_state *s, const char *name, char *buf, size_t len,
                    rtm_error *err);
const char *eval_num(char *buf, size_t sz, const char *fmt, double v);
void eval_csv_num(FILE *f, double v);
void eval_csv_str(FILE *f, const char *s);
void eval_md_definitions(FILE *f, int have_train);

/* evaluate_truth.c: new places, bootstrap intervals, paired comparisons */
int eval_write_newplaces(eval_state *s, rtm_error *err);
int eval_write_uncertainty(eval_state *s, rtm_error *err);
/* append a Markdown section to s->md_extra */
int eval_md_append(eval_state *s, const char *text, size_t len, rtm_error *err);
/* the region near the area: grid g grown by the reach, cells within reach */
int eval_near_area(const eval_state *s, rtm_grid *g, unsigned char **mask, rtm_error *err);

/* evaluate_backtest.c: one step of the back-test */
typedef struct bt_step {
    rtm_backtest_step st;
    size_t ntrain, ntest;
    eval_surf_result *r; /* per surface */
} bt_step;

/* evaluate_btout.c: the back-test's charts and its uncertainty over steps */
int eval_bt_charts(const eval_state *s, const bt_step *b, size_t n, rtm_error *err);
int eval_bt_uncertainty(eval_state *s, const bt_step *b, size_t n, rtm_error *err);

/* evaluate_backtest.c */
int eval_run_backtest(eval_state *s, rtm_evaluate_result *res, rtm_error *err);

#endif
