/* run_internal.h (library-private): the state of one `rtm run`, shared by
 * the run_*.c files. */
#ifndef RTM_RUN_INTERNAL_H
#define RTM_RUN_INTERNAL_H

#include "rtm/grid.h"
#include "rtm/job.h"
#include "run/manifest.h"
#include "rtm/model.h"
#include "rtm/input.h"
#include "rtm/evaluate_truth.h"
#include "run/runfolder.h"
#include "rtm/tile.h"

/* A location label and its offence count ("top locations" table). */
typedef struct rtm_jr_loc {
    char *name;
    double n;
} rtm_jr_loc;

/* What the report shows of an RTM model (run_unit_state.c reads it from a
 * unit's state): the final model's variables and the risk tiers. */
typedef struct rtm_jr_msum {
    int k;
    char (*name)[96];   /* k variable names */
    double *beta, *p;   /* k coefficients and p-values */
    rtm_tier_stats tiers[RTM_NTIERS];
} rtm_jr_msum;

/* One computed surface. */
typedef struct rtm_jr_surf {
    const rtm_job_surface *js;
    double *v;          /* ncells values (NaN outside the study area) */
    rtm_model *model;   /* RTM_SURF_MODEL only */
    char map[600];      /* its map (PNG) in the run folder, "" = none */
    char units[96];     /* what its values are */
    char tif[600];      /* its GeoTIFF in the run folder, "" = none */
    rtm_place *places;
    int nplaces;
    int cached;         /* distance: reused from the cache */
    rtm_bt_summary bt;  /* RTM_SURF_MODEL: the model product's back-test */
    rtm_jr_msum *msum;  /* RTM_SURF_MODEL, once gathered from its unit */
    double seconds;     /* compute time (the unit's) */
} rtm_jr_surf;

/* One polygon of a per-area set. */
typedef struct rtm_jr_area {
    char *set, *name;   /* set label ("districts"), polygon name */
    size_t cells;
    double events;      /* weighted offences in its cells */
    double top_share;   /* share of its events in its top 5 % of cells */
    char *png;          /* map output name, or NULL */
} rtm_jr_area;

typedef struct rtm_jr {
    const rtm_job *job;
    const rtm_jobrun_opts *o;
    rtm_run *rf;
    rtm_manifest *man;
    char run_date[16];
    char started[32];             /* ISO 8601 UTC start time (manifest only) */
    int from, to;                 /* month numbers (rtm_job_months) */
    rtm_events ev;                /* grid, mask, offences (owns them) */
    rtm_events_opts eo;           /* how they were read (product metadata) */
    rtm_event_source *src;        /* job->offences.nsources sources */
    char **src_where;             /* their OGR filters (type filter included) */
    int nplain;                   /* sources whose file list src[i].files this run owns */
    rtm_weight_table *harm;       /* harm weights, or NULL */
    rtm_product_env env;          /* what the products get */
    rtm_grid grid;                /* = ev.grid */
    unsigned char *mask;          /* = ev.mask (borrowed) */
    double area_units2;
    size_t ncells, inside;
    rtm_points pts;               /* = ev.pts (borrowed) */
    rtm_load_stats st;            /* = ev.st */
    double *counts;               /* weighted offences per cell */
    double *raw_counts;           /* unweighted offences per cell */
    int nsrc_no_times;            /* sources without a time-of-day field */
    rtm_jr_loc *locs;
    int nlocs;
    rtm_jr_surf *surf;            /* job->nsurfaces */
    char **outputs;               /* names relative to the run folder */
    int noutputs;
    char *cache_dir;
    int cache_hits, cache_misses;
    struct rtm_jr_area *arows;    /* per-area rows (rtm_jr_areas) */
    int narows;
    char unit_id[64];             /* the run's unit id (run_units.c) */
    char *units_dir;              /* finish step: OUT/units/<unit_id>; NULL: the units are
                                     computed in-process (rtm_jobrun) */
    rtm_tiling tiling;            /* how the surface being made runs: whole, one tile (a
                                     unit of a tiled surface) or the merge of its tiles */
} rtm_jr;

