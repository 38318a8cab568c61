/* job_surfaces.c: the `surfaces:` section of a job file (see docs/job-format.md). */
#include "job/job_internal.h"
#include "rtm/places.h"
#include "rtm/emerging.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"

static const char *const type_names[] = {
    "kde",
    "distance",
    "rtm",
    "overlay",
    "hotspots",
    "evaluate",
    "change",
    "forecast",
    "dosage",
    "places",
    "emerging",
    "trial",
    "knox",
    "repeats",
    NULL};
static const char *const forecast_keys[] = {"type", "name", "horizon", "seed", "factors",
                                            "block", "max_blocks", "tiles", NULL};
static const char *const places_keys[] = {"type", "name", "count", "size", "shape", "measure",
                                          "min_spacing", "step", "per_area", "roads",
                                          "roads_where", "roads_name_field", "segment", NULL};
static const char *const kde_keys[] = {"type", "name", "radius", "kernel", "units", "sigma",
                                       "truncate", "edge", "adaptive", "pilot", "groups",
                                       "tiles", NULL};
static const char *const dist_keys[] = {"type", "name", "layer", NULL};
static const char *const rtm_keys[] = {"type", "name", "factors", "block", "max_blocks",
                                       "increment", "seed", "family", "nb", "folds", "backtest",
                                       "tiles", NULL};
static const char *const hotspots_keys[] = {"type", "name", "band", "knn", "fdr", "tiles",
                                            NULL};
static const char *const emerging_keys[] = {"type", "name", "step", "band", "knn",
                                            "time_steps", "alpha", "fdr", "scheme",
                                            "all_cells", "tiles", NULL};
static const char *const evaluate_keys[] = {"type", "name", "surfaces", "kde_bandwidths",
                                            "prior_counts", "coverages", "test_from",
                                            "test_to", "backtest", "min_train", "window",
                                            "bootstrap", "seed", "compare",
                                            "refit_forecast", NULL};
static const char *const trial_keys[] = {"type", "name", "places", "schedule", "dosage",
                                         "ring", "target_minutes", "permutations", "seed",
                                         "outcome", NULL};
static const char *const overlay_keys[] = {"type", "name", "layers", "weights", "normalise",
                                           NULL};
static const char *const factor_keys[] = {"layer", "operationalization", "max_blocks",
                                          "increment", "where", "protective", NULL};

const char *rtm_surface_type_name(rtm_surface_type t)
{
    return t >= RTM_SURF_KDE && t < RTM_SURF_NTYPES ? type_names[t] : "?";
}

static void surface_clear(rtm_job_surface *s)
{
    free(s->name);
    free(s->layer_name);
    for (int i = 0; i < s->nfactors; i++) {
        free(s->factors[i].name);
        free(s->factors[i].where);
    }
    free(s->factors);
    rtm_ystrv_free(s->inputs, s->ninputs);
    free(s->weights);
    free(s->bandwidths);
    free(s->coverages);
    free(s->coverage_units);
    rtm_ystrv_free(s->compare, s->ncompare);
    free(s->units_layer);
    free(s->units_field);
    free(s->roads), free(s->roads_where), free(s->roads_name_field);
    rtm_job_dosage_free(s->dosage);
    free(s->places);
    free(s->schedule);
    free(s->dosage_file);
    free(s->outcome);
    free(s->distance_bands);
    free(s->time_bands);
}

void rtm_job_surfaces_clear(rtm_job *job)
{
    for (int i = 0; i < job->nsurfaces; i++)
        surface_clear(&job->surfaces[i]);
    free(job->surfaces);
    job->surfaces = NULL;
    job->nsurfaces = 0;
}

