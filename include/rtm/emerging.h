/* rtm/emerging.h: emerging hot spots - a space-time cube of event counts
 * (grid cells x time steps), the space-time Getis-Ord Gi* of every bin, the
 * Mann-Kendall trend of every cell's series, and the categories of ArcGIS
 * Pro's Emerging Hot Spot Analysis (new, consecutive, intensifying,
 * persistent, diminishing, sporadic, oscillating and historical hot and
 * cold spots) or of the R sfhotspot package (persistent, emerging, former,
 * intermittent).
 *
 * Sources: Ord & Getis (1995), Geographical Analysis 27(4):286-306 (Gi*);
 * Mann (1945), Econometrica 13:245-259 and Kendall (1975), Rank
 * Correlation Methods, 4th ed. (the trend test and its variance with ties);
 * Esri, "How Emerging Hot Spot Analysis works", ArcGIS Pro tool reference
 * (space-time pattern mining), for the neighbourhood and the categories;
 * Ashby, sfhotspot::hotspot_classify (R package, CRAN) for the other scheme;
 * Benjamini & Hochberg (1995) for the FDR correction.
 *
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_EMERGING_H
#define RTM_EMERGING_H

#include <stddef.h>
#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/surface.h"
#include "rtm/product.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== time steps ==========================================================
 *
 * Steps are whole calendar units, numbered 0.. from the first step:
 *   week    7 days, Monday to Sunday (ISO 8601 weeks);
 *   4weeks  28 days starting on a Monday (the Monday of the first week);
 *   month   calendar months;
 *   season  meteorological seasons: winter = December to February (December
 *           counts in the next year's winter), spring = March to May,
 *           summer = June to August, autumn = September to November.
 * Week steps need the day of each event; month and season steps need only
 * the month (police.uk data).
 */
typedef enum rtm_step_kind {
    RTM_STEP_WEEK = 0,
    RTM_STEP_4WEEKS,
    RTM_STEP_MONTH,
    RTM_STEP_SEASON
} rtm_step_kind;

/** The steps of a cube: kind, the first step and how many. */
typedef struct rtm_steps {
    rtm_step_kind kind;
    long first;   /**< week/4weeks: days from 1970-01-01 to the first Monday;
                       month: year*12 + month-1; season: year*4 + season (0 winter) */
    int n;        /**< number of steps */
} rtm_steps;

/** 1 when steps of this kind need the day of each event. */
int rtm_step_needs_day(rtm_step_kind kind);

/** The steps covering the dates from..to (YYYYMMDD, or YYYYMM00 for a month
 *  without a day; from <= to). Returns 0, or RTM_ERR_ARG (a date
 *  unreadable, a week step from a date without a day, more than 1000
 *  steps). */
int rtm_steps_make(rtm_step_kind kind, int from, int to, rtm_steps *s, rtm_error *err);

/** The step (0..s->n-1) of a date: ymd = YYYYMMDD, or YYYYMM00 when the day
 *  is unknown (then only month and season steps can place it). -1 when the
 *  date is outside the steps or cannot be placed. */
int rtm_step_of(const rtm_steps *s, int ymd);

/** First and last day (YYYYMMDD) of step t. */
void rtm_step_range(const rtm_steps *s, int t, int *first, int *last);

/** Label of step t: "2024-01-15" (the Monday) for weeks and four-week
 *  steps, "2024-01" for months, "2024 winter (2023-12..2024-02)" for
 *  seasons. Returns buf. */
char *rtm_step_label(const rtm_steps *s, int t, char *buf, size_t sz);

/* ==== Mann-Kendall trend ================================================= */

typedef struct rtm_mk {
    double s;     /**< S = sum over i < j of sign(x_j - x_i) */
    double var;   /**< Var(S) with the tie correction */
    double z;     /**< (S - 1)/sqrt(var) for S > 0, (S + 1)/sqrt(var) for S < 0, else 0 */
    double p;     /**< two-sided normal p-value of z (1 when var is 0) */
    double tau;   /**< Kendall's tau-a = S / (n(n-1)/2) */
} rtm_mk;

