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
#include "cli/cli_factors.h"
#include "cli/cmd_evaluate_priv.h"
#include "cli/cmds.h"
#include "rtm/forecast.h"
#include "rtm/product.h"

#define MAX_SURF RTM_EVAL_MAX_SURFACES

enum { OPT_SURFACE = OPT_EVENTS_LAST + 1, OPT_COVERAGES, OPT_TRAIN_EVENTS, OPT_TRAIN_FROM,
       OPT_TRAIN_TO, OPT_KDE_BW, OPT_PRIOR, OPT_COMBINE, OPT_BACKTEST, OPT_MONTHS,
       OPT_MIN_TRAIN, OPT_WINDOW, OPT_THREADS, OPT_BOOTSTRAP, OPT_SEED, OPT_COMPARE,
       OPT_FACTOR, OPT_BLOCK, OPT_REFIT_FORECAST };

typedef struct eval_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_evaluate_product p;
    const char *combine[MAX_SURF], *compare[MAX_SURF];
    rtm_cli_factors fac;
    rtm_eval_surface_file files[MAX_SURF];
    char names[MAX_SURF][96];
    char *train_arg[64], **train_files, **inputs; /* inputs: positional (in argv) */
    int nsurf_arg, ntrain_arg, ntrain_files, ninputs, threads;
    rtm_event_source train_src;
    int refit_forecast;         /* --refit-forecast: the forecast re-fitted at each step */
    rtm_forecast_eval_ctx fcx;
    rtm_eval_refit fref;
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
        return (p->ncoverages = rtm_eval_cli_coverages(arg, p->coverages, p->coverage_units,
                                                       RTM_EVAL_MAX_COVERAGES)) < 0
                   ? rtm_cli_usage(&a->c, "--coverages expects percentages in (0, 100], areas "
                                          "(0.5km2, 50ha) or cell counts (100cells) separated "
                                          "by commas (got '%s')", arg) : 0;
    case OPT_BOOTSTRAP:
        return rtm_cli_int(arg, &p->bootstrap) || p->bootstrap < 10 ? rtm_cli_usage(&a->c,
                   "--bootstrap must be a whole number >= 10 (got '%s')", arg) : 0;
    case OPT_SEED: {
        int v;
        if (rtm_cli_int(arg, &v) || v < 0)
            return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0 (got '%s')", arg);
        p->seed = (unsigned long long)v;
        return 0;
    }
    case OPT_COMPARE:
        if (p->ncompare == MAX_SURF || !strchr(arg, ','))
            return rtm_cli_usage(&a->c, "--compare expects A,B, two surface names (got '%s')",
                                 arg);
        a->compare[p->ncompare++] = arg;
        return 0;
    case OPT_FACTOR: return rtm_cli_factor_parse(&a->fac, &a->c, arg);
    case OPT_REFIT_FORECAST: a->refit_forecast = 1; return 0;
    case OPT_BLOCK:
        return rtm_cli_double(arg, &p->model.var.block) || !(p->model.var.block > 0)
                   ? rtm_cli_usage(&a->c, "--block must be a length > 0 (got '%s')", arg) : 0;
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
    if (a->fac.n && !a->ev.dst_crs)
        return rtm_cli_usage(&a->c, "--factor needs --dst-crs (the CRS of the grid)");
    if (a->refit_forecast && !p->backtest && !train)
        return rtm_cli_usage(&a->c, "--refit-forecast needs --backtest or --train-events");
    if (!p->backtest && a->nsurf_arg + p->nbandwidths + p->prior_counts + p->ncombine +
        a->fac.n + a->refit_forecast == 0)
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
        {"bootstrap", required_argument, 0, OPT_BOOTSTRAP},
        {"seed", required_argument, 0, OPT_SEED}, {"compare", required_argument, 0, OPT_COMPARE},
        {"factor", required_argument, 0, OPT_FACTOR}, {"block", required_argument, 0, OPT_BLOCK},
        {"refit-forecast", no_argument, 0, OPT_REFIT_FORECAST},
        {0, 0, 0, 0}};
    int first = 0, r;
    if ((r = rtm_cli_getopt(argc, argv, "o:s:qh", opts, &a->ev, &a->c, RTM_EVALUATE_HELP, parse_option, a,
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
    char b1[32], b2[32], b3[32], cv[32];
    if (a->c.quiet || a->p.backtest)
        return;
    printf("%-24s %9s %10s %8s %7s\n", "surface", "coverage", "hit rate", "PAI", "PEI");
    for (int i = 0; i < r->nsurfaces; i++)
        for (int c = 0; c < r->ncoverages; c++)
            printf("%-24s %9s %10s %8s %7s\n", c ? "" : r->names[i],
                   a->p.coverage_units[c] ? (rtm_eval_coverage_label(a->p.coverages[c],
                                             a->p.coverage_units[c], cv, sizeof cv), cv)
                                          : num(cv, "%g%%", r->coverages[c]),
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
    if (a->fac.n && (rc = rtm_cli_factors_load(&a->fac, &a->c, a->ev.dst_crs, &env))) {
        if (made)
            rmdir(a->p.dir);
        return rc;
    }
    if (a->refit_forecast) { /* the forecast re-fitted from each step's training events */
        rtm_forecast_eval_ctx_init(&a->fcx);
        a->fcx.fc.threads = a->threads;
        a->fref = (rtm_eval_refit){"forecast", "forecast (rtm forecast) re-fitted on the "
                                   "training events", rtm_forecast_eval_fit, &a->fcx};
        a->p.refits = &a->fref;
        a->p.nrefits = 1;
    }
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_evaluate_product_run(&a->p, &env, out, res, &e);
    if (!rc && a->fcx.failed && !a->c.quiet)
        fprintf(stderr, "rtm evaluate: warning: the forecast could not be fitted on %d "
                "training window%s (fewer than 3 months): it ranks nothing there\n",
                a->fcx.failed, a->fcx.failed == 1 ? "" : "s");
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
    a.p.compare = a.compare;
    a.p.factors = a.fac.spec; /* features loaded in run() */
    if (!(rc = parse(argc, argv, &a)) && !(rc = events(&a)) &&
        !(rc = (a.p.nfactors = a.fac.n, run(&a, &res))))
        print_summary(&a, &res);
    rtm_cli_glob_free(a.train_files, a.ntrain_files);
    rtm_cli_factors_free(&a.fac);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
