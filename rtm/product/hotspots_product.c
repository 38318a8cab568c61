/* hotspots_product.c: the Gi* hot-spot product - z-scores and confidence
 * bins as GeoTIFFs, a categorical map and hot-spot polygons (Ord & Getis
 * 1995; the statistic is rtm_gistar's). */
#include "product/product_priv.h"
#include "product/knox_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BAND_CELLS 3

static const char *const BIN_LABELS[] = {
    "-3=cold spot, 99% confidence", "-2=cold spot, 95% confidence",
    "-1=cold spot, 90% confidence", "0=not significant",
    "1=hot spot, 90% confidence",   "2=hot spot, 95% confidence",
    "3=hot spot, 99% confidence",   NULL};

void rtm_hotspots_product_init(rtm_hotspots_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_gistar_opts_init(&p->gi);
}

void rtm_hotspots_result_free(rtm_hotspots_result *r)
{
    if (r) {
        free(r->z);
        r->z = NULL;
    }
}

/* What is summed per cell: "events", or the weight's unit. */
static const char *per_cell(const rtm_hotspots_product *p, const rtm_events *ev)
{
    return ev->weighted ? (p->weight_unit ? p->weight_unit : "weight") : "events";
}

static int add_meta(const rtm_hotspots_product *p, const rtm_gistar_opts *gi,
                    const rtm_events *ev, const rtm_product_env *env, const char *what,
                    rtm_kv *kv)
{
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "%s", what) |
             rtm_kv_add(kv, "VALUES", "%s per cell", per_cell(p, ev)) |
             rtm_kv_add(kv, "STATISTIC",
                        "Getis-Ord Gi* (Ord & Getis 1995), binary weights, self included");
    if (gi->knn > 0)
        rc |= rtm_kv_add(kv, "KNN", "%d", gi->knn);
    else
        rc |= rtm_kv_add(kv, "DISTANCE_BAND", "%.17g", gi->band);
    rc |= rtm_kv_add(kv, "FDR", "%s", gi->fdr ? "Benjamini-Hochberg" : "none");
    rc |= rtm_kv_add(kv, "DST_CRS", "%s", env && env->events && env->events->dst_crs
                                               ? env->events->dst_crs : ev->grid.crs);
    return rc | rtm_prod_events_meta(env, ev, kv);
}

static int write_tif(const rtm_hotspots_product *p, const rtm_gistar_opts *gi,
                     const rtm_events *ev, const rtm_product_env *env, int bins,
                     const double *v, rtm_outset *out, rtm_error *err)
{
    rtm_geotiff_opts go;
    rtm_kv kv;
    int rc;
    rtm_kv_init(&kv);
    if (add_meta(p, gi, ev, env, bins ? "Gi* confidence bin" : "Gi* z-score", &kv)) {
        rtm_kv_free(&kv);
        return rtm_error_set(err, RTM_ERR_NOMEM, "hotspots: out of memory");
    }
    rtm_geotiff_opts_init(&go);
    go.qml_ramp = "diverging";
    go.metadata = rtm_kv_list(&kv);
    if (bins) {
        go.band_description = "Gi* confidence bin (-3..3: cold/hot spot at 99/95/90 %)";
        go.categorical = 1;
        go.class_labels = BIN_LABELS;
    } else {
        go.band_description = "Getis-Ord Gi* z-score";
        go.units = "z";
        go.float64 = 1;
    }
    rc = rtm_prod_geotiff(out, bins ? p->bins_tif : p->z_tif, &ev->grid, v, ev->mask, &go, err);
    rtm_kv_free(&kv);
    return rc;
}

static int write_png(const rtm_hotspots_product *p, const rtm_gistar_opts *gi,
                     const rtm_events *ev, const rtm_product_env *env, const double *bins,
                     rtm_outset *out, rtm_error *err)
{
    static const int values[7] = {-3, -2, -1, 0, 1, 2, 3};
    static const char *const labels[7] = {"cold spot 99%", "cold spot 95%", "cold spot 90%",
                                          "not significant", "hot spot 90%", "hot spot 95%",
                                          "hot spot 99%"};
    rtm_map_opts mo;
    char sub[256], nb[64];
    rtm_map_opts_init(&mo);
    mo.title = p->title ? p->title : "Hot spots (Getis-Ord Gi*)";
    if (gi->knn > 0)
        snprintf(nb, sizeof nb, "%d nearest cells", gi->knn);
    else
        snprintf(nb, sizeof nb, "distance band %g m", gi->band);
    snprintf(sub, sizeof sub, "N = %zu events%s%s · %g m cells · %s%s", ev->pts.n,
             ev->weighted ? ", Gi* of " : "", ev->weighted ? per_cell(p, ev) : "",
             ev->grid.res, nb, gi->fdr ? " · FDR corrected" : "");
    mo.subtitle = sub;
    mo.units_label = "Gi* confidence";
    (void)env;
    return rtm_prod_map_categorical(out, p->png, &ev->grid, bins, ev->mask, values, labels, 7,
                                    &mo, err);
}

