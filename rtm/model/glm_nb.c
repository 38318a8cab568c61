/* glm_nb.c: negative binomial log-linear models, NB2 and NBII (NB1).
 *
 * Per cell, with mu = exp(eta) and a the log of the dispersion parameter:
 *  NB2  (Venables & Ripley 2002, MASS 4th ed., sec. 7.4; a = log theta)
 *    l = lg(y + theta) - lg(theta) - lg(y + 1) + theta log theta + y log mu
 *        - (y + theta) log(theta + mu),            Var y = mu + mu^2/theta;
 *  NBII (Cameron & Trivedi 2013, Regression Analysis of Count Data, 2nd ed.,
 *        sec. 3.3, "NB1"; a = log sigma, size r = mu/sigma)
 *    l = lg(y + r) - lg(r) - lg(y + 1) - (r + y) log(1 + sigma) + y log sigma,
 *                                                  Var y = mu (1 + sigma).
 * (lg = log Gamma.) (beta, a) maximise the summed log-likelihood jointly by
 * Newton's method on the observed information, damped by step halving and,
 * where the information is not positive definite, by a Levenberg shift
 * (Nocedal & Wright 2006, Numerical Optimization, sec. 3.4). Derivatives of
 * l in (eta, a) are analytic (see nb2_terms / nb1_terms); they are checked
 * against finite differences and a derivative-free maximisation in the tests.
 * The likelihood depends on the data only through the distinct
 * (pattern, y) pairs and their multiplicities.
 *
 * SEs: NB2 as MASS::glm.nb: beta from the expected information at the fitted
 * theta, X' diag(mu / (1 + mu/theta)) X (beta and theta are orthogonal), and
 * theta from the observed information of theta alone (MASS::theta.ml);
 * NBII from the inverse observed information of (beta, log sigma).
 */
#include "model/glm_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Digamma and trigamma for x > 0: recurrence psi(x) = psi(x+1) - 1/x up to
 * x >= 10, then the asymptotic series (Abramowitz & Stegun 6.3.18, 6.4.12);
 * truncation error < 1e-15 at x = 10. */
static double digamma(double x)
{
    double r = 0;
    while (x < 10) {
        r -= 1 / x;
        x += 1;
    }
    double f = 1 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

static double trigamma(double x)
{
    double r = 0;
    while (x < 10) {
        r += 1 / (x * x);
        x += 1;
    }
    double f = 1 / (x * x);
    return r + 1 / x + f / 2 +
           f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * 5.0 / 66))));
}

/* Stirling remainder lg(x) - [(x - 1/2) log x - x + log(2 pi)/2], x >= 20
 * (Abramowitz & Stegun 6.1.41); error < 1e-16. */
static double stirling_rem(double x)
{
    double f = 1 / (x * x);
    return (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f / 1680))) / x;
}

static int small_int(double y)
{
    return y <= 64 && y == floor(y);
}

/* lg(r + y) - lg(r), without the cancellation of two large lgamma values:
 * a sum of logs for small integer y, log1p-based Stirling for large r. */
static double lg_diff(double r, double y)
{
    if (small_int(y)) {
        double s = 0;
        for (int j = 0; j < (int)y; j++)
            s += log(r + j);
        return s;
    }
    if (r >= 20)
        return (r - 0.5) * log1p(y / r) + y * log(r + y) - y + stirling_rem(r + y) -
               stirling_rem(r);
    return lgamma(r + y) - lgamma(r);
}

/* psi(r + y) - psi(r) and psi'(r + y) - psi'(r). */
static void psi_diff(double r, double y, double *d, double *t)
{
    if (small_int(y)) {
        double s = 0, s2 = 0;
        for (int j = 0; j < (int)y; j++) {
            double u = 1 / (r + j);
            s += u;
            s2 += u * u;
        }
        *d = s;
        *t = -s2;
        return;
    }
    *d = digamma(r + y) - digamma(r);
    *t = trigamma(r + y) - trigamma(r);
}

/* Log-likelihood of one cell (without -lg(y+1)) and its derivatives in
 * (eta, a): l, l_e, l_ee, l_ea, l_a, l_aa. */
typedef struct { double l, e, ee, ea, a, aa; } nb_terms;

/* NB2, a = log theta: the derivatives in theta (MASS::theta.ml's score and
 * information) chained to log theta. */
