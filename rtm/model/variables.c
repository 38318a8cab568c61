/* variables.c: RTM candidate variables (see rtm/model.h). */
#include "rtm/model.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtm/surface.h"
#include "model/glm_internal.h"
#include "model/var_build.h"

#define MAX_LADDER RTM_I_MAX_LADDER

const char *rtm_op_name(rtm_op op)
{
    switch (op) {
    case RTM_OP_PROXIMITY: return "proximity";
    case RTM_OP_DENSITY: return "density";
    case RTM_OP_BOTH: return "both";
    default: return "auto";
    }
}

int rtm_op_parse(const char *s, rtm_op *op)
{
    static const rtm_op all[] = {RTM_OP_AUTO, RTM_OP_PROXIMITY, RTM_OP_DENSITY, RTM_OP_BOTH};
    int i;
    for (i = 0; i < 4; i++)
        if (!strcasecmp(s, rtm_op_name(all[i]))) {
            *op = all[i];
            return 0;
        }
    return -1;
}

void rtm_var_opts_init(rtm_var_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_blocks = 3;
    o->density_kernel = RTM_KERNEL_EPANECHNIKOV;
    o->density_k = 2.0;
}

int rtm_ladder(const rtm_var_opts *o, double *d, int max)
{
    int k, n = 0, steps = o->half_block ? 2 * o->max_blocks : o->max_blocks;
    double step = o->half_block ? o->block / 2 : o->block;
    for (k = 1; k <= steps && n < max; k++)
        d[n++] = step * k;
    return n;
}

int rtm_i_var_threads(const rtm_var_opts *o)
{
    return o->threads > 0 ? o->threads : omp_get_max_threads();
}

/* The manual's rule of thumb (rtm-method.md, Caplan & Kennedy 2016): Proximity
 * when the features are not significantly clustered (Clark & Evans 1954 test,
 * p > 0.05 or R >= 1) or their mean nearest-neighbour distance exceeds the
 * maximum spatial influence; otherwise Density. The test looks at the point
 * features within the maximum spatial influence of the study area, over that
 * region (rtm_nnstat_near_area). */
static rtm_op auto_op(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                      double maxd, int threads, rtm_factor_info *fi)
{
    size_t n = rtm_features_npoints(f->features);
    rtm_nnstat s;
    rtm_error e;
    char used[96];
    fi->nn_ratio = fi->nn_p = fi->mean_nn = NAN;
    fi->nn_n = 0;
    fi->nn_area = NAN;
    if (n < 3 || rtm_nnstat_near_area(g, mask, rtm_features_points_xy(f->features), n, maxd,
                                      threads, &s, &e) || s.n < 3) {
        snprintf(fi->why, sizeof fi->why, "fewer than 3 point features within %.0f of the study "
                 "area: proximity", maxd);
        return RTM_OP_PROXIMITY;
    }
    fi->nn_ratio = s.ratio;
    fi->nn_p = s.p;
    fi->mean_nn = s.mean_nn;
    fi->nn_n = s.n;
    fi->nn_area = s.area;
    snprintf(used, sizeof used, "%zu of %zu points within %.0f of the study area", s.n, n, maxd);
    if (s.ratio >= 1 || s.p > 0.05) {
        snprintf(fi->why, sizeof fi->why, "not significantly clustered (Clark-Evans R = %.3f, "
                 "p = %.3g; %s): proximity", s.ratio, s.p, used);
        return RTM_OP_PROXIMITY;
    }
    if (s.mean_nn > maxd) {
        snprintf(fi->why, sizeof fi->why, "clustered (R = %.3f, p = %.3g; %s) but mean NN "
                 "%.0f > maximum influence %.0f: proximity", s.ratio, s.p, used, s.mean_nn,
                 maxd);
        return RTM_OP_PROXIMITY;
    }
    snprintf(fi->why, sizeof fi->why, "clustered (Clark-Evans R = %.3f, p = %.3g; %s; mean NN "
             "%.0f <= %.0f): density", s.ratio, s.p, used, s.mean_nn, maxd);
    return RTM_OP_DENSITY;
}

static int check_factors(const rtm_factor_spec *f, int nf, const rtm_var_opts *o, rtm_error *err)
{
    int i;
    if (!(o->block > 0) || o->max_blocks < 1)
        return rtm_error_set(err, RTM_ERR_ARG, "variables: block must be > 0 and max blocks >= 1");
    for (i = 0; i < nf; i++)
        if (!f[i].features || rtm_features_count(f[i].features) == 0)
            return rtm_error_set(err, RTM_ERR_INPUT, "variables: risk factor '%s' has no "
                                 "features", f[i].name);
    return 0;
}

