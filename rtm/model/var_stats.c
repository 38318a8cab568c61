/* var_stats.c: the per-row statistics of the RTM's density variables, so
 * that strips of a tiled model take their density thresholds from each
 * other's rows instead of each computing every density over the whole grid
 * (see rtm/model_tiles.h; the statistics themselves are var_build.c's).
 *
 * A set holds, for rows [r0, r1) of a grid of nrows, each density
 * variable's per-row mean and sum of squared deviations. Sets of
 * consecutive rows join, in row order, into the set of every row: values
 * copied, never summed, so the joined set is the one a single process
 * computes, whatever the split. */
#include "rtm/model_tiles.h"
#include "model/var_build.h"

#include <stdlib.h>
#include <string.h>

#define MAGIC "RTMDSTA1"
#define MAX_VARS (1 << 20)

void rtm_varstats_free(rtm_varstats *s)
{
    if (!s)
        return;
    free(s->factor);
    free(s->k);
    free(s->radius);
    free(s->mean);
    free(s->m2);
    free(s);
}

rtm_varstats *rtm_i_varstats_new(int nrows, int r0, int r1, int nvar)
{
    rtm_varstats *s = calloc(1, sizeof *s);
    size_t nv = (size_t)(nvar > 0 ? nvar : 1), cells = nv * (size_t)(r1 - r0);
    if (!s)
        return NULL;
    s->nrows = nrows;
    s->r0 = r0;
    s->r1 = r1;
    s->nvar = nvar;
    s->factor = calloc(nv, sizeof *s->factor);
    s->k = calloc(nv, sizeof *s->k);
    s->radius = calloc(nv, sizeof *s->radius);
    s->mean = calloc(cells ? cells : 1, sizeof *s->mean);
    s->m2 = calloc(cells ? cells : 1, sizeof *s->m2);
    if (!s->factor || !s->k || !s->radius || !s->mean || !s->m2) {
        rtm_varstats_free(s);
        return NULL;
    }
    return s;
}

void rtm_varstats_rows(const rtm_varstats *s, int *r0, int *r1, int *nrows)
{
    *r0 = s->r0;
    *r1 = s->r1;
    *nrows = s->nrows;
}

int rtm_varstats_nvar(const rtm_varstats *s) { return s->nvar; }

typedef struct stats_job {
    const rtm_factor_spec *f;
    const int *first; /* factor i's variables: first[i] .. first[i + 1] - 1 */
    rtm_varstats *s;
} stats_job;

/* Factor i's density variables: their radii and rows' statistics. */
static int factor_stats(const rtm_i_vctx *c, int i, double *scratch, void *arg, rtm_error *err)
{
    const stats_job *j = arg;
    rtm_varstats *s = j->s;
    size_t rows = (size_t)(s->r1 - s->r0);
    double lad[RTM_I_MAX_LADDER];
    int nl = rtm_i_factor_ladder(c->o, &j->f[i], lad), v0 = j->first[i];
    (void)scratch;
    if (j->first[i + 1] == v0)
        return 0;
    for (int k = 0; k < nl; k++) {
        s->factor[v0 + k] = i;
        s->k[v0 + k] = k;
        s->radius[v0 + k] = lad[k];
    }
    return rtm_i_factor_dens_stats(c, &j->f[i], lad, nl, s->mean + (size_t)v0 * rows,
                                   s->m2 + (size_t)v0 * rows, err);
}

