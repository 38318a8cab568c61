/* glm_data.c: count data aggregated by pattern for the GLM fits, and the
 * helpers shared by the Poisson and NB fits (see rtm/glm.h, glm_internal.h);
 * the fits themselves are called from glm_fit.c.
 *
 * A log-link count model on binary columns predicts the same mean for every
 * cell with the same pattern, so the Poisson log-likelihood needs only
 * (cells, sum y) per pattern and the NB ones the distinct (pattern, y) pairs
 * with multiplicities. rtm_glm_data_build() gets them from rtm_patterns
 * (rtm/glm.h); rtm_glm_data_subset() merges the patterns of a larger
 * aggregate, which is what stepwise search uses for its many small fits.
 */
#include "model/glm_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rtm_family_name(rtm_family fam)
{
    switch (fam) {
    case RTM_FAMILY_POISSON: return "poisson";
    case RTM_FAMILY_NB2: return "nb2";
    case RTM_FAMILY_NBII: return "nbii";
    }
    return "unknown";
}

void rtm_glm_opts_init(rtm_glm_opts *o)
{
    o->max_iter = 100;
    o->tol = 1e-12;
    o->max_abs_coef = 25;
    o->min_theta = 1e-6;
    o->max_theta = 1e7;
    o->min_log_sigma = -16;
}

void rtm_glm_data_free(rtm_glm_data *g)
{
    if (!g)
        return;
    free(g->cols);
    free(g->x);
    free(g->cnt);
    free(g->sumy);
    free(g->pair_start);
    free(g->pair_y);
    free(g->pair_w);
    free(g->pair_yi);
    free(g->yval);
    free(g);
}

int rtm_glm_data_ncols(const rtm_glm_data *g) { return g->k; }
int rtm_glm_data_col(const rtm_glm_data *g, int j) { return g->cols[j]; }
size_t rtm_glm_data_npatterns(const rtm_glm_data *g) { return g->m; }
size_t rtm_glm_data_npairs(const rtm_glm_data *g) { return g->q; }

/* Allocate every array of g for m patterns, q pairs, k columns. */
static rtm_glm_data *data_alloc(int k, size_t m, size_t q)
{
    rtm_glm_data *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->k = k;
    g->m = m;
    g->q = q;
    g->cols = malloc((size_t)(k > 0 ? k : 1) * sizeof *g->cols);
    g->x = calloc(m * (size_t)(k > 0 ? k : 1), 1);
    g->cnt = calloc(m, sizeof *g->cnt);
    g->sumy = calloc(m, sizeof *g->sumy);
    g->pair_start = calloc(m + 1, sizeof *g->pair_start);
    g->pair_y = malloc((q ? q : 1) * sizeof *g->pair_y);
    g->pair_w = malloc((q ? q : 1) * sizeof *g->pair_w);
    g->pair_yi = malloc((q ? q : 1) * sizeof *g->pair_yi);
    if (!g->cols || !g->x || !g->cnt || !g->sumy || !g->pair_start || !g->pair_y || !g->pair_w ||
        !g->pair_yi) {
        rtm_glm_data_free(g);
        return NULL;
    }
    return g;
}

