/* test_glm.c: Poisson, NB2 and NBII fits against R (glm, MASS::glm.nb, an
 * optim() NB1 fit: fixtures made by tools/fixtures/make_glm_fixtures.R, on a
 * moderately overdispersed design and a sparse one with theta < 1), an
 * in-test derivative-free maximisation of the NB1 likelihood, per-cell
 * likelihoods, and the degenerate-data errors. */
#include "rtm/glm.h"
#include "rtm_test.h"

/* ---- fixtures ---- */

typedef struct {
    size_t n;
    int p;
    unsigned char *x;
    double *y;
    char **names;
} fx_design;

static int read_design_file(fx_design *d, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/glm/%s", rtm_test_data(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "%zu %d", &d->n, &d->p) == 2;
    d->x = malloc(d->n * (size_t)d->p);
    d->y = malloc(d->n * sizeof *d->y);
    d->names = calloc((size_t)d->p, sizeof *d->names);
    for (int j = 0; ok && j < d->p; j++) {
        d->names[j] = malloc(128);
        ok = fscanf(f, "%127s", d->names[j]) == 1;
    }
    for (size_t i = 0; ok && i < d->n; i++) {
        ok = fscanf(f, "%lf", &d->y[i]) == 1;
        for (int j = 0; ok && j < d->p; j++) {
            int v;
            ok = fscanf(f, "%d", &v) == 1;
            d->x[i * (size_t)d->p + (size_t)j] = (unsigned char)v;
        }
    }
    fclose(f);
    return ok ? 0 : -1;
}

static int read_design(fx_design *d)
{
    return read_design_file(d, "design.txt");
}

static void free_design(fx_design *d)
{
    for (int j = 0; j < d->p; j++)
        free(d->names[j]);
    free(d->names);
    free(d->x);
    free(d->y);
}

static rtm_design view(const fx_design *d)
{
    return (rtm_design){.n = d->n, .p = d->p, .x = d->x, .y = d->y,
                        .names = (const char *const *)d->names};
}

typedef struct {
    int k, cols[16];
    double est[17], se[17];
    double loglik, aic, bic, deviance, theta, theta_se, log_sigma, log_sigma_se;
} fx_fit;

