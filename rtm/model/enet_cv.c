/* enet_cv.c: k-fold cross-validation of the Poisson elastic-net path
 * (see rtm/glm.h): seeded count-stratified folds, one path per fold on the
 * full-data lambda sequence, cv.glmnet's grouped deviance curve and its
 * lambda.min / lambda.1se rules (Friedman, Hastie & Tibshirani 2010, section
 * 7; glmnet's cv.glmnet, cvcompute and getOptcv.glmnet).
 */
#include "rtm/glm.h"
#include "model/glm_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- random numbers ------------------------------------------------------ */

/* splitmix64 (Steele, Lea & Flood 2014): expands the seed into the state. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s[4];
} xoshiro;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman & Vigna 2018). */
static uint64_t xoshiro_next(xoshiro *g)
{
    uint64_t *s = g->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static void xoshiro_seed(xoshiro *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix64(&seed);
}

/* Uniform integer in [0, n) by rejection (no modulo bias). */
static uint64_t xoshiro_below(xoshiro *g, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;
    do
        r = xoshiro_next(g);
    while (r >= limit);
    return r % n;
}

/* ---- folds --------------------------------------------------------------- */

typedef struct {
    double y;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *u = a, *v = b;
    if (u->y != v->y)
        return u->y < v->y ? -1 : 1;
    return (u->i > v->i) - (u->i < v->i);
}

/* Cell order by (y, index): counting sort when every y is a small integer
 * (rtm_counts_order, the usual case for counts), else a comparison sort. */
static size_t *sort_order(const double *y, size_t n)
{
    size_t *ord = rtm_counts_order(y, n);
    if (ord)
        return ord;
    keyed *kv = malloc(n * sizeof *kv);
    ord = malloc(n * sizeof *ord);
    if (!kv || !ord) {
        free(kv);
        free(ord);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        kv[i] = (keyed){y[i], i};
    qsort(kv, n, sizeof *kv, cmp_keyed);
    for (size_t i = 0; i < n; i++)
        ord[i] = kv[i].i;
    free(kv);
    return ord;
}

/* A fresh random order of the folds 0..nfolds-1 into perm: the deal of
 * one group of nfolds consecutive cells in the (y, index) order
 * (Fisher-Yates shuffle, Knuth, TAOCP vol. 2, 3.4.2 P). */
static void shuffle(xoshiro *g, int *perm, int nfolds)
{
    for (int f = 0; f < nfolds; f++)
        perm[f] = f;
    for (int f = nfolds - 1; f > 0; f--) {
        int k = (int)xoshiro_below(g, (uint64_t)f + 1), t = perm[f];
        perm[f] = perm[k];
        perm[k] = t;
    }
}

/* Small integer counts, at most 255 folds: each position's fold dealt into
 * a byte, then every cell takes the fold of its position in the (y, index)
 * order, found by counting (the cells before it with a smaller y, and
 * those with its y before it): a byte a cell besides the folds, where the
 * order itself takes eight. The same folds as the sorted deal. */
static int folds_counted(const double *y, size_t n, int nfolds, double ymax, xoshiro *g,
                         int *perm, int *fold)
{
    size_t R = (size_t)ymax + 1, *next = calloc(R + 1, sizeof *next);
    unsigned char *deal = malloc(n ? n : 1);
    if (!next || !deal) {
        free(next);
        free(deal);
        return -1;
    }
    for (size_t start = 0; start < n; start += (size_t)nfolds) {
        shuffle(g, perm, nfolds);
        for (size_t q = 0; q < (size_t)nfolds && start + q < n; q++)
            deal[start + q] = (unsigned char)perm[q];
    }
    for (size_t i = 0; i < n; i++)
        next[(size_t)y[i] + 1]++;
    for (size_t r = 0; r < R; r++)
        next[r + 1] += next[r];
    for (size_t i = 0; i < n; i++)
        fold[i] = deal[next[(size_t)y[i]]++];
    free(next);
    free(deal);
    return 0;
}

int rtm_enet_folds(const double *y, size_t n, int nfolds, uint64_t seed, int *fold,
                   rtm_error *err)
{
    if (nfolds < 2)
        return rtm_error_set(err, RTM_ERR_ARG, "enet: nfolds must be >= 2 (got %d)", nfolds);
    if (n < (size_t)nfolds)
        return rtm_error_set(err, RTM_ERR_ARG, "enet: %zu cells cannot fill %d folds", n,
                             nfolds);
    int *perm = malloc((size_t)nfolds * sizeof *perm), rc = 0;
    double ymax = rtm_i_counts_max(y, n);
    size_t *ord = NULL;
    xoshiro g;
    xoshiro_seed(&g, seed);
    if (!perm)
        rc = -1;
    else if (ymax >= 0 && nfolds <= 255)
        rc = folds_counted(y, n, nfolds, ymax, &g, perm, fold);
    else if (!(ord = sort_order(y, n)))
        rc = -1;
    else
        for (size_t start = 0; start < n; start += (size_t)nfolds) {
            shuffle(&g, perm, nfolds);
            for (size_t q = 0; q < (size_t)nfolds && start + q < n; q++)
                fold[ord[start + q]] = perm[q];
        }
    free(ord);
    free(perm);
    return rc ? rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory assigning folds") : 0;
}

/* ---- cross-validation ---------------------------------------------------- */

void rtm_enet_cv_free(rtm_enet_cv *cv)
{
    if (!cv)
        return;
    rtm_enet_path_free(cv->path);
    free(cv->foldid);
    free(cv->cvm);
    free(cv->cvsd);
    free(cv->kept);
    free(cv);
}

/* Statistics of fold f (test = 1: the fold's cells; test = 0: the training
 * cells, total minus fold) into buf: 3 arrays of m (n, sumy, ylogy).
 * Built per task, so memory is 3m per running thread, not per fold. */
static double *fold_stats(const rtm_patterns *pt, int f, int test, rtm_enet_stats *st)
{
    size_t m = rtm_patterns_count(pt), nf = (size_t)rtm_patterns_nfolds(pt);
    double *buf = malloc(3 * (m ? m : 1) * sizeof *buf);
    if (!buf)
        return NULL;
    const double *tot[3] = {rtm_patterns_n(pt), rtm_patterns_sumy(pt), rtm_patterns_ylogy(pt)};
    const double *byf[3] = {rtm_patterns_n_fold(pt), rtm_patterns_sumy_fold(pt),
                            rtm_patterns_ylogy_fold(pt)};
    for (int a = 0; a < 3; a++) {
        double *o = buf + (size_t)a * m;
        for (size_t k = 0; k < m; k++) {
            double te = byf[a][k * nf + (size_t)f];
            o[k] = test ? te : tot[a][k] - te;
            if (!test && a == 0 && o[k] < 0.5) /* exact: counts are integers */
                o[k] = 0;
        }
    }
    *st = (rtm_enet_stats){buf, buf + m, buf + 2 * m};
    return buf;
}

/* One task of the parallel loop: the full path (f < 0) or fold f, fitted on
 * its training statistics. */
static int fit_task(const rtm_patterns *pt, int f, const rtm_enet_opts *fo, rtm_enet_path **out,
                    rtm_error *err)
{
    if (f < 0) {
        rtm_enet_stats all = {rtm_patterns_n(pt), rtm_patterns_sumy(pt), rtm_patterns_ylogy(pt)};
        return rtm_enet_path_patterns(pt, &all, NULL, NULL, 0, fo, out, NULL, err);
    }
    rtm_enet_stats tr;
    double *buf = fold_stats(pt, f, 0, &tr);
    if (!buf)
        return rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory for fold %d", f + 1);
    int rc = rtm_enet_path_patterns(pt, &tr, NULL, NULL, 0, fo, out, NULL, err);
    free(buf);
    return rc;
}

/* Held-out deviance of fold f at the full-data lambdas (nl values). */
static int test_task(const rtm_patterns *pt, int f, const rtm_enet_path *fp,
                     const rtm_enet_path *full, double *dev, rtm_error *err)
{
    rtm_enet_stats te;
    double *buf = fold_stats(pt, f, 1, &te);
    if (!buf)
        return rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory for fold %d", f + 1);
    int rc = rtm_enet_path_deviance(pt, &te, fp, full->lambda, full->nlambda, dev, err);
    free(buf);
    return rc;
}

/* Held-out deviance of every fold at the full-data lambdas; dev is nf*nl.
 * Returns 0 or 1 + the first failing fold. */
static int fold_deviances(const rtm_patterns *pt, int nf, int nt, rtm_enet_path *const *fp,
                          const rtm_enet_path *full, double *dev, rtm_error *ferr, int *frc)
{
    size_t nl = (size_t)full->nlambda;
    (void)nt;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int f = 0; f < nf; f++)
        frc[f] = test_task(pt, f, fp[f], full, dev + (size_t)f * nl, &ferr[f]);
    for (int f = 0; f < nf; f++)
        if (frc[f])
            return f + 1;
    return 0;
}

/* The cross-validation's progress: the lambdas done by all its paths
 * against all they may do (a path that stops early leaves its rest
 * uncounted; the end reports 1). The paths call it from their threads one
 * at a time (a named critical section). */
typedef struct {
    const rtm_enet_opts *o; /* the caller's hook */
    long done, total;
} cv_progress;

static int lambda_done(double frac, const char *msg, void *arg)
{
    cv_progress *c = arg;
    (void)frac, (void)msg;
#pragma omp critical(rtm_enet_cv_progress)
    {
        c->done++;
        c->o->progress((double)c->done / (double)c->total, "lambda", c->o->progress_arg);
    }
    return 1;
}

/* Fit the full path and every fold, and evaluate each fold's held-out
 * deviance at the lambdas of the full path. As cv.glmnet, each fold fits
 * its own default sequence unless the user gave one (then all use it), and
 * is interpolated at the full-data lambdas; in that case the full path and
 * the folds are independent tasks run together. With RTM_ENET_ALIGN_EXACT
 * the full path comes first and the folds use its lambdas. Tasks are
 * independent sequential fits, so the schedule cannot change any result;
 * dynamic scheduling only balances the load. *dev (nf*nlambda) is
 * allocated here. */
static int fit_all(const rtm_patterns *pt, const rtm_enet_opts *o, rtm_enet_path **full,
                   double **dev, rtm_error *err)
{
    int nf = o->nfolds, nt = o->nthreads, rc = 0;
#ifdef _OPENMP
    if (nt <= 0)
        nt = omp_get_max_threads();
#endif
    int exact = o->cv_align == RTM_ENET_ALIGN_EXACT && !o->lambda;
    rtm_error *ferr = calloc((size_t)nf + 1, sizeof *ferr);
    int *frc = calloc((size_t)nf + 1, sizeof *frc);
    rtm_enet_path **fp = calloc((size_t)nf + 1, sizeof *fp);
    if (!ferr || !frc || !fp) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory for folds");
        goto done;
    }
    rtm_enet_opts fo = *o, whole = *o;
    cv_progress cp = {o, 0, (long)(nf + 1) * (o->lambda ? o->nlambda_user : o->nlambda)};
    if (o->progress) {
        fo.progress = whole.progress = lambda_done;
        fo.progress_arg = whole.progress_arg = &cp;
    }
    if (exact) {
        if ((rc = fit_task(pt, -1, &whole, &fp[nf], err)))
            goto done;
        fo.lambda = fp[nf]->lambda;
        fo.nlambda_user = fp[nf]->nlambda;
    }
    /* task 0 is the full path (the largest fit, started first) unless done */
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int t = exact ? 1 : 0; t <= nf; t++) {
        int f = t - 1;
        int slot = f < 0 ? nf : f;
        frc[slot] = fit_task(pt, f, f < 0 ? &whole : &fo, &fp[slot], &ferr[slot]);
    }
    if (o->progress)
        o->progress(1.0, "lambda", o->progress_arg);
    if (frc[nf]) {
        rc = rtm_error_set(err, frc[nf], "%s", ferr[nf].msg);
        goto done;
    }
    for (int f = 0; f < nf; f++)
        if (frc[f]) {
            rc = rtm_error_set(err, frc[f], "%s (fold %d)", ferr[f].msg, f + 1);
            goto done;
        }
    *dev = malloc((size_t)nf * (size_t)fp[nf]->nlambda * sizeof **dev);
    if (!*dev) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory for folds");
        goto done;
    }
    int bad = fold_deviances(pt, nf, nt, fp, fp[nf], *dev, ferr, frc);
    if (bad) {
        rc = rtm_error_set(err, frc[bad - 1], "%s (fold %d)", ferr[bad - 1].msg, bad);
        goto done;
    }
    *full = fp[nf];
    fp[nf] = NULL;
