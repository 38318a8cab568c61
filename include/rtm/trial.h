/* rtm/trial.h: randomised hot-spot patrol trials - the design (which places
 * are patrolled on which days) and the evaluation (compliance, the effect on
 * events and harm, displacement in a ring around each place).
 *
 * Two designs, as in the published UK trials:
 *  - daily assignment (Southend: Basford, Sims, Agar, Harinam & Strang 2021,
 *    Camb J Evid Based Policing, doi 10.1007/s41887-021-00067-2): every day
 *    each place is treatment or control. BALANCED draws exactly
 *    round(F x N) places a day at random (Southend's 720 treatment of 1,800
 *    place-days is exactly 8 of 20 a day); INDEPENDENT flips a coin of
 *    probability F for every place-day.
 *  - fixed places blocked by harm (Peterborough: Ariel, Weinborn & Sherman
 *    2016, J Exp Criminol 12(3):277-317): places sorted by harm are cut
 *    into blocks (pairs for F = 1/2) and the treatment places are drawn
 *    within each block; a place keeps its arm for the whole trial.
 *
 * The effect is a rate ratio, treatment against control place-days, from a
 * Poisson model with a fixed effect per stratum (place for daily designs,
 * block for fixed ones), fitted by its conditional likelihood; model-based
 * and place-clustered robust (Wooldridge 1999) standard errors; the
 * negative-binomial variant through the GLM code (rtm/glm.h); and a
 * permutation test that re-draws the assignment by the design's own rule.
 *
 * Randomness: xoshiro256** (Blackman & Vigna 2018) seeded through
 * splitmix64; bounded draws by rejection, so a seed gives the same schedule
 * on every platform. Reentrant (no shared state) except where GDAL is used.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_TRIAL_H
#define RTM_TRIAL_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/input.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== places (input stage) ============================================== */

/** One patrol place: its id and fields, and its polygon rings in the
 *  analysis CRS (ring r is xy[2*ring_start[r] .. 2*ring_start[r+1]-1],
 *  closed implicitly; rings combine by the even-odd rule). */
typedef struct rtm_trial_place {
    char id[64];         /**< the `place` field as text ("7"), or the FID */
    int rank;            /**< the `rank` field, 0 when absent */
    char name[128];      /**< the `name` field, "" when absent */
    double events, harm; /**< the `events` and `harm` fields, NAN when absent */
    double area;         /**< polygon area in CRS units² */
    int nrings;
    size_t *ring_start;  /**< nrings + 1 offsets into xy (in points) */
    double *xy;          /**< vertices, x y interleaved */
    double bbox[4];      /**< xmin, ymin, xmax, ymax */
} rtm_trial_place;

/** The places of a trial, in rank order (file order when there is no rank). */
typedef struct rtm_trial_places {
    int n;
    rtm_trial_place *p;
    char crs[4096];      /**< the analysis CRS (as given, or the layer's WKT) */
    int has_events, has_harm;
} rtm_trial_places;

/** Read the polygons of path (any OGR source; layer NULL = the first) with
 *  their `place` id field (id_field; NULL = "place", else the FID), `rank`,
 *  `name`, `events` and `harm` fields when present, transformed to dst_crs
 *  (NULL = the layer's CRS; the evaluation needs a projected one). Ids must be
 *  unique. Uses GDAL on the calling thread. Returns 0 or an error naming
 *  the file and feature; out is then empty. Free with rtm_trial_places_free. */
int rtm_trial_places_load(const char *path, const char *layer, const char *id_field,
                          const char *dst_crs, rtm_trial_places *out, rtm_error *err);
void rtm_trial_places_free(rtm_trial_places *pl);

/** Index of the place with id (numbers compare as numbers: "7" = "7.0"),
 *  or -1. */
int rtm_trial_places_find(const rtm_trial_places *pl, const char *id);

/** Signed distance from (x, y) to the boundary of place p: negative inside,
 *  positive outside (CRS units). */
double rtm_trial_place_distance(const rtm_trial_place *p, double x, double y);

/* ==== schedule and dosage (input stage) ================================== */

/** A schedule on a place x day grid: arm[i*ndays + d] is 1 (treatment),
 *  0 (control) or -1 (place i not scheduled on day d). */
typedef struct rtm_trial_schedule {
    long start;          /**< first day, days from 1970-01-01 */
    int ndays, nplaces;
    signed char *arm;
    int *block;          /**< nplaces block ids (fixed designs), -1 = none */
    int has_block;       /**< the schedule has a `block` column */
    size_t rows;
} rtm_trial_schedule;

/** Read a schedule CSV (or any OGR table) with columns date (YYYY-MM-DD or
 *  any day form of rtm_date_parse), place (ids of pl), arm (`treatment` or
 *  `control`) and optionally block. Unknown places, bad dates or arms and
 *  place-days given twice are errors naming file, row and field. */
int rtm_trial_schedule_load(const char *path, const rtm_trial_places *pl,
                            rtm_trial_schedule *s, rtm_error *err);
void rtm_trial_schedule_free(rtm_trial_schedule *s);

