/* trial_stats.c: the effect of a patrol trial (rtm/trial.h) - the Poisson
 * fixed-effects rate ratio of treatment against control place-days by its
 * conditional likelihood, with model-based and place-clustered robust
 * standard errors; the same model with explicit dummies through the GLM code
 * (Poisson and NB2); and the permutation test over the randomisation. */
#include "rtm/trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/glm.h"
#include "evaluate/trial_rng.h"

#define MAX_NEWTON 200

/* Totals per stratum: Y1, Y0 (outcome on treatment / control place-days),
 * T1, T0 (place-days), and per place its Y1, Y0 (for the cluster scores). */
typedef struct agg {
    int n, days;
    double *ys1, *ys0, *ts1, *ts0, *yp1, *yp0, *tp1, *tp0;
} agg;

static void agg_free(agg *a)
{
    free(a->ys1);
    memset(a, 0, sizeof *a);
}

static int agg_alloc(int n, int days, agg *a, rtm_error *err)
{
    memset(a, 0, sizeof *a);
    if (n < 1 || days < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "trial: no place-day");
    if (!(a->ys1 = calloc((size_t)n * 8, sizeof *a->ys1)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    a->n = n;
    a->days = days;
    a->ys0 = a->ys1 + n;
    a->ts1 = a->ys0 + n;
    a->ts0 = a->ts1 + n;
    a->yp1 = a->ts0 + n;
    a->yp0 = a->yp1 + n;
    a->tp1 = a->yp0 + n;
    a->tp0 = a->tp1 + n;
    return 0;
}

static int agg_build(const double *y, const signed char *arm, int n, int days,
                     const int *stratum, agg *a, rtm_error *err)
{
    int rc = agg_alloc(n, days, a, err);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        int s = stratum ? stratum[i] : i;
        if (s < 0 || s >= n) {
            agg_free(a);
            return rtm_error_set(err, RTM_ERR_ARG, "trial: stratum %d of place %d out of range",
                                 s, i);
        }
        for (int d = 0; d < days; d++) {
            size_t c = (size_t)i * days + d;
            if (arm[c] < 0)
                continue;
            if (!(y[c] >= 0) || !isfinite(y[c])) {
                agg_free(a);
                return rtm_error_set(err, RTM_ERR_INPUT, "trial: outcome %g of place %d, day "
                                     "%d is not a finite number >= 0", y[c], i, d);
            }
            (arm[c] ? a->ys1 : a->ys0)[s] += y[c];
            (arm[c] ? a->ts1 : a->ts0)[s] += 1;
            (arm[c] ? a->yp1 : a->yp0)[i] += y[c];
            (arm[c] ? a->tp1 : a->tp0)[i] += 1;
        }
    }
    return 0;
}

/* A stratum informs b when both arms were scheduled and it has an event. */
static int informs(const agg *a, int s)
{
    return a->ts1[s] > 0 && a->ts0[s] > 0 && a->ys1[s] + a->ys0[s] > 0;
}

/* p_s(b) = T1 e^b / (T0 + T1 e^b), written to stay finite for any b. */
static double share_of(const agg *a, int s, double b)
{
    return 1 / (1 + a->ts0[s] / a->ts1[s] * exp(-b));
}

/* Score U(b) = sum_s [Y1_s - Y_s p_s(b)] and information I(b) = sum_s
 * Y_s p_s (1 - p_s) of the conditional likelihood (the place effects
 * profiled out: each stratum's events split binomially between its arms). */
static void score(const agg *a, double b, double *u, double *info)
{
    *u = *info = 0;
    for (int s = 0; s < a->n; s++)
        if (informs(a, s)) {
            double ys = a->ys1[s] + a->ys0[s], p = share_of(a, s, b);
            *u += a->ys1[s] - ys * p;
            *info += ys * p * (1 - p);
        }
}

/* Newton on b inside a bracket [lo, hi] with U(lo) > 0 > U(hi) (U falls
 * with b), bisecting whenever a step leaves it. */
static double solve(const agg *a, double b0)
{
    double lo = b0 - 1, hi = b0 + 1, u, info, b = b0;
    for (int k = 0; k < 60; k++) {
        score(a, lo, &u, &info);
        if (u > 0)
            break;
        lo -= 2 << (k < 20 ? k : 20);
    }
    for (int k = 0; k < 60; k++) {
        score(a, hi, &u, &info);
        if (u < 0)
            break;
        hi += 2 << (k < 20 ? k : 20);
    }
    for (int it = 0; it < MAX_NEWTON; it++) {
        double nb;
        score(a, b, &u, &info);
        if (u > 0)
            lo = b;
        else
            hi = b;
        nb = info > 0 ? b + u / info : 0.5 * (lo + hi);
        if (!(nb > lo && nb < hi))
            nb = 0.5 * (lo + hi);
        if (fabs(nb - b) < 1e-13 * (1 + fabs(b)))
            return nb;
        b = nb;
    }
    return b;
}

/* Place-clustered sandwich variance of b: sum_j u_j^2 / I^2 with place j's
 * efficient score u_j = (Y1_j - mu1_j)(1 - p_s) - (Y0_j - mu0_j) p_s, where
 * mu1_j = T1_j e^(a_s + b), mu0_j = T0_j e^(a_s) and e^(a_s) = Y_s / (T0_s +
 * T1_s e^b) is the stratum effect's MLE (for a stratum of one place u_j =
 * Y1_j - Y_j p_j). Times G/(G - 1) for G clusters. Wooldridge 1999; the
 * small-sample factor of Cameron & Miller 2015, "A practitioner's guide to
 * cluster-robust inference", J Hum Resour 50(2):317-372. */
static double robust_se(const agg *a, const int *stratum, double b, double info)
{
    double v = 0;
    int g = 0;
    for (int i = 0; i < a->n; i++) {
        int s = stratum ? stratum[i] : i;
        if (!informs(a, s) || a->tp1[i] + a->tp0[i] == 0)
            continue;
        double p = share_of(a, s, b), ea = (a->ys1[s] + a->ys0[s]) /
                                           (a->ts0[s] + a->ts1[s] * exp(b));
        double u = (a->yp1[i] - a->tp1[i] * ea * exp(b)) * (1 - p) -
                   (a->yp0[i] - a->tp0[i] * ea) * p;
        v += u * u;
        g++;
    }
    if (g < 2 || !(info > 0))
        return NAN;
    return sqrt(v / (info * info) * g / (g - 1));
}

static void fill_totals(const agg *a, rtm_trial_rr *o)
{
    for (int s = 0; s < a->n; s++) {
        o->y_treat += a->ys1[s];
        o->y_control += a->ys0[s];
        o->t_treat += a->ts1[s];
        o->t_control += a->ts0[s];
        o->strata += informs(a, s);
    }
}

/* The MLE and its errors from the aggregated data. */
static void rr_from_agg(const agg *a, const int *stratum, rtm_trial_rr *out)
{
    double y1 = 0, ysum = 0, t1 = 0, t0 = 0, b, u, info;
    memset(out, 0, sizeof *out);
    fill_totals(a, out);
    for (int s = 0; s < a->n; s++)
        if (informs(a, s)) {
            y1 += a->ys1[s];
            ysum += a->ys1[s] + a->ys0[s];
            t1 += a->ts1[s];
            t0 += a->ts0[s];
        }
    out->se_model = out->se_robust = out->loglik = NAN;
    if (!(y1 > 0) || !(ysum - y1 > 0)) {
        out->rr = out->strata == 0 ? NAN : y1 > 0 ? INFINITY : 0;
        out->log_rr = log(out->rr);
        return;
    }
    /* start from the pooled ratio of the informative strata */
    b = solve(a, log((y1 / t1) / ((ysum - y1) / t0)));
    score(a, b, &u, &info);
    out->estimable = 1;
    out->log_rr = b;
    out->rr = exp(b);
    out->se_model = 1 / sqrt(info);
    out->se_robust = robust_se(a, stratum, b, info);
    out->loglik = 0;
    for (int s = 0; s < a->n; s++)
        if (informs(a, s)) {
            double p = share_of(a, s, b);
            out->loglik += a->ys1[s] * log(p) + (a->ys0[s] > 0 ? a->ys0[s] * log1p(-p) : 0);
        }
}

int rtm_trial_rr_fit(const double *y, const signed char *arm, int n, int days,
                     const int *stratum, rtm_trial_rr *out, rtm_error *err)
{
    agg a;
    int rc = agg_build(y, arm, n, days, stratum, &a, err);
    if (rc)
        return rc;
    rr_from_agg(&a, stratum, out);
    agg_free(&a);
    return 0;
}

/* The design rows of the GLM: scheduled place-days of informative strata;
 * columns: a dummy per informative stratum but the first, then treatment. */
static int glm_design(const agg *a, const double *y, const signed char *arm,
                      const int *stratum, unsigned char **xo, double **yo, size_t *nrows,
                      int *ncols)
{
    int *col = malloc((size_t)a->n * sizeof *col), p = 0, first = 1;
    size_t r = 0, cells = (size_t)a->n * a->days;
    unsigned char *x;
    double *yy;
    if (!col)
        return -1;
    for (int s = 0; s < a->n; s++) {
        col[s] = informs(a, s) ? (first ? -1 : p++) : -2;
        first = first && !informs(a, s);
    }
    p++; /* treatment */
    x = calloc(cells * (size_t)p, 1);
    yy = malloc(cells * sizeof *yy);
    if (!x || !yy) {
        free(col), free(x), free(yy);
        return -1;
    }
    for (int i = 0; i < a->n; i++) {
        int s = stratum ? stratum[i] : i;
        for (int d = 0; d < a->days && col[s] > -2; d++) {
            size_t c = (size_t)i * a->days + d;
            if (arm[c] < 0)
                continue;
            if (col[s] >= 0)
                x[r * p + col[s]] = 1;
            x[r * p + p - 1] = (unsigned char)arm[c];
            yy[r++] = y[c];
        }
    }
    free(col);
    *xo = x, *yo = yy, *nrows = r, *ncols = p;
    return 0;
}

int rtm_trial_rr_glm(const double *y, const signed char *arm, int n, int days,
                     const int *stratum, int family, rtm_trial_rr *out, double *theta,
                     rtm_error *err)
{
    agg a;
    unsigned char *x = NULL;
    double *yy = NULL;
    size_t rows = 0;
    int p = 0, *cols = NULL, rc = agg_build(y, arm, n, days, stratum, &a, err);
    rtm_glm_fit f;
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    fill_totals(&a, out);
    if (glm_design(&a, y, arm, stratum, &x, &yy, &rows, &p) ||
        !(cols = malloc((size_t)p * sizeof *cols))) {
        agg_free(&a), free(x), free(yy);
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    }
    for (int j = 0; j < p; j++)
        cols[j] = j;
    rtm_design d = {rows, p, x, yy, NULL, NULL, 0, NULL};
    memset(&f, 0, sizeof f);
    rc = rows ? rtm_glm_fit_cols(&d, cols, p, (rtm_family)family, NULL, &f, err)
              : rtm_error_set(err, RTM_ERR_MODEL, "trial: no informative place-day");
    if (!rc) {
        out->estimable = 1;
        out->log_rr = f.beta[p - 1];
        out->rr = exp(out->log_rr);
        out->se_model = f.se[p - 1];
        out->se_robust = NAN;
        out->loglik = f.loglik;
        if (theta)
            *theta = f.theta;
    }
    rtm_glm_fit_free(&f);
    agg_free(&a), free(x), free(yy), free(cols);
    return rc;
}

/* |log rr| of one assignment; +inf when an arm has no event, NAN when
 * no stratum informs it. */
static double statistic(const double *y, const signed char *arm, int n, int days,
                        const int *stratum, int *ok, rtm_error *err)
{
    rtm_trial_rr r;
    *ok = !rtm_trial_rr_fit(y, arm, n, days, stratum, &r, err);
    if (!*ok || isnan(r.rr))
        return NAN;
    return fabs(r.log_rr);
}

/* A fixed design keeps each place's arm: its place totals (yt, tt: the
 * outcome and the scheduled days of place i) are all a re-draw needs, so
 * a draw costs O(places), not O(place-days). */
typedef struct fixed_totals {
    double *yt, *tt;
    signed char *parm, *alt;
} fixed_totals;

static double fixed_statistic(const fixed_totals *f, const signed char *parm, int n,
                              const int *stratum, agg *a)
{
    rtm_trial_rr r;
    memset(a->ys1, 0, (size_t)n * 8 * sizeof *a->ys1);
    for (int i = 0; i < n; i++) {
        int s = stratum ? stratum[i] : i;
        if (parm[i] < 0)
            continue;
        (parm[i] ? a->ys1 : a->ys0)[s] += f->yt[i];
        (parm[i] ? a->ts1 : a->ts0)[s] += f->tt[i];
        (parm[i] ? a->yp1 : a->yp0)[i] += f->yt[i];
        (parm[i] ? a->tp1 : a->tp0)[i] += f->tt[i];
    }
    rr_from_agg(a, stratum, &r);
    return isnan(r.rr) ? NAN : fabs(r.log_rr);
}

static int fixed_prepare(const double *y, const signed char *arm, int n, int days,
                         fixed_totals *f)
{
    f->yt = calloc((size_t)n * 2, sizeof *f->yt);
    f->parm = malloc((size_t)n * 2);
    if (!f->yt || !f->parm)
        return -1;
    f->tt = f->yt + n;
    f->alt = f->parm + n;
    for (int i = 0; i < n; i++) {
        f->parm[i] = -1;
        for (int d = 0; d < days; d++) {
            size_t c = (size_t)i * days + d;
            if (arm[c] < 0)
                continue;
            f->parm[i] = arm[c];
            f->yt[i] += y[c];
            f->tt[i] += 1;
        }
    }
    return 0;
}

/* The count of re-draws at least as extreme as obs, fixed designs. */
static int extreme_fixed(const double *y, const signed char *arm, int n, int days,
                         const int *stratum, const int *block, int nperm, uint64_t seed,
                         double obs, int *extreme, rtm_error *err)
{
    fixed_totals f = {0};
    agg a;
    int rc = agg_alloc(n, days, &a, err);
    if (!rc && fixed_prepare(y, arm, n, days, &f))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    for (int k = 0; k < nperm && !rc; k++) {
        rtm_trial_fixed_redraw(f.parm, n, block, rtm_trial_rng_derive(seed, (uint64_t)k), f.alt);
        double st = fixed_statistic(&f, f.alt, n, stratum, &a);
        *extreme += !isnan(st) && st >= obs - 1e-9 * (1 + obs);
    }
    free(f.yt);
    free(f.parm);
    agg_free(&a);
    return rc;
}

/* The same for daily designs: the draws in parallel, each from its own seed
 * and counted as a whole number, so the count is the same for any number
 * of threads. */
static int extreme_daily(const double *y, const signed char *arm, int n, int days,
                         const int *stratum, const int *block, rtm_trial_rule rule,
                         int nperm, uint64_t seed, double obs, int *extreme)
{
    int ext = 0, bad = 0;
#pragma omp parallel reduction(+ : ext, bad)
    {
        signed char *alt = malloc((size_t)n * days);
        bad += !alt;
#pragma omp for schedule(static)
        for (int k = 0; k < nperm; k++) {
            int ok;
            if (!alt)
                continue;
            rtm_trial_rerandomise(rule, arm, n, days, block,
                                  rtm_trial_rng_derive(seed, (uint64_t)k), alt);
            double st = statistic(y, alt, n, days, stratum, &ok, NULL);
            bad += !ok;
            /* ties within rounding count as extreme (conservative) */
            ext += ok && !isnan(st) && st >= obs - 1e-9 * (1 + obs);
        }
        free(alt);
    }
    *extreme = ext;
    return bad;
}

int rtm_trial_permutation(const double *y, const signed char *arm, int n, int days,
                          const int *stratum, const int *block, rtm_trial_rule rule,
                          int nperm, uint64_t seed, double *p, rtm_error *err)
{
    int ok, extreme = 0, rc = 0;
    double obs = statistic(y, arm, n, days, stratum, &ok, err);
    if (!ok)
        return err ? err->code : RTM_ERR_ARG;
    *p = NAN;
    if (isnan(obs) || nperm < 1)
        return 0;
    if (rule == RTM_TRIAL_FIXED)
        rc = extreme_fixed(y, arm, n, days, stratum, block, nperm, seed, obs, &extreme, err);
    else if (extreme_daily(y, arm, n, days, stratum, block, rule, nperm, seed, obs, &extreme))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    if (rc)
        return rc;
    /* Phipson & Smyth 2010, "Permutation p-values should never be zero",
     * Stat Appl Genet Mol Biol 9(1): p = (b + 1) / (m + 1). */
    *p = (extreme + 1.0) / (nperm + 1.0);
    return 0;
}

/* Permutation p of H0: log rr = b0 - the outcomes of treatment place-days
 * divided by e^b0 (a multiplicative effect removed), the same re-draws for
 * every b0 (common seeds, so p(b0) is steady). */
static int p_at(const double *y, double *y0, const signed char *arm, int n, int days,
                const int *stratum, const int *block, rtm_trial_rule rule, int nperm,
                uint64_t seed, double b0, double *p, rtm_error *err)
{
    size_t cells = (size_t)n * days;
    for (size_t c = 0; c < cells; c++)
        y0[c] = arm[c] > 0 ? y[c] * exp(-b0) : y[c];
    return rtm_trial_permutation(y0, arm, n, days, stratum, block, rule, nperm, seed, p, err);
}

/* One end of the interval: from b (p > alpha) outwards by step until p <=
 * alpha, then bisection. */
static int ci_end(const double *y, double *y0, const signed char *arm, int n, int days,
                  const int *stratum, const int *block, rtm_trial_rule rule, int nperm,
                  uint64_t seed, double alpha, double b, double step, double *end,
                  rtm_error *err)
{
    double in = b, out = b, p = 1;
    int rc = 0, k;
    for (k = 0; k < 30 && p > alpha && !rc; k++) {
        in = out;
        out = b + step * (1 << (k < 10 ? k : 10));
        rc = p_at(y, y0, arm, n, days, stratum, block, rule, nperm, seed, out, &p, err);
    }
    if (rc || p > alpha) {
        *end = step < 0 ? -INFINITY : INFINITY;
        return rc;
    }
    for (k = 0; k < 12 && !rc; k++) {
        double mid = 0.5 * (in + out);
        rc = p_at(y, y0, arm, n, days, stratum, block, rule, nperm, seed, mid, &p, err);
        if (p > alpha)
            in = mid;
        else
            out = mid;
    }
    *end = 0.5 * (in + out);
    return rc;
}

int rtm_trial_permutation_ci(const double *y, const signed char *arm, int n, int days,
                             const int *stratum, const int *block, rtm_trial_rule rule,
                             int nperm, uint64_t seed, double conf, double *lo, double *hi,
                             rtm_error *err)
{
    rtm_trial_rr r;
    double *y0, step;
    int rc = rtm_trial_rr_fit(y, arm, n, days, stratum, &r, err);
    *lo = *hi = NAN;
    if (rc || !r.estimable || nperm < 1 || !(conf > 0 && conf < 1))
        return rc;
    if (!(y0 = malloc((size_t)n * days * sizeof *y0)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    step = isfinite(r.se_robust) && r.se_robust > 0 ? r.se_robust : r.se_model;
    step = isfinite(step) && step > 0 ? step : 0.1;
    rc = ci_end(y, y0, arm, n, days, stratum, block, rule, nperm, seed, 1 - conf, r.log_rr,
                -step, lo, err);
    if (!rc)
        rc = ci_end(y, y0, arm, n, days, stratum, block, rule, nperm, seed, 1 - conf, r.log_rr,
                    step, hi, err);
    free(y0);
    *lo = exp(*lo);
    *hi = exp(*hi);
    return rc;
}
