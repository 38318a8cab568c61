/* product/places_priv.h (library-private): the state the places product's
 * files share (places_product.c computes, places_files.c writes). */
#ifndef RTM_PLACES_PRIV_H
#define RTM_PLACES_PRIV_H

#include "rtm/places.h"

typedef struct places_state {
    const rtm_places_product *p;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_place_measure measure;
    rtm_grid fine, cand;          /* the fine grid and its candidate windows */
    int k;                        /* window side in fine cells */
    double *v;                    /* fine measure */
    unsigned char *fmask;         /* fine cells inside the study area */
    double *score;                /* window sums (candidate grid) */
    unsigned char *allowed;       /* candidates whose centre is inside */
    int *fzone, *czone;           /* areas of fine cells / candidates, or NULL */
    int *picked;                  /* candidate indices in rank order */
    int *event_place;             /* per event its place (0-based rank) or -1 */
    double *zone_area, *zone_events, *zone_harm; /* per area totals */
    rtm_places_result r;
    rtm_road_set roads;           /* street segments: the road lines, */
    rtm_road_segment *segs;       /* their pieces (candidates) */
    size_t nsegs;
} places_state;

/* Street segments (places_roads.c): load and cut the roads, sum the
 * measure in each piece's buffer, choose (into s->picked, s->r.nplaces). */
int rtm_places_road_candidates(places_state *s, rtm_error *err);
/* 1 when (x, y) is inside the buffer of picked place t. */
int rtm_places_in_buffer(const places_state *s, int t, double x, double y);

/* The files of the product (every name of p that is set). */
int rtm_places_write_files(places_state *s, rtm_outset *out, rtm_error *err);

/* The one-page HTML briefing (p->html), with the map when p->png is set. */
int rtm_places_html(places_state *s, rtm_outset *out, rtm_error *err);

/* Names of places: most frequent location text and settings nearby. */
int rtm_places_names(places_state *s, rtm_error *err);

/* The outline of place i as a closed ring (n points, xy interleaved, at
 * most 2 * 65 doubles). */
int rtm_places_ring(const places_state *s, int i, double *xy);

/* What the measure is called ("harm (CCHI days)", "events", "surface"). */
const char *rtm_places_measure_name(const places_state *s);

#endif
