/* cmd_trial.c: `rtm trial design` and `rtm trial evaluate` - a randomised
 * hot-spot patrol trial: the seeded schedule, then its outcome from the
 * events and the patrol dosage (rtm/trial.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/trial.h"

enum { OPT_PLACES = OPT_EVENTS_LAST + 1, OPT_PLACE_FIELD, OPT_START, OPT_TRIAL_DAYS, OPT_FIXED,
       OPT_ASSIGN, OPT_SHARE, OPT_SEED, OPT_SCHEDULE, OPT_DOSAGE, OPT_HARM, OPT_TARGET,
       OPT_RING, OPT_PERM, OPT_OUTCOME, OPT_HARM_UNIT, OPT_PLACES_LAYER };

static const char HELP[] =
    "Usage: rtm trial design --places FILE --start YYYY-MM-DD --days D [--fixed]\n"
    "                        [--treat-share F] --seed N -o OUTDIR\n"
    "       rtm trial evaluate --places FILE --schedule OUTDIR/schedule.csv\n"
    "                        [--dosage DOSAGE.csv] [--harm-table CSV] [event options]\n"
    "                        -o OUTDIR EVENTS...\n\n"
    "A randomised hot-spot patrol trial. 'design' assigns the places to patrol\n"
    "(treatment) or control for D days; 'evaluate' compares events, harm and events\n"
    "in a ring around the places on patrol and control days.\n\n"
    "Places (both):\n"
    "  --places FILE          polygons (rtm places' places.gpkg, any OGR source) with a\n"
    "                         'place' id field (else the FID); rank, events and harm\n"
    "                         fields are used when present\n"
    "  --place-field F        the id field (default 'place')\n"
    "  --places-layer NAME    layer of a multi-layer places file\n"
    "Design:\n"
    "  --start YYYY-MM-DD     first day;  --days D  trial length in days\n"
    "  --assign RULE          balanced (default): every day exactly round(F x N) places\n"
    "                         drawn at random, as Southend (Basford et al. 2021: 8 of 20 a\n"
    "                         day); independent: every place-day treated with probability\n"
    "                         F; fixed: fixed places drawn within blocks of similar harm\n"
    "                         (pairs for F = 0.5), as Peterborough (Ariel et al. 2016)\n"
    "  --fixed                the same as --assign fixed\n"
    "  --treat-share F        share of places treated (default 0.4 daily, 0.5 fixed)\n"
    "  --seed N               seed of the draw (required: it is recorded in design.md)\n"
    "  -o OUTDIR              writes schedule.csv (date,place,arm[,block]), balance.csv\n"
    "                         and design.md\n"
    "Evaluate:\n"
    "  --schedule FILE        the design's schedule.csv (or any table date,place,arm)\n"
    "  --dosage FILE          rtm dosage's dosage.csv (place,date,minutes[,visits]):\n"
    "                         compliance and contamination; place-days absent had none\n"
    "  --target-minutes M     a patrol place-day is delivered at >= M minutes (15)\n"
    "  --harm-table CSV       harm weights per category (as --weight-table): adds the\n"
    "                         effect on harm\n"
    "  --harm-unit TEXT       unit of the weights in the report (default 'harm')\n"
    "  --outcome TEXT         what the events are, for the sentences (default 'events')\n"
    "  --ring M | A,B         ring beyond each place's edge, metres (default 0,150)\n"
    "  --permutations N       re-draws of the randomisation (default 999)\n"
    "  --seed N               seed of the re-draws (default 1)\n"
    "  -o OUTDIR              writes trial.md, trial.html, effects.csv, place_days.csv\n"
    "  -q, --quiet            no summary\n\n"
    "The events need day-level dates (--month-field names the date field; ISO\n"
    "dates, date-times and dd/mm/yyyy are read). Without --dst-crs the places' CRS is\n"
    "used.\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm trial design --places out/places.gpkg --start 2021-06-01 --days 90 --seed 7 -o trial\n"
    "  rtm trial evaluate --places out/places.gpkg --schedule trial/schedule.csv \\\n"
    "    --dosage dose/dosage.csv --month-field date --outcome 'violent crimes' -o trial crimes.csv\n";

typedef struct trial_args {
    rtm_cli c;
    rtm_cli_events ev;
    int evaluate;
    const char *places, *place_field, *places_layer, *out;
    int start, have_seed, assign;
    rtm_trial_design_product d;
    rtm_trial_eval_product e;
} trial_args;

static int parse_seed(trial_args *a, const char *arg)
{
    char *end;
    unsigned long long v = strtoull(arg, &end, 10);
    if (!*arg || *end || arg[0] == '-')
        return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0 (got '%s')", arg);
    a->d.seed = a->e.seed = v;
    a->have_seed = 1;
    return 0;
}

static int parse_ring(trial_args *a, const char *arg)
{
    double v[2];
    int n = rtm_cli_doubles(arg, v, 2, -1, 1e6);
    if (n == 1)
        a->e.ring_inner = 0, a->e.ring_outer = v[0];
    else if (n == 2)
        a->e.ring_inner = v[0], a->e.ring_outer = v[1];
    if (n < 1 || !(a->e.ring_inner >= 0 && a->e.ring_outer > a->e.ring_inner))
        return rtm_cli_usage(&a->c, "--ring expects OUTER or INNER,OUTER metres with 0 <= "
                             "INNER < OUTER (got '%s')", arg);
    return 0;
}

static int opt_number(trial_args *a, const char *flag, const char *arg, double lo, double *out)
{
    if (rtm_cli_double(arg, out) || !(*out >= lo))
        return rtm_cli_usage(&a->c, "%s must be a number >= %g (got '%s')", flag, lo, arg);
    return 0;
}

static int trial_opt(void *ctx, int opt, const char *arg)
{
    trial_args *a = ctx;
    int y, m, d, n = 0;
    switch (opt) {
    case 'o': a->out = arg; return 0;
    case OPT_PLACES: a->places = arg; return 0;
    case OPT_PLACE_FIELD: a->place_field = arg; return 0;
    case OPT_PLACES_LAYER: a->places_layer = arg; return 0;
    case OPT_START:
        if (sscanf(arg, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || arg[n] || m < 1 || m > 12 ||
            d < 1 || d > rtm_days_in_month(y, m))
            return rtm_cli_usage(&a->c, "--start expects YYYY-MM-DD (got '%s')", arg);
        a->d.start = y * 10000 + m * 100 + d;
        return 0;
    case OPT_TRIAL_DAYS:
        if (rtm_cli_int(arg, &a->d.days) || a->d.days < 1)
            return rtm_cli_usage(&a->c, "--days must be a whole number >= 1 (got '%s')", arg);
        return 0;
    case OPT_FIXED: a->d.rule = RTM_TRIAL_FIXED; return 0;
    case OPT_ASSIGN:
        if ((n = rtm_cli_vocab(&a->c, "assignment", "--assign", arg, &a->assign)))
            return n;
        a->d.rule = (rtm_trial_rule)a->assign;
        return 0;
    case OPT_SHARE:
        if (rtm_cli_double(arg, &a->d.treat_share) || !(a->d.treat_share > 0 &&
                                                        a->d.treat_share < 1))
            return rtm_cli_usage(&a->c, "--treat-share must be in (0, 1) (got '%s')", arg);
        return 0;
    case OPT_SEED: return parse_seed(a, arg);
    case OPT_SCHEDULE: a->e.schedule = arg; return 0;
    case OPT_DOSAGE: a->e.dosage = arg; return 0;
    case OPT_HARM: a->ev.weight_table_path = arg; return 0;
    case OPT_HARM_UNIT: a->e.harm_unit = arg; return 0;
    case OPT_OUTCOME: a->e.outcome = arg; return 0;
    case OPT_TARGET: return opt_number(a, "--target-minutes", arg, 0, &a->e.target_minutes);
    case OPT_RING: return parse_ring(a, arg);
    case OPT_PERM:
        if (rtm_cli_int(arg, &a->e.nperm) || a->e.nperm < 0 || a->e.nperm > 1000000)
            return rtm_cli_usage(&a->c, "--permutations must be 0..1000000 (got '%s')", arg);
        return 0;
    default: return RTM_CLI_NOT_MINE;
    }
}

/* The trial's own options (TRIAL_OPTIONS), with the shared event options
 * for evaluate only: design reads no events, and its --days is the trial's
 * length, not the events' day-of-week filter. */
