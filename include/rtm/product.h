/* rtm/product.h: products - one library call per analysis, options struct
 * in, complete file set out. The `rtm` command and job runs (`rtm run`)
 * call the same functions, so an analysis is written once and gives the
 * same files, metadata, styles and sidecars either way.
 *
 * A product takes its options, its loaded inputs (rtm_events, factor
 * layers ...), an environment (log and progress callbacks, threads) and an
 * output set, and writes every file it makes into the set. The caller
 * commits the set (rtm_outset_commit) when everything it asked for was
 * written, so a failure leaves the previous outputs untouched.
 *
 * Thread safety: products use GDAL on the calling thread and OpenMP inside;
 * run one product per thread at most, on different output sets.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_PRODUCT_H
#define RTM_PRODUCT_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/input.h"
#include "rtm/surface.h"
#include "rtm/kde_plus.h"
#include "rtm/glm.h"
#include "rtm/model.h"
#include "rtm/output.h"
#include "rtm/evaluate.h"
#include "rtm/evaluate_truth.h"
#include "rtm/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== output sets ======================================================== */

/** The files of one product (or of several), committed together. */
typedef struct rtm_outset rtm_outset;

/** An output set whose file names are paths (relative to the working
 *  directory, or absolute): each file is staged in a private folder made
 *  with mkdtemp beside its destination and renamed into place on commit.
 *  Returns 0 or RTM_ERR_NOMEM. */
int rtm_outset_open(rtm_outset **out, rtm_error *err);

/** An output set inside an existing staging folder dir (a job run's):
 *  names are relative to dir, may hold subfolders ("rtm/rrs.tif", made as
 *  needed) and may not be absolute or contain "..". Commit only checks that
 *  every file was written; the run moves the folder into place. */
int rtm_outset_open_staged(const char *dir, rtm_outset **out, rtm_error *err);

/** Register output `name` and return the path to write it to (owned by the
 *  set). A name given twice is an error (outputs that collide, e.g. --png
 *  equal to -o): NULL with RTM_ERR_ARG. */
const char *rtm_outset_file(rtm_outset *o, const char *name, rtm_error *err);

/** Register a file that a writer made beside a registered one (.qml, .pgw,
 *  .png.aux.xml), named as its destination. Returns 0 or RTM_ERR_ARG. */
int rtm_outset_sidecar(rtm_outset *o, const char *name, rtm_error *err);

/** Number of files registered, and the i-th name (NULL out of range). */
int rtm_outset_count(const rtm_outset *o);
const char *rtm_outset_name(const rtm_outset *o, int i);

/** Where registered file `name` is being written, or NULL. */
const char *rtm_outset_staged(const rtm_outset *o, const char *name);

/** Check every registered file was written (and fsync it), then move each
 *  into place; frees o. On failure nothing more is moved, the staged files
 *  are removed and RTM_ERR_IO names the file. o may be NULL. */
int rtm_outset_commit(rtm_outset *o, rtm_error *err);

/** Remove every staged file and free o (NULL is a no-op). */
void rtm_outset_abort(rtm_outset *o);

/** Density units of a KDE map. */
typedef enum rtm_map_units {
    RTM_MAP_PER_KM2 = 0,   /**< events (or weight) per km² */
    RTM_MAP_PER_HA,        /**< per hectare */
    RTM_MAP_PER_M2,        /**< per m² */
    RTM_MAP_PER_CELL,      /**< expected events per cell */
    RTM_MAP_PROBABILITY    /**< share of all events per cell (sums to 1) */
} rtm_map_units;

/* ==== one vocabulary ======================================================
 *
 * Every enumerated option has one name table and one default, shared by the
 * command line and job files: `rtm COMMAND --help`, docs/job-format.md and
 * the parsers all take the names from here. Names are parsed once, into the
 * option's enum value, where they enter. Old or other spellings are aliases
 * (listed in the table, accepted, never printed as the canonical name).
 */

/** Values of options that have no enum of their own elsewhere. */
enum { RTM_FAMILY_CHOICE_AUTO = -1 };  /**< family: fit Poisson and the NB form, keep the
                                            better BIC */
