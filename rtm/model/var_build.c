/* var_build.c: the candidate variables of one risk factor, as the cells
 * where any of them is 1 (see rtm/model.h and var_build.h).
 *
 * A factor's variables are thresholds of a few surfaces: Proximity(d) of the
 * distance to the features (one surface for the whole ladder), Density(d) of
 * the kernel density of radius d. Beyond the largest distance, and where no
 * kernel reaches, every variable is 0; so only the cells some feature can
 * reach are visited (the density row by row through rtm_kde_rows), and a
 * factor yields the sorted list of study-area rows with a 1 and their bits.
 * The values, thresholds and bits are those of the full surfaces, bit for
 * bit: the density threshold's sums are taken over every study-area cell in
 * cell order, the zero cells' terms added as a sequential loop would
 * (rtm_i_add_repeated).
 */
#include "core/grow.h"
#include "model/var_build.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double rtm_i_add_repeated(double s, double c, size_t z)
{
    /* s + c + ... + c (z additions, each rounded to nearest). For s >= c > 0
     * in the binade [top/2, top) every double is a multiple of u = ulp(s),
     * and s + c rounds to s + d with d = fl(s + c) - s the same for every s
     * of the binade while s + c < top, unless c/u is an odd multiple of 1/2
     * (a tie, whose rounding depends on the parity of s): stretches of
     * equal steps are added at once as k*d (exact), the rest one by one. */
    while (z > 0) {
        double t = s + c;
        if (t == s)
            return s; /* c below half an ulp: nothing more changes */
        int e;
        if (!(c > 0) || !(s >= c) || !isfinite(t) || (frexp(s, &e), e - 53 < -1000)) {
            s = t;
            z--;
            continue;
        }
        double u = ldexp(1.0, e - 53), top = ldexp(1.0, e), cu = c / u, d = t - s;
        double room = ((top - s) - c) / d; /* steps that keep s + c < top */
        size_t k = 0;
        if (cu - floor(cu) != 0.5 && room > 2)
            k = room - 1 > (double)z ? z : (size_t)(room - 1);
        if (k == 0) {
            s = t;
            z--;
            continue;
        }
        s += (double)k * d;
        z -= k;
    }
    return s;
}

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
 * k >= the first k with d <= lad[k] (one distance surface for the ladder). */
