/* test_enet.c: pattern compression, the Poisson elastic-net path and its
 * cross-validation, against independent references:
 *  - patterns: brute-force per-row sums;
 *  - fits: R glmnet 4.1-6 output (tests/data/glmnet, written by
 *    tools/fixtures/make_glmnet_fixtures.R), a naive dense IRLS + coordinate
 *    descent over the raw cells written here, and the KKT conditions computed
 *    from scratch over the raw cells;
 *  - folds: the stratification property checked cell by cell;
 *  - determinism: same seed, 1 vs 2 threads, byte-identical results.
 */
#include "rtm/glm.h"
#include "rtm_test.h"

#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- fixtures (whitespace-separated numbers) ----------------------------- */

typedef struct {
    size_t n;
    int p;
    unsigned char *x;
    double *y;
} fixture_design;

static FILE *open_fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/glmnet/%s", rtm_test_data(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        fprintf(stderr, "cannot open fixture %s\n", path);
    return f;
}

static int load_design_file(fixture_design *fd, const char *name)
{
    FILE *f = open_fixture(name);
    if (!f)
        return -1;
    if (fscanf(f, "%zu %d", &fd->n, &fd->p) != 2) {
        fclose(f);
        return -1;
    }
    fd->x = malloc(fd->n * (size_t)fd->p);
    fd->y = malloc(fd->n * sizeof *fd->y);
    for (size_t i = 0; i < fd->n; i++) {
        for (int j = 0; j < fd->p; j++) {
            double v = 0;
            if (fscanf(f, "%lf", &v) != 1)
                v = -1;
            fd->x[i * (size_t)fd->p + (size_t)j] = (unsigned char)v;
        }
        if (fscanf(f, "%lf", &fd->y[i]) != 1)
            fd->y[i] = -1;
    }
    fclose(f);
    return 0;
}

static int load_design(fixture_design *fd)
{
    return load_design_file(fd, "design.txt");
}

static void free_design(fixture_design *fd)
{
    free(fd->x);
    free(fd->y);
}

/* Reads rows of `ncol` numbers; returns the number of rows (<= maxrow). */
static int load_rows(const char *name, int skip, int ncol, double *out, int maxrow)
{
    FILE *f = open_fixture(name);
    if (!f)
        return 0;
    double dummy;
    for (int s = 0; s < skip; s++)
        if (fscanf(f, "%lf", &dummy) != 1)
            break;
    int r = 0;
    for (; r < maxrow; r++) {
        int c = 0;
        for (; c < ncol; c++)
            if (fscanf(f, "%lf", &out[r * ncol + c]) != 1)
                break;
        if (c < ncol)
            break;
    }
    fclose(f);
    return r;
}

/* ---- independent references ---------------------------------------------- */

/* Column means and SDs (divisor n) over raw cells. */
static void col_stats(const unsigned char *x, size_t n, int p, double *m, double *s)
{
    for (int j = 0; j < p; j++) {
        double t = 0;
        for (size_t i = 0; i < n; i++)
            t += x[i * (size_t)p + (size_t)j];
        m[j] = t / (double)n;
        double v = 0;
        for (size_t i = 0; i < n; i++) {
            double d = x[i * (size_t)p + (size_t)j] - m[j];
            v += d * d;
        }
        s[j] = sqrt(v / (double)n);
    }
}

/* Largest KKT violation at (a0, beta) for penalty lambda, alpha, computed over
 * the raw cells on the standardised scale: gradient of -(1/N) loglik w.r.t.
 * b_j = beta_j s_j, plus the intercept's score. */
static double kkt_violation(const unsigned char *x, const double *y, size_t n, int p,
                            double a0, const double *beta, double lam, double alpha)
{
    double *m = malloc((size_t)p * sizeof *m), *s = malloc((size_t)p * sizeof *s);
    double *res = malloc(n * sizeof *res);
    col_stats(x, n, p, m, s);
    double worst = 0, r0 = 0;
    for (size_t i = 0; i < n; i++) {
        double eta = a0;
        for (int j = 0; j < p; j++)
            eta += beta[j] * x[i * (size_t)p + (size_t)j];
        res[i] = y[i] - exp(eta);
        r0 += res[i];
    }
    worst = fabs(r0 / (double)n);
    for (int j = 0; j < p; j++) {
        if (s[j] == 0)
            continue;
        double g = 0;
        for (size_t i = 0; i < n; i++)
            g -= (x[i * (size_t)p + (size_t)j] - m[j]) / s[j] * res[i];
        g /= (double)n;
        double b = beta[j] * s[j], v;
        if (beta[j] > 0)
            v = fabs(g + lam * (1 - alpha) * b + lam * alpha);
        else
            v = -(g + lam * alpha) > 0 ? -(g + lam * alpha) : 0;
        if (beta[j] < 0)
            v = INFINITY;
        if (v > worst)
            worst = v;
    }
    free(m);
    free(s);
    free(res);
    return worst;
}

/* Naive reference solver: dense standardised columns over every cell, IRLS
 * with plain cyclic coordinate descent (Friedman et al. 2010, eq. 10 with
 * the lower limit 0), iterated to a fixed point. Returns the original-scale
 * fit in a0, beta. Slow but obviously the definition. */
