/* cmd_distance.c: `rtm distance` - exact distance to the nearest feature. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/surface.h"
#include "rtm/output.h"
#include "input/stats_meta.h"
#include "rtm/input.h"

enum { OPT_MAX_DIST = OPT_EVENTS_LAST + 1, OPT_THREADS, OPT_PNG };

static const char HELP[] =
    "Usage: rtm distance [OPTIONS] -o OUT.tif LAYER\n\n"
    "Exact Euclidean distance from every cell centre to the nearest feature of a layer\n"
    "(points, lines or polygons: distance to the geometry, 0 inside polygons), written\n"
    "as a Cloud-Optimized GeoTIFF in CRS units.\n\n"
    "  --max-distance D       cells farther than D from every feature are nodata\n"
    "                         (default: no limit)\n"
    "  --threads N            worker threads (output identical for any N)\n"
    "  --png FILE             also a map of the distances (+ world file, CRS sidecar)\n"
    "  -o, --output FILE      GeoTIFF to write (replaced atomically)\n"
    RTM_CLI_TILE_HELP
    "  -q, --quiet            no summary\n\n"
    "The layer is read like events (--src-crs, --x-field/--y-field, --layer, --where);\n"
    "projected CSV columns without a CRS are taken to be in --dst-crs. The grid comes\n"
    "from --bbox and/or --study-area with --resolution, in --dst-crs.\n\n" RTM_CLI_EVENT_HELP;

typedef struct dist_args {
    rtm_cli *c;
    rtm_distance_product p;
    int threads;
    rtm_cli_tiles tiles;
} dist_args;

/* One option of rtm distance (rtm_cli_opt_fn). */
static int dist_opt(void *ctx, int opt, const char *arg)
{
    dist_args *d = ctx;
    switch (opt) {
    case 'o': d->p.tif = arg; return 0;
    case OPT_PNG: d->p.png = arg; return 0;
    case OPT_MAX_DIST:
        return rtm_cli_double(arg, &d->p.max_distance) || !(d->p.max_distance > 0)
                   ? rtm_cli_usage(d->c, "--max-distance must be > 0") : 0;
    case OPT_THREADS:
        return rtm_cli_threads(d->c, arg, &d->threads);
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&d->tiles, d->c, arg);
    default: return RTM_CLI_NOT_MINE;
    }
}

/* Load the layer, run the product, commit. */
static int run(rtm_cli_events *ev, rtm_cli *c, dist_args *d, const char *path)
{
    const char *files[1] = {path};
    rtm_layer_spec ls = {"layer", files, 1, ev->lo.layer, ev->lo.where, ev->lo.x_field,
                         ev->lo.y_field, ev->lo.src_crs};
    rtm_product_env env;
    rtm_features *f = NULL;
    rtm_load_stats st;
    rtm_outset *out = NULL;
    rtm_error e;
    int rc;
    rtm_cli_env(ev, c, &env);
    env.threads = d->threads;
    if ((rc = rtm_layer_spec_load(&ls, ev->dst_crs, &env, &f, &st, &e)) == 0)
        rtm_cli_load_summary(c, "features", &st);
    if (rc || (rc = rtm_outset_open(&out, &e))) {
        rtm_features_free(f);
        return rtm_cli_fail(c, &e);
    }
    rc = rtm_distance_product_tiled(&d->p, &ev->evs, f, &ls, &st, &env, &d->tiles.h, out, NULL,
                                    &e);
    if ((rc = rtm_cli_commit(c, out, rc, &e))) {
        rtm_features_free(f);
        return rc;
    }
    rtm_cli_info(c, "distance: %zu features, %d x %d cells; wrote %s\n", rtm_features_count(f),
                 ev->grid.ncols, ev->grid.nrows, d->tiles.h.count ? d->tiles.path : d->p.tif);
    rtm_features_free(f);
    return 0;
}

int rtm_cmd_distance(int argc, char **argv)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"max-distance", required_argument, 0, OPT_MAX_DIST},
        {"threads", required_argument, 0, OPT_THREADS}, {"png", required_argument, 0, OPT_PNG},
        {"output", required_argument, 0, 'o'}, RTM_CLI_TILE_OPTION,
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    rtm_cli c = {0, "distance"};
    rtm_cli_events ev;
    dist_args d;
    int first = 0, rc;
    memset(&d, 0, sizeof d);
    d.c = &c;
    rtm_cli_events_init(&ev);
    rtm_distance_product_init(&d.p);
    if ((rc = rtm_cli_tiles_begin(&d.tiles, &c, argc, argv)))
        return rc;
    rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &ev, &c, HELP, dist_opt, &d, &first);
    static const char *const tif[] = {".tif", ".tiff", NULL}, *const png[] = {".png", NULL};
    if (!rc && !d.p.tif)
        rc = rtm_cli_usage(&c, "no output file (-o OUT.tif)");
    else if (!rc && ((rc = rtm_cli_ext(&c, "-o", d.p.tif, tif)) ||
                     (d.p.png && (rc = rtm_cli_ext(&c, "--png", d.p.png, png)))))
        ;
    else if (!rc && (rc = rtm_cli_tiles_end(&d.tiles, &c, d.p.tif)))
        ;
    else if (!rc && first != argc - 1)
        rc = rtm_cli_usage(&c, "give exactly one layer");
    else if (!rc && !ev.has_bbox && !ev.study_area)
        rc = rtm_cli_usage(&c, "give the grid with --bbox and/or --study-area");
    if (!rc && !(rc = rtm_cli_events_grid(&ev, &c)))
        rc = run(&ev, &c, &d, argv[first]);
    rtm_cli_events_free(&ev);
    rtm_cli_tiles_free(&d.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