/** Patrol dosage per place-day (from rtm dosage's dosage.csv: columns
 *  place, date, minutes, visits; devices optional). Place-days absent from
 *  the file had no patrol (0). Rows are summed when a place-day repeats
 *  (shift windows). */
typedef struct rtm_trial_dosage {
    double *minutes, *visits;  /**< nplaces*ndays, as the schedule */
    size_t rows, used;
    size_t unknown_place, outside;  /**< rows for places not in the trial, or
                                         dates outside it (ignored, counted) */
    char example[160];              /**< the first ignored row */
} rtm_trial_dosage;

int rtm_trial_dosage_load(const char *path, const rtm_trial_places *pl,
                          const rtm_trial_schedule *s, rtm_trial_dosage *d, rtm_error *err);
void rtm_trial_dosage_free(rtm_trial_dosage *d);

/* ==== design (evaluate stage) ============================================ */

typedef enum rtm_trial_rule {
    RTM_TRIAL_BALANCED = 0,  /**< daily: exactly round(F N) places a day */
    RTM_TRIAL_INDEPENDENT,   /**< daily: each place-day treated with probability F */
    RTM_TRIAL_FIXED          /**< fixed places, drawn within harm blocks */
} rtm_trial_rule;

/** Blocks for a fixed design of n places in rank order (harm[i], NAN =
 *  unknown, ordered first by harm, then events, then rank): the block size
 *  is the smallest m in 2..20 with m x share a whole number (pairs for 1/2,
 *  fives for 0.4); a last short block takes the remainder. block receives n
 *  ids in rank order of harm (block 0 = the most harmful places),
 *  *block_size (may be NULL) m.
 *  Returns 0 or RTM_ERR_ARG (no such m). */
int rtm_trial_blocks(const double *harm, const double *events, int n, double share,
                     int *block, int *block_size, rtm_error *err);

/** Draw an assignment: arm[i*days + d] = 1 or 0 for n places over days.
 *  block (n ids, fixed rule only; NULL = one block). The result depends only
 *  on the arguments. Returns 0 or RTM_ERR_ARG. */
int rtm_trial_assign(rtm_trial_rule rule, double share, int n, int days, const int *block,
                     uint64_t seed, signed char *arm, rtm_error *err);

/** Re-draw an observed assignment by its own rule (for the permutation
 *  test): BALANCED permutes the arms of each day among the places scheduled
 *  that day; INDEPENDENT redraws each scheduled place-day with the observed
 *  treatment share; FIXED permutes the places' arms within each block (NULL
 *  = one block). Unscheduled place-days (-1) stay so. out may not be arm. */
void rtm_trial_rerandomise(rtm_trial_rule rule, const signed char *arm, int n, int days,
                           const int *block, uint64_t seed, signed char *out);

/** The rule an observed schedule follows: FIXED when every place keeps one
 *  arm, BALANCED when the treated count is the same every day, else
 *  INDEPENDENT. */
rtm_trial_rule rtm_trial_detect_rule(const signed char *arm, int n, int days);

/* ==== effect (evaluate stage) ============================================ */

/** A rate ratio of treatment against control place-days. */
typedef struct rtm_trial_rr {
    int estimable;       /**< 0 when an arm has no event (rr 0 or inf, no CI) */
    double log_rr, rr;
    double se_model;     /**< model-based SE of log rr (Poisson, or NB) */
    double se_robust;    /**< place-clustered sandwich SE (Wooldridge 1999) */
    double y_treat, y_control;  /**< outcome totals (all scheduled place-days) */
    double t_treat, t_control;  /**< place-days */
    int strata;          /**< strata that inform the estimate (events in both
                              arms possible: both arms scheduled, some event) */
    double loglik;       /**< conditional Poisson log-likelihood at the MLE */
} rtm_trial_rr;

/** Poisson fixed-effects rate ratio of y (n*days values, [i*days + d]) on
 *  the scheduled place-days of arm, with one fixed effect per stratum
 *  (stratum: n ids in [0, n), e.g. the place itself for daily designs, the
 *  block for fixed ones). The MLE solves the conditional (multinomial)
 *  likelihood score sum_s [Y_s1 - Y_s p_s(b)] = 0, p_s = T_s1 e^b /
 *  (T_s0 + T_s1 e^b), which gives the same b and model SE as the GLM with
 *  explicit stratum dummies (Cameron & Trivedi 2013, sec. 9.4). y may be
 *  any non-negative weights (harm): a pseudo-likelihood whose robust SE
 *  stays valid (Wooldridge 1999, J Econometrics 90:77-97). */
int rtm_trial_rr_fit(const double *y, const signed char *arm, int n, int days,
                     const int *stratum, rtm_trial_rr *out, rtm_error *err);

/** The same model through the GLM code (rtm_glm_fit_cols) with explicit
 *  stratum dummies: family RTM_FAMILY_POISSON or RTM_FAMILY_NB2 (counts
 *  only). Strata with no event are left out. Fills log_rr, rr, se_model
 *  and loglik (full likelihood); *theta (may be NULL) the NB2 theta.
 *  Returns 0 or RTM_ERR_MODEL (e.g. no overdispersion for NB2). */
