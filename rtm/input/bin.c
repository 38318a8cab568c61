/* bin.c: events to counts per grid cell. */
#include "rtm/input.h"

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
