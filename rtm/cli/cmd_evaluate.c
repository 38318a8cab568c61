/* cmd_evaluate.c: `rtm evaluate` - hit rate, PAI, PEI, RRI and AUC of one or
 * more prediction surfaces against later events, side by side, with the
 * concentration of those events, and a rolling monthly back-test
 * (--backtest). The command parses its options into rtm_evaluate_product
 * (rtm/product.h), makes the one product call, commits the files and
 * prints the summary table. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/product.h"

#define MAX_SURF RTM_EVAL_MAX_SURFACES
#define MAX_COV RTM_EVAL_MAX_COVERAGES
#define MAX_LIST 64
#define MAX_BW RTM_EVAL_MAX_BANDWIDTHS

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
    "Metrics (rtm_evaluate.h; n = test events in the flagged cells, N = all test events\n"
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
    const char *surf_arg[MAX_SURF];
    int nsurf_arg;
    rtm_eval_surface_file files[MAX_SURF];
    char names[MAX_SURF][96];
    const char *combine[MAX_SURF];
    char *train_arg[MAX_LIST];
    int ntrain_arg, threads;
    char **inputs; /* positional event files (borrowed from argv) */
    int ninputs;
    char **test_files, **train_files; /* globbed */
    int ntest_files, ntrain_files;
    rtm_event_source test_src, train_src;
    rtm_weight_table *wt;
} eval_args;

/* ---- parsing ------------------------------------------------------------------ */

static int parse_list(const char *s, double *out, int max, double lo, double hi)
{
    char buf[1024], *tok, *save = NULL;
    int n = 0;
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == max || rtm_cli_double(tok, &out[n]) || !(out[n] > lo && out[n] <= hi))
            return -1;
        n++;
    }
    return n > 0 ? n : -1;
}

static int parse_months(const char *s, int *from, int *to)
{
    char a[16], b[16];
    const char *dots = strstr(s, "..");
    size_t la;
    if (!dots || (la = (size_t)(dots - s)) >= sizeof a || strlen(dots + 2) >= sizeof b)
        return -1;
    memcpy(a, s, la);
    a[la] = 0;
    snprintf(b, sizeof b, "%s", dots + 2);
    return rtm_cli_month(a, from) || rtm_cli_month(b, to) || *to < *from ? -1 : 0;
}

static int is_raster_name(const char *s)
{
    size_t n = strlen(s);
    return (n > 4 && !strcasecmp(s + n - 4, ".tif")) || (n > 5 && !strcasecmp(s + n - 5, ".tiff"));
}

