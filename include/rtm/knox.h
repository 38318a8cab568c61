/* rtm/knox.h: the near-repeat Knox test (Knox 1964; Ratcliffe's Near Repeat
 * Calculator; Steenbeek's R package NearRepeat) with a seeded Monte Carlo
 * permutation of the event times, the day x hour table of timed events, and
 * the `knox` and `repeats` products.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_KNOX_H
#define RTM_KNOX_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/input.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== the Knox test (surface/knox.c) =======================================
 *
 * Every pair of events {i, j} (i != j, each pair once) falls in distance band
 * d when dist(i, j) is in [ds[d], ds[d+1]) and in time band t when
 * |day_i - day_j| (whole days) is in [ts[t], ts[t+1]): both left-closed, as
 * NearRepeat's cut(..., right = FALSE). Pairs outside the last edges are not
 * counted. With same_location > 0 a "same location" band [0, same_location)
 * is put first and the first distance band starts at same_location: the
 * edges become 0, tol, ds[1], ... (NearRepeat's advice: sds = c(0, 0.001,
 * ...)); pairs at identical coordinates are then in the first band only.
 *
 * observed[d * nt + t] is the pair count. Under the null, times are
 * exchangeable over places: each of the iterations permutes the times
 * (Fisher-Yates, a xoshiro256** stream per (seed, iteration)) and recounts
 * with the distance bands kept. expected = mean of the permuted counts; the
 * Knox ratio = observed / expected (NaN when expected is 0, as NearRepeat);
 * p = (#{permuted >= observed} + 1) / (iterations + 1) (NearRepeat; Ratcliffe
 * 2009). Results are identical for any thread count. */
typedef struct rtm_knox_opts {
    const double *ds;     /**< nds distance edges, increasing, ds[0] >= 0 */
    int nds;              /**< >= 2 */
    const int *ts;        /**< nts time edges in days, increasing, ts[0] >= 0 */
    int nts;              /**< >= 2 */
    double same_location; /**< > 0: a same-location band [0, same_location) first */
    int manhattan;        /**< 1: |dx| + |dy|; 0: Euclidean */
    int iterations;       /**< permutations, >= 0 (default 999) */
    uint64_t seed;        /**< default 1 */
    int threads;          /**< 0 = OpenMP's default; results never depend on it */
} rtm_knox_opts;

void rtm_knox_opts_init(rtm_knox_opts *o);

/** The tables, nd x nt row-major (distance band d, time band t). */
typedef struct rtm_knox_result {
    int nd, nt;           /**< bands (nd includes the same-location band) */
    double *d_from, *d_to;    /**< nd edges of each distance band */
    int *t_from, *t_to;       /**< nt edges of each time band (days) */
    int64_t *observed;
    double *expected;     /**< mean of the permuted counts */
    double *median;       /**< median of the permuted counts */
    double *sd;           /**< standard deviation of the permuted counts (n - 1) */
    double *ratio;        /**< observed / expected (NaN when expected is 0) */
    double *ratio_median; /**< observed / median (NaN when the median is 0) */
    double *z;            /**< (observed - expected) / sd (NaN when sd is 0) */
    double *p;            /**< (ge + 1) / (iterations + 1); NaN when ratio is NaN */
    int64_t *ge;          /**< permutations with a count >= observed */
    size_t npairs;        /**< pairs closer than the last distance edge */
    int iterations;
    uint64_t seed;
} rtm_knox_result;

void rtm_knox_result_free(rtm_knox_result *r);

/** The test over n events at (x[i], y[i]) on day number day[i] (days since
 *  any origin, e.g. rtm_day_number). Returns 0, RTM_ERR_ARG (bad bands),
 *  RTM_ERR_INPUT (n < 2 or more than 2^31 events) or RTM_ERR_NOMEM. */
int rtm_knox(const double *x, const double *y, const int *day, size_t n,
             const rtm_knox_opts *o, rtm_knox_result *r, rtm_error *err);

/** 1 when a band pair in the last distance band or the last time band has
 *  p < alpha and a ratio above 1: the effect may reach beyond the bands
 *  (NearRepeat's tidy_near_repeat warns the same). */
int rtm_knox_edge_effect(const rtm_knox_result *r, double alpha);

/** Permutation `iteration` of 0..n-1 as rtm_knox draws it (for references). */
void rtm_knox_permutation(uint64_t seed, uint64_t iteration, size_t n, uint32_t *perm);

/** Days since 1970-01-01 of YYYYMMDD (proleptic Gregorian; Hinnant's
 *  days_from_civil). */
int rtm_day_number(int yyyymmdd);

/* ==== the day x hour table (input/dayhour.c) ===============================
 * Events with a day and a time of day counted by weekday (0 = Monday, ISO
 * 8601) and hour: table[d * 24 + h] sums the weights (1 per event when w is
 * NULL). *used is the number counted, *untimed those without a day or time. */
void rtm_dayhour_table(const rtm_points *p, int weighted, double table[168], size_t *used,
                       size_t *untimed);

/* ==== repeat locations (evaluate/repeats.c) ================================
 *
 * Events grouped by location - exact coordinates (police.uk snap points are
 * shared coordinates) or the points' labels (an address or UPRN field) -
 * and ranked by events (ties: the location first seen first). */
