/* trial_eval_product.c: `rtm trial evaluate` - the outcome of a randomised
 * patrol trial (rtm/trial.h): events, harm and ring events per scheduled
 * place-day, compliance from the patrol dosage, the rate ratios with their
 * confidence intervals and permutation p-values; the files are written by
 * trial_eval_write.c. */
#include "product/product_priv.h"
#include "product/trial_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_trial_eval_product_init(rtm_trial_eval_product *p)
{
    memset(p, 0, sizeof *p);
    p->target_minutes = 15;
    p->ring_inner = 0;
    p->ring_outer = 150;
    p->nperm = 999;
    p->seed = 1;
    p->outcome = "events";
    p->harm_unit = "harm";
}

void trial_eval_free(trial_eval *t)
{
    rtm_trial_schedule_free(&t->s);
    rtm_trial_dosage_free(&t->dose);
    free(t->y);
    free(t->stratum);
}

/* Block ids of a fixed design as strata 0..nb-1 (order of first
 * appearance); a schedule without blocks is one stratum. */
static void make_strata(trial_eval *t)
{
    int n = t->s.nplaces, nb = 0;
    for (int i = 0; i < n; i++) {
        int s = -1;
        for (int j = 0; j < i && t->s.has_block; j++)
            if (t->s.block[j] == t->s.block[i])
                s = t->stratum[j];
        t->stratum[i] = !t->s.has_block ? 0 : s >= 0 ? s : nb++;
    }
}

/* Where an event falls: place k (inside) or -1, and the places whose ring
 * holds it (ring[] flags, only when it is inside no place). */
static int locate(const rtm_trial_places *pl, double x, double y, double in, double out,
                  unsigned char *ring)
{
    int inside = -1;
    for (int k = 0; k < pl->n; k++) {
        const rtm_trial_place *p = &pl->p[k];
        ring[k] = 0;
        if (x < p->bbox[0] - out || x > p->bbox[2] + out || y < p->bbox[1] - out ||
            y > p->bbox[3] + out)
            continue;
        double d = rtm_trial_place_distance(p, x, y);
        if (d <= 0 && inside < 0)
            inside = k;
        else if (d > in && d <= out)
            ring[k] = 1;
    }
    return inside;
}

/* Count the events into the place-day panels: y[0] events, y[1] harm
 * (the event weights), y[2] ring events. */
static int count_events(trial_eval *t, const rtm_trial_places *pl, const rtm_events *ev,
                        rtm_error *err)
{
    size_t cells = (size_t)pl->n * t->s.ndays;
    double mpu = rtm_crs_metres_per_unit(pl->crs);
    double in = t->p->ring_inner / (mpu > 0 ? mpu : 1), out = t->p->ring_outer / (mpu > 0 ? mpu : 1);
    unsigned char *ring = malloc((size_t)pl->n);
    if (!ring)
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    for (size_t e = 0; e < ev->pts.n; e++) {
        int dd = ev->pts.day[e], k;
        if (!dd) {
            t->no_day++;
            continue;
        }
        long d = rtm_days_from_civil(dd / 10000, dd / 100 % 100, dd % 100) - t->s.start;
        if (d < 0 || d >= t->s.ndays) {
            t->outside_dates++;
            continue;
        }
        k = locate(pl, ev->pts.x[e], ev->pts.y[e], in, out, ring);
        for (int j = -1; j < pl->n; j++) {
            int i = j < 0 ? k : ring[j] && k < 0 ? j : -1;
            if (i < 0)
                continue;
            size_t c = (size_t)i * t->s.ndays + (size_t)d;
            if (t->s.arm[c] < 0) {
                t->unscheduled++;
                continue;
            }
            if (j < 0) {
                t->y[c] += 1;
                t->y[cells + c] += ev->weighted ? ev->pts.w[e] : 1;
                t->in_places++;
            } else {
                t->y[2 * cells + c] += 1;
                t->in_rings++;
            }
        }
    }
    free(ring);
    if (t->no_day && t->no_day == ev->pts.n)
        return rtm_error_set(err, RTM_ERR_INPUT, "trial: no event has a day-level date (police.uk "
                             "months have none): give the events' date field with --month-field");
    return 0;
}