int rtm_trial_rr_glm(const double *y, const signed char *arm, int n, int days,
                     const int *stratum, int family, rtm_trial_rr *out, double *theta,
                     rtm_error *err);

/** Permutation p-value of the rate ratio: nperm re-draws of arm by rule
 *  (rtm_trial_rerandomise, seeds derived from seed and the draw number),
 *  the statistic |log rr| of rtm_trial_rr_fit (inf when an arm has no
 *  event); p = (1 + #{draws at least as extreme}) / (nperm + 1) (Phipson &
 *  Smyth 2010). stratum as rtm_trial_rr_fit; block as rtm_trial_rerandomise.
 *  Returns 0 or an error. */
int rtm_trial_permutation(const double *y, const signed char *arm, int n, int days,
                          const int *stratum, const int *block, rtm_trial_rule rule,
                          int nperm, uint64_t seed, double *p, rtm_error *err);

/** A confidence interval for the rate ratio by inverting the permutation
 *  test (Rosenbaum 2002, Observational Studies, 2nd ed., sec. 2.6; Imbens &
 *  Rubin 2015, ch. 5): the rate ratios r0 whose hypothesis "patrol days
 *  have r0 times the rate" (tested by dividing the treatment place-days'
 *  outcomes by r0) the permutation test at level 1 - conf does not reject.
 *  Valid by the design alone, for any distribution of the outcomes and
 *  few places; used for fixed designs. lo, hi receive rate ratios (0 or
 *  inf when the interval is open). */
int rtm_trial_permutation_ci(const double *y, const signed char *arm, int n, int days,
                             const int *stratum, const int *block, rtm_trial_rule rule,
                             int nperm, uint64_t seed, double conf, double *lo, double *hi,
                             rtm_error *err);

/* ==== products ============================================================ */

typedef struct rtm_trial_design_product {
    const char *dir;          /**< output folder: schedule.csv, balance.csv, design.md */
    int start;                /**< first day YYYYMMDD */
    int days;                 /**< trial length, >= 1 */
    rtm_trial_rule rule;      /**< default BALANCED */
    double treat_share;       /**< NAN = default: 0.4 daily (8 of 20, Southend),
                                   0.5 fixed (pairs) */
    uint64_t seed;
    const char *places_name;  /**< the places file, for design.md */
} rtm_trial_design_product;

void rtm_trial_design_product_init(rtm_trial_design_product *p);

/** Draw the design for the places pl and write DIR/schedule.csv
 *  (date,place,arm[,block]), DIR/balance.csv and DIR/design.md into out.
 *  summary (may be NULL, 256 bytes) receives one line for a person. */
int rtm_trial_design_run(const rtm_trial_design_product *p, const rtm_trial_places *pl,
                         const rtm_product_env *env, rtm_outset *out, char *summary,
                         rtm_error *err);

typedef struct rtm_trial_eval_product {
    const char *dir;          /**< output folder: trial.md, trial.html, effects.csv,
                                   place_days.csv */
    const char *schedule;     /**< schedule CSV (required) */
    const char *dosage;       /**< dosage CSV, or NULL */
    double target_minutes;    /**< a treatment place-day is delivered at >= this (15) */
    double ring_inner, ring_outer; /**< ring in metres beyond the place's edge (0, 150) */
    int nperm;                /**< permutation draws (999) */
    uint64_t seed;            /**< seed of the permutations (1) */
    const char *outcome;      /**< what the events are, for the text ("events") */
    const char *harm_unit;    /**< unit of the event weights ("harm"), used when
                                   the events are weighted */
    const char *places_name;  /**< the places file, for the report */
} rtm_trial_eval_product;

void rtm_trial_eval_product_init(rtm_trial_eval_product *p);

/** What the evaluation found. */
typedef struct rtm_trial_eval_result {
    rtm_trial_rule rule;
    rtm_trial_rr events, harm, ring;  /**< Poisson FE fits */
    double events_lo, events_hi, events_p_perm;  /**< headline CI and permutation p */
    double harm_lo, harm_hi, harm_p_perm;
    double ring_lo, ring_hi, ring_p_perm;
    double delivered;         /**< share of treatment place-days with >= target (NAN
                                   without dosage) */
    double min_treat, min_control;  /**< mean minutes per place-day by arm */
    char headline[512];       /**< the plain-words sentence */
} rtm_trial_eval_result;

/** Evaluate the trial: the events ev (in pl's CRS, with day-level dates)
 *  against the schedule and the dosage; writes the files into out. */
int rtm_trial_eval_run(const rtm_trial_eval_product *p, const rtm_trial_places *pl,
                       const rtm_events *ev, const rtm_product_env *env, rtm_outset *out,
                       rtm_trial_eval_result *res, rtm_error *err);

/** The calendar date of a day number (days from 1970-01-01) as YYYY-MM-DD
 *  into buf (11 bytes). Howard Hinnant's civil_from_days. */
void rtm_trial_date(long days, char buf[11]);

#ifdef __cplusplus
}
#endif
#endif
