/* product/trial_priv.h (library-private): what the trial design and
 * evaluation products share. */
#ifndef RTM_TRIAL_PRIV_H
#define RTM_TRIAL_PRIV_H

#include <stdio.h>
#include "rtm/product.h"
#include "rtm/trial.h"

/* Register DIR/name in out and write buf there (atomically); frees buf. */
int trial_write_text(rtm_outset *out, const char *dir, const char *name, char *buf,
                     size_t len, rtm_error *err);

/* One line on an assignment rule, with its source. */
const char *trial_rule_text(rtm_trial_rule r);

/* CSV cells: text quoted when needed; ",number" or "," for NaN. */
void trial_csv_str(FILE *f, const char *s);
void trial_csv_num(FILE *f, double v);

/* Balance of the arms (index 0 control, 1 treatment). */
typedef struct trial_arm_stats {
    int places;          /* places with a day in the arm */
    double place_days;
    double events, harm; /* mean of the places' fields per place-day */
} trial_arm_stats;

void trial_balance(const rtm_trial_places *pl, const signed char *arm, int days,
                   trial_arm_stats st[2]);

/* The places' harm and events fields as new arrays (NAN when absent). */
int trial_fields(const rtm_trial_places *pl, double **harm, double **events, rtm_error *err);

#endif