/* Log a printf-style line through the options' callback. */
void rtm_jr_log(const rtm_jr *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Staging path of output `name` (registered for the manifest); the caller
 * frees it. NULL with err set on failure. */
char *rtm_jr_output(rtm_jr *r, const char *name, rtm_error *err);
/* Register a sidecar that a writer made beside an output (.qml, .pgw). */
int rtm_jr_register(rtm_jr *r, const char *name, rtm_error *err);
/* Register the sidecars that the map writer (rtm/output.h) makes beside map
 * png: its world file, and its CRS sidecar when the grid has a CRS. */
int rtm_jr_register_map(rtm_jr *r, const char *png, rtm_error *err);

/* run_backtest.c: the rolling back-test of the KDE and distance maps (and
 * the prior counts) over the run's offences; index[k] receives the surface
 * of out's k-th map. */
int rtm_jr_backtest(rtm_jr *r, rtm_bt_summary *out, int *index, rtm_error *err);

/* run_offences.c: load the offences (points, counts, locations). */
int rtm_jr_offences(rtm_jr *r, rtm_error *err);
/* Month number as "YYYY-MM" into buf (size >= 16). */
const char *rtm_jr_month_str(int month, char *buf, size_t n);

/* run_cache.c: the cached distance surface of a catalogue layer for surface
 * `surface`: 1 and out filled when the cache holds it, 0 when not (key
 * receives the cache key either way), negative error code on failure. */
int rtm_jr_distance_lookup(rtm_jr *r, const rtm_catalog_layer *layer, const char *surface,
                           double *out, char key[65], rtm_error *err);
/* Store a computed distance surface under key (best effort). */
void rtm_jr_distance_store(rtm_jr *r, const char key[65], const double *v);
/* Copy the cached output files (entries "<key>.<name>") into the staging
 * folder and register them; 0 when all n were there. Store: best effort. */
int rtm_jr_cache_fetch_files(rtm_jr *r, const char *key, char files[][512], int n,
                             rtm_error *err);
void rtm_jr_cache_store_files(rtm_jr *r, const char *key, char files[][512], int n);
/* Load a catalogue layer's features (extra_where ANDed; may be NULL). */
int rtm_jr_layer_features(rtm_jr *r, const rtm_catalog_layer *layer, const char *extra_where,
                          rtm_features **out, rtm_error *err);

/* Register every file of a product's output set for the manifest, then
 * check they were all written (rtm_outset_commit); frees out. */
int rtm_jr_adopt(rtm_jr *r, rtm_outset *out, rtm_error *err);

/* A `dosage` surface: the dosage product into the folder NAME/ (run_dosage.c). */
int rtm_jr_surf_dosage(rtm_jr *r, rtm_jr_surf *o, rtm_error *err);

/* run_surfaces.c: compute surface i and write its outputs. */
int rtm_jr_surface(rtm_jr *r, int i, rtm_error *err);
/* The knox and repeats surfaces (run_knox.c). */
int rtm_jr_surf_knox(rtm_jr *r, rtm_jr_surf *o, rtm_error *err);
int rtm_jr_surf_repeats(rtm_jr *r, rtm_jr_surf *o, rtm_error *err);
/* Normalise v over the inside cells in place (vocabulary "normalise"). */
int rtm_jr_normalise(double *v, const unsigned char *mask, size_t n, rtm_normalise how,
                     rtm_error *err);

/* run_setup.c: the steps every kind of run shares. */
void rtm_jr_init(rtm_jr *r, const rtm_job *job, const rtm_jobrun_opts *o);
void rtm_jr_free(rtm_jr *r);
/* Run date, month window, manifest and cache folder. */
int rtm_jr_prepare(rtm_jr *r, rtm_error *err);
/* The job's inputs into the manifest (checksums) and the run's unit id. */
int rtm_jr_inputs(rtm_jr *r, rtm_error *err);
/* The study area and the offences on their grid (logged). */
int rtm_jr_load(rtm_jr *r, rtm_error *err);
/* The run's unit id (r->unit_id) from the manifest's inputs. */
int rtm_jr_unit_id(rtm_jr *r, rtm_error *err);
/* The time now as ISO 8601 UTC into buf. */
void rtm_jr_iso_now(char *buf, size_t n);

/* run_units.c: the units of a run (rtm/jobunits.h). */
/* Compute unit k (surface i) into the new folder dir with its state
 * (*noutputs, may be NULL: its files); r's output list, run folder and
 * cache counts are left as they were. On failure dir is removed. */
int rtm_jr_unit_compute(rtm_jr *r, int k, int i, const char *dir, int *noutputs,
                        rtm_error *err);
/* Every unit of the job: computed in the staging folder and gathered
 * (rtm_jobrun), or gathered from r->units_dir (the finish step), and the
 * surfaces of the finish step computed, in the job's order. */
int rtm_jr_surfaces(rtm_jr *r, rtm_error *err);
/* The finish step: set r->units_dir and check every unit is complete
 * (RTM_ERR_IO listing the missing ones). */
int rtm_jr_units_ready(rtm_jr *r, rtm_error *err);
/* Units of runs not finished within this many seconds are removed by the
 * next committed run of the job (a batch array that failed and was never
 * resubmitted must not fill the disk night after night). */
#define RTM_UNITS_MAX_AGE (7.0 * 86400)
/* After a run's commit: remove r->units_dir (when the run had one) and the
 * units of other runs older than RTM_UNITS_MAX_AGE. */
void rtm_jr_units_remove(rtm_jr *r);

/* run_unit_state.c: the state of unit k (surface i) in dir/.rtm-unit (and
 * its values in dir/.rtm-unit.f64). */
int rtm_jr_state_write(rtm_jr *r, int i, const char *dir, double seconds, int hits,
                       int misses, rtm_error *err);
/* Read dir's state into r->surf[i]: values, names, model summary, places,
 * back-test; the output list into *outs (n names, each "SIZE NAME"), and
 * the cache counts added to r's. 0, or RTM_ERR_IO naming what is wrong. */
int rtm_jr_state_read(rtm_jr *r, int i, const char *dir, char ***outs, int *nouts,
                      rtm_error *err);
/* 1 if dir holds a complete unit of surface i (its state reads), else 0. */
int rtm_jr_state_complete(const rtm_jr *r, int i, const char *dir);
void rtm_jr_msum_free(rtm_jr_msum *m);

/* run_gather.c: gather unit k (surface i) from dir into the staging folder:
 * its files linked (or copied) where rtm_jobrun writes them, registered in
 * the unit's order, r->surf[i] filled from its state. */
int rtm_jr_gather(rtm_jr *r, int i, const char *dir, rtm_error *err);

/* run_areas.c: per-area maps and counts. */
int rtm_jr_areas(rtm_jr *r, rtm_error *err);
/* Per-area rows for the report, filled by rtm_jr_areas. */

/* run_report.c: report.html. */
int rtm_jr_report(rtm_jr *r, rtm_error *err);

/* A double formatted with %.*f, or "n/a". */
const char *rtm_jr_num(double v, int decimals, char *buf, size_t n);

/* run_manifest.c: record the job in a run manifest: every input file with
 * its checksum (role "job", "study_area", "offences", "layer:<name>",
 * "areas:<name>"; only layers the job uses) and every parameter
 * ("cell_size", "offences.types", "surface.<name>.radius", ...). Returns 0,
 * or the first failure (RTM_ERR_IO naming an unreadable file, RTM_ERR_NOMEM). */
int rtm_job_to_manifest(const rtm_job *job, rtm_manifest *m, rtm_error *err);

#endif
