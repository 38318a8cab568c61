/* evaluate_product.c: the evaluation product (rtm/product.h) - its options
 * and their check, and one evaluation of every surface against the test
 * events; the back-test is evaluate_backtest.c's. */
#include "product/evaluate_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rtm_evaluate_product_init(rtm_evaluate_product *p)
{
    memset(p, 0, sizeof *p);
    p->ncoverages = RTM_EVAL_NDEFAULT;
    for (int i = 0; i < RTM_EVAL_NDEFAULT; i++)
        p->coverages[i] = rtm_eval_default_coverages[i] * 100;
    rtm_events_opts_init(&p->test);
    rtm_events_opts_init(&p->train);
    p->min_train = 1;
    p->seed = 1;
    rtm_model_opts_init(&p->model);
    /* the vocabulary's defaults, as the model product */
    p->model.var.half_block = rtm_vocab_find("increment")->def;
    p->model.step.nb_family = (rtm_family)rtm_vocab_find("nb")->def;
}

/* The problems found so far, "; "-separated. */
typedef struct problems {
    char msg[RTM_ERRMSG_MAX];
    int n;
} problems;

static void problem(problems *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *pr, const char *fmt, ...)
{
    size_t len = strlen(pr->msg);
    va_list ap;
    if (len + 3 >= sizeof pr->msg)
        return;
    if (pr->n++)
        len += (size_t)snprintf(pr->msg + len, sizeof pr->msg - len, "; ");
    va_start(ap, fmt);
    vsnprintf(pr->msg + len, sizeof pr->msg - len, fmt, ap);
    va_end(ap);
}

/* The names of the surfaces in the order they are built: files, kdeR, rtm
 * (factors), refits, prior, combinations. Returns their number (at most max). */
static int surface_names(const rtm_evaluate_product *p, char (*names)[96], int max)
{
    int n = 0;
    for (int i = 0; i < p->nfiles && n < max; i++)
        eval_surface_name(&p->files[i], names[n++], 96);
    for (int b = 0; b < p->nbandwidths && n < max; b++)
        snprintf(names[n++], 96, "kde%g", p->bandwidths[b]);
    if (p->nfactors > 0 && n < max)
        snprintf(names[n++], 96, "rtm");
    for (int r = 0; r < p->nrefits && n < max; r++)
        snprintf(names[n++], 96, "%s", p->refits[r].name ? p->refits[r].name : "");
    if (eval_prior(p) && n < max)
        snprintf(names[n++], 96, "prior");
    for (int c = 0; c < p->ncombine && n < max; c++)
        snprintf(names[n++], 96, "%s", p->combine[c]);
    return n;
}

static int name_index(char (*names)[96], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return i;
    return -1;
}

/* Each combination "A*B" names two surfaces built before it. */
static void check_combine(const rtm_evaluate_product *p, char (*names)[96], problems *pr)
{
    int first = p->nfiles + p->nbandwidths + (p->nfactors > 0) + p->nrefits + eval_prior(p);
    for (int c = 0; c < p->ncombine; c++) {
        const char *spec = p->combine[c], *star = strchr(spec, '*');
        char a[96];
        if (!star) {
            problem(pr, "combination '%s' is not A*B", spec);
            continue;
        }
        snprintf(a, sizeof a, "%.*s", (int)(star - spec), spec);
        if (name_index(names, first + c, a) < 0)
            problem(pr, "combination '%s': no surface named '%s'", spec, a);
        else if (name_index(names, first + c, star + 1) < 0)
            problem(pr, "combination '%s': no surface named '%s'", spec, star + 1);
    }
}

static void check_surfaces(const rtm_evaluate_product *p, problems *pr)
{
    char names[RTM_EVAL_MAX_SURFACES][96];
    int total = p->nfiles + p->nbandwidths + (p->nfactors > 0) + p->nrefits + eval_prior(p) +
                p->ncombine, n;
    if (total == 0)
        problem(pr, "no surface to evaluate");
    if (total > RTM_EVAL_MAX_SURFACES || p->nbandwidths > RTM_EVAL_MAX_BANDWIDTHS) {
        problem(pr, "too many surfaces (at most %d)", RTM_EVAL_MAX_SURFACES);
        return;
    }
    n = surface_names(p, names, RTM_EVAL_MAX_SURFACES);
    for (int i = 0; i < n; i++)
        if (!names[i][0] || name_index(names, i, names[i]) >= 0)
            problem(pr, "surface name '%s' is empty or given twice%s", names[i],
                    i < p->nfiles ? " (use NAME=FILE)" : " (rename the file surface)");
    for (int b = 0; b < p->nbandwidths; b++)
        if (!(p->bandwidths[b] > 0) || !isfinite(p->bandwidths[b]))
            problem(pr, "KDE bandwidth must be > 0 (got %g)", p->bandwidths[b]);
    check_combine(p, names, pr);
    for (int c = 0; c < p->ncompare; c++) {
        const char *spec = p->compare[c], *comma = strchr(spec, ',');
        char a[96];
        snprintf(a, sizeof a, "%.*s", comma ? (int)(comma - spec) : 0, spec);
        if (!comma || name_index(names, n, a) < 0 || name_index(names, n, comma + 1) < 0 ||
            !strcmp(a, comma + 1))
            problem(pr, "comparison '%s' must name two different surfaces A,B", spec);
    }
}

