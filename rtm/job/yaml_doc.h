/* yaml_doc.h (private): schema helpers over a libyaml document for the job
 * and catalogue readers. Every problem is appended to an rtm_msgs list as
 * "FILE:LINE:COL: message" (1-based line and column of the offending node),
 * so a reader can go on and report all problems at once (GMT style).
 * All scalars are treated as strings (no YAML 1.1 implicit typing, so
 * "20:00" and "2018-01" stay text); numbers are parsed by the helpers.
 */
#ifndef RTM_YAML_DOC_H
#define RTM_YAML_DOC_H

#include <yaml.h>
#include "rtm/job.h"

typedef struct rtm_ydoc {
    yaml_document_t doc;
    int loaded;
    const char *path;  /**< file name used in messages */
    char *dir;         /**< directory of path (for relative paths) */
    rtm_msgs *errs;    /**< where problems go (never NULL inside the helpers) */
    rtm_msgs *warns;   /**< where warnings go; NULL: not wanted (and checks that
                            only warn, such as reading data, are skipped) */
    int nerr;          /**< problems reported for this document */
} rtm_ydoc;

/** Parse the file (a single YAML document). Returns 0, or -1 with a message
 *  in errs (syntax error with its position, or the file cannot be read). */
int rtm_ydoc_open(rtm_ydoc *y, const char *path, rtm_msgs *errs);
void rtm_ydoc_close(rtm_ydoc *y);
yaml_node_t *rtm_ydoc_root(rtm_ydoc *y);

/** Check a name that becomes a path component (the job name, surface and
 *  area-set names): it must be non-empty, must not start with a dot, and must
 *  hold no slash, backslash, blank, control character or : * ? " < > |
 *  (so neither "..", "a/b" nor ".hidden" can leave or hide in the output
 *  folder). what names it in the message ("job name"). Reports at n (NULL:
 *  1:1). Returns 0 or -1 (reported). */
int rtm_ycheck_name(rtm_ydoc *y, const yaml_node_t *n, const char *what, const char *name);

/** Report a problem at node n (n may be NULL: position 1:1). */
void rtm_yerr(rtm_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Report a warning at node n ("FILE:LINE:COL: warning: ..."), when y->warns. */
void rtm_ywarn(rtm_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** 1 if a and b are at most 2 edits apart (case-insensitive; short words). */
int rtm_ynear(const char *a, const char *b);

/** Scalar text of n, or NULL if n is not a scalar. */
const char *rtm_yscalar(const yaml_node_t *n);

/** Value node of key in mapping map, or NULL. */
yaml_node_t *rtm_yget(rtm_ydoc *y, yaml_node_t *map, const char *key);

/** n must be a mapping ("'what' must be a mapping of key: value"). Returns 0/-1. */
int rtm_yexpect_map(rtm_ydoc *y, yaml_node_t *n, const char *what);

/** Report unknown and duplicate keys of mapping map; allowed is a
 *  NULL-terminated list; what names the section in messages.
 *  Returns the number of problems. */
int rtm_ycheck_keys(rtm_ydoc *y, yaml_node_t *map, const char *what,
                    const char *const *allowed);

/** Report a missing required key. Returns the value node or NULL. */
yaml_node_t *rtm_yrequire(rtm_ydoc *y, yaml_node_t *map, const char *key,
                          const char *what);

/** Copy of the scalar at key (NULL if absent); reports non-scalars.
 *  Returns -1 on a problem or no memory, else 0. */
int rtm_ystr(rtm_ydoc *y, yaml_node_t *map, const char *key, char **out);

/** Parse the scalar at key as a number in [lo, hi]; leaves *out when absent.
 *  Returns 0 (absent or valid) or -1 (reported). */
int rtm_ynum(rtm_ydoc *y, yaml_node_t *map, const char *key, double lo, double hi,
             double *out);

/** Integer in [lo, hi]. */
int rtm_yint(rtm_ydoc *y, yaml_node_t *map, const char *key, long long lo, long long hi,
             long long *out);

/** Boolean (true/false/yes/no/on/off/1/0). */
int rtm_ybool(rtm_ydoc *y, yaml_node_t *map, const char *key, int *out);

/** One of choices (NULL-terminated, matched case-insensitively): *out gets its
 *  index; leaves *out when absent. Returns 0 or -1 (reported). */
int rtm_yenum(rtm_ydoc *y, yaml_node_t *map, const char *key, const char *const *choices,
              int *out);

/** A scalar or a sequence of scalars as a string array (copied; *n items).
 *  Leaves outputs when absent. Returns 0 or -1. */
int rtm_ystrlist(rtm_ydoc *y, yaml_node_t *map, const char *key, char ***out, int *n);

/** Path resolved against the document's directory ("/vsi..." and absolute
 *  paths unchanged). Returns a new string or NULL (no memory). */
char *rtm_yresolve(const rtm_ydoc *y, const char *path);

/** Expand a resolved glob into sorted files; reports "no file matches" at n.
 *  A /vsigzip/ prefix is kept; a plain .gz file (not .tar.gz) gets the
 *  /vsigzip/ prefix GDAL needs to read it; other GDAL virtual paths
 *  (/vsizip/, /vsitar/, remote /vsicurl/...) are taken as one file, archive
 *  members checked with VSIStatL. Returns 0 or -1. */
int rtm_yglob(rtm_ydoc *y, const yaml_node_t *n, const char *pattern, char ***files,
              int *nfiles);

/** Free an array of n strings (NULL safe). */
void rtm_ystrv_free(char **v, int n);

/** strdup that tolerates NULL. */
char *rtm_ystrdup(const char *s);

/** An enumerated option through the one vocabulary (rtm/product.h): every
 *  spelling of the option's table is accepted, an unknown one is reported
 *  with the expected names; *value is left as it was when key is absent. */
void rtm_yvocab(rtm_ydoc *y, yaml_node_t *map, const char *key, const char *option,
                int *value);

#endif
