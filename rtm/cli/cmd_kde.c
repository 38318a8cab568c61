/* cmd_kde.c: `rtm kde` - kernel density heatmap of point events. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_events.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "core/kv.h"

enum { OPT_KERNEL = OPT_EVENTS_LAST + 1, OPT_RADIUS, OPT_UNITS, OPT_THREADS, OPT_PNG, OPT_RAMP,
       OPT_CLASSES, OPT_NCLASSES, OPT_TITLE, OPT_COMPRESS, OPT_FLOAT64, OPT_GAUSS, OPT_EDGE,
       OPT_ADAPTIVE, OPT_PILOT, OPT_GROUPS, OPT_TRIM, OPT_SIGMA, OPT_TRUNCATE };

static const char HELP[] =
    "Usage: rtm kde [OPTIONS] -o OUT.tif INPUT...\n\n"
    "Kernel density of point events at cell centres, with the true point positions,\n"
    "written as a Cloud-Optimized GeoTIFF (+ .qml style) and optionally a PNG heatmap.\n\n"
    "Density:\n"
    "  --kernel K             quartic (default), epanechnikov, triangular, uniform,\n"
    "                         triweight, gaussian (sigma = radius / --truncate, default\n"
    "                         radius/4, cut at the radius);\n"
    "                         alias biweight = quartic ('rtm help names' lists all names)\n"
    "  --radius R|auto-arcgis|auto-scott|auto-cv  support radius in CRS units (default\n"
    "                         auto-arcgis: ArcGIS Pro's rule; auto-scott: Scott's rule;\n"
    "                         auto-cv: likelihood cross-validation, as spatstat's bw.ppl)\n"
    "  --sigma S              the kernel's standard deviation instead of --radius (as\n"
    "                         spatstat's sigma; for the gaussian radius = K x S)\n"
    "  --truncate K           gaussian only: cut at K standard deviations (default 4)\n"
    "  --edge E               none (default), uniform (divide by the kernel mass inside\n"
    "                         the study area at each cell), diggle (weight each event by\n"
    "                         1 / its kernel mass inside the study area)\n"
    "  --adaptive             Abramson's adaptive radii (square-root law, as spatstat's\n"
    "                         densityAdaptiveKernel) around the radius\n"
    "  --pilot R              radius of the adaptive pilot estimate (default the radius)\n"
    "  --groups N|exact       adaptive radii in N quantile groups (default sqrt(events),\n"
    "                         at most 32) or one per event (exact: slow)\n"
    "  --trim T               largest adaptive radius / radius (default 5)\n"
    "  --units U              km2 (default: per km²), ha, m2, cell (expected count per\n"
    "                         cell), probability (share of all events per cell); aliases\n"
    "                         per_km2, per_ha, per_m2, per_cell, count. Weighted maps are\n"
    "                         labelled in the weight's unit, never as events\n"
    "  --threads N            worker threads (default: all cores); output is identical\n"
    "Output:\n"
    "  -o, --output FILE      GeoTIFF to write (replaced atomically)\n"
    "  --png FILE.png         also a briefing map (title, legend, scale bar) and the map\n"
    "                         alone georeferenced as FILE_map.png (+ .pgw, .png.aux.xml)\n"
    "  --ramp NAME            viridis (default), magma, inferno, cividis, diverging, ylorrd\n"
    "  --classes METHOD       continuous (default), quantile, stddev, mean (multiples of\n"
    "                         the mean of non-zero cells), equal, natural; the .qml\n"
    "                         style draws the same classes (aliases: mean-multiple,\n"
    "                         meanmult, jenks)\n"
    "  --nclasses N           number of classes (default 5)\n"
    "  --title TEXT           PNG title\n"
    "  --compress DEFLATE|ZSTD  GeoTIFF compression (default DEFLATE)\n"
    "  --float64              write Float64 instead of Float32\n"
    RTM_CLI_TILE_HELP
    "  -q, --quiet            no progress or summary\n\n"
    RTM_CLI_EVENT_HELP
    "\nExample (Essex violence heatmap):\n"
    "  rtm kde --dst-crs EPSG:27700 --study-area essex.geojson --resolution 100 \\\n"
    "    --where \"\\\"Crime type\\\" = 'Violence and sexual offences'\" --radius 500 \\\n"
    "    --png violence.png -o violence.tif crimes/2018-0*-essex-street.csv.gz\n";

typedef struct kde_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_kde_product p;
    int threads;
    int radius_given, truncate;
    rtm_cli_tiles tiles;
} kde_args;

/* --classes: "continuous" or a classification method (rtm_class_method_parse). */
static int parse_classes(const char *s, kde_args *a)
{
    int v;
    if (rtm_vocab_parse("classes", s, &v, NULL))
        return -1;
    if (v == RTM_CLASSES_CONTINUOUS) {
        a->p.nclasses = 0;
        return 0;
    }
    a->p.classes = (rtm_class_method)v;
    if (a->p.nclasses == 0)
        a->p.nclasses = 5;
    return 0;
}

