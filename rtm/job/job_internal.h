/* job_internal.h (private): the section readers of the job parser. Each
 * reads one section of the YAML document into the job, reporting every
 * problem through the rtm_ydoc (see yaml_doc.h), and keeps going. */
#ifndef RTM_JOB_INTERNAL_H
#define RTM_JOB_INTERNAL_H

#include "rtm/job.h"
#include "job/yaml_doc.h"

/** Read the whole document into job (top level; calls the readers below). */
void rtm_job_read(rtm_ydoc *y, const char *catalog_dir, rtm_job *job);
/** offences: sources, types, month window, hours, harm. */
void rtm_job_read_offences(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o);
/** surfaces: the list of kde / distance / rtm / overlay surfaces. */
void rtm_job_read_surfaces(rtm_ydoc *y, yaml_node_t *n, rtm_job *job);
/** A surface of type change (job_change.c). */
void rtm_job_read_change(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s);
/* tiles: N (1 .. RTM_JOB_MAX_TILES) into s->tiles (default 1). */
void rtm_job_read_tiles(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s);
/** The keys of a `dosage` surface into s->dosage (job_dosage.c). */
void rtm_job_read_dosage(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s);
/** Canonical parameters of a dosage surface (malloc'd), or NULL. */
char *rtm_job_dosage_params(const struct rtm_job_dosage *d);
/** Surfaces of type knox and repeats (job_knox.c). */
void rtm_job_read_knox(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s);
void rtm_job_read_repeats(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s);
/** Bounds of the job's dates: every month window lies within these years
 *  and spans at most RTM_JOB_MAX_MONTHS, so month arithmetic (year * 12 +
 *  month, less a window and a lag) stays far from int overflow. */
#define RTM_JOB_MIN_YEAR 1900
#define RTM_JOB_MAX_YEAR 2200
#define RTM_JOB_MAX_MONTHS 1200
/** Bounds of lengths in CRS units: cells, and kernel radii, bands and
 *  blocks (finite, > 0), and of harm weights (finite, >= 0). */
#define RTM_JOB_MIN_CELL 0.01
#define RTM_JOB_MAX_CELL 100000.0
#define RTM_JOB_MAX_DISTANCE 1e7
#define RTM_JOB_MAX_TILES 4096
#define RTM_JOB_MAX_WEIGHT 1e9
/** The most cells a job's grid may have (checked against the study area). */
#define RTM_JOB_MAX_CELLS 2147483648.0
/** A month "YYYY-MM" of a job (exactly 7 characters, year within the
 *  bounds above) as year * 12 + month - 1; -1 if not. */
int rtm_job_month_parse(const char *s);
/** Parse "HH:MM" (00:00..24:00) into minutes; -1 if malformed. */
int rtm_job_parse_hhmm(const char *s);
/** Day name ("fri", "Friday") to 0 = Monday .. 6 = Sunday; -1 if unknown. */
int rtm_job_parse_day(const char *s);

/** Check the job against its data (CRSs known, files open, layers, fields
 *  and filters exist); reads only headers (job_data.c). */
void rtm_job_check_data(rtm_ydoc *y, yaml_node_t *root, const rtm_job *job);
/** Warn (y->warns only) about listed types no event of the data has;
 *  reads the type column of every source, bounded (job_types.c). */
void rtm_job_check_types(rtm_ydoc *y, yaml_node_t *root, const rtm_job *job);
/** Open one vector file and check its layer, nfields named fields (keys[i]
 *  is the YAML key naming fields[i], NULL fields skipped) and filter;
 *  problems are reported at the keys of mapping map. */
void rtm_job_check_file(rtm_ydoc *y, yaml_node_t *map, const char *file, const char *layer,
                        const char *where, int nfields, const char *const *keys,
                        const char *const *fields);

/** Check a dosage surface's pings (id, time, x, y fields) and places
 *  (polygons; no `place` field: a warning) against its mapping map
 *  (job_data.c). */
struct rtm_job_dosage;
void rtm_job_check_dosage_data(rtm_ydoc *y, yaml_node_t *map, const struct rtm_job_dosage *d);

void rtm_job_offences_clear(rtm_job_offences *o);
void rtm_job_surfaces_clear(rtm_job *job);
void rtm_job_vector_clear(rtm_job_vector *v);

#endif
