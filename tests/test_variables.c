/* test_variables.c: RTM candidate variables against brute force: proximity by
 * exact distances to every feature (points between cell centres, lines,
 * polygons), density by direct kernel sums and the mean + 2 SD threshold. */
#include <stdlib.h>
#include <unistd.h>

#include "rtm/surface.h"
#include "rtm_test.h"
#include "rtm/model.h"

static unsigned long long rng_state = 88172645463325252ULL;
static double urand(void)
{
    /* xorshift64 (Marsaglia 2003): a fixed, documented test sequence */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / l2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    return hypot(px - (ax + t * dx), py - (ay + t * dy));
}

static int col_of(const rtm_varset *v, const char *name)
{
    int j;
    for (j = 0; j < v->p; j++)
        if (!strcmp(v->var[j].name, name))
            return j;
    return -1;
}

static void test_ladder(void)
{
    rtm_var_opts o;
    double d[16];
    rtm_var_opts_init(&o);
    o.block = 200;
    RTM_CHECK(rtm_ladder(&o, d, 16) == 3 && d[0] == 200 && d[2] == 600);
    o.half_block = 1;
    /* half-block steps up to 3 blocks give 6 distances (rtm-method.md) */
    RTM_CHECK(rtm_ladder(&o, d, 16) == 6 && d[0] == 100 && d[5] == 600);
}

static void test_proximity_points_lines(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *pts = rtm_features_create(), *lin = rtm_features_create();
    rtm_factor_spec f[2] = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL;
    double px[40], py[40], line[8] = {1000, 1200, 2500, 1900, 2600, 3100, 900, 2900};
    int k, bad = 0;
    size_t i;
    rtm_grid_from_bbox(&g, 0, 0, 4000, 3500, 100, NULL, &e);
    for (k = 0; k < 40; k++) {
        /* points anywhere, also between cell centres and outside the grid */
        px[k] = -300 + 4600 * urand();
        py[k] = -300 + 4100 * urand();
        rtm_features_add_point(pts, px[k], py[k], &e);
    }
    rtm_features_add_line(lin, line, 4, &e);
    f[0].name = "pubs";
    f[0].features = pts;
    f[0].op = RTM_OP_PROXIMITY;
    f[1].name = "road";
    f[1].features = lin;
    f[1].op = RTM_OP_PROXIMITY;
    rtm_var_opts_init(&o);
    o.block = 150;
    o.half_block = 1;
    RTM_CHECK(rtm_variables_build(&g, NULL, 0, f, 2, &o, &v, &e) == 0);
    if (!v)
        goto done;
    RTM_CHECK(v->n == rtm_grid_ncells(&g));
    for (k = 1; k <= 6; k++) {
        char name[64];
        int jp, jl;
        double d = 75.0 * k;
        snprintf(name, sizeof name, "pubs_proximity_%g", d);
        jp = col_of(v, name);
        snprintf(name, sizeof name, "road_proximity_%g", d);
        jl = col_of(v, name);
        RTM_CHECK(jp >= 0 && jl >= 0);
        if (jp < 0 || jl < 0)
            continue;
        for (i = 0; i < v->n; i++) {
            double x = rtm_grid_cell_x(&g, (int)(rtm_varset_cell(v, i) % g.ncols));
            double y = rtm_grid_cell_y(&g, (int)(rtm_varset_cell(v, i) / g.ncols));
            double dp = INFINITY, dl = INFINITY;
            int q;
            for (q = 0; q < 40; q++)
                dp = fmin(dp, hypot(x - px[q], y - py[q]));
            for (q = 0; q < 3; q++)
                dl = fmin(dl, seg_dist(x, y, line[2 * q], line[2 * q + 1], line[2 * q + 2],
                                       line[2 * q + 3]));
            bad += rtm_varset_value(v, i, jp) != (dp <= d);
            bad += rtm_varset_value(v, i, jl) != (dl <= d);
        }
    }
    RTM_CHECK(bad == 0);
done:
    rtm_varset_free(v);
    rtm_features_free(pts);
    rtm_features_free(lin);
}

