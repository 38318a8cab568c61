/* tile_merge.c: the merge of tile files (rtm/tile.h) - check that the files
 * are the N strips of one run of one command, read them through a GDAL VRT
 * into the whole grid, and verify each strip's checksum. */
#include "rtm/tile.h"
#include "core/gdal.h"
#include "core/sha256.h"
#include "output/tile_priv.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_grid(const rtm_grid *a, const rtm_grid *b)
{
    return a->ncols == b->ncols && a->nrows == b->nrows && a->x0 == b->x0 && a->y0 == b->y0 &&
           a->res == b->res;
}

static int same_args(const rtm_tile_info *a, const rtm_tile_info *b)
{
    if (a->nargs != b->nargs)
        return 0;
    for (int k = 0; k < a->nargs; k++)
        if (strcmp(a->args[k], b->args[k]))
            return 0;
    return 1;
}

/* One tile's info against the run's (the first file's) and the product. */
static int check_one(const rtm_tiled *t, const rtm_tile_info *first, const rtm_tile_info *in,
                     const char *path, int n, rtm_error *err)
{
    rtm_tile want;
    int rc;
    if (strcmp(in->product, t->product) || in->nbands != t->nbands)
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' is a tile of '%s' (%d bands), "
                             "not of %s", path, in->product, in->nbands, t->product);
    if (!same_grid(&in->grid, &t->grid))
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' is a tile of another grid (%d x %d "
                             "cells) than the command's (%d x %d)", path, in->grid.ncols,
                             in->grid.nrows, t->grid.ncols, t->grid.nrows);
    if (!same_args(first, in))
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' was made by another command line "
                             "than the first tile's", path);
    if (t->inputs[0] && strcmp(in->inputs, t->inputs))
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' was made from other inputs than "
                             "the merge reads now (%s): make the tiles again from the same "
                             "files", path, in->inputs[0] ? "events, study area or layers "
                             "changed since" : "it records none");
    if (in->tile.count != n)
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' is tile %d of %d, but %d tile "
                             "file%s given", path, in->tile.index, in->tile.count, n,
                             n == 1 ? " was" : "s were");
    if (in->tile.rows != first->tile.rows || in->tile.cols != first->tile.cols)
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' is a tile of a %d x %d layout, the "
                             "first tile's is %d x %d", path, in->tile.rows, in->tile.cols,
                             first->tile.rows, first->tile.cols);
    if ((rc = rtm_tile_plan_grid(&t->grid, in->tile.index, in->tile.rows, in->tile.cols, &want,
                                 err)))
        return rc;
    if (want.r0 != in->tile.r0 || want.r1 != in->tile.r1 || want.c0 != in->tile.c0 ||
        want.c1 != in->tile.c1)
        return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' holds rows %d..%d, columns %d..%d; "
                             "tile %d/%d is rows %d..%d, columns %d..%d", path, in->tile.r0,
                             in->tile.r1 - 1, in->tile.c0, in->tile.c1 - 1, in->tile.index, n,
                             want.r0, want.r1 - 1, want.c0, want.c1 - 1);
    return 0;
}

/* Infos of every file, in tile order (order[index] = file). */
static int read_all(const char *const *files, int n, const rtm_tiled *t, rtm_tile_info *in,
                    int *order, rtm_error *err)
{
    int rc;
    for (int k = 0; k < n; k++)
        order[k] = -1;
    for (int k = 0; k < n; k++) {
        if ((rc = rtm_tile_read_info(files[k], &in[k], err)))
            return rc;
        if ((rc = check_one(t, &in[0], &in[k], files[k], n, err)))
            return rc;
        if (order[in[k].tile.index] >= 0)
            return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' and '%s' are both tile %d/%d",
                                 files[order[in[k].tile.index]], files[k], in[k].tile.index, n);
        order[in[k].tile.index] = k;
    }
    return 0;
}

