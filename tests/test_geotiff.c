/* test_geotiff.c: COG output read back through GDAL itself (not our reader):
 * layout, compression, tiles, overviews (compared with 2x2 block averages
 * and majorities computed here), georeferencing, CRS, nodata, metadata,
 * statistics (brute force here), values, byte-identical output across
 * thread counts, the .qml sidecar, atomic replacement on failure, and the
 * rtm_raster_read round trip. */
#include "rtm/output.h"
#include "rtm_test.h"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <dirent.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define NC 700
#define NR 600

static char dir[256];

static void path_in(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

/* Test surface: smooth field plus structure, masked corner block, NaN cells. */
typedef struct surf {
    rtm_grid g;
    double *v;
    unsigned char *m;
} surf;

static void surf_make_size(surf *s, int nc, int nr)
{
    rtm_error e;
    rtm_grid_from_bbox(&s->g, 530000, 170000, 530000 + nc * 25.0, 170000 + nr * 25.0, 25,
                       "EPSG:27700", &e);
    s->v = malloc(sizeof(double) * (size_t)nc * (size_t)nr);
    s->m = malloc((size_t)nc * (size_t)nr);
    for (int i = 0; i < nr; i++) {
        for (int j = 0; j < nc; j++) {
            size_t k = (size_t)i * (size_t)nc + (size_t)j;
            s->v[k] = 100.0 * exp(-((i - 200.0) * (i - 200.0) + (j - 300.0) * (j - 300.0)) / 2e4) +
                      0.001 * (double)((i * 31 + j * 17) % 101);
            s->m[k] = !(i < 50 && j < 80); /* outside the study area */
        }
    }
    s->v[(size_t)(nr / 2) * (size_t)nc + 101] = NAN;
    s->v[(size_t)(nr / 2 + 1) * (size_t)nc + 101] = NAN;
}

/* Full size (overviews need more than one 512 tile) */
static void surf_make(surf *s)
{
    surf_make_size(s, NC, NR);
}

/* Small (fast) surface for tests that do not look at overviews. */
#define SC 300
#define SR 260
static void surf_make_small(surf *s)
{
    surf_make_size(s, SC, SR);
}

static void surf_free(surf *s)
{
    free(s->v);
    free(s->m);
}

static int valid(const surf *s, size_t k)
{
    return s->m[k] && !isnan(s->v[k]);
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static unsigned char *slurp(const char *p, long *n)
{
    FILE *f = fopen(p, "rb");
    *n = file_size(p);
    if (!f || *n < 0) {
        if (f)
            fclose(f);
        return NULL;
    }
    unsigned char *b = malloc((size_t)*n + 1);
    if (fread(b, 1, (size_t)*n, f) != (size_t)*n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[*n] = 0;
    return b;
}

/* Hidden entries: temporary files and their private directories. */
static int count_temps(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

static double *read_band(GDALRasterBandH b, int nx, int ny)
{
    double *v = malloc(sizeof(double) * (size_t)nx * (size_t)ny);
    if (GDALRasterIO(b, GF_Read, 0, 0, nx, ny, v, nx, ny, GDT_Float64, 0, 0) != CE_None) {
        free(v);
        return NULL;
    }
    return v;
}

static const char *band_item(GDALRasterBandH b, const char *key)
{
    const char *v = GDALGetMetadataItem(b, key, NULL);
    return v ? v : "";
}

/* Layout, compression, tiling, georeferencing, CRS, metadata, statistics. */
static void test_cog_float32(void)
{
    surf s;
    char p[512];
    rtm_error e;
    rtm_geotiff_opts o;
    const char *md[] = {"RTM_VERSION=0.1.0", "BANDWIDTH_M=250", "N_EVENTS=1234", NULL};
    const char *bmd[] = {"KERNEL=quartic", NULL};
    surf_make(&s);
    path_in(p, sizeof p, "kde.tif");
    rtm_geotiff_opts_init(&o);
    o.band_description = "kernel density (events per km²)";
    o.units = "events/km2";
    o.metadata = md;
    o.band_metadata = bmd;
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == 0);

    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (!ds) {
        surf_free(&s);
        return;
    }
    RTM_CHECK(strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GTiff") == 0);
    const char *lay = GDALGetMetadataItem(ds, "LAYOUT", "IMAGE_STRUCTURE");
    const char *cmp = GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE");
    const char *pred = GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE");
    RTM_CHECK(lay && strcmp(lay, "COG") == 0);
    RTM_CHECK(cmp && strcmp(cmp, "DEFLATE") == 0);
    RTM_CHECK(pred && strcmp(pred, "3") == 0); /* floating-point predictor */
    RTM_CHECK(GDALGetMetadataItem(ds, "TIFFTAG_DATETIME", NULL) == NULL);
    RTM_CHECK(GDALGetRasterXSize(ds) == NC && GDALGetRasterYSize(ds) == NR);

    double gt[6];
    RTM_CHECK(GDALGetGeoTransform(ds, gt) == CE_None);
    RTM_CHECK_NEAR(gt[0], 530000, 0);
    RTM_CHECK_NEAR(gt[1], 25, 0);
    RTM_CHECK_NEAR(gt[2], 0, 0);
    RTM_CHECK_NEAR(gt[3], 170000 + NR * 25.0, 0);
    RTM_CHECK_NEAR(gt[4], 0, 0);
    RTM_CHECK_NEAR(gt[5], -25, 0);
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    RTM_CHECK(srs != NULL);
    const char *code = srs ? OSRGetAuthorityCode(srs, NULL) : NULL;
    RTM_CHECK(code && strcmp(code, "27700") == 0);

    RTM_CHECK(strcmp(GDALGetMetadataItem(ds, "BANDWIDTH_M", NULL), "250") == 0);
    RTM_CHECK(strcmp(GDALGetMetadataItem(ds, "N_EVENTS", NULL), "1234") == 0);
    RTM_CHECK(strcmp(GDALGetMetadataItem(ds, "RTM_VERSION", NULL), "0.1.0") == 0);

    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    int bx, by, has;
    GDALGetBlockSize(b, &bx, &by);
    RTM_CHECK(bx == 512 && by == 512);
    RTM_CHECK(GDALGetRasterDataType(b) == GDT_Float32);
    RTM_CHECK(strcmp(GDALGetDescription(b), "kernel density (events per km²)") == 0);
    RTM_CHECK(strcmp(GDALGetRasterUnitType(b), "events/km2") == 0);
    RTM_CHECK(strcmp(band_item(b, "KERNEL"), "quartic") == 0);
    RTM_CHECK_NEAR(GDALGetRasterNoDataValue(b, &has), -9999, 0);
    RTM_CHECK(has);

    /* values: Float32 rounding of the input; masked and NaN cells nodata */
    double *r = read_band(b, NC, NR);
    RTM_CHECK(r != NULL);
    size_t bad = 0, n = 0;
    long double sum = 0, ss = 0;
    double mn = INFINITY, mx = -INFINITY;
    for (size_t k = 0; r && k < (size_t)NC * NR; k++) {
        if (!valid(&s, k)) {
            bad += r[k] != -9999;
            continue;
        }
        double x = (double)(float)s.v[k];
        bad += r[k] != x;
        n++;
        sum += x;
        mn = fmin(mn, x);
        mx = fmax(mx, x);
    }
    RTM_CHECK(bad == 0);
    double mean = (double)(sum / n);
    for (size_t k = 0; k < (size_t)NC * NR; k++)
        if (valid(&s, k))
            ss += ((double)(float)s.v[k] - mean) * ((double)(float)s.v[k] - mean);
    double sd = sqrt((double)(ss / n));
    /* statistics written by rtm vs brute force here */
    RTM_CHECK_NEAR(atof(band_item(b, "STATISTICS_MINIMUM")), mn, 0);
    RTM_CHECK_NEAR(atof(band_item(b, "STATISTICS_MAXIMUM")), mx, 0);
    RTM_CHECK_REL(atof(band_item(b, "STATISTICS_MEAN")), mean, 1e-12, 1e-12);
    RTM_CHECK_REL(atof(band_item(b, "STATISTICS_STDDEV")), sd, 1e-10, 1e-12);
    RTM_CHECK_REL(atof(band_item(b, "STATISTICS_VALID_PERCENT")),
                  100.0 * (double)n / (NC * NR), 1e-12, 1e-12);

    /* overviews: AVERAGE of each 2x2 block over valid cells */
    RTM_CHECK(GDALGetOverviewCount(b) >= 1);
    GDALRasterBandH ov = GDALGetOverview(b, 0);
    RTM_CHECK(ov && GDALGetRasterBandXSize(ov) == NC / 2 && GDALGetRasterBandYSize(ov) == NR / 2);
    double *ovv = ov ? read_band(ov, NC / 2, NR / 2) : NULL;
    double maxerr = 0;
    size_t ovbad = 0;
    for (int i = 0; ovv && i < NR / 2; i++) {
        for (int j = 0; j < NC / 2; j++) {
            double t = 0;
            int c = 0;
            for (int di = 0; di < 2; di++)
                for (int dj = 0; dj < 2; dj++) {
                    size_t k = (size_t)(2 * i + di) * NC + (size_t)(2 * j + dj);
                    if (valid(&s, k)) {
                        t += (double)(float)s.v[k];
                        c++;
                    }
                }
            double got = ovv[(size_t)i * (NC / 2) + j];
            if (c == 0)
                ovbad += got != -9999;
            else
                maxerr = fmax(maxerr, fabs(got - t / c) / fmax(1.0, fabs(t / c)));
        }
    }
    RTM_CHECK(ovbad == 0);
    RTM_CHECK_NEAR(maxerr, 0, 1e-6); /* Float32 storage of the average */
    free(ovv);
    free(r);
    GDALClose(ds);

    /* the .qml beside it */
    char q[512];
    path_in(q, sizeof q, "kde.qml");
    RTM_CHECK(file_size(q) > 0);
    RTM_CHECK(count_temps() == 0);
    surf_free(&s);
}

/* Float64 values are exact; ZSTD compression. */
static void test_float64_zstd(void)
{
    surf s;
    char p[512];
    rtm_error e;
    rtm_geotiff_opts o;
    surf_make_small(&s);
    path_in(p, sizeof p, "f64.tif");
    rtm_geotiff_opts_init(&o);
    o.float64 = 1;
    o.compress = "ZSTD";
    o.write_qml = 0;
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (!ds) {
        surf_free(&s);
        return;
    }
    const char *cmp = GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE");
    RTM_CHECK(cmp && strcmp(cmp, "ZSTD") == 0);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    RTM_CHECK(GDALGetRasterDataType(b) == GDT_Float64);
    double *r = read_band(b, SC, SR);
    size_t bad = 0;
    for (size_t k = 0; r && k < (size_t)SC * SR; k++)
        bad += r[k] != (valid(&s, k) ? s.v[k] : -9999);
    RTM_CHECK(r && bad == 0);
    free(r);
    GDALClose(ds);
    char q[512];
    path_in(q, sizeof q, "f64.qml");
    RTM_CHECK(file_size(q) == -1); /* write_qml = 0 */
    surf_free(&s);
}

/* Same bytes for 1 thread and 2 threads, written at different times. */
static void test_byte_identical(void)
{
    surf s;
    char a[512], b[512];
    rtm_error e;
    rtm_geotiff_opts o;
    surf_make(&s);
    path_in(a, sizeof a, "t1.tif");
    path_in(b, sizeof b, "t2.tif");
    rtm_geotiff_opts_init(&o);
    o.num_threads = 1;
    RTM_CHECK(rtm_geotiff_write(a, &s.g, s.v, s.m, &o, &e) == 0);
    sleep(1); /* a timestamp in the file would now differ */
    o.num_threads = 2;
    RTM_CHECK(rtm_geotiff_write(b, &s.g, s.v, s.m, &o, &e) == 0);
    RTM_CHECK(rtm_t_same_file(a, b));
    o.num_threads = 0; /* all CPUs */
    RTM_CHECK(rtm_geotiff_write(b, &s.g, s.v, s.m, &o, &e) == 0);
    RTM_CHECK(rtm_t_same_file(a, b));
    surf_free(&s);
}

/* A minimal well-formedness check: tags balance, attributes quoted. */
static int xml_balanced(const char *x)
{
    const char *stack[64];
    size_t len[64];
    int depth = 0;
    for (const char *p = strchr(x, '<'); p; p = strchr(p, '<')) {
        if (p[1] == '!' || p[1] == '?') {
            p = strchr(p, '>');
            if (!p)
                return 0;
            continue;
        }
        const char *end = p + 1;
        int q = 0;
        while (*end && (q || *end != '>')) {
            if (*end == '"')
                q = !q;
            end++;
        }
        if (*end != '>')
            return 0;
        if (p[1] == '/') {
            size_t n = strcspn(p + 2, " >");
            if (depth == 0 || len[depth - 1] != n || strncmp(stack[depth - 1], p + 2, n) != 0)
                return 0;
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64)
                return 0;
            stack[depth] = p + 1;
            len[depth++] = strcspn(p + 1, " />");
        }
        p = end;
    }
    return depth == 0;
}

static int count_str(const char *s, const char *w)
{
    int n = 0;
    for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
        n++;
    return n;
}

static void test_qml_continuous(void)
{
    surf s;
    char p[512], q[512];
    rtm_error e;
    rtm_geotiff_opts o;
    long n;
    surf_make_small(&s);
    path_in(p, sizeof p, "style.tif");
    path_in(q, sizeof q, "style.qml");
    rtm_geotiff_opts_init(&o);
    o.qml_ramp = "magma";
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == 0);
    char *x = (char *)slurp(q, &n);
    RTM_CHECK(x != NULL);
    if (!x) {
        surf_free(&s);
        return;
    }
    RTM_CHECK(xml_balanced(x));
    RTM_CHECK(strstr(x, "<!DOCTYPE qgis") == x);
    RTM_CHECK(strstr(x, "type=\"singlebandpseudocolor\"") != NULL);
    RTM_CHECK(strstr(x, "colorRampType=\"INTERPOLATED\"") != NULL);
    RTM_CHECK(strstr(x, "nodataColor=\"\"") != NULL);
    RTM_CHECK(count_str(x, "<item ") == rtm_ramp_nstops(RTM_RAMP_MAGMA));
    /* range = min/max of the valid (Float32) values; ends coloured by the
     * published magma ends #000004 and #fcfdbf */
    double mn = INFINITY, mx = -INFINITY;
    for (size_t k = 0; k < (size_t)SC * SR; k++)
        if (valid(&s, k)) {
            mn = fmin(mn, (double)(float)s.v[k]);
            mx = fmax(mx, (double)(float)s.v[k]);
        }
    const char *a = strstr(x, "minimumValue=\""), *b = strstr(x, "maximumValue=\"");
    RTM_CHECK(a && b);
    if (a && b) {
        RTM_CHECK_NEAR(atof(a + 14), mn, 0);
        RTM_CHECK_NEAR(atof(b + 14), mx, 0);
    }
    const char *first = strstr(x, "<item "), *last = strrchr(x, '\0');
    while (last > x && strncmp(last, "<item ", 6) != 0)
        last--;
    RTM_CHECK(first && strstr(first, "color=\"#000004\"") < strchr(first, '>'));
    RTM_CHECK(strstr(last, "color=\"#fcfdbf\"") < strchr(last, '>'));
    free(x);
    surf_free(&s);
}

/* rtm_qml_build directly: diverging continuous range symmetric about 0. */
static void test_qml_diverging(void)
{
    rtm_geotiff_opts o;
    rtm_error e;
    rtm_geotiff_opts_init(&o);
    o.qml_ramp = "diverging";
    char *x = rtm_qml_build(&o, -2, 5, NULL, 0, &e);
    RTM_CHECK(x && xml_balanced(x));
    RTM_CHECK(x && strstr(x, "minimumValue=\"-5\" maximumValue=\"5\"") != NULL);
    RTM_CHECK(x && strstr(x, "value=\"0\" label=\"0\" color=\"#f7f7f7\"") != NULL);
    free(x);
    o.qml_ramp = "nope";
    RTM_CHECK(rtm_qml_build(&o, 0, 1, NULL, 0, &e) == NULL && e.code == RTM_ERR_ARG);
    char q[64];
    RTM_CHECK(rtm_qml_path("out/risk.tif", q, sizeof q, &e) == 0 && strcmp(q, "out/risk.qml") == 0);
    RTM_CHECK(rtm_qml_path("a.b/risk", q, sizeof q, &e) == 0 && strcmp(q, "a.b/risk.qml") == 0);
    RTM_CHECK(rtm_qml_path("out/risk.tif", q, 8, &e) == RTM_ERR_ARG);
}

/* Gi*-style bins -3..3: Int16, horizontal predictor, MODE overviews,
 * paletted .qml with labels (and labelled classes absent from the data). */
static void test_categorical(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_geotiff_opts o;
    char p[512], q[512];
    long n;
    const int nc = 600, nr = 520;
    rtm_grid_from_bbox(&g, 0, 0, nc * 50.0, nr * 50.0, 50, "EPSG:27700", &e);
    double *v = malloc(sizeof(double) * nc * nr);
    /* each 2x2 block: three cells of class c, one of another class */
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++) {
            int c = ((i / 2) * 7 + (j / 2)) % 6 - 3; /* -3..2: class 3 never occurs */
            int odd = (i % 2 == 1 && j % 2 == 1);
            v[(size_t)i * nc + j] = odd ? (c == 0 ? 1 : 0) : c;
        }
    const char *labels[] = {"-3=cold spot, 99% confidence", "0=not significant",
                            "3=hot spot, 99% confidence", NULL};
    rtm_geotiff_opts_init(&o);
    o.categorical = 1;
    o.qml_ramp = "diverging";
    o.class_labels = labels;
    path_in(p, sizeof p, "gi.tif");
    path_in(q, sizeof q, "gi.qml");
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (ds) {
        GDALRasterBandH b = GDALGetRasterBand(ds, 1);
        const char *pred = GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE");
        RTM_CHECK(GDALGetRasterDataType(b) == GDT_Int16);
        RTM_CHECK(pred && strcmp(pred, "2") == 0);
        double *r = read_band(b, nc, nr);
        size_t bad = 0;
        for (size_t k = 0; r && k < (size_t)nc * nr; k++)
            bad += r[k] != v[k];
        RTM_CHECK(r && bad == 0);
        free(r);
        RTM_CHECK(GDALGetOverviewCount(b) >= 1);
        GDALRasterBandH ov = GDALGetOverview(b, 0);
        double *ovv = ov ? read_band(ov, nc / 2, nr / 2) : NULL;
        bad = 0;
        for (int i = 0; ovv && i < nr / 2; i++)
            for (int j = 0; j < nc / 2; j++)
                bad += ovv[(size_t)i * (nc / 2) + j] != (i * 7 + j) % 6 - 3; /* majority */
        RTM_CHECK(ovv && bad == 0);
        free(ovv);
        GDALClose(ds);
    }
    char *x = (char *)slurp(q, &n);
    RTM_CHECK(x && xml_balanced(x));
    RTM_CHECK(x && strstr(x, "type=\"paletted\"") != NULL);
    RTM_CHECK(x && count_str(x, "<paletteEntry ") == 7); /* -3..2 present, 3 labelled */
    RTM_CHECK(x && strstr(x, "value=\"3\" alpha=\"255\" color=\"#67001f\" "
                             "label=\"hot spot, 99% confidence\"") != NULL);
    RTM_CHECK(x && strstr(x, "value=\"-3\" alpha=\"255\" color=\"#053061\"") != NULL);
    RTM_CHECK(x && strstr(x, "value=\"0\" alpha=\"255\" color=\"#f7f7f7\" "
                             "label=\"not significant\"") != NULL);
    RTM_CHECK(x && strstr(x, "value=\"1\" alpha=\"255\" color=\"#") != NULL &&
              strstr(x, "label=\"1\"") != NULL);
    free(x);

    /* tiers 1..5 with nodata 0 fit a Byte band */
    for (size_t k = 0; k < (size_t)nc * nr; k++)
        v[k] = 1 + (double)(k % 5);
    o.nodata = 0;
    o.class_labels = NULL;
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == 0);
    ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds && GDALGetRasterDataType(GDALGetRasterBand(ds, 1)) == GDT_Byte);
    if (ds)
        GDALClose(ds);
    /* non-integer class */
    v[5] = 2.5;
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "2.5") != NULL);
    free(v);
}

