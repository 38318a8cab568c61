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

#define MAX_LADDER 64

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

/* The design is written row-major straight into its final buffer: x holds n
 * rows of stride cap (an upper bound on the variables, known once every
 * factor's operationalization is resolved). Each factor's columns are kept
 * in col[] until the factor is done, then scattered into the rows as one
 * block (fc columns at offset p), so memory stays n*cap plus one factor's
 * columns instead of two copies of the design. */
typedef struct builder {
    size_t n;
    int p, cap, fc;
    rtm_variable *var;
    unsigned char *x;
    unsigned char *col[2 * MAX_LADDER];
} builder;

static int push_col(builder *b, const rtm_variable *v, unsigned char *col, rtm_error *err)
{
    if (b->p + b->fc >= b->cap || b->fc >= 2 * MAX_LADDER)
        return rtm_error_set(err, RTM_ERR_ARG, "variables: internal: more columns than planned");
    b->var[b->p + b->fc] = *v;
    b->col[b->fc++] = col;
    return 0;
}

/* Scatter the current factor's columns into the rows and free them. */
static void flush_factor(builder *b, int nt)
{
    size_t stride = (size_t)b->cap;
    int c, fc = b->fc;
    unsigned char *const *col = b->col;
    if (fc > 0) {
#pragma omp parallel for schedule(static) num_threads(nt)
        for (size_t r = 0; r < b->n; r++) {
            unsigned char *row = b->x + r * stride + b->p;
            for (int k = 0; k < fc; k++)
                row[k] = col[k][r];
        }
    }
    for (c = 0; c < fc; c++)
        free(b->col[c]);
    b->p += fc;
    b->fc = 0;
}

static int nthreads(const rtm_var_opts *o)
{
    return o->threads > 0 ? o->threads : omp_get_max_threads();
}

/* col[i] = 1 when the surface at row i's cell is within [lo, hi] (lo = -INF:
 * proximity surf <= d; lo > 0: density surf >= threshold and > 0); returns
 * the number of ones (an integer sum: exact in any order). Elementwise, so
 * the bytes do not depend on the thread count. */
static size_t make_col(const double *surf, const size_t *cell, size_t n, double lo, double hi,
                       int nt, unsigned char *col)
{
    size_t ones = 0;
#pragma omp parallel for schedule(static) num_threads(nt) reduction(+ : ones)
    for (size_t i = 0; i < n; i++) {
        double v = surf[cell[i]];
        col[i] = v >= lo && v <= hi;
        ones += col[i];
    }
    return ones;
}

/* Add the column if it is not constant; takes ownership of col, which has
 * `ones` ones. */
static int add_var(builder *b, rtm_factor_info *fi, int factor, const char *fname, rtm_op op,
                   double d, double thr, unsigned char *col, size_t ones, rtm_error *err)
{
    rtm_variable v;
    fi->generated++;
    if (ones == 0 || ones == b->n) {
        fi->dropped_constant++;
        free(col);
        return 0;
    }
    memset(&v, 0, sizeof v);
    v.factor = factor;
    v.op = op;
    v.distance = d;
    v.ones = ones;
    v.threshold = thr;
    snprintf(v.name, sizeof v.name, "%s_%s_%g", fname, rtm_op_name(op), d);
    if (push_col(b, &v, col, err)) {
        free(col);
        return RTM_ERR_NOMEM;
    }
    return 0;
}

static int proximity_vars(builder *b, const rtm_grid *g, const size_t *cell,
                          const rtm_factor_spec *f, int fi, rtm_factor_info *info,
                          const double *lad, int nl, const rtm_var_opts *o, double *surf,
                          rtm_error *err)
{
    int k, rc;
    size_t ones;
    if ((rc = rtm_distance_compute(g, f->features, lad[nl - 1], o->threads, surf, err)))
        return rc;
    for (k = 0; k < nl; k++) {
        unsigned char *col = malloc(b->n);
        if (!col)
            return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        ones = make_col(surf, cell, b->n, -INFINITY, lad[k], nthreads(o), col);
        if ((rc = add_var(b, info, fi, f->name, RTM_OP_PROXIMITY, lad[k], NAN, col, ones, err)))
            return rc;
    }
    return 0;
}

