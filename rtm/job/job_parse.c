/* job_parse.c: the top level of a job file: study area, CRS, cell size,
 * areas and output (see docs/job-format.md); offences and surfaces are read
 * by job_offences.c and job_surfaces.c. */
#include "job/job_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {"name", "title", "catalog", "study_area", "crs",
                                       "cell_size", "offences", "surfaces", "areas", "output",
                                       NULL};
static const char *const area_keys[] = {"file", "layer", "where", NULL};
static const char *const areas_keys[] = {"name", "file", "layer", "where", "name_field", NULL};
static const char *const output_keys[] = {"dir", "formats", "keep", NULL};
static const char *const formats[] = {"tif", "png", "md", "json", "html", NULL};

void rtm_job_vector_clear(rtm_job_vector *v)
{
    free(v->file);
    free(v->layer);
    free(v->where);
    free(v->name_field);
    free(v->name);
    memset(v, 0, sizeof *v);
}

/* file: one existing file (resolved); layer/where copied */
static void read_file(rtm_ydoc *y, yaml_node_t *n, const char *what, rtm_job_vector *v)
{
    yaml_node_t *fn = rtm_yrequire(y, n, "file", what);
    char *raw = NULL, **files = NULL;
    int nf = 0;
    if (!fn || rtm_ystr(y, n, "file", &raw) || !raw)
        return;
    v->file = rtm_yresolve(y, raw);
    free(raw);
    if (v->file && rtm_yglob(y, fn, v->file, &files, &nf) == 0) {
        if (nf > 1)
            rtm_yerr(y, fn, "'%s.file' must name one file ('%s' matches %d)", what, v->file, nf);
        free(v->file);
        v->file = strdup(files[0]); /* with /vsigzip/ added for .gz */
    }
    rtm_ystrv_free(files, nf);
    rtm_ystr(y, n, "layer", &v->layer);
    rtm_ystr(y, n, "where", &v->where);
}

static void read_study_area(rtm_ydoc *y, yaml_node_t *n, rtm_job *job)
{
    if (rtm_yexpect_map(y, n, "study_area"))
        return;
    rtm_ycheck_keys(y, n, "study_area", area_keys);
    read_file(y, n, "study_area", &job->study_area);
}

static void read_area_set(rtm_ydoc *y, yaml_node_t *n, rtm_job_vector *v, int idx)
{
    if (rtm_yexpect_map(y, n, "areas[]"))
        return;
    rtm_ycheck_keys(y, n, "areas[]", areas_keys);
    read_file(y, n, "areas", v);
    if (rtm_yrequire(y, n, "name_field", "areas[]"))
        rtm_ystr(y, n, "name_field", &v->name_field);
    if (rtm_ystr(y, n, "name", &v->name) == 0 && v->name)
        rtm_ycheck_name(y, rtm_yget(y, n, "name"), "area set name", v->name);
    if (!v->name && asprintf(&v->name, "areas%d", idx + 1) < 0)
        v->name = NULL;
}

/* areas: one mapping or a list of mappings */
static void read_areas(rtm_ydoc *y, yaml_node_t *n, rtm_job *job)
{
    int seq = n->type == YAML_SEQUENCE_NODE;
    int cnt = seq ? (int)(n->data.sequence.items.top - n->data.sequence.items.start) : 1;
    if (!(job->areas = calloc((size_t)cnt + 1, sizeof *job->areas)))
        return;
    job->nareas = cnt;
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *a = seq ? yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]) : n;
        read_area_set(y, a, &job->areas[i], i);
        for (int k = 0; k < i; k++)
            if (job->areas[i].name && job->areas[k].name &&
                strcmp(job->areas[i].name, job->areas[k].name) == 0)
                rtm_yerr(y, a, "area set name '%s' is used twice", job->areas[i].name);
    }
}