static void naive_fit(const unsigned char *x, const double *y, size_t n, int p, double lam,
                      double alpha, double *a0, double *beta)
{
    double *m = malloc((size_t)p * sizeof *m), *s = malloc((size_t)p * sizeof *s);
    double *z = malloc(n * (size_t)p * sizeof *z), *eta = malloc(n * sizeof *eta);
    double *w = malloc(n * sizeof *w), *wr = malloc(n * sizeof *wr);
    double *b = calloc((size_t)p, sizeof *b);
    col_stats(x, n, p, m, s);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < p; j++)
            z[i * (size_t)p + (size_t)j] =
                s[j] > 0 ? (x[i * (size_t)p + (size_t)j] - m[j]) / s[j] : 0;
    double ybar = 0;
    for (size_t i = 0; i < n; i++)
        ybar += y[i] / (double)n;
    double b0 = log(ybar);
    for (int outer = 0; outer < 500; outer++) {
        double change = 0;
        for (size_t i = 0; i < n; i++) {
            eta[i] = b0;
            for (int j = 0; j < p; j++)
                eta[i] += b[j] * z[i * (size_t)p + (size_t)j];
            double mu = exp(eta[i]);
            w[i] = mu / (double)n;
            wr[i] = (y[i] - mu) / (double)n; /* w * (working response - eta) */
        }
        for (int sweep = 0; sweep < 10000; sweep++) {
            double dmax = 0, sw = 0, sr = 0;
            for (size_t i = 0; i < n; i++)
                sw += w[i], sr += wr[i];
            double d0 = sr / sw;
            b0 += d0;
            for (size_t i = 0; i < n; i++)
                wr[i] -= w[i] * d0;
            for (int j = 0; j < p; j++) {
                if (s[j] == 0)
                    continue;
                double u = 0, v = 0;
                for (size_t i = 0; i < n; i++) {
                    double zij = z[i * (size_t)p + (size_t)j];
                    u += wr[i] * zij;
                    v += w[i] * zij * zij;
                }
                u += v * b[j];
                double nb = u - lam * alpha > 0 ? (u - lam * alpha) / (v + lam * (1 - alpha)) : 0;
                double d = nb - b[j];
                if (d != 0)
                    for (size_t i = 0; i < n; i++)
                        wr[i] -= w[i] * d * z[i * (size_t)p + (size_t)j];
                b[j] = nb;
                if (fabs(d) > dmax)
                    dmax = fabs(d);
                if (fabs(d) > change)
                    change = fabs(d);
            }
            if (fabs(d0) > change)
                change = fabs(d0);
            if (dmax < 1e-13 && fabs(d0) < 1e-13)
                break;
        }
        if (change < 1e-12)
            break;
    }
    *a0 = b0;
    for (int j = 0; j < p; j++) {
        beta[j] = s[j] > 0 ? b[j] / s[j] : 0;
        *a0 -= beta[j] * m[j];
    }
    free(m);
    free(s);
    free(z);
    free(eta);
    free(w);
    free(wr);
    free(b);
}

/* Deterministic small design with repeated rows (xorshift, Marsaglia 2003). */
static uint64_t xs_state = 88172645463325252ULL;
static double unif(void)
{
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return (double)(xs_state >> 11) / 9007199254740992.0;
}

static double rpois_knuth(double mu)
{
    double L = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= unif();
    } while (p > L);
    return k - 1;
}

static void small_design(size_t n, int p, unsigned char *x, double *y)
{
    xs_state = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        double eta = -0.5;
        for (int j = 0; j < p; j++) {
            unsigned char v = unif() < 0.15 + 0.1 * j;
            /* nested pairs: column 2k+1 includes column 2k */
            if (j % 2 == 1 && x[i * (size_t)p + (size_t)j - 1])
                v = 1;
            x[i * (size_t)p + (size_t)j] = v;
            eta += v * (j == 0 ? 0.9 : j == 3 ? 0.5 : j == 4 ? -0.3 : 0.0);
        }
        y[i] = rpois_knuth(exp(eta));
    }
}

/* ---- tests --------------------------------------------------------------- */

