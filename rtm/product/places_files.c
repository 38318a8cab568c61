/* places_files.c: the places product's files - places.gpkg (+ .qml),
 * places.csv, the map with numbered places and the one-page HTML briefing
 * (one section per area). */
#include "product/places_priv.h"
#include "product/product_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/html.h"

#define RING_MAX 65

/* "dir/name.gpkg" -> "dir/name.qml" */
static int qml_name(const char *gpkg, char *buf, size_t sz)
{
    const char *slash = strrchr(gpkg, '/'), *dot = strrchr(gpkg, '.');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - gpkg) : strlen(gpkg);
    int w = snprintf(buf, sz, "%.*s.qml", (int)n, gpkg);
    return w < 0 || (size_t)w >= sz ? -1 : 0;
}

static int write_gpkg(places_state *s, rtm_outset *out, rtm_error *err)
{
    int n = s->r.nplaces, rc;
    double *xy = malloc((size_t)n * RING_MAX * 2 * sizeof *xy);
    const double **rings = malloc((size_t)n * sizeof *rings);
    int *rn = malloc((size_t)n * sizeof *rn);
    char qml[4096];
    const char *path, *qpath;
    if (!xy || !rings || !rn) {
        free(xy), free(rings), free(rn);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    }
    for (int i = 0; i < n; i++) {
        rings[i] = xy + (size_t)i * RING_MAX * 2;
        rn[i] = rtm_places_ring(s, i, xy + (size_t)i * RING_MAX * 2);
    }
    if (qml_name(s->p->gpkg, qml, sizeof qml))
        rc = rtm_error_set(err, RTM_ERR_ARG, "places: name too long '%s'", s->p->gpkg);
    else if (!(path = rtm_outset_file(out, s->p->gpkg, err)) ||
             !(qpath = rtm_outset_file(out, qml, err)))
        rc = err->code;
    else if (!(rc = rtm_patrol_places_gpkg(path, s->fine.crs, s->r.places, n, rings, rn,
                                           s->ev->weighted,
                                           (const char *const *)s->r.zone_names, err)))
        rc = rtm_patrol_places_qml(qpath, err);
    free(xy), free(rings), free(rn);
    return rc;
}

/* A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
static void csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

static void csv_row(FILE *f, const places_state *s, const rtm_patrol_place *p)
{
    const char *zone = p->zone >= 0 ? s->r.zone_names[p->zone] : "";
    fprintf(f, "%d,%d,", p->place, p->rank);
    csv_str(f, p->name), fputc(',', f);
    csv_str(f, p->location), fputc(',', f);
    csv_str(f, p->settings), fputc(',', f);
    fprintf(f, "%.0f,", p->events);
    double v[] = {p->harm, p->measure, p->area_m2, p->share_area, p->share_events,
                  p->share_harm, p->cum_area, p->cum_events, p->cum_harm};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        csv_num(f, v[k]), fputc(',', f);
    csv_str(f, zone), fputc(',', f);
    csv_num(f, p->cx), fputc(',', f);
    csv_num(f, p->cy), fputc('\n', f);
}

static int write_csv(places_state *s, rtm_outset *out, rtm_error *err)
{
    const char *path = rtm_outset_file(out, s->p->csv, err);
    FILE *f;
    if (!path)
        return err->code;
    if (!(f = fopen(path, "w")))
        return rtm_error_set(err, RTM_ERR_IO, "places: cannot write '%s'", s->p->csv);
    fputs("place,rank,name,location,settings,events,harm,measure,area_m2,share_area,"
          "share_events,share_harm,cum_area,cum_events,cum_harm,area,centre_x,centre_y\n", f);
    for (int i = 0; i < s->r.nplaces; i++)
        csv_row(f, s, &s->r.places[i]);
    if (ferror(f) | fclose(f))
        return rtm_error_set(err, RTM_ERR_IO, "places: cannot write '%s'", s->p->csv);
    return 0;
}

/* The part of the candidate grid around the places (their extent plus a
 * margin of a quarter of it, at least 400 m), so places 150 m wide show on
 * the map: *g, *v and *m (owned by the caller) receive it. */
