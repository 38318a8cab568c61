/* vocab.c: the one name table of every enumerated option (rtm/product.h),
 * shared by the command line, job files, --help and docs/job-format.md. */
#include "rtm/product.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rtm/glm.h"
#include "rtm/change.h"
#include "rtm/places.h"
#include "rtm/emerging.h"
#include "rtm/trial.h"

static const rtm_name kernel_names[] = {
    {"quartic", RTM_KERNEL_QUARTIC, 0},     {"epanechnikov", RTM_KERNEL_EPANECHNIKOV, 0},
    {"triangular", RTM_KERNEL_TRIANGULAR, 0}, {"uniform", RTM_KERNEL_UNIFORM, 0},
    {"triweight", RTM_KERNEL_TRIWEIGHT, 0}, {"gaussian", RTM_KERNEL_GAUSSIAN, 0},
    {"biweight", RTM_KERNEL_QUARTIC, 1},    {NULL, 0, 0}};

static const rtm_name units_names[] = {
    {"km2", RTM_MAP_PER_KM2, 0},      {"ha", RTM_MAP_PER_HA, 0},
    {"m2", RTM_MAP_PER_M2, 0},        {"cell", RTM_MAP_PER_CELL, 0},
    {"probability", RTM_MAP_PROBABILITY, 0},
    {"per_km2", RTM_MAP_PER_KM2, 1},  {"per_ha", RTM_MAP_PER_HA, 1},
    {"per_m2", RTM_MAP_PER_M2, 1},    {"per_cell", RTM_MAP_PER_CELL, 1},
    {"count", RTM_MAP_PER_CELL, 1},   {NULL, 0, 0}};

static const rtm_name family_names[] = {
    {"auto", RTM_FAMILY_CHOICE_AUTO, 0}, {"poisson", RTM_FAMILY_POISSON, 0},
    {"nbii", RTM_FAMILY_NBII, 0},        {"nb2", RTM_FAMILY_NB2, 0},
    {"nb1", RTM_FAMILY_NBII, 1},         {NULL, 0, 0}};

static const rtm_name nb_names[] = {
    {"nbii", RTM_FAMILY_NBII, 0}, {"nb2", RTM_FAMILY_NB2, 0}, {"nb1", RTM_FAMILY_NBII, 1},
    {NULL, 0, 0}};

static const rtm_name increment_names[] = {
    {"half", 1, 0}, {"whole", 0, 0}, {NULL, 0, 0}};

static const rtm_name op_names[] = {
    {"auto", RTM_OP_AUTO, 0},       {"proximity", RTM_OP_PROXIMITY, 0},
    {"density", RTM_OP_DENSITY, 0}, {"both", RTM_OP_BOTH, 0}, {NULL, 0, 0}};

static const rtm_name classes_names[] = {
    {"continuous", RTM_CLASSES_CONTINUOUS, 0}, {"quantile", RTM_CLASS_QUANTILE, 0},
    {"equal", RTM_CLASS_EQUAL, 0},             {"stddev", RTM_CLASS_STDDEV, 0},
    {"mean", RTM_CLASS_MEAN_MULT, 0},          {"natural", RTM_CLASS_NATURAL, 0},
    {"mean-multiple", RTM_CLASS_MEAN_MULT, 1}, {"meanmult", RTM_CLASS_MEAN_MULT, 1},
    {"jenks", RTM_CLASS_NATURAL, 1},           {NULL, 0, 0}};

static const rtm_name normalise_names[] = {
    {"minmax", RTM_NORM_MINMAX, 0}, {"zscore", RTM_NORM_ZSCORE, 0},
    {"rank", RTM_NORM_RANK, 0},     {"none", RTM_NORM_NONE, 0}, {NULL, 0, 0}};

static const rtm_name lambda_names[] = {
    {"min", RTM_ENET_LAMBDA_MIN, 0}, {"1se", RTM_ENET_LAMBDA_1SE, 0}, {NULL, 0, 0}};

static const rtm_name ramp_names[] = {
    {"viridis", RTM_RAMP_VIRIDIS, 0},     {"magma", RTM_RAMP_MAGMA, 0},
    {"inferno", RTM_RAMP_INFERNO, 0},     {"cividis", RTM_RAMP_CIVIDIS, 0},
    {"diverging", RTM_RAMP_DIVERGING, 0}, {"ylorrd", RTM_RAMP_YLORRD, 0}, {NULL, 0, 0}};

static const rtm_name scale_names[] = {
    {"auto", RTM_CHANGE_SCALE_AUTO, 0}, {"month", RTM_CHANGE_SCALE_MONTH, 0},
    {"none", RTM_CHANGE_SCALE_NONE, 0}, {"per_month", RTM_CHANGE_SCALE_MONTH, 1},
    {NULL, 0, 0}};
static const rtm_name shape_names[] = {
    {"square", RTM_WINDOW_SQUARE, 0}, {"disc", RTM_WINDOW_DISC, 0},
    {"circle", RTM_WINDOW_DISC, 1},   {NULL, 0, 0}};

static const rtm_name measure_names[] = {
    {"harm", RTM_MEASURE_HARM, 0}, {"count", RTM_MEASURE_COUNT, 0},
    {"events", RTM_MEASURE_COUNT, 1}, {NULL, 0, 0}};
