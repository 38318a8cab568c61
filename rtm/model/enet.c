/* enet.c: Poisson elastic-net path with non-negative coefficients over the
 * unique patterns of a binary design (see rtm/glm.h).
 *
 * Method: Friedman, Hastie & Tibshirani (2010), J. Stat. Software 33(1),
 * sections 2-4: an outer IRLS loop builds the quadratic approximation of the
 * Poisson log-likelihood at the current fit (weights mu, working residuals
 * y - mu), and coordinate descent minimises the penalised quadratic, with
 * warm starts along the lambda path, the sequential strong rule (Tibshirani
 * et al. 2012, JRSS B 74(2)) to pick the working set and a KKT check on the
 * other columns before a lambda is accepted.
 *
 * Parametrisation. Standardising column j to (x_j - m_j)/s_j and penalising
 * b_j = s_j beta_j is, after moving the centring into the unpenalised
 * intercept, the same problem on the raw 0/1 columns with penalty
 *   lambda [alpha s_j beta_j + (1 - alpha)/2 s_j^2 beta_j^2],  beta_j >= 0.
 * We solve that form (same minimiser, coefficients directly on the original
 * scale). Each coordinate step minimises jointly over beta_j and the
 * intercept, which is coordinate descent on the column centred with the
 * current IRLS weights (better conditioned than the raw column); the
 * intercept shift touches every pattern, so it is applied lazily (the scalar
 * `shift`).
 *
 *
 * Per pattern k (n_k cells, total count s_k, N training cells):
 *   mu_k = exp(eta_k), v_k = n_k mu_k / N (IRLS weight),
 *   r_k = (s_k - n_k mu_k) / N (weight times working residual).
 * For column j with V1 = sum_{x_kj=1} v_k, V = sum v_k, R1 = sum_{x_kj=1} r_k,
 * R = sum r_k, the quadratic restricted to (beta_j, intercept) gives after
 * eliminating the intercept: gradient g = R1 - V1 R / V, curvature
 * h = V1 (1 - V1/V), and the update
 *   beta_j <- max(0, h beta_j + g - lambda alpha s_j) / (h + lambda (1-alpha) s_j^2),
 *   intercept += (R - V1 delta) / V.
 *
 * The coordinate descent itself (how R1 is kept: naive or covariance
 * updates) is in enet_cd.c; the solver's state in enet_priv.h.
 */
#include "rtm/glm.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glmnet internal parameters (glmnet.control defaults): minimum lambda
 * ratio eps, devmax, mnlam. */
#define ENET_EPS 1e-6
#define ENET_DEVMAX 0.999
#define ENET_MNLAM 5

void rtm_enet_opts_init(rtm_enet_opts *o)
{
    memset(o, 0, sizeof *o);
    o->alpha = 1.0;
    o->nlambda = 100;
    o->lambda_min_ratio = 0;
    o->thresh = 1e-10;
    o->max_passes = 100000;
    o->stop_early = 1;
    o->nfolds = 5;
    o->seed = 1;
    o->rule = RTM_ENET_LAMBDA_MIN;
}

