/* window.c: sums of a measure in patrol-sized windows at every position of
 * a fine grid, and the greedy choice of non-overlapping windows
 * (rtm/places.h). Box sums by a summed-area table (Crow 1984, "Summed-area
 * tables for texture mapping", SIGGRAPH '84): S(r, c) = sum of the cells
 * above and left of (r, c), a window's sum S(i+k, j+k) - S(i, j+k) -
 * S(i+k, j) + S(i, j). Disc sums add one row-prefix difference per row. */
#include "rtm/places.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int rtm_window_grid(const rtm_grid *g, int k, rtm_grid *cand, rtm_error *err)
{
    if (k < 1 || k > g->ncols || k > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "places: a window of %d cells does not fit "
                             "the %d x %d grid", k, g->ncols, g->nrows);
    *cand = *g;
    cand->ncols = g->ncols - k + 1;
    cand->nrows = g->nrows - k + 1;
    cand->x0 = g->x0 + (k - 1) * g->res / 2;
    cand->y0 = g->y0 + (k - 1) * g->res / 2;
    return 0;
}

/* Columns b0..b1 of row a (0..k-1) of a disc window of k cells: the cells
 * whose centres ((b + 0.5 - k/2) res, (a + 0.5 - k/2) res from the window
 * centre) lie within k res / 2. Empty when b0 > b1. */
static void disc_row(int k, int a, int *b0, int *b1)
{
    double dy = a + 0.5 - k / 2.0, r2 = k * k / 4.0;
    *b0 = k;
    *b1 = -1;
    for (int b = 0; b < k; b++) {
        double dx = b + 0.5 - k / 2.0;
        if (dx * dx + dy * dy <= r2) {
            if (b < *b0)
                *b0 = b;
            *b1 = b;
        }
    }
}

int rtm_window_has_cell(int k, rtm_window_shape shape, int ci, int cj, int row, int col)
{
    int a = row - ci, b = col - cj, b0, b1;
    if (a < 0 || a >= k || b < 0 || b >= k)
        return 0;
    if (shape == RTM_WINDOW_SQUARE)
        return 1;
    disc_row(k, a, &b0, &b1);
    return b >= b0 && b <= b1;
}

/* Row prefix sums P(r, c) = v(r, 0) + ... + v(r, c-1), (ncols+1) per row. */
static void row_prefix(const rtm_grid *g, const double *v, double *P)
{
    size_t w = (size_t)g->ncols + 1;
    for (int r = 0; r < g->nrows; r++) {
        double s = 0.0;
        P[r * w] = 0.0;
        for (int c = 0; c < g->ncols; c++) {
            double x = v[(size_t)r * g->ncols + c];
            s += isfinite(x) ? x : 0.0;
            P[r * w + c + 1] = s;
        }
    }
}

/* The summed-area table from the row prefixes (in place, rows shifted by
 * one: S has nrows+1 rows, row 0 all zero). */
static void column_sums(const rtm_grid *g, const double *P, double *S)
{
    size_t w = (size_t)g->ncols + 1;
    memset(S, 0, w * sizeof *S);
    for (int r = 0; r < g->nrows; r++)
        for (size_t c = 0; c < w; c++)
            S[(r + 1) * w + c] = S[r * w + c] + P[r * w + c];
}

int rtm_window_sums(const rtm_grid *g, const double *v, int k, rtm_window_shape shape,
                    int threads, double *out, rtm_error *err)
{
    rtm_grid cg;
    int rc;
    if ((rc = rtm_window_grid(g, k, &cg, err)))
        return rc;
    size_t w = (size_t)g->ncols + 1;
    double *P = malloc(w * ((size_t)g->nrows + 1) * sizeof *P), *S = NULL;
    int *b0 = malloc((size_t)k * sizeof *b0), *b1 = malloc((size_t)k * sizeof *b1);
    if (shape == RTM_WINDOW_SQUARE)
        S = malloc(w * ((size_t)g->nrows + 1) * sizeof *S);
    if (!P || !b0 || !b1 || (shape == RTM_WINDOW_SQUARE && !S)) {
        free(P), free(S), free(b0), free(b1);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory for window sums");
    }
    row_prefix(g, v, P);
    if (S)
        column_sums(g, P, S);
    for (int a = 0; a < k; a++)
        disc_row(k, a, &b0[a], &b1[a]);
    int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int i = 0; i < cg.nrows; i++)
        for (int j = 0; j < cg.ncols; j++) {
            double s = 0.0;
            if (S) {
                s = S[(i + k) * w + j + k] - S[(size_t)i * w + j + k] - S[(i + k) * w + j] +
                    S[(size_t)i * w + j];
            } else {
                for (int a = 0; a < k; a++)
                    if (b0[a] <= b1[a])
                        s += P[(i + a) * w + j + b1[a] + 1] - P[(i + a) * w + j + b0[a]];
            }
            out[(size_t)i * cg.ncols + j] = s;
        }
    free(P), free(S), free(b0), free(b1);
    return 0;
}

