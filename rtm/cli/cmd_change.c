/* cmd_change.c: `rtm change` - change between two periods or two event sets
 * (dual KDE, permutation test, Andresen's test over units). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/change.h"

enum { OPT_BEFORE = OPT_EVENTS_LAST + 1, OPT_AFTER, OPT_AFTER_EVENTS, OPT_SCALE, OPT_KERNEL,
       OPT_RADIUS, OPT_UNITS, OPT_THREADS, OPT_ITER, OPT_SEED, OPT_ALPHA, OPT_TOP, OPT_NO_PNG,
       OPT_TITLE, OPT_COMPRESS, OPT_FLOAT64, OPT_ULAYER, OPT_UFIELD, OPT_USUB, OPT_UWHERE,
       OPT_SAMPLES };

static const char HELP[] =
    "Usage: rtm change --before YYYY-MM..YYYY-MM --after YYYY-MM..YYYY-MM [OPTIONS]\n"
    "                  -o OUTDIR EVENTS...\n"
    "       rtm change --after-events FILE [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "Where events rose and fell between two periods: the kernel densities of both\n"
    "periods with one kernel and radius (dual KDE), their difference, ratio and log\n"
    "ratio, a seeded Monte Carlo test that permutes the period labels of the pooled\n"
    "events (Benjamini-Hochberg FDR), the count difference per cell, and with\n"
    "--units-layer Andresen's spatial point pattern test per unit.\n\n"
    "Periods:\n"
    "  --before P, --after P  month ranges YYYY-MM..YYYY-MM (or one month YYYY-MM)\n"
    "  --after-events FILE    the after period from other files (repeatable; read like\n"
    "                         EVENTS); --before/--after then filter each set\n"
    "  --scale S              auto (default: per month when both periods' months are\n"
    "                         known), month (each period divided by its months; alias\n"
    "                         per_month), none\n"
    "Density (as rtm kde):\n"
    "  --kernel K             quartic (default), epanechnikov, triangular, uniform,\n"
    "                         triweight, gaussian; alias biweight\n"
    "  --radius R|auto-arcgis|auto-scott  radius (default auto-arcgis, on the pooled\n"
    "                         events of both periods)\n"
    "  --units U              km2 (default), ha, m2, cell (aliases per_km2, per_ha,\n"
    "                         per_m2, per_cell, count); not probability\n"
    "  --threads N            worker threads (default: all cores); output is identical\n"
    "Test:\n"
    "  --iterations N         label permutations (default 999; 0 = no test)\n"
    "  --seed N               random seed (default 1; recorded in the outputs)\n"
    "  --alpha A              FDR level of significance.tif (default 0.05)\n"
    "Areal units (Andresen 2009; Wheeler, Steenbeek & Andresen 2018):\n"
    "  --units-layer FILE     polygons (e.g. LSOAs): units.csv and units_sppt.tif\n"
    "  --units-field F        unit name field\n"
    "  --units-sublayer NAME, --units-where SQL  select the polygons\n"
    "  --sppt-samples N       resamples of Andresen's test (default 200, of 85 % of the\n"
    "                         after events each)\n"
    "Output:\n"
    "  -o, --output DIR       folder: difference.tif, ratio.tif, log_ratio.tif,\n"
    "                         significance.tif, p_adjusted.tif, count_difference.tif\n"
    "                         (each + .qml), places.csv, change.png\n"
    "  --top N                cells of each end in places.csv (default 20)\n"
    "  --no-png               no map\n"
    "  --title TEXT           map title\n"
    "  --compress DEFLATE|ZSTD, --float64  as rtm kde\n"
    RTM_CLI_TILE_HELP
    "  -q, --quiet            no progress or summary\n\n"
    RTM_CLI_EVENT_HELP
    "\nExample (burglary in October-December against January-September):\n"
    "  rtm change --before 2017-01..2017-09 --after 2017-10..2017-12 --radius 400 \\\n"
    "    --resolution 100 --units-layer lsoa.gpkg -o change burglary.geojson\n";

typedef struct change_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_change_product p;
    char *after_arg[16];
    int nafter_arg, threads;
    rtm_cli_tiles tiles;
} change_args;

static int parse_radius(change_args *a, const char *s)
{
    if (!strcmp(s, "auto-arcgis"))
        a->p.kde.radius_rule = RTM_RADIUS_ARCGIS;
    else if (!strcmp(s, "auto-scott"))
        a->p.kde.radius_rule = RTM_RADIUS_SCOTT;
    else if (rtm_cli_double(s, &a->p.kde.kde.radius) || !(a->p.kde.kde.radius > 0) ||
             !isfinite(a->p.kde.kde.radius))
        return rtm_cli_usage(&a->c, "--radius must be a number > 0, auto-arcgis or auto-scott "
                                    "(got '%s')", s);
    else
        a->p.kde.radius_rule = RTM_RADIUS_GIVEN;
    return 0;
}

static int parse_period(change_args *a, const char *opt, const char *s, rtm_change_period *p)
{
    rtm_error e;
    return rtm_change_period_parse(s, p, &e) ? rtm_cli_usage(&a->c, "%s: %s", opt, e.msg) : 0;
}

static int parse_count(change_args *a, const char *opt, const char *s, int lo, int hi, int *v)
{
    return rtm_cli_int(s, v) || *v < lo || *v > hi
               ? rtm_cli_usage(&a->c, "%s must be a whole number %d..%d (got '%s')", opt, lo,
                               hi, s) : 0;
}

static int parse_seed(change_args *a, const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-')
        return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0 (got '%s')", s);
    a->p.seed = a->p.sppt.seed = v;
    return 0;
}

static int parse_alpha(change_args *a, const char *s)
{
    return rtm_cli_double(s, &a->p.alpha) || !(a->p.alpha > 0 && a->p.alpha < 1)
               ? rtm_cli_usage(&a->c, "--alpha must be in (0, 1) (got '%s')", s) : 0;
}

/* One option of rtm change (rtm_cli_opt_fn). */
static int change_opt(void *ctx, int opt, const char *arg)
{
    change_args *a = ctx;
    int v;
    switch (opt) {
    case 'o': a->p.dir = arg; return 0;
    case OPT_BEFORE: return parse_period(a, "--before", arg, &a->p.before);
    case OPT_AFTER: return parse_period(a, "--after", arg, &a->p.after);
    case OPT_AFTER_EVENTS:
        if (a->nafter_arg >= 16)
            return rtm_cli_usage(&a->c, "at most 16 --after-events");
        a->after_arg[a->nafter_arg++] = (char *)arg;
        return 0;
    case OPT_SCALE:
        if (rtm_cli_vocab(&a->c, "scale", "--scale", arg, &v))
            return RTM_EXIT_USAGE;
        a->p.scale = (rtm_change_scale)v;
        return 0;
    case OPT_KERNEL:
        return rtm_cli_vocab(&a->c, "kernel", "--kernel", arg, (int *)&a->p.kde.kde.kernel);
    case OPT_RADIUS: return parse_radius(a, arg);
    case OPT_UNITS:
        return rtm_map_units_parse(arg, &a->p.kde.units)
                   ? rtm_cli_usage(&a->c, "--units must be one of %s (got '%s')",
                                   rtm_map_units_list(), arg) : 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->threads);
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    case OPT_ITER: return parse_count(a, "--iterations", arg, 0, 1000000, &a->p.iterations);
    case OPT_SEED: return parse_seed(a, arg);
    case OPT_ALPHA: return parse_alpha(a, arg);
    case OPT_TOP: return parse_count(a, "--top", arg, 1, 100000, &a->p.top);
    case OPT_NO_PNG: a->p.png = 0; return 0;
    case OPT_TITLE: a->p.kde.title = arg; return 0;
    case OPT_COMPRESS: a->p.kde.compress = arg; return 0;
    case OPT_FLOAT64: a->p.kde.float64 = 1; return 0;
    case OPT_ULAYER: a->p.units_layer = arg; return 0;
    case OPT_UFIELD: a->p.units_field = arg; return 0;
    case OPT_USUB: a->p.units_layer_name = arg; return 0;
    case OPT_UWHERE: a->p.units_where = arg; return 0;
    case OPT_SAMPLES: return parse_count(a, "--sppt-samples", arg, 1, 100000, &a->p.sppt.samples);
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, change_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"before", required_argument, 0, OPT_BEFORE}, {"after", required_argument, 0, OPT_AFTER},
        {"after-events", required_argument, 0, OPT_AFTER_EVENTS},
        {"scale", required_argument, 0, OPT_SCALE}, {"kernel", required_argument, 0, OPT_KERNEL},
        {"radius", required_argument, 0, OPT_RADIUS}, {"units", required_argument, 0, OPT_UNITS},
        {"threads", required_argument, 0, OPT_THREADS},
        {"iterations", required_argument, 0, OPT_ITER}, {"seed", required_argument, 0, OPT_SEED},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"top", required_argument, 0, OPT_TOP},
        {"no-png", no_argument, 0, OPT_NO_PNG}, {"title", required_argument, 0, OPT_TITLE},
        {"compress", required_argument, 0, OPT_COMPRESS},
        {"float64", no_argument, 0, OPT_FLOAT64},
        {"units-layer", required_argument, 0, OPT_ULAYER},
        {"units-field", required_argument, 0, OPT_UFIELD},
        {"units-sublayer", required_argument, 0, OPT_USUB},
        {"units-where", required_argument, 0, OPT_UWHERE},
        {"sppt-samples", required_argument, 0, OPT_SAMPLES},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, RTM_CLI_TILE_OPTION, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, change_opt, a, first);
    if (rc)
        return rc;
    if (!a->p.dir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (!a->nafter_arg && (!a->p.before.from || !a->p.after.from))
        return rtm_cli_usage(&a->c, "give --before and --after, or --after-events FILE");
    if (!a->nafter_arg && a->p.before.from <= a->p.after.to &&
        a->p.after.from <= a->p.before.to)
        return rtm_cli_usage(&a->c, "the periods overlap (--before and --after)");
    a->ev.outputs[a->ev.noutputs++] = a->p.dir;
    return rtm_cli_tiles_end(&a->tiles, &a->c, a->p.dir);
}

