/* evaluate_btout.c: what the back-test adds besides its tables - the PAI
 * per step as charts (backtest_pai_<coverage>.png: one line per surface),
 * and its uncertainty: a bootstrap over the STEPS (test months resampled
 * with replacement) of each surface's mean PAI, and paired comparisons of
 * two surfaces step by step (bootstrap interval of the mean difference and
 * the sign test on the steps where one beats the other). */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
}

/* The coverages charted: those of 1, 5 and 20 %, else the first. */
static int chart_coverages(const eval_state *s, int *cov)
{
    int n = 0;
    for (int c = 0; c < s->p->ncoverages; c++) {
        double pct = eval_cov_pct(s, c);
        if (s->p->coverage_units[c] == RTM_COVER_PERCENT && (pct == 1 || pct == 5 || pct == 20))
            cov[n++] = c;
    }
    if (n == 0)
        cov[n++] = 0;
    return n;
}

static int bt_chart(const eval_state *s, const bt_step *b, size_t n, int c, double *x,
                    double *y, rtm_error *err)
{
    char name[80], title[160], xl[120], m1[16], m2[16], ct[64];
    rtm_chart_series ser[8];
    int ns = s->ns < 8 ? s->ns : 8, rc;
    const char *path;
    char *fn;
    for (size_t t = 0; t < n; t++)
        x[t] = (double)(t + 1);
    for (int i = 0; i < ns; i++) {
        for (size_t t = 0; t < n; t++)
            y[(size_t)i * n + t] = b[t].r[i].m[c].pai;
        ser[i] = (rtm_chart_series){s->s[i].name, x, y + (size_t)i * n, n};
    }
    snprintf(name, sizeof name, "backtest_pai_%s.png", s->covlab[c]);
    snprintf(title, sizeof title, "Back-test: PAI at %s of the area, month by month",
             eval_cov_text(s, c, ct, sizeof ct));
    snprintf(m1, sizeof m1, "%04d-%02d", b[0].st.test_month / 100, b[0].st.test_month % 100);
    snprintf(m2, sizeof m2, "%04d-%02d", b[n - 1].st.test_month / 100,
             b[n - 1].st.test_month % 100);
    snprintf(xl, sizeof xl, "step (test month %s to %s)", m1, m2);
    if (!(fn = rtm_prod_join(s->p->dir, name)))
        return oom(err);
    path = rtm_outset_file(s->out, fn, err);
    rc = !path ? (err ? err->code : RTM_ERR_ARG)
               : rtm_chart_png_write(path, title, xl, "PAI = hit rate / area share", ser, ns,
                                     err);
    free(fn);
    return rc;
}

int eval_bt_charts(const eval_state *s, const bt_step *b, size_t n, rtm_error *err)
{
    int cov[RTM_EVAL_MAX_COVERAGES], nc = chart_coverages(s, cov), rc = 0;
    double *x = malloc((n + 1) * sizeof *x), *y = malloc(8 * (n + 1) * sizeof *y);
    if (!x || !y) {
        free(x), free(y);
        return oom(err);
    }
    if (s->ns > 8)
        rtm_prod_log(s->env, "back-test charts show the first 8 of %d surfaces", s->ns);
    for (int k = 0; k < nc && !rc; k++)
        rc = bt_chart(s, b, n, cov[k], x, y, err);
    free(x), free(y);
    return rc;
}

/* ---- uncertainty over the steps ------------------------------------------- */

/* Steps where every surface's PAI is defined (a month without test events
 * has none) into use[]; returns their number. */
static size_t usable_steps(const eval_state *s, const bt_step *b, size_t n, size_t *use)
{
    size_t m = 0;
    for (size_t t = 0; t < n; t++) {
        int ok = 1;
        for (int i = 0; i < s->ns && ok; i++)
            for (int c = 0; c < s->p->ncoverages && ok; c++)
                ok = isfinite(b[t].r[i].m[c].pai);
        if (ok)
            use[m++] = t;
    }
    return m;
}

/* Pair p's surfaces a, b (names checked by the product's check). */
static void pair(const eval_state *s, int p, int *a, int *b)
{
    const char *spec = s->p->compare[p], *comma = strchr(spec, ',');
    char an[96];
    snprintf(an, sizeof an, "%.*s", (int)(comma - spec), spec);
    *a = eval_find_surface(s, an);
    *b = eval_find_surface(s, comma + 1);
}

/* val[step][q]: PAI of surface i at coverage c (q = i C + c), then the
 * difference A - B of each comparison at each coverage. */
static void fill(const eval_state *s, const bt_step *b, const size_t *use, size_t m, size_t nq,
                 double *val)
{
    size_t C = (size_t)s->p->ncoverages, S = (size_t)s->ns;
    for (size_t k = 0; k < m; k++) {
        const bt_step *st = &b[use[k]];
        double *v = val + k * nq;
        for (size_t i = 0; i < S; i++)
            for (size_t c = 0; c < C; c++)
                v[i * C + c] = st->r[i].m[c].pai;
        for (int p = 0; p < s->p->ncompare; p++) {
            int ia, ib;
            pair(s, p, &ia, &ib);
            for (size_t c = 0; c < C; c++)
                v[S * C + (size_t)p * C + c] = v[(size_t)ia * C + c] - v[(size_t)ib * C + c];
        }
    }
}

