/* test_evaluate_product.c: the evaluation product called directly on a tiny
 * synthetic case - a 10 x 10 surface ranking the cells in reading order and
 * ten test events on known cells - with hit rate, PAI and PEI against a
 * hand computation, the files registered in the output set (and only
 * there until the commit), the derived surfaces, a one-step back-test, and
 * failures that register nothing. */
#include "rtm/product.h"
#include "rtm/output.h"
#include "rtm_test.h"

#include <gdal.h>
#include <sys/stat.h>

#define NC 10
#define NR 10

static char dir[256];

/* Cell k (row-major, row 0 north) of the 10 x 10 grid of 100 m cells from
 * (500000, 200000). The surface is 100 - k: cell 0 ranks first, no ties. */
static void grid(rtm_grid *g)
{
    rtm_error e = {0};
    rtm_grid_from_bbox(g, 500000, 200000, 500000 + NC * 100.0, 200000 + NR * 100.0, 100,
                       "EPSG:27700", &e);
}

static int write_surface(const char *path, double (*value)(int k))
{
    rtm_grid g;
    rtm_geotiff_opts go;
    rtm_error e = {0};
    double v[NC * NR];
    grid(&g);
    for (int k = 0; k < NC * NR; k++)
        v[k] = value(k);
    rtm_geotiff_opts_init(&go);
    go.write_qml = 0;
    return rtm_geotiff_write(path, &g, v, NULL, &go, &e);
}

static double ranked(int k)
{
    return 100 - k;
}

/* Test events: 3 in cell 0, 1 in cell 1, 2 in cell 5, 4 in cell 50 (N = 10),
 * at the cell centres plus small offsets; month 2018-03. Training events:
 * 2 in cell 50, 1 in cell 7 (N1 = 3), month 2018-01. */
static const int TEST_CELLS[] = {0, 0, 0, 1, 5, 5, 50, 50, 50, 50};
static const int TRAIN_CELLS[] = {50, 50, 7};

static int write_events(const char *path, const int *cells, int n, const char *month,
                        const char *mode)
{
    rtm_grid g;
    FILE *f = fopen(path, mode);
    if (!f)
        return -1;
    grid(&g);
    if (mode[0] == 'w')
        fputs("x,y,Month\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%.1f,%.1f,%s\n", rtm_grid_cell_x(&g, cells[i] % NC) + i % 3,
                rtm_grid_cell_y(&g, cells[i] / NC) - i % 2, month);
    return fclose(f);
}

typedef struct fixture {
    char tif[300], test_csv[300], train_csv[300], out[300];
    const char *test_files[1], *train_files[1];
    rtm_event_source test_src, train_src;
    rtm_eval_surface_file file;
    rtm_evaluate_product p;
} fixture;

static void fixture_init(fixture *fx, const char *outname)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->tif, sizeof fx->tif, "%s/rank.tif", dir);
    snprintf(fx->test_csv, sizeof fx->test_csv, "%s/test.csv", dir);
    snprintf(fx->train_csv, sizeof fx->train_csv, "%s/train.csv", dir);
    snprintf(fx->out, sizeof fx->out, "%s/%s", dir, outname);
    fx->test_files[0] = fx->test_csv;
    fx->train_files[0] = fx->train_csv;
    fx->test_src.files = fx->test_files;
    fx->test_src.nfiles = 1;
    fx->test_src.x_field = "x";
    fx->test_src.y_field = "y";
    fx->test_src.crs = "EPSG:27700";
    fx->train_src = fx->test_src;
    fx->train_src.files = fx->train_files;
    fx->file.path = fx->tif;
    rtm_evaluate_product_init(&fx->p);
    fx->p.dir = fx->out;
    fx->p.files = &fx->file;
    fx->p.nfiles = 1;
    fx->p.coverages[0] = 1;
    fx->p.coverages[1] = 5;
    fx->p.coverages[2] = 10;
    fx->p.ncoverages = 3;
    fx->p.test.sources = &fx->test_src;
    fx->p.test.nsources = 1;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static const char *const FILES[] = {"metrics.csv", "curves.csv", "concentration.csv",
                                    "metrics.md", "hitrate.png", "pai.png"};

/* The product registers its six files as DIR/<file>; they appear only on commit. */
static void check_registered(const fixture *fx, rtm_outset *out)
{
    char want[400];
    RTM_CHECK(rtm_outset_count(out) == 6);
    for (int i = 0; i < 6 && i < rtm_outset_count(out); i++) {
        snprintf(want, sizeof want, "%s/%s", fx->out, FILES[i]);
        RTM_CHECK(strcmp(rtm_outset_name(out, i), want) == 0);
        RTM_CHECK(!file_exists(want));
        RTM_CHECK(rtm_outset_staged(out, want) && file_exists(rtm_outset_staged(out, want)));
    }
}