int rtm_window_conflict(const rtm_window_pick_opts *o, double res, int ai, int aj, int bi,
                        int bj)
{
    long di = labs((long)ai - bi), dj = labs((long)aj - bj), k = o->k;
    double sp = o->spacing > 0 ? o->spacing : 0.0;
    if (o->shape == RTM_WINDOW_DISC) {
        /* centres closer than a diameter plus the spacing */
        double d = hypot((double)di, (double)dj) * res;
        return d < k * res + sp;
    }
    if (di < k && dj < k)
        return 1; /* the squares overlap */
    double gx = dj > k ? (double)(dj - k) * res : 0.0, gy = di > k ? (double)(di - k) * res : 0.0;
    return hypot(gx, gy) < sp;
}

typedef struct cand_key {
    double s, tie;
    size_t idx;
} cand_key;

/* Decreasing sum, then increasing index: a total order, so the choice never
 * depends on the sort algorithm. */
static int cmp_key(const void *a, const void *b)
{
    const cand_key *x = a, *y = b;
    if (x->s != y->s)
        return x->s > y->s ? -1 : 1;
    if (x->tie != y->tie)
        return x->tie > y->tie ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* 1 when candidate c may join the nt places taken so far. */
static int fits(const rtm_grid *cand, const rtm_window_pick_opts *o, const int *taken, int nt,
                size_t c, const int *zcount)
{
    int ci = (int)(c / (size_t)cand->ncols), cj = (int)(c % (size_t)cand->ncols);
    if (o->zone && o->per_zone > 0 && zcount[o->zone[c]] >= o->per_zone)
        return 0;
    for (int t = 0; t < nt; t++) {
        int ti = taken[t] / cand->ncols, tj = taken[t] % cand->ncols;
        if (rtm_window_conflict(o, cand->res, ci, cj, ti, tj))
            return 0;
    }
    return 1;
}

static int max_zone(const int *zone, size_t n)
{
    int m = -1;
    for (size_t c = 0; zone && c < n; c++)
        if (zone[c] > m)
            m = zone[c];
    return m;
}

int rtm_window_pick(const rtm_grid *cand, const double *score, const rtm_window_pick_opts *o,
                    int *picked, int *npicked, rtm_error *err)
{
    size_t n = rtm_grid_ncells(cand), m = 0;
    if (o->count < 1 || o->k < 1 || o->per_zone < 0 || !(o->spacing >= 0))
        return rtm_error_set(err, RTM_ERR_ARG, "places: count, window size and spacing must "
                             "be positive");
    if (n > (size_t)2147483647)
        return rtm_error_set(err, RTM_ERR_ARG, "places: too many candidate windows (%zu)", n);
    int nz = max_zone(o->zone, n) + 1;
    for (size_t c = 0; c < n; c++)
        m += score[c] > 0 && isfinite(score[c]) && (!o->allowed || o->allowed[c]) &&
             (!o->zone || o->zone[c] >= 0);
    cand_key *keys = malloc((m ? m : 1) * sizeof *keys); /* the candidates with a sum only */
    m = 0;
    int *zcount = calloc((size_t)nz + 1, sizeof *zcount), nt = 0;
    if (!keys || !zcount) {
        free(keys), free(zcount);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory for %zu candidates", n);
    }
    for (size_t c = 0; c < n; c++)
        if (score[c] > 0 && isfinite(score[c]) && (!o->allowed || o->allowed[c]) &&
            (!o->zone || o->zone[c] >= 0))
            keys[m++] = (cand_key){score[c], o->tie && isfinite(o->tie[c]) ? o->tie[c] : 0, c};
    qsort(keys, m, sizeof *keys, cmp_key);
    for (size_t q = 0; q < m && nt < o->count; q++)
        if (fits(cand, o, picked, nt, keys[q].idx, zcount)) {
            picked[nt++] = (int)keys[q].idx;
            if (o->zone)
                zcount[o->zone[keys[q].idx]]++;
        }
    *npicked = nt;
    free(keys), free(zcount);
    return 0;
}
