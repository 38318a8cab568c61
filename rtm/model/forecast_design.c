/* forecast_design.c: the forecast's indicator columns, their packed bits
 * per cell and origin, and the design of the time-split training pairs with
 * the per-pair statistics the elastic net needs (rtm/forecast.h). */
#include "model/forecast_design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_fc_cols_free(fc_cols *c)
{
    if (c)
        free(c->vrow), memset(c, 0, sizeof *c);
}

/* Columns: the thresholds of each predictor at the forecast origin (values
 * F0), then the risk variables. */
int rtm_fc_cols_build(fc_cols *c, const fc_hist *h, const fc_pred *p, int np, const float *F0,
                      const rtm_varset *vars, rtm_error *err)
{
    int rank = c->rank;
    memset(c, 0, sizeof *c);
    c->rank = rank;
    for (int k = 0; k < np; k++) {
        double thr[FC_NLEVELS];
        int n = c->rank ? (rtm_fc_levels(F0 + (size_t)k * h->nin, h->nin, thr, err) ? -1
                                                                                   : FC_NLEVELS)
                        : rtm_fc_thresholds(F0 + (size_t)k * h->nin, h->nin, thr, err);
        if (n < 0)
            return err->code;
        for (int l = 0; l < n && c->n < FC_MAX_COLS; l++) {
            c->pred[c->n] = k;
            c->lev[c->n] = l;
            c->thr[c->n] = thr[l];
            c->gt0[c->n] = l == 0;
            if (c->rank)
                snprintf(c->name[c->n], sizeof c->name[0], l == 0 ? "%s>0" : "%s>=q%g",
                         p[k].name, 100 * rtm_fc_level(l));
            else
                snprintf(c->name[c->n], sizeof c->name[0], l == 0 ? "%s>0" : "%s>=%.4g",
                         p[k].name, thr[l]);
            c->n++;
        }
    }
    c->nfc = c->n;
    if (vars && vars->p > 0) {
        c->vars = vars;
        c->vrow = malloc(h->nin * sizeof *c->vrow);
        size_t *row = malloc(h->nc * sizeof *row);
        if (!c->vrow || !row) {
            free(row);
            return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
        }
        for (size_t k = 0; k < h->nc; k++)
            row[k] = SIZE_MAX;
        for (size_t r = 0; r < vars->n; r++)
            if (rtm_varset_cell(vars, r) < h->nc)
                row[rtm_varset_cell(vars, r)] = r;
        for (size_t i = 0; i < h->nin; i++)
            c->vrow[i] = row[h->in[i]];
        free(row);
        for (int j = 0; j < vars->p && c->n < FC_MAX_COLS; j++) {
            c->pred[c->n] = -1 - j;
            c->thr[c->n] = 1;
            snprintf(c->name[c->n], sizeof c->name[0], "%s", vars->var[j].name);
            c->n++;
        }
    }
    c->nw = (c->n + 63) / 64;
    if (c->nw == 0)
        c->nw = 1;
    return 0;
}

/* Packed indicator bits of every inside cell at one origin (F: values). */
void rtm_fc_bits(const fc_cols *c, const fc_hist *h, const float *F, const double *q,
                 uint64_t *B)
{
    memset(B, 0, h->nin * (size_t)c->nw * sizeof *B);
    for (int j = 0; j < c->n; j++) {
        uint64_t bit = (uint64_t)1 << (j % 64);
        size_t wo = (size_t)(j / 64);
        if (c->pred[j] < 0) {
            int v = -1 - c->pred[j];
            for (size_t i = 0; i < h->nin; i++)
                if (c->vrow[i] != SIZE_MAX && rtm_varset_value(c->vars, c->vrow[i], v))
                    B[i * (size_t)c->nw + wo] |= bit;
            continue;
        }
        const float *v = F + (size_t)c->pred[j] * h->nin;
        float t = (float)(q ? q[c->pred[j] * FC_NLEVELS + c->lev[j]] : c->thr[j]);
        for (size_t i = 0; i < h->nin; i++)
            if (c->gt0[j] ? v[i] > 0 : v[i] >= t)
                B[i * (size_t)c->nw + wo] |= bit;
    }
}

static int any_bit(const uint64_t *b, int nw)
{
    for (int w = 0; w < nw; w++)
        if (b[w])
            return 1;
    return 0;
}

/* splitmix64 (Steele, Lea & Flood 2014; Vigna's public-domain code):
 * a hash of (seed, pair, cell) for the keep decision. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int keep(uint64_t seed, int pair, size_t i, double p)
{
    if (p >= 1)
        return 1;
    uint64_t hsh = mix64(seed ^ mix64(((uint64_t)pair << 40) ^ (uint64_t)i));
    return (double)(hsh >> 11) * 0x1.0p-53 < p;
}

/* Row kinds of cell i of pair o: 1 kept with weight 1, 2 zero pattern,
 * 3 sampled zero outcome, 0 left out. */
static int row_kind(const fc_pairs *pp, int o, size_t i, double p, uint64_t seed)
{
    if (pp->y[(size_t)o * pp->nin + i] > 0)
        return 1;
    if (!any_bit(pp->B[o] + i * (size_t)pp->nw, pp->nw))
        return 2;
    return keep(seed, o, i, p) ? 3 : 0;
}

static void fill_row(const fc_pairs *pp, int o, size_t i, unsigned char *x, int ncols)
{
    const uint64_t *b = pp->B[o] + i * (size_t)pp->nw;
    for (int j = 0; j < ncols; j++)
        x[j] = (unsigned char)((b[j / 64] >> (j % 64)) & 1);
}

