/* test_points.c: loading events through OGR: real data.police.uk and risk-setting
 * files, bad rows counted by reason, filters, weights, CRS handling, and the
 * WGS 84 -> British National Grid transformation against an Ordnance Survey
 * reference point. */
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>

#include "rtm/input.h"
#include "core/gdal.h"
#include "rtm_test.h"

static char path_buf[1024];
static const char *data(const char *rel)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", rtm_test_data(), rel);
    return path_buf;
}
static char sample_buf[1024];
static const char *sample(const char *rel)
{
    snprintf(sample_buf, sizeof sample_buf, "%s/../../samples/essex/%s", rtm_test_data(), rel);
    return sample_buf;
}

/* Independent count: rows of a data.police.uk file whose "Crime type" equals t,
 * by reading every feature with OGR and comparing strings (no SQL). */
static size_t count_type(const char *path, const char *t)
{
    char vsi[1100];
    GDALDatasetH ds;
    OGRLayerH l;
    OGRFeatureH f;
    size_t n = 0;
    int i;
    snprintf(vsi, sizeof vsi, "/vsigzip/%s", path);
    rtm_gdal_init();
    ds = GDALOpenEx(vsi, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds)
        return 0;
    l = GDALDatasetGetLayer(ds, 0);
    i = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), "Crime type");
    while ((f = OGR_L_GetNextFeature(l))) {
        n += !strcmp(OGR_F_GetFieldAsString(f, i), t);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

static void test_police_csv(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    size_t i, inside = 0;
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, sample("crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz"),
                              &o, &st, &e) == 0);
    /* published figure: 9,986 rows, all with coordinates inside Southend */
    RTM_CHECK(st.read == 9986 && st.used == 9986 && p.n == 9986);
    RTM_CHECK(rtm_load_stats_skipped(&st) == 0);
    for (i = 0; i < p.n; i++)
        inside += p.x[i] > 580000 && p.x[i] < 597000 && p.y[i] > 182000 && p.y[i] < 190000;
    RTM_CHECK(inside == p.n);
    RTM_CHECK(p.month[0] == 201801 && p.month[p.n - 1] == 201805);
    RTM_CHECK(strstr(st.transform, "British National Grid") != NULL);
    rtm_points_clear(&p);
}

static void test_where_and_months(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    const char *f = sample("crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz");
    size_t expect = count_type(f, "Violence and sexual offences");
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    o.where = "\"Crime type\" = 'Violence and sexual offences'";
    RTM_CHECK(rtm_points_load(&p, f, &o, &st, &e) == 0);
    RTM_CHECK(expect > 1000 && p.n == expect);
    RTM_CHECK(st.read == 9986 && st.filtered_where == 9986 - expect);
    /* month window: published monthly counts 02: 1,703 and 03: 2,072 rows */
    rtm_points_clear(&p);
    rtm_load_stats_init(&st);
    o.where = NULL;
    o.month_from = 201802;
    o.month_to = 201803;
    RTM_CHECK(rtm_points_load(&p, f, &o, &st, &e) == 0);
    RTM_CHECK(p.n == 1703 + 2072);
    RTM_CHECK(st.filtered_month == 9986 - 1703 - 2072);
    /* a broken filter is a clear error */
    o.where = "\"Crime type\" = = 'x'";
    RTM_CHECK(rtm_points_load(&p, f, &o, &st, &e) != 0 && strstr(e.msg, "--where"));
    rtm_points_clear(&p);
}

