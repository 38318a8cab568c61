/* model_tiled.c: the Risk Terrain Model by tiles (`rtm model --tile I/N`,
 * then `rtm merge`; rtm/tile.h). A tile builds the candidate variables of
 * its strip of rows (rtm_variables_build_strip) and writes each study
 * cell's pattern number as its tile file and the strip's pattern table as
 * its partials. The merge assembles the numbers through the VRT, merges the
 * tables in strip order into the whole grid's candidate set
 * (rtm_varset_from_strips: the set rtm_variables_build makes, byte for
 * byte) and finishes as the whole run does from there: the fit (culling,
 * stepwise), back-test and every file, by rtm_model_product_run. */
#include "product/product_priv.h"
#include "rtm/model_tiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct model_tiled {
    const rtm_model_product *p;
    const rtm_events *ev;
    const rtm_product_env *env;
    rtm_outset *out;
    rtm_model_result *res;
    rtm_model_product q;     /* the options as used */
    rtm_varstrip *strip;     /* the strip computed last */
    rtm_varstrip **parts;    /* a merge: every strip's table, nparts */
    int nparts;
} model_tiled;

/* Strip t: its candidate variables, and each study cell's pattern number
 * (NaN outside the study area). */
static int model_strip(void *ctx, const rtm_tile *t, double *v, rtm_error *err)
{
    model_tiled *m = ctx;
    const rtm_grid *g = &m->ev->grid;
    const unsigned char *mask = m->ev->mask;
    size_t k0 = (size_t)t->r0 * (size_t)g->ncols, cells = (size_t)(t->r1 - t->r0) * g->ncols;
    size_t q = 0;
    const uint32_t *id;
    int rc;
    rtm_varstrip_free(m->strip);
    m->strip = NULL;
    if ((rc = rtm_variables_build_strip(g, mask, m->p->factors, m->p->nfactors, &m->q.model.var,
                                        t->r0, t->r1, &m->strip, err)))
        return rc;
    id = rtm_varstrip_row_pat(m->strip);
    for (size_t k = 0; k < cells; k++)
        v[k] = mask && !mask[k0 + k] ? NAN : (double)id[q++];
    return 0;
}

static int model_partials(void *ctx, const rtm_tile *t, unsigned char **buf, size_t *len,
                          rtm_error *err)
{
    model_tiled *m = ctx;
    (void)t;
    return rtm_varstrip_serialise(m->strip, buf, len, err);
}

static int model_take(void *ctx, int index, int n, const unsigned char *buf, size_t len,
                      rtm_error *err)
{
    model_tiled *m = ctx;
    if (!m->parts) {
        if (!(m->parts = calloc((size_t)n, sizeof *m->parts)))
            return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
        m->nparts = n;
    }
    if (n != m->nparts || index < 0 || index >= n || m->parts[index])
        return rtm_error_set(err, RTM_ERR_ARG, "model: strip %d of %d given twice", index, n);
    if (!(m->parts[index] = rtm_varstrip_deserialise(buf, len, err)))
        return err->code;
    return 0;
}

/* The strips' tables merged into the candidate set, then the whole run's
 * fit and files. */
static int model_finish(void *ctx, double *v, rtm_error *err)
{
    model_tiled *m = ctx;
    rtm_varset *vars = NULL;
    int *rows = malloc(((size_t)m->nparts + 1) * sizeof *rows), rc = 0;
    rtm_tile t;
    if (!rows || !m->parts)
        rc = rtm_error_set(err, !rows ? RTM_ERR_NOMEM : RTM_ERR_ARG,
                           !rows ? "model: out of memory" : "model: no strips to merge");
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
    if (!rc)
        rc = rtm_model_product_run(m->p, m->ev, vars, m->env, m->out, m->res, err);
    return rc;
}

int rtm_model_product_tiled(const rtm_model_product *p, const rtm_events *ev,
                            const rtm_product_env *env, const rtm_tiling *h, rtm_outset *out,
                            rtm_model_result *res, rtm_error *err)
{
    model_tiled m;
    rtm_tiled t = {"model", 1, ev->grid, model_strip, model_finish, &m, 0, "",
                   model_partials, model_take};
    const rtm_features **f;
    int rc;
    if (!h || (h->count == 0 && h->nmerge == 0))
        return rtm_model_product_run(p, ev, NULL, env, out, res, err);
    memset(&m, 0, sizeof m);
    m.p = p;
    m.ev = ev;
    m.env = env;
    m.out = out;
    m.res = res;
    if (p->nfactors < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "model: no risk factors");
    rtm_prod_model_used(p, ev, env, &m.q);
    if (!(f = malloc((size_t)p->nfactors * sizeof *f)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (int i = 0; i < p->nfactors; i++)
        f[i] = p->factors[i].features;
    rc = rtm_prod_inputs_digest_n(&ev->grid, ev->mask, &ev, 1, f, p->nfactors, t.inputs);
    free(f);
    if (rc)
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory (inputs digest)");
    rc = rtm_prod_tiled(&t, h, out, err);
    rtm_varstrip_free(m.strip);
    for (int i = 0; m.parts && i < m.nparts; i++)
        rtm_varstrip_free(m.parts[i]);
    free(m.parts);
    return rc;
}
