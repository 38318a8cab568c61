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

/* Gi* as a tiled product (rtm/tile.h): the global n, mean and SD from the
 * cells holding events (no grid of counts), each strip's z from the counts
 * of its rows and those within the band, then the bins and every file from
 * the whole grid's z. */
typedef struct hs_tiled {
    const rtm_hotspots_product *p;
    rtm_gistar_opts gi;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_hotspots_result *res;
    size_t n;
    double mean, sd;
} hs_tiled;

static int hs_strip(void *ctx, const rtm_tile *t, double *z, rtm_error *err)
{
    hs_tiled *h = ctx;
    const rtm_grid *g = &h->ev->grid;
    const rtm_points *pts = &h->ev->pts;
    int xr0, xr1, rc;
    double *x;
    rtm_gistar_strip_rows(g, &h->gi, t->r0, t->r1, &xr0, &xr1);
    if (!(x = rtm_prod_alloc((size_t)(xr1 - xr0) * (size_t)g->ncols, "hotspots", err)))
        return RTM_ERR_NOMEM;
    rtm_bin_points_rows(g, pts->x, pts->y, pts->w, pts->n, xr0, xr1, x);
    rc = rtm_gistar_strip(g, x, xr0, xr1, h->ev->mask, &h->gi, h->n, h->mean, h->sd, t->r0,
                          t->r1, z, err);
    free(x);
    return rc;
}

/* The bins, then every file. The planes are allocated as late and freed as
 * early as the files allow (the z-score file before the bins' plane, the
 * counts after it), so that the finish holds about 18 bytes a cell at most
 * (z, the bins, one GeoTIFF's buffer) rather than every plane at once. */
static int write_all(hs_tiled *h, double *z, signed char *bin, int *np, rtm_error *err)
{
    const rtm_events *ev = h->ev;
    const rtm_hotspots_product *p = h->p;
    size_t nc = rtm_grid_ncells(&ev->grid);
    double *bins, *counts;
    int rc;
    if ((rc = rtm_gistar_classify(z, ev->mask, nc, h->gi.fdr, h->gi.threads, bin, err)) ||
        (rc = write_tif(p, &h->gi, ev, h->env, 0, z, h->out, err)))
        return rc;
    if (!(bins = rtm_prod_alloc(nc, "hotspots", err)))
        return err->code;
    for (size_t k = 0; k < nc; k++)
        bins[k] = bin[k];
    rc = write_tif(p, &h->gi, ev, h->env, 1, bins, h->out, err);
    if (!rc && p->png)
        rc = write_png(p, &h->gi, ev, h->env, bins, h->out, err);
    free(bins);
    if (rc || !p->polygons)
        return rc;
    if (!(counts = rtm_prod_alloc(nc, "hotspots", err)))
        return err->code;
    rtm_bin_points(&ev->grid, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, counts);
    rc = write_polygons(p, ev, bin, z, counts, h->out, np, err);
    free(counts);
    return rc;
}

static int hs_finish(void *ctx, double *z, rtm_error *err)
{
    hs_tiled *h = ctx;
    const rtm_events *ev = h->ev;
    size_t nc = rtm_grid_ncells(&ev->grid);
    signed char *bin = malloc(nc ? nc : 1);
    int rc = 0, np = 0;
    if (!bin)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "hotspots: out of memory for %zu cells", nc);
    if (!rc)
        rc = write_all(h, z, bin, &np, err);
    if (!rc) /* events with times: their day x hour table beside the outputs */
        rc = knox_dayhour_beside(h->out, h->p->z_tif, "_z", &ev->pts, err);
    if (!rc && h->res) {
        memset(h->res, 0, sizeof *h->res);
        count_bins(ev, bin, h->res);
        h->res->npolygons = np;
        h->res->z = z;
        z = NULL;
    }
    free(z), free(bin);
    return rc;
}

static int hs_prepare(hs_tiled *h, rtm_error *err)
{
    const rtm_events *ev = h->ev;
    const rtm_grid *g = &ev->grid;
    rtm_gistar_opts *gi = &h->gi;
    size_t *cell = NULL, nz = 0;
    double *val = NULL;
    int rc;
    if (!h->p->z_tif || !h->p->bins_tif)
        return rtm_error_set(err, RTM_ERR_ARG, "hotspots: no output GeoTIFF names");
    if (ev->pts.n == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "hotspots: no events to analyse");
    if (gi->knn == 0 && gi->band > 0 && !(gi->band <= g->res * hypot(g->ncols, g->nrows)))
        return rtm_error_set(err, RTM_ERR_ARG, "hotspots: the distance band %g is larger than "
                             "the grid (%g across): every cell would be every cell's neighbour",
                             gi->band, g->res * hypot(g->ncols, g->nrows));
    if (gi->knn == 0 && !(gi->band > 0))
        gi->band = DEFAULT_BAND_CELLS * g->res;
    gi->threads = h->env && h->env->threads ? h->env->threads : gi->threads;
    if ((rc = rtm_gistar_opts_check(gi, g, err)))
        return rc;
    rtm_prod_log(h->env, "hotspots: %s on %d x %d cells", gi->knn > 0 ? "k nearest cells"
                 : "fixed distance band", g->ncols, g->nrows);
    if (rtm_bin_points_sparse(g, ev->pts.x, ev->pts.y, ev->pts.w, ev->pts.n, &cell, &val, &nz))
        return rtm_error_set(err, RTM_ERR_NOMEM, "hotspots: out of memory (%zu events)",
                             ev->pts.n);
    rc = rtm_gistar_stats_sparse(g, ev->mask, cell, val, nz, &h->n, &h->mean, &h->sd, err);
    free(cell), free(val);
    return rc;
}

/* A whole run with a distance band computes in strips of at most this many
 * cells (rtm_tiled.strip_cells), so that its scratch (a strip's counts with
 * its band's rows, their row prefix sums and the weights: about 28 bytes a
 * cell) stays near 1 GB whatever the grid. k nearest cells read every row
 * for every strip: no bound. */
#define WHOLE_STRIP_CELLS ((size_t)1 << 25)

int rtm_hotspots_product_tiled(const rtm_hotspots_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *how,
                               rtm_outset *out, rtm_hotspots_result *res, rtm_error *err)
{
    hs_tiled h = {p, p->gi, ev, env, out, res, 0, 0, 0};
    rtm_tiled t = {"hotspots", 1, ev->grid, hs_strip, hs_finish, &h, 0, "", NULL, NULL, 0};
    int rc;
    if ((rc = hs_prepare(&h, err)))
        return rc;
    t.strip_cells = h.gi.knn > 0 ? 0 : WHOLE_STRIP_CELLS;
    return rtm_prod_tiled_from(&t, how, &ev, 1, NULL, out, err);
}

int rtm_hotspots_product_run(const rtm_hotspots_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out,
                             rtm_hotspots_result *res, rtm_error *err)
{
    rtm_tiling h;
    rtm_tiling_init(&h);
    return rtm_hotspots_product_tiled(p, ev, env, &h, out, res, err);
}