/* --radius: a number, or a rule applied to the loaded events. */
static int parse_radius(kde_args *a, const char *s)
{
    if (!strcmp(s, "auto-arcgis"))
        a->p.radius_rule = RTM_RADIUS_ARCGIS;
    else if (!strcmp(s, "auto-scott"))
        a->p.radius_rule = RTM_RADIUS_SCOTT;
    else if (!strcmp(s, "auto-cv"))
        a->p.radius_rule = RTM_RADIUS_CV;
    else if (rtm_cli_double(s, &a->p.kde.radius) || !(a->p.kde.radius > 0) ||
             !isfinite(a->p.kde.radius))
        return rtm_cli_usage(&a->c, "--radius must be a number > 0, auto-arcgis, auto-scott or "
                                    "auto-cv (got '%s')", s);
    else
        a->p.radius_rule = RTM_RADIUS_GIVEN;
    return 0;
}

/* --ramp: a name of the vocabulary's ramps. */
static int parse_ramp(kde_args *a, const char *s)
{
    int v, rc = rtm_cli_vocab(&a->c, "ramp", "--ramp", s, &v);
    if (!rc)
        a->p.ramp = rtm_vocab_name("ramp", v);
    return rc;
}

/* --units: km2, m2, cell (and the job's names per_km2, per_ha, ...). */
static int parse_units(kde_args *a, const char *s)
{
    return rtm_map_units_parse(s, &a->p.units)
               ? rtm_cli_usage(&a->c, "--units must be one of %s (got '%s')",
                               rtm_map_units_list(), s) : 0;
}

/* A number > 0 for option name. */
static int positive(kde_args *a, const char *name, const char *s, double *v)
{
    if (rtm_cli_double(s, v) || !(*v > 0) || !isfinite(*v))
        return rtm_cli_usage(&a->c, "%s must be a number > 0 (got '%s')", name, s);
    return 0;
}

/* --groups N|exact */
static int parse_groups(kde_args *a, const char *s)
{
    if (!strcmp(s, "exact")) {
        a->p.plus.groups = RTM_KDE_GROUPS_EXACT;
        return 0;
    }
    if (rtm_cli_int(s, &a->p.plus.groups) || a->p.plus.groups < 1)
        return rtm_cli_usage(&a->c, "--groups must be a whole number >= 1 or exact (got '%s')",
                             s);
    return 0;
}

/* The new options of the complete KDE (edge, adaptive, sigma). */
static int plus_opt(kde_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_EDGE: return rtm_cli_vocab(&a->c, "edge", "--edge", arg, (int *)&a->p.plus.edge);
    case OPT_ADAPTIVE: a->p.plus.adaptive = 1; return 0;
    case OPT_PILOT: return positive(a, "--pilot", arg, &a->p.plus.pilot);
    case OPT_GROUPS: return parse_groups(a, arg);
    case OPT_TRIM: return positive(a, "--trim", arg, &a->p.plus.trim);
    case OPT_SIGMA: return positive(a, "--sigma", arg, &a->p.sigma);
    case OPT_TRUNCATE:
        a->truncate = 1;
        return positive(a, "--truncate", arg, &a->p.kde.gauss_truncate);
    default: return RTM_CLI_NOT_MINE;
    }
}

/* Options that only make sense together. */
static int check_plus(kde_args *a)
{
    if (a->p.sigma > 0 && a->radius_given)
        return rtm_cli_usage(&a->c, "give --sigma or --radius, not both");
    if (a->truncate && a->p.kde.kernel != RTM_KERNEL_GAUSSIAN)
        return rtm_cli_usage(&a->c, "--truncate applies to the gaussian kernel only");
    if (a->truncate && !(a->p.kde.gauss_truncate <= 10))
        return rtm_cli_usage(&a->c, "--truncate must be at most 10 standard deviations");
    if (!a->p.plus.adaptive && (a->p.plus.pilot > 0 || a->p.plus.groups ||
                                a->p.plus.trim != RTM_KDE_TRIM_DEFAULT))
        return rtm_cli_usage(&a->c, "--pilot, --groups and --trim need --adaptive");
    return 0;
}

