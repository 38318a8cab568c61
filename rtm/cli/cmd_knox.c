/* cmd_knox.c: `rtm knox` - the near-repeat Knox test (rtm/knox.h) on events
 * with day-level dates: pair counts in distance x time bands against seeded
 * permutations of the event times. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/knox.h"

enum { OPT_DBANDS = OPT_EVENTS_LAST + 1, OPT_TBANDS, OPT_MANHATTAN, OPT_ITER, OPT_SEED,
       OPT_DATE_FIELD, OPT_SAME, OPT_NO_SAME, OPT_ALPHA, OPT_WHAT, OPT_TITLE, OPT_THREADS };

static const char HELP[] =
    "Usage: rtm knox [OPTIONS] -o OUTDIR EVENTS...\n\n"
    "The near-repeat Knox test, as Ratcliffe's Near Repeat Calculator and the R package\n"
    "NearRepeat compute it: every pair of events is counted in a distance band and a\n"
    "time band (days apart); expected counts are the means over random permutations of\n"
    "the event times with the places fixed; Knox ratio = observed / expected and\n"
    "p = (permutations >= observed + 1) / (iterations + 1). Events need dates with a\n"
    "day (police.uk's months are refused).\n\n"
    "Bands (left-closed: [a, b) holds a <= d < b):\n"
    "  --distance-bands D0,D1,...  distance edges in CRS units (default\n"
    "                         0,200,400,600,800,1000 m, as NearRepeat's tidy_near_repeat)\n"
    "  --time-bands T0,T1,...  edges in whole days (default 0,7,14,21,28)\n"
    "  --same-location TOL    the same-location band [0, TOL) put first, the first\n"
    "                         distance band then starting at TOL (default 0.001, as\n"
    "                         NearRepeat's sds = c(0, 0.001, ...))\n"
    "  --no-same-location     no same-location band\n"
    "  --manhattan            Manhattan distance |dx| + |dy| (default Euclidean)\n"
    "Test:\n"
    "  --iterations N         permutations (default 999)\n"
    "  --seed N               random seed (default 1); recorded in the outputs\n"
    "  --alpha A              significance level of the summary (default 0.05)\n"
    "  --threads N            worker threads (results identical for any N)\n"
    "  --date-field F         the date field (an alias of --month-field)\n"
    "Output:\n"
    "  -o, --output OUTDIR    folder: knox.csv (distance_from, distance_to, time_from,\n"
    "                         time_to, observed, expected, knox_ratio, p, median,\n"
    "                         knox_ratio_median, sd, z, n_ge), knox.json, knox.md (the\n"
    "                         findings in plain words), knox.png (heat table of the\n"
    "                         ratios); with times of day also knox_dayhour.csv/.png\n"
    "  --what NOUN            what the events are, for the summary (\"burglaries\")\n"
    "  --title TEXT           PNG title\n"
    "  -q, --quiet            no summary\n\n"
    "No grid or study area is needed; --dst-crs gives the projected CRS of the\n"
    "distances. A --study-area keeps only the events inside it.\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm knox --dst-crs EPSG:27700 --date-field Date --distance-bands 0,100,200,400 \\\n"
    "    --time-bands 0,7,14,28 --what burglaries -o nr burglary.csv\n";

typedef struct knox_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_knox_product p;
    double ds[101];
    int ts[101], threads;
} knox_args;

static int parse_edges(knox_args *a, const char *flag, const char *s, int days)
{
    double v[101];
    int n = rtm_cli_doubles(s, v, 101, -1, 1e12);
    if (n < 2)
        return rtm_cli_usage(&a->c, "%s needs 2 to 101 numbers >= 0 (got '%s')", flag, s);
    for (int i = 0; i < n; i++) {
        if (v[i] < 0 || (i && !(v[i] > v[i - 1])) || (days && (v[i] != floor(v[i]) ||
                                                              v[i] > 36600)))
            return rtm_cli_usage(&a->c, "%s must be increasing %s >= 0 (got '%s')", flag,
                                 days ? "whole days" : "numbers", s);
        if (days)
            a->ts[i] = (int)v[i];
        else
            a->ds[i] = v[i];
    }
    if (days)
        a->p.knox.nts = n;
    else
        a->p.knox.nds = n;
    return 0;
}

static int parse_num(knox_args *a, const char *flag, const char *s, double lo, double hi,
                     double *out)
{
    if (rtm_cli_double(s, out) || !(*out >= lo && *out <= hi))
        return rtm_cli_usage(&a->c, "%s must be a number in [%g, %g] (got '%s')", flag, lo, hi,
                             s);
    return 0;
}

static int knox_opt(void *ctx, int opt, const char *arg)
{
    knox_args *a = ctx;
    double v;
    char *end;
    switch (opt) {
    case 'o': a->p.dir = arg; return 0;
    case OPT_DBANDS: return parse_edges(a, "--distance-bands", arg, 0);
    case OPT_TBANDS: return parse_edges(a, "--time-bands", arg, 1);
    case OPT_MANHATTAN: a->p.knox.manhattan = 1; return 0;
    case OPT_ITER:
        if (parse_num(a, "--iterations", arg, 0, 1000000, &v) || v != floor(v))
            return rtm_cli_usage(&a->c, "--iterations must be a whole number 0..1000000");
        a->p.knox.iterations = (int)v;
        return 0;
    case OPT_SEED:
        a->p.knox.seed = strtoull(arg, &end, 10);
        return !*arg || *end || *arg == '-'
                   ? rtm_cli_usage(&a->c, "--seed must be a whole number >= 0 (got '%s')", arg)
                   : 0;
    case OPT_DATE_FIELD: a->ev.lo.month_field = arg; return 0;
    case OPT_SAME: return parse_num(a, "--same-location", arg, 1e-9, 1e12, &a->p.knox.same_location);
    case OPT_NO_SAME: a->p.knox.same_location = 0; return 0;
    case OPT_ALPHA: return parse_num(a, "--alpha", arg, 1e-9, 0.5, &a->p.alpha);
    case OPT_WHAT: a->p.what = arg; return 0;
    case OPT_TITLE: a->p.title = arg; return 0;
    case OPT_THREADS: return rtm_cli_threads(&a->c, arg, &a->threads);
    default: return RTM_CLI_NOT_MINE;
    }
}

static int parse(int argc, char **argv, knox_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"distance-bands", required_argument, 0, OPT_DBANDS},
        {"time-bands", required_argument, 0, OPT_TBANDS},
        {"manhattan", no_argument, 0, OPT_MANHATTAN},
        {"iterations", required_argument, 0, OPT_ITER}, {"seed", required_argument, 0, OPT_SEED},
        {"date-field", required_argument, 0, OPT_DATE_FIELD},
        {"same-location", required_argument, 0, OPT_SAME},
        {"no-same-location", no_argument, 0, OPT_NO_SAME},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"what", required_argument, 0, OPT_WHAT},
        {"title", required_argument, 0, OPT_TITLE},
        {"threads", required_argument, 0, OPT_THREADS},
        {"output", required_argument, 0, 'o'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, knox_opt, a, first);
    if (rc)
        return rc;
    if (!a->p.dir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (a->p.knox.same_location > 0 && (a->ds[0] != 0 || !(a->p.knox.same_location < a->ds[1])))
        return rtm_cli_usage(&a->c, "the same-location band needs distance bands from 0 and "
                             "a tolerance below the second edge (or --no-same-location)");
    a->ev.outputs[a->ev.noutputs++] = a->p.dir;
    return 0;
}

static void print_summary(const knox_args *a, const rtm_knox_result *r)
{
    if (a->c.quiet)
        return;
    printf("%zu pairs closer than %g; Knox ratios (* p < %g):\n", r->npairs,
           r->d_to[r->nd - 1], a->p.alpha);
    for (int d = 0; d < r->nd; d++) {
        printf("  [%g, %g)", r->d_from[d], r->d_to[d]);
        for (int t = 0; t < r->nt; t++) {
            int c = d * r->nt + t;
            printf("  %6.2f%s", r->ratio[c], r->p[c] < a->p.alpha && r->ratio[c] > 1 ? "*" : " ");
        }
        printf("\n");
    }
}

static int run(knox_args *a)
{
    rtm_product_env env;
    rtm_knox_result res;
    rtm_outset *out = NULL;
    rtm_error e;
    int made = 0, rc = rtm_cli_out_dir(&a->c, a->p.dir, &made);
    memset(&res, 0, sizeof res);
    if (rc)
        return rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    env.threads = a->threads;
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = rtm_knox_product_run(&a->p, &a->ev.evs, &env, out, &res, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e)) && made)
        rmdir(a->p.dir);
    if (!rc)
        print_summary(a, &res);
    rtm_knox_result_free(&res);
    return rc;
}

int rtm_cmd_knox(int argc, char **argv)
{
    static const double DS[] = {0, 200, 400, 600, 800, 1000};
    static const int TS[] = {0, 7, 14, 21, 28};
    knox_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "knox";
    rtm_cli_events_init(&a.ev);
    rtm_knox_product_init(&a.p);
    memcpy(a.ds, DS, sizeof DS), memcpy(a.ts, TS, sizeof TS);
    a.p.knox.ds = a.ds, a.p.knox.nds = 6, a.p.knox.ts = a.ts, a.p.knox.nts = 5;
    rc = parse(argc, argv, &a, &first);
    if (!rc && !(rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)))
        rc = run(&a);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
