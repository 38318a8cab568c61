/* cmd_model.c: `rtm model` - Risk Terrain Model from events and risk factors. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_events.h"
#include "cli/cli_factors.h"
#include "cli/cli_tiles.h"
#include "cli/cmds.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "core/kv.h"
#include "rtm/input.h"
#include "rtm/model.h"


enum { OPT_FACTOR = OPT_EVENTS_LAST + 1, OPT_BLOCK, OPT_MAX_BLOCKS, OPT_INCREMENT, OPT_SEED,
       OPT_FOLDS, OPT_ALPHA, OPT_NB, OPT_PMAX, OPT_NO_ONE, OPT_NO_POS, OPT_NO_P, OPT_DENS_K,
       OPT_THREADS, OPT_LAMBDA_RULE, OPT_TIERS, OPT_DENS_KERNEL, OPT_FAMILY, OPT_NO_BT };

static const char HELP[] =
    "Usage: rtm model [OPTIONS] --factor NAME=FILE[:OP] ... -o OUTDIR EVENTS...\n\n"
    "Risk Terrain Model: binary proximity/density variables for every risk factor at a\n"
    "ladder of distances, elastic-net culling with k-fold cross-validation, stepwise BIC\n"
    "under Poisson and negative binomial, relative risk values and the risk map.\n\n"
    "Risk factors:\n"
    "  --factor NAME=FILE[:OP]  a layer (points, lines or polygons; any OGR source; CSV\n"
    "                         coordinates as for events; projected CSV columns without a\n"
    "                         CRS are taken to be in --dst-crs). OP: proximity, density,\n"
    "                         both, or auto (default: Clark-Evans nearest-neighbour rule)\n"
    "  --block M              block length (default 2 x --resolution)\n"
    "  --max-blocks N         spatial influence up to N blocks (default 3)\n"
    "  --increment half|whole ladder step (default half: the manual's example,\n"
    "                         6 distances up to 3 blocks)\n"
    "  --density-k K          density threshold mean + K*SD (default 2)\n"
    "  --density-kernel K     kernel of the density variables (default epanechnikov,\n"
    "                         as the open replication; any rtm kde kernel)\n"
    "Model:\n"
    "  --seed N               seed of the CV folds (default 1; recorded in the report)\n"
    "  --folds N              CV folds (default 5)\n"
    "  --alpha A              elastic-net mixing, 0 < A <= 1 (default 1, lasso)\n"
    "  --lambda min|1se       CV rule (default min)\n"
    "  --family auto|poisson|nbii|nb2  count model (default auto: Poisson and the NB\n"
    "                         form, the better BIC; nb1 is an alias of nbii)\n"
    "  --nb nbii|nb2          negative binomial form tried by auto (default nbii, the\n"
    "                         reference's)\n"
    "  --p-max P              entry rule p <= P (default 0.05)\n"
    "  --no-one-per-factor, --allow-negative, --no-p-rule  switch entry rules off\n"
    "  --threads N            worker threads (results do not depend on it)\n"
    "  --tiers K1,K2,K3       risk tiers at RRS mean + K*SD: above average, moderately\n"
    "                         high, highest (default 0,1,2)\n"
    "  --no-backtest          skip the rolling monthly back-test that ends the reports\n"
    "                         (by default the model is re-fitted once per test month, on\n"
    "                         the months before it, and scored beside the prior counts)\n"
    "Output (in OUTDIR, each file replaced atomically):\n"
    "  model.json, model.md, rrs.tif, rrs.png, tiers.tif, tiers.png, cv.png,\n"
    "  priority_places.gpkg\n"
    "  -o, --output DIR       output folder (created if missing)\n"
    "  --tile I/N             build only the candidate variables of strip I of N of the\n"
    "                         grid's rows into OUTDIR/model.tile-I-of-N.tif (each study\n"
    "                         cell's pattern) and .parts (the strip's pattern table);\n"
    "                         `rtm merge OUTDIR/model.tile-*.tif` merges the tables, fits\n"
    "                         and writes what the whole run writes, byte for byte\n"
    RTM_CLI_TILE_STATS_HELP("model")
    "  -q, --quiet            no progress or summary\n\n" RTM_CLI_EVENT_HELP
    "\nExample:\n"
    "  rtm model --study-area southend.geojson --dst-crs EPSG:27700 --resolution 100 \\\n"
    "    --block 200 --max-blocks 3 --increment whole --seed 42 \\\n"
    "    --where \"\\\"Crime type\\\" = 'Violence and sexual offences'\" \\\n"
    "    --factor pubs=pubs.csv:both --factor stations=stations.csv:proximity \\\n"
    "    -o model/ crimes.csv.gz\n";

typedef struct model_args {
    rtm_cli c;
    rtm_cli_events ev;
    rtm_model_product p;
    const char *outdir;
    rtm_cli_factors fac;
    int threads;
    rtm_cli_tiles tiles;
    char tilebase[4096];  /* OUTDIR/model.tif: the tile files' stem */
} model_args;

