/* core/cleanup.h: removing staged files when the process is interrupted.
 *
 * Outputs are written to temporary files and staging directories before they
 * are renamed into place (core/atomic.h, run/runfolder.h). If the process is
 * stopped by SIGTERM, SIGINT or SIGHUP in the meantime, those would be left
 * behind until the next run. Code that creates such a path registers it here
 * and unregisters it once it has been renamed or removed; the signal handler
 * installed by rtm_cleanup_install_signals removes every registered path
 * (files, or whole directory trees, never following symbolic links), then
 * re-raises the signal with its default action, so the process ends with the
 * conventional status (128 + signal number in a shell).
 *
 * The table has a fixed size and lives in static storage, so the handler
 * needs no allocation and uses only async-signal-safe calls (openat,
 * getdents64, unlinkat, close, sigaction, raise). Registration is best
 * effort: when the table is full a path is simply not removed on a signal.
 * All functions are thread safe. The library never installs the handler
 * itself: only the program's main does (one call at start).
 */
#ifndef RTM_CLEANUP_H
#define RTM_CLEANUP_H

#ifdef __cplusplus
extern "C" {
#endif

/** Number of paths that can be registered at once. */
#define RTM_CLEANUP_MAX 64

/** Longest path that can be registered, including the terminating NUL. */
#define RTM_CLEANUP_PATH_MAX 4096

/** Register `path` (copied) for removal on a signal. Returns 0, or -1 when
 *  the table is full or the path too long (then it is not registered). */
int rtm_cleanup_add(const char *path);

/** Unregister `path` (the first registration with that exact string); a
 *  path that is not registered, or NULL, is a no-op. */
void rtm_cleanup_remove(const char *path);

/** Remove every registered path now and empty the table. Async-signal-safe;
 *  this is what the signal handler does before re-raising the signal. */
void rtm_cleanup_run(void);

/** Remove a file, or a directory tree, without following symbolic links
 *  (a symbolic link is removed itself, never its target). Async-signal-safe;
 *  nesting deeper than 32 levels is left in place. Returns 0 when `path`
 *  no longer exists afterwards, -1 otherwise. */
int rtm_cleanup_rmtree(const char *path);

/** Leftovers of processes that never finished (killed with SIGKILL, or a
 *  batch array never resubmitted): remove every real subdirectory of `dir`
 *  (never a symbolic link) whose name `match` accepts and that has not been
 *  modified for more than max_age seconds. Not async-signal-safe. Returns
 *  the number removed. */
int rtm_cleanup_prune_dirs(const char *dir, int (*match)(const char *name), double max_age);

/** Install the handler for SIGTERM, SIGINT and SIGHUP (see above). Call once,
 *  from the program's main, before any output is staged. Returns 0 or -1
 *  (errno set by sigaction). */
int rtm_cleanup_install_signals(void);

#ifdef __cplusplus
}
#endif
#endif
