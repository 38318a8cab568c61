/* rtm/job.h: job files, the layer catalogue and nightly runs.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_JOB_H
#define RTM_JOB_H

#include "rtm/error.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== catalog: the catalogue of named risk layers (the YAML files of layers/).
 *
 * Each YAML file in a catalogue directory defines one risk layer: where its
 * features come from (file(s), OGR layer, coordinate columns for CSV), which
 * features are selected (an OGR SQL attribute filter built from `where:` and
 * `match:`), its default operationalization for a Risk Terrain Model and its
 * default spatial influence. A job refers to layers by name. The format is
 * documented in layers/README.md and docs/job-format.md.
 *
 * All strings are owned by the catalogue and freed by rtm_catalog_free.
 * A loaded catalogue is read-only and may be shared between threads.
 */
/** A list of messages ("file:line:col: message"), e.g. every validation
 *  error of a job file. Free with rtm_msgs_free. */
typedef struct rtm_msgs {
    int n;       /**< number of messages */
    int cap;     /**< allocated slots (internal) */
    char **msg;  /**< n NUL-terminated messages, in file order */
} rtm_msgs;

/** Free the messages and reset the list to empty (m may be NULL). */
void rtm_msgs_free(rtm_msgs *m);

/** Append a printf-style message (copies it). Returns 0, or -1 when out of
 *  memory (the message is then dropped). */
int rtm_msgs_add(rtm_msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** How a risk factor enters an RTM model (rtm-method.md, "Candidate variables"). */
typedef enum rtm_oper {
    RTM_OPER_AUTO = 0,   /**< choose by clustering / nearest-neighbour rule */
    RTM_OPER_PROXIMITY,  /**< within distance d of any feature */
    RTM_OPER_DENSITY,    /**< kernel density >= mean + 2 SD */
    RTM_OPER_BOTH        /**< both variables are candidates */
} rtm_oper;

/** "auto", "proximity", "density", "both". */
const char *rtm_oper_name(rtm_oper op);

/** Spatial-influence increments of the distance ladder. */
typedef enum rtm_increment {
    RTM_INCR_HALF = 0,  /**< half-block steps */
    RTM_INCR_WHOLE      /**< whole-block steps */
} rtm_increment;

/** One named risk layer. */
typedef struct rtm_catalog_layer {
    char *name;         /**< catalogue name (file stem unless `name:` says otherwise) */
    char *title;        /**< human-readable title (defaults to name) */
    char *description;  /**< may be NULL */
    char *def_path;     /**< the YAML file that defines it */
    char **files;       /**< nfiles data sources, resolved against the YAML file's
                             directory, globs expanded, in sorted order */
    int nfiles;
    char *layer;        /**< OGR layer name, NULL = the first layer */
    char *x_field;      /**< CSV: column with x / longitude (NULL = geometry) */
    char *y_field;      /**< CSV: column with y / latitude */
    char *crs;          /**< CRS of the source when the file has none, or NULL */
    char *where;        /**< OGR SQL attribute filter combining `where:` and `match:`
                             (NULL = all features) */
    rtm_oper oper;      /**< default operationalization */
    int max_blocks;     /**< default maximum spatial influence in blocks (0 = job's) */
    int increment;      /**< default ladder step: RTM_INCR_HALF / RTM_INCR_WHOLE, or -1
                             when the layer does not say (the job's default applies) */
    int protective;     /**< 1 when the factor is protective (coded 0/-1) */
    char *attribution;  /**< attribution text for reports, may be NULL */
    char *licence;      /**< licence name, may be NULL */
} rtm_catalog_layer;

/** A layer file that failed validation (kept by the lenient loader so a job
 *  that uses it can report why). */
typedef struct rtm_catalog_broken {
    char *name;      /**< its name (the `name:` key if readable, else the file stem) */
    char *def_path;  /**< the YAML file */
    rtm_msgs errs;   /**< its problems */
} rtm_catalog_broken;

/** A loaded catalogue. */
typedef struct rtm_catalog {
    char *dir;                  /**< the directory it was loaded from */
    int n;                      /**< number of layers */
    rtm_catalog_layer *layers;  /**< sorted by name */
    int nbroken;                /**< invalid layer files (lenient loading only) */
    rtm_catalog_broken *broken;
} rtm_catalog;

/** Load every *.yaml / *.yml file of dir as one layer definition.
 *  Validation problems are appended to errs (each "file:line:col: ...";
 *  errs may be NULL); data files that do not exist are errors. Returns 0 and
 *  sets *out when there was no error; otherwise returns RTM_ERR_INPUT (first
 *  problem in err) or RTM_ERR_IO (directory unreadable) and *out is unset. */
int rtm_catalog_load(const char *dir, rtm_catalog **out, rtm_msgs *errs, rtm_error *err);

/** Like rtm_catalog_load, but always returns the catalogue: valid layers in
 *  layers[], invalid layer files in broken[] with their problems (so a job
 *  is only stopped by broken layers it uses). errs (may be NULL) also gets
 *  every problem. Returns 0, RTM_ERR_IO when dir cannot be listed,
 *  RTM_ERR_NOMEM. */
int rtm_catalog_load_lenient(const char *dir, rtm_catalog **out, rtm_msgs *errs,
                             rtm_error *err);

/** The broken layer file called name, or NULL. */
const rtm_catalog_broken *rtm_catalog_find_broken(const rtm_catalog *cat, const char *name);

/** The layer called name, or NULL. */
const rtm_catalog_layer *rtm_catalog_find(const rtm_catalog *cat, const char *name);

/** Free a catalogue (cat may be NULL). */
void rtm_catalog_free(rtm_catalog *cat);

/* ==== job: job files for `rtm run JOB` (YAML; format in docs/job-format.md).
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
    int allow_empty;           /**< 1: a run with no usable offence is allowed (a quiet
                                    area); default 0: it fails before anything is committed */
} rtm_job_offences;

