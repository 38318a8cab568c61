/* rtm_job.h: job files for `rtm run JOB` (YAML; format in docs/job-format.md).
 *
 * A job declares the study area, CRS and cell size, the offence sources and
 * filters (crime types, month window, hour-of-week windows, harm weights), the
 * surfaces to compute (kde, distance, rtm model, weighted overlay), per-area
 * outputs and output formats. rtm_job_load parses and validates a job file;
 * every problem is reported as "FILE:LINE:COL: message" with what was
 * expected; unknown keys are errors. Relative paths are resolved against the
 * job file's directory; file globs are expanded (sorted) at load time.
 *
 * A loaded job is plain data: every pointer is owned by the job and freed by
 * rtm_job_free. It is read-only afterwards and may be shared between threads
 * (rtm_job_months, rtm_job_in_hours, rtm_job_harm_weight and
 * rtm_job_type_wanted are thread safe).
 */
#ifndef RTM_JOB_H
#define RTM_JOB_H

#include "rtm_catalog.h"
#include "rtm_error.h"
#include "rtm_manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A vector data set: study area, per-area polygons. */
typedef struct rtm_job_vector {
    char *file;        /**< resolved path */
    char *layer;       /**< OGR layer, NULL = the first */
    char *where;       /**< OGR SQL attribute filter, NULL = all features */
    char *name_field;  /**< areas only: field naming each polygon (else NULL) */
    char *name;        /**< areas only: label of this set ("districts") */
} rtm_job_vector;

/** One offence source: a file or glob, and how to read it. */
typedef struct rtm_job_source {
    char *pattern;      /**< path or glob as written, resolved against the job dir */
    char **files;       /**< nfiles matching files, sorted */
    int nfiles;
    char *layer;        /**< OGR layer, NULL = the first */
    char *where;        /**< OGR SQL attribute filter, NULL = all */
    char *x_field;      /**< CSV x / longitude column (NULL = GDAL's detection) */
    char *y_field;      /**< CSV y / latitude column */
    char *crs;          /**< CRS of the coordinates (e.g. "EPSG:4326"), NULL = from file */
    char *type_field;   /**< column with the crime type, NULL = none */
    char *date_field;   /**< column with the date or month ("2018-03" or ISO date) */
    char *time_field;   /**< column with the time of day ("HH:MM"), NULL = none */
} rtm_job_source;

/** An hour-of-week window: start on any day in days_mask at start_min,
 *  last until end_min (minutes after midnight). end_min <= start_min means
 *  the window crosses midnight into the next day (Fri 20:00 -> Sat 04:00). */
typedef struct rtm_job_hours {
    unsigned days_mask;  /**< bit 0 = Monday ... bit 6 = Sunday */
    int start_min;       /**< 0..1439 */
    int end_min;         /**< 0..1440 */
} rtm_job_hours;

/** Month windows: a month is numbered year*12 + (month-1). */
typedef enum rtm_job_window {
    RTM_WINDOW_ALL = 0,   /**< no date filter */
    RTM_WINDOW_FIXED,     /**< from_month .. to_month inclusive */
    RTM_WINDOW_ROLLING    /**< the last rolling_months complete months before
                               the run date's month (minus lag_months) */
} rtm_job_window;

/** Harm weights: offences weighted by category. */
typedef struct rtm_job_harm {
    char *field;        /**< column holding the category (default: type_field) */
    int n;              /**< number of categories */
    char **category;    /**< n category names (matched case-insensitively) */
    double *weight;     /**< n weights, >= 0 */
    double default_weight; /**< weight of unlisted categories (default 1; 0 drops them) */
} rtm_job_harm;

/** Offences: sources and filters. */
typedef struct rtm_job_offences {
    int nsources;
    rtm_job_source *sources;
    int ntypes;
    char **types;            /**< crime types kept (case-insensitive), none = all */
    rtm_job_window window;
    int from_month, to_month;  /**< RTM_WINDOW_FIXED */
    int rolling_months;        /**< RTM_WINDOW_ROLLING: window length, >= 1 */
    int lag_months;            /**< RTM_WINDOW_ROLLING: 1 (default) ends the window with
                                    the month before the run date's month (the last
                                    complete month); 0 ends it with the run month */
    int nhours;
    rtm_job_hours *hours;      /**< none = all times */
    int has_harm;
    rtm_job_harm harm;
} rtm_job_offences;