static void test_density_threshold(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *pts = rtm_features_create();
    rtm_factor_spec f = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL;
    unsigned char *mask;
    double px[60], py[60], *dens;
    int k, j, bad = 0;
    size_t i, n = 0, nc;
    rtm_grid_from_bbox(&g, 0, 0, 3000, 3000, 100, NULL, &e);
    nc = rtm_grid_ncells(&g);
    mask = malloc(nc);
    dens = malloc(nc * sizeof *dens);
    for (i = 0; i < nc; i++)
        mask[i] = (i % g.ncols) < 25; /* study area: the western 25 columns */
    for (k = 0; k < 60; k++) {
        /* clustered: two clumps and some scatter */
        double cx = k < 25 ? 800 : k < 45 ? 2000 : 1500, s = k < 45 ? 250 : 1400;
        px[k] = cx + s * (urand() - 0.5);
        py[k] = cx + s * (urand() - 0.5);
        rtm_features_add_point(pts, px[k], py[k], &e);
    }
    f.name = "bars";
    f.features = pts;
    f.op = RTM_OP_DENSITY;
    rtm_var_opts_init(&o);
    o.block = 200;
    RTM_CHECK(rtm_variables_build(&g, mask, 0, &f, 1, &o, &v, &e) == 0);
    if (!v)
        goto done;
    for (i = 0; i < nc; i++)
        n += mask[i];
    RTM_CHECK(v->n == n);
    for (k = 1; k <= 3; k++) {
        double r = 200.0 * k, mean = 0, ss = 0, thr;
        char name[64];
        int jc;
        /* brute force: Epanechnikov 2/(pi r^2)(1 - u^2) at every cell centre */
        for (i = 0; i < nc; i++) {
            double x = rtm_grid_cell_x(&g, (int)(i % g.ncols));
            double y = rtm_grid_cell_y(&g, (int)(i / g.ncols));
            dens[i] = 0;
            for (j = 0; j < 60; j++) {
                double u2 = ((x - px[j]) * (x - px[j]) + (y - py[j]) * (y - py[j])) / (r * r);
                if (u2 <= 1)
                    dens[i] += 2 / (M_PI * r * r) * (1 - u2);
            }
        }
        for (i = 0; i < nc; i++)
            if (mask[i])
                mean += dens[i];
        mean /= (double)n;
        for (i = 0; i < nc; i++)
            if (mask[i])
                ss += (dens[i] - mean) * (dens[i] - mean);
        thr = mean + 2 * sqrt(ss / (double)n);
        snprintf(name, sizeof name, "bars_density_%g", r);
        jc = col_of(v, name);
        RTM_CHECK(jc >= 0);
        if (jc < 0)
            continue;
        RTM_CHECK_REL(v->var[jc].threshold, thr, 1e-9, 0);
        for (i = 0; i < v->n; i++) {
            double d = dens[rtm_varset_cell(v, i)];
            /* cells within rounding of the threshold may go either way */
            if (fabs(d - thr) > 1e-9 * thr)
                bad += rtm_varset_value(v, i, jc) != (d > 0 && d >= thr);
        }
    }
    RTM_CHECK(bad == 0);
done:
    rtm_varset_free(v);
    rtm_features_free(pts);
    free(mask);
    free(dens);
}

static void test_degenerate(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *none = rtm_features_create(), *far = rtm_features_create();
    rtm_factor_spec f = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL;
    rtm_grid_from_bbox(&g, 0, 0, 1000, 1000, 100, NULL, &e);
    rtm_var_opts_init(&o);
    o.block = 100;
    f.name = "empty";
    f.features = none;
    f.op = RTM_OP_BOTH;
    RTM_CHECK(rtm_variables_build(&g, NULL, 0, &f, 1, &o, &v, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "'empty'") != NULL);
    /* a feature far away: every proximity variable is constant 0 and dropped */
    rtm_features_add_point(far, 1e6, 1e6, &e);
    f.name = "far";
    f.features = far;
    f.op = RTM_OP_PROXIMITY;
    RTM_CHECK(rtm_variables_build(&g, NULL, 0, &f, 1, &o, &v, &e) == 0);
    if (v) {
        RTM_CHECK(v->p == 0 && v->info[0].generated == 3 && v->info[0].dropped_constant == 3);
        rtm_varset_free(v);
    }
    rtm_features_free(none);
    rtm_features_free(far);
}

/* The auto rule on a county-wide file: 40 venues in a tight cluster (a disc
 * of 60 m) inside a small L-shaped study area, 400 more spread over 200 km
 * far away, and 6 near the edge (3 within the 300 m reach, 3 beyond). Over
 * the whole file and the study area's size the venues look dispersed
 * (R >> 1); within the reach of the study area they are clustered (R < 1)
 * and the rule picks density. The region, the points in it and R are
 * recomputed here by brute force: every padded cell's centre against every
 * study-area cell centre, and every pair of points (Clark & Evans 1954:
 * R = mean NN / (0.5 / sqrt(n / A))). */