static int crop(const places_state *s, rtm_grid *g, double **v, unsigned char **m,
                rtm_error *err)
{
    /* street segments: the measure per fine cell (no window grid) */
    const rtm_grid *c = s->p->roads ? &s->fine : &s->cand;
    const double *sv = s->p->roads ? s->v : s->score;
    const unsigned char *al = s->p->roads ? s->fmask : s->allowed;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, h = s->p->size / 2;
    for (int i = 0; i < s->r.nplaces; i++) {
        const rtm_patrol_place *p = &s->r.places[i];
        x0 = fmin(x0, p->cx - h), x1 = fmax(x1, p->cx + h);
        y0 = fmin(y0, p->cy - h), y1 = fmax(y1, p->cy + h);
    }
    double mg = fmax(400.0, 0.25 * fmax(x1 - x0, y1 - y0));
    int j0 = (int)fmax(0, floor((x0 - mg - c->x0) / c->res));
    int j1 = (int)fmin(c->ncols, ceil((x1 + mg - c->x0) / c->res));
    int i0 = (int)fmax(0, floor((c->y0 + c->nrows * c->res - (y1 + mg)) / c->res));
    int i1 = (int)fmin(c->nrows, ceil((c->y0 + c->nrows * c->res - (y0 - mg)) / c->res));
    *g = *c;
    g->ncols = j1 - j0, g->nrows = i1 - i0;
    g->x0 = c->x0 + j0 * c->res;
    g->y0 = c->y0 + (c->nrows - i1) * c->res;
    *v = malloc(rtm_grid_ncells(g) * sizeof **v);
    *m = malloc(rtm_grid_ncells(g));
    if (!*v || !*m)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory for the map");
    for (int i = 0; i < g->nrows; i++)
        for (int j = 0; j < g->ncols; j++) {
            size_t src = (size_t)(i + i0) * c->ncols + (size_t)(j + j0);
            (*v)[(size_t)i * g->ncols + j] = sv[src];
            (*m)[(size_t)i * g->ncols + j] = al[src];
        }
    return 0;
}

/* The map: the measure in a window centred on every cell, and the places. */
static int write_png(places_state *s, rtm_outset *out, rtm_error *err)
{
    int n = s->r.nplaces, rc;
    double *xy = malloc((size_t)n * RING_MAX * 2 * sizeof *xy);
    rtm_map_mark *mk = calloc((size_t)n, sizeof *mk);
    char (*lab)[16] = calloc((size_t)n, sizeof *lab), title[256], sub[320], units[160];
    rtm_map_opts mo;
    if (!xy || !mk || !lab) {
        free(xy), free(mk), free(lab);
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    }
    for (int i = 0; i < n; i++) {
        mk[i].xy = xy + (size_t)i * RING_MAX * 2;
        mk[i].n = rtm_places_ring(s, i, xy + (size_t)i * RING_MAX * 2);
        snprintf(lab[i], sizeof lab[i], "%d", i + 1);
        mk[i].label = lab[i];
    }
    rtm_map_opts_init(&mo);
    snprintf(title, sizeof title, "%s", s->p->title ? s->p->title : "Patrol places");
    snprintf(sub, sizeof sub, "%s", s->r.headline);
    if (s->p->roads)
        snprintf(units, sizeof units, "%s per %g m cell", rtm_places_measure_name(s),
                 s->fine.res);
    else
        snprintf(units, sizeof units, "%s in a %g m %s", rtm_places_measure_name(s),
                 s->p->size, s->p->shape == RTM_WINDOW_DISC ? "disc" : "square");
    mo.title = title;
    mo.subtitle = sub;
    mo.units_label = units;
    mo.ramp = "ylorrd";
    mo.marks = mk;
    mo.nmarks = n;
    mo.attribution = s->env && s->env->attribution ? s->env->attribution : RTM_ATTR_OGL;
    rtm_grid g;
    double *v = NULL;
    unsigned char *m = NULL;
    if (!(rc = crop(s, &g, &v, &m, err)))
        rc = rtm_prod_map(out, s->p->png, &g, v, m, &mo, err);
    free(xy), free(mk), free(lab), free(v), free(m);
    return rc;
}

int rtm_places_write_files(places_state *s, rtm_outset *out, rtm_error *err)
{
    int rc = 0;
    if (s->p->gpkg && (rc = write_gpkg(s, out, err)))
        return rc;
    if (s->p->csv && (rc = write_csv(s, out, err)))
        return rc;
    if (s->p->png && (rc = write_png(s, out, err)))
        return rc;
    return s->p->html ? rtm_places_html(s, out, err) : 0;
}