/* ---- classes inside the GeoTIFF, read back by GDAL and by GDAL's XML
 * parser from the .qml ---- */

/* The <colorPalette> of a .qml file, or NULL; *doc gets the tree to free. */
static CPLXMLNode *qml_palette(const char *path, CPLXMLNode **doc)
{
    CPLXMLNode *n;
    *doc = CPLParseXMLFile(path);
    for (n = *doc; n; n = n->psNext)
        if (n->eType == CXT_Element && strcmp(n->pszValue, "qgis") == 0)
            break;
    CPLXMLNode *r = n ? CPLGetXMLNode(n, "pipe.rasterrenderer") : NULL;
    if (!r || strcmp(CPLGetXMLValue(r, "type", ""), "paletted") != 0)
        return NULL;
    return CPLGetXMLNode(r, "colorPalette");
}

static int hex_rgb(const char *s, int rgb[3])
{
    return s && sscanf(s, "#%2x%2x%2x", &rgb[0], &rgb[1], &rgb[2]) == 3;
}

/* Entry k of a palette with its value, label and colour; 0 if absent. */
static int palette_entry(CPLXMLNode *pal, int k, double *v, const char **lab, int rgb[3])
{
    int i = 0;
    for (CPLXMLNode *e = pal ? pal->psChild : NULL; e; e = e->psNext) {
        if (e->eType != CXT_Element || strcmp(e->pszValue, "paletteEntry") != 0)
            continue;
        if (i++ == k) {
            *v = atof(CPLGetXMLValue(e, "value", "nan"));
            *lab = CPLGetXMLValue(e, "label", "");
            return hex_rgb(CPLGetXMLValue(e, "color", NULL), rgb);
        }
    }
    return 0;
}

