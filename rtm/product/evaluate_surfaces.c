/* evaluate_surfaces.c: the evaluation's grid and evaluated cells (from the
 * surface files, or from the test events' grid options when there are
 * none), the surface files read onto it, and the events binned on it. */
#include "product/evaluate_priv.h"

#include <math.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

void eval_state_init(eval_state *s, const rtm_evaluate_product *p, const rtm_product_env *env,
                     rtm_outset *out)
{
    memset(s, 0, sizeof *s);
    s->p = p;
    s->env = env;
    s->out = out;
    rtm_points_init(&s->test);
    rtm_points_init(&s->train);
    rtm_load_stats_init(&s->test_st);
    rtm_load_stats_init(&s->train_st);
}

void eval_state_free(eval_state *s)
{
    for (int i = 0; i < s->ns; i++)
        free(s->s[i].v);
    free(s->mask);
    free(s->counts);
    free(s->train_counts);
    free(s->md_extra);
    free(s->near_mask);
    rtm_varset_free(s->vars);
    rtm_points_clear(&s->test);
    rtm_points_clear(&s->train);
    memset(s, 0, sizeof *s);
}

void eval_surface_name(const rtm_eval_surface_file *f, char *name, size_t n)
{
    const char *base, *dot;
    size_t len;
    if (f->name && f->name[0]) {
        snprintf(name, n, "%s", f->name);
        return;
    }
    base = strrchr(f->path, '/');
    base = base ? base + 1 : f->path;
    dot = strrchr(base, '.');
    len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    snprintf(name, n, "%.*s", (int)len, base);
}

static int same_crs(const char *x, const char *y)
{
    OGRSpatialReferenceH a, b;
    int same = 0;
    if (!x[0] || !y[0] || !strcmp(x, y))
        return 1;
    a = OSRNewSpatialReference(NULL);
    b = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(a, x) == OGRERR_NONE && OSRSetFromUserInput(b, y) == OGRERR_NONE)
        same = OSRIsSame(a, b);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    return same;
}

static int same_grid(const rtm_grid *g, const rtm_grid *h)
{
    double tol = 1e-6 * g->res;
    return g->ncols == h->ncols && g->nrows == h->nrows && fabs(g->res - h->res) <= tol &&
           fabs(g->x0 - h->x0) <= tol && fabs(g->y0 - h->y0) <= tol;
}

static int alloc_mask(eval_state *s, rtm_error *err)
{
    s->ncells = rtm_grid_ncells(&s->grid);
    if (!(s->mask = malloc(s->ncells ? s->ncells : 1)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory for %zu cells",
                             s->ncells);
    memset(s->mask, 1, s->ncells);
    return 0;
}

static int grid_mismatch(const eval_state *s, const rtm_grid *g, const char *path,
                         rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_INPUT, "evaluate: surface '%s' is not on the grid of "
                         "'%s' (%d x %d cells of %g from %.10g,%.10g%s): every surface must "
                         "share one grid", path, s->s[0].source, s->grid.ncols, s->grid.nrows,
                         s->grid.res, s->grid.x0, s->grid.y0,
                         same_crs(s->grid.crs, g->crs) ? "" : ", other CRS");
}

/* Read one surface file; the first sets the grid, the others must match. */
static int read_surface(eval_state *s, const rtm_eval_surface_file *f, rtm_error *err)
{
    eval_surface *e = &s->s[s->ns];
    rtm_surface *r = rtm_raster_read(f->path, err);
    size_t n;
    if (!r)
        return err ? err->code : RTM_ERR_IO;
    n = rtm_grid_ncells(&r->grid);
    for (size_t k = 0; k < n; k++) /* NaN is nodata; an infinity is a broken surface */
        if (isinf(r->v[k])) {
            rtm_error_set(err, RTM_ERR_INPUT, "evaluate: surface '%s' has an infinite value at "
                          "cell %zu: it cannot be ranked", f->path, k);
            rtm_surface_free(r);
            return RTM_ERR_INPUT;
        }
    if (s->ns == 0) {
        s->grid = r->grid;
        if (alloc_mask(s, err)) {
            rtm_surface_free(r);
            return RTM_ERR_NOMEM;
        }
    } else if (!same_grid(&s->grid, &r->grid) || !same_crs(s->grid.crs, r->grid.crs)) {
        grid_mismatch(s, &r->grid, f->path, err);
        rtm_surface_free(r);
        return RTM_ERR_INPUT;
    }
    if (r->mask)
        for (size_t k = 0; k < s->ncells; k++)
            s->mask[k] &= r->mask[k] != 0;
    eval_surface_name(f, e->name, sizeof e->name);
    snprintf(e->source, sizeof e->source, "%s", f->label ? f->label : f->path);
    e->v = r->v;
    r->v = NULL;
    rtm_surface_free(r);
    s->ns++;
    return 0;
}

/* The grid CRS without surface files: the given one, else the first
 * source's CRS when it is projected (rtm_events_grid checks it). */
