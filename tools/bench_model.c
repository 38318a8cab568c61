/* bench_model.c: stage timings of the Risk Terrain Model pipeline
 * (rtm_model_fit) on a real workload, for tools/bench-model.sh.
 *
 * Usage: bench_model [--study-area F | --bbox X0,Y0,X1,Y1] [--dst-crs C] [--src-crs C]
 *        [--x-field F --y-field F] [--resolution R] [--where SQL] [--block M]
 *        [--max-blocks N] [--increment half|whole] [--threads N]
 *        --factor NAME=FILE:OP ... EVENTS...
 *
 * Loads the events and factor layers as `rtm model` does, then fits the model
 * with a progress hook that stamps each stage (variables per factor,
 * culling, stepwise) with its wall time, the resident memory at its end and
 * the peak resident memory during it (the kernel's peak counter is reset at
 * every stage boundary through /proc/self/clear_refs). Prints one line per
 * stage and a total. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rtm/input.h"
#include "rtm/model.h"

#define MAXF 512

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds (user + system, all threads) used by this process so far. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* VmRSS and VmHWM of this process in MiB. */
static void mem(double *rss, double *hwm)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    *rss = *hwm = 0;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "VmRSS:", 6))
            *rss = atof(line + 6) / 1024;
        else if (!strncmp(line, "VmHWM:", 6))
            *hwm = atof(line + 6) / 1024;
    }
    fclose(f);
}

static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

typedef struct stamp {
    double t0, t, c, vt, vc;  /* vt, vc: wall and CPU of all variable lines */
    char what[64];
    int nf, done;
} stamp;

static void report(stamp *s, const char *what)
{
    double rss, hwm, t = now(), c = cpu();
    mem(&rss, &hwm);
    if (!strncmp(what, "variables", 9)) {
        s->vt += t - s->t;
        s->vc += c - s->c;
    }
    printf("%-28s %8.2f s  cpu %8.2f s  rss %7.1f MiB  peak %7.1f MiB  (at %.1f s)\n", what,
           t - s->t, c - s->c, rss, hwm, t - s->t0);
    fflush(stdout);
    reset_peak();
    s->t = t;
    s->c = c;
}

/* Variables: one line per factor; model stages: one line at each stage's
 * start (what came before it: design assembly, outcome, ...) and one at
 * its end. A stage's progress in between (the culling's lambdas) is not a
 * boundary, and a stage that reports its end twice (the culling's
 * cross-validation, then the model) is stamped once. */
static int progress(double frac, const char *msg, void *arg)
{
    stamp *s = arg;
    char what[64];
    if (!msg)
        return 1;
    if (!strcmp(msg, "variables")) {
        snprintf(what, sizeof what, "variables: factor %d/%d", ++s->done, s->nf);
        report(s, what);
    } else if (frac >= 1) {
        if (strcmp(s->what, msg))
            report(s, msg);
        snprintf(s->what, sizeof s->what, "%s", msg);
    } else if (frac <= 0) {
        snprintf(what, sizeof what, "(before %s)", msg);
        report(s, what);
        s->what[0] = 0;
    }
    return 1;
}

/* The event and grid options the bench uses (as `rtm model` spells them). */
enum { OPT_STUDY = 1000, OPT_DST, OPT_RES, OPT_WHERE, OPT_SRC, OPT_XF, OPT_YF, OPT_BBOX };

static const char *factor_crs; /* --src-crs: also the factor layers' CRS */

/* Parse argv into the event options, the model options and the factors
 * (their paths parked in spec[i].features until loaded). Returns nf or -1. */
static int parse(int argc, char **argv, rtm_events_opts *eo, rtm_event_source *src,
                 rtm_model_opts *mo, rtm_factor_spec *spec)
{
    static const struct option opts[] = {
        {"study-area", required_argument, 0, OPT_STUDY}, {"dst-crs", required_argument, 0, OPT_DST},
        {"resolution", required_argument, 0, OPT_RES}, {"where", required_argument, 0, OPT_WHERE},
        {"factor", required_argument, 0, 'f'}, {"block", required_argument, 0, 'b'},
        {"max-blocks", required_argument, 0, 'm'}, {"increment", required_argument, 0, 'i'},
        {"threads", required_argument, 0, 't'}, {"seed", required_argument, 0, 's'},
        {"src-crs", required_argument, 0, OPT_SRC}, {"x-field", required_argument, 0, OPT_XF},
        {"y-field", required_argument, 0, OPT_YF}, {"bbox", required_argument, 0, OPT_BBOX},
        {0, 0, 0, 0}};
    int opt, nf = 0;
    char *eq, *colon;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_STUDY: eo->study_area = optarg; break;
        case OPT_DST: eo->dst_crs = optarg; break;
        case OPT_RES: eo->res = atof(optarg); break;
        case OPT_WHERE: src->where = optarg; break;
        case OPT_SRC: src->crs = factor_crs = optarg; break;
        case OPT_XF: src->x_field = optarg; break;
        case OPT_YF: src->y_field = optarg; break;
        case OPT_BBOX:
            if (sscanf(optarg, "%lf,%lf,%lf,%lf", &eo->bbox[0], &eo->bbox[1], &eo->bbox[2],
                       &eo->bbox[3]) != 4)
                return -1;
            eo->has_bbox = 1;
            break;
        case 'b': mo->var.block = atof(optarg); break;
        case 'm': mo->var.max_blocks = atoi(optarg); break;
        case 'i': mo->var.half_block = !strcmp(optarg, "half"); break;
        case 't': mo->var.threads = mo->enet.nthreads = atoi(optarg); break;
        case 's': mo->enet.seed = (uint64_t)atoll(optarg); break;
        case 'f':
            if (nf == MAXF || !(eq = strchr(optarg, '=')) || !(colon = strrchr(eq, ':')) ||
                rtm_op_parse(colon + 1, &spec[nf].op)) {
                fprintf(stderr, "bench_model: bad --factor '%s'\n", optarg);
                return -1;
            }
            *eq = *colon = '\0';
            spec[nf].name = optarg;
            spec[nf].features = (const rtm_features *)(eq + 1); /* path until loaded */
            nf++;
            break;
        default: return -1;
        }
    }
    src->files = (const char *const *)(argv + optind);
    src->nfiles = argc - optind;
    eo->sources = src;
    eo->nsources = 1;
    return nf;
}