/* A factor's ladder: the options', with the factor's own maximum and step
 * when it sets them (the reference's per-factor spatial influence). */
int rtm_i_factor_ladder(const rtm_var_opts *o, const rtm_factor_spec *f, double *lad)
{
    rtm_var_opts fo = *o;
    if (f->max_blocks > 0)
        fo.max_blocks = f->max_blocks;
    if (f->increment == 1 || f->increment == 2)
        fo.half_block = f->increment == 2;
    return rtm_ladder(&fo, lad, MAX_LADDER);
}

/* Resolve every factor's operationalization (AUTO by the manual's rule). */
static void plan(rtm_varset *vs, const rtm_grid *g, const unsigned char *mask,
                 const rtm_factor_spec *f, int nf, const rtm_var_opts *o)
{
    for (int i = 0; i < nf; i++) {
        rtm_factor_info *fi = &vs->info[i];
        rtm_op op = f[i].op;
        double lad[MAX_LADDER];
        int nl = rtm_i_factor_ladder(o, &f[i], lad);
        fi->nfeatures = rtm_features_count(f[i].features);
        fi->nn_ratio = fi->nn_p = fi->mean_nn = fi->nn_area = NAN;
        if (op == RTM_OP_AUTO)
            op = auto_op(g, mask, &f[i], lad[nl - 1], rtm_i_var_threads(o), fi);
        fi->op = op;
    }
}

int rtm_i_each_factor(const rtm_i_vctx *c, int nf, size_t scratch, rtm_i_factor_fn fn,
                      void *arg, rtm_error *err)
{
    const rtm_var_opts *o = c->o;
    int nt = rtm_i_var_threads(o) < nf ? rtm_i_var_threads(o) : nf, done = 0, rc = 0;
    int *frc = calloc((size_t)(nf ? nf : 1), sizeof *frc);
    rtm_error *ferr = calloc((size_t)(nf ? nf : 1), sizeof *ferr);
    if (!frc || !ferr) {
        free(frc);
        free(ferr);
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
#pragma omp parallel num_threads(nt > 0 ? nt : 1)
    {
        double *buf = scratch ? malloc(scratch * sizeof *buf) : NULL;
#pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < nf; i++) {
            frc[i] = !scratch || buf ? fn(c, i, buf, arg, &ferr[i])
                                     : rtm_error_set(&ferr[i], RTM_ERR_NOMEM,
                                                     "variables: out of memory");
#pragma omp critical(rtm_variables_progress)
            if (o->progress)
                o->progress((double)++done / nf, "variables", o->progress_arg);
        }
        free(buf);
    }
    for (int i = 0; i < nf && !rc; i++)
        if (frc[i])
            rc = rtm_error_set(err, frc[i], "%s", ferr[i].msg);
    free(frc);
    free(ferr);
    return rc;
}

typedef struct cells_job {
    const rtm_factor_spec *f;
    const rtm_varset *vs;
    rtm_i_fcells *fc;
} cells_job;

static int factor_cells(const rtm_i_vctx *c, int i, double *surf, void *arg, rtm_error *err)
{
    const cells_job *j = arg;
    double lad[MAX_LADDER];
    int nl = rtm_i_factor_ladder(c->o, &j->f[i], lad);
    return rtm_i_factor_cells(c, &j->f[i], i, j->vs->info[i].op, lad, nl, surf, &j->fc[i], err);
}

/* Every factor's cells (rtm_i_each_factor), with a proximity scratch of a
 * block of rows per thread. */
static int build_factors(const rtm_i_vctx *c, const rtm_factor_spec *f, int nf,
                         const rtm_varset *vs, rtm_i_fcells *fc, rtm_error *err)
{
    cells_job j = {f, vs, fc};
    int rows = c->r1 - c->r0 < RTM_I_PROX_ROWS ? c->r1 - c->r0 : RTM_I_PROX_ROWS;
    return rtm_i_each_factor(c, nf, (size_t)rows * (size_t)c->g->ncols, factor_cells, &j, err);
}

/* The kept (non-constant) variables in factor order: vs->var, the factors'
 * counts, and col[i * 2 MAX_LADDER + k], factor i's variable k's column or -1. */