static nb_terms nb2_terms(double y, double eta, double a)
{
    double mu = exp(eta), th = exp(a), tm = th + mu, d, t;
    psi_diff(th, y, &d, &t);
    nb_terms r;
    r.l = lg_diff(th, y) + y * eta - y * log(tm) - th * log1p(mu / th);
    r.e = th * (y - mu) / tm;
    r.ee = -th * mu * (y + th) / (tm * tm);
    double lt = d - log1p(mu / th) + (mu - y) / tm;
    double ltt = t + 1 / th - 2 / tm + (y + th) / (tm * tm);
    r.a = th * lt;
    r.aa = th * th * ltt + th * lt;
    r.ea = th * (y - mu) * mu / (tm * tm);
    return r;
}

/* NBII, a = log sigma, r = mu/sigma, s = sigma/(1+sigma); derived from
 * dl/dr = D - log(1+sigma), D = psi(y+r) - psi(r), dr/deta = r, dr/da = -r. */
static nb_terms nb1_terms(double y, double eta, double a)
{
    double sg = exp(a), r = exp(eta - a), l1 = log1p(sg), s = sg / (1 + sg), d, t;
    psi_diff(r, y, &d, &t);
    double u = r * (d - l1), v = r * r * t;
    nb_terms o;
    o.l = lg_diff(r, y) - (r + y) * l1 + y * a;
    o.e = u;
    o.ee = u + v;
    o.a = -u + y - (r + y) * s;
    o.aa = u + v + 2 * r * s - (r + y) * s * (1 - s);
    o.ea = -u - v - r * s;
    return o;
}

static nb_terms nb_cell(rtm_family fam, double y, double eta, double a)
{
    return fam == RTM_FAMILY_NB2 ? nb2_terms(y, eta, a) : nb1_terms(y, eta, a);
}

/* Log-likelihood (without sum log y!) at par = (beta, a); with grad/hess
 * (p+1 and (p+1)^2) also the score and the observed Hessian. */
static double nb_eval(const rtm_glm_data *g, rtm_family fam, const double *par, double *grad,
                      double *hess)
{
    int p = g->k + 1, np = p + 1;
    double a = par[p], ll = 0;
    if (grad) {
        memset(grad, 0, (size_t)np * sizeof *grad);
        memset(hess, 0, (size_t)np * (size_t)np * sizeof *hess);
    }
    for (size_t i = 0; i < g->m; i++) {
        double eta = rtm_glm_i_eta(g, i, par), se = 0, see = 0, sea = 0;
        for (size_t e = g->pair_start[i]; e < g->pair_start[i + 1]; e++) {
            double w = g->pair_w[e];
            nb_terms t = nb_cell(fam, g->pair_y[e], eta, a);
            ll += w * t.l;
            if (!grad)
                continue;
            se += w * t.e;
            see += w * t.ee;
            sea += w * t.ea;
            grad[p] += w * t.a;
            hess[p * np + p] += w * t.aa;
        }
        if (!grad)
            continue;
        const unsigned char *x = g->x + i * (size_t)g->k;
        for (int c = 0; c < p; c++) {
            if (c > 0 && !x[c - 1])
                continue;
            grad[c] += se;
            hess[p * np + c] += sea;
            for (int d = 0; d <= c; d++)
                if (d == 0 || x[d - 1])
                    hess[c * np + d] += see;
        }
    }
    return ll;
}

/* Newton direction: solve (-H + lambda I) dir = grad with the smallest
 * lambda in {0, 1e-8, 1e-6, ...} x scale that makes it positive definite.
 * Returns 0, or -1 when even large shifts fail. *shifted tells if lambda > 0. */
static int nb_direction(const double *hess, const double *grad, int np, double *fac,
                        double *dir, int *shifted)
{
    double scale = 0;
    for (int c = 0; c < np; c++)
        scale = fmax(scale, fabs(hess[c * np + c]));
    for (double lam = 0; lam <= 1e8 * (scale + 1); lam = lam ? lam * 100 : 1e-8 * (scale + 1)) {
        for (int c = 0; c < np * np; c++)
            fac[c] = -hess[c];
        for (int c = 0; c < np; c++)
            fac[c * np + c] += lam;
        if (rtm_glm_i_chol(fac, np) < 0) {
            memcpy(dir, grad, (size_t)np * sizeof *dir);
            rtm_glm_i_chol_solve(fac, np, dir);
            *shifted = lam > 0;
            return 0;
        }
    }
    return -1;
}

/* Step halving along dir, with the step capped at 3 units per parameter so
 * that exp() stays in range. Returns the new log-likelihood or NAN. */
