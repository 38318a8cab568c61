/* cmd_emerging.c: `rtm emerging` - emerging hot spots: a space-time cube of
 * event counts, space-time Gi*, Mann-Kendall trends and ArcGIS Pro's (or
 * sfhotspot's) categories (rtm/emerging.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/emerging.h"

enum { OPT_STEP = OPT_EVENTS_LAST + 1, OPT_BAND, OPT_KNN, OPT_TSTEPS, OPT_ALPHA, OPT_NO_FDR,
       OPT_SCHEME, OPT_ALL_CELLS, OPT_THREADS, OPT_TITLE };

static const char HELP[] =
    "Usage: rtm emerging --step week|4weeks|month|season [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "Emerging hot spots (as ArcGIS Pro's Emerging Hot Spot Analysis): the events are\n"
    "counted per grid cell and time step (a space-time cube); each bin gets a\n"
    "space-time Getis-Ord Gi* z-score (its neighbours: the cells within --band, or\n"
    "its --knn nearest, in its own and the previous --time-steps steps), p-values\n"
    "are FDR corrected over every bin, each cell's z-score series gets a\n"
    "Mann-Kendall trend (with the tie correction), and each cell a category: new,\n"
    "consecutive, intensifying, persistent, diminishing, sporadic, oscillating or\n"
    "historical hot spot, the same cold spots, or no pattern.\n\n"
    "Time:\n"
    "  --step S               week (Monday to Sunday, ISO 8601), 4weeks (also 28days:\n"
    "                         28 days from the Monday of the first week), month, or\n"
    "                         season (winter = Dec-Feb, December counting in the\n"
    "                         next year's winter);\n"
    "                         default month. week and 4weeks need dates with a day\n"
    "                         (police.uk data have months only)\n"
    "  --from D, --to D       span of the steps (YYYY-MM or YYYY-MM-DD; default: the\n"
    "                         events' first and last dates); also filters the events\n"
    "Neighbourhood and significance:\n"
    "  --band M               distance band in CRS units (default 3 cells)\n"
    "  --knn K                instead: the cell and its K nearest cells\n"
    "  --time-steps K         previous time steps in a bin's neighbourhood (default 1,\n"
    "                         Esri's default neighbourhood time step)\n"
    "  --alpha A              significance of a bin and of a trend (default 0.10: 90 %)\n"
    "  --no-fdr               no false discovery rate correction\n"
    "  --scheme esri|sfhotspot  categories: ArcGIS Pro's 17 (default) or the R\n"
    "                         sfhotspot package's persistent/emerging/former/intermittent\n"
    "  --all-cells            every study-area cell is a location (default: only cells\n"
    "                         with at least one event, Esri's locations with data)\n"
    "  --threads N            worker threads (output identical for any N)\n"
    RTM_CLI_TILE_HELP
    "Output (in OUTDIR, made if missing):\n"
    "  categories.tif (+ .qml)  category per cell: colour table and category names\n"
    "  cube.tif, zscores.tif  counts and Gi* z per step, one band per step (band\n"
    "                         description = the step's label)\n"
    "  trend.tif              Mann-Kendall z of the z-scores (band 1) and counts (band 2)\n"
    "  emerging.gpkg          layer emerging_hot_spots: the cells with a pattern\n"
    "                         (category, code, trend_z, trend_p, count_trend_z,\n"
    "                         count_trend_p, events, hot_steps, cold_steps); layer\n"
    "                         emerging_areas: 8-connected cells of one category merged\n"
    "                         (category, code, cells, area_m2, events, mean_trend_z)\n"
    "  emerging.png           map;  categories.csv, categories.md  cells per category\n"
    "  --title TEXT           map title\n"
    "  -q, --quiet            no summary\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm emerging --dst-crs EPSG:27700 --study-area essex.gpkg --resolution 100 \\\n"
    "    --step month --band 300 -o emerging/ crimes/*.csv\n";

typedef struct em_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_emerging_product p;
    const char *out;
    rtm_cli_tiles tiles;
} em_args;

static int em_opt(void *ctx, int opt, const char *arg)
{
    em_args *a = ctx;
    int v;
    switch (opt) {
    case 'o': a->out = arg; return 0;
    case OPT_STEP:
        if ((v = rtm_cli_vocab(&a->c, "step", "--step", arg, (int *)&a->p.step)))
            return v;
        return 0;
    case OPT_SCHEME:
        return rtm_cli_vocab(&a->c, "scheme", "--scheme", arg, (int *)&a->p.scheme);
    case OPT_BAND:
        if (rtm_cli_double(arg, &a->p.gi.band) || !(a->p.gi.band > 0))
            return rtm_cli_usage(&a->c, "--band must be a distance > 0 (got '%s')", arg);
        return 0;
    case OPT_KNN:
        if (rtm_cli_int(arg, &a->p.gi.knn) || a->p.gi.knn < 1)
            return rtm_cli_usage(&a->c, "--knn must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_TSTEPS:
        if (rtm_cli_int(arg, &a->p.time_steps) || a->p.time_steps < 0)
            return rtm_cli_usage(&a->c, "--time-steps must be a whole number >= 0 (got '%s')",
                                 arg);
        return 0;
    case OPT_ALPHA:
        if (rtm_cli_double(arg, &a->p.alpha) || !(a->p.alpha > 0 && a->p.alpha < 1))
            return rtm_cli_usage(&a->c, "--alpha must be in (0, 1) (got '%s')", arg);
        return 0;
    case OPT_NO_FDR: a->p.gi.fdr = 0; return 0;
    case OPT_ALL_CELLS: a->p.all_cells = 1; return 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->p.gi.threads);
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, em_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"step", required_argument, 0, OPT_STEP},
        {"band", required_argument, 0, OPT_BAND}, {"knn", required_argument, 0, OPT_KNN},
        {"time-steps", required_argument, 0, OPT_TSTEPS},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"no-fdr", no_argument, 0, OPT_NO_FDR},
        {"scheme", required_argument, 0, OPT_SCHEME},
        {"all-cells", no_argument, 0, OPT_ALL_CELLS},
        {"threads", required_argument, 0, OPT_THREADS}, {"title", required_argument, 0, OPT_TITLE},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, RTM_CLI_TILE_OPTION, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, em_opt, a, first);
    if (rc)
        return rc;
    if (!a->out)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (a->p.gi.knn > 0 && a->p.gi.band > 0)
        return rtm_cli_usage(&a->c, "give either --band or --knn, not both");
    a->p.dir = a->out;
    a->ev.outputs[a->ev.noutputs++] = a->out;
    return rtm_cli_tiles_end(&a->tiles, &a->c, a->out);
}

static void print_summary(const em_args *a, const rtm_emerging_result *r)
{
    int esri = a->p.scheme == RTM_SCHEME_ESRI, lo = esri ? -8 : -4, hi = esri ? 8 : 5;
    char f[64], l[64];
    if (a->c.quiet)
        return;
    printf("%d %s steps (%s .. %s), %zu locations; %zu hot and %zu cold significant bins "
           "(p <= %.4g%s)\n", r->steps.n, rtm_vocab_name("step", (int)a->p.step),
           rtm_step_label(&r->steps, 0, f, sizeof f),
           rtm_step_label(&r->steps, r->steps.n - 1, l, sizeof l), r->locations, r->sig_hot,
           r->sig_cold, r->crit_p, a->p.gi.fdr ? ", FDR" : "");
    for (int c = hi; c >= lo; c--)
        if (r->count[c - lo])
            printf("  %-26s %8zu\n", esri ? rtm_ehsa_name(c) : rtm_sfh_name(c), r->count[c - lo]);
}

static int run(em_args *a)
{
    rtm_product_env env;
    rtm_emerging_result res = {0};
    rtm_outset *out = NULL;
    rtm_error e;
    int rc, made = 0;
    if (!a->tiles.h.count && (rc = rtm_cli_out_dir(&a->c, a->out, &made)))
        return rc; /* a tile is one file beside the folder */
    rtm_cli_env(&a->ev, &a->c, &env);
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_emerging_product_tiled(&a->p, &a->ev.evs, &env, &a->tiles.h, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        if (made)
            rmdir(a->out);
        rtm_emerging_result_free(&res);
        return rc;
    }
    if (!a->tiles.h.count)
        print_summary(a, &res);
    rtm_emerging_result_free(&res);
    return 0;
}

int rtm_cmd_emerging(int argc, char **argv)
{
    em_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "emerging";
    rtm_cli_events_init(&a.ev);
    rtm_emerging_product_init(&a.p);
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