/* The catalogue layer called name, reporting unknown names at node at. */
static const rtm_catalog_layer *find_layer(rtm_ydoc *y, const rtm_job *job, yaml_node_t *at,
                                           const char *name)
{
    const rtm_catalog_layer *l = rtm_catalog_find(job->catalog, name);
    const rtm_catalog_broken *b = rtm_catalog_find_broken(job->catalog, name);
    if (l || !name)
        return l;
    if (b) {
        rtm_yerr(y, at, "layer '%s' is invalid: %s", name,
                 b->errs.n ? b->errs.msg[0] : b->def_path);
        for (int i = 1; i < b->errs.n; i++) {
            int seen = 0; /* the same layer may be used twice */
            for (int k = 0; k < y->errs->n && !seen; k++)
                seen = strcmp(y->errs->msg[k], b->errs.msg[i]) == 0;
            if (!seen)
                rtm_msgs_add(y->errs, "%s", b->errs.msg[i]);
        }
        return NULL;
    }
    if (!job->catalog) {
        rtm_yerr(y, at, "layer '%s' needs a layer catalogue (set 'catalog:' in the job "
                        "or pass a catalogue directory)", name);
        return NULL;
    }
    char known[400] = "";
    size_t len = 0;
    for (int i = 0; i < job->catalog->n && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                                job->catalog->layers[i].name);
    rtm_yerr(y, at, "unknown layer '%s' (not in catalogue '%s'; known: %s)", name,
             job->catalog->dir, job->catalog->n ? known : "none");
    return NULL;
}

/* radius: a number or a rule (auto-cv, auto-arcgis, auto-scott); or sigma. */
static void read_kde_radius(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    static const char *const rules[] = {"auto-arcgis", "auto-scott", "auto-cv", NULL};
    yaml_node_t *rn = rtm_yget(y, n, "radius");
    const char *rs = rn ? rtm_yscalar(rn) : NULL;
    int rule = -1;
    rtm_ynum(y, n, "sigma", 1e-300, RTM_JOB_MAX_DISTANCE, &s->sigma);
    if (rs && !strncmp(rs, "auto-", 5)) {
        if (rtm_yenum(y, n, "radius", rules, &rule) == 0)
            s->radius_rule = rule == 0 ? RTM_RADIUS_ARCGIS : rule == 1 ? RTM_RADIUS_SCOTT
                                                                       : RTM_RADIUS_CV;
    } else if (!rtm_yget(y, n, "sigma") && rtm_yrequire(y, n, "radius", "kde"))
        rtm_ynum(y, n, "radius", 1e-300, RTM_JOB_MAX_DISTANCE, &s->radius);
    else if (rn)
        rtm_ynum(y, n, "radius", 1e-300, RTM_JOB_MAX_DISTANCE, &s->radius);
    if (rn && rtm_yget(y, n, "sigma"))
        rtm_yerr(y, n, "kde: give 'radius' or 'sigma', not both");
}

/* edge, adaptive, pilot, groups (rtm/kde_plus.h). */
static void read_kde_plus(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    yaml_node_t *gn = rtm_yget(y, n, "groups");
    long long groups = 0;
    s->edge = rtm_vocab_find("edge")->def;
    rtm_yvocab(y, n, "edge", "edge", &s->edge);
    rtm_ybool(y, n, "adaptive", &s->adaptive);
    rtm_ynum(y, n, "pilot", 1e-300, RTM_JOB_MAX_DISTANCE, &s->pilot);
    if (gn && rtm_yscalar(gn) && !strcmp(rtm_yscalar(gn), "exact"))
        s->groups = RTM_KDE_GROUPS_EXACT;
    else if (rtm_yint(y, n, "groups", 1, 1000000, &groups) == 0)
        s->groups = (int)groups;
    if (!s->adaptive && (s->pilot > 0 || gn))
        rtm_yerr(y, n, "kde: 'pilot' and 'groups' need 'adaptive: true'");
}

static void read_kde(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    rtm_ycheck_keys(y, n, "kde", kde_keys);
    int kernel = rtm_vocab_find("kernel")->def, units = rtm_vocab_find("units")->def;
    read_kde_radius(y, n, s);
    rtm_yvocab(y, n, "kernel", "kernel", &kernel);
    rtm_yvocab(y, n, "units", "units", &units);
    s->kernel = (rtm_kernel)kernel;
    s->units = (rtm_map_units)units;
    rtm_ynum(y, n, "truncate", 1e-300, 10, &s->truncate);
    if (s->truncate > 0 && s->kernel != RTM_KERNEL_GAUSSIAN)
        rtm_yerr(y, n, "kde: 'truncate' applies to the gaussian kernel only");
    read_kde_plus(y, n, s);
    rtm_job_read_tiles(y, n, s);
    if (s->tiles > 1 && (s->edge || s->adaptive))
        rtm_yerr(y, rtm_yget(y, n, "tiles"), "kde: 'tiles' needs the plain kernel (edge "
                 "correction and adaptive radii need the whole grid at once)");
}