typedef enum rtm_surface_type {
    RTM_SURF_KDE = 0,
    RTM_SURF_DISTANCE,
    RTM_SURF_MODEL,
    RTM_SURF_OVERLAY,
    RTM_SURF_HOTSPOTS,
    RTM_SURF_EVALUATE,
    RTM_SURF_CHANGE,
    RTM_SURF_FORECAST,
    RTM_SURF_DOSAGE,  /**< patrol dosage from pings (rtm/dosage.h) */
    RTM_SURF_PLACES,
    RTM_SURF_EMERGING,
    RTM_SURF_TRIAL,
    RTM_SURF_KNOX,
    RTM_SURF_REPEATS,
    RTM_SURF_NTYPES      /**< the number of types (not a type) */
} rtm_surface_type;

/** The type's name in job files: "kde", "distance", "rtm", ... */
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
    int tiles;           /**< kde, hotspots, change, emerging: computed as this many row strips, each
                              its own unit of the run (rtm/tile.h, rtm/jobunits.h), merged
                              in the finish step; the files are the same (0 or 1 = one) */
    /* kde */
    double radius;       /**< bandwidth in CRS units, > 0 */
    rtm_kernel kernel;   /**< vocabulary "kernel" (default quartic) */
    rtm_map_units units; /**< vocabulary "units" (default per km²) */
    int radius_rule;     /**< rtm_radius_rule: radius auto-cv/auto-arcgis/auto-scott, else
                              RTM_RADIUS_GIVEN (0) */
    double sigma;        /**< > 0: the kernel's standard deviation instead of radius */
    double truncate;     /**< gaussian: cut at this many sd (0 = default 4) */
    int edge;            /**< vocabulary "edge" (default none) */
    int adaptive;        /**< 1: Abramson's adaptive radii */
    double pilot;        /**< adaptive: pilot radius (0 = the radius) */
    int groups;          /**< adaptive: groups (0 = sqrt(events), -1 = exact) */
    /* hotspots */
    double band;         /**< Gi* distance band (0 = 3 cells) */
    int knn;             /**< or k nearest cells */
    int fdr;             /**< Benjamini-Hochberg corrected bins */
    /* emerging (also band, knn, fdr: default 1) */
    int time_step;       /**< vocabulary "step" (default month) */
    int time_steps;      /**< neighbourhood time steps (default 1) */
    /* alpha (below, with change): significance of bins and trends (default 0.10) */
    int scheme;          /**< vocabulary "scheme" (default esri) */
    int all_cells;       /**< every study-area cell is a location */
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
    int family;          /**< vocabulary "family": RTM_FAMILY_CHOICE_AUTO (default) or an
                              rtm_family */
    int nb;              /**< vocabulary "nb": the NB form family auto tries (nbii) */
    int folds;           /**< cross-validation folds, default 5 */
    /* overlay */
    int ninputs;
    char **inputs;       /**< names of earlier surfaces */
    double *weights;     /**< ninputs weights (default 1 each) */
    rtm_normalise normalise; /**< vocabulary "normalise" (default minmax) */
    /* evaluate (also uses inputs: surfaces defined earlier, judged by their GeoTIFFs) */
    int test_from, test_to;  /**< test months (month numbers as from_month); the
                                  training events are the job's offences */
    double *bandwidths;      /**< quartic KDE baselines of the training events */
    int nbandwidths;
    int prior_counts;        /**< the training counts per cell as a baseline */
    double *coverages;       /**< area coverages (none = 1, 2, 5, 10, 20 percent) ... */
    int *coverage_units;     /**< ... each in its rtm_cover_unit (percent, km², cells, ha) */
    int ncoverages;
    int bootstrap;           /**< bootstrap replicates (0 = none) */
    unsigned long long eval_seed; /**< bootstrap seed (default 1) */
    char **compare;          /**< "A,B" paired comparisons */
    int ncompare;
    int backtest;            /**< rolling monthly back-test over the job's months */
    int min_train, window;   /**< back-test: first training months, sliding window */
    int refit_forecast;      /**< evaluate: the forecast re-fitted on the training events
                                  (each back-test step's), named "forecast" */
    /* change (also uses radius, kernel, units, seed) */
    int before_from, before_to;  /**< YYYYMM months of the before period, 0 = the window's
                                      months before the after period */
    int after_from, after_to;    /**< YYYYMM, 0 = the last after_months of the window */
    int after_months;            /**< default 3 */
    int iterations;              /**< label permutations (default 999) */
    double alpha;                /**< FDR level (change: default 0.05; emerging 0.10) */
    int scale;                   /**< vocabulary "scale" (default auto) */
    char *units_layer;           /**< areal units for Andresen's test (resolved path), or NULL */
    char *units_field;           /**< their name field, or NULL */
    /* forecast (also uses seed) */
    int horizon;             /**< months forecast after the job's months (default 1) */
    struct rtm_job_dosage *dosage; /**< dosage: its settings (rtm/dosage.h), owned */
    /* places (rtm/places.h) */
    int count;               /**< places wanted (default 20) */
    double size;             /**< square side / disc diameter (default 150) */
    int shape;               /**< vocabulary "shape" (default square) */
    int measure;             /**< vocabulary "measure"; RTM_MEASURE_AUTO (default) = harm
                                  with harm weights, else count */
    double spacing;          /**< min_spacing (default 0) */
    double step;             /**< fine cell (0 = size/10) */
    int per_area;            /**< at most this many places per polygon of the job's first
                                  `areas` set (0 = no cap) */
    /* trial (rtm trial evaluate; also uses seed, for the permutations) */
    char *places, *schedule, *dosage_file; /**< files, resolved against the job's folder
                                                (dosage_file may be NULL) */
    double ring_inner, ring_outer;    /**< ring beyond the places' edges, metres (0, 150) */
    double target_minutes;            /**< a patrol place-day is delivered at >= (15) */
    int permutations;                 /**< re-draws of the randomisation (999) */
    char *outcome;                    /**< what the offences are, for the report */
    /* knox (also uses iterations, seed, alpha) */
    double *distance_bands;      /**< distance edges (default 0,200,...,1000) */
    int ndistance_bands;
    int *time_bands;             /**< day edges (default 0,7,14,21,28) */
    int ntime_bands;
    int manhattan;               /**< 1: Manhattan distance */
    double same_location;        /**< same-location band width (default 0.001; 0 = none) */
    /* repeats */
    int top;                     /**< locations on the map and in the report (default 20) */
    char *roads, *roads_where, *roads_name_field; /**< street segments: road lines
                                  (resolved path), filter, name field; NULL = none */
    double segment;          /**< longest road piece (0 = size) */
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

