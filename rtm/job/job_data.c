/* job_data.c: checks of a job against its data, without computing: the CRSs
 * are known (and the working CRS projected), every vector file opens with
 * OGR, named layers exist, attribute filters are valid OGR SQL, and named
 * fields exist (a typo such as "Crime Type" for "Crime type" is caught by
 * `rtm run --check`, not halfway through a nightly run). Only headers are
 * read, except that the study area's filter must select a feature. */
#include "job/job_internal.h"
#include "rtm/input.h"
#include "core/gdal.h"

#include <gdal.h>
#include <ogr_api.h>
#include <cpl_error.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rtm/dosage.h"

static yaml_node_t *seq_item(rtm_ydoc *y, yaml_node_t *seq, int i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE ||
        i >= (int)(seq->data.sequence.items.top - seq->data.sequence.items.start))
        return NULL;
    return yaml_document_get_node(&y->doc, seq->data.sequence.items.start[i]);
}

/* The node of key in map, or map itself (for positions). */
static yaml_node_t *at(rtm_ydoc *y, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = rtm_yget(y, map, key);
    return n ? n : map;
}

static void check_crs(rtm_ydoc *y, yaml_node_t *n, const char *key, const char *crs,
                      int projected)
{
    int geo = rtm_crs_is_geographic(crs);
    if (geo < 0)
        rtm_yerr(y, n, "'%s' is not a known coordinate reference system (got '%s')", key, crs);
    else if (projected && geo == 1)
        rtm_yerr(y, n, "'%s' must be a projected CRS in metres or feet: cell sizes and "
                       "radii are in its units (got geographic '%s')", key, crs);
}

/* Open file's layer (NULL = first) as vector; reports at node n. */
static OGRLayerH open_layer(rtm_ydoc *y, yaml_node_t *map, const char *file, const char *layer,
                            GDALDatasetH *ds)
{
    CPLErrorReset();
    *ds = GDALOpenEx(file, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!*ds) {
        rtm_yerr(y, at(y, map, "file"), "cannot open '%s' as vector data%s%s", file,
                 CPLGetLastErrorMsg()[0] ? ": " : "", CPLGetLastErrorMsg());
        return NULL;
    }
    OGRLayerH l = layer ? GDALDatasetGetLayerByName(*ds, layer) : GDALDatasetGetLayer(*ds, 0);
    if (!l) {
        if (layer)
            rtm_yerr(y, at(y, map, "layer"), "'%s' has no layer '%s'", file, layer);
        else
            rtm_yerr(y, at(y, map, "file"), "'%s' has no layer", file);
    }
    return l;
}

static void check_field(rtm_ydoc *y, yaml_node_t *map, const char *key, OGRLayerH l,
                        const char *file, const char *field)
{
    if (!field)
        return;
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    if (OGR_FD_GetFieldIndex(d, field) >= 0)
        return;
    char list[400] = "";
    size_t len = 0;
    for (int i = 0; i < OGR_FD_GetFieldCount(d) && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, i)));
    rtm_yerr(y, at(y, map, key), "'%s' has no field '%s' (fields: %s)", file, field, list);
}

static void check_where(rtm_ydoc *y, yaml_node_t *map, OGRLayerH l, const char *where)
{
    char why[256];
    if (!where)
        return;
    CPLErrorReset();
    if (OGR_L_SetAttributeFilter(l, where) == OGRERR_NONE)
        return;
    snprintf(why, sizeof why, "%s", CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "OGR SQL error");
    why[strcspn(why, "\n")] = '\0'; /* GDAL adds a multi-line caret diagram */
    rtm_yerr(y, at(y, map, rtm_yget(y, map, "where") ? "where" : "match"), "invalid filter \"%s\": %s",
             where, why);
}

static int is_polygonal(OGRLayerH l)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_L_GetGeomType(l));
    return t == wkbPolygon || t == wkbMultiPolygon || t == wkbUnknown ||
           t == wkbCurvePolygon || t == wkbMultiSurface;
}

/* The extent of layer l in the job's CRS (the layer's own when it has none
 * or the CRS is unknown). Returns 0, or -1 when it cannot be had. */
