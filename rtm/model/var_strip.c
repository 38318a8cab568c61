/* var_strip.c: the RTM's candidate variables by strips of grid rows, and
 * the merge of the strips' pattern tables into the whole grid's candidate
 * set (see rtm/model_tiles.h).
 *
 * A strip keeps every variable as a column (factor order, each factor's
 * proximity then density ladder: rtm_variables_build's order before it
 * drops constant columns), counts its ones over the strip's cells, and
 * numbers its distinct rows of bits in order of first appearance. The
 * merge adds the strips' counts, drops the columns with no 1 or no 0 over
 * the whole study area, projects each strip's patterns on the kept columns
 * and numbers them in order of first appearance over the grid's cells, as
 * rtm_variables_build's pack_rows does: the same set, byte for byte. */
#include "rtm/model_tiles.h"
#include "model/glm_internal.h"
#include "model/var_build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "RTMVSTR1"

struct rtm_varstrip {
    int nf, p, nw;          /* factors, every candidate variable, words per pattern */
    rtm_factor_info *info;  /* nf; dropped_constant 0 (known only over the grid) */
    rtm_variable *var;      /* p; ones counted over the strip */
    size_t ncells;          /* the strip's study cells */
    size_t npat;
    uint64_t *words;        /* npat * nw: pattern bits, column j at bit j */
    uint32_t *row_pat;      /* ncells pattern numbers (built strips only) */
};

void rtm_varstrip_free(rtm_varstrip *s)
{
    if (!s)
        return;
    free(s->info);
    free(s->var);
    free(s->words);
    free(s->row_pat);
    free(s);
}

size_t rtm_varstrip_cells(const rtm_varstrip *s) { return s->ncells; }
const uint32_t *rtm_varstrip_row_pat(const rtm_varstrip *s) { return s->row_pat; }
size_t rtm_varstrip_npat(const rtm_varstrip *s) { return s->npat; }

/* Every variable as a column: factor i's variable k is column base[i] + k. */
static int describe_all(rtm_varstrip *s, const rtm_factor_spec *f, const rtm_var_opts *o,
                        const rtm_i_fcells *fc, int *base)
{
    s->p = 0;
    for (int i = 0; i < s->nf; i++)
        s->p += fc[i].nvar;
    s->nw = s->p > 0 ? (s->p + 63) / 64 : 1;
    if (!(s->var = calloc((size_t)(s->p ? s->p : 1), sizeof *s->var)))
        return -1;
    for (int i = 0, j = 0; i < s->nf; i++) {
        base[i] = j;
        for (int k = 0; k < fc[i].nvar; k++)
            rtm_i_var_describe(&s->var[j++], o, f, i, &s->info[i], &fc[i], k, fc[i].ones[k]);
        s->info[i].generated = fc[i].nvar;
    }
    return 0;
}

/* The strip's rows q0 .. q1 - 1 as pattern numbers (first appearance). */
static int pack_strip(rtm_varstrip *s, const rtm_i_fcells *fc, const int *base, size_t q0,
                      size_t q1)
{
    size_t *cur = calloc((size_t)s->nf, sizeof *cur);
    uint64_t *w = malloc((size_t)s->nw * sizeof *w);
    rtm_i_pattab *t = rtm_i_pattab_new(s->nw);
    int rc = -1;
    s->ncells = q1 - q0;
    if (!cur || !w || !t || !(s->row_pat = malloc((s->ncells ? s->ncells : 1) * sizeof *s->row_pat)))
        goto done;
    for (size_t q = q0; q < q1; q++) {
        size_t id;
        memset(w, 0, (size_t)s->nw * sizeof *w);
        for (int i = 0; i < s->nf; i++) {
            const rtm_i_fcells *F = &fc[i];
            if (cur[i] >= F->nrows || F->row[cur[i]] != q)
                continue;
            const uint64_t *b = F->bits + cur[i]++ * (size_t)F->nw;
            for (int k = 0; k < F->nvar; k++)
                if (b[k >> 6] >> (k & 63) & 1) {
                    int j = base[i] + k;
                    w[j >> 6] |= (uint64_t)1 << (j & 63);
                }
        }
        if ((id = rtm_i_pattab_add(t, w)) == SIZE_MAX)
            goto done;
        s->row_pat[q - q0] = (uint32_t)id;
    }
    s->npat = rtm_i_pattab_count(t);
    if (!(s->words = malloc((s->npat ? s->npat : 1) * (size_t)s->nw * sizeof *s->words)))
        goto done;
    memcpy(s->words, rtm_i_pattab_words(t), s->npat * (size_t)s->nw * sizeof *s->words);
    rc = 0;
done:
    rtm_i_pattab_free(t);
    free(cur);
    free(w);
    return rc;
}