/** rtm_job_check, and also append warnings to warns (may be NULL), each
 *  "FILE:LINE:COL: warning: message": things that are valid but most likely
 *  wrong, such as a listed type that no event of the data has (found by
 *  reading the type column of every source, at most 5,000,000 events, with
 *  a "did you mean" for a close spelling). Warnings do not count as
 *  problems. Returns the number of problems. */
int rtm_job_check_warn(const char *path, const char *catalog_dir, rtm_msgs *errs,
                       rtm_msgs *warns);

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

/** Month number of a run date: a calendar date "YYYY-MM-DD" (a real day:
 *  no 2018-02-30) or a month "YYYY-MM", year 1900..2200; -1 if not. */
int rtm_job_run_month(const char *date);

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

/* ==== run: executing a job file (`rtm run JOB`, rtm/job.h).
 *
 * rtm_jobrun computes every surface a loaded job declares and writes the
 * whole output set into a run folder (run/runfolder.h): GeoTIFFs (+ .qml),
 * PNG maps (+ .pgw), model reports (.md, .json), per-area maps, the briefing
 * report (report.html) and manifest.json. The set becomes `OUT/current`
 * atomically only when every output was written; on any failure, or a kill
 * at any moment, the previous set stays current. A second run on the same
 * OUT fails on the lock.
 *
 * Offences: the job's sources are read with rtm_points_load: crime types
 * become an OGR filter `"type field" IN (...)` ANDed with the source's own
 * `where`, the month window (rtm_job_months, resolved for the run date) is
 * applied to the date field, hour-of-week windows are applied to sources
 * that have a time field (sources without one are used whole, and the log
 * and the report say so), harm weights become a weight table.
 *
 * Weighted overlay: each input surface is normalised over the study-area
 * cells (minmax, zscore, rank = average rank scaled to [0, 1], or none) and
 * the results are summed with the job's weights. A distance surface enters
 * as minus the distance, so nearer counts as riskier.
 *
 * Per-area outputs: for each polygon of each `areas:` set (cell-centre rule,
 * rtm_area_zones), a map of the job's LAST surface on the window of the grid
 * covering the polygon (areas/<set>/NN_<name>.png + .pgw) and its offence
 * count in the report.
 *
 * Caching: distance surfaces of risk layers depend only on the layer files
 * and the grid, so their values are stored as OUT/cache/<key>.f64 (native
 * doubles, row 0 north) and their output files as OUT/cache/<key>.out.<name>
 * (key = SHA-256 of the layer files' checksums and a canonical parameter
 * string with the grid, run/cache.h); a rerun with unchanged layers copies
 * them instead of recomputing. Everything made from offences is recomputed.
 * (The RTM model's candidate variables are risk-layer-only too, but
 * rtm_model_fit builds them internally, so they are not cached yet.)
 *
 * Determinism: every output except manifest.json (which holds the run id and
 * timings) depends only on the job, its input files and the run date, not on
 * the thread count or the time of the run.
 *
 * Not thread safe with other GDAL users in the same process (loads use GDAL
 * on the calling thread); computations use OpenMP with opts->threads.
 *
 * The same run fanned out over processes or machines (a batch array): the
 * job's units and the finish step, rtm/jobunits.h.
 */
