/* cmd_model.c: `rtm model` - Risk Terrain Model from events and risk factors. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_events.h"
#include "cli/cmds.h"
#include "rtm/output.h"
#include "rtm/surface.h"
#include "core/kv.h"
#include "rtm/input.h"
#include "rtm/model.h"

#define MAX_FACTORS 512

enum { OPT_FACTOR = OPT_EVENTS_LAST + 1, OPT_BLOCK, OPT_MAX_BLOCKS, OPT_INCREMENT, OPT_SEED,
       OPT_FOLDS, OPT_ALPHA, OPT_NB, OPT_PMAX, OPT_NO_ONE, OPT_NO_POS, OPT_NO_P, OPT_DENS_K,
       OPT_THREADS, OPT_LAMBDA_RULE, OPT_TIERS, OPT_DENS_KERNEL };

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
    "  --increment whole|half ladder step (default whole)\n"
    "  --density-k K          density threshold mean + K*SD (default 2)\n"
    "  --density-kernel K     kernel of the density variables (default epanechnikov,\n"
    "                         as the open replication; any rtm kde kernel)\n"
    "Model:\n"
    "  --seed N               seed of the CV folds (default 1; recorded in the report)\n"
    "  --folds N              CV folds (default 5)\n"
    "  --alpha A              elastic-net mixing, 0 < A <= 1 (default 1, lasso)\n"
    "  --lambda min|1se       CV rule (default min)\n"
    "  --nb nbii|nb2          negative binomial form (default nbii, the reference's)\n"
    "  --p-max P              entry rule p <= P (default 0.05)\n"
    "  --no-one-per-factor, --allow-negative, --no-p-rule  switch entry rules off\n"
    "  --threads N            worker threads (results do not depend on it)\n"
    "  --tiers K1,K2,K3       risk tiers at RRS mean + K*SD: above average, moderately\n"
    "                         high, highest (default 0,1,2)\n"
    "Output (in OUTDIR, each file replaced atomically):\n"
    "  model.json, model.md, rrs.tif, rrs.png, tiers.tif, tiers.png, cv.png,\n"
    "  priority_places.gpkg\n"
    "  -o, --output DIR       output folder (created if missing)\n"
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
    rtm_model_opts mo;
    const char *outdir;
    char *fname[MAX_FACTORS], *ffile[MAX_FACTORS];
    rtm_op fop[MAX_FACTORS];
    int nf, threads;
} model_args;

static int parse_factor(model_args *a, const char *s)
{
    const char *eq = strchr(s, '='), *colon;
    char *file;
    rtm_op op = RTM_OP_AUTO;
    if (!eq || eq == s || !eq[1])
        return rtm_cli_usage(&a->c, "--factor expects NAME=FILE[:OP] (got '%s')", s);
    if (a->nf == MAX_FACTORS)
        return rtm_cli_usage(&a->c, "too many factors (at most %d)", MAX_FACTORS);
    file = strdup(eq + 1);
    colon = strrchr(file, ':');
    if (colon && !rtm_op_parse(colon + 1, &op))
        file[colon - file] = '\0';
    else if (colon && !strchr(colon, '/')) {
        int rc = rtm_cli_usage(&a->c, "unknown operationalization '%s' in --factor "
                                      "(proximity, density, both, auto)", colon + 1);
        free(file);
        return rc;
    }
    a->fname[a->nf] = strndup(s, (size_t)(eq - s));
    a->ffile[a->nf] = file;
    a->fop[a->nf++] = op;
    return 0;
}

static int parse_opt(void *ctx, int opt, const char *arg)
{
    model_args *a = ctx;
    int iv;
    double dv;
    switch (opt) {
    case 'o': a->outdir = arg; return 0;
    case OPT_FACTOR: return parse_factor(a, arg);
    case OPT_BLOCK:
        if (rtm_cli_double(arg, &a->mo.var.block) || !(a->mo.var.block > 0))
            return rtm_cli_usage(&a->c, "--block must be > 0");
        return 0;
    case OPT_MAX_BLOCKS:
        if (rtm_cli_int(arg, &a->mo.var.max_blocks) || a->mo.var.max_blocks < 1 ||
            a->mo.var.max_blocks > 16)
            return rtm_cli_usage(&a->c, "--max-blocks must be 1..16");
        return 0;
    case OPT_INCREMENT:
        if (strcmp(arg, "whole") && strcmp(arg, "half"))
            return rtm_cli_usage(&a->c, "--increment must be whole or half");
        a->mo.var.half_block = !strcmp(arg, "half");
        return 0;
    case OPT_SEED:
        if (rtm_cli_int(arg, &iv) || iv < 0)
            return rtm_cli_usage(&a->c, "--seed must be a whole number >= 0");
        a->mo.enet.seed = (uint64_t)iv;
        return 0;
    case OPT_FOLDS:
        if (rtm_cli_int(arg, &a->mo.enet.nfolds) || a->mo.enet.nfolds < 2)
            return rtm_cli_usage(&a->c, "--folds must be >= 2");
        return 0;
    case OPT_ALPHA:
        if (rtm_cli_double(arg, &dv) || !(dv > 0 && dv <= 1))
            return rtm_cli_usage(&a->c, "--alpha must be in (0, 1]");
        a->mo.enet.alpha = dv;
        return 0;
    case OPT_LAMBDA_RULE:
        if (strcmp(arg, "min") && strcmp(arg, "1se"))
            return rtm_cli_usage(&a->c, "--lambda must be min or 1se");
        a->mo.enet.rule = strcmp(arg, "min") ? RTM_ENET_LAMBDA_1SE : RTM_ENET_LAMBDA_MIN;
        return 0;
    case OPT_NB:
        if (strcmp(arg, "nbii") && strcmp(arg, "nb2"))
            return rtm_cli_usage(&a->c, "--nb must be nbii or nb2");
        a->mo.step.nb_family = strcmp(arg, "nb2") ? RTM_FAMILY_NBII : RTM_FAMILY_NB2;
        return 0;
    case OPT_PMAX:
        if (rtm_cli_double(arg, &a->mo.step.p_max) || !(a->mo.step.p_max > 0))
            return rtm_cli_usage(&a->c, "--p-max must be > 0");
        return 0;
    case OPT_DENS_K:
        if (rtm_cli_double(arg, &a->mo.var.density_k))
            return rtm_cli_usage(&a->c, "--density-k must be a number");
        return 0;
    case OPT_TIERS: {
        double k[3];
        char buf[128], *t1, *t2, *save = NULL;
        snprintf(buf, sizeof buf, "%s", arg);
        t1 = strtok_r(buf, ",", &save);
        t2 = t1 ? strtok_r(NULL, ",", &save) : NULL;
        if (!t1 || !t2 || rtm_cli_double(t1, &k[0]) || rtm_cli_double(t2, &k[1]) ||
            !(t1 = strtok_r(NULL, ",", &save)) || rtm_cli_double(t1, &k[2]) ||
            strtok_r(NULL, ",", &save) || !(k[0] < k[1] && k[1] < k[2]))
            return rtm_cli_usage(&a->c, "--tiers expects three increasing SD multiples "
                                        "K1,K2,K3 (default 0,1,2; got '%s')", arg);
        memcpy(a->mo.tier_k, k, sizeof k);
        return 0;
    }
    case OPT_DENS_KERNEL:
        return rtm_kernel_parse(arg, &a->mo.var.density_kernel)
                   ? rtm_cli_usage(&a->c, "unknown --density-kernel '%s'", arg) : 0;
    case OPT_NO_ONE: a->mo.step.one_per_factor = 0; return 0;
    case OPT_NO_POS: a->mo.step.positive_only = 0; return 0;
    case OPT_NO_P: a->mo.step.check_p = 0; return 0;
    case OPT_THREADS:
        if (rtm_cli_int(arg, &a->threads) || a->threads < 1)
            return rtm_cli_usage(&a->c, "--threads must be >= 1");
        a->mo.var.threads = a->mo.enet.nthreads = a->threads;
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
        {"lambda", required_argument, 0, OPT_LAMBDA_RULE},
        {"p-max", required_argument, 0, OPT_PMAX},
        {"density-k", required_argument, 0, OPT_DENS_K},
        {"density-kernel", required_argument, 0, OPT_DENS_KERNEL},
        {"no-one-per-factor", no_argument, 0, OPT_NO_ONE},
        {"allow-negative", no_argument, 0, OPT_NO_POS}, {"no-p-rule", no_argument, 0, OPT_NO_P},
        {"threads", required_argument, 0, OPT_THREADS}, {"tiers", required_argument, 0, OPT_TIERS},
        {"output", required_argument, 0, 'o'},
        {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int rc = rtm_cli_getopt(argc, argv, "o:qh", opts, &a->ev, &a->c, HELP, parse_opt, a, first);
    if (rc)
        return rc;
    if (!a->outdir)
        return rtm_cli_usage(&a->c, "no output folder (-o OUTDIR)");
    if (a->nf == 0)
        return rtm_cli_usage(&a->c, "no risk factors (--factor NAME=FILE[:OP])");
    return 0;
}

/* Load every factor layer; projected CSV columns without a CRS are taken to
 * be in the grid CRS (said on stderr and in the report). */
