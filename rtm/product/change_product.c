/* change_product.c: the change product - two periods (or two event sets)
 * pooled, labelled, and passed to the dual KDE and its permutation test
 * (surface/change.c) and, with areal units, to Andresen's test
 * (surface/sppt.c); the files are written by change_write.c. */
#include "product/change_priv.h"
#include "input/area_points.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_change_product_init(rtm_change_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_kde_product_init(&p->kde);
    p->iterations = 999;
    p->seed = 1;
    p->alpha = 0.05;
    p->png = 1;
    p->top = 20;
    rtm_sppt_opts_init(&p->sppt);
}

/* "YYYY-MM" into YYYYMM, or 0. */
static int month_of(const char *s, size_t len)
{
    char buf[16];
    int y, m, n = 0;
    if (len != 7)
        return 0;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (sscanf(buf, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || y < 1000 || m < 1 || m > 12)
        return 0;
    return y * 100 + m;
}

int rtm_change_period_parse(const char *s, rtm_change_period *p, rtm_error *err)
{
    const char *dots = s ? strstr(s, "..") : NULL;
    int a = 0, b = 0;
    if (s && !dots)
        a = b = month_of(s, strlen(s));
    else if (s)
        a = month_of(s, (size_t)(dots - s)), b = month_of(dots + 2, strlen(dots + 2));
    if (!a || !b || b < a)
        return rtm_error_set(err, RTM_ERR_ARG, "change: bad period '%s' (expected "
                             "YYYY-MM..YYYY-MM, first month not after the last)", s ? s : "");
    p->from = a, p->to = b;
    return 0;
}

static int months_between(int from, int to)
{
    return from && to ? (to / 100 - from / 100) * 12 + to % 100 - from % 100 + 1 : 0;
}

static int in_period(const rtm_change_period *p, int month)
{
    return !p->from || (month >= p->from && month <= p->to);
}

void rtm_change_state_free(chg_state *s)
{
    free(s->x), free(s->y), free(s->w), free(s->lab);
    rtm_change_surfaces_free(&s->r);
    rtm_sppt_result_free(&s->sppt);
    free(s->zone);
    rtm_area_names_free(s->names, s->nzones);
}

/* Append the events of ev that fall in period per, labelled lab. */
static void take(chg_state *s, const rtm_events *ev, const rtm_change_period *per, int lab,
                 int *m0, int *m1)
{
    for (size_t i = 0; i < ev->pts.n; i++) {
        int m = ev->pts.month ? ev->pts.month[i] : 0;
        if (per->from && !in_period(per, m))
            continue;
        s->x[s->n] = ev->pts.x[i], s->y[s->n] = ev->pts.y[i];
        s->w[s->n] = ev->pts.w ? ev->pts.w[i] : 1;
        s->lab[s->n++] = (unsigned char)lab;
        if (m && (!*m0 || m < *m0))
            *m0 = m;
        if (m && m > *m1)
            *m1 = m;
    }
}

/* Pool and label the events; each period's months. */
static int split(chg_state *s, const rtm_events *ev, const rtm_events *after_ev,
                 rtm_error *err)
{
    const rtm_change_product *p = s->p;
    size_t cap = ev->pts.n + (after_ev ? after_ev->pts.n : 0);
    int b0 = 0, b1 = 0, a0 = 0, a1 = 0;
    s->two_sets = after_ev != NULL;
    if (!s->two_sets && (!p->before.from || !p->after.from))
        return rtm_error_set(err, RTM_ERR_ARG, "change: give both periods (--before and "
                             "--after) or a second event set");
    if (!s->two_sets && p->before.from <= p->after.to && p->after.from <= p->before.to)
        return rtm_error_set(err, RTM_ERR_ARG, "change: the periods overlap");
    s->x = malloc((cap ? cap : 1) * sizeof *s->x), s->y = malloc((cap ? cap : 1) * sizeof *s->y);
    s->w = malloc((cap ? cap : 1) * sizeof *s->w), s->lab = malloc(cap ? cap : 1);
    if (!s->x || !s->y || !s->w || !s->lab)
        return rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory for %zu events", cap);
    take(s, ev, &p->before, 0, &b0, &b1);
    s->nb = s->n;
    take(s, after_ev ? after_ev : ev, &p->after, 1, &a0, &a1);
    s->na = s->n - s->nb;
    s->outside = cap - s->n; /* one set: cap is its size */
    s->months_b = p->before.from ? months_between(p->before.from, p->before.to)
                                 : months_between(b0, b1);
    s->months_a = p->after.from ? months_between(p->after.from, p->after.to)
                                : months_between(a0, a1);
    if (s->nb == 0 || s->na == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "change: no event in the %s period",
                             s->nb == 0 ? "before" : "after");
    return 0;
}

/* Per month, or totals, as p->scale and the months allow. */
static int choose_scale(chg_state *s, rtm_error *err)
{
    int known = s->months_b > 0 && s->months_a > 0;
    if (s->p->scale == RTM_CHANGE_SCALE_MONTH && !known)
        return rtm_error_set(err, RTM_ERR_ARG, "change: per-month scaling needs the months of "
                             "both periods (give --before and --after, or events with a "
                             "month field)");
    s->per_month = s->p->scale == RTM_CHANGE_SCALE_MONTH ||
                   (s->p->scale == RTM_CHANGE_SCALE_AUTO && known);
    return 0;
}

static int setup(chg_state *s, const rtm_events *ev, const rtm_product_env *env,
                 rtm_change_opts *op, rtm_error *err)
{
    rtm_points pts;
    rtm_points_init(&pts); /* a view of the pooled events (x, y, w only) */
    pts.n = pts.cap = s->n;
    pts.x = s->x;
    pts.y = s->y;
    pts.w = s->w;
    rtm_change_opts o;
    double unit_scale;
    int rc;
    rtm_change_opts_init(&o);
    if ((rc = rtm_prod_kde_setup(&s->p->kde, ev, &pts, env, &o.kde, &unit_scale, err)))
        return rc;
    o.scale_before = unit_scale / (s->per_month ? s->months_b : 1);
    o.scale_after = unit_scale / (s->per_month ? s->months_a : 1);
    o.iterations = s->p->iterations, o.seed = s->p->seed, o.alpha = s->p->alpha;
    s->ko = o.kde;
    s->sb = o.scale_before, s->sa = o.scale_after;
    rtm_prod_log(env, "change: %zu events before, %zu after; %s kernel, radius %g (%s); "
                 "%d permutations", s->nb, s->na, rtm_kernel_name(o.kde.kernel), o.kde.radius,
                 rtm_prod_kde_rule(&s->p->kde), o.iterations);
    *op = o;
    return 0;
}

/* The tests' notes for the log. */
static void log_test(const chg_state *s, const rtm_change_opts *op,
                     const rtm_product_env *env)
{
    rtm_change_opts o = *op;
    /* the smallest p is 2/(B+1); BH needs p <= alpha/m for one isolated cell */
    if (o.iterations > 0 && 2.0 / (o.iterations + 1) > o.alpha / (double)s->r.ntested)
        rtm_prod_log(env, "change: warning: with %zu tested cells an isolated cell can be "
                     "significant only with at least %.0f iterations (got %d); a change "
                     "spread over several cells needs fewer", s->r.ntested,
                     ceil(2.0 * (double)s->r.ntested / o.alpha) - 1, o.iterations);
    rtm_prod_log(env, "change: %zu distinct event locations; %zu cells tested", s->r.nlocations,
                 s->r.ntested);
}

/* Events per unit (point in polygon, as sppt's over()), then both tests; the
 * units' cells (cell-centre rule) for the S-index raster. */
static int units_test(chg_state *s, const rtm_events *ev, rtm_error *err)
{
    const rtm_change_product *p = s->p;
    double *cb = NULL, *ca = NULL;
    char **names = NULL;
    int nz = 0, *pz = malloc((s->n ? s->n : 1) * sizeof *pz);
    int rc = pz ? 0 : rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory");
    if (!rc)
        rc = rtm_area_zones(p->units_layer, p->units_layer_name, p->units_where,
                            p->units_field, &ev->grid, &s->zone, &s->names, &s->nzones, err);
    if (!rc)
        rc = rtm_area_zones_points(p->units_layer, p->units_layer_name, p->units_where, NULL,
                                   ev->grid.crs, s->x, s->y, s->n, pz, &names, &nz, err);
    rtm_area_names_free(names, nz);
    if (!rc && (s->nzones < 1 || nz != s->nzones))
        rc = rtm_error_set(err, RTM_ERR_INPUT, "change: no unit in '%s'", p->units_layer);
    if (!rc) {
        cb = calloc((size_t)s->nzones, sizeof *cb), ca = calloc((size_t)s->nzones, sizeof *ca);
        if (!cb || !ca)
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory");
    }
    for (size_t i = 0; !rc && i < s->n; i++) {
        if (pz[i] < 0)
            s->units_outside++;
        else
            (s->lab[i] ? ca : cb)[pz[i]] += 1; /* events, not weights (sppt counts points) */
    }
    if (!rc)
        rc = rtm_sppt(cb, ca, s->nzones, &p->sppt, &s->sppt, err);
    free(cb), free(ca), free(pz);
    return rc;
}

void rtm_change_result_free(rtm_change_result *r)
{
    if (r) {
        free(r->difference);
        r->difference = NULL;
    }
}

static void fill_result(chg_state *s, rtm_change_result *res)
{
    memset(res, 0, sizeof *res);
    res->n_before = s->nb, res->n_after = s->na;
    res->months_before = s->months_b, res->months_after = s->months_a;
    res->radius = s->ko.radius;
    res->ntested = s->r.ntested, res->nup = s->r.nup, res->ndown = s->r.ndown;
    res->nunits = s->nzones;
    res->global_s = s->sppt.global_s, res->robust_s = s->sppt.robust_s;
    res->global_s_diff = s->sppt.global_s_diff, res->robust_s_diff = s->sppt.robust_s_diff;
    snprintf(res->units, sizeof res->units, "%s", s->label);
    snprintf(res->summary, sizeof res->summary, "change: %zu events before, %zu after; %zu "
             "cells rose and %zu fell significantly (of %zu tested)", s->nb, s->na, s->r.nup,
             s->r.ndown, s->r.ntested);
    res->difference = s->r.difference;
    s->r.difference = NULL;
}

/* The change as a tiled product (rtm/tile.h). */
typedef struct chg_tiled {
    chg_state *s;
    rtm_change_opts o;
    rtm_outset *out;
    rtm_change_result *res;
} chg_tiled;

static int chg_strip(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    chg_tiled *c = ctx;
    const chg_state *s = c->s;
    return rtm_change_strip(&s->ev->grid, s->ev->mask, s->x, s->y,
                            s->ev->weighted ? s->w : NULL, s->lab, s->n, &c->o, t->r0, t->r1,
                            v, err);
}

static int chg_finish(void *ctx, double *v, rtm_error *err)
{
    chg_tiled *c = ctx;
    chg_state *s = c->s;
    const rtm_events *ev = s->ev;
    int rc = rtm_change_finish(&ev->grid, ev->mask, s->x, s->y, s->n, &c->o, v, &s->r, err);
    free(v);
    if (rc)
        return rc;
    log_test(s, &c->o, s->env);
    chg_units_text(s);
    if (s->p->units_layer && (rc = units_test(s, ev, err)))
        return rc;
    if (s->units_outside)
        rtm_prod_log(s->env, "change: %zu events outside every unit are left out of the unit "
                     "tests", s->units_outside);
    rc = chg_write(s, c->out, err);
    if (!rc && c->res)
        fill_result(s, c->res);
    return rc;
}

int rtm_change_product_tiled(const rtm_change_product *p, const rtm_events *ev,
                             const rtm_events *after_ev, const rtm_product_env *env,
                             const rtm_tiling *h, rtm_outset *out, rtm_change_result *res,
                             rtm_error *err)
{
    chg_state s;
    chg_tiled c = {.s = &s, .out = out, .res = res};
    rtm_tiled t = {"change", RTM_CHANGE_NBANDS, ev->grid, chg_strip, chg_finish, &c, 0, "", NULL, NULL, 0};
    int rc;
    memset(&s, 0, sizeof s);
    s.p = p, s.ev = ev, s.env = env;
    if ((rc = split(&s, ev, after_ev, err)) || (rc = choose_scale(&s, err)))
        goto done;
    if (s.outside)
        rtm_prod_log(env, "change: %zu events in neither period are not used", s.outside);
    const rtm_events *evs[2] = {ev, after_ev};
    if (!(rc = setup(&s, ev, env, &c.o, err)))
        rc = rtm_prod_tiled_from(&t, h, evs, 2, NULL, out, err);
done:
    rtm_change_state_free(&s);
    return rc;
}

int rtm_change_product_run(const rtm_change_product *p, const rtm_events *ev,
                           const rtm_events *after_ev, const rtm_product_env *env,
                           rtm_outset *out, rtm_change_result *res, rtm_error *err)
{
    rtm_tiling h;
    rtm_tiling_init(&h);
    return rtm_change_product_tiled(p, ev, after_ev, env, &h, out, res, err);
}
