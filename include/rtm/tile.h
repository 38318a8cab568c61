/* rtm/tile.h: tiles of the grid - one surface computed in pieces (on one
 * machine, by a batch array or by MPI ranks) with the same bytes as the
 * whole.
 *
 * A tile is a strip of whole grid rows [r0, r1). Every tileable product
 * computes a strip from the inputs within its halo (kernel radius, distance
 * reach, Gi* band) with the cells' global row and column numbers, so each
 * cell's value is the same sum, in the same order, as in the whole grid:
 * strips keep the column alignment of every engine (the KDE's 32-column
 * segments, the distance engine's 64-cell blocks) and points are taken in
 * their input order. What needs the whole grid (map colour scales and
 * classes, Gi*'s global mean and SD and its FDR bins, GeoTIFF statistics)
 * is done once, by the product's finish step, from the assembled strips.
 *
 * A tile may also be a rectangle: a strip's rows x a band of columns made of
 * whole RTM_TILE_COL_STEP-column blocks (`--tile I/RxC`). It is computed as
 * the strip of its rows and cut to its columns: the KDE then reads only the
 * points within reach of those columns (rtm_kde_opts.col0, col1: a point
 * adds only to the columns its chord covers, so the others change none of
 * their values), the distance only the blocks that meet them
 * (rtm_distance_compute_window); the other products compute the strip's
 * rows whole (the same values, more work). Products with partials (the RTM) take strips
 * only.
 *
 * Three ways to run a tiled product (rtm_tiled_run):
 *   whole     compute every strip in this process, then finish;
 *   one tile  (`--tile I/N`) compute strip I of N and write it to a tile file
 *             (a float64 GeoTIFF of the strip with the command line, the
 *             strip and a SHA-256 of its values in its metadata);
 *   merge     (`rtm merge TILES...`) read the N tile files through a GDAL
 *             VRT, check them (same command, grid and N; every strip once;
 *             checksums) and finish, writing what the whole run writes.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_TILE_H
#define RTM_TILE_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_TILE_MAX 100000  /**< most tiles of one grid */
#define RTM_TILE_MAX_BANDS 1024 /**< most values per cell of a tiled product */

/** A rectangle of a grid: rows [r0, r1) x columns [c0, c1), tile index of
 *  count in a layout of rows x cols tiles (a strip of whole rows: cols 1,
 *  c0 0, c1 ncols). */
typedef struct rtm_tile {
    int index, count;   /**< 0 <= index < count = rows x cols */
    int r0, r1;         /**< 0 <= r0 < r1 <= nrows */
    int c0, c1;         /**< 0 <= c0 < c1 <= ncols */
    int rows, cols;     /**< the layout: tile index is row band index / cols, column band
                             index % cols */
} rtm_tile;

/** Columns a tile's column bands are made of (a multiple of the KDE's
 *  32-column segments and of the distance engine's 64-cell blocks). */
#define RTM_TILE_COL_STEP 64

/** Strip index of count of grid g: the rows split as evenly as possible
 *  (the first nrows % count strips one row longer). count may not exceed
 *  the rows. Returns 0 or RTM_ERR_ARG. */
int rtm_tile_plan(const rtm_grid *g, int index, int count, rtm_tile *t, rtm_error *err);

/** Rectangle index of a layout of rows x cols tiles: the rows split as
 *  rtm_tile_plan splits them into `rows` strips, the columns into `cols`
 *  bands of whole RTM_TILE_COL_STEP-column blocks (the last band ends at the
 *  grid's edge), as evenly as possible. Returns 0 or RTM_ERR_ARG (more
 *  strips than rows, more bands than blocks, more than RTM_TILE_MAX tiles). */
int rtm_tile_plan_grid(const rtm_grid *g, int index, int rows, int cols, rtm_tile *t,
                       rtm_error *err);

/** Parse "I/N" (0 <= I < N <= RTM_TILE_MAX, whole numbers) into index and
 *  count. Returns 0 or -1. */
int rtm_tile_parse(const char *s, int *index, int *count);

