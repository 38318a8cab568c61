/* evaluate_truth.c: the evaluation's coverages as areas and cell counts,
 * warnings, the surfaces re-made from the training events (the RTM from
 * risk factors, and callers' refits), the region near the area whose
 * training events the KDEs use, and the "new places" metrics - cells
 * without a training event (rtm/evaluate_truth.h). */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
}

void eval_warn(eval_state *s, const char *fmt, ...)
{
    char line[400];
    size_t len = strlen(s->warn);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    rtm_prod_log(s->env, "warning: evaluate: %s", line);
    if (len + 8 < sizeof s->warn)
        snprintf(s->warn + len, sizeof s->warn - len, "- %s.\n", line);
}

int eval_md_append(eval_state *s, const char *text, size_t len, rtm_error *err)
{
    size_t old = s->md_extra ? strlen(s->md_extra) : 0;
    char *m = realloc(s->md_extra, old + len + 1);
    if (!m)
        return oom(err);
    memcpy(m + old, text, len);
    m[old + len] = '\0';
    s->md_extra = m;
    return 0;
}

int eval_setup_coverages(eval_state *s, rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    double mpu = rtm_crs_metres_per_unit(s->dst_crs);
    s->cell_km2 = s->grid.res * s->grid.res * (mpu > 0 ? mpu * mpu : 1) / 1e6;
    for (int c = 0; c < p->ncoverages; c++) {
        int rc;
        rtm_eval_coverage_label(p->coverages[c], p->coverage_units[c], s->covlab[c],
                                sizeof s->covlab[c]);
        s->cov[c] = p->coverages[c] / 100; /* percent; areas and cells below */
        if (s->area_cells > 0 &&
            (rc = rtm_eval_coverage_fraction(p->coverages[c], p->coverage_units[c],
                                             s->cell_km2, s->area_cells, &s->cov[c], err)))
            return rc;
    }
    return 0;
}

/* The RTM's candidate variables on the evaluation grid, built once. */
static int setup_model(eval_state *s, rtm_error *err)
{
    rtm_var_opts vo;
    int rc;
    s->mopts = s->p->model;
    if (!(s->mopts.var.block > 0))
        s->mopts.var.block = 2 * s->grid.res;
    if (s->env && s->env->threads)
        s->mopts.var.threads = s->mopts.enet.nthreads = s->env->threads;
    s->mopts.progress = s->mopts.var.progress = NULL;
    vo = s->mopts.var;
    rtm_prod_log(s->env, "evaluate: building the variables of %d risk factors (block %g)",
                 s->p->nfactors, vo.block);
    if ((rc = rtm_variables_build(&s->grid, s->mask, 0, s->p->factors, s->p->nfactors, &vo,
                                  &s->vars, err)))
        return rc;
    s->mctx.vars = s->vars;
    s->mctx.opts = &s->mopts;
    s->refit[s->nrefit++] = (rtm_eval_refit){"rtm", "Risk Terrain Model (RRS) re-fitted on "
                                             "the training events", rtm_eval_fit_model,
                                             &s->mctx};
    return 0;
}

int eval_setup_refits(eval_state *s, rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    int rc;
    for (int b = 0; b < p->nbandwidths; b++)
        if (p->bandwidths[b] > s->reach)
            s->reach = p->bandwidths[b];
    if (p->nfactors > 0 && (rc = setup_model(s, err)))
        return rc;
    for (int r = 0; r < p->nrefits && s->nrefit < RTM_EVAL_MAX_SURFACES; r++)
        s->refit[s->nrefit++] = p->refits[r];
    return 0;
}

/* Offsets (di, dj) of the cells within r cells of a centre. */
static int disc_offsets(double r, int **off, int *n)
{
    int R = (int)ceil(r), k = 0;
    int *o = malloc((size_t)(2 * R + 1) * (size_t)(2 * R + 1) * 2 * sizeof *o);
    if (!o)
        return -1;
    for (int di = -R; di <= R; di++)
        for (int dj = -R; dj <= R; dj++)
            if ((double)(di * di + dj * dj) <= r * r)
                o[2 * k] = di, o[2 * k + 1] = dj, k++;
    *off = o;
    *n = k;
    return 0;
}

static int inside_at(const eval_state *s, int i, int j)
{
    return i >= 0 && j >= 0 && i < s->grid.nrows && j < s->grid.ncols &&
           s->mask[(size_t)i * (size_t)s->grid.ncols + (size_t)j];
}

/* The grid grown by the reach and the cells whose centre lies within
 * reach + half a cell diagonal of an evaluated cell's centre: a point
 * farther than that from every such centre is farther than the reach from
 * it, so it adds nothing to any evaluated cell of a kernel of that radius.
 * Discs are stamped from the cells on the area's edge only. */
