/* cmd_repeats.c: `rtm repeats` - repeat locations ranked by events, their
 * active months, the time between repeats and the concentration of events
 * over locations (rtm/knox.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/knox.h"

enum { OPT_KEY = OPT_EVENTS_LAST + 1, OPT_TOP, OPT_TITLE, OPT_DATE_FIELD };

static const char HELP[] =
    "Usage: rtm repeats [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "Repeat locations: events grouped by location and ranked by their number over the\n"
    "window, with the months each location was active in, the time between repeats\n"
    "(days when the dates have days, else months) and the concentration of events over\n"
    "locations (the share held by the top 1, 5 and 10 %% of locations; Gini).\n\n"
    "Locations:\n"
    "  (default)              exact coordinates; with police.uk data (Location \"On or\n"
    "                         near ...\") these are shared snap points, not homes, and\n"
    "                         the outputs say so\n"
    "  --key-field F          an address or UPRN field: events with the same value are\n"
    "                         one location (force data)\n"
    "  --date-field F         the date field (an alias of --month-field)\n"
    "Output:\n"
    "  -o, --output OUTDIR    folder: repeats.csv (every location, ranked), repeats.gpkg\n"
    "                         (points, layer \"repeats\"), repeats.png (map of the events\n"
    "                         at repeat locations per cell), repeats.md (the report); with\n"
    "                         times of day also repeats_dayhour.csv/.png\n"
    "  --top N                locations in the report (default 20)\n"
    "  --title TEXT           map title\n"
    "  -q, --quiet            no summary\n\n"
    "No grid is needed (the map's grid is the events' extent unless given).\n\n"
    RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm repeats --dst-crs EPSG:27700 --from 2023-01 --to 2025-12 \\\n"
    "    --where \"\\\"Crime type\\\" = 'Burglary'\" -o repeats crimes/*.csv\n";

typedef struct rep_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_repeats_product p;
} rep_args;

static int rep_opt(void *ctx, int opt, const char *arg)
{
    rep_args *a = ctx;
    switch (opt) {
    case 'o': a->p.dir = arg; return 0;
    case OPT_KEY:
        a->p.by_label = 1, a->p.key_name = arg;
        a->ev.lo.label_field = arg;
        return 0;
    case OPT_TOP:
        if (rtm_cli_int(arg, &a->p.top) || a->p.top < 1)
            return rtm_cli_usage(&a->c, "--top must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_DATE_FIELD: a->ev.lo.month_field = arg; return 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, rep_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"key-field", required_argument, 0, OPT_KEY},
        {"top", required_argument, 0, OPT_TOP}, {"title", required_argument, 0, OPT_TITLE},
        {"date-field", required_argument, 0, OPT_DATE_FIELD},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, rep_opt, a, first);
    if (rc)
        return rc;
    if (!a->p.dir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    a->ev.lo.keep_labels = 1;  /* the location text names the locations */
    a->ev.outputs[a->ev.noutputs++] = a->p.dir;
    return 0;
}

static int run(rep_args *a)
{
    rtm_product_env env;
    rtm_repeats_result res;
    rtm_outset *out = NULL;
    rtm_error e;
    int made = 0, rc = rtm_cli_out_dir(&a->c, a->p.dir, &made);
    if (rc)
        return rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_repeats_product_run(&a->p, &a->ev.evs, &env, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e)) && made)
        rmdir(a->p.dir);
    if (!rc && !a->c.quiet)
        printf("%zu events at %zu locations (%s); %zu locations with 2 or more events hold "
               "%zu events\ntop 1 %% of locations: %.1f %% of events; top 5 %%: %.1f %%; "
               "top 10 %%: %.1f %%; Gini %.3f\n", res.events, res.locations, res.kind,
               res.repeat_locations, res.repeat_events, 100 * res.top1, 100 * res.top5,
               100 * res.top10, res.gini);
    return rc;
}

int rtm_cmd_repeats(int argc, char **argv)
{
    rep_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "repeats";
    rtm_cli_events_init(&a.ev);
    rtm_repeats_product_init(&a.p);
    rc = parse(argc, argv, &a, &first);
    if (!rc && !(rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)))
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