typedef struct rtm_repeat_loc {
    size_t first;        /**< index of the location's first event (x, y, label) */
    size_t n;            /**< events */
    int first_date, last_date; /**< YYYYMMDD when every event has a day, else YYYYMM */
    int months_active;   /**< distinct months with an event */
    double median_gap, mean_gap; /**< between successive events, in days when every event
                                      of the location has a day, else months; NaN when n < 2 */
    int gap_days;        /**< 1: gaps in days; 0: in months */
    char *periods;       /**< "2023-01;2023-04" - the months active (owned) */
} rtm_repeat_loc;

/** Group p's events (labels when by_label, else exact x, y) into *locs
 *  (*nlocs, ranked). By label, events without a label are counted in
 *  *unlabelled and left out. Returns 0, RTM_ERR_INPUT (no event) or
 *  RTM_ERR_NOMEM. Free with rtm_repeat_locs_free. */
int rtm_repeat_locations(const rtm_points *p, int by_label, rtm_repeat_loc **locs,
                         size_t *nlocs, size_t *unlabelled, rtm_error *err);
void rtm_repeat_locs_free(rtm_repeat_loc *locs, size_t n);

/* ==== heat tables (output/heat_table.c) =================================== */
/** A table of coloured cells as a PNG: nr rows x nc columns of v (row-major),
 *  coloured on the YlOrRd ramp from 0 to the largest finite value (NaN
 *  cells light grey), with text[k] written in cell k when text is given,
 *  cells with mark[k] outlined in black, row and column labels, axis names,
 *  a title, a subtitle and a note line (each may be NULL). nr 1..64, nc
 *  1..64. Fonts as for maps (RTM_FONT). Returns 0 or an error. */
typedef struct rtm_heat_table {
    const char *title, *subtitle, *note;
    const char *row_axis, *col_axis;
    const char *const *row_labels, *const *col_labels;
    int nr, nc;
    const double *v;
    const char *const *text;
    const unsigned char *mark;
} rtm_heat_table;

int rtm_heat_table_png_write(const char *path, const rtm_heat_table *t, rtm_error *err);

/* ==== the knox product (product/knox_product.c) ============================ */
typedef struct rtm_knox_product {
    rtm_knox_opts knox;
    const char *dir;      /**< output folder: knox.csv, knox.json, knox.md, knox.png
                               (+ knox_dayhour.csv/.png when the events have times) */
    const char *what;     /**< noun for the summary ("burglaries"); NULL = "events" */
    const char *title;    /**< PNG title, or NULL */
    double alpha;         /**< significance level of the summary (default 0.05) */
} rtm_knox_product;

void rtm_knox_product_init(rtm_knox_product *p);

/** Run the test on ev's points (each needs a day: RTM_ERR_INPUT otherwise,
 *  naming how many lack one) and write the files. r (may be NULL) receives
 *  the tables; free with rtm_knox_result_free. */
int rtm_knox_product_run(const rtm_knox_product *p, const rtm_events *ev,
                         const rtm_product_env *env, rtm_outset *out, rtm_knox_result *r,
                         rtm_error *err);

/** Write DIR/PREFIX_dayhour.csv and .png (PREFIX e.g. "knox") when any of
 *  pts has a day and a time; nothing when none has. dir may be NULL (names
 *  relative to the output set). *written (may be NULL) is set to 1 when the
 *  files were made. */
int rtm_dayhour_write(rtm_outset *out, const char *dir, const char *prefix,
                      const rtm_points *pts, const char *title, int *written, rtm_error *err);

/* ==== the repeats product (product/repeats_product.c) ====================== */
typedef struct rtm_repeats_product {
    const char *dir;       /**< output folder: repeats.csv, repeats.gpkg, repeats.png,
                                repeats.md (+ repeats_dayhour.csv/.png with times) */
    int by_label;          /**< 1: locations are the events' labels (an address or UPRN
                                field, key_name); 0: exact coordinates */
    const char *key_name;  /**< the field, for the outputs */
    int top;               /**< locations listed in the report and labelled (default 20) */
    const char *title;
} rtm_repeats_product;

void rtm_repeats_product_init(rtm_repeats_product *p);

typedef struct rtm_repeats_result {
    size_t events, locations, repeat_locations, repeat_events;
    double top1, top5, top10, gini;  /**< shares of events held by the top 1/5/10 %% */
    char kind[64];                   /**< "exact coordinates", "police.uk snap points",
                                          "field NAME" */
} rtm_repeats_result;

int rtm_repeats_product_run(const rtm_repeats_product *p, const rtm_events *ev,
                            const rtm_product_env *env, rtm_outset *out, rtm_repeats_result *r,
                            rtm_error *err);

/** The repeat locations as points in a GeoPackage layer "repeats" (fields
 *  rank, location, events, first_date, last_date, months_active, periods,
 *  median_gap, mean_gap, gap_unit), written atomically. */
int rtm_repeats_gpkg_write(const char *path, const char *crs, const rtm_points *p,
                           const rtm_repeat_loc *locs, size_t n, int by_label, rtm_error *err);

#ifdef __cplusplus
}
#endif

#endif
