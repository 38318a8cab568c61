/* run/manifest.h: the run manifest (manifest.json) and cache keys.
 *
 * A manifest records what a run read and wrote so a result can be traced
 * and reproduced: the software version, run id and date, every input file
 * with its size and SHA-256, the parameters, every output with its size and
 * SHA-256, counts (offences read, used, skipped by reason, ...) and timings.
 * Cache keys for reusing derived surfaces are in run/cache.h.
 * Entries appear in the JSON in the order they were added.
 *
 * Not thread safe: one manifest per run, filled from the main thread.
 */
#ifndef RTM_MANIFEST_H
#define RTM_MANIFEST_H

#include "rtm/error.h"
#include "core/sha256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_manifest rtm_manifest;

/** A new, empty manifest for the job called job_name (copied; may be NULL).
 *  NULL when out of memory. */
rtm_manifest *rtm_manifest_new(const char *job_name);

/** Free (m may be NULL). */
void rtm_manifest_free(rtm_manifest *m);

/** Run identity: id (e.g. the run folder id), run date ("YYYY-MM-DD"),
 *  start and end times (ISO 8601 UTC strings). Any may be NULL. */
void rtm_manifest_set_run(rtm_manifest *m, const char *id, const char *run_date,
                          const char *started, const char *finished);

/** Record an input file: role ("job", "offences", "study_area",
 *  "layer:pubs", ...), its path, size and SHA-256 (computed here, unless the
 *  same path was added before). "/vsigzip/" style prefixes are stripped to
 *  hash the file itself. If sha_out is not NULL it receives the hex digest.
 *  Returns 0, RTM_ERR_IO (unreadable, named) or RTM_ERR_NOMEM. */
int rtm_manifest_add_input(rtm_manifest *m, const char *role, const char *path,
                           char sha_out[RTM_SHA256_HEX], rtm_error *err);

/** Record an output: name as listed (relative to the run folder) and the
 *  file to hash. Returns 0, RTM_ERR_IO or RTM_ERR_NOMEM. */
int rtm_manifest_add_output(rtm_manifest *m, const char *name, const char *path,
                            rtm_error *err);

/** SHA-256 (hex) of the inputs recorded so far: each one's role and
 *  SHA-256, in order (not their paths, which may differ between machines).
 *  Returns 0, or -1 when libcrypto fails. */
int rtm_manifest_inputs_digest(const rtm_manifest *m, char hex[RTM_SHA256_HEX]);

/** Parameters (key -> text or number), e.g. "kde.radius" = 400. */
void rtm_manifest_param(rtm_manifest *m, const char *key, const char *value);
void rtm_manifest_param_num(rtm_manifest *m, const char *key, double value);

/** Counts, e.g. "offences.read", "offences.skipped.no_coordinates". Adding
 *  the same key again replaces the value. */
void rtm_manifest_count(rtm_manifest *m, const char *key, long long n);

/** Wall-clock seconds of a step ("load", "kde", "model", "outputs"). */
void rtm_manifest_timing(rtm_manifest *m, const char *step, double seconds);

/** Write the manifest as JSON to path. Returns 0, RTM_ERR_IO, RTM_ERR_NOMEM
 *  (also for an earlier out-of-memory in a void call above). */
int rtm_manifest_write(const rtm_manifest *m, const char *path, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