static void read_hotspots(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long knn = 0;
    rtm_ycheck_keys(y, n, "hotspots", hotspots_keys);
    rtm_ynum(y, n, "band", 1e-300, RTM_JOB_MAX_DISTANCE, &s->band);
    rtm_yint(y, n, "knn", 1, 100000, &knn);
    s->knn = (int)knn;
    s->fdr = 0;
    rtm_ybool(y, n, "fdr", &s->fdr);
    if (s->knn > 0 && s->band > 0)
        rtm_yerr(y, n, "hotspots: give either 'band' or 'knn', not both");
    rtm_job_read_tiles(y, n, s);
}


/* places: the options of rtm places (count, size, shape, measure harm|count,
 * min_spacing, step, per_area over the job's first areas set); named
 * settings are the command's only. */
/* Street segments of a places surface: roads (lines, checked by --check),
 * roads_where, roads_name_field, segment. */
static void read_roads(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    char *roads = NULL;
    if (rtm_ystr(y, n, "roads", &roads) || !roads)
        return;
    s->roads = rtm_yresolve(y, roads);
    free(roads);
    rtm_ystr(y, n, "roads_where", &s->roads_where);
    rtm_ystr(y, n, "roads_name_field", &s->roads_name_field);
    rtm_ynum(y, n, "segment", 1e-9, RTM_JOB_MAX_DISTANCE, &s->segment);
    static const char *const keys[] = {"roads_name_field"};
    const char *fields[] = {s->roads_name_field};
    if (s->roads)
        rtm_job_check_file(y, n, s->roads, NULL, s->roads_where, 1, keys, fields);
}

static void read_places(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long count = 20, per_area = 0;
    int shape = rtm_vocab_find("shape")->def, measure = RTM_MEASURE_AUTO;
    rtm_ycheck_keys(y, n, "places", places_keys);
    rtm_yint(y, n, "count", 1, RTM_PLACES_MAX, &count);
    s->count = (int)count;
    rtm_yint(y, n, "per_area", 1, RTM_PLACES_MAX, &per_area);
    s->per_area = (int)per_area;
    s->size = 150;
    rtm_ynum(y, n, "size", 1e-9, RTM_JOB_MAX_DISTANCE, &s->size);
    rtm_ynum(y, n, "min_spacing", 0, RTM_JOB_MAX_DISTANCE, &s->spacing);
    rtm_ynum(y, n, "step", 1e-9, RTM_JOB_MAX_DISTANCE, &s->step);
    rtm_yvocab(y, n, "shape", "shape", &shape);
    if (rtm_yget(y, n, "measure"))
        rtm_yvocab(y, n, "measure", "measure", &measure);
    s->shape = shape;
    s->measure = measure;
    read_roads(y, n, s);
}

static void read_emerging(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long knn = 0, ts = 1;
    int step = RTM_STEP_MONTH, scheme = RTM_SCHEME_ESRI;
    rtm_ycheck_keys(y, n, "emerging", emerging_keys);
    rtm_ynum(y, n, "band", 1e-300, RTM_JOB_MAX_DISTANCE, &s->band);
    rtm_yint(y, n, "knn", 1, 100000, &knn);
    rtm_yint(y, n, "time_steps", 0, 1000, &ts);
    s->knn = (int)knn;
    s->time_steps = (int)ts;
    s->alpha = 0.10;
    rtm_ynum(y, n, "alpha", 1e-12, 0.5, &s->alpha);
    s->fdr = 1;
    rtm_ybool(y, n, "fdr", &s->fdr);
    rtm_ybool(y, n, "all_cells", &s->all_cells);
    rtm_yvocab(y, n, "step", "step", &step);
    rtm_yvocab(y, n, "scheme", "scheme", &scheme);
    s->time_step = step;
    s->scheme = scheme;
    rtm_job_read_tiles(y, n, s);
    if (s->knn > 0 && s->band > 0)
        rtm_yerr(y, n, "emerging: give either 'band' or 'knn', not both");
}

