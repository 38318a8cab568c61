/* emerging_files.c: the emerging hot-spot product's GeoPackage of cells,
 * its map and its table of categories. */
#include "product/emerging_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

/* Per-location facts for the GeoPackage and tables. */
static void location_facts(const em_state *s, size_t k, double *events, double *hot,
                           double *cold)
{
    *events = *hot = *cold = 0;
    for (int t = 0; t < s->steps.n; t++) {
        size_t b = (size_t)t * s->nc + k;
        *events += s->cube[b];
        *hot += s->cells.sig[b] > 0;
        *cold += s->cells.sig[b] < 0;
    }
}

#define NCOLS 9 /* numeric fields of the GeoPackage */

/* Row i of the numeric columns (col[c * n + i]) for location k. */
static void cell_row(const em_state *s, size_t k, double *col, size_t n, size_t i)
{
    int code = s->cells.code[k];
    double v[NCOLS];
    v[0] = code, v[1] = em_raster_value(s, code);
    v[2] = s->cells.trend_z[k], v[3] = s->cells.trend_p[k];
    v[4] = s->cells.count_z[k], v[5] = s->cells.count_p[k];
    location_facts(s, k, &v[6], &v[7], &v[8]);
    for (int c = 0; c < NCOLS; c++)
        col[(size_t)c * n + i] = v[c];
}

/* 8-connected areas of locations with the same non-zero category, numbered
 * 1.. in the order of their first cell: label[k] (0 none). Returns how many. */
static size_t find_areas(const em_state *s, int *label, size_t *stack)
{
    const rtm_grid *g = &s->ev->grid;
    size_t n = 0;
    memset(label, 0, s->nc * sizeof *label);
    for (size_t k = 0; k < s->nc; k++) {
        size_t sp = 0;
        if (!s->loc[k] || s->cells.code[k] == 0 || label[k])
            continue;
        label[k] = (int)++n;
        stack[sp++] = k;
        while (sp > 0) { /* each cell is pushed once: the stack never exceeds nc */
            size_t c = stack[--sp];
            int i = (int)(c / (size_t)g->ncols), j = (int)(c % (size_t)g->ncols);
            for (int di = -1; di <= 1; di++)
                for (int dj = -1; dj <= 1; dj++) {
                    int ii = i + di, jj = j + dj;
                    size_t m = (size_t)ii * (size_t)g->ncols + (size_t)jj;
                    if (ii < 0 || jj < 0 || ii >= g->nrows || jj >= g->ncols || label[m] ||
                        !s->loc[m] || s->cells.code[m] != s->cells.code[k])
                        continue;
                    label[m] = (int)n;
                    stack[sp++] = m;
                }
        }
    }
    return n;
}

#define NACOLS 5 /* numeric fields of the areas */

/* The areas' fields: category, code, cells, area_m2, events, mean_trend_z. */
static void area_fields(const em_state *s, const int *label, size_t n, double *col,
                        const char **name)
{
    double cell = s->ev->grid.res * s->ev->grid.res;
    memset(col, 0, n * NACOLS * sizeof *col);
    for (size_t k = 0; k < s->nc; k++) {
        double ev, h, c;
        size_t a;
        if (!label[k])
            continue;
        a = (size_t)label[k] - 1;
        location_facts(s, k, &ev, &h, &c);
        name[a] = em_code_name(s, s->cells.code[k]);
        col[a] = s->cells.code[k];
        col[n + a] += 1;
        col[2 * n + a] += cell;
        col[3 * n + a] += ev;
        col[4 * n + a] += s->cells.trend_z[k];
    }
    for (size_t a = 0; a < n; a++)
        col[4 * n + a] /= col[n + a];
}