typedef enum rtm_surface_type {
    RTM_SURF_KDE = 0,
    RTM_SURF_DISTANCE,
    RTM_SURF_MODEL,
    RTM_SURF_OVERLAY
} rtm_surface_type;

/** "kde", "distance", "rtm", "overlay". */
const char *rtm_surface_type_name(rtm_surface_type t);

/** A factor of an RTM model: a catalogue layer plus job overrides. */
typedef struct rtm_job_factor {
    char *name;                      /**< catalogue name */
    const rtm_catalog_layer *layer;  /**< resolved entry (owned by job->catalog) */
    rtm_oper oper;                   /**< override or the catalogue default */
    int max_blocks;                  /**< override, catalogue, or model default */
    rtm_increment increment;         /**< override, catalogue, or model default */
    char *where;                     /**< extra filter ANDed with the catalogue's, or NULL */
    int protective;
} rtm_job_factor;

/** One surface to compute. Fields not used by its type are zero/NULL. */
typedef struct rtm_job_surface {
    rtm_surface_type type;
    char *name;          /**< unique within the job; output files are named after it */
    /* kde */
    double radius;       /**< bandwidth in CRS units, > 0 */
    char *kernel;        /**< quartic (default), epanechnikov, triangular, uniform,
                              triweight, gaussian (the order of rtm_kernel) */
    char *units;         /**< per_km2 (default), per_ha, per_cell, count (= per_cell),
                              probability (share of the offences per cell) */
    /* distance */
    char *layer_name;                /**< catalogue name */
    const rtm_catalog_layer *layer;  /**< resolved entry */
    /* rtm model */
    int nfactors;
    rtm_job_factor *factors;
    double block;        /**< block length in CRS units (default 2 x cell size) */
    int max_blocks;      /**< default 3 */
    rtm_increment increment; /**< default half (the manual's example: 6 distances) */
    unsigned long long seed; /**< default 1 */
    char *family;        /**< auto (default), poisson, nb1 (RTM_FAMILY_NBII), nb2 */
    int folds;           /**< cross-validation folds, default 5 */
    /* overlay */
    int ninputs;
    char **inputs;       /**< names of earlier surfaces */
    double *weights;     /**< ninputs weights (default 1 each) */
    char *normalise;     /**< minmax (default), zscore, rank, none */
} rtm_job_surface;

/** Output format bits. */
enum {
    RTM_FMT_TIF = 1,
    RTM_FMT_PNG = 2,
    RTM_FMT_MD = 4,
    RTM_FMT_JSON = 8,
    RTM_FMT_HTML = 16
};

/** A parsed, validated job. */
typedef struct rtm_job {
    char *path;            /**< the job file as given */
    char *dir;             /**< its directory (base of relative paths) */
    char *name;            /**< `name:` or the file stem */
    char *title;           /**< `title:` or the name */
    rtm_job_vector study_area;
    char *crs;             /**< working CRS, e.g. "EPSG:27700" */
    double cell_size;      /**< > 0, CRS units */
    rtm_job_offences offences;
    int nsurfaces;
    rtm_job_surface *surfaces;
    int nareas;
    rtm_job_vector *areas; /**< per-area output sets */
    char *out_dir;         /**< run folder root (default "<job dir>/out/<name>") */
    unsigned formats;      /**< RTM_FMT_* bits (default all) */
    int keep_runs;         /**< complete runs kept in out_dir/runs (default 2) */
    rtm_catalog *catalog;  /**< the catalogue used (owned by the job), may be NULL */
} rtm_job;

