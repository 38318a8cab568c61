/* job_params.c: a job's inputs and parameters for the manifest, and the
 * canonical parameter text of surfaces for cache keys (see rtm/job.h). */
#include "rtm/job.h"
#include "job/job_internal.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text; on no memory it becomes NULL and stays so. */
typedef struct text {
    char *s;
    size_t len;
    int failed;
} text;

static void addf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(text *t, const char *fmt, ...)
{
    char *piece;
    va_list ap;
    if (t->failed)
        return;
    va_start(ap, fmt);
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    char *grown = n < 0 ? NULL : realloc(t->s, t->len + (size_t)n + 1);
    if (!grown) {
        if (n >= 0)
            free(piece);
        t->failed = 1;
        return;
    }
    memcpy(grown + t->len, piece, (size_t)n + 1);
    t->s = grown;
    t->len += (size_t)n;
    free(piece);
}

static const char *num(double v, char *buf)
{
    return rtm_json_format_double(v, buf, 40);
}

static char *finish(text *t)
{
    if (t->failed) {
        free(t->s);
        return NULL;
    }
    return t->s ? t->s : strdup("");
}

/* grid-defining settings shared by every surface */
static void grid_params(text *t, const rtm_job *job)
{
    char b[40];
    addf(t, "crs=%s\ncell_size=%s\n", job->crs ? job->crs : "", num(job->cell_size, b));
    addf(t, "study_area.layer=%s\nstudy_area.where=%s\n",
         job->study_area.layer ? job->study_area.layer : "",
         job->study_area.where ? job->study_area.where : "");
}

static void layer_params(text *t, const char *prefix, const rtm_catalog_layer *l)
{
    if (!l)
        return;
    addf(t, "%s.name=%s\n%s.nfiles=%d\n", prefix, l->name, prefix, l->nfiles);
    addf(t, "%s.layer=%s\n%s.x_field=%s\n%s.y_field=%s\n%s.crs=%s\n%s.where=%s\n", prefix,
         l->layer ? l->layer : "", prefix, l->x_field ? l->x_field : "", prefix,
         l->y_field ? l->y_field : "", prefix, l->crs ? l->crs : "", prefix,
         l->where ? l->where : "");
}

char *rtm_job_factor_params(const rtm_job *job, const rtm_job_surface *s,
                            const rtm_job_factor *f)
{
    text t = {0};
    char b[40];
    addf(&t, "rtm-factor-v1\n");
    grid_params(&t, job);
    addf(&t, "block=%s\n", num(s->block, b));
    layer_params(&t, "layer", f->layer);
    addf(&t, "factor.where=%s\nfactor.oper=%s\nfactor.max_blocks=%d\nfactor.increment=%s\n"
             "factor.protective=%d\n",
         f->where ? f->where : "", rtm_oper_name(f->oper), f->max_blocks,
         f->increment == RTM_INCR_WHOLE ? "whole" : "half", f->protective);
    return finish(&t);
}

/* The options of the complete KDE, each only when set. */
static void kde_plus_params(text *t, const rtm_job_surface *s)
{
    char b[40];
    if (s->radius_rule)
        addf(t, "radius_rule=%d\n", s->radius_rule);
    if (s->sigma > 0)
        addf(t, "sigma=%s\n", num(s->sigma, b));
    if (s->truncate > 0)
        addf(t, "truncate=%s\n", num(s->truncate, b));
    if (s->edge)
        addf(t, "edge=%s\n", rtm_vocab_name("edge", s->edge));
    if (s->adaptive)
        addf(t, "adaptive=1\npilot=%s\ngroups=%d\n", num(s->pilot, b), s->groups);
}