/* Hand computation (A = 100 cells, N = 10, cells ranked 0, 1, 2, ...):
 *   1 %: a = 1 cell {0}: n = 3, hit rate 3/10, PAI = 0.3/0.01 = 30,
 *        n* = 4 (the busiest cell, 50), PEI = 3/4
 *   5 %: a = 5 cells {0..4}: n = 3 + 1 = 4, hit 0.4, PAI 8; n* = 4+3+2+1 = 10, PEI 0.4
 *  10 %: a = 10 cells {0..9}: n = 4 + 2 = 6, hit 0.6, PAI 6; n* = 10, PEI 0.6 */
static void test_hand_case(void)
{
    fixture fx;
    rtm_evaluate_result res;
    rtm_product_env env;
    rtm_outset *out = NULL;
    rtm_error e = {0};
    char path[400], line[512];
    FILE *f;
    int found = 0;
    fixture_init(&fx, "eval");
    RTM_CHECK(mkdir(fx.out, 0777) == 0);
    rtm_product_env_init(&env);
    RTM_CHECK(rtm_outset_open(&out, &e) == 0);
    RTM_CHECK(rtm_evaluate_product_run(&fx.p, &env, out, &res, &e) == 0);
    if (e.code)
        fprintf(stderr, "%s\n", e.msg);
    RTM_CHECK(res.nsurfaces == 1 && strcmp(res.names[0], "rank") == 0);
    RTM_CHECK(res.ncoverages == 3);
    RTM_CHECK_NEAR(res.m[0][0].hit_rate, 0.3, 1e-12);
    RTM_CHECK_NEAR(res.m[0][0].pai, 30, 1e-9);
    RTM_CHECK_NEAR(res.m[0][0].pei, 0.75, 1e-12);
    RTM_CHECK_NEAR(res.m[0][1].hit_rate, 0.4, 1e-12);
    RTM_CHECK_NEAR(res.m[0][1].pai, 8, 1e-9);
    RTM_CHECK_NEAR(res.m[0][1].pei, 0.4, 1e-12);
    RTM_CHECK_NEAR(res.m[0][2].hit_rate, 0.6, 1e-12);
    RTM_CHECK_NEAR(res.m[0][2].pai, 6, 1e-9);
    RTM_CHECK(isnan(res.m[0][0].rri)); /* no training events */
    check_registered(&fx, out);
    RTM_CHECK(rtm_outset_commit(out, &e) == 0);
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/%s", fx.out, FILES[i]);
        RTM_CHECK(file_exists(path));
    }
    /* the file says the same: surface,source,coverage,cells,km2,n,N,hit,PAI */
    snprintf(path, sizeof path, "%s/metrics.csv", fx.out);
    if ((f = fopen(path, "r"))) {
        while (fgets(line, sizeof line, f))
            found += strncmp(line, "rank,", 5) == 0 && strstr(line, ",5,5,0.05,4,10,0.4,8,");
        fclose(f);
    }
    RTM_CHECK(found == 1);
}

/* Derived surfaces from training events: prior = training counts (cell 50:
 * 2, cell 7: 1), so at 1 % it flags cell 50 (4 events): hit 0.4, PAI 40;
 * RRI of the file surface at 10 % (cells 0..9 hold n1 = 1 of N1 = 3):
 * (6/10)/(1/3) = 1.8. The combination rank*prior is prior scaled by the
 * rank (cell 50 still first). */
static void test_derived(void)
{
    fixture fx;
    rtm_evaluate_result res;
    const char *combine[] = {"rank*prior"};
    rtm_outset *out = NULL;
    rtm_error e = {0};
    fixture_init(&fx, "derived");
    RTM_CHECK(mkdir(fx.out, 0777) == 0);
    fx.p.train.sources = &fx.train_src;
    fx.p.train.nsources = 1;
    fx.p.prior_counts = 1;
    fx.p.combine = combine;
    fx.p.ncombine = 1;
    RTM_CHECK(rtm_outset_open(&out, &e) == 0);
    RTM_CHECK(rtm_evaluate_product_run(&fx.p, NULL, out, &res, &e) == 0);
    RTM_CHECK(res.nsurfaces == 3);
    RTM_CHECK(strcmp(res.names[1], "prior") == 0 && strcmp(res.names[2], "rank*prior") == 0);
    RTM_CHECK_NEAR(res.m[1][0].hit_rate, 0.4, 1e-12);
    RTM_CHECK_NEAR(res.m[1][0].pai, 40, 1e-9);
    RTM_CHECK_NEAR(res.m[2][0].hit_rate, 0.4, 1e-12);
    RTM_CHECK_NEAR(res.m[0][2].rri, 1.8, 1e-12);
    RTM_CHECK(rtm_outset_commit(out, &e) == 0);
}