/* --family: auto tries Poisson and the NB form; otherwise only that family. */
static int set_family(model_args *a, int fam)
{
    rtm_stepwise_opts *st = &a->p.model.step;
    st->try_poisson = fam == RTM_FAMILY_CHOICE_AUTO || fam == RTM_FAMILY_POISSON;
    st->try_nb = fam != RTM_FAMILY_POISSON;
    if (fam == RTM_FAMILY_NBII || fam == RTM_FAMILY_NB2)
        st->nb_family = (rtm_family)fam;
    return 0;
}

static int parse_opt(void *ctx, int opt, const char *arg)
{
    model_args *a = ctx;
    int iv;
    double dv;
    switch (opt) {
    case 'o': a->outdir = arg; return 0;
    case OPT_FACTOR: return rtm_cli_factor_parse(&a->fac, &a->c, arg);
    case OPT_BLOCK:
        if (rtm_cli_double(arg, &a->p.model.var.block) || !(a->p.model.var.block > 0))
            return rtm_cli_usage(&a->c, "--block must be > 0");
        return 0;
    case OPT_MAX_BLOCKS:
        if (rtm_cli_int(arg, &a->p.model.var.max_blocks) || a->p.model.var.max_blocks < 1 ||
            a->p.model.var.max_blocks > 16)
            return rtm_cli_usage(&a->c, "--max-blocks must be 1..16");
        return 0;
    case OPT_INCREMENT: return rtm_cli_vocab(&a->c, "increment", "--increment", arg,
                                     &a->p.model.var.half_block);
    case OPT_SEED:
        if (rtm_cli_int(arg, &iv) || iv < 0)
            return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0");
        a->p.model.enet.seed = (uint64_t)iv;
        return 0;
    case OPT_FOLDS:
        if (rtm_cli_int(arg, &a->p.model.enet.nfolds) || a->p.model.enet.nfolds < 2)
            return rtm_cli_usage(&a->c, "--folds must be >= 2");
        return 0;
    case OPT_ALPHA:
        if (rtm_cli_double(arg, &dv) || !(dv > 0 && dv <= 1))
            return rtm_cli_usage(&a->c, "--alpha must be in (0, 1]");
        a->p.model.enet.alpha = dv;
        return 0;
    case OPT_LAMBDA_RULE:
        return rtm_cli_vocab(&a->c, "lambda", "--lambda", arg, &iv) ? RTM_EXIT_USAGE
               : (a->p.model.enet.rule = (rtm_enet_rule)iv, 0);
    case OPT_NB:
        return rtm_cli_vocab(&a->c, "nb", "--nb", arg, &iv) ? RTM_EXIT_USAGE
               : (a->p.model.step.nb_family = (rtm_family)iv, 0);
    case OPT_FAMILY:
        return rtm_cli_vocab(&a->c, "family", "--family", arg, &iv) ? RTM_EXIT_USAGE : set_family(a, iv);
    case OPT_PMAX:
        if (rtm_cli_double(arg, &a->p.model.step.p_max) || !(a->p.model.step.p_max > 0))
            return rtm_cli_usage(&a->c, "--p-max must be > 0");
        return 0;
    case OPT_DENS_K:
        if (rtm_cli_double(arg, &a->p.model.var.density_k))
            return rtm_cli_usage(&a->c, "--density-k must be a number");
        return 0;
    case OPT_TIERS: {
        double k[4];
        if (rtm_cli_doubles(arg, k, 4, -1e6, 1e6) != 3 || !(k[0] < k[1] && k[1] < k[2]))
            return rtm_cli_usage(&a->c, "--tiers expects three increasing SD multiples "
                                        "K1,K2,K3 (default 0,1,2; got '%s')", arg);
        memcpy(a->p.model.tier_k, k, 3 * sizeof *k);
        return 0;
    }
    case OPT_DENS_KERNEL:
        return rtm_cli_vocab(&a->c, "kernel", "--density-kernel", arg, &iv) ? RTM_EXIT_USAGE
               : (a->p.model.var.density_kernel = (rtm_kernel)iv, 0);
    case OPT_NO_ONE: a->p.model.step.one_per_factor = 0; return 0;
    case OPT_NO_POS: a->p.model.step.positive_only = 0; return 0;
    case OPT_NO_P: a->p.model.step.check_p = 0; return 0;
    case OPT_NO_BT: a->p.no_backtest = 1; return 0;
    case RTM_CLI_OPT_TILE: return rtm_cli_tiles_opt(&a->tiles, &a->c, arg);
    case RTM_CLI_OPT_TILE_STATS: rtm_cli_tiles_stats_opt(&a->tiles); return 0;
    case OPT_THREADS:
        if (rtm_cli_threads(&a->c, arg, &a->threads))
            return RTM_EXIT_USAGE;
        a->p.model.var.threads = a->p.model.enet.nthreads = a->threads;
        return 0;
    }
    return RTM_CLI_NOT_MINE;
}