static void read_distance(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s, const rtm_job *job)
{
    rtm_ycheck_keys(y, n, "distance", dist_keys);
    if (rtm_yrequire(y, n, "layer", "distance") && rtm_ystr(y, n, "layer", &s->layer_name) == 0)
        s->layer = find_layer(y, job, rtm_yget(y, n, "layer"), s->layer_name);
}

/* A factor: a catalogue name, or a mapping {layer: name, overrides...}. */
static void read_factor(rtm_ydoc *y, yaml_node_t *n, rtm_job_factor *f, const rtm_job_surface *s,
                        const rtm_job *job)
{
    int oper = -1, incr = -1, half;
    long long maxb = 0;
    if (rtm_yscalar(n)) {
        f->name = strdup(rtm_yscalar(n));
    } else if (rtm_yexpect_map(y, n, "factors[]") == 0) {
        rtm_ycheck_keys(y, n, "factors[]", factor_keys);
        if (rtm_yrequire(y, n, "layer", "factors[]"))
            rtm_ystr(y, n, "layer", &f->name);
        rtm_yvocab(y, n, "operationalization", "operationalization", &oper);
        rtm_yint(y, n, "max_blocks", 1, 20, &maxb);
        half = -1;
        rtm_yvocab(y, n, "increment", "increment", &half);
        incr = half < 0 ? -1 : half ? RTM_INCR_HALF : RTM_INCR_WHOLE;
        rtm_ystr(y, n, "where", &f->where);
        f->protective = -1;
        rtm_ybool(y, n, "protective", &f->protective);
    } else {
        return;
    }
    yaml_node_t *at = rtm_yget(y, n, "layer") ? rtm_yget(y, n, "layer") : n;
    f->layer = find_layer(y, job, at, f->name);
    const rtm_catalog_layer *l = f->layer;
    f->oper = oper >= 0 ? (rtm_oper)oper : l ? l->oper : RTM_OPER_AUTO;
    f->max_blocks = maxb ? (int)maxb : l && l->max_blocks ? l->max_blocks : s->max_blocks;
    f->increment = incr >= 0                   ? (rtm_increment)incr
                   : l && l->increment >= 0 ? (rtm_increment)l->increment
                                            : s->increment;
    if (f->protective < 0 || !rtm_yget(y, n, "protective"))
        f->protective = l ? l->protective : 0;
}

static void read_factors(rtm_ydoc *y, yaml_node_t *fs, rtm_job_surface *s, const rtm_job *job);

static void read_rtm(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s, const rtm_job *job)
{
    long long maxb = 3, seed = 1, folds = 5;
    int half = rtm_vocab_find("increment")->def;
    rtm_ycheck_keys(y, n, "rtm", rtm_keys);
    s->block = 2 * job->cell_size; /* cell = half a block (rtm-method.md, "Grid") */
    rtm_ynum(y, n, "block", 1e-300, RTM_JOB_MAX_DISTANCE, &s->block);
    rtm_yint(y, n, "max_blocks", 1, 20, &maxb);
    rtm_yvocab(y, n, "increment", "increment", &half);
    rtm_yint(y, n, "seed", 0, (long long)(~0ull >> 1), &seed);
    rtm_yint(y, n, "folds", 2, 100, &folds);
    s->backtest = 1; /* as rtm model without --no-backtest */
    rtm_ybool(y, n, "backtest", &s->backtest);
    s->family = rtm_vocab_find("family")->def;
    s->nb = rtm_vocab_find("nb")->def;
    rtm_yvocab(y, n, "family", "family", &s->family);
    rtm_yvocab(y, n, "nb", "nb", &s->nb);
    s->max_blocks = (int)maxb;
    s->increment = half ? RTM_INCR_HALF : RTM_INCR_WHOLE;
    s->seed = (unsigned long long)seed;
    s->folds = (int)folds;
    rtm_job_read_tiles(y, n, s);
    read_factors(y, rtm_yrequire(y, n, "factors", "rtm"), s, job);
}