/** Mann-Kendall test of the series x[0..n-1] (finite values, n >= 2):
 *  Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18 over the groups
 *  of t_g tied values (Kendall 1975). Returns 0, or RTM_ERR_ARG (n < 2 or a
 *  value not finite), RTM_ERR_NOMEM. Thread safe. */
int rtm_mann_kendall(const double *x, int n, rtm_mk *out, rtm_error *err);

/* ==== categories ==========================================================
 *
 * A location's series: sig[t] = +1 significant hot, -1 significant cold,
 * 0 neither, t = 0..n-1 (n-1 the final step), and the Mann-Kendall trend of
 * its Gi* z-scores. Esri's rules (the hot form; cold mirrors hot with the
 * signs swapped, and the trend reversed: an intensifying cold spot's z-scores
 * fall):
 *   historical    not hot in the final step, hot in >= 90 % of the steps
 *   intensifying  hot in >= 90 % of the steps including the final one, the
 *                 z-score trend rising and significant
 *   diminishing   as intensifying, the trend falling and significant
 *   persistent    hot in >= 90 % including the final one, no significant trend
 *   oscillating   hot in the final step, < 90 % hot, significantly cold in
 *                 some earlier step
 *   new           hot in the final step only, never significant before
 *   consecutive   a single run of >= 2 hot steps ending at the final step,
 *                 never significant before the run, < 90 % hot
 *   sporadic      hot in the final step, < 90 % hot, never cold, hot before
 *                 the final run (on again, off again)
 *   no pattern    none of these
 * "90 %" is at least 0.9 n steps. The first rule that matches wins, in the
 * order above. Where Esri's text leaves an overlap open, a location with an
 * earlier cold step is oscillating, not new or consecutive (as sfdep does).
 */
typedef enum rtm_ehsa_category {
    RTM_EHSA_NONE = 0,
    RTM_EHSA_NEW = 1,
    RTM_EHSA_CONSECUTIVE = 2,
    RTM_EHSA_INTENSIFYING = 3,
    RTM_EHSA_PERSISTENT = 4,
    RTM_EHSA_DIMINISHING = 5,
    RTM_EHSA_SPORADIC = 6,
    RTM_EHSA_OSCILLATING = 7,
    RTM_EHSA_HISTORICAL = 8
} rtm_ehsa_category;
/* A location's code: +c for a hot pattern, -c for its cold mirror, 0 none
 * (Esri's CATEGORY field uses the same numbers). */

/** The rules one by one, for the hot form (pass the negated series and
 *  trend for the cold form). hot90: hot in >= 90 % of the n steps. */
int rtm_ehsa_hot90(const signed char *sig, int n);
int rtm_ehsa_is_historical(const signed char *sig, int n);
int rtm_ehsa_is_intensifying(const signed char *sig, int n, int trend);
int rtm_ehsa_is_diminishing(const signed char *sig, int n, int trend);
int rtm_ehsa_is_persistent(const signed char *sig, int n, int trend);
int rtm_ehsa_is_oscillating(const signed char *sig, int n);
int rtm_ehsa_is_new(const signed char *sig, int n);
int rtm_ehsa_is_consecutive(const signed char *sig, int n);
int rtm_ehsa_is_sporadic(const signed char *sig, int n);

/** The code (-8..8) of a location. trend: +1 a significant rising trend of
 *  its z-scores, -1 falling, 0 none. */
int rtm_ehsa_classify(const signed char *sig, int n, int trend);

/** Name of a code: "intensifying hot spot", "new cold spot", "no pattern". */
const char *rtm_ehsa_name(int code);

