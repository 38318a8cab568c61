/* emerging_product.c: the emerging hot-spot product - the space-time cube of
 * the events on the product's grid, its analysis (rtm/emerging.h) and every
 * file (emerging_write.c). */
#include "product/emerging_priv.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BAND_CELLS 3

void rtm_emerging_product_init(rtm_emerging_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_gistar_opts_init(&p->gi);
    p->gi.fdr = 1;
    p->step = RTM_STEP_MONTH;
    p->time_steps = 1;
    p->alpha = 0.10;
    p->scheme = RTM_SCHEME_ESRI;
    p->formats = RTM_OUT_ALL;
}

void rtm_emerging_result_free(rtm_emerging_result *r)
{
    if (r) {
        free(r->code);
        r->code = NULL;
    }
}

/* YYYYMMDD of event i, YYYYMM00 when it has a month only, 0 with none. */
static int event_date(const rtm_points *pts, size_t i)
{
    if (pts->day && pts->day[i])
        return pts->day[i];
    return pts->month && pts->month[i] ? pts->month[i] * 100 : 0;
}

static const char *step_name(rtm_step_kind k)
{
    return rtm_vocab_name("step", (int)k);
}

/* Every event has a date, fine enough for the step; first and last date. */
static int check_dates(const em_state *s, int *first, int *last, rtm_error *err)
{
    const rtm_points *pts = &s->ev->pts;
    size_t nodate = 0, noday = 0;
    *first = 99999999, *last = 0;
    for (size_t i = 0; i < pts->n; i++) {
        int d = event_date(pts, i);
        if (!d) {
            nodate++;
            continue;
        }
        noday += d % 100 == 0;
        *first = d < *first ? d : *first;
        *last = d > *last ? d : *last;
    }
    if (nodate)
        return rtm_error_set(err, RTM_ERR_INPUT, "emerging: %zu of %zu events have no readable "
                             "date (name the field with --month-field)", nodate, pts->n);
    if (noday && rtm_step_needs_day(s->p->step))
        return rtm_error_set(err, RTM_ERR_INPUT, "emerging: --step %s needs day-level dates, "
                             "but %zu of %zu events have a month only (police.uk data give "
                             "months): use --step month or season", step_name(s->p->step),
                             noday, pts->n);
    return 0;
}

/* The span of the steps: the product's from/to, else the load window, else
 * the events' own dates. */
static void span(const em_state *s, int *from, int *to)
{
    const rtm_events_opts *eo = s->env ? s->env->events : NULL;
    if (s->p->from)
        *from = s->p->from;
    else if (eo && eo->date_from)
        *from = eo->date_from;
    else if (eo && eo->month_from)
        *from = eo->month_from * 100 + 1;
    if (s->p->to)
        *to = s->p->to;
    else if (eo && eo->date_to)
        *to = eo->date_to;
    else if (eo && eo->month_to)
        *to = eo->month_to * 100 + rtm_days_in_month(eo->month_to / 100, eo->month_to % 100);
}

/* Each event's bin, step * ncells + cell (SIZE_MAX: outside the steps'
 * span, or off the grid, which the loader does not keep). */
static void event_bins(em_state *s)
{
    const rtm_points *pts = &s->ev->pts;
    const rtm_grid *g = &s->ev->grid;
    for (size_t i = 0; i < pts->n; i++) {
        int t = rtm_step_of(&s->steps, event_date(pts, i)), r, c;
        s->key[i] = SIZE_MAX;
        if (t < 0) {
            s->outside++;
            continue;
        }
        if (rtm_grid_locate(g, pts->x[i], pts->y[i], &r, &c) != 0)
            continue;
        s->key[i] = (size_t)t * s->nc + (size_t)r * (size_t)g->ncols + (size_t)c;
    }
}

/* The non-zero bins of the cube (each the sum of its events' weights in
 * input order, as a whole cube adds them), the locations (inside cells with
 * an event unless all_cells) and Gi*'s global n, mean and SD - without a
 * cube. */