/** Parse "I/N" (strips: rows N, cols 1) or "I/RxC" (rows R, cols C; 0 <= I <
 *  R x C <= RTM_TILE_MAX). Returns 0 or -1. */
int rtm_tile_parse_grid(const char *s, int *index, int *rows, int *cols);

/** The tile file name of output `path` for tile index of count:
 *  "kde.tif" -> "kde.tile-03-of-12.tif" (the index zero-padded to the width
 *  of count, so that names sort in tile order). Returns 0 or RTM_ERR_ARG
 *  (name too long). */
int rtm_tile_path(const char *path, int index, int count, char *buf, size_t n, rtm_error *err);

/** A product that can be computed in strips. */
typedef struct rtm_tiled {
    const char *product;  /**< "kde", "distance", "hotspots" (recorded in tiles) */
    int nbands;           /**< values per cell a strip holds (1 .. RTM_TILE_MAX_BANDS) */
    rtm_grid grid;        /**< the whole grid */
    /** Compute strip t into v: nbands planes of (t->r1 - t->r0) x ncols
     *  values, plane after plane. For a rectangle (t->cols > 1) only columns
     *  t->c0 .. t->c1 - 1 are kept (a product may read only the inputs
     *  within reach of them). Returns 0 or an error code (err set). */
    int (*compute)(void *ctx, const rtm_tile *t, double *v, rtm_error *err);
    /** Finish from the whole grid's values (nbands planes of ncells, malloc'd:
     *  finish owns them, it frees or keeps them): write the product's files.
     *  Called once, on the process that writes. */
    int (*finish)(void *ctx, double *v, rtm_error *err);
    void *ctx;
    int whole_only;       /**< 1: this run's strips cannot be computed apart (the KDE's
                               edge correction, adaptive radii): under MPI rank 0
                               computes the whole grid alone */
    char inputs[65];      /**< SHA-256 (hex) of the inputs as the product read them
                               (rtm_prod_inputs_digest: grid, mask, events, features),
                               recorded in every tile; the merge refuses tiles made from
                               other inputs than it reads. "" = not recorded */
    /** Optional (NULL: none), for a product whose global step needs more than
     *  the cells' values (the RTM: each strip's pattern table): the partials
     *  of strip t, just computed, as malloc'd bytes (*buf, *len) that the
     *  caller frees. A tile run writes them beside its tile file
     *  (rtm_tile_parts_path), their SHA-256 recorded in the tile. */
    int (*partials)(void *ctx, const rtm_tile *t, unsigned char **buf, size_t *len,
                    rtm_error *err);
    /** With partials: strip index of n's partials, given in strip order
     *  (0 .. n-1) by a merge before finish (read from the tiles' files,
     *  checksums verified). A product with partials runs whole by its own
     *  path: rtm_tiled_run makes only its tiles and merges. */
    int (*take_parts)(void *ctx, int index, int n, const unsigned char *buf, size_t len,
                      rtm_error *err);
    /** A whole run (and an MPI job's strips) in strips of at most this many
     *  cells, so that a product whose strip needs scratch beside its values
     *  keeps it bounded on a large grid; 0: no bound (one strip). The values
     *  do not depend on it. */
    size_t strip_cells;
} rtm_tiled;

/** How to run it (rtm_tiling_init: whole, in this process). */
typedef struct rtm_tiling {
    int index, count;              /**< count > 0: compute only tile index of count and
                                        write it to tile_path */
    int cols;                      /**< column bands of the layout (count = count / cols
                                        strips x cols bands); 0 or 1: strips of whole rows.
                                        Not with partials */
    const char *tile_path;         /**< the tile file (with count > 0) */
    const char *parts_path;        /**< its partials file, for a product with partials
                                        (NULL: rtm_tile_parts_path of tile_path) */
    const char *const *args;       /**< the command line that made the tile, recorded in it
                                        (the merge runs it again to finish); nargs words */
    int nargs;
    const char *const *merge;      /**< tile files to assemble instead of computing */
    int nmerge;
    int strips;                    /**< whole run: strips to compute it in (0 = 1, or
                                        as the product's strip_cells needs: the larger);
                                        the result does not depend on it */
    const char *tile_base;         /**< the output path the tiles are named from
                                        (rtm_tile_path), so that a tile can find its
                                        siblings' files; NULL: none looked for */
    int stats_only;                /**< with count > 0, for a product whose strips take a
                                        global step from per-strip statistics (the RTM's
                                        density thresholds): write only tile index's
                                        statistics (tile file name, ".stats") */
} rtm_tiling;

