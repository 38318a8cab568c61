/* area.c: study-area masks and zones rasterised with GDAL (see rtm/input.h). */
#include "rtm/input.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/vsource.h"
#include "input/area_points.h"

/* The polygons of a layer, transformed to the grid CRS. */
typedef struct polyset {
    OGRGeometryH *g;
    char **name;
    int n;
} polyset;

static void polyset_free(polyset *p)
{
    int i;
    for (i = 0; i < p->n; i++) {
        OGR_G_DestroyGeometry(p->g[i]);
        if (p->name)
            free(p->name[i]);
    }
    free(p->g);
    free(p->name);
    memset(p, 0, sizeof *p);
}

static OGRSpatialReferenceH srs_from(const char *def, rtm_error *err)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(s, def) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        rtm_error_set(err, RTM_ERR_CRS, "area: unknown coordinate reference system '%.200s'", def);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

static int read_polys(const char *path, const char *layer, const char *where,
                      const char *name_field, const char *dst_crs, polyset *out, rtm_error *err)
{
    rtm_vsource v;
    OGRSpatialReferenceH dst = NULL;
    OGRCoordinateTransformationH ct = NULL;
    OGRFeatureH f;
    int ni = -1, rc = RTM_ERR_INPUT;
    memset(out, 0, sizeof *out);
    memset(&v, 0, sizeof v);
    v.name = path;
    rtm_gdal_init();
    CPLErrorReset();
    v.ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!v.ds)
        return rtm_error_set(err, RTM_ERR_IO, "area: cannot open '%s': %s", path,
                             rtm_gdal_last_error("no such file or not a vector source"));
    v.layer = layer ? GDALDatasetGetLayerByName(v.ds, layer)
                    : (GDALDatasetGetLayerCount(v.ds) ? GDALDatasetGetLayer(v.ds, 0) : NULL);
    if (!v.layer) {
        rtm_error_set(err, RTM_ERR_INPUT, "area: '%s' has no layer%s%s", path, layer ? " " : "",
                      layer ? layer : "");
        goto done;
    }
    if (where && *where && OGR_L_SetAttributeFilter(v.layer, where) != OGRERR_NONE) {
        rtm_error_set(err, RTM_ERR_ARG, "area: invalid filter '%s' for '%s'", where, path);
        goto done;
    }
    if (name_field && (ni = rtm_vsource_field(&v, name_field, "area", err)) < 0)
        goto done;
    if (!OGR_L_GetSpatialRef(v.layer)) {
        rtm_error_set(err, RTM_ERR_CRS, "area: '%s' has no coordinate reference system", path);
        goto done;
    }
    if (!(dst = srs_from(dst_crs, err)))
        goto done;
    {
        OGRSpatialReferenceH src = OSRClone(OGR_L_GetSpatialRef(v.layer));
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        if (!OSRIsSame(src, dst))
            ct = OCTNewCoordinateTransformation(src, dst);
        OSRDestroySpatialReference(src);
    }
    while ((f = OGR_L_GetNextFeature(v.layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
        if (g && (t == wkbPolygon || t == wkbMultiPolygon) && !OGR_G_IsEmpty(g)) {
            OGRGeometryH c = OGR_G_Clone(g);
            void *ng = realloc(out->g, (out->n + 1) * sizeof *out->g);
            void *nn = ng ? realloc(out->name, (out->n + 1) * sizeof *out->name) : NULL;
            if (ng)
                out->g = ng;
            if (nn)
                out->name = nn;
            if (!ng || !nn || (ct && OGR_G_Transform(c, ct) != OGRERR_NONE)) {
                OGR_G_DestroyGeometry(c);
                OGR_F_Destroy(f);
                rtm_error_set(err, RTM_ERR_CRS, "area: cannot transform '%s' feature %lld to '%s'",
                              path, (long long)OGR_F_GetFID(f), dst_crs);
                goto done;
            }
            out->g[out->n] = c;
            {
                char buf[64];
                snprintf(buf, sizeof buf, "zone %d", out->n + 1);
                out->name[out->n] = strdup(ni >= 0 ? OGR_F_GetFieldAsString(f, ni) : buf);
            }
            out->n++;
        }
        OGR_F_Destroy(f);
    }
    if (out->n == 0) {
        rtm_error_set(err, RTM_ERR_INPUT, "area: '%s' has no polygons", path);
        goto done;
    }
    rc = 0;
done:
    if (rc)
        polyset_free(out);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (dst)
        OSRDestroySpatialReference(dst);
    rtm_vsource_close(&v);
    return rc;
}

/* Rasterise geometries onto grid; burn[i] per geometry; out is ncells ints. */
static int rasterise(const rtm_grid *g, polyset *p, const double *burn, int all_touched,
                     int *out, rtm_error *err)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDatasetH ds;
    double gt[6] = {g->x0, g->res, 0, g->y0 + g->nrows * g->res, 0, -g->res};
    int band = 1, rc = 0;
    char *opts[] = {all_touched ? "ALL_TOUCHED=TRUE" : "ALL_TOUCHED=FALSE", NULL};
    ds = GDALCreate(mem, "", g->ncols, g->nrows, 1, GDT_Int32, NULL);
    if (!ds)
        return rtm_error_set(err, RTM_ERR_NOMEM, "area: cannot create a %d x %d mask", g->ncols,
                             g->nrows);
    GDALSetGeoTransform(ds, gt);
    GDALFillRaster(GDALGetRasterBand(ds, 1), -1, 0);
    if (GDALRasterizeGeometries(ds, 1, &band, p->n, p->g, NULL, NULL, burn, opts, NULL, NULL) !=
            CE_None ||
        GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, g->ncols, g->nrows, out, g->ncols,
                     g->nrows, GDT_Int32, 0, 0) != CE_None)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "area: rasterising failed: %s",
                           rtm_gdal_last_error("unknown error"));
    GDALClose(ds);
    return rc;
}

