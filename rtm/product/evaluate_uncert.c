/* evaluate_uncert.c: how sure the evaluation is - seeded bootstrap
 * intervals on every surface's hit rate and PAI, and paired comparisons of
 * two surfaces at each coverage (bootstrap interval of the difference and
 * McNemar's exact test on the events one captures and the other does not),
 * written to uncertainty.csv, compare.csv and metrics.md (definitions and
 * sources in rtm/evaluate_truth.h). */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
}

/* The per-event values: column i*C + c = the credit of surface i at
 * coverage c of the event's cell; then one column per comparison and
 * coverage: credit of A - credit of B. */
typedef struct uc {
    size_t nev, nq, ns, nc;
    int pa[RTM_EVAL_MAX_SURFACES], pb[RTM_EVAL_MAX_SURFACES]; /* comparisons */
    double *val, *w, *lo, *hi, *est;
} uc;

static void uc_free(uc *u)
{
    free(u->val), free(u->w), free(u->lo), free(u->hi), free(u->est);
}

/* The evaluated cell of each test event (all test events lie in one). */
static int event_cells(const eval_state *s, size_t *cell)
{
    size_t n = 0;
    for (size_t e = 0; e < s->test.n; e++) {
        int i, j;
        if (rtm_grid_locate(&s->grid, s->test.x[e], s->test.y[e], &i, &j))
            continue;
        cell[n] = (size_t)i * (size_t)s->grid.ncols + (size_t)j;
        if (s->mask[cell[n]])
            n++;
    }
    return (int)n;
}

static void find_pairs(const eval_state *s, uc *u)
{
    for (int c = 0; c < s->p->ncompare; c++) {
        const char *spec = s->p->compare[c], *comma = strchr(spec, ',');
        char a[96];
        snprintf(a, sizeof a, "%.*s", (int)(comma - spec), spec);
        u->pa[c] = eval_find_surface(s, a);
        u->pb[c] = eval_find_surface(s, comma + 1);
    }
}

static int fill_values(const eval_state *s, uc *u, const size_t *cell, rtm_error *err)
{
    double *cr = rtm_prod_alloc(s->ncells, "evaluate", err);
    int rc = 0;
    if (!cr)
        return RTM_ERR_NOMEM;
    for (size_t i = 0; i < u->ns && !rc; i++)
        for (size_t c = 0; c < u->nc && !rc; c++) {
            size_t q = i * u->nc + c;
            if ((rc = rtm_eval_credits(s->s[i].v, s->mask, s->ncells, s->cov[c], cr, err)))
                break;
            for (size_t e = 0; e < u->nev; e++)
                u->val[e * u->nq + q] = cr[cell[e]];
        }
    for (int p = 0; p < s->p->ncompare; p++)
        for (size_t c = 0; c < u->nc; c++) {
            size_t q = u->ns * u->nc + (size_t)p * u->nc + c;
            size_t qa = (size_t)u->pa[p] * u->nc + c, qb = (size_t)u->pb[p] * u->nc + c;
            for (size_t e = 0; e < u->nev; e++)
                u->val[e * u->nq + q] = u->val[e * u->nq + qa] - u->val[e * u->nq + qb];
        }
    free(cr);
    return rc;
}

static int uc_build(const eval_state *s, uc *u, rtm_error *err)
{
    size_t *cell = malloc((s->test.n + 1) * sizeof *cell);
    int rc;
    memset(u, 0, sizeof *u);
    if (!cell)
        return oom(err);
    u->nev = (size_t)event_cells(s, cell);
    u->ns = (size_t)s->ns;
    u->nc = (size_t)s->p->ncoverages;
    u->nq = u->ns * u->nc + (size_t)s->p->ncompare * u->nc;
    find_pairs(s, u);
    u->val = malloc((u->nev + 1) * u->nq * sizeof *u->val);
    u->w = malloc((u->nev + 1) * sizeof *u->w);
    u->lo = malloc(u->nq * 3 * sizeof *u->lo);
    u->hi = malloc(u->nq * sizeof *u->hi);
    u->est = malloc(u->nq * sizeof *u->est);
    if (!u->val || !u->w || !u->lo || !u->hi || !u->est) {
        free(cell);
        return oom(err);
    }
    for (size_t e = 0, k = 0; e < s->test.n && k < u->nev; e++) {
        int i, j;
        if (!rtm_grid_locate(&s->grid, s->test.x[e], s->test.y[e], &i, &j) &&
            s->mask[(size_t)i * (size_t)s->grid.ncols + (size_t)j])
            u->w[k++] = s->test.w ? s->test.w[e] : 1.0;
    }
    rc = fill_values(s, u, cell, err);
    free(cell);
    return rc;
}

