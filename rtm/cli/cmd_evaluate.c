/* cmd_evaluate.c: `rtm evaluate` - hit rate, PAI, PEI, RRI and AUC of
 * prediction surfaces against later events, and the rolling back-test:
 * options into rtm_evaluate_product (rtm/product.h), one product call,
 * commit, and the summary table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/product.h"

#define MAX_SURF RTM_EVAL_MAX_SURFACES

enum { OPT_SURFACE = OPT_EVENTS_LAST + 1, OPT_COVERAGES, OPT_TRAIN_EVENTS, OPT_TRAIN_FROM,
       OPT_TRAIN_TO, OPT_KDE_BW, OPT_PRIOR, OPT_COMBINE, OPT_BACKTEST, OPT_MONTHS,
       OPT_MIN_TRAIN, OPT_WINDOW, OPT_THREADS };

static const char HELP[] =
    "Usage: rtm evaluate [OPTIONS] -o OUTDIR [NAME=]SURFACE.tif... EVENTS...\n"
    "       rtm evaluate --backtest --months YYYY-MM..YYYY-MM [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "How well prediction surfaces (risk, KDE, ...) point at later events: hit rate,\n"
    "PAI, PEI and RRI at chosen area coverages, the hit-rate and PAI curves, the area\n"
    "under the hit-rate curve, and how concentrated the test events are.\n\n"
    "Surfaces:\n"
    "  [NAME=]FILE.tif        a surface (positional, or --surface); NAME defaults to\n"
    "                         the file name without extension. Every surface must be\n"
    "                         on one grid (same size, origin, cell size, CRS); the\n"
    "                         first one sets the grid. A cell is evaluated only where\n"
    "                         every surface has data (and inside --study-area).\n"
    "  -s, --surface [NAME=]FILE  a surface (for names not ending in .tif/.tiff)\n"
    "  --kde-bandwidths R,R.. quartic KDE of the training events at each radius\n"
    "                         (CRS units), named kdeR (e.g. kde500)\n"
    "  --prior-counts         the training counts per cell as a surface ('prior')\n"
    "  --combine A*B          the product of two named surfaces, each divided by its\n"
    "                         maximum first (e.g. rrs*kde500); repeatable\n"
    "Test events: the positional EVENTS files, with the event options below\n"
    "  (--where, --from/--to ...). Events on cells outside the evaluated area are\n"
    "  skipped and counted.\n"
    "Training events (needed by --kde-bandwidths, --prior-counts, and for RRI):\n"
    "  --train-events FILE    training event file or glob (repeatable; the same\n"
    "                         --where, fields and CRS options apply)\n"
    "  --train-from YYYY-MM, --train-to YYYY-MM  month window of the training events\n"
    "Metrics (rtm/evaluate.h; n = test events in the flagged cells, N = all test events\n"
    "in the evaluated area, a = flagged cells, A = evaluated cells):\n"
    "  hit rate = n/N; PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008);\n"
    "  PEI = n/n*, n* = events in the best a cells ranked by the test counts (Hunt 2016);\n"
    "  RRI = Levine's recapture rate index (n/N)/(n1/N1) with n1, N1 the TRAINING\n"
    "  events in the flagged cells and in total (Levine 2008); without training\n"
    "  events RRI is NaN (reported as 'n/a'); AUC = area under the hit-rate curve\n"
    "  against area fraction (0.5 = random, 1 = perfect).\n"
    "  Cells are ranked by value, highest first. Ties: cells with equal values are\n"
    "  one block; when the coverage ends inside a block, the block is credited PRO\n"
    "  RATA (its events x the fraction of its cells flagged), so results do not depend\n"
    "  on cell order. NaN values rank last.\n"
    "  --coverages P,P..      area coverages in percent (default 1,2,5,10,20)\n"
    "Concentration of the test events (in metrics.md and concentration.csv): share of\n"
    "  events in the top P % of cells (Lorenz curve, ties pro rata), the area holding\n"
    "  50 % of events, Gini coefficient (population form, and Bernasco & Steenbeek's\n"
    "  generalized form for sparse counts).\n"
    "Back-test:\n"
    "  --backtest             rolling monthly back-test on the EVENTS' Month field:\n"
    "                         train on months 1..k, test on month k+1, k = --min-train,\n"
    "                         then roll forward one month at a time. Surfaces: the\n"
    "                         --kde-bandwidths and --prior-counts (implied) of each step's\n"
    "                         training months, --combine, and any fixed surface files.\n"
    "  --months FROM..TO      the months, e.g. 2018-01..2018-05 (required)\n"
    "  --min-train K          training months of the first step (default 1)\n"
    "  --window W             train on the last W months only (sliding window;\n"
    "                         default: all months so far)\n"
    "Output:\n"
    "  -o, --output DIR       directory (created): metrics.csv, metrics.md, curves.csv,\n"
    "                         concentration.csv, hitrate.png, pai.png; with --backtest\n"
    "                         backtest.csv and backtest.md\n"
    "  --threads N            KDE threads (results identical for any N)\n"
    "  -q, --quiet            no progress or summary\n\n"
    RTM_CLI_EVENT_HELP
    "  (--dst-crs, --bbox, --resolution set the grid only when no surface file is given)\n"
    "\nExample:\n"
    "  rtm evaluate --from 2018-05 --to 2018-05 --train-events 'crimes/2018-0[1-4]*.csv.gz' \\\n"
    "    --kde-bandwidths 250,500,1000 --prior-counts --combine rrs*kde500 \\\n"
    "    -o eval rrs=model/rrs.tif crimes/2018-05-essex-street.csv.gz\n";

typedef struct eval_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_evaluate_product p;
    const char *combine[MAX_SURF];
    rtm_eval_surface_file files[MAX_SURF];
    char names[MAX_SURF][96];
    char *train_arg[64], **train_files, **inputs; /* inputs: positional (in argv) */
    int nsurf_arg, ntrain_arg, ntrain_files, ninputs, threads;
    rtm_event_source train_src;
} eval_args;

