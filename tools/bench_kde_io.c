/* bench_kde_io.c: the stages of `rtm kde` on the standard workload, timed
 * apart through the library calls the command makes.
 *
 * Usage: bench_kde_io points.csv out.tif [repeats]
 * Reads the points (columns x, y, EPSG:27700) with rtm_events_load (the
 * command's reader: OGR, files and byte ranges on all threads), computes the
 * quartic KDE (r = 1000 m) on 2400 x 2400 cells of 25 m at 560000,180000
 * with rtm_kde_compute, and writes it with rtm_geotiff_write (COG, DEFLATE,
 * Float32: the command's defaults). Prints the median wall time of each
 * stage over `repeats` runs (default 5); the last line is machine-readable:
 *   kde_io_seconds read=<s> kde=<s> write=<s>
 */
#include "rtm.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One run: the three stage times into t[0..2]. */
static int run(const char *csv, const char *tif, double *t)
{
    const char *files[1] = {csv};
    rtm_event_source s;
    rtm_events_opts o;
    rtm_events ev;
    rtm_kde_opts ko;
    rtm_geotiff_opts go;
    rtm_error e;
    double t0, *v;
    memset(&s, 0, sizeof s);
    s.files = files;
    s.nfiles = 1;
    s.crs = "EPSG:27700";
    rtm_events_opts_init(&o);
    o.sources = &s;
    o.nsources = 1;
    o.dst_crs = "EPSG:27700";
    o.bbox[0] = 560000;
    o.bbox[1] = 180000;
    o.bbox[2] = 620000;
    o.bbox[3] = 240000;
    o.has_bbox = 1;
    o.res = 25;
    t0 = omp_get_wtime();
    if (rtm_events_load(&o, &ev, &e)) {
        fprintf(stderr, "bench_kde_io: %s\n", e.msg);
        return -1;
    }
    t[0] = omp_get_wtime() - t0;
    rtm_kde_opts_init(&ko);
    ko.radius = 1000;
    v = malloc(rtm_grid_ncells(&ev.grid) * sizeof *v);
    t0 = omp_get_wtime();
    if (!v || rtm_kde_compute(&ev.grid, ev.pts.x, ev.pts.y, NULL, ev.pts.n, &ko, v, &e)) {
        fprintf(stderr, "bench_kde_io: %s\n", v ? e.msg : "out of memory");
        return -1;
    }
    t[1] = omp_get_wtime() - t0;
    rtm_geotiff_opts_init(&go);
    t0 = omp_get_wtime();
    if (rtm_geotiff_write(tif, &ev.grid, v, NULL, &go, &e)) {
        fprintf(stderr, "bench_kde_io: %s\n", e.msg);
        return -1;
    }
    t[2] = omp_get_wtime() - t0;
    free(v);
    rtm_events_free(&ev);
    return 0;
}

int main(int argc, char **argv)
{
    int reps = argc > 3 ? atoi(argv[3]) : 5;
    double t[3], r[64], k[64], w[64];
    if (argc < 3 || reps < 1 || reps > 64) {
        fprintf(stderr, "usage: bench_kde_io points.csv out.tif [repeats 1..64]\n");
        return 2;
    }
    for (int i = 0; i < reps; i++) {
        if (run(argv[1], argv[2], t))
            return 1;
        r[i] = t[0];
        k[i] = t[1];
        w[i] = t[2];
    }
    printf("  stages (median of %d, %d threads): reading %.3f s, density %.3f s, writing %.3f s\n",
           reps, omp_get_max_threads(), median(r, reps), median(k, reps), median(w, reps));
    printf("kde_io_seconds read=%.3f kde=%.3f write=%.3f\n", median(r, reps), median(k, reps),
           median(w, reps));
    return 0;
}
