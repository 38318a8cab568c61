/* evaluate_write.c: the evaluation's files - metrics.csv, curves.csv,
 * concentration.csv, metrics.md, hitrate.png and pai.png - written into the
 * output set under the product's folder, and the text helpers the
 * back-test's files share. */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
}

/* Register DIR/name in the output set and write the text there; frees buf. */
int eval_write_text(const eval_state *s, const char *name, char *buf, size_t len,
                    rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, name);
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc = !fn ? oom(err) : !path ? (err ? err->code : RTM_ERR_ARG)
                            : rtm_atomic_write_text(path, buf ? buf : "", buf ? len : 0, err);
    free(fn);
    free(buf);
    return rc;
}

/* A number for tables: "n/a" for NaN. */
const char *eval_num(char *buf, size_t sz, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, sz, "n/a");
    else
        snprintf(buf, sz, fmt, v);
    return buf;
}

void eval_csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

/* CSV field with quotes when needed. */
void eval_csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

double eval_cov_pct(const eval_state *s, int c)
{
    return s->p->coverage_units[c] == RTM_COVER_PERCENT ? s->p->coverages[c] : s->cov[c] * 100;
}

const char *eval_cov_text(const eval_state *s, int c, char *buf, size_t n)
{
    static const char *const unit[] = {" %", " km²", " cells", " ha"};
    int u = s->p->coverage_units[c];
    if (u == RTM_COVER_PERCENT)
        snprintf(buf, n, "%g %%", s->p->coverages[c]);
    else
        snprintf(buf, n, "%g%s (%.3g %%)", s->p->coverages[c], unit[u], s->cov[c] * 100);
    return buf;
}

static double cell_km2(const eval_state *s)
{
    double mpu = rtm_crs_metres_per_unit(s->dst_crs);
    if (!(mpu > 0))
        mpu = 1;
    return s->grid.res * s->grid.res * mpu * mpu / 1e6;
}

static int write_metrics_csv(const eval_state *s, const eval_surf_result *r, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    double km2 = cell_km2(s);
    if (!f)
        return oom(err);
    fputs("surface,source,coverage_pct,cells,area_km2,events,test_events,hit_rate,pai,"
          "best_events,pei,rri,threshold,auc,tied_cells,coverage\n", f);
    for (int i = 0; i < s->ns; i++)
        for (size_t c = 0; c < (size_t)s->p->ncoverages; c++) {
            const rtm_eval_metrics *m = &r[i].m[c];
            eval_csv_str(f, s->s[i].name);
            fputc(',', f);
            eval_csv_str(f, s->s[i].source);
            fprintf(f, ",%.10g", eval_cov_pct(s, (int)c));
            eval_csv_num(f, m->cells);
            eval_csv_num(f, m->cells * km2);
            eval_csv_num(f, m->events);
            eval_csv_num(f, s->total);
            eval_csv_num(f, m->hit_rate);
            eval_csv_num(f, m->pai);
            eval_csv_num(f, m->best_events);
            eval_csv_num(f, m->pei);
            eval_csv_num(f, m->rri);
            eval_csv_num(f, m->threshold);
            eval_csv_num(f, r[i].auc);
            eval_csv_num(f, r[i].tied[c]);
            fputc(',', f);
            eval_csv_str(f, s->covlab[c]);
            fputc('\n', f);
        }
    fclose(f);
    return eval_write_text(s, "metrics.csv", buf, len, err);
}

static int write_curves_csv(const eval_state *s, const eval_surf_result *r, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("surface,coverage_pct,hit_rate,pai,pei,best_hit_rate\n", f);
    for (int i = 0; i < s->ns; i++)
        for (size_t k = 0; k < EVAL_NSAMPLES; k++) {
            const rtm_eval_metrics *m = &r[i].curve[k];
            eval_csv_str(f, s->s[i].name);
            fprintf(f, ",%.10g", m->coverage * 100);
            eval_csv_num(f, m->hit_rate);
            eval_csv_num(f, m->pai);
            eval_csv_num(f, m->pei);
            eval_csv_num(f, s->total > 0 ? m->best_events / s->total : NAN);
            fputc('\n', f);
        }
    fclose(f);
    return eval_write_text(s, "curves.csv", buf, len, err);
}

static int write_conc_csv(const eval_state *s, const eval_conc *cc, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("measure,value\n", f);
    for (size_t c = 0; c < (size_t)s->p->ncoverages; c++) {
        fprintf(f, "share_of_events_in_top_%g_pct_of_cells", eval_cov_pct(s, (int)c));
        eval_csv_num(f, cc->top[c]);
        fputc('\n', f);
    }
    for (int k = 0; k < 3; k++) {
        fprintf(f, "area_share_holding_%g_pct_of_events", EVAL_CONC_SHARES[k] * 100);
        eval_csv_num(f, cc->area_for[k]);
        fputc('\n', f);
    }
    fputs("gini", f);
    eval_csv_num(f, cc->gini.gini);
    fputs("\ngini_unbiased", f);
    eval_csv_num(f, cc->gini.gini_unbiased);
    fputs("\ngini_generalized", f);
    eval_csv_num(f, cc->gini.gini_generalized);
    fputs("\ncells", f);
    eval_csv_num(f, cc->gini.n);
    fputs("\nevents", f);
    eval_csv_num(f, cc->gini.total);
    fputc('\n', f);
    fclose(f);
    return eval_write_text(s, "concentration.csv", buf, len, err);
}