/* sfhotspot's scheme (hotspot_classify, defaults of hotspot_classify_params):
 * recent = the last max(1, floor(0.2 n)) steps, older = the others.
 *   persistent    hot in >= 80 % of all steps
 *   emerging      hot in < 10 % of the older steps and >= 20 % of the recent
 *                 ones (sfhotspot compares with recent_prop, 0.2)
 *   former        hot in >= 10 % of the older steps and < 10 % of the recent
 *   intermittent  hot in >= 10 % of all steps
 * first match wins; the cold forms alike; a location with both a hot and a
 * cold category is "mixed". Codes: +1..+4 hot, -1..-4 cold, 5 mixed, 0 none. */
enum { RTM_SFH_PERSISTENT = 1, RTM_SFH_EMERGING, RTM_SFH_FORMER, RTM_SFH_INTERMITTENT,
       RTM_SFH_MIXED };

/** The sfhotspot code of a location (needs n >= 2). */
int rtm_sfh_classify(const signed char *sig, int n);

/** Name of an sfhotspot code: "emerging hot spot", "mixed hot and cold spot",
 *  "no pattern". */
const char *rtm_sfh_name(int code);

/* ==== space-time Gi* ======================================================= */

/** Space-time Gi* of a cube: nsteps layers of ncells counts (cube[t * ncells
 *  + k]) on grid g. The neighbours of bin (k, t) are the cells in k's
 *  spatial neighbourhood (o->band or o->knn, k included) in steps
 *  t - tsteps .. t (those that exist), as Esri's Emerging Hot Spot Analysis
 *  does with its neighbourhood time step; the mean and SD are over every
 *  bin of the cells in mask (NULL = all) and every step. z: nsteps * ncells
 *  doubles, NaN outside mask. Deterministic for any o->threads. Returns 0,
 *  RTM_ERR_ARG (options, tsteps < 0), RTM_ERR_INPUT (a count not finite),
 *  RTM_ERR_NOMEM. */
int rtm_stgistar(const rtm_grid *g, const double *cube, int nsteps, const unsigned char *mask,
                 const rtm_gistar_opts *o, int tsteps, double *z, rtm_error *err);

/** n, mean and SD of the bins of the mask's cells over every step, formed
 *  exactly as rtm_stgistar forms them from the whole cube, from its
 *  non-zero bins only: bin[0..nz) strictly ascending bin indices t * ncells
 *  + k, val their counts (every other bin counts 0). No cube is held.
 *  Returns 0, RTM_ERR_ARG (bins out of order) or RTM_ERR_INPUT. */
int rtm_stgistar_stats_sparse(const rtm_grid *g, int nsteps, const unsigned char *mask,
                              const size_t *bin, const double *val, size_t nz, size_t *n,
                              double *mean, double *sd, rtm_error *err);

/** rtm_stgistar of rows [r0, r1) only (a strip, rtm/tile.h): z holds
 *  nsteps planes of (r1 - r0) x ncols, the whole cube's values byte for
 *  byte, from cube: nsteps planes of rows [xr0, xr1) (a distance band: at
 *  least the strip's rows and those within the band; k nearest: every row),
 *  the whole grid's mask and the global n, mean and sd
 *  (rtm_stgistar_stats_sparse). Returns 0, RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_stgistar_strip(const rtm_grid *g, const double *cube, int xr0, int xr1, int nsteps,
                       const unsigned char *mask, const rtm_gistar_opts *o, int tsteps,
                       size_t n, double mean, double sd, int r0, int r1, double *z,
                       rtm_error *err);

/** Classification scheme. */
typedef enum rtm_ehsa_scheme {
    RTM_SCHEME_ESRI = 0,     /**< ArcGIS Pro's 17 outcomes */
    RTM_SCHEME_SFHOTSPOT     /**< sfhotspot's persistent/emerging/former/intermittent */
} rtm_ehsa_scheme;