static void read_output(rtm_ydoc *y, yaml_node_t *n, rtm_job *job)
{
    char **f = NULL, *dir = NULL;
    int nf = 0;
    long long keep = 2;
    if (rtm_yexpect_map(y, n, "output"))
        return;
    rtm_ycheck_keys(y, n, "output", output_keys);
    if (rtm_ystr(y, n, "dir", &dir) == 0 && dir) {
        free(job->out_dir);
        job->out_dir = rtm_yresolve(y, dir);
    }
    free(dir);
    rtm_yint(y, n, "keep", 1, 1000, &keep);
    job->keep_runs = (int)keep;
    if (!rtm_yget(y, n, "formats") || rtm_ystrlist(y, n, "formats", &f, &nf))
        return;
    job->formats = 0;
    for (int i = 0; i < nf; i++) {
        int k = 0;
        while (formats[k] && strcmp(formats[k], f[i]) != 0)
            k++;
        if (formats[k])
            job->formats |= 1u << k;
        else
            rtm_yerr(y, rtm_yget(y, n, "formats"),
                     "unknown output format '%s' (expected one of: tif, png, md, json, html)", f[i]);
    }
    rtm_ystrv_free(f, nf);
}

static char *stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return strndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

/* The catalogue: the caller's directory wins over the job's 'catalog:'. */
static void open_catalog(rtm_ydoc *y, yaml_node_t *root, const char *catalog_dir, rtm_job *job)
{
    char *dir = NULL, *raw = NULL;
    rtm_error e;
    if (catalog_dir)
        dir = strdup(catalog_dir);
    else if (rtm_ystr(y, root, "catalog", &raw) == 0 && raw)
        dir = rtm_yresolve(y, raw);
    free(raw);
    if (!dir)
        return;
    /* problems of layer files are reported only for the layers the job uses */
    if (rtm_catalog_load_lenient(dir, &job->catalog, NULL, &e)) {
        yaml_node_t *at = rtm_yget(y, root, "catalog");
        rtm_yerr(y, at ? at : root, "%s", e.msg);
    }
    free(dir);
}

static void defaults(rtm_job *job)
{
    job->formats = RTM_FMT_TIF | RTM_FMT_PNG | RTM_FMT_MD | RTM_FMT_JSON | RTM_FMT_HTML;
    job->keep_runs = 2;
}

/* Read the whole document into job (every problem reported via y). */
void rtm_job_read(rtm_ydoc *y, const char *catalog_dir, rtm_job *job)
{
    yaml_node_t *root = rtm_ydoc_root(y), *n;
    defaults(job);
    if (rtm_yexpect_map(y, root, "job"))
        return;
    rtm_ycheck_keys(y, root, "job", top_keys);
    if (rtm_ystr(y, root, "name", &job->name) == 0 && job->name)
        rtm_ycheck_name(y, rtm_yget(y, root, "name"), "job name", job->name);
    rtm_ystr(y, root, "title", &job->title);
    open_catalog(y, root, catalog_dir, job);
    if ((n = rtm_yrequire(y, root, "study_area", "job")))
        read_study_area(y, n, job);
    if (rtm_yrequire(y, root, "crs", "job"))
        rtm_ystr(y, root, "crs", &job->crs);
    if (rtm_yrequire(y, root, "cell_size", "job"))
        rtm_ynum(y, root, "cell_size", RTM_JOB_MIN_CELL, RTM_JOB_MAX_CELL, &job->cell_size);
    if ((n = rtm_yrequire(y, root, "offences", "job")))
        rtm_job_read_offences(y, n, &job->offences);
    if ((n = rtm_yrequire(y, root, "surfaces", "job")))
        rtm_job_read_surfaces(y, n, job);
    if ((n = rtm_yget(y, root, "areas")))
        read_areas(y, n, job);
    if ((n = rtm_yget(y, root, "output")))
        read_output(y, n, job);
    rtm_job_check_data(y, root, job);
    if (!job->name && (job->name = stem(job->path)))
        rtm_ycheck_name(y, NULL, "job name (from the file name)", job->name);
    if (!job->title)
        job->title = rtm_ystrdup(job->name);
    if (!job->out_dir && job->name && asprintf(&job->out_dir, "%s/out/%s", y->dir, job->name) < 0)
        job->out_dir = NULL;
}
