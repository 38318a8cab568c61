/* run_manifest.c: a job's inputs and parameters in the run manifest. */
#include "run/run_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char *types = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&types, &len);
    for (int i = 0; fp && i < o->ntypes; i++)
        fprintf(fp, "%s%s", i ? "; " : "", o->types[i]);
    if (fp)
        fclose(fp);
    rtm_manifest_param(m, "offences.types", types && types[0] ? types : "all");
    free(types);
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