static int cube_globals(em_state *s, rtm_error *err)
{
    const rtm_points *pts = &s->ev->pts;
    size_t *bin = NULL, nz = 0;
    double *val = NULL;
    int rc;
    if (rtm_bin_keys_sparse(s->key, pts->w, pts->n, &bin, &val, &nz))
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory (%zu events)",
                             pts->n);
    for (size_t k = 0; k < s->nc; k++)
        s->loc[k] = s->p->all_cells && (!s->ev->mask || s->ev->mask[k]);
    for (size_t q = 0; q < nz; q++) {
        size_t k = bin[q] % s->nc;
        if (val[q] != 0 && (!s->ev->mask || s->ev->mask[k]))
            s->loc[k] = 1;
    }
    rc = rtm_stgistar_stats_sparse(&s->ev->grid, s->steps.n, s->loc, bin, val, nz, &s->nbins,
                                   &s->mean, &s->sd, err);
    free(bin), free(val);
    return rc;
}

/* Counts per cell and step of rows [r0, r1) (every event in input order). */
static void bin_rows(const em_state *s, int r0, int r1, double *cube)
{
    const rtm_points *pts = &s->ev->pts;
    size_t ncols = (size_t)s->ev->grid.ncols, k0 = (size_t)r0 * ncols;
    size_t plane = (size_t)(r1 - r0) * ncols;
    for (size_t i = 0; i < pts->n; i++) {
        size_t t, k;
        if (s->key[i] == SIZE_MAX)
            continue;
        t = s->key[i] / s->nc, k = s->key[i] % s->nc;
        if (k >= k0 && k < k0 + plane)
            cube[t * plane + (k - k0)] += pts->w ? pts->w[i] : 1;
    }
}

/* The first or last step only partly covered by the span of the data (or
 * the window): its counts are low, which a trend or "new" reads as change. */
static void warn_partial(const em_state *s, int from, int to)
{
    int a, b, l0, l1;
    char la[64], lb[64];
    rtm_step_range(&s->steps, 0, &a, &b);
    rtm_step_range(&s->steps, s->steps.n - 1, &l0, &l1);
    /* a month without a day (YYYYMM00) covers its whole month */
    if (from % 100 == 0)
        from += 1;
    if (to % 100 == 0)
        to += rtm_days_in_month(to / 10000, to / 100 % 100);
    if (from > a)
        rtm_prod_log(s->env, "emerging: warning: the first step (%s) starts %d-%02d-%02d but the "
                     "data start %d-%02d-%02d: its counts are partial",
                     rtm_step_label(&s->steps, 0, la, sizeof la), a / 10000, a / 100 % 100,
                     a % 100, from / 10000, from / 100 % 100, from % 100);
    if (to < l1)
        rtm_prod_log(s->env, "emerging: warning: the last step (%s) ends %d-%02d-%02d but the "
                     "data end %d-%02d-%02d: its counts are partial (set --to to a step's "
                     "end)", rtm_step_label(&s->steps, s->steps.n - 1, lb, sizeof lb),
                     l1 / 10000, l1 / 100 % 100, l1 % 100, to / 10000, to / 100 % 100, to % 100);
}

static int setup(em_state *s, rtm_error *err)
{
    int first, last, rc;
    if ((rc = check_dates(s, &first, &last, err)))
        return rc;
    span(s, &first, &last);
    if ((rc = rtm_steps_make(s->p->step, first, last, &s->steps, err)))
        return rc;
    if (s->steps.n < 2)
        return rtm_error_set(err, RTM_ERR_INPUT, "emerging: the events span one %s step only: "
                             "a trend needs at least 2 (use a finer --step or more data)",
                             step_name(s->p->step));
    if (s->steps.n > RTM_TILE_MAX_BANDS)
        return rtm_error_set(err, RTM_ERR_INPUT, "emerging: %d %s steps; at most %d (use a "
                             "coarser --step or a shorter span)", s->steps.n,
                             step_name(s->p->step), RTM_TILE_MAX_BANDS);
    s->nc = rtm_grid_ncells(&s->ev->grid);
    if ((size_t)s->steps.n > SIZE_MAX / sizeof(double) / (s->nc ? s->nc : 1))
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: cube too large");
    s->loc = malloc(s->nc ? s->nc : 1);
    s->key = malloc((s->ev->pts.n ? s->ev->pts.n : 1) * sizeof *s->key);
    if (!s->loc || !s->key)
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory for %zu cells",
                             s->nc);
    event_bins(s);
    if ((rc = cube_globals(s, err)))
        return rc;
    warn_partial(s, first, last);
    if (s->steps.n < 10)
        rtm_prod_log(s->env, "emerging: warning: %d time steps; the Mann-Kendall trend and the "
                     "90 %% rules are coarse below 10 steps", s->steps.n);
    if (s->outside)
        rtm_prod_log(s->env, "emerging: %zu events outside the steps' span left out",
                     s->outside);
    return 0;
}

