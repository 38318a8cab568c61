/* rtm/model.h: the Risk Terrain Model: candidate variables, fit, risk tiers, priority places.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_MODEL_H
#define RTM_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "rtm/error.h"
#include "rtm/input.h"
#include "rtm/grid.h"
#include "rtm/surface.h"
#include "rtm/glm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== variables: RTM candidate variables. For every risk factor and every
 * distance of the spatial-influence ladder, binary cell variables:
 *   Proximity(d) = 1 if the cell centre is within Euclidean distance d of a
 *                  feature (exact distance to the geometry);
 *   Density(d)   = 1 if the kernel density of the factor's features with
 *                  bandwidth d at the cell centre is >= mean + k*SD over the
 *                  study-area cells (k = 2 by default).
 * (rtm-method.md, "Candidate variables"; Caplan & Kennedy, RTM Manual 2016.)
 * Only study-area cells are rows of the design. */
/** Operationalization of a factor. AUTO applies the manual's rule. */
typedef enum { RTM_OP_AUTO = 0, RTM_OP_PROXIMITY = 1, RTM_OP_DENSITY = 2, RTM_OP_BOTH = 3 } rtm_op;

/** "proximity", "density", "both", "auto". */
const char *rtm_op_name(rtm_op op);
int rtm_op_parse(const char *s, rtm_op *op);

/** One risk factor (features owned by the caller). */
typedef struct rtm_factor_spec {
    const char *name;               /**< used in variable names: NAME_proximity_500 */
    const rtm_features *features;
    rtm_op op;
    int max_blocks;  /**< this factor's ladder maximum; 0 = the options' (default) */
    int increment;   /**< this factor's step: 0 = the options', 1 = whole, 2 = half */
} rtm_factor_spec;

typedef struct rtm_var_opts {
    double block;          /**< block length in CRS units (> 0) */
    int max_blocks;        /**< ladder maximum, in blocks (default 3) */
    int half_block;        /**< 1: half-block increments, 0: whole blocks (default) */
    rtm_kernel density_kernel; /**< default Epanechnikov (the open replication) */
    double density_k;      /**< threshold mean + k*SD (default 2) */
    int threads;           /**< 0 = OpenMP default; results do not depend on it */
    rtm_progress_fn progress; void *progress_arg;
} rtm_var_opts;

void rtm_var_opts_init(rtm_var_opts *o);

/** Distances of the ladder: step = block or block/2, up to max_blocks*block.
 *  Writes at most max entries into d; returns the count. */
int rtm_ladder(const rtm_var_opts *o, double *d, int max);

typedef struct rtm_variable {
    int factor;        /**< index into the factor list */
    rtm_op op;         /**< RTM_OP_PROXIMITY or RTM_OP_DENSITY */
    double distance;   /**< spatial influence */
    char name[96];     /**< e.g. "pubs_proximity_400" */
    size_t ones;       /**< cells with value 1 */
    double threshold;  /**< density variables: the mean + k*SD threshold used */
} rtm_variable;

/** Per-factor facts for the report. */
typedef struct rtm_factor_info {
    size_t nfeatures;
    rtm_op op;             /**< operationalization used (AUTO resolved) */
    char why[200];         /**< why AUTO chose it (nearest-neighbour test) */
    double nn_ratio, nn_p, mean_nn;  /**< Clark-Evans test (NAN if not run) */
    size_t nn_n;           /**< point features in the test's region (0 if not run) */
    double nn_area;        /**< the region's area, CRS units^2 (rtm_nnstat_near_area) */
    int generated, dropped_constant;
} rtm_factor_info;

typedef struct rtm_varset {
    size_t n;              /**< study-area cells (design rows) */
    size_t *cell;          /**< n grid indices of the rows; NULL when every grid
                                cell is a row, in grid order (no study-area
                                mask: 8 bytes a cell saved); read it through
                                rtm_varset_cell */
    int p;                 /**< variables kept (non-constant) */
    rtm_variable *var;     /**< p variables */
    unsigned char *x;      /**< n*p row-major 0/1, or NULL in the compact form */
    int nfactors;
    rtm_factor_info *info; /**< nfactors */
    int generated;         /**< variables generated before dropping constants */
    /* The compact form (x NULL; what rtm_variables_build makes): row i is
     * row row_pat[i] of pat. Distinct rows are numbered in order of first
     * appearance, so they are the design's patterns (rtm/glm.h). */
    uint32_t *row_pat;     /**< n row ids */
    size_t npat;           /**< distinct rows */
    unsigned char *pat;    /**< npat*p row-major 0/1 */
} rtm_varset;

/** Grid index of design row i. */
static inline size_t rtm_varset_cell(const rtm_varset *v, size_t i)
{
    return v->cell ? v->cell[i] : i;
}

/** Value (0/1) of variable j at row i, in either form. */
static inline unsigned char rtm_varset_value(const rtm_varset *v, size_t i, int j)
{
    return v->x ? v->x[i * (size_t)v->p + (size_t)j]
                : v->pat[(size_t)v->row_pat[i] * (size_t)v->p + (size_t)j];
}