/* Totals over cells that every fit needs: sum y, sum log y!, sum y log y. */
static void data_totals(rtm_glm_data *g)
{
    g->sum_y = g->sum_lfact = g->sum_ylogy = g->cells_with_events = 0;
    for (size_t e = 0; e < g->q; e++) {
        double y = g->pair_y[e], w = g->pair_w[e];
        g->sum_y += w * y;
        g->sum_lfact += w * lgamma(y + 1);
        if (y > 0) {
            g->sum_ylogy += w * y * log(y);
            g->cells_with_events += w;
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* The distinct y values (yval) and each pair's index among them. */
static int index_y(rtm_glm_data *g)
{
    g->yval = malloc((g->q ? g->q : 1) * sizeof *g->yval);
    if (!g->yval)
        return -1;
    memcpy(g->yval, g->pair_y, g->q * sizeof *g->yval);
    qsort(g->yval, g->q, sizeof *g->yval, cmp_double);
    size_t ny = 0;
    for (size_t e = 0; e < g->q; e++)
        if (ny == 0 || g->yval[e] != g->yval[ny - 1])
            g->yval[ny++] = g->yval[e];
    g->ny = ny;
    for (size_t e = 0; e < g->q; e++) {
        size_t lo = 0, hi = ny - 1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (g->yval[mid] < g->pair_y[e])
                lo = mid + 1;
            else
                hi = mid;
        }
        g->pair_yi[e] = (int)lo;
    }
    return 0;
}

rtm_glm_data *rtm_glm_data_build(const rtm_design *d, const int *cols, int k, rtm_error *err)
{
    static const int none[1] = {0};
    if (!d)
        return rtm_error_set(err, RTM_ERR_ARG, "glm: no design"), NULL;
    if (!cols)
        k = d->p;
    if (k < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "glm: negative column count (%d)", k), NULL;
    /* the data are the patterns' sums and pairs: no per-cell numbers */
    rtm_patterns *pt = rtm_i_patterns_build_cols_sums(d, cols ? (k ? cols : none) : NULL, k, err);
    if (!pt)
        return NULL;
    const size_t *pp;
    const double *py, *pw;
    size_t m = rtm_patterns_count(pt), q = rtm_patterns_pairs(pt, &pp, &py, &pw);
    rtm_glm_data *g = data_alloc(k, m, q);
    if (!g) {
        rtm_patterns_free(pt);
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory (%zu patterns)", m), NULL;
    }
    for (int j = 0; j < k; j++)
        g->cols[j] = cols ? cols[j] : j;
    g->names = d->names;
    g->n = d->n;
    if (k > 0)
        memcpy(g->x, rtm_patterns_x(pt), m * (size_t)k);
    memcpy(g->cnt, rtm_patterns_n(pt), m * sizeof *g->cnt);
    memcpy(g->sumy, rtm_patterns_sumy(pt), m * sizeof *g->sumy);
    memcpy(g->pair_y, py, q * sizeof *py);
    memcpy(g->pair_w, pw, q * sizeof *pw);
    for (size_t e = 0; e < q; e++)
        g->pair_start[pp[e] + 1]++;
    for (size_t i = 0; i < m; i++)
        g->pair_start[i + 1] += g->pair_start[i];
    rtm_patterns_free(pt);
    if (index_y(g)) {
        rtm_glm_data_free(g);
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory (%zu pairs)", q), NULL;
    }
    data_totals(g);
    return g;
}

/* FNV-1a over the k bytes of a pattern (Fowler, Noll & Vo); only speed
 * depends on it: equal patterns are confirmed with memcmp. */
static uint64_t hash_bytes(const unsigned char *s, int k)
{
    uint64_t h = 1469598103934665603ULL;
    for (int j = 0; j < k; j++)
        h = (h ^ s[j]) * 1099511628211ULL;
    return h;
}

/* Map each base pattern to a pattern of the subset columns (numbered in order
 * of first appearance); returns the number of sub patterns or SIZE_MAX. */
static size_t subset_patterns(const rtm_glm_data *b, const int *sub, int k, size_t *map,
                              unsigned char *xs)
{
    size_t cap = 16, m = 0;
    while (cap < 2 * b->m)
        cap *= 2;
    size_t *slot = malloc(cap * sizeof *slot);
    unsigned char *key = malloc((size_t)(k > 0 ? k : 1));
    if (!slot || !key) {
        free(slot);
        free(key);
        return SIZE_MAX;
    }
    for (size_t s = 0; s < cap; s++)
        slot[s] = SIZE_MAX;
    for (size_t i = 0; i < b->m; i++) {
        for (int j = 0; j < k; j++)
            key[j] = b->x[i * (size_t)b->k + (size_t)sub[j]];
        size_t s = (size_t)hash_bytes(key, k) & (cap - 1);
        while (slot[s] != SIZE_MAX && memcmp(xs + slot[s] * (size_t)k, key, (size_t)k) != 0)
            s = (s + 1) & (cap - 1);
        if (slot[s] == SIZE_MAX) {
            slot[s] = m;
            if (k > 0)
                memcpy(xs + m * (size_t)k, key, (size_t)k);
            m++;
        }
        map[i] = slot[s];
    }
    free(slot);
    free(key);
    return m;
}

typedef struct { double y, w; int yi; } yw_pair;

static int cmp_yw(const void *a, const void *b)
{
    double u = ((const yw_pair *)a)->y, v = ((const yw_pair *)b)->y;
    return (u > v) - (u < v);
}

/* Pairs of the sub patterns through a dense (pattern, y index) table: one
 * pass over the base pairs, one over the table (in pattern, then y order). */
static int subset_pairs_dense(const rtm_glm_data *b, const size_t *map, rtm_glm_data *g)
{
    size_t ny = b->ny;
    double *acc = calloc(g->m * ny, sizeof *acc);
    if (!acc)
        return -1;
    for (size_t i = 0; i < b->m; i++)
        for (size_t e = b->pair_start[i]; e < b->pair_start[i + 1]; e++)
            acc[map[i] * ny + (size_t)b->pair_yi[e]] += b->pair_w[e];
    size_t q = 0;
    for (size_t s = 0; s < g->m; s++) {
        g->pair_start[s] = q;
        for (size_t t = 0; t < ny; t++)
            if (acc[s * ny + t] > 0) {
                g->pair_y[q] = b->yval[t];
                g->pair_yi[q] = (int)t;
                g->pair_w[q] = acc[s * ny + t];
                q++;
            }
    }
    g->pair_start[g->m] = q;
    g->q = q;
    free(acc);
    return 0;
}

/* Bucket the base pairs by sub pattern, sort each bucket by y, merge equal y
 * (for many sub patterns, where the dense table would be larger than this). */
static int subset_pairs(const rtm_glm_data *b, const size_t *map, rtm_glm_data *g)
{
    if (g->m * b->ny <= 4 * b->q + 65536)
        return subset_pairs_dense(b, map, g);
    size_t *start = calloc(g->m + 1, sizeof *start), *fill = malloc((g->m + 1) * sizeof *fill);
    yw_pair *buf = malloc((b->q ? b->q : 1) * sizeof *buf);
    if (!start || !fill || !buf) {
        free(start);
        free(fill);
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < b->m; i++)
        start[map[i] + 1] += b->pair_start[i + 1] - b->pair_start[i];
    for (size_t s = 0; s < g->m; s++)
        start[s + 1] += start[s];
    memcpy(fill, start, (g->m + 1) * sizeof *fill);
    for (size_t i = 0; i < b->m; i++)
        for (size_t e = b->pair_start[i]; e < b->pair_start[i + 1]; e++)
            buf[fill[map[i]]++] = (yw_pair){b->pair_y[e], b->pair_w[e], b->pair_yi[e]};
    size_t q = 0;
    for (size_t s = 0; s < g->m; s++) {
        qsort(buf + start[s], start[s + 1] - start[s], sizeof *buf, cmp_yw);
        g->pair_start[s] = q;
        for (size_t e = start[s]; e < start[s + 1]; e++) {
            if (e > start[s] && buf[e].y == g->pair_y[q - 1]) {
                g->pair_w[q - 1] += buf[e].w;
                continue;
            }
            g->pair_y[q] = buf[e].y;
            g->pair_yi[q] = buf[e].yi;
            g->pair_w[q] = buf[e].w;
            q++;
        }
    }
    g->pair_start[g->m] = q;
    g->q = q;
    free(start);
    free(fill);
    free(buf);
    return 0;
}

rtm_glm_data *rtm_glm_data_subset(const rtm_glm_data *b, const int *sub, int k, rtm_error *err)
{
    if (!b || k < 0 || (k > 0 && !sub))
        return rtm_error_set(err, RTM_ERR_ARG, "glm: bad column subset"), NULL;
    for (int j = 0; j < k; j++) {
        if (sub[j] < 0 || sub[j] >= b->k)
            return rtm_error_set(err, RTM_ERR_ARG, "glm: subset column %d out of range [0, %d)",
                                 sub[j], b->k), NULL;
        for (int i = 0; i < j; i++)
            if (sub[i] == sub[j])
                return rtm_error_set(err, RTM_ERR_ARG, "glm: subset column %d given twice",
                                     sub[j]), NULL;
    }
    size_t *map = malloc((b->m ? b->m : 1) * sizeof *map);
    unsigned char *xs = malloc(b->m * (size_t)(k > 0 ? k : 1));
    rtm_glm_data *g = NULL;
    size_t m = (map && xs) ? subset_patterns(b, sub, k, map, xs) : SIZE_MAX;
    if (m != SIZE_MAX)
        g = data_alloc(k, m, b->q);
    if (!g || subset_pairs(b, map, g)) {
        free(map);
        free(xs);
        rtm_glm_data_free(g);
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory (%zu patterns)", b->m),
               NULL;
    }
    if (k > 0)
        memcpy(g->x, xs, m * (size_t)k);
    g->ny = b->ny;
    g->yval = malloc((b->ny ? b->ny : 1) * sizeof *g->yval);
    if (!g->yval) {
        free(map);
        free(xs);
        rtm_glm_data_free(g);
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory"), NULL;
    }
    memcpy(g->yval, b->yval, b->ny * sizeof *g->yval);
    for (size_t i = 0; i < b->m; i++) {  /* fixed order: base pattern order */
        g->cnt[map[i]] += b->cnt[i];
        g->sumy[map[i]] += b->sumy[i];
    }
    for (int j = 0; j < k; j++)
        g->cols[j] = b->cols[sub[j]];
    g->names = b->names;
    g->n = b->n;
    free(map);
    free(xs);
    data_totals(g);
    return g;
}

const char *rtm_glm_i_colname(const rtm_glm_data *g, int j, char *buf, size_t len)
{
    if (g->names && g->names[g->cols[j]])
        snprintf(buf, len, "%s", g->names[g->cols[j]]);
    else
        snprintf(buf, len, "column %d", g->cols[j]);
    return buf;
}

/* Per column: cells and events where it is 1. */
static void column_totals(const rtm_glm_data *g, int j, double *c1, double *y1)
{
    *c1 = *y1 = 0;
    for (size_t i = 0; i < g->m; i++)
        if (g->x[i * (size_t)g->k + (size_t)j]) {
            *c1 += g->cnt[i];
            *y1 += g->sumy[i];
        }
}

/* Structural collinearity: X' diag(cells) X singular (exact zero pivots up
 * to rounding: the entries are integers). Returns the failing pivot or -1. */
static int collinear(const rtm_glm_data *g, rtm_error *err, int *piv)
{
    int p = g->k + 1;
    double *a = calloc((size_t)p * (size_t)p, sizeof *a);
    if (!a)
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory");
    for (size_t i = 0; i < g->m; i++) {
        const unsigned char *x = g->x + i * (size_t)g->k;
        for (int r = 0; r < p; r++)
            for (int c = 0; c <= r; c++)
                if ((r == 0 || x[r - 1]) && (c == 0 || x[c - 1]))
                    a[r * p + c] += g->cnt[i];
    }
    *piv = rtm_glm_i_chol(a, p);
    free(a);
    return 0;
}

int rtm_glm_i_check(const rtm_glm_data *g, rtm_family fam, rtm_error *err)
{
    const char *fn = rtm_family_name(fam);
    char nm[256];
    if (g->sum_y <= 0)
        return rtm_error_set(err, RTM_ERR_MODEL, "glm: %s: no events (every count is 0)", fn);
    if (g->cells_with_events < 2)
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "glm: %s: all %g events are in one cell; the model is degenerate",
                             fn, g->sum_y);
    for (int j = 0; j < g->k; j++) {
        double c1, y1;
        column_totals(g, j, &c1, &y1);
        rtm_glm_i_colname(g, j, nm, sizeof nm);
        if (c1 == 0 || c1 == (double)g->n)
            return rtm_error_set(err, RTM_ERR_MODEL,
                                 "glm: %s: variable '%s' is constant (%d in every cell)", fn,
                                 nm, c1 == 0 ? 0 : 1);
        if (y1 == 0)
            return rtm_error_set(err, RTM_ERR_MODEL,
                                 "glm: %s: variable '%s' has no events where it is 1: its "
                                 "coefficient diverges to -inf (separation)", fn, nm);
        if (y1 == g->sum_y)
            return rtm_error_set(err, RTM_ERR_MODEL,
                                 "glm: %s: all events are where variable '%s' is 1: the fitted "
                                 "mean elsewhere goes to 0 (separation)", fn, nm);
    }
    int piv = -1, rc = collinear(g, err, &piv);
    if (rc)
        return rc;
    if (piv > 0)
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "glm: %s: variable '%s' is collinear with the intercept or the "
                             "variables before it", fn,
                             rtm_glm_i_colname(g, piv - 1, nm, sizeof nm));
    return 0;
}