static int parse(int argc, char **argv, model_args *a, int *first)
{
    static const struct option opts[] = {
        RTM_CLI_EVENT_OPTIONS,
        {"factor", required_argument, 0, OPT_FACTOR}, {"block", required_argument, 0, OPT_BLOCK},
        {"max-blocks", required_argument, 0, OPT_MAX_BLOCKS},
        {"increment", required_argument, 0, OPT_INCREMENT},
        {"seed", required_argument, 0, OPT_SEED}, {"folds", required_argument, 0, OPT_FOLDS},
        {"alpha", required_argument, 0, OPT_ALPHA}, {"nb", required_argument, 0, OPT_NB},
        {"family", required_argument, 0, OPT_FAMILY},
        {"lambda", required_argument, 0, OPT_LAMBDA_RULE},
        {"p-max", required_argument, 0, OPT_PMAX},
        {"density-k", required_argument, 0, OPT_DENS_K},
        {"density-kernel", required_argument, 0, OPT_DENS_KERNEL},
        {"no-one-per-factor", no_argument, 0, OPT_NO_ONE},
        {"allow-negative", no_argument, 0, OPT_NO_POS}, {"no-p-rule", no_argument, 0, OPT_NO_P},
        {"no-backtest", no_argument, 0, OPT_NO_BT},
        {"threads", required_argument, 0, OPT_THREADS}, {"tiers", required_argument, 0, OPT_TIERS},
        {"output", required_argument, 0, 'o'}, RTM_CLI_TILE_OPTION,
        RTM_CLI_TILE_STATS_OPTION,
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, parse_opt, a, first);
    if (rc)
        return rc;
    if (!a->outdir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (a->fac.n == 0)
        return rtm_cli_usage(&a->c, "no risk factors (--factor NAME=FILE[:OP])");
    if ((size_t)snprintf(a->tilebase, sizeof a->tilebase, "%s/model.tif", a->outdir) >=
        sizeof a->tilebase)
        return rtm_cli_usage(&a->c, "output folder name too long");
    return rtm_cli_tiles_end(&a->tiles, &a->c, a->tilebase);
}

static int run_model(model_args *a)
{
    rtm_product_env env;
    rtm_model_result res = {0};
    rtm_outset *out = NULL;
    rtm_error e;
    int rc;
    rtm_cli_env(&a->ev, &a->c, &env);
    a->p.factors = a->fac.spec;
    a->p.nfactors = a->fac.n;
    a->p.sources = rtm_cli_factors_files(&a->fac);
    a->p.dir = a->outdir;
    if ((rc = rtm_cli_factors_load(&a->fac, &a->c, a->ev.dst_crs, &env)))
        goto done;
    rtm_cli_info(&a->c, "grid: %d x %d cells of %g; building variables\n", a->ev.grid.ncols,
                 a->ev.grid.nrows, a->ev.grid.res);
    if ((rc = rtm_outset_open(&out, &e))) {
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    rc = rtm_model_product_tiled(&a->p, &a->ev.evs, &env, &a->tiles.h, out, &res, &e);
    /* no model: a tile, or MPI rank > 0 */
    if ((rc = rtm_cli_commit(&a->c, out, rc, &e)) || !res.model) {
        if (!rc && a->tiles.h.count > 0)
            rtm_cli_info(&a->c, a->tiles.h.stats_only ? "model: density statistics of strip %d "
                         "of %d written beside %s\n" : "model: tile %d of %d written to %s\n",
                         a->tiles.h.index, a->tiles.h.count, a->tiles.path);
        goto done;
    }
    rtm_cli_info(&a->c, "model: %s, %d variables (of %d candidates, %d kept by culling); RRS "
                 "%.3g..%.3g; %d priority places in %s/\n",
                 rtm_family_name(res.model->sw.family), res.model->sw.k,
                 res.model->vars->generated, res.model->cv->nkept, res.model->rrs_min,
                 res.model->rrs_max, res.nplaces, a->outdir);
done:
    rtm_model_result_free(&res);
    return rc;
}

int rtm_cmd_model(int argc, char **argv)
{
    model_args a;
    int rc, first = 0;
    memset(&a, 0, sizeof a);
    a.c.cmd = "model";
    rtm_cli_events_init(&a.ev);
    rtm_model_product_init(&a.p);
    if ((rc = rtm_cli_tiles_begin(&a.tiles, &a.c, argc, argv)) ||
        (rc = parse(argc, argv, &a, &first)))
        goto done;
    if (mkdir(a.outdir, 0777) && errno != EEXIST) {
        fprintf(stderr, "rtm model: error: cannot create '%s': %s\n", a.outdir, strerror(errno));
        rc = RTM_EXIT_FAIL;
        goto done;
    }
    /* a tile builds variables on the grid: with the grid given (--bbox or
     * --study-area) it does not read the events */
    if (a.tiles.h.count > 0 && (a.ev.has_bbox || a.ev.study_area)) {
        if (!(rc = rtm_cli_events_prepare(&a.ev, &a.c, argv + first, argc - first, "event")))
            rc = rtm_cli_events_grid(&a.ev, &a.c);
    } else
        rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first);
    if (rc)
        goto done;
    rc = run_model(&a);
done:
    rtm_cli_factors_free(&a.fac);
    rtm_cli_events_free(&a.ev);
    rtm_cli_tiles_free(&a.tiles);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