static void test_auto_region(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *fs = rtm_features_create();
    rtm_factor_spec f = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL;
    unsigned char mask[400];
    static double xy[2 * 446], sel[2 * 446];
    const double edge[6][2] = {{2050, 450}, {1200, 1150}, {-250, 1000},    /* within 300 m */
                               {2250, 700}, {1300, 1420}, {-420, 1000}};   /* beyond */
    double res = 100, reach = 300, sum = 0, R_all, sum_all = 0;
    size_t n = 0, m = 0, cells = 0, k, q, nmask = 0;
    int i, j, pad = 3;
    rtm_grid_from_bbox(&g, 0, 0, 2000, 2000, res, NULL, &e);
    for (i = 0; i < 20; i++)      /* row 0 is north: y from 2000 down */
        for (j = 0; j < 20; j++)  /* L: the west half, and the south strip */
            nmask += (mask[i * 20 + j] = j < 10 || i >= 15);
    rng_state = 99991;
    for (k = 0; k < 40; k++) {
        double a = 2 * M_PI * urand(), r = 60 * sqrt(urand());
        xy[2 * n] = 500 + r * cos(a), xy[2 * n + 1] = 500 + r * sin(a), n++;
    }
    for (k = 0; k < 400; k++)
        xy[2 * n] = 50000 + 200000 * urand(), xy[2 * n + 1] = 50000 + 200000 * urand(), n++;
    for (k = 0; k < 6; k++)
        xy[2 * n] = edge[k][0], xy[2 * n + 1] = edge[k][1], n++;
    for (k = 0; k < n; k++)
        RTM_CHECK(rtm_features_add_point(fs, xy[2 * k], xy[2 * k + 1], &e) == 0);
    /* brute-force region: padded cells within reach of a mask cell centre */
    for (i = -pad; i < 20 + pad; i++)
        for (j = -pad; j < 20 + pad; j++) {
            double cx = (j + 0.5) * res, cy = 2000 - (i + 0.5) * res, best = INFINITY;
            int a, b, inside;
            for (a = 0; a < 20; a++)
                for (b = 0; b < 20; b++)
                    if (mask[a * 20 + b])
                        best = fmin(best, hypot(cx - (b + 0.5) * res,
                                                cy - (2000 - (a + 0.5) * res)));
            inside = best <= reach;
            cells += inside;
            for (k = 0; inside && k < n; k++)
                if (floor(xy[2 * k] / res) == j && floor((2000 - xy[2 * k + 1]) / res) == i) {
                    sel[2 * m] = xy[2 * k], sel[2 * m + 1] = xy[2 * k + 1];
                    m++;
                }
        }
    RTM_CHECK(m == 43); /* the cluster and the three edge venues within reach */
    for (k = 0; k < m; k++) {
        double best = INFINITY;
        for (q = 0; q < m; q++)
            if (q != k)
                best = fmin(best, hypot(sel[2 * k] - sel[2 * q], sel[2 * k + 1] - sel[2 * q + 1]));
        sum += best;
    }
    for (k = 0; k < n; k++) {
        double best = INFINITY;
        for (q = 0; q < n; q++)
            if (q != k)
                best = fmin(best, hypot(xy[2 * k] - xy[2 * q], xy[2 * k + 1] - xy[2 * q + 1]));
        sum_all += best;
    }
    R_all = (sum_all / n) / (0.5 / sqrt(n / (nmask * res * res)));
    printf("# auto rule: whole file over the study area R = %.2f; near the study area R = %.3f "
           "(%zu points, %zu cells)\n", R_all, (sum / m) / (0.5 / sqrt(m / (cells * res * res))),
           m, cells);
    RTM_CHECK(R_all > 1);
    rtm_var_opts_init(&o);
    o.block = 100;
    f.name = "venues";
    f.features = fs;
    f.op = RTM_OP_AUTO;
    RTM_CHECK(rtm_variables_build(&g, mask, 0, &f, 1, &o, &v, &e) == 0);
    if (v) {
        rtm_factor_info *fi = &v->info[0];
        RTM_CHECK(fi->nn_n == m && fi->nn_area == cells * res * res);
        RTM_CHECK_REL(fi->mean_nn, sum / m, 1e-12, 0);
        RTM_CHECK_REL(fi->nn_ratio, (sum / m) / (0.5 / sqrt(m / (cells * res * res))), 1e-12, 0);
        RTM_CHECK(fi->nn_ratio < 1 && fi->nn_p < 0.05 && fi->op == RTM_OP_DENSITY);
        RTM_CHECK(strstr(fi->why, "43 of 446 points within 300 of the study area") != NULL);
        rtm_varset_free(v);
    }
    rtm_features_free(fs);
}

