/* var_build.c: the candidate variables of one risk factor, as the cells
 * where any of them is 1 (see rtm/model.h and var_build.h).
 *
 * A factor's variables are thresholds of a few surfaces: Proximity(d) of the
 * distance to the features (one surface for the whole ladder), Density(d) of
 * the kernel density of radius d. Beyond the largest distance, and where no
 * kernel reaches, every variable is 0; so only the cells some feature can
 * reach are visited (the density row by row, and in each row only the
 * columns within reach, through rtm_kde_rows_spans), and a factor yields
 * the sorted list of study-area rows with a 1 and their bits. The values and
 * bits are those of the full surfaces, bit for bit; the density thresholds
 * come from per-row statistics combined in row order (dens_threshold), so a
 * strip's are the whole grid's.
 */
#include "core/grow.h"
#include "model/var_build.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a factor's cell entries -------------------------------------------- */

/* Entry: study row q << 32 | lo << 16 | hi, bits lo..hi of the factor. */
static int push(rtm_i_fcells *fc, uint32_t q, int lo, int hi)
{
    if (rtm_grow(&fc->ent, &fc->capent, fc->nent + 1, sizeof *fc->ent, 4096))
        return -1;
    fc->ent[fc->nent++] = (uint64_t)q << 32 | (uint64_t)lo << 16 | (uint64_t)hi;
    return 0;
}

/* Stable LSD radix sort of the entries by study row (the upper 32 bits). */
static int sort_entries(rtm_i_fcells *fc)
{
    size_t n = fc->nent, cnt[65537];
    uint64_t *tmp = malloc((n ? n : 1) * sizeof *tmp), *a = fc->ent, *b = tmp;
    if (!tmp)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        int sh = 32 + 16 * pass;
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((a[i] >> sh) & 0xffff) + 1]++;
        for (int k = 0; k < 65536; k++)
            cnt[k + 1] += cnt[k];
        for (size_t i = 0; i < n; i++)
            b[cnt[(a[i] >> sh) & 0xffff]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    free(tmp); /* after two passes the sorted entries are back in fc->ent */
    return 0;
}

/* Merge the sorted entries into rows (unique, ascending) and bit words,
 * counting the ones of every variable. */
static int merge_entries(rtm_i_fcells *fc)
{
    size_t n = fc->nent, r = 0;
    int nw = fc->nw;
    if (sort_entries(fc))
        return -1;
    fc->row = malloc((n ? n : 1) * sizeof *fc->row);
    fc->bits = calloc((n ? n : 1) * (size_t)nw, sizeof *fc->bits);
    if (!fc->row || !fc->bits)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint32_t q = (uint32_t)(fc->ent[i] >> 32);
        int lo = (int)((fc->ent[i] >> 16) & 0xffff), hi = (int)(fc->ent[i] & 0xffff);
        if (r == 0 || fc->row[r - 1] != q)
            fc->row[r++] = q;
        uint64_t *w = fc->bits + (r - 1) * (size_t)nw;
        for (int b = lo; b <= hi; b++)
            if (!(w[b >> 6] >> (b & 63) & 1)) {
                w[b >> 6] |= (uint64_t)1 << (b & 63);
                fc->ones[b]++;
            }
    }
    fc->nrows = r;
    free(fc->ent);
    fc->ent = NULL;
    fc->nent = fc->capent = 0;
    return 0;
}

void rtm_i_fcells_free(rtm_i_fcells *fc)
{
    free(fc->ent);
    free(fc->row);
    free(fc->bits);
    memset(fc, 0, sizeof *fc);
}

/* ---- proximity ---------------------------------------------------------- */

/* Proximity(lad[k]) = distance <= lad[k]: a cell at distance d has the bits
 * k >= the first k with d <= lad[k] (one distance surface for the ladder),
 * computed RTM_I_PROX_ROWS rows at a time: each value is an exact minimum,
 * the same whatever rows it is computed with (rtm/tile.h), and the scratch
 * stays a block's whatever the grid. */
