/* rtm/places.h: patrol places - N non-overlapping patrol-sized windows
 * (squares or discs, e.g. 150 m) that hold the most of a measure (crime
 * harm, event counts or any surface), with the figures a briefing needs:
 * events, harm, shares of the area, of the events and of the harm, and a
 * name a patrol sergeant recognises (the most frequent location text of the
 * events inside, and the named settings - pubs, venues, stations - inside
 * or near). Basford et al. (2021) chose the Southend trial's 20 hot spots
 * of 150 m x 150 m this way ("2.6 % of the area held 41 % of the harm").
 *
 * Method (rtm/surface/window.c):
 *  1. a fine grid of cells of side `step` (default size/10) holds the
 *     measure per cell (the events binned, or the surface sampled);
 *  2. the sum of the measure in a window at every candidate position is a
 *     box sum from a summed-area table (Crow 1984) for squares, or a disc
 *     sum from row prefix sums for discs; candidate windows are aligned to
 *     the fine grid, so a square's sum is the exact sum over the events
 *     inside it;
 *  3. greedy selection: candidates in order of their sum (ties: the larger
 *     sum in the central half of the window, then the northernmost, then
 *     westernmost first), each taken when it keeps the
 *     minimum spacing to every place taken so far and its area's cap.
 * Greedy is not guaranteed optimal (choosing non-overlapping windows of
 * maximum total is a packing problem): it always takes the best single
 * window first, and each window it takes can block at most a few better
 * combinations; tests/test_places.c measures the gap against exhaustive
 * search on small cases.
 *
 * Street segments (rtm/surface/segments.c): with a road layer the
 * candidates are buffers of width `size` around road pieces of at most
 * `segment`, their sums over the points within size/2 of the piece (exact
 * distance), chosen greedily when their segments are at least size +
 * spacing apart; area = length x size + pi (size/2)^2.
 *
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_PLACES_H
#define RTM_PLACES_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/input.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== window sums and greedy selection (surface stage) ================== */

/** Window shapes (vocabulary "shape"). */
typedef enum rtm_window_shape {
    RTM_WINDOW_SQUARE = 0,  /**< k x k fine cells, side = k * res */
    RTM_WINDOW_DISC         /**< diameter k * res: the fine cells whose centres lie
                                 within k*res/2 of the window centre */
} rtm_window_shape;

/** The candidate grid of windows of k x k cells on fine grid g: candidate
 *  (i, j) is the window over fine rows i..i+k-1 and columns j..j+k-1, and
 *  its cell centre in *cand is the window's centre ((ncols-k+1) x
 *  (nrows-k+1) cells of g->res, origin shifted by (k-1)*res/2). Returns 0
 *  or RTM_ERR_ARG (k < 1 or larger than the grid). */
int rtm_window_grid(const rtm_grid *g, int k, rtm_grid *cand, rtm_error *err);

/** Sum of v (ncells of g, row 0 north; NaN counts 0) in the window of
 *  every candidate of rtm_window_grid(g, k): out receives the candidate
 *  grid's ncells sums. Squares by a summed-area table, discs by row prefix
 *  sums (cells whose centre is within k*res/2 of the window centre).
 *  threads: 0 = OpenMP's default; the sums do not depend on it. Returns 0,
 *  RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_window_sums(const rtm_grid *g, const double *v, int k, rtm_window_shape shape,
                    int threads, double *out, rtm_error *err);

/** 1 when fine cell (row, col) belongs to candidate window (ci, cj) of k
 *  cells and the shape. */
int rtm_window_has_cell(int k, rtm_window_shape shape, int ci, int cj, int row, int col);

/** Options of rtm_window_pick. */
typedef struct rtm_window_pick_opts {
    int count;               /**< places wanted, >= 1 */
    int k;                   /**< window side (diameter) in cells */
    rtm_window_shape shape;
    double spacing;          /**< smallest gap between two places, CRS units (0 =
                                  places may touch, never overlap) */
    const unsigned char *allowed; /**< per candidate, 0 = not a place (outside the
                                       study area); NULL = all */
    const int *zone;         /**< per candidate its area (-1 = none: not a place);
                                  NULL = no areas */
    int per_zone;            /**< at most this many places per area; 0 = no cap */
    const double *tie;       /**< per candidate, breaks ties of the sum (larger first),
                                  e.g. the sum in a smaller window of the same centre,
                                  so the place is centred on what it holds; NULL = none */
} rtm_window_pick_opts;

/** 1 when candidates a = (ai, aj) and b = (bi, bj) cannot both be places:
 *  their windows overlap, or the gap between them (the shortest distance
 *  between the shapes) is below the spacing. */
int rtm_window_conflict(const rtm_window_pick_opts *o, double res, int ai, int aj, int bi,
                        int bj);

