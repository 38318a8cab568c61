/* cli_events.c: shared event options and loading for the subcommands. */
#include "cli/cli_events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RTM_CLI_MAX_INPUTS_CHECKED 4096

#include "rtm/input.h"
#include "input/stats_meta.h"

void rtm_cli_events_init(rtm_cli_events *ev)
{
    memset(ev, 0, sizeof *ev);
    rtm_load_opts_init(&ev->lo);
    rtm_points_init(&ev->pts);
    rtm_load_stats_init(&ev->st);
}

/* --from/--to: a month (whole months) or a day. */
static int parse_when(rtm_cli_events *ev, int from, const char *s)
{
    int y, m, d, n = 0;
    if (!rtm_cli_month(s, from ? &ev->lo.month_from : &ev->lo.month_to))
        return 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || s[n] || m < 1 || m > 12 || d < 1 ||
        d > (m == 2 ? 28 + (y % 4 == 0 && (y % 100 || y % 400 == 0))
                    : 30 + ((m + (m > 7)) & 1)))
        return -1;
    *(from ? &ev->lo.date_from : &ev->lo.date_to) = y * 10000 + m * 100 + d;
    return 0;
}

/* GDAL's habits (-of GTiff, -co KEY=VALUE ...) are not rtm's: say so. */
static int gdal_habit(const rtm_cli *c, const char *a)
{
    static const char *const gdal[] = {"-of", "-co", "-ot", "-a_srs", "-a_nodata", "-tr", "-te",
                                       "-outsize", "-r", NULL};
    for (int i = 0; gdal[i]; i++)
        if (!strcmp(a, gdal[i]))
            return rtm_cli_usage(c, "'%s' is a GDAL option: rtm writes Cloud-Optimized GeoTIFF "
                                    "only (see --compress, --float64); did you mean -o FILE.tif?",
                                 a);
    if (!strncmp(a, "-o", 2) && a[2] && a[2] != '=')
        return rtm_cli_usage(c, "'%s': give the output as -o FILE (a separate word)", a);
    return 0;
}

/* The first and last day a window allows (YYYYMMDD; 0 = open). */
static long window_day(const rtm_load_opts *lo, int from)
{
    if (from)
        return lo->date_from ? lo->date_from : lo->month_from ? lo->month_from * 100L + 1 : 0;
    return lo->date_to ? lo->date_to : lo->month_to ? lo->month_to * 100L + 31 : 0;
}