static int read_fit(const char *name, fx_fit *r)
{
    char path[1024], key[64], nm[128];
    snprintf(path, sizeof path, "%s/glm/%s", rtm_test_data(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    memset(r, 0, sizeof *r);
    int ok = fscanf(f, "%d", &r->k) == 1 && r->k <= 16, nc = 0;
    for (int j = 0; ok && j < r->k; j++)
        ok = fscanf(f, "%d", &r->cols[j]) == 1;
    while (ok && fscanf(f, "%63s", key) == 1) {
        double v;
        char val[64];
        if (!strcmp(key, "coef")) {
            ok = fscanf(f, "%127s %lf %lf", nm, &r->est[nc], &r->se[nc]) == 3 && nc < 17;
            nc++;
            continue;
        }
        ok = fscanf(f, "%63s", val) == 1;
        v = strcmp(val, "NA") ? strtod(val, NULL) : NAN;
        if (!strcmp(key, "loglik")) r->loglik = v;
        else if (!strcmp(key, "aic")) r->aic = v;
        else if (!strcmp(key, "bic")) r->bic = v;
        else if (!strcmp(key, "deviance")) r->deviance = v;
        else if (!strcmp(key, "theta")) r->theta = v;
        else if (!strcmp(key, "theta_se")) r->theta_se = v;
        else if (!strcmp(key, "log_sigma")) r->log_sigma = v;
        else if (!strcmp(key, "log_sigma_se")) r->log_sigma_se = v;
    }
    fclose(f);
    return ok && nc == r->k + 1 ? 0 : -1;
}

/* Coefficients and SEs: relative 1e-4 of the R value (absolute below 1e-2:
 * floor 1e-2, i.e. |diff| <= 1e-6 there); loglik, AIC, BIC, deviance:
 * absolute 1e-4. */
static void compare(const rtm_glm_fit *f, const fx_fit *r, double tol)
{
    RTM_CHECK(f->k == r->k);
    RTM_CHECK_REL(f->intercept, r->est[0], tol, 1e-2);
    RTM_CHECK_REL(f->intercept_se, r->se[0], tol, 1e-2);
    for (int j = 0; j < r->k && j < f->k; j++) {
        RTM_CHECK(f->cols[j] == r->cols[j]);
        RTM_CHECK_REL(f->beta[j], r->est[j + 1], tol, 1e-2);
        RTM_CHECK_REL(f->se[j], r->se[j + 1], tol, 1e-2);
    }
    RTM_CHECK_NEAR(f->loglik, r->loglik, 1e-4);
    RTM_CHECK_NEAR(f->aic, r->aic, 1e-4);
    RTM_CHECK_NEAR(f->bic, r->bic, 1e-4);
    if (!isnan(r->deviance))
        RTM_CHECK_NEAR(f->deviance, r->deviance, 1e-4);
}

static void fixture_case(rtm_family fam, const char *file, double tol)
{
    fx_design d;
    fx_fit r;
    rtm_glm_fit f;
    rtm_error e;
    const char *dfile = strstr(file, "sparse") ? "design_sparse.txt" : "design.txt";
    RTM_CHECK(read_design_file(&d, dfile) == 0);
    RTM_CHECK(read_fit(file, &r) == 0);
    rtm_design v = view(&d);
    int rc = rtm_glm_fit_cols(&v, r.cols, r.k, fam, NULL, &f, &e);
    RTM_CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
    } else {
        compare(&f, &r, tol);
        if (fam == RTM_FAMILY_NB2) {
            RTM_CHECK_REL(f.theta, r.theta, tol, 1e-2);
            RTM_CHECK_REL(f.theta_se, r.theta_se, tol, 1e-2);
        }
        if (fam == RTM_FAMILY_NBII) {
            RTM_CHECK_REL(f.log_sigma, r.log_sigma, tol, 1e-2);
            RTM_CHECK_REL(f.log_sigma_se, r.log_sigma_se, tol, 1e-2);
        }
        RTM_CHECK(f.converged == 1);
        rtm_glm_fit_free(&f);
    }
    free_design(&d);
}

static void test_poisson_vs_r(void)
{
    fixture_case(RTM_FAMILY_POISSON, "poisson_all.txt", 1e-4);
    fixture_case(RTM_FAMILY_POISSON, "poisson_sub.txt", 1e-4);
    fixture_case(RTM_FAMILY_POISSON, "poisson_sparse.txt", 1e-4);
}

static void test_nb2_vs_glm_nb(void)
{
    fixture_case(RTM_FAMILY_NB2, "nb2_all.txt", 1e-4);
    fixture_case(RTM_FAMILY_NB2, "nb2_sub.txt", 1e-4);
    fixture_case(RTM_FAMILY_NB2, "nb2_sparse.txt", 1e-4);
}

static void test_nbii_vs_r_optim(void)
{
    fixture_case(RTM_FAMILY_NBII, "nb1_all.txt", 1e-4);
    fixture_case(RTM_FAMILY_NBII, "nb1_sub.txt", 1e-4);
    fixture_case(RTM_FAMILY_NBII, "nb1_sparse.txt", 1e-4);
}

/* ---- independent per-cell likelihoods ---- */

static double eta_of(const rtm_design *d, size_t i, const int *cols, int k, const double *b)
{
    double eta = b[0];
    for (int j = 0; j < k; j++)
        eta += b[j + 1] * d->x[i * (size_t)d->p + (size_t)cols[j]];
    return eta;
}

/* log P(y) for Poisson (a unused), NB2 (size exp(a)), NB1 (size mu/exp(a)),
 * straight from the probability function; Gamma(y + size)/Gamma(size) as the
 * product size (size + 1) ... (size + y - 1) (y is a small integer here), which
 * stays exact for huge sizes. */
static double cell_ll(rtm_family fam, double y, double eta, double a)
{
    double mu = exp(eta);
    if (fam == RTM_FAMILY_POISSON)
        return y * eta - mu - lgamma(y + 1);
    double size = fam == RTM_FAMILY_NB2 ? exp(a) : mu / exp(a), lg = 0;
    for (int j = 0; j < (int)y; j++)
        lg += log(size + j);
    return lg - lgamma(y + 1) - size * log1p(mu / size) + y * log(mu / (size + mu));
}

static double total_ll(const rtm_design *d, const int *cols, int k, rtm_family fam,
                       const double *par)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += cell_ll(fam, d->y[i], eta_of(d, i, cols, k, par), par[k + 1]);
    return s;
}