static int load_factors(model_args *a, rtm_features **feat, rtm_factor_spec *spec)
{
    int i;
    for (i = 0; i < a->nf; i++) {
        rtm_load_opts lo;
        rtm_load_stats st;
        rtm_error e;
        int rc;
        rtm_load_opts_init(&lo);
        lo.dst_crs = a->ev.dst_crs;
        rtm_load_stats_init(&st);
        if (!(feat[i] = rtm_features_create())) {
            rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory");
            return rtm_cli_fail(&a->c, &e);
        }
        rc = rtm_layer_load(feat[i], a->ffile[i], &lo, &st, &e);
        if (rc == RTM_ERR_CRS && strstr(e.msg, "projected coordinates")) {
            lo.src_crs = a->ev.dst_crs;
            rtm_load_stats_init(&st);
            rtm_cli_info(&a->c, "factor %s: projected columns without a CRS, taken as %s\n",
                         a->fname[i], a->ev.dst_crs);
            rc = rtm_layer_load(feat[i], a->ffile[i], &lo, &st, &e);
        }
        if (rc) {
            rtm_error e2;
            rtm_error_set(&e2, e.code, "factor '%s': %s", a->fname[i], e.msg);
            return rtm_cli_fail(&a->c, &e2);
        }
        rtm_cli_info(&a->c, "factor %s: %zu features from %s (%zu skipped)\n", a->fname[i],
                     rtm_features_count(feat[i]), a->ffile[i], rtm_load_stats_skipped(&st));
        spec[i].name = a->fname[i];
        spec[i].features = feat[i];
        spec[i].op = a->fop[i];
    }
    return 0;
}

