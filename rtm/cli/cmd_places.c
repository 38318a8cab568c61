/* cmd_places.c: `rtm places` - N non-overlapping patrol-sized places that
 * hold the most crime harm, events or any surface (rtm/places.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/places.h"

enum { OPT_COUNT = OPT_EVENTS_LAST + 1, OPT_SIZE, OPT_SHAPE, OPT_MEASURE, OPT_SPACING,
       OPT_STEP, OPT_AREAS, OPT_AREA_FIELD, OPT_PER_AREA, OPT_SETTINGS, OPT_SETTINGS_DIST,
       OPT_TITLE, OPT_THREADS, OPT_ROADS, OPT_ROADS_WHERE, OPT_ROADS_NAME, OPT_SEGMENT };

static const char HELP[] =
    "Usage: rtm places --count N --size M [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "Patrol places: N non-overlapping squares or discs of patrol size (default 20 of\n"
    "150 m, as in the Southend hot-spot trial) holding the most crime harm (with a harm\n"
    "table), events, or a surface. The sum in a window at every position of a fine grid\n"
    "comes from a summed-area table; the best windows are taken greedily (the best\n"
    "first; not guaranteed to be the best possible set).\n\n"
    "Places:\n"
    "  --count N              places wanted (default 20)\n"
    "  --size M               side of a square / diameter of a disc, CRS units (default 150)\n"
    "  --shape square|disc    (default square; alias circle = disc)\n"
    "  --measure harm|count|FILE.tif  rank by the events' harm weights (default with\n"
    "                         --harm-table), by event counts (default otherwise; alias\n"
    "                         events = count) or by\n"
    "                         a raster (forecast, KDE, risk surface) summed in the window\n"
    "  --min-spacing M        smallest gap between two places (default 0: may touch)\n"
    "  --step M               fine grid cell (default size/10; size must be a multiple)\n"
    "  --roads FILE           street segments: places are buffers --size wide around road\n"
    "                         pieces (lines) instead of squares or discs\n"
    "  --roads-where SQL      OGR filter of the roads\n"
    "  --roads-name-field F   road name field (default name, NAME or road_name)\n"
    "  --segment M            longest road piece (default --size)\n"
    "  --areas FILE           districts or towns (polygons): per-area sections in the\n"
    "                         briefing; places must lie in an area\n"
    "  --area-field F         the areas' name field\n"
    "  --per-area N           at most N places per area\n"
    "  --settings KIND=FILE[:FIELD]  named settings (pubs, venues, stations; points) to\n"
    "                         name the places by; FIELD default 'name' (repeatable)\n"
    "  --settings-distance M  settings within M of a place are named (default 50)\n"
    "  --threads N            worker threads (outputs identical for any N)\n"
    "Output:\n"
    "  -o, --output OUTDIR    places.gpkg (+ places.qml), places.csv, places.png,\n"
    "                         places.html (one section per area), replaced together\n"
    "  --title TEXT           map and briefing title (default 'Patrol places')\n"
    "  -q, --quiet            no summary\n\n"
    "Location names come from --location-field (default Location, police.uk's\n"
    "\"On or near ...\" text).\n\n" RTM_CLI_EVENT_HELP
    "\nExample (Southend, 20 places of 150 m by harm):\n"
    "  rtm places --count 20 --size 150 --harm-table layers/harm/police_uk_cchi.csv \\\n"
    "    --dst-crs EPSG:27700 --study-area southend.geojson -o places crimes.csv.gz\n";

typedef struct pl_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_places_product p;
    rtm_place_setting st[RTM_PLACES_MAX_SETTINGS];
    char stbuf[RTM_PLACES_MAX_SETTINGS][1024];
    int threads, measure_set;
    const char *dir;
    char names[4][4096];
} pl_args;

/* KIND=FILE[:FIELD] (a FIELD after the last ':' when it has no '/'). */
static int parse_setting(pl_args *a, const char *arg)
{
    int n = a->p.nsettings;
    if (n >= RTM_PLACES_MAX_SETTINGS)
        return rtm_cli_usage(&a->c, "at most %d --settings", RTM_PLACES_MAX_SETTINGS);
    char *b = a->stbuf[n], *eq, *colon;
    snprintf(b, sizeof a->stbuf[n], "%s", arg);
    if (!(eq = strchr(b, '=')) || eq == b || !eq[1])
        return rtm_cli_usage(&a->c, "--settings expects KIND=FILE[:FIELD] (got '%s')", arg);
    *eq = 0;
    memset(&a->st[n], 0, sizeof a->st[n]);
    a->st[n].kind = b;
    a->st[n].file = eq + 1;
    if ((colon = strrchr(eq + 1, ':')) && !strchr(colon, '/') && colon[1]) {
        *colon = 0;
        a->st[n].field = colon + 1;
    }
    a->p.settings = a->st;
    a->p.nsettings = n + 1;
    return 0;
}