static void fit_params(const rtm_glm_fit *f, double *par)
{
    par[0] = f->intercept;
    for (int j = 0; j < f->k; j++)
        par[j + 1] = f->beta[j];
    par[f->k + 1] = f->family == RTM_FAMILY_NB2 ? log(f->theta) : f->log_sigma;
}

/* The aggregated likelihood equals the per-cell sum at the fitted values. */
static void test_loglik_per_cell(void)
{
    fx_design d;
    RTM_CHECK(read_design(&d) == 0);
    rtm_design v = view(&d);
    int cols[3] = {5, 0, 3};
    rtm_family fams[3] = {RTM_FAMILY_POISSON, RTM_FAMILY_NB2, RTM_FAMILY_NBII};
    for (int t = 0; t < 3; t++) {
        rtm_glm_fit f;
        rtm_error e;
        double par[5];
        RTM_CHECK(rtm_glm_fit_cols(&v, cols, 3, fams[t], NULL, &f, &e) == 0);
        fit_params(&f, par);
        RTM_CHECK_NEAR(f.loglik, total_ll(&v, cols, 3, fams[t], par), 1e-7);
        RTM_CHECK(f.cols[0] == 5 && f.cols[2] == 3);
        RTM_CHECK(f.df == (t ? 5 : 4));
        RTM_CHECK_NEAR(f.bic, -2 * f.loglik + f.df * log(3000.0), 1e-9);
        rtm_glm_fit_free(&f);
    }
    free_design(&d);
}

/* ---- NB1 by Nelder-Mead on the per-cell likelihood (Nelder & Mead 1965,
 * with the standard coefficients 1, 2, 1/2, 1/2), as an independent check ---- */

typedef struct {
    const rtm_design *d;
    const int *cols;
    int k;
} nm_ctx;

static double nm_f(const nm_ctx *c, const double *x)
{
    return -total_ll(c->d, c->cols, c->k, RTM_FAMILY_NBII, x);
}

static void nelder_mead(const nm_ctx *c, double *x0, int n, int iters)
{
    double s[8][8], fv[8], xc[8], xr[8], xe[8];
    for (int i = 0; i <= n; i++) {
        for (int j = 0; j < n; j++)
            s[i][j] = x0[j] + (i == j + 1 ? 0.1 : 0);
        fv[i] = nm_f(c, s[i]);
    }
    for (int it = 0; it < iters; it++) {
        int hi = 0, lo = 0, nh = 0;
        for (int i = 0; i <= n; i++) {
            if (fv[i] > fv[hi]) hi = i;
            if (fv[i] < fv[lo]) lo = i;
        }
        nh = lo;
        for (int i = 0; i <= n; i++)
            if (i != hi && fv[i] > fv[nh]) nh = i;
        for (int j = 0; j < n; j++) {
            xc[j] = 0;
            for (int i = 0; i <= n; i++)
                if (i != hi) xc[j] += s[i][j] / n;
            xr[j] = 2 * xc[j] - s[hi][j];
        }
        double fr = nm_f(c, xr);
        if (fr < fv[lo]) {
            for (int j = 0; j < n; j++) xe[j] = 3 * xc[j] - 2 * s[hi][j];
            double fe = nm_f(c, xe);
            memcpy(s[hi], fe < fr ? xe : xr, sizeof xe);
            fv[hi] = fe < fr ? fe : fr;
        } else if (fr < fv[nh]) {
            memcpy(s[hi], xr, sizeof xr);
            fv[hi] = fr;
        } else {
            for (int j = 0; j < n; j++) xe[j] = 0.5 * (xc[j] + s[hi][j]);
            double fe = nm_f(c, xe);
            if (fe < fv[hi]) {
                memcpy(s[hi], xe, sizeof xe);
                fv[hi] = fe;
            } else {
                for (int i = 0; i <= n; i++) {
                    if (i == lo) continue;
                    for (int j = 0; j < n; j++) s[i][j] = 0.5 * (s[i][j] + s[lo][j]);
                    fv[i] = nm_f(c, s[i]);
                }
            }
        }
    }
    int lo = 0;
    for (int i = 0; i <= n; i++)
        if (fv[i] < fv[lo]) lo = i;
    memcpy(x0, s[lo], (size_t)n * sizeof *x0);
}