void rtm_tiling_init(rtm_tiling *h);

/** Run t as h says. Whole and merge runs call t->finish; a one-tile run
 *  writes only its tile file (atomically: a temporary name, then rename).
 *  Returns 0 or an error code. */
int rtm_tiled_run(const rtm_tiled *t, const rtm_tiling *h, rtm_error *err);

/** What a tile file holds (rtm_tile_read_info). */
typedef struct rtm_tile_info {
    char product[32];
    rtm_tile tile;
    int nbands;
    rtm_grid grid;        /**< the whole grid (CRS not filled) */
    char **args;          /**< the command line (nargs words, NULL-terminated), owned */
    int nargs;
    char sha256[65];      /**< of the strip's values (little-endian doubles, plane order) */
    char inputs[65];      /**< the product's inputs digest ("" when not recorded) */
    char parts[65];       /**< SHA-256 of its partials file ("" when it has none) */
} rtm_tile_info;

/** Read the metadata of tile file path. Returns 0 or RTM_ERR_IO /
 *  RTM_ERR_INPUT (not an rtm tile). Free with rtm_tile_info_free. */
int rtm_tile_read_info(const char *path, rtm_tile_info *info, rtm_error *err);
void rtm_tile_info_free(rtm_tile_info *info);

/** Write strip t of product (nbands planes of its cells, v) to tile file
 *  path, atomically, recording args (the command line, nargs words), inputs
 *  (the inputs digest, or "" / NULL) and parts (the SHA-256 of its partials
 *  file, or "" / NULL). Returns 0 or an error code. */
int rtm_tile_write(const char *path, const rtm_grid *g, const rtm_tile *t, const char *product,
                   int nbands, const double *v, const char *const *args, int nargs,
                   const char *inputs, const char *parts, rtm_error *err);

/** The partials file of tile file `path`: "model.tile-3-of-8.tif" ->
 *  "model.tile-3-of-8.parts" (".parts" appended when the name has no .tif).
 *  Returns 0 or RTM_ERR_ARG (name too long). */
int rtm_tile_parts_path(const char *path, char *buf, size_t n, rtm_error *err);
/** A file beside tile file `path` named with extension ext for its ".tif"
 *  (appended when it has none): rtm_tile_parts_path's ".parts", the RTM's
 *  ".stats". Returns 0 or RTM_ERR_ARG (name too long). */
int rtm_tile_sibling_path(const char *path, const char *ext, char *buf, size_t n,
                          rtm_error *err);

/** Write a tile's partials (len bytes) to path, atomically, and their
 *  SHA-256 (hex) into sha. Returns 0 or an error code. */
int rtm_tile_parts_write(const char *path, const unsigned char *buf, size_t len, char sha[65],
                         rtm_error *err);
/** Read a partials file (or another file of a tile's, at most as large)
 *  whole into *buf (malloc'd), *len. Returns 0, RTM_ERR_IO (cannot open or
 *  read) or RTM_ERR_INPUT (not a regular file, too large). */
int rtm_tile_parts_read(const char *path, unsigned char **buf, size_t *len, rtm_error *err);


/** Assemble the n tile files of t's grid into v (nbands planes of ncells),
 *  through a GDAL VRT: every file must be a tile of t->product on t's grid
 *  made by the same command line as the first file and from the same inputs
 *  as t->inputs (when t records them), the n files tiles 0 .. n-1 of n once
 *  each, and every strip must match its recorded checksum. With
 *  t->take_parts, each tile's partials file is then read, checked against
 *  the SHA-256 its tile recorded and given to take_parts in strip order.
 *  Returns 0 or an error naming the file (RTM_ERR_INPUT, RTM_ERR_IO). */
int rtm_tile_assemble(const char *const *files, int n, const rtm_tiled *t, double *v,
                      rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