int rtm_variables_build_strip(const rtm_grid *g, const unsigned char *mask,
                              const rtm_factor_spec *f, int nf, const rtm_var_opts *o, int r0,
                              int r1, const rtm_varstats *given, rtm_varstrip **out,
                              rtm_error *err)
{
    rtm_varset vs = {0};
    rtm_varstrip *s = NULL;
    rtm_i_fcells *fc = NULL;
    size_t *rowstart = NULL;
    int *base = NULL, rc;
    if (nf < 1 || r0 < 0 || r1 <= r0 || r1 > g->nrows)
        return rtm_error_set(err, RTM_ERR_ARG, "variables: rows %d..%d of %d, %d factors: not a "
                             "strip", r0, r1 - 1, g->nrows, nf);
    if (!(s = calloc(1, sizeof *s)) || !(base = malloc((size_t)nf * sizeof *base)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    else if (given && (given->r0 != 0 || given->r1 != g->nrows || given->nrows != g->nrows))
        rc = rtm_error_set(err, RTM_ERR_ARG, "variables: the density statistics given hold "
                           "rows %d..%d of %d, not every row of a grid of %d", given->r0,
                           given->r1 - 1, given->nrows, g->nrows);
    else if (!(rc = rtm_i_vars_cells(g, mask, f, nf, o, r0, r1, given, &vs, &rowstart, &fc,
                                     err))) {
        s->nf = nf;
        s->info = vs.info;
        vs.info = NULL;
        if (describe_all(s, f, o, fc, base) ||
            pack_strip(s, fc, base, rowstart[r0], rowstart[r1]))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
    rtm_i_vars_cells_free(fc, nf, rowstart);
    free(base);
    free(vs.cell);
    free(vs.info);
    if (rc) {
        rtm_varstrip_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- bytes ---------------------------------------------------------------- */

typedef struct head {
    char magic[8];
    uint32_t var_size, info_size;
    int32_t nf, p, nw, pad;
    uint64_t ncells, npat;
} head;

int rtm_varstrip_serialise(const rtm_varstrip *s, unsigned char **buf, size_t *len,
                           rtm_error *err)
{
    head h;
    size_t ni = (size_t)s->nf * sizeof *s->info, nv = (size_t)s->p * sizeof *s->var;
    size_t nwd = s->npat * (size_t)s->nw * sizeof *s->words;
    unsigned char *b;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.var_size = sizeof *s->var;
    h.info_size = sizeof *s->info;
    h.nf = s->nf;
    h.p = s->p;
    h.nw = s->nw;
    h.ncells = s->ncells;
    h.npat = s->npat;
    *len = sizeof h + ni + nv + nwd;
    if (!(*buf = b = malloc(*len)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    memcpy(b, &h, sizeof h);
    memcpy(b + sizeof h, s->info, ni);
    memcpy(b + sizeof h + ni, s->var, nv);
    memcpy(b + sizeof h + ni + nv, s->words, nwd);
    return 0;
}

/* Names end in the array; factors in range; ones within the cells; no bit
 * beyond the last column. */
static int strip_ok(const rtm_varstrip *s)
{
    for (int i = 0; i < s->nf; i++)
        if (!memchr(s->info[i].why, 0, sizeof s->info[i].why))
            return 0;
    for (int j = 0; j < s->p; j++)
        if (!memchr(s->var[j].name, 0, sizeof s->var[j].name) || s->var[j].factor < 0 ||
            s->var[j].factor >= s->nf || s->var[j].ones > s->ncells)
            return 0;
    if (s->p % 64 && s->npat)
        for (size_t k = 0; k < s->npat; k++)
            if (s->words[k * (size_t)s->nw + (size_t)s->nw - 1] >> (s->p % 64))
                return 0;
    return 1;
}

rtm_varstrip *rtm_varstrip_deserialise(const unsigned char *buf, size_t len, rtm_error *err)
{
    head h;
    rtm_varstrip *s;
    size_t ni, nv, nwd;
    if (len < sizeof h)
        goto bad;
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, MAGIC, 8) || h.var_size != sizeof(rtm_variable) ||
        h.info_size != sizeof(rtm_factor_info) || h.nf < 1 || h.nf > 100000 || h.p < 0 ||
        h.p > 1000000 || h.nw != (h.p > 0 ? (h.p + 63) / 64 : 1) || h.ncells > UINT32_MAX ||
        h.npat > h.ncells)
        goto bad;
    ni = (size_t)h.nf * h.info_size;
    nv = (size_t)h.p * h.var_size;
    nwd = (size_t)h.npat * (size_t)h.nw * sizeof(uint64_t);
    if (len != sizeof h + ni + nv + nwd)
        goto bad;
    if (!(s = calloc(1, sizeof *s)) || !(s->info = malloc(ni)) ||
        !(s->var = malloc(nv ? nv : 1)) || !(s->words = malloc(nwd ? nwd : 1))) {
        rtm_varstrip_free(s);
        rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        return NULL;
    }
    s->nf = h.nf;
    s->p = h.p;
    s->nw = h.nw;
    s->ncells = (size_t)h.ncells;
    s->npat = (size_t)h.npat;
    memcpy(s->info, buf + sizeof h, ni);
    memcpy(s->var, buf + sizeof h + ni, nv);
    memcpy(s->words, buf + sizeof h + ni + nv, nwd);
    if (strip_ok(s))
        return s;
    rtm_varstrip_free(s);
bad:
    rtm_error_set(err, RTM_ERR_INPUT, "variables: not the candidate variables of a strip made "
                  "by this build of rtm (truncated, damaged or another version)");
    return NULL;
}

/* ---- the merge ----------------------------------------------------------- */

/* Strip b describes the same variables as strip a (all but the ones). */
static int same_vars(const rtm_varstrip *a, const rtm_varstrip *b)
{
    if (a->nf != b->nf || a->p != b->p)
        return 0;
    for (int j = 0; j < a->p; j++) {
        rtm_variable u = a->var[j], v = b->var[j];
        u.ones = v.ones = 0;
        if (memcmp(&u, &v, sizeof u))
            return 0;
    }
    for (int i = 0; i < a->nf; i++)
        if (memcmp(&a->info[i], &b->info[i], sizeof a->info[i]))
            return 0;
    return 1;
}

/* The kept columns (some 1 and some 0 over the n cells) into vs, and
 * col[j]: column j's kept index or -1. */
static int keep_columns(rtm_varset *vs, rtm_varstrip *const *s, int n, int *col)
{
    const rtm_varstrip *a = s[0];
    if (!(vs->var = malloc((size_t)(a->p ? a->p : 1) * sizeof *vs->var)) ||
        !(vs->info = malloc((size_t)a->nf * sizeof *vs->info)))
        return -1;
    memcpy(vs->info, a->info, (size_t)a->nf * sizeof *vs->info);
    vs->nfactors = a->nf;
    for (int j = 0; j < a->p; j++) {
        size_t ones = 0;
        for (int t = 0; t < n; t++)
            ones += s[t]->var[j].ones;
        col[j] = -1;
        vs->generated++;
        if (ones == 0 || ones == vs->n) {
            vs->info[a->var[j].factor].dropped_constant++;
            continue;
        }
        vs->var[vs->p] = a->var[j];
        vs->var[vs->p].ones = ones;
        col[j] = vs->p++;
    }
    return 0;
}

/* Strip pattern k's bits on the kept columns into w (nw words). */
static void project(const rtm_varstrip *s, size_t k, const int *col, uint64_t *w, int nw)
{
    const uint64_t *b = s->words + k * (size_t)s->nw;
    memset(w, 0, (size_t)nw * sizeof *w);
    for (int j = 0; j < s->p; j++)
        if (col[j] >= 0 && (b[j >> 6] >> (j & 63) & 1))
            w[col[j] >> 6] |= (uint64_t)1 << (col[j] & 63);
}

/* Every study row's number on the kept columns, in order of first
 * appearance over the grid's cells; map[t] caches strip t's numbers. */
static int number_rows(rtm_varset *vs, const rtm_grid *g, rtm_varstrip *const *s,
                       const int *rows, int n, const double *ids, const int *col,
                       rtm_error *err)
{
    int nw = vs->p > 0 ? (vs->p + 63) / 64 : 1, t = 0, rc = 0;
    size_t **map = calloc((size_t)n, sizeof *map), nc = (size_t)g->ncols;
    uint64_t *w = malloc((size_t)nw * sizeof *w);
    rtm_i_pattab *tab = rtm_i_pattab_new(nw);
    if (!map || !w || !tab || !(vs->row_pat = malloc(vs->n * sizeof *vs->row_pat)))
        rc = RTM_ERR_NOMEM;
    for (int i = 0; !rc && i < n; i++) {
        if (!(map[i] = malloc((s[i]->npat ? s[i]->npat : 1) * sizeof **map)))
            rc = RTM_ERR_NOMEM;
        for (size_t k = 0; !rc && k < s[i]->npat; k++)
            map[i][k] = SIZE_MAX;
    }
    for (size_t q = 0; !rc && q < vs->n; q++) {
        size_t cell = rtm_varset_cell(vs, q), k;
        double id = ids[cell];
        while ((size_t)rows[t + 1] * nc <= cell)
            t++;
        if (!(id >= 0 && id < (double)s[t]->npat && id == floor(id))) {
            rc = rtm_error_set(err, RTM_ERR_INPUT, "variables: cell (row %zu, column %zu) of "
                               "strip %d holds %g, not one of its %zu patterns", cell / nc,
                               cell % nc, t, id, s[t]->npat);
            break;
        }
        k = (size_t)id;
        if (map[t][k] == SIZE_MAX) {
            project(s[t], k, col, w, nw);
            if ((map[t][k] = rtm_i_pattab_add(tab, w)) == SIZE_MAX)
                rc = RTM_ERR_NOMEM;
        }
        vs->row_pat[q] = (uint32_t)map[t][k];
    }
    if (!rc) {
        const uint64_t *pw = rtm_i_pattab_words(tab);
        vs->npat = rtm_i_pattab_count(tab);
        if (!(vs->pat = malloc(vs->npat * (size_t)(vs->p ? vs->p : 1))))
            rc = RTM_ERR_NOMEM;
        for (size_t k = 0; !rc && k < vs->npat; k++)
            for (int j = 0; j < vs->p; j++)
                vs->pat[k * (size_t)vs->p + (size_t)j] =
                    (unsigned char)(pw[k * (size_t)nw + (size_t)(j >> 6)] >> (j & 63) & 1);
    }
    for (int i = 0; map && i < n; i++)
        free(map[i]);
    free(map);
    free(w);
    rtm_i_pattab_free(tab);
    if (rc == RTM_ERR_NOMEM)
        rtm_error_set(err, rc, "variables: out of memory");
    return rc;
}

int rtm_varset_from_strips(const rtm_grid *g, const unsigned char *mask,
                           rtm_varstrip *const *s, const int *rows, int n, const double *ids,
                           rtm_varset **out, rtm_error *err)
{
    rtm_varset *vs = calloc(1, sizeof *vs);
    size_t *rowstart = NULL;
    int *col = NULL, rc = 0;
    if (n < 1 || rows[0] != 0 || rows[n] != g->nrows)
        rc = rtm_error_set(err, RTM_ERR_ARG, "variables: %d strips do not cover the grid", n);
    /* without a mask the rows are the grid's cells in order: no cell list
     * (rows 0..0 of it, then none; rtm_varset_cell) */
    else if (!vs || rtm_i_study_rows(g, mask, 0, mask ? g->nrows : 0, vs, &rowstart) ||
             !(col = malloc((size_t)(s[0]->p ? s[0]->p : 1) * sizeof *col)))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (vs)
        rtm_i_varset_whole_grid(vs, mask);
    for (int t = 0; !rc && t < n; t++)
        if (rows[t + 1] <= rows[t] || !same_vars(s[0], s[t]) ||
            s[t]->ncells != rowstart[rows[t + 1]] - rowstart[rows[t]])
            rc = rtm_error_set(err, RTM_ERR_INPUT, "variables: strip %d was built with other "
                               "variables, options or study area than strip 0", t);
    if (!rc && keep_columns(vs, s, n, col))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (!rc)
        rc = number_rows(vs, g, s, rows, n, ids, col, err);
    free(rowstart);
    free(col);
    if (rc) {
        rtm_varset_free(vs);
        return rc;
    }
    *out = vs;
    return 0;
}