static int parse_measure(pl_args *a, const char *arg)
{
    int v;
    a->measure_set = 1;
    if (!rtm_vocab_parse("measure", arg, &v, NULL)) {
        a->p.measure = (rtm_place_measure)v;
        return 0;
    }
    static const char *const tif[] = {".tif", ".tiff", ".vrt", ".img", NULL};
    a->p.measure = RTM_MEASURE_SURFACE;
    a->p.measure_file = arg;
    return rtm_cli_ext(&a->c, "--measure (harm, count or a raster)", arg, tif);
}

static int num(pl_args *a, const char *flag, const char *arg, double *out, double lo)
{
    if (rtm_cli_double(arg, out) || !(*out >= lo) || !isfinite(*out))
        return rtm_cli_usage(&a->c, "%s must be a number >= %g (got '%s')", flag, lo, arg);
    return 0;
}

/* One option of rtm places (rtm_cli_opt_fn). */
static int pl_opt(void *ctx, int opt, const char *arg)
{
    pl_args *a = ctx;
    switch (opt) {
    case 'o': a->dir = arg; return 0;
    case OPT_COUNT:
        return rtm_cli_int(arg, &a->p.count) || a->p.count < 1 || a->p.count > RTM_PLACES_MAX
                   ? rtm_cli_usage(&a->c, "--count must be 1..%d", RTM_PLACES_MAX) : 0;
    case OPT_SIZE:
        return num(a, "--size", arg, &a->p.size, 1e-9);
    case OPT_SHAPE: return rtm_cli_vocab(&a->c, "shape", "--shape", arg, (int *)&a->p.shape);
    case OPT_MEASURE: return parse_measure(a, arg);
    case OPT_SPACING: return num(a, "--min-spacing", arg, &a->p.spacing, 0);
    case OPT_STEP: return num(a, "--step", arg, &a->p.step, 1e-9);
    case OPT_AREAS: a->p.areas = arg; return 0;
    case OPT_AREA_FIELD: a->p.area_field = arg; return 0;
    case OPT_PER_AREA:
        return rtm_cli_int(arg, &a->p.per_area) || a->p.per_area < 1
                   ? rtm_cli_usage(&a->c, "--per-area must be a whole number >= 1") : 0;
    case OPT_SETTINGS: return parse_setting(a, arg);
    case OPT_SETTINGS_DIST: return num(a, "--settings-distance", arg,
                                       &a->p.settings_distance, 0);
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->threads);
    case OPT_ROADS: a->p.roads = arg; return 0;
    case OPT_ROADS_WHERE: a->p.roads_where = arg; return 0;
    case OPT_ROADS_NAME: a->p.roads_name_field = arg; return 0;
    case OPT_SEGMENT: return num(a, "--segment", arg, &a->p.segment, 1e-9);
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, pl_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"count", required_argument, 0, OPT_COUNT},
        {"size", required_argument, 0, OPT_SIZE}, {"shape", required_argument, 0, OPT_SHAPE},
        {"measure", required_argument, 0, OPT_MEASURE},
        {"min-spacing", required_argument, 0, OPT_SPACING},
        {"step", required_argument, 0, OPT_STEP}, {"areas", required_argument, 0, OPT_AREAS},
        {"area-field", required_argument, 0, OPT_AREA_FIELD},
        {"per-area", required_argument, 0, OPT_PER_AREA},
        {"settings", required_argument, 0, OPT_SETTINGS},
        {"settings-distance", required_argument, 0, OPT_SETTINGS_DIST},
        {"title", required_argument, 0, OPT_TITLE},
        {"threads", required_argument, 0, OPT_THREADS},
        {"roads", required_argument, 0, OPT_ROADS},
        {"roads-where", required_argument, 0, OPT_ROADS_WHERE},
        {"roads-name-field", required_argument, 0, OPT_ROADS_NAME},
        {"segment", required_argument, 0, OPT_SEGMENT},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, pl_opt, a, first);
    if (rc)
        return rc;
    if (!a->dir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (a->p.per_area > 0 && !a->p.areas)
        return rtm_cli_usage(&a->c, "--per-area needs --areas");
    static const char *const base[4] = {"places.gpkg", "places.csv", "places.png",
                                        "places.html"};
    for (int i = 0; i < 4; i++) {
        int w = snprintf(a->names[i], sizeof a->names[i], "%s/%s", a->dir, base[i]);
        if (w < 0 || (size_t)w >= sizeof a->names[i])
            return rtm_cli_usage(&a->c, "output folder name too long");
        a->ev.outputs[a->ev.noutputs++] = a->names[i];
    }
    a->p.gpkg = a->names[0], a->p.csv = a->names[1], a->p.png = a->names[2];
    a->p.html = a->names[3];
    a->ev.lo.keep_labels = 1;
    return 0;
}