static int parse_option(void *ctx, int opt, const char *arg)
{
    eval_args *a = ctx;
    rtm_evaluate_product *p = &a->p;
    switch (opt) {
    case 'o': p->dir = arg; return 0;
    case 's':
    case OPT_SURFACE:
        if (a->nsurf_arg == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        a->surf_arg[a->nsurf_arg++] = arg;
        return 0;
    case OPT_COVERAGES:
        if ((p->ncoverages = parse_list(arg, p->coverages, MAX_COV, 0, 100)) < 0)
            return rtm_cli_usage(&a->c, "--coverages expects percentages in (0, 100] separated "
                                        "by commas (got '%s')", arg);
        return 0;
    case OPT_TRAIN_EVENTS:
        if (a->ntrain_arg == MAX_LIST)
            return rtm_cli_usage(&a->c, "too many --train-events");
        a->train_arg[a->ntrain_arg++] = (char *)arg;
        return 0;
    case OPT_TRAIN_FROM:
    case OPT_TRAIN_TO:
        if (rtm_cli_month(arg, opt == OPT_TRAIN_FROM ? &p->train.month_from : &p->train.month_to))
            return rtm_cli_usage(&a->c, "--train-%s expects YYYY-MM (got '%s')",
                                 opt == OPT_TRAIN_FROM ? "from" : "to", arg);
        return 0;
    case OPT_KDE_BW:
        if ((p->nbandwidths = parse_list(arg, p->bandwidths, MAX_BW, 0, 1e12)) < 0)
            return rtm_cli_usage(&a->c, "--kde-bandwidths expects radii > 0 separated by commas "
                                        "(got '%s')", arg);
        return 0;
    case OPT_PRIOR: p->prior_counts = 1; return 0;
    case OPT_COMBINE:
        if (p->ncombine == MAX_SURF || !strchr(arg, '*'))
            return rtm_cli_usage(&a->c, "--combine expects A*B, two surface names (got '%s')",
                                 arg);
        a->combine[p->ncombine++] = arg;
        return 0;
    case OPT_BACKTEST: p->backtest = 1; return 0;
    case OPT_MONTHS:
        if (parse_months(arg, &p->months_from, &p->months_to))
            return rtm_cli_usage(&a->c, "--months expects YYYY-MM..YYYY-MM (got '%s')", arg);
        return 0;
    case OPT_MIN_TRAIN:
        if (rtm_cli_int(arg, &p->min_train) || p->min_train < 1)
            return rtm_cli_usage(&a->c, "--min-train must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_WINDOW:
        if (rtm_cli_int(arg, &p->window) || p->window < 1)
            return rtm_cli_usage(&a->c, "--window must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_THREADS:
        if (rtm_cli_int(arg, &a->threads) || a->threads < 1)
            return rtm_cli_usage(&a->c, "--threads must be a whole number >= 1");
        return 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

/* Cross-option checks (usage errors). */
static int parse_check(eval_args *a)
{
    const rtm_evaluate_product *p = &a->p;
    int has_train = a->ntrain_arg > 0, has_month = p->train.month_from || p->train.month_to;
    if (!p->dir)
        return rtm_cli_usage(&a->c, "no output directory (-o DIR)");
    if (a->ninputs < 1)
        return rtm_cli_usage(&a->c, "no event files (the test events)");
    if (p->backtest) {
        if (!p->months_from)
            return rtm_cli_usage(&a->c, "--backtest needs --months FROM..TO");
        if (has_train || has_month || a->ev.lo.month_from || a->ev.lo.month_to)
            return rtm_cli_usage(&a->c, "--backtest takes its training and test months from "
                                        "--months; drop --train-events/--train-from/--train-to/"
                                        "--from/--to");
        if (p->window && p->window < p->min_train)
            return rtm_cli_usage(&a->c, "--window must be >= --min-train");
        return 0;
    }
    if (p->months_from || p->window || p->min_train != 1)
        return rtm_cli_usage(&a->c, "--months, --min-train and --window need --backtest");
    if ((p->nbandwidths || p->prior_counts) && !has_train)
        return rtm_cli_usage(&a->c, "--kde-bandwidths and --prior-counts need --train-events");
    if (!has_train && has_month)
        return rtm_cli_usage(&a->c, "--train-from/--train-to need --train-events");
    if (a->nsurf_arg + p->nbandwidths + p->prior_counts + p->ncombine == 0)
        return rtm_cli_usage(&a->c, "no surface to evaluate (give FILE.tif, --kde-bandwidths or "
                                    "--prior-counts)");
    return 0;
}

/* The grid: from the first surface file, or from --bbox/--study-area. */
static int grid_check(eval_args *a)
{
    if (a->nsurf_arg == 0 && !a->ev.has_bbox && !a->ev.study_area)
        return rtm_cli_usage(&a->c, "without a surface file, give the grid with --bbox or "
                                    "--study-area (and --resolution)");
    if (a->nsurf_arg > 0 && (a->ev.has_bbox || a->ev.res > 0))
        return rtm_cli_usage(&a->c, "the grid comes from the first surface: drop --bbox and "
                                    "--resolution");
    return 0;
}

/* [NAME=]FILE: a name before '=' (with no '/' in it), else the library's
 * default (the file name without extension). */
static void split_surfaces(eval_args *a)
{
    for (int i = 0; i < a->nsurf_arg; i++) {
        const char *arg = a->surf_arg[i], *eq = strchr(arg, '=');
        rtm_eval_surface_file *f = &a->files[i];
        f->name = NULL;
        f->path = arg;
        if (eq && eq > arg && !memchr(arg, '/', (size_t)(eq - arg))) {
            snprintf(a->names[i], sizeof a->names[i], "%.*s", (int)(eq - arg), arg);
            f->name = a->names[i];
            f->path = eq + 1;
        }
    }
    a->p.files = a->files;
    a->p.nfiles = a->nsurf_arg;
    a->p.combine = a->combine;
}

static int parse(int argc, char **argv, eval_args *a)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"surface", required_argument, 0, OPT_SURFACE},
        {"coverages", required_argument, 0, OPT_COVERAGES},
        {"train-events", required_argument, 0, OPT_TRAIN_EVENTS},
        {"train-from", required_argument, 0, OPT_TRAIN_FROM},
        {"train-to", required_argument, 0, OPT_TRAIN_TO},
        {"kde-bandwidths", required_argument, 0, OPT_KDE_BW},
        {"prior-counts", no_argument, 0, OPT_PRIOR},
        {"combine", required_argument, 0, OPT_COMBINE},
        {"backtest", no_argument, 0, OPT_BACKTEST},
        {"months", required_argument, 0, OPT_MONTHS},
        {"min-train", required_argument, 0, OPT_MIN_TRAIN},
        {"window", required_argument, 0, OPT_WINDOW},
        {"threads", required_argument, 0, OPT_THREADS},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int first = 0, r;
    if ((r = rtm_cli_getopt(argc, argv, "o:s:qh", opts, &a->ev, &a->c, HELP, parse_option, a,
                            &first)))
        return r;
    a->inputs = argv + first;
    for (int i = first; i < argc; i++) {
        if (!is_raster_name(argv[i]))
            a->inputs[a->ninputs++] = argv[i]; /* compacts argv in place */
        else if (a->nsurf_arg == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        else
            a->surf_arg[a->nsurf_arg++] = argv[i];
    }
    split_surfaces(a);
    return (r = parse_check(a)) ? r : grid_check(a);
}

/* ---- events: the library's options from the shared event options ----------- */

static int glob_files(eval_args *a, char **args, int n, char ***out, int *count,
                      const char *what)
{
    *out = rtm_cli_glob(args, n, count);
    return *count < 1 ? rtm_cli_usage(&a->c, "no %s files match", what) : 0;
}

static void event_opts(eval_args *a, rtm_events_opts *o, rtm_event_source *s, char **files,
                       int nfiles)
{
    s->files = (const char *const *)files;
    s->nfiles = nfiles;
    s->layer = a->ev.lo.layer;
    s->where = a->ev.lo.where;
    s->x_field = a->ev.lo.x_field;
    s->y_field = a->ev.lo.y_field;
    s->crs = a->ev.lo.src_crs;
    s->date_field = a->ev.lo.month_field;
    s->weight_field = a->ev.lo.weight_field;
    o->sources = s;
    o->nsources = nfiles > 0;
    o->weights = a->wt;
    o->weights_name = a->ev.weight_table_path;
    o->strict = a->ev.lo.strict;
}

static int events(eval_args *a)
{
    rtm_events_opts *t = &a->p.test;
    rtm_error e;
    int rc;
    if ((rc = glob_files(a, a->inputs, a->ninputs, &a->test_files, &a->ntest_files,
                         a->p.backtest ? "events" : "test events")) ||
        (a->ntrain_arg && (rc = glob_files(a, a->train_arg, a->ntrain_arg, &a->train_files,
                                           &a->ntrain_files, "training events"))))
        return rc;
    if (a->ev.weight_table_path && !(a->wt = rtm_weight_table_load(a->ev.weight_table_path, &e)))
        return rtm_cli_fail(&a->c, &e);
    event_opts(a, t, &a->test_src, a->test_files, a->ntest_files);
    event_opts(a, &a->p.train, &a->train_src, a->train_files, a->ntrain_files);
    t->dst_crs = a->ev.dst_crs;
    memcpy(t->bbox, a->ev.bbox, sizeof t->bbox);
    t->has_bbox = a->ev.has_bbox;
    t->res = a->ev.res;
    t->study_area = a->ev.study_area;
    t->study_layer = a->ev.study_layer;
    t->study_where = a->ev.study_where;
    t->month_from = a->ev.lo.month_from;
    t->month_to = a->ev.lo.month_to;
    return 0;
}

/* ---- run ----------------------------------------------------------------------- */

static void print_summary(const eval_args *a, const rtm_evaluate_result *r)
{
    char b1[32], b2[32], b3[32];
    if (a->c.quiet || a->p.backtest)
        return;
    printf("%-24s %8s %10s %8s %7s\n", "surface", "coverage", "hit rate", "PAI", "PEI");
    for (int i = 0; i < r->nsurfaces; i++)
        for (int c = 0; c < r->ncoverages; c++) {
            const rtm_eval_metrics *m = &r->m[i][c];
            snprintf(b1, sizeof b1, isnan(m->hit_rate) ? "n/a" : "%.2f%%", m->hit_rate * 100);
            snprintf(b2, sizeof b2, isnan(m->pai) ? "n/a" : "%.2f", m->pai);
            snprintf(b3, sizeof b3, isnan(m->pei) ? "n/a" : "%.3f", m->pei);
            printf("%-24s %7g%% %10s %8s %7s\n", c ? "" : r->names[i], r->coverages[c], b1, b2,
                   b3);
        }
}

static void env_log(void *arg, const char *line)
{
    rtm_cli_info(arg, "%s\n", line);
}

/* The product into an output set in the folder (made if missing, removed
 * again when it was made here and nothing was written), then commit. */
static int run(eval_args *a, rtm_evaluate_result *res)
{
    rtm_product_env env;
    rtm_outset *out = NULL;
    rtm_error e;
    char *names[64];
    int made = mkdir(a->p.dir, 0777) == 0, n = 0, rc;
    struct stat st;
    if (!made && (errno != EEXIST || stat(a->p.dir, &st) || !S_ISDIR(st.st_mode))) {
        rtm_error_set(&e, RTM_ERR_IO, "evaluate: cannot create directory '%s': %s", a->p.dir,
                      strerror(errno));
        return rtm_cli_fail(&a->c, &e);
    }
    rtm_product_env_init(&env);
    env.events = &a->p.test;
    env.log = env_log;
    env.log_arg = &a->c;
    env.threads = a->threads;
    if (!(rc = rtm_outset_open(&out, &e)) &&
        !(rc = rtm_evaluate_product_run(&a->p, &env, out, res, &e)))
        for (; n < rtm_outset_count(out) && n < 64; n++)
            names[n] = strdup(rtm_outset_name(out, n));
    if (rc)
        rtm_outset_abort(out);
    else
        rc = rtm_outset_commit(out, &e);
    for (int i = 0; i < n; i++) {
        if (!rc && names[i])
            rtm_cli_info(&a->c, "wrote %s\n", names[i]);
        free(names[i]);
    }
    if (rc && made)
        rmdir(a->p.dir);
    return rc ? rtm_cli_fail(&a->c, &e) : 0;
}

int rtm_cmd_evaluate(int argc, char **argv)
{
    eval_args *a = calloc(1, sizeof *a);
    rtm_evaluate_result *res = calloc(1, sizeof *res);
    int rc = RTM_EXIT_FAIL;
    if (!a || !res) {
        fprintf(stderr, "rtm evaluate: error: out of memory\n");
        goto done;
    }
    a->c.cmd = "evaluate";
    rtm_cli_events_init(&a->ev);
    rtm_evaluate_product_init(&a->p);
    if (!(rc = parse(argc, argv, a)) && !(rc = events(a)) && !(rc = run(a, res)))
        print_summary(a, res);
    rtm_cli_glob_free(a->test_files, a->ntest_files);
    rtm_cli_glob_free(a->train_files, a->ntrain_files);
    rtm_weight_table_free(a->wt);
    rtm_cli_events_free(&a->ev);
done:
    free(a);
    free(res);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