int rtm_variables_density_stats(const rtm_grid *g, const unsigned char *mask,
                                const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                                int r0, int r1, rtm_varstats **out, rtm_error *err)
{
    rtm_varset vs = {0};
    rtm_varstats *s = NULL;
    size_t *rowstart = NULL;
    int *first = NULL, nvar = 0, rc;
    *out = NULL;
    if (nf < 1 || r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "variables: rows %d..%d of %d, %d factors: not a "
                             "strip", r0, r1 - 1, g->nrows, nf);
    if ((rc = rtm_i_vars_setup(g, mask, f, nf, o, r0, r1, &vs, &rowstart, err)))
        goto done;
    if (!(first = malloc(((size_t)nf + 1) * sizeof *first))) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        goto done;
    }
    for (int i = 0; i < nf; i++) { /* factor i's variables: first[i] .. first[i + 1] - 1 */
        double lad[RTM_I_MAX_LADDER];
        first[i] = nvar;
        if (vs.info[i].op & RTM_OP_DENSITY)
            nvar += rtm_i_factor_ladder(o, &f[i], lad);
    }
    first[nf] = nvar;
    if (!(s = rtm_i_varstats_new(g->nrows, r0, r1, nvar))) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        goto done;
    }
    {
        rtm_i_vctx c = {g, o, mask, vs.cell, vs.n, rowstart, NULL, r0, r1, rowstart[r0],
                        rowstart[r1]};
        stats_job j = {f, first, s};
        rc = rtm_i_each_factor(&c, nf, 0, factor_stats, &j, err);
    }
done:
    free(first);
    free(rowstart);
    free(vs.cell);
    free(vs.info);
    if (rc)
        rtm_varstats_free(s);
    else
        *out = s;
    return rc;
}

int rtm_varstats_join(rtm_varstats *const *parts, int n, rtm_varstats **out, rtm_error *err)
{
    const rtm_varstats *a = n > 0 ? parts[0] : NULL;
    rtm_varstats *s;
    size_t nr;
    *out = NULL;
    if (!a)
        return rtm_error_set(err, RTM_ERR_INPUT, "density statistics: nothing to join");
    for (int t = 0; t < n; t++) {
        const rtm_varstats *p = parts[t];
        int want0 = t ? parts[t - 1]->r1 : 0;
        if (p->nrows != a->nrows || p->nvar != a->nvar ||
            memcmp(p->factor, a->factor, (size_t)a->nvar * sizeof *a->factor) ||
            memcmp(p->k, a->k, (size_t)a->nvar * sizeof *a->k) ||
            memcmp(p->radius, a->radius, (size_t)a->nvar * sizeof *a->radius))
            return rtm_error_set(err, RTM_ERR_INPUT, "density statistics: part %d of %d holds "
                                 "other densities or another grid than part 1", t + 1, n);
        if (p->r0 != want0)
            return rtm_error_set(err, RTM_ERR_INPUT, "density statistics: part %d of %d starts "
                                 "at row %d, not %d (%s)", t + 1, n, p->r0, want0,
                                 p->r0 > want0 ? "rows missing" : "rows given twice");
    }
    if (parts[n - 1]->r1 != a->nrows)
        return rtm_error_set(err, RTM_ERR_INPUT, "density statistics: the parts end at row %d "
                             "of %d (rows missing)", parts[n - 1]->r1, a->nrows);
    if (!(s = rtm_i_varstats_new(a->nrows, 0, a->nrows, a->nvar)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "density statistics: out of memory");
    memcpy(s->factor, a->factor, (size_t)a->nvar * sizeof *s->factor);
    memcpy(s->k, a->k, (size_t)a->nvar * sizeof *s->k);
    memcpy(s->radius, a->radius, (size_t)a->nvar * sizeof *s->radius);
    nr = (size_t)a->nrows;
    for (int t = 0; t < n; t++) {
        const rtm_varstats *p = parts[t];
        size_t rows = (size_t)(p->r1 - p->r0);
        for (int v = 0; v < a->nvar; v++) {
            memcpy(s->mean + (size_t)v * nr + (size_t)p->r0, p->mean + (size_t)v * rows,
                   rows * sizeof *s->mean);
            memcpy(s->m2 + (size_t)v * nr + (size_t)p->r0, p->m2 + (size_t)v * rows,
                   rows * sizeof *s->m2);
        }
    }
    *out = s;
    return 0;
}

/* ---- bytes: MAGIC, then little-endian u32 nrows r0 r1 nvar, per variable
 * u32 factor, u32 k, f64 radius, then per variable its rows' means and
 * sums of squared deviations (f64). ---------------------------------------- */

static void put_u32(unsigned char **p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *(*p)++ = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char **p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        *(*p)++ = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char **p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)*(*p)++ << (8 * i);
    return v;
}