enum { RTM_CLASSES_CONTINUOUS = -1 };  /**< classes: a continuous colour ramp */
typedef enum rtm_normalise {
    RTM_NORM_MINMAX = 0,  /**< (v - min) / (max - min) over the study area */
    RTM_NORM_ZSCORE,      /**< (v - mean) / SD */
    RTM_NORM_RANK,        /**< average rank scaled to [0, 1] */
    RTM_NORM_NONE
} rtm_normalise;

/** One name of an option's value. */
typedef struct rtm_name {
    const char *name;   /**< as typed */
    int value;          /**< the enum value */
    int alias;          /**< 1: another spelling of a canonical name */
} rtm_name;

/** An enumerated option: its names (ending with a NULL name) and default. */
typedef struct rtm_vocab {
    const char *option;     /**< "kernel", "units", "family", ... */
    const char *what;       /**< one line for help texts */
    const rtm_name *names;
    int def;                /**< the default value */
} rtm_vocab;

/** Number of enumerated options, and the i-th (NULL out of range). */
int rtm_vocab_count(void);
const rtm_vocab *rtm_vocab_at(int i);
/** The option called name, or NULL. */
const rtm_vocab *rtm_vocab_find(const char *option);
/** Parse text (case-insensitive) into *value. Returns 0, or RTM_ERR_ARG
 *  with "unknown OPTION 'text' (expected one of: a, b, c)" in err. */
int rtm_vocab_parse(const char *option, const char *text, int *value, rtm_error *err);
/** The canonical name of value, or "?". */
const char *rtm_vocab_name(const char *option, int value);
/** "a, b, c": the canonical names in table order (static storage). */
const char *rtm_vocab_list(const char *option);

/** Shorthands for the density units of KDE maps (option "units"). */
int rtm_map_units_parse(const char *s, rtm_map_units *u);
const char *rtm_map_units_list(void);

/* ==== environment ======================================================== */

/** One line of progress for a person (no newline). */
typedef void (*rtm_log_fn)(void *arg, const char *line);

/** What every product gets besides its options and inputs. */
typedef struct rtm_product_env {
    const rtm_events_opts *events; /**< how the events were read (metadata), or NULL */
    rtm_log_fn log;                /**< may be NULL (silent) */
    void *log_arg;
    rtm_progress_fn progress;      /**< may be NULL */
    void *progress_arg;
    int threads;                   /**< 0 = OpenMP's default; outputs never depend on it */
    const char *attribution;       /**< data attribution line of the maps; NULL = each
                                        product's default (police.uk under the OGL,
                                        plus OpenStreetMap for risk terrain maps) */
} rtm_product_env;

/** Defaults: no log, no progress, threads 0, the products' own attributions. */
void rtm_product_env_init(rtm_product_env *env);

/* ==== kernel density ===================================================== */


/** How the bandwidth is chosen. */
typedef enum rtm_radius_rule {
    RTM_RADIUS_GIVEN = 0,  /**< kde.radius */
    RTM_RADIUS_ARCGIS,     /**< ArcGIS Pro's rule (rtm_bandwidth_arcgis) */
    RTM_RADIUS_SCOTT,      /**< Scott's rule (rtm_bandwidth_scott) */
    RTM_RADIUS_CV          /**< likelihood cross-validation (rtm_bandwidth_cv, rtm/kde_plus.h) */
} rtm_radius_rule;

typedef struct rtm_kde_product {
    rtm_kde_opts kde;          /**< kernel and, with RTM_RADIUS_GIVEN, radius */
    rtm_radius_rule radius_rule;
    rtm_map_units units;
    const char *tif;           /**< GeoTIFF name (required); its .qml beside it */
    const char *png;           /**< PNG map name, or NULL for none */
    const char *ramp;          /**< NULL = viridis */
    rtm_class_method classes;  /**< with nclasses > 0 */
    int nclasses;              /**< 0 = continuous colours */
    const char *title;         /**< NULL = "Kernel density" */
    const char *compress;      /**< NULL = DEFLATE */
    int float64;
    const char *weight_unit;   /**< unit of the weights ("harm", "days"...); NULL = "weight" */
    rtm_kde_plus plus;         /**< edge correction and adaptive radii (rtm/kde_plus.h); its
                                    window is set from the events' study-area mask */
    double sigma;              /**< > 0: the kernel's standard deviation instead of a radius
                                    (radius = sigma / rtm_kernel_sigma_unit; for the Gaussian
                                    sigma x kde.gauss_truncate); 0 = unset */
} rtm_kde_product;