/* The factors list of an rtm or forecast surface (fs NULL: none). */
static void read_factors(rtm_ydoc *y, yaml_node_t *fs, rtm_job_surface *s, const rtm_job *job)
{
    if (!fs)
        return;
    if (fs->type != YAML_SEQUENCE_NODE || fs->data.sequence.items.top == fs->data.sequence.items.start) {
        rtm_yerr(y, fs, "'factors' must be a non-empty list of catalogue layer names");
        return;
    }
    int cnt = (int)(fs->data.sequence.items.top - fs->data.sequence.items.start);
    if (!(s->factors = calloc((size_t)cnt, sizeof *s->factors)))
        return;
    s->nfactors = cnt;
    for (int i = 0; i < cnt; i++) {
        read_factor(y, yaml_document_get_node(&y->doc, fs->data.sequence.items.start[i]),
                    &s->factors[i], s, job);
        for (int k = 0; k < i; k++)
            if (s->factors[i].name && s->factors[k].name &&
                strcmp(s->factors[i].name, s->factors[k].name) == 0)
                rtm_yerr(y, yaml_document_get_node(&y->doc, fs->data.sequence.items.start[i]),
                         "factor '%s' is listed twice", s->factors[i].name);
    }
}

/* forecast: horizon, seed, and risk factors as the rtm surface reads them
 * (variables as rtm forecast: block 2 cells, 3 whole blocks by default). */
static void read_forecast(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s, const rtm_job *job)
{
    long long horizon = 1, seed = 1, maxb = 3;
    rtm_ycheck_keys(y, n, "forecast", forecast_keys);
    rtm_yint(y, n, "horizon", 1, 12, &horizon);
    rtm_yint(y, n, "seed", 0, (long long)(~0ull >> 1), &seed);
    s->horizon = (int)horizon;
    s->seed = (unsigned long long)seed;
    s->block = 2 * job->cell_size;
    rtm_ynum(y, n, "block", 1e-300, RTM_JOB_MAX_DISTANCE, &s->block);
    rtm_yint(y, n, "max_blocks", 1, 16, &maxb);
    s->max_blocks = (int)maxb;
    s->increment = RTM_INCR_WHOLE;
    read_factors(y, rtm_yget(y, n, "factors"), s, job);
    rtm_job_read_tiles(y, n, s);
    if (s->tiles > 1 && s->nfactors == 0)
        rtm_yerr(y, rtm_yget(y, n, "tiles"), "forecast: 'tiles' builds the factors' variables by "
                 "strips: it needs 'factors'");
}

/* layers: names of earlier surfaces; weights: one number each */
static void read_overlay(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s, const rtm_job *job,
                         int idx)
{
    char **w = NULL;
    int nw = 0;
    rtm_ycheck_keys(y, n, "overlay", overlay_keys);
    int norm = rtm_vocab_find("normalise")->def;
    rtm_yvocab(y, n, "normalise", "normalise", &norm);
    s->normalise = (rtm_normalise)norm;
    yaml_node_t *ln = rtm_yrequire(y, n, "layers", "overlay");
    if (!ln || rtm_ystrlist(y, n, "layers", &s->inputs, &s->ninputs))
        return;
    for (int i = 0; i < s->ninputs; i++) {
        int found = 0;
        for (int k = 0; k < idx; k++)
            found |= job->surfaces[k].name && strcmp(job->surfaces[k].name, s->inputs[i]) == 0;
        if (!found)
            rtm_yerr(y, ln, "overlay layer '%s' is not a surface defined before this one",
                     s->inputs[i]);
    }
    if (!(s->weights = calloc((size_t)s->ninputs + 1, sizeof *s->weights)))
        return;
    for (int i = 0; i < s->ninputs; i++)
        s->weights[i] = 1.0;
    yaml_node_t *wn = rtm_yget(y, n, "weights");
    if (!wn || rtm_ystrlist(y, n, "weights", &w, &nw))
        return;
    if (nw != s->ninputs)
        rtm_yerr(y, wn, "'weights' must have one number per layer (%d layers, %d weights)",
                 s->ninputs, nw);
    for (int i = 0; i < nw && i < s->ninputs; i++) {
        char *end;
        s->weights[i] = strtod(w[i], &end);
        if (end == w[i] || *end || !isfinite(s->weights[i]) ||
            fabs(s->weights[i]) > RTM_JOB_MAX_WEIGHT)
            rtm_yerr(y, wn, "weight '%s' is not a number from -%g to %g", w[i],
                     RTM_JOB_MAX_WEIGHT, RTM_JOB_MAX_WEIGHT);
    }
    rtm_ystrv_free(w, nw);
}