static void test_patterns_brute_force(void)
{
    enum { N = 400, P = 5, K = 3 };
    unsigned char x[N * P];
    double y[N];
    int fold[N];
    small_design(N, P, x, y);
    for (int i = 0; i < N; i++)
        fold[i] = (i * 7) % K;
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_error e;
    rtm_patterns *pt = rtm_patterns_build(&d, fold, K, &e);
    RTM_CHECK(pt != NULL);
    if (!pt)
        return;
    size_t m = rtm_patterns_count(pt);
    const unsigned char *px = rtm_patterns_x(pt);
    const uint32_t *rp = rtm_patterns_row_pattern(pt);
    RTM_CHECK(m <= 32 && m >= 2);
    /* every row maps to a pattern with its bits; patterns distinct */
    for (int i = 0; i < N; i++)
        RTM_CHECK(memcmp(px + rp[i] * P, x + i * P, P) == 0);
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
            RTM_CHECK(memcmp(px + a * P, px + b * P, P) != 0);
    /* sums by brute force */
    double totn = 0, toty = 0;
    for (size_t k = 0; k < m; k++) {
        for (int f = 0; f < K; f++) {
            double c = 0, s = 0, yl = 0;
            for (int i = 0; i < N; i++)
                if (memcmp(x + i * P, px + k * P, P) == 0 && fold[i] == f) {
                    c += 1, s += y[i];
                    yl += y[i] > 0 ? y[i] * log(y[i]) : 0;
                }
            RTM_CHECK_NEAR(rtm_patterns_n_fold(pt)[k * K + f], c, 0);
            RTM_CHECK_NEAR(rtm_patterns_sumy_fold(pt)[k * K + f], s, 0);
            RTM_CHECK_NEAR(rtm_patterns_ylogy_fold(pt)[k * K + f], yl, 1e-9);
        }
        totn += rtm_patterns_n(pt)[k];
        toty += rtm_patterns_sumy(pt)[k];
    }
    double sy = 0;
    for (int i = 0; i < N; i++)
        sy += y[i];
    RTM_CHECK_NEAR(totn, N, 0);
    RTM_CHECK_NEAR(toty, sy, 0);
    /* (pattern, y) pairs: multiplicities add up, sorted */
    const size_t *pp;
    const double *py, *pm;
    size_t q = rtm_patterns_pairs(pt, &pp, &py, &pm), cnt = 0;
    for (size_t a = 0; a < q; a++) {
        cnt += (size_t)pm[a];
        double c = 0;
        for (int i = 0; i < N; i++)
            c += rp[i] == pp[a] && y[i] == py[a];
        RTM_CHECK_NEAR(pm[a], c, 0);
        if (a)
            RTM_CHECK(pp[a] > pp[a - 1] || (pp[a] == pp[a - 1] && py[a] > py[a - 1]));
    }
    RTM_CHECK(cnt == N);
    /* column lists agree with the bits */
    const size_t *cp;
    const uint32_t *ci;
    size_t ones = rtm_patterns_columns(pt, &cp, &ci), tot1 = 0;
    for (int j = 0; j < P; j++)
        for (size_t k = 0; k < m; k++) {
            int found = 0;
            for (size_t q2 = cp[j]; q2 < cp[j + 1]; q2++)
                found += ci[q2] == k;
            RTM_CHECK(found == px[k * P + j]);
            tot1 += px[k * P + j];
        }
    RTM_CHECK(ones == tot1);
    rtm_patterns_free(pt);
    /* column subset: 2 columns give at most 4 patterns */
    int cols[2] = {4, 0};
    pt = rtm_patterns_build_cols(&d, cols, 2, NULL, 0, &e);
    RTM_CHECK(pt && rtm_patterns_count(pt) <= 4 && rtm_patterns_ncols(pt) == 2);
    if (pt)
        for (int i = 0; i < N; i++) {
            const unsigned char *b = rtm_patterns_x(pt) + rtm_patterns_row_pattern(pt)[i] * 2;
            RTM_CHECK(b[0] == x[i * P + 4] && b[1] == x[i * P]);
        }
    /* built without the cells' numbers (the culling's way): the same
     * patterns, sums, columns and pairs, for the compact form of the design
     * (no memory per cell) and the written-out one */
    {
        unsigned char *pat = malloc(N * P);
        uint32_t *rp = malloc(N * sizeof *rp);
        for (int i = 0; i < N; i++) { /* every row its own compact row */
            memcpy(pat + i * P, x + i * P, P);
            rp[i] = (uint32_t)(N - 1 - i);
        }
        for (int i = 0; i < N; i++)
            memcpy(pat + (size_t)rp[i] * P, x + i * P, P);
        rtm_design dc = {.n = N, .p = P, .y = y, .row_pat = rp, .npat = N, .pat = pat};
        rtm_patterns *a = rtm_patterns_build(&d, NULL, 0, &e);
        for (int form = 0; form < 2; form++) {
            rtm_patterns *b = rtm_patterns_build_sums(form ? &dc : &d, NULL, 0, &e);
            RTM_CHECK(a && b && !rtm_patterns_row_pattern(b));
            if (!a || !b) {
                rtm_patterns_free(b);
                continue;
            }
            size_t m = rtm_patterns_count(a), q;
            const size_t *pa, *pb, *ca, *cb;
            const uint32_t *ia, *ib;
            const double *ya, *yb, *ma, *mb;
            RTM_CHECK(rtm_patterns_count(b) == m);
            RTM_CHECK(!memcmp(rtm_patterns_x(a), rtm_patterns_x(b), m * P));
            RTM_CHECK(!memcmp(rtm_patterns_n(a), rtm_patterns_n(b), m * sizeof(double)));
            RTM_CHECK(!memcmp(rtm_patterns_sumy(a), rtm_patterns_sumy(b), m * sizeof(double)));
            RTM_CHECK(!memcmp(rtm_patterns_lgamma(a), rtm_patterns_lgamma(b), m * sizeof(double)));
            q = rtm_patterns_pairs(a, &pa, &ya, &ma);
            RTM_CHECK(rtm_patterns_pairs(b, &pb, &yb, &mb) == q);
            RTM_CHECK(!memcmp(pa, pb, q * sizeof *pa) && !memcmp(ya, yb, q * sizeof *ya) &&
                      !memcmp(ma, mb, q * sizeof *ma));
            size_t nz = rtm_patterns_columns(a, &ca, &ia);
            RTM_CHECK(rtm_patterns_columns(b, &cb, &ib) == nz);
            RTM_CHECK(!memcmp(ca, cb, (P + 1) * sizeof *ca) && !memcmp(ia, ib, nz * sizeof *ia));
            rtm_patterns_free(b);
        }
        rtm_patterns_free(a);
        free(pat);
        free(rp);
    }
    rtm_patterns_free(pt);
}

static void test_patterns_pairs_real_y(void)
{
    /* non-integer y: pairs come from per-pattern sorting (not counting) */
    enum { N = 300, P = 4 };
    unsigned char x[N * P];
    double y[N];
    small_design(N, P, x, y);
    for (int i = 0; i < N; i++)
        y[i] = y[i] * 0.5 + (i % 3 == 0 ? 0.25 : 0);
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_error e;
    rtm_patterns *pt = rtm_patterns_build(&d, NULL, 0, &e);
    RTM_CHECK(pt != NULL);
    if (!pt)
        return;
    const size_t *pp;
    const uint32_t *rp = rtm_patterns_row_pattern(pt);
    const double *py, *pm;
    size_t q = rtm_patterns_pairs(pt, &pp, &py, &pm), cnt = 0;
    for (size_t a = 0; a < q; a++) {
        double c = 0;
        for (int i = 0; i < N; i++)
            c += rp[i] == pp[a] && y[i] == py[a];
        RTM_CHECK_NEAR(pm[a], c, 0);
        cnt += (size_t)pm[a];
        if (a)
            RTM_CHECK(pp[a] > pp[a - 1] || (pp[a] == pp[a - 1] && py[a] > py[a - 1]));
    }
    RTM_CHECK(cnt == N);
    rtm_patterns_free(pt);
    /* an entry other than 0/1 is rejected while packing, and named */
    x[7 * P + 2] = 3;
    RTM_CHECK(rtm_patterns_build(&d, NULL, 0, &e) == NULL && e.code == RTM_ERR_INPUT &&
              strstr(e.msg, "row 7, column 2"));
    int cols[2] = {2, 0};
    RTM_CHECK(rtm_patterns_build_cols(&d, cols, 2, NULL, 0, &e) == NULL &&
              strstr(e.msg, "row 7, column 2"));
}

static void test_patterns_wide(void)
{
    /* p = 150 (three 64-bit words): rows differing only in column 140 */
    enum { N = 6, P = 150 };
    static unsigned char x[N * P];
    double y[N] = {1, 2, 3, 4, 5, 6};
    memset(x, 0, sizeof x);
    x[0 * P + 140] = x[2 * P + 140] = x[4 * P + 140] = 1;
    x[5 * P + 3] = 1;
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_error e;
    rtm_patterns *pt = rtm_patterns_build(&d, NULL, 0, &e);
    RTM_CHECK(pt && rtm_patterns_count(pt) == 3);
    if (pt) {
        RTM_CHECK(rtm_patterns_x(pt)[0 * P + 140] == 1 && rtm_patterns_x(pt)[2 * P + 3] == 1);
        RTM_CHECK(rtm_patterns_x(pt)[1 * P + 140] == 0 && rtm_patterns_x(pt)[2 * P + 140] == 0);
        RTM_CHECK_NEAR(rtm_patterns_sumy(pt)[0], 1 + 3 + 5, 0);
        RTM_CHECK_NEAR(rtm_patterns_sumy(pt)[1], 2 + 4, 0);
        RTM_CHECK_NEAR(rtm_patterns_sumy(pt)[2], 6, 0);
    }
    rtm_patterns_free(pt);
}