/* One option of rtm kde (rtm_cli_opt_fn). */
static int kde_opt(void *ctx, int opt, const char *arg)
{
    kde_args *a = ctx;
    switch (opt) {
    case 'o': a->p.tif = arg; return 0;
    case OPT_KERNEL:
        return rtm_cli_vocab(&a->c, "kernel", "--kernel", arg, (int *)&a->p.kde.kernel);
    case OPT_RADIUS: a->radius_given = 1; return parse_radius(a, arg);
    case OPT_UNITS: return parse_units(a, arg);
    case OPT_THREADS:
        return rtm_cli_threads(&a->c, arg, &a->threads);
    case OPT_PNG: a->p.png = arg; return 0;
    case OPT_RAMP: return parse_ramp(a, arg);
    case OPT_CLASSES:
        return parse_classes(arg, a) ? rtm_cli_usage(&a->c, "unknown --classes '%s'", arg) : 0;
    case OPT_NCLASSES:
        return rtm_cli_int(arg, &a->p.nclasses) || a->p.nclasses < 1 || a->p.nclasses > 10
                   ? rtm_cli_usage(&a->c, "--nclasses must be 1..10") : 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_COMPRESS: a->p.compress = arg; return 0;
    case OPT_FLOAT64: a->p.float64 = 1; return 0;
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    default: return plus_opt(a, opt, arg);
    }
}

static int parse(int argc, char **argv, kde_args *a, int *first_input)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"kernel", required_argument, 0, OPT_KERNEL}, {"radius", required_argument, 0, OPT_RADIUS},
        {"units", required_argument, 0, OPT_UNITS}, {"threads", required_argument, 0, OPT_THREADS},
        {"png", required_argument, 0, OPT_PNG}, {"ramp", required_argument, 0, OPT_RAMP},
        {"classes", required_argument, 0, OPT_CLASSES},
        {"nclasses", required_argument, 0, OPT_NCLASSES},
        {"title", required_argument, 0, OPT_TITLE}, {"compress", required_argument, 0, OPT_COMPRESS},
        {"float64", no_argument, 0, OPT_FLOAT64}, {"output", required_argument, 0, 'o'},
        {"edge", required_argument, 0, OPT_EDGE}, {"adaptive", no_argument, 0, OPT_ADAPTIVE},
        {"pilot", required_argument, 0, OPT_PILOT}, {"groups", required_argument, 0, OPT_GROUPS},
        {"trim", required_argument, 0, OPT_TRIM}, {"sigma", required_argument, 0, OPT_SIGMA},
        {"truncate", required_argument, 0, OPT_TRUNCATE}, RTM_CLI_TILE_OPTION,
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, kde_opt, a,
                            first_input);
    if (rc)
        return rc;
    static const char *const tif[] = {".tif", ".tiff", NULL}, *const png[] = {".png", NULL};
    if (!a->p.tif)
        return rtm_cli_usage(&a->c, "no output file (-o OUT.tif)");
    if ((rc = check_plus(a)) || (rc = rtm_cli_tiles_end(&a->tiles, &a->c, a->p.tif)))
        return rc;
    if ((rc = rtm_cli_ext(&a->c, "-o", a->p.tif, tif)) ||
        (a->p.png && (rc = rtm_cli_ext(&a->c, "--png", a->p.png, png))))
        return rc;
    a->ev.outputs[a->ev.noutputs++] = a->p.tif;
    if (a->p.png)
        a->ev.outputs[a->ev.noutputs++] = a->p.png;
    return 0;
}

/* Compute and write the product set, then commit it. */
static int run(kde_args *a)
{
    rtm_product_env env;
    rtm_product_result res = {0};
    rtm_outset *out = NULL;
    rtm_error e;
    int rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    env.threads = a->threads;
    a->p.weight_unit = rtm_cli_weight_unit(&a->ev);
    rtm_cli_info(&a->c, "grid: %d x %d cells of %g (%s)\n", a->ev.grid.ncols, a->ev.grid.nrows,
                 a->ev.grid.res, a->ev.dst_crs);
    if ((rc = rtm_outset_open(&out, &e)))
        return rtm_cli_fail(&a->c, &e);
    rc = rtm_kde_product_tiled(&a->p, &a->ev.evs, &env, &a->tiles.h, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        rtm_product_result_free(&res);
        return rc;
    }
    if (!a->tiles.h.count)
        rtm_cli_info(&a->c, "radius: %.1f (%s)\n", res.radius,
                 a->p.sigma > 0 ? "from --sigma"
                 : a->p.radius_rule == RTM_RADIUS_GIVEN ? "given"
                 : a->p.radius_rule == RTM_RADIUS_SCOTT ? "auto-scott"
                 : a->p.radius_rule == RTM_RADIUS_CV ? "auto-cv" : "auto-arcgis");
    rtm_product_result_free(&res);
    return 0;
}

int rtm_cmd_kde(int argc, char **argv)
{
    kde_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "kde";
    rtm_cli_events_init(&a.ev);
    rtm_kde_product_init(&a.p);
    if ((rc = rtm_cli_tiles_begin(&a.tiles, &a.c, argc, argv)))
        return rc;
    rc = parse(argc, argv, &a, &first);
    a.ev.lo.threads = a.threads; /* reading threads too */
    if (!rc && !(rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)))
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    rtm_cli_tiles_free(&a.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