void rtm_kde_product_init(rtm_kde_product *p);

/** What a surface product computed (free with rtm_product_result_free). */
typedef struct rtm_product_result {
    double *v;           /**< ncells values (NaN outside the study area), owned */
    double radius;       /**< KDE: the bandwidth used */
    char units[96];      /**< what the values are, e.g. "events per km²" */
    char summary[256];   /**< one line for a person */
} rtm_product_result;

void rtm_product_result_free(rtm_product_result *r);

/** Kernel density map of ev: p->tif (+ .qml) and, with p->png, the map
 *  (+ world file, CRS sidecar). res (may be NULL) receives the surface.
 *  Returns 0 or an error (RTM_ERR_INPUT: no event or a non-finite
 *  density; RTM_ERR_IO; RTM_ERR_NOMEM). */
int rtm_kde_product_run(const rtm_kde_product *p, const rtm_events *ev,
                        const rtm_product_env *env, rtm_outset *out,
                        rtm_product_result *res, rtm_error *err);

/** The same, computed as h says (rtm/tile.h): whole (possibly in strips),
 *  one tile (writes only the tile file h->tile_path into out), or the
 *  merge of tile files (writes what the whole run writes, byte for byte).
 *  Edge correction and adaptive radii need the whole grid: not with tiles. */
int rtm_kde_product_tiled(const rtm_kde_product *p, const rtm_events *ev,
                          const rtm_product_env *env, const rtm_tiling *h, rtm_outset *out,
                          rtm_product_result *res, rtm_error *err);

/* ==== layers ============================================================= */

/** A vector layer (risk factor, stations ...): files read alike. Borrowed. */
typedef struct rtm_layer_spec {
    const char *name;            /**< for messages ("stations") */
    const char *const *files;
    int nfiles;
    const char *layer, *where;   /**< OGR layer and filter, NULL = first / all */
    const char *x_field, *y_field, *crs; /**< CSV columns and their CRS, NULL = detect */
} rtm_layer_spec;

/** Load every file of s into a new feature set in dst_crs. Projected CSV
 *  columns without a CRS are taken to be in dst_crs (said through the log).
 *  st (may be NULL) receives the counts. Returns 0 or an error naming the
 *  layer and file; a layer with no feature is RTM_ERR_INPUT. */
int rtm_layer_spec_load(const rtm_layer_spec *s, const char *dst_crs,
                        const rtm_product_env *env, rtm_features **out, rtm_load_stats *st,
                        rtm_error *err);

/* ==== distance =========================================================== */

typedef struct rtm_distance_product {
    double max_distance;   /**< cells farther are nodata (default INFINITY) */
    const char *tif;       /**< GeoTIFF name (required) */
    const char *png;       /**< map name, or NULL */
    const char *title;     /**< map title, NULL = "Distance to the nearest feature" */
} rtm_distance_product;

void rtm_distance_product_init(rtm_distance_product *p);

/** Exact distance from every cell centre of ev's grid (ev from
 *  rtm_events_grid; no events needed) to the nearest feature of f, in CRS
 *  units. layer names the features' source for the metadata; st (may be
 *  NULL) their load counts. */
int rtm_distance_product_run(const rtm_distance_product *p, const rtm_events *ev,
                             const rtm_features *f, const rtm_layer_spec *layer,
                             const rtm_load_stats *st, const rtm_product_env *env,
                             rtm_outset *out, rtm_product_result *res, rtm_error *err);