/* The after set: the after files read like the inputs onto the same grid. */
static int load_after(change_args *a, rtm_events *after, char ***files, int *nfiles)
{
    rtm_event_source src;
    rtm_events_opts o = a->ev.eo;
    rtm_error e;
    int rc = rtm_cli_events_more(&a->ev, &a->c, a->after_arg, a->nafter_arg, "after events",
                                 &src, files, nfiles);
    if (rc)
        return rc;
    o.sources = &src, o.nsources = 1;
    o.has_bbox = 1, o.res = a->ev.grid.res;
    o.bbox[0] = a->ev.grid.x0, o.bbox[1] = a->ev.grid.y0;
    o.bbox[2] = a->ev.grid.x0 + a->ev.grid.ncols * a->ev.grid.res;
    o.bbox[3] = a->ev.grid.y0 + a->ev.grid.nrows * a->ev.grid.res;
    rc = rtm_events_load(&o, after, &e);
    rtm_cli_load_summary(&a->c, "after events", &after->st);
    return rc ? rtm_cli_fail(&a->c, &e) : 0;
}

static void print_summary(const change_args *a, const rtm_change_result *r)
{
    rtm_cli_info(&a->c, "radius: %.1f; %zu events before (%d months), %zu after (%d months)\n",
                 r->radius, r->n_before, r->months_before, r->n_after, r->months_after);
    if (a->p.iterations > 0)
        rtm_cli_info(&a->c, "cells: %zu rose, %zu fell significantly (FDR %g) of %zu tested\n",
                     r->nup, r->ndown, a->p.alpha, r->ntested);
    if (r->nunits > 0)
        rtm_cli_info(&a->c, "units: %d; Andresen's global S %.3f, robust S %.3f; proportion "
                     "test (BY) global S %.3f, robust S %.3f\n", r->nunits, r->global_s,
                     r->robust_s, r->global_s_diff, r->robust_s_diff);
}