/* The parameters of the surface types added after the first five. */
static void newer_params(text *tp, const rtm_job *job, const rtm_job_surface *s)
{
    char b[40], b2[40];
    switch (s->type) {
    case RTM_SURF_FORECAST:
        addf(tp, "horizon=%d\nseed=%llu\n", s->horizon, s->seed);
        if (s->nfactors)
            addf(tp, "block=%s\nmax_blocks=%d\n", num(s->block, b), s->max_blocks);
        for (int i = 0; i < s->nfactors; i++) {
            char *fp = rtm_job_factor_params(job, s, &s->factors[i]);
            addf(tp, "factor[%d]:\n%s", i, fp ? fp : "");
            tp->failed |= fp == NULL;
            free(fp);
        }
        break;
    case RTM_SURF_PLACES:
        addf(tp, "count=%d\nsize=%s\n", s->count, num(s->size, b));
        addf(tp, "shape=%s\nmeasure=%d\n", rtm_vocab_name("shape", s->shape), s->measure);
        addf(tp, "min_spacing=%s\n", num(s->spacing, b));
        addf(tp, "step=%s\nper_area=%d\n", num(s->step, b), s->per_area);
        if (s->roads)
            addf(tp, "roads=%s\nroads_where=%s\nroads_name_field=%s\nsegment=%s\n", s->roads,
                 s->roads_where ? s->roads_where : "",
                 s->roads_name_field ? s->roads_name_field : "", num(s->segment, b));
        break;
    case RTM_SURF_CHANGE:
        addf(tp, "radius=%s\nkernel=%s\nunits=%s\nbefore=%d..%d\nafter=%d..%d\n"
             "after_months=%d\niterations=%d\nseed=%llu\nalpha=%s\nscale=%s\n"
             "units_layer=%s\nunits_field=%s\n", num(s->radius, b),
             rtm_vocab_name("kernel", s->kernel), rtm_vocab_name("units", s->units),
             s->before_from, s->before_to, s->after_from, s->after_to, s->after_months,
             s->iterations, s->seed, num(s->alpha, b2), rtm_vocab_name("scale", s->scale),
             s->units_layer ? s->units_layer : "", s->units_field ? s->units_field : "");
        break;
    case RTM_SURF_DOSAGE: {
        char *dp = s->dosage ? rtm_job_dosage_params(s->dosage) : NULL;
        addf(tp, "%s", dp ? dp : "");
        tp->failed |= dp == NULL;
        free(dp);
        break;
    }
    case RTM_SURF_EMERGING:
        addf(tp, "step=%s\nband=%s\nknn=%d\ntime_steps=%d\nalpha=%s\nfdr=%d\nscheme=%s\n"
             "all_cells=%d\n", rtm_vocab_name("step", s->time_step), num(s->band, b), s->knn,
             s->time_steps, num(s->alpha, b2), s->fdr, rtm_vocab_name("scheme", s->scheme),
             s->all_cells);
        break;
    case RTM_SURF_TRIAL:
        addf(tp, "places=%s\nschedule=%s\ndosage=%s\nring_inner=%s\n", s->places,
             s->schedule, s->dosage_file ? s->dosage_file : "", num(s->ring_inner, b));
        addf(tp, "ring_outer=%s\n", num(s->ring_outer, b));
        addf(tp, "target_minutes=%s\npermutations=%d\nseed=%llu\noutcome=%s\n",
             num(s->target_minutes, b), s->permutations, s->seed,
             s->outcome ? s->outcome : "");
        break;
    case RTM_SURF_KNOX:
        addf(tp, "manhattan=%d\nsame_location=%s\niterations=%d\nseed=%llu\nalpha=%s\n",
             s->manhattan, num(s->same_location, b), s->iterations, s->seed,
             num(s->alpha, b2));
        for (int i = 0; i < s->ndistance_bands; i++)
            addf(tp, "distance_band[%d]=%s\n", i, num(s->distance_bands[i], b));
        for (int i = 0; i < s->ntime_bands; i++)
            addf(tp, "time_band[%d]=%d\n", i, s->time_bands[i]);
        break;
    case RTM_SURF_REPEATS:
        addf(tp, "top=%d\n", s->top);
        break;
    default:
        break;
    }
}

char *rtm_job_surface_params(const rtm_job *job, const rtm_job_surface *s)
{
    text t = {0};
    char b[40];
    addf(&t, "rtm-surface-v1\ntype=%s\nname=%s\n", rtm_surface_type_name(s->type), s->name);
    grid_params(&t, job);
    switch (s->type) {
    case RTM_SURF_KDE:
        addf(&t, "radius=%s\nkernel=%s\nunits=%s\n", num(s->radius, b),
             rtm_vocab_name("kernel", s->kernel), rtm_vocab_name("units", s->units));
        kde_plus_params(&t, s); /* nothing when unused: the same key as before */
        break;
    case RTM_SURF_DISTANCE:
        layer_params(&t, "layer", s->layer);
        break;
    case RTM_SURF_MODEL:
        addf(&t, "block=%s\nmax_blocks=%d\nincrement=%s\nseed=%llu\nfamily=%s\nnb=%s\n"
             "folds=%d\n", num(s->block, b), s->max_blocks,
             s->increment == RTM_INCR_WHOLE ? "whole" : "half", s->seed,
             rtm_vocab_name("family", s->family), rtm_vocab_name("nb", s->nb), s->folds);
        if (!s->backtest) /* nothing by default: the same key as before */
            addf(&t, "backtest=0\n");
        for (int i = 0; i < s->nfactors; i++) {
            char *fp = rtm_job_factor_params(job, s, &s->factors[i]);
            addf(&t, "factor[%d]:\n%s", i, fp ? fp : "");
            t.failed |= fp == NULL;
            free(fp);
        }
        break;
    case RTM_SURF_EVALUATE:
        addf(&t, "test_from=%d\ntest_to=%d\nprior_counts=%d\nbacktest=%d\nmin_train=%d\n"
             "window=%d\n", s->test_from, s->test_to, s->prior_counts, s->backtest,
             s->min_train, s->window);
        for (int i = 0; i < s->ninputs; i++)
            addf(&t, "surface[%d]=%s\n", i, s->inputs[i]);
        for (int i = 0; i < s->nbandwidths; i++)
            addf(&t, "kde_bandwidth[%d]=%s\n", i, num(s->bandwidths[i], b));
        for (int i = 0; i < s->ncoverages; i++)
            addf(&t, "coverage[%d]=%s\n", i, num(s->coverages[i], b));
        if (s->refit_forecast)
            addf(&t, "refit_forecast=1\n");
        break;
    case RTM_SURF_HOTSPOTS:
        addf(&t, "band=%s\nknn=%d\nfdr=%d\n", num(s->band, b), s->knn, s->fdr);
        break;
    default: /* the newer analyses */
        newer_params(&t, job, s);
        break;
    case RTM_SURF_OVERLAY:
        addf(&t, "normalise=%s\n", rtm_vocab_name("normalise", s->normalise));
        for (int i = 0; i < s->ninputs; i++)
            addf(&t, "layer[%d]=%s\nweight[%d]=%s\n", i, s->inputs[i], i, num(s->weights[i], b));
        break;
    }
    return finish(&t);
}