/** Parse and validate the job file at path. catalog_dir, if not NULL,
 *  overrides the job's `catalog:` key (default: none; then a job that names
 *  layers is an error). Validation covers the YAML (keys, types, ranges,
 *  references between sections) and the data, reading only headers: CRSs
 *  known (the working one projected), files open, layers, fields and OGR SQL
 *  filters exist, the study area has a feature. On success sets *out (free
 *  with rtm_job_free) and returns 0. On failure returns RTM_ERR_INPUT with
 *  the first problem in err ("job.yaml:12:5: unknown key 'radious' in 'kde'
 *  (expected one of: ...)", followed by "(and N more problems)"),
 *  RTM_ERR_IO when the file cannot be read, RTM_ERR_NOMEM.
 *  Uses GDAL (rtm_gdal_init); call from one thread at a time. */
int rtm_job_load(const char *path, const char *catalog_dir, rtm_job **out, rtm_error *err);

/** Validate without keeping the job: append EVERY problem of the job file,
 *  and of the catalogue layer files it uses, to errs (each "FILE:LINE:COL:
 *  message"; the job's own problems sorted by position). Problems of layer
 *  files the job does not use are not reported. Returns the number of
 *  problems (0 = valid). errs must be initialised ({0}) by the caller and
 *  freed with rtm_msgs_free. */
int rtm_job_check(const char *path, const char *catalog_dir, rtm_msgs *errs);

/** Free a job (job may be NULL). */
void rtm_job_free(rtm_job *job);

/** The surface called name, or NULL. */
const rtm_job_surface *rtm_job_find_surface(const rtm_job *job, const char *name);

/** Resolve the month window for a run on run_date ("YYYY-MM-DD" or
 *  "YYYY-MM"; NULL = today, UTC). Sets *from and *to (month numbers
 *  year*12+month-1, inclusive). RTM_WINDOW_ALL gives from = INT_MIN,
 *  to = INT_MAX. Returns 0 or RTM_ERR_ARG for a bad run_date. */
int rtm_job_months(const rtm_job *job, const char *run_date, int *from, int *to,
                   rtm_error *err);

/** Month number of "YYYY-MM" or "YYYY-MM-DD..." (also "YYYY/MM"), or -1. */
int rtm_month_parse(const char *s);

/** 1 if an offence at weekday (0 = Monday ... 6 = Sunday) and minute of day
 *  (0..1439) falls in one of the job's hour-of-week windows (or the job has
 *  none), else 0. Thread safe. */
int rtm_job_in_hours(const rtm_job *job, int weekday, int minute);

/** Harm weight of an offence of category cat (NULL = unknown): the listed
 *  weight, else the default; 1 when the job has no harm table. */
double rtm_job_harm_weight(const rtm_job *job, const char *cat);

/** 1 if the crime type passes the job's type filter (case-insensitive). */
int rtm_job_type_wanted(const rtm_job *job, const char *type);

/** Record the job in a run manifest: every input file with its checksum
 *  (role "job", "study_area", "offences", "layer:<name>", "areas:<name>";
 *  only layers the job uses) and every parameter ("cell_size",
 *  "offences.types", "surface.<name>.radius", ...). Returns 0, or the first
 *  failure (RTM_ERR_IO naming an unreadable file, RTM_ERR_NOMEM). */
int rtm_job_to_manifest(const rtm_job *job, rtm_manifest *m, rtm_error *err);

/** Canonical parameter text of a surface for rtm_cache_key: "key=value\n"
 *  lines in a fixed order (crs, cell size, the surface's settings, for
 *  rtm/distance the resolved layer settings), numbers in shortest
 *  round-trip form. A new string the caller frees; NULL when out of memory.
 *  Note: inputs (offence files, layer files, study area) are not in it:
 *  pass their checksums to rtm_cache_key. Thread safe. */
char *rtm_job_surface_params(const rtm_job *job, const rtm_job_surface *s);

/** Canonical parameter text of one RTM factor (its layer's files, filter,
 *  operationalization, spatial influence, block, grid), as above. */
char *rtm_job_factor_params(const rtm_job *job, const rtm_job_surface *s,
                            const rtm_job_factor *f);

#ifdef __cplusplus
}
#endif
#endif