static int run(pl_args *a)
{
    rtm_product_env env;
    rtm_places_result res;
    rtm_outset *out = NULL;
    rtm_error e;
    int rc, made = 0;
    memset(&res, 0, sizeof res);
    rtm_cli_env(&a->ev, &a->c, &env);
    env.threads = a->threads;
    a->p.harm_unit = rtm_cli_weight_unit(&a->ev);
    if ((rc = rtm_cli_out_dir(&a->c, a->dir, &made)))
        return rc;
    if ((rc = rtm_outset_open(&out, &e)))
        return rtm_cli_fail(&a->c, &e);
    rc = rtm_places_product_run(&a->p, &a->ev.evs, &env, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        rtm_places_result_free(&res);
        return rc;
    }
    if (!a->c.quiet) {
        printf("%s\n", res.headline);
        for (int i = 0; i < res.nplaces; i++) {
            const rtm_patrol_place *q = &res.places[i];
            printf("%3d  %-56.56s %5.0f events", q->rank, q->name, q->events);
            if (isfinite(q->harm))
                printf(" %9.1f harm (%4.1f %%)", q->harm, q->share_harm);
            printf("\n");
        }
    }
    rtm_places_result_free(&res);
    return 0;
}

int rtm_cmd_places(int argc, char **argv)
{
    pl_args *a = calloc(1, sizeof *a);
    int rc, first = 0;
    if (!a)
        return RTM_EXIT_FAIL;
    a->c.cmd = "places";
    rtm_cli_events_init(&a->ev);
    rtm_places_product_init(&a->p);
    rc = parse(argc, argv, a, &first);
    if (!rc && a->ev.res <= 0)
        a->ev.res = a->p.step > 0 ? a->p.step : a->p.size / 10; /* the study mask's cells */
    if (!rc)
        rc = rtm_cli_events_load(&a->ev, &a->c, argv + first, argc - first);
    if (!rc)
        rc = run(a);
    rtm_cli_events_free(&a->ev);
    free(a);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