/** The same, computed as h says (rtm/tile.h; see rtm_kde_product_tiled). */
int rtm_distance_product_tiled(const rtm_distance_product *p, const rtm_events *ev,
                               const rtm_features *f, const rtm_layer_spec *layer,
                               const rtm_load_stats *st, const rtm_product_env *env,
                               const rtm_tiling *h, rtm_outset *out, rtm_product_result *res,
                               rtm_error *err);

/* ==== hot spots (Getis-Ord Gi*) ========================================== */

typedef struct rtm_hotspots_product {
    rtm_gistar_opts gi;    /**< band (0 = 3 cells) or knn, fdr */
    const char *z_tif;     /**< z-score GeoTIFF (required) */
    const char *bins_tif;  /**< confidence-bin GeoTIFF (required) */
    const char *png;       /**< map of the bins, or NULL */
    const char *polygons;  /**< hot-spot polygons (.gpkg/.geojson), or NULL */
    const char *title;     /**< NULL = "Hot spots (Getis-Ord Gi*)" */
    const char *weight_unit; /**< unit of weighted events ("harm (CCHI days)"): the
                                  statistic is of that total per cell and says so;
                                  NULL = "weight" (weighted) or events */
} rtm_hotspots_product;

void rtm_hotspots_product_init(rtm_hotspots_product *p);

/** What the hot-spot product found: cells per bin -3..3 (index bin + 3). */
typedef struct rtm_hotspots_result {
    size_t bins[7];
    size_t inside;
    int npolygons;
    double *z;             /**< ncells z-scores (NaN outside), owned; may be NULL */
} rtm_hotspots_result;

void rtm_hotspots_result_free(rtm_hotspots_result *r);

/** Gi* of the event counts per cell of ev: writes the z and bins GeoTIFFs
 *  (+ .qml), optionally the map and the polygons. res may be NULL. */
int rtm_hotspots_product_run(const rtm_hotspots_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out,
                             rtm_hotspots_result *res, rtm_error *err);

/** The same, computed as h says (rtm/tile.h; see rtm_kde_product_tiled). */
int rtm_hotspots_product_tiled(const rtm_hotspots_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *h,
                               rtm_outset *out, rtm_hotspots_result *res, rtm_error *err);

/* ==== Risk Terrain Model ================================================== */

/** Which files a multi-file product writes (default all). */
enum {
    RTM_OUT_TIF = 1,    /**< GeoTIFFs (+ .qml) and GeoPackages */
    RTM_OUT_PNG = 2,    /**< maps and charts */
    RTM_OUT_MD = 4,     /**< Markdown reports */
    RTM_OUT_JSON = 8,   /**< JSON reports */
    RTM_OUT_ALL = 15
};

typedef struct rtm_model_product {
    rtm_model_opts model;           /**< ladder, culling, stepwise, tiers */
    const rtm_factor_spec *factors; /**< nfactors risk factors (features may be NULL when
                                         prebuilt variables are given) */
    int nfactors;
    const char *const *sources;     /**< nfactors descriptions of where each came from
                                         (file), or NULL */
    const char *dir;                /**< output folder: DIR/model.json, rrs.tif ... ("" or
                                         NULL = none) */
    unsigned formats;               /**< RTM_OUT_* bits (default RTM_OUT_ALL) */
    int no_backtest;                /**< 1: skip the rolling back-test of the RRS against
                                         the prior counts (default 0: done when the events
                                         span >= 2 months; reported in model.md/json) */
} rtm_model_product;

void rtm_model_product_init(rtm_model_product *p);

/** What the model product made (free with rtm_model_result_free). */
typedef struct rtm_model_result {
    rtm_model *model;    /**< the fitted model (RRS, tiers, selected variables) */
    rtm_place *places;   /**< priority places (highest tier), nplaces */
    int nplaces;
    rtm_bt_summary backtest; /**< rolling back-test of the RRS and the prior counts */
} rtm_model_result;

void rtm_model_result_free(rtm_model_result *r);

