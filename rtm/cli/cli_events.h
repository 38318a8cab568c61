/* cli_events.h (CLI only): the options every event-reading command shares
 * (inputs, CRS, fields, filters, weights, grid, study area) and the loading
 * they drive. Option names follow GDAL's unified command line. */
#ifndef RTM_CLI_EVENTS_H
#define RTM_CLI_EVENTS_H

#include <getopt.h>
#include "cli/cli.h"
#include "rtm/grid.h"
#include "core/kv.h"
#include "rtm/product.h"
#include "rtm/input.h"

enum {
    OPT_SRC_CRS = 1000, OPT_DST_CRS, OPT_X_FIELD, OPT_Y_FIELD, OPT_LAYER, OPT_WHERE,
    OPT_WEIGHT, OPT_WEIGHT_TABLE, OPT_FROM, OPT_TO, OPT_MONTH_FIELD, OPT_BBOX,
    OPT_STUDY_AREA, OPT_STUDY_LAYER, OPT_STUDY_WHERE, OPT_RESOLUTION, OPT_STRICT, OPT_ALLOW_EMPTY,
    OPT_TIME_FIELD, OPT_LOCATION_FIELD, OPT_HOURS, OPT_DAYS, OPT_EVENTS_LAST
};

#define RTM_CLI_EVENT_OPTIONS                                                     \
    {"src-crs", required_argument, 0, OPT_SRC_CRS},                               \
    {"dst-crs", required_argument, 0, OPT_DST_CRS},                               \
    {"x-field", required_argument, 0, OPT_X_FIELD},                               \
    {"y-field", required_argument, 0, OPT_Y_FIELD},                               \
    {"layer", required_argument, 0, OPT_LAYER},                                   \
    {"where", required_argument, 0, OPT_WHERE},                                   \
    {"weight", required_argument, 0, OPT_WEIGHT},                                 \
    {"weight-table", required_argument, 0, OPT_WEIGHT_TABLE},                     \
    {"from", required_argument, 0, OPT_FROM},                                     \
    {"to", required_argument, 0, OPT_TO},                                         \
    {"month-field", required_argument, 0, OPT_MONTH_FIELD},                       \
    {"bbox", required_argument, 0, OPT_BBOX},                                     \
    {"study-area", required_argument, 0, OPT_STUDY_AREA},                         \
    {"study-layer", required_argument, 0, OPT_STUDY_LAYER},                       \
    {"study-where", required_argument, 0, OPT_STUDY_WHERE},                       \
    {"resolution", required_argument, 0, OPT_RESOLUTION},                         \
    {"strict", no_argument, 0, OPT_STRICT},                                       \
    {"allow-empty", no_argument, 0, OPT_ALLOW_EMPTY},                             \
    {"time-field", required_argument, 0, OPT_TIME_FIELD},                         \
    {"location-field", required_argument, 0, OPT_LOCATION_FIELD},                 \
    {"hours", required_argument, 0, OPT_HOURS},                                   \
    {"days", required_argument, 0, OPT_DAYS}

#define RTM_CLI_EVENT_HELP                                                              \
    "Events (any OGR vector: CSV, GeoPackage, Shapefile, GeoJSON, .csv.gz; several\n"    \
    "files or globs):\n"                                                                \
    "  --src-crs CRS          CRS of the inputs (default: the layer's; WGS 84 for\n"     \
    "                         longitude/latitude columns)\n"                            \
    "  --x-field F, --y-field F  coordinate columns (default: Longitude/Latitude,\n"     \
    "                         lon/lat, x/y, Easting/Northing..., any case)\n"           \
    "  --layer NAME           layer of a multi-layer source\n"                          \
    "  --where SQL            OGR SQL attribute filter, e.g.\n"                         \
    "                         \"\\\"Crime type\\\" = 'Violence and sexual offences'\"\n" \
    "  --weight FIELD         numeric weight per event\n"                               \
    "  --weight-table CSV     category weights: header '<category field>,weight',\n"     \
    "                         a '*' row sets the weight of unlisted categories (default 1)\n" \
    "  --from YYYY-MM, --to YYYY-MM  month window (inclusive) on the Month field\n"     \
    "  --month-field F        month/date field (default Month/month/date); any form:\n" \
    "                         yyyy-mm, ISO 8601 date or date-time, dd/mm/yyyy [hh:mm]\n" \
    "  --time-field F         time of day (hh:mm[:ss]) when the date field has none\n"  \
    "  --hours H1-H2[,...]    keep events in these hours (18-02 = 18:00-01:59; needs\n" \
    "                         times: rows without one are skipped and counted)\n"      \
    "  --days D[,...]         keep events on these days: mon..sun or ranges (fri-sun)\n" \
    "  --location-field F     location text of each event (default: Location, the\n"   \
    "                         police.uk snap-point description) where a command uses it\n" \
    "  --strict               unusable rows are an error instead of skipped and counted\n" \
    "  --allow-empty          map an area with no usable event (default: an error, so a\n" \
    "                         failed download or a filter matching nothing is caught)\n" \
    "Grid:\n"                                                                           \
    "  --dst-crs CRS          projected CRS of the grid (default: --src-crs if projected)\n" \
    "  --bbox XMIN,YMIN,XMAX,YMAX  grid extent in --dst-crs, used exactly (cells start\n" \
    "                         at the lower-left corner)\n"                              \
    "  --study-area FILE      polygons: cells outside are nodata, events outside skipped;\n" \
    "                         without --bbox the extent is snapped outward to the cell size\n" \
    "  --study-layer NAME, --study-where SQL  select the study-area polygons\n"         \
    "  --resolution M         cell size in CRS units (default: min(width,height)/250,\n"  \
    "                         the ArcGIS rule)\n"

