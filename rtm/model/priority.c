/* priority.c: priority places: flagged cells merged 8-connected and ranked. */
#include "rtm/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Flood fill of 8-connected flagged cells with an explicit stack. */
static size_t fill(const rtm_grid *g, const unsigned char *flag, int *lab, size_t start, int id,
                   size_t *stack)
{
    size_t top = 0, n = 0;
    lab[start] = id;
    stack[top++] = start;
    while (top) {
        size_t k = stack[--top];
        int i = (int)(k / g->ncols), j = (int)(k % g->ncols), di, dj;
        n++;
        for (di = -1; di <= 1; di++)
            for (dj = -1; dj <= 1; dj++) {
                int a = i + di, b = j + dj;
                size_t q;
                if (a < 0 || b < 0 || a >= g->nrows || b >= g->ncols)
                    continue;
                q = (size_t)a * g->ncols + b;
                if (flag[q] && !lab[q]) {
                    lab[q] = id;
                    stack[top++] = q;
                }
            }
    }
    return n;
}

static int cmp_place(const void *a, const void *b)
{
    const rtm_place *p = a, *q = b;
    if (p->max_score != q->max_score)
        return p->max_score > q->max_score ? -1 : 1;
    if (p->events != q->events)
        return p->events > q->events ? -1 : 1;
    if (p->cells != q->cells)
        return p->cells > q->cells ? -1 : 1;
    return p->rank - q->rank; /* rank holds the first-cell order before ranking */
}

int rtm_places_find(const rtm_grid *g, const unsigned char *flag, const double *score,
                    const double *counts, int **label, rtm_place **places, int *nplaces,
                    rtm_error *err)
{
    size_t nc = rtm_grid_ncells(g), k, *stack = malloc(nc * sizeof *stack);
    int *lab = calloc(nc, sizeof *lab), n = 0, i, *remap = NULL;
    rtm_place *pl = NULL;
    if (!stack || !lab)
        goto nomem;
    for (k = 0; k < nc; k++)
        if (flag[k] && !lab[k])
            fill(g, flag, lab, k, ++n, stack);
    pl = calloc((size_t)(n ? n : 1), sizeof *pl);
    remap = malloc((size_t)(n + 1) * sizeof *remap);
    if (!pl || !remap)
        goto nomem;
    for (i = 0; i < n; i++) {
        pl[i].rank = i + 1;
        pl[i].max_score = -INFINITY;
    }
    for (k = 0; k < nc; k++)
        if (lab[k]) {
            rtm_place *p = &pl[lab[k] - 1];
            double s = score ? score[k] : 0;
            p->cells++;
            p->max_score = fmax(p->max_score, s);
            p->mean_score += s;
            p->events += counts ? counts[k] : 0;
            p->cx += rtm_grid_cell_x(g, (int)(k % g->ncols));
            p->cy += rtm_grid_cell_y(g, (int)(k / g->ncols));
        }
    for (i = 0; i < n; i++) {
        pl[i].mean_score /= (double)pl[i].cells;
        pl[i].cx /= (double)pl[i].cells;
        pl[i].cy /= (double)pl[i].cells;
        pl[i].area = (double)pl[i].cells * g->res * g->res;
    }
    qsort(pl, (size_t)n, sizeof *pl, cmp_place);
    for (i = 0; i < n; i++) {
        remap[pl[i].rank] = i + 1;
        pl[i].rank = i + 1;
    }
    for (k = 0; k < nc; k++)
        if (lab[k])
            lab[k] = remap[lab[k]];
    free(stack);
    free(remap);
    *label = lab;
    *places = pl;
    *nplaces = n;
    return 0;
nomem:
    free(stack);
    free(lab);
    free(pl);
    free(remap);
    return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
}