/** Fit the Risk Terrain Model of ev's events on its grid and write model.json,
 *  model.md, rrs.tif, rrs.png, tiers.tif, tiers.png, cv.png and
 *  priority_places.gpkg in p->dir (as p->formats allows). vars, when not
 *  NULL, are candidate variables built earlier for these factors and this
 *  grid (e.g. from a cache); the product takes ownership. res may be NULL. */
int rtm_model_product_run(const rtm_model_product *p, const rtm_events *ev, rtm_varset *vars,
                          const rtm_product_env *env, rtm_outset *out, rtm_model_result *res,
                          rtm_error *err);

/** The same, computed as h says (rtm/tile.h): whole (h NULL or neither a
 *  tile nor a merge: rtm_model_product_run); one tile (h->count > 0: the
 *  candidate variables of strip h->index as each study cell's pattern number
 *  in h->tile_path and the strip's pattern table in its partials file
 *  (rtm_tile_parts_path), nothing else); or a merge of the tiles' files
 *  (h->nmerge > 0: their tables merged in strip order into the candidate
 *  set, which is rtm_variables_build's byte for byte, then the fit and every
 *  file as rtm_model_product_run writes them). */
int rtm_model_product_tiled(const rtm_model_product *p, const rtm_events *ev,
                            const rtm_product_env *env, const rtm_tiling *h, rtm_outset *out,
                            rtm_model_result *res, rtm_error *err);
/* ==== evaluation ==========================================================
 *
 * How well prediction surfaces point at later events: hit rate, PAI, PEI,
 * RRI and AUC at chosen area coverages (rtm/evaluate.h), the hit-rate and
 * PAI curves, and the concentration of the test events; or a rolling
 * monthly back-test. Files, all named DIR/<file> (dir below):
 *   evaluation: metrics.csv, metrics.md, curves.csv, concentration.csv,
 *               hitrate.png, pai.png; with training events newplaces.csv
 *               (cells without a training event); with bootstrap > 0
 *               uncertainty.csv; with compare compare.csv
 *   back-test:  backtest.csv, backtest.md, backtest_pai_<coverage>.png (PAI
 *               per step at 1, 5 and 20 % or the first coverage); with
 *               bootstrap or compare also uncertainty.csv / compare.csv over
 *               the steps
 */

#define RTM_EVAL_MAX_SURFACES 32   /**< surfaces of one evaluation, files and derived */
#define RTM_EVAL_MAX_COVERAGES 32
#define RTM_EVAL_MAX_BANDWIDTHS 16

/** A surface file to evaluate (strings borrowed). */
typedef struct rtm_eval_surface_file {
    const char *name;  /**< NULL or "" = the file's base name without extension */
    const char *path;  /**< a raster (GeoTIFF) */
    const char *label; /**< shown as its source in the reports; NULL = path */
} rtm_eval_surface_file;

/** Options of the evaluation product (defaults from rtm_evaluate_product_init;
 *  every string and array is borrowed). */