static void check_backtest(const rtm_evaluate_product *p, problems *pr)
{
    if (p->bootstrap && (p->bootstrap < 10 || p->bootstrap > 1000000))
        problem(pr, "bootstrap replicates must be 10 to 1000000 (got %d)", p->bootstrap);
    for (int r = 0; r < p->nrefits; r++)
        if (!p->refits[r].fit)
            problem(pr, "refit '%s' has no fit function", p->refits[r].name);
    if (!p->backtest) {
        if ((p->nbandwidths || p->prior_counts || p->nfactors || p->nrefits) &&
            p->train.nsources < 1)
            problem(pr, "KDE bandwidths, prior counts, risk factors and refits need training "
                    "events");
        return;
    }
    if (!p->months_from || p->months_to < p->months_from)
        problem(pr, "back-test: months must be FROM..TO with FROM <= TO");
    if (p->train.nsources > 0)
        problem(pr, "back-test: the training events are the earlier months of the events");
    if (p->min_train < 1 || p->window < 0 || (p->window && p->window < p->min_train))
        problem(pr, "back-test: need 1 <= minimum training months <= window (got %d, %d)",
                p->min_train, p->window);
}

int rtm_evaluate_product_check(const rtm_evaluate_product *p, rtm_error *err)
{
    problems pr = {{0}, 0};
    if (!p->dir || !p->dir[0])
        problem(&pr, "no output folder");
    if (p->ncoverages < 1 || p->ncoverages > RTM_EVAL_MAX_COVERAGES)
        problem(&pr, "give 1 to %d coverages (got %d)", RTM_EVAL_MAX_COVERAGES, p->ncoverages);
    for (int i = 0; i < p->ncoverages && i < RTM_EVAL_MAX_COVERAGES; i++)
        if (!(p->coverages[i] > 0 && isfinite(p->coverages[i])) ||
            (p->coverage_units[i] == RTM_COVER_PERCENT && p->coverages[i] > 100))
            problem(&pr, "coverage must be a percentage in (0, 100], an area or a cell count "
                    "> 0 (got %g)", p->coverages[i]);
    if (p->test.nsources < 1)
        problem(&pr, "no test events");
    check_surfaces(p, &pr);
    check_backtest(p, &pr);
    return pr.n ? rtm_error_set(err, RTM_ERR_ARG, "evaluate: %s", pr.msg) : 0;
}

/* Test events, their counts, the training events and the N of the test. */
static int load_inputs(eval_state *s, rtm_error *err)
{
    const rtm_evaluate_product *p = s->p;
    int rc;
    if ((rc = eval_load_events(s, &p->test, p->test.month_from, p->test.month_to, &s->test,
                               &s->test_st, "test events", 0, err)))
        return rc;
    if (!(s->counts = eval_bin(s, &s->test, err)))
        return RTM_ERR_NOMEM;
    if (p->train.nsources > 0 &&
        ((rc = eval_load_events(s, &p->train, p->train.month_from, p->train.month_to,
                                &s->train, &s->train_st, "training events", 1, err)) ||
         !(s->train_counts = eval_bin(s, &s->train, err))))
        return rc ? rc : RTM_ERR_NOMEM;
    if (p->train.nsources > 0 && s->reach > 0) {
        double in = 0;
        for (size_t k = 0; k < s->ncells; k++)
            in += s->mask[k] ? s->train_counts[k] : 0;
        rtm_prod_log(s->env, "training events: %.10g in the evaluated area, %.10g more within "
                     "%g of it (used by the KDEs only)", in, (double)s->train.n - in,
                     s->reach);
    }
    for (size_t k = 0; k < s->ncells; k++)
        s->total += s->mask[k] ? s->counts[k] : 0;
    if (s->area_cells == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "evaluate: no cell has data in every surface: "
                             "nothing to evaluate");
    if (!(s->total > 0))
        return rtm_error_set(err, RTM_ERR_INPUT, "evaluate: no test events in the evaluated "
                             "area (check the month window and the filter): nothing to "
                             "evaluate");
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Every surface's metrics (the first also gives the concentration). */
static int evaluate_all(eval_state *s, eval_surf_result *r, eval_conc *cc, rtm_error *err)
{
    struct timespec t0;
    int rc = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < s->ns && !rc; i++)
        rc = eval_surface_metrics(s, s->s[i].v, &r[i], 1, i == 0 ? cc : NULL, err);
    if (!rc)
        rtm_prod_log(s->env, "evaluated %d surface%s of %zu cells in %.3f s", s->ns,
                     s->ns == 1 ? "" : "s", s->ncells, seconds_since(&t0));
    return rc;
}