/* Append one problem to a "; "-separated list (GMT-style: report them all). */
static void problem(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 3 >= cap)
        return;
    if (len) {
        strcpy(buf + len, "; ");
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

int rtm_enet_opts_check(const rtm_enet_opts *o, rtm_error *err)
{
    char m[RTM_ERRMSG_MAX - 8] = "";
    size_t c = sizeof m;
    if (!(o->alpha >= 0 && o->alpha <= 1))
        problem(m, c, "alpha must be in [0, 1] (got %g)", o->alpha);
    if (!o->lambda && o->nlambda < 1)
        problem(m, c, "nlambda must be >= 1 (got %d)", o->nlambda);
    if (!o->lambda && !(o->lambda_min_ratio < 1))
        problem(m, c, "lambda_min_ratio must be < 1 (got %g)", o->lambda_min_ratio);
    if (o->lambda && o->nlambda_user < 1)
        problem(m, c, "nlambda_user must be >= 1 (got %d)", o->nlambda_user);
    for (int l = 0; o->lambda && l < o->nlambda_user; l++)
        if (!(o->lambda[l] >= 0) || !isfinite(o->lambda[l])) {
            problem(m, c, "lambda[%d] must be finite and >= 0 (got %g)", l, o->lambda[l]);
            break;
        }
    if (!(o->thresh > 0))
        problem(m, c, "thresh must be > 0 (got %g)", o->thresh);
    if (o->max_passes < 1)
        problem(m, c, "max_passes must be >= 1 (got %d)", o->max_passes);
    if (o->nfolds < 2)
        problem(m, c, "nfolds must be >= 2 (got %d)", o->nfolds);
    if (o->rule != RTM_ENET_LAMBDA_MIN && o->rule != RTM_ENET_LAMBDA_1SE)
        problem(m, c, "unknown rule %d", (int)o->rule);
    if (o->cv_align != RTM_ENET_ALIGN_GLMNET && o->cv_align != RTM_ENET_ALIGN_EXACT)
        problem(m, c, "unknown cv_align %d", (int)o->cv_align);
    if (o->nthreads < 0)
        problem(m, c, "nthreads must be >= 0 (got %d)", o->nthreads);
    if (o->updates != RTM_ENET_UPDATES_AUTO && o->updates != RTM_ENET_UPDATES_NAIVE &&
        o->updates != RTM_ENET_UPDATES_COVARIANCE)
        problem(m, c, "unknown updates %d", (int)o->updates);
    if (m[0])
        return rtm_error_set(err, RTM_ERR_ARG, "enet: %s", m);
    return 0;
}

void rtm_enet_path_free(rtm_enet_path *path)
{
    if (!path)
        return;
    free(path->lambda);
    free(path->a0);
    free(path->beta);
    free(path->df);
    free(path->deviance);
    free(path->dev_ratio);
    free(path);
}

static rtm_enet_path *path_alloc(int nlambda, int p)
{
    rtm_enet_path *pa = calloc(1, sizeof *pa);
    if (!pa)
        return NULL;
    size_t nl = (size_t)nlambda, np = (size_t)(p > 0 ? p : 1);
    pa->nlambda = nlambda;
    pa->p = p;
    pa->lambda = calloc(nl, sizeof *pa->lambda);
    pa->a0 = calloc(nl, sizeof *pa->a0);
    pa->beta = calloc(nl * np, sizeof *pa->beta);
    pa->df = calloc(nl, sizeof *pa->df);
    pa->deviance = calloc(nl, sizeof *pa->deviance);
    pa->dev_ratio = calloc(nl, sizeof *pa->dev_ratio);
    if (!pa->lambda || !pa->a0 || !pa->beta || !pa->df || !pa->deviance || !pa->dev_ratio) {
        rtm_enet_path_free(pa);
        return NULL;
    }
    return pa;
}

#include "model/enet_priv.h"

static void incidence_get(rtm_i_enet_inc *X, const rtm_patterns *pt)
{
    rtm_patterns_columns(pt, &X->ptr, &X->idx);
}

static int incidence32_make(rtm_i_enet_inc32 *F, const rtm_i_enet_inc *X, int p, size_t m,
                            const double *cn)
{
    size_t nnz = X->ptr[p], q, o = 0, ntrain = 0, k;
    unsigned char *mark;
    if (m > UINT32_MAX)
        return -1;
    for (k = 0; k < m; k++)
        ntrain += cn[k] > 0;
    F->ptr = malloc(((size_t)p + 1) * sizeof *F->ptr);
    F->idx = malloc((nnz ? nnz : 1) * sizeof *F->idx); /* a complement is shorter */
    F->comp = calloc((size_t)(p > 0 ? p : 1), 1);
    mark = calloc(m ? m : 1, 1);
    if (!F->ptr || !F->idx || !F->comp || !mark) {
        free(mark);
        return -1;
    }
    for (int j = 0; j < p; j++) {
        size_t ones = 0;
        F->ptr[j] = o;
        for (q = X->ptr[j]; q < X->ptr[j + 1]; q++)
            ones += cn[X->idx[q]] > 0;
        if (2 * ones <= ntrain) {
            for (q = X->ptr[j]; q < X->ptr[j + 1]; q++)
                if (cn[X->idx[q]] > 0)
                    F->idx[o++] = X->idx[q];
            continue;
        }
        F->comp[j] = 1;
        for (q = X->ptr[j]; q < X->ptr[j + 1]; q++)
            mark[X->idx[q]] = 1;
        for (k = 0; k < m; k++)
            if (cn[k] > 0 && !mark[k])
                F->idx[o++] = (uint32_t)k;
        for (q = X->ptr[j]; q < X->ptr[j + 1]; q++)
            mark[X->idx[q]] = 0;
    }
    F->ptr[p] = o;
    free(mark);
    return 0;
}


static void solver_free(rtm_i_enet_solver *s)
{
    free(s->F.ptr);
    free(s->F.idx);
    free(s->F.comp);
    free(s->mj);
    free(s->sd);
    free(s->ju);
    free(s->eta);
    free(s->eta_old);
    free(s->mu);
    free(s->v);
    free(s->r);
    free(s->beta);
    free(s->beta_old);
    free(s->V1);
    free(s->xv);
    free(s->gstd);
    free(s->strong);
    free(s->active);
    free(s->in_strong);
    free(s->in_active);
    free(s->apos);
    free(s->R10);
    free(s->sh0);
    free(s->q);
    free(s->pend);
    free(s->gval);
    free(s->M);
    free(s->h);
    free(s->rptr);
    free(s->rlen);
    free(s->rcol);
    free(s->acnt);
}

static int solver_alloc(rtm_i_enet_solver *s)
{
    size_t m = s->m, p = (size_t)(s->p > 0 ? s->p : 1);
    s->mj = calloc(p, sizeof(double));
    s->sd = calloc(p, sizeof(double));
    s->ju = calloc(p, 1);
    s->eta = calloc(m, sizeof(double));
    s->eta_old = calloc(m, sizeof(double));
    s->mu = calloc(m, sizeof(double));
    s->v = calloc(m, sizeof(double));
    s->r = calloc(m, sizeof(double));
    s->beta = calloc(p, sizeof(double));
    s->beta_old = calloc(p, sizeof(double));
    s->V1 = calloc(p, sizeof(double));
    s->xv = calloc(p, sizeof(double));
    s->gstd = calloc(p, sizeof(double));
    s->strong = calloc(p, sizeof(int));
    s->active = calloc(p, sizeof(int));
    s->in_strong = calloc(p, 1);
    s->in_active = calloc(p, 1);
    s->apos = calloc(p, sizeof(int));
    s->R10 = calloc(p, sizeof(double));
    s->sh0 = calloc(p, sizeof(double));
    s->q = calloc(p, sizeof(double));
    s->pend = calloc(p, sizeof(double));
    s->gval = calloc(p, 1);
    s->h = calloc(p, sizeof(double));
    s->rptr = calloc(m + 1, sizeof(size_t));
    s->rlen = calloc(m ? m : 1, sizeof(uint32_t));
    s->acnt = calloc(m ? m : 1, sizeof(uint32_t));
    s->rbuilt = -1;
    return (s->mj && s->sd && s->ju && s->eta && s->eta_old && s->mu && s->v && s->r && s->beta &&
            s->beta_old && s->V1 && s->xv && s->gstd && s->strong && s->active &&
            s->in_strong && s->in_active && s->apos && s->R10 && s->sh0 && s->q && s->pend &&
            s->gval && s->h && s->rptr && s->rlen && s->acnt) ? 0 : -1;
}

/* exp with glmnet's guard against overflow: |eta| capped at log(0.1 DBL_MAX). */
static double safe_exp(double e)
{
    static const double fmax = 706.89; /* < log(0.1 * DBL_MAX) = 707.5 */
    return exp(e > fmax ? fmax : (e < -fmax ? -fmax : e));
}

/* IRLS weights and working residuals at the current eta (shift must be 0). */
static void solver_weights(rtm_i_enet_solver *s)
{
    double V = 0, R = 0;
    for (size_t k = 0; k < s->m; k++) {
        double mu = safe_exp(s->eta[k]);
        s->mu[k] = mu;
        s->v[k] = s->cn[k] * mu / s->N;
        s->r[k] = (s->cs[k] - s->cn[k] * mu) / s->N;
        V += s->v[k];
        R += s->r[k];
    }
    s->V = V;
    s->R = R;
    s->Rs = R; /* the stored r are the r now: the same sum */
    s->shift = 0;
    s->gshift = 0;
}

/* Standardised gradient of the log-likelihood part for column j, as glmnet's
 * ga: sum_k r_k (x_kj - m_j) / s_j. Requires shift == 0. */
static double col_gradient(const rtm_i_enet_solver *s, int j)
{
    return (col_sum(s, s->r, s->Rs, j) - s->mj[j] * s->R) / s->sd[j];
}

/* Column statistics, null model, usable columns. Returns -1 if all y = 0,
 * -2 if no column is usable. */
static int solver_init(rtm_i_enet_solver *s)
{
    double N = 0, S = 0, YL = 0;
    for (size_t k = 0; k < s->m; k++)
        N += s->cn[k], S += s->cs[k], YL += s->cyl[k];
    s->N = N;
    if (!(S > 0))
        return -1;
    s->ybar = S / N;
    s->dev0half = (YL - S * log(s->ybar)) / N;
    int nuse = 0;
    for (int j = 0; j < s->p; j++) {
        double c1 = col_sum(s, s->cn, N, j);
        s->ju[j] = c1 > 0 && c1 < N;
        nuse += s->ju[j];
        s->mj[j] = c1 / N;
        s->sd[j] = sqrt(s->mj[j] * (1 - s->mj[j]));
    }
    if (!nuse)
        return -2;
    s->b0 = log(s->ybar);
    for (size_t k = 0; k < s->m; k++)
        s->eta[k] = s->b0;
    solver_weights(s);
    for (int j = 0; j < s->p; j++)
        if (s->ju[j])
            s->gstd[j] = col_gradient(s, j);
    return 0;
}

static double lambda_max(const rtm_i_enet_solver *s, double alpha)
{
    double g = 0;
    for (int j = 0; j < s->p; j++)
        if (s->ju[j] && fabs(s->gstd[j]) > g)
            g = fabs(s->gstd[j]);
    return g / (alpha > 1e-3 ? alpha : 1e-3);
}

/* Bring eta up to date after coordinate descent: add each strong column's
 * whole change since the IRLS step began (beta - beta_old) to its
 * patterns, once, rather than every step's change as it is made (the
 * sweeps read only r, so eta is not needed until the weights are
 * recomputed: a third less memory traffic per step). */
static void apply_steps(rtm_i_enet_solver *s)
{
    double all = 0; /* the complement-kept columns' changes, for every pattern */
    for (int q = 0; q < s->nstrong; q++) {
        int j = s->strong[q];
        double d = s->beta[j] - s->beta_old[j];
        if (d == 0)
            continue;
        if (s->F.comp[j]) {
            all += d;
            d = -d;
        }
        for (size_t t = s->F.ptr[j], t1 = s->F.ptr[j + 1]; t < t1; t++)
            s->eta[s->F.idx[t]] += d;
    }
    if (all != 0) /* patterns without training cells too: their eta is unused */
        for (size_t k = 0; k < s->m; k++)
            s->eta[k] += all;
}

/* Apply the lazy intercept shift to eta (r is recomputed by solver_weights). */
static void materialise(rtm_i_enet_solver *s)
{
    if (s->shift != 0)
        for (size_t k = 0; k < s->m; k++)
            s->eta[k] += s->shift;
    s->shift = 0;
}

static void add_strong(rtm_i_enet_solver *s, int j)
{
    if (!s->in_strong[j]) {
        s->in_strong[j] = 1;
        s->strong[s->nstrong++] = j;
    }
}

/* KKT check of the columns outside the strong set at the current weights;
 * adds violators (gradient > lambda alpha, standardised). Returns how many. */
static int kkt_check(rtm_i_enet_solver *s, double al1)
{
    int added = 0;
    for (int j = 0; j < s->p; j++) {
        if (!s->ju[j] || s->in_strong[j])
            continue;
        s->gstd[j] = col_gradient(s, j);
        if (s->gstd[j] > al1) {
            add_strong(s, j);
            added++;
        }
    }
    return added;
}

/* Damped IRLS: when the step just solved would move some pattern's linear
 * predictor by more than IRLS_MAX_STEP, shrink the whole step (intercept,
 * coefficients, eta) towards the previous iterate so that the largest move
 * is IRLS_MAX_STEP. A full Newton step of the Poisson log link from a low
 * rate overshoots badly when a rare column carries a high rate (the step is
 * (y - mu)/mu on the log scale) and plain IRLS then diverges; a shorter step
 * along the same direction keeps the fixed point (the penalised optimum)
 * and only changes the path to it (a trust region on the linear predictor,
 * cf. the step-halving of Marschner 2011, "glm2: fitting generalized linear
 * models with convergence problems", The R Journal 3(2) 12-15). Steps
 * within the limit, as in every well-conditioned fit, are unchanged. */
#define IRLS_MAX_STEP 3.0
static void damp(rtm_i_enet_solver *s, double b0_old)
{
    double dmax = 0;
    for (size_t k = 0; k < s->m; k++)
        if (s->cn[k] > 0 && fabs(s->eta[k] - s->eta_old[k]) > dmax)
            dmax = fabs(s->eta[k] - s->eta_old[k]);
    if (!(dmax > IRLS_MAX_STEP))
        return;
    double c = IRLS_MAX_STEP / dmax;
    s->b0 = b0_old + c * (s->b0 - b0_old);
    for (int q = 0; q < s->nstrong; q++) {
        int j = s->strong[q];
        s->beta[j] = s->beta_old[j] + c * (s->beta[j] - s->beta_old[j]);
    }
    for (size_t k = 0; k < s->m; k++)
        s->eta[k] = s->eta_old[k] + c * (s->eta[k] - s->eta_old[k]);
}

/* Solve at one lambda from the current (warm) state: 0, -1 (no
 * convergence) or -2 (out of memory). */
static int solve_lambda(rtm_i_enet_solver *s, double lam, double lam_prev, double alpha, double thresh)
{
    double al1 = lam * alpha, al2 = lam * (1 - alpha), shr = thresh * s->dev0half;
    double tlam = alpha * (2 * lam - lam_prev);
    /* sequential strong rule, one-sided: only positive coefficients can enter */
    for (int j = 0; j < s->p; j++)
        if (s->ju[j] && !s->in_strong[j] && s->gstd[j] > tlam)
            add_strong(s, j);
    s->first = 1;
    for (;;) {
        double b0_old = s->b0;
        for (int q = 0; q < s->nstrong; q++)
            s->beta_old[s->strong[q]] = s->beta[s->strong[q]];
        memcpy(s->eta_old, s->eta, s->m * sizeof *s->eta);
        int rc = rtm_i_enet_cd_solve(s, al1, al2, shr);
        if (rc)
            return rc;
        s->first = 0;
        apply_steps(s);
        materialise(s);
        damp(s, b0_old);
        solver_weights(s);
        int moved = s->V * (s->b0 - b0_old) * (s->b0 - b0_old) >= shr;
        for (int q = 0; q < s->nstrong && !moved; q++) {
            int j = s->strong[q];
            double d = (s->beta[j] - s->beta_old[j]) * s->sd[j];
            moved = s->xv[j] * d * d >= shr;
        }
        if (moved)
            continue;
        if (!kkt_check(s, al1))
            return 0;
    }
}

/* Poisson deviance 2 sum [ylogy - s eta - s + n mu] over given statistics. */
static double deviance(const rtm_i_enet_solver *s, const double *n, const double *sy, const double *yl)
{
    double dev = 0;
    for (size_t k = 0; k < s->m; k++)
        if (n[k] > 0)
            dev += yl[k] - sy[k] * s->eta[k] - sy[k] + n[k] * s->mu[k];
    return 2 * dev;
}

static void record(const rtm_i_enet_solver *s, rtm_enet_path *pa, int l, double lam, double null_dev)
{
    size_t p = (size_t)s->p;
    pa->lambda[l] = lam;
    pa->a0[l] = s->b0;
    int df = 0;
    for (size_t j = 0; j < p; j++) {
        pa->beta[l * p + j] = s->beta[j];
        df += s->beta[j] > 0;
    }
    pa->df[l] = df;
    pa->deviance[l] = deviance(s, s->cn, s->cs, s->cyl);
    pa->dev_ratio[l] = null_dev > 0 ? 1 - pa->deviance[l] / null_dev : 0;
}

static int cmp_desc(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u < v) - (u > v);
}

