/* bin.c: events to counts per grid cell. */
#include "rtm/input.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t rtm_bin_points(const rtm_grid *g, const double *x, const double *y, const double *w,
                      size_t n, double *counts)
{
    size_t k, used = 0;
    int i, j;
    memset(counts, 0, rtm_grid_ncells(g) * sizeof *counts);
    for (k = 0; k < n; k++)
        if (!rtm_grid_locate(g, x[k], y[k], &i, &j)) {
            counts[(size_t)i * g->ncols + j] += w ? w[k] : 1.0;
            used++;
        }
    return used;
}

size_t rtm_bin_points_rows(const rtm_grid *g, const double *x, const double *y, const double *w,
                           size_t n, int r0, int r1, double *counts)
{
    size_t k, used = 0;
    int i, j;
    memset(counts, 0, (size_t)(r1 - r0) * (size_t)g->ncols * sizeof *counts);
    for (k = 0; k < n; k++)
        if (!rtm_grid_locate(g, x[k], y[k], &i, &j) && i >= r0 && i < r1) {
            counts[(size_t)(i - r0) * g->ncols + j] += w ? w[k] : 1.0;
            used++;
        }
    return used;
}

typedef struct cell_pt {
    size_t cell, idx;
} cell_pt;

static int cell_pt_cmp(const void *a, const void *b)
{
    const cell_pt *p = a, *q = b;
    if (p->cell != q->cell)
        return p->cell < q->cell ? -1 : 1;
    return (p->idx > q->idx) - (p->idx < q->idx);
}

/* The sums per key of the m pairs in v (sorted here by key, then input
 * order), each from 0 in input order, as rtm_bin_points sums a cell. */
static int sum_pairs(cell_pt *v, size_t m, const double *w, size_t **cell, double **val,
                     size_t *nz)
{
    size_t q = 0;
    qsort(v, m, sizeof *v, cell_pt_cmp);
    *cell = malloc((m ? m : 1) * sizeof **cell);
    *val = malloc((m ? m : 1) * sizeof **val);
    if (!*cell || !*val) {
        free(*cell), free(*val);
        *cell = NULL, *val = NULL;
        return -1;
    }
    for (size_t t = 0; t < m; t++) {
        if (!q || (*cell)[q - 1] != v[t].cell) {
            (*cell)[q] = v[t].cell;
            (*val)[q++] = 0.0;
        }
        (*val)[q - 1] += w ? w[v[t].idx] : 1.0;
    }
    *nz = q;
    return 0;
}

int rtm_bin_points_sparse(const rtm_grid *g, const double *x, const double *y, const double *w,
                          size_t n, size_t **cell, double **val, size_t *nz)
{
    cell_pt *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    int i, j, rc;
    *cell = NULL;
    *val = NULL;
    *nz = 0;
    if (!v)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (!rtm_grid_locate(g, x[k], y[k], &i, &j))
            v[m++] = (cell_pt){(size_t)i * (size_t)g->ncols + (size_t)j, k};
    rc = sum_pairs(v, m, w, cell, val, nz);
    free(v);
    return rc;
}

int rtm_bin_keys_sparse(const size_t *key, const double *w, size_t n, size_t **bin,
                        double **val, size_t *nz)
{
    cell_pt *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    int rc;
    *bin = NULL;
    *val = NULL;
    *nz = 0;
    if (!v)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (key[k] != SIZE_MAX)
            v[m++] = (cell_pt){key[k], k};
    rc = sum_pairs(v, m, w, bin, val, nz);
    free(v);
    return rc;
}