static void test_bad_rows(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, data("points/mixed.csv"), &o, &st, &e) == 0);
    /* rows: 1,5,7,8 usable; 2 empty lon; 3 'abc'; 4 lon 200 and 6 in France */
    RTM_CHECK(p.n == 4 && st.used == 4 && st.read == 8);
    RTM_CHECK(st.skipped[RTM_SKIP_NO_COORDS] == 1);
    RTM_CHECK(st.skipped[RTM_SKIP_BAD_COORDS] == 1);
    RTM_CHECK(st.skipped[RTM_SKIP_OUTSIDE_CRS] == 2);
    RTM_CHECK(strstr(st.example[RTM_SKIP_NO_COORDS], "line 3") != NULL);
    RTM_CHECK(strstr(st.example[RTM_SKIP_BAD_COORDS], "Longitude") != NULL);
    /* strict: the first bad row is an error naming file, line and field, and
     * nothing of the file is kept */
    o.strict = 1;
    RTM_CHECK(rtm_points_load(&p, data("points/mixed.csv"), &o, &st, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "mixed.csv line 3") && strstr(e.msg, "Longitude"));
    RTM_CHECK(p.n == 4);
    rtm_points_clear(&p);
}

static void test_weights(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_weight_table *t;
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    o.weight_field = "harm";
    RTM_CHECK(rtm_points_load(&p, data("points/mixed.csv"), &o, &st, &e) == 0);
    /* row 7's harm 'x' is a bad weight; rows 1,5,8 weigh 3+2+1 */
    RTM_CHECK(p.n == 3 && st.skipped[RTM_SKIP_BAD_WEIGHT] == 1);
    RTM_CHECK_NEAR(rtm_points_weight_sum(&p), 6, 0);
    rtm_points_clear(&p);
    t = rtm_weight_table_load(data("points/harm.csv"), &e);
    RTM_CHECK(t != NULL);
    if (!t)
        return;
    o.weight_field = NULL;
    o.weight_table = t;
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, data("points/mixed.csv"), &o, &st, &e) == 0);
    /* burglary 3 + violence 5 + violence 5 + ASB 0.5 */
    RTM_CHECK(p.n == 4);
    RTM_CHECK_NEAR(rtm_points_weight_sum(&p), 13.5, 1e-12);
    rtm_weight_table_free(t);
    RTM_CHECK(rtm_weight_table_load(data("points/nope.csv"), &e) == NULL && strstr(e.msg, "nope.csv"));
    rtm_points_clear(&p);
    /* weights 1e308, 1e16 and inf are data errors (they overflow every sum);
     * 2 and 1e15 are kept */
    o.weight_table = NULL;
    o.weight_field = "w";
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, data("points/bigweight.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 2 && st.skipped[RTM_SKIP_BAD_WEIGHT] == 3);
    RTM_CHECK_NEAR(rtm_points_weight_sum(&p), 2 + 1e15, 0);
    RTM_CHECK(strstr(st.example[RTM_SKIP_BAD_WEIGHT], "bigweight.csv line 2 field w") != NULL);
    rtm_points_clear(&p);
}

/* Ordnance Survey's worked example (Caister water tower): ETRS89 52.658007833 N,
 * 1.716073973 E is OSGB36 E 651409.792, N 313177.448 (OS "A guide to coordinate
 * systems in Great Britain"; OSTN15 agrees to a few mm). With PROJ's OSTN15 grid
 * the result must be within 1 m; without it PROJ falls back to a Helmert
 * transformation that is documented to be off by 3.5-7 m. */
