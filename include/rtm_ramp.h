/* rtm_ramp.h: colour ramps for rasters, PNG maps and QGIS styles.
 *
 * Each ramp is a short table of colour stops at fixed positions in [0, 1];
 * colours between stops are interpolated linearly in sRGB. The sequential
 * ramps (viridis, magma, inferno, cividis) are 11 entries of matplotlib's
 * published 256-entry tables; "diverging" is ColorBrewer RdBu (11 classes)
 * running blue -> light grey -> red, for Gi* z-score bins; "ylorrd" is
 * ColorBrewer YlOrRd (9 classes) for classed maps. All functions are pure
 * and thread-safe.
 */
#ifndef RTM_RAMP_H
#define RTM_RAMP_H

#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ramp identifiers. */
enum {
    RTM_RAMP_VIRIDIS = 0,
    RTM_RAMP_MAGMA,
    RTM_RAMP_INFERNO,
    RTM_RAMP_CIVIDIS,
    RTM_RAMP_DIVERGING,  /**< blue (low) - light grey - red (high) */
    RTM_RAMP_YLORRD,     /**< light yellow (low) - dark red (high) */
    RTM_RAMP_COUNT
};

/** Look up a ramp by name ("viridis", "magma", "inferno", "cividis",
 *  "diverging", "ylorrd"; case-insensitive). name NULL or "" gives viridis.
 *  On success stores the id in *ramp and returns 0; otherwise returns
 *  RTM_ERR_ARG ("ramp: unknown ramp 'x' (expected viridis, ...)"). */
int rtm_ramp_parse(const char *name, int *ramp, rtm_error *err);

/** Lower-case name of a ramp id, or NULL if the id is out of range. */
const char *rtm_ramp_name(int ramp);

/** Colour at position t (0 = low end, 1 = high end; t is clamped to [0, 1],
 *  NaN gives the low end) into rgb[0..2]. An out-of-range ramp id is
 *  treated as viridis. */
void rtm_ramp_color(int ramp, double t, unsigned char rgb[3]);

/** Number of stops of a ramp (0 for an out-of-range id). */
int rtm_ramp_nstops(int ramp);

/** Stop k (0 <= k < rtm_ramp_nstops) of a ramp: its position in [0, 1]
 *  (increasing with k, first 0, last 1) and its colour. Returns 0, or -1 if
 *  ramp or k is out of range (outputs untouched). */
int rtm_ramp_stop(int ramp, int k, double *pos, unsigned char rgb[3]);

#ifdef __cplusplus
}
#endif
#endif