/** Greedy selection on the candidate grid cand with sums score (ncells of
 *  cand): candidates with a sum > 0, allowed, in decreasing order of the
 *  sum (ties: larger o->tie, then lower index, i.e. north then west,
 *  first); each is taken
 *  unless it conflicts with one taken before or its area is full. picked
 *  (o->count ints) receives the candidate indices in rank order, *npicked
 *  how many (fewer than count when no candidate with a sum > 0 is left).
 *  Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_window_pick(const rtm_grid *cand, const double *score, const rtm_window_pick_opts *o,
                    int *picked, int *npicked, rtm_error *err);

/* ==== street-segment places (surface stage) ============================= */

/** Road lines (input stage): line l's vertices xy[2*off[l]] ..
 *  xy[2*off[l+1]-1], name[l] its name ("" without). */
typedef struct rtm_road_set {
    int n;
    double *xy;
    size_t *off;
    char **name;
} rtm_road_set;

/** Read the lines of path (layer NULL = first; where: OGR SQL filter or
 *  NULL; multilines split, curves linearised) in dst_crs, with the name
 *  field name_field (NULL: the first of name, NAME, road_name present).
 *  Returns 0 or an error (no line: RTM_ERR_INPUT; unknown field:
 *  RTM_ERR_ARG). GDAL on the calling thread. */
int rtm_roads_load(const char *path, const char *layer, const char *where,
                   const char *name_field, const char *dst_crs, rtm_road_set *out,
                   rtm_error *err);
void rtm_road_set_free(rtm_road_set *r);

/** A straight piece of a road line (CRS units); line: index of its road. */
typedef struct rtm_road_segment {
    double ax, ay, bx, by;
    int line;
} rtm_road_segment;

/** Cut polylines (line l: vertices xy[2*off[l]] .. xy[2*off[l+1]-1]) into
 *  straight segments of at most max_len: every edge of length L into
 *  ceil(L / max_len) equal pieces (zero-length edges dropped). *out
 *  malloc'd (free). Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_roads_cut(const double *xy, const size_t *off, int nlines, double max_len,
                  rtm_road_segment **out, size_t *nout, rtm_error *err);

/** Exact distance from (px, py) to the segment. */
double rtm_point_segment_dist(double px, double py, const rtm_road_segment *s);
/** Exact distance between two segments (0 when they cross or touch). */
double rtm_segment_segment_dist(const rtm_road_segment *a, const rtm_road_segment *b);
/** Area of the buffer of radius r around s: length x 2r + pi r^2. */
double rtm_segment_buffer_area(const rtm_road_segment *s, double r);

/** Sum of w (NULL: 1 each) over the points within r of each segment (exact
 *  point-to-segment distance; a raster measure: its cell centres with the
 *  cell values as w) into out[ns]. The sums do not depend on threads (0 =
 *  OpenMP's default). Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_segment_sums(const rtm_road_segment *s, size_t ns, const double *x, const double *y,
                     const double *w, size_t n, double r, int threads, double *out,
                     rtm_error *err);

/** Options of rtm_segment_pick. */
typedef struct rtm_segment_pick_opts {
    int count;                    /**< places wanted, >= 1 */
    double r;                     /**< buffer radius (half the place's width) */
    double spacing;               /**< smallest gap between two buffers (>= 0) */
    const unsigned char *allowed; /**< per segment, 0 = not a place; NULL = all */
    const int *zone;              /**< per segment its area (-1: not a place) or NULL */
    int per_zone;                 /**< at most this many per area; 0 = no cap */
} rtm_segment_pick_opts;

/** Greedy choice of buffers: segments with a sum > 0 in decreasing order of
 *  score (ties: lower index first), each taken when its distance to every
 *  segment taken is >= 2 r + spacing (so the buffers do not overlap) and
 *  its area is not full. picked (o->count ints) receives the segment
 *  indices in rank order. Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_segment_pick(const rtm_road_segment *s, size_t ns, const double *score,
                     const rtm_segment_pick_opts *o, int *picked, int *npicked,
                     rtm_error *err);

/* ==== the places product ================================================= */

/** What the windows are ranked by. */
typedef enum rtm_place_measure {
    RTM_MEASURE_HARM = 0,  /**< the events' weights (a harm table): needs weighted events */
    RTM_MEASURE_COUNT,     /**< the number of events */
    RTM_MEASURE_SURFACE    /**< a raster (forecast, KDE, risk): measure_file */
} rtm_place_measure;

/** A layer of named settings (pubs, venues, stations): points with a name. */
typedef struct rtm_place_setting {
    const char *kind;      /**< short name shown with each setting ("pub") */
    const char *file;      /**< any OGR point source (CSV with coordinates) */
    const char *field;     /**< name field; NULL = "name" */
    const char *x_field, *y_field, *crs; /**< CSV columns and their CRS; NULL = detect */
} rtm_place_setting;

#define RTM_PLACES_MAX 1000         /**< most places of one run */
#define RTM_PLACES_MAX_SETTINGS 16  /**< setting layers */

