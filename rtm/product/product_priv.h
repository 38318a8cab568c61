/* product/product_priv.h (library-private): helpers shared by the products. */
#ifndef RTM_PRODUCT_PRIV_H
#define RTM_PRODUCT_PRIV_H

#include "core/kv.h"
#include "rtm/product.h"

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

/* For products built on the KDE (kde_product.c): the kernel options of p for
 * the points pts on ev's grid and mask (radius by p's rule, units, env's
 * threads; no progress) and the extra factor of p's units (0.01 for per ha); units 'probability' is an
 * error. Returns 0 or an error of the bandwidth rule. */
int rtm_prod_kde_setup(const rtm_kde_product *p, const rtm_events *ev,
                       const rtm_points *pts, const rtm_product_env *env, rtm_kde_opts *ko,
                       double *scale, rtm_error *err);
/* The label ("events per km²") and unit ("events/km2") of p's values. */
void rtm_prod_kde_units(const rtm_kde_product *p, int weighted, char *label, size_t n,
                        char *unit, size_t un);
/* "given", "auto-arcgis" or "auto-scott". */
const char *rtm_prod_kde_rule(const rtm_kde_product *p);

/* The model's options as used (q: p with the default block 2 x the cell
 * size, env's threads and progress). */
void rtm_prod_model_used(const rtm_model_product *p, const rtm_events *ev,
                         const rtm_product_env *env, rtm_model_product *q);

/* A product whose risk-factor variables are built by tiles (vars_tiled.c):
 * given the merged candidate set (its owner from then on), it finishes. */
typedef int (*rtm_prod_vars_fn)(void *ctx, rtm_varset *vars, rtm_error *err);

/* One tile of such a product (h->count > 0: the variables of strip
 * h->index of h->count for the nf factors f with options vo, written to its
 * tile and partials files) or the merge of its tiles (h->nmerge > 0: the
 * strips' tables merged into the candidate set rtm_variables_build makes,
 * then fin(fin_ctx, set)). Tiles are strips of whole rows. */
int rtm_prod_vars_tiled(const char *product, const rtm_events *ev, const rtm_factor_spec *f,
                        int nf, const rtm_var_opts *vo, const rtm_tiling *h, rtm_outset *out,
                        rtm_prod_vars_fn fin, void *fin_ctx, rtm_error *err);

/* The model's candidate variables (rtm_variables_build) built by the ranks
 * of an MPI job, factor i by rank i % size (model_spread.c); the set, equal
 * to the one-process set, comes back on rank 0, NULL on the others. One
 * process: rtm_variables_build. Returns 0 or an error code, the same on
 * every rank. */
int rtm_prod_model_vars_spread(const rtm_grid *g, const unsigned char *mask, double area,
                               const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                               rtm_varset **out, rtm_error *err);

/* Attribution lines of maps (env->attribution overrides them). */
#define RTM_ATTR_OGL \
    "Contains public sector information licensed under the Open Government Licence v3.0"
#define RTM_ATTR_OGL_OSM \
    "Contains public sector information licensed under the OGL v3.0; " \
    "© OpenStreetMap contributors"

/* Log a printf-style line through env (nothing when env or its log is NULL). */
void rtm_prod_log(const rtm_product_env *env, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Log what loading events did, as the command line prints it: "WHAT: N
 * read, ..., N used (weight W), N skipped", the skip reasons, the transform. */
void rtm_prod_log_load(const rtm_product_env *env, const char *what, const rtm_load_stats *st);

/* Metadata of the events a surface was made from: INPUT_n, WHERE, MONTH_FROM,
 * MONTH_TO, WEIGHT_FIELD, WEIGHT_TABLE, STUDY_AREA, CELL_SIZE, EVENTS_*. */
int rtm_prod_events_meta(const rtm_product_env *env, const rtm_events *ev, rtm_kv *kv);

/* The grid and mask-only metadata (CELL_SIZE, STUDY_AREA) for surfaces that
 * use no events. */
int rtm_prod_grid_meta(const rtm_product_env *env, const rtm_grid *g, rtm_kv *kv);

/* Write a GeoTIFF (and its .qml) as output `name` of the set. */
int rtm_prod_geotiff(rtm_outset *out, const char *name, const rtm_grid *g, const double *v,
                     const unsigned char *mask, const rtm_geotiff_opts *go, rtm_error *err);

/* Write a map PNG as output `name` (with its world file and CRS sidecar). */
int rtm_prod_map(rtm_outset *out, const char *name, const rtm_grid *g, const double *v,
                 const unsigned char *mask, const rtm_map_opts *mo, rtm_error *err);

/* The files of map `name`: name, the georeferenced map-only image, its
 * world file and (when g has a CRS) its CRS sidecar. Returns the count, or
 * minus an error code. */
int rtm_prod_map_files(const char *name, const rtm_grid *g, char files[4][4096], rtm_error *err);

/* A categorical map PNG as output `name` (sidecars as rtm_prod_map). */
int rtm_prod_map_categorical(rtm_outset *out, const char *name, const rtm_grid *g,
                             const double *v, const unsigned char *mask, const int *values,
                             const char *const *labels, int nvalues, const rtm_map_opts *mo,
                             rtm_error *err);

/* "dir/name" (dir may be NULL or "" for none), into a new string. */
char *rtm_prod_join(const char *dir, const char *name);

/* Allocate n doubles (RTM_ERR_NOMEM naming what). */
double *rtm_prod_alloc(size_t n, const char *what, rtm_error *err);

/* The inputs digest of a tiled product (rtm_tiled.inputs, hex[65]): grid g,
 * its mask (NULL: none), nev event sets (entries may be NULL) and features
 * f (NULL: none). Returns 0 or RTM_ERR_NOMEM (hex then ""). */
int rtm_prod_inputs_digest(const rtm_grid *g, const unsigned char *mask,
                           const rtm_events *const *evs, int nev, const rtm_features *f,
                           char hex[65]);
/* The same over nf feature sets (a model's factors, in order). */
int rtm_prod_inputs_digest_n(const rtm_grid *g, const unsigned char *mask,
                             const rtm_events *const *evs, int nev,
                             const rtm_features *const *f, int nf, char hex[65]);

/* Run tiled product t as h says (rtm_tiled_run); a one-tile run writes its
 * tile file (h->tile_path, a name of out) into the output set. */
int rtm_prod_tiled(const rtm_tiled *t, const rtm_tiling *h, rtm_outset *out, rtm_error *err);

/* The same, recording (one tile) or checking (merge) the digest of the
 * inputs read: evs[0]'s grid and mask, the nev event sets (entries may be
 * NULL) and features f (NULL: none). */
int rtm_prod_tiled_from(rtm_tiled *t, const rtm_tiling *h, const rtm_events *const *evs, int nev,
                        const rtm_features *f, rtm_outset *out, rtm_error *err);

#endif
