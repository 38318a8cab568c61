/* output/tile_priv.h (library-private): what the tile writer and the merge
 * share. */
#ifndef RTM_OUTPUT_TILE_PRIV_H
#define RTM_OUTPUT_TILE_PRIV_H

#include <stddef.h>
#include "rtm/tile.h"

/* SHA-256 (hex) of a strip's values: nbands planes of `cells` doubles each,
 * the planes `plane` values apart from v (a strip's own buffer: plane =
 * cells; the whole grid: plane = ncells, v at the strip's first cell).
 * 0 or -1 (no memory). */
int rtm_tile_strip_sha(const double *v, size_t plane, size_t cells, int nbands, char hex[65]);

/* Tile file `file` (in: its metadata; tile in->tile.index of n): its
 * partials file read, checked against the SHA-256 the tile recorded and
 * given to t->take_parts. 0 or an error naming the file. */
int rtm_tile_parts_take_one(const char *file, const rtm_tile_info *in, int n,
                            const rtm_tiled *t, rtm_error *err);

#endif
