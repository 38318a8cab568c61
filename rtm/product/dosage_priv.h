/* product/dosage_priv.h (library-private): the dosage product's state,
 * shared by dosage_product.c (reading, computing) and dosage_write.c (the
 * files). */
#ifndef RTM_DOSAGE_PRIV_H
#define RTM_DOSAGE_PRIV_H

#include "product/product_priv.h"
#include "rtm/dosage.h"

typedef struct dosage_state {
    const rtm_dosage_product *p;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_tz *tz;
    rtm_place_set places;
    rtm_pings pings;
    rtm_ping_stats st;
    rtm_grid grid;
    rtm_dosage_tracks tracks;
    int day0, ndays;          /* first local day (days since 1970) and count */
    int64_t *ws, *we;         /* day windows, then shift windows (ndays each) */
    rtm_dosage_cell *days;    /* nplaces * ndays */
    rtm_dosage_cell *shifts;  /* nplaces * (ndays * nshifts), or NULL */
    char tz_note[160];
} dosage_state;

/* dosage.csv, dosage_shifts.csv, dosage_devices.csv and dosage.tif into
 * s->out (dosage_write.c). */
int rtm_dosage_write_tables(dosage_state *s, rtm_error *err);

/* dosage.md and dosage.json (dosage_summary.c). */
int rtm_dosage_write_summary(dosage_state *s, rtm_error *err);

/* "YYYY-MM-DD" of local day d (days since 1970) into buf (11 bytes). */
void rtm_dosage_date(long d, char *buf);

#endif
