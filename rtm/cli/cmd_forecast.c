/* cmd_forecast.c: `rtm forecast` - expected events per cell for the next
 * month(s), a penalised Poisson model fitted on the history (and risk
 * factors), with its back-test against the baselines (rtm/forecast.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_events.h"
#include "cli/cli_factors.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/forecast.h"


enum { OPT_FACTOR = OPT_EVENTS_LAST + 1, OPT_HORIZON, OPT_SEED, OPT_TRAIN_TO, OPT_THREADS,
       OPT_BLOCK, OPT_MAX_BLOCKS, OPT_TITLE };

static const char HELP[] =
    "Usage: rtm forecast [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "Forecast: expected events per cell for the next month (or --horizon months),\n"
    "learnt from the history of the events and, with --factor, the risk terrain.\n"
    "Predictors per cell (from the months before the forecast only): events in the\n"
    "last 1, 3, 6, 12 months and in the whole history (per month), the history\n"
    "smoothed by quartic KDE at 200, 400 and 800 m, a prospective surface (Bowers,\n"
    "Johnson & Pease 2004: recent events weighted by closeness in space and time),\n"
    "the same months a year earlier when the history is long enough, and the Risk\n"
    "Terrain Model's binary risk-setting variables of each --factor. Each enters as\n"
    "steps at its quantiles with non-negative coefficients (a monotone effect, so no\n"
    "transform such as log1p is needed). The model is a penalised Poisson regression\n"
    "(elastic net) fitted on monthly training pairs (history before month t -> events\n"
    "in month t); the penalty is chosen by rolling-origin validation (never random\n"
    "folds across time).\n\n"
    "Options:\n"
    "  --horizon N            months forecast (default 1): the map holds the events\n"
    "                         expected in the N months after the training window\n"
    "  --train-to YYYY-MM     last month learnt from; later events are ignored\n"
    "                         (default: the last month of the events)\n"
    "  --factor NAME=FILE[:OP]  a risk factor layer, as rtm model (OP proximity,\n"
    "                         density, both, auto); repeatable\n"
    "  --block M, --max-blocks N  factor variables' distances, as rtm model\n"
    "                         (default 2 x --resolution, 3 blocks)\n"
    "  --seed N               seed of the zero-cell subsampling of very large\n"
    "                         designs (default 1; recorded in the outputs)\n"
    "  --title TEXT           map title (default Forecast)\n"
    "  --threads N            worker threads (output identical for any N)\n"
    "  -o, --output OUTDIR    folder (created): forecast.tif (expected events per cell\n"
    "                         in the horizon, + .qml), forecast.png, forecast.json\n"
    "                         (terms, coefficients, validation), forecast.md (what\n"
    "                         drives it, its back-tested PAI against prior counts and\n"
    "                         quartic KDE 200/400/800 m)\n"
    "  --tile I/N             build only the risk factors' variables of strip I of N of\n"
    "                         the grid's rows (needs --factor) into\n"
    "                         OUTDIR/forecast.tile-I-of-N.tif and .parts; `rtm merge\n"
    "                         OUTDIR/forecast.tile-*.tif` merges them, fits and writes\n"
    "                         what the whole run writes, byte for byte\n"
    RTM_CLI_TILE_STATS_HELP("forecast")
    "  -q, --quiet            no progress or summary\n\n" RTM_CLI_EVENT_HELP
    "\nExample (violence in June 2018 from January to May):\n"
    "  rtm forecast --dst-crs EPSG:27700 --study-area essex.geojson --resolution 100 \\\n"
    "    --where \"\\\"Crime type\\\" = 'Violence and sexual offences'\" \\\n"
    "    -o forecast/ 2018-0*-essex-street.csv.gz\n";

typedef struct fc_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_forecast_product p;
    const char *outdir;
    rtm_cli_factors fac;
    rtm_cli_tiles tiles;
    char tilebase[4096];  /* OUTDIR/forecast.tif: the tile files' stem */
} fc_args;

