/* model_spread.c: the Risk Terrain Model's candidate variables built by the
 * ranks of an MPI job (README "MPI"). Each risk factor's variables depend on
 * that factor alone (rtm_variables_build: its distance or density surfaces,
 * thresholds and constant-column dropping), so rank r builds the factors i
 * with i % size == r as a set of their own; rank 0 receives the sets in
 * rank order and interleaves them back into factor order. The merged set is
 * the one-process set byte for byte: same columns, same order, same rows. */
#include "product/product_priv.h"
#include "core/mpi.h"
#include "model/glm_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A rank's part: its factors' set (NULL when it has none). */
typedef struct part {
    rtm_varset *vs;
    int nf;
} part;

/* This rank's factors, built as one set. */
static int build_mine(const rtm_grid *g, const unsigned char *mask, double area,
                      const rtm_factor_spec *f, int nf, const rtm_var_opts *o, int rank,
                      int size, part *me, rtm_error *err)
{
    rtm_factor_spec *sub;
    int rc;
    me->vs = NULL;
    me->nf = 0;
    if (rank >= nf)
        return 0;
    if (!(sub = malloc((size_t)nf * sizeof *sub)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (int i = rank; i < nf; i += size)
        sub[me->nf++] = f[i];
    rc = rtm_variables_build(g, mask, area, sub, me->nf, o, &me->vs, err);
    free(sub);
    return rc;
}

/* Rank > 0: its set to rank 0 (what recv_part reads, in that order). */
static int send_part(const part *me, rtm_error *err)
{
    const rtm_varset *v = me->vs;
    int head[2] = {v ? v->p : 0, v ? me->nf : 0}, rc;
    uint64_t npat = v ? v->npat : 0;
    if ((rc = rtm_mpi_send_bytes(0, head, sizeof head, err)) || !v)
        return rc;
    if ((rc = rtm_mpi_send_bytes(0, v->var, (size_t)v->p * sizeof *v->var, err)) ||
        (rc = rtm_mpi_send_bytes(0, v->info, (size_t)me->nf * sizeof *v->info, err)) ||
        (rc = rtm_mpi_send_bytes(0, &npat, sizeof npat, err)))
        return rc;
    if (!(rc = rtm_mpi_send_bytes(0, v->row_pat, v->n * sizeof *v->row_pat, err)))
        rc = rtm_mpi_send_bytes(0, v->pat, v->npat * (size_t)v->p, err);
    return rc;
}

/* Rank 0: rank `from`'s set (its rows are rank 0's: the same mask). */
static int recv_part(int from, size_t n, part *pt, rtm_error *err)
{
    int head[2], rc;
    rtm_varset *v;
    if ((rc = rtm_mpi_recv_bytes(from, head, sizeof head, err)) || head[1] == 0)
        return rc;
    if (!(v = pt->vs = calloc(1, sizeof *v)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    v->n = n;
    v->p = head[0];
    v->nfactors = pt->nf = head[1];
    uint64_t npat;
    if (!(v->var = malloc((size_t)(v->p ? v->p : 1) * sizeof *v->var)) ||
        !(v->info = malloc((size_t)v->nfactors * sizeof *v->info)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    if ((rc = rtm_mpi_recv_bytes(from, v->var, (size_t)v->p * sizeof *v->var, err)) ||
        (rc = rtm_mpi_recv_bytes(from, v->info, (size_t)v->nfactors * sizeof *v->info, err)) ||
        (rc = rtm_mpi_recv_bytes(from, &npat, sizeof npat, err)))
        return rc;
    v->npat = npat;
    if (!(v->row_pat = malloc(n * sizeof *v->row_pat)) ||
        !(v->pat = malloc(npat * (size_t)(v->p ? v->p : 1))))
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    if (!(rc = rtm_mpi_recv_bytes(from, v->row_pat, n * sizeof *v->row_pat, err)))
        rc = rtm_mpi_recv_bytes(from, v->pat, npat * (size_t)v->p, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (v->row_pat[i] >= npat)
            rc = rtm_error_set(err, RTM_ERR_INPUT, "model: rank %d sent a bad row", from);
    return rc;
}

/* The merged set in the compact form, as every part is (rtm_variables_build
 * makes only that form). A row's merged columns are its parts' columns, so two rows have
 * the same merged pattern exactly when they have the same pattern in every
 * part: the tuples of the parts' pattern numbers, numbered in order of first
 * appearance over the rows as pack_rows numbers the one-process set's
 * patterns, are that set's patterns with its numbers; each one's columns are
 * read from its parts' patterns. Memory follows the rows' 32-bit numbers and
 * the distinct patterns, never rows x columns (written out, the 25 m
 * national model's 559.7 M rows x 360 columns asked for 201 GB). */
static int merge_compact(part *pt, int size, const int *from, const int *col, rtm_varset *m,
                         rtm_error *err)
{
    int np = 0, *slot = malloc((size_t)size * sizeof *slot), rc = 0;
    uint64_t *w = malloc((size_t)size * sizeof *w), *prev = malloc((size_t)size * sizeof *prev);
    rtm_i_pattab *t = NULL;
    size_t n = m->n, id = 0, total = (size_t)m->p;
    for (int r = 0; slot && r < size; r++)
        slot[r] = pt[r].vs ? np++ : -1;
    if (!slot || !w || !prev || !(t = rtm_i_pattab_new(np)) ||
        !(m->row_pat = malloc((n ? n : 1) * sizeof *m->row_pat)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    for (size_t q = 0; !rc && q < n; q++) {
        for (int r = 0; r < size; r++)
            if (slot[r] >= 0)
                w[slot[r]] = pt[r].vs->row_pat[q];
        if (q == 0 || memcmp(w, prev, (size_t)np * sizeof *w)) { /* runs of one tuple: one lookup */
            if ((id = rtm_i_pattab_add(t, w)) == SIZE_MAX || id > UINT32_MAX)
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
            memcpy(prev, w, (size_t)np * sizeof *w);
        }
        m->row_pat[q] = (uint32_t)id;
    }
    if (!rc) {
        m->npat = rtm_i_pattab_count(t);
        if (!(m->pat = malloc((m->npat ? m->npat : 1) * (total ? total : 1))))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    }
    const uint64_t *tw = rc ? NULL : rtm_i_pattab_words(t);
    for (size_t k = 0; !rc && k < m->npat; k++)
        for (size_t c = 0; c < total; c++) {
            const rtm_varset *src = pt[from[c]].vs;
            size_t sp = tw[k * (size_t)np + (size_t)slot[from[c]]];
            m->pat[k * total + c] = src->pat[sp * (size_t)src->p + (size_t)col[c]];
        }
    rtm_i_pattab_free(t);
    free(slot);
    free(w);
    free(prev);
    return rc;
}

/* Interleave the parts (part r holds factors r, r + size, ...) into factor
 * order: variables, factor facts and design columns. */
static int merge(part *pt, int size, int nf, rtm_varset **out, rtm_error *err)
{
    rtm_varset *m = calloc(1, sizeof *m), *src;
    int total = 0, c = 0, *from = NULL, *col = NULL, rc;
    size_t n = pt[0].vs->n;
    for (int r = 0; r < size; r++)
        total += pt[r].vs ? pt[r].vs->p : 0;
    if (!m || (pt[0].vs->cell && !(m->cell = malloc(n * sizeof *m->cell))) ||
        !(m->var = malloc((size_t)(total ? total : 1) * sizeof *m->var)) ||
        !(m->info = malloc((size_t)nf * sizeof *m->info)) ||
        !(from = malloc((size_t)(total ? total : 1) * sizeof *from)) ||
        !(col = malloc((size_t)(total ? total : 1) * sizeof *col))) {
        rtm_varset_free(m);
        free(from);
        free(col);
        return rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    }
    if (m->cell) /* NULL: every grid cell, in order (rtm_varset_cell) */
        memcpy(m->cell, pt[0].vs->cell, n * sizeof *m->cell);
    m->n = n;
    m->p = total;
    m->nfactors = nf;
    for (int i = 0; i < nf; i++) { /* factor i is factor i / size of part i % size */
        src = pt[i % size].vs;
        m->info[i] = src->info[i / size];
        m->generated += m->info[i].generated;
        for (int k = 0; k < src->p; k++)
            if (src->var[k].factor == i / size) {
                m->var[c] = src->var[k];
                m->var[c].factor = i;
                from[c] = i % size;
                col[c++] = k;
            }
    }
    rc = merge_compact(pt, size, from, col, m, err);
    free(from);
    free(col);
    if (rc) {
        rtm_varset_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int rtm_prod_model_vars_spread(const rtm_grid *g, const unsigned char *mask, double area,
                               const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                               rtm_varset **out, rtm_error *err)
{
    int rank = rtm_mpi_rank(), size = rtm_mpi_size(), rc;
    part me, *pt = NULL;
    *out = NULL;
    if (nf < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "model: no risk factors");
    if (size == 1)
        return rtm_variables_build(g, mask, area, f, nf, o, out, err);
    rc = build_mine(g, mask, area, f, nf, o, rank, size, &me, err);
    if (!rc && rank == 0 && !(pt = calloc((size_t)size, sizeof *pt)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "model: out of memory");
    if ((rc = rtm_mpi_agree(rc, err)) || rank > 0) {
        if (!rc)
            rc = send_part(&me, err);
        rtm_varset_free(me.vs);
        free(pt);
        return rc;
    }
    pt[0] = me;
    for (int r = 1; !rc && r < size; r++)
        rc = recv_part(r, me.vs->n, &pt[r], err);
    if (!rc)
        rc = merge(pt, size, nf, out, err);
    for (int r = 0; r < size; r++)
        rtm_varset_free(pt[r].vs);
    free(pt);
    return rc;
}