/* The lambda sequence: the user's (sorted decreasing) or glmnet's default. */
static double *lambda_seq(const rtm_i_enet_solver *s, const rtm_enet_opts *o, int *nl)
{
    if (o->lambda) {
        double *l = malloc((size_t)o->nlambda_user * sizeof *l);
        if (!l)
            return NULL;
        memcpy(l, o->lambda, (size_t)o->nlambda_user * sizeof *l);
        qsort(l, (size_t)o->nlambda_user, sizeof *l, cmp_desc);
        *nl = o->nlambda_user;
        return l;
    }
    int n = o->nlambda;
    double *l = malloc((size_t)n * sizeof *l);
    if (!l)
        return NULL;
    double ratio = o->lambda_min_ratio > 0 ? o->lambda_min_ratio
                                           : (s->N < (double)s->p ? 1e-2 : 1e-4);
    double eqs = ratio > ENET_EPS ? ratio : ENET_EPS;
    double alf = n > 1 ? pow(eqs, 1.0 / (n - 1)) : 1;
    l[0] = lambda_max(s, o->alpha);
    for (int i = 1; i < n; i++)
        l[i] = l[i - 1] * alf;
    *nl = n;
    return l;
}

static int run_path(rtm_i_enet_solver *s, const rtm_enet_opts *o, rtm_enet_path **out, rtm_error *err)
{
    int nl = 0;
    double *lam = lambda_seq(s, o, &nl);
    rtm_enet_path *pa = lam ? path_alloc(nl, s->p) : NULL;
    if (!pa) {
        free(lam);
        return rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
    }
    pa->alpha = o->alpha;
    double null_dev = 2 * s->N * s->dev0half;
    pa->null_deviance = null_dev;
    int l;
    for (l = 0; l < nl; l++) {
        int rc = solve_lambda(s, lam[l], l ? lam[l - 1] : lam[0], o->alpha, o->thresh);
        if (rc) {
            if (rc == -2)
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory at lambda %d",
                                   l + 1);
            else
                rc = rtm_error_set(err, RTM_ERR_MODEL,
                                   "enet: no convergence at lambda %d (%g) after %ld passes",
                                   l + 1, lam[l], s->passes);
            free(lam);
            rtm_enet_path_free(pa);
            return rc;
        }
        record(s, pa, l, lam[l], null_dev);
        if (o->progress)
            o->progress((double)(l + 1) / nl, "lambda", o->progress_arg);
        if (!o->lambda && o->stop_early && l + 1 >= ENET_MNLAM && pa->dev_ratio[l] > ENET_DEVMAX) {
            l++;
            break;
        }
    }
    pa->nlambda = l;
    pa->passes = s->passes;
    free(lam);
    *out = pa;
    return 0;
}

