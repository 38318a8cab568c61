/* forecast_internal.h: private to rtm/model/forecast_*.c: the event history
 * by month on the inside cells, the predictors and their indicators. */
#ifndef RTM_FORECAST_INTERNAL_H
#define RTM_FORECAST_INTERNAL_H

#include "rtm/forecast.h"

#define FC_MAX_PRED 16
#define FC_NLEVELS 11

/* Predictor kinds. */
typedef enum { FC_LAST, FC_ALL, FC_KDE, FC_PROSP, FC_YEARAGO } fc_kind;

typedef struct fc_pred {
    fc_kind kind;
    double arg;            /* window months (FC_LAST), radius (FC_KDE) */
    char name[32];
} fc_pred;

/* Events of the training window, by month, and their counts per inside cell. */
typedef struct fc_hist {
    const rtm_grid *g;
    size_t nc, nin;        /* grid cells, inside cells */
    size_t *in;            /* nin grid indices of the inside cells */
    int base;              /* year*12 + month-1 of month index 0 */
    int nm;                /* months in the window */
    size_t nev;
    double *x, *y, *w;     /* events sorted by month (stable), weights (1 when none) */
    size_t *start;         /* nm+1: month m's events are [start[m], start[m+1]) */
    double *cnt;           /* nm*nin: events per month and inside cell */
    int horizon;
} fc_hist;

/* Quantile level l (0..FC_NLEVELS-1). */
double rtm_fc_level(int l);

/* Month number year*12 + month-1 of YYYYMM, and back. */
int rtm_fc_mnum(int yyyymm);
int rtm_fc_yyyymm(int mnum);

/* Build the history of pts over months first..last (YYYYMM) on the inside
 * cells of g/mask; events outside the window are left out, events without a
 * month are an error. */
int rtm_fc_hist_build(fc_hist *h, const rtm_grid *g, const unsigned char *mask,
                      const rtm_points *pts, int first, int last, int horizon, rtm_error *err);
void rtm_fc_hist_free(fc_hist *h);

/* The predictors for a window of nm months (forecast origin nm); yearago
 * when use_yearago. Returns their number. */
int rtm_fc_preds(const fc_hist *h, const rtm_forecast_opts *o, int use_yearago, fc_pred *p);

/* Predictor values at origin t (1 <= t <= nm: months 0..t-1 are history)
 * into F[k*nin + i] (k predictor, i inside cell). scratch: nc doubles. */
int rtm_fc_features(const fc_hist *h, const fc_pred *p, int np, int t,
                    const rtm_forecast_opts *o, float *F, double *scratch, rtm_error *err);

/* Prospective surface of months t-2, t-1 into s (nc doubles, zeroed here):
 * Bowers, Johnson & Pease (2004). */
void rtm_fc_prospective(const fc_hist *h, int t, double *s);

/* Outcome at origin t: events in months t .. t+horizon-1 per inside cell. */
void rtm_fc_outcome(const fc_hist *h, int t, double *y);

/* Indicator thresholds of predictor values v (nin) at the quantile levels:
 * writes at most FC_NLEVELS increasing thresholds, the first the smallest
 * positive value (the "x > 0" indicator). Returns the count (0: never
 * positive). */
int rtm_fc_thresholds(const float *v, size_t nin, double *thr, rtm_error *err);

/* The values of v (nin) at every quantile level among its positive values
 * (q[0] the smallest positive), FC_NLEVELS values, +inf when none is
 * positive. Returns 0 or RTM_ERR_NOMEM. */
int rtm_fc_levels(const float *v, size_t nin, double *q, rtm_error *err);

#endif