/* Saving and loading a variable set gives back the same set; a truncated
 * file is refused. */
static void test_cache_roundtrip(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *pts = rtm_features_create();
    rtm_factor_spec f = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL, *w = NULL;
    char dir[] = "/tmp/rtm_vars_XXXXXX", path[64];
    FILE *fp;
    int k;
    rtm_grid_from_bbox(&g, 0, 0, 2000, 1500, 100, NULL, &e);
    for (k = 0; k < 12; k++)
        rtm_features_add_point(pts, 2000 * urand(), 1500 * urand(), &e);
    f.name = "bars";
    f.features = pts;
    f.op = RTM_OP_BOTH;
    rtm_var_opts_init(&o);
    o.block = 200;
    RTM_CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/v.bin", dir);
    RTM_CHECK(rtm_variables_build(&g, NULL, 0, &f, 1, &o, &v, &e) == 0);
    if (!v)
        goto done;
    RTM_CHECK(rtm_varset_write(path, v, &e) == 0);
    RTM_CHECK(rtm_varset_read(path, &w, &e) == 0);
    if (!w)
        goto done;
    RTM_CHECK(w->n == v->n && w->p == v->p && w->nfactors == 1 && w->generated == v->generated);
    for (size_t i = 0; i < v->n; i++) /* the file holds the cells either way */
        RTM_CHECK(rtm_varset_cell(w, i) == rtm_varset_cell(v, i));
    size_t diff = 0;
    for (size_t i = 0; i < v->n; i++)
        for (int j = 0; j < v->p; j++)
            diff += rtm_varset_value(w, i, j) != rtm_varset_value(v, i, j);
    RTM_CHECK(diff == 0);
    RTM_CHECK(w->npat == v->npat && !memcmp(w->row_pat, v->row_pat, v->n * sizeof *v->row_pat));
    RTM_CHECK(!strcmp(w->var[v->p - 1].name, v->var[v->p - 1].name));
    RTM_CHECK(w->info[0].nfeatures == 12);
    rtm_varset_free(w);
    w = NULL;
    /* truncate: must be refused */
    fp = fopen(path, "r+b");
    if (fp) {
        RTM_CHECK(ftruncate(fileno(fp), 40) == 0);
        fclose(fp);
    }
    RTM_CHECK(rtm_varset_read(path, &w, &e) == RTM_ERR_IO && w == NULL);
done:
    unlink(path);
    rmdir(dir);
    rtm_varset_free(v);
    rtm_features_free(pts);
}

/* A factor's own ladder overrides the options': max 1 block gives one
 * distance, half-block steps up to 3 blocks give six. */
static void test_factor_ladder(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *a = rtm_features_create();
    rtm_factor_spec f[2] = {0};
    rtm_var_opts o;
    rtm_varset *v = NULL;
    int j, na = 0, nb = 0;
    rtm_grid_from_bbox(&g, 0, 0, 3000, 3000, 50, NULL, &e);
    rtm_features_add_point(a, 1500, 1500, &e);
    f[0].name = "a";
    f[0].features = a;
    f[0].op = RTM_OP_PROXIMITY;
    f[0].max_blocks = 1;
    f[1] = f[0];
    f[1].name = "b";
    f[1].max_blocks = 0;
    f[1].increment = 2;
    rtm_var_opts_init(&o);
    o.block = 200;
    RTM_CHECK(rtm_variables_build(&g, NULL, 0, f, 2, &o, &v, &e) == 0);
    if (!v)
        goto done;
    for (j = 0; j < v->p; j++) {
        na += v->var[j].factor == 0;
        nb += v->var[j].factor == 1;
    }
    RTM_CHECK(na == 1 && v->var[0].distance == 200);
    RTM_CHECK(nb == 6 && col_of(v, "b_proximity_100") >= 0 && col_of(v, "b_proximity_600") >= 0);
done:
    rtm_varset_free(v);
    rtm_features_free(a);
}

int main(void)
{
    RTM_RUN(test_ladder);
    RTM_RUN(test_proximity_points_lines);
    RTM_RUN(test_density_threshold);
    RTM_RUN(test_degenerate);
    RTM_RUN(test_auto_region);
    RTM_RUN(test_cache_roundtrip);
    RTM_RUN(test_factor_ladder);
    return RTM_TEST_END();
}