static int outpath(char *buf, size_t n, const char *dir, const char *name)
{
    return snprintf(buf, n, "%s/%s", dir, name) >= (int)n;
}

static int write_rasters(model_args *a, const rtm_model *m, rtm_kv *kv, rtm_error *e)
{
    char p[4096];
    rtm_geotiff_opts go;
    rtm_map_opts mo;
    double *tier = malloc(rtm_grid_ncells(&a->ev.grid) * sizeof *tier);
    static const int tv[4] = {0, 1, 2, 3};
    static const char *const tl[4] = {"below average", "above average", "moderately high",
                                      "highest"};
    static const char *const tlab[] = {"0=below average", "1=above average",
                                       "2=moderately high", "3=highest", NULL};
    size_t k;
    int rc = 0;
    if (!tier)
        return rtm_error_set(e, RTM_ERR_NOMEM, "out of memory");
    rtm_geotiff_opts_init(&go);
    go.band_description = "relative risk score (RRS = product of RRVs present; lowest 1)";
    go.units = "ratio";
    go.metadata = rtm_kv_list(kv);
    go.qml_ramp = "magma";
    outpath(p, sizeof p, a->outdir, "rrs.tif");
    if ((rc = rtm_geotiff_write(p, &a->ev.grid, m->rrs, a->ev.mask, &go, e)))
        goto done;
    rtm_map_opts_init(&mo);
    mo.ramp = "magma";
    mo.title = "Risk terrain: relative risk score";
    mo.units_label = "relative risk score";
    mo.zero_transparent_below = -1;
    mo.attribution = "Contains public sector information licensed under the OGL v3.0; "
                     "© OpenStreetMap contributors";
    outpath(p, sizeof p, a->outdir, "rrs.png");
    if ((rc = rtm_map_png_write(p, &a->ev.grid, m->rrs, a->ev.mask, &mo, e)))
        goto done;
    for (k = 0; k < rtm_grid_ncells(&a->ev.grid); k++)
        tier[k] = m->tier[k] == 255 ? NAN : m->tier[k];
    rtm_geotiff_opts_init(&go);
    go.band_description = "risk tier (0 below average, 1 above average, 2 moderately high, "
                          "3 highest)";
    go.categorical = 1;
    go.class_labels = tlab;
    go.metadata = rtm_kv_list(kv);
    go.nodata = 255;
    outpath(p, sizeof p, a->outdir, "tiers.tif");
    if ((rc = rtm_geotiff_write(p, &a->ev.grid, tier, a->ev.mask, &go, e)))
        goto done;
    rtm_map_opts_init(&mo);
    mo.ramp = "ylorrd";
    mo.title = "Risk tiers";
    mo.units_label = "risk tier";
    outpath(p, sizeof p, a->outdir, "tiers.png");
    rc = rtm_map_png_write_categorical(p, &a->ev.grid, tier, a->ev.mask, tv, tl, 4, &mo, e);
done:
    free(tier);
    return rc;
}

