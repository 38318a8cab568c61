/* grid.c: grid specification and the in-memory surface (see rtm/grid.h). */
#include "rtm/grid.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Largest grid accepted: 2^31 cells (16 GiB of doubles); larger is a typo. */
#define RTM_GRID_MAX_CELLS ((size_t)1 << 31)

int rtm_grid_check(const rtm_grid *g, rtm_error *err)
{
    if (!(g->res > 0) || !isfinite(g->res))
        return rtm_error_set(err, RTM_ERR_ARG, "grid: resolution must be > 0 (got %g)", g->res);
    if (!isfinite(g->x0) || !isfinite(g->y0))
        return rtm_error_set(err, RTM_ERR_ARG, "grid: corner is not finite");
    if (g->ncols <= 0 || g->nrows <= 0)
        return rtm_error_set(err, RTM_ERR_ARG, "grid: empty grid (%d x %d cells)", g->ncols,
                             g->nrows);
    if ((size_t)g->ncols * (size_t)g->nrows > RTM_GRID_MAX_CELLS)
        return rtm_error_set(err, RTM_ERR_ARG,
                             "grid: %d x %d cells is too many (at most %zu); use a larger "
                             "resolution", g->ncols, g->nrows, RTM_GRID_MAX_CELLS);
    return 0;
}

static int grid_fill(rtm_grid *out, double xmin, double ymin, double xmax, double ymax,
                     double res, const char *crs, rtm_error *err)
{
    rtm_grid g;
    double nc, nr;
    memset(&g, 0, sizeof g);
    if (!(res > 0) || !isfinite(res))
        return rtm_error_set(err, RTM_ERR_ARG, "grid: resolution must be > 0 (got %g)", res);
    if (!(xmax > xmin) || !(ymax > ymin) || !isfinite(xmin) || !isfinite(xmax) ||
        !isfinite(ymin) || !isfinite(ymax))
        return rtm_error_set(err, RTM_ERR_ARG,
                             "grid: bbox must have xmin < xmax and ymin < ymax (got %g,%g,%g,%g)",
                             xmin, ymin, xmax, ymax);
    /* Tolerate extents that are a multiple of res up to rounding. */
    nc = ceil((xmax - xmin) / res - 1e-9);
    nr = ceil((ymax - ymin) / res - 1e-9);
    if (nc > INT32_MAX || nr > INT32_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "grid: %.0f x %.0f cells is too many", nc, nr);
    g.x0 = xmin;
    g.y0 = ymin;
    g.res = res;
    g.ncols = (int)nc;
    g.nrows = (int)nr;
    if (crs)
        snprintf(g.crs, sizeof g.crs, "%s", crs);
    if (rtm_grid_check(&g, err))
        return RTM_ERR_ARG;
    *out = g;
    return 0;
}

int rtm_grid_from_bbox(rtm_grid *out, double xmin, double ymin, double xmax, double ymax,
                       double res, const char *crs, rtm_error *err)
{
    return grid_fill(out, xmin, ymin, xmax, ymax, res, crs, err);
}

int rtm_grid_from_extent_tap(rtm_grid *out, double xmin, double ymin, double xmax,
                             double ymax, double res, const char *crs, rtm_error *err)
{
    if (!(res > 0) || !isfinite(res))
        return rtm_error_set(err, RTM_ERR_ARG, "grid: resolution must be > 0 (got %g)", res);
    /* GDAL target-aligned pixels (gdalwarp -tap): snap outward to multiples of res. */
    return grid_fill(out, floor(xmin / res) * res, floor(ymin / res) * res,
                     ceil(xmax / res) * res, ceil(ymax / res) * res, res, crs, err);
}

int rtm_grid_locate(const rtm_grid *g, double x, double y, int *i, int *j)
{
    double fx = floor((x - g->x0) / g->res);
    double fy = floor((g->y0 + g->nrows * g->res - y) / g->res);
    if (!(fx >= 0 && fx < g->ncols && fy >= 0 && fy < g->nrows))
        return -1;
    *i = (int)fy;
    *j = (int)fx;
    return 0;
}

rtm_surface *rtm_surface_create(const rtm_grid *g, rtm_error *err)
{
    rtm_surface *s;
    if (rtm_grid_check(g, err))
        return NULL;
    s = calloc(1, sizeof *s);
    if (!s) {
        rtm_error_set(err, RTM_ERR_NOMEM, "grid: out of memory");
        return NULL;
    }
    s->grid = *g;
    s->v = calloc(rtm_grid_ncells(g), sizeof *s->v);
    if (!s->v) {
        free(s);
        rtm_error_set(err, RTM_ERR_NOMEM, "grid: out of memory for %d x %d cells", g->ncols,
                      g->nrows);
        return NULL;
    }
    return s;
}

void rtm_surface_free(rtm_surface *s)
{
    if (!s)
        return;
    free(s->v);
    free(s->mask);
    free(s);
}