static int load_factors(const rtm_events_opts *eo, rtm_factor_spec *spec, int nf,
                        rtm_features **feat)
{
    rtm_error e;
    for (int i = 0; i < nf; i++) {
        rtm_load_opts lo;
        rtm_load_stats ls;
        const char *path = (const char *)spec[i].features;
        rtm_load_opts_init(&lo);
        lo.dst_crs = eo->dst_crs;
        lo.src_crs = strstr(path, "naptan") ? eo->dst_crs : factor_crs; /* Easting/Northing */
        rtm_load_stats_init(&ls);
        if (!(feat[i] = rtm_features_create()) || rtm_layer_load(feat[i], path, &lo, &ls, &e)) {
            fprintf(stderr, "bench_model: factor %s: %s\n", spec[i].name, e.msg);
            return -1;
        }
        spec[i].features = feat[i];
    }
    return 0;
}

int main(int argc, char **argv)
{
    rtm_events_opts eo;
    rtm_event_source src;
    rtm_events ev;
    rtm_model_opts mo;
    rtm_features *feat[MAXF] = {0};
    rtm_factor_spec spec[MAXF] = {0};
    rtm_model *m = NULL;
    rtm_error e;
    stamp st;
    double *counts = NULL;
    int nf, i, rc = 1;
    rtm_events_opts_init(&eo);
    memset(&src, 0, sizeof src);
    memset(&ev, 0, sizeof ev);
    rtm_model_opts_init(&mo);
    memset(&st, 0, sizeof st);
    st.t0 = st.t = now();
    if ((nf = parse(argc, argv, &eo, &src, &mo, spec)) < 0)
        return 2;
    if (rtm_events_load(&eo, &ev, &e)) {
        fprintf(stderr, "bench_model: %s\n", e.msg);
        goto done;
    }
    if (load_factors(&eo, spec, nf, feat))
        goto done;
    if (!(mo.var.block > 0))
        mo.var.block = 2 * ev.grid.res;
    printf("grid %d x %d cells of %g; %zu events; %d factors\n", ev.grid.ncols, ev.grid.nrows,
           ev.grid.res, ev.pts.n, nf);
    report(&st, "load events and factors");
    if (!(counts = malloc(rtm_grid_ncells(&ev.grid) * sizeof *counts)))
        goto done;
    rtm_bin_points(&ev.grid, ev.pts.x, ev.pts.y, ev.pts.w, ev.pts.n, counts);
    st.nf = nf;
    mo.progress = mo.var.progress = progress;
    mo.progress_arg = mo.var.progress_arg = &st;
    if (rtm_model_fit(&ev.grid, ev.mask, ev.area_units2, counts, spec, nf, &mo, &m, &e)) {
        fprintf(stderr, "bench_model: %s\n", e.msg);
        goto done;
    }
    report(&st, "risk surface and tiers");
    printf("cells %zu, candidates %d (kept non-constant %d), kept by culling %d, final %d "
           "(%s), design %zu distinct rows, %.1f MiB (%.1f MiB written out)\n", m->cells,
           m->vars->generated, m->vars->p, m->cv->nkept, m->sw.k,
           rtm_family_name(m->sw.family), m->vars->npat,
           m->vars->x ? (double)m->cells * (double)m->vars->p / 1048576.0
                      : ((double)m->cells * 4 + (double)m->vars->npat * m->vars->p) / 1048576.0,
           (double)m->cells * (double)m->vars->p / 1048576.0);
    printf("variables, all factors: %.2f s, cpu %.2f s\n", st.vt, st.vc);
    printf("total %.2f s, cpu %.2f s\n", now() - st.t0, cpu());
    rc = 0;
done:
    rtm_model_free(m);
    for (i = 0; i < nf; i++)
        rtm_features_free(feat[i]);
    free(counts);
    rtm_events_free(&ev);
    return rc;
}
