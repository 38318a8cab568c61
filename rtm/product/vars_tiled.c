/* vars_tiled.c: products whose risk-factor variables are built by tiles
 * (`rtm model|forecast --tile I/N`, then `rtm merge`; rtm/tile.h). A tile
 * builds the candidate variables of its strip of rows
 * (rtm_variables_build_strip) and writes each study cell's pattern number
 * as its tile file and the strip's pattern table as its partials. The
 * merge assembles the numbers through the VRT, merges the tables in strip
 * order into the whole grid's candidate set (rtm_varset_from_strips: the
 * set rtm_variables_build makes, byte for byte) and hands it to the
 * product, which finishes as its whole run does from there (the model's
 * fit, back-test and files; the forecast's).
 *
 * Density thresholds. A strip's density variables need each density's
 * mean + k SD over the whole study area. By default a tile takes it from
 * every row the kernels reach (one streaming pass over the grid per
 * density). A batch array may first run `--tile I/N --tile-stats` for every
 * I: each writes its own rows' statistics (OUT.tile-I-of-N.stats, small);
 * a later `--tile I/N` that finds all N of them (made by the same command
 * line from the same inputs, checksummed) joins them in row order and
 * computes only its own rows' densities. The thresholds are the same
 * either way (rtm/model_tiles.h), so the tiles are too. */
#include "product/product_priv.h"
#include "rtm/model_tiles.h"

#include "core/mpi.h"
#include "core/sha256.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>
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
    rtm_varstats *stats;     /* every row's density statistics, from the .stats files */
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
    if ((rc = rtm_variables_build_strip(g, mask, m->f, m->nf, m->vo, t->r0, t->r1, m->stats,
                                        &m->strip, err)))
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

/* ---- density statistics files ------------------------------------------ */

#define STATS_HEAD "rtm-density-stats 1"

/* The statistics file of tile index of count: its tile file's name with
 * ".stats" for ".tif". */
static int stats_path(const rtm_tiling *h, int index, char *buf, size_t n, rtm_error *err)
{
    char tile[4096];
    int rc = rtm_tile_path(h->tile_base, index, h->count, tile, sizeof tile, err);
    return rc ? rc : rtm_tile_sibling_path(tile, ".stats", buf, n, err);
}

/* SHA-256 of the recorded command line (its words, each ended by a 0). */
static int args_digest(const rtm_tiling *h, char hex[65])
{
    size_t len = 0, k = 0;
    char *b;
    int rc;
    for (int i = 0; i < h->nargs; i++)
        len += strlen(h->args[i]) + 1;
    if (!(b = malloc(len ? len : 1)))
        return -1;
    for (int i = 0; i < h->nargs; i++) {
        size_t l = strlen(h->args[i]) + 1;
        memcpy(b + k, h->args[i], l);
        k += l;
    }
    rc = rtm_sha256_hex(b, len, hex);
    free(b);
    return rc;
}

/* The header line of strip index's statistics file whose body is body
 * (blen bytes): the product, the strip, the inputs, the command line's and
 * the body's SHA-256. Its length, or -1 (no memory). */
static int stats_head(const char *product, const rtm_tiling *h, int index, const char *inputs,
                      const unsigned char *body, size_t blen, char head[512])
{
    char ahex[65], bhex[65];
    if (args_digest(h, ahex) || rtm_sha256_hex(body, blen, bhex))
        return -1;
    return snprintf(head, 512, STATS_HEAD " %s %d %d %s %s %s\n", product, index, h->count,
                    inputs, ahex, bhex);
}

/* `--tile I/N --tile-stats`: strip I's rows' statistics, written to its
 * .stats file (a header line naming the product, the strip, the inputs,
 * the command line and the checksum of the bytes that follow). */
static int stats_write(const char *product, const vars_tiled *m, const rtm_tiling *h,
                       const char *inputs, rtm_outset *out, rtm_error *err)
{
    rtm_tile t;
    rtm_varstats *st = NULL;
    unsigned char *body = NULL, *all = NULL;
    size_t blen = 0;
    char path[4096], head[512], sha[65];
    const char *dst;
    int rc, hl;
    if (h->cols > 1)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: its tiles are strips of whole rows (--tile "
                             "I/N), not rectangles (I/RxC)", product);
    if (!h->tile_base)
        return rtm_error_set(err, RTM_ERR_ARG, "%s: no output to name the statistics file "
                             "from", product);
    if ((rc = rtm_tile_plan(&m->ev->grid, h->index, h->count, &t, err)) ||
        (rc = stats_path(h, h->index, path, sizeof path, err)))
        return rc;
    if (!(dst = rtm_outset_file(out, path, err)))
        return err->code;
    if ((rc = rtm_variables_density_stats(&m->ev->grid, m->ev->mask, m->f, m->nf, m->vo, t.r0,
                                          t.r1, &st, err)) ||
        (rc = rtm_varstats_serialise(st, &body, &blen, err)))
        goto done;
    if ((hl = stats_head(product, h, h->index, inputs, body, blen, head)) < 0 ||
        !(all = malloc((size_t)hl + blen))) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory", product);
        goto done;
    }
    memcpy(all, head, (size_t)hl);
    memcpy(all + hl, body, blen);
    rc = rtm_tile_parts_write(dst, all, (size_t)hl + blen, sha, err);
