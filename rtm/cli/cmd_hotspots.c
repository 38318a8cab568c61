/* cmd_hotspots.c: `rtm hotspots` - Getis-Ord Gi* hot and cold spots of event
 * counts per grid cell (rtm/surface.h), as z-score and confidence-bin
 * GeoTIFFs, a categorical map and hot-spot polygons. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cli_tiles.h"
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
    RTM_CLI_TILE_HELP
    "  -q, --quiet            no summary\n\n"
    "Cells outside --study-area are left out of every neighbourhood, of the mean and\n"
    "of the variance, and are nodata in the outputs. The summary (stdout) counts\n"
    "cells per bin.\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm hotspots --dst-crs EPSG:27700 --study-area southend.geojson --resolution 100 \\\n"
    "    --band 300 --fdr --png hot.png --polygons hot.gpkg -o hot.tif crimes.csv.gz\n";

typedef struct hs_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_hotspots_product p;
    const char *out;
    char z[4096], bins[4096];
    rtm_cli_tiles tiles;
} hs_args;

/* One option of rtm hotspots (rtm_cli_opt_fn). */
static int hs_opt(void *ctx, int opt, const char *arg)
{
    hs_args *a = ctx;
    switch (opt) {
    case 'o': a->out = arg; return 0;
    case OPT_BAND:
        if (rtm_cli_double(arg, &a->p.gi.band) || !(a->p.gi.band > 0))
            return rtm_cli_usage(&a->c, "--band must be a distance > 0 (got '%s')", arg);
        return 0;
    case OPT_KNN:
        if (rtm_cli_int(arg, &a->p.gi.knn) || a->p.gi.knn < 1)
            return rtm_cli_usage(&a->c, "--knn must be a whole number >= 1 (got '%s')",
                                 arg);
        return 0;
    case OPT_FDR: a->p.gi.fdr = 1; return 0;
    case OPT_PNG: a->p.png = arg; return 0;
    case OPT_POLYGONS: a->p.polygons = arg; return 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_THREADS:
        return rtm_cli_threads(&a->c, arg, &a->p.gi.threads);
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    default: return RTM_CLI_NOT_MINE;
    }
}

/* OUT.tif -> OUT_z.tif / OUT_bins.tif */
static int out_path(const char *out, const char *suffix, char *buf, size_t sz)
{
    const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    size_t n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - out) : strlen(out);
    int w = snprintf(buf, sz, "%.*s_%s.tif", (int)n, out, suffix);
    return w < 0 || (size_t)w >= sz ? -1 : 0;
}

static int parse(int argc, char **argv, hs_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"band", required_argument, 0, OPT_BAND},
        {"knn", required_argument, 0, OPT_KNN}, {"fdr", no_argument, 0, OPT_FDR},
        {"png", required_argument, 0, OPT_PNG}, {"polygons", required_argument, 0, OPT_POLYGONS},
        {"threads", required_argument, 0, OPT_THREADS}, {"title", required_argument, 0, OPT_TITLE},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, RTM_CLI_TILE_OPTION, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, hs_opt, a, first);
    if (rc)
        return rc;
    if (!a->out)
        return rtm_cli_usage(&a->c, "no output file (-o OUT.tif)");
    static const char *const tif[] = {".tif", ".tiff", NULL}, *const png[] = {".png", NULL};
    static const char *const vec[] = {".gpkg", ".geojson", ".json", NULL};
    if (a->p.gi.knn > 0 && a->p.gi.band > 0)
        return rtm_cli_usage(&a->c, "give either --band or --knn, not both");
    if ((rc = rtm_cli_ext(&a->c, "-o", a->out, tif)) ||
        (a->p.png && (rc = rtm_cli_ext(&a->c, "--png", a->p.png, png))) ||
        (a->p.polygons && (rc = rtm_cli_ext(&a->c, "--polygons", a->p.polygons, vec))))
        return rc;
    if (out_path(a->out, "z", a->z, sizeof a->z) || out_path(a->out, "bins", a->bins,
                                                              sizeof a->bins))
        return rtm_cli_usage(&a->c, "output path too long");
    if ((rc = rtm_cli_tiles_end(&a->tiles, &a->c, a->out)))
        return rc;
    a->p.z_tif = a->z;
    a->p.bins_tif = a->bins;
    a->ev.outputs[a->ev.noutputs++] = a->z;
    a->ev.outputs[a->ev.noutputs++] = a->bins;
    if (a->p.png)
        a->ev.outputs[a->ev.noutputs++] = a->p.png;
    if (a->p.polygons)
        a->ev.outputs[a->ev.noutputs++] = a->p.polygons;
    return 0;
}

static void print_summary(const hs_args *a, const rtm_hotspots_result *r)
{
    static const char *const names[7] = {
        "cold spot, 99% confidence", "cold spot, 95% confidence", "cold spot, 90% confidence",
        "not significant", "hot spot, 90% confidence", "hot spot, 95% confidence",
        "hot spot, 99% confidence"};
    static const char *const codes[7] = {"-3", "-2", "-1", " 0", "+1", "+2", "+3"};
    if (a->c.quiet)
        return;
    printf("Gi* bins (%zu cells%s):\n", r->inside, a->p.gi.fdr ? ", FDR corrected" : "");
    for (int b = 6; b >= 0; b--)
        printf("  %s  %-28s %10zu\n", codes[b], names[b], r->bins[b]);
}

static int run(hs_args *a)
{
    rtm_product_env env;
    rtm_hotspots_result res = {0};
    rtm_outset *out = NULL;
    rtm_error e;
    int rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    a->p.weight_unit = rtm_cli_weight_unit(&a->ev);
    if ((rc = rtm_outset_open(&out, &e)))
        return rtm_cli_fail(&a->c, &e);
    rc = rtm_hotspots_product_tiled(&a->p, &a->ev.evs, &env, &a->tiles.h, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        rtm_hotspots_result_free(&res);
        return rc;
    }
    if (a->p.polygons)
        rtm_cli_info(&a->c, "%d hot-spot polygon%s\n", res.npolygons,
                     res.npolygons == 1 ? "" : "s");
    if (!a->tiles.h.count)
        print_summary(a, &res);
    rtm_hotspots_result_free(&res);
    return 0;
}

int rtm_cmd_hotspots(int argc, char **argv)
{
    hs_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "hotspots";
    rtm_cli_events_init(&a.ev);
    rtm_hotspots_product_init(&a.p);
    if ((rc = rtm_cli_tiles_begin(&a.tiles, &a.c, argc, argv)))
        return rc;
    rc = parse(argc, argv, &a, &first);
    if (!rc)
        rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first);
    if (!rc)
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    rtm_cli_tiles_free(&a.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
