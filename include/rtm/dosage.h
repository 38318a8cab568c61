/* rtm/dosage.h: patrol dosage - how long police were present in patrol
 * places, from location pings (GPS trackers, AVL, radio location reports).
 *
 * Pings (device id, time, position) are read from any OGR source, one
 * track per device ordered by time; consecutive fixes at most max_gap apart
 * are joined by straight segments (a larger gap breaks the track); each
 * segment is clipped exactly to every place polygon (entry and exit times
 * from segment-polygon intersection, not sampling). Per place and day (or
 * shift window): minutes present, visits (runs inside, re-entries within
 * merge_gap merged), visit lengths in Koper's bins, distinct devices, the
 * longest gap between visits, the first and last visit; and minutes per
 * raster cell over all devices. Method: issue "From heat map to patrol";
 * Koper (1995) for the bins; Sherman et al. (2014) for frequency,
 * duration and intermittency.
 *
 * Determinism: pings are sorted canonically (device, time, x, y, file,
 * row) and all durations are integer milliseconds summed exactly, so the
 * results do not depend on the order of the pings or the thread count.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_DOSAGE_H
#define RTM_DOSAGE_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== time zones (input stage) =========================================== */

/** A time zone: UTC, a fixed offset, or a tz database name. */
typedef struct rtm_tz rtm_tz;

/** spec: NULL, "" or "UTC"/"Z"; a fixed offset "+01:00", "-0530", "+01";
 *  or a name of the system's tz database ("Europe/London"), read through
 *  the C library (TZ and localtime_r/mktime, hour by hour: offsets that
 *  change off the hour are taken at the hour). Returns NULL and sets err
 *  (RTM_ERR_ARG) for an unknown zone. */
rtm_tz *rtm_tz_create(const char *spec, rtm_error *err);
void rtm_tz_free(rtm_tz *z);
/** The zone as given ("UTC" for none). */
const char *rtm_tz_name(const rtm_tz *z);
/** Prepare a named zone's offsets for UTC times in [lo_s, hi_s] (seconds
 *  since 1970; at most 200 years). Sets and restores the process's TZ
 *  variable: call it on one thread while no other thread reads local
 *  time. Not needed for UTC or fixed offsets. Returns 0 or an error. */
int rtm_tz_prepare(rtm_tz *z, int64_t lo_s, int64_t hi_s, rtm_error *err);
/** Offset from UTC in seconds at UTC time utc_s (prepared range; outside it
 *  the nearest prepared hour). Thread safe after rtm_tz_prepare. */
int rtm_tz_offset(const rtm_tz *z, int64_t utc_s);
/** UTC seconds of the local wall-clock time local_s (seconds since
 *  1970-01-01 00:00 as if local time were UTC). In a repeated hour the
 *  first (daylight) time; a time in a skipped hour is read with the daylight
 *  offset. */
int64_t rtm_tz_to_utc(const rtm_tz *z, int64_t local_s);

/* ==== pings (input stage) ================================================ */

/** Why a ping was not used (or, for OUT_OF_ORDER, noted but used). */
typedef enum {
    RTM_PING_NO_DEVICE = 0,  /**< device id empty */
    RTM_PING_NO_TIME,        /**< time empty or unreadable (a date without a time too) */
    RTM_PING_NO_POSITION,    /**< coordinates empty, not numbers, or no point geometry */
    RTM_PING_OUT_OF_AREA,    /**< outside the CRS's area of use or the bounding box */
    RTM_PING_DUPLICATE,      /**< a second fix of a device at the same time (dropped:
                                  the first in x, y order is kept) */
    RTM_PING_OUT_OF_ORDER,   /**< earlier than the device's previous ping in its file
                                  (used: tracks are sorted by time) */
    RTM_PING_NREASONS
} rtm_ping_reason;

/** Short machine name ("no_device", "no_time", "no_position", "out_of_area",
 *  "duplicate", "out_of_order"). */
const char *rtm_ping_reason_name(rtm_ping_reason r);