static double get_f64(const unsigned char **p)
{
    uint64_t v = 0;
    double d;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)*(*p)++ << (8 * i);
    memcpy(&d, &v, sizeof d);
    return d;
}

static size_t bytes_of(size_t nvar, size_t rows)
{
    return 8 + 16 + nvar * 16 + 2 * nvar * rows * 8;
}

int rtm_varstats_serialise(const rtm_varstats *s, unsigned char **buf, size_t *len,
                           rtm_error *err)
{
    size_t rows = (size_t)(s->r1 - s->r0), n = bytes_of((size_t)s->nvar, rows);
    unsigned char *p;
    if (!(*buf = p = malloc(n)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "density statistics: out of memory");
    memcpy(p, MAGIC, 8);
    p += 8;
    put_u32(&p, (uint32_t)s->nrows);
    put_u32(&p, (uint32_t)s->r0);
    put_u32(&p, (uint32_t)s->r1);
    put_u32(&p, (uint32_t)s->nvar);
    for (int v = 0; v < s->nvar; v++) {
        put_u32(&p, (uint32_t)s->factor[v]);
        put_u32(&p, (uint32_t)s->k[v]);
        put_f64(&p, s->radius[v]);
    }
    for (size_t i = 0; i < (size_t)s->nvar * rows; i++)
        put_f64(&p, s->mean[i]);
    for (size_t i = 0; i < (size_t)s->nvar * rows; i++)
        put_f64(&p, s->m2[i]);
    *len = n;
    return 0;
}

rtm_varstats *rtm_varstats_deserialise(const unsigned char *buf, size_t len, rtm_error *err)
{
    const unsigned char *p = buf;
    uint32_t nrows, r0, r1, nvar;
    rtm_varstats *s;
    size_t rows;
    if (len < 24 || memcmp(p, MAGIC, 8)) {
        rtm_error_set(err, RTM_ERR_INPUT, "density statistics: not a statistics file of this "
                      "version");
        return NULL;
    }
    p += 8;
    nrows = get_u32(&p);
    r0 = get_u32(&p);
    r1 = get_u32(&p);
    nvar = get_u32(&p);
    if (nrows < 1 || nrows > INT32_MAX || r0 >= r1 || r1 > nrows || nvar > MAX_VARS ||
        len != bytes_of(nvar, (size_t)(r1 - r0))) {
        rtm_error_set(err, RTM_ERR_INPUT, "density statistics: inconsistent or truncated "
                      "(%zu bytes)", len);
        return NULL;
    }
    if (!(s = rtm_i_varstats_new((int)nrows, (int)r0, (int)r1, (int)nvar))) {
        rtm_error_set(err, RTM_ERR_NOMEM, "density statistics: out of memory");
        return NULL;
    }
    rows = (size_t)(r1 - r0);
    for (uint32_t v = 0; v < nvar; v++) {
        s->factor[v] = (int)get_u32(&p);
        s->k[v] = (int)get_u32(&p);
        s->radius[v] = get_f64(&p);
        if (s->factor[v] < 0 || s->k[v] < 0 || s->k[v] >= RTM_I_MAX_LADDER) {
            rtm_varstats_free(s);
            rtm_error_set(err, RTM_ERR_INPUT, "density statistics: variable %u is not one",
                          (unsigned)v);
            return NULL;
        }
    }
    for (size_t i = 0; i < (size_t)nvar * rows; i++)
        s->mean[i] = get_f64(&p);
    for (size_t i = 0; i < (size_t)nvar * rows; i++)
        s->m2[i] = get_f64(&p);
    return s;
}
