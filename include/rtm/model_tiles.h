/* rtm/model_tiles.h: the Risk Terrain Model's pattern table, built tile by
 * tile and merged. Part of the public API; include <rtm.h> for all of it.
 *
 * The fit of an RTM (culling, stepwise) needs the design only through its
 * pattern table: the distinct rows of the binary variables, numbered in
 * order of first appearance in row-major order, with the number of cells of
 * each, their event sum, and how many of them hold each event count (for
 * the negative binomial likelihoods). A table holds integer tallies only,
 * so the tables of consecutive tiles of rows, merged in tile order, are the
 * table of all the rows exactly, byte for byte (the floating-point sums a
 * fit needs are then formed from the tallies in one canonical order:
 * rtm_ptable_ylogy). Tiles can thus be built apart (by row blocks, by
 * processes), kept small, and sent as bytes (rtm_ptable_serialise). */
#ifndef RTM_MODEL_TILES_H
#define RTM_MODEL_TILES_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A pattern table (opaque). */
typedef struct rtm_ptable rtm_ptable;

/** The table of rows r0 .. r1 - 1 of v (a tile: consecutive study-area
 *  rows, e.g. the study cells of a band of grid rows), with counts y
 *  (v->n values; those of the tile must be whole numbers in [0, 2^53)).
 *  Returns a new table or NULL with err set (RTM_ERR_ARG: bad range,
 *  RTM_ERR_INPUT: a count that is not a whole number, RTM_ERR_NOMEM). */
rtm_ptable *rtm_ptable_build(const rtm_varset *v, size_t r0, size_t r1, const double *y,
                             rtm_error *err);

/** Append to dst the table of the rows that follow it: src's patterns in
 *  their order, those new to dst numbered after dst's, tallies added.
 *  Returns 0, RTM_ERR_ARG (different columns) or RTM_ERR_NOMEM. */
int rtm_ptable_merge(rtm_ptable *dst, const rtm_ptable *src, rtm_error *err);

/** The table as bytes (native-endian; the tallies in canonical order, so
 *  equal tables give equal bytes): *buf is malloc'd for the caller.
 *  Returns 0 or RTM_ERR_NOMEM. */
int rtm_ptable_serialise(const rtm_ptable *t, unsigned char **buf, size_t *len, rtm_error *err);

/** A table from rtm_ptable_serialise's bytes, or NULL with err set
 *  (RTM_ERR_IO: not a serialised table, truncated or inconsistent). */
rtm_ptable *rtm_ptable_deserialise(const unsigned char *buf, size_t len, rtm_error *err);

void rtm_ptable_free(rtm_ptable *t);

/** Distinct patterns m, columns p, cells in all. */
size_t rtm_ptable_count(const rtm_ptable *t);
int rtm_ptable_ncols(const rtm_ptable *t);
uint64_t rtm_ptable_ncells(const rtm_ptable *t);
/** Pattern k (< m): its column j bit, its cells and its sum of counts. */
int rtm_ptable_bit(const rtm_ptable *t, size_t k, int j);
uint64_t rtm_ptable_cells(const rtm_ptable *t, size_t k);
uint64_t rtm_ptable_sumy(const rtm_ptable *t, size_t k);
/** Sum over pattern k's cells of y log y (0 log 0 = 0), formed from the
 *  tallies in increasing y (the same value for any tiling). */
double rtm_ptable_ylogy(const rtm_ptable *t, size_t k);

/* ---- candidate variables by strips (rtm model --tile I/N) ----------------
 *
 * A strip of grid rows [r0, r1) gets every candidate variable of every
 * factor (none dropped: a column constant in one strip may vary over the
 * grid) at its study cells, from the features within reach (distances of
 * the strip's rows only; densities over the whole grid, since the
 * thresholds mean + k SD are taken over every study cell in cell order, as
 * the whole build takes them), as a pattern table: the strip's distinct
 * rows numbered in order of first appearance, and each cell's number. The
 * strips' tables, merged in strip order (rtm_varset_from_strips), give the
 * candidate set rtm_variables_build gives, byte for byte: the same columns
 * (those constant over all study cells dropped), rows and numbering. */

/** One strip's candidate variables (opaque). */
typedef struct rtm_varstrip rtm_varstrip;

/** Build the strip of grid rows [r0, r1) (arguments as rtm_variables_build).
 *  Returns 0 and *out (free with rtm_varstrip_free), or an error code. */
int rtm_variables_build_strip(const rtm_grid *g, const unsigned char *mask,
                              const rtm_factor_spec *f, int nf, const rtm_var_opts *o, int r0,
                              int r1, rtm_varstrip **out, rtm_error *err);

/** The strip's study cells (in cell order), and the pattern number of each
 *  (a built strip; NULL for one read back from bytes). */
size_t rtm_varstrip_cells(const rtm_varstrip *s);
const uint32_t *rtm_varstrip_row_pat(const rtm_varstrip *s);
/** Its distinct patterns. */
size_t rtm_varstrip_npat(const rtm_varstrip *s);

/** The strip without its per-cell numbers (which travel as a raster), as
 *  bytes (native-endian, with this build's struct sizes; equal strips give
 *  equal bytes): *buf malloc'd for the caller. 0 or RTM_ERR_NOMEM. */
int rtm_varstrip_serialise(const rtm_varstrip *s, unsigned char **buf, size_t *len,
                           rtm_error *err);
/** A strip from those bytes, or NULL with err set (RTM_ERR_INPUT: not a
 *  strip of this build, truncated or inconsistent). */
rtm_varstrip *rtm_varstrip_deserialise(const unsigned char *buf, size_t len, rtm_error *err);
void rtm_varstrip_free(rtm_varstrip *s);

/** The candidate set of the whole grid from its n strips in order: strip i
 *  is grid rows rows[i] .. rows[i + 1] - 1 (rows[0] = 0, rows[n] = nrows),
 *  and ids holds every study cell's pattern number in its strip's table (a
 *  grid of doubles; other cells are not read). Returns 0 and *out, or
 *  RTM_ERR_INPUT (strips of other variables, or a number that is not one of
 *  its strip's patterns), RTM_ERR_NOMEM. */
int rtm_varset_from_strips(const rtm_grid *g, const unsigned char *mask,
                           rtm_varstrip *const *s, const int *rows, int n, const double *ids,
                           rtm_varset **out, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