static void test_design_errors(void)
{
    unsigned char x[4] = {0, 1, 2, 0};
    double y[2] = {1, 2};
    rtm_design d = {2, 2, x, y, NULL, NULL, 0, NULL};
    rtm_error e;
    RTM_CHECK(rtm_design_check(&d, &e) == RTM_ERR_INPUT && strstr(e.msg, "column 0"));
    x[2] = 1;
    y[1] = -3;
    RTM_CHECK(rtm_design_check(&d, &e) == RTM_ERR_INPUT && strstr(e.msg, "-3"));
    y[1] = 0;
    int fold[2] = {0, 5};
    RTM_CHECK(rtm_patterns_build(&d, fold, 2, &e) == NULL && strstr(e.msg, "fold"));
}

/* Compare a path to a glmnet table of rows "lambda a0 beta_1..p". */
static void compare_path(const rtm_enet_path *pa, const double *tab, int stride, int off,
                         int nrow, double tol)
{
    int p = pa->p;
    RTM_CHECK(pa->nlambda == nrow);
    for (int l = 0; l < nrow && l < pa->nlambda; l++) {
        const double *row = tab + l * stride + off;
        RTM_CHECK_REL(pa->lambda[l], row[0], 1e-10, 1e-12);
        RTM_CHECK_NEAR(pa->a0[l], row[1], tol);
        for (int j = 0; j < p; j++)
            RTM_CHECK_NEAR(pa->beta[(size_t)l * (size_t)p + (size_t)j], row[2 + j], tol);
    }
}

/* The three ways of keeping the residual sums (rtm_enet_updates). */
static const rtm_enet_updates UPDATES[3] = {RTM_ENET_UPDATES_AUTO, RTM_ENET_UPDATES_NAIVE,
                                            RTM_ENET_UPDATES_COVARIANCE};

static void check_glmnet_fixed(double alpha, const char *file)
{
    fixture_design fd = {0};
    RTM_CHECK(load_design(&fd) == 0);
    if (!fd.x)
        return;
    enum { NL = 12 };
    double tab[NL * 14];
    int nrow = load_rows(file, 0, 2 + fd.p, tab, NL);
    RTM_CHECK(nrow == NL && fd.p == 12);
    double lam[NL];
    for (int l = 0; l < nrow; l++)
        lam[l] = tab[l * (2 + fd.p)];
    rtm_design d = {fd.n, fd.p, fd.x, fd.y, NULL, NULL, 0, NULL};
    for (int u = 0; u < 3; u++) {
        rtm_enet_opts o;
        rtm_enet_opts_init(&o);
        o.updates = UPDATES[u];
        o.alpha = alpha;
        o.lambda = lam;
        o.nlambda_user = nrow;
        o.thresh = 1e-14;
        rtm_enet_path *pa = NULL;
        rtm_error e;
        RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
        if (pa) {
            compare_path(pa, tab, 2 + fd.p, 0, nrow, 1e-4);
            /* KKT at every lambda, from scratch over the raw cells */
            for (int l = 0; l < pa->nlambda; l++)
                RTM_CHECK_NEAR(kkt_violation(fd.x, fd.y, fd.n, fd.p, pa->a0[l],
                                             pa->beta + (size_t)l * (size_t)fd.p, pa->lambda[l],
                                             alpha), 0, 1e-6);
        }
        rtm_enet_path_free(pa);
    }
    free_design(&fd);
}

static void test_glmnet_fixed_lasso(void) { check_glmnet_fixed(1.0, "path_a1.txt"); }
static void test_glmnet_fixed_mix(void) { check_glmnet_fixed(0.5, "path_a05.txt"); }

static void check_glmnet_cv(double alpha, const char *file)
{
    fixture_design fd = {0};
    RTM_CHECK(load_design(&fd) == 0);
    if (!fd.x)
        return;
    int *fold = malloc(fd.n * sizeof *fold);
    double *fv = malloc(fd.n * sizeof *fv);
    RTM_CHECK(load_rows("foldid.txt", 0, 1, fv, (int)fd.n) == (int)fd.n);
    for (size_t i = 0; i < fd.n; i++)
        fold[i] = (int)fv[i] - 1;
    double head[3];
    load_rows(file, 0, 3, head, 1);
    int nl = (int)head[0], stride = 3 + 1 + fd.p;
    double *tab = malloc((size_t)nl * (size_t)stride * sizeof *tab);
    RTM_CHECK(load_rows(file, 3, stride, tab, nl) == nl);
    rtm_design d = {fd.n, fd.p, fd.x, fd.y, NULL, NULL, 0, NULL};
    rtm_enet_opts o;
    rtm_enet_opts_init(&o);
    o.alpha = alpha;
    o.thresh = 1e-14;
    o.foldid = fold;
    rtm_enet_cv *cv = NULL;
    rtm_error e;
    RTM_CHECK(rtm_enet_cv_fit(&d, &o, &cv, &e) == 0);
    if (cv) {
        /* default lambda sequence (lambda_max rule) and the full path */
        RTM_CHECK(cv->path->nlambda == nl);
        for (int l = 0; l < nl && l < cv->path->nlambda; l++) {
            const double *row = tab + l * stride;
            RTM_CHECK_REL(cv->path->lambda[l], row[0], 1e-9, 1e-12);
            RTM_CHECK_REL(cv->cvm[l], row[1], 1e-5, 1e-3);
            RTM_CHECK_REL(cv->cvsd[l], row[2], 1e-4, 1e-4);
            RTM_CHECK_NEAR(cv->path->a0[l], row[3], 1e-4);
            for (int j = 0; j < fd.p; j++)
                RTM_CHECK_NEAR(cv->path->beta[(size_t)l * (size_t)fd.p + (size_t)j], row[4 + j],
                               1e-4);
        }
        for (int l = 0; l < cv->path->nlambda; l++)
            RTM_CHECK_NEAR(kkt_violation(fd.x, fd.y, fd.n, fd.p, cv->path->a0[l],
                                         cv->path->beta + (size_t)l * (size_t)fd.p,
                                         cv->path->lambda[l], alpha), 0, 1e-6);
        RTM_CHECK_REL(cv->lambda_min, head[1], 1e-9, 1e-12);
        RTM_CHECK_REL(cv->lambda_1se, head[2], 1e-9, 1e-12);
        RTM_CHECK(cv->lambda == cv->lambda_min);
        /* kept = non-zero at lambda.min in glmnet's path */
        const double *row = tab + cv->idx * stride;
        int nk = 0;
        for (int j = 0; j < fd.p; j++)
            nk += row[4 + j] > 0;
        RTM_CHECK(cv->nkept == nk);
        for (int q = 0; q < cv->nkept; q++)
            RTM_CHECK(row[4 + cv->kept[q]] > 0);
    }
    rtm_enet_cv_free(cv);
    free(tab);
    free(fold);
    free(fv);
    free_design(&fd);
}