static int assign_columns(rtm_varset *vs, const rtm_factor_spec *f, int nf,
                          const rtm_var_opts *o, const rtm_i_fcells *fc, int *col,
                          rtm_error *err)
{
    int cap = 0;
    for (int i = 0; i < nf; i++)
        cap += fc[i].nvar;
    if (!(vs->var = malloc((size_t)(cap ? cap : 1) * sizeof *vs->var)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    for (int i = 0; i < nf; i++) {
        rtm_factor_info *fi = &vs->info[i];
        for (int k = 0; k < fc[i].nvar; k++) {
            size_t ones = fc[i].ones[k];
            col[i * 2 * MAX_LADDER + k] = -1;
            fi->generated++;
            if (ones == 0 || ones == vs->n) {
                fi->dropped_constant++;
                continue;
            }
            rtm_i_var_describe(&vs->var[vs->p], o, f, i, fi, &fc[i], k, ones);
            col[i * 2 * MAX_LADDER + k] = vs->p++;
        }
        vs->generated += fi->generated;
    }
    return 0;
}

void rtm_i_var_describe(rtm_variable *v, const rtm_var_opts *o, const rtm_factor_spec *f,
                        int i, const rtm_factor_info *fi, const rtm_i_fcells *fc, int k,
                        size_t ones)
{
    double lad[MAX_LADDER];
    int nl = rtm_i_factor_ladder(o, &f[i], lad), np = (fi->op & RTM_OP_PROXIMITY) ? nl : 0;
    memset(v, 0, sizeof *v);
    v->factor = i;
    v->op = k < np ? RTM_OP_PROXIMITY : RTM_OP_DENSITY;
    v->distance = lad[k < np ? k : k - np];
    v->ones = ones;
    v->threshold = fc->thr[k];
    snprintf(v->name, sizeof v->name, "%s_%s_%g", f[i].name, rtm_op_name(v->op), v->distance);
}

/* One study row's bits: every factor with an entry at row q adds its kept
 * variables' bits at their columns (cur[i]: factor i's next entry). */
static void row_words(const rtm_i_fcells *fc, int nf, const int *col, size_t *cur, size_t q,
                      uint64_t *w, int nw)
{
    memset(w, 0, (size_t)nw * sizeof *w);
    for (int i = 0; i < nf; i++) {
        const rtm_i_fcells *F = &fc[i];
        if (cur[i] >= F->nrows || F->row[cur[i]] != q)
            continue;
        const uint64_t *b = F->bits + cur[i]++ * (size_t)F->nw;
        for (int k = 0; k < F->nvar; k++) {
            int j = col[i * 2 * MAX_LADDER + k];
            if (j >= 0 && (b[k >> 6] >> (k & 63) & 1))
                w[j >> 6] |= (uint64_t)1 << (j & 63);
        }
    }
}

/* The compact design: every study row's pattern id, distinct patterns in
 * order of first appearance (rtm_patterns' numbering) and their bytes. */
static int pack_rows(rtm_varset *vs, const rtm_i_fcells *fc, int nf, const int *col)
{
    int nw = vs->p > 0 ? (vs->p + 63) / 64 : 1, rc = -1;
    size_t zero = SIZE_MAX, *cur = calloc((size_t)nf, sizeof *cur);
    unsigned char *any = calloc(vs->n ? vs->n : 1, 1);
    uint64_t *w = malloc((size_t)nw * sizeof *w);
    rtm_i_pattab *t = rtm_i_pattab_new(nw);
    vs->row_pat = malloc((vs->n ? vs->n : 1) * sizeof *vs->row_pat);
    if (!cur || !any || !w || !t || !vs->row_pat)
        goto done;
    for (int i = 0; i < nf; i++)
        for (size_t r = 0; r < fc[i].nrows; r++)
            any[fc[i].row[r]] = 1;
    for (size_t q = 0; q < vs->n; q++) {
        size_t id;
        if (!any[q] && zero != SIZE_MAX) {
            vs->row_pat[q] = (uint32_t)zero;
            continue;
        }
        row_words(fc, nf, col, cur, q, w, nw);
        if ((id = rtm_i_pattab_add(t, w)) == SIZE_MAX)
            goto done;
        if (!any[q])
            zero = id;
        vs->row_pat[q] = (uint32_t)id;
    }
    vs->npat = rtm_i_pattab_count(t);
    if (!(vs->pat = malloc(vs->npat * (size_t)(vs->p ? vs->p : 1))))
        goto done;
    const uint64_t *pw = rtm_i_pattab_words(t);
    for (size_t k = 0; k < vs->npat; k++)
        for (int j = 0; j < vs->p; j++)
            vs->pat[k * (size_t)vs->p + (size_t)j] =
                (unsigned char)(pw[k * (size_t)nw + (size_t)(j >> 6)] >> (j & 63) & 1);
    rc = 0;
done:
    rtm_i_pattab_free(t);
    free(cur);
    free(any);
    free(w);
    return rc;
}

/* Study-area rows and, per grid row, where its rows start; the cells of
 * grid rows [r0, r1) only (a strip's memory is the strip's). */
int rtm_i_study_rows(const rtm_grid *g, const unsigned char *mask, int r0, int r1,
                     rtm_varset *vs, size_t **rowstart)
{
    size_t nc = (size_t)g->ncols, q = 0, k = 0;
    if (!(*rowstart = malloc(((size_t)g->nrows + 1) * sizeof **rowstart)))
        return -1;
    for (int i = 0; i < g->nrows; i++) {
        (*rowstart)[i] = q;
        if (!mask) {
            q += nc;
            continue;
        }
        for (const unsigned char *m = mask + (size_t)i * nc, *e = m + nc; m < e; m++)
            q += *m != 0;
    }
    (*rowstart)[g->nrows] = q;
    vs->n = q;
    q = (*rowstart)[r1] - (*rowstart)[r0];
    if (!(vs->cell = malloc((q ? q : 1) * sizeof *vs->cell)))
        return -1;
    for (size_t c = (size_t)r0 * nc; c < (size_t)r1 * nc; c++)
        if (!mask || mask[c])
            vs->cell[k++] = c;
    return 0;
}

int rtm_i_vars_setup(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                     int nf, const rtm_var_opts *o, int r0, int r1, rtm_varset *vs,
                     size_t **rowstart, rtm_error *err)
{
    int rc;
    if ((rc = check_factors(f, nf, o, err)))
        return rc;
    if (rtm_i_study_rows(g, mask, r0, r1, vs, rowstart) ||
        !(vs->info = calloc((size_t)(nf ? nf : 1), sizeof *vs->info)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (vs->n == 0 || vs->n > UINT32_MAX)
        return rtm_error_set(err, vs->n ? RTM_ERR_ARG : RTM_ERR_INPUT, vs->n ?
                             "variables: %zu study-area cells: too many" :
                             "variables: the study area has no cells", vs->n);
    vs->nfactors = nf;
    plan(vs, g, mask, f, nf, o);
    return 0;
}

int rtm_i_vars_cells(const rtm_grid *g, const unsigned char *mask, const rtm_factor_spec *f,
                     int nf, const rtm_var_opts *o, int r0, int r1, const rtm_varstats *given,
                     rtm_varset *vs, size_t **rowstart, rtm_i_fcells **fc, rtm_error *err)
{
    int rc;
    if ((rc = rtm_i_vars_setup(g, mask, f, nf, o, r0, r1, vs, rowstart, err)))
        return rc;
    if (!(*fc = calloc((size_t)(nf ? nf : 1), sizeof **fc)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    rtm_i_vctx c = {g,  o,  mask, vs->cell, vs->n, *rowstart, given, r0, r1, (*rowstart)[r0],
                    (*rowstart)[r1]};
    return build_factors(&c, f, nf, vs, *fc, err);
}

void rtm_i_vars_cells_free(rtm_i_fcells *fc, int nf, size_t *rowstart)
{
    for (int i = 0; fc && i < nf; i++)
        rtm_i_fcells_free(&fc[i]);
    free(fc);
    free(rowstart);
}

int rtm_variables_build(const rtm_grid *g, const unsigned char *mask, double study_area,
                        const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                        rtm_varset **out, rtm_error *err)
{
    rtm_varset *vs = calloc(1, sizeof *vs);
    rtm_i_fcells *fc = NULL;
    size_t *rowstart = NULL;
    int *col = NULL, rc;
    (void)study_area;
    if (!vs)
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (!(rc = rtm_i_vars_cells(g, mask, f, nf, o, 0, g->nrows, NULL, vs, &rowstart, &fc, err))) {
        if (!(col = malloc((size_t)(nf ? nf : 1) * 2 * MAX_LADDER * sizeof *col)))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        else if (!(rc = assign_columns(vs, f, nf, o, fc, col, err)) && pack_rows(vs, fc, nf, col))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
    rtm_i_vars_cells_free(fc, nf, rowstart);
    free(col);
    if (rc) {
        rtm_varset_free(vs);
        return rc;
    }
    rtm_i_varset_whole_grid(vs, mask);
    *out = vs;
    return 0;
}

void rtm_i_varset_whole_grid(rtm_varset *vs, const unsigned char *mask)
{
    if (!mask) { /* rows are the grid's cells in order: vs->cell[i] == i */
        free(vs->cell);
        vs->cell = NULL;
    }
}

void rtm_varset_free(rtm_varset *v)
{
    if (!v)
        return;
    free(v->cell);
    free(v->var);
    free(v->x);
    free(v->info);
    free(v->row_pat);
    free(v->pat);
    free(v);
}
