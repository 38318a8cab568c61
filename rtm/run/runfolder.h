/* run/runfolder.h: run folders with an atomic switch of the whole output set.
 *
 * Layout of an output directory OUT:
 *     OUT/.lock                 lock file (flock), holds the running pid
 *     OUT/.staging-PID-N/       outputs of the run in progress
 *     OUT/runs/SEQ-YYYYMMDDTHHMMSSZ/   complete runs (SEQ = 000001, 000002, ...)
 *     OUT/current -> runs/...   symlink to the latest complete run
 *
 * A run writes every output into its staging directory (rtm_run_path), then
 * rtm_run_commit fsyncs the files, renames the staging directory into runs/
 * and replaces `current` with rename(2) of a new symlink, which is atomic:
 * a reader, or a kill -9 at any moment, sees either the previous complete
 * set or the new complete set, never a mixture. Old runs beyond `keep` are
 * then pruned. An exclusive, non-blocking flock on OUT/.lock stops a second
 * run on the same OUT (it fails naming the holder's pid); the kernel drops
 * the lock when the process dies, and staging directories left by a killed
 * run are removed by the next rtm_run_begin (or at once on SIGTERM/SIGINT
 * when the program installed core/cleanup.h's handler). OUT/.lock is never
 * followed if it is a symbolic link, and holds the pid of the run holding it
 * (written once the lock is taken, cleared on release).
 *
 * A run handle belongs to one thread; different OUT directories are
 * independent.
 */
#ifndef RTM_RUNFOLDER_H
#define RTM_RUNFOLDER_H

#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_run rtm_run;

/** Options for rtm_run_begin. */
typedef struct rtm_run_opts {
    int keep;  /**< complete runs kept in OUT/runs after a commit (>= 1, default 2) */
} rtm_run_opts;

/** Set the defaults (keep = 2). */
void rtm_run_opts_init(rtm_run_opts *o);

/** Start a run on out_dir (created with its parents if missing): take the
 *  lock, remove stale staging directories, create a fresh staging directory.
 *  opts may be NULL (defaults). On success sets *out and returns 0. Fails
 *  with RTM_ERR_IO: "run: output 'OUT' is in use by another run (pid 1234)"
 *  when an rtm run holds the lock, "... by another program (pid 1234)" or
 *  "... (unknown pid)" when something else does (the holder is found in
 *  /proc/locks); "run: lock 'OUT/.lock' is a symbolic link; refusing to use
 *  it" (or "is not a plain file"); or a file-system error naming the path. */
int rtm_run_begin(const char *out_dir, const rtm_run_opts *opts, rtm_run **out,
                  rtm_error *err);

/** The staging directory (owned by rf). */
const char *rtm_run_staging(const rtm_run *rf);

/** Path of output `name` inside the staging directory, as a new string the
 *  caller frees; name may contain subdirectories ("areas/west.png"), which
 *  are created. Returns NULL for an unsafe name (absolute, "..", empty) or
 *  when a directory cannot be made or memory runs out. */
char *rtm_run_path(rtm_run *rf, const char *name);

/** The id the run will have in OUT/runs once committed (owned by rf). */
const char *rtm_run_id(const rtm_run *rf);

/** Make the staged outputs the current set: fsync, rename into runs/, switch
 *  `current` atomically, prune old runs, release the lock and free rf (rf is
 *  invalid afterwards, whatever the result). On failure the previous set
 *  stays current and the staging directory is removed. Returns 0 or
 *  RTM_ERR_IO. */
int rtm_run_commit(rtm_run *rf, rtm_error *err);

/** Discard the staged outputs, release the lock and free rf (NULL is a no-op). */
void rtm_run_abort(rtm_run *rf);

/** Path of the current complete run directory of out_dir (resolved
 *  `current`), as a new string, or NULL when there is none. */
char *rtm_run_current(const char *out_dir);

/** A handle on a plain folder dir (created; it must not exist yet) used as
 *  the staging directory, without the lock, for a unit of a run
 *  (run/run_units.h): rtm_run_path and rtm_run_staging work on it,
 *  rtm_run_abort removes it, rtm_run_close keeps it; rtm_run_commit must not
 *  be called. Removed on SIGTERM/SIGINT while open (core/cleanup.h). Returns
 *  0 or RTM_ERR_IO naming the path (also when it exists), RTM_ERR_NOMEM. */
int rtm_run_open_dir(const char *dir, rtm_run **out, rtm_error *err);

/** Free a handle of rtm_run_open_dir and keep its folder (NULL is a no-op). */
void rtm_run_close(rtm_run *rf);

/** fsync every file and folder of a tree (no symlinks followed), folders
 *  after their entries. Returns 0 or -1 (errno set). */
int rtm_run_sync_tree(const char *path);

/** Remove a directory tree (no symlinks followed). Returns 0 or -1. */
int rtm_rmtree(const char *path);

/** mkdir -p with mode 0777 (umask applies). Returns 0 or -1 (errno set). */
int rtm_mkdirs(const char *path);

#ifdef __cplusplus
}
#endif
#endif