static void test_glmnet_cv_lasso(void) { check_glmnet_cv(1.0, "cv_a1.txt"); }
static void test_glmnet_cv_mix(void) { check_glmnet_cv(0.5, "cv_a05.txt"); }

static void test_glmnet_early_stop(void)
{
    /* y = 3 x_1 is fitted almost exactly: glmnet stops the default path once
     * the deviance ratio exceeds 0.999. The problem is ill-conditioned (the
     * intercept heads to -Inf), hence the looser coefficient tolerance. */
    fixture_design fd = {0};
    RTM_CHECK(load_design_file(&fd, "early_design.txt") == 0);
    if (!fd.x)
        return;
    enum { MAXL = 100 };
    double tab[MAXL * 5];
    int nrow = load_rows("early_path.txt", 0, 2 + fd.p, tab, MAXL);
    RTM_CHECK(nrow > 5 && nrow < 100 && fd.p == 3);
    rtm_design d = {fd.n, fd.p, fd.x, fd.y, NULL, NULL, 0, NULL};
    rtm_enet_opts o;
    rtm_enet_opts_init(&o);
    o.thresh = 1e-14;
    rtm_enet_path *pa = NULL;
    rtm_error e;
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
    if (pa) {
        compare_path(pa, tab, 2 + fd.p, 0, nrow, 1e-3);
        RTM_CHECK(pa->dev_ratio[pa->nlambda - 1] > 0.999);
        RTM_CHECK(pa->dev_ratio[pa->nlambda - 2] <= 0.999);
    }
    rtm_enet_path_free(pa);
    o.stop_early = 0;
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
    RTM_CHECK(pa && pa->nlambda == 100);
    rtm_enet_path_free(pa);
    free_design(&fd);
}

static void test_naive_reference(void)
{
    /* Compressed fit vs the naive dense definition over raw cells. */
    enum { N = 300, P = 6 };
    unsigned char x[N * P];
    double y[N];
    small_design(N, P, x, y);
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    const double alphas[3] = {1.0, 0.3, 0.0};
    for (int a = 0; a < 3 * 3; a++) { /* every alpha with every kind of update */
        rtm_enet_opts o;
        rtm_enet_opts_init(&o);
        int ai = a % 3;
        o.updates = UPDATES[a / 3];
        o.alpha = alphas[ai];
        o.nlambda = 20;
        o.thresh = 1e-15;
        rtm_enet_path *pa = NULL;
        rtm_error e;
        RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
        if (!pa)
            continue;
        for (int l = 0; l < pa->nlambda; l += 3) {
            double a0, beta[P];
            naive_fit(x, y, N, P, pa->lambda[l], alphas[ai], &a0, beta);
            RTM_CHECK_NEAR(pa->a0[l], a0, 1e-7);
            for (int j = 0; j < P; j++)
                RTM_CHECK_NEAR(pa->beta[l * P + j], beta[j], 1e-7);
            RTM_CHECK_NEAR(kkt_violation(x, y, N, P, pa->a0[l], pa->beta + l * P, pa->lambda[l],
                                         alphas[ai]), 0, 1e-6);
        }
        /* all zero at lambda_max, the intercept log(ybar) */
        double ybar = 0;
        for (int i = 0; i < N; i++)
            ybar += y[i] / N;
        if (alphas[ai] > 0) { /* (for ridge, lambda_max is not a bound) */
            RTM_CHECK(pa->df[0] == 0);
            RTM_CHECK_NEAR(pa->a0[0], log(ybar), 1e-9);
        }
        rtm_enet_path_free(pa);
    }
}

/* Columns set in most patterns (enet.c keeps them as their complement):
 * nested columns x_j = [u < 0.95 - 0.15 j] give the staircase patterns
 * 00000, 10000, 11000, ..., so column 0 is set in 5 of the 6 patterns and
 * column 1 in 4; a sixth, independent column doubles the patterns. The
 * compressed fit against the naive dense definition, as above. */
static void test_naive_reference_dense(void)
{
    enum { N = 400, P = 6 };
    unsigned char x[N * P];
    double y[N];
    xs_state = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < N; i++) {
        double u = unif(), eta = -0.8;
        for (int j = 0; j < P - 1; j++)
            x[i * P + (size_t)j] = u < 0.95 - 0.15 * j;
        x[i * P + P - 1] = unif() < 0.5;
        eta += 0.6 * x[i * P + 0] + 0.4 * x[i * P + 2] + 0.3 * x[i * P + P - 1];
        y[i] = rpois_knuth(exp(eta));
    }
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    const double alphas[2] = {1.0, 0.5};
    for (int a = 0; a < 2 * 3; a++) { /* every alpha with every kind of update */
        rtm_enet_opts o;
        rtm_enet_path *pa = NULL;
        rtm_error e;
        int nonzero = 0;
        rtm_enet_opts_init(&o);
        int ai = a % 2;
        o.updates = UPDATES[a / 2];
        o.alpha = alphas[ai];
        o.nlambda = 20;
        o.thresh = 1e-15;
        RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
        if (!pa)
            continue;
        for (int l = 0; l < pa->nlambda; l += 2) {
            double a0, beta[P];
            naive_fit(x, y, N, P, pa->lambda[l], alphas[ai], &a0, beta);
            RTM_CHECK_NEAR(pa->a0[l], a0, 1e-7);
            for (int j = 0; j < P; j++)
                RTM_CHECK_NEAR(pa->beta[l * P + j], beta[j], 1e-7);
            nonzero += beta[0] > 0;
        }
        RTM_CHECK(nonzero > 0); /* the densest column enters the path */
        rtm_enet_path_free(pa);
    }
}