/* One outcome's effect: the Poisson FE fit, the headline CI (NB2 when the
 * counts are overdispersed, the place-clustered robust SE for harm and for
 * fixed designs, else the Poisson model SE) and the permutation p. */
static int effect(trial_eval *t, int o, trial_effect *e, rtm_error *err)
{
    size_t cells = (size_t)t->s.nplaces * t->s.ndays;
    const double *y = t->y + (size_t)o * cells;
    const int *st = t->rule == RTM_TRIAL_FIXED ? t->stratum : NULL;
    int rc = rtm_trial_rr_fit(y, t->s.arm, t->s.nplaces, t->s.ndays, st, &e->pois, err);
    rtm_error e2;
    memset(&e->nb, 0, sizeof e->nb);
    e->lr_p = e->theta = NAN;
    e->method = "Poisson, model SE";
    e->se = e->pois.se_model;
    e->log_rr = e->pois.log_rr;
    if (!rc && e->pois.estimable && o != 1 && t->rule != RTM_TRIAL_FIXED) {
        rtm_trial_rr pg;
        if (!rtm_trial_rr_glm(y, t->s.arm, t->s.nplaces, t->s.ndays, st, RTM_FAMILY_POISSON,
                              &pg, NULL, &e2) &&
            !rtm_trial_rr_glm(y, t->s.arm, t->s.nplaces, t->s.ndays, st, RTM_FAMILY_NB2, &e->nb,
                              &e->theta, &e2)) {
            /* LR test of theta = inf on the boundary: half a chi-square(1)
             * (Self & Liang 1987; Cameron & Trivedi 2013, sec. 3.4) */
            double lr = fmax(0, 2 * (e->nb.loglik - pg.loglik));
            e->lr_p = 0.5 * erfc(sqrt(lr / 2));
            if (e->lr_p < 0.05) {
                e->method = "negative binomial (NB2), model SE";
                e->se = e->nb.se_model;
                e->log_rr = e->nb.log_rr;
            }
        }
    }
    if (!rc && (o == 1 || t->rule == RTM_TRIAL_FIXED)) {
        e->method = "Poisson, place-clustered robust SE";
        e->se = e->pois.se_robust;
    }
    e->rr = exp(e->log_rr);
    e->lo = exp(e->log_rr - 1.959963984540054 * e->se);
    e->hi = exp(e->log_rr + 1.959963984540054 * e->se);
    e->p_wald = erfc(fabs(e->log_rr / e->se) / sqrt(2.0));
    e->p_perm = NAN;
    if (!rc && t->p->nperm > 0)
        rc = rtm_trial_permutation(y, t->s.arm, t->s.nplaces, t->s.ndays, st,
                                   t->s.has_block ? t->stratum : NULL, t->rule, t->p->nperm,
                                   t->p->seed + (uint64_t)o, &e->p_perm, err);
    /* fixed designs have few clusters (the robust Wald CI under-covers:
     * tests/test_trial.c): their CI inverts the permutation test */
    if (!rc && t->rule == RTM_TRIAL_FIXED && t->p->nperm > 0 && e->pois.estimable) {
        rc = rtm_trial_permutation_ci(y, t->s.arm, t->s.nplaces, t->s.ndays, st,
                                      t->s.has_block ? t->stratum : NULL, t->rule, t->p->nperm,
                                      t->p->seed + (uint64_t)o, 0.95, &e->lo, &e->hi, err);
        e->method = "permutation-test CI (fixed design)";
    }
    return rc;
}

/* Compliance: treatment place-days with at least the target minutes, the
 * mean minutes and visits by arm (contamination on control days). */