/* glmnet's lambda.interp: the coefficients at s, linear in lambda between
 * the two neighbouring fitted lambdas, clamped to the fitted range. */
static void interp_coef(const rtm_enet_path *pa, double s, double *a0, double *beta)
{
    int nl = pa->nlambda, p = pa->p, left = 0, right = 0;
    double wl = 1;
    if (s >= pa->lambda[0] || nl == 1) {
        left = right = 0;
    } else if (s <= pa->lambda[nl - 1]) {
        left = right = nl - 1;
    } else {
        while (left + 1 < nl && pa->lambda[left + 1] >= s)
            left++;
        right = pa->lambda[left] == s ? left : left + 1;
        if (right != left)
            wl = (s - pa->lambda[right]) / (pa->lambda[left] - pa->lambda[right]);
    }
    const double *bl = pa->beta + (size_t)left * (size_t)p;
    const double *br = pa->beta + (size_t)right * (size_t)p;
    *a0 = wl * pa->a0[left] + (1 - wl) * pa->a0[right];
    for (int j = 0; j < p; j++)
        beta[j] = wl * bl[j] + (1 - wl) * br[j];
}

/* Deviance of the test statistics at each test lambda (interpolated fit). */
static void test_deviances(rtm_i_enet_solver *s, const rtm_enet_path *pa, const rtm_enet_stats *test,
                           const double *tl, int ntl, double *dev)
{
    for (int t = 0; t < ntl; t++) {
        double a0;
        interp_coef(pa, tl[t], &a0, s->beta);
        for (size_t k = 0; k < s->m; k++)
            s->eta[k] = a0;
        for (int j = 0; j < s->p; j++)
            if (s->beta[j] != 0)
                for (size_t q = s->X.ptr[j]; q < s->X.ptr[j + 1]; q++)
                    s->eta[s->X.idx[q]] += s->beta[j];
        for (size_t k = 0; k < s->m; k++)
            if (test->n[k] > 0)
                s->mu[k] = safe_exp(s->eta[k]);
        dev[t] = deviance(s, test->n, test->sumy, test->ylogy);
    }
}

