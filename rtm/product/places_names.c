/* places_names.c: names a patrol sergeant recognises - the most frequent
 * location text of a place's events (police.uk's "On or near ..." snap
 * points) and the named settings (pubs, venues, stations) inside or within
 * a distance of it, nearest first. */
#include "product/places_priv.h"
#include "product/product_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SETTINGS_PER_PLACE 64

const char *rtm_places_measure_name(const places_state *s)
{
    if (s->measure == RTM_MEASURE_COUNT)
        return "events";
    if (s->measure == RTM_MEASURE_SURFACE)
        return "surface";
    return s->p->harm_unit ? s->p->harm_unit : "harm";
}

/* The buffer of a street piece: a half circle of 32 chords around each
 * end (B, then A), closed: 65 points. */
static int capsule(const rtm_road_segment *g, double r, double *xy)
{
    double th = atan2(g->by - g->ay, g->bx - g->ax);
    for (int a = 0; a < 64; a++) {
        int end = a < 32; /* B first */
        double t = th - M_PI / 2 + M_PI * (a % 32) / 31 + (end ? 0 : M_PI);
        xy[2 * a] = (end ? g->bx : g->ax) + r * cos(t);
        xy[2 * a + 1] = (end ? g->by : g->ay) + r * sin(t);
    }
    xy[128] = xy[0], xy[129] = xy[1];
    return 65;
}

int rtm_places_ring(const places_state *s, int i, double *xy)
{
    const rtm_patrol_place *pl = &s->r.places[i];
    double h = s->p->size / 2;
    if (s->p->roads)
        return capsule(&s->segs[s->picked[i]], h, xy);
    if (s->p->shape == RTM_WINDOW_DISC) {
        for (int a = 0; a <= 64; a++) {
            double t = 2 * M_PI * (a % 64) / 64;
            xy[2 * a] = pl->cx + h * cos(t);
            xy[2 * a + 1] = pl->cy + h * sin(t);
        }
        return 65;
    }
    static const int sx[5] = {-1, 1, 1, -1, -1}, sy[5] = {-1, -1, 1, 1, -1};
    for (int a = 0; a < 5; a++) {
        xy[2 * a] = pl->cx + sx[a] * h;
        xy[2 * a + 1] = pl->cy + sy[a] * h;
    }
    return 5;
}

/* Label indices in order, so equal labels form runs. */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The most frequent label of place t's events; ties: the text first in
 * byte order (independent of the order the events were read). */
static void location_of(places_state *s, int t, int *buf)
{
    const rtm_points *pt = &s->ev->pts;
    rtm_patrol_place *pl = &s->r.places[t];
    size_t m = 0;
    for (size_t n = 0; n < pt->n; n++)
        if (s->event_place[n] == t && pt->label && pt->label[n] >= 0)
            buf[m++] = pt->label[n];
    qsort(buf, m, sizeof *buf, cmp_int);
    int best = -1, bestn = 0;
    for (size_t a = 0; a < m;) {
        size_t b = a;
        while (b < m && buf[b] == buf[a])
            b++;
        int cnt = (int)(b - a);
        if (cnt > bestn ||
            (cnt == bestn && strcmp(pt->labels[buf[a]], pt->labels[best]) < 0)) {
            best = buf[a];
            bestn = cnt;
        }
        a = b;
    }
    if (best >= 0) {
        snprintf(pl->location, sizeof pl->location, "%s", pt->labels[best]);
        pl->location_events = bestn;
    }
}

/* A setting near a place. */
typedef struct near_setting {
    int place;
    double dist;
    const char *name, *kind;
} near_setting;