typedef struct rtm_cli_events {
    rtm_load_opts lo;          /* the per-source options as parsed */
    const char *dst_crs, *study_area, *study_layer, *study_where, *weight_table_path;
    double bbox[4], res;
    int has_bbox, allow_empty;
    /* results of rtm_cli_events_load / _grid (owned by evs) */
    rtm_events evs;            /* grid, mask, points, counts */
    rtm_events_opts eo;        /* what evs was read with (product metadata) */
    rtm_event_source src;
    rtm_grid grid;             /* copies of evs.grid ... for the commands */
    unsigned char *mask;       /* = evs.mask (borrowed) */
    double study_area_units2;
    rtm_points pts;            /* = evs.pts (borrowed) */
    rtm_load_stats st;
    rtm_weight_table *wt;
    char **inputs;
    int ninputs;
    const char *outputs[8];    /* set by the command: never one of the inputs */
    int noutputs;
} rtm_cli_events;

void rtm_cli_events_init(rtm_cli_events *ev);
/* Handle one shared option; returns 1 if handled, 0 if not ours, -1 usage error. */
int rtm_cli_events_option(rtm_cli_events *ev, int opt, const char *arg, const rtm_cli *c);
/* Resolve CRS, grid and study area, then load every input. ninputs/argv are
 * the positional arguments. Returns 0 or an exit code (messages printed). */
int rtm_cli_events_load(rtm_cli_events *ev, const rtm_cli *c, char **inputs, int ninputs);
/* Only the options: expand the inputs, load the weight table and fill
 * ev->eo for a product that loads the events itself (nothing is read, the
 * grid CRS is left as given). what names the files in messages. Returns 0
 * or an exit code (messages printed). */
int rtm_cli_events_prepare(rtm_cli_events *ev, const rtm_cli *c, char **inputs, int ninputs,
                           const char *what);
/* A second set of files read like the inputs (same fields, filter, CRS):
 * args expanded into *files (free with rtm_cli_glob_free) and *src as
 * ev->src (after rtm_cli_events_prepare) over them. Returns 0 or an exit code. */
int rtm_cli_events_more(const rtm_cli_events *ev, const rtm_cli *c, char **args, int n,
                        const char *what, rtm_event_source *src, char ***files, int *nfiles);
/* A command's own options: return 0, an exit code, or RTM_CLI_NOT_MINE when
 * opt is not one of its options. */
#define RTM_CLI_NOT_MINE (-2)
typedef int (*rtm_cli_opt_fn)(void *ctx, int opt, const char *arg);

/* getopt_long over argv for one command: the shared event options go to ev,
 * -h/--help prints help (returns -1), -q sets c->quiet, every other option
 * goes to fn. Unknown options are usage errors. Returns 0 and *first (the
 * first operand), -1 after help, or an exit code. */
int rtm_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *opts,
                   rtm_cli_events *ev, rtm_cli *c, const char *help, rtm_cli_opt_fn fn,
                   void *ctx, int *first);

/* Grid and study area only (for commands without events). */
int rtm_cli_events_grid(rtm_cli_events *ev, const rtm_cli *c);
void rtm_cli_events_free(rtm_cli_events *ev);
/* A product environment over the loaded events (log and progress to the
 * terminal as the command's -q says). */
void rtm_cli_env(rtm_cli_events *ev, const rtm_cli *c, rtm_product_env *env);

#endif
