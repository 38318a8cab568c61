/* cmd_evaluate.c: `rtm evaluate` - hit rate, PAI, PEI, RRI and AUC of one or
 * more prediction surfaces against later events, side by side, with the
 * concentration of those events (Lorenz share, Gini), and a rolling monthly
 * back-test (--backtest). The metrics are rtm_evaluate.h's; the back-test
 * plan and counts are rtm_backtest.h's. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/input.h"
#include "core/atomic.h"
#include "rtm/evaluate.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "rtm/model.h"

#define MAX_SURF 32
#define MAX_COV 32
#define MAX_LIST 64
#define MAX_BW 16
#define NSAMPLES 1000

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

typedef struct surface {
    char name[96];
    char source[256];
    double *v;   /* ncells, owned */
    int derived; /* 1: built from the training events */
} surface;

typedef struct surf_result {
    rtm_eval_metrics m[MAX_COV];
    double auc;
    rtm_eval_metrics *curve; /* NSAMPLES, or NULL */
} surf_result;

typedef struct eval_args {
    rtm_cli c;
    rtm_cli_events ev;
    const char *outdir;
    double cov[MAX_COV];
    size_t ncov;
    const char *surf_arg[MAX_SURF];
    int nsurf_arg;
    char *train_arg[MAX_LIST];
    int ntrain_arg;
    int train_from, train_to;
    double bw[MAX_BW];
    int nbw, prior;
    const char *combine[MAX_SURF];
    int ncombine;
    int backtest, months_from, months_to, min_train, window, threads;
    char **inputs; /* positional event files (borrowed from argv) */
    int ninputs;
} eval_args;

typedef struct eval_state {
    rtm_grid grid;
    unsigned char *mask; /* evaluated cells (never NULL once set up) */
    size_t ncells;
    double area_cells;
    const char *dst_crs;
    rtm_weight_table *wt;
    surface s[MAX_SURF];
    int ns, nfile;
    rtm_points test, train;
    rtm_load_stats test_st, train_st;
    double *counts, *train_counts; /* train_counts NULL without training events */
    double total;                  /* N: test events in the evaluated cells */
} eval_state;

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
    switch (opt) {
    case 'o': a->outdir = arg; return 0;
    case 'q': a->c.quiet = 1; return 0;
    case 's':
    case OPT_SURFACE:
        if (a->nsurf_arg == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        a->surf_arg[a->nsurf_arg++] = arg;
        return 0;
    case OPT_COVERAGES: {
        int n = parse_list(arg, a->cov, MAX_COV, 0, 100);
        if (n < 0)
            return rtm_cli_usage(&a->c, "--coverages expects percentages in (0, 100] separated "
                                        "by commas (got '%s')", arg);
        a->ncov = (size_t)n;
        return 0;
    }
    case OPT_TRAIN_EVENTS:
        if (a->ntrain_arg == MAX_LIST)
            return rtm_cli_usage(&a->c, "too many --train-events");
        a->train_arg[a->ntrain_arg++] = (char *)arg;
        return 0;
    case OPT_TRAIN_FROM:
    case OPT_TRAIN_TO:
        if (rtm_cli_month(arg, opt == OPT_TRAIN_FROM ? &a->train_from : &a->train_to))
            return rtm_cli_usage(&a->c, "--train-%s expects YYYY-MM (got '%s')",
                                 opt == OPT_TRAIN_FROM ? "from" : "to", arg);
        return 0;
    case OPT_KDE_BW:
        if ((a->nbw = parse_list(arg, a->bw, MAX_BW, 0, 1e12)) < 0)
            return rtm_cli_usage(&a->c, "--kde-bandwidths expects radii > 0 separated by commas "
                                        "(got '%s')", arg);
        return 0;
    case OPT_PRIOR: a->prior = 1; return 0;
    case OPT_COMBINE:
        if (a->ncombine == MAX_SURF || !strchr(arg, '*'))
            return rtm_cli_usage(&a->c, "--combine expects A*B, two surface names (got '%s')",
                                 arg);
        a->combine[a->ncombine++] = arg;
        return 0;
    case OPT_BACKTEST: a->backtest = 1; return 0;
    case OPT_MONTHS:
        if (parse_months(arg, &a->months_from, &a->months_to))
            return rtm_cli_usage(&a->c, "--months expects YYYY-MM..YYYY-MM (got '%s')", arg);
        return 0;
    case OPT_MIN_TRAIN:
        if (rtm_cli_int(arg, &a->min_train) || a->min_train < 1)
            return rtm_cli_usage(&a->c, "--min-train must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_WINDOW:
        if (rtm_cli_int(arg, &a->window) || a->window < 1)
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
    int has_train = a->ntrain_arg > 0;
    if (!a->outdir)
        return rtm_cli_usage(&a->c, "no output directory (-o DIR)");
    if (a->ninputs < 1)
        return rtm_cli_usage(&a->c, "no event files (the test events)");
    if (a->backtest) {
        if (!a->months_from)
            return rtm_cli_usage(&a->c, "--backtest needs --months FROM..TO");
        if (has_train || a->train_from || a->train_to || a->ev.lo.month_from || a->ev.lo.month_to)
            return rtm_cli_usage(&a->c, "--backtest takes its training and test months from "
                                        "--months; drop --train-events/--train-from/--train-to/"
                                        "--from/--to");
        if (a->window && a->window < a->min_train)
            return rtm_cli_usage(&a->c, "--window must be >= --min-train");
        a->prior = 1;
        return 0;
    }
    if (a->months_from || a->window || a->min_train != 1)
        return rtm_cli_usage(&a->c, "--months, --min-train and --window need --backtest");
    if ((a->nbw || a->prior) && !has_train)
        return rtm_cli_usage(&a->c, "--kde-bandwidths and --prior-counts need --train-events");
    if (!has_train && (a->train_from || a->train_to))
        return rtm_cli_usage(&a->c, "--train-from/--train-to need --train-events");
    if (a->nsurf_arg + a->nbw + a->prior + a->ncombine == 0)
        return rtm_cli_usage(&a->c, "no surface to evaluate (give FILE.tif, --kde-bandwidths or "
                                    "--prior-counts)");
    return 0;
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
    int first = 0, i, r;
    if ((r = rtm_cli_getopt(argc, argv, "o:s:qh", opts, &a->ev, &a->c, HELP, parse_option, a,
                            &first)))
        return r;
    a->inputs = argv + first;
    a->ninputs = 0;
    for (i = first; i < argc; i++) {
        if (is_raster_name(argv[i])) {
            if (a->nsurf_arg == MAX_SURF)
                return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
            a->surf_arg[a->nsurf_arg++] = argv[i];
        } else {
            a->inputs[a->ninputs++] = argv[i]; /* compacts argv in place */
        }
    }
    return parse_check(a);
}

/* ---- surfaces ------------------------------------------------------------------ */

static int fail_msg(const eval_args *a, int code, const char *fmt, const char *s1,
                    const char *s2)
{
    rtm_error e;
    rtm_error_set(&e, code, fmt, s1, s2);
    return rtm_cli_fail(&a->c, &e);
}

static int oom(const eval_args *a)
{
    rtm_error e;
    rtm_error_set(&e, RTM_ERR_NOMEM, "evaluate: out of memory");
    return rtm_cli_fail(&a->c, &e);
}

static int find_surface(const eval_state *s, const char *name)
{
    for (int i = 0; i < s->ns; i++)
        if (!strcmp(s->s[i].name, name))
            return i;
    return -1;
}

/* NAME=FILE or FILE (name: the base name without extension). */
static void split_surface_arg(const char *arg, char *name, size_t namesz, const char **path)
{
    const char *eq = strchr(arg, '='), *base, *dot;
    size_t n;
    if (eq && eq > arg && !memchr(arg, '/', (size_t)(eq - arg))) {
        n = (size_t)(eq - arg);
        *path = eq + 1;
    } else {
        *path = arg;
        base = strrchr(arg, '/');
        base = base ? base + 1 : arg;
        dot = strrchr(base, '.');
        n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
        arg = base;
    }
    if (n >= namesz)
        n = namesz - 1;
    memcpy(name, arg, n);
    name[n] = 0;
}

static int same_crs(const char *x, const char *y)
{
    OGRSpatialReferenceH a, b;
    int same = 0;
    if (!x[0] || !y[0] || !strcmp(x, y))
        return 1;
    a = OSRNewSpatialReference(NULL);
    b = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(a, x) == OGRERR_NONE && OSRSetFromUserInput(b, y) == OGRERR_NONE)
        same = OSRIsSame(a, b);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    return same;
}

static int same_grid(const rtm_grid *g, const rtm_grid *h)
{
    double tol = 1e-6 * g->res;
    return g->ncols == h->ncols && g->nrows == h->nrows && fabs(g->res - h->res) <= tol &&
           fabs(g->x0 - h->x0) <= tol && fabs(g->y0 - h->y0) <= tol;
}

static int add_surface(eval_state *s, const char *name, const char *source, double *v,
                       int derived)
{
    surface *f = &s->s[s->ns++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->source, sizeof f->source, "%s", source);
    f->v = v;
    f->derived = derived;
    return 0;
}

static int alloc_mask(eval_args *a, eval_state *s)
{
    rtm_error e;
    s->ncells = rtm_grid_ncells(&s->grid);
    if (!(s->mask = malloc(s->ncells))) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory for %zu cells", s->ncells);
        return rtm_cli_fail(&a->c, &e);
    }
    memset(s->mask, 1, s->ncells);
    return 0;
}