/** Counts of one load. */
typedef struct rtm_ping_stats {
    size_t files;
    size_t read;                         /**< rows/features read */
    size_t used;                         /**< pings kept (after duplicates) */
    size_t n[RTM_PING_NREASONS];         /**< by reason */
    char example[RTM_PING_NREASONS][200];/**< first example: "file line N field F" */
    size_t naive_times;                  /**< times without a zone (read in the tz) */
    char src_crs[128];                   /**< source CRS of the first file (name) */
    char transform[256];                 /**< the coordinate operation (first file) */
} rtm_ping_stats;

/** Pings sorted by (device, time, x, y); device d's pings are
 *  [dev_start[d], dev_start[d + 1]). */
typedef struct rtm_pings {
    size_t n;
    int64_t *t_ms;      /**< UTC milliseconds since 1970 (whole seconds as read) */
    double *x, *y;      /**< in the destination CRS */
    int ndev;
    char **dev_names;   /**< ndev names, sorted (strcmp) */
    size_t *dev_start;  /**< ndev + 1 */
} rtm_pings;

/** Options of rtm_pings_load (strings borrowed). */
typedef struct rtm_pings_opts {
    const char *id_field;    /**< device id field (required) */
    const char *time_field;  /**< time field (required): ISO 8601 date-time with or
                                  without zone, "dd/mm/yyyy hh:mm[:ss]", or an OGR
                                  date-time field (GPX time, GeoPackage DATETIME) */
    const char *x_field, *y_field; /**< coordinate columns; NULL = point geometry or
                                        columns with common names (as for events) */
    const char *src_crs;     /**< NULL = the layer's, or WGS 84 for lon/lat columns */
    const char *dst_crs;     /**< required */
    const char *layer;       /**< NULL = first layer (GPX: track_points) */
    rtm_tz *tz;              /**< zone of times written without one; NULL = UTC
                                  (prepared by the load for the times read) */
    int has_bbox;            /**< 1: pings outside bbox (dst CRS) are out of area */
    double bbox[4];          /**< xmin, ymin, xmax, ymax */
    int threads;             /**< files read in parallel, one OGR dataset per thread;
                                  0 = OpenMP's default */
} rtm_pings_opts;

void rtm_pings_opts_init(rtm_pings_opts *o);

/** Read every file (GDAL paths; .gz through /vsigzip/) into *out (zeroed
 *  first; free with rtm_pings_free), counts into *st. Uses GDAL and PROJ on
 *  worker threads (one dataset and one transformation per file) and
 *  o->tz (prepared here). Returns 0 or an error naming file and field:
 *  RTM_ERR_IO, RTM_ERR_ARG (unknown field), RTM_ERR_CRS, RTM_ERR_INPUT (no
 *  usable ping at all), RTM_ERR_NOMEM. */
int rtm_pings_load(const rtm_pings_opts *o, const char *const *files, int nfiles,
                   rtm_pings *out, rtm_ping_stats *st, rtm_error *err);
void rtm_pings_free(rtm_pings *p);

/* ==== places (input stage) =============================================== */

/** Patrol places: polygons with a label. */
typedef struct rtm_place_set {
    int n;
    char **label;        /**< the `place` field when present, else the FID */
    size_t *ring_start;  /**< place i's rings: ring_start[i] .. ring_start[i+1]-1 */
    size_t *ring_off;    /**< ring r's points: xy[2*ring_off[r]] .. xy[2*ring_off[r+1]-1] */
    double *xy;
    double *bbox;        /**< 4 per place */
    size_t nrings;
    char crs[RTM_CRS_MAX];
} rtm_place_set;

/** Read the polygons of path (layer NULL = first) in dst_crs (NULL = the
 *  layer's CRS, which must then be projected). Multipolygons keep all their
 *  parts. Returns 0 or an error (no polygon: RTM_ERR_INPUT). GDAL on the
 *  calling thread. */
int rtm_place_set_load(const char *path, const char *layer, const char *dst_crs,
                       rtm_place_set *out, rtm_error *err);
/** Add one place from rings (each ring n points, closed or not); copies.
 *  For tests and callers with their own polygons. */
int rtm_place_set_add(rtm_place_set *s, const char *label, const double *const *rings,
                      const size_t *npts, int nrings, rtm_error *err);