static void test_os_reference(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    double d;
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, data("points/caister.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 1);
    if (p.n != 1)
        return;
    d = hypot(p.x[0] - 651409.792, p.y[0] - 313177.448);
    printf("# WGS84 -> EPSG:27700 via '%s': %.3f m from the OS reference\n", st.transform, d);
    if (strstr(st.transform, "OSTN15"))
        RTM_CHECK(d <= 1.0);
    else
        RTM_CHECK(d <= 8.0);
    rtm_points_clear(&p);
}

static void test_risk_settings(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_points_init(&p);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    /* latitude/longitude columns (OSM pubs, 336 rows) */
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, sample("risk/osm_pubs_essex_police_area.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 336);
    /* lat/lon columns (FHRS venues, 1,816 rows) */
    rtm_points_clear(&p);
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, sample("risk/fhrs_openpubs_venues_essex_police_area.csv"), &o,
                              &st, &e) == 0);
    RTM_CHECK(p.n == 1816);
    /* Easting/Northing: projected, needs --src-crs */
    rtm_points_clear(&p);
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, sample("risk/naptan_rail_stations_essex_police_area.csv"), &o,
                              &st, &e) == RTM_ERR_CRS);
    RTM_CHECK(strstr(e.msg, "Easting") && strstr(e.msg, "--src-crs"));
    o.src_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, sample("risk/naptan_rail_stations_essex_police_area.csv"), &o,
                              &st, &e) == 0);
    RTM_CHECK(p.n == 74);
    rtm_points_clear(&p);
    rtm_load_stats_init(&st);
    o.x_field = "x";
    o.y_field = "y";
    RTM_CHECK(rtm_points_load(&p, data("points/xy_nocrs.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 2 && p.x[1] == 585100 && p.y[1] == 185100);
    o.x_field = "nope";
    RTM_CHECK(rtm_points_load(&p, data("points/xy_nocrs.csv"), &o, &st, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "'nope'") && strstr(e.msg, "xy_nocrs.csv"));
    rtm_points_clear(&p);
}

static void test_geojson_and_errors(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    o.weight_field = "w";
    RTM_CHECK(rtm_points_load(&p, data("points/pts.geojson"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 2 && p.x[0] == 585000.5 && p.y[0] == 185500.25 && p.w[0] == 2);
    RTM_CHECK(st.skipped[RTM_SKIP_NO_COORDS] == 1);
    o.weight_field = NULL;
    RTM_CHECK(rtm_points_load(&p, data("points/missing.csv"), &o, &st, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "missing.csv") != NULL);
    RTM_CHECK(rtm_points_load(&p, data("points/xy_nocrs.csv"), &o, &st, &e) == RTM_ERR_CRS);
    rtm_points_clear(&p);
}


/* A GeoPackage point layer in EPSG:27700 written here with OGR: n points
 * (gx, gy) as geometry, plus decoy attribute columns x, y, lon, lat holding
 * other values (a copy of another place's coordinates, as some exports carry). */
static int write_gpkg(const char *path, const double *gx, const double *gy, int n)
{
    GDALDriverH drv;
    GDALDatasetH ds;
    OGRSpatialReferenceH srs;
    OGRLayerH l;
    const char *names[4] = {"x", "y", "lon", "lat"};
    int i, k, rc = 0;
    rtm_gdal_init();
    drv = GDALGetDriverByName("GPKG");
    ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds)
        return -1;
    srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 27700);
    l = GDALDatasetCreateLayer(ds, "events", srs, wkbPoint, NULL);
    for (k = 0; l && k < 4; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(names[k], OFTReal);
        OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    for (i = 0; l && i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, gx[i], gy[i]);
        OGR_F_SetGeometryDirectly(f, g);
        OGR_F_SetFieldDouble(f, 0, 500000.0 + i);  /* x: 85+ km west */
        OGR_F_SetFieldDouble(f, 1, 100000.0 + i);  /* y */
        OGR_F_SetFieldDouble(f, 2, -3.0);          /* lon: Wales */
        OGR_F_SetFieldDouble(f, 3, 52.0);          /* lat */
        rc |= OGR_L_CreateFeature(l, f) != OGRERR_NONE;
        OGR_F_Destroy(f);
    }
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
    return l && !rc ? 0 : -1;
}

/* A layer with a point geometry and a CRS uses the geometry, not attribute
 * columns that happen to be called x/y or lon/lat; naming the columns
 * explicitly still reads them. */
static void test_geometry_over_columns(void)
{
    char dir[512], path[600];
    double gx[3] = {585000.5, 586123.25, 590000}, gy[3] = {185500.25, 186000, 187654.5};
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    int i;
    if (rtm_t_tmpdir(dir, sizeof dir, "pts"))
        return;
    snprintf(path, sizeof path, "%s/ev.gpkg", dir);
    RTM_CHECK(write_gpkg(path, gx, gy, 3) == 0);
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, path, &o, &st, &e) == 0);
    RTM_CHECK(p.n == 3);
    for (i = 0; i < 3 && p.n == 3; i++)
        RTM_CHECK(p.x[i] == gx[i] && p.y[i] == gy[i]);
    RTM_CHECK(strstr(st.src_crs, "British National Grid") != NULL);
    /* the features loader follows the same rule */
    {
        rtm_features *f = rtm_features_create();
        const double *xy;
        RTM_CHECK(rtm_layer_load(f, path, &o, &st, &e) == 0);
        RTM_CHECK(rtm_features_npoints(f) == 3);
        xy = rtm_features_points_xy(f);
        for (i = 0; i < 3 && rtm_features_npoints(f) == 3; i++)
            RTM_CHECK(xy[2 * i] == gx[i] && xy[2 * i + 1] == gy[i]);
        rtm_features_free(f);
    }
    /* explicit columns win */
    rtm_points_clear(&p);
    o.x_field = "x";
    o.y_field = "y";
    o.src_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, path, &o, &st, &e) == 0);
    RTM_CHECK(p.n == 3 && p.x[p.n - 1] == 500002 && p.y[p.n - 1] == 100002);
    rtm_points_clear(&p);
    rtm_t_rmdir(dir);
}

