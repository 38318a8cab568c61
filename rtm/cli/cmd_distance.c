/* cmd_distance.c: `rtm distance` - exact distance to the nearest feature. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/surface.h"
#include "rtm/output.h"
#include "input/stats_meta.h"
#include "rtm/input.h"

enum { OPT_MAX_DIST = OPT_EVENTS_LAST + 1, OPT_THREADS };

static const char HELP[] =
    "Usage: rtm distance [OPTIONS] -o OUT.tif LAYER\n\n"
    "Exact Euclidean distance from every cell centre to the nearest feature of a layer\n"
    "(points, lines or polygons: distance to the geometry, 0 inside polygons), written\n"
    "as a Cloud-Optimized GeoTIFF in CRS units.\n\n"
    "  --max-distance D       cells farther than D from every feature are nodata\n"
    "                         (default: no limit)\n"
    "  --threads N            worker threads (output identical for any N)\n"
    "  -o, --output FILE      GeoTIFF to write (replaced atomically)\n"
    "  -q, --quiet            no summary\n\n"
    "The layer is read like events (--src-crs, --x-field/--y-field, --layer, --where);\n"
    "projected CSV columns without a CRS are taken to be in --dst-crs. The grid comes\n"
    "from --bbox and/or --study-area with --resolution, in --dst-crs.\n\n" RTM_CLI_EVENT_HELP;

typedef struct dist_args {
    rtm_cli *c;
    const char *out;
    double maxd;
    int threads;
} dist_args;

/* One option of rtm distance (rtm_cli_opt_fn). */
static int dist_opt(void *ctx, int opt, const char *arg)
{
    dist_args *d = ctx;
    switch (opt) {
    case 'o': d->out = arg; return 0;
    case OPT_MAX_DIST:
        return rtm_cli_double(arg, &d->maxd) || !(d->maxd > 0)
                   ? rtm_cli_usage(d->c, "--max-distance must be > 0") : 0;
    case OPT_THREADS:
        return rtm_cli_int(arg, &d->threads) || d->threads < 1
                   ? rtm_cli_usage(d->c, "--threads must be >= 1") : 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

int rtm_cmd_distance(int argc, char **argv)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"max-distance", required_argument, 0, OPT_MAX_DIST},
        {"threads", required_argument, 0, OPT_THREADS}, {"output", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    rtm_cli c = {0, "distance"};
    rtm_cli_events ev;
    rtm_features *f = NULL;
    rtm_load_stats st;
    rtm_geotiff_opts go;
    rtm_kv kv;
    rtm_error e;
    double maxd = INFINITY, *v = NULL;
    const char *out = NULL;
    dist_args d = {&c, NULL, INFINITY, 0};
    int r, threads, first = 0, rc = 0;
    size_t k;
    rtm_cli_events_init(&ev);
    rtm_kv_init(&kv);
    rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &ev, &c, HELP, dist_opt, &d, &first);
    if (rc) {
        rc = rc < 0 ? 0 : rc;
        goto done;
    }
    out = d.out;
    maxd = d.maxd;
    threads = d.threads;
    if (!out) {
        rc = rtm_cli_usage(&c, "no output file (-o OUT.tif)");
        goto done;
    }
    if (first != argc - 1) {
        rc = rtm_cli_usage(&c, "give exactly one layer");
        goto done;
    }
    if (!ev.has_bbox && !ev.study_area) {
        rc = rtm_cli_usage(&c, "give the grid with --bbox and/or --study-area");
        goto done;
    }
    if ((rc = rtm_cli_events_grid(&ev, &c)))
        goto done;
    ev.lo.dst_crs = ev.dst_crs;
    rtm_load_stats_init(&st);
    f = rtm_features_create();
    if (!f || !(v = malloc(rtm_grid_ncells(&ev.grid) * sizeof *v))) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory");
        rc = rtm_cli_fail(&c, &e);
        goto done;
    }
    r = rtm_layer_load(f, argv[first], &ev.lo, &st, &e);
    if (r == RTM_ERR_CRS && strstr(e.msg, "projected coordinates") && !ev.lo.src_crs) {
        ev.lo.src_crs = ev.dst_crs;
        rtm_load_stats_init(&st);
        r = rtm_layer_load(f, argv[first], &ev.lo, &st, &e);
    }
    if (r || rtm_distance_compute(&ev.grid, f, maxd, threads, v, &e)) {
        rc = rtm_cli_fail(&c, &e);
        goto done;
    }
    for (k = 0; k < rtm_grid_ncells(&ev.grid); k++)
        if (!isfinite(v[k]))
            v[k] = NAN;
    rtm_cli_load_summary(&c, "features", &st);
    rtm_kv_add(&kv, "SOFTWARE", "rtm %s", RTM_VERSION);
    rtm_kv_add(&kv, "SURFACE", "distance to nearest feature");
    rtm_kv_add(&kv, "LAYER", "%s", argv[first]);
    rtm_kv_add(&kv, "FEATURES", "%zu", rtm_features_count(f));
    if (isfinite(maxd))
        rtm_kv_add(&kv, "MAX_DISTANCE", "%.17g", maxd);
    rtm_kv_add(&kv, "CELL_SIZE", "%.17g", ev.grid.res);
    rtm_kv_add_load_stats(&kv, "FEATURES", &st);
    rtm_geotiff_opts_init(&go);
    go.band_description = "distance to the nearest feature (CRS units)";
    go.units = "metre";
    go.metadata = rtm_kv_list(&kv);
    go.qml_ramp = "viridis";
    if (rtm_geotiff_write(out, &ev.grid, v, ev.mask, &go, &e)) {
        rc = rtm_cli_fail(&c, &e);
        goto done;
    }
    rtm_cli_info(&c, "distance: %zu features, %d x %d cells; wrote %s\n", rtm_features_count(f),
                 ev.grid.ncols, ev.grid.nrows, out);
done:
    rtm_features_free(f);
    free(v);
    rtm_kv_free(&kv);
    rtm_cli_events_free(&ev);
    return rc;
}