/* A small overdispersed design: 400 cells, 2 columns. */
static void small_design(size_t n, unsigned char *x, double *y, unsigned seed, double disp)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[2 * i] = (seed >> 16) % 3 == 0;
        seed = seed * 1103515245u + 12345u;
        x[2 * i + 1] = (seed >> 16) % 4 == 0;
        double mu = exp(-0.5 + 0.8 * x[2 * i] + 0.4 * x[2 * i + 1]);
        /* gamma-ish mixing by a two-point multiplier gives overdispersion */
        seed = seed * 1103515245u + 12345u;
        double mult = disp > 0 ? (((seed >> 16) & 1) ? 1 + disp : 1 - disp) : 1;
        double lam = mu * mult, u, pk, cdf;
        seed = seed * 1103515245u + 12345u;
        u = ((seed >> 8) & 0xFFFFFF) / 16777216.0;
        int k = 0;
        pk = exp(-lam);
        cdf = pk;
        while (u > cdf && k < 200) {
            k++;
            pk *= lam / k;
            cdf += pk;
        }
        y[i] = k;
    }
}

static void test_nbii_vs_nelder_mead(void)
{
    enum { N = 400 };
    unsigned char x[2 * N];
    double y[N];
    small_design(N, x, y, 7u, 0.8);
    rtm_design d = {N, 2, x, y, NULL, NULL, 0, NULL};
    int cols[2] = {0, 1};
    rtm_glm_fit f;
    rtm_error e;
    RTM_CHECK(rtm_glm_fit_cols(&d, cols, 2, RTM_FAMILY_NBII, NULL, &f, &e) == 0);
    nm_ctx c = {&d, cols, 2};
    double x0[4] = {0, 0, 0, log(0.5)};
    for (int r = 0; r < 6; r++)  /* restarts polish the simplex */
        nelder_mead(&c, x0, 4, 600);
    double par[4];
    fit_params(&f, par);
    /* the NM optimum and ours: same likelihood to 1e-8, parameters to 1e-4 */
    RTM_CHECK(f.loglik >= -nm_f(&c, x0) - 1e-8);
    RTM_CHECK_NEAR(f.loglik, -nm_f(&c, x0), 1e-7);
    for (int j = 0; j < 4; j++)
        RTM_CHECK_NEAR(par[j], x0[j], 1e-4);
    /* SEs against a central finite-difference Hessian of the per-cell
     * likelihood (step 1e-4): relative 1e-4 */
    double H[16], h = 1e-4;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            double q[4], v = 0;
            for (int sa = -1; sa <= 1; sa += 2)
                for (int sb = -1; sb <= 1; sb += 2) {
                    memcpy(q, par, sizeof q);
                    q[a] += sa * h;
                    q[b] += sb * h;
                    v += sa * sb * nm_f(&c, q);
                }
            H[a * 4 + b] = v / (4 * h * h);
        }
    /* invert the 4x4 by Gauss-Jordan */
    double A[4][8];
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 8; b++)
            A[a][b] = b < 4 ? H[a * 4 + b] : (b - 4 == a);
    for (int cc = 0; cc < 4; cc++) {
        double pv = A[cc][cc];
        for (int b = 0; b < 8; b++) A[cc][b] /= pv;
        for (int r = 0; r < 4; r++) {
            if (r == cc) continue;
            double m = A[r][cc];
            for (int b = 0; b < 8; b++) A[r][b] -= m * A[cc][b];
        }
    }
    RTM_CHECK_REL(f.intercept_se, sqrt(A[0][4]), 1e-4, 1e-2);
    RTM_CHECK_REL(f.se[0], sqrt(A[1][5]), 1e-4, 1e-2);
    RTM_CHECK_REL(f.se[1], sqrt(A[2][6]), 1e-4, 1e-2);
    RTM_CHECK_REL(f.log_sigma_se, sqrt(A[3][7]), 1e-4, 1e-2);
    rtm_glm_fit_free(&f);
}

/* NB1 with sigma -> 0 is Poisson: the reference likelihood itself, and the
 * fit on mildly overdispersed data is close to the Poisson fit; on Poisson
 * data the fit reports that there is no overdispersion (or a tiny sigma). */