/** Options of the analysis of a cube. */
typedef struct rtm_emerging_opts {
    rtm_gistar_opts gi;      /**< spatial neighbourhood (band or knn), fdr, threads */
    int time_steps;          /**< neighbourhood time steps K (>= 0) */
    double alpha;            /**< significance of a bin and of a trend, (0, 1) */
    rtm_ehsa_scheme scheme;
} rtm_emerging_opts;

/** Defaults: band 0 (must be set) or knn, fdr 1, time_steps 1, alpha 0.10, Esri. */
void rtm_emerging_opts_init(rtm_emerging_opts *o);

/** What the analysis of a cube gives, per bin and per location (owned
 *  arrays; free with rtm_emerging_cells_free). */
typedef struct rtm_emerging_cells {
    int nsteps;
    size_t ncells;
    double *z;            /**< nsteps * ncells Gi* z-scores (NaN outside the locations) */
    double *p;            /**< nsteps * ncells two-sided p-values */
    signed char *sig;     /**< nsteps * ncells: +1 hot, -1 cold, 0 (after FDR) */
    double *trend_z, *trend_p;  /**< ncells Mann-Kendall z and p of each z-score series */
    double *count_z, *count_p;  /**< ncells Mann-Kendall z and p of each count series */
    signed char *code;    /**< ncells category codes (0 outside) */
    double crit_p;        /**< p-value threshold used (alpha, or the FDR critical
                               value; -1 when no bin is significant under FDR) */
    size_t locations;     /**< cells analysed */
} rtm_emerging_cells;

void rtm_emerging_cells_free(rtm_emerging_cells *c);

/** Space-time Gi* of the cube (rtm_stgistar), p-values, bins significant at
 *  o->alpha (Benjamini-Hochberg over every bin of the locations when
 *  o->gi.fdr), the Mann-Kendall trend of each location's z-scores (a trend
 *  counts when p <= alpha) and of its counts, and each location's category
 *  by o->scheme. locations: ncells flags (NULL = all). out is filled on
 *  success. Returns 0, RTM_ERR_ARG (options, nsteps < 2 or > 1024),
 *  RTM_ERR_INPUT, RTM_ERR_NOMEM. */
int rtm_emerging_analyse(const rtm_grid *g, const double *cube, int nsteps,
                         const unsigned char *locations, const rtm_emerging_opts *o,
                         rtm_emerging_cells *out, rtm_error *err);

/** rtm_emerging_analyse given the space-time Gi* z-scores (z: nsteps x
 *  ncells, malloc'd, rtm_stgistar's; taken: out->z on success, freed on
 *  failure): significance, trends and categories. The finish step of a
 *  cube analysed by strips. Same returns. */
int rtm_emerging_finish(const rtm_grid *g, const double *cube, int nsteps,
                        const unsigned char *locations, const rtm_emerging_opts *o, double *z,
                        rtm_emerging_cells *out, rtm_error *err);

/* ==== cells as polygons ================================================== */

/** A field of rtm_cells_write: numbers (v, one per listed cell; NaN = null)
 *  or strings (s). */
typedef struct rtm_cell_field {
    const char *name;
    int integer;            /**< 1: an integer field from v */
    const double *v;        /**< numbers, or NULL for a string field */
    const char *const *s;   /**< strings (when v is NULL) */
} rtm_cell_field;

/** Merged areas for rtm_cells_write: label[k] = 1..n for the cells of
 *  area k-1, 0 for none (ncells ints); each area becomes one (multi)polygon
 *  of its cells (GDALPolygonize, 8-connected) with the fields f (value i
 *  belongs to area i). */
typedef struct rtm_cell_areas {
    const char *layer;
    const int *label;
    size_t n;
    const rtm_cell_field *f;
    int nf;
} rtm_cell_areas;