/* A surface too coarse for a coverage: its tied cells, not its ranking,
 * decide what is flagged there (rtm/evaluate_truth.h). */
static void coarse_warnings(eval_state *s, const eval_surf_result *r)
{
    for (int i = 0; i < s->ns; i++)
        for (int c = 0; c < s->p->ncoverages; c++)
            if (r[i].coarse[c])
                eval_warn(s, "surface '%s' is too coarse for %s%s: the coverage ends inside "
                          "%.0f tied cells (more than the %.6g flagged), so its cells there "
                          "are credited pro rata, not ranked", s->s[i].name, s->covlab[c],
                          s->p->coverage_units[c] ? "" : " %", r[i].tied[c], r[i].m[c].cells);
}

static void eval_result(const eval_state *s, const eval_surf_result *r,
                        rtm_evaluate_result *res)
{
    for (int i = 0; i < s->ns; i++) {
        memcpy(res->m[i], r[i].m, sizeof res->m[i]);

        res->auc[i] = r[i].auc;
    }
    snprintf(res->summary, sizeof res->summary, "evaluate: %d surface%s against %.10g test "
             "events on %.0f cells", s->ns, s->ns == 1 ? "" : "s", s->total, s->area_cells);
}

static int run_evaluate(eval_state *s, rtm_evaluate_result *res, rtm_error *err)
{
    eval_surf_result *r = NULL;
    eval_conc cc;
    int rc;
    if ((rc = load_inputs(s, err)))
        return rc;
    if (s->train_counts || s->p->ncombine)
        rc = eval_build_derived(s, s->train.x, s->train.y, s->train.w, s->train.n,
                                s->train_counts, NULL, err);
    if (!rc && !(r = calloc((size_t)s->ns, sizeof *r)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory");
    if (!rc && !(rc = evaluate_all(s, r, &cc, err)))
        coarse_warnings(s, r);
    if (!rc && s->train_counts)
        rc = eval_write_newplaces(s, err);
    if (!rc && (s->p->bootstrap || s->p->ncompare))
        rc = eval_write_uncertainty(s, err);
    if (!rc)
        rc = eval_write_all(s, r, &cc, err);
    if (!rc && res)
        eval_result(s, r, res);
    for (int i = 0; r && i < s->ns; i++)
        free(r[i].curve);
    free(r);
    return rc;
}

int rtm_evaluate_product_run(const rtm_evaluate_product *p, const rtm_product_env *env,
                             rtm_outset *out, rtm_evaluate_result *res, rtm_error *err)
{
    eval_state s;
    int rc;
    if ((rc = rtm_evaluate_product_check(p, err)))
        return rc;
    eval_state_init(&s, p, env, out);
    if (res)
        memset(res, 0, sizeof *res);
    if (!(rc = eval_setup_grid(&s, err)) && !(rc = eval_setup_coverages(&s, err)) &&
        !(rc = eval_setup_refits(&s, err)))
        rc = p->backtest ? eval_run_backtest(&s, res, err) : run_evaluate(&s, res, err);
    if (!rc && res) {
        res->nsurfaces = s.ns;
        res->ncoverages = p->ncoverages;
        for (int c = 0; c < p->ncoverages; c++)
            res->coverages[c] = s.cov[c] * 100;
        for (int i = 0; i < s.ns; i++)
            snprintf(res->names[i], sizeof res->names[i], "%s", s.s[i].name);
    }
    eval_state_free(&s);
    return rc;
}
