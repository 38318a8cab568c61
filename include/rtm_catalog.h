/* rtm_catalog.h: the catalogue of named risk layers (the YAML files of layers/).
 *
 * Each YAML file in a catalogue directory defines one risk layer: where its
 * features come from (file(s), OGR layer, coordinate columns for CSV), which
 * features are selected (an OGR SQL attribute filter built from `where:` and
 * `match:`), its default operationalization for a Risk Terrain Model and its
 * default spatial influence. A job refers to layers by name. The format is
 * documented in layers/README.md and docs/job-format.md.
 *
 * All strings are owned by the catalogue and freed by rtm_catalog_free.
 * A loaded catalogue is read-only and may be shared between threads.
 */
#ifndef RTM_CATALOG_H
#define RTM_CATALOG_H

#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A list of messages ("file:line:col: message"), e.g. every validation
 *  error of a job file. Free with rtm_msgs_free. */
typedef struct rtm_msgs {
    int n;       /**< number of messages */
    int cap;     /**< allocated slots (internal) */
    char **msg;  /**< n NUL-terminated messages, in file order */
} rtm_msgs;

/** Free the messages and reset the list to empty (m may be NULL). */
void rtm_msgs_free(rtm_msgs *m);

/** Append a printf-style message (copies it). Returns 0, or -1 when out of
 *  memory (the message is then dropped). */
int rtm_msgs_add(rtm_msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** How a risk factor enters an RTM model (rtm-method.md, "Candidate variables"). */
typedef enum rtm_oper {
    RTM_OPER_AUTO = 0,   /**< choose by clustering / nearest-neighbour rule */
    RTM_OPER_PROXIMITY,  /**< within distance d of any feature */
    RTM_OPER_DENSITY,    /**< kernel density >= mean + 2 SD */
    RTM_OPER_BOTH        /**< both variables are candidates */
} rtm_oper;

/** "auto", "proximity", "density", "both". */
const char *rtm_oper_name(rtm_oper op);

/** Spatial-influence increments of the distance ladder. */
typedef enum rtm_increment {
    RTM_INCR_HALF = 0,  /**< half-block steps */
    RTM_INCR_WHOLE      /**< whole-block steps */
} rtm_increment;

/** One named risk layer. */
typedef struct rtm_catalog_layer {
    char *name;         /**< catalogue name (file stem unless `name:` says otherwise) */
    char *title;        /**< human-readable title (defaults to name) */
    char *description;  /**< may be NULL */
    char *def_path;     /**< the YAML file that defines it */
    char **files;       /**< nfiles data sources, resolved against the YAML file's
                             directory, globs expanded, in sorted order */
    int nfiles;
    char *layer;        /**< OGR layer name, NULL = the first layer */
    char *x_field;      /**< CSV: column with x / longitude (NULL = geometry) */
    char *y_field;      /**< CSV: column with y / latitude */
    char *crs;          /**< CRS of the source when the file has none, or NULL */
    char *where;        /**< OGR SQL attribute filter combining `where:` and `match:`
                             (NULL = all features) */
    rtm_oper oper;      /**< default operationalization */
    int max_blocks;     /**< default maximum spatial influence in blocks (0 = job's) */
    int increment;      /**< default ladder step: RTM_INCR_HALF / RTM_INCR_WHOLE, or -1
                             when the layer does not say (the job's default applies) */
    int protective;     /**< 1 when the factor is protective (coded 0/-1) */
    char *attribution;  /**< attribution text for reports, may be NULL */
    char *licence;      /**< licence name, may be NULL */
} rtm_catalog_layer;

/** A layer file that failed validation (kept by the lenient loader so a job
 *  that uses it can report why). */
typedef struct rtm_catalog_broken {
    char *name;      /**< its name (the `name:` key if readable, else the file stem) */
    char *def_path;  /**< the YAML file */
    rtm_msgs errs;   /**< its problems */
} rtm_catalog_broken;

/** A loaded catalogue. */
typedef struct rtm_catalog {
    char *dir;                  /**< the directory it was loaded from */
    int n;                      /**< number of layers */
    rtm_catalog_layer *layers;  /**< sorted by name */
    int nbroken;                /**< invalid layer files (lenient loading only) */
    rtm_catalog_broken *broken;
} rtm_catalog;

/** Load every *.yaml / *.yml file of dir as one layer definition.
 *  Validation problems are appended to errs (each "file:line:col: ...";
 *  errs may be NULL); data files that do not exist are errors. Returns 0 and
 *  sets *out when there was no error; otherwise returns RTM_ERR_INPUT (first
 *  problem in err) or RTM_ERR_IO (directory unreadable) and *out is unset. */
int rtm_catalog_load(const char *dir, rtm_catalog **out, rtm_msgs *errs, rtm_error *err);

/** Like rtm_catalog_load, but always returns the catalogue: valid layers in
 *  layers[], invalid layer files in broken[] with their problems (so a job
 *  is only stopped by broken layers it uses). errs (may be NULL) also gets
 *  every problem. Returns 0, RTM_ERR_IO when dir cannot be listed,
 *  RTM_ERR_NOMEM. */
int rtm_catalog_load_lenient(const char *dir, rtm_catalog **out, rtm_msgs *errs,
                             rtm_error *err);

/** The broken layer file called name, or NULL. */
const rtm_catalog_broken *rtm_catalog_find_broken(const rtm_catalog *cat, const char *name);

/** The layer called name, or NULL. */
const rtm_catalog_layer *rtm_catalog_find(const rtm_catalog *cat, const char *name);

/** Free a catalogue (cat may be NULL). */
void rtm_catalog_free(rtm_catalog *cat);

#ifdef __cplusplus
}
#endif
#endif
