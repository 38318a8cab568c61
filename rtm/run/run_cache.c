/* run_cache.c: risk-layer features and their distance surfaces, reused from
 * OUT/cache when the layer files and the grid are unchanged (rtm/job.h). */
#include "run/run_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/cache.h"
#include "rtm/product.h"
#include "rtm/surface.h"
#include "rtm/input.h"

#define MAX_LAYER_FILES 256

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

/* (a) AND (b), either may be NULL; a new string or NULL (no filter / no memory). */
static char *and_where(const char *a, const char *b)
{
    char *s;
    if (!a && !b)
        return NULL;
    if (!a || !b)
        return strdup(a ? a : b);
    if (asprintf(&s, "(%s) AND (%s)", a, b) < 0)
        return NULL;
    return s;
}

int rtm_jr_layer_features(rtm_jr *r, const rtm_catalog_layer *layer, const char *extra_where,
                          rtm_features **out, rtm_error *err)
{
    char *where = and_where(layer->where, extra_where);
    rtm_layer_spec ls = {layer->name, (const char *const *)layer->files, layer->nfiles,
                         layer->layer, where, layer->x_field, layer->y_field, layer->crs};
    char role[160];
    int i, rc = 0;
    if ((layer->where || extra_where) && !where)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    snprintf(role, sizeof role, "layer:%s", layer->name);
    for (i = 0; i < layer->nfiles && !rc; i++)
        rc = rtm_manifest_add_input(r->man, role, layer->files[i], NULL, err);
    if (!rc) /* the products' loader: same CRS rules and messages as the commands */
        rc = rtm_layer_spec_load(&ls, r->job->crs, &r->env, out, NULL, err);
    free(where);
    return rc;
}

/* The cache key: the layer files' checksums and every parameter that
 * changes the surface, one "key=value" line each (run/cache.h). */
static int distance_key(rtm_jr *r, const rtm_catalog_layer *layer, const char *surface,
                        char key[RTM_SHA256_HEX], rtm_error *err)
{
    char sha[MAX_LAYER_FILES][RTM_SHA256_HEX], role[160], *params = NULL;
    const char *ptr[MAX_LAYER_FILES];
    const rtm_grid *g = &r->grid;
    int i, rc;
    if (layer->nfiles > MAX_LAYER_FILES)
        return rtm_error_set(err, RTM_ERR_ARG, "run: layer '%s' has more than %d files",
                             layer->name, MAX_LAYER_FILES);
    snprintf(role, sizeof role, "layer:%s", layer->name);
    for (i = 0; i < layer->nfiles; i++) {
        if ((rc = rtm_manifest_add_input(r->man, role, layer->files[i], sha[i], err)))
            return rc;
        ptr[i] = sha[i];
    }
    /* the output files also carry the job and surface names, the layer's
     * title and the formats, so those are part of the key too */
    if (asprintf(&params, "software=rtm %s\nkind=distance-product-v3\njob=%s\nsurface=%s\n"
                 "title=%s\nformats=%u\nlayer=%s\nwhere=%s\nx_field=%s\ny_field=%s\n"
                 "src_crs=%s\ndst_crs=%s\nx0=%.17g\ny0=%.17g\nres=%.17g\nncols=%d\n"
                 "nrows=%d\ngrid_crs=%s\n", RTM_VERSION, r->job->name, surface,
                 layer->title ? layer->title : "", r->job->formats,
                 layer->layer ? layer->layer : "",
                 layer->where ? layer->where : "", layer->x_field ? layer->x_field : "",
                 layer->y_field ? layer->y_field : "", layer->crs ? layer->crs : "",
                 r->job->crs, g->x0, g->y0, g->res, g->ncols, g->nrows, g->crs) < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_cache_key(layer->nfiles, ptr, params, key);
    free(params);
    return 0;
}

int rtm_jr_distance_lookup(rtm_jr *r, const rtm_catalog_layer *layer, const char *surface,
                           double *out, char key[RTM_SHA256_HEX], rtm_error *err)
{
    rtm_error e2;
    int rc;
    if ((rc = distance_key(r, layer, surface, key, err)))
        return -rc;
    rtm_error_clear(&e2);
    /* a hit only when the entry's checksum matches (a bad one is removed) */
    rc = rtm_cache_load(r->cache_dir, key, "f64", out, r->ncells * sizeof *out, &e2);
    if (rc && e2.msg[0])
        rtm_jr_log(r, "distance %s: cache entry not used: %s", surface, e2.msg);
    return rc == 0;
}

void rtm_jr_distance_store(rtm_jr *r, const char key[RTM_SHA256_HEX], const double *v)
{
    rtm_error e2;
    if (rtm_cache_store_data(r->cache_dir, key, "f64", v, r->ncells * sizeof *v, &e2))
        rtm_jr_log(r, "distance: cache entry not stored: %s", e2.msg);
}

/* Output files are cached as "<key>.out.<name>" (their bytes depend only
 * on the key's inputs and parameters, the job's formats and the name). */
int rtm_jr_cache_fetch_files(rtm_jr *r, const char *key, char files[][512], int n,
                             rtm_error *err)
{
    char ext[600];
    int i, rc = 0;
    for (i = 0; i < n; i++) {
        snprintf(ext, sizeof ext, "out.%s", files[i]);
        if (!rtm_cache_has(r->cache_dir, key, ext))
            return -1;
    }
    for (i = 0; i < n && !rc; i++) {
        char *p = rtm_jr_output(r, files[i], err);
        snprintf(ext, sizeof ext, "out.%s", files[i]);
        rc = p ? rtm_cache_fetch(r->cache_dir, key, ext, p, err) : err->code;
        free(p);
    }
    return rc;
}

void rtm_jr_cache_store_files(rtm_jr *r, const char *key, char files[][512], int n)
{
    char ext[600];
    rtm_error e;
    for (int i = 0; i < n; i++) {
        char *p = rtm_run_path(r->rf, files[i]);
        snprintf(ext, sizeof ext, "out.%s", files[i]);
        if (p)
            rtm_cache_store(r->cache_dir, key, ext, p, &e);
        free(p);
    }
}
