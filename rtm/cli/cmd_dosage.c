/* cmd_dosage.c: `rtm dosage` - patrol dosage from location pings: minutes,
 * visits and devices per patrol place and day, and minutes per raster cell
 * (rtm/dosage.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmds.h"
#include "rtm/dosage.h"

#define NOT_MINE (-2)

enum { OPT_PLACES = 256, OPT_PLACES_LAYER, OPT_ID, OPT_TIME, OPT_X, OPT_Y, OPT_SRC, OPT_DST,
       OPT_LAYER, OPT_TZ, OPT_MAX_GAP, OPT_MERGE_GAP, OPT_FROM, OPT_TO, OPT_SHIFT, OPT_RES,
       OPT_BBOX, OPT_PER_DEVICE, OPT_THREADS };

static const char HELP[] =
    "Usage: rtm dosage --places FILE --id-field F --time-field F [OPTIONS] -o OUTDIR PINGS...\n\n"
    "Patrol dosage: how long police were present in each patrol place, from location\n"
    "pings (GPS trackers, AVL, radio location reports) in any OGR source (CSV, GPX track\n"
    "points, GeoPackage, GeoJSON; .gz read directly). Each device's fixes are sorted by\n"
    "time; consecutive fixes at most --max-gap apart are joined by a straight segment\n"
    "(a larger gap breaks the track) and each segment is clipped exactly to each place\n"
    "(entry and exit times from the segment-polygon intersection).\n\n"
    "Inputs:\n"
    "  --places FILE          polygons (e.g. rtm places' places.gpkg: squares or discs);\n"
    "                         the label is the 'place' field, else the FID\n"
    "  --places-layer L       layer of FILE (default: the first)\n"
    "  --id-field F           device id field (required)\n"
    "  --time-field F         time field (required): ISO 8601 date-time (with Z or an\n"
    "                         offset, or without: then in --tz), dd/mm/yyyy hh:mm[:ss],\n"
    "                         or a date-time field (GPX time, GeoPackage DATETIME)\n"
    "  --x-field F --y-field F  coordinate columns (default: the point geometry, or\n"
    "                         columns named lon/lat, x/y, easting/northing)\n"
    "  --src-crs CRS          CRS of the pings (default: the layer's; WGS 84 for lon/lat)\n"
    "  --dst-crs CRS          projected CRS of the analysis (default: the places' CRS)\n"
    "  --layer L              layer of the ping files (default: first; GPX: track_points)\n"
    "  --tz ZONE              dates and times without a zone in ZONE: UTC (default), an\n"
    "                         offset such as +01:00, or a tz name such as Europe/London\n"
    "                         (read through the C library's time zone database)\n"
    "  --bbox X0,Y0,X1,Y1     pings outside (dst CRS) are out of area; the raster extent\n"
    "Tracks and visits:\n"
    "  --max-gap S            longest gap between fixes joined, seconds (default 120)\n"
    "  --merge-gap S          re-entries within S seconds continue a visit (default 60)\n"
    "  --from YYYY-MM-DD --to YYYY-MM-DD   days reported (default: the pings' first and\n"
    "                         last local day); only time inside them counts\n"
    "  --shift HH:MM-HH:MM    also report this shift window per day (repeatable, up to 8;\n"
    "                         18:00-02:00 ends the next day) in dosage_shifts.csv\n"
    "Output:\n"
    "  -o, --output OUTDIR    dosage.csv, dosage.tif (+ .qml), dosage.png (map), dosage.md, dosage.json\n"
    "  --resolution M         raster cell size in CRS units (default 100)\n"
    "  --per-device           also dosage_devices.csv (minutes and visits per device;\n"
    "                         off by default: results are aggregated over officers)\n"
    "  --threads N            worker threads (files read in parallel; output identical)\n"
    "  -q, --quiet            no progress, no summary\n\n"
    "dosage.csv has one row per place and day: place,date,minutes (device-minutes inside,\n"
    "summed over devices),visits (runs with at least one device inside, re-entries within\n"
    "--merge-gap merged),devices,presence_minutes (minutes with any device inside),\n"
    "visits_under_2,visits_2_10,visits_10_16,visits_over_16 (Koper's bins of visit\n"
    "length in minutes),longest_gap_minutes (between visits),first_visit,last_visit.\n"
    "Duplicate, out-of-order, time-less, position-less and out-of-area pings are counted\n"
    "by reason, with the first file, row and field, in dosage.md and dosage.json.\n\n"
    "Example:\n"
    "  rtm dosage --places out/places.gpkg --id-field unit --time-field time \\\n"
    "    --tz Europe/London --from 2024-03-01 --to 2024-05-29 -o dosage pings/*.csv\n";

typedef struct dose_args {
    rtm_cli c;
    rtm_dosage_product p;
    char **files;
    int nfiles, threads;
} dose_args;

static int hhmm(const char *s, int *min)
{
    int h, m, n = 0;
    if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h < 0 || h > 24 || m < 0 ||
        m > 59 || (h == 24 && m))
        return -1;
    *min = h * 60 + m;
    return 0;
}

static int shift(dose_args *a, const char *s)
{
    int k = a->p.nshifts;
    if (k >= RTM_DOSAGE_MAX_SHIFTS)
        return rtm_cli_usage(&a->c, "at most %d --shift windows", RTM_DOSAGE_MAX_SHIFTS);
    if (strlen(s) != 11 || s[5] != '-' || hhmm(s, &a->p.shift_start[k]) ||
        hhmm(s + 6, &a->p.shift_end[k]) || a->p.shift_start[k] == a->p.shift_end[k])
        return rtm_cli_usage(&a->c, "--shift must be HH:MM-HH:MM with different times "
                             "(got '%s')", s);
    a->p.nshifts++;
    return 0;
}

static int date(dose_args *a, const char *flag, const char *s, int *out)
{
    rtm_datetime t;
    if (rtm_date_parse(s, &t) != RTM_DATE_ISO_DATE)
        return rtm_cli_usage(&a->c, "%s must be a date YYYY-MM-DD (got '%s')", flag, s);
    *out = t.year * 10000 + t.month * 100 + t.day;
    return 0;
}

static int seconds(dose_args *a, const char *flag, const char *s, double *out)
{
    if (rtm_cli_double(s, out) || !(*out >= 0))
        return rtm_cli_usage(&a->c, "%s must be seconds >= 0 (got '%s')", flag, s);
    return 0;
}

static int opt_text(dose_args *a, int opt, const char *arg)
{
    rtm_pings_opts *r = &a->p.read;
    switch (opt) {
    case 'o': a->p.dir = arg; return 0;
    case OPT_PLACES: a->p.places = arg; return 0;
    case OPT_PLACES_LAYER: a->p.places_layer = arg; return 0;
    case OPT_ID: r->id_field = arg; return 0;
    case OPT_TIME: r->time_field = arg; return 0;
    case OPT_X: r->x_field = arg; return 0;
    case OPT_Y: r->y_field = arg; return 0;
    case OPT_SRC: r->src_crs = arg; return 0;
    case OPT_DST: r->dst_crs = arg; return 0;
    case OPT_LAYER: r->layer = arg; return 0;
    case OPT_TZ: a->p.tz = arg; return 0;
    case OPT_PER_DEVICE: a->p.per_device = 1; return 0;
    default: return NOT_MINE;
    }
}

static int opt_value(dose_args *a, int opt, const char *arg)
{
    switch (opt) {
    case OPT_MAX_GAP: return seconds(a, "--max-gap", arg, &a->p.max_gap);
    case OPT_MERGE_GAP: return seconds(a, "--merge-gap", arg, &a->p.merge_gap);
    case OPT_FROM: return date(a, "--from", arg, &a->p.date_from);
    case OPT_TO: return date(a, "--to", arg, &a->p.date_to);
    case OPT_SHIFT: return shift(a, arg);
    case OPT_RES:
        if (rtm_cli_double(arg, &a->p.resolution) || !(a->p.resolution > 0))
            return rtm_cli_usage(&a->c, "--resolution must be > 0 (got '%s')", arg);
        return 0;
    case OPT_BBOX:
        if (rtm_cli_bbox(arg, a->p.read.bbox))
            return rtm_cli_usage(&a->c, "--bbox must be XMIN,YMIN,XMAX,YMAX (got '%s')", arg);
        a->p.read.has_bbox = 1;
        return 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->threads);
    default: return opt_text(a, opt, arg);
    }
}

static int parse(int argc, char **argv, dose_args *a, int *first)
{
    static const struct option opts[] = {
        {"places", 1, 0, OPT_PLACES}, {"places-layer", 1, 0, OPT_PLACES_LAYER},
        {"id-field", 1, 0, OPT_ID}, {"time-field", 1, 0, OPT_TIME}, {"x-field", 1, 0, OPT_X},
        {"y-field", 1, 0, OPT_Y}, {"src-crs", 1, 0, OPT_SRC}, {"dst-crs", 1, 0, OPT_DST},
        {"layer", 1, 0, OPT_LAYER}, {"tz", 1, 0, OPT_TZ}, {"max-gap", 1, 0, OPT_MAX_GAP},
        {"merge-gap", 1, 0, OPT_MERGE_GAP}, {"from", 1, 0, OPT_FROM}, {"to", 1, 0, OPT_TO},
        {"shift", 1, 0, OPT_SHIFT}, {"resolution", 1, 0, OPT_RES}, {"bbox", 1, 0, OPT_BBOX},
        {"per-device", 0, 0, OPT_PER_DEVICE}, {"threads", 1, 0, OPT_THREADS},
        {"output", 1, 0, 'o'}, {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int opt, rc;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(HELP, stdout);
            return -1;
        }
        if (opt == 'q') {
            a->c.quiet = 1;
            continue;
        }
        rc = opt == '?' || opt == ':' ? NOT_MINE : opt_value(a, opt, optarg);
        if (rc == NOT_MINE)
            return rtm_cli_usage(&a->c, "unknown or incomplete option '%s'", argv[optind - 1]);
        if (rc)
            return rc;
    }
    *first = optind;
    if (!a->p.places || !a->p.read.id_field || !a->p.read.time_field)
        return rtm_cli_usage(&a->c, "--places, --id-field and --time-field are required");
    if (!a->p.dir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (optind >= argc)
        return rtm_cli_usage(&a->c, "no ping file");
    if (a->p.date_from && a->p.date_to && a->p.date_from > a->p.date_to)
        return rtm_cli_usage(&a->c, "--from is after --to: the window holds no day");
    if (!(a->p.max_gap > 0))
        return rtm_cli_usage(&a->c, "--max-gap must be > 0");
    return 0;
}

static void log_line(void *arg, const char *line)
{
    rtm_cli_info(arg, "%s\n", line);
}

static void print_summary(const dose_args *a, const rtm_dosage_result *r)
{
    if (a->c.quiet)
        return;
    printf("%s\n", r->summary);
    printf("pings: %zu rows read, %zu used", r->st.read, r->st.used);
    for (int k = 0; k < RTM_PING_NREASONS; k++)
        if (r->st.n[k])
            printf(", %zu %s", r->st.n[k], rtm_ping_reason_name((rtm_ping_reason)k));
    printf("\ntime: %.2f s reading, %.2f s computing and writing (CPU %.2f s + %.2f s)\n",
           r->read_seconds, r->compute_seconds, r->read_cpu_seconds, r->compute_cpu_seconds);
}

static int run(dose_args *a)
{
    rtm_product_env env;
    rtm_dosage_result res;
    rtm_outset *out = NULL;
    rtm_error e;
    int made, rc;
    if ((rc = rtm_cli_out_dir(&a->c, a->p.dir, &made)))
        return rc;
    rtm_product_env_init(&env);
    env.log = log_line;
    env.log_arg = &a->c;
    env.threads = a->threads;
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_dosage_product_run(&a->p, &env, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        if (made)
            rmdir(a->p.dir);
        return rc;
    }
    print_summary(a, &res);
    return 0;
}

int rtm_cmd_dosage(int argc, char **argv)
{
    dose_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "dosage";
    rtm_dosage_product_init(&a.p);
    rc = parse(argc, argv, &a, &first);
    if (!rc) {
        a.files = rtm_cli_glob(argv + first, argc - first, &a.nfiles);
        if (!a.files)
            rc = rtm_cli_usage(&a.c, "out of memory");
    }
    if (!rc) {
        a.p.pings = (const char *const *)a.files;
        a.p.npings = a.nfiles;
        rc = run(&a);
    }
    rtm_cli_glob_free(a.files, a.nfiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
