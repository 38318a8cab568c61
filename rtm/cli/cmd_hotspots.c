/* cmd_hotspots.c: `rtm hotspots` - Getis-Ord Gi* hot and cold spots of event
 * counts per grid cell (rtm_hotspot.h), as z-score and confidence-bin
 * GeoTIFFs, a categorical map and hot-spot polygons. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "core/kv.h"
#include "rtm/model.h"

#define DEFAULT_BAND_CELLS 3

enum { OPT_BAND = OPT_EVENTS_LAST + 1, OPT_KNN, OPT_FDR, OPT_PNG, OPT_POLYGONS, OPT_THREADS,
       OPT_TITLE };

static const char HELP[] =
    "Usage: rtm hotspots [OPTIONS] -o OUT.tif EVENTS...\n\n"
    "Getis-Ord Gi* hot-spot analysis of the event counts per grid cell (Ord & Getis\n"
    "1995): a z-score per cell comparing the events in its neighbourhood (the cell\n"
    "itself included, binary weights) with the study-area mean, and a confidence bin:\n"
    "+3/+2/+1 hot spot at 99/95/90 %, -3/-2/-1 cold spot, 0 not significant\n"
    "(two-sided normal p-values: |z| >= 2.576, 1.960, 1.645).\n\n"
    "Neighbourhood:\n"
    "  --band M               fixed distance band in CRS units: every cell whose centre\n"
    "                         lies within M of the cell's centre (default: 3 cells,\n"
    "                         3 x --resolution, a disc of 29 cells)\n"
    "  --knn K                instead: the cell and its K nearest cells (ties at the\n"
    "                         K-th distance included)\n"
    "  --fdr                  Benjamini-Hochberg false discovery rate correction of the\n"
    "                         bins at each level (z and p stay uncorrected)\n"
    "  --threads N            worker threads (output identical for any N)\n"
    "Output:\n"
    "  -o, --output OUT.tif   writes OUT_z.tif (Gi* z-scores, diverging style) and\n"
    "                         OUT_bins.tif (confidence bins -3..3, labelled categories),\n"
    "                         each with a QGIS .qml style, replaced atomically\n"
    "  --png FILE             categorical map of the bins (diverging blue-grey-red)\n"
    "  --title TEXT           PNG title\n"
    "  --polygons FILE        hot-spot polygons (.gpkg or .geojson): cells in bin >= 2\n"
    "                         (hot spot at 95 % or more) merged 8-connected, ranked by\n"
    "                         their highest z (fields rank, cells, area_m2, max_score =\n"
    "                         max z, mean_score = mean z, events)\n"
    "  -q, --quiet            no summary\n\n"
    "Cells outside --study-area are left out of every neighbourhood, of the mean and\n"
    "of the variance, and are nodata in the outputs. The summary (stdout) counts\n"
    "cells per bin.\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm hotspots --dst-crs EPSG:27700 --study-area southend.geojson --resolution 100 \\\n"
    "    --band 300 --fdr --png hot.png --polygons hot.gpkg -o hot.tif crimes.csv.gz\n";

static const char *const BIN_LABELS[] = {
    "-3=cold spot, 99% confidence", "-2=cold spot, 95% confidence",
    "-1=cold spot, 90% confidence", "0=not significant",
    "1=hot spot, 90% confidence",   "2=hot spot, 95% confidence",
    "3=hot spot, 99% confidence",   NULL};

typedef struct hs_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_gistar_opts go;
    const char *out, *png, *polygons, *title;
} hs_args;

/* One option of rtm hotspots (rtm_cli_opt_fn). */
static int hs_opt(void *ctx, int opt, const char *arg)
{
    hs_args *a = ctx;
    switch (opt) {
    case 'o': a->out = arg; return 0;
    case OPT_BAND:
        if (rtm_cli_double(arg, &a->go.band) || !(a->go.band > 0))
            return rtm_cli_usage(&a->c, "--band must be a distance > 0 (got '%s')", arg);
        return 0;
    case OPT_KNN:
        if (rtm_cli_int(arg, &a->go.knn) || a->go.knn < 1)
            return rtm_cli_usage(&a->c, "--knn must be a whole number >= 1 (got '%s')",
                                 arg);
        return 0;
    case OPT_FDR: a->go.fdr = 1; return 0;
    case OPT_PNG: a->png = arg; return 0;
    case OPT_POLYGONS: a->polygons = arg; return 0;
    case OPT_TITLE: a->title = arg; return 0;
    case OPT_THREADS:
        if (rtm_cli_int(arg, &a->go.threads) || a->go.threads < 1)
            return rtm_cli_usage(&a->c, "--threads must be a whole number >= 1");
        return 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, hs_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"band", required_argument, 0, OPT_BAND},
        {"knn", required_argument, 0, OPT_KNN}, {"fdr", no_argument, 0, OPT_FDR},
        {"png", required_argument, 0, OPT_PNG}, {"polygons", required_argument, 0, OPT_POLYGONS},
        {"threads", required_argument, 0, OPT_THREADS}, {"title", required_argument, 0, OPT_TITLE},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, hs_opt, a, first);
    if (rc)
        return rc;
    if (!a->out)
        return rtm_cli_usage(&a->c, "no output file (-o OUT.tif)");
    if (a->go.knn > 0 && a->go.band > 0)
        return rtm_cli_usage(&a->c, "give either --band or --knn, not both");
    return 0;
}