#define TRIAL_OPTIONS                                                                    \
    {"places", required_argument, 0, OPT_PLACES},                                       \
    {"place-field", required_argument, 0, OPT_PLACE_FIELD},                             \
    {"places-layer", required_argument, 0, OPT_PLACES_LAYER},                           \
    {"seed", required_argument, 0, OPT_SEED}, {"output", required_argument, 0, 'o'},    \
    {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}

static int parse(int argc, char **argv, trial_args *a, int *first)
{
    static const struct option design_opts[] = {
        TRIAL_OPTIONS, {"start", required_argument, 0, OPT_START},
        {"days", required_argument, 0, OPT_TRIAL_DAYS}, {"fixed", no_argument, 0, OPT_FIXED},
        {"assign", required_argument, 0, OPT_ASSIGN},
        {"treat-share", required_argument, 0, OPT_SHARE}, {0, 0, 0, 0}};
    static const struct option eval_opts[] = {
        RTM_CLI_EVENT_OPTIONS, TRIAL_OPTIONS,
        {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"dosage", required_argument, 0, OPT_DOSAGE},
        {"harm-table", required_argument, 0, OPT_HARM},
        {"harm-unit", required_argument, 0, OPT_HARM_UNIT},
        {"outcome", required_argument, 0, OPT_OUTCOME},
        {"target-minutes", required_argument, 0, OPT_TARGET},
        {"ring", required_argument, 0, OPT_RING},
        {"permutations", required_argument, 0, OPT_PERM}, {0, 0, 0, 0}};
    const struct option *opts = a->evaluate ? eval_opts : design_opts;
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, trial_opt, a, first);
    if (rc)
        return rc;
    if (!a->places || !a->out)
        return rtm_cli_usage(&a->c, "give --places FILE and -o OUTDIR");
    if (!a->evaluate && (!a->d.start || !a->d.days || !a->have_seed))
        return rtm_cli_usage(&a->c, "design needs --start, --days and --seed");
    if (!a->evaluate && *first < argc)
        return rtm_cli_usage(&a->c, "design takes no input files (got '%s')", argv[*first]);
    if (a->evaluate && !a->e.schedule)
        return rtm_cli_usage(&a->c, "evaluate needs --schedule FILE");
    a->d.dir = a->e.dir = a->out;
    a->d.places_name = a->e.places_name = a->places;
    return 0;
}