static int extent_in(OGRLayerH l, const char *crs, OGREnvelope *env)
{
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(l), s = NULL, d = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGREnvelope e;
    int rc = -1;
    if (OGR_L_GetExtent(l, &e, 1) != OGRERR_NONE)
        return -1;
    *env = e;
    if (!src)
        return 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    s = OSRClone(src);
    d = OSRNewSpatialReference(NULL);
    if (s && d && OSRSetFromUserInput(d, crs) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(d, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(s, d);
        rc = ct && OCTTransformBounds(ct, e.MinX, e.MinY, e.MaxX, e.MaxY, &env->MinX,
                                      &env->MinY, &env->MaxX, &env->MaxY, 21) ? 0 : -1;
    }
    CPLPopErrorHandler();
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(s);
    OSRDestroySpatialReference(d);
    return rc;
}

/* The grid of cell_size over the study area's extent must have at most
 * RTM_JOB_MAX_CELLS cells (reported at cell_at). */
static void check_cells(rtm_ydoc *y, yaml_node_t *cell_at, OGRLayerH l, const rtm_job *job)
{
    OGREnvelope env;
    if (!job->crs || !(job->cell_size > 0) || extent_in(l, job->crs, &env))
        return;
    double nx = ceil((env.MaxX - env.MinX) / job->cell_size);
    double ny = ceil((env.MaxY - env.MinY) / job->cell_size);
    if (isfinite(nx) && isfinite(ny) && nx * ny > RTM_JOB_MAX_CELLS)
        rtm_yerr(y, cell_at, "'cell_size' %g gives a grid of %.0f x %.0f cells over the study "
                 "area (at most %.0f): use larger cells", job->cell_size, nx, ny,
                 RTM_JOB_MAX_CELLS);
}

/* Polygons of v; with job (the study area), also the size of the grid. */
static void check_polygons(rtm_ydoc *y, yaml_node_t *map, const rtm_job_vector *v,
                           const char *what, const rtm_job *job, yaml_node_t *cell_at)
{
    GDALDatasetH ds;
    if (!v->file || !map)
        return;
    int nerr = y->nerr;
    OGRLayerH l = open_layer(y, map, v->file, v->layer, &ds);
    if (l && !is_polygonal(l))
        rtm_yerr(y, at(y, map, "file"), "'%s' must hold polygons (got %s)", v->file,
                 OGRGeometryTypeToName(OGR_L_GetGeomType(l)));
    if (l)
        check_field(y, map, "name_field", l, v->file, v->name_field);
    if (l)
        check_where(y, map, l, v->where);
    if (l && y->nerr == nerr && OGR_L_GetFeatureCount(l, 1) == 0)
        rtm_yerr(y, at(y, map, v->where ? "where" : "file"), "%s '%s' has no features%s", what,
                 v->file, v->where ? " matching the filter" : "");
    if (l && job && y->nerr == nerr)
        check_cells(y, cell_at, l, job);
    if (ds)
        GDALClose(ds);
}

void rtm_job_check_file(rtm_ydoc *y, yaml_node_t *map, const char *file, const char *layer,
                        const char *where, int nfields, const char *const *keys,
                        const char *const *fields)
{
    GDALDatasetH ds;
    rtm_gdal_init();
    OGRLayerH l = open_layer(y, map, file, layer, &ds);
    for (int i = 0; l && i < nfields; i++)
        check_field(y, map, keys[i], l, file, fields[i]);
    if (l)
        check_where(y, map, l, where);
    if (ds)
        GDALClose(ds);
}

/* A dosage surface's pings (every file until one has a problem; GPX files
 * by their track points, as the reader takes them) and its places: the
 * polygons open, and a missing `place` field is a warning (the places are
 * then labelled by their FID, as the product does). */
void rtm_job_check_dosage_data(rtm_ydoc *y, yaml_node_t *map, const rtm_job_dosage *d)
{
    static const char *const keys[] = {"id_field", "time_field", "x_field", "y_field"};
    const char *fields[] = {d->id_field, d->time_field, d->x_field, d->y_field};
    GDALDatasetH ds;
    rtm_gdal_init();
    for (int i = 0; i < d->npings; i++) {
        size_t n = strlen(d->pings[i]);
        int gpx = !d->layer && n >= 4 && !strcasecmp(d->pings[i] + n - 4, ".gpx"), nerr = y->nerr;
        rtm_job_check_file(y, map, d->pings[i], gpx ? "track_points" : d->layer, NULL, 4, keys,
                           fields);
        if (y->nerr > nerr)
            break; /* the other files most likely have the same problem */
    }
    if (!d->places)
        return;
    OGRLayerH l = open_layer(y, map, d->places, d->places_layer, &ds);
    if (l && !is_polygonal(l))
        rtm_yerr(y, at(y, map, "places"), "'%s' must hold polygons (got %s)", d->places,
                 OGRGeometryTypeToName(OGR_L_GetGeomType(l)));
    else if (l && OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "place") < 0)
        rtm_ywarn(y, at(y, map, "places"), "'%s' has no field 'place': the places are "
                  "labelled by their FID", d->places);
    if (ds)
        GDALClose(ds);
}

static void check_source(rtm_ydoc *y, yaml_node_t *map, const rtm_job_source *s)
{
    if (!map)
        return;
    if (s->crs)
        check_crs(y, at(y, map, "crs"), "crs", s->crs, 0);
    static const char *const keys[] = {"x_field", "y_field", "type_field", "date_field",
                                       "time_field"};
    const char *fields[] = {s->x_field, s->y_field, s->type_field, s->date_field, s->time_field};
    for (int i = 0; i < s->nfiles; i++) {
        int nerr = y->nerr;
        rtm_job_check_file(y, map, s->files[i], s->layer, s->where, 5, keys, fields);
        if (y->nerr > nerr)
            break; /* the other files of the glob most likely have the same problem */
    }
}

void rtm_job_check_data(rtm_ydoc *y, yaml_node_t *root, const rtm_job *job)
{
    rtm_gdal_init();
    if (job->crs)
        check_crs(y, at(y, root, "crs"), "crs", job->crs, 1);
    check_polygons(y, rtm_yget(y, root, "study_area"), &job->study_area, "study area", job,
                   rtm_yget(y, root, "cell_size"));
    yaml_node_t *off = rtm_yget(y, root, "offences");
    yaml_node_t *srcs = rtm_yget(y, off, "sources");
    for (int i = 0; i < job->offences.nsources; i++)
        check_source(y, seq_item(y, srcs, i), &job->offences.sources[i]);
    yaml_node_t *areas = rtm_yget(y, root, "areas");
    for (int i = 0; areas && i < job->nareas; i++) {
        yaml_node_t *a = areas->type == YAML_SEQUENCE_NODE ? seq_item(y, areas, i) : areas;
        check_polygons(y, a, &job->areas[i], "area set", NULL, NULL);
    }
    rtm_job_check_types(y, root, job);
}