done:
    for (int f = 0; fp && f <= nf; f++)
        rtm_enet_path_free(fp[f]);
    free(ferr);
    free(frc);
    free(fp);
    return rc;
}

/* cv.glmnet's grouped statistics: per-fold mean deviance per cell, their
 * mean weighted by fold size, and its standard error. */
static void cv_curve(rtm_enet_cv *cv, const double *dev, const double *nfold)
{
    int nf = cv->nfolds, nl = cv->path->nlambda;
    double W = 0;
    for (int f = 0; f < nf; f++)
        W += nfold[f];
    for (int l = 0; l < nl; l++) {
        double mean = 0, var = 0;
        for (int f = 0; f < nf; f++)
            mean += nfold[f] * (dev[(size_t)f * (size_t)nl + (size_t)l] / nfold[f]);
        mean /= W;
        for (int f = 0; f < nf; f++) {
            double e = dev[(size_t)f * (size_t)nl + (size_t)l] / nfold[f] - mean;
            var += nfold[f] * e * e;
        }
        cv->cvm[l] = mean;
        cv->cvsd[l] = sqrt(var / W / (nf - 1));
    }
}

/* getOptcv.glmnet: largest lambda at the minimum, largest within 1 SE. */
static void cv_choose(rtm_enet_cv *cv, rtm_enet_rule rule)
{
    int nl = cv->path->nlambda, imin = 0;
    for (int l = 1; l < nl; l++)
        if (cv->cvm[l] < cv->cvm[imin])
            imin = l;
    double lim = cv->cvm[imin] + cv->cvsd[imin];
    int i1se = imin;
    for (int l = 0; l < nl; l++)
        if (cv->cvm[l] <= lim) {
            i1se = l;
            break;
        }
    cv->idx_min = imin;
    cv->idx_1se = i1se;
    cv->lambda_min = cv->path->lambda[imin];
    cv->lambda_1se = cv->path->lambda[i1se];
    cv->idx = rule == RTM_ENET_LAMBDA_1SE ? i1se : imin;
    cv->lambda = cv->path->lambda[cv->idx];
}