static void md_header(FILE *f, const eval_state *s, double n_test)
{
    const rtm_events_opts *o = &s->p->test;
    const char *where = o->nsources > 0 ? o->sources[0].where : NULL;
    fprintf(f, "- Grid: %d x %d cells of %g (%s); evaluated area A = %.0f cells (%.4g km²)\n",
            s->grid.ncols, s->grid.nrows, s->grid.res, s->dst_crs, s->area_cells,
            s->area_cells * cell_km2(s));
    fprintf(f, "- Test events: N = %.10g in the evaluated area", n_test);
    if (o->month_from || o->month_to)
        fprintf(f, " (months %04d-%02d to %04d-%02d)", o->month_from / 100,
                o->month_from % 100, o->month_to / 100, o->month_to % 100);
    if (where)
        fprintf(f, ", filter `%s`", where);
    fputs("\n", f);
}

void eval_md_definitions(FILE *f, int have_train)
{
    fputs("\nHit rate = n/N; PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008); PEI = n/n*, "
          "n* = events in the best a cells ranked by the test counts (Hunt 2016); RRI = "
          "Levine's recapture rate index (n/N)/(n1/N1), n1 and N1 the training events in the "
          "flagged cells and in total (Levine 2008)", f);
    fputs(have_train ? ".\n" : "; n/a here: no training events were given.\n", f);
    fputs("Cells are ranked by surface value; tied cells are credited pro rata when the "
          "coverage ends inside a tie block.\n", f);
}

static int write_metrics_md(const eval_state *s, const eval_surf_result *r,
                            const eval_conc *cc, rtm_error *err)
{
    char *buf = NULL, b1[32], b2[32], b3[32], b4[32], b5[32], ct[64];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    double N = cc->gini.total;
    if (!f)
        return oom(err);
    fprintf(f, "# Evaluation of %d surface%s\n\n", s->ns, s->ns == 1 ? "" : "s");
    md_header(f, s, N);
    if (s->train_counts)
        fprintf(f, "- Training events: %zu in the evaluated area\n", s->train.n);
    fputs("\n## Surfaces\n\n| Surface | Source | AUC |\n|---|---|---:|\n", f);
    for (int i = 0; i < s->ns; i++)
        fprintf(f, "| %s | %s | %s |\n", s->s[i].name, s->s[i].source,
                eval_num(b1, sizeof b1, "%.3f", r[i].auc));
    fputs("\n## Hit rate, PAI, PEI and RRI by area coverage\n\n"
          "| Coverage | Surface | Cells a | Events n | Hit rate | PAI | PEI | RRI |\n"
          "|---:|---|---:|---:|---:|---:|---:|---:|\n", f);
    for (size_t c = 0; c < (size_t)s->p->ncoverages; c++)
        for (int i = 0; i < s->ns; i++) {
            const rtm_eval_metrics *m = &r[i].m[c];
            fprintf(f, "| %s | %s | %.6g | %s | %s | %s | %s | %s |\n",
                    eval_cov_text(s, (int)c, ct, sizeof ct), s->s[i].name, m->cells, eval_num(b1, sizeof b1, "%.6g", m->events),
                    eval_num(b2, sizeof b2, "%.1f %%", m->hit_rate * 100),
                    eval_num(b3, sizeof b3, "%.2f", m->pai),
                    eval_num(b4, sizeof b4, "%.3f", m->pei),
                    eval_num(b5, sizeof b5, "%.3f", m->rri));
        }
    eval_md_definitions(f, s->train_counts != NULL);
    if (s->warn[0])
        fprintf(f, "\n## Warnings\n\n%s", s->warn);
    if (s->md_extra)
        fputs(s->md_extra, f);
    fputs("\n## Concentration of the test events\n\n", f);
    if (N > 0 && isfinite(cc->area_for[1]))
        fprintf(f, "%.0f %% of events in %.2f %% of the area: half of the %.10g test events "
                "fell in %.2f %% of the %.0f evaluated cells (the busiest cells first).\n\n",
                EVAL_CONC_SHARES[1] * 100, cc->area_for[1] * 100, N, cc->area_for[1] * 100,
                s->area_cells);
    else
        fputs("No test events in the evaluated area.\n\n", f);
    fputs("| Top cells | Share of events |\n|---:|---:|\n", f);
    for (size_t c = 0; c < (size_t)s->p->ncoverages; c++)
        fprintf(f, "| %s | %s |\n", eval_cov_text(s, (int)c, ct, sizeof ct),
                eval_num(b1, sizeof b1, "%.1f %%", cc->top[c] * 100));
    fputs("\n| Share of events | Smallest share of area holding it |\n|---:|---:|\n", f);
    for (int k = 0; k < 3; k++)
        fprintf(f, "| %g %% | %s |\n", EVAL_CONC_SHARES[k] * 100,
                eval_num(b1, sizeof b1, "%.2f %%", cc->area_for[k] * 100));
    fprintf(f, "\nGini coefficient of the test counts per cell: %s (population form); "
            "%s generalized for sparse counts (Bernasco & Steenbeek 2017).\n",
            eval_num(b1, sizeof b1, "%.3f", cc->gini.gini),
            eval_num(b2, sizeof b2, "%.3f", cc->gini.gini_generalized));
    fprintf(f, "\nFiles: metrics.csv (every metric), curves.csv (hit rate, PAI and PEI at every "
            "0.1 %% of area), concentration.csv, hitrate.png, pai.png%s%s%s.\n",
            s->train_counts ? ", newplaces.csv (cells without a training event)" : "",
            s->p->bootstrap ? ", uncertainty.csv (bootstrap intervals)" : "",
            s->p->ncompare ? ", compare.csv (paired comparisons)" : "");
    fclose(f);
    return eval_write_text(s, "metrics.md", buf, len, err);
}