/** Write the n grid cells cells[0..n-1] (indices into g) as square polygons
 *  with the fields f[0..nf-1] (value i belongs to cells[i]) into a
 *  GeoPackage (.gpkg) or GeoJSON layer `layer` at path, and with areas (may
 *  be NULL; GeoPackage only) a second layer of merged areas, atomically,
 *  with the grid's CRS and a fixed creation date (same input, same bytes).
 *  Returns 0, RTM_ERR_IO or RTM_ERR_NOMEM. GDAL on the calling thread. */
int rtm_cells_write(const char *path, const char *layer, const rtm_grid *g,
                    const size_t *cells, size_t n, const rtm_cell_field *f, int nf,
                    const rtm_cell_areas *areas, rtm_error *err);

/* ==== the product ========================================================= */

typedef struct rtm_emerging_product {
    rtm_gistar_opts gi;      /**< band (0 = 3 cells) or knn, fdr (default 1), threads */
    rtm_step_kind step;      /**< default month */
    int time_steps;          /**< neighbourhood time steps K (default 1) */
    double alpha;            /**< significance of a bin and of a trend (default 0.10) */
    rtm_ehsa_scheme scheme;  /**< default Esri */
    int all_cells;           /**< 1: every cell of the study area is a location; default
                                  0: only cells with an event in some step (Esri's
                                  locations with data) */
    int from, to;            /**< YYYYMMDD (or YYYYMM00) span of the steps; 0 = the events'
                                  own first and last dates, or the load window */
    const char *dir;         /**< output folder ("" or NULL = names as they are) */
    unsigned formats;        /**< RTM_OUT_* bits (rtm/product.h; default RTM_OUT_ALL): TIF the
                                  GeoTIFFs and the GeoPackage, PNG the map, MD the CSV and
                                  Markdown tables */
    const char *title;       /**< map title, NULL = "Emerging hot spots" */
} rtm_emerging_product;

void rtm_emerging_product_init(rtm_emerging_product *p);

/** What the product found (free with rtm_emerging_result_free). */
typedef struct rtm_emerging_result {
    rtm_steps steps;
    size_t locations;        /**< cells analysed */
    size_t count[17];        /**< locations per code: Esri index code + 8; sfhotspot
                                  index code + 4 (0..9) */
    size_t sig_hot, sig_cold;/**< significant bins */
    double crit_p;           /**< the p-value threshold used (after FDR) */
    signed char *code;       /**< ncells codes (0 outside), owned */
} rtm_emerging_result;

void rtm_emerging_result_free(rtm_emerging_result *r);

/** Emerging hot spots of ev's events on its grid: writes, in p->dir (as
 *  p->formats allows),
 *  categories.tif (+ .qml, category names and colours), cube.tif (counts,
 *  one band per step), zscores.tif (Gi* z, one band per step),
 *  trend.tif (Mann-Kendall z of the z-scores), emerging.gpkg (cells with a
 *  pattern: category, trend z and p, count trend; and the cells of one
 *  category merged into areas), emerging.png (map),
 *  categories.csv and categories.md (locations per category). Returns 0 or
 *  RTM_ERR_INPUT (no event; a step finer than the dates; fewer than 2
 *  steps), RTM_ERR_ARG, RTM_ERR_IO, RTM_ERR_NOMEM. res may be NULL. */
int rtm_emerging_product_run(const rtm_emerging_product *p, const rtm_events *ev,
                             const rtm_product_env *env, rtm_outset *out,
                             rtm_emerging_result *res, rtm_error *err);

/** The same, computed as h says (rtm/tile.h; see rtm_kde_product_tiled): a
 *  strip's space-time Gi* z-scores (one band per step) come from the counts
 *  of its rows and those within the band (k nearest: every row) and the
 *  cube's global mean and SD, formed from every event without a cube; the
 *  FDR, trends, categories and files from the merge. With h->count > 0 res
 *  is not filled. */
int rtm_emerging_product_tiled(const rtm_emerging_product *p, const rtm_events *ev,
                               const rtm_product_env *env, const rtm_tiling *h,
                               rtm_outset *out, rtm_emerging_result *res, rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