static void analysis_opts(const em_state *s, rtm_emerging_opts *o)
{
    rtm_emerging_opts_init(o);
    o->gi = s->gi;
    o->time_steps = s->p->time_steps;
    o->alpha = s->p->alpha;
    o->scheme = s->p->scheme;
}

static int write_all(em_state *s, rtm_error *err)
{
    unsigned f = s->p->formats ? s->p->formats : RTM_OUT_ALL;
    double *v = rtm_prod_alloc(s->nc, "emerging", err);
    int rc = 0, w = s->ev->weighted;
    if (!v)
        return RTM_ERR_NOMEM;
    rc = em_write_categories(s, v, !(f & RTM_OUT_TIF), err); /* v: the raster values */
    if (!rc && (f & RTM_OUT_TIF))
        rc = em_write_steps(s, "cube.tif", s->cube, w ? "weighted events per cell and time "
                            "step (sum of weights)" : "event counts per cell and time step",
                            w ? "weight" : "events", err);
    if (!rc && (f & RTM_OUT_TIF))
        rc = em_write_steps(s, "zscores.tif", s->cells.z, "space-time Gi* z-score per step",
                            "z", err);
    if (!rc && (f & RTM_OUT_TIF))
        rc = em_write_trend(s, err);
    if (!rc && (f & RTM_OUT_TIF))
        rc = em_write_cells(s, err);
    if (!rc && (f & RTM_OUT_PNG))
        rc = em_write_map(s, v, err);
    if (!rc && (f & RTM_OUT_MD))
        rc = em_write_tables(s, err);
    free(v);
    return rc;
}

/* Strip t's space-time Gi* z (steps planes of its cells) from the counts of
 * its rows and those within the band (k nearest: every row). */
static int em_strip(void *ctx, const rtm_tile *t, double *z, rtm_error *err)
{
    em_state *s = ctx;
    const rtm_grid *g = &s->ev->grid;
    int xr0, xr1, rc;
    double *cube;
    rtm_gistar_strip_rows(g, &s->gi, t->r0, t->r1, &xr0, &xr1);
    cube = calloc((size_t)s->steps.n * (size_t)(xr1 - xr0) * (size_t)g->ncols, sizeof *cube);
    if (!cube)
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory for %d x %d rows",
                             s->steps.n, xr1 - xr0);
    bin_rows(s, xr0, xr1, cube);
    rc = rtm_stgistar_strip(g, cube, xr0, xr1, s->steps.n, s->loc, &s->gi, s->p->time_steps,
                            s->nbins, s->mean, s->sd, t->r0, t->r1, z, err);
    if (!rc && !s->cube && xr0 == 0 && xr1 == g->nrows)
        s->cube = cube; /* every row: the whole cube, kept for the finish step */
    else
        free(cube);
    return rc;
}

/* From the whole grid's z: the cube (binned here unless a strip of every
 * row was computed in this process), significance, trends, categories and
 * every file. */