static double nb_line(const rtm_glm_data *g, rtm_family fam, double *par, const double *dir,
                      double ll, double *trial)
{
    int np = g->k + 2;
    double mx = 0;
    for (int c = 0; c < np; c++)
        mx = fmax(mx, fabs(dir[c]));
    for (double t = mx > 3 ? 3 / mx : 1; t > 1e-12; t *= 0.5) {
        for (int c = 0; c < np; c++)
            trial[c] = par[c] + t * dir[c];
        double l2 = nb_eval(g, fam, trial, NULL, NULL);
        if (isfinite(l2) && l2 >= ll - 1e-13 * fabs(ll)) {
            memcpy(par, trial, (size_t)np * sizeof *par);
            return l2;
        }
    }
    return NAN;
}

/* Fail when the dispersion runs to its no-overdispersion boundary. */
static int nb_boundary(rtm_family fam, const rtm_glm_opts *o, double a, rtm_error *err)
{
    if (fam == RTM_FAMILY_NB2 && a > log(o->max_theta))
        return rtm_error_set(err, RTM_ERR_MODEL, "glm: nb2: no overdispersion (theta -> inf, "
                             "above %g): the poisson model applies", o->max_theta);
    if (fam == RTM_FAMILY_NB2 && a < log(o->min_theta))
        return rtm_error_set(err, RTM_ERR_MODEL, "glm: nb2: theta -> 0 (below %g)",
                             o->min_theta);
    if (fam == RTM_FAMILY_NBII && a < o->min_log_sigma)
        return rtm_error_set(err, RTM_ERR_MODEL, "glm: nbii: no overdispersion (log sigma "
                             "below %g): the poisson model applies", o->min_log_sigma);
    return 0;
}

/* Damped Newton iterations on (beta, a) from par; work has 3(p+1) + 2(p+1)^2. */
static int nb_newton(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o, double *par,
                     double *work, int *iters, rtm_error *err)
{
    int np = g->k + 2;
    double *grad = work, *dir = work + np, *trial = work + 2 * np;
    double *hess = work + 3 * np, *fac = hess + np * np;
    const char *fn = rtm_family_name(fam);
    for (int it = 0; it < o->max_iter; it++) {
        int shifted = 0, rc;
        double ll = nb_eval(g, fam, par, grad, hess);
        if (!isfinite(ll))
            return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: log-likelihood not finite", fn);
        if (nb_direction(hess, grad, np, fac, dir, &shifted))
            return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: singular information", fn);
        double dec = 0;
        for (int c = 0; c < np; c++)
            dec += grad[c] * dir[c];
        *iters = it + 1;
        if (!shifted && dec < o->tol)
            return nb_boundary(fam, o, par[np - 1], err);
        if ((rc = nb_boundary(fam, o, par[np - 1], err)))
            return rc;
        if (isnan(nb_line(g, fam, par, dir, ll, trial))) {
            if (!shifted && dec < 1e-6)
                return nb_boundary(fam, o, par[np - 1], err);
            return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: line search failed", fn);
        }
    }
    return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: no convergence in %d iterations", fn,
                         o->max_iter);
}

/* Starting values: the Poisson MLE and a moment estimate of the dispersion:
 * theta0 = n / sum (y/mu - 1)^2 as MASS::theta.ml, sigma0 = sum((y - mu)^2 - mu)
 * / sum mu from Var = mu (1 + sigma). A Poisson failure (collinearity,
 * separation) is a property of the design and the events, so it is returned. */
static int nb_start(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o, double *par,
                    rtm_error *err)
{
    int p = g->k + 1, rc;
    if ((rc = rtm_glm_i_poisson(g, fam, o, par, NULL, err)))
        return rc;
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < g->m; i++) {
        double mu = exp(rtm_glm_i_eta(g, i, par));
        for (size_t e2 = g->pair_start[i]; e2 < g->pair_start[i + 1]; e2++) {
            double y = g->pair_y[e2], w = g->pair_w[e2];
            s1 += fam == RTM_FAMILY_NB2 ? w * (y / mu - 1) * (y / mu - 1)
                                        : w * ((y - mu) * (y - mu) - mu);
            s2 += w * mu;
        }
    }
    if (fam == RTM_FAMILY_NB2)
        par[p] = log(fmin(fmax((double)g->n / s1, 1e-3), 1e6));
    else
        par[p] = log(fmin(fmax(s1 / s2, 0.05), 1e3));
    return 0;
}

/* Deviance: NB2 as glm.nb at the fitted theta; NBII against the saturated
 * NB1 model (mu_i = y_i) with the same sigma (its cells with y = 0 have l = 0). */