static int proximity(const rtm_i_vctx *c, const rtm_factor_spec *f, const double *lad, int nl,
                     double *surf, rtm_i_fcells *fc, rtm_error *err)
{
    for (int a = c->r0; a < c->r1; a += RTM_I_PROX_ROWS) {
        int b = a + RTM_I_PROX_ROWS < c->r1 ? a + RTM_I_PROX_ROWS : c->r1;
        size_t base = (size_t)a * (size_t)c->g->ncols;
        int rc = rtm_distance_compute_rows(c->g, f->features, lad[nl - 1], 1, a, b, surf, err);
        if (rc)
            return rc;
        for (size_t q = c->rowstart[a]; q < c->rowstart[b]; q++) {
            double d = surf[c->cell[q - c->q0] - base];
            if (!(d <= lad[nl - 1]))
                continue;
            int k = 0;
            while (!(d <= lad[k]))
                k++;
            if (push(fc, (uint32_t)q, k, nl - 1))
                return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
        }
    }
    return 0;
}

/* ---- density ------------------------------------------------------------ */

/* Threshold mean + k SD of a density over the study-area cells
 * (rtm-method.md, Density), from statistics of each grid row combined in row
 * order. Row i's count n_i (its study cells), mean m_i and sum of squared
 * deviations M_i come from that row's values alone: the sum of its non-zero
 * values in column order over n_i, then M_i = sum over the non-zero values of
 * (v - m_i)^2 + (zeros) m_i^2. So they are the same whichever strip or
 * process computes them. The rows are then combined one after another in
 * row order by the pairwise update of Chan, Golub & LeVeque ("Algorithms
 * for computing the sample variance", The American Statistician 37(3),
 * 1983, 242-247):
 *   n = n_a + n_b, d = m_b - m_a, m = m_a + d n_b/n, M = M_a + M_b + d^2 n_a n_b/n,
 * and SD = sqrt(M/n). The same threshold whatever the tiling. */
typedef struct dens_rows {
    const rtm_i_vctx *c;
    double *rmean, *rm2; /* per grid row: m_i and M_i (0 for rows no kernel reaches) */
    int keep;            /* 1: keep the strip's non-zero values */
    uint32_t *q;         /* the strip's study rows with a non-zero density, ascending */
    double *v;           /* their values */
    size_t n, cap;
} dens_rows;

static int keep(dens_rows *D, size_t q, double v)
{
    if (D->n == D->cap) { /* q and v grow together: one capacity */
        size_t c1 = D->cap, c2 = D->cap;
        if (rtm_grow(&D->q, &c1, D->n + 1, sizeof *D->q, 4096) ||
            rtm_grow(&D->v, &c2, D->n + 1, sizeof *D->v, 4096))
            return RTM_ERR_NOMEM;
        D->cap = c1;
    }
    D->q[D->n] = (uint32_t)q;
    D->v[D->n++] = v;
    return 0;
}

/* Row i of a density (rtm_kde_rows_spans callback): its statistics, and its
 * non-zero values at study-area cells when it is a row of the strip. The
 * densities are >= 0 and +0 outside the spans. */
static int dens_row(int i, const double *row, const int *span, int ns, void *arg)
{
    dens_rows *D = arg;
    const rtm_i_vctx *c = D->c;
    const unsigned char *m = c->mask ? c->mask + (size_t)i * (size_t)c->g->ncols : NULL;
    size_t nr = c->rowstart[i + 1] - c->rowstart[i], nz = 0, q = c->rowstart[i];
    double sum = 0, mean, m2 = 0;
    if (nr == 0)
        return 0;
    for (int k = 0; k < ns; k++)
        for (int j = span[2 * k]; j < span[2 * k + 1]; j++)
            if (row[j] != 0 && (!m || m[j])) {
                sum += row[j];
                nz++;
            }
    mean = sum / (double)nr;
    for (int k = 0; k < ns; k++)
        for (int j = span[2 * k]; j < span[2 * k + 1]; j++)
            if (row[j] != 0 && (!m || m[j]))
                m2 += (row[j] - mean) * (row[j] - mean);
    D->rmean[i] = mean;
    D->rm2[i] = m2 + (double)(nr - nz) * (mean * mean);
    if (!D->keep || i < c->r0 || i >= c->r1 || nz == 0)
        return 0;
    for (int k = 0, pos = 0; k < ns; k++)
        for (int j = span[2 * k]; j < span[2 * k + 1]; j++) {
            if (row[j] == 0 || (m && !m[j]))
                continue;
            if (m) /* the study row of column j: the row's study cells before it */
                for (; pos < j; pos++)
                    q += m[pos] != 0;
            if (keep(D, m ? q : c->rowstart[i] + (size_t)j, row[j]))
                return RTM_ERR_NOMEM;
        }
    return 0;
}