/* Naive and covariance updates (and the automatic switch between them)
 * reach the same path on a design like an RTM's: four factors, each at six
 * nested distances (x_{f,d} = [distance_f < d], so the columns are strongly
 * correlated and coordinate descent needs many sweeps per IRLS step, and the
 * widest are kept as complements), plus two independent columns. Each path
 * also meets the KKT conditions, computed from scratch over the raw cells. */
static void test_updates_agree_nested(void)
{
    enum { N = 6000, F = 4, D = 6, P = F * D + 2 };
    unsigned char *x = malloc((size_t)N * P);
    double *y = malloc(N * sizeof *y);
    RTM_CHECK(x && y);
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    xs_state = 0x2545F4914F6CDD1DULL;
    for (size_t i = 0; i < N; i++) {
        double eta = -1.2;
        for (int f = 0; f < F; f++) {
            double dist = unif() * (1.5 + 0.5 * f);
            for (int d = 0; d < D; d++) {
                unsigned char v = dist < 0.1 + 0.2 * d;
                x[i * P + (size_t)(f * D + d)] = v;
                eta += v * (f == 0 && d == 1 ? 0.7 : f == 2 && d == 4 ? 0.35 : 0.0);
            }
        }
        x[i * P + F * D] = unif() < 0.3;
        x[i * P + F * D + 1] = unif() < 0.6;
        eta += 0.25 * x[i * P + F * D];
        y[i] = rpois_knuth(exp(eta));
    }
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_enet_path *pa[3] = {NULL, NULL, NULL};
    for (int u = 0; u < 3; u++) {
        rtm_enet_opts o;
        rtm_error e;
        rtm_enet_opts_init(&o);
        o.updates = UPDATES[u];
        o.nlambda = 40;
        o.thresh = 1e-14;
        RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa[u], &e) == 0);
    }
    if (pa[0] && pa[1] && pa[2]) {
        RTM_CHECK(pa[0]->nlambda == pa[1]->nlambda && pa[2]->nlambda == pa[1]->nlambda);
        RTM_CHECK(pa[1]->df[pa[1]->nlambda - 1] >= 10); /* many columns active */
        for (int u = 0; u < 3; u += 2)
            for (int l = 0; l < pa[1]->nlambda && l < pa[u]->nlambda; l++) {
                RTM_CHECK_NEAR(pa[u]->a0[l], pa[1]->a0[l], 1e-8);
                for (int j = 0; j < P; j++)
                    RTM_CHECK_NEAR(pa[u]->beta[l * P + j], pa[1]->beta[l * P + j], 1e-8);
            }
        for (int u = 0; u < 3; u++)
            for (int l = 0; l < pa[u]->nlambda; l += 5)
                RTM_CHECK_NEAR(kkt_violation(x, y, N, P, pa[u]->a0[l], pa[u]->beta + l * P,
                                             pa[u]->lambda[l], 1.0),
                               0, 1e-6);
    }
    for (int u = 0; u < 3; u++)
        rtm_enet_path_free(pa[u]);
    free(x);
    free(y);
}

/* Every kind of update on many random designs with nested columns and
 * effects of both signs (so that a column's gradient rises and falls as
 * others move within a step, and the automatic switch happens at varied
 * points): every lambda of the path meets the KKT conditions computed from
 * scratch over the raw cells. */
static void test_updates_kkt_random(void)
{
    enum { N = 1500, F = 3, D = 5, P = F * D + 3, DESIGNS = 12 };
    unsigned char *x = malloc((size_t)N * P);
    double *y = malloc(N * sizeof *y), worst = 0;
    RTM_CHECK(x && y);
    for (int t = 0; x && y && t < DESIGNS; t++) {
        xs_state = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(t + 1) * 0xBF58476D1CE4E5B9ULL;
        double eff[P];
        for (int j = 0; j < P; j++)
            eff[j] = unif() < 0.3 ? 1.6 * (unif() - 0.35) : 0;
        for (size_t i = 0; i < N; i++) {
            double eta = -1.0;
            for (int f = 0; f < F; f++) {
                double dist = unif() * (1.2 + 0.6 * f);
                for (int d = 0; d < D; d++)
                    x[i * P + (size_t)(f * D + d)] = dist < 0.08 + 0.22 * d;
            }
            for (int j = F * D; j < P; j++)
                x[i * P + (size_t)j] = unif() < 0.2 + 0.2 * (j - F * D);
            for (int j = 0; j < P; j++)
                eta += eff[j] * x[i * P + (size_t)j];
            y[i] = rpois_knuth(exp(eta));
        }
        rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
        for (int u = 0; u < 3; u++) {
            rtm_enet_opts o;
            rtm_enet_path *pa = NULL;
            rtm_error e;
            rtm_enet_opts_init(&o);
            o.updates = UPDATES[u];
            o.nlambda = 30;
            o.thresh = 1e-14;
            RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == 0);
            for (int l = 0; pa && l < pa->nlambda; l++) {
                double v = kkt_violation(x, y, N, P, pa->a0[l], pa->beta + l * P,
                                         pa->lambda[l], 1.0);
                if (v > worst)
                    worst = v;
            }
            rtm_enet_path_free(pa);
        }
    }
    RTM_CHECK_NEAR(worst, 0, 1e-7);
    free(x);
    free(y);
}