/* OUT.tif -> OUT_z.tif / OUT_bins.tif */
static int out_path(const char *out, const char *suffix, char *buf, size_t sz)
{
    const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    size_t n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - out) : strlen(out);
    int w = snprintf(buf, sz, "%.*s_%s.tif", (int)n, out, suffix);
    return w < 0 || (size_t)w >= sz ? -1 : 0;
}

static void add_meta(hs_args *a, rtm_kv *kv, const char *what)
{
    rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION);
    rtm_kv_add(kv, "SURFACE", "%s", what);
    rtm_kv_add(kv, "STATISTIC", "Getis-Ord Gi* (Ord & Getis 1995), binary weights, self included");
    if (a->go.knn > 0)
        rtm_kv_add(kv, "KNN", "%d", a->go.knn);
    else
        rtm_kv_add(kv, "DISTANCE_BAND", "%.17g", a->go.band);
    rtm_kv_add(kv, "FDR", "%s", a->go.fdr ? "Benjamini-Hochberg" : "none");
    rtm_kv_add(kv, "DST_CRS", "%s", a->ev.dst_crs);
    rtm_cli_events_meta(&a->ev, kv);
}

static int write_rasters(hs_args *a, const double *z, const double *bins)
{
    rtm_geotiff_opts go;
    rtm_kv kv;
    rtm_error e;
    char pz[4096], pb[4096];
    int rc = 0;
    if (out_path(a->out, "z", pz, sizeof pz) || out_path(a->out, "bins", pb, sizeof pb)) {
        rtm_error_set(&e, RTM_ERR_ARG, "hotspots: output path too long");
        return rtm_cli_fail(&a->c, &e);
    }
    rtm_kv_init(&kv);
    add_meta(a, &kv, "Gi* z-score");
    rtm_geotiff_opts_init(&go);
    go.band_description = "Getis-Ord Gi* z-score";
    go.units = "z";
    go.qml_ramp = "diverging";
    go.metadata = rtm_kv_list(&kv);
    go.float64 = 1;
    if (rtm_geotiff_write(pz, &a->ev.grid, z, a->ev.mask, &go, &e))
        rc = rtm_cli_fail(&a->c, &e);
    rtm_kv_free(&kv);
    if (rc)
        return rc;
    rtm_cli_info(&a->c, "wrote %s\n", pz);
    rtm_kv_init(&kv);
    add_meta(a, &kv, "Gi* confidence bin");
    rtm_geotiff_opts_init(&go);
    go.band_description = "Gi* confidence bin (-3..3: cold/hot spot at 99/95/90 %)";
    go.categorical = 1;
    go.class_labels = BIN_LABELS;
    go.qml_ramp = "diverging";
    go.metadata = rtm_kv_list(&kv);
    if (rtm_geotiff_write(pb, &a->ev.grid, bins, a->ev.mask, &go, &e))
        rc = rtm_cli_fail(&a->c, &e);
    rtm_kv_free(&kv);
    if (!rc)
        rtm_cli_info(&a->c, "wrote %s\n", pb);
    return rc;
}

static int write_png(hs_args *a, const double *bins)
{
    static const int values[7] = {-3, -2, -1, 0, 1, 2, 3};
    static const char *const labels[7] = {"cold spot 99%", "cold spot 95%", "cold spot 90%",
                                          "not significant", "hot spot 90%", "hot spot 95%",
                                          "hot spot 99%"};
    rtm_map_opts mo;
    rtm_error e;
    char sub[256];
    if (!a->png)
        return 0;
    rtm_map_opts_init(&mo);
    mo.title = a->title ? a->title : "Hot spots (Getis-Ord Gi*)";
    if (a->go.knn > 0)
        snprintf(sub, sizeof sub, "N = %zu events · %g m cells · %d nearest cells%s",
                 a->ev.pts.n, a->ev.grid.res, a->go.knn, a->go.fdr ? " · FDR corrected" : "");
    else
        snprintf(sub, sizeof sub, "N = %zu events · %g m cells · distance band %g m%s",
                 a->ev.pts.n, a->ev.grid.res, a->go.band, a->go.fdr ? " · FDR corrected" : "");
    mo.subtitle = sub;
    mo.units_label = "Gi* confidence";
    if (rtm_map_png_write_categorical(a->png, &a->ev.grid, bins, a->ev.mask, values, labels, 7,
                                      &mo, &e))
        return rtm_cli_fail(&a->c, &e);
    rtm_cli_info(&a->c, "wrote %s\n", a->png);
    return 0;
}