/* mean + k SD from the rows' statistics (rmean, rm2: every grid row's),
 * combined in row order. */
static double dens_threshold(const rtm_i_vctx *c, const double *rmean, const double *rm2)
{
    double n = 0, mean = 0, m2 = 0;
    for (int i = 0; i < c->g->nrows; i++) {
        double ni = (double)(c->rowstart[i + 1] - c->rowstart[i]), t, d;
        if (ni == 0)
            continue;
        if (n == 0) {
            n = ni;
            mean = rmean[i];
            m2 = rm2[i];
            continue;
        }
        t = n + ni;
        d = rmean[i] - mean;
        mean += d * (ni / t);
        m2 += rm2[i] + d * d * (n * ni / t);
        n = t;
    }
    return mean + c->o->density_k * sqrt(m2 / n);
}

/* Density ko over grid rows [r0, r1): each row's statistics into D (0 for
 * the rows no kernel reaches) and, with D->keep, the strip's non-zero
 * values. */
static int dens_pass(const rtm_i_vctx *c, const double *x, const double *y, size_t np,
                     const rtm_kde_opts *ko, int r0, int r1, dens_rows *D, rtm_error *err)
{
    size_t nr = (size_t)c->g->nrows;
    D->n = 0;
    memset(D->rmean, 0, nr * sizeof *D->rmean);
    memset(D->rm2, 0, nr * sizeof *D->rm2);
    return rtm_kde_rows_spans(c->g, x, y, NULL, np, ko, r0, r1, dens_row, D, err);
}

/* Factor f's density points (points as they are; lines and polygons sampled
 * along their edges) as x, y (malloc'd), and D's row arrays. */
static int dens_setup(const rtm_i_vctx *c, const rtm_factor_spec *f, dens_rows *D, double **x,
                      double **y, size_t *np, rtm_error *err)
{
    double *xy = NULL;
    int rc;
    memset(D, 0, sizeof *D);
    D->c = c;
    *x = *y = NULL;
    *np = 0;
    if ((rc = rtm_features_sample_points(f->features, c->g->res / 2, &xy, np, err)))
        return rc;
    *x = malloc((*np ? *np : 1) * sizeof **x);
    *y = malloc((*np ? *np : 1) * sizeof **y);
    D->rmean = malloc((size_t)c->g->nrows * sizeof *D->rmean);
    D->rm2 = malloc((size_t)c->g->nrows * sizeof *D->rm2);
    if (!*x || !*y || !D->rmean || !D->rm2)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    for (size_t i = 0; !rc && i < *np; i++) {
        (*x)[i] = xy[2 * i];
        (*y)[i] = xy[2 * i + 1];
    }
    free(xy);
    return rc;
}

static void dens_free(dens_rows *D, double *x, double *y)
{
    free(D->q);
    free(D->v);
    free(D->rmean);
    free(D->rm2);
    free(x);
    free(y);
}

static void dens_kopts(const rtm_i_vctx *c, double radius, rtm_kde_opts *ko)
{
    rtm_kde_opts_init(ko);
    ko->kernel = c->o->density_kernel;
    ko->radius = radius;
    ko->units = RTM_UNITS_M2;
}

