/* glm_poisson.c: Poisson log-linear model on pattern-aggregated data.
 *
 * With the canonical log link, Newton-Raphson and Fisher scoring (IRLS) are
 * the same iteration (McCullagh & Nelder 1989, Generalized Linear Models, 2nd
 * ed., sec. 2.5): for patterns g with n_g cells, s_g = sum y, mu_g = exp(eta_g)
 *   loglik = sum_g [s_g eta_g - n_g mu_g] - sum_cells log y!
 *   score  = X'(s - n mu),  information = X' diag(n mu) X,
 * and SEs are the square roots of the diagonal of the inverse information.
 * Each iteration is damped by step halving on the log-likelihood, which
 * makes it monotone from any start.
 */
#include "model/glm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Kernel sum_g [s_g eta_g - n_g mu_g]; optionally score and information. */
static double pois_eval(const rtm_glm_data *g, const double *b, double *score, double *info)
{
    int p = g->k + 1;
    double ll = 0;
    if (score) {
        memset(score, 0, (size_t)p * sizeof *score);
        memset(info, 0, (size_t)p * (size_t)p * sizeof *info);
    }
    for (size_t i = 0; i < g->m; i++) {
        double eta = rtm_glm_i_eta(g, i, b), mu = exp(eta);
        ll += g->sumy[i] * eta - g->cnt[i] * mu;
        if (!score)
            continue;
        const unsigned char *x = g->x + i * (size_t)g->k;
        double r = g->sumy[i] - g->cnt[i] * mu, w = g->cnt[i] * mu;
        for (int a = 0; a < p; a++) {
            if (a > 0 && !x[a - 1])
                continue;
            score[a] += r;
            for (int c = 0; c <= a; c++)
                if (c == 0 || x[c - 1])
                    info[a * p + c] += w;
        }
    }
    return ll;
}

/* The information became singular although the columns are not collinear
 * (rtm_glm_i_check): some fitted means went to 0, i.e. the estimates diverge
 * (separation). Name the largest coefficient. */
static int singular(const rtm_glm_data *g, const char *fn, const double *b, rtm_error *err)
{
    char nm[256];
    int w = 1;
    for (int j = 2; j <= g->k; j++)
        if (fabs(b[j]) > fabs(b[w]))
            w = j;
    if (g->k == 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: the fit diverges (intercept %g)",
                             fn, b[0]);
    return rtm_error_set(err, RTM_ERR_MODEL,
                         "glm: %s: the fit diverges (separation: fitted means go to 0 where "
                         "there are no events; intercept %g); largest coefficient: variable "
                         "'%s' (%g)", fn, b[0], rtm_glm_i_colname(g, w - 1, nm, sizeof nm),
                         b[w]);
}

/* One damped Newton step from b; returns the new kernel, or NAN when no step
 * improves (then b is unchanged). */
static double pois_step(const rtm_glm_data *g, double *b, const double *dir, double ll,
                        double *trial)
{
    int p = g->k + 1;
    for (double t = 1; t > 1e-10; t *= 0.5) {
        for (int a = 0; a < p; a++)
            trial[a] = b[a] + t * dir[a];
        double l2 = pois_eval(g, trial, NULL, NULL);
        if (isfinite(l2) && l2 >= ll - 1e-12 * fabs(ll)) {
            memcpy(b, trial, (size_t)p * sizeof *b);
            return l2;
        }
    }
    return NAN;
}

/* Newton iterations from b0 = log(mean y), b = 0. On success b holds the MLE,
 * info the Cholesky factor of the information there. */
static int pois_newton(const rtm_glm_data *g, const char *fn, const rtm_glm_opts *o, double *b,
                       double *info, double *work, int *iters, rtm_error *err)
{
    int p = g->k + 1;
    double *score = work, *trial = work + p;
    memset(b, 0, (size_t)p * sizeof *b);
    b[0] = log(g->sum_y / (double)g->n);
    for (int it = 0; it < o->max_iter; it++) {
        double ll = pois_eval(g, b, score, info);
        int piv = rtm_glm_i_chol(info, p);
        if (piv >= 0)
            return singular(g, fn, b, err);
        memcpy(trial, score, (size_t)p * sizeof *trial);
        rtm_glm_i_chol_solve(info, p, trial);
        double dec = 0;
        for (int a = 0; a < p; a++)
            dec += score[a] * trial[a];
        *iters = it + 1;
        if (dec < o->tol)
            return 0;
        memcpy(score, trial, (size_t)p * sizeof *score);
        if (isnan(pois_step(g, b, score, ll, trial)))
            return dec < 1e-6 ? 0 : rtm_error_set(err, RTM_ERR_MODEL,
                                                   "glm: %s: line search failed", fn);
    }
    return rtm_error_set(err, RTM_ERR_MODEL,
                         "glm: %s: no convergence in %d iterations (separation?)",
                         fn, o->max_iter);
}

int rtm_glm_i_poisson(const rtm_glm_data *g, rtm_family msg_fam, const rtm_glm_opts *o,
                      double *bout, rtm_glm_fit *out, rtm_error *err)
{
    const char *fn = rtm_family_name(msg_fam);
    int p = g->k + 1, iters = 0, rc;
    double *b = malloc((size_t)p * 5 * sizeof *b);
    double *info = malloc((size_t)p * (size_t)p * sizeof *info);
    rtm_glm_fit f;
    if (!b || !info) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory");
        goto done;
    }
    double *se = b + p, *work = b + 2 * p;
    rc = pois_newton(g, fn, o, b, info, work, &iters, err);
    if (rc)
        goto done;
    pois_eval(g, b, work, info);  /* information at the final b */
    int piv = rtm_glm_i_chol(info, p);
    if (piv >= 0) {
        rc = singular(g, fn, b, err);
        goto done;
    }
    rtm_glm_i_chol_invdiag(info, p, se, work);
    for (int a = 0; a < p; a++)
        se[a] = sqrt(se[a]);
    if ((rc = rtm_glm_i_fit_alloc(&f, g, msg_fam, err)))
        goto done;
    double kern = pois_eval(g, b, NULL, NULL);
    f.loglik = kern - g->sum_lfact;
    /* deviance 2 sum[y log(y/mu) - (y - mu)] = 2 (sum y log y - sum y - kernel) */
    f.deviance = 2 * (g->sum_ylogy - g->sum_y - kern);
    f.df = p;
    f.iterations = iters;
    if ((rc = rtm_glm_i_fit_finish(&f, g, b, se, o->max_abs_coef, err))) {
        rtm_glm_fit_free(&f);
        goto done;
    }
    f.family = RTM_FAMILY_POISSON;
    if (bout)
        memcpy(bout, b, (size_t)p * sizeof *b);
    if (out)
        *out = f;
    else
        rtm_glm_fit_free(&f);
done:
    free(b);
    free(info);
    return rc;
}