/** The design of the variables (either form) with counts y (n values). */
static inline rtm_design rtm_varset_design(const rtm_varset *v, const double *y)
{
    rtm_design d = {v->n, v->p, v->x, y, NULL, v->row_pat, v->npat, v->pat};
    return d;
}

/** Build the variables on grid g over the cells with mask != 0 (mask NULL =
 *  all). AUTO runs the Clark-Evans test on the factor's point features
 *  within its maximum spatial influence (its ladder's largest distance) of
 *  the study area, over that region's area (rtm_nnstat_near_area);
 *  study_area is no longer used (kept for compatibility). Constant
 *  variables are dropped and counted. A factor with no features is an error
 *  naming it. */
int rtm_variables_build(const rtm_grid *g, const unsigned char *mask, double study_area,
                        const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                        rtm_varset **out, rtm_error *err);
void rtm_varset_free(rtm_varset *v);

/** Save a variable set to path (atomically; native-endian cache format). */
int rtm_varset_write(const char *path, const rtm_varset *v, rtm_error *err);
/** Load a set saved by rtm_varset_write; *out is freed with rtm_varset_free.
 *  A truncated or foreign file is RTM_ERR_IO. */
int rtm_varset_read(const char *path, rtm_varset **out, rtm_error *err);

/* ==== nnstat: Clark & Evans nearest-neighbour clustering statistic.
 *
 * Clark, P. J. & Evans, F. C. (1954). Distance to nearest neighbor as a
 * measure of spatial relationships in populations. Ecology 35(4), 445-453.
 * For n points in a study area of size A:
 *   mean_nn     = mean over points of the distance to the nearest other point
 *   expected_nn = 0.5 / sqrt(n / A)        (complete spatial randomness)
 *   ratio R     = mean_nn / expected_nn    (R < 1 clustered, 1 random,
 *                                           up to 2.1491 for a hexagonal lattice)
 *   z           = (mean_nn - expected_nn) / se,  se = 0.26136 / sqrt(n^2 / A)
 *   p           = two-sided normal p-value of z.
 * No edge correction is applied (as in Clark & Evans and ArcGIS's Average
 * Nearest Neighbor tool): points near the study-area edge see fewer
 * neighbours, which inflates R slightly for small n.
 * Duplicate points count as distinct points at distance 0.
 */
typedef struct rtm_nnstat {
    size_t n;            /**< number of points */
    double mean_nn;      /**< observed mean nearest-neighbour distance */
    double expected_nn;  /**< 0.5 * sqrt(A / n) */
    double ratio;        /**< R = mean_nn / expected_nn */
    double z;            /**< standard normal deviate */
    double p;            /**< two-sided p-value of z */
    double area;         /**< the area A used */
} rtm_nnstat;

/** Clark-Evans statistic of n >= 2 points (xy interleaved, finite) in a
 *  study area of size area > 0 (CRS units squared). Nearest neighbours are
 *  found with rtm_distance_nearest_neighbours (exact, bucket search).
 *  On success fills *out and returns 0; otherwise RTM_ERR_ARG (n < 2,
 *  area not > 0), RTM_ERR_INPUT (non-finite coordinate) or RTM_ERR_NOMEM,
 *  leaving *out untouched. Thread safety: reentrant. */
int rtm_nnstat_compute(const double *xy, size_t n, double area, rtm_nnstat *out,
                       rtm_error *err);

/** Clark-Evans statistic of the points near a study area, for a factor
 *  whose spatial influence reaches `reach` (CRS units, >= 0) from it.
 *
 *  The region is the study area's mask (cells with mask != 0 on grid g;
 *  NULL = every cell) dilated by reach, on the grid: the cells of g, padded
 *  by ceil(reach / res) cells on each side, whose centre lies within reach
 *  (<=, exact Euclidean distance) of the centre of a study-area cell. Only
 *  the points (xy interleaved, n) in a cell of the region take part, and A
 *  is the region's cell count x res^2: a county-wide file of venues is then
 *  judged over the part that can affect the study area, not over all of it
 *  with the study area's size (which makes any spread-out file look
 *  dispersed). out->n and out->area report what was used.
 *  Returns 0, RTM_ERR_ARG (fewer than 2 points in the region, bad grid or
 *  reach, or a padded grid above 4e8 cells), RTM_ERR_INPUT (no study-area
 *  cell) or RTM_ERR_NOMEM. threads: as rtm_distance_compute. */
int rtm_nnstat_near_area(const rtm_grid *g, const unsigned char *mask, const double *xy,
                         size_t n, double reach, int threads, rtm_nnstat *out, rtm_error *err);

/** RTM operationalization rule of thumb (Caplan & Kennedy's RTMDx manual):
 *  prefer Proximity when the features are not significantly clustered
 *  (not (ratio < 1 and p < alpha)) or their mean nearest-neighbour distance
 *  exceeds the maximum spatial influence max_influence; otherwise Density.
 *  Returns 1 for Proximity, 0 for Density. */