static int write_polygons(const rtm_hotspots_product *p, const rtm_events *ev,
                          const signed char *bin, const double *z, const double *counts,
                          rtm_outset *out, int *np, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&ev->grid);
    unsigned char *flag = malloc(nc ? nc : 1);
    int *label = NULL, rc;
    rtm_place *places = NULL;
    const char *path;
    if (!flag)
        return rtm_error_set(err, RTM_ERR_NOMEM, "hotspots: out of memory");
    for (size_t k = 0; k < nc; k++)
        flag[k] = bin[k] >= 2;
    rc = rtm_places_find(&ev->grid, flag, z, counts, &label, &places, np, err);
    if (!rc && !(path = rtm_outset_file(out, p->polygons, err)))
        rc = err->code;
    if (!rc)
        rc = rtm_places_write(path, "hot_spots", &ev->grid, label, places, *np, err);
    free(flag), free(label), free(places);
    return rc;
}

static void count_bins(const rtm_events *ev, const signed char *bin, rtm_hotspots_result *r)
{
    size_t nc = rtm_grid_ncells(&ev->grid);
    for (size_t k = 0; k < nc; k++)
        if (!ev->mask || ev->mask[k]) {
            r->inside++;
            r->bins[bin[k] + 3]++;
        }
}

/* The statistic, then every file. */
static int compute_and_write(const rtm_hotspots_product *p, rtm_gistar_opts *gi,
                             const rtm_events *ev, const rtm_product_env *env, double *counts,
                             double *z, double *bins, signed char *bin, rtm_outset *out,
                             int *np, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&ev->grid);
    int rc;
    rtm_bin_points(&ev->grid, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, counts);
    if ((rc = rtm_gistar(&ev->grid, counts, ev->mask, gi, z, NULL, bin, err)))
        return rc;
    for (size_t k = 0; k < nc; k++)
        bins[k] = bin[k];
    if ((rc = write_tif(p, gi, ev, env, 0, z, out, err)) ||
        (rc = write_tif(p, gi, ev, env, 1, bins, out, err)))
        return rc;
    if (p->png && (rc = write_png(p, gi, ev, env, bins, out, err)))
        return rc;
    return p->polygons ? write_polygons(p, ev, bin, z, counts, out, np, err) : 0;
}

int rtm_hotspots_product_run(const rtm_hotspots_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out,
                             rtm_hotspots_result *res, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&ev->grid);
    rtm_gistar_opts gi = p->gi;
    double *counts = rtm_prod_alloc(nc, "hotspots", err), *z = rtm_prod_alloc(nc, "hotspots", err);
    double *bins = rtm_prod_alloc(nc, "hotspots", err);
    signed char *bin = malloc(nc ? nc : 1);
    int rc = 0, np = 0;
    if (!p->z_tif || !p->bins_tif)
        rc = rtm_error_set(err, RTM_ERR_ARG, "hotspots: no output GeoTIFF names");
    else if (ev->pts.n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "hotspots: no events to analyse");
    else if (!counts || !z || !bins || !bin)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "hotspots: out of memory for %zu cells", nc);
    if (!rc && gi.knn == 0 && gi.band > 0 &&
        !(gi.band <= ev->grid.res * hypot(ev->grid.ncols, ev->grid.nrows)))
        rc = rtm_error_set(err, RTM_ERR_ARG, "hotspots: the distance band %g is larger than "
                           "the grid (%g across): every cell would be every cell's neighbour",
                           gi.band, ev->grid.res * hypot(ev->grid.ncols, ev->grid.nrows));
    if (!rc) {
        if (gi.knn == 0 && !(gi.band > 0))
            gi.band = DEFAULT_BAND_CELLS * ev->grid.res;
        gi.threads = env && env->threads ? env->threads : gi.threads;
        rtm_prod_log(env, "hotspots: %s on %d x %d cells", gi.knn > 0 ? "k nearest cells"
                     : "fixed distance band", ev->grid.ncols, ev->grid.nrows);
        rc = compute_and_write(p, &gi, ev, env, counts, z, bins, bin, out, &np, err);
        if (!rc) /* events with times: their day x hour table beside the outputs */
            rc = knox_dayhour_beside(out, p->z_tif, "_z", &ev->pts, err);
    }
    if (!rc && res) {
        memset(res, 0, sizeof *res);
        count_bins(ev, bin, res);
        res->npolygons = np;
        for (size_t k = 0; k < nc; k++)
            if (ev->mask && !ev->mask[k])
                z[k] = NAN;
        res->z = z;
        z = NULL;
    }
    free(counts), free(z), free(bins), free(bin);
    return rc;
}
