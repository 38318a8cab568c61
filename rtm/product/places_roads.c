/* places_roads.c: street-segment patrol places - buffers of width `size`
 * around road pieces of at most `segment` (rtm/places.h; the sums and the
 * choice in rtm/surface/segments.c). Events count in a buffer when within
 * size/2 of its segment (exact distance); a raster measure counts the fine
 * cells whose centres are. */
#include "product/places_priv.h"
#include "product/product_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int rtm_places_in_buffer(const places_state *s, int t, double x, double y)
{
    return rtm_point_segment_dist(x, y, &s->segs[s->picked[t]]) <= s->p->size / 2;
}

/* The measure's points: events (weights for harm) or fine cell centres
 * with the measure as weight. */
static int measure_points(places_state *s, double **x, double **y, const double **w,
                          size_t *n, double **own, rtm_error *err)
{
    const rtm_points *pt = &s->ev->pts;
    if (s->measure != RTM_MEASURE_SURFACE) {
        *x = pt->x, *y = pt->y, *n = pt->n, *own = NULL;
        *w = s->measure == RTM_MEASURE_HARM ? pt->w : NULL;
        return 0;
    }
    size_t nf = rtm_grid_ncells(&s->fine);
    if (!(*own = malloc(2 * (nf ? nf : 1) * sizeof **own)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    *x = *own, *y = *own + nf, *w = s->v, *n = nf;
    for (int i = 0; i < s->fine.nrows; i++)
        for (int j = 0; j < s->fine.ncols; j++) {
            (*x)[(size_t)i * s->fine.ncols + j] = rtm_grid_cell_x(&s->fine, j);
            (*y)[(size_t)i * s->fine.ncols + j] = rtm_grid_cell_y(&s->fine, i);
        }
    return 0;
}

/* Study area and area of each piece: those of its midpoint's fine cell. */
static int seg_masks(places_state *s, rtm_error *err)
{
    size_t n = s->nsegs;
    s->allowed = malloc(n ? n : 1);
    if (!s->allowed || (s->fzone && !(s->czone = malloc((n ? n : 1) * sizeof *s->czone))))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (size_t k = 0; k < n; k++) {
        int i, j;
        double mx = (s->segs[k].ax + s->segs[k].bx) / 2, my = (s->segs[k].ay + s->segs[k].by) / 2;
        int in = !rtm_grid_locate(&s->fine, mx, my, &i, &j);
        size_t c = in ? (size_t)i * s->fine.ncols + j : 0;
        s->allowed[k] = in && s->fmask[c];
        if (s->czone)
            s->czone[k] = in ? s->fzone[c] : -1;
    }
    return 0;
}

static int pick(places_state *s, rtm_error *err)
{
    rtm_segment_pick_opts o = {.count = s->p->count, .r = s->p->size / 2,
                               .spacing = s->p->spacing, .allowed = s->allowed,
                               .zone = s->czone, .per_zone = s->p->per_area};
    if (!(s->picked = malloc((size_t)o.count * sizeof *s->picked)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    return rtm_segment_pick(s->segs, s->nsegs, s->score, &o, s->picked, &s->r.nplaces, err);
}

int rtm_places_road_candidates(places_state *s, rtm_error *err)
{
    const rtm_places_product *p = s->p;
    double seg = p->segment > 0 ? p->segment : p->size, *x = NULL, *y = NULL, *own = NULL;
    const double *w = NULL;
    size_t n = 0;
    int rc;
    if ((rc = rtm_roads_load(p->roads, p->roads_layer, p->roads_where, p->roads_name_field,
                             s->fine.crs, &s->roads, err)) ||
        (rc = rtm_roads_cut(s->roads.xy, s->roads.off, s->roads.n, seg, &s->segs, &s->nsegs,
                            err)))
        return rc;
    if (p->areas && (rc = rtm_area_zones(p->areas, p->areas_layer, p->areas_where,
                                         p->area_field, &s->fine, &s->fzone,
                                         &s->r.zone_names, &s->r.nzones, err)))
        return rc;
    if (!(s->score = rtm_prod_alloc(s->nsegs ? s->nsegs : 1, "places", err)))
        return err->code;
    if ((rc = measure_points(s, &x, &y, &w, &n, &own, err)) ||
        (rc = rtm_segment_sums(s->segs, s->nsegs, x, y, w, n, p->size / 2,
                               s->env ? s->env->threads : 0, s->score, err)) ||
        (rc = seg_masks(s, err)) || (rc = pick(s, err))) {
        free(own);
        return rc;
    }
    free(own);
    rtm_prod_log(s->env, "places: %d road lines from '%s', %zu pieces of at most %g",
                 s->roads.n, p->roads, s->nsegs, seg);
    return 0;
}