int rtm_cli_events_option(rtm_cli_events *ev, int opt, const char *arg, const rtm_cli *c)
{
    switch (opt) {
    case OPT_SRC_CRS: ev->lo.src_crs = arg; return 1;
    case OPT_DST_CRS: ev->dst_crs = arg; return 1;
    case OPT_X_FIELD: ev->lo.x_field = arg; return 1;
    case OPT_Y_FIELD: ev->lo.y_field = arg; return 1;
    case OPT_LAYER: ev->lo.layer = arg; return 1;
    case OPT_WHERE: ev->lo.where = arg; return 1;
    case OPT_WEIGHT: ev->lo.weight_field = arg; return 1;
    case OPT_WEIGHT_TABLE: ev->weight_table_path = arg; return 1;
    case OPT_HARM_TABLE: ev->weight_table_path = arg; ev->harm = 1; return 1;
    case OPT_MONTH_FIELD: ev->lo.month_field = arg; return 1;
    case OPT_STUDY_AREA: ev->study_area = arg; return 1;
    case OPT_STUDY_LAYER: ev->study_layer = arg; return 1;
    case OPT_STUDY_WHERE: ev->study_where = arg; return 1;
    case OPT_STRICT: ev->lo.strict = 1; return 1;
    case OPT_ALLOW_EMPTY: ev->allow_empty = 1; return 1;
    case OPT_TIME_FIELD: ev->lo.time_field = arg; return 1;
    case OPT_LOCATION_FIELD: ev->lo.label_field = arg; return 1;
    case OPT_HOURS:
    case OPT_DAYS: {
        rtm_error e;
        memset(&e, 0, sizeof e);
        if ((opt == OPT_HOURS ? rtm_hours_parse(arg, &ev->lo.hours_mask, &e)
                              : rtm_days_parse(arg, &ev->lo.days_mask, &e))) {
            rtm_cli_usage(c, "--%s: %s", opt == OPT_HOURS ? "hours" : "days", e.msg);
            return -1;
        }
        return 1;
    }
    case OPT_FROM:
    case OPT_TO:
        if (parse_when(ev, opt == OPT_FROM, arg)) {
            rtm_cli_usage(c, "--%s expects YYYY-MM or YYYY-MM-DD (got '%s')",
                          opt == OPT_FROM ? "from" : "to", arg);
            return -1;
        }
        return 1;
    case OPT_BBOX:
        if (rtm_cli_bbox(arg, ev->bbox)) {
            rtm_cli_usage(c, "--bbox expects XMIN,YMIN,XMAX,YMAX with XMIN<XMAX, YMIN<YMAX "
                             "(got '%s')", arg);
            return -1;
        }
        ev->has_bbox = 1;
        return 1;
    case OPT_RESOLUTION:
        if (rtm_cli_double(arg, &ev->res) || !(ev->res > 0)) {
            rtm_cli_usage(c, "--resolution must be a number > 0 (got '%s')", arg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

int rtm_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *opts,
                   rtm_cli_events *ev, rtm_cli *c, const char *help, rtm_cli_opt_fn fn,
                   void *ctx, int *first)
{
    int opt, r;
    for (int i = 1; i < argc; i++)
        if ((r = gdal_habit(c, argv[i])))
            return r;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if ((r = rtm_cli_events_option(ev, opt, optarg, c)) != 0) {
            if (r < 0)
                return RTM_EXIT_USAGE;
            continue;
        }
        if (opt == 'h') {
            fputs(help, stdout);
            return -1;
        }
        if (opt == 'q') {
            c->quiet = 1;
            continue;
        }
        r = opt == '?' || opt == ':' ? RTM_CLI_NOT_MINE : fn(ctx, opt, optarg);
        if (r == RTM_CLI_NOT_MINE)
            return rtm_cli_usage(c, "unknown or incomplete option '%s'", argv[optind - 1]);
        if (r)
            return r;
    }
    if (window_day(&ev->lo, 1) && window_day(&ev->lo, 0) &&
        window_day(&ev->lo, 1) > window_day(&ev->lo, 0))
        return rtm_cli_usage(c, "--from is after --to: the window holds no day");
    *first = optind;
    return 0;
}

static int resolve_crs(rtm_cli_events *ev, const rtm_cli *c)
{
    rtm_error e;
    if (!ev->dst_crs) {
        if (ev->lo.src_crs && rtm_crs_is_geographic(ev->lo.src_crs) == 0)
            ev->dst_crs = ev->lo.src_crs;
        else
            return rtm_cli_usage(c, "give the grid CRS with --dst-crs (a projected CRS in "
                                    "metres, e.g. EPSG:27700)");
    }
    switch (rtm_crs_is_geographic(ev->dst_crs)) {
    case -1:
        rtm_error_set(&e, RTM_ERR_CRS, "unknown --dst-crs '%s'", ev->dst_crs);
        return rtm_cli_fail(c, &e);
    case 1:
        return rtm_cli_usage(c, "--dst-crs '%s' is geographic (degrees); give a projected CRS "
                                "in metres, e.g. EPSG:27700", ev->dst_crs);
    }
    ev->lo.dst_crs = ev->dst_crs;
    return 0;
}

/* The library's event options from the parsed command line. */
static void fill_opts(rtm_cli_events *ev)
{
    rtm_events_opts *o = &ev->eo;
    rtm_event_source *s = &ev->src;
    rtm_events_opts_init(o);
    o->threads = ev->lo.threads;
    memset(s, 0, sizeof *s);
    s->files = (const char *const *)ev->inputs;
    s->nfiles = ev->ninputs;
    s->layer = ev->lo.layer;
    s->where = ev->lo.where;
    s->x_field = ev->lo.x_field;
    s->y_field = ev->lo.y_field;
    s->crs = ev->lo.src_crs;
    s->date_field = ev->lo.month_field;
    s->weight_field = ev->lo.weight_field;
    s->time_field = ev->lo.time_field;
    s->label_field = ev->lo.label_field;
    o->sources = s;
    o->nsources = ev->ninputs > 0;
    o->dst_crs = ev->dst_crs;
    memcpy(o->bbox, ev->bbox, sizeof o->bbox);
    o->has_bbox = ev->has_bbox;
    o->res = ev->res;
    o->study_area = ev->study_area;
    o->study_layer = ev->study_layer;
    o->study_where = ev->study_where;
    o->month_from = ev->lo.month_from;
    o->month_to = ev->lo.month_to;
    o->date_from = ev->lo.date_from;
    o->date_to = ev->lo.date_to;
    o->weights = ev->wt;
    o->weights_name = ev->weight_table_path;
    o->strict = ev->lo.strict;
    o->allow_empty = ev->allow_empty;
    o->keep_labels = ev->lo.keep_labels || ev->lo.label_field;
    o->hours_mask = ev->lo.hours_mask;
    o->days_mask = ev->lo.days_mask;
}

/* The commands' views of the loaded events (owned by ev->evs). */
static void publish(rtm_cli_events *ev)
{
    ev->grid = ev->evs.grid;
    ev->mask = ev->evs.mask;
    ev->study_area_units2 = ev->evs.area_units2;
    ev->pts = ev->evs.pts;
    ev->st = ev->evs.st;
    ev->res = ev->grid.res;
    ev->lo.dst_crs = ev->dst_crs;
}

int rtm_cli_events_grid(rtm_cli_events *ev, const rtm_cli *c)
{
    rtm_error e;
    int rc;
    if ((rc = resolve_crs(ev, c)))
        return rc;
    fill_opts(ev);
    if (rtm_events_grid(&ev->eo, &ev->evs, &e))
        return rtm_cli_fail(c, &e);
    publish(ev);
    return 0;
}

/* An output that is one of the inputs would replace it: a usage error. */
static int outputs_apart(const rtm_cli_events *ev, const rtm_cli *c)
{
    const char *in[RTM_CLI_MAX_INPUTS_CHECKED];
    int n = 0;
    struct stat so, si;
    for (int i = 0; i < ev->ninputs && n < RTM_CLI_MAX_INPUTS_CHECKED; i++)
        in[n++] = ev->inputs[i];
    if (ev->study_area && n < RTM_CLI_MAX_INPUTS_CHECKED)
        in[n++] = ev->study_area;
    if (ev->weight_table_path && n < RTM_CLI_MAX_INPUTS_CHECKED)
        in[n++] = ev->weight_table_path;
    for (int o = 0; o < ev->noutputs; o++) {
        if (!ev->outputs[o] || stat(ev->outputs[o], &so))
            continue;
        for (int i = 0; i < n; i++)
            if (!stat(in[i], &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
                return rtm_cli_usage(c, "output '%s' is the input '%s': it would be replaced",
                                     ev->outputs[o], in[i]);
    }
    return 0;
}

int rtm_cli_events_load(rtm_cli_events *ev, const rtm_cli *c, char **inputs, int ninputs)
{
    rtm_error e;
    int rc;
    if (ninputs < 1)
        return rtm_cli_usage(c, "no input files");
    ev->inputs = rtm_cli_glob(inputs, ninputs, &ev->ninputs);
    if (ev->ninputs < 1)
        return rtm_cli_usage(c, "no input files match");
    if ((rc = outputs_apart(ev, c)) || (rc = resolve_crs(ev, c)))
        return rc;
    if (ev->weight_table_path && !(ev->wt = rtm_weight_table_load(ev->weight_table_path, &e)))
        return rtm_cli_fail(c, &e);
    fill_opts(ev);
    rc = rtm_events_load(&ev->eo, &ev->evs, &e);
    publish(ev);
    rtm_cli_load_summary(c, "events", &ev->st);
    return rc ? rtm_cli_fail(c, &e) : 0;
}

int rtm_cli_events_prepare(rtm_cli_events *ev, const rtm_cli *c, char **inputs, int ninputs,
                           const char *what)
{
    rtm_error e;
    ev->inputs = rtm_cli_glob(inputs, ninputs, &ev->ninputs);
    if (ev->ninputs < 1)
        return rtm_cli_usage(c, "no %s files match", what);
    if (ev->weight_table_path && !(ev->wt = rtm_weight_table_load(ev->weight_table_path, &e)))
        return rtm_cli_fail(c, &e);
    fill_opts(ev);
    return 0;
}

int rtm_cli_events_more(const rtm_cli_events *ev, const rtm_cli *c, char **args, int n,
                        const char *what, rtm_event_source *src, char ***files, int *nfiles)
{
    *files = rtm_cli_glob(args, n, nfiles);
    if (*nfiles < 1)
        return rtm_cli_usage(c, "no %s files match", what);
    *src = ev->src;
    src->files = (const char *const *)*files;
    src->nfiles = *nfiles;
    return 0;
}

static void env_log(void *arg, const char *line)
{
    rtm_cli_info(arg, "%s\n", line);
}

void rtm_cli_env(rtm_cli_events *ev, const rtm_cli *c, rtm_product_env *env)
{
    rtm_product_env_init(env);
    env->events = &ev->eo;
    env->log = env_log;
    env->log_arg = (void *)c;
    env->progress = rtm_cli_progress;
    env->progress_arg = (void *)c;
}

void rtm_cli_events_free(rtm_cli_events *ev)
{
    rtm_events_free(&ev->evs);
    rtm_weight_table_free(ev->wt);
    rtm_cli_glob_free(ev->inputs, ev->ninputs);
    memset(ev, 0, sizeof *ev);
}

const char *rtm_cli_weight_unit(const rtm_cli_events *ev)
{
    const char *u = rtm_weight_table_unit(ev->wt);
    return u ? u : ev->harm ? "harm" : NULL;
}
