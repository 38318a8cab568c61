/* bench_enet.c: timing of the penalised Poisson fit (rtm_enet) on a large
 * synthetic RTM design.
 *
 * Design (deterministic, xorshift64 generator, Marsaglia 2003): a 1000 x 500
 * grid (500,000 cells) and 20 risk factors. Factor f has between 60 and 1,500
 * point features (log-spaced over factors); even factors are clustered
 * (Gaussian clouds, SD 25 cells, around 12 centres), odd ones uniform. Each
 * factor gives three nested proximity variables, "within 2, 4 and 6 cells" of
 * its nearest feature, so p = 60 binary columns in which most cells are far
 * from most factors and many cells share a row, as in real RTM data.
 * Counts are Poisson with log mu = -3 + effects of 8 variables (0.25 to 0.9)
 * and one protective variable (-0.3).
 *
 * Usage: bench_enet [nfolds]   (default 10)
 *   RTM_BENCH_PEERS=1  also time R glmnet on the same design (needs Rscript
 *   with glmnet) and report the largest coefficient difference.
 * Prints the pattern count, the time of the full path (100 lambdas) and of the
 * nfolds-fold cross-validation.
 */
#include "rtm/glm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 1000
#define NROWS 500
#define NFACT 20
#define NDIST 3

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
    double u = unif(), v = unif();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static double rpois(double mu)
{
    double L = exp(-mu), p = 1;
    int k = 0;
    do {
        k++;
        p *= unif();
    } while (p > L);
    return k - 1;
}

static const double radius[NDIST] = {2, 4, 6};

/* Stamp one feature at (fx, fy): cells within radius[d] get level <= d. */
static void stamp(unsigned char *level, double fx, double fy)
{
    int r = (int)radius[NDIST - 1] + 1;
    for (int i = (int)fy - r; i <= (int)fy + r; i++)
        for (int j = (int)fx - r; j <= (int)fx + r; j++) {
            if (i < 0 || i >= NROWS || j < 0 || j >= NCOLS)
                continue;
            double dx = j + 0.5 - fx, dy = i + 0.5 - fy, dd = sqrt(dx * dx + dy * dy);
            for (int d = 0; d < NDIST; d++)
                if (dd <= radius[d] && level[(size_t)i * NCOLS + (size_t)j] > d) {
                    level[(size_t)i * NCOLS + (size_t)j] = (unsigned char)d;
                    break;
                }
        }
}