double rtm_glm_i_eta(const rtm_glm_data *g, size_t i, const double *b)
{
    const unsigned char *x = g->x + i * (size_t)g->k;
    double eta = b[0];
    for (int j = 0; j < g->k; j++)
        if (x[j])
            eta += b[j + 1];
    return eta;
}

int rtm_glm_i_chol(double *a, int n)
{
    for (int j = 0; j < n; j++) {
        double s = a[j * n + j], scale = fabs(a[j * n + j]);
        for (int k = 0; k < j; k++)
            s -= a[j * n + k] * a[j * n + k];
        /* relative pivot test: a pivot lost to cancellation means the column
         * is (numerically) a combination of the earlier ones */
        if (!(s > 1e-10 * scale) || !(s > 0))
            return j;
        double d = sqrt(s);
        a[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double t = a[i * n + j];
            for (int k = 0; k < j; k++)
                t -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = t / d;
        }
    }
    return -1;
}

void rtm_glm_i_chol_solve(const double *l, int n, double *b)
{
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[i * n + k] * b[k];
        b[i] = s / l[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < n; k++)
            s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

void rtm_glm_i_chol_invdiag(const double *l, int n, double *d, double *work)
{
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++)
            work[i] = i == j;
        rtm_glm_i_chol_solve(l, n, work);
        d[j] = work[j];
    }
}

