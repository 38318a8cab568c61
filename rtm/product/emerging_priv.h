/* product/emerging_priv.h (library-private): the state the emerging
 * hot-spot product's writers share (emerging_product.c, emerging_write.c). */
#ifndef RTM_EMERGING_PRIV_H
#define RTM_EMERGING_PRIV_H

#include "product/product_priv.h"
#include "rtm/emerging.h"

typedef struct em_state {
    const rtm_emerging_product *p;
    rtm_gistar_opts gi;          /* with the default band filled in */
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_steps steps;
    size_t nc;
    double *cube;                /* steps.n * nc counts: the finish step's, or a strip of every row's */
    unsigned char *loc;          /* nc: analysed locations */
    size_t *key;                 /* per event: its bin, step * nc + cell (SIZE_MAX:
                                    outside the steps' span or the grid) */
    size_t nbins;                /* bins of the locations over every step */
    double mean, sd;             /* their mean and population SD (Gi*'s globals) */
    rtm_emerging_cells cells;
    size_t outside;              /* events outside every step */
} em_state;

/* Raster value of a category code (0 none; Esri 1..8 hot, 9..16 cold;
 * sfhotspot 1..5 hot and mixed, 6..9 cold), its name, and how many there are. */
int em_raster_value(const em_state *s, int code);
const char *em_code_name(const em_state *s, int code);
int em_ncodes(const em_state *s, int *lo, int *hi);

/* The GeoPackage of cells with a pattern, the map, the category tables
 * (emerging_files.c); v is ncells scratch holding the raster values. */
int em_write_cells(em_state *s, rtm_error *err);
int em_write_map(em_state *s, const double *v, rtm_error *err);
int em_write_tables(em_state *s, rtm_error *err);
const char *const *em_class_colors(const em_state *s);
char *em_file_name(const em_state *s, const char *name, rtm_error *err);

/* The GeoTIFFs (emerging_write.c): categories (v: ncells scratch, left
 * holding the raster values; values_only: only those, no file), a multi-band GeoTIFF of one layer per step,
 * and the two trends. */
int em_write_categories(em_state *s, double *v, int values_only, rtm_error *err);
int em_write_steps(em_state *s, const char *name, const double *data, const char *what,
                   const char *units, rtm_error *err);
int em_write_trend(em_state *s, rtm_error *err);

#endif
