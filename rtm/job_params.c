/* job_params.c: a job's inputs and parameters for the manifest, and the
 * canonical parameter text of surfaces for cache keys (see rtm_job.h). */
#include "rtm_job.h"
#include "rtm_json.h"

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

char *rtm_job_surface_params(const rtm_job *job, const rtm_job_surface *s)
{
    text t = {0};
    char b[40];
    addf(&t, "rtm-surface-v1\ntype=%s\nname=%s\n", rtm_surface_type_name(s->type), s->name);
    grid_params(&t, job);
    switch (s->type) {
    case RTM_SURF_KDE:
        addf(&t, "radius=%s\nkernel=%s\nunits=%s\n", num(s->radius, b), s->kernel, s->units);
        break;
    case RTM_SURF_DISTANCE:
        layer_params(&t, "layer", s->layer);
        break;
    case RTM_SURF_MODEL:
        addf(&t, "block=%s\nmax_blocks=%d\nincrement=%s\nseed=%llu\nfamily=%s\nfolds=%d\n",
             num(s->block, b), s->max_blocks, s->increment == RTM_INCR_WHOLE ? "whole" : "half",
             s->seed, s->family, s->folds);
        for (int i = 0; i < s->nfactors; i++) {
            char *fp = rtm_job_factor_params(job, s, &s->factors[i]);
            addf(&t, "factor[%d]:\n%s", i, fp ? fp : "");
            t.failed |= fp == NULL;
            free(fp);
        }
        break;
    case RTM_SURF_OVERLAY:
        addf(&t, "normalise=%s\n", s->normalise);
        for (int i = 0; i < s->ninputs; i++)
            addf(&t, "layer[%d]=%s\nweight[%d]=%s\n", i, s->inputs[i], i, num(s->weights[i], b));
        break;
    }
    return finish(&t);
}

static int add_inputs(const rtm_job *job, rtm_manifest *m, rtm_error *err)
{
    int rc = rtm_manifest_add_input(m, "job", job->path, NULL, err);
    if (!rc && job->study_area.file)
        rc = rtm_manifest_add_input(m, "study_area", job->study_area.file, NULL, err);
    for (int i = 0; !rc && i < job->offences.nsources; i++)
        for (int k = 0; !rc && k < job->offences.sources[i].nfiles; k++)
            rc = rtm_manifest_add_input(m, "offences", job->offences.sources[i].files[k], NULL, err);
    for (int i = 0; !rc && i < job->nsurfaces; i++) {
        const rtm_job_surface *s = &job->surfaces[i];
        for (int f = 0; !rc && f <= s->nfactors; f++) {
            const rtm_catalog_layer *l = f < s->nfactors ? s->factors[f].layer : s->layer;
            char role[200];
            if (!l)
                continue;
            snprintf(role, sizeof role, "layer:%s", l->name);
            rc = rtm_manifest_add_input(m, role, l->def_path, NULL, err);
            for (int k = 0; !rc && k < l->nfiles; k++)
                rc = rtm_manifest_add_input(m, role, l->files[k], NULL, err);
        }
    }
    for (int i = 0; !rc && i < job->nareas; i++) {
        char role[200];
        snprintf(role, sizeof role, "areas:%s", job->areas[i].name ? job->areas[i].name : "");
        rc = rtm_manifest_add_input(m, role, job->areas[i].file, NULL, err);
    }
    return rc;
}

static void offence_params(const rtm_job *job, rtm_manifest *m)
{
    const rtm_job_offences *o = &job->offences;
    text t = {0};
    for (int i = 0; i < o->ntypes; i++)
        addf(&t, "%s%s", i ? "; " : "", o->types[i]);
    rtm_manifest_param(m, "offences.types", t.s ? t.s : "all");
    free(t.s);
    if (o->window == RTM_WINDOW_FIXED) {
        char b[32];
        snprintf(b, sizeof b, "%04d-%02d", o->from_month / 12, o->from_month % 12 + 1);
        rtm_manifest_param(m, "offences.from", b);
        snprintf(b, sizeof b, "%04d-%02d", o->to_month / 12, o->to_month % 12 + 1);
        rtm_manifest_param(m, "offences.to", b);
    } else if (o->window == RTM_WINDOW_ROLLING) {
        rtm_manifest_param_num(m, "offences.window_months", o->rolling_months);
        rtm_manifest_param_num(m, "offences.lag_months", o->lag_months);
    }
    for (int i = 0; i < o->nhours; i++) {
        char k[64], v[96];
        const rtm_job_hours *h = &o->hours[i];
        snprintf(k, sizeof k, "offences.hours[%d]", i);
        snprintf(v, sizeof v, "days 0x%02x %02d:%02d-%02d:%02d", h->days_mask, h->start_min / 60,
                 h->start_min % 60, h->end_min / 60, h->end_min % 60);
        rtm_manifest_param(m, k, v);
    }
    for (int i = 0; o->has_harm && i < o->harm.n; i++) {
        char k[300];
        snprintf(k, sizeof k, "offences.harm.%s", o->harm.category[i]);
        rtm_manifest_param_num(m, k, o->harm.weight[i]);
    }
    if (o->has_harm)
        rtm_manifest_param_num(m, "offences.harm.default", o->harm.default_weight);
}

/* "k=v" lines of a surface's canonical text as parameters "surface.NAME.k";
 * lines "factor[i]:" open a sub-prefix for the lines that follow. */
static void surface_to_manifest(const char *name, char *canon, rtm_manifest *m)
{
    char section[32] = "", *save = NULL;
    for (char *line = strtok_r(canon, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char key[512], *eq = strchr(line, '=');
        size_t n = strlen(line);
        if (!eq && n && line[n - 1] == ':' && n < sizeof section) {
            snprintf(section, sizeof section, "%.*s.", (int)(n - 1), line);
            continue;
        }
        if (!eq)
            continue;
        *eq = '\0';
        if (strcmp(line, "crs") == 0 || strcmp(line, "cell_size") == 0 ||
            strncmp(line, "study_area.", 11) == 0 || strcmp(line, "name") == 0)
            continue; /* job-wide, recorded once */
        snprintf(key, sizeof key, "surface.%s.%s%s", name, section, line);
        rtm_manifest_param(m, key, eq + 1);
    }
}

int rtm_job_to_manifest(const rtm_job *job, rtm_manifest *m, rtm_error *err)
{
    int rc = add_inputs(job, m, err);
    if (rc)
        return rc;
    rtm_manifest_param(m, "crs", job->crs);
    rtm_manifest_param_num(m, "cell_size", job->cell_size);
    if (job->study_area.layer)
        rtm_manifest_param(m, "study_area.layer", job->study_area.layer);
    if (job->study_area.where)
        rtm_manifest_param(m, "study_area.where", job->study_area.where);
    offence_params(job, m);
    for (int i = 0; i < job->nsurfaces; i++) {
        char *p = rtm_job_surface_params(job, &job->surfaces[i]);
        if (!p)
            return rtm_error_set(err, RTM_ERR_NOMEM, "job: out of memory");
        surface_to_manifest(job->surfaces[i].name, p, m);
        free(p);
    }
    return 0;
}