typedef struct rtm_places_product {
    int count;                 /**< places wanted (default 20) */
    double size;               /**< side of a square, diameter of a disc (default 150) */
    rtm_window_shape shape;    /**< default square */
    double step;               /**< fine cell size; 0 = size/10. size must be a multiple */
    double spacing;            /**< minimum gap between places (default 0) */
    rtm_place_measure measure; /**< default harm when the events are weighted, else count
                                    (RTM_MEASURE_AUTO = -1 is that rule) */
    const char *measure_file;  /**< raster of RTM_MEASURE_SURFACE */
    const char *harm_unit;     /**< unit of the weights, e.g. "harm (CCHI days)"; NULL =
                                    "harm" */
    const char *areas;         /**< polygons of districts or towns, or NULL */
    const char *area_field;    /**< their name field (NULL = "zone N") */
    const char *areas_layer, *areas_where; /**< OGR layer and filter, NULL = first / all */
    int per_area;              /**< at most this many places per area (0 = no cap) */
    const rtm_place_setting *settings;
    int nsettings;
    double settings_distance;  /**< settings within this distance of a place are named
                                    (default 50) */
    /* output names (NULL = not written) */
    const char *gpkg, *csv, *png, *html;
    const char *title;         /**< NULL = "Patrol places" */
    /* street segments: with roads, the places are buffers of width `size`
     * (radius size/2) around road pieces of at most `segment` (0 = size) */
    const char *roads;         /**< road lines, or NULL (windows) */
    const char *roads_layer, *roads_where; /**< OGR layer and filter, NULL = first / all */
    const char *roads_name_field; /**< NULL = name, NAME or road_name when present */
    double segment;            /**< longest piece, CRS units; 0 = size */
} rtm_places_product;

enum { RTM_MEASURE_AUTO = -1 };

void rtm_places_product_init(rtm_places_product *p);

/** One place as reported. */
typedef struct rtm_patrol_place {
    int rank;                  /**< 1 = the highest measure */
    int place;                 /**< id (equal to the rank) */
    double cx, cy;             /**< centre, CRS units */
    double area_m2;            /**< area of the shape (CRS units²) */
    double measure;            /**< the window sum it was ranked by */
    double events;             /**< events inside (exact: each event in at most one place) */
    double harm;               /**< sum of their weights (NaN without weights) */
    double share_area, share_events, share_harm;  /**< of the study area / all events /
                                                       all harm, in percent */
    double cum_area, cum_events, cum_harm;        /**< places 1..rank together, percent */
    int zone;                  /**< index of its area, or -1 */
    char location[256];        /**< most frequent location text of its events, or "" */
    double location_events;    /**< how many of its events have that text */
    char settings[512];        /**< named settings inside or near ("The Alex (pub) 12 m;
                                    ..."), nearest first, or "" */
    char name[512];            /**< location plus up to two settings, or "place N" */
} rtm_patrol_place;

/** What the product found (free with rtm_places_result_free). */
typedef struct rtm_places_result {
    rtm_patrol_place *places;
    int nplaces;
    double total_area, total_events, total_harm; /**< of the study area */
    double fine_res;           /**< step used */
    int nzones;
    char **zone_names;         /**< nzones names, owned */
    char headline[320];        /**< "20 places (0.45 km², 1.1 % of the area) hold ..." */
} rtm_places_result;

void rtm_places_result_free(rtm_places_result *r);

/* ==== writing places (output stage) ===================================== */

/** Write places as the polygon layer "places" of a new GeoPackage at path
 *  (replaced; its recorded date fixed, so the same places give the same
 *  bytes): rings[i] holds ring_n[i] points (xy interleaved, closed) in crs.
 *  Fields: place, rank, name, location, settings, events, harm (null
 *  without weights), measure, area_m2, share_area, share_events,
 *  share_harm, cum_area, cum_events, cum_harm (percent), area (the
 *  district, "" without), centre_x, centre_y. The QGIS style (the text of
 *  rtm_patrol_places_qml) is also stored in the table `layer_styles` as
 *  QGIS writes it (useAsDefault 1, a fixed update_time), so QGIS applies
 *  it on opening the layer. Returns 0 or RTM_ERR_IO. */
int rtm_patrol_places_gpkg(const char *path, const char *crs, const rtm_patrol_place *pl,
                           int n, const double *const *rings, const int *ring_n,
                           int has_harm, const char *const *zone_names, rtm_error *err);

/** The QGIS style of that layer (red outlines, the rank as a label) as
 *  the text of a .qml file, written to path. Returns 0 or RTM_ERR_IO. */
int rtm_patrol_places_qml(const char *path, rtm_error *err);

/** Choose the places of ev (events loaded with their labels when names are
 *  wanted: rtm_events_opts.keep_labels) and write the files p names into
 *  out: the GeoPackage layer "places" (+ a QGIS .qml style beside it), the
 *  CSV, the map PNG with numbered places and the one-page HTML briefing
 *  (one section per area with p->areas). res may be NULL. Returns 0, or
 *  RTM_ERR_ARG (options), RTM_ERR_INPUT (no event; harm without weights;
 *  no candidate with any measure), RTM_ERR_IO, RTM_ERR_NOMEM. */
int rtm_places_product_run(const rtm_places_product *p, const rtm_events *ev,
                           const rtm_product_env *env, rtm_outset *out,
                           rtm_places_result *res, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