int rtm_area_load(const char *path, const char *layer, const char *where, const char *dst_crs,
                  double res, rtm_grid *grid, unsigned char **mask, double *area_units2,
                  rtm_error *err)
{
    polyset p;
    OGREnvelope env, e;
    double *burn = NULL, a = 0;
    int *cells = NULL, i, rc;
    size_t k, n;
    if ((rc = read_polys(path, layer, where, NULL, dst_crs, &p, err)))
        return rc;
    OGR_G_GetEnvelope(p.g[0], &env);
    for (i = 0; i < p.n; i++) {
        OGR_G_GetEnvelope(p.g[i], &e);
        env.MinX = fmin(env.MinX, e.MinX);
        env.MinY = fmin(env.MinY, e.MinY);
        env.MaxX = fmax(env.MaxX, e.MaxX);
        env.MaxY = fmax(env.MaxY, e.MaxY);
        a += OGR_G_Area(p.g[i]);
    }
    if (grid->ncols <= 0 && !(res > 0)) {
        /* ArcGIS's default cell size: the shorter side of the extent / 250
         * (kde-reference.md), whole metres from 10 m up */
        res = fmin(env.MaxX - env.MinX, env.MaxY - env.MinY) / 250.0;
        res = res >= 10 ? floor(res) : res;
    }
    if (grid->ncols <= 0 &&
        (rc = rtm_grid_from_extent_tap(grid, env.MinX, env.MinY, env.MaxX, env.MaxY, res,
                                       dst_crs, err)))
        goto done;
    n = rtm_grid_ncells(grid);
    burn = malloc(p.n * sizeof *burn);
    cells = malloc(n * sizeof *cells);
    *mask = malloc(n);
    if (!burn || !cells || !*mask) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "area: out of memory for the mask");
        goto done;
    }
    for (i = 0; i < p.n; i++)
        burn[i] = 1;
    if ((rc = rasterise(grid, &p, burn, 1, cells, err)))
        goto done;
    for (k = 0; k < n; k++)
        (*mask)[k] = cells[k] == 1;
    if (area_units2)
        *area_units2 = a;
done:
    if (rc) {
        free(*mask);
        *mask = NULL;
    }
    free(burn);
    free(cells);
    polyset_free(&p);
    return rc;
}

int rtm_area_zones(const char *path, const char *layer, const char *where,
                   const char *name_field, const rtm_grid *grid, int **zone, char ***names,
                   int *nzones, rtm_error *err)
{
    polyset p;
    double *burn = NULL;
    int i, rc;
    *zone = NULL;
    if ((rc = read_polys(path, layer, where, name_field, grid->crs, &p, err)))
        return rc;
    burn = malloc(p.n * sizeof *burn);
    *zone = malloc(rtm_grid_ncells(grid) * sizeof **zone);
    if (!burn || !*zone) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "area: out of memory for zones");
        goto done;
    }
    for (i = 0; i < p.n; i++)
        burn[i] = i;
    if ((rc = rasterise(grid, &p, burn, 0, *zone, err)))
        goto done;
    *names = p.name;
    *nzones = p.n;
    p.name = NULL;
    {
        int k;
        for (k = 0; k < p.n; k++)
            OGR_G_DestroyGeometry(p.g[k]);
        free(p.g);
        p.n = 0;
        p.g = NULL;
    }
done:
    if (rc) {
        free(*zone);
        *zone = NULL;
    }
    free(burn);
    polyset_free(&p);
    return rc;
}

void rtm_area_names_free(char **names, int n)
{
    int i;
    if (!names)
        return;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- points in zones (input/area_points.h) ---------------------------------- */

/* The last polygon (as rtm_area_zones: later features win) that contains or
 * touches (x, y), or -1; env holds each polygon's envelope. */
static int zone_of(const polyset *p, const OGREnvelope *env, OGRGeometryH pt, double x,
                   double y)
{
    OGR_G_SetPoint_2D(pt, 0, x, y);
    for (int k = p->n - 1; k >= 0; k--)
        if (x >= env[k].MinX && x <= env[k].MaxX && y >= env[k].MinY && y <= env[k].MaxY &&
            OGR_G_Intersects(p->g[k], pt))
            return k;
    return -1;
}

int rtm_area_zones_points(const char *path, const char *layer, const char *where,
                          const char *name_field, const char *crs, const double *x,
                          const double *y, size_t n, int *zone, char ***names, int *nzones,
                          rtm_error *err)
{
    polyset p;
    OGREnvelope *env = NULL;
    OGRGeometryH pt = NULL;
    int rc;
    if ((rc = read_polys(path, layer, where, name_field, crs, &p, err)))
        return rc;
    env = malloc((p.n ? (size_t)p.n : 1) * sizeof *env);
    pt = OGR_G_CreateGeometry(wkbPoint);
    if (!env || !pt)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "area: out of memory for zones");
    for (int k = 0; !rc && k < p.n; k++)
        OGR_G_GetEnvelope(p.g[k], &env[k]);
    for (size_t i = 0; !rc && i < n; i++)
        zone[i] = zone_of(&p, env, pt, x[i], y[i]);
    if (!rc) {
        *names = p.name;
        *nzones = p.n;
        p.name = NULL;
    }
    if (pt)
        OGR_G_DestroyGeometry(pt);
    free(env);
    polyset_free(&p);
    return rc;
}