/* The attribute table rows equal the .qml palette entries (value, name,
 * colour) and the published colours where given (ref: value, "#rrggbb"). */
static void check_rat_vs_qml(GDALRasterBandH b, const char *qml, int nwant,
                             const char *const *labels)
{
    GDALRasterAttributeTableH rat = GDALGetDefaultRAT(b);
    CPLXMLNode *doc, *pal = qml_palette(qml, &doc);
    RTM_CHECK(rat != NULL && pal != NULL);
    if (rat && pal) {
        int cv = GDALRATGetColOfUsage(rat, GFU_MinMax), cn = GDALRATGetColOfUsage(rat, GFU_Name);
        int cr = GDALRATGetColOfUsage(rat, GFU_Red), cg = GDALRATGetColOfUsage(rat, GFU_Green);
        int cb = GDALRATGetColOfUsage(rat, GFU_Blue);
        RTM_CHECK(cv >= 0 && cn >= 0 && cr >= 0 && cg >= 0 && cb >= 0);
        RTM_CHECK(GDALRATGetRowCount(rat) == nwant);
        for (int k = 0; k < nwant && cv >= 0 && cn >= 0 && cr >= 0 && cg >= 0 && cb >= 0; k++) {
            double v;
            const char *lab;
            int rgb[3];
            RTM_CHECK(palette_entry(pal, k, &v, &lab, rgb));
            RTM_CHECK(GDALRATGetValueAsInt(rat, k, cv) == (int)v);
            RTM_CHECK(strcmp(GDALRATGetValueAsString(rat, k, cn), lab) == 0);
            RTM_CHECK(strcmp(lab, strchr(labels[k], '=') + 1) == 0);
            RTM_CHECK(GDALRATGetValueAsInt(rat, k, cr) == rgb[0] &&
                      GDALRATGetValueAsInt(rat, k, cg) == rgb[1] &&
                      GDALRATGetValueAsInt(rat, k, cb) == rgb[2]);
        }
    }
    CPLDestroyXMLNode(doc);
}