int eval_near_area(const eval_state *s, rtm_grid *g, unsigned char **mask, rtm_error *err)
{
    double r = s->reach / s->grid.res + M_SQRT1_2;
    int P = (int)ceil(r) + 1, *off = NULL, noff = 0, nc;
    unsigned char *m;
    *g = s->grid;
    g->x0 -= P * s->grid.res;
    g->y0 -= P * s->grid.res;
    g->ncols += 2 * P;
    g->nrows += 2 * P;
    nc = g->ncols;
    if ((double)g->ncols * (double)g->nrows > 4e8)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: KDE radius %g too large for the "
                             "grid (the area within it exceeds 4e8 cells)", s->reach);
    if (!(m = calloc(rtm_grid_ncells(g), 1)) || disc_offsets(r, &off, &noff)) {
        free(m);
        return oom(err);
    }
    for (int i = 0; i < s->grid.nrows; i++)
        for (int j = 0; j < s->grid.ncols; j++) {
            if (!inside_at(s, i, j))
                continue;
            m[(size_t)(i + P) * (size_t)nc + (size_t)(j + P)] = 1;
            if (inside_at(s, i - 1, j) && inside_at(s, i + 1, j) && inside_at(s, i, j - 1) &&
                inside_at(s, i, j + 1))
                continue; /* not on the edge */
            for (int k = 0; k < noff; k++)
                m[(size_t)(i + P + off[2 * k]) * (size_t)nc + (size_t)(j + P + off[2 * k + 1])] =
                    1;
        }
    free(off);
    *mask = m;
    return 0;
}

/* ---- new places ------------------------------------------------------------ */

/* Metrics of every surface over the cells without a training event. */
static int newplaces_metrics(const eval_state *s, const unsigned char *m, double area,
                             rtm_eval_metrics (*out)[RTM_EVAL_MAX_COVERAGES], rtm_error *err)
{
    int rc = 0;
    for (int i = 0; i < s->ns && !rc; i++) {
        rtm_eval_curve_t *c = NULL;
        if ((rc = rtm_eval_curve(s->s[i].v, s->counts, m, s->ncells, &c, err)))
            break;
        for (int k = 0; k < s->p->ncoverages && !rc; k++) {
            double f;
            rtm_error e2;
            if (area > 0 && !rtm_eval_coverage_fraction(s->p->coverages[k],
                                                        s->p->coverage_units[k], s->cell_km2,
                                                        area, &f, &e2))
                rc = rtm_eval_at(c, f, &out[i][k], err);
            else /* no such cell, or the coverage is larger than them */
                out[i][k] = (rtm_eval_metrics){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
                                               NAN, 0};
        }
        rtm_eval_curve_free(c);
    }
    return rc;
}

static void newplaces_csv(const eval_state *s, FILE *f, rtm_eval_metrics (*m)[RTM_EVAL_MAX_COVERAGES],
                          double N)
{
    fputs("surface,coverage_pct,cells,events,test_events,hit_rate,pai,pei,coverage\n", f);
    for (int i = 0; i < s->ns; i++)
        for (int c = 0; c < s->p->ncoverages; c++) {
            eval_csv_str(f, s->s[i].name);
            eval_csv_num(f, m[i][c].coverage * 100);
            eval_csv_num(f, m[i][c].cells);
            eval_csv_num(f, m[i][c].events);
            eval_csv_num(f, N);
            eval_csv_num(f, m[i][c].hit_rate);
            eval_csv_num(f, m[i][c].pai);
            eval_csv_num(f, m[i][c].pei);
            fputc(',', f);
            eval_csv_str(f, s->covlab[c]);
            fputc('\n', f);
        }
}

static void newplaces_md(const eval_state *s, FILE *f, rtm_eval_metrics (*m)[RTM_EVAL_MAX_COVERAGES],
                         double area, double N)
{
    char b1[32], b2[32], b3[32], ct[64];
    fprintf(f, "\n## New places: cells without a training event\n\n"
            "%.0f of the %.0f evaluated cells had no training event; %.10g of the %.10g test "
            "events fell in them. The prior counts rank all of these cells alike (0), so "
            "here a surface is judged on what counts cannot tell: a PAI above 1 is better than "
            "chance. Coverages in percent are of these cells.\n\n| Coverage | Surface | Events "
            "n | Hit rate | PAI |\n|---:|---|---:|---:|---:|\n", area, s->area_cells, N, s->total);
    for (int c = 0; c < s->p->ncoverages; c++)
        for (int i = 0; i < s->ns; i++)
            fprintf(f, "| %s | %s | %s | %s | %s |\n", eval_cov_text(s, c, ct, sizeof ct),
                    s->s[i].name, eval_num(b1, sizeof b1, "%.6g", m[i][c].events),
                    eval_num(b2, sizeof b2, "%.1f %%", m[i][c].hit_rate * 100),
                    eval_num(b3, sizeof b3, "%.2f", m[i][c].pai));
}

int eval_write_newplaces(eval_state *s, rtm_error *err)
{
    unsigned char *m = malloc(s->ncells ? s->ncells : 1);
    rtm_eval_metrics (*r)[RTM_EVAL_MAX_COVERAGES] = calloc((size_t)s->ns, sizeof *r);
    double area = 0, N = 0;
    char *buf = NULL, *md = NULL;
    size_t len = 0, mdlen = 0;
    FILE *f, *g;
    int rc;
    if (!m || !r) {
        free(m), free(r);
        return oom(err);
    }
    for (size_t k = 0; k < s->ncells; k++) {
        m[k] = s->mask[k] && s->train_counts[k] == 0;
        area += m[k];
        N += m[k] ? s->counts[k] : 0;
    }
    if (!(rc = newplaces_metrics(s, m, area, r, err))) {
        if (!(f = open_memstream(&buf, &len)) || !(g = open_memstream(&md, &mdlen))) {
            if (f)
                fclose(f), free(buf);
            rc = oom(err);
        } else {
            newplaces_csv(s, f, r, N);
            newplaces_md(s, g, r, area, N);
            fclose(f), fclose(g);
            if (!(rc = eval_write_text(s, "newplaces.csv", buf, len, err)))
                rc = eval_md_append(s, md, mdlen, err);
            free(md);
        }
    }
    free(m), free(r);
    return rc;
}
