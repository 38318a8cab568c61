/* stepwise.c: bidirectional stepwise BIC selection with the RTM entry rules
 * (see rtm/glm.h; rtm-method.md "Model selection" 2 and 3).
 *
 * BIC = -2 loglik + df log(n) (Schwarz 1978, "Estimating the dimension of a
 * model", Ann. Statist. 6:461-464), df counting the intercept and, for NB, the
 * dispersion parameter, as R's BIC() on glm and MASS::glm.nb fits.
 * The candidate columns are aggregated once (rtm_glm_data); each model tried
 * re-aggregates that to its own columns, so a fit never touches the cells.
 */
#include "rtm/glm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_stepwise_opts_init(rtm_stepwise_opts *o)
{
    memset(o, 0, sizeof *o);
    o->try_poisson = 1;
    o->try_nb = 1;
    o->nb_family = RTM_FAMILY_NBII;
    o->one_per_factor = 1;
    o->positive_only = 1;
    o->check_p = 1;
    o->p_max = 0.05;
    o->rules_all_terms = 1;
    o->max_steps = 200;
    rtm_glm_opts_init(&o->glm);
}

void rtm_stepwise_free(rtm_stepwise_result *r)
{
    if (!r)
        return;
    free(r->cols);
    free(r->log);
    rtm_glm_fit_free(&r->fit);
    memset(r, 0, sizeof *r);
}

/* Search state: candidates sorted by design column, aggregated once. */
typedef struct {
    const rtm_glm_data *base; /* columns = sorted candidates */
    const int *fac;           /* factor id per candidate position */
    const rtm_stepwise_opts *o;
    int m;
} search_ctx;

/* One proposed model: the current one with position j toggled. */
typedef struct {
    int rc;           /* 0 fitted and admissible, RTM_ERR_MODEL skipped, else fatal */
    double bic;
    rtm_glm_fit fit;
    rtm_error err;
} move_eval;

/* Sign and p rules on term t of fit f. */
static int term_ok(const rtm_stepwise_opts *o, const rtm_glm_fit *f, int t)
{
    if (o->positive_only && !(f->beta[t] > 0))
        return 0;
    if (o->check_p && !(f->p[t] <= o->p_max))
        return 0;
    return 1;
}

/* Rules on a proposed fit; enter = the entering column's index in the fit or -1. */
static int fit_ok(const rtm_stepwise_opts *o, const rtm_glm_fit *f, int enter)
{
    for (int t = 0; t < f->k; t++)
        if ((o->rules_all_terms || t == enter) && !term_ok(o, f, t))
            return 0;
    return 1;
}

/* Factor rule: may position j enter the model `in`? */
static int factor_free(const search_ctx *c, const unsigned char *in, int j)
{
    if (!c->o->one_per_factor)
        return 1;
    for (int i = 0; i < c->m; i++)
        if (in[i] && c->fac[i] == c->fac[j])
            return 0;
    return 1;
}

/* Fit the model `in` with position j toggled (j = -1: `in` itself). */
static void eval_move(const search_ctx *c, rtm_family fam, const unsigned char *in, int j,
                      int *sub, move_eval *mv)
{
    int k = 0, enter = -1;
    for (int i = 0; i < c->m; i++)
        if ((i == j) != (in[i] != 0)) {
            if (i == j)
                enter = k;
            sub[k++] = i;
        }
    mv->bic = INFINITY;
    rtm_glm_data *g = rtm_glm_data_subset(c->base, sub, k, &mv->err);
    if (!g) {
        mv->rc = mv->err.code;
        return;
    }
    mv->rc = rtm_glm_fit_data(g, fam, &c->o->glm, &mv->fit, &mv->err);
    rtm_glm_data_free(g);
    if (mv->rc)
        return;
    if (j >= 0 && !fit_ok(c->o, &mv->fit, enter)) {
        rtm_glm_fit_free(&mv->fit);
        mv->rc = RTM_ERR_MODEL;
        return;
    }
    mv->bic = mv->fit.bic;
}

/* Evaluate every move from `in` (in parallel; each move has its own slot). */
static int eval_moves(const search_ctx *c, rtm_family fam, const unsigned char *in,
                      move_eval *mv, rtm_error *err)
{
    int m = c->m, fatal = -1;
#pragma omp parallel
    {
        int *sub = malloc((size_t)(m > 0 ? m : 1) * sizeof *sub);
#pragma omp for schedule(static)
        for (int j = 0; j < m; j++) {
            memset(&mv[j], 0, sizeof mv[j]);
            mv[j].bic = INFINITY;
            mv[j].rc = RTM_ERR_MODEL;
            if (!in[j] && !factor_free(c, in, j))
                continue;
            if (!sub) {
                mv[j].rc = rtm_error_set(&mv[j].err, RTM_ERR_NOMEM, "stepwise: out of memory");
                continue;
            }
            eval_move(c, fam, in, j, sub, &mv[j]);
        }
        free(sub);
    }
    for (int j = 0; j < m; j++)  /* fixed order: the lowest failing column reports */
        if (mv[j].rc && mv[j].rc != RTM_ERR_MODEL && fatal < 0)
            fatal = j;
    if (fatal >= 0) {
        if (err)
            *err = mv[fatal].err;
        for (int j = 0; j < m; j++)
            rtm_glm_fit_free(&mv[j].fit);
        return mv[fatal].rc;
    }
    return 0;
}