int rtm_nnstat_prefer_proximity(const rtm_nnstat *s, double max_influence, double alpha);

/* ==== model: the Risk Terrain Model end to end, on a grid:
 * candidate variables -> elastic-net culling with k-fold CV -> stepwise BIC
 * under Poisson and negative binomial -> relative risk values (RRV = exp(b)),
 * the relative risk score surface RRS = prod RRV_i^x_i (lowest = 1) and risk
 * tiers (rtm-method.md; Caplan & Kennedy, Risk Terrain Modeling Manual 2016). */
#define RTM_NTIERS 4  /* 0 below average, 1 above average, 2 moderately high, 3 highest */

typedef struct rtm_model_opts {
    rtm_var_opts var;          /**< ladder and density settings */
    rtm_enet_opts enet;        /**< culling (alpha, folds, seed, rule) */
    rtm_stepwise_opts step;    /**< final model search and entry rules */
    double tier_k[3];          /**< tier thresholds mean + k*SD of RRS over study cells:
                                    above average k=0, moderately high 1, highest 2 */
    rtm_progress_fn progress; /**< optional: called with "culling" and "stepwise" at the
                                   start (0) and end (1) of each stage, and with
                                   "culling" and the share of the cross-validation's
                                   lambdas done in between (one thread at a time) */
    void *progress_arg;
} rtm_model_opts;

void rtm_model_opts_init(rtm_model_opts *o);

typedef struct rtm_tier_stats {
    size_t cells;
    double area_share;   /**< share of study-area cells */
    double events;       /**< outcome events in the tier's cells */
    double event_share;  /**< share of all events */
    double rate_ratio;   /**< events per cell in the tier / events per cell elsewhere */
    double lower;        /**< RRS threshold of the tier */
} rtm_tier_stats;

typedef struct rtm_model {
    rtm_varset *vars;          /**< candidates */
    rtm_enet_cv *cv;           /**< culling */
    rtm_stepwise_result sw;    /**< final model */
    size_t cells;              /**< study-area cells */
    double events;             /**< events in the study area */
    size_t cells_with_events;
    double *rrs;               /**< grid cells: RRS, NAN outside the study area */
    unsigned char *tier;       /**< grid cells: 0..3, 255 outside */
    double rrs_min, rrs_max, rrs_mean, rrs_sd;
    rtm_tier_stats tiers[RTM_NTIERS];
} rtm_model;

/** Fit the model. counts: grid ncells event counts (cells outside the mask
 *  ignored). study_area: area of the study polygons (0 = cells' area).
 *  Degenerate data (no events, all events in one cell, culling keeps
 *  nothing, no family fits) returns RTM_ERR_MODEL with an explanation. */
int rtm_model_fit(const rtm_grid *g, const unsigned char *mask, double study_area,
                  const double *counts, const rtm_factor_spec *f, int nf,
                  const rtm_model_opts *o, rtm_model **out, rtm_error *err);
void rtm_model_free(rtm_model *m);

/** Free the model's per-cell design (each design row's grid cell, 0/1 row or
 *  pattern number: m->vars->cell, x, row_pat; and each cell's fold,
 *  m->cv->foldid; all left NULL) once nothing will refit or re-read it:
 *  the surfaces (rrs, tier), the summary and the variables' descriptions
 *  stay. A national grid's design is most of the memory of writing the
 *  files (about 16 bytes a cell). */
void rtm_model_release_design(rtm_model *m);

/** As rtm_model_fit, from candidate variables built earlier (e.g. loaded
 *  from a cache with rtm_varset_read): the risk-layer work is skipped and
 *  only the offence-dependent steps run. Takes ownership of vars (freed on
 *  failure too). vars->cell indexes grid g. */
int rtm_model_fit_varset(const rtm_grid *g, rtm_varset *vars, const double *counts,
                         const rtm_model_opts *o, rtm_model **out, rtm_error *err);

/* ==== priority: priority places - cells of one class (e.g. the highest risk
 * tier) merged into polygons (8-connected), ranked, written as a GeoPackage
 * or GeoJSON layer. */
typedef struct rtm_place {
    int rank;             /**< 1 = first priority */
    size_t cells;
    double area;          /**< CRS units² */
    double max_score, mean_score;
    double events;        /**< events in the place's cells (counts may be NULL: 0) */
    double cx, cy;        /**< centroid of the cell centres */
} rtm_place;

/** Label the 8-connected regions of cells with flag[k] != 0 and rank them by
 *  maximum score, then events, then size (ties: lowest first cell index).
 *  *label (ncells ints, 0 = none, else rank) and *places (nplaces) are
 *  malloc'd for the caller. score/counts may be NULL. */
int rtm_places_find(const rtm_grid *g, const unsigned char *flag, const double *score,
                    const double *counts, int **label, rtm_place **places, int *nplaces,
                    rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