static void test_folds_stratified(void)
{
    enum { N = 1003, K = 5 };
    double y[N];
    int f1[N], f2[N], f3[N];
    for (int i = 0; i < N; i++)
        y[i] = (double)((i * 37) % 11 == 0 ? (i % 7) : 0);
    rtm_error e;
    RTM_CHECK(rtm_enet_folds(y, N, K, 42, f1, &e) == 0);
    RTM_CHECK(rtm_enet_folds(y, N, K, 42, f2, &e) == 0);
    RTM_CHECK(rtm_enet_folds(y, N, K, 43, f3, &e) == 0);
    RTM_CHECK(memcmp(f1, f2, sizeof f1) == 0);
    RTM_CHECK(memcmp(f1, f3, sizeof f1) != 0);
    /* sort (y, index) by brute force: each consecutive block of K holds
     * distinct folds */
    int order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    for (int i = 1; i < N; i++) /* insertion sort, stable on index */
        for (int k = i; k > 0 && y[order[k - 1]] > y[order[k]]; k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    for (int s = 0; s < N; s += K) {
        int seen[K] = {0};
        for (int q = s; q < s + K && q < N; q++) {
            RTM_CHECK(f1[order[q]] >= 0 && f1[order[q]] < K);
            RTM_CHECK(!seen[f1[order[q]]]);
            seen[f1[order[q]]] = 1;
        }
    }
    /* fold sizes differ by at most one; y totals are balanced */
    int size[K] = {0};
    for (int i = 0; i < N; i++)
        size[f1[i]]++;
    for (int k = 0; k < K; k++)
        RTM_CHECK(size[k] == N / K || size[k] == N / K + 1);
    RTM_CHECK(rtm_enet_folds(y, 3, K, 1, f1, &e) == RTM_ERR_ARG);
}

/* Small integer counts take the counting path (a byte per cell, no cell
 * order); counts shifted by 2^20 keep the same (y, index) order but take
 * the comparison sort: both must deal the same folds, for few folds and
 * for more than a byte holds (that case sorts too). */
static void test_folds_counted_equals_sorted(void)
{
    enum { N = 2051 };
    static double y[N], ys[N];
    static int fc[N], fs[N];
    rtm_error e;
    for (int i = 0; i < N; i++) {
        y[i] = (double)((i * 7919) % 13 == 0 ? (i % 9) : (i % 31 == 0));
        ys[i] = y[i] + 1048576.0;
    }
    int ks[] = {2, 5, 10, 300};
    for (int t = 0; t < 4; t++) {
        RTM_CHECK(rtm_enet_folds(y, N, ks[t], 7, fc, &e) == 0);
        RTM_CHECK(rtm_enet_folds(ys, N, ks[t], 7, fs, &e) == 0);
        RTM_CHECK(memcmp(fc, fs, sizeof fc) == 0);
    }
    /* and the folds depend on y's order: another order, other folds */
    for (int i = 0; i < N; i++)
        ys[i] = (double)(N - i);
    RTM_CHECK(rtm_enet_folds(ys, N, 5, 7, fs, &e) == 0);
    RTM_CHECK(rtm_enet_folds(y, N, 5, 7, fc, &e) == 0);
    RTM_CHECK(memcmp(fc, fs, sizeof fc) != 0);
}

/* A progress hook's record: every fraction, in order. */
typedef struct {
    double f[4096];
    int n, bad;
} prog_rec;

static int record_progress(double frac, const char *msg, void *arg)
{
    prog_rec *r = arg;
    if (strcmp(msg, "lambda") || r->n >= 4096)
        r->bad = 1;
    else
        r->f[r->n++] = frac;
    return 1;
}

static void test_determinism_threads(void)
{
    enum { N = 3000, P = 8 };
    static prog_rec pr;
    unsigned char *x = malloc(N * P);
    double *y = malloc(N * sizeof *y);
    small_design(N, P, x, y);
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_enet_cv *cv[3] = {NULL, NULL, NULL};
    for (int t = 0; t < 3; t++) {
        rtm_enet_opts o;
        rtm_enet_opts_init(&o);
        o.nfolds = 4;
        o.seed = 7;
        o.nthreads = t == 0 ? 1 : 2;
        if (t == 2) { /* a progress hook changes nothing (compared below) */
            o.progress = record_progress;
            o.progress_arg = &pr;
        }
        rtm_error e;
        RTM_CHECK(rtm_enet_cv_fit(&d, &o, &cv[t], &e) == 0);
    }
    /* the share of the lambdas done: rising in (0, 1], one call a lambda of
     * each of the 5 paths, 1 at the end */
    RTM_CHECK(!pr.bad && cv[2] && pr.n >= cv[2]->path->nlambda + 1 && pr.n <= 5 * 100 + 1);
    for (int i = 0; i < pr.n; i++)
        RTM_CHECK(pr.f[i] > 0 && pr.f[i] <= 1 && (i == 0 || pr.f[i] >= pr.f[i - 1]));
    RTM_CHECK(pr.n > 0 && pr.f[pr.n - 1] == 1.0);
    if (cv[0] && cv[1] && cv[2]) {
        for (int t = 1; t < 3; t++) {
            size_t nl = (size_t)cv[0]->path->nlambda;
            RTM_CHECK(cv[t]->path->nlambda == cv[0]->path->nlambda);
            RTM_CHECK(memcmp(cv[t]->foldid, cv[0]->foldid, N * sizeof(int)) == 0);
            RTM_CHECK(memcmp(cv[t]->cvm, cv[0]->cvm, nl * sizeof(double)) == 0);
            RTM_CHECK(memcmp(cv[t]->cvsd, cv[0]->cvsd, nl * sizeof(double)) == 0);
            RTM_CHECK(memcmp(cv[t]->path->beta, cv[0]->path->beta, nl * P * sizeof(double)) == 0);
            RTM_CHECK(cv[t]->idx == cv[0]->idx && cv[t]->nkept == cv[0]->nkept);
        }
        RTM_CHECK(cv[0]->seed == 7);
        /* the chosen lambda minimises cvm; the 1se lambda is no smaller */
        for (int l = 0; l < cv[0]->path->nlambda; l++)
            RTM_CHECK(cv[0]->cvm[l] >= cv[0]->cvm[cv[0]->idx_min]);
        RTM_CHECK(cv[0]->lambda_1se >= cv[0]->lambda_min);
        RTM_CHECK(cv[0]->nkept >= 1);
    }
    for (int t = 0; t < 3; t++)
        rtm_enet_cv_free(cv[t]);
    free(x);
    free(y);
}

static void test_cv_exact_by_hand(void)
{
    /* RTM_ENET_ALIGN_EXACT: cvm recomputed by hand from per-fold fits of the
     * raw training cells at the full-data lambdas and the held-out deviance
     * summed over raw cells. */
    enum { N = 900, P = 6, K = 3 };
    unsigned char *x = malloc(N * P), *xt = malloc(N * P);
    double *y = malloc(N * sizeof *y), *yt = malloc(N * sizeof *yt);
    small_design(N, P, x, y);
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    rtm_enet_opts o;
    rtm_enet_opts_init(&o);
    o.nfolds = K;
    o.seed = 5;
    o.nlambda = 15;
    o.cv_align = RTM_ENET_ALIGN_EXACT;
    rtm_enet_cv *cv = NULL;
    rtm_error e;
    RTM_CHECK(rtm_enet_cv_fit(&d, &o, &cv, &e) == 0);
    if (!cv)
        goto out;
    int nl = cv->path->nlambda;
    double *raw = calloc((size_t)K * (size_t)nl, sizeof *raw), nf[K] = {0};
    for (int f = 0; f < K; f++) {
        size_t nt = 0;
        for (int i = 0; i < N; i++)
            if (cv->foldid[i] != f) {
                memcpy(xt + nt * P, x + i * P, P);
                yt[nt++] = y[i];
            } else {
                nf[f] += 1;
            }
        rtm_design dt = {nt, P, xt, yt, NULL, NULL, 0, NULL};
        rtm_enet_opts of = o;
        of.lambda = cv->path->lambda;
        of.nlambda_user = nl;
        rtm_enet_path *pa = NULL;
        RTM_CHECK(rtm_enet_path_fit(&dt, &of, &pa, &e) == 0);
        for (int l = 0; pa && l < nl; l++)
            for (int i = 0; i < N; i++) {
                if (cv->foldid[i] != f)
                    continue;
                double eta = pa->a0[l];
                for (int j = 0; j < P; j++)
                    eta += pa->beta[l * P + j] * x[i * P + j];
                double mu = exp(eta), yi = y[i];
                raw[f * nl + l] += 2 * ((yi > 0 ? yi * log(yi / mu) : 0) - (yi - mu));
            }
        rtm_enet_path_free(pa);
    }
    for (int l = 0; l < nl; l++) {
        double m = 0, v = 0;
        for (int f = 0; f < K; f++)
            m += raw[f * nl + l] / N; /* sum_f n_f (dev_f / n_f) / N */
        for (int f = 0; f < K; f++)
            v += nf[f] * pow(raw[f * nl + l] / nf[f] - m, 2);
        RTM_CHECK_REL(cv->cvm[l], m, 1e-9, 1e-12);
        RTM_CHECK_REL(cv->cvsd[l], sqrt(v / N / (K - 1)), 1e-7, 1e-12);
    }
    free(raw);
out:
    rtm_enet_cv_free(cv);
    free(x);
    free(xt);
    free(y);
    free(yt);
}

static void test_alphas(void)
{
    /* the kept fit is the alpha whose own CV minimum is smallest */
    enum { N = 1500, P = 6 };
    unsigned char *x = malloc(N * P);
    double *y = malloc(N * sizeof *y);
    small_design(N, P, x, y);
    rtm_design d = {N, P, x, y, NULL, NULL, 0, NULL};
    const double alphas[3] = {1.0, 0.95, 0.5};
    double cvmin[3], single[3];
    rtm_enet_opts o;
    rtm_enet_opts_init(&o);
    o.seed = 11;
    rtm_error e;
    for (int a = 0; a < 3; a++) {
        rtm_enet_cv *cv = NULL;
        o.alpha = alphas[a];
        RTM_CHECK(rtm_enet_cv_fit(&d, &o, &cv, &e) == 0);
        single[a] = cv ? cv->cvm[cv->idx_min] : NAN;
        rtm_enet_cv_free(cv);
    }
    int want = 0;
    for (int a = 1; a < 3; a++)
        if (single[a] < single[want])
            want = a;
    rtm_enet_cv *cv = NULL;
    int best = -1;
    RTM_CHECK(rtm_enet_cv_fit_alphas(&d, &o, alphas, 3, &cv, &best, cvmin, &e) == 0);
    RTM_CHECK(best == want);
    for (int a = 0; a < 3; a++)
        RTM_CHECK_NEAR(cvmin[a], single[a], 0);
    if (cv)
        RTM_CHECK_NEAR(cv->path->alpha, alphas[want], 0);
    rtm_enet_cv_free(cv);
    free(x);
    free(y);
}

static void test_errors(void)
{
    unsigned char x[8] = {1, 0, 0, 1, 1, 1, 0, 0};
    double y[4] = {0, 0, 0, 0};
    rtm_design d = {4, 2, x, y, NULL, NULL, 0, NULL};
    rtm_enet_opts o;
    rtm_enet_path *pa = NULL;
    rtm_error e;
    rtm_enet_opts_init(&o);
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == RTM_ERR_MODEL && strstr(e.msg, "zero"));
    o.alpha = -0.5;
    o.nfolds = 1;
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "alpha") && strstr(e.msg, "nfolds")); /* all problems */
    rtm_enet_opts_init(&o);
    o.updates = (rtm_enet_updates)3;
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == RTM_ERR_ARG && strstr(e.msg, "updates"));
    rtm_enet_opts_init(&o);
    y[0] = 1;
    unsigned char xc[8] = {1, 0, 1, 0, 1, 0, 1, 0}; /* both columns constant */
    d.x = xc;
    RTM_CHECK(rtm_enet_path_fit(&d, &o, &pa, &e) == RTM_ERR_MODEL && strstr(e.msg, "constant"));
    RTM_CHECK(pa == NULL);
}

int main(void)
{
    RTM_RUN(test_patterns_brute_force);
    RTM_RUN(test_patterns_pairs_real_y);
    RTM_RUN(test_patterns_wide);
    RTM_RUN(test_design_errors);
    RTM_RUN(test_glmnet_fixed_lasso);
    RTM_RUN(test_glmnet_fixed_mix);
    RTM_RUN(test_glmnet_cv_lasso);
    RTM_RUN(test_glmnet_cv_mix);
    RTM_RUN(test_glmnet_early_stop);
    RTM_RUN(test_updates_agree_nested);
    RTM_RUN(test_updates_kkt_random);
    RTM_RUN(test_naive_reference);
    RTM_RUN(test_naive_reference_dense);
    RTM_RUN(test_folds_stratified);
    RTM_RUN(test_folds_counted_equals_sorted);
    RTM_RUN(test_determinism_threads);
    RTM_RUN(test_cv_exact_by_hand);
    RTM_RUN(test_alphas);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