static int log_step(rtm_stepwise_result *r, int *cap, rtm_family fam, rtm_step_action a,
                    int col, int k, double bic)
{
    if (r->nlog == *cap) {
        int nc = *cap ? 2 * *cap : 32;
        rtm_step_entry *l = realloc(r->log, (size_t)nc * sizeof *l);
        if (!l)
            return -1;
        r->log = l;
        *cap = nc;
    }
    r->log[r->nlog++] = (rtm_step_entry){fam, a, col, k, bic};
    return 0;
}

/* Lowest-BIC move, ties to the lowest column; -1 when none beats cur. */
static int best_move(const move_eval *mv, int m, double cur)
{
    int best = -1;
    double b = cur - 1e-9 * fmax(1, fabs(cur));
    for (int j = 0; j < m; j++)
        if (mv[j].rc == 0 && mv[j].bic < b) {
            b = mv[j].bic - 1e-9 * fmax(1, fabs(mv[j].bic));
            best = j;
        }
    return best;
}

/* The search under one family; *fit receives the final model. */
static int search(const search_ctx *c, rtm_family fam, int fam_idx, int nfam,
                  rtm_stepwise_result *r, int *cap, unsigned char *in, rtm_glm_fit *fit,
                  rtm_error *err)
{
    int m = c->m, k = 0, rc = 0;
    move_eval start, *mv = calloc((size_t)(m > 0 ? m : 1), sizeof *mv);
    int *sub = malloc((size_t)(m > 0 ? m : 1) * sizeof *sub);
    if (!mv || !sub) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "stepwise: out of memory");
        goto done;
    }
    memset(in, 0, (size_t)(m > 0 ? m : 1));
    memset(&start, 0, sizeof start);
    eval_move(c, fam, in, -1, sub, &start);
    if (start.rc) {
        rc = start.rc;
        if (err)
            *err = start.err;
        goto done;
    }
    *fit = start.fit;
    if (log_step(r, cap, fam, RTM_STEP_START, -1, 0, fit->bic))
        goto nomem;
    for (int step = 0; step < c->o->max_steps; step++) {
        if ((rc = eval_moves(c, fam, in, mv, err)))
            goto done;
        int j = best_move(mv, m, fit->bic);
        for (int i = 0; i < m; i++)
            if (i != j)
                rtm_glm_fit_free(&mv[i].fit);
        if (j < 0)
            break;
        rtm_glm_fit_free(fit);
        *fit = mv[j].fit;
        in[j] = !in[j];
        k += in[j] ? 1 : -1;
        if (log_step(r, cap, fam, in[j] ? RTM_STEP_ADD : RTM_STEP_DROP,
                     rtm_glm_data_col(c->base, j), k, fit->bic))
            goto nomem;
        if (c->o->progress &&
            !c->o->progress((fam_idx + fmin(1, (step + 1.0) / (m + 1))) / nfam,
                            "stepwise", c->o->progress_arg)) {
            rc = rtm_error_set(err, RTM_ERR_CANCEL, "stepwise: cancelled");
            goto done;
        }
    }
    goto done;
nomem:
    rc = rtm_error_set(err, RTM_ERR_NOMEM, "stepwise: out of memory");
done:
    if (rc)
        rtm_glm_fit_free(fit);
    free(mv);
    free(sub);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int u = *(const int *)a, v = *(const int *)b;
    return (u > v) - (u < v);
}

static int check_args(const rtm_design *d, const int *cand, int ncand, rtm_error *err)
{
    int rc = rtm_design_check(d, err);
    if (rc)
        return rc;
    if (ncand < 0 || (ncand > 0 && !cand))
        return rtm_error_set(err, RTM_ERR_ARG, "stepwise: bad candidate list (%d columns)",
                             ncand);
    for (int j = 0; j < ncand; j++)
        if (cand[j] < 0 || cand[j] >= d->p)
            return rtm_error_set(err, RTM_ERR_ARG,
                                 "stepwise: candidate column %d out of range [0, %d)", cand[j],
                                 d->p);
    return 0;
}