/* The x values of the charts (0 then the sampled coverages in %) and the
 * hit rate (%) of the first ns surfaces and of the best possible ranking. */
static void hitrate_series(const eval_state *s, const eval_surf_result *r, int ns, double *x,
                           double *y, rtm_chart_series *ser)
{
    size_t np = EVAL_NSAMPLES + 1;
    x[0] = 0;
    for (size_t k = 0; k < EVAL_NSAMPLES; k++)
        x[k + 1] = r[0].curve[k].coverage * 100;
    for (int i = 0; i <= ns; i++) {
        double *yi = y + (size_t)i * np;
        yi[0] = 0;
        for (size_t k = 0; k < EVAL_NSAMPLES; k++) {
            const rtm_eval_metrics *m = &r[i < ns ? i : 0].curve[k];
            yi[k + 1] = 100 * (i < ns ? m->hit_rate
                                      : s->total > 0 ? m->best_events / s->total : NAN);
        }
        ser[i].name = i < ns ? s->s[i].name : "best possible (test counts)";
        ser[i].x = x;
        ser[i].y = yi;
        ser[i].n = np;
    }
}

/* The PAI of the first ns surfaces from 1 % of the area, over y. */
static void pai_series(const eval_surf_result *r, int ns, const double *x, double *y,
                       rtm_chart_series *ser)
{
    size_t np = EVAL_NSAMPLES + 1, k0 = EVAL_NSAMPLES / 100;
    for (int i = 0; i < ns; i++) {
        double *yi = y + (size_t)i * np;
        for (size_t k = 0; k < EVAL_NSAMPLES; k++)
            yi[k] = r[i].curve[k].pai;
        ser[i].x = x + 1 + k0 - 1;
        ser[i].y = yi + k0 - 1;
        ser[i].n = EVAL_NSAMPLES - k0 + 1;
    }
}

static int write_chart(const eval_state *s, const char *name, const char *title,
                       const char *ylabel, const rtm_chart_series *ser, int n, rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, name);
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc = !fn ? oom(err) : !path ? (err ? err->code : RTM_ERR_ARG)
             : rtm_chart_png_write(path, title, "share of area flagged (%)", ylabel, ser, n,
                                   err);
    free(fn);
    return rc;
}

/* Hit-rate and PAI charts: up to 7 surfaces plus the best possible curve. */
static int write_charts(const eval_state *s, const eval_surf_result *r, rtm_error *err)
{
    int ns = s->ns < 7 ? s->ns : 7, rc;
    size_t np = EVAL_NSAMPLES + 1;
    double *x = malloc(np * sizeof *x), *y = malloc((size_t)(ns + 1) * np * sizeof *y);
    rtm_chart_series ser[8];
    if (!x || !y) {
        free(x), free(y);
        return oom(err);
    }
    if (s->ns > ns)
        rtm_prod_log(s->env, "charts show the first 7 of %d surfaces", s->ns);
    hitrate_series(s, r, ns, x, y, ser);
    rc = write_chart(s, "hitrate.png", "Hit rate against area coverage",
                     "share of test events in the flagged area (%)", ser, ns + 1, err);
    if (!rc) {
        pai_series(r, ns, x, y, ser);
        rc = write_chart(s, "pai.png", "Predictive accuracy index (PAI) against area coverage",
                         "PAI = hit rate / area share", ser, ns, err);
    }
    free(x), free(y);
    return rc;
}

int eval_write_all(const eval_state *s, const eval_surf_result *r, const eval_conc *cc,
                   rtm_error *err)
{
    int rc;
    if ((rc = write_metrics_csv(s, r, err)) || (rc = write_curves_csv(s, r, err)) ||
        (rc = write_conc_csv(s, cc, err)) || (rc = write_metrics_md(s, r, cc, err)))
        return rc;
    return write_charts(s, r, err);
}