static int cv_kept(rtm_enet_cv *cv)
{
    int p = cv->path->p;
    const double *b = cv->path->beta + (size_t)cv->idx * (size_t)p;
    cv->kept = malloc((size_t)(p > 0 ? p : 1) * sizeof *cv->kept);
    if (!cv->kept)
        return -1;
    cv->nkept = 0;
    for (int j = 0; j < p; j++)
        if (b[j] > 0)
            cv->kept[cv->nkept++] = j;
    return 0;
}

static int get_folds(const rtm_design *d, const rtm_enet_opts *o, int *fold, rtm_error *err)
{
    if (!o->foldid)
        return rtm_enet_folds(d->y, d->n, o->nfolds, o->seed, fold, err);
    for (size_t i = 0; i < d->n; i++) {
        if (o->foldid[i] < 0 || o->foldid[i] >= o->nfolds)
            return rtm_error_set(err, RTM_ERR_ARG, "enet: foldid[%zu] = %d out of range [0, %d)",
                                 i, o->foldid[i], o->nfolds);
        fold[i] = o->foldid[i];
    }
    return 0;
}

static int cv_run(const rtm_design *d, const rtm_enet_opts *o, rtm_enet_cv *cv,
                  rtm_error *err)
{
    int nf = o->nfolds, rc;
    if ((rc = get_folds(d, o, cv->foldid, err)))
        return rc;
    /* the fits need the patterns' sums only */
    rtm_patterns *pt = rtm_patterns_build_sums(d, cv->foldid, nf, err);
    if (!pt)
        return err ? err->code : RTM_ERR_INPUT;
    double *nfold = calloc((size_t)nf, sizeof *nfold), *dev = NULL;
    if (!nfold) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
        goto done;
    }
    for (size_t i = 0; i < d->n; i++)
        nfold[cv->foldid[i]] += 1;
    for (int f = 0; f < nf; f++)
        if (nfold[f] == 0) {
            rc = rtm_error_set(err, RTM_ERR_ARG, "enet: fold %d has no cells", f);
            goto done;
        }
    if ((rc = fit_all(pt, o, &cv->path, &dev, err)))
        goto done;
    size_t nl = (size_t)cv->path->nlambda;
    cv->cvm = malloc(nl * sizeof *cv->cvm);
    cv->cvsd = malloc(nl * sizeof *cv->cvsd);
    if (!cv->cvm || !cv->cvsd) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
        goto done;
    }
    cv_curve(cv, dev, nfold);
    cv_choose(cv, o->rule);
    if (cv_kept(cv))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
