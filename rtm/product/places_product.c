/* places_product.c: the patrol-places product - the fine grid of the
 * measure, the window sums, the greedy choice (rtm/surface/window.c), the
 * exact figures of each place and their shares (rtm/places.h). */
#include "product/places_priv.h"
#include "product/product_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_places_product_init(rtm_places_product *p)
{
    memset(p, 0, sizeof *p);
    p->count = 20;
    p->size = 150;
    p->shape = RTM_WINDOW_SQUARE;
    p->measure = (rtm_place_measure)RTM_MEASURE_AUTO;
    p->settings_distance = 50;
}

void rtm_places_result_free(rtm_places_result *r)
{
    if (!r)
        return;
    free(r->places);
    rtm_area_names_free(r->zone_names, r->nzones);
    memset(r, 0, sizeof *r);
}

static void state_free(places_state *s)
{
    free(s->v), free(s->fmask), free(s->score), free(s->allowed), free(s->fzone);
    free(s->czone), free(s->picked), free(s->event_place), free(s->zone_area);
    free(s->zone_events), free(s->zone_harm), free(s->segs);
    rtm_road_set_free(&s->roads);
    rtm_places_result_free(&s->r);
}

static int check_opts(const rtm_places_product *p, const rtm_events *ev, rtm_error *err)
{
    if (p->count < 1 || p->count > RTM_PLACES_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "places: count must be 1..%d (got %d)",
                             RTM_PLACES_MAX, p->count);
    if (!(p->size > 0) || !isfinite(p->size) || p->step < 0 || !(p->spacing >= 0) ||
        !(p->settings_distance >= 0) || p->per_area < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "places: size must be > 0 and step, spacing, "
                             "settings distance and per-area cap >= 0");
    if (p->nsettings < 0 || p->nsettings > RTM_PLACES_MAX_SETTINGS)
        return rtm_error_set(err, RTM_ERR_ARG, "places: at most %d setting layers",
                             RTM_PLACES_MAX_SETTINGS);
    if (p->measure == RTM_MEASURE_SURFACE && !p->measure_file)
        return rtm_error_set(err, RTM_ERR_ARG, "places: a surface measure needs its raster");
    if (p->measure == RTM_MEASURE_HARM && !ev->weighted)
        return rtm_error_set(err, RTM_ERR_INPUT, "places: the harm measure needs harm "
                             "weights (a harm table, --harm-table)");
    if (ev->pts.n == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "places: no events");
    if (p->roads && !(p->segment >= 0))
        return rtm_error_set(err, RTM_ERR_ARG, "places: segment length must be >= 0");
    if (p->per_area > 0 && !p->areas)
        return rtm_error_set(err, RTM_ERR_ARG, "places: a cap per area needs the areas");
    return 0;
}