static int load_places(trial_args *a, rtm_trial_places *pl)
{
    rtm_error e;
    if (rtm_trial_places_load(a->places, a->places_layer, a->place_field, a->ev.dst_crs, pl,
                              &e))
        return rtm_cli_fail(&a->c, &e);
    if (a->evaluate && !a->ev.dst_crs) {
        if (rtm_crs_is_geographic(pl->crs) != 0)
            return rtm_cli_usage(&a->c, "the places are not in a projected CRS: give "
                                 "--dst-crs (metres, e.g. EPSG:27700)");
        a->ev.dst_crs = pl->crs;
    }
    return 0;
}

static int run(trial_args *a, rtm_trial_places *pl)
{
    rtm_product_env env;
    rtm_trial_eval_result res;
    rtm_outset *out = NULL;
    rtm_error e;
    char summary[256] = "";
    int made, rc;
    if ((rc = rtm_cli_out_dir(&a->c, a->out, &made)))
        return rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    if (!(rc = rtm_outset_open(&out, &e)))
        rc = a->evaluate ? rtm_trial_eval_run(&a->e, pl, &a->ev.evs, &env, out, &res, &e)
                         : rtm_trial_design_run(&a->d, pl, &env, out, summary, &e);
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e))) {
        if (made)
            rmdir(a->out);
        return rc;
    }
    if (!a->c.quiet)
        printf("%s\n", a->evaluate ? res.headline : summary);
    return 0;
}

int rtm_cmd_trial(int argc, char **argv)
{
    trial_args a;
    rtm_trial_places pl;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    memset(&pl, 0, sizeof pl);
    a.c.cmd = "trial";
    if (argc < 2 || (strcmp(argv[1], "design") && strcmp(argv[1], "evaluate"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(HELP, stdout);
            return RTM_EXIT_OK;
        }
        return rtm_cli_usage(&a.c, "expected 'rtm trial design' or 'rtm trial evaluate'");
    }
    a.evaluate = !strcmp(argv[1], "evaluate");
    a.c.cmd = a.evaluate ? "trial evaluate" : "trial design";
    rtm_cli_events_init(&a.ev);
    rtm_trial_design_product_init(&a.d);
    rtm_trial_eval_product_init(&a.e);
    rc = parse(argc - 1, argv + 1, &a, &first);
    if (!rc)
        rc = load_places(&a, &pl);
    if (!rc && a.evaluate)
        rc = rtm_cli_events_load(&a.ev, &a.c, argv + 1 + first, argc - 1 - first);
    if (!rc)
        rc = run(&a, &pl);
    rtm_trial_places_free(&pl);
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
