/* bench_kde.c: timing of rtm_kde_compute on the standard KDE workload.
 *
 * Usage: bench_kde points.csv x0 y0 res ncols nrows radius [repeats]
 * Reads the points (columns x, y) with OGR's CSV driver, then times
 * rtm_kde_compute alone (quartic, per km^2, wall time, best of `repeats`)
 * with 1 and 2 threads, checks 1- and 2-thread outputs are identical, checks
 * 400 random cells against a brute-force sum over every point, and prints
 * the peak resident memory (getrusage). The last line is machine-readable:
 *   kde_seconds t1=<s> t2=<s> load=<s> maxrss_mb=<MB> maxrel=<e>
 */
#include "rtm/surface.h"

#include <gdal.h>
#include <ogr_api.h>
#include <omp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct pts {
    double *x, *y;
    size_t n, cap;
} pts;

static int push(pts *p, double x, double y)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1 << 16;
        double *nx = realloc(p->x, cap * sizeof *nx), *ny;
        if (!nx)
            return -1;
        p->x = nx;
        ny = realloc(p->y, cap * sizeof *ny);
        if (!ny)
            return -1;
        p->y = ny;
        p->cap = cap;
    }
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->n++;
    return 0;
}

/* Points from a CSV through OGR (the CSV driver only; fields "x" and "y"). */
static int load_csv(const char *path, pts *p)
{
    const char *const drivers[] = {"CSV", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    OGRLayerH lyr;
    OGRFeatureH f;
    int ix, iy;
    if (!ds) {
        fprintf(stderr, "bench_kde: cannot open '%s'\n", path);
        return -1;
    }
    lyr = GDALDatasetGetLayer(ds, 0);
    ix = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), "x");
    iy = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), "y");
    if (ix < 0 || iy < 0) {
        fprintf(stderr, "bench_kde: '%s' has no x, y columns\n", path);
        GDALClose(ds);
        return -1;
    }
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        int rc = push(p, OGR_F_GetFieldAsDouble(f, ix), OGR_F_GetFieldAsDouble(f, iy));
        OGR_F_Destroy(f);
        if (rc) {
            GDALClose(ds);
            return -1;
        }
    }
    GDALClose(ds);
    return 0;
}

static double time_kde(const rtm_grid *g, const pts *p, rtm_kde_opts *o, int threads,
                       int repeats, double *out)
{
    double best = INFINITY;
    int r;
    o->threads = threads;
    for (r = 0; r < repeats; r++) {
        rtm_error e;
        double t0 = omp_get_wtime(), t;
        if (rtm_kde_compute(g, p->x, p->y, NULL, p->n, o, out, &e)) {
            fprintf(stderr, "bench_kde: %s\n", e.msg);
            exit(1);
        }
        t = omp_get_wtime() - t0;
        best = t < best ? t : best;
    }
    return best;
}

/* Brute force at 400 pseudo-random cells; largest relative error (cells
 * below 1e-6 of the largest sampled value are compared in absolute terms). */
static double brute_check(const rtm_grid *g, const pts *p, const rtm_kde_opts *o,
                          const double *out)
{
    double ref[400], got[400], mx = 0, worst = 0, r2 = o->radius * o->radius;
    unsigned long long s = 12345;
    int k;
#pragma omp parallel for schedule(static)
    for (k = 0; k < 400; k++) {
        unsigned long long z = s + 0x9E3779B97F4A7C15ULL * (unsigned long long)(k + 1);
        int i, j;
        size_t q;
        double v = 0;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        i = (int)((z >> 11) % (unsigned long long)g->nrows);
        j = (int)((z >> 40) % (unsigned long long)g->ncols);
        for (q = 0; q < p->n; q++) {
            double dx = rtm_grid_cell_x(g, j) - p->x[q], dy = rtm_grid_cell_y(g, i) - p->y[q];
            if (dx * dx + dy * dy <= r2)
                v += rtm_kde_kernel_value(o, sqrt(dx * dx + dy * dy));
        }
        ref[k] = v * 1e6;
        got[k] = out[(size_t)i * g->ncols + j];
    }
    for (k = 0; k < 400; k++)
        mx = fmax(mx, ref[k]);
    for (k = 0; k < 400; k++)
        worst = fmax(worst, fabs(got[k] - ref[k]) / fmax(ref[k], 1e-6 * mx));
    return worst;
}

int main(int argc, char **argv)
{
    rtm_grid g;
    rtm_kde_opts o;
    pts p = {0};
    double *out, *out1, t1, t2, tl, maxrel;
    int repeats;
    struct rusage ru;
    if (argc < 8) {
        fprintf(stderr, "usage: bench_kde points.csv x0 y0 res ncols nrows radius [repeats]\n");
        return 2;
    }
    memset(&g, 0, sizeof g);
    g.x0 = atof(argv[2]);
    g.y0 = atof(argv[3]);
    g.res = atof(argv[4]);
    g.ncols = atoi(argv[5]);
    g.nrows = atoi(argv[6]);
    repeats = argc > 8 ? atoi(argv[8]) : 3;
    rtm_kde_opts_init(&o);
    o.radius = atof(argv[7]);
    o.units = RTM_UNITS_KM2;
    GDALAllRegister();
    tl = omp_get_wtime();
    if (load_csv(argv[1], &p))
        return 1;
    tl = omp_get_wtime() - tl;
    out = malloc(rtm_grid_ncells(&g) * sizeof *out);
    out1 = malloc(rtm_grid_ncells(&g) * sizeof *out1);
    if (!out || !out1)
        return 1;
    printf("points: %zu (OGR CSV read %.2f s); grid %d x %d of %g; quartic r = %g; km^2\n", p.n,
           tl, g.ncols, g.nrows, g.res, o.radius);
    t1 = time_kde(&g, &p, &o, 1, repeats, out1);
    t2 = time_kde(&g, &p, &o, 2, repeats, out);
    printf("rtm_kde_compute: %.3f s with 1 thread, %.3f s with 2 threads (best of %d)\n", t1, t2,
           repeats);
    printf("1 vs 2 threads: %s\n",
           memcmp(out, out1, rtm_grid_ncells(&g) * sizeof *out) ? "DIFFERENT" : "identical bytes");
    maxrel = brute_check(&g, &p, &o, out);
    printf("brute force at 400 cells: max relative error %.2e\n", maxrel);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MB (whole process: points, 2 output grids, GDAL)\n",
           ru.ru_maxrss / 1024.0);
    printf("kde_seconds t1=%.4f t2=%.4f load=%.3f maxrss_mb=%.1f maxrel=%.3g\n", t1, t2, tl,
           ru.ru_maxrss / 1024.0, maxrel);
    free(out), free(out1), free(p.x), free(p.y);
    return 0;
}
