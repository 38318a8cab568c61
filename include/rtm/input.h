/* rtm/input.h: reading events and layers (OGR/PROJ): points, CRS, study areas, features.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_INPUT_H
#define RTM_INPUT_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== points: event points (offences) in the grid CRS, and loading them
 * from any OGR vector source (CSV, GeoPackage, Shapefile, GeoJSON, /vsigzip/).
 *
 * Loading never drops a row silently: every row that cannot be used is
 * counted under a reason (rtm_skip_reason) with the first example kept, so the
 * CLI can print a summary and write it into output metadata.
 */
/** A growable set of weighted points. month[i] is YYYYMM (e.g. 201803) when
 *  the source has a readable month/date field, else 0; day[i] is YYYYMMDD
 *  (e.g. 20180331) when that date has a day, else 0 (police.uk months have
 *  none); minute[i] is the time of day in minutes after midnight (0..1439),
 *  or -1 when the row has no time. label[i] indexes labels[] (the location
 *  text, e.g. police.uk's "On or near ..." field, when the loader was asked
 *  to keep it), or -1. Equal texts share one label. All per-point arrays
 *  have n entries. */
typedef struct rtm_points {
    size_t n, cap;
    double *x, *y, *w;
    int *month;
    int *day;
    int *minute;
    int *label;
    char **labels;       /**< nlabels distinct texts, owned */
    size_t nlabels;
    void *intern_;       /**< private: the label hash table */
} rtm_points;

/** Initialise an empty set (no allocation). */
void rtm_points_init(rtm_points *p);
/** Free the arrays and reset to empty. */
void rtm_points_clear(rtm_points *p);
/** Append one point (day 0). Returns 0 or RTM_ERR_NOMEM. */
int rtm_points_push(rtm_points *p, double x, double y, double w, int month, rtm_error *err);
/** Append one point with its day (YYYYMMDD, or 0). Returns 0 or RTM_ERR_NOMEM. */
int rtm_points_push_day(rtm_points *p, double x, double y, double w, int month, int day,
                        rtm_error *err);
/** Append one point with its day, time of day (minutes, or -1) and label
 *  index (from rtm_points_label, or -1). Returns 0 or RTM_ERR_NOMEM. */
int rtm_points_push_full(rtm_points *p, double x, double y, double w, int month, int day,
                         int minute, int label, rtm_error *err);
/** Make room for n points in all (a no-op when there is room), so that n
 *  appends do not reallocate. Returns 0 or RTM_ERR_NOMEM. */
int rtm_points_reserve(rtm_points *p, size_t n, rtm_error *err);
/** The label index of text (added when new; texts over 255 bytes are cut).
 *  Returns the index, or -1 with RTM_ERR_NOMEM. */
int rtm_points_label(rtm_points *p, const char *text, rtm_error *err);
/** The label text of point i, or NULL. */
const char *rtm_points_label_of(const rtm_points *p, size_t i);
/** Sum of weights. */
double rtm_points_weight_sum(const rtm_points *p);

/** Why a row was not used. */
typedef enum {
    RTM_SKIP_NO_COORDS = 0,  /**< empty coordinate field or no geometry */
    RTM_SKIP_BAD_COORDS,     /**< coordinate field not a number */
    RTM_SKIP_OUTSIDE_CRS,    /**< outside the CRS's valid area, or not transformable */
    RTM_SKIP_OUTSIDE_AREA,   /**< outside the grid or study area */
    RTM_SKIP_BAD_WEIGHT,     /**< weight missing, not a number, negative, or above
                                  RTM_WEIGHT_MAX */
    RTM_SKIP_BAD_MONTH,      /**< date unreadable while a date window is set, or a month
                                  without a day that the window cuts */
    RTM_SKIP_NREASONS
} rtm_skip_reason;

/** Largest accepted event weight. Doubles hold integers exactly up to 2^53
 *  (about 9.0e15): a weight above 1e15 leaves no room to sum counts exactly
 *  and is taken as a data error (1e308 would make every surface infinite). */
