/* test_grid.c: grid construction and cell location against hand-computed cases. */
#include "rtm/grid.h"
#include "rtm_test.h"

static void test_bbox_exact(void)
{
    rtm_grid g;
    rtm_error e;
    RTM_CHECK(rtm_grid_from_bbox(&g, 560000, 180000, 620000, 240000, 120, "EPSG:27700", &e) == 0);
    RTM_CHECK(g.ncols == 500 && g.nrows == 500);
    RTM_CHECK_NEAR(rtm_grid_cell_x(&g, 0), 560060, 0);
    RTM_CHECK_NEAR(rtm_grid_cell_y(&g, 0), 239940, 0);
    RTM_CHECK_NEAR(rtm_grid_cell_y(&g, 499), 180060, 0);
    /* non-multiple extent: last column extends past xmax */
    RTM_CHECK(rtm_grid_from_bbox(&g, 0, 0, 250, 100, 100, NULL, &e) == 0);
    RTM_CHECK(g.ncols == 3 && g.nrows == 1);
}

static void test_tap(void)
{
    rtm_grid g;
    rtm_error e;
    RTM_CHECK(rtm_grid_from_extent_tap(&g, 536936.2, 174783.9, 626820.1, 246582.0, 100, NULL, &e) == 0);
    RTM_CHECK_NEAR(g.x0, 536900, 1e-9);
    RTM_CHECK_NEAR(g.y0, 174700, 1e-9);
    RTM_CHECK(g.ncols == 900 && g.nrows == 719);
}

static void test_locate(void)
{
    rtm_grid g;
    rtm_error e;
    int i, j;
    rtm_grid_from_bbox(&g, 0, 0, 300, 200, 100, NULL, &e);
    RTM_CHECK(rtm_grid_locate(&g, 150, 50, &i, &j) == 0 && i == 1 && j == 1);
    RTM_CHECK(rtm_grid_locate(&g, 0, 199.9, &i, &j) == 0 && i == 0 && j == 0);
    RTM_CHECK(rtm_grid_locate(&g, 300, 50, &i, &j) == -1);
    RTM_CHECK(rtm_grid_locate(&g, -0.1, 50, &i, &j) == -1);
}

static void test_errors(void)
{
    rtm_grid g;
    rtm_error e;
    RTM_CHECK(rtm_grid_from_bbox(&g, 0, 0, 100, 100, -5, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "-5") != NULL);
    RTM_CHECK(rtm_grid_from_bbox(&g, 10, 0, 0, 100, 5, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_grid_from_bbox(&g, 0, 0, 1e9, 1e9, 0.01, NULL, &e) != 0);
}

int main(void)
{
    RTM_RUN(test_bbox_exact);
    RTM_RUN(test_tap);
    RTM_RUN(test_locate);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