static void test_nbii_poisson_limit(void)
{
    enum { N = 2000 };
    static unsigned char x[2 * N];
    static double y[N];
    double b[4] = {-0.3, 0.7, 0.2, log(1e-9)};
    int cols[2] = {0, 1};
    small_design(N, x, y, 11u, 0.0);
    rtm_design d = {N, 2, x, y, NULL, NULL, 0, NULL};
    RTM_CHECK_NEAR(total_ll(&d, cols, 2, RTM_FAMILY_NBII, b),
                   total_ll(&d, cols, 2, RTM_FAMILY_POISSON, b), 1e-5);
    rtm_glm_fit fp, fn;
    rtm_error e;
    RTM_CHECK(rtm_glm_fit_cols(&d, cols, 2, RTM_FAMILY_POISSON, NULL, &fp, &e) == 0);
    int rc = rtm_glm_fit_cols(&d, cols, 2, RTM_FAMILY_NBII, NULL, &fn, &e);
    if (rc) {
        RTM_CHECK(rc == RTM_ERR_MODEL && strstr(e.msg, "no overdispersion"));
    } else {
        RTM_CHECK(fn.log_sigma < -3);
        RTM_CHECK_NEAR(fn.beta[0], fp.beta[0], 0.02);
        RTM_CHECK(fn.loglik >= fp.loglik - 1e-9);
        rtm_glm_fit_free(&fn);
    }
    rtm_glm_fit_free(&fp);
    /* mild overdispersion: small sigma, coefficients near Poisson's */
    small_design(N, x, y, 11u, 0.15);
    RTM_CHECK(rtm_glm_fit_cols(&d, cols, 2, RTM_FAMILY_POISSON, NULL, &fp, &e) == 0);
    RTM_CHECK(rtm_glm_fit_cols(&d, cols, 2, RTM_FAMILY_NBII, NULL, &fn, &e) == 0);
    RTM_CHECK(fn.loglik >= fp.loglik);
    RTM_CHECK(exp(fn.log_sigma) < 0.2);
    RTM_CHECK_NEAR(fn.beta[0], fp.beta[0], 0.02);
    RTM_CHECK_NEAR(fn.beta[1], fp.beta[1], 0.02);
    rtm_glm_fit_free(&fn);
    rtm_glm_fit_free(&fp);
}

/* Fits on a subset of an aggregate equal fits on the design. */
static void test_subset_equals_direct(void)
{
    fx_design d;
    RTM_CHECK(read_design(&d) == 0);
    rtm_design v = view(&d);
    rtm_error e;
    rtm_glm_data *base = rtm_glm_data_build(&v, NULL, 0, &e);
    RTM_CHECK(base != NULL && rtm_glm_data_ncols(base) == 6);
    int sub[3] = {4, 1, 2};
    rtm_glm_data *s = rtm_glm_data_subset(base, sub, 3, &e);
    RTM_CHECK(s != NULL && rtm_glm_data_npatterns(s) <= 8);
    RTM_CHECK(rtm_glm_data_col(s, 0) == 4);
    for (int fam = 0; fam < 3; fam++) {
        rtm_glm_fit a, b;
        RTM_CHECK(rtm_glm_fit_data(s, (rtm_family)fam, NULL, &a, &e) == 0);
        RTM_CHECK(rtm_glm_fit_cols(&v, sub, 3, (rtm_family)fam, NULL, &b, &e) == 0);
        RTM_CHECK_NEAR(a.loglik, b.loglik, 1e-9);
        for (int j = 0; j < 3; j++)
            RTM_CHECK_NEAR(a.beta[j], b.beta[j], 1e-9);
        rtm_glm_fit_free(&a);
        rtm_glm_fit_free(&b);
    }
    rtm_glm_data_free(s);
    rtm_glm_data_free(base);
    free_design(&d);
}

/* ---- degenerate data ---- */

static void expect_model_error(const rtm_design *d, const int *cols, int k, const char *word)
{
    for (int fam = 0; fam < 3; fam++) {
        rtm_glm_fit f;
        rtm_error e = {0, ""};
        int rc = rtm_glm_fit_cols(d, cols, k, (rtm_family)fam, NULL, &f, &e);
        RTM_CHECK(rc == RTM_ERR_MODEL);
        if (rc == 0)
            rtm_glm_fit_free(&f);
        if (!strstr(e.msg, word)) {
            fprintf(stderr, "  message '%s' lacks '%s'\n", e.msg, word);
            RTM_CHECK(0);
        }
    }
}