/* The cross-validation curve (mean held-out deviance +- 1 SE against
 * log10 lambda) as a chart, as cv.glmnet's plot shows it. */
static int write_cv_chart(model_args *a, const rtm_model *m, rtm_error *e)
{
    const rtm_enet_cv *cv = m->cv;
    int n = cv->path->nlambda, i, rc;
    double *x = malloc(3 * (size_t)n * sizeof *x), *y, *lo, *hi;
    rtm_chart_series s[3];
    char p[4096];
    if (!x)
        return rtm_error_set(e, RTM_ERR_NOMEM, "out of memory");
    y = malloc(3 * (size_t)n * sizeof *y);
    if (!y) {
        free(x);
        return rtm_error_set(e, RTM_ERR_NOMEM, "out of memory");
    }
    lo = y + n;
    hi = y + 2 * n;
    for (i = 0; i < n; i++) {
        x[i] = log10(cv->path->lambda[i]);
        y[i] = cv->cvm[i];
        lo[i] = cv->cvm[i] - cv->cvsd[i];
        hi[i] = cv->cvm[i] + cv->cvsd[i];
    }
    s[0].name = "mean CV deviance";
    s[0].x = x;
    s[0].y = y;
    s[0].n = (size_t)n;
    s[1] = s[0];
    s[1].name = "- 1 SE";
    s[1].y = lo;
    s[2] = s[0];
    s[2].name = "+ 1 SE";
    s[2].y = hi;
    outpath(p, sizeof p, a->outdir, "cv.png");
    rc = rtm_chart_png_write(p, "Elastic-net culling: cross-validation curve", "log10(lambda)",
                             "Poisson deviance per cell (held out)", s, 3, e);
    free(x);
    free(y);
    return rc;
}

