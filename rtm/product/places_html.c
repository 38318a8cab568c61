/* places_html.c: the one-page patrol briefing - the "x % of the area holds
 * y % of harm" line, the map, and the places (one section per area) with
 * their names, events, harm and shares. */
#include "product/places_priv.h"
#include "product/product_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/html.h"

#define NCOLS 10

static void pct(char *b, size_t n, double v)
{
    if (isfinite(v))
        snprintf(b, n, "%.1f", v);
    else
        snprintf(b, n, "n/a");
}

static void row(rtm_html *h, const rtm_patrol_place *p, int has_harm)
{
    char c[NCOLS][64];
    const char *cells[NCOLS];
    snprintf(c[0], 64, "%d", p->rank);
    snprintf(c[1], 64, "%d", p->place);
    snprintf(c[3], 64, "%.0f", p->events);
    if (has_harm)
        snprintf(c[4], 64, "%.1f", p->harm);
    else
        snprintf(c[4], 64, "n/a");
    snprintf(c[5], 64, "%.2f", p->share_area);
    pct(c[6], 64, p->share_events);
    pct(c[7], 64, has_harm ? p->share_harm : NAN);
    pct(c[8], 64, p->cum_events);
    pct(c[9], 64, has_harm ? p->cum_harm : NAN);
    for (int k = 0; k < NCOLS; k++)
        cells[k] = c[k];
    cells[2] = p->name;
    rtm_html_table_row(h, cells);
}

static void table(rtm_html *h, const places_state *s, int zone)
{
    static const char *const hdr[NCOLS] = {"rank", "place", "name", "events", "harm",
                                           "% area", "% events", "% harm",
                                           "cum. % events", "cum. % harm"};
    rtm_html_table_begin(h, NULL, NCOLS, hdr);
    for (int i = 0; i < s->r.nplaces; i++)
        if (zone < 0 || s->r.places[i].zone == zone)
            row(h, &s->r.places[i], s->ev->weighted);
    rtm_html_table_end(h);
}

/* Totals of every area in one pass: its area (fine cells inside), events
 * and harm, into s->zone_area, zone_events, zone_harm. */
static int zone_totals(places_state *s, rtm_error *err)
{
    size_t nf = rtm_grid_ncells(&s->fine), nz = (size_t)s->r.nzones;
    const rtm_points *pt = &s->ev->pts;
    s->zone_area = calloc(nz, sizeof *s->zone_area);
    s->zone_events = calloc(nz, sizeof *s->zone_events);
    s->zone_harm = calloc(nz, sizeof *s->zone_harm);
    if (!s->zone_area || !s->zone_events || !s->zone_harm)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    for (size_t c = 0; c < nf; c++)
        if (s->fzone[c] >= 0 && s->fmask[c])
            s->zone_area[s->fzone[c]] += s->fine.res * s->fine.res;
    for (size_t n = 0; n < pt->n; n++) {
        int i, j, z;
        if (!rtm_grid_locate(&s->fine, pt->x[n], pt->y[n], &i, &j) &&
            (z = s->fzone[(size_t)i * s->fine.ncols + j]) >= 0) {
            s->zone_events[z] += 1;
            s->zone_harm[z] += pt->w ? pt->w[n] : 1;
        }
    }
    return 0;
}

/* One section per area with places: its line and its table. */
static void zone_section(rtm_html *h, const places_state *s, int z)
{
    double area, events, harm, pa = 0, pe = 0, ph = 0;
    int np = 0;
    char line[400];
    for (int i = 0; i < s->r.nplaces; i++)
        if (s->r.places[i].zone == z) {
            const rtm_patrol_place *p = &s->r.places[i];
            np++, pa += p->area_m2, pe += p->events, ph += p->harm;
        }
    if (np == 0)
        return;
    area = s->zone_area[z], events = s->zone_events[z], harm = s->zone_harm[z];
    rtm_html_section_begin(h, s->r.zone_names[z], NULL);
    int n = snprintf(line, sizeof line, "%d place%s: %.1f %% of the area holds %.1f %% of its "
                     "events", np, np == 1 ? "" : "s", area > 0 ? 100 * pa / area : NAN,
                     events > 0 ? 100 * pe / events : NAN);
    if (s->ev->weighted && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, " and %.1f %% of its harm",
                 harm > 0 ? 100 * ph / harm : NAN);
    rtm_html_para(h, line);
    table(h, s, z);
    rtm_html_section_end(h);
}

static void notes(rtm_html *h, const places_state *s)
{
    char b[800];
    snprintf(b, sizeof b,
             "How the places were chosen: the %s in a %g m %s around every point of a %g m "
             "grid was summed, and the best windows were taken greedily, each at least %g m "
             "from the others%s. Greedy choice takes the best place first but is not "
             "guaranteed to give the best possible set.", rtm_places_measure_name(s),
             s->p->size, s->p->shape == RTM_WINDOW_DISC ? "disc" : "square", s->fine.res,
             s->p->spacing, s->p->per_area > 0 ? ", at most a set number per area" : "");
    rtm_html_note(h, b);
    if (s->ev->weighted)
        rtm_html_note(h, "Harm is the sum of the events' harm weights. Weights per police.uk "
                         "category are averages over the offences inside each category and "
                         "depend on the offence mix assumed (see the harm table's README).");
    rtm_html_note(h, "Names: the most frequent location text of the events inside (police.uk "
                     "\"On or near\" points are anonymised snap points, not addresses) and "
                     "the named settings inside or nearby, nearest first.");
}

int rtm_places_html(places_state *s, rtm_outset *out, rtm_error *err)
{
    char sub[400];
    const char *path = rtm_outset_file(out, s->p->html, err), *png;
    int rc = 0;
    if (!path)
        return err->code;
    snprintf(sub, sizeof sub, "%zu events \xc2\xb7 ranked by %s \xc2\xb7 %g m %ss",
             s->ev->pts.n, rtm_places_measure_name(s), s->p->size,
             s->p->shape == RTM_WINDOW_DISC ? "disc" : "square");
    rtm_html *h = rtm_html_new(s->p->title ? s->p->title : "Patrol places", sub);
    if (!h)
        return rtm_error_set(err, RTM_ERR_NOMEM, "places: out of memory");
    rtm_html_para(h, s->r.headline);
    if (s->p->png && (png = rtm_outset_staged(out, s->p->png)))
        rc = rtm_html_image_png(h, png, "map of the patrol places", "Numbered places over "
                                "the measure in a window centred on each point", err);
    if (!rc && s->r.nzones > 0)
        rc = zone_totals(s, err);
    if (!rc) {
        rtm_html_section_begin(h, s->r.nzones ? "All places" : "Places", "places");
        table(h, s, -1);
        rtm_html_section_end(h);
        for (int z = 0; z < s->r.nzones; z++)
            zone_section(h, s, z);
        notes(h, s);
        rc = rtm_html_write(h, path, err);
    }
    rtm_html_free(h);
    return rc;
}