/* Point estimates (the weighted means: the hit rates of metrics.csv). */
static void estimates(uc *u)
{
    double W = 0;
    for (size_t e = 0; e < u->nev; e++)
        W += u->w[e];
    for (size_t q = 0; q < u->nq; q++) {
        double sum = 0;
        for (size_t e = 0; e < u->nev; e++)
            sum += u->w[e] * u->val[e * u->nq + q];
        u->est[q] = W > 0 ? sum / W : NAN;
    }
}

/* Weighted events captured by A and not B (sign 1) or B and not A (-1). */
static double discordant(const uc *u, size_t q, int sign)
{
    double sum = 0;
    for (size_t e = 0; e < u->nev; e++) {
        double d = sign * u->val[e * u->nq + q];
        sum += d > 0 ? u->w[e] * d : 0;
    }
    return sum;
}

static void write_unc_csv(const eval_state *s, const uc *u, const rtm_boot_opts *o, FILE *f)
{
    fputs("surface,coverage_pct,coverage,hit_rate,hit_rate_lo,hit_rate_hi,pai,pai_lo,pai_hi,"
          "level,replicates,seed,resampled\n", f);
    for (size_t i = 0; i < u->ns; i++)
        for (size_t c = 0; c < u->nc; c++) {
            size_t q = i * u->nc + c;
            double a = s->cov[c];
            eval_csv_str(f, s->s[i].name);
            fprintf(f, ",%.10g,", eval_cov_pct(s, (int)c));
            eval_csv_str(f, s->covlab[c]);
            eval_csv_num(f, u->est[q]);
            eval_csv_num(f, u->lo[q]);
            eval_csv_num(f, u->hi[q]);
            eval_csv_num(f, u->est[q] / a);
            eval_csv_num(f, u->lo[q] / a);
            eval_csv_num(f, u->hi[q] / a);
            fprintf(f, ",%g,%d,%llu,test events\n", o->level, o->replicates,
                    (unsigned long long)o->seed);
        }
}

static void write_cmp_csv(const eval_state *s, const uc *u, const rtm_boot_opts *o,
                          const double *below, FILE *f)
{
    fputs("surface_a,surface_b,coverage_pct,coverage,hit_rate_a,hit_rate_b,difference,"
          "difference_lo,difference_hi,pai_difference,pai_difference_lo,pai_difference_hi,"
          "p_bootstrap,events_a_only,events_b_only,p_mcnemar,level,replicates,seed\n", f);
    for (int p = 0; p < s->p->ncompare; p++)
        for (size_t c = 0; c < u->nc; c++) {
            size_t q = u->ns * u->nc + (size_t)p * u->nc + c;
            double a = s->cov[c], b = discordant(u, q, 1), d = discordant(u, q, -1);
            eval_csv_str(f, s->s[u->pa[p]].name);
            fputc(',', f);
            eval_csv_str(f, s->s[u->pb[p]].name);
            fprintf(f, ",%.10g,", eval_cov_pct(s, (int)c));
            eval_csv_str(f, s->covlab[c]);
            eval_csv_num(f, u->est[(size_t)u->pa[p] * u->nc + c]);
            eval_csv_num(f, u->est[(size_t)u->pb[p] * u->nc + c]);
            eval_csv_num(f, u->est[q]);
            eval_csv_num(f, u->lo[q]);
            eval_csv_num(f, u->hi[q]);
            eval_csv_num(f, u->est[q] / a);
            eval_csv_num(f, u->lo[q] / a);
            eval_csv_num(f, u->hi[q] / a);
            eval_csv_num(f, below[q]);
            eval_csv_num(f, b);
            eval_csv_num(f, d);
            eval_csv_num(f, rtm_mcnemar_exact(b, d));
            fprintf(f, ",%g,%d,%llu\n", o->level, o->replicates, (unsigned long long)o->seed);
        }
}