static const rtm_name step_names[] = {
    {"week", RTM_STEP_WEEK, 0},   {"4weeks", RTM_STEP_4WEEKS, 0}, {"month", RTM_STEP_MONTH, 0},
    {"season", RTM_STEP_SEASON, 0}, {"28days", RTM_STEP_4WEEKS, 1}, {NULL, 0, 0}};

static const rtm_name scheme_names[] = {
    {"esri", RTM_SCHEME_ESRI, 0}, {"sfhotspot", RTM_SCHEME_SFHOTSPOT, 0}, {NULL, 0, 0}};
static const rtm_name edge_names[] = {
    {"none", RTM_KDE_EDGE_NONE, 0}, {"uniform", RTM_KDE_EDGE_UNIFORM, 0},
    {"diggle", RTM_KDE_EDGE_DIGGLE, 0}, {NULL, 0, 0}};
static const rtm_name assignment_names[] = {
    {"balanced", RTM_TRIAL_BALANCED, 0}, {"independent", RTM_TRIAL_INDEPENDENT, 0},
    {"fixed", RTM_TRIAL_FIXED, 0}, {"daily", RTM_TRIAL_BALANCED, 1}, {NULL, 0, 0}};

static const rtm_vocab VOCAB[] = {
    {"kernel", "kernel of a density surface", kernel_names, RTM_KERNEL_QUARTIC},
    {"units", "density units of a KDE map", units_names, RTM_MAP_PER_KM2},
    {"family", "count model of the RTM (auto: the better BIC)", family_names,
     RTM_FAMILY_CHOICE_AUTO},
    {"nb", "negative binomial form tried by family auto", nb_names, RTM_FAMILY_NBII},
    {"increment", "step of the spatial-influence ladder (the manual's example: half)",
     increment_names, 1},
    {"operationalization", "how a risk factor becomes variables", op_names, RTM_OP_AUTO},
    {"classes", "map classification", classes_names, RTM_CLASSES_CONTINUOUS},
    {"normalise", "normalisation of overlay inputs", normalise_names, RTM_NORM_MINMAX},
    {"lambda", "cross-validation rule of the elastic net", lambda_names, RTM_ENET_LAMBDA_MIN},
    {"ramp", "colour ramp of maps and styles", ramp_names, RTM_RAMP_VIRIDIS},
    {"scale", "scaling of the periods of a change analysis (auto: per month when both "
     "periods' months are known)", scale_names, RTM_CHANGE_SCALE_AUTO},
    {"shape", "shape of patrol places", shape_names, RTM_WINDOW_SQUARE},
    {"measure", "what patrol places are ranked by (or a raster file)", measure_names,
     RTM_MEASURE_HARM},
    {"step", "time step of an emerging hot-spot cube (weeks start on Monday)", step_names,
     RTM_STEP_MONTH},
    {"scheme", "categories of emerging hot spots", scheme_names, RTM_SCHEME_ESRI},
    {"edge", "edge correction of a density surface (spatstat's uniform, Diggle's)",
     edge_names, RTM_KDE_EDGE_NONE},
    {"assignment", "how a patrol trial assigns places to treatment", assignment_names,
     RTM_TRIAL_BALANCED},
};
#define NVOCAB ((int)(sizeof VOCAB / sizeof VOCAB[0]))

int rtm_vocab_count(void)
{
    return NVOCAB;
}

const rtm_vocab *rtm_vocab_at(int i)
{
    return i >= 0 && i < NVOCAB ? &VOCAB[i] : NULL;
}

const rtm_vocab *rtm_vocab_find(const char *option)
{
    for (int i = 0; option && i < NVOCAB; i++)
        if (!strcmp(VOCAB[i].option, option))
            return &VOCAB[i];
    return NULL;
}

const char *rtm_vocab_list(const char *option)
{
    static __thread char buf[512];
    const rtm_vocab *v = rtm_vocab_find(option);
    size_t len = 0;
    buf[0] = '\0';
    for (const rtm_name *n = v ? v->names : NULL; n && n->name && len < sizeof buf; n++)
        if (!n->alias)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? ", " : "",
                                    n->name);
    return buf;
}

int rtm_vocab_parse(const char *option, const char *text, int *value, rtm_error *err)
{
    const rtm_vocab *v = rtm_vocab_find(option);
    for (const rtm_name *n = v ? v->names : NULL; n && n->name && text; n++)
        if (!strcasecmp(n->name, text)) {
            *value = n->value;
            return 0;
        }
    return rtm_error_set(err, RTM_ERR_ARG, "unknown %s '%s' (expected one of: %s)", option,
                         text ? text : "", rtm_vocab_list(option));
}

const char *rtm_vocab_name(const char *option, int value)
{
    const rtm_vocab *v = rtm_vocab_find(option);
    for (const rtm_name *n = v ? v->names : NULL; n && n->name; n++)
        if (!n->alias && n->value == value)
            return n->name;
    return "?";
}

int rtm_map_units_parse(const char *s, rtm_map_units *u)
{
    int v;
    if (rtm_vocab_parse("units", s, &v, NULL))
        return -1;
    *u = (rtm_map_units)v;
    return 0;
}

const char *rtm_map_units_list(void)
{
    return rtm_vocab_list("units");
}
