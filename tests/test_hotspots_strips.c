/* test_hotspots_strips.c: the Gi* product computed whole in strips (as a
 * large grid's whole run is, by rtm_tiled.strip_cells) gives the z-scores
 * of the one-strip run and of rtm_gistar on the binned counts, exactly, and
 * the same file bytes; k nearest cells too. */
#include "rtm_test.h"
#include "rtm.h"

/* Events on a 47 x 61 grid of 10 m cells (odd sizes: strips of unequal
 * rows), clustered in two places and spread elsewhere (fixed seed), with a
 * mask that leaves out a corner. */
static void make_events(rtm_events *ev)
{
    rtm_error e;
    rtm_t_rng = 12345;
    memset(ev, 0, sizeof *ev);
    rtm_points_init(&ev->pts);
    ev->grid.x0 = 500000;
    ev->grid.y0 = 180000;
    ev->grid.res = 10;
    ev->grid.ncols = 47;
    ev->grid.nrows = 61;
    snprintf(ev->grid.crs, sizeof ev->grid.crs, "EPSG:27700");
    ev->mask = malloc(47 * 61);
    for (int k = 0; k < 47 * 61; k++)
        ev->mask[k] = !(k / 47 < 12 && k % 47 < 9);
    for (int n = 0; n < 900; n++) {
        double u = rtm_t_urand(), v = rtm_t_urand();
        if (n % 3 == 0) /* a cluster */
            u = 0.3 + 0.1 * u, v = 0.6 + 0.08 * v;
        else if (n % 3 == 1)
            u = 0.7 + 0.05 * u, v = 0.2 + 0.1 * v;
        rtm_points_push(&ev->pts, 500000 + 470 * u, 180000 + 610 * v, 1, 0, &e);
    }
}

/* The product run with `strips` (0: one) into dir; its z-scores (owned). */
static double *run(const rtm_events *ev, const rtm_gistar_opts *gi, int strips, const char *dir,
                   int *ok)
{
    char z[512], b[512];
    rtm_hotspots_product p;
    rtm_hotspots_result r = {0};
    rtm_tiling how;
    rtm_outset *out = NULL;
    rtm_error e;
    snprintf(z, sizeof z, "%s/z.tif", dir);
    snprintf(b, sizeof b, "%s/bins.tif", dir);
    rtm_hotspots_product_init(&p);
    p.gi = *gi;
    p.z_tif = z;
    p.bins_tif = b;
    rtm_tiling_init(&how);
    how.strips = strips;
    *ok = rtm_outset_open(&out, &e) == 0 &&
          rtm_hotspots_product_tiled(&p, ev, NULL, &how, out, &r, &e) == 0 &&
          rtm_outset_commit(out, &e) == 0;
    if (!*ok)
        fprintf(stderr, "# strips %d: %s\n", strips, e.msg);
    return r.z;
}

static void check_strips(const rtm_gistar_opts *gi, int strips)
{
    char d1[512], d2[512], a[600], b[600];
    rtm_events ev;
    rtm_error e;
    size_t nc, diff = 0, nan_diff = 0;
    double *counts, *ref, *z1, *z2;
    int ok1, ok2;
    make_events(&ev);
    nc = rtm_grid_ncells(&ev.grid);
    counts = calloc(nc, sizeof *counts);
    ref = calloc(nc, sizeof *ref);
    rtm_bin_points(&ev.grid, ev.pts.x, ev.pts.y, ev.pts.w, ev.pts.n, counts);
    RTM_CHECK(rtm_gistar(&ev.grid, counts, ev.mask, gi, ref, NULL, NULL, &e) == 0);
    RTM_CHECK(rtm_t_tmpdir(d1, sizeof d1, "hs1") == 0 && rtm_t_tmpdir(d2, sizeof d2, "hs2") == 0);
    z1 = run(&ev, gi, 0, d1, &ok1);
    z2 = run(&ev, gi, strips, d2, &ok2);
    RTM_CHECK(ok1 && ok2 && z1 && z2);
    for (size_t k = 0; z1 && z2 && k < nc; k++) {
        if (isnan(ref[k]) || isnan(z1[k]) || isnan(z2[k]))
            nan_diff += isnan(ref[k]) != isnan(z1[k]) || isnan(ref[k]) != isnan(z2[k]);
        else
            diff += z1[k] != ref[k] || z2[k] != ref[k];
    }
    RTM_CHECK(diff == 0 && nan_diff == 0);
    for (int f = 0; f < 4; f++) {
        static const char *const names[4] = {"z.tif", "z.qml", "bins.tif", "bins.qml"};
        snprintf(a, sizeof a, "%s/%s", d1, names[f]);
        snprintf(b, sizeof b, "%s/%s", d2, names[f]);
        RTM_CHECK(rtm_t_same_file(a, b));
    }
    rtm_t_rmdir(d1), rtm_t_rmdir(d2);
    free(counts), free(ref), free(z1), free(z2);
    rtm_events_free(&ev);
}

/* A band of 3.5 cells in 7 strips (fewer rows than the band's halo in
 * some), and in as many strips as rows. */
static void test_band_strips(void)
{
    rtm_gistar_opts gi;
    rtm_gistar_opts_init(&gi);
    gi.band = 35;
    check_strips(&gi, 7);
    check_strips(&gi, 61);
}

/* k nearest cells: strips read every row; the same values. */
static void test_knn_strips(void)
{
    rtm_gistar_opts gi;
    rtm_gistar_opts_init(&gi);
    gi.knn = 9;
    check_strips(&gi, 5);
}

int main(void)
{
    RTM_RUN(test_band_strips);
    RTM_RUN(test_knn_strips);
    return RTM_TEST_END();
}
