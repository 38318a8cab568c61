/* job_types.c: `rtm run --check` warns about `types:` that select nothing.
 * A listed type that no event of any source carries (after the source's
 * `where`) is most likely a misspelling, and its run would silently drop
 * those offences; a close spelling among the values found is suggested.
 * This reads the type column of the data (bounded), so it runs only when
 * warnings are wanted (rtm_job_check_warn), never when a job is loaded. */
#include "job/job_internal.h"
#include "core/gdal.h"

#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many events are read over all sources, and this many
 * distinct values kept for suggestions. */
#define TYPES_MAX_ROWS 5000000L
#define TYPES_MAX_VALUES 256

typedef struct type_scan {
    const rtm_job_offences *o;
    int *found;            /* per listed type */
    char *values[TYPES_MAX_VALUES];
    int nvalues;
    long rows;             /* events read */
} type_scan;

static void note_value(type_scan *t, const char *v)
{
    for (int i = 0; i < t->o->ntypes; i++)
        if (strcasecmp(t->o->types[i], v) == 0)
            t->found[i] = 1;
    for (int i = 0; i < t->nvalues; i++)
        if (strcasecmp(t->values[i], v) == 0)
            return;
    if (t->nvalues < TYPES_MAX_VALUES && (t->values[t->nvalues] = strdup(v)))
        t->nvalues++;
}

/* Read the type column of one file (its layer, its filter). */
static void scan_file(type_scan *t, const rtm_job_source *s, const char *file)
{
    GDALDatasetH ds = GDALOpenEx(file, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH l = !ds ? NULL : s->layer ? GDALDatasetGetLayerByName(ds, s->layer)
                                        : GDALDatasetGetLayer(ds, 0);
    int fi = l ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), s->type_field) : -1;
    if (fi >= 0 && (!s->where || OGR_L_SetAttributeFilter(l, s->where) == OGRERR_NONE)) {
        OGRFeatureH f;
        OGR_L_ResetReading(l);
        while (t->rows < TYPES_MAX_ROWS && (f = OGR_L_GetNextFeature(l))) {
            if (OGR_F_IsFieldSetAndNotNull(f, fi))
                note_value(t, OGR_F_GetFieldAsString(f, fi));
            OGR_F_Destroy(f);
            t->rows++;
        }
    }
    if (ds)
        GDALClose(ds);
}

/* The value found that the listed type is probably a misspelling of. */
static const char *guess(const type_scan *t, const char *type)
{
    for (int i = 0; i < t->nvalues; i++)
        if (rtm_ynear(type, t->values[i]))
            return t->values[i];
    return NULL;
}

/* The node of the i-th listed type (the list itself for a single scalar). */
static yaml_node_t *item(rtm_ydoc *y, yaml_node_t *types, int i)
{
    if (!types || types->type != YAML_SEQUENCE_NODE ||
        i >= (int)(types->data.sequence.items.top - types->data.sequence.items.start))
        return types;
    return yaml_document_get_node(&y->doc, types->data.sequence.items.start[i]);
}

static void report(rtm_ydoc *y, yaml_node_t *types, const type_scan *t)
{
    for (int i = 0; i < t->o->ntypes; i++) {
        if (t->found[i])
            continue;
        yaml_node_t *at = item(y, types, i);
        const char *g = guess(t, t->o->types[i]);
        char hint[300] = "";
        if (g)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", g);
        rtm_ywarn(y, at, "type '%s' selects nothing: no %s of the data has it%s%s",
                  t->o->types[i], t->rows >= TYPES_MAX_ROWS ? "one of the first 5000000 events"
                                                            : "event",
                  t->nvalues ? "" : " (the type field is always empty)", hint);
    }
}

void rtm_job_check_types(rtm_ydoc *y, yaml_node_t *root, const rtm_job *job)
{
    const rtm_job_offences *o = &job->offences;
    type_scan t = {.o = o};
    if (!y->warns || o->ntypes == 0 || y->nerr > 0)
        return;
    for (int i = 0; i < o->nsources; i++)
        if (!o->sources[i].type_field)
            return; /* reported as an error elsewhere */
    if (!(t.found = calloc((size_t)o->ntypes, sizeof *t.found)))
        return;
    rtm_gdal_init();
    for (int i = 0; i < o->nsources; i++)
        for (int k = 0; k < o->sources[i].nfiles; k++)
            scan_file(&t, &o->sources[i], o->sources[i].files[k]);
    report(y, rtm_yget(y, rtm_yget(y, root, "offences"), "types"), &t);
    for (int i = 0; i < t.nvalues; i++)
        free(t.values[i]);
    free(t.found);
}