/* Published colours of entry k of the .qml palette. */
static int qml_color_is(const char *qml, int k, const char *hex)
{
    CPLXMLNode *doc, *pal = qml_palette(qml, &doc);
    double v;
    const char *lab;
    int got[3], want[3];
    int ok = palette_entry(pal, k, &v, &lab, got) && hex_rgb(hex, want) && got[0] == want[0] &&
             got[1] == want[1] && got[2] == want[2];
    CPLDestroyXMLNode(doc);
    return ok;
}

/* Gi* bins -3..3 (Int16: negative classes) get a thematic attribute table;
 * tiers 0..3 (Byte) also a colour table and category names; all agree with
 * the .qml and with the published ColorBrewer end and centre colours. */
static void test_class_tables(void)
{
    static const char *const bins[] = {
        "-3=cold spot, 99% confidence", "-2=cold spot, 95% confidence",
        "-1=cold spot, 90% confidence", "0=not significant", "1=hot spot, 90% confidence",
        "2=hot spot, 95% confidence", "3=hot spot, 99% confidence", NULL};
    static const char *const tiers[] = {"0=below average", "1=above average",
                                        "2=moderately high", "3=highest", NULL};
    rtm_grid g;
    rtm_error e;
    rtm_geotiff_opts o;
    char p[512], q[512], aux[600];
    double v[40 * 30];
    rtm_grid_from_bbox(&g, 0, 0, 40 * 50.0, 30 * 50.0, 50, "EPSG:27700", &e);
    for (int k = 0; k < 40 * 30; k++)
        v[k] = (k * 5) % 6 - 3; /* -3..2: 3 only labelled */
    rtm_geotiff_opts_init(&o);
    o.categorical = 1;
    o.qml_ramp = "diverging";
    o.class_labels = bins;
    path_in(p, sizeof p, "bins.tif");
    path_in(q, sizeof q, "bins.qml");
    snprintf(aux, sizeof aux, "%s.aux.xml", p);
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == 0);
    RTM_CHECK(access(aux, F_OK) == 0 && count_temps() == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (ds) {
        GDALRasterBandH b = GDALGetRasterBand(ds, 1);
        RTM_CHECK(GDALGetRasterDataType(b) == GDT_Int16);
        check_rat_vs_qml(b, q, 7, bins);
        GDALClose(ds);
    }
    /* ColorBrewer RdBu ends and centre */
    RTM_CHECK(qml_color_is(q, 0, "#053061") && qml_color_is(q, 3, "#f7f7f7") &&
              qml_color_is(q, 6, "#67001f"));

    for (int k = 0; k < 40 * 30; k++)
        v[k] = k % 4;
    o.qml_ramp = "ylorrd";
    o.class_labels = tiers;
    o.nodata = 255;
    path_in(p, sizeof p, "tiers.tif");
    path_in(q, sizeof q, "tiers.qml");
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == 0);
    ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (ds) {
        GDALRasterBandH b = GDALGetRasterBand(ds, 1);
        GDALColorTableH ct = GDALGetRasterColorTable(b);
        char **names = GDALGetRasterCategoryNames(b);
        RTM_CHECK(GDALGetRasterDataType(b) == GDT_Byte && ct != NULL);
        RTM_CHECK(CSLCount(names) == 4);
        for (int k = 0; ct && k < 4; k++) {
            const GDALColorEntry *c = GDALGetColorEntry(ct, k);
            char hex[8];
            snprintf(hex, sizeof hex, "#%02x%02x%02x", c->c1, c->c2, c->c3);
            RTM_CHECK(qml_color_is(q, k, hex));
            RTM_CHECK(names && k < CSLCount(names) && strcmp(names[k], strchr(tiers[k], '=') + 1) == 0);
        }
        /* YlOrRd ends; nodata transparent */
        RTM_CHECK(qml_color_is(q, 0, "#ffffcc") && qml_color_is(q, 3, "#800026"));
        RTM_CHECK(ct && GDALGetColorEntry(ct, 255) && GDALGetColorEntry(ct, 255)->c4 == 0);
        check_rat_vs_qml(b, q, 4, tiers);
        GDALClose(ds);
    }
    /* the same name rewritten as a continuous surface: the old sidecar and
     * its category names do not stick to the new file */
    char taux[600];
    snprintf(taux, sizeof taux, "%s.aux.xml", p);
    RTM_CHECK(access(taux, F_OK) == 0);
    rtm_geotiff_opts_init(&o);
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == 0);
    RTM_CHECK(access(taux, F_OK) != 0);
    ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds && GDALGetRasterCategoryNames(GDALGetRasterBand(ds, 1)) == NULL &&
              GDALGetDefaultRAT(GDALGetRasterBand(ds, 1)) == NULL);
    if (ds)
        GDALClose(ds);
    o.categorical = 1;
    o.nodata = 255;
    /* a class label that is no integer class value */
    static const char *const bad[] = {"1.5=half", NULL};
    o.class_labels = bad;
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, &o, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "1.5=half") != NULL);
}

