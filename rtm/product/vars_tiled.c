/* vars_tiled.c: products whose risk-factor variables are built by tiles
 * (`rtm model|forecast --tile I/N`, then `rtm merge`; rtm/tile.h). A tile
 * builds the candidate variables of its strip of rows
 * (rtm_variables_build_strip) and writes each study cell's pattern number
 * as its tile file and the strip's pattern table as its partials. The
 * merge assembles the numbers through the VRT, merges the tables in strip
 * order into the whole grid's candidate set (rtm_varset_from_strips: the
 * set rtm_variables_build makes, byte for byte) and hands it to the
 * product, which finishes as its whole run does from there (the model's
 * fit, back-test and files; the forecast's). */
#include "product/product_priv.h"
#include "rtm/model_tiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct vars_tiled {
    const rtm_events *ev;
    const rtm_factor_spec *f;
    int nf;
    const rtm_var_opts *vo;  /* the options as the whole run uses them */
    rtm_prod_vars_fn fin;
    void *fin_ctx;
    rtm_varstrip *strip;     /* the strip computed last */
    rtm_varstrip **parts;    /* a merge: every strip's table, nparts */
    int nparts;
} vars_tiled;

/* Strip t: its candidate variables, and each study cell's pattern number
 * (NaN outside the study area). */
static int vars_strip(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    vars_tiled *m = ctx;
    const rtm_grid *g = &m->ev->grid;
    const unsigned char *mask = m->ev->mask;
    size_t k0 = (size_t)t->r0 * (size_t)g->ncols, cells = (size_t)(t->r1 - t->r0) * g->ncols;
    size_t q = 0;
    const uint32_t *id;
    int rc;
    rtm_varstrip_free(m->strip);
    m->strip = NULL;
    if ((rc = rtm_variables_build_strip(g, mask, m->f, m->nf, m->vo, t->r0, t->r1, &m->strip,
                                        err)))
        return rc;
    id = rtm_varstrip_row_pat(m->strip);
    for (size_t k = 0; k < cells; k++)
        v[k] = mask && !mask[k0 + k] ? NAN : (double)id[q++];
    return 0;
}

static int vars_partials(void *ctx, const rtm_tile *t, unsigned char **buf, size_t *len,
                         rtm_error *err)
{
    vars_tiled *m = ctx;
    (void)t;
    return rtm_varstrip_serialise(m->strip, buf, len, err);
}

static int vars_take(void *ctx, int index, int n, const unsigned char *buf, size_t len,
                     rtm_error *err)
{
    vars_tiled *m = ctx;
    if (!m->parts) {
        if (!(m->parts = calloc((size_t)n, sizeof *m->parts)))
            return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        m->nparts = n;
    }
    if (n != m->nparts || index < 0 || index >= n || m->parts[index])
        return rtm_error_set(err, RTM_ERR_ARG, "variables: strip %d of %d given twice", index,
                             n);
    if (!(m->parts[index] = rtm_varstrip_deserialise(buf, len, err)))
        return err->code;
    return 0;
}

/* The strips' tables merged into the candidate set, handed to the product. */
static int vars_finish(void *ctx, double *v, rtm_error *err)
{
    vars_tiled *m = ctx;
    rtm_varset *vars = NULL;
    int *rows = malloc(((size_t)m->nparts + 1) * sizeof *rows), rc = 0;
    rtm_tile t;
    if (!rows || !m->parts)
        rc = rtm_error_set(err, !rows ? RTM_ERR_NOMEM : RTM_ERR_ARG,
                           !rows ? "variables: out of memory" : "variables: no strips to merge");
    for (int i = 0; !rc && i < m->nparts; i++)
        if (!(rc = rtm_tile_plan(&m->ev->grid, i, m->nparts, &t, err))) {
            rows[i] = t.r0;
            rows[i + 1] = t.r1;
        }
    if (!rc)
        rc = rtm_varset_from_strips(&m->ev->grid, m->ev->mask, m->parts, rows, m->nparts, v,
                                    &vars, err);
    free(rows);
    free(v);
    return rc ? rc : m->fin(m->fin_ctx, vars, err);
}

int rtm_prod_vars_tiled(const char *product, const rtm_events *ev, const rtm_factor_spec *f,
                        int nf, const rtm_var_opts *vo, const rtm_tiling *h, rtm_outset *out,
                        rtm_prod_vars_fn fin, void *fin_ctx, rtm_error *err)
{
    vars_tiled m = {ev, f, nf, vo, fin, fin_ctx, NULL, NULL, 0};
    rtm_tiled t = {product, 1, ev->grid, vars_strip, vars_finish, &m, 0, "", vars_partials,
                   vars_take};
    const rtm_features **fs;
    int rc;
    if (nf < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: --tile builds the risk factors' variables "
                             "by strips: no risk factors (--factor) to build", product);
    if (!(fs = malloc((size_t)nf * sizeof *fs)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory", product);
    for (int i = 0; i < nf; i++)
        fs[i] = f[i].features;
    /* the grid, its mask and the factors: a strip's variables do not depend on
     * the events (a tile need not read them; the merge reads them itself) */
    rc = rtm_prod_inputs_digest_n(&ev->grid, ev->mask, NULL, 0, fs, nf, t.inputs);
    free(fs);
    if (rc)
        return rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory (inputs digest)", product);
    rc = rtm_prod_tiled(&t, h, out, err);
    rtm_varstrip_free(m.strip);
    for (int i = 0; m.parts && i < m.nparts; i++)
        rtm_varstrip_free(m.parts[i]);
    free(m.parts);
    return rc;
}
