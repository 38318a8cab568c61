/* output/tile_priv.h (library-private): what the tile writer and the merge
 * share. */
#ifndef RTM_OUTPUT_TILE_PRIV_H
#define RTM_OUTPUT_TILE_PRIV_H

#include <stddef.h>

/* SHA-256 (hex) of a strip's values: nbands planes of `cells` doubles each,
 * the planes `plane` values apart from v (a strip's own buffer: plane =
 * cells; the whole grid: plane = ncells, v at the strip's first cell).
 * 0 or -1 (no memory). */
int rtm_tile_strip_sha(const double *v, size_t plane, size_t cells, int nbands, char hex[65]);

#endif