static int write_polygons(hs_args *a, const signed char *bin, const double *z,
                          const double *counts, int *nplaces_out)
{
    size_t nc = rtm_grid_ncells(&a->ev.grid);
    unsigned char *flag;
    int *label = NULL, np = 0, rc = 0;
    rtm_place *places = NULL;
    rtm_error e;
    *nplaces_out = 0;
    if (!a->polygons)
        return 0;
    if (!(flag = malloc(nc))) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "hotspots: out of memory");
        return rtm_cli_fail(&a->c, &e);
    }
    for (size_t k = 0; k < nc; k++)
        flag[k] = bin[k] >= 2;
    if (rtm_places_find(&a->ev.grid, flag, z, counts, &label, &places, &np, &e) ||
        rtm_places_write(a->polygons, "hot_spots", &a->ev.grid, label, places, np, &e))
        rc = rtm_cli_fail(&a->c, &e);
    else
        rtm_cli_info(&a->c, "wrote %s (%d hot-spot polygon%s)\n", a->polygons, np,
                     np == 1 ? "" : "s");
    *nplaces_out = np;
    free(flag), free(label), free(places);
    return rc;
}

static void print_summary(const hs_args *a, const signed char *bin, size_t nc)
{
    size_t cnt[7] = {0}, inside = 0;
    static const char *const names[7] = {
        "cold spot, 99% confidence", "cold spot, 95% confidence", "cold spot, 90% confidence",
        "not significant", "hot spot, 90% confidence", "hot spot, 95% confidence",
        "hot spot, 99% confidence"};
    static const char *const codes[7] = {"-3", "-2", "-1", " 0", "+1", "+2", "+3"};
    if (a->c.quiet)
        return;
    for (size_t k = 0; k < nc; k++) {
        if (a->ev.mask && !a->ev.mask[k])
            continue;
        inside++;
        cnt[bin[k] + 3]++;
    }
    printf("Gi* bins (%zu cells%s):\n", inside, a->go.fdr ? ", FDR corrected" : "");
    for (int b = 6; b >= 0; b--)
        printf("  %s  %-28s %10zu\n", codes[b], names[b], cnt[b]);
}

static int run(hs_args *a)
{
    size_t nc = rtm_grid_ncells(&a->ev.grid);
    double *counts = malloc(nc * sizeof *counts), *z = malloc(nc * sizeof *z);
    double *bins = malloc(nc * sizeof *bins);
    signed char *bin = malloc(nc);
    rtm_error e;
    int rc = 0, np = 0;
    if (!counts || !z || !bins || !bin) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "hotspots: out of memory for %zu cells", nc);
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    rtm_bin_points(&a->ev.grid, a->ev.pts.x, a->ev.pts.y, a->ev.pts.w, a->ev.pts.n, counts);
    if (a->go.knn == 0 && !(a->go.band > 0))
        a->go.band = DEFAULT_BAND_CELLS * a->ev.grid.res;
    rtm_cli_info(&a->c, "grid: %d x %d cells of %g (%s); %s\n", a->ev.grid.ncols,
                 a->ev.grid.nrows, a->ev.grid.res, a->ev.dst_crs,
                 a->go.knn > 0 ? "k nearest cells" : "fixed distance band");
    if (rtm_gistar(&a->ev.grid, counts, a->ev.mask, &a->go, z, NULL, bin, &e)) {
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    for (size_t k = 0; k < nc; k++)
        bins[k] = bin[k];
    if ((rc = write_rasters(a, z, bins)) || (rc = write_png(a, bins)) ||
        (rc = write_polygons(a, bin, z, counts, &np)))
        goto done;
    print_summary(a, bin, nc);
done:
    free(counts), free(z), free(bins), free(bin);
    return rc;
}

int rtm_cmd_hotspots(int argc, char **argv)
{
    hs_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "hotspots";
    rtm_cli_events_init(&a.ev);
    rtm_gistar_opts_init(&a.go);
    rc = parse(argc, argv, &a, &first);
    if (!rc)
        rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first);
    if (!rc)
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