static void test_multiband(void)
{
    surf s;
    char p[512];
    rtm_error e;
    surf_make_small(&s);
    double *w = malloc(sizeof(double) * SC * SR);
    for (size_t k = 0; k < (size_t)SC * SR; k++)
        w[k] = -s.v[k];
    const double *bands[2] = {s.v, w};
    const char *desc[2] = {"density", "negated"};
    path_in(p, sizeof p, "two.tif");
    RTM_CHECK(rtm_geotiff_write_bands(p, &s.g, 2, bands, desc, s.m, NULL, &e) == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds && GDALGetRasterCount(ds) == 2);
    if (ds) {
        GDALRasterBandH b2 = GDALGetRasterBand(ds, 2);
        RTM_CHECK(strcmp(GDALGetDescription(b2), "negated") == 0);
        double *r = read_band(b2, SC, SR);
        RTM_CHECK(r && r[(size_t)100 * SC + 100] == (double)(float)w[(size_t)100 * SC + 100]);
        RTM_CHECK(r && r[0] == -9999);
        free(r);
        GDALClose(ds);
    }
    free(w);
    surf_free(&s);
}

static void test_crs_wkt_and_errors(void)
{
    surf s;
    char p[512], p2[512];
    rtm_error e;
    rtm_geotiff_opts o;
    surf_make_small(&s);
    rtm_geotiff_opts_init(&o);
    o.write_qml = 0;
    /* WKT input */
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    OSRImportFromEPSG(srs, 27700);
    OSRExportToWkt(srs, &wkt);
    snprintf(s.g.crs, sizeof s.g.crs, "%s", wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    path_in(p, sizeof p, "wkt.tif");
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    const char *code = ds && GDALGetSpatialRef(ds) ? OSRGetAuthorityCode(GDALGetSpatialRef(ds), NULL) : NULL;
    RTM_CHECK(code && strcmp(code, "27700") == 0);
    if (ds)
        GDALClose(ds);

    long n0;
    unsigned char *before = slurp(p, &n0);
    /* invalid CRS: exact message, previous file intact */
    snprintf(s.g.crs, sizeof s.g.crs, "EPSG:99999");
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == RTM_ERR_CRS);
    RTM_CHECK(strcmp(e.msg, "geotiff: invalid crs 'EPSG:99999'") == 0);
    snprintf(s.g.crs, sizeof s.g.crs, "EPSG:27700");
    /* bad options */
    o.compress = "LZW";
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == RTM_ERR_ARG);
    o.compress = "DEFLATE";
    o.qml_ramp = "rainbow";
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == RTM_ERR_ARG);
    o.qml_ramp = NULL;
    s.v[(size_t)200 * SC + 200] = -9999; /* collides with nodata */
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == RTM_ERR_ARG);
    s.v[(size_t)200 * SC + 200] = 1;
    /* missing directory: names the path */
    path_in(p2, sizeof p2, "no/such/dir/x.tif");
    RTM_CHECK(rtm_geotiff_write(p2, &s.g, s.v, s.m, &o, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, p2) != NULL);
    /* destination is a directory */
    path_in(p2, sizeof p2, "isdir.tif");
    mkdir(p2, 0777);
    RTM_CHECK(rtm_geotiff_write(p2, &s.g, s.v, s.m, &o, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "isdir.tif") != NULL);
    rmdir(p2);

    /* GDAL fails part-way (file size limit): old file intact, no temps */
    struct rlimit old, lim;
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 16 * 1024;
    RTM_CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    int rc = rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    RTM_CHECK(rc == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, p) != NULL);
    RTM_CHECK(strstr(e.msg, "/.") == NULL); /* names the destination, not the temp */

    long n1;
    unsigned char *after = slurp(p, &n1);
    RTM_CHECK(before && after && n0 == n1 && memcmp(before, after, (size_t)n0) == 0);
    free(before);
    free(after);
    RTM_CHECK(count_temps() == 0);
    surf_free(&s);
}