typedef struct rtm_evaluate_product {
    const char *dir;             /**< output folder name (required; with rtm_outset_open
                                      an existing folder: the caller makes it) */
    double coverages[RTM_EVAL_MAX_COVERAGES]; /**< area coverages in percent, (0, 100] */
    int ncoverages;              /**< default 5: 1, 2, 5, 10, 20 */
    const rtm_eval_surface_file *files;  /**< surface files; the first sets the grid */
    int nfiles;
    double bandwidths[RTM_EVAL_MAX_BANDWIDTHS]; /**< quartic KDE of the training events at
                                                     each radius, named kdeR; the events
                                                     within the largest radius of the
                                                     evaluated area count too (no edge
                                                     loss) */
    int nbandwidths;
    int prior_counts;            /**< 1: the training counts per cell ('prior'); always
                                      in a back-test */
    const char *const *combine;  /**< "A*B": product of two named surfaces, each divided
                                      by its maximum first; may use earlier ones */
    int ncombine;
    /** Test events: sources, filters, month window, weights, time filter
     *  (allow_empty is not used: no test event is always an error). Without
     *  surface files its dst_crs, bbox, res and study area make the grid; with them
     *  the grid is the first file's and only the study area applies (a
     *  dst_crs must then be the surfaces' CRS; bbox and res must be unset).
     *  Without dst_crs the grid CRS is the surfaces', else the first
     *  source's CRS when projected. */
    rtm_events_opts test;
    /** Training events (needed by bandwidths, prior_counts and for RRI):
     *  its sources, month window, weights, time filter and strict; nsources
     *  0 = none. The grid and CRS are the test events'. */
    rtm_events_opts train;
    /** Back-test: each step's surfaces are the KDEs and prior counts of its
     *  training months, the combinations, and the fixed surface files. */
    int backtest;                /**< 1: rolling monthly back-test on the test events */
    int months_from, months_to;  /**< back-test months YYYYMM (the test window is unused) */
    int min_train;               /**< training months of the first step (default 1) */
    int window;                  /**< train on the last W months only; 0 = all so far */
    /* ---- evaluation that tells the truth (rtm/evaluate_truth.h) ---- */
    int coverage_units[RTM_EVAL_MAX_COVERAGES]; /**< rtm_cover_unit of coverages[i]:
                                                     0 = percent (default), km², cells, ha */
    int bootstrap;               /**< bootstrap replicates (0 = none): intervals on hit rate
                                      and PAI by resampling the test events (a back-test:
                                      its steps) */
    unsigned long long seed;     /**< bootstrap seed (default 1), written to the files */
    const char *const *compare;  /**< "A,B": paired comparison of two named surfaces at
                                      each coverage (is A better than B?) */
    int ncompare;
    const rtm_factor_spec *factors; /**< risk factors (features loaded): the Risk Terrain
                                         Model re-made from the training events (each
                                         step's in a back-test), named "rtm" */
    int nfactors;
    rtm_model_opts model;        /**< its options (var.block 0 = 2 cells) */
    const rtm_eval_refit *refits;/**< other surfaces re-made from the training events
                                      (e.g. a forecast), after "rtm" */
    int nrefits;
} rtm_evaluate_product;

void rtm_evaluate_product_init(rtm_evaluate_product *p);

/** Check the options without reading anything: every problem (names of
 *  surfaces, combinations, limits, back-test settings) in one message.
 *  Returns 0 or RTM_ERR_ARG. */
int rtm_evaluate_product_check(const rtm_evaluate_product *p, rtm_error *err);

/** What an evaluation computed, for a summary table (about 100 KB: keep it
 *  off small stacks). */
typedef struct rtm_evaluate_result {
    int nsurfaces;
    char names[RTM_EVAL_MAX_SURFACES][96];
    int ncoverages;
    double coverages[RTM_EVAL_MAX_COVERAGES];  /**< percent */
    /** metrics of surface i at coverage c; in a back-test the mean over the
     *  steps of hit_rate, pai, pei and rri (as backtest.csv; the other
     *  fields 0 but coverage) */
    rtm_eval_metrics m[RTM_EVAL_MAX_SURFACES][RTM_EVAL_MAX_COVERAGES];
    double auc[RTM_EVAL_MAX_SURFACES];  /**< AUC (back-test: mean over the steps) */
    int nsteps;                  /**< back-test steps (0 for an evaluation) */
    char summary[256];           /**< one line for a person */
} rtm_evaluate_result;

/** Evaluate (or back-test) as p says, writing the files into out under
 *  p->dir. Reads the surface files and events itself (GDAL on the calling
 *  thread); KDE surfaces use env->threads (env may be NULL: silent, default
 *  threads); lines for a person go to env->log. res (may be NULL) receives the
 *  metrics. Returns 0 or an error: RTM_ERR_ARG (options, a combination
 *  naming no surface, CRS mismatch), RTM_ERR_INPUT (surfaces on different
 *  grids, no evaluated cell or no test event, no month to test), RTM_ERR_IO,
 *  RTM_ERR_CRS, RTM_ERR_NOMEM. Nothing is committed: the caller commits out. */
int rtm_evaluate_product_run(const rtm_evaluate_product *p, const rtm_product_env *env,
                             rtm_outset *out, rtm_evaluate_result *res, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
