/* cmd_kde.c: `rtm kde` - kernel density heatmap of point events. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "core/kv.h"

enum { OPT_KERNEL = OPT_EVENTS_LAST + 1, OPT_RADIUS, OPT_UNITS, OPT_THREADS, OPT_PNG, OPT_RAMP,
       OPT_CLASSES, OPT_NCLASSES, OPT_TITLE, OPT_COMPRESS, OPT_FLOAT64, OPT_GAUSS };

static const char HELP[] =
    "Usage: rtm kde [OPTIONS] -o OUT.tif INPUT...\n\n"
    "Kernel density of point events at cell centres, with the true point positions,\n"
    "written as a Cloud-Optimized GeoTIFF (+ .qml style) and optionally a PNG heatmap.\n\n"
    "Density:\n"
    "  --kernel K             quartic (default), epanechnikov, triangular, uniform,\n"
    "                         triweight, gaussian (sigma = radius/4, cut at the radius)\n"
    "  --radius R|auto-arcgis|auto-scott  support radius in CRS units (default\n"
    "                         auto-arcgis: ArcGIS Pro's rule; auto-scott: Scott's rule)\n"
    "  --units km2|m2|cell    events per km² (default), per m², or expected count per cell\n"
    "  --threads N            worker threads (default: all cores); output is identical\n"
    "Output:\n"
    "  -o, --output FILE      GeoTIFF to write (replaced atomically)\n"
    "  --png FILE             also a PNG heatmap with legend, scale bar and world file\n"
    "  --ramp NAME            viridis (default), magma, inferno, cividis\n"
    "  --classes METHOD       continuous (default), quantile, stddev, mean (multiples of\n"
    "                         the mean of non-zero cells), equal, natural\n"
    "  --nclasses N           number of classes (default 5)\n"
    "  --title TEXT           PNG title\n"
    "  --compress DEFLATE|ZSTD  GeoTIFF compression (default DEFLATE)\n"
    "  --float64              write Float64 instead of Float32\n"
    "  -q, --quiet            no progress or summary\n\n"
    RTM_CLI_EVENT_HELP
    "\nExample (Essex violence heatmap):\n"
    "  rtm kde --dst-crs EPSG:27700 --study-area essex.geojson --resolution 100 \\\n"
    "    --where \"\\\"Crime type\\\" = 'Violence and sexual offences'\" --radius 500 \\\n"
    "    --png violence.png -o violence.tif crimes/2018-0*-essex-street.csv.gz\n";

typedef struct kde_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_kde_opts ko;
    const char *out, *png, *ramp, *title, *compress, *radius_arg;
    rtm_class_method classes;
    int nclasses, float64;
} kde_args;

/* --classes: "continuous" or a classification method (rtm_class_method_parse). */
static int parse_classes(const char *s, kde_args *a)
{
    if (!strcmp(s, "continuous")) {
        a->nclasses = 0;
        return 0;
    }
    if (rtm_class_method_parse(s, &a->classes, NULL))
        return -1;
    if (a->nclasses == 0)
        a->nclasses = 5;
    return 0;
}

