/* tiled.c: running a tiled product (rtm/tile.h) - whole, one tile, or the
 * merge of tile files; every way ends in the same finish step, so a merged
 * run writes what the whole run writes. */
#include "rtm/tile.h"
#include "product/product_priv.h"
#include "core/hugepage.h"
#include "core/mpi.h"

#include <stdlib.h>
#include <string.h>

void rtm_tiling_init(rtm_tiling *h)
{
    memset(h, 0, sizeof *h);
}

static double *alloc_planes(const rtm_tiled *t, size_t cells, rtm_error *err)
{
    double *v;
    if (t->nbands < 1 || t->nbands > RTM_TILE_MAX_BANDS ||
        cells > ((size_t)-1 / sizeof *v) / (size_t)t->nbands) {
        rtm_error_set(err, RTM_ERR_ARG, "%s: %d bands of %zu cells", t->product, t->nbands,
                      cells);
        return NULL;
    }
    if (!(v = malloc(cells * (size_t)t->nbands * sizeof *v)))
        rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory for %zu cells", t->product, cells);
    else
        rtm_hugepages(v, cells * (size_t)t->nbands * sizeof *v);
    return v;
}

/* A product with partials: strip tile's, written to the tile's partials
 * file, their SHA-256 into sha ("" without partials). */
static int write_parts(const rtm_tiled *t, const rtm_tiling *h, const rtm_tile *tile,
                       char sha[65], rtm_error *err)
{
    char path[4096];
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc;
    sha[0] = '\0';
    if (!t->partials)
        return 0;
    if (!h->parts_path && (rc = rtm_tile_parts_path(h->tile_path, path, sizeof path, err)))
        return rc;
    if (!(rc = t->partials(t->ctx, tile, &buf, &len, err)))
        rc = rtm_tile_parts_write(h->parts_path ? h->parts_path : path, buf, len, sha, err);
    free(buf);
    return rc;
}

/* A rectangle's columns of its strip's planes, moved to the front of v
 * (nbands planes of rows x (c1 - c0) values). */
static void crop(const rtm_tiled *t, const rtm_tile *tile, double *v)
{
    size_t nc = (size_t)t->grid.ncols, w = (size_t)(tile->c1 - tile->c0), k = 0;
    size_t rows = (size_t)(tile->r1 - tile->r0);
    for (int b = 0; b < t->nbands; b++)
        for (size_t r = 0; r < rows; r++, k += w) /* never overlaps forwards: k <= source */
            memmove(v + k, v + ((size_t)b * rows + r) * nc + (size_t)tile->c0, w * sizeof *v);
}

/* One tile: compute its strip (a rectangle: the strip of its rows, then its
 * columns) and write the tile file. */
static int one_tile(const rtm_tiled *t, const rtm_tiling *h, rtm_error *err)
{
    rtm_tile tile;
    char sha[65];
    double *v;
    int cols = h->cols > 1 ? h->cols : 1, rc;
    if (!h->tile_path)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: no tile file name", t->product);
    if (cols > 1 && t->partials)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: its tiles are strips of whole rows (--tile "
                             "I/N), not rectangles (I/RxC)", t->product);
    if (h->count % cols)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: %d tiles are not a layout of %d column "
                             "bands", t->product, h->count, cols);
    if ((rc = rtm_tile_plan_grid(&t->grid, h->index, h->count / cols, cols, &tile, err)))
        return rc;
    if (!(v = alloc_planes(t, (size_t)(tile.r1 - tile.r0) * (size_t)t->grid.ncols, err)))
        return err->code;
    if (!(rc = t->compute(t->ctx, &tile, v, err)) && cols > 1)
        crop(t, &tile, v);
    if (!rc && !(rc = write_parts(t, h, &tile, sha, err)))
        rc = rtm_tile_write(h->tile_path, &t->grid, &tile, t->product, t->nbands, v, h->args,
                            h->nargs, t->inputs, sha, err);
    free(v);
    return rc;
}

/* Copy strip s (its planes) into the whole grid's planes. */
static void place(const rtm_tiled *t, const rtm_tile *tile, const double *s, double *v)
{
    size_t cells = rtm_grid_ncells(&t->grid), nc = (size_t)t->grid.ncols;
    size_t strip = (size_t)(tile->r1 - tile->r0) * nc;
    for (int b = 0; b < t->nbands; b++)
        memcpy(v + (size_t)b * cells + (size_t)tile->r0 * nc, s + (size_t)b * strip,
               strip * sizeof *s);
}

