/* sppt.c: Andresen's spatial point pattern test over areal units and the
 * proportion-test variant of Wheeler, Steenbeek & Andresen (2018), as the R
 * package sppt (rtm/change.h has the definitions and their sources). */
#include "rtm/change.h"
#include "surface/change_rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rtm_sppt_opts_init(rtm_sppt_opts *o)
{
    o->samples = 200;
    o->percpoints = 85;
    o->conf_level = 95;
    o->seed = 1;
}

void rtm_sppt_result_free(rtm_sppt_result *r)
{
    if (r) {
        free(r->u);
        memset(r, 0, sizeof *r);
    }
}

double rtm_chisq1_upper(double x)
{
    /* chi-square with 1 df is Z^2: P(X > x) = P(|Z| > sqrt x) = erfc(sqrt(x/2)) */
    return x > 0 ? erfc(sqrt(x / 2)) : 1;
}

double rtm_prop_test_nmin1(double a, double b, double c, double d)
{
    /* rows = periods (a, b = base in / out of the unit; c, d = test), as
     * sppt_diff's matrix; X^2 = N (ad - bc)^2 / (r1 r2 c1 c2) (Pearson), and
     * the "N-1" form X^2 (N-1)/N (Campbell 2007, Statistics in Medicine
     * 26(19) 3661-3675), as sppt_diff's "Chi2_Nmin1" */
    double n = a + b + c + d, r1 = a + b, r2 = c + d, c1 = a + c, c2 = b + d;
    if (!(r1 > 0 && r2 > 0 && c1 > 0 && c2 > 0))
        return NAN;
    double det = a * d - b * c, x2 = n * det * det / (r1 * r2 * c1 * c2);
    return rtm_chisq1_upper(x2 * (n - 1) / n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check_counts(const double *v, int n, const char *what, double *total,
                        rtm_error *err)
{
    *total = 0;
    for (int k = 0; k < n; k++) {
        if (!(v[k] >= 0) || v[k] != floor(v[k]) || v[k] > 1e12)
            return rtm_error_set(err, RTM_ERR_INPUT, "sppt: the %s count of unit %d is %g, "
                                 "not a whole number >= 0", what, k, v[k]);
        *total += v[k];
    }
    if (!(*total > 0))
        return rtm_error_set(err, RTM_ERR_INPUT, "sppt: no %s event in any unit", what);
    return 0;
}

/* Andresen's resampling: the interval of each unit's test percentage. */
static int resample(const double *after, int nu, double nt, const rtm_sppt_opts *o,
                    rtm_sppt_unit *u, rtm_error *err)
{
    size_t n = (size_t)nt, k = 0, ns = (size_t)o->samples;
    /* R: round() (half to even), floor(a/2 * s) + 1 and ceiling((1 - a/2) * s) */
    size_t take = (size_t)nearbyint(o->percpoints / 100 * nt);
    take = take < 1 ? 1 : take;
    int lo = (int)floor(((100 - o->conf_level) / 100 / 2) * o->samples) + 1;
    int hi = (int)ceil((1 - (100 - o->conf_level) / 100 / 2) * o->samples);
    int *unit = malloc(n * sizeof *unit), *idx = malloc(n * sizeof *idx);
    double *pct = malloc((size_t)nu * ns * sizeof *pct), *cnt = malloc((size_t)nu * sizeof *cnt);
    int rc = 0;
    if (!unit || !idx || !pct || !cnt)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "sppt: out of memory");
    for (int q = 0; !rc && q < nu; q++)
        for (double j = 0; j < after[q]; j++)
            unit[k++] = q;
    for (size_t s = 0; !rc && s < ns; s++) {
        rng g;
        rng_seed(&g, o->seed, s);
        memcpy(idx, unit, n * sizeof *idx);
        memset(cnt, 0, (size_t)nu * sizeof *cnt);
        for (size_t i = 0; i < take; i++) { /* partial Fisher-Yates: a sample without
                                               replacement */
            size_t j = i + (size_t)rng_below(&g, n - i);
            int t = idx[i];
            idx[i] = idx[j], idx[j] = t;
            cnt[idx[i]]++;
        }
        for (int q = 0; q < nu; q++)
            pct[(size_t)q * ns + s] = cnt[q] / (double)take * 100;
    }
    for (int q = 0; !rc && q < nu; q++) {
        qsort(pct + (size_t)q * ns, ns, sizeof *pct, cmp_double);
        u[q].conf_low = pct[(size_t)q * ns + (size_t)lo - 1];
        u[q].conf_high = pct[(size_t)q * ns + (size_t)hi - 1];
    }
    free(unit), free(idx), free(pct), free(cnt);
    return rc;
}

/* Global and robust S: the share of units with S index 0, over all units and
 * over those with an event (sppt's globalS and globalS.robust). */
static void global_s(rtm_sppt_result *r)
{
    int same = 0, same_r = 0, same_d = 0, same_dr = 0;
    for (int q = 0; q < r->nunits; q++) {
        const rtm_sppt_unit *u = &r->u[q];
        int any = u->n_before + u->n_after > 0;
        same += u->s_index == 0, same_d += u->s_index_diff == 0;
        same_r += any && u->s_index == 0, same_dr += any && u->s_index_diff == 0;
        r->nrobust += any;
    }
    r->global_s = (double)same / r->nunits;
    r->global_s_diff = (double)same_d / r->nunits;
    r->robust_s = r->nrobust ? (double)same_r / r->nrobust : NAN;
    r->robust_s_diff = r->nrobust ? (double)same_dr / r->nrobust : NAN;
}

/* The proportion test per unit, BY-adjusted (sppt_diff). */
static int prop_tests(rtm_sppt_result *r, double nb, double nt, double alpha, rtm_error *err)
{
    double *p = malloc((size_t)r->nunits * sizeof *p);
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "sppt: out of memory");
    for (int q = 0; q < r->nunits; q++) {
        rtm_sppt_unit *u = &r->u[q];
        p[q] = u->p = rtm_prop_test_nmin1(u->n_before, nb - u->n_before, u->n_after,
                                          nt - u->n_after);
    }
    if (!(rc = rtm_p_adjust(p, (size_t)r->nunits, RTM_PADJ_BY, p, err)))
        for (int q = 0; q < r->nunits; q++) {
            rtm_sppt_unit *u = &r->u[q];
            u->p_adj = p[q];
            u->s_index_diff = 0;
            if (!isnan(u->p_adj) && u->p_adj < alpha && u->pct_before != u->pct_after)
                u->s_index_diff = u->pct_before > u->pct_after ? 1 : -1;
        }
    free(p);
    return rc;
}