/* The fine grid over the events' grid, its window size and study mask. */
static int fine_grid(places_state *s, rtm_error *err)
{
    const rtm_grid *g = &s->ev->grid;
    double step = s->p->step > 0 ? s->p->step : s->p->size / 10;
    int rc;
    s->k = (int)lround(s->p->size / step);
    if (s->k < 1 || fabs(s->k * step - s->p->size) > 1e-6 * s->p->size)
        return rtm_error_set(err, RTM_ERR_ARG, "places: the size %g is not a whole number of "
                             "fine cells of %g", s->p->size, step);
    if ((rc = rtm_grid_from_bbox(&s->fine, g->x0, g->y0, g->x0 + g->ncols * g->res,
                                 g->y0 + g->nrows * g->res, step, g->crs, err)) ||
        (rc = rtm_grid_check(&s->fine, err)) ||
        (rc = rtm_window_grid(&s->fine, s->k, &s->cand, err)))
        return rc;
    size_t nf = rtm_grid_ncells(&s->fine);
    if (!(s->fmask = malloc(nf)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory for %zu cells", nf);
    for (int i = 0; i < s->fine.nrows; i++)
        for (int j = 0; j < s->fine.ncols; j++) {
            int ci, cj;
            int in = !rtm_grid_locate(g, rtm_grid_cell_x(&s->fine, j),
                                      rtm_grid_cell_y(&s->fine, i), &ci, &cj);
            s->fmask[(size_t)i * s->fine.ncols + j] =
                in && (!s->ev->mask || s->ev->mask[(size_t)ci * g->ncols + cj]);
        }
    s->r.fine_res = step;
    return 0;
}

/* A surface sampled at the fine cell centres, times the fine cell's share
 * of the surface's cell (so a per-cell count surface keeps its total). */
static int sample_surface(places_state *s, rtm_error *err)
{
    rtm_surface *sf = rtm_raster_read(s->p->measure_file, err);
    if (!sf)
        return err->code;
    double f = (s->fine.res / sf->grid.res) * (s->fine.res / sf->grid.res);
    for (int i = 0; i < s->fine.nrows; i++)
        for (int j = 0; j < s->fine.ncols; j++) {
            int a, b;
            double x = 0;
            if (!rtm_grid_locate(&sf->grid, rtm_grid_cell_x(&s->fine, j),
                                 rtm_grid_cell_y(&s->fine, i), &a, &b))
                x = sf->v[(size_t)a * sf->grid.ncols + b];
            s->v[(size_t)i * s->fine.ncols + j] = isfinite(x) ? x * f : 0.0;
        }
    rtm_prod_log(s->env, "places: measure from '%s' (%d x %d cells of %g)",
                 s->p->measure_file, sf->grid.ncols, sf->grid.nrows, sf->grid.res);
    rtm_surface_free(sf);
    return 0;
}

/* The measure per fine cell (outside the study area 0). */
static int fine_measure(places_state *s, rtm_error *err)
{
    size_t nf = rtm_grid_ncells(&s->fine);
    const rtm_points *pt = &s->ev->pts;
    int rc = 0;
    if (!(s->v = rtm_prod_alloc(nf, "places", err)))
        return err->code;
    if (s->measure == RTM_MEASURE_SURFACE)
        rc = sample_surface(s, err);
    else
        rtm_bin_points(&s->fine, pt->x, pt->y, s->measure == RTM_MEASURE_HARM ? pt->w : NULL,
                       pt->n, s->v);
    for (size_t c = 0; c < nf; c++)
        if (!s->fmask[c])
            s->v[c] = 0.0;
    return rc;
}

/* The fine cell at a candidate's centre (for k even the one south-east of
 * the centre point): decides its study area and its area. */
static size_t centre_cell(const places_state *s, size_t c)
{
    size_t ci = c / (size_t)s->cand.ncols, cj = c % (size_t)s->cand.ncols;
    return (ci + (size_t)s->k / 2) * (size_t)s->fine.ncols + cj + (size_t)s->k / 2;
}

static int candidates(places_state *s, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->cand);
    int rc;
    s->score = rtm_prod_alloc(nc, "places", err);
    s->allowed = malloc(nc ? nc : 1);
    if (!s->score || !s->allowed)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory for %zu windows", nc);
    if ((rc = rtm_window_sums(&s->fine, s->v, s->k, s->p->shape,
                              s->env ? s->env->threads : 0, s->score, err)))
        return rc;
    for (size_t c = 0; c < nc; c++)
        s->allowed[c] = s->fmask[centre_cell(s, c)];
    if (!s->p->areas)
        return 0;
    if ((rc = rtm_area_zones(s->p->areas, s->p->areas_layer, s->p->areas_where,
                             s->p->area_field, &s->fine, &s->fzone,
                             &s->r.zone_names, &s->r.nzones, err)))
        return rc;
    if (!(s->czone = malloc((nc ? nc : 1) * sizeof *s->czone)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (size_t c = 0; c < nc; c++)
        s->czone[c] = s->fzone[centre_cell(s, c)];
    return 0;
}

/* Tie-breaker of each candidate: the sum in the central window of about
 * half its side (same centre), so among windows holding the same events
 * the one centred on them wins. */
static int central_sums(places_state *s, double **tie, rtm_error *err)
{
    int kin = s->k / 2 > 0 ? s->k / 2 : 1, rc;
    kin += (s->k - kin) % 2;
    int off = (s->k - kin) / 2;
    rtm_grid ig;
    if ((rc = rtm_window_grid(&s->fine, kin, &ig, err)))
        return rc;
    double *in = rtm_prod_alloc(rtm_grid_ncells(&ig), "places", err);
    *tie = rtm_prod_alloc(rtm_grid_ncells(&s->cand), "places", err);
    if (!in || !*tie) {
        free(in);
        return err->code;
    }
    rc = rtm_window_sums(&s->fine, s->v, kin, s->p->shape, s->env ? s->env->threads : 0, in,
                         err);
    for (int i = 0; !rc && i < s->cand.nrows; i++)
        for (int j = 0; j < s->cand.ncols; j++)
            (*tie)[(size_t)i * s->cand.ncols + j] = in[(size_t)(i + off) * ig.ncols + j + off];
    free(in);
    return rc;
}

static int choose(places_state *s, rtm_error *err)
{
    rtm_window_pick_opts o;
    double *tie = NULL;
    int rc;
    memset(&o, 0, sizeof o);
    if ((rc = central_sums(s, &tie, err))) {
        free(tie);
        return rc;
    }
    o.tie = tie;
    o.count = s->p->count;
    o.k = s->k;
    o.shape = s->p->shape;
    o.spacing = s->p->spacing;
    o.allowed = s->allowed;
    o.zone = s->czone;
    o.per_zone = s->p->per_area;
    if (!(s->picked = malloc((size_t)o.count * sizeof *s->picked))) {
        free(tie);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    }
    rc = rtm_window_pick(&s->cand, s->score, &o, s->picked, &s->r.nplaces, err);
    free(tie);
    return rc;
}

static int check_count(places_state *s, rtm_error *err)
{
    if (s->r.nplaces == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "places: no window holds any %s",
                             rtm_places_measure_name(s));
    if (s->r.nplaces < s->p->count)
        rtm_prod_log(s->env, "places: warning: only %d places hold any %s (asked for %d)",
                     s->r.nplaces, rtm_places_measure_name(s), s->p->count);
    return 0;
}

/* 1 when event (x, y) in fine cell (i, j) is inside place t. */
static int inside(const places_state *s, int t, double x, double y, int i, int j)
{
    const rtm_patrol_place *pl = &s->r.places[t];
    int c = s->picked[t];
    if (s->p->roads)
        return rtm_places_in_buffer(s, t, x, y);
    if (s->p->shape == RTM_WINDOW_DISC)
        return hypot(x - pl->cx, y - pl->cy) <= s->p->size / 2;
    return rtm_window_has_cell(s->k, s->p->shape, c / s->cand.ncols, c % s->cand.ncols, i, j);
}

/* Events and harm of each place (each event in the first place holding it). */
static int place_events(places_state *s, rtm_error *err)
{
    const rtm_points *pt = &s->ev->pts;
    if (!(s->event_place = malloc((pt->n ? pt->n : 1) * sizeof *s->event_place)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (size_t n = 0; n < pt->n; n++) {
        int i = -1, j = -1;
        s->event_place[n] = -1;
        if (rtm_grid_locate(&s->fine, pt->x[n], pt->y[n], &i, &j))
            i = j = -1;
        for (int t = 0; t < s->r.nplaces && s->event_place[n] < 0; t++)
            if (inside(s, t, pt->x[n], pt->y[n], i, j)) {
                s->event_place[n] = t;
                s->r.places[t].events += 1;
                s->r.places[t].harm += pt->w ? pt->w[n] : 1.0;
            }
    }
    return 0;
}

static void shares(places_state *s)
{
    rtm_places_result *r = &s->r;
    double ca = 0, ce = 0, ch = 0;
    for (int t = 0; t < r->nplaces; t++) {
        rtm_patrol_place *pl = &r->places[t];
        if (!s->ev->weighted)
            pl->harm = NAN;
        pl->share_area = 100 * pl->area_m2 / r->total_area;
        pl->share_events = 100 * pl->events / r->total_events;
        pl->share_harm = 100 * pl->harm / r->total_harm;
        pl->cum_area = (ca += pl->share_area);
        pl->cum_events = (ce += pl->share_events);
        pl->cum_harm = (ch += pl->share_harm);
    }
}

/* Every place's centre, area and figures; the study totals. */
static int figures(places_state *s, rtm_error *err)
{
    rtm_places_result *r = &s->r;
    const rtm_events *ev = s->ev;
    double M = s->p->size;
    if (!(r->places = calloc((size_t)r->nplaces, sizeof *r->places)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (int t = 0; t < r->nplaces; t++) {
        rtm_patrol_place *pl = &r->places[t];
        int c = s->picked[t];
        pl->rank = pl->place = t + 1;
        if (s->p->roads) { /* the piece's midpoint; its buffer's exact area */
            const rtm_road_segment *g = &s->segs[c];
            pl->cx = (g->ax + g->bx) / 2, pl->cy = (g->ay + g->by) / 2;
            pl->area_m2 = rtm_segment_buffer_area(g, M / 2);
        } else {
            pl->cx = rtm_grid_cell_x(&s->cand, c % s->cand.ncols);
            pl->cy = rtm_grid_cell_y(&s->cand, c / s->cand.ncols);
            pl->area_m2 = s->p->shape == RTM_WINDOW_DISC ? M_PI * M * M / 4 : M * M;
        }
        pl->measure = s->score[c];
        pl->zone = s->czone ? s->czone[c] : -1;
    }
    r->total_events = (double)ev->pts.n;
    r->total_harm = rtm_points_weight_sum(&ev->pts);
    r->total_area = ev->area_units2 > 0 ? ev->area_units2
                    : (double)(ev->mask ? ev->inside : rtm_grid_ncells(&ev->grid)) *
                          ev->grid.res * ev->grid.res;
    int rc = place_events(s, err);
    if (!rc)
        shares(s);
    return rc;
}

static void headline(places_state *s)
{
    rtm_places_result *r = &s->r;
    const rtm_patrol_place *last = &r->places[r->nplaces - 1];
    double km2 = 0;
    for (int t = 0; t < r->nplaces; t++)
        km2 += r->places[t].area_m2 / 1e6;
    int n = snprintf(r->headline, sizeof r->headline, "%d places (%.2f km\xc2\xb2, %.1f %% of "
                     "the area) hold %.1f %% of events", r->nplaces, km2, last->cum_area,
                     last->cum_events);
    if (s->ev->weighted && n > 0 && (size_t)n < sizeof r->headline)
        snprintf(r->headline + n, sizeof r->headline - (size_t)n, " and %.1f %% of harm",
                 last->cum_harm);
}

static int compute(places_state *s, rtm_error *err)
{
    int rc;
    if ((rc = fine_grid(s, err)) || (rc = fine_measure(s, err)))
        return rc;
    if (s->p->roads)
        rc = rtm_places_road_candidates(s, err);
    else if (!(rc = candidates(s, err)))
        rc = choose(s, err);
    if (rc || (rc = check_count(s, err)) || (rc = figures(s, err)) ||
        (rc = rtm_places_names(s, err)))
        return rc;
    headline(s);
    rtm_prod_log(s->env, "places: %s", s->r.headline);
    return 0;
}

int rtm_places_product_run(const rtm_places_product *p, const rtm_events *ev,
                           const rtm_product_env *env, rtm_outset *out,
                           rtm_places_result *res, rtm_error *err)
{
    places_state s;
    int rc;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.ev = ev;
    s.env = env;
    if ((rc = check_opts(p, ev, err)))
        return rc;
    s.measure = (int)p->measure == RTM_MEASURE_AUTO
                    ? (ev->weighted ? RTM_MEASURE_HARM : RTM_MEASURE_COUNT) : p->measure;
    if (!(rc = compute(&s, err)) && out)
        rc = rtm_places_write_files(&s, out, err);
    if (!rc && res) {
        *res = s.r;
        memset(&s.r, 0, sizeof s.r);
    }
    state_free(&s);
    return rc;
}