/* Strips of a whole run: as many as asked (h->strips), and at least as
 * many as keep each within the product's strip_cells (whole rows: the plan's
 * strips differ by a row at most, so ceil(rows / rows-per-strip) strips are
 * each within it; a row wider than strip_cells is a strip); at most one a row. */
static int whole_strips(const rtm_tiled *t, const rtm_tiling *h)
{
    size_t n = h->strips > 1 ? (size_t)h->strips : 1, rows = (size_t)t->grid.nrows;
    if (t->strip_cells > 0 && t->grid.ncols > 0) {
        size_t per = t->strip_cells / (size_t)t->grid.ncols, need;
        per = per > 0 ? per : 1;
        need = rows / per + (rows % per > 0);
        n = need > n ? need : n;
    }
    return (int)(n < rows ? n : rows > 0 ? rows : 1);
}

/* Whole run: one strip computes straight into the grid; more strips (the
 * same result) through a strip buffer. */
static int whole(const rtm_tiled *t, const rtm_tiling *h, double *v, rtm_error *err)
{
    int n = t->whole_only ? 1 : whole_strips(t, h), rc = 0;
    rtm_tile tile;
    double *s = NULL;
    if (n == 1) {
        if ((rc = rtm_tile_plan(&t->grid, 0, 1, &tile, err)))
            return rc;
        return t->compute(t->ctx, &tile, v, err);
    }
    for (int i = 0; !rc && i < n; i++) {
        if ((rc = rtm_tile_plan(&t->grid, i, n, &tile, err)))
            break;
        /* strip 0 is the longest (the plan gives the first ones a row more) */
        if (!s && !(s = alloc_planes(t, (size_t)(tile.r1 - tile.r0) * (size_t)t->grid.ncols,
                                     err)))
            return err->code;
        if (!(rc = t->compute(t->ctx, &tile, s, err)))
            place(t, &tile, s, v);
    }
    free(s);
    return rc;
}

/* Strips per rank of an MPI job: a few, interleaved, so that rows of many
 * events (and so more work) fall to every rank. */
#define STRIPS_PER_RANK 4

/* This rank's strips of n (i with i % size == rank), computed one after
 * the other into *mine (each strip its nbands planes). */
static int spread_compute(const rtm_tiled *t, int n, int rank, int size, double **mine,
                          rtm_error *err)
{
    size_t rows = 0, off = 0, nc = (size_t)t->grid.ncols;
    rtm_tile tile;
    int rc = 0;
    for (int i = rank; i < n; i += size) {
        if ((rc = rtm_tile_plan(&t->grid, i, n, &tile, err)))
            return rc;
        rows += (size_t)(tile.r1 - tile.r0);
    }
    if (!(*mine = alloc_planes(t, rows ? rows * nc : 1, err)))
        return err->code;
    for (int i = rank; !rc && i < n; i += size) {
        if (!(rc = rtm_tile_plan(&t->grid, i, n, &tile, err)))
            rc = t->compute(t->ctx, &tile, *mine + off, err);
        off += (size_t)(tile.r1 - tile.r0) * nc * (size_t)t->nbands;
    }
    return rc;
}

/* Rank 0's side of the exchange: strip i from rank i % size, in strip
 * order, its own strips from mine, straight into the grid's planes. */
static int spread_gather(const rtm_tiled *t, int n, int size, const double *mine, double *v,
                         rtm_error *err)
{
    size_t cells = rtm_grid_ncells(&t->grid), nc = (size_t)t->grid.ncols;
    rtm_tile tile;
    int rc = 0;
    for (int i = 0; !rc && i < n; i++) {
        size_t strip;
        if ((rc = rtm_tile_plan(&t->grid, i, n, &tile, err)))
            break;
        strip = (size_t)(tile.r1 - tile.r0) * nc;
        if (i % size == 0) {
            place(t, &tile, mine, v);
            mine += strip * (size_t)t->nbands;
            continue;
        }
        for (int b = 0; !rc && b < t->nbands; b++)
            rc = rtm_mpi_recv_doubles(i % size, v + (size_t)b * cells + (size_t)tile.r0 * nc,
                                      strip, err);
    }
    return rc;
}