/* The merged-areas layer, then the GeoPackage. */
static int write_gpkg(em_state *s, const char *path, const size_t *cells, size_t n,
                      const rtm_cell_field *f, int nf, rtm_error *err)
{
    static const char *const names[NACOLS] = {"code", "cells", "area_m2", "events",
                                              "mean_trend_z"};
    int *label = malloc(s->nc * sizeof *label);
    size_t *stack = malloc(s->nc * sizeof *stack), na;
    double *col = NULL;
    const char **name = NULL;
    rtm_cell_field af[NACOLS + 1];
    rtm_cell_areas areas = {"emerging_areas", label, 0, af, NACOLS + 1};
    int rc = 0;
    if (!label || !stack)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    if (!rc) {
        na = find_areas(s, label, stack);
        col = malloc((na ? na : 1) * NACOLS * sizeof *col);
        name = malloc((na ? na : 1) * sizeof *name);
        if (!col || !name)
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
        else
            area_fields(s, label, na, col, name);
        areas.n = na;
        af[0] = (rtm_cell_field){"category", 0, NULL, name};
        for (int c = 0; c < NACOLS; c++)
            af[c + 1] = (rtm_cell_field){names[c], c < 2, col + (size_t)c * na, NULL};
    }
    if (!rc)
        rc = rtm_cells_write(path, "emerging_hot_spots", &s->ev->grid, cells, n, f, nf, &areas,
                             err);
    free(label), free(stack), free(col), free(name);
    return rc;
}

int em_write_cells(em_state *s, rtm_error *err)
{
    static const char *const names[NCOLS] = {"code", "value", "trend_z", "trend_p",
                                             "count_trend_z", "count_trend_p", "events",
                                             "hot_steps", "cold_steps"};
    size_t n = 0, i = 0;
    for (size_t k = 0; k < s->nc; k++)
        n += s->loc[k] && s->cells.code[k] != 0;
    size_t *cells = malloc((n ? n : 1) * sizeof *cells);
    double *col = malloc((n ? n : 1) * NCOLS * sizeof *col);
    const char **name = malloc((n ? n : 1) * sizeof *name);
    char *fn = em_file_name(s, "emerging.gpkg", err);
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    rtm_cell_field f[NCOLS + 1];
    int rc = 0;
    if (!cells || !col || !name || !fn)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    else if (!path)
        rc = err->code;
    for (size_t k = 0; !rc && k < s->nc; k++) {
        if (!s->loc[k] || s->cells.code[k] == 0)
            continue;
        cells[i] = k;
        name[i] = em_code_name(s, s->cells.code[k]);
        cell_row(s, k, col, n, i++);
    }
    f[0] = (rtm_cell_field){"category", 0, NULL, name};
    for (int c = 0; c < NCOLS; c++) /* integers: code, value, hot_steps, cold_steps */
        f[c + 1] = (rtm_cell_field){names[c], c < 2 || c >= 7, col + (size_t)c * n, NULL};
    if (!rc)
        rc = write_gpkg(s, path, cells, n, f, NCOLS + 1, err);
    free(cells), free(col), free(name), free(fn);
    return rc;
}

/* Legend top to bottom: hot patterns (new first), no pattern, cold ones;
 * the map lists values bottom first. Only the categories present, and no
 * pattern. */
static int legend_codes(const em_state *s, int *codes)
{
    int lo, hi, n = 0;
    size_t present[17] = {0};
    em_ncodes(s, &lo, &hi);
    for (size_t k = 0; k < s->nc; k++)
        if (s->loc[k])
            present[s->cells.code[k] - lo]++;
    for (int c = lo; c < 0; c++)
        if (present[c - lo])
            codes[n++] = c;
    codes[n++] = 0;
    for (int c = hi; c > 0; c--)
        if (present[c - lo])
            codes[n++] = c;
    return n;
}

