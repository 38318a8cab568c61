/* rtm_run.h: executing a job file (`rtm run JOB`, rtm_job.h).
 *
 * rtm_jobrun computes every surface a loaded job declares and writes the
 * whole output set into a run folder (rtm_runfolder.h): GeoTIFFs (+ .qml),
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
 * string with the grid, rtm_cache.h); a rerun with unchanged layers copies
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
 */
#ifndef RTM_RUN_H
#define RTM_RUN_H

#include "rtm_error.h"
#include "rtm_job.h"

#ifdef __cplusplus
extern "C" {
#endif

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
