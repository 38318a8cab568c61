/* rtm/model_tiles.h: the Risk Terrain Model's candidate variables built
 * strip by strip (`rtm model|forecast --tile I/N`) and merged into the
 * whole grid's set. Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_MODEL_TILES_H
#define RTM_MODEL_TILES_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A strip of grid rows [r0, r1) gets every candidate variable of every
 * factor (none dropped: a column constant in one strip may vary over the
 * grid) at its study cells, from the features within reach (distances of
 * the strip's rows only; densities of the strip's rows, and each density's
 * threshold mean + k SD over every study cell from per-row statistics: a
 * row's count, mean and sum of squared deviations, combined in row order
 * (Chan, Golub & LeVeque 1983), as the whole build combines them. Those
 * statistics are either computed by the strip itself, in one streaming
 * pass over every row the kernels reach, or given: the strips' own rows'
 * statistics (rtm_variables_density_stats), joined in order), as a
 * pattern table: the strip's distinct
 * rows numbered in order of first appearance, and each cell's number. The
 * strips' tables, merged in strip order (rtm_varset_from_strips), give the
 * candidate set rtm_variables_build gives, byte for byte: the same columns
 * (those constant over all study cells dropped), rows and numbering. */

/** One strip's candidate variables (opaque). */
typedef struct rtm_varstrip rtm_varstrip;
/** The per-row statistics of every density variable over some rows (opaque). */
typedef struct rtm_varstats rtm_varstats;

/** Build the strip of grid rows [r0, r1) (arguments as rtm_variables_build).
 *  given: NULL, or the statistics of every row (rtm_varstats_join), which
 *  spare the strip the other rows' densities. Returns 0 and *out (free with
 *  rtm_varstrip_free), or an error code (RTM_ERR_INPUT: given holds other
 *  densities than these options make). */
int rtm_variables_build_strip(const rtm_grid *g, const unsigned char *mask,
                              const rtm_factor_spec *f, int nf, const rtm_var_opts *o, int r0,
                              int r1, const rtm_varstats *given, rtm_varstrip **out,
                              rtm_error *err);

/** The statistics of grid rows [r0, r1) of every density variable (the
 *  factors' density operationalizations at each ladder step, factor order;
 *  arguments as rtm_variables_build): the densities of those rows only.
 *  Returns 0 and *out (free with rtm_varstats_free), or an error code. */
int rtm_variables_density_stats(const rtm_grid *g, const unsigned char *mask,
                                const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                                int r0, int r1, rtm_varstats **out, rtm_error *err);
/** Join n sets of consecutive rows, in row order, into the statistics of
 *  every row. Returns 0 and *out, or RTM_ERR_INPUT (other variables, a gap,
 *  an overlap, rows missing at either end), RTM_ERR_NOMEM. */
int rtm_varstats_join(rtm_varstats *const *parts, int n, rtm_varstats **out, rtm_error *err);
/** The rows a set holds: [*r0, *r1) of *nrows; and its variables. */
void rtm_varstats_rows(const rtm_varstats *s, int *r0, int *r1, int *nrows);
int rtm_varstats_nvar(const rtm_varstats *s);
/** As bytes (little-endian, exact doubles), *buf malloc'd for the caller;
 *  and back (NULL with err set, RTM_ERR_INPUT, when the bytes are not a
 *  set: wrong magic, truncated, inconsistent counts). */
int rtm_varstats_serialise(const rtm_varstats *s, unsigned char **buf, size_t *len,
                           rtm_error *err);
rtm_varstats *rtm_varstats_deserialise(const unsigned char *buf, size_t len, rtm_error *err);
void rtm_varstats_free(rtm_varstats *s);

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