int rtm_i_factor_dens_stats(const rtm_i_vctx *c, const rtm_factor_spec *f, const double *lad,
                            int nl, double *mean, double *m2, rtm_error *err)
{
    double *x, *y;
    size_t np, rows = (size_t)(c->r1 - c->r0);
    dens_rows D;
    int rc = dens_setup(c, f, &D, &x, &y, &np, err);
    for (int k = 0; k < nl && !rc; k++) {
        rtm_kde_opts ko;
        dens_kopts(c, lad[k], &ko);
        if ((rc = dens_pass(c, x, y, np, &ko, c->r0, c->r1, &D, err)))
            break;
        memcpy(mean + (size_t)k * rows, D.rmean + c->r0, rows * sizeof *mean);
        memcpy(m2 + (size_t)k * rows, D.rm2 + c->r0, rows * sizeof *m2);
    }
    dens_free(&D, x, y);
    return rc;
}

/* Factor fi (f)'s density variables, bits bit0 .. bit0 + nl - 1: the
 * strip's densities and, when the rows' statistics are not given, every
 * other row's for the thresholds. */
static int density(const rtm_i_vctx *c, const rtm_factor_spec *f, int fi, const double *lad,
                   int nl, int bit0, rtm_i_fcells *fc, rtm_error *err)
{
    double *x, *y;
    size_t np, nr = (size_t)c->g->nrows;
    dens_rows D;
    int rc = dens_setup(c, f, &D, &x, &y, &np, err);
    D.keep = 1;
    for (int k = 0; k < nl && !rc; k++) {
        /* given: the strip's rows, the rows' statistics given; else every row */
        const rtm_varstats *gv = c->given;
        int v = gv ? rtm_i_varstats_find(gv, fi, k) : -1;
        rtm_kde_opts ko;
        double thr;
        if (gv && (v < 0 || gv->radius[v] != lad[k])) {
            rc = rtm_error_set(err, RTM_ERR_INPUT, "variables: the density statistics given "
                               "have no density of '%s' at %g", f->name, lad[k]);
            break;
        }
        dens_kopts(c, lad[k], &ko);
        if ((rc = dens_pass(c, x, y, np, &ko, gv ? c->r0 : 0, gv ? c->r1 : c->g->nrows, &D,
                            err)))
            break;
        thr = dens_threshold(c, gv ? gv->mean + (size_t)v * nr : D.rmean,
                             gv ? gv->m2 + (size_t)v * nr : D.rm2);
        /* surf > 0 and surf >= thr: the smallest positive double bounds it below */
        double lo = isnan(thr) ? NAN : fmax(thr, DBL_TRUE_MIN);
        fc->thr[bit0 + k] = thr;
        for (size_t e = 0; e < D.n && !rc; e++)
            if (D.v[e] >= lo && D.q[e] >= c->q0 && D.q[e] < c->q1 &&
                push(fc, D.q[e], bit0 + k, bit0 + k))
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
    dens_free(&D, x, y);
    return rc;
}

int rtm_i_factor_cells(const rtm_i_vctx *c, const rtm_factor_spec *f, int fi, rtm_op op,
                       const double *lad, int nl, double *surf, rtm_i_fcells *fc,
                       rtm_error *err)
{
    int rc = 0, np = (op & RTM_OP_PROXIMITY) ? nl : 0;
    memset(fc, 0, sizeof *fc);
    fc->nvar = np + ((op & RTM_OP_DENSITY) ? nl : 0);
    fc->nw = fc->nvar > 0 ? (fc->nvar + 63) / 64 : 1;
    for (int k = 0; k < fc->nvar; k++)
        fc->thr[k] = NAN;
    if (np && !rc)
        rc = proximity(c, f, lad, nl, surf, fc, err);
    if ((op & RTM_OP_DENSITY) && !rc)
        rc = density(c, f, fi, lad, nl, np, fc, err);
    if (!rc && merge_entries(fc))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (rc)
        rtm_i_fcells_free(fc);
    return rc;
}