/* A rank's side of the exchange: its strips to rank 0, plane by plane (as
 * spread_gather receives them). */
static int spread_send(const rtm_tiled *t, int n, int rank, int size, const double *mine,
                       rtm_error *err)
{
    size_t nc = (size_t)t->grid.ncols;
    rtm_tile tile;
    int rc = 0;
    for (int i = rank; !rc && i < n; i += size) {
        size_t strip;
        if ((rc = rtm_tile_plan(&t->grid, i, n, &tile, err)))
            break;
        strip = (size_t)(tile.r1 - tile.r0) * nc;
        for (int b = 0; !rc && b < t->nbands; b++, mine += strip)
            rc = rtm_mpi_send_doubles(0, mine, strip, err);
    }
    return rc;
}

/* A whole run shared by the ranks of an MPI job (README "MPI"): a plan of
 * n strips, strip i computed by rank i % size; after every rank has agreed
 * that all succeeded, the others send their strips to rank 0 in strip order
 * (point to point: values copied, never summed, so the grid is the one
 * process's to the byte). *out: the grid on rank 0, NULL on the others. */
static int spread(const rtm_tiled *t, const rtm_tiling *h, double **out, rtm_error *err)
{
    int rank = rtm_mpi_rank(), size = rtm_mpi_size(), n = STRIPS_PER_RANK * size, rc;
    int w = whole_strips(t, h);
    double *mine = NULL, *v = NULL;
    *out = NULL;
    n = w > n ? w : n;
    n = n > t->grid.nrows ? t->grid.nrows : n;
    rc = n < 1 ? rtm_error_set(err, RTM_ERR_ARG, "%s: an empty grid", t->product)
               : spread_compute(t, n, rank, size, &mine, err);
    if (!rc && rank == 0 && !(v = alloc_planes(t, rtm_grid_ncells(&t->grid), err)))
        rc = err->code;
    if (!(rc = rtm_mpi_agree(rc, err))) {
        if (rank == 0)
            rc = spread_gather(t, n, size, mine, v, err);
        else
            rc = spread_send(t, n, rank, size, mine, err);
    }
    free(mine);
    if (rc)
        free(v);
    else
        *out = v;
    return rc;
}

int rtm_tiled_run(const rtm_tiled *t, const rtm_tiling *h, rtm_error *err)
{
    double *v;
    int rc;
    if (t->partials && h->count == 0 && h->nmerge == 0)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: with partials, only tiles and merges run "
                             "here (the product runs whole by its own path)", t->product);
    if (rtm_mpi_size() > 1) { /* an MPI job: tiles, merges and whole grids are rank 0's */
        if (h->count > 0 || h->nmerge > 0 || t->whole_only) {
            int was = rtm_mpi_alone(1);
            rc = rtm_mpi_rank() == 0 ? rtm_tiled_run(t, h, err) : 0;
            rtm_mpi_alone(was);
            return rc;
        }
        if ((rc = spread(t, h, &v, err)) || !v)
            return rc;
        return t->finish(t->ctx, v, err);
    }
    if (h->count > 0)
        return one_tile(t, h, err);
    if (!(v = alloc_planes(t, rtm_grid_ncells(&t->grid), err)))
        return err->code;
    if (h->nmerge > 0)
        rc = rtm_tile_assemble(h->merge, h->nmerge, t, v, err);
    else
        rc = whole(t, h, v, err);
    if (rc) {
        free(v);
        return rc;
    }
    return t->finish(t->ctx, v, err);
}

int rtm_prod_tiled(const rtm_tiled *t, const rtm_tiling *h, rtm_outset *out, rtm_error *err)
{
    rtm_tiling one = *h;
    char parts[4096];
    int rc;
    if (h->count > 0) { /* the tile file (and its partials) are the set's outputs */
        if (!h->tile_path)
            return rtm_error_set(err, RTM_ERR_ARG, "%s: no tile file name", t->product);
        if (!(one.tile_path = rtm_outset_file(out, h->tile_path, err)))
            return err->code;
        if (t->partials &&
            ((rc = rtm_tile_parts_path(h->tile_path, parts, sizeof parts, err)) ||
             !(one.parts_path = rtm_outset_file(out, parts, err))))
            return err->code;
    }
    return rtm_tiled_run(t, &one, err);
}
