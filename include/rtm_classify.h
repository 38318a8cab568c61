/* rtm_classify.h: class breaks for choropleth / heatmap legends.
 *
 * A classification turns the values of a surface into `nclasses` ordered
 * classes described by nclasses+1 breaks b[0] <= b[1] <= ... <= b[n]:
 * b[0] is the smallest and b[n] the largest classified value. Class k holds
 * the values in (b[k], b[k+1]]; class 0 is closed below, [b[0], b[1]].
 * Upper bounds are inclusive, as in ArcGIS/QGIS legends ("up to b[k+1]").
 *
 * Only "present" cells are classified: inside the mask (mask == NULL means
 * every cell), finite, and non-zero. Zero cells (no density) and nodata cells
 * are excluded here and drawn transparent on maps.
 *
 * Every method is deterministic (values are sorted first; sums run in sorted
 * order). Breaks may repeat when many values tie (e.g. quantiles of counts):
 * a repeated break gives an empty class, which legends should still show.
 */
#ifndef RTM_CLASSIFY_H
#define RTM_CLASSIFY_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of classes rtm_classify accepts. */
#define RTM_CLASS_MAX 32

typedef enum rtm_class_method {
    /** Quantiles: b[k] = Q(k/n), Hyndman & Fan (1996) type 7 (R's default
     *  quantile(), numpy's "linear"): with sorted x[0..N-1], h = (N-1)p,
     *  Q(p) = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). */
    RTM_CLASS_QUANTILE,
    /** Equal intervals: b[k] = min + k (max - min) / n. */
    RTM_CLASS_EQUAL,
    /** Standard-deviation classes above the mean (hot-spot practice):
     *  b[0] = min, b[k] = mean + (k-1) SD for k = 1..n-1, b[n] = max, so the
     *  classes are "below the mean", "mean to +1 SD", "+1 to +2 SD", ...,
     *  and the top class is everything above mean + (n-2) SD. SD is the
     *  population standard deviation (divisor N). Breaks beyond max are
     *  clamped to max (the classes above are then empty). */
    RTM_CLASS_STDDEV,
    /** Multiples of the mean of the non-zero cells (UK Home Office crime
     *  mapping practice, Chainey 2014, "incremental multiples of the grid
     *  cell mean"): b[0] = min, b[k] = 2^(k-1) mean for k = 1..n-1,
     *  b[n] = max, i.e. thresholds at 1x, 2x, 4x, 8x ... the mean. Breaks
     *  beyond max are clamped to max. Needs a positive mean. */
    RTM_CLASS_MEAN_MULT,
    /** Natural breaks: Jenks (1967) / Fisher (1958) optimal partition
     *  minimising the within-class sum of squared deviations (exact dynamic
     *  programme). Above 2000 values it runs on 2000 evenly spaced order
     *  statistics of the sorted values (always including min and max), so
     *  breaks are then approximate; each break is then moved to the widest
     *  gap of the full data between it and the next sampled value.
     *  b[k] is the largest value of class k-1. */
    RTM_CLASS_NATURAL
} rtm_class_method;

/** Compute class breaks.
 *  v:        n values (read only).
 *  mask:     n flags, non-zero = inside the study area; NULL = all inside.
 *  m:        method; nclasses: 1..RTM_CLASS_MAX.
 *  breaks:   out, nclasses+1 values, non-decreasing; written only on success.
 *  Returns 0, RTM_ERR_ARG (bad nclasses/method), RTM_ERR_INPUT (no present
 *  cell; mean-multiple with a non-positive mean) or RTM_ERR_NOMEM.
 *  Thread safety: reentrant (no shared state). */
int rtm_classify(const double *v, const unsigned char *mask, size_t n,
                 rtm_class_method m, int nclasses, double *breaks, rtm_error *err);

/** The class (0..nclasses-1) of value x for the breaks above: the smallest k
 *  with x <= b[k+1]; values below b[0] give 0, above b[n] give n-1. */
int rtm_class_index(double x, const double *breaks, int nclasses);

/** Parse a method name: "quantile", "equal", "stddev", "mean-multiple"
 *  (also "meanmult"), "natural" (also "jenks"). Returns 0 and sets *m, or
 *  RTM_ERR_ARG naming the bad value. */
int rtm_class_method_parse(const char *name, rtm_class_method *m, rtm_error *err);

/** Canonical name of a method ("quantile", ...); "unknown" if out of range. */
const char *rtm_class_method_name(rtm_class_method m);

#ifdef __cplusplus
}
#endif
#endif
