/* product/change_priv.h (library-private): the state the change product's
 * two files share (change_product.c computes, change_write.c writes). */
#ifndef RTM_PRODUCT_CHANGE_PRIV_H
#define RTM_PRODUCT_CHANGE_PRIV_H

#include "product/product_priv.h"
#include "rtm/change.h"

typedef struct chg_state {
    const rtm_change_product *p;
    const rtm_events *ev;          /* the grid, mask and metadata */
    const rtm_product_env *env;
    double *x, *y, *w;             /* pooled events */
    unsigned char *lab;            /* 1 = after */
    size_t n, nb, na, outside, units_outside;
    int two_sets;
    int months_b, months_a, per_month;
    double sb, sa;                 /* scale of each period */
    rtm_kde_opts ko;               /* kernel and radius used */
    rtm_change_surfaces r;
    char label[128], unit[96];     /* of the difference */
    int *zone;                     /* areal units: zone per cell */
    char **names;
    int nzones;
    rtm_sppt_result sppt;
} chg_state;

void rtm_change_state_free(chg_state *s);
/* s->label and s->unit of the difference ("events per km² per month"). */
void chg_units_text(chg_state *s);
/* Every file of the product into out. */
int chg_write(const chg_state *s, rtm_outset *out, rtm_error *err);

#endif