/* A point at x = 1e308 (a broken geocode) beside a normal one: the event and
 * the feature loaders skip it under outside_crs_area and keep the other. */
static void test_huge_coordinate(void)
{
    char dir[512], path[600];
    double gx[2] = {585000.5, 1e308}, gy[2] = {185500.25, 185600};
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_features *f = rtm_features_create();
    if (rtm_t_tmpdir(dir, sizeof dir, "pts"))
        return;
    snprintf(path, sizeof path, "%s/huge.gpkg", dir);
    RTM_CHECK(write_gpkg(path, gx, gy, 2) == 0);
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, path, &o, &st, &e) == 0);
    RTM_CHECK(p.n == 1 && p.x[0] == gx[0] && st.skipped[RTM_SKIP_OUTSIDE_CRS] == 1);
    RTM_CHECK(strstr(st.example[RTM_SKIP_OUTSIDE_CRS], "huge.gpkg feature 2") != NULL);
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_layer_load(f, path, &o, &st, &e) == 0);
    RTM_CHECK(rtm_features_npoints(f) == 1 && st.used == 1 && st.read == 2);
    RTM_CHECK(st.skipped[RTM_SKIP_OUTSIDE_CRS] == 1);
    RTM_CHECK(strstr(st.example[RTM_SKIP_OUTSIDE_CRS], "huge.gpkg feature 2") != NULL);
    /* the area of use has a 1-degree margin: British National Grid's box
     * ends at 2.01 E (EPSG), so 2.5 E is kept and 3.5 E is not */
    {
        rtm_transform *t = rtm_transform_create("EPSG:4326", "EPSG:27700", &e);
        double x[3] = {2.5, 3.5, 1e308}, y[3] = {52, 52, 52};
        unsigned char ok[3];
        RTM_CHECK(t && rtm_transform_points(t, x, y, 3, ok) == 1);
        RTM_CHECK(ok[0] == 1 && ok[1] == 0 && ok[2] == 0 && isnan(x[2]));
        rtm_transform_free(t);
    }
    /* to another CRS too (OGR transformed 1e308 before; PROJ now refuses it) */
    rtm_features_free(f);
    f = rtm_features_create();
    rtm_load_stats_init(&st);
    o.dst_crs = "EPSG:3857";
    RTM_CHECK(rtm_layer_load(f, path, &o, &st, &e) == 0);
    RTM_CHECK(rtm_features_npoints(f) == 1 && st.skipped[RTM_SKIP_OUTSIDE_CRS] == 1);
    rtm_features_free(f);
    rtm_points_clear(&p);
    rtm_t_rmdir(dir);
}