static void compliance(trial_eval *t)
{
    size_t cells = (size_t)t->s.nplaces * t->s.ndays;
    double n[2] = {0, 0}, hit[2] = {0, 0}, any[2] = {0, 0};
    memset(t->minutes, 0, sizeof t->minutes);
    memset(t->visits, 0, sizeof t->visits);
    for (size_t c = 0; c < cells && t->has_dosage; c++) {
        int a = t->s.arm[c];
        if (a < 0)
            continue;
        n[a]++;
        t->minutes[a] += t->dose.minutes[c];
        t->visits[a] += t->dose.visits[c];
        hit[a] += t->dose.minutes[c] >= t->p->target_minutes;
        any[a] += t->dose.minutes[c] > 0;
    }
    for (int a = 0; a < 2; a++) {
        t->minutes[a] = t->has_dosage && n[a] ? t->minutes[a] / n[a] : NAN;
        t->visits[a] = t->has_dosage && n[a] ? t->visits[a] / n[a] : NAN;
        t->at_target[a] = t->has_dosage && n[a] ? hit[a] / n[a] : NAN;
        t->any[a] = t->has_dosage && n[a] ? any[a] / n[a] : NAN;
    }
}

static int load(trial_eval *t, const rtm_trial_places *pl, const rtm_events *ev,
                rtm_error *err)
{
    int rc = rtm_trial_schedule_load(t->p->schedule, pl, &t->s, err);
    size_t cells;
    if (rc)
        return rc;
    cells = (size_t)pl->n * t->s.ndays;
    if (t->p->dosage && (rc = rtm_trial_dosage_load(t->p->dosage, pl, &t->s, &t->dose, err)))
        return rc;
    t->has_dosage = t->p->dosage != NULL;
    t->y = calloc(cells * 3, sizeof *t->y);
    t->stratum = malloc((size_t)pl->n * sizeof *t->stratum);
    if (!t->y || !t->stratum)
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    t->rule = rtm_trial_detect_rule(t->s.arm, pl->n, t->s.ndays);
    make_strata(t);
    return count_events(t, pl, ev, err);
}

static int check(const rtm_trial_eval_product *p, rtm_error *err)
{
    if (!p->dir || !*p->dir || !p->schedule)
        return rtm_error_set(err, RTM_ERR_ARG, "trial evaluate: %s",
                             p->schedule ? "no output folder" : "no schedule");
    if (!(p->ring_inner >= 0 && p->ring_outer > p->ring_inner && isfinite(p->ring_outer)))
        return rtm_error_set(err, RTM_ERR_ARG, "trial evaluate: the ring needs 0 <= inner < "
                             "outer (got %g, %g)", p->ring_inner, p->ring_outer);
    if (!(p->target_minutes >= 0) || p->nperm < 0 || p->nperm > 1000000)
        return rtm_error_set(err, RTM_ERR_ARG, "trial evaluate: target minutes >= 0 and "
                             "0..1000000 permutations");
    return 0;
}

int rtm_trial_eval_run(const rtm_trial_eval_product *p, const rtm_trial_places *pl,
                       const rtm_events *ev, const rtm_product_env *env, rtm_outset *out,
                       rtm_trial_eval_result *res, rtm_error *err)
{
    trial_eval t;
    int rc = check(p, err);
    if (!rc && rtm_crs_is_geographic(pl->crs) != 0)
        rc = rtm_error_set(err, RTM_ERR_CRS, "trial evaluate: the places' CRS is not a "
                           "projected one (rings are in metres)");
    if (rc)
        return rc;
    memset(&t, 0, sizeof t);
    t.p = p;
    t.pl = pl;
    t.ev = ev;
    if (!(rc = load(&t, pl, ev, err))) {
        rtm_prod_log(env, "trial: %zu events in the places and %zu in the rings on scheduled "
                     "place-days (%zu outside the trial's dates, %zu on unscheduled "
                     "place-days, %zu without a day)", t.in_places, t.in_rings,
                     t.outside_dates, t.unscheduled, t.no_day);
        compliance(&t);
        for (int o = 0; o < 3 && !rc; o++)
            rc = effect(&t, o, &t.eff[o], err);
    }
    if (!rc && t.in_places == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "trial: no event inside the places on a "
                           "scheduled day: check the dates, the CRS and the places");
    if (!rc)
        rc = trial_eval_write(&t, out, err);
    if (!rc && res)
        trial_eval_result(&t, res);
    trial_eval_free(&t);
    return rc;
}