/* Copy the winner into r. */
static int take_winner(rtm_stepwise_result *r, rtm_glm_fit *fit)
{
    r->family = fit->family;
    r->k = fit->k;
    r->cols = malloc((size_t)(fit->k > 0 ? fit->k : 1) * sizeof *r->cols);
    if (!r->cols)
        return -1;
    memcpy(r->cols, fit->cols, (size_t)fit->k * sizeof *r->cols);
    r->fit = *fit;
    memset(fit, 0, sizeof *fit);
    return 0;
}

/* Run the families and pick the winner. */
static int run_families(const search_ctx *c, rtm_stepwise_result *r, rtm_error *err)
{
    const rtm_stepwise_opts *o = c->o;
    rtm_family fams[2] = {RTM_FAMILY_POISSON, o->nb_family};
    int use[2] = {o->try_poisson, o->try_nb}, nfam = use[0] + use[1], idx = 0, cap = 0, rc = 0;
    char *msgs[2] = {r->poisson_msg, r->nb_msg};
    double *bics[2] = {&r->bic_poisson, &r->bic_nb};
    rtm_glm_fit fits[2];
    unsigned char *in = malloc((size_t)(c->m > 0 ? c->m : 1));
    memset(fits, 0, sizeof fits);
    if (!in)
        return rtm_error_set(err, RTM_ERR_NOMEM, "stepwise: out of memory");
    for (int f = 0; f < 2 && !rc; f++) {
        if (!use[f])
            continue;
        rtm_error e = {0, ""};
        int frc = search(c, fams[f], idx++, nfam, r, &cap, in, &fits[f], &e);
        if (frc == RTM_ERR_MODEL) {
            snprintf(msgs[f], RTM_ERRMSG_MAX, "%s", e.msg);
        } else if (frc) {
            rc = frc;
            if (err)
                *err = e;
        } else {
            *bics[f] = fits[f].bic;
        }
    }
    if (!rc) {
        int w = !isnan(r->bic_poisson) ? 0 : -1;
        if (!isnan(r->bic_nb) && (w < 0 || r->bic_nb < r->bic_poisson))
            w = 1;
        if (w < 0)
            rc = rtm_error_set(err, RTM_ERR_MODEL, "stepwise: no model could be fitted: %s%s%s",
                               r->poisson_msg, *r->poisson_msg && *r->nb_msg ? "; " : "",
                               r->nb_msg);
        else if (take_winner(r, &fits[w]))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "stepwise: out of memory");
    }
    rtm_glm_fit_free(&fits[0]);
    rtm_glm_fit_free(&fits[1]);
    free(in);
    return rc;
}

int rtm_stepwise(const rtm_design *d, const int *cand, int ncand, const int *factor,
                 const rtm_stepwise_opts *o, rtm_stepwise_result *out, rtm_error *err)
{
    rtm_stepwise_opts def;
    rtm_stepwise_result r;
    int rc = check_args(d, cand, ncand, err);
    if (rc)
        return rc;
    if (!o) {
        rtm_stepwise_opts_init(&def);
        o = &def;
    }
    if (!o->try_poisson && !o->try_nb)
        return rtm_error_set(err, RTM_ERR_ARG, "stepwise: no family to try");
    if (o->nb_family != RTM_FAMILY_NB2 && o->nb_family != RTM_FAMILY_NBII)
        return rtm_error_set(err, RTM_ERR_ARG, "stepwise: nb_family must be nb2 or nbii");
    int *sorted = malloc((size_t)(ncand > 0 ? ncand : 1) * sizeof *sorted);
    int *fac = malloc((size_t)(ncand > 0 ? ncand : 1) * sizeof *fac);
    if (!sorted || !fac) {
        free(sorted);
        free(fac);
        return rtm_error_set(err, RTM_ERR_NOMEM, "stepwise: out of memory");
    }
    if (ncand > 0)
        memcpy(sorted, cand, (size_t)ncand * sizeof *sorted);
    qsort(sorted, (size_t)ncand, sizeof *sorted, cmp_int);
    for (int j = 0; j < ncand; j++)
        fac[j] = factor ? factor[sorted[j]] : sorted[j];
    memset(&r, 0, sizeof r);
    r.bic_poisson = r.bic_nb = NAN;
    rtm_glm_data *base = rtm_glm_data_build(d, sorted, ncand, err);
    if (!base) {
        rc = err ? err->code : RTM_ERR_ARG;
    } else {
        search_ctx c = {base, fac, o, ncand};
        rc = run_families(&c, &r, err);
    }
    rtm_glm_data_free(base);
    free(sorted);
    free(fac);
    if (rc)
        rtm_stepwise_free(&r);
    else
        *out = r;
    return rc;
}