static int is_raster_name(const char *s)
{
    const char *dot = strrchr(s, '.');
    return dot && dot > s && (!strcasecmp(dot, ".tif") || !strcasecmp(dot, ".tiff"));
}

/* [NAME=]FILE: the name before '=' (with no '/' in it), else the product's
 * default (the file name without extension). */
static int add_surface(eval_args *a, const char *arg)
{
    const char *eq = strchr(arg, '=');
    int i = a->nsurf_arg, named = eq && eq > arg && !memchr(arg, '/', (size_t)(eq - arg));
    if (i == MAX_SURF)
        return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
    snprintf(a->names[i], sizeof a->names[i], "%.*s", named ? (int)(eq - arg) : 0, arg);
    a->files[i].name = named ? a->names[i] : NULL;
    a->files[i].path = named ? eq + 1 : arg;
    a->p.nfiles = ++a->nsurf_arg;
    return 0;
}

static int parse_option(void *ctx, int opt, const char *arg)
{
    eval_args *a = ctx;
    rtm_evaluate_product *p = &a->p;
    switch (opt) {
    case 'o': p->dir = arg; return 0;
    case 's': case OPT_SURFACE: return add_surface(a, arg);
    case OPT_TRAIN_EVENTS:
        if (a->ntrain_arg == 64)
            return rtm_cli_usage(&a->c, "too many --train-events");
        a->train_arg[a->ntrain_arg++] = (char *)arg;
        return 0;
    case OPT_TRAIN_FROM:
    case OPT_TRAIN_TO:
        return rtm_cli_month(arg, opt == OPT_TRAIN_FROM ? &p->train.month_from
                                                        : &p->train.month_to)
                   ? rtm_cli_usage(&a->c, "--train-%s expects YYYY-MM (got '%s')",
                                   opt == OPT_TRAIN_FROM ? "from" : "to", arg) : 0;
    case OPT_PRIOR: p->prior_counts = 1; return 0;
    case OPT_BACKTEST: p->backtest = 1; return 0;
    case OPT_MIN_TRAIN:
        return rtm_cli_int(arg, &p->min_train) || p->min_train < 1 ? rtm_cli_usage(&a->c,
                   "--min-train must be a whole number >= 1 (got '%s')", arg) : 0;
    case OPT_WINDOW:
        return rtm_cli_int(arg, &p->window) || p->window < 1 ? rtm_cli_usage(&a->c,
                   "--window must be a whole number >= 1 (got '%s')", arg) : 0;
    case OPT_THREADS:
        return rtm_cli_threads(&a->c, arg, &a->threads);
    case OPT_COVERAGES:
        return (p->ncoverages = rtm_cli_doubles(arg, p->coverages, RTM_EVAL_MAX_COVERAGES, 0,
                                                100)) < 0
                   ? rtm_cli_usage(&a->c, "--coverages expects percentages in (0, 100] "
                                          "separated by commas (got '%s')", arg) : 0;
    case OPT_KDE_BW:
        return (p->nbandwidths = rtm_cli_doubles(arg, p->bandwidths, RTM_EVAL_MAX_BANDWIDTHS, 0,
                                                 1e12)) < 0
                   ? rtm_cli_usage(&a->c, "--kde-bandwidths expects radii > 0 separated by "
                                          "commas (got '%s')", arg) : 0;
    case OPT_COMBINE:
        if (p->ncombine == MAX_SURF || !strchr(arg, '*'))
            return rtm_cli_usage(&a->c, "--combine expects A*B, two surface names (got '%s')",
                                 arg);
        a->combine[p->ncombine++] = arg;
        return 0;
    case OPT_MONTHS:
        return rtm_cli_months(arg, &p->months_from, &p->months_to)
                   ? rtm_cli_usage(&a->c, "--months expects YYYY-MM..YYYY-MM (got '%s')", arg) : 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

/* How options combine (the product checks its own options before reading). */
static int parse_check(eval_args *a)
{
    const rtm_evaluate_product *p = &a->p;
    int train = a->ntrain_arg > 0, month = p->train.month_from || p->train.month_to;
    if (!p->dir || a->ninputs < 1)
        return rtm_cli_usage(&a->c, !p->dir ? "no output directory (-o DIR)"
                                            : "no event files (the test events)");
    if (p->backtest && !p->months_from)
        return rtm_cli_usage(&a->c, "--backtest needs --months FROM..TO");
    if (p->backtest && (train || month || a->ev.lo.month_from || a->ev.lo.month_to))
        return rtm_cli_usage(&a->c, "--backtest takes its training and test months from "
                                    "--months; drop --train-events/--train-from/--train-to/"
                                    "--from/--to");
    if (!p->backtest && (p->months_from || p->window || p->min_train != 1))
        return rtm_cli_usage(&a->c, "--months, --min-train and --window need --backtest");
    if (!p->backtest && !train && month)
        return rtm_cli_usage(&a->c, "--train-from/--train-to need --train-events");
    if (!p->backtest && a->nsurf_arg + p->nbandwidths + p->prior_counts + p->ncombine == 0)
        return rtm_cli_usage(&a->c, "no surface to evaluate (give FILE.tif, --kde-bandwidths or "
                                    "--prior-counts)");
    return 0;
}

static int parse(int argc, char **argv, eval_args *a)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"train-events", required_argument, 0, OPT_TRAIN_EVENTS}, {"quiet", no_argument, 0, 'q'},
        {"train-from", required_argument, 0, OPT_TRAIN_FROM}, {"output", required_argument, 0, 'o'},
        {"kde-bandwidths", required_argument, 0, OPT_KDE_BW}, {"help", no_argument, 0, 'h'},
        {"coverages", required_argument, 0, OPT_COVERAGES},
        {"min-train", required_argument, 0, OPT_MIN_TRAIN},
        {"train-to", required_argument, 0, OPT_TRAIN_TO},
        {"surface", required_argument, 0, OPT_SURFACE}, {"prior-counts", no_argument, 0, OPT_PRIOR},
        {"combine", required_argument, 0, OPT_COMBINE}, {"backtest", no_argument, 0, OPT_BACKTEST},
        {"threads", required_argument, 0, OPT_THREADS},
        {"months", required_argument, 0, OPT_MONTHS}, {"window", required_argument, 0, OPT_WINDOW},
        {0, 0, 0, 0}};
    int first = 0, r;
    if ((r = rtm_cli_getopt(argc, argv, "o:s:qh", opts, &a->ev, &a->c, HELP, parse_option, a,
                            &first)))
        return r;
    a->inputs = argv + first;
    for (int i = first; i < argc && !r; i++)
        if (is_raster_name(argv[i]))
            r = add_surface(a, argv[i]);
        else
            a->inputs[a->ninputs++] = argv[i]; /* compacts argv in place */
    return r ? r : parse_check(a);
}