int rtm_enet_path_patterns(const rtm_patterns *pt, const rtm_enet_stats *train,
                           const rtm_enet_stats *test, const double *test_lambda, int ntest,
                           const rtm_enet_opts *o, rtm_enet_path **out, double *test_dev,
                           rtm_error *err)
{
    rtm_enet_opts def;
    if (!o) {
        rtm_enet_opts_init(&def);
        o = &def;
    }
    if (rtm_enet_opts_check(o, err))
        return RTM_ERR_ARG;
    if (!pt || !train || !train->n || !train->sumy || !train->ylogy || !out)
        return rtm_error_set(err, RTM_ERR_ARG, "enet: missing patterns or statistics");
    rtm_i_enet_solver s = {.m = rtm_patterns_count(pt), .p = rtm_patterns_ncols(pt),
                .cn = train->n, .cs = train->sumy, .cyl = train->ylogy,
                .max_passes = o->max_passes, .updates = o->updates};
    int rc;
    incidence_get(&s.X, pt);
    if (solver_alloc(&s) || incidence32_make(&s.F, &s.X, s.p, s.m, s.cn)) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory (%zu patterns, %d columns)",
                           s.m, s.p);
        goto done;
    }
    rc = solver_init(&s);
    if (rc == -1) {
        rc = rtm_error_set(err, RTM_ERR_MODEL, "enet: every count is zero");
        goto done;
    }
    if (rc == -2) {
        rc = rtm_error_set(err, RTM_ERR_MODEL, "enet: every column is constant");
        goto done;
    }
    rc = run_path(&s, o, out, err);
    if (!rc && test && test_dev && ntest > 0)
        test_deviances(&s, *out, test, test_lambda, ntest, test_dev);