/* Read one surface file; the first sets the grid, the others must match. */
static int read_surface(eval_args *a, eval_state *s, const char *arg)
{
    char name[96], msg[600];
    const char *path;
    rtm_error e;
    rtm_surface *r;
    split_surface_arg(arg, name, sizeof name, &path);
    if (!name[0] || find_surface(s, name) >= 0)
        return rtm_cli_usage(&a->c, "surface name '%s' is empty or given twice (use NAME=FILE)",
                             name);
    if (!(r = rtm_raster_read(path, &e)))
        return rtm_cli_fail(&a->c, &e);
    if (s->ns == 0) {
        s->grid = r->grid;
        if (alloc_mask(a, s)) {
            rtm_surface_free(r);
            return RTM_EXIT_FAIL;
        }
    } else if (!same_grid(&s->grid, &r->grid) || !same_crs(s->grid.crs, r->grid.crs)) {
        snprintf(msg, sizeof msg, "evaluate: surface '%%s' is not on the grid of '%%s' (%d x %d "
                 "cells of %g from %.10g,%.10g%s): every surface must share one grid",
                 s->grid.ncols, s->grid.nrows, s->grid.res, s->grid.x0, s->grid.y0,
                 same_crs(s->grid.crs, r->grid.crs) ? "" : ", other CRS");
        rtm_surface_free(r);
        return fail_msg(a, RTM_ERR_INPUT, msg, path, s->s[0].source);
    }
    if (r->mask)
        for (size_t k = 0; k < s->ncells; k++)
            s->mask[k] &= r->mask[k] != 0;
    add_surface(s, name, path, r->v, 0);
    r->v = NULL;
    rtm_surface_free(r);
    return 0;
}

/* Grid and evaluated cells: from the surface files, or from the event grid
 * options when there are none; the study area restricts both. */