static void test_degenerate(void)
{
    enum { N = 200 };
    static unsigned char x[3 * N];
    static double y[N];
    const char *names[3] = {"bars_proximity_250", "pubs_density_500", "copy_of_bars"};
    rtm_design d = {N, 3, x, y, names, NULL, 0, NULL};
    int c01[2] = {0, 1}, c0[1] = {0}, c02[2] = {0, 2};
    for (size_t i = 0; i < N; i++) {
        x[3 * i] = i % 2;
        x[3 * i + 1] = i % 3 == 0;
        x[3 * i + 2] = i % 2;
        y[i] = (double)(i % 5 == 0) + (double)(i % 7 == 0);
    }
    /* collinear columns (a copy) */
    expect_model_error(&d, c02, 2, "copy_of_bars");
    /* no events */
    double ysave[N];
    memcpy(ysave, y, sizeof y);
    memset(y, 0, sizeof y);
    expect_model_error(&d, c01, 2, "no events");
    /* all events in one cell */
    y[17] = 9;
    expect_model_error(&d, c0, 1, "one cell");
    /* separation: no events where bars = 1 */
    for (size_t i = 0; i < N; i++)
        y[i] = x[3 * i] ? 0 : ysave[i] + 1;
    expect_model_error(&d, c01, 2, "bars_proximity_250");
    /* all events where pubs = 1 */
    for (size_t i = 0; i < N; i++)
        y[i] = x[3 * i + 1] ? ysave[i] + 1 : 0;
    expect_model_error(&d, c01, 2, "pubs_density_500");
    /* constant column */
    for (size_t i = 0; i < N; i++) {
        y[i] = ysave[i];
        x[3 * i + 1] = 1;
    }
    expect_model_error(&d, c01, 2, "pubs_density_500");
    /* separation by a combination: bars and pubs exclusive, events only where
     * one of them is 1, none in cells with neither: intercept -> -inf while
     * both coefficients -> +inf (no single column shows it) */
    for (size_t i = 0; i < N; i++) {
        x[3 * i] = i % 3 == 0;
        x[3 * i + 1] = i % 3 == 1;
        y[i] = (x[3 * i] || x[3 * i + 1]) ? (double)(i % 4) : 0;
    }
    expect_model_error(&d, c01, 2, "separation");
    /* bad arguments */
    rtm_glm_fit f;
    rtm_error e;
    int bad[1] = {7};
    RTM_CHECK(rtm_glm_fit_cols(&d, bad, 1, RTM_FAMILY_POISSON, NULL, &f, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_glm_fit_cols(&d, c0, 1, (rtm_family)9, NULL, &f, &e) == RTM_ERR_ARG);
    rtm_glm_fit_free(NULL);
    rtm_glm_data_free(NULL);
}

/* Intercept-only fits have closed forms: Poisson b0 = log(mean y). */
static void test_null_model(void)
{
    fx_design d;
    RTM_CHECK(read_design(&d) == 0);
    rtm_design v = view(&d);
    rtm_glm_fit f;
    rtm_error e;
    double s = 0;
    for (size_t i = 0; i < d.n; i++)
        s += d.y[i];
    RTM_CHECK(rtm_glm_fit_cols(&v, NULL, 0, RTM_FAMILY_POISSON, NULL, &f, &e) == 0);
    RTM_CHECK_NEAR(f.intercept, log(s / (double)d.n), 1e-12);
    RTM_CHECK_REL(f.intercept_se, 1 / sqrt(s), 1e-10, 1e-2);
    RTM_CHECK(f.k == 0 && f.df == 1);
    rtm_glm_fit_free(&f);
    /* NB2 null model: the same mean (the score in beta0 is sum(y - mu) theta/(theta+mu)) */
    RTM_CHECK(rtm_glm_fit_cols(&v, NULL, 0, RTM_FAMILY_NB2, NULL, &f, &e) == 0);
    RTM_CHECK_NEAR(f.intercept, log(s / (double)d.n), 1e-9);
    rtm_glm_fit_free(&f);
    free_design(&d);
}

int main(void)
{
    RTM_RUN(test_poisson_vs_r);
    RTM_RUN(test_nb2_vs_glm_nb);
    RTM_RUN(test_nbii_vs_r_optim);
    RTM_RUN(test_loglik_per_cell);
    RTM_RUN(test_nbii_vs_nelder_mead);
    RTM_RUN(test_nbii_poisson_limit);
    RTM_RUN(test_subset_equals_direct);
    RTM_RUN(test_degenerate);
    RTM_RUN(test_null_model);
    return RTM_TEST_END();
}