/** Log callback: one line of progress (no newline, no timestamp; the caller
 *  adds them). Called from the calling thread only. */
typedef void (*rtm_jobrun_log_fn)(void *arg, const char *line);

/** Options of rtm_jobrun (set defaults with rtm_jobrun_opts_init). */
typedef struct rtm_jobrun_opts {
    const char *run_date;  /**< "YYYY-MM-DD" for rolling windows; NULL = today (UTC) */
    int threads;           /**< OpenMP threads, 0 = default; outputs do not depend on it */
    rtm_jobrun_log_fn log; /**< may be NULL (silent) */
    void *log_arg;         /**< passed to log */
} rtm_jobrun_opts;

/** Defaults: today, threads 0, no log. */
void rtm_jobrun_opts_init(rtm_jobrun_opts *o);

/** What a successful run did. */
typedef struct rtm_jobrun_result {
    char run_dir[4096];  /**< the committed run folder (OUT/runs/...) */
    int noutputs;        /**< files listed in the manifest's outputs */
    int cache_hits;      /**< risk-layer surfaces reused from OUT/cache */
    int cache_misses;    /**< risk-layer surfaces computed (and stored) */
    double seconds;      /**< wall-clock time of the run */
} rtm_jobrun_result;

/** Run job (loaded with rtm_job_load) with options o (NULL = defaults).
 *  res (may be NULL) is filled on success. Returns 0, or RTM_ERR_IO (an
 *  input unreadable, an output not written, the output locked by another
 *  run), RTM_ERR_INPUT (bad data), RTM_ERR_ARG (bad run date), RTM_ERR_MODEL
 *  (the model cannot be fitted), RTM_ERR_NOMEM, with err naming the cause.
 *  On failure nothing of the run becomes current. */
int rtm_jobrun(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
               rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
