/* test_priority.c: priority places: 8-connected components against a
 * hand-drawn grid, ranking, and GDAL reading back the GeoPackage. */
#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/gdal.h"
#include "rtm/model.h"
#include "rtm/output.h"
#include "rtm_test.h"

/* 6 x 5 grid; X = flagged.  Components (8-connected):
 *   A: (0,0),(1,1)        diagonal neighbours -> one place, 2 cells
 *   B: (0,4),(0,5),(1,5)  3 cells
 *   C: (3,2)              1 cell, highest score 9
 *   D: (4,5)              1 cell                          */
static const char *PIC[5] = {"X...XX", ".X...X", "......", "..X...", ".....X"};

static void setup(rtm_grid *g, unsigned char *flag, double *score, double *cnt)
{
    rtm_error e;
    int i, j;
    rtm_grid_from_bbox(g, 0, 0, 600, 500, 100, "EPSG:27700", &e);
    for (i = 0; i < 5; i++)
        for (j = 0; j < 6; j++) {
            size_t k = (size_t)i * 6 + j;
            flag[k] = PIC[i][j] == 'X';
            score[k] = flag[k] ? 2 : 1;
            cnt[k] = flag[k] ? 1 : 0;
        }
    score[3 * 6 + 2] = 9; /* C */
    score[0] = 5;         /* A's max */
}

static void test_components(void)
{
    rtm_grid g;
    rtm_error e;
    unsigned char flag[30];
    double score[30], cnt[30];
    int *lab = NULL, n = 0;
    rtm_place *pl = NULL;
    setup(&g, flag, score, cnt);
    RTM_CHECK(rtm_places_find(&g, flag, score, cnt, &lab, &pl, &n, &e) == 0);
    RTM_CHECK(n == 4);
    if (n != 4)
        return;
    /* ranked by max score: C (9), A (5), then B (2, 3 events) before D (2, 1 event) */
    RTM_CHECK(pl[0].cells == 1 && pl[0].max_score == 9 && lab[3 * 6 + 2] == 1);
    RTM_CHECK(pl[1].cells == 2 && lab[0] == 2 && lab[1 * 6 + 1] == 2);
    RTM_CHECK(pl[2].cells == 3 && pl[2].events == 3 && lab[5] == 3);
    RTM_CHECK(pl[3].cells == 1 && lab[4 * 6 + 5] == 4);
    RTM_CHECK_NEAR(pl[1].mean_score, 3.5, 1e-12);
    RTM_CHECK_NEAR(pl[2].area, 30000, 1e-9);
    /* centroid of C's cell centre: x = 250, y = 500 - 350 = 150 */
    RTM_CHECK_NEAR(pl[0].cx, 250, 1e-9);
    RTM_CHECK_NEAR(pl[0].cy, 150, 1e-9);
    free(lab);
    free(pl);
}

static void test_write_gpkg(void)
{
    rtm_grid g;
    rtm_error e;
    unsigned char flag[30];
    double score[30], cnt[30];
    int *lab = NULL, n = 0;
    rtm_place *pl = NULL;
    char path[] = "/tmp/rtm_places_XXXXXX";
    char file[64];
    GDALDatasetH ds;
    setup(&g, flag, score, cnt);
    RTM_CHECK(mkdtemp(path) != NULL);
    snprintf(file, sizeof file, "%s/p.gpkg", path);
    RTM_CHECK(rtm_places_find(&g, flag, score, cnt, &lab, &pl, &n, &e) == 0);
    RTM_CHECK(rtm_places_write(file, "priority_places", &g, lab, pl, n, &e) == 0);
    rtm_gdal_init();
    ds = GDALOpenEx(file, GDAL_OF_VECTOR, NULL, NULL, NULL);
    RTM_CHECK(ds != NULL);
    if (ds) {
        OGRLayerH l = GDALDatasetGetLayer(ds, 0);
        OGRFeatureH f;
        double area = 0;
        int count = 0;
        RTM_CHECK(OGR_L_GetFeatureCount(l, 1) == 4);
        RTM_CHECK(!strcmp(OGR_L_GetName(l), "priority_places"));
        while ((f = OGR_L_GetNextFeature(l))) {
            int rank = OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "rank"));
            double a = OGR_G_Area(OGR_F_GetGeometryRef(f));
            /* polygon area equals the cells' area for each ranked place */
            RTM_CHECK_NEAR(a, OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_m2")), 1e-6);
            RTM_CHECK(rank == ++count);
            area += a;
            OGR_F_Destroy(f);
        }
        RTM_CHECK_NEAR(area, 7 * 10000, 1e-6);
        GDALClose(ds);
    }
    unlink(file);
    rmdir(path);
    free(lab);
    free(pl);
}

int main(void)
{
    RTM_RUN(test_components);
    RTM_RUN(test_write_gpkg);
    return RTM_TEST_END();
}
