/* rtm/jobunits.h: a job run fanned out as independent units, for batch
 * arrays (Slurm --array, AWS Batch array jobs, Kubernetes indexed jobs,
 * GNU parallel). Part of the public API; include <rtm.h> for all of it.
 *
 * A job's units are the surfaces that need nothing but the offences, the
 * grid and their own inputs: kde, distance, rtm, hotspots, change,
 * forecast, dosage, places, emerging, trial, knox, repeats; one unit each,
 * numbered 0..N-1 in the job's order (a kde, hotspots or change surface
 * with `tiles: N` gives N units, one per strip of rows, whose tile files
 * the finish step merges into the surface's files; every other surface is
 * one tile, 0 of 1). Surfaces made from other surfaces - overlay (their values) and
 * evaluate (their GeoTIFFs) - and the per-area maps (drawn from the last
 * surface), report.html and manifest.json are the finish step.
 *
 *   rtm_jobrun_unit(job, K, ...)   for each K, in any order, in parallel,
 *                                  on any machine that sees OUT
 *   rtm_jobrun_finish(job, ...)    once every unit is there
 *
 * gives the same run folder, byte for byte (manifest.json's run id and
 * timings aside), as rtm_jobrun, which runs every unit in-process and then
 * the same finish step (one pipeline).
 *
 * Unit K of a run is computed in a private folder OUT/units/<ID>/.K.tmp-...
 * and renamed to OUT/units/<ID>/K when complete (a unit is complete or
 * absent), with its state (.rtm-unit: what the finish step needs - values,
 * map names, the model's table, the back-test figures, the output list).
 * ID is "<run date>-<16 hex>": SHA-256 of the rtm version, the run date and
 * the SHA-256 of every input of the manifest (job file, study area, offence
 * files, layers and their files, area sets), so separate processes agree on
 * it, and units computed from other inputs are never mixed into a run.
 * Units take no lock: they write only below OUT/units/<ID> and into the
 * cache (OUT/cache, safe to share). The finish step takes OUT's lock,
 * links (or copies) each unit's files into the run's staging folder where
 * rtm_jobrun would write them, computes the rest, commits, switches
 * OUT/current atomically and removes OUT/units/<ID>.
 */
#ifndef RTM_JOBUNITS_H
#define RTM_JOBUNITS_H

#include "rtm/error.h"
#include "rtm/job.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One unit of a job. */
typedef struct rtm_job_unit {
    int surface;      /**< index in job->surfaces */
    int tile, ntiles; /**< row-strip tile (0 of 1: the whole grid) */
    const char *area; /**< polygon it is limited to, NULL = the study area (always now) */
} rtm_job_unit;

/** 1 when surfaces of type t are made from other surfaces (overlay,
 *  evaluate) and so belong to the finish step, else 0. */
int rtm_job_surface_in_finish(rtm_surface_type t);

/** The job's units: returns N and fills units[0..min(N, max)) (units may be
 *  NULL with max 0 to count). Thread safe. */
int rtm_job_units(const rtm_job *job, rtm_job_unit *units, int max);

/** What rtm_jobrun_unit did. */
typedef struct rtm_jobunit_result {
    char dir[4096];  /**< the unit's folder OUT/units/<ID>/<K> */
    char id[64];     /**< the run's unit id <ID> */
    int already;     /**< 1: it was complete already (nothing computed) */
    int noutputs;    /**< its output files */
    double seconds;  /**< wall-clock time */
} rtm_jobunit_result;

/** Compute unit k (0 <= k < rtm_job_units) of the run of job on
 *  o->run_date, which must be set (every unit and the finish step must
 *  agree on it): loads the offences, computes the surface, writes its
 *  files and state into OUT/units/<ID>/<k> atomically. Idempotent: when the
 *  unit is complete already it returns 0 with res->already = 1; two
 *  processes computing the same unit at once both succeed and one folder
 *  stays. Takes no lock: units of one run may run at the same time (and
 *  beside a run of another date). Returns 0, RTM_ERR_ARG (k out of range,
 *  no run date, a surface of the finish step), or the errors of
 *  rtm_jobrun. res may be NULL. */
int rtm_jobrun_unit(const rtm_job *job, int k, const rtm_jobrun_opts *o,
                    rtm_jobunit_result *res, rtm_error *err);

/** The finish step of the run of job on o->run_date (which must be set):
 *  takes OUT's lock, checks that every unit is complete (RTM_ERR_IO
 *  "run: N of M units missing in 'OUT/units/ID': 0 2 5 ..." when not, with
 *  nothing changed), gathers their files, computes the surfaces of the
 *  finish step, the per-area maps, report.html and manifest.json, commits
 *  and switches OUT/current, then removes OUT/units/<ID>. On failure the
 *  previous set stays current and the units stay (it can be re-run).
 *  Returns as rtm_jobrun. */
int rtm_jobrun_finish(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
                      rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