#define RTM_WEIGHT_MAX 1e15

/** Short machine name of a reason ("no_coordinates", ...). */
const char *rtm_skip_reason_name(rtm_skip_reason r);

/** Counts over one or more loads (accumulates: zero it once with
 *  rtm_load_stats_init, then pass it to every load). */
typedef struct rtm_load_stats {
    size_t read;                       /**< rows/features in the inputs */
    size_t filtered_where;             /**< excluded by the attribute filter */
    size_t filtered_month;             /**< excluded by the date window or when_accept */
    size_t skipped[RTM_SKIP_NREASONS]; /**< unusable rows by reason */
    size_t used;                       /**< points kept */
    double weight_used;                /**< sum of weights kept */
    size_t weight_defaulted;           /**< weight-table categories not listed (default weight used) */
    char example[RTM_SKIP_NREASONS][160]; /**< first example per reason: "file:row field" */
    char transform[256];               /**< coordinate operation used (last input) */
    char src_crs[128];                 /**< source CRS of the last input (name) */
    char date_form[96];                /**< form of the last input's date field
                                            (rtm_date_form_name, with the field), or "" */
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
/** Unit of the weights: the first value of an optional column named "unit"
 *  (e.g. "harm (CCHI days)"; columns after the second are otherwise not
 *  read), or NULL when the table has none. */
const char *rtm_weight_table_unit(const rtm_weight_table *t);
/** Weight for a category; *listed is set to 0 when the default was used. */
double rtm_weight_table_lookup(const rtm_weight_table *t, const char *category, int *listed);

/** Options for rtm_points_load. Initialise with rtm_load_opts_init. */
typedef struct rtm_load_opts {
    const char *x_field, *y_field; /**< coordinate columns; NULL = the layer's point
                                        geometry (and its CRS) when it has a geometry
                                        column, else columns with common names
                                        (longitude/latitude, x/y, easting/northing).
                                        CSVs try the columns before a WKT geometry */
    const char *src_crs;     /**< CRS of the input; NULL = the layer's, or WGS 84 for
                                  longitude/latitude columns */
    const char *dst_crs;     /**< CRS to transform to (required) */
    const char *layer;       /**< layer name; NULL = the first layer */
    const char *where;       /**< OGR SQL attribute filter, or NULL */
    const char *weight_field;                /**< numeric weight field, or NULL */
    const rtm_weight_table *weight_table;    /**< category weights, or NULL */
    int month_from, month_to;  /**< YYYYMM window (inclusive, whole months); 0 = open */
    int date_from, date_to;    /**< YYYYMMDD window (inclusive); 0 = open. With a month
                                    window too, rows must be inside both. A row whose
                                    date has no day (yyyy-mm) is inside when its whole
                                    month is, outside when none of it is, and skipped
                                    (RTM_SKIP_BAD_MONTH) when the window cuts it */
    const char *month_field;   /**< the date field, in any form of rtm_date_parse (its
                                    form is detected from its first 1000 values and
                                    reported in rtm_load_stats.date_form); NULL =
                                    "month" or "date" (any case) if present */
    const rtm_grid *area_grid;       /**< if set, points outside this grid ... */
    const unsigned char *area_mask;  /**< ... or on a 0 cell of this mask are skipped */
    int strict;                /**< 1: any unusable row is an error */
    unsigned hours_mask;       /**< keep rows whose time of day is in these hours (bit h
                                    = hour h); 0 = no hour filter. Rows without a time
                                    are skipped (RTM_SKIP_BAD_MONTH) */
    unsigned days_mask;        /**< keep rows on these days (bit 0 = Monday); 0 = no
                                    day filter. Rows without a day are skipped */
    const char *label_field;   /**< location text kept as the points' labels, or NULL */
    int keep_labels;           /**< 1: keep labels from label_field, or, when that is
                                    NULL, from "Location"/"location" if present */
    /** Optional time filter: when set, called for every row with the string
     *  values of date_field and time_field (NULL when the field is not set);
     *  return 0 to exclude the row (counted in filtered_month). */
    int (*when_accept)(void *arg, const char *date, const char *time);
    void *when_arg;
    const char *date_field, *time_field; /**< fields passed to when_accept; time_field
                                              ("hh:mm[:ss]") also gives minute[] when
                                              the date field has no time */
    rtm_progress_fn progress;  void *progress_arg;
    int threads;               /**< rtm_points_load_files: reading threads, 0 = all
                                    cores (OpenMP's default); results do not depend
                                    on it */
    size_t part_bytes;         /**< rtm_points_load_files: smallest byte range a big
                                    CSV file is split into (0 = 1 MiB) */
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

/** rtm_points_load over npaths files, read on o->threads threads: each file,
 *  and each byte range of a big plain CSV file (text columns, not .gz; split
 *  only after a newline with an even number of quotes before it, where OGR's
 *  reader ends a record, the header line read before each range), through
 *  its own OGR datasource and transformation; then joined in file order. The
 *  points, counts, examples and errors (the first file's in list order, with
 *  its file and line) are those of calling rtm_points_load on each file in
 *  turn, whatever the thread count; o->when_accept is called from several
 *  threads. */
int rtm_points_load_files(rtm_points *pts, const char *const *paths, int npaths,
                          const rtm_load_opts *o, rtm_load_stats *st, rtm_error *err);

/** Parse "YYYY-MM" or "YYYY-MM-DD..." into YYYYMM; returns 0 if unreadable. */
int rtm_yyyymm_parse(const char *s);

/* ==== dates: the date and time forms of crime data.
 *
 * Read (leading and trailing blanks ignored; proleptic Gregorian calendar):
 *   RTM_DATE_YYYY_MM       2018-03          police.uk's month (also 2018/03)
 *   RTM_DATE_ISO_DATE      2018-03-31       (also OGR's 2018/03/31)
 *   RTM_DATE_ISO_DATETIME  2018-03-31T14:05[:07[.25]][Z|+01|+0100|+01:00]
 *                          (a space may replace the T, RFC 3339)
 *   RTM_DATE_DMY           31/03/2018       day first, as in the UK; 1/3/2018
 *   RTM_DATE_DMY_TIME      31/03/2018 14:05[:07]
 * Impossible dates are unreadable: month 13, 31 April, 29 February of a
 * year that is not a leap year, hour 24, minute 60. Month-first dates
 * (03/31/2018) are never read: see rtm_date_detect.
 *
 * Time zones: the date and time are kept as written (local wall-clock time,
 * what a day window means to the analyst); the offset is kept in zone and
 * rtm_datetime_to_utc converts when UTC is wanted.
 */
typedef enum {
    RTM_DATE_NONE = 0,      /**< unreadable */
    RTM_DATE_YYYY_MM,
    RTM_DATE_ISO_DATE,
    RTM_DATE_ISO_DATETIME,
    RTM_DATE_DMY,
    RTM_DATE_DMY_TIME,
    RTM_DATE_NFORMS
} rtm_date_form;

/** A civil date and time as written. */
typedef struct rtm_datetime {
    int year, month;
    int day;       /**< 1..31, or 0 when the form has no day (yyyy-mm) */
    int minute;    /**< minutes after midnight (0..1439), or -1 when there is no time */
    int second;    /**< 0..59 (fractions are read and dropped) */
    int has_zone;  /**< 1 when a Z or an offset was given */
    int zone;      /**< offset from UTC in minutes (+01:00 is 60, Z is 0) */
} rtm_datetime;

/** Parse s into *out (may be NULL). Returns the form read, or RTM_DATE_NONE
 *  (out untouched) when s is NULL, empty, in no known form or impossible.
 *  Thread safe. */
rtm_date_form rtm_date_parse(const char *s, rtm_datetime *out);

/** Day of the week of YYYYMMDD: 0 = Monday .. 6 = Sunday (ISO 8601). */
int rtm_weekday(int yyyymmdd);

/** Hour filter "18-02,12" (hours 0..23; a range a-b takes hours a..b-1 and
 *  wraps past midnight: 18-02 is 18:00-01:59; a single hour is that hour)
 *  into a mask (bit h = hour h). Returns 0 or RTM_ERR_ARG. */
int rtm_hours_parse(const char *s, unsigned *mask, rtm_error *err);

/** Day filter "fri,sat" or "mon-thu" (three-letter English names, any case;
 *  ranges wrap: sat-mon) into a mask (bit 0 = Monday). Returns 0 or
 *  RTM_ERR_ARG. */
int rtm_days_parse(const char *s, unsigned *mask, rtm_error *err);

/** A time of day "hh:mm[:ss[.f]]" (surrounding spaces allowed) as minutes
 *  after midnight (0..1439), or -1 when s is NULL, empty or not a time. */
int rtm_time_of_day_parse(const char *s);

/** The form of a column from its values (say its first 1000 non-empty
 *  ones): the form most of them are in. *unreadable (may be NULL) receives
 *  how many are in no form. Returns RTM_DATE_NONE with err set when no value
 *  is readable, or when some value is month first (03/31/2018: the second
 *  number above 12) and none is day first (31/03/2018): the column is then
 *  month first and its other values would be read with day and month
 *  swapped. */
rtm_date_form rtm_date_detect(const char *const *values, size_t n, size_t *unreadable,
                              rtm_error *err);

/** Readable name of a form: "yyyy-mm (police.uk month)",
 *  "yyyy-mm-dd (ISO 8601 date)", "ISO 8601 date-time", "dd/mm/yyyy",
 *  "dd/mm/yyyy hh:mm", "unreadable". */
const char *rtm_date_form_name(rtm_date_form f);

/** t (with a day and a time) as UTC: the offset subtracted, the day moved
 *  when the time crosses midnight; zone becomes 0. A time without an
 *  offset is copied as it is. Returns 0, or -1 (utc untouched) when t has no
 *  day or no time. */
int rtm_datetime_to_utc(const rtm_datetime *t, rtm_datetime *utc);

/** Days in month (1..12) of year (Gregorian), 0 for a bad month. */
int rtm_days_in_month(int year, int month);

/** Days from 1970-01-01 to year-month-day (negative before). */
long rtm_days_from_civil(int year, int month, int day);

/* ==== crs: coordinate reference systems and transformations (PROJ).
 *
 * CRS definitions are strings PROJ accepts: "EPSG:27700", WKT, PROJ strings.
 * Geographic coordinates are always handled in longitude, latitude order
 * (GIS order), whatever the CRS's official axis order.
 */
typedef struct rtm_transform rtm_transform; /* opaque */

/** Create a transformation from CRS src to CRS dst. Returns NULL and sets err
 *  (RTM_ERR_CRS) when either CRS is unknown. Not thread safe: use one object
 *  per thread. Free with rtm_transform_free. */
rtm_transform *rtm_transform_create(const char *src, const char *dst, rtm_error *err);
void rtm_transform_free(rtm_transform *t);

/** Transform n points in place. ok[i] (caller-owned, n bytes) is set to 1 for
 *  points transformed, 0 for points that cannot be: non-finite, outside the
 *  valid longitude/latitude range, outside the target CRS's area of use
 *  (EPSG's box, widened by 1 degree on every side), or rejected by PROJ. Failed points are left as NaN. Returns the number of
 *  points transformed. */
size_t rtm_transform_points(rtm_transform *t, double *x, double *y, size_t n,
                            unsigned char *ok);

/** Name of the coordinate operation PROJ used for the last transformed point
 *  ("Inverse of OSGB36 to WGS 84 (6) + British National Grid", or
 *  "identity" when src and dst are the same CRS). Owned by t. */
const char *rtm_transform_describe(const rtm_transform *t);

/** Start again as just created (rtm_transform_describe's text), to use t
 *  for another source in the same CRS. */
void rtm_transform_restart(rtm_transform *t);

/** 1 when src and dst are the same CRS (no-op transformation). */
int rtm_transform_is_identity(const rtm_transform *t);

/** 1 if def is a geographic (longitude/latitude) CRS, 0 if not, -1 if unknown. */
int rtm_crs_is_geographic(const char *def);

/** Write the CRS's WKT (WKT1_GDAL-compatible WKT2 is not guaranteed) into buf.
 *  Returns 0, or RTM_ERR_CRS if def is unknown, RTM_ERR_ARG if buf is small. */
int rtm_crs_to_wkt(const char *def, char *buf, size_t bufsz, rtm_error *err);

/** Short name of a CRS ("OSGB36 / British National Grid") and its
 *  "AUTH:CODE" if it has one; either output may be NULL. */
int rtm_crs_describe(const char *def, char *name, size_t namesz, char *code, size_t codesz,
                     rtm_error *err);

/** Linear unit of a projected CRS in metres (1 for metres, 0.3048 for feet);
 *  0 for geographic or unknown CRSs. */
double rtm_crs_metres_per_unit(const char *def);

/* ==== area: study areas and zones from polygon files.
 *
 * A study area is a polygon layer (any OGR source) in any CRS. Its extent,
 * transformed to the grid CRS, is snapped outward to multiples of the cell
 * size (GDAL's target-aligned pixels) unless an explicit grid is given; cells
 * whose area touches a polygon are inside (GDAL rasterize ALL_TOUCHED), so the
 * mask matches the RTM convention "cells whose area overlaps the polygon".
 */
/** Build grid and mask from a polygon file. When grid->ncols > 0 on entry the
 *  grid is kept as given (e.g. from --bbox) and only the mask is made; else
 *  the grid is derived from the polygons' extent with cell size res in
 *  dst_crs (res <= 0: ArcGIS's default, min(width, height)/250, whole metres
 *  from 10 up; read it back from grid->res). *mask (ncells bytes, 1 = inside) is malloc'd and owned by the
 *  caller. layer/where may be NULL. *area_m2 (may be NULL) receives the
 *  polygons' area in CRS units². */
int rtm_area_load(const char *path, const char *layer, const char *where, const char *dst_crs,
                  double res, rtm_grid *grid, unsigned char **mask, double *area_units2,
                  rtm_error *err);

/** Zones for per-area outputs: rasterise each polygon of path (layer and
 *  OGR SQL where may be NULL) onto grid
 *  (cell centre rule: a cell belongs to the zone containing its centre; later
 *  features win on overlaps). *zone receives ncells ints (-1 = no zone),
 *  *names nzones strings from name_field (or "zone N"), both caller-owned
 *  (free names with rtm_area_names_free). */
int rtm_area_zones(const char *path, const char *layer, const char *where,
                   const char *name_field, const rtm_grid *grid, int **zone, char ***names,
                   int *nzones, rtm_error *err);
void rtm_area_names_free(char **names, int n);

/* ==== features: an in-memory collection of risk-factor geometries.
 *
 * A feature is a point, a polyline or a polygon (an exterior ring plus holes),
 * with coordinates in the grid CRS. The collection stores what the distance
 * and density code needs: the point features as an interleaved xy array, and
 * every line and ring edge as a segment (x0, y0, x1, y1) tagged with the
 * polygon it bounds (or -1 for polyline segments). There is no file I/O here:
 * the OGR loader fills a collection with the rtm_features_add_* calls, one
 * call per part of a multi-geometry (each part then counts as a feature).
 *
 * Polygon rule: the rings of one polygon combine by the even-odd rule (a
 * point is inside when a ray from it crosses the polygon's rings an odd number
 * of times), so ring 0 is the exterior, rings 1.. are holes, and an island in
 * a hole is inside again only if given as a separate polygon. Separate
 * polygons combine by union (inside any of them is inside).
 *
 * Thread safety: a collection may be read from several threads at once; the
 * add calls must not run concurrently with anything else on the same object.
 */
typedef struct rtm_features rtm_features; /* opaque */

/** Create an empty collection. Returns NULL when out of memory.
 *  Free with rtm_features_free. */
rtm_features *rtm_features_create(void);

/** Free a collection and everything it owns (NULL is a no-op). */
void rtm_features_free(rtm_features *f);

/** Add a point feature. Coordinates must be finite.
 *  Returns 0, RTM_ERR_INPUT (non-finite) or RTM_ERR_NOMEM; on failure the
 *  collection is unchanged. */
int rtm_features_add_point(rtm_features *f, double x, double y, rtm_error *err);

/** Add a polyline of n >= 2 vertices (xy interleaved, 2*n doubles, copied).
 *  Consecutive equal vertices give zero-length segments, which are kept and
 *  act as points. Returns 0, RTM_ERR_INPUT (n < 2 or a non-finite
 *  coordinate) or RTM_ERR_NOMEM; on failure the collection is unchanged. */
int rtm_features_add_line(rtm_features *f, const double *xy, size_t n, rtm_error *err);

/** Add a polygon of nrings >= 1 rings: rings_xy[r] holds ring_n[r] vertices
 *  (xy interleaved, copied); ring 0 is the exterior, the others are holes
 *  (even-odd rule, see above). Each ring needs >= 3 vertices; it is closed
 *  implicitly (a repeated first vertex at the end is accepted and skipped).
 *  Returns 0, RTM_ERR_INPUT or RTM_ERR_NOMEM; on failure the collection is
 *  unchanged. */
int rtm_features_add_polygon(rtm_features *f, const double *const *rings_xy,
                             const size_t *ring_n, int nrings, rtm_error *err);

/** Number of features (a polygon with holes counts 1, a polyline counts 1). */
size_t rtm_features_count(const rtm_features *f);

/** Number of point features and their coordinates (2 doubles each,
 *  interleaved x, y; owned by the collection, valid until the next add).
 *  The pointer may be NULL when there are no points. */
size_t rtm_features_npoints(const rtm_features *f);
const double *rtm_features_points_xy(const rtm_features *f);

/** Number of segments (polyline segments plus polygon ring edges) and their
 *  coordinates, 4 doubles each (x0, y0, x1, y1); owned by the collection,
 *  valid until the next add. May be NULL when there are none. */
size_t rtm_features_nsegments(const rtm_features *f);
const double *rtm_features_segments_xy(const rtm_features *f);

/** For each segment, the index (0..npolygons-1) of the polygon whose ring it
 *  belongs to, or -1 for a polyline segment. Owned by the collection. */
const long *rtm_features_segment_polygon(const rtm_features *f);

/** Number of polygon features. */
size_t rtm_features_npolygons(const rtm_features *f);

/** Bounding box of all geometry: out = {xmin, ymin, xmax, ymax}.
 *  Returns 0, or -1 (out untouched) when the collection is empty. */
int rtm_features_bbox(const rtm_features *f, double out[4]);

/** Representative points for kernel density of a factor.
 *
 *  Point features are returned as they are. Polylines and polygon boundaries
 *  are represented by points spaced at most `spacing` apart along them: every
 *  vertex, plus evenly spaced points on each segment longer than `spacing`
 *  (a segment of length L gets ceil(L/spacing)-1 interior points). Polygon
 *  interiors are not filled: a polygon's density is that of its boundary.
 *  Use spacing = res/2 for a grid of cell size res. Each point carries unit
 *  weight, so a long line weighs more than a short one.
 *
 *  On success *xy_out receives a malloc'd array of 2 * *n_out doubles (the
 *  caller frees it; NULL when *n_out == 0). Returns 0, RTM_ERR_ARG (spacing
 *  not > 0) or RTM_ERR_NOMEM. */
int rtm_features_sample_points(const rtm_features *f, double spacing, double **xy_out,
                               size_t *n_out, rtm_error *err);

/* ==== layer: risk-factor layers (points, lines, polygons) loaded from any
 * OGR source into an rtm_features collection in the grid CRS.
 *
 * Features are loaded from the whole file, not clipped to the study area, so
 * features just outside still count (edge effects). CSVs with coordinate
 * columns are read as points exactly as events are (rtm_points_load), so the
 * same column names, CRS rules and skip reasons apply.
 */
/** Append the features of path to f, transformed to o->dst_crs (o->area_grid
 *  and weights are ignored). Multi-geometries are split; geometry collections
 *  contribute their parts; curves are linearised. A feature with a vertex that
 *  cannot be transformed (non-finite, outside the CRSs' area of use, refused
 *  by PROJ: the rules of rtm_transform_points) is skipped whole and counted
 *  under RTM_SKIP_OUTSIDE_CRS; an empty geometry under RTM_SKIP_NO_COORDS.
 *  Counts go to st. Returns 0 or an error naming the file. */
int rtm_layer_load(rtm_features *f, const char *path, const rtm_load_opts *o,
                   rtm_load_stats *st, rtm_error *err);

/* ==== binning */

/** Count points per grid cell (points outside the grid are ignored);
 *  counts must hold ncells doubles (zeroed here). Returns points counted. */
size_t rtm_bin_points(const rtm_grid *g, const double *x, const double *y, const double *w,
                      size_t n, double *counts);

/** The same for rows [r0, r1) of g only: counts holds (r1 - r0) x ncols
 *  doubles, each the same sum, in the same order, as rtm_bin_points'. */
size_t rtm_bin_points_rows(const rtm_grid *g, const double *x, const double *y, const double *w,
                           size_t n, int r0, int r1, double *counts);

/** The cells that hold points: *cell (strictly ascending cell indices) and
 *  *val (their counts, each summed as rtm_bin_points sums it), *nz of each,
 *  malloc'd. Memory grows with the points, not the grid. 0 or -1 (memory). */
int rtm_bin_points_sparse(const rtm_grid *g, const double *x, const double *y, const double *w,
                          size_t n, size_t **cell, double **val, size_t *nz);

/** The same for points given by key (any bin numbering, e.g. step * ncells
 *  + cell; SIZE_MAX: left out): *bin strictly ascending keys, *val the sum
 *  of their points' weights w (NULL: 1 each) from 0 in input order, *nz of
 *  each, malloc'd. 0 or -1 (memory). */
int rtm_bin_keys_sparse(const size_t *key, const double *w, size_t n, size_t **bin,
                        double **val, size_t *nz);

/* ==== raster reading */

/** Read band 1 of any raster GDAL can open into a new surface: grid from the
 *  geotransform (must be north-up with square cells), crs "AUTH:CODE" when
 *  the CRS has an authority code, else its WKT ("" if none). Cells that are
 *  nodata (GDAL's mask band: nodata value, alpha or mask file) or NaN get
 *  mask 0 and value NaN; mask is NULL when every cell is valid.
 *  Returns the surface (free with rtm_surface_free) or NULL with RTM_ERR_IO
 *  (cannot open, names path), RTM_ERR_INPUT (rotated or non-square cells),
 *  RTM_ERR_NOMEM. */
rtm_surface *rtm_raster_read(const char *path, rtm_error *err);

/* ==== events: the events of an analysis, loaded onto its grid.
 *
 * One call resolves the grid (an exact --bbox, a study area's extent snapped
 * to the cell size, or the events' own extent), the study-area mask, and
 * loads every source (rtm_points_load) with the filters: a source's OGR
 * filter, a month window, an optional time-of-day filter, weights from a
 * field or a category table. Every unusable row is counted by reason. A set
 * from zero events is an error unless allow_empty is set: a map made from
 * nothing must never replace a good one silently. Uses GDAL on the calling
 * thread only.
 */

/** One source of events: files (each any OGR vector source; .gz through
 *  /vsigzip/) read with the same fields and filter. Strings are borrowed. */
typedef struct rtm_event_source {
    const char *const *files;  /**< nfiles paths, already expanded */
    int nfiles;
    const char *layer;         /**< OGR layer, NULL = the first */
    const char *where;         /**< OGR SQL attribute filter, NULL = all */
    const char *x_field, *y_field; /**< coordinate columns, NULL = detect / geometry */
    const char *crs;           /**< CRS of the coordinates, NULL = the layer's */
    const char *date_field;    /**< month/date field, NULL = Month/month/date */
    const char *time_field;    /**< time of day, for the time filter; NULL = none */
    const char *weight_field;  /**< numeric weight field, or NULL */
    const char *label_field;   /**< location text field (labels), or NULL = "Location" */
} rtm_event_source;

/** What to load (set defaults with rtm_events_opts_init). Borrowed strings. */
typedef struct rtm_events_opts {
    const rtm_event_source *sources;
    int nsources;
    const char *dst_crs;       /**< projected CRS of the grid (required) */
    double bbox[4];            /**< exact extent when has_bbox */
    int has_bbox;
    double res;                /**< cell size; <= 0 = ArcGIS's min(w, h)/250 */
    const char *study_area;    /**< polygons (cells outside are nodata), or NULL */
    const char *study_layer, *study_where;
    int month_from, month_to;  /**< YYYYMM window, 0 = open */
    int date_from, date_to;    /**< YYYYMMDD window (day-level), 0 = open */
    const rtm_weight_table *weights;   /**< category weights, or NULL */
    const char *weights_name;  /**< what the table is called in metadata (file name) */
    int (*when_accept)(void *arg, const char *date, const char *time); /**< time filter */
    void *when_arg;
    int strict;                /**< unusable rows are an error */
    int allow_empty;           /**< 1: zero events is allowed (an empty area) */
    int keep_labels;           /**< 1: keep each event's location text (points' labels) */
    unsigned hours_mask, days_mask; /**< hour and day-of-week filters (rtm_load_opts) */
    int threads;               /**< reading threads (rtm_points_load_files), 0 = all */
} rtm_events_opts;

/** Defaults: everything empty, allow_empty 0. */
void rtm_events_opts_init(rtm_events_opts *o);

/** Loaded events on their grid. */
typedef struct rtm_events {
    rtm_grid grid;
    unsigned char *mask;       /**< ncells flags (1 = inside), NULL = every cell */
    double area_units2;        /**< study polygons' area (CRS units²), 0 without one */
    size_t inside;             /**< cells inside the study area */
    rtm_points pts;            /**< the events, in dst_crs */
    rtm_load_stats st;         /**< counts over every source */
    int weighted;              /**< 1 when a weight field or table was used */
} rtm_events;

/** Resolve the grid and the study-area mask only (no events read): for
 *  products without events (distance). Needs has_bbox or study_area. */
int rtm_events_grid(const rtm_events_opts *o, rtm_events *ev, rtm_error *err);

/** Grid, mask and every source's events into ev (initialised here; free
 *  with rtm_events_free, also after a failure). Returns 0, RTM_ERR_INPUT
 *  (no usable event and !allow_empty; a source unreadable or a row bad
 *  under strict: the message names file, row and field), RTM_ERR_CRS,
 *  RTM_ERR_ARG (no grid can be made), RTM_ERR_IO, RTM_ERR_NOMEM. */
int rtm_events_load(const rtm_events_opts *o, rtm_events *ev, rtm_error *err);

/** Free what rtm_events_grid/rtm_events_load allocated (ev may be zeroed). */
void rtm_events_free(rtm_events *ev);

/** First and last YYYYMM among the events (0, 0 when none has a month). */
void rtm_events_months(const rtm_events *ev, int *first, int *last);

#ifdef __cplusplus
}
#endif
#endif