/* One option of rtm kde (rtm_cli_opt_fn). */
static int kde_opt(void *ctx, int opt, const char *arg)
{
    kde_args *a = ctx;
    switch (opt) {
    case 'o': a->out = arg; return 0;
    case OPT_KERNEL:
        return rtm_kernel_parse(arg, &a->ko.kernel)
                   ? rtm_cli_usage(&a->c, "unknown --kernel '%s'", arg) : 0;
    case OPT_RADIUS: a->radius_arg = arg; return 0;
    case OPT_UNITS:
        return rtm_units_parse(arg, &a->ko.units)
                   ? rtm_cli_usage(&a->c, "--units must be km2, m2 or cell (got '%s')", arg) : 0;
    case OPT_THREADS:
        return rtm_cli_int(arg, &a->ko.threads) || a->ko.threads < 1
                   ? rtm_cli_usage(&a->c, "--threads must be a whole number >= 1") : 0;
    case OPT_PNG: a->png = arg; return 0;
    case OPT_RAMP: a->ramp = arg; return 0;
    case OPT_CLASSES:
        return parse_classes(arg, a) ? rtm_cli_usage(&a->c, "unknown --classes '%s'", arg) : 0;
    case OPT_NCLASSES:
        return rtm_cli_int(arg, &a->nclasses) || a->nclasses < 1 || a->nclasses > 10
                   ? rtm_cli_usage(&a->c, "--nclasses must be 1..10") : 0;
    case OPT_TITLE: a->title = arg; return 0;
    case OPT_COMPRESS: a->compress = arg; return 0;
    case OPT_FLOAT64: a->float64 = 1; return 0;
    default: return RTM_CLI_NOT_MINE;
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
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, kde_opt, a,
                            first_input);
    if (rc)
        return rc;
    if (!a->out)
        return rtm_cli_usage(&a->c, "no output file (-o OUT.tif)");
    return 0;
}

/* The radius: a number, or a rule applied to the loaded events. */
static int choose_radius(kde_args *a)
{
    rtm_error e;
    const char *s = a->radius_arg ? a->radius_arg : "auto-arcgis";
    const rtm_points *p = &a->ev.pts;
    int rc = 0;
    if (!strcmp(s, "auto-arcgis"))
        rc = rtm_bandwidth_arcgis(p->x, p->y, p->w, p->n, &a->ko.radius, &e);
    else if (!strcmp(s, "auto-scott"))
        rc = rtm_bandwidth_scott(p->x, p->y, p->w, p->n, &a->ko.radius, &e);
    else if (rtm_cli_double(s, &a->ko.radius) || !(a->ko.radius > 0))
        return rtm_cli_usage(&a->c, "--radius must be a number > 0, auto-arcgis or auto-scott "
                                    "(got '%s')", s);
    if (rc)
        return rtm_cli_fail(&a->c, &e);
    rtm_cli_info(&a->c, "radius: %.1f (%s)\n", a->ko.radius,
                 a->radius_arg && strncmp(s, "auto", 4) ? "given" : s);
    return 0;
}

static void add_meta(kde_args *a, rtm_kv *kv)
{
    rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION);
    rtm_kv_add(kv, "SURFACE", "kernel density");
    rtm_kv_add(kv, "KERNEL", "%s", rtm_kernel_name(a->ko.kernel));
    rtm_kv_add(kv, "RADIUS", "%.17g", a->ko.radius);
    rtm_kv_add(kv, "RADIUS_RULE", "%s", a->radius_arg ? a->radius_arg : "auto-arcgis");
    if (a->ko.kernel == RTM_KERNEL_GAUSSIAN)
        rtm_kv_add(kv, "GAUSSIAN_SIGMA", "%.17g", a->ko.radius / a->ko.gauss_truncate);
    rtm_kv_add(kv, "UNITS", "%s", rtm_units_name(a->ko.units));
    rtm_kv_add(kv, "DST_CRS", "%s", a->ev.dst_crs);
    rtm_cli_events_meta(&a->ev, kv);
}

static const char *units_label(rtm_density_units u)
{
    return u == RTM_UNITS_KM2 ? "events per km²" : u == RTM_UNITS_M2 ? "events per m²"
                                                                     : "expected events per cell";
}