static double nb_deviance(const rtm_glm_data *g, rtm_family fam, const double *par)
{
    int p = g->k + 1;
    double a = par[p], th = exp(a), dev = 0;
    for (size_t i = 0; i < g->m; i++) {
        double eta = rtm_glm_i_eta(g, i, par), mu = exp(eta);
        for (size_t e = g->pair_start[i]; e < g->pair_start[i + 1]; e++) {
            double y = g->pair_y[e], w = g->pair_w[e], t;
            if (fam == RTM_FAMILY_NB2)
                t = (y > 0 ? y * log(y / mu) : 0) - (y + th) * log((y + th) / (mu + th));
            else
                t = (y > 0 ? nb1_terms(y, log(y), a).l : 0) - nb1_terms(y, eta, a).l;
            dev += 2 * w * t;
        }
    }
    return dev;
}

/* NB2 SEs as glm.nb (see top); se has p+1 entries, the last for theta. */
static int nb2_se(const rtm_glm_data *g, const double *par, double *info, double *se,
                  double *work)
{
    int p = g->k + 1;
    double th = exp(par[p]), ltt = 0;
    memset(info, 0, (size_t)p * (size_t)p * sizeof *info);
    for (size_t i = 0; i < g->m; i++) {
        double mu = exp(rtm_glm_i_eta(g, i, par)), tm = th + mu;
        double w = g->cnt[i] * mu / (1 + mu / th);
        const unsigned char *x = g->x + i * (size_t)g->k;
        for (int c = 0; c < p; c++)
            for (int d = 0; d <= c; d++)
                if ((c == 0 || x[c - 1]) && (d == 0 || x[d - 1]))
                    info[c * p + d] += w;
        for (size_t e = g->pair_start[i]; e < g->pair_start[i + 1]; e++) {
            double y = g->pair_y[e], dd, t;
            psi_diff(th, y, &dd, &t);
            ltt += g->pair_w[e] * (t + 1 / th - 2 / tm + (y + th) / (tm * tm));
        }
    }
    if (rtm_glm_i_chol(info, p) >= 0 || !(ltt < 0))
        return -1;
    rtm_glm_i_chol_invdiag(info, p, se, work);
    for (int c = 0; c < p; c++)
        se[c] = sqrt(se[c]);
    se[p] = sqrt(-1 / ltt);
    return 0;
}

/* NBII SEs: inverse observed information of (beta, log sigma). */
static int nb1_se(const rtm_glm_data *g, const double *par, double *hess, double *se,
                  double *work)
{
    int np = g->k + 2;
    nb_eval(g, RTM_FAMILY_NBII, par, work, hess);
    for (int c = 0; c < np * np; c++)
        hess[c] = -hess[c];
    if (rtm_glm_i_chol(hess, np) >= 0)
        return -1;
    rtm_glm_i_chol_invdiag(hess, np, se, work);
    for (int c = 0; c < np; c++)
        se[c] = sqrt(se[c]);
    return 0;
}

int rtm_glm_i_nb(const rtm_glm_data *g, rtm_family fam, const rtm_glm_opts *o,
                 rtm_glm_fit *out, rtm_error *err)
{
    int p = g->k + 1, np = p + 1, iters = 0, rc;
    double *par = malloc((size_t)np * 2 * sizeof *par);
    double *work = malloc(((size_t)np * 3 + (size_t)np * (size_t)np * 2) * sizeof *work);
    rtm_glm_fit f;
    if (!par || !work) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory");
        goto done;
    }
    double *se = par + np;
    if ((rc = nb_start(g, fam, o, par, err)))
        goto done;
    if ((rc = nb_newton(g, fam, o, par, work, &iters, err)))
        goto done;
    int bad = fam == RTM_FAMILY_NB2 ? nb2_se(g, par, work + np, se, work)
                                    : nb1_se(g, par, work + np, se, work);
    if (bad) {
        rc = rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: singular information at the optimum",
                           rtm_family_name(fam));
        goto done;
    }
    if ((rc = rtm_glm_i_fit_alloc(&f, g, fam, err)))
        goto done;
    f.loglik = nb_eval(g, fam, par, NULL, NULL) - g->sum_lfact;
    f.deviance = nb_deviance(g, fam, par);
    f.df = np;
    f.iterations = iters;
    if (fam == RTM_FAMILY_NB2) {
        f.theta = exp(par[p]);
        f.theta_se = se[p];
    } else {
        f.log_sigma = par[p];
        f.log_sigma_se = se[p];
    }
    if ((rc = rtm_glm_i_fit_finish(&f, g, par, se, o->max_abs_coef, err))) {
        rtm_glm_fit_free(&f);
        goto done;
    }
    *out = f;
done:
    free(par);
    free(work);
    return rc;
}
