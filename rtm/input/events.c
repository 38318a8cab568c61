/* events.c: the events of an analysis on their grid (rtm/input.h). */
#include "rtm/input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_events_opts_init(rtm_events_opts *o)
{
    memset(o, 0, sizeof *o);
}

static int check_crs(const char *dst, rtm_error *err)
{
    if (!dst || !dst[0])
        return rtm_error_set(err, RTM_ERR_ARG, "events: give the grid CRS (a projected CRS in "
                             "metres, e.g. EPSG:27700)");
    switch (rtm_crs_is_geographic(dst)) {
    case -1: return rtm_error_set(err, RTM_ERR_CRS, "events: unknown grid CRS '%s'", dst);
    case 1:
        return rtm_error_set(err, RTM_ERR_ARG, "events: grid CRS '%s' is geographic (degrees); "
                             "give a projected CRS in metres, e.g. EPSG:27700", dst);
    }
    return 0;
}

static void count_inside(rtm_events *ev)
{
    size_t n = rtm_grid_ncells(&ev->grid);
    ev->inside = 0;
    for (size_t k = 0; k < n; k++)
        ev->inside += !ev->mask || ev->mask[k];
}

int rtm_events_grid(const rtm_events_opts *o, rtm_events *ev, rtm_error *err)
{
    int rc;
    if ((rc = check_crs(o->dst_crs, err)))
        return rc;
    if (o->has_bbox) {
        const double *b = o->bbox;
        double res = o->res > 0 ? o->res : fmin(b[2] - b[0], b[3] - b[1]) / 250.0;
        if (res > fmin(b[2] - b[0], b[3] - b[1]))
            return rtm_error_set(err, RTM_ERR_ARG, "events: the cell size (resolution) %g is "
                                 "larger than the bounding box (%g x %g): the box could not "
                                 "be used exactly", res, b[2] - b[0], b[3] - b[1]);
        if ((rc = rtm_grid_from_bbox(&ev->grid, b[0], b[1], b[2], b[3], res, o->dst_crs, err)))
            return rc;
    }
    if (o->study_area &&
        (rc = rtm_area_load(o->study_area, o->study_layer, o->study_where, o->dst_crs, o->res,
                            &ev->grid, &ev->mask, &ev->area_units2, err)))
        return rc;
    if (ev->grid.ncols > 0)
        count_inside(ev);
    return 0;
}

static void source_opts(const rtm_events_opts *o, const rtm_event_source *s, rtm_events *ev,
                        rtm_load_opts *lo)
{
    rtm_load_opts_init(lo);
    lo->x_field = s->x_field;
    lo->y_field = s->y_field;
    lo->src_crs = s->crs;
    lo->dst_crs = o->dst_crs;
    lo->layer = s->layer;
    lo->where = s->where;
    lo->weight_field = s->weight_field;
    lo->weight_table = o->weights;
    lo->month_from = o->month_from;
    lo->month_to = o->month_to;
    lo->date_from = o->date_from;
    lo->date_to = o->date_to;
    lo->month_field = s->date_field;
    lo->strict = o->strict;
    if (ev->grid.ncols > 0) {
        lo->area_grid = &ev->grid;
        lo->area_mask = ev->mask;
    }
    lo->time_field = s->time_field;
    lo->label_field = s->label_field;
    lo->keep_labels = o->keep_labels;
    lo->hours_mask = o->hours_mask;
    lo->days_mask = o->days_mask;
    if (o->when_accept && s->time_field) {
        lo->when_accept = o->when_accept;
        lo->when_arg = o->when_arg;
        lo->date_field = s->date_field;
    }
}

/* No --bbox and no study area: the grid is the events' extent, snapped. */
static int grid_from_points(const rtm_events_opts *o, rtm_events *ev, rtm_error *err)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, res;
    const rtm_points *p = &ev->pts;
    if (p->n == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "events: no usable events to take the extent "
                             "from; give a bounding box or a study area");
    for (size_t i = 0; i < p->n; i++) {
        x0 = fmin(x0, p->x[i]);
        y0 = fmin(y0, p->y[i]);
        x1 = fmax(x1, p->x[i]);
        y1 = fmax(y1, p->y[i]);
    }
    res = o->res > 0 ? o->res : fmax(fmin(x1 - x0, y1 - y0) / 250.0, 1.0);
    if (x1 - x0 < res)
        x1 = x0 + res;
    if (y1 - y0 < res)
        y1 = y0 + res;
    /* the extent's top/right edge must include the outermost points */
    return rtm_grid_from_extent_tap(&ev->grid, x0, y0, x1 + res * 1e-9, y1 + res * 1e-9, res,
                                    o->dst_crs, err);
}

/* Zero usable events: say where they went (the usual causes are a filter
 * that matches nothing, a month window outside the data, unreadable dates). */
static int empty_error(const rtm_events *ev, rtm_error *err)
{
    const rtm_load_stats *s = &ev->st;
    return rtm_error_set(err, RTM_ERR_INPUT, "events: no events to use (%zu rows read, %zu "
                         "excluded by the attribute filter, %zu by the date window, %zu "
                         "unusable); a surface from zero events would be empty: check the "
                         "filter and the dates, or allow an empty result explicitly", s->read,
                         s->filtered_where, s->filtered_month, rtm_load_stats_skipped(s));
}

int rtm_events_load(const rtm_events_opts *o, rtm_events *ev, rtm_error *err)
{
    int rc;
    memset(ev, 0, sizeof *ev);
    rtm_points_init(&ev->pts);
    rtm_load_stats_init(&ev->st);
    if (o->nsources < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "events: no input files");
    if ((rc = rtm_events_grid(o, ev, err)))
        return rc;
    for (int i = 0; i < o->nsources; i++) {
        const rtm_event_source *s = &o->sources[i];
        rtm_load_opts lo;
        source_opts(o, s, ev, &lo);
        ev->weighted |= s->weight_field != NULL;
        lo.threads = o->threads;
        if ((rc = rtm_points_load_files(&ev->pts, s->files, s->nfiles, &lo, &ev->st, err)))
            return rc;
    }
    ev->weighted |= o->weights != NULL;
    if (ev->grid.ncols <= 0 && (rc = grid_from_points(o, ev, err)))
        return rc;
    if (ev->grid.ncols > 0 && !ev->inside)
        count_inside(ev);
    if (ev->pts.n == 0 && !o->allow_empty)
        return empty_error(ev, err);
    if (ev->pts.n > 0 && !(rtm_points_weight_sum(&ev->pts) > 0) && !o->allow_empty)
        return rtm_error_set(err, RTM_ERR_INPUT, "events: every one of the %zu events has "
                             "weight 0: a weighted surface would be empty (check the weight "
                             "table's categories and its '*' default)", ev->pts.n);
    return 0;
}

void rtm_events_free(rtm_events *ev)
{
    rtm_points_clear(&ev->pts);
    free(ev->mask);
    memset(ev, 0, sizeof *ev);
}

void rtm_events_months(const rtm_events *ev, int *first, int *last)
{
    int m0 = 0, m1 = 0;
    for (size_t i = 0; i < ev->pts.n; i++) {
        int m = ev->pts.month ? ev->pts.month[i] : 0;
        if (m && (!m0 || m < m0))
            m0 = m;
        if (m > m1)
            m1 = m;
    }
    *first = m0;
    *last = m1;
}
