/* rtm_variables.h: RTM candidate variables. For every risk factor and every
 * distance of the spatial-influence ladder, binary cell variables:
 *   Proximity(d) = 1 if the cell centre is within Euclidean distance d of a
 *                  feature (exact distance to the geometry);
 *   Density(d)   = 1 if the kernel density of the factor's features with
 *                  bandwidth d at the cell centre is >= mean + k*SD over the
 *                  study-area cells (k = 2 by default).
 * (rtm-method.md, "Candidate variables"; Caplan & Kennedy, RTM Manual 2016.)
 * Only study-area cells are rows of the design. */
#ifndef RTM_VARIABLES_H
#define RTM_VARIABLES_H

#include <stddef.h>
#include "rtm_error.h"
#include "rtm_features.h"
#include "rtm_grid.h"
#include "rtm_kde.h"

#ifdef __cplusplus
extern "C" {
#endif

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
    int generated, dropped_constant;
} rtm_factor_info;

typedef struct rtm_varset {
    size_t n;              /**< study-area cells (design rows) */
    size_t *cell;          /**< n grid indices of the rows */
    int p;                 /**< variables kept (non-constant) */
    rtm_variable *var;     /**< p variables */
    unsigned char *x;      /**< n*p row-major 0/1 */
    int nfactors;
    rtm_factor_info *info; /**< nfactors */
    int generated;         /**< variables generated before dropping constants */
} rtm_varset;

/** Build the variables on grid g over the cells with mask != 0 (mask NULL =
 *  all). study_area is the study area's area (for the Clark-Evans test of
 *  AUTO; 0 = cells' area). Constant variables are dropped and counted. A
 *  factor with no features is an error naming it. */
int rtm_variables_build(const rtm_grid *g, const unsigned char *mask, double study_area,
                        const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                        rtm_varset **out, rtm_error *err);
void rtm_varset_free(rtm_varset *v);

/** Save a variable set to path (atomically; native-endian cache format). */
int rtm_varset_write(const char *path, const rtm_varset *v, rtm_error *err);
/** Load a set saved by rtm_varset_write; *out is freed with rtm_varset_free.
 *  A truncated or foreign file is RTM_ERR_IO. */
int rtm_varset_read(const char *path, rtm_varset **out, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