done:
    free(all);
    free(body);
    rtm_varstats_free(st);
    return rc;
}

/* Statistics file i of n, checked against this tile's product, command line
 * and inputs, into *out. */
static int stats_read_one(const char *product, const rtm_tiling *h, const char *inputs,
                          const char *path, int i, rtm_varstats **out, rtm_error *err)
{
    unsigned char *buf = NULL;
    size_t len = 0, hl;
    char want[512], *nl;
    int rc, wl;
    *out = NULL;
    if ((rc = rtm_tile_parts_read(path, &buf, &len, err)))
        return rc;
    nl = memchr(buf, '\n', len < 512 ? len : 512);
    hl = nl ? (size_t)((unsigned char *)nl - buf) + 1 : 0;
    wl = nl ? stats_head(product, h, i, inputs, buf + hl, len - hl, want) : 0;
    if (wl < 0)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory", product);
    else if (!nl || (size_t)wl != hl || memcmp(want, buf, hl))
        rc = rtm_error_set(err, RTM_ERR_INPUT, "%s: '%s' is not strip %d of %d's density "
                           "statistics for this command on these inputs (made by another "
                           "command line, from other factors, grid or study area, or "
                           "damaged): run `--tile-stats` again for every strip, or remove the "
                           ".stats files", product, path, i, h->count);
    else if (!(*out = rtm_varstats_deserialise(buf + hl, len - hl, err)))
        rc = err->code;
    free(buf);
    return rc;
}

/* A tile run: every strip's statistics when all N files are there (joined
 * into m->stats), none when none is; some but not all is an error. */
static int stats_find(const char *product, vars_tiled *m, const rtm_tiling *h,
                      const char *inputs, rtm_error *err)
{
    rtm_varstats **part;
    char path[4096];
    int have = 0, rc = 0, missing = -1;
    if (!h->tile_base)
        return 0;
    for (int i = 0; i < h->count; i++) {
        if ((rc = stats_path(h, i, path, sizeof path, err)))
            return rc;
        if (access(path, F_OK) == 0)
            have++;
        else if (missing < 0)
            missing = i;
    }
    if (have == 0)
        return 0;
    if (have < h->count) {
        stats_path(h, missing, path, sizeof path, err);
        return rtm_error_set(err, RTM_ERR_INPUT, "%s: %d of the %d strips' density statistics "
                             "are there, not '%s': run `--tile %d/%d --tile-stats` (and any "
                             "other missing), or remove the .stats files", product, have,
                             h->count, path, missing, h->count);
    }
    if (!(part = calloc((size_t)h->count, sizeof *part)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory", product);
    for (int i = 0; !rc && i < h->count; i++)
        if (!(rc = stats_path(h, i, path, sizeof path, err)))
            rc = stats_read_one(product, h, inputs, path, i, &part[i], err);
    if (!rc)
        rc = rtm_varstats_join(part, h->count, &m->stats, err);
    for (int i = 0; i < h->count; i++)
        rtm_varstats_free(part[i]);
    free(part);
    return rc;
}

int rtm_prod_vars_tiled(const char *product, const rtm_events *ev, const rtm_factor_spec *f,
                        int nf, const rtm_var_opts *vo, const rtm_tiling *h, rtm_outset *out,
                        rtm_prod_vars_fn fin, void *fin_ctx, rtm_error *err)
{
    vars_tiled m = {ev, f, nf, vo, fin, fin_ctx, NULL, NULL, 0, NULL};
    rtm_tiled t = {product, 1, ev->grid, vars_strip, vars_finish, &m, 0, "", vars_partials,
                   vars_take, 0};
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
    if (h->count > 0 && rtm_mpi_rank() > 0)
        rc = 0; /* under MPI a tile and its statistics are rank 0's (rtm_tiled_run) */
    else if (h->count > 0 && h->stats_only)
        rc = stats_write(product, &m, h, t.inputs, out, err);
    else if (!(rc = h->count > 0 ? stats_find(product, &m, h, t.inputs, err) : 0))
        rc = rtm_prod_tiled(&t, h, out, err);
    rtm_varstats_free(m.stats);
    rtm_varstrip_free(m.strip);
    for (int i = 0; m.parts && i < m.nparts; i++)
        rtm_varstrip_free(m.parts[i]);
    free(m.parts);
    return rc;
}