static int setup_grid(eval_args *a, eval_state *s)
{
    rtm_error e;
    int rc;
    for (int i = 0; i < a->nsurf_arg; i++)
        if ((rc = read_surface(a, s, a->surf_arg[i])))
            return rc;
    s->nfile = s->ns;
    if (s->ns == 0) {
        if (!a->ev.has_bbox && !a->ev.study_area)
            return rtm_cli_usage(&a->c, "without a surface file, give the grid with --bbox or "
                                        "--study-area (and --resolution)");
        if ((rc = rtm_cli_events_grid(&a->ev, &a->c)))
            return rc;
        s->grid = a->ev.grid;
        if ((rc = alloc_mask(a, s)))
            return rc;
        if (a->ev.mask)
            memcpy(s->mask, a->ev.mask, s->ncells);
        s->dst_crs = a->ev.dst_crs;
    } else {
        if (a->ev.has_bbox || a->ev.res > 0)
            return rtm_cli_usage(&a->c, "the grid comes from the first surface: drop --bbox and "
                                        "--resolution");
        if (a->ev.dst_crs && s->grid.crs[0] && !same_crs(a->ev.dst_crs, s->grid.crs))
            return rtm_cli_usage(&a->c, "--dst-crs '%s' is not the CRS of the surfaces",
                                 a->ev.dst_crs);
        s->dst_crs = s->grid.crs[0] ? s->grid.crs : a->ev.dst_crs;
        if (!s->dst_crs)
            return rtm_cli_usage(&a->c, "the surfaces have no CRS: give --dst-crs");
        if (a->ev.study_area) {
            unsigned char *m = NULL;
            if (rtm_area_load(a->ev.study_area, a->ev.study_layer, a->ev.study_where, s->dst_crs,
                              s->grid.res, &s->grid, &m, NULL, &e))
                return rtm_cli_fail(&a->c, &e);
            for (size_t k = 0; k < s->ncells; k++)
                s->mask[k] &= m[k] != 0;
            free(m);
        }
    }
    s->area_cells = 0;
    for (size_t k = 0; k < s->ncells; k++)
        s->area_cells += s->mask[k];
    if (a->ev.weight_table_path && !(s->wt = rtm_weight_table_load(a->ev.weight_table_path, &e)))
        return rtm_cli_fail(&a->c, &e);
    return 0;
}

/* ---- events -------------------------------------------------------------------- */

static int load_events(eval_args *a, eval_state *s, char **inputs, int n, int from, int to,
                       rtm_points *pts, rtm_load_stats *st, const char *what)
{
    rtm_load_opts lo = a->ev.lo;
    rtm_error e;
    int cnt = 0, rc = 0;
    char **list = rtm_cli_glob(inputs, n, &cnt);
    lo.month_from = from;
    lo.month_to = to;
    lo.dst_crs = s->dst_crs;
    lo.weight_table = s->wt;
    lo.area_grid = &s->grid;
    lo.area_mask = s->mask;
    if (cnt < 1)
        rc = rtm_cli_usage(&a->c, "no %s files match", what);
    for (int i = 0; i < cnt && !rc; i++)
        if (rtm_points_load(pts, list[i], &lo, st, &e))
            rc = rtm_cli_fail(&a->c, &e);
    rtm_cli_glob_free(list, cnt);
    if (!rc)
        rtm_cli_load_summary(&a->c, what, st);
    return rc;
}

static double *bin(eval_args *a, eval_state *s, const rtm_points *p)
{
    double *c = malloc(s->ncells * sizeof *c);
    rtm_error e;
    if (!c) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory for %zu cells", s->ncells);
        rtm_cli_fail(&a->c, &e);
        return NULL;
    }
    rtm_bin_points(&s->grid, p->x, p->y, p->w, p->n, c);
    return c;
}

/* ---- derived surfaces ------------------------------------------------------------ */

static int kde_surface(eval_args *a, eval_state *s, double bw, const double *x, const double *y,
                       const double *w, size_t n)
{
    rtm_kde_opts ko;
    rtm_error e;
    char name[64], src[128];
    double *v = malloc(s->ncells * sizeof *v);
    if (!v) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory for %zu cells", s->ncells);
        return rtm_cli_fail(&a->c, &e);
    }
    rtm_kde_opts_init(&ko);
    ko.radius = bw;
    ko.units = RTM_UNITS_CELL;
    ko.threads = a->threads;
    if (rtm_kde_compute(&s->grid, x, y, w, n, &ko, v, &e)) {
        free(v);
        return rtm_cli_fail(&a->c, &e);
    }
    snprintf(name, sizeof name, "kde%g", bw);
    snprintf(src, sizeof src, "quartic KDE of the training events (radius %g)", bw);
    return add_surface(s, name, src, v, 1);
}

/* max over the evaluated cells of the finite values (NaN if none) */
static double surface_max(const eval_state *s, const double *v)
{
    double m = NAN;
    for (size_t k = 0; k < s->ncells; k++)
        if (s->mask[k] && isfinite(v[k]) && !(v[k] <= m))
            m = v[k];
    return m;
}

static int combine_surface(eval_args *a, eval_state *s, const char *spec)
{
    char an[96], bn[96];
    const char *star = strchr(spec, '*');
    size_t la = (size_t)(star - spec);
    int ia, ib;
    double ma, mb, *v;
    if (la >= sizeof an)
        la = sizeof an - 1;
    memcpy(an, spec, la);
    an[la] = 0;
    snprintf(bn, sizeof bn, "%s", star + 1);
    if ((ia = find_surface(s, an)) < 0 || (ib = find_surface(s, bn)) < 0)
        return rtm_cli_usage(&a->c, "--combine '%s': no surface named '%s'", spec,
                             ia < 0 ? an : bn);
    ma = surface_max(s, s->s[ia].v);
    mb = surface_max(s, s->s[ib].v);
    if (!(ma > 0) || !(mb > 0))
        return fail_msg(a, RTM_ERR_INPUT, "evaluate: --combine '%s': surface '%s' has no "
                        "positive value to normalise by", spec, ma > 0 ? bn : an);
    if (!(v = malloc(s->ncells * sizeof *v)))
        return oom(a);
    for (size_t k = 0; k < s->ncells; k++)
        v[k] = (s->s[ia].v[k] / ma) * (s->s[ib].v[k] / mb);
    return add_surface(s, spec, "product of the two surfaces (each divided by its maximum)", v,
                       1);
}

static void drop_derived(eval_state *s)
{
    while (s->ns > s->nfile) {
        s->ns--;
        free(s->s[s->ns].v);
        s->s[s->ns].v = NULL;
    }
}

/* KDE at every bandwidth and the prior counts from the given training
 * points / counts, then the combinations (which may use any surface). */