static int write_outputs(kde_args *a, const double *v, rtm_kv *kv)
{
    rtm_error e;
    rtm_geotiff_opts go;
    char desc[128];
    rtm_geotiff_opts_init(&go);
    snprintf(desc, sizeof desc, "kernel density (%s, radius %g, %s)",
             rtm_kernel_name(a->ko.kernel), a->ko.radius, units_label(a->ko.units));
    go.band_description = desc;
    go.units = a->ko.units == RTM_UNITS_KM2 ? "events/km2" : a->ko.units == RTM_UNITS_M2
                                                                   ? "events/m2" : "events/cell";
    if (a->compress)
        go.compress = a->compress;
    go.float64 = a->float64;
    go.metadata = rtm_kv_list(kv);
    if (a->ramp)
        go.qml_ramp = a->ramp;
    if (rtm_geotiff_write(a->out, &a->ev.grid, v, a->ev.mask, &go, &e))
        return rtm_cli_fail(&a->c, &e);
    rtm_cli_info(&a->c, "wrote %s\n", a->out);
    if (a->png) {
        rtm_map_opts mo;
        char sub[256];
        rtm_map_opts_init(&mo);
        mo.ramp = a->ramp;
        mo.classes = a->classes;
        mo.nclasses = a->nclasses;
        mo.title = a->title ? a->title : "Kernel density";
        {
            /* the date window actually covered by the events used */
            int m0 = 0, m1 = 0;
            size_t i;
            for (i = 0; i < a->ev.pts.n; i++) {
                int mm = a->ev.pts.month[i];
                if (mm && (!m0 || mm < m0))
                    m0 = mm;
                if (mm > m1)
                    m1 = mm;
            }
            if (m0)
                snprintf(sub, sizeof sub, "%04d-%02d to %04d-%02d · N = %zu · %s kernel, radius "
                         "%g m · %g m cells", m0 / 100, m0 % 100, m1 / 100, m1 % 100,
                         a->ev.pts.n, rtm_kernel_name(a->ko.kernel), a->ko.radius,
                         a->ev.grid.res);
            else
                snprintf(sub, sizeof sub, "N = %zu events · %s kernel, radius %g m · %g m cells",
                         a->ev.pts.n, rtm_kernel_name(a->ko.kernel), a->ko.radius,
                         a->ev.grid.res);
        }
        mo.subtitle = sub;
        mo.units_label = units_label(a->ko.units);
        mo.attribution = "Contains public sector information licensed under the Open Government "
                         "Licence v3.0";
        if (rtm_map_png_write(a->png, &a->ev.grid, v, a->ev.mask, &mo, &e))
            return rtm_cli_fail(&a->c, &e);
        rtm_cli_info(&a->c, "wrote %s\n", a->png);
    }
    return 0;
}

int rtm_cmd_kde(int argc, char **argv)
{
    kde_args a;
    rtm_kv kv;
    rtm_error e;
    double *v = NULL;
    int rc, first = 0;
    struct timespec t0, t1;
    memset(&a, 0, sizeof a);
    a.c.cmd = "kde";
    rtm_cli_events_init(&a.ev);
    rtm_kde_opts_init(&a.ko);
    rtm_kv_init(&kv);
    rc = parse(argc, argv, &a, &first);
    if (rc)
        goto done;
    if ((rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)) ||
        (rc = choose_radius(&a)))
        goto done;
    if (!(v = malloc(rtm_grid_ncells(&a.ev.grid) * sizeof *v))) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory for %d x %d cells", a.ev.grid.ncols,
                      a.ev.grid.nrows);
        rc = rtm_cli_fail(&a.c, &e);
        goto done;
    }
    a.ko.progress = rtm_cli_progress;
    a.ko.progress_arg = &a.c;
    rtm_cli_info(&a.c, "grid: %d x %d cells of %g (%s)\n", a.ev.grid.ncols, a.ev.grid.nrows,
                 a.ev.grid.res, a.ev.dst_crs);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (rtm_kde_compute(&a.ev.grid, a.ev.pts.x, a.ev.pts.y, a.ev.pts.w, a.ev.pts.n, &a.ko, v, &e)) {
        rc = rtm_cli_fail(&a.c, &e);
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rtm_cli_info(&a.c, "density computed in %.3f s\n",
                 (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
    add_meta(&a, &kv);
    rc = write_outputs(&a, v, &kv);
done:
    free(v);
    rtm_kv_free(&kv);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