void rtm_place_set_free(rtm_place_set *s);

/* ==== clipping and tracks (evaluate stage) =============================== */

/** Inside intervals of the segment A + t (B - A), t in [0, 1], with a
 *  polygon (even-odd rule over its rings: ring r = xy[2*off[r]] ..
 *  xy[2*off[r+1]-1]): up to max pairs [t0, t1] into t, in order, adjacent
 *  ones joined. Exact up to rounding: crossings with every edge, each piece
 *  between crossings tested at its midpoint. Returns the number of pairs
 *  (more than max means t holds the first max). A == B: [0, 1] when A is
 *  inside. */
int rtm_segment_polygon_clip(const double *xy, const size_t *off, size_t nrings, double ax,
                             double ay, double bx, double by, double *t, int max);

/** 1 when (x, y) is inside the polygon (even-odd rule), else 0. */
int rtm_polygon_contains(const double *xy, const size_t *off, size_t nrings, double x,
                         double y);

/** One run of a device inside a place, in UTC milliseconds [start, end). */
typedef struct rtm_dosage_interval {
    int place, dev;
    int64_t start, end;
} rtm_dosage_interval;

typedef struct rtm_dosage_track_opts {
    int64_t max_gap_ms;        /**< longest gap interpolated (default 120 000) */
    int64_t from_ms, to_ms;    /**< only time in [from, to) counts */
    const rtm_grid *grid;      /**< minutes-per-cell raster, or NULL */
    int threads;
} rtm_dosage_track_opts;

/** What the tracks gave. */
typedef struct rtm_dosage_tracks {
    rtm_dosage_interval *iv;   /**< sorted by (place, start, end, dev) */
    size_t niv;
    int64_t *cell_ms;          /**< per grid cell (row 0 north), or NULL */
    size_t segments;           /**< segments interpolated */
    size_t breaks;             /**< gaps over max_gap (tracks broken) */
    int64_t tracked_ms;        /**< time on segments inside [from, to) */
    int64_t outside_grid_ms;   /**< tracked time outside the grid (0 with a grid from
                                    the pings' extent) */
} rtm_dosage_tracks;

/** Tracks of p clipped to the places of s. Parallel over devices; exact
 *  integer sums, same result for any thread count. Returns 0 or
 *  RTM_ERR_NOMEM. Free with rtm_dosage_tracks_free. */
int rtm_dosage_tracks_run(const rtm_pings *p, const rtm_place_set *s,
                          const rtm_dosage_track_opts *o, rtm_dosage_tracks *out,
                          rtm_error *err);
void rtm_dosage_tracks_free(rtm_dosage_tracks *t);

/** Koper's visit-length bins (Koper 1995): under 2, 2-10, 10-16 (inclusive),
 *  over 16 minutes. */
enum { RTM_KOPER_BINS = 4 };

/** Statistics of one place in one time window. */
typedef struct rtm_dosage_cell {
    int64_t ms;             /**< device-milliseconds inside (summed over devices) */
    int64_t presence_ms;    /**< milliseconds with at least one device inside */
    int visits;             /**< runs of presence, gaps <= merge_gap merged */
    int koper[RTM_KOPER_BINS];
    int devices;            /**< distinct devices */
    int64_t longest_gap_ms; /**< longest time between visits (-1: fewer than 2) */
    int64_t first_ms, last_ms; /**< start of the first visit, end of the last (UTC ms;
                                     -1 without visits) */
} rtm_dosage_cell;

/** Statistics per place (s places) and window (nw windows [ws[k], we[k])):
 *  cells[place * nw + k]. Intervals are clipped to each window. Visits are
 *  of presence (any device): a re-entry within merge_gap_ms of the last
 *  exit continues the visit, whose length runs from first entry to last
 *  exit. Returns 0 or RTM_ERR_NOMEM. */
int rtm_dosage_windows(const rtm_dosage_tracks *t, int nplaces, const int64_t *ws,
                       const int64_t *we, int nw, int64_t merge_gap_ms,
                       rtm_dosage_cell *cells, rtm_error *err);

/** Per device: device-milliseconds and visits (the device's own runs,
 *  merged alike) of one place in one window. */
