/* run_areas.c: per-area outputs: for every polygon of each `areas:` set, a
 * map of the job's last surface on the window of the grid that covers the
 * polygon (cells outside it transparent), and the offences it holds. */
#include "run/run_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/input.h"
#include "rtm/evaluate.h"
#include "rtm/output.h"

#include <omp.h>

/* The polygon's cell window and its sub-grid. */
typedef struct window {
    int i0, i1, j0, j1;
} window;

static int find_window(const rtm_grid *g, const int *zone, int z, window *w)
{
    int i, j, any = 0;
    w->i0 = g->nrows, w->j0 = g->ncols, w->i1 = -1, w->j1 = -1;
    for (i = 0; i < g->nrows; i++)
        for (j = 0; j < g->ncols; j++)
            if (zone[(size_t)i * g->ncols + j] == z) {
                any = 1;
                if (i < w->i0) w->i0 = i;
                if (i > w->i1) w->i1 = i;
                if (j < w->j0) w->j0 = j;
                if (j > w->j1) w->j1 = j;
            }
    return any;
}

static void slug(char *out, size_t n, int idx, const char *name)
{
    size_t k = (size_t)snprintf(out, n, "%02d_", idx + 1);
    for (; *name && k + 1 < n; name++)
        out[k++] = isalnum((unsigned char)*name) ? (char)tolower((unsigned char)*name) : '_';
    out[k < n ? k : n - 1] = '\0';
}

/* One map to draw: its window and its staging path (registered already). */
typedef struct area_job {
    int z;
    window w;
    char *path;
    const char *name;
    rtm_error err;
    int rc;
} area_job;

/* Draw one polygon's map: the window of the grid around it, cells outside
 * it transparent. Reentrant (runs in parallel for different polygons). */
static void draw(const rtm_jr *r, const rtm_jr_surf *s, const int *zone, area_job *j)
{
    const rtm_grid *g = &r->grid;
    rtm_grid sg = *g;
    rtm_map_opts mo;
    char title[300];
    double *v;
    unsigned char *m;
    int i, c;
    sg.ncols = j->w.j1 - j->w.j0 + 1;
    sg.nrows = j->w.i1 - j->w.i0 + 1;
    sg.x0 = g->x0 + j->w.j0 * g->res;
    sg.y0 = g->y0 + (g->nrows - 1 - j->w.i1) * g->res;
    v = malloc(rtm_grid_ncells(&sg) * sizeof *v);
    m = malloc(rtm_grid_ncells(&sg));
    if (!v || !m) {
        j->rc = rtm_error_set(&j->err, RTM_ERR_NOMEM, "run: out of memory");
    } else {
        for (i = 0; i < sg.nrows; i++)
            for (c = 0; c < sg.ncols; c++) {
                size_t k = (size_t)(j->w.i0 + i) * g->ncols + (size_t)(j->w.j0 + c);
                v[(size_t)i * sg.ncols + c] = s->v[k];
                m[(size_t)i * sg.ncols + c] = zone[k] == j->z;
            }
        snprintf(title, sizeof title, "%s: %s", j->name, s->js->name);
        rtm_map_opts_init(&mo);
        mo.georef = RTM_MAP_GEOREF_MAP_ONLY;
        mo.title = title;
        mo.units_label = s->units;
        mo.zero_transparent_below = -INFINITY;
        mo.max_pixels = 600;
        mo.min_pixels = 300;
        mo.attribution = "Contains public sector information licensed under the OGL v3.0";
        j->rc = rtm_map_png_write(j->path, &sg, v, m, &mo, &j->err);
    }
    free(v);
    free(m);
}

/* Register the map (and world file) of polygon z; fills job j. Returns 0
 * (also when the polygon has no cell: j->path stays NULL) or an error. */