int rtm_glm_i_fit_alloc(rtm_glm_fit *f, const rtm_glm_data *g, rtm_family fam, rtm_error *err)
{
    size_t k = (size_t)(g->k > 0 ? g->k : 1);
    memset(f, 0, sizeof *f);
    f->cols = malloc(k * sizeof *f->cols);
    f->beta = malloc(k * sizeof *f->beta);
    f->se = malloc(k * sizeof *f->se);
    f->z = malloc(k * sizeof *f->z);
    f->p = malloc(k * sizeof *f->p);
    if (!f->cols || !f->beta || !f->se || !f->z || !f->p) {
        rtm_glm_fit_free(f);
        return rtm_error_set(err, RTM_ERR_NOMEM, "glm: out of memory");
    }
    f->family = fam;
    f->k = g->k;
    f->n = g->n;
    for (int j = 0; j < g->k; j++)
        f->cols[j] = g->cols[j];
    return 0;
}

void rtm_glm_fit_free(rtm_glm_fit *f)
{
    if (!f)
        return;
    free(f->cols);
    free(f->beta);
    free(f->se);
    free(f->z);
    free(f->p);
    memset(f, 0, sizeof *f);
}

/* Two-sided p-value of a Wald z from the standard normal: P(|Z| > |z|) =
 * erfc(|z| / sqrt 2). */
