/* output/tile_priv.h (library-private): what the tile writer and the merge
 * share. */
#ifndef RTM_OUTPUT_TILE_PRIV_H
#define RTM_OUTPUT_TILE_PRIV_H

#include <stddef.h>
#include "rtm/tile.h"

/* SHA-256 (hex) of a tile's values: nbands planes of rows x width doubles,
 * the planes `plane` values apart from v and the rows `stride` apart (a
 * tile's own buffer: stride = width, plane = its cells; the whole grid:
 * stride = ncols, plane = ncells, v at the tile's first cell). The same
 * values give the same digest either way. 0 or -1 (no memory). */
int rtm_tile_values_sha(const double *v, size_t plane, size_t stride, size_t width, size_t rows,
                        int nbands, char hex[65]);

/* Tile file `file` (in: its metadata; tile in->tile.index of n): its
 * partials file read, checked against the SHA-256 the tile recorded and
 * given to t->take_parts. 0 or an error naming the file. */
int rtm_tile_parts_take_one(const char *file, const rtm_tile_info *in, int n,
                            const rtm_tiled *t, rtm_error *err);

#endif