/* A list of numbers in (lo, hi] under key (absent: *v NULL, *n 0). */
static void read_numbers(rtm_ydoc *y, yaml_node_t *n, const char *key, double lo, double hi,
                         int max, double **v, int *nv)
{
    char **w = NULL;
    int nw = 0;
    yaml_node_t *at = rtm_yget(y, n, key);
    if (!at || rtm_ystrlist(y, n, key, &w, &nw))
        return;
    if (nw > max)
        rtm_yerr(y, at, "'%s' takes at most %d numbers", key, max);
    if (!(*v = calloc((size_t)nw + 1, sizeof **v)))
        nw = 0;
    for (int i = 0; i < nw && i < max; i++) {
        char *end;
        (*v)[i] = strtod(w[i], &end);
        if (end == w[i] || *end || !((*v)[i] > lo && (*v)[i] <= hi))
            rtm_yerr(y, at, "'%s': '%s' is not a number in (%g, %g]", key, w[i], lo, hi);
    }
    *nv = nw < max ? nw : max;
    rtm_ystrv_free(w, nw);
}

/* Coverages: percentages, areas ("0.5km2", "50ha") or cell counts
 * ("100cells"), as rtm_eval_coverage_parse reads them. */
static void read_coverages(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    char **w = NULL;
    int nw = 0;
    yaml_node_t *at = rtm_yget(y, n, "coverages");
    if (!at || rtm_ystrlist(y, n, "coverages", &w, &nw))
        return;
    if (nw > RTM_EVAL_MAX_COVERAGES)
        rtm_yerr(y, at, "'coverages' takes at most %d values", RTM_EVAL_MAX_COVERAGES);
    s->coverages = calloc((size_t)nw + 1, sizeof *s->coverages);
    s->coverage_units = calloc((size_t)nw + 1, sizeof *s->coverage_units);
    for (int i = 0; i < nw && i < RTM_EVAL_MAX_COVERAGES && s->coverages && s->coverage_units;
         i++, s->ncoverages++)
        if (rtm_eval_coverage_parse(w[i], &s->coverages[i], &s->coverage_units[i], NULL))
            rtm_yerr(y, at, "'coverages': '%s' is not a percentage in (0, 100], an area "
                     "(0.5km2, 50ha) or a cell count (100cells)", w[i]);
    rtm_ystrv_free(w, nw);
}

/* bootstrap, seed and compare of an evaluate surface. */
static void read_uncertainty(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long b = 0, seed = 1;
    rtm_yint(y, n, "bootstrap", 10, 1000000, &b);
    rtm_yint(y, n, "seed", 0, 9223372036854775807LL, &seed);
    s->bootstrap = (int)b;
    s->eval_seed = (unsigned long long)seed;
    if (rtm_yget(y, n, "compare") &&
        !rtm_ystrlist(y, n, "compare", &s->compare, &s->ncompare))
        for (int i = 0; i < s->ncompare; i++)
            if (!strchr(s->compare[i], ','))
                rtm_yerr(y, rtm_yget(y, n, "compare"), "evaluate: compare '%s' must be A,B "
                         "(two surface names)", s->compare[i]);
}

