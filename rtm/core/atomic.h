/* core/atomic.h: replacing output files atomically.
 *
 * Every output is first written to a hidden temporary file in the same
 * directory as its destination, flushed to disk, then renamed over the
 * destination with rename(2), which POSIX makes atomic within a file system.
 * Readers therefore see either the complete old file or the complete new one,
 * and a failed or interrupted run leaves the previous output untouched.
 *
 * The temporary file for "dir/name.ext" is "dir/.name.ext.XXXXXX/name.ext":
 * the same name, so format-guessing code (GDAL drivers) still recognises it,
 * inside a fresh hidden directory that mkdtemp(3) creates with mode 0700
 * under an unpredictable name (XXXXXX random). No other user can create,
 * replace or read anything inside it, so a symbolic link planted in a shared
 * writable folder can never redirect a write (nor can one in place of GDAL's
 * own side files, which it creates next to the file it writes), and
 * files keep their normal mode (0666 minus the umask) once renamed into
 * place. The directory is registered with core/cleanup.h so a SIGTERM or
 * SIGINT removes it; commit and abort remove it. All functions are
 * thread-safe.
 */
#ifndef RTM_ATOMIC_H
#define RTM_ATOMIC_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of a temporary path, including the terminating NUL. */
#define RTM_ATOMIC_PATH_MAX 4096

/** Reserve a temporary path for `path` (see above) in tmp[0..tmpsz): creates
 *  the private directory, not the file itself, which the caller creates by
 *  name (fopen "wb", GDALCreate, ...). Every successful call must be followed
 *  by rtm_atomic_commit or rtm_atomic_abort, which remove the directory.
 *  Returns 0, RTM_ERR_ARG if path is empty or ends in '/', or the name does
 *  not fit in tmpsz, or RTM_ERR_IO (naming path) if the directory cannot be
 *  created. */
int rtm_atomic_tmpname(const char *path, char *tmp, size_t tmpsz, rtm_error *err);

/** Flush the finished temporary file `tmp` to disk (fsync), rename it over
 *  `path`, then fsync the directory so the rename itself is durable.
 *  On failure the temporary file is removed, `path` is left as it was and
 *  RTM_ERR_IO is returned with a message naming `path`. */
int rtm_atomic_commit(const char *tmp, const char *path, rtm_error *err);

/** Remove a temporary file and its private directory (errors are ignored;
 *  tmp may be NULL). */
void rtm_atomic_abort(const char *tmp);

/** Write len bytes of data as the whole content of `path`, atomically
 *  (new files get mode 0666 minus the umask). Returns 0 or RTM_ERR_IO naming
 *  the path; on failure `path` is unchanged and no temporary file remains. */
int rtm_atomic_write_text(const char *path, const char *data, size_t len, rtm_error *err);

/** Capacity of an rtm_atomic_set. */
#define RTM_ATOMIC_SET_MAX 16

/** A group of outputs that are committed together (e.g. a GeoTIFF, its .qml
 *  style, a PNG and its world file): write every temporary file first, then
 *  commit them all, or abort them all if any step failed. Initialise with
 *  rtm_atomic_set_init; every set must end with commit_all or abort_all,
 *  which release its memory. Not thread-safe: one set belongs to one thread. */
typedef struct rtm_atomic_set {
    int n;                            /**< number of entries */
    char *tmp[RTM_ATOMIC_SET_MAX];    /**< temporary paths, owned */
    char *path[RTM_ATOMIC_SET_MAX];   /**< destination paths, owned */
} rtm_atomic_set;

/** Make an empty set. */
void rtm_atomic_set_init(rtm_atomic_set *s);

/** Reserve a temporary path for destination `path` and add the pair to the
 *  set. Returns the temporary path (owned by the set, valid until
 *  commit_all/abort_all) for the caller to write, or NULL with RTM_ERR_ARG
 *  (set full, bad path) or RTM_ERR_NOMEM. Adding a path already in the set
 *  is an error. */
const char *rtm_atomic_set_add(rtm_atomic_set *s, const char *path, rtm_error *err);

/** Commit every entry: first fsync all temporary files (if any is missing
 *  or fails, everything is aborted and no destination changes), then rename
 *  each in the order added, then fsync the directories. A rename failure
 *  part-way (rare: e.g. a destination is a directory) aborts the remaining
 *  entries; the ones already renamed stay replaced. Empties the set. Returns
 *  0 or RTM_ERR_IO naming the destination. */
int rtm_atomic_set_commit_all(rtm_atomic_set *s, rtm_error *err);

/** Remove every temporary file of the set and empty it. */
void rtm_atomic_set_abort_all(rtm_atomic_set *s);

/** Remove the temporary files of entries n, n+1, ... and drop them from the
 *  set, keeping the first n (for a writer that adds several entries and
 *  fails part-way). n >= s->n is a no-op. */
void rtm_atomic_set_abort_from(rtm_atomic_set *s, int n);

#ifdef __cplusplus
}
#endif
#endif