static void test_raster_read(void)
{
    surf s;
    char p[512];
    rtm_error e;
    rtm_geotiff_opts o;
    surf_make_small(&s);
    rtm_geotiff_opts_init(&o);
    o.float64 = 1;
    o.write_qml = 0;
    path_in(p, sizeof p, "rt.tif");
    RTM_CHECK(rtm_geotiff_write(p, &s.g, s.v, s.m, &o, &e) == 0);
    rtm_surface *r = rtm_raster_read(p, &e);
    RTM_CHECK(r != NULL);
    if (r) {
        RTM_CHECK(r->grid.ncols == SC && r->grid.nrows == SR);
        RTM_CHECK_NEAR(r->grid.x0, s.g.x0, 0);
        RTM_CHECK_NEAR(r->grid.y0, s.g.y0, 0);
        RTM_CHECK_NEAR(r->grid.res, s.g.res, 0);
        RTM_CHECK(strcmp(r->grid.crs, "EPSG:27700") == 0);
        RTM_CHECK(r->mask != NULL);
        size_t bad = 0;
        for (size_t k = 0; r->mask && k < (size_t)SC * SR; k++) {
            if (valid(&s, k))
                bad += !(r->mask[k] == 1 && r->v[k] == s.v[k]);
            else
                bad += !(r->mask[k] == 0 && isnan(r->v[k]));
        }
        RTM_CHECK(bad == 0);
        rtm_surface_free(r);
    }
    path_in(p, sizeof p, "missing.tif");
    RTM_CHECK(rtm_raster_read(p, &e) == NULL && e.code == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "missing.tif") != NULL);
    surf_free(&s);
}