/* An earlier surface named by an evaluate or overlay surface. */
static void check_earlier(rtm_ydoc *y, yaml_node_t *at, const rtm_job *job, int idx,
                          const char *name, const char *what)
{
    for (int k = 0; k < idx; k++)
        if (job->surfaces[k].name && strcmp(job->surfaces[k].name, name) == 0)
            return;
    rtm_yerr(y, at, "%s '%s' is not a surface defined before this one", what, name);
}

static void read_evaluate(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s, const rtm_job *job,
                          int idx)
{
    long long mt = 1, win = 0;
    char *a = NULL, *b = NULL;
    rtm_ycheck_keys(y, n, "evaluate", evaluate_keys);
    if (rtm_yget(y, n, "surfaces") && !rtm_ystrlist(y, n, "surfaces", &s->inputs, &s->ninputs))
        for (int i = 0; i < s->ninputs; i++)
            check_earlier(y, rtm_yget(y, n, "surfaces"), job, idx, s->inputs[i], "surface");
    read_numbers(y, n, "kde_bandwidths", 0, 1e7, 16, &s->bandwidths, &s->nbandwidths);
    read_coverages(y, n, s);
    read_uncertainty(y, n, s);
    rtm_ybool(y, n, "prior_counts", &s->prior_counts);
    rtm_ybool(y, n, "backtest", &s->backtest);
    rtm_ybool(y, n, "refit_forecast", &s->refit_forecast);
    rtm_yint(y, n, "min_train", 1, 600, &mt);
    rtm_yint(y, n, "window", 1, 600, &win);
    s->min_train = (int)mt;
    s->window = (int)win;
    if (!s->backtest && rtm_yrequire(y, n, "test_from", "evaluate") &&
        rtm_yrequire(y, n, "test_to", "evaluate") && !rtm_ystr(y, n, "test_from", &a) &&
        !rtm_ystr(y, n, "test_to", &b)) {
        s->test_from = rtm_job_month_parse(a);
        s->test_to = rtm_job_month_parse(b);
        if (s->test_from < 0 || s->test_to < s->test_from)
            rtm_yerr(y, rtm_yget(y, n, "test_from"), "evaluate: test_from/test_to must be "
                     "months YYYY-MM, test_to not before test_from");
    }
    free(a);
    free(b);
    if (!s->backtest && s->ninputs + s->nbandwidths + s->prior_counts + s->refit_forecast == 0)
        rtm_yerr(y, n, "evaluate: nothing to evaluate (give surfaces, kde_bandwidths, "
                 "prior_counts or refit_forecast)");
}

/* A file key resolved against the job's folder. */
static void read_file_key(rtm_ydoc *y, yaml_node_t *n, const char *key, char **out)
{
    char *v = NULL;
    if (rtm_ystr(y, n, key, &v) == 0 && v) {
        *out = rtm_yresolve(y, v);
        free(v);
    }
}

/* trial: rtm trial evaluate on the job's offences (rtm/trial.h). */
static void read_trial(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long perm = 999, seed = 1;
    double ring[2] = {0, 150};
    int nring = 0;
    yaml_node_t *r;
    rtm_ycheck_keys(y, n, "trial", trial_keys);
    if (rtm_yrequire(y, n, "places", "trial"))
        read_file_key(y, n, "places", &s->places);
    if (rtm_yrequire(y, n, "schedule", "trial"))
        read_file_key(y, n, "schedule", &s->schedule);
    read_file_key(y, n, "dosage", &s->dosage_file);
    s->target_minutes = 15;
    rtm_ynum(y, n, "target_minutes", 0, 1440, &s->target_minutes);
    rtm_yint(y, n, "permutations", 0, 1000000, &perm);
    rtm_yint(y, n, "seed", 0, LLONG_MAX, &seed);
    s->permutations = (int)perm;
    s->seed = (unsigned long long)seed;
    rtm_ystr(y, n, "outcome", &s->outcome);
    if ((r = rtm_yget(y, n, "ring")) && rtm_yscalar(r)) {
        char *end;
        ring[1] = strtod(rtm_yscalar(r), &end);
        nring = *end == '\0';
    } else if (r && r->type == YAML_SEQUENCE_NODE &&
               r->data.sequence.items.top - r->data.sequence.items.start == 2) {
        for (int k = 0; k < 2; k++) {
            const char *v = rtm_yscalar(yaml_document_get_node(&y->doc,
                                                               r->data.sequence.items.start[k]));
            char *end;
            ring[k] = v ? strtod(v, &end) : NAN;
            nring += v && *end == '\0';
        }
        nring = nring == 2;
    }
    if (r && (!nring || !(ring[0] >= 0 && ring[1] > ring[0] && ring[1] <= 1e6)))
        rtm_yerr(y, r, "trial: 'ring' is OUTER or [INNER, OUTER] metres, 0 <= INNER < OUTER");
    s->ring_inner = ring[0];
    s->ring_outer = ring[1];
}