static void make_design(unsigned char *x, double *y, size_t n, int p)
{
    unsigned char *level = malloc(n);
    for (int f = 0; f < NFACT; f++) {
        memset(level, NDIST, n);
        int nfeat = (int)(60 * pow(1500.0 / 60, (double)f / (NFACT - 1)));
        double cx[12], cy[12];
        for (int c = 0; c < 12; c++)
            cx[c] = unif() * NCOLS, cy[c] = unif() * NROWS;
        for (int q = 0; q < nfeat; q++) {
            double fx, fy;
            if (f % 2 == 0) {
                int c = (int)(unif() * 12);
                fx = cx[c] + 25 * gauss(), fy = cy[c] + 25 * gauss();
            } else {
                fx = unif() * NCOLS, fy = unif() * NROWS;
            }
            stamp(level, fx, fy);
        }
        for (size_t i = 0; i < n; i++)
            for (int d = 0; d < NDIST; d++)
                x[i * (size_t)p + (size_t)(f * NDIST + d)] = level[i] <= d;
    }
    free(level);
    static const int vars[9] = {0, 4, 8, 13, 20, 29, 35, 47, 52};
    static const double eff[9] = {0.9, 0.6, 0.5, 0.4, 0.35, 0.3, 0.3, 0.25, -0.3};
    for (size_t i = 0; i < n; i++) {
        double eta = -3;
        for (int v = 0; v < 9; v++)
            eta += eff[v] * x[i * (size_t)p + (size_t)vars[v]];
        y[i] = rpois(exp(eta));
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of the process (all threads): robust on a busy machine. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Write the design for R (raw column-major x, doubles y) and time glmnet. */
/* Largest coefficient (and intercept) difference between two paths over
 * their common lambdas. */
static double path_diff(const rtm_enet_path *a, const rtm_enet_path *b)
{
    double w = 0;
    for (int l = 0; l < a->nlambda && l < b->nlambda; l++) {
        w = fmax(w, fabs(a->a0[l] - b->a0[l]));
        for (int j = 0; j < a->p; j++)
            w = fmax(w, fabs(a->beta[(size_t)l * (size_t)a->p + (size_t)j] -
                             b->beta[(size_t)l * (size_t)b->p + (size_t)j]));
    }
    return w;
}

static void run_peers(const unsigned char *x, const double *y, size_t n, int p, int nfolds,
                      const rtm_enet_path *path, const rtm_enet_path *tight,
                      const rtm_enet_cv *cv, const double *tpath, const double *tcv)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char fx[512], fy[512], fr[512], fo[512], ff[512], cmd[2800];
    snprintf(fx, sizeof fx, "%s/bench_enet_x.bin", dir);
    snprintf(fy, sizeof fy, "%s/bench_enet_y.bin", dir);
    snprintf(fr, sizeof fr, "%s/bench_enet.R", dir);
    snprintf(fo, sizeof fo, "%s/bench_enet_out.txt", dir);
    snprintf(ff, sizeof ff, "%s/bench_enet_fold.txt", dir);
    FILE *g = fopen(ff, "w");
    for (size_t i = 0; i < n && g; i++)
        fprintf(g, "%d\n", cv->foldid[i] + 1);
    if (g)
        fclose(g);
    FILE *f = fopen(fx, "wb");
    for (int j = 0; j < p && f; j++)
        for (size_t i = 0; i < n; i++)
            fputc(x[i * (size_t)p + (size_t)j], f);
    if (f)
        fclose(f);
    f = fopen(fy, "wb");
    if (f) {
        fwrite(y, sizeof *y, n, f);
        fclose(f);
    }
    f = fopen(fr, "w");
    if (!f)
        return;
    fprintf(f,
            "suppressMessages(library(glmnet))\n"
            "n <- %zu; p <- %d\n"
            "x <- matrix(as.numeric(readBin('%s', 'raw', n * p)), n, p)\n"
            "y <- readBin('%s', 'double', n)\n"
            "s1 <- system.time(fit <- glmnet(x, y, family = 'poisson', lower.limits = 0))\n"
            "foldid <- scan('%s', quiet = TRUE)\n"
            "s2 <- system.time(cv <- cv.glmnet(x, y, family = 'poisson', lower.limits = 0,"
            " foldid = foldid))\n"
            "t1 <- c(s1[3], s1[1] + s1[2]); t2 <- c(s2[3], s2[1] + s2[2])\n"
            "co <- as.matrix(coef(fit))\n"
            "write(format(c(t1, t2, length(fit$lambda), cv$lambda.min), digits = 17), '%s',"
            " ncolumns = 6)\n"
            "write(format(t(cbind(fit$lambda, t(co))), digits = 17), '%s', ncolumns = p + 2,"
            " append = TRUE)\n",
            n, p, fx, fy, ff, fo, fo);
    fclose(f);
    snprintf(cmd, sizeof cmd, "Rscript '%s'", fr);
    if (system(cmd) != 0) {
        printf("  glmnet: Rscript failed (R and r-cran-glmnet needed)\n");
        return;
    }
    f = fopen(fo, "r");
    double t1, t2, c1, c2, nl, lmin;
    if (!f || fscanf(f, "%lf %lf %lf %lf %lf %lf", &t1, &c1, &t2, &c2, &nl, &lmin) != 6) {
        if (f)
            fclose(f);
        return;
    }
    double worst = 0, lworst = 0, tworst = 0;
    for (int l = 0; l < (int)nl && l < path->nlambda; l++) {
        double lam, a0, b;
        if (fscanf(f, "%lf %lf", &lam, &a0) != 2)
            break;
        if (fabs(lam - path->lambda[l]) / lam > lworst)
            lworst = fabs(lam - path->lambda[l]) / lam;
        worst = fmax(worst, fabs(a0 - path->a0[l]));
        tworst = fmax(tworst, fabs(a0 - tight->a0[l]));
        for (int j = 0; j < p; j++) {
            if (fscanf(f, "%lf", &b) != 1)
                break;
            worst = fmax(worst, fabs(b - path->beta[(size_t)l * (size_t)p + (size_t)j]));
            tworst = fmax(tworst, fabs(b - tight->beta[(size_t)l * (size_t)p + (size_t)j]));
        }
    }
    fclose(f);
    printf("  %-24s %8.3f s wall, %8.3f s CPU  (%d lambdas)\n", "glmnet path:", t1, c1, (int)nl);
    printf("  %-24s %8.3f s wall, %8.3f s CPU  (same %d folds; lambda.min %.6g, rtm %.6g)\n",
           "glmnet cv.glmnet:", t2, c2, nfolds, lmin, cv->lambda_min);
    printf("  speed-up: path %.1fx wall, %.1fx CPU; cross-validation %.1fx wall, %.1fx CPU\n",
           t1 / tpath[0], c1 / tpath[1], t2 / tcv[0], c2 / tcv[1]);
    printf("  glmnet (thresh 1e-7) vs rtm, max |coefficient difference| over the path: %.2e"
           " (rtm default thresh), %.2e (rtm at 1e-13); max relative lambda difference %.1e\n",
           worst, tworst, lworst);
    remove(fx);
    remove(fy);
    remove(fr);
    remove(fo);
    remove(ff);
}

typedef struct {
    double wall, cpu;
} stamp_t;

static stamp_t mark(void)
{
    return (stamp_t){now(), cpu()};
}

static void report(const char *what, stamp_t a, stamp_t b, const char *extra)
{
    printf("  %-24s %8.3f s wall, %8.3f s CPU  %s\n", what, b.wall - a.wall, b.cpu - a.cpu, extra);
}

int main(int argc, char **argv)
{
    int nfolds = argc > 1 ? atoi(argv[1]) : 10;
    size_t n = (size_t)NCOLS * NROWS;
    int p = NFACT * NDIST;
    unsigned char *x = malloc(n * (size_t)p);
    double *y = malloc(n * sizeof *y);
    if (!x || !y)
        return 1;
    make_design(x, y, n, p);
    double sy = 0;
    for (size_t i = 0; i < n; i++)
        sy += y[i];
    rtm_design d = {n, p, x, y, NULL, NULL, 0, NULL};
    rtm_error err;
    char extra[256];
    printf("penalised Poisson fit: %zu cells x %d binary columns, %.0f events\n", n, p, sy);
    stamp_t a = mark();
    rtm_patterns *pt = rtm_patterns_build(&d, NULL, 0, &err);
    stamp_t b = mark();
    snprintf(extra, sizeof extra, "(%zu unique rows, %.1fx fewer than cells)",
             rtm_patterns_count(pt), (double)n / (double)rtm_patterns_count(pt));
    report("row patterns:", a, b, extra);
    rtm_patterns_free(pt);

    rtm_enet_opts o;
    rtm_enet_opts_init(&o);
    rtm_enet_path *path = NULL;
    a = mark();
    if (rtm_enet_path_fit(&d, &o, &path, &err)) {
        fprintf(stderr, "bench_enet: %s\n", err.msg);
        return 1;
    }
    b = mark();
    double tpath[2] = {b.wall - a.wall, b.cpu - a.cpu};
    snprintf(extra, sizeof extra, "(%d lambdas, %ld passes, %d non-zero at the end)",
             path->nlambda, path->passes, path->df[path->nlambda - 1]);
    report("rtm path:", a, b, extra);
    rtm_enet_opts ot = o;
    ot.thresh = 1e-13;
    rtm_enet_path *tight = NULL;
    a = mark();
    if (rtm_enet_path_fit(&d, &ot, &tight, &err)) {
        fprintf(stderr, "bench_enet: %s\n", err.msg);
        return 1;
    }
    b = mark();
    snprintf(extra, sizeof extra, "(max |coefficient change| from the default: %.2e)",
             path_diff(path, tight));
    report("rtm path, thresh 1e-13:", a, b, extra);
    o.nfolds = nfolds;
    rtm_enet_cv *cv = NULL;
    a = mark();
    if (rtm_enet_cv_fit(&d, &o, &cv, &err)) {
        fprintf(stderr, "bench_enet: %s\n", err.msg);
        return 1;
    }
    b = mark();
    double tcv[2] = {b.wall - a.wall, b.cpu - a.cpu};
    snprintf(extra, sizeof extra, "(%d folds incl. full path; lambda.min %.4g, %d kept, seed %llu)",
             nfolds, cv->lambda_min, cv->nkept, (unsigned long long)cv->seed);
    report("rtm cross-validation:", a, b, extra);
    const char *peers = getenv("RTM_BENCH_PEERS");
    if (peers && strcmp(peers, "1") == 0)
        run_peers(x, y, n, p, nfolds, path, tight, cv, tpath, tcv);
    rtm_enet_path_free(tight);
    rtm_enet_cv_free(cv);
    rtm_enet_path_free(path);
    free(x);
    free(y);
    return 0;
}