/* Density threshold: mean + k*SD over study-area cells (rtm-method.md).
 * Two-pass mean/variance in fixed order, so the result is deterministic. */
static double threshold(const double *surf, const size_t *cell, size_t n, double k)
{
    double mean = 0, ss = 0;
    size_t i;
    for (i = 0; i < n; i++)
        mean += surf[cell[i]];
    mean /= (double)n;
    for (i = 0; i < n; i++)
        ss += (surf[cell[i]] - mean) * (surf[cell[i]] - mean);
    return mean + k * sqrt(ss / (double)n);
}

static int density_vars(builder *b, const rtm_grid *g, const size_t *cell,
                        const rtm_factor_spec *f, int fi, rtm_factor_info *info,
                        const double *lad, int nl, const rtm_var_opts *o, double *surf,
                        rtm_error *err)
{
    double *xy = NULL, *x = NULL, *y = NULL;
    size_t np = 0, i, ones;
    int k, rc;
    /* points as they are; lines and polygons sampled along their edges */
    if ((rc = rtm_features_sample_points(f->features, g->res / 2, &xy, &np, err)))
        return rc;
    x = malloc((np ? np : 1) * sizeof *x);
    y = malloc((np ? np : 1) * sizeof *y);
    if (!x || !y) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        goto done;
    }
    for (i = 0; i < np; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
    }
    for (k = 0; k < nl && !rc; k++) {
        rtm_kde_opts ko;
        unsigned char *col;
        double thr;
        rtm_kde_opts_init(&ko);
        ko.kernel = o->density_kernel;
        ko.radius = lad[k];
        ko.units = RTM_UNITS_M2;
        ko.threads = o->threads;
        if ((rc = rtm_kde_compute(g, x, y, NULL, np, &ko, surf, err)))
            break;
        thr = threshold(surf, cell, b->n, o->density_k);
        if (!(col = malloc(b->n))) {
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
            break;
        }
        /* surf > 0 and surf >= thr: the smallest positive double bounds it below */
        ones = make_col(surf, cell, b->n, isnan(thr) ? NAN : fmax(thr, DBL_TRUE_MIN), INFINITY,
                        nthreads(o), col);
        rc = add_var(b, info, fi, f->name, RTM_OP_DENSITY, lad[k], thr, col, ones, err);
    }
done:
    free(xy);
    free(x);
    free(y);
    return rc;
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

/* Close the rows up from stride cap to p (in place, rows in increasing
 * order so a row never overwrites one not yet moved) and hand them over. */