done:
    solver_free(&s);
    return rc;
}

int rtm_enet_path_deviance(const rtm_patterns *pt, const rtm_enet_stats *st,
                           const rtm_enet_path *path, const double *lambda, int nlambda,
                           double *dev, rtm_error *err)
{
    if (!pt || !st || !st->n || !st->sumy || !st->ylogy || !path || !dev ||
        (nlambda > 0 && !lambda))
        return rtm_error_set(err, RTM_ERR_ARG, "enet: missing patterns, statistics or path");
    if (path->p != rtm_patterns_ncols(pt) || path->nlambda < 1)
        return rtm_error_set(err, RTM_ERR_ARG,
                             "enet: path has %d columns and %d lambdas, patterns %d columns",
                             path->p, path->nlambda, rtm_patterns_ncols(pt));
    size_t m = rtm_patterns_count(pt), p = (size_t)(path->p > 0 ? path->p : 1);
    rtm_i_enet_solver s = {.m = m, .p = path->p};
    s.eta = malloc(m * sizeof *s.eta);
    s.mu = calloc(m, sizeof *s.mu);
    s.beta = malloc(p * sizeof *s.beta);
    int rc = 0;
    incidence_get(&s.X, pt);
    if (!s.eta || !s.mu || !s.beta)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
    else
        test_deviances(&s, path, st, lambda, nlambda, dev);
    solver_free(&s);
    return rc;
}

int rtm_enet_path_fit(const rtm_design *d, const rtm_enet_opts *o, rtm_enet_path **out,
                      rtm_error *err)
{
    if (o && rtm_enet_opts_check(o, err))
        return RTM_ERR_ARG;
    rtm_patterns *pt = rtm_patterns_build_sums(d, NULL, 0, err);
    if (!pt)
        return err ? err->code : RTM_ERR_INPUT;
    rtm_enet_stats st = {rtm_patterns_n(pt), rtm_patterns_sumy(pt), rtm_patterns_ylogy(pt)};
    int rc = rtm_enet_path_patterns(pt, &st, NULL, NULL, 0, o, out, NULL, err);
    rtm_patterns_free(pt);
    return rc;
}
