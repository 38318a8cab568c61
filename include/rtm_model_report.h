/* rtm_model_report.h: the model report as JSON and Markdown, with the tables
 * the reference tool prints (inputs, factors, variables generated and kept,
 * final model, RRS range) plus tiers, the CV curve and the stepwise log. */
#ifndef RTM_MODEL_REPORT_H
#define RTM_MODEL_REPORT_H

#include "rtm_model.h"
#include "rtm_points.h"
#include "rtm_priority.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the report says about the run besides the model itself. */
typedef struct rtm_model_context {
    const char *software;        /**< "rtm 0.1.0" */
    const char *crs;             /**< grid CRS as given */
    const rtm_grid *grid;
    const char *const *event_files; int nevent_files;
    const char *where;           /**< event filter or NULL */
    const rtm_load_stats *events;/**< event load counts */
    const rtm_factor_spec *factors; int nfactors;
    const char *const *factor_files; /**< nfactors source descriptions */
    const rtm_model_opts *opts;
    const rtm_place *places; int nplaces;  /**< priority places (may be 0) */
} rtm_model_context;

/** Write model.json (atomically). */
int rtm_model_report_json(const char *path, const rtm_model *m, const rtm_model_context *c,
                          rtm_error *err);
/** Write model.md (atomically). */
int rtm_model_report_md(const char *path, const rtm_model *m, const rtm_model_context *c,
                        rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