int em_write_map(em_state *s, const double *v, rtm_error *err)
{
    int codes[17], values[17], nv = legend_codes(s, codes);
    const char *labels[17];
    char sub[256], a[64], b[64];
    rtm_map_opts mo;
    for (int k = 0; k < nv; k++) {
        values[k] = em_raster_value(s, codes[k]);
        labels[k] = em_code_name(s, codes[k]);
    }
    rtm_map_opts_init(&mo);
    mo.title = s->p->title ? s->p->title : "Emerging hot spots";
    snprintf(sub, sizeof sub, "N = %zu events · %s to %s (%d %s steps) · %g m cells",
             s->ev->pts.n, rtm_step_label(&s->steps, 0, a, sizeof a),
             rtm_step_label(&s->steps, s->steps.n - 1, b, sizeof b), s->steps.n,
             rtm_vocab_name("step", (int)s->p->step), s->ev->grid.res);
    mo.subtitle = sub;
    mo.units_label = "Pattern";
    mo.attribution = s->env && s->env->attribution ? s->env->attribution : RTM_ATTR_OGL;
    mo.class_colors = em_class_colors(s);
    char *fn = em_file_name(s, "emerging.png", err);
    int rc = fn ? rtm_prod_map_categorical(s->out, fn, &s->ev->grid, v, s->loc, values, labels,
                                           nv, &mo, err)
                : RTM_ERR_NOMEM;
    free(fn);
    return rc;
}

/* Per category: locations, share, events, area. */
typedef struct cat_row {
    size_t cells;
    double events;
} cat_row;

static void tally(const em_state *s, cat_row *rows, int lo)
{
    for (size_t k = 0; k < s->nc; k++) {
        double ev, h, c;
        if (!s->loc[k])
            continue;
        location_facts(s, k, &ev, &h, &c);
        rows[s->cells.code[k] - lo].cells++;
        rows[s->cells.code[k] - lo].events += ev;
    }
}

static int write_text(em_state *s, const char *name, char *buf, size_t len, rtm_error *err)
{
    char *fn = em_file_name(s, name, err);
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    int rc = !fn ? RTM_ERR_NOMEM : !path ? err->code
                                         : rtm_atomic_write_text(path, buf, len, err);
    free(fn);
    return rc;
}

int em_write_tables(em_state *s, rtm_error *err)
{
    int lo, hi, rc;
    cat_row rows[17];
    char *csv = NULL, *md = NULL, a[64], b[64];
    size_t ncsv = 0, nmd = 0;
    FILE *fc = open_memstream(&csv, &ncsv), *fm = open_memstream(&md, &nmd);
    double cell_km2 = s->ev->grid.res * s->ev->grid.res / 1e6, loc = (double)s->cells.locations;
    if (!fc || !fm) {
        if (fc)
            fclose(fc);
        if (fm)
            fclose(fm);
        free(csv), free(md);
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    }
    em_ncodes(s, &lo, &hi);
    memset(rows, 0, sizeof rows);
    tally(s, rows, lo);
    fprintf(fc, "value,code,category,cells,share_pct,events,area_km2\n");
    fprintf(fm, "# Emerging hot spots: cells per category\n\n%d %s steps, %s to %s; %zu "
            "locations; scheme %s; alpha %g%s.\n\n| category | code | cells | share | "
            "events | area (km²) |\n|---|---:|---:|---:|---:|---:|\n", s->steps.n,
            rtm_vocab_name("step", (int)s->p->step), rtm_step_label(&s->steps, 0, a, sizeof a),
            rtm_step_label(&s->steps, s->steps.n - 1, b, sizeof b), s->cells.locations,
            rtm_vocab_name("scheme", (int)s->p->scheme), s->p->alpha,
            s->gi.fdr ? " (FDR corrected)" : "");
    for (int c = hi; c >= lo; c--) {
        const cat_row *r = &rows[c - lo];
        double pct = loc > 0 ? 100.0 * (double)r->cells / loc : 0;
        fprintf(fc, "%d,%d,%s,%zu,%.4f,%.10g,%.6g\n", em_raster_value(s, c), c,
                em_code_name(s, c), r->cells, pct, r->events, (double)r->cells * cell_km2);
        fprintf(fm, "| %s | %d | %zu | %.1f %% | %.10g | %.4g |\n", em_code_name(s, c), c,
                r->cells, pct, r->events, (double)r->cells * cell_km2);
    }
    fclose(fc);
    fclose(fm);
    rc = write_text(s, "categories.csv", csv, ncsv, err);
    if (!rc)
        rc = write_text(s, "categories.md", md, nmd, err);
    free(csv), free(md);
    return rc;
}