static void test_raster_read_all_valid(void)
{
    rtm_grid g;
    rtm_error e;
    char p[512];
    double v[12];
    rtm_grid_from_bbox(&g, 10, 20, 14, 23, 1, "", &e);
    for (int k = 0; k < 12; k++)
        v[k] = k * 0.5;
    path_in(p, sizeof p, "small.tif");
    RTM_CHECK(rtm_geotiff_write(p, &g, v, NULL, NULL, &e) == 0);
    rtm_surface *r = rtm_raster_read(p, &e);
    RTM_CHECK(r && r->mask == NULL && r->grid.crs[0] == '\0');
    RTM_CHECK(r && r->grid.ncols == 4 && r->grid.nrows == 3 && r->v[11] == 5.5);
    rtm_surface_free(r);
}

/* Two writes at once from two threads: distinct temporaries, same bytes. */
static void test_concurrent_writes(void)
{
    surf s;
    char p[2][512];
    int rc[2] = {-1, -1};
    surf_make_small(&s);
    path_in(p[0], sizeof p[0], "c0.tif");
    path_in(p[1], sizeof p[1], "c1.tif");
#pragma omp parallel for schedule(static) num_threads(2)
    for (int k = 0; k < 2; k++) {
        rtm_error e;
        rc[k] = rtm_geotiff_write(p[k], &s.g, s.v, s.m, NULL, &e);
    }
    RTM_CHECK(rc[0] == 0 && rc[1] == 0);
    RTM_CHECK(rtm_t_same_file(p[0], p[1]));
    RTM_CHECK(count_temps() == 0);
    surf_free(&s);
}