static const char *events_crs(const rtm_events_opts *o)
{
    const char *src = o->nsources > 0 ? o->sources[0].crs : NULL;
    if (o->dst_crs)
        return o->dst_crs;
    return src && rtm_crs_is_geographic(src) == 0 ? src : NULL;
}

/* No surface file: the grid and study area of the test events' options. */
static int grid_from_events(eval_state *s, rtm_error *err)
{
    rtm_events_opts o = s->p->test;
    rtm_events evs = {0};
    int rc;
    if (!o.has_bbox && !o.study_area)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: without a surface file, give the "
                             "grid with a bounding box or a study area (and a resolution)");
    o.dst_crs = events_crs(&s->p->test);
    if ((rc = rtm_events_grid(&o, &evs, err)))
        goto done;
    s->grid = evs.grid;
    if ((rc = alloc_mask(s, err)))
        goto done;
    if (evs.mask)
        memcpy(s->mask, evs.mask, s->ncells);
    s->dst_crs = o.dst_crs;
done:
    rtm_events_free(&evs);
    return rc;
}

/* Surface files given: the grid is theirs; the study area restricts it. */
static int grid_from_files(eval_state *s, rtm_error *err)
{
    const rtm_events_opts *o = &s->p->test;
    unsigned char *m = NULL;
    if (o->has_bbox || o->res > 0)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: the grid comes from the first "
                             "surface: drop the bounding box and the resolution");
    if (o->dst_crs && s->grid.crs[0] && !same_crs(o->dst_crs, s->grid.crs))
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: grid CRS '%s' is not the CRS of "
                             "the surfaces", o->dst_crs);
    s->dst_crs = s->grid.crs[0] ? s->grid.crs : o->dst_crs;
    if (!s->dst_crs)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: the surfaces have no CRS: give the "
                             "grid CRS");
    if (!o->study_area)
        return 0;
    if (rtm_area_load(o->study_area, o->study_layer, o->study_where, s->dst_crs, s->grid.res,
                      &s->grid, &m, NULL, err))
        return err ? err->code : RTM_ERR_INPUT;
    for (size_t k = 0; k < s->ncells; k++)
        s->mask[k] &= m[k] != 0;
    free(m);
    return 0;
}

int eval_setup_grid(eval_state *s, rtm_error *err)
{
    int rc;
    for (int i = 0; i < s->p->nfiles; i++)
        if ((rc = read_surface(s, &s->p->files[i], err)))
            return rc;
    s->nfile = s->ns;
    if ((rc = s->ns == 0 ? grid_from_events(s, err) : grid_from_files(s, err)))
        return rc;
    s->area_cells = 0;
    for (size_t k = 0; k < s->ncells; k++)
        s->area_cells += s->mask[k];
    return 0;
}

/* The point loader's options for one source on the evaluation's grid. */
static void load_opts(const eval_state *s, const rtm_events_opts *o, const rtm_event_source *src,
                      int from, int to, int near, rtm_load_opts *lo)
{
    rtm_load_opts_init(lo);
    lo->x_field = src->x_field;
    lo->y_field = src->y_field;
    lo->src_crs = src->crs;
    lo->layer = src->layer;
    lo->where = src->where;
    lo->weight_field = src->weight_field;
    lo->month_field = src->date_field;
    lo->weight_table = o->weights;
    lo->strict = o->strict;
    lo->month_from = from;
    lo->month_to = to;
    lo->dst_crs = s->dst_crs;
    lo->area_grid = near ? &s->near_grid : &s->grid;
    lo->area_mask = near ? s->near_mask : s->mask;
    if (o->when_accept && src->time_field) {
        lo->when_accept = o->when_accept;
        lo->when_arg = o->when_arg;
        lo->date_field = src->date_field;
        lo->time_field = src->time_field;
    }
}

int eval_load_events(eval_state *s, const rtm_events_opts *o, int from, int to,
                     rtm_points *pts, rtm_load_stats *st, const char *what, int near,
                     rtm_error *err)
{
    int nfiles = 0, rc;
    near = near && s->reach > 0;
    if (near && !s->near_mask && (rc = eval_near_area(s, &s->near_grid, &s->near_mask, err)))
        return rc;
    for (int i = 0; i < o->nsources; i++) {
        rtm_load_opts lo;
        load_opts(s, o, &o->sources[i], from, to, near, &lo);
        for (int k = 0; k < o->sources[i].nfiles; k++, nfiles++)
            if ((rc = rtm_points_load(pts, o->sources[i].files[k], &lo, st, err)))
                return rc;
    }
    if (nfiles == 0)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: no %s files", what);
    rtm_prod_log_load(s->env, what, st);
    return 0;
}

double *eval_bin(const eval_state *s, const rtm_points *p, rtm_error *err)
{
    double *c = rtm_prod_alloc(s->ncells, "evaluate", err);
    if (c)
        rtm_bin_points(&s->grid, p->x, p->y, p->w, p->n, c);
    return c;
}