static int cmp_near(const void *a, const void *b)
{
    const near_setting *x = a, *y = b;
    if (x->place != y->place)
        return x->place - y->place;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Distance from (x, y) to place t's shape (0 inside). */
static double dist_to(const places_state *s, int t, double x, double y)
{
    const rtm_patrol_place *pl = &s->r.places[t];
    double h = s->p->size / 2;
    if (s->p->roads)
        return fmax(0.0, rtm_point_segment_dist(x, y, &s->segs[s->picked[t]]) - h);
    if (s->p->shape == RTM_WINDOW_DISC)
        return fmax(0.0, hypot(x - pl->cx, y - pl->cy) - h);
    return hypot(fmax(0.0, fabs(x - pl->cx) - h), fmax(0.0, fabs(y - pl->cy) - h));
}

static int load_setting(const places_state *s, const rtm_place_setting *st, rtm_points *pts,
                        rtm_error *err)
{
    rtm_load_opts lo;
    rtm_load_stats ls;
    rtm_load_opts_init(&lo);
    rtm_load_stats_init(&ls);
    lo.dst_crs = s->ev->grid.crs;
    lo.x_field = st->x_field;
    lo.y_field = st->y_field;
    lo.src_crs = st->crs;
    lo.label_field = st->field ? st->field : "name";
    lo.keep_labels = 1;
    int rc = rtm_points_load(pts, st->file, &lo, &ls, err);
    if (rc == RTM_ERR_CRS && !st->crs && strstr(err->msg, "projected coordinates")) {
        /* projected columns without a CRS: taken to be in the grid CRS, as
         * risk layers are (rtm_layer_spec_load) */
        lo.src_crs = s->ev->grid.crs;
        rtm_load_stats_init(&ls);
        rtm_prod_log(s->env, "places: settings '%s': projected columns without a CRS, taken "
                     "as %s", st->kind ? st->kind : "setting", lo.src_crs);
        rc = rtm_points_load(pts, st->file, &lo, &ls, err);
    }
    if (!rc)
        rtm_prod_log(s->env, "places: settings '%s': %zu named points from '%s'",
                     st->kind ? st->kind : "setting", ls.used, st->file);
    return rc;
}

/* Append "name (kind, 12 m)" to buf unless name is there already. */
static void add_setting(char *buf, size_t sz, const near_setting *n)
{
    size_t len = strlen(buf);
    if (strstr(buf, n->name))
        return;
    snprintf(buf + len, sz - len, "%s%s (%s, %.0f m)", len ? "; " : "", n->name,
             n->kind ? n->kind : "setting", n->dist);
}

/* The settings list of every place, from the sorted near list. */
static void fill_settings(places_state *s, near_setting *nl, size_t m)
{
    qsort(nl, m, sizeof *nl, cmp_near);
    for (size_t a = 0; a < m; a++) {
        rtm_patrol_place *pl = &s->r.places[nl[a].place];
        add_setting(pl->settings, sizeof pl->settings, &nl[a]);
    }
}

static int settings_near(places_state *s, rtm_error *err)
{
    rtm_points pts[RTM_PLACES_MAX_SETTINGS];
    near_setting *nl = NULL;
    size_t m = 0, cap = 0;
    int rc = 0;
    for (int L = 0; L < s->p->nsettings; L++)
        rtm_points_init(&pts[L]);
    for (int L = 0; L < s->p->nsettings && !rc; L++) {
        if ((rc = load_setting(s, &s->p->settings[L], &pts[L], err)))
            break;
        for (size_t n = 0; n < pts[L].n && !rc; n++)
            for (int t = 0; t < s->r.nplaces && !rc; t++) {
                double d = dist_to(s, t, pts[L].x[n], pts[L].y[n]);
                const char *nm = rtm_points_label_of(&pts[L], n);
                if (d > s->p->settings_distance || !nm || !*nm)
                    continue;
                if (m == cap) {
                    near_setting *b = realloc(nl, (cap = cap ? 2 * cap : 64) * sizeof *nl);
                    if (!b)
                        rc = rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
                    else
                        nl = b;
                }
                if (!rc)
                    nl[m++] = (near_setting){t, d, nm, s->p->settings[L].kind};
            }
    }
    if (!rc)
        fill_settings(s, nl, m);
    for (int a = 0; a < s->p->nsettings; a++)
        rtm_points_clear(&pts[a]);
    free(nl);
    return rc;
}

/* name: the location text, then up to two settings; else "place N". */
static void compose_name(rtm_patrol_place *pl)
{
    char two[300] = "";
    const char *p = pl->settings;
    for (int k = 0; k < 2 && *p; k++) {
        const char *e = strstr(p, " (");
        size_t len = strlen(two), n = e ? (size_t)(e - p) : strlen(p);
        snprintf(two + len, sizeof two - len, "%s%.*s", k ? ", " : "", (int)n, p);
        const char *next = strstr(p, "; ");
        if (!next)
            break;
        p = next + 2;
    }
    if (pl->location[0] && two[0])
        snprintf(pl->name, sizeof pl->name, "%s (%s)", pl->location, two);
    else if (pl->location[0] || two[0])
        snprintf(pl->name, sizeof pl->name, "%s", pl->location[0] ? pl->location : two);
    else
        snprintf(pl->name, sizeof pl->name, "place %d", pl->place);
}

int rtm_places_names(places_state *s, rtm_error *err)
{
    const rtm_points *pt = &s->ev->pts;
    int *buf = malloc((pt->n ? pt->n : 1) * sizeof *buf), rc = 0;
    if (!buf)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (int t = 0; t < s->r.nplaces; t++)
        location_of(s, t, buf);
    free(buf);
    if (s->p->nsettings > 0 && (rc = settings_near(s, err)))
        return rc;
    for (int t = 0; t < s->r.nplaces; t++) {
        rtm_patrol_place *pl = &s->r.places[t];
        compose_name(pl);
        const char *road = s->p->roads ? s->roads.name[s->segs[s->picked[t]].line] : "";
        if (road[0]) { /* the road's name first */
            char old[sizeof pl->name];
            snprintf(old, sizeof old, "%s", pl->name);
            if (pl->location[0] || pl->settings[0])
                snprintf(pl->name, sizeof pl->name, "%.200s: %.300s", road, old);
            else
                snprintf(pl->name, sizeof pl->name, "%s", road);
        }
    }
    return 0;
}