/* Back-test over 2018-01..02 of both.csv (January: the training cells,
 * February: the test cells): one step, train on January, test on February.
 * The prior counts (implied) flag cell 50 at 1 %: 4 of 10 events, PAI 40;
 * the file surface flags cell 0: 3 of 10. One step: the means are the step's. */
static void test_backtest(void)
{
    fixture fx;
    rtm_evaluate_result res;
    rtm_outset *out = NULL;
    rtm_error e = {0};
    char both[300], want[400];
    const char *files[1] = {both};
    fixture_init(&fx, "backtest");
    snprintf(both, sizeof both, "%s/both.csv", dir);
    fx.test_src.files = files;
    RTM_CHECK(mkdir(fx.out, 0777) == 0);
    fx.p.backtest = 1;
    fx.p.months_from = 201801;
    fx.p.months_to = 201802;
    RTM_CHECK(rtm_outset_open(&out, &e) == 0);
    RTM_CHECK(rtm_evaluate_product_run(&fx.p, NULL, out, &res, &e) == 0);
    RTM_CHECK(res.nsteps == 1 && res.nsurfaces == 2 && strcmp(res.names[1], "prior") == 0);
    RTM_CHECK_NEAR(res.m[0][0].hit_rate, 0.3, 1e-12);
    RTM_CHECK_NEAR(res.m[1][0].hit_rate, 0.4, 1e-12);
    RTM_CHECK_NEAR(res.m[1][0].pai, 40, 1e-9);
    /* backtest.csv, backtest.md and the PAI charts at 1 and 5 % (of 1, 5, 10 %) */
    RTM_CHECK(rtm_outset_count(out) == 4);
    snprintf(want, sizeof want, "%s/backtest.csv", fx.out);
    RTM_CHECK(rtm_outset_count(out) == 4 && strcmp(rtm_outset_name(out, 0), want) == 0);
    snprintf(want, sizeof want, "%s/backtest_pai_1.png", fx.out);
    RTM_CHECK(rtm_outset_count(out) == 4 && strcmp(rtm_outset_name(out, 2), want) == 0);
    snprintf(want, sizeof want, "%s/backtest.md", fx.out);
    RTM_CHECK(rtm_outset_count(out) == 4 && strcmp(rtm_outset_name(out, 1), want) == 0);
    RTM_CHECK(rtm_outset_commit(out, &e) == 0 && file_exists(want));
}

/* Failures: an unknown combination (an options error, before reading) and
 * no test event in the month window (after reading) register nothing. */
static void test_failures_register_nothing(void)
{
    fixture fx;
    const char *combine[] = {"rank*nope"};
    rtm_outset *out = NULL;
    rtm_error e = {0};
    fixture_init(&fx, "fail");
    fx.p.combine = combine;
    fx.p.ncombine = 1;
    RTM_CHECK(rtm_outset_open(&out, &e) == 0);
    RTM_CHECK(rtm_evaluate_product_run(&fx.p, NULL, out, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "'nope'") != NULL);
    fx.p.ncombine = 0;
    fx.p.test.month_from = fx.p.test.month_to = 201901;
    RTM_CHECK(rtm_evaluate_product_run(&fx.p, NULL, out, NULL, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "no test events") != NULL);
    RTM_CHECK(rtm_outset_count(out) == 0);
    rtm_outset_abort(out);
}

static void cleanup(void)
{
    const char *sub[] = {"eval", "derived", "backtest"};
    char p[400];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, sub[i]);
        rtm_t_rmdir(p);
    }
    rtm_t_rmdir(dir);
}

int main(void)
{
    char p[400];
    if (rtm_t_tmpdir(dir, sizeof dir, "evaluate-product"))
        return 1;
    GDALAllRegister();
    snprintf(p, sizeof p, "%s/rank.tif", dir);
    if (write_surface(p, ranked))
        return 1;
    snprintf(p, sizeof p, "%s/test.csv", dir);
    write_events(p, TEST_CELLS, 10, "2018-03", "w");
    snprintf(p, sizeof p, "%s/train.csv", dir);
    write_events(p, TRAIN_CELLS, 3, "2018-01", "w");
    snprintf(p, sizeof p, "%s/both.csv", dir);
    write_events(p, TRAIN_CELLS, 3, "2018-01", "w");
    write_events(p, TEST_CELLS, 10, "2018-02", "a");
    RTM_RUN(test_hand_case);
    RTM_RUN(test_derived);
    RTM_RUN(test_backtest);
    RTM_RUN(test_failures_register_nothing);
    cleanup();
    return RTM_TEST_END();
}
