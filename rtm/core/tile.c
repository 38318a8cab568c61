/* tile.c: strips of grid rows (rtm/tile.h): the plan, "I/N" and tile
 * file names. */
#include "rtm/tile.h"

#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

int rtm_tile_plan(const rtm_grid *g, int index, int count, rtm_tile *t, rtm_error *err)
{
    int base, extra;
    if (count < 1 || count > RTM_TILE_MAX || index < 0 || index >= count)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: %d/%d is not a tile (0 <= I < N <= %d)",
                             index, count, RTM_TILE_MAX);
    if (count > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: %d tiles of a grid of %d rows: at most "
                             "one tile per row", count, g->nrows);
    base = g->nrows / count;
    extra = g->nrows % count;
    t->index = index;
    t->count = count;
    t->r0 = index * base + (index < extra ? index : extra);
    t->r1 = t->r0 + base + (index < extra);
    t->c0 = 0;
    t->c1 = g->ncols;
    t->rows = count;
    t->cols = 1;
    return 0;
}

int rtm_tile_plan_grid(const rtm_grid *g, int index, int rows, int cols, rtm_tile *t,
                       rtm_error *err)
{
    int blocks = (g->ncols + RTM_TILE_COL_STEP - 1) / RTM_TILE_COL_STEP, base, extra, ci, rc;
    if (rows < 1 || cols < 1 || rows > RTM_TILE_MAX || cols > RTM_TILE_MAX / rows ||
        index < 0 || index >= rows * cols)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: %d/%dx%d is not a tile (0 <= I < R x C "
                             "<= %d)", index, rows, cols, RTM_TILE_MAX);
    if (cols > blocks)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: %d column bands of a grid of %d columns: "
                             "at most one per %d columns", cols, g->ncols, RTM_TILE_COL_STEP);
    if ((rc = rtm_tile_plan(g, index / cols, rows, t, err)))
        return rc;
    ci = index % cols;
    base = blocks / cols;
    extra = blocks % cols;
    t->c0 = (ci * base + (ci < extra ? ci : extra)) * RTM_TILE_COL_STEP;
    t->c1 = t->c0 + (base + (ci < extra)) * RTM_TILE_COL_STEP;
    t->c1 = t->c1 > g->ncols ? g->ncols : t->c1;
    t->index = index;
    t->count = rows * cols;
    t->cols = cols;
    return 0;
}

/* A whole number 0..max with nothing after it (strtol without its
 * leniencies: no sign, no spaces). */
static int whole(const char *s, const char *end, long max, int *out)
{
    long v = 0;
    if (s == end)
        return -1;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -1;
    }
    *out = (int)v;
    return 0;
}

int rtm_tile_parse(const char *s, int *index, int *count)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    int i, n;
    if (!slash || whole(s, slash, RTM_TILE_MAX, &i) ||
        whole(slash + 1, slash + 1 + strlen(slash + 1), RTM_TILE_MAX, &n) || n < 1 || i >= n)
        return -1;
    *index = i;
    *count = n;
    return 0;
}

int rtm_tile_parse_grid(const char *s, int *index, int *rows, int *cols)
{
    const char *slash = s ? strchr(s, '/') : NULL, *x = slash ? strchr(slash, 'x') : NULL;
    int i, r, c;
    if (!x)
        return rtm_tile_parse(s, index, rows) ? -1 : (*cols = 1, 0);
    if (whole(s, slash, RTM_TILE_MAX, &i) || whole(slash + 1, x, RTM_TILE_MAX, &r) ||
        whole(x + 1, x + 1 + strlen(x + 1), RTM_TILE_MAX, &c) || r < 1 || c < 1 ||
        c > RTM_TILE_MAX / r || i >= r * c)
        return -1;
    *index = i;
    *rows = r;
    *cols = c;
    return 0;
}

int rtm_tile_path(const char *path, int index, int count, char *buf, size_t n, rtm_error *err)
{
    /* an output folder written "dir/": its tiles go beside it, dir.tile-... */
    size_t end = strlen(path);
    const char *slash, *dot = NULL;
    int width = snprintf(NULL, 0, "%d", count - 1 > 0 ? count - 1 : 0), len, w;
    while (end > 1 && path[end - 1] == '/')
        end--;
    if (width < 2)
        width = 2;
    if (end > (size_t)INT_MAX / 2)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: output name too long: %.200s", path);
    for (size_t k = 0; k < end; k++)
        dot = path[k] == '.' ? path + k : dot;
    slash = memrchr(path, '/', end);
    if (!dot || (slash && dot < slash))
        dot = path + end;
    len = (int)(dot - path);
    w = snprintf(buf, n, "%.*s.tile-%0*d-of-%0*d.tif", len, path, width, index, width, count);
    if (w < 0 || (size_t)w >= n)
        return rtm_error_set(err, RTM_ERR_ARG, "tile: output name too long: %.200s", path);
    return 0;
}
