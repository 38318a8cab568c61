/* inputs_digest.c: the SHA-256 of what a tiled product read (rtm/tile.h's
 * rtm_tiled.inputs): the grid, the study-area mask, the events and the
 * features, as loaded. Every tile records it and the merge, which reads the
 * inputs again, compares: tiles made before an input file changed are
 * refused instead of being merged with the new data. */
#include "product/product_priv.h"
#include "core/sha256.h"
#include "input/features_priv.h"

#include <string.h>

/* An optional array: a presence flag, then its bytes. */
static void opt_array(rtm_sha256_ctx *c, const void *a, size_t bytes)
{
    unsigned char has = a != NULL;
    rtm_sha256_update(c, &has, 1);
    if (a)
        rtm_sha256_update(c, a, bytes);
}

static void hash_events(rtm_sha256_ctx *c, const rtm_events *ev)
{
    const rtm_points *p = &ev->pts;
    size_t n = p->n;
    rtm_sha256_update(c, &n, sizeof n);
    opt_array(c, p->x, n * sizeof *p->x);
    opt_array(c, p->y, n * sizeof *p->y);
    opt_array(c, p->w, n * sizeof *p->w);
    opt_array(c, p->month, n * sizeof *p->month);
    opt_array(c, p->day, n * sizeof *p->day);
    opt_array(c, p->minute, n * sizeof *p->minute);
}

int rtm_prod_inputs_digest(const rtm_grid *g, const unsigned char *mask,
                           const rtm_events *const *evs, int nev, const rtm_features *f,
                           char hex[65])
{
    return rtm_prod_inputs_digest_n(g, mask, evs, nev, &f, f ? 1 : 0, hex);
}

int rtm_prod_inputs_digest_n(const rtm_grid *g, const unsigned char *mask,
                             const rtm_events *const *evs, int nev,
                             const rtm_features *const *f, int nf, char hex[65])
{
    rtm_sha256_ctx c;
    unsigned char d[RTM_SHA256_LEN];
    hex[0] = '\0';
    if (rtm_sha256_init(&c))
        return RTM_ERR_NOMEM;
    rtm_sha256_update(&c, &g->x0, sizeof g->x0);
    rtm_sha256_update(&c, &g->y0, sizeof g->y0);
    rtm_sha256_update(&c, &g->res, sizeof g->res);
    rtm_sha256_update(&c, &g->ncols, sizeof g->ncols);
    rtm_sha256_update(&c, &g->nrows, sizeof g->nrows);
    rtm_sha256_update(&c, g->crs, strlen(g->crs) + 1);
    opt_array(&c, mask, rtm_grid_ncells(g));
    for (int i = 0; i < nev; i++) {
        unsigned char has = evs[i] != NULL;
        rtm_sha256_update(&c, &has, 1);
        if (evs[i])
            hash_events(&c, evs[i]);
    }
    for (int i = 0; i < nf; i++)
        rtm_features_hash(f[i], &c);
    if (rtm_sha256_final(&c, d))
        return RTM_ERR_NOMEM;
    rtm_sha256_to_hex(d, hex);
    return 0;
}

int rtm_prod_tiled_from(rtm_tiled *t, const rtm_tiling *h, const rtm_events *const *evs, int nev,
                        const rtm_features *f, rtm_outset *out, rtm_error *err)
{
    /* only tiles and merges use it: a whole run (or MPI) does not hash */
    if (h && (h->count > 0 || h->nmerge > 0) &&
        rtm_prod_inputs_digest(&evs[0]->grid, evs[0]->mask, evs, nev, f, t->inputs))
        return rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory (inputs digest)",
                             t->product);
    return rtm_prod_tiled(t, h, out, err);
}