static int run_model(model_args *a)
{
    rtm_features *feat[MAX_FACTORS] = {0};
    rtm_factor_spec spec[MAX_FACTORS] = {0};
    rtm_model *m = NULL;
    rtm_error e;
    rtm_kv kv;
    double *counts = NULL;
    int *label = NULL, nplaces = 0, i, rc;
    rtm_place *places = NULL;
    unsigned char *flag = NULL;
    char p[4096];
    rtm_kv_init(&kv);
    if ((rc = load_factors(a, feat, spec)))
        goto done;
    if (!(a->mo.var.block > 0))
        a->mo.var.block = 2 * a->ev.grid.res;
    if (!(counts = malloc(rtm_grid_ncells(&a->ev.grid) * sizeof *counts)) ||
        !(flag = calloc(rtm_grid_ncells(&a->ev.grid), 1))) {
        rtm_error_set(&e, RTM_ERR_NOMEM, "out of memory");
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    rtm_bin_points(&a->ev.grid, a->ev.pts.x, a->ev.pts.y, a->ev.pts.w, a->ev.pts.n, counts);
    a->mo.progress = a->mo.var.progress = rtm_cli_progress;
    a->mo.progress_arg = a->mo.var.progress_arg = &a->c;
    rtm_cli_info(&a->c, "grid: %d x %d cells of %g; block %g; building variables\n",
                 a->ev.grid.ncols, a->ev.grid.nrows, a->ev.grid.res, a->mo.var.block);
    if (rtm_model_fit(&a->ev.grid, a->ev.mask, a->ev.study_area_units2, counts, spec, a->nf,
                      &a->mo, &m, &e)) {
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    for (size_t k = 0; k < rtm_grid_ncells(&a->ev.grid); k++)
        flag[k] = m->tier[k] == 3;
    if (rtm_places_find(&a->ev.grid, flag, m->rrs, counts, &label, &places, &nplaces, &e)) {
        rc = rtm_cli_fail(&a->c, &e);
        goto done;
    }
    rtm_kv_add(&kv, "SOFTWARE", "rtm %s", RTM_VERSION);
    rtm_kv_add(&kv, "SURFACE", "relative risk score");
    rtm_kv_add(&kv, "FAMILY", "%s", rtm_family_name(m->sw.family));
    rtm_kv_add(&kv, "SEED", "%llu", (unsigned long long)a->mo.enet.seed);
    rtm_kv_add(&kv, "BLOCK", "%.17g", a->mo.var.block);
    for (i = 0; i < a->nf; i++) {
        char key[64];
        snprintf(key, sizeof key, "FACTOR_%d", i + 1);
        rtm_kv_add(&kv, key, "%s=%s:%s", a->fname[i], a->ffile[i], rtm_op_name(a->fop[i]));
    }
    rtm_cli_events_meta(&a->ev, &kv);
    {
        char soft[64];
        rtm_model_context ctx;
        snprintf(soft, sizeof soft, "rtm %s", RTM_VERSION);
        memset(&ctx, 0, sizeof ctx);
        ctx.software = soft;
        ctx.crs = a->ev.dst_crs;
        ctx.grid = &a->ev.grid;
        ctx.event_files = (const char *const *)a->ev.inputs;
        ctx.nevent_files = a->ev.ninputs;
        ctx.where = a->ev.lo.where;
        ctx.events = &a->ev.st;
        ctx.factors = spec;
        ctx.nfactors = a->nf;
        ctx.factor_files = (const char *const *)a->ffile;
        ctx.opts = &a->mo;
        ctx.places = places;
        ctx.nplaces = nplaces;
        if ((outpath(p, sizeof p, a->outdir, "priority_places.gpkg"),
             rtm_places_write(p, "priority_places", &a->ev.grid, label, places, nplaces, &e)) ||
            write_rasters(a, m, &kv, &e) || write_cv_chart(a, m, &e) ||
            (outpath(p, sizeof p, a->outdir, "model.md"), rtm_model_report_md(p, m, &ctx, &e)) ||
            (outpath(p, sizeof p, a->outdir, "model.json"),
             rtm_model_report_json(p, m, &ctx, &e))) {
            rc = rtm_cli_fail(&a->c, &e);
            goto done;
        }
    }
    rtm_cli_info(&a->c, "model: %s, %d variables (of %d candidates, %d kept by culling); RRS "
                 "%.3g..%.3g; %d priority places; wrote %s/\n", rtm_family_name(m->sw.family),
                 m->sw.k, m->vars->generated, m->cv->nkept, m->rrs_min, m->rrs_max, nplaces,
                 a->outdir);
done:
    for (i = 0; i < a->nf; i++)
        rtm_features_free(feat[i]);
    rtm_model_free(m);
    rtm_kv_free(&kv);
    free(counts);
    free(flag);
    free(label);
    free(places);
    return rc;
}

int rtm_cmd_model(int argc, char **argv)
{
    model_args a;
    int rc, first = 0, i;
    memset(&a, 0, sizeof a);
    a.c.cmd = "model";
    rtm_cli_events_init(&a.ev);
    rtm_model_opts_init(&a.mo);
    if ((rc = parse(argc, argv, &a, &first)))
        goto done;
    if (mkdir(a.outdir, 0777) && errno != EEXIST) {
        fprintf(stderr, "rtm model: error: cannot create '%s': %s\n", a.outdir, strerror(errno));
        rc = RTM_EXIT_FAIL;
        goto done;
    }
    if ((rc = rtm_cli_events_load(&a.ev, &a.c, argv + first, argc - first)))
        goto done;
    rc = run_model(&a);
done:
    for (i = 0; i < a.nf; i++) {
        free(a.fname[i]);
        free(a.ffile[i]);
    }
    rtm_cli_events_free(&a.ev);
    return rc < 0 ? RTM_EXIT_OK : rc;
}
