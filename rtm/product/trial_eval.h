/* product/trial_eval.h (library-private): the state of a trial evaluation
 * shared by its computation (trial_eval_product.c) and its files
 * (trial_eval_write.c). */
#ifndef RTM_TRIAL_EVAL_H
#define RTM_TRIAL_EVAL_H

#include "product/trial_priv.h"

/* One outcome's effect. */
typedef struct trial_effect {
    rtm_trial_rr pois;    /* Poisson fixed effects (conditional likelihood) */
    rtm_trial_rr nb;      /* NB2 with dummies (estimable 0 when not fitted) */
    double theta, lr_p;   /* NB2 theta, p of the overdispersion LR test */
    const char *method;   /* what the headline CI comes from */
    double log_rr, se, rr, lo, hi, p_wald, p_perm;
} trial_effect;

typedef struct trial_eval {
    const rtm_trial_eval_product *p;
    const rtm_trial_places *pl;
    const rtm_events *ev;
    rtm_trial_schedule s;
    rtm_trial_dosage dose;
    int has_dosage;
    rtm_trial_rule rule;
    int *stratum;         /* per place: block stratum (fixed designs) */
    double *y;            /* 3 panels of nplaces*ndays: events, harm, ring events */
    size_t in_places, in_rings, outside_dates, unscheduled, no_day;
    double minutes[2], visits[2], at_target[2], any[2]; /* per arm (0 control) */
    trial_effect eff[3];  /* events, harm, ring */
} trial_eval;

int trial_eval_write(const trial_eval *t, rtm_outset *out, rtm_error *err);
void trial_eval_result(const trial_eval *t, rtm_trial_eval_result *r);
void trial_eval_free(trial_eval *t);

#endif