static int build_derived(eval_args *a, eval_state *s, const double *x, const double *y,
                         const double *w, size_t n, const double *train_counts)
{
    int rc;
    for (int b = 0; b < a->nbw; b++) {
        if (s->ns == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        if ((rc = kde_surface(a, s, a->bw[b], x, y, w, n)))
            return rc;
    }
    if (a->prior) {
        double *v;
        if (s->ns == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        if (!(v = malloc(s->ncells * sizeof *v)))
            return oom(a);
        memcpy(v, train_counts, s->ncells * sizeof *v);
        add_surface(s, "prior", "training events per cell", v, 1);
    }
    for (int c = 0; c < a->ncombine; c++) {
        if (s->ns == MAX_SURF)
            return rtm_cli_usage(&a->c, "too many surfaces (at most %d)", MAX_SURF);
        if ((rc = combine_surface(a, s, a->combine[c])))
            return rc;
    }
    for (int i = s->nfile; i < s->ns; i++)
        if (find_surface(s, s->s[i].name) != i)
            return rtm_cli_usage(&a->c, "surface name '%s' given twice (rename the file "
                                        "surface with NAME=FILE)", s->s[i].name);
    return 0;
}

/* Concentration of the test counts: Lorenz shares at the coverages, the
 * area holding 25/50/75 % of events, Gini. */
typedef struct conc {
    double top[MAX_COV];
    double area_for[3];
    rtm_gini_t gini;
} conc;

static const double CONC_SHARES[3] = {0.25, 0.5, 0.75};

/* The Lorenz curve of the test counts (rtm_concentration.h: cells ranked by
 * count, tie blocks pro rata) is exactly the "best possible" curve that
 * rtm_eval_curve already built (cells ranked by the test counts themselves,
 * same tie blocks), so it is borrowed from there instead of sorting the
 * cells twice more. Gini: G = 2 int_0^1 L(a) da - 1 (the identity stated in
 * rtm_concentration.h), the integral by the trapezoid rule, exact on the
 * piecewise-linear L; unbiased G n/(n-1); generalized (Bernasco & Steenbeek
 * 2017) max(1, n/N)(G - 1) + 1. */
static void concentration_from_curve(const eval_args *a, const rtm_eval_curve_t *c, conc *out)
{
    rtm_lorenz l;
    double n = c->area, N = c->total, integral = 0, G;
    l.npts = c->best_npts;
    l.cells = c->best_cells;
    l.events = c->best_events;
    l.total_cells = n;
    l.total_events = N;
    for (size_t i = 0; i < a->ncov; i++)
        out->top[i] = rtm_lorenz_top_share(&l, a->cov[i] / 100.0);
    for (int k = 0; k < 3; k++)
        out->area_for[k] = rtm_lorenz_area_for(&l, CONC_SHARES[k]);
    out->gini.n = n;
    out->gini.total = N;
    if (n == 0 || N == 0) {
        out->gini.gini = out->gini.gini_unbiased = out->gini.gini_generalized = NAN;
        return;
    }
    for (size_t k = 0; k + 1 < c->best_npts; k++)
        integral += (c->best_cells[k + 1] - c->best_cells[k]) *
                    (c->best_events[k] + c->best_events[k + 1]);
    G = integral / (n * N) - 1; /* 2 * sum(dx (y0 + y1) / 2) / (n N) - 1 */
    out->gini.gini = G;
    out->gini.gini_unbiased = n > 1 ? G * n / (n - 1) : NAN;
    out->gini.gini_generalized = (n / N > 1 ? n / N : 1) * (G - 1) + 1;
}

/* ---- evaluation ----------------------------------------------------------------- */

/* Metrics of one surface; with_curve: also the sampled curves; cc (may be
 * NULL): the concentration of the test counts. */
static int evaluate_surface(eval_args *a, const eval_state *s, const double *v,
                            const double *counts, const double *train, surf_result *r,
                            int with_curve, conc *cc)
{
    rtm_eval_curve_t *c = NULL;
    rtm_error e;
    double cov[MAX_COV];
    for (size_t i = 0; i < a->ncov; i++)
        cov[i] = a->cov[i] / 100.0;
    if (rtm_eval_curve_ex(v, counts, train, s->mask, s->ncells, &c, &e) ||
        rtm_eval_at_many(c, cov, a->ncov, r->m, &e)) {
        rtm_eval_curve_free(c);
        return rtm_cli_fail(&a->c, &e);
    }
    r->auc = rtm_eval_auc(c);
    r->curve = NULL;
    if (cc)
        concentration_from_curve(a, c, cc);
    if (with_curve) {
        if (!(r->curve = malloc(NSAMPLES * sizeof *r->curve)) ||
            rtm_eval_sample(c, NSAMPLES, r->curve, &e)) {
            rtm_eval_curve_free(c);
            rtm_error_set(&e, RTM_ERR_NOMEM, "evaluate: out of memory (curve)");
            return rtm_cli_fail(&a->c, &e);
        }
    }
    rtm_eval_curve_free(c);
    return 0;
}

/* ---- output helpers ----------------------------------------------------------- */

static int make_dir(eval_args *a, const char *dir)
{
    struct stat st;
    rtm_error e;
    if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    rtm_error_set(&e, RTM_ERR_IO, "evaluate: cannot create directory '%s': %s", dir,
                  strerror(errno));
    return rtm_cli_fail(&a->c, &e);
}

/* Write the memstream text to DIR/name. */
static int write_text(eval_args *a, const char *name, char *buf, size_t len)
{
    char path[4096];
    rtm_error e;
    int rc = 0;
    snprintf(path, sizeof path, "%s/%s", a->outdir, name);
    if (rtm_atomic_write_text(path, buf ? buf : "", buf ? len : 0, &e))
        rc = rtm_cli_fail(&a->c, &e);
    else
        rtm_cli_info(&a->c, "wrote %s\n", path);
    free(buf);
    return rc;
}

/* A number for tables: "n/a" for NaN. */
static const char *num(char *buf, size_t sz, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, sz, "n/a");
    else
        snprintf(buf, sz, fmt, v);
    return buf;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

/* CSV field with quotes when needed. */
static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static double cell_km2(const eval_state *s)
{
    double mpu = rtm_crs_metres_per_unit(s->dst_crs);
    if (!(mpu > 0))
        mpu = 1;
    return s->grid.res * s->grid.res * mpu * mpu / 1e6;
}

/* ---- single evaluation outputs ---------------------------------------------- */

static int write_metrics_csv(eval_args *a, const eval_state *s, const surf_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    double km2 = cell_km2(s);
    if (!f)
        return oom(a);
    fputs("surface,source,coverage_pct,cells,area_km2,events,test_events,hit_rate,pai,"
          "best_events,pei,rri,threshold,auc\n", f);
    for (int i = 0; i < s->ns; i++)
        for (size_t c = 0; c < a->ncov; c++) {
            const rtm_eval_metrics *m = &r[i].m[c];
            csv_str(f, s->s[i].name);
            fputc(',', f);
            csv_str(f, s->s[i].source);
            fprintf(f, ",%.10g", a->cov[c]);
            csv_num(f, m->cells);
            csv_num(f, m->cells * km2);
            csv_num(f, m->events);
            csv_num(f, s->total);
            csv_num(f, m->hit_rate);
            csv_num(f, m->pai);
            csv_num(f, m->best_events);
            csv_num(f, m->pei);
            csv_num(f, m->rri);
            csv_num(f, m->threshold);
            csv_num(f, r[i].auc);
            fputc('\n', f);
        }
    fclose(f);
    return write_text(a, "metrics.csv", buf, len);
}

static int write_curves_csv(eval_args *a, const eval_state *s, const surf_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(a);
    fputs("surface,coverage_pct,hit_rate,pai,pei,best_hit_rate\n", f);
    for (int i = 0; i < s->ns; i++)
        for (size_t k = 0; k < NSAMPLES; k++) {
            const rtm_eval_metrics *m = &r[i].curve[k];
            csv_str(f, s->s[i].name);
            fprintf(f, ",%.10g", m->coverage * 100);
            csv_num(f, m->hit_rate);
            csv_num(f, m->pai);
            csv_num(f, m->pei);
            csv_num(f, s->total > 0 ? m->best_events / s->total : NAN);
            fputc('\n', f);
        }
    fclose(f);
    return write_text(a, "curves.csv", buf, len);
}

static int write_conc_csv(eval_args *a, const conc *cc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(a);
    fputs("measure,value\n", f);
    for (size_t c = 0; c < a->ncov; c++) {
        fprintf(f, "share_of_events_in_top_%g_pct_of_cells", a->cov[c]);
        csv_num(f, cc->top[c]);
        fputc('\n', f);
    }
    for (int k = 0; k < 3; k++) {
        fprintf(f, "area_share_holding_%g_pct_of_events", CONC_SHARES[k] * 100);
        csv_num(f, cc->area_for[k]);
        fputc('\n', f);
    }
    fputs("gini", f);
    csv_num(f, cc->gini.gini);
    fputs("\ngini_unbiased", f);
    csv_num(f, cc->gini.gini_unbiased);
    fputs("\ngini_generalized", f);
    csv_num(f, cc->gini.gini_generalized);
    fputs("\ncells", f);
    csv_num(f, cc->gini.n);
    fputs("\nevents", f);
    csv_num(f, cc->gini.total);
    fputc('\n', f);
    fclose(f);
    return write_text(a, "concentration.csv", buf, len);
}

static void md_header(FILE *f, eval_args *a, const eval_state *s, double n_test)
{
    fprintf(f, "- Grid: %d x %d cells of %g (%s); evaluated area A = %.0f cells (%.4g km²)\n",
            s->grid.ncols, s->grid.nrows, s->grid.res, s->dst_crs, s->area_cells,
            s->area_cells * cell_km2(s));
    fprintf(f, "- Test events: N = %.10g in the evaluated area", n_test);
    if (a->ev.lo.month_from || a->ev.lo.month_to)
        fprintf(f, " (months %04d-%02d to %04d-%02d)", a->ev.lo.month_from / 100,
                a->ev.lo.month_from % 100, a->ev.lo.month_to / 100, a->ev.lo.month_to % 100);
    if (a->ev.lo.where)
        fprintf(f, ", filter `%s`", a->ev.lo.where);
    fputs("\n", f);
}

static void md_definitions(FILE *f, int have_train)
{
    fputs("\nHit rate = n/N; PAI = (n/N)/(a/A) (Chainey, Tompson & Uhlig 2008); PEI = n/n*, "
          "n* = events in the best a cells ranked by the test counts (Hunt 2016); RRI = "
          "Levine's recapture rate index (n/N)/(n1/N1), n1 and N1 the training events in the "
          "flagged cells and in total (Levine 2008)", f);
    fputs(have_train ? ".\n" : "; n/a here: no training events were given.\n", f);
    fputs("Cells are ranked by surface value; tied cells are credited pro rata when the "
          "coverage ends inside a tie block.\n", f);
}

static int write_metrics_md(eval_args *a, const eval_state *s, const surf_result *r,
                            const conc *cc)
{
    char *buf = NULL, b1[32], b2[32], b3[32], b4[32], b5[32];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    double N = cc->gini.total;
    if (!f)
        return oom(a);
    fprintf(f, "# Evaluation of %d surface%s\n\n", s->ns, s->ns == 1 ? "" : "s");
    md_header(f, a, s, N);
    if (s->train_counts)
        fprintf(f, "- Training events: %zu in the evaluated area\n", s->train.n);
    fputs("\n## Surfaces\n\n| Surface | Source | AUC |\n|---|---|---:|\n", f);
    for (int i = 0; i < s->ns; i++)
        fprintf(f, "| %s | %s | %s |\n", s->s[i].name, s->s[i].source,
                num(b1, sizeof b1, "%.3f", r[i].auc));
    fputs("\n## Hit rate, PAI, PEI and RRI by area coverage\n\n"
          "| Coverage | Surface | Cells a | Events n | Hit rate | PAI | PEI | RRI |\n"
          "|---:|---|---:|---:|---:|---:|---:|---:|\n", f);
    for (size_t c = 0; c < a->ncov; c++)
        for (int i = 0; i < s->ns; i++) {
            const rtm_eval_metrics *m = &r[i].m[c];
            fprintf(f, "| %g %% | %s | %.6g | %s | %s | %s | %s | %s |\n", a->cov[c],
                    s->s[i].name, m->cells, num(b1, sizeof b1, "%.6g", m->events),
                    num(b2, sizeof b2, "%.1f %%", m->hit_rate * 100),
                    num(b3, sizeof b3, "%.2f", m->pai), num(b4, sizeof b4, "%.3f", m->pei),
                    num(b5, sizeof b5, "%.3f", m->rri));
        }
    md_definitions(f, s->train_counts != NULL);
    fputs("\n## Concentration of the test events\n\n", f);
    if (N > 0 && isfinite(cc->area_for[1]))
        fprintf(f, "%.0f %% of events in %.2f %% of the area: half of the %.10g test events "
                "fell in %.2f %% of the %.0f evaluated cells (the busiest cells first).\n\n",
                CONC_SHARES[1] * 100, cc->area_for[1] * 100, N, cc->area_for[1] * 100,
                s->area_cells);
    else
        fputs("No test events in the evaluated area.\n\n", f);
    fputs("| Top cells | Share of events |\n|---:|---:|\n", f);
    for (size_t c = 0; c < a->ncov; c++)
        fprintf(f, "| %g %% | %s |\n", a->cov[c],
                num(b1, sizeof b1, "%.1f %%", cc->top[c] * 100));
    fputs("\n| Share of events | Smallest share of area holding it |\n|---:|---:|\n", f);
    for (int k = 0; k < 3; k++)
        fprintf(f, "| %g %% | %s |\n", CONC_SHARES[k] * 100,
                num(b1, sizeof b1, "%.2f %%", cc->area_for[k] * 100));
    fprintf(f, "\nGini coefficient of the test counts per cell: %s (population form); "
            "%s generalized for sparse counts (Bernasco & Steenbeek 2017).\n",
            num(b1, sizeof b1, "%.3f", cc->gini.gini),
            num(b2, sizeof b2, "%.3f", cc->gini.gini_generalized));
    fputs("\nFiles: metrics.csv (every metric), curves.csv (hit rate, PAI and PEI at every "
          "0.1 % of area), concentration.csv, hitrate.png, pai.png.\n", f);
    fclose(f);
    return write_text(a, "metrics.md", buf, len);
}

/* Hit-rate and PAI charts: up to 7 surfaces plus the best possible curve. */
static int write_charts(eval_args *a, const eval_state *s, const surf_result *r)
{
    int ns = s->ns < 7 ? s->ns : 7, rc = 0, k0 = NSAMPLES / 100; /* PAI from 1 % */
    size_t np = NSAMPLES + 1;
    double *x = malloc(np * sizeof *x), *y = malloc((size_t)(ns + 1) * np * sizeof *y);
    rtm_chart_series ser[8];
    rtm_error e;
    char path[4096];
    if (!x || !y) {
        free(x), free(y);
        return oom(a);
    }
    if (s->ns > ns)
        rtm_cli_info(&a->c, "charts show the first 7 of %d surfaces\n", s->ns);
    x[0] = 0;
    for (size_t k = 0; k < NSAMPLES; k++)
        x[k + 1] = r[0].curve[k].coverage * 100;
    for (int i = 0; i <= ns; i++) {
        double *yi = y + (size_t)i * np;
        yi[0] = 0;
        for (size_t k = 0; k < NSAMPLES; k++) {
            const rtm_eval_metrics *m = &r[i < ns ? i : 0].curve[k];
            yi[k + 1] = 100 * (i < ns ? m->hit_rate
                                      : s->total > 0 ? m->best_events / s->total : NAN);
        }
        ser[i].name = i < ns ? s->s[i].name : "best possible (test counts)";
        ser[i].x = x;
        ser[i].y = yi;
        ser[i].n = np;
    }
    snprintf(path, sizeof path, "%s/hitrate.png", a->outdir);
    if (rtm_chart_png_write(path, "Hit rate against area coverage", "share of area flagged (%)",
                            "share of test events in the flagged area (%)", ser, ns + 1, &e))
        rc = rtm_cli_fail(&a->c, &e);
    else
        rtm_cli_info(&a->c, "wrote %s\n", path);
    for (int i = 0; i < ns && !rc; i++) {
        double *yi = y + (size_t)i * np;
        for (size_t k = 0; k < NSAMPLES; k++)
            yi[k] = r[i].curve[k].pai;
        ser[i].x = x + 1 + k0 - 1;
        ser[i].y = yi + k0 - 1;
        ser[i].n = NSAMPLES - (size_t)k0 + 1;
    }
    snprintf(path, sizeof path, "%s/pai.png", a->outdir);
    if (!rc && rtm_chart_png_write(path, "Predictive accuracy index (PAI) against area coverage",
                                   "share of area flagged (%)", "PAI = hit rate / area share",
                                   ser, ns, &e))
        rc = rtm_cli_fail(&a->c, &e);
    else if (!rc)
        rtm_cli_info(&a->c, "wrote %s\n", path);
    free(x), free(y);
    return rc;
}

static void print_summary(eval_args *a, const eval_state *s, const surf_result *r)
{
    char b1[32], b2[32], b3[32];
    if (a->c.quiet)
        return;
    printf("%-24s %8s %10s %8s %7s\n", "surface", "coverage", "hit rate", "PAI", "PEI");
    for (int i = 0; i < s->ns; i++)
        for (size_t c = 0; c < a->ncov; c++)
            printf("%-24s %7g%% %10s %8s %7s\n", c ? "" : s->s[i].name, a->cov[c],
                   num(b1, sizeof b1, "%.2f%%", r[i].m[c].hit_rate * 100),
                   num(b2, sizeof b2, "%.2f", r[i].m[c].pai),
                   num(b3, sizeof b3, "%.3f", r[i].m[c].pei));
}

static int load_train(eval_args *a, eval_state *s)
{
    int rc;
    if (a->ntrain_arg == 0)
        return 0;
    if ((rc = load_events(a, s, a->train_arg, a->ntrain_arg, a->train_from, a->train_to,
                          &s->train, &s->train_st, "training events")))
        return rc;
    return (s->train_counts = bin(a, s, &s->train)) ? 0 : RTM_EXIT_FAIL;
}

static int run_evaluate(eval_args *a, eval_state *s)
{
    surf_result *r = NULL;
    conc cc;
    int rc, i;
    struct timespec t0, t1;
    if ((rc = load_events(a, s, a->inputs, a->ninputs, a->ev.lo.month_from, a->ev.lo.month_to,
                          &s->test, &s->test_st, "test events")))
        return rc;
    if (!(s->counts = bin(a, s, &s->test)) || (rc = load_train(a, s)))
        return rc ? rc : RTM_EXIT_FAIL;
    for (size_t k = 0; k < s->ncells; k++)
        s->total += s->mask[k] ? s->counts[k] : 0;
    if (s->area_cells == 0 || !(s->total > 0))
        return fail_msg(a, RTM_ERR_INPUT, "evaluate: %s%s: nothing to evaluate",
                        s->area_cells == 0 ? "no cell has data in every surface"
                                           : "no test events in the evaluated area",
                        s->area_cells == 0 ? "" : " (check --from/--to and --where)");
    if (s->train_counts &&
        (rc = build_derived(a, s, s->train.x, s->train.y, s->train.w, s->train.n,
                            s->train_counts)))
        return rc;
    if (!s->train_counts && a->ncombine && (rc = build_derived(a, s, NULL, NULL, NULL, 0, NULL)))
        return rc;
    if (!(r = calloc((size_t)s->ns, sizeof *r)))
        return oom(a);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < s->ns && !rc; i++)
        rc = evaluate_surface(a, s, s->s[i].v, s->counts, s->train_counts, &r[i], 1,
                              i == 0 ? &cc : NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc)
        rtm_cli_info(&a->c, "evaluated %d surface%s of %zu cells in %.3f s\n", s->ns,
                     s->ns == 1 ? "" : "s", s->ncells,
                     (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
    if (!rc && !(rc = make_dir(a, a->outdir)) &&
        !(rc = write_metrics_csv(a, s, r)) && !(rc = write_curves_csv(a, s, r)) &&
        !(rc = write_conc_csv(a, &cc)) && !(rc = write_metrics_md(a, s, r, &cc)) &&
        !(rc = write_charts(a, s, r)))
        print_summary(a, s, r);
    for (i = 0; i < s->ns; i++)
        free(r[i].curve);
    free(r);
    return rc;
}

/* ---- back-test -------------------------------------------------------------------- */

typedef struct bt_step {
    rtm_backtest_step st;
    size_t ntrain, ntest;
    surf_result *r; /* per surface */
} bt_step;

/* Mean over steps of the finite values (fixed order). */
static double bt_mean(const bt_step *b, size_t n, int surf, int cov, int field)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t t = 0; t < n; t++) {
        const surf_result *r = &b[t].r[surf];
        double v = field == 0 ? r->m[cov].hit_rate : field == 1 ? r->m[cov].pai
                 : field == 2 ? r->m[cov].pei : field == 3 ? r->m[cov].rri : r->auc;
        if (isfinite(v))
            sum += v, cnt++;
    }
    return cnt ? sum / (double)cnt : NAN;
}

static void fmt_month(char *buf, int m)
{
    snprintf(buf, 16, "%04d-%02d", (m / 100) % 10000, m % 100);
}

static int write_bt_csv(eval_args *a, const eval_state *s, const bt_step *b, size_t n)
{
    char *buf = NULL, m1[16], m2[16], m3[16];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(a);
    fputs("step,train_from,train_to,test_month,train_events,test_events,surface,coverage_pct,"
          "events,hit_rate,pai,pei,rri,auc\n", f);
    for (size_t t = 0; t <= n; t++)
        for (int i = 0; i < s->ns; i++)
            for (size_t c = 0; c < a->ncov; c++) {
                if (t < n) {
                    const rtm_eval_metrics *m = &b[t].r[i].m[c];
                    fmt_month(m1, b[t].st.train_from);
                    fmt_month(m2, b[t].st.train_to);
                    fmt_month(m3, b[t].st.test_month);
                    fprintf(f, "%zu,%s,%s,%s,%zu,%zu,", t + 1, m1, m2, m3, b[t].ntrain,
                            b[t].ntest);
                    csv_str(f, s->s[i].name);
                    fprintf(f, ",%g", a->cov[c]);
                    csv_num(f, m->events);
                    csv_num(f, m->hit_rate);
                    csv_num(f, m->pai);
                    csv_num(f, m->pei);
                    csv_num(f, m->rri);
                    csv_num(f, b[t].r[i].auc);
                } else {
                    fputs("mean,,,,,,", f);
                    csv_str(f, s->s[i].name);
                    fprintf(f, ",%g,", a->cov[c]);
                    for (int fld = 0; fld < 5; fld++)
                        csv_num(f, bt_mean(b, n, i, (int)c, fld));
                }
                fputc('\n', f);
            }
    fclose(f);
    return write_text(a, "backtest.csv", buf, len);
}

static int write_bt_md(eval_args *a, const eval_state *s, const bt_step *b, size_t n)
{
    char *buf = NULL, m1[16], m2[16], m3[16], x[5][32];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(a);
    fprintf(f, "# Rolling back-test: %zu step%s\n\n", n, n == 1 ? "" : "s");
    fprintf(f, "- Grid: %d x %d cells of %g (%s); evaluated area A = %.0f cells\n",
            s->grid.ncols, s->grid.nrows, s->grid.res, s->dst_crs, s->area_cells);
    fprintf(f, "- Each step trains on the months shown and tests on the next month%s.\n\n",
            a->window ? " (sliding window)" : " (expanding window)");
    fputs("| Step | Training months | Training events | Test month | Test events |\n"
          "|---:|---|---:|---|---:|\n", f);
    for (size_t t = 0; t < n; t++) {
        fmt_month(m1, b[t].st.train_from);
        fmt_month(m2, b[t].st.train_to);
        fmt_month(m3, b[t].st.test_month);
        fprintf(f, "| %zu | %s to %s | %zu | %s | %zu |\n", t + 1, m1, m2, b[t].ntrain, m3,
                b[t].ntest);
    }
    fputs("\n## Mean over the steps\n\n| Coverage | Surface | Hit rate | PAI | PEI | RRI | "
          "AUC |\n|---:|---|---:|---:|---:|---:|---:|\n", f);
    for (size_t c = 0; c < a->ncov; c++)
        for (int i = 0; i < s->ns; i++)
            fprintf(f, "| %g %% | %s | %s | %s | %s | %s | %s |\n", a->cov[c], s->s[i].name,
                    num(x[0], 32, "%.1f %%", bt_mean(b, n, i, (int)c, 0) * 100),
                    num(x[1], 32, "%.2f", bt_mean(b, n, i, (int)c, 1)),
                    num(x[2], 32, "%.3f", bt_mean(b, n, i, (int)c, 2)),
                    num(x[3], 32, "%.3f", bt_mean(b, n, i, (int)c, 3)),
                    num(x[4], 32, "%.3f", bt_mean(b, n, i, (int)c, 4)));
    for (size_t c = 0; c < a->ncov; c++) {
        fprintf(f, "\n## PAI at %g %% per step\n\n| Surface |", a->cov[c]);
        for (size_t t = 0; t < n; t++) {
            fmt_month(m3, b[t].st.test_month);
            fprintf(f, " %s |", m3);
        }
        fputs(" Mean |\n|---|", f);
        for (size_t t = 0; t <= n; t++)
            fputs("---:|", f);
        fputc('\n', f);
        for (int i = 0; i < s->ns; i++) {
            fprintf(f, "| %s |", s->s[i].name);
            for (size_t t = 0; t < n; t++)
                fprintf(f, " %s |", num(x[0], 32, "%.2f", b[t].r[i].m[c].pai));
            fprintf(f, " %s |\n", num(x[0], 32, "%.2f", bt_mean(b, n, i, (int)c, 1)));
        }
    }
    fputs("\nMeans are over the steps where the metric is defined (a test month without "
          "events has none).\n", f);
    md_definitions(f, 1);
    fclose(f);
    return write_text(a, "backtest.md", buf, len);
}

/* One step: counts, surfaces from the step's training months, metrics. */
static int bt_run_step(eval_args *a, eval_state *s, bt_step *b, size_t *idx, double *tx,
                       double *ty, double *tw)
{
    const rtm_points *p = &s->test;
    rtm_error e;
    size_t m;
    int rc = 0;
    if (rtm_backtest_counts(&s->grid, p->x, p->y, p->w, p->month, p->n, &b->st, s->train_counts,
                            s->counts, &b->ntrain, &b->ntest, &e))
        return rtm_cli_fail(&a->c, &e);
    m = rtm_backtest_train_index(p->month, p->n, &b->st, idx);
    for (size_t k = 0; k < m; k++) {
        tx[k] = p->x[idx[k]];
        ty[k] = p->y[idx[k]];
        if (tw)
            tw[k] = p->w[idx[k]];
    }
    drop_derived(s);
    if ((rc = build_derived(a, s, tx, ty, p->w ? tw : NULL, m, s->train_counts)))
        return rc;
    if (!(b->r = calloc((size_t)s->ns, sizeof *b->r)))
        return oom(a);
    for (int i = 0; i < s->ns && !rc; i++)
        rc = evaluate_surface(a, s, s->s[i].v, s->counts, s->train_counts, &b->r[i], 0, NULL);
    return rc;
}

static int run_backtest(eval_args *a, eval_state *s)
{
    rtm_backtest_step *plan = NULL;
    rtm_backtest_opts bo;
    bt_step *b = NULL;
    size_t n = 0, *idx = NULL, t;
    double *tx = NULL, *ty = NULL, *tw = NULL;
    rtm_error e;
    int rc;
    if ((rc = load_events(a, s, a->inputs, a->ninputs, a->months_from, a->months_to, &s->test,
                          &s->test_st, "events")))
        return rc;
    rtm_backtest_opts_init(&bo);
    bo.min_train = a->min_train;
    bo.window = a->window;
    if (rtm_backtest_plan(a->months_from, a->months_to, &bo, &plan, &n, &e))
        return rtm_cli_fail(&a->c, &e);
    s->counts = malloc(s->ncells * sizeof *s->counts);
    s->train_counts = malloc(s->ncells * sizeof *s->train_counts);
    b = calloc(n, sizeof *b);
    idx = malloc((s->test.n + 1) * sizeof *idx);
    tx = malloc((s->test.n + 1) * sizeof *tx);
    ty = malloc((s->test.n + 1) * sizeof *ty);
    tw = malloc((s->test.n + 1) * sizeof *tw);
    if (!s->counts || !s->train_counts || !b || !idx || !tx || !ty || !tw) {
        rc = oom(a);
        goto done;
    }
    for (t = 0; t < n && !rc; t++) {
        char m3[16];
        b[t].st = plan[t];
        rc = bt_run_step(a, s, &b[t], idx, tx, ty, tw);
        fmt_month(m3, plan[t].test_month);
        if (!rc)
            rtm_cli_info(&a->c, "step %zu/%zu: test %s, %zu training and %zu test events\n",
                         t + 1, n, m3, b[t].ntrain, b[t].ntest);
    }
    if (!rc && !(rc = make_dir(a, a->outdir)) && !(rc = write_bt_csv(a, s, b, n)))
        rc = write_bt_md(a, s, b, n);
done:
    for (t = 0; b && t < n; t++)
        free(b[t].r);
    free(b), free(plan), free(idx), free(tx), free(ty), free(tw);
    return rc;
}

/* ---- command ---------------------------------------------------------------------- */

int rtm_cmd_evaluate(int argc, char **argv)
{
    eval_args a;
    eval_state s;
    int rc, i;
    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    a.c.cmd = "evaluate";
    a.min_train = 1;
    a.ncov = RTM_EVAL_NDEFAULT;
    for (i = 0; i < RTM_EVAL_NDEFAULT; i++)
        a.cov[i] = rtm_eval_default_coverages[i] * 100;
    rtm_cli_events_init(&a.ev);
    rtm_points_init(&s.test);
    rtm_points_init(&s.train);
    rtm_load_stats_init(&s.test_st);
    rtm_load_stats_init(&s.train_st);
    rc = parse(argc, argv, &a);
    if (!rc)
        rc = setup_grid(&a, &s);
    if (!rc)
        rc = a.backtest ? run_backtest(&a, &s) : run_evaluate(&a, &s);
    for (i = 0; i < s.ns; i++)
        free(s.s[i].v);
    free(s.mask);
    free(s.counts);
    free(s.train_counts);
    rtm_points_clear(&s.test);
    rtm_points_clear(&s.train);
    rtm_weight_table_free(s.wt);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