/* The test events' options (the shared event options) and the training files. */
static int events(eval_args *a)
{
    rtm_events_opts *t = &a->p.train;
    int from = t->month_from, to = t->month_to;
    int rc = rtm_cli_events_prepare(&a->ev, &a->c, a->inputs, a->ninputs,
                                    a->p.backtest ? "events" : "test events");
    a->p.test = a->ev.eo;
    if (rc || !a->ntrain_arg)
        return rc;
    *t = a->ev.eo;
    t->month_from = from;
    t->month_to = to;
    t->sources = &a->train_src;
    return rtm_cli_events_more(&a->ev, &a->c, a->train_arg, a->ntrain_arg, "training events",
                               &a->train_src, &a->train_files, &a->ntrain_files);
}

static const char *num(char *buf, const char *fmt, double v)
{
    snprintf(buf, 32, isnan(v) ? "n/a" : fmt, v);
    return buf;
}

static void print_summary(const eval_args *a, const rtm_evaluate_result *r)
{
    char b1[32], b2[32], b3[32];
    if (a->c.quiet || a->p.backtest)
        return;
    printf("%-24s %8s %10s %8s %7s\n", "surface", "coverage", "hit rate", "PAI", "PEI");
    for (int i = 0; i < r->nsurfaces; i++)
        for (int c = 0; c < r->ncoverages; c++)
            printf("%-24s %7g%% %10s %8s %7s\n", c ? "" : r->names[i], r->coverages[c],
                   num(b1, "%.2f%%", r->m[i][c].hit_rate * 100),
                   num(b2, "%.2f", r->m[i][c].pai), num(b3, "%.3f", r->m[i][c].pei));
}

/* The product into an output set in the folder (made if missing, and
 * removed again if made here and the run fails), then the commit. */
static int run(eval_args *a, rtm_evaluate_result *res)
{
    rtm_product_env env;
    rtm_outset *out = NULL;
    rtm_error e;
    int made, rc;
    if (rtm_evaluate_product_check(&a->p, &e))
        return rtm_cli_fail(&a->c, &e);
    if ((rc = rtm_cli_out_dir(&a->c, a->p.dir, &made)))
        return rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    env.events = &a->p.test;
    env.progress = NULL;
    env.threads = a->threads;
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_evaluate_product_run(&a->p, &env, out, res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e)) && made)
        rmdir(a->p.dir);
    return rc;
}

int rtm_cmd_evaluate(int argc, char **argv)
{
    eval_args a = {.c.cmd = "evaluate"};
    rtm_evaluate_result res;
    int rc;
    rtm_cli_events_init(&a.ev);
    rtm_evaluate_product_init(&a.p);
    a.p.files = a.files;
    a.p.combine = a.combine;
    if (!(rc = parse(argc, argv, &a)) && !(rc = events(&a)) && !(rc = run(&a, &res)))
        print_summary(&a, &res);
    rtm_cli_glob_free(a.train_files, a.ntrain_files);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