static int run(change_args *a)
{
    rtm_product_env env;
    rtm_events after;
    rtm_change_result res = {0};
    rtm_outset *out = NULL;
    rtm_error e;
    char **files = NULL;
    int nfiles = 0, made = 0, rc = 0;
    memset(&after, 0, sizeof after);
    if (a->nafter_arg)
        rc = load_after(a, &after, &files, &nfiles);
    if (!rc && !a->tiles.h.count) /* a tile is one file beside the folder */
        rc = rtm_cli_out_dir(&a->c, a->p.dir, &made);
    if (!rc) {
        rtm_cli_env(&a->ev, &a->c, &env);
        env.threads = a->threads;
        if (!(rc = rtm_outset_open(&out, &e)))
            rc = rtm_change_product_tiled(&a->p, &a->ev.evs, a->nafter_arg ? &after : NULL,
                                          &env, &a->tiles.h, out, &res, &e);
        if ((rc = rtm_cli_commit(&a->c, out, rc, &e)) && made)
            rmdir(a->p.dir);
        if (!rc && !a->tiles.h.count)
            print_summary(a, &res);
        rtm_change_result_free(&res);
    }
    rtm_events_free(&after);
    rtm_cli_glob_free(files, nfiles);
    return rc;
}

int rtm_cmd_change(int argc, char **argv)
{
    change_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "change";
    rtm_cli_events_init(&a.ev);
    rtm_change_product_init(&a.p);
    if ((rc = rtm_cli_tiles_begin(&a.tiles, &a.c, argc, argv)))
        return rc;
    rc = parse(argc, argv, &a, &first);
    if (!rc && !(rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)))
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    rtm_cli_tiles_free(&a.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