typedef struct rtm_dosage_devrow {
    int place, window, dev;
    int64_t ms;
    int visits;
} rtm_dosage_devrow;

/** The non-empty (place, window, device) rows, sorted by place, window,
 *  device. *rows malloc'd (free). Returns 0 or RTM_ERR_NOMEM. */
int rtm_dosage_device_rows(const rtm_dosage_tracks *t, const int64_t *ws, const int64_t *we,
                           int nw, int64_t merge_gap_ms, rtm_dosage_devrow **rows,
                           size_t *nrows, rtm_error *err);

/* ==== the product ======================================================== */

#define RTM_DOSAGE_MAX_SHIFTS 8

typedef struct rtm_dosage_product {
    const char *places;           /**< polygon layer (required) */
    const char *places_layer;     /**< NULL = first */
    const char *const *pings;     /**< npings files (required) */
    int npings;
    rtm_pings_opts read;          /**< fields, CRS, layer, tz, bbox (dst_crs NULL = the
                                       places' CRS, which must be projected) */
    const char *tz;               /**< zone of dates and of times without one (NULL = UTC) */
    double max_gap;               /**< seconds (default 120) */
    double merge_gap;             /**< seconds (default 60) */
    int date_from, date_to;       /**< YYYYMMDD local dates; 0 = the pings' first / last */
    int nshifts;
    int shift_start[RTM_DOSAGE_MAX_SHIFTS], shift_end[RTM_DOSAGE_MAX_SHIFTS]; /**< local
                                       minutes after midnight; end <= start: next day */
    double resolution;            /**< raster cell size in CRS units (default 100) */
    int per_device;               /**< 1: also dosage_devices.csv */
    const char *dir;              /**< output folder (files DIR/dosage.csv ...) */
} rtm_dosage_product;

void rtm_dosage_product_init(rtm_dosage_product *p);

/** What the product did, for a summary. */
typedef struct rtm_dosage_result {
    rtm_ping_stats st;
    int nplaces, ndays, ndevices;
    size_t segments, breaks;
    double tracked_minutes, place_minutes;
    double read_seconds, compute_seconds; /**< wall-clock, for a person (not in files) */
    double read_cpu_seconds, compute_cpu_seconds; /**< CPU time of all threads */
    char summary[256];
} rtm_dosage_result;

/** Read the places and pings, compute and write DIR/dosage.csv (one row per
 *  place and day: place,date,minutes,visits,devices,presence_minutes,
 *  visits_under_2,visits_2_10,visits_10_16,visits_over_16,
 *  longest_gap_minutes,first_visit,last_visit), DIR/dosage_shifts.csv with
 *  shifts, DIR/dosage_devices.csv with per_device, DIR/dosage.tif (+ .qml;
 *  minutes of patrol presence per cell), DIR/dosage.md and DIR/dosage.json
 *  (counts by reason). res may be NULL. Returns 0 or an error. */
int rtm_dosage_product_run(const rtm_dosage_product *p, const rtm_product_env *env,
                           rtm_outset *out, rtm_dosage_result *res, rtm_error *err);

/* ==== the job surface type `dosage` (job stage) =========================
 * A job's `surfaces:` entry `- type: dosage` (docs/job-format.md), read into
 * this and run through rtm_dosage_product_run into the folder NAME/. */
typedef struct rtm_job_dosage {
    char *places, *places_layer;   /**< resolved path, layer or NULL */
    char **pings;                  /**< npings files (globs expanded, resolved) */
    int npings;
    char *layer, *id_field, *time_field, *x_field, *y_field, *src_crs, *tz;
    double max_gap, merge_gap, resolution; /**< seconds, seconds, CRS units; 0 = default */
    int date_from, date_to;        /**< YYYYMMDD or 0 */
    int nshifts;
    int shift_start[RTM_DOSAGE_MAX_SHIFTS], shift_end[RTM_DOSAGE_MAX_SHIFTS];
    int per_device;
} rtm_job_dosage;

/** Free the strings of d and d itself (NULL is a no-op). */
void rtm_job_dosage_free(rtm_job_dosage *d);

#ifdef __cplusplus
}
#endif
#endif