static int finish(builder *b, rtm_varset *vs, rtm_error *err)
{
    size_t i, p = (size_t)b->p;
    if (p < (size_t)b->cap) {
        unsigned char *x;
        for (i = 1; i < b->n && p > 0; i++)
            memmove(b->x + i * p, b->x + i * (size_t)b->cap, p);
        if ((x = realloc(b->x, b->n * (p ? p : 1))))
            b->x = x;
    }
    (void)err;
    vs->x = b->x;
    vs->p = b->p;
    vs->var = b->var;
    b->x = NULL;
    b->var = NULL;
    return 0;
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
static int factor_ladder(const rtm_var_opts *o, const rtm_factor_spec *f, double *lad)
{
    rtm_var_opts fo = *o;
    if (f->max_blocks > 0)
        fo.max_blocks = f->max_blocks;
    if (f->increment == 1 || f->increment == 2)
        fo.half_block = f->increment == 2;
    return rtm_ladder(&fo, lad, MAX_LADDER);
}

/* Resolve every factor's operationalization (AUTO by the manual's rule)
 * and size the design: one column per ladder distance and operationalization. */
static int plan(builder *b, rtm_varset *vs, const rtm_grid *g, const unsigned char *mask,
                const rtm_factor_spec *f, int nf, const rtm_var_opts *o, rtm_error *err)
{
    size_t sz;
    int i, cap = 0;
    for (i = 0; i < nf; i++) {
        rtm_factor_info *fi = &vs->info[i];
        rtm_op op = f[i].op;
        double lad[MAX_LADDER];
        int nl = factor_ladder(o, &f[i], lad);
        fi->nfeatures = rtm_features_count(f[i].features);
        fi->nn_ratio = fi->nn_p = fi->mean_nn = fi->nn_area = NAN;
        if (op == RTM_OP_AUTO)
            op = auto_op(g, mask, &f[i], lad[nl - 1], nthreads(o), fi);
        fi->op = op;
        cap += nl * (((op & RTM_OP_PROXIMITY) != 0) + ((op & RTM_OP_DENSITY) != 0));
    }
    b->cap = cap;
    if (!(b->var = malloc((size_t)(cap ? cap : 1) * sizeof *b->var)) ||
        rtm_size_mul(b->n, (size_t)(cap ? cap : 1), 1, &sz) || !(b->x = malloc(sz)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory for %zu x %d design",
                             b->n, cap);
    return 0;
}

int rtm_variables_build(const rtm_grid *g, const unsigned char *mask, double study_area,
                        const rtm_factor_spec *f, int nf, const rtm_var_opts *o,
                        rtm_varset **out, rtm_error *err)
{
    rtm_varset *vs = NULL;
    builder b;
    double lad[MAX_LADDER], *surf = NULL;
    size_t k, nc = rtm_grid_ncells(g);
    int i, j, nl, rc;
    memset(&b, 0, sizeof b);
    if ((rc = check_factors(f, nf, o, err)))
        return rc;
    vs = calloc(1, sizeof *vs);
    surf = malloc(nc * sizeof *surf);
    if (!vs || !surf || !(vs->cell = malloc(nc * sizeof *vs->cell)) ||
        !(vs->info = calloc((size_t)(nf ? nf : 1), sizeof *vs->info))) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        goto done;
    }
    for (k = 0; k < nc; k++)
        if (!mask || mask[k])
            vs->cell[vs->n++] = k;
    if (vs->n == 0) {
        rc = rtm_error_set(err, RTM_ERR_INPUT, "variables: the study area has no cells");
        goto done;
    }
    b.n = vs->n;
    vs->nfactors = nf;
    (void)study_area;
    if ((rc = plan(&b, vs, g, mask, f, nf, o, err)))
        goto done;
    for (i = 0; i < nf && !rc; i++) {
        rtm_factor_info *fi = &vs->info[i];
        nl = factor_ladder(o, &f[i], lad);
        if (fi->op & RTM_OP_PROXIMITY)
            rc = proximity_vars(&b, g, vs->cell, &f[i], i, fi, lad, nl, o, surf, err);
        if (!rc && (fi->op & RTM_OP_DENSITY))
            rc = density_vars(&b, g, vs->cell, &f[i], i, fi, lad, nl, o, surf, err);
        if (!rc)
            flush_factor(&b, nthreads(o));
        if (o->progress)
            o->progress((double)(i + 1) / nf, "variables", o->progress_arg);
    }
    for (i = 0; i < nf; i++)
        vs->generated += vs->info[i].generated;
    if (!rc)
        rc = finish(&b, vs, err);
done:
    for (j = 0; j < b.fc; j++)
        free(b.col[j]);
    free(b.x);
    free(b.var);
    free(surf);
    if (rc) {
        rtm_varset_free(vs);
        return rc;
    }
    *out = vs;
    return 0;
}

void rtm_varset_free(rtm_varset *v)
{
    if (!v)
        return;
    free(v->cell);
    free(v->var);
    free(v->x);
    free(v->info);
    free(v);
}