static int proximity(const rtm_i_vctx *c, const rtm_factor_spec *f, const double *lad, int nl,
                     double *surf, rtm_i_fcells *fc, rtm_error *err)
{
    /* the strip's rows only: each value is the whole grid's (rtm/tile.h) */
    int rc = rtm_distance_compute_rows(c->g, f->features, lad[nl - 1], 1, c->r0, c->r1, surf,
                                       err);
    size_t base = (size_t)c->r0 * (size_t)c->g->ncols;
    if (rc)
        return rc;
    for (size_t q = c->q0; q < c->q1; q++) {
        double d = surf[c->cell[q - c->q0] - base];
        if (!(d <= lad[nl - 1]))
            continue;
        int k = 0;
        while (!(d <= lad[k]))
            k++;
        if (push(fc, (uint32_t)q, k, nl - 1))
            return rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
    return 0;
}

/* ---- density ------------------------------------------------------------ */

typedef struct dens_rows {
    const rtm_i_vctx *c;
    int pass;         /* 0: keep every value (one pass: the whole grid); for a strip,
                         1: the sum only, 2: the squares, keeping the strip's values */
    uint32_t *q;      /* study rows with a non-zero density kept, ascending */
    double *v;        /* their values */
    size_t n, cap;
    double sum;       /* sum of the values in cell order */
    double mean, ss;  /* pass 2: the mean, and the squares summed so far */
    size_t prev;      /* pass 2: the study row after the last non-zero one */
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

/* The two-pass variance's terms of the non-zero value v at study row q, the
 * zero cells before it added in runs exactly as one by one (rtm-method.md;
 * dens_threshold takes the same steps from kept values). */
static double add_square(double ss, double mean, size_t *prev, size_t q, double v)
{
    ss = rtm_i_add_repeated(ss, (0 - mean) * (0 - mean), q - *prev);
    *prev = q + 1;
    return ss + (v - mean) * (v - mean);
}

/* Row i's non-zero values at study-area cells (rtm_kde_rows callback), as
 * the pass wants them. The densities are >= 0 and +0 where no kernel
 * reaches, so the sum in cell order of the non-zero ones is the sum over
 * every cell. */
static int dens_row(int i, const double *row, void *arg)
{
    dens_rows *D = arg;
    const rtm_i_vctx *c = D->c;
    const unsigned char *m = c->mask ? c->mask + (size_t)i * (size_t)c->g->ncols : NULL;
    int j = -1;
    for (size_t q = c->rowstart[i]; q < c->rowstart[i + 1]; q++) {
        /* the row's study cells in order, from the mask (no cell list of
         * the whole grid: a strip holds its own rows' only) */
        j++;
        while (m && !m[j])
            j++;
        double v = row[j];
        if (v == 0)
            continue;
        if (D->pass < 2)
            D->sum += v;
        else
            D->ss = add_square(D->ss, D->mean, &D->prev, q, v);
        if ((D->pass == 0 || (D->pass == 2 && q >= c->q0 && q < c->q1)) && keep(D, q, v))
            return RTM_ERR_NOMEM;
    }
    return 0;
}

/* Density threshold: mean + k*SD over the n study-area cells, the two-pass
 * mean and variance in cell order (rtm-method.md), from every value kept. */
static double dens_threshold(const dens_rows *D, size_t n, double k)
{
    double mean = D->sum / (double)n, ss = 0;
    size_t prev = 0;
    for (size_t e = 0; e < D->n; e++)
        ss = add_square(ss, mean, &prev, D->q[e], D->v[e]);
    ss = rtm_i_add_repeated(ss, (0 - mean) * (0 - mean), n - prev);
    return mean + k * sqrt(ss / (double)n);
}

/* The threshold of density surface ko over the whole grid, keeping in D the
 * values the strip needs: the whole grid in one pass, keeping every value;
 * a strip in two passes of the same densities (the sum, then the squares),
 * keeping only the strip's values, so that its memory is the strip's. The
 * same operations in the same order either way: the same threshold. */
static int dens_pass(const rtm_i_vctx *c, const double *x, const double *y, size_t np,
                     const rtm_kde_opts *ko, dens_rows *D, double *thr, rtm_error *err)
{
    int strip = c->q0 > 0 || c->q1 < c->n, rc;
    D->n = 0;
    D->sum = D->ss = 0;
    D->prev = 0;
    D->pass = strip;
    if ((rc = rtm_kde_rows(c->g, x, y, NULL, np, ko, dens_row, D, err)))
        return rc;
    if (!strip) {
        *thr = dens_threshold(D, c->n, c->o->density_k);
        return 0;
    }
    D->mean = D->sum / (double)c->n;
    D->pass = 2;
    if ((rc = rtm_kde_rows(c->g, x, y, NULL, np, ko, dens_row, D, err)))
        return rc;
    D->ss = rtm_i_add_repeated(D->ss, (0 - D->mean) * (0 - D->mean), c->n - D->prev);
    *thr = D->mean + c->o->density_k * sqrt(D->ss / (double)c->n);
    return 0;
}

static int density(const rtm_i_vctx *c, const rtm_factor_spec *f, const double *lad, int nl,
                   int bit0, rtm_i_fcells *fc, rtm_error *err)
{
    double *xy = NULL, *x = NULL, *y = NULL;
    size_t np = 0;
    dens_rows D;
    int rc;
    memset(&D, 0, sizeof D);
    D.c = c;
    /* points as they are; lines and polygons sampled along their edges */
    if ((rc = rtm_features_sample_points(f->features, c->g->res / 2, &xy, &np, err)))
        return rc;
    x = malloc((np ? np : 1) * sizeof *x);
    y = malloc((np ? np : 1) * sizeof *y);
    if (!x || !y)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    for (size_t i = 0; !rc && i < np; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
    }
    for (int k = 0; k < nl && !rc; k++) {
        rtm_kde_opts ko;
        rtm_kde_opts_init(&ko);
        ko.kernel = c->o->density_kernel;
        ko.radius = lad[k];
        ko.units = RTM_UNITS_M2;
        double thr;
        if ((rc = dens_pass(c, x, y, np, &ko, &D, &thr, err)))
            break;
        /* surf > 0 and surf >= thr: the smallest positive double bounds it below */
        double lo = isnan(thr) ? NAN : fmax(thr, DBL_TRUE_MIN);
        fc->thr[bit0 + k] = thr;
        for (size_t e = 0; e < D.n && !rc; e++)
            if (D.v[e] >= lo && D.q[e] >= c->q0 && D.q[e] < c->q1 &&
                push(fc, D.q[e], bit0 + k, bit0 + k))
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    }
    free(D.q);
    free(D.v);
    free(xy);
    free(x);
    free(y);
    return rc;
}

int rtm_i_factor_cells(const rtm_i_vctx *c, const rtm_factor_spec *f, rtm_op op,
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
        rc = density(c, f, lad, nl, np, fc, err);
    if (!rc && merge_entries(fc))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "variables: out of memory");
    if (rc)
        rtm_i_fcells_free(fc);
    return rc;
}