static int read_vrt(const char *const *names, int n, const rtm_tiled *t, double *v,
                    rtm_error *err)
{
    const rtm_grid *g = &t->grid;
    size_t cells = rtm_grid_ncells(g);
    GDALBuildVRTOptions *o = GDALBuildVRTOptionsNew(NULL, NULL);
    GDALDatasetH vrt;
    int bad = 0;
    if (!o)
        return rtm_error_set(err, RTM_ERR_NOMEM, "merge: out of memory");
    vrt = GDALBuildVRT("", n, NULL, names, o, &bad);
    GDALBuildVRTOptionsFree(o);
    if (!vrt)
        return rtm_error_set(err, RTM_ERR_IO, "merge: cannot build the VRT of the tiles: %s",
                             CPLGetLastErrorMsg());
    if (GDALGetRasterXSize(vrt) != g->ncols || GDALGetRasterYSize(vrt) != g->nrows ||
        GDALGetRasterCount(vrt) != t->nbands)
        bad = 1;
    for (int b = 0; !bad && b < t->nbands; b++)
        if (GDALRasterIO(GDALGetRasterBand(vrt, b + 1), GF_Read, 0, 0, g->ncols, g->nrows,
                         v + (size_t)b * cells, g->ncols, g->nrows, GDT_Float64, 0, 0) != CE_None)
            bad = 2;
    GDALClose(vrt);
    if (bad)
        return rtm_error_set(err, RTM_ERR_IO, "merge: the VRT of the tiles %s",
                             bad == 1 ? "is not the command's grid" : "cannot be read");
    return 0;
}

/* Each tile's values in the whole grid against the checksum its tile file
 * recorded when it was written. */
static int verify(const rtm_tiled *t, const rtm_tile_info *in, const int *order,
                  const char *const *files, int n, const double *v, rtm_error *err)
{
    for (int i = 0; i < n; i++) {
        const rtm_tile_info *ti = &in[order[i]];
        char hex[RTM_SHA256_HEX];
        const rtm_tile *r = &ti->tile;
        size_t nc = (size_t)t->grid.ncols;
        if (rtm_tile_values_sha(v + (size_t)r->r0 * nc + (size_t)r->c0, rtm_grid_ncells(&t->grid),
                                nc, (size_t)(r->c1 - r->c0), (size_t)(r->r1 - r->r0), t->nbands,
                                hex))
            return rtm_error_set(err, RTM_ERR_NOMEM, "merge: out of memory");
        if (strcmp(hex, ti->sha256))
            return rtm_error_set(err, RTM_ERR_INPUT, "merge: '%s' fails its checksum (changed "
                                 "or damaged since it was written)", files[order[i]]);
    }
    return 0;
}

int rtm_tile_assemble(const char *const *files, int n, const rtm_tiled *t, double *v,
                      rtm_error *err)
{
    rtm_tile_info *in = calloc((size_t)(n > 0 ? n : 1), sizeof *in);
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    const char **names = malloc((size_t)(n > 0 ? n : 1) * sizeof *names);
    int rc = 0;
    rtm_gdal_init();
    if (!in || !order || !names)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "merge: out of memory");
    else if (n < 1 || n > RTM_TILE_MAX)
        rc = rtm_error_set(err, RTM_ERR_ARG, "merge: %d tile files (1 to %d)", n, RTM_TILE_MAX);
    if (!rc && !(rc = read_all(files, n, t, in, order, err))) {
        for (int i = 0; i < n; i++)
            names[i] = files[order[i]];
        if (!(rc = read_vrt(names, n, t, v, err)))
            rc = verify(t, in, order, files, n, v, err);
        for (int i = 0; !rc && t->take_parts && i < n; i++) /* partials, in strip order */
            rc = rtm_tile_parts_take_one(files[order[i]], &in[order[i]], n, t, err);
    }
    for (int k = 0; in && k < n; k++)
        rtm_tile_info_free(&in[k]);
    free(in);
    free(order);
    free(names);
    return rc;
}