static void write_md(const eval_state *s, const uc *u, const rtm_boot_opts *o,
                     const double *below, FILE *f)
{
    char ct[64];
    fprintf(f, "\n## Uncertainty\n\nIntervals: %g %% percentile bootstrap over the %zu test "
            "events, resampled with replacement (%d replicates, seed %llu; Efron & Tibshirani "
            "1993). They show how much the figures move with the luck of which events fell "
            "where; events repeated at one place are not independent, so they are if "
            "anything too narrow.\n", o->level * 100, u->nev, o->replicates,
            (unsigned long long)o->seed);
    if (s->p->bootstrap) {
        fputs("\n| Coverage | Surface | Hit rate | PAI (interval) |\n|---:|---|---:|---:|\n", f);
        for (size_t c = 0; c < u->nc; c++)
            for (size_t i = 0; i < u->ns; i++) {
                size_t q = i * u->nc + c;
                fprintf(f, "| %s | %s | %.1f %% | %.2f (%.2f to %.2f) |\n",
                        eval_cov_text(s, (int)c, ct, sizeof ct), s->s[i].name, u->est[q] * 100,
                        u->est[q] / s->cov[c], u->lo[q] / s->cov[c], u->hi[q] / s->cov[c]);
            }
    }
    if (!s->p->ncompare)
        return;
    fputs("\n### Is A better than B?\n\nPaired on the same events: the difference of hit "
          "rates A - B with its bootstrap interval, and McNemar's exact test (McNemar 1947) "
          "on the events one surface captures and the other does not.\n\n| Coverage | A | B | "
          "Hit rate A - B (interval) | Events A only / B only | p (McNemar) |\n"
          "|---:|---|---|---:|---:|---:|\n", f);
    for (int p = 0; p < s->p->ncompare; p++)
        for (size_t c = 0; c < u->nc; c++) {
            size_t q = u->ns * u->nc + (size_t)p * u->nc + c;
            double b = discordant(u, q, 1), d = discordant(u, q, -1);
            fprintf(f, "| %s | %s | %s | %+.1f %% (%+.1f to %+.1f) | %.4g / %.4g | %.3g |\n",
                    eval_cov_text(s, (int)c, ct, sizeof ct), s->s[u->pa[p]].name,
                    s->s[u->pb[p]].name, u->est[q] * 100, u->lo[q] * 100, u->hi[q] * 100, b, d,
                    rtm_mcnemar_exact(b, d));
        }
    (void)below;
}

static int write_files(eval_state *s, const uc *u, const rtm_boot_opts *o, const double *below,
                       rtm_error *err)
{
    char *b1 = NULL, *b2 = NULL, *b3 = NULL;
    size_t l1 = 0, l2 = 0, l3 = 0;
    FILE *f1 = open_memstream(&b1, &l1), *f2 = open_memstream(&b2, &l2),
         *f3 = open_memstream(&b3, &l3);
    int rc = 0;
    if (!f1 || !f2 || !f3)
        rc = oom(err);
    if (!rc) {
        write_unc_csv(s, u, o, f1);
        write_cmp_csv(s, u, o, below, f2);
        write_md(s, u, o, below, f3);
    }
    if (f1)
        fclose(f1);
    if (f2)
        fclose(f2);
    if (f3)
        fclose(f3);
    if (!rc && s->p->bootstrap)
        rc = eval_write_text(s, "uncertainty.csv", b1, l1, err), b1 = NULL;
    if (!rc && s->p->ncompare)
        rc = eval_write_text(s, "compare.csv", b2, l2, err), b2 = NULL;
    if (!rc)
        rc = eval_md_append(s, b3, l3, err);
    free(b1), free(b2), free(b3);
    return rc;
}

int eval_write_uncertainty(eval_state *s, rtm_error *err)
{
    rtm_boot_opts o;
    uc u;
    int rc;
    rtm_boot_opts_init(&o);
    o.replicates = s->p->bootstrap ? s->p->bootstrap : 1000; /* comparisons need one */
    o.seed = s->p->seed;
    o.threads = s->env ? s->env->threads : 0;
    if (!(rc = uc_build(s, &u, err))) {
        double *below = u.lo + u.nq; /* nq more (lo has 3 nq) */
        estimates(&u);
        if (!(rc = rtm_boot_means(u.val, u.w, u.nev, u.nq, &o, u.lo, u.hi, NULL, below, err)))
            rc = write_files(s, &u, &o, below, err);
    }
    uc_free(&u);
    return rc;
}