/* Nothing valid: still a valid file, all nodata, no min/max, 0 % valid. */
static void test_all_nodata(void)
{
    rtm_grid g;
    rtm_error e;
    char p[512];
    double v[20];
    unsigned char m[20] = {0};
    rtm_grid_from_bbox(&g, 0, 0, 5, 4, 1, "EPSG:27700", &e);
    for (int k = 0; k < 20; k++)
        v[k] = k;
    path_in(p, sizeof p, "empty.tif");
    RTM_CHECK(rtm_geotiff_write(p, &g, v, m, NULL, &e) == 0);
    GDALDatasetH ds = GDALOpen(p, GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (!ds)
        return;
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    double *r = read_band(b, 5, 4);
    int bad = 0;
    for (int k = 0; r && k < 20; k++)
        bad += r[k] != -9999;
    RTM_CHECK(r && bad == 0);
    RTM_CHECK(GDALGetMetadataItem(b, "STATISTICS_MINIMUM", NULL) == NULL);
    RTM_CHECK_NEAR(atof(band_item(b, "STATISTICS_VALID_PERCENT")), 0, 0);
    free(r);
    GDALClose(ds);
    rtm_surface *s = rtm_raster_read(p, &e);
    RTM_CHECK(s && s->mask && s->mask[7] == 0 && isnan(s->v[7]));
    rtm_surface_free(s);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "geotiff"))
        return 1;
    GDALAllRegister();
    RTM_RUN(test_cog_float32);
    RTM_RUN(test_float64_zstd);
    RTM_RUN(test_byte_identical);
    RTM_RUN(test_qml_continuous);
    RTM_RUN(test_qml_diverging);
    RTM_RUN(test_categorical);
    RTM_RUN(test_class_tables);
    RTM_RUN(test_multiband);
    RTM_RUN(test_crs_wkt_and_errors);
    RTM_RUN(test_raster_read);
    RTM_RUN(test_raster_read_all_valid);
    RTM_RUN(test_all_nodata);
    RTM_RUN(test_concurrent_writes);
    rtm_t_rmdir(dir);
    return RTM_TEST_END();
}