/* Count the rows and choose the keep probability. */
static size_t count_rows(fc_pairs *pp, size_t max_rows, size_t *zero_cells)
{
    size_t cand = 0, sure = 0;
    for (int o = 0; o < pp->npairs; o++) {
        zero_cells[o] = 0;
        for (size_t i = 0; i < pp->nin; i++) {
            int k = row_kind(pp, o, i, 1.0, 0);
            sure += k == 1;
            cand += k == 3;
            zero_cells[o] += k == 2;
        }
    }
    pp->keep_p = cand > max_rows ? (double)max_rows / (double)cand : 1.0;
    return sure + cand + (size_t)pp->npairs;
}

int rtm_fc_design(fc_pairs *pp, int ncols, size_t max_rows, uint64_t seed, rtm_error *err)
{
    size_t *zc = calloc((size_t)pp->npairs, sizeof *zc);
    size_t cap = zc ? count_rows(pp, max_rows, zc) : 0, n = 0;
    pp->x = malloc((cap ? cap : 1) * (size_t)(ncols ? ncols : 1));
    pp->dy = malloc((cap ? cap : 1) * sizeof *pp->dy);
    pp->wt = malloc((cap ? cap : 1) * sizeof *pp->wt);
    pp->fold = malloc((cap ? cap : 1) * sizeof *pp->fold);
    if (!zc || !pp->x || !pp->dy || !pp->wt || !pp->fold) {
        free(zc);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory for the design");
    }
    for (int o = 0; o < pp->npairs; o++) {
        int zero_done = 0;
        for (size_t i = 0; i < pp->nin && n < cap; i++) {
            int k = row_kind(pp, o, i, pp->keep_p, seed);
            if (k == 0 || (k == 2 && zero_done))
                continue;
            zero_done |= k == 2;
            fill_row(pp, o, i, pp->x + n * (size_t)ncols, ncols);
            pp->dy[n] = pp->y[(size_t)o * pp->nin + i];
            /* Horvitz & Thompson (1952): a row kept with probability p weighs 1/p */
            pp->wt[n] = k == 1 ? 1.0 : k == 2 ? (double)zc[o] : 1.0 / pp->keep_p;
            pp->fold[n++] = o;
        }
    }
    pp->nrows = n;
    free(zc);
    return 0;
}

/* Per-pattern statistics summed over the pairs with use[o] != 0. */
void rtm_fc_stats(const fc_pairs *pp, const int *use, double *n, double *sy, double *yl)
{
    size_t m = rtm_patterns_count(pp->pt);
    int nf = rtm_patterns_nfolds(pp->pt);
    const double *sf = rtm_patterns_sumy_fold(pp->pt), *lf = rtm_patterns_ylogy_fold(pp->pt);
    for (size_t k = 0; k < m; k++) {
        n[k] = sy[k] = yl[k] = 0;
        for (int f = 0; f < nf; f++)
            if (use[f]) {
                n[k] += pp->nw_fold[k * (size_t)nf + (size_t)f];
                sy[k] += sf[k * (size_t)nf + (size_t)f];
                yl[k] += lf[k * (size_t)nf + (size_t)f];
            }
    }
}

/* Patterns of the design with the pairs as folds, and the weighted cells
 * per pattern and pair. */
int rtm_fc_patterns(fc_pairs *pp, int ncols, const char *const *names, rtm_error *err)
{
    rtm_design d = {pp->nrows, ncols, pp->x, pp->dy, names, NULL, 0, NULL};
    pp->pt = rtm_patterns_build(&d, pp->fold, pp->npairs, err);
    if (!pp->pt)
        return err->code ? err->code : RTM_ERR_INPUT;
    size_t m = rtm_patterns_count(pp->pt);
    const uint32_t *rp = rtm_patterns_row_pattern(pp->pt);
    pp->nw_fold = calloc(m * (size_t)pp->npairs, sizeof *pp->nw_fold);
    if (!pp->nw_fold)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    for (size_t r = 0; r < pp->nrows; r++)
        pp->nw_fold[rp[r] * (size_t)pp->npairs + (size_t)pp->fold[r]] += pp->wt[r];
    return 0;
}

void rtm_fc_pairs_free(fc_pairs *pp)
{
    if (!pp)
        return;
    for (int o = 0; o < FC_MAX_ORIGINS; o++)
        free(pp->B[o]);
    free(pp->y), free(pp->x), free(pp->dy), free(pp->wt), free(pp->fold), free(pp->nw_fold);
    rtm_patterns_free(pp->pt);
    memset(pp, 0, sizeof *pp);
}

/* Expected events per grid cell: exp(a0 + sum beta_j x_j) (NaN outside). */
void rtm_fc_predict(const fc_run *r, const uint64_t *B, double a0, const double *beta,
                    double *mu)
{
    const fc_hist *h = &r->h;
    int nw = r->cols->nw, nc = r->cols->n;
    for (size_t k = 0; k < h->nc; k++)
        mu[k] = NAN;
    for (size_t i = 0; i < h->nin; i++) {
        double eta = a0;
        const uint64_t *b = B + i * (size_t)nw;
        for (int j = 0; j < nc; j++)
            if ((b[j / 64] >> (j % 64)) & 1)
                eta += beta[j];
        mu[h->in[i]] = exp(eta);
    }
}