int rtm_sppt(const double *before, const double *after, int nunits, const rtm_sppt_opts *o,
             rtm_sppt_result *r, rtm_error *err)
{
    double nb, nt;
    int rc;
    memset(r, 0, sizeof *r);
    if (nunits < 1 || o->samples < 1 || o->samples > 1000000 ||
        !(o->percpoints > 0 && o->percpoints <= 100) ||
        !(o->conf_level > 0 && o->conf_level < 100))
        return rtm_error_set(err, RTM_ERR_ARG, "sppt: bad options (units %d, samples %d, "
                             "percpoints %g, conf_level %g)", nunits, o->samples,
                             o->percpoints, o->conf_level);
    if ((rc = check_counts(before, nunits, "before", &nb, err)) ||
        (rc = check_counts(after, nunits, "after", &nt, err)))
        return rc;
    if (!(r->u = calloc((size_t)nunits, sizeof *r->u)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "sppt: out of memory");
    r->nunits = nunits;
    for (int q = 0; q < nunits; q++) {
        rtm_sppt_unit *u = &r->u[q];
        u->n_before = before[q], u->n_after = after[q];
        u->pct_before = before[q] / nb * 100, u->pct_after = after[q] / nt * 100;
    }
    if ((rc = resample(after, nunits, nt, o, r->u, err)) ||
        (rc = prop_tests(r, nb, nt, 1 - o->conf_level / 100, err))) {
        rtm_sppt_result_free(r);
        return rc;
    }
    for (int q = 0; q < nunits; q++) {
        rtm_sppt_unit *u = &r->u[q];
        u->s_index = u->pct_before < u->conf_low ? -1 : u->pct_before > u->conf_high ? 1 : 0;
    }
    global_s(r);
    return 0;
}