static int prepare(rtm_jr *r, const char *set, const int *zone, int z, const char *name,
                   rtm_jr_area *row, area_job *j, rtm_error *err)
{
    char fn[600], sl[200];
    memset(j, 0, sizeof *j);
    j->z = z;
    j->name = name;
    if (!find_window(&r->grid, zone, z, &j->w))
        return 0;
    slug(sl, sizeof sl, z, name);
    snprintf(fn, sizeof fn, "areas/%s/%s.png", set, sl);
    if (!(row->png = strdup(fn)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    if (!(j->path = rtm_jr_output(r, fn, err)))
        return err->code;
    return rtm_jr_register_map(r, fn, err);
}

/* Draw the prepared maps in parallel (each file is independent, so the
 * bytes do not depend on the threads); the first error in polygon order. */
static int draw_all(const rtm_jr *r, const rtm_jr_surf *s, const int *zone, area_job *jobs,
                    int n, rtm_error *err)
{
    int i, nt = r->o->threads > 0 ? r->o->threads : omp_get_max_threads();
#pragma omp parallel for schedule(static) num_threads(nt)
    for (i = 0; i < n; i++)
        if (jobs[i].path)
            draw(r, s, zone, &jobs[i]);
    for (i = 0; i < n; i++)
        if (jobs[i].rc) {
            *err = jobs[i].err;
            return jobs[i].rc;
        }
    return 0;
}

/* The surface the area maps show: the last one that has values (an
 * evaluation has none). */
static const rtm_jr_surf *briefing_surface(const rtm_jr *r)
{
    for (int i = r->job->nsurfaces - 1; i >= 0; i--)
        if (r->surf[i].v)
            return &r->surf[i];
    return NULL;
}

static int area_set(rtm_jr *r, const rtm_job_vector *a, rtm_error *err)
{
    const rtm_jr_surf *s = briefing_surface(r);
    const char *set = a->name ? a->name : "areas";
    int *zone = NULL, nz = 0, z, rc;
    char **names = NULL;
    rtm_conc_zone *cz = NULL;
    rtm_jr_area *rows;
    area_job *jobs = NULL;
    if ((rc = rtm_manifest_add_input(r->man, "areas", a->file, NULL, err)) ||
        (rc = rtm_area_zones(a->file, a->layer, a->where, a->name_field, &r->grid, &zone,
                             &names, &nz, err)))
        return rc;
    for (size_t k = 0; k < r->ncells; k++)
        if (r->mask && !r->mask[k])
            zone[k] = -1;
    rows = realloc(r->arows, (size_t)(r->narows + nz) * sizeof *rows);
    cz = calloc((size_t)(nz ? nz : 1), sizeof *cz);
    jobs = calloc((size_t)(nz ? nz : 1), sizeof *jobs);
    if (rows)
        r->arows = rows;
    if (!rows || !cz || !jobs) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        goto done;
    }
    if ((rc = rtm_concentration_by_zone(r->counts, zone, r->ncells, nz, 0.05, 0.5, cz, err)))
        goto done;
    for (z = 0; z < nz && !rc; z++) {
        rtm_jr_area *row = &r->arows[r->narows];
        memset(row, 0, sizeof *row);
        row->set = strdup(set);
        row->name = strdup(names[z]);
        r->narows++;
        if (!row->set || !row->name) {
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
            break;
        }
        row->cells = cz[z].cells;
        row->events = cz[z].events;
        row->top_share = cz[z].top_share;
        if (r->job->formats & (RTM_FMT_PNG | RTM_FMT_HTML))
            rc = prepare(r, set, zone, z, names[z], row, &jobs[z], err);
    }
    if (!rc)
        rc = draw_all(r, s, zone, jobs, nz, err);
    if (!rc)
        rtm_jr_log(r, "areas %s: %d polygons from %s", set, nz, a->file);
done:
    for (z = 0; jobs && z < nz; z++)
        free(jobs[z].path);
    free(jobs);
    free(cz);
    free(zone);
    rtm_area_names_free(names, nz);
    return rc;
}

int rtm_jr_areas(rtm_jr *r, rtm_error *err)
{
    int i, rc = 0;
    if (!briefing_surface(r))
        return 0;
    for (i = 0; i < r->job->nareas && !rc; i++)
        rc = area_set(r, &r->job->areas[i], err);
    return rc;
}