static void default_name(rtm_job_surface *s)
{
    if (s->type == RTM_SURF_DISTANCE && s->layer_name) {
        if (asprintf(&s->name, "distance_%s", s->layer_name) < 0)
            s->name = NULL;
    } else {
        s->name = strdup(rtm_surface_type_name(s->type));
    }
}

static void read_surface(rtm_ydoc *y, yaml_node_t *n, rtm_job *job, int idx)
{
    rtm_job_surface *s = &job->surfaces[idx];
    int type = -1;
    if (rtm_yexpect_map(y, n, "surfaces[]"))
        return;
    if (!rtm_yrequire(y, n, "type", "surfaces[]") || rtm_yenum(y, n, "type", type_names, &type))
        return;
    s->type = (rtm_surface_type)type;
    rtm_ystr(y, n, "name", &s->name);
    switch (s->type) {
    case RTM_SURF_KDE: read_kde(y, n, s); break;
    case RTM_SURF_DISTANCE: read_distance(y, n, s, job); break;
    case RTM_SURF_MODEL: read_rtm(y, n, s, job); break;
    case RTM_SURF_OVERLAY: read_overlay(y, n, s, job, idx); break;
    case RTM_SURF_HOTSPOTS: read_hotspots(y, n, s); break;
    case RTM_SURF_EVALUATE: read_evaluate(y, n, s, job, idx); break;
    case RTM_SURF_CHANGE: rtm_job_read_change(y, n, s); break;
    case RTM_SURF_FORECAST: read_forecast(y, n, s, job); break;
    case RTM_SURF_DOSAGE: rtm_job_read_dosage(y, n, s); break;
    case RTM_SURF_PLACES: read_places(y, n, s); break;
    case RTM_SURF_EMERGING: read_emerging(y, n, s); break;
    case RTM_SURF_TRIAL: read_trial(y, n, s); break;
    case RTM_SURF_KNOX: rtm_job_read_knox(y, n, s); break;
    case RTM_SURF_REPEATS: rtm_job_read_repeats(y, n, s); break;
    case RTM_SURF_NTYPES: break;
    }
    if (!s->name)
        default_name(s);
    for (int k = 0; k < idx; k++)
        if (s->name && job->surfaces[k].name && strcmp(s->name, job->surfaces[k].name) == 0)
            rtm_yerr(y, rtm_yget(y, n, "name") ? rtm_yget(y, n, "name") : n,
                     "surface name '%s' is used twice (set 'name:' to tell them apart)", s->name);
    if (s->name)
        rtm_ycheck_name(y, rtm_yget(y, n, "name") ? rtm_yget(y, n, "name") : n, "surface name",
                        s->name);
}

void rtm_job_read_surfaces(rtm_ydoc *y, yaml_node_t *n, rtm_job *job)
{
    if (!n || n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top == n->data.sequence.items.start) {
        rtm_yerr(y, n, "'surfaces' must be a non-empty list (- type: kde|distance|rtm|overlay|hotspots|evaluate|change|forecast|...; see docs/job-format.md)");
        return;
    }
    int cnt = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (!(job->surfaces = calloc((size_t)cnt, sizeof *job->surfaces)))
        return;
    job->nsurfaces = cnt;
    for (int i = 0; i < cnt; i++)
        read_surface(y, yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]), job, i);
}