static double wald_p(double z)
{
    return erfc(fabs(z) / sqrt(2.0));
}

int rtm_glm_i_fit_finish(rtm_glm_fit *f, const rtm_glm_data *g, const double *b,
                         const double *se, double max_abs, rtm_error *err)
{
    char nm[256];
    const char *fn = rtm_family_name(f->family);
    int worst = -1;
    for (int j = 0; j <= g->k; j++)
        if (!(fabs(b[j]) <= max_abs) && (worst < 0 || fabs(b[j]) > fabs(b[worst])))
            worst = j;
    if (worst == 0)
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "glm: %s: the intercept diverges (%g): the events are separated "
                             "by the variables", fn, b[0]);
    if (worst > 0)
        return rtm_error_set(err, RTM_ERR_MODEL,
                             "glm: %s: coefficient of variable '%s' diverges (%g): separation",
                             fn, rtm_glm_i_colname(g, worst - 1, nm, sizeof nm), b[worst]);
    for (int j = 0; j <= g->k; j++)
        if (!isfinite(se[j]) || !(se[j] > 0))
            return rtm_error_set(err, RTM_ERR_MODEL,
                                 "glm: %s: singular information for %s", fn,
                                 j ? rtm_glm_i_colname(g, j - 1, nm, sizeof nm) : "the intercept");
    f->intercept = b[0];
    f->intercept_se = se[0];
    f->intercept_z = b[0] / se[0];
    f->intercept_p = wald_p(f->intercept_z);
    for (int j = 0; j < g->k; j++) {
        f->beta[j] = b[j + 1];
        f->se[j] = se[j + 1];
        f->z[j] = b[j + 1] / se[j + 1];
        f->p[j] = wald_p(f->z[j]);
    }
    f->aic = -2 * f->loglik + 2.0 * f->df;
    f->bic = -2 * f->loglik + f->df * log((double)g->n);
    f->converged = 1;
    return 0;
}