static int fc_opt(void *ctx, int opt, const char *arg)
{
    fc_args *a = ctx;
    int iv;
    switch (opt) {
    case 'o': a->outdir = arg; return 0;
    case OPT_FACTOR: return rtm_cli_factor_parse(&a->fac, &a->c, arg);
    case OPT_HORIZON:
        if (rtm_cli_int(arg, &a->p.fc.horizon) || a->p.fc.horizon < 1 || a->p.fc.horizon > 12)
            return rtm_cli_usage(&a->c, "--horizon must be 1..12 months (got '%s')", arg);
        return 0;
    case OPT_SEED:
        if (rtm_cli_int(arg, &iv) || iv < 0)
            return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0 (got '%s')", arg);
        a->p.fc.seed = (uint64_t)iv;
        return 0;
    case OPT_TRAIN_TO:
        if (rtm_cli_month(arg, &a->p.fc.train_to))
            return rtm_cli_usage(&a->c, "--train-to expects YYYY-MM (got '%s')", arg);
        return 0;
    case OPT_BLOCK:
        if (rtm_cli_double(arg, &a->p.var.block) || !(a->p.var.block > 0))
            return rtm_cli_usage(&a->c, "--block must be > 0");
        return 0;
    case OPT_MAX_BLOCKS:
        if (rtm_cli_int(arg, &a->p.var.max_blocks) || a->p.var.max_blocks < 1 ||
            a->p.var.max_blocks > 16)
            return rtm_cli_usage(&a->c, "--max-blocks must be 1..16");
        return 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->p.fc.threads);
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    case RTM_CLI_OPT_TILE_STATS: rtm_cli_tiles_stats_opt(&a->tiles); return 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, fc_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS, {"factor", required_argument, 0, OPT_FACTOR},
        {"horizon", required_argument, 0, OPT_HORIZON}, {"seed", required_argument, 0, OPT_SEED},
        {"train-to", required_argument, 0, OPT_TRAIN_TO},
        {"block", required_argument, 0, OPT_BLOCK},
        {"max-blocks", required_argument, 0, OPT_MAX_BLOCKS},
        {"title", required_argument, 0, OPT_TITLE},
        {"threads", required_argument, 0, OPT_THREADS}, {"output", required_argument, 0, 'o'},
        RTM_CLI_TILE_OPTION, RTM_CLI_TILE_STATS_OPTION, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, fc_opt, a, first);
    if (rc)
        return rc;
    if (!a->outdir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    a->ev.outputs[a->ev.noutputs++] = a->outdir;
    if ((size_t)snprintf(a->tilebase, sizeof a->tilebase, "%s/forecast.tif", a->outdir) >=
        sizeof a->tilebase)
        return rtm_cli_usage(&a->c, "output folder name too long");
    return rtm_cli_tiles_end(&a->tiles, &a->c, a->tilebase);
}

static int run(fc_args *a)
{
    rtm_product_env env;
    rtm_forecast *f = NULL;
    rtm_outset *out = NULL;
    rtm_error e;
    int rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    env.threads = a->p.fc.threads;
    a->p.factors = a->fac.spec;
    a->p.nfactors = a->fac.n;
    a->p.sources = rtm_cli_factors_files(&a->fac);
    a->p.dir = a->outdir;
    if ((rc = rtm_cli_factors_load(&a->fac, &a->c, a->ev.dst_crs, &env)))
        goto done;
    if ((rc = rtm_outset_open(&out, &e))) {
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    rc = rtm_forecast_product_tiled(&a->p, &a->ev.evs, &env, &a->tiles.h, out, &f, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e)))
        goto done;
    if (!f) /* a tile */
        rtm_cli_info(&a->c, a->tiles.h.stats_only ? "forecast: density statistics of strip "
                     "%d of %d written beside %s\n" : "forecast: tile %d of %d written to %s\n",
                     a->tiles.h.index,
                     a->tiles.h.count, a->tiles.path);
    else if (!a->c.quiet)
        printf("forecast %04d-%02d..%04d-%02d: %.1f events expected; back-tested PAI at "
               "1/5/20 %%: %.2f/%.2f/%.2f (prior counts %.2f/%.2f/%.2f)\n",
               f->forecast_from / 100, f->forecast_from % 100, f->forecast_to / 100,
               f->forecast_to % 100, f->predicted_total, f->pai_mean[0][0], f->pai_mean[0][1],
               f->pai_mean[0][2], f->pai_mean[1][0], f->pai_mean[1][1], f->pai_mean[1][2]);
done:
    rtm_forecast_free(f);
    return rc;
}

/* The events; a tile builds the factors' variables on the grid, so with the
 * grid given (--bbox or --study-area) it does not read them. */
static int load(fc_args *a, char **inputs, int n)
{
    int rc;
    if (a->tiles.h.count == 0 || (!a->ev.has_bbox && !a->ev.study_area))
        return rtm_cli_events_load(&a->ev, &a->c, inputs, n);
    if ((rc = rtm_cli_events_prepare(&a->ev, &a->c, inputs, n, "event")))
        return rc;
    return rtm_cli_events_grid(&a->ev, &a->c);
}

int rtm_cmd_forecast(int argc, char **argv)
{
    fc_args a;
    int rc, first = 0, made = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "forecast";
    rtm_cli_events_init(&a.ev);
    rtm_forecast_product_init(&a.p);
    if (!(rc = rtm_cli_tiles_begin(&a.tiles, &a.c, argc, argv)) &&
        !(rc = parse(argc, argv, &a, &first)) && !(rc = rtm_cli_out_dir(&a.c, a.outdir, &made)))
        rc = load(&a, argv + first, argc - first);
    if (!rc)
        rc = run(&a);
    rtm_cli_factors_free(&a.fac);
    rtm_cli_events_free(&a.ev);
    rtm_cli_tiles_free(&a.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