/* The same six events (28 Feb 23:10, 15 Mar 00:05, 31 Mar 12:00, 1 Apr 00:30,
 * 2 Apr 23:59, 3 Apr 08:00, 2018) written in each date form: every row loads
 * with its day, the form is reported, and the window 15 March .. 2 April
 * keeps exactly the middle four (police.uk months have no day: the window
 * cuts March and April, so those rows are counted as bad dates, February is
 * outside). The ISO file gives April's events at +01:00: days as written. */
static void test_date_forms(void)
{
    static const struct {
        const char *file, *field, *form;
        int has_day;
    } F[] = {
        {"points/dates_month.csv", NULL, "yyyy-mm (police.uk month)", 0},
        {"points/dates_iso.csv", NULL, "yyyy-mm-dd (ISO 8601 date)", 1},
        {"points/dates_isotime.csv", "Occurred", "ISO 8601 date-time", 1},
        {"points/dates_dmy.csv", NULL, "dd/mm/yyyy", 1},
        {"points/dates_dmytime.csv", NULL, "dd/mm/yyyy hh:mm", 1},
    };
    const int days[6] = {20180228, 20180315, 20180331, 20180401, 20180402, 20180403};
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    size_t k, i;
    rtm_points_init(&p);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    for (k = 0; k < sizeof F / sizeof *F; k++) {
        rtm_load_stats_init(&st);
        o.month_field = F[k].field;
        o.date_from = o.date_to = 0;
        RTM_CHECK(rtm_points_load(&p, data(F[k].file), &o, &st, &e) == 0);
        RTM_CHECK(p.n >= 6 && st.used == p.n);
        RTM_CHECK(strstr(st.date_form, F[k].form) == st.date_form);
        for (i = 0; i < 6 && p.n >= 6; i++) {
            RTM_CHECK(p.day[i] == (F[k].has_day ? days[i] : 0));
            RTM_CHECK(p.month[i] == days[i] / 100);
        }
        rtm_points_clear(&p);
        rtm_load_stats_init(&st);
        o.date_from = 20180315;
        o.date_to = 20180402;
        RTM_CHECK(rtm_points_load(&p, data(F[k].file), &o, &st, &e) == 0);
        if (F[k].has_day) {
            RTM_CHECK(p.n == 4 && st.filtered_month == 2);
            for (i = 0; i < p.n; i++)
                RTM_CHECK(p.day[i] == days[i + 1]);
        } else {
            RTM_CHECK(p.n == 0 && st.filtered_month == 1 && st.skipped[RTM_SKIP_BAD_MONTH] == 5);
        }
        rtm_points_clear(&p);
    }
    /* the 7th row of the dd/mm/yyyy hh:mm file is 31 April: a bad date */
    RTM_CHECK(st.read == 7 && st.skipped[RTM_SKIP_BAD_MONTH] == 1);
    RTM_CHECK(strstr(st.example[RTM_SKIP_BAD_MONTH], "dates_dmytime.csv line 8 field Date"));
    /* a month window is whole months, alone or with a day window */
    o.month_field = NULL;
    o.date_from = o.date_to = 0;
    o.month_from = o.month_to = 201803;
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, data("points/dates_month.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 2 && st.filtered_month == 4);
    rtm_points_clear(&p);
    o.date_to = 20180320;
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, data("points/dates_dmy.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 1 && p.day[0] == 20180315 && st.filtered_month == 5);
    rtm_points_clear(&p);
    /* month-first dates are refused when a window needs them */
    o.month_from = o.month_to = 0;
    o.date_to = 0;
    o.date_from = 20180301;
    RTM_CHECK(rtm_points_load(&p, data("points/dates_us.csv"), &o, &st, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "dates_us.csv' field 'Date'") && strstr(e.msg, "month first"));
    o.date_from = 0;
    rtm_load_stats_init(&st);
    RTM_CHECK(rtm_points_load(&p, data("points/dates_us.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 6 && p.month[0] == 0 && p.day[1] == 0);
    rtm_points_clear(&p);
}

/* Row 5 of 105 opens a quote it never closes: OGR's CSV reader joins the
 * remaining 100 lines into that row's last field, so only 5 rows would load.
 * That is an error naming the file, the line and the field, strict or not.
 * (The file is read here independently: 106 physical lines.) */
static void test_unclosed_quote(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_features *f = rtm_features_create();
    FILE *fp = fopen(data("points/unclosed_quote.csv"), "r");
    int c, lines = 0;
    while (fp && (c = fgetc(fp)) != EOF)
        lines += c == '\n';
    if (fp)
        fclose(fp);
    RTM_CHECK(lines == 106);
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    RTM_CHECK(rtm_points_load(&p, data("points/unclosed_quote.csv"), &o, &st, &e) ==
              RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "unclosed_quote.csv line 6 field 'Location': a quote is not closed"));
    RTM_CHECK(p.n == 0 && st.used == 0);
    RTM_CHECK(rtm_layer_load(f, data("points/unclosed_quote.csv"), &o, &st, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_features_count(f) == 0);
    rtm_features_free(f);
    /* closed quotes, with commas and a two-line note, load as usual */
    RTM_CHECK(rtm_points_load(&p, data("points/quoted.csv"), &o, &st, &e) == 0 && p.n == 3);
    rtm_points_clear(&p);
}

static void test_study_area(void)
{
    rtm_points p;
    rtm_load_stats st;
    rtm_load_opts o;
    rtm_error e;
    rtm_grid g;
    unsigned char *mask = NULL;
    double area = 0;
    size_t k, in = 0;
    memset(&g, 0, sizeof g);
    RTM_CHECK(rtm_area_load(sample("boundaries/southend_on_sea_lad2011_bng.geojson"), NULL, NULL,
                            "EPSG:27700", 100, &g, &mask, &area, &e) == 0);
    if (!mask)
        return;
    /* published area 67.8 km2; grid snapped to multiples of 100 m */
    RTM_CHECK_NEAR(area / 1e6, 67.8, 0.1);
    RTM_CHECK(fmod(g.x0, 100) == 0 && fmod(g.y0, 100) == 0);
    for (k = 0; k < rtm_grid_ncells(&g); k++)
        in += mask[k];
    /* all-touched cells cover at least the polygon area, plus a boundary band */
    RTM_CHECK(in * 1e4 >= area && in * 1e4 < area * 1.25);
    rtm_points_init(&p);
    rtm_load_stats_init(&st);
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    o.area_grid = &g;
    o.area_mask = mask;
    RTM_CHECK(rtm_points_load(&p, data("points/mixed.csv"), &o, &st, &e) == 0);
    /* the 4 usable rows are in Southend town centre: all kept */
    RTM_CHECK(p.n == 4 && st.skipped[RTM_SKIP_OUTSIDE_AREA] == 0);
    /* Caister (Norfolk) is far outside Southend: skipped, counted */
    RTM_CHECK(rtm_points_load(&p, data("points/caister.csv"), &o, &st, &e) == 0);
    RTM_CHECK(p.n == 4 && st.skipped[RTM_SKIP_OUTSIDE_AREA] == 1);
    RTM_CHECK(strstr(st.example[RTM_SKIP_OUTSIDE_AREA], "caister.csv line 2") != NULL);
    rtm_points_clear(&p);
    free(mask);
}

/* Without a resolution the cell size is ArcGIS's default, min(width,
 * height)/250 of the polygons' extent (whole metres), the extent read here
 * independently with OGR. */
static void test_default_resolution(void)
{
    rtm_grid g;
    rtm_error e;
    unsigned char *mask = NULL;
    GDALDatasetH ds;
    OGREnvelope env;
    double expect;
    memset(&g, 0, sizeof g);
    rtm_gdal_init();
    ds = GDALOpenEx(sample("boundaries/southend_on_sea_lad2011_bng.geojson"), GDAL_OF_VECTOR,
                    NULL, NULL, NULL);
    RTM_CHECK(ds != NULL);
    if (!ds)
        return;
    OGR_L_GetExtent(GDALDatasetGetLayer(ds, 0), &env, 1);
    GDALClose(ds);
    expect = floor(fmin(env.MaxX - env.MinX, env.MaxY - env.MinY) / 250.0);
    RTM_CHECK(rtm_area_load(sample("boundaries/southend_on_sea_lad2011_bng.geojson"), NULL, NULL,
                            "EPSG:27700", 0, &g, &mask, NULL, &e) == 0);
    RTM_CHECK_NEAR(g.res, expect, 0);
    free(mask);
}

/* Zones: one per district polygon (published list: 14 districts), a filter
 * selects one; cells take the zone containing their centre. */
static void test_zones(void)
{
    rtm_grid g;
    rtm_error e;
    int *zone = NULL, nz = 0, i;
    char **names = NULL;
    size_t k, in = 0;
    rtm_grid_from_bbox(&g, 530000, 170000, 630000, 250000, 500, "EPSG:27700", &e);
    RTM_CHECK(rtm_area_zones(sample("boundaries/essex_police_area_lad2011_bng.geojson"), NULL,
                             NULL, "name", &g, &zone, &names, &nz, &e) == 0);
    RTM_CHECK(nz == 14);
    rtm_area_names_free(names, nz);
    free(zone);
    RTM_CHECK(rtm_area_zones(sample("boundaries/essex_police_area_lad2011_bng.geojson"), NULL,
                             "name = 'Southend-on-Sea'", "name", &g, &zone, &names, &nz, &e) == 0);
    RTM_CHECK(nz == 1 && names && !strcmp(names[0], "Southend-on-Sea"));
    for (k = 0; zone && k < rtm_grid_ncells(&g); k++)
        in += zone[k] == 0;
    /* 67.8 km2 at 0.25 km2 per cell: about 271 cells by the centre rule */
    RTM_CHECK(in > 240 && in < 300);
    for (i = 0; i < nz; i++)
        RTM_CHECK(names[i] != NULL);
    rtm_area_names_free(names, nz);
    free(zone);
}

/* Transformations given back are reused (crs.c's pool): the one handed out
 * again is reset (no operation recorded), gives the same bytes as a new
 * one made while it is held, and is never handed to two holders at once;
 * a failed creation leaves nothing behind. */
static void test_transform_reuse(void)
{
    rtm_error e;
    double x0[4] = {-0.1276, 0.7, -2.5, 1.5}, y0[4] = {51.5072, 51.6, 53.4, 52.6};
    double xa[4], ya[4], xb[4], yb[4];
    unsigned char ok[4];
    rtm_transform *t1 = rtm_transform_create("EPSG:4326", "EPSG:27700", &e), *t2, *t3;
    RTM_CHECK(t1 != NULL);
    memcpy(xa, x0, sizeof xa);
    memcpy(ya, y0, sizeof ya);
    RTM_CHECK(rtm_transform_points(t1, xa, ya, 4, ok) == 4);
    /* London (51.5072 N, 0.1276 W) is near 530,000 E 180,400 N */
    RTM_CHECK(fabs(xa[0] - 530000) < 1000 && fabs(ya[0] - 180400) < 1000);
    RTM_CHECK(strstr(rtm_transform_describe(t1), "British National Grid") != NULL);
    rtm_transform_free(t1);
    t2 = rtm_transform_create("EPSG:4326", "EPSG:27700", &e);
    RTM_CHECK(t2 == t1); /* from the pool */
    RTM_CHECK(strcmp(rtm_transform_describe(t2), "none (no point transformed)") == 0);
    t3 = rtm_transform_create("EPSG:4326", "EPSG:27700", &e); /* t2 is held: a new one */
    RTM_CHECK(t3 != NULL && t3 != t2);
    memcpy(xb, x0, sizeof xb);
    memcpy(yb, y0, sizeof yb);
    RTM_CHECK(rtm_transform_points(t2, xb, yb, 4, ok) == 4);
    RTM_CHECK(memcmp(xa, xb, sizeof xa) == 0 && memcmp(ya, yb, sizeof ya) == 0);
    memcpy(xb, x0, sizeof xb);
    memcpy(yb, y0, sizeof yb);
    RTM_CHECK(rtm_transform_points(t3, xb, yb, 4, ok) == 4);
    RTM_CHECK(memcmp(xa, xb, sizeof xa) == 0 && memcmp(ya, yb, sizeof ya) == 0);
    rtm_transform_free(t2);
    rtm_transform_free(t3);
    RTM_CHECK(rtm_transform_create("EPSG:4326", "EPSG:999999", &e) == NULL);
    t1 = rtm_transform_create("EPSG:27700", "EPSG:4326", &e); /* the other way */
    memcpy(xb, xa, sizeof xb);
    memcpy(yb, ya, sizeof yb);
    RTM_CHECK(t1 && rtm_transform_points(t1, xb, yb, 4, ok) == 4);
    RTM_CHECK(fabs(xb[0] - x0[0]) < 1e-7 && fabs(yb[0] - y0[0]) < 1e-7);
    rtm_transform_free(t1);
}

/* rtm_points_reserve: room for n points without moving them as they are
 * appended (the arrays stay where they are), contents kept across the
 * reservation (past RTM_HUGEPAGE_MIN, where the arrays are copied by
 * hand), a smaller n does nothing, an impossible one fails leaving the
 * points as they were. */
static void test_reserve(void)
{
    rtm_points p;
    rtm_error e;
    const size_t n = 600000; /* 4.8 MB arrays of doubles */
    int bad = 0;
    rtm_points_init(&p);
    for (int i = 0; i < 3000; i++)
        bad += rtm_points_push_full(&p, i, -i, 0.5 * i, 201801 + i % 12, 20180101 + i % 28,
                                    i % 1440, -1, &e) != 0;
    RTM_CHECK(bad == 0 && p.n == 3000);
    RTM_CHECK(rtm_points_reserve(&p, n, &e) == 0 && p.cap >= n);
    double *x = p.x;
    int *day = p.day;
    for (size_t i = 3000; i < n; i++)
        bad += rtm_points_push_full(&p, (double)i, -(double)i, 0.5 * (double)i,
                                    201801 + (int)(i % 12), 20180101 + (int)(i % 28),
                                    (int)(i % 1440), -1, &e) != 0;
    RTM_CHECK(bad == 0 && p.n == n && p.x == x && p.day == day); /* no reallocation */
    for (size_t i = 0; i < n; i++)
        bad += p.x[i] != (double)i || p.y[i] != -(double)i || p.w[i] != 0.5 * (double)i ||
               p.month[i] != 201801 + (int)(i % 12) || p.day[i] != 20180101 + (int)(i % 28) ||
               p.minute[i] != (int)(i % 1440) || p.label[i] != -1;
    RTM_CHECK(bad == 0);
    size_t cap = p.cap;
    RTM_CHECK(rtm_points_reserve(&p, 10, &e) == 0 && p.cap == cap && p.x == x);
    RTM_CHECK(rtm_points_reserve(&p, (size_t)-1 / 2, &e) == RTM_ERR_NOMEM);
    RTM_CHECK(p.n == n && p.cap == cap && p.x[n - 1] == (double)(n - 1));
    rtm_points_clear(&p);
}

int main(void)
{
    RTM_RUN(test_police_csv);
    RTM_RUN(test_transform_reuse);
    RTM_RUN(test_where_and_months);
    RTM_RUN(test_bad_rows);
    RTM_RUN(test_weights);
    RTM_RUN(test_os_reference);
    RTM_RUN(test_risk_settings);
    RTM_RUN(test_geojson_and_errors);
    RTM_RUN(test_geometry_over_columns);
    RTM_RUN(test_huge_coordinate);
    RTM_RUN(test_date_forms);
    RTM_RUN(test_unclosed_quote);
    RTM_RUN(test_study_area);
    RTM_RUN(test_zones);
    RTM_RUN(test_default_resolution);
    RTM_RUN(test_reserve);
    return RTM_TEST_END();
}