static void bt_unc_csv(const eval_state *s, FILE *f, const double *val, size_t m, size_t nq,
                       const double *lo, const double *hi, const rtm_boot_opts *o)
{
    size_t C = (size_t)s->p->ncoverages, S = (size_t)s->ns;
    fputs("surface,compared_with,coverage_pct,coverage,mean_pai,mean_pai_lo,mean_pai_hi,"
          "steps,steps_better,steps_worse,p_sign_test,level,replicates,seed,resampled\n", f);
    for (size_t q = 0; q < nq; q++) {
        size_t c = q % C, i = q / C;
        int pa = -1, pb = -1, better = 0, worse = 0;
        double mean = 0;
        for (size_t k = 0; k < m; k++) {
            mean += val[k * nq + q] / (double)m;
            better += val[k * nq + q] > 0;
            worse += val[k * nq + q] < 0;
        }
        if (i >= S)
            pair(s, (int)(i - S), &pa, &pb);
        eval_csv_str(f, s->s[i < S ? i : (size_t)pa].name);
        fputc(',', f);
        if (i >= S)
            eval_csv_str(f, s->s[pb].name);
        fprintf(f, ",%.10g,", eval_cov_pct(s, (int)c));
        eval_csv_str(f, s->covlab[c]);
        eval_csv_num(f, mean);
        eval_csv_num(f, lo[q]);
        eval_csv_num(f, hi[q]);
        fprintf(f, ",%zu", m);
        if (i >= S) /* sign test: McNemar's exact form on the steps (ties dropped) */
            fprintf(f, ",%d,%d,%.6g", better, worse, rtm_mcnemar_exact(better, worse));
        else
            fputs(",,,", f);
        fprintf(f, ",%g,%d,%llu,steps\n", o->level, o->replicates, (unsigned long long)o->seed);
    }
}

static int bt_unc_write(eval_state *s, const double *val, size_t m, size_t nq, const double *lo,
                        const double *hi, const rtm_boot_opts *o, rtm_error *err)
{
    char *buf = NULL, *md = NULL;
    size_t len = 0, mdlen = 0;
    FILE *f = open_memstream(&buf, &len), *g = open_memstream(&md, &mdlen);
    int rc;
    if (!f || !g) {
        if (f)
            fclose(f), free(buf);
        if (g)
            fclose(g), free(md);
        return oom(err);
    }
    bt_unc_csv(s, f, val, m, nq, lo, hi, o);
    fprintf(g, "\n## Uncertainty over the steps\n\nuncertainty.csv: each surface's mean PAI "
            "with a %g %% percentile bootstrap interval over the %zu test months (resampled "
            "with replacement; %d replicates, seed %llu; Efron & Tibshirani 1993)%s. With few "
            "steps the interval is rough: read it as a range, not a test.\n", o->level * 100,
            m, o->replicates, (unsigned long long)o->seed,
            s->p->ncompare ? "; for each comparison A,B the mean PAI difference A - B, its "
            "interval, the steps where A beat B and where B beat A, and the two-sided sign test "
            "on them (exact binomial, as McNemar 1947)" : "");
    fclose(f), fclose(g);
    rc = eval_write_text(s, "uncertainty.csv", buf, len, err);
    if (!rc)
        rc = eval_md_append(s, md, mdlen, err);
    free(md);
    return rc;
}

int eval_bt_uncertainty(eval_state *s, const bt_step *b, size_t n, rtm_error *err)
{
    size_t C = (size_t)s->p->ncoverages, nq = ((size_t)s->ns + (size_t)s->p->ncompare) * C, m;
    size_t *use = malloc((n + 1) * sizeof *use);
    double *val = malloc((n + 1) * nq * sizeof *val), *lo = malloc(nq * sizeof *lo),
           *hi = malloc(nq * sizeof *hi);
    rtm_boot_opts o;
    int rc = 0;
    rtm_boot_opts_init(&o);
    o.replicates = s->p->bootstrap ? s->p->bootstrap : 1000;
    o.seed = s->p->seed;
    o.threads = s->env ? s->env->threads : 0;
    if (!use || !val || !lo || !hi)
        rc = oom(err);
    else if ((m = usable_steps(s, b, n, use)) < 2)
        eval_warn(s, "no uncertainty over the steps: fewer than 2 steps with test events");
    else {
        fill(s, b, use, m, nq, val);
        if (!(rc = rtm_boot_means(val, NULL, m, nq, &o, lo, hi, NULL, NULL, err)))
            rc = bt_unc_write(s, val, m, nq, lo, hi, &o, err);
    }
    free(use), free(val), free(lo), free(hi);
    return rc;
}