done:
    free(nfold);
    free(dev);
    rtm_patterns_free(pt);
    return rc;
}

int rtm_enet_cv_fit(const rtm_design *d, const rtm_enet_opts *o, rtm_enet_cv **out,
                    rtm_error *err)
{
    rtm_enet_opts def;
    if (!o) {
        rtm_enet_opts_init(&def);
        o = &def;
    }
    if (rtm_enet_opts_check(o, err))
        return RTM_ERR_ARG;
    /* counts only: the x entries are checked while building the patterns */
    if (!d || d->n == 0 || !d->y)
        return rtm_error_set(err, RTM_ERR_ARG, "enet: empty design");
    for (size_t i = 0; i < d->n; i++)
        if (!isfinite(d->y[i]) || d->y[i] < 0)
            return rtm_error_set(err, RTM_ERR_INPUT, "design: y[%zu] = %g is not a count", i,
                                 d->y[i]);
    rtm_enet_cv *cv = calloc(1, sizeof *cv);
    if (!cv || !(cv->foldid = malloc(d->n * sizeof *cv->foldid))) {
        free(cv);
        return rtm_error_set(err, RTM_ERR_NOMEM, "enet: out of memory");
    }
    cv->nfolds = o->nfolds;
    cv->seed = o->seed;
    cv->n = d->n;
    int rc = cv_run(d, o, cv, err);
    if (rc) {
        rtm_enet_cv_free(cv);
        return rc;
    }
    *out = cv;
    return 0;
}

int rtm_enet_cv_fit_alphas(const rtm_design *d, const rtm_enet_opts *o, const double *alphas,
                           int nalphas, rtm_enet_cv **out, int *best, double *cvmin,
                           rtm_error *err)
{
    if (!alphas || nalphas < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "enet: no alpha to try");
    rtm_enet_opts oa;
    if (o)
        oa = *o;
    else
        rtm_enet_opts_init(&oa);
    rtm_enet_cv *keep = NULL;
    int ibest = -1;
    for (int a = 0; a < nalphas; a++) {
        rtm_enet_cv *cv = NULL;
        oa.alpha = alphas[a];
        int rc = rtm_enet_cv_fit(d, &oa, &cv, err);
        if (rc) {
            rtm_enet_cv_free(keep);
            return rc;
        }
        double m = cv->cvm[cv->idx_min];
        if (cvmin)
            cvmin[a] = m;
        if (!keep || m < keep->cvm[keep->idx_min]) {
            rtm_enet_cv_free(keep);
            keep = cv;
            ibest = a;
        } else {
            rtm_enet_cv_free(cv);
        }
    }
    *out = keep;
    if (best)
        *best = ibest;
    return 0;
}