static int em_finish(void *ctx, double *z, rtm_error *err)
{
    em_state *s = ctx;
    rtm_emerging_opts o;
    int rc;
    if (!s->cube) {
        if (!(s->cube = calloc((size_t)s->steps.n * s->nc, sizeof *s->cube))) {
            free(z);
            return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory for %d x %zu "
                                 "bins", s->steps.n, s->nc);
        }
        bin_rows(s, 0, s->ev->grid.nrows, s->cube);
    }
    analysis_opts(s, &o);
    if ((rc = rtm_emerging_finish(&s->ev->grid, s->cube, s->steps.n, s->loc, &o, z, &s->cells,
                                  err)))
        return rc;
    return write_all(s, err);
}

static int check_opts(const rtm_emerging_product *p, const rtm_events *ev, rtm_error *err)
{
    const rtm_grid *g = &ev->grid;
    if (ev->pts.n == 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "emerging: no events to analyse");
    if (p->time_steps < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: time steps must be >= 0 (got %d)",
                             p->time_steps);
    if (!(p->alpha > 0 && p->alpha < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: alpha must be in (0, 1) (got %g)",
                             p->alpha);
    if (p->gi.knn == 0 && p->gi.band > 0 && !(p->gi.band <= g->res * hypot(g->ncols, g->nrows)))
        return rtm_error_set(err, RTM_ERR_ARG, "emerging: the distance band %g is larger than "
                             "the grid: every cell would be every cell's neighbour", p->gi.band);
    return 0;
}

static void fill_result(const em_state *s, rtm_emerging_result *res)
{
    memset(res, 0, sizeof *res);
    res->steps = s->steps;
    res->locations = s->cells.locations;
    res->crit_p = s->cells.crit_p;
    for (size_t b = 0; b < (size_t)s->steps.n * s->nc; b++) {
        res->sig_hot += s->cells.sig[b] > 0;
        res->sig_cold += s->cells.sig[b] < 0;
    }
    for (size_t k = 0; k < s->nc; k++)
        if (s->loc[k])
            res->count[s->cells.code[k] + (s->p->scheme == RTM_SCHEME_ESRI ? 8 : 4)]++;
    res->code = s->cells.code;
}

static void log_start(const em_state *s)
{
    const rtm_grid *g = &s->ev->grid;
    rtm_prod_log(s->env, "emerging: %d %s steps x %d x %d cells, %s, %d time step%s back",
                 s->steps.n, step_name(s->p->step), g->ncols, g->nrows,
                 s->gi.knn > 0 ? "k nearest cells" : "fixed distance band", s->p->time_steps,
                 s->p->time_steps == 1 ? "" : "s");
}

int rtm_emerging_product_tiled(const rtm_emerging_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *h,
                               rtm_outset *out, rtm_emerging_result *res, rtm_error *err)
{
    em_state s;
    rtm_tiled t;
    int rc;
    memset(&s, 0, sizeof s);
    s.p = p, s.ev = ev, s.env = env, s.out = out, s.gi = p->gi;
    if ((rc = check_opts(p, ev, err)))
        return rc;
    if (s.gi.knn == 0 && !(s.gi.band > 0))
        s.gi.band = DEFAULT_BAND_CELLS * ev->grid.res;
    s.gi.threads = env && env->threads ? env->threads : s.gi.threads;
    if (!(rc = rtm_gistar_opts_check(&s.gi, &ev->grid, err)) && !(rc = setup(&s, err))) {
        t = (rtm_tiled){"emerging", s.steps.n, ev->grid, em_strip, em_finish, &s, 0, "", NULL, NULL,
                         0};
        log_start(&s);
        rc = rtm_prod_tiled_from(&t, h, &ev, 1, NULL, out, err);
    }
    if (!rc && res && s.cells.code) { /* this process finished */
        fill_result(&s, res);
        s.cells.code = NULL; /* now the result's */
    }
    rtm_emerging_cells_free(&s.cells);
    free(s.cube), free(s.loc), free(s.key);
    return rc;
}

int rtm_emerging_product_run(const rtm_emerging_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out,
                             rtm_emerging_result *res, rtm_error *err)
{
    rtm_tiling h;
    rtm_tiling_init(&h);
    return rtm_emerging_product_tiled(p, ev, env, &h, out, res, err);
}
