/* rtm_points.h: event points (offences) in the grid CRS, and loading them
 * from any OGR vector source (CSV, GeoPackage, Shapefile, GeoJSON, /vsigzip/).
 *
 * Loading never drops a row silently: every row that cannot be used is
 * counted under a reason (rtm_skip_reason) with the first example kept, so the
 * CLI can print a summary and write it into output metadata.
 */
#ifndef RTM_POINTS_H
#define RTM_POINTS_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A growable set of weighted points. month[i] is YYYYMM (e.g. 201803) when
 *  the source has a month/date field, else 0. All arrays have n entries. */
typedef struct rtm_points {
    size_t n, cap;
    double *x, *y, *w;
    int *month;
} rtm_points;

/** Initialise an empty set (no allocation). */
void rtm_points_init(rtm_points *p);
/** Free the arrays and reset to empty. */
void rtm_points_clear(rtm_points *p);
/** Append one point. Returns 0 or RTM_ERR_NOMEM. */
int rtm_points_push(rtm_points *p, double x, double y, double w, int month, rtm_error *err);
/** Sum of weights. */
double rtm_points_weight_sum(const rtm_points *p);

/** Why a row was not used. */
typedef enum {
    RTM_SKIP_NO_COORDS = 0,  /**< empty coordinate field or no geometry */
    RTM_SKIP_BAD_COORDS,     /**< coordinate field not a number */
    RTM_SKIP_OUTSIDE_CRS,    /**< outside the CRS's valid area, or not transformable */
    RTM_SKIP_OUTSIDE_AREA,   /**< outside the grid or study area */
    RTM_SKIP_BAD_WEIGHT,     /**< weight missing, not a number, negative */
    RTM_SKIP_BAD_MONTH,      /**< month/date field unreadable while a month window is set */
    RTM_SKIP_NREASONS
} rtm_skip_reason;

/** Short machine name of a reason ("no_coordinates", ...). */
const char *rtm_skip_reason_name(rtm_skip_reason r);

/** Counts over one or more loads (accumulates: zero it once with
 *  rtm_load_stats_init, then pass it to every load). */
typedef struct rtm_load_stats {
    size_t read;                       /**< rows/features in the inputs */
    size_t filtered_where;             /**< excluded by the attribute filter */
    size_t filtered_month;             /**< excluded by the month window */
    size_t skipped[RTM_SKIP_NREASONS]; /**< unusable rows by reason */
    size_t used;                       /**< points kept */
    double weight_used;                /**< sum of weights kept */
    size_t weight_defaulted;           /**< weight-table categories not listed (default weight used) */
    char example[RTM_SKIP_NREASONS][160]; /**< first example per reason: "file:row field" */
    char transform[256];               /**< coordinate operation used (last input) */
    char src_crs[128];                 /**< source CRS of the last input (name) */
} rtm_load_stats;

void rtm_load_stats_init(rtm_load_stats *s);
/** Total unusable rows. */
size_t rtm_load_stats_skipped(const rtm_load_stats *s);

/** A category -> weight table (harm weighting). */
typedef struct rtm_weight_table rtm_weight_table;

/** Read a weight table with OGR from a CSV (or any table): the first column's
 *  NAME is the events' category field (e.g. "Crime type"), its values the
 *  categories; the second column the weights (numbers >= 0). A row whose
 *  category is "*" sets the weight of unlisted categories (default 1).
 *  Returns NULL and sets err (file, row and field named) on bad input. */
rtm_weight_table *rtm_weight_table_load(const char *path, rtm_error *err);
/** A table from arrays (copied): categories of field, weights >= 0, and the
 *  weight of unlisted categories. Returns NULL on bad input or no memory. */
rtm_weight_table *rtm_weight_table_create(const char *field, const char *const *categories,
                                          const double *weights, size_t n, double dflt,
                                          rtm_error *err);
void rtm_weight_table_free(rtm_weight_table *t);
/** Category field name the table applies to. */
const char *rtm_weight_table_field(const rtm_weight_table *t);
/** Weight for a category; *listed is set to 0 when the default was used. */
double rtm_weight_table_lookup(const rtm_weight_table *t, const char *category, int *listed);

/** Options for rtm_points_load. Initialise with rtm_load_opts_init. */
typedef struct rtm_load_opts {
    const char *x_field, *y_field; /**< coordinate columns; NULL = recognise common names
                                        or use the layer's point geometry */
    const char *src_crs;     /**< CRS of the input; NULL = the layer's, or WGS 84 for
                                  longitude/latitude columns */
    const char *dst_crs;     /**< CRS to transform to (required) */
    const char *layer;       /**< layer name; NULL = the first layer */
    const char *where;       /**< OGR SQL attribute filter, or NULL */
    const char *weight_field;                /**< numeric weight field, or NULL */
    const rtm_weight_table *weight_table;    /**< category weights, or NULL */
    int month_from, month_to;  /**< YYYYMM window (inclusive); 0 = open */
    const char *month_field;   /**< NULL = "Month" or "month" or "date" if present */
    const rtm_grid *area_grid;       /**< if set, points outside this grid ... */
    const unsigned char *area_mask;  /**< ... or on a 0 cell of this mask are skipped */
    int strict;                /**< 1: any unusable row is an error */
    /** Optional time filter: when set, called for every row with the string
     *  values of date_field and time_field (NULL when the field is not set);
     *  return 0 to exclude the row (counted in filtered_month). */
    int (*when_accept)(void *arg, const char *date, const char *time);
    void *when_arg;
    const char *date_field, *time_field; /**< fields passed to when_accept */
    rtm_progress_fn progress;  void *progress_arg;
} rtm_load_opts;

void rtm_load_opts_init(rtm_load_opts *o);

/** Load the point events of one vector source and append them to pts,
 *  transformed to o->dst_crs. Accumulates counts into st. On error (file
 *  unreadable, unknown field, CRS missing, strict violation) returns non-zero
 *  with err naming the file and field; pts then holds no point of this file.
 *  GDAL paths like /vsigzip/x.csv.gz work; a path ending in .gz is opened
 *  through /vsigzip/ automatically. Not thread safe with other GDAL use. */
int rtm_points_load(rtm_points *pts, const char *path, const rtm_load_opts *o,
                    rtm_load_stats *st, rtm_error *err);

/** Parse "YYYY-MM" or "YYYY-MM-DD..." into YYYYMM; returns 0 if unreadable. */
int rtm_yyyymm_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
